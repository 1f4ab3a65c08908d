// Model `fmnist` (docs/fmnist.md): the two-layer network of xgm (core/training.hpp) trained by online SGD on
// Fashion-MNIST, a binary label from two groups of classes; hard samples carry Gaussian noise of variance Delta on the
// irrelevant pixels (the mask). Its parameters and observables; no theory.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/schedule.hpp"
#include "core/training.hpp"
#include "models/fmnist/core/fmnist_data.hpp"

namespace tilt {

class Config;

struct FmnistParams : TwoLayerNetwork {
  FmnistSelection selection;
  long long test_images = 0;  // the first this many selected test images; 0 = all
  TestDistribution test;
  std::shared_ptr<const FmnistData> data;  // loaded (once per process) by from_config
  // Reads the [fmnist] keys and loads the data; throws InputError (a missing file, sim.d != 784, a mask that is
  // empty while a phase has Delta > 0, ...).
  static FmnistParams from_config(const Config& config);
};

// The fixed test set: the first n selected test images (fmnist.test_images), and for each one standard normal per
// mask coordinate, drawn from Stream::TestSet of `seed` alone (image after image), so every member and thread
// count sees the same corrupted images: a test image at difficulty Delta is its clean image plus sqrt(Delta) z on
// the mask.
class FmnistTestSet {
 public:
  FmnistTestSet(const FmnistParams& p, long long seed);
  // eps = P[y f <= 0] and the mean loss at Delta_E and Delta_H, for the weights (W, v).
  struct Errors {
    double eps_easy, eps_hard, loss_easy, loss_hard;
  };
  Errors errors(const TwoLayerWeights& w) const;
  long long size() const { return n_; }

 private:
  const FmnistParams* p_;
  long long n_;
  Eigen::MatrixXf noise_;  // mask_size x n
};

// The observable columns: eps, eps_easy, eps_hard, eps_mix, loss, Q_mean = mean_k |w_k|^2, Qmask_mean = mean_k of
// |w_k|^2 on the mask pixels, v_k.
std::vector<std::string> fmnist_columns(const FmnistParams& p);
std::vector<double> fmnist_observe(const FmnistParams& p, const FmnistTestSet& test, const TwoLayerWeights& w);

}  // namespace tilt
