// Hypothesis (b) of `tilt validate`: member-wise tracking. Where the dynamics is deterministic in the limit,
// each SGD run stays within O(d^-1/2) of the ODE from its own initial weights, so the RMS paired discrepancy
// over members and the time window falls like d^(-1/2). The exponent is fitted over several d, its standard
// error comes from a bootstrap over members, and the test is one-sided: a discrepancy falling more slowly than
// predicted (ultimately not at all, as across the escape from an unstable fixed point) is rejected.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/trajectory.hpp"

namespace tilt {

struct TrackingSample {  // the members at one d
  long long d = 0;
  const std::vector<Trajectory>* sim = nullptr;
  const std::vector<Trajectory>* theory = nullptr;
};

struct TrackingPoint {
  long long d = 0;
  double discrepancy = 0, se = 0;  // RMS over members and window times of (sim - theory), bootstrap se
  std::vector<double> t, by_time;  // RMS over members at each output time (whole run)
};

struct TrackingTest {
  std::string column;
  double t_from = 0, t_to = 0;
  std::vector<TrackingPoint> points;
  double exponent = 0, exponent_se = 0;  // least squares of log discrepancy on log d; bootstrap se
  double predicted = -0.5;
  double alpha = 0, threshold = 0;  // reject when (exponent - predicted) / exponent_se > threshold
  double detectable = 0;            // the smallest excess exponent caught with 90% probability
  bool rejected = false;
  bool resolved = false;  // can tell "falls like d^-1/2" from "does not fall" (excess 0.5)
};

TrackingTest tracking_test(const std::vector<TrackingSample>& samples, const std::string& column, double t_from,
                           double t_to, double alpha, long long resamples, std::uint64_t seed);

}  // namespace tilt
