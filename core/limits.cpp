#include "core/limits.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/keys.hpp"
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

double threads_in_flight(const Config& config, long long members) {
  const long long t = config.integer("sim.threads") > 0 ? config.integer("sim.threads") : omp_get_num_procs();
  return double(std::max(1LL, std::min(t, members)));
}

// Doubles held by one simulated network at dimension sim.d, and the size of the ODE state (a few copies live in
// the integrator's work space): the model's own estimates (core/model.hpp).
double weight_doubles(const Config& config) { return model_of(config).network_doubles(config); }
double state_size(const Config& config) { return model_of(config).state_size(config); }

// Bytes of the output: every member's trajectory, the mean and standard error, and the CSV text (about 24
// characters per number, mean and standard error columns).
double output_bytes(const Config& config, long long members) {
  const double rows = output_rows(config), columns = output_columns(config) + 1;
  return rows * (columns * 8 + 40) * (double(members) + 2) + rows * 2 * columns * 24;
}

void check_memory(const Config& config, double bytes, const std::string& what, const std::string& keys) {
  const double budget = memory_budget_bytes(config);
  if (bytes > budget)
    throw InputError("the run would need about " + gigabytes(bytes) + " of memory (" + what + "), more than the " +
                     gigabytes(budget) + " allowed by max_memory_gb" +
                     (config.real("max_memory_gb") > 0 ? " = " + num(config.real("max_memory_gb"))
                                                       : std::string(" (0: half of the physical memory)")) +
                     "; allowed: lower " + keys + ", or raise max_memory_gb if the machine has the memory");
}

// The rates at which weight decay (and, for the perceptron, its L2 penalty and consolidation) shrink the weights,
// with the keys that set them: the model's own, or eta * weight_decay and, with a read-out, eta_v * weight_decay_v.
std::vector<DecayRate> decay_rates(const Config& config) {
  const ModelDescriptor& model = model_of(config);
  if (model.decay_rates) return model.decay_rates(config);
  std::vector<DecayRate> out{{config.real("eta") * config.real("weight_decay"), "eta * weight_decay"}};
  if (config.has("weight_decay_v"))
    out.push_back({config.real("eta_v") * config.real("weight_decay_v"), "eta_v * weight_decay_v"});
  return out;
}

// Maximum theory steps: theory.max_steps when the integrator registers it, else a fixed bound of the same order.
double theory_step_budget(const Config& config) {
  if (config.has("theory.max_steps")) return keys::number(config.values().at("theory.max_steps"));
  return 1e8;
}

}  // namespace

double simulation_memory_bytes(const Config& config, long long members) {
  return output_bytes(config, members) + threads_in_flight(config, members) * weight_doubles(config) * 8;
}

double theory_memory_bytes(const Config& config, long long members) {
  double bytes = output_bytes(config, members) + threads_in_flight(config, members) * state_size(config) * 8 * 16;
  if (config.string("theory.init") == "sampled")  // the initial overlaps come from weights sampled at sim.d
    bytes += threads_in_flight(config, members) * weight_doubles(config) * 8;
  return bytes;
}

void check_validation_limits(const Config& config) {
  const long long S = config.integer("sim.seeds");
  const long long theory_members = config.boolean("sim.same_init") ? 1 : S;
  check_simulation_limits(config, S);
  check_theory_limits(config, theory_members);
  // validate holds both ensembles (and the theory twin of every member) at once
  check_memory(config, simulation_memory_bytes(config, S) + theory_memory_bytes(config, S),
               "the simulation and its theory twin together: " + num(output_rows(config)) + " output rows x " +
                   num(output_columns(config)) + " columns x " + std::to_string(S) + " seeds, twice",
               "t_max / output.every (or output.points), sim.seeds, sim.d or the model's widths");
}

long long sgd_steps_per_member(const Config& config) {
  const double t_max = config.real("t_max"), d = double(config.integer("sim.d"));
  const double steps = std::round(t_max * d);
  const double limit = config.real("sim.max_steps");
  if (!(steps <= kLongLongLimit) || !(steps <= limit))
    throw InputError("t_max * sim.d = " + num(t_max) + " * " + std::to_string(config.integer("sim.d")) + " = " +
                     approx(t_max * d) + " SGD steps per seed, more than sim.max_steps = " + num(limit) +
                     (steps <= kLongLongLimit ? "" : " (and more than a 64-bit step counter holds)") +
                     "; allowed: t_max * sim.d <= sim.max_steps (lower t_max or sim.d, or raise sim.max_steps)");
  return std::llround(steps);
}

