#include "sweep/spec.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "core/io.hpp"
#include "core/keys.hpp"
#include "core/model.hpp"
#include "core/rng.hpp"

namespace tilt {

const char* sweep_run_name(SweepRun run) {
  switch (run) {
    case SweepRun::Theory:
      return "theory";
    case SweepRun::TheoryEnsemble:
      return "theory_ensemble";
    case SweepRun::Sim:
      return "sim";
    case SweepRun::Validate:
      return "validate";
  }
  return "?";
}

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

long long point_seed(long long sweep_seed, std::size_t index) {
  Rng rng(std::uint64_t(sweep_seed), Stream::Sweep, std::uint64_t(index) + 1);
  return 1 + (long long)(rng.next() >> 2) % ((1LL << 62) - 1);
}

namespace {

const char* kSweepKeys = "run, protocols, reference, seed, point_seeds, column, trajectories, thresholds";
const char* kAxisAllowed =
    "key = \"NAME\" with one of values = [...], linear = [from, to, count] or log = [from, to, count], and "
    "optionally zip = \"GROUP\"";

double as_number(const toml::value& v) { return v.is_integer() ? double(v.as_integer()) : v.as_floating(); }
bool is_number(const toml::value& v) { return v.is_integer() || v.is_floating(); }

std::string label_of(const toml::value& v) {
  if (v.is_string()) return v.as_string().str;
  if (v.is_floating()) return format_number(v.as_floating());
  return show_value(v);
}

// The inline tables of [base] as KEY=VALUE overrides (nested tables give dotted keys).
void base_overrides(const toml::value& table, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [name, value] : table.as_table()) {
    if (prefix.empty() && name == "file") continue;
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (value.is_table())
      base_overrides(value, key, out);
    else
      out.push_back(key + "=" + show_value(value));
  }
}

// A range [from, to, count] of an axis: count values, linear or geometric, both ends included.
std::vector<double> range_values(const toml::value& spec, bool log, const std::string& origin) {
  const std::string what = log ? "log" : "linear";
  const std::string allowed =
      "allowed: " + what + " = [from, to, count] with count an integer >= 1" + (log ? " and from, to > 0" : "");
  if (!spec.is_array() || spec.as_array().size() != 3)
    throw InputError(origin + ": " + what + " = " + show_value(spec) + " is not [from, to, count]; " + allowed);
  const auto& a = spec.as_array();
  if (!is_number(a[0]) || !is_number(a[1]) || !a[2].is_integer() || a[2].as_integer() < 1)
    throw InputError(origin + ": " + what + " = " + show_value(spec) + " is not numeric; " + allowed);
  const double from = as_number(a[0]), to = as_number(a[1]);
  const long long n = a[2].as_integer();
  if (log && !(from > 0 && to > 0))
    throw InputError(origin + ": log = " + show_value(spec) + " has an end <= 0; " + allowed);
  if (n > 10000000)
    throw InputError(origin + ": " + what + " count " + std::to_string(n) + " is too large; " + allowed);
  std::vector<double> out;
  for (long long i = 0; i < n; ++i) {
    const double f = n == 1 ? 0.0 : double(i) / double(n - 1);
    const double x = log ? std::exp(std::log(from) + f * (std::log(to) - std::log(from))) : from + f * (to - from);
    // 12 significant digits: 0.9, not 0.8999999999999999 (the table and --set show what was meant).
    char text[32];
    std::snprintf(text, sizeof text, "%.12g", x);
    out.push_back(std::strtod(text, nullptr));
  }
  if (n > 1) out.back() = to;  // the end exactly as written
  return out;
}

SweepAxis parse_axis(const toml::value& entry, std::size_t number, const Config& base) {
  SweepAxis axis;
  const std::string where = "axis " + std::to_string(number);
  if (!entry.is_table()) throw InputError(where + ": not a table; allowed: [[axis]] with " + kAxisAllowed);
  const auto& t = entry.as_table();
  if (!t.count("key") || !t.at("key").is_string())
    throw InputError(where + ": no key = \"NAME\"; allowed: [[axis]] with " + kAxisAllowed);
  axis.key = t.at("key").as_string().str;
  axis.origin = where + " '" + axis.key + "'";
  for (const auto& [name, value] : t) {
    (void)value;
    if (name != "key" && name != "values" && name != "linear" && name != "log" && name != "zip")
      throw InputError(axis.origin + ": unknown entry '" + name + "'; allowed: " + kAxisAllowed);
  }
  const KeySpec* spec = find_key(axis.key);
  if (!spec)
    throw InputError(axis.origin + ": unknown key '" + axis.key +
                     "'; allowed: any key of the experiment (tilt config --reference lists them)");
  if (axis.key == "model")
    throw InputError(axis.origin +
                     ": the model cannot vary within a sweep; allowed: one model per sweep (set it in "
                     "[base])");
  if (!key_applies(*spec, base.string("model")))
    throw InputError(axis.origin + ": key '" + axis.key + "' belongs to model " + spec->model + " but model = \"" +
                     base.string("model") + "\"; allowed: keys of [" + base.string("model") +
                     "] and the shared tables");
  if (spec->type == KeyType::Table || spec->type == KeyType::Integers)
    throw InputError(axis.origin +
                     ": a table or array key cannot be an axis; allowed: keys of type real, integer, boolean "
                     "or string");
  const int forms = int(t.count("values")) + int(t.count("linear")) + int(t.count("log"));
  if (forms != 1)
    throw InputError(axis.origin + ": " + (forms == 0 ? "no values" : "more than one of values, linear, log") +
                     "; allowed: " + kAxisAllowed);
  if (t.count("zip")) {
    if (!t.at("zip").is_string() || t.at("zip").as_string().str.empty())
      throw InputError(axis.origin + ": zip = " + show_value(t.at("zip")) + "; allowed: zip = \"GROUP\" (a name)");
    axis.zip = t.at("zip").as_string().str;
  }
  const bool numeric = spec->type == KeyType::Real || spec->type == KeyType::Integer;
  std::vector<toml::value> raw;
  if (t.count("values")) {
    const toml::value& v = t.at("values");
    if (!v.is_array())
      throw InputError(axis.origin + ": values = " + show_value(v) +
                       " is not an array; allowed: " + "values = [v1, v2, ...]");
    for (const auto& x : v.as_array()) raw.push_back(x);
  } else {
    if (!numeric)
      throw InputError(axis.origin + ": a range needs a numeric key, '" + axis.key + "' is of type " +
                       type_name(spec->type) + "; allowed: values = [...]");
    const bool log = t.count("log") > 0;
    axis.scale = log ? "log" : "linear";
    for (double x : range_values(t.at(log ? "log" : "linear"), log, axis.origin)) raw.push_back(toml::value(x));
  }
  if (raw.empty()) throw InputError(axis.origin + ": empty axis (no values); allowed: at least one value");
  for (const auto& x : raw) {
    toml::value value = x;
    if (numeric && !is_number(x))
      throw InputError(axis.origin + ": value " + show_value(x) + " is not a number; allowed: " + spec->allowed);
    if (spec->type == KeyType::Integer && x.is_floating()) {  // a range over an integer key: exact integers only
      const double r = std::round(x.as_floating());
      if (std::fabs(x.as_floating() - r) > 1e-9 * std::max(1.0, std::fabs(r)))
        throw InputError(axis.origin + ": value " + format_number(x.as_floating()) +
                         " is not an integer; allowed: integer values (" + spec->allowed + ")");
      value = toml::value(static_cast<std::int64_t>(r));
    }
    try {  // type and range of the key, as --set checks them
      Setting setting = read_setting(axis.key + "=" + show_value(value));
      (void)base.with_settings({setting});
      axis.settings.push_back(std::move(setting));
    } catch (const InputError& e) {
      throw InputError(axis.origin + ": " + e.what());
    }
    axis.values.push_back(value);
  }
  return axis;
}

std::string string_list(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

// The sweep file as TOML, with nothing but [sweep], [base] and [[axis]] at its top.
toml::value parse_sweep_root(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  toml::value root;
  try {
    root = toml::parse(in, origin);
  } catch (const std::exception& e) {
    throw InputError("cannot parse " + origin + " as TOML:\n" + e.what());
  }
  for (const auto& [name, value] : root.as_table()) {
    (void)value;
    if (name != "sweep" && name != "base" && name != "axis")
      throw InputError("sweep file " + origin + ": unknown entry '" + name +
                       "'; allowed: [sweep], [base], [[axis]] (docs/sweep.md)");
  }
  return root;
}

// [base]: a file (relative to the sweep file) and/or inline keys, then --set.
Config read_base(const toml::value& root, const std::vector<std::string>& overrides, const std::string& origin,
                 const std::string& folder) {
  std::vector<std::string> base_set;
  std::string base_file;
  if (root.contains("base")) {
    const toml::value& base = root.at("base");
    if (!base.is_table()) throw InputError("sweep file " + origin + ": base is not a table; allowed: [base]");
    if (base.contains("file")) {
      if (!base.at("file").is_string())
        throw InputError("key 'base.file' = " + show_value(base.at("file")) + ": allowed: a path (string)");
      base_file = base.at("file").as_string().str;
      if (!base_file.empty() && base_file[0] != '/') base_file = (std::filesystem::path(folder) / base_file).string();
    }
    base_overrides(base, "", base_set);
  }
  for (const auto& o : overrides) base_set.push_back(o);
  return base_file.empty() ? Config::from_text("", base_set, origin + " [base]")
                           : Config::from_file(base_file, base_set);
}

// One key of [sweep] into `spec`; an error names the key, its value and what is allowed.
void read_sweep_key(const std::string& name, const toml::value& value, SweepSpec& spec) {
  const std::string key = "sweep." + name;
  auto bad = [&](const std::string& allowed) {
    return InputError("key '" + key + "' = " + show_value(value) + ": allowed: " + allowed);
  };
  if (name == "run") {
    const std::string r = value.is_string() ? value.as_string().str : "";
    if (r == "theory")
      spec.run = SweepRun::Theory;
    else if (r == "theory_ensemble")
      spec.run = SweepRun::TheoryEnsemble;
    else if (r == "sim")
      spec.run = SweepRun::Sim;
    else if (r == "validate")
      spec.run = SweepRun::Validate;
    else
      throw bad("theory, theory_ensemble, sim, validate");
  } else if (name == "protocols") {
    if (!value.is_array()) throw bad("an array of protocol names");
    for (const auto& p : value.as_array()) {
      if (!p.is_string()) throw bad("an array of protocol names");
      spec.protocols.push_back(p.as_string().str);
    }
    if (spec.protocols.empty()) throw bad("at least one protocol");
  } else if (name == "reference") {
    if (!value.is_string()) throw bad("a protocol name");
    spec.reference = value.as_string().str;
  } else if (name == "seed") {
    if (!value.is_integer() || value.as_integer() < 0) throw bad("an integer >= 0");
    spec.seed = value.as_integer();
  } else if (name == "point_seeds") {
    const std::string v = value.is_string() ? value.as_string().str : "";
    if (v != "derived" && v != "base")
      throw bad(
          "\"derived\" (from the sweep seed and the point's index) or "
          "\"base\" (the base experiment's seed at every point)");
    spec.derived_seeds = v == "derived";
  } else if (name == "column") {
    const std::string v = value.is_string() ? value.as_string().str : "";
    if (v != "eps" && v != "eps_easy" && v != "eps_hard" && v != "eps_mix")
      throw bad("eps, eps_easy, eps_hard, eps_mix");
    spec.column = v;
  } else if (name == "trajectories") {
    if (!value.is_boolean()) throw bad("true or false");
    spec.trajectories = value.as_boolean();
  } else if (name == "thresholds") {
    const std::string allowed = "an array of distinct error levels in (0, 1]";
    if (!value.is_array()) throw bad(allowed);
    for (const auto& x : value.as_array()) {
      const double v = x.is_floating() ? x.as_floating() : x.is_integer() ? double(x.as_integer()) : -1;
      if (!(v > 0 && v <= 1)) throw bad(allowed);
      for (double w : spec.thresholds)
        if (w == v) throw bad(allowed);
      spec.thresholds.push_back(v);
    }
  } else {
    throw InputError("unknown key '" + key + "'; allowed keys in [sweep]: " + kSweepKeys);
  }
}

// [sweep]: what runs, the protocols compared, seeds, the error column, trajectories and thresholds.
void read_sweep_table(const toml::value& root, const std::string& origin, SweepSpec& spec) {
  if (!root.contains("sweep")) return;
  const toml::value& s = root.at("sweep");
  if (!s.is_table()) throw InputError("sweep file " + origin + ": sweep is not a table; allowed: [sweep]");
  for (const auto& [name, value] : s.as_table()) read_sweep_key(name, value, spec);
}

// sweep.protocols and sweep.reference: known protocols, each once.
void check_protocols(const SweepSpec& spec) {
  const KeySpec& protocol_key = *find_key("curriculum.protocol");
  auto check_protocol = [&](const std::string& p, const std::string& where) {
    for (const auto& c : protocol_key.choices)
      if (c == p) return;
    throw InputError(where + " \"" + p + "\": unknown protocol; allowed: " + string_list(protocol_key.choices));
  };
  for (const auto& p : spec.protocols) check_protocol(p, "key 'sweep.protocols' entry");
  for (std::size_t i = 0; i < spec.protocols.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (spec.protocols[i] == spec.protocols[j])
        throw InputError("key 'sweep.protocols': \"" + spec.protocols[i] + "\" twice; allowed: distinct protocols");
  if (!spec.reference.empty()) check_protocol(spec.reference, "key 'sweep.reference' =");
}

// [[axis]], checked against --set (an axis key may not be set), each other and sweep.protocols.
void read_axes(const toml::value& root, const std::vector<std::string>& overrides, const std::string& origin,
               SweepSpec& spec) {
  if (root.contains("axis")) {
    const toml::value& axes = root.at("axis");
    if (!axes.is_array())
      throw InputError("sweep file " + origin + ": axis is not an array of tables; allowed: [[axis]]");
    for (std::size_t i = 0; i < axes.as_array().size(); ++i)
      spec.axes.push_back(parse_axis(axes.as_array()[i], i + 1, spec.base));
  }
  // A --set on a key that is an axis would be overridden at every point without a word: refused.
  for (const auto& o : overrides) {
    const std::string key = read_setting(o).key;
    for (std::size_t a = 0; a < spec.axes.size(); ++a)
      if (spec.axes[a].key == key) {
        std::string values;
        for (const auto& v : spec.axes[a].values) values += (values.empty() ? "" : ", ") + label_of(v);
        throw InputError("--set " + o + ": key '" + key + "' is axis " + std::to_string(a + 1) +
                         " of the sweep (values " + values +
                         "), which sets it at every point; allowed: --set on keys that are not axes, or change the "
                         "axis in " +
                         origin);
      }
  }
  spec.overrides = overrides;
  for (std::size_t i = 0; i < spec.axes.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (spec.axes[i].key == spec.axes[j].key)
        throw InputError(spec.axes[i].origin + ": the key is already " + spec.axes[j].origin +
                         "; allowed: each key on one axis");
  for (const auto& axis : spec.axes) {
    if (axis.key != "curriculum.protocol") continue;
    spec.protocol_axis = true;
    if (!spec.protocols.empty())
      throw InputError(axis.origin +
                       ": curriculum.protocol is an axis and sweep.protocols is set; allowed: one of "
                       "the two");
  }
}

// The grid: zip groups vary together; groups in order of first appearance, the first varying slowest.
void expand_grid(const std::string& origin, SweepSpec& spec) {
  std::vector<std::vector<std::size_t>> groups;
  std::map<std::string, std::size_t> group_of;
  for (std::size_t i = 0; i < spec.axes.size(); ++i) {
    const auto& z = spec.axes[i].zip;
    if (!z.empty() && group_of.count(z)) {
      const auto& first = spec.axes[groups[group_of[z]][0]];
      if (first.values.size() != spec.axes[i].values.size())
        throw InputError(spec.axes[i].origin + ": zip group '" + z + "' of unequal lengths: " +
                         std::to_string(spec.axes[i].values.size()) + " values, but " + first.origin + " has " +
                         std::to_string(first.values.size()) + "; allowed: axes of one zip group have equal lengths");
      groups[group_of[z]].push_back(i);
      continue;
    }
    if (!z.empty()) group_of[z] = groups.size();
    groups.push_back({i});
  }
  double total = 1;
  for (const auto& g : groups) total *= double(spec.axes[g[0]].values.size());
  if (total > 1e7)
    throw InputError("sweep file " + origin + ": " + format_number(total) + " points; allowed: at most 10^7");
  const std::size_t n = std::size_t(total);
  spec.points.resize(n);
  for (std::size_t index = 0; index < n; ++index) {
    SweepPoint& p = spec.points[index];
    p.index = index;
    p.seed = spec.derived_seeds ? point_seed(spec.seed, index) : spec.base.integer("seed");
    p.settings.push_back({"seed", toml::value(static_cast<std::int64_t>(p.seed))});  // as "seed=N" reads
    std::vector<std::size_t> at(spec.axes.size());
    std::size_t rest = index;
    for (std::size_t g = groups.size(); g-- > 0;) {
      const std::size_t len = spec.axes[groups[g][0]].values.size();
      for (std::size_t a : groups[g]) at[a] = rest % len;
      rest /= len;
    }
    for (std::size_t a = 0; a < spec.axes.size(); ++a) {
      p.settings.push_back(spec.axes[a].settings[at[a]]);
      p.labels.push_back(label_of(spec.axes[a].values[at[a]]));
    }
  }
}

// Everything that determines the table, as text (its hash names the sweep).
std::string canonical_text(const SweepSpec& spec) {
  std::ostringstream c;
  c << "tilt sweep 1\nrun = " << sweep_run_name(spec.run) << "\nprotocols = " << string_list(spec.protocols)
    << "\nreference = " << spec.reference << "\nseed = " << spec.seed
    << "\npoint_seeds = " << (spec.derived_seeds ? "derived" : "base") << "\ncolumn = " << spec.column
    << "\ntrajectories = " << spec.trajectories << "\n";
  if (!spec.thresholds.empty()) {  // only when set, so the hash of every older sweep is unchanged
    c << "thresholds =";
    for (double x : spec.thresholds) c << " " << format_number(x);
    c << "\n";
  }
  for (const auto& axis : spec.axes) {
    c << "axis " << axis.key << " zip '" << axis.zip << "':";
    for (const auto& v : axis.values) c << " " << show_value(v);
    c << "\n";
  }
  c << "[base]" << spec.base.to_toml();
  return c.str();
}

}  // namespace

SweepSpec SweepSpec::from_file(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream file(path);
  if (!file) throw InputError("cannot open sweep file '" + path + "': " + std::strerror(errno));
  std::stringstream text;
  text << file.rdbuf();
  const std::string folder = std::filesystem::path(path).parent_path().string();
  return from_text(text.str(), overrides, path, folder.empty() ? "." : folder);
}

SweepSpec SweepSpec::from_text(const std::string& text, const std::vector<std::string>& overrides,
                               const std::string& origin, const std::string& folder) {
  const toml::value root = parse_sweep_root(text, origin);
  SweepSpec spec;
  spec.path = origin;
  spec.base = read_base(root, overrides, origin, folder);
  read_sweep_table(root, origin, spec);
  check_protocols(spec);
  read_axes(root, overrides, origin, spec);
  expand_grid(origin, spec);
  spec.canonical = canonical_text(spec);
  spec.hash = fnv1a(spec.canonical);
  return spec;
}

std::vector<std::string> SweepSpec::slots() const {
  std::vector<std::string> out;
  if (protocol_axis)
    out.push_back("run");
  else if (!protocols.empty())
    out = protocols;
  else
    out.push_back(base.string("curriculum.protocol"));
  if (!reference.empty()) {
    bool present = false;
    for (const auto& s : out) present = present || s == reference;
    if (!present) out.push_back(reference);
  }
  return out;
}

Config SweepSpec::experiment(const SweepPoint& point, const std::string& slot,
                             const std::vector<Setting>& extra) const {
  // Settings, not KEY=VALUE text: reading the text again at every point cost as much as a perceptron point's ODE.
  // The values are what --set reads from "curriculum.protocol=SLOT" (a protocol name is unquoted text) and
  // "theory.ensemble=1".
  std::vector<Setting> o = point.settings;
  if (slot != "run") o.push_back({"curriculum.protocol", toml::value(slot)});
  if (run == SweepRun::Theory) o.push_back({"theory.ensemble", toml::value(std::int64_t(1))});
  for (const auto& x : extra) o.push_back(x);
  return base.with_settings(o);
}

ResolvedExperiment SweepSpec::resolved(const SweepPoint& point, const std::string& slot,
                                       const std::vector<Setting>& extra) const {
  return resolve(experiment(point, slot, extra));
}

double SweepSpec::relative_cost(const ResolvedExperiment& e) const {
  // The ODE's cost grows with its state (pairs of units); an SGD run's with the multiply-adds of a step.
  const ModelDescriptor& model = *e.model;
  const double size = model.state_size(e);
  const double step = model.sgd_step_multiply_adds ? model.sgd_step_multiply_adds(e) : double(e.sim.d);
  double members = 1, sim = 0;
  switch (run) {
    case SweepRun::Theory:
      break;
    case SweepRun::TheoryEnsemble:
      members = double(e.theory.ensemble);
      break;
    case SweepRun::Sim:
      sim = double(e.sim.seeds);
      members = 0;
      break;
    case SweepRun::Validate:
      sim = double(e.sim.seeds);
      members = sim;
      break;
  }
  // Theory: ~ state size per unit time; SGD: d steps of `step` multiply-adds per unit time. Relative weights with
  // a rough exchange rate between the two, not seconds.
  double cost = e.t_max * members * size;
  if (sim > 0) cost += e.t_max * sim * step * 0.5e-3;
  return cost;
}

}  // namespace tilt
