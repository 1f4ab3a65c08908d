#include "models/xgm/core/xgm_closed.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/special_functions/owens_t.hpp>

#include "core/activation.hpp"

namespace tilt {
namespace {

using gaussian::kInvSqrt2Pi;
using gaussian::kPi;
using gaussian::kSqrt2;
using gaussian::kSqrt2OverPi;
using gaussian::Phi;
using gaussian::phi;

// Owen's T in double precision: boost's default promotes to long double (x87), several times slower for no
// accuracy the tests can see (Phi2 stays within ~3e-16 of quadrature).
using DoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

// T(h, (k - rho h)/(h q)) with its limit at h = 0 (taken from h -> 0+; the jump term beta uses the same side).
double owen_term(double h, double k, double rho, double q) {
  if (h == 0) return k > 0 ? 0.25 : k < 0 ? -0.25 : 0.0;
  return boost::math::owens_t(h, (k - rho * h) / (h * q), DoublePolicy());
}

// E[g(b) g'(a)] and E[g(b) g''(a)] for erf: the weight g'(a) ~ exp(-a^2/2) keeps (a, b) Gaussian (tilted a: mean
// mu_a/(1+c_aa), variance c_aa/(1+c_aa); b | a unchanged), and Stein under the tilt gives E'[a g(b)].
void erf_tilted(double mu_a, double mu_b, double c_aa, double c_ab, double c_bb, double* gd, double* gdd) {
  const double v = 1 + c_aa, mass = kSqrt2OverPi * std::exp(-0.5 * mu_a * mu_a / v) / std::sqrt(v);  // E[g'(a)]
  const double ma = mu_a / v, ca = c_aa / v;
  const double beta = c_ab / c_aa, tau2 = std::max(0.0, c_bb - beta * c_ab);
  const XgmErfField b = xgm_erf_field(mu_b + beta * (ma - mu_a), tau2 + beta * beta * ca);
  *gd = mass * b.g;
  *gdd = -mass * (ma * b.g + beta * ca * b.dg);
}

}  // namespace

double xgm_bvn_cdf(double h, double k, double rho) {
  rho = std::min(1.0, std::max(-1.0, rho));
  const double q = std::sqrt((1 - rho) * (1 + rho));
  if (q < 1e-13) return rho > 0 ? Phi(std::min(h, k)) : std::max(0.0, Phi(h) - Phi(-k));
  if (h == 0 && k == 0) return 0.25 + std::asin(rho) / (2 * kPi);
  // Owen (1956): Phi2 = (Phi(h) + Phi(k))/2 - T(h, a_h) - T(k, a_k) - beta.
  const bool half = h * k < 0 || (h * k == 0 && h + k < 0);
  const double v = 0.5 * (Phi(h) + Phi(k)) - owen_term(h, k, rho, q) - owen_term(k, h, rho, q) - (half ? 0.5 : 0.0);
  return std::min(1.0, std::max(0.0, v));
}

XgmReluPair xgm_relu_pair(double mu_a, double mu_b, double s_a, double s_b, double rho) {
  // a = mu_a + s_a X, b = mu_b + s_b Y; region X > -ha, Y > -hb.
  const double ha = mu_a / s_a, hb = mu_b / s_b;
  const double q = std::sqrt(std::max(0.0, (1 - rho) * (1 + rho)));
  const double P = xgm_bvn_cdf(ha, hb, rho);
  double ex, ey, exy;
  if (q < 1e-13) {  // degenerate (unreachable for a positive definite covariance): leave the smooth terms out
    ex = ey = exy = 0;
  } else {
    const double ca = Phi((hb - rho * ha) / q), cb = Phi((ha - rho * hb) / q);
    const double pa = phi(ha), pb = phi(hb);
    ex = pa * ca + rho * pb * cb;  // E[X 1]
    ey = pb * cb + rho * pa * ca;  // E[Y 1]
    const double quad = (ha * ha - 2 * rho * ha * hb + hb * hb) / (q * q);
    exy = rho * P - rho * ha * pa * ca - rho * hb * pb * cb + q * kInvSqrt2Pi * phi(std::sqrt(quad));
  }
  XgmReluPair out;
  out.p = P;
  out.ea = mu_a * P + s_a * ex;
  out.eb = mu_b * P + s_b * ey;
  out.eab = mu_a * mu_b * P + mu_a * s_b * ey + mu_b * s_a * ex + s_a * s_b * exy;
  return out;
}

void xgm_relu_square_closed(const Eigen::VectorXd& mu, const Eigen::MatrixXd& C, const Eigen::VectorXd& cv, double y,
                            Eigen::VectorXd* EG, Eigen::MatrixXd* H, Eigen::VectorXd* eg, double* loss) {
  const int K = int(mu.size());
  Eigen::VectorXd s(K), P(K), R1(K), R2(K), pdf0(K);
  for (int k = 0; k < K; ++k) {
    s(k) = std::sqrt(C(k, k));
    const double h = mu(k) / s(k), ph = phi(h);
    P(k) = Phi(h);
    R1(k) = mu(k) * P(k) + s(k) * ph;                              // E[relu]
    R2(k) = (mu(k) * mu(k) + C(k, k)) * P(k) + mu(k) * s(k) * ph;  // E[relu^2]
    pdf0(k) = ph / s(k);                                           // density of lambda_k at 0
  }
  // A(m, k) = E[relu(lambda_m) 1{lambda_k > 0}], B(m, k) = E[relu(lambda_m) relu(lambda_k)], P2 = P[both > 0].
  Eigen::MatrixXd A(K, K), B(K, K), P2(K, K);
  for (int k = 0; k < K; ++k) {
    A(k, k) = R1(k);
    B(k, k) = R2(k);
    P2(k, k) = P(k);
    for (int m = k + 1; m < K; ++m) {
      const XgmReluPair pr = xgm_relu_pair(mu(m), mu(k), s(m), s(k), C(m, k) / (s(m) * s(k)));
      P2(m, k) = P2(k, m) = pr.p;
      A(m, k) = pr.ea;
      A(k, m) = pr.eb;
      B(m, k) = B(k, m) = pr.eab;
    }
  }
  EG->resize(K);
  eg->resize(K);
  H->resize(K, K);
  for (int k = 0; k < K; ++k) {
    (*EG)(k) = cv(k) * (y * P(k) - A.col(k).dot(cv));
    (*eg)(k) = y * R1(k) - B.col(k).dot(cv);
    for (int j = 0; j < K; ++j) (*H)(k, j) = -cv(k) * cv(j) * P2(k, j);
    // E[e delta(lambda_k)] = p_k(0) (y - sum_{m != k} cv_m E[relu(lambda_m) | lambda_k = 0]).
    double cond = 0;
    for (int m = 0; m < K; ++m) {
      if (m == k) continue;
      const double mm = mu(m) - C(m, k) * mu(k) / C(k, k);
      const double vm = std::max(0.0, C(m, m) - C(m, k) * C(m, k) / C(k, k));
      const double sm = std::sqrt(vm);
      cond += cv(m) * (sm > 0 ? mm * Phi(mm / sm) + sm * phi(mm / sm) : std::max(mm, 0.0));
    }
    (*H)(k, k) += cv(k) * pdf0(k) * (y - cond);
  }
  *loss = 0.5 * (y * y - 2 * y * R1.dot(cv) + cv.dot(B * cv));
}

XgmErfField xgm_erf_field(double mu, double c) {
  const double v = 1 + c;
  XgmErfField out;
  out.g = std::erf(mu / std::sqrt(2 * v));
  out.dg = kSqrt2OverPi * std::exp(-0.5 * mu * mu / v) / std::sqrt(v);
  out.ddg = -mu / v * out.dg;
  return out;
}

XgmErfPair xgm_erf_pair(double mu_a, double mu_b, double c_aa, double c_ab, double c_bb) {
  // g = 2 Phi - 1 and E[Phi(a) Phi(b)] = P[X_a < a, X_b < b] with X independent standard normals.
  const double va = 1 + c_aa, vb = 1 + c_bb, ha = mu_a / std::sqrt(va), hb = mu_b / std::sqrt(vb);
  XgmErfPair out;
  out.gg = 4 * xgm_bvn_cdf(ha, hb, c_ab / std::sqrt(va * vb)) - 2 * Phi(ha) - 2 * Phi(hb) + 1;
  // E[exp(-(a^2 + b^2)/2)] = det(I + C)^(-1/2) exp(-mu^T (I + C)^(-1) mu / 2).
  const double det = va * vb - c_ab * c_ab;
  const double quad = (vb * mu_a * mu_a - 2 * c_ab * mu_a * mu_b + va * mu_b * mu_b) / det;
  out.dd = (2 / kPi) * std::exp(-0.5 * quad) / std::sqrt(det);
  erf_tilted(mu_a, mu_b, c_aa, c_ab, c_bb, &out.gda, &out.gdda);
  erf_tilted(mu_b, mu_a, c_bb, c_ab, c_aa, &out.gdb, &out.gddb);
  return out;
}

void xgm_erf_square_closed(const Eigen::VectorXd& mu, const Eigen::MatrixXd& C, const Eigen::VectorXd& cv, double y,
                           Eigen::VectorXd* EG, Eigen::MatrixXd* H, Eigen::VectorXd* eg, double* loss) {
  const int K = int(mu.size());
  Eigen::VectorXd Eg(K), Edg(K), Eddg(K);
  for (int k = 0; k < K; ++k) {
    const XgmErfField f = xgm_erf_field(mu(k), C(k, k));
    Eg(k) = f.g;
    Edg(k) = f.dg;
    Eddg(k) = f.ddg;
  }
  // GG(m, k) = E[g_m g_k], DD(m, k) = E[g'_m g'_k], GD(m, k) = E[g_m g'_k], GDD(m, k) = E[g_m g''_k]; m = k included.
  Eigen::MatrixXd GG(K, K), DD(K, K), GD(K, K), GDD(K, K);
  for (int k = 0; k < K; ++k)
    for (int m = k; m < K; ++m) {
      const XgmErfPair pr = xgm_erf_pair(mu(k), mu(m), C(k, k), C(k, m), C(m, m));
      GG(m, k) = GG(k, m) = pr.gg;
      DD(m, k) = DD(k, m) = pr.dd;
      GD(m, k) = pr.gda;
      GDD(m, k) = pr.gdda;
      GD(k, m) = pr.gdb;
      GDD(k, m) = pr.gddb;
    }
  EG->resize(K);
  eg->resize(K);
  *H = -(cv * cv.transpose()).cwiseProduct(DD);
  for (int k = 0; k < K; ++k) {
    (*EG)(k) = cv(k) * (y * Edg(k) - GD.col(k).dot(cv));
    (*eg)(k) = y * Eg(k) - GG.col(k).dot(cv);
    (*H)(k, k) += cv(k) * (y * Eddg(k) - GDD.col(k).dot(cv));  // cv_k E[e g''_k]
  }
  *loss = 0.5 * (y * y - 2 * y * Eg.dot(cv) + cv.dot(GG * cv));
}

}  // namespace tilt
