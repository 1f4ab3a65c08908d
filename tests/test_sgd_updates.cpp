// One SGD step of every model against a reference written in this file from docs/models.md (sections 0, 2, 3, 4)
// and docs/theory/*.md: its own sampling of x (the same random stream, consumed in the documented order), its own
// activation g and derivative g', its own loss residual e = -dloss/df, its own penalties (L2, weight decay,
// elastic consolidation) and read-out rule, and the learning-rate scaling eta/d. Nothing here calls the production
// helpers it checks (activation_g, activation_dg, the trainers' G), so a sign or a factor wrong in any term of an
// update fails a test. The references' own g' and e are checked against finite differences of their g and loss first.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/config.hpp"
#include "core/rng.hpp"
#include "models/perceptron/core/perceptron.hpp"
#include "models/perceptron/sim/perceptron_sgd.hpp"
#include "models/scm/core/scm.hpp"
#include "models/scm/sim/scm_sgd.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/core/xgm_gauss.hpp"
#include "models/xgm/sim/xgm_sgd.hpp"

namespace {

using tilt::Config;
using tilt::Rng;
using tilt::Stream;

// ---------------------------------------------------------------------------------------------------------------
// The references' activations and losses, written from docs/models.md.

// name: relu, erf (= erf(x/sqrt 2)), tanh, quadratic, linear; "erf_half" = the perceptron's erf(x/2).
double ref_g(const std::string& name, double x) {
  if (name == "relu") return x > 0 ? x : 0.0;
  if (name == "erf") return std::erf(x / std::sqrt(2.0));
  if (name == "erf_half") return std::erf(x / 2.0);
  if (name == "tanh") return std::tanh(x);
  if (name == "quadratic") return x * x;
  if (name == "linear") return x;
  ADD_FAILURE() << "unknown activation " << name;
  return 0;
}

double ref_dg(const std::string& name, double x) {
  if (name == "relu") return x > 0 ? 1.0 : 0.0;
  if (name == "erf") return std::sqrt(2.0 / M_PI) * std::exp(-x * x / 2.0);
  if (name == "erf_half") return std::exp(-x * x / 4.0) / std::sqrt(M_PI);
  if (name == "tanh") return 1.0 / (std::cosh(x) * std::cosh(x));
  if (name == "quadratic") return 2.0 * x;
  if (name == "linear") return 1.0;
  ADD_FAILURE() << "unknown activation " << name;
  return 0;
}

double ref_loss(const std::string& loss, double y, double f) {
  return loss == "square" ? 0.5 * (y - f) * (y - f) : std::log(1.0 + std::exp(-y * f));
}
// e = -dloss/df
double ref_residual(const std::string& loss, double y, double f) {
  return loss == "square" ? y - f : y * std::exp(-y * f) / (1.0 + std::exp(-y * f));
}

double central_difference(const std::function<double(double)>& h, double x, double step = 1e-5) {
  return (h(x + step) - h(x - step)) / (2 * step);
}

tilt::XgmActivation xgm_activation(const std::string& name) {
  if (name == "relu") return tilt::XgmActivation::Relu;
  if (name == "erf") return tilt::XgmActivation::Erf;
  if (name == "tanh") return tilt::XgmActivation::Tanh;
  if (name == "quadratic") return tilt::XgmActivation::Quadratic;
  return tilt::XgmActivation::Linear;
}

const std::vector<double> kPoints{-2.3, -1.1, -0.35, 0.2, 0.75, 1.6, 2.9};

// The references themselves: g' is the derivative of g and e is minus the derivative of the loss.
TEST(SgdReferences, DerivativesAndResidualsAreThoseOfTheirFunctions) {
  for (const std::string name : {"relu", "erf", "erf_half", "tanh", "quadratic", "linear"})
    for (double x : kPoints)
      EXPECT_NEAR(ref_dg(name, x), central_difference([&](double z) { return ref_g(name, z); }, x), 1e-8)
          << name << " at " << x;
  for (const std::string loss : {"square", "logistic"})
    for (double y : {-1.0, 1.0})
      for (double f : kPoints)
        EXPECT_NEAR(ref_residual(loss, y, f), -central_difference([&](double z) { return ref_loss(loss, y, z); }, f),
                    1e-8)
            << loss << " y = " << y << " f = " << f;
}

// Production g and g' of the two-layer models (core/activation.hpp, used by the xgm and scm simulations) against
// the reference and finite differences.
TEST(SgdReferences, XgmActivationsAndDerivatives) {
  for (const std::string name : {"relu", "erf", "tanh", "quadratic", "linear"}) {
    const auto a = xgm_activation(name);
    for (double x : kPoints) {
      EXPECT_NEAR(tilt::activation_g(a, x), ref_g(name, x), 1e-14) << name << " g at " << x;
      EXPECT_NEAR(tilt::activation_dg(a, x), ref_dg(name, x), 1e-14) << name << " g' at " << x;
      EXPECT_NEAR(tilt::activation_dg(a, x), central_difference([&](double z) { return tilt::activation_g(a, z); }, x),
                  1e-8)
          << name << " g' against finite differences of g at " << x;
    }
  }
}

// The residual and loss every xgm expectation uses, against the reference.
TEST(SgdReferences, XgmResidualAndLoss) {
  for (const std::string loss : {"square", "logistic"})
    for (double y : {-1.0, 1.0})
      for (double f : kPoints) {
        double e = 0, l = 0;
        tilt::xgm_residual(loss == "square" ? tilt::XgmLoss::Square : tilt::XgmLoss::Logistic, y, f, &e, &l);
        EXPECT_NEAR(e, ref_residual(loss, y, f), 1e-14) << loss << " y = " << y << " f = " << f;
        EXPECT_NEAR(l, ref_loss(loss, y, f), 1e-14) << loss << " y = " << y << " f = " << f;
      }
}

// Largest difference relative to max(1, largest entry of b): rounding only when the updates agree.
double max_abs_diff(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.cols(), b.cols());
  EXPECT_TRUE(b.allFinite());
  return (a - b).cwiseAbs().maxCoeff() / std::max(1.0, b.cwiseAbs().maxCoeff());
}

