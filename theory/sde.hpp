// The finite-d stochastic theory (docs/theory/escape.md): the order parameters of online SGD at dimension d follow
// dX = F(X) dt + d^(-1/2) B(X) dW with F the ODE's right-hand side and B B^T = Cov[U], U = d x (the one-step
// change of X caused by one sample). Integrated with fixed steps that stop exactly at switches and output times.
#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "core/schedule.hpp"
#include "core/trajectory.hpp"
#include "theory/integrate.hpp"
#include "theory/ode_model.hpp"

namespace tilt {

// The per-sample increments of a model: U = d (X_after - X_before) for one SGD step on one fresh sample, to
// leading order in 1/d (its mean is the ODE's right-hand side, its covariance the diffusion matrix).
class Diffusion {
 public:
  virtual ~Diffusion() = default;
  // Fills out[j * n .. j * n + n) (n = the model's state size) with `count` independent draws of U at state y
  // for samples of difficulty `difficulty`, in phase `phase`, drawing from rng. Returns false when y is outside
  // the model's domain.
  virtual bool increments(double difficulty, std::size_t phase, const double* y, Rng& rng, int count,
                          double* out) const = 0;
};

struct SdeOptions {
  double d = 1000;   // the input dimension that sets the noise strength (sim.d)
  double dt = 0.02;  // the fixed step (theory.sde_dt); shortened to stop exactly at switches and outputs
  int samples = 16;  // M: sampled increments per step for the noise covariance (theory.sde_samples)
  double blowup = 1e8;
  long long max_steps = 10000000;
};

// One noise path from y0 at t = 0 over `times`. Each step (stochastic Heun, docs/theory/escape.md):
//   N  = sqrt(h/d) (M-1)^(-1/2) sum_j (U_j - mean U) xi_j        (U_j ~ the phase's sample mix at X, xi_j ~ N(0,1))
//   X~ = X + h F(X) + N,   X' = X + h (F(X) + F(X~))/2 + N.
// The noise is conditionally Gaussian with covariance (h/d) times the unbiased sample covariance of U, whose mean
// is Cov[U]. Throws RunError with the time on blow-up or when the state leaves the domain.
Trajectory integrate_sde(const OdeModel& drift, const Diffusion& diffusion, const Schedule& schedule,
                         std::vector<double> y0, const std::vector<double>& times, const SdeOptions& options,
                         Rng& noise, IntegratorStats* stats);

}  // namespace tilt
