// The xgm stress states of the accuracy tests (docs/theory/xgm.md, "Accuracy"): K = 4 units at random angles with
// |r_k| = rn (or rn (0.4 + 0.6 U) with jitter_r), Qp = qs ((1 - rho) I + rho 1 1^T), read-out +-vs (1 + 0.3 N(0,1)).
#pragma once
#include <cmath>

#include "core/rng.hpp"
#include "models/xgm/core/xgm.hpp"

namespace tilt {

inline XgmOverlaps xgm_stress_state(double rn, double rho, double vs, double qs, unsigned seed, bool jitter_r) {
  const int K = 4;
  Rng rng(seed, Stream::Teacher);
  XgmOverlaps o;
  o.r.resize(K, 2);
  for (int k = 0; k < K; ++k) {
    const double th = 6.283185307179586 * rng.uniform(), rk = jitter_r ? rn * (0.4 + 0.6 * rng.uniform()) : rn;
    o.r(k, 0) = rk * std::cos(th);
    o.r(k, 1) = rk * std::sin(th);
  }
  o.Qp = qs * (Eigen::MatrixXd::Constant(K, K, rho) + (1 - rho) * Eigen::MatrixXd::Identity(K, K));
  o.v.resize(K);
  for (int k = 0; k < K; ++k) o.v(k) = (k % 2 ? -vs : vs) * (1 + 0.3 * rng.normal());
  return o;
}

}  // namespace tilt
