// The Dormand-Prince 5(4) Runge-Kutta pair (7 stages, first same as last) with its continuous extension of order 4
// (Shampine 1986, the dense output of DOPRI5 / scipy's RK45): one step and the interpolant inside it.
//
// Order: the step propagates the 5th-order solution (local error O(h^6)); the error estimate is that of the
// embedded 4th-order solution (O(h^5)), which the controller holds below the tolerance; the interpolant
// y(t0 + theta h) has local error O(h^5) for every theta in [0, 1], i.e. the order of the error the controller
// bounds, and costs no extra evaluation. It reproduces y0 at theta = 0 and the step's y1 at theta = 1.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

namespace tilt {

class Dopri5 {
 public:
  // dy/dt at y; false when y is outside the model's domain (the step is then rejected).
  using Rhs = std::function<bool(const double* y, double* dydt)>;
  static constexpr int order = 5;        // propagated solution
  static constexpr int error_order = 4;  // embedded solution whose error is estimated (exponent 1/5)
  static constexpr int dense_order = 4;  // continuous extension

  explicit Dopri5(std::size_t n);
  std::size_t dimension() const { return n_; }

  // One attempted step of size h from y with k1 = f(y) given: writes the 5th-order y1 and the error estimate
  // err (y1 minus the 4th-order solution) and keeps the stages for dense(). Also computes f(y1) (the next
  // step's k1, first same as last): last_derivative(). Six evaluations. Returns false if an evaluation failed.
  bool step(const Rhs& f, const double* y, const double* k1, double h, double* y1, double* err);
  const double* last_derivative() const { return k_[6].data(); }

  // The continuous extension of the last step (from y0 over h): y(t0 + theta h), theta in [0, 1].
  void dense(const double* y0, double h, double theta, double* out) const;

 private:
  std::size_t n_;
  std::vector<std::vector<double>> k_;  // stages k1..k7
  std::vector<double> tmp_;
};

}  // namespace tilt
