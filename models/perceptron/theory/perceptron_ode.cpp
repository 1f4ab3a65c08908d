#include "models/perceptron/theory/perceptron_ode.hpp"

#include <algorithm>
#include <cmath>

#include "models/perceptron/theory/perceptron_expectations.hpp"

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

// The Jacobian of rhs() in closed form: a, b and G2 depend on the state through q = Q_r + Delta Q_i and R only,
// so the chain rule needs their partial derivatives in q and R (derived from the closed forms of
// perceptron_expectations.hpp; tested against differences of rhs in tests/test_optimize.cpp).
bool PerceptronOde::jacobian(double delta, std::size_t phase, const double* y, double* J) const {
  const double Q_r = y[0], Q_i = y[1], R = y[2], C_r = y[3], C_i = y[4], R1 = y[7];
  const double q = Q_r + delta * Q_i, T = p_.T;
  PerceptronExpectations e;
  if (!perceptron_expectations(q, R, T, &e)) return false;
  const double A2 = (2 + q) * T - R * R, A = std::sqrt(A2), A_q = T / (2 * A), A_R = -R / A;
  const double s1 = std::sqrt(1 + q), s1_q = 1 / (2 * s1);
  const double inner = 1 / s1 + R / A;  // a = -2/(pi (2+q)) inner
  const double a_q = 2 / (M_PI * (2 + q) * (2 + q)) * inner - 2 / (M_PI * (2 + q)) * (-s1_q / (s1 * s1) - R * A_q / A2);
  const double a_R = -2 / (M_PI * (2 + q)) * (1 / A - R * A_R / A2);
  const double b_q = -2 * A_q / (M_PI * A2), b_R = -2 * A_R / (M_PI * A2);
  // G2 = 2/(pi^2 s1) (pi/2 + B - 2C), B = asin(x), x = q/(2+3q), C = asin(z), z = R / sqrt(D)
  const double x = q / (2 + 3 * q), x_q = 2 / ((2 + 3 * q) * (2 + 3 * q));
  const double B_q = x_q / std::sqrt(1 - x * x);
  const double P = (1 + q) * T - R * R, D = (2 + 3 * q) * P, D_q = 3 * P + (2 + 3 * q) * T, D_R = -2 * R * (2 + 3 * q);
  const double z = R / std::sqrt(D), dz = 1 / std::sqrt(std::max(1e-300, 1 - z * z));
  const double C_q = dz * (-R * D_q / (2 * D * std::sqrt(D))),
               C_R = dz * (1 / std::sqrt(D) - R * D_R / (2 * D * std::sqrt(D)));
  const double k = 2 / (M_PI * M_PI * s1);
  const double G2_q = -s1_q / s1 * e.G2 + k * (B_q - 2 * C_q), G2_R = k * (-2 * C_R);
  const double a = e.dG_dlambda, b = e.dG_du, eta = p_.eta, l2 = p_.l2;
  const double gamma = phase > 0 ? p_.coupling : 0.0;
  const std::size_t n = PerceptronOverlaps::size;
  std::fill(J, J + n * n, 0.0);
  // d/dq and d/dR of each row's a, b, G2 part; q depends on Q_r (1) and Q_i (Delta).
  auto row = [&](std::size_t i, double dq, double dR) {
    J[i * n + 0] += dq;
    J[i * n + 1] += delta * dq;
    J[i * n + 2] += dR;
  };
  // dQ_r = 2 eta (Q_r a + R b) + eta^2 rho_r G2 - 2 eta l2 Q_r - 2 eta gamma (Q_r - C_r)
  row(0, 2 * eta * (Q_r * a_q + R * b_q) + eta * eta * p_.rho_r * G2_q,
      2 * eta * (Q_r * a_R + R * b_R) + eta * eta * p_.rho_r * G2_R);
  J[0 * n + 0] += 2 * eta * a - 2 * eta * l2 - 2 * eta * gamma;
  J[0 * n + 2] += 2 * eta * b;
  J[0 * n + 3] += 2 * eta * gamma;
  // dQ_i = 2 eta Delta Q_i a + eta^2 rho_i Delta G2 - 2 eta l2 Q_i - 2 eta gamma (Q_i - C_i)
  row(1, 2 * eta * delta * Q_i * a_q + eta * eta * p_.rho_i * delta * G2_q,
      2 * eta * delta * Q_i * a_R + eta * eta * p_.rho_i * delta * G2_R);
  J[1 * n + 1] += 2 * eta * delta * a - 2 * eta * l2 - 2 * eta * gamma;
  J[1 * n + 4] += 2 * eta * gamma;
  // dR = eta (R a + T b) - eta l2 R - eta gamma (R - R1)
  row(2, eta * (R * a_q + T * b_q), eta * (R * a_R + T * b_R));
  J[2 * n + 2] += eta * a - eta * l2 - eta * gamma;
  J[2 * n + 7] += eta * gamma;
  // dC_r = eta (C_r a + R1 b) - eta l2 C_r - eta gamma (C_r - Q1_r)
  row(3, eta * (C_r * a_q + R1 * b_q), eta * (C_r * a_R + R1 * b_R));
  J[3 * n + 3] += eta * a - eta * l2 - eta * gamma;
  J[3 * n + 5] += eta * gamma;
  J[3 * n + 7] += eta * b;
  // dC_i = eta Delta C_i a - eta l2 C_i - eta gamma (C_i - Q1_i)
  row(4, eta * delta * C_i * a_q, eta * delta * C_i * a_R);
  J[4 * n + 4] += eta * delta * a - eta * l2 - eta * gamma;
  J[4 * n + 6] += eta * gamma;
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
