// The one activation code (core/activation.hpp) against references written here: g from its definition, g' as the
// central difference of that reference g (so a wrong g' — a missing factor 2 or sqrt 2 — is caught), and the
// parser round trip. The Gaussian helpers against their definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "core/activation.hpp"

namespace {

using tilt::Activation;

double reference_g(const std::string& name, double x) {
  if (name == "relu") return std::max(x, 0.0);
  if (name == "erf") return std::erf(x / std::sqrt(2.0));
  if (name == "tanh") return std::tanh(x);
  if (name == "quadratic") return x * x;
  return x;
}

TEST(Activation, ValuesAndDerivativesMatchTheirDefinitions) {
  for (const char* name : {"relu", "erf", "tanh", "quadratic", "linear"}) {
    const Activation a = tilt::parse_activation(name);
    EXPECT_STREQ(tilt::activation_name(a), name);
    for (double x : {-3.1, -1.0, -0.3, 0.2, 0.7, 1.9, 4.0}) {
      EXPECT_NEAR(tilt::activation_g(a, x), reference_g(name, x), 1e-15 * (1 + std::fabs(x * x))) << name << " " << x;
      const double h = 1e-5;
      const double slope = (reference_g(name, x + h) - reference_g(name, x - h)) / (2 * h);
      EXPECT_NEAR(tilt::activation_dg(a, x), slope, 1e-8) << name << " " << x;
    }
  }
  EXPECT_THROW(tilt::parse_activation("sigmoid"), std::invalid_argument);
}

TEST(Activation, GaussianHelpersMatchTheirDefinitions) {
  namespace g = tilt::gaussian;
  EXPECT_EQ(g::kSqrt2, std::sqrt(2.0));
  EXPECT_NEAR(g::kInvSqrt2Pi, 1 / std::sqrt(2 * M_PI), 1e-17);
  EXPECT_NEAR(g::kSqrt2OverPi, std::sqrt(2 / M_PI), 1e-16);
  EXPECT_EQ(g::kPi, M_PI);
  for (double x : {-40.0, -6.0, -1.0, 0.0, 0.5, 2.0}) {
    EXPECT_NEAR(g::phi(x), std::exp(-x * x / 2) / std::sqrt(2 * M_PI), 1e-17) << x;
    // Phi against the integral of phi by Simpson's rule from -12 (the mass below -12 is ~2e-33).
    if (x < -12) continue;
    const int n = 20000;
    const double lo = -12, h = (x - lo) / n;
    double sum = g::phi(lo) + g::phi(x);
    for (int i = 1; i < n; ++i)
      sum += (i % 2 ? 4 : 2) * std::exp(-0.5 * (lo + i * h) * (lo + i * h)) / std::sqrt(2 * M_PI);
    EXPECT_NEAR(g::Phi(x), sum * h / 3, 1e-12) << x;
  }
  EXPECT_EQ(g::phi(40.0), 0.0);
  EXPECT_GT(g::Phi(-30.0), 0.0);  // no cancellation in the lower tail
}

}  // namespace
