// Model `perceptron` (docs/models.md section 2): parameters, initial weights, their order parameters, observables.
// Shared by theory and simulation so both start from the same weights and report the same columns.
#pragma once
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/experiment.hpp"
#include "core/schedule.hpp"

namespace tilt {

class Config;

struct PerceptronParams : ModelParameters {
  double T;             // teacher norm squared
  double rho_r, rho_i;  // N_r/N, N_i/N
  double l2;            // lambda_reg + weight_decay
  double coupling;      // elastic consolidation gamma (active after a switch)
  double eta;           // learning rate (step eta/N)
  double init_scale;    // w ~ N(0, init_scale^2/N)
  long long N;          // normalising dimension (sim.d)
  long long N_r, N_i;   // round(rho * N)
  TestDistribution test;
  static PerceptronParams from_config(const Config& config);
};

// Order parameters. C_* overlap with the anchor weights w1 (the initial weights until the first switch, then the
// weights at the latest switch); Q1_*, R1 are the anchor's own (frozen) overlaps.
struct PerceptronOverlaps {
  double Q_r, Q_i, R;
  double C_r, C_i;
  double Q1_r, Q1_i, R1;
  static constexpr std::size_t size = 8;
};

struct PerceptronWeights {
  Eigen::VectorXd teacher;  // w*, |w*|^2 = T exactly
  Eigen::VectorXd w_r, w_i;
};

// Teacher and student drawn for `seed` at dimension N; the same for theory (init = sampled) and simulation.
PerceptronWeights sample_perceptron_weights(const PerceptronParams& p, long long seed);
PerceptronOverlaps overlaps_of(const PerceptronWeights& w);  // anchor = current weights
PerceptronOverlaps nominal_overlaps(const PerceptronParams& p);

// Column names and values (Q_r, Q_i, R, [C_r, C_i,] eps, eps_easy, eps_hard, eps_mix, loss).
std::vector<std::string> perceptron_columns(const PerceptronParams& p);
std::vector<double> perceptron_observables(const PerceptronParams& p, const PerceptronOverlaps& o);

// Generalisation error on inputs of difficulty Delta: arccos(R / sqrt(T (Q_r + Delta Q_i))) / pi.
double perceptron_error(double T, double Q_r, double Q_i, double R, double delta);
// Test loss 1/2 <(sign(u) - erf(lambda/2))^2> on inputs of difficulty Delta (docs/theory/perceptron.md).
double perceptron_loss(double T, double Q_r, double Q_i, double R, double delta);

}  // namespace tilt
