// Time series of observables, the common currency of theory and simulation: same columns, same times.
#pragma once
#include <string>
#include <vector>

namespace tilt {

struct Trajectory {
  std::vector<std::string> columns;                   // observables, without `t`
  std::vector<double> times;                          // output times
  std::vector<std::vector<double>> rows;              // rows[i][j] = columns[j] at times[i]
  std::size_t column(const std::string& name) const;  // index; throws if absent
};

// Mean and standard error over an ensemble (seeds of a simulation or members of a theory ensemble).
struct EnsembleTrajectory {
  Trajectory mean;
  std::vector<std::vector<double>> se;  // standard error of the mean, same shape as mean.rows
  std::size_t members = 0;
};

// Mean and standard error (sample standard deviation / sqrt(S); 0 for S = 1) over members, in member order,
// so the result does not depend on how members were scheduled on threads.
EnsembleTrajectory summarise(const std::vector<Trajectory>& members);

}  // namespace tilt
