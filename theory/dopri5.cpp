#include "theory/dopri5.hpp"

#include <algorithm>

namespace tilt {
namespace {

// Dormand & Prince (1980), "A family of embedded Runge-Kutta formulae", J. Comp. Appl. Math. 6, 19-26.
// Nodes c = (0, 1/5, 3/10, 4/5, 8/9, 1, 1); the right-hand side is autonomous within a phase, so they do not appear.
constexpr double a21 = 1.0 / 5;
constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729;
constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176, a65 = -5103.0 / 18656;
// 5th-order weights (also the 7th stage's row: k7 = f(y1)).
constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84;
// b - b_hat: the 5th- minus the 4th-order solution, per unit h.
constexpr double e1 = -71.0 / 57600, e3 = 71.0 / 16695, e4 = -71.0 / 1920, e5 = 17253.0 / 339200, e6 = -22.0 / 525,
                 e7 = 1.0 / 40;
// Continuous extension of order 4 (Shampine 1986, "Some practical Runge-Kutta formulas", Math. Comp. 46, 135-150,
// with the optimal c6; the coefficients of scipy.integrate.RK45): y(t0 + theta h) =
// y0 + h sum_i k_i (P[i][0] theta + P[i][1] theta^2 + P[i][2] theta^3 + P[i][3] theta^4).
constexpr double P[7][4] = {
    {1.0, -8048581381.0 / 2820520608, 8663915743.0 / 2820520608, -12715105075.0 / 11282082432},
    {0.0, 0.0, 0.0, 0.0},
    {0.0, 131558114200.0 / 32700410799, -68118460800.0 / 10900136933, 87487479700.0 / 32700410799},
    {0.0, -1754552775.0 / 470086768, 14199869525.0 / 1410260304, -10690763975.0 / 1880347072},
    {0.0, 127303824393.0 / 49829197408, -318862633887.0 / 49829197408, 701980252875.0 / 199316789632},
    {0.0, -282668133.0 / 205662961, 2019193451.0 / 616988883, -1453857185.0 / 822651844},
    {0.0, 40617522.0 / 29380423, -110615467.0 / 29380423, 69997945.0 / 29380423},
};

}  // namespace

Dopri5::Dopri5(std::size_t n) : n_(n), k_(7, std::vector<double>(n)), tmp_(n) {}

bool Dopri5::step(const Rhs& f, const double* y, const double* k1_in, double h, double* y1, double* err) {
  const std::size_t n = n_;
  double* k1 = k_[0].data();
  double *k2 = k_[1].data(), *k3 = k_[2].data(), *k4 = k_[3].data(), *k5 = k_[4].data(), *k6 = k_[5].data(),
         *k7 = k_[6].data();
  double* t = tmp_.data();
  std::copy(k1_in, k1_in + n, k1);
  for (std::size_t i = 0; i < n; ++i) t[i] = y[i] + h * a21 * k1[i];
  if (!f(t, k2)) return false;
  for (std::size_t i = 0; i < n; ++i) t[i] = y[i] + h * (a31 * k1[i] + a32 * k2[i]);
  if (!f(t, k3)) return false;
  for (std::size_t i = 0; i < n; ++i) t[i] = y[i] + h * (a41 * k1[i] + a42 * k2[i] + a43 * k3[i]);
  if (!f(t, k4)) return false;
  for (std::size_t i = 0; i < n; ++i) t[i] = y[i] + h * (a51 * k1[i] + a52 * k2[i] + a53 * k3[i] + a54 * k4[i]);
  if (!f(t, k5)) return false;
  for (std::size_t i = 0; i < n; ++i)
    t[i] = y[i] + h * (a61 * k1[i] + a62 * k2[i] + a63 * k3[i] + a64 * k4[i] + a65 * k5[i]);
  if (!f(t, k6)) return false;
  for (std::size_t i = 0; i < n; ++i)
    y1[i] = y[i] + h * (b1 * k1[i] + b3 * k3[i] + b4 * k4[i] + b5 * k5[i] + b6 * k6[i]);
  if (!f(y1, k7)) return false;
  for (std::size_t i = 0; i < n; ++i)
    err[i] = h * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i]);
  return true;
}

void Dopri5::dense(const double* y0, double h, double theta, double* out) const {
  double w[7];
  for (int s = 0; s < 7; ++s) w[s] = theta * (P[s][0] + theta * (P[s][1] + theta * (P[s][2] + theta * P[s][3])));
  for (std::size_t i = 0; i < n_; ++i) {
    double sum = 0;
    for (int s = 0; s < 7; ++s) sum += w[s] * k_[std::size_t(s)][i];
    out[i] = y0[i] + h * sum;
  }
}

}  // namespace tilt
