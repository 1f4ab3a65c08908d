// The xgm ODE: its right-hand side against the Monte Carlo mean of the exact per-sample SGD update, the
// convergence of eps(t) in the quadrature accuracy (xgm.lines), and agreement with SGD through validate.
#include <gtest/gtest.h>

#include "validation_support.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/rng.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/core/xgm_gauss.hpp"
#include "models/xgm/theory/xgm_ode.hpp"
#include "support.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"

namespace {

using namespace tilt;

// d times the change of each order parameter in one SGD step from fixed weights (docs/models.md section 0),
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
    for (int k = 0; k < K; ++k) f += p.cK * w.v(k) * activation_g(p.activation, lam(k));
    const double e = cl.label - f, h = p.eta / double(d);
    for (int k = 0; k < K; ++k) G(k) = e * p.cK * w.v(k) * activation_dg(p.activation, lam(k));
    std::size_t j = 0;
    for (int k = 0; k < K; ++k)
      for (int a = 0; a < D; ++a) acc[j++].add(d * h * G(k) * x_rel(a));
    for (int k = 0; k < K; ++k)
      for (int l = k; l < K; ++l)
        acc[j++].add(d * (h * (G(k) * zeta(l) + G(l) * zeta(k)) + h * h * G(k) * G(l) * x_irr.squaredNorm()));
    for (int k = 0; k < K; ++k) acc[j++].add(p.eta_v * p.cK * e * activation_g(p.activation, lam(k)));
  }
  double worst = 0;
  for (std::size_t j = 0; j < y.size(); ++j) {
    EXPECT_NEAR(acc[j].mean(), rhs[j], 5 * acc[j].se()) << ode.state_names()[j];
    worst = std::max(worst, std::fabs(acc[j].mean() - rhs[j]) / acc[j].se());
  }
  std::printf("RHS vs mean SGD update: max |z| = %.2f over %zu components\n", worst, y.size());
}

