// The error estimates of the xgm expectations (models/xgm/core/xgm_gauss.hpp) against brute-force Monte Carlo with
// 10^7 samples per cluster at stress states (|r| of 1.2 and 2.5, irrelevant correlations 0.95-0.99, Delta = 0.7,
// large read-out). The reference is written here, independently of the production kernels: it samples the inputs
// of each cluster (xi, z standard normal), forms the fields, and averages the per-sample quantities directly.
// Every line average must lie within 4.5 combined standard errors (the Monte Carlo's and the method's own
// estimate), so an error estimate that is too small fails; and the estimates must be honest, not huge.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <Eigen/Cholesky>

#include "core/config.hpp"
#include "core/rng.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/core/xgm_gauss.hpp"
#include "xgm_stress_state.hpp"

namespace {

using namespace tilt;

XgmParams params(const std::string& activation, const std::string& loss, int lines, double tol = 1e-4) {
  const Config c = Config::from_text(
      "model = \"xgm\"\n", {"xgm.activation=" + activation, "xgm.loss=" + loss, "xgm.K=4", "xgm.sigma=0.3",
                            "xgm.lines=" + std::to_string(lines), "xgm.observable_tol=" + std::to_string(tol)});
  XgmParams p = XgmParams::from_config(c);
  p.rhs_error_estimates = true;  // the right-hand side's lines in 8 replicates, with error estimates
  return p;
}

// Units at random angles with |r_k| = rn, Qp = 0.8 ((1 - rho) I + rho 1 1^T), read-out +-vs (1 + jitter).
XgmOverlaps stress_state(double rn, double rho, double vs, unsigned seed) {
  return xgm_stress_state(rn, rho, vs, 0.8, seed, false);
}

// The per-sample quantities, written out here for each activation and loss.
double act(const std::string& a, double x) {
  if (a == "relu") return x > 0 ? x : 0;
  if (a == "erf") return std::erf(x / std::sqrt(2.0));
  return std::tanh(x);
}
double act_slope(const std::string& a, double x) {
  if (a == "relu") return x > 0 ? 1 : 0;
  if (a == "erf") return std::sqrt(2 / M_PI) * std::exp(-0.5 * x * x);
  const double t = std::tanh(x);
  return 1 - t * t;
}

// Mean and standard error of every component (dr, Gz, GG, eg, eps, loss; the order of flat() below) over the
// mixture, `samples` per cluster, in blocks (fields by one matrix product per block). With `rates`, then also the
// irrelevant overlaps' rates at eta = 1 without decay, dQperp_kl/dt = sqrt(Delta) (G_k zeta_l + G_l zeta_k) +
// Delta G_k G_l per sample (zeta = L z the irrelevant fields), k <= l in row order.
void brute_force(const XgmParams& p, const std::string& a, const std::string& loss, const XgmOverlaps& o, double delta,
                 long long samples, std::vector<double>* mean, std::vector<double>* se, bool rates = false) {
  const int K = p.K, D = p.D, n = K * D + 2 * K * K + K + 2 + (rates ? K * (K + 1) / 2 : 0);
  const Eigen::MatrixXd L = Eigen::LLT<Eigen::MatrixXd>(o.Qp).matrixL();
  Eigen::MatrixXd A(K, D + K);
  A << p.sigma * o.r, std::sqrt(delta) * L;
  mean->assign(n, 0.0);
  se->assign(n, 0.0);
  Rng rng(20261130, Stream::Validation, 1);
  constexpr int kBlock = 4096;
  Eigen::MatrixXd U(D + K, kBlock), Lam(K, kBlock);
  for (const auto& c : p.clusters) {
    const Eigen::VectorXd mu = o.r * c.centre;
    std::vector<double> s1(n, 0.0), s2(n, 0.0), x(n);
    for (long long done = 0; done < samples; done += kBlock) {
      for (int j = 0; j < kBlock; ++j)
        for (int i = 0; i < D + K; ++i) U(i, j) = rng.normal();
      Lam.noalias() = A * U;
      Lam.colwise() += mu;
      for (int j = 0; j < kBlock; ++j) {
        double f = 0, g[4], dg[4];
        for (int k = 0; k < K; ++k) {
          g[k] = act(a, Lam(k, j));
          dg[k] = act_slope(a, Lam(k, j));
          f += p.cK * o.v(k) * g[k];
        }
        const double y = c.label;
        const double e = loss == "square" ? y - f : y / (1 + std::exp(y * f));
        const double l = loss == "square" ? 0.5 * (y - f) * (y - f) : std::log1p(std::exp(-y * f));
        double G[4];
        for (int k = 0; k < K; ++k) G[k] = e * p.cK * o.v(k) * dg[k];
        int i = 0;
        for (int b = 0; b < D; ++b)
          for (int k = 0; k < K; ++k) x[i++] = G[k] * (c.centre(b) + p.sigma * U(b, j));
        for (int b = 0; b < K; ++b)
          for (int k = 0; k < K; ++k) x[i++] = G[k] * U(D + b, j);
        for (int m = 0; m < K; ++m)
          for (int k = 0; k < K; ++k) x[i++] = G[k] * G[m];
        for (int k = 0; k < K; ++k) x[i++] = e * g[k];
        x[i++] = y * f <= 0 ? 1.0 : 0.0;
        x[i++] = l;
        if (rates) {
          const Eigen::VectorXd zeta = L * U.col(j).tail(K);
          for (int k = 0; k < K; ++k)
            for (int m = k; m < K; ++m)
              x[i++] = std::sqrt(delta) * (G[k] * zeta(m) + G[m] * zeta(k)) + delta * G[k] * G[m];
        }
        for (int q = 0; q < n; ++q) {
          s1[q] += x[q];
          s2[q] += x[q] * x[q];
        }
      }
    }
    const double S = double((samples + kBlock - 1) / kBlock * kBlock);
    for (int q = 0; q < n; ++q) {
      const double m = s1[q] / S, var = (s2[q] / S - m * m) * S / (S - 1);
      (*mean)[q] += c.p * m;
      (*se)[q] += c.p * c.p * var / S;
    }
  }
  for (double& s : *se) s = std::sqrt(s);
}

std::vector<double> flat(const Eigen::MatrixXd& dr, const Eigen::MatrixXd& Gz, const Eigen::MatrixXd& GG,
                         const Eigen::VectorXd& eg, double eps, double loss) {
  std::vector<double> x(dr.data(), dr.data() + dr.size());
  x.insert(x.end(), Gz.data(), Gz.data() + Gz.size());
  x.insert(x.end(), GG.data(), GG.data() + GG.size());
  x.insert(x.end(), eg.data(), eg.data() + eg.size());
  x.push_back(eps);
  x.push_back(loss);
  return x;
}

struct Stress {
  std::string activation, loss;
  double rn, rho, vs;
  unsigned seed;
  int lines;
};

void PrintTo(const Stress& s, std::ostream* os) {
  *os << s.activation << "/" << s.loss << " |r| " << s.rn << " rho " << s.rho << " v " << s.vs;
}

class XgmAccuracy : public ::testing::TestWithParam<Stress> {};

// Every component within 4.5 combined standard errors of the 10^7-sample reference, where the combination is
// the Monte Carlo standard error and the method's own error estimate; the printed z's show the estimates at work.
TEST_P(XgmAccuracy, ErrorEstimatesCoverBruteForceMonteCarlo) {
  const Stress s = GetParam();
  const XgmParams p = params(s.activation, s.loss, s.lines);
  const XgmOverlaps o = stress_state(s.rn, s.rho, s.vs, s.seed);
  const double delta = 0.7;
  XgmMoments m;
  ASSERT_TRUE(XgmGauss(p).expect(o, delta, XgmExpectations::RhsAndObservables, &m));
  std::vector<double> mc, mc_se;
  brute_force(p, s.activation, s.loss, o, delta, 10'000'000, &mc, &mc_se);
  const auto x = flat(m.dr, m.Gz, m.GG, m.eg, m.eps, m.loss);
  const auto err = flat(m.dr_err, m.Gz_err, m.GG_err, m.eg_err, m.eps_err, m.loss_err);
  double worst = 0, worst_mc = 0, largest_err = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double z = std::fabs(x[i] - mc[i]) / std::hypot(mc_se[i], err[i]);
    EXPECT_LE(z, 4.5) << "component " << i << ": method " << x[i] << " +- " << err[i] << ", Monte Carlo " << mc[i]
                      << " +- " << mc_se[i];
    worst = std::max(worst, z);
    if (mc_se[i] > 0) worst_mc = std::max(worst_mc, std::fabs(x[i] - mc[i]) / mc_se[i]);
    largest_err = std::max(largest_err, err[i]);
  }
  // The eta^2 term's estimate at these line counts is small enough to be useful (below 0.5% of its largest
  // entry), and eps meets its tolerance.
  EXPECT_LE(m.GG_err.maxCoeff(), 5e-3 * m.GG.cwiseAbs().maxCoeff());
  EXPECT_LE(2 * m.eps_err, p.observable_tol);
  std::printf(
      "[ %s/%s |r| %.1f rho %.2f v %.1f, %d lines ] max |method - MC| / combined se = %.2f (/ se_MC alone: "
      "%.2f); largest error estimate %.2g; eps %.6f +- %.1g on %d lines\n",
      s.activation.c_str(), s.loss.c_str(), s.rn, s.rho, s.vs, p.lines, worst, worst_mc, largest_err, m.eps, m.eps_err,
      m.observable_lines);
}

