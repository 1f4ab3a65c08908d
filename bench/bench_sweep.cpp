// Speed of tilt sweep (issue 13, point 6): points per second of a perceptron theory sweep, on 1 and 2 threads
// (the ratio is the parallel efficiency 1 -> 2 threads), and of the parts of a point. Ranks:
// scripts/sweep_scaling.sh.
#include <benchmark/benchmark.h>

#include "core/progress.hpp"
#include "models/builtin.hpp"
#include "sweep/point.hpp"
#include "sweep/run.hpp"
#include "sweep/schedule.hpp"
#include "sweep/spec.hpp"
#include "theory/run.hpp"

namespace {

// The headline perceptron (examples/perceptron_curriculum.toml) at t_max = 12, one protocol, a grid over
// (Delta_hard, p_E) of `n` x 10 points.
tilt::SweepSpec perceptron_grid(int n) {
  const std::string text =
      "[base]\nmodel = \"perceptron\"\nt_max = 12.0\neta = 3.0\n[base.output]\nevery = 0.25\n[base.sim]\nd = 2000\n"
      "[sweep]\nrun = \"theory\"\n[[axis]]\nkey = \"curriculum.hard\"\nlinear = [0.25, 4, " +
      std::to_string(n) + "]\n[[axis]]\nkey = \"curriculum.easy_fraction\"\nlinear = [0.05, 0.95, 10]\n";
  return tilt::SweepSpec::from_text(text, {}, "<bench>");
}

void BM_PerceptronTheorySweep(benchmark::State& state) {
  const int threads = int(state.range(0));
  tilt::SweepSpec spec = perceptron_grid(20);  // 200 points
  tilt::check_points(spec, threads);
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < spec.points.size(); ++i) order.push_back(i);
  std::vector<double> costs;
  for (const auto& p : spec.points) costs.push_back(p.cost);
  tilt::Progress::set_enabled(false);
  for (auto _ : state) {
    std::size_t done = 0;
    tilt::run_points(
        tilt::Cluster{}, order, costs, threads,
        [&](std::size_t i) { return tilt::run_point(spec, spec.points[i], 1).serialise(); },
        [&](const std::string&) { ++done; });
    benchmark::DoNotOptimize(done);
  }
  state.SetItemsProcessed(state.iterations() * int64_t(spec.points.size()));
  state.counters["points_per_second"] =
      benchmark::Counter(double(state.iterations() * spec.points.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PerceptronTheorySweep)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The checks before the run: every point resolved and checked against the limits (the sweep file's parse
// included).
void BM_SweepCheck(benchmark::State& state) {
  for (auto _ : state) {
    tilt::SweepSpec spec = perceptron_grid(20);
    tilt::check_points(spec, 1);
    benchmark::DoNotOptimize(spec.points.data());
  }
  state.SetItemsProcessed(state.iterations() * 200);
  state.counters["points_per_second"] =
      benchmark::Counter(double(state.iterations() * 200), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SweepCheck)->Unit(benchmark::kMillisecond)->UseRealTime();

// The parts of one point on this thread (CPU time): its experiment resolved from the base and the point's settings
// (done twice per point: in the checks and in the run), and the theory run alone (sampled initial weights and the
// ODE). Their sum against 1 / BM_PerceptronTheorySweep's rate is what the sweep adds around them (scheduling,
// metrics, the JSON of each result).
void BM_PointExperiment(benchmark::State& state) {
  const tilt::SweepSpec spec = perceptron_grid(20);
  std::size_t i = 0;
  for (auto _ : state) {
    const tilt::Config e = spec.experiment(spec.points[i], "curriculum");
    benchmark::DoNotOptimize(&e);
    i = (i + 1) % spec.points.size();
  }
  state.counters["points_per_second"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PointExperiment)->Unit(benchmark::kMicrosecond);

void BM_PointTheory(benchmark::State& state) {
  const tilt::SweepSpec spec = perceptron_grid(20);
  std::vector<tilt::Config> experiments;
  for (const auto& p : spec.points)  // one thread, as run_point gives it
    experiments.push_back(spec.experiment(p, "curriculum", {{"sim.threads", toml::value(std::int64_t(1))}}));
  tilt::Progress::set_enabled(false);
  std::size_t i = 0;
  for (auto _ : state) {
    const tilt::TheoryResult run = tilt::run_theory(tilt::resolve(experiments[i]));
    benchmark::DoNotOptimize(run.members.data());
    i = (i + 1) % experiments.size();
  }
  state.counters["points_per_second"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PointTheory)->Unit(benchmark::kMicrosecond);

}  // namespace

// The models the experiments name (models/builtin.hpp), registered before main runs the benchmarks.
static const bool kModelsRegistered = (tilt::register_builtin_models(), true);

BENCHMARK_MAIN();
