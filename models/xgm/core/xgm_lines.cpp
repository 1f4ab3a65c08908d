// Point sets and quadrature rules of the xgm line quadrature (xgm_lines.hpp, xgm_line_kernels.hpp).
#include "models/xgm/core/xgm_lines.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <Eigen/Eigenvalues>

#include "core/rng.hpp"
#include "models/xgm/core/xgm_line_kernels.hpp"

namespace tilt::xgm_detail {
namespace {

// Jacobi-matrix (Golub-Welsch) nodes and weights: symmetric tridiagonal with zero diagonal and `off`.
void golub_welsch(const Eigen::VectorXd& off, double mass0, Eigen::VectorXd* nodes, Eigen::VectorXd* weights) {
  const int n = int(off.size()) + 1;
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i + 1 < n; ++i) J(i, i + 1) = J(i + 1, i) = off(i);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(J);
  *nodes = es.eigenvalues();
  *weights = mass0 * es.eigenvectors().row(0).transpose().array().square();
}

}  // namespace

LineRules::LineRules(int n) {
  Eigen::VectorXd off(n - 1);
  for (int i = 0; i < n - 1; ++i) off(i) = std::sqrt(double(i + 1));
  golub_welsch(off, 1.0, &gh_s, &gh_w);
  for (int i = 0; i < n - 1; ++i) off(i) = (i + 1) / std::sqrt(4.0 * (i + 1) * (i + 1) - 1);
  golub_welsch(off, 1.0, &gl_s, &gl_w);
  gl_s = 0.5 * (gl_s.array() + 1.0);  // [-1,1] -> [0,1], weights already sum to 1
}

const LineRules& line_rules(int n) {
  static std::mutex mutex;
  static std::map<int, std::unique_ptr<LineRules>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[n];
  if (!slot) slot = std::make_unique<LineRules>(n);
  return *slot;
}

LinePoints::LinePoints(int D, int K, int per_replicate, LinePairing pairing, int copies) {
  const bool antithetic = pairing == LinePairing::Antithetic;
  replicates = copies;
  const int M = D + K;
  n = antithetic ? 2 * ((per_replicate + 1) / 2) : per_replicate;
  const int distinct = antithetic ? n / 2 : n;
  // The same sequence for every replicate, shifted differently: Sobol in the first (up to 40, GSL's limit)
  // coordinates, which carry the most variance where the caller orders them so, Halton in the rest.
  const int ms = std::min(M, 40), mh = M - ms;
  gsl_qrng* q = gsl_qrng_alloc(gsl_qrng_sobol, unsigned(ms));
  gsl_qrng* h = mh > 0 ? gsl_qrng_alloc(gsl_qrng_halton, unsigned(mh)) : nullptr;
  std::vector<double> u(std::size_t(M) * distinct);
  for (int i = 0; i < distinct; ++i) {
    gsl_qrng_get(q, u.data() + std::size_t(i) * M);
    if (h) gsl_qrng_get(h, u.data() + std::size_t(i) * M + ms);
  }
  gsl_qrng_free(q);
  if (h) gsl_qrng_free(h);
  Z.resize(M, Eigen::Index(replicates) * n);
  for (int r = 0; r < replicates; ++r) {
    Rng shift_rng(0x7115u, Stream::InitialWeights, 0xC0FFEEu + unsigned(r));
    std::vector<double> shift(M);
    for (auto& s : shift) s = shift_rng.uniform();
    for (int i = 0; i < distinct; ++i) {
      const Eigen::Index col = Eigen::Index(r) * n + (antithetic ? 2 * i : i);
      for (int j = 0; j < M; ++j) {
        double x = u[std::size_t(i) * M + j] + shift[j];
        x -= std::floor(x);
        x = std::min(std::max(x, 1e-17), 1 - 1e-16);
        Z(j, col) = gsl_cdf_ugaussian_Pinv(x);
        if (antithetic) Z(j, col + 1) = j < D ? -Z(j, col) : Z(j, col);
      }
    }
  }
}

}  // namespace tilt::xgm_detail
