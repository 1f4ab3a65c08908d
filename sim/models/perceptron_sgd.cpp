#include "sim/models/perceptron_sgd.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/config.hpp"
#include "core/io.hpp"
#include "sim/models/members.hpp"
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

double PerceptronSgd::step(double delta, double gamma) {
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
  const double G = ((u > 0 ? 1.0 : -1.0) - std::erf(0.5 * lambda)) * std::exp(-0.25 * lambda * lambda) / std::sqrt(M_PI);
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
  return {w_.w_r.squaredNorm(),      w_.w_i.squaredNorm(),      w_.w_r.dot(w_.teacher),
          w_.w_r.dot(anchor_r_),     w_.w_i.dot(anchor_i_),     anchor_r_.squaredNorm(),
          anchor_i_.squaredNorm(),   anchor_r_.dot(w_.teacher)};
}

Trajectory PerceptronSgd::run(const Schedule& schedule, const std::vector<double>& times, double blowup) {
  const double N = double(p_.N);
  std::vector<long long> phase_start;
  for (const auto& phase : schedule.phases()) phase_start.push_back(std::llround(phase.start * N));
  std::vector<long long> output_step;
  for (double t : times) output_step.push_back(std::llround(t * N));
  const long long total = output_step.back();

  Trajectory out;
  out.columns = perceptron_columns(p_);
  std::size_t phase = 0, next_output = 0;
  for (long long n = 0; n <= total; ++n) {
    // A switch takes effect before the sample of its step is drawn and before output at that step.
    if (phase + 1 < phase_start.size() && n >= phase_start[phase + 1]) {
      ++phase;
      anchor();
    }
    while (next_output < output_step.size() && output_step[next_output] == n) {
      const PerceptronOverlaps o = overlaps();
      for (double v : {o.Q_r, o.Q_i, o.R, o.C_r, o.C_i})
        if (!std::isfinite(v) || std::fabs(v) > blowup)
          throw RunError("simulation diverged at t = " + format_number(double(n) / N) + ": order parameter " +
                         format_number(v) + " beyond the blow-up bound " + format_number(blowup));
      out.times.push_back(double(n) / N);
      out.rows.push_back(perceptron_observables(p_, o));
      ++next_output;
    }
    if (n == total) break;
    const auto& mixture = schedule.phases()[phase].mixture;
    double delta = mixture[0].difficulty;
    if (mixture.size() > 1 && !(rng_.uniform() < mixture[0].weight)) delta = mixture[1].difficulty;
    const double lambda = step(delta, phase > 0 ? p_.coupling : 0.0);
    if (!std::isfinite(lambda))
      throw RunError("simulation diverged at t = " + format_number(double(n) / N) + ": the student's field is not finite");
  }
  return out;
}

Trajectory simulate_perceptron(const Config& config, long long member) {
  const PerceptronParams p = PerceptronParams::from_config(config);
  PerceptronSgd sgd(p, sample_perceptron_weights(p, init_seed(config, member)),
                    Rng(std::uint64_t(sample_seed(config, member)), Stream::SgdSamples));
  return sgd.run(Schedule::from_config(config), output_times(config), config.real("blowup"));
}

}  // namespace tilt
