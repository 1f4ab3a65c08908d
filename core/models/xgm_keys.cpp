// The [xgm] table of the experiment file (models.md section 3; key names fixed by architecture.md).
#include "core/keys.hpp"
#include "core/models/xgm.hpp"

namespace tilt {

std::vector<KeySpec> xgm_keys() {
  using namespace keys;
  return {
      integer("xgm.K", 4, ">= 1", at_least(1), "Number of hidden units K of the student.", "xgm"),
      choice("xgm.activation", "relu", {"relu", "erf", "tanh", "quadratic", "linear"},
             "Activation g: relu, erf (= erf(x/sqrt 2)), tanh, quadratic (x^2), linear. Odd g cannot solve the XOR "
             "task (no biases).",
             "xgm"),
      choice("xgm.loss", "square", {"square", "logistic"},
             "Loss: square 1/2 (y - f)^2 or logistic log(1 + exp(-y f)).", "xgm"),
      choice("xgm.readout_scale", "1/sqrt(K)", {"1", "1/sqrt(K)", "1/K"},
             "c_K in f = c_K sum_k v_k g(lambda_k).", "xgm"),
      boolean("xgm.train_readout", true, "Train the read-out v (rate eta_v, decay weight_decay_v) or keep it frozen.",
              "xgm"),
      choice("xgm.readout_init", "gaussian", {"gaussian", "alternating", "ones"},
             "Initial read-out: v_k ~ N(0,1) (from the seed), +1,-1,+1,... , or all 1; times readout_init_scale.",
             "xgm"),
      real("xgm.readout_init_scale", 1.0, "> 0", greater(0), "Multiplies the initial read-out.", "xgm"),
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
      integer("xgm.lines", 0, ">= 8, or 0 (automatic)", [](const toml::value& v) { return number(v) == 0 || number(v) >= 8; },
              "Accuracy of the right-hand side's Gaussian expectations that have no closed form "
              "(docs/theory/xgm.md): number of fixed quasi-random lines per cluster; along each line the integral "
              "is exact (relu) or by Gauss-Hermite/Gauss-Legendre quadrature. Error falls roughly like 1/lines. "
              "With relu and the square loss only the eta^2 term uses them (the rest is closed form). "
              "0: max(1024, 16384/K) (the eta^2 term scales like c_K^2, the cost per line like K^2).",
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
      integer("xgm.nodes", 16, "in [2, 64]", between(2, 64),
              "Quadrature nodes along each line: Gauss-Hermite nodes for smooth activations, Gauss-Legendre nodes "
              "per unit-width panel for the logistic loss with relu.",
              "xgm"),
      boolean("xgm.diagnostics", true,
              "Report the per-unit diagnostics align_k = |r_k|/sqrt(Q_kk) and match_k (1 when sign(v_k) is the "
              "label of the cluster centre closest in angle to r_k, else 0).",
              "xgm"),
  };
}

// The run reads its parameters with XgmParams::from_config, which throws InputError on what it cannot use; the
// same reader here is the one place of the model's checks.
void xgm_check(const Config& config) { (void)XgmParams::from_config(config); }

}  // namespace tilt
