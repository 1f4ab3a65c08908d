// What the columns and output times mean, checked from outside against their documentation (docs/config.md,
// docs/formats.md, docs/theory/*.md): log-spaced output times, test.difficulty, theory.init = "nominal", the xgm
// diagnostics recomputed from the state, and the penalty terms of every ODE (L2, weight decay, consolidation)
// isolated as the difference of two right-hand sides at one state.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "sim/run.hpp"
#include "theory/run.hpp"

namespace {

using tilt::Config;
using tilt::Trajectory;

double at(const Trajectory& t, std::size_t row, const std::string& column) { return t.rows[row][t.column(column)]; }

const char* kPerceptron = R"(
model = "perceptron"
seed = 2
t_max = 3.0
eta = 2.0
[curriculum]
protocol = "shuffled"
easy = 0.2
hard = 1.5
easy_fraction = 0.3
[output]
every = 0.5
[sim]
d = 300
seeds = 2
)";

// ---------------------------------------------------------------------------------------------------------------
// output.points with spacing = "log": t = 0, then `points` times from output.t_min to t_max, equal ratios
// (docs/config.md); the simulation reports each at the nearest whole number of samples, round(t d)/d.

TEST(OutputTimes, LogSpacing) {
  const double t_min = 0.02, t_max = 3.0;
  const int points = 6;
  const Config c = Config::from_text(kPerceptron, {"output.points=6", "output.spacing=log", "output.t_min=0.02"});
  const Trajectory theory = tilt::run_theory(tilt::resolve(c)).members[0];
  const Trajectory sim = tilt::run_sim(tilt::resolve(c)).members[0];
  ASSERT_EQ(theory.times.size(), std::size_t(points + 1));
  ASSERT_EQ(sim.times.size(), theory.times.size());
  EXPECT_EQ(theory.times.front(), 0.0);
  EXPECT_EQ(theory.times[1], t_min);
  EXPECT_EQ(theory.times.back(), t_max);
  const double ratio = std::pow(t_max / t_min, 1.0 / (points - 1));
  for (int k = 1; k <= points; ++k) {
    EXPECT_NEAR(theory.times[std::size_t(k)], t_min * std::pow(ratio, k - 1), 1e-12 * t_max) << k;
    EXPECT_DOUBLE_EQ(sim.times[std::size_t(k)], std::round(theory.times[std::size_t(k)] * 300) / 300) << k;
  }
  for (std::size_t k = 2; k < theory.times.size(); ++k)
    EXPECT_NEAR(theory.times[k] / theory.times[k - 1], ratio, 1e-12) << k;

  // One point: t = 0 and t_max. Linear spacing with points: t_max k / points.
  EXPECT_EQ(tilt::run_theory(tilt::resolve(c.with({"output.points=1"}))).members[0].times,
            (std::vector<double>{0.0, t_max}));
  const Trajectory linear =
      tilt::run_theory(tilt::resolve(c.with({"output.spacing=linear", "output.points=4"}))).members[0];
  EXPECT_EQ(linear.times, (std::vector<double>{0.0, 0.75, 1.5, 2.25, 3.0}));
}

// ---------------------------------------------------------------------------------------------------------------
// test.difficulty: eps and loss on easy, hard or the p_E mixture (all = mix); eps_easy/eps_hard/eps_mix always.
// Perceptron formulas (docs/models.md section 2, docs/theory/perceptron.md) recomputed from the written Q_r, Q_i, R.

double perceptron_eps(double T, double Qr, double Qi, double R, double delta) {
  return std::acos(R / std::sqrt(T * (Qr + delta * Qi))) / M_PI;
}
double perceptron_loss(double T, double Qr, double Qi, double R, double delta) {
  const double q = Qr + delta * Qi;
  return 0.5 * (1 - (4 / M_PI) * std::asin(R / std::sqrt(T * (2 + q))) + (2 / M_PI) * std::asin(q / (2 + q)));
}

