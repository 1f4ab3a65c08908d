#include "models/perceptron/theory/perceptron_diffusion.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/io.hpp"

namespace tilt {

bool PerceptronDiffusion::increments(double delta, std::size_t, const double* y, Rng& rng, int count,
                                     double* out) const {
  const double Q_r = y[0], Q_i = y[1], R = y[2];
  const double resid = Q_r - R * R / p_.T;  // variance of lambda_r given the teacher field
  if (!(Q_r > 0) || Q_i < 0 || resid < 0) return false;
  const double eta = p_.eta, l2 = p_.l2, sT = std::sqrt(p_.T), sr = std::sqrt(resid);
  const double si = std::sqrt(std::max(delta, 0.0) * Q_i);
  for (int j = 0; j < count; ++j) {
    const double a = rng.normal(), b = rng.normal(), c = rng.normal();
    const double u = sT * a, lr = R / sT * a + sr * b, li = si * c, lambda = lr + li;
    const double G =
        ((u > 0 ? 1.0 : -1.0) - std::erf(0.5 * lambda)) * std::exp(-0.25 * lambda * lambda) / std::sqrt(M_PI);
    double* o = out + std::size_t(j) * PerceptronOverlaps::size;
    o[0] = 2 * eta * G * lr + eta * eta * p_.rho_r * G * G - 2 * eta * l2 * Q_r;
    o[1] = 2 * eta * G * li + eta * eta * p_.rho_i * delta * G * G - 2 * eta * l2 * Q_i;
    o[2] = eta * (G * u - l2 * R);
    for (std::size_t i = 3; i < PerceptronOverlaps::size; ++i) o[i] = 0.0;
  }
  return true;
}

std::unique_ptr<Diffusion> perceptron_diffusion(const ResolvedExperiment& experiment) {
  const PerceptronParams& p = experiment.params<PerceptronParams>();
  if (p.coupling != 0)
    throw InputError("key 'perceptron.coupling' = " + format_number(p.coupling) +
                     " with theory.noise = \"sde\": the stochastic theory has no noise for the consolidation "
                     "overlaps; allowed: 0, or theory.noise = \"none\"");
  return std::make_unique<PerceptronDiffusion>(p);
}

}  // namespace tilt
