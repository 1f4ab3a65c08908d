#include "validate/lottery.hpp"

#include <algorithm>
#include <cmath>

#include "core/metrics.hpp"

namespace tilt {
namespace {

// t* within [0, t_end] and success at t_end, from the rows up to t_end.
void threshold_of(const Trajectory& tr, std::size_t j, double eps_star, double t_end, double& t_star, bool& success) {
  std::vector<double> times, eps;
  for (std::size_t i = 0; i < tr.times.size() && tr.times[i] <= t_end + 1e-12; ++i) {
    times.push_back(tr.times[i]);
    eps.push_back(tr.rows[i][j]);
  }
  t_star = time_to_threshold(times, eps, eps_star);
  success = reached_threshold(eps, eps_star);
}

}  // namespace

LotteryTest lottery_test(const std::vector<Trajectory>& sim, const std::vector<Trajectory>& theory,
                         const std::string& column, double eps_star, double t_end, double alpha_each) {
  LotteryTest out;
  out.column = column;
  out.eps_star = eps_star;
  out.t_end = t_end;
  out.members = sim.size();
  out.alpha = alpha_each;
  const std::size_t j = sim[0].column(column);
  std::vector<double> shifts;
  for (std::size_t m = 0; m < sim.size(); ++m) {
    double ts, tt;
    bool ss, st;
    threshold_of(sim[m], j, eps_star, t_end, ts, ss);
    threshold_of(theory[m], j, eps_star, t_end, tt, st);
    out.t_star_sim.push_back(ts);
    out.t_star_theory.push_back(tt);
    if (ts < tt) ++out.sim_earlier;
    if (tt < ts) ++out.theory_earlier;
    if (std::isfinite(ts) && std::isfinite(tt)) shifts.push_back(ts - tt);
    out.sim_success += ss, out.theory_success += st;
    out.only_sim += ss && !st, out.only_theory += st && !ss;
  }
  out.informative =
      out.sim_earlier + out.theory_earlier > 0 || out.sim_success + out.theory_success > 0 || !shifts.empty();
  if (!shifts.empty()) out.median_shift = quantile(shifts, 0.5);
  out.sign_p = sign_test_p(out.sim_earlier, out.sim_earlier + out.theory_earlier);
  out.mcnemar_p = sign_test_p(out.only_sim, out.only_sim + out.only_theory);
  out.sim_interval = clopper_pearson(out.sim_success, out.members, 0.95);
  out.theory_interval = clopper_pearson(out.theory_success, out.members, 0.95);
  out.ks = ks_two_sample(out.t_star_sim, out.t_star_theory);
  out.rejected = out.sign_p <= alpha_each || out.mcnemar_p <= alpha_each || out.ks.p <= alpha_each;
  return out;
}

}  // namespace tilt
