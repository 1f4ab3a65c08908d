// The finite-d stochastic theory (theory/sde.hpp, docs/theory/escape.md): its diffusion matrix against the Monte
// Carlo covariance of the one-step change of the order parameters computed from real SGD updates on d-dimensional
// weights (independent code: own relu, own residual, own dot products), its deterministic limit and order, its
// noise against SGD ensembles, reproducibility and error reporting.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "core/rng.hpp"
#include "core/schedule.hpp"
#include "models/perceptron/core/perceptron.hpp"
#include "models/perceptron/theory/perceptron_diffusion.hpp"
#include "models/perceptron/theory/perceptron_ode.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/theory/xgm_diffusion.hpp"
#include "models/xgm/theory/xgm_ode.hpp"
#include "sim/run.hpp"
#include "support.hpp"
#include "theory/integrate.hpp"
#include "theory/run.hpp"
#include "theory/sde.hpp"

namespace {

using namespace tilt;

// Sample covariance of the rows of X (N x n) and the standard error of each element,
// se_ij = sd of (X_i - mean_i)(X_j - mean_j) / sqrt(N).
struct CovStats {
  Eigen::MatrixXd cov, se;
};
CovStats covariance_of(const Eigen::MatrixXd& X) {
  const double N = double(X.rows());
  const Eigen::RowVectorXd mean = X.colwise().mean();
  const Eigen::MatrixXd C = X.rowwise() - mean;
  CovStats s;
  const Eigen::Index n = X.cols();
  s.cov.resize(n, n);
  s.se.resize(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      const Eigen::ArrayXd prod = C.col(i).array() * C.col(j).array();
      const double m = prod.mean();
      s.cov(i, j) = m;
      s.se(i, j) = std::sqrt(((prod - m).square().sum() / (N - 1)) / N);
    }
  return s;
}

// max over the upper triangle of |cov_a - cov_b| / sqrt(se_a^2 + se_b^2), and the largest relative difference.
double max_cov_z(const CovStats& a, const CovStats& b) {
  double z = 0;
  for (Eigen::Index i = 0; i < a.cov.rows(); ++i)
    for (Eigen::Index j = i; j < a.cov.cols(); ++j) {
      const double se = std::hypot(a.se(i, j), b.se(i, j));
      if (se > 0) z = std::max(z, std::fabs(a.cov(i, j) - b.cov(i, j)) / se);
    }
  return z;
}

// Reference for xgm: N one-step SGD changes from fixed weights W (K x d, the first D columns relevant) and read-out
// v, each on a fresh sample; row = d x (change of r_k_a, Qperp_k_l (k <= l), v_k), by direct dot products.
Eigen::MatrixXd xgm_sgd_increments(const XgmParams& p, const Eigen::MatrixXd& W, const Eigen::VectorXd& v, double delta,
                                   int N, std::uint64_t seed) {
  const int K = p.K, D = p.D;
  const long long d = W.cols();
  const int n = K * D + K * (K + 1) / 2 + K;
  auto relu = [](double x) { return x > 0 ? x : 0.0; };
  const double h = p.eta / double(d), hv = p.eta_v / double(d);
  Eigen::MatrixXd out(N, n);
  Eigen::VectorXd x(d), lambda(K);
  Eigen::MatrixXd Wn(K, d);
  const Eigen::MatrixXd Q0 = W.rightCols(d - D) * W.rightCols(d - D).transpose();
  Rng rng(seed, Stream::Validation);
  for (int s = 0; s < N; ++s) {
    const int c = int(rng.uniform() * 4);  // the XOR preset: centres (+-mu, 0) label +1, (0, +-mu) label -1
    const double centre[2][2] = {{c == 0 ? 1.0 : c == 1 ? -1.0 : 0.0, c == 2 ? 1.0 : c == 3 ? -1.0 : 0.0}};
    const double label = c < 2 ? 1.0 : -1.0;
    for (int a = 0; a < D; ++a) x(a) = centre[0][a] + p.sigma * rng.normal();
    for (long long i = D; i < d; ++i) x(i) = std::sqrt(delta) * rng.normal();
    lambda = W * x;
    double f = 0;
    for (int k = 0; k < K; ++k) f += p.cK * v(k) * relu(lambda(k));
    const double e = label - f;
    Eigen::VectorXd vn = v;
    for (int k = 0; k < K; ++k) {
      const double G = e * p.cK * v(k) * (lambda(k) > 0 ? 1.0 : 0.0);
      Wn.row(k) = W.row(k) + h * G * x.transpose();
      vn(k) = v(k) + hv * p.cK * e * relu(lambda(k));
    }
    int j = 0;
    for (int k = 0; k < K; ++k)
      for (int a = 0; a < D; ++a) out(s, j++) = double(d) * (Wn(k, a) - W(k, a));
    for (int k = 0; k < K; ++k)
      for (int l = k; l < K; ++l)
        out(s, j++) = double(d) * (Wn.row(k).tail(d - D).dot(Wn.row(l).tail(d - D)) - Q0(k, l));
    for (int k = 0; k < K; ++k) out(s, j++) = double(d) * (vn(k) - v(k));
  }
  return out;
}

Eigen::MatrixXd diffusion_increments(const Diffusion& diff, const std::vector<double>& y, double delta, int N) {
  Rng rng(77, Stream::SdeNoise);
  std::vector<double> buf(y.size() * std::size_t(N));
  EXPECT_TRUE(diff.increments(delta, 0, y.data(), rng, N, buf.data()));
  Eigen::MatrixXd out(N, Eigen::Index(y.size()));
  for (int s = 0; s < N; ++s)
    for (std::size_t i = 0; i < y.size(); ++i) out(s, Eigen::Index(i)) = buf[std::size_t(s) * y.size() + i];
  return out;
}

// Weights at dimension d with relevant part r (K x D) and irrelevant overlaps near chol_target chol_target^T.
Eigen::MatrixXd xgm_weights(int K, int D, long long d, const Eigen::MatrixXd& r, std::uint64_t seed) {
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(K, K);
  for (int k = 1; k < K; ++k) A(k, k - 1) = 0.8;  // correlated units: Qperp has O(1) off-diagonal entries
  Rng rng(seed, Stream::InitialWeights);
  Eigen::MatrixXd Z(K, d - D);
  for (int k = 0; k < K; ++k)
    for (long long i = 0; i < d - D; ++i) Z(k, i) = rng.normal() / std::sqrt(double(d));
  Eigen::MatrixXd W(K, d);
  W.leftCols(D) = r;
  W.rightCols(d - D) = A * Z;
  return W;
}

// The diffusion matrix Cov[U] of xgm (relu, square loss, trained read-out) at r = 0 and at r = O(1): the covariance
// of the production per-sample increments against that of d x (one real SGD step), 60000 samples each.
TEST(SdeDiffusion, XgmCovarianceMatchesOneStepSgd) {
  const long long d = 1000;
  const Config c =
      Config::from_text("model = \"xgm\"\neta = 1.5\n", {"xgm.K=4", "xgm.sigma=0.3", "sim.d=" + std::to_string(d)});
  const XgmParams p = XgmParams::from_config(c);
  const int K = p.K, D = p.D, N = 60000;
  const double delta = 0.7;
  Eigen::VectorXd v(K);
  v << 1.1, -0.7, 0.9, -1.3;
  Eigen::MatrixXd r_far(K, D);
  r_far << 0.9, 0.1, -0.2, 0.8, -0.7, -0.3, 0.1, -0.9;
  const XgmDiffusion diffusion(p);
  for (int which = 0; which < 2; ++which) {
    const Eigen::MatrixXd r = which == 0 ? Eigen::MatrixXd::Zero(K, D) : r_far;
    const Eigen::MatrixXd W = xgm_weights(K, D, d, r, 5 + which);
    XgmOverlaps o;
    o.r = r;
    o.Qp = W.rightCols(d - D) * W.rightCols(d - D).transpose();
    o.v = v;
    const std::vector<double> y = xgm_state_of(o);
    const CovStats sgd = covariance_of(xgm_sgd_increments(p, W, v, delta, N, 11 + which));
    const CovStats sde = covariance_of(diffusion_increments(diffusion, y, delta, N));
    const double z = max_cov_z(sgd, sde);
    EXPECT_LT(z, 4.5) << (which == 0 ? "r = 0" : "r = O(1)");
    // Scale of what is compared: the r and Qperp variances are O(eta^2), not vanishing.
    EXPECT_GT(sgd.cov(0, 0), which == 0 ? 1e-3 : 1e-2);
    // A deliberately wrong diffusion (the irrelevant fields drawn as if Qperp were diagonal) must fail.
    XgmOverlaps wrong = o;
    wrong.Qp = o.Qp.diagonal().asDiagonal();
    const CovStats broken = covariance_of(diffusion_increments(diffusion, xgm_state_of(wrong), delta, N));
    EXPECT_GT(max_cov_z(sgd, broken), 10.0) << "a diagonal Qperp must be detected";
    std::printf("xgm %s: max |z| = %.2f (diagonal-Qperp variant: %.1f)\n", which == 0 ? "r = 0" : "r = O(1)", z,
                max_cov_z(sgd, broken));
  }
}

// The perceptron's Cov[U] for (Q_r, Q_i, R) against d x (one real SGD step) at R = 0 and R = O(1).
TEST(SdeDiffusion, PerceptronCovarianceMatchesOneStepSgd) {
  const long long N_dim = 1000;
  const Config c = Config::from_text("model = \"perceptron\"\neta = 1.0\n", {"sim.d=" + std::to_string(N_dim)});
  const PerceptronParams p = PerceptronParams::from_config(c);
  const double delta = 0.5, T = p.T;
  const int N = 60000;
  const PerceptronDiffusion diffusion(p);
  for (int which = 0; which < 2; ++which) {
    Rng rng(31 + which, Stream::InitialWeights);
    Eigen::VectorXd teacher(N_dim), wr(N_dim), wi(N_dim);
    for (long long i = 0; i < N_dim; ++i) teacher(i) = rng.normal();
    teacher *= std::sqrt(T) / teacher.norm();
    for (long long i = 0; i < N_dim; ++i) wr(i) = rng.normal() / std::sqrt(double(N_dim));
    for (long long i = 0; i < N_dim; ++i) wi(i) = 1.3 * rng.normal() / std::sqrt(double(N_dim));
    if (which == 1) wr += 0.6 * teacher;  // R = O(1)
    const double Qr = wr.squaredNorm(), Qi = wi.squaredNorm(), R = wr.dot(teacher);
    Eigen::MatrixXd ref(N, 3);
    Rng s(41 + which, Stream::Validation);
    Eigen::VectorXd xr(N_dim), xi(N_dim);
    const double h = p.eta / double(N_dim);
    for (int n = 0; n < N; ++n) {
      for (long long i = 0; i < N_dim; ++i) xr(i) = s.normal();
      for (long long i = 0; i < N_dim; ++i) xi(i) = std::sqrt(delta) * s.normal();
      const double u = teacher.dot(xr), lambda = wr.dot(xr) + wi.dot(xi);
      const double y = u > 0 ? 1 : -1, g = std::erf(lambda / 2), dg = std::exp(-lambda * lambda / 4) / std::sqrt(M_PI);
      const double G = (y - g) * dg;
      const Eigen::VectorXd wr2 = wr + h * G * xr, wi2 = wi + h * G * xi;
      ref(n, 0) = double(N_dim) * (wr2.squaredNorm() - Qr);
      ref(n, 1) = double(N_dim) * (wi2.squaredNorm() - Qi);
      ref(n, 2) = double(N_dim) * (wr2.dot(teacher) - R);
    }
    const std::vector<double> y = {Qr, Qi, R, Qr, Qi, Qr, Qi, R};
    const CovStats sgd = covariance_of(ref);
    const CovStats sde = covariance_of(diffusion_increments(diffusion, y, delta, N).leftCols(3));
    const double z = max_cov_z(sgd, sde);
    EXPECT_LT(z, 4.5) << "R = " << R;
    // A wrong diffusion (the irrelevant field's variance Delta Q_i taken as Q_i) must fail.
    const CovStats broken = covariance_of(diffusion_increments(diffusion, y, 1.0, N).leftCols(3));
    EXPECT_GT(max_cov_z(sgd, broken), 10.0);
    std::printf("perceptron R = %.3f: max |z| = %.2f (wrong-Delta variant: %.1f)\n", R, z, max_cov_z(sgd, broken));
  }
}

// The noise of the shuffled protocol, through the integrator's mixture path (each of the M sampled increments of a
// step picks its difficulty with the mixture's weight): the covariance of one short SDE step, scaled by d/h,
// against d x (one real SGD step) whose sample is easy or hard with probability 1/2. The mixture's covariance has a
// between-difficulty term (the mean increment of Qperp depends on Delta) that a per-difficulty test cannot see; a
// noise drawn at the mean difficulty (Delta = 0.55) must be told apart.
TEST(SdeDiffusion, ShuffledMixtureNoiseMatchesOneStepSgd) {
  const long long d = 1000;
  // Few lines: the drift's share of a step is deterministic and drops out of the covariance.
  const std::vector<std::string> keys = {"xgm.K=4",
                                         "xgm.sigma=0.3",
                                         "xgm.lines=8",
                                         "xgm.observable_lines=8",
                                         "sim.d=" + std::to_string(d),
                                         "curriculum.protocol=shuffled",
                                         "curriculum.easy=0.1",
                                         "curriculum.hard=1.0",
                                         "curriculum.easy_fraction=0.5",
                                         "theory.noise=sde"};
  const Config c = Config::from_text("model = \"xgm\"\neta = 1.5\nt_max = 1.0\n", keys);
  const XgmParams p = XgmParams::from_config(c);
  const int K = p.K, D = p.D, N = 40000;
  Eigen::VectorXd v(K);
  v << 1.1, -0.7, 0.9, -1.3;
  const Eigen::MatrixXd W = xgm_weights(K, D, d, Eigen::MatrixXd::Zero(K, D), 9);
  XgmOverlaps o;
  o.r = Eigen::MatrixXd::Zero(K, D);
  o.Qp = W.rightCols(d - D) * W.rightCols(d - D).transpose();
  o.v = v;
  const std::vector<double> y0 = xgm_state_of(o);

  // SGD: half the samples easy, half hard (a stratified draw of the 50/50 mixture: the same covariance).
  const Eigen::MatrixXd easy = xgm_sgd_increments(p, W, v, 0.1, N / 2, 21),
                        hard = xgm_sgd_increments(p, W, v, 1.0, N / 2, 22);
  Eigen::MatrixXd ref(N, easy.cols());
  ref << easy, hard;
  const CovStats sgd = covariance_of(ref);

  // SDE: N independent single steps of h from y0; the relevant, Qperp and v columns of y(h) - y(0), times sqrt(d/h).
  auto sde_steps = [&](const Config& cs) {
    const TheoryProblem problem = make_theory_problem(tilt::resolve(cs), 0);
    EXPECT_EQ(problem.y0.size(), y0.size());
    const auto diffusion = make_diffusion(tilt::resolve(cs));
    const Schedule schedule = tilt::resolve(cs).schedule;
    SdeOptions opt = tilt::sde_options(tilt::resolve(cs));
    const double h = 1e-4;
    opt.dt = h;
    const std::vector<double> times = {0.0, h};
    std::vector<std::size_t> cols;
    const std::vector<std::string> names = problem.model->columns();
    for (std::size_t j = 0; j < names.size(); ++j)
      if (names[j].rfind("r_", 0) == 0 || names[j].rfind("Qperp_", 0) == 0 || names[j].rfind("v_", 0) == 0)
        cols.push_back(j);
    EXPECT_EQ(cols.size(), std::size_t(ref.cols()));
    Eigen::MatrixXd out(N, Eigen::Index(cols.size()));
    for (int s = 0; s < N; ++s) {
      Rng rng(std::uint64_t(500 + s), Stream::SdeNoise);
      const Trajectory tr = integrate_sde(*problem.model, *diffusion, schedule, y0, times, opt, rng, nullptr);
      for (std::size_t i = 0; i < cols.size(); ++i)
        out(s, Eigen::Index(i)) = (tr.rows[1][cols[i]] - tr.rows[0][cols[i]]) * std::sqrt(double(d) / h);
    }
    return covariance_of(out);
  };
  const CovStats sde = sde_steps(c);
  const double z = max_cov_z(sgd, sde);
  const CovStats mean_delta = sde_steps(c.with({"curriculum.protocol=easy", "curriculum.easy=0.55"}));
  const double z_broken = max_cov_z(sgd, mean_delta);
  std::printf("shuffled mixture: max |z| = %.2f over %d elements (noise at the mean Delta = 0.55: %.1f)\n", z,
              int(ref.cols() * (ref.cols() + 1) / 2), z_broken);
  EXPECT_LT(z, 4.5);
  EXPECT_GT(z_broken, 10.0) << "a noise without the mixture's spread of difficulties must be detected";
}

// With the noise switched off (d -> infinity) the stochastic Heun steps are the ODE's improved-Euler steps: second
// order, so the error against dopri5 falls 4x when the step halves, and is small at the default step.
TEST(SdeIntegrator, DeterministicLimitIsSecondOrder) {
  const Config c = Config::from_text("model = \"perceptron\"\neta = 2.0\nt_max = 4.0\n",
                                     {"curriculum.protocol=curriculum", "curriculum.hard=1.0", "theory.init=nominal"});
  const TheoryProblem problem = make_theory_problem(tilt::resolve(c), 0);
  const Schedule schedule = tilt::resolve(c).schedule;
  const std::vector<double> times = {0.0, 1.0, 2.0, 3.0, 4.0};
  IntegratorOptions ode_options;
  ode_options.rtol = 1e-12;
  ode_options.atol = 1e-14;
  const Trajectory exact = integrate(*problem.model, schedule, problem.y0, times, ode_options, nullptr);
  const auto diffusion = make_diffusion(tilt::resolve(c));
  auto error_at = [&](double dt) {
    SdeOptions o;
    o.d = 1e300;  // no noise
    o.dt = dt;
    Rng rng(1, Stream::SdeNoise);
    const Trajectory tr = integrate_sde(*problem.model, *diffusion, schedule, problem.y0, times, o, rng, nullptr);
    double err = 0;
    for (std::size_t i = 0; i < times.size(); ++i)
      for (std::size_t j = 0; j < tr.columns.size(); ++j)
        err = std::max(err, std::fabs(tr.rows[i][j] - exact.rows[i][j]));
    return err;
  };
  const double e1 = error_at(0.04), e2 = error_at(0.02);
  std::printf("max error: dt 0.04: %.3g, dt 0.02: %.3g, ratio %.2f\n", e1, e2, e1 / e2);
  EXPECT_GT(e1 / e2, 3.3);
  EXPECT_LT(e1 / e2, 4.7);
  EXPECT_LT(e2, 1e-3);
}

// The default step against the escape time: with the noise off, the Heun steps of theory.sde_dt = 0.02 from one
// member's initial overlaps (xgm K = 4, d = 1000, the escape example) reach eps = 0.35 within 0.01 of the
// dopri5 ODE; this is the drift's share of the step error, the only one that does not shrink with 1/d.
TEST(SdeIntegrator, DefaultStepMovesTheEscapeTimeLittle) {
  const Config c = Config::from_file(tilt::testing::source_path("examples/xgm_escape.toml"),
                                     {"sim.d=1000", "xgm.observable_lines=1024"});
  const TheoryProblem problem = make_theory_problem(tilt::resolve(c), 2);
  const Schedule schedule = tilt::resolve(c).schedule;
  const std::vector<double> times = tilt::resolve(c).output.times();
  IntegratorOptions ode_options = tilt::integrator_options(tilt::resolve(c));
  const Trajectory exact = integrate(*problem.model, schedule, problem.y0, times, ode_options, nullptr);
  const std::size_t j = exact.column("eps");
  auto t_star = [&](const Trajectory& tr) {
    std::vector<double> eps;
    for (const auto& row : tr.rows) eps.push_back(row[j]);
    return time_to_threshold(tr.times, eps, 0.35);
  };
  const auto diffusion = make_diffusion(tilt::resolve(c));
  auto sde_t_star = [&](double dt) {
    SdeOptions o = tilt::sde_options(tilt::resolve(c));
    o.d = 1e300;
    o.dt = dt;
    Rng rng(1, Stream::SdeNoise);
    return t_star(integrate_sde(*problem.model, *diffusion, schedule, problem.y0, times, o, rng, nullptr));
  };
  const double ref = t_star(exact), t02 = sde_t_star(0.02), t04 = sde_t_star(0.04);
  std::printf("t*: dopri5 %.4f, Heun dt 0.02: %.4f, dt 0.04: %.4f\n", ref, t02, t04);
  ASSERT_TRUE(std::isfinite(ref));
  EXPECT_LT(std::fabs(t02 - ref), 0.01);
}

// The noise against real SGD: member m's SGD run and its SDE path start from the same initial weights; over
// [0, 1], still near r = 0, the noise of each around the deterministic ODE from those weights must have the same
// size. The statistic is variance-sensitive: per member, the sum over the K D relevant overlaps and the 20 output
// intervals of the squared change of (run - ODE) over the interval (a quadratic variation: 160 terms per member,
// where the spread at t = 1 alone has 8). SDE runs whose noise variance is 20 % larger or smaller (dimension
// d / 1.2, d / 0.8) must be told apart.
TEST(SdeIntegrator, NoiseMatchesSgdEnsembleNearTheSaddle) {
  const std::string base = "model = \"xgm\"\neta = 3.0\nt_max = 1.0\n";
  const std::vector<std::string> common = {"xgm.K=4",
                                           "xgm.sigma=0.3",
                                           "xgm.lines=256",
                                           "xgm.observable_lines=256",
                                           "output.every=0.05",
                                           "curriculum.protocol=easy",
                                           "curriculum.easy=0.5",
                                           "sim.d=500",
                                           "sim.seeds=120",
                                           "theory.ensemble=120",
                                           "sim.same_init=false",
                                           "sim.threads=0"};
  const Config c = Config::from_text(base, common);
  const SimResult sgd = run_sim(tilt::resolve(c));
  const TheoryResult ode = run_theory(tilt::resolve(c));
  const TheoryResult sde = run_theory(tilt::resolve(c.with({"theory.noise=sde"})));
  // The broken variants: the same members and initial weights, noise of dimension d / 1.2 and d / 0.8.
  auto sde_at = [&](double variance_factor) {
    std::vector<Trajectory> runs;
    const tilt::ResolvedExperiment cs = tilt::resolve(c.with({"theory.noise=sde"}));
    const auto diffusion = make_diffusion(cs);
    SdeOptions o = tilt::sde_options(cs);
    o.d /= variance_factor;
    for (long long m = 0; m < 120; ++m) {
      const TheoryProblem problem = make_theory_problem(cs, m);
      Rng rng(std::uint64_t(1000 + m), Stream::SdeNoise);
      runs.push_back(
          integrate_sde(*problem.model, *diffusion, cs.schedule, problem.y0, sde.members[0].times, o, rng, nullptr));
    }
    return runs;
  };
  const std::vector<Trajectory> louder = sde_at(1.2), quieter = sde_at(0.8);
  std::vector<std::size_t> cols;
  for (std::size_t j = 0; j < ode.members[0].columns.size(); ++j)
    if (ode.members[0].columns[j].rfind("r_", 0) == 0) cols.push_back(j);
  ASSERT_EQ(cols.size(), 8u);
  ASSERT_EQ(ode.members[0].times.size(), 21u);
  // Per member, the quadratic variation of (run - ODE); the noise's size differs from member to member (it follows
  // the member's weights), so each SGD run is compared with the SDE path of the same member: the mean over members
  // of the log of their ratio, and its standard error.
  auto quadratic_variation = [&](const Trajectory& run, const Trajectory& twin) {
    double x = 0;
    for (std::size_t i = 1; i < run.rows.size(); ++i)
      for (std::size_t j : cols)
        x += std::pow((run.rows[i][j] - twin.rows[i][j]) - (run.rows[i - 1][j] - twin.rows[i - 1][j]), 2);
    return x;
  };
  auto z_against_sgd = [&](const std::vector<Trajectory>& runs, double& log_ratio) {
    tilt::testing::MeanSe s;
    for (std::size_t m = 0; m < runs.size(); ++m)
      s.add(
          std::log(quadratic_variation(sgd.members[m], ode.members[m]) / quadratic_variation(runs[m], ode.members[m])));
    log_ratio = s.mean();
    return s.mean() / s.se();
  };
  double l = 0, l_louder = 0, l_quieter = 0;
  const double z = z_against_sgd(sde.members, l), z_louder = z_against_sgd(louder, l_louder),
               z_quieter = z_against_sgd(quieter, l_quieter);
  std::printf(
      "quadratic variation around the ODE over [0, 1], mean log ratio SGD / SDE over members: %.3f (z = %.2f); "
      "noise variance x1.2: %.3f (z = %.2f), x0.8: %.3f (z = %.2f)\n",
      l, z, l_louder, z_louder, l_quieter, z_quieter);
  EXPECT_LT(std::fabs(z), 3.5);
  EXPECT_LT(z_louder, -3.5);
  EXPECT_GT(z_quieter, 3.5);
}

// One step of the integrator's noise on its own: 20000 one-step SDE paths of h = 1e-3 from the perceptron's nominal
// initial state (Delta = 0.5, d = 1000), each from its own stream. The covariance of the change of (Q_r, Q_i, R)
// times d/h must be Cov[U] of the per-sample increments (200000 draws; the increments themselves are checked
// against one-step SGD above): the assembly of the step's noise from M sampled increments (centred, scaled by
// (h/d)/(M-1)) is what is tested. The drift's share, h F(X) and O(h) corrections, is constant or O(h) small.
TEST(SdeIntegrator, OneStepNoiseCovarianceIsTheDiffusionOverD) {
  const Config c = Config::from_text(
      "model = \"perceptron\"\neta = 1.0\n",
      {"sim.d=1000", "curriculum.protocol=hard", "curriculum.hard=0.5", "theory.init=nominal", "theory.noise=sde"});
  const TheoryProblem problem = make_theory_problem(tilt::resolve(c), 0);
  const auto diffusion = make_diffusion(tilt::resolve(c));
  SdeOptions o = tilt::sde_options(tilt::resolve(c));
  const double h = 1e-3;
  o.dt = h;
  const Schedule schedule = tilt::resolve(c).schedule;
  const int reps = 20000;
  Eigen::MatrixXd steps(reps, 3);
  std::size_t cols[3] = {0, 0, 0};
  for (int r = 0; r < reps; ++r) {
    Rng rng(std::uint64_t(500 + r), Stream::SdeNoise);
    const Trajectory tr = integrate_sde(*problem.model, *diffusion, schedule, problem.y0, {0.0, h}, o, rng, nullptr);
    if (r == 0)
      for (int k = 0; k < 3; ++k) cols[k] = tr.column(k == 0 ? "Q_r" : k == 1 ? "Q_i" : "R");
    for (int k = 0; k < 3; ++k) steps(r, k) = (tr.rows[1][cols[k]] - tr.rows[0][cols[k]]) * std::sqrt(o.d / h);
  }
  const CovStats integrated = covariance_of(steps);
  const CovStats reference = covariance_of(diffusion_increments(*diffusion, problem.y0, 0.5, 200000).leftCols(3));
  const double z = max_cov_z(integrated, reference);
  std::printf("one-step noise: Var(Q_r) %.4g vs Cov[U] %.4g, Var(R) %.4g vs %.4g; max |z| = %.2f\n",
              integrated.cov(0, 0), reference.cov(0, 0), integrated.cov(2, 2), reference.cov(2, 2), z);
  EXPECT_LT(z, 4.5);
}

// Same config and seed: bit-identical members on 1 and 2 threads; different members draw different noise.
TEST(SdeIntegrator, BitIdenticalOnAnyThreadCount) {
  const std::string base = "model = \"xgm\"\neta = 3.0\nt_max = 2.0\n";
  const Config c =
      Config::from_text(base, {"xgm.K=4", "xgm.sigma=0.3", "curriculum.easy=0.1", "curriculum.hard=1.0", "xgm.lines=64",
                               "xgm.observable_lines=256", "sim.d=300", "theory.ensemble=4", "theory.noise=sde",
                               "curriculum.protocol=shuffled", "output.every=0.5"});
  const TheoryResult one = run_theory(tilt::resolve(c.with({"sim.threads=1"})));
  const TheoryResult two = run_theory(tilt::resolve(c.with({"sim.threads=2"})));
  for (std::size_t m = 0; m < 4; ++m) EXPECT_EQ(one.members[m].rows, two.members[m].rows) << "member " << m;
  EXPECT_NE(one.members[0].rows.back(), one.members[1].rows.back());
}

// A blow-up is reported with its time; a model without a stochastic theory is bad input naming the key.
TEST(SdeIntegrator, ReportsBlowUpWithTimeAndRefusesUnsupportedModels) {
  const Config c = Config::from_text("model = \"perceptron\"\neta = 1e4\nt_max = 2.0\n",
                                     {"theory.noise=sde", "sim.d=100", "blowup=1e3"});
  try {
    run_theory(tilt::resolve(c));
    FAIL() << "no blow-up reported";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("SDE diverged at t = "), std::string::npos) << e.what();
  }
  const auto r = tilt::testing::run_tilt("ode " + tilt::testing::source_path("examples/scm_plateau.toml") +
                                         " --set theory.noise=sde --set t_max=1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("theory.noise"), std::string::npos) << r.output;
}

}  // namespace

