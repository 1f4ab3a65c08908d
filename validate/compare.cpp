#include "validate/compare.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/config.hpp"
#include "core/error.hpp"
#include "sim/run.hpp"
#include "theory/run.hpp"

namespace tilt {

Agreement compare_members(const std::vector<Trajectory>& sim, const std::vector<Trajectory>& theory, double alpha) {
  if (sim.empty() || sim.size() != theory.size()) throw RunError("compare: member counts differ");
  const std::size_t S = sim.size(), rows = sim[0].rows.size(), cols = sim[0].columns.size();
  if (S < 2) throw InputError("key 'sim.seeds' = 1: validation needs a standard error; allowed: sim.seeds >= 2");
  Agreement out;
  out.alpha = alpha;
  out.dof = S - 1;
  for (std::size_t j = 0; j < cols; ++j) {
    ColumnAgreement c;
    c.column = sim[0].columns[j];
    double sum_z2 = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      double mean = 0, mean_sim = 0, mean_theory = 0;
      for (std::size_t m = 0; m < S; ++m) {
        mean += sim[m].rows[i][j] - theory[m].rows[i][j];
        mean_sim += sim[m].rows[i][j];
        mean_theory += theory[m].rows[i][j];
      }
      mean /= double(S);
      double var = 0;
      for (std::size_t m = 0; m < S; ++m) {
        const double d = sim[m].rows[i][j] - theory[m].rows[i][j] - mean;
        var += d * d;
      }
      const double se = std::sqrt(var / double(S - 1) / double(S));
      if (i + 1 == rows) {
        c.final_sim = mean_sim / double(S);
        c.final_theory = mean_theory / double(S);
        c.final_se = se;
      }
      const double scale = std::max(1.0, std::fabs(mean_theory / double(S)));
      if (se <= 1e-13 * scale) {
        if (std::fabs(mean) <= 1e-12 * scale) continue;  // identical by construction (t = 0)
      }
      const double zi = se > 0 ? mean / se : INFINITY;
      ++c.points;
      sum_z2 += zi * zi;
      if (std::fabs(zi) > c.max_abs_z || c.points == 1) {
        c.max_abs_z = std::fabs(zi);
        c.t_at_max = sim[0].times[i];
      }
    }
    c.rms_z = c.points ? std::sqrt(sum_z2 / double(c.points)) : 0;
    out.points += c.points;
    out.columns.push_back(c);
  }
  // z is a mean over S members divided by its estimated standard error: Student's t with S - 1 degrees of freedom.
  const boost::math::students_t student(double(S - 1));
  out.z_critical = out.points ? boost::math::quantile(student, 1 - alpha / (2 * double(out.points))) : 0;
  for (const auto& c : out.columns) out.consistent = out.consistent && c.max_abs_z <= out.z_critical;
  return out;
}

double Agreement::max_abs_z() const {
  double z = 0;
  for (const auto& c : columns) z = std::max(z, c.max_abs_z);
  return z;
}

std::string Agreement::table() const {
  std::string s;
  char line[256];
  std::snprintf(line, sizeof line, "%-10s %9s %8s %7s %14s %14s %11s\n", "column", "max|z|", "at t", "rms z",
                "sim(t_end)", "theory(t_end)", "se(t_end)");
  s += line;
  for (const auto& c : columns) {
    std::snprintf(line, sizeof line, "%-10s %9.3f %8.4g %7.3f %14.7g %14.7g %11.3g%s\n", c.column.c_str(), c.max_abs_z,
                  c.t_at_max, c.rms_z, c.final_sim, c.final_theory, c.final_se, c.max_abs_z > z_critical ? "  <-- FAIL" : "");
    s += line;
  }
  std::snprintf(line, sizeof line, "%s: max |z| %s %.3f, the Bonferroni bound (Student t, %zu dof) for alpha = %g over %zu points\n",
                consistent ? "CONSISTENT" : "INCONSISTENT", consistent ? "<=" : ">", z_critical, dof, alpha, points);
  s += line;
  return s;
}

