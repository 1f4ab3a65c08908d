// The learning set-up shared by the two-layer models (scm, xgm, fmnist), read from the same top-level keys: one
// reader, so the models cannot drift apart in what `eta`, `weight_decay` or `init_scale` mean. And the network the
// models that train "the xgm network" share (xgm, fmnist): its keys, their reader and its initial weights.
#pragma once
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/activation.hpp"
#include "core/experiment.hpp"
#include "core/keys.hpp"

namespace tilt {

class Config;

struct TwoLayerTraining : ModelParameters {
  double eta = 1, eta_v = 1;                    // SGD steps eta/d (first layer) and eta_v/d (read-out)
  double weight_decay = 0, weight_decay_v = 0;  // L2 on the first layer and on the read-out
  double init_scale = 1;                        // w_k ~ N(0, init_scale^2 I/d)
  long long d = 1000;                           // input dimension (sim.d; also the sampled initial condition's)

  // Reads eta, eta_v, weight_decay, weight_decay_v, init_scale and sim.d into `this` part of a model's params.
  void read_training(const Config& c);
};

enum class TwoLayerLoss { Square, Logistic };

// f = c_K sum_k v_k g(w_k . x), trained on loss 1/2 (y - f)^2 or log(1 + exp(-y f)) (sim/two_layer.hpp).
struct TwoLayerNetwork : TwoLayerTraining {
  int K = 4;
  Activation activation = Activation::Relu;
  TwoLayerLoss loss = TwoLayerLoss::Square;
  double cK = 0.5;  // read-out scale c_K
  bool train_readout = true;
  std::string readout_init = "gaussian";
  double readout_init_scale = 1.0;

  // Reads the keys of two_layer_network_keys(model) (and the training keys) into `this` part of a model's params.
  void read_network(const Config& c, const std::string& model);
};

// The keys MODEL.K, .activation, .loss, .readout_scale, .train_readout, .readout_init, .readout_init_scale, in
// that order; `activation_note` is appended to the activation key's meaning.
std::vector<KeySpec> two_layer_network_keys(const std::string& model, const std::string& activation_note);

// Weights: W (K x d), read-out v.
struct TwoLayerWeights {
  Eigen::MatrixXd W;
  Eigen::VectorXd v;
};

// Initial weights for `seed` at dimension p.d: w_k i.i.d. N(0, init_scale^2/d) (row by row, from the
// InitialWeights stream), then v by readout_init (gaussian: from the same stream), times readout_init_scale.
TwoLayerWeights sample_two_layer_weights(const TwoLayerNetwork& p, long long seed);

}  // namespace tilt
