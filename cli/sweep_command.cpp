// `tilt sweep FILE`: parse the sweep, start the ranks (under mpirun), run it (sweep/run.hpp).
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "sweep/run.hpp"
#include "sweep/spec.hpp"

namespace tilt {

int run_sweep_command(const CommandOptions& options) {
  const Cluster cluster = cluster_start();
  struct Stop {
    const Cluster& c;
    ~Stop() { cluster_stop(c); }
  } stop{cluster};
  // Every rank reads the same file; only rank 0 reports bad input (the others exit with the same code).
  SweepSpec spec;
  try {
    spec = SweepSpec::from_file(options.file, options.overrides);
  } catch (const InputError& e) {
    if (cluster.rank == 0) throw;
    return 2;
  }
  SweepOptions o;
  o.out = options.out;
  o.threads = options.threads;
  o.resume = options.resume;
  o.force = options.force;
  o.quiet = options.quiet;
  o.dry_run = options.dry_run;
  o.argv = options.argv;
  return run_sweep(spec, o, cluster);
}

}  // namespace tilt
