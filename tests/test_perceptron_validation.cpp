// Theory against simulation for the perceptron: every protocol and elastic consolidation pass at the suite's
// false-alarm rate; the verdict has power (a 5% wrong learning rate, one eta^2 term with the wrong sign, the
// d = 10 perceptron, two seeds, a theory that tracks single runs badly); reproducibility over thread counts;
// and member-wise tracking, whose discrepancy falls like d^-1/2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "core/config.hpp"
#include "core/io.hpp"
#include "core/rng.hpp"
#include "sim/run.hpp"
#include "support.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"
#include "validation_support.hpp"

namespace {

using tilt::Config;
using tilt::Verdict;
using tilt::testing::strict;

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
seeds = 40
)";

class PerceptronProtocols : public ::testing::TestWithParam<std::string> {};

TEST_P(PerceptronProtocols, TheoryAgreesWithSimulation) {
  const Config config = Config::from_text(kBase, strict({"curriculum.protocol=" + GetParam()}));
  const tilt::ValidationRun run = tilt::validate_experiment(tilt::resolve(config));
  EXPECT_EQ(run.agreement.verdict, Verdict::Consistent)
      << run.agreement.table() << tilt::verdict_line(run.agreement, nullptr);
  EXPECT_GE(run.agreement.bias.points, 24u);  // 3 pre-registered columns x 12 times, less Q_i while Delta = 0
}

INSTANTIATE_TEST_SUITE_P(All, PerceptronProtocols, ::testing::Values("curriculum", "anti", "shuffled", "easy", "hard"));

TEST(PerceptronValidation, ElasticConsolidationAgreesWithSimulation) {
  for (const char* protocol : {"curriculum", "anti"}) {
    const Config config = Config::from_text(kBase, strict({std::string("curriculum.protocol=") + protocol,
                                                           "perceptron.coupling=1.0", "validate.columns=all"}));
    const tilt::ValidationRun run = tilt::validate_experiment(tilt::resolve(config));
    EXPECT_EQ(run.agreement.verdict, Verdict::Consistent) << protocol << "\n" << run.agreement.table();
    const auto& th = run.theory_summary.mean;
    const auto& sim = run.sim_summary;
    // At the switch (t = 3, row 6) the anchor becomes the weights: C = Q exactly, in the theory and in every run.
    const std::size_t s = 6, last = th.rows.size() - 1;
    ASSERT_EQ(th.times[s], 3.0);
    EXPECT_NEAR(th.rows[s][th.column("C_r")], th.rows[s][th.column("Q_r")], 1e-12) << protocol;
    EXPECT_NEAR(th.rows[s][th.column("C_i")], th.rows[s][th.column("Q_i")], 1e-12) << protocol;
    for (const auto& m : run.sim) {
      EXPECT_NEAR(m.rows[s][m.column("C_r")], m.rows[s][m.column("Q_r")], 1e-12) << protocol;
      EXPECT_NEAR(m.rows[s][m.column("C_i")], m.rows[s][m.column("Q_i")], 1e-12) << protocol;
    }
    // Consolidation acts, by more than the validation resolves: the squared distance to the anchor
    // |w - w1|^2 = Q - 2C + Q(t_switch) at t_max, with coupling 1 against (practically) none, in the theory; and
    // the theory without it is many standard errors away from the simulation in some column.
    const Config free_config = config.with({"perceptron.coupling=1e-12"});
    const tilt::Trajectory free = tilt::run_theory(tilt::resolve(free_config)).members[0];
    auto distance = [&](const tilt::Trajectory& t, const std::string& part) {
      return t.rows[last][t.column("Q_" + part)] - 2 * t.rows[last][t.column("C_" + part)] +
             t.rows[s][t.column("Q_" + part)];
    };
    const bool easy_after_switch = std::string(protocol) == "anti";
    if (easy_after_switch) {  // Delta = 0 and no L2: nothing moves w_i after the switch, with or without coupling
      EXPECT_NEAR(distance(th, "i"), 0.0, 1e-12);
      EXPECT_NEAR(distance(free, "i"), 0.0, 1e-12);
    }
    for (const char* part : {"r", "i"}) {
      if (easy_after_switch && std::string(part) == "i") continue;
      const double anchored = distance(th, part), unconstrained = distance(free, part);
      // dD/dt = S - 2 eta gamma D with D = 0 at the switch (docs/theory/perceptron.md): for a steady source S the
      // anchored distance saturates at S/(2 eta gamma) = S/6 while the free one grows to S (t_max - t_switch) = 3S,
      // a ratio of 1/18; the bound allows a source that varies (measured: 0.06 to 0.11).
      std::cout << protocol << ": |w_" << part << " - w1_" << part << "|^2 at t_max " << anchored << " anchored, "
                << unconstrained << " free\n";
      EXPECT_LT(anchored, 0.3 * unconstrained) << protocol << " part " << part;
      EXPECT_GT(anchored, 0.0) << protocol << " part " << part;
      EXPECT_NEAR(distance(sim.mean, part), anchored,
                  5 * (sim.se[last][sim.mean.column("Q_" + std::string(part))] +
                       2 * sim.se[last][sim.mean.column("C_" + std::string(part))]))
          << protocol << " part " << part;
    }
    double largest_z = 0;
    for (const char* column : {"Q_r", "Q_i", "R", "eps"}) {
      const std::size_t j = sim.mean.column(column);
      largest_z = std::max(largest_z,
                           std::fabs(free.rows[last][free.column(column)] - sim.mean.rows[last][j]) / sim.se[last][j]);
    }
    std::cout << protocol << ": theory without consolidation is " << largest_z << " standard errors off\n";
    EXPECT_GT(largest_z, 3 * run.agreement.bias.max_threshold) << protocol;
  }
}

