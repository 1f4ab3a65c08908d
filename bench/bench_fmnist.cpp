// Model fmnist against xgm at the same d = 784 and K: one SGD step of each (fmnist: an image drawn from the
// training set, converted to double, N(0, Delta) noise on the mask; xgm: a fresh Gaussian sample of d coordinates),
// and fmnist's step split into its parts, the data access with the noise draw alone and the shared update alone
// (sim/two_layer.hpp), so that the data path can be compared with the update it feeds.
// Uses Fashion-MNIST from /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist).
// Run: build/bench/bench_fmnist   (time_per_step = seconds per step, printed with its SI prefix)
#include <benchmark/benchmark.h>

#include <cmath>

#include "core/config.hpp"
#include "core/rng.hpp"
#include "models/builtin.hpp"
#include "models/fmnist/core/fmnist.hpp"
#include "models/fmnist/sim/fmnist_sgd.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/sim/xgm_sgd.hpp"
#include "sim/two_layer.hpp"

namespace {

using namespace tilt;

void per_step(benchmark::State& state) {
  state.counters["time_per_step"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

FmnistParams fmnist_params(int K) {
  register_builtin_models();
  return FmnistParams::from_config(
      Config::from_text("model = \"fmnist\"\neta = 1.0\n[sim]\nd = 784\n[fmnist]\ntest_images = 100\n",
                        {"fmnist.K=" + std::to_string(K)}));
}

// range(0) = K, range(1) = Delta (0: clean images, no noise drawn).
void BM_FmnistSgdStep(benchmark::State& state) {
  const FmnistParams p = fmnist_params(int(state.range(0)));
  FmnistSgd sgd(p, sample_two_layer_weights(p, 1), Rng(2, Stream::SgdSamples), 1);
  const double delta = double(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(sgd.step(delta));
  per_step(state);
}

// xgm at d = 784, Delta = 1 (its irrelevant coordinates drawn: the step xgm runs in a hard phase).
void BM_XgmSgdStep784(benchmark::State& state) {
  register_builtin_models();
  const int K = int(state.range(0));
  const XgmParams p = XgmParams::from_config(
      Config::from_text("model = \"xgm\"\neta = 1.0\n", {"xgm.K=" + std::to_string(K), "sim.d=784", "xgm.sigma=0.3",
                                                         "xgm.diagnostics=false", "xgm.observable_lines=128"}));
  XgmSgd sgd(p, sample_xgm_weights(p, 1), Rng(2, Stream::SgdSamples));
  for (auto _ : state) benchmark::DoNotOptimize(sgd.step(1.0));
  per_step(state);
}

// fmnist's data path alone: the index draw, the image's conversion to double and the mask noise at Delta = 16.
void BM_FmnistSampleOnly(benchmark::State& state) {
  const FmnistParams p = fmnist_params(4);
  const FmnistData& data = *p.data;
  Rng rng(2, Stream::SgdSamples);
  Eigen::VectorXd x(data.d);
  const double sd = 4;
  for (auto _ : state) {
    const long long i = uniform_index(rng, data.train.cols());
    x = data.train.col(i).cast<double>();
    double* tail = x.data() + (data.d - data.mask_size);
    for (int j = 0; j < data.mask_size; ++j) tail[j] += sd * rng.normal();
    benchmark::DoNotOptimize(x.data());
  }
  per_step(state);
}

// The shared update alone, on a fixed sample.
void BM_TwoLayerUpdateOnly(benchmark::State& state) {
  const FmnistParams p = fmnist_params(int(state.range(0)));
  TwoLayerWeights w = sample_two_layer_weights(p, 1);
  TwoLayerWork work(p.K);
  const Eigen::VectorXd x = p.data->train.col(0).cast<double>();
  for (auto _ : state) benchmark::DoNotOptimize(two_layer_step(p, w, {{0, x}}, 1.0, work));
  per_step(state);
}

BENCHMARK(BM_FmnistSgdStep)->ArgsProduct({{4, 16, 64}, {0, 16}});
BENCHMARK(BM_XgmSgdStep784)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK(BM_FmnistSampleOnly);
BENCHMARK(BM_TwoLayerUpdateOnly)->Arg(4)->Arg(16)->Arg(64);

}  // namespace

BENCHMARK_MAIN();
