// The Gaussian expectations of the soft committee machine's ODEs (docs/models.md section 4), named by what they return.
// Arguments are covariance matrices of zero-mean Gaussian fields; g is the activation (erf = erf(x/sqrt 2)).
#pragma once
#include <Eigen/Core>

#include "models/scm/core/scm.hpp"

namespace tilt::scm {

// E[g(a) g(b)], the "I2" of Saad & Solla (1995) and Goldt et al. (2019); defined in core (the eps observable).
inline double E_g_g(ScmActivation g, double caa, double cab, double cbb) { return scm_E_g_g(g, caa, cab, cbb); }

// E[g'(a) g'(b)], the "J2" (the output-noise term). erf: (2/pi) / sqrt((1+C11)(1+C22) - C12^2)
// (Goldt et al. 2019, appendix; Biehl & Schwarze 1995). relu: P(a>0, b>0) = 1/4 + asin(rho)/(2 pi). linear: 1.
double E_dg_dg(ScmActivation g, double c11, double c12, double c22);

// E[g'(a) b g(c)] for (a, b, c) with covariance C, the "I3".
// erf: (2/pi) (C23 (1+C11) - C12 C13) / ((1+C11) sqrt(L3)), L3 = (1+C11)(1+C33) - C13^2 (Saad & Solla 1995,
//      eq. (A2)); note g'(x) = sqrt(2/pi) exp(-x^2/2) here, not the derivative of erf(x).
// relu: by Stein's lemma on b, C12 E[delta(a) relu(c)] + C23 P(a>0, c>0)
//       = C12 sqrt(C11 C33 - C13^2) / (2 pi C11) + C23 (1/4 + asin(rho13)/(2 pi)).
// linear: C23.
double E_dg_x_g(ScmActivation g, const Eigen::Matrix3d& C);

// E[g'(a) g'(b) g(c) g(d)] for (a, b, c, d) with covariance C, the "I4" (the eta^2 term).
// erf: (4/pi^2) / sqrt(L4) * asin(L0 / sqrt(L1 L2)) (Saad & Solla 1995, eq. (A3)), with
//      L4 = (1+C11)(1+C22) - C12^2,
//      L0 = L4 C34 - C23 C24 (1+C11) - C13 C14 (1+C22) + C12 C13 C24 + C12 C14 C23,
//      L1 = L4 (1+C33) - C23^2 (1+C11) - C13^2 (1+C22) + 2 C12 C13 C23,
//      L2 = L4 (1+C44) - C24^2 (1+C11) - C14^2 (1+C22) + 2 C12 C14 C24.
// relu: E[theta(a) theta(b) c_+ d_+] by exact reduction (relu_moment below). linear: C34.
double E_dg_dg_g_g(ScmActivation g, const Eigen::Matrix4d& C);

// E[prod_i theta(x_i) x_i^n_i] for up to 4 zero-mean Gaussian fields with covariance C (row-major m x m) and
// powers n_i in {0, 1, 2}: the relu kernels. Exact reduction: Stein's lemma E[x_i H] = sum_j C_ij E[d_j H] lowers
// a power or turns theta(x_j) into delta(x_j), i.e. conditions on x_j = 0 (a zero-mean Gaussian again); fields that
// are (anti)parallel are merged first. What remains are orthant probabilities: closed forms up to three fields,
// Plackett's (1954) one-dimensional integral for four (orthant_probability).
double relu_moment(int m, const double* C, const int* n);

// P(x_1 > 0, ..., x_m > 0) for m <= 4. m <= 3: 1/2, 1/4 + asin(r)/(2 pi), 1/8 + (asin r12 + asin r13 + asin r23)/(4
// pi). m = 4: Plackett's reduction, P(R) = 1/16 + int_0^1 sum_{i<j} R_ij dP/drho_ij(I + s (R - I)) ds with dP/drho_ij =
// phi_2(0, 0; rho_ij) P(the other two > 0 | x_i = x_j = 0), substituted s = 1 - u^2 (removes the 1/sqrt(1-s)
// singularity of nearly parallel fields) and evaluated by 48-point Gauss-Legendre.
double orthant_probability(int m, const double* C);

}  // namespace tilt::scm
