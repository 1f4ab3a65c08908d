// Model `scm` (docs/models.md section 4), the soft committee machine teacher-student model: parameters, initial weights
// (teacher with exactly the configured overlaps T), their order parameters, and the observables of both twins.
#pragma once
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/activation.hpp"
#include "core/training.hpp"

namespace tilt {

class Config;

using ScmActivation = Activation;  // core/activation.hpp; scm accepts erf (= erf(x/sqrt 2)), relu and linear

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ScmParams : TwoLayerTraining {
  int K = 2, M = 2;  // student and teacher widths
  ScmActivation activation = ScmActivation::Erf;
  bool train_readout = false;
  double noise = 0;    // output-noise variance sigma^2
  Eigen::MatrixXd T;   // teacher overlaps (M x M)
  Eigen::VectorXd A;   // teacher read-out (M)
  Eigen::VectorXd v0;  // initial read-out if given explicitly (scm.v0), else empty
  std::string readout_init = "ones";
  double readout_init_scale = 1;
  int threads = 1;  // OpenMP threads of the ODE's right-hand side (sim.threads, 0 = all cores)
  // Reads and checks [scm] and the shared keys; throws InputError on shapes that do not fit K and M.
  static ScmParams from_config(const Config& config);
};

// Order parameters Q = W W^T (K x K), R = W W*^T (K x M) and the read-out v; T and A live in ScmParams.
struct ScmOverlaps {
  Eigen::MatrixXd Q, R;
  Eigen::VectorXd v;
};

struct ScmWeights {
  RowMatrix W;        // student, K x d (row k = w_k)
  RowMatrix teacher;  // teacher, M x d, teacher * teacher^T = T up to rounding
  Eigen::VectorXd v;  // student read-out
};

// Teacher and student drawn for `seed` at dimension d; the same for theory (init = sampled) and simulation.
ScmWeights sample_scm_weights(const ScmParams& p, long long seed);
ScmOverlaps scm_overlaps_of(const ScmWeights& w);
// d -> infinity values: Q = init_scale^2 I, R = 0 (an exact fixed point of the permutation symmetry: see docs).
ScmOverlaps scm_nominal_overlaps(const ScmParams& p, long long seed);
// The initial read-out for `seed` (v0, ones, alternating, or gaussian from the initial-weight stream after W).
Eigen::VectorXd scm_initial_readout(const ScmParams& p, long long seed);

// E[g(a) g(b)] for zero-mean Gaussian (a, b) with variances caa, cbb and covariance cab (the "I2" of the
// literature). erf(x/sqrt2): (2/pi) asin(cab / sqrt((1+caa)(1+cbb))) (Saad & Solla 1995, eq. (A1)).
// relu: sqrt(caa cbb)/(2 pi) (sqrt(1-rho^2) + (pi - acos rho) rho), rho = cab/sqrt(caa cbb) (Cho & Saul 2009).
// linear: cab.
double scm_E_g_g(ScmActivation g, double caa, double cab, double cbb);

// Generalisation error eps_g = 1/2 <(f - y)^2> over x ~ N(0, I) without output noise.
double scm_generalisation_error(const ScmParams& p, const ScmOverlaps& o);

// Columns: Q_k_l (k <= l), R_k_m, v_k, eps (indices from 1).
std::vector<std::string> scm_columns(const ScmParams& p);
std::vector<double> scm_observables(const ScmParams& p, const ScmOverlaps& o);

}  // namespace tilt
