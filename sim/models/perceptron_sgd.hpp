// Online SGD for the perceptron (models.md section 2) at finite N, with L2 penalty and elastic consolidation.
#pragma once
#include <cstdint>

#include "core/models/perceptron.hpp"
#include "core/rng.hpp"
#include "core/schedule.hpp"
#include "core/trajectory.hpp"

namespace tilt {

class PerceptronSgd {
 public:
  // Starts from `weights` (teacher and student); samples come from `samples`.
  PerceptronSgd(PerceptronParams params, PerceptronWeights weights, Rng samples);
  // One online SGD step on a fresh sample of difficulty Delta; gamma is the consolidation strength in force.
  // Returns the student's field lambda on that sample (non-finite when the weights have blown up).
  double step(double delta, double gamma);
  void anchor();  // w1 <- w (at a switch)
  PerceptronOverlaps overlaps() const;
  // Runs the schedule from t = 0, recording observables at `times` (as steps round(t N)). Throws RunError on
  // divergence, with the time.
  Trajectory run(const Schedule& schedule, const std::vector<double>& times, double blowup);

 private:
  PerceptronParams p_;
  PerceptronWeights w_;
  Eigen::VectorXd anchor_r_, anchor_i_, x_r_, x_i_;
  Rng rng_;
};

}  // namespace tilt
