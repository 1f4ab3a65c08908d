// The products here are small and called from already-parallel ensembles: never let Eigen spawn threads.
#define EIGEN_DONT_PARALLELIZE
#include "core/models/xgm_gauss.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>

#include "core/models/xgm_closed.hpp"
#include "core/rng.hpp"

namespace tilt {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kInvSqrt2Pi = 0.3989422804014327;
constexpr double kCut = 8.5;  // |s| beyond this carries < 1e-16 of the normal mass

constexpr double kFar = 38.0;  // phi and the tail mass vanish in double precision beyond this
double phi(double x) { return std::fabs(x) < kFar ? kInvSqrt2Pi * std::exp(-0.5 * x * x) : 0.0; }

// P[a < s < b] for s ~ N(0,1), without cancellation in the tails.
double mass(double a, double b) {
  a = std::max(a, -kFar);
  b = std::min(b, kFar);
  if (!(a < b)) return 0.0;
  // An end at +-kFar adds no erfc (erfc(kFar / sqrt 2) = 5.8e-316).
  if (a > 0) return 0.5 * (std::erfc(a / kSqrt2) - (b < kFar ? std::erfc(b / kSqrt2) : 0.0));
  if (b < 0) return 0.5 * (std::erfc(-b / kSqrt2) - (a > -kFar ? std::erfc(-a / kSqrt2) : 0.0));
  return 1.0 - (a > -kFar ? 0.5 * std::erfc(-a / kSqrt2) : 0.0) - (b < kFar ? 0.5 * std::erfc(b / kSqrt2) : 0.0);
}

// The normal density and both tails at one point, with one exp and one erfc (reused by adjacent segments).
struct NormalAt {
  double x, pdf, lower, upper;  // lower = P[s < x], upper = P[s > x]
  static NormalAt at(double x) {
    NormalAt n{x, phi(x), 0, 0};
    if (x >= kFar) n = {x, 0, 1, 0};
    else if (x <= -kFar) n = {x, 0, 0, 1};
    else if (x > 0) {
      n.upper = 0.5 * std::erfc(x / kSqrt2);
      n.lower = 1 - n.upper;
    } else {
      n.lower = 0.5 * std::erfc(-x / kSqrt2);
      n.upper = 1 - n.lower;
    }
    return n;
  }
};
double mass(const NormalAt& a, const NormalAt& b) {
  if (!(a.x < b.x)) return 0.0;
  if (a.x > 0) return a.upper - b.upper;
  if (b.x < 0) return b.lower - a.lower;
  return 1.0 - a.lower - b.upper;
}

// Mass of {s in (a, b): A0 + A1 s <= 0}: the error region of an affine y f along a segment.
double error_mass(double a, double b, double A0, double A1) {
  if (A1 == 0) return A0 <= 0 ? mass(a, b) : 0.0;
  const double s0 = -A0 / A1;
  return A1 > 0 ? mass(a, std::min(b, s0)) : mass(std::max(a, s0), b);
}

double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

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

// Jacobi-matrix (Golub-Welsch) nodes and weights: symmetric tridiagonal with zero diagonal and `off`.
void golub_welsch(const Eigen::VectorXd& off, double mass0, Eigen::VectorXd* nodes, Eigen::VectorXd* weights) {
  const int n = int(off.size()) + 1;
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i + 1 < n; ++i) J(i, i + 1) = J(i + 1, i) = off(i);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(J);
  *nodes = es.eigenvalues();
  *weights = mass0 * es.eigenvectors().row(0).transpose().array().square();
}

// Integrals along one segment (a, b) of a line where f = F0 + F1 s: int e phi, int e s phi, int e^2 phi,
// int loss phi. Square loss: exact via truncated-normal moments; logistic: Gauss-Legendre on unit panels.
struct SegmentIntegrals {
  double e = 0, es = 0, ee = 0, l = 0;
};

SegmentIntegrals segment(XgmLoss loss, double y, double F0, double F1, const NormalAt& na, const NormalAt& nb,
                         const Eigen::VectorXd& gl_s, const Eigen::VectorXd& gl_w) {
  SegmentIntegrals out;
  const double a = na.x, b = nb.x;
  if (loss == XgmLoss::Square) {
    // e = E0 + E1 s; M_j = int_a^b s^j phi(s) ds.
    const double E0 = y - F0, E1 = -F1;
    const double M0 = mass(na, nb), M1 = na.pdf - nb.pdf, M2 = M0 + (na.pdf > 0 ? a * na.pdf : 0.0) - (nb.pdf > 0 ? b * nb.pdf : 0.0);
    out.e = E0 * M0 + E1 * M1;
    out.es = E0 * M1 + E1 * M2;
    out.ee = E0 * E0 * M0 + 2 * E0 * E1 * M1 + E1 * E1 * M2;
    out.l = 0.5 * out.ee;
    return out;
  }
  const double lo = std::max(a, -kCut), hi = std::min(b, kCut);
  if (!(lo < hi)) return out;
  const int panels = std::max(1, int(std::ceil(hi - lo)));
  const double h = (hi - lo) / panels;
  for (int q = 0; q < panels; ++q)
    for (int j = 0; j < gl_s.size(); ++j) {
      const double s = lo + h * (q + gl_s(j)), w = h * gl_w(j) * phi(s);
      double e, l;
      residual(loss, y, F0 + F1 * s, &e, &l);
      out.e += w * e;
      out.es += w * e * s;
      out.ee += w * e * e;
      out.l += w * l;
    }
  return out;
}

