#include "theory/integrate.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"

namespace tilt {

IntegratorOptions IntegratorOptions::from_config(const Config& config) {
  return {config.string("theory.method"), config.real("theory.rtol"), config.real("theory.atol"),
          config.real("theory.dt"), config.real("blowup")};
}

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
  return nullptr;  // euler: written out below, it has no GSL stepper
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

}  // namespace

Trajectory integrate(const OdeModel& model, const Schedule& schedule, std::vector<double> y,
                     const std::vector<double>& times, const IntegratorOptions& options, IntegratorStats* stats) {
  gsl_set_error_handler_off();
  const std::size_t n = model.dimension();
  Context context{&model, nullptr, 0, 0, std::vector<double>(n), ""};
  gsl_odeiv2_system system{evaluate, nullptr, n, &context};

  const gsl_odeiv2_step_type* type = step_type(options.method);
  const bool adaptive = options.method != "rk4" && options.method != "euler";
  std::unique_ptr<gsl_odeiv2_step, GslDeleter> step(type ? gsl_odeiv2_step_alloc(type, n) : nullptr);
  std::unique_ptr<gsl_odeiv2_control, GslDeleter> control(
      adaptive ? gsl_odeiv2_control_y_new(options.atol, options.rtol) : nullptr);
  std::unique_ptr<gsl_odeiv2_evolve, GslDeleter> evolve(adaptive ? gsl_odeiv2_evolve_alloc(n) : nullptr);

  // Stops: every output time and every switch; no step ever crosses one.
  const double t_end = times.back();
  std::vector<double> stops = schedule.switches_in(0.0, t_end);
  stops.insert(stops.end(), times.begin(), times.end());
  std::sort(stops.begin(), stops.end());
  stops.erase(std::unique(stops.begin(), stops.end()), stops.end());

  Trajectory out;
  out.columns = model.columns();
  IntegratorStats local;
  std::size_t phase_index = schedule.index_at(0.0);
  double t = 0.0, h = std::min(1e-3, options.dt);
  std::vector<double> dydt(n), y_err(n);
  std::size_t next_output = 0;

  for (double stop : stops) {
    if (stop > t) {
      context.phase = &schedule.phases()[phase_index];
      context.phase_index = phase_index;
      if (adaptive) {
        while (t < stop) {
          const std::size_t failed_before = evolve->failed_steps;
          const int status = gsl_odeiv2_evolve_apply(evolve.get(), control.get(), step.get(), &system, &t, stop, &h, y.data());
          local.rejected += static_cast<long long>(evolve->failed_steps - failed_before);
          if (status != GSL_SUCCESS)
            throw RunError("ODE integration failed at t = " + format_number(t) + ": " +
                           (context.failure.empty() ? gsl_strerror(status) : context.failure) +
                           " (lower eta or the tolerances)");
          ++local.steps;
          check_state(model, y, t, options.blowup);
          if (local.steps > 100000000) throw RunError("ODE step size collapsed near t = " + format_number(t));
        }
      } else {
        // Fixed steps: an integer count per interval, t = t0 + k h, never accumulated.
        const double t0 = t;
        const long long count = std::max(1LL, static_cast<long long>(std::ceil((stop - t0) / options.dt - 1e-9)));
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
          ++local.steps;
          check_state(model, y, t0 + double(k + 1) * hh, options.blowup);
        }
        t = stop;
      }
    }
    // Arrived at `stop`: apply a switch first, so that output at a switch time shows the new phase's state.
    const std::size_t now = schedule.index_at(stop);
    if (now != phase_index) {
      model.on_switch(y.data());
      phase_index = now;
      if (adaptive) {
        gsl_odeiv2_evolve_reset(evolve.get());
        gsl_odeiv2_step_reset(step.get());
      }
    }
    if (next_output < times.size() && stop == times[next_output]) {
      out.times.push_back(stop);
      out.rows.push_back(model.observe(y.data()));
      ++next_output;
    }
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
