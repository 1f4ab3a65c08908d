#include "models/xgm/sim/xgm_sgd.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/io.hpp"
#include "models/xgm/core/xgm_gauss.hpp"
#include "sim/online.hpp"
#include "sim/run.hpp"
#include "sim/two_layer.hpp"

namespace tilt {

XgmSgd::XgmSgd(XgmParams params, XgmWeights weights, Rng samples)
    : p_(std::move(params)), w_(std::move(weights)), rng_(samples), observer_(p_), work_(p_.K) {
  x_rel_.resize(p_.D);
  x_irr_.resize(p_.d - p_.D);
  double acc = 0;
  for (const auto& c : p_.clusters) cumulative_p_.push_back(acc += c.p);
}

// One fresh sample of the mixture (the cluster, its relevant coordinates, at Delta > 0 the irrelevant ones), then
// the shared step of sim/two_layer.hpp; at Delta = 0 the irrelevant coordinates are exactly zero and left out.
double XgmSgd::step(double delta) {
  const double u = rng_.uniform();
  std::size_t c = 0;
  while (c + 1 < p_.clusters.size() && u >= cumulative_p_[c]) ++c;
  const XgmCluster& cl = p_.clusters[c];
  for (int a = 0; a < p_.D; ++a) x_rel_(a) = cl.centre(a) + p_.sigma * rng_.normal();
  if (!(delta > 0)) return two_layer_step(p_, w_, {{0, x_rel_}}, cl.label, work_);
  const double sd = std::sqrt(delta);
  for (Eigen::Index i = 0; i < x_irr_.size(); ++i) x_irr_(i) = sd * rng_.normal();
  return two_layer_step(p_, w_, {{0, x_rel_}, {p_.D, x_irr_}}, cl.label, work_);
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