// Per-line results.
struct LineResult {
  double eps = 0, loss = 0;
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

// One line for relu: lambda_k(s) = alpha_k + beta_k s; f is piecewise affine with breakpoints -alpha_k/beta_k.
// Unit k is active on a contiguous range of segments [lo_k, hi_k); cumulative segment integrals give every
// int_{active k} and int_{active k and l} exactly. Writes I0_k = int e g'_k phi, I1_k = int e g'_k s phi,
// eg_k = int e g_k phi, adds cv_k cv_l int e^2 g'_k g'_l phi to GG (upper triangle) when GG is non-null.
// Crossing unit u's breakpoint along a line switches it on (beta_u > 0) or off: the network's linear piece
// f = F0 + F1 s gains or loses c_u (alpha_u + beta_u s). With no unit active f is exactly 0 (no rounding residue).
inline void cross_breakpoint(int u, const double* alpha, const double* beta, const double* cv, double* F0, double* F1,
                             int* active) {
  const double sign = beta[u] > 0 ? 1.0 : -1.0;
  *F0 += sign * cv[u] * alpha[u];
  *F1 += sign * cv[u] * beta[u];
  *active += beta[u] > 0 ? 1 : -1;
  if (*active == 0) *F0 = *F1 = 0;
}

LineResult relu_line(const double* alpha, const double* beta, const double* cv, int K, double y, XgmLoss loss,
                     const Eigen::VectorXd& gl_s, const Eigen::VectorXd& gl_w, double* I0, double* I1, double* eg,
                     double* GG, bool observe, ReluScratch& sc) {
  sc.sort_breakpoints(alpha, beta, K);
  const int m = int(sc.order.size());
  for (int k = 0; k < K; ++k) {
    if (beta[k] == 0) {
      sc.lo[k] = 0;
      sc.hi[k] = alpha[k] > 0 ? m + 1 : 0;
    }
  }
  double F0 = 0, F1 = 0;
  int active = 0;  // with no unit active f = 0 exactly (not a rounding residue): that region counts as an error
  for (int j = 0; j < m; ++j) {
    const int k = sc.order[j];
    if (beta[k] > 0) {
      sc.lo[k] = j + 1;
      sc.hi[k] = m + 1;
    } else {
      sc.lo[k] = 0;
      sc.hi[k] = j + 1;
      ++active;
      F0 += cv[k] * alpha[k];
      F1 += cv[k] * beta[k];
    }
  }
  for (int k = 0; k < K; ++k)
    if (beta[k] == 0 && alpha[k] > 0) {
      F0 += cv[k] * alpha[k];
      ++active;
    }
  LineResult r;
  sc.CE[0] = sc.CES[0] = sc.CEE[0] = 0;
  NormalAt na = NormalAt::at(-kInf);
  for (int j = 0; j <= m; ++j) {
    const NormalAt nb = NormalAt::at(j == m ? kInf : sc.t[sc.order[j]]);
    const SegmentIntegrals S = segment(loss, y, F0, F1, na, nb, gl_s, gl_w);
    sc.CE[j + 1] = sc.CE[j] + S.e;
    sc.CES[j + 1] = sc.CES[j] + S.es;
    sc.CEE[j + 1] = sc.CEE[j] + S.ee;
    if (observe) {
      r.loss += S.l;
      r.eps += error_mass(na.x, nb.x, y * F0, y * F1);
    }
    na = nb;
    if (j < m) cross_breakpoint(sc.order[j], alpha, beta, cv, &F0, &F1, &active);
  }
  for (int k = 0; k < K; ++k) {
    I0[k] = sc.CE[sc.hi[k]] - sc.CE[sc.lo[k]];
    I1[k] = sc.CES[sc.hi[k]] - sc.CES[sc.lo[k]];
    if (sc.hi[k] <= sc.lo[k]) I0[k] = I1[k] = 0;
    eg[k] = alpha[k] * I0[k] + beta[k] * I1[k];
  }
  if (GG) {
    // CEE is non-decreasing (e^2 >= 0), so the integral over the common range [max lo, min hi) of two units is
    // max(0, min(H_k, H_l) - max(L_k, L_l)) with H = CEE[hi], L = CEE[lo] (0, 0 for a unit never active): no
    // branches and no gathers in the O(K^2) loop, which dominates wide networks.
    for (int k = 0; k < K; ++k) {
      const bool on = sc.hi[k] > sc.lo[k];
      sc.H[k] = on ? sc.CEE[sc.hi[k]] : 0.0;
      sc.L[k] = on ? sc.CEE[sc.lo[k]] : 0.0;
    }
    const double* H = sc.H.data();
    const double* L = sc.L.data();
    for (int l = 0; l < K; ++l) {
      const double Hl = H[l], Ll = L[l], cl = cv[l];
      double* col = GG + std::size_t(l) * K;
      for (int k = 0; k <= l; ++k) col[k] += cv[k] * cl * std::max(0.0, std::min(H[k], Hl) - std::max(L[k], Ll));
    }
  }
  return r;
}

// eps only, along one relu line (the observables' pass): the mass of {s: y f(s) <= 0} (f = 0, no unit active,
// counts as an error), with the error sub-intervals of adjacent segments merged so that each maximal interval
// costs one normal mass.
double relu_line_eps(const double* alpha, const double* beta, const double* cv, int K, double y, ReluScratch& sc) {
  double F0 = 0, F1 = 0;
  int active = 0;
  for (int k = 0; k < K; ++k)
    if (beta[k] < 0 || (beta[k] == 0 && alpha[k] > 0)) {  // active at s = -inf
      ++active;
      F0 += cv[k] * alpha[k];
      F1 += cv[k] * beta[k];
    }
  sc.sort_breakpoints(alpha, beta, K);
  const int m = int(sc.order.size());
  double eps = 0, lo = kInf, hi = -kInf;  // the open error interval [lo, hi] (empty while lo > hi)
  double a = -kInf;
  for (int j = 0; j <= m; ++j) {
    const double b = j == m ? kInf : sc.tk[std::size_t(j)].first;
    if (a < b) {
      double e_lo = a, e_hi = b;  // error part of (a, b)
      if (active > 0) {
        const double A0 = y * F0, A1 = y * F1;
        if (A1 == 0) {
          if (A0 > 0) e_hi = e_lo;
        } else {
          const double s0 = -A0 / A1;
          if (A1 > 0) e_hi = std::min(b, s0);
          else e_lo = std::max(a, s0);
        }
      }
      if (e_lo < e_hi) {
        if (lo <= hi && e_lo == hi) {
          hi = e_hi;
        } else {
          if (lo <= hi) eps += mass(lo, hi);
          lo = e_lo;
          hi = e_hi;
        }
      }
    }
    a = std::max(a, b);
    if (j < m) cross_breakpoint(sc.order[j], alpha, beta, cv, &F0, &F1, &active);
  }
  if (lo <= hi) eps += mass(lo, hi);
  return eps;
}

// eps along a line for a smooth activation: the mass of {s: y f(s) <= 0}, f(s) = sum_k cv_k g(alpha_k + beta_k s).
// The sign of y f on a fixed grid over [-kCut, kCut] brackets the roots (a sign change between neighbouring grid
// points), each located by safeguarded Newton on the exact f. The grid signs are found without evaluating f at
// every grid point: each term cv_k g(alpha_k + beta_k s) is monotone in s between two grid points (erf, tanh,
// linear; quadratic where lambda_k keeps its sign, else it also takes the value 0), so its values at the two
// ends bound it on the whole range, and a range whose bound on y f keeps one sign needs no point inside; other
// ranges are halved. Erf and tanh are evaluated there by cheap approximations (|error| <= kScanErr, folded into
// the bounds), y f exactly wherever they cannot decide a sign: the grid signs, and so the brackets and the
// roots, are those of the exact f.
constexpr int kGrid = 86;           // grid points (spacing 0.2)
constexpr double kScanErr = 1e-6;   // bound on |g_approx - g| (measured: 2.6e-7 for erf, 4.1e-9 for tanh)
constexpr double kRootTol = 1e-13;  // a root is found once a step is below this (the next error is ~ step^2)
constexpr double kRootErr = 1e-15;  // or once the estimated error left after a Newton step is below this

// erf(z), Abramowitz & Stegun 7.1.28 (|error| <= 3e-7), for the grid only.
inline double erf_scan(double z) {
  const double a = std::fabs(z);
  double p = 1 + a * (0.0705230784 +
                      a * (0.0422820123 + a * (0.0092705272 + a * (0.0001520143 + a * (0.0002765672 + a * 0.0000430638)))));
  p *= p;
  p *= p;
  p *= p;
  p *= p;
  return std::copysign(1 - 1 / p, z);
}

// tanh(x) = 1 - 2 / (1 + e^{2|x|}) with e^{2|x|} = (e^{2|x|/64})^64 (Taylor; |x| clamped at 10), for the grid only.
inline double tanh_scan(double x) {
  const double t = std::min(std::fabs(x), 10.0) * (2.0 / 64);
  double e = 1 + t * (1 + t * (1. / 2 + t * (1. / 6 + t * (1. / 24 + t * (1. / 120 + t * (1. / 720 +
                                                                                         t * (1. / 5040 + t * (1. / 40320))))))));
  for (int j = 0; j < 6; ++j) e *= e;
  return std::copysign(1 - 2 / (1 + e), x);
}

struct SmoothScratch {
  std::vector<double> T;  // kGrid x K: the terms cv_k g(lambda_k) at the evaluated grid points (approximate)
  explicit SmoothScratch(int K) : T(std::size_t(kGrid) * K) {}
};

template <XgmActivation Act>
class SmoothLine {
 public:
  SmoothLine(const double* alpha, const double* beta, const double* cv, int K, double y, SmoothScratch& sc)
      : alpha_(alpha), beta_(beta), cv_(cv), K_(K), y_(y), T_(sc.T.data()) {}

