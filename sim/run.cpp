#include "sim/run.hpp"

#include <omp.h>

#include <chrono>
#include <exception>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/model.hpp"
#include "core/progress.hpp"

namespace tilt {

long long init_seed(const Config& config, long long member) {
  return config.boolean("sim.same_init") ? config.integer("seed") : config.integer("seed") + member;
}

long long sample_seed(const Config& config, long long member) { return config.integer("seed") + member; }

Trajectory simulate_member(const Config& config, long long member) { return model_of(config).simulate(config, member); }

SimResult run_sim(const Config& config) {
  const auto start = std::chrono::steady_clock::now();
  const long long steps_per_member = sgd_steps_per_member(config);  // the step guard, for every caller
  const long long seeds = config.integer("sim.seeds");
  const int threads = config.integer("sim.threads") > 0 ? int(config.integer("sim.threads")) : omp_get_num_procs();
  SimResult result;
  result.threads = threads;
  result.members.resize(std::size_t(seeds));
  Progress progress("sim", seeds, output_times(config).back());
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(seeds));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (long long m = 0; m < seeds; ++m) {
    try {
      const ProgressScope scope(&progress, m);  // run_online reports through it every few thousand steps
      result.members[std::size_t(m)] = simulate_member(config, m);
      progress.member_done(m);
    } catch (...) {
      errors[std::size_t(m)] = std::current_exception();
    }
  }
  for (long long m = 0; m < seeds; ++m) {
    if (!errors[std::size_t(m)]) continue;
    try {
      std::rethrow_exception(errors[std::size_t(m)]);
    } catch (const RunError& e) {
      throw RunError("seed " + std::to_string(config.integer("seed") + m) + ": " + e.what());
    }
  }
  result.ensemble = summarise(result.members);
  result.sgd_steps = seeds * steps_per_member;  // checked by check_simulation_limits: fits, never negative
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace tilt
