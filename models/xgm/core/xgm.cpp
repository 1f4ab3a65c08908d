#include "models/xgm/core/xgm.hpp"

#include <algorithm>
#include <cmath>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/rng.hpp"
#include "models/xgm/core/xgm_gauss.hpp"

namespace tilt {
namespace {

std::vector<XgmCluster> custom_clusters(const std::vector<std::vector<double>>& rows, int D) {
  const std::string allowed =
      "; allowed: rows [centre_1, ..., centre_D, label, p] with label +1 or -1, p > 0 and "
      "the p summing to 1";
  std::vector<XgmCluster> out;
  double total = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const std::string where = "key 'xgm.clusters': row " + std::to_string(i + 1) + " ";
    if (row.size() != std::size_t(D) + 2)
      throw InputError(where + "has " + std::to_string(row.size()) +
                       " numbers, expected D + 2 = " + std::to_string(D + 2) + allowed);
    XgmCluster c;
    c.centre = Eigen::Map<const Eigen::VectorXd>(row.data(), D);
    c.label = row[std::size_t(D)];
    c.p = row[std::size_t(D) + 1];
    if (c.label != 1 && c.label != -1) throw InputError(where + "has label " + format_number(c.label) + allowed);
    if (!(c.p > 0)) throw InputError(where + "has probability " + format_number(c.p) + allowed);
    total += c.p;
    out.push_back(c);
  }
  if (std::fabs(total - 1) > 1e-9)
    throw InputError("key 'xgm.clusters': probabilities sum to " + format_number(total) + allowed);
  return out;
}

}  // namespace

std::vector<XgmCluster> xor_clusters(int D, double mu) {
  std::vector<XgmCluster> out;
  for (int axis = 0; axis < 2; ++axis)
    for (double sign : {1.0, -1.0}) {
      XgmCluster c;
      c.centre = Eigen::VectorXd::Zero(D);
      c.centre(axis) = sign * mu;
      c.label = axis == 0 ? 1.0 : -1.0;
      c.p = 0.25;
      out.push_back(c);
    }
  return out;
}

XgmParams XgmParams::from_config(const Config& c) {
  XgmParams p;
  p.read_network(c, "xgm");
  p.D = int(c.integer("xgm.D"));
  p.sigma = c.real("xgm.sigma");
  const auto rows = c.table("xgm.clusters");
  if (rows.empty()) {
    if (p.D < 2)
      throw InputError("key 'xgm.D' = " + std::to_string(p.D) +
                       ": the XOR preset needs D >= 2; allowed: D >= 2 or a custom xgm.clusters table");
    p.clusters = xor_clusters(p.D, c.real("xgm.mu"));
  } else {
    p.clusters = custom_clusters(rows, p.D);
  }
  if (p.d < p.D + p.K)
    throw InputError("key 'sim.d' = " + std::to_string(p.d) + ": too small for xgm; allowed: sim.d >= xgm.D + xgm.K");
  p.lines = int(c.integer("xgm.lines"));
  p.lines_auto = p.lines == 0;
  if (p.lines_auto) p.lines = xgm_default_lines(p.K);
  p.nodes = int(c.integer("xgm.nodes"));
  p.nodes_auto = p.nodes == 0;
  if (p.nodes_auto) p.nodes = kXgmDefaultNodes;
  p.rhs_tol = c.real("xgm.rhs_tol");
  p.observable_lines = int(c.integer("xgm.observable_lines"));
  p.observable_tol = c.real("xgm.observable_tol");
  p.closed_forms = c.boolean("xgm.closed_forms");
  p.diagnostics = c.boolean("xgm.diagnostics");
  p.test = TestDistribution::from_config(c);
  return p;
}

XgmOverlaps overlaps_of(const XgmParams& p, const XgmWeights& w) {
  XgmOverlaps o;
  o.r = w.W.leftCols(p.D);
  const auto irr = w.W.rightCols(p.d - p.D);
  o.Qp = irr * irr.transpose();
  o.v = w.v;
  return o;
}

XgmOverlaps nominal_overlaps(const XgmParams& p, long long seed) {
  XgmOverlaps o;
  o.r = Eigen::MatrixXd::Zero(p.K, p.D);
  o.Qp = p.init_scale * p.init_scale * Eigen::MatrixXd::Identity(p.K, p.K);
  o.v = sample_xgm_weights(p, seed).v;
  return o;
}

std::size_t xgm_state_size(int K, int D) { return std::size_t(K) * D + std::size_t(K) * (K + 1) / 2 + K; }