  double error_mass() {
    double amp = 0;
    for (int k = 0; k < K_; ++k) amp += std::fabs(cv_[k]);
    err_ = kApprox ? kScanErr * amp * std::fabs(y_) : 0.0;
    evaluate(0);
    evaluate(kGrid - 1);
    nb_ = 0;
    resolve(0, kGrid - 1);
    // The brackets, in order: y f changes sign exactly there among the grid points.
    double start = -kInf, eps = 0;
    bool neg = neg_[0];
    for (int b = 0; b < nb_; ++b) {
      const int i = bracket_[b];
      const double r = root(grid(i), grid(i + 1), V_[i], V_[i + 1]);
      if (neg) eps += mass(start, r);
      else start = r;
      neg = !neg;
    }
    if (neg) eps += mass(start, kInf);
    return eps;
  }

 private:
  static constexpr bool kApprox = Act == XgmActivation::Erf || Act == XgmActivation::Tanh;

  static double grid(int i) { return -kCut + (2 * kCut / (kGrid - 1)) * i; }

  static double g_scan(double x) {
    switch (Act) {
      case XgmActivation::Erf: return erf_scan(x / kSqrt2);
      case XgmActivation::Tanh: return tanh_scan(x);
      case XgmActivation::Quadratic: return x * x;
      default: return x;
    }
  }

