#include "core/io.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/keys.hpp"
#include "tilt/version.hpp"

namespace tilt {

std::string format_number(double x) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, result.ptr);
}

namespace {

std::string header(const std::vector<std::string>& columns, const std::string& suffix) {
  std::string out;
  for (const auto& c : columns) out += "," + c + suffix;
  return out;
}

}  // namespace

std::string to_csv(const Trajectory& trajectory) {
  std::string out = "t" + header(trajectory.columns, "") + "\n";
  for (std::size_t i = 0; i < trajectory.times.size(); ++i) {
    out += format_number(trajectory.times[i]);
    for (double x : trajectory.rows[i]) out += "," + format_number(x);
    out += "\n";
  }
  return out;
}

std::string to_csv(const EnsembleTrajectory& ensemble) {
  const Trajectory& mean = ensemble.mean;
  std::string out = "t" + header(mean.columns, "") + header(mean.columns, "_se") + ",seeds\n";
  for (std::size_t i = 0; i < mean.times.size(); ++i) {
    out += format_number(mean.times[i]);
    for (double x : mean.rows[i]) out += "," + format_number(x);
    for (double x : ensemble.se[i]) out += "," + format_number(x);
    out += "," + std::to_string(ensemble.members) + "\n";
  }
  return out;
}

void refuse_existing(const std::vector<std::string>& paths, bool force) {
  if (force) return;
  for (const auto& p : paths)
    if (std::filesystem::exists(p))
      throw InputError("output file '" + p + "' exists; refusing to overwrite it (use --force to replace it)");
}

void write_file_atomic(const std::string& path, const std::string& content, bool force) {
  refuse_existing({path}, force);
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw RunError("cannot write '" + temporary + "'");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, target, error);
  if (error) {
    std::remove(temporary.c_str());
    throw RunError("cannot rename '" + temporary + "' to '" + path + "': " + error.message());
  }
}

nlohmann::json config_to_json(const Config& config) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : config.values()) {
    nlohmann::json* slot = &out;
    std::string rest = key;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      slot = &(*slot)[rest.substr(0, dot)];
      rest = rest.substr(dot + 1);
    }
    if (value.is_floating()) (*slot)[rest] = value.as_floating();
    else if (value.is_integer()) (*slot)[rest] = value.as_integer();
    else if (value.is_boolean()) (*slot)[rest] = value.as_boolean();
    else if (value.is_string()) (*slot)[rest] = value.as_string().str;
    else (*slot)[rest] = config.table(key);
  }
  return out;
}

nlohmann::json run_record(const Config& config, const std::string& command) {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return {{"tilt_version", kVersion},
          {"git_revision", kGitRevision},
          {"command", command},
          {"host", host},
          {"started_utc", stamp},
          {"seed", config.integer("seed")},
          {"experiment", config_to_json(config)},
          {"experiment_toml", config.to_toml()}};
}

CsvTable CsvTable::read(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot open CSV file '" + path + "'");
  CsvTable table;
  std::string line;
  if (!std::getline(in, line)) throw InputError("CSV file '" + path + "' is empty");
  std::stringstream hs(line);
  for (std::string cell; std::getline(hs, cell, ',');) table.header.push_back(cell);
  std::size_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) {
      double x = 0;
      const auto r = std::from_chars(cell.data(), cell.data() + cell.size(), x);
      if (r.ec != std::errc() || !std::isfinite(x))
        throw InputError("CSV file '" + path + "' line " + std::to_string(number) + ": '" + cell + "' is not a finite number");
      row.push_back(x);
    }
    if (row.size() != table.header.size())
      throw InputError("CSV file '" + path + "' line " + std::to_string(number) + ": " + std::to_string(row.size()) +
                       " values for " + std::to_string(table.header.size()) + " columns");
    table.rows.push_back(row);
  }
  if (table.rows.empty()) throw InputError("CSV file '" + path + "' has no data rows");
  return table;
}

std::map<std::string, double> CsvTable::row_at(double t, const std::string& path) const {
  std::size_t index = 0;
  if (t >= 0) {
    std::size_t tcol = header.size();
    for (std::size_t j = 0; j < header.size(); ++j)
      if (header[j] == "t") tcol = j;
    if (tcol == header.size()) throw InputError("CSV file '" + path + "' has no column 't'");
    index = rows.size();
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (std::fabs(rows[i][tcol] - t) <= 1e-9 * std::max(1.0, std::fabs(t))) index = i;
    if (index == rows.size())
      throw InputError("key 'theory.init_t' = " + format_number(t) + ": no row with that t in '" + path + "'");
  }
  std::map<std::string, double> out;
  for (std::size_t j = 0; j < header.size(); ++j) out[header[j]] = rows[index][j];
  return out;
}

}  // namespace tilt
