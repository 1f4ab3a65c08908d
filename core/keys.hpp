// The registry of experiment keys: name, type, default, what is allowed, and what it means.
// docs/config.md is generated from it (`tilt config --reference`), so the documentation cannot drift.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <toml.hpp>

namespace tilt {

enum class KeyType { Real, Integer, Boolean, String, Table };

struct KeySpec {
  std::string key;          // dotted name, e.g. "theory.rtol"
  KeyType type;
  toml::value fallback;     // default; an empty table/array where there is none
  std::string allowed;      // what is allowed, in words, for error messages and docs
  std::string doc;          // what it means
  std::string model;        // "" = every model, else the one model this key belongs to
  // Returns true when the (type-correct) value is allowed. Null = any value of the type.
  std::function<bool(const toml::value&)> check;
  std::vector<std::string> choices;  // for strings with a fixed set of values
};

const std::vector<KeySpec>& key_registry();
const KeySpec* find_key(const std::string& key);
std::string type_name(KeyType type);
std::string config_reference_markdown();  // the body of docs/config.md

}  // namespace tilt