  // y f(s) exactly, summed in unit order.
  double value(double s) const {
    double f = 0;
    for (int k = 0; k < K_; ++k) f += cv_[k] * xgm_g(Act, alpha_[k] + beta_[k] * s);
    return y_ * f;
  }

  // y f(s) and its derivative in s, exactly.
  void value_slope(double s, double* v, double* d) const {
    double f = 0, df = 0;
    for (int k = 0; k < K_; ++k) {
      const double lam = alpha_[k] + beta_[k] * s;
      double g, dg;
      switch (Act) {
        case XgmActivation::Erf:
          g = std::erf(lam / kSqrt2);
          dg = 2 * kInvSqrt2Pi * std::exp(-0.5 * lam * lam);
          break;
        case XgmActivation::Tanh:
          g = std::tanh(lam);
          dg = 1 - g * g;
          break;
        case XgmActivation::Quadratic:
          g = lam * lam;
          dg = 2 * lam;
          break;
        default:
          g = lam;
          dg = 1;
      }
      f += cv_[k] * g;
      df += cv_[k] * beta_[k] * dg;
    }
    *v = y_ * f;
    *d = y_ * df;
  }

  // The terms at grid point i and the sign of y f there (exact where the approximation cannot decide it; quadratic
  // and linear terms are exact and summed in unit order, as value() does).
  void evaluate(int i) {
    double* t = T_ + std::size_t(i) * K_;
    const double s = grid(i);
    for (int k = 0; k < K_; ++k) t[k] = cv_[k] * g_scan(alpha_[k] + beta_[k] * s);
    double f = 0;
    for (int k = 0; k < K_; ++k) f += t[k];
    double v = y_ * f;
    if (kApprox && std::fabs(v) <= err_) v = value(s);
    V_[i] = v;
    neg_[i] = v <= 0;
  }

  // Resolves the signs strictly between grid points i and j (both evaluated), recording the brackets in order.
  void resolve(int i, int j) {
    if (j - i < 2) {
      if (neg_[i] != neg_[j]) bracket_[nb_++] = i;
      return;
    }
    const double* ti = T_ + std::size_t(i) * K_;
    const double* tj = T_ + std::size_t(j) * K_;
    double lo = 0, hi = 0, size = 0;
    for (int k = 0; k < K_; ++k) {
      double a = std::min(ti[k], tj[k]), b = std::max(ti[k], tj[k]);
      if (Act == XgmActivation::Quadratic &&
          (alpha_[k] + beta_[k] * grid(i)) * (alpha_[k] + beta_[k] * grid(j)) < 0) {
        a = std::min(a, 0.0);
        b = std::max(b, 0.0);
      }
      lo += a;
      hi += b;
      if (!kApprox) size += std::fabs(a) + std::fabs(b);
    }
    // Margin: the approximation's error (which also covers rounding: |terms| <= |cv_k|), or rounding alone.
    const double margin = kApprox ? err_ : 1e-12 * size * std::fabs(y_);
    const double ylo = y_ > 0 ? y_ * lo : y_ * hi, yhi = y_ > 0 ? y_ * hi : y_ * lo;
    if (ylo > margin || yhi < -margin) return;  // one sign on [i, j]: no bracket inside
    const int m = (i + j) / 2;
    evaluate(m);
    resolve(i, m);
    resolve(m, j);
  }

