#include "cli/commands.hpp"

#include <iostream>
#include <set>

#include "core/columns.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/keys.hpp"
#include "core/metrics.hpp"
#include "sim/run.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"

namespace tilt {
namespace {

nlohmann::json theory_stats(const Config& config, const TheoryResult& r) {
  return {{"method", config.string("theory.method")},
          {"rtol", config.real("theory.rtol")},
          {"atol", config.real("theory.atol")},
          {"members", r.members.size()},
          {"steps", r.stats.steps},
          {"rejected_steps", r.stats.rejected},
          {"rhs_evaluations", r.stats.evaluations},
          {"wall_seconds", r.wall_seconds}};
}

std::vector<long long> seeds_used(const Config& config, long long count) {
  std::vector<long long> seeds;
  for (long long m = 0; m < count; ++m) seeds.push_back(config.integer("seed") + m);
  return seeds;
}

// CSV to PREFIX.csv plus the JSON record, or the CSV to standard output when there is no prefix.
void emit(const CommandOptions& options, const std::string& csv, const nlohmann::json& record) {
  if (options.out.empty()) {
    std::cout << csv;
    return;
  }
  write_file_atomic(options.out + ".csv", csv, options.force);
  write_file_atomic(options.out + ".json", record.dump(2) + "\n", options.force);
}

void refuse_outputs(const CommandOptions& options, const std::vector<std::string>& suffixes) {
  if (options.out.empty()) return;
  std::vector<std::string> paths;
  for (const auto& s : suffixes) paths.push_back(options.out + s);
  refuse_existing(paths, options.force);
}

// The record's `columns`: name, meaning and unit of every column of the CSV file(s) written (core/columns.hpp),
// read from their header lines so it lists exactly what was written; a column in several files is listed once.
nlohmann::json written_columns(const Config& config, const std::vector<std::string>& csvs) {
  nlohmann::json out = nlohmann::json::array();
  std::set<std::string> seen;
  for (const auto& csv : csvs)
    for (const auto& column : columns_json(config.string("model"), csv))
      if (seen.insert(column["name"].get<std::string>()).second) out.push_back(column);
  return out;
}

}  // namespace

int run_ode(const CommandOptions& options) {
  const Config config = Config::from_file(options.file, options.overrides);
  refuse_outputs(options, {".csv", ".json"});
  const TheoryResult r = run_theory(config);
  nlohmann::json record = run_record(config, "ode");
  record["seeds"] = seeds_used(config, config.integer("theory.ensemble"));
  record["theory"] = theory_stats(config, r);
  record["wall_seconds"] = r.wall_seconds;
  if (r.members.size() > 1)  // the lottery: success probability and time to threshold over initial conditions
    record["metrics"] = to_json(ensemble_metrics(r.members, "eps", config.real("metrics.eps_star")));
  const std::string csv = r.members.size() == 1 ? to_csv(r.members[0]) : to_csv(r.ensemble);
  record["columns"] = written_columns(config, {csv});
  emit(options, csv, record);
  return 0;
}

int run_sim_command(const CommandOptions& options) {
  const Config config = Config::from_file(options.file, options.overrides);
  refuse_outputs(options, {".csv", ".json"});
  const SimResult r = run_sim(config);
  nlohmann::json record = run_record(config, "sim");
  record["seeds"] = seeds_used(config, config.integer("sim.seeds"));
  record["simulation"] = {{"d", config.integer("sim.d")},
                          {"seeds", config.integer("sim.seeds")},
                          {"same_init", config.boolean("sim.same_init")},
                          {"threads", r.threads},
                          {"sgd_steps", r.sgd_steps},
                          {"steps_per_second", double(r.sgd_steps) / r.wall_seconds},
                          {"wall_seconds", r.wall_seconds},
                          {"sampler", "xoshiro256++ / ziggurat (core/rng.hpp)"}};
  record["wall_seconds"] = r.wall_seconds;
  if (r.members.size() > 1)  // the same lottery summary as a theory ensemble, measured on real networks
    record["metrics"] = to_json(ensemble_metrics(r.members, "eps", config.real("metrics.eps_star")));
  const std::string csv = to_csv(r.ensemble);
  record["columns"] = written_columns(config, {csv});
  emit(options, csv, record);
  return 0;
}

int run_validate(const CommandOptions& options) {
  const Config config = Config::from_file(options.file, options.overrides);
  refuse_outputs(options, {"_theory.csv", "_sim.csv", "_validate.json"});
  const ValidationRun run = validate_experiment(config);
  std::cout << "tilt validate: " << options.file << "  (model " << config.string("model") << ", protocol "
            << config.string("curriculum.protocol") << ", d = " << config.integer("sim.d") << ", "
            << config.integer("sim.seeds") << " seeds, "
            << (config.boolean("sim.same_init") ? "one shared initial condition" : "one initial condition per seed")
            << ")\n"
            << run.agreement.table();
  nlohmann::json record = run_record(config, "validate");
  record["seeds"] = seeds_used(config, config.integer("sim.seeds"));
  record["theory"] = {{"steps", run.theory_steps},
                      {"rejected_steps", run.theory_rejected},
                      {"rhs_evaluations", run.theory_evaluations},
                      {"wall_seconds", run.theory_seconds}};
  record["simulation"] = {{"wall_seconds", run.sim_seconds}};
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : run.agreement.columns)
    columns.push_back({{"column", c.column}, {"max_abs_z", c.max_abs_z}, {"t_at_max", c.t_at_max}, {"rms_z", c.rms_z},
                       {"points", c.points}});
  record["agreement"] = {{"consistent", run.agreement.consistent}, {"z_critical", run.agreement.z_critical},
                         {"alpha", run.agreement.alpha}, {"points", run.agreement.points}, {"columns", columns}};

