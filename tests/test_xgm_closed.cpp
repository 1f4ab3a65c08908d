// The closed forms of model xgm (models/xgm/core/xgm_closed.hpp): the bivariate normal CDF and the relu and erf pair
// moments against high-accuracy quadrature (1e-10, erf 1e-12) and brute-force Monte Carlo (5 standard errors).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include <gsl/gsl_integration.h>

#include "core/config.hpp"
#include "core/rng.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/core/xgm_closed.hpp"
#include "models/xgm/core/xgm_gauss.hpp"

namespace {

using namespace tilt;

double Phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double phi(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); }

// int_lo^hi f(x) dx (hi may be +inf), adaptive Gauss-Kronrod to ~1e-14.
double integrate(const std::function<double(double)>& f, double lo, double hi) {
  gsl_integration_workspace* ws = gsl_integration_workspace_alloc(2000);
  gsl_function F;
  F.function = [](double x, void* p) { return (*static_cast<const std::function<double(double)>*>(p))(x); };
  F.params = const_cast<std::function<double(double)>*>(&f);
  double r = 0, err = 0;
  lo = std::max(lo, -40.0);
  hi = std::min(hi, 40.0);
  if (lo < hi) gsl_integration_qags(&F, lo, hi, 1e-15, 1e-13, 2000, ws, &r, &err);
  gsl_integration_workspace_free(ws);
  return r;
}

struct Point {
  double h, k, rho;
};

TEST(XgmClosed, BivariateNormalCdfAgainstQuadrature) {
  const Point pts[] = {{0, 0, 0.3},       {0, 0, -0.8},   {0.5, -0.3, 0.6},  {-1.2, 0.7, -0.4},     {2.1, 1.5, 0.95},
                       {-2.5, -1.8, 0.9}, {-3, 2, -0.97}, {1e-12, 0.4, 0.5}, {-1e-12, 0.4, 0.5},    {0.3, 0, -0.2},
                       {0, -0.7, 0.7},    {4, -4, 0.1},   {-6, -6, 0.99},    {0.01, -0.02, -0.999}, {1.3, 1.3, 0}};
  double worst = 0;
  for (const auto& p : pts) {
    const double q = std::sqrt(1 - p.rho * p.rho);
    const double ref = integrate([&](double x) { return phi(x) * Phi((p.k - p.rho * x) / q); }, -40, p.h);
    const double got = xgm_bvn_cdf(p.h, p.k, p.rho);
    EXPECT_NEAR(got, ref, 1e-10) << p.h << " " << p.k << " " << p.rho;
    worst = std::max(worst, std::fabs(got - ref));
  }
  std::printf("bvn cdf: max |closed - quadrature| = %.2g\n", worst);
  // Continuous through h = 0 and k = 0 (special cases in the Owen's T formula).
  for (double k : {-0.8, 0.0, 1.1})
    for (double rho : {-0.6, 0.4}) {
      EXPECT_NEAR(xgm_bvn_cdf(1e-9, k, rho), xgm_bvn_cdf(0.0, k, rho), 1e-9);
      EXPECT_NEAR(xgm_bvn_cdf(-1e-9, k, rho), xgm_bvn_cdf(0.0, k, rho), 1e-9);
      EXPECT_NEAR(xgm_bvn_cdf(k, 1e-9, rho), xgm_bvn_cdf(k, -1e-9, rho), 3e-9);
    }
}

struct Pair {
  double ma, mb, sa, sb, rho;
};
const Pair kPairs[] = {{0.3, -0.5, 1.2, 0.7, 0.4}, {0, 0, 1, 1, -0.3},          {-1.1, 0.8, 0.6, 1.5, 0.85},
                       {1.5, 2.0, 0.9, 1.1, -0.9}, {-0.2, -0.4, 0.5, 0.3, 0.0}, {0.7, -0.1, 2.0, 0.8, 0.97}};