INSTANTIATE_TEST_SUITE_P(Xgm, XgmAccuracy,
                         ::testing::Values(Stress{"relu", "square", 1.2, 0.9, 2.0, 7, 1024},
                                           Stress{"relu", "square", 2.5, 0.95, 1.0, 3, 1024},
                                           Stress{"relu", "square", 1.2, 0.99, 1.0, 7, 256},
                                           Stress{"erf", "square", 1.2, 0.9, 1.0, 7, 1024},
                                           Stress{"erf", "square", 2.5, 0.95, 2.0, 3, 1024},
                                           Stress{"tanh", "square", 1.2, 0.9, 1.0, 7, 1024},
                                           Stress{"relu", "logistic", 1.2, 0.9, 2.0, 7, 1024}),
                         [](const auto& info) {
                           const Stress& s = info.param;
                           return s.activation + "_" + s.loss + "_r" + std::to_string(int(10 * s.rn)) + "_v" +
                                  std::to_string(int(s.vs)) + "_rho" + std::to_string(int(100 * s.rho));
                         });

// The check above can fail: with too few lines and the error estimate withheld, the same comparison rejects the
// eta^2 term (so the 4.5-sigma test has power at this state); with the estimate it passes.
TEST(XgmAccuracyPower, WithoutTheErrorEstimateFewLinesAreRejected) {
  const XgmParams p = params("relu", "square", 32);
  const XgmOverlaps o = stress_state(1.2, 0.9, 2.0, 7);
  XgmMoments m;
  ASSERT_TRUE(XgmGauss(p).expect(o, 0.7, XgmExpectations::Rhs, &m));
  std::vector<double> mc, mc_se;
  brute_force(p, "relu", "square", o, 0.7, 2'000'000, &mc, &mc_se);
  const int gg0 = 2 * 4 + 16;  // GG's place in flat()
  double worst_without = 0, worst_with = 0;
  for (int i = 0; i < 16; ++i) {
    const double d = std::fabs(m.GG.data()[i] - mc[std::size_t(gg0 + i)]);
    worst_without = std::max(worst_without, d / mc_se[std::size_t(gg0 + i)]);
    worst_with = std::max(worst_with, d / std::hypot(mc_se[std::size_t(gg0 + i)], m.GG_err.data()[i]));
  }
  std::printf("32 lines: max |GG - MC| / se_MC = %.1f, / combined se = %.2f\n", worst_without, worst_with);
  EXPECT_GT(worst_without, 4.5);
  EXPECT_LE(worst_with, 4.5);
}

