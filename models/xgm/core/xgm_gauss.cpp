// The assembly of the xgm expectations (xgm_gauss.hpp, docs/theory/xgm.md): closed forms where they exist
// (xgm_closed.hpp), line averages elsewhere (points: xgm_lines.hpp; kernels along a line: xgm_line_kernels.hpp),
// each line average with its error estimate from the spread of independently shifted replicates.
#include "models/xgm/core/xgm_gauss.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include <Eigen/Cholesky>

#include "models/xgm/core/xgm_closed.hpp"
#include "models/xgm/core/xgm_normal.hpp"

namespace tilt {

using namespace xgm_detail;

namespace {

constexpr int kChunk = 2048;               // lines per block: bounds the scratch memory at large line counts
constexpr int kFirstObservableLines = 16;  // per replicate: the observables start at 8 x 16 = 128 lines per cluster
// From this many units on, eps of relu with the square loss uses control variates (twice the cost per line).
// Measured at stress states: K = 64, 2.4x less variance at 65536 lines; K = 4, no gain (the lines do it already).
constexpr int kControlVariateUnits = 32;

XgmMoments zero_moments(int K, int D) {
  XgmMoments m;
  m.dr = Eigen::MatrixXd::Zero(K, D);
  m.Gz = Eigen::MatrixXd::Zero(K, K);
  m.GG = Eigen::MatrixXd::Zero(K, K);
  m.eg = Eigen::VectorXd::Zero(K);
  m.dr_err = m.dr_node = m.dr;
  m.Gz_err = m.Gz_node = m.Gz;
  m.GG_err = m.GG_node = m.GG;
  m.eg_err = m.eg_node = m.eg;
  return m;
}

// b - a for the sums of every replicate (the change from one quadrature rule to another on the same lines).
std::vector<XgmMoments> difference(const std::vector<XgmMoments>& b, const std::vector<XgmMoments>& a) {
  std::vector<XgmMoments> d = b;
  for (std::size_t r = 0; r < d.size(); ++r) {
    d[r].dr -= a[r].dr;
    d[r].Gz -= a[r].Gz;
    d[r].GG -= a[r].GG;
    d[r].eg -= a[r].eg;
    d[r].loss -= a[r].loss;
    d[r].eps -= a[r].eps;
  }
  return d;
}

// Mean and standard error over the replicates of x_r / n (x_r: one replicate's sums over n lines).
template <class Get>
void replicate_mean(const std::vector<XgmMoments>& sums, int n, Get get, Eigen::MatrixXd* mean, Eigen::MatrixXd* se) {
  const int R = int(sums.size());
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(get(sums[0]).rows(), get(sums[0]).cols()), v = m;
  for (const auto& s : sums) m += get(s) / double(n);
  m /= R;
  for (const auto& s : sums) v += (get(s) / double(n) - m).cwiseAbs2();
  *mean = m;
  // One replicate: no estimate.
  *se = R > 1 ? Eigen::MatrixXd((v / (double(R) * (R - 1))).cwiseSqrt())
              : Eigen::MatrixXd::Constant(m.rows(), m.cols(), std::numeric_limits<double>::quiet_NaN());
}

void replicate_mean(const std::vector<double>& x, int n, double* mean, double* se) {
  const int R = int(x.size());
  double m = 0, v = 0;
  for (double a : x) m += a / n;
  m /= R;
  for (double a : x) v += (a / n - m) * (a / n - m);
  *mean = m;
  *se = std::sqrt(v / (double(R) * (R - 1)));
}

// The smoothing direction of the lines for a cluster with field means mu: the gradient of the linearised f in
// u-space, A^T a with a_k = v_k <g'(lambda_k)> (unit length; the first axis where it vanishes).
Eigen::VectorXd smoothing_direction(const XgmParams& p, const XgmOverlaps& o, const Eigen::VectorXd& mu,
                                    const Eigen::VectorXd& s2, const Eigen::MatrixXd& A) {
  Eigen::VectorXd a(p.K);
  for (int k = 0; k < p.K; ++k) a(k) = o.v(k) * mean_slope(p.activation, mu(k), s2(k));
  Eigen::VectorXd w = A.transpose() * a;
  const double nrm = w.norm();
  if (nrm > 1e-12 * (1 + A.norm() * a.norm())) {
    w /= nrm;
  } else {
    w = Eigen::VectorXd::Unit(A.cols(), 0);
  }
  return w;
}

}  // namespace

void XgmGauss::CvSums::add(double mass, double e, double ee) {
  n += 1;
  h += mass;
  x1 += e;
  x2 += ee;
  x11 += e * e;
  x12 += e * ee;
  x22 += ee * ee;
  hx1 += mass * e;
  hx2 += mass * ee;
}

XgmGauss::XgmGauss(const XgmParams& p, XgmExpectations prepare)
    : p_(p), rules_(&line_rules(p.nodes)), rules2_(&line_rules(2 * p.nodes)) {
  const bool dynamics = prepare != XgmExpectations::Observables, observables = prepare != XgmExpectations::Rhs;
  if (dynamics) {
    const int R = p.rhs_error_estimates ? kReplicates : 1;
    rhs_ = LinePoints(p.D, p.K, (p.lines + R - 1) / R, LinePairing::Antithetic, R);
  }
  if (observables)
    obs_ = LinePoints(p.D, p.K, std::max(std::max(p.observable_lines, 8) / kReplicates, 1), LinePairing::Plain);
}

bool XgmGauss::rhs_uses_nodes() const { return !(p_.activation == XgmActivation::Relu && p_.loss == XgmLoss::Square); }

// One function on purpose: the hot loop over lines shares a dozen scratch buffers across the kernel branches, which
// a split would pass around or allocate per call.
void XgmGauss::lines_pass(const LinePoints& points, const XgmOverlaps& o, const Eigen::MatrixXd& A,
                          const PassOptions& opt, const LineRules& rules, std::vector<XgmMoments>* sums,
                          std::vector<CvSums>* cvs) const {
  // The fields are lambda = mu + A u with u the first A.cols() coordinates of the points.
  const int K = p_.K, D = p_.D, M = int(A.cols());
  const Eigen::VectorXd cv = p_.cK * o.v;
  const Eigen::VectorXd s2 = A.rowwise().squaredNorm();
  const bool relu = p_.activation == XgmActivation::Relu;
  const int nq = rules.nodes();
  // eps alone needs no quadrature along the line.
  const bool eps_only = opt.eps && !opt.gg && !opt.drift && !opt.loss;
  Eigen::MatrixXd I0(K, kChunk), I1(K, kChunk), B, Alpha, H, GGc(K, K), EGu(K, M);
  Eigen::RowVectorXd wz;
  Eigen::VectorXd egsum(K), eg(K), I0sum(K), I1sum(K);
  ReluScratch sc(K);
  SmoothScratch ssc(K);
  for (std::size_t ci = 0; ci < p_.clusters.size(); ++ci) {
    const XgmCluster& c = p_.clusters[ci];
    const Eigen::VectorXd mu = o.r * c.centre;
    const Eigen::VectorXd w = smoothing_direction(p_, o, mu, s2, A);
    const Eigen::VectorXd beta = A * w;
    const double y = c.label;
    for (int r = 0; r < points.replicates; ++r) {
      egsum.setZero();
      GGc.setZero();
      EGu.setZero();
      I0sum.setZero();
      I1sum.setZero();
      double eps = 0, loss = 0;
      for (int start = 0; start < opt.count; start += kChunk) {
        const int n = std::min(kChunk, opt.count - start);
        const auto Zc = points.columns(r, opt.begin + start, n).topRows(M);
        // alpha_i = mu + A (z_i - w (w.z_i)) = mu + A z_i - beta (w.z_i).
        wz.noalias() = w.transpose() * Zc;
        if (opt.lower_triangular)
          Alpha.noalias() = A.triangularView<Eigen::Lower>() * Zc;
        else
          Alpha.noalias() = A * Zc;
        Alpha.noalias() -= beta * wz;
        Alpha.colwise() += mu;
        if (opt.drift) B = Zc - w * wz;
        if (relu && opt.control_variates) {
          CvSums& cv_sums = (*cvs)[ci * kReplicates + std::size_t(r)];
          for (int i = 0; i < n; ++i) {
            ReluLineOut out;
            out.I0 = I0.col(i).data();
            out.I1 = I1.col(i).data();
            out.eg = eg.data();
            out.observables = true;
            relu_line(Line{Alpha.col(i).data(), beta.data(), cv.data(), K, y}, p_.loss, rules, sc, &out);
            eps += out.eps;
            cv_sums.add(out.eps, out.e, out.ee);
          }
        } else if (relu && eps_only) {
          for (int i = 0; i < n; ++i) eps += relu_line_eps(Line{Alpha.col(i).data(), beta.data(), cv.data(), K, y}, sc);
        } else if (relu) {
          for (int i = 0; i < n; ++i) {
            ReluLineOut out;
            out.I0 = I0.col(i).data();
            out.I1 = I1.col(i).data();
            out.eg = eg.data();
            out.GG = opt.gg ? GGc.data() : nullptr;
            out.observables = opt.eps || opt.loss;
            relu_line(Line{Alpha.col(i).data(), beta.data(), cv.data(), K, y}, p_.loss, rules, sc, &out);
            egsum += eg;
            eps += out.eps;
            loss += out.loss;
          }
        } else {
          if (opt.gg) H.resize(K, std::size_t(n) * nq);
          for (int i = 0; i < n; ++i) {
            const Line line{Alpha.col(i).data(), beta.data(), cv.data(), K, y};
            if (!eps_only) {
              SmoothLineOut out;
              out.I0 = I0.col(i).data();
              out.I1 = I1.col(i).data();
              out.eg = egsum.data();
              out.H = opt.gg ? H.data() + std::size_t(i) * nq * K : nullptr;
              smooth_line(p_.activation, p_.loss, line, rules, &out);
              loss += out.loss;
            }
            if (opt.eps) eps += smooth_line_eps(p_.activation, line, ssc);
          }
          if (opt.gg) GGc.noalias() += H * H.transpose();
        }
        if (opt.drift) {
          EGu.noalias() += I0.leftCols(n) * B.transpose();
          I0sum += I0.leftCols(n).rowwise().sum();
          I1sum += I1.leftCols(n).rowwise().sum();
        }
      }
      if (relu && opt.gg) GGc = GGc.selfadjointView<Eigen::Upper>();
      XgmMoments& S = (*sums)[std::size_t(r)];
      const double pc = c.p;
      if (opt.eps) S.eps += pc * eps;
      if (opt.loss) S.loss += pc * loss;
      if (opt.gg) S.GG += pc * GGc;
      if (!opt.drift) continue;
      // sum_i G_k u_i = c_K v_k sum_i (I0_ki b_i + I1_ki w); the first D components are xi, the rest z.
      const Eigen::MatrixXd EGuc = cv.asDiagonal() * (EGu + I1sum * w.transpose());
      const Eigen::VectorXd EG = cv.cwiseProduct(I0sum);
      S.dr += pc * (EG * c.centre.transpose() + p_.sigma * EGuc.leftCols(D));
      S.Gz += pc * EGuc.rightCols(K);
      S.eg += pc * egsum;
    }
  }
}

const LineRules* XgmGauss::loss_rules(const XgmOverlaps& o, const Eigen::MatrixXd& A, const ObserveOptions& request,
                                      double* loss_node) const {
  // The loss by quadrature along the lines (smooth activations, logistic loss): its quadrature error is the
  // change from n to 2n nodes on the first lines of every replicate (a systematic error, so a few lines show
  // it); with the nodes chosen automatically they double until that is at most a quarter of the tolerance.
  const LinePoints& points = obs_;
  const LineRules* rules = rules_;
  PassOptions lo;
  lo.loss = true;
  lo.lower_triangular = request.lower_triangular;
  lo.count = std::min(kFirstObservableLines, points.n);
  std::vector<XgmMoments> a(kReplicates, zero_moments(p_.K, p_.D)), b = a;
  lines_pass(points, o, A, lo, *rules, &a);
  for (;;) {
    const LineRules& finer = line_rules(2 * rules->nodes());
    b.assign(kReplicates, zero_moments(p_.K, p_.D));
    lines_pass(points, o, A, lo, finer, &b);
    std::vector<double> d(kReplicates), l(kReplicates);
    for (int r = 0; r < kReplicates; ++r) {
      d[std::size_t(r)] = b[std::size_t(r)].loss - a[std::size_t(r)].loss;
      l[std::size_t(r)] = a[std::size_t(r)].loss;
    }
    double dm, dse, lm, lse;
    replicate_mean(d, lo.count, &dm, &dse);
    replicate_mean(l, lo.count, &lm, &lse);
    *loss_node = std::hypot(dm, dse);
    if (!p_.nodes_auto || *loss_node <= 0.25 * p_.observable_tol * std::max(1.0, std::fabs(lm)) ||
        rules->nodes() >= kMaxAutoNodes)
      return rules;
    rules = &finer;
    a.swap(b);
  }
}

void XgmGauss::control_variate_eps(const std::vector<CvSums>& cv, const std::vector<std::pair<double, double>>& means,
                                   std::vector<double>* e) const {
  // eps_c = mean(h) - b . (mean(x) - E[x]) with b the least-squares coefficients of h on x over all the
  // cluster's lines (a common b for every replicate; its O(1/lines) bias is far below the tolerance).
  for (int r = 0; r < kReplicates; ++r) (*e)[std::size_t(r)] = 0;
  for (std::size_t ci = 0; ci < p_.clusters.size(); ++ci) {
    CvSums T;
    for (int r = 0; r < kReplicates; ++r) {
      const CvSums& S = cv[ci * kReplicates + std::size_t(r)];
      T.n += S.n;
      T.h += S.h;
      T.x1 += S.x1;
      T.x2 += S.x2;
      T.x11 += S.x11;
      T.x12 += S.x12;
      T.x22 += S.x22;
      T.hx1 += S.hx1;
      T.hx2 += S.hx2;
    }
    const double m1 = T.x1 / T.n, m2 = T.x2 / T.n, mh = T.h / T.n;
    const double c11 = T.x11 / T.n - m1 * m1, c12 = T.x12 / T.n - m1 * m2, c22 = T.x22 / T.n - m2 * m2;
    const double ch1 = T.hx1 / T.n - mh * m1, ch2 = T.hx2 / T.n - mh * m2;
    const double det = c11 * c22 - c12 * c12;
    double b1 = 0, b2 = 0;
    if (det > 1e-12 * (c11 * c22) && det > 0) {
      b1 = (c22 * ch1 - c12 * ch2) / det;
      b2 = (c11 * ch2 - c12 * ch1) / det;
    } else if (c11 > 0) {
      b1 = ch1 / c11;
    }
    const double pc = p_.clusters[ci].p, E1 = means[ci].first, E2 = means[ci].second;
    for (int r = 0; r < kReplicates; ++r) {
      const CvSums& S = cv[ci * kReplicates + std::size_t(r)];
      (*e)[std::size_t(r)] += pc * (S.h - b1 * (S.x1 - S.n * E1) - b2 * (S.x2 - S.n * E2));
    }
  }
}

void XgmGauss::observe_lines(const XgmOverlaps& o, const Eigen::MatrixXd& A, const ObserveOptions& request,
                             XgmMoments* out) const {
  if (obs_.empty()) throw std::logic_error("XgmGauss: observables asked of an instance built without their lines");
  const LinePoints& points = obs_;
  const bool need_loss = request.loss;
  std::vector<XgmMoments> sums(kReplicates, zero_moments(p_.K, p_.D));
  std::vector<CvSums> cv(p_.clusters.size() * kReplicates);
  PassOptions opt;
  opt.eps = true;
  opt.loss = need_loss;
  opt.control_variates = request.cv_means != nullptr;
  opt.lower_triangular = request.lower_triangular;
  double loss_node = 0;
  const LineRules* rules = need_loss && rhs_uses_nodes() ? loss_rules(o, A, request, &loss_node) : rules_;
  int n = p_.observable_tol > 0 ? std::min(kFirstObservableLines, points.n) : points.n;
  opt.count = n;
  lines_pass(points, o, A, opt, *rules, &sums, &cv);
  std::vector<double> e(kReplicates), l(kReplicates);
  for (;;) {
    for (int r = 0; r < kReplicates; ++r) {
      e[std::size_t(r)] = sums[std::size_t(r)].eps;
      l[std::size_t(r)] = sums[std::size_t(r)].loss;
    }
    if (request.cv_means) control_variate_eps(cv, *request.cv_means, &e);
    replicate_mean(e, n, &out->eps, &out->eps_err);
    if (need_loss) replicate_mean(l, n, &out->loss, &out->loss_err);
    const bool met = 2 * out->eps_err <= p_.observable_tol &&
                     (!need_loss || 2 * out->loss_err <= p_.observable_tol * std::max(1.0, std::fabs(out->loss)));
    if (met || n >= points.n) break;
    opt.begin = n;
    opt.count = std::min(n, points.n - n);
    lines_pass(points, o, A, opt, *rules, &sums, &cv);
    n += opt.count;
  }
  out->observable_lines = kReplicates * n;
  if (need_loss) {
    // The lines' doubling above answers for their own error only; the quadrature's is added to the estimate.
    out->loss_node = loss_node;
    out->loss_err = std::hypot(out->loss_err, loss_node);
    out->loss_nodes = rhs_uses_nodes() ? rules->nodes() : 0;
  }
}

void XgmGauss::rhs_lines(const XgmOverlaps& o, const Eigen::MatrixXd& A, PassOptions opt, XgmMoments* out) const {
  const int K = p_.K, D = p_.D;
  const LinePoints& Zd = rhs_.empty() ? obs_ : rhs_;
  opt.count = Zd.n;
  std::vector<XgmMoments> sums(std::size_t(Zd.replicates), zero_moments(K, D));
  lines_pass(Zd, o, A, opt, *rules_, &sums);
  // With replicates (error estimates on request) and quadrature along the lines, the same lines are integrated
  // again with twice the nodes: the change is the quadrature's error estimate.
  const bool node_estimate = Zd.replicates > 1 && rhs_uses_nodes();
  std::vector<XgmMoments> sums2;
  if (node_estimate) {
    std::vector<XgmMoments> fine(std::size_t(Zd.replicates), zero_moments(K, D));
    lines_pass(Zd, o, A, opt, *rules2_, &fine);
    sums2 = difference(fine, sums);
  }
  // The mean and standard error of one quantity, and of its change under twice the nodes, combined.
  auto one = [&](auto get, Eigen::MatrixXd* mean, Eigen::MatrixXd* err, Eigen::MatrixXd* node) {
    replicate_mean(sums, Zd.n, get, mean, err);
    if (!node_estimate) {
      if (rhs_uses_nodes()) node->setConstant(std::numeric_limits<double>::quiet_NaN());
      return;
    }
    Eigen::MatrixXd dm, dse;
    replicate_mean(sums2, Zd.n, get, &dm, &dse);
    *node = (dm.cwiseAbs2() + dse.cwiseAbs2()).cwiseSqrt();
    *err = (err->cwiseAbs2() + node->cwiseAbs2()).cwiseSqrt();
  };
  one([](const XgmMoments& m) -> const Eigen::MatrixXd& { return m.GG; }, &out->GG, &out->GG_err, &out->GG_node);
  if (!opt.drift) return;
  one([](const XgmMoments& m) -> const Eigen::MatrixXd& { return m.dr; }, &out->dr, &out->dr_err, &out->dr_node);
  one([](const XgmMoments& m) -> const Eigen::MatrixXd& { return m.Gz; }, &out->Gz, &out->Gz_err, &out->Gz_node);
  Eigen::MatrixXd eg, eg_err, eg_node = out->eg_node;
  one([](const XgmMoments& m) -> Eigen::MatrixXd { return m.eg; }, &eg, &eg_err, &eg_node);
  out->eg = eg;
  out->eg_err = eg_err;
  out->eg_node = eg_node;
}

bool XgmGauss::expect(const XgmOverlaps& o, double delta, XgmExpectations what, XgmMoments* out) const {
  const int K = p_.K, D = p_.D, M = D + K;
  Eigen::LLT<Eigen::MatrixXd> llt(o.Qp);
  if (llt.info() != Eigen::Success) return false;
  *out = zero_moments(K, D);
  out->L = llt.matrixL();
  Eigen::MatrixXd A(K, M);
  A.leftCols(D) = p_.sigma * o.r;
  A.rightCols(K) = std::sqrt(delta) * out->L;
  // Closed forms (Stein's lemma, xgm_closed.hpp) for the drift, the read-out term and the loss: relu or erf, square
  // loss, and a non-degenerate field covariance (Delta > 0; Qp is positive definite here).
  const bool closed = p_.closed_forms &&
                      (p_.activation == XgmActivation::Relu || p_.activation == XgmActivation::Erf) &&
                      p_.loss == XgmLoss::Square && delta > 0;
  if (closed) return expect_closed(o, delta, A, what, out);
  if (what != XgmExpectations::Observables) {
    PassOptions opt;
    opt.gg = true;
    opt.drift = true;
    rhs_lines(o, A, opt, out);
  }
  if (what != XgmExpectations::Rhs) {
    // eps and the loss depend on the fields only: K dimensions (lambda = mu + chol(A A^T) u) where the field
    // covariance is positive definite, else (Delta = 0 with sigma r of low rank) the D + K dimensions of A.
    Eigen::LLT<Eigen::MatrixXd> fllt(A * A.transpose());
    ObserveOptions request;
    request.loss = true;
    request.lower_triangular = fllt.info() == Eigen::Success;
    if (request.lower_triangular)
      observe_lines(o, fllt.matrixL(), request, out);
    else
      observe_lines(o, A, request, out);
  }
  return true;
}

bool XgmGauss::expect_closed(const XgmOverlaps& o, double delta, const Eigen::MatrixXd& A, XgmExpectations what,
                             XgmMoments* out) const {
  const int K = p_.K;
  const bool dyn = what != XgmExpectations::Observables, observe = what != XgmExpectations::Rhs;
  const bool relu = p_.activation == XgmActivation::Relu;
  // What is left for the lines (GG, eps) depends on the fields only: integrate over lambda = mu + Lc u with
  // Lc = chol(C), u in R^K (the first K coordinates of the points), K instead of D + K dimensions.
  const Eigen::MatrixXd C = A * A.transpose();
  Eigen::LLT<Eigen::MatrixXd> cllt(C);
  if (cllt.info() != Eigen::Success) return false;
  const Eigen::MatrixXd Lc = cllt.matrixL();
  if (dyn) {
    PassOptions opt;
    opt.gg = true;
    opt.lower_triangular = true;
    rhs_lines(o, Lc, opt, out);
  }
  const Eigen::VectorXd cv = p_.cK * o.v;
  Eigen::VectorXd EG, eg;
  Eigen::MatrixXd H;
  double loss = 0, loss_c;
  // relu: the control variates' means per cluster, E[e] = y - sum_k cv_k E[relu(lambda_k)] and E[e^2] = 2 loss_c.
  std::vector<std::pair<double, double>> cv_means;
  for (const auto& c : p_.clusters) {
    const Eigen::VectorXd mu = o.r * c.centre;
    (relu ? xgm_relu_square_closed : xgm_erf_square_closed)(mu, C, cv, c.label, &EG, &H, &eg, &loss_c);
    loss += c.p * loss_c;
    if (observe && relu) {
      double ef = 0;
      for (int k = 0; k < K; ++k) {
        const double sk = std::sqrt(C(k, k)), h = mu(k) / sk;
        ef += cv(k) * (mu(k) * 0.5 * std::erfc(-h / kSqrt2) + sk * phi(h));
      }
      cv_means.emplace_back(c.label - ef, 2 * loss_c);
    }
    if (!dyn) continue;
    // E[G_k xi] = sigma H r (xi enters lambda as sigma r xi), E[G_k z] = sqrt(Delta) H L.
    out->dr += c.p * (EG * c.centre.transpose() + p_.sigma * p_.sigma * (H * o.r));
    out->Gz += (c.p * std::sqrt(delta)) * (H * out->L);
    out->eg += c.p * eg;
  }
  if (observe) {
    ObserveOptions request;  // eps only: the loss has its closed form
    request.lower_triangular = true;
    if (relu && K >= kControlVariateUnits) request.cv_means = &cv_means;
    observe_lines(o, Lc, request, out);
    out->loss = loss;
    out->loss_err = 0;
  }
  return true;
}

void xgm_residual(XgmLoss loss, double y, double f, double* e, double* l) { xgm_detail::residual(loss, y, f, e, l); }

}  // namespace tilt
