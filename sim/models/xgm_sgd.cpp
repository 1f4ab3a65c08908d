#include "sim/models/xgm_sgd.hpp"

#include <cmath>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/models/xgm_gauss.hpp"
#include "sim/models/members.hpp"
#include "sim/run.hpp"

namespace tilt {

XgmSgd::XgmSgd(XgmParams params, XgmWeights weights, Rng samples)
    : p_(std::move(params)), w_(std::move(weights)), rng_(samples) {
  x_rel_.resize(p_.D);
  x_irr_.resize(p_.d - p_.D);
  lambda_.resize(p_.K);
  G_.resize(p_.K);
  double acc = 0;
  for (const auto& c : p_.clusters) cumulative_p_.push_back(acc += c.p);
}

// w_k <- w_k + (eta/d)(G_k x - wd w_k), v_k <- v_k + (eta_v/d)(c_K e g(lambda_k) - wd_v v_k), G_k = e c_K v_k g'(lambda_k).
double XgmSgd::step(double delta) {
  const double u = rng_.uniform();
  std::size_t c = 0;
  while (c + 1 < p_.clusters.size() && u >= cumulative_p_[c]) ++c;
  const XgmCluster& cl = p_.clusters[c];
  for (int a = 0; a < p_.D; ++a) x_rel_(a) = cl.centre(a) + p_.sigma * rng_.normal();
  const bool noisy = delta > 0;  // Delta = 0: the irrelevant coordinates are exactly zero
  auto W_rel = w_.W.leftCols(p_.D);
  auto W_irr = w_.W.rightCols(p_.d - p_.D);
  lambda_.noalias() = W_rel * x_rel_;
  if (noisy) {
    const double sd = std::sqrt(delta);
    for (Eigen::Index i = 0; i < x_irr_.size(); ++i) x_irr_(i) = sd * rng_.normal();
    lambda_.noalias() += W_irr * x_irr_;
  }
  double f = 0;
  for (int k = 0; k < p_.K; ++k) f += p_.cK * w_.v(k) * xgm_g(p_.activation, lambda_(k));
  const double y = cl.label;
  const double e = p_.loss == XgmLoss::Square ? y - f : y / (1.0 + std::exp(y * f));
  for (int k = 0; k < p_.K; ++k) G_(k) = e * p_.cK * w_.v(k) * xgm_dg(p_.activation, lambda_(k));
  const double step = p_.eta / double(p_.d);
  if (p_.wd > 0) w_.W *= 1.0 - step * p_.wd;
  W_rel.noalias() += (step * G_) * x_rel_.transpose();
  if (noisy) W_irr.noalias() += (step * G_) * x_irr_.transpose();
  if (p_.train_readout) {
    const double sv = p_.eta_v / double(p_.d);
    for (int k = 0; k < p_.K; ++k)
      w_.v(k) += sv * (p_.cK * e * xgm_g(p_.activation, lambda_(k)) - p_.wd_v * w_.v(k));
  }
  return f;
}

Trajectory XgmSgd::run(const Schedule& schedule, const std::vector<double>& times, double blowup) {
  const double d = double(p_.d);
  std::vector<long long> phase_start;
  for (const auto& phase : schedule.phases()) phase_start.push_back(std::llround(phase.start * d));
  std::vector<long long> output_step;
  for (double t : times) output_step.push_back(std::llround(t * d));
  const long long total = output_step.back();
  XgmObserver observer(p_);
  Trajectory out;
  out.columns = observer.columns();
  std::size_t phase = 0, next_output = 0;
  for (long long n = 0; n <= total; ++n) {
    if (phase + 1 < phase_start.size() && n >= phase_start[phase + 1]) ++phase;
    while (next_output < output_step.size() && output_step[next_output] == n) {
      const XgmOverlaps o = overlaps();
      const double biggest = std::max({o.r.cwiseAbs().maxCoeff(), o.Qp.cwiseAbs().maxCoeff(), o.v.cwiseAbs().maxCoeff()});
      if (!std::isfinite(biggest) || biggest > blowup)
        throw RunError("simulation diverged at t = " + format_number(double(n) / d) + ": order parameter " +
                       format_number(biggest) + " beyond the blow-up bound " + format_number(blowup));
      out.times.push_back(double(n) / d);
      out.rows.push_back(observer.observe(o));
      ++next_output;
    }
    if (n == total) break;
    const auto& mixture = schedule.phases()[phase].mixture;
    double delta = mixture[0].difficulty;
    if (mixture.size() > 1 && !(rng_.uniform() < mixture[0].weight)) delta = mixture[1].difficulty;
    if (!std::isfinite(step(delta)))
      throw RunError("simulation diverged at t = " + format_number(double(n) / d) + ": the network output is not finite");
  }
  return out;
}

Trajectory simulate_xgm(const Config& config, long long member) {
  const XgmParams p = XgmParams::from_config(config);
  XgmSgd sgd(p, sample_xgm_weights(p, init_seed(config, member)),
             Rng(std::uint64_t(sample_seed(config, member)), Stream::SgdSamples));
  return sgd.run(Schedule::from_config(config), output_times(config), config.real("blowup"));
}

}  // namespace tilt
