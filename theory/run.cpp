#include "theory/run.hpp"

#include <omp.h>

#include <chrono>
#include <exception>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/model.hpp"
#include "core/progress.hpp"
#include "core/schedule.hpp"
#include "theory/models/diffusions.hpp"
#include "theory/models/problems.hpp"
#include "theory/sde.hpp"

namespace tilt {
namespace {

int thread_count(const Config& config) {
  const long long t = config.integer("sim.threads");
  return t > 0 ? int(t) : omp_get_num_procs();
}

}  // namespace

double init_column(const std::map<std::string, double>& row, const std::string& name, const std::string& path) {
  const auto it = row.find(name);
  if (it == row.end())
    throw InputError("key 'theory.init_file' = \"" + path + "\": no column '" + name +
                     "'; allowed: a CSV with the model's order-parameter columns");
  return it->second;
}

TheoryProblem make_theory_problem(const Config& config, long long member) {
  return model_of(config).theory(config, member);
}

TheoryResult run_theory_members(const Config& config, long long count) {
  const auto start = std::chrono::steady_clock::now();
  const Schedule schedule = Schedule::from_config(config);
  const std::vector<double> times = output_times(config);
  const IntegratorOptions options = IntegratorOptions::from_config(config);
  // theory.noise = "sde": the finite-d stochastic theory (theory/sde.hpp), one noise path per member from the
  // member's own stream, so results do not depend on the thread count.
  const bool sde = config.string("theory.noise") == "sde";
  const std::unique_ptr<Diffusion> diffusion = sde ? make_diffusion(config) : nullptr;
  const SdeOptions sde_options = sde ? SdeOptions::from_config(config) : SdeOptions{};

  TheoryResult result;
  Progress progress("theory", count, times.back());
  result.members.resize(std::size_t(count));
  std::vector<IntegratorStats> stats(static_cast<std::size_t>(count));
  result.accuracy.resize(std::size_t(count));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(count));
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count(config))
  for (long long m = 0; m < count; ++m) {
    try {
      TheoryProblem problem = make_theory_problem(config, m);
      IntegratorOptions member_options = options;
      member_options.progress = [&progress, m](double t) { progress.update(m, t); };
      if (sde) {
        Rng noise(std::uint64_t(config.integer("seed") + m), Stream::SdeNoise);
        result.members[std::size_t(m)] = integrate_sde(*problem.model, *diffusion, schedule, problem.y0, times,
                                                       sde_options, noise, &stats[std::size_t(m)]);
      } else {
        result.members[std::size_t(m)] =
            integrate(*problem.model, schedule, problem.y0, times, member_options, &stats[std::size_t(m)]);
      }
      result.accuracy[std::size_t(m)] = problem.model->accuracy_json();
      progress.member_done(m);
    } catch (...) {
      errors[std::size_t(m)] = std::current_exception();
    }
  }
  // Report the first failing member in member order, whatever the thread schedule was.
  for (long long m = 0; m < count; ++m) {
    if (!errors[std::size_t(m)]) continue;
    if (count == 1) std::rethrow_exception(errors[0]);
    try {
      std::rethrow_exception(errors[std::size_t(m)]);
    } catch (const RunError& e) {
      throw RunError("theory member " + std::to_string(m) + " (seed " + std::to_string(config.integer("seed") + m) +
                     "): " + e.what());
    }
  }
  for (const auto& s : stats) {
    result.stats.steps += s.steps;
    result.stats.rejected += s.rejected;
    result.stats.evaluations += s.evaluations;
  }
  result.ensemble = summarise(result.members);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

TheoryResult run_theory(const Config& config) { return run_theory_members(config, config.integer("theory.ensemble")); }

}  // namespace tilt
