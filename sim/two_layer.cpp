#include "sim/two_layer.hpp"

#include <cmath>

namespace tilt {

double two_layer_step(const TwoLayerNetwork& p, TwoLayerWeights& w, std::initializer_list<TwoLayerInputBlock> x,
                      double y, TwoLayerWork& work) {
  Eigen::VectorXd& lambda = work.lambda;
  Eigen::VectorXd& G = work.G;
  bool first = true;
  for (const auto& b : x) {
    if (first)
      lambda.noalias() = w.W.middleCols(b.first, b.x.size()) * b.x;
    else
      lambda.noalias() += w.W.middleCols(b.first, b.x.size()) * b.x;
    first = false;
  }
  if (first) lambda.setZero();
  double f = 0;
  for (int k = 0; k < p.K; ++k) f += p.cK * w.v(k) * activation_g(p.activation, lambda(k));
  const double e = p.loss == TwoLayerLoss::Square ? y - f : y / (1.0 + std::exp(y * f));
  for (int k = 0; k < p.K; ++k) G(k) = e * p.cK * w.v(k) * activation_dg(p.activation, lambda(k));
  const double step = p.eta / double(p.d);
  if (p.weight_decay > 0) w.W *= 1.0 - step * p.weight_decay;
  for (const auto& b : x) w.W.middleCols(b.first, b.x.size()).noalias() += (step * G) * b.x.transpose();
  if (p.train_readout) {
    const double sv = p.eta_v / double(p.d);
    for (int k = 0; k < p.K; ++k)
      w.v(k) += sv * (p.cK * e * activation_g(p.activation, lambda(k)) - p.weight_decay_v * w.v(k));
  }
  return f;
}

double two_layer_step_multiply_adds(const TwoLayerNetwork& p) {
  const double K = double(p.K), d = double(p.d);
  return K * d * (p.weight_decay > 0 ? 3.0 : 2.0) + K * (p.train_readout ? 3.0 : 2.0);
}

}  // namespace tilt
