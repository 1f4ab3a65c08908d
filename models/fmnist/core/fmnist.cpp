#include "models/fmnist/core/fmnist.hpp"

#include <algorithm>
#include <cmath>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/rng.hpp"

namespace tilt {
namespace {

std::vector<int> classes(const Config& c, const std::string& key) {
  std::vector<int> out;
  for (long long x : c.integers(key)) out.push_back(int(x));
  return out;
}

std::string list(const std::vector<int>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

}  // namespace

FmnistParams FmnistParams::from_config(const Config& c) {
  FmnistParams p;
  p.read_network(c, "fmnist");
  if (p.d != 784)
    throw InputError("key 'sim.d' = " + std::to_string(p.d) +
                     ": model fmnist's inputs are the 28 x 28 = 784 pixels of Fashion-MNIST; allowed: sim.d = 784");
  p.selection.data_dir = c.string("fmnist.data_dir");
  p.selection.positive = classes(c, "fmnist.positive");
  p.selection.negative = classes(c, "fmnist.negative");
  for (int a : p.selection.positive)
    if (std::count(p.selection.negative.begin(), p.selection.negative.end(), a))
      throw InputError("key 'fmnist.negative' = " + list(p.selection.negative) + ": class " + std::to_string(a) +
                       " is also in fmnist.positive = " + list(p.selection.positive) +
                       "; allowed: two disjoint groups of classes 0 to 9");
  p.selection.mask_threshold = c.real("fmnist.mask_threshold");
  p.test_images = c.integer("fmnist.test_images");
  p.test = TestDistribution::from_config(c);
  p.data = load_fmnist(p.selection);
  if (p.data->mask_size == 0) {
    // Hard samples put their noise on the mask: an empty mask makes every Delta > 0 the clean images.
    bool noisy = p.test.easy > 0 || p.test.hard > 0;
    for (const auto& seg : c.table("curriculum.segments"))
      if (seg.size() == 2 && seg[1] > 0) noisy = true;
    if (noisy)
      throw InputError("key 'fmnist.mask_threshold' = " + format_number(p.selection.mask_threshold) +
                       ": no pixel's standard deviation is below it, so the mask is empty and noise of variance "
                       "Delta > 0 has nowhere to go; allowed: a larger threshold (the default 0.05 masks 48 pixels)");
  }
  return p;
}

FmnistTestSet::FmnistTestSet(const FmnistParams& p, long long seed) : p_(&p) {
  const long long all = p.data->test.cols();
  n_ = p.test_images > 0 ? std::min(p.test_images, all) : all;
  const int m = p.data->mask_size;
  noise_.resize(m, n_);
  Rng rng(std::uint64_t(seed), Stream::TestSet);
  for (long long i = 0; i < n_; ++i)
    for (int j = 0; j < m; ++j) noise_(j, i) = float(rng.normal());
}

FmnistTestSet::Errors FmnistTestSet::errors(const TwoLayerWeights& w) const {
  const FmnistData& data = *p_->data;
  const FmnistParams& p = *p_;
  const int m = data.mask_size, K = p.K;
  const double se = std::sqrt(p.test.easy), sh = std::sqrt(p.test.hard);
  double wrong_e = 0, wrong_h = 0, loss_e = 0, loss_h = 0;
  auto account = [&](double f, double y, double& wrong, double& loss) {
    wrong += y * f <= 0 ? 1 : 0;
    loss += p.loss == TwoLayerLoss::Square ? 0.5 * (y - f) * (y - f) : std::log1p(std::exp(-y * f));
  };
  constexpr long long kChunk = 256;  // images per block: their pre-activations in double, W x by one product
  Eigen::MatrixXd x, lam, lam_mask;
  for (long long c0 = 0; c0 < n_; c0 += kChunk) {
    const long long nc = std::min(kChunk, n_ - c0);
    x = data.test.middleCols(c0, nc).cast<double>();
    lam.noalias() = w.W * x;
    lam_mask.noalias() = w.W.rightCols(m) * noise_.middleCols(c0, nc).cast<double>();
    for (long long i = 0; i < nc; ++i) {
      double fe = 0, fh = 0;
      for (int k = 0; k < K; ++k) {
        fe += p.cK * w.v(k) * activation_g(p.activation, lam(k, i) + se * lam_mask(k, i));
        fh += p.cK * w.v(k) * activation_g(p.activation, lam(k, i) + sh * lam_mask(k, i));
      }
      const double y = data.test_label[std::size_t(c0 + i)];
      account(fe, y, wrong_e, loss_e);
      account(fh, y, wrong_h, loss_h);
    }
  }
  const double n = double(n_);
  return {wrong_e / n, wrong_h / n, loss_e / n, loss_h / n};
}

std::vector<std::string> fmnist_columns(const FmnistParams& p) {
  std::vector<std::string> c = {"eps", "eps_easy", "eps_hard", "eps_mix", "loss", "Q_mean", "Qmask_mean"};
  for (int k = 1; k <= p.K; ++k) c.push_back("v_" + std::to_string(k));
  return c;
}

std::vector<double> fmnist_observe(const FmnistParams& p, const FmnistTestSet& test, const TwoLayerWeights& w) {
  const FmnistTestSet::Errors e = test.errors(w);
  const TestDistribution& t = p.test;
  const int m = p.data->mask_size;
  std::vector<double> out = {t.pick(e.eps_easy, e.eps_hard),
                             e.eps_easy,
                             e.eps_hard,
                             t.mix(e.eps_easy, e.eps_hard),
                             t.pick(e.loss_easy, e.loss_hard),
                             w.W.rowwise().squaredNorm().mean(),
                             m > 0 ? w.W.rightCols(m).rowwise().squaredNorm().mean() : 0.0};
  for (int k = 0; k < p.K; ++k) out.push_back(w.v(k));
  return out;
}

}  // namespace tilt
