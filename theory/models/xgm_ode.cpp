#include "theory/models/xgm_ode.hpp"

#include <cmath>

namespace tilt {

// Recipe of docs/models.md section 0 with lambda_k = r_k.m_c + sigma r_k.xi + sqrt(Delta) (L z)_k, L L^T = Qp:
//   dr_k/dt    = eta <G_k (m_c + sigma xi)> - eta wd r_k
//   dQp_kl/dt  = eta (Y_kl + Y_lk) + eta^2 Delta <G_k G_l> - 2 eta wd Qp_kl,   Y = sqrt(Delta) <G z^T> L^T
//                (sqrt(Delta) <G_k zeta_l> = sqrt(Delta) sum_b L_lb <G_k z_b>)
//   dv_k/dt    = eta_v c_K <e g(lambda_k)> - eta_v wd_v v_k                 (if the read-out is trained)
// ||x||^2/d -> Delta gives the eta^2 term; the D relevant coordinates add O(1/d) only.
bool XgmOde::rhs(double delta, std::size_t, const double* y, double* dydt) const {
  const int K = p_.K, D = p_.D;
  const XgmOverlaps o = xgm_overlaps_of_state(K, D, y);
  XgmMoments m;
  if (!gauss_.expect(o, delta, true, &m, false)) return false;
  const double eta = p_.eta;
  const Eigen::MatrixXd dr = eta * m.dr - eta * p_.weight_decay * o.r;
  const Eigen::MatrixXd Y = std::sqrt(delta) * m.Gz * m.L.transpose();
  const Eigen::MatrixXd dQ = eta * (Y + Y.transpose()) + eta * eta * delta * m.GG - 2 * eta * p_.weight_decay * o.Qp;
  double* out = dydt;
  for (int k = 0; k < K; ++k)
    for (int a = 0; a < D; ++a) *out++ = dr(k, a);
  for (int k = 0; k < K; ++k)
    for (int l = k; l < K; ++l) *out++ = dQ(k, l);
  for (int k = 0; k < K; ++k)
    *out++ = p_.train_readout ? p_.eta_v * p_.cK * m.eg(k) - p_.eta_v * p_.weight_decay_v * o.v(k) : 0.0;
  return true;
}

std::vector<double> XgmOde::observe(const double* y) const {
  return observer_.observe(xgm_overlaps_of_state(p_.K, p_.D, y));
}

}  // namespace tilt