std::vector<double> xgm_state_of(const XgmOverlaps& o) {
  const int K = int(o.r.rows()), D = int(o.r.cols());
  std::vector<double> y;
  y.reserve(xgm_state_size(K, D));
  for (int k = 0; k < K; ++k)
    for (int a = 0; a < D; ++a) y.push_back(o.r(k, a));
  for (int k = 0; k < K; ++k)
    for (int l = k; l < K; ++l) y.push_back(o.Qp(k, l));
  for (int k = 0; k < K; ++k) y.push_back(o.v(k));
  return y;
}

XgmOverlaps xgm_overlaps_of_state(int K, int D, const double* y) {
  XgmOverlaps o;
  o.r.resize(K, D);
  o.Qp.resize(K, K);
  o.v.resize(K);
  for (int k = 0; k < K; ++k)
    for (int a = 0; a < D; ++a) o.r(k, a) = *y++;
  for (int k = 0; k < K; ++k)
    for (int l = k; l < K; ++l) o.Qp(k, l) = o.Qp(l, k) = *y++;
  for (int k = 0; k < K; ++k) o.v(k) = *y++;
  return o;
}

std::vector<std::string> xgm_state_names(int K, int D) {
  std::vector<std::string> names;
  for (int k = 1; k <= K; ++k)
    for (int a = 1; a <= D; ++a) names.push_back("r_" + std::to_string(k) + "_" + std::to_string(a));
  for (int k = 1; k <= K; ++k)
    for (int l = k; l <= K; ++l) names.push_back("Qperp_" + std::to_string(k) + "_" + std::to_string(l));
  for (int k = 1; k <= K; ++k) names.push_back("v_" + std::to_string(k));
  return names;
}

double xgm_alignment(const XgmOverlaps& o, int k) {
  const double r2 = o.r.row(k).squaredNorm();
  return std::sqrt(r2 / (r2 + o.Qp(k, k)));
}

double xgm_rule_match(const XgmParams& p, const XgmOverlaps& o, int k) {
  double best = -2, label = 0;
  const double rn = o.r.row(k).norm();
  if (rn == 0) return 0;
  for (const auto& c : p.clusters) {
    const double cos = o.r.row(k).dot(c.centre) / (rn * c.centre.norm());
    if (cos > best) {
      best = cos;
      label = c.label;
    }
  }
  return (o.v(k) > 0 ? 1.0 : -1.0) == label ? 1.0 : 0.0;
}

XgmObserver::XgmObserver(XgmParams p)
    : p_(std::move(p)), gauss_(std::make_unique<XgmGauss>(p_, XgmExpectations::Observables)) {}
XgmObserver::~XgmObserver() = default;

std::vector<std::string> XgmObserver::columns() const {
  std::vector<std::string> c = xgm_state_names(p_.K, p_.D);
  for (const char* name : {"eps", "eps_easy", "eps_hard", "eps_mix", "loss", "eps_err"}) c.push_back(name);
  if (p_.diagnostics) {
    for (int k = 1; k <= p_.K; ++k) c.push_back("align_" + std::to_string(k));
    for (int k = 1; k <= p_.K; ++k) c.push_back("match_" + std::to_string(k));
  }
  return c;
}

std::vector<double> XgmObserver::observe(const XgmOverlaps& o) const {
  std::vector<double> out = xgm_state_of(o);
  XgmMoments easy, hard;
  const bool ok = gauss_->expect(o, p_.test.easy, XgmExpectations::Observables, &easy) &&
                  gauss_->expect(o, p_.test.hard, XgmExpectations::Observables, &hard);
  if (!ok) throw RunError("xgm: the irrelevant overlap matrix Qperp is not positive definite");
  const TestDistribution& t = p_.test;
  // eps_err: the error estimate (one standard error) of the eps column; easy and hard use independent lines.
  const double eps_err = t.which == "easy" ? easy.eps_err
                         : t.which == "hard"
                             ? hard.eps_err
                             : std::hypot(t.easy_fraction * easy.eps_err, (1 - t.easy_fraction) * hard.eps_err);
  for (double x : {t.pick(easy.eps, hard.eps), easy.eps, hard.eps, t.mix(easy.eps, hard.eps),
                   t.pick(easy.loss, hard.loss), eps_err})
    out.push_back(x);
  if (p_.diagnostics) {
    for (int k = 0; k < p_.K; ++k) out.push_back(xgm_alignment(o, k));
    for (int k = 0; k < p_.K; ++k) out.push_back(xgm_rule_match(p_, o, k));
  }
  return out;
}

}  // namespace tilt