constexpr double kTol = 1e-13;  // rounding only: every mutation of interest moves weights by > 1e-5

// ---------------------------------------------------------------------------------------------------------------
// Perceptron (docs/models.md section 2, docs/theory/perceptron.md): w <- w + (eta/N)(G x - lambda2 w - gamma (w - w1)),
// G = (y - g(lambda)) g'(lambda), g = erf(lambda/2), y = sign(w* . x_r), lambda2 = perceptron.l2 + weight_decay,
// gamma = perceptron.coupling after the first switch (0 before), w1 = the weights at the latest switch.

struct PerceptronCase {
  std::string name;
  double l2, weight_decay, coupling;
};
void PrintTo(const PerceptronCase& c, std::ostream* os) { *os << c.name; }

class PerceptronStep : public ::testing::TestWithParam<PerceptronCase> {};

TEST_P(PerceptronStep, MatchesTheReferenceUpdate) {
  const PerceptronCase& c = GetParam();
  const long long N = 40;
  const double eta = 2.5, rho_i = 0.5;
  const Config config = Config::from_text(
      "model = \"perceptron\"\neta = " + std::to_string(eta) + "\nweight_decay = " + std::to_string(c.weight_decay) +
      "\n[perceptron]\nT = 1.7\nrho_i = " + std::to_string(rho_i) + "\nl2 = " + std::to_string(c.l2) +
      "\ncoupling = " + std::to_string(c.coupling) + "\n[sim]\nd = " + std::to_string(N) + "\n");
  const tilt::PerceptronParams p = tilt::PerceptronParams::from_config(config);
  ASSERT_EQ(p.N_r, N);
  ASSERT_EQ(p.N_i, 20);
  const std::uint64_t seed = 11;
  tilt::PerceptronSgd sgd(p, tilt::sample_perceptron_weights(p, 5), Rng(seed, Stream::SgdSamples));
  Rng rng(seed, Stream::SgdSamples);  // the reference's copy of the sample stream

  const double lambda2 = c.l2 + c.weight_decay, s = eta / double(N);
  const Eigen::VectorXd teacher = sgd.weights().teacher;
  EXPECT_NEAR(teacher.squaredNorm(), 1.7, 1e-12);
  Eigen::VectorXd anchor_r = sgd.weights().w_r, anchor_i = sgd.weights().w_i;  // w1 = w(0) until a switch
  // (Delta, phase) of each step; the phase advances at two switches (re-anchoring each time).
  const std::vector<std::pair<double, std::size_t>> steps{{0.0, 0}, {1.3, 0}, {0.4, 0}, {2.0, 0}, {0.0, 1},
                                                          {1.5, 1}, {0.7, 1}, {0.0, 1}, {2.0, 1}, {1.0, 1},
                                                          {0.5, 2}, {1.2, 2}, {0.0, 2}, {1.8, 2}};
  std::size_t phase = 0;
  for (std::size_t n = 0; n < steps.size(); ++n) {
    const auto [delta, step_phase] = steps[n];
    if (step_phase != phase) {
      phase = step_phase;
      sgd.on_switch();
      anchor_r = sgd.weights().w_r;
      anchor_i = sgd.weights().w_i;
    }
    const Eigen::VectorXd w_r = sgd.weights().w_r, w_i = sgd.weights().w_i;
    // The sample: N_r standard normals, then (Delta > 0) N_i normals of variance Delta.
    Eigen::VectorXd x_r(N), x_i = Eigen::VectorXd::Zero(20);
    for (auto& x : x_r) x = rng.normal();
    if (delta > 0)
      for (auto& x : x_i) x = std::sqrt(delta) * rng.normal();
    const double lambda = w_r.dot(x_r) + w_i.dot(x_i), u = teacher.dot(x_r);
    const double y = u > 0 ? 1.0 : -1.0;
    const double G = (y - ref_g("erf_half", lambda)) * ref_dg("erf_half", lambda);
    const double gamma = phase > 0 ? c.coupling : 0.0;
    const Eigen::VectorXd want_r = w_r + s * (G * x_r - lambda2 * w_r - gamma * (w_r - anchor_r));
    const Eigen::VectorXd want_i = w_i + s * (G * x_i - lambda2 * w_i - gamma * (w_i - anchor_i));

    const double got_lambda = sgd.step(delta, phase);
    EXPECT_NEAR(got_lambda, lambda, 1e-12) << "step " << n;
    EXPECT_LT(max_abs_diff(sgd.weights().w_r, want_r), kTol) << "relevant weights, step " << n << " phase " << phase;
    EXPECT_LT(max_abs_diff(sgd.weights().w_i, want_i), kTol) << "irrelevant weights, step " << n << " phase " << phase;
    // The order parameters reported are those of these weights (C = overlap with the anchor).
    const tilt::PerceptronOverlaps o = sgd.overlaps();
    EXPECT_NEAR(o.Q_r, want_r.squaredNorm(), 1e-12);
    EXPECT_NEAR(o.Q_i, want_i.squaredNorm(), 1e-12);
    EXPECT_NEAR(o.R, want_r.dot(teacher), 1e-12);
    EXPECT_NEAR(o.C_r, want_r.dot(anchor_r), 1e-12);
    EXPECT_NEAR(o.C_i, want_i.dot(anchor_i), 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Penalties, PerceptronStep,
                         ::testing::Values(PerceptronCase{"plain", 0, 0, 0}, PerceptronCase{"l2", 0.3, 0, 0},
                                           PerceptronCase{"weight_decay", 0, 0.25, 0},
                                           PerceptronCase{"l2_and_weight_decay", 0.3, 0.2, 0},
                                           PerceptronCase{"consolidation", 0, 0, 0.7},
                                           PerceptronCase{"consolidation_and_l2", 0.3, 0.1, 0.7}),
                         [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------------------------
// xgm (docs/models.md sections 0 and 3): f = c_K sum_k v_k g(lambda_k); e = -dloss/df; G_k = e c_K v_k g'(lambda_k);
// w_k <- w_k + (eta/d)(G_k x - lambda_w w_k); v_k <- v_k + (eta_v/d)(c_K e g(lambda_k) - lambda_v v_k) when trained.
// Sample: cluster c with probability p_c (one uniform), x_rel = m_c + sigma xi (D normals), then (Delta > 0) d - D
// normals of variance Delta.

struct XgmCase {
  std::string activation, loss, readout_scale;
  bool train_readout;
  double weight_decay, weight_decay_v;
};
std::string xgm_case_name(const XgmCase& c) {
  std::string scale = c.readout_scale == "1" ? "cK1" : c.readout_scale == "1/K" ? "cKinvK" : "cKinvsqrtK";
  auto num = [](double x) { return std::to_string(int(std::lround(x * 100))); };
  return c.activation + "_" + c.loss + "_" + scale + (c.train_readout ? "_trained" : "_frozen") + "_wd" +
         num(c.weight_decay) + "_wdv" + num(c.weight_decay_v);
}
void PrintTo(const XgmCase& c, std::ostream* os) { *os << xgm_case_name(c); }

class XgmStep : public ::testing::TestWithParam<XgmCase> {};

TEST_P(XgmStep, MatchesTheReferenceUpdate) {
  const XgmCase& c = GetParam();
  const int K = 4, D = 2;
  const long long d = 60;
  const double eta = 1.5, eta_v = 0.8, sigma = 0.3;
  // Unequal probabilities and off-axis centres, so a wrong cluster pick or centre shows.
  const std::vector<std::vector<double>> clusters{
      {1.0, 0.2, 1, 0.1}, {-0.9, -0.1, 1, 0.2}, {0.3, 1.1, -1, 0.3}, {-0.2, -1.2, -1, 0.4}};
  std::string table = "[";
  for (const auto& row : clusters) {
    table += table.size() > 1 ? ", [" : "[";
    for (std::size_t i = 0; i < row.size(); ++i) table += (i ? ", " : "") + std::to_string(row[i]);
    table += "]";
  }
  table += "]";
  const Config config = Config::from_text(
      "model = \"xgm\"\neta = " + std::to_string(eta) + "\neta_v = " + std::to_string(eta_v) +
      "\nweight_decay = " + std::to_string(c.weight_decay) + "\nweight_decay_v = " + std::to_string(c.weight_decay_v) +
      "\n[xgm]\nK = " + std::to_string(K) + "\nD = " + std::to_string(D) + "\nactivation = \"" + c.activation +
      "\"\nloss = \"" + c.loss + "\"\nreadout_scale = \"" + c.readout_scale +
      "\"\ntrain_readout = " + (c.train_readout ? "true" : "false") + "\nsigma = " + std::to_string(sigma) +
      "\nclusters = " + table + "\nobservable_lines = 64\nlines = 64\n[sim]\nd = " + std::to_string(d) + "\n");
  const tilt::XgmParams p = tilt::XgmParams::from_config(config);
  const double cK = c.readout_scale == "1" ? 1.0 : c.readout_scale == "1/K" ? 1.0 / K : 1.0 / std::sqrt(double(K));
  const std::uint64_t seed = 7;
  tilt::XgmWeights start = tilt::sample_xgm_weights(p, 3);
  // Fields of order 1, so every activation is away from its linear regime (quadratic: no larger, or it diverges).
  start.W *= c.activation == "quadratic" ? 0.5 : 2.0;
  tilt::XgmSgd sgd(p, start, Rng(seed, Stream::SgdSamples));
  Rng rng(seed, Stream::SgdSamples);
  const double s = eta / double(d), s_v = eta_v / double(d);

  const std::vector<double> deltas{0.0, 0.8, 1.7, 0.3, 0.0, 1.0, 2.2, 0.5, 0.0, 1.4, 0.9, 0.6};
  for (std::size_t n = 0; n < deltas.size(); ++n) {
    const double delta = deltas[n];
    const Eigen::MatrixXd W = sgd.weights().W;
    const Eigen::VectorXd v = sgd.weights().v;
    const double pick = rng.uniform();
    std::size_t cl = 0;
    for (double acc = clusters[0][3]; cl + 1 < clusters.size() && pick >= acc;) acc += clusters[++cl][3];
    Eigen::VectorXd x = Eigen::VectorXd::Zero(d);
    for (int a = 0; a < D; ++a) x(a) = clusters[cl][std::size_t(a)] + sigma * rng.normal();
    if (delta > 0)
      for (long long i = D; i < d; ++i) x(i) = std::sqrt(delta) * rng.normal();
    const double y = clusters[cl][2];
    const Eigen::VectorXd lambda = W * x;
    double f = 0;
    for (int k = 0; k < K; ++k) f += cK * v(k) * ref_g(c.activation, lambda(k));
    const double e = ref_residual(c.loss, y, f);
    Eigen::MatrixXd want_W = W;
    Eigen::VectorXd want_v = v;
    for (int k = 0; k < K; ++k) {
      const double G = e * cK * v(k) * ref_dg(c.activation, lambda(k));
      want_W.row(k) = W.row(k) + s * (G * x.transpose() - c.weight_decay * W.row(k));
      if (c.train_readout) want_v(k) = v(k) + s_v * (cK * e * ref_g(c.activation, lambda(k)) - c.weight_decay_v * v(k));
    }

    const double got_f = sgd.step(delta);
    EXPECT_NEAR(got_f, f, 1e-12) << "network output, step " << n;
    EXPECT_LT(max_abs_diff(sgd.weights().W, want_W), kTol) << "first layer, step " << n;
    EXPECT_LT(max_abs_diff(sgd.weights().v, want_v), kTol) << "read-out, step " << n;
  }
}

std::vector<XgmCase> xgm_cases() {
  std::vector<XgmCase> cases;
  for (const std::string act : {"relu", "erf", "tanh", "quadratic", "linear"})
    for (const std::string loss : {"square", "logistic"}) cases.push_back({act, loss, "1/sqrt(K)", true, 0.2, 0.3});
  cases.push_back({"relu", "square", "1/sqrt(K)", false, 0.2, 0.3});
  cases.push_back({"tanh", "logistic", "1/sqrt(K)", false, 0.0, 0.0});
  cases.push_back({"erf", "square", "1", true, 0.0, 0.0});
  cases.push_back({"relu", "logistic", "1/K", true, 0.35, 0.0});
  cases.push_back({"erf", "square", "1/K", true, 0.0, 0.4});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Variants, XgmStep, ::testing::ValuesIn(xgm_cases()), [](const auto& info) {
  std::string name = xgm_case_name(info.param);
  for (auto& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
});

// ---------------------------------------------------------------------------------------------------------------
// scm (docs/models.md section 4, docs/theory/scm.md): y = sum_m A_m g(w*_m . x) + sqrt(noise) zeta, f = sum_k v_k
// g(lambda_k), e = y - f; w_k <- w_k + (eta/d)(e v_k g'(lambda_k) x - lambda_w w_k) with the old v; v_k <- v_k +
// (eta_v/d)(e g(lambda_k) - lambda_v v_k) when train_readout. Sample: d normals, then (noise > 0) zeta.

struct ScmCase {
  std::string activation;
  bool train_readout;
};
void PrintTo(const ScmCase& c, std::ostream* os) { *os << c.activation << (c.train_readout ? " trained" : " fixed"); }

class ScmStep : public ::testing::TestWithParam<ScmCase> {};

TEST_P(ScmStep, MatchesTheReferenceUpdate) {
  const ScmCase& c = GetParam();
  const int K = 3, M = 2;
  const long long d = 50;
  const double eta = 1.2, eta_v = 0.7, wd = 0.15, wd_v = 0.25, noise = 0.04;
  const Config config = Config::from_text(
      "model = \"scm\"\neta = 1.2\neta_v = 0.7\nweight_decay = 0.15\nweight_decay_v = 0.25\n[scm]\nK = 3\nM = 2\n"
      "activation = \"" +
      c.activation + "\"\ntrain_readout = " + (c.train_readout ? "true" : "false") +
      "\nnoise = 0.04\nT = [[1.0, 0.3], [0.3, 0.8]]\nA = [[1.3, -0.6]]\nv0 = [[0.9, -0.4, 1.1]]\n[sim]\nd = 50\n");
  const tilt::ScmParams p = tilt::ScmParams::from_config(config);
  const std::uint64_t seed = 9;
  tilt::ScmWeights start = tilt::sample_scm_weights(p, 4);
  start.W *= 1.5;
  tilt::ScmSgd sgd(p, start, Rng(seed, Stream::SgdSamples));
  Rng rng(seed, Stream::SgdSamples);
  const Eigen::MatrixXd teacher = sgd.weights().teacher;
  const Eigen::MatrixXd T_want = (Eigen::MatrixXd(2, 2) << 1.0, 0.3, 0.3, 0.8).finished();
  EXPECT_LT(max_abs_diff(teacher * teacher.transpose(), T_want), 1e-12);
  const double A[2] = {1.3, -0.6}, s = eta / double(d), s_v = eta_v / double(d);

  for (int n = 0; n < 12; ++n) {
    const Eigen::MatrixXd W = sgd.weights().W;
    const Eigen::VectorXd v = sgd.weights().v;
    Eigen::VectorXd x(d);
    for (auto& xi : x) xi = rng.normal();
    const Eigen::VectorXd nu = teacher * x, lambda = W * x;
    double y = 0, f = 0;
    for (int m = 0; m < M; ++m) y += A[m] * ref_g(c.activation, nu(m));
    y += std::sqrt(noise) * rng.normal();
    for (int k = 0; k < K; ++k) f += v(k) * ref_g(c.activation, lambda(k));
    const double e = y - f;
    Eigen::MatrixXd want_W = W;
    Eigen::VectorXd want_v = v;
    for (int k = 0; k < K; ++k) {
      want_W.row(k) = W.row(k) + s * (e * v(k) * ref_dg(c.activation, lambda(k)) * x.transpose() - wd * W.row(k));
      if (c.train_readout) want_v(k) = v(k) + s_v * (e * ref_g(c.activation, lambda(k)) - wd_v * v(k));
    }

    const double got_e = sgd.step();
    EXPECT_NEAR(got_e, e, 1e-12) << "residual, step " << n;
    EXPECT_LT(max_abs_diff(sgd.weights().W, want_W), kTol) << "first layer, step " << n;
    EXPECT_LT(max_abs_diff(sgd.weights().v, want_v), kTol) << "read-out, step " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, ScmStep,
                         ::testing::Values(ScmCase{"erf", false}, ScmCase{"erf", true}, ScmCase{"relu", false},
                                           ScmCase{"relu", true}, ScmCase{"linear", false}, ScmCase{"linear", true}),
                         [](const auto& info) {
                           return info.param.activation + (info.param.train_readout ? "_trained" : "_fixed");
                         });

}  // namespace
