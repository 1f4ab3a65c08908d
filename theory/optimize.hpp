// Optimal curricula by optimal control (docs/theory/optimize.md). The control is the easy share u(t) in [0, 1] of
// the samples at time t: the state follows u f(Delta_E) + (1 - u) f(Delta_H), the mixture the shuffled protocol
// integrates, under the budget (1/t_max) * integral of u dt = p_E; the objective is one output column at t_max.
//
// Direct method: u piecewise constant on equal pieces, the state integrated by classical RK4 steps inside each
// piece, and the exact gradient of that discrete objective, either from the discrete adjoint of the RK4 scheme
// (vector-Jacobian products by the model's closed-form Jacobian or by central differences of its rhs, 2n
// right-hand sides per stage) or from the forward sensitivities of the same scheme (Jacobian-vector products, by
// central directional differences: 2 right-hand sides per stage and per piece already started). A projected
// gradient method with the budget's multiplier optimises from several starts; a bang-bang optimum is then
// refined in its switch times with the production integrator (theory/integrate.hpp).
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/schedule.hpp"
#include "theory/integrate.hpp"
#include "theory/ode_model.hpp"

namespace tilt {

struct ControlProblem {
  const OdeModel* model = nullptr;
  std::vector<double> y0;
  // The lottery (theory.ensemble = M > 1): the initial states of the M members; the objective is the mean of the
  // members' columns at t_max, its gradient the mean of their gradients. Empty: y0 alone.
  std::vector<std::vector<double>> members;
  double t_max = 0;
  double easy = 0, hard = 0;  // Delta_E (u = 1) and Delta_H (u = 0)
  double budget = 0.5;        // p_E: the mean of u over [0, t_max]
  std::size_t objective = 0;  // index of the minimised column in model->columns()
  // Consolidation: the model's on_switch acts at every switch of the schedule, as it does in `tilt ode`, so the
  // number of switches is itself a choice; optimize_curriculum then searches bang-bang schedules with 1 ..
  // max_switches switches by their switch times (control_objective takes explicit anchors).
  bool anchor_at_switches = false;
};

// How the discrete objective is differentiated (optimize.gradient). Both give the exact gradient of the discrete
// (piecewise, RK4) objective up to the accuracy of the Jacobian products.
//   Adjoint: backward sweep; per RK4 stage one vector-Jacobian product (the closed-form Jacobian, or 2n mixture
//            right-hand sides by central differences, n the state size).
//   Forward: the sensitivities s_l = dx/du_l of the pieces already started carried through the same RK4 stages;
//            per stage one Jacobian-vector product per started piece (2 mixture right-hand sides each by central
//            directional differences, or one closed-form Jacobian and matrix-vector products).
//   Auto:    Adjoint when the model has its Jacobian in closed form, else Forward when pieces + 1 < 2n (the
//            forward sweep's (P + 1)/2 started pieces on average, 2 right-hand sides each, against the adjoint's
//            2n), else Adjoint.
enum class GradientMethod { Adjoint, Forward, Auto };

// u piecewise constant on `pieces` equal pieces, each integrated by `steps` classical RK4 steps.
struct ControlGrid {
  std::size_t pieces = 120;
  std::size_t steps = 4;
  GradientMethod gradient = GradientMethod::Auto;
  double width(const ControlProblem& p) const { return p.t_max / double(pieces); }
};

// The objective of the discrete problem for the piece values u and its gradient dJ/du_j (when `gradient` is given)
// by grid.gradient; over the lottery's members, their mean. `anchors`: pieces at whose start the model's on_switch acts
// and the phase index grows by one. Throws RunError with the time when the state leaves the model's domain.
double control_objective(const ControlProblem& problem, const ControlGrid& grid, const std::vector<double>& u,
                         const std::vector<std::size_t>& anchors, std::vector<double>* gradient = nullptr);

// The method grid.gradient = Auto resolves to for this problem (never Auto).
GradientMethod resolved_gradient(const ControlProblem& problem, const ControlGrid& grid);
const char* gradient_name(GradientMethod method);

// The projection onto {0 <= u_j <= 1, mean u = budget}: u_j = clamp(v_j - mu, 0, 1), mu by bisection.
std::vector<double> project_budget(const std::vector<double>& v, double budget, double* multiplier = nullptr);

// A schedule of arcs: the easy share `u` in force from `start` to the next arc's start (or t_max).
struct Arc {
  double start;
  double u;
  bool singular = false;  // an interior value held over more than one piece
};

struct OptimizeOptions {
  ControlGrid grid;
  int starts = 4;            // shuffled, curriculum, anti-curriculum, then random starts from `seed`
  int max_iterations = 400;  // projected-gradient iterations per start
  double tolerance = 1e-11;  // stop when an iteration lowers J by less than tolerance (1 + |J|)
  unsigned long long seed = 1;
  bool refine = true;  // refine the switch times of a bang-bang optimum with the production integrator
  // Consolidation (anchor_at_switches): the constant mixture (no switch) and bang-bang schedules with 1 ..
  // max_switches switches, no arc shorter than a piece.
  int max_switches = 3;
  IntegratorOptions integrator;
};

struct StartResult {
  std::string name;
  double objective = 0;  // of the discrete (piecewise, RK4) problem
  int iterations = 0;
  int evaluations = 0;      // objective evaluations (each with its adjoint when a gradient was needed)
  int failed_trials = 0;    // line-search trials whose state left the model's domain (rejected)
  double stationarity = 0;  // max_j |P(u - G) - u_j|, G the switching function: 0 at a KKT point
  std::vector<double> u;
};

struct OptimizeResult {
  std::vector<StartResult> starts;
  std::size_t best = 0;
  int agreeing = 0;                // starts whose objective is within 1e-6 (relative) of the best
  std::vector<double> switching;   // the switching function per piece at the best start
  double multiplier = 0;           // the budget's multiplier mu at the best start (u_j = clamp(u_j - G_j - mu))
  std::vector<Arc> arcs;           // the optimum: bang-bang arcs (refined switch times) and singular arcs
  bool bang_bang = false;          // no singular arc
  bool refined = false;            // switch times refined with the production integrator
  double piecewise_objective = 0;  // the best start's discrete objective
  double objective = 0;            // the arcs' objective with the production integrator
  int refine_evaluations = 0;
  double wall_seconds = 0;
  // "adjoint": piecewise-constant u by the adjoint gradient, then switch times refined; "switch-times":
  // consolidation's search over bang-bang schedules (no piecewise stage; starts are structures x random starts).
  std::string method = "adjoint";
};

// The schedule of arcs (a mixture phase for an interior u), as the production integrator takes it.
Schedule schedule_of(const std::vector<Arc>& arcs, double t_max, double easy, double hard);

// The objective column at t_max of `schedule` by the production integrator (over the lottery's members, their
// mean).
double schedule_objective(const ControlProblem& problem, const Schedule& schedule, const IntegratorOptions& options,
                          IntegratorStats* stats = nullptr);

OptimizeResult optimize_curriculum(const ControlProblem& problem, const OptimizeOptions& options);

// Time to threshold (optimize.goal = "time_to_threshold"): t* = the smallest horizon T at which value(T) <=
// threshold, value(T) the objective at T of the best schedule on [0, T] under the budget p_E T (the samples used
// until T, a fraction p_E of them easy), or of a fixed protocol stretched to T. A hitting time has no useful
// gradient, so t* is found by an outer search over horizons, each a final-value problem: the first of `scan` equal
// horizons t_max / scan, ..., t_max that reaches the threshold, then bisection between it and the one before to
// `tolerance` in T. Exact where value crosses the threshold once in that bracket (value(T) is the optimum at T;
// with a schedule free to idle on hard data it need not be monotone, so a scan precedes the bisection). t_star is
// NaN when value(t_max) > threshold. `evaluations`: every (T, value(T)) computed, in order.
struct HorizonSearch {
  double t_star = 0;
  std::vector<std::pair<double, double>> evaluations;
};
HorizonSearch first_horizon(const std::function<double(double)>& value, double threshold, double t_max, int scan,
                            double tolerance);

}  // namespace tilt
