#include "models/scm/theory/scm_integrals.hpp"

#include <gsl/gsl_integration.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace tilt::scm {

namespace {

constexpr double kTwoPi = 2 * M_PI;

double clamp1(double x) { return std::clamp(x, -1.0, 1.0); }

// Gauss-Legendre nodes on u in [0, 1] for Plackett's integral, built once (GSL's fixed tables).
struct LegendreNodes {
  static constexpr int n = 48;
  std::array<double, n> u{}, w{};
  LegendreNodes() {
    gsl_integration_glfixed_table* t = gsl_integration_glfixed_table_alloc(n);
    for (int i = 0; i < n; ++i) gsl_integration_glfixed_point(0.0, 1.0, std::size_t(i), &u[i], &w[i], t);
    gsl_integration_glfixed_table_free(t);
  }
};
const LegendreNodes& legendre() {
  static const LegendreNodes nodes;
  return nodes;
}

// Correlation of the remaining pair (k, l) of a 4x4 correlation matrix S given x_i = x_j = 0.
double conditional_correlation(const double* S, int i, int j, int k, int l) {
  const double det = 1 - S[i * 4 + j] * S[i * 4 + j];
  auto cond = [&](int a, int b) {
    // S_ab - [S_ai S_aj] [[1, r], [r, 1]]^-1 [S_ib S_jb]^T
    const double r = S[i * 4 + j], ai = S[a * 4 + i], aj = S[a * 4 + j], bi = S[b * 4 + i], bj = S[b * 4 + j];
    return S[a * 4 + b] - (ai * bi - r * (ai * bj + aj * bi) + aj * bj) / det;
  };
  const double ckk = cond(k, k), cll = cond(l, l);
  if (!(ckk > 0) || !(cll > 0)) return 0.0;
  return clamp1(cond(k, l) / std::sqrt(ckk * cll));
}

double orthant4(const double* C) {
  double R[16];
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b) R[a * 4 + b] = a == b ? 1.0 : clamp1(C[a * 4 + b] / std::sqrt(C[a * 5] * C[b * 5]));
  static constexpr int pairs[6][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2},
                                      {1, 2, 0, 3}, {1, 3, 0, 2}, {2, 3, 0, 1}};
  const LegendreNodes& gl = legendre();
  double total = 0;
  for (int q = 0; q < LegendreNodes::n; ++q) {
    const double u = gl.u[q], s = 1 - u * u;
    double S[16];
    for (int a = 0; a < 16; ++a) S[a] = s * R[a];
    for (int a = 0; a < 4; ++a) S[a * 5] = 1.0;
    double derivative = 0;
    for (const auto& p : pairs) {
      const double r = R[p[0] * 4 + p[1]];
      if (r == 0) continue;
      const double rs = S[p[0] * 4 + p[1]];
      const double density = 1 / (kTwoPi * std::sqrt(1 - rs * rs));
      const double rc = conditional_correlation(S, p[0], p[1], p[2], p[3]);
      derivative += r * density * (0.25 + std::asin(rc) / kTwoPi);
    }
    total += gl.w[q] * 2 * u * derivative;
  }
  return 1.0 / 16 + total;
}

// Fields of relu_moment: m <= 4, covariance C (4x4 storage), powers n.
struct Fields {
  int m = 0;
  double C[16] = {};
  int n[4] = {};
};

// Field j removed (its row and column of C, its power).
Fields without(const Fields& f, int j) {
  Fields g;
  g.m = f.m - 1;
  for (int a = 0, ga = 0; a < f.m; ++a) {
    if (a == j) continue;
    for (int b = 0, gb = 0; b < f.m; ++b)
      if (b != j) g.C[ga * 4 + gb++] = f.C[a * 4 + b];
    g.n[ga++] = f.n[a];
  }
  return g;
}

// Merges (anti)parallel fields: theta(x) x^a theta(x) x^b = theta(x) x^(a+b); theta(x) theta(-x) = 0 a.s.
// Returns false when the product vanishes. A field with zero variance is 0 a.s.: a power kills the product,
// theta(0) is taken as 1/2 (a null set in any non-degenerate use).
bool merge(Fields& f, double& factor) {
  constexpr double tol = 1e-12;
  for (int i = 0; i < f.m; ++i) {
    if (f.C[i * 5] > 0) continue;
    if (f.n[i] > 0) return false;
    factor *= 0.5;
    f = without(f, i);
    return merge(f, factor);
  }
  for (int i = 0; i < f.m; ++i)
    for (int j = i + 1; j < f.m; ++j) {
      const double c = f.C[i * 4 + j] / std::sqrt(f.C[i * 5] * f.C[j * 5]);
      if (c <= -1 + tol) return false;
      if (c >= 1 - tol) {
        f.n[i] += f.n[j];
        f = without(f, j);
        return merge(f, factor);
      }
    }
  return true;
}

