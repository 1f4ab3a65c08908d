#include "api/commands.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/columns.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/experiment.hpp"
#include "core/io.hpp"
#include "core/keys.hpp"
#include "core/limits.hpp"
#include "core/metrics.hpp"
#include "models/builtin.hpp"
#include "sim/run.hpp"
#include "sweep/run.hpp"
#include "sweep/schedule.hpp"
#include "sweep/spec.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"

namespace tilt {
namespace {

// The experiment, resolved against the registered models (the built-in ones are registered on first use, so a
// program that calls these functions needs no set-up of its own).
Config load(const Experiment& experiment) {
  register_builtin_models();
  if (!experiment.file.empty()) return Config::from_file(experiment.file, experiment.overrides);
  return Config::from_text(experiment.text, experiment.overrides, experiment.origin);
}

// Once everything is checked: the settings that take no effect are warned about (hooks.warn; the record keeps them
// too), then the caller's last check before any compute (existing output files).
void before_compute(const Config& config, const CommandHooks& hooks, CommandResult& result) {
  result.warnings = inert_settings(config);
  if (hooks.warn)
    for (const auto& w : result.warnings) hooks.warn(w);
  if (hooks.before_compute) hooks.before_compute();
}

// How the run was asked for: the argv (command line or Python call), the --set list and the warnings given.
void invocation(nlohmann::json& record, const Experiment& experiment, const CommandResult& result) {
  record["argv"] = experiment.argv;
  record["overrides"] = experiment.overrides;
  record["warnings"] = result.warnings;
}

void print(const CommandHooks& hooks, CommandResult& result, const std::string& text) {
  result.report += text;
  if (hooks.print) hooks.print(text);
}

// The values of a CSV table by column, in the order and with the values to_csv writes (t, the columns, then for
// an ensemble the standard errors and the member count).
Table table(const std::string& name, const Trajectory& trajectory, const EnsembleTrajectory* ensemble = nullptr) {
  Table out;
  out.name = name;
  const std::size_t rows = trajectory.times.size(), width = trajectory.columns.size();
  out.columns.push_back("t");
  out.values.push_back(trajectory.times);
  for (std::size_t j = 0; j < width; ++j) {
    out.columns.push_back(trajectory.columns[j]);
    std::vector<double> column(rows);
    for (std::size_t i = 0; i < rows; ++i) column[i] = trajectory.rows[i][j];
    out.values.push_back(std::move(column));
  }
  if (ensemble) {
    for (std::size_t j = 0; j < width; ++j) {
      out.columns.push_back(trajectory.columns[j] + "_se");
      std::vector<double> column(rows);
      for (std::size_t i = 0; i < rows; ++i) column[i] = ensemble->se[i][j];
      out.values.push_back(std::move(column));
    }
    out.columns.push_back("seeds");
    out.values.push_back(std::vector<double>(rows, double(ensemble->members)));
    out.csv = to_csv(*ensemble);
  } else {
    out.csv = to_csv(trajectory);
  }
  return out;
}

Table table(const std::string& name, const EnsembleTrajectory& ensemble) {
  return table(name, ensemble.mean, &ensemble);
}

nlohmann::json theory_stats(const ResolvedExperiment& e, const TheoryResult& r) {
  // theory.noise = "sde": fixed stochastic Heun steps of theory.sde_dt (theory/sde.hpp); rtol/atol do not apply.
  const bool sde = e.theory.noise == TheoryNoise::Sde;
  return {{"method", sde ? std::string("sde_heun") : e.theory.ode.method},
          {"rtol", e.theory.ode.rtol},
          {"atol", e.theory.ode.atol},
          {"members", r.members.size()},
          {"steps", r.stats.steps},
          {"rejected_steps", r.stats.rejected},
          {"rhs_evaluations", r.stats.evaluations},
          {"wall_seconds", r.wall_seconds}};
}

// The accuracy each member's model chose for itself (OdeModel::accuracy_json; xgm: line and node counts per
// phase), one entry per member; null when no member's model records any.
nlohmann::json accuracy_json(const TheoryResult& r) {
  nlohmann::json out = nlohmann::json::array();
  bool any = false;
  for (const auto& a : r.accuracy) {
    any = any || !a.empty();
    out.push_back(a.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(a));
  }
  return any ? out : nlohmann::json(nullptr);
}

std::vector<long long> seeds_used(const ResolvedExperiment& e, long long count) {
  std::vector<long long> seeds;
  for (long long m = 0; m < count; ++m) seeds.push_back(e.seed + m);
  return seeds;
}

// The record's `columns`: name, meaning and unit of every column of the CSV file(s) written (core/columns.hpp),
// read from their header lines so it lists exactly what was written; a column in several files is listed once.
nlohmann::json written_columns(const ResolvedExperiment& e, const std::vector<std::string>& csvs) {
  nlohmann::json out = nlohmann::json::array();
  std::set<std::string> seen;
  for (const auto& csv : csvs)
    for (const auto& column : columns_json(e.model_name(), csv))
      if (seen.insert(column["name"].get<std::string>()).second) out.push_back(column);
  return out;
}

std::vector<ResolvedExperiment> check_validate_options(const ValidateOptions& options, const Config& config,
                                                       const std::vector<std::string>& columns);

// Everything validate needs, before any compute: both halves within the limits, and its own options. Returns the
// experiment at each --scaling dimension (none without --scaling).
std::vector<ResolvedExperiment> check_validate_up_front(const ValidateOptions& options, const Config& config,
                                                        const ResolvedExperiment& e) {
  check_validation_limits(e);
  const std::vector<std::string> columns = make_theory_problem(e, 0).model->columns();
  std::vector<ResolvedExperiment> at_dims = check_validate_options(options, config, columns);
  if (e.sim.seeds < 2)
    throw InputError("key 'sim.seeds' = 1: validation needs at least 2 members; allowed: sim.seeds >= 2");
  // The verdict's own keys (validate.columns, the window): resolved against the model's columns now.
  validation_options(e, columns, options.scaling_dims.empty() ? Tracking::NotTested : Tracking::Tested);
  return at_dims;
}

// validate's own options, checked before anything runs: --scaling needs at least three distinct dimensions,
// each a valid sim.d whose run fits the limits; --column must be one of the model's output columns. Returns the
// experiment resolved at each --scaling dimension, in the order given.
std::vector<ResolvedExperiment> check_validate_options(const ValidateOptions& options, const Config& config,
                                                       const std::vector<std::string>& columns) {
  std::vector<ResolvedExperiment> at_dims;
  if (options.scaling_dims.empty()) {
    if (!options.scaling_column.empty())
      throw InputError("--column '" + options.scaling_column +
                       "' is only used with --scaling; allowed: --scaling D1,D2,D3 --column NAME");
    return at_dims;
  }
  std::vector<long long> dims = options.scaling_dims;
  std::sort(dims.begin(), dims.end());
  for (long long d : dims)
    if (d < 2)
      throw InputError("--scaling: d = " + std::to_string(d) +
                       " is not a valid sim.d; allowed: at least three "
                       "distinct integers >= 2, e.g. --scaling 500,2000,8000");
  if (std::unique(dims.begin(), dims.end()) - dims.begin() < 3)
    throw InputError("--scaling: " + std::to_string(options.scaling_dims.size()) + " value(s) with " +
                     std::to_string(std::unique(dims.begin(), dims.end()) - dims.begin()) +
                     " distinct; allowed: at least three distinct integers >= 2, e.g. --scaling 500,2000,8000");
  for (long long d : options.scaling_dims) {
    const Config at_d = config.with({"sim.d=" + std::to_string(d)});
    at_dims.push_back(resolve(at_d));
    try {
      check_validation_limits(at_dims.back());
    } catch (const InputError& e) {
      throw InputError("--scaling at sim.d = " + std::to_string(d) + ": " + e.what());
    }
  }
  const std::string column = options.scaling_column.empty() ? "eps" : options.scaling_column;
  if (std::find(columns.begin(), columns.end(), column) == columns.end()) {
    std::string list;
    for (const auto& c : columns) list += (list.empty() ? "" : ", ") + c;
    throw InputError("--column '" + column + "': no such column for model " + config.string("model") +
                     "; allowed: " + list);
  }
  return at_dims;
}

nlohmann::json bias_json(const BiasTest& b) {
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : b.columns)
    columns.push_back({{"column", c.column},
                       {"points", c.points},
                       {"max_abs_z", c.max_abs_z},
                       {"t_at_max", c.t_at_max},
                       {"rms_z", c.rms_z},
                       {"se_rms", c.se_rms},
                       {"scale", c.scale},
                       {"detectable", json_number(c.detectable)},
                       {"tolerance", c.tolerance},
                       {"deterministic_gap", c.deterministic_gap},
                       {"exact_mismatch", c.exact_mismatch}});
  return {{"t_from", b.t_from},
          {"t_to", b.t_to},
          {"members", b.members},
          {"points", b.points},
          {"alpha_each", b.alpha / 2},
          {"sign_patterns", b.patterns},
          {"exhaustive", b.exhaustive},
          {"max_abs_z", json_number(b.max_z)},
          {"max_threshold", json_number(b.max_threshold)},
          {"max_p", b.max_p},
          {"curve_mean_z2", json_number(b.curve)},
          {"curve_threshold", json_number(b.curve_threshold)},
          {"curve_p", b.curve_p},
          {"rejected", b.rejected},
          {"resolved", b.resolved},
          {"columns", columns}};
}

nlohmann::json lottery_json(const LotteryTest& l) {
  auto times = [](const std::vector<double>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (double x : v) a.push_back(json_number(x));
    return a;
  };
  return {{"column", l.column},
          {"eps_star", l.eps_star},
          {"t_end", l.t_end},
          {"members", l.members},
          {"t_star_sim", times(l.t_star_sim)},
          {"t_star_theory", times(l.t_star_theory)},
          {"sim_earlier", l.sim_earlier},
          {"theory_earlier", l.theory_earlier},
          {"median_shift", l.median_shift},
          {"sign_p", l.sign_p},
          {"sim_success", l.sim_success},
          {"theory_success", l.theory_success},
          {"sim_success_ci95", {l.sim_interval.lo, l.sim_interval.hi}},
          {"theory_success_ci95", {l.theory_interval.lo, l.theory_interval.hi}},
          {"mcnemar_p", l.mcnemar_p},
          {"ks_statistic", l.ks.statistic},
          {"ks_p", l.ks.p},
          {"alpha_each", l.alpha},
          {"informative", l.informative},
          {"rejected", l.rejected}};
}

nlohmann::json agreement_json(const Agreement& a) {
  nlohmann::json j = {{"verdict", verdict_name(a.verdict)}, {"bias", bias_json(a.bias)}};
  if (a.has_lottery) j["lottery"] = lottery_json(a.lottery);
  return j;
}

}  // namespace

