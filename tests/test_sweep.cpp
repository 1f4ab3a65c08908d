// tilt sweep (issue 13): the grid a sweep file names, bad axes refused before anything runs, the table's numbers
// against independent references (the same experiment run alone; the gains and compute to solution recomputed
// here from trajectories), byte-identical tables for 1 and 2 threads and for 1, 2 and 3 MPI ranks, and a sweep
// killed with SIGKILL that resumes to the same table without recomputing what finished.
// GCC 12's std::regex, inlined under AddressSanitizer at -O2, trips a false -Wmaybe-uninitialized inside
// libstdc++'s std::function (the CI's sanitizer build has -Werror); as in test_linear_model.cpp.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "support.hpp"
#include "sweep/run.hpp"
#include "sweep/spec.hpp"

extern char** environ;

namespace {

using tilt::testing::read_file;
using tilt::testing::run_tilt;
using tilt::testing::TempDir;

// A cheap perceptron experiment (theory: a few ms per run).
const char* kBase =
    "[base]\nmodel = \"perceptron\"\nt_max = 4.0\neta = 3.0\n[base.output]\nevery = 0.5\n"
    "[base.sim]\nd = 100\nseeds = 3\n[base.metrics]\neps_star = 0.3\n";

// The CSV as a table: header names -> column of cells.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string at(std::size_t row, const std::string& column) const {
    const auto it = std::find(header.begin(), header.end(), column);
    if (it == header.end()) throw std::runtime_error("no column " + column);
    return rows.at(row).at(std::size_t(it - header.begin()));
  }
  double num(std::size_t row, const std::string& column) const { return std::stod(at(row, column)); }
};

