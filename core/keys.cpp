#include "core/keys.hpp"

#include <deque>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "core/config.hpp"
#include "core/model.hpp"

namespace tilt {
namespace keys {

double number(const toml::value& v) { return v.is_integer() ? double(v.as_integer()) : v.as_floating(); }

std::function<bool(const toml::value&)> greater(double lo) {
  return [lo](const toml::value& v) { return number(v) > lo; };
}
std::function<bool(const toml::value&)> at_least(double lo) {
  return [lo](const toml::value& v) { return number(v) >= lo; };
}
std::function<bool(const toml::value&)> between(double lo, double hi) {
  return [lo, hi](const toml::value& v) { return number(v) >= lo && number(v) <= hi; };
}

KeySpec real(std::string key, double fallback, std::string allowed, std::function<bool(const toml::value&)> check,
             std::string doc, std::string model) {
  return {std::move(key),
          KeyType::Real,
          toml::value(fallback),
          std::move(allowed),
          std::move(doc),
          std::move(model),
          std::move(check),
          {},
          "",
          nullptr,
          ""};
}
KeySpec integer(std::string key, long long fallback, std::string allowed, std::function<bool(const toml::value&)> check,
                std::string doc, std::string model) {
  return {std::move(key),
          KeyType::Integer,
          toml::value(fallback),
          std::move(allowed),
          std::move(doc),
          std::move(model),
          std::move(check),
          {},
          "",
          nullptr,
          ""};
}
KeySpec boolean(std::string key, bool fallback, std::string doc, std::string model) {
  return {std::move(key),
          KeyType::Boolean,
          toml::value(fallback),
          "true or false",
          std::move(doc),
          std::move(model),
          nullptr,
          {},
          "",
          nullptr,
          ""};
}
KeySpec choice(std::string key, std::string fallback, std::vector<std::string> choices, std::string doc,
               std::string model) {
  std::string allowed = "one of";
  for (std::size_t i = 0; i < choices.size(); ++i) allowed += (i ? ", " : " ") + choices[i];
  return {std::move(key),
          KeyType::String,
          toml::value(fallback),
          allowed,
          std::move(doc),
          std::move(model),
          nullptr,
          std::move(choices),
          "",
          nullptr,
          ""};
}
KeySpec text(std::string key, std::string fallback, std::string allowed, std::string doc, std::string model) {
  return {std::move(key),
          KeyType::String,
          toml::value(fallback),
          std::move(allowed),
          std::move(doc),
          std::move(model),
          nullptr,
          {},
          "",
          nullptr,
          ""};
}
KeySpec table(std::string key, std::string allowed, std::string doc, std::string model) {
  return {std::move(key),
          KeyType::Table,
          toml::value(toml::array{}),
          std::move(allowed),
          std::move(doc),
          std::move(model),
          nullptr,
          {},
          "",
          nullptr,
          ""};
}

KeySpec integers(std::string key, std::vector<long long> fallback, std::string allowed,
                 std::function<bool(const toml::value&)> check, std::string doc, std::string model) {
  toml::array values;
  for (long long x : fallback) values.push_back(toml::value(x));
  return {std::move(key),
          KeyType::Integers,
          toml::value(values),
          std::move(allowed),
          std::move(doc),
          std::move(model),
          std::move(check),
          {},
          "",
          nullptr,
          ""};
}

}  // namespace keys

namespace {
using namespace keys;

// The models that have a read-out layer (eta_v, weight_decay_v apply), as KeySpec::model lists them; "" would
// mean every model, so with none a name no model can have (model names have no spaces).
std::string readout_models() {
  std::string list;
  for (const ModelDescriptor* m : registered_models())
    if (m->has_readout) list += (list.empty() ? "" : ",") + m->name;
  return list.empty() ? "no model" : list;
}

// What validate.columns = "auto" compares, per model: "perceptron: eps, R, Q_i; xgm: ...".
std::string validation_column_sets() {
  std::string text;
  for (const ModelDescriptor* m : registered_models()) {
    text += (text.empty() ? "" : "; ") + m->name + ":";
    for (std::size_t i = 0; i < m->validation_columns.size(); ++i) text += (i ? ", " : " ") + m->validation_columns[i];
  }
  return text;
}

// The shared keys that another setting can make inert: the integrator's keys that the chosen integrator does not
// read, the output grid's keys of the other spacing, the initial-condition file without theory.init = "file".
// Each returns why (naming the setting that decides it and what to change), or "" when the key takes effect.
bool fixed_step(const Config& c) {
  const std::string& m = c.string("theory.method");
  return m == "rk4" || m == "euler";
}
bool sde(const Config& c) { return c.string("theory.noise") == "sde"; }
std::string quoted(const Config& c, const std::string& key) { return key + " = \"" + c.string(key) + "\""; }

void attach_inert(KeySpec& spec) {
  // Under theory.noise = "sde" the integrator keys still apply: validate runs the deterministic ODE beside it.
  const std::string& k = spec.key;
  if (k == "theory.rtol" || k == "theory.atol" || k == "theory.stop_at_outputs") {
    spec.inert_when = "theory.method is rk4 or euler";
    spec.inert = [](const Config& c) -> std::string {
      return fixed_step(c) ? quoted(c, "theory.method") +
                                 " takes fixed steps of theory.dt; set theory.dt instead, or an adaptive method "
                                 "(dopri5, rk45, rkck, rk8pd)"
                           : "";
    };
  } else if (k == "theory.dt") {
    spec.inert_when = "theory.method is adaptive (dopri5, rk45, rkck, rk8pd)";
    spec.inert = [](const Config& c) -> std::string {
      return fixed_step(c) ? ""
                           : quoted(c, "theory.method") +
                                 " chooses its own steps (theory.rtol, theory.atol); set theory.method = \"rk4\" "
                                 "or \"euler\" for fixed steps";
    };
  } else if (k == "theory.sde_dt" || k == "theory.sde_samples") {
    spec.inert_when = "theory.noise = \"none\"";
    spec.inert = [](const Config& c) -> std::string {
      return sde(c) ? "" : quoted(c, "theory.noise") + ": no stochastic theory runs; set theory.noise = \"sde\"";
    };
  } else if (k == "theory.init_file" || k == "theory.init_t") {
    spec.inert_when = "theory.init is not \"file\"";
    spec.inert = [](const Config& c) -> std::string {
      return c.string("theory.init") == "file"
                 ? ""
                 : quoted(c, "theory.init") + " does not read a file; set theory.init = \"file\"";
    };
  } else if (k == "output.t_min") {
    spec.inert_when = "output.spacing = \"linear\"";
    spec.inert = [](const Config& c) -> std::string {
      return c.string("output.spacing") == "log" ? "" : quoted(c, "output.spacing") + "; set output.spacing = \"log\"";
    };
  } else if (k == "output.every") {
    spec.inert_when = "output.points > 0";
    spec.inert = [](const Config& c) -> std::string {
      return c.integer("output.points") > 0 ? "output.points = " + std::to_string(c.integer("output.points")) +
                                                  " sets the grid; set output.points = 0 to use output.every"
                                            : "";
    };
  }
}

// A data table, not logic: one entry per key (name, default, allowed values, doc); its length is the key count.
std::vector<KeySpec> build_registry() {
  const std::vector<std::string>& models = model_names();
  std::vector<KeySpec> registry{
      choice("model", models.empty() ? "" : models.front(), models, "Which model to run (docs/models.md)."),
      integer("seed", 1, "0 to 2^63 - 1 = 9223372036854775807, with seed + members - 1 within it", at_least(0),
              "Master seed. Member i of an ensemble uses seed + i for its initial weights (unless sim.same_init) "
              "and for its SGD samples."),
      real("t_max", 12.0, "> 0", greater(0), "Training budget in t = samples/d (alpha in the perceptron papers)."),
      real("eta", 3.0, "> 0", greater(0), "First-layer learning rate; the SGD step is eta/d."),
      real("weight_decay", 0.0, ">= 0", at_least(0),
           "L2 weight decay lambda_w on the first layer: w <- w - (eta/d) lambda_w w per step. For the perceptron it "
           "adds to perceptron.l2."),
      real("blowup", 1e8, "> 0", greater(0),
           "Divergence bound: a state component (theory) or order parameter (simulation) of larger magnitude, or "
           "a non-finite one, stops the run with an error that says when it happened."),
      real("max_memory_gb", 0.0, ">= 0 (0: half of the physical memory)", at_least(0),
           "Memory guard: a run whose estimated memory (output rows x columns x members x 8 bytes, the CSV text, "
           "the simulated networks of sim.threads seeds at sim.d, the ODE work space) exceeds this many GB is "
           "refused before it starts (exit code 2)."),
      [] {
        KeySpec k = real("eta_v", 3.0, "> 0", greater(0),
                         "Read-out learning rate (models with a read-out); default: eta.", readout_models());
        k.default_from = "eta";
        return k;
      }(),
      real("weight_decay_v", 0.0, ">= 0", at_least(0), "L2 weight decay lambda_v on the read-out.", readout_models()),
      real("init_scale", 1.0, "> 0", greater(0), "First-layer weights start i.i.d. N(0, init_scale^2/d)."),

      choice("curriculum.protocol", "curriculum", {"curriculum", "anti", "shuffled", "easy", "hard", "custom"},
             "Order of easy and hard samples (docs/models.md section 1)."),
      real("curriculum.easy", 0.0, ">= 0", at_least(0),
           "Difficulty Delta of easy samples (variance of irrelevant inputs)."),
      real("curriculum.hard", 2.0, ">= 0", at_least(0), "Difficulty Delta of hard samples."),
      real("curriculum.easy_fraction", 0.5, "in [0, 1]", between(0, 1),
           "p_E: fraction of the budget (curriculum, anti) or probability of an easy sample (shuffled); also the "
           "weight of easy samples in the mixed test distribution."),
      table("curriculum.segments",
            "array of [start time, Delta] pairs, start times strictly increasing from 0, Delta >= 0",
            "Custom schedule (protocol = \"custom\"): piecewise-constant Delta."),

      choice("test.difficulty", "all", {"easy", "hard", "mix", "all"},
             "Test distribution of the `eps` and `loss` columns; `all` reports eps_easy, eps_hard and eps_mix and "
             "uses the mixture for `eps` and `loss`."),

      real("output.every", 0.25, "> 0", greater(0), "Output grid step in t (linear spacing)."),
      integer("output.points", 0, ">= 0", at_least(0),
              "Number of output times after t = 0; 0 means use output.every. Required for log spacing."),
      choice("output.spacing", "linear", {"linear", "log"}, "Spacing of the output grid when output.points > 0."),
      real("output.t_min", 0.01, "> 0", greater(0), "First non-zero output time for log spacing."),

      choice("theory.method", "dopri5", {"dopri5", "rk45", "rkck", "rk8pd", "rk4", "euler"},
             "ODE integrator. Adaptive (step chosen by the error control for rtol/atol, exact stops only at "
             "switches and t_max, output inside a step from a continuous extension of the method's order): dopri5 "
             "(Dormand-Prince 5(4), PI step control, 4th-order dense output at no extra cost), rk45 "
             "(Runge-Kutta-Fehlberg 4(5)), rkck (Cash-Karp 4(5)), rk8pd (Prince-Dormand 8(9)); for these GSL "
             "methods each output inside a step costs one extra step of the method from the step's start. rk4 and "
             "euler take fixed steps of theory.dt and stop at every output time (for comparison)."),
      real(
          "theory.rtol", 1e-8, "in (0, 0.1]", [](const toml::value& v) { return number(v) > 0 && number(v) <= 0.1; },
          "Relative tolerance of the adaptive integrators."),
      real("theory.atol", 1e-10, "> 0", greater(0), "Absolute tolerance of the adaptive integrators."),
      real("theory.dt", 0.01, "> 0", greater(0), "Step of the fixed-step integrators (rk4, euler)."),
      boolean("theory.stop_at_outputs", false,
              "Adaptive methods: also stop exactly at every output time, which caps the step at the output "
              "interval (the behaviour before dense output; for reference solutions and comparisons)."),
      integer("theory.max_steps", 10000000, ">= 1", at_least(1),
              "Step guard: an integration (one theory member) that has attempted this many steps (accepted and "
              "rejected) stops with exit code 1, the time it reached and the likely cause."),
      real("theory.min_step", 1e-14, "> 0", greater(0),
           "Step guard: an adaptive integration whose error control asks for a smaller step (or whose step no "
           "longer advances t) stops with exit code 1, the time it reached and the likely cause. 1e-14 is 1e14 "
           "steps per unit of t, which no run could finish; the fastest transient of a run that does finish "
           "(the perceptron at eta = 1e6 in its first instants) needs steps of ~1e-11."),
      choice("theory.noise", "none", {"none", "sde"},
             "`none`: the deterministic ODE (exact as d -> infinity). `sde`: the finite-d stochastic theory "
             "(docs/theory/escape.md), dX = F dt + d^(-1/2) B dW with B B^T the per-sample covariance of the SGD "
             "increments, at d = sim.d; each member draws its own noise path (stream seed + member), so a theory "
             "ensemble is a twin of an SGD ensemble in distribution. Fixed steps of theory.sde_dt (the adaptive "
             "method keys do not apply). Models xgm and perceptron (without perceptron.coupling)."),
      real("theory.sde_dt", 0.02, "> 0", greater(0),
           "Step of the stochastic theory (theory.noise = \"sde\"; stochastic Heun, shortened to stop exactly at "
           "switches and output times). 0.02: without noise the escape time of examples/xgm_escape.toml moves by "
           "1e-4 against dopri5 (docs/theory/escape.md)."),
      integer("theory.sde_samples", 16, ">= 2", at_least(2),
              "Sampled increments per step of the stochastic theory whose sample covariance sets that step's noise "
              "(its mean is the exact per-sample covariance for any value; cost O(samples K^2) per step, "
              "independent of d)."),
      choice("theory.init", "sampled", {"sampled", "nominal", "file"},
             "Initial order parameters: `sampled` = those of the simulation's initial weights for the seed at "
             "dimension sim.d; `nominal` = their d -> infinity values; `file` = a row of theory.init_file."),
      text("theory.init_file", "", "path to a CSV written by tilt (or with the same column names)",
           "CSV holding the initial order parameters (theory.init = \"file\")."),
      real(
          "theory.init_t", -1.0, "a time present in theory.init_file, or -1 for its first row",
          [](const toml::value& v) { return number(v) >= 0 || number(v) == -1; },
          "Which row of theory.init_file to start from; the run starts at t = 0 regardless."),
      integer("theory.ensemble", 1, ">= 1", at_least(1),
              "Theory ensemble: integrate from the initial conditions of seeds seed, seed+1, ... and report mean "
              "and standard error (the twin of a simulation with sim.same_init = false). `tilt validate` ignores it: "
              "its theory twin follows sim.seeds and sim.same_init."),

      integer("sim.d", 2000, ">= 2", at_least(2), "Input dimension d (N for the perceptron)."),
      integer("sim.seeds", 10, ">= 1", at_least(1), "Number of SGD runs in the ensemble."),
      real("sim.max_steps", 1e12, ">= 1", at_least(1),
           "Step guard of the simulation: at most this many SGD steps (round(t_max * sim.d)) per seed; a larger "
           "run is refused before it starts (exit code 2)."),
      integer("sim.threads", 0, ">= 0", at_least(0),
              "Threads for ensembles (simulation seeds and theory members); 0 = all cores. Never changes results."),
      boolean("sim.same_init", true,
              "true: every run starts from the initial weights (and teacher) of `seed` and only the SGD samples "
              "differ, so the ensemble mean is compared with one ODE. false: run i starts from those of seed + i."),

      real(
          "metrics.eps_star", 0.05, "in (0, 1)", [](const toml::value& v) { return number(v) > 0 && number(v) < 1; },
          "Threshold eps* of the derived metrics (docs/models.md section 5): time to threshold t* (first eps <= eps*, "
          "interpolated) and success (eps(t_max) <= eps*)."),
      real(
          "validate.alpha", 0.01, "in (0, 0.5)", [](const toml::value& v) { return number(v) > 0 && number(v) < 0.5; },
          "False-alarm rate of the whole `tilt validate` verdict, split evenly over the tests it runs (bias of the "
          "mean; the lottery when members have their own initial conditions; tracking with --scaling)."),
      text("validate.columns", "auto", "auto, all, or a comma-separated list of output columns",
           "Columns the bias test compares. auto = the model's pre-registered set (" + validation_column_sets() + ")."),
      real(
          "validate.tolerance", 0.05, "in (0, 1]", [](const toml::value& v) { return number(v) > 0 && number(v) <= 1; },
          "Resolution the verdict must have, as a fraction of each compared column's scale (the largest RMS over "
          "members of its theory value in the window): when the test would not catch a shift of that size with 90% "
          "probability the "
          "verdict is INCONCLUSIVE, never CONSISTENT."),
      real("validate.t_from", 0.0, ">= 0", at_least(0), "Start of the time window the validation compares."),
      real(
          "validate.t_to", -1.0, "-1 (= t_max) or > validate.t_from",
          [](const toml::value& v) { return number(v) == -1 || number(v) > 0; },
          "End of the time window the validation compares; -1 = t_max."),
      integer("validate.resamples", 20000, ">= 100", at_least(100),
              "Sign patterns drawn to calibrate the bias statistics when the 2^(S-1) patterns of S members are "
              "more than this (otherwise all are enumerated: exact)."),

      text("optimize.objective", "eps", "an output column of the model (tilt ode's CSV header), e.g. eps_mix",
           "`tilt optimize`: the column minimised at t_max (docs/optimize.md). The budget is "
           "curriculum.easy_fraction: the easy share u(t) of the samples has mean p_E over [0, t_max]."),
      choice("optimize.goal", "final", {"final", "time_to_threshold"},
             "`tilt optimize`: final minimises optimize.objective at t_max; time_to_threshold minimises t*, the "
             "horizon T at which the best schedule under the budget p_E T first brings optimize.objective down to "
             "optimize.threshold (a scan of 8 horizons up to t_max, then bisection to 1e-6 t_max, each horizon a "
             "final-value problem; docs/optimize.md). The fixed protocols' t* are found alike."),
      real("optimize.threshold", 0.0, ">= 0 (0: metrics.eps_star)", at_least(0),
           "`tilt optimize` with optimize.goal = \"time_to_threshold\": the value of optimize.objective to reach; 0 "
           "takes metrics.eps_star."),
      integer("optimize.pieces", 120, ">= 2", at_least(2),
              "`tilt optimize`: the control u(t) is piecewise constant on this many equal pieces."),
      integer("optimize.steps", 4, ">= 1", at_least(1),
              "`tilt optimize`: classical RK4 steps per piece in the gradient stage (the gradient is that of this "
              "discrete scheme, exact up to the Jacobian products)."),
      choice("optimize.gradient", "auto", {"auto", "adjoint", "forward"},
             "`tilt optimize`: how the gradient of the discrete objective is computed. adjoint: discrete adjoint of "
             "RK4, one vector-Jacobian product per stage (the model's closed-form Jacobian, or 2n right-hand sides "
             "by central differences, n the state size); forward: forward sensitivities of RK4 for the pieces "
             "already started (2 right-hand sides per stage and started piece by central directional differences); "
             "auto: adjoint for a model with a closed-form Jacobian, else forward when optimize.pieces + 1 < 2n, "
             "else adjoint (docs/optimize.md)."),
      integer("optimize.starts", 4, ">= 1", at_least(1),
              "`tilt optimize`: starts of the projected-gradient method: shuffled, curriculum, anti-curriculum, "
              "then uniform random schedules drawn from `seed`."),
      integer("optimize.iterations", 400, ">= 1", at_least(1),
              "`tilt optimize`: most projected-gradient iterations per start."),
      real("optimize.tolerance", 1e-11, "> 0", greater(0),
           "`tilt optimize`: a start stops after three iterations that each lower the objective by less than "
           "tolerance * (1 + |J|)."),
      integer("optimize.max_switches", 3, ">= 1", at_least(1),
              "`tilt optimize` with consolidation (perceptron.coupling > 0, which re-anchors at every switch): "
              "the search covers bang-bang schedules with 1 .. max_switches switches, both orders."),
      boolean("optimize.refine", true,
              "`tilt optimize`: refine the switch times of a bang-bang optimum with the production integrator "
              "(theory.method, theory.rtol) under the budget."),

  };
  for (auto& spec : registry) attach_inert(spec);
  for (const ModelDescriptor* m : registered_models())
    for (auto& spec : m->keys()) registry.push_back(std::move(spec));
  return registry;
}

}  // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const ModelDescriptor* m : registered_models()) names.push_back(m->name);
  return names;
}

