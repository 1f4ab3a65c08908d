#include "core/limits.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "core/experiment.hpp"
#include "core/io.hpp"
#include "core/model.hpp"

namespace tilt {
namespace {

std::string num(double x) { return format_number(x); }  // a value as given: exact
std::string approx(double x) {                          // a derived value: 4 significant digits
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", x);
  return buffer;
}

std::string gigabytes(double bytes) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g GB", bytes / 1e9);
  return buffer;
}

// The largest double that converts to a long long without overflow (2^63 is exactly representable and too big).
constexpr double kLongLongLimit = 9223372036854774784.0;

double threads_in_flight(const ResolvedExperiment& e, long long members) {
  return double(std::max(1LL, std::min<long long>(e.sim.threads, members)));
}

double output_rows(const ResolvedExperiment& e) { return e.output.rows(); }

// Doubles held by one simulated network at dimension sim.d, and the size of the ODE state (a few copies live in
// the integrator's work space): the model's own estimates (core/model.hpp).
double weight_doubles(const ResolvedExperiment& e) { return e.model->network_doubles(e); }
double state_size(const ResolvedExperiment& e) { return e.model->state_size(e); }

// Bytes of the output: every member's trajectory, the mean and standard error, and the CSV text (about 24
// characters per number, mean and standard error columns).
double output_bytes(const ResolvedExperiment& e, long long members) {
  const double rows = output_rows(e), columns = output_columns(e) + 1;
  return rows * (columns * 8 + 40) * (double(members) + 2) + rows * 2 * columns * 24;
}

void check_memory(const ResolvedExperiment& e, double bytes, const std::string& what, const std::string& keys) {
  const double budget = memory_budget_bytes(e);
  if (bytes > budget)
    throw InputError(
        "the run would need about " + gigabytes(bytes) + " of memory (" + what + "), more than the " +
        gigabytes(budget) + " allowed by max_memory_gb" +
        (e.max_memory_gb > 0 ? " = " + num(e.max_memory_gb) : std::string(" (0: half of the physical memory)")) +
        "; allowed: lower " + keys + ", or raise max_memory_gb if the machine has the memory");
}

// The rates at which weight decay (and, for the perceptron, its L2 penalty and consolidation) shrink the weights,
// with the keys that set them: the model's own, or eta * weight_decay and, with a read-out, eta_v * weight_decay_v.
std::vector<DecayRate> decay_rates(const ResolvedExperiment& e) {
  if (e.model->decay_rates) return e.model->decay_rates(e);
  const TrainingSettings& t = e.training;
  std::vector<DecayRate> out{{t.eta * t.weight_decay, "eta * weight_decay"}};
  if (t.has_readout) out.push_back({t.eta_v * t.weight_decay_v, "eta_v * weight_decay_v"});
  return out;
}

// Maximum theory steps: theory.max_steps.
double theory_step_budget(const ResolvedExperiment& e) { return double(e.theory.ode.max_steps); }

}  // namespace

double simulation_memory_bytes(const ResolvedExperiment& e, long long members) {
  return output_bytes(e, members) + threads_in_flight(e, members) * weight_doubles(e) * 8;
}

double theory_memory_bytes(const ResolvedExperiment& e, long long members) {
  double bytes = output_bytes(e, members) + threads_in_flight(e, members) * state_size(e) * 8 * 16;
  if (e.theory.init == TheoryInit::Sampled)  // the initial overlaps come from weights sampled at sim.d
    bytes += threads_in_flight(e, members) * weight_doubles(e) * 8;
  return bytes;
}

void check_validation_limits(const ResolvedExperiment& e) {
  const long long S = e.sim.seeds;
  const long long theory_members = e.sim.same_init ? 1 : S;
  check_simulation_limits(e, S);
  check_theory_limits(e, theory_members);
  // validate holds both ensembles (and the theory twin of every member) at once
  check_memory(e, simulation_memory_bytes(e, S) + theory_memory_bytes(e, S),
               "the simulation and its theory twin together: " + num(output_rows(e)) + " output rows x " +
                   num(output_columns(e)) + " columns x " + std::to_string(S) + " seeds, twice",
               "t_max / output.every (or output.points), sim.seeds, sim.d or the model's widths");
}

