// The test-only model `linear` (tests/linear_model.hpp): parameters, weights, ODE, SGD trainer and descriptor in one
// file, because it is small; a built-in model splits the same pieces over its folder, models/<name>/{core,theory,sim}/
// and models/<name>/<name>.cpp (docs/adding-a-model.md).
#include "linear_model.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include <Eigen/Core>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/rng.hpp"
#include "core/schedule.hpp"
#include "sim/online.hpp"
#include "sim/run.hpp"
#include "theory/run.hpp"

namespace tilt {
namespace {

struct LinearParams : ModelParameters {
  std::string name;
  double T = 0, eta = 0, weight_decay = 0, init_scale = 0;
  long long d = 0;
  bool eta_squared = true;  // false: the deliberately wrong ODE
  static LinearParams from_config(const Config& config, LinearVariant variant) {
    const std::string name = config.string("model");
    LinearParams p;
    p.name = name;
    p.T = config.real(name + ".T");
    p.eta = config.real("eta");
    p.weight_decay = config.real("weight_decay");
    p.init_scale = config.real("init_scale");
    p.d = config.integer("sim.d");
    p.eta_squared = variant == LinearVariant::Correct;
    // SGD on this model converges only for eta < 2: the error relaxes like exp(-(2 eta - eta^2) t).
    if (!(p.eta < 2))
      throw InputError("key 'eta' = " + format_number(p.eta) + ": model " + name +
                       " diverges for eta >= 2 (its error grows like exp((eta^2 - 2 eta) t)); allowed: eta < 2");
    return p;
  }
};

struct LinearWeights {
  Eigen::VectorXd teacher, w;  // |teacher|^2 = T exactly; w ~ N(0, init_scale^2 I/d)
};

LinearWeights sample_weights(const LinearParams& p, long long seed) {
  LinearWeights out;
  Rng teacher(std::uint64_t(seed), Stream::Teacher), init(std::uint64_t(seed), Stream::InitialWeights);
  out.teacher.resize(p.d);
  out.w.resize(p.d);
  for (auto& x : out.teacher) x = teacher.normal();
  out.teacher *= std::sqrt(p.T) / out.teacher.norm();
  for (auto& x : out.w) x = p.init_scale / std::sqrt(double(p.d)) * init.normal();
  return out;
}

// Columns R, Q, eps; eps = 1/2 <(f - w*.x)^2> = (Q - 2R + T)/2, the error without the label noise.
std::vector<double> observables(const LinearParams& p, double R, double Q) { return {R, Q, 0.5 * (Q - 2 * R + p.T)}; }

// dR/dt = eta (T - R) - eta lambda R,  dQ/dt = 2 eta (R - Q) + eta^2 (Q - 2R + T + Delta) - 2 eta lambda Q.
class LinearOde : public OdeModel {
 public:
  explicit LinearOde(LinearParams p) : p_(std::move(p)) {}
  std::size_t dimension() const override { return 2; }
  bool rhs(double delta, std::size_t, const double* y, double* dydt) const override {
    const double R = y[0], Q = y[1], eta = p_.eta;
    dydt[0] = eta * (p_.T - R) - eta * p_.weight_decay * R;
    dydt[1] = 2 * eta * (R - Q) + (p_.eta_squared ? eta * eta * (Q - 2 * R + p_.T + delta) : 0.0) -
              2 * eta * p_.weight_decay * Q;
    return Q >= 0;
  }
  std::vector<std::string> columns() const override { return {"R", "Q", "eps"}; }
  std::vector<double> observe(const double* y) const override { return observables(p_, y[0], y[1]); }
  std::vector<std::string> state_names() const override { return {"R", "Q"}; }

