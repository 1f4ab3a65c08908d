#include "models/scm/theory/scm_ode.hpp"

#include <omp.h>

#include <cmath>

#include "models/scm/theory/scm_integrals.hpp"

namespace tilt {

// Recipe of docs/models.md section 0 with e = y - f = sum_u c_u g(x_u) over all fields x = (lambda_1..K, nu_1..M),
// c = (-v, A), G_k = e v_k g'(lambda_k) and the update w_k <- w_k + (eta/d)(G_k x - lambda_w w_k):
//   dQ_kl/dt = eta (v_k <g'_k e lambda_l> + v_l <g'_l e lambda_k>)
//              + eta^2 v_k v_l (sum_uu' c_u c_u' <g'_k g'_l g_u g_u'> + sigma^2 <g'_k g'_l>) - 2 eta lambda_w Q_kl
//   dR_km/dt = eta v_k <g'_k e nu_m> - eta lambda_w R_km
//   dv_k/dt  = eta_v <e g_k> - eta_v lambda_v v_k
// with <g'_k e x_p> = sum_u c_u E_dg_x_g(k, p, u) and <e g_k> = sum_u c_u E_g_g(k, u) (docs/theory/scm.md).

namespace {

struct Pair {
  int k, l;
};

std::vector<Pair> pairs_of(int K) {
  std::vector<Pair> out;
  for (int k = 0; k < K; ++k)
    for (int l = k; l < K; ++l) out.push_back({k, l});
  return out;
}

}  // namespace

ScmOde::ScmOde(ScmParams params, long long min_parallel_work) : p_(std::move(params)), min_work_(min_parallel_work) {
  dim_ = std::size_t(p_.K * (p_.K + 1) / 2 + p_.K * p_.M + (p_.train_readout ? p_.K : 0));
}

void ScmOde::unpack(const double* y, std::vector<double>& omega, std::vector<double>& c) const {
  const int K = p_.K, M = p_.M, n = K + M;
  omega.assign(std::size_t(n * n), 0.0);
  c.assign(std::size_t(n), 0.0);
  std::size_t i = 0;
  for (int k = 0; k < K; ++k)
    for (int l = k; l < K; ++l) omega[std::size_t(k * n + l)] = omega[std::size_t(l * n + k)] = y[i++];
  for (int k = 0; k < K; ++k)
    for (int m = 0; m < M; ++m) omega[std::size_t(k * n + K + m)] = omega[std::size_t((K + m) * n + k)] = y[i++];
  for (int m = 0; m < M; ++m)
    for (int q = 0; q < M; ++q) omega[std::size_t((K + m) * n + K + q)] = p_.T(m, q);
  for (int k = 0; k < K; ++k) c[std::size_t(k)] = -(p_.train_readout ? y[i + std::size_t(k)] : p_.v0[k]);
  for (int m = 0; m < M; ++m) c[std::size_t(K + m)] = p_.A[m];
}

void ScmOde::assemble(const double* y, const std::vector<double>& gx, const std::vector<double>& i4,
                      const std::vector<double>& j2, const std::vector<double>& eg, double* dydt) const {
  const int K = p_.K, M = p_.M, n = K + M;
  const std::size_t P = std::size_t(K * (K + 1) / 2);
  const double eta = p_.eta, wd = p_.weight_decay;
  auto v = [&](int k) { return p_.train_readout ? y[P + std::size_t(K * M + k)] : p_.v0[k]; };
  std::size_t i = 0;
  for (int k = 0; k < K; ++k)
    for (int l = k; l < K; ++l, ++i)
      dydt[i] = eta * (v(k) * gx[std::size_t(k * n + l)] + v(l) * gx[std::size_t(l * n + k)]) +
                eta * eta * v(k) * v(l) * (i4[i] + p_.noise * j2[i]) - 2 * eta * wd * y[i];
  for (int k = 0; k < K; ++k)
    for (int m = 0; m < M; ++m, ++i) dydt[i] = eta * v(k) * gx[std::size_t(k * n + K + m)] - eta * wd * y[i];
  if (p_.train_readout)
    for (int k = 0; k < K; ++k, ++i) dydt[i] = p_.eta_v * eg[std::size_t(k)] - p_.eta_v * p_.weight_decay_v * y[i];
}

bool ScmOde::rhs(double /*difficulty*/, std::size_t /*phase*/, const double* y, double* dydt) const {
  const bool ok = p_.activation == ScmActivation::Erf ? rhs_erf(y, dydt) : rhs_generic(y, dydt);
  if (!ok) return false;
  for (std::size_t i = 0; i < dim_; ++i)
    if (!std::isfinite(dydt[i])) return false;  // a covariance left the positive cone (e.g. a too-long trial step)
  return true;
}

// g = erf(x/sqrt 2), with the closed forms of scm_integrals.hpp rearranged so that every factor that depends on
// fewer indices is computed once: for the eta^2 sum of pair (k, l), L4 and per field u the values L1_u and the
// coefficients of L0(u, u') = L4 Omega_uu' + (C12 p_u - a q_u) q_u' + (C12 q_u - b p_u) p_u' (p = Omega_k., q =
// Omega_l.), so the inner loop is three multiply-adds and one asin. Work is split over (k, l) with a static
// schedule and each entry is summed by one thread in a fixed order: the result does not depend on the threads.
bool ScmOde::rhs_erf(const double* y, double* dydt) const {
  const int K = p_.K, M = p_.M, n = K + M;
  std::vector<double> omega, c;
  unpack(y, omega, c);
  for (int u = 0; u < n; ++u)
    if (!(1 + omega[std::size_t(u * n + u)] > 0)) return false;
  const std::vector<Pair> pairs = pairs_of(K);
  const long long P = static_cast<long long>(pairs.size());
  const auto sz = [](int x) { return static_cast<std::size_t>(x); };
  std::vector<double> gx(sz(K * n)), i4(pairs.size()), j2(pairs.size()), eg(sz(K));
  const auto O = [&](int a, int b) { return omega[std::size_t(a * n + b)]; };
  const bool parallel = p_.threads > 1 && P * n * n >= min_work_;

#pragma omp parallel num_threads(p_.threads) if (parallel)
  {
    std::vector<double> scratch(sz(6 * n));  // one allocation per thread: alpha, p, q, r, cp, cq
    double *alpha = scratch.data(), *p = alpha + n, *q = p + n, *r = q + n, *cp = r + n, *cq = cp + n;
#pragma omp for schedule(static)
    for (int k = 0; k < K; ++k) {
      // <g'_k e x_p> = (2/pi) (S_kp - Omega_kp s_k / (1 + Omega_kk)), alpha_u = c_u / sqrt(L3(k, u)).
      const double a = 1 + O(k, k);
      double s = 0, e = 0;
      for (int u = 0; u < n; ++u) {
        alpha[u] = c[std::size_t(u)] / std::sqrt(a * (1 + O(u, u)) - O(k, u) * O(k, u));
        s += alpha[u] * O(k, u);
        e += c[std::size_t(u)] * (2 / M_PI) * std::asin(O(k, u) / std::sqrt(a * (1 + O(u, u))));
      }
      eg[std::size_t(k)] = e;
      for (int pp = 0; pp < n; ++pp) {
        double S = 0;
        for (int u = 0; u < n; ++u) S += alpha[u] * O(pp, u);
        gx[std::size_t(k * n + pp)] = (2 / M_PI) * (S - O(k, pp) * s / a);
      }
    }
#pragma omp for schedule(static)
    for (long long pi = 0; pi < P; ++pi) {
      const int k = pairs[std::size_t(pi)].k, l = pairs[std::size_t(pi)].l;
      const double a = 1 + O(k, k), b = 1 + O(l, l), c12 = O(k, l), L4 = a * b - c12 * c12;
      for (int u = 0; u < n; ++u) {
        const double pu = O(k, u), qu = O(l, u);
        p[u] = pu;
        q[u] = qu;
        const double L1 = L4 * (1 + O(u, u)) - qu * qu * a - pu * pu * b + 2 * c12 * pu * qu;
        r[u] = 1 / std::sqrt(L1);
        cq[u] = c12 * pu - a * qu;  // multiplies q_u'
        cp[u] = c12 * qu - b * pu;  // multiplies p_u'
      }
      double sum = 0;
      for (int u = 0; u < n; ++u) {
        const double* row = &omega[std::size_t(u * n)];
        const double ru = r[u], cqu = cq[u], cpu = cp[u];
        // u' = u: L0 / L1 = 1 - L4 / L1.
        double inner = 0.5 * c[std::size_t(u)] * std::asin(std::fmin(1.0, 1 - L4 * ru * ru));
        for (int w = u + 1; w < n; ++w) {
          const double L0 = L4 * row[w] + cqu * q[w] + cpu * p[w];
          inner += c[std::size_t(w)] * std::asin(std::fmax(-1.0, std::fmin(1.0, L0 * ru * r[w])));
        }
        sum += c[std::size_t(u)] * inner;
      }
      i4[std::size_t(pi)] = 2 * sum * 4 / (M_PI * M_PI) / std::sqrt(L4);
      j2[std::size_t(pi)] = (2 / M_PI) / std::sqrt(L4);
    }
  }
  assemble(y, gx, i4, j2, eg, dydt);
  return true;
}

bool ScmOde::rhs_generic(const double* y, double* dydt) const {
  const int K = p_.K, M = p_.M, n = K + M;
  const ScmActivation g = p_.activation;
  std::vector<double> omega, c;
  unpack(y, omega, c);
  for (int u = 0; u < n; ++u)
    if (!(omega[std::size_t(u * n + u)] > (g == ScmActivation::Erf ? -1.0 : 0.0))) return false;
  const std::vector<Pair> pairs = pairs_of(K);
  const long long P = static_cast<long long>(pairs.size());
  const auto sz = [](int x) { return static_cast<std::size_t>(x); };
  std::vector<double> gx(sz(K * n)), i4(pairs.size()), j2(pairs.size()), eg(sz(K));
  const auto O = [&](int a, int b) { return omega[std::size_t(a * n + b)]; };
  const long long cost = g == ScmActivation::Relu ? 64 : 1;  // a relu 4-field integral costs ~ 64 erf ones
  const bool parallel = p_.threads > 1 && cost * P * n * n >= min_work_;

#pragma omp parallel num_threads(p_.threads) if (parallel)
  {
#pragma omp for schedule(static)
    for (int k = 0; k < K; ++k) {
      double e = 0;
      for (int u = 0; u < n; ++u) e += c[std::size_t(u)] * scm::E_g_g(g, O(k, k), O(k, u), O(u, u));
      eg[std::size_t(k)] = e;
      for (int pp = 0; pp < n; ++pp) {
        double sum = 0;
        for (int u = 0; u < n; ++u) {
          const int idx[3] = {k, pp, u};
          Eigen::Matrix3d C3;
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) C3(a, b) = O(idx[a], idx[b]);
          sum += c[std::size_t(u)] * scm::E_dg_x_g(g, C3);
        }
        gx[std::size_t(k * n + pp)] = sum;
      }
    }
#pragma omp for schedule(static)
    for (long long pi = 0; pi < P; ++pi) {
      const int k = pairs[std::size_t(pi)].k, l = pairs[std::size_t(pi)].l;
      double sum = 0;
      for (int u = 0; u < n; ++u)
        for (int w = u; w < n; ++w) {
          const int idx[4] = {k, l, u, w};
          Eigen::Matrix4d C4;
          for (int a = 0; a < 4; ++a)
            for (int b = 0; b < 4; ++b) C4(a, b) = O(idx[a], idx[b]);
          sum += (w == u ? 1.0 : 2.0) * c[std::size_t(u)] * c[std::size_t(w)] * scm::E_dg_dg_g_g(g, C4);
        }
      i4[std::size_t(pi)] = sum;
      j2[std::size_t(pi)] = scm::E_dg_dg(g, O(k, k), O(k, l), O(l, l));
    }
  }
  assemble(y, gx, i4, j2, eg, dydt);
  return true;
}

