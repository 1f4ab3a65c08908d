#include "validate/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <sstream>

#include "core/error.hpp"
#include "core/io.hpp"
#include "core/model.hpp"
#include "sim/run.hpp"
#include "theory/run.hpp"

namespace tilt {
namespace {

std::string fmt(const char* format, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, x);
  return buf;
}
std::string num(double x) { return std::isfinite(x) ? fmt("%.3g", x) : std::string(x > 0 ? "inf" : "-inf"); }

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Consistent:
      return "CONSISTENT";
    case Verdict::Inconsistent:
      return "INCONSISTENT";
    case Verdict::Inconclusive:
      return "INCONCLUSIVE";
  }
  return "?";
}

int verdict_exit_code(Verdict v) { return v == Verdict::Consistent ? 0 : v == Verdict::Inconsistent ? 1 : 3; }

std::vector<std::string> default_validation_columns(const std::string& model) {
  return model_descriptor(model).validation_columns;  // pre-registered in the model's descriptor
}

ValidationOptions validation_options(const ResolvedExperiment& experiment, const std::vector<std::string>& columns,
                                     Tracking tracking) {
  ValidationOptions o;
  const ValidateSettings& v = experiment.validate;
  const std::string& chosen = v.columns;
  std::vector<std::string> names;
  if (chosen == "auto") {
    for (const auto& c : experiment.model->validation_columns)
      if (std::find(columns.begin(), columns.end(), c) != columns.end()) names.push_back(c);
  } else if (chosen == "all") {
    names = columns;
  } else {
    names = split_list(chosen);
    for (const auto& c : names)
      if (std::find(columns.begin(), columns.end(), c) == columns.end()) {
        std::string allowed;
        for (const auto& a : columns) allowed += (allowed.empty() ? "" : ", ") + a;
        throw InputError("key 'validate.columns' = \"" + chosen + "\": no column '" + c +
                         "'; allowed: auto, all, or a comma-separated list of " + allowed);
      }
  }
  if (names.empty()) throw InputError("key 'validate.columns' = \"" + chosen + "\": no column to compare");
  o.bias.columns = names;
  o.bias.t_from = v.t_from;
  const double t_to = v.t_to;
  o.bias.t_to = t_to < 0 ? experiment.t_max : t_to;
  if (o.bias.t_to <= o.bias.t_from)
    throw InputError("keys 'validate.t_from' = " + format_number(o.bias.t_from) + ", 'validate.t_to' = " +
                     format_number(t_to) + ": empty window; allowed: t_from < t_to (t_to = -1 means t_max)");
  o.bias.tolerance = v.tolerance;
  o.bias.resamples = v.resamples;
  o.bias.seed = std::uint64_t(experiment.seed);
  o.lottery = !experiment.sim.same_init;
  o.eps_star = experiment.eps_star;
  o.alpha = v.alpha;
  o.components = 1 + (o.lottery ? 1 : 0) + (tracking == Tracking::Tested ? 1 : 0);
  o.bias.alpha = o.alpha / o.components;
  return o;
}

Agreement compare_members(const std::vector<Trajectory>& sim, const std::vector<Trajectory>& theory,
                          const ValidationOptions& options) {
  Agreement a;
  a.bias = bias_test(sim, theory, options.bias);
  if (options.lottery) {
    a.has_lottery = true;
    a.lottery = lottery_test(sim, theory, options.eps_column, options.eps_star, a.bias.t_to,
                             options.alpha / options.components / 3);
  }
  a.verdict = overall_verdict(a, nullptr);
  a.consistent = a.verdict == Verdict::Consistent;
  return a;
}

Verdict overall_verdict(const Agreement& a, const TrackingTest* tracking) {
  if (a.bias.rejected || (a.has_lottery && a.lottery.rejected) || (tracking && tracking->rejected))
    return Verdict::Inconsistent;
  if (!a.bias.resolved || (tracking && !tracking->resolved)) return Verdict::Inconclusive;
  return Verdict::Consistent;
}

