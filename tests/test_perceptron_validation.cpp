// Theory against simulation for the perceptron: every protocol, elastic consolidation, reproducibility over
// thread counts, the power of the check, and the finite-size scaling of the discrepancy.
#include <gtest/gtest.h>

#include "core/config.hpp"
#include "core/io.hpp"
#include "sim/run.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"

namespace {

using tilt::Config;

const char* kBase = R"(
model = "perceptron"
seed = 3
t_max = 6.0
eta = 3.0
[curriculum]
easy = 0.0
hard = 2.0
[output]
every = 0.5
[sim]
d = 1000
seeds = 8
)";

class PerceptronProtocols : public ::testing::TestWithParam<std::string> {};

TEST_P(PerceptronProtocols, TheoryAgreesWithSimulation) {
  const Config config = Config::from_text(kBase, {"curriculum.protocol=" + GetParam()});
  const tilt::ValidationRun run = tilt::validate_experiment(config);
  EXPECT_TRUE(run.agreement.consistent) << run.agreement.table();
  EXPECT_GT(run.agreement.points, 50u);
}

INSTANTIATE_TEST_SUITE_P(All, PerceptronProtocols,
                         ::testing::Values("curriculum", "anti", "shuffled", "easy", "hard"));

TEST(PerceptronValidation, ElasticConsolidationAgreesWithSimulation) {
  for (const char* protocol : {"curriculum", "anti"}) {
    const Config config = Config::from_text(kBase, {std::string("curriculum.protocol=") + protocol,
                                                    "perceptron.coupling=1.0"});
    const tilt::ValidationRun run = tilt::validate_experiment(config);
    EXPECT_TRUE(run.agreement.consistent) << protocol << "\n" << run.agreement.table();
    // The anchor overlaps are compared too, and consolidation really acts: C_r stays near Q_r after the switch.
    const auto& th = run.theory_summary.mean;
    EXPECT_NO_THROW(th.column("C_r"));
    const double gap = th.rows.back()[th.column("Q_r")] - th.rows.back()[th.column("C_r")];
    const Config free = config.with({"perceptron.coupling=0.0"});
    const tilt::Trajectory unconstrained = tilt::run_theory(free).members[0];
    const tilt::Trajectory anchored = tilt::run_theory(config).members[0];
    EXPECT_NE(unconstrained.rows.back()[unconstrained.column("R")], anchored.rows.back()[anchored.column("R")]);
    EXPECT_GT(gap, -1e-12);
  }
}

// Per-seed initial conditions (sim.same_init = false): each seed's ODE starts from that seed's own weights.
TEST(PerceptronValidation, EnsemblesOfInitialConditionsAgreeMemberByMember) {
  const Config config = Config::from_text(kBase, {"curriculum.protocol=curriculum", "sim.same_init=false"});
  const tilt::ValidationRun run = tilt::validate_experiment(config);
  EXPECT_TRUE(run.agreement.consistent) << run.agreement.table();
  EXPECT_NE(run.theory[0].rows[0][0], run.theory[1].rows[0][0]);  // different initial Q_r
  for (std::size_t m = 0; m < run.sim.size(); ++m) EXPECT_EQ(run.sim[m].rows[0], run.theory[m].rows[0]);
}

// The check has power: a theory with a 5% wrong learning rate is rejected.
TEST(PerceptronValidation, DetectsAWrongTheory) {
  const Config config = Config::from_text(kBase, {"curriculum.protocol=curriculum"});
  const tilt::SimResult sim = tilt::run_sim(config);
  const tilt::Trajectory wrong = tilt::run_theory(config.with({"eta=3.15"})).members[0];
  const std::vector<tilt::Trajectory> theory(sim.members.size(), wrong);
  EXPECT_FALSE(tilt::compare_members(sim.members, theory, 0.01).consistent);
}

// Same config and seed: bit-identical output on 1 and 2 threads, for the simulation and the theory ensemble.
TEST(PerceptronValidation, BitIdenticalForAnyThreadCount) {
  const Config one = Config::from_text(kBase, {"curriculum.protocol=shuffled", "sim.seeds=3", "sim.threads=1",
                                               "theory.ensemble=3"});
  const Config two = one.with({"sim.threads=2"});
  EXPECT_EQ(tilt::to_csv(tilt::run_sim(one).ensemble), tilt::to_csv(tilt::run_sim(two).ensemble));
  EXPECT_EQ(tilt::to_csv(tilt::run_theory(one).ensemble), tilt::to_csv(tilt::run_theory(two).ensemble));
}

// The RMS deviation of single SGD runs from the ODE falls like N^(-1/2) (N = 500, 2000, 8000), for the overlap
// with the teacher (nonlinear observables such as eps carry an extra O(1/N) bias that steepens the fit at small N).
TEST(PerceptronValidation, DiscrepancyFallsWithN) {
  const Config config = Config::from_text(kBase, {"curriculum.protocol=curriculum", "t_max=2.0", "sim.seeds=12",
                                                  "output.every=0.25"});
  const tilt::Scaling s = tilt::finite_size_scaling(config, "R", {500, 2000, 8000});
  EXPECT_GT(s.points[0].discrepancy, s.points[1].discrepancy) << s.table();
  EXPECT_GT(s.points[1].discrepancy, s.points[2].discrepancy) << s.table();
  EXPECT_NEAR(s.exponent, -0.5, std::max(0.15, 3 * s.exponent_se)) << s.table();
  EXPECT_TRUE(s.points[1].agreement.consistent && s.points[2].agreement.consistent) << s.table();
}

}  // namespace
