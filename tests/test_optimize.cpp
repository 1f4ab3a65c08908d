// `tilt optimize` (theory/optimize.hpp, docs/optimize.md): the adjoint gradient against finite differences of the
// objective, the budget projection against an exact breakpoint search, the perceptron optimum against an
// independent brute-force search (plots/optimize_reference.py), and the command's files and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "core/io.hpp"
#include "models/builtin.hpp"
#include "support.hpp"
#include "theory/optimize.hpp"
#include "theory/run.hpp"

namespace {

using namespace tilt;
using tilt::testing::read_file;
using tilt::testing::run_tilt;
using tilt::testing::TempDir;

// The public notebooks' setting (docs/optimize.md): eta = 3, T = 2, Delta 0 -> 2, p_E = 1/2, t_max = 12, from
// Q_r = Q_i = 1, R = 0 (theory.init = "nominal"), objective the mixed test error.
const char* kSetting = R"(
model = "perceptron"
t_max = 12.0
eta = 3.0
[curriculum]
easy = 0.0
hard = 2.0
easy_fraction = 0.5
[theory]
init = "nominal"
rtol = 1e-11
atol = 1e-13
[perceptron]
T = 2.0
[optimize]
objective = "eps_mix"
)";

struct Problem {
  TheoryProblem theory;
  ControlProblem control;
};

Problem make_problem(const std::vector<std::string>& overrides = {}) {
  register_builtin_models();
  const Config config = Config::from_text(kSetting, overrides);
  Problem p{make_theory_problem(tilt::resolve(config), 0), {}};
  p.control.model = p.theory.model.get();
  p.control.y0 = p.theory.y0;
  p.control.t_max = config.real("t_max");
  p.control.easy = 0;
  p.control.hard = 2;
  p.control.budget = 0.5;
  const auto columns = p.control.model->columns();
  p.control.objective = std::size_t(std::find(columns.begin(), columns.end(), "eps_mix") - columns.begin());
  return p;
}

// The perceptron's closed-form Jacobian against central differences of its right-hand side, at states away from
// the initial one (aligned, anti-aligned, with an anchor, with penalty and coupling after a switch).
TEST(Optimize, PerceptronJacobianMatchesDifferencesOfTheRightHandSide) {
  const Problem p = make_problem({"perceptron.coupling=0.7", "perceptron.l2=0.05"});
  const OdeModel& model = *p.control.model;
  const std::size_t n = model.dimension();
  const std::vector<std::vector<double>> states = {{1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0},
                                                   {2.3, 0.9, 1.1, 2.0, 0.8, 1.7, 1.2, 0.6},
                                                   {1.5, 0.4, -0.9, 1.2, 0.3, 1.1, 0.5, -0.4},
                                                   {6.0, 0.2, 3.1, 5.5, 0.1, 4.0, 0.3, 2.5}};
  for (const auto& y : states)
    for (double delta : {0.0, 0.5, 2.0})
      for (std::size_t phase : {0, 1}) {
        std::vector<double> J(n * n), fp(n), fm(n), yp = y;
        ASSERT_TRUE(model.jacobian(delta, phase, y.data(), J.data()));
        for (std::size_t m = 0; m < n; ++m) {
          const double h = 1e-6 * std::max(1.0, std::abs(y[m]));
          yp[m] = y[m] + h;
          ASSERT_TRUE(model.rhs(delta, phase, yp.data(), fp.data()));
          yp[m] = y[m] - h;
          ASSERT_TRUE(model.rhs(delta, phase, yp.data(), fm.data()));
          yp[m] = y[m];
          for (std::size_t i = 0; i < n; ++i)
            EXPECT_NEAR(J[i * n + m], (fp[i] - fm[i]) / (2 * h), 1e-7 * (1 + std::abs(J[i * n + m])))
                << "d f_" << i << " / d y_" << m << " at Delta " << delta << ", phase " << phase << ", R " << y[2];
        }
      }
}