  bool consistent = run.agreement.consistent;
  if (!options.scaling_dims.empty()) {
    const std::string column = options.scaling_column.empty() ? "eps" : options.scaling_column;
    const Scaling scaling = finite_size_scaling(config, column, options.scaling_dims, &run);
    std::cout << "\nfinite-size scaling:\n" << scaling.table();
    nlohmann::json pts = nlohmann::json::array();
    for (const auto& p : scaling.points)
      pts.push_back({{"d", p.d}, {"discrepancy", p.discrepancy}, {"se", p.se}, {"consistent", p.agreement.consistent},
                     {"max_abs_z", p.agreement.max_abs_z()}, {"z_critical", p.agreement.z_critical},
                     {"points", p.agreement.points}, {"t", p.t}, {"by_time", p.by_time}});
    record["scaling"] = {{"column", column}, {"points", pts}, {"exponent", scaling.exponent},
                         {"exponent_se", scaling.exponent_se}, {"consistent", scaling.consistent()}};
    consistent = consistent && scaling.consistent();
  }
  const std::string theory_csv = to_csv(run.theory_summary), sim_csv = to_csv(run.sim_summary);
  record["columns"] = written_columns(config, {theory_csv, sim_csv});
  if (!options.out.empty()) {
    write_file_atomic(options.out + "_theory.csv", theory_csv, options.force);
    write_file_atomic(options.out + "_sim.csv", sim_csv, options.force);
    write_file_atomic(options.out + "_validate.json", record.dump(2) + "\n", options.force);
  }
  return consistent ? 0 : 1;
}

int run_config(const CommandOptions& options) {
  if (options.reference) {
    std::cout << config_reference_markdown();
    return 0;
  }
  if (options.file.empty()) throw InputError("tilt config needs FILE (or --reference)");
  const Config config = Config::from_file(options.file, options.overrides);
  std::cout << "# resolved experiment: " << options.file << "\n" << config.to_toml();
  return 0;
}

}  // namespace tilt
