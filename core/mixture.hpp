// The one draw from a phase's mixture (core/schedule.hpp): SGD (sim/online.hpp) and the stochastic theory
// (theory/sde.cpp) pick each sample's component with it, so both draw the same mixture for any number of components.
#pragma once
#include <cstddef>
#include <vector>

#include "core/schedule.hpp"

namespace tilt {

// The component of `mixture` that a uniform draw u in [0, 1) picks: the first whose cumulative weight exceeds u,
// the last one when rounding leaves u at or past the total. For two components: the first exactly when u < w_0.
inline std::size_t pick_component(const std::vector<Component>& mixture, double u) {
  double cumulative = 0;
  std::size_t c = 0;
  while (c + 1 < mixture.size() && u >= (cumulative += mixture[c].weight)) ++c;
  return c;
}

}  // namespace tilt