// Per-seed initial conditions (sim.same_init = false): each seed's ODE starts from that seed's own weights, and
// the lottery tests run too (here uninformative: eps never reaches eps* = 0.05 by t = 6).
TEST(PerceptronValidation, EnsemblesOfInitialConditionsAgreeMemberByMember) {
  const Config config = Config::from_text(kBase, strict({"curriculum.protocol=curriculum", "sim.same_init=false"}));
  const tilt::ValidationRun run = tilt::validate_experiment(tilt::resolve(config));
  EXPECT_EQ(run.agreement.verdict, Verdict::Consistent) << run.agreement.table();
  EXPECT_TRUE(run.agreement.has_lottery);
  EXPECT_NE(run.theory[0].rows[0][0], run.theory[1].rows[0][0]);  // different initial Q_r
  for (std::size_t m = 0; m < run.sim.size(); ++m) EXPECT_EQ(run.sim[m].rows[0], run.theory[m].rows[0]);
}

// Power: a theory whose learning rate is 5% off (either way) is rejected, and so is one whose eta^2 term of Q_i
// or of Q_r has the wrong sign.
TEST(PerceptronValidation, DetectsAFivePercentErrorInEta) {
  const Config config = Config::from_text(kBase, strict({"curriculum.protocol=curriculum"}));
  const tilt::SimResult sim = tilt::run_sim(tilt::resolve(config));
  const tilt::ValidationOptions options =
      tilt::validation_options(tilt::resolve(config), sim.members[0].columns, tilt::Tracking::NotTested);
  for (double eta : {3.15, 2.85}) {
    const auto a = tilt::compare_members(sim.members, tilt::testing::theory_at_eta(config, eta, 40), options);
    EXPECT_EQ(a.verdict, Verdict::Inconsistent) << "eta " << eta << "\n" << a.table();
  }
}

TEST(PerceptronValidation, DetectsAWrongSignInAnEtaSquaredTerm) {
  // A flipped eta^2 term drives Q out of its domain (the ODE then stops with a domain error, its own
  // detection): at eta = 3 within t < 0.4, at eta = 1 after t = 2.5. Over t <= 2 at eta = 1 the state stays valid
  // and the error must be caught statistically.
  for (const auto& [component, set] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"Q_r", {"curriculum.protocol=curriculum", "eta=1", "t_max=2"}},
           {"Q_i", {"curriculum.protocol=anti", "eta=1", "t_max=2"}}}) {
    const Config config = Config::from_text(kBase, strict(set));
    const tilt::SimResult sim = tilt::run_sim(tilt::resolve(config));
    const tilt::ValidationOptions options =
        tilt::validation_options(tilt::resolve(config), sim.members[0].columns, tilt::Tracking::NotTested);
    const auto a =
        tilt::compare_members(sim.members, tilt::testing::theory_flipping_eta2(config, component, 40), options);
    EXPECT_EQ(a.verdict, Verdict::Inconsistent) << component << "\n" << a.table();
  }
}

