#include "cli/commands.hpp"

#include <iostream>

#include "api/commands.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/keys.hpp"

namespace tilt {
namespace {

Experiment experiment_of(const CommandOptions& options) {
  Experiment experiment;
  experiment.file = options.file;
  experiment.overrides = options.overrides;
  experiment.argv = options.argv;
  return experiment;
}

void warn(const std::string& text) { std::cerr << "tilt: warning: " << text << "\n"; }

Overwrite overwrite_of(const CommandOptions& options) { return options.force ? Overwrite::Replace : Overwrite::Refuse; }

// Everything about --out, before any compute: a file prefix in a writable folder, no output file already there
// (unless --force).
CommandHooks refuse_outputs(const CommandOptions& options, const std::vector<std::string>& suffixes) {
  CommandHooks hooks;
  hooks.warn = warn;
  hooks.before_compute = [&options, suffixes] {
    if (options.out.empty()) return;
    check_output_prefix(options.out);
    std::vector<std::string> paths;
    for (const auto& s : suffixes) paths.push_back(options.out + s);
    refuse_existing(paths, overwrite_of(options));
  };
  return hooks;
}

// CSV to PREFIX.csv plus the JSON record, or the CSV to standard output when there is no prefix.
void emit(const CommandOptions& options, const CommandResult& result) {
  if (options.out.empty()) {
    std::cout << result.tables.at(0).csv;
    return;
  }
  write_file_atomic(options.out + ".csv", result.tables.at(0).csv, overwrite_of(options));
  write_file_atomic(options.out + ".json", result.record, overwrite_of(options));
}

}  // namespace

int run_ode(const CommandOptions& options) {
  emit(options, ode_command(experiment_of(options), refuse_outputs(options, {".csv", ".json"})));
  return 0;
}

int run_sim_command(const CommandOptions& options) {
  emit(options, sim_command(experiment_of(options), refuse_outputs(options, {".csv", ".json"})));
  return 0;
}

int run_validate(const CommandOptions& options) {
  CommandHooks hooks = refuse_outputs(options, {"_theory.csv", "_sim.csv", "_validate.json"});
  hooks.print = [](const std::string& text) { std::cout << text << std::flush; };
  ValidateOptions validate;
  validate.scaling_dims = options.scaling_dims;
  validate.scaling_column = options.scaling_column;
  const CommandResult result = validate_command(experiment_of(options), validate, hooks);
  if (!options.out.empty()) {
    write_file_atomic(options.out + "_theory.csv", result.tables.at(0).csv, overwrite_of(options));
    write_file_atomic(options.out + "_sim.csv", result.tables.at(1).csv, overwrite_of(options));
    write_file_atomic(options.out + "_validate.json", result.record, overwrite_of(options));
  }
  return result.exit_code;
}

int run_optimize(const CommandOptions& options) {
  const std::vector<std::string> suffixes = {".csv", "_control.csv", "_compare.csv", "_optimal.toml", ".json"};
  const CommandResult result = optimize_command(experiment_of(options), refuse_outputs(options, suffixes));
  std::cout << result.report;
  if (options.out.empty()) return 0;
  write_file_atomic(options.out + ".csv", result.tables.at(0).csv, overwrite_of(options));
  write_file_atomic(options.out + "_control.csv", result.tables.at(1).csv, overwrite_of(options));
  write_file_atomic(options.out + "_compare.csv", result.tables.at(2).csv, overwrite_of(options));
  write_file_atomic(options.out + "_optimal.toml", result.experiment, overwrite_of(options));
  write_file_atomic(options.out + ".json", result.record, overwrite_of(options));
  return 0;
}

int run_config(const CommandOptions& options) {
  if (options.reference) {
    std::cout << config_reference_markdown();
    return 0;
  }
  if (options.file.empty()) throw InputError("tilt config needs FILE (or --reference)");
  std::cout << "# resolved experiment: " << options.file << "\n" << resolved_experiment(experiment_of(options));
  return 0;
}

}  // namespace tilt
