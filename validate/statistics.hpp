// Small, exact statistics used by the validation verdicts: binomial tails (sign and McNemar tests),
// Clopper-Pearson intervals, the two-sample Kolmogorov-Smirnov test, normal quantiles.
#pragma once
#include <cstddef>
#include <vector>

namespace tilt {

// Two-sided exact binomial test of p = 1/2: k successes in n trials. Returns 1 for n = 0.
double sign_test_p(std::size_t k, std::size_t n);

// Clopper-Pearson (exact) confidence interval at level `level` for k successes in n trials.
struct Interval {
  double lo = 0, hi = 1;
};
Interval clopper_pearson(std::size_t k, std::size_t n, double level);

// Two-sample Kolmogorov-Smirnov test. Values may be +infinity (a censored time: never reached), which sorts
// last in both samples and ties there. The p-value is exact, P(D >= observed) over all equally likely splits of the
// pooled sample given its ties (the permutation null; without ties R's ks.test(exact = TRUE)), for na nb <= 10^6,
// and the Kolmogorov limit with Stephens' correction beyond.
struct KsTest {
  double statistic = 0;  // sup |F_a - F_b|
  double p = 1;
};
KsTest ks_two_sample(std::vector<double> a, std::vector<double> b);

double normal_quantile(double p);  // inverse standard normal CDF

}  // namespace tilt
