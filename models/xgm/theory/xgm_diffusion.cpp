#include "models/xgm/theory/xgm_diffusion.hpp"

#include <cmath>

#include <Eigen/Cholesky>

#include "models/xgm/core/xgm_gauss.hpp"

namespace tilt {

bool XgmDiffusion::increments(double delta, std::size_t, const double* y, Rng& rng, int count, double* out) const {
  const int K = p_.K, D = p_.D;
  const XgmOverlaps o = xgm_overlaps_of_state(K, D, y);
  Eigen::LLT<Eigen::MatrixXd> llt(o.Qp);
  if (llt.info() != Eigen::Success) return false;
  const Eigen::MatrixXd L = llt.matrixL();
  const std::size_t n = xgm_state_size(K, D);
  const double eta = p_.eta, sd = std::sqrt(std::max(delta, 0.0));
  Eigen::VectorXd x(D), z(K), iota(K), lambda(K), G(K);
  for (int j = 0; j < count; ++j) {
    // The sample: a cluster, its relevant input and the irrelevant fields (Gaussian given Qperp, as in SGD).
    const double u = rng.uniform();
    double acc = 0;
    std::size_t c = 0;
    while (c + 1 < p_.clusters.size() && u >= (acc += p_.clusters[c].p)) ++c;
    const XgmCluster& cl = p_.clusters[c];
    for (int a = 0; a < D; ++a) x(a) = cl.centre(a) + (p_.sigma > 0 ? p_.sigma * rng.normal() : 0.0);
    for (int k = 0; k < K; ++k) z(k) = rng.normal();
    iota.noalias() = sd * (L * z);
    lambda.noalias() = o.r * x;
    lambda += iota;
    double f = 0;
    for (int k = 0; k < K; ++k) f += p_.cK * o.v(k) * activation_g(p_.activation, lambda(k));
    double e = 0, loss = 0;
    xgm_residual(p_.loss, cl.label, f, &e, &loss);
    for (int k = 0; k < K; ++k) G(k) = e * p_.cK * o.v(k) * activation_dg(p_.activation, lambda(k));
    double* u_out = out + std::size_t(j) * n;
    for (int k = 0; k < K; ++k)
      for (int a = 0; a < D; ++a) *u_out++ = eta * (G(k) * x(a) - p_.weight_decay * o.r(k, a));
    for (int k = 0; k < K; ++k)
      for (int l = k; l < K; ++l)
        *u_out++ = eta * (G(k) * iota(l) + G(l) * iota(k)) + eta * eta * delta * G(k) * G(l) -
                   2 * eta * p_.weight_decay * o.Qp(k, l);
    for (int k = 0; k < K; ++k)
      *u_out++ = p_.train_readout
                     ? p_.eta_v * (p_.cK * e * activation_g(p_.activation, lambda(k)) - p_.weight_decay_v * o.v(k))
                     : 0.0;
  }
  return true;
}

std::unique_ptr<Diffusion> xgm_diffusion(const ResolvedExperiment& experiment) {
  return std::make_unique<XgmDiffusion>(experiment.params<XgmParams>());
}

}  // namespace tilt
