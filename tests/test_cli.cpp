// The command's contract (docs/architecture.md): subcommands, exit codes, clear messages for bad input, files written
// atomically and never overwritten without --force, blow-ups reported with their time and never written out.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "sim/run.hpp"
#include "support.hpp"

namespace {

using tilt::testing::read_file;
using tilt::testing::run_tilt;
using tilt::testing::TempDir;

const char* kSmall = R"(
model = "perceptron"
t_max = 2.0
[output]
every = 0.5
[sim]
d = 200
seeds = 3
)";

struct BadInput {
  std::string name, file_text, override_arg, must_mention[3];
};

void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }

class CliBadInput : public ::testing::TestWithParam<BadInput> {};

// One clear message naming the key, the value and what is allowed; exit code 2; nothing written.
TEST_P(CliBadInput, IsRejectedWithExitCode2AndAClearMessage) {
  const BadInput& c = GetParam();
  TempDir dir("bad_" + c.name);
  // Top-level assignments go before the tables of kSmall, tables after them.
  const bool is_table = !c.file_text.empty() && c.file_text[0] == '[';
  const std::string file =
      dir.file("x.toml", is_table ? std::string(kSmall) + "\n" + c.file_text : c.file_text + kSmall);
  for (const char* command : {"ode", "sim", "validate", "config"}) {
    const auto r =
        run_tilt(std::string(command) + " " + file + " " + c.override_arg + " --out " + (dir.path / "o").string());
    if (std::string(command) == "config") continue;  // config has no --out; checked below
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    for (const auto& word : c.must_mention) {
      if (word.empty()) continue;
      EXPECT_NE(r.output.find(word), std::string::npos) << command << " output: " << r.output;
    }
  }
  const auto r = run_tilt("config " + file + " " + c.override_arg);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  // Nothing written by any command (ode/sim: o.csv, o.json; validate: o_theory.csv, o_sim.csv, o_validate.json;
  // no temporary files): the input is all the directory holds.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path))
    EXPECT_EQ(entry.path().filename(), "x.toml") << "written despite bad input: " << entry.path();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    ::testing::Values(
        BadInput{"unknown_key", "[theory]\nrtoll = 1e-6\n", "", {"theory.rtoll", "theory.rtol", "unknown key"}},
        BadInput{"unknown_table", "[thoery]\nrtol = 1e-6\n", "", {"thoery", "allowed tables", "[theory]"}},
        BadInput{"unknown_override", "", "--set sim.dd=100", {"sim.dd", "sim.d", "unknown key"}},
        BadInput{"wrong_type", "", "--set sim.seeds=ten", {"sim.seeds", "ten", "integer"}},
        BadInput{"wrong_type_file", "eta = \"fast\"\n", "", {"'eta'", "\"fast\"", "> 0"}},
        BadInput{"negative_delta", "", "--set curriculum.hard=-1", {"curriculum.hard", "-1", ">= 0"}},
        BadInput{"T_zero", "", "--set perceptron.T=0", {"perceptron.T", "0", "> 0"}},
        BadInput{"eta_negative", "", "--set eta=-0.5", {"'eta'", "-0.5", "> 0"}},
        BadInput{"t_max_zero", "", "--set t_max=0", {"t_max", "0", "> 0"}},
        BadInput{"seeds_zero", "", "--set sim.seeds=0", {"sim.seeds", "0", ">= 1"}},
        BadInput{"unknown_protocol",
                 "",
                 "--set curriculum.protocol=backwards",
                 {"curriculum.protocol", "backwards", "curriculum, anti, shuffled"}},
        BadInput{"unsorted_custom",
                 "",
                 "--set curriculum.protocol=custom --set 'curriculum.segments=[[0,0],[1.5,2],[1,1]]'",
                 {"curriculum.segments", "not sorted", "strictly increasing"}},
        BadInput{"wrong_model_table", "[scm]\nK = 3\n", "", {"scm", "perceptron", "allowed"}}),
    [](const auto& info) { return info.param.name; });

TEST(Cli, VersionAndHelpEverywhere) {
  auto r = run_tilt("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("tilt 0."), std::string::npos);
  for (const char* sub : {"", "ode", "sim", "validate", "config"}) {
    r = run_tilt(std::string(sub) + " --help");
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.output.find("--help"), std::string::npos) << sub;
  }
  EXPECT_EQ(run_tilt("").exit_code, 2);
  EXPECT_EQ(run_tilt("frobnicate").exit_code, 2);
  EXPECT_EQ(run_tilt("ode /no/such/file.toml").exit_code, 2);
}

