// The scm theory problem: its ODE and the initial order parameters (sampled at sim.d, nominal, or a CSV row).
#include "models/scm/theory/scm_problem.hpp"

#include <Eigen/Cholesky>

#include "core/error.hpp"
#include "core/io.hpp"
#include "models/scm/core/scm.hpp"
#include "models/scm/theory/scm_ode.hpp"

namespace tilt {

namespace {

std::string index_name(const std::string& prefix, int a, int b = -1) {
  return prefix + "_" + std::to_string(a + 1) + (b >= 0 ? "_" + std::to_string(b + 1) : "");
}

// Order parameters from a row of a CSV written by tilt (or with the same column names). T_m_n and A_m, when
// present, override the config's teacher; v_k is required when the read-out is trained, else optional.
ScmOverlaps overlaps_from_row(ScmParams& p, const std::map<std::string, double>& row, const std::string& path,
                              long long seed) {
  ScmOverlaps o{Eigen::MatrixXd(p.K, p.K), Eigen::MatrixXd(p.K, p.M), scm_initial_readout(p, seed)};
  for (int k = 0; k < p.K; ++k)
    for (int l = k; l < p.K; ++l) o.Q(k, l) = o.Q(l, k) = init_column(row, index_name("Q", k, l), path);
  for (int k = 0; k < p.K; ++k)
    for (int m = 0; m < p.M; ++m) o.R(k, m) = init_column(row, index_name("R", k, m), path);
  for (int k = 0; k < p.K; ++k)
    if (p.train_readout || row.count(index_name("v", k))) o.v[k] = init_column(row, index_name("v", k), path);
  for (int m = 0; m < p.M; ++m) {
    if (row.count(index_name("A", m))) p.A[m] = row.at(index_name("A", m));
    for (int n = 0; n < p.M; ++n) {
      const std::string a = index_name("T", std::min(m, n), std::max(m, n));
      if (row.count(a)) p.T(m, n) = row.at(a);
    }
  }
  // The joint covariance of student and teacher fields must be positive semi-definite.
  Eigen::MatrixXd omega(p.K + p.M, p.K + p.M);
  omega << o.Q, o.R, o.R.transpose(), p.T;
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(omega);
  if (ldlt.info() != Eigen::Success || (ldlt.vectorD().array() < -1e-12 * omega.diagonal().maxCoeff()).any() ||
      Eigen::LLT<Eigen::MatrixXd>(p.T).info() != Eigen::Success)
    throw InputError(
        "initial overlaps from '" + path +
        "' are not a valid covariance (need [[Q, R], [R^T, T]] positive semi-definite, T positive definite)");
  return o;
}

}  // namespace

TheoryProblem scm_problem(const ResolvedExperiment& experiment, long long member) {
  ScmParams p = experiment.params<ScmParams>();
  const long long seed = experiment.seed + member;
  const TheorySettings& theory = experiment.theory;
  ScmOverlaps o;
  if (theory.init == TheoryInit::Sampled) {
    o = scm_overlaps_of(sample_scm_weights(p, seed));
  } else if (theory.init == TheoryInit::Nominal) {
    o = scm_nominal_overlaps(p, seed);
  } else {
    const std::string& path = theory.init_file;
    o = overlaps_from_row(p, CsvTable::read(path).row_at(theory.init_t, path), path, seed);
  }
  p.v0 = o.v;  // the fixed read-out, or the initial one when it is trained
  auto model = std::make_unique<ScmOde>(p);
  std::vector<double> y0 = model->state_of(o);
  return {std::move(model), std::move(y0)};
}

}  // namespace tilt
