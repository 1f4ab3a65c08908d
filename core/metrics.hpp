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
  std::string column;                 // the error column used (eps)
  double eps_star = 0;
  std::size_t members = 0;
  double success = 0, success_se = 0;  // fraction with eps(t_max) <= eps*, and its binomial standard error
  double eps_final = 0, eps_final_se = 0;
  std::vector<double> t_star;         // per member, +inf if never
  double t_star_reached = 0;          // fraction of members that reach eps* at some time within t_max
  // t* quantiles (type 7 over all members, +inf members included; +inf when the quantile falls on them)
  double t_star_q10 = 0, t_star_q25 = 0, t_star_median = 0, t_star_q75 = 0, t_star_q90 = 0;
  // Per-unit diagnostics at t_max, when the trajectories have align_k / match_k columns (model xgm): mean over
  // members of the number of units with alignment >= 0.9, and of those whose read-out sign matches their rule.
  bool has_units = false;
  double units_aligned = 0, units_aligned_se = 0, units_aligned_matching = 0, units_aligned_matching_se = 0;
  double mean_alignment = 0;
};

double quantile(std::vector<double> values, double q);  // type 7; +inf values sort last
EnsembleMetrics ensemble_metrics(const std::vector<Trajectory>& members, const std::string& column, double eps_star);
nlohmann::json to_json(const EnsembleMetrics& m);  // infinities written as null

}  // namespace tilt
