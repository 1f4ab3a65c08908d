#include "theory/integrate.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/error.hpp"
#include "core/io.hpp"
#include "theory/dopri5.hpp"

namespace tilt {

namespace {

// What the GSL callback needs: the model, the phase in force, and counters.
struct Context {
  const OdeModel* model;
  const Phase* phase;
  std::size_t phase_index;
  long long evaluations = 0;
  std::vector<double> scratch;
  std::string failure;  // why the last evaluation failed, if it did
};

// dy/dt of the phase: the model's right-hand side, or the weighted average over a mixture (shuffled protocol).
int evaluate(double /*t*/, const double y[], double dydt[], void* params) {
  auto& c = *static_cast<Context*>(params);
  const std::size_t n = c.model->dimension();
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(y[i])) {
      c.failure = "state component " + c.model->state_names()[i] + " is not finite";
      return GSL_EDOM;
    }
  const auto& mixture = c.phase->mixture;
  bool ok = true;
  if (mixture.size() == 1) {
    ok = c.model->rhs(mixture[0].difficulty, c.phase_index, y, dydt);
  } else {
    std::fill(dydt, dydt + n, 0.0);
    for (const auto& component : mixture) {
      ok = ok && c.model->rhs(component.difficulty, c.phase_index, y, c.scratch.data());
      for (std::size_t i = 0; i < n; ++i) dydt[i] += component.weight * c.scratch[i];
    }
  }
  c.evaluations += static_cast<long long>(mixture.size());
  if (!ok) {
    c.failure = "the state left the model's domain";
    return GSL_EDOM;  // not EBADFUNC: GSL halves the step and retries, so a too-long trial step is not fatal
  }
  return GSL_SUCCESS;
}

const gsl_odeiv2_step_type* step_type(const std::string& method) {
  if (method == "rk45") return gsl_odeiv2_step_rkf45;
  if (method == "rkck") return gsl_odeiv2_step_rkck;
  if (method == "rk8pd") return gsl_odeiv2_step_rk8pd;
  if (method == "rk4") return gsl_odeiv2_step_rk4;
  return nullptr;  // dopri5 and euler: written out, they have no GSL stepper
}

struct GslDeleter {
  void operator()(gsl_odeiv2_step* p) const { gsl_odeiv2_step_free(p); }
  void operator()(gsl_odeiv2_control* p) const { gsl_odeiv2_control_free(p); }
  void operator()(gsl_odeiv2_evolve* p) const { gsl_odeiv2_evolve_free(p); }
};

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
  StepGuard(const IntegratorOptions& o, const Context& c) : options_(o), context_(c) {}
  // Before an attempt with proposed step h at t, with `attempts` steps (accepted + rejected) taken so far.
  void check(double t, double h, long long attempts) const {
    if (attempts >= options_.max_steps)
      throw RunError("ODE step guard at t = " + format_number(t) + ": " + std::to_string(attempts) +
                     " steps taken (theory.max_steps = " + std::to_string(options_.max_steps) + "), the step size is " +
                     format_number(h) + " (theory.min_step = " + format_number(options_.min_step) + ")" + kStiffCause);
    if (!(h >= options_.min_step))
      throw RunError("ODE step guard at t = " + format_number(t) + ": the step size fell to " + format_number(h) +
                     ", below theory.min_step = " + format_number(options_.min_step) + ", after " +
                     std::to_string(attempts) + " steps (theory.max_steps = " + std::to_string(options_.max_steps) +
                     ")" + (context_.failure.empty() ? "" : "; last failed evaluation: " + context_.failure) +
                     kStiffCause);
    if (t + h == t)
      throw RunError("ODE step guard at t = " + format_number(t) + ": the step size " + format_number(h) +
                     " no longer advances t (below its floating-point resolution) after " + std::to_string(attempts) +
                     " steps (theory.max_steps = " + std::to_string(options_.max_steps) +
                     ") - t_max is too large for the time scale of the dynamics: lower t_max");
  }

 private:
  const IntegratorOptions& options_;
  const Context& context_;
};