  // The root of y f in (lo, hi), where y f(lo) and y f(hi) lie on opposite sides of {y f <= 0} (vlo, vhi: their
  // values, possibly approximate). Newton from the regula-falsi point, kept inside the shrinking bracket
  // (bisection when a step leaves it or does not halve the step before). It stops once a step is below kRootTol
  // or, in the quadratic regime, once the error left after the step, estimated as C step^2 with
  // C = step / (step before)^2, is below kRootErr.
  double root(double lo, double hi, double vlo, double vhi) const {
    const bool neg = vlo <= 0;  // the side of lo
    double x = lo - vlo * (hi - lo) / (vhi - vlo);
    if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
    double prev = hi - lo;  // the last step
    bool newton = false;    // whether it was a Newton step
    for (int it = 0; it < 100; ++it) {
      double v, d;
      value_slope(x, &v, &d);
      if (v == 0) return x;
      ((v <= 0) == neg ? lo : hi) = x;
      double xn = x - v / d;
      double step = std::fabs(xn - x);
      if (step <= kRootTol) return xn;
      if (!(xn > lo && xn < hi) || step > 0.5 * prev) {
        xn = 0.5 * (lo + hi);
        step = hi - lo;
        newton = false;
        if (step <= kRootTol) return xn;
      } else {
        if (newton && step < 1e-7 && step < 1e-2 * prev && step * step * step < kRootErr * prev * prev) return xn;
        newton = true;
      }
      prev = step;
      x = xn;
    }
    return x;
  }

  const double *alpha_, *beta_, *cv_;
  int K_;
  double y_;
  double* T_;
  double err_ = 0;
  double V_[kGrid];
  bool neg_[kGrid];
  int bracket_[kGrid], nb_ = 0;
};

double smooth_error_mass(XgmActivation act, const double* alpha, const double* beta, const double* cv, int K,
                         double y, SmoothScratch& sc) {
  switch (act) {
    case XgmActivation::Erf: return SmoothLine<XgmActivation::Erf>(alpha, beta, cv, K, y, sc).error_mass();
    case XgmActivation::Tanh: return SmoothLine<XgmActivation::Tanh>(alpha, beta, cv, K, y, sc).error_mass();
    case XgmActivation::Quadratic:
      return SmoothLine<XgmActivation::Quadratic>(alpha, beta, cv, K, y, sc).error_mass();
    default: return SmoothLine<XgmActivation::Linear>(alpha, beta, cv, K, y, sc).error_mass();
  }
}

// E[g'(lambda)] for lambda ~ N(mu, s2): sets the smoothing direction (any smooth choice is exact in the limit).
double mean_slope(XgmActivation a, double mu, double s2) {
  switch (a) {
    case XgmActivation::Relu:
      return s2 > 0 ? 0.5 * std::erfc(-mu / std::sqrt(2 * s2)) : 0.5;
    case XgmActivation::Erf:
    case XgmActivation::Tanh:
      return std::sqrt(2 / M_PI / (1 + s2)) * std::exp(-0.5 * mu * mu / (1 + s2));
    default:
      return 1.0;
  }
}

}  // namespace

double xgm_g(XgmActivation a, double x) {
  switch (a) {
    case XgmActivation::Relu: return x > 0 ? x : 0.0;
    case XgmActivation::Erf: return std::erf(x / kSqrt2);
    case XgmActivation::Tanh: return std::tanh(x);
    case XgmActivation::Quadratic: return x * x;
    case XgmActivation::Linear: return x;
  }
  return 0;
}

void xgm_residual(XgmLoss loss, double y, double f, double* e, double* l) { residual(loss, y, f, e, l); }

double xgm_dg(XgmActivation a, double x) {
  switch (a) {
    case XgmActivation::Relu: return x > 0 ? 1.0 : 0.0;
    case XgmActivation::Erf: return 2 * kInvSqrt2Pi * std::exp(-0.5 * x * x);
    case XgmActivation::Tanh: {
      const double t = std::tanh(x);
      return 1 - t * t;
    }
    case XgmActivation::Quadratic: return 2 * x;
    case XgmActivation::Linear: return 1.0;
  }
  return 0;
}

