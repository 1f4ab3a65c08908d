// Step-size control for the adaptive methods (theory/integrate.hpp): the error norm of an attempt with rtol/atol,
// accept or reject, and the next step; and the size of a phase's first step. One controller per integration,
// its memory its own. The shape is that of GSL odeiv2's gsl_odeiv2_control and Boost.Odeint's controlled stepper.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "theory/stepper.hpp"

namespace tilt {

struct IntegratorOptions;

// The step to attempt: its size and whether it ends exactly at the stop.
struct Trial {
  double h;
  bool last;
};

// The controller's verdict on an attempt, and the step size to try next.
struct Verdict {
  bool accept;
  double h;
};

// What the controller judges: the attempt from y over trial.h, its y1, error estimate err and f(y1).
struct Attempt {
  bool ok;        // false: an evaluation failed (y1, err and dydt1 mean nothing)
  std::size_t n;  // the state's dimension
  const double* y;
  const double* y1;
  const double* err;
  const double* dydt1;
  Trial trial;
  bool at_stop;  // the step, if accepted, reaches the stop
};

class StepControl {
 public:
  virtual ~StepControl() = default;
  // A phase starts: forget what earlier steps said.
  virtual void restart() = 0;
  // The step to attempt from t for the proposed h without passing `stop` (and without leaving a sliver before it).
  virtual Trial trial(double t, double h, double stop) = 0;
  virtual Verdict judge(const Attempt& attempt) = 0;
};

// dopri5's: Hairer & Wanner's DOPRI5 PI controller on the max norm of err_i / (atol + rtol max(|y_i|, |y1_i|)).
std::unique_ptr<StepControl> pi_control(const IntegratorOptions& options, int order);
// GSL odeiv2's standard control with a_y = 1, a_dydt = 0 (gsl_odeiv2_control_y_new) and gsl_odeiv2_evolve's
// handling of rejected and last steps, as the GSL methods had them when GSL drove them.
std::unique_ptr<StepControl> standard_control(const IntegratorOptions& options, int order);

// The first step of a phase (Hairer, Norsett & Wanner, Solving ODEs I, section II.4, and DOPRI5's HINIT), from y,
// f0 = f(y) and one more evaluation: at most `remaining`, at least min_step.
double initial_step(PhaseRhs& rhs, const std::vector<double>& y, const std::vector<double>& f0, int order,
                    double remaining, const IntegratorOptions& options);

}  // namespace tilt
