#include "core/experiment.hpp"

#include <omp.h>

#include <cmath>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/model.hpp"

namespace tilt {

double OutputGrid::rows() const {
  const double n = points > 0 ? double(points) + 1 : std::floor(t_max / every) + 2;
  if (!(n <= 1e10))
    throw InputError(
        "the output grid has " + format_number(n) + " rows (t_max = " + format_number(t_max) +
        (points > 0 ? ", output.points = " + std::to_string(points) : ", output.every = " + format_number(every)) +
        "); allowed: at most 1e10 rows (raise output.every or set output.points)");
  return n;
}

std::vector<double> OutputGrid::times() const {
  std::vector<double> out{0.0};
  if (points > 0 && log) {
    const double lo = std::log(t_min), hi = std::log(t_max);
    for (long long k = 0; k < points; ++k)
      out.push_back(k + 1 == points ? t_max
                                    : std::exp(lo + (hi - lo) * double(k) / double(points - 1 > 0 ? points - 1 : 1)));
    return out;
  }
  if (points > 0) {
    for (long long k = 1; k <= points; ++k) out.push_back(k == points ? t_max : t_max * double(k) / double(points));
    return out;
  }
  // Integer step count: t_k = k * every, never accumulated by repeated addition.
  const long long n = static_cast<long long>(std::floor(t_max / every * (1 + 1e-12)));
  for (long long k = 1; k <= n; ++k) out.push_back(double(k) * every);
  if (t_max - out.back() > 1e-9 * t_max) out.push_back(t_max);
  return out;
}

const std::string& ResolvedExperiment::model_name() const { return model->name; }

namespace {

TheorySettings theory_settings(const Config& c) {
  TheorySettings s;
  s.noise = c.string("theory.noise") == "sde" ? TheoryNoise::Sde : TheoryNoise::None;
  s.ensemble = c.integer("theory.ensemble");
  const std::string& init = c.string("theory.init");
  s.init = init == "sampled" ? TheoryInit::Sampled : init == "nominal" ? TheoryInit::Nominal : TheoryInit::File;
  s.init_file = c.string("theory.init_file");
  s.init_t = c.real("theory.init_t");
  s.ode.method = c.string("theory.method");
  s.ode.rtol = c.real("theory.rtol");
  s.ode.atol = c.real("theory.atol");
  s.ode.dt = c.real("theory.dt");
  s.ode.stop_at_outputs = c.boolean("theory.stop_at_outputs");
  s.ode.max_steps = c.integer("theory.max_steps");
  s.ode.min_step = c.real("theory.min_step");
  s.sde.dt = c.real("theory.sde_dt");
  s.sde.samples = int(c.integer("theory.sde_samples"));
  return s;
}

OutputGrid output_grid(const Config& c) {
  OutputGrid g;
  g.t_max = c.real("t_max");
  g.points = c.integer("output.points");
  g.log = c.string("output.spacing") == "log";
  g.t_min = c.real("output.t_min");
  g.every = c.real("output.every");
  return g;
}

}  // namespace

ResolvedExperiment resolve(const Config& c) {
  ResolvedExperiment e;
  e.model = &model_of(c);
  e.parameters = e.model->parameters(c);
  e.seed = c.integer("seed");
  e.t_max = c.real("t_max");
  e.blowup = c.real("blowup");
  e.max_memory_gb = c.real("max_memory_gb");
  e.schedule = Schedule::from_config(c);
  e.protocol = c.string("curriculum.protocol");
  e.test = TestDistribution::from_config(c);
  e.output = output_grid(c);
  e.theory = theory_settings(c);
  e.sim.d = c.integer("sim.d");
  e.sim.seeds = c.integer("sim.seeds");
  const long long threads = c.integer("sim.threads");
  e.sim.threads = threads > 0 ? int(threads) : omp_get_num_procs();
  e.sim.same_init = c.boolean("sim.same_init");
  e.sim.max_steps = c.real("sim.max_steps");
  e.training.eta = c.real("eta");
  e.training.weight_decay = c.real("weight_decay");
  e.training.init_scale = c.real("init_scale");
  e.training.has_readout = c.has("weight_decay_v");
  if (e.training.has_readout) {
    e.training.eta_v = c.real("eta_v");
    e.training.weight_decay_v = c.real("weight_decay_v");
  }
  e.validate.columns = c.string("validate.columns");
  e.validate.t_from = c.real("validate.t_from");
  e.validate.t_to = c.real("validate.t_to");
  e.validate.tolerance = c.real("validate.tolerance");
  e.validate.alpha = c.real("validate.alpha");
  e.validate.resamples = c.integer("validate.resamples");
  e.eps_star = c.real("metrics.eps_star");
  return e;
}

}  // namespace tilt
