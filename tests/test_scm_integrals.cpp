// The soft committee machine's Gaussian expectations (models/scm/theory/scm_integrals.hpp) against independent
// high-accuracy quadrature: Gauss-Hermite for erf (Gaussian factors integrated exactly), semi-analytic adaptive
// Gauss-Kronrod for relu, exact orthant probabilities and Monte Carlo for the relu 4-field reduction.
#include <gsl/gsl_integration.h>
#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <functional>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/LU>

#include "core/rng.hpp"
#include "models/scm/theory/scm_integrals.hpp"
#include "support.hpp"

namespace {

using tilt::ScmActivation;
namespace scm = tilt::scm;

double g_erf(double x) { return std::erf(x / std::sqrt(2.0)); }
double dg_erf(double x) { return std::sqrt(2 / M_PI) * std::exp(-0.5 * x * x); }

// Gauss-Hermite rule for E over z ~ N(0, 1): nodes sqrt(2) x_i, weights w_i / sqrt(pi) (GSL, weight exp(-x^2)).
struct Hermite {
  std::vector<double> z, w;
  explicit Hermite(int n) {
    gsl_integration_fixed_workspace* ws =
        gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, std::size_t(n), 0, 1, 0, 0);
    for (int i = 0; i < n; ++i) {
      z.push_back(std::sqrt(2.0) * ws->x[i]);
      w.push_back(ws->weights[i] / std::sqrt(M_PI));
    }
    gsl_integration_fixed_free(ws);
  }
};

// E[f(x)] for x ~ N(0, C), dimension m <= 4, by an m-fold tensor Gauss-Hermite rule on x = L z.
double hermite_expectation(const Eigen::MatrixXd& C, const std::function<double(const double*)>& f, int n) {
  const Hermite h(n);
  const int m = int(C.rows());
  const Eigen::MatrixXd L = Eigen::LLT<Eigen::MatrixXd>(C).matrixL();
  long long total = 1;
  for (int a = 0; a < m; ++a) total *= n;
  double sum = 0;
  std::vector<int> idx(std::size_t(m), 0);
  double x[4];
  for (long long it = 0; it < total; ++it) {
    long long rest = it;
    double w = 1;
    for (int a = 0; a < m; ++a) {
      idx[std::size_t(a)] = int(rest % n);
      rest /= n;
      w *= h.w[std::size_t(idx[std::size_t(a)])];
    }
    for (int a = 0; a < m; ++a) {
      x[a] = 0;
      for (int b = 0; b <= a; ++b) x[a] += L(a, b) * h.z[std::size_t(idx[std::size_t(b)])];
    }
    sum += w * f(x);
  }
  return sum;
}

// Moments of c_+ given a: c | a ~ N(mu, s^2); E[theta(c)], E[c_+], E[c_+^2] (= E[c c_+]) in closed form.
struct ReluMoments {
  double m0, m1, m2;
};

// E[theta(a) h(a, c)] for (a, c) ~ N(0, [[caa, cac], [cac, ccc]]), h(a, .) a combination of theta, relu, relu^2
// given by their conditional moments: the inner integral is done exactly, the outer (over a > 0, smooth there)
// by adaptive Gauss-Kronrod to 1e-14. Independent of the formulas under test.
double relu_pair_quadrature(double caa, double cac, double ccc,
                            const std::function<double(double, const ReluMoments&)>& h) {
  using boost::math::quadrature::gauss_kronrod;
  const double sa = std::sqrt(caa), beta = cac / caa, s = std::sqrt(ccc - cac * cac / caa);
  const double inf = std::numeric_limits<double>::infinity();
  auto outer = [&](double z) {
    const double a = sa * z, mu = beta * a, u = mu / s;
    const double Phi = 0.5 * std::erfc(-u / std::sqrt(2.0)), phi = std::exp(-0.5 * u * u) / std::sqrt(2 * M_PI);
    const ReluMoments m{Phi, mu * Phi + s * phi, (mu * mu + s * s) * Phi + mu * s * phi};
    return std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI) * h(a, m);
  };
  return gauss_kronrod<double, 61>::integrate(outer, 0.0, inf, 12, 1e-14);
}

