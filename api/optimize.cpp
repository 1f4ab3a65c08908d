// `tilt optimize`: the best schedule of easy and hard samples under a budget (theory/optimize.hpp,
// docs/optimize.md), written as a curriculum.segments table that `tilt ode`, `sim` and `sweep` accept unchanged.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "api/commands.hpp"
#include "core/columns.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/limits.hpp"
#include "models/builtin.hpp"
#include "theory/optimize.hpp"
#include "theory/run.hpp"

namespace tilt {
namespace {

Config load_experiment(const Experiment& experiment) {
  register_builtin_models();
  if (!experiment.file.empty()) return Config::from_file(experiment.file, experiment.overrides);
  return Config::from_text(experiment.text, experiment.overrides, experiment.origin);
}

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Everything optimize needs, checked before any work: a budget that leaves a choice, two different difficulties,
// an objective column the model writes, one deterministic member.
void check_optimize(const Config& config, const ResolvedExperiment& e, const std::vector<std::string>& columns) {
  const double pE = config.real("curriculum.easy_fraction");
  if (!(pE > 0) || !(pE < 1))
    throw InputError("key 'curriculum.easy_fraction' = " + format_number(pE) + ": the budget (p_E t_max easy time) " +
                     (pE > 0 ? "takes every sample" : "is empty") +
                     ", which leaves one schedule and nothing to optimise; allowed: 0 < p_E < 1 with tilt optimize");
  if (config.real("curriculum.easy") == config.real("curriculum.hard"))
    throw InputError("key 'curriculum.hard' = " + format_number(config.real("curriculum.hard")) +
                     " equals curriculum.easy: every schedule is the same; allowed: a difficulty other than "
                     "curriculum.easy with tilt optimize");
  const std::string objective = config.string("optimize.objective");
  if (std::find(columns.begin(), columns.end(), objective) == columns.end())
    throw InputError("key 'optimize.objective' = \"" + objective + "\": model " + config.string("model") +
                     " does not write this column; allowed: " + list(columns));
  if (config.string("theory.noise") != "none")
    throw InputError("key 'theory.noise' = \"" + config.string("theory.noise") +
                     "\": tilt optimize needs the deterministic ODE; allowed: \"none\"");
  if (e.model->optimize_check) e.model->optimize_check(e);
}

// The arcs as curriculum.segments rows [start, Delta]. A singular arc (an interior easy share u on a piece) is
// written as easy for u of the piece, then hard: the chattering schedule that SGD can run, whose objective
// approaches the mixture's as the pieces shrink.
std::vector<std::pair<double, double>> segments_of(const std::vector<Arc>& arcs, double t_max, double easy,
                                                   double hard) {
  std::vector<std::pair<double, double>> rows;
  auto push = [&](double t, double delta) {
    if (!rows.empty() && rows.back().second == delta) return;
    if (!rows.empty() && !(t > rows.back().first)) {
      rows.back().second = delta;
      if (rows.size() >= 2 && rows[rows.size() - 2].second == delta) rows.pop_back();
      return;
    }
    if (t < t_max) rows.push_back({t, delta});
  };
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    const double end = i + 1 < arcs.size() ? arcs[i + 1].start : t_max;
    const double u = arcs[i].u;
    if (u >= 1) {
      push(arcs[i].start, easy);
    } else if (u <= 0) {
      push(arcs[i].start, hard);
    } else {
      push(arcs[i].start, easy);
      push(arcs[i].start + u * (end - arcs[i].start), hard);
    }
  }
  return rows;
}

std::string segments_toml(const std::vector<std::pair<double, double>>& rows) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i)
    out += (i ? ", [" : "[") + format_number(rows[i].first) + ", " + format_number(rows[i].second) + "]";
  return out + "]";
}

Table csv_table(const std::vector<std::string>& columns, const std::vector<std::vector<double>>& values) {
  Table t;
  t.columns = columns;
  t.values = values;
  for (std::size_t j = 0; j < columns.size(); ++j) t.csv += (j ? "," : "") + columns[j];
  t.csv += "\n";
  const std::size_t rows = values.empty() ? 0 : values[0].size();
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < columns.size(); ++j) t.csv += (j ? "," : "") + format_number(values[j][i]);
    t.csv += "\n";
  }
  return t;
}

