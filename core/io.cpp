#include "core/io.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

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

nlohmann::json json_number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

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

void refuse_existing(const std::vector<std::string>& paths, Overwrite overwrite) {
  if (overwrite == Overwrite::Replace) return;
  for (const auto& p : paths)
    if (std::filesystem::exists(p))
      throw InputError("output file '" + p + "' exists; refusing to overwrite it (use --force to replace it)");
}

namespace {

// The temporary file being written, for the signal handler: a fixed buffer (no allocation in the handler) and a
// flag set only once the path in it is complete.
char g_temporary[4096];
volatile std::sig_atomic_t g_temporary_set = 0;

extern "C" void remove_temporary_and_reraise(int signal_number) {
  if (g_temporary_set) ::unlink(g_temporary);
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

void register_temporary(const std::string& path) {
  g_temporary_set = 0;
  if (path.size() >= sizeof g_temporary) return;
  std::memcpy(g_temporary, path.c_str(), path.size() + 1);
  g_temporary_set = 1;
}

std::string os_reason(int error) { return std::strerror(error); }

// Test hook: TILT_TEST_PAUSE_IN_WRITE=SECONDS sleeps after half of the content is written to the temporary file,
// so a test can interrupt a write deterministically.
void pause_for_tests() {
  if (const char* pause = std::getenv("TILT_TEST_PAUSE_IN_WRITE")) ::sleep(unsigned(std::atoi(pause)));
}

}  // namespace

void install_signal_cleanup() {
  struct sigaction action {};
  action.sa_handler = remove_temporary_and_reraise;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction previous {};
    ::sigaction(signal_number, nullptr, &previous);
    if (previous.sa_handler == SIG_IGN) continue;  // ignored on purpose (nohup, a background job): keep it so
    ::sigaction(signal_number, &action, nullptr);
  }
}

void check_output_prefix(const std::string& prefix) {
  if (prefix.empty()) return;
  const std::string allowed = "; allowed: a file-name prefix such as out/run (writes out/run.csv and out/run.json)";
  if (prefix.back() == '/')
    throw InputError("--out '" + prefix + "' ends in '/': PREFIX names the output files, not a folder" + allowed);
  std::error_code error;
  if (std::filesystem::is_directory(prefix, error))
    throw InputError("--out '" + prefix + "' is a directory: PREFIX names the output files, not a folder" + allowed);
  // The longest name written is PREFIX_validate.json.tmp.<pid>: it must fit the file system's name limit.
  const std::string name = std::filesystem::path(prefix).filename().string();
  const long name_max = ::pathconf(
      std::filesystem::path(prefix).has_parent_path() ? std::filesystem::path(prefix).parent_path().c_str() : ".",
      _PC_NAME_MAX);
  const std::size_t longest = name.size() + std::string("_validate.json.tmp.").size() + 10;
  if (longest > std::size_t(name_max > 0 ? name_max : 255))
    throw InputError("--out '" + prefix + "': the file name '" + name + "' is too long for the output files (" +
                     std::to_string(longest) + " characters with suffixes, the limit is " +
                     std::to_string(name_max > 0 ? name_max : 255) + ")" + allowed);
  std::filesystem::path folder = std::filesystem::path(prefix).parent_path();
  if (folder.empty()) folder = ".";
  // The folder is created when the files are written; what must exist now is a writable ancestor.
  std::filesystem::path existing = folder;
  while (!std::filesystem::exists(existing, error)) {
    if (!existing.has_parent_path() || existing == existing.parent_path()) {
      existing = ".";
      break;
    }
    existing = existing.parent_path();
  }
  if (!std::filesystem::is_directory(existing, error))
    throw InputError("--out '" + prefix + "': '" + existing.string() + "' is not a directory" + allowed);
  const std::string probe = (existing / (".tilt-probe." + std::to_string(::getpid()))).string();
  register_temporary(probe);  // an interrupt now removes the probe too
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    const int e = errno;
    g_temporary_set = 0;
    throw InputError("--out '" + prefix + "': cannot create files in '" + existing.string() + "': " + os_reason(e) +
                     allowed + " in a writable folder");
  }
  ::close(fd);
  ::unlink(probe.c_str());
  g_temporary_set = 0;
  // A missing folder is created now, before the run, and said (docs/formats.md): one behaviour, never silent.
  if (!std::filesystem::exists(folder, error)) {
    std::filesystem::create_directories(folder, error);
    if (error)
      throw InputError("--out '" + prefix + "': cannot create the folder '" + folder.string() +
                       "': " + error.message() + allowed + " in a writable folder");
    std::fprintf(stderr, "tilt: created the folder '%s' for --out %s\n", folder.string().c_str(), prefix.c_str());
  }
}

void write_file_atomic(const std::string& path, const std::string& content, Overwrite overwrite) {
  refuse_existing({path}, overwrite);
  const std::filesystem::path target(path);
  if (target.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(target.parent_path(), error);
    if (error) throw RunError("cannot create the folder '" + target.parent_path().string() + "': " + error.message());
  }
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const std::string& what, int e) {
    g_temporary_set = 0;
    ::unlink(temporary.c_str());
    return RunError("cannot " + what + " '" + temporary + "': " + os_reason(e));
  };
  register_temporary(temporary);  // before the file exists, so no moment leaves it unknown to the handler
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    const int e = errno;
    g_temporary_set = 0;
    throw RunError("cannot create '" + temporary + "': " + os_reason(e));
  }
  std::size_t written = 0;
  bool paused = false;
  while (written < content.size()) {
    const std::size_t chunk = std::min<std::size_t>(content.size() - written, 1 << 20);
    const ssize_t n = ::write(fd, content.data() + written, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = n < 0 ? errno : EIO;
      ::close(fd);
      throw fail("write", e);
    }
    written += std::size_t(n);
    if (!paused && written >= content.size() / 2) {
      paused = true;
      pause_for_tests();
    }
  }
  if (::close(fd) != 0) throw fail("write", errno);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int e = errno;
    g_temporary_set = 0;
    ::unlink(temporary.c_str());
    throw RunError("cannot rename '" + temporary + "' to '" + path + "': " + os_reason(e));
  }
  g_temporary_set = 0;
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
    if (value.is_floating())
      (*slot)[rest] = value.as_floating();
    else if (value.is_integer())
      (*slot)[rest] = value.as_integer();
    else if (value.is_boolean())
      (*slot)[rest] = value.as_boolean();
    else if (value.is_string())
      (*slot)[rest] = value.as_string().str;
    else if (value.as_array().empty() || value.as_array().front().is_array())
      (*slot)[rest] = config.table(key);
    else
      (*slot)[rest] = config.integers(key);
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
          {"git_revision", git_revision()},
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
        throw InputError("CSV file '" + path + "' line " + std::to_string(number) + ": '" + cell +
                         "' is not a finite number");
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