// E[exp(-x^T D x / 2) f(x_2)] for x ~ N(0, C) with D = diag(tilt on the first `t` fields): the Gaussian factor is
// integrated exactly (x stays Gaussian with covariance (C^-1 + D)^-1, times 1/sqrt(det(I + C D))) and the last
// two fields by a 2-d Gauss-Hermite rule of 120 points per axis.
double tilted_expectation(const Eigen::MatrixXd& C, int t, const std::function<double(const double*)>& f) {
  const int m = int(C.rows());
  Eigen::MatrixXd D = Eigen::MatrixXd::Zero(m, m);
  for (int a = 0; a < t; ++a) D(a, a) = 1;
  const Eigen::MatrixXd I = Eigen::MatrixXd::Identity(m, m);
  const Eigen::MatrixXd Ct = C * (I + D * C).inverse();  // (C^-1 + D)^-1 without inverting C
  const double norm = 1 / std::sqrt((I + C * D).determinant());
  const Eigen::MatrixXd rest = Ct.bottomRightCorner(2, 2);
  return norm * hermite_expectation(rest, f, 120);
}

// Covariances to test on: unspecialised, specialised (correlation 0.97), large variances, mixed signs.
std::vector<Eigen::Matrix4d> covariances() {
  std::vector<Eigen::Matrix4d> out;
  Eigen::Matrix4d C;
  C << 1.0, 0.3, 0.2, -0.1, 0.3, 0.8, 0.4, 0.25, 0.2, 0.4, 1.0, 0.0, -0.1, 0.25, 0.0, 1.0;
  out.push_back(C);
  C << 1.0, 0.05, 0.97, 0.02, 0.05, 1.1, 0.03, 0.99, 0.97, 0.03, 1.0, 0.0, 0.02, 0.99, 0.0, 1.0;
  out.push_back(C);
  C << 3.0, -1.2, 1.5, 0.7, -1.2, 2.5, -0.9, 1.1, 1.5, -0.9, 2.0, 0.3, 0.7, 1.1, 0.3, 1.5;
  out.push_back(C);
  C << 0.05, 0.01, 0.02, -0.03, 0.01, 0.04, 0.0, 0.01, 0.02, 0.0, 1.0, 0.5, -0.03, 0.01, 0.5, 1.0;
  out.push_back(C);
  for (const auto& c : out) EXPECT_EQ(Eigen::LLT<Eigen::MatrixXd>(c).info(), Eigen::Success);
  return out;
}

TEST(ScmIntegrals, ErfClosedFormsMatchGaussHermiteTo1e12) {
  double worst2 = 0, worst3 = 0, worst4 = 0, worstJ = 0;
  for (const Eigen::Matrix4d& C : covariances()) {
    const Eigen::Matrix2d C2 = C.topLeftCorner<2, 2>();
    const double i2 = hermite_expectation(
        C2, [](const double* x) { return g_erf(x[0]) * g_erf(x[1]); }, 80);
    worst2 = std::max(worst2, std::fabs(i2 - scm::E_g_g(ScmActivation::Erf, C(0, 0), C(0, 1), C(1, 1))));
    const double j2 = hermite_expectation(
        C2, [](const double* x) { return dg_erf(x[0]) * dg_erf(x[1]); }, 80);
    worstJ = std::max(worstJ, std::fabs(j2 - scm::E_dg_dg(ScmActivation::Erf, C(0, 0), C(0, 1), C(1, 1))));
    // g'(a) = sqrt(2/pi) exp(-a^2/2) is a Gaussian factor: integrate it exactly, the rest by quadrature.
    const Eigen::Matrix3d C3 = C.topLeftCorner<3, 3>();
    const double i3 =
        std::sqrt(2 / M_PI) * tilted_expectation(C3, 1, [](const double* x) { return x[0] * g_erf(x[1]); });
    worst3 = std::max(worst3, std::fabs(i3 - scm::E_dg_x_g(ScmActivation::Erf, C3)));
    const double i4 = (2 / M_PI) * tilted_expectation(C, 2, [](const double* x) { return g_erf(x[0]) * g_erf(x[1]); });
    worst4 = std::max(worst4, std::fabs(i4 - scm::E_dg_dg_g_g(ScmActivation::Erf, C)));
  }
  std::printf(
      "[erf closed forms vs Gauss-Hermite (Gaussian factors exact)] max |diff|: E_g_g %.2e, E_dg_dg %.2e, E_dg_x_g "
      "%.2e, E_dg_dg_g_g %.2e\n",
      worst2, worstJ, worst3, worst4);
  EXPECT_LT(worst2, 1e-12);
  EXPECT_LT(worstJ, 1e-12);
  EXPECT_LT(worst3, 1e-12);
  EXPECT_LT(worst4, 1e-12);
}

