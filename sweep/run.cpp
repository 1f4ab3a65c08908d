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
#include <thread>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/limits.hpp"
#include "core/metrics.hpp"
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

void check_limits(const SweepSpec& spec, const Config& e) {
  switch (spec.run) {
    case SweepRun::Theory:
      check_theory_limits(e, 1);
      break;
    case SweepRun::TheoryEnsemble:
      check_theory_limits(e, e.integer("theory.ensemble"));
      break;
    case SweepRun::Sim:
      check_simulation_limits(e, e.integer("sim.seeds"));
      break;
    case SweepRun::Validate:
      check_validation_limits(e);
      if (e.integer("sim.seeds") < 2)
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

// Points done of total, rate and time left: a live line on a terminal (at most 4 per second), else one line per
// finished point.
class SweepProgress {
 public:
  SweepProgress(std::size_t total, std::size_t already, bool quiet)
      : total_(total),
        done_(already),
        already_(already),
        quiet_(quiet),
        terminal_(::isatty(2) == 1),
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
    if (terminal_) {
      if (done_ < total_ && elapsed < next_) return;
      next_ = elapsed + 0.25;
      std::fprintf(stderr, "\r%s\033[K", line);
      live_ = true;
    } else {
      std::fprintf(stderr, "%s  [%s done in %s]\n", line, point_name(spec, spec.points[index]).c_str(),
                   duration(seconds).c_str());
    }
    std::fflush(stderr);
  }

 private:
  std::size_t total_, done_, already_;
  bool quiet_, terminal_, live_ = false;
  double next_ = 0;
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

void check_points(SweepSpec& spec, int threads) {
  const std::vector<std::string> slots = spec.slots();
  const std::size_t n = spec.points.size();
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t)
    pool.emplace_back([&] {
      for (std::size_t i; (i = next++) < n;) {
        try {
          double cost = 0;
          for (const auto& slot : slots) {
            const Config e = spec.experiment(spec.points[i], slot);
            check_limits(spec, e);
            cost += spec.relative_cost(e);
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
}

int run_sweep(SweepSpec& spec, const SweepOptions& options, const Cluster& cluster) {
  const auto start = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : omp_get_num_procs();
  const bool root = cluster.rank == 0;
  Progress::set_enabled(false);  // the runs inside points are silent; the sweep reports points
  const std::vector<std::string> header = sweep_header(spec);
  const std::size_t cells = header.size() - spec.axes.size() - 2;

  // Rank 0 checks everything before any point runs; the other ranks wait for its word.
  std::string failure;
  int status = 0;
  if (root) {
    try {
      check_points(spec, threads);
      if (!options.out.empty() && !options.dry_run) {
        check_output_prefix(options.out);
        if (!options.resume) {
          refuse_existing({options.out + ".csv", options.out + ".json"}, options.force);
          if (std::filesystem::exists(options.out + ".journal") && !options.force)
            throw InputError("'" + options.out +
                             ".journal' exists: an unfinished sweep wrote it; allowed: --resume "
                             "to continue it, or --force to start over");
        } else {
          refuse_existing({options.out + ".csv", options.out + ".json"}, options.force);
        }
      } else if (options.resume && !options.dry_run) {
        throw InputError("--resume needs --out PREFIX (the journal is PREFIX.journal)");
      }
    } catch (const InputError& e) {
      failure = e.what();
      status = 2;
    }
  }
  status = cluster_share(cluster, status);
  if (status != 0) {
    if (root) throw InputError(failure);
    return status;
  }

  const std::size_t n = spec.points.size();
  if (options.dry_run) {
    if (!root) return 0;
    double total = 0;
    std::size_t cheapest = 0;
    for (const auto& p : spec.points) {
      total += p.cost;
      if (p.cost < spec.points[cheapest].cost) cheapest = p.index;
    }
    double sgd = 0;
    if (spec.run == SweepRun::Sim || spec.run == SweepRun::Validate)
      for (const auto& p : spec.points)
        for (const auto& slot : spec.slots()) {
          const Config e = spec.experiment(p, slot);
          sgd += double(e.integer("sim.seeds")) * double(sgd_steps_per_member(e)) * sgd_step_multiply_adds(e);
        }
    std::cout << "sweep " << spec.path << ": " << n << " points x " << spec.slots().size() << " protocol(s) ("
              << sweep_run_name(spec.run) << "), " << header.size() << " columns, hash " << hash_text(spec.hash)
              << "\n";
    if (sgd > 0) std::cout << "SGD training: " << cell(sgd) << " multiply-adds in all\n";
    const PointResult probe = run_point(spec, spec.points[cheapest], 1);
    const double estimate = probe.seconds * total / spec.points[cheapest].cost;
    std::cout << "estimate: " << duration(estimate) << " on one core, " << duration(estimate / threads) << " on "
              << threads << " threads (from the cheapest point, " << cell(probe.seconds)
              << " s, scaled by the relative cost: members x t_max x model size)\n";
    return 0;
  }

  // Rank 0: the journal, the order of the work (costly first: the longest points do not finish last), results.
  std::unique_ptr<Journal> journal;
  std::vector<std::string> rows(n);
  std::vector<nlohmann::json> timings(n);
  std::vector<std::size_t> order;
  std::size_t failed = 0;
  if (root) {
    if (!options.out.empty())
      journal = std::make_unique<Journal>(options.out + ".journal", spec.hash, n, options.resume);
    for (std::size_t i = 0; i < n; ++i)
      if (!journal || !journal->finished().count(i)) order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return spec.points[a].cost > spec.points[b].cost; });
    if (journal) {
      for (const auto& [i, r] : journal->finished()) {
        rows[i] = sweep_row(spec, r);
        timings[i] = {{"index", i}, {"seconds", r.seconds}, {"resumed", true}, {"t_star", r.t_star}};
        if (!r.t_star_at.empty()) timings[i]["t_star_at"] = r.t_star_at;
      }
      if (!options.quiet && options.resume)
        std::fprintf(stderr, "sweep: resuming, %zu of %zu points already in %s.journal\n", n - order.size(), n,
                     options.out.c_str());
    }
  }
  const std::string points_dir = options.out + "_points";
  if (root && spec.trajectories && !options.out.empty()) std::filesystem::create_directories(points_dir);

  // Points run on worker threads with one thread each; a rank that runs one point at a time (or a sweep with
  // fewer points than threads) gives the point all of them.
  const bool distributed = cluster.mpi && cluster.size > 1;
  const int inner =
      distributed && !root
          ? threads
          : std::max(
                1, threads / int(std::max<std::size_t>(1, std::min<std::size_t>(order.size(), std::size_t(threads)))));
  const int outer = distributed && !root ? 1 : std::max(1, threads / inner);
  SweepProgress progress(n, root ? n - order.size() : 0, options.quiet || !root);
  std::string first_error;
  std::vector<double> costs;
  for (const auto& p : spec.points) costs.push_back(p.cost);
  run_points(
      cluster, order, costs, outer, [&](std::size_t i) { return compute_point(spec, i, inner, cells); },
      [&](const std::string& message) {
        const nlohmann::json j = nlohmann::json::parse(message);  // once: the result and its "error", if any
        PointResult r = PointResult::from_json(j);
        for (const auto& [name, text] : r.files)
          if (!options.out.empty()) write_file_atomic(points_dir + "/" + name, text, true);
        r.files.clear();
        if (journal) journal->append(r);
        rows[r.index] = sweep_row(spec, r);
        timings[r.index] = {{"index", r.index}, {"seconds", r.seconds}, {"t_star", r.t_star}};
        if (!r.t_star_at.empty()) timings[r.index]["t_star_at"] = r.t_star_at;
        if (j.contains("error")) {
          timings[r.index]["error"] = j["error"];
          ++failed;
          if (first_error.empty())
            first_error = point_name(spec, spec.points[r.index]) + ": " + j["error"].get<std::string>();
        }
        progress.point_done(spec, r.index, r.seconds);
      });
  if (!root) return 0;

  std::string csv;
  for (std::size_t c = 0; c < header.size(); ++c) csv += (c ? "," : "") + header[c];
  csv += "\n";
  for (const auto& row : rows) csv += row + "\n";
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.out.empty() && !options.output) {
    std::cout << csv;
  } else {
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
                       {"points", n},
                       {"failed", failed},
                       {"threads", threads},
                       {"ranks", cluster.size}};
    record["axes"] = axes;
    record["columns"] = sweep_columns_json(spec);
    record["points"] = timings;
    record["wall_seconds"] = wall;
    const std::string record_text = record.dump(2) + "\n";
    if (!options.out.empty()) {
      write_file_atomic(options.out + ".csv", csv, true);
      write_file_atomic(options.out + ".json", record_text, true);
      if (journal) journal->remove();
    }
    if (options.output) *options.output = SweepOutput{csv, record_text};
  }
  if (failed > 0) {
    std::cerr << "tilt sweep: " << failed << " of " << n << " points failed (cells \"failed\"); first: " << first_error
              << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tilt
