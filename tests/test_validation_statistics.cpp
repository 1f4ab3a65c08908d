// The statistics behind `tilt validate`, on synthetic data where the truth is known: the sign-flip calibrated
// bias test holds its false-alarm rate under the null (with correlated points and heavy tails) and has power
// against a shift; the tracking test's exponent and its bootstrap error; the exact tests against reference values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "core/rng.hpp"
#include "validate/bias.hpp"
#include "validate/statistics.hpp"
#include "validate/tracking.hpp"

namespace {

using tilt::Trajectory;

// S members, P times, one column "x": member m's difference from its "theory" (all zero) is a random walk in t
// (strongly correlated points), Student-t-like heavy tails by a random scale per member, plus `shift`.
void synthetic(std::size_t S, std::size_t P, double shift, tilt::Rng& rng, std::vector<Trajectory>& sim,
               std::vector<Trajectory>& theory) {
  sim.assign(S, Trajectory{});
  theory.assign(S, Trajectory{});
  for (std::size_t m = 0; m < S; ++m) {
    for (auto* tr : {&sim[m], &theory[m]}) {
      tr->columns = {"x"};
      for (std::size_t i = 0; i <= P; ++i) tr->times.push_back(double(i));
    }
    const double scale = 1.0 / std::max(0.3, std::fabs(rng.normal()));  // heavy-tailed member scales
    double walk = 0;
    for (std::size_t i = 0; i <= P; ++i) {
      if (i > 0) walk += rng.normal();
      sim[m].rows.push_back({i == 0 ? 0.0 : scale * walk + shift});
      theory[m].rows.push_back({0.0});
    }
  }
}

double rejection_rate(std::size_t S, double shift, double alpha, int trials) {
  tilt::Rng rng(11, tilt::Stream::Validation, 7);
  tilt::BiasOptions o;
  o.columns = {"x"};
  o.alpha = alpha;
  o.resamples = 4000;
  int rejected = 0;
  std::vector<Trajectory> sim, theory;
  for (int k = 0; k < trials; ++k) {
    synthetic(S, 20, shift, rng, sim, theory);
    o.seed = std::uint64_t(k + 1);
    rejected += tilt::bias_test(sim, theory, o).rejected;
  }
  return double(rejected) / trials;
}

// Under the null the rate stays at or below alpha (exact for the enumerated case S = 9, Monte Carlo for S = 16);
// the bound allows 3 binomial standard errors. A Bonferroni bound over these 20 correlated points would be
// conservative; a calibration that ignored the heavy tails would exceed alpha.
TEST(BiasTest, HoldsItsFalseAlarmRateUnderTheNull) {
  const int trials = 1000;
  for (std::size_t S : {9u, 16u}) {
    const double alpha = 0.1, rate = rejection_rate(S, 0.0, alpha, trials);
    std::printf("S = %zu: false-alarm rate %.3f at alpha %.2f\n", S, rate, alpha);
    EXPECT_LE(rate, alpha + 3 * std::sqrt(alpha * (1 - alpha) / trials)) << "S = " << S;
    EXPECT_GE(rate, 0.3 * alpha) << "S = " << S << ": a test that never rejects is useless";
  }
}

TEST(BiasTest, HasPowerAgainstAShift) {
  // A shift of 3 against a per-time spread of about 1.5 sqrt(t), t <= 20: caught almost always with 16 members.
  EXPECT_GT(rejection_rate(16, 3.0, 0.05, 200), 0.9);
}

// Two members cannot resolve anything: the threshold is infinite, nothing is rejected, the test is unresolved.
TEST(BiasTest, TwoMembersCannotReject) {
  tilt::Rng rng(3, tilt::Stream::Validation, 1);
  std::vector<Trajectory> sim, theory;
  synthetic(2, 10, 100.0, rng, sim, theory);
  tilt::BiasOptions o;
  o.columns = {"x"};
  const tilt::BiasTest b = tilt::bias_test(sim, theory, o);
  EXPECT_FALSE(std::isfinite(b.max_threshold));
  EXPECT_FALSE(b.rejected);
  EXPECT_FALSE(b.resolved);
}

// Tracking: discrepancies built to scale like d^p are fitted with that exponent; p = 0 is rejected, p = -1/2 not.
TEST(TrackingTest, RecoversTheExponentAndRejectsNoConvergence) {
  for (double p : {-0.5, 0.0}) {
    tilt::Rng rng(5, tilt::Stream::Validation, 3);
    std::vector<std::vector<Trajectory>> sims, theories;
    const std::vector<long long> dims{1000, 4000, 16000};
    for (long long d : dims) {
      std::vector<Trajectory> sim, theory;
      synthetic(30, 10, 0.0, rng, sim, theory);
      for (auto& tr : sim)
        for (auto& row : tr.rows) row[0] *= std::pow(double(d) / 1000.0, p);
      sims.push_back(sim);
      theories.push_back(theory);
    }
    std::vector<tilt::TrackingSample> samples;
    for (std::size_t k = 0; k < dims.size(); ++k) samples.push_back({dims[k], &sims[k], &theories[k]});
    const tilt::TrackingTest t = tilt::tracking_test(samples, "x", 0, 10, 0.01, 2000, 1);
    EXPECT_NEAR(t.exponent, p, 4 * t.exponent_se) << "p = " << p;
    EXPECT_LT(t.exponent_se, 0.1);
    EXPECT_TRUE(t.resolved);
    EXPECT_EQ(t.rejected, p == 0.0) << "p = " << p << ": exponent " << t.exponent << " +- " << t.exponent_se;
  }
}

// Reference values: R's binom.test(3, 12)$p.value = 0.1460, binom.test(0, 10) = 0.001953; Clopper-Pearson
// binom.test(4, 20)$conf.int = [0.05733, 0.43661]; ks.test(c(1,2,3,4,5), c(6,7,8,9,10)) gives D = 1, and the
// asymptotic p with Stephens' correction for n = m = 5 is 2 sum (-1)^(k-1) exp(-2 k^2 lambda^2) at
// lambda = (sqrt(2.5) + 0.12 + 0.11/sqrt(2.5)) = 1.7707.
TEST(ExactTests, MatchReferenceValues) {
  EXPECT_NEAR(tilt::sign_test_p(3, 12), 0.1460, 5e-5);
  EXPECT_NEAR(tilt::sign_test_p(0, 10), 0.001953125, 1e-9);
  EXPECT_EQ(tilt::sign_test_p(0, 0), 1.0);
  const tilt::Interval ci = tilt::clopper_pearson(4, 20, 0.95);
  EXPECT_NEAR(ci.lo, 0.05733, 5e-5);
  EXPECT_NEAR(ci.hi, 0.43661, 5e-5);
  const tilt::KsTest ks = tilt::ks_two_sample({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  EXPECT_DOUBLE_EQ(ks.statistic, 1.0);
  const double lambda = std::sqrt(2.5) + 0.12 + 0.11 / std::sqrt(2.5);
  double p = 0;
  for (int k = 1; k < 50; ++k) p += 2 * (k % 2 ? 1 : -1) * std::exp(-2.0 * k * k * lambda * lambda);
  EXPECT_NEAR(ks.p, p, 1e-12);
  // Censored members (+inf) tie with each other; identical samples give D = 0.
  const double inf = INFINITY;
  EXPECT_DOUBLE_EQ(tilt::ks_two_sample({1, inf, inf}, {1, inf, inf}).statistic, 0.0);
  EXPECT_NEAR(tilt::ks_two_sample({1, 2, inf}, {inf, inf, inf}).statistic, 2.0 / 3.0, 1e-15);
}

}  // namespace
