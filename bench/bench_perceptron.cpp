// Speed of the perceptron's theory and simulation: the ODE right-hand side, a whole integration (adaptive and
// the classic fixed-step Euler), one SGD step at N = 2000, and the floor under it: drawing the 2N Gaussian
// numbers one step needs.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/config.hpp"
#include "core/rng.hpp"
#include "core/schedule.hpp"
#include "models/builtin.hpp"
#include "models/perceptron/core/perceptron.hpp"
#include "models/perceptron/sim/perceptron_sgd.hpp"
#include "models/perceptron/theory/perceptron_ode.hpp"
#include "theory/integrate.hpp"
#include "theory/run.hpp"

namespace {

const char* kHeadline = R"(
model = "perceptron"
t_max = 12.0
eta = 3.0
[sim]
d = 2000
)";

void BM_PerceptronRhs(benchmark::State& state) {
  const tilt::Config config = tilt::Config::from_text(kHeadline);
  const tilt::PerceptronOde ode(tilt::PerceptronParams::from_config(config));
  std::vector<double> y{2.3, 0.9, 1.1, 2.0, 0.8, 1.0, 1.0, 0.0}, dydt(8);
  for (auto _ : state) {
    ode.rhs(2.0, 1, y.data(), dydt.data());
    benchmark::DoNotOptimize(dydt.data());
    y[0] += 1e-12;  // defeat caching
  }
}
BENCHMARK(BM_PerceptronRhs);

// The headline trajectory (curriculum, t = 0..12, output every 0.25) with a given method.
void integrate_headline(benchmark::State& state, const std::vector<std::string>& overrides) {
  const tilt::Config config = tilt::Config::from_text(kHeadline, overrides);
  tilt::TheoryProblem problem = tilt::make_theory_problem(tilt::resolve(config), 0);
  const tilt::Schedule schedule = tilt::resolve(config).schedule;
  const std::vector<double> times = tilt::resolve(config).output.times();
  const tilt::IntegratorOptions options = tilt::integrator_options(tilt::resolve(config));
  tilt::IntegratorStats stats;
  for (auto _ : state) {
    stats = {};
    benchmark::DoNotOptimize(tilt::integrate(*problem.model, schedule, problem.y0, times, options, &stats));
  }
  state.counters["steps"] = double(stats.steps);
  state.counters["rhs_evals"] = double(stats.evaluations);
}
void BM_PerceptronIntegrationRk45(benchmark::State& s) { integrate_headline(s, {}); }
void BM_PerceptronIntegrationRk45Loose(benchmark::State& s) {
  integrate_headline(s, {"theory.rtol=1e-6", "theory.atol=1e-8"});
}
void BM_PerceptronIntegrationEulerDt001(benchmark::State& s) { integrate_headline(s, {"theory.method=euler"}); }
BENCHMARK(BM_PerceptronIntegrationRk45)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PerceptronIntegrationRk45Loose)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PerceptronIntegrationEulerDt001)->Unit(benchmark::kMicrosecond);

// One online SGD step at N (N relevant + N irrelevant inputs): 2N normals, three dot products, two updates.
void BM_PerceptronSgdStep(benchmark::State& state) {
  const tilt::Config config = tilt::Config::from_text(kHeadline, {"sim.d=" + std::to_string(state.range(0))});
  const tilt::PerceptronParams p = tilt::PerceptronParams::from_config(config);
  tilt::PerceptronSgd sgd(p, tilt::sample_perceptron_weights(p, 1), tilt::Rng(1, tilt::Stream::SgdSamples));
  for (auto _ : state) benchmark::DoNotOptimize(sgd.step_with_coupling(2.0, 0.0));
  state.counters["steps_per_s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PerceptronSgdStep)->Arg(2000);

// The floor: drawing the 2N standard normals of one step (ziggurat, core/rng.hpp).
void BM_DrawGaussiansOfOneStep(benchmark::State& state) {
  tilt::Rng rng(1, tilt::Stream::SgdSamples);
  std::vector<double> x(std::size_t(2 * state.range(0)));
  for (auto _ : state) {
    for (auto& v : x) v = rng.normal();
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["normals_per_s"] =
      benchmark::Counter(double(state.iterations()) * double(x.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DrawGaussiansOfOneStep)->Arg(2000);

}  // namespace

// The models the experiments name (models/builtin.hpp), registered before main runs the benchmarks.
static const bool kModelsRegistered = (tilt::register_builtin_models(), true);

BENCHMARK_MAIN();