namespace {

// (D+K) x N fixed standard-normal points: Sobol (dimension <= 40) or Halton, with a fixed Cranley-Patterson shift.
// `antithetic` (the right-hand side's set): in pairs (xi, z), (-xi, z), so that E[G xi] vanishes exactly where the
// fields do not depend on xi (r = 0) and the XOR fixed point r = 0 is exact for the line quadrature too. The
// observables' set is plain Sobol (no symmetry to keep; the first 2^n points form a net).
Eigen::MatrixXd line_points(int D, int K, int lines, bool antithetic = true) {
  const int M = D + K, N = antithetic ? 2 * ((lines + 1) / 2) : lines;
  gsl_qrng* q = gsl_qrng_alloc(M <= 40 ? gsl_qrng_sobol : gsl_qrng_halton, unsigned(M));
  Rng shift_rng(0x7115u, Stream::InitialWeights, 0xC0FFEEu);
  std::vector<double> shift(M), u(M);
  for (auto& s : shift) s = shift_rng.uniform();
  Eigen::MatrixXd Z(M, N);
  for (int i = 0; i < (antithetic ? N / 2 : N); ++i) {
    gsl_qrng_get(q, u.data());
    for (int j = 0; j < M; ++j) {
      double x = u[j] + shift[j];
      x -= std::floor(x);
      x = std::min(std::max(x, 1e-17), 1 - 1e-16);
      Z(j, i) = gsl_cdf_ugaussian_Pinv(x);
      if (antithetic) Z(j, i + N / 2) = j < D ? -Z(j, i) : Z(j, i);
    }
  }
  gsl_qrng_free(q);
  return Z;
}

}  // namespace

XgmGauss::XgmGauss(const XgmParams& p, bool dynamics, bool observables) : p_(p) {
  if (dynamics || !observables) Z_ = line_points(p.D, p.K, p.lines);
  if (observables) Zobs_ = line_points(p.D, p.K, std::max(p.observable_lines, 8), false);
  const int n = p.nodes;
  Eigen::VectorXd off(n - 1);
  for (int i = 0; i < n - 1; ++i) off(i) = std::sqrt(double(i + 1));
  golub_welsch(off, 1.0, &gh_s_, &gh_w_);
  for (int i = 0; i < n - 1; ++i) off(i) = (i + 1) / std::sqrt(4.0 * (i + 1) * (i + 1) - 1);
  golub_welsch(off, 1.0, &gl_s_, &gl_w_);
  gl_s_ = 0.5 * (gl_s_.array() + 1.0);  // [-1,1] -> [0,1], weights already sum to 1
}

