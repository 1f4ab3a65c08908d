// Tests written to kill mutants that survived the suite (issue 29, point 6): t* at the first crossing of a
// non-monotone curve; xgm's SGD step cost with weight decay against an operation count; and ensemble members that
// must not share a random stream (SGD samples, initial weights of SGD and theory members, SDE noise).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/trajectory.hpp"
#include "sim/run.hpp"
#include "sweep/spec.hpp"
#include "theory/run.hpp"
#include "validate/lottery.hpp"

namespace {

using tilt::Config;
using tilt::Trajectory;

// eps = 0.5, 0.3, 0.1, 0.4, 0.05 at t = 0..4 crosses eps* = 0.2 downwards twice: first between t = 1 and 2, at
// t = 1 + (0.3 - 0.2) / (0.3 - 0.1) = 1.5, again between t = 3 and 4, at 3 + 0.2 / 0.35 = 3.571. t* is the first.
// Every path that computes t* (the helper, per member, the ensemble metrics, the lottery) gives 1.5.
TEST(TimeToThreshold, IsTheFirstCrossingOfANonMonotoneCurve) {
  const std::vector<double> times{0, 1, 2, 3, 4}, eps{0.5, 0.3, 0.1, 0.4, 0.05};
  EXPECT_DOUBLE_EQ(tilt::time_to_threshold(times, eps, 0.2), 1.5);
  EXPECT_DOUBLE_EQ(tilt::time_to_threshold(times, {0.5, 0.3, 0.25, 0.4, 0.3}, 0.2), INFINITY);
  EXPECT_DOUBLE_EQ(tilt::time_to_threshold(times, {0.1, 0.3, 0.1, 0.4, 0.05}, 0.2), 0.0);
  Trajectory tr;
  tr.columns = {"eps"};
  tr.times = times;
  for (double e : eps) tr.rows.push_back({e});
  const std::vector<Trajectory> members{tr, tr};
  EXPECT_DOUBLE_EQ(tilt::member_t_stars(members, "eps", 0.2)[1], 1.5);
  EXPECT_DOUBLE_EQ(tilt::ensemble_metrics(members, "eps", 0.2).t_star_median, 1.5);
  const tilt::LotteryTest l = tilt::lottery_test(members, members, "eps", 0.2, 4.0, 0.01);
  EXPECT_DOUBLE_EQ(l.t_star_sim[0], 1.5);
  EXPECT_DOUBLE_EQ(l.t_star_theory[1], 1.5);
}

// The multiply-adds of one xgm SGD step, counted operation by operation on a plain re-statement of the step of
// models/xgm/sim/xgm_sgd.cpp (one count per multiply or multiply-add on the student's weights, the output and the
// read-out; the sampling and the teacher's label are not counted, as docs/sweep.md defines the cost).
double counted_xgm_step(int K, long long d, bool weight_decay, bool train_readout) {
  double count = 0;
  for (int k = 0; k < K; ++k)
    for (long long i = 0; i < d; ++i) ++count;  // lambda_k += W_ki x_i
  for (int k = 0; k < K; ++k) ++count;          // f += c_K v_k g(lambda_k)
  for (int k = 0; k < K; ++k) ++count;          // G_k = e c_K v_k g'(lambda_k)
  if (weight_decay)
    for (int k = 0; k < K; ++k)
      for (long long i = 0; i < d; ++i) ++count;  // W_ki *= 1 - step wd
  for (int k = 0; k < K; ++k)
    for (long long i = 0; i < d; ++i) ++count;  // W_ki += step G_k x_i
  if (train_readout)
    for (int k = 0; k < K; ++k) ++count;  // v_k += sv (c_K e g(lambda_k) - wd_v v_k)
  return count;
}

TEST(StepCost, XgmCountsTheWeightDecayAndTheReadOut) {
  for (int K : {1, 3}) {
    for (bool decay : {false, true}) {
      for (bool readout : {false, true}) {
        const std::string text = "model = \"xgm\"\nweight_decay = " + std::string(decay ? "0.05" : "0") +
                                 "\n[sim]\nd = 40\n[xgm]\nK = " + std::to_string(K) +
                                 "\ntrain_readout = " + (readout ? "true" : "false") + "\n";
        EXPECT_EQ(tilt::sgd_step_multiply_adds(tilt::resolve(Config::from_text(text))),
                  counted_xgm_step(K, 40, decay, readout))
            << text;
      }
    }
  }
  // The hand count of one case: K = 2, d = 10 with weight decay and a trained read-out, 3 K d + 3 K = 66.
  EXPECT_EQ(tilt::sgd_step_multiply_adds(
                tilt::resolve(Config::from_text("model = \"xgm\"\nweight_decay = 0.1\n[sim]\nd = 10\n[xgm]\nK = 2\n"))),
            66.0);
}

// The noise of each member: per output interval, the change of `column` in the member's run minus the change in
// its deterministic twin (the ODE from the same initial state). Rows: members; columns: the intervals.
std::vector<std::vector<double>> member_noise(const std::vector<Trajectory>& runs, const std::vector<Trajectory>& twins,
                                              const std::string& column) {
  std::vector<std::vector<double>> out;
  for (std::size_t m = 0; m < runs.size(); ++m) {
    const std::size_t j = runs[m].column(column);
    const Trajectory& twin = twins[std::min(m, twins.size() - 1)];
    std::vector<double> n;
    for (std::size_t i = 1; i < runs[m].rows.size(); ++i)
      n.push_back((runs[m].rows[i][j] - runs[m].rows[i - 1][j]) - (twin.rows[i][j] - twin.rows[i - 1][j]));
    out.push_back(n);
  }
  return out;
}

// Mean over neighbouring members (m, m + 1) of the correlation of their noise over the intervals. Independent
// streams: each correlation has mean 0 and standard deviation 1/sqrt(intervals) (increments of disjoint intervals
// are uncorrelated), so the mean over P pairs has standard deviation at most 1/sqrt(P intervals); a shared stream
// makes it close to 1.
double neighbour_correlation(const std::vector<std::vector<double>>& noise) {
  double sum = 0;
  for (std::size_t m = 0; m + 1 < noise.size(); ++m) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < noise[m].size(); ++i) {
      ab += noise[m][i] * noise[m + 1][i];
      aa += noise[m][i] * noise[m][i];
      bb += noise[m + 1][i] * noise[m + 1][i];
    }
    sum += ab / std::sqrt(aa * bb);
  }
  return sum / double(noise.size() - 1);
}