CommandResult ode_command(const Experiment& experiment, const CommandHooks& hooks) {
  const Config config = load(experiment);
  const ResolvedExperiment e = resolve(config);
  check_theory_limits(e, e.theory.ensemble);
  CommandResult result;
  before_compute(config, hooks, result);
  const TheoryResult r = run_theory(e);
  nlohmann::json record = run_record(config, "ode");
  invocation(record, experiment, result);
  record["seeds"] = seeds_used(e, e.theory.ensemble);
  record["theory"] = theory_stats(e, r);
  record["wall_seconds"] = r.wall_seconds;
  if (const nlohmann::json accuracy = accuracy_json(r); !accuracy.is_null()) record["accuracy"] = accuracy;
  if (r.members.size() > 1)  // the lottery: success probability and time to threshold over initial conditions
    record["metrics"] = to_json(ensemble_metrics(r.members, "eps", e.eps_star));
  result.tables.push_back(r.members.size() == 1 ? table("", r.members[0]) : table("", r.ensemble));
  record["columns"] = written_columns(e, {result.tables[0].csv});
  result.record = record.dump(2) + "\n";
  return result;
}

CommandResult sim_command(const Experiment& experiment, const CommandHooks& hooks) {
  const Config config = load(experiment);
  const ResolvedExperiment e = resolve(config);
  check_simulation_limits(e, e.sim.seeds);
  CommandResult result;
  before_compute(config, hooks, result);
  const SimResult r = run_sim(e);
  nlohmann::json record = run_record(config, "sim");
  invocation(record, experiment, result);
  record["seeds"] = seeds_used(e, e.sim.seeds);
  record["simulation"] = {{"d", e.sim.d},
                          {"seeds", e.sim.seeds},
                          {"same_init", e.sim.same_init},
                          {"threads", r.threads},
                          {"sgd_steps", r.sgd_steps},
                          {"steps_per_second", double(r.sgd_steps) / r.wall_seconds},
                          {"wall_seconds", r.wall_seconds},
                          {"sampler", "xoshiro256++ / ziggurat (core/rng.hpp)"}};
  record["wall_seconds"] = r.wall_seconds;
  if (r.members.size() > 1)  // the same lottery summary as a theory ensemble, measured on real networks
    record["metrics"] = to_json(ensemble_metrics(r.members, "eps", e.eps_star));
  result.tables.push_back(table("", r.ensemble));
  record["columns"] = written_columns(e, {result.tables[0].csv});
  result.record = record.dump(2) + "\n";
  return result;
}

