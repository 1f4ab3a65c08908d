#include "models/perceptron/sim/perceptron_sgd.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/io.hpp"
#include "sim/online.hpp"
#include "sim/run.hpp"

namespace tilt {

PerceptronSgd::PerceptronSgd(PerceptronParams params, PerceptronWeights weights, Rng samples)
    : p_(std::move(params)), w_(std::move(weights)), rng_(samples) {
  anchor();
  x_r_.resize(p_.N_r);
  x_i_.resize(p_.N_i);
}

void PerceptronSgd::anchor() {
  anchor_r_ = w_.w_r;
  anchor_i_ = w_.w_i;
}

double PerceptronSgd::step_with_coupling(double delta, double gamma) {
  // Draw the sample and accumulate the fields in one pass (the normals dominate the cost of a step).
  double lambda = 0, u = 0;
  for (Eigen::Index j = 0; j < x_r_.size(); ++j) {
    const double x = rng_.normal();
    x_r_[j] = x;
    lambda += w_.w_r[j] * x;
    u += w_.teacher[j] * x;
  }
  const bool noisy = delta > 0 && x_i_.size() > 0;  // Delta = 0: the irrelevant inputs are exactly zero
  if (noisy) {
    const double sd = std::sqrt(delta);
    for (Eigen::Index j = 0; j < x_i_.size(); ++j) {
      const double x = sd * rng_.normal();
      x_i_[j] = x;
      lambda += w_.w_i[j] * x;
    }
  }
  // G = -dloss/dlambda for loss (y - erf(lambda/2))^2 / 2, y = sign(u).
  const double G =
      ((u > 0 ? 1.0 : -1.0) - std::erf(0.5 * lambda)) * std::exp(-0.25 * lambda * lambda) / std::sqrt(M_PI);
  const double step = p_.eta / double(p_.N);
  const double shrink = 1.0 - step * (p_.l2 + gamma);
  w_.w_r = shrink * w_.w_r + (step * G) * x_r_;
  if (noisy) {
    w_.w_i = shrink * w_.w_i + (step * G) * x_i_;
  } else if (shrink != 1.0) {
    w_.w_i *= shrink;
  }
  if (gamma > 0) {
    w_.w_r += (step * gamma) * anchor_r_;
    w_.w_i += (step * gamma) * anchor_i_;
  }
  return lambda;
}

PerceptronOverlaps PerceptronSgd::overlaps() const {
  return {w_.w_r.squaredNorm(),  w_.w_i.squaredNorm(),    w_.w_r.dot(w_.teacher),  w_.w_r.dot(anchor_r_),
          w_.w_i.dot(anchor_i_), anchor_r_.squaredNorm(), anchor_i_.squaredNorm(), anchor_r_.dot(w_.teacher)};
}

double PerceptronSgd::largest_order_parameter() const {
  const PerceptronOverlaps o = overlaps();
  double largest = 0;
  for (double v : {o.Q_r, o.Q_i, o.R, o.C_r, o.C_i}) largest = std::isfinite(v) ? std::max(largest, std::fabs(v)) : v;
  return largest;
}

Trajectory simulate_perceptron(const ResolvedExperiment& experiment, long long member) {
  const PerceptronParams& p = experiment.params<PerceptronParams>();
  PerceptronSgd sgd(p, sample_perceptron_weights(p, experiment.init_seed(member)),
                    Rng(std::uint64_t(experiment.sample_seed(member)), Stream::SgdSamples));
  return run_online(sgd, experiment.schedule, experiment.output.times(), p.N, experiment.blowup);
}

}  // namespace tilt