const char* kStreams =
    "model = \"perceptron\"\nseed = 4\nt_max = 2.0\neta = 1.0\n[curriculum]\nprotocol = \"hard\"\nhard = 1.0\n"
    "[output]\nevery = 0.05\n[sim]\nd = 200\nseeds = 16\nthreads = 2\n[theory]\nensemble = 16\n";

void expect_pairwise_different(const std::vector<Trajectory>& members, std::size_t row, const std::string& what) {
  for (std::size_t a = 0; a < members.size(); ++a)
    for (std::size_t b = a + 1; b < members.size(); ++b)
      EXPECT_NE(members[a].rows[row], members[b].rows[row]) << what << ": members " << a << " and " << b;
}

// SGD members from one initial condition (sim.same_init = true) draw their own samples: no two are alike, and their
// noise around the ODE is uncorrelated across members (16 members, 40 intervals: the mean neighbour correlation has
// standard deviation at most 0.04; bound 0.2).
TEST(MemberStreams, SgdMembersDrawTheirOwnSamples) {
  const Config c = Config::from_text(kStreams);
  const tilt::SimResult sim = tilt::run_sim(tilt::resolve(c));
  const tilt::TheoryResult ode = tilt::run_theory_members(tilt::resolve(c), 1);
  expect_pairwise_different(sim.members, sim.members[0].rows.size() - 1, "same_init: final rows");
  for (const char* column : {"R", "Q_i"}) {
    const double r = neighbour_correlation(member_noise(sim.members, ode.members, column));
    std::printf("SGD, %s: mean neighbour correlation of the noise %.3f\n", column, r);
    EXPECT_LT(std::fabs(r), 0.2) << column;
  }
}

// With sim.same_init = false member m starts from the weights of seed + m, and theory member m from the same ones
// (its twin): the initial rows differ pairwise and each twin's equals its SGD member's. Their SGD noise is again
// uncorrelated across members (a shared sample stream would correlate it even from different weights).
TEST(MemberStreams, MembersStartFromTheirOwnWeightsAndTheirTwinsFromTheSame) {
  const Config c = Config::from_text(kStreams).with({"sim.same_init=false"});
  const tilt::SimResult sim = tilt::run_sim(tilt::resolve(c));
  const tilt::TheoryResult ode = tilt::run_theory(tilt::resolve(c));
  ASSERT_EQ(ode.members.size(), sim.members.size());
  expect_pairwise_different(sim.members, 0, "SGD initial rows");
  expect_pairwise_different(ode.members, 0, "theory initial rows");
  for (std::size_t m = 0; m < sim.members.size(); ++m)
    for (std::size_t j = 0; j < sim.members[m].rows[0].size(); ++j)
      EXPECT_NEAR(ode.members[m].rows[0][j], sim.members[m].rows[0][j], 1e-12) << "member " << m << ", column " << j;
  const double r = neighbour_correlation(member_noise(sim.members, ode.members, "R"));
  std::printf("SGD from own weights: mean neighbour correlation of the noise %.3f\n", r);
  EXPECT_LT(std::fabs(r), 0.2);
}

// SDE members from one nominal initial state draw their own noise paths: no two alike, noise uncorrelated.
TEST(MemberStreams, SdeMembersDrawTheirOwnNoise) {
  const Config c = Config::from_text(kStreams).with({"theory.init=nominal"});
  const tilt::TheoryResult sde = tilt::run_theory(tilt::resolve(c.with({"theory.noise=sde"})));
  const tilt::TheoryResult ode = tilt::run_theory_members(tilt::resolve(c), 1);
  expect_pairwise_different(sde.members, sde.members[0].rows.size() - 1, "SDE final rows");
  for (const char* column : {"R", "Q_i"}) {
    const double r = neighbour_correlation(member_noise(sde.members, ode.members, column));
    std::printf("SDE, %s: mean neighbour correlation of the noise %.3f\n", column, r);
    EXPECT_LT(std::fabs(r), 0.2) << column;
  }
}

// A sweep's points draw their seeds from the sweep's stream, one per point index: 2000 points (and the same indices
// under a neighbouring sweep seed) give 4000 distinct seeds, so no two points share a stream.
TEST(MemberStreams, SweepPointsHaveTheirOwnSeeds) {
  std::set<long long> seeds;
  for (long long sweep_seed : {5LL, 6LL})
    for (std::size_t index = 0; index < 2000; ++index) seeds.insert(tilt::point_seed(sweep_seed, index));
  EXPECT_EQ(seeds.size(), 4000u);
}

}  // namespace
