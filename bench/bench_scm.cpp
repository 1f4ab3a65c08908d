// The soft committee machine against existing practice (issue: "tilt measured against the tools theorists use").
// (a) tilt's adaptive integration (rk45, fast erf right-hand side) against a faithful fixed-step Euler at dt = 0.01
//     of the same equations, integrals evaluated the way the classic codes do (each from its own copied
//     sub-covariance, full loops over k, l and the field pairs), on the same trajectories for K = M = 2, 4, 8, 16;
//     counters: max |eps(t) - eps_ref(t)| on the output grid against rk8pd at rtol 1e-12, steps, evaluations.
// (b) The cost of one right-hand side against K (M = K) up to 64, on 1 and 2 threads.
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <vector>

#include "core/config.hpp"
#include "core/schedule.hpp"
#include "core/trajectory.hpp"
#include "models/builtin.hpp"
#include "models/scm/core/scm.hpp"
#include "models/scm/theory/scm_integrals.hpp"
#include "models/scm/theory/scm_ode.hpp"
#include "theory/integrate.hpp"
#include "theory/run.hpp"

namespace {

// K = M = k from the initial weights of seed 1 at d = 1000, eta = 1, erf, output every 1.
tilt::Config experiment(int k) {
  const double t_max = k <= 4 ? 100.0 : 30.0;  // the classic Euler at K = 16 costs ~13 ms per step
  return tilt::Config::from_text(
      R"(
model = "scm"
seed = 1
eta = 1.0
[curriculum]
protocol = "easy"
[output]
every = 1.0
[sim]
d = 1000
threads = 1
)",
      {"scm.K=" + std::to_string(k), "scm.M=" + std::to_string(k), "t_max=" + std::to_string(t_max)});
}

std::vector<double> eps_column(const tilt::Trajectory& tr) {
  std::vector<double> out;
  for (const auto& row : tr.rows) out.push_back(row[tr.column("eps")]);
  return out;
}

// Reference: rk8pd at rtol 1e-12, atol 1e-14 (cached per K).
const std::vector<double>& reference(int k) {
  static std::map<int, std::vector<double>> cache;
  auto it = cache.find(k);
  if (it != cache.end()) return it->second;
  const tilt::Config c = experiment(k).with({"theory.method=rk8pd", "theory.rtol=1e-12", "theory.atol=1e-14"});
  return cache[k] = eps_column(tilt::run_theory(tilt::resolve(c)).members[0]);
}

double max_deviation(const std::vector<double>& eps, const std::vector<double>& ref) {
  double worst = 0;
  for (std::size_t i = 0; i < eps.size(); ++i) worst = std::max(worst, std::fabs(eps[i] - ref[i]));
  return worst;
}

// (a) tilt: adaptive rk45 at the tolerance of the second argument (rtol = 10^-arg, atol = rtol/100).
void BM_ScmTiltAdaptive(benchmark::State& state) {
  const int k = int(state.range(0));
  const std::string rtol = "1e-" + std::to_string(state.range(1));
  const std::string atol = "1e-" + std::to_string(state.range(1) + 2);
  const tilt::Config c = experiment(k).with({"theory.rtol=" + rtol, "theory.atol=" + atol});
  const std::vector<double>& ref = reference(k);
  const tilt::TheoryProblem problem = tilt::make_theory_problem(tilt::resolve(c), 0);
  const tilt::Schedule schedule = tilt::resolve(c).schedule;
  const std::vector<double> times = tilt::resolve(c).output.times();
  const tilt::IntegratorOptions options = tilt::integrator_options(tilt::resolve(c));
  tilt::IntegratorStats stats;
  tilt::Trajectory tr;
  for (auto _ : state) {
    stats = {};
    tr = tilt::integrate(*problem.model, schedule, problem.y0, times, options, &stats);
  }
  state.counters["max_eps_dev"] = max_deviation(eps_column(tr), ref);
  state.counters["steps"] = double(stats.steps);
  state.counters["rhs_evals"] = double(stats.evaluations);
  state.counters["eps_final"] = eps_column(tr).back();
}

