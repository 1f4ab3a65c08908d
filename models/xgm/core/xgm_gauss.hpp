// The Gaussian expectations of model xgm (docs/theory/xgm.md): per cluster the K fields are
// lambda = r m_c + A u with u ~ N(0, I_{D+K}) and A = [sigma r, sqrt(Delta) L], L L^T = Qp. What has no closed
// form (xgm_closed.hpp) is an average over fixed quasi-random lines u = b_i + s w (w a state-dependent smoothing
// direction, b_i the projection of fixed Sobol/Halton points; xgm_lines.hpp), integrated exactly in s (relu:
// piecewise-affine f, truncated-normal moments) or by Gauss-Hermite / Gauss-Legendre quadrature
// (xgm_line_kernels.hpp). The lines come in independently shifted replicates, so every line average carries an
// error estimate (the standard error over the replicates). The right-hand side's lines are fixed (a smooth,
// deterministic function of the state); the observables double their lines until their error estimate meets
// xgm.observable_tol. Lives in core because the simulation reports eps and loss from its order parameters too.
#pragma once
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "models/xgm/core/xgm.hpp"
#include "models/xgm/core/xgm_line_kernels.hpp"
#include "models/xgm/core/xgm_lines.hpp"

namespace tilt {

// Averages over the mixture, sum_c p_c E[. | c], with G_k = e c_K v_k g'(lambda_k), e = -dloss/df.
struct XgmMoments {
  Eigen::MatrixXd dr;  // K x D: sum_c p_c (m_c E[G_k] + sigma E[G_k xi])   (dr/dt = eta dr - eta wd r)
  Eigen::MatrixXd Gz;  // K x K: sum_c p_c E[G_k z_b], zeta = L z the irrelevant fields (L = chol(Qp))
  Eigen::MatrixXd GG;  // K x K: sum_c p_c E[G_k G_l]
  Eigen::VectorXd eg;  // K: sum_c p_c E[e g(lambda_k)]
  Eigen::MatrixXd L;   // chol(Qp), lower triangular
  double eps = 0;      // sum_c p_c P[y_c f <= 0 | c]
  double loss = 0;     // test loss: 1/2 (y - f)^2 or log(1 + exp(-y f))
  // Error estimates: the standard error of each line average over the independently shifted replicates of its
  // lines, combined (root sum of squares) with the estimated error of the quadrature along the lines where one is
  // used (the *_node fields below); exactly 0 where a closed form is used. Same shapes as the values.
  Eigen::MatrixXd dr_err, Gz_err, GG_err;
  Eigen::VectorXd eg_err;
  double eps_err = 0, loss_err = 0;
  // The quadrature's error along the lines (Gauss-Hermite for smooth activations, Gauss-Legendre panels for relu
  // with the logistic loss; 0 where the line integrals are exact or closed forms are used): the change of the line
  // average from n to 2n nodes on the same lines, |mean| combined with its standard error over the replicates.
  // Estimated for the right-hand side with XgmParams::rhs_error_estimates (else NaN), and for the loss whenever
  // it is a line average.
  Eigen::MatrixXd dr_node, Gz_node, GG_node;
  Eigen::VectorXd eg_node;
  double loss_node = 0;
  int observable_lines = 0;  // lines per cluster the observables used (all replicates)
  int loss_nodes = 0;        // nodes along each line for the loss when it is a line average (else 0)
};

// Which expectations an XgmGauss prepares lines for, and which one expect() call computes: those of the
// right-hand side (dr, Gz, GG, eg), the observables (eps, loss), or both.
enum class XgmExpectations { Rhs, Observables, RhsAndObservables };

class XgmGauss {
 public:
  // Uses p.K, p.D, p.lines, p.observable_lines, p.observable_tol, p.nodes (p.nodes_auto: the loss's nodes are
  // chosen per evaluation from p.observable_tol), p.closed_forms, the activation, loss, read-out scale, sigma and
  // clusters. `prepare`: Rhs builds the p.lines points, Observables up to p.observable_lines points, both both. A
  // call needing a set that was not built uses the other one.
  explicit XgmGauss(const XgmParams& p, XgmExpectations prepare = XgmExpectations::RhsAndObservables);
  // The expectations `what` at difficulty delta, each with its error estimate. Returns false when Qp is not
  // positive definite (the state left the domain).
  bool expect(const XgmOverlaps& o, double delta, XgmExpectations what, XgmMoments* out) const;
  // Whether the line averages (of the right-hand side, and the loss where it is one) are computed by quadrature
  // along the lines, so that p.nodes matters: every activation but relu, and relu with the logistic loss.
  bool rhs_uses_nodes() const;

