// Every Gaussian expectation of the perceptron's theory against brute-force Monte Carlo (docs/models.md section 2).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>

#include "core/rng.hpp"
#include "models/perceptron/core/perceptron.hpp"
#include "models/perceptron/theory/perceptron_expectations.hpp"
#include "models/perceptron/theory/perceptron_ode.hpp"
#include "support.hpp"

namespace {

using tilt::Rng;
using tilt::Stream;
using tilt::testing::MeanSe;

double G_of(double lambda, double u) {
  return ((u > 0 ? 1.0 : -1.0) - std::erf(lambda / 2)) * std::exp(-lambda * lambda / 4) / std::sqrt(M_PI);
}

struct Case {
  double q, R, T;
  double cz_lambda, cz_u;  // covariances of an extra field z with lambda and u (Var z = 1)
};

void PrintTo(const Case& c, std::ostream* os) { *os << "q=" << c.q << " R=" << c.R << " T=" << c.T; }

class PerceptronStein : public ::testing::TestWithParam<Case> {};

// <G z> = Cov(z,lambda) <dG/dlambda> + Cov(z,u) <dG/du> for z = lambda, u and an independent-ish third field,
// and <G^2>, each within 5 standard errors of 2e6 samples.
TEST_P(PerceptronStein, ExpectationsMatchMonteCarlo) {
  const Case c = GetParam();
  Eigen::Matrix3d cov;
  cov << c.q, c.R, c.cz_lambda, c.R, c.T, c.cz_u, c.cz_lambda, c.cz_u, 1.0;
  const Eigen::Matrix3d L = cov.llt().matrixL();
  tilt::PerceptronExpectations e;
  ASSERT_TRUE(tilt::perceptron_expectations(c.q, c.R, c.T, &e));

  Rng rng(2024, Stream::SgdSamples);
  MeanSe g_lambda, g_u, g_z, g2;
  for (int i = 0; i < 2000000; ++i) {
    const Eigen::Vector3d x = L * Eigen::Vector3d(rng.normal(), rng.normal(), rng.normal());
    const double G = G_of(x[0], x[1]);
    g_lambda.add(G * x[0]);
    g_u.add(G * x[1]);
    g_z.add(G * x[2]);
    g2.add(G * G);
  }
  EXPECT_NEAR(g_lambda.mean(), c.q * e.dG_dlambda + c.R * e.dG_du, 5 * g_lambda.se());
  EXPECT_NEAR(g_u.mean(), c.R * e.dG_dlambda + c.T * e.dG_du, 5 * g_u.se());
  EXPECT_NEAR(g_z.mean(), c.cz_lambda * e.dG_dlambda + c.cz_u * e.dG_du, 5 * g_z.se());
  EXPECT_NEAR(g2.mean(), e.G2, 5 * g2.se());
}

INSTANTIATE_TEST_SUITE_P(States, PerceptronStein,
                         ::testing::Values(Case{2.0, 0.0, 2.0, 0.3, 0.2},      // the initial state
                                           Case{1.7, 0.6, 2.0, 0.4, -0.3},     // early learning
                                           Case{9.0, 3.9, 2.0, 0.5, 0.6},      // well aligned, large norm
                                           Case{0.4, -0.5, 1.0, -0.2, 0.1}));  // anti-aligned, small norm

// The test error and test loss formulas of models/perceptron/core/perceptron.cpp.
TEST(PerceptronObservables, ErrorAndLossMatchMonteCarlo) {
  const double T = 2.0, Q_r = 3.0, Q_i = 0.8, R = 1.9, delta = 1.5;
  const double q = Q_r + delta * Q_i;
  Eigen::Matrix2d cov;
  cov << q, R, R, T;
  const Eigen::Matrix2d L = cov.llt().matrixL();
  Rng rng(5, Stream::SgdSamples);
  MeanSe error, loss;
  for (int i = 0; i < 2000000; ++i) {
    const Eigen::Vector2d x = L * Eigen::Vector2d(rng.normal(), rng.normal());
    const double y = x[1] > 0 ? 1 : -1;
    error.add((x[0] > 0 ? 1 : -1) != y);
    loss.add(0.5 * std::pow(y - std::erf(x[0] / 2), 2));
  }
  EXPECT_NEAR(error.mean(), tilt::perceptron_error(T, Q_r, Q_i, R, delta), 5 * error.se());
  EXPECT_NEAR(loss.mean(), tilt::perceptron_loss(T, Q_r, Q_i, R, delta), 5 * loss.se());
}

// The whole right-hand side, consolidation included, against the Monte Carlo mean of the per-sample update
// (times N) at fixed weights: small explicit vectors define the order parameters, fresh inputs give the fields.
TEST(PerceptronOde, RightHandSideMatchesMonteCarloOfTheSgdUpdate) {
  tilt::PerceptronParams p{};
  p.T = 0;  // set from the teacher below
  p.rho_r = 1.0;
  p.rho_i = 0.7;
  p.l2 = 0.1;
  p.coupling = 0.7;
  p.eta = 1.5;
  const double delta = 1.3;
  Rng pick(99, Stream::InitialWeights);
  auto vec = [&](int n, double s) {
    Eigen::VectorXd v(n);
    for (auto& x : v) x = s * pick.normal();
    return v;
  };
  const Eigen::VectorXd teacher = vec(3, 0.8), w_r = vec(3, 0.7), w1_r = vec(3, 0.6), w_i = vec(2, 0.5),
                        w1_i = vec(2, 0.6);
  p.T = teacher.squaredNorm();
  const tilt::PerceptronOverlaps o{w_r.squaredNorm(), w_i.squaredNorm(),  w_r.dot(teacher),   w_r.dot(w1_r),
                                   w_i.dot(w1_i),     w1_r.squaredNorm(), w1_i.squaredNorm(), w1_r.dot(teacher)};
  const tilt::PerceptronOde ode(p);
  const std::vector<double> y = tilt::PerceptronOde::state_of(o);
  std::vector<double> rhs(y.size());
  ASSERT_TRUE(ode.rhs(delta, /*phase=*/1, y.data(), rhs.data()));

  const double eta = p.eta, gamma = p.coupling, l2 = p.l2;
  Rng rng(7, Stream::SgdSamples);
  std::vector<MeanSe> m(5);
  for (int i = 0; i < 2000000; ++i) {
    const Eigen::VectorXd x_r = Eigen::Vector3d(rng.normal(), rng.normal(), rng.normal());
    const Eigen::VectorXd x_i = std::sqrt(delta) * Eigen::Vector2d(rng.normal(), rng.normal());
    const double l_r = w_r.dot(x_r), l_i = w_i.dot(x_i), u = teacher.dot(x_r);
    const double G = G_of(l_r + l_i, u);
    // N * (change of each order parameter in one step), |x|^2/N replaced by its mean rho (docs/models.md section 0).
    m[0].add(2 * eta * G * l_r + eta * eta * G * G * p.rho_r - 2 * eta * l2 * o.Q_r -
             2 * eta * gamma * (o.Q_r - o.C_r));
    m[1].add(2 * eta * G * l_i + eta * eta * G * G * p.rho_i * delta - 2 * eta * l2 * o.Q_i -
             2 * eta * gamma * (o.Q_i - o.C_i));
    m[2].add(eta * G * u - eta * l2 * o.R - eta * gamma * (o.R - o.R1));
    m[3].add(eta * G * w1_r.dot(x_r) - eta * l2 * o.C_r - eta * gamma * (o.C_r - o.Q1_r));
    m[4].add(eta * G * w1_i.dot(x_i) - eta * l2 * o.C_i - eta * gamma * (o.C_i - o.Q1_i));
  }
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(m[k].mean(), rhs[k], 5 * m[k].se()) << "component " << k;
  EXPECT_EQ(rhs[5], 0.0);
  EXPECT_EQ(rhs[6], 0.0);
  EXPECT_EQ(rhs[7], 0.0);
}

// The closed forms agree with the ODE as written in docs/models.md (a second, independent transcription).
TEST(PerceptronOde, AgreesWithTheSpecFormulas) {
  tilt::PerceptronParams p{};
  p.T = 2.0, p.rho_r = 1.0, p.rho_i = 1.0, p.eta = 3.0;
  const tilt::PerceptronOde ode(p);
  const double Q_r = 2.3, Q_i = 0.9, R = 1.1, delta = 2.0, eta = 3.0, T = 2.0;
  const std::vector<double> y{Q_r, Q_i, R, Q_r, Q_i, Q_r, Q_i, R};
  std::vector<double> d(8);
  ASSERT_TRUE(ode.rhs(delta, 0, y.data(), d.data()));
  const double q = Q_r + delta * Q_i, A = std::sqrt((2 + q) * T - R * R), B = std::asin(q / (2 + 3 * q));
  const double C = std::asin(R / std::sqrt((2 + 3 * q) * ((1 + q) * T - R * R)));
  const double Phi = 2 / (M_PI * M_PI * std::sqrt(1 + q)) * (M_PI / 2 + B - 2 * C);
  EXPECT_NEAR(d[2], 2 * eta / (M_PI * (2 + q)) * (A - R / std::sqrt(1 + q)), 1e-14);
  EXPECT_NEAR(d[0], 4 * eta / (M_PI * (2 + q)) * ((2 + delta * Q_i) * R / A - Q_r / std::sqrt(1 + q)) + eta * eta * Phi,
              1e-13);
  EXPECT_NEAR(d[1],
              -4 * eta * delta * Q_i / (M_PI * (2 + q)) * (1 / std::sqrt(1 + q) + R / A) + eta * eta * delta * Phi,
              1e-13);
}

}  // namespace