Table read_table(const std::string& path) {
  Table t;
  std::istringstream in(read_file(path));
  std::string line;
  auto split = [](const std::string& l) {
    std::vector<std::string> out;
    std::stringstream s(l);
    for (std::string c; std::getline(s, c, ',');) out.push_back(c);
    if (!l.empty() && l.back() == ',') out.push_back("");
    return out;
  };
  std::getline(in, line);
  t.header = split(line);
  while (std::getline(in, line)) t.rows.push_back(split(line));
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// The grid.

TEST(Sweep, GridExpandsListsRangesAndZippedAxes) {
  const std::string text = std::string(kBase) +
                           "[[axis]]\nkey = \"curriculum.hard\"\nvalues = [1, 2.5]\n"
                           "[[axis]]\nkey = \"eta\"\nlog = [0.1, 10, 3]\nzip = \"g\"\n"
                           "[[axis]]\nkey = \"curriculum.easy_fraction\"\nlinear = [0.2, 0.6, 3]\nzip = \"g\"\n"
                           "[[axis]]\nkey = \"curriculum.protocol\"\nvalues = [\"curriculum\", \"anti\"]\n";
  const tilt::SweepSpec s = tilt::SweepSpec::from_text(text, {}, "<test>");
  ASSERT_EQ(s.points.size(), 2u * 3u * 2u);  // the zipped pair counts once
  // The first axis varies slowest, the last fastest; zipped axes move together.
  EXPECT_EQ(s.points[7].labels, std::vector<std::string>({"2.5", "0.1", "0.2", "anti"}));
  EXPECT_EQ(s.points[2].labels[0], "1");
  EXPECT_NEAR(std::stod(s.points[2].labels[1]), 1.0, 1e-14);  // geometric midpoint of 0.1 and 10
  EXPECT_EQ(s.points[2].labels[2], "0.4");
  EXPECT_EQ(s.points[5].labels, std::vector<std::string>({"1", "10", "0.6", "anti"}));
  // Each axis records how its values were given, so that a figure draws a log range on a log scale.
  EXPECT_EQ(s.axes[0].scale, "values");
  EXPECT_EQ(s.axes[1].scale, "log");
  EXPECT_EQ(s.axes[2].scale, "linear");
  EXPECT_EQ(s.axes[3].scale, "values");
  // The experiment of a point carries its values; its seed follows from the sweep seed and the index only.
  const tilt::Config e = s.experiment(s.points[5], "run");
  EXPECT_DOUBLE_EQ(e.real("eta"), 10.0);
  EXPECT_DOUBLE_EQ(e.real("curriculum.easy_fraction"), 0.6);
  EXPECT_EQ(e.string("curriculum.protocol"), "anti");
  EXPECT_EQ(e.integer("seed"), tilt::point_seed(1, 5));
  EXPECT_NE(tilt::point_seed(1, 5), tilt::point_seed(1, 6));
  EXPECT_NE(tilt::point_seed(1, 5), tilt::point_seed(2, 5));
  EXPECT_EQ(s.slots(), std::vector<std::string>({"run"}));
  // --set reaches the base; a different base gives a different hash (resume refuses it).
  const tilt::SweepSpec t = tilt::SweepSpec::from_text(text, {"t_max=5"}, "<test>");
  EXPECT_DOUBLE_EQ(t.experiment(t.points[0], "run").real("t_max"), 5.0);
  EXPECT_NE(s.hash, t.hash);
  EXPECT_EQ(s.hash, tilt::SweepSpec::from_text(text, {}, "<test>").hash);
}

TEST(Sweep, IntegerAxesFromRangesAndTheReferenceJoinsTheSlots) {
  const std::string text =
      "[base]\nmodel = \"xgm\"\n[base.sim]\nd = 100\n[sweep]\nprotocols = [\"curriculum\"]\n"
      "reference = \"shuffled\"\n[[axis]]\nkey = \"xgm.K\"\nlog = [4, 64, 5]\n";
  const tilt::SweepSpec s = tilt::SweepSpec::from_text(text, {}, "<test>");
  std::vector<long long> K;
  for (const auto& p : s.points) K.push_back(s.experiment(p, "curriculum").integer("xgm.K"));
  EXPECT_EQ(K, std::vector<long long>({4, 8, 16, 32, 64}));
  EXPECT_EQ(s.slots(), std::vector<std::string>({"curriculum", "shuffled"}));
}

// A point's experiment is resolved from the base's values and the axes' settings, not by printing the base as TOML
// and reading it again with KEY=VALUE text (which cost more than a perceptron point's ODE): the result, and every
// error, must be what that text gives.
TEST(Sweep, PointExperimentsAreWhatTheirTextResolvesTo) {
  const std::string text = std::string(kBase) +
                           "[sweep]\nrun = \"theory\"\nprotocols = [\"anti\", \"curriculum\"]\n"
                           "[[axis]]\nkey = \"curriculum.hard\"\nlinear = [0.1, 4.0, 3]\n"
                           "[[axis]]\nkey = \"sim.seeds\"\nvalues = [2, 5]\nzip = \"g\"\n"
                           "[[axis]]\nkey = \"test.difficulty\"\nvalues = [\"all\", \"easy\"]\nzip = \"g\"\n"
                           "[[axis]]\nkey = \"theory.stop_at_outputs\"\nvalues = [true, false]\n";
  const tilt::SweepSpec s = tilt::SweepSpec::from_text(text, {"eta=0.7"}, "<test>");
  ASSERT_EQ(s.points.size(), 3u * 2u * 2u);
  for (const auto& p : s.points)
    for (const auto& slot : s.slots()) {
      std::vector<std::string> o{"seed=" + std::to_string(p.seed)};
      for (std::size_t a = 0; a < s.axes.size(); ++a) o.push_back(s.axes[a].key + "=" + p.labels[a]);
      o.push_back("curriculum.protocol=" + slot);
      o.push_back("theory.ensemble=1");
      o.push_back("sim.threads=2");
      const tilt::Config reference = tilt::Config::from_text(s.base.to_toml(), o);
      const tilt::Config e = s.experiment(p, slot, {{"sim.threads", toml::value(std::int64_t(2))}});
      EXPECT_EQ(e.to_toml(), reference.to_toml()) << "point " << p.index << ", " << slot;
      for (const auto& [key, value] : reference.values()) EXPECT_EQ(e.values().at(key).type(), value.type()) << key;
    }
  // Config::with: the same values and the same errors as resolving to_toml() with the overrides.
  const tilt::Config c = s.experiment(s.points[4], "anti");
  for (const std::vector<std::string>& o :
       std::vector<std::vector<std::string>>{{"eta=2", "t_max=6", "output.every=0.1"},
                                             {"curriculum.protocol=custom", "curriculum.segments=[[0, 2.5], [1.5, 0]]"},
                                             {"curriculum.segments=[[0, 2.5], [1.5, 0]]"},
                                             {"test.difficulty=\"hard\"", "seed=7"},
                                             {"eta=-1"},
                                             {"t_max=1"},
                                             {"curriculum.protocol=curriculum"},
                                             {"sim.seeds=1.5"},
                                             {"perceptron.nonsense=1"},
                                             {"eta"},
                                             {"theory.init=file"}}) {
    std::string expected, got;
    try {
      expected = tilt::Config::from_text(c.to_toml(), o, "<resolved experiment>").to_toml();
    } catch (const tilt::InputError& e) {
      expected = std::string("error: ") + e.what();
    }
    try {
      got = c.with(o).to_toml();
    } catch (const tilt::InputError& e) {
      got = std::string("error: ") + e.what();
    }
    EXPECT_EQ(got, expected) << o[0];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bad input: exit 2, the axis named, nothing written (the check comes before any point runs).

struct BadSweep {
  std::string name, axes, must_mention;
};
void PrintTo(const BadSweep& c, std::ostream* os) { *os << c.name; }
class SweepBadInput : public ::testing::TestWithParam<BadSweep> {};

TEST_P(SweepBadInput, IsRefusedNamingTheAxisBeforeAnyPointRuns) {
  const BadSweep& c = GetParam();
  TempDir dir("sweep_bad_" + c.name);
  const std::string file = dir.file("s.toml", std::string(kBase) + c.axes);
  const auto r = run_tilt("sweep " + file + " --out " + (dir.path / "o").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(c.must_mention), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("allowed"), std::string::npos) << r.output;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) EXPECT_EQ(entry.path().filename(), "s.toml");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SweepBadInput,
    ::testing::Values(
        BadSweep{"unknown_key", "[[axis]]\nkey = \"curriculum.hardness\"\nvalues = [1]\n",
                 "axis 1 'curriculum.hardness': unknown key"},
        BadSweep{"empty_axis", "[[axis]]\nkey = \"eta\"\nvalues = [1]\n[[axis]]\nkey = \"t_max\"\nvalues = []\n",
                 "axis 2 't_max': empty axis"},
        BadSweep{"non_numeric", "[[axis]]\nkey = \"eta\"\nvalues = [1, \"fast\"]\n",
                 "axis 1 'eta': value \"fast\" is not a number"},
        BadSweep{"non_numeric_range", "[[axis]]\nkey = \"eta\"\nlinear = [1, \"x\", 3]\n", "axis 1 'eta'"},
        BadSweep{"zip_unequal",
                 "[[axis]]\nkey = \"eta\"\nvalues = [1, 2]\nzip = \"a\"\n[[axis]]\nkey = \"t_max\"\nvalues = [1, 2, "
                 "3]\nzip = \"a\"\n",
                 "axis 2 't_max': zip group 'a' of unequal lengths"},
        BadSweep{"unknown_protocol",
                 "[[axis]]\nkey = \"curriculum.protocol\"\nvalues = [\"curriculum\", \"backwards\"]\n",
                 "axis 1 'curriculum.protocol'"},
        BadSweep{"unknown_protocol_in_list", "[sweep]\nprotocols = [\"curriculum\", \"backwards\"]\n",
                 "\"backwards\": unknown protocol"},
        BadSweep{"out_of_range", "[[axis]]\nkey = \"eta\"\nvalues = [1, -2]\n", "axis 1 'eta': key 'eta' = -2"},
        BadSweep{"threshold_out_of_range", "[sweep]\nthresholds = [0.1, 1.5]\n",
                 "key 'sweep.thresholds' = [0.1, 1.5]: allowed: an array of distinct error levels in (0, 1]"},
        BadSweep{"point_beyond_the_step_budget",
                 "[sweep]\nrun = \"sim\"\n[[axis]]\nkey = \"sim.d\"\nvalues = [100, 1000000]\n[[axis]]\n"
                 "key = \"t_max\"\nvalues = [1, 10000000]\n",
                 "point 1 (sim.d = 100, t_max = 10000000): "}),
    [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------------------------
// The numbers of the table.

// Final value of `column` in a tilt CSV (last row).
double last_value(const std::string& csv_path, const std::string& column) {
  const Table t = read_table(csv_path);
  return std::stod(t.at(t.rows.size() - 1, column));
}

TEST(Sweep, RowsHoldWhatTheSameExperimentGivesAloneAndGainsAreTheirDifferences) {
  TempDir dir("sweep_values");
  const std::string file =
      dir.file("s.toml", std::string(kBase) +
                             "[sweep]\nrun = \"theory\"\nprotocols = [\"curriculum\", \"shuffled\"]\n"
                             "reference = \"shuffled\"\nseed = 11\n[[axis]]\nkey = \"curriculum.hard\"\n"
                             "values = [1.0, 3.0]\n");
  const std::string prefix = (dir.path / "o").string();
  const auto r = run_tilt("sweep " + file + " --out " + prefix + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Table t = read_table(prefix + ".csv");
  ASSERT_EQ(t.rows.size(), 2u);
  const tilt::SweepSpec spec = tilt::SweepSpec::from_file(file, {});
  for (std::size_t row = 0; row < 2; ++row) {
    const long long seed = std::stoll(t.at(row, "seed"));
    EXPECT_EQ(seed, tilt::point_seed(11, row));
    // The same experiment through `tilt ode`, alone.
    const std::string hard = row == 0 ? "1" : "3";
    std::map<std::string, double> alone;
    for (const char* protocol : {"curriculum", "shuffled"}) {
      const std::string out = (dir.path / (std::string(protocol) + hard)).string();
      const std::string base_file = dir.file("base.toml",
                                             "model = \"perceptron\"\nt_max = 4.0\neta = 3.0\n"
                                             "[output]\nevery = 0.5\n[sim]\nd = 100\n");
      const auto o =
          run_tilt("ode " + base_file + " --set seed=" + std::to_string(seed) + " --set curriculum.hard=" + hard +
                   " --set curriculum.protocol=" + protocol + " --out " + out);
      ASSERT_EQ(o.exit_code, 0) << o.output;
      for (const char* c : {"eps", "eps_easy", "eps_hard", "eps_mix"})
        alone[std::string(protocol) + "_" + c] = last_value(out + ".csv", c);
    }
    for (const char* c : {"eps", "eps_easy", "eps_hard", "eps_mix"}) {
      EXPECT_EQ(t.num(row, std::string("curriculum_") + c), alone[std::string("curriculum_") + c]) << c;
      EXPECT_EQ(t.num(row, std::string("shuffled_") + c), alone[std::string("shuffled_") + c]) << c;
      // The gap is the reference's final error minus the protocol's (one member: no error).
      EXPECT_NEAR(t.num(row, std::string("curriculum_gap_") + c),
                  alone[std::string("shuffled_") + c] - alone[std::string("curriculum_") + c], 1e-15);
      EXPECT_EQ(t.num(row, std::string("curriculum_gap_") + c + "_se"), 0.0);
    }
    // Compute to solution of one run that reaches eps*: t* x d x 2 (N_r + N_i) multiply-adds (here N_r = N_i =
    // d = 100); the interval of one member is the point itself.
    EXPECT_EQ(t.num(row, "cost_per_step"), 400.0);
    if (t.at(row, "curriculum_reached") == "1") {
      EXPECT_EQ(t.num(row, "curriculum_samples"), t.num(row, "curriculum_t_star_median"));
      EXPECT_NEAR(t.num(row, "curriculum_compute"), t.num(row, "curriculum_t_star_median") * 100 * 400, 1e-6);
      EXPECT_EQ(t.num(row, "curriculum_compute_lo"), t.num(row, "curriculum_compute"));
      EXPECT_EQ(t.num(row, "curriculum_compute_hi"), t.num(row, "curriculum_compute"));
    } else {
      EXPECT_EQ(t.at(row, "curriculum_compute"), "not reached");
    }
  }
  // The record keeps every member's t* per protocol (null: never reached), for cost ratios across points.
  const auto rec = nlohmann::json::parse(read_file(prefix + ".json"));
  for (std::size_t row = 0; row < 2; ++row) {
    const auto& ts = rec["points"][row]["t_star"]["curriculum"];
    ASSERT_EQ(ts.size(), 1u);
    if (t.at(row, "curriculum_t_star_median") == "inf")
      EXPECT_TRUE(ts[0].is_null());
    else
      EXPECT_EQ(ts[0].get<double>(), t.num(row, "curriculum_t_star_median"));
  }
  // The record: the axes, the hash, a timing per point, and the journal gone once the sweep completed.
  const auto json = nlohmann::json::parse(read_file(prefix + ".json"));
  EXPECT_EQ(json["command"], "sweep");
  EXPECT_EQ(json["points"].size(), 2u);
  EXPECT_EQ(json["axes"][0]["key"], "curriculum.hard");
  EXPECT_EQ(json["axes"][0]["scale"], "values");
  EXPECT_FALSE(std::filesystem::exists(prefix + ".journal"));
}

TEST(Sweep, ProtocolAsAnAxisComparesEachPointWithTheReference) {
  TempDir dir("sweep_protocol_axis");
  const std::string file =
      dir.file("s.toml", std::string(kBase) +
                             "[sweep]\nreference = \"shuffled\"\n[[axis]]\nkey = \"curriculum.protocol\"\n"
                             "values = [\"curriculum\", \"shuffled\"]\n");
  const auto r = run_tilt("sweep " + file + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = dir.file("o.csv", r.output);
  const Table t = read_table(csv);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.at(0, "curriculum.protocol"), "curriculum");
  // The point whose protocol is the reference: a gap of exactly 0; the other: the two final errors' difference.
  EXPECT_EQ(t.num(1, "run_gap_eps"), 0.0);
  EXPECT_EQ(t.num(1, "run_eps"), t.num(1, "shuffled_eps"));
  EXPECT_EQ(t.num(0, "run_gap_eps"), t.num(0, "shuffled_eps") - t.num(0, "run_eps"));
  EXPECT_NE(t.num(0, "run_eps"), t.num(0, "shuffled_eps"));
}

TEST(Sweep, DivergingPointIsRecordedWithItsTimeAndTheOthersAreKept) {
  TempDir dir("sweep_diverge");
  const std::string file = dir.file("s.toml", std::string(kBase) + "[[axis]]\nkey = \"eta\"\nvalues = [1, 1000000]\n");
  const std::string prefix = (dir.path / "o").string();
  const auto r = run_tilt("sweep " + file + " --quiet --out " + prefix);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("point 1 (eta = 1000000): ODE diverged at t = "), std::string::npos) << r.output;
  const Table t = read_table(prefix + ".csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_GT(t.num(0, "curriculum_eps"), 0.0);
  EXPECT_EQ(t.at(1, "curriculum_eps"), "failed");
  const auto json = nlohmann::json::parse(read_file(prefix + ".json"));
  EXPECT_EQ(json["sweep"]["failed"], 1);
  EXPECT_NE(json["points"][1]["error"].get<std::string>().find("diverged at t = "), std::string::npos);
}

// Independent references for the gain and compute to solution: synthetic ensembles with known t* and finals.
tilt::Trajectory ramp(double t_cross, double final_eps) {
  // eps falls linearly from 1 at t = 0 to final_eps at t = 10 ... but crosses 0.3 at t_cross (piecewise linear).
  tilt::Trajectory tr;
  tr.columns = {"eps"};
  for (int i = 0; i <= 20; ++i) {
    const double t = 0.5 * i;
    tr.times.push_back(t);
    const double e = t <= t_cross ? 1.0 - 0.7 * t / t_cross : 0.3 - (0.3 - final_eps) * (t - t_cross) / (10 - t_cross);
    tr.rows.push_back({e});
  }
  return tr;
}

TEST(Sweep, GainAndComputeToSolutionMatchHandComputedValues) {
  // Reference: t* = 4, 6, 8, 9.5 (median 7); protocol: t* = 2, 3, 5, never (median 4). Finals chosen by hand
  // (the last protocol member never crosses: its final error is 1 - 0.7 x 10 / 20 = 0.65).
  const std::vector<tilt::Trajectory> ref{ramp(4, 0.2), ramp(6, 0.25), ramp(8, 0.28), ramp(9.5, 0.29)};
  std::vector<tilt::Trajectory> run{ramp(2, 0.1), ramp(3, 0.12), ramp(5, 0.2), ramp(20, 0.4)};
  const tilt::Gain g = tilt::curriculum_gain(ref, run, "eps", 0.3);
  const double diffs[] = {0.2 - 0.1, 0.25 - 0.12, 0.28 - 0.2, 0.29 - 0.65};
  double mean = 0, ss = 0;
  for (double d : diffs) mean += d / 4;
  for (double d : diffs) ss += (d - mean) * (d - mean);
  EXPECT_NEAR(g.gap, mean, 1e-14);
  EXPECT_NEAR(g.gap, -0.0125, 1e-14);
  EXPECT_NEAR(g.gap_se, std::sqrt(ss / 3 / 4), 1e-14);  // paired: member m against member m
  EXPECT_NEAR(g.speedup, 7.0 / 4.0, 1e-12);
  EXPECT_GT(g.speedup_se, 0.0);
  // Cost to solution with restarts: members with t* = 2, 3, 5 succeed, the fourth never reaches eps* by t_max = 10
  // and is charged the 10 it trained: (2 + 3 + 5 + 10) / 3 samples/d per success.
  const tilt::EnsembleMetrics m = tilt::ensemble_metrics(run, "eps", 0.3);
  const tilt::SolutionCost c = tilt::solution_cost(m.t_star, 10);
  ASSERT_TRUE(c.reached);
  EXPECT_EQ(c.successes, 3u);
  EXPECT_NEAR(c.samples, 20.0 / 3, 1e-14);
  // Every bootstrap resample is a multiset of the four members; the most and the least costly with a success.
  EXPECT_LE(c.samples_lo, c.samples);
  EXPECT_GE(c.samples_hi, c.samples);
  EXPECT_GE(c.samples_lo, 2.0);
  EXPECT_TRUE(std::isinf(c.samples_hi) || c.samples_hi <= 5 + 3 * 10);
  // A member that crosses eps* after t_max is a failure.
  EXPECT_NEAR(tilt::solution_cost(m.t_star, 4).samples, (2 + 3 + 4 + 4) / 2.0, 1e-14);
  // No success: not reached.
  const tilt::EnsembleMetrics none = tilt::ensemble_metrics({ramp(20, 0.5)}, "eps", 0.3);
  EXPECT_FALSE(tilt::solution_cost(none.t_star, 10).reached);
  EXPECT_TRUE(std::isnan(tilt::solution_cost(none.t_star, 10).samples));
  // The ratio, reference (t* 4, 6, 8, 9.5: all succeed, 27.5 / 4) over the protocol's 20 / 3.
  const std::vector<double> t_ref = tilt::ensemble_metrics(ref, "eps", 0.3).t_star;
  const tilt::CostRatio r = tilt::solution_cost_ratio({&t_ref, 10, 1}, {&m.t_star, 10, 1}, tilt::Resampling::Paired);
  EXPECT_NEAR(r.ratio, (27.5 / 4) / (20.0 / 3), 1e-14);
  EXPECT_LE(r.lo, r.ratio);
  EXPECT_GE(r.hi, r.ratio);
  // Per-sample costs enter as a factor.
  const tilt::CostRatio r2 =
      tilt::solution_cost_ratio({&t_ref, 10, 3}, {&m.t_star, 10, 1}, tilt::Resampling::Independent);
  EXPECT_NEAR(r2.ratio, 3 * r.ratio, 1e-13);
}

// The estimator against a case with a known answer, and its interval's coverage. For exponential escape times
// T ~ Exp(rate) restarted at t_max the renewal-reward cost E[min(T, t_max)] / P(T <= t_max) is exactly 1 / rate
// whatever t_max (memorylessness). At P = 1/2, charging failures the successes' mean t* (the old estimator) gives
// E[T | T <= t_max] / P = 0.61 / rate, and not charging them at all E[T | T <= t_max] = 0.31 / rate.
// (a) 100 ensembles of 400 members: the mean estimate is 1.004 / rate (ratio-estimator bias ~ (1 - P) / (n P))
// with a spread of 0.007 between such means (simulated independently): within 0.025 of 1. (b) 400 ensembles of 30:
// the 95 % interval covers 1 / rate in 0.94-0.955 of them (simulated), so 0.90-0.98 (binomial sd 0.011).
TEST(Sweep, CostToSolutionIsTheRenewalCostAndItsIntervalCovers) {
  const double rate = 0.5, t_max = std::log(2.0) / rate;
  std::mt19937_64 gen(12345);  // an independent generator: the test shares no code with the bootstrap's stream
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto ensemble = [&](int n) {
    std::vector<double> t(static_cast<std::size_t>(n));
    for (auto& x : t) {
      const double e = -std::log(1.0 - u(gen)) / rate;
      x = e <= t_max ? e : std::numeric_limits<double>::infinity();
    }
    return t;
  };
  double mean = 0;
  for (int k = 0; k < 100; ++k) mean += tilt::solution_cost(ensemble(400), t_max).samples / 100;
  EXPECT_NEAR(mean * rate, 1.0, 0.025);
  int covered = 0;
  const int trials = 400;
  for (int k = 0; k < trials; ++k) {
    const tilt::SolutionCost c = tilt::solution_cost(ensemble(30), t_max);
    covered += c.reached && c.samples_lo <= 1 / rate && 1 / rate <= c.samples_hi;
  }
  EXPECT_GE(covered, 0.90 * trials);
  EXPECT_LE(covered, 0.98 * trials);
}

TEST(Sweep, StepCostIsTheMultiplyAddsOfTheSgdCode) {
  // Counted by hand from models/<name>/sim/: perceptron 2 (N_r + N_i); xgm and scm 2 K d + 3 K with a trained read-out,
  // + K d with weight decay.
  EXPECT_EQ(tilt::sgd_step_multiply_adds(
                tilt::resolve(tilt::Config::from_text("[sim]\nd = 300\n[perceptron]\nrho_i = 0.5\n"))),
            2.0 * (300 + 150));
  EXPECT_EQ(tilt::sgd_step_multiply_adds(
                tilt::resolve(tilt::Config::from_text("model = \"xgm\"\n[sim]\nd = 100\n[xgm]\nK = 8\n"))),
            2.0 * 8 * 100 + 3 * 8);
  EXPECT_EQ(tilt::sgd_step_multiply_adds(tilt::resolve(
                tilt::Config::from_text("model = \"scm\"\nweight_decay = 0.1\n[sim]\nd = 100\n[scm]\nK = 3\n"))),
            3.0 * 3 * 100 + 2 * 3);
}

// ---------------------------------------------------------------------------------------------------------------
// Parallel: the table does not depend on threads or ranks.

const char* kParallelAxes =
    "[sweep]\nrun = \"theory_ensemble\"\nprotocols = [\"curriculum\", \"anti\", \"shuffled\"]\nreference = "
    "\"shuffled\"\nseed = 5\n[base.theory]\nensemble = 3\n[[axis]]\nkey = \"curriculum.hard\"\nlinear = [0.5, 3, 4]\n"
    "[[axis]]\nkey = \"curriculum.easy_fraction\"\nvalues = [0.3, 0.5, 0.7]\n";

TEST(Sweep, TableIsByteIdenticalOnOneAndTwoThreads) {
  TempDir dir("sweep_threads");
  const std::string file = dir.file("s.toml", std::string(kBase) + kParallelAxes);
  const std::string a = (dir.path / "a").string(), b = (dir.path / "b").string();
  ASSERT_EQ(run_tilt("sweep " + file + " --threads 1 --quiet --out " + a).exit_code, 0);
  ASSERT_EQ(run_tilt("sweep " + file + " --threads 2 --quiet --out " + b).exit_code, 0);
  const std::string ta = read_file(a + ".csv");
  EXPECT_EQ(ta, read_file(b + ".csv"));
  EXPECT_EQ(read_table(a + ".csv").rows.size(), 12u);
  // Without --out the same table goes to standard output.
  const auto r = run_tilt("sweep " + file + " --threads 2 --quiet");
  EXPECT_EQ(r.output, ta);
}

TEST(Sweep, TableIsByteIdenticalOnOneTwoAndThreeMpiRanks) {
#ifndef TILT_MPI
  GTEST_SKIP() << "built without -DTILT_MPI=ON";
#else
  TempDir dir("sweep_mpi");
  const std::string file = dir.file("s.toml", std::string(kBase) + kParallelAxes);
  const std::string one = (dir.path / "one").string();
  ASSERT_EQ(run_tilt("sweep " + file + " --threads 1 --quiet --out " + one).exit_code, 0);
  // Open MPI refuses root without these; CI runs as root.
  const std::string env =
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 ";
  for (int ranks : {2, 3}) {
    const std::string out = (dir.path / ("np" + std::to_string(ranks))).string();
    const std::string command = env + "mpirun --oversubscribe -np " + std::to_string(ranks) + " " + TILT_BINARY +
                                " sweep " + file + " --threads 1 --quiet --out " + out + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = pclose(pipe);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
    EXPECT_EQ(read_file(out + ".csv"), read_file(one + ".csv")) << ranks << " ranks";
    const auto json = nlohmann::json::parse(read_file(out + ".json"));
    EXPECT_EQ(json["sweep"]["ranks"], ranks);
  }
#endif
}

// ---------------------------------------------------------------------------------------------------------------
// Long runs survive: SIGKILL mid-way, --resume, the same table; nothing finished is recomputed.

std::size_t journal_points(const std::string& path) {
  std::istringstream in(read_file(path));
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.find("\"cells\"") != std::string::npos ? 1 : 0;
  return n;
}

TEST(Sweep, KilledSweepResumesToTheSameTableWithoutRecomputing) {
  TempDir dir("sweep_resume");
  // 60 points of a theory ensemble; each some tens of milliseconds.
  const std::string file = dir.file(
      "s.toml", std::string(kBase) +
                    "[sweep]\nrun = \"theory_ensemble\"\nprotocols = [\"curriculum\", \"shuffled\"]\nreference = "
                    "\"shuffled\"\n[base.theory]\nensemble = 4\nrtol = 1e-10\n[[axis]]\nkey = \"curriculum.hard\"\n"
                    "linear = [0.5, 3, 20]\n[[axis]]\nkey = \"eta\"\nvalues = [1, 2, 3]\n");
  const std::string whole = (dir.path / "whole").string(), cut = (dir.path / "cut").string();
  ASSERT_EQ(run_tilt("sweep " + file + " --threads 1 --quiet --out " + whole).exit_code, 0);

  // Start it again, kill it with SIGKILL once some points are journaled.
  const std::string out_arg = cut;
  std::vector<std::string> args{TILT_BINARY, "sweep", file, "--threads", "1", "--quiet", "--out", out_arg};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, TILT_BINARY, nullptr, nullptr, argv.data(), environ), 0);
  const std::string journal = cut + ".journal";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (journal_points(journal) < 5 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the sweep finished before it could be killed: make it longer";
  const std::size_t kept = journal_points(journal);
  ASSERT_GE(kept, 5u);
  ASSERT_LT(kept, 60u);
  EXPECT_FALSE(std::filesystem::exists(cut + ".csv"));

  // Without --resume it refuses to start over on top of the journal.
  auto r = run_tilt("sweep " + file + " --quiet --out " + cut);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--resume"), std::string::npos) << r.output;
  // Against a changed sweep (another --set) it refuses, naming why.
  r = run_tilt("sweep " + file + " --set t_max=5 --resume --quiet --out " + cut);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("the sweep changed"), std::string::npos) << r.output;
  // Resumed: the same table, and exactly the journaled points were not recomputed.
  r = run_tilt("sweep " + file + " --threads 2 --resume --out " + cut);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_file(cut + ".csv"), read_file(whole + ".csv"));
  const auto json = nlohmann::json::parse(read_file(cut + ".json"));
  std::size_t resumed = 0;
  for (const auto& p : json["points"]) resumed += p.value("resumed", false) ? 1 : 0;
  EXPECT_EQ(resumed, kept);
  EXPECT_NE(r.output.find(std::to_string(kept) + " of 60 points already"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(journal));
}

// ---------------------------------------------------------------------------------------------------------------
// --dry-run and progress.

TEST(Sweep, DryRunCountsPointsAndEstimatesWithoutWriting) {
  TempDir dir("sweep_dry");
  const std::string file = dir.file("s.toml", std::string(kBase) + kParallelAxes);
  const auto r = run_tilt("sweep " + file + " --dry-run --out " + (dir.path / "o").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("12 points x 3 protocol(s)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("estimate: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("theory probe: point "), std::string::npos) << r.output;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) EXPECT_EQ(entry.path().filename(), "s.toml");
  // Every number it prints (times, costs) has at most 3 significant digits ("9.73 s", not "9.73440844 s"); the
  // hash, a name, is not a number.
  const std::regex number("([0-9]*)\\.?([0-9]*)(e[-+][0-9]+)?[,;)]?");
  std::istringstream words(r.output);
  std::string previous;
  for (std::string w; words >> w; previous = w) {
    std::smatch m;
    if (previous == "hash" || !std::regex_match(w, m, number) || (m[1].length() + m[2].length()) == 0) continue;
    std::string digits = m[1].str() + m[2].str();
    digits.erase(0, digits.find_first_not_of('0'));
    EXPECT_LE(digits.size(), 3u) << "'" << w << "' in: " << r.output;
  }
}

// The dry run's estimate comes from probes that run one member to a fraction of t_max, never a whole point: a
// sweep whose points take minutes is estimated in seconds. Here one xgm point of 64 members to t = 400 (several
// CPU-minutes) is probed to a small fraction of that.
TEST(Sweep, DryRunProbesAFractionOfTheCostliestPoint) {
  TempDir dir("sweep_dry_probe");
  const std::string file =
      dir.file("s.toml", "[base]\nfile = \"" + tilt::testing::source_path("examples/xgm_lottery.toml") +
                             "\"\nt_max = 400.0\n[base.xgm]\nK = 8\n[base.theory]\nensemble = 64\n"
                             "[sweep]\nrun = \"theory_ensemble\"\n[[axis]]\nkey = \"eta\"\nvalues = [1.0, 2.0]\n");
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_tilt("sweep " + file + " --dry-run --threads 1");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::size_t at = r.output.find("1 member to t = ");
  ASSERT_NE(at, std::string::npos) << r.output;
  const double probed = std::stod(r.output.substr(at + 16));
  EXPECT_LT(probed, 400.0) << r.output;   // a fraction of t_max, one member of 64
  EXPECT_LT(seconds, 120.0) << r.output;  // a guard against running the points, not a timing
}

// A --set on a key that is an axis would be overridden at every point without a word: refused, naming the axis.
// --resume without a journal would recompute everything while saying it resumes: refused.
TEST(Sweep, SetOnAnAxisAndResumeWithoutAJournalAreRefused) {
  TempDir dir("sweep_silent");
  const std::string file = dir.file("s.toml", std::string(kBase) + "[[axis]]\nkey = \"eta\"\nvalues = [1, 2]\n");
  auto r = run_tilt("sweep " + file + " --set eta=2 --out " + (dir.path / "o").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--set eta=2: key 'eta' is axis 1 of the sweep (values 1, 2)"), std::string::npos)
      << r.output;
  r = run_tilt("sweep " + file + " --resume --out " + (dir.path / "typo").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--resume: no journal '" + (dir.path / "typo").string() + ".journal'"), std::string::npos)
      << r.output;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) EXPECT_EQ(entry.path().filename(), "s.toml");
  // A --set on any other key is taken, and the record holds it with the command line.
  r = run_tilt("sweep " + file + " --set t_max=3 --quiet --out " + (dir.path / "o").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto record = nlohmann::json::parse(read_file((dir.path / "o").string() + ".json"));
  EXPECT_EQ(record["overrides"], nlohmann::json({"t_max=3"}));
  EXPECT_EQ(record["argv"][1], "sweep");
  EXPECT_EQ(record["argv"][3], "--set");
  EXPECT_EQ(record["experiment"]["t_max"], 3.0);
}

// Success and compute to solution over SGD runs that all start from one initial condition measure SGD noise only:
// the sweep says so, naming the key to change, and the record keeps the warning; with sim.same_init = false not.
TEST(Sweep, SgdLotteryFromOneSharedInitialConditionIsWarnedAbout) {
  TempDir dir("sweep_same_init");
  const std::string file =
      dir.file("s.toml", std::string(kBase) + "[sweep]\nrun = \"sim\"\n[[axis]]\nkey = \"eta\"\nvalues = [1, 2]\n");
  auto r = run_tilt("sweep " + file + " --quiet --out " + (dir.path / "shared").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("tilt: warning: sweep.run = \"sim\" with sim.same_init = true"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("set sim.same_init = false"), std::string::npos) << r.output;
  auto record = nlohmann::json::parse(read_file((dir.path / "shared").string() + ".json"));
  ASSERT_EQ(record["warnings"].size(), 1u);
  r = run_tilt("sweep " + file + " --set sim.same_init=false --quiet --out " + (dir.path / "own").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
  record = nlohmann::json::parse(read_file((dir.path / "own").string() + ".json"));
  EXPECT_TRUE(record["warnings"].empty());
}

// Every shipped example sweep (examples/sweep_*.toml) resolves and passes the run's checks at every point and
// protocol, as `tilt sweep` does before running anything: a key renamed or a value out of range in an example
// fails here, not in a user's hands. (Checking runs nothing, so even the cluster-sized study is cheap.)
TEST(Sweep, EveryExampleSweepResolvesAtEveryPoint) {
  int files = 0, studies = 0;
  std::vector<std::filesystem::directory_entry> entries;
  for (const char* folder : {"examples", "examples/study"})
    for (const auto& entry : std::filesystem::directory_iterator(tilt::testing::source_path(folder)))
      entries.push_back(entry);
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    const bool study = entry.path().parent_path().filename() == "study";
    if ((!study && name.rfind("sweep_", 0) != 0) || entry.path().extension() != ".toml") continue;
    ++files;
    studies += study;
    try {
      tilt::SweepSpec spec = tilt::SweepSpec::from_file(entry.path().string(), {});
      tilt::check_points(spec, 1);
      EXPECT_GE(spec.points.size(), 2u) << name;
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << ": " << e.what();
    }
  }
  EXPECT_GE(files, 12);
  EXPECT_GE(studies, 4);  // examples/study: the compute study and the read-out controls (docs/compute-study.md)
}

// Off a terminal (a log) the progress is at most one line per 10 s plus a final one: a sweep of fractions of a
// second prints one line, not one per point.
TEST(Sweep, ProgressOffATerminalIsAFinalLineForAShortSweep) {
  TempDir dir("sweep_progress");
  const std::string file = dir.file("s.toml", std::string(kBase) + "[[axis]]\nkey = \"eta\"\nvalues = [1, 2, 3]\n");
  const auto r = run_tilt("sweep " + file + " --threads 1 --out " + (dir.path / "o").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::size_t lines = 0;
  for (std::size_t i = r.output.find("sweep: "); i != std::string::npos; i = r.output.find("sweep: ", i + 1)) ++lines;
  EXPECT_EQ(lines, 1u) << r.output;
  EXPECT_NE(r.output.find("sweep: 3/3 points"), std::string::npos) << r.output;
}

}  // namespace
