// The model registry, end to end, on a test-only model registered exactly like the built-in ones
// (tests/linear_model.cpp; docs/adding-a-model.md walks through it): its keys, checks and columns reach the config
// and the records, and `ode`, `sim` and `validate` run it through the library calls the command makes. The ODE is
// checked against its closed-form solution, the SGD against the ODE, and a deliberately wrong ODE is rejected.

// GCC 12's std::regex, inlined under AddressSanitizer at -O2, trips a false -Wmaybe-uninitialized inside
// libstdc++'s std::function (the CI's sanitizer build has -Werror).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <regex>
#include <sstream>

#include "core/columns.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/io.hpp"
#include "core/keys.hpp"
#include "core/limits.hpp"
#include "core/model.hpp"
#include "linear_model.hpp"
#include "models/builtin.hpp"
#include "sim/run.hpp"
#include "support.hpp"
#include "theory/run.hpp"
#include "validate/compare.hpp"

namespace {

using tilt::testing::read_file;
using tilt::testing::source_path;

// The registration: one line per model, the same call models/builtin.cpp makes for each built-in model.
void register_linear_models() {
  static std::once_flag once;
  std::call_once(once, [] {
    tilt::register_model(tilt::linear_model());
    tilt::register_model(tilt::linear_model("linear_wrong", tilt::LinearVariant::WithoutEtaSquared));
  });
}

const char* kLinear = R"(
model = "linear"
seed = 7
t_max = 4.0
eta = 0.5
[curriculum]
protocol = "curriculum"
easy = 0.0
hard = 0.5
[output]
every = 0.25
[theory]
rtol = 1e-10
atol = 1e-12
[sim]
d = 400
seeds = 24
threads = 2
)";

tilt::Config linear_config(const std::vector<std::string>& overrides = {}) {
  register_linear_models();
  return tilt::Config::from_text(kLinear, overrides);
}

// The reference, written from the ODE's solution and sharing no code with tests/linear_model.cpp: in a phase of
// constant Delta from t0, R relaxes to T at rate eta and the error E = Q - 2R + T to eta^2 Delta / kappa at rate
// kappa = 2 eta - eta^2. `eta_squared` = false drops the SGD-noise term (the wrong theory).
struct Overlaps {
  double R, Q;
};
Overlaps closed_form(double t, double eta, double T, double switch_time, double easy, double hard, Overlaps start,
                     bool eta_squared = true) {
  const double q = eta_squared ? eta * eta : 0.0, kappa = 2 * eta - q;
  auto evolve = [&](Overlaps o, double dt, double delta) {
    const double R = T + (o.R - T) * std::exp(-eta * dt);
    const double E0 = o.Q - 2 * o.R + T, E_inf = q * delta / kappa;
    const double E = E_inf + (E0 - E_inf) * std::exp(-kappa * dt);
    return Overlaps{R, E + 2 * R - T};
  };
  if (t <= switch_time) return evolve(start, t, easy);
  return evolve(evolve(start, switch_time, easy), t - switch_time, hard);
}