std::vector<double> ScmOde::state_of(const ScmOverlaps& o) const {
  std::vector<double> y;
  for (int k = 0; k < p_.K; ++k)
    for (int l = k; l < p_.K; ++l) y.push_back(o.Q(k, l));
  for (int k = 0; k < p_.K; ++k)
    for (int m = 0; m < p_.M; ++m) y.push_back(o.R(k, m));
  if (p_.train_readout)
    for (int k = 0; k < p_.K; ++k) y.push_back(o.v[k]);
  return y;
}

ScmOverlaps ScmOde::overlaps_of_state(const double* y) const {
  ScmOverlaps o{Eigen::MatrixXd(p_.K, p_.K), Eigen::MatrixXd(p_.K, p_.M), p_.v0};
  std::size_t i = 0;
  for (int k = 0; k < p_.K; ++k)
    for (int l = k; l < p_.K; ++l) o.Q(k, l) = o.Q(l, k) = y[i++];
  for (int k = 0; k < p_.K; ++k)
    for (int m = 0; m < p_.M; ++m) o.R(k, m) = y[i++];
  if (p_.train_readout)
    for (int k = 0; k < p_.K; ++k) o.v[k] = y[i++];
  return o;
}

std::vector<double> ScmOde::observe(const double* y) const { return scm_observables(p_, overlaps_of_state(y)); }

std::vector<std::string> ScmOde::state_names() const {
  std::vector<std::string> names = scm_columns(p_);
  names.pop_back();  // eps
  if (!p_.train_readout) names.resize(names.size() - std::size_t(p_.K));
  return names;
}

}  // namespace tilt