 private:
  // What one pass over the lines computes, and on which lines of every replicate.
  struct PassOptions {
    bool gg = false;     // <G_k G_l>
    bool drift = false;  // dr, Gz, eg
    bool eps = false;
    bool loss = false;
    bool control_variates = false;  // relu, square loss: also the per-line int e phi, int e^2 phi (CvSums)
    bool lower_triangular = false;  // A is lower triangular (the fields-only case: A = chol(C))
    int begin = 0, count = 0;       // lines [begin, begin + count) of each replicate
  };
  // Per cluster and replicate, the sums over lines of the error mass h, of the control variates x = (int e phi,
  // int e^2 phi) (known means: closed forms) and of their products (for the regression of h on x).
  struct CvSums {
    double n = 0, h = 0, x1 = 0, x2 = 0, x11 = 0, x12 = 0, x22 = 0, hx1 = 0, hx2 = 0;
    void add(double mass, double e, double ee);  // one line: error mass, int e phi, int e^2 phi
  };
  // What observe_lines computes: eps always, the loss on request; lower_triangular: A = chol(C) (the fields-only
  // case); cv_means (relu, square loss; per cluster E[e], E[e^2] from closed forms): eps by control variates.
  struct ObserveOptions {
    bool loss = false;
    bool lower_triangular = false;
    const std::vector<std::pair<double, double>>* cv_means = nullptr;
  };
  // Adds, for every replicate r, the mixture sums sum_c p_c sum_lines (line integral) to (*sums)[r]; with
  // opt.control_variates also the per-cluster sums to (*cv)[c * kReplicates + r].
  void lines_pass(const xgm_detail::LinePoints& points, const XgmOverlaps& o, const Eigen::MatrixXd& A,
                  const PassOptions& opt, const xgm_detail::LineRules& rules, std::vector<XgmMoments>* sums,
                  std::vector<CvSums>* cv = nullptr) const;
  // The observables on lines, doubling the lines of every replicate until the error estimate meets the tolerance.
  void observe_lines(const XgmOverlaps& o, const Eigen::MatrixXd& A, const ObserveOptions& request,
                     XgmMoments* out) const;
  // The nodes along the lines for the loss (p.nodes, or doubled from there under p.nodes_auto) and, in *loss_node,
  // the quadrature's error estimate at them (request.lower_triangular: A's shape, as for observe_lines).
  const xgm_detail::LineRules* loss_rules(const XgmOverlaps& o, const Eigen::MatrixXd& A, const ObserveOptions& request,
                                          double* loss_node) const;
  // The replicates' eps sums corrected by the control variates (cv: per cluster and replicate).
  void control_variate_eps(const std::vector<CvSums>& cv, const std::vector<std::pair<double, double>>& means,
                           std::vector<double>* e) const;
  // The right-hand side's line averages over lambda = mu + A u: GG, and with opt.drift also dr, Gz, eg, each
  // with its error estimate.
  void rhs_lines(const XgmOverlaps& o, const Eigen::MatrixXd& A, PassOptions opt, XgmMoments* out) const;
  // expect() where the closed forms apply (relu or erf, square loss, Delta > 0): lines only for GG and eps.
  bool expect_closed(const XgmOverlaps& o, double delta, const Eigen::MatrixXd& A, XgmExpectations what,
                     XgmMoments* out) const;
  XgmParams p_;
  xgm_detail::LinePoints rhs_;           // the right-hand side's lines (antithetic)
  xgm_detail::LinePoints obs_;           // the observables' lines (plain, nested)
  const xgm_detail::LineRules* rules_;   // p.nodes nodes
  const xgm_detail::LineRules* rules2_;  // twice as many: the error estimate of the quadrature along the lines
};

// Plain Monte Carlo of the same expectations with `samples` draws per cluster (seeded): the brute-force
// reference of the tests and the baseline of the benchmark. se receives the standard errors.
void xgm_moments_mc(const XgmParams& p, const XgmOverlaps& o, double delta, long long samples, unsigned long long seed,
                    XgmMoments* mean, XgmMoments* se);

// The residual e = -dloss/df and the loss l of one sample with label y and output f, as every expectation here
// uses them (square: e = y - f, l = (y - f)^2/2; logistic: e = y/(1 + exp(y f)), l = log(1 + exp(-y f))).
void xgm_residual(XgmLoss loss, double y, double f, double* e, double* l);

}  // namespace tilt
