#include "sweep/run.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/keys.hpp"
#include "core/limits.hpp"
#include "core/metrics.hpp"
#include "core/model.hpp"
#include "core/progress.hpp"
#include "sweep/journal.hpp"
#include "sweep/point.hpp"

namespace tilt {
namespace {

std::string point_name(const SweepSpec& spec, const SweepPoint& p) {
  std::string s = "point " + std::to_string(p.index) + " (";
  for (std::size_t a = 0; a < spec.axes.size(); ++a) s += (a ? ", " : "") + spec.axes[a].key + " = " + p.labels[a];
  return s + ")";
}

void check_limits(const SweepSpec& spec, const ResolvedExperiment& e) {
  switch (spec.run) {
    case SweepRun::Theory:
      check_theory_limits(e, 1);
      break;
    case SweepRun::TheoryEnsemble:
      check_theory_limits(e, e.theory.ensemble);
      break;
    case SweepRun::Sim:
      check_simulation_limits(e, e.sim.seeds);
      break;
    case SweepRun::Validate:
      check_validation_limits(e);
      if (e.sim.seeds < 2)
        throw InputError("key 'sim.seeds' = 1: validation needs at least 2 members; allowed: sim.seeds >= 2");
      break;
  }
}

std::string duration(double s) {
  char b[32];
  if (!std::isfinite(s)) return "?";
  if (s < 60)
    std::snprintf(b, sizeof b, "%.1fs", s);
  else if (s < 3600)
    std::snprintf(b, sizeof b, "%dm%02ds", int(s / 60), int(std::fmod(s, 60)));
  else
    std::snprintf(b, sizeof b, "%dh%02dm", int(s / 3600), int(std::fmod(s, 3600) / 60));
  return b;
}

// A number to `digits` significant digits ("1.23e+09", "0.0457").
std::string significant(double x, int digits) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*g", digits, x);
  return b;
}

// Seconds to 3 significant digits, in s, min or h ("9.73 s", "1.5 min", "12.4 h").
std::string seconds_text(double s) {
  if (!std::isfinite(s)) return "?";
  if (s < 60) return significant(s, 3) + " s";
  if (s < 3600) return significant(s / 60, 3) + " min";
  return significant(s / 3600, 3) + " h";
}

// The cost model of --dry-run. A slot's experiment has up to two parts, the theory and SGD; each is `members` runs
// whose time is width x (a + b x t_max): width is the model's state size (its descriptor's state_size) for the
// theory and d x the multiply-adds of an SGD step (sgd_step_multiply_adds) for SGD; a (set-up, per unit width) and
// b (per unit width and unit of t) are measured by probes.
struct Part {
  double members = 0, width = 0, t_max = 0;
};
struct CostParts {
  Part theory, sim;
};

CostParts cost_parts(SweepRun run, const ResolvedExperiment& e) {
  const ModelDescriptor& model = *e.model;
  const double seeds = double(e.sim.seeds);
  CostParts c;
  c.theory.t_max = c.sim.t_max = e.t_max;
  c.theory.width = model.state_size(e);
  const double step = model.sgd_step_multiply_adds ? model.sgd_step_multiply_adds(e) : double(e.sim.d);
  c.sim.width = double(e.sim.d) * step;
  switch (run) {
    case SweepRun::Theory:
      c.theory.members = 1;
      break;
    case SweepRun::TheoryEnsemble:
      c.theory.members = double(e.theory.ensemble);
      break;
    case SweepRun::Sim:
      c.sim.members = seeds;
      break;
    case SweepRun::Validate:  // the theory twin: one ODE for a shared initial condition, else one per seed
      c.sim.members = seeds;
      c.theory.members = e.sim.same_init ? 1 : seeds;
      if (e.theory.noise == TheoryNoise::Sde) c.theory.members += seeds;  // the stochastic twins beside the ODE
      break;
  }
  return c;
}

// The fitted cost of one part: seconds of one member = width x (a + b x t_max).
struct Fit {
  double a = 0, b = 0, width = 0;  // sums over the probes (a and b already multiplied by their widths)
  int probes = 0;
  double seconds(const Part& p) const { return width > 0 ? p.members * p.width * (a + b * p.t_max) / width : 0; }
};

struct Estimate {
  double serial = 0, parallel = 0, probe_seconds = 0;
  std::string how;
};

// One member of `index`'s experiment in `slot`, run alone (`part`: theory or SGD) to t = t_max / 256, then 4x
// further each time until a run (not the first) takes 1 s or one reaches t_max; the last two runs give a and b
// (one run at t_max: b alone). Adds them to `fit`, returns the seconds spent.
double probe_point(const SweepSpec& spec, SweepRun part, std::size_t index, const std::string& slot, Fit& fit,
                   std::string& how) {
  SweepSpec probe = spec;
  probe.run = part;
  const ResolvedExperiment at_slot = spec.resolved(spec.points[index], slot);
  probe.protocols = {slot == "run" ? at_slot.protocol : slot};
  probe.reference.clear();
  probe.protocol_axis = false;
  probe.trajectories = false;
  const double t_max = at_slot.t_max;
  double fraction = 1.0 / 256, spent = 0, width = 0;
  std::vector<std::pair<double, double>> runs;  // (t, seconds)
  for (;;) {
    SweepPoint point = spec.points[index];
    point.settings.push_back({"t_max", toml::value(t_max * fraction)});
    if (part == SweepRun::Sim) point.settings.push_back({"sim.seeds", toml::value(std::int64_t(1))});
    try {
      const CostParts c = cost_parts(part, probe.resolved(point, probe.protocols[0]));
      width = part == SweepRun::Sim ? c.sim.width : c.theory.width;
      const auto start = std::chrono::steady_clock::now();
      bool failed = false;
      try {
        (void)run_point(probe, point, 1);
      } catch (const RunError&) {  // a point that diverges fails as fast in the sweep: its time so far is its cost
        failed = true;
      }
      runs.emplace_back(t_max * fraction,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      spent += runs.back().second;
      if (failed) break;
    } catch (const InputError&) {  // a schedule with absolute times may not fit a shorter t_max: run all of it
      if (fraction >= 1) throw;
      fraction = 1;
      continue;
    }
    // Two runs at least (the set-up a apart from b), unless the first already ran the whole t_max.
    if ((runs.back().second >= 1 && runs.size() >= 2) || fraction >= 1) break;
    fraction = std::min(1.0, fraction * 4);
  }
  double a = 0, b = runs.back().second / runs.back().first;
  if (runs.size() >= 2) {
    const auto& [t1, s1] = runs[runs.size() - 2];
    const auto& [t2, s2] = runs.back();
    b = std::max(0.0, (s2 - s1) / (t2 - t1));
    a = std::max(0.0, s2 - b * t2);
  }
  fit.a += a;
  fit.b += b;
  fit.width += width;
  ++fit.probes;
  if (fit.probes == 1)
    how += std::string(how.empty() ? "" : "; ") + (part == SweepRun::Sim ? "SGD" : "theory") +
           " probe: " + point_name(spec, spec.points[index]) +
           ", 1 member to t = " + significant(runs.back().first, 3) + " in " + seconds_text(runs.back().second);
  return spent;
}

// --dry-run's estimate: every point's parts (cost_parts) at the seconds the probes measured. The costliest point of
// each part is probed first; while the probes have cost under 2 s, evenly spread points are probed too (up to 32,
// and up to 256 while under 0.25 s), so a sweep of cheap points averages over its range. On `threads` threads the
// points spread over them, but no point goes faster than its members allow. The checks (`check_seconds`, measured) are
// added.
Estimate estimate_sweep(const SweepSpec& spec, int threads, double check_seconds) {
  const std::vector<std::string> slots = spec.slots();
  const std::size_t n = spec.points.size();
  std::vector<std::vector<CostParts>> parts(n);
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& slot : slots) parts[i].push_back(cost_parts(spec.run, spec.resolved(spec.points[i], slot)));
  Estimate out;
  Fit theory, sim;
  for (const bool sgd : {false, true}) {
    Fit& fit = sgd ? sim : theory;
    auto cost = [&](std::size_t i, std::size_t s) {
      const Part& p = sgd ? parts[i][s].sim : parts[i][s].theory;
      return p.members * p.width * p.t_max;
    };
    std::size_t top = 0, top_slot = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t s = 0; s < slots.size(); ++s)
        if (cost(i, s) > cost(top, top_slot)) top = i, top_slot = s;
    if (cost(top, top_slot) <= 0) continue;
    double spent = probe_point(spec, sgd ? SweepRun::Sim : SweepRun::Theory, top, slots[top_slot], fit, out.how);
    const std::size_t spread = std::min<std::size_t>(256, n * slots.size());
    for (std::size_t k = 1; k < spread && spent < (k < 32 ? 2 : 0.25); ++k) {
      const std::size_t j = k * n * slots.size() / spread, i = j / slots.size(), s = j % slots.size();
      if (cost(i, s) > 0) spent += probe_point(spec, sgd ? SweepRun::Sim : SweepRun::Theory, i, slots[s], fit, out.how);
    }
    out.probe_seconds += spent;
    out.how += " (" + std::to_string(fit.probes) + (fit.probes == 1 ? " point" : " points") + " probed)";
  }
  double longest = 0;
  for (const auto& point : parts) {
    double seconds = 0, members = 1;
    for (const auto& c : point) {
      seconds += theory.seconds(c.theory) + sim.seconds(c.sim);
      members = std::max({members, c.theory.members, c.sim.members});
    }
    out.serial += seconds;
    longest = std::max(longest, seconds / std::min(double(threads), members));
  }
  // The checks before any point runs (measured: the dry run has just made them) come on top, on every thread count.
  out.parallel = std::max(out.serial / threads, longest) + check_seconds;
  out.serial += check_seconds;
  out.how +=
      "; every point: members x width x (a + b t_max), width = state size (theory) or d x multiply-adds per "
      "step (SGD)";
  return out;
}

