#include "theory/integrate.hpp"

#include <gsl/gsl_errno.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/error.hpp"
#include "core/io.hpp"
#include "theory/step_control.hpp"
#include "theory/stepper.hpp"

namespace tilt {

namespace {

// Throws if the state is non-finite or beyond the blow-up bound at time t.
void check_state(const OdeModel& model, const std::vector<double>& y, double t, double blowup) {
  for (std::size_t i = 0; i < y.size(); ++i)
    if (!std::isfinite(y[i]) || std::fabs(y[i]) > blowup)
      throw RunError("ODE diverged at t = " + format_number(t) + ": " + model.state_names()[i] + " = " +
                     format_number(y[i]) + " (blow-up bound " + format_number(blowup) +
                     "; lower eta, or raise `blowup` if such values are meant)");
}

const char* kStiffCause =
    " - the problem is stiff or singular here: lower eta or weight_decay, loosen theory.rtol, or check for zero "
    "noise (e.g. xgm.sigma = 0 with curriculum.easy = 0)";

// The step guard: an integration that needs too many steps, or steps too small to be meant, stops with the time
// it reached and the likely cause instead of running for ever.
class StepGuard {
 public:
  StepGuard(const IntegratorOptions& o, const PhaseRhs& rhs) : options_(o), rhs_(rhs) {}
  // Before an adaptive attempt with proposed step h at t, with `attempts` steps (accepted + rejected) taken so far.
  void check(double t, double h, long long attempts) const {
    if (attempts >= options_.max_steps)
      throw RunError("ODE step guard at t = " + format_number(t) + ": " + std::to_string(attempts) +
                     " steps taken (theory.max_steps = " + std::to_string(options_.max_steps) + "), the step size is " +
                     format_number(h) + " (theory.min_step = " + format_number(options_.min_step) + ")" + kStiffCause);
    if (!(h >= options_.min_step))
      throw RunError("ODE step guard at t = " + format_number(t) + ": the step size fell to " + format_number(h) +
                     ", below theory.min_step = " + format_number(options_.min_step) + ", after " +
                     std::to_string(attempts) + " steps (theory.max_steps = " + std::to_string(options_.max_steps) +
                     ")" + (rhs_.failure().empty() ? "" : "; last failed evaluation: " + rhs_.failure()) + kStiffCause);
    if (t + h == t)
      throw RunError("ODE step guard at t = " + format_number(t) + ": the step size " + format_number(h) +
                     " no longer advances t (below its floating-point resolution) after " + std::to_string(attempts) +
                     " steps (theory.max_steps = " + std::to_string(options_.max_steps) +
                     ") - t_max is too large for the time scale of the dynamics: lower t_max");
  }
  // Before `wanted` fixed steps from t0 to stop, with `steps` taken so far.
  void check_fixed(double t0, double stop, double wanted, long long steps) const {
    if (wanted > double(options_.max_steps - steps))
      throw RunError("ODE step guard at t = " + format_number(t0) + ": reaching t = " + format_number(stop) +
                     " with theory.dt = " + format_number(options_.dt) + " would take " + format_number(wanted) +
                     " more steps, beyond theory.max_steps = " + std::to_string(options_.max_steps) +
                     " - raise theory.dt or lower t_max");
  }

 private:
  const IntegratorOptions& options_;
  const PhaseRhs& rhs_;
};

// The driver: walks the stops (every switch and the end; every output time too for fixed steps and with
// stop_at_outputs), advancing to each with the method's stepper (under its controller when adaptive), applying
// the model's on_switch at switches and handing every output time's state to the observer.
class Driver {
 public:
  Driver(const OdeModel& model, const Schedule& schedule, const std::vector<double>& times,
         const IntegratorOptions& options, Observer& observer)
      : model_(model),
        schedule_(schedule),
        times_(times),
        options_(options),
        observer_(observer),
        rhs_(model),
        guard_(options, rhs_),
        y1_(model.dimension()),
        err_(model.dimension()),
        out_(model.dimension()) {}
  void run(const Method& method, std::vector<double> y, IntegratorStats* stats);

 private:
  std::vector<double> stops(bool every_output) const;
  void start_phase(double stop);
  void advance_adaptive(double stop);
  void advance_fixed(double stop);
  void output_inside(double t1, double h);
  void arrive(double stop);
  void accepted(double t);

