// Theory driver: experiment -> model ODE and initial conditions -> integrated trajectories (one or an ensemble).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/experiment.hpp"
#include "core/trajectory.hpp"
#include "theory/integrate.hpp"
#include "theory/ode_model.hpp"
#include "theory/sde.hpp"

namespace tilt {

class Diffusion;

struct TheoryProblem {
  std::unique_ptr<OdeModel> model;
  std::vector<double> y0;
};

// The ODE of the configured model, started from the initial condition of ensemble member `member`
// (theory.init: the simulation's initial weights for seed + member at dimension sim.d, nominal, or a CSV row).
TheoryProblem make_theory_problem(const ResolvedExperiment& experiment, long long member);

// The configured model's stochastic theory (theory.noise = "sde"; its descriptor's `diffusion`), or InputError
// for a model that has none, naming those that have one.
std::unique_ptr<Diffusion> make_diffusion(const ResolvedExperiment& experiment);

// A value of the initial-condition row (theory.init = "file"), or InputError naming the file and the missing
// column; for the models' problem factories.
double init_column(const std::map<std::string, double>& row, const std::string& name, const std::string& path);

struct TheoryResult {
  std::vector<Trajectory> members;
  EnsembleTrajectory ensemble;        // mean and standard error over members (se = 0 for one member)
  IntegratorStats stats;              // summed over members
  std::vector<std::string> accuracy;  // per member: OdeModel::accuracy_json() after its run (empty: none)
  double wall_seconds = 0;
};

// The integrator's options (theory/integrate.hpp) from the experiment's theory.* settings and blowup.
IntegratorOptions integrator_options(const ResolvedExperiment& experiment);
// The stochastic theory's options (theory/sde.hpp) from theory.sde_*, sim.d, theory.max_steps and blowup.
SdeOptions sde_options(const ResolvedExperiment& experiment);

// Integrates theory.ensemble members (in parallel on sim.threads; results do not depend on the thread count).
TheoryResult run_theory(const ResolvedExperiment& experiment);
// Integrates members [0, count) from seed, seed+1, ...; used by run_theory and by validation.
TheoryResult run_theory_members(const ResolvedExperiment& experiment, long long count);

}  // namespace tilt
