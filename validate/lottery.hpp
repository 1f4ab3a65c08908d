// Ensembles over initial conditions (sim.same_init = false): does the theory ensemble reproduce the lottery of
// its SGD twins? Time to threshold t* (first eps <= eps*) and success (eps <= eps* at the window's end), member
// by member and as distributions: the paired sign test on t*_sim - t*_theory, McNemar's exact test on success,
// and the two-sample Kolmogorov-Smirnov test on the t* distributions (never-reached members count as censored).
#pragma once
#include <string>
#include <vector>

#include "core/trajectory.hpp"
#include "validate/statistics.hpp"

namespace tilt {

struct LotteryTest {
  std::string column;
  double eps_star = 0, t_end = 0;
  std::size_t members = 0;
  std::vector<double> t_star_sim, t_star_theory;    // +inf when not reached by t_end
  std::size_t sim_earlier = 0, theory_earlier = 0;  // pairs where one escapes first (ties and both-never dropped)
  double median_shift = 0;  // median over pairs of t*_sim - t*_theory (pairs where both reach eps*)
  double sign_p = 1;
  std::size_t sim_success = 0, theory_success = 0, only_sim = 0, only_theory = 0;
  Interval sim_interval, theory_interval;  // Clopper-Pearson 95% intervals of the success probabilities
  double mcnemar_p = 1;
  KsTest ks;
  bool informative = false;  // some member reaches eps* (otherwise nothing here can reject)
  double alpha = 0;          // per test (three tests)
  bool rejected = false;
};

LotteryTest lottery_test(const std::vector<Trajectory>& sim, const std::vector<Trajectory>& theory,
                         const std::string& column, double eps_star, double t_end, double alpha_each);

}  // namespace tilt
