// The soft committee machine's ODE: the whole right-hand side against brute-force Monte Carlo of the per-sample
// update, the fast erf path against the generic one, bit-identical threads, convergence in the tolerance, the
// sampled teacher's exact overlaps, initial conditions from a file, and theory against SGD (tilt validate).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include <Eigen/Cholesky>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/rng.hpp"
#include "models/scm/core/scm.hpp"
#include "models/scm/theory/scm_ode.hpp"
#include "sim/run.hpp"
#include "support.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"
#include "validation_support.hpp"

namespace {

using tilt::ScmActivation;

// A generic state: K = 3 students (one nearly specialised), M = 2 teachers with correlated T and unequal A.
struct State {
  tilt::ScmParams p;
  tilt::ScmOverlaps o;
};

State generic_state(ScmActivation g, int K = 3, int M = 2, bool train = true) {
  State s;
  s.p.K = K;
  s.p.M = M;
  s.p.activation = g;
  s.p.train_readout = train;
  s.p.noise = 0.3;
  s.p.eta = 0.8;
  s.p.eta_v = 0.5;
  s.p.weight_decay = 0.05;
  s.p.weight_decay_v = 0.02;
  // Random but fixed weights in a small space give a valid joint covariance.
  tilt::Rng rng(5, tilt::Stream::InitialWeights);
  const int dim = K + M + 2;
  Eigen::MatrixXd W(K, dim), Ws(M, dim);
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < dim; ++j) W(i, j) = rng.normal() / std::sqrt(double(dim));
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < dim; ++j) Ws(i, j) = rng.normal() / std::sqrt(double(dim));
  W.row(0) = 0.9 * Ws.row(0) + 0.2 * W.row(0);  // student 1 nearly aligned with teacher 1
  s.p.T = Ws * Ws.transpose();
  s.p.A = Eigen::VectorXd::LinSpaced(M, 1.0, 0.6);
  s.o.Q = W * W.transpose();
  s.o.R = W * Ws.transpose();
  s.o.v = Eigen::VectorXd::LinSpaced(K, 0.7, 1.2);
  s.p.v0 = s.o.v;
  return s;
}

double g_of(ScmActivation a, double x) {
  return a == ScmActivation::Erf ? std::erf(x / std::sqrt(2.0)) : a == ScmActivation::Relu ? std::max(x, 0.0) : x;
}
double dg_of(ScmActivation a, double x) {
  return a == ScmActivation::Erf    ? std::sqrt(2 / M_PI) * std::exp(-0.5 * x * x)
         : a == ScmActivation::Relu ? (x > 0)
                                    : 1.0;
}

// Per sample (fields drawn with the joint covariance, output noise included), the d -> infinity per-step change
// of each order parameter times d: eta (G_k lambda_l + G_l lambda_k) + eta^2 G_k G_l - 2 eta lambda_w Q_kl, etc.
void check_rhs_against_monte_carlo(ScmActivation g) {
  const State s = generic_state(g);
  const tilt::ScmParams& p = s.p;
  const tilt::ScmOde ode(p);
  const std::vector<double> y = ode.state_of(s.o);
  std::vector<double> dydt(ode.dimension());
  ASSERT_TRUE(ode.rhs(0, 0, y.data(), dydt.data()));

  const int K = p.K, M = p.M, n = K + M;
  Eigen::MatrixXd omega(n, n);
  omega << s.o.Q, s.o.R, s.o.R.transpose(), p.T;
  const Eigen::MatrixXd L = Eigen::LLT<Eigen::MatrixXd>(omega).matrixL();
  std::vector<tilt::testing::MeanSe> mc(ode.dimension());
  tilt::Rng rng(17, tilt::Stream::SgdSamples);
  Eigen::VectorXd z(n), x(n), G(K);
  for (int sample = 0; sample < 1000000; ++sample) {
    for (int i = 0; i < n; ++i) z[i] = rng.normal();
    x = L * z;
    double e = std::sqrt(p.noise) * rng.normal();
    for (int m = 0; m < M; ++m) e += p.A[m] * g_of(g, x[K + m]);
    for (int k = 0; k < K; ++k) e -= s.o.v[k] * g_of(g, x[k]);
    for (int k = 0; k < K; ++k) G[k] = e * s.o.v[k] * dg_of(g, x[k]);
    std::size_t i = 0;
    for (int k = 0; k < K; ++k)
      for (int l = k; l < K; ++l)
        mc[i++].add(p.eta * (G[k] * x[l] + G[l] * x[k]) + p.eta * p.eta * G[k] * G[l] -
                    2 * p.eta * p.weight_decay * s.o.Q(k, l));
    for (int k = 0; k < K; ++k)
      for (int m = 0; m < M; ++m) mc[i++].add(p.eta * G[k] * x[K + m] - p.eta * p.weight_decay * s.o.R(k, m));
    for (int k = 0; k < K; ++k) mc[i++].add(p.eta_v * (e * g_of(g, x[k]) - p.weight_decay_v * s.o.v[k]));
  }
  const auto names = ode.state_names();
  double worst = 0;
  for (std::size_t i = 0; i < dydt.size(); ++i) {
    const double z_score = (mc[i].mean() - dydt[i]) / mc[i].se();
    worst = std::max(worst, std::fabs(z_score));
    EXPECT_LT(std::fabs(z_score), 5.0) << names[i] << ": ODE " << dydt[i] << ", Monte Carlo " << mc[i].mean() << " +- "
                                       << mc[i].se();
  }
  std::printf("[rhs vs Monte Carlo, %s] %zu components, max |z| = %.2f\n",
              g == ScmActivation::Erf    ? "erf"
              : g == ScmActivation::Relu ? "relu"
                                         : "linear",
              dydt.size(), worst);
}

