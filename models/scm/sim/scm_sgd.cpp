#include "models/scm/sim/scm_sgd.hpp"

#include <cmath>

#include "sim/online.hpp"
#include "sim/run.hpp"

namespace tilt {

ScmSgd::ScmSgd(ScmParams params, ScmWeights weights, Rng samples)
    : p_(std::move(params)), w_(std::move(weights)), rng_(samples) {
  x_.resize(p_.d);
  lambda_.resize(p_.K);
  nu_.resize(p_.M);
  coef_.resize(p_.K);
}

double ScmSgd::step() {
  for (auto& xi : x_) xi = rng_.normal();
  lambda_.noalias() = w_.W * x_;
  nu_.noalias() = w_.teacher * x_;
  double y = 0, f = 0;
  for (int m = 0; m < p_.M; ++m) y += p_.A[m] * activation_g(p_.activation, nu_[m]);
  if (p_.noise > 0) y += std::sqrt(p_.noise) * rng_.normal();
  for (int k = 0; k < p_.K; ++k) f += w_.v[k] * activation_g(p_.activation, lambda_[k]);
  const double e = y - f;
  const double step = p_.eta / double(p_.d);
  // Both layers move from the same (old) weights: the first-layer gradient uses the old read-out.
  for (int k = 0; k < p_.K; ++k) coef_[k] = step * e * w_.v[k] * activation_dg(p_.activation, lambda_[k]);
  if (p_.weight_decay > 0) w_.W *= 1 - step * p_.weight_decay;
  w_.W.noalias() += coef_ * x_.transpose();
  if (p_.train_readout) {
    const double step_v = p_.eta_v / double(p_.d);
    for (int k = 0; k < p_.K; ++k)
      w_.v[k] += step_v * (e * activation_g(p_.activation, lambda_[k]) - p_.weight_decay_v * w_.v[k]);
  }
  return e;
}

double ScmSgd::largest_order_parameter() const {
  const ScmOverlaps o = overlaps();
  if (!o.Q.allFinite() || !o.R.allFinite() || !o.v.allFinite()) return NAN;
  return std::max({o.Q.cwiseAbs().maxCoeff(), o.R.cwiseAbs().maxCoeff(), o.v.cwiseAbs().maxCoeff()});
}

// The curriculum schedule is not consulted: scm has no difficulty parameter (docs/theory/scm.md).
Trajectory simulate_scm(const ResolvedExperiment& experiment, long long member) {
  const ScmParams& p = experiment.params<ScmParams>();
  ScmSgd sgd(p, sample_scm_weights(p, experiment.init_seed(member)),
             Rng(std::uint64_t(experiment.sample_seed(member)), Stream::SgdSamples));
  const Schedule constant({{0.0, experiment.t_max, {{1.0, 0.0}}}});
  return run_online(sgd, constant, experiment.output.times(), p.d, experiment.blowup);
}

}  // namespace tilt
