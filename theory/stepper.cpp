#include "theory/stepper.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "theory/dopri5.hpp"
#include "theory/step_control.hpp"

namespace tilt {

PhaseRhs::PhaseRhs(const OdeModel& model) : model_(model), n_(model.dimension()), scratch_(n_) {}

void PhaseRhs::set_phase(const Phase& phase, std::size_t index) {
  phase_ = &phase;
  phase_index_ = index;
}

bool PhaseRhs::operator()(const double* y, double* dydt) {
  for (std::size_t i = 0; i < n_; ++i)
    if (!std::isfinite(y[i])) {
      failure_ = "state component " + model_.state_names()[i] + " is not finite";
      return false;
    }
  const auto& mixture = phase_->mixture;
  bool ok = true;
  if (mixture.size() == 1) {
    ok = model_.rhs(mixture[0].difficulty, phase_index_, y, dydt);
  } else {
    std::fill(dydt, dydt + n_, 0.0);
    for (const auto& component : mixture) {
      ok = ok && model_.rhs(component.difficulty, phase_index_, y, scratch_.data());
      for (std::size_t i = 0; i < n_; ++i) dydt[i] += component.weight * scratch_[i];
    }
  }
  evaluations_ += static_cast<long long>(mixture.size());
  if (!ok) failure_ = "the state left the model's domain";
  return ok;
}

namespace {

// PhaseRhs as a GSL system. A failure is GSL_EDOM, not GSL_EBADFUNC: the controller then shortens the step, so a
// too-long trial step is not fatal.
int gsl_rhs(double /*t*/, const double y[], double dydt[], void* params) {
  return (*static_cast<PhaseRhs*>(params))(y, dydt) ? GSL_SUCCESS : GSL_EDOM;
}

struct GslStepDeleter {
  void operator()(gsl_odeiv2_step* p) const { gsl_odeiv2_step_free(p); }
};
using GslStep = std::unique_ptr<gsl_odeiv2_step, GslStepDeleter>;

// The Dormand-Prince 5(4) pair of theory/dopri5.hpp: first same as last (the derivative at the start of a step is
// the last stage of the step before), Shampine's continuous extension of order 4 inside the step.
class Dopri5Stepper : public AdaptiveStepper {
 public:
  explicit Dopri5Stepper(PhaseRhs& rhs)
      : dopri5_(rhs.dimension()),
        k1_(rhs.dimension()),
        f_([&rhs](const double* y, double* dydt) { return rhs(y, dydt); }) {}
  int order() const override { return Dopri5::order; }
  void start(const double* /*y*/, const double* dydt) override { std::copy(dydt, dydt + k1_.size(), k1_.begin()); }
  bool attempt(double /*t*/, const double* y, double h, double* y1, double* err) override {
    return dopri5_.step(f_, y, k1_.data(), h, y1, err);
  }
  const double* end_derivative() const override { return dopri5_.last_derivative(); }
  void accept() override { std::copy(dopri5_.last_derivative(), dopri5_.last_derivative() + k1_.size(), k1_.begin()); }
  bool dense(double t0, const double* y0, double h, double t, double* out) override {
    const double theta = (t - t0) / h;
    if (theta == 0) {
      std::copy(y0, y0 + k1_.size(), out);
    } else {
      dopri5_.dense(y0, h, theta, out);
    }
    return true;
  }