double relu(double x) { return x > 0 ? x : 0.0; }
double step(double x) { return x > 0 ? 1.0 : 0.0; }

TEST(ScmIntegrals, ReluClosedFormsMatchAdaptiveQuadratureTo1e12) {
  double worst2 = 0, worst3 = 0, worstJ = 0;
  for (const Eigen::Matrix4d& C : covariances()) {
    const double i2 =
        relu_pair_quadrature(C(0, 0), C(0, 1), C(1, 1), [](double a, const ReluMoments& m) { return a * m.m1; });
    worst2 = std::max(worst2, std::fabs(i2 - scm::E_g_g(ScmActivation::Relu, C(0, 0), C(0, 1), C(1, 1))));
    const double j2 =
        relu_pair_quadrature(C(0, 0), C(0, 1), C(1, 1), [](double, const ReluMoments& m) { return m.m0; });
    worstJ = std::max(worstJ, std::fabs(j2 - scm::E_dg_dg(ScmActivation::Relu, C(0, 0), C(0, 1), C(1, 1))));
    // E[theta(a) b relu(c)] = E[theta(a) E[b | a, c] relu(c)], E[b | a, c] = beta_a a + beta_c c.
    const Eigen::Matrix3d C3 = C.topLeftCorner<3, 3>();
    Eigen::Matrix2d S;
    S << C3(0, 0), C3(0, 2), C3(0, 2), C3(2, 2);
    const Eigen::Vector2d beta = S.inverse() * Eigen::Vector2d(C3(0, 1), C3(1, 2));
    const double i3 = relu_pair_quadrature(C3(0, 0), C3(0, 2), C3(2, 2), [&](double a, const ReluMoments& m) {
      return beta[0] * a * m.m1 + beta[1] * m.m2;
    });
    worst3 = std::max(worst3, std::fabs(i3 - scm::E_dg_x_g(ScmActivation::Relu, C3)));
  }
  std::printf(
      "[relu closed forms vs semi-analytic adaptive quadrature] max |diff|: E_g_g %.2e, E_dg_dg %.2e, E_dg_x_g %.2e\n",
      worst2, worstJ, worst3);
  EXPECT_LT(worst2, 1e-12);
  EXPECT_LT(worstJ, 1e-12);
  EXPECT_LT(worst3, 1e-12);
}

