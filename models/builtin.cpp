#include "models/builtin.hpp"

#include <mutex>

namespace tilt {

std::vector<ModelDescriptor> builtin_models() {
#define TILT_LIST_MODEL(name) name##_model(),
  return {TILT_BUILTIN_MODELS(TILT_LIST_MODEL)};
#undef TILT_LIST_MODEL
}

void register_builtin_models() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (ModelDescriptor& model : builtin_models()) register_model(std::move(model));
  });
}

}  // namespace tilt
