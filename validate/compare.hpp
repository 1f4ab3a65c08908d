// Theory against simulation, member by member: the simulated mean minus the theory mean in units of the
// standard error of their paired difference, per column and time (models.md section 6).
#pragma once
#include <string>
#include <vector>

#include "core/trajectory.hpp"

namespace tilt {

class Config;

struct ColumnAgreement {
  std::string column;
  double max_abs_z = 0;     // largest |z| over output times
  double t_at_max = 0;
  double rms_z = 0;         // root mean square of z over compared times
  double final_sim = 0, final_theory = 0, final_se = 0;  // at the last output time
  std::size_t points = 0;   // times compared (t = 0 is exact by construction and skipped)
};

struct Agreement {
  std::vector<ColumnAgreement> columns;
  std::size_t points = 0;   // all compared (column, time) pairs
  double alpha = 0.01;      // family-wise false-alarm rate
  double z_critical = 0;    // Bonferroni threshold: two-sided, alpha/points, Student t with dof degrees of freedom
  std::size_t dof = 0;      // members - 1
  bool consistent = true;
  double max_abs_z() const;  // over all columns
  std::string table() const;
};

// sim[m] and theory[m] are the same member (same initial weights). Both must share columns and row count.
Agreement compare_members(const std::vector<Trajectory>& sim, const std::vector<Trajectory>& theory, double alpha);

// Everything `tilt validate` does: run the simulation ensemble and its theory twin, compare.
struct ValidationRun {
  std::vector<Trajectory> sim, theory;  // theory[m] is the ODE from sim member m's initial weights
  EnsembleTrajectory sim_summary, theory_summary;
  Agreement agreement;
  double sim_seconds = 0, theory_seconds = 0;
  long long theory_steps = 0, theory_rejected = 0, theory_evaluations = 0;
};
ValidationRun validate_experiment(const Config& config);

// Finite-size scaling: the RMS over members and output times of (simulation - theory) for `column`, at each d;
// the fitted exponent of discrepancy ~ d^exponent should be close to -1/2.
struct ScalingPoint {
  long long d;
  double discrepancy;
  double se;  // standard error of the discrepancy estimate over members
  Agreement agreement;  // the validation at this d (every d is a full test, not only a point of the fit)
  std::vector<double> t, by_time;  // the RMS over members of (simulation - theory) at each output time
};
struct Scaling {
  std::string column;
  std::vector<ScalingPoint> points;
  double exponent = 0, exponent_se = 0;
  bool consistent() const;  // every d passed its validation
  std::string table() const;
};
// `at_config_d`, when given, is the validation already run at the config's own sim.d (reused, not rerun).
Scaling finite_size_scaling(const Config& config, const std::string& column, const std::vector<long long>& dims,
                            const ValidationRun* at_config_d = nullptr);

}  // namespace tilt
