// `tilt`: the one command. Parses arguments, calls the library, writes files. Contains no science.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <new>

#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/progress.hpp"
#include "models/builtin.hpp"
#include "tilt/version.hpp"

namespace {

using namespace tilt;

struct Subcommands {
  CLI::App *ode, *sim, *validate, *sweep, *optimize, *config;
};

// The arguments every running subcommand takes; `writes`: what --out PREFIX writes (docs/formats.md lists the same
// files; tests/test_records.cpp compares).
void add_common(CLI::App* sub, CommandOptions& options, const std::string& writes) {
  sub->add_option("FILE", options.file, "experiment file (TOML)")->required();
  sub->add_option("--set", options.overrides, "override a key: --set KEY=VALUE (repeatable)")->take_all();
  sub->add_option("--out", options.out, writes);
  sub->add_flag("--force", options.force, "replace existing output files");
  sub->add_flag("--quiet", options.quiet, "no progress line on standard error");
}

Subcommands add_subcommands(CLI::App& app, CommandOptions& options) {
  Subcommands s;
  s.ode = app.add_subcommand("ode", "integrate the order-parameter ODEs (theory)");
  add_common(s.ode, options,
             "write PREFIX.csv (the trajectory) and PREFIX.json (the record) (default: CSV to standard output)");
  s.sim = app.add_subcommand("sim", "run the online-SGD ensemble (mean and standard error over seeds)");
  add_common(s.sim, options,
             "write PREFIX.csv (mean, standard errors, seeds) and PREFIX.json (the record) (default: CSV to "
             "standard output)");
  s.validate = app.add_subcommand(
      "validate",
      "run theory and simulation and test their agreement (exit 0 consistent, 1 inconsistent, 3 inconclusive)");
  add_common(s.validate, options,
             "write PREFIX_theory.csv, PREFIX_sim.csv (the two ensembles) and PREFIX_validate.json (the "
             "record) (default: print the table only)");
  s.validate
      ->add_option("--scaling", options.scaling_dims, "also fit the finite-size exponent over these d (>= 3 values)")
      ->delimiter(',');
  s.validate->add_option("--column", options.scaling_column, "observable for --scaling (default: eps)");
  s.sweep = app.add_subcommand("sweep",
                               "run an experiment over a grid of keys (docs/sweep.md); threads, "
                               "and ranks under mpirun when built with -DTILT_MPI=ON");
  add_common(s.sweep, options,
             "write PREFIX.csv (one row per point), PREFIX.json (the record), PREFIX.journal while it runs, "
             "PREFIX_points/ with sweep.trajectories (default: the table to standard output)");
  s.sweep->add_flag("--dry-run", options.dry_run, "check every point, print the number of points and a cost estimate");
  s.sweep->add_flag("--resume", options.resume, "continue the sweep of PREFIX.journal (same sweep file and --set)");
  s.sweep->add_option("--threads", options.threads, "worker threads (default 0: all cores; at most 65536)");
  s.optimize = app.add_subcommand(
      "optimize", "the best schedule of easy and hard samples under the budget, by optimal control (docs/optimize.md)");
  add_common(s.optimize, options,
             "write PREFIX.csv (the optimal trajectory), PREFIX_control.csv (the piecewise optimum), "
             "PREFIX_compare.csv (against the fixed protocols), PREFIX_optimal.toml (the experiment with the "
             "optimal curriculum.segments) and PREFIX.json (the record) (default: print the summary only)");
  s.config = app.add_subcommand("config", "print the resolved experiment with every default filled in");
  s.config->add_option("FILE", options.file, "experiment file (TOML)");
  s.config->add_option("--set", options.overrides, "override a key: --set KEY=VALUE (repeatable)")->take_all();
  s.config->add_flag("--reference", options.reference, "print the reference of every key (docs/config.md)");
  return s;
}

// What each option with a value allows, in plain words and numbers (CLI11's own texts are not tilt's).
const std::vector<std::pair<std::string, std::string>> kAllowed = {
    {"--threads", "an integer from 0 (all cores) to 65536"},
    {"--scaling", "at least three distinct integers >= 2, comma-separated, e.g. --scaling 500,2000,8000"},
    {"--column", "an output column of the model, e.g. --column R"},
    {"--set", "KEY=VALUE, e.g. --set eta=1.5 (tilt config --reference lists the keys)"},
    {"--out", "a file prefix such as out/run"}};

// An unknown first word, with the nearest command (CLI11 would only say "A subcommand is required"); false when
// the first word is an option or a known command.
bool refuse_unknown_command(CLI::App& app, const std::vector<std::string>& args) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') return false;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (std::find(names.begin(), names.end(), args[0]) != names.end()) return false;
  const std::string near = nearest(args[0], names);
  std::cerr << "tilt: error: unknown command '" << args[0] << "'"
            << (near.empty() ? "" : " (did you mean " + near + "?)") << "; allowed: " << subcommand_list(app)
            << " (tilt --help)\n";
  return true;
}

// Runs the parsed subcommand; the library's errors become exit codes: 2 bad input, 1 a failed run.
int run_subcommand(const Subcommands& s, const CommandOptions& options) {
  try {
    if (s.ode->parsed()) return run_ode(options);
    if (s.sim->parsed()) return run_sim_command(options);
    if (s.validate->parsed()) return run_validate(options);
    if (s.config->parsed()) return run_config(options);
    if (s.sweep->parsed()) return run_sweep_command(options);
    if (s.optimize->parsed()) return run_optimize(options);
  } catch (const InputError& e) {
    std::cerr << "tilt: error: " << e.what() << "\n";
    return 2;
  } catch (const RunError& e) {
    std::cerr << "tilt: failed: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "tilt: failed: out of memory (std::bad_alloc): the run needs more memory than the machine "
                 "could give; lower the sizes (sim.d, sim.seeds, the model's widths, the output grid) or "
                 "max_memory_gb so that the check before the run refuses it\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "tilt: failed: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  register_builtin_models();
  CLI::App app{"tilt: order-parameter ODEs and online SGD for curricula in teacher-student models"};
  app.set_version_flag("--version", std::string("tilt ") + kVersion + " (" + git_revision() + ")");
  app.require_subcommand(1);
  CommandOptions options;
  const Subcommands subcommands = add_subcommands(app, options);

  const std::vector<std::string> args(argv + 1, argv + argc);
  options.argv.assign(argv, argv + argc);
  if (refuse_unknown_command(app, args)) return 2;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "tilt: error: " << parse_error_message(e, app, args, kAllowed) << "\n";
    return 2;
  }
  if (options.threads < 0 || options.threads > 65536) {
    std::cerr << "tilt: error: --threads " << options.threads << ": out of range; allowed: " << kAllowed[0].second
              << "\n";
    return 2;
  }
  if (options.quiet) Progress::set_enabled(false);
  install_signal_cleanup();  // an interrupted write leaves no temporary file
  return run_subcommand(subcommands, options);
}
