// Model `xgm` (docs/models.md, "xgm"): a two-layer network of K units on the XOR-like Gaussian mixture. Its
// descriptor: the [xgm] keys, checks, columns, validation columns, cost, theory and simulation. The pieces live in this
// folder, models/xgm/: core/ (parameters, weights, observables), theory/ (ODE, problem, diffusion), sim/ (SGD).
#include "models/builtin.hpp"

#include <utility>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/model.hpp"
#include "core/schedule.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/sim/xgm_sgd.hpp"
#include "models/xgm/theory/xgm_diffusion.hpp"
#include "models/xgm/theory/xgm_problem.hpp"
#include "sim/two_layer.hpp"

namespace tilt {
namespace {

std::vector<KeySpec> xgm_keys() {
  using namespace keys;
  std::vector<KeySpec> out = two_layer_network_keys("xgm", " Odd g cannot solve the XOR task (no biases).");
  std::vector<KeySpec> own = {
      real("xgm.mu", 1.0, "> 0", greater(0), "Distance of the XOR preset's cluster centres from the origin.", "xgm"),
      real("xgm.sigma", 0.0, ">= 0", at_least(0),
           "Standard deviation sigma of each cluster in the D relevant directions.", "xgm"),
      integer("xgm.D", 2, ">= 1 (>= 2 for the XOR preset)", at_least(1),
              "Dimension D of the relevant subspace (the first D input coordinates in the simulation).", "xgm"),
      table("xgm.clusters",
            "array of rows [centre_1, ..., centre_D, label, p]: label +1 or -1, p > 0, the p summing to 1",
            "Custom cluster table replacing the XOR preset (centres (+-mu, 0) with y = +1, (0, +-mu) with y = -1, "
            "p = 1/4 each).",
            "xgm"),
      integer(
          "xgm.lines", 0, ">= 8, or 0 (automatic)",
          [](const toml::value& v) { return number(v) == 0 || number(v) >= 8; },
          "Accuracy of the right-hand side's Gaussian expectations that have no closed form "
          "(docs/theory/xgm.md): number of fixed quasi-random lines per cluster; along each line the integral "
          "is exact (relu) or by Gauss-Hermite/Gauss-Legendre quadrature. Error falls roughly like 1/lines. "
          "With relu and the square loss only the eta^2 term uses them (the rest is closed form). "
          "0: chosen from xgm.rhs_tol at the start of every phase of a theory run, doubling from "
          "max(1024, 16384/K) (the eta^2 term scales like c_K^2, the cost per line like K^2), then fixed for the "
          "phase.",
          "xgm"),
      real("xgm.rhs_tol", 1e-2, "> 0", greater(0),
           "Accuracy of the theory's right-hand side when xgm.lines or xgm.nodes is 0 (automatic): absolute, on "
           "every component of d(r, Qperp, v)/dt. At the start of each phase (and each difficulty of a mixture) "
           "the nodes double from 16 until the quadrature error along the lines (the change to twice the nodes) is "
           "at most rhs_tol/4, then the lines double until two standard errors over 8 shifted replicates are at "
           "most rhs_tol (at most 65536 lines, 128 nodes); both stay fixed for the phase (a smooth right-hand "
           "side), are re-estimated at every output time, and are recorded in the run's JSON record (accuracy).",
           "xgm"),
      integer("xgm.observable_lines", 65536, ">= 8", at_least(8),
              "Most lines per cluster for the observables eps and loss (evaluated at output times only). They "
              "start at 128 lines and double until two estimated standard errors are at most xgm.observable_tol "
              "(relu with the square loss: the loss is closed form).",
              "xgm"),
      real("xgm.observable_tol", 1e-4, ">= 0", at_least(0),
           "Accuracy of eps (and of the loss where it is a line average, relative to max(1, loss)): the lines "
           "double until two standard errors, estimated from 8 independently shifted replicates of the lines, are "
           "at most this, or xgm.observable_lines is reached. 0: always xgm.observable_lines.",
           "xgm"),
      boolean("xgm.closed_forms", true,
              "relu with the square loss: evaluate the drift, the read-out term and the loss in closed form "
              "(Stein's lemma, bivariate normal CDF). false: use the lines for everything (for comparisons).",
              "xgm"),
      integer(
          "xgm.nodes", 0, "0 (automatic) or in [2, 64]",
          [](const toml::value& v) { return number(v) == 0 || (number(v) >= 2 && number(v) <= 64); },
          "Quadrature nodes along each line: Gauss-Hermite nodes for smooth activations, Gauss-Legendre nodes "
          "per unit-width panel for the logistic loss with relu. 0: chosen from the tolerance (the right-hand "
          "side's from xgm.rhs_tol at the start of every phase, the loss's from xgm.observable_tol at every "
          "output), doubling from 16 up to 128.",
          "xgm"),
      boolean("xgm.diagnostics", true,
              "Report the per-unit diagnostics align_k = |r_k|/sqrt(Q_kk) and match_k (1 when sign(v_k) is the "
              "label of the cluster centre closest in angle to r_k, else 0).",
              "xgm"),
  };
  out.insert(out.end(), own.begin(), own.end());
  return out;
}

const char* kNone = "dimensionless";

std::vector<ColumnDoc> xgm_columns_doc() {
  return {
      time_column_doc(),
      {"r_k_a", "a-th relevant component of student unit k's weights (overlap with input direction a)", kNone},
      {"Qperp_k_l", "overlap of units k and l (k <= l) restricted to the irrelevant coordinates", kNone},
      {"v_k", "read-out weight of unit k", kNone},
      {"eps",
       "classification error P[y f <= 0] on the configured test distribution "
       "(test.difficulty; all = the mixture)",
       kNone},
      {"eps_easy", "classification error on easy inputs (Delta = curriculum.easy)", kNone},
      {"eps_hard", "classification error on hard inputs (Delta = curriculum.hard)", kNone},
      {"eps_mix", "classification error on the mixture: p_E eps_easy + (1 - p_E) eps_hard", kNone},
      {"loss", "test loss (xgm.loss: 1/2 (y - f)^2 or log(1 + exp(-y f))) on the configured test distribution", kNone},
      {"eps_err",
       "error estimate of eps: its standard error over 8 independently shifted replicates of the "
       "quadrature lines (xgm.observable_tol)",
       kNone},
      {"align_k", "relevant alignment of unit k, |r_k| / sqrt(|r_k|^2 + Qperp_k_k); only with xgm.diagnostics", kNone},
      {"match_k",
       "1 when sign(v_k) equals the label of the cluster centre closest in angle to r_k, else 0; only "
       "with xgm.diagnostics",
       kNone}};
}

// The fields of a cluster have covariance C = sigma^2 r r^T + Delta Qperp. With Delta = 0 in a training phase, C is
// singular (rank <= 1, or 0 when sigma = 0) for K >= 2 or sigma = 0, the drift is discontinuous in the state (relu:
// a delta function in the Stein terms) and the adaptive integrator stalls (issue 9: 246 077 steps for t <= 1 at
// K = 1). The simulation is well defined; the theory is refused.
void check_theory_not_degenerate(const ResolvedExperiment& e) {
  const XgmParams& p = e.params<XgmParams>();
  const double sigma = p.sigma;
  const long long K = p.K;
  if (sigma > 0 && K == 1) return;
  for (const auto& phase : e.schedule.phases())
    for (const auto& c : phase.mixture)
      if (c.weight > 0 && c.difficulty == 0 && phase.end > phase.start) {
        const std::string key = e.protocol == "custom" ? "curriculum.segments"
                                : 0.0 == e.test.easy   ? "curriculum.easy"
                                                       : "curriculum.hard";
        throw InputError(
            "key '" + key + "' = 0 with xgm.sigma = " + format_number(sigma) + " and xgm.K = " + std::to_string(K) +
            ": a training phase with Delta = 0 makes the field covariance sigma^2 r r^T + Delta Qperp singular " +
            (sigma == 0 ? "(zero: no noise in any direction)" : "(rank 1 for K >= 2)") +
            ", which the ODE cannot integrate; allowed: Delta > 0 in every training phase (e.g. " + key +
            " = 0.1), or xgm.sigma > 0 with xgm.K = 1; `tilt sim` runs this case");
      }
}

// The automatic quadrature (xgm.lines or xgm.nodes = 0) chooses its accuracy from the state at each phase start:
// the right-hand side is then not one smooth function of the state, and tilt optimize's differences of it would be
// meaningless. Fixed counts make it a smooth deterministic function.
void check_optimizable(const ResolvedExperiment& e) {
  const XgmParams& p = e.params<XgmParams>();
  for (const auto& [key, automatic] :
       {std::pair<const char*, bool>{"xgm.lines", p.lines_auto}, {"xgm.nodes", p.nodes_auto}})
    if (automatic)
      throw InputError("key '" + std::string(key) +
                       "' = 0 (automatic): tilt optimize differentiates the right-hand side, which must be one "
                       "smooth function of the state, and the automatic choice changes with the state; allowed: a "
                       "fixed count (xgm.lines >= 8, xgm.nodes in [2, 64]; e.g. lines = 256, nodes = 16)");
}

}  // namespace

ModelDescriptor xgm_model() {
  ModelDescriptor m;
  m.name = "xgm";
  m.keys = xgm_keys;
  // XgmParams::from_config throws InputError on what the run cannot use (bad cluster tables, sim.d too small).
  m.parameters = [](const Config& config) -> std::shared_ptr<const ModelParameters> {
    return std::make_shared<const XgmParams>(XgmParams::from_config(config));
  };
  m.columns = xgm_columns_doc();
  // The error, the loss (which weighs every order parameter) and one unit's irrelevant norm; units are
  // exchangeable, so unit 1 stands for all.
  m.validation_columns = {"eps", "loss", "Qperp_1_1"};
  m.has_readout = true;
  m.network_doubles = [](const ResolvedExperiment& e) {
    const XgmParams& p = e.params<XgmParams>();
    return (2 * double(p.K) + 4) * double(p.d);
  };
  m.state_size = [](const ResolvedExperiment& e) {
    const XgmParams& p = e.params<XgmParams>();
    const double K = double(p.K), D = double(p.D);
    return K * D + K * (K + 1) / 2 + K;
  };
  m.output_columns = [](const ResolvedExperiment& e) {
    const XgmParams& p = e.params<XgmParams>();
    const double K = double(p.K), D = double(p.D);
    return K * D + K * (K + 1) / 2 + K + 6 + (p.diagnostics ? 2 * K : 0);
  };
  // The shared step of sim/two_layer.hpp (models/xgm/sim/xgm_sgd.cpp calls it).
  m.sgd_step_multiply_adds = [](const ResolvedExperiment& e) {
    return two_layer_step_multiply_adds(e.params<XgmParams>());
  };
  m.theory_check = check_theory_not_degenerate;
  m.optimize_check = check_optimizable;
  m.theory = xgm_problem;
  m.diffusion = xgm_diffusion;
  m.simulate = simulate_xgm;
  return m;
}

}  // namespace tilt