TEST(XgmClosed, ReluPairMomentsAgainstQuadrature) {
  double worst = 0;
  for (const auto& c : kPairs) {
    const double q = std::sqrt(1 - c.rho * c.rho), lo = -c.ma / c.sa, hb = c.mb / c.sb;
    // Given X = x: Y ~ N(rho x, q^2); P[Y > -hb] = Phi((hb + rho x)/q), E[Y 1{Y > -hb}] = rho x Phi + q phi.
    auto py = [&](double x) { return Phi((hb + c.rho * x) / q); };
    auto ey = [&](double x) { return c.rho * x * py(x) + q * phi((hb + c.rho * x) / q); };
    const double p = integrate([&](double x) { return phi(x) * py(x); }, lo, INFINITY);
    const double ea = integrate([&](double x) { return (c.ma + c.sa * x) * phi(x) * py(x); }, lo, INFINITY);
    const double eb = integrate([&](double x) { return phi(x) * (c.mb * py(x) + c.sb * ey(x)); }, lo, INFINITY);
    const double eab =
        integrate([&](double x) { return (c.ma + c.sa * x) * phi(x) * (c.mb * py(x) + c.sb * ey(x)); }, lo, INFINITY);
    const XgmReluPair got = xgm_relu_pair(c.ma, c.mb, c.sa, c.sb, c.rho);
    for (auto [g, r] : {std::pair{got.p, p}, {got.ea, ea}, {got.eb, eb}, {got.eab, eab}}) {
      EXPECT_NEAR(g, r, 1e-10) << c.ma << " " << c.mb << " " << c.rho;
      worst = std::max(worst, std::fabs(g - r));
    }
  }
  std::printf("relu pair moments: max |closed - quadrature| = %.2g\n", worst);
}

TEST(XgmClosed, ReluPairMomentsAgainstMonteCarlo) {
  Rng rng(7, Stream::Teacher);
  const long n = 400000;
  double worst = 0;
  for (const auto& c : kPairs) {
    double s[4] = {0, 0, 0, 0}, s2[4] = {0, 0, 0, 0};
    const double q = std::sqrt(1 - c.rho * c.rho);
    for (long i = 0; i < n; ++i) {
      const double x = rng.normal(), y = c.rho * x + q * rng.normal();
      const double a = c.ma + c.sa * x, b = c.mb + c.sb * y, in = a > 0 && b > 0 ? 1.0 : 0.0;
      const double v[4] = {in, a * in, b * in, a * b * in};
      for (int j = 0; j < 4; ++j) {
        s[j] += v[j];
        s2[j] += v[j] * v[j];
      }
    }
    const XgmReluPair got = xgm_relu_pair(c.ma, c.mb, c.sa, c.sb, c.rho);
    const double g[4] = {got.p, got.ea, got.eb, got.eab};
    for (int j = 0; j < 4; ++j) {
      const double m = s[j] / n, se = std::sqrt((s2[j] / n - m * m) / (n - 1));
      EXPECT_NEAR(g[j], m, 5 * se + 1e-15) << "moment " << j << " at " << c.ma << " " << c.mb << " " << c.rho;
      if (se > 0) worst = std::max(worst, std::fabs(g[j] - m) / se);
    }
  }
  std::printf("relu pair moments: max |closed - MC| / se = %.2f\n", worst);
}

// Every component of `ref` within 5 standard errors of the Monte Carlo mean whose sums over n samples are s (of
// the values) and s2 (of their squares); returns the largest |ref - mean| / se.
double expect_near_monte_carlo(const Eigen::VectorXd& ref, const Eigen::VectorXd& s, const Eigen::VectorXd& s2,
                               long n) {
  double worst = 0;
  for (Eigen::Index j = 0; j < ref.size(); ++j) {
    const double m = s(j) / n, se = std::sqrt((s2(j) / n - m * m) / (n - 1));
    EXPECT_NEAR(ref(j), m, 5 * se) << "component " << j;
    worst = std::max(worst, std::fabs(ref(j) - m) / se);
  }
  return worst;
}

// A random cluster for the Monte Carlo tests, drawn from rng (which the test then goes on to sample with): fields
// lambda = mu + A u (u standard normal in M dimensions), read-out weights cv.
struct RandomCluster {
  Eigen::MatrixXd A;
  Eigen::VectorXd mu, cv;
};
RandomCluster random_cluster(Rng& rng, int K, int M, double a_scale, double mu_scale) {
  RandomCluster c{Eigen::MatrixXd(K, M), Eigen::VectorXd(K), Eigen::VectorXd(K)};
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < M; ++j) c.A(i, j) = a_scale * rng.normal() / std::sqrt(double(M));
  for (int k = 0; k < K; ++k) {
    c.mu(k) = mu_scale * rng.normal();
    c.cv(k) = 0.8 * rng.normal();
  }
  return c;
}

