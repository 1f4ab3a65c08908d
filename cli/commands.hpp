// The subcommands of `tilt`; each returns the exit code (0 ok, 1 failed check or run, 2 bad input).
#pragma once
#include <string>
#include <vector>

namespace tilt {

struct CommandOptions {
  std::string file;
  std::vector<std::string> overrides;
  std::string out;
  bool force = false;
  bool reference = false;
  bool quiet = false;
  std::vector<long long> scaling_dims;
  std::string scaling_column;
  bool resume = false;            // sweep
  bool dry_run = false;           // sweep
  int threads = 0;                // sweep: 0 = all cores
  std::vector<std::string> argv;  // the whole command line, for the records
};

int run_ode(const CommandOptions& options);
int run_sim_command(const CommandOptions& options);
int run_validate(const CommandOptions& options);
int run_config(const CommandOptions& options);
int run_optimize(const CommandOptions& options);
int run_sweep_command(const CommandOptions& options);  // cli/sweep_command.cpp

}  // namespace tilt
