#include "validate/tracking.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "validate/statistics.hpp"

namespace tilt {
namespace {

double slope(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / double(x.size()), my += y[i] / double(x.size());
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
  return sxy / sxx;
}

}  // namespace

TrackingTest tracking_test(const std::vector<TrackingSample>& samples, const std::string& column, double t_from,
                           double t_to, double alpha, long long resamples, std::uint64_t seed) {
  if (samples.size() < 3) throw InputError("finite-size scaling needs at least three values of d");
  TrackingTest out;
  out.column = column;
  out.t_from = t_from;
  out.t_to = t_to;
  out.alpha = alpha;
  // Per d and member: the mean square of (sim - theory) over the window's times.
  std::vector<std::vector<double>> ms(samples.size());
  std::vector<double> log_d;
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const auto& sim = *samples[k].sim;
    const auto& theory = *samples[k].theory;
    const std::size_t j = sim[0].column(column), rows = sim[0].times.size(), S = sim.size();
    TrackingPoint p;
    p.d = samples[k].d;
    p.t = sim[0].times;
    p.by_time.assign(rows, 0.0);
    for (std::size_t m = 0; m < S; ++m) {
      double sum = 0;
      std::size_t n = 0;
      for (std::size_t i = 0; i < rows; ++i) {
        const double diff = sim[m].rows[i][j] - theory[m].rows[i][j];
        p.by_time[i] += diff * diff / double(S);
        const double t = sim[0].times[i];
        if (t <= 0 || t < t_from - 1e-12 || t > t_to + 1e-12) continue;
        sum += diff * diff, ++n;
      }
      if (n == 0)
        throw InputError("validate: the window of keys 'validate.t_from', 'validate.t_to' holds no output time");
      ms[k].push_back(sum / double(n));
    }
    for (double& v : p.by_time) v = std::sqrt(v);
    double mean = 0;
    for (double v : ms[k]) mean += v / double(S);
    p.discrepancy = std::sqrt(mean);
    log_d.push_back(std::log(double(p.d)));
    out.points.push_back(p);
  }
  std::vector<double> log_rms;
  for (const auto& p : out.points) log_rms.push_back(std::log(p.discrepancy));
  out.exponent = slope(log_d, log_rms);

  // Bootstrap over members, independently at each d.
  Rng rng(seed, Stream::Validation, 1);
  std::vector<double> slopes;
  std::vector<std::vector<double>> rms_boot(samples.size());
  for (long long b = 0; b < resamples; ++b) {
    std::vector<double> y;
    for (std::size_t k = 0; k < samples.size(); ++k) {
      const auto& v = ms[k];
      double mean = 0;
      for (std::size_t m = 0; m < v.size(); ++m) mean += v[std::size_t(rng.uniform() * double(v.size()))];
      mean /= double(v.size());
      rms_boot[k].push_back(std::sqrt(mean));
      y.push_back(0.5 * std::log(mean));
    }
    slopes.push_back(slope(log_d, y));
  }
  auto sd = [](const std::vector<double>& v) {
    double m = 0, s = 0;
    for (double x : v) m += x / double(v.size());
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / double(v.size() - 1));
  };
  out.exponent_se = sd(slopes);
  for (std::size_t k = 0; k < samples.size(); ++k) out.points[k].se = sd(rms_boot[k]);
  out.threshold = normal_quantile(1 - alpha);
  out.detectable = (out.threshold + normal_quantile(0.9)) * out.exponent_se;
  out.rejected = out.exponent - out.predicted > out.threshold * out.exponent_se;
  out.resolved = out.detectable <= 0.5;
  return out;
}

}  // namespace tilt
