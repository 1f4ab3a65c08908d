#include "models/fmnist/sim/fmnist_sgd.hpp"

#include <algorithm>
#include <cmath>

#include "sim/online.hpp"
#include "sim/run.hpp"

namespace tilt {

FmnistSgd::FmnistSgd(const FmnistParams& params, TwoLayerWeights weights, Rng samples, long long test_seed)
    : p_(params), w_(std::move(weights)), rng_(samples), test_(params, test_seed), work_(params.K), x_(params.d) {}

double FmnistSgd::step(double delta) {
  const FmnistData& data = *p_.data;
  const long long i = uniform_index(rng_, data.train.cols());
  x_ = data.train.col(i).cast<double>();
  if (delta > 0) {
    const double sd = std::sqrt(delta);
    const int m = data.mask_size;
    double* tail = x_.data() + (data.d - m);
    for (int j = 0; j < m; ++j) tail[j] += sd * rng_.normal();
  }
  return two_layer_step(p_, w_, {{0, x_}}, data.train_label[std::size_t(i)], work_);
}

double FmnistSgd::largest_order_parameter() const {
  if (!w_.W.allFinite() || !w_.v.allFinite()) return NAN;
  return std::max(w_.W.rowwise().squaredNorm().maxCoeff(), w_.v.cwiseAbs().maxCoeff());
}

Trajectory simulate_fmnist(const ResolvedExperiment& experiment, long long member) {
  const FmnistParams& p = experiment.params<FmnistParams>();
  FmnistSgd sgd(p, sample_two_layer_weights(p, experiment.init_seed(member)),
                Rng(std::uint64_t(experiment.sample_seed(member)), Stream::SgdSamples), experiment.seed);
  return run_online(sgd, experiment.schedule, experiment.output.times(), p.d, experiment.blowup);
}

}  // namespace tilt
