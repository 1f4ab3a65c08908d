// The interface every model's order-parameter ODE implements: a right-hand side of a flat state, what happens to
// the state at a schedule switch, and how observables are read from it.
//
// The right-hand side is pure: the same (difficulty, phase, y) give the same dydt, whatever was evaluated before
// and in whatever order, so that integrators may evaluate it where they like (trial steps, rejected steps,
// continuous extensions) without changing the result. One exception is allowed, and must be documented at the
// model's rhs with its reason: a cache, filled at the first evaluation in a (phase, difficulty), of a
// discretisation the model then keeps for the rest of that phase. xgm has one: with automatic accuracy (xgm.lines
// or xgm.nodes = 0) it chooses its quadrature line and node counts from xgm.rhs_tol at the state of that first
// evaluation and keeps them, so that its right-hand side is smooth within the phase (a step-size controller needs
// that); rhs is const, so the cache is mutable and guarded by a mutex. Such a model's results depend on where its
// first evaluation in a phase is: the driver (theory/integrate.cpp) makes it at the state where the phase starts,
// for every method. observe() may read and update what the cache records, never the trajectory.
#pragma once
#include <string>
#include <vector>

namespace tilt {

class OdeModel {
 public:
  virtual ~OdeModel() = default;
  virtual std::size_t dimension() const = 0;
  // dy/dt when every sample has difficulty `difficulty`, in phase `phase` of the schedule (0 before any switch).
  // Returns false when y is outside the model's domain (the driver then reports where and when). Pure, or caching
  // as described above.
  virtual bool rhs(double difficulty, std::size_t phase, const double* y, double* dydt) const = 0;
  // The Jacobian d(dydt_i)/dy_m of rhs at y, row-major into J (n x n), when the model has it in closed form;
  // false when it has not (users then take differences of rhs) or y is outside the domain.
  virtual bool jacobian(double /*difficulty*/, std::size_t /*phase*/, const double* /*y*/, double* /*J*/) const {
    return false;
  }
  // Called at each switch time, before integrating the next phase (e.g. to anchor elastic consolidation).
  virtual void on_switch(double* /*y*/) const {}
  // True when on_switch changes the dynamics that follow (an anchor taken at every switch, e.g. elastic
  // consolidation), so that the number of switches matters (theory/optimize.hpp).
  virtual bool anchors_at_switches() const { return false; }
  virtual std::vector<std::string> columns() const = 0;
  virtual std::vector<double> observe(const double* y) const = 0;
  // Names of the state components, for error messages.
  virtual std::vector<std::string> state_names() const = 0;
  // What the model chose about its own accuracy during the run (e.g. xgm's line and node counts per phase), as
  // a JSON object for the run's record; empty: nothing to record.
  virtual std::string accuracy_json() const { return {}; }
};

}  // namespace tilt
