// The per-sample increments (theory/sde.hpp) of the perceptron: its finite-d stochastic theory (theory.noise =
// "sde"; docs/theory/escape.md).
#pragma once
#include <memory>

#include "models/perceptron/core/perceptron.hpp"
#include "theory/sde.hpp"

namespace tilt {

// perceptron: one sample gives, with the teacher field u, lambda = lambda_r + lambda_i and
// G = (sign u - erf(lambda/2)) exp(-lambda^2/4)/sqrt(pi),
//   U_Q_r = 2 eta G lambda_r + eta^2 rho_r G^2 - 2 eta l2 Q_r,   U_Q_i = 2 eta G lambda_i + eta^2 rho_i Delta G^2 - 2
//   eta l2 Q_i, U_R = eta (G u - l2 R);   C_r, C_i and the anchor get no noise (elastic consolidation is refused with
//   noise).
class PerceptronDiffusion : public Diffusion {
 public:
  explicit PerceptronDiffusion(PerceptronParams p) : p_(std::move(p)) {}
  bool increments(double delta, std::size_t phase, const double* y, Rng& rng, int count, double* out) const override;

 private:
  PerceptronParams p_;
};

// The descriptor's `diffusion`: PerceptronDiffusion of the experiment's parameters; InputError for elastic
// consolidation (perceptron.coupling > 0), whose overlaps the stochastic theory gives no noise.
std::unique_ptr<Diffusion> perceptron_diffusion(const ResolvedExperiment& experiment);

}  // namespace tilt