double moment(Fields f) {
  double factor = 1;
  if (!merge(f, factor)) return 0.0;
  int i = -1;
  for (int a = 0; a < f.m; ++a)
    if (f.n[a] > 0 && (i < 0 || f.n[a] > f.n[i])) i = a;
  if (i < 0) return factor * orthant_probability(f.m, f.C);
  // E[x_i H], H = theta(x_i) x_i^(n_i - 1) prod_{j != i} theta(x_j) x_j^n_j:  sum_j C_ij E[d_j H].
  Fields lowered = f;
  --lowered.n[i];
  double total = 0;
  for (int j = 0; j < f.m; ++j) {
    const double cij = f.C[i * 4 + j];
    if (cij == 0) continue;
    if (lowered.n[j] > 0) {  // d_j x_j^n theta(x_j) = n x_j^(n-1) theta(x_j) (x^n delta(x) = 0)
      Fields g = lowered;
      --g.n[j];
      total += cij * lowered.n[j] * moment(g);
    } else {  // d_j theta(x_j) = delta(x_j): density at 0 times the expectation given x_j = 0
      const double cjj = f.C[j * 5];
      Fields conditioned = lowered;
      for (int a = 0; a < f.m; ++a)
        for (int b = 0; b < f.m; ++b) conditioned.C[a * 4 + b] -= f.C[a * 4 + j] * f.C[j * 4 + b] / cjj;
      const Fields g = without(conditioned, j);
      total += cij / std::sqrt(kTwoPi * cjj) * moment(g);
    }
  }
  return factor * total;
}

}  // namespace

double orthant_probability(int m, const double* C) {
  auto r = [&](int a, int b) { return clamp1(C[a * 4 + b] / std::sqrt(C[a * 5] * C[b * 5])); };
  switch (m) {
    case 0:
      return 1.0;
    case 1:
      return 0.5;
    case 2:
      return 0.25 + std::asin(r(0, 1)) / kTwoPi;
    case 3:
      return 0.125 + (std::asin(r(0, 1)) + std::asin(r(0, 2)) + std::asin(r(1, 2))) / (4 * M_PI);
    default:
      return orthant4(C);
  }
}

double relu_moment(int m, const double* C, const int* n) {
  Fields f;
  f.m = m;
  for (int a = 0; a < m; ++a) {
    f.n[a] = n[a];
    for (int b = 0; b < m; ++b) f.C[a * 4 + b] = C[a * m + b];
  }
  return moment(f);
}

double E_dg_dg(ScmActivation g, double c11, double c12, double c22) {
  switch (g) {
    case ScmActivation::Erf:
      return (2 / M_PI) / std::sqrt((1 + c11) * (1 + c22) - c12 * c12);
    case ScmActivation::Relu:
      if (!(c11 > 0) || !(c22 > 0)) return 0.0;
      return 0.25 + std::asin(clamp1(c12 / std::sqrt(c11 * c22))) / kTwoPi;
    case ScmActivation::Linear:
      return 1.0;
    case ScmActivation::Tanh:
    case ScmActivation::Quadratic:
      break;  // not an scm activation (scm.activation allows erf, relu, linear)
  }
  return 0.0;
}

double E_dg_x_g(ScmActivation g, const Eigen::Matrix3d& C) {
  switch (g) {
    case ScmActivation::Erf: {
      const double a = 1 + C(0, 0), L3 = a * (1 + C(2, 2)) - C(0, 2) * C(0, 2);
      return (2 / M_PI) * (C(1, 2) * a - C(0, 1) * C(0, 2)) / (a * std::sqrt(L3));
    }
    case ScmActivation::Relu: {
      if (!(C(0, 0) > 0) || !(C(2, 2) > 0)) return 0.0;
      const double cond = std::max(0.0, C(0, 0) * C(2, 2) - C(0, 2) * C(0, 2));
      const double rho = clamp1(C(0, 2) / std::sqrt(C(0, 0) * C(2, 2)));
      return C(0, 1) * std::sqrt(cond) / (kTwoPi * C(0, 0)) + C(1, 2) * (0.25 + std::asin(rho) / kTwoPi);
    }
    case ScmActivation::Linear:
      return C(1, 2);
    case ScmActivation::Tanh:
    case ScmActivation::Quadratic:
      break;  // not an scm activation (scm.activation allows erf, relu, linear)
  }
  return 0.0;
}

double E_dg_dg_g_g(ScmActivation g, const Eigen::Matrix4d& C) {
  switch (g) {
    case ScmActivation::Erf: {
      const double a = 1 + C(0, 0), b = 1 + C(1, 1);
      const double L4 = a * b - C(0, 1) * C(0, 1);
      const double L0 = L4 * C(2, 3) - C(1, 2) * C(1, 3) * a - C(0, 2) * C(0, 3) * b + C(0, 1) * C(0, 2) * C(1, 3) +
                        C(0, 1) * C(0, 3) * C(1, 2);
      const double L1 =
          L4 * (1 + C(2, 2)) - C(1, 2) * C(1, 2) * a - C(0, 2) * C(0, 2) * b + 2 * C(0, 1) * C(0, 2) * C(1, 2);
      const double L2 =
          L4 * (1 + C(3, 3)) - C(1, 3) * C(1, 3) * a - C(0, 3) * C(0, 3) * b + 2 * C(0, 1) * C(0, 3) * C(1, 3);
      return 4 / (M_PI * M_PI) / std::sqrt(L4) * std::asin(clamp1(L0 / std::sqrt(L1 * L2)));
    }
    case ScmActivation::Relu: {
      const Eigen::Matrix<double, 4, 4, Eigen::RowMajor> R = C;
      const int n[4] = {0, 0, 1, 1};
      return relu_moment(4, R.data(), n);
    }
    case ScmActivation::Linear:
      return C(2, 3);
    case ScmActivation::Tanh:
    case ScmActivation::Quadratic:
      break;  // not an scm activation (scm.activation allows erf, relu, linear)
  }
  return 0.0;
}

}  // namespace tilt::scm
