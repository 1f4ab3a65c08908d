// Closed-form Gaussian expectations of model xgm (docs/theory/xgm.md, "Closed forms"): the bivariate normal CDF
// (Owen's T), the relu and erf pair moments with means, and the first-order (drift) expectations and the test loss
// of a relu or erf network with the square loss, exact via Stein's lemma.
#pragma once
#include <Eigen/Core>

namespace tilt {

// P[X < h, Y < k] for standard normals with correlation rho (|rho| <= 1), via Owen's T; absolute error ~1e-16.
double xgm_bvn_cdf(double h, double k, double rho);

// For (a, b) Gaussian with means mu_a, mu_b, standard deviations s_a, s_b > 0 and correlation rho:
// p = P[a > 0, b > 0], ea = E[a 1{a>0, b>0}], eb = E[b 1{a>0, b>0}], eab = E[a b 1{a>0, b>0}].
struct XgmReluPair {
  double p, ea, eb, eab;
};
XgmReluPair xgm_relu_pair(double mu_a, double mu_b, double s_a, double s_b, double rho);

// For one cluster of a relu network with the square loss: fields lambda ~ N(mu, C) (C positive definite),
// f = sum_k cv_k relu(lambda_k), e = y - f, G_k = e cv_k 1{lambda_k > 0}. Writes
//   EG_k = E[G_k],  H_kj = E[d G_k / d lambda_j] (distributional: the diagonal carries cv_k E[e delta(lambda_k)]),
//   eg_k = E[e relu(lambda_k)],  loss = E[(y - f)^2] / 2.
// By Stein's lemma E[G_k u] = (d lambda / d u)^T H_k. for any standard normal u the fields are affine in.
void xgm_relu_square_closed(const Eigen::VectorXd& mu, const Eigen::MatrixXd& C, const Eigen::VectorXd& cv, double y,
                            Eigen::VectorXd* EG, Eigen::MatrixXd* H, Eigen::VectorXd* eg, double* loss);

// erf activation g(x) = erf(x / sqrt 2), g'(x) = sqrt(2/pi) exp(-x^2/2), g''(x) = -x g'(x).
// For one field a ~ N(mu, c): g = E[g(a)], dg = E[g'(a)], ddg = E[g''(a)].
struct XgmErfField {
  double g, dg, ddg;
};
XgmErfField xgm_erf_field(double mu, double c);

// For (a, b) Gaussian with means mu_a, mu_b and covariance [[c_aa, c_ab], [c_ab, c_bb]] (c_aa, c_bb > 0; singular
// allowed, so a = b is c_ab = c_aa = c_bb): gg = E[g(a) g(b)], dd = E[g'(a) g'(b)], gda = E[g(b) g'(a)],
// gdda = E[g(b) g''(a)], gdb = E[g(a) g'(b)], gddb = E[g(a) g''(b)]. Absolute error ~1e-16.
struct XgmErfPair {
  double gg, dd, gda, gdda, gdb, gddb;
};
XgmErfPair xgm_erf_pair(double mu_a, double mu_b, double c_aa, double c_ab, double c_bb);

// The same outputs as xgm_relu_square_closed for an erf network with the square loss: f = sum_k cv_k g(lambda_k),
// G_k = e cv_k g'(lambda_k), H_kj = E[d G_k / d lambda_j] = -cv_k cv_j E[g'_k g'_j] + delta_kj cv_k E[e g''_k].
void xgm_erf_square_closed(const Eigen::VectorXd& mu, const Eigen::MatrixXd& C, const Eigen::VectorXd& cv, double y,
                           Eigen::VectorXd* EG, Eigen::MatrixXd* H, Eigen::VectorXd* eg, double* loss);

}  // namespace tilt