// dJ/du_j from the discrete adjoint against central differences of J itself, at an interior schedule; with
// consolidation, through two anchors (the on_switch map's transpose).
void expect_gradient_matches(const ControlProblem& problem, const std::vector<std::size_t>& anchors,
                             GradientMethod method = GradientMethod::Adjoint) {
  ControlGrid grid;
  grid.pieces = 12;
  grid.steps = 3;
  grid.gradient = method;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> uniform(0.1, 0.9);
  std::vector<double> u(grid.pieces);
  for (double& x : u) x = uniform(rng);
  std::vector<double> g;
  control_objective(problem, grid, u, anchors, &g);
  double scale = 0;
  for (double x : g) scale = std::max(scale, std::abs(x));
  ASSERT_GT(scale, 1e-5);
  for (std::size_t j = 0; j < grid.pieces; ++j) {
    const double h = 1e-5;
    std::vector<double> up = u, um = u;
    up[j] += h;
    um[j] -= h;
    const double fd =
        (control_objective(problem, grid, up, anchors) - control_objective(problem, grid, um, anchors)) / (2 * h);
    EXPECT_NEAR(g[j], fd, 1e-6 * scale) << "piece " << j;
  }
}

TEST(Optimize, AdjointGradientMatchesFiniteDifferences) {
  const Problem p = make_problem();
  expect_gradient_matches(p.control, {});
}

// The same model without its closed-form Jacobian: the adjoint then takes central differences of rhs (the path
// every model without OdeModel::jacobian uses).
struct WithoutJacobian : OdeModel {
  const OdeModel& m;
  explicit WithoutJacobian(const OdeModel& model) : m(model) {}
  std::size_t dimension() const override { return m.dimension(); }
  bool rhs(double d, std::size_t phase, const double* y, double* f) const override { return m.rhs(d, phase, y, f); }
  void on_switch(double* y) const override { m.on_switch(y); }
  std::vector<std::string> columns() const override { return m.columns(); }
  std::vector<double> observe(const double* y) const override { return m.observe(y); }
  std::vector<std::string> state_names() const override { return m.state_names(); }
};

TEST(Optimize, AdjointGradientByDifferencedJacobiansMatchesFiniteDifferences) {
  Problem p = make_problem({"perceptron.coupling=1.0"});
  const WithoutJacobian model(*p.control.model);
  p.control.model = &model;
  expect_gradient_matches(p.control, {});
  expect_gradient_matches(p.control, {4, 8});
}

// The forward sensitivities of the RK4 scheme: with the closed-form Jacobian (matrix-vector products) and with
// central directional differences of the right-hand side, with and without consolidation anchors.
TEST(Optimize, ForwardGradientMatchesFiniteDifferences) {
  Problem p = make_problem({"perceptron.coupling=1.0"});
  expect_gradient_matches(p.control, {}, GradientMethod::Forward);
  expect_gradient_matches(p.control, {4, 8}, GradientMethod::Forward);
  const WithoutJacobian model(*p.control.model);
  p.control.model = &model;
  expect_gradient_matches(p.control, {}, GradientMethod::Forward);
  expect_gradient_matches(p.control, {4, 8}, GradientMethod::Forward);
}

// Forward and adjoint are two exact derivatives of the same discrete objective: with the closed-form Jacobian they
// agree to rounding (1e-8 of the largest component); with differenced products to the differences' accuracy.
TEST(Optimize, ForwardGradientEqualsAdjointGradient) {
  Problem p = make_problem();
  ControlGrid grid;
  grid.pieces = 20;
  grid.steps = 2;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> u(grid.pieces);
  for (double& x : u) x = uniform(rng);
  u[3] = 0;
  u[7] = 1;  // bang pieces too
  const WithoutJacobian plain(*p.control.model);
  for (const OdeModel* model : {p.control.model, static_cast<const OdeModel*>(&plain)}) {
    ControlProblem c = p.control;
    c.model = model;
    std::vector<double> ga, gf;
    grid.gradient = GradientMethod::Adjoint;
    const double Ja = control_objective(c, grid, u, {}, &ga);
    grid.gradient = GradientMethod::Forward;
    const double Jf = control_objective(c, grid, u, {}, &gf);
    EXPECT_EQ(Ja, Jf);
    double scale = 0;
    for (double x : ga) scale = std::max(scale, std::abs(x));
    const double tol = model == p.control.model ? 1e-8 : 1e-6;
    for (std::size_t j = 0; j < grid.pieces; ++j) EXPECT_NEAR(gf[j], ga[j], tol * scale) << "piece " << j;
  }
}

