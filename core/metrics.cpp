#include "core/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/io.hpp"
#include "core/model.hpp"
#include "core/rng.hpp"

namespace tilt {

double time_to_threshold(const std::vector<double>& times, const std::vector<double>& eps, double eps_star) {
  for (std::size_t i = 0; i < eps.size(); ++i) {
    if (!(eps[i] <= eps_star)) continue;
    if (i == 0) return times[0];
    // eps crosses eps* between i-1 (above) and i (at or below).
    const double f = (eps[i - 1] - eps_star) / (eps[i - 1] - eps[i]);
    return times[i - 1] + f * (times[i] - times[i - 1]);
  }
  return std::numeric_limits<double>::infinity();
}

bool reached_threshold(const std::vector<double>& eps, double eps_star) {
  return !eps.empty() && eps.back() <= eps_star;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double h = (double(values.size()) - 1) * q;
  const std::size_t lo = std::size_t(std::floor(h)), hi = std::size_t(std::ceil(h));
  if (std::isinf(values[hi])) return values[hi];
  return values[lo] + (h - double(lo)) * (values[hi] - values[lo]);
}

std::vector<double> member_t_stars(const std::vector<Trajectory>& members, const std::string& column, double eps_star) {
  std::vector<double> out;
  for (const auto& tr : members) {
    const std::size_t j = tr.column(column);
    std::vector<double> eps;
    for (const auto& row : tr.rows) eps.push_back(row[j]);
    out.push_back(time_to_threshold(tr.times, eps, eps_star));
  }
  return out;
}

namespace {
double mean_of(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return s / double(x.size());
}
double se_of(const std::vector<double>& x) {
  if (x.size() < 2) return 0;
  const double m = mean_of(x);
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / double(x.size() - 1) / double(x.size()));
}
}  // namespace

EnsembleMetrics ensemble_metrics(const std::vector<Trajectory>& members, const std::string& column, double eps_star) {
  if (members.empty()) throw RunError("metrics: empty ensemble");
  EnsembleMetrics m;
  m.column = column;
  m.eps_star = eps_star;
  m.members = members.size();
  const std::size_t j = members[0].column(column);
  std::vector<double> finals, success, aligned, matching, align_mean;
  std::vector<std::size_t> align_cols, match_cols;
  for (std::size_t c = 0; c < members[0].columns.size(); ++c) {
    if (members[0].columns[c].rfind("align_", 0) == 0) align_cols.push_back(c);
    if (members[0].columns[c].rfind("match_", 0) == 0) match_cols.push_back(c);
  }
  m.has_units = !align_cols.empty() && align_cols.size() == match_cols.size();
  for (const auto& tr : members) {
    std::vector<double> eps;
    for (const auto& row : tr.rows) eps.push_back(row[j]);
    m.t_star.push_back(time_to_threshold(tr.times, eps, eps_star));
    finals.push_back(eps.back());
    success.push_back(reached_threshold(eps, eps_star) ? 1.0 : 0.0);
    if (m.has_units) {
      const auto& last = tr.rows.back();
      double a = 0, am = 0, sum = 0;
      for (std::size_t u = 0; u < align_cols.size(); ++u) {
        sum += last[align_cols[u]];
        if (last[align_cols[u]] >= 0.9) {
          a += 1;
          am += last[match_cols[u]];
        }
      }
      aligned.push_back(a);
      matching.push_back(am);
      align_mean.push_back(sum / double(align_cols.size()));
    }
  }
  const double S = double(members.size());
  m.success = mean_of(success);
  m.success_se = std::sqrt(m.success * (1 - m.success) / std::max(1.0, S - 1));
  m.eps_final = mean_of(finals);
  m.eps_final_se = se_of(finals);
  std::size_t reached = 0;
  for (double t : m.t_star) reached += std::isfinite(t) ? 1 : 0;
  m.t_star_reached = double(reached) / S;
  m.t_star_q10 = quantile(m.t_star, 0.10);
  m.t_star_q25 = quantile(m.t_star, 0.25);
  m.t_star_median = quantile(m.t_star, 0.5);
  m.t_star_q75 = quantile(m.t_star, 0.75);
  m.t_star_q90 = quantile(m.t_star, 0.90);
  std::vector<double> t_success;
  for (std::size_t i = 0; i < success.size(); ++i)
    if (success[i] > 0 && std::isfinite(m.t_star[i])) t_success.push_back(m.t_star[i]);
  m.successes = t_success.size();
  m.t_star_success_mean = t_success.empty() ? std::numeric_limits<double>::quiet_NaN() : mean_of(t_success);
  m.t_star_success_se = t_success.empty() ? std::numeric_limits<double>::quiet_NaN() : se_of(t_success);
  if (m.has_units) {
    m.units_aligned = mean_of(aligned);
    m.units_aligned_se = se_of(aligned);
    m.units_aligned_matching = mean_of(matching);
    m.units_aligned_matching_se = se_of(matching);
    m.mean_alignment = mean_of(align_mean);
  }
  return m;
}

