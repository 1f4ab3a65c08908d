// The perceptron's order-parameter ODE (docs/models.md section 2) with L2 penalty and elastic consolidation.
// State: Q_r, Q_i, R, C_r, C_i, Q1_r, Q1_i, R1 (see models/perceptron/core/perceptron.hpp).
#pragma once
#include "models/perceptron/core/perceptron.hpp"
#include "theory/ode_model.hpp"

namespace tilt {

class PerceptronOde : public OdeModel {
 public:
  explicit PerceptronOde(PerceptronParams params) : p_(std::move(params)) {}
  std::size_t dimension() const override { return PerceptronOverlaps::size; }
  bool rhs(double difficulty, std::size_t phase, const double* y, double* dydt) const override;
  bool jacobian(double difficulty, std::size_t phase, const double* y, double* J) const override;
  void on_switch(double* y) const override;
  bool anchors_at_switches() const override { return p_.coupling > 0; }
  std::vector<std::string> columns() const override { return perceptron_columns(p_); }
  std::vector<double> observe(const double* y) const override;
  std::vector<std::string> state_names() const override;

  static std::vector<double> state_of(const PerceptronOverlaps& o);

 private:
  PerceptronParams p_;
};

}  // namespace tilt
