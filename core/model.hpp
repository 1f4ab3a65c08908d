// A model described in one place, and the registry of models. Everything that depends on which model runs (its
// keys and checks, output columns, validation columns, cost estimates, theory problem, simulation member) is read
// from the model's descriptor here; no other code names a model. docs/adding-a-model.md walks through a new one.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/columns.hpp"
#include "core/experiment.hpp"
#include "core/keys.hpp"
#include "core/trajectory.hpp"

namespace tilt {

class Config;
struct TheoryProblem;  // theory/run.hpp: the ODE and its initial state (only the theory layer builds or reads one)
class Diffusion;       // theory/sde.hpp: the per-sample increments of the finite-d stochastic theory

// A rate at which weight decay shrinks a layer's weights, and the keys that set it (for error messages).
struct DecayRate {
  double rate;
  std::string keys;
};

struct ModelDescriptor {
  std::string name;  // the value of `model = ...`, and the name of the model's key table ([name])
  // The model's own keys (each KeySpec's `model` is `name`), in the order docs/config.md lists them.
  std::function<std::vector<KeySpec>()> keys;
  // The one place the model reads its keys: its parameters (a struct deriving from ModelParameters), with the
  // checks beyond single values (shapes of tables, positive-definite matrices, ...). `tilt config` calls it too, so
  // it rejects what a run rejects. Throws InputError. Everything below takes the resolved experiment
  // (core/experiment.hpp), whose `parameters` this returned.
  std::function<std::shared_ptr<const ModelParameters>(const Config&)> parameters;
  // The output columns (names or patterns, `t` first) in the order written, with meaning and unit.
  std::vector<ColumnDoc> columns;
  // The columns `validate.columns = "auto"` compares: a small set fixed before looking at data.
  std::vector<std::string> validation_columns;
  // true: the model has a trained or frozen read-out layer, so the shared keys eta_v and weight_decay_v apply.
  bool has_readout = false;

  // Cost, from the parameters alone (nothing is sampled): doubles held by one simulated network at sim.d (weights,
  // teacher, anchors, sample and work vectors), the size of the ODE state, and the number of output columns
  // (observables, without `t`). They size the memory guard (core/limits.hpp).
  std::function<double(const ResolvedExperiment&)> network_doubles;
  std::function<double(const ResolvedExperiment&)> state_size;
  std::function<double(const ResolvedExperiment&)> output_columns;
  // Multiply-adds of one SGD step at sim.d, counted from the model's simulation code (the compute-to-solution
  // metric of docs/models.md section 5). Empty function: the model states no cost and sweeps report none.
  std::function<double(const ResolvedExperiment&)> sgd_step_multiply_adds;
  // The rates at which SGD shrinks the weights (checked against sim.d and the ODE's stiffness). Empty function:
  // eta * weight_decay, and with a read-out eta_v * weight_decay_v.
  std::function<std::vector<DecayRate>(const ResolvedExperiment&)> decay_rates;
  // Cases the theory cannot integrate although the keys are valid (the simulation may still run them); called by
  // check_theory_limits. Throws InputError. Empty function: none.
  std::function<void(const ResolvedExperiment&)> theory_check;
  // Cases `tilt optimize` cannot differentiate although the theory integrates them (a right-hand side that is not
  // one smooth function of the state); called before any optimisation. Throws InputError. Empty function: none.
  std::function<void(const ResolvedExperiment&)> optimize_check;

  // The ODE and the initial state of ensemble member `member` (theory.init: sampled at sim.d for seed + member,
  // nominal, or a CSV row); defined in the theory layer (models/<name>/theory/). Empty function: the model has no
  // theory (`no_theory` says why); every theory run (ode, validate, optimize, theory sweeps) is refused by
  // check_theory_limits with exit code 2 before any work.
  std::function<TheoryProblem(const ResolvedExperiment&, long long member)> theory;
  std::string no_theory;  // why there is no theory, for that message (e.g. "real images")
  // The finite-d stochastic theory (theory.noise = "sde", theory/sde.hpp): the model's per-sample increments of
  // the ODE's state; defined in the theory layer (models/<name>/theory/). Throws InputError for what it cannot
  // treat. Empty function: the model has none, and theory.noise = "sde" is refused.
  std::function<std::unique_ptr<Diffusion>(const ResolvedExperiment&)> diffusion;
  // One SGD run of ensemble member `member` (sim/run.hpp: init_seed, sample_seed); defined in the sim layer
  // (models/<name>/sim/).
  std::function<Trajectory(const ResolvedExperiment&, long long member)> simulate;
};

// Adds a model. Call before reading any experiment that uses it; the key registry (and so `tilt config
// --reference`) then includes its keys. Throws std::invalid_argument for a duplicate or incomplete descriptor.
// Built-in models: models/builtin.hpp (register_builtin_models).
void register_model(ModelDescriptor model);
// The registered models in registration order.
std::vector<const ModelDescriptor*> registered_models();
// The descriptor of `name`; InputError naming key 'model' and the registered models when there is none.
const ModelDescriptor& model_descriptor(const std::string& name);
// The descriptor of the experiment's `model`.
const ModelDescriptor& model_of(const Config& config);
// Increases with every registration (the key registry is rebuilt when it changes).
unsigned model_registry_generation();

}  // namespace tilt
