// Model `fmnist` (docs/fmnist.md): the two-layer network of xgm trained by online SGD on Fashion-MNIST (real
// images; no theory). Its descriptor: the [fmnist] keys, columns, cost and simulation. The pieces live in this
// folder, models/fmnist/: core/ (the IDX reader, the standardised data, parameters, test set, observables), sim/
// (SGD); the network and its step are shared with xgm (core/training.hpp, sim/two_layer.hpp).
#include "models/builtin.hpp"

#include "core/config.hpp"
#include "core/model.hpp"
#include "models/fmnist/core/fmnist.hpp"
#include "models/fmnist/sim/fmnist_sgd.hpp"
#include "sim/two_layer.hpp"

namespace tilt {
namespace {

// Class lists: integers 0 to 9, none repeated, at least one.
bool classes_ok(const toml::value& v) {
  const auto& a = v.as_array();
  if (a.empty()) return false;
  std::vector<bool> seen(10, false);
  for (const auto& x : a) {
    const long long c = x.as_integer();
    if (c < 0 || c > 9 || seen[std::size_t(c)]) return false;
    seen[std::size_t(c)] = true;
  }
  return true;
}

std::vector<KeySpec> fmnist_keys() {
  using namespace keys;
  std::vector<KeySpec> out = two_layer_network_keys("fmnist", "");
  std::vector<KeySpec> own = {
      text("fmnist.data_dir", "/usr/share/datasets/fashion-mnist", "a directory",
           "Where the four Fashion-MNIST IDX files are ({train,t10k}-{images-idx3,labels-idx1}-ubyte, each .gz or "
           "plain); Debian's dataset-fashion-mnist installs them here (scripts/setup.sh does).",
           "fmnist"),
      integers("fmnist.positive", {0, 1, 4, 5, 8}, "non-empty list of distinct classes 0 to 9", classes_ok,
               "Classes with label y = +1 (0 T-shirt, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, "
               "7 Sneaker, 8 Bag, 9 Ankle boot). Classes in neither list are left out of training and test.",
               "fmnist"),
      integers("fmnist.negative", {2, 3, 6, 7, 9}, "non-empty list of distinct classes 0 to 9, none in fmnist.positive",
               classes_ok, "Classes with label y = -1.", "fmnist"),
      real("fmnist.mask_threshold", 0.05, ">= 0", at_least(0),
           "Irrelevant pixels (the mask, where hard samples carry their N(0, Delta) noise): those whose standard "
           "deviation over the selected training images, in [0, 1] intensity units, is below this (0.05: 48 of 784 "
           "pixels for the default classes).",
           "fmnist"),
      integer("fmnist.test_images", 0, ">= 0", at_least(0),
              "Test errors on the first this many selected test images (0: all of them, 10000 for the default "
              "classes); bounds the cost of each output time.",
              "fmnist"),
  };
  out.insert(out.end(), own.begin(), own.end());
  return out;
}

const char* kNone = "dimensionless";

std::vector<ColumnDoc> fmnist_columns_doc() {
  return {time_column_doc(),
          {"eps",
           "classification error P[y f <= 0] on the selected test images at the configured test difficulty "
           "(test.difficulty; all = the mixture)",
           kNone},
          {"eps_easy", "test error on the test images at Delta = curriculum.easy (0: the clean images)", kNone},
          {"eps_hard",
           "test error on the test images corrupted with N(0, curriculum.hard) noise on the mask (one fixed draw per "
           "image from the seed)",
           kNone},
          {"eps_mix", "p_E eps_easy + (1 - p_E) eps_hard", kNone},
          {"loss", "mean test loss (fmnist.loss) at the configured test difficulty", kNone},
          {"Q_mean", "mean over units of |w_k|^2 (first-layer weights, standardised-pixel units)", kNone},
          {"Qmask_mean", "mean over units of |w_k|^2 restricted to the mask pixels", kNone},
          {"v_k", "read-out weight of unit k", kNone}};
}

}  // namespace

ModelDescriptor fmnist_model() {
  ModelDescriptor m;
  m.name = "fmnist";
  m.keys = fmnist_keys;
  m.parameters = [](const Config& config) -> std::shared_ptr<const ModelParameters> {
    return std::make_shared<const FmnistParams>(FmnistParams::from_config(config));
  };
  m.columns = fmnist_columns_doc();
  m.validation_columns = {"eps", "eps_hard", "Q_mean"};
  m.has_readout = true;
  // Per member: W and the sample (the images are shared by all members), the fixed test noise (floats) and the
  // evaluation's blocks of 256 images.
  m.network_doubles = [](const ResolvedExperiment& e) {
    const FmnistParams& p = e.params<FmnistParams>();
    const double K = double(p.K), d = double(p.d), n = double(p.data->test.cols());
    return K * d + 2 * d + 0.5 * double(p.data->mask_size) * n + 256 * (d + 2 * K);
  };
  m.state_size = [](const ResolvedExperiment& e) { return double(e.params<FmnistParams>().K) * 785; };
  m.output_columns = [](const ResolvedExperiment& e) { return 7.0 + double(e.params<FmnistParams>().K); };
  // The shared step of sim/two_layer.hpp (the sample's conversion and the noise draw are O(d), not counted).
  m.sgd_step_multiply_adds = [](const ResolvedExperiment& e) {
    return two_layer_step_multiply_adds(e.params<FmnistParams>());
  };
  m.no_theory = "real images";
  m.simulate = simulate_fmnist;
  return m;
}

}  // namespace tilt
