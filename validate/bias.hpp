// Hypothesis (a) of `tilt validate`: the d -> infinity theory has no bias in the ensemble mean. Paired
// differences D_m = simulation_m - theory_m (member m of both starts from the same initial weights) over the
// chosen columns and the times of the window; two statistics, both calibrated by flipping the signs of whole
// members (exact under the null hypothesis that each member's difference vector is symmetric about zero),
// and the resolution the test has: the smallest shift it would catch with 90% probability.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/trajectory.hpp"

namespace tilt {

struct BiasOptions {
  std::vector<std::string> columns;                                   // compared columns
  double t_from = 0, t_to = std::numeric_limits<double>::infinity();  // the time window (t = 0 never counts)
  double alpha = 0.01;          // false-alarm rate of the bias test (split evenly over its two statistics)
  double tolerance = 0.02;      // resolution required, as a fraction of each column's scale
  long long resamples = 20000;  // sign patterns drawn when not all 2^(S-1) are enumerated
  std::uint64_t seed = 1;       // of the resampling stream (reproducible)
};

struct ColumnBias {
  std::string column;
  std::size_t points = 0;  // times compared in the window
  double max_abs_z = 0, t_at_max = 0, rms_z = 0;
  double final_sim = 0, final_theory = 0, final_se = 0;  // at the last time of the window
  double se_rms = 0;             // RMS over the window of the standard error of the mean paired difference
  double scale = 0;              // max over the window of the theory's RMS over members
  double detectable = 0;         // a shift of this size (column units) at a typical time is caught with 90% probability
  double tolerance = 0;          // required resolution: BiasOptions::tolerance * scale
  double deterministic_gap = 0;  // largest |difference| at times where every member differs alike (no spread)
  bool exact_mismatch = false;   // that gap exceeds the tolerance: a deterministic disagreement
};

struct BiasTest {
  std::vector<ColumnBias> columns;
  double t_from = 0, t_to = 0;
  std::size_t members = 0, points = 0;
  double alpha = 0;
  std::size_t patterns = 0;  // sign patterns of the null distribution
  bool exhaustive = false;   // all 2^(S-1) patterns enumerated (exact p-values)
  // max over points of |z| (z = mean / se of the paired differences) and mean over points of z^2 (whole curve)
  double max_z = 0, max_threshold = 0, max_p = 1;
  double curve = 0, curve_threshold = 0, curve_p = 1;
  bool rejected = false;  // either statistic beyond its threshold, or an exact mismatch
  bool resolved = false;  // every column's detectable shift within its tolerance
};

BiasTest bias_test(const std::vector<Trajectory>& sim, const std::vector<Trajectory>& theory,
                   const BiasOptions& options);

}  // namespace tilt