// Points done of total, rate and time left: a live line on a terminal (at most 4 per second), else (a log) at
// most one line per 10 s and a final line.
class SweepProgress {
 public:
  SweepProgress(std::size_t total, std::size_t already, bool quiet)
      : total_(total),
        done_(already),
        already_(already),
        quiet_(quiet),
        terminal_(::isatty(2) == 1),
        next_(terminal_ ? 0 : 10),
        start_(std::chrono::steady_clock::now()) {}
  ~SweepProgress() {
    if (live_) std::fprintf(stderr, "\n");
  }
  void point_done(const SweepSpec& spec, std::size_t index, double seconds) {
    ++done_;
    if (quiet_) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = double(done_ - already_) / std::max(elapsed, 1e-9);
    const double left = double(total_ - done_) / rate;
    char line[256];
    std::snprintf(line, sizeof line, "sweep: %zu/%zu points, %.3g points/s, %s elapsed, %s left", done_, total_, rate,
                  duration(elapsed).c_str(), duration(left).c_str());
    if (done_ < total_ && elapsed < next_) return;
    if (terminal_) {
      next_ = elapsed + 0.25;
      std::fprintf(stderr, "\r%s\033[K", line);
      live_ = true;
    } else {  // a log: one line per 10 s at most, and the final one
      next_ = elapsed + 10;
      std::fprintf(stderr, "%s  [last: %s, %s]\n", line, point_name(spec, spec.points[index]).c_str(),
                   duration(seconds).c_str());
    }
    std::fflush(stderr);
  }