// The command line's own errors (CLI11's) read like tilt's: one line "tilt: error: ...", exit code 2, naming the
// option and value with what is allowed in plain numbers, the nearest valid option, the missing file's path.
TEST(Cli, ParseErrorsAreOneLineInTiltsStyleWithExitCode2) {
  TempDir dir("cli_parse_errors");
  const std::string file = dir.file("x.toml", kSmall);
  struct Case {
    std::string arguments;
    std::vector<std::string> must_mention;
  };
  const std::vector<Case> cases = {
      {"sweep " + file + " --threads -1",
       {"--threads -1: out of range", "allowed: an integer from 0 (all cores) to 65536"}},
      {"sweep " + file + " --threads 70000", {"--threads 70000: out of range", "65536"}},
      {"sweep " + file + " --threads abc", {"--threads abc", "allowed: an integer from 0 (all cores) to 65536"}},
      {"ode " + file + " --sett eta=2", {"unknown option '--sett'; did you mean --set?", "tilt ode --help"}},
      {"sweep " + file + " --dryrun", {"unknown option '--dryrun'; did you mean --dry-run?"}},
      {"ode " + file + " --frobnicate", {"unknown option '--frobnicate'", "tilt ode --help"}},
      {"ode " + (dir.path / "nonexist.toml").string(),
       {"cannot open experiment file '" + (dir.path / "nonexist.toml").string() + "'", "No such file"}},
      {"sweep " + (dir.path / "nonexist.toml").string(), {"cannot open sweep file", "nonexist.toml"}},
      {"odee " + file,
       {"unknown command 'odee' (did you mean ode?)", "allowed: ode, sim, validate, sweep, optimize, config"}},
      {"", {"no command given; allowed: ode, sim, validate, sweep, optimize, config"}},
      {"ode", {"FILE is required", "tilt ode --help"}},
      {"ode " + file + " --out", {"--out needs a value", "allowed: a file prefix"}},
      {"validate " + file + " --scaling 500,x,2000", {"--scaling", "allowed: at least three distinct integers"}},
  };
  for (const auto& c : cases) {
    const auto r = run_tilt(c.arguments);
    EXPECT_EQ(r.exit_code, 2) << c.arguments << ": " << r.output;
    EXPECT_EQ(r.output.rfind("tilt: error: ", 0), 0u) << c.arguments << ": " << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << c.arguments << ": " << r.output;
    for (const auto& word : c.must_mention)
      EXPECT_NE(r.output.find(word), std::string::npos) << c.arguments << ": " << r.output;
    EXPECT_EQ(r.output.find("17976931348623157"), std::string::npos) << r.output;  // no DBL_MAX range
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) EXPECT_EQ(entry.path().filename(), "x.toml");
}