// The full closed-form cluster expectations against Monte Carlo: E[G], E[e relu], the loss, and Stein's lemma
// E[G_k u] = H_k. (d lambda/d u) for the fields' own standard normals u (lambda = mu + A u).
TEST(XgmClosed, ReluSquareClusterAgainstMonteCarlo) {
  const int K = 5, M = 7;
  Rng rng(3, Stream::Teacher);
  const RandomCluster cl = random_cluster(rng, K, M, 1.0, 0.5);
  const Eigen::MatrixXd& A = cl.A;
  const Eigen::VectorXd &mu = cl.mu, &cv = cl.cv;
  const double y = -1;
  Eigen::VectorXd EG, eg;
  Eigen::MatrixXd H;
  double loss;
  xgm_relu_square_closed(mu, A * A.transpose(), cv, y, &EG, &H, &eg, &loss);
  const Eigen::MatrixXd EGu = H * A;  // Stein
  const int nv = K + K + K * M + 1;
  Eigen::VectorXd s = Eigen::VectorXd::Zero(nv), s2 = Eigen::VectorXd::Zero(nv), x(nv), u(M), lam(K);
  const long n = 300000;
  for (long i = 0; i < n; ++i) {
    for (int j = 0; j < M; ++j) u(j) = rng.normal();
    lam = mu + A * u;
    double f = 0;
    for (int k = 0; k < K; ++k) f += cv(k) * std::max(lam(k), 0.0);
    const double e = y - f;
    int j = 0;
    for (int k = 0; k < K; ++k) x(j++) = e * cv(k) * (lam(k) > 0);
    for (int k = 0; k < K; ++k) x(j++) = e * std::max(lam(k), 0.0);
    for (int b = 0; b < M; ++b)
      for (int k = 0; k < K; ++k) x(j++) = e * cv(k) * (lam(k) > 0) * u(b);
    x(j++) = 0.5 * e * e;
    s += x;
    s2 += x.cwiseProduct(x);
  }
  Eigen::VectorXd ref(nv);
  ref << EG, eg, Eigen::Map<const Eigen::VectorXd>(EGu.data(), K * M), loss;
  const double worst = expect_near_monte_carlo(ref, s, s2, n);
  std::printf("relu/square cluster closed forms: max |closed - MC| / se = %.2f over %d components\n", worst, nv);
}

// ---- erf (g(x) = erf(x / sqrt 2)) ----

double g_erf(double x) { return std::erf(x / std::sqrt(2.0)); }
double dg_erf(double x) { return std::sqrt(2 / M_PI) * std::exp(-0.5 * x * x); }
double ddg_erf(double x) { return -x * dg_erf(x); }

// Composite 16-point Gauss-Legendre on [-10, 10] (64 panels) for the standard normal weight: for the smooth
// integrands here (Gaussian bumps of width >= 1/3) its error is far below 1e-14.
struct NormalRule {
  std::vector<double> x, w;
  NormalRule() {
    gsl_integration_glfixed_table* t = gsl_integration_glfixed_table_alloc(16);
    const int panels = 64;
    const double h = 20.0 / panels;
    for (int p = 0; p < panels; ++p)
      for (int i = 0; i < 16; ++i) {
        double xi, wi;
        gsl_integration_glfixed_point(-10 + p * h, -10 + (p + 1) * h, std::size_t(i), &xi, &wi, t);
        x.push_back(xi);
        w.push_back(wi * phi(xi));
      }
    gsl_integration_glfixed_table_free(t);
  }
};

struct ErfSetting {
  double ma, mb, sa, sb, rho;  // rho = 1 with equal mean and s: the same field twice
};
const ErfSetting kErfSettings[] = {
    {0.3, -0.5, 1.2, 0.7, 0.4},  {0, 0, 1, 1, -0.3},          {-1.1, 0.8, 0.6, 1.5, 0.85},
    {3.5, -4.0, 0.9, 1.1, -0.9}, {5.0, 6.0, 2.0, 0.5, 0.999}, {-0.2, 2.5, 2.5, 0.3, -0.999},
    {0.7, -0.1, 3.0, 0.8, 0.97}, {-8.0, 7.0, 1.5, 2.0, 0.5},  {1.0, -0.5, 0.7, 1.3, 1.0},
    {0.4, 0.4, 0.8, 0.8, 1.0},   {-2.0, -2.0, 1.5, 1.5, 1.0}, {6.0, 6.0, 0.4, 0.4, 1.0}};