nlohmann::json to_json(const EnsembleMetrics& m) {
  nlohmann::json t_star = nlohmann::json::array();
  for (double t : m.t_star) t_star.push_back(json_number(t));
  nlohmann::json j = {{"column", m.column},
                      {"eps_star", m.eps_star},
                      {"members", m.members},
                      {"success_probability", m.success},
                      {"success_se", m.success_se},
                      {"eps_final_mean", m.eps_final},
                      {"eps_final_se", m.eps_final_se},
                      {"t_star_reached_fraction", m.t_star_reached},
                      {"t_star_quantiles",
                       {{"q10", json_number(m.t_star_q10)},
                        {"q25", json_number(m.t_star_q25)},
                        {"median", json_number(m.t_star_median)},
                        {"q75", json_number(m.t_star_q75)},
                        {"q90", json_number(m.t_star_q90)}}},
                      {"t_star", t_star}};
  if (m.has_units)
    j["units"] = {{"aligned_ge_0.9", m.units_aligned},
                  {"aligned_se", m.units_aligned_se},
                  {"aligned_and_matching", m.units_aligned_matching},
                  {"aligned_and_matching_se", m.units_aligned_matching_se},
                  {"mean_alignment", m.mean_alignment}};
  return j;
}

namespace {
std::vector<double> final_values(const std::vector<Trajectory>& members, const std::string& column) {
  std::vector<double> out;
  for (const auto& tr : members) out.push_back(tr.rows.back()[tr.column(column)]);
  return out;
}
}  // namespace

Gain curriculum_gain(const std::vector<Trajectory>& reference, const std::vector<Trajectory>& members,
                     const std::string& column, double eps_star) {
  if (reference.empty() || members.empty()) throw RunError("gain: empty ensemble");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Gain g;
  const std::vector<double> fr = final_values(reference, column), fm = final_values(members, column);
  const bool paired = fr.size() == fm.size();
  g.gap = mean_of(fr) - mean_of(fm);
  if (paired) {
    std::vector<double> diff;
    for (std::size_t i = 0; i < fr.size(); ++i) diff.push_back(fr[i] - fm[i]);
    g.gap_se = se_of(diff);
  } else {
    g.gap_se = std::sqrt(se_of(fr) * se_of(fr) + se_of(fm) * se_of(fm));
  }
  const std::vector<double> tr = member_t_stars(reference, column, eps_star),
                            tm = member_t_stars(members, column, eps_star);
  const double mr = quantile(tr, 0.5), mm = quantile(tm, 0.5);
  if (!std::isfinite(mr) || !std::isfinite(mm) || !(mm > 0)) {
    g.speedup = g.speedup_se = nan;
    return g;
  }
  g.speedup = mr / mm;
  // Bootstrap of the ratio of medians, members resampled (in pairs when paired) from a fixed stream, so the
  // error is a deterministic function of the two ensembles. A resample with an infinite median leaves it NaN.
  if (tr.size() < 2 && tm.size() < 2) return g;
  Rng rng(0x5eedULL, Stream::Sweep);
  const int B = 200;
  double s = 0, s2 = 0;
  std::vector<double> a(tr.size()), b(tm.size());
  for (int k = 0; k < B; ++k) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      const std::size_t j = std::size_t(rng.uniform() * double(tm.size()));
      b[i] = tm[j];
      if (paired) a[i] = tr[j];
    }
    if (!paired)
      for (auto& x : a) x = tr[std::size_t(rng.uniform() * double(tr.size()))];
    const double r = quantile(a, 0.5) / quantile(b, 0.5);
    if (!std::isfinite(r)) {
      g.speedup_se = nan;
      return g;
    }
    s += r;
    s2 += r * r;
  }
  g.speedup_se = std::sqrt(std::max(0.0, (s2 - s * s / B) / (B - 1)));
  return g;
}

