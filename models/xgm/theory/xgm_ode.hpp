// The xgm order-parameter ODE (docs/models.md section 3; derivation in docs/theory/xgm.md).
// State: r_k_a (K x D, row-major), Qperp_k_l (k <= l), v_k.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "models/xgm/core/xgm.hpp"
#include "models/xgm/core/xgm_gauss.hpp"
#include "theory/ode_model.hpp"

namespace tilt {

// The accuracy of the right-hand side in one phase at one difficulty (xgm.lines or xgm.nodes = 0): chosen from
// xgm.rhs_tol at the state where the phase starts, fixed for the phase, re-estimated at every output time.
struct XgmRhsAccuracy {
  std::size_t phase = 0;
  double difficulty = 0;
  int lines = 0, nodes = 0;      // per cluster; nodes along each line (0: the line integrals are exact)
  double line_err = 0;           // estimated: 2 standard errors over 8 shifted replicates, max over the components
  double node_err = 0;           // estimated: the change to twice the nodes, max over the components
  double max_line_err = 0;       // the largest of line_err at the choice and at every output time of the phase
  double max_node_err = 0;       // the same for node_err
  int checks = 0;                // output times at which it was re-estimated
  double selection_seconds = 0;  // wall time of the choice and of the checks
};

// The error estimates of one right-hand side, in the units of d(r, Qperp, v)/dt (max over the components).
struct XgmRhsError {
  double lines = 0;  // 2 standard errors over the replicates
  double nodes = 0;  // the quadrature along the lines (0 when exact)
};
XgmRhsError xgm_rhs_error(const XgmParams& p, const XgmMoments& m, double delta);

// Not a pure right-hand side when xgm.lines or xgm.nodes is automatic: the first rhs() call of a phase at a
// difficulty chooses the quadrature's line and node counts at that state (choose(), from xgm.rhs_tol) and caches
// them, with their XgmGauss instance, for the rest of the phase; observe() re-estimates the error of the current
// phase's choice. Why: the choice costs many right-hand sides, and a right-hand side whose accuracy changed with
// the state inside a phase would not be smooth, which the adaptive integrators need. The cache (choices_,
// instances_, phase_) is behind mutex_ because rhs() and observe() are const, and const member functions must be
// safe to call concurrently (the standard library's rule; tilt gives each ensemble member its own model, a program
// using the library may share one). Given the state at the phase start the choice is deterministic. With both keys
// set there is one fixed instance (gauss_) and rhs() is pure.
class XgmOde : public OdeModel {
 public:
  explicit XgmOde(const XgmParams& params);
  std::size_t dimension() const override { return xgm_state_size(p_.K, p_.D); }
  bool rhs(double difficulty, std::size_t phase, const double* y, double* dydt) const override;
  std::vector<std::string> columns() const override { return observer_.columns(); }
  std::vector<double> observe(const double* y) const override;
  std::vector<std::string> state_names() const override { return xgm_state_names(p_.K, p_.D); }
  std::string accuracy_json() const override;
  const XgmParams& params() const { return p_; }
  // The choices made so far, in the order made (empty when xgm.lines and xgm.nodes are both set).
  std::vector<XgmRhsAccuracy> accuracy() const;
  // Chooses lines and nodes at state o and difficulty delta from p.rhs_tol (the procedure of rhs() at a phase
  // start).
  static XgmRhsAccuracy choose(const XgmParams& p, const XgmOverlaps& o, double delta);

 private:
  struct Choice {
    XgmRhsAccuracy accuracy;
    std::shared_ptr<const XgmGauss> gauss;
  };
  // The expectations for (phase, delta): the fixed instance, or the one chosen at this state if new.
  const XgmGauss& gauss_for(std::size_t phase, double delta, const XgmOverlaps& o) const;
  bool automatic() const { return p_.lines_auto || p_.nodes_auto; }

  XgmParams p_;
  std::shared_ptr<const XgmGauss> gauss_;  // xgm.lines and xgm.nodes both set: one instance for the run
  XgmObserver observer_;
  mutable std::mutex mutex_;
  mutable std::vector<Choice> choices_;
  mutable std::map<std::pair<int, int>, std::shared_ptr<const XgmGauss>> instances_;  // by (lines, nodes)
  mutable std::size_t phase_ = 0;  // the phase of the last right-hand side
};

}  // namespace tilt
