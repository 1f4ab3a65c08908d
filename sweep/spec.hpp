// A sweep: a base experiment, axes over its keys, what runs at each point, and the protocols compared
// (docs/sweep.md). Parsing checks every axis and every point's experiment before anything runs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/experiment.hpp"

namespace tilt {

enum class SweepRun { Theory, TheoryEnsemble, Sim, Validate };
const char* sweep_run_name(SweepRun run);

struct SweepAxis {
  std::string key;                  // a registered experiment key, e.g. "curriculum.hard"
  std::vector<toml::value> values;  // normalised values (numbers for real/integer keys)
  std::vector<Setting> settings;    // each value as the override KEY=VALUE reads (read once, set at every point)
  std::string zip;                  // axes with the same non-empty zip group vary together
  std::string scale = "values";     // how the values were given: "log" or "linear" range, or "values" (a list)
  std::string origin;               // "axis N (key)" for messages
};

struct SweepPoint {
  std::size_t index = 0;
  std::vector<Setting> settings;    // the point's seed, then the axis values (as the axes' settings)
  std::vector<std::string> labels;  // each axis's value as written in the table
  long long seed = 0;
  double cost = 1;  // relative cost (members x t_max x model size), set by check_points
};

struct SweepSpec {
  std::string path;                    // the sweep file
  Config base;                         // resolved base (file + inline tables + --set)
  std::vector<std::string> overrides;  // the --set list, as given
  std::vector<SweepAxis> axes;
  SweepRun run = SweepRun::Theory;
  std::vector<std::string> protocols;  // compared at every point (slot names), empty: the base's (or the axis's)
  std::string reference;               // reference protocol for gains ("" = none)
  bool protocol_axis = false;          // curriculum.protocol is an axis: slot "run" is the point's protocol
  long long seed = 1;                  // sweep seed
  bool derived_seeds = true;           // point seed from (sweep seed, index); else the base's seed everywhere
  std::string column = "eps";          // the error column of t*, success, speed-up, compute to solution
  bool trajectories = false;           // write each point's trajectories
  std::vector<double> thresholds;      // more eps* levels whose per-member t* the record keeps (no table columns)
  std::vector<SweepPoint> points;      // the expanded grid, in index order
  std::uint64_t hash = 0;              // FNV-1a of the canonical text below
  std::string canonical;               // everything that determines the table

  // Reads the sweep file, applies --set overrides to the base, expands and checks the grid. InputError names the
  // axis (or key) on bad input.
  static SweepSpec from_file(const std::string& path, const std::vector<std::string>& overrides);
  static SweepSpec from_text(const std::string& text, const std::vector<std::string>& overrides,
                             const std::string& origin, const std::string& folder = ".");

  // The slots compared at each point (protocol names, or "run" plus the reference for a protocol axis).
  std::vector<std::string> slots() const;
  // The experiment of `slot` at `point`, resolved (with `extra` settings last, e.g. the thread count).
  Config experiment(const SweepPoint& point, const std::string& slot, const std::vector<Setting>& extra = {}) const;
  // The same, resolved (core/experiment.hpp): what the runs, limits and costs of the point take.
  ResolvedExperiment resolved(const SweepPoint& point, const std::string& slot,
                              const std::vector<Setting>& extra = {}) const;
  // Relative cost of running `experiment` for one slot (members x t_max x model size): orders the work (costly
  // points first) and scales --dry-run's estimate.
  double relative_cost(const ResolvedExperiment& experiment) const;
};

// The seed of point `index`: SplitMix64-expanded xoshiro256++ draw from (sweep seed, Stream::Sweep, index),
// reduced to [1, 2^62) so that seed + member never overflows.
long long point_seed(long long sweep_seed, std::size_t index);

std::uint64_t fnv1a(const std::string& text);

}  // namespace tilt