// Mixed absolute/relative weights of the error norms: atol + rtol |y|.
double weighted_rms(const std::vector<double>& v, const std::vector<double>& y, double rtol, double atol) {
  double sum = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double r = v[i] / (atol + rtol * std::fabs(y[i]));
    sum += r * r;
  }
  return std::sqrt(sum / double(v.size()));
}

// The first step of a phase (Hairer, Norsett & Wanner, Solving ODEs I, section II.4, and DOPRI5's HINIT): from
// |y|, |f(y)| and a finite-difference estimate of |f'|, the step whose local error of order `order` is about the
// tolerance; at most the rest of the phase, at least min_step. One evaluation. Not finite (an overflowing
// right-hand side): min_step, and the controller takes it from there.
double initial_step(Context& context, const std::vector<double>& y, const std::vector<double>& f0, int order,
                    double remaining, const IntegratorOptions& o) {
  const std::size_t n = y.size();
  const double dnf = weighted_rms(f0, y, o.rtol, o.atol), dny = weighted_rms(y, y, o.rtol, o.atol);
  double h = (!(dnf > 1e-5) || !(dny > 1e-5) || !std::isfinite(dnf)) ? 1e-6 : 0.01 * dny / dnf;
  h = std::min(h, remaining);
  std::vector<double> y1(n), f1(n), diff(n);
  for (std::size_t i = 0; i < n; ++i) y1[i] = y[i] + h * f0[i];
  double h1 = 1e-6;
  if (evaluate(0, y1.data(), f1.data(), &context) == GSL_SUCCESS) {
    for (std::size_t i = 0; i < n; ++i) diff[i] = f1[i] - f0[i];
    const double der2 = weighted_rms(diff, y, o.rtol, o.atol) / h;
    const double der12 = std::max(std::fabs(der2), dnf);
    h1 = der12 <= 1e-15 ? std::max(1e-6, h * 1e-3) : std::pow(0.01 / der12, 1.0 / order);
  }
  context.failure.clear();
  h = std::min({100 * h, h1, remaining});
  // A guess, not the error control's verdict: never below min_step (the controller rejects it if it must).
  return (h > 0 && std::isfinite(h)) ? std::max(h, std::min(o.min_step, remaining)) : std::min(o.min_step, remaining);
}

}  // namespace