// The control problem; with theory.ensemble = M > 1 (the lottery) the initial states of the M members, whose
// mean objective is minimised (the members of `tilt ode`: theory.init for seed, seed + 1, ...).
ControlProblem control_problem(const Config& config, const ResolvedExperiment& e, const TheoryProblem& theory,
                               const std::vector<std::string>& columns) {
  ControlProblem problem;
  problem.model = theory.model.get();
  problem.y0 = theory.y0;
  const long long M = config.integer("theory.ensemble");
  if (M > 1) {
    problem.members.push_back(theory.y0);
    for (long long m = 1; m < M; ++m) problem.members.push_back(make_theory_problem(e, m).y0);
  }
  problem.t_max = config.real("t_max");
  problem.easy = config.real("curriculum.easy");
  problem.hard = config.real("curriculum.hard");
  problem.budget = config.real("curriculum.easy_fraction");
  const std::string objective = config.string("optimize.objective");
  problem.objective = std::size_t(std::find(columns.begin(), columns.end(), objective) - columns.begin());
  problem.anchor_at_switches = problem.model->anchors_at_switches();
  return problem;
}

OptimizeOptions optimize_options(const Config& config, const ResolvedExperiment& e) {
  OptimizeOptions options;
  options.grid.pieces = std::size_t(config.integer("optimize.pieces"));
  options.grid.steps = std::size_t(config.integer("optimize.steps"));
  const std::string gradient = config.string("optimize.gradient");
  options.grid.gradient = gradient == "adjoint"   ? GradientMethod::Adjoint
                          : gradient == "forward" ? GradientMethod::Forward
                                                  : GradientMethod::Auto;
  options.starts = int(config.integer("optimize.starts"));
  options.max_iterations = int(config.integer("optimize.iterations"));
  options.tolerance = config.real("optimize.tolerance");
  options.seed = static_cast<unsigned long long>(config.integer("seed"));
  options.refine = config.boolean("optimize.refine");
  options.max_switches = int(config.integer("optimize.max_switches"));
  options.integrator = integrator_options(e);
  return options;
}

const std::vector<std::string> kFixed = {"curriculum", "anti", "shuffled"};

// The fixed protocols (kFixed) at the same budget, by the production integrator.
std::vector<double> fixed_objectives(const Config& config, const ControlProblem& problem,
                                     const IntegratorOptions& integrator) {
  std::vector<double> values;
  for (const auto& protocol : kFixed) {
    const Config c = config.with({"curriculum.protocol=" + protocol, "curriculum.segments=[]"});
    values.push_back(schedule_objective(problem, resolve(c).schedule, integrator));
  }
  return values;
}

// The optimal schedule as the experiment `tilt ode`, `tilt sim` and `tilt sweep` take.
struct OptimalSchedule {
  std::vector<std::pair<double, double>> rows;  // curriculum.segments
  std::string segments;                         // the same as TOML
  // One arc at the budget's share is the shuffled protocol (consolidation's search may find it best: without a
  // switch nothing anchors), which the segments cannot hold.
  bool shuffled = false;
  Config config;
};

OptimalSchedule optimal_schedule(const Config& config, const OptimizeResult& r, const ControlProblem& problem) {
  OptimalSchedule o;
  o.rows = segments_of(r.arcs, problem.t_max, problem.easy, problem.hard);
  o.segments = segments_toml(o.rows);
  o.shuffled = r.arcs.size() == 1 && r.arcs[0].u > 0 && r.arcs[0].u < 1;
  o.config = o.shuffled ? config.with({"curriculum.protocol=shuffled", "curriculum.segments=[]"})
                        : config.with({"curriculum.protocol=custom", "curriculum.segments=" + o.segments});
  return o;
}

Table trajectory_table(const Trajectory& trajectory) {
  Table t;
  t.columns.push_back("t");
  t.values.push_back(trajectory.times);
  for (std::size_t j = 0; j < trajectory.columns.size(); ++j) {
    t.columns.push_back(trajectory.columns[j]);
    std::vector<double> column;
    for (const auto& row : trajectory.rows) column.push_back(row[j]);
    t.values.push_back(column);
  }
  t.csv = to_csv(trajectory);
  return t;
}