TEST(TestDifficulty, PerceptronColumnsFollowTheConfiguredDistribution) {
  const double T = 2.0, dE = 0.2, dH = 1.5, pE = 0.3;
  for (const std::string which : {"easy", "hard", "mix", "all"}) {
    const Config c = Config::from_text(kPerceptron, {"test.difficulty=" + which});
    for (const Trajectory& t :
         {tilt::run_theory(tilt::resolve(c)).members[0], tilt::run_sim(tilt::resolve(c)).members[0]}) {
      for (std::size_t i = 0; i < t.times.size(); ++i) {
        const double Qr = at(t, i, "Q_r"), Qi = at(t, i, "Q_i"), R = at(t, i, "R");
        const double e_easy = perceptron_eps(T, Qr, Qi, R, dE), e_hard = perceptron_eps(T, Qr, Qi, R, dH);
        const double l_easy = perceptron_loss(T, Qr, Qi, R, dE), l_hard = perceptron_loss(T, Qr, Qi, R, dH);
        const double e_mix = pE * e_easy + (1 - pE) * e_hard, l_mix = pE * l_easy + (1 - pE) * l_hard;
        EXPECT_NEAR(at(t, i, "eps_easy"), e_easy, 1e-13);
        EXPECT_NEAR(at(t, i, "eps_hard"), e_hard, 1e-13);
        EXPECT_NEAR(at(t, i, "eps_mix"), e_mix, 1e-13);
        EXPECT_NEAR(at(t, i, "eps"), which == "easy" ? e_easy : which == "hard" ? e_hard : e_mix, 1e-13) << which;
        EXPECT_NEAR(at(t, i, "loss"), which == "easy" ? l_easy : which == "hard" ? l_hard : l_mix, 1e-13) << which;
      }
      EXPECT_GT(std::fabs(at(t, 3, "eps_easy") - at(t, 3, "eps_hard")), 0.01);  // the choice matters
    }
  }
}

const char* kXgm = R"(
model = "xgm"
seed = 5
t_max = 4.0
eta = 3.0
[curriculum]
protocol = "curriculum"
easy = 0.1
hard = 1.0
easy_fraction = 0.4
[output]
every = 0.5
[theory]
rtol = 1e-6
atol = 1e-9
[sim]
d = 200
seeds = 1
[xgm]
K = 4
sigma = 0.3
lines = 128
observable_lines = 512
)";

// xgm: the same selection, on the simulation (the training does not depend on the test distribution, so the
// runs share their trajectory and the loss of `mix` is the p_E mixture of the losses of `easy` and `hard`).
TEST(TestDifficulty, XgmColumnsFollowTheConfiguredDistribution) {
  std::map<std::string, Trajectory> runs;
  for (const std::string which : {"easy", "hard", "mix", "all"})
    runs[which] = tilt::run_sim(tilt::resolve(Config::from_text(kXgm, {"test.difficulty=" + which}))).members[0];
  const double pE = 0.4;
  for (std::size_t i = 0; i < runs["all"].times.size(); ++i) {
    const Trajectory& t = runs["all"];
    const double e_easy = at(t, i, "eps_easy"), e_hard = at(t, i, "eps_hard");
    EXPECT_NEAR(at(t, i, "eps_mix"), pE * e_easy + (1 - pE) * e_hard, 1e-14);
    EXPECT_EQ(at(runs["easy"], i, "eps"), e_easy);
    EXPECT_EQ(at(runs["hard"], i, "eps"), e_hard);
    EXPECT_EQ(at(runs["mix"], i, "eps"), at(t, i, "eps_mix"));
    EXPECT_EQ(at(t, i, "eps"), at(t, i, "eps_mix"));
    EXPECT_NEAR(at(runs["mix"], i, "loss"), pE * at(runs["easy"], i, "loss") + (1 - pE) * at(runs["hard"], i, "loss"),
                1e-14);
    EXPECT_EQ(at(t, i, "loss"), at(runs["mix"], i, "loss"));
  }
  EXPECT_GT(std::fabs(at(runs["easy"], 8, "loss") - at(runs["hard"], 8, "loss")), 1e-3);  // the choice matters
}

// ---------------------------------------------------------------------------------------------------------------
// theory.init = "nominal": the d -> infinity values of the initial overlaps (docs/config.md, docs/theory/*.md).