Trajectory integrate(const OdeModel& model, const Schedule& schedule, std::vector<double> y,
                     const std::vector<double>& times, const IntegratorOptions& options, IntegratorStats* stats) {
  gsl_set_error_handler_off();
  const std::size_t n = model.dimension();
  Context context{&model, nullptr, 0, 0, std::vector<double>(n), ""};
  gsl_odeiv2_system system{evaluate, nullptr, n, &context};
  const StepGuard guard(options, context);

  const std::string& method = options.method;
  if (method != "dopri5" && method != "euler" && !step_type(method))
    throw InputError("key 'theory.method' = \"" + method +
                     "\": unknown; allowed: dopri5, rk45, rkck, rk8pd, rk4, euler");
  const bool dopri = method == "dopri5";
  const bool adaptive = method != "rk4" && method != "euler";
  const bool gsl_adaptive = adaptive && !dopri;
  const gsl_odeiv2_step_type* type = step_type(method);
  std::unique_ptr<gsl_odeiv2_step, GslDeleter> step(type ? gsl_odeiv2_step_alloc(type, n) : nullptr);
  // The GSL methods' output inside a step: one step of the same method from the step's start to the output
  // time (a continuous extension of the method's own order), on a stepper of its own.
  std::unique_ptr<gsl_odeiv2_step, GslDeleter> side(gsl_adaptive ? gsl_odeiv2_step_alloc(type, n) : nullptr);
  std::unique_ptr<gsl_odeiv2_control, GslDeleter> control(
      gsl_adaptive ? gsl_odeiv2_control_y_new(options.atol, options.rtol) : nullptr);
  std::unique_ptr<gsl_odeiv2_evolve, GslDeleter> evolve(gsl_adaptive ? gsl_odeiv2_evolve_alloc(n) : nullptr);
  const int order = dopri ? Dopri5::order : type ? int(gsl_odeiv2_step_order(step.get())) : 1;

  // Stops: every switch and the end; for fixed steps (and stop_at_outputs) every output time too.
  const double t_end = times.back();
  std::vector<double> stops = schedule.switches_in(0.0, t_end);
  stops.push_back(t_end);
  if (!adaptive || options.stop_at_outputs) stops.insert(stops.end(), times.begin(), times.end());
  std::sort(stops.begin(), stops.end());
  stops.erase(std::unique(stops.begin(), stops.end()), stops.end());

  Trajectory out;
  out.columns = model.columns();
  std::size_t next_output = 0;
  auto emit = [&](const double* state) {
    out.times.push_back(times[next_output++]);
    out.rows.push_back(model.observe(state));
  };

  IntegratorStats local;
  std::size_t phase_index = schedule.index_at(0.0);
  double t = 0.0, h = 0.0;
  bool restart = true;    // at t = 0 and after every switch: fresh derivative and first step
  double err_old = 1e-4;  // dopri5's controller memory
  bool last_rejected = false;
  std::vector<double> dydt(n), y_err(n), y_prev(n), y_new(n), y_out(n), k1(n);
  Dopri5 dopri5(dopri ? n : 0);
  const Dopri5::Rhs f = [&](const double* state, double* d) { return evaluate(0, state, d, &context) == GSL_SUCCESS; };
  auto accepted = [&](double t_now) {
    ++local.steps;
    check_state(model, y, t_now, options.blowup);
    if (options.progress) options.progress(t_now);
  };
  auto derivative = [&](double t_now) {
    if (!f(y.data(), k1.data()))
      throw RunError("ODE integration failed at t = " + format_number(t_now) + ": " + context.failure);
  };

  for (double stop : stops) {
    if (stop > t) {
      context.phase = &schedule.phases()[phase_index];
      context.phase_index = phase_index;
      if (dopri) {
        // Dormand-Prince 5(4) with a PI step-size controller (Hairer & Wanner's DOPRI5: beta = 0.04,
        // exponent 1/5 - 0.75 beta, safety 0.9, step ratio in [0.2, 10], no increase right after a rejection).
        // Error norm: max_i |err_i| / (atol + rtol max(|y_i|, |y1_i|)), as GSL's y-control in the max norm.
        static constexpr double beta = 0.04, expo = 0.2 - 0.75 * beta, safety = 0.9;
        if (restart) {
          derivative(t);
          h = initial_step(context, y, k1, order, stop - t, options);
          err_old = 1e-4;
          last_rejected = false;
          restart = false;
        }
        while (t < stop) {
          guard.check(t, h, local.steps + local.rejected);
          double hs = h;
          const bool last = t + 1.01 * h >= stop;  // no sliver of a step left before the stop
          if (last) hs = stop - t;
          double err = NAN;
          if (dopri5.step(f, y.data(), k1.data(), hs, y_new.data(), y_err.data())) {
            err = 0;
            for (std::size_t i = 0; i < n; ++i)
              err = std::max(err, std::fabs(y_err[i]) /
                                      (options.atol + options.rtol * std::max(std::fabs(y[i]), std::fabs(y_new[i]))));
          }
          if (!(err <= 1.0)) {  // rejected (or an evaluation failed, or the estimate is not finite)
            ++local.rejected;
            const double fac = std::isfinite(err) ? std::min(5.0, std::pow(err, expo) / safety) : 2.0;
            h = hs / fac;
            last_rejected = true;
            continue;
          }
          context.failure.clear();
          const double t_new = last ? stop : t + hs;
          while (next_output < times.size() && times[next_output] < t_new) {
            const double theta = (times[next_output] - t) / hs;
            dopri5.dense(y.data(), hs, theta, y_out.data());
            emit(theta == 0 ? y.data() : y_out.data());
          }
          y.swap(y_new);
          std::copy(dopri5.last_derivative(), dopri5.last_derivative() + n, k1.begin());
          t = t_new;
          accepted(t);
          const double fac = std::max(0.1, std::min(5.0, std::pow(err, expo) / std::pow(err_old, beta) / safety));
          double h_next = hs / fac;
          if (last_rejected) h_next = std::min(h_next, hs);
          if (last) h_next = std::max(h_next, h);  // a step shortened to reach the stop says little about the next
          h = h_next;
          err_old = std::max(err, 1e-4);
          last_rejected = false;
        }
      } else if (gsl_adaptive) {
        if (restart) {
          gsl_odeiv2_evolve_reset(evolve.get());
          gsl_odeiv2_step_reset(step.get());
          derivative(t);
          h = initial_step(context, y, k1, order, stop - t, options);
          restart = false;
        }
        while (t < stop) {
          guard.check(t, h, local.steps + local.rejected);
          const double t_prev = t, h_in = h;
          std::copy(y.begin(), y.end(), y_prev.begin());
          const std::size_t failed_before = evolve->failed_steps;
          const int status =
              gsl_odeiv2_evolve_apply(evolve.get(), control.get(), step.get(), &system, &t, stop, &h, y.data());
          local.rejected += static_cast<long long>(evolve->failed_steps - failed_before);
          if (status != GSL_SUCCESS)
            throw RunError("ODE integration failed at t = " + format_number(t) + ": " +
                           (context.failure.empty() ? gsl_strerror(status) : context.failure) +
                           " (lower eta or the tolerances)");
          context.failure.clear();
          if (t == stop && h < h_in) h = h_in;  // a step shortened to reach the stop says little about the next
          while (next_output < times.size() && times[next_output] < t) {
            const double dt_out = times[next_output] - t_prev;
            if (dt_out == 0) {
              emit(y_prev.data());
              continue;
            }
            std::copy(y_prev.begin(), y_prev.end(), y_out.begin());
            gsl_odeiv2_step_reset(side.get());
            if (gsl_odeiv2_step_apply(side.get(), t_prev, dt_out, y_out.data(), y_err.data(), nullptr, nullptr,
                                      &system) != GSL_SUCCESS)
              throw RunError("ODE integration failed at t = " + format_number(times[next_output]) + ": " +
                             context.failure);
            emit(y_out.data());
          }
          accepted(t);
        }
      } else {
        // Fixed steps: an integer count per interval, t = t0 + k h, never accumulated.
        const double t0 = t;
        const double wanted = std::max(1.0, std::ceil((stop - t0) / options.dt - 1e-9));
        if (wanted > double(options.max_steps - local.steps))
          throw RunError("ODE step guard at t = " + format_number(t0) + ": reaching t = " + format_number(stop) +
                         " with theory.dt = " + format_number(options.dt) + " would take " + format_number(wanted) +
                         " more steps, beyond theory.max_steps = " + std::to_string(options.max_steps) +
                         " - raise theory.dt or lower t_max");
        const long long count = static_cast<long long>(wanted);
        const double hh = (stop - t0) / double(count);
        for (long long k = 0; k < count; ++k) {
          const double tk = t0 + double(k) * hh;
          int status;
          if (step) {
            status = gsl_odeiv2_step_apply(step.get(), tk, hh, y.data(), y_err.data(), nullptr, nullptr, &system);
          } else {
            status = evaluate(tk, y.data(), dydt.data(), &context);
            for (std::size_t i = 0; i < n; ++i) y[i] += hh * dydt[i];
          }
          if (status != GSL_SUCCESS)
            throw RunError("ODE integration failed at t = " + format_number(tk) + ": " + context.failure);
          accepted(t0 + double(k + 1) * hh);
        }
        t = stop;
      }
    }
    // Arrived at `stop`: apply a switch first, so that output at a switch time shows the new phase's state.
    const std::size_t now = schedule.index_at(stop);
    if (now != phase_index) {
      model.on_switch(y.data());
      phase_index = now;
      restart = true;
    }
    while (next_output < times.size() && times[next_output] <= stop) emit(y.data());
  }
  local.evaluations = context.evaluations;
  if (stats) {
    stats->steps += local.steps;
    stats->rejected += local.rejected;
    stats->evaluations += local.evaluations;
  }
  return out;
}

}  // namespace tilt