 private:
  std::size_t total_, done_, already_;
  bool quiet_, terminal_, live_ = false;
  double next_;
  std::chrono::steady_clock::time_point start_;
};

// A point's work, never throwing: a run that fails (divergence, loss of the domain) gives a row of "failed" cells
// and its message in the record, so a map over a range that diverges in part is still drawn.
std::string compute_point(const SweepSpec& spec, std::size_t index, int inner_threads, std::size_t cells) {
  try {
    return run_point(spec, spec.points[index], inner_threads).serialise();
  } catch (const std::exception& e) {
    PointResult r;
    r.index = index;
    r.cells.assign(cells, "failed");
    nlohmann::json j = nlohmann::json::parse(r.serialise());
    j["error"] = e.what();
    return j.dump();
  }
}

}  // namespace

std::vector<std::string> check_points(SweepSpec& spec, int threads) {
  const std::vector<std::string> slots = spec.slots();
  const std::size_t n = spec.points.size();
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::set<std::string> inert;  // each warning's text once (sorted: the same on any number of threads)
  bool shared_init = false;
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t)
    pool.emplace_back([&] {
      for (std::size_t i; (i = next++) < n;) {
        try {
          double cost = 0;
          for (const auto& slot : slots) {
            const Config raw = spec.experiment(spec.points[i], slot);
            const ResolvedExperiment e = resolve(raw);
            check_limits(spec, e);
            cost += spec.relative_cost(e);
            const std::vector<std::string> w = inert_settings(raw);
            const bool shared =
                (spec.run == SweepRun::Sim || spec.run == SweepRun::Validate) && e.sim.same_init && e.sim.seeds > 1;
            if (!w.empty() || shared) {
              const std::lock_guard<std::mutex> lock(mutex);
              inert.insert(w.begin(), w.end());
              shared_init = shared_init || shared;
            }
          }
          spec.points[i].cost = cost;
        } catch (...) {
          errors[i] = std::current_exception();
        }
      }
    });
  for (auto& t : pool) t.join();
  for (std::size_t i = 0; i < n; ++i) {
    if (!errors[i]) continue;
    try {
      std::rethrow_exception(errors[i]);
    } catch (const InputError& e) {
      throw InputError(point_name(spec, spec.points[i]) + ": " + e.what());
    }
  }
  std::vector<std::string> warnings(inert.begin(), inert.end());
  if (warnings.size() > 8) {  // an axis over an inert key: one line per value would bury the rest
    const std::size_t more = warnings.size() - 6;
    warnings.resize(6);
    warnings.push_back("... and " + std::to_string(more) + " more settings without effect at some points");
  }
  if (shared_init)
    warnings.push_back(std::string("sweep.run = \"") + sweep_run_name(spec.run) +
                       "\" with sim.same_init = true: every SGD run of a point starts from the same initial weights, "
                       "so success, t* and compute to solution measure SGD noise only, not the lottery over "
                       "initial conditions; set sim.same_init = false in [base] for one initial condition per seed");
  return warnings;
}

