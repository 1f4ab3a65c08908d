#include "theory/models/perceptron_ode.hpp"

#include "theory/models/perceptron_expectations.hpp"

namespace tilt {

// Recipe of docs/models.md section 0 with the update w <- w + (eta/N)(G x - l2 w - gamma (w - w1)):
//   dR/dt   = eta <G u>                       - eta l2 R   - eta gamma (R - R1)
//   dQ_r/dt = 2 eta <G lambda_r> + eta^2 rho_r <G^2>         - 2 eta l2 Q_r - 2 eta gamma (Q_r - C_r)
//   dQ_i/dt = 2 eta <G lambda_i> + eta^2 rho_i Delta <G^2>   - 2 eta l2 Q_i - 2 eta gamma (Q_i - C_i)
//   dC_r/dt = eta <G lambda1_r>                - eta l2 C_r - eta gamma (C_r - Q1_r)
//   dC_i/dt = eta <G lambda1_i>                - eta l2 C_i - eta gamma (C_i - Q1_i)
// with the Stein coefficients a = <dG/dlambda>, b = <dG/du> and the covariances of each field with (lambda, u):
//   lambda_r: (Q_r, R), lambda_i: (Delta Q_i, 0), lambda1_r: (C_r, R1), lambda1_i: (Delta C_i, 0), u: (R, T).
bool PerceptronOde::rhs(double delta, std::size_t phase, const double* y, double* dydt) const {
  const double Q_r = y[0], Q_i = y[1], R = y[2], C_r = y[3], C_i = y[4], Q1_r = y[5], Q1_i = y[6], R1 = y[7];
  PerceptronExpectations e;
  if (!perceptron_expectations(Q_r + delta * Q_i, R, p_.T, &e)) return false;
  const double a = e.dG_dlambda, b = e.dG_du, eta = p_.eta, l2 = p_.l2;
  const double gamma = phase > 0 ? p_.coupling : 0.0;  // consolidation acts only after a switch
  dydt[0] =
      2 * eta * (Q_r * a + R * b) + eta * eta * p_.rho_r * e.G2 - 2 * eta * l2 * Q_r - 2 * eta * gamma * (Q_r - C_r);
  dydt[1] = 2 * eta * delta * Q_i * a + eta * eta * p_.rho_i * delta * e.G2 - 2 * eta * l2 * Q_i -
            2 * eta * gamma * (Q_i - C_i);
  dydt[2] = eta * (R * a + p_.T * b) - eta * l2 * R - eta * gamma * (R - R1);
  dydt[3] = eta * (C_r * a + R1 * b) - eta * l2 * C_r - eta * gamma * (C_r - Q1_r);
  dydt[4] = eta * delta * C_i * a - eta * l2 * C_i - eta * gamma * (C_i - Q1_i);
  dydt[5] = dydt[6] = dydt[7] = 0.0;
  return true;
}

// The anchor becomes the current weights: w1 = w, so C = Q, Q1 = Q, R1 = R.
void PerceptronOde::on_switch(double* y) const {
  y[3] = y[0];
  y[4] = y[1];
  y[5] = y[0];
  y[6] = y[1];
  y[7] = y[2];
}

std::vector<double> PerceptronOde::observe(const double* y) const {
  return perceptron_observables(p_, {y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7]});
}

std::vector<std::string> PerceptronOde::state_names() const {
  return {"Q_r", "Q_i", "R", "C_r", "C_i", "Q1_r", "Q1_i", "R1"};
}

std::vector<double> PerceptronOde::state_of(const PerceptronOverlaps& o) {
  return {o.Q_r, o.Q_i, o.R, o.C_r, o.C_i, o.Q1_r, o.Q1_i, o.R1};
}

}  // namespace tilt
