// The documented samplers: reproducible streams and a correct normal distribution (moments, CDF, tails).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "support.hpp"

using tilt::Rng;
using tilt::Stream;

TEST(Rng, SameSeedSameStreamGivesSameNumbers) {
  Rng a(42, Stream::SgdSamples, 3), b(42, Stream::SgdSamples, 3);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.normal(), b.normal());
}

TEST(Rng, StreamsAndSeedsDiffer) {
  Rng a(42, Stream::SgdSamples), b(42, Stream::InitialWeights), c(43, Stream::SgdSamples);
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto x = a.next();
    same_ab += x == b.next();
    same_ac += x == c.next();
  }
  EXPECT_EQ(same_ab, 0);
  EXPECT_EQ(same_ac, 0);
}

TEST(Rng, ZigguratNormalHasGaussianMoments) {
  Rng rng(7, Stream::SgdSamples);
  const int n = 4000000;
  tilt::testing::MeanSe m1, m2, m4;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    m1.add(x);
    m2.add(x * x);
    m4.add(x * x * x * x);
  }
  EXPECT_NEAR(m1.mean(), 0.0, 5 * m1.se());
  EXPECT_NEAR(m2.mean(), 1.0, 5 * m2.se());
  EXPECT_NEAR(m4.mean(), 3.0, 5 * m4.se());
}

// Kolmogorov-Smirnov against Phi, and the tail beyond the ziggurat's base (R = 3.654) at its exact rate.
TEST(Rng, ZigguratNormalMatchesTheCdfAndTheTail) {
  Rng rng(11, Stream::SgdSamples);
  const int n = 200000;
  std::vector<double> x(n);
  for (auto& v : x) v = rng.normal();
  std::sort(x.begin(), x.end());
  double ks = 0;
  for (int i = 0; i < n; ++i) {
    const double cdf = 0.5 * std::erfc(-x[i] / std::sqrt(2.0));
    ks = std::max({ks, std::fabs(cdf - double(i) / n), std::fabs(cdf - double(i + 1) / n)});
  }
  EXPECT_LT(ks * std::sqrt(double(n)), 1.95);  // 0.1% critical value of the KS statistic

  const long long m = 20000000;
  const double R = 3.6541528853610088;
  long long tail = 0;
  tilt::testing::MeanSe excess;  // |x| - R beyond the base: the tail's shape, drawn by its own sampler
  for (long long i = 0; i < m; ++i) {
    const double a = std::fabs(rng.normal());
    if (a > R) {
      ++tail;
      excess.add(a - R);
    }
  }
  const double p = std::erfc(R / std::sqrt(2.0));
  EXPECT_NEAR(double(tail), p * double(m), 5 * std::sqrt(p * double(m)));
  // E[X - R | X > R] = phi(R) / Q(R) - R = 0.2429 for the standard normal (the inverse Mills ratio).
  const double mills = std::exp(-0.5 * R * R) / std::sqrt(2 * M_PI) / (0.5 * std::erfc(R / std::sqrt(2.0)));
  EXPECT_NEAR(excess.mean(), mills - R, 5 * excess.se());
}

TEST(Rng, UniformIsInUnitIntervalWithMeanHalf) {
  Rng rng(3, Stream::Teacher);
  tilt::testing::MeanSe u;
  for (int i = 0; i < 1000000; ++i) {
    const double x = rng.uniform();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    u.add(x);
  }
  EXPECT_NEAR(u.mean(), 0.5, 5 * u.se());
}