namespace {

// The output files' checks of rank 0 (--out, --resume, --force), before any point runs.
void check_output_files(const SweepOptions& options) {
  if (!options.out.empty() && !options.dry_run) {
    if (options.resume && !std::filesystem::exists(options.out + ".journal"))
      throw InputError("--resume: no journal '" + options.out +
                       ".journal' (nothing to resume: no unfinished sweep wrote this --out PREFIX); allowed: "
                       "the --out PREFIX of an interrupted sweep, or no --resume to start one");
    check_output_prefix(options.out);
    if (!options.resume) {
      refuse_existing({options.out + ".csv", options.out + ".json"},
                      options.force ? Overwrite::Replace : Overwrite::Refuse);
      if (std::filesystem::exists(options.out + ".journal") && !options.force)
        throw InputError("'" + options.out +
                         ".journal' exists: an unfinished sweep wrote it; allowed: --resume "
                         "to continue it, or --force to start over");
    } else {
      refuse_existing({options.out + ".csv", options.out + ".json"},
                      options.force ? Overwrite::Replace : Overwrite::Refuse);
    }
  } else if (options.resume && !options.dry_run) {
    throw InputError("--resume needs --out PREFIX (the journal is PREFIX.journal)");
  }
}

// What rank 0's checks found: the warnings to give and the seconds the point checks took.
struct Checked {
  std::vector<std::string> warnings;
  double seconds = 0;
};

// Rank 0 checks everything before any point runs; the other ranks wait for its word. Rank 0 throws the
// InputError; another rank returns its nonzero status in `status`.
Checked check_everything(SweepSpec& spec, const SweepOptions& options, int threads, const Cluster& cluster,
                         int& status) {
  const bool root = cluster.rank == 0;
  std::string failure;
  status = 0;
  Checked checked;
  if (root) {
    try {
      const auto checks = std::chrono::steady_clock::now();
      checked.warnings = check_points(spec, threads);
      checked.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - checks).count();
      check_output_files(options);
    } catch (const InputError& e) {
      failure = e.what();
      status = 2;
    }
  }
  status = cluster_share(cluster, status);
  if (status != 0 && root) throw InputError(failure);
  if (root)
    for (const auto& w : checked.warnings) {
      if (options.warn)
        options.warn(w);
      else
        std::cerr << "tilt: warning: " << w << "\n";
    }
  return checked;
}

