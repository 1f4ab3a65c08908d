// Online SGD for the perceptron (docs/models.md section 2) at finite N, with L2 penalty and elastic consolidation.
#pragma once
#include <cstdint>

#include "core/rng.hpp"
#include "core/schedule.hpp"
#include "core/trajectory.hpp"
#include "models/perceptron/core/perceptron.hpp"

namespace tilt {

struct ResolvedExperiment;  // core/experiment.hpp

class PerceptronSgd {
 public:
  // Starts from `weights` (teacher and student); samples come from `samples`.
  PerceptronSgd(PerceptronParams params, PerceptronWeights weights, Rng samples);
  // One online SGD step on a fresh sample of difficulty Delta; gamma is the consolidation strength in force.
  // Returns the student's field lambda on that sample (non-finite when the weights have blown up).
  double step_with_coupling(double delta, double gamma);
  void anchor();  // w1 <- w (at a switch)
  PerceptronOverlaps overlaps() const;
  const PerceptronWeights& weights() const { return w_; }

  // The Trainer interface of sim/online.hpp: consolidation acts after the first switch and re-anchors at each.
  std::vector<std::string> columns() const { return perceptron_columns(p_); }
  std::vector<double> observe() const { return perceptron_observables(p_, overlaps()); }
  double largest_order_parameter() const;
  void on_switch() { anchor(); }
  double step(double delta, std::size_t phase) { return step_with_coupling(delta, phase > 0 ? p_.coupling : 0.0); }
  double uniform() { return rng_.uniform(); }

 private:
  PerceptronParams p_;
  PerceptronWeights w_;
  Eigen::VectorXd anchor_r_, anchor_i_, x_r_, x_i_;
  Rng rng_;
};

// One SGD run of ensemble member `member` of the experiment (sim/run.hpp: init_seed, sample_seed); the
// descriptor's `simulate`.
Trajectory simulate_perceptron(const ResolvedExperiment& experiment, long long member);

}  // namespace tilt