double sgd_step_multiply_adds(const ResolvedExperiment& experiment) {
  const ModelDescriptor& model = *experiment.model;
  if (!model.sgd_step_multiply_adds)
    throw InputError("key 'model' = \"" + model.name +
                     "\": the model states no SGD step cost (its descriptor has no "
                     "sgd_step_multiply_adds); allowed: a model that does");
  return model.sgd_step_multiply_adds(experiment);
}

namespace {

// sum_i min(t*_i, t_max) / #successes over the members listed in idx (all when idx is empty); +inf without success.
double renewal_samples(const std::vector<double>& t_star, double t_max, const std::vector<std::size_t>* idx) {
  double trained = 0;
  std::size_t successes = 0;
  const std::size_t n = idx ? idx->size() : t_star.size();
  for (std::size_t k = 0; k < n; ++k) {
    const double t = t_star[idx ? (*idx)[k] : k];
    if (t <= t_max) {
      trained += t;
      ++successes;
    } else {
      trained += t_max;
    }
  }
  return successes ? trained / double(successes) : std::numeric_limits<double>::infinity();
}

void resample(Rng& rng, std::size_t n, std::vector<std::size_t>& idx) {
  idx.resize(n);
  for (auto& i : idx) i = std::size_t(rng.uniform() * double(n));
}

}  // namespace

SolutionCost solution_cost(const std::vector<double>& t_star, double t_max) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SolutionCost c;
  c.members = t_star.size();
  for (double t : t_star) c.successes += t <= t_max ? 1 : 0;
  c.reached = c.successes > 0;
  if (!c.reached) {
    c.samples = c.samples_lo = c.samples_hi = nan;
    return c;
  }
  c.samples = renewal_samples(t_star, t_max, nullptr);
  Rng rng(0xc057ULL, Stream::Sweep);
  std::vector<double> boot(kBootstrapResamples);
  std::vector<std::size_t> idx;
  for (auto& b : boot) {
    resample(rng, t_star.size(), idx);
    b = renewal_samples(t_star, t_max, &idx);
  }
  c.samples_lo = quantile(boot, 0.025);
  c.samples_hi = quantile(boot, 0.975);
  return c;
}

CostRatio solution_cost_ratio(const CostSide& reference, const CostSide& other, Resampling resampling) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double>&a = *reference.t_star, &b = *other.t_star;
  if (resampling == Resampling::Paired && a.size() != b.size())
    throw RunError("cost ratio: paired ensembles of different sizes");
  auto ratio = [&](const std::vector<std::size_t>* ia, const std::vector<std::size_t>* ib) {
    const double ca = renewal_samples(a, reference.t_max, ia) * reference.per_sample;
    const double cb = renewal_samples(b, other.t_max, ib) * other.per_sample;
    if (std::isinf(ca) && std::isinf(cb)) return nan;
    return ca / cb;  // inf / finite = inf, finite / inf = 0
  };
  CostRatio r;
  r.ratio = ratio(nullptr, nullptr);
  if (!std::isfinite(r.ratio) || !(r.ratio > 0)) {
    r.ratio = r.lo = r.hi = nan;
    return r;
  }
  Rng rng(0xc058ULL, Stream::Sweep);
  std::vector<double> boot;
  std::vector<std::size_t> ia, ib;
  std::size_t undefined = 0;
  for (int k = 0; k < kBootstrapResamples; ++k) {
    resample(rng, a.size(), ia);
    if (resampling == Resampling::Paired)
      ib = ia;
    else
      resample(rng, b.size(), ib);
    const double x = ratio(&ia, &ib);
    if (std::isnan(x))
      ++undefined;
    else
      boot.push_back(x);
  }
  if (double(undefined) > 0.05 * kBootstrapResamples) {
    r.lo = r.hi = nan;
    return r;
  }
  r.lo = quantile(boot, 0.025);
  r.hi = quantile(boot, 0.975);
  return r;
}

}  // namespace tilt
