// Output files: CSV tables and JSON run records, written to a temporary name and renamed when complete.
#pragma once
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/trajectory.hpp"

namespace tilt {

class Config;

std::string format_number(double x);   // shortest text that reads back to the same double
nlohmann::json json_number(double x);  // x for a JSON record; null when not finite (JSON has no infinity)
std::string to_csv(const Trajectory& trajectory);
std::string to_csv(const EnsembleTrajectory& ensemble);

// What to do with an output file that exists already: refuse (the default; --force is Replace) or replace it.
enum class Overwrite { Refuse, Replace };

// Writes `content` to `path` atomically (temporary file + rename). Refuses to replace an existing file under
// Overwrite::Refuse; throws InputError then, RunError on I/O failure.
void write_file_atomic(const std::string& path, const std::string& content, Overwrite overwrite);
// Throws InputError if any of `paths` exists under Overwrite::Refuse; checked before a run starts, so nothing is
// computed only to be refused at the end.
void refuse_existing(const std::vector<std::string>& paths, Overwrite overwrite);
// Checks, before a run starts, that `prefix` (of --out) can take the files PREFIX<suffix>: it names files, not a
// folder (no trailing '/', not an existing directory), and its folder (or the nearest existing ancestor, where
// the folder will be created) is a writable directory, probed by creating and removing a file. A missing folder is
// then created, and a line on standard error says so. Throws InputError with the OS reason.
void check_output_prefix(const std::string& prefix);

// SIGINT, SIGTERM and SIGHUP remove the temporary file write_file_atomic is writing, then terminate the process
// as the signal would have (async-signal-safe: unlink and raise only). Called once by the command.
void install_signal_cleanup();

// The JSON record written beside every CSV: resolved experiment, version, revision, host, timings, statistics.
nlohmann::json run_record(const Config& config, const std::string& command);
nlohmann::json config_to_json(const Config& config);

// A CSV with a header, read by column name (initial conditions from a previous run).
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
  static CsvTable read(const std::string& path);
  // The row whose `t` equals `t` (within 1e-9), or the first row when t < 0, as name -> value.
  std::map<std::string, double> row_at(double t, const std::string& path) const;
};

}  // namespace tilt
