// Derived metrics of docs/models.md section 5, for every model: time to threshold t*(eps*), success
// eps(t_max) <= eps*, and their summaries over an ensemble of initial conditions (the lottery).
#pragma once
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/trajectory.hpp"

namespace tilt {

// First time with eps <= eps_star, linearly interpolated between the output times; +infinity if never.
double time_to_threshold(const std::vector<double>& times, const std::vector<double>& eps, double eps_star);
// eps at the last output time <= eps_star.
bool reached_threshold(const std::vector<double>& eps, double eps_star);

struct EnsembleMetrics {
  std::string column;  // the error column used (eps)
  double eps_star = 0;
  std::size_t members = 0;
  double success = 0, success_se = 0;  // fraction with eps(t_max) <= eps*, and its binomial standard error
  double eps_final = 0, eps_final_se = 0;
  std::vector<double> t_star;  // per member, +inf if never
  double t_star_reached = 0;   // fraction of members that reach eps* at some time within t_max
  // t* quantiles (type 7 over all members, +inf members included; +inf when the quantile falls on them)
  double t_star_q10 = 0, t_star_q25 = 0, t_star_median = 0, t_star_q75 = 0, t_star_q90 = 0;
  // Per-unit diagnostics at t_max, when the trajectories have align_k / match_k columns (model xgm): mean over
  // members of the number of units with alignment >= 0.9, and of those whose read-out sign matches their rule.
  bool has_units = false;
  double units_aligned = 0, units_aligned_se = 0, units_aligned_matching = 0, units_aligned_matching_se = 0;
  double mean_alignment = 0;
  // Over the members that succeed (eps(t_max) <= eps*): how many, and the mean of their t* and its standard error
  // (NaN when none succeeds; se 0 with one success).
  std::size_t successes = 0;
  double t_star_success_mean = 0, t_star_success_se = 0;
};

double quantile(std::vector<double> values, double q);  // type 7; +inf values sort last
EnsembleMetrics ensemble_metrics(const std::vector<Trajectory>& members, const std::string& column, double eps_star);
nlohmann::json to_json(const EnsembleMetrics& m);  // infinities written as null

// Curriculum gain of `members` against `reference` (models.md section 5) on `column`: the final-error gap
// eps_ref(t_max) - eps(t_max) with its standard error, and the speed-up median t*_ref / median t* (over all
// members, +inf included) with a bootstrap standard error. Members are paired (member m of both started from the
// same initial condition) when the two ensembles have the same size, else the gap's error is the unpaired one.
struct Gain {
  double gap = 0, gap_se = 0;
  double speedup = 0, speedup_se = 0;  // NaN when a median t* is infinite (not reached)
};
Gain curriculum_gain(const std::vector<Trajectory>& reference, const std::vector<Trajectory>& members,
                     const std::string& column, double eps_star);

// Multiply-adds of one online-SGD step of the configured model's student (forward field and weight update;
// the teacher's label and the sampling are not counted): docs/sweep.md derives them from sim/models/.
double sgd_step_multiply_adds(const Config& config);

// Compute to solution: the expected multiply-adds to reach eps* when runs are restarted until one succeeds,
// samples to eps* (mean t* over successes x d) x cost of a step / success probability, with its error
// (delta method); `reached` false (and value NaN) when no member succeeds.
struct ComputeToSolution {
  bool reached = false;
  double value = 0, se = 0;
};
ComputeToSolution compute_to_solution(const EnsembleMetrics& m, double d, double step_multiply_adds);

}  // namespace tilt
