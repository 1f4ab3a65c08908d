// The Gaussian expectations of model xgm (docs/theory/xgm.md): per cluster the K fields are
// lambda = r m_c + A u with u ~ N(0, I_{D+K}) and A = [sigma r, sqrt(Delta) L], L L^T = Qp. Every expectation is
// an average over fixed quasi-random lines u = b_i + s w (w a state-dependent smoothing direction, b_i the
// projection of fixed Sobol/Halton points), integrated exactly in s (relu: piecewise-affine f, truncated-normal
// moments) or by Gauss-Hermite / Gauss-Legendre quadrature. The result is a smooth, deterministic function of
// the state. Lives in core because the simulation reports eps and loss from its order parameters too.
#pragma once
#include <Eigen/Core>

#include "core/models/xgm.hpp"

namespace tilt {

// Averages over the mixture, sum_c p_c E[. | c], with G_k = e c_K v_k g'(lambda_k), e = -dloss/df.
struct XgmMoments {
  Eigen::MatrixXd dr;  // K x D: sum_c p_c (m_c E[G_k] + sigma E[G_k xi])   (dr/dt = eta dr - eta wd r)
  Eigen::MatrixXd Gz;  // K x K: sum_c p_c E[G_k z_b], zeta = L z the irrelevant fields (L = chol(Qp))
  Eigen::MatrixXd GG;  // K x K: sum_c p_c E[G_k G_l]
  Eigen::VectorXd eg;  // K: sum_c p_c E[e g(lambda_k)]
  Eigen::MatrixXd L;   // chol(Qp), lower triangular
  double eps = 0;      // sum_c p_c P[y_c f <= 0 | c]
  double loss = 0;     // test loss: 1/2 (y - f)^2 or log(1 + exp(-y f))
};

class XgmGauss {
 public:
  // Uses p.K, p.D, p.lines, p.observable_lines, p.nodes, p.closed_forms, the activation, loss, read-out scale,
  // sigma and clusters. `dynamics`: build the p.lines points (right-hand side); `observables`: build the
  // p.observable_lines points (eps, loss). A call needing a set that was not built uses the other one.
  explicit XgmGauss(const XgmParams& p, bool dynamics = true, bool observables = true);
  // Expectations at difficulty delta: dr, Gz, GG, eg when `dynamics`, eps and loss when `observe`.
  // Returns false when Qp is not positive definite (the state left the domain).
  bool expect(const XgmOverlaps& o, double delta, bool dynamics, XgmMoments* out, bool observe = true) const;

 private:
  // Adds the line averages to out: GG when dyn, dr/Gz/eg when dyn && drift, eps (and the loss when need_loss)
  // when observe.
  void lines_pass(const Eigen::MatrixXd& Z, const XgmOverlaps& o, const Eigen::MatrixXd& A, bool dyn, bool drift,
                  bool observe, XgmMoments* out, bool need_loss = true) const;
  XgmParams p_;
  Eigen::MatrixXd Z_;            // (D+K) x lines: fixed standard-normal quasi-random points (right-hand side)
  Eigen::MatrixXd Zobs_;         // (D+K) x observable_lines: the same for the observables
  Eigen::VectorXd gh_s_, gh_w_;  // probabilists' Gauss-Hermite nodes and weights (sum 1)
  Eigen::VectorXd gl_s_, gl_w_;  // Gauss-Legendre on [0, 1]
};

// Plain Monte Carlo of the same expectations with `samples` draws per cluster (seeded): the brute-force
// reference of the tests and the baseline of the benchmark. se receives the standard errors.
void xgm_moments_mc(const XgmParams& p, const XgmOverlaps& o, double delta, long long samples, unsigned long long seed,
                    XgmMoments* mean, XgmMoments* se);

// g, g' for the activation.
double xgm_g(XgmActivation a, double x);
double xgm_dg(XgmActivation a, double x);
// The residual e = -dloss/df and the loss l of one sample with label y and output f, as every expectation here
// uses them (square: e = y - f, l = (y - f)^2/2; logistic: e = y/(1 + exp(y f)), l = log(1 + exp(-y f))).
void xgm_residual(XgmLoss loss, double y, double f, double* e, double* l);

}  // namespace tilt
