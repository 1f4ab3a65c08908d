// The line kernels of the smooth activations (erf, tanh, quadratic, linear; docs/theory/xgm.md, "Lines"):
// Gauss-Hermite moments along a line, and the exact error mass from the roots of y f.
#include <algorithm>
#include <cmath>

#include "models/xgm/core/xgm_gauss.hpp"
#include "models/xgm/core/xgm_line_kernels.hpp"
#include "models/xgm/core/xgm_normal.hpp"

namespace tilt::xgm_detail {
namespace {

constexpr int kMaxStackUnits = 256;  // g, g' on the stack up to this many units

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
  double p =
      1 + a * (0.0705230784 +
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
  double e =
      1 +
      t * (1 + t * (1. / 2 + t * (1. / 6 + t * (1. / 24 + t * (1. / 120 +
                                                               t * (1. / 720 + t * (1. / 5040 + t * (1. / 40320))))))));
  for (int j = 0; j < 6; ++j) e *= e;
  return std::copysign(1 - 2 / (1 + e), x);
}

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
      if (neg)
        eps += mass(start, r);
      else
        start = r;
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
      case XgmActivation::Erf:
        return erf_scan(x / kSqrt2);
      case XgmActivation::Tanh:
        return tanh_scan(x);
      case XgmActivation::Quadratic:
        return x * x;
      default:
        return x;
    }
  }

  // y f(s) exactly, summed in unit order.
  double value(double s) const {
    double f = 0;
    for (int k = 0; k < K_; ++k) f += cv_[k] * activation_g(Act, alpha_[k] + beta_[k] * s);
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
      if (Act == XgmActivation::Quadratic && (alpha_[k] + beta_[k] * grid(i)) * (alpha_[k] + beta_[k] * grid(j)) < 0) {
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

}  // namespace

SmoothScratch::SmoothScratch(int K) : T(std::size_t(kGrid) * K) {}

double smooth_line_eps(XgmActivation act, const Line& l, SmoothScratch& sc) {
  switch (act) {
    case XgmActivation::Erf:
      return SmoothLine<XgmActivation::Erf>(l.alpha, l.beta, l.cv, l.K, l.y, sc).error_mass();
    case XgmActivation::Tanh:
      return SmoothLine<XgmActivation::Tanh>(l.alpha, l.beta, l.cv, l.K, l.y, sc).error_mass();
    case XgmActivation::Quadratic:
      return SmoothLine<XgmActivation::Quadratic>(l.alpha, l.beta, l.cv, l.K, l.y, sc).error_mass();
    default:
      return SmoothLine<XgmActivation::Linear>(l.alpha, l.beta, l.cv, l.K, l.y, sc).error_mass();
  }
}

void smooth_line(XgmActivation act, XgmLoss loss, const Line& line, const LineRules& rules, SmoothLineOut* out) {
  const int K = line.K, nq = int(rules.gh_s.size());
  double *i0 = out->I0, *i1 = out->I1;
  for (int k = 0; k < K; ++k) i0[k] = i1[k] = 0;
  double g[kMaxStackUnits], dg[kMaxStackUnits];
  std::vector<double> gv, dgv;
  double* gp = g;
  double* dgp = dg;
  if (K > kMaxStackUnits) {
    gv.resize(K);
    dgv.resize(K);
    gp = gv.data();
    dgp = dgv.data();
  }
  for (int q = 0; q < nq; ++q) {
    const double s = rules.gh_s(q), wq = rules.gh_w(q);
    double f = 0;
    for (int k = 0; k < K; ++k) {
      const double lam = line.alpha[k] + line.beta[k] * s;
      gp[k] = activation_g(act, lam);
      dgp[k] = activation_dg(act, lam);
      f += line.cv[k] * gp[k];
    }
    double e, l;
    residual(loss, line.y, f, &e, &l);
    out->loss += wq * l;
    for (int k = 0; k < K; ++k) {
      i0[k] += wq * e * dgp[k];
      i1[k] += wq * e * dgp[k] * s;
      out->eg[k] += wq * e * gp[k];
    }
    if (out->H) {
      double* h = out->H + std::size_t(q) * K;
      const double sw = std::sqrt(wq) * e;
      for (int k = 0; k < K; ++k) h[k] = sw * line.cv[k] * dgp[k];
    }
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

}  // namespace tilt::xgm_detail
