#include "core/training.hpp"

#include <cmath>

#include "core/config.hpp"
#include "core/rng.hpp"

namespace tilt {

void TwoLayerTraining::read_training(const Config& c) {
  eta = c.real("eta");
  eta_v = c.real("eta_v");
  weight_decay = c.real("weight_decay");
  weight_decay_v = c.real("weight_decay_v");
  init_scale = c.real("init_scale");
  d = c.integer("sim.d");
}

void TwoLayerNetwork::read_network(const Config& c, const std::string& model) {
  K = int(c.integer(model + ".K"));
  activation = parse_activation(c.string(model + ".activation"));
  loss = c.string(model + ".loss") == "square" ? TwoLayerLoss::Square : TwoLayerLoss::Logistic;
  const std::string& scale = c.string(model + ".readout_scale");
  cK = scale == "1" ? 1.0 : scale == "1/K" ? 1.0 / K : 1.0 / std::sqrt(double(K));
  train_readout = c.boolean(model + ".train_readout");
  readout_init = c.string(model + ".readout_init");
  readout_init_scale = c.real(model + ".readout_init_scale");
  read_training(c);
}

std::vector<KeySpec> two_layer_network_keys(const std::string& model, const std::string& activation_note) {
  using namespace keys;
  const std::string m = model + ".";
  return {
      integer(m + "K", 4, ">= 1", at_least(1), "Number of hidden units K of the student.", model),
      choice(m + "activation", "relu", {"relu", "erf", "tanh", "quadratic", "linear"},
             "Activation g: relu, erf (= erf(x/sqrt 2)), tanh, quadratic (x^2), linear." + activation_note, model),
      choice(m + "loss", "square", {"square", "logistic"}, "Loss: square 1/2 (y - f)^2 or logistic log(1 + exp(-y f)).",
             model),
      choice(m + "readout_scale", "1/sqrt(K)", {"1", "1/sqrt(K)", "1/K"}, "c_K in f = c_K sum_k v_k g(lambda_k).",
             model),
      boolean(m + "train_readout", true, "Train the read-out v (rate eta_v, decay weight_decay_v) or keep it frozen.",
              model),
      choice(m + "readout_init", "gaussian", {"gaussian", "alternating", "ones"},
             "Initial read-out: v_k ~ N(0,1) (from the seed), +1,-1,+1,... , or all 1; times readout_init_scale.",
             model),
      real(m + "readout_init_scale", 1.0, "> 0", greater(0), "Multiplies the initial read-out.", model),
  };
}

TwoLayerWeights sample_two_layer_weights(const TwoLayerNetwork& p, long long seed) {
  TwoLayerWeights w;
  Rng rng(std::uint64_t(seed), Stream::InitialWeights);
  const double scale = p.init_scale / std::sqrt(double(p.d));
  w.W.resize(p.K, p.d);
  for (int k = 0; k < p.K; ++k)
    for (long long i = 0; i < p.d; ++i) w.W(k, i) = scale * rng.normal();
  w.v.resize(p.K);
  for (int k = 0; k < p.K; ++k) {
    if (p.readout_init == "gaussian")
      w.v(k) = rng.normal();
    else if (p.readout_init == "alternating")
      w.v(k) = k % 2 == 0 ? 1.0 : -1.0;
    else
      w.v(k) = 1.0;
  }
  w.v *= p.readout_init_scale;
  return w;
}

}  // namespace tilt