TEST(LinearModel, RegistersItsKeysChecksAndColumnsLikeABuiltInModel) {
  const tilt::Config config = linear_config();
  EXPECT_EQ(config.real("linear.T"), 1.0);  // its default, from its own key table
  EXPECT_NE(config.to_toml().find("[linear]\nT = 1.0"), std::string::npos) << config.to_toml();
  const auto names = tilt::model_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "linear"), names.end());
  EXPECT_NE(tilt::config_reference_markdown().find("| `linear.T` | number (linear) |"), std::string::npos);
  EXPECT_FALSE(config.has("eta_v"));  // no read-out: the read-out keys do not apply

  auto message = [](const std::vector<std::string>& overrides) -> std::string {
    try {
      linear_config(overrides);
    } catch (const tilt::InputError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  EXPECT_NE(message({"linear.T=-1.0"}).find("key 'linear.T' = -1.0: out of range; allowed: > 0"), std::string::npos);
  EXPECT_NE(message({"linear.S=1"}).find("allowed keys in [linear]: linear.T"), std::string::npos);
  EXPECT_NE(message({"xgm.K=2"}).find("belongs to model xgm"), std::string::npos);
  EXPECT_NE(message({"eta=2.5"}).find("key 'eta' = 2.5: model linear diverges"), std::string::npos);  // its check
  EXPECT_NE(message({"model=nonesuch"}).find("linear, linear_wrong"), std::string::npos);
  EXPECT_THROW(tilt::register_model(tilt::linear_model()), std::invalid_argument);  // one model per name

  // Its output columns are described, and `auto` validation compares its pre-registered columns.
  EXPECT_EQ(tilt::describe_column("linear", "Q_se").meaning,
            "standard error of the mean of Q over the ensemble members (0 for one member)");
  const tilt::ValidationOptions o =
      tilt::validation_options(tilt::resolve(config), {"R", "Q", "eps"}, tilt::Tracking::NotTested);
  EXPECT_EQ(o.bias.columns, (std::vector<std::string>{"eps", "R", "Q"}));
  // The memory guard reads the model's cost estimates: 3 d doubles per network in flight.
  EXPECT_NEAR(tilt::simulation_memory_bytes(tilt::resolve(config), 1) -
                  tilt::simulation_memory_bytes(tilt::resolve(config.with({"sim.d=800"})), 1),
              -3 * 400 * 8.0, 1e-6);
}

// `tilt ode`: the calls run_ode makes (cli/commands.cpp), and the trajectory against the closed form through the
// curriculum's switch at t = 2. A reference without the eta^2 term is far outside the tolerance (the test can fail).
TEST(LinearModel, OdeAgreesWithItsClosedForm) {
  const tilt::Config config = linear_config({"theory.init=nominal"});
  tilt::check_theory_limits(tilt::resolve(config), config.integer("theory.ensemble"));
  const tilt::TheoryResult r = tilt::run_theory(tilt::resolve(config));
  const std::string csv = tilt::to_csv(r.members[0]);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "t,R,Q,eps");
  EXPECT_EQ(tilt::columns_json("linear", csv).size(), 4u);

  const tilt::Trajectory& tr = r.members[0];
  ASSERT_EQ(tr.times.size(), 17u);
  double worst = 0, worst_wrong = 0;
  for (std::size_t i = 0; i < tr.times.size(); ++i) {
    const Overlaps o = closed_form(tr.times[i], 0.5, 1.0, 2.0, 0.0, 0.5, {0.0, 1.0});
    const Overlaps w = closed_form(tr.times[i], 0.5, 1.0, 2.0, 0.0, 0.5, {0.0, 1.0}, false);
    const double eps = 0.5 * (o.Q - 2 * o.R + 1.0);
    worst = std::max(
        {worst, std::fabs(tr.rows[i][0] - o.R), std::fabs(tr.rows[i][1] - o.Q), std::fabs(tr.rows[i][2] - eps)});
    worst_wrong = std::max(worst_wrong, std::fabs(tr.rows[i][1] - w.Q));
  }
  EXPECT_LT(worst, 1e-8);
  EXPECT_GT(worst_wrong, 1e-2);
}

// theory.init = "file": a run continued from a row of its own CSV (by column name) lands where the whole run does.
TEST(LinearModel, OdeContinuesFromARowOfItsOwnCsv) {
  const tilt::testing::TempDir dir("linear_init");
  const tilt::Config whole = linear_config({"theory.init=nominal", "curriculum.protocol=hard"});
  const tilt::Trajectory a = tilt::run_theory(tilt::resolve(whole)).members[0];
  const std::string csv = dir.file("whole.csv", tilt::to_csv(a));
  const tilt::Config rest = linear_config(
      {"theory.init=file", "theory.init_file=" + csv, "theory.init_t=2", "t_max=2", "curriculum.protocol=hard"});
  const tilt::Trajectory b = tilt::run_theory(tilt::resolve(rest)).members[0];
  ASSERT_EQ(a.times.back(), 4.0);
  ASSERT_EQ(b.times.back(), 2.0);
  for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(b.rows.back()[j], a.rows.back()[j], 1e-8) << a.columns[j];
  EXPECT_GT(std::fabs(a.rows.back()[1] - a.rows[8][1]), 1e-3);  // the continuation did move
}

