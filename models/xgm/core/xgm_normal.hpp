// Normal-distribution pieces shared by the xgm line kernels (docs/theory/xgm.md): the density, interval masses
// without cancellation in the tails, and the error mass of an affine y f along a segment of a line.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/activation.hpp"

namespace tilt::xgm_detail {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSqrt2 = gaussian::kSqrt2;
constexpr double kInvSqrt2Pi = gaussian::kInvSqrt2Pi;
constexpr double kCut = 8.5;  // |s| beyond this carries < 1e-16 of the normal mass

constexpr double kFar = 38.0;  // phi and the tail mass vanish in double precision beyond this
inline double phi(double x) { return std::fabs(x) < kFar ? kInvSqrt2Pi * std::exp(-0.5 * x * x) : 0.0; }

// P[a < s < b] for s ~ N(0,1), without cancellation in the tails.
inline double mass(double a, double b) {
  a = std::max(a, -kFar);
  b = std::min(b, kFar);
  if (!(a < b)) return 0.0;
  // An end at +-kFar adds no erfc (erfc(kFar / sqrt 2) = 5.8e-316).
  if (a > 0) return 0.5 * (std::erfc(a / kSqrt2) - (b < kFar ? std::erfc(b / kSqrt2) : 0.0));
  if (b < 0) return 0.5 * (std::erfc(-b / kSqrt2) - (a > -kFar ? std::erfc(-a / kSqrt2) : 0.0));
  return 1.0 - (a > -kFar ? 0.5 * std::erfc(-a / kSqrt2) : 0.0) - (b < kFar ? 0.5 * std::erfc(b / kSqrt2) : 0.0);
}

// The normal density and both tails at one point, with one exp and one erfc (reused by adjacent segments).
struct NormalAt {
  double x, pdf, lower, upper;  // lower = P[s < x], upper = P[s > x]
  static NormalAt at(double x) {
    NormalAt n{x, phi(x), 0, 0};
    if (x >= kFar)
      n = {x, 0, 1, 0};
    else if (x <= -kFar)
      n = {x, 0, 0, 1};
    else if (x > 0) {
      n.upper = 0.5 * std::erfc(x / kSqrt2);
      n.lower = 1 - n.upper;
    } else {
      n.lower = 0.5 * std::erfc(-x / kSqrt2);
      n.upper = 1 - n.lower;
    }
    return n;
  }
};
inline double mass(const NormalAt& a, const NormalAt& b) {
  if (!(a.x < b.x)) return 0.0;
  if (a.x > 0) return a.upper - b.upper;
  if (b.x < 0) return b.lower - a.lower;
  return 1.0 - a.lower - b.upper;
}

// Mass of {s in (a, b): A0 + A1 s <= 0}: the error region of an affine y f along a segment.
inline double error_mass(double a, double b, double A0, double A1) {
  if (A1 == 0) return A0 <= 0 ? mass(a, b) : 0.0;
  const double s0 = -A0 / A1;
  return A1 > 0 ? mass(a, std::min(b, s0)) : mass(std::max(a, s0), b);
}

}  // namespace tilt::xgm_detail
