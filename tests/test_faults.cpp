// Issue 9: nothing hangs, and everything that can be checked before the first step is (exit code 2, a message
// naming the keys and values, nothing written). Every case runs the real binary under `timeout`, so a missing
// guard shows up as exit code 124 (a hang) or a crash, not as a stuck test. The configurations are tiny: when a
// check is missing the run either hangs, crashes, fails late or succeeds, and the expectations below fail.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "support.hpp"

namespace {

using tilt::testing::read_file;
using tilt::testing::TempDir;

struct Result {
  int exit_code;  // 124: timed out (a hang); 128 + n: killed by signal n
  std::string output;
};

// Runs `tilt ARGS` in `dir` (as the working directory) with a time limit, stdout and stderr together.
Result run_in(const std::filesystem::path& dir, const std::string& arguments, const std::string& env = "",
              int limit_seconds = 30) {
  const std::string command = "cd '" + dir.string() + "' && " + env + " timeout -s KILL " +
                              std::to_string(limit_seconds) + " " + TILT_BINARY + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output};
}

// Files in `dir` other than the experiment file(s) `*.toml`.
std::vector<std::string> outputs_in(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.path().extension() != ".toml") out.push_back(entry.path().filename().string());
  return out;
}

const char* kPerceptron = R"(
model = "perceptron"
t_max = 1.0
[output]
every = 0.5
[sim]
d = 100
seeds = 2
threads = 1
)";

const char* kXgm = R"(
model = "xgm"
t_max = 1.0
[output]
every = 0.5
[sim]
d = 100
seeds = 2
threads = 1
[xgm]
K = 2
lines = 64
observable_lines = 256
)";

struct Fault {
  std::string name, model, command, arguments;
  int exit_code;
  std::vector<std::string> must_mention;
};

void PrintTo(const Fault& f, std::ostream* os) { *os << f.name; }

class Faults : public ::testing::TestWithParam<Fault> {};

TEST_P(Faults, AreRefusedBeforeComputingWithAClearMessage) {
  const Fault& f = GetParam();
  TempDir dir("fault_" + f.name);
  dir.file("x.toml", f.model == "xgm" ? kXgm : kPerceptron);
  const Result r = run_in(dir.path, f.command + " x.toml " + f.arguments + " --out run");
  EXPECT_EQ(r.exit_code, f.exit_code) << r.output;
  for (const auto& word : f.must_mention)
    EXPECT_NE(r.output.find(word), std::string::npos) << word << " in: " << r.output;
  EXPECT_EQ(r.output.find("CONSISTENT"), std::string::npos) << "validation ran before the check: " << r.output;
  EXPECT_TRUE(outputs_in(dir.path).empty()) << "written: " << outputs_in(dir.path).front();
}