// Plackett's integral for the 4-field orthant probability against the cases with exact values.
TEST(ScmIntegrals, OrthantProbabilityOfFourFieldsMatchesExactValues) {
  auto equicorrelated = [](double r) {
    Eigen::Matrix<double, 4, 4, Eigen::RowMajor> C = Eigen::Matrix4d::Constant(r);
    C.diagonal().setOnes();
    return C;
  };
  // Equicorrelated r = 1/2: P = 1/5 (Steck 1962); r = 0: 1/16.
  EXPECT_NEAR(scm::orthant_probability(4, equicorrelated(0.5).data()), 0.2, 1e-12);
  EXPECT_NEAR(scm::orthant_probability(4, equicorrelated(0.0).data()), 1.0 / 16, 1e-15);
  // Two independent pairs: product of bivariate orthants; also with a strong correlation (0.999).
  for (double r : {0.3, -0.7, 0.999}) {
    Eigen::Matrix<double, 4, 4, Eigen::RowMajor> C = Eigen::Matrix4d::Identity();
    C(0, 1) = C(1, 0) = r;
    C(2, 3) = C(3, 2) = 0.4;
    const double exact = (0.25 + std::asin(r) / (2 * M_PI)) * (0.25 + std::asin(0.4) / (2 * M_PI));
    const double err = std::fabs(scm::orthant_probability(4, C.data()) - exact);
    std::printf("[orthant, pairs r = %g, 0.4] |error| = %.2e\n", r, err);
    EXPECT_LT(err, r > 0.99 ? 1e-11 : 1e-12);
  }
}

// Degenerate index patterns of the relu eta^2 term reduce to two fields: compare with adaptive quadrature.
TEST(ScmIntegrals, ReluFourFieldTermReducesExactlyWhenFieldsCoincide) {
  const double q = 1.3, r = 0.6, t = 0.9;
  Eigen::Matrix4d C;
  // (a, a, c, c): E[theta(a) c_+^2]
  C << q, q, r, r, q, q, r, r, r, r, t, t, r, r, t, t;
  const double aacc = relu_pair_quadrature(q, r, t, [](double, const ReluMoments& m) { return m.m2; });
  EXPECT_NEAR(scm::E_dg_dg_g_g(ScmActivation::Relu, C), aacc, 1e-12);
  // (a, c, a, c): E[theta(a) theta(c) a_+ c_+] = E[a_+ c_+]
  C << q, r, q, r, r, t, r, t, q, r, q, r, r, t, r, t;
  EXPECT_NEAR(scm::E_dg_dg_g_g(ScmActivation::Relu, C), scm::E_g_g(ScmActivation::Relu, q, r, t), 1e-14);
  // (a, a, a, c): E[a_+ c_+ ... ] = E[theta(a) a_+ c_+] = E[a_+ c_+]
  C << q, q, q, r, q, q, q, r, q, q, q, r, r, r, r, t;
  EXPECT_NEAR(scm::E_dg_dg_g_g(ScmActivation::Relu, C), scm::E_g_g(ScmActivation::Relu, q, r, t), 1e-14);
  // (a, -a, c, c): theta(a) theta(-a) = 0
  C << q, -q, r, r, -q, q, -r, -r, r, -r, t, t, r, -r, t, t;
  EXPECT_EQ(scm::E_dg_dg_g_g(ScmActivation::Relu, C), 0.0);
}

// The non-degenerate relu 4-field term against brute-force Monte Carlo (|diff| < 5 standard errors).
TEST(ScmIntegrals, ReluFourFieldTermMatchesMonteCarlo) {
  tilt::Rng rng(11, tilt::Stream::SgdSamples);
  for (const Eigen::Matrix4d& C : covariances()) {
    const Eigen::Matrix4d L = Eigen::LLT<Eigen::Matrix4d>(C).matrixL();
    tilt::testing::MeanSe mc;
    for (int i = 0; i < 1000000; ++i) {
      const Eigen::Vector4d z(rng.normal(), rng.normal(), rng.normal(), rng.normal());
      const Eigen::Vector4d x = L * z;
      mc.add(step(x[0]) * step(x[1]) * relu(x[2]) * relu(x[3]));
    }
    const double exact = scm::E_dg_dg_g_g(ScmActivation::Relu, C);
    EXPECT_LT(std::fabs(mc.mean() - exact), 5 * mc.se())
        << "exact " << exact << " mc " << mc.mean() << " +- " << mc.se();
  }
}

}  // namespace
