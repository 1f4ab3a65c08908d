// Model xgm bookkeeping: keys and their rejection, the cluster table, weights -> order parameters, the
// generic metrics (core/metrics.hpp) used for the lottery.
#include <gtest/gtest.h>

#include <cmath>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "models/xgm/core/xgm.hpp"

namespace {

using namespace tilt;

TEST(XgmModel, RejectsBadValuesClearly) {
  EXPECT_THROW(Config::from_text("model = \"xgm\"\n[xgm]\nactivation = \"sigmoid\"\n"), InputError);
  EXPECT_THROW(Config::from_text("model = \"xgm\"\n[xgm]\nK = 0\n"), InputError);
  EXPECT_THROW(Config::from_text("model = \"xgm\"\n[xgm]\nreadout_scale = \"2\"\n"), InputError);
  const char* bad_label = "model = \"xgm\"\n[xgm]\nclusters = [[1.0, 0.0, 2, 0.5], [-1.0, 0.0, -1, 0.5]]\n";
  EXPECT_THROW(XgmParams::from_config(Config::from_text(bad_label)), InputError);
  const char* bad_sum = "model = \"xgm\"\n[xgm]\nclusters = [[1.0, 0.0, 1, 0.5], [-1.0, 0.0, -1, 0.4]]\n";
  EXPECT_THROW(XgmParams::from_config(Config::from_text(bad_sum)), InputError);
  const char* bad_len = "model = \"xgm\"\n[xgm]\nclusters = [[1.0, 1, 1.0]]\n";
  EXPECT_THROW(XgmParams::from_config(Config::from_text(bad_len)), InputError);
  EXPECT_THROW(XgmParams::from_config(Config::from_text("model = \"xgm\"\n[xgm]\nD = 1\n")), InputError);
}

TEST(XgmModel, CustomClustersAndXorPreset) {
  const XgmParams p = XgmParams::from_config(
      Config::from_text("model = \"xgm\"\n[xgm]\nclusters = [[1.0, 0.5, 1, 0.7], [-1.0, 0.0, -1, 0.3]]\n"));
  ASSERT_EQ(p.clusters.size(), 2u);
  EXPECT_EQ(p.clusters[0].centre(1), 0.5);
  EXPECT_EQ(p.clusters[1].label, -1.0);
  const auto xor4 = xor_clusters(3, 2.0);
  ASSERT_EQ(xor4.size(), 4u);
  EXPECT_EQ(xor4[1].centre(0), -2.0);
  EXPECT_EQ(xor4[2].label, -1.0);
  EXPECT_EQ(p.cK, 0.5);  // 1/sqrt(K), K = 4
}

// The initial order parameters of d = 4000 weights: |r_k|^2 = O(1/d), Qp = I + O(d^-1/2) (5 sigma bounds).
TEST(XgmModel, SampledInitialOverlaps) {
  const XgmParams p = XgmParams::from_config(Config::from_text("model = \"xgm\"\n[sim]\nd = 4000\n"));
  const XgmOverlaps o = overlaps_of(p, sample_xgm_weights(p, 7));
  const double d = 4000;
  for (int k = 0; k < p.K; ++k) {
    EXPECT_NEAR(o.Qp(k, k), 1.0, 5 * std::sqrt(2 / d));
    for (int l = k + 1; l < p.K; ++l) EXPECT_NEAR(o.Qp(k, l), 0.0, 5 / std::sqrt(d));
    for (int a = 0; a < p.D; ++a) EXPECT_NEAR(o.r(k, a), 0.0, 5 / std::sqrt(d));
  }
  const auto y = xgm_state_of(o);
  const XgmOverlaps back = xgm_overlaps_of_state(p.K, p.D, y.data());
  EXPECT_EQ((back.Qp - o.Qp).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(xgm_state_names(p.K, p.D).size(), y.size());
}

TEST(XgmMetrics, TimeToThresholdAndQuantiles) {
  EXPECT_DOUBLE_EQ(time_to_threshold({0, 1, 2}, {0.5, 0.3, 0.1}, 0.2), 1.5);
  EXPECT_TRUE(std::isinf(time_to_threshold({0, 1, 2}, {0.5, 0.3, 0.25}, 0.2)));
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_TRUE(std::isinf(quantile({1, INFINITY, INFINITY}, 0.5)));
  Trajectory a, b;
  a.columns = b.columns = {"eps"};
  a.times = b.times = {0, 1, 2};
  a.rows = {{0.5}, {0.1}, {0.05}};
  b.rows = {{0.5}, {0.4}, {0.3}};
  const EnsembleMetrics m = ensemble_metrics({a, b}, "eps", 0.2);
  EXPECT_DOUBLE_EQ(m.success, 0.5);
  EXPECT_NEAR(m.t_star[0], 0.75, 1e-15);
  EXPECT_TRUE(std::isinf(m.t_star[1]));
  EXPECT_DOUBLE_EQ(m.success_se, 0.5);
}

}  // namespace
