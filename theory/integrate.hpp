// The integration driver over a schedule, in the shape of Boost.Odeint and GSL odeiv2: a stepper per method
// (theory/stepper.hpp: one step, its error estimate and continuous extension where it has them), a step-size
// controller (theory/step_control.hpp: error norm, accept or reject, next step), this driver (stops exactly at
// schedule switches and at the end; output times from the stepper's continuous extension or, with
// theory.stop_at_outputs and for the fixed-step methods rk4 and euler, as exact stops; step guards theory.max_steps
// and theory.min_step; blow-up detection) and an observer that receives the outputs.
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

// Receives the state at each output time, in order (at a switch time: after the model's on_switch).
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void output(double t, const double* y) = 0;
};

// Integrates `model` from y0 at t = 0 over `times` (ascending, starting at 0), handing the state at each of them to
// `observer`. Throws RunError with the time and state component when the state leaves the domain, becomes
// non-finite or exceeds the blow-up bound, and with the time and the likely cause when the step guard stops it.
void integrate(const OdeModel& model, const Schedule& schedule, std::vector<double> y0,
               const std::vector<double>& times, const IntegratorOptions& options, Observer& observer,
               IntegratorStats* stats);
// The same, observing the model's columns into a Trajectory.
Trajectory integrate(const OdeModel& model, const Schedule& schedule, std::vector<double> y0,
                     const std::vector<double>& times, const IntegratorOptions& options, IntegratorStats* stats);

}  // namespace tilt
