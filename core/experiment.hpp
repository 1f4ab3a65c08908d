// The typed experiment: the raw key table (core/config.hpp) resolved once, at the boundary (api for a run, sweep
// for each point), into the values the layers below take. Theory, simulation, validation and the limits read these
// fields and never the key table; a model reads its own keys in one place, its descriptor's `parameters`
// (core/model.hpp). The key table stays with what is about the raw text: records, `tilt config`, sweep overrides.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/schedule.hpp"

namespace tilt {

class Config;
struct ModelDescriptor;

// A model's parameters, read from its keys by its descriptor; each model's params struct derives from this.
struct ModelParameters {
  ModelParameters() = default;
  ModelParameters(const ModelParameters&) = default;
  ModelParameters& operator=(const ModelParameters&) = default;
  virtual ~ModelParameters() = default;
};

// The output grid (output.*): t = 0 first, then every `every` (or `points` times, linear or log) up to t_max.
struct OutputGrid {
  double t_max = 0;
  long long points = 0;  // > 0: this many times after 0; 0: a step of `every`
  bool log = false;      // output.spacing = "log" (with points > 0)
  double t_min = 0;      // first time of a log grid
  double every = 0;
  // The rows the grid has (t = 0 included); InputError naming the keys when above 1e10 (checked before times()).
  double rows() const;
  std::vector<double> times() const;
};

enum class TheoryNoise { None, Sde };              // theory.noise
enum class TheoryInit { Sampled, Nominal, File };  // theory.init

// The deterministic integrator's settings (theory.method and its tolerances, step and guards).
struct OdeSettings {
  std::string method;
  double rtol = 0, atol = 0, dt = 0, min_step = 0;
  bool stop_at_outputs = false;
  long long max_steps = 0;
};

// The stochastic theory's settings (theory.sde_dt, theory.sde_samples).
struct SdeSettings {
  double dt = 0;
  int samples = 0;
};

struct TheorySettings {
  TheoryNoise noise = TheoryNoise::None;
  long long ensemble = 1;
  TheoryInit init = TheoryInit::Sampled;
  std::string init_file;  // theory.init = "file": the CSV and the time of its row
  double init_t = 0;
  OdeSettings ode;
  SdeSettings sde;
};

struct SimSettings {
  long long d = 0;
  long long seeds = 1;
  int threads = 1;  // sim.threads resolved (0: every processor)
  bool same_init = false;
  double max_steps = 0;  // sim.max_steps: the step guard of one member
};

// The shared learning keys (eta, weight decay, ...); eta_v and weight_decay_v only where a model has a read-out.
struct TrainingSettings {
  double eta = 0, weight_decay = 0, init_scale = 0;
  bool has_readout = false;
  double eta_v = 0, weight_decay_v = 0;
};

// The validation's keys (validate.*): which columns, the time window, the tolerance, alpha and resamples.
struct ValidateSettings {
  std::string columns;           // auto | all | a comma-separated list (resolved against the run's columns later)
  double t_from = 0, t_to = -1;  // t_to = -1: t_max
  double tolerance = 0, alpha = 0;
  long long resamples = 0;
};

struct ResolvedExperiment {
  const ModelDescriptor* model = nullptr;
  std::shared_ptr<const ModelParameters> parameters;  // from model->parameters
  long long seed = 0;
  double t_max = 0;
  double blowup = 0;
  double max_memory_gb = 0;  // 0: half of the physical memory
  Schedule schedule{std::vector<Phase>{}};
  std::string protocol;  // curriculum.protocol, which built the schedule (for messages that name its keys)
  TestDistribution test;
  OutputGrid output;
  TheorySettings theory;
  SimSettings sim;
  TrainingSettings training;
  ValidateSettings validate;
  double eps_star = 0;  // metrics.eps_star

  // The model's parameters as its own type (each model's files know theirs).
  template <class P>
  const P& params() const {
    return dynamic_cast<const P&>(*parameters);
  }
  const std::string& model_name() const;
  // The seed of member's initial weights (sim.same_init: the seed itself), and of its SGD samples and noise.
  long long init_seed(long long member) const { return sim.same_init ? seed : seed + member; }
  long long sample_seed(long long member) const { return seed + member; }
};

// Resolves a checked key table (Config::from_file/from_text) into the typed experiment; the model's keys are read
// by its descriptor. Throws InputError only where the model's reader does (Config has already checked the keys).
ResolvedExperiment resolve(const Config& config);

}  // namespace tilt
