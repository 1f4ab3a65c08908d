// One point of a sweep: its experiments run (one per protocol), reduced to one row of the table with the derived
// metrics of models.md section 5 (core/metrics.hpp).
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/spec.hpp"

namespace tilt {

struct PointResult {
  std::size_t index = 0;
  std::vector<std::string> cells;                         // the row after the axis columns (see sweep_header)
  double seconds = 0;                                     // wall time of the point
  std::map<std::string, std::string> files;               // trajectories: file name -> CSV text (sweep.trajectories)
  nlohmann::json t_star = nlohmann::json::object();       // slot (+ side) -> t* of each member (null: never)
  nlohmann::json t_star_at = nlohmann::json::object();    // sweep.thresholds: level -> slot (+ side) -> t*
  std::string serialise() const;                          // one JSON line (journal, MPI messages)
  static PointResult parse(const std::string& line);      // throws on a damaged line
  static PointResult from_json(const nlohmann::json& j);  // the same from the line already parsed
};

// The table's header: point, the axis keys, seed, cost_per_step, then the metric columns of each slot.
std::vector<std::string> sweep_header(const SweepSpec& spec);
// Name, meaning and unit of every column of the table (the record's `columns`).
nlohmann::json sweep_columns_json(const SweepSpec& spec);
// The full row of a point (index, axis labels, seed, then result.cells), CSV text without the newline.
std::string sweep_row(const SweepSpec& spec, const PointResult& result);

// Runs every slot of `point` with `threads` threads for the members (results do not depend on it).
PointResult run_point(const SweepSpec& spec, const SweepPoint& point, int threads);

// CSV cell of a number: shortest round-trip text; inf, -inf, nan for the non-finite.
std::string cell(double x);

}  // namespace tilt
