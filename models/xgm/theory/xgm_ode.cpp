#include "models/xgm/theory/xgm_ode.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/io.hpp"
#include "models/xgm/core/xgm_line_kernels.hpp"

namespace tilt {
namespace {

// The most lines per cluster an automatic choice uses (at K = 4 one right-hand side then costs ~16x the default's).
constexpr int kMaxAutoLines = 65536;

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The part of a combined error estimate that is not the quadrature's: sqrt(err^2 - node^2) (NaN node: none).
Eigen::MatrixXd line_part(const Eigen::MatrixXd& err, const Eigen::MatrixXd& node) {
  Eigen::MatrixXd out = err;
  for (Eigen::Index i = 0; i < err.size(); ++i) {
    const double n = std::isfinite(node.data()[i]) ? node.data()[i] : 0.0;
    out.data()[i] = std::sqrt(std::max(0.0, err.data()[i] * err.data()[i] - n * n));
  }
  return out;
}

Eigen::MatrixXd finite_or_zero(const Eigen::MatrixXd& x) {
  return x.unaryExpr([](double v) { return std::isfinite(v) ? v : 0.0; });
}

// The largest error, in the units of the right-hand side, from per-quantity errors of dr, Gz, GG, eg (propagated
// through dr/dt = eta dr, dQ/dt = eta (Y + Y^T) + eta^2 Delta GG with Y = sqrt(Delta) Gz L^T, dv/dt = eta_v c_K eg;
// independent errors combine in quadrature).
double rhs_units(const XgmParams& p, const Eigen::MatrixXd& L, double delta, const Eigen::MatrixXd& dr,
                 const Eigen::MatrixXd& Gz, const Eigen::MatrixXd& GG, const Eigen::MatrixXd& eg) {
  const int K = p.K;
  double worst = p.eta * dr.cwiseAbs().maxCoeff();
  const Eigen::MatrixXd eY = std::sqrt(delta) * (Gz.cwiseAbs2() * L.cwiseAbs2().transpose()).cwiseSqrt();
  for (int k = 0; k < K; ++k)
    for (int l = k; l < K; ++l) {
      const double y = p.eta * std::hypot(eY(k, l), eY(l, k)), g = p.eta * p.eta * delta * GG(k, l);
      worst = std::max(worst, std::hypot(y, g));
    }
  if (p.train_readout) worst = std::max(worst, p.eta_v * p.cK * eg.cwiseAbs().maxCoeff());
  return worst;
}

}  // namespace

XgmRhsError xgm_rhs_error(const XgmParams& p, const XgmMoments& m, double delta) {
  XgmRhsError e;
  e.lines = 2 * rhs_units(p, m.L, delta, line_part(m.dr_err, m.dr_node), line_part(m.Gz_err, m.Gz_node),
                          line_part(m.GG_err, m.GG_node), line_part(m.eg_err, m.eg_node));
  e.nodes = rhs_units(p, m.L, delta, finite_or_zero(m.dr_node), finite_or_zero(m.Gz_node), finite_or_zero(m.GG_node),
                      finite_or_zero(m.eg_node));
  return e;
}

XgmOde::XgmOde(const XgmParams& params) : p_(params), observer_(params) {
  if (!automatic()) gauss_ = std::make_shared<XgmGauss>(p_, XgmExpectations::Rhs);
}

XgmRhsAccuracy XgmOde::choose(const XgmParams& p, const XgmOverlaps& o, double delta) {
  const double start = wall_seconds();
  XgmParams q = p;
  q.rhs_error_estimates = true;
  XgmRhsAccuracy a;
  a.difficulty = delta;
  XgmRhsError e;
  bool uses_nodes = false;
  auto estimate = [&] {
    const XgmGauss g(q, XgmExpectations::Rhs);
    uses_nodes = g.rhs_uses_nodes();
    XgmMoments m;
    if (!g.expect(o, delta, XgmExpectations::Rhs, &m)) return false;
    e = xgm_rhs_error(q, m, delta);
    return true;
  };
  if (estimate()) {
    // The quadrature along the lines first (its error is systematic and falls fast with the nodes), then the
    // lines, whose estimate is of the replicates' split; the run's single net of as many points is more accurate.
    if (p.nodes_auto && uses_nodes)
      while (e.nodes > 0.25 * p.rhs_tol && q.nodes < xgm_detail::kMaxAutoNodes) {
        q.nodes *= 2;
        if (!estimate()) break;
      }
    if (p.lines_auto)
      while (e.lines > p.rhs_tol && q.lines < kMaxAutoLines) {
        q.lines = std::min(2 * q.lines, kMaxAutoLines);
        if (!estimate()) break;
      }
  }
  a.lines = q.lines;
  a.nodes = uses_nodes ? q.nodes : 0;
  a.line_err = a.max_line_err = e.lines;
  a.node_err = a.max_node_err = e.nodes;
  a.selection_seconds = wall_seconds() - start;
  return a;
}

const XgmGauss& XgmOde::gauss_for(std::size_t phase, double delta, const XgmOverlaps& o) const {
  if (!automatic()) return *gauss_;
  const std::lock_guard<std::mutex> lock(mutex_);
  phase_ = phase;
  for (const auto& c : choices_)
    if (c.accuracy.phase == phase && c.accuracy.difficulty == delta) return *c.gauss;
  Choice c;
  c.accuracy = choose(p_, o, delta);
  c.accuracy.phase = phase;
  auto& slot = instances_[{c.accuracy.lines, c.accuracy.nodes}];
  if (!slot) {
    XgmParams q = p_;
    q.lines = c.accuracy.lines;
    if (c.accuracy.nodes > 0) q.nodes = c.accuracy.nodes;
    slot = std::make_shared<XgmGauss>(q, XgmExpectations::Rhs);
  }
  c.gauss = slot;
  choices_.push_back(c);
  return *choices_.back().gauss;
}

// Recipe of docs/models.md section 0 with lambda_k = r_k.m_c + sigma r_k.xi + sqrt(Delta) (L z)_k, L L^T = Qp:
//   dr_k/dt    = eta <G_k (m_c + sigma xi)> - eta wd r_k
//   dQp_kl/dt  = eta (Y_kl + Y_lk) + eta^2 Delta <G_k G_l> - 2 eta wd Qp_kl,   Y = sqrt(Delta) <G z^T> L^T
//                (sqrt(Delta) <G_k zeta_l> = sqrt(Delta) sum_b L_lb <G_k z_b>)
//   dv_k/dt    = eta_v c_K <e g(lambda_k)> - eta_v wd_v v_k                 (if the read-out is trained)
// ||x||^2/d -> Delta gives the eta^2 term; the D relevant coordinates add O(1/d) only.
bool XgmOde::rhs(double delta, std::size_t phase, const double* y, double* dydt) const {
  const int K = p_.K, D = p_.D;
  const XgmOverlaps o = xgm_overlaps_of_state(K, D, y);
  XgmMoments m;
  if (!gauss_for(phase, delta, o).expect(o, delta, XgmExpectations::Rhs, &m)) return false;
  const double eta = p_.eta;
  const Eigen::MatrixXd dr = eta * m.dr - eta * p_.weight_decay * o.r;
  const Eigen::MatrixXd Y = std::sqrt(delta) * m.Gz * m.L.transpose();
  const Eigen::MatrixXd dQ = eta * (Y + Y.transpose()) + eta * eta * delta * m.GG - 2 * eta * p_.weight_decay * o.Qp;
  double* out = dydt;
  for (int k = 0; k < K; ++k)
    for (int a = 0; a < D; ++a) *out++ = dr(k, a);
  for (int k = 0; k < K; ++k)
    for (int l = k; l < K; ++l) *out++ = dQ(k, l);
  for (int k = 0; k < K; ++k)
    *out++ = p_.train_readout ? p_.eta_v * p_.cK * m.eg(k) - p_.eta_v * p_.weight_decay_v * o.v(k) : 0.0;
  return true;
}

std::vector<double> XgmOde::observe(const double* y) const {
  const XgmOverlaps o = xgm_overlaps_of_state(p_.K, p_.D, y);
  if (automatic()) {
    // The check: the error estimates of the current phase's choices, re-estimated at this state with the same
    // lines and nodes (the right-hand side itself stays as chosen, so that it is smooth within the phase).
    const std::lock_guard<std::mutex> lock(mutex_);
    for (auto& c : choices_) {
      if (c.accuracy.phase != phase_) continue;
      const double start = wall_seconds();
      XgmParams q = p_;
      q.rhs_error_estimates = true;
      q.lines = c.accuracy.lines;
      if (c.accuracy.nodes > 0) q.nodes = c.accuracy.nodes;
      XgmMoments m;
      if (XgmGauss(q, XgmExpectations::Rhs).expect(o, c.accuracy.difficulty, XgmExpectations::Rhs, &m)) {
        const XgmRhsError e = xgm_rhs_error(q, m, c.accuracy.difficulty);
        c.accuracy.max_line_err = std::max(c.accuracy.max_line_err, e.lines);
        c.accuracy.max_node_err = std::max(c.accuracy.max_node_err, e.nodes);
        ++c.accuracy.checks;
      }
      c.accuracy.selection_seconds += wall_seconds() - start;
    }
  }
  return observer_.observe(o);
}

std::vector<XgmRhsAccuracy> XgmOde::accuracy() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  std::vector<XgmRhsAccuracy> out;
  for (const auto& c : choices_) out.push_back(c.accuracy);
  return out;
}

std::string XgmOde::accuracy_json() const {
  if (!automatic()) return {};
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& a : accuracy())
    phases.push_back({{"phase", a.phase},
                      {"difficulty", a.difficulty},
                      {"lines", a.lines},
                      {"nodes", a.nodes},
                      {"line_err", json_number(a.line_err)},
                      {"node_err", json_number(a.node_err)},
                      {"max_line_err", json_number(a.max_line_err)},
                      {"max_node_err", json_number(a.max_node_err)},
                      {"checks", a.checks},
                      {"met", a.max_line_err <= p_.rhs_tol && a.max_node_err <= 0.25 * p_.rhs_tol},
                      {"seconds", a.selection_seconds}});
  return nlohmann::json{{"rhs_tol", p_.rhs_tol}, {"phases", phases}}.dump();
}

}  // namespace tilt