void XgmGauss::lines_pass(const Eigen::MatrixXd& Z, const XgmOverlaps& o, const Eigen::MatrixXd& A, bool dyn,
                          bool drift, bool observe, XgmMoments* out, bool need_loss) const {
  // The fields are lambda = mu + A u with u the first A.cols() coordinates of the points.
  const int K = p_.K, D = p_.D, M = int(A.cols()), N = int(Z.cols());
  constexpr int kChunk = 2048;  // lines per block: bounds the scratch memory at large line counts
  const Eigen::VectorXd cv = p_.cK * o.v;
  const Eigen::VectorXd s2 = A.rowwise().squaredNorm();
  const bool relu = p_.activation == XgmActivation::Relu;
  const int nq = int(gh_s_.size());
  Eigen::MatrixXd I0, I1, B, Alpha, H, GGc(K, K), EGu(K, M);
  Eigen::VectorXd egsum(K), eg(K), g(K), dg(K), I0sum(K), I1sum(K);
  ReluScratch sc(K);
  SmoothScratch ssc(K);
  for (const auto& c : p_.clusters) {
    const Eigen::VectorXd mu = o.r * c.centre;
    // Smoothing direction: the gradient of the linearised f in u-space.
    Eigen::VectorXd a(K);
    for (int k = 0; k < K; ++k) a(k) = o.v(k) * mean_slope(p_.activation, mu(k), s2(k));
    Eigen::VectorXd w = A.transpose() * a;
    const double nrm = w.norm();
    if (nrm > 1e-12 * (1 + A.norm() * a.norm())) {
      w /= nrm;
    } else {
      w = Eigen::VectorXd::Unit(M, 0);
    }
    const Eigen::VectorXd beta = A * w;
    egsum.setZero();
    GGc.setZero();
    EGu.setZero();
    I0sum.setZero();
    I1sum.setZero();
    double eps = 0, loss = 0;
    const double y = c.label;
    // Observables with a closed-form loss: only eps is needed from the lines.
    const bool eps_only = observe && !dyn && !need_loss;
    const int line_nodes = eps_only ? 0 : nq;  // smooth activations: eps alone needs no quadrature along the line
    for (int start = 0; start < N; start += kChunk) {
      const int n = std::min(kChunk, N - start);
      const auto Zc = Z.topRows(M).middleCols(start, n);
      B = Zc - w * (w.transpose() * Zc);
      Alpha = A * B;
      Alpha.colwise() += mu;
      I0.resize(K, n);
      I1.resize(K, n);
      if (relu && eps_only) {
        for (int i = 0; i < n; ++i) eps += relu_line_eps(Alpha.col(i).data(), beta.data(), cv.data(), K, y, sc);
      } else if (relu) {
        for (int i = 0; i < n; ++i) {
          const LineResult r = relu_line(Alpha.col(i).data(), beta.data(), cv.data(), K, y, p_.loss, gl_s_, gl_w_,
                                         I0.col(i).data(), I1.col(i).data(), eg.data(), dyn ? GGc.data() : nullptr,
                                         observe, sc);
          egsum += eg;
          eps += r.eps;
          loss += r.loss;
        }
      } else {
        if (dyn) H.resize(K, std::size_t(n) * nq);
        for (int i = 0; i < n; ++i) {
          const double* al = Alpha.col(i).data();
          double* i0 = I0.col(i).data();
          double* i1 = I1.col(i).data();
          for (int k = 0; k < K; ++k) i0[k] = i1[k] = 0;
          for (int q = 0; q < line_nodes; ++q) {
            const double s = gh_s_(q), wq = gh_w_(q);
            double f = 0;
            for (int k = 0; k < K; ++k) {
              const double lam = al[k] + beta(k) * s;
              g(k) = xgm_g(p_.activation, lam);
              dg(k) = xgm_dg(p_.activation, lam);
              f += cv(k) * g(k);
            }
            double e, l;
            residual(p_.loss, y, f, &e, &l);
            loss += wq * l;
            for (int k = 0; k < K; ++k) {
              i0[k] += wq * e * dg(k);
              i1[k] += wq * e * dg(k) * s;
              egsum(k) += wq * e * g(k);
            }
            if (dyn) H.col(std::size_t(i) * nq + q) = (std::sqrt(wq) * e) * cv.cwiseProduct(dg);
          }
          if (observe) eps += smooth_error_mass(p_.activation, al, beta.data(), cv.data(), K, y, ssc);
        }
        if (dyn) GGc.noalias() += H * H.transpose();
      }
      if (dyn && drift) {
        EGu.noalias() += I0 * B.transpose();
        I0sum += I0.rowwise().sum();
        I1sum += I1.rowwise().sum();
      }
    }
    if (relu) GGc = GGc.selfadjointView<Eigen::Upper>();
    const double pc = c.p, inv = 1.0 / N;
    if (observe) {
      out->eps += pc * eps * inv;
      out->loss += pc * loss * inv;
    }
    if (!dyn) continue;
    out->GG += (pc * inv) * GGc;
    if (!drift) continue;
    // E[G_k u] = c_K v_k (1/N) sum_i (I0_ki b_i + I1_ki w); first D components are xi, the rest z.
    EGu = inv * cv.asDiagonal() * (EGu + I1sum * w.transpose());
    const Eigen::VectorXd EG = inv * cv.cwiseProduct(I0sum);
    out->dr += pc * (EG * c.centre.transpose() + p_.sigma * EGu.leftCols(D));
    out->Gz += pc * EGu.rightCols(K);
    out->eg += (pc * inv) * egsum;
  }
}

bool XgmGauss::expect(const XgmOverlaps& o, double delta, bool dyn, XgmMoments* out, bool observe) const {
  const int K = p_.K, D = p_.D, M = D + K;
  Eigen::LLT<Eigen::MatrixXd> llt(o.Qp);
  if (llt.info() != Eigen::Success) return false;
  out->L = llt.matrixL();
  Eigen::MatrixXd A(K, M);
  A.leftCols(D) = p_.sigma * o.r;
  A.rightCols(K) = std::sqrt(delta) * out->L;
  out->dr = Eigen::MatrixXd::Zero(K, D);
  out->Gz = Eigen::MatrixXd::Zero(K, K);
  out->GG = Eigen::MatrixXd::Zero(K, K);
  out->eg = Eigen::VectorXd::Zero(K);
  out->eps = out->loss = 0;
  // Closed forms (Stein's lemma, xgm_closed.hpp) for the drift, the read-out term and the loss: relu or erf, square
  // loss, and a non-degenerate field covariance (Delta > 0; Qp is positive definite here).
  const bool relu = p_.activation == XgmActivation::Relu;
  const bool closed =
      p_.closed_forms && (relu || p_.activation == XgmActivation::Erf) && p_.loss == XgmLoss::Square && delta > 0;
  const Eigen::MatrixXd& Zd = Z_.size() ? Z_ : Zobs_;
  const Eigen::MatrixXd& Zo = Zobs_.size() ? Zobs_ : Z_;
  if (!closed) {
    if (dyn) lines_pass(Zd, o, A, true, true, false, out);
    if (observe) lines_pass(Zo, o, A, false, false, true, out);
    return true;
  }
  // What is left for the lines (GG, eps) depends on the fields only: integrate over lambda = mu + Lc u with
  // Lc = chol(C), u in R^K (the first K coordinates of the points), K instead of D + K dimensions.
  const Eigen::MatrixXd C = A * A.transpose();
  Eigen::LLT<Eigen::MatrixXd> cllt(C);
  if (cllt.info() != Eigen::Success) return false;
  const Eigen::MatrixXd Lc = cllt.matrixL();
  if (dyn) lines_pass(Zd, o, Lc, true, false, false, out);
  if (observe) lines_pass(Zo, o, Lc, false, false, true, out, false);
  const Eigen::VectorXd cv = p_.cK * o.v;
  Eigen::VectorXd EG, eg;
  Eigen::MatrixXd H;
  double loss = 0, loss_c;
  for (const auto& c : p_.clusters) {
    const Eigen::VectorXd mu = o.r * c.centre;
    (relu ? xgm_relu_square_closed : xgm_erf_square_closed)(mu, C, cv, c.label, &EG, &H, &eg, &loss_c);
    loss += c.p * loss_c;
    if (!dyn) continue;
    // E[G_k xi] = sigma H r (xi enters lambda as sigma r xi), E[G_k z] = sqrt(Delta) H L.
    out->dr += c.p * (EG * c.centre.transpose() + p_.sigma * p_.sigma * (H * o.r));
    out->Gz += (c.p * std::sqrt(delta)) * (H * out->L);
    out->eg += c.p * eg;
  }
  if (observe) out->loss = loss;
  return true;
}

