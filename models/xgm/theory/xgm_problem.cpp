// The xgm theory problem: its ODE and the initial order parameters (sampled at sim.d, nominal, or a CSV row).
#include "models/xgm/theory/xgm_problem.hpp"

#include "core/error.hpp"
#include "core/io.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/theory/xgm_ode.hpp"

#include <Eigen/Cholesky>

namespace tilt {

TheoryProblem xgm_problem(const ResolvedExperiment& experiment, long long member) {
  const XgmParams& p = experiment.params<XgmParams>();
  const TheorySettings& theory = experiment.theory;
  const long long seed = experiment.seed + member;
  XgmOverlaps o;
  if (theory.init == TheoryInit::Sampled) {
    o = overlaps_of(p, sample_xgm_weights(p, seed));
  } else if (theory.init == TheoryInit::Nominal) {
    o = nominal_overlaps(p, seed);
  } else {
    const std::string& path = theory.init_file;
    const auto row = CsvTable::read(path).row_at(theory.init_t, path);
    const auto names = xgm_state_names(p.K, p.D);
    std::vector<double> y;
    for (const auto& name : names) y.push_back(init_column(row, name, path));
    o = xgm_overlaps_of_state(p.K, p.D, y.data());
    if (Eigen::LLT<Eigen::MatrixXd>(o.Qp).info() != Eigen::Success)
      throw InputError("initial overlaps from '" + path + "': Qperp is not positive definite");
  }
  return {std::make_unique<XgmOde>(p), xgm_state_of(o)};
}

}  // namespace tilt