// auto: the adjoint with a closed-form Jacobian; without one, forward while pieces + 1 < 2n.
TEST(Optimize, AutoGradientChoosesByTheJacobianAndTheCost) {
  Problem p = make_problem();
  ControlGrid grid;
  grid.pieces = 15;
  EXPECT_EQ(resolved_gradient(p.control, grid), GradientMethod::Adjoint);
  const WithoutJacobian plain(*p.control.model);
  p.control.model = &plain;  // n = 8: forward for 14 pieces or fewer
  EXPECT_EQ(resolved_gradient(p.control, grid), GradientMethod::Adjoint);
  grid.pieces = 14;
  EXPECT_EQ(resolved_gradient(p.control, grid), GradientMethod::Forward);
  grid.gradient = GradientMethod::Adjoint;
  EXPECT_EQ(resolved_gradient(p.control, grid), GradientMethod::Adjoint);
}

// xgm (no closed-form Jacobian; the right-hand side's expectations on fixed quasi-random lines, a smooth function
// of the state): the forward gradient of a K = 2 problem against central differences of the objective.
TEST(Optimize, XgmForwardGradientMatchesFiniteDifferences) {
  register_builtin_models();
  const Config config = Config::from_text(R"(
model = "xgm"
seed = 3
t_max = 6.0
eta = 1.0
[curriculum]
easy = 0.1
hard = 1.0
[theory]
init = "sampled"
[sim]
d = 200
[xgm]
K = 2
activation = "relu"
loss = "square"
sigma = 0.3
lines = 32
nodes = 8
)");
  TheoryProblem theory = make_theory_problem(tilt::resolve(config), 0);
  ControlProblem c;
  c.model = theory.model.get();
  c.y0 = theory.y0;
  c.t_max = 6;
  c.easy = 0.1;
  c.hard = 1.0;
  const auto columns = c.model->columns();
  c.objective = std::size_t(std::find(columns.begin(), columns.end(), "eps") - columns.begin());
  ASSERT_LT(c.objective, columns.size());
  ControlGrid grid;
  grid.pieces = 6;
  grid.steps = 2;
  grid.gradient = GradientMethod::Forward;
  std::vector<double> u = {0.9, 0.2, 0.6, 0.3, 0.8, 0.4}, g;
  control_objective(c, grid, u, {}, &g);
  double scale = 0;
  for (double x : g) scale = std::max(scale, std::abs(x));
  ASSERT_GT(scale, 1e-4);
  // The objective's differences at step 1e-4 carry truncation ~1e-8 |J^(3)| / 6 and rounding ~1e-16 / 1e-4 of the
  // objective; the gradient's directional differences ~1e-10 relative: 1e-6 of the largest component bounds both.
  for (std::size_t j = 0; j < grid.pieces; ++j) {
    const double h = 1e-4;
    std::vector<double> up = u, um = u;
    up[j] += h;
    um[j] -= h;
    const double fd = (control_objective(c, grid, up, {}) - control_objective(c, grid, um, {})) / (2 * h);
    EXPECT_NEAR(g[j], fd, 1e-6 * scale) << "piece " << j;
  }
  std::vector<double> ga;
  grid.gradient = GradientMethod::Adjoint;
  control_objective(c, grid, u, {}, &ga);
  for (std::size_t j = 0; j < grid.pieces; ++j) EXPECT_NEAR(g[j], ga[j], 1e-6 * scale) << "piece " << j;
}