// --dry-run on rank 0: the size of the sweep, its SGD multiply-adds and the estimate of its time.
void print_dry_run(const SweepSpec& spec, std::size_t columns, int threads, double check_seconds) {
  double sgd = 0;
  if (spec.run == SweepRun::Sim || spec.run == SweepRun::Validate)
    for (const auto& p : spec.points)
      for (const auto& slot : spec.slots()) {
        const ResolvedExperiment e = spec.resolved(p, slot);
        sgd += double(e.sim.seeds) * double(sgd_steps_per_member(e)) * sgd_step_multiply_adds(e);
      }
  std::cout << "sweep " << spec.path << ": " << spec.points.size() << " points x " << spec.slots().size()
            << " protocol(s) (" << sweep_run_name(spec.run) << "), " << columns << " columns, hash "
            << hash_text(spec.hash) << "\n";
  if (sgd > 0) std::cout << "SGD training: " << significant(sgd, 3) << " multiply-adds in all\n";
  std::cout << std::flush;
  const Estimate estimate = estimate_sweep(spec, threads, check_seconds);
  std::cout << "estimate: " << seconds_text(estimate.serial) << " on one core, " << seconds_text(estimate.parallel)
            << " on " << threads << " thread" << (threads == 1 ? "" : "s") << " (" << estimate.how << "; probes took "
            << seconds_text(estimate.probe_seconds) << ")\n";
}

// Rank 0's state of the work: the journal, the rows and timings so far, the points still to run (costly first: the
// longest points do not finish last), and the failures.
struct Work {
  std::unique_ptr<Journal> journal;
  std::vector<std::string> rows;
  std::vector<nlohmann::json> timings;
  std::vector<std::size_t> order;
  std::size_t failed = 0;
  std::string first_error;
};

Work plan_work(const SweepSpec& spec, const SweepOptions& options, const Cluster& cluster) {
  const std::size_t n = spec.points.size();
  Work work;
  work.rows.resize(n);
  work.timings.resize(n);
  if (cluster.rank != 0) return work;  // the other ranks run what rank 0 hands them
  if (!options.out.empty())
    work.journal = std::make_unique<Journal>(options.out + ".journal", spec.hash, n,
                                             options.resume ? JournalMode::Resume : JournalMode::Fresh);
  for (std::size_t i = 0; i < n; ++i)
    if (!work.journal || !work.journal->finished().count(i)) work.order.push_back(i);
  std::stable_sort(work.order.begin(), work.order.end(),
                   [&](std::size_t a, std::size_t b) { return spec.points[a].cost > spec.points[b].cost; });
  if (work.journal) {
    for (const auto& [i, r] : work.journal->finished()) {
      work.rows[i] = sweep_row(spec, r);
      work.timings[i] = {{"index", i}, {"seconds", r.seconds}, {"resumed", true}, {"t_star", r.t_star}};
      if (!r.t_star_at.empty()) work.timings[i]["t_star_at"] = r.t_star_at;
    }
    if (!options.quiet && options.resume)
      std::fprintf(stderr, "sweep: resuming, %zu of %zu points already in %s.journal\n", n - work.order.size(), n,
                   options.out.c_str());
  }
  return work;
}

// One finished point's message (a PointResult, with "error" when it failed): its files, journal line, row, timing.
void record_point(const SweepSpec& spec, const SweepOptions& options, const std::string& message, Work& work,
                  SweepProgress& progress) {
  const nlohmann::json j = nlohmann::json::parse(message);  // once: the result and its "error", if any
  PointResult r = PointResult::from_json(j);
  for (const auto& [name, text] : r.files)
    if (!options.out.empty()) write_file_atomic(options.out + "_points/" + name, text, Overwrite::Replace);
  r.files.clear();
  if (work.journal) work.journal->append(r);
  work.rows[r.index] = sweep_row(spec, r);
  work.timings[r.index] = {{"index", r.index}, {"seconds", r.seconds}, {"t_star", r.t_star}};
  if (!r.t_star_at.empty()) work.timings[r.index]["t_star_at"] = r.t_star_at;
  if (j.contains("error")) {
    work.timings[r.index]["error"] = j["error"];
    ++work.failed;
    if (work.first_error.empty())
      work.first_error = point_name(spec, spec.points[r.index]) + ": " + j["error"].get<std::string>();
  }
  progress.point_done(spec, r.index, r.seconds);
}

