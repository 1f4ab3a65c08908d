// Theory against SGD where no other test looked: the perceptron with an L2 penalty, and xgm with erf and tanh
// activations and with the logistic loss (each on the expectations that have no closed form: quadrature lines).
// Small on purpose (d = 500-800, 30 seeds, short t_max); each also shows that the term it is about changes the
// curves by more than the validation can resolve, so the agreement is not vacuous.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"
#include "validation_support.hpp"

namespace {

using tilt::Config;

// The one place that turns a validation run into a verdict (adapt here when the verdict API changes).
// The one place that turns a validation run into a verdict: 30 SGD runs, at the suite's false-alarm rate
// (tests/validation_support.hpp), CONSISTENT (which includes resolving 5% of each compared column's scale).
tilt::ValidationRun expect_agrees(const Config& c) {
  tilt::ValidationRun run = tilt::validate_experiment(tilt::resolve(c.with(tilt::testing::strict({"sim.seeds=30"}))));
  EXPECT_EQ(run.agreement.verdict, tilt::Verdict::Consistent)
      << run.agreement.table() << tilt::verdict_line(run.agreement, nullptr);
  EXPECT_GE(run.agreement.bias.points, 16u);
  return run;
}

// max over `columns` of |theory(config) - theory(without the term)| at t_max, in units of the simulation's
// standard error there: the validation resolves the term when this is well above the critical |z| (~3-4).
double effect_in_standard_errors(const tilt::ValidationRun& run, const Config& without,
                                 const std::vector<std::string>& columns) {
  const tilt::Trajectory other = tilt::run_theory(tilt::resolve(without)).members[0];
  const auto& theory = run.theory_summary.mean;
  const auto& sim = run.sim_summary;
  const std::size_t last = theory.rows.size() - 1;
  double largest = 0;
  for (const auto& column : columns) {
    const double diff = std::fabs(theory.rows[last][theory.column(column)] - other.rows[last][other.column(column)]);
    largest = std::max(largest, diff / sim.se[last][sim.mean.column(column)]);
  }
  std::cout << "effect of the term: " << largest << " standard errors\n";
  return largest;
}

TEST(MoreValidation, PerceptronWithL2) {
  // Delta_E > 0: with Delta = 0 the irrelevant weights only shrink, deterministically, so Q_i has no spread over
  // seeds and its O(1/d) discretisation difference (1 - eta l2/d)^(2n) vs exp(-2 eta l2 t) has z = infinity.
  const Config c = Config::from_text(R"(
model = "perceptron"
seed = 4
t_max = 4.0
eta = 2.0
[perceptron]
l2 = 0.3
[curriculum]
protocol = "curriculum"
easy = 0.3
[output]
every = 0.5
[sim]
d = 800
seeds = 6
)");
  const tilt::ValidationRun run = expect_agrees(c);
  EXPECT_GT(effect_in_standard_errors(run, c.with({"perceptron.l2=0.0"}), {"Q_r"}), 50.0);
  EXPECT_GT(effect_in_standard_errors(run, c.with({"perceptron.l2=0.15"}), {"Q_r"}),
            20.0);  // and its size: half of it is resolved too
}

// A linearly separable pair of clusters, so odd activations learn (no XOR fixed point) and r moves at O(1) speed.
const char* kSeparable = R"(
model = "xgm"
seed = 3
t_max = 3.0
eta = 2.0
[curriculum]
protocol = "curriculum"
easy = 0.1
hard = 1.0
[output]
every = 0.5
[theory]
rtol = 1e-6
atol = 1e-9
[sim]
d = 600
seeds = 5
[xgm]
K = 3
sigma = 0.3
clusters = [[1.0, 0.3, 1, 0.5], [-1.0, -0.3, -1, 0.5]]
lines = 256
observable_lines = 1024
diagnostics = false
)";

TEST(MoreValidation, XgmErf) {
  const Config c = Config::from_text(kSeparable, {"xgm.activation=erf", "weight_decay=0.2"});
  const tilt::ValidationRun run = expect_agrees(c);
  EXPECT_GT(effect_in_standard_errors(run, c.with({"weight_decay=0.0"}), {"Qperp_1_1", "Qperp_2_2", "Qperp_3_3"}),
            50.0);
}

TEST(MoreValidation, XgmTanh) {
  const Config c = Config::from_text(kSeparable, {"xgm.activation=tanh", "weight_decay_v=1.0"});
  const tilt::ValidationRun run = expect_agrees(c);
  EXPECT_GT(effect_in_standard_errors(run, c.with({"weight_decay_v=0.0"}), {"v_1", "v_2", "v_3"}), 30.0);
}

TEST(MoreValidation, XgmLogisticLoss) {
  // relu on the XOR preset with the logistic loss; separately tanh with the logistic loss on the separable pair.
  const Config xor_relu = Config::from_text(kSeparable, {"xgm.loss=logistic", "xgm.clusters=[]", "xgm.K=4", "eta=3.0",
                                                         "xgm.lines=128", "xgm.observable_lines=512"});
  const tilt::ValidationRun run = expect_agrees(xor_relu);
  EXPECT_GT(effect_in_standard_errors(run, xor_relu.with({"xgm.loss=square"}), {"v_1", "v_2", "v_3", "v_4"}), 30.0);
  expect_agrees(Config::from_text(kSeparable, {"xgm.loss=logistic", "xgm.activation=tanh"}));
}

}  // namespace
