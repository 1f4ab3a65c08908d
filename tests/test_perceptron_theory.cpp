// The integrator on the perceptron: convergence as tolerances tighten, fixed-step methods converging at their
// order, exact stops at switches, protocols consistent with one another, initial conditions from a CSV row.
#include <gtest/gtest.h>

#include <cmath>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "support.hpp"
#include "theory/run.hpp"

namespace {

using tilt::Config;
using tilt::Trajectory;

const char* kBase = R"(
model = "perceptron"
t_max = 8.0
eta = 3.0
[curriculum]
protocol = "curriculum"
easy = 0.0
hard = 2.0
[output]
every = 0.5
[sim]
d = 1000
)";

Trajectory ode(const std::vector<std::string>& overrides) {
  return tilt::run_theory(tilt::resolve(Config::from_text(kBase, overrides))).members.at(0);
}

double max_diff(const Trajectory& a, const Trajectory& b, const std::string& column) {
  const std::size_t j = a.column(column);
  double m = 0;
  for (std::size_t i = 0; i < a.rows.size(); ++i) m = std::max(m, std::fabs(a.rows[i][j] - b.rows[i][j]));
  return m;
}

TEST(PerceptronTheory, TrajectoryConvergesAsTolerancesTighten) {
  const Trajectory reference = ode({"theory.method=rk8pd", "theory.rtol=1e-13", "theory.atol=1e-14"});
  double previous = 1;
  for (double rtol : {1e-4, 1e-6, 1e-8, 1e-10}) {
    const Trajectory t =
        ode({"theory.rtol=" + tilt::format_number(rtol), "theory.atol=" + tilt::format_number(rtol * 1e-2)});
    const double err = std::max(max_diff(t, reference, "R"), max_diff(t, reference, "Q_i"));
    EXPECT_LT(err, 50 * rtol) << "rtol " << rtol;
    EXPECT_LT(err, previous) << "rtol " << rtol;
    previous = err;
  }
  EXPECT_LT(previous, 1e-8);
}

// Fixed-step Euler converges at first order (halving dt halves the error); rk4 at fourth order.
TEST(PerceptronTheory, FixedStepMethodsConvergeAtTheirOrder) {
  const Trajectory reference = ode({"theory.method=rk8pd", "theory.rtol=1e-13", "theory.atol=1e-14"});
  const double e1 = max_diff(ode({"theory.method=euler", "theory.dt=0.02"}), reference, "eps");
  const double e2 = max_diff(ode({"theory.method=euler", "theory.dt=0.01"}), reference, "eps");
  EXPECT_NEAR(e1 / e2, 2.0, 0.2);
  const double r1 = max_diff(ode({"theory.method=rk4", "theory.dt=0.1"}), reference, "eps");
  const double r2 = max_diff(ode({"theory.method=rk4", "theory.dt=0.05"}), reference, "eps");
  EXPECT_NEAR(std::log2(r1 / r2), 4.0, 0.5);
  // The adaptive default is far more accurate than Euler at the classic dt = 0.01.
  EXPECT_LT(max_diff(ode({}), reference, "eps"), 1e-3 * e2);
}

// Up to the switch a curriculum is the easy protocol (to the tolerance: the easy run does not stop at t = 4, so the
// last step before it differs); with Delta_E = 0 the irrelevant norm Q_i cannot move before the switch, and it
// moves right after: the integrator stopped at the switch, not across it.
TEST(PerceptronTheory, StopsExactlyAtTheSwitch) {
  const Trajectory curriculum = ode({});
  const Trajectory easy = ode({"curriculum.protocol=\"easy\""});
  const std::size_t R = curriculum.column("R"), Q_i = curriculum.column("Q_i");
  for (std::size_t i = 0; i < curriculum.times.size(); ++i) {
    if (curriculum.times[i] > 4.0) break;
    EXPECT_NEAR(curriculum.rows[i][R], easy.rows[i][R], 1e-7) << "t = " << curriculum.times[i];
    EXPECT_EQ(curriculum.rows[i][Q_i], curriculum.rows[0][Q_i]);
  }
  EXPECT_GT(curriculum.rows[9][Q_i], curriculum.rows[0][Q_i] + 1e-3);  // t = 4.5
}

