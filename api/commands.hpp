// The commands of tilt as library calls: experiment in, tables and the JSON record out, nothing written to disk.
// The command line (cli/) and the Python module (python/) both call these, so their results are the same.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace tilt {

// An experiment: a TOML file, or TOML text, plus `KEY=VALUE` overrides exactly as `--set` takes them.
struct Experiment {
  std::string file;               // a TOML path; when empty, `text` is the experiment
  std::string text;               // TOML text (used when file is empty)
  std::string origin = "<text>";  // the name errors give text experiments
  std::vector<std::string> overrides;
  std::vector<std::string> argv;  // how it was invoked (the command line, or the Python call), for the record
};

// One CSV table: column names (`t` first) and one vector of values per column, the values the CSV holds
// (format_number writes the shortest text that reads back to the same double), plus that CSV text.
struct Table {
  std::string name;  // "" for ode and sim; "theory" and "sim" for validate
  std::vector<std::string> columns;
  std::vector<std::vector<double>> values;  // values[j][i]: column j at row i
  std::string csv;
};

struct CommandResult {
  std::vector<Table> tables;          // ode, sim: one; validate: theory and sim
  std::string record;                 // the JSON record, as the command writes it (PREFIX.json, PREFIX_validate.json)
  std::string report;                 // validate: the table of tests and the verdict line it prints; else empty
  int exit_code = 0;                  // 0; validate: 1 inconsistent, 3 inconclusive
  std::vector<std::string> warnings;  // settings that take no effect (inert_settings), also in the record
  std::string experiment;             // optimize: the experiment with the optimal schedule (PREFIX_optimal.toml)
};

// validate's own options (the command's --scaling D1,D2,D3 and --column NAME).
struct ValidateOptions {
  std::vector<long long> scaling_dims;
  std::string scaling_column;
};

// What a caller may do while a command runs: `before_compute` is called once everything is checked and before
// any compute (the command refuses existing output files there); `print` receives the report as it is made
// (validate prints its table before the finite-size runs start).
struct CommandHooks {
  std::function<void()> before_compute;
  std::function<void(const std::string&)> print;
  std::function<void(const std::string&)> warn;  // each warning, once checked and before any compute
};

// Each checks everything that can be checked before computing (keys, limits, validate's options), then runs.
// Throws InputError (bad input: exit code 2) or RunError (a failed run: exit code 1).
CommandResult ode_command(const Experiment& experiment, const CommandHooks& hooks = {});
CommandResult sim_command(const Experiment& experiment, const CommandHooks& hooks = {});
CommandResult validate_command(const Experiment& experiment, const ValidateOptions& options,
                               const CommandHooks& hooks = {});
// `tilt optimize`: the best schedule of easy and hard samples under the budget (docs/optimize.md). Tables: the
// optimal trajectory (as `tilt ode` writes it), "control" (the piecewise optimum and its switching function) and
// "compare" (the objective of the optimum and of curriculum, anti-curriculum and shuffled at the same budget);
// `report` is the summary it prints, `experiment` the experiment with the optimal curriculum.segments.
CommandResult optimize_command(const Experiment& experiment, const CommandHooks& hooks = {});
// `tilt config`: the resolved experiment as TOML (every default filled in), after the same checks as a run.
std::string resolved_experiment(const Experiment& experiment);

struct SweepRequest {
  std::string out;  // PREFIX of the table, record and journal (docs/sweep.md); empty: a temporary folder, removed
  int threads = 0;  // 0: all cores
  bool resume = false, force = false, quiet = true;
};
// `tilt sweep FILE` in this process (one rank; spreading points over MPI ranks is the command line's, under mpirun):
// the table PREFIX.csv as one Table (cells that are not numbers, such as a protocol name, "not reached" or "failed",
// read as NaN; the CSV text keeps them) and the sweep's record. exit_code 1 when a point failed (its cells read
// "failed" and the record holds its message). A sweep is a file, `experiment.file`, or its text, `experiment.text`
// (whose [base].file is relative to the working folder), with `overrides` as --set. Warnings go to hooks.warn.
CommandResult sweep_command(const Experiment& sweep, const SweepRequest& request, const CommandHooks& hooks = {});

}  // namespace tilt
