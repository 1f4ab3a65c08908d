#include "models/perceptron/theory/perceptron_expectations.hpp"

#include <algorithm>
#include <cmath>

namespace tilt {

bool perceptron_expectations(double q, double R, double T, PerceptronExpectations* out) {
  if (!(q > 0) || !(T > 0) || R * R > q * T * (1 + 1e-12)) return false;
  const double A = std::sqrt((2 + q) * T - R * R);  // >= sqrt(2T) > 0 on the domain
  const double s1 = std::sqrt(1 + q);
  out->dG_dlambda = -2 / (M_PI * (2 + q)) * (1 / s1 + R / A);
  out->dG_du = 2 / (M_PI * A);
  const double B = std::asin(q / (2 + 3 * q));
  const double C = std::asin(std::clamp(R / std::sqrt((2 + 3 * q) * ((1 + q) * T - R * R)), -1.0, 1.0));
  out->G2 = 2 / (M_PI * M_PI * s1) * (M_PI / 2 + B - 2 * C);
  return true;
}

}  // namespace tilt
