// Helpers shared by the tests: running the `tilt` binary, temporary directories, Monte Carlo summaries.
#pragma once
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tilt::testing {

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_tilt(const std::string& arguments) {
  const std::string command = std::string(TILT_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// A fresh directory under the system temp dir, removed when the object goes out of scope.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) {
    path = std::filesystem::temp_directory_path() / ("tilt_test_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name, const std::string& content = "") const {
    const auto p = path / name;
    if (!content.empty()) std::ofstream(p) << content;
    return p.string();
  }
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string source_path(const std::string& relative) { return std::string(TILT_SOURCE_DIR) + "/" + relative; }

// Running mean and standard error of a Monte Carlo estimate.
struct MeanSe {
  double sum = 0, sum2 = 0;
  long long n = 0;
  void add(double x) {
    sum += x;
    sum2 += x * x;
    ++n;
  }
  double mean() const { return sum / double(n); }
  double se() const { return std::sqrt((sum2 / double(n) - mean() * mean()) / double(n - 1)); }
};

}  // namespace tilt::testing
