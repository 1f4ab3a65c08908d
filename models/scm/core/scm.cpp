#include "models/scm/core/scm.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/QR>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"

namespace tilt {

namespace {

// One row [[x_1, ..., x_n]] of a table key, or `fallback` (n copies) when the table is empty.
Eigen::VectorXd row_key(const Config& c, const std::string& key, int n, double fallback, bool required_size) {
  const auto rows = c.table(key);
  if (rows.empty()) return required_size ? Eigen::VectorXd::Constant(n, fallback) : Eigen::VectorXd();
  if (rows.size() != 1 || int(rows[0].size()) != n)
    throw InputError("key '" + key + "': expected one row of " + std::to_string(n) + " numbers [[x_1, ..., x_" +
                     std::to_string(n) + "]]");
  return Eigen::Map<const Eigen::VectorXd>(rows[0].data(), n);
}

}  // namespace

ScmParams ScmParams::from_config(const Config& c) {
  ScmParams p;
  p.K = int(c.integer("scm.K"));
  p.M = int(c.integer("scm.M"));
  p.activation = parse_activation(c.string("scm.activation"));
  p.train_readout = c.boolean("scm.train_readout");
  p.noise = c.real("scm.noise");
  p.read_training(c);
  p.threads = c.integer("sim.threads") > 0 ? int(c.integer("sim.threads")) : omp_get_num_procs();
  const auto T = c.table("scm.T");
  if (T.empty()) {
    p.T = Eigen::MatrixXd::Identity(p.M, p.M);
  } else {
    p.T.resize(p.M, p.M);
    if (int(T.size()) != p.M) throw InputError("key 'scm.T': expected " + std::to_string(p.M) + " rows (scm.M)");
    for (int m = 0; m < p.M; ++m) {
      if (int(T[m].size()) != p.M)
        throw InputError("key 'scm.T': expected rows of " + std::to_string(p.M) + " numbers");
      for (int n = 0; n < p.M; ++n) p.T(m, n) = T[m][n];
    }
  }
  if (!(p.T - p.T.transpose()).isZero(0) || Eigen::LLT<Eigen::MatrixXd>(p.T).info() != Eigen::Success)
    throw InputError("key 'scm.T': not a symmetric positive-definite matrix; allowed: teacher overlaps w*_m . w*_n");
  p.A = row_key(c, "scm.A", p.M, 1.0, true);
  p.v0 = row_key(c, "scm.v0", p.K, 1.0, false);
  p.readout_init = c.string("scm.readout_init");
  p.readout_init_scale = c.real("scm.readout_init_scale");
  if (p.M > p.d) throw InputError("key 'scm.M' exceeds sim.d: the teacher needs M <= d independent directions");
  return p;
}

Eigen::VectorXd scm_initial_readout(const ScmParams& p, long long seed) {
  if (p.v0.size() == p.K) return p.v0;
  Eigen::VectorXd v(p.K);
  // Its own index of the initial-weight stream, so the draw does not depend on d (sampled and nominal agree).
  Rng rng(std::uint64_t(seed), Stream::InitialWeights, 1);
  for (int k = 0; k < p.K; ++k) {
    if (p.readout_init == "gaussian")
      v[k] = rng.normal();
    else if (p.readout_init == "alternating")
      v[k] = k % 2 ? -1.0 : 1.0;
    else
      v[k] = 1.0;
  }
  return p.readout_init_scale * v;
}

// Teacher: M Gaussian directions, orthonormalised (Householder QR), then mixed by the Cholesky factor L of T, so
// that W* W*^T = L L^T = T exactly up to rounding. Student: i.i.d. N(0, init_scale^2/d) entries.
ScmWeights sample_scm_weights(const ScmParams& p, long long seed) {
  ScmWeights w;
  const Eigen::Index d = p.d;
  Rng teacher_rng(std::uint64_t(seed), Stream::Teacher);
  Eigen::MatrixXd G(d, p.M);
  for (int m = 0; m < p.M; ++m)
    for (Eigen::Index i = 0; i < d; ++i) G(i, m) = teacher_rng.normal();
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(G);
  const Eigen::MatrixXd U = qr.householderQ() * Eigen::MatrixXd::Identity(d, p.M);  // d x M, orthonormal columns
  const Eigen::MatrixXd L = Eigen::LLT<Eigen::MatrixXd>(p.T).matrixL();
  w.teacher = L * U.transpose();

  Rng init_rng(std::uint64_t(seed), Stream::InitialWeights);
  const double scale = p.init_scale / std::sqrt(double(d));
  w.W.resize(p.K, d);
  for (int k = 0; k < p.K; ++k)
    for (Eigen::Index i = 0; i < d; ++i) w.W(k, i) = scale * init_rng.normal();
  w.v = scm_initial_readout(p, seed);
  return w;
}

ScmOverlaps scm_overlaps_of(const ScmWeights& w) { return {w.W * w.W.transpose(), w.W * w.teacher.transpose(), w.v}; }

ScmOverlaps scm_nominal_overlaps(const ScmParams& p, long long seed) {
  return {p.init_scale * p.init_scale * Eigen::MatrixXd::Identity(p.K, p.K), Eigen::MatrixXd::Zero(p.K, p.M),
          scm_initial_readout(p, seed)};
}

double scm_E_g_g(ScmActivation g, double caa, double cab, double cbb) {
  switch (g) {
    case ScmActivation::Erf:
      return (2 / M_PI) * std::asin(cab / std::sqrt((1 + caa) * (1 + cbb)));
    case ScmActivation::Relu: {
      if (!(caa > 0) || !(cbb > 0)) return 0.0;
      const double s = std::sqrt(caa * cbb), rho = std::clamp(cab / s, -1.0, 1.0);
      return s / (2 * M_PI) * (std::sqrt(1 - rho * rho) + (M_PI - std::acos(rho)) * rho);
    }
    case ScmActivation::Linear:
      return cab;
    case ScmActivation::Tanh:
    case ScmActivation::Quadratic:
      break;  // not an scm activation (scm.activation allows erf, relu, linear)
  }
  return 0.0;
}

// eps = 1/2 [A^T I2(T) A - 2 v^T I2(Q, R) A + v^T I2(Q) v], I2(a, b) = E[g(a) g(b)].
double scm_generalisation_error(const ScmParams& p, const ScmOverlaps& o) {
  const auto g = p.activation;
  double tt = 0, st = 0, ss = 0;
  for (int m = 0; m < p.M; ++m)
    for (int n = 0; n < p.M; ++n) tt += p.A[m] * p.A[n] * scm_E_g_g(g, p.T(m, m), p.T(m, n), p.T(n, n));
  for (int k = 0; k < p.K; ++k)
    for (int m = 0; m < p.M; ++m) st += o.v[k] * p.A[m] * scm_E_g_g(g, o.Q(k, k), o.R(k, m), p.T(m, m));
  for (int k = 0; k < p.K; ++k)
    for (int l = 0; l < p.K; ++l) ss += o.v[k] * o.v[l] * scm_E_g_g(g, o.Q(k, k), o.Q(k, l), o.Q(l, l));
  return 0.5 * (tt - 2 * st + ss);
}

std::vector<std::string> scm_columns(const ScmParams& p) {
  std::vector<std::string> c;
  for (int k = 0; k < p.K; ++k)
    for (int l = k; l < p.K; ++l) c.push_back("Q_" + std::to_string(k + 1) + "_" + std::to_string(l + 1));
  for (int k = 0; k < p.K; ++k)
    for (int m = 0; m < p.M; ++m) c.push_back("R_" + std::to_string(k + 1) + "_" + std::to_string(m + 1));
  for (int k = 0; k < p.K; ++k) c.push_back("v_" + std::to_string(k + 1));
  c.push_back("eps");
  return c;
}

std::vector<double> scm_observables(const ScmParams& p, const ScmOverlaps& o) {
  std::vector<double> out;
  out.reserve(std::size_t(p.K * (p.K + 1) / 2 + p.K * p.M + p.K + 1));
  for (int k = 0; k < p.K; ++k)
    for (int l = k; l < p.K; ++l) out.push_back(o.Q(k, l));
  for (int k = 0; k < p.K; ++k)
    for (int m = 0; m < p.M; ++m) out.push_back(o.R(k, m));
  for (int k = 0; k < p.K; ++k) out.push_back(o.v[k]);
  out.push_back(scm_generalisation_error(p, o));
  return out;
}

}  // namespace tilt
