// The relu line kernel (docs/theory/xgm.md, "Lines"): f is piecewise affine along a line, so every integral is
// a sum of truncated-normal moments over its segments.
#include <algorithm>
#include <cmath>

#include "models/xgm/core/xgm_line_kernels.hpp"
#include "models/xgm/core/xgm_normal.hpp"

namespace tilt::xgm_detail {
namespace {

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
    const double M0 = mass(na, nb), M1 = na.pdf - nb.pdf,
                 M2 = M0 + (na.pdf > 0 ? a * na.pdf : 0.0) - (nb.pdf > 0 ? b * nb.pdf : 0.0);
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

}  // namespace

void relu_line(const Line& line, XgmLoss loss, const LineRules& rules, ReluScratch& sc, ReluLineOut* out) {
  const double *alpha = line.alpha, *beta = line.beta, *cv = line.cv;
  const int K = line.K;
  const double y = line.y;
  const bool observe = out->observables;
  double *I0 = out->I0, *I1 = out->I1, *eg = out->eg, *GG = out->GG;
  const Eigen::VectorXd &gl_s = rules.gl_s, &gl_w = rules.gl_w;
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
  out->eps = out->loss = 0;
  sc.CE[0] = sc.CES[0] = sc.CEE[0] = 0;
  NormalAt na = NormalAt::at(-kInf);
  for (int j = 0; j <= m; ++j) {
    const NormalAt nb = NormalAt::at(j == m ? kInf : sc.t[sc.order[j]]);
    const SegmentIntegrals S = segment(loss, y, F0, F1, na, nb, gl_s, gl_w);
    sc.CE[j + 1] = sc.CE[j] + S.e;
    sc.CES[j + 1] = sc.CES[j] + S.es;
    sc.CEE[j + 1] = sc.CEE[j] + S.ee;
    if (observe) {
      out->loss += S.l;
      out->eps += error_mass(na.x, nb.x, y * F0, y * F1);
    }
    na = nb;
    if (j < m) cross_breakpoint(sc.order[j], alpha, beta, cv, &F0, &F1, &active);
  }
  out->e = sc.CE[m + 1];
  out->ee = sc.CEE[m + 1];
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
}

// eps only, along one relu line (the observables' pass): the mass of {s: y f(s) <= 0} (f = 0, no unit active,
// counts as an error), with the error sub-intervals of adjacent segments merged so that each maximal interval
// costs one normal mass.
double relu_line_eps(const Line& line, ReluScratch& sc) {
  const double *alpha = line.alpha, *beta = line.beta, *cv = line.cv;
  const int K = line.K;
  const double y = line.y;
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
          if (A1 > 0)
            e_hi = std::min(b, s0);
          else
            e_lo = std::max(a, s0);
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

}  // namespace tilt::xgm_detail
