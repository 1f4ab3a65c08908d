// Speed of `tilt optimize` on the perceptron (docs/optimize.md): one objective of the discrete problem (120 pieces
// of 4 RK4 steps), the same with its adjoint gradient, and one whole optimisation from the shuffled start.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "core/config.hpp"
#include "models/builtin.hpp"
#include "theory/optimize.hpp"
#include "theory/run.hpp"

namespace {

const char* kSetting = R"(
model = "perceptron"
t_max = 12.0
eta = 3.0
[curriculum]
easy = 0.0
hard = 2.0
[theory]
init = "nominal"
[perceptron]
T = 2.0
)";

struct Setting {
  tilt::TheoryProblem theory;
  tilt::ControlProblem problem;
  Setting() {
    tilt::register_builtin_models();
    const tilt::Config config = tilt::Config::from_text(kSetting);
    theory = tilt::make_theory_problem(tilt::resolve(config), 0);
    problem.model = theory.model.get();
    problem.y0 = theory.y0;
    problem.t_max = 12;
    problem.easy = 0;
    problem.hard = 2;
    problem.budget = 0.5;
    const auto columns = problem.model->columns();
    problem.objective = std::size_t(std::find(columns.begin(), columns.end(), "eps_mix") - columns.begin());
  }
};

void BM_OptimizeObjective(benchmark::State& state) {
  const Setting s;
  const tilt::ControlGrid grid;
  const std::vector<double> u(grid.pieces, 0.5);
  for (auto _ : state) benchmark::DoNotOptimize(tilt::control_objective(s.problem, grid, u, {}));
}
BENCHMARK(BM_OptimizeObjective)->Unit(benchmark::kMillisecond);

void BM_OptimizeObjectiveAndAdjointGradient(benchmark::State& state) {
  const Setting s;
  const tilt::ControlGrid grid;
  const std::vector<double> u(grid.pieces, 0.5);
  std::vector<double> g;
  for (auto _ : state) benchmark::DoNotOptimize(tilt::control_objective(s.problem, grid, u, {}, &g));
}
BENCHMARK(BM_OptimizeObjectiveAndAdjointGradient)->Unit(benchmark::kMillisecond);

void BM_OptimizeOneStart(benchmark::State& state) {
  const Setting s;
  tilt::OptimizeOptions options;
  options.starts = 1;
  for (auto _ : state) benchmark::DoNotOptimize(tilt::optimize_curriculum(s.problem, options).objective);
}
BENCHMARK(BM_OptimizeOneStart)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
