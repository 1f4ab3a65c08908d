// One online-SGD step of the two-layer network f = c_K sum_k v_k g(w_k . x) (core/training.hpp: TwoLayerNetwork),
// shared by every trainer of that network (docs/models.md sections 0 and 3), so that they cannot differ in the
// update. The sample comes as consecutive blocks of its coordinates; a block the trainer knows to be zero is left
// out (its columns of W take part in the weight decay only).
#pragma once
#include <initializer_list>

#include <Eigen/Core>

#include "core/training.hpp"

namespace tilt {

struct TwoLayerInputBlock {
  Eigen::Index first;        // the block covers coordinates [first, first + x.size())
  const Eigen::VectorXd& x;  // its values
};

// The work vectors of a step (sized K; reused between steps).
struct TwoLayerWork {
  Eigen::VectorXd lambda, G;
  explicit TwoLayerWork(int K) : lambda(K), G(K) {}
};

// One SGD step on the sample (blocks, label y): lambda = W x (the blocks' products summed in order), f = c_K
// sum_k v_k g(lambda_k), e = y - f (square loss) or y / (1 + exp(y f)) (logistic), G_k = e c_K v_k g'(lambda_k);
// then W <- (1 - (eta/d) weight_decay) W, W <- W + (eta/d) G x^T (block by block), and, when the read-out is
// trained, v_k <- v_k + (eta_v/d)(c_K e g(lambda_k) - weight_decay_v v_k). Returns f (non-finite on blow-up);
// work.lambda holds the pre-activations afterwards.
double two_layer_step(const TwoLayerNetwork& p, TwoLayerWeights& w, std::initializer_list<TwoLayerInputBlock> x,
                      double y, TwoLayerWork& work);

// Multiply-adds of that step at p.d: W x and the rank-one update (K d each), the weight decay (K d more when on),
// the output with the coefficients and, when trained, the read-out update (3 K, else 2 K).
double two_layer_step_multiply_adds(const TwoLayerNetwork& p);

}  // namespace tilt
