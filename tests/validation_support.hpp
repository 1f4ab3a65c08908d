// Helpers for the tests of `tilt validate`: the suite's false-alarm rate, and deliberately wrong theories built
// for every member (a wrong learning rate, or one eta^2 term with the wrong sign) to show the tests' power.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/schedule.hpp"
#include "theory/integrate.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"

namespace tilt::testing {

// Every test that asserts agreement runs at alpha = 5e-5; the suite has fewer than 20 of them, so a correct
// theory fails the suite spuriously with probability below 20 * 5e-5 = 1e-3. The sign-flip null needs more
// patterns than 1 / (alpha / 2) to reach that level.
inline std::vector<std::string> strict(std::vector<std::string> set) {
  set.push_back("validate.alpha=5e-5");
  set.push_back("validate.resamples=100000");
  return set;
}

// The rhs of `base` with the eta^2 part of state component `k` negated. The rhs is eta A + eta^2 B in the
// first-layer rate, so with a twin model at 2 eta: eta^2 B = (rhs_2eta - 2 rhs_eta) / 2.
class FlippedEta2 : public OdeModel {
 public:
  FlippedEta2(std::unique_ptr<OdeModel> base, std::unique_ptr<OdeModel> doubled, std::size_t k)
      : base_(std::move(base)), doubled_(std::move(doubled)), k_(k) {}
  std::size_t dimension() const override { return base_->dimension(); }
  bool rhs(double delta, std::size_t phase, const double* y, double* dydt) const override {
    std::vector<double> twin(dimension());
    if (!base_->rhs(delta, phase, y, dydt) || !doubled_->rhs(delta, phase, y, twin.data())) return false;
    dydt[k_] -= twin[k_] - 2 * dydt[k_];
    return true;
  }
  void on_switch(double* y) const override { base_->on_switch(y); }
  std::vector<std::string> columns() const override { return base_->columns(); }
  std::vector<double> observe(const double* y) const override { return base_->observe(y); }
  std::vector<std::string> state_names() const override { return base_->state_names(); }

 private:
  std::unique_ptr<OdeModel> base_, doubled_;
  std::size_t k_;
};

// The theory twin of each simulation member (same initial condition) from a wrong model.
inline std::vector<Trajectory> theory_flipping_eta2(const Config& config, const std::string& component,
                                                    std::size_t members) {
  const Config doubled = config.with({"eta=" + std::to_string(2 * config.real("eta"))});
  std::vector<Trajectory> out;
  for (std::size_t m = 0; m < members; ++m) {
    if (config.boolean("sim.same_init") && m > 0) {  // one shared initial condition: one ODE
      out.push_back(out[0]);
      continue;
    }
    const long long member = (long long)m;
    TheoryProblem p = make_theory_problem(tilt::resolve(config), member),
                  q = make_theory_problem(tilt::resolve(doubled), member);
    const auto names = p.model->state_names();
    std::size_t k = 0;
    while (k < names.size() && names[k] != component) ++k;
    const FlippedEta2 wrong(std::move(p.model), std::move(q.model), k);
    out.push_back(integrate(wrong, tilt::resolve(config).schedule, p.y0, tilt::resolve(config).output.times(),
                            tilt::integrator_options(tilt::resolve(config)), nullptr));
  }
  return out;
}

// The theory twins integrated from the right initial conditions but at another first-layer rate.
inline std::vector<Trajectory> theory_at_eta(const Config& config, double eta, std::size_t members) {
  const Config wrong = config.with({"eta=" + std::to_string(eta)});
  std::vector<Trajectory> out;
  for (std::size_t m = 0; m < members; ++m) {
    if (config.boolean("sim.same_init") && m > 0) {
      out.push_back(out[0]);
      continue;
    }
    TheoryProblem p = make_theory_problem(tilt::resolve(wrong), (long long)m);
    out.push_back(integrate(*p.model, tilt::resolve(wrong).schedule, p.y0, tilt::resolve(wrong).output.times(),
                            tilt::integrator_options(tilt::resolve(wrong)), nullptr));
  }
  return out;
}

}  // namespace tilt::testing
