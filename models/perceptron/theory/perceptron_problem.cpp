// The perceptron's theory problem: its ODE and the initial overlaps (sampled, nominal or from a CSV row).
#include "models/perceptron/theory/perceptron_problem.hpp"

#include "core/error.hpp"
#include "core/io.hpp"
#include "models/perceptron/core/perceptron.hpp"
#include "models/perceptron/theory/perceptron_ode.hpp"

namespace tilt {
TheoryProblem perceptron_problem(const ResolvedExperiment& experiment, long long member) {
  PerceptronParams p = experiment.params<PerceptronParams>();
  const TheorySettings& theory = experiment.theory;
  PerceptronOverlaps o{};
  if (theory.init == TheoryInit::Sampled) {
    o = overlaps_of(sample_perceptron_weights(p, experiment.seed + member));
  } else if (theory.init == TheoryInit::Nominal) {
    o = nominal_overlaps(p);
  } else {
    const std::string& path = theory.init_file;
    const auto row = CsvTable::read(path).row_at(theory.init_t, path);
    if (row.count("T")) p.T = row.at("T");  // a fixed quantity in the file overrides the config
    const double Q_r = init_column(row, "Q_r", path), Q_i = init_column(row, "Q_i", path),
                 R = init_column(row, "R", path);
    o = {Q_r, Q_i, R, Q_r, Q_i, Q_r, Q_i, R};
    if (row.count("C_r") && row.count("C_i")) {
      o.C_r = row.at("C_r");
      o.C_i = row.at("C_i");
    }
    if (!(Q_r > 0) || Q_i < 0 || R * R > Q_r * p.T)
      throw InputError("initial overlaps from '" + path +
                       "' are not a valid covariance (need Q_r > 0, Q_i >= 0, R^2 <= Q_r T)");
  }
  return {std::make_unique<PerceptronOde>(p), PerceptronOde::state_of(o)};
}

}  // namespace tilt
