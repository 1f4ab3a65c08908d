// Model xgm: SGD step against this machine's bound for one step (d Gaussians + two d x K matrix-vector passes),
// the expectation method (closed forms + lines, docs/theory/xgm.md) against plain Monte Carlo with 1e4 samples,
// and one theory trajectory to t = 50.
// Run: build/bench/bench_xgm   (counters: time_per_step = seconds per step, printed with its SI prefix, e.g.
// 25.9us; rhs_error = max abs error over the right-hand side's expectations dr, Gz, GG, eg, eps_error = abs error
// of eps, both against a reference of closed forms + 262144 lines (GG) and 2^20 observable lines (eps))
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>

#include "core/config.hpp"
#include "core/rng.hpp"
#include "core/schedule.hpp"
#include "core/trajectory.hpp"
#include "models/builtin.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/core/xgm_gauss.hpp"
#include "models/xgm/sim/xgm_sgd.hpp"
#include "models/xgm/theory/xgm_ode.hpp"
#include "theory/run.hpp"

namespace {

using namespace tilt;

Config config_for(int K, long long d, int lines = 0, int observable_lines = 65536) {
  return Config::from_text(
      "model = \"xgm\"\neta = 3.0\nt_max = 50.0\n[curriculum]\neasy = 0.1\nhard = 1.0\n"
      "[output]\nevery = 1.0\n[theory]\nrtol = 1e-6\natol = 1e-9\n",
      {"xgm.K=" + std::to_string(K), "sim.d=" + std::to_string(d), "xgm.sigma=0.3",
       "xgm.lines=" + std::to_string(lines), "xgm.observable_lines=" + std::to_string(observable_lines),
       "xgm.diagnostics=false"});
}

// One online SGD step at Delta = 1 (all d coordinates drawn).
void BM_XgmSgdStep(benchmark::State& state) {
  const int K = int(state.range(0));
  const long long d = state.range(1);
  const XgmParams p = XgmParams::from_config(config_for(K, d));
  XgmSgd sgd(p, sample_xgm_weights(p, 1), Rng(2, Stream::SgdSamples));
  for (auto _ : state) benchmark::DoNotOptimize(sgd.step(1.0));
  // Seconds per step (an inverted rate of iterations), printed with its SI prefix and unit, e.g. "25.9us".
  state.counters["time_per_step"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The bound for one step: draw d Gaussians (the same ziggurat), one GEMV (lambda = W x) and one rank-1 update
// (W += g x^T) over the K x d weights.
void BM_XgmStepBound(benchmark::State& state) {
  const int K = int(state.range(0));
  const long long d = state.range(1);
  Eigen::MatrixXd W = Eigen::MatrixXd::Random(K, d) / std::sqrt(double(d));
  Eigen::VectorXd x(d), lam(K), g(K);
  Rng rng(3, Stream::SgdSamples);
  for (auto _ : state) {
    for (long long i = 0; i < d; ++i) x(i) = rng.normal();
    lam.noalias() = W * x;
    g = 1e-6 * lam;
    W.noalias() += g * x.transpose();
    benchmark::DoNotOptimize(W.data());
  }
  // Seconds per step (an inverted rate of iterations), printed with its SI prefix and unit, e.g. "25.9us".
  state.counters["time_per_step"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// A generic mid-training state for the expectation benchmarks.
XgmOverlaps bench_state(const XgmParams& p) {
  XgmOverlaps o = overlaps_of(p, sample_xgm_weights(p, 3));
  Rng rng(5, Stream::Teacher);
  for (int k = 0; k < p.K; ++k)
    for (int a = 0; a < p.D; ++a) o.r(k, a) = 0.7 * rng.normal();
  o.Qp *= 0.6;
  return o;
}

std::vector<double> flat_rhs(const XgmMoments& m) {
  std::vector<double> x(m.dr.data(), m.dr.data() + m.dr.size());
  x.insert(x.end(), m.Gz.data(), m.Gz.data() + m.Gz.size());
  x.insert(x.end(), m.GG.data(), m.GG.data() + m.GG.size());
  x.insert(x.end(), m.eg.data(), m.eg.data() + m.eg.size());
  return x;
}

// Largest absolute error over the right-hand side's expectations.
double rhs_error(const XgmMoments& m, const XgmMoments& ref) {
  const auto a = flat_rhs(m), b = flat_rhs(ref);
  double e = 0;
  for (std::size_t i = 0; i < a.size(); ++i) e = std::max(e, std::fabs(a[i] - b[i]));
  return e;
}

const XgmMoments& reference(int K) {
  static std::map<int, XgmMoments> cache;
  if (!cache.count(K)) {
    const XgmParams p = XgmParams::from_config(config_for(K, 1000, 262144, 1 << 20));
    XgmGauss(p).expect(bench_state(p), 1.0, XgmExpectations::RhsAndObservables, &cache[K]);
  }
  return cache[K];
}

// The right-hand side's expectations (relu, square loss: closed-form drift, lines for GG); lines = 0: default.
void BM_XgmExpectRhs(benchmark::State& state) {
  const int K = int(state.range(0)), lines = int(state.range(1));
  const XgmParams p = XgmParams::from_config(config_for(K, 1000, lines));
  const XgmOverlaps o = bench_state(p);
  const XgmGauss gauss(p, XgmExpectations::Rhs);
  XgmMoments m;
  for (auto _ : state) gauss.expect(o, 1.0, XgmExpectations::Rhs, &m);
  state.counters["lines"] = p.lines;
  state.counters["rhs_error"] = rhs_error(m, reference(K));
}

// The observable eps (observable lines; evaluated at output times only).
void BM_XgmExpectEps(benchmark::State& state) {
  const int K = int(state.range(0)), lines = int(state.range(1));
  const XgmParams p = XgmParams::from_config(config_for(K, 1000, 0, lines));
  const XgmOverlaps o = bench_state(p);
  const XgmGauss gauss(p, XgmExpectations::Observables);
  XgmMoments m;
  for (auto _ : state) gauss.expect(o, 1.0, XgmExpectations::Observables, &m);
  state.counters["eps_error"] = std::fabs(m.eps - reference(K).eps);
}

// The same for erf (square loss: closed-form loss, eps from the roots of y f along each line).
void BM_XgmExpectEpsErf(benchmark::State& state) {
  const int K = int(state.range(0)), lines = int(state.range(1));
  const XgmParams p = XgmParams::from_config(config_for(K, 1000, 0, lines).with({"xgm.activation=erf"}));
  const XgmOverlaps o = bench_state(p);
  const XgmGauss gauss(p, XgmExpectations::Observables);
  XgmMoments m;
  for (auto _ : state) gauss.expect(o, 1.0, XgmExpectations::Observables, &m);
  state.counters["eps"] = m.eps;
}

// Plain Monte Carlo of everything at once (what existing codes do), `samples` per evaluation. Its error is random:
// the counters are its mean over the timed evaluations (each a fresh seed), so "equal accuracy" compares a
// typical Monte Carlo evaluation with the deterministic method's one fixed error.
void BM_XgmExpectMonteCarlo(benchmark::State& state) {
  const int K = int(state.range(0));
  const long long samples = state.range(1);
  const XgmParams p = XgmParams::from_config(config_for(K, 1000));
  const XgmOverlaps o = bench_state(p);
  const XgmMoments& ref = reference(K);
  XgmMoments m, se;
  unsigned long long seed = 1;
  double sum_rhs = 0, sum_eps = 0;
  for (auto _ : state) {
    xgm_moments_mc(p, o, 1.0, samples / 4, seed++, &m, &se);  // samples in total over the 4 clusters
    state.PauseTiming();
    sum_rhs += rhs_error(m, ref);
    sum_eps += std::fabs(m.eps - ref.eps);
    state.ResumeTiming();
  }
  state.counters["rhs_error"] = sum_rhs / double(state.iterations());
  state.counters["eps_error"] = sum_eps / double(state.iterations());
}

// Everything plain Monte Carlo computes, in one call of tilt's method: the right-hand side on `lines` lines
// (drift exact) and eps on `observable_lines` lines. Set against BM_XgmExpectMonteCarlo at 1e4 samples per
// evaluation: the smallest line counts whose rhs_error and eps_error are both at or below Monte Carlo's.
void BM_XgmExpectAll(benchmark::State& state) {
  const int K = int(state.range(0)), lines = int(state.range(1)), observable_lines = int(state.range(2));
  const XgmParams p = XgmParams::from_config(config_for(K, 1000, lines, observable_lines));
  const XgmOverlaps o = bench_state(p);
  const XgmGauss gauss(p);
  XgmMoments m;
  for (auto _ : state) gauss.expect(o, 1.0, XgmExpectations::RhsAndObservables, &m);
  state.counters["rhs_error"] = rhs_error(m, reference(K));
  state.counters["eps_error"] = std::fabs(m.eps - reference(K).eps);
}

void BM_XgmTheoryTrajectory(benchmark::State& state) {
  const int K = int(state.range(0));
  const Config c = config_for(K, 1000);
  for (auto _ : state) {
    const TheoryResult r = run_theory(tilt::resolve(c.with({"sim.threads=1"})));
    state.counters["rhs_evaluations"] = double(r.stats.evaluations);
  }
}

BENCHMARK(BM_XgmSgdStep)->Args({4, 4000})->Args({16, 4000})->Args({64, 4000});
BENCHMARK(BM_XgmStepBound)->Args({4, 4000})->Args({16, 4000})->Args({64, 4000});
BENCHMARK(BM_XgmExpectRhs)
    ->Args({4, 0})
    ->Args({4, 1024})
    ->Args({16, 0})
    ->Args({16, 256})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_XgmExpectEps)
    ->Args({4, 4096})
    ->Args({4, 65536})
    ->Args({16, 4096})
    ->Args({16, 65536})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_XgmExpectEpsErf)->Args({4, 65536})->Args({16, 65536})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_XgmExpectMonteCarlo)
    ->Args({4, 10000})
    ->Args({16, 10000})
    ->Args({64, 10000})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_XgmExpectAll)->ArgsProduct({{4, 16, 64}, {16, 64, 256}, {64, 256, 2048}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_XgmTheoryTrajectory)->Arg(4)->Arg(16)->Arg(64)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

// The models the experiments name (models/builtin.hpp), registered before main runs the benchmarks.
static const bool kModelsRegistered = (tilt::register_builtin_models(), true);

BENCHMARK_MAIN();