TEST(NominalInit, PerceptronStartsAtItsLimitValues) {
  const Config c = Config::from_text(
      kPerceptron, {"theory.init=nominal", "init_scale=1.5", "perceptron.rho_i=0.5", "perceptron.coupling=0.5"});
  const Trajectory t = tilt::run_theory(tilt::resolve(c)).members[0];
  EXPECT_EQ(at(t, 0, "Q_r"), 2.25);   // init_scale^2 rho_r
  EXPECT_EQ(at(t, 0, "Q_i"), 1.125);  // init_scale^2 rho_i
  EXPECT_EQ(at(t, 0, "R"), 0.0);
  EXPECT_EQ(at(t, 0, "C_r"), 2.25);  // the anchor is w(0)
  EXPECT_EQ(at(t, 0, "C_i"), 1.125);
  // Independent of the seed and of sim.d.
  EXPECT_EQ(tilt::run_theory(tilt::resolve(c.with({"seed=9", "sim.d=50"}))).members[0].rows, t.rows);
}

TEST(NominalInit, ScmStartsAtItsLimitValues) {
  const char* base =
      "model = \"scm\"\nt_max = 0.5\ninit_scale = 0.8\n[output]\nevery = 0.5\n[scm]\nK = 3\nM = 2\n"
      "[sim]\nd = 100\n";
  const Trajectory t =
      tilt::run_theory(tilt::resolve(Config::from_text(base, {"theory.init=nominal", "scm.v0=[[0.5, -1.0, 2.0]]"})))
          .members[0];
  for (int k = 1; k <= 3; ++k) {
    for (int l = k; l <= 3; ++l)
      EXPECT_DOUBLE_EQ(at(t, 0, "Q_" + std::to_string(k) + "_" + std::to_string(l)), k == l ? 0.64 : 0.0) << k << l;
    for (int m = 1; m <= 2; ++m) EXPECT_EQ(at(t, 0, "R_" + std::to_string(k) + "_" + std::to_string(m)), 0.0);
  }
  EXPECT_EQ(at(t, 0, "v_1"), 0.5);
  EXPECT_EQ(at(t, 0, "v_2"), -1.0);
  EXPECT_EQ(at(t, 0, "v_3"), 2.0);
  const Trajectory alt =
      tilt::run_theory(tilt::resolve(Config::from_text(base, {"theory.init=nominal", "scm.readout_init=alternating",
                                                              "scm.readout_init_scale=0.5"})))
          .members[0];
  EXPECT_EQ(at(alt, 0, "v_1"), 0.5);
  EXPECT_EQ(at(alt, 0, "v_2"), -0.5);
  EXPECT_EQ(at(alt, 0, "v_3"), 0.5);
}

