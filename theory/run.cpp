#include "theory/run.hpp"

#include <chrono>
#include <exception>

#include "core/error.hpp"
#include "core/io.hpp"
#include "core/model.hpp"
#include "core/progress.hpp"
#include "core/schedule.hpp"
#include "theory/sde.hpp"

namespace tilt {

double init_column(const std::map<std::string, double>& row, const std::string& name, const std::string& path) {
  const auto it = row.find(name);
  if (it == row.end())
    throw InputError("key 'theory.init_file' = \"" + path + "\": no column '" + name +
                     "'; allowed: a CSV with the model's order-parameter columns");
  return it->second;
}

TheoryProblem make_theory_problem(const ResolvedExperiment& experiment, long long member) {
  return experiment.model->theory(experiment, member);
}

std::unique_ptr<Diffusion> make_diffusion(const ResolvedExperiment& experiment) {
  const ModelDescriptor& model = *experiment.model;
  if (model.diffusion) return model.diffusion(experiment);
  std::string with;  // the registered models that have a stochastic theory
  for (const ModelDescriptor* other : registered_models())
    if (other->diffusion) with += (with.empty() ? "" : ", ") + other->name;
  throw InputError("key 'theory.noise' = \"sde\" with model = \"" + model.name +
                   "\": no stochastic theory for this model; allowed: none (the sde is written for " + with + ")");
}

IntegratorOptions integrator_options(const ResolvedExperiment& experiment) {
  const OdeSettings& s = experiment.theory.ode;
  IntegratorOptions o;
  o.method = s.method;
  o.rtol = s.rtol;
  o.atol = s.atol;
  o.dt = s.dt;
  o.blowup = experiment.blowup;
  o.stop_at_outputs = s.stop_at_outputs;
  o.max_steps = s.max_steps;
  o.min_step = s.min_step;
  return o;
}

SdeOptions sde_options(const ResolvedExperiment& experiment) {
  SdeOptions o;
  o.d = double(experiment.sim.d);
  o.dt = experiment.theory.sde.dt;
  o.samples = experiment.theory.sde.samples;
  o.blowup = experiment.blowup;
  o.max_steps = experiment.theory.ode.max_steps;
  return o;
}

TheoryResult run_theory_members(const ResolvedExperiment& experiment, long long count) {
  const auto start = std::chrono::steady_clock::now();
  const Schedule& schedule = experiment.schedule;
  const std::vector<double> times = experiment.output.times();
  const IntegratorOptions options = integrator_options(experiment);
  // theory.noise = "sde": the finite-d stochastic theory (theory/sde.hpp), one noise path per member from the
  // member's own stream, so results do not depend on the thread count.
  const bool sde = experiment.theory.noise == TheoryNoise::Sde;
  const std::unique_ptr<Diffusion> diffusion = sde ? make_diffusion(experiment) : nullptr;
  const SdeOptions noise_options = sde ? sde_options(experiment) : SdeOptions{};

  TheoryResult result;
  Progress progress("theory", count, times.back());
  result.members.resize(std::size_t(count));
  std::vector<IntegratorStats> stats(static_cast<std::size_t>(count));
  result.accuracy.resize(std::size_t(count));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(count));
#pragma omp parallel for schedule(dynamic, 1) num_threads(experiment.sim.threads)
  for (long long m = 0; m < count; ++m) {
    try {
      TheoryProblem problem = make_theory_problem(experiment, m);
      IntegratorOptions member_options = options;
      member_options.progress = [&progress, m](double t) { progress.update(m, t); };
      if (sde) {
        Rng noise(std::uint64_t(experiment.seed + m), Stream::SdeNoise);
        result.members[std::size_t(m)] = integrate_sde(*problem.model, *diffusion, schedule, problem.y0, times,
                                                       noise_options, noise, &stats[std::size_t(m)]);
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
      throw RunError("theory member " + std::to_string(m) + " (seed " + std::to_string(experiment.seed + m) +
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

TheoryResult run_theory(const ResolvedExperiment& experiment) {
  return run_theory_members(experiment, experiment.theory.ensemble);
}

}  // namespace tilt