// ---------------------------------------------------------------------------------------------------------------
// The quadrature along the lines (issue 10, point 5): erf with the logistic loss and a large read-out makes
// e = y / (1 + exp(y f)) a steep step along each line, which 16 Gauss-Hermite nodes resolve poorly. At this stress
// state (K = 4, |r_k| 1-2.5, Qperp = 2 (0.01 I + 0.99 1 1^T), Delta = 1, read-out +-20 (1 + 0.3 N(0,1)), c_K = 1/2)
// the default 16 nodes put the irrelevant overlaps' rates several percent off the 10^7-sample reference; the line
// averages' error estimate (replicates) alone does not cover that, the quadrature's estimate (the change to 32
// nodes) does.

// dQperp/dt at eta = 1 without decay from the moments, k <= l in row order, and its error from per-quantity errors
// of Gz and GG (independent errors in quadrature).
void qperp_rates(const XgmMoments& m, const Eigen::MatrixXd& Gz_err, const Eigen::MatrixXd& GG_err, double delta,
                 std::vector<double>* rate, std::vector<double>* err) {
  const int K = int(m.GG.rows());
  const Eigen::MatrixXd Y = std::sqrt(delta) * m.Gz * m.L.transpose();
  const Eigen::MatrixXd eY = std::sqrt(delta) * (Gz_err.cwiseAbs2() * m.L.cwiseAbs2().transpose()).cwiseSqrt();
  rate->clear();
  err->clear();
  for (int k = 0; k < K; ++k)
    for (int l = k; l < K; ++l) {
      rate->push_back(Y(k, l) + Y(l, k) + delta * m.GG(k, l));
      err->push_back(std::hypot(std::hypot(eY(k, l), eY(l, k)), delta * GG_err(k, l)));
    }
}

