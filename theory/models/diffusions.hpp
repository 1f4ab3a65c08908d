// The per-sample increments (theory/sde.hpp) of each model that has a finite-d stochastic theory:
// xgm and perceptron (docs/theory/escape.md).
#pragma once
#include <memory>

#include "core/models/perceptron.hpp"
#include "core/models/xgm.hpp"
#include "theory/sde.hpp"

namespace tilt {

// xgm: one sample (cluster c, xi, irrelevant fields iota = sqrt(Delta) L z with L L^T = Qperp) gives
//   U_r_k     = eta (G_k (m_c + sigma xi) - wd r_k)
//   U_Qperp_kl = eta (G_k iota_l + G_l iota_k) + eta^2 Delta G_k G_l - 2 eta wd Qperp_kl
//   U_v_k     = eta_v (c_K e g(lambda_k) - wd_v v_k)     (0 for a frozen read-out)
// with lambda = r (m_c + sigma xi) + iota and G_k = e c_K v_k g'(lambda_k).
class XgmDiffusion : public Diffusion {
 public:
  explicit XgmDiffusion(XgmParams p) : p_(std::move(p)) {}
  bool increments(double delta, std::size_t phase, const double* y, Rng& rng, int count, double* out) const override;

 private:
  XgmParams p_;
};

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

// The diffusion of the configured model (theory.noise = "sde"); InputError for a model without one.
std::unique_ptr<Diffusion> make_diffusion(const ResolvedExperiment& experiment);

}  // namespace tilt