ValidationRun validate_experiment(const Config& config) {
  ValidationRun run;
  const SimResult sim = run_sim(config);
  const long long S = config.integer("sim.seeds");
  const bool same_init = config.boolean("sim.same_init");
  // With one shared initial condition the theory is one ODE; otherwise member m is the twin of seed m.
  const TheoryResult theory = run_theory_members(config, same_init ? 1 : S);
  run.sim = sim.members;
  for (long long m = 0; m < S; ++m) run.theory.push_back(theory.members[same_init ? 0 : std::size_t(m)]);
  run.sim_summary = sim.ensemble;
  run.theory_summary = summarise(run.theory);
  run.agreement = compare_members(run.sim, run.theory, config.real("validate.alpha"));
  run.sim_seconds = sim.wall_seconds;
  run.theory_seconds = theory.wall_seconds;
  run.theory_steps = theory.stats.steps;
  run.theory_rejected = theory.stats.rejected;
  run.theory_evaluations = theory.stats.evaluations;
  return run;
}

Scaling finite_size_scaling(const Config& config, const std::string& column, const std::vector<long long>& dims,
                            const ValidationRun* at_config_d) {
  if (dims.size() < 3) throw InputError("finite-size scaling needs at least three values of d");
  Scaling out;
  out.column = column;
  for (long long d : dims) {
    const ValidationRun run = at_config_d && d == config.integer("sim.d")
                                  ? *at_config_d
                                  : validate_experiment(config.with({"sim.d=" + std::to_string(d)}));
    const std::size_t j = run.sim[0].column(column);
    // Per member: mean square deviation over output times; then RMS over members.
    const std::size_t rows = run.sim[0].rows.size(), members = run.sim.size();
    std::vector<double> ms, by_time(rows, 0.0), t(rows);
    for (std::size_t m = 0; m < members; ++m) {
      double sum = 0;
      for (std::size_t i = 0; i < rows; ++i) {
        const double diff = run.sim[m].rows[i][j] - run.theory[m].rows[i][j];
        sum += diff * diff;
        by_time[i] += diff * diff / double(members);
      }
      ms.push_back(sum / double(rows));
    }
    for (std::size_t i = 0; i < rows; ++i) {
      t[i] = run.sim[0].times[i];
      by_time[i] = std::sqrt(by_time[i]);
    }
    double mean = 0, var = 0;
    for (double x : ms) mean += x / double(ms.size());
    for (double x : ms) var += (x - mean) * (x - mean) / double(ms.size() - 1);
    const double rms = std::sqrt(mean);
    // Delta method: se(sqrt(m)) = se(m) / (2 sqrt(m)).
    out.points.push_back({d, rms, std::sqrt(var / double(ms.size())) / (2 * rms), run.agreement, t, by_time});
  }
  // Weighted least squares of log discrepancy on log d (weights from the relative errors).
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& p : out.points) {
    const double x = std::log(double(p.d)), y = std::log(p.discrepancy), rel = p.se / p.discrepancy;
    const double w = 1 / std::max(rel * rel, 1e-12);
    sw += w, sx += w * x, sy += w * y, sxx += w * x * x, sxy += w * x * y;
  }
  const double det = sw * sxx - sx * sx;
  out.exponent = (sw * sxy - sx * sy) / det;
  out.exponent_se = std::sqrt(sw / det);
  return out;
}

bool Scaling::consistent() const {
  for (const auto& p : points)
    if (!p.agreement.consistent) return false;
  return true;
}

std::string Scaling::table() const {
  std::string s;
  char line[200];
  std::snprintf(line, sizeof line, "%8s %16s %12s %9s %9s   (discrepancy: RMS of simulation - theory for %s)\n", "d",
                "discrepancy", "se", "max|z|", "bound", column.c_str());
  s += line;
  for (const auto& p : points) {
    std::snprintf(line, sizeof line, "%8lld %16.6g %12.3g %9.3f %9.3f%s\n", p.d, p.discrepancy, p.se,
                  p.agreement.max_abs_z(), p.agreement.z_critical, p.agreement.consistent ? "" : "  <-- INCONSISTENT");
    s += line;
  }
  std::snprintf(line, sizeof line, "fitted exponent: discrepancy ~ d^(%.3f +- %.3f); expected -0.5\n", exponent,
                exponent_se);
  s += line;
  return s;
}

}  // namespace tilt
