#include "models/perceptron/core/perceptron.hpp"

#include <cmath>

#include "core/config.hpp"
#include "core/rng.hpp"

namespace tilt {

PerceptronParams PerceptronParams::from_config(const Config& c) {
  PerceptronParams p;
  p.T = c.real("perceptron.T");
  p.rho_r = c.real("perceptron.rho_r");
  p.rho_i = c.real("perceptron.rho_i");
  p.l2 = c.real("perceptron.l2") + c.real("weight_decay");
  p.coupling = c.real("perceptron.coupling");
  p.eta = c.real("eta");
  p.init_scale = c.real("init_scale");
  p.N = c.integer("sim.d");
  p.N_r = std::max(1LL, std::llround(p.rho_r * double(p.N)));
  p.N_i = std::llround(p.rho_i * double(p.N));
  p.test = TestDistribution::from_config(c);
  return p;
}

PerceptronWeights sample_perceptron_weights(const PerceptronParams& p, long long seed) {
  PerceptronWeights w;
  Rng teacher_rng(std::uint64_t(seed), Stream::Teacher);
  w.teacher.resize(p.N_r);
  for (auto& x : w.teacher) x = teacher_rng.normal();
  w.teacher *= std::sqrt(p.T) / w.teacher.norm();

  Rng init_rng(std::uint64_t(seed), Stream::InitialWeights);
  const double scale = p.init_scale / std::sqrt(double(p.N));
  w.w_r.resize(p.N_r);
  w.w_i.resize(p.N_i);
  for (auto& x : w.w_r) x = scale * init_rng.normal();
  for (auto& x : w.w_i) x = scale * init_rng.normal();
  return w;
}

PerceptronOverlaps overlaps_of(const PerceptronWeights& w) {
  const double Q_r = w.w_r.squaredNorm(), Q_i = w.w_i.squaredNorm(), R = w.w_r.dot(w.teacher);
  return {Q_r, Q_i, R, Q_r, Q_i, Q_r, Q_i, R};
}

PerceptronOverlaps nominal_overlaps(const PerceptronParams& p) {
  const double s2 = p.init_scale * p.init_scale;
  return {s2 * p.rho_r, s2 * p.rho_i, 0.0, s2 * p.rho_r, s2 * p.rho_i, s2 * p.rho_r, s2 * p.rho_i, 0.0};
}

double perceptron_error(double T, double Q_r, double Q_i, double R, double delta) {
  const double q = Q_r + delta * Q_i;
  if (q <= 0) return 0.5;
  const double c = std::clamp(R / std::sqrt(T * q), -1.0, 1.0);
  return std::acos(c) / M_PI;
}

double perceptron_loss(double T, double Q_r, double Q_i, double R, double delta) {
  // <sign(u) erf(lambda/2)> = (2/pi) asin(R / sqrt(T (2+q))),  <erf(lambda/2)^2> = (2/pi) asin(q / (2+q)).
  const double q = Q_r + delta * Q_i;
  const double cross = (2 / M_PI) * std::asin(std::clamp(R / std::sqrt(T * (2 + q)), -1.0, 1.0));
  const double self = (2 / M_PI) * std::asin(q / (2 + q));
  return 0.5 * (1 - 2 * cross + self);
}

std::vector<std::string> perceptron_columns(const PerceptronParams& p) {
  std::vector<std::string> c{"Q_r", "Q_i", "R"};
  if (p.coupling > 0) {
    c.push_back("C_r");
    c.push_back("C_i");
  }
  for (const char* name : {"eps", "eps_easy", "eps_hard", "eps_mix", "loss"}) c.push_back(name);
  return c;
}

std::vector<double> perceptron_observables(const PerceptronParams& p, const PerceptronOverlaps& o) {
  const TestDistribution& test = p.test;
  const double e_easy = perceptron_error(p.T, o.Q_r, o.Q_i, o.R, test.easy);
  const double e_hard = perceptron_error(p.T, o.Q_r, o.Q_i, o.R, test.hard);
  const double l_easy = perceptron_loss(p.T, o.Q_r, o.Q_i, o.R, test.easy);
  const double l_hard = perceptron_loss(p.T, o.Q_r, o.Q_i, o.R, test.hard);
  std::vector<double> v{o.Q_r, o.Q_i, o.R};
  if (p.coupling > 0) {
    v.push_back(o.C_r);
    v.push_back(o.C_i);
  }
  for (double x : {test.pick(e_easy, e_hard), e_easy, e_hard, test.mix(e_easy, e_hard), test.pick(l_easy, l_hard)})
    v.push_back(x);
  return v;
}

}  // namespace tilt