namespace {

// The OU picture of docs/theory/escape.md section 3 at the initial states of examples/xgm_escape.toml (d = 1000,
// members 0..9, r set to 0): J = dF_r/dr by central differences of the production drift, Sigma_rr from the
// per-sample increments (checked against one-step SGD above). The saddle must be unstable (gamma > 0) and the
// noise must carry a share of the effective starting amplitude that is neither 0 nor 1 - the reason the lottery is
// not the initial condition's alone. Prints gamma, b^2, |l|^2, the initial condition's share rho^2 and the
// predicted mean shift -(1/2 gamma) log(1 + b^2 / (2 gamma |l|^2)).
TEST(SdeLinearisation, UnstableSaddleWithNoiseOfTheInitialOverlapsOrder) {
  const Config c = Config::from_file(tilt::testing::source_path("examples/xgm_escape.toml"), {"sim.d=1000"});
  const XgmParams p = XgmParams::from_config(c);
  const XgmOde ode(p);
  const XgmDiffusion diffusion(p);
  const int KD = p.K * p.D;
  const double delta = c.real("curriculum.easy");
  double share_sum = 0, shift_sum = 0;
  const int members = 10;
  for (int m = 0; m < members; ++m) {
    XgmOverlaps o = overlaps_of(p, sample_xgm_weights(p, 1 + m));
    o.r.setZero();
    const std::vector<double> y0 = xgm_state_of(o);
    Eigen::MatrixXd J(KD, KD);
    std::vector<double> yp = y0, ym = y0, fp(y0.size()), fm(y0.size());
    const double h = 1e-5;
    for (int i = 0; i < KD; ++i) {
      yp = y0, ym = y0;
      yp[std::size_t(i)] += h, ym[std::size_t(i)] -= h;
      ASSERT_TRUE(ode.rhs(delta, 0, yp.data(), fp.data()));
      ASSERT_TRUE(ode.rhs(delta, 0, ym.data(), fm.data()));
      for (int k = 0; k < KD; ++k) J(k, i) = (fp[std::size_t(k)] - fm[std::size_t(k)]) / (2 * h);
    }
    Eigen::EigenSolver<Eigen::MatrixXd> eig(J.transpose());  // left eigenvectors of J
    Eigen::Index top = 0;
    for (Eigen::Index i = 1; i < KD; ++i)
      if (eig.eigenvalues()(i).real() > eig.eigenvalues()(top).real()) top = i;
    const double gamma = eig.eigenvalues()(top).real();
    const Eigen::VectorXd l = eig.eigenvectors().col(top).real().normalized();
    const CovStats noise = covariance_of(diffusion_increments(diffusion, y0, delta, 30000).leftCols(KD));
    const double b2 = l.dot(noise.cov * l);
    const double rho2 = 1.0 / (1.0 + b2 / (2 * gamma));  // |l| = 1
    const double predicted_shift = -std::log(1 + b2 / (2 * gamma)) / (2 * gamma);
    std::printf("member %d: gamma %.3f, b^2 %.3f, initial condition's share rho^2 %.2f, predicted mean shift %.2f\n", m,
                gamma, b2, rho2, predicted_shift);
    EXPECT_GT(gamma, 0.05);
    EXPECT_GT(b2, 0.01);
    share_sum += rho2;
    shift_sum += predicted_shift;
  }
  std::printf("mean over %d members: rho^2 %.2f, predicted shift %.2f\n", members, share_sum / members,
              shift_sum / members);
  EXPECT_GT(share_sum / members, 0.05);
  EXPECT_LT(share_sum / members, 0.95);
}

}  // namespace