INSTANTIATE_TEST_SUITE_P(
    Issue9, Faults,
    ::testing::Values(
        // Hangs before: the ODE of a singular field covariance (246 077 rk45 steps for t <= 1 at K = 1).
        Fault{"xgm_no_noise_anywhere",
              "xgm",
              "ode",
              "--set xgm.sigma=0 --set curriculum.easy=0",
              2,
              {"xgm.sigma", "curriculum.easy", "singular", "allowed"}},
        Fault{"xgm_hard_phase_zero_rank_one",
              "xgm",
              "ode",
              "--set xgm.sigma=0.3 --set curriculum.easy=0.1 --set curriculum.hard=0",
              2,
              {"curriculum.hard", "xgm.K = 2", "singular"}},
        Fault{"xgm_validate_singular",
              "xgm",
              "validate",
              "--set xgm.sigma=0 --set curriculum.easy=0",
              2,
              {"xgm.sigma", "curriculum.easy"}},
        Fault{"weight_decay_huge_ode",
              "perceptron",
              "ode",
              "--set weight_decay=1e300",
              2,
              {"weight_decay", "3e+300", "stiff"}},
        Fault{"weight_decay_huge_sim",
              "perceptron",
              "sim",
              "--set weight_decay=1e300",
              2,
              {"weight_decay", "< 0", "sim.d"}},
        Fault{"weight_decay_v_huge_xgm",
              "xgm",
              "sim",
              "--set curriculum.easy=0.1 --set weight_decay_v=1e6",
              2,
              {"weight_decay_v"}},
        Fault{"l2_with_t_max_1e30",
              "perceptron",
              "ode",
              "--set t_max=1e30 --set perceptron.l2=0.1 --set output.points=4",
              2,
              {"perceptron.l2", "t_max = 1e+30"}},
        Fault{"fixed_step_count",
              "perceptron",
              "ode",
              "--set theory.method=euler --set theory.dt=1e-12 --set t_max=1e6 --set output.points=4",
              2,
              {"theory.dt", "fixed steps"}},
        // Crashed before (llround overflow: a segmentation fault or a header-only CSV with negative sgd_steps).
        Fault{"sim_t_max_1e300",
              "perceptron",
              "sim",
              "--set t_max=1e300 --set output.points=4",
              2,
              {"t_max", "sim.d", "sim.max_steps"}},
        Fault{"sim_step_guard",
              "perceptron",
              "sim",
              "--set sim.max_steps=50",
              2,
              {"sim.max_steps = 50", "t_max * sim.d"}},
        Fault{"validate_step_guard", "perceptron", "validate", "--set sim.max_steps=50", 2, {"sim.max_steps"}},
        // bad_alloc before: sizes far beyond memory.
        Fault{"huge_d", "perceptron", "sim", "--set sim.d=100000000000", 2, {"memory", "max_memory_gb", "sim.d"}},
        Fault{"huge_K",
              "xgm",
              "ode",
              "--set curriculum.easy=0.1 --set xgm.sigma=0.3 --set xgm.K=10000000 --set sim.d=20000000",
              2,
              {"memory", "max_memory_gb"}},
        Fault{"huge_output_grid",
              "perceptron",
              "ode",
              "--set output.every=1e-7 --set max_memory_gb=1",
              2,
              {"max_memory_gb = 1", "output.every"}},
        Fault{"absurd_output_grid",
              "perceptron",
              "ode",
              "--set t_max=1e12 --set output.every=1e-3",
              2,
              {"output grid", "rows"}},
        // Clamped silently before.
        Fault{"seed_beyond_64_bits",
              "perceptron",
              "sim",
              "--set seed=99999999999999999999",
              2,
              {"'seed'", "99999999999999999999", "out of range", "2^63 - 1"}},
        Fault{"seed_plus_members_overflows",
              "perceptron",
              "sim",
              "--set seed=9223372036854775807",
              2,
              {"'seed'", "members"}},
        Fault{"integer_beyond_64_bits",
              "perceptron",
              "ode",
              "--set sim.d=0x1ffffffffffffffff",
              2,
              {"'sim.d'", "out of range"}},
        // Failed only after the compute before.
        Fault{"scaling_two_values", "perceptron", "validate", "--scaling 100,200", 2, {"--scaling", "three distinct"}},
        Fault{"scaling_repeated", "perceptron", "validate", "--scaling 100,100,200", 2, {"--scaling", "distinct"}},
        Fault{"scaling_not_a_dimension", "perceptron", "validate", "--scaling 0,100,200", 2, {"--scaling", "d = 0"}},
        Fault{"scaling_too_large",
              "perceptron",
              "validate",
              "--scaling 100,200,100000000000000",
              2,
              {"--scaling at sim.d = 100000000000000"}},
        Fault{"column_unknown",
              "perceptron",
              "validate",
              "--scaling 100,200,300 --column nope",
              2,
              {"--column 'nope'", "Q_r", "eps"}},
        Fault{"column_without_scaling", "perceptron", "validate", "--column R", 2, {"--column", "--scaling"}}),
    [](const auto& info) { return info.param.name; });

// `--out dir/` wrote the hidden files dir/.csv and dir/.json; an existing directory as PREFIX is refused too.
TEST(Faults, OutMustNameFilesNotAFolder) {
  TempDir dir("fault_out_folder");
  dir.file("x.toml", kPerceptron);
  std::filesystem::create_directories(dir.path / "d");
  for (const char* out : {"d/", "d", "d/sub/"}) {
    const Result r = run_in(dir.path, std::string("ode x.toml --out ") + out);
    EXPECT_EQ(r.exit_code, 2) << out << ": " << r.output;
    EXPECT_NE(r.output.find("PREFIX names the output files"), std::string::npos) << r.output;
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path / "d"));
  // A folder that does not exist yet is created before the run, and the command says so (docs/formats.md).
  const Result ok = run_in(dir.path, "ode x.toml --out new/sub/run");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(std::filesystem::exists(dir.path / "new/sub/run.csv"));
  EXPECT_NE(ok.output.find("tilt: created the folder 'new/sub' for --out new/sub/run"), std::string::npos) << ok.output;
  // ... once: into the folder that now exists, nothing more is said.
  const Result again = run_in(dir.path, "ode x.toml --out new/sub/second");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output.find("created the folder"), std::string::npos) << again.output;
}