double output_rows(const Config& config) {
  const long long points = config.integer("output.points");
  const double rows =
      points > 0 ? double(points) + 1 : std::floor(config.real("t_max") / config.real("output.every")) + 2;
  if (!(rows <= 1e10))
    throw InputError("the output grid has " + num(rows) + " rows (t_max = " + num(config.real("t_max")) +
                     (points > 0 ? ", output.points = " + std::to_string(points)
                                 : ", output.every = " + num(config.real("output.every"))) +
                     "); allowed: at most 1e10 rows (raise output.every or set output.points)");
  return rows;
}

double output_columns(const Config& config) { return model_of(config).output_columns(config); }

double memory_budget_bytes(const Config& config) {
  const double gb = config.real("max_memory_gb");
  if (gb > 0) return gb * 1e9;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 8e9;  // unknown: assume a small machine
  return 0.5 * double(pages) * double(page);
}

void check_simulation_limits(const Config& config, long long members) {
  const long long steps = sgd_steps_per_member(config);
  if (double(steps) * double(members) > kLongLongLimit)
    throw InputError("sim.seeds * t_max * sim.d = " + approx(double(steps) * double(members)) +
                     " SGD steps in all, more than a 64-bit step counter holds; allowed: fewer seeds or steps");
  const double d = double(config.integer("sim.d"));
  // SGD multiplies the weights by 1 - (eta/d) lambda every step: below 0 they flip sign every step and grow.
  for (const auto& decay : decay_rates(config)) {
    const double factor = 1 - decay.rate / d;
    if (!std::isfinite(decay.rate) || factor < 0)
      throw InputError(decay.keys + " = " + approx(decay.rate) + " with sim.d = " + num(d) +
                       ": each SGD step multiplies the weights by 1 - " + approx(decay.rate) +
                       "/sim.d = " + approx(factor) +
                       " < 0 (they flip sign every step and grow); allowed: " + decay.keys + " <= sim.d");
  }
  const double bytes = simulation_memory_bytes(config, members);
  check_memory(config, bytes,
               num(output_rows(config)) + " output rows x " + num(output_columns(config)) + " columns x " +
                   std::to_string(members) + " seeds, and the networks at sim.d = " + num(d),
               "t_max / output.every (or output.points), sim.seeds, sim.d, sim.threads or the model's widths");
}

void check_theory_limits(const Config& config, long long members) {
  if (const auto& theory_check = model_of(config).theory_check) theory_check(config);
  const double t_max = config.real("t_max"), budget = theory_step_budget(config);
  // Weight decay at rate r makes the ODE stiff: the fastest mode (a squared norm) decays like exp(-2 r t), and an
  // explicit method is stable only for steps h with 2 r h below about 3.3 (rk45, dopri5) to 6 (rk8pd), so it needs
  // at least r t_max / 3 steps whatever the tolerances. Beyond the step budget the run could never finish.
  for (const auto& decay : decay_rates(config)) {
    const double steps = decay.rate * t_max / 3;
    if (!std::isfinite(steps) || steps > budget)
      throw InputError(decay.keys + " = " + approx(decay.rate) + " with t_max = " + num(t_max) +
                       " makes the ODE so stiff that an explicit integrator needs at least " + approx(steps) +
                       " steps, more than the step budget " + num(budget) +
                       (config.has("theory.max_steps") ? " (theory.max_steps)" : "") + "; allowed: " + decay.keys +
                       " * t_max <= " + num(3 * budget));
  }
  const std::string& method = config.string("theory.method");
  if (method == "rk4" || method == "euler") {
    const double steps = t_max / config.real("theory.dt");
    if (!(steps <= budget))
      throw InputError("t_max / theory.dt = " + num(t_max) + " / " + num(config.real("theory.dt")) + " = " +
                       approx(steps) + " fixed steps, more than the step budget " + num(budget) +
                       (config.has("theory.max_steps") ? " (theory.max_steps)" : "") +
                       "; allowed: a larger theory.dt, a smaller t_max, or an adaptive theory.method");
  }
  const double bytes = theory_memory_bytes(config, members);
  check_memory(config, bytes,
               num(output_rows(config)) + " output rows x " + num(output_columns(config)) + " columns x " +
                   std::to_string(members) + " members",
               "t_max / output.every (or output.points), theory.ensemble, sim.d (theory.init = \"sampled\") or the "
               "model's widths");
}

}  // namespace tilt
