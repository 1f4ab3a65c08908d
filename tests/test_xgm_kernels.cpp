// The xgm Gaussian expectations (models/xgm/core/xgm_gauss.hpp) against brute-force Monte Carlo, for every
// activation and loss, and the symmetry that makes r = 0 a fixed point.
#include <gtest/gtest.h>

#include <cmath>

#include "core/config.hpp"
#include "core/rng.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/core/xgm_gauss.hpp"

namespace {

using namespace tilt;

XgmParams params(const std::string& activation, const std::string& loss, int lines, int K = 4) {
  const Config c = Config::from_text("model = \"xgm\"\n",
                                     {"xgm.activation=" + activation, "xgm.loss=" + loss, "xgm.K=" + std::to_string(K),
                                      "xgm.sigma=0.3", "xgm.lines=" + std::to_string(lines)});
  return XgmParams::from_config(c);
}

// A generic state: r of order 1, a correlated Qp, read-out of both signs.
XgmOverlaps state(int K, int D, unsigned seed) {
  Rng rng(seed, Stream::Teacher);
  XgmOverlaps o;
  o.r.resize(K, D);
  for (int k = 0; k < K; ++k)
    for (int a = 0; a < D; ++a) o.r(k, a) = 0.6 * rng.normal();
  Eigen::MatrixXd X(K, 3 * K);
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < 3 * K; ++j) X(i, j) = rng.normal() / std::sqrt(3.0 * K);
  o.Qp = X * X.transpose() + 0.2 * Eigen::MatrixXd::Identity(K, K);
  o.v.resize(K);
  for (int k = 0; k < K; ++k) o.v(k) = rng.normal() + (k % 2 ? -0.5 : 0.5);
  return o;
}

std::vector<double> flat(const XgmMoments& m) {
  std::vector<double> x(m.dr.data(), m.dr.data() + m.dr.size());
  x.insert(x.end(), m.Gz.data(), m.Gz.data() + m.Gz.size());
  x.insert(x.end(), m.GG.data(), m.GG.data() + m.GG.size());
  x.insert(x.end(), m.eg.data(), m.eg.data() + m.eg.size());
  x.push_back(m.eps);
  x.push_back(m.loss);
  return x;
}

struct Case {
  std::string activation, loss;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.activation << "/" << c.loss; }

class XgmKernels : public ::testing::TestWithParam<Case> {};

// Every component (dr, Gz, GG, eg, eps, loss) within 5 combined standard errors: the Monte Carlo standard error
// and the quadrature's own error, estimated as the change from lines/4 to lines.
TEST_P(XgmKernels, AgreeWithMonteCarlo) {
  const auto [activation, loss] = GetParam();
  const XgmParams p = params(activation, loss, 2048), coarse = params(activation, loss, 512);
  const XgmOverlaps o = state(p.K, p.D, 11);
  const double delta = 0.7;
  XgmMoments fine_m, coarse_m, mc, se;
  ASSERT_TRUE(XgmGauss(p).expect(o, delta, XgmExpectations::RhsAndObservables, &fine_m));
  ASSERT_TRUE(XgmGauss(coarse).expect(o, delta, XgmExpectations::RhsAndObservables, &coarse_m));
  xgm_moments_mc(p, o, delta, 300000, 5, &mc, &se);
  const auto a = flat(fine_m), b = flat(coarse_m), m = flat(mc), s = flat(se);
  int checked = 0;
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double tol = 5 * std::hypot(s[i], a[i] - b[i]);
    EXPECT_LE(std::fabs(a[i] - m[i]), tol)
        << activation << "/" << loss << " component " << i << ": lines " << a[i] << " MC " << m[i] << " +- " << s[i];
    if (std::fabs(a[i] - m[i]) > 3 * s[i])
      std::printf("  note %s/%s component %zu: lines %.6g (coarse %.6g) MC %.6g +- %.2g\n", activation.c_str(),
                  loss.c_str(), i, a[i], b[i], m[i], s[i]);
    if (s[i] > 0) worst = std::max(worst, std::fabs(a[i] - m[i]) / s[i]);
    ++checked;
  }
  EXPECT_EQ(checked, 2 * 4 + 2 * 16 + 4 + 2);
  std::printf("[ %s/%s ] max |lines - MC| / se_MC = %.2f over %d components\n", activation.c_str(), loss.c_str(), worst,
              checked);
}

INSTANTIATE_TEST_SUITE_P(Xgm, XgmKernels,
                         ::testing::Values(Case{"relu", "square"}, Case{"relu", "logistic"}, Case{"erf", "square"},
                                           Case{"tanh", "square"}, Case{"quadratic", "square"},
                                           Case{"linear", "square"}, Case{"erf", "logistic"}),
                         [](const auto& info) { return info.param.activation + "_" + info.param.loss; });

// At r = 0 every cluster sees the same fields and the XOR labels cancel: dr = 0 exactly (docs/models.md section 3).
TEST(XgmKernelsSymmetry, RZeroIsAFixedPoint) {
  const XgmParams p = params("relu", "square", 256);
  XgmOverlaps o = state(p.K, p.D, 3);
  o.r.setZero();
  XgmMoments m;
  ASSERT_TRUE(XgmGauss(p).expect(o, 1.0, XgmExpectations::RhsAndObservables, &m));
  EXPECT_LE(m.dr.cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_GT(m.GG.cwiseAbs().maxCoeff(), 1e-3);  // the eta^2 term is not trivially zero there
}

// The line integrals are exact for the linear activation with square loss given the points' own moments, and
// the quadrature error falls as lines grow: the change from 1024 to 4096 lines is below that from 256 to 1024.
TEST(XgmKernelsConvergence, ErrorFallsWithLines) {
  const XgmOverlaps o = state(4, 2, 17);
  XgmMoments m256, m1024, m4096;
  ASSERT_TRUE(XgmGauss(params("relu", "square", 256)).expect(o, 0.7, XgmExpectations::RhsAndObservables, &m256));
  ASSERT_TRUE(XgmGauss(params("relu", "square", 1024)).expect(o, 0.7, XgmExpectations::RhsAndObservables, &m1024));
  ASSERT_TRUE(XgmGauss(params("relu", "square", 4096)).expect(o, 0.7, XgmExpectations::RhsAndObservables, &m4096));
  const auto a = flat(m256), b = flat(m1024), c = flat(m4096);
  double d1 = 0, d2 = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    d1 = std::max(d1, std::fabs(a[i] - b[i]));
    d2 = std::max(d2, std::fabs(b[i] - c[i]));
  }
  std::printf("max change 256->1024: %.3g, 1024->4096: %.3g\n", d1, d2);
  EXPECT_LT(d2, d1);
}

}  // namespace
