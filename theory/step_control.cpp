#include "theory/step_control.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "theory/integrate.hpp"

namespace tilt {
namespace {

// Dormand-Prince 5(4) with a PI step-size controller (Hairer & Wanner's DOPRI5: beta = 0.04, exponent
// 1/5 - 0.75 beta (1/5: the estimated error is that of the 4th-order solution), safety 0.9, step ratio in [0.2, 10],
// no increase right after a rejection). Error norm: max_i |err_i| / (atol + rtol max(|y_i|, |y1_i|)), as GSL's
// y-control in the max norm. A step within 1% of the stop is stretched to it (no sliver left before the stop).
class PiControl : public StepControl {
 public:
  explicit PiControl(const IntegratorOptions& o) : rtol_(o.rtol), atol_(o.atol) {}
  void restart() override {
    err_old_ = 1e-4;
    last_rejected_ = false;
  }
  Trial trial(double t, double h, double stop) override {
    proposed_ = h;
    const bool last = t + 1.01 * h >= stop;
    return {last ? stop - t : h, last};
  }
  Verdict judge(const Attempt& a) override {
    const double hs = a.trial.h;
    const double err = a.ok ? norm(a) : NAN;
    if (!(err <= 1.0)) {  // rejected (or an evaluation failed, or the estimate is not finite)
      const double fac = std::isfinite(err) ? std::min(5.0, std::pow(err, expo) / safety) : 2.0;
      last_rejected_ = true;
      return {false, hs / fac};
    }
    const double fac = std::max(0.1, std::min(5.0, std::pow(err, expo) / std::pow(err_old_, beta) / safety));
    double h_next = hs / fac;
    if (last_rejected_) h_next = std::min(h_next, hs);
    if (a.trial.last) h_next = std::max(h_next, proposed_);  // a step shortened to the stop says little
    err_old_ = std::max(err, 1e-4);
    last_rejected_ = false;
    return {true, h_next};
  }

 private:
  static constexpr double beta = 0.04, expo = 0.2 - 0.75 * beta, safety = 0.9;
  double norm(const Attempt& a) const {
    double err = 0;
    for (std::size_t i = 0; i < a.n; ++i)
      err = std::max(err, std::fabs(a.err[i]) / (atol_ + rtol_ * std::max(std::fabs(a.y[i]), std::fabs(a.y1[i]))));
    return err;
  }
  double rtol_, atol_;
  double err_old_ = 1e-4, proposed_ = 0;
  bool last_rejected_ = false;
};

// GSL odeiv2's standard control (gsl_odeiv2_control_standard, written out from its definition in the GSL manual)
// with a_y = 1, a_dydt = 0: D_i = atol + rtol (a_y |y1_i| + a_dydt h |f(y1)_i|), r = max_i |err_i| / D_i (a
// component whose D_i is not a number is skipped, as in GSL); r > 1.1: reject and shrink the step by
// max(0.2, 0.9 r^(-1/q)); r < 0.5: accept and grow it by min(5, max(1, 0.9 r^(-1/(q+1)))); else accept and keep it.
// With gsl_odeiv2_evolve's rules around it: a failed evaluation halves the step; the last step of a phase is cut
// to end at the stop, and the step proposed after it is the one proposed before it (so is the step after any
// step that lands on the stop, if that one was larger).
class StandardControl : public StepControl {
 public:
  StandardControl(const IntegratorOptions& o, int order) : rtol_(o.rtol), atol_(o.atol), order_(order) {}
  void restart() override { fresh_ = true; }
  Trial trial(double t, double h, double stop) override {
    if (fresh_) proposed_ = h;  // the step proposed before the first attempt of this step
    fresh_ = false;
    const double dt = stop - t;
    return h > dt ? Trial{dt, true} : Trial{h, false};
  }
  Verdict judge(const Attempt& a) override {
    const double h = a.trial.h;
    if (!a.ok) return {false, h * 0.5};
    const double r = ratio(a);
    if (r > 1.1) {
      double shrink = S / std::pow(r, 1.0 / order_);
      if (shrink < 0.2) shrink = 0.2;
      return {false, shrink * h};
    }
    double grown = h;
    if (r < 0.5) {
      double grow = S / std::pow(r, 1.0 / (order_ + 1.0));
      if (grow > 5.0) grow = 5.0;
      if (grow < 1.0) grow = 1.0;
      grown = grow * h;
    }
    double h_next = a.trial.last ? proposed_ : grown;
    if (a.at_stop && h_next < proposed_) h_next = proposed_;
    fresh_ = true;
    return {true, h_next};
  }

 private:
  static constexpr double S = 0.9, a_y = 1.0, a_dydt = 0.0;
  double ratio(const Attempt& a) const {
    double r_max = DBL_MIN;
    for (std::size_t i = 0; i < a.n; ++i) {
      const double D0 = rtol_ * (a_y * std::fabs(a.y1[i]) + a_dydt * std::fabs(a.trial.h * a.dydt1[i])) + atol_;
      const double r = std::fabs(a.err[i]) / std::fabs(D0);
      r_max = r > r_max ? r : r_max;  // NaN skipped
    }
    return r_max;
  }
  double rtol_, atol_;
  int order_;
  bool fresh_ = true;
  double proposed_ = 0;
};

// Mixed absolute/relative weights of the error norms: atol + rtol |y|.
double weighted_rms(const std::vector<double>& v, const std::vector<double>& y, double rtol, double atol) {
  double sum = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double r = v[i] / (atol + rtol * std::fabs(y[i]));
    sum += r * r;
  }
  return std::sqrt(sum / double(v.size()));
}

}  // namespace

std::unique_ptr<StepControl> pi_control(const IntegratorOptions& options, int /*order: DOPRI5's exponents*/) {
  return std::make_unique<PiControl>(options);
}

std::unique_ptr<StepControl> standard_control(const IntegratorOptions& options, int order) {
  return std::make_unique<StandardControl>(options, order);
}

// The step whose local error of order `order` is about the tolerance, from |y|, |f(y)| and a finite-difference
// estimate of |f'|. Not finite (an overflowing right-hand side): min_step, and the controller takes it from there.
double initial_step(PhaseRhs& rhs, const std::vector<double>& y, const std::vector<double>& f0, int order,
                    double remaining, const IntegratorOptions& o) {
  const std::size_t n = y.size();
  const double dnf = weighted_rms(f0, y, o.rtol, o.atol), dny = weighted_rms(y, y, o.rtol, o.atol);
  double h = (!(dnf > 1e-5) || !(dny > 1e-5) || !std::isfinite(dnf)) ? 1e-6 : 0.01 * dny / dnf;
  h = std::min(h, remaining);
  std::vector<double> y1(n), f1(n), diff(n);
  for (std::size_t i = 0; i < n; ++i) y1[i] = y[i] + h * f0[i];
  double h1 = 1e-6;
  if (rhs(y1.data(), f1.data())) {
    for (std::size_t i = 0; i < n; ++i) diff[i] = f1[i] - f0[i];
    const double der2 = weighted_rms(diff, y, o.rtol, o.atol) / h;
    const double der12 = std::max(std::fabs(der2), dnf);
    h1 = der12 <= 1e-15 ? std::max(1e-6, h * 1e-3) : std::pow(0.01 / der12, 1.0 / order);
  }
  rhs.clear_failure();
  h = std::min({100 * h, h1, remaining});
  // A guess, not the error control's verdict: never below min_step (the controller rejects it if it must).
  return (h > 0 && std::isfinite(h)) ? std::max(h, std::min(o.min_step, remaining)) : std::min(o.min_step, remaining);
}

}  // namespace tilt