TEST(NominalInit, XgmStartsAtTheXorFixedPoint) {
  const Config c = Config::from_text(kXgm, {"theory.init=nominal", "init_scale=1.2", "t_max=1.0"});
  const Trajectory nominal = tilt::run_theory(tilt::resolve(c)).members[0];
  const Trajectory sampled = tilt::run_theory(tilt::resolve(c.with({"theory.init=sampled"}))).members[0];
  for (int k = 1; k <= 4; ++k) {
    const std::string K = std::to_string(k);
    for (int a = 1; a <= 2; ++a) EXPECT_EQ(at(nominal, 0, "r_" + K + "_" + std::to_string(a)), 0.0);
    for (int l = k; l <= 4; ++l)
      EXPECT_NEAR(at(nominal, 0, "Qperp_" + K + "_" + std::to_string(l)), k == l ? 1.44 : 0.0, 1e-15);
    // the read-out of the seed, as the sampled initial condition draws it
    EXPECT_EQ(at(nominal, 0, "v_" + K), at(sampled, 0, "v_" + K));
    EXPECT_NE(at(sampled, 0, "r_" + K + "_1"), 0.0);
    // r = 0 is a fixed point of the XOR symmetry (docs/theory/xgm.md): it stays there.
    EXPECT_EQ(at(nominal, nominal.times.size() - 1, "r_" + K + "_1"), 0.0);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// xgm diagnostics recomputed from the written state: align_k = |r_k| / sqrt(|r_k|^2 + Qperp_kk); match_k = 1 when
// sign(v_k) is the label of the XOR centre closest in angle to r_k ((+-mu, 0): +1, (0, +-mu): -1).

TEST(XgmDiagnostics, AlignAndMatchFollowFromTheState) {
  const Config c =
      Config::from_text(kXgm, {"t_max=20.0", "output.every=1.0", "xgm.readout_init=gaussian", "sim.d=300"});
  int matches[2] = {0, 0};
  const double centres[4][3] = {{1, 0, 1}, {-1, 0, 1}, {0, 1, -1}, {0, -1, -1}};
  for (const Trajectory& t :
       {tilt::run_theory(tilt::resolve(c)).members[0], tilt::run_sim(tilt::resolve(c)).members[0]}) {
    for (std::size_t i = 0; i < t.times.size(); ++i)
      for (int k = 1; k <= 4; ++k) {
        const std::string K = std::to_string(k);
        const double r1 = at(t, i, "r_" + K + "_1"), r2 = at(t, i, "r_" + K + "_2");
        const double r = std::hypot(r1, r2);
        EXPECT_NEAR(at(t, i, "align_" + K), r / std::sqrt(r * r + at(t, i, "Qperp_" + K + "_" + K)), 1e-14);
        double best = -2, label = 0;
        for (const auto& m : centres) {
          const double cos = (r1 * m[0] + r2 * m[1]) / r;
          if (cos > best) best = cos, label = m[2];
        }
        const double want = (at(t, i, "v_" + K) > 0 ? 1.0 : -1.0) == label ? 1.0 : 0.0;
        EXPECT_EQ(at(t, i, "match_" + K), want) << "t = " << t.times[i] << " unit " << k;
        ++matches[int(want)];
      }
    const std::size_t last = t.times.size() - 1;
    double most_aligned = 0;
    for (int k = 1; k <= 4; ++k) most_aligned = std::max(most_aligned, at(t, last, "align_" + std::to_string(k)));
    EXPECT_GT(most_aligned, 0.5);  // some unit has found the relevant directions
  }
  EXPECT_GT(matches[0], 0);  // both outcomes occur, so the check has teeth
  EXPECT_GT(matches[1], 0);
}

// ---------------------------------------------------------------------------------------------------------------
// The penalty terms of each ODE: the right-hand side with a penalty minus the one without, at the same state, is
// exactly the documented term (docs/models.md sections 0 and 2; docs/theory/perceptron.md, xgm.md, scm.md).

std::map<std::string, double> rhs_by_name(const Config& c, const std::vector<double>& y, double delta,
                                          std::size_t phase) {
  const tilt::TheoryProblem problem = tilt::make_theory_problem(tilt::resolve(c), 0);
  std::vector<double> dy(y.size());
  EXPECT_TRUE(problem.model->rhs(delta, phase, y.data(), dy.data()));
  const auto names = problem.model->state_names();
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < names.size(); ++i) out[names[i]] = dy[i];
  return out;
}

std::map<std::string, double> state_by_name(const Config& c, const std::vector<double>& y) {
  const auto names = tilt::make_theory_problem(tilt::resolve(c), 0).model->state_names();
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < names.size(); ++i) out[names[i]] = y[i];
  return out;
}

