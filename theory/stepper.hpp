// The steppers of the integrator (theory/integrate.hpp): one class per method, each behind one interface, and the
// table that names them. A stepper takes one step of its method and knows nothing of tolerances, stops or outputs
// (those are the controller's, theory/step_control.hpp, and the driver's, theory/integrate.cpp). The shape is
// that of Boost.Odeint's stepper concepts and GSL odeiv2's gsl_odeiv2_step.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/schedule.hpp"
#include "theory/ode_model.hpp"

namespace tilt {

struct IntegratorOptions;
class StepControl;

// The right-hand side a stepper sees: the model's, in the phase of the schedule in force (a mixture is the weighted
// average of its components), with the evaluations counted and the reason of the last failure kept.
class PhaseRhs {
 public:
  explicit PhaseRhs(const OdeModel& model);
  void set_phase(const Phase& phase, std::size_t index);
  // dy/dt at y; false when y is not finite or outside the model's domain (failure() then says which).
  bool operator()(const double* y, double* dydt);
  std::size_t dimension() const { return n_; }
  const OdeModel& model() const { return model_; }
  long long evaluations() const { return evaluations_; }
  const std::string& failure() const { return failure_; }
  void clear_failure() { failure_.clear(); }

 private:
  const OdeModel& model_;
  std::size_t n_;
  const Phase* phase_ = nullptr;
  std::size_t phase_index_ = 0;
  long long evaluations_ = 0;
  std::vector<double> scratch_;
  std::string failure_;
};

// One step of a method without an error estimate: what the fixed-step driver uses.
class Stepper {
 public:
  virtual ~Stepper() = default;
  // The order of the propagated solution.
  virtual int order() const = 0;
  // One step from (t, y) over h into y1. False when an evaluation failed (rhs.failure() says why).
  virtual bool step(double t, const double* y, double h, double* y1) = 0;
};

// One attempted step of a method with an embedded error estimate and a continuous extension: what the adaptive
// driver uses. It may keep state from one attempt to the next (dopri5's first-same-as-last derivative, GSL's
// derivative at the step's start), its own and no other method's.
class AdaptiveStepper {
 public:
  virtual ~AdaptiveStepper() = default;
  // The order of the propagated solution (the first step's size and GSL's control use it).
  virtual int order() const = 0;
  // A phase starts at y, where the driver has evaluated dydt = f(y) (for the first step's size).
  virtual void start(const double* y, const double* dydt) = 0;
  // One attempt from (t, y) over h: the solution y1 and the estimate err of its local error. False when an
  // evaluation failed (the controller then shortens the step).
  virtual bool attempt(double t, const double* y, double h, double* y1, double* err) = 0;
  // f(y1) of the last attempt, which every adaptive method evaluates (so that a step leaving the model's domain is
  // rejected, not accepted).
  virtual const double* end_derivative() const = 0;
  // The last attempt was accepted: the next one starts from its y1.
  virtual void accept() = 0;
  // The state at t inside the accepted step from (t0, y0) over h (call before the next attempt). False when an
  // evaluation failed.
  virtual bool dense(double t0, const double* y0, double h, double t, double* out) = 0;
};

// A row of the method table: a method is adaptive (a stepper with its error estimate and the controller made for
// it) or fixed-step (theory.dt).
struct Method {
  const char* name;
  std::unique_ptr<AdaptiveStepper> (*adaptive)(PhaseRhs& rhs);  // null for fixed-step methods
  std::unique_ptr<StepControl> (*control)(const IntegratorOptions& options, int order);
  std::unique_ptr<Stepper> (*fixed)(PhaseRhs& rhs);  // null for adaptive methods
};

// The method named `name` (theory.method); InputError naming the key and the methods when there is none.
const Method& integration_method(const std::string& name);
// Every method, in the order of the key registry's theory.method choices (core/keys.cpp, which cannot see this
// table, names them too; tests/test_integrate.cpp checks that the two agree).
const std::vector<Method>& integration_methods();

}  // namespace tilt