// Largest |eps(t) shift| over the output times between two accuracy settings (extra overrides a and b).
double max_eps_shift(const std::string& base, int K, const std::vector<std::string>& a_set,
                     const std::vector<std::string>& b_set) {
  auto run = [&](std::vector<std::string> set) {
    set.push_back("xgm.K=" + std::to_string(K));
    return run_theory(tilt::resolve(Config::from_text(base, set))).members[0];
  };
  const Trajectory a = run(a_set), b = run(b_set);
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

// The issue's accuracy goal: at the default accuracy, raising it tenfold moves eps(t) by less than 1e-4 for K = 4
// and K = 16, across the start of the escape from r = 0. The shift has two parts, measured separately to keep
// the test short: (a) the trajectory's (xgm.lines, the eta^2 term), seen through the same observable points in
// both runs (a fixed set: xgm.observable_tol = 0); (b) the observable's (xgm.observable_tol 1e-4 -> 1e-5, with
// ten times the most lines), on the states of one trajectory. The total shift is at most (a) + (b) (up to (a) times
// the observable's relative error).
// At the saddle r = 0 the fields carry no information on the label, so the read-out only fits the output to zero
// (docs/theory/xgm.md, "The read-out at r = 0"): dv_k/dt = -eta_v c_K^2 Delta sum_l E[relu(l_k) relu(l_l)] v_l,
// E over (l_k, l_l) ~ N(0, Delta Qperp), and r = 0 stays fixed. The reference is the arc-cosine kernel of degree 1
// (Cho & Saul 2009), E[relu(a) relu(b)] = sqrt(C_aa C_bb) / (2 pi) (sin th + (pi - th) cos th), cos th the
// correlation, written here independently of the closed forms the ODE uses; checked at a correlated Qperp, both
// read-out scales and two widths.
TEST(XgmTheory, ReadoutAtTheSaddleDecaysWithTheArcCosineKernel) {
  for (const char* scale : {"1/sqrt(K)", "1/K"})
    for (int K : {3, 6}) {
      const Config c =
          Config::from_text("model = \"xgm\"\neta = 2.5\neta_v = 1.5\n",
                            {"xgm.K=" + std::to_string(K), "xgm.sigma=0.3", std::string("xgm.readout_scale=") + scale});
      const XgmParams p = XgmParams::from_config(c);
      XgmOverlaps o;
      o.r = Eigen::MatrixXd::Zero(K, p.D);
      Rng rng(5, Stream::Teacher);
      Eigen::MatrixXd A(K, K);
      for (int k = 0; k < K; ++k)
        for (int l = 0; l < K; ++l) A(k, l) = rng.normal();
      o.Qp = 0.3 * A * A.transpose() / K + 0.7 * Eigen::MatrixXd::Identity(K, K);  // correlated, SPD
      o.v.resize(K);
      for (int k = 0; k < K; ++k) o.v(k) = rng.normal();
      const double delta = 0.55;
      XgmOde ode(p);
      const std::vector<double> y = xgm_state_of(o);
      std::vector<double> rhs(y.size());
      ASSERT_TRUE(ode.rhs(delta, 0, y.data(), rhs.data()));
      for (int j = 0; j < K * p.D; ++j) EXPECT_EQ(rhs[std::size_t(j)], 0.0) << "r stays at the saddle";
      const double pi = 3.141592653589793, cK = std::string(scale) == "1/K" ? 1.0 / K : 1.0 / std::sqrt(K);
      const std::size_t v0 = std::size_t(K * p.D + K * (K + 1) / 2);
      for (int k = 0; k < K; ++k) {
        double s = 0;
        for (int l = 0; l < K; ++l) {
          const double ca = delta * o.Qp(k, k), cb = delta * o.Qp(l, l),
                       cos_th = delta * o.Qp(k, l) / std::sqrt(ca * cb);
          const double th = std::acos(std::min(1.0, std::max(-1.0, cos_th)));
          s += std::sqrt(ca * cb) / (2 * pi) * (std::sin(th) + (pi - th) * cos_th) * o.v(l);
        }
        EXPECT_NEAR(rhs[v0 + std::size_t(k)], -1.5 * cK * cK * s, 1e-12) << scale << " K = " << K << " v_" << k + 1;
      }
    }
}

TEST(XgmTheory, EpsCurveConvergesInQuadratureAccuracy) {
  for (int K : {4, 16}) {
    const Config base = Config::from_text(kTenfold, {"xgm.K=" + std::to_string(K)});
    const XgmParams p = XgmParams::from_config(base);
    const std::vector<std::string> cheap_obs = {"xgm.observable_lines=4096", "xgm.observable_tol=0"};
    std::vector<std::string> tenfold = cheap_obs, every2 = cheap_obs;
    tenfold.push_back("xgm.lines=" + std::to_string(10 * p.lines));
    every2.push_back("output.every=2.0");
    const double traj = max_eps_shift(kTenfold, K, cheap_obs, tenfold);
    const Trajectory tr = run_theory(tilt::resolve(base.with(every2))).members[0];
    XgmParams fine = p;
    fine.observable_lines = 10 * p.observable_lines;
    fine.observable_tol = p.observable_tol / 10;
    const XgmGauss gauss(p, XgmExpectations::Observables), gauss_fine(fine, XgmExpectations::Observables);
    const auto names = xgm_state_names(p.K, p.D);
    double observable = 0;
    for (const auto& row : tr.rows) {
      std::vector<double> y;
      for (const auto& n : names) y.push_back(row[tr.column(n)]);
      const XgmOverlaps o = xgm_overlaps_of_state(p.K, p.D, y.data());
      XgmMoments ea, ha, eb, hb;  // the eps column: the test distribution's pick of eps_easy and eps_hard
      ASSERT_TRUE(gauss.expect(o, p.test.easy, XgmExpectations::Observables, &ea) &&
                  gauss.expect(o, p.test.hard, XgmExpectations::Observables, &ha));
      ASSERT_TRUE(gauss_fine.expect(o, p.test.easy, XgmExpectations::Observables, &eb) &&
                  gauss_fine.expect(o, p.test.hard, XgmExpectations::Observables, &hb));
      observable = std::max(observable, std::fabs(p.test.pick(ea.eps, ha.eps) - p.test.pick(eb.eps, hb.eps)));
    }
    std::printf(
        "K = %d: max |eps shift| under tenfold accuracy: trajectory (lines %d -> %d) %.3g, observable "
        "(observable_tol %.0e -> %.0e) %.3g, sum %.3g\n",
        K, p.lines, 10 * p.lines, traj, p.observable_tol, fine.observable_tol, observable, traj + observable);
    EXPECT_LT(traj + observable, 1e-4);
  }
}

// Theory against SGD before the escape from r = 0 (hard samples first, t <= 4, one shared initial condition,
// 24 SGD runs at d = 4000; at d = 1000 the test resolves the O(1/d) bias of the loss, 1.2e-3 at z = 6.3), at the
// suite's false-alarm rate; and the same simulation rejects, at the default rate, a theory whose learning rate is 5%
// off, or whose eta^2 term of Qperp_1_1 has the wrong sign. (Across the escape, member-wise agreement is not a d ->
// infinity prediction: docs/validation.md.)
TEST(XgmValidation, AgreesWithSgdBeforeTheEscapeAndRejectsWrongTheories) {
  const Config config = Config::from_text(
      kTenfold,
      tilt::testing::strict({"curriculum.protocol=anti", "t_max=4", "sim.d=4000", "sim.seeds=24", "xgm.lines=512"}));
  const ValidationRun run = validate_experiment(tilt::resolve(config));
  EXPECT_EQ(run.agreement.verdict, tilt::Verdict::Consistent)
      << run.agreement.table() << tilt::verdict_line(run.agreement, nullptr);
  EXPECT_EQ(run.agreement.bias.points, 24u);
  // The wrong theories are judged at the default false-alarm rate (0.01), as a user's validation would be.
  tilt::ValidationOptions options = tilt::validation_options(tilt::resolve(config.with({"validate.alpha=0.01"})),
                                                             run.sim[0].columns, tilt::Tracking::NotTested);
  const auto eta = tilt::compare_members(run.sim, tilt::testing::theory_at_eta(config, 3.15, run.sim.size()), options);
  EXPECT_EQ(eta.verdict, tilt::Verdict::Inconsistent) << eta.table();
  const auto sign =
      tilt::compare_members(run.sim, tilt::testing::theory_flipping_eta2(config, "Qperp_1_1", run.sim.size()), options);
  EXPECT_EQ(sign.verdict, tilt::Verdict::Inconsistent) << sign.table();
}

}  // namespace
