// SGD draws each sample's difficulty from all the components of its phase's mixture (issue 29, point 5): the draw
// of sim/online.hpp on a recording trainer (frequencies, the exact stream it consumes, unchanged consumption for
// one and two components), and an SGD ensemble of the test-only linear model (tests/linear_model.hpp) over a
// three-component mixture against the ODE, which averages the right-hand side over all components.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/mixture.hpp"
#include "core/model.hpp"
#include "core/rng.hpp"
#include "core/schedule.hpp"
#include "linear_model.hpp"
#include "sim/online.hpp"
#include "support.hpp"
#include "theory/integrate.hpp"
#include "theory/run.hpp"

namespace {

using tilt::Component;
using tilt::Phase;
using tilt::Rng;
using tilt::Schedule;
using tilt::Stream;

// The Trainer of sim/online.hpp reduced to what the draw touches: it records each step's difficulty and phase and
// counts the uniform draws it hands out.
struct RecordingTrainer {
  Rng rng{3, Stream::SgdSamples};
  std::vector<double> deltas;
  std::vector<std::size_t> phases;
  long long uniforms = 0;
  std::vector<std::string> columns() const { return {"x"}; }
  std::vector<double> observe() const { return {0.0}; }
  double largest_order_parameter() const { return 0.0; }
  void on_switch() {}
  double step(double delta, std::size_t phase) {
    deltas.push_back(delta);
    phases.push_back(phase);
    return 0.0;
  }
  double uniform() {
    ++uniforms;
    return rng.uniform();
  }
};

// 30000 steps (d = 1000, t = 30) over one phase of three components: every step costs one uniform; the difficulty
// of step n is the one the n-th uniform of the same stream selects (replayed here with the thresholds written out:
// [0, 0.2) -> 1, [0.2, 0.5) -> 2, [0.5, 1) -> 3); and the counts fit the weights (chi-square, 2 degrees of freedom,
// below 13.8 = its 0.999 quantile). The old two-component draw never gives 3 and fails all three.
TEST(MixtureDraw, EveryComponentIsDrawnWithItsWeight) {
  const Schedule schedule({{0, 30, {{0.2, 1.0}, {0.3, 2.0}, {0.5, 3.0}}}});
  RecordingTrainer trainer;
  tilt::run_online(trainer, schedule, {0.0, 30.0}, 1000, 1e8);
  ASSERT_EQ(trainer.deltas.size(), 30000u);
  EXPECT_EQ(trainer.uniforms, 30000);
  Rng replay(3, Stream::SgdSamples);
  std::size_t mismatches = 0;
  double counts[3] = {0, 0, 0};
  for (double delta : trainer.deltas) {
    const double u = replay.uniform();
    const double want = u < 0.2 ? 1.0 : u < 0.5 ? 2.0 : 3.0;
    mismatches += delta != want;
    if (delta == 1.0 || delta == 2.0 || delta == 3.0) counts[int(delta) - 1] += 1;
  }
  EXPECT_EQ(mismatches, 0u);
  const double weights[3] = {0.2, 0.3, 0.5};
  double chi2 = 0;
  for (int c = 0; c < 3; ++c) chi2 += std::pow(counts[c] - 30000 * weights[c], 2) / (30000 * weights[c]);
  std::printf("counts %.0f %.0f %.0f, chi^2 = %.2f (2 dof)\n", counts[0], counts[1], counts[2], chi2);
  EXPECT_LT(chi2, 13.8);
}

// Outputs stay bit-identical for the schedules the configuration expresses: a single difficulty draws no uniform,
// a two-component mixture one per step, its first component exactly when u < w_0 (the draw before issue 29). A
// schedule of a single phase, then a two-component one, then four components (weights summing to 1 - 2^-52: the
// last component takes what rounding leaves).
TEST(MixtureDraw, OneAndTwoComponentsConsumeTheStreamAsBefore) {
  const double w4 = 0.25 - 0x1.0p-52;
  const Schedule schedule({{0, 1, {{1.0, 0.5}}},
                           {1, 2, {{0.7, 0.0}, {0.3, 4.0}}},
                           {2, 3, {{0.25, 1.0}, {0.25, 2.0}, {0.25, 3.0}, {w4, 4.0}}}});
  RecordingTrainer trainer;
  tilt::run_online(trainer, schedule, {0.0, 3.0}, 2000, 1e8);
  ASSERT_EQ(trainer.deltas.size(), 6000u);
  EXPECT_EQ(trainer.uniforms, 4000);  // none in the first phase
  Rng replay(3, Stream::SgdSamples);
  std::size_t wrong[3] = {0, 0, 0};
  double last_four = 0;
  for (std::size_t n = 0; n < 6000; ++n) {
    const std::size_t phase = trainer.phases[n];
    const double delta = trainer.deltas[n];
    if (phase == 0) {
      wrong[0] += delta != 0.5;
    } else if (phase == 1) {
      wrong[1] += delta != (replay.uniform() < 0.7 ? 0.0 : 4.0);
    } else {
      const double u = replay.uniform();
      wrong[2] += delta != (u < 0.25 ? 1.0 : u < 0.5 ? 2.0 : u < 0.75 ? 3.0 : 4.0);
      last_four += delta == 4.0;
    }
  }
  EXPECT_EQ(wrong[0], 0u);
  EXPECT_EQ(wrong[1], 0u);
  EXPECT_EQ(wrong[2], 0u);
  EXPECT_GT(last_four, 400);  // about 500 of 2000
  // u past the rounded total picks the last component, never one past the end.
  EXPECT_EQ(tilt::pick_component(schedule.phases()[2].mixture, 1 - 0x1.0p-53), 3u);
  EXPECT_EQ(tilt::pick_component(schedule.phases()[0].mixture, 0.99), 0u);
}

void register_mixture_model() {
  static std::once_flag once;
  std::call_once(once, [] { tilt::register_model(tilt::linear_model("linear_mixture")); });
}

// The linear model's dQ/dt carries eta^2 Delta (label noise of variance Delta): over the mixture below the ODE sees
// eta^2 <Delta> = 0.25 x 4.8, a draw from the first two components only 0.25 x 0.8. Sixteen SGD runs from the same
// initial weights (d = 1000) against the ODE from those weights over the same three-component schedule: at each of
// four times the ensemble mean of Q is within 4 standard errors of the ODE (16 members: Student's t with 15 degrees
// of freedom, P(|t| > 4) = 0.0012 per time, below 0.005 for the four), after an allowance for the finite-d term of
// the exact one-step mean: for Gaussian x, E[e^2 |x|^2] = d E[e^2] + 2 |w - w*|^2, so dE[Q]/dt exceeds the ODE's by
// eta^2 (2/d) 2 eps. The old draw puts Q 97 to 203 standard errors off.
TEST(MixtureDraw, ThreeComponentSgdEnsembleFollowsTheOde) {
  register_mixture_model();
  const tilt::Config c = tilt::Config::from_text(
      "model = \"linear_mixture\"\nseed = 11\nt_max = 4.0\neta = 0.5\n[output]\nevery = 1.0\n[theory]\n"
      "rtol = 1e-10\natol = 1e-12\n[sim]\nd = 1000\nseeds = 16\n");
  const Schedule schedule({{0, 4, {{0.2, 0.0}, {0.3, 1.0}, {0.5, 9.0}}}});
  const tilt::ResolvedExperiment e = tilt::resolve(c);
  const std::vector<double> times = e.output.times();
  std::vector<tilt::Trajectory> sgd;
  for (long long m = 0; m < 16; ++m) sgd.push_back(tilt::simulate_linear_over(e, m, schedule));
  tilt::TheoryProblem problem = tilt::make_theory_problem(e, 0);
  tilt::IntegratorOptions options;
  options.rtol = 1e-10;
  options.atol = 1e-12;
  const tilt::Trajectory ode = tilt::integrate(*problem.model, schedule, problem.y0, times, options, nullptr);
  const std::size_t q = ode.column("Q"), eps = ode.column("eps");
  ASSERT_EQ(ode.times.size(), 5u);
  double eps_max = 0;
  for (std::size_t i = 1; i < ode.times.size(); ++i) {
    tilt::testing::MeanSe s;
    for (const auto& tr : sgd) s.add(tr.rows[i][q]);
    // |finite-d drift| <= eta^2 (2/d) 2 eps, integrated over [0, t]; eps bounded by twice its largest output value
    eps_max = std::max({eps_max, ode.rows[i - 1][eps], ode.rows[i][eps]});
    const double allowance = 0.25 * 2.0 / 1000 * 2 * (2 * eps_max) * ode.times[i];
    const double z = (s.mean() - ode.rows[i][q]) / s.se();
    std::printf("t = %g: SGD Q %.5f +- %.5f, ODE %.5f, z = %.2f (allowance %.2g)\n", ode.times[i], s.mean(), s.se(),
                ode.rows[i][q], z, allowance);
    EXPECT_LT(std::fabs(s.mean() - ode.rows[i][q]), 4 * s.se() + allowance) << "t = " << ode.times[i];
  }
}

}  // namespace