long long sgd_steps_per_member(const ResolvedExperiment& e) {
  const double t_max = e.t_max, d = double(e.sim.d);
  const double steps = std::round(t_max * d);
  const double limit = e.sim.max_steps;
  if (!(steps <= kLongLongLimit) || !(steps <= limit))
    throw InputError("t_max * sim.d = " + num(t_max) + " * " + std::to_string(e.sim.d) + " = " + approx(t_max * d) +
                     " SGD steps per seed, more than sim.max_steps = " + num(limit) +
                     (steps <= kLongLongLimit ? "" : " (and more than a 64-bit step counter holds)") +
                     "; allowed: t_max * sim.d <= sim.max_steps (lower t_max or sim.d, or raise sim.max_steps)");
  return std::llround(steps);
}

double output_columns(const ResolvedExperiment& e) { return e.model->output_columns(e); }

double memory_budget_bytes(const ResolvedExperiment& e) {
  const double gb = e.max_memory_gb;
  if (gb > 0) return gb * 1e9;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 8e9;  // unknown: assume a small machine
  return 0.5 * double(pages) * double(page);
}

void check_simulation_limits(const ResolvedExperiment& e, long long members) {
  const long long steps = sgd_steps_per_member(e);
  if (double(steps) * double(members) > kLongLongLimit)
    throw InputError("sim.seeds * t_max * sim.d = " + approx(double(steps) * double(members)) +
                     " SGD steps in all, more than a 64-bit step counter holds; allowed: fewer seeds or steps");
  const double d = double(e.sim.d);
  // SGD multiplies the weights by 1 - (eta/d) lambda every step: below 0 they flip sign every step and grow.
  for (const auto& decay : decay_rates(e)) {
    const double factor = 1 - decay.rate / d;
    if (!std::isfinite(decay.rate) || factor < 0)
      throw InputError(decay.keys + " = " + approx(decay.rate) + " with sim.d = " + num(d) +
                       ": each SGD step multiplies the weights by 1 - " + approx(decay.rate) +
                       "/sim.d = " + approx(factor) +
                       " < 0 (they flip sign every step and grow); allowed: " + decay.keys + " <= sim.d");
  }
  const double bytes = simulation_memory_bytes(e, members);
  check_memory(e, bytes,
               num(output_rows(e)) + " output rows x " + num(output_columns(e)) + " columns x " +
                   std::to_string(members) + " seeds, and the networks at sim.d = " + num(d),
               "t_max / output.every (or output.points), sim.seeds, sim.d, sim.threads or the model's widths");
}

void check_theory_limits(const ResolvedExperiment& e, long long members) {
  if (!e.model->theory)
    throw InputError("model '" + e.model->name + "' has no theory" +
                     (e.model->no_theory.empty() ? "" : " (" + e.model->no_theory + ")") +
                     ": use tilt sim or tilt sweep with run = \"sim\"");
  if (const auto& theory_check = e.model->theory_check) theory_check(e);
  const double t_max = e.t_max, budget = theory_step_budget(e);
  // Weight decay at rate r makes the ODE stiff: the fastest mode (a squared norm) decays like exp(-2 r t), and an
  // explicit method is stable only for steps h with 2 r h below about 3.3 (rk45, dopri5) to 6 (rk8pd), so it needs
  // at least r t_max / 3 steps whatever the tolerances. Beyond the step budget the run could never finish.
  for (const auto& decay : decay_rates(e)) {
    const double steps = decay.rate * t_max / 3;
    if (!std::isfinite(steps) || steps > budget)
      throw InputError(decay.keys + " = " + approx(decay.rate) + " with t_max = " + num(t_max) +
                       " makes the ODE so stiff that an explicit integrator needs at least " + approx(steps) +
                       " steps, more than the step budget " + num(budget) + std::string(" (theory.max_steps)") +
                       "; allowed: " + decay.keys + " * t_max <= " + num(3 * budget));
  }
  const std::string& method = e.theory.ode.method;
  if (method == "rk4" || method == "euler") {
    const double steps = t_max / e.theory.ode.dt;
    if (!(steps <= budget))
      throw InputError("t_max / theory.dt = " + num(t_max) + " / " + num(e.theory.ode.dt) + " = " + approx(steps) +
                       " fixed steps, more than the step budget " + num(budget) + std::string(" (theory.max_steps)") +
                       "; allowed: a larger theory.dt, a smaller t_max, or an adaptive theory.method");
  }
  const double bytes = theory_memory_bytes(e, members);
  check_memory(e, bytes,
               num(output_rows(e)) + " output rows x " + num(output_columns(e)) + " columns x " +
                   std::to_string(members) + " members",
               "t_max / output.every (or output.points), theory.ensemble, sim.d (theory.init = \"sampled\") or the "
               "model's widths");
}

}  // namespace tilt
