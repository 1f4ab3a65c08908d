// The integration driver over a schedule: adaptive, error-controlled methods (dopri5, written out in
// theory/dopri5.hpp, and GSL odeiv2's rk45, rkck, rk8pd) take the steps their error control wants and stop
// exactly only at schedule switches and at the end; outputs inside a step come from a continuous extension of the
// method's order. Fixed-step methods (rk4, euler; for comparisons) step to every output time. Every integration
// has a step guard (theory.max_steps, theory.min_step), statistics and blow-up detection.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/schedule.hpp"
#include "core/trajectory.hpp"
#include "theory/ode_model.hpp"

namespace tilt {

struct IntegratorOptions {
  std::string method = "dopri5";  // dopri5 | rk45 | rkck | rk8pd | rk4 | euler
  double rtol = 1e-8;
  double atol = 1e-10;
  double dt = 0.01;                        // fixed-step methods
  double blowup = 1e8;                     // |state| above this counts as divergence
  bool stop_at_outputs = false;            // adaptive methods: also stop exactly at every output time (caps the step)
  long long max_steps = 10000000;          // step guard: attempted steps (accepted + rejected) per integration
  double min_step = 1e-14;                 // step guard: smallest step the error control may ask for
  std::function<void(double t)> progress;  // called after every accepted step, when set
};

struct IntegratorStats {
  long long steps = 0;  // accepted steps
  long long rejected = 0;
  long long evaluations = 0;  // right-hand-side evaluations of the model (mixtures count each component)
};

// Integrates `model` from y0 at t = 0 over `times` (ascending, starting at 0). Throws RunError with the time and
// state component when the state leaves the domain, becomes non-finite or exceeds the blow-up bound, and with
// the time and the likely cause when the step guard stops it.
Trajectory integrate(const OdeModel& model, const Schedule& schedule, std::vector<double> y0,
                     const std::vector<double>& times, const IntegratorOptions& options, IntegratorStats* stats);

}  // namespace tilt