// E[g], E[g'], E[g''] and the six pair moments against 2-D quadrature over a = mu_a + s_a x,
// b = mu_b + s_b (rho x + sqrt(1 - rho^2) y).
TEST(XgmClosed, ErfMomentsAgainstQuadrature) {
  const NormalRule rule;
  const std::size_t n = rule.x.size();
  double worst = 0;
  for (const auto& c : kErfSettings) {
    const double q = std::sqrt(std::max(0.0, 1 - c.rho * c.rho));
    long double one[3] = {0, 0, 0}, two[6] = {0, 0, 0, 0, 0, 0};  // 10^6 terms: keep the sum's rounding < 1e-16
    for (std::size_t i = 0; i < n; ++i) {
      const double a = c.ma + c.sa * rule.x[i];
      const double ga = g_erf(a), da = dg_erf(a), dda = ddg_erf(a);
      one[0] += rule.w[i] * ga;
      one[1] += rule.w[i] * da;
      one[2] += rule.w[i] * dda;
      for (std::size_t j = 0; j < n; ++j) {
        const double b = c.mb + c.sb * (c.rho * rule.x[i] + q * rule.x[j]);
        const long double w = (long double)rule.w[i] * rule.w[j];
        const double gb = g_erf(b), db = dg_erf(b);
        const double v[6] = {ga * gb, da * db, gb * da, gb * dda, ga * db, -ga * b * db};
        for (int m = 0; m < 6; ++m) two[m] += w * v[m];
      }
    }
    const XgmErfField f = xgm_erf_field(c.ma, c.sa * c.sa);
    const XgmErfPair pr = xgm_erf_pair(c.ma, c.mb, c.sa * c.sa, c.rho * c.sa * c.sb, c.sb * c.sb);
    const double got[9] = {f.g, f.dg, f.ddg, pr.gg, pr.dd, pr.gda, pr.gdda, pr.gdb, pr.gddb};
    const long double ref[9] = {one[0], one[1], one[2], two[0], two[1], two[2], two[3], two[4], two[5]};
    for (int m = 0; m < 9; ++m) {
      EXPECT_NEAR(got[m], double(ref[m]), 1e-12)
          << "moment " << m << " at " << c.ma << " " << c.mb << " " << c.sa << " " << c.sb << " " << c.rho;
      worst = std::max(worst, std::fabs(got[m] - double(ref[m])));
    }
  }
  std::printf("erf moments: max |closed - quadrature| = %.2g\n", worst);
}

// The full closed-form erf cluster expectations against Monte Carlo: E[G], E[e g], H (directly, as the mean of
// dG_k/dlambda_j), Stein's E[G_k u] = (H A)_k, and the loss.
TEST(XgmClosed, ErfSquareClusterAgainstMonteCarlo) {
  const int K = 5, M = 7;
  Rng rng(4, Stream::Teacher);
  const RandomCluster cl = random_cluster(rng, K, M, 1.2, 0.8);
  const Eigen::MatrixXd& A = cl.A;
  const Eigen::VectorXd &mu = cl.mu, &cv = cl.cv;
  const double y = 1;
  Eigen::VectorXd EG, eg;
  Eigen::MatrixXd H;
  double loss;
  xgm_erf_square_closed(mu, A * A.transpose(), cv, y, &EG, &H, &eg, &loss);
  const Eigen::MatrixXd EGu = H * A;  // Stein
  const int nv = K + K + K * K + K * M + 1;
  Eigen::VectorXd s = Eigen::VectorXd::Zero(nv), s2 = Eigen::VectorXd::Zero(nv), x(nv), u(M), lam(K), g(K), dg(K);
  const long n = 300000;
  for (long i = 0; i < n; ++i) {
    for (int j = 0; j < M; ++j) u(j) = rng.normal();
    lam = mu + A * u;
    for (int k = 0; k < K; ++k) {
      g(k) = g_erf(lam(k));
      dg(k) = dg_erf(lam(k));
    }
    const double e = y - cv.dot(g);
    int j = 0;
    for (int k = 0; k < K; ++k) x(j++) = e * cv(k) * dg(k);
    for (int k = 0; k < K; ++k) x(j++) = e * g(k);
    for (int l = 0; l < K; ++l)
      for (int k = 0; k < K; ++k) x(j++) = -cv(k) * cv(l) * dg(k) * dg(l) - (k == l ? cv(k) * e * lam(k) * dg(k) : 0.0);
    for (int b = 0; b < M; ++b)
      for (int k = 0; k < K; ++k) x(j++) = e * cv(k) * dg(k) * u(b);
    x(j++) = 0.5 * e * e;
    s += x;
    s2 += x.cwiseProduct(x);
  }
  Eigen::VectorXd ref(nv);
  ref << EG, eg, Eigen::Map<const Eigen::VectorXd>(H.data(), K * K),
      Eigen::Map<const Eigen::VectorXd>(EGu.data(), K * M), loss;
  const double worst = expect_near_monte_carlo(ref, s, s2, n);
  std::printf("erf/square cluster closed forms: max |closed - MC| / se = %.2f over %d components\n", worst, nv);
}

