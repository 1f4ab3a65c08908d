// The per-line kernels of the xgm expectations (docs/theory/xgm.md, "Lines"): along one line u = b + s w every
// field is affine, lambda_k(s) = alpha_k + beta_k s, and the kernels integrate over s ~ N(0, 1) exactly (relu:
// piecewise-affine f, truncated-normal moments) or by quadrature (Gauss-Hermite for smooth activations,
// Gauss-Legendre panels for relu with the logistic loss). One file per idea: the line geometry and the point sets
// are in xgm_lines.hpp, the assembly of the moments in xgm_gauss.cpp.
#pragma once
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "models/xgm/core/xgm.hpp"

namespace tilt::xgm_detail {

inline double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

// e = -dloss/df and the loss value.
inline void residual(XgmLoss loss, double y, double f, double* e, double* l) {
  if (loss == XgmLoss::Square) {
    *e = y - f;
    *l = 0.5 * (*e) * (*e);
  } else {
    *e = y / (1.0 + std::exp(y * f));
    *l = softplus(-y * f);
  }
}

// One line: the K fields lambda_k(s) = alpha_k + beta_k s, the read-out weights cv_k = c_K v_k (f = sum_k cv_k
// g(lambda_k)) and the label y.
struct Line {
  const double* alpha;
  const double* beta;
  const double* cv;
  int K;
  double y;
};

// Quadrature rules along a line: probabilists' Gauss-Hermite (weights sum 1) and Gauss-Legendre on [0, 1].
struct LineRules {
  Eigen::VectorXd gh_s, gh_w, gl_s, gl_w;
  explicit LineRules(int nodes);
  int nodes() const { return int(gh_s.size()); }
};
// The rules with n nodes, built once per process and shared (thread-safe; the reference stays valid).
const LineRules& line_rules(int n);
// The most nodes an automatic choice uses (its error estimate then uses twice as many).
constexpr int kMaxAutoNodes = 128;

// What the relu kernel writes for one line: I0_k = int e g'_k phi, I1_k = int e g'_k s phi, eg_k = int e g_k phi
// (K each), and when GG is not null adds cv_k cv_l int e^2 g'_k g'_l phi to its upper triangle (K x K,
// column-major); eps (the error mass {s: y f <= 0}) and the loss when observables are asked for.
struct ReluLineOut {
  double* I0 = nullptr;
  double* I1 = nullptr;
  double* eg = nullptr;
  double* GG = nullptr;
  bool observables = false;
  double eps = 0, loss = 0;
  double e = 0, ee = 0;  // int e phi and int e^2 phi over the whole line (the observables' control variates)
};

struct ReluScratch {
  std::vector<int> order, lo, hi;
  std::vector<double> t, CE, CES, CEE;
  std::vector<double> H, L;                // CEE at the end and at the start of each unit's active range
  std::vector<std::pair<double, int>> tk;  // (breakpoint, unit), sorted by value (ties by unit: deterministic)
  explicit ReluScratch(int K) : lo(K), hi(K), t(K), CE(K + 2), CES(K + 2), CEE(K + 2), H(K), L(K) {
    order.reserve(K);
    tk.reserve(K);
  }
  // Sorts the units with beta != 0 by breakpoint t_k = -alpha_k/beta_k into `order`.
  void sort_breakpoints(const double* alpha, const double* beta, int K) {
    tk.clear();
    for (int k = 0; k < K; ++k)
      if (beta[k] != 0) {
        t[k] = -alpha[k] / beta[k];
        tk.emplace_back(t[k], k);
      }
    std::sort(tk.begin(), tk.end());
    order.resize(tk.size());
    for (std::size_t i = 0; i < tk.size(); ++i) order[i] = tk[i].second;
  }
};

// relu along one line, every moment at once (square loss exact, logistic by Gauss-Legendre panels).
void relu_line(const Line& line, XgmLoss loss, const LineRules& rules, ReluScratch& sc, ReluLineOut* out);
// eps only along one relu line (the observables' pass).
double relu_line_eps(const Line& line, ReluScratch& sc);

// Smooth activations (erf, tanh, quadratic, linear): Gauss-Hermite along the line. Writes I0, I1 (K each), adds
// to eg (K) and loss, and when H is not null writes its nodes' columns sqrt(w_q) e cv_k g'_k (K x nodes), so that
// H H^T is the line's contribution to <G_k G_l>.
struct SmoothLineOut {
  double* I0 = nullptr;
  double* I1 = nullptr;
  double* eg = nullptr;
  double* H = nullptr;
  double loss = 0;
};
void smooth_line(XgmActivation act, XgmLoss loss, const Line& line, const LineRules& rules, SmoothLineOut* out);

struct SmoothScratch {
  std::vector<double> T;  // grid points x K: the terms cv_k g(lambda_k) at the evaluated grid points (approximate)
  explicit SmoothScratch(int K);
};
// eps along a line for a smooth activation: the exact mass of {s: y f(s) <= 0} (roots of y f).
double smooth_line_eps(XgmActivation act, const Line& line, SmoothScratch& sc);

// E[g'(lambda)] for lambda ~ N(mu, s2): sets the smoothing direction (any smooth choice is exact in the limit).
double mean_slope(XgmActivation a, double mu, double s2);

}  // namespace tilt::xgm_detail
