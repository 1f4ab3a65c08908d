#include "core/models/xgm_closed.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/special_functions/owens_t.hpp>

namespace tilt {
namespace {

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kInvSqrt2Pi = 0.3989422804014327;
constexpr double kPi = 3.141592653589793;

double Phi(double x) { return 0.5 * std::erfc(-x / kSqrt2); }
double phi(double x) { return std::fabs(x) < 38.0 ? kInvSqrt2Pi * std::exp(-0.5 * x * x) : 0.0; }

// T(h, (k - rho h)/(h q)) with its limit at h = 0 (taken from h -> 0+; the jump term beta uses the same side).
double owen_term(double h, double k, double rho, double q) {
  if (h == 0) return k > 0 ? 0.25 : k < 0 ? -0.25 : 0.0;
  return boost::math::owens_t(h, (k - rho * h) / (h * q));
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

}  // namespace tilt
