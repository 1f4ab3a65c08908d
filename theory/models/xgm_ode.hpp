// The xgm order-parameter ODE (docs/models.md section 3; derivation in docs/theory/xgm.md).
// State: r_k_a (K x D, row-major), Qperp_k_l (k <= l), v_k.
#pragma once
#include "core/models/xgm.hpp"
#include "core/models/xgm_gauss.hpp"
#include "theory/ode_model.hpp"

namespace tilt {

class XgmOde : public OdeModel {
 public:
  explicit XgmOde(const XgmParams& params) : p_(params), gauss_(params, true, false), observer_(params) {}
  std::size_t dimension() const override { return xgm_state_size(p_.K, p_.D); }
  bool rhs(double difficulty, std::size_t phase, const double* y, double* dydt) const override;
  std::vector<std::string> columns() const override { return observer_.columns(); }
  std::vector<double> observe(const double* y) const override;
  std::vector<std::string> state_names() const override { return xgm_state_names(p_.K, p_.D); }
  const XgmParams& params() const { return p_; }

 private:
  XgmParams p_;
  XgmGauss gauss_;
  XgmObserver observer_;
};

}  // namespace tilt
