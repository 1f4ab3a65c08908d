// The geometry of the xgm line quadrature (docs/theory/xgm.md, "Lines"): the fixed point sets whose lines
// u = b + s w carry the expectations, in independently shifted replicates so that every line average comes with
// an error estimate, and the smoothing direction w. The kernels along one line are in xgm_line_kernels.hpp.
#pragma once
#include <Eigen/Core>

namespace tilt::xgm_detail {

// Independent randomisations of one point set: the spread of their estimates is the error estimate.
constexpr int kReplicates = 8;

// The points as drawn (Plain) or in antithetic pairs (see LinePoints).
enum class LinePairing { Plain, Antithetic };

// kReplicates copies of the first n points of one low-discrepancy sequence in dimension D + K (Sobol up to
// dimension 40, else Halton), each with its own Cranley-Patterson shift (fixed seeds) and mapped to standard
// normals. Replicate r holds columns [r n, (r + 1) n); within a replicate the first 2^j points form a net, so any
// prefix of a replicate is a smaller replicate of the same kind (the observables double their lines this way).
// LinePairing::Antithetic (the right-hand side's set): adjacent columns (xi, z), (-xi, z) share a point, so that
// E[G xi] vanishes exactly where the fields do not depend on xi (r = 0: the XOR fixed point stays exact on lines).
struct LinePoints {
  LinePoints() = default;
  LinePoints(int D, int K, int per_replicate, LinePairing pairing, int replicates = kReplicates);
  // The columns [begin, begin + count) of replicate r.
  Eigen::Block<const Eigen::MatrixXd> columns(int r, int begin, int count) const {
    return Eigen::Block<const Eigen::MatrixXd>(Z, 0, Eigen::Index(r) * n + begin, Z.rows(), count);
  }
  bool empty() const { return n == 0; }
  Eigen::MatrixXd Z;  // (D + K) x (replicates n)
  int n = 0;          // points per replicate
  int replicates = 0;
};

}  // namespace tilt::xgm_detail
