// Online SGD for model fmnist (docs/fmnist.md): the two-layer network of sim/two_layer.hpp, one fresh sample per
// step drawn uniformly with replacement from the selected training images; at difficulty Delta > 0 the sample carries
// N(0, Delta) noise on the mask (the irrelevant pixels).
#pragma once
#include "core/rng.hpp"
#include "core/trajectory.hpp"
#include "models/fmnist/core/fmnist.hpp"
#include "sim/two_layer.hpp"

namespace tilt {

struct ResolvedExperiment;  // core/experiment.hpp

// A uniform integer in [0, n) from one 64-bit draw (the high word of draw * n: Lemire's multiply-shift; the bias is
// below n / 2^64).
inline long long uniform_index(Rng& rng, long long n) {
  return (long long)((unsigned __int128)rng.next() * (unsigned __int128)n >> 64);
}

class FmnistSgd {
 public:
  // `test_seed` draws the fixed test set (experiment.seed: the same for every member).
  FmnistSgd(const FmnistParams& params, TwoLayerWeights weights, Rng samples, long long test_seed);
  // One SGD step: the image index (one uniform_index draw), then at Delta > 0 one normal per mask coordinate (in
  // stored order). Returns the network output f (non-finite on blow-up).
  double step(double delta);
  const TwoLayerWeights& weights() const { return w_; }
  // The last sample (stored coordinate order, data.order) and its label.
  const Eigen::VectorXd& sample() const { return x_; }

  // The Trainer interface of sim/online.hpp.
  std::vector<std::string> columns() const { return fmnist_columns(p_); }
  std::vector<double> observe() const { return fmnist_observe(p_, test_, w_); }
  double largest_order_parameter() const;
  void on_switch() {}
  double step(double delta, std::size_t /*phase*/) { return step(delta); }
  double uniform() { return rng_.uniform(); }

 private:
  const FmnistParams& p_;
  TwoLayerWeights w_;
  Rng rng_;
  FmnistTestSet test_;
  TwoLayerWork work_;
  Eigen::VectorXd x_;
};

// One SGD run of ensemble member `member` (sim/run.hpp: init_seed, sample_seed); the descriptor's `simulate`.
Trajectory simulate_fmnist(const ResolvedExperiment& experiment, long long member);

}  // namespace tilt
