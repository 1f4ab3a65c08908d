// The statistics behind `tilt validate`, on synthetic data where the truth is known: the sign-flip calibrated
// bias test holds its false-alarm rate under the null (with correlated points and heavy tails) and has power
// against a shift; the tracking test's exponent and its bootstrap error; the exact tests against reference values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "core/experiment.hpp"
#include "core/rng.hpp"
#include "validate/bias.hpp"
#include "validate/compare.hpp"
#include "validate/lottery.hpp"
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

// Rejection rates over `trials` synthetic ensembles: of the verdict, and of each statistic against its own threshold.
struct Rates {
  double any = 0, max_z = 0, curve = 0;
};
Rates rejection_rates(std::size_t S, double shift, double alpha, int trials) {
  tilt::Rng rng(11, tilt::Stream::Validation, 7);
  tilt::BiasOptions o;
  o.columns = {"x"};
  o.alpha = alpha;
  o.resamples = 4000;
  Rates r;
  std::vector<Trajectory> sim, theory;
  for (int k = 0; k < trials; ++k) {
    synthetic(S, 20, shift, rng, sim, theory);
    o.seed = std::uint64_t(k + 1);
    const tilt::BiasTest b = tilt::bias_test(sim, theory, o);
    r.any += b.rejected;
    r.max_z += b.max_z > b.max_threshold;
    r.curve += b.curve > b.curve_threshold;
  }
  r.any /= trials, r.max_z /= trials, r.curve /= trials;
  return r;
}
double rejection_rate(std::size_t S, double shift, double alpha, int trials) {
  return rejection_rates(S, shift, alpha, trials).any;
}