TEST(PenaltyTerms, PerceptronL2AndConsolidation) {
  const Config base = Config::from_text(kPerceptron);
  const auto names = tilt::make_theory_problem(tilt::resolve(base), 0).model->state_names();
  ASSERT_EQ(names.size(), 8u);
  // A state after a switch, the anchor away from the weights (order as state_names: Q_r, Q_i, R, C_r, C_i, Q1_r,
  // Q1_i, R1; checked by name below).
  const std::vector<double> y{1.3, 0.7, 0.9, 1.1, 0.5, 1.2, 0.8, 0.6};
  const auto s = state_by_name(base, y);
  const double eta = 2.0, l2 = 0.3 + 0.1, gamma = 0.6;
  const Config pen = base.with({"perceptron.l2=0.3", "weight_decay=0.1", "perceptron.coupling=0.6"});
  for (std::size_t phase : {0, 1}) {
    const double g = phase > 0 ? gamma : 0.0;  // consolidation acts after the first switch only
    const auto with = rhs_by_name(pen, y, 0.8, phase), without = rhs_by_name(base, y, 0.8, phase);
    auto term = [&](const std::string& n) { return with.at(n) - without.at(n); };
    EXPECT_NEAR(term("R"), -eta * l2 * s.at("R") - eta * g * (s.at("R") - s.at("R1")), 1e-13) << phase;
    EXPECT_NEAR(term("Q_r"), -2 * eta * l2 * s.at("Q_r") - 2 * eta * g * (s.at("Q_r") - s.at("C_r")), 1e-13) << phase;
    EXPECT_NEAR(term("Q_i"), -2 * eta * l2 * s.at("Q_i") - 2 * eta * g * (s.at("Q_i") - s.at("C_i")), 1e-13) << phase;
    EXPECT_NEAR(term("C_r"), -eta * l2 * s.at("C_r") - eta * g * (s.at("C_r") - s.at("Q1_r")), 1e-13) << phase;
    EXPECT_NEAR(term("C_i"), -eta * l2 * s.at("C_i") - eta * g * (s.at("C_i") - s.at("Q1_i")), 1e-13) << phase;
    for (const char* frozen : {"Q1_r", "Q1_i", "R1"}) {
      EXPECT_EQ(with.at(frozen), 0.0) << frozen;
      EXPECT_EQ(without.at(frozen), 0.0) << frozen;
    }
  }
}

TEST(PenaltyTerms, XgmWeightDecays) {
  const Config base = Config::from_text(kXgm, {"eta_v=1.7", "xgm.K=3"});
  const double eta = 3.0, eta_v = 1.7, wd = 0.2, wd_v = 0.35;
  std::vector<double> y = tilt::make_theory_problem(tilt::resolve(base), 0).y0;
  for (std::size_t i = 0; i < y.size(); ++i) y[i] += 0.1 * std::sin(double(i) + 1);  // r away from 0
  const auto s = state_by_name(base, y);
  const auto with = rhs_by_name(base.with({"weight_decay=0.2", "weight_decay_v=0.35"}), y, 0.6, 0);
  const auto without = rhs_by_name(base, y, 0.6, 0);
  for (const auto& [name, value] : s) {
    const double term = with.at(name) - without.at(name);
    const double want = name[0] == 'v'   ? -eta_v * wd_v * value
                        : name[0] == 'r' ? -eta * wd * value
                                         : -2 * eta * wd * value;
    EXPECT_NEAR(term, want, 1e-12) << name;
  }
  // A frozen read-out does not move, with or without decay.
  const auto frozen = rhs_by_name(base.with({"xgm.train_readout=false", "weight_decay_v=0.35"}), y, 0.6, 0);
  for (int k = 1; k <= 3; ++k) EXPECT_EQ(frozen.at("v_" + std::to_string(k)), 0.0);
}

TEST(PenaltyTerms, ScmWeightDecays) {
  const char* text =
      "model = \"scm\"\neta = 0.9\neta_v = 0.4\n[scm]\nK = 3\nM = 2\ntrain_readout = true\n"
      "[sim]\nd = 100\n";
  const Config base = Config::from_text(text);
  const double eta = 0.9, eta_v = 0.4, wd = 0.25, wd_v = 0.15;
  const std::vector<double> y = tilt::make_theory_problem(tilt::resolve(base), 0).y0;
  const auto s = state_by_name(base, y);
  const auto with = rhs_by_name(base.with({"weight_decay=0.25", "weight_decay_v=0.15"}), y, 0.0, 0);
  const auto without = rhs_by_name(base, y, 0.0, 0);
  for (const auto& [name, value] : s) {
    const double term = with.at(name) - without.at(name);
    const double want = name[0] == 'v'   ? -eta_v * wd_v * value
                        : name[0] == 'R' ? -eta * wd * value
                                         : -2 * eta * wd * value;
    EXPECT_NEAR(term, want, 1e-12) << name;
  }
}

}  // namespace
