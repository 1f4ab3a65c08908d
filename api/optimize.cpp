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
void check_optimize(const Config& config, const std::vector<std::string>& columns) {
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
  if (config.integer("theory.ensemble") != 1)
    throw InputError("key 'theory.ensemble' = " + std::to_string(config.integer("theory.ensemble")) +
                     ": tilt optimize optimises one initial condition; allowed: 1");
  if (config.string("theory.noise") != "none")
    throw InputError("key 'theory.noise' = \"" + config.string("theory.noise") +
                     "\": tilt optimize needs the deterministic ODE; allowed: \"none\"");
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

}  // namespace

CommandResult optimize_command(const Experiment& experiment, const CommandHooks& hooks) {
  const Config config = load_experiment(experiment);
  const ResolvedExperiment e = resolve(config);
  check_theory_limits(e, 1);
  TheoryProblem theory = make_theory_problem(e, 0);
  const std::vector<std::string> columns = theory.model->columns();
  check_optimize(config, columns);
  if (hooks.before_compute) hooks.before_compute();

  ControlProblem problem;
  problem.model = theory.model.get();
  problem.y0 = theory.y0;
  problem.t_max = config.real("t_max");
  problem.easy = config.real("curriculum.easy");
  problem.hard = config.real("curriculum.hard");
  problem.budget = config.real("curriculum.easy_fraction");
  const std::string objective = config.string("optimize.objective");
  problem.objective = std::size_t(std::find(columns.begin(), columns.end(), objective) - columns.begin());
  problem.anchor_at_switches = problem.model->anchors_at_switches();

  OptimizeOptions options;
  options.grid.pieces = std::size_t(config.integer("optimize.pieces"));
  options.grid.steps = std::size_t(config.integer("optimize.steps"));
  options.starts = int(config.integer("optimize.starts"));
  options.max_iterations = int(config.integer("optimize.iterations"));
  options.tolerance = config.real("optimize.tolerance");
  options.seed = static_cast<unsigned long long>(config.integer("seed"));
  options.refine = config.boolean("optimize.refine");
  options.max_switches = int(config.integer("optimize.max_switches"));
  options.integrator = integrator_options(e);
  const OptimizeResult r = optimize_curriculum(problem, options);

  // The fixed protocols at the same budget, by the production integrator.
  nlohmann::json compare = nlohmann::json::object();
  std::vector<double> fixed_values;
  const std::vector<std::string> fixed = {"curriculum", "anti", "shuffled"};
  for (const auto& protocol : fixed) {
    const Config c = config.with({"curriculum.protocol=" + protocol, "curriculum.segments=[]"});
    const double J = schedule_objective(problem, resolve(c).schedule, options.integrator);
    compare[protocol] = json_number(J);
    fixed_values.push_back(J);
  }
  compare["optimal"] = json_number(r.objective);
  // A local method with few starts or iterations can end above a fixed protocol: say so, never hide it.
  const double best_fixed = *std::min_element(fixed_values.begin(), fixed_values.end());
  const bool beaten = best_fixed < r.objective;

  // The optimal schedule as the experiment `tilt ode`, `tilt sim` and `tilt sweep` take, and its trajectory.
  const auto rows = segments_of(r.arcs, problem.t_max, problem.easy, problem.hard);
  const std::string segments = segments_toml(rows);
  // One arc at the budget's share is the shuffled protocol (consolidation's search may find it best: without a
  // switch nothing anchors), which the segments cannot hold.
  const bool shuffled = r.arcs.size() == 1 && r.arcs[0].u > 0 && r.arcs[0].u < 1;
  const Config optimal = shuffled ? config.with({"curriculum.protocol=shuffled", "curriculum.segments=[]"})
                                  : config.with({"curriculum.protocol=custom", "curriculum.segments=" + segments});
  const TheoryResult run = run_theory(resolve(optimal));
  const Trajectory& trajectory = run.members.at(0);
  const double realised = trajectory.rows.back().at(problem.objective);

  CommandResult result;
  {
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
    result.tables.push_back(t);
  }
  const StartResult& best = r.starts.at(r.best);
  const double w = options.grid.width(problem);
  std::vector<double> starts, ends;
  for (std::size_t j = 0; j < options.grid.pieces; ++j) {
    starts.push_back(double(j) * w);
    ends.push_back(double(j + 1) * w);
  }
  // The piecewise optimum and its switching function; after consolidation's switch search (no piecewise stage),
  // the easy share of each piece under the optimal arcs, and no switching function.
  std::vector<double> u = best.u, switching = r.switching;
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
  result.tables.push_back(csv_table({"t_start", "t_end", "u", "switching"}, {starts, ends, u, switching}));
  result.tables.back().name = "control";
  {
    const std::vector<double> values = {r.objective, fixed_values[0], fixed_values[1], fixed_values[2]};
    Table t = csv_table({"protocol", objective}, {std::vector<double>(4, std::nan("")), values});
    t.name = "compare";
    t.csv = "protocol," + objective + "\noptimal," + format_number(values[0]) + "\ncurriculum," +
            format_number(values[1]) + "\nanti," + format_number(values[2]) + "\nshuffled," + format_number(values[3]) +
            "\n";
    result.tables.push_back(t);
  }

  nlohmann::json record = run_record(config, "optimize");
  record["objective"] = {{"column", objective},
                         {"value", json_number(r.objective)},
                         {"piecewise_value", json_number(r.piecewise_objective)},
                         {"segments_value", json_number(realised)}};
  record["compare"] = compare;
  record["beaten_by_fixed"] = beaten;
  nlohmann::json arcs = nlohmann::json::array();
  for (std::size_t i = 0; i < r.arcs.size(); ++i)
    arcs.push_back({{"start", r.arcs[i].start},
                    {"end", i + 1 < r.arcs.size() ? r.arcs[i + 1].start : problem.t_max},
                    {"u", r.arcs[i].u},
                    {"singular", r.arcs[i].singular}});
  record["arcs"] = arcs;
  record["bang_bang"] = r.bang_bang;
  record["refined"] = r.refined;
  record["refine_evaluations"] = r.refine_evaluations;
  nlohmann::json switches = nlohmann::json::array();
  for (std::size_t i = 1; i < r.arcs.size(); ++i)
    if (!r.arcs[i].singular && !r.arcs[i - 1].singular) switches.push_back(r.arcs[i].start);
  record["switch_times"] = switches;
  nlohmann::json segment_rows = nlohmann::json::array();
  if (!shuffled)
    for (const auto& row : rows) segment_rows.push_back({row.first, row.second});
  record["protocol"] = shuffled ? "shuffled" : "custom";
  record["segments"] = segment_rows;
  record["set"] = shuffled ? std::string("--set curriculum.protocol=shuffled")
                           : "--set curriculum.protocol=custom --set 'curriculum.segments=" + segments + "'";
  record["budget_multiplier"] = r.multiplier;
  nlohmann::json st = nlohmann::json::array();
  for (const auto& s : r.starts)
    st.push_back({{"start", s.name},
                  {"objective", json_number(s.objective)},
                  {"iterations", s.iterations},
                  {"evaluations", s.evaluations},
                  {"stationarity", s.stationarity}});
  record["starts"] = st;
  record["best_start"] = best.name;
  record["starts_agreeing"] = r.agreeing;
  record["iterations"] = best.iterations;
  record["gradient_norm"] = best.stationarity;
  record["method"] = {{"stage", r.method},
                      {"pieces", options.grid.pieces},
                      {"rk4_steps_per_piece", options.grid.steps},
                      {"gradient", "discrete adjoint of RK4; vector-Jacobian products by central differences"},
                      {"optimiser", "projected gradient, Armijo search, budget multiplier by bisection"},
                      {"refine", "Nelder-Mead on the free switch times, production integrator"},
                      {"max_switches", options.max_switches},
                      {"integrator", config.string("theory.method")},
                      {"rtol", config.real("theory.rtol")},
                      {"atol", config.real("theory.atol")}};
  record["wall_seconds"] = r.wall_seconds;
  record["columns"] = columns_json(config.string("model"), result.tables[0].csv);
  result.record = record.dump(2) + "\n";
  result.experiment = optimal.to_toml();
  {
    std::string report = "tilt optimize: " + objective +
                         "(t_max) minimised over the easy share u(t), budget p_E = " + format_number(problem.budget) +
                         "\n";
    report += "  optimal     " + format_number(r.objective) + "   (" + std::to_string(r.agreeing) + " of " +
              std::to_string(r.starts.size()) + " starts agree; " + (r.bang_bang ? "bang-bang" : "singular arcs") +
              ")\n";
    for (std::size_t i = 0; i < fixed.size(); ++i)
      report += "  " + fixed[i] + std::string(12 - fixed[i].size(), ' ') + format_number(fixed_values[i]) + "\n";
    if (beaten)
      report +=
          "  warning: a fixed protocol is better than the optimiser's result; raise optimize.starts or "
          "optimize.iterations\n";
    report += shuffled ? std::string("  protocol    shuffled (no switch)\n") : "  segments    " + segments + "\n";
    result.report = report;
  }
  return result;
}

}  // namespace tilt
