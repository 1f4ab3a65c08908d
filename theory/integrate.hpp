// The integration driver: adaptive (GSL odeiv2, error-controlled) or fixed-step (rk4, euler) over a schedule,
// stopping exactly at every switch and output time, with statistics and blow-up detection.
#pragma once
#include <string>
#include <vector>

#include "core/schedule.hpp"
#include "core/trajectory.hpp"
#include "theory/ode_model.hpp"

namespace tilt {

class Config;

struct IntegratorOptions {
  std::string method = "rk45";  // rk45 | rkck | rk8pd | rk4 | euler
  double rtol = 1e-8;
  double atol = 1e-10;
  double dt = 0.01;             // fixed-step methods
  double blowup = 1e8;          // |state| above this counts as divergence
  static IntegratorOptions from_config(const Config& config);
};

struct IntegratorStats {
  long long steps = 0;
  long long rejected = 0;
  long long evaluations = 0;    // right-hand-side evaluations of the model (mixtures count each component)
};

// Integrates `model` from y0 at t = 0 over `times` (ascending, starting at 0). Throws RunError with the time and
// state component when the state leaves the domain, becomes non-finite or exceeds the blow-up bound.
Trajectory integrate(const OdeModel& model, const Schedule& schedule, std::vector<double> y0,
                     const std::vector<double>& times, const IntegratorOptions& options, IntegratorStats* stats);

}  // namespace tilt
