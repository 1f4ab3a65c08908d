// The learning set-up shared by the two-layer models (scm, xgm), read from the same top-level keys: one reader,
// so the models cannot drift apart in what `eta`, `weight_decay` or `init_scale` mean.
#pragma once
#include "core/experiment.hpp"

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

}  // namespace tilt
