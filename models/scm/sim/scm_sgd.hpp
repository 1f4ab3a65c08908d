// Online SGD for the soft committee machine (docs/models.md section 4) at finite d: first layer, and the read-out when
// it is trained, from the same initial weights as the theory.
#pragma once
#include "core/rng.hpp"
#include "core/trajectory.hpp"
#include "models/scm/core/scm.hpp"

namespace tilt {

struct ResolvedExperiment;  // core/experiment.hpp

class ScmSgd {
 public:
  ScmSgd(ScmParams params, ScmWeights weights, Rng samples);
  // One step on a fresh sample x ~ N(0, I_d), label y = sum_m A_m g(w*_m . x) + sqrt(noise) zeta.
  // Returns the error e = y - f on that sample (non-finite when the weights have blown up).
  double step();
  ScmOverlaps overlaps() const { return scm_overlaps_of(w_); }
  const ScmWeights& weights() const { return w_; }

  // The Trainer interface of sim/online.hpp (no difficulty parameter: delta and phase are ignored).
  std::vector<std::string> columns() const { return scm_columns(p_); }
  std::vector<double> observe() const { return scm_observables(p_, overlaps()); }
  double largest_order_parameter() const;
  void on_switch() {}
  double step(double /*delta*/, std::size_t /*phase*/) { return step(); }
  double uniform() { return rng_.uniform(); }

 private:
  ScmParams p_;
  ScmWeights w_;
  Rng rng_;
  Eigen::VectorXd x_, lambda_, nu_, coef_;
};

// One SGD run of ensemble member `member` of the experiment (sim/run.hpp: init_seed, sample_seed); the
// descriptor's `simulate`.
Trajectory simulate_scm(const ResolvedExperiment& experiment, long long member);

}  // namespace tilt
