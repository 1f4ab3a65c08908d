// The experiment: a TOML file plus --set overrides, checked against the key registry (core/keys.cpp) and
// resolved to a flat table with every default filled in. Typed views (core/experiment.hpp) read from it.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include <toml.hpp>

namespace tilt {

// One `KEY=VALUE` override (--set) as read: a registered key and its value, not yet checked.
struct Setting {
  std::string key;
  toml::value value;
};
// Reads `KEY=VALUE` as --set does (a string key takes unquoted text as it is); InputError on an unknown key or a
// value that is not TOML.
Setting read_setting(const std::string& item);

// One resolved experiment: dotted key -> value, every registered key of the chosen model present.
class Config {
 public:
  // Parse a TOML file (or text), apply `KEY=VALUE` overrides, validate, fill defaults. Throws InputError.
  static Config from_file(const std::string& path, const std::vector<std::string>& overrides = {});
  static Config from_text(const std::string& toml_text, const std::vector<std::string>& overrides = {},
                          const std::string& origin = "<text>");

  double real(const std::string& key) const;
  long long integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& string(const std::string& key) const;
  std::vector<std::vector<double>> table(const std::string& key) const;  // array of arrays of numbers
  std::vector<long long> integers(const std::string& key) const;         // flat array of integers
  bool has(const std::string& key) const { return values_.count(key) > 0; }

  // A copy with some keys replaced (validated again); used by sweeps and by drivers that split an experiment.
  Config with(const std::vector<std::string>& overrides) const;
  // The same with overrides already read (read_setting): what a sweep uses at every point, reading each axis
  // value once rather than once per point.
  Config with_settings(const std::vector<Setting>& settings) const;

  const std::map<std::string, toml::value>& values() const { return values_; }
  // The keys set explicitly (file, inline tables, overrides, with()), as opposed to filled-in defaults.
  const std::set<std::string>& given() const { return given_; }
  std::string to_toml() const;  // every key, grouped by table, in registry order

 private:
  static Config resolve(toml::value root, const std::vector<std::string>& overrides, const std::string& origin);
  // Checks `given` (dotted key -> value, overrides applied) and fills the defaults; `origin` names it in messages.
  static Config resolve_given(std::map<std::string, toml::value> given, const std::string& origin);
  std::map<std::string, toml::value> values_;
  std::set<std::string> given_;
};

// A value as TOML text, numbers in their shortest round-trip form.
std::string show_value(const toml::value& v);

}  // namespace tilt
