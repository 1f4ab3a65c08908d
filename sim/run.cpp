#include "sim/run.hpp"

#include <chrono>
#include <exception>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/model.hpp"
#include "core/progress.hpp"

namespace tilt {

Trajectory simulate_member(const ResolvedExperiment& experiment, long long member) {
  return experiment.model->simulate(experiment, member);
}

SimResult run_sim(const ResolvedExperiment& experiment) {
  const auto start = std::chrono::steady_clock::now();
  const long long steps_per_member = sgd_steps_per_member(experiment);  // the step guard, for every caller
  const long long seeds = experiment.sim.seeds;
  const int threads = experiment.sim.threads;
  SimResult result;
  result.threads = threads;
  result.members.resize(std::size_t(seeds));
  Progress progress("sim", seeds, experiment.output.times().back());
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(seeds));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (long long m = 0; m < seeds; ++m) {
    try {
      const ProgressScope scope(&progress, m);  // run_online reports through it every few thousand steps
      result.members[std::size_t(m)] = simulate_member(experiment, m);
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
      throw RunError("seed " + std::to_string(experiment.seed + m) + ": " + e.what());
    }
  }
  result.ensemble = summarise(result.members);
  result.sgd_steps = seeds * steps_per_member;  // checked by check_simulation_limits: fits, never negative
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace tilt
