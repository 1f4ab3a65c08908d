// Checks made before any compute starts: step counts that fit their integers and the step budget, memory that
// fits the machine, step factors that keep SGD and the ODE sensible, degenerate models the theory cannot
// integrate. Each failure is an InputError (exit code 2) naming the keys, the values and what is allowed.
#pragma once
#include <cstdint>
#include <string>

namespace tilt {

struct ResolvedExperiment;  // core/experiment.hpp

// SGD steps of one member: round(t_max * sim.d), checked against overflow and sim.max_steps.
long long sgd_steps_per_member(const ResolvedExperiment& experiment);

// Columns of the model's output (observables, without `t`), from the parameters alone (nothing is sampled).
double output_columns(const ResolvedExperiment& experiment);

// The memory budget in bytes: max_memory_gb, or half of the physical memory when it is 0.
double memory_budget_bytes(const ResolvedExperiment& experiment);

// Everything `tilt sim` (members = sim.seeds) or the simulation half of `tilt validate` needs to be feasible.
void check_simulation_limits(const ResolvedExperiment& experiment, long long members);
// Both, for `tilt validate`, and their memory together.
void check_validation_limits(const ResolvedExperiment& experiment);
// Estimated bytes of a simulation ensemble / a theory ensemble of `members` (checked against memory_budget_bytes).
double simulation_memory_bytes(const ResolvedExperiment& experiment, long long members);
double theory_memory_bytes(const ResolvedExperiment& experiment, long long members);
// Everything `tilt ode` (members = theory.ensemble) or the theory half of `tilt validate` needs.
void check_theory_limits(const ResolvedExperiment& experiment, long long members);

}  // namespace tilt
