#include "models/xgm/sim/xgm_sgd.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/io.hpp"
#include "models/xgm/core/xgm_gauss.hpp"
#include "sim/online.hpp"
#include "sim/run.hpp"

namespace tilt {

XgmSgd::XgmSgd(XgmParams params, XgmWeights weights, Rng samples)
    : p_(std::move(params)), w_(std::move(weights)), rng_(samples), observer_(p_) {
  x_rel_.resize(p_.D);
  x_irr_.resize(p_.d - p_.D);
  lambda_.resize(p_.K);
  G_.resize(p_.K);
  double acc = 0;
  for (const auto& c : p_.clusters) cumulative_p_.push_back(acc += c.p);
}

// w_k <- w_k + (eta/d)(G_k x - wd w_k), v_k <- v_k + (eta_v/d)(c_K e g(lambda_k) - wd_v v_k), G_k = e c_K v_k
// g'(lambda_k).
double XgmSgd::step(double delta) {
  const double u = rng_.uniform();
  std::size_t c = 0;
  while (c + 1 < p_.clusters.size() && u >= cumulative_p_[c]) ++c;
  const XgmCluster& cl = p_.clusters[c];
  for (int a = 0; a < p_.D; ++a) x_rel_(a) = cl.centre(a) + p_.sigma * rng_.normal();
  const bool noisy = delta > 0;  // Delta = 0: the irrelevant coordinates are exactly zero
  auto W_rel = w_.W.leftCols(p_.D);
  auto W_irr = w_.W.rightCols(p_.d - p_.D);
  lambda_.noalias() = W_rel * x_rel_;
  if (noisy) {
    const double sd = std::sqrt(delta);
    for (Eigen::Index i = 0; i < x_irr_.size(); ++i) x_irr_(i) = sd * rng_.normal();
    lambda_.noalias() += W_irr * x_irr_;
  }
  double f = 0;
  for (int k = 0; k < p_.K; ++k) f += p_.cK * w_.v(k) * activation_g(p_.activation, lambda_(k));
  const double y = cl.label;
  const double e = p_.loss == XgmLoss::Square ? y - f : y / (1.0 + std::exp(y * f));
  for (int k = 0; k < p_.K; ++k) G_(k) = e * p_.cK * w_.v(k) * activation_dg(p_.activation, lambda_(k));
  const double step = p_.eta / double(p_.d);
  if (p_.weight_decay > 0) w_.W *= 1.0 - step * p_.weight_decay;
  W_rel.noalias() += (step * G_) * x_rel_.transpose();
  if (noisy) W_irr.noalias() += (step * G_) * x_irr_.transpose();
  if (p_.train_readout) {
    const double sv = p_.eta_v / double(p_.d);
    for (int k = 0; k < p_.K; ++k)
      w_.v(k) += sv * (p_.cK * e * activation_g(p_.activation, lambda_(k)) - p_.weight_decay_v * w_.v(k));
  }
  return f;
}

double XgmSgd::largest_order_parameter() const {
  const XgmOverlaps o = overlaps();
  if (!o.r.allFinite() || !o.Qp.allFinite() || !o.v.allFinite()) return NAN;
  return std::max({o.r.cwiseAbs().maxCoeff(), o.Qp.cwiseAbs().maxCoeff(), o.v.cwiseAbs().maxCoeff()});
}

Trajectory simulate_xgm(const ResolvedExperiment& experiment, long long member) {
  const XgmParams& p = experiment.params<XgmParams>();
  XgmSgd sgd(p, sample_xgm_weights(p, experiment.init_seed(member)),
             Rng(std::uint64_t(experiment.sample_seed(member)), Stream::SgdSamples));
  return run_online(sgd, experiment.schedule, experiment.output.times(), p.d, experiment.blowup);
}

}  // namespace tilt