// The lottery: with members the objective is the mean of the members' columns at t_max and its gradient the mean
// of their gradients; checked against central differences of the mean objective, and against the objective of
// each member alone (members from theory.init = "sampled" at small sim.d differ).
TEST(Optimize, LotteryObjectiveIsTheMeanOverMembersWithItsGradient) {
  register_builtin_models();
  const Config config = Config::from_text(kSetting, {"theory.init=sampled", "sim.d=50", "seed=5", "theory.ensemble=3"});
  const ResolvedExperiment e = tilt::resolve(config);
  std::vector<TheoryProblem> members;
  for (long long m = 0; m < 3; ++m) members.push_back(make_theory_problem(e, m));
  Problem p = make_problem();
  ControlProblem c = p.control;
  c.model = members[0].model.get();
  c.y0 = members[0].y0;
  for (const auto& m : members) c.members.push_back(m.y0);
  ASSERT_NE(c.members[0], c.members[1]);
  ControlGrid grid;
  grid.pieces = 10;
  grid.steps = 3;
  std::vector<double> u = {0.9, 0.8, 0.1, 0.3, 0.5, 0.5, 0.2, 0.7, 0.6, 0.4};
  std::vector<double> each;
  for (const auto& m : members) {
    ControlProblem one = c;
    one.members.clear();
    one.y0 = m.y0;
    each.push_back(control_objective(one, grid, u, {}));
  }
  EXPECT_GT(std::abs(each[0] - each[1]) + std::abs(each[0] - each[2]), 1e-4);  // the members differ
  EXPECT_NEAR(control_objective(c, grid, u, {}), (each[0] + each[1] + each[2]) / 3, 1e-14);
  for (GradientMethod method : {GradientMethod::Adjoint, GradientMethod::Forward}) {
    grid.gradient = method;
    std::vector<double> g;
    control_objective(c, grid, u, {}, &g);
    double scale = 0;
    for (double x : g) scale = std::max(scale, std::abs(x));
    for (std::size_t j = 0; j < grid.pieces; ++j) {
      const double h = 1e-5;
      std::vector<double> up = u, um = u;
      up[j] += h;
      um[j] -= h;
      const double fd = (control_objective(c, grid, up, {}) - control_objective(c, grid, um, {})) / (2 * h);
      EXPECT_NEAR(g[j], fd, 1e-6 * scale) << "piece " << j << " by " << gradient_name(method);
    }
  }
}

TEST(Optimize, AdjointGradientThroughConsolidationAnchorsMatchesFiniteDifferences) {
  Problem p = make_problem({"perceptron.coupling=1.0"});
  p.control.anchor_at_switches = true;
  expect_gradient_matches(p.control, {4, 8});
}

// The projection onto {0 <= u <= 1, mean u = b} against the exact answer found by scanning the breakpoints of the
// piecewise-linear mean(clamp(v - mu, 0, 1)) and interpolating between the two that bracket b.
TEST(Optimize, BudgetProjectionIsTheExactEuclideanProjection) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.5, 0.8);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> v(17);
    for (double& x : v) x = normal(rng);
    const double b = 0.1 + 0.04 * trial;
    const auto u = project_budget(v, b);
    std::vector<double> points;
    for (double x : v) {
      points.push_back(x);
      points.push_back(x - 1);
    }
    std::sort(points.begin(), points.end());
    auto mean_at = [&](double mu) {
      double s = 0;
      for (double x : v) s += std::min(1.0, std::max(0.0, x - mu));
      return s / double(v.size());
    };
    double mu = points.front();
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
      const double a = mean_at(points[i]), c = mean_at(points[i + 1]);
      if (a >= b && c <= b) {
        mu = a == c ? points[i] : points[i] + (a - b) / (a - c) * (points[i + 1] - points[i]);
        break;
      }
    }
    double mean = 0;
    for (std::size_t j = 0; j < v.size(); ++j) {
      EXPECT_NEAR(u[j], std::min(1.0, std::max(0.0, v[j] - mu)), 1e-12);
      mean += u[j] / double(v.size());
    }
    EXPECT_NEAR(mean, b, 1e-13);
  }
}

