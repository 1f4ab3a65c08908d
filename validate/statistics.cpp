#include "validate/statistics.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

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

namespace {

// P(D >= observed) under the permutation null: the pooled sample's positions are split at random into na of
// sample a and nb of sample b (every split equally likely), and D is evaluated where the observed D is, at the ends
// of the pooled sample's tie blocks. A split is a lattice path (i of a, j of b after i + j positions); the
// probability of the paths that have not yet reached `gap` = max |i nb - j na| (integer arithmetic, so no rounding
// decides a tie) is carried forward, the next position being of a with probability (na - i) / (positions left),
// and what reaches it at a block end is added to p. Exact up to rounding for any tie pattern; O(N min(na, nb)).
double ks_exact_p(std::size_t na, std::size_t nb, const std::vector<bool>& block_end, long long gap) {
  const std::size_t N = na + nb;
  std::vector<double> alive(na + 1, 0.0), next(na + 1);
  alive[0] = 1;
  double p = 0;
  for (std::size_t n = 0; n < N; ++n) {  // n positions placed; place position n + 1
    std::fill(next.begin(), next.end(), 0.0);
    const double left = double(N - n);
    for (std::size_t i = n > nb ? n - nb : 0; i <= std::min(n, na); ++i) {
      if (alive[i] == 0) continue;
      const std::size_t j = n - i;
      if (i < na) next[i + 1] += alive[i] * double(na - i) / left;
      if (j < nb) next[i] += alive[i] * double(nb - j) / left;
    }
    if (block_end[n + 1])
      for (std::size_t i = 0; i <= na; ++i) {
        const long long j = (long long)(n + 1) - (long long)i;
        if (next[i] == 0 || j < 0 || j > (long long)nb) continue;
        if (std::llabs((long long)i * (long long)nb - j * (long long)na) >= gap) {
          p += next[i];
          next[i] = 0;
        }
      }
    alive.swap(next);
  }
  return std::min(1.0, p);
}

// The Kolmogorov limit with Stephens' correction, for samples too large to count (na nb > kKsExactLimit).
double ks_asymptotic_p(double na, double nb, double statistic) {
  const double ne = na * nb / (na + nb), sq = std::sqrt(ne);
  const double lambda = (sq + 0.12 + 0.11 / sq) * statistic;
  if (lambda < 0.2) return 1;  // p = 1 to double precision
  double p = 0, sign = 1;
  for (int k = 1; k <= 200; ++k) {
    const double term = sign * std::exp(-2.0 * k * k * lambda * lambda);
    p += term;
    if (std::fabs(term) < 1e-16) break;
    sign = -sign;
  }
  return std::clamp(2 * p, 0.0, 1.0);
}

constexpr double kKsExactLimit = 1e6;  // na nb up to which the p-value is counted exactly (1e6: about 2e6 flops)

}  // namespace

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
  const std::size_t na = a.size(), nb = b.size();
  // Walk the merged sample; ties move together, and D = max |i/na - j/nb| = gap / (na nb) at the block ends.
  std::vector<bool> block_end(na + nb + 1, false);
  long long gap = 0;
  std::size_t i = 0, j = 0;
  while (i < na || j < nb) {
    const double x = std::min(i < na ? a[i] : INFINITY, j < nb ? b[j] : INFINITY);
    while (i < na && a[i] == x) ++i;
    while (j < nb && b[j] == x) ++j;
    block_end[i + j] = true;
    gap = std::max(gap, std::llabs((long long)i * (long long)nb - (long long)j * (long long)na));
  }
  out.statistic = double(gap) / (double(na) * double(nb));
  out.p = double(na) * double(nb) <= kKsExactLimit ? ks_exact_p(na, nb, block_end, gap)
                                                   : ks_asymptotic_p(double(na), double(nb), out.statistic);
  return out;
}

double normal_quantile(double p) { return boost::math::quantile(boost::math::normal_distribution<double>(), p); }

}  // namespace tilt
