// Online SGD for model xgm (docs/models.md sections 0 and 3) at finite d: a K-unit 2-layer network trained one fresh
// sample of the Gaussian mixture at a time.
#pragma once
#include "core/rng.hpp"
#include "core/schedule.hpp"
#include "core/trajectory.hpp"
#include "models/xgm/core/xgm.hpp"
#include "sim/two_layer.hpp"

namespace tilt {

struct ResolvedExperiment;  // core/experiment.hpp

class XgmSgd {
 public:
  XgmSgd(XgmParams params, XgmWeights weights, Rng samples);
  // One SGD step on a fresh sample of difficulty Delta. Returns the network output f (non-finite on blow-up).
  double step(double delta);
  XgmOverlaps overlaps() const { return overlaps_of(p_, w_); }
  const XgmWeights& weights() const { return w_; }

  // The Trainer interface of sim/online.hpp (xgm has nothing to do at a switch).
  std::vector<std::string> columns() const { return observer_.columns(); }
  std::vector<double> observe() const { return observer_.observe(overlaps()); }
  double largest_order_parameter() const;
  void on_switch() {}
  double step(double delta, std::size_t /*phase*/) { return step(delta); }
  double uniform() { return rng_.uniform(); }

 private:
  XgmParams p_;
  XgmWeights w_;
  Rng rng_;
  XgmObserver observer_;
  TwoLayerWork work_;
  Eigen::VectorXd x_rel_, x_irr_;
  std::vector<double> cumulative_p_;
};

// One SGD run of ensemble member `member` of the experiment (sim/run.hpp: init_seed, sample_seed); the
// descriptor's `simulate`.
Trajectory simulate_xgm(const ResolvedExperiment& experiment, long long member);

}  // namespace tilt
