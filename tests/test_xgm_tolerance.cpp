// The xgm theory's accuracy chosen from a tolerance (xgm.rhs_tol; models/xgm/theory/xgm_ode.hpp): at a state where
// the defaults miss the tolerance, the chosen line or node count meets it, measured against an independent
// reference of many more lines or nodes; the starting counts (what a choice with its estimate set to 0 would keep)
// do not.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/config.hpp"
#include "core/rng.hpp"
#include "models/xgm/core/xgm.hpp"
#include "models/xgm/core/xgm_gauss.hpp"
#include "models/xgm/theory/xgm_ode.hpp"
#include "xgm_stress_state.hpp"

namespace {

using namespace tilt;

XgmParams params(const std::string& activation, const std::string& loss, const std::vector<std::string>& extra) {
  std::vector<std::string> keys{"xgm.activation=" + activation, "xgm.loss=" + loss, "xgm.K=4", "xgm.sigma=0.3"};
  keys.insert(keys.end(), extra.begin(), extra.end());
  return XgmParams::from_config(Config::from_text("model = \"xgm\"\n", keys));
}

// The right-hand side with exactly these lines and nodes (one net, as the run uses it).
std::vector<double> rhs(XgmParams p, int lines, int nodes, const XgmOverlaps& o, double delta) {
  p.lines = lines;
  p.nodes = nodes;
  p.lines_auto = p.nodes_auto = false;
  const XgmOde ode(p);
  const std::vector<double> y = xgm_state_of(o);
  std::vector<double> dy(y.size());
  EXPECT_TRUE(ode.rhs(delta, 0, y.data(), dy.data()));
  return dy;
}

double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

// relu/square (only the eta^2 term on lines) at the stress state of tests/test_xgm_accuracy.cpp with read-out +-2,
// where 4096 lines put <G G> off by ~6e-4 (x eta^2 Delta = 6.3 at eta = 3, Delta = 0.7).
TEST(XgmRhsTolerance, ChosenLinesMeetTheTolerance) {
  const double tol = 4e-3, delta = 0.7;
  const XgmParams p = params("relu", "square", {"eta=3", "xgm.lines=0", "xgm.rhs_tol=" + std::to_string(tol)});
  ASSERT_TRUE(p.lines_auto);
  ASSERT_EQ(p.lines, 4096);
  const XgmOverlaps o = xgm_stress_state(1.2, 0.9, 2.0, 0.8, 7, false);
  const XgmRhsAccuracy a = XgmOde::choose(p, o, delta);
  EXPECT_EQ(a.nodes, 0);  // relu with the square loss: exact along the lines
  EXPECT_LE(a.line_err, tol);
  const std::vector<double> reference = rhs(p, 262144, 16, o, delta);
  const double chosen = max_diff(rhs(p, a.lines, 16, o, delta), reference);
  const double start = max_diff(rhs(p, p.lines, 16, o, delta), reference);
  std::printf("rhs_tol %.1g: chosen %d lines (estimate %.3g, %.2f s), actual error %.3g; at %d lines %.3g\n", tol,
              a.lines, a.line_err, a.selection_seconds, chosen, p.lines, start);
  EXPECT_GT(a.lines, p.lines);
  EXPECT_LE(chosen, tol);
  EXPECT_GT(start, tol);  // a choice whose estimate were 0 would keep these lines and miss the tolerance
}

// erf/logistic with a large read-out (tests/test_xgm_accuracy.cpp, XgmNodeAccuracy): 16 Gauss-Hermite nodes put
// the eta^2 term off by ~0.06; the chosen nodes bring the quadrature's error below rhs_tol / 4.
TEST(XgmRhsTolerance, ChosenNodesMeetTheTolerance) {
  const double tol = 0.1, delta = 1.0;
  const XgmParams p =
      params("erf", "logistic", {"eta=1", "xgm.lines=8192", "xgm.nodes=0", "xgm.rhs_tol=" + std::to_string(tol)});
  ASSERT_TRUE(p.nodes_auto);
  ASSERT_FALSE(p.lines_auto);
  const XgmOverlaps o = xgm_stress_state(2.5, 0.99, 20.0, 2.0, 3, true);
  const XgmRhsAccuracy a = XgmOde::choose(p, o, delta);
  EXPECT_LE(a.node_err, tol / 4);
  // The quadrature's actual error: the same lines with 128 nodes as the reference.
  const std::vector<double> reference = rhs(p, 8192, 128, o, delta);
  const double chosen = max_diff(rhs(p, 8192, a.nodes, o, delta), reference);
  const double start = max_diff(rhs(p, 8192, 16, o, delta), reference);
  std::printf("rhs_tol %.1g: chosen %d nodes (estimate %.3g, %.2f s), actual error %.3g; at 16 nodes %.3g\n", tol,
              a.nodes, a.node_err, a.selection_seconds, chosen, start);
  EXPECT_GT(a.nodes, 16);
  EXPECT_LE(chosen, tol / 4);
  EXPECT_GT(start, tol / 4);  // the default 16 nodes miss it
}

// A run with automatic accuracy records its choices, one per phase and difficulty, checked at the output times.
TEST(XgmRhsTolerance, RunRecordsItsChoices) {
  const XgmParams p = params("relu", "square", {"xgm.lines=0"});
  const XgmOde ode(p);
  const XgmOverlaps o = xgm_stress_state(0.5, 0.3, 1.0, 1.0, 5, false);
  std::vector<double> y = xgm_state_of(o), dy(y.size());
  ASSERT_TRUE(ode.rhs(0.5, 0, y.data(), dy.data()));
  ASSERT_TRUE(ode.rhs(0.5, 0, y.data(), dy.data()));
  ASSERT_TRUE(ode.rhs(1.0, 1, y.data(), dy.data()));
  (void)ode.observe(y.data());
  const auto acc = ode.accuracy();
  ASSERT_EQ(acc.size(), 2u);
  EXPECT_EQ(acc[0].phase, 0u);
  EXPECT_EQ(acc[1].phase, 1u);
  EXPECT_EQ(acc[0].checks, 0);
  EXPECT_EQ(acc[1].checks, 1);  // the output came in phase 1
  EXPECT_GE(acc[0].lines, 4096);
  EXPECT_NE(ode.accuracy_json().find("\"phases\""), std::string::npos);
}

// The observables' loss (a line average for erf with the logistic loss) chooses its nodes at every evaluation from
// xgm.observable_tol: at the stress state the default 16 nodes' estimated quadrature error exceeds tol/4 and the
// automatic choice takes more nodes; its loss then agrees with a 128-node evaluation within the tolerance, and
// the quadrature's estimate is part of loss_err.
TEST(XgmRhsTolerance, ObservableLossChoosesItsNodes) {
  const double tol = 1e-3, delta = 1.0;
  const std::vector<std::string> keys{"xgm.observable_lines=4096", "xgm.observable_tol=" + std::to_string(tol)};
  std::vector<std::string> automatic = keys, fixed16 = keys, fixed64 = keys;
  automatic.push_back("xgm.nodes=0");
  fixed16.push_back("xgm.nodes=16");
  fixed64.push_back("xgm.nodes=64");
  const XgmOverlaps o = xgm_stress_state(2.5, 0.99, 20.0, 2.0, 3, true);
  XgmMoments a, b, c;
  ASSERT_TRUE(XgmGauss(params("erf", "logistic", automatic), XgmExpectations::Observables)
                  .expect(o, delta, XgmExpectations::Observables, &a));
  ASSERT_TRUE(XgmGauss(params("erf", "logistic", fixed16), XgmExpectations::Observables)
                  .expect(o, delta, XgmExpectations::Observables, &b));
  ASSERT_TRUE(XgmGauss(params("erf", "logistic", fixed64), XgmExpectations::Observables)
                  .expect(o, delta, XgmExpectations::Observables, &c));
  std::printf(
      "loss: automatic %d nodes %.6f (quadrature estimate %.2g, loss_err %.2g); 16 nodes %.6f (%.2g); "
      "64 nodes %.6f\n",
      a.loss_nodes, a.loss, a.loss_node, a.loss_err, b.loss, b.loss_node, c.loss);
  EXPECT_EQ(b.loss_nodes, 16);
  EXPECT_GT(b.loss_node, tol / 4);
  EXPECT_GT(a.loss_nodes, 16);
  EXPECT_LE(a.loss_node, tol / 4 * std::max(1.0, a.loss));
  EXPECT_GE(a.loss_err, a.loss_node);
  // The same lines at 16 and 64 nodes differ by about the 16-node estimate; the automatic choice is closer.
  EXPECT_LT(std::fabs(a.loss - c.loss), std::fabs(b.loss - c.loss));
}

}  // namespace