std::string Agreement::table() const {
  std::string s;
  char line[320];
  std::snprintf(line, sizeof line,
                "(a) bias of the ensemble mean, t in [%s, %s]: %zu members, %zu points, %zu sign patterns (%s)\n",
                format_number(bias.t_from).c_str(), format_number(bias.t_to).c_str(), bias.members, bias.points,
                bias.patterns, bias.exhaustive ? "all: exact" : "random");
  s += line;
  std::snprintf(line, sizeof line, "  %-10s %8s %8s %7s %13s %13s %10s %11s %10s\n", "column", "max|z|", "at t",
                "rms z", "sim(t_end)", "theory(t_end)", "se(t_end)", "detectable", "tolerance");
  s += line;
  for (const auto& c : bias.columns) {
    std::snprintf(line, sizeof line, "  %-10s %8.3f %8.4g %7.3f %13.7g %13.7g %10.3g %11s %10.3g%s\n", c.column.c_str(),
                  c.max_abs_z, c.t_at_max, c.rms_z, c.final_sim, c.final_theory, c.final_se, num(c.detectable).c_str(),
                  c.tolerance,
                  c.exact_mismatch ? "  <-- differs beyond tolerance with no spread"
                                   : (c.detectable > c.tolerance ? "  <-- not resolved" : ""));
    s += line;
  }
  s += "  worst point: max|z| " + fmt("%.3f", bias.max_z) + (bias.max_z > bias.max_threshold ? " > " : " <= ") +
       num(bias.max_threshold) + " (p = " + num(bias.max_p) + ");  whole curve: mean z^2 " + fmt("%.3f", bias.curve) +
       (bias.curve > bias.curve_threshold ? " > " : " <= ") + num(bias.curve_threshold) + " (p = " + num(bias.curve_p) +
       ");  alpha " + num(bias.alpha / 2) + " each\n";
  if (has_lottery) {
    const auto& l = lottery;
    s += "(c) lottery over initial conditions, t* = first " + l.column + " <= " + num(l.eps_star) +
         " by t = " + format_number(l.t_end) + ", " + std::to_string(l.members) + " pairs:\n";
    s += lottery_lines(l);
  }
  return s;
}

std::string lottery_lines(const LotteryTest& l) {
  std::string s;
  {
    s += "  success: sim " + std::to_string(l.sim_success) + " [" + fmt("%.2f", l.sim_interval.lo) + ", " +
         fmt("%.2f", l.sim_interval.hi) + "], theory " + std::to_string(l.theory_success) + " [" +
         fmt("%.2f", l.theory_interval.lo) + ", " + fmt("%.2f", l.theory_interval.hi) +
         "] (95% Clopper-Pearson); McNemar p = " + num(l.mcnemar_p) + " (" + std::to_string(l.only_sim) +
         " only sim, " + std::to_string(l.only_theory) + " only theory)\n";
    s += "  escape order: sim first in " + std::to_string(l.sim_earlier) + ", theory first in " +
         std::to_string(l.theory_earlier) + " pairs, sign test p = " + num(l.sign_p) +
         "; median t*_sim - t*_theory = " + num(l.median_shift) + ";  KS D = " + fmt("%.3f", l.ks.statistic) +
         ", p = " + num(l.ks.p) + ";  alpha " + num(l.alpha) + " each" +
         (l.informative ? "" : "  (no member reaches eps*: uninformative)") + "\n";
  }
  return s;
}

std::string verdict_line(const Agreement& a, const TrackingTest* tracking) {
  const Verdict v = overall_verdict(a, tracking);
  std::string s = std::string(verdict_name(v)) + " (exit " + std::to_string(verdict_exit_code(v)) + "): ";
  std::string reasons;
  auto add = [&](const std::string& r) { reasons += (reasons.empty() ? "" : "; ") + r; };
  if (a.bias.rejected) add("the ensemble mean is biased");
  if (a.has_lottery && a.lottery.rejected) add("the lottery differs (escape order, success or t* distribution)");
  if (tracking && tracking->rejected)
    add("member-wise discrepancy falls like d^" + fmt("%.2f", tracking->exponent) + ", not d^-0.5");
  if (!a.bias.rejected && !a.bias.resolved) {
    std::string cols;
    for (const auto& c : a.bias.columns)
      if (c.detectable > c.tolerance)
        cols += (cols.empty() ? "" : ", ") + c.column + " " + num(c.detectable) + " > " + num(c.tolerance);
    add("too little resolution to show agreement (detectable shift vs tolerance: " + cols + ")");
  }
  if (tracking && !tracking->rejected && !tracking->resolved)
    add("the exponent's error " + num(tracking->exponent_se) + " cannot tell d^-0.5 from no convergence");
  if (reasons.empty()) reasons = "no test rejects and each resolves its tolerance";
  s += reasons + "\n  tested: (a) bias of the mean, t in [" + format_number(a.bias.t_from) + ", " +
       format_number(a.bias.t_to) + "]: max|z| " + fmt("%.2f", a.bias.max_z) + " vs " + num(a.bias.max_threshold) +
       ", mean z^2 " + fmt("%.2f", a.bias.curve) + " vs " + num(a.bias.curve_threshold) + "; catches with 90% " +
       "probability a shift of";
  for (std::size_t i = 0; i < a.bias.columns.size(); ++i)
    s += std::string(i ? "," : "") + " " + num(a.bias.columns[i].detectable) + " in " + a.bias.columns[i].column;
  s += tracking ? "\n  (b) member-wise tracking of " + tracking->column + ": exponent " +
                      fmt("%.3f", tracking->exponent) + " +- " + fmt("%.3f", tracking->exponent_se) +
                      " vs -0.5 (reject above " + fmt("%.3f", -0.5 + tracking->threshold * tracking->exponent_se) +
                      "; catches an excess of " + num(tracking->detectable) + " with 90% probability)"
                : std::string("\n  (b) member-wise tracking: not tested (give --scaling d1,d2,d3)");
  s += a.has_lottery
           ? "\n  (c) lottery: sign p = " + num(a.lottery.sign_p) + ", McNemar p = " + num(a.lottery.mcnemar_p) +
                 ", KS p = " + num(a.lottery.ks.p) + " vs alpha " + num(a.lottery.alpha)
           : std::string("\n  (c) lottery: not tested (one shared initial condition)");
  return s + "\n";
}

