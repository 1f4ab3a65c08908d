#include "validate/bias.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/io.hpp"
#include "core/rng.hpp"
#include "validate/statistics.hpp"

namespace tilt {
namespace {

// The paired differences at the compared points, member-contiguous per point, with the sums the
// sign-flip null needs: sum of squares is invariant under flips, only sum_m s_m D_m changes.
struct Points {
  std::size_t S = 0;
  std::vector<double> d;      // d[p * S + m]
  std::vector<double> sumsq;  // per point
};

// The two statistics for one sign pattern (signs[m] = +-1).
void statistics(const Points& pts, const std::vector<double>& signs, double& max_abs_z, double& mean_z2) {
  const std::size_t S = pts.S, P = pts.sumsq.size();
  max_abs_z = 0;
  double sum_z2 = 0;
  for (std::size_t p = 0; p < P; ++p) {
    const double* d = &pts.d[p * S];
    double a = 0;
    for (std::size_t m = 0; m < S; ++m) a += signs[m] * d[m];
    const double mean = a / double(S);
    const double var = std::max(0.0, (pts.sumsq[p] - double(S) * mean * mean) / double(S - 1));
    const double z2 = var > 0 ? mean * mean / (var / double(S)) : (mean != 0 ? INFINITY : 0.0);
    sum_z2 += z2;
    max_abs_z = std::max(max_abs_z, std::sqrt(z2));
  }
  mean_z2 = P ? sum_z2 / double(P) : 0;
}

// How the null sample of sign patterns was drawn: all 2^(S-1) of them (it contains the observed pattern: exact
// p-values), or a random sample of them.
enum class NullSample { Exhaustive, Random };

// Threshold of a statistic at level `alpha` from its null sample, and the observed p-value.
void calibrate(std::vector<double> null, double observed, double alpha, NullSample sample, double& threshold,
               double& p) {
  const bool exhaustive = sample == NullSample::Exhaustive;
  const double n = double(null.size());
  std::size_t at_least = 0;
  for (double x : null) at_least += x >= observed;
  p = exhaustive ? double(at_least) / n : (1 + double(at_least)) / (n + 1);
  // Reject when at most K null values reach the statistic: the (K+1)-th largest null value is the threshold.
  // Exhaustive: p <= alpha <=> at most floor(alpha n) patterns (the observed one among them) reach it.
  const double k = exhaustive ? std::floor(alpha * n) : std::floor(alpha * (n + 1) - 1);
  if (k < (exhaustive ? 1 : 0)) {
    threshold = INFINITY;  // too few members for this false-alarm rate: the test cannot reject
    return;
  }
  const std::size_t K = std::size_t(k);
  std::nth_element(null.begin(), null.begin() + std::ptrdiff_t(K), null.end(), std::greater<double>());
  threshold = null[K];
}

// One column's summary over the window, appending its points (those with a spread) to `pts`.
ColumnBias column_bias(const std::vector<Trajectory>& sim, const std::vector<Trajectory>& theory,
                       const std::string& name, const BiasOptions& opt, Points& pts) {
  const std::size_t S = sim.size();
  const auto& times = sim[0].times;
  ColumnBias c;
  c.column = name;
  const std::size_t j = sim[0].column(name);
  double se2_sum = 0, z2_sum = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    const double t = times[i];
    if (t <= 0 || t < opt.t_from - 1e-12 || t > opt.t_to + 1e-12) continue;
    double sum = 0, sumsq = 0, sum_sim = 0, sum_theory = 0, theory_sq = 0;
    for (std::size_t m = 0; m < S; ++m) {
      const double diff = sim[m].rows[i][j] - theory[m].rows[i][j];
      sum += diff, sumsq += diff * diff;
      sum_sim += sim[m].rows[i][j], sum_theory += theory[m].rows[i][j];
      theory_sq += theory[m].rows[i][j] * theory[m].rows[i][j];
    }
    const double mean = sum / double(S), theory_mean = sum_theory / double(S);
    const double var = std::max(0.0, (sumsq - double(S) * mean * mean) / double(S - 1));
    const double se = std::sqrt(var / double(S));
    const double size = std::max(1.0, std::fabs(theory_mean));
    // The column's scale: its RMS over members (not |mean|, which vanishes for symmetric ensembles of inits).
    c.scale = std::max(c.scale, std::sqrt(theory_sq / double(S)));
    c.final_sim = sum_sim / double(S), c.final_theory = theory_mean, c.final_se = se;
    if (se <= 1e-13 * size) {
      // No spread (identical by construction at t = 0, or a deterministic column such as Q_i shrinking under
      // L2 at Delta = 0): nothing random to test. Its difference is judged against the tolerance directly
      // after the loop (an O(1/d) deterministic correction is not evidence against the d -> infinity theory).
      c.deterministic_gap = std::max(c.deterministic_gap, std::fabs(mean));
      continue;
    }
    const double z = se > 0 ? mean / se : INFINITY;
    ++c.points;
    se2_sum += se * se;
    z2_sum += z * z;
    if (std::fabs(z) > c.max_abs_z || c.points == 1) c.max_abs_z = std::fabs(z), c.t_at_max = t;
    for (std::size_t m = 0; m < S; ++m) pts.d.push_back(sim[m].rows[i][j] - theory[m].rows[i][j]);
    pts.sumsq.push_back(sumsq);
  }
  c.rms_z = c.points ? std::sqrt(z2_sum / double(c.points)) : 0;
  c.se_rms = c.points ? std::sqrt(se2_sum / double(c.points)) : 0;
  if (c.scale == 0) c.scale = 1;
  c.tolerance = opt.tolerance * c.scale;
  return c;
}

// The observed statistics, their null distribution over sign patterns of whole members, and the thresholds.
void sign_flip_calibration(const Points& pts, const BiasOptions& opt, BiasTest& out) {
  const std::size_t S = pts.S;
  std::vector<double> signs(S, 1.0);
  statistics(pts, signs, out.max_z, out.curve);
  std::vector<double> null_max, null_curve;
  const bool exhaustive = S - 1 < 40 && (1LL << (S - 1)) <= opt.resamples;
  const long long patterns = exhaustive ? (1LL << (S - 1)) : opt.resamples;
  Rng rng(opt.seed, Stream::Validation, 0);
  for (long long b = 0; b < patterns; ++b) {
    if (exhaustive) {
      for (std::size_t m = 1; m < S; ++m) signs[m] = (b >> (m - 1)) & 1 ? -1.0 : 1.0;  // member 0 fixed: |z| is even
    } else {
      std::uint64_t bits = 0;
      for (std::size_t m = 0; m < S; ++m) {
        if (m % 64 == 0) bits = rng.next();
        signs[m] = (bits >> (m % 64)) & 1 ? -1.0 : 1.0;
      }
    }
    double mx, cv;
    statistics(pts, signs, mx, cv);
    null_max.push_back(mx);
    null_curve.push_back(cv);
  }
  out.patterns = std::size_t(patterns);
  out.exhaustive = exhaustive;
  const NullSample sample = exhaustive ? NullSample::Exhaustive : NullSample::Random;
  calibrate(null_max, out.max_z, opt.alpha / 2, sample, out.max_threshold, out.max_p);
  calibrate(null_curve, out.curve, opt.alpha / 2, sample, out.curve_threshold, out.curve_p);
}

// Exact mismatches, each column's resolution, and the verdict.
void judge(BiasTest& out) {
  bool mismatch = false;
  out.resolved = true;
  const double z90 = normal_quantile(0.9);
  for (auto& c : out.columns) {
    c.exact_mismatch = c.deterministic_gap > c.tolerance;
    mismatch = mismatch || c.exact_mismatch;
    // A shift delta at a point with standard error se gives z ~ delta/se + N(0, 1): caught with probability 0.9
    // when delta/se >= threshold + z_0.9 (normal approximation to the studentized mean).
    c.detectable = std::isfinite(out.max_threshold) ? (out.max_threshold + z90) * c.se_rms : INFINITY;
    out.resolved = out.resolved && c.detectable <= c.tolerance;
  }
  out.rejected = mismatch || out.max_z > out.max_threshold || out.curve > out.curve_threshold;
}

}  // namespace