// The piecewise optimum and its switching function; after consolidation's switch search (no piecewise stage),
// the easy share of each piece under the optimal arcs, and no switching function.
Table control_table(const OptimizeResult& r, const OptimizeOptions& options, const ControlProblem& problem) {
  const double w = options.grid.width(problem);
  std::vector<double> starts, ends;
  for (std::size_t j = 0; j < options.grid.pieces; ++j) {
    starts.push_back(double(j) * w);
    ends.push_back(double(j + 1) * w);
  }
  std::vector<double> u = r.starts.at(r.best).u, switching = r.switching;
  if (u.size() != options.grid.pieces) {
    u.assign(options.grid.pieces, 0.0);
    switching.assign(options.grid.pieces, std::nan(""));
    for (std::size_t j = 0; j < options.grid.pieces; ++j)
      for (std::size_t i = 0; i < r.arcs.size(); ++i) {
        const double a = std::max(starts[j], r.arcs[i].start);
        const double b = std::min(ends[j], i + 1 < r.arcs.size() ? r.arcs[i + 1].start : problem.t_max);
        if (b > a) u[j] += r.arcs[i].u * (b - a) / w;
      }
  }
  Table t = csv_table({"t_start", "t_end", "u", "switching"}, {starts, ends, u, switching});
  t.name = "control";
  return t;
}

Table compare_table(const std::string& objective, double optimal, const std::vector<double>& fixed) {
  const std::vector<double> values = {optimal, fixed[0], fixed[1], fixed[2]};
  Table t = csv_table({"protocol", objective}, {std::vector<double>(4, std::nan("")), values});
  t.name = "compare";
  t.csv = "protocol," + objective + "\noptimal," + format_number(values[0]) + "\ncurriculum," +
          format_number(values[1]) + "\nanti," + format_number(values[2]) + "\nshuffled," + format_number(values[3]) +
          "\n";
  return t;
}

// The record's description of the optimum: its arcs, switch times, segments and the starts that led there.
void record_optimum(const OptimizeResult& r, const OptimalSchedule& optimal, double t_max, nlohmann::json* record) {
  nlohmann::json arcs = nlohmann::json::array();
  for (std::size_t i = 0; i < r.arcs.size(); ++i)
    arcs.push_back({{"start", r.arcs[i].start},
                    {"end", i + 1 < r.arcs.size() ? r.arcs[i + 1].start : t_max},
                    {"u", r.arcs[i].u},
                    {"singular", r.arcs[i].singular}});
  (*record)["arcs"] = arcs;
  (*record)["bang_bang"] = r.bang_bang;
  (*record)["refined"] = r.refined;
  (*record)["refine_evaluations"] = r.refine_evaluations;
  nlohmann::json switches = nlohmann::json::array();
  for (std::size_t i = 1; i < r.arcs.size(); ++i)
    if (!r.arcs[i].singular && !r.arcs[i - 1].singular) switches.push_back(r.arcs[i].start);
  (*record)["switch_times"] = switches;
  nlohmann::json segment_rows = nlohmann::json::array();
  if (!optimal.shuffled)
    for (const auto& row : optimal.rows) segment_rows.push_back({row.first, row.second});
  (*record)["protocol"] = optimal.shuffled ? "shuffled" : "custom";
  (*record)["segments"] = segment_rows;
  (*record)["set"] = optimal.shuffled
                         ? std::string("--set curriculum.protocol=shuffled")
                         : "--set curriculum.protocol=custom --set 'curriculum.segments=" + optimal.segments + "'";
  (*record)["budget_multiplier"] = r.multiplier;
  nlohmann::json st = nlohmann::json::array();
  for (const auto& s : r.starts)
    st.push_back({{"start", s.name},
                  {"objective", json_number(s.objective)},
                  {"iterations", s.iterations},
                  {"evaluations", s.evaluations},
                  {"failed_trials", s.failed_trials},
                  {"stationarity", s.stationarity}});
  (*record)["starts"] = st;
  const StartResult& best = r.starts.at(r.best);
  (*record)["best_start"] = best.name;
  (*record)["starts_agreeing"] = r.agreeing;
  (*record)["iterations"] = best.iterations;
  (*record)["gradient_norm"] = best.stationarity;
}