ValidationRun validate_experiment(const ResolvedExperiment& experiment, Tracking tracking) {
  ValidationRun run;
  const bool stochastic = experiment.theory.noise == TheoryNoise::Sde;
  const bool same_init = experiment.sim.same_init;
  if (stochastic && same_init)
    throw InputError(
        "key 'sim.same_init' = true with theory.noise = \"sde\": the stochastic theory's members "
        "start from seed, seed+1, ...; allowed: sim.same_init = false");
  const SimResult sim = run_sim(experiment);
  const long long S = experiment.sim.seeds;
  // With one shared initial condition the theory is one ODE; otherwise member m is the twin of seed m.
  const TheoryResult theory = run_theory_members(experiment, same_init ? 1 : S);
  run.sim = sim.members;
  for (long long m = 0; m < S; ++m) run.theory.push_back(theory.members[same_init ? 0 : std::size_t(m)]);
  run.sim_summary = sim.ensemble;
  run.theory_summary = summarise(run.theory);
  run.options = validation_options(experiment, run.sim[0].columns, tracking);
  run.agreement = compare_members(run.sim, run.theory, run.options);
  run.sim_seconds = sim.wall_seconds;
  run.theory_seconds = theory.wall_seconds;
  run.theory_steps = theory.stats.steps;
  run.theory_rejected = theory.stats.rejected;
  run.theory_evaluations = theory.stats.evaluations;
  run.stochastic = stochastic;
  if (run.stochastic) {
    ResolvedExperiment deterministic = experiment;
    deterministic.theory.noise = TheoryNoise::None;
    const TheoryResult ode = run_theory_members(deterministic, S);
    run.ode = ode.members;
    run.ode_lottery = lottery_test(run.sim, run.ode, run.options.eps_column, run.options.eps_star,
                                   run.agreement.bias.t_to, run.agreement.lottery.alpha);
    run.ode_seconds = ode.wall_seconds;
  }
  return run;
}

Scaling finite_size_scaling(const ResolvedExperiment& experiment, const std::vector<ResolvedExperiment>& at_dims,
                            const std::string& column, const ValidationRun* at_config_d) {
  if (at_dims.size() < 3) throw InputError("finite-size scaling needs at least three values of d");
  Scaling out;
  std::vector<long long> dims;
  for (const auto& e : at_dims) dims.push_back(e.sim.d);
  out.dims = dims;
  // The run at the config's own d is used in place, not copied; the others are owned here (a deque keeps the
  // addresses of its elements as it grows).
  std::deque<ValidationRun> owned;
  std::vector<const ValidationRun*> runs;
  for (const auto& at_d : at_dims) {
    if (at_config_d && at_d.sim.d == experiment.sim.d) {
      runs.push_back(at_config_d);
    } else {
      owned.push_back(validate_experiment(at_d, Tracking::Tested));
      runs.push_back(&owned.back());
    }
  }
  std::vector<TrackingSample> samples;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    out.at_d.push_back(runs[k]->agreement);
    samples.push_back({dims[k], &runs[k]->sim, &runs[k]->theory});
  }
  const ValidationOptions o = runs[0]->options;
  out.tracking = tracking_test(samples, column, o.bias.t_from, o.bias.t_to, o.alpha / o.components, 2000,
                               std::uint64_t(experiment.seed));
  return out;
}

std::string Scaling::table() const {
  std::string s;
  char line[240];
  std::snprintf(line, sizeof line,
                "%8s %14s %11s %9s %9s  %s   (discrepancy: RMS over members and t in [%s, %s] of sim - theory, %s)\n",
                "d", "discrepancy", "se", "max|z|", "threshold", "bias verdict at this d",
                format_number(tracking.t_from).c_str(), format_number(tracking.t_to).c_str(), tracking.column.c_str());
  s += line;
  for (std::size_t k = 0; k < tracking.points.size(); ++k) {
    const auto& p = tracking.points[k];
    std::snprintf(line, sizeof line, "%8lld %14.6g %11.3g %9.3f %9s  %s\n", p.d, p.discrepancy, p.se,
                  at_d[k].bias.max_z, num(at_d[k].bias.max_threshold).c_str(), verdict_name(at_d[k].verdict));
    s += line;
  }
  std::snprintf(line, sizeof line,
                "fitted exponent: discrepancy ~ d^(%.3f +- %.3f) (bootstrap over members); predicted -0.5\n",
                tracking.exponent, tracking.exponent_se);
  s += line;
  return s;
}

}  // namespace tilt
