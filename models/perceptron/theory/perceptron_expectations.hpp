// Gaussian expectations of the perceptron's ODE in closed form (derivation: docs/theory/perceptron.md).
// Fields: student lambda ~ N(0, q), teacher u ~ N(0, T), Cov(lambda, u) = R.
// G = (sign(u) - erf(lambda/2)) g'(lambda), g'(lambda) = exp(-lambda^2/4)/sqrt(pi), is minus the loss gradient
// with respect to lambda. By Stein's lemma, for any field z jointly Gaussian with (lambda, u):
//   <G z> = Cov(z, lambda) <dG/dlambda> + Cov(z, u) <dG/du>.
#pragma once

namespace tilt {

struct PerceptronExpectations {
  double dG_dlambda;  // <dG/dlambda> = -2/(pi (2+q)) (1/sqrt(1+q) + R/A),  A = sqrt((2+q) T - R^2)
  double dG_du;       // <dG/du> = <2 delta(u) g'(lambda)> = 2/(pi A)
  double G2;          // <G^2> = 2/(pi^2 sqrt(1+q)) (pi/2 + asin(q/(2+3q)) - 2 asin(R/sqrt((2+3q)((1+q)T - R^2))))
};

// Returns false when (q, R, T) is not a valid covariance (q <= 0 or R^2 > q T, beyond rounding).
bool perceptron_expectations(double q, double R, double T, PerceptronExpectations* out);

}  // namespace tilt