void xgm_moments_mc(const XgmParams& p, const XgmOverlaps& o, double delta, long long samples,
                    unsigned long long seed, XgmMoments* mean, XgmMoments* se) {
  const int K = p.K, D = p.D;
  Eigen::LLT<Eigen::MatrixXd> llt(o.Qp);
  const Eigen::MatrixXd L = llt.matrixL();
  // Accumulate per-cluster sums of x and x^2 for every component, then combine clusters (independent).
  const int nd = K * D, nz = K * K, ng = K * K, ne = K;
  const int total = nd + nz + ng + ne + 2;
  Eigen::VectorXd m_all = Eigen::VectorXd::Zero(total), v_all = Eigen::VectorXd::Zero(total);
  Rng rng(seed, Stream::SgdSamples, 77);
  Eigen::VectorXd xi(D), z(K), lam(K), G(K), x(total);
  const Eigen::VectorXd cv = p.cK * o.v;
  for (const auto& c : p.clusters) {
    Eigen::VectorXd s1 = Eigen::VectorXd::Zero(total), s2 = Eigen::VectorXd::Zero(total);
    const Eigen::VectorXd mu = o.r * c.centre;
    for (long long n = 0; n < samples; ++n) {
      for (int a = 0; a < D; ++a) xi(a) = rng.normal();
      for (int b = 0; b < K; ++b) z(b) = rng.normal();
      lam = mu + p.sigma * (o.r * xi) + std::sqrt(delta) * (L * z);
      double f = 0;
      for (int k = 0; k < K; ++k) f += cv(k) * xgm_g(p.activation, lam(k));
      double e, l;
      residual(p.loss, c.label, f, &e, &l);
      for (int k = 0; k < K; ++k) G(k) = e * cv(k) * xgm_dg(p.activation, lam(k));
      int j = 0;
      for (int a = 0; a < D; ++a)
        for (int k = 0; k < K; ++k) x(j++) = G(k) * (c.centre(a) + p.sigma * xi(a));
      for (int b = 0; b < K; ++b)
        for (int k = 0; k < K; ++k) x(j++) = G(k) * z(b);
      for (int l2 = 0; l2 < K; ++l2)
        for (int k = 0; k < K; ++k) x(j++) = G(k) * G(l2);
      for (int k = 0; k < K; ++k) x(j++) = e * xgm_g(p.activation, lam(k));
      x(j++) = c.label * f <= 0 ? 1.0 : 0.0;
      x(j++) = l;
      s1 += x;
      s2 += x.cwiseProduct(x);
    }
    const double S = double(samples);
    const Eigen::VectorXd m = s1 / S;
    const Eigen::VectorXd var = (s2 / S - m.cwiseProduct(m)) * (S / (S - 1));
    m_all += c.p * m;
    v_all += c.p * c.p * var / S;
  }
  auto unpack = [&](const Eigen::VectorXd& x, XgmMoments* out) {
    out->dr = Eigen::Map<const Eigen::MatrixXd>(x.data(), K, D);
    out->Gz = Eigen::Map<const Eigen::MatrixXd>(x.data() + nd, K, K);
    out->GG = Eigen::Map<const Eigen::MatrixXd>(x.data() + nd + nz, K, K);
    out->eg = x.segment(nd + nz + ng, K);
    out->eps = x(total - 2);
    out->loss = x(total - 1);
    out->L = L;
  };
  unpack(m_all, mean);
  unpack(v_all.cwiseSqrt(), se);
}

}  // namespace tilt
