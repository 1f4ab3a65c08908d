// The [perceptron] table of the experiment file (models.md section 2).
#include "core/keys.hpp"
#include "core/models/perceptron.hpp"

namespace tilt {

std::vector<KeySpec> perceptron_keys() {
  using namespace keys;
  return {
      real("perceptron.T", 2.0, "> 0", greater(0), "Teacher norm squared, |w*|^2.", "perceptron"),
      real("perceptron.rho_r", 1.0, "> 0", greater(0), "N_r/N: relevant inputs per unit of N.", "perceptron"),
      real("perceptron.rho_i", 1.0, ">= 0", at_least(0), "N_i/N: irrelevant inputs per unit of N.", "perceptron"),
      real("perceptron.l2", 0.0, ">= 0", at_least(0), "L2 penalty lambda_reg: (lambda_reg/2)|w|^2 added to the loss.", "perceptron"),
      real("perceptron.coupling", 0.0, ">= 0", at_least(0),
           "Elastic consolidation gamma: after each switch, (gamma/2)|w - w_switch|^2 is added to the loss.", "perceptron"),
  };
}

// The run reads its parameters with PerceptronParams::from_config, which throws InputError on what it cannot use; the
// same reader here is the one place of the model's checks.
void perceptron_check(const Config& config) { (void)PerceptronParams::from_config(config); }

}  // namespace tilt