void check_model(const Config& config) { (void)model_of(config).parameters(config); }

bool key_applies(const KeySpec& spec, const std::string& model) {
  if (spec.model.empty()) return true;
  // One entry of the comma-separated list equal to `model`, compared in place: this runs for every key of every
  // resolved experiment (a sweep resolves one per point), where building strings showed in the profile.
  for (std::size_t start = 0;;) {
    const std::size_t comma = spec.model.find(',', start);
    const std::size_t end = comma == std::string::npos ? spec.model.size() : comma;
    if (spec.model.compare(start, end - start, model) == 0) return true;
    if (comma == std::string::npos) return false;
    start = comma + 1;
  }
}

namespace {

// One version of the registry with an index by name: find_key runs for every key of every resolved experiment.
struct RegistryVersion {
  std::vector<KeySpec> keys;
  std::unordered_map<std::string, std::size_t> index;  // the first entry of each name
};

const RegistryVersion& current_registry() {
  // Rebuilt when a model is registered; earlier versions stay alive, so references handed out remain valid.
  static std::mutex mutex;
  static std::deque<RegistryVersion> versions;
  static unsigned built_for = 0;
  const std::lock_guard<std::mutex> lock(mutex);
  const unsigned generation = model_registry_generation();
  if (versions.empty() || built_for != generation) {
    RegistryVersion v{build_registry(), {}};
    for (std::size_t i = 0; i < v.keys.size(); ++i) v.index.emplace(v.keys[i].key, i);
    versions.push_back(std::move(v));
    built_for = generation;
  }
  return versions.back();
}

}  // namespace

