// `tilt sweep`: check every point up front, run the points (threads, MPI ranks), journal each as it finishes,
// and write the table (PREFIX.csv) and the record (PREFIX.json). docs/sweep.md describes the files.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "sweep/schedule.hpp"
#include "sweep/spec.hpp"

namespace tilt {

// The texts of PREFIX.csv and PREFIX.json, for a caller that wants them in memory.
struct SweepOutput {
  std::string csv, record;
};

struct SweepOptions {
  std::string out;  // PREFIX; empty: the table to standard output (no journal, no record) unless `output` is set
  int threads = 0;  // 0: all cores
  bool resume = false, force = false, quiet = false, dry_run = false;
  SweepOutput* output = nullptr;  // set: receives the table and the record (rank 0); nothing goes to standard output
  std::vector<std::string> argv;  // how the sweep was invoked, for the record
  // Each warning (a setting that takes no effect, a lottery with one shared initial condition), before any point
  // runs; null: standard error. They are in the record too.
  std::function<void(const std::string&)> warn;
};

// Resolves the experiment of every point and protocol and checks it against the run's limits, in parallel;
// throws the InputError of the first failing point (in index order), naming the point's axis values. Sets each
// point's relative cost. Returns the warnings: settings that take no effect at some point (inert_settings; each
// text once), and an SGD sweep whose runs share one initial condition (so success and compute to solution measure
// SGD noise only, not the lottery over initial weights).
std::vector<std::string> check_points(SweepSpec& spec, int threads);

// The whole command on this rank; returns the exit code (0; 1 when a point failed; rank 0 reports).
int run_sweep(SweepSpec& spec, const SweepOptions& options, const Cluster& cluster);

}  // namespace tilt
