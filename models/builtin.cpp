#include "models/builtin.hpp"

#include <mutex>

namespace tilt {

std::vector<ModelDescriptor> builtin_models() {
  return {
      perceptron_model(),
      xgm_model(),
      scm_model(),
  };
}

void register_builtin_models() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (ModelDescriptor& model : builtin_models()) register_model(std::move(model));
  });
}

}  // namespace tilt