  const OdeModel& model_;
  const Schedule& schedule_;
  const std::vector<double>& times_;
  const IntegratorOptions& options_;
  Observer& observer_;
  PhaseRhs rhs_;
  StepGuard guard_;
  std::unique_ptr<AdaptiveStepper> adaptive_;
  std::unique_ptr<StepControl> control_;
  std::unique_ptr<Stepper> fixed_;
  IntegratorStats stats_;
  std::size_t next_output_ = 0, phase_ = 0;
  double t_ = 0, h_ = 0;
  bool restart_ = true;  // at t = 0 and after every switch: fresh derivative and first step
  std::vector<double> y_, y1_, err_, out_;
};

void Driver::run(const Method& method, std::vector<double> y, IntegratorStats* stats) {
  if (method.adaptive) {
    adaptive_ = method.adaptive(rhs_);
    control_ = method.control(options_, adaptive_->order());
  } else {
    fixed_ = method.fixed(rhs_);
  }
  y_ = std::move(y);
  phase_ = schedule_.index_at(0.0);
  for (double stop : stops(!adaptive_ || options_.stop_at_outputs)) {
    if (stop > t_) {
      rhs_.set_phase(schedule_.phases()[phase_], phase_);
      if (adaptive_) {
        advance_adaptive(stop);
      } else {
        advance_fixed(stop);
      }
    }
    arrive(stop);
  }
  if (stats) {
    stats->steps += stats_.steps;
    stats->rejected += stats_.rejected;
    stats->evaluations += rhs_.evaluations();
  }
}

std::vector<double> Driver::stops(bool every_output) const {
  const double t_end = times_.back();
  std::vector<double> stops = schedule_.switches_in(0.0, t_end);
  stops.push_back(t_end);
  if (every_output) stops.insert(stops.end(), times_.begin(), times_.end());
  std::sort(stops.begin(), stops.end());
  stops.erase(std::unique(stops.begin(), stops.end()), stops.end());
  return stops;
}

// A phase starts (t = 0 or a switch): the derivative there, the first step's size, a controller without memory.
void Driver::start_phase(double stop) {
  std::vector<double> dydt(y_.size());
  if (!rhs_(y_.data(), dydt.data()))
    throw RunError("ODE integration failed at t = " + format_number(t_) + ": " + rhs_.failure());
  h_ = initial_step(rhs_, y_, dydt, adaptive_->order(), stop - t_, options_);
  control_->restart();
  adaptive_->start(y_.data(), dydt.data());
  restart_ = false;
}

// Attempts until the stop is reached: the guard before every attempt, the controller's verdict after it; an
// accepted step hands the outputs inside it to the observer, then the blow-up check.
void Driver::advance_adaptive(double stop) {
  if (restart_) start_phase(stop);
  while (t_ < stop) {
    guard_.check(t_, h_, stats_.steps + stats_.rejected);
    const Trial trial = control_->trial(t_, h_, stop);
    const bool ok = adaptive_->attempt(t_, y_.data(), trial.h, y1_.data(), err_.data());
    const double t1 = trial.last ? stop : t_ + trial.h;
    const Verdict verdict = control_->judge(
        {ok, y_.size(), y_.data(), y1_.data(), err_.data(), adaptive_->end_derivative(), trial, t1 == stop});
    h_ = verdict.h;
    if (!verdict.accept) {
      ++stats_.rejected;
      continue;
    }
    rhs_.clear_failure();
    output_inside(t1, trial.h);
    y_.swap(y1_);
    adaptive_->accept();
    t_ = t1;
    accepted(t_);
  }
}

// The outputs in [t, t1) of the accepted step from t over h, from the stepper's continuous extension.
void Driver::output_inside(double t1, double h) {
  while (next_output_ < times_.size() && times_[next_output_] < t1) {
    const double t = times_[next_output_];
    if (!adaptive_->dense(t_, y_.data(), h, t, out_.data()))
      throw RunError("ODE integration failed at t = " + format_number(t) + ": " + rhs_.failure());
    observer_.output(t, out_.data());
    ++next_output_;
  }
}

// Fixed steps: an integer count per interval, t = t0 + k h, never accumulated.
void Driver::advance_fixed(double stop) {
  const double t0 = t_;
  const double wanted = std::max(1.0, std::ceil((stop - t0) / options_.dt - 1e-9));
  guard_.check_fixed(t0, stop, wanted, stats_.steps);
  const long long count = static_cast<long long>(wanted);
  const double h = (stop - t0) / double(count);
  for (long long k = 0; k < count; ++k) {
    const double tk = t0 + double(k) * h;
    if (!fixed_->step(tk, y_.data(), h, y1_.data()))
      throw RunError("ODE integration failed at t = " + format_number(tk) + ": " + rhs_.failure());
    y_.swap(y1_);
    accepted(t0 + double(k + 1) * h);
  }
  t_ = stop;
}

// Arrived at `stop`: apply a switch first, so that output at a switch time shows the new phase's state.
void Driver::arrive(double stop) {
  const std::size_t now = schedule_.index_at(stop);
  if (now != phase_) {
    model_.on_switch(y_.data());
    phase_ = now;
    restart_ = true;
  }
  for (; next_output_ < times_.size() && times_[next_output_] <= stop; ++next_output_)
    observer_.output(times_[next_output_], y_.data());
}

void Driver::accepted(double t) {
  ++stats_.steps;
  check_state(model_, y_, t, options_.blowup);
  if (options_.progress) options_.progress(t);
}

// The observer of the Trajectory form: the model's columns at each output time.
class TrajectoryObserver : public Observer {
 public:
  explicit TrajectoryObserver(const OdeModel& model) : model_(model) { trajectory.columns = model.columns(); }
  void output(double t, const double* y) override {
    trajectory.times.push_back(t);
    trajectory.rows.push_back(model_.observe(y));
  }
  Trajectory trajectory;

 private:
  const OdeModel& model_;
};

}  // namespace

void integrate(const OdeModel& model, const Schedule& schedule, std::vector<double> y0,
               const std::vector<double>& times, const IntegratorOptions& options, Observer& observer,
               IntegratorStats* stats) {
  gsl_set_error_handler_off();
  const Method& method = integration_method(options.method);
  Driver(model, schedule, times, options, observer).run(method, std::move(y0), stats);
}

Trajectory integrate(const OdeModel& model, const Schedule& schedule, std::vector<double> y0,
                     const std::vector<double>& times, const IntegratorOptions& options, IntegratorStats* stats) {
  TrajectoryObserver observer(model);
  integrate(model, schedule, std::move(y0), times, options, observer, stats);
  return std::move(observer.trajectory);
}

}  // namespace tilt