TEST(ScmOde, ErfRightHandSideMatchesMonteCarlo) { check_rhs_against_monte_carlo(ScmActivation::Erf); }
TEST(ScmOde, ReluRightHandSideMatchesMonteCarlo) { check_rhs_against_monte_carlo(ScmActivation::Relu); }
TEST(ScmOde, LinearRightHandSideMatchesMonteCarlo) { check_rhs_against_monte_carlo(ScmActivation::Linear); }

// The rearranged erf path and the one that evaluates every integral from its own sub-covariance agree.
TEST(ScmOde, FastErfPathEqualsGenericPath) {
  for (int K : {1, 3, 6}) {
    const State s = generic_state(ScmActivation::Erf, K, 4);
    const tilt::ScmOde ode(s.p);
    const std::vector<double> y = ode.state_of(s.o);
    std::vector<double> fast(ode.dimension()), generic(ode.dimension());
    ASSERT_TRUE(ode.rhs(0, 0, y.data(), fast.data()));
    ASSERT_TRUE(ode.rhs_generic(y.data(), generic.data()));
    for (std::size_t i = 0; i < fast.size(); ++i) EXPECT_NEAR(fast[i], generic[i], 1e-13 * (1 + std::fabs(generic[i])));
  }
}

// One and two OpenMP threads give the same bits (static partition of independent entries, no reductions).
TEST(ScmOde, RightHandSideIsBitIdenticalOnOneAndTwoThreads) {
  for (ScmActivation g : {ScmActivation::Erf, ScmActivation::Relu}) {
    State s = generic_state(g, g == ScmActivation::Erf ? 12 : 4, g == ScmActivation::Erf ? 9 : 3);
    s.p.threads = 1;
    const tilt::ScmOde one(s.p, 0);
    s.p.threads = 2;
    const tilt::ScmOde two(s.p, 0);  // min_parallel_work = 0: always parallel
    const std::vector<double> y = one.state_of(s.o);
    std::vector<double> a(one.dimension()), b(one.dimension());
    ASSERT_TRUE(one.rhs(0, 0, y.data(), a.data()));
    ASSERT_TRUE(two.rhs(0, 0, y.data(), b.data()));
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(double)));
  }
}

const char* kBase = R"(
model = "scm"
seed = 4
t_max = 12.0
eta = 1.0
[scm]
K = 2
M = 2
[output]
every = 0.5
[sim]
d = 1000
seeds = 10
)";

// Tightening rtol converges to the rk8pd reference at rtol 1e-12, and each tolerance is honoured.
TEST(ScmOde, TrajectoryConvergesAsToleranceTightens) {
  const tilt::Config base = tilt::Config::from_text(kBase, {"t_max=40", "scm.train_readout=true"});
  auto eps_of = [&](const std::vector<std::string>& set) {
    const tilt::Trajectory tr = tilt::run_theory(tilt::resolve(base.with(set))).members[0];
    std::vector<double> out;
    for (const auto& row : tr.rows) out.push_back(row[tr.column("eps")]);
    return out;
  };
  const std::vector<double> ref = eps_of({"theory.method=rk8pd", "theory.rtol=1e-12", "theory.atol=1e-14"});
  double previous = 1;
  for (double rtol : {1e-4, 1e-6, 1e-8, 1e-10}) {
    const std::vector<double> eps =
        eps_of({"theory.rtol=" + tilt::format_number(rtol), "theory.atol=" + tilt::format_number(rtol * 1e-2)});
    double err = 0;
    for (std::size_t i = 0; i < eps.size(); ++i) err = std::max(err, std::fabs(eps[i] - ref[i]));
    std::printf("[convergence] default method (dopri5) rtol %.0e: max |eps - eps_ref| = %.2e\n", rtol, err);
    EXPECT_LT(err, previous);
    EXPECT_LT(err, 1e3 * rtol);
    previous = err;
  }
}

// The teacher is sampled with exactly the configured overlaps; the student with Q ~ I, R ~ d^-1/2.
TEST(ScmOde, SampledTeacherHasExactlyTheConfiguredOverlaps) {
  const tilt::Config c =
      tilt::Config::from_text(kBase, {"scm.M=3", "scm.T=[[1.0, 0.3, 0.0], [0.3, 2.0, -0.5], [0.0, -0.5, 0.5]]"});
  const tilt::ScmParams p = tilt::ScmParams::from_config(c);
  const tilt::ScmWeights w = tilt::sample_scm_weights(p, 4);
  EXPECT_LT((w.teacher * w.teacher.transpose() - p.T).cwiseAbs().maxCoeff(), 1e-13);
  const tilt::ScmOverlaps o = tilt::scm_overlaps_of(w);
  EXPECT_LT((o.Q - Eigen::MatrixXd::Identity(2, 2)).cwiseAbs().maxCoeff(), 6 * std::sqrt(2.0 / 1000));
  EXPECT_LT(o.R.cwiseAbs().maxCoeff(), 6 * std::sqrt(2.0 / 1000));
  EXPECT_GT(o.R.cwiseAbs().maxCoeff(), 0.0);
}

