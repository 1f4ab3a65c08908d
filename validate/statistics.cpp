#include "validate/statistics.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>

namespace tilt {

double sign_test_p(std::size_t k, std::size_t n) {
  if (n == 0) return 1.0;
  const boost::math::binomial_distribution<double> b(double(n), 0.5);
  const double tail = boost::math::cdf(b, double(std::min(k, n - k)));
  return std::min(1.0, 2 * tail);
}

Interval clopper_pearson(std::size_t k, std::size_t n, double level) {
  Interval out;
  if (n == 0) return out;
  const double a = (1 - level) / 2;
  if (k > 0) out.lo = boost::math::quantile(boost::math::beta_distribution<double>(double(k), double(n - k + 1)), a);
  if (k < n)
    out.hi = boost::math::quantile(boost::math::beta_distribution<double>(double(k + 1), double(n - k)), 1 - a);
  return out;
}

KsTest ks_two_sample(std::vector<double> a, std::vector<double> b) {
  KsTest out;
  if (a.empty() || b.empty()) return out;
  // Censored members (+infinity: never reached) become one common value past every finite time.
  double big = 0;
  for (const auto* v : {&a, &b})
    for (double x : *v)
      if (std::isfinite(x)) big = std::max(big, std::fabs(x));
  for (auto* v : {&a, &b})
    for (double& x : *v)
      if (!std::isfinite(x)) x = 2 * big + 1;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const double na = double(a.size()), nb = double(b.size());
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {  // walk the merged sample; ties move together
    const double x = std::min(i < a.size() ? a[i] : INFINITY, j < b.size() ? b[j] : INFINITY);
    while (i < a.size() && a[i] == x) ++i;
    while (j < b.size() && b[j] == x) ++j;
    out.statistic = std::max(out.statistic, std::fabs(double(i) / na - double(j) / nb));
  }
  const double ne = na * nb / (na + nb), sq = std::sqrt(ne);
  const double lambda = (sq + 0.12 + 0.11 / sq) * out.statistic;
  if (lambda < 0.2) return out;  // p = 1 to double precision
  double p = 0, sign = 1;
  for (int k = 1; k <= 200; ++k) {
    const double term = sign * std::exp(-2.0 * k * k * lambda * lambda);
    p += term;
    if (std::fabs(term) < 1e-16) break;
    sign = -sign;
  }
  out.p = std::clamp(2 * p, 0.0, 1.0);
  return out;
}

double normal_quantile(double p) { return boost::math::quantile(boost::math::normal_distribution<double>(), p); }

}  // namespace tilt