// The shipped example at d = 10 (far from the d -> infinity limit) and at its default settings is not passed;
// neither is any validation with two seeds, which cannot resolve anything.
TEST(PerceptronValidation, DoesNotPassDTenOrTwoSeeds) {
  const Config example = Config::from_file(tilt::testing::source_path("examples/perceptron_curriculum.toml"));
  const tilt::ValidationRun d10 = tilt::validate_experiment(tilt::resolve(example.with({"sim.d=10"})));
  EXPECT_NE(d10.agreement.verdict, Verdict::Consistent) << d10.agreement.table();
  const tilt::ValidationRun two = tilt::validate_experiment(tilt::resolve(example.with({"sim.seeds=2", "sim.d=500"})));
  EXPECT_EQ(two.agreement.verdict, Verdict::Inconclusive) << two.agreement.table();
  EXPECT_FALSE(std::isfinite(two.agreement.bias.max_threshold));
}

// A theory that tracks single runs worse must not pass more easily: the correct ODE plus an independent
// zero-mean error per member (sd 0.3 in every column: a theory that follows single runs far worse than SGD noise)
// widens the paired spread; the verdict then says it cannot resolve the tolerance, never CONSISTENT.
TEST(PerceptronValidation, PoorTrackingIsInconclusiveNotConsistent) {
  const Config config = Config::from_text(kBase, strict({"curriculum.protocol=curriculum"}));
  const tilt::ValidationRun run = tilt::validate_experiment(tilt::resolve(config));
  ASSERT_EQ(run.agreement.verdict, Verdict::Consistent) << run.agreement.table();
  std::vector<tilt::Trajectory> jittered = run.theory;
  tilt::Rng rng(7, tilt::Stream::Validation, 99);
  for (auto& tr : jittered)
    for (auto& row : tr.rows)
      for (double& v : row) v += 0.3 * rng.normal();
  const auto a = tilt::compare_members(run.sim, jittered, run.options);
  EXPECT_EQ(a.verdict, Verdict::Inconclusive) << a.table();
  EXPECT_GT(a.bias.columns[0].detectable, run.agreement.bias.columns[0].detectable * 10);
}

// Same config and seed: bit-identical output on 1 and 2 threads, for the simulation and the theory ensemble.
TEST(PerceptronValidation, BitIdenticalForAnyThreadCount) {
  const Config one =
      Config::from_text(kBase, {"curriculum.protocol=shuffled", "sim.seeds=3", "sim.threads=1", "theory.ensemble=3"});
  const Config two = one.with({"sim.threads=2"});
  EXPECT_EQ(tilt::to_csv(tilt::run_sim(tilt::resolve(one)).ensemble),
            tilt::to_csv(tilt::run_sim(tilt::resolve(two)).ensemble));
  EXPECT_EQ(tilt::to_csv(tilt::run_theory(tilt::resolve(one)).ensemble),
            tilt::to_csv(tilt::run_theory(tilt::resolve(two)).ensemble));
}

// Member-wise tracking: the RMS deviation of single SGD runs from their ODE falls like d^(-1/2) (d = 500, 2000,
// 8000) for the overlap with the teacher; the tracking test passes and can tell d^-1/2 from no convergence.
TEST(PerceptronValidation, MemberwiseDiscrepancyFallsLikeInverseSqrtD) {
  const Config config = Config::from_text(
      kBase, strict({"curriculum.protocol=curriculum", "t_max=2.0", "sim.seeds=12", "output.every=0.25"}));
  std::vector<tilt::ResolvedExperiment> at_dims;
  for (const char* d : {"sim.d=500", "sim.d=2000", "sim.d=8000"}) at_dims.push_back(tilt::resolve(config.with({d})));
  const tilt::Scaling s = tilt::finite_size_scaling(tilt::resolve(config), at_dims, "R");
  const auto& tr = s.tracking;
  EXPECT_GT(tr.points[0].discrepancy, tr.points[1].discrepancy) << s.table();
  EXPECT_GT(tr.points[1].discrepancy, tr.points[2].discrepancy) << s.table();
  EXPECT_NEAR(tr.exponent, -0.5, std::max(0.15, 3 * tr.exponent_se)) << s.table();
  EXPECT_FALSE(tr.rejected) << s.table();
  EXPECT_TRUE(tr.resolved) << s.table();
}

}  // namespace