// A setting that another makes inert is named in a warning (standard error and the record); one that takes
// effect is not. The records hold the command line and the --set list.
TEST(Cli, InertSettingsAreWarnedAboutAndRecordsHoldTheCommandLine) {
  TempDir dir("cli_inert");
  const std::string file = dir.file("x.toml", kSmall);
  const std::string out = (dir.path / "rk4").string();
  auto r =
      run_tilt("ode " + file + " --set theory.method=rk4 --set theory.rtol=1e-6 --set theory.dt=0.01 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string warning =
      "key 'theory.rtol' = 1e-06 has no effect: theory.method = \"rk4\" takes fixed steps of theory.dt";
  EXPECT_NE(r.output.find("tilt: warning: " + warning), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("theory.dt' ="), std::string::npos) << r.output;  // dt does apply under rk4
  auto record = nlohmann::json::parse(read_file(out + ".json"));
  ASSERT_EQ(record["warnings"].size(), 1u) << record["warnings"];
  EXPECT_EQ(record["warnings"][0].get<std::string>().rfind(warning, 0), 0u);
  EXPECT_EQ(record["overrides"], nlohmann::json({"theory.method=rk4", "theory.rtol=1e-6", "theory.dt=0.01"}));
  const auto argv = record["argv"].get<std::vector<std::string>>();
  ASSERT_EQ(argv.size(), 11u);
  EXPECT_EQ(argv[0], TILT_BINARY);
  EXPECT_EQ(argv[1], "ode");
  EXPECT_EQ(argv[4], "theory.method=rk4");
  // dt under an adaptive method, and the log grid's t_min under linear spacing, are named too.
  r = run_tilt("ode " + file + " --set theory.dt=0.02 --set output.t_min=0.1 --quiet");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("tilt: warning: key 'theory.dt' = 0.02 has no effect: theory.method = \"dopri5\""),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("tilt: warning: key 'output.t_min' = 0.1 has no effect: output.spacing = \"linear\""),
            std::string::npos)
      << r.output;
  // Nothing inert: no warning, an empty list in the record.
  r = run_tilt("sim " + file + " --quiet --out " + (dir.path / "plain").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
  record = nlohmann::json::parse(read_file((dir.path / "plain").string() + ".json"));
  EXPECT_TRUE(record["warnings"].empty());
  EXPECT_TRUE(record["overrides"].empty());
}

TEST(Cli, OdeWritesCsvAndJsonAndRefusesToOverwrite) {
  TempDir dir("ode_out");
  const std::string file = dir.file("x.toml", kSmall), prefix = (dir.path / "run").string();
  auto r = run_tilt("ode " + file + " --out " + prefix);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = read_file(prefix + ".csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "t,Q_r,Q_i,R,eps,eps_easy,eps_hard,eps_mix,loss");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);  // header + t = 0, 0.5, ..., 2
  const auto json = nlohmann::json::parse(read_file(prefix + ".json"));
  EXPECT_EQ(json["experiment"]["eta"], 3.0);
  EXPECT_EQ(json["experiment"]["curriculum"]["protocol"], "curriculum");
  EXPECT_GT(json["theory"]["steps"].get<long long>(), 0);
  EXPECT_GT(json["theory"]["rhs_evaluations"].get<long long>(), json["theory"]["steps"].get<long long>());
  EXPECT_TRUE(json.contains("git_revision") && json.contains("tilt_version") && json.contains("host"));

  r = run_tilt("ode " + file + " --set eta=1.0 --out " + prefix);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--force"), std::string::npos);
  EXPECT_EQ(read_file(prefix + ".csv"), csv);  // untouched
  r = run_tilt("ode " + file + " --set eta=1.0 --out " + prefix + " --force");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(read_file(prefix + ".csv"), csv);
  EXPECT_EQ(read_file(prefix + ".csv"), run_tilt("ode " + file + " --set eta=1.0").output);  // the new run's CSV
  for (const auto& entry : std::filesystem::directory_iterator(dir.path))  // no temporary files left behind
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
}

TEST(Cli, SimWritesStandardErrorsAndSeeds) {
  TempDir dir("sim_out");
  const std::string file = dir.file("x.toml", kSmall);
  const auto r = run_tilt("sim " + file);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string header = r.output.substr(0, r.output.find('\n'));
  EXPECT_NE(header.find(",R,"), std::string::npos);
  EXPECT_NE(header.find(",R_se,"), std::string::npos);
  EXPECT_EQ(header.substr(header.size() - 6), ",seeds");

  // The lottery summary of the SGD ensemble, as for a theory ensemble: every member's t* and the success rate.
  // eps* is put between the members' final errors (computed here from the same runs through the library), so
  // exactly one member of three succeeds (eps(t_max) <= eps*) and only the right count passes.
  const tilt::Config config = tilt::Config::from_file(file);
  const tilt::SimResult members = tilt::run_sim(tilt::resolve(config));
  ASSERT_EQ(members.members.size(), 3u);
  std::vector<double> finals;
  for (const auto& m : members.members) finals.push_back(m.rows.back()[m.column("eps")]);
  std::sort(finals.begin(), finals.end());
  ASSERT_LT(finals[0], finals[1]);
  const double eps_star = 0.5 * (finals[0] + finals[1]);
  std::vector<double> t_star;  // first eps <= eps*, linearly interpolated (docs/models.md section 5), or none
  for (const auto& m : members.members) {
    const std::size_t j = m.column("eps");
    double first = -1;
    for (std::size_t i = 0; i < m.times.size() && first < 0; ++i)
      if (m.rows[i][j] <= eps_star)
        first = i == 0 ? m.times[0]
                       : m.times[i - 1] + (m.times[i] - m.times[i - 1]) * (m.rows[i - 1][j] - eps_star) /
                                              (m.rows[i - 1][j] - m.rows[i][j]);
    t_star.push_back(first);
  }
  const std::string prefix = (dir.path / "run").string();
  std::ostringstream set_star;
  set_star.precision(17);
  set_star << eps_star;
  ASSERT_EQ(run_tilt("sim " + file + " --set metrics.eps_star=" + set_star.str() + " --out " + prefix).exit_code, 0);
  const auto metrics = nlohmann::json::parse(read_file(prefix + ".json"))["metrics"];
  EXPECT_EQ(metrics["members"], 3);
  EXPECT_DOUBLE_EQ(metrics["success_probability"].get<double>(), 1.0 / 3);
  ASSERT_EQ(metrics["t_star"].size(), 3u);
  for (std::size_t m = 0; m < 3; ++m) {
    if (t_star[m] < 0)
      EXPECT_TRUE(metrics["t_star"][m].is_null()) << m;
    else
      EXPECT_NEAR(metrics["t_star"][m].get<double>(), t_star[m], 1e-12) << m;
  }
}

TEST(Cli, DivergenceIsReportedWithTheTimeAndNothingIsWritten) {
  TempDir dir("diverge");
  const std::string file = dir.file("x.toml", kSmall), prefix = (dir.path / "run").string();
  for (const char* command : {"ode", "sim"}) {
    const auto r = run_tilt(std::string(command) + " " + file + " --set eta=1e6 --set sim.d=50 --out " + prefix);
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.output;
    EXPECT_NE(r.output.find("diverged at t = "), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(prefix + ".csv"));
    EXPECT_EQ(r.output.find("nan"), std::string::npos);
  }
}

// Exit codes of the verdict: 0 consistent, 3 inconclusive (too few members to resolve anything), 1 inconsistent
// (d = 10: with 400 seeds the O(1/d) bias of the mean is resolved and rejected).
TEST(Cli, ValidateExitCodesFollowTheVerdict) {
  TempDir dir("validate");
  const std::string file = dir.file("x.toml", std::string(kSmall) + "\n");
  auto r = run_tilt("validate " + file + " --set sim.d=1000 --set sim.seeds=30");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\nCONSISTENT (exit 0)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("catches with 90% probability a shift of"), std::string::npos) << r.output;
  r = run_tilt("validate " + file + " --set sim.d=1000 --set sim.seeds=3");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("\nINCONCLUSIVE (exit 3)"), std::string::npos) << r.output;
  r = run_tilt("validate " + file + " --set sim.d=10 --set sim.seeds=400 --set t_max=4");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("\nINCONSISTENT (exit 1): the ensemble mean is biased"), std::string::npos) << r.output;
}

