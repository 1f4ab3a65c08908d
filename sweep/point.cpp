#include "sweep/point.hpp"

#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/metrics.hpp"
#include "core/model.hpp"
#include "sim/run.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"

namespace tilt {
namespace {

const char* kErrorColumns[] = {"eps", "eps_easy", "eps_hard", "eps_mix"};

// The sides of a slot: one, or theory and simulation for run = "validate".
std::vector<std::string> sides(const SweepSpec& spec) {
  if (spec.run == SweepRun::Validate) return {"_theory", "_sim"};
  return {""};
}

// Models that can report per-unit alignment (align_k / match_k columns, docs/models.md section 5) get the aligned
// units columns; they stay empty when a run does not write them.
bool reports_units(const Config& base) {
  for (const auto& c : model_of(base).columns)
    if (c.name.rfind("align_", 0) == 0) return true;
  return false;
}

bool has_column(const Trajectory& tr, const std::string& c) {
  for (const auto& x : tr.columns)
    if (x == c) return true;
  return false;
}

std::vector<std::string> metric_names(const SweepSpec& spec, const std::string& slot) {
  std::vector<std::string> out;
  for (const char* c : kErrorColumns) {
    out.push_back(std::string(c));
    out.push_back(std::string(c) + "_se");
  }
  for (const char* m : {"t_star_median", "t_star_mean", "t_star_mean_se", "success", "success_se"}) out.push_back(m);
  if (reports_units(spec.base)) {
    out.push_back("units_aligned");
    out.push_back("units_aligned_se");
  }
  if (!spec.reference.empty() && slot != spec.reference) {
    for (const char* c : kErrorColumns) {
      out.push_back(std::string("gap_") + c);
      out.push_back(std::string("gap_") + c + "_se");
    }
    out.push_back("speedup");
    out.push_back("speedup_se");
  }
  for (const char* m : {"reached", "samples", "samples_lo", "samples_hi", "compute", "compute_lo", "compute_hi"})
    out.push_back(m);
  if (!spec.reference.empty() && slot != spec.reference)
    for (const char* m : {"cost_ratio", "cost_ratio_lo", "cost_ratio_hi"}) out.push_back(m);
  return out;
}

// The cells of one slot and side, in the order of metric_names.
void metric_cells(const SweepSpec& spec, const std::string& slot, const ResolvedExperiment& e,
                  const std::vector<Trajectory>& members, const std::vector<Trajectory>* reference,
                  std::vector<std::string>& out, nlohmann::json& t_star) {
  const double eps_star = e.eps_star;
  for (const char* c : kErrorColumns) {
    if (!has_column(members[0], c)) {
      out.push_back("");
      out.push_back("");
      continue;
    }
    const EnsembleMetrics m = ensemble_metrics(members, c, eps_star);
    out.push_back(cell(m.eps_final));
    out.push_back(cell(m.eps_final_se));
  }
  if (!has_column(members[0], spec.column))
    throw InputError("key 'sweep.column' = \"" + spec.column +
                     "\": the runs write no such column (set "
                     "test.difficulty = \"all\"); allowed: a column the model writes");
  const EnsembleMetrics m = ensemble_metrics(members, spec.column, eps_star);
  out.push_back(cell(m.t_star_median));
  out.push_back(cell(m.t_star_success_mean));
  out.push_back(cell(m.t_star_success_se));
  out.push_back(cell(m.success));
  out.push_back(cell(m.success_se));
  if (reports_units(spec.base)) {
    out.push_back(m.has_units ? cell(m.units_aligned) : "");
    out.push_back(m.has_units ? cell(m.units_aligned_se) : "");
  }
  if (!spec.reference.empty() && slot != spec.reference) {
    for (const char* c : kErrorColumns) {
      if (!has_column(members[0], c) || !has_column((*reference)[0], c)) {
        out.push_back("");
        out.push_back("");
        continue;
      }
      const Gain g = curriculum_gain(*reference, members, c, eps_star);
      out.push_back(cell(g.gap));
      out.push_back(cell(g.gap_se));
    }
    const Gain g = curriculum_gain(*reference, members, spec.column, eps_star);
    out.push_back(cell(g.speedup));
    out.push_back(cell(g.speedup_se));
  }
  // Cost to solution with restarts (core/metrics.hpp): samples, then compute = samples x d x cost_per_step.
  const double t_max = e.t_max, per_sample = double(e.sim.d) * sgd_step_multiply_adds(e);
  const SolutionCost cost = solution_cost(m.t_star, t_max);
  out.push_back(cell(double(cost.successes) / double(cost.members)));
  for (double x : {cost.samples, cost.samples_lo, cost.samples_hi})
    out.push_back(cost.reached ? cell(x) : "not reached");
  for (double x : {cost.samples, cost.samples_lo, cost.samples_hi})
    out.push_back(cost.reached ? cell(x * per_sample) : "not reached");
  if (!spec.reference.empty() && slot != spec.reference) {
    const std::vector<double> t_ref = member_t_stars(*reference, spec.column, eps_star);
    const CostRatio r =
        solution_cost_ratio({&t_ref, t_max, 1.0}, {&m.t_star, t_max, 1.0},
                            t_ref.size() == m.t_star.size() ? Resampling::Paired : Resampling::Independent);
    for (double x : {r.ratio, r.lo, r.hi}) out.push_back(cell(x));
  }
  nlohmann::json t = nlohmann::json::array();
  for (double x : m.t_star) t.push_back(json_number(x));
  t_star = t;
}

}  // namespace

std::string cell(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return format_number(x);
}

std::vector<std::string> sweep_header(const SweepSpec& spec) {
  std::vector<std::string> h{"point"};
  for (const auto& a : spec.axes) h.push_back(a.key);
  h.push_back("seed");
  h.push_back("cost_per_step");
  for (const auto& slot : spec.slots()) {
    for (const auto& side : sides(spec))
      for (const auto& m : metric_names(spec, slot)) h.push_back(slot + side + "_" + m);
    if (spec.run == SweepRun::Validate) h.push_back(slot + "_verdict");
  }
  return h;
}

nlohmann::json sweep_columns_json(const SweepSpec& spec) {
  nlohmann::json out = nlohmann::json::array();
  auto add = [&](const std::string& name, const std::string& meaning, const std::string& unit) {
    out.push_back({{"name", name}, {"meaning", meaning}, {"unit", unit}});
  };
  add("point", "index of the point (the axes vary row-major, the first axis slowest)", "count");
  for (const auto& a : spec.axes)
    add(a.key, "the experiment key " + a.key + " (an axis)", "as the key (docs/config.md)");
  add("seed", "the seed of the point's experiments (member m starts from seed + m)", "count");
  add("cost_per_step", "multiply-adds of one online-SGD step of the student (docs/sweep.md)", "multiply-adds");
  const std::string c = spec.column;
  for (const auto& slot : spec.slots())
    for (const auto& side : sides(spec)) {
      const std::string who = "protocol " + slot + (side.empty() ? "" : " (" + side.substr(1) + ")");
      for (const auto& m : metric_names(spec, slot)) {
        const std::string name = slot + side + "_" + m;
        const bool se = m.size() > 3 && m.substr(m.size() - 3) == "_se";
        const std::string base = se ? m.substr(0, m.size() - 3) : m;
        const std::string pre = se ? "standard error of: " : "";
        if (base.rfind("gap_", 0) == 0)
          add(name, pre + "final-error gap, " + spec.reference + "'s " + base.substr(4) + "(t_max) minus " + who + "'s",
              "dimensionless");
        else if (base.rfind("eps", 0) == 0)
          add(name, pre + base + "(t_max), mean over the members of " + who, "dimensionless");
        else if (base == "t_star_median")
          add(name, "median over members of t* (first time " + c + " <= metrics.eps_star; inf: not reached), " + who,
              "samples/d");
        else if (base == "t_star_mean")
          add(name, pre + "mean t* over the members that succeed, " + who + " (nan: none)", "samples/d");
        else if (base == "success")
          add(name, pre + "fraction of members with " + c + "(t_max) <= metrics.eps_star, " + who, "probability");
        else if (base == "units_aligned")
          add(name, pre + "hidden units with alignment >= 0.9 at t_max, mean over members, " + who, "count");
        else if (base == "speedup")
          add(name, pre + "median t* of " + spec.reference + " / median t* of " + who + " (nan: one is not reached)",
              "ratio");
        else if (m == "reached")
          add(name,
              "fraction of members whose " + c +
                  " reaches metrics.eps_star at some t <= t_max (the successes of "
                  "the cost to solution), " +
                  who,
              "probability");
        else if (m.rfind("samples", 0) == 0 || m.rfind("compute", 0) == 0 || m.rfind("cost_ratio", 0) == 0) {
          const std::string end = m.size() > 3 && m.substr(m.size() - 3) == "_lo"   ? "lower end of the 95 % "
                                                                                      "bootstrap interval of: "
                                  : m.size() > 3 && m.substr(m.size() - 3) == "_hi" ? "upper end of the 95 % "
                                                                                      "bootstrap interval of: "
                                                                                    : "";
          if (m.rfind("samples", 0) == 0)
            add(name,
                end +
                    "expected training to the first success when failed runs are restarted: sum over members of "
                    "min(t*, t_max) / members with t* <= t_max, " +
                    who + " (\"not reached\": none reaches eps*)",
                "samples/d");
          else if (m.rfind("compute", 0) == 0)
            add(name, end + "compute to solution: samples x d x cost_per_step, " + who + " (\"not reached\": none)",
                "multiply-adds");
          else
            add(name,
                end + "cost-to-solution ratio, " + spec.reference + "'s samples / " + who +
                    "'s (> 1: cheaper than the reference; paired bootstrap; nan: a side never reaches eps*)",
                "ratio");
        }
      }
      if (spec.run == SweepRun::Validate && side == "_sim")
        add(slot + "_verdict", "validate's verdict for protocol " + slot + " (CONSISTENT, INCONSISTENT, INCONCLUSIVE)",
            "text");
    }
  return out;
}

std::string sweep_row(const SweepSpec& spec, const PointResult& result) {
  const SweepPoint& p = spec.points.at(result.index);
  std::string row = std::to_string(p.index);
  for (const auto& l : p.labels) row += "," + l;
  row += "," + std::to_string(p.seed);
  for (const auto& c : result.cells) row += "," + c;
  return row;
}

PointResult run_point(const SweepSpec& spec, const SweepPoint& point, int threads) {
  const auto start = std::chrono::steady_clock::now();
  PointResult result;
  result.index = point.index;
  const std::vector<std::string> slots = spec.slots();
  const Setting threads_set{"sim.threads", toml::value(std::int64_t(threads))};  // as "sim.threads=N" reads
  // Each slot's members, per side (theory, or theory and simulation).
  std::vector<std::vector<std::vector<Trajectory>>> runs(slots.size());
  std::vector<std::string> verdicts(slots.size());
  std::vector<ResolvedExperiment> experiments;
  for (std::size_t s = 0; s < slots.size(); ++s) {
    experiments.push_back(spec.resolved(point, slots[s], {threads_set}));
    const ResolvedExperiment& e = experiments.back();
    switch (spec.run) {
      case SweepRun::Theory:
      case SweepRun::TheoryEnsemble:
        runs[s].push_back(run_theory(e).members);
        break;
      case SweepRun::Sim:
        runs[s].push_back(run_sim(e).members);
        break;
      case SweepRun::Validate: {
        ValidationRun v = validate_experiment(e, Tracking::NotTested);
        verdicts[s] = verdict_name(overall_verdict(v.agreement, nullptr));
        runs[s].push_back(std::move(v.theory));
        runs[s].push_back(std::move(v.sim));
        break;
      }
    }
    if (spec.trajectories)
      for (std::size_t side = 0; side < runs[s].size(); ++side) {
        const auto& members = runs[s][side];
        const std::string name = std::to_string(point.index) + "_" + slots[s] + sides(spec)[side] + ".csv";
        result.files[name] = members.size() == 1 ? to_csv(members[0]) : to_csv(summarise(members));
      }
  }
  std::size_t ref = slots.size();
  for (std::size_t s = 0; s < slots.size(); ++s)
    if (slots[s] == spec.reference) ref = s;
  result.cells.push_back(cell(sgd_step_multiply_adds(experiments[0])));
  for (std::size_t s = 0; s < slots.size(); ++s) {
    for (std::size_t side = 0; side < runs[s].size(); ++side)
      metric_cells(spec, slots[s], experiments[s], runs[s][side], ref < slots.size() ? &runs[ref][side] : nullptr,
                   result.cells, result.t_star[slots[s] + sides(spec)[side]]);
    if (spec.run == SweepRun::Validate) result.cells.push_back(verdicts[s]);
  }
  // sweep.thresholds: each member's t* at more levels, for costs to other targets from the same runs.
  for (double level : spec.thresholds)
    for (std::size_t s = 0; s < slots.size(); ++s)
      for (std::size_t side = 0; side < runs[s].size(); ++side) {
        nlohmann::json t = nlohmann::json::array();
        for (double x : member_t_stars(runs[s][side], spec.column, level)) t.push_back(json_number(x));
        result.t_star_at[format_number(level)][slots[s] + sides(spec)[side]] = t;
      }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::string PointResult::serialise() const {
  nlohmann::json j = {{"index", index}, {"cells", cells}, {"seconds", seconds}, {"t_star", t_star}};
  if (!t_star_at.empty()) j["t_star_at"] = t_star_at;
  if (!files.empty()) j["files"] = files;
  return j.dump();
}

PointResult PointResult::parse(const std::string& line) { return from_json(nlohmann::json::parse(line)); }

PointResult PointResult::from_json(const nlohmann::json& j) {
  PointResult r;
  r.index = j.at("index").get<std::size_t>();
  r.cells = j.at("cells").get<std::vector<std::string>>();
  r.seconds = j.at("seconds").get<double>();
  if (j.contains("t_star")) r.t_star = j.at("t_star");
  if (j.contains("t_star_at")) r.t_star_at = j.at("t_star_at");
  if (j.contains("files")) r.files = j.at("files").get<std::map<std::string, std::string>>();
  return r;
}

}  // namespace tilt