// `tilt sim` against `tilt ode` from the same initial weights: every mean within 4.5 standard errors (17 times x 3
// columns: a false alarm has probability ~4e-4); the wrong ODE is many standard errors away.
TEST(LinearModel, SgdAgreesWithItsOde) {
  const tilt::Config config = linear_config();
  tilt::check_simulation_limits(tilt::resolve(config), config.integer("sim.seeds"));
  const tilt::SimResult sim = tilt::run_sim(tilt::resolve(config));
  const std::string csv = tilt::to_csv(sim.ensemble);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "t,R,Q,eps,R_se,Q_se,eps_se,seeds");
  const tilt::Trajectory ode =
      tilt::run_theory(tilt::resolve(config)).members[0];  // sampled: the seed's own initial weights
  const tilt::Trajectory wrong = tilt::run_theory(tilt::resolve(linear_config({"model=linear_wrong"}))).members[0];
  ASSERT_EQ(ode.times, sim.ensemble.mean.times);
  for (const auto& member : sim.members) EXPECT_EQ(ode.rows[0], member.rows[0]);  // the same weights, bit for bit
  double worst_z = 0, worst_wrong_z = 0;
  for (std::size_t i = 1; i < ode.times.size(); ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      const double se = sim.ensemble.se[i][j];
      ASSERT_GT(se, 0);
      worst_z = std::max(worst_z, std::fabs(sim.ensemble.mean.rows[i][j] - ode.rows[i][j]) / se);
      worst_wrong_z = std::max(worst_wrong_z, std::fabs(sim.ensemble.mean.rows[i][j] - wrong.rows[i][j]) / se);
    }
  std::printf(
      "linear model, d = 400, 24 seeds: max |SGD mean - ODE| / se = %.2f; against the ODE without the eta^2 "
      "term: %.1f\n",
      worst_z, worst_wrong_z);
  EXPECT_LT(worst_z, 4.5);
  EXPECT_GT(worst_wrong_z, 20);
}

// Member m of a theory ensemble starts from the initial weights of sim seed m (theory.ensemble, same_init = false).
TEST(LinearModel, TheoryEnsembleMembersAreTheTwinsOfSimulationSeeds) {
  const tilt::Config config = linear_config({"theory.ensemble=3", "sim.seeds=3", "sim.same_init=false"});
  const tilt::TheoryResult theory = tilt::run_theory(tilt::resolve(config));
  const tilt::SimResult sim = tilt::run_sim(tilt::resolve(config));
  for (std::size_t m = 0; m < 3; ++m) EXPECT_EQ(theory.members[m].rows[0], sim.members[m].rows[0]) << m;
  EXPECT_NE(theory.members[0].rows[0], theory.members[1].rows[0]);
}

// `tilt validate`: the calls run_validate makes. The right theory is CONSISTENT (and resolved); the one without the
// eta^2 term is INCONSISTENT.
TEST(LinearModel, ValidateAcceptsItsTheoryAndRejectsAWrongOne) {
  const tilt::Config config = linear_config();
  tilt::check_validation_limits(tilt::resolve(config));
  const tilt::ValidationRun run = tilt::validate_experiment(tilt::resolve(config));
  EXPECT_EQ(run.options.bias.columns, (std::vector<std::string>{"eps", "R", "Q"}));
  EXPECT_EQ(run.agreement.verdict, tilt::Verdict::Consistent) << run.agreement.table();

  const tilt::ValidationRun wrong = tilt::validate_experiment(tilt::resolve(linear_config({"model=linear_wrong"})));
  EXPECT_EQ(wrong.agreement.verdict, tilt::Verdict::Inconsistent) << wrong.agreement.table();
  std::printf("right ODE:\n%s\nODE without the eta^2 term:\n%s", run.agreement.table().c_str(),
              wrong.agreement.table().c_str());
}

// `text` without its comments and without the text of its prose string literals, those with a blank (messages and
// documentation, which may cite a model as an example: "For the perceptron it adds to perceptron.l2."). Literals
// without a blank stay whole ("xgm", "xgm.K", "models/xgm/core/xgm.hpp"), as does everything else.
std::string code_of(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      if (i == std::string::npos) break;
    } else if (text.compare(i, 2, "/*") == 0) {
      i = text.find("*/", i + 2);
      if (i == std::string::npos) break;
      i += 2;
      out += ' ';
    } else if (text[i] == '"' || text[i] == '\'') {
      const char quote = text[i];
      std::size_t j = i + 1;
      while (j < text.size() && text[j] != quote) j += text[j] == '\\' ? 2 : 1;
      const std::string literal = text.substr(i, j + 1 - i);
      const bool prose = literal.find_first_of(" \t\n") != std::string::npos;
      out += prose ? std::string(2, quote) : literal;
      i = j + 1;
    } else {
      out += text[i++];
    }
  }
  return out;
}

