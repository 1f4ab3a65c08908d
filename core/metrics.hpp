// Derived metrics of docs/models.md section 5, for every model: time to threshold t*(eps*), success
// eps(t_max) <= eps*, and their summaries over an ensemble of initial conditions (the lottery).
#pragma once
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/trajectory.hpp"

namespace tilt {

struct ResolvedExperiment;  // core/experiment.hpp

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
// Each member's t* on `column` (time_to_threshold of its trajectory; +inf if never).
std::vector<double> member_t_stars(const std::vector<Trajectory>& members, const std::string& column, double eps_star);
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
// the teacher's label and the sampling are not counted): docs/sweep.md derives them from models/<name>/sim/.
double sgd_step_multiply_adds(const ResolvedExperiment& experiment);

// Cost to solution with restarts (docs/sweep.md, "Compute to solution"). Attempts are independent runs (the
// members); each trains until its error first reaches eps* (its t*) or until t_max, when it is abandoned and a
// fresh attempt starts: a renewal process. By the renewal-reward theorem the expected training time to the first
// success is E[min(T, t_max)] / P(T <= t_max), estimated over the members by
//   samples = sum_i min(t*_i, t_max) / #{i : t*_i <= t_max}        (units of d samples, like t),
// so every failed attempt is charged the t_max it trained and every success its t*. The interval is the 95 %
// percentile bootstrap over members (kBootstrapResamples resamples from a fixed stream, so it is a deterministic
// function of the t*); a resample without a success costs +inf, so the upper end is +inf when more than 2.5 % of
// the resamples have none.
inline constexpr int kBootstrapResamples = 2000;
struct SolutionCost {
  std::size_t members = 0, successes = 0;  // successes: members with t* <= t_max
  bool reached = false;                    // some member reaches eps* by t_max (else samples are NaN)
  double samples = 0, samples_lo = 0, samples_hi = 0;
};
// t_star: per member, +inf when eps* is never reached; members with t* > t_max count as failures.
SolutionCost solution_cost(const std::vector<double>& t_star, double t_max);

// Ratio of two costs to solution, reference / other (> 1: `other` is cheaper), each in units of its own
// `per_sample` cost (d x cost_per_step for compute, 1 for samples), with its 95 % percentile bootstrap interval.
// Paired (member m of both resampled together: the same initial weights) or independent resampling. NaN when a
// side never reaches eps*; lo/hi NaN when more than 5 % of the resamples leave both sides without a success.
struct CostRatio {
  double ratio = 0, lo = 0, hi = 0;
};
struct CostSide {
  const std::vector<double>* t_star = nullptr;
  double t_max = 0, per_sample = 1;
};
enum class Resampling { Paired, Independent };
CostRatio solution_cost_ratio(const CostSide& reference, const CostSide& other, Resampling resampling);

}  // namespace tilt
