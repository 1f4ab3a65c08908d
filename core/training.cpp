#include "core/training.hpp"

#include "core/config.hpp"

namespace tilt {

void TwoLayerTraining::read_training(const Config& c) {
  eta = c.real("eta");
  eta_v = c.real("eta_v");
  weight_decay = c.real("weight_decay");
  weight_decay_v = c.real("weight_decay_v");
  init_scale = c.real("init_scale");
  d = c.integer("sim.d");
}

}  // namespace tilt