// Inside XgmGauss: the erf/square drift (dr, Gz, eg) with closed forms against the lines alone (closed_forms =
// false), within the lines' own error (estimated as the largest change from lines/4 to lines).
TEST(XgmClosed, ErfSquareClosedFormsMatchLines) {
  auto params = [](bool closed, int lines) {
    const Config c =
        Config::from_text("model = \"xgm\"\n", {"xgm.activation=erf", "xgm.loss=square", "xgm.K=4", "xgm.sigma=0.3",
                                                "xgm.lines=" + std::to_string(lines), "xgm.observable_lines=8",
                                                std::string("xgm.closed_forms=") + (closed ? "true" : "false")});
    return XgmParams::from_config(c);
  };
  const XgmParams pc = params(true, 256), pf = params(false, 65536), pr = params(false, 16384);
  Rng rng(11, Stream::Teacher);
  XgmOverlaps o;
  o.r.resize(pc.K, pc.D);
  for (int k = 0; k < pc.K; ++k)
    for (int a = 0; a < pc.D; ++a) o.r(k, a) = 0.6 * rng.normal();
  Eigen::MatrixXd X(pc.K, 3 * pc.K);
  for (int i = 0; i < X.rows(); ++i)
    for (int j = 0; j < X.cols(); ++j) X(i, j) = rng.normal() / std::sqrt(3.0 * pc.K);
  o.Qp = X * X.transpose() + 0.2 * Eigen::MatrixXd::Identity(pc.K, pc.K);
  o.v = Eigen::VectorXd::LinSpaced(pc.K, 1.2, -0.9);
  XgmMoments closed, fine, coarse;
  ASSERT_TRUE(XgmGauss(pc).expect(o, 0.7, XgmExpectations::Rhs, &closed));
  ASSERT_TRUE(XgmGauss(pf).expect(o, 0.7, XgmExpectations::Rhs, &fine));
  ASSERT_TRUE(XgmGauss(pr).expect(o, 0.7, XgmExpectations::Rhs, &coarse));
  auto drift = [](const XgmMoments& m) {
    std::vector<double> x(m.dr.data(), m.dr.data() + m.dr.size());
    x.insert(x.end(), m.Gz.data(), m.Gz.data() + m.Gz.size());
    x.insert(x.end(), m.eg.data(), m.eg.data() + m.eg.size());
    return x;
  };
  const auto a = drift(closed), b = drift(fine), c = drift(coarse);
  double worst = 0, line_err = 0, largest = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    line_err = std::max(line_err, std::fabs(b[i] - c[i]));
    largest = std::max(largest, std::fabs(a[i]));
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_LE(std::fabs(a[i] - b[i]), 2 * line_err) << "component " << i << ": closed " << a[i] << " lines " << b[i];
    worst = std::max(worst, std::fabs(a[i] - b[i]));
  }
  EXPECT_GT(largest, 100 * line_err);  // the tolerance is far below the size of the terms
  std::printf("erf/square: max |closed - lines(65536)| = %.2g, max |lines(65536) - lines(16384)| = %.2g\n", worst,
              line_err);
}

}  // namespace
