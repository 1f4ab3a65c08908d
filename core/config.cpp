#include "core/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/io.hpp"
#include "core/keys.hpp"

namespace tilt {
namespace {}  // namespace

std::string show_value(const toml::value& v) {
  if (v.is_floating()) {
    std::string s = format_number(v.as_floating());
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // stays a TOML float
    return s;
  }
  if (v.is_array()) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.as_array().size(); ++i) s += (i ? ", " : "") + show_value(v.as_array()[i]);
    return s + "]";
  }
  std::string s = toml::format(v);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

namespace {

std::string show(const toml::value& v) { return show_value(v); }

std::string section_of(const std::string& key) {
  const auto dot = key.find('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}

std::set<std::string> sections() {
  std::set<std::string> out;
  for (const auto& spec : key_registry())
    if (!section_of(spec.key).empty()) out.insert(section_of(spec.key));
  return out;
}

std::string keys_in_section(const std::string& section) {
  std::string list;
  for (const auto& spec : key_registry())
    if (section_of(spec.key) == section) list += (list.empty() ? "" : ", ") + spec.key;
  return list;
}

[[noreturn]] void unknown_key(const std::string& key) {
  const std::string section = section_of(key);
  if (!section.empty() && !sections().count(section)) {  // key "name.*" stands for a whole unknown table
    std::string all;
    for (const auto& s : sections()) all += (all.empty() ? "" : ", ") + ("[" + s + "]");
    throw InputError("unknown table [" + section + "] (key '" + key + "'); allowed tables: " + all);
  }
  throw InputError("unknown key '" + key + "'; allowed keys" +
                   (section.empty() ? std::string(" at top level: ") : " in [" + section + "]: ") +
                   keys_in_section(section) + (section.empty() ? " (and the tables)" : ""));
}

// toml11 reads an integer literal beyond the 64-bit range as the nearest limit, silently (issue 9: seed =
// 99999999999999999999 became 2^63 - 1). The TOML standard requires an error. A value at a limit is checked
// against its source text; returns that text when the literal is out of range, else "".
std::string overflowed_integer(const toml::value& v) {
  if (!v.is_integer()) return "";
  const auto x = v.as_integer();
  if (x != std::numeric_limits<std::int64_t>::max() && x != std::numeric_limits<std::int64_t>::min()) return "";
  const toml::source_location where = v.location();
  if (where.column() < 1 || where.column() - 1 + where.region() > where.line_str().size()) return "";
  const std::string token = where.line_str().substr(where.column() - 1, where.region());
  std::string digits;
  for (char c : token)
    if (c != '_') digits += c;
  int base = 10;
  std::size_t start = (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) ? 1 : 0;
  if (digits.size() > start + 2 && digits[start] == '0' &&
      std::string("xob").find(digits[start + 1]) != std::string::npos) {
    base = digits[start + 1] == 'x' ? 16 : digits[start + 1] == 'o' ? 8 : 2;
    digits.erase(start, 2);
  }
  errno = 0;
  char* end = nullptr;
  std::strtoll(digits.c_str(), &end, base);
  return errno == ERANGE ? token : "";
}

void reject_overflow(const KeySpec& spec, const toml::value& v) {
  if (v.is_array()) {
    for (const auto& x : v.as_array()) reject_overflow(spec, x);
    return;
  }
  const std::string token = overflowed_integer(v);
  if (!token.empty())
    throw InputError(
        "key '" + spec.key + "' = " + token +
        ": integer out of range (integers hold -2^63 to 2^63 - 1 = 9223372036854775807); allowed: " + spec.allowed);
}

// Checks type and range of one value against its spec; returns it normalised (integers accepted as reals).
toml::value checked(const KeySpec& spec, const toml::value& v) {
  reject_overflow(spec, v);
  auto wrong = [&](const std::string& why) -> InputError {
    return InputError("key '" + spec.key + "' = " + show(v) + ": " + why + "; allowed: " + spec.allowed);
  };
  switch (spec.type) {
    case KeyType::Real: {
      if (!v.is_floating() && !v.is_integer()) throw wrong("expected a number");
      const double x = v.is_integer() ? double(v.as_integer()) : v.as_floating();
      if (!std::isfinite(x)) throw wrong("not a finite number");
      const toml::value out(x);
      if (spec.check && !spec.check(out)) throw wrong("out of range");
      return out;
    }
    case KeyType::Integer:
      if (!v.is_integer()) throw wrong("expected an integer");
      if (spec.check && !spec.check(v)) throw wrong("out of range");
      return v;
    case KeyType::Boolean:
      if (!v.is_boolean()) throw wrong("expected true or false");
      return v;
    case KeyType::String: {
      if (!v.is_string()) throw wrong("expected a string");
      const std::string s = v.as_string().str;
      if (!spec.choices.empty()) {
        bool ok = false;
        for (const auto& c : spec.choices) ok = ok || c == s;
        if (!ok) throw wrong("not a known value");
      }
      return toml::value(s);
    }
    case KeyType::Table: {
      if (!v.is_array()) throw wrong("expected an array");
      for (const auto& row : v.as_array()) {
        if (!row.is_array()) throw wrong("expected an array of arrays");
        for (const auto& x : row.as_array())
          if (!x.is_floating() && !x.is_integer()) throw wrong("expected numbers");
      }
      return v;
    }
    case KeyType::Integers: {
      if (!v.is_array()) throw wrong("expected an array of integers");
      for (const auto& x : v.as_array())
        if (!x.is_integer()) throw wrong("expected an array of integers");
      if (spec.check && !spec.check(v)) throw wrong("out of range");
      return v;
    }
  }
  return v;
}

void flatten(const toml::value& table, const std::string& prefix, std::map<std::string, toml::value>& out) {
  for (const auto& [name, value] : table.as_table()) {
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (value.is_table() && prefix.empty()) {
      if (!sections().count(name)) unknown_key(key + ".*");
      flatten(value, key, out);
      continue;
    }
    if (!find_key(key)) unknown_key(key);
    out[key] = value;
  }
}

toml::value parse_override_value(const KeySpec& spec, const std::string& text, const std::string& item) {
  if (spec.type == KeyType::String && (text.empty() || text.front() != '"')) return toml::value(text);
  std::istringstream in("v = " + text);
  try {
    const toml::value doc = toml::parse(in, "--set");
    return toml::find(doc, "v");
  } catch (const std::exception&) {
    throw InputError("--set " + item + ": cannot read '" + text + "' as a " + type_name(spec.type) + " for key '" +
                     spec.key + "'; allowed: " + spec.allowed);
  }
}

void check_segments(const std::map<std::string, toml::value>& values) {
  if (values.at("curriculum.protocol").as_string().str != "custom") return;
  const auto& segs = values.at("curriculum.segments");
  const std::string allowed = find_key("curriculum.segments")->allowed;
  const double t_max = values.at("t_max").as_floating();
  auto bad = [&](const std::string& why) {
    return InputError("key 'curriculum.segments' = " + show(segs) + ": " + why + "; allowed: " + allowed);
  };
  if (segs.as_array().empty()) throw bad("protocol = \"custom\" needs at least one segment");
  double previous = -1.0;
  for (const auto& row : segs.as_array()) {
    if (row.as_array().size() != 2) throw bad("each segment is [start time, Delta]");
    auto num = [](const toml::value& x) { return x.is_integer() ? double(x.as_integer()) : x.as_floating(); };
    const double t = num(row.as_array()[0]), delta = num(row.as_array()[1]);
    if (previous < 0 && t != 0.0) throw bad("the first segment must start at t = 0");
    if (previous >= 0 && !(t > previous)) throw bad("start times are not sorted (strictly increasing)");
    if (!(t < t_max)) throw bad("a segment starts at or after t_max");
    if (!(delta >= 0) || !std::isfinite(delta)) throw bad("Delta must be finite and >= 0");
    previous = t;
  }
}

void check_cross_keys(const std::map<std::string, toml::value>& values) {
  check_segments(values);
  {  // member i uses seed + i: the last member's seed must fit as well
    const long long seed = values.at("seed").as_integer();
    const long long members = std::max(values.at("sim.seeds").as_integer(), values.at("theory.ensemble").as_integer());
    if (members - 1 > std::numeric_limits<long long>::max() - seed)
      throw InputError("key 'seed' = " + std::to_string(seed) + ": seed + " + std::to_string(members) +
                       " members - 1 exceeds 2^63 - 1; allowed: " + find_key("seed")->allowed);
  }
  if (values.at("curriculum.protocol").as_string().str != "custom" &&
      !values.at("curriculum.segments").as_array().empty())
    throw InputError("key 'curriculum.segments' is set but curriculum.protocol = \"" +
                     values.at("curriculum.protocol").as_string().str +
                     "\"; allowed: segments only with protocol = \"custom\"");
  if (values.at("output.spacing").as_string().str == "log" && values.at("output.points").as_integer() == 0)
    throw InputError("key 'output.spacing' = \"log\" needs output.points > 0; allowed: output.points >= 1");
  if (values.at("output.spacing").as_string().str == "log" &&
      !(values.at("output.t_min").as_floating() < values.at("t_max").as_floating()))
    throw InputError("key 'output.t_min' = " + show(values.at("output.t_min")) + ": must be below t_max");
  if (values.at("theory.init").as_string().str == "file") {
    const std::string path = values.at("theory.init_file").as_string().str;
    if (path.empty())
      throw InputError("key 'theory.init' = \"file\" needs theory.init_file; allowed: the path of a CSV file");
    if (!std::ifstream(path))
      throw InputError("key 'theory.init_file' = \"" + path + "\": cannot open the file; allowed: a readable CSV file");
  }
}

}  // namespace

Setting read_setting(const std::string& item) {
  const auto eq = item.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set " + item + ": expected KEY=VALUE, e.g. --set eta=1.5");
  const std::string key = item.substr(0, eq);
  const KeySpec* spec = find_key(key);
  if (!spec) unknown_key(key);
  return {key, parse_override_value(*spec, item.substr(eq + 1), item)};
}

Config Config::resolve(toml::value root, const std::vector<std::string>& overrides, const std::string& origin) {
  std::map<std::string, toml::value> given;
  flatten(root, "", given);
  for (const auto& item : overrides) {
    Setting s = read_setting(item);
    given[s.key] = std::move(s.value);
  }
  return resolve_given(std::move(given), origin);
}

Config Config::resolve_given(std::map<std::string, toml::value> given, const std::string& origin) {
  const std::string model =
      (given.count("model") ? checked(*find_key("model"), given.at("model")) : find_key("model")->fallback)
          .as_string()
          .str;

  // Every given value checked and normalised in place, in key order (the first bad key in that order is reported),
  // then kept: no second map is built (a sweep resolves one experiment per point).
  for (auto& [key, value] : given) {
    const KeySpec& spec = *find_key(key);
    if (!key_applies(spec, model))
      throw InputError("key '" + key + "' belongs to model " + spec.model + " but model = \"" + model + "\" (in " +
                       origin + "); allowed: keys of [" + model + "] and the shared tables");
    value = checked(spec, value);
  }
  Config config;
  for (const auto& entry : given) config.given_.insert(entry.first);
  config.values_ = std::move(given);
  // The keys not given, in registry order: fixed defaults first, then those that follow another key (eta_v = eta).
  std::vector<const KeySpec*> missing;
  for (const auto& spec : key_registry())
    if (key_applies(spec, model) && !config.values_.count(spec.key)) missing.push_back(&spec);
  for (const KeySpec* spec : missing)
    if (spec->default_from.empty()) config.values_[spec->key] = spec->fallback;
  for (const KeySpec* spec : missing)
    if (!spec->default_from.empty()) config.values_[spec->key] = config.values_.at(spec->default_from);
  check_cross_keys(config.values_);
  check_model(config);  // the model's own checks, the same code a run uses (its descriptor, core/model.hpp)
  return config;
}

Config Config::from_text(const std::string& toml_text, const std::vector<std::string>& overrides,
                         const std::string& origin) {
  std::istringstream in(toml_text);
  toml::value root;
  try {
    root = toml::parse(in, origin);
  } catch (const std::exception& e) {
    throw InputError("cannot parse " + origin + " as TOML:\n" + e.what());
  }
  return resolve(root, overrides, origin);
}

Config Config::from_file(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream file(path);
  if (!file) throw InputError("cannot open experiment file '" + path + "': " + std::strerror(errno));
  std::stringstream text;
  text << file.rdbuf();
  return from_text(text.str(), overrides, path);
}

Config Config::with(const std::vector<std::string>& overrides) const {
  std::vector<Setting> settings;
  for (const auto& item : overrides) settings.push_back(read_setting(item));
  return with_settings(settings);
}

Config Config::with_settings(const std::vector<Setting>& settings) const {
  // The resolved values are the given ones, exactly as if to_toml() were parsed again (every value prints in a
  // form that reads back to itself), but without printing and parsing the whole experiment: a sweep resolves
  // one experiment per point and protocol, and that parse cost more than a perceptron point's ODE.
  std::map<std::string, toml::value> given = values_;
  std::set<std::string> explicit_keys = given_;
  for (const auto& s : settings) {
    if (!find_key(s.key)) unknown_key(s.key);
    given[s.key] = s.value;
    explicit_keys.insert(s.key);
  }
  Config config = resolve_given(std::move(given), "<resolved experiment>");
  config.given_ = std::move(explicit_keys);
  return config;
}

double Config::real(const std::string& key) const { return values_.at(key).as_floating(); }
long long Config::integer(const std::string& key) const { return values_.at(key).as_integer(); }
bool Config::boolean(const std::string& key) const { return values_.at(key).as_boolean(); }
const std::string& Config::string(const std::string& key) const { return values_.at(key).as_string().str; }

std::vector<std::vector<double>> Config::table(const std::string& key) const {
  std::vector<std::vector<double>> out;
  for (const auto& row : values_.at(key).as_array()) {
    std::vector<double> r;
    for (const auto& x : row.as_array()) r.push_back(x.is_integer() ? double(x.as_integer()) : x.as_floating());
    out.push_back(r);
  }
  return out;
}

std::vector<long long> Config::integers(const std::string& key) const {
  std::vector<long long> out;
  for (const auto& x : values_.at(key).as_array()) out.push_back(x.as_integer());
  return out;
}

std::string Config::to_toml() const {
  std::ostringstream out;
  out.precision(17);
  std::string current = "";
  for (const auto& spec : key_registry()) {
    if (!values_.count(spec.key)) continue;
    const std::string section = section_of(spec.key);
    if (section != current) {
      out << "\n[" << section << "]\n";
      current = section;
    }
    const std::string name = section.empty() ? spec.key : spec.key.substr(section.size() + 1);
    out << name << " = " << show(values_.at(spec.key)) << "\n";
  }
  return out.str();
}

}  // namespace tilt
