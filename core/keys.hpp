// The registry of experiment keys: name, type, default, what is allowed, and what it means.
// docs/config.md is generated from it (`tilt config --reference`), so the documentation cannot drift.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <toml.hpp>

namespace tilt {

enum class KeyType { Real, Integer, Boolean, String, Table, Integers };  // Integers: a flat array of integers
class Config;

struct KeySpec {
  std::string key;  // dotted name, e.g. "theory.rtol"
  KeyType type;
  toml::value fallback;  // default; an empty table/array where there is none
  std::string allowed;   // what is allowed, in words, for error messages and docs
  std::string doc;       // what it means
  std::string model;     // "" = every model, else the one model this key belongs to
  // Returns true when the (type-correct) value is allowed. Null = any value of the type.
  std::function<bool(const toml::value&)> check;
  std::vector<std::string> choices;  // for strings with a fixed set of values
  std::string default_from;          // if set and the key is not given: copy this key's resolved value
  // When another setting makes this key inert (theory.rtol under a fixed-step method): returns why, naming that
  // setting and what to change; empty when the key takes effect. Null = always in effect.
  std::function<std::string(const Config&)> inert;
  std::string inert_when;  // the same in words, for docs/config.md ("theory.method is rk4 or euler")
};

// Builders for registry entries (used by core/keys.cpp and each model's descriptor, models/<model>.cpp).
namespace keys {
double number(const toml::value& v);
std::function<bool(const toml::value&)> greater(double lo);
std::function<bool(const toml::value&)> at_least(double lo);
std::function<bool(const toml::value&)> between(double lo, double hi);
KeySpec real(std::string key, double fallback, std::string allowed, std::function<bool(const toml::value&)> check,
             std::string doc, std::string model = "");
KeySpec integer(std::string key, long long fallback, std::string allowed, std::function<bool(const toml::value&)> check,
                std::string doc, std::string model = "");
KeySpec boolean(std::string key, bool fallback, std::string doc, std::string model = "");
KeySpec choice(std::string key, std::string fallback, std::vector<std::string> choices, std::string doc,
               std::string model = "");
KeySpec text(std::string key, std::string fallback, std::string allowed, std::string doc, std::string model = "");
KeySpec table(std::string key, std::string allowed, std::string doc, std::string model = "");
// A flat array of integers; `check` sees the whole (type-correct) array.
KeySpec integers(std::string key, std::vector<long long> fallback, std::string allowed,
                 std::function<bool(const toml::value&)> check, std::string doc, std::string model = "");
}  // namespace keys

// The models `model = ...` accepts: the registered ones (core/model.hpp), in registration order. Each model's own
// table ([perceptron], [xgm], [scm], ...) comes from its descriptor's `keys`.
std::vector<std::string> model_names();

// Runs the check of config's model (its descriptor's `check`: shapes of tables, a positive-definite scm.T, sim.d
// large enough, ..., read exactly as a run reads its parameters, so `tilt config` rejects exactly what `tilt
// ode`/`sim`/`validate` reject, with the same message); called once by Config resolution. Throws InputError.
void check_model(const Config& config);
// True when `spec` applies to `model` (spec.model is "" for all, or a comma-separated list of models).
bool key_applies(const KeySpec& spec, const std::string& model);

// The shared keys, then each registered model's table. Rebuilt when a model is registered.
const std::vector<KeySpec>& key_registry();
const KeySpec* find_key(const std::string& key);
std::string type_name(KeyType type);
std::string config_reference_markdown();  // the body of docs/config.md
// One warning per key the experiment sets explicitly (file, inline table or --set), to a value other than its
// default, that another setting makes inert (KeySpec::inert), e.g. "key 'theory.rtol' = 1e-06 has no effect:
// theory.method = \"rk4\" ...".
std::vector<std::string> inert_settings(const Config& config);

}  // namespace tilt
