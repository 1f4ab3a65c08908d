// The soft committee machine's order-parameter ODE (docs/models.md section 4; docs/theory/scm.md): Q (upper triangle),
// R and, with a trained read-out, v. The right-hand side runs on OpenMP threads with bit-identical results.
#pragma once
#include <string>
#include <vector>

#include "models/scm/core/scm.hpp"
#include "theory/ode_model.hpp"

namespace tilt {

class ScmOde : public OdeModel {
 public:
  // min_parallel_work: below this many 4-field integrals per evaluation the right-hand side runs on one thread
  // (a parallel region costs microseconds; K = M = 2 needs less than one).
  explicit ScmOde(ScmParams params, long long min_parallel_work = 2048);
  std::size_t dimension() const override { return dim_; }
  // The difficulty and phase are ignored: scm has no curriculum (every protocol gives the same ODE).
  bool rhs(double difficulty, std::size_t phase, const double* y, double* dydt) const override;
  std::vector<std::string> columns() const override { return scm_columns(p_); }
  std::vector<double> observe(const double* y) const override;
  std::vector<std::string> state_names() const override;

  // The same equations with every integral evaluated from its own copied sub-covariance (E_dg_x_g, E_dg_dg_g_g):
  // the path of relu and linear, and for erf a cross-check of the fast path that rhs() takes.
  bool rhs_generic(const double* y, double* dydt) const;

  std::vector<double> state_of(const ScmOverlaps& o) const;
  ScmOverlaps overlaps_of_state(const double* y) const;
  const ScmParams& params() const { return p_; }

 private:
  bool rhs_erf(const double* y, double* dydt) const;
  // The full covariance of (student fields, teacher fields) and the error coefficients c (e = sum_u c_u g(x_u)).
  void unpack(const double* y, std::vector<double>& omega, std::vector<double>& c) const;
  // dQ, dR, dv from <G_k x_p>/v_k (K x n), the eta^2 sums per pair and <e g(lambda_k)>.
  void assemble(const double* y, const std::vector<double>& gx, const std::vector<double>& i4,
                const std::vector<double>& j2, const std::vector<double>& eg, double* dydt) const;

  ScmParams p_;
  long long min_work_;
  std::size_t dim_;
};

}  // namespace tilt