// Under the null each statistic rejects at its share alpha/2 of the false-alarm rate, and the verdict at most at
// alpha. The sign-flip null is exact: with S = 9 members all 2^8 = 256 sign patterns are enumerated and a statistic
// rejects when the observed pattern is among the floor(256 alpha/2) = 12 largest, probability 12/256 = 0.0469 at
// alpha = 0.1; with S = 16 (4000 random patterns) it is 0.05 up to O(1/4000). The bands are 4 binomial standard
// errors; 2000 trials (1000 for S = 16) keep alpha/2 and alpha (the threshold without its split: 25/256 = 0.098)
// 7 or more standard errors apart. A Bonferroni bound over these 20 correlated points would be conservative; a
// calibration that ignored the heavy tails would exceed alpha.
TEST(BiasTest, HoldsItsFalseAlarmRateUnderTheNull) {
  const double alpha = 0.1;
  for (std::size_t S : {9u, 16u}) {
    const int trials = S == 9 ? 2000 : 1000;
    const Rates r = rejection_rates(S, 0.0, alpha, trials);
    const double each = S == 9 ? 12.0 / 256 : alpha / 2, band = 4 * std::sqrt(each * (1 - each) / trials);
    std::printf(
        "S = %zu: false-alarm rate %.4f (max|z| %.4f, mean z^2 %.4f, each expected %.4f +- %.4f) at alpha %.2f\n", S,
        r.any, r.max_z, r.curve, each, band, alpha);
    EXPECT_NEAR(r.max_z, each, band) << "S = " << S << ": the max-|z| threshold is not at alpha/2";
    EXPECT_NEAR(r.curve, each, band) << "S = " << S << ": the mean-z^2 threshold is not at alpha/2";
    EXPECT_LE(r.any, alpha + 4 * std::sqrt(alpha * (1 - alpha) / trials)) << "S = " << S;
    EXPECT_GE(r.any, each - band) << "S = " << S << ": a test that never rejects is useless";
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

// The resolution the bias test reports is a power statement: a shift of `detectable` at a time is caught with
// probability 0.9 (normal approximation to the studentized mean). One output time, 16 Gaussian members: the shift
// each null ensemble reports as detectable, added to all its members, is caught in about 9 of 10 trials (at least
// 0.8 of 400; a resolution of threshold x se alone, without the z_0.9 term, is caught about half the time).
TEST(BiasTest, ReportedResolutionIsCaughtNineTimesInTen) {
  tilt::Rng rng(21, tilt::Stream::Validation, 9);
  tilt::BiasOptions o;
  o.columns = {"x"};
  o.alpha = 0.05;
  o.resamples = 2000;
  const int trials = 400;
  int caught = 0;
  for (int k = 0; k < trials; ++k) {
    std::vector<Trajectory> sim(16), theory(16);
    for (std::size_t m = 0; m < 16; ++m) {
      for (auto* tr : {&sim[m], &theory[m]}) {
        tr->columns = {"x"};
        tr->times = {0.0, 1.0};
        tr->rows = {{0.0}, {0.0}};
      }
      sim[m].rows[1][0] = rng.normal();
    }
    o.seed = std::uint64_t(k + 1);
    const double detectable = tilt::bias_test(sim, theory, o).columns[0].detectable;
    for (auto& tr : sim) tr.rows[1][0] += detectable;
    caught += tilt::bias_test(sim, theory, o).rejected;
  }
  std::printf("a shift of the reported resolution caught in %d of %d trials\n", caught, trials);
  EXPECT_GE(caught, 0.8 * trials);
  EXPECT_LE(caught, 0.97 * trials);
}

// A column without spread (every member differs from its theory twin alike) has nothing random to test: its gap is
// judged against the tolerance directly. Eight identical members, theory 1, simulation 1 + gap at t = 1, 2: a gap
// of 0.1 is beyond the tolerance 0.02 x scale 1 (an exact mismatch, rejected), a gap of 0.01 within it (accepted).
TEST(BiasTest, DeterministicGapBeyondTheToleranceIsAMismatch) {
  for (double gap : {0.1, 0.01}) {
    std::vector<Trajectory> sim(8), theory(8);
    for (std::size_t m = 0; m < 8; ++m)
      for (auto* tr : {&sim[m], &theory[m]}) {
        tr->columns = {"x"};
        tr->times = {0.0, 1.0, 2.0};
        tr->rows = {{1.0}, {tr == &sim[m] ? 1.0 + gap : 1.0}, {tr == &sim[m] ? 1.0 + gap : 1.0}};
      }
    tilt::BiasOptions o;
    o.columns = {"x"};
    const tilt::BiasTest b = tilt::bias_test(sim, theory, o);
    EXPECT_NEAR(b.columns[0].deterministic_gap, gap, 1e-12);
    EXPECT_EQ(b.columns[0].exact_mismatch, gap > 0.02) << "gap " << gap;
    EXPECT_EQ(b.rejected, gap > 0.02) << "gap " << gap;
  }
}

// The lottery rejects on any of its three tests. Forty pairs whose escape order is balanced (SGD first in 20) and
// who all succeed, so the sign and McNemar tests see nothing (p = 1), while the t* distributions differ: half of
// SGD's members escape by t = 2 and the rest after 9, every theory member between 8 and 9.5. Only the KS test can
// reject (D = 0.5, the most a balanced order allows), and must.
TEST(LotteryTest, RejectsOnTheDistributionOfTStarAlone) {
  auto member = [](double t_star) {
    Trajectory tr;
    tr.columns = {"eps"};
    for (int i = 0; i <= 100; ++i) {
      tr.times.push_back(0.1 * i);
      tr.rows.push_back({0.05 + 0.1 * (t_star - 0.1 * i)});  // crosses eps* = 0.05 at t*
    }
    return tr;
  };
  std::vector<Trajectory> sim, theory;
  for (int m = 0; m < 20; ++m) {  // SGD first
    sim.push_back(member(1.0 + 0.05 * m));
    theory.push_back(member(8.0 + 0.05 * m));
  }
  for (int m = 0; m < 20; ++m) {  // theory first
    sim.push_back(member(9.0 + 0.05 * m));
    theory.push_back(member(8.5 + 0.05 * m));
  }
  const tilt::LotteryTest l = tilt::lottery_test(sim, theory, "eps", 0.05, 10.0, 0.01 / 3);
  std::printf("sign p %.3g, McNemar p %.3g, KS D %.3f p %.3g\n", l.sign_p, l.mcnemar_p, l.ks.statistic, l.ks.p);
  EXPECT_EQ(l.sim_earlier, 20u);
  EXPECT_EQ(l.theory_earlier, 20u);
  EXPECT_EQ(l.sim_success, 40u);
  EXPECT_EQ(l.theory_success, 40u);
  EXPECT_DOUBLE_EQ(l.sign_p, 1.0);
  EXPECT_DOUBLE_EQ(l.mcnemar_p, 1.0);
  EXPECT_DOUBLE_EQ(l.ks.statistic, 0.5);
  EXPECT_LT(l.ks.p, l.alpha);
  EXPECT_TRUE(l.rejected);
}

// The verdict's false-alarm rate validate.alpha is split evenly over the components tested (docs/validation.md):
// the bias test alone takes all of it, with the lottery (members with their own initial conditions) or the tracking
// test (--scaling) half or a third, and the lottery splits its share again over its three tests.
TEST(VerdictAlpha, IsSplitEvenlyOverTheComponentsTested) {
  const tilt::Config c = tilt::Config::from_text("model = \"perceptron\"\n[validate]\nalpha = 0.06\n");
  const std::vector<std::string> columns{"Q_r", "Q_i", "R", "eps"};
  const auto none = tilt::Tracking::NotTested, tested = tilt::Tracking::Tested;
  EXPECT_DOUBLE_EQ(tilt::validation_options(tilt::resolve(c), columns, none).bias.alpha, 0.06);
  EXPECT_DOUBLE_EQ(tilt::validation_options(tilt::resolve(c), columns, tested).bias.alpha, 0.03);
  const tilt::Config own = c.with({"sim.same_init=false"});
  EXPECT_DOUBLE_EQ(tilt::validation_options(tilt::resolve(own), columns, none).bias.alpha, 0.03);
  const tilt::ValidationOptions all = tilt::validation_options(tilt::resolve(own), columns, tested);
  EXPECT_DOUBLE_EQ(all.bias.alpha, 0.02);
  // compare_members gives the lottery alpha / components / 3 per test.
  std::vector<Trajectory> sim(4), theory(4);
  tilt::Rng rng(2, tilt::Stream::Validation, 5);
  for (std::size_t m = 0; m < 4; ++m)
    for (auto* tr : {&sim[m], &theory[m]}) {
      tr->columns = columns;
      tr->times = {0.0, 1.0};
      tr->rows = {{1, 1, 0, 0.5}, {1 + rng.normal(), 1 + rng.normal(), rng.normal(), 0.5 + 0.1 * rng.normal()}};
    }
  EXPECT_DOUBLE_EQ(tilt::compare_members(sim, theory, all).lottery.alpha, 0.06 / 3 / 3);
}

// Tracking: discrepancies built to scale like d^p are fitted with that exponent; p = 0 is rejected, p = -1/2 not,
// and neither is p = -1 (falling faster than predicted is no evidence against the theory: the test is one-sided, its
// threshold the 0.99 normal quantile 2.3263 at alpha = 0.01, not the two-sided 2.5758).
TEST(TrackingTest, RecoversTheExponentAndRejectsNoConvergence) {
  for (double p : {-0.5, 0.0, -1.0}) {
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
    EXPECT_NEAR(t.threshold, 2.3263479, 1e-6);
  }
}

// Reference values: R's binom.test(3, 12)$p.value = 0.1460, binom.test(0, 10) = 0.001953; Clopper-Pearson
// binom.test(4, 20)$conf.int = [0.05733, 0.43661]; ks.test(c(1,2,3,4,5), c(6,7,8,9,10)) gives D = 1 and the exact
// p-value 0.007937 (R 4.x, exact = NULL is exact for n m < 10000: 2 of the C(10, 5) = 252 equally likely splits
// separate the samples completely, 2/252 = 0.0079365).
TEST(ExactTests, MatchReferenceValues) {
  EXPECT_NEAR(tilt::sign_test_p(3, 12), 0.1460, 5e-5);
  EXPECT_NEAR(tilt::sign_test_p(0, 10), 0.001953125, 1e-9);
  EXPECT_EQ(tilt::sign_test_p(0, 0), 1.0);
  const tilt::Interval ci = tilt::clopper_pearson(4, 20, 0.95);
  EXPECT_NEAR(ci.lo, 0.05733, 5e-5);
  EXPECT_NEAR(ci.hi, 0.43661, 5e-5);
  const tilt::KsTest ks = tilt::ks_two_sample({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  EXPECT_DOUBLE_EQ(ks.statistic, 1.0);
  EXPECT_NEAR(ks.p, 0.007937, 5e-7);
  EXPECT_NEAR(ks.p, 2.0 / 252, 1e-14);
  // Censored members (+inf) tie with each other; identical samples give D = 0.
  const double inf = INFINITY;
  EXPECT_DOUBLE_EQ(tilt::ks_two_sample({1, inf, inf}, {1, inf, inf}).statistic, 0.0);
  EXPECT_NEAR(tilt::ks_two_sample({1, inf, inf}, {1, inf, inf}).p, 1.0, 1e-15);
  EXPECT_NEAR(tilt::ks_two_sample({1, 2, inf}, {inf, inf, inf}).statistic, 2.0 / 3.0, 1e-15);
}

// The independent reference: the permutation distribution of D enumerated split by split. Every choice of which
// na of the pooled values form sample a is equally likely under the null; D of each split is computed from the two
// empirical distribution functions at every pooled value by counting (no merge walk, no lattice recursion).
double ks_d_by_counting(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (const auto* sample : {&a, &b})
    for (double v : *sample) {
      double fa = 0, fb = 0;
      for (double x : a) fa += x <= v;
      for (double x : b) fb += x <= v;
      d = std::max(d, std::fabs(fa / double(a.size()) - fb / double(b.size())));
    }
  return d;
}
double ks_p_by_enumeration(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> pooled = a;
  pooled.insert(pooled.end(), b.begin(), b.end());
  const std::size_t N = pooled.size(), na = a.size();
  const double observed = ks_d_by_counting(a, b);
  std::size_t splits = 0, extreme = 0;
  for (unsigned mask = 0; mask < (1u << N); ++mask) {
    if (std::size_t(__builtin_popcount(mask)) != na) continue;
    std::vector<double> x, y;
    for (std::size_t k = 0; k < N; ++k) (mask >> k & 1 ? x : y).push_back(pooled[k]);
    ++splits;
    extreme += ks_d_by_counting(x, y) >= observed - 1e-12;
  }
  return double(extreme) / double(splits);
}

// The exact p-value against enumeration: without ties, with ties inside and across the samples, and with censored
// members (+inf, tied at the end), for unequal sizes up to 7 + 8 (6435 splits). The asymptotic formula the code used
// before is off by a factor of about 2 here (0.0038 for the first case).
TEST(ExactTests, KolmogorovSmirnovPValueIsThePermutationProbability) {
  const double inf = INFINITY;
  const std::vector<std::pair<std::vector<double>, std::vector<double>>> cases = {
      {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}},
      {{0.3, 1.2, 2.5, 2.6, 4.1, 4.4}, {1.1, 3.0, 3.3, 5.2, 6.0, 7.5, 8.1}},
      {{1, 2, 2, 3, inf, inf}, {2, 3, 3, 4, 5, inf, inf}},
      {{1, inf, inf, inf, inf}, {0.5, 0.7, 1, 2, 2.5, 3, inf}},
      {{0.1, 0.2, 0.2, 0.9, 1.5, 1.5, 2.0}, {0.2, 0.4, 1.5, 1.7, 2.2, 2.4, 3.0, 3.1}}};
  for (const auto& [a, b] : cases) {
    const tilt::KsTest ks = tilt::ks_two_sample(a, b);
    std::vector<double> fa = a, fb = b;  // the enumeration takes +inf as a plain large value
    for (auto* v : {&fa, &fb})
      for (double& x : *v)
        if (std::isinf(x)) x = 1e9;
    const double p = ks_p_by_enumeration(fa, fb);
    std::printf("na = %zu, nb = %zu: D = %.4f, p = %.6f (enumeration %.6f)\n", a.size(), b.size(), ks.statistic, ks.p,
                p);
    EXPECT_NEAR(ks.statistic, ks_d_by_counting(fa, fb), 1e-14);
    EXPECT_NEAR(ks.p, p, 1e-12);
  }
}

}  // namespace