 private:
  Dopri5 dopri5_;
  std::vector<double> k1_;  // f at the start of the next attempt
  Dopri5::Rhs f_;
};

// A GSL odeiv2 stepper (gsl_odeiv2_step_apply) with our control and driving. In adaptive use it is fed as
// gsl_odeiv2_evolve (GSL 2.7) fed it: the derivative at a phase's start is evaluated at its first attempt, and after
// that each step starts from the derivative its predecessor evaluated at its end (every attempt evaluates f(y1)).
// Its continuous extension: one step of the same method from the step's start to the output time (of the method's
// order), on a stepper of its own.
class GslStepper : public AdaptiveStepper, public Stepper {
 public:
  GslStepper(const gsl_odeiv2_step_type* type, PhaseRhs& rhs)
      : n_(rhs.dimension()),
        system_{gsl_rhs, nullptr, n_, &rhs},
        step_(gsl_odeiv2_step_alloc(type, n_)),
        side_(gsl_odeiv2_step_alloc(type, n_)),  // (unused by fixed steps)
        dydt_in_(n_),
        dydt_out_(n_),
        scratch_(n_) {}
  int order() const override { return int(gsl_odeiv2_step_order(step_.get())); }
  bool step(double t, const double* y, double h, double* y1) override {
    std::copy(y, y + n_, y1);
    return gsl_odeiv2_step_apply(step_.get(), t, h, y1, scratch_.data(), nullptr, nullptr, &system_) == GSL_SUCCESS;
  }
  void start(const double* /*y*/, const double* /*dydt*/) override {
    gsl_odeiv2_step_reset(step_.get());
    have_start_ = false;
  }
  bool attempt(double t, const double* y, double h, double* y1, double* err) override {
    if (!have_start_ && gsl_rhs(t, y, dydt_in_.data(), system_.params) != GSL_SUCCESS) return false;
    have_start_ = true;
    std::copy(y, y + n_, y1);
    return gsl_odeiv2_step_apply(step_.get(), t, h, y1, err, dydt_in_.data(), dydt_out_.data(), &system_) ==
           GSL_SUCCESS;
  }
  const double* end_derivative() const override { return dydt_out_.data(); }
  void accept() override { std::copy(dydt_out_.begin(), dydt_out_.end(), dydt_in_.begin()); }
  bool dense(double t0, const double* y0, double /*h*/, double t, double* out) override {
    const double dt = t - t0;
    std::copy(y0, y0 + n_, out);
    if (dt == 0) return true;
    gsl_odeiv2_step_reset(side_.get());
    return gsl_odeiv2_step_apply(side_.get(), t0, dt, out, scratch_.data(), nullptr, nullptr, &system_) == GSL_SUCCESS;
  }

 private:
  std::size_t n_;
  gsl_odeiv2_system system_;
  GslStep step_, side_;
  std::vector<double> dydt_in_, dydt_out_, scratch_;
  bool have_start_ = false;  // dydt_in_ holds f at the start of the current step (false only at a phase's start)
};

// Explicit Euler (fixed steps only, for comparisons).
class EulerStepper : public Stepper {
 public:
  explicit EulerStepper(PhaseRhs& rhs) : rhs_(rhs), dydt_(rhs.dimension()) {}
  int order() const override { return 1; }
  bool step(double /*t*/, const double* y, double h, double* y1) override {
    if (!rhs_(y, dydt_.data())) return false;
    for (std::size_t i = 0; i < dydt_.size(); ++i) y1[i] = y[i] + h * dydt_[i];
    return true;
  }

 private:
  PhaseRhs& rhs_;
  std::vector<double> dydt_;
};

// The methods: a new one is its stepper class above and one row here (and its name in the key registry).
const std::vector<Method> kMethods = {
    {"dopri5", [](PhaseRhs& f) -> std::unique_ptr<AdaptiveStepper> { return std::make_unique<Dopri5Stepper>(f); },
     pi_control, nullptr},
    {"rk45",
     [](PhaseRhs& f) -> std::unique_ptr<AdaptiveStepper> {
       return std::make_unique<GslStepper>(gsl_odeiv2_step_rkf45, f);
     },
     standard_control, nullptr},
    {"rkck",
     [](PhaseRhs& f) -> std::unique_ptr<AdaptiveStepper> {
       return std::make_unique<GslStepper>(gsl_odeiv2_step_rkck, f);
     },
     standard_control, nullptr},
    {"rk8pd",
     [](PhaseRhs& f) -> std::unique_ptr<AdaptiveStepper> {
       return std::make_unique<GslStepper>(gsl_odeiv2_step_rk8pd, f);
     },
     standard_control, nullptr},
    {"rk4", nullptr, nullptr,
     [](PhaseRhs& f) -> std::unique_ptr<Stepper> { return std::make_unique<GslStepper>(gsl_odeiv2_step_rk4, f); }},
    {"euler", nullptr, nullptr,
     [](PhaseRhs& f) -> std::unique_ptr<Stepper> { return std::make_unique<EulerStepper>(f); }},
};

}  // namespace

const std::vector<Method>& integration_methods() { return kMethods; }

const Method& integration_method(const std::string& name) {
  for (const Method& m : kMethods)
    if (name == m.name) return m;
  std::string allowed;
  for (const Method& m : kMethods) allowed += std::string(allowed.empty() ? "" : ", ") + m.name;
  throw InputError("key 'theory.method' = \"" + name + "\": unknown; allowed: " + allowed);
}

}  // namespace tilt
