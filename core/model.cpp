#include "core/model.hpp"

#include <deque>
#include <mutex>
#include <stdexcept>

#include "core/config.hpp"
#include "core/error.hpp"

namespace tilt {
namespace {

// The registry: descriptors in registration order. A deque keeps references valid while models are added.
struct Registry {
  std::mutex mutex;
  std::deque<ModelDescriptor> models;
  unsigned generation = 0;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_model(ModelDescriptor model) {
  auto incomplete = [&](const char* what) {
    return std::invalid_argument("model '" + model.name + "': the descriptor has no " + what +
                                 " (core/model.hpp lists what a model provides)");
  };
  if (model.name.empty() || model.name.find_first_of(". ,=\"") != std::string::npos)
    throw std::invalid_argument("model name '" + model.name + "': expected a non-empty word (it names a key table)");
  if (!model.keys) throw incomplete("keys");
  if (!model.parameters) throw incomplete("parameters");
  if (model.columns.empty() || model.columns.front().name != "t") throw incomplete("columns (t first)");
  if (model.validation_columns.empty()) throw incomplete("validation_columns");
  if (!model.network_doubles || !model.state_size || !model.output_columns) throw incomplete("cost estimates");
  if (!model.theory && model.diffusion) throw incomplete("theory problem (it has a diffusion)");
  if (!model.simulate) throw incomplete("simulation member");
  for (const auto& spec : model.keys())
    if (spec.model != model.name || spec.key.rfind(model.name + ".", 0) != 0)
      throw std::invalid_argument("model '" + model.name + "': key '" + spec.key + "' must be in table [" + model.name +
                                  "] and belong to the model");
  Registry& r = registry();
  const std::lock_guard<std::mutex> lock(r.mutex);
  for (const auto& m : r.models)
    if (m.name == model.name) throw std::invalid_argument("model '" + model.name + "' is already registered");
  r.models.push_back(std::move(model));
  ++r.generation;
}

std::vector<const ModelDescriptor*> registered_models() {
  Registry& r = registry();
  const std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<const ModelDescriptor*> out;
  for (const auto& m : r.models) out.push_back(&m);
  return out;
}

const ModelDescriptor& model_descriptor(const std::string& name) {
  std::string allowed;
  for (const ModelDescriptor* m : registered_models()) {
    if (m->name == name) return *m;
    allowed += (allowed.empty() ? "" : ", ") + m->name;
  }
  if (allowed.empty())
    throw InputError("key 'model' = \"" + name +
                     "\": no model is registered (a program using the library calls "
                     "tilt::register_builtin_models() from models/builtin.hpp first)");
  throw InputError("key 'model' = \"" + name + "\": not a registered model; allowed: one of " + allowed);
}

const ModelDescriptor& model_of(const Config& config) { return model_descriptor(config.string("model")); }

unsigned model_registry_generation() {
  Registry& r = registry();
  const std::lock_guard<std::mutex> lock(r.mutex);
  return r.generation;
}

}  // namespace tilt