// All dispatch goes through the registry: no code outside a model's folder models/<name>/ names a built-in model —
// not as a string ("xgm" in a comparison, a key "xgm.K"), an identifier (xgm_problem, XgmParams) or an include
// ("models/xgm/core/xgm.hpp"). Scanned: every .cpp and .hpp under core/, theory/, sim/, validate/, sweep/, api/,
// cli/ and directly in models/ (builtin.*, whose one list line, TILT_BUILTIN_MODELS, is the only place allowed
// to name them), without comments and prose strings (code_of); and a model's folder names no other model, so
// that it can be copied on its own. Out of scope: tests/, bench/ and python/, which test and time
// the models by name. The names are the registry's, so a new built-in model is covered without editing this test.
TEST(LinearModel, NoCodeOutsideAModelsFolderNamesIt) {
  std::vector<std::string> names;
  for (const tilt::ModelDescriptor& model : tilt::builtin_models()) names.push_back(model.name);
  ASSERT_GE(names.size(), 3u);
  auto lower = [](std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  // Every file of the tree, and the model whose folder holds it ("" outside every model's folder).
  int outside = 0, inside = 0;
  auto scan = [&](const std::filesystem::path& path, const std::string& owner) {
    if (path.extension() != ".cpp" && path.extension() != ".hpp") return;
    ++(owner.empty() ? outside : inside);
    std::string code = lower(code_of(read_file(path.string())));
    if (path.filename() == "builtin.hpp" && owner.empty()) {  // the list itself
      const std::string list = lower("#define TILT_BUILTIN_MODELS(MODEL)");
      const std::size_t at = code.find(list);
      EXPECT_NE(at, std::string::npos) << path;
      if (at != std::string::npos) code.erase(at, code.find('\n', at) - at);
    }
    for (const std::string& name : names) {
      if (name == owner) continue;
      EXPECT_EQ(code.find(name), std::string::npos)
          << path.string() << " names model " << name << " (outside models/" << name << "/)";
    }
  };
  for (const char* layer : {"core", "theory", "sim", "validate", "sweep", "api", "cli"})
    for (const auto& entry : std::filesystem::recursive_directory_iterator(source_path(layer)))
      if (entry.is_regular_file()) scan(entry.path(), "");
  for (const auto& entry : std::filesystem::directory_iterator(source_path("models"))) {
    if (entry.is_regular_file()) scan(entry.path(), "");
    if (!entry.is_directory()) continue;
    for (const auto& file : std::filesystem::recursive_directory_iterator(entry.path()))
      if (file.is_regular_file()) scan(file.path(), entry.path().filename().string());
  }
  EXPECT_GT(outside, 60);
  EXPECT_GT(inside, 30);
}

// docs/adding-a-model.md quotes this model's code: every block it marks `// from tests/linear_model.cpp` (or
// another file) must appear verbatim in that file, so the walk-through cannot drift from code that runs.
TEST(LinearModel, WalkThroughQuotesTheCodeVerbatim) {
  const std::string doc = read_file(source_path("docs/adding-a-model.md"));
  const std::regex block("```cpp\\n// from ([^\\n]+)\\n([\\s\\S]*?)```");
  int blocks = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), block), end; it != end; ++it, ++blocks) {
    const std::string file = (*it)[1], code = (*it)[2];
    const std::string source = read_file(source_path(file));
    ASSERT_FALSE(source.empty()) << file;
    std::istringstream lines(code);  // line by line, ignoring the indentation of the excerpt
    for (std::string line; std::getline(lines, line);) {
      const auto start = line.find_first_not_of(' ');
      if (start == std::string::npos) continue;
      EXPECT_NE(source.find(line.substr(start)), std::string::npos) << file << ": " << line;
    }
  }
  EXPECT_GE(blocks, 5);
}

}  // namespace