// The optimum of the notebooks' setting: easy, hard, then a singular arc on which a small, rising easy share is
// mixed in, then easy. References from plots/optimize_reference.py (numpy, no shared code): the best bang-bang
// schedule of the easy-hard-easy family, found by brute force (grid and golden section, RK4 steps that land on the
// switches), has eps_mix = 0.1468507119 (switches 2.80234 and 8.80234); coarse scans of the three-switch families
// find nothing lower. The optimum must beat it by the singular arc's gain (9.4e-6 at 240 pieces; the same script
// evaluates the schedule tilt writes at 240 pieces to 0.14684128), and agree with that value.
TEST(Optimize, PerceptronOptimumHasASingularArcThatBeatsEveryEasyHardEasySchedule) {
  const Problem p = make_problem();
  OptimizeOptions options;
  options.grid.pieces = 48;
  options.grid.steps = 2;
  options.starts = 2;
  options.max_iterations = 200;
  options.integrator.rtol = 1e-11;
  options.integrator.atol = 1e-13;
  const OptimizeResult r = optimize_curriculum(p.control, options);
  EXPECT_EQ(r.agreeing, 2);
  EXPECT_FALSE(r.bang_bang);
  ASSERT_GE(r.arcs.size(), 4u);
  EXPECT_EQ(r.arcs[0].u, 1.0);
  EXPECT_EQ(r.arcs[1].u, 0.0);
  EXPECT_NEAR(r.arcs[1].start, 2.76, 0.03);  // the first switch: earlier than the bang-bang optimum's 2.80
  EXPECT_EQ(r.arcs.back().u, 1.0);
  EXPECT_NEAR(r.arcs.back().start, 9.05, 0.15);
  // Between about 6.2 and 8.8 every piece mixes in a small easy share.
  for (std::size_t j = 0; j < options.grid.pieces; ++j) {
    const double t = (double(j) + 0.5) * 12.0 / double(options.grid.pieces);
    if (t > 6.4 && t < 8.6) {
      EXPECT_GT(r.starts[r.best].u[j], 0.03) << "t = " << t;
      EXPECT_LT(r.starts[r.best].u[j], 0.2) << "t = " << t;
    }
  }
  EXPECT_LT(r.objective, 0.1468507119 - 5e-6);
  EXPECT_NEAR(r.objective, 0.14684128, 1.5e-7);
}

// With consolidation every switch re-anchors, and optimize_curriculum searches the constant mixture and bang-bang
// schedules of few switches by Nelder-Mead. Reference: a plain scan of the only free switch time of each
// two-switch family (E-H-E, H-E-H; 400 points each) plus the one-switch schedules and the mixture, each integrated
// by tilt's integrator on a Schedule built here. The search must find the scan's best, to the scan's resolution.
TEST(Optimize, ConsolidationSearchFindsTheBestFewSwitchScheduleOfAScan) {
  // gamma = 0.1: the best two-switch schedule (E-H-E, 0.14037) beats every one-switch one and the mixture
  Problem p = make_problem({"perceptron.coupling=0.1"});
  p.control.anchor_at_switches = p.control.model->anchors_at_switches();
  ASSERT_TRUE(p.control.anchor_at_switches);
  IntegratorOptions integrator;
  integrator.rtol = 1e-10;
  integrator.atol = 1e-12;
  auto J = [&](const std::vector<Phase>& phases) {
    const Trajectory tr = integrate(*p.control.model, Schedule(phases), p.control.y0, {0.0, 12.0}, integrator, nullptr);
    return tr.rows.back()[p.control.objective];
  };
  double best = J({{0, 12, {{0.5, 0.0}, {0.5, 2.0}}}});                 // shuffled
  best = std::min(best, J({{0, 6, {{1, 0.0}}}, {6, 12, {{1, 2.0}}}}));  // E-H
  best = std::min(best, J({{0, 6, {{1, 2.0}}}, {6, 12, {{1, 0.0}}}}));  // H-E
  for (int i = 1; i < 400; ++i) {
    const double a = 6.0 * i / 400;  // first switch; the budget fixes the second
    if (a > 0.1 && 6 - a > 0.1) {
      best = std::min(best, J({{0, a, {{1, 0.0}}}, {a, a + 6, {{1, 2.0}}}, {a + 6, 12, {{1, 0.0}}}}));
      best = std::min(best, J({{0, a, {{1, 2.0}}}, {a, a + 6, {{1, 0.0}}}, {a + 6, 12, {{1, 2.0}}}}));
    }
  }
  OptimizeOptions options;
  options.grid.pieces = 120;  // arcs of at least 0.1
  options.starts = 3;
  options.max_switches = 2;
  options.integrator = integrator;
  const OptimizeResult r = optimize_curriculum(p.control, options);
  EXPECT_EQ(r.method, "switch-times");
  EXPECT_LE(r.objective, best + 1e-9);
  EXPECT_GE(r.objective, best - 2e-5);  // the scan's step of 0.015 in the switch time
}