 private:
  LinearParams p_;
};

TheoryProblem linear_problem(const ResolvedExperiment& experiment, long long member) {
  const LinearParams& p = experiment.params<LinearParams>();
  const TheoryInit init = experiment.theory.init;
  double R = 0, Q = p.init_scale * p.init_scale;  // nominal: the d -> infinity values
  if (init == TheoryInit::Sampled) {  // the simulation's initial weights for seed + member (same_init = false)
    const LinearWeights w = sample_weights(p, experiment.seed + member);
    R = w.w.dot(w.teacher);
    Q = w.w.squaredNorm();
  } else if (init == TheoryInit::File) {
    const std::string& path = experiment.theory.init_file;
    const auto row = CsvTable::read(path).row_at(experiment.theory.init_t, path);
    R = init_column(row, "R", path);
    Q = init_column(row, "Q", path);
  }
  return {std::make_unique<LinearOde>(p), {R, Q}};
}

// The trainer run_online drives (sim/online.hpp): one fresh sample per step, w <- w + (eta/d)(e x - lambda w).
class LinearSgd {
 public:
  LinearSgd(LinearParams p, LinearWeights w, Rng samples) : p_(std::move(p)), w_(std::move(w)), rng_(samples) {
    x_.resize(p_.d);
  }
  std::vector<std::string> columns() const { return {"R", "Q", "eps"}; }
  std::vector<double> observe() const { return observables(p_, w_.w.dot(w_.teacher), w_.w.squaredNorm()); }
  double largest_order_parameter() const {
    const double Q = w_.w.squaredNorm(), R = std::fabs(w_.w.dot(w_.teacher));
    return std::isfinite(Q) && std::isfinite(R) ? std::max(Q, R) : Q + R;
  }
  void on_switch() {}
  double step(double delta, std::size_t) {
    double f = 0, teacher = 0;
    for (Eigen::Index j = 0; j < x_.size(); ++j) {
      const double x = rng_.normal();
      x_[j] = x;
      f += w_.w[j] * x;
      teacher += w_.teacher[j] * x;
    }
    const double y = teacher + (delta > 0 ? std::sqrt(delta) * rng_.normal() : 0.0);
    const double step = p_.eta / double(p_.d);
    w_.w = (1 - step * p_.weight_decay) * w_.w + (step * (y - f)) * x_;
    return f;
  }
  double uniform() { return rng_.uniform(); }

 private:
  LinearParams p_;
  LinearWeights w_;
  Rng rng_;
  Eigen::VectorXd x_;
};

Trajectory simulate_linear(const ResolvedExperiment& experiment, long long member) {
  const LinearParams& p = experiment.params<LinearParams>();
  LinearSgd sgd(p, sample_weights(p, experiment.init_seed(member)),
                Rng(std::uint64_t(experiment.sample_seed(member)), Stream::SgdSamples));
  return run_online(sgd, experiment.schedule, experiment.output.times(), p.d, experiment.blowup);
}

}  // namespace

Trajectory simulate_linear_over(const ResolvedExperiment& experiment, long long member, const Schedule& schedule) {
  const LinearParams& p = experiment.params<LinearParams>();
  LinearSgd sgd(p, sample_weights(p, experiment.init_seed(member)),
                Rng(std::uint64_t(experiment.sample_seed(member)), Stream::SgdSamples));
  return run_online(sgd, schedule, experiment.output.times(), p.d, experiment.blowup);
}

ModelDescriptor linear_model(const std::string& name, LinearVariant variant) {
  ModelDescriptor m;
  m.name = name;
  m.keys = [name] {
    return std::vector<KeySpec>{
        keys::real(name + ".T", 1.0, "> 0", keys::greater(0), "Teacher norm squared, |w*|^2 (test-only model).", name)};
  };
  m.parameters = [variant](const Config& config) -> std::shared_ptr<const ModelParameters> {
    return std::make_shared<const LinearParams>(LinearParams::from_config(config, variant));
  };
  const char* none = "dimensionless";
  m.columns = {
      time_column_doc(),
      {"R", "overlap of the student with the teacher, w . w*", none},
      {"Q", "squared norm of the student, |w|^2", none},
      {"eps", "generalisation error 1/2 <(w . x - w* . x)^2> = (Q - 2R + T)/2, without the label noise", none}};
  m.validation_columns = {"eps", "R", "Q"};
  m.network_doubles = [](const ResolvedExperiment& e) { return 3 * double(e.sim.d); };  // w*, w, x
  m.state_size = [](const ResolvedExperiment&) { return 2.0; };
  m.output_columns = [](const ResolvedExperiment&) { return 3.0; };
  m.theory = linear_problem;
  m.simulate = simulate_linear;
  return m;
}

}  // namespace tilt
