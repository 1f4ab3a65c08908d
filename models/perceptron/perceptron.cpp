// Model `perceptron` (docs/models.md, "perceptron"): curriculum with irrelevant features, L2 and elastic
// consolidation. Its descriptor: the [perceptron] keys, checks, columns, validation columns, cost, theory and
// simulation. The pieces live in this folder,
// models/perceptron/: core/ (parameters, weights, observables), theory/ (ODE, problem, diffusion), sim/ (SGD).
#include "models/builtin.hpp"

#include "core/config.hpp"
#include "core/model.hpp"
#include "models/perceptron/core/perceptron.hpp"
#include "models/perceptron/sim/perceptron_sgd.hpp"
#include "models/perceptron/theory/perceptron_diffusion.hpp"
#include "models/perceptron/theory/perceptron_problem.hpp"

namespace tilt {
namespace {

std::vector<KeySpec> perceptron_keys() {
  using namespace keys;
  return {
      real("perceptron.T", 2.0, "> 0", greater(0), "Teacher norm squared, |w*|^2.", "perceptron"),
      real("perceptron.rho_r", 1.0, "> 0", greater(0), "N_r/N: relevant inputs per unit of N.", "perceptron"),
      real("perceptron.rho_i", 1.0, ">= 0", at_least(0), "N_i/N: irrelevant inputs per unit of N.", "perceptron"),
      real("perceptron.l2", 0.0, ">= 0", at_least(0), "L2 penalty lambda_reg: (lambda_reg/2)|w|^2 added to the loss.",
           "perceptron"),
      real("perceptron.coupling", 0.0, ">= 0", at_least(0),
           "Elastic consolidation gamma: after each switch, (gamma/2)|w - w_switch|^2 is added to the loss.",
           "perceptron"),
  };
}

const char* kNone = "dimensionless";

std::vector<ColumnDoc> perceptron_columns_doc() {
  return {time_column_doc(),
          {"Q_r", "squared norm of the student's relevant weights, |w_r|^2", kNone},
          {"Q_i", "squared norm of the student's irrelevant weights, |w_i|^2", kNone},
          {"R", "overlap of the relevant weights with the teacher, w_r . w*", kNone},
          {"C_r",
           "overlap of the relevant weights with the anchor (weights at the latest switch, initially w(0)), "
           "w_r . w1_r; only when perceptron.coupling > 0",
           kNone},
          {"C_i", "overlap of the irrelevant weights with the anchor, w_i . w1_i; only when perceptron.coupling > 0",
           kNone},
          {"eps",
           "test error (probability of a wrong sign) on the configured test distribution "
           "(test.difficulty; all = the mixture)",
           kNone},
          {"eps_easy", "test error on easy inputs (Delta = curriculum.easy)", kNone},
          {"eps_hard", "test error on hard inputs (Delta = curriculum.hard)", kNone},
          {"eps_mix", "test error on the mixture: p_E eps_easy + (1 - p_E) eps_hard", kNone},
          {"loss", "test loss 1/2 <(y - erf(lambda/2))^2> on the configured test distribution", kNone}};
}

}  // namespace

ModelDescriptor perceptron_model() {
  ModelDescriptor m;
  m.name = "perceptron";
  m.keys = perceptron_keys;
  // PerceptronParams::from_config throws InputError on what the run cannot use.
  m.parameters = [](const Config& config) -> std::shared_ptr<const ModelParameters> {
    return std::make_shared<const PerceptronParams>(PerceptronParams::from_config(config));
  };
  m.columns = perceptron_columns_doc();
  // A small set fixed before looking at data: the test error and the order parameters that carry the dynamics.
  m.validation_columns = {"eps", "R", "Q_i"};
  m.network_doubles = [](const ResolvedExperiment& e) {  // teacher, w_r, w_i, their anchors and the sample
    const PerceptronParams& p = e.params<PerceptronParams>();
    return 5 * ((p.rho_r + p.rho_i) * double(p.N) + 1);
  };
  m.state_size = [](const ResolvedExperiment&) { return 8.0; };
  m.output_columns = [](const ResolvedExperiment&) { return 10.0; };
  // models/perceptron/sim/perceptron_sgd.cpp: the field lambda = w.x over N_r + N_i inputs, then w += (eta/N) G x.
  m.sgd_step_multiply_adds = [](const ResolvedExperiment& e) {
    const PerceptronParams& p = e.params<PerceptronParams>();
    return 2.0 * double(p.N_r + p.N_i);
  };
  m.decay_rates = [](const ResolvedExperiment& e) {  // weight decay, the L2 penalty and consolidation all shrink w
    const PerceptronParams& p = e.params<PerceptronParams>();  // p.l2 = perceptron.l2 + weight_decay
    return std::vector<DecayRate>{
        {p.eta * (p.l2 + p.coupling), "eta * (weight_decay + perceptron.l2 + perceptron.coupling)"}};
  };
  m.theory = perceptron_problem;
  m.diffusion = perceptron_diffusion;
  m.simulate = simulate_perceptron;
  return m;
}

}  // namespace tilt