// A CSV row seeds the ODE: order parameters by column name, and T_m_n / A_m override the config.
TEST(ScmOde, InitialConditionFromFileOverridesTheTeacher) {
  tilt::testing::TempDir dir("scm_init");
  const std::string path = dir.file("init.csv",
                                    "t,Q_1_1,Q_1_2,Q_2_2,R_1_1,R_1_2,R_2_1,R_2_2,T_1_1,T_1_2,T_2_2,A_1,A_2\n"
                                    "0,0.5,0.1,0.6,0.2,0.0,0.05,0.3,1.5,0.2,1.0,1.0,0.5\n");
  const tilt::Config c = tilt::Config::from_text(kBase, {"theory.init=file", "theory.init_file=" + path});
  const tilt::TheoryProblem problem = tilt::make_theory_problem(tilt::resolve(c), 0);
  EXPECT_EQ(problem.y0, (std::vector<double>{0.5, 0.1, 0.6, 0.2, 0.0, 0.05, 0.3}));
  const auto& ode = dynamic_cast<const tilt::ScmOde&>(*problem.model);
  EXPECT_EQ(ode.params().T(0, 1), 0.2);
  EXPECT_EQ(ode.params().T(1, 0), 0.2);
  EXPECT_EQ(ode.params().A[1], 0.5);
  const std::string bad = dir.file("bad.csv", "t,Q_1_1,Q_1_2,Q_2_2,R_1_1,R_1_2,R_2_1,R_2_2\n0,0.1,0,0.1,0.9,0,0,0.1\n");
  EXPECT_THROW(tilt::make_theory_problem(tilt::resolve(c.with({"theory.init_file=" + bad})), 0), tilt::InputError);
}

TEST(ScmOde, RejectsShapesThatDoNotFitKAndM) {
  EXPECT_THROW(tilt::ScmParams::from_config(tilt::Config::from_text(kBase, {"scm.A=[[1.0, 2.0, 3.0]]"})),
               tilt::InputError);
  EXPECT_THROW(tilt::ScmParams::from_config(tilt::Config::from_text(kBase, {"scm.T=[[1.0, 2.0], [2.0, 1.0]]"})),
               tilt::InputError);  // not positive definite
  EXPECT_THROW(tilt::Config::from_text(kBase, {"scm.activation=tanh"}), tilt::InputError);
}

// Theory against SGD at d = 1000 through the plateau and its escape (K = M = 2), with and without a trained
// read-out, with output noise, and for relu; at the suite's false-alarm rate (tests/validation_support.hpp).
TEST(ScmValidation, TheoryAgreesWithSimulation) {
  const std::vector<std::vector<std::string>> cases{
      {},
      {"scm.train_readout=true", "scm.noise=0.1"},
      {"scm.activation=relu", "eta=0.5", "t_max=8"},
      {"scm.K=3", "scm.M=2", "scm.readout_init=gaussian", "scm.train_readout=true", "sim.same_init=false", "t_max=8"},
  };
  for (auto set : cases) {
    set.push_back("sim.seeds=40");
    const tilt::Config config = tilt::Config::from_text(kBase, tilt::testing::strict(set));
    const tilt::ValidationRun run = tilt::validate_experiment(tilt::resolve(config));
    EXPECT_EQ(run.agreement.verdict, tilt::Verdict::Consistent)
        << run.agreement.table() << tilt::verdict_line(run.agreement, nullptr);
    EXPECT_GE(run.agreement.bias.points, 48u);
  }
}

// The check has power: a 5% wrong learning rate in the theory is rejected, and so is a wrong sign of the eta^2
// term of Q_1_1.
TEST(ScmValidation, DetectsAWrongTheory) {
  const tilt::Config config =
      tilt::Config::from_text(kBase, tilt::testing::strict({"scm.train_readout=true", "sim.seeds=40"}));
  const tilt::SimResult sim = tilt::run_sim(tilt::resolve(config));
  const tilt::ValidationOptions options =
      tilt::validation_options(tilt::resolve(config), sim.members[0].columns, tilt::Tracking::NotTested);
  const auto eta = tilt::compare_members(sim.members, tilt::testing::theory_at_eta(config, 1.05, 40), options);
  EXPECT_EQ(eta.verdict, tilt::Verdict::Inconsistent) << eta.table();
  const auto sign =
      tilt::compare_members(sim.members, tilt::testing::theory_flipping_eta2(config, "Q_1_1", 40), options);
  EXPECT_EQ(sign.verdict, tilt::Verdict::Inconsistent) << sign.table();
}

}  // namespace