// The second setting of issue 26 (eta = 1, T = 1, Delta 0.5 -> 3, t_max = 20): a bang-bang optimum, easy-hard-easy,
// whose switch times the refinement locates. Reference: plots/optimize_reference.py 1 1 0.5 3 0.5 20 (numpy RK4
// landing on the switches, golden section to 1e-7): first switch 3.815658, second 13.815658, eps_mix 0.1105406293.
TEST(Optimize, SecondSettingIsBangBangWithTheBruteForceSwitchTimes) {
  const Problem p =
      make_problem({"eta=1.0", "perceptron.T=1.0", "curriculum.easy=0.5", "curriculum.hard=3.0", "t_max=20.0"});
  ControlProblem control = p.control;
  control.easy = 0.5;
  control.hard = 3.0;
  OptimizeOptions options;
  options.grid.pieces = 40;
  options.grid.steps = 2;
  options.starts = 2;
  options.integrator.rtol = 1e-11;
  options.integrator.atol = 1e-13;
  const OptimizeResult r = optimize_curriculum(control, options);
  EXPECT_EQ(r.agreeing, 2);
  ASSERT_TRUE(r.bang_bang);
  ASSERT_TRUE(r.refined);
  ASSERT_EQ(r.arcs.size(), 3u);
  EXPECT_EQ(r.arcs[0].u, 1.0);
  EXPECT_EQ(r.arcs[1].u, 0.0);
  EXPECT_EQ(r.arcs[2].u, 1.0);
  EXPECT_NEAR(r.arcs[1].start, 3.815658, 2e-5);
  EXPECT_NEAR(r.arcs[2].start, 13.815658, 2e-5);
  EXPECT_NEAR(r.objective, 0.1105406293, 2e-10);
}

// first_horizon on a value with a known crossing: exp(-T) reaches 0.1 at T = ln 10; a threshold the value never
// reaches within t_max gives NaN; a crossing inside the first scan interval is bracketed from 0.
TEST(Optimize, FirstHorizonFindsTheCrossingOrNone) {
  const auto value = [](double T) { return std::exp(-T); };
  EXPECT_NEAR(first_horizon(value, 0.1, 8.0, 8, 1e-9).t_star, std::log(10.0), 2e-9);
  EXPECT_NEAR(first_horizon(value, 0.9, 8.0, 8, 1e-9).t_star, -std::log(0.9), 2e-9);
  EXPECT_TRUE(std::isnan(first_horizon(value, 1e-4, 8.0, 8, 1e-9).t_star));
}