// The classic right-hand side: for every (k, l) of the full K x K matrix and every pair of fields (u, u'), copy
// the 4x4 sub-covariance and evaluate the integral; the same for the 3-field terms. No reuse between integrals.
struct ClassicScm {
  int K, M;
  double eta;
  Eigen::MatrixXd T;
  Eigen::VectorXd A, v;
  void rhs(const Eigen::MatrixXd& Q, const Eigen::MatrixXd& R, Eigen::MatrixXd& dQ, Eigen::MatrixXd& dR) const {
    const int n = K + M;
    Eigen::MatrixXd C(n, n);
    C << Q, R, R.transpose(), T;
    Eigen::VectorXd c(n);
    c << -v, A;
    auto I3 = [&](int a, int b, int d) {
      Eigen::Matrix3d S;
      const int idx[3] = {a, b, d};
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) S(i, j) = C(idx[i], idx[j]);
      return tilt::scm::E_dg_x_g(tilt::ScmActivation::Erf, S);
    };
    auto I4 = [&](int a, int b, int d, int e) {
      Eigen::Matrix4d S;
      const int idx[4] = {a, b, d, e};
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) S(i, j) = C(idx[i], idx[j]);
      return tilt::scm::E_dg_dg_g_g(tilt::ScmActivation::Erf, S);
    };
    for (int i = 0; i < K; ++i) {
      for (int m = 0; m < M; ++m) {
        double s = 0;
        for (int u = 0; u < n; ++u) s += c[u] * I3(i, K + m, u);
        dR(i, m) = eta * v[i] * s;
      }
      for (int k = 0; k < K; ++k) {
        double s = 0;
        for (int u = 0; u < n; ++u) s += c[u] * (v[i] * I3(i, k, u) + v[k] * I3(k, i, u));
        double s4 = 0;
        for (int u = 0; u < n; ++u)
          for (int w = 0; w < n; ++w) s4 += c[u] * c[w] * I4(i, k, u, w);
        dQ(i, k) = eta * s + eta * eta * v[i] * v[k] * s4;
      }
    }
  }
};

// (a) The classic codes' integration: explicit Euler at dt = 0.01 of the classic right-hand side.
void BM_ScmClassicEuler(benchmark::State& state) {
  const int k = int(state.range(0));
  const tilt::Config c = experiment(k);
  const std::vector<double>& ref = reference(k);
  const tilt::ScmParams p = tilt::ScmParams::from_config(c);
  const tilt::ScmOverlaps o0 = tilt::scm_overlaps_of(tilt::sample_scm_weights(p, c.integer("seed")));
  const ClassicScm classic{p.K, p.M, p.eta, p.T, p.A, o0.v};
  const double dt = 0.01, t_max = c.real("t_max");
  const long long steps = std::llround(t_max / dt), every = std::llround(1.0 / dt);
  std::vector<double> eps;
  for (auto _ : state) {
    eps.clear();
    tilt::ScmOverlaps o = o0;
    Eigen::MatrixXd dQ(p.K, p.K), dR(p.K, p.M);
    eps.push_back(tilt::scm_generalisation_error(p, o));
    for (long long s = 1; s <= steps; ++s) {
      classic.rhs(o.Q, o.R, dQ, dR);
      o.Q += dt * dQ;
      o.R += dt * dR;
      if (s % every == 0) eps.push_back(tilt::scm_generalisation_error(p, o));
    }
  }
  state.counters["max_eps_dev"] = max_deviation(eps, ref);
  state.counters["steps"] = double(steps);
  state.counters["rhs_evals"] = double(steps);
  state.counters["eps_final"] = eps.back();
}

BENCHMARK(BM_ScmClassicEuler)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ScmTiltAdaptive)->ArgsProduct({{2, 4, 8, 16}, {3, 4, 6, 8}})->Unit(benchmark::kMillisecond);

// (b) One right-hand side at K = M = k on `threads` threads, from a specialising state (seed 1, d = 1000).
void BM_ScmRhs(benchmark::State& state) {
  const int k = int(state.range(0));
  tilt::ScmParams p = tilt::ScmParams::from_config(experiment(k));
  const tilt::ScmOverlaps o = tilt::scm_overlaps_of(tilt::sample_scm_weights(p, 1));
  p.v0 = o.v;
  p.threads = int(state.range(1));
  const tilt::ScmOde ode(p);
  std::vector<double> y = ode.state_of(o), dydt(ode.dimension());
  for (auto _ : state) {
    benchmark::DoNotOptimize(ode.rhs(0, 0, y.data(), dydt.data()));
    benchmark::DoNotOptimize(dydt.data());
  }
  state.counters["four_field_integrals"] = double(k * (k + 1) / 2) * double(2 * k) * double(2 * k + 1) / 2;
}
BENCHMARK(BM_ScmRhs)->ArgsProduct({{2, 4, 8, 16, 32, 64}, {1, 2}})->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

// The models the experiments name (models/builtin.hpp), registered before main runs the benchmarks.
static const bool kModelsRegistered = (tilt::register_builtin_models(), true);

BENCHMARK_MAIN();
