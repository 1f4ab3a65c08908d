// Model `xgm` (docs/models.md section 3): a 2-layer network on an XOR-like Gaussian mixture. Parameters, cluster
// table, initial weights, their order parameters and the observables; shared by theory and simulation.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/activation.hpp"
#include "core/schedule.hpp"
#include "core/training.hpp"

namespace tilt {

class Config;
class XgmGauss;

using XgmActivation = Activation;  // core/activation.hpp: the one enum of the two-layer models
using XgmLoss = TwoLayerLoss;      // core/training.hpp: the network xgm shares with fmnist

struct XgmCluster {
  Eigen::VectorXd centre;  // m_c in R^D
  double label;            // y_c = +1 or -1
  double p;                // probability
};

// The network (K, activation, loss, c_K, read-out) and its training: TwoLayerNetwork (core/training.hpp).
struct XgmParams : TwoLayerNetwork {
  int D = 2;
  double sigma = 0.0;
  std::vector<XgmCluster> clusters;
  int lines = 1024, nodes = 16;  // accuracy of the Gaussian expectations (models/xgm/core/xgm_gauss.hpp)
  // xgm.lines = 0 / xgm.nodes = 0: the theory chooses them from rhs_tol at the start of every phase (lines and nodes
  // above are then the smallest it uses: the automatic rule max(1024, 16384/K) and 16), and the observables' loss
  // chooses its nodes from observable_tol.
  bool lines_auto = false, nodes_auto = false;
  double rhs_tol = 1e-2;         // the right-hand side's accuracy (absolute, on every component)
  int observable_lines = 65536;  // most lines for eps and the loss (evaluated at output times only)
  double observable_tol = 1e-4;  // eps (and the loss on lines) to two estimated standard errors <= this
  // Not a key: split the right-hand side's lines into 8 shifted replicates, so that dr_err, Gz_err, GG_err, eg_err
  // are estimated (NaN otherwise). One net of p.lines points is more accurate than 8 of p.lines / 8 (measured:
  // the eps curve's shift under tenfold lines, K = 16, 3.1e-5 with one net, 3.6e-4 with replicates).
  bool rhs_error_estimates = false;
  bool closed_forms = true;  // relu + square loss: closed-form drift, read-out term and loss
  bool diagnostics = true;
  TestDistribution test;
  static XgmParams from_config(const Config& config);  // throws InputError on bad cluster tables etc.
};

// The right-hand side's line count before any tolerance (xgm.lines = 0 starts here): max(1024, 16384/K), since the
// eta^2 term scales like c_K^2 = 1/K while a line costs O(K^2); and the node count an automatic choice starts at.
inline int xgm_default_lines(int K) { return K > 16 ? 1024 : 16384 / (K < 1 ? 1 : K); }
constexpr int kXgmDefaultNodes = 16;

// The XOR preset: (+-mu, 0, ...) with y = +1, (0, +-mu, ...) with y = -1, p = 1/4.
std::vector<XgmCluster> xor_clusters(int D, double mu);

// Order parameters: r (K x D, relevant components of w_k), Qp (K x K, irrelevant overlaps), v (K).
struct XgmOverlaps {
  Eigen::MatrixXd r, Qp;
  Eigen::VectorXd v;
};

// Weights: W (K x d), the first D columns are the relevant coordinates; read-out v.
using XgmWeights = TwoLayerWeights;

// Initial weights for `seed` at dimension p.d: w_k i.i.d. N(0, init_scale^2/d); v by readout_init
// (sample_two_layer_weights, core/training.hpp).
inline XgmWeights sample_xgm_weights(const XgmParams& p, long long seed) { return sample_two_layer_weights(p, seed); }
XgmOverlaps overlaps_of(const XgmParams& p, const XgmWeights& w);
// d -> infinity values: r = 0 (the XOR fixed point: the ODE never leaves it), Qp = init_scale^2 I, v of `seed`.
XgmOverlaps nominal_overlaps(const XgmParams& p, long long seed);

// Flat state <-> overlaps: r row-major (r_k_a), upper triangle of Qp (Qperp_k_l, k <= l), v.
std::size_t xgm_state_size(int K, int D);
std::vector<double> xgm_state_of(const XgmOverlaps& o);
XgmOverlaps xgm_overlaps_of_state(int K, int D, const double* y);
std::vector<std::string> xgm_state_names(int K, int D);

// Observables from order parameters (the same function for theory and simulation). Holds the fixed
// quadrature lines, so build it once per trajectory.
class XgmObserver {
 public:
  explicit XgmObserver(XgmParams p);
  ~XgmObserver();
  std::vector<std::string> columns() const;
  std::vector<double> observe(const XgmOverlaps& o) const;

 private:
  XgmParams p_;
  std::unique_ptr<XgmGauss> gauss_;  // built with the observable lines only
};

// Per-unit diagnostics (docs/models.md section 3): relevant alignment |r_k|/sqrt(|r_k|^2 + Qp_kk), and whether
// sign(v_k) equals the label of the centre closest in angle to r_k.
double xgm_alignment(const XgmOverlaps& o, int k);
double xgm_rule_match(const XgmParams& p, const XgmOverlaps& o, int k);

}  // namespace tilt
