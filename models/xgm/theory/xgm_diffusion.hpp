// The per-sample increments (theory/sde.hpp) of model xgm: its finite-d stochastic theory (theory.noise = "sde";
// docs/theory/escape.md).
#pragma once
#include <memory>

#include "models/xgm/core/xgm.hpp"
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

// The descriptor's `diffusion`: XgmDiffusion of the experiment's parameters.
std::unique_ptr<Diffusion> xgm_diffusion(const ResolvedExperiment& experiment);

}  // namespace tilt