// Time to threshold in the second setting (eta = 1, T = 1, Delta 0.5 -> 3, p_E = 1/2): t* = the smallest horizon
// whose best schedule under the budget p_E T brings eps_mix to 0.13. Reference, by brute force with no optimiser:
// the best easy-hard-easy schedule at horizon T (the optimum's structure in this setting) by a scan of its first
// switch (the budget fixes the second) and golden section, each schedule integrated on a Schedule built here; then
// bisection on T. The optimiser's t* must agree to the search's tolerance, and beat the fixed protocols'.
TEST(Optimize, TimeToThresholdMatchesABruteForceSearchInTheSecondSetting) {
  const Problem p =
      make_problem({"eta=1.0", "perceptron.T=1.0", "curriculum.easy=0.5", "curriculum.hard=3.0", "t_max=20.0"});
  ControlProblem control = p.control;
  control.easy = 0.5;
  control.hard = 3.0;
  IntegratorOptions integrator;
  integrator.rtol = 1e-10;
  integrator.atol = 1e-12;
  const double threshold = 0.13;
  // eps_mix at T of easy on [0, a], hard on [a, a + T/2], easy to T.
  auto ehe = [&](double T, double a) {
    std::vector<Phase> phases;
    if (a > 0) phases.push_back({0, a, {{1, 0.5}}});
    phases.push_back({a, a + T / 2, {{1, 3.0}}});
    if (a + T / 2 < T) phases.push_back({a + T / 2, T, {{1, 0.5}}});
    const Trajectory tr = integrate(*control.model, Schedule(phases), control.y0, {0.0, T}, integrator, nullptr);
    return tr.rows.back()[control.objective];
  };
  auto best_ehe = [&](double T) {
    double a_best = 0, v_best = ehe(T, 0);
    for (int i = 1; i <= 50; ++i) {
      const double a = T / 2 * i / 50, v = ehe(T, a);
      if (v < v_best) a_best = a, v_best = v;
    }
    double lo = std::max(0.0, a_best - T / 100), hi = std::min(T / 2, a_best + T / 100);
    const double g = (std::sqrt(5.0) - 1) / 2;
    for (int it = 0; it < 40; ++it) {
      const double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
      if (ehe(T, x1) < ehe(T, x2))
        hi = x2;
      else
        lo = x1;
    }
    return std::min(v_best, ehe(T, 0.5 * (lo + hi)));
  };
  double lo = 12, hi = 20;  // eps_mix of the best schedule: above 0.13 at T = 12, below at T = 20
  ASSERT_GT(best_ehe(lo), threshold);
  ASSERT_LT(best_ehe(hi), threshold);
  while (hi - lo > 1e-6) {
    const double mid = 0.5 * (lo + hi);
    (best_ehe(mid) <= threshold ? hi : lo) = mid;
  }
  OptimizeOptions options;
  options.grid.pieces = 40;
  options.grid.steps = 2;
  options.starts = 2;
  options.integrator = integrator;
  const auto optimal_at = [&](double T) {
    ControlProblem q = control;
    q.t_max = T;
    return optimize_curriculum(q, options).objective;
  };
  const HorizonSearch s = first_horizon(optimal_at, threshold, 20.0, 8, 2e-5);
  EXPECT_NEAR(s.t_star, hi, 5e-5);
  // curriculum stretched to T: easy on [0, T/2], then hard; its t* by the same bisection is later.
  const auto curriculum_at = [&](double T) { return ehe(T, T / 2); };
  EXPECT_GT(first_horizon(curriculum_at, threshold, 20.0, 8, 2e-5).t_star, s.t_star + 0.5);
}

const char* kSmall = R"(
model = "perceptron"
t_max = 12.0
eta = 3.0
[theory]
init = "nominal"
[output]
every = 0.5
[optimize]
objective = "eps_mix"
pieces = 16
steps = 2
starts = 2
iterations = 60
)";

// The files, and the schedule they hold: PREFIX_optimal.toml runs under `tilt ode` unchanged and gives the
// record's objective; the optimum is not worse than any fixed protocol at the same budget.
TEST(Optimize, CommandWritesASegmentsTableThatTiltOdeRunsUnchanged) {
  TempDir dir("optimize_files");
  const std::string file = dir.file("x.toml", kSmall);
  const auto r = run_tilt("optimize " + file + " --quiet --out " + (dir.path / "o").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* suffix : {".csv", "_control.csv", "_compare.csv", "_optimal.toml", ".json"})
    EXPECT_TRUE(std::filesystem::exists(dir.path / (std::string("o") + suffix))) << suffix;
  const auto record = nlohmann::json::parse(read_file((dir.path / "o.json").string()));
  const double J = record["objective"]["value"].get<double>();
  for (const char* protocol : {"curriculum", "anti", "shuffled"})  // shuffled, the best of them, by 0.0059
    EXPECT_LT(J, record["compare"][protocol].get<double>() - 5e-3) << protocol;
  const auto ode =
      run_tilt("ode " + (dir.path / "o_optimal.toml").string() + " --quiet --out " + (dir.path / "again").string());
  ASSERT_EQ(ode.exit_code, 0) << ode.output;
  const std::string csv = read_file((dir.path / "again.csv").string());
  EXPECT_EQ(csv, read_file((dir.path / "o.csv").string()));
  // ... and its last row is the record's value of the written segments.
  const std::string last = csv.substr(csv.rfind('\n', csv.size() - 2) + 1);
  EXPECT_NE(last.find(tilt::format_number(record["objective"]["segments_value"].get<double>())), std::string::npos)
      << last;
  EXPECT_EQ(record["starts"].size(), 2u);
  EXPECT_TRUE(record.contains("gradient_norm"));
}