BiasTest bias_test(const std::vector<Trajectory>& sim, const std::vector<Trajectory>& theory, const BiasOptions& opt) {
  if (sim.empty() || sim.size() != theory.size()) throw RunError("validate: member counts differ");
  const std::size_t S = sim.size();
  if (S < 2) throw InputError("key 'sim.seeds' = 1: validation needs at least 2 members; allowed: sim.seeds >= 2");
  BiasTest out;
  out.t_from = opt.t_from;
  out.t_to = std::min(opt.t_to, sim[0].times.back());
  out.members = S;
  out.alpha = opt.alpha;
  Points pts;
  pts.S = S;
  for (const auto& name : opt.columns) {
    out.columns.push_back(column_bias(sim, theory, name, opt, pts));
    out.points += out.columns.back().points;
  }
  if (out.points == 0 &&
      std::all_of(out.columns.begin(), out.columns.end(), [](const ColumnBias& c) { return c.deterministic_gap == 0; }))
    throw InputError("validate: no output time with a spread in the window [" + format_number(opt.t_from) + ", " +
                     format_number(out.t_to) +
                     "] (keys 'validate.t_from', 'validate.t_to'); allowed: a window "
                     "holding output times after t = 0");
  sign_flip_calibration(pts, opt, out);
  judge(out);
  return out;
}

}  // namespace tilt