CommandResult validate_command(const Experiment& experiment, const ValidateOptions& options,
                               const CommandHooks& hooks) {
  const Config config = load(experiment);
  const ResolvedExperiment e = resolve(config);
  const std::vector<ResolvedExperiment> at_dims = check_validate_up_front(options, config, e);
  CommandResult result;
  before_compute(config, hooks, result);
  const bool tracking = !options.scaling_dims.empty();
  const ValidationRun run = validate_experiment(e, tracking ? Tracking::Tested : Tracking::NotTested);
  const std::string name = experiment.file.empty() ? experiment.origin : experiment.file;
  print(hooks, result,
        "tilt validate: " + name + "  (model " + e.model_name() + ", protocol " + e.protocol +
            ", d = " + std::to_string(e.sim.d) + ", " + std::to_string(e.sim.seeds) + " seeds, " +
            (e.sim.same_init ? "one shared initial condition" : "one initial condition per seed") + ")\n" +
            run.agreement.table());
  nlohmann::json record = run_record(config, "validate");
  invocation(record, experiment, result);
  record["seeds"] = seeds_used(e, e.sim.seeds);
  record["theory"] = {{"steps", run.theory_steps},
                      {"rejected_steps", run.theory_rejected},
                      {"rhs_evaluations", run.theory_evaluations},
                      {"wall_seconds", run.theory_seconds}};
  record["simulation"] = {{"wall_seconds", run.sim_seconds}};
  record["agreement"] = agreement_json(run.agreement);
  if (run.stochastic) {  // theory.noise = "sde": the deterministic ODE's paired lottery, reported beside the verdict
    print(hooks, result,
          "(c') the deterministic ODE from the same initial weights (information, not part of the verdict):\n" +
              lottery_lines(run.ode_lottery));
    record["ode_lottery"] = lottery_json(run.ode_lottery);
    record["ode_wall_seconds"] = run.ode_seconds;
  }
  record["alpha"] = run.options.alpha;

  Scaling scaling;
  if (tracking) {
    const std::string column = options.scaling_column.empty() ? "eps" : options.scaling_column;
    scaling = finite_size_scaling(e, at_dims, column, &run);
    print(hooks, result, "\n(b) member-wise tracking, finite-size scaling:\n" + scaling.table());
    const auto& tr = scaling.tracking;
    nlohmann::json pts = nlohmann::json::array();
    for (std::size_t k = 0; k < tr.points.size(); ++k) {
      const auto& p = tr.points[k];
      pts.push_back({{"d", p.d},
                     {"discrepancy", p.discrepancy},
                     {"se", p.se},
                     {"t", p.t},
                     {"by_time", p.by_time},
                     {"agreement", agreement_json(scaling.at_d[k])}});
    }
    record["scaling"] = {{"column", column},          {"t_from", tr.t_from},
                         {"t_to", tr.t_to},           {"points", pts},
                         {"exponent", tr.exponent},   {"exponent_se", tr.exponent_se},
                         {"predicted", tr.predicted}, {"threshold_z", tr.threshold},
                         {"alpha", tr.alpha},         {"detectable_excess", tr.detectable},
                         {"rejected", tr.rejected},   {"resolved", tr.resolved}};
  }
  result.tables.push_back(table("theory", run.theory_summary));
  result.tables.push_back(table("sim", run.sim_summary));
  record["columns"] = written_columns(e, {result.tables[0].csv, result.tables[1].csv});
  const TrackingTest* tr = tracking ? &scaling.tracking : nullptr;
  const Verdict verdict = overall_verdict(run.agreement, tr);
  print(hooks, result, "\n" + verdict_line(run.agreement, tr));
  record["verdict"] = verdict_name(verdict);
  record["exit_code"] = verdict_exit_code(verdict);
  result.record = record.dump(2) + "\n";
  result.exit_code = verdict_exit_code(verdict);
  return result;
}