// optimize.goal = "time_to_threshold": the record's t* and the fixed protocols', the optimal experiment at the
// horizon t*, and `tilt ode` on it reaching the threshold at t* (to the search's tolerance in T).
TEST(Optimize, CommandTimeToThresholdWritesTheScheduleAtTheHorizonTStar) {
  TempDir dir("optimize_time");
  const std::string file = dir.file("x.toml", kSmall);
  const auto r = run_tilt("optimize " + file + " --quiet --set optimize.goal=time_to_threshold --set " +
                          "optimize.threshold=0.16 --set optimize.starts=1 --out " + (dir.path / "o").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto record = nlohmann::json::parse(read_file((dir.path / "o.json").string()));
  const auto& ttt = record["time_to_threshold"];
  const double t_star = ttt["t_star"].get<double>();
  EXPECT_GT(t_star, 1.0);
  EXPECT_LT(t_star, 12.0);
  for (const char* protocol : {"curriculum", "shuffled"}) {
    ASSERT_TRUE(ttt["fixed"][protocol].is_number()) << protocol;
    EXPECT_GT(ttt["fixed"][protocol].get<double>(), t_star + 0.1) << protocol;
  }
  EXPECT_TRUE(ttt["fixed"]["anti"].is_null());  // anti-curriculum ends at 0.1628 > 0.16 at t_max = 12
  EXPECT_NEAR(record["objective"]["value"].get<double>(), 0.16, 1e-4);
  EXPECT_LE(record["objective"]["value"].get<double>(), 0.16);
  const Config optimal = Config::from_file((dir.path / "o_optimal.toml").string());
  EXPECT_EQ(optimal.real("t_max"), t_star);
}

struct BadOptimize {
  std::string name, set, mention;
};

class OptimizeBadInput : public ::testing::TestWithParam<BadOptimize> {};

TEST_P(OptimizeBadInput, IsRejectedWithExitCode2BeforeAnyWork) {
  const BadOptimize& c = GetParam();
  TempDir dir("optimize_bad_" + c.name);
  const std::string file = dir.file("x.toml", kSmall);
  const auto r = run_tilt("optimize " + file + " --quiet --set " + c.set + " --out " + (dir.path / "o").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(c.mention), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("allowed"), std::string::npos) << r.output;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) files += entry.is_regular_file();
  EXPECT_EQ(files, 1u);  // the input only
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OptimizeBadInput,
    ::testing::Values(
        BadOptimize{"empty_budget", "curriculum.easy_fraction=0", "'curriculum.easy_fraction' = 0"},
        BadOptimize{"whole_budget", "curriculum.easy_fraction=1", "'curriculum.easy_fraction' = 1"},
        BadOptimize{"same_difficulty", "curriculum.hard=0", "'curriculum.hard' = 0"},
        BadOptimize{"no_such_column", "optimize.objective=eps_nope", "'optimize.objective' = \"eps_nope\""},
        BadOptimize{"xgm_automatic_lines", "model=xgm --set curriculum.easy=0.1 --set xgm.nodes=16", "'xgm.lines' = 0"},
        BadOptimize{"xgm_automatic_nodes", "model=xgm --set curriculum.easy=0.1 --set xgm.lines=64",
                    "'xgm.nodes' = 0"}),
    [](const ::testing::TestParamInfo<BadOptimize>& info) { return info.param.name; });

}  // namespace