// sqrt(err^2 - node^2): the error estimate without the quadrature's part (the replicates' standard error).
Eigen::MatrixXd without_nodes(const Eigen::MatrixXd& err, const Eigen::MatrixXd& node) {
  return (err.cwiseAbs2() - node.cwiseAbs2()).cwiseMax(0.0).cwiseSqrt();
}

TEST(XgmNodeAccuracy, QuadratureErrorEstimateCoversBruteForceMonteCarlo) {
  XgmParams p = params("erf", "logistic", 32768);
  ASSERT_EQ(p.nodes, 16);  // the default (xgm.nodes = 0 starts the automatic choice here)
  const XgmOverlaps o = xgm_stress_state(2.5, 0.99, 20.0, 2.0, 3, true);
  const double delta = 1.0;
  XgmMoments m;
  ASSERT_TRUE(XgmGauss(p).expect(o, delta, XgmExpectations::Rhs, &m));
  std::vector<double> mc, mc_se;
  brute_force(p, "erf", "logistic", o, delta, 10'000'000, &mc, &mc_se, true);
  // Every line average (dr, Gz, GG, eg) within 4.5 combined standard errors.
  const auto x = flat(m.dr, m.Gz, m.GG, m.eg, 0, 0), err = flat(m.dr_err, m.Gz_err, m.GG_err, m.eg_err, 0, 0);
  double worst = 0;
  for (std::size_t i = 0; i + 2 < x.size(); ++i) {
    const double z = std::fabs(x[i] - mc[i]) / std::hypot(mc_se[i], err[i]);
    EXPECT_LE(z, 4.5) << "component " << i << ": method " << x[i] << " +- " << err[i] << ", Monte Carlo " << mc[i]
                      << " +- " << mc_se[i];
    worst = std::max(worst, z);
  }
  // The rates dQperp_kl/dt: with the quadrature's estimate within 4.5 combined standard errors; with the
  // replicates' estimate alone (the estimate before issue 10's point 5) at least one is rejected.
  std::vector<double> rate, rate_err, rate_err_lines;
  qperp_rates(m, m.Gz_err, m.GG_err, delta, &rate, &rate_err);
  qperp_rates(m, without_nodes(m.Gz_err, m.Gz_node), without_nodes(m.GG_err, m.GG_node), delta, &rate, &rate_err_lines);
  const std::size_t q0 = x.size();  // the rates follow the flat() components in the reference
  double worst_with = 0, worst_without = 0, worst_rel = 0, worst_mc = 0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < rate.size(); ++i) {
    const double d = std::fabs(rate[i] - mc[q0 + i]), s = mc_se[q0 + i];
    const double with = d / std::hypot(s, rate_err[i]), without = d / std::hypot(s, rate_err_lines[i]);
    EXPECT_LE(with, 4.5) << "rate " << i << ": method " << rate[i] << " +- " << rate_err[i] << " (lines alone "
                         << rate_err_lines[i] << "), Monte Carlo " << mc[q0 + i] << " +- " << s;
    worst_with = std::max(worst_with, with);
    worst_without = std::max(worst_without, without);
    if (d / std::fabs(mc[q0 + i]) > worst_rel) {
      worst_rel = d / std::fabs(mc[q0 + i]);
      worst_mc = d / s;
      at = i;
    }
  }
  EXPECT_GT(worst_without, 4.5);
  // What the issue measured: one rate several percent off at 16 nodes.
  EXPECT_GT(worst_rel, 0.02);
  std::printf(
      "[ erf/logistic stress state, 16 nodes, 32768 lines ] line averages: max z = %.2f; dQperp/dt: max z with the "
      "quadrature's estimate %.2f, without %.2f; worst rate %zu: %.5g against Monte Carlo %.5g +- %.2g (%.1f%% off, "
      "%.1f se_MC), its estimate %.2g (lines alone %.2g); max GG_node %.3g, GG_err %.3g\n",
      worst, worst_with, worst_without, at, rate[at], mc[q0 + at], mc_se[q0 + at], 100 * worst_rel, worst_mc,
      rate_err[at], rate_err_lines[at], m.GG_node.maxCoeff(), m.GG_err.maxCoeff());
}

}  // namespace