std::string resolved_experiment(const Experiment& experiment) { return load(experiment).to_toml(); }

namespace {

// The sweep's CSV as a Table: the header's names, every cell as a number (NaN where it is not one).
Table sweep_table(const std::string& csv) {
  Table table;
  table.csv = csv;
  std::istringstream lines(csv);
  std::string line;
  auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream in(l);
    while (std::getline(in, cell, ',')) cells.push_back(cell);
    if (!l.empty() && l.back() == ',') cells.emplace_back();
    return cells;
  };
  if (!std::getline(lines, line)) return table;
  table.columns = split(line);
  table.values.assign(table.columns.size(), {});
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split(line);
    for (std::size_t j = 0; j < table.columns.size(); ++j) {
      const std::string c = j < cells.size() ? cells[j] : "";
      char* end = nullptr;
      const double x = c.empty() ? std::nan("") : std::strtod(c.c_str(), &end);
      table.values[j].push_back(!c.empty() && end == c.c_str() + c.size() ? x : std::nan(""));
    }
  }
  return table;
}

}  // namespace

CommandResult sweep_command(const Experiment& sweep, const SweepRequest& request, const CommandHooks& hooks) {
  register_builtin_models();
  if (sweep.file.empty() && sweep.text.empty())
    throw InputError("sweep: no sweep given; allowed: the path of a sweep file (TOML, docs/sweep.md) or its text");
  // A sweep as text (Python's dict) reads [base].file relative to the working folder.
  SweepSpec spec = sweep.file.empty() ? SweepSpec::from_text(sweep.text, sweep.overrides, sweep.origin)
                                      : SweepSpec::from_file(sweep.file, sweep.overrides);
  SweepOutput output;
  SweepOptions options;
  options.out = request.out;  // empty: the table and record in memory only
  options.threads = request.threads;
  options.resume = request.resume;
  options.force = request.force;
  options.quiet = request.quiet;
  options.output = &output;
  options.argv = sweep.argv;
  CommandResult result;
  options.warn = [&](const std::string& w) {
    result.warnings.push_back(w);
    if (hooks.warn) hooks.warn(w);
  };
  result.exit_code = run_sweep(spec, options, Cluster{});
  result.tables.push_back(sweep_table(output.csv));
  result.record = output.record;
  return result;
}

}  // namespace tilt
