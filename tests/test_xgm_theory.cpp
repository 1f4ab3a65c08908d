// The xgm ODE: its right-hand side against the Monte Carlo mean of the exact per-sample SGD update, the
// convergence of eps(t) in the quadrature accuracy (xgm.lines), and agreement with SGD through validate.
#include <gtest/gtest.h>

#include <cmath>

#include "core/config.hpp"
#include "core/models/xgm.hpp"
#include "core/models/xgm_gauss.hpp"
#include "core/rng.hpp"
#include "theory/models/xgm_ode.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"
#include "support.hpp"

namespace {

using namespace tilt;

// d times the change of each order parameter in one SGD step from fixed weights (models.md section 0),
// averaged over samples, must equal the ODE's right-hand side up to O(1/d) (here ||x||^2/d - Delta).
TEST(XgmTheory, RhsMatchesMeanSgdUpdate) {
  const long long d = 2000;
  const Config c = Config::from_text("model = \"xgm\"\neta = 2.0\n",
                                     {"xgm.K=3", "xgm.sigma=0.4", "xgm.lines=4096", "sim.d=" + std::to_string(d)});
  const XgmParams p = XgmParams::from_config(c);
  XgmWeights w = sample_xgm_weights(p, 4);
  Rng rng(9, Stream::Teacher);
  for (int k = 0; k < p.K; ++k)
    for (int a = 0; a < p.D; ++a) w.W(k, a) = 0.8 * rng.normal();  // away from the r = 0 saddle
  const XgmOverlaps o = overlaps_of(p, w);
  const double delta = 0.8;
  XgmOde ode(p);
  const std::vector<double> y = xgm_state_of(o);
  std::vector<double> rhs(y.size());
  ASSERT_TRUE(ode.rhs(delta, 0, y.data(), rhs.data()));

  const int K = p.K, D = p.D;
  std::vector<tilt::testing::MeanSe> acc(y.size());
  Eigen::VectorXd x_rel(D), x_irr(d - D), zeta(K), lam(K), G(K);
  Rng samples(21, Stream::SgdSamples);
  for (int n = 0; n < 60000; ++n) {
    const auto& cl = p.clusters[std::size_t(samples.uniform() * 4)];
    for (int a = 0; a < D; ++a) x_rel(a) = cl.centre(a) + p.sigma * samples.normal();
    for (long long i = 0; i < d - D; ++i) x_irr(i) = std::sqrt(delta) * samples.normal();
    zeta = w.W.rightCols(d - D) * x_irr;
    lam = w.W.leftCols(D) * x_rel + zeta;
    double f = 0;
    for (int k = 0; k < K; ++k) f += p.cK * w.v(k) * xgm_g(p.activation, lam(k));
    const double e = cl.label - f, h = p.eta / double(d);
    for (int k = 0; k < K; ++k) G(k) = e * p.cK * w.v(k) * xgm_dg(p.activation, lam(k));
    std::size_t j = 0;
    for (int k = 0; k < K; ++k)
      for (int a = 0; a < D; ++a) acc[j++].add(d * h * G(k) * x_rel(a));
    for (int k = 0; k < K; ++k)
      for (int l = k; l < K; ++l)
        acc[j++].add(d * (h * (G(k) * zeta(l) + G(l) * zeta(k)) + h * h * G(k) * G(l) * x_irr.squaredNorm()));
    for (int k = 0; k < K; ++k) acc[j++].add(p.eta_v * p.cK * e * xgm_g(p.activation, lam(k)));
  }
  double worst = 0;
  for (std::size_t j = 0; j < y.size(); ++j) {
    EXPECT_NEAR(acc[j].mean(), rhs[j], 5 * acc[j].se()) << ode.state_names()[j];
    worst = std::max(worst, std::fabs(acc[j].mean() - rhs[j]) / acc[j].se());
  }
  std::printf("RHS vs mean SGD update: max |z| = %.2f over %zu components\n", worst, y.size());
}

double max_eps_shift(const std::string& base, int K, int lines_a, int lines_b) {
  auto run = [&](int lines) {
    return run_theory(Config::from_text(base, {"xgm.K=" + std::to_string(K), "xgm.lines=" + std::to_string(lines)}))
        .members[0];
  };
  const Trajectory a = run(lines_a), b = run(lines_b);
  const std::size_t j = a.column("eps");
  double shift = 0;
  for (std::size_t i = 0; i < a.rows.size(); ++i) shift = std::max(shift, std::fabs(a.rows[i][j] - b.rows[i][j]));
  return shift;
}

const char* kTenfold = R"(
model = "xgm"
seed = 2
t_max = 6.0
eta = 3.0
[curriculum]
easy = 0.1
hard = 1.0
[output]
every = 0.5
[theory]
rtol = 1e-6
atol = 1e-9
[sim]
d = 1000
[xgm]
sigma = 0.3
diagnostics = false
)";

// Raising the quadrature accuracy tenfold moves eps(t) less at the finer level than at the coarser one
// (the quadrature converges). The shifts are printed; docs/theory/xgm.md reports them against the 1e-4 goal.
TEST(XgmTheory, EpsCurveConvergesInQuadratureAccuracy) {
  for (int K : {4, 16}) {
    const int base = K == 4 ? 128 : 64;
    const double coarse = max_eps_shift(kTenfold, K, base, 10 * base);
    const double fine = max_eps_shift(kTenfold, K, 10 * base, 100 * base);
    std::printf("K = %d: max |eps shift| lines %d -> %d: %.3g;  %d -> %d: %.3g\n", K, base, 10 * base, coarse,
                10 * base, 100 * base, fine);
    EXPECT_LT(fine, coarse);
  }
}

// Theory ensemble against the SGD ensemble, member by member (each seed's ODE from its own initial overlaps),
// across the escape from r = 0 under the curriculum.
TEST(XgmTheory, AgreesWithSgdThroughTheEscape) {
  const Config config = Config::from_text(kTenfold, {"t_max=10", "output.every=1", "sim.seeds=8", "sim.same_init=false",
                                                     "xgm.lines=512"});
  const ValidationRun run = validate_experiment(config);
  EXPECT_TRUE(run.agreement.consistent) << run.agreement.table();
  EXPECT_GT(run.agreement.points, 100u);
  // The run does escape: the ensemble-mean error falls clearly below chance.
  const std::size_t j = run.theory_summary.mean.column("eps");
  EXPECT_LT(run.theory_summary.mean.rows.back()[j], run.theory_summary.mean.rows.front()[j] - 0.05);
}

}  // namespace