TEST(Cli, ConfigPrintsEveryDefaultAndTheReferenceMatchesTheDocs) {
  TempDir dir("config");
  const auto r = run_tilt("config " + dir.file("x.toml", kSmall) + " --set eta=1.25");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("eta = 1.25"), std::string::npos);
  EXPECT_NE(r.output.find("rtol = 1e-08"), std::string::npos);
  EXPECT_NE(r.output.find("[perceptron]"), std::string::npos);
  const auto reference = run_tilt("config --reference");
  EXPECT_EQ(reference.output, read_file(tilt::testing::source_path("docs/config.md")))
      << "docs/config.md is stale: regenerate it with `build/tilt config --reference > docs/config.md`";
}

// The resolved experiment printed by `tilt config` is itself a valid experiment giving the same run.
TEST(Cli, ResolvedConfigRoundTrips) {
  TempDir dir("roundtrip");
  const std::string file = dir.file("x.toml", kSmall);
  const auto resolved = run_tilt("config " + file +
                                 " --set curriculum.protocol=custom "
                                 "--set 'curriculum.segments=[[0, 0.5], [1.0, 1.5]]'");
  ASSERT_EQ(resolved.exit_code, 0) << resolved.output;
  const std::string again = dir.file("resolved.toml", resolved.output);
  EXPECT_EQ(
      run_tilt("ode " + again).output,
      run_tilt("ode " + file + " --set curriculum.protocol=custom --set 'curriculum.segments=[[0, 0.5], [1.0, 1.5]]'")
          .output);
}

}  // namespace