const std::vector<KeySpec>& key_registry() { return current_registry().keys; }

std::vector<std::string> inert_settings(const Config& config) {
  std::vector<std::string> out;
  for (const auto& key : config.given()) {
    const KeySpec* spec = find_key(key);
    if (!spec || !spec->inert || !config.has(key)) continue;
    // A default written out (`tilt config` prints every key, and its output is an experiment file) is no setting.
    if (show_value(config.values().at(key)) == show_value(spec->fallback)) continue;
    const std::string why = spec->inert(config);
    if (!why.empty())
      out.push_back("key '" + key + "' = " + show_value(config.values().at(key)) + " has no effect: " + why);
  }
  return out;
}

const KeySpec* find_key(const std::string& key) {
  const RegistryVersion& r = current_registry();
  const auto it = r.index.find(key);
  return it == r.index.end() ? nullptr : &r.keys[it->second];
}

std::string type_name(KeyType type) {
  switch (type) {
    case KeyType::Real:
      return "number";
    case KeyType::Integer:
      return "integer";
    case KeyType::Boolean:
      return "boolean";
    case KeyType::String:
      return "string";
    case KeyType::Table:
      return "array";
    case KeyType::Integers:
      return "integers";
  }
  return "?";
}

std::string config_reference_markdown() {
  std::ostringstream out;
  out << "# Experiment keys\n\n"
      << "Generated by `tilt config --reference` from the key registry (core/keys.cpp and each model's descriptor,\n"
      << "models/<model>.cpp); do not edit by hand.\n"
      << "Every key can be set in the experiment file (dotted keys live in the TOML table before the dot) or on\n"
      << "the command line with `--set KEY=VALUE`. Unknown keys, wrong types and values outside the allowed range\n"
      << "are rejected with exit code 2.\n\n"
      << "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
  for (const auto& spec : key_registry()) {
    std::string fallback = show_value(spec.fallback);
    if (spec.type == KeyType::Table) fallback = "(none)";
    if (!spec.default_from.empty()) fallback = "= " + spec.default_from;
    out << "| `" << spec.key << "` | " << type_name(spec.type) << (spec.model.empty() ? "" : " (" + spec.model + ")")
        << " | `" << fallback << "` | " << spec.allowed << " | " << spec.doc
        << (spec.inert_when.empty() ? "" : " No effect when " + spec.inert_when + " (a warning says so).") << " |\n";
  }
  return out.str();
}

}  // namespace tilt
