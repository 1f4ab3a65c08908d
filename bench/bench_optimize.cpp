// Speed of `tilt optimize` (docs/optimize.md). The perceptron: one objective of the discrete problem (120 pieces of
// 4 RK4 steps), the same with its adjoint and with its forward gradient (closed-form and differenced Jacobian
// products), and one whole optimisation from the shuffled start. xgm (K = 4, 8, 16, 64 relu, 256 lines, no
// closed-form Jacobian): the objective and its gradient by the adjoint and by forward sensitivities, 20 pieces.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
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

// The perceptron without its closed-form Jacobian: both methods by central differences.
struct Plain : tilt::OdeModel {
  const tilt::OdeModel& m;
  explicit Plain(const tilt::OdeModel& model) : m(model) {}
  std::size_t dimension() const override { return m.dimension(); }
  bool rhs(double d, std::size_t phase, const double* y, double* f) const override { return m.rhs(d, phase, y, f); }
  std::vector<std::string> columns() const override { return m.columns(); }
  std::vector<double> observe(const double* y) const override { return m.observe(y); }
  std::vector<std::string> state_names() const override { return m.state_names(); }
};

// state.range(0): 0 adjoint, 1 forward; state.range(1): 1 closed-form Jacobian, 0 differenced.
void BM_OptimizeGradientPerceptron(benchmark::State& state) {
  Setting s;
  const Plain plain(*s.problem.model);
  if (state.range(1) == 0) s.problem.model = &plain;
  tilt::ControlGrid grid;
  grid.gradient = state.range(0) == 0 ? tilt::GradientMethod::Adjoint : tilt::GradientMethod::Forward;
  const std::vector<double> u(grid.pieces, 0.5);
  std::vector<double> g;
  for (auto _ : state) benchmark::DoNotOptimize(tilt::control_objective(s.problem, grid, u, {}, &g));
}
BENCHMARK(BM_OptimizeGradientPerceptron)
    ->ArgsProduct({{0, 1}, {1, 0}})
    ->ArgNames({"forward", "closed_form"})
    ->Unit(benchmark::kMillisecond);

struct XgmSetting {
  tilt::TheoryProblem theory;
  tilt::ControlProblem problem;
  explicit XgmSetting(long long K) {
    tilt::register_builtin_models();
    const tilt::Config config = tilt::Config::from_text(R"toml(
model = "xgm"
seed = 1
t_max = 20.0
eta = 1.0
[curriculum]
easy = 0.1
hard = 1.0
[theory]
init = "sampled"
[sim]
d = 1000
[xgm]
activation = "relu"
loss = "square"
readout_scale = "1/sqrt(K)"
train_readout = true
readout_init = "gaussian"
sigma = 0.3
lines = 256
nodes = 16
)toml",
                                                        {"xgm.K=" + std::to_string(K)});
    theory = tilt::make_theory_problem(tilt::resolve(config), 0);
    problem.model = theory.model.get();
    problem.y0 = theory.y0;
    problem.t_max = 20;
    problem.easy = 0.1;
    problem.hard = 1.0;
    problem.budget = 0.5;
    const auto columns = problem.model->columns();
    problem.objective = std::size_t(std::find(columns.begin(), columns.end(), "eps") - columns.begin());
  }
};

// state.range(0): K; state.range(1): 0 objective only, 1 adjoint gradient, 2 forward gradient. 20 pieces, 2 steps.
void BM_OptimizeGradientXgm(benchmark::State& state) {
  const XgmSetting s(state.range(0));
  tilt::ControlGrid grid;
  grid.pieces = 20;
  grid.steps = 2;
  grid.gradient = state.range(1) == 1 ? tilt::GradientMethod::Adjoint : tilt::GradientMethod::Forward;
  std::vector<double> u(grid.pieces);
  for (std::size_t j = 0; j < grid.pieces; ++j) u[j] = j < grid.pieces / 2 ? 0.8 : 0.2;
  std::vector<double> g;
  for (auto _ : state)
    benchmark::DoNotOptimize(tilt::control_objective(s.problem, grid, u, {}, state.range(1) == 0 ? nullptr : &g));
  state.counters["n"] = double(s.problem.model->dimension());
}
BENCHMARK(BM_OptimizeGradientXgm)
    ->ArgsProduct({{4}, {0, 1, 2}})
    ->Args({8, 0})
    ->Args({8, 2})
    ->Args({16, 0})
    ->Args({16, 2})
    ->Args({64, 0})  // the K = 64 gradient takes ~4 CPU-minutes: docs/optimize.md projects it from this
    ->ArgNames({"K", "gradient"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

void BM_OptimizeOneStart(benchmark::State& state) {
  const Setting s;
  tilt::OptimizeOptions options;
  options.starts = 1;
  for (auto _ : state) benchmark::DoNotOptimize(tilt::optimize_curriculum(s.problem, options).objective);
}
BENCHMARK(BM_OptimizeOneStart)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
