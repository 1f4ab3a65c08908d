#include "theory/sde.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/io.hpp"
#include "core/mixture.hpp"

namespace tilt {

namespace {

// The drift of a phase: the model's right-hand side, or its weighted average over a mixture (shuffled).
class PhaseDrift {
 public:
  PhaseDrift(const OdeModel& model, std::size_t n) : model_(model), scratch_(n) {}
  bool operator()(const Phase& phase, std::size_t index, const double* y, double* f) {
    const std::size_t n = scratch_.size();
    for (std::size_t i = 0; i < n; ++i)
      if (!std::isfinite(y[i])) return false;
    evaluations += static_cast<long long>(phase.mixture.size());
    if (phase.mixture.size() == 1) return model_.rhs(phase.mixture[0].difficulty, index, y, f);
    std::fill(f, f + n, 0.0);
    for (const auto& c : phase.mixture) {
      if (!model_.rhs(c.difficulty, index, y, scratch_.data())) return false;
      for (std::size_t i = 0; i < n; ++i) f[i] += c.weight * scratch_[i];
    }
    return true;
  }
  long long evaluations = 0;

 private:
  const OdeModel& model_;
  std::vector<double> scratch_;
};

// The noise of one step: sqrt(h/d) (M-1)^(-1/2) sum_j (U_j - mean U) xi_j, with each U_j drawn from the phase's
// sample mix (a mixture picks each sample's difficulty with its weight, as SGD does).
class StepNoise {
 public:
  StepNoise(const Diffusion& diffusion, std::size_t n, int samples)
      : diffusion_(diffusion), n_(n), M_(samples), U_(n * std::size_t(samples)), mean_(n) {}
  bool operator()(const Phase& phase, std::size_t index, const double* y, double h, double d, Rng& rng, double* noise) {
    const std::size_t M = std::size_t(M_);
    if (phase.mixture.size() == 1) {
      if (!diffusion_.increments(phase.mixture[0].difficulty, index, y, rng, M_, U_.data())) return false;
    } else {
      std::vector<int> counts(phase.mixture.size(), 0);
      for (std::size_t j = 0; j < M; ++j) ++counts[pick_component(phase.mixture, rng.uniform())];
      std::size_t filled = 0;
      for (std::size_t c = 0; c < counts.size(); ++c) {
        if (counts[c] == 0) continue;
        if (!diffusion_.increments(phase.mixture[c].difficulty, index, y, rng, counts[c], U_.data() + filled * n_))
          return false;
        filled += std::size_t(counts[c]);
      }
    }
    std::fill(mean_.begin(), mean_.end(), 0.0);
    for (std::size_t j = 0; j < M; ++j)
      for (std::size_t i = 0; i < n_; ++i) mean_[i] += U_[j * n_ + i];
    for (double& m : mean_) m /= double(M);
    std::fill(noise, noise + n_, 0.0);
    const double scale = std::sqrt(h / d / double(M - 1));
    for (std::size_t j = 0; j < M; ++j) {
      const double xi = scale * rng.normal();
      for (std::size_t i = 0; i < n_; ++i) noise[i] += xi * (U_[j * n_ + i] - mean_[i]);
    }
    return true;
  }

 private:
  const Diffusion& diffusion_;
  std::size_t n_;
  int M_;
  std::vector<double> U_, mean_;
};

void check_sde_state(const OdeModel& model, const std::vector<double>& y, double t, double blowup) {
  for (std::size_t i = 0; i < y.size(); ++i)
    if (!std::isfinite(y[i]) || std::fabs(y[i]) > blowup)
      throw RunError("SDE diverged at t = " + format_number(t) + ": " + model.state_names()[i] + " = " +
                     format_number(y[i]) + " (blow-up bound " + format_number(blowup) +
                     "; lower eta or theory.sde_dt, or raise `blowup` if such values are meant)");
}

}  // namespace

Trajectory integrate_sde(const OdeModel& model, const Diffusion& diffusion, const Schedule& schedule,
                         std::vector<double> y, const std::vector<double>& times, const SdeOptions& options, Rng& rng,
                         IntegratorStats* stats) {
  if (options.samples < 2) throw InputError("theory.sde_samples must be at least 2 (a sample covariance)");
  const std::size_t n = model.dimension();
  PhaseDrift drift(model, n);
  StepNoise step_noise(diffusion, n, options.samples);

  // Stops: every switch, every output time and the end; fixed steps between them, t = t0 + k h (never t += h).
  const double t_end = times.back();
  std::vector<double> stops = schedule.switches_in(0.0, t_end);
  stops.insert(stops.end(), times.begin(), times.end());
  std::sort(stops.begin(), stops.end());
  stops.erase(std::unique(stops.begin(), stops.end()), stops.end());

  Trajectory out;
  out.columns = model.columns();
  std::size_t next_output = 0;
  std::size_t phase_index = schedule.index_at(0.0);
  long long steps = 0;
  double t = 0.0;
  std::vector<double> f0(n), f1(n), noise(n), y_pred(n);
  auto fail = [&](double at, const std::string& what) {
    throw RunError("SDE integration failed at t = " + format_number(at) + ": " + what);
  };
  for (double stop : stops) {
    if (stop > t) {
      const Phase& phase = schedule.phases()[phase_index];
      const double t0 = t;
      const double wanted = std::max(1.0, std::ceil((stop - t0) / options.dt - 1e-9));
      if (wanted > double(options.max_steps - steps))
        throw RunError("SDE step guard at t = " + format_number(t0) + ": reaching t = " + format_number(stop) +
                       " with theory.sde_dt = " + format_number(options.dt) + " would take " + format_number(wanted) +
                       " more steps, beyond theory.max_steps = " + std::to_string(options.max_steps));
      const long long count = static_cast<long long>(wanted);
      const double h = (stop - t0) / double(count);
      for (long long k = 0; k < count; ++k) {
        const double tk = t0 + double(k) * h;
        if (!drift(phase, phase_index, y.data(), f0.data())) fail(tk, "the state left the model's domain");
        if (!step_noise(phase, phase_index, y.data(), h, options.d, rng, noise.data()))
          fail(tk, "the state left the model's domain (noise)");
        for (std::size_t i = 0; i < n; ++i) y_pred[i] = y[i] + h * f0[i] + noise[i];
        if (!drift(phase, phase_index, y_pred.data(), f1.data()))
          fail(tk + h, "the predicted state left the model's domain");
        for (std::size_t i = 0; i < n; ++i) y[i] += 0.5 * h * (f0[i] + f1[i]) + noise[i];
        ++steps;
        check_sde_state(model, y, t0 + double(k + 1) * h, options.blowup);
      }
      t = stop;
    }
    const std::size_t now = schedule.index_at(stop);
    if (now != phase_index) {
      model.on_switch(y.data());
      phase_index = now;
    }
    while (next_output < times.size() && times[next_output] <= stop) {
      out.times.push_back(times[next_output++]);
      out.rows.push_back(model.observe(y.data()));
    }
  }
  if (stats) {
    stats->steps += steps;
    stats->evaluations += drift.evaluations;
  }
  return out;
}

}  // namespace tilt