nlohmann::json method_json(const Config& config, const OptimizeResult& r, const OptimizeOptions& options,
                           const ControlProblem& problem) {
  const GradientMethod gradient = resolved_gradient(problem, options.grid);
  const bool closed_form = problem.model->jacobian(problem.easy, 0, problem.y0.data(),
                                                   std::vector<double>(problem.y0.size() * problem.y0.size()).data());
  const std::string products = closed_form ? "the model's closed-form Jacobian" : "central differences of the rhs";
  return {{"stage", r.method},
          {"pieces", options.grid.pieces},
          {"rk4_steps_per_piece", options.grid.steps},
          {"gradient", gradient_name(gradient)},
          {"gradient_detail", gradient == GradientMethod::Forward
                                  ? "forward sensitivities of RK4; Jacobian-vector products by " + products
                                  : "discrete adjoint of RK4; vector-Jacobian products by " + products},
          {"optimiser", "projected gradient, Armijo search, budget multiplier by bisection"},
          {"refine", "Nelder-Mead on the free switch times, production integrator"},
          {"max_switches", options.max_switches},
          {"integrator", config.string("theory.method")},
          {"rtol", config.real("theory.rtol")},
          {"atol", config.real("theory.atol")}};
}

// A local method with few starts or iterations can end above a fixed protocol (`beaten`): say so, never hide it.
std::string optimize_report(const std::string& objective, double budget, const OptimizeResult& r,
                            const std::vector<double>& fixed_values, bool beaten, const OptimalSchedule& optimal) {
  std::string report = "tilt optimize: " + objective +
                       "(t_max) minimised over the easy share u(t), budget p_E = " + format_number(budget) + "\n";
  report += "  optimal     " + format_number(r.objective) + "   (" + std::to_string(r.agreeing) + " of " +
            std::to_string(r.starts.size()) + " starts agree; " + (r.bang_bang ? "bang-bang" : "singular arcs") + ")\n";
  for (std::size_t i = 0; i < kFixed.size(); ++i)
    report += "  " + kFixed[i] + std::string(12 - kFixed[i].size(), ' ') + format_number(fixed_values[i]) + "\n";
  if (beaten)
    report +=
        "  warning: a fixed protocol is better than the optimiser's result; raise optimize.starts or "
        "optimize.iterations\n";
  report += optimal.shuffled ? std::string("  protocol    shuffled (no switch)\n")
                             : "  segments    " + optimal.segments + "\n";
  return report;
}

// A real for a --set override: the shortest round-trip form, with a decimal point so that TOML reads a float.
std::string toml_real(double x) {
  std::string s = format_number(x);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// optimize.goal = "time_to_threshold" (theory/optimize.hpp, first_horizon): t* of the optimum and of each fixed
// protocol (the protocol stretched to the horizon T: curriculum switches at p_E T), each the smallest horizon at
// which the objective at T reaches the threshold.
struct TimeToThreshold {
  bool reached = false;
  double t_star = 0;
  nlohmann::json record;  // null for optimize.goal = "final"
  std::string report;
};

TimeToThreshold time_to_threshold(const Config& config, const ControlProblem& problem, const OptimizeOptions& options) {
  TimeToThreshold out;
  const double threshold =
      config.real("optimize.threshold") > 0 ? config.real("optimize.threshold") : config.real("metrics.eps_star");
  const double t_max = problem.t_max, tolerance = 1e-6 * t_max;
  const int scan = 8;
  auto optimal_at = [&](double T) {
    ControlProblem q = problem;
    q.t_max = T;
    return optimize_curriculum(q, options).objective;
  };
  const HorizonSearch best = first_horizon(optimal_at, threshold, t_max, scan, tolerance);
  out.reached = !std::isnan(best.t_star);
  out.t_star = best.t_star;
  nlohmann::json fixed = nlohmann::json::object(), horizons = nlohmann::json::array();
  for (const auto& [T, v] : best.evaluations) horizons.push_back({json_number(T), json_number(v)});
  out.report = "tilt optimize: time to " + config.string("optimize.objective") + " <= " + format_number(threshold) +
               " (t*: the smallest horizon T whose best schedule under the budget p_E T reaches it)\n";
  out.report += "  optimal     " + (out.reached ? format_number(best.t_star) : std::string("not within t_max")) + "\n";
  for (const auto& protocol : kFixed) {
    auto at = [&](double T) {
      ControlProblem q = problem;
      q.t_max = T;
      const Config c =
          config.with({"t_max=" + toml_real(T), "curriculum.protocol=" + protocol, "curriculum.segments=[]"});
      return schedule_objective(q, resolve(c).schedule, options.integrator);
    };
    const double t = first_horizon(at, threshold, t_max, scan, tolerance).t_star;
    fixed[protocol] = json_number(t);
    out.report += "  " + protocol + std::string(12 - protocol.size(), ' ') +
                  (std::isnan(t) ? std::string("not within t_max") : format_number(t)) + "\n";
  }
  out.record = {{"threshold", threshold},
                {"t_star", json_number(best.t_star)},
                {"fixed", fixed},
                {"horizons", horizons},
                {"scan", scan},
                {"tolerance", tolerance},
                {"optimisations", best.evaluations.size()}};
  if (!out.reached)
    out.report += "  warning: the optimum does not reach the threshold within t_max; the results below are at t_max\n";
  return out;
}

}  // namespace