TEST(PerceptronTheory, CustomSegmentsReproduceTheCurriculum) {
  const Trajectory curriculum = ode({});
  const Trajectory custom = ode({"curriculum.protocol=custom", "curriculum.segments=[[0, 0.0], [4.0, 2.0]]"});
  EXPECT_LT(max_diff(curriculum, custom, "eps_mix"), 1e-14);
  const Trajectory anti = ode({"curriculum.protocol=anti"});
  const Trajectory custom_anti = ode({"curriculum.protocol=custom", "curriculum.segments=[[0, 2.0], [4.0, 0.0]]"});
  EXPECT_LT(max_diff(anti, custom_anti, "eps_mix"), 1e-14);
}

// Shuffled with p_E = 1 is the easy protocol; with p_E = 0 the hard one.
TEST(PerceptronTheory, ShuffledInterpolatesBetweenEasyAndHard) {
  EXPECT_LT(max_diff(ode({"curriculum.protocol=shuffled", "curriculum.easy_fraction=1.0"}),
                     ode({"curriculum.protocol=easy"}), "R"),
            1e-14);
  EXPECT_LT(max_diff(ode({"curriculum.protocol=shuffled", "curriculum.easy_fraction=0.0"}),
                     ode({"curriculum.protocol=hard"}), "R"),
            1e-14);
  const Trajectory mid = ode({"curriculum.protocol=shuffled"});
  const Trajectory easy = ode({"curriculum.protocol=easy"}), hard = ode({"curriculum.protocol=hard"});
  const std::size_t e = mid.column("eps_hard");
  EXPECT_LT(easy.rows.back()[e], mid.rows.back()[e]);
  EXPECT_LT(mid.rows.back()[e], hard.rows.back()[e]);
}

// Without noise in the inputs (Delta = 0) and at small eta, the student only grows along the teacher:
// the L2 penalty is the only force on Q_i, which decays as exp(-2 eta l2 t).
TEST(PerceptronTheory, L2PenaltyDecaysTheIrrelevantWeightsAtTheExactRate) {
  const Trajectory t = ode({"curriculum.protocol=easy", "perceptron.l2=0.05"});
  const std::size_t Q_i = t.column("Q_i");
  for (std::size_t i = 0; i < t.times.size(); ++i)
    EXPECT_NEAR(t.rows[i][Q_i], t.rows[0][Q_i] * std::exp(-2 * 3.0 * 0.05 * t.times[i]), 1e-7);
}

TEST(PerceptronTheory, ContinuesFromACsvRow) {
  tilt::testing::TempDir dir("continue");
  const Trajectory full = ode({"t_max=8.0"});
  tilt::Trajectory first;
  first = ode({"t_max=3.0", "curriculum.protocol=easy"});
  const std::string csv = dir.file("first.csv", tilt::to_csv(first));
  // Continue the easy phase for one more unit of time from the row at t = 3: must equal the easy run at t = 4.
  const Trajectory easy = ode({"curriculum.protocol=easy"});
  const Trajectory next = ode(
      {"curriculum.protocol=easy", "t_max=1.0", "theory.init=file", "theory.init_file=" + csv, "theory.init_t=3.0"});
  const std::size_t R = easy.column("R");
  EXPECT_NEAR(next.rows.back()[R], easy.rows[8][R], 1e-7);  // easy.times[8] = 4.0
  EXPECT_THROW(ode({"theory.init=file", "theory.init_file=" + csv, "theory.init_t=3.3"}), tilt::InputError);
}

TEST(PerceptronTheory, DivergenceIsReportedWithItsTime) {
  try {
    ode({"eta=1e6"});
    FAIL() << "no divergence reported";
  } catch (const tilt::RunError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("diverged at t = "), std::string::npos) << what;
    EXPECT_NE(what.find("blow-up bound"), std::string::npos) << what;
  }
}

}  // namespace