// An unwritable output folder is found before the run, with the OS reason (the old message named neither).
TEST(Faults, UnwritableOutputFolderIsRefusedWithTheOsReason) {
  TempDir dir("fault_readonly");
  dir.file("x.toml", kPerceptron);
  std::string prefix;
  if (::geteuid() == 0) {
    prefix = "/sys/tilt_test_run";  // root may write anywhere permissions allow; sysfs refuses new files
  } else {
    std::filesystem::create_directories(dir.path / "ro");
    std::filesystem::permissions(dir.path / "ro",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    prefix = "ro/run";
  }
  for (const char* command : {"ode", "sim", "validate"}) {
    const Result r = run_in(dir.path, std::string(command) + " x.toml --out " + prefix);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find("cannot create files in"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Permission denied"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("CONSISTENT"), std::string::npos) << r.output;
  }
  if (::geteuid() != 0) std::filesystem::permissions(dir.path / "ro", std::filesystem::perms::owner_all);
}

// A second run on the same prefix is refused before it computes (validate's three files too).
TEST(Faults, SecondRunOnTheSamePrefixIsRefusedFirst) {
  TempDir dir("fault_second_run");
  dir.file("x.toml", kPerceptron);
  // Two members cannot resolve anything (no sign-flip threshold): INCONCLUSIVE, exit 3, with its files written.
  ASSERT_EQ(run_in(dir.path, "validate x.toml --out v").exit_code, 3);
  const std::string before = read_file((dir.path / "v_sim.csv").string());
  const Result r = run_in(dir.path, "validate x.toml --set eta=1 --out v");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--force"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("CONSISTENT"), std::string::npos) << "validation ran before the refusal: " << r.output;
  EXPECT_EQ(read_file((dir.path / "v_sim.csv").string()), before);
}

// A signal during the write removes the temporary file and ends the process as the signal would.
TEST(Faults, InterruptedWriteLeavesNoTemporaryFile) {
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) {
    TempDir dir("fault_interrupt_" + std::to_string(signal_number));
    dir.file("x.toml", kPerceptron);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (::chdir(dir.path.c_str()) != 0) ::_exit(99);
      ::setenv("TILT_TEST_PAUSE_IN_WRITE", "20", 1);
      for (int s : {SIGTERM, SIGINT, SIGHUP}) ::signal(s, SIG_DFL);  // not inherited as ignored (nohup)
      ::execl(TILT_BINARY, TILT_BINARY, "ode", "x.toml", "--out", "run", "--quiet", static_cast<char*>(nullptr));
      ::_exit(98);
    }
    // Wait (at most 20 s) for the temporary file to appear: the child is then paused inside the write.
    bool seen = false;
    for (int i = 0; i < 2000 && !seen; ++i) {
      for (const auto& entry : std::filesystem::directory_iterator(dir.path))
        seen = seen || entry.path().string().find(".tmp.") != std::string::npos;
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(seen) << "no temporary file appeared";
    ::kill(child, signal_number);
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal_number) << "status " << status;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path))
      EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << "left behind: " << entry.path();
    EXPECT_FALSE(std::filesystem::exists(dir.path / "run.csv"));
  }
}

// An allocation that fails anyway (the memory check raised out of the way) ends with a message, not an abort.
TEST(Faults, OutOfMemoryIsAMessageAndExitCode1) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of shadow memory, which ulimit -v forbids";
#endif
  TempDir dir("fault_bad_alloc");
  dir.file("x.toml", kPerceptron);
  const Result r =
      run_in(dir.path, "sim x.toml --set sim.d=2000000000 --set sim.seeds=1 --set max_memory_gb=1e6 --out run",
             "ulimit -v 4000000;");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("out of memory"), std::string::npos) << r.output;
  EXPECT_TRUE(outputs_in(dir.path).empty());
}

// Progress goes to standard error only: nothing for a short run, a plain line and a final line when standard
// error is not a terminal and the run lasts (here: the first line is due after 0.05 s instead of 10 s), and
// nothing with --quiet. Standard output (the CSV) is the same in every case.
TEST(Faults, ProgressIsOnStandardErrorOnly) {
  TempDir dir("fault_progress");
  dir.file("x.toml", kPerceptron);
  const std::string run = "sim x.toml --set sim.d=1000 --set t_max=20 --set sim.seeds=2 --set sim.threads=1";
  auto stderr_of = [&](const std::string& env, const std::string& extra) {
    const std::string command = "cd '" + dir.path.string() + "' && " + env + " timeout -s KILL 30 " + TILT_BINARY +
                                " " + run + extra + " 2>err.txt >out.csv";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
    return std::make_pair(read_file((dir.path / "err.txt").string()), read_file((dir.path / "out.csv").string()));
  };
  const auto quiet_default = stderr_of("", "");
  const auto shown = stderr_of("TILT_TEST_PROGRESS_AFTER=0.01", "");
  const auto silenced = stderr_of("TILT_TEST_PROGRESS_AFTER=0.01", " --quiet");
  EXPECT_EQ(quiet_default.first, "");  // well under 10 s
  EXPECT_NE(shown.first.find("tilt sim: "), std::string::npos) << shown.first;
  EXPECT_NE(shown.first.find(" of 20, "), std::string::npos) << shown.first;
  EXPECT_NE(shown.first.find("tilt sim: done, 2/2 members in "), std::string::npos) << shown.first;
  EXPECT_EQ(shown.first.find('\r'), std::string::npos) << "a live line on a file";
  EXPECT_EQ(silenced.first, "");
  EXPECT_EQ(shown.second, quiet_default.second);
  EXPECT_EQ(silenced.second, quiet_default.second);
}

}  // namespace