// The record of PREFIX.json: the base experiment's record, the sweep's settings, axes, columns and points.
nlohmann::json sweep_record(const SweepSpec& spec, const SweepOptions& options, const Work& work,
                            const Checked& checked, int threads, const Cluster& cluster, double wall) {
  nlohmann::json record = run_record(spec.base, "sweep");
  nlohmann::json axes = nlohmann::json::array();
  for (const auto& a : spec.axes) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& v : a.values)
      values.push_back(v.is_string()    ? nlohmann::json(v.as_string().str)
                       : v.is_integer() ? nlohmann::json(v.as_integer())
                       : v.is_boolean() ? nlohmann::json(v.as_boolean())
                                        : nlohmann::json(v.as_floating()));
    axes.push_back({{"key", a.key}, {"values", values}, {"zip", a.zip}, {"scale", a.scale}});
  }
  record["sweep"] = {{"file", spec.path},
                     {"run", sweep_run_name(spec.run)},
                     {"protocols", spec.slots()},
                     {"reference", spec.reference},
                     {"seed", spec.seed},
                     {"point_seeds", spec.derived_seeds ? "derived" : "base"},
                     {"column", spec.column},
                     {"hash", hash_text(spec.hash)},
                     {"points", spec.points.size()},
                     {"failed", work.failed},
                     {"threads", threads},
                     {"ranks", cluster.size}};
  record["argv"] = options.argv;
  record["overrides"] = spec.overrides;
  record["warnings"] = checked.warnings;
  record["axes"] = axes;
  record["columns"] = sweep_columns_json(spec);
  record["points"] = work.timings;
  record["wall_seconds"] = wall;
  return record;
}

}  // namespace

int run_sweep(SweepSpec& spec, const SweepOptions& options, const Cluster& cluster) {
  const auto start = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : omp_get_num_procs();
  const bool root = cluster.rank == 0;
  Progress::set_enabled(false);  // the runs inside points are silent; the sweep reports points
  const std::vector<std::string> header = sweep_header(spec);
  const std::size_t cells = header.size() - spec.axes.size() - 2;

  int status = 0;
  const Checked checked = check_everything(spec, options, threads, cluster, status);
  if (status != 0) return status;
  const std::size_t n = spec.points.size();
  if (options.dry_run) {
    if (root) print_dry_run(spec, header.size(), threads, checked.seconds);
    return 0;
  }

  Work work = plan_work(spec, options, cluster);
  if (root && spec.trajectories && !options.out.empty()) std::filesystem::create_directories(options.out + "_points");

  // Points run on worker threads with one thread each; a rank that runs one point at a time (or a sweep with
  // fewer points than threads) gives the point all of them.
  const bool distributed = cluster.mpi && cluster.size > 1;
  const int inner =
      distributed && !root
          ? threads
          : std::max(1, threads / int(std::max<std::size_t>(
                                      1, std::min<std::size_t>(work.order.size(), std::size_t(threads)))));
  const int outer = distributed && !root ? 1 : std::max(1, threads / inner);
  SweepProgress progress(n, root ? n - work.order.size() : 0, options.quiet || !root);
  std::vector<double> costs;
  for (const auto& p : spec.points) costs.push_back(p.cost);
  run_points(
      cluster, work.order, costs, outer, [&](std::size_t i) { return compute_point(spec, i, inner, cells); },
      [&](const std::string& message) { record_point(spec, options, message, work, progress); });
  if (!root) return 0;

  std::string csv;
  for (std::size_t c = 0; c < header.size(); ++c) csv += (c ? "," : "") + header[c];
  csv += "\n";
  for (const auto& row : work.rows) csv += row + "\n";
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.out.empty() && !options.output) {
    std::cout << csv;
  } else {
    const std::string record_text = sweep_record(spec, options, work, checked, threads, cluster, wall).dump(2) + "\n";
    if (!options.out.empty()) {
      write_file_atomic(options.out + ".csv", csv, Overwrite::Replace);
      write_file_atomic(options.out + ".json", record_text, Overwrite::Replace);
      if (work.journal) work.journal->remove();
    }
    if (options.output) *options.output = SweepOutput{csv, record_text};
  }
  if (work.failed > 0) {
    std::cerr << "tilt sweep: " << work.failed << " of " << n
              << " points failed (cells \"failed\"); first: " << work.first_error << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tilt