CommandResult optimize_command(const Experiment& experiment, const CommandHooks& hooks) {
  const Config config = load_experiment(experiment);
  const ResolvedExperiment e = resolve(config);
  check_theory_limits(e, config.integer("theory.ensemble"));
  TheoryProblem theory = make_theory_problem(e, 0);
  const std::vector<std::string> columns = theory.model->columns();
  check_optimize(config, e, columns);
  if (hooks.before_compute) hooks.before_compute();

  const ControlProblem problem0 = control_problem(config, e, theory, columns);
  const OptimizeOptions options = optimize_options(config, e);
  // optimize.goal = "time_to_threshold": t* first, then everything below at the horizon t* (when reached).
  const TimeToThreshold ttt = config.string("optimize.goal") == "time_to_threshold"
                                  ? time_to_threshold(config, problem0, options)
                                  : TimeToThreshold{};
  const Config run_config = ttt.reached ? config.with({"t_max=" + toml_real(ttt.t_star)}) : config;
  ControlProblem problem = problem0;
  if (ttt.reached) problem.t_max = ttt.t_star;
  const OptimizeResult r = optimize_curriculum(problem, options);
  const std::vector<double> fixed_values = fixed_objectives(run_config, problem, options.integrator);
  const bool beaten = *std::min_element(fixed_values.begin(), fixed_values.end()) < r.objective;

  // The optimal schedule as an experiment, and its trajectory by the production integrator.
  const OptimalSchedule optimal = optimal_schedule(run_config, r, problem);
  // (the lottery's: the members' mean, whose last row is the mean objective)
  const TheoryResult run = run_theory(resolve(optimal.config));
  const Trajectory& trajectory = run.members.size() == 1 ? run.members.at(0) : run.ensemble.mean;
  const double realised = trajectory.rows.back().at(problem.objective);

  const std::string objective = config.string("optimize.objective");
  CommandResult result;
  result.tables.push_back(trajectory_table(trajectory));
  result.tables.push_back(control_table(r, options, problem));
  result.tables.push_back(compare_table(objective, r.objective, fixed_values));

  nlohmann::json record = run_record(config, "optimize");
  record["objective"] = {{"column", objective},
                         {"value", json_number(r.objective)},
                         {"piecewise_value", json_number(r.piecewise_objective)},
                         {"segments_value", json_number(realised)}};
  nlohmann::json compare = nlohmann::json::object();
  for (std::size_t i = 0; i < kFixed.size(); ++i) compare[kFixed[i]] = json_number(fixed_values[i]);
  compare["optimal"] = json_number(r.objective);
  record["compare"] = compare;
  record["beaten_by_fixed"] = beaten;
  record_optimum(r, optimal, problem.t_max, &record);
  if (!ttt.record.is_null()) record["time_to_threshold"] = ttt.record;
  record["method"] = method_json(config, r, options, problem);
  record["members"] = problem.members.empty() ? 1 : problem.members.size();
  record["wall_seconds"] = r.wall_seconds;
  record["columns"] = columns_json(config.string("model"), result.tables[0].csv);
  result.record = record.dump(2) + "\n";
  result.experiment = optimal.config.to_toml();
  result.report = ttt.report + optimize_report(objective, problem.budget, r, fixed_values, beaten, optimal);
  return result;
}

}  // namespace tilt
