// The activations g of the two-layer models (xgm, scm) and their derivatives g': one enum, one parser, one g and
// one g' for the simulation and the theory's quadratures; and the Gaussian constants they and the kernels share.
#pragma once
#include <cmath>
#include <string>

namespace tilt {

// The standard normal distribution: its constants (each the double nearest to the real number), density and
// distribution function, for the activations here and the Gaussian kernels of the theory.
namespace gaussian {
constexpr double kSqrt2 = 1.4142135623730951;        // sqrt(2)
constexpr double kInvSqrt2Pi = 0.3989422804014327;   // 1/sqrt(2 pi), the peak of the density
constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2/pi) = 2/sqrt(2 pi)
constexpr double kPi = 3.141592653589793;
// The density phi(x) (exactly 0 beyond |x| = 38, where it underflows anyway) and Phi(x) = P[N(0,1) < x], accurate
// in the lower tail (erfc, no cancellation).
inline double phi(double x) { return std::fabs(x) < 38.0 ? kInvSqrt2Pi * std::exp(-0.5 * x * x) : 0.0; }
inline double Phi(double x) { return 0.5 * std::erfc(-x / kSqrt2); }
}  // namespace gaussian

// relu = max(0, x); erf = erf(x/sqrt 2) (so that g' is sqrt(2/pi) exp(-x^2/2), the Saad & Solla convention);
// tanh; quadratic = x^2; linear = x. Which models accept which: their `activation` key (docs/config.md).
enum class Activation { Relu, Erf, Tanh, Quadratic, Linear };

// The value of an `activation` key ("relu", "erf", "tanh", "quadratic", "linear"); std::invalid_argument otherwise.
Activation parse_activation(const std::string& name);
const char* activation_name(Activation a);

// g(x) and g'(x).
inline double activation_g(Activation a, double x) {
  switch (a) {
    case Activation::Relu:
      return x > 0 ? x : 0.0;
    case Activation::Erf:
      return std::erf(x / gaussian::kSqrt2);
    case Activation::Tanh:
      return std::tanh(x);
    case Activation::Quadratic:
      return x * x;
    case Activation::Linear:
      return x;
  }
  return 0;
}

inline double activation_dg(Activation a, double x) {
  switch (a) {
    case Activation::Relu:
      return x > 0 ? 1.0 : 0.0;
    case Activation::Erf:
      return gaussian::kSqrt2OverPi * std::exp(-0.5 * x * x);
    case Activation::Tanh: {
      const double t = std::tanh(x);
      return 1 - t * t;
    }
    case Activation::Quadratic:
      return 2 * x;
    case Activation::Linear:
      return 1.0;
  }
  return 0;
}

}  // namespace tilt
