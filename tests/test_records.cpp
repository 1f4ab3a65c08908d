// One truth for config and records: `tilt config` rejects exactly what a run rejects (same exit code, same
// message); the files and JSON keys each command writes are those docs/formats.md lists (its ```outputs blocks)
// and `--help` names; the JSON record's `columns` describes exactly the CSV columns written, from the one
// description in each model's descriptor (models/<model>.cpp), which docs/formats.md's column table matches.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/columns.hpp"
#include "core/config.hpp"
#include "core/io.hpp"
#include "models/builtin.hpp"
#include "sim/run.hpp"
#include "support.hpp"
#include "theory/run.hpp"

namespace {

using tilt::testing::read_file;
using tilt::testing::run_tilt;
using tilt::testing::source_path;
using tilt::testing::TempDir;

// ---------------------------------------------------------------------------------------------------------------
// Model-specific checks: config and a run reject the same inputs with the same message.

std::string error_line(const std::string& output) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("tilt: error: ", 0) == 0) return line;
  return "(no 'tilt: error:' line in: " + output + ")";
}

struct BadModelInput {
  std::string name, base, overrides, must_mention;
};
void PrintTo(const BadModelInput& c, std::ostream* os) { *os << c.name; }

const char* kScm = "model = \"scm\"\nt_max = 0.5\n[output]\nevery = 0.25\n[sim]\nd = 50\nseeds = 2\n";
const char* kXgm =
    "model = \"xgm\"\nt_max = 0.5\n[curriculum]\nprotocol = \"easy\"\neasy = 0.5\n[output]\n"
    "every = 0.25\n[xgm]\nK = 2\nsigma = 0.3\nlines = 64\nobservable_lines = 64\n[sim]\nd = 50\n"
    "seeds = 2\n";

class ModelChecks : public ::testing::TestWithParam<BadModelInput> {};

TEST_P(ModelChecks, ConfigAndRunsRejectWithTheSameMessage) {
  const BadModelInput& c = GetParam();
  TempDir dir("model_check_" + c.name);
  const std::string file = dir.file("x.toml", c.base);
  const auto config = run_tilt("config " + file + " " + c.overrides);
  EXPECT_EQ(config.exit_code, 2) << config.output;
  const std::string message = error_line(config.output);
  EXPECT_NE(message.find(c.must_mention), std::string::npos) << message;
  for (const char* command : {"ode", "sim", "validate"}) {
    const auto run =
        run_tilt(std::string(command) + " " + file + " " + c.overrides + " --out " + (dir.path / "o").string());
    EXPECT_EQ(run.exit_code, 2) << command << ": " << run.output;
    EXPECT_EQ(error_line(run.output), message) << command;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path))  // nothing written but the input
    EXPECT_EQ(entry.path().filename(), "x.toml");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ModelChecks,
    ::testing::Values(BadModelInput{"scm_T_not_positive_definite", kScm, "--set 'scm.T=[[1.0, 2.0], [2.0, 1.0]]'",
                                    "scm.T"},
                      BadModelInput{"scm_T_not_symmetric", kScm, "--set 'scm.T=[[1.0, 0.5], [0.2, 1.0]]'", "symmetric"},
                      BadModelInput{"scm_T_wrong_shape", kScm, "--set 'scm.T=[[1.0]]'", "scm.T"},
                      BadModelInput{"scm_A_wrong_length", kScm, "--set 'scm.A=[[1.0, 2.0, 3.0]]'", "scm.A"},
                      BadModelInput{"scm_v0_wrong_length", kScm, "--set 'scm.v0=[[1.0]]'", "scm.v0"},
                      BadModelInput{"scm_M_above_d", kScm, "--set scm.M=3 --set sim.d=2", "scm.M"},
                      BadModelInput{"xgm_preset_needs_D2", kXgm, "--set xgm.D=1", "xgm.D"},
                      BadModelInput{"xgm_cluster_label", kXgm, "--set 'xgm.clusters=[[1.0, 0.0, 2.0, 1.0]]'", "label"},
                      BadModelInput{"xgm_cluster_probabilities", kXgm,
                                    "--set 'xgm.clusters=[[1.0, 0.0, 1.0, 0.5], [0.0, 1.0, -1.0, 0.2]]'", "sum"},
                      BadModelInput{"xgm_cluster_row_length", kXgm, "--set 'xgm.clusters=[[1.0, 1.0, 1.0]]'", "D + 2"},
                      BadModelInput{"xgm_d_too_small", kXgm, "--set sim.d=3", "sim.d"}),
    [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------------------------
// docs/formats.md's ```outputs blocks: command, files, JSON keys (`key?` optional, `key{a b}` nested keys).

struct JsonKey {
  std::string name;
  bool optional = false;
  bool nested_listed = false;
  std::set<std::string> nested;
};

struct Documented {
  std::vector<std::string> files;
  std::vector<JsonKey> keys;
};

std::map<std::string, Documented> documented_outputs() {
  std::map<std::string, Documented> out;
  std::istringstream in(read_file(source_path("docs/formats.md")));
  std::string line, command;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "```outputs") {
      inside = true;
      command.clear();
      continue;
    }
    if (!inside) continue;
    if (line == "```") {
      inside = false;
      continue;
    }
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string what = line.substr(0, colon), rest = line.substr(colon + 2);
    if (what == "command") {
      command = rest;
      out[command];
    } else if (what == "files") {
      std::istringstream words(rest);
      for (std::string w; words >> w;) out[command].files.push_back(w);
    } else if (what == "json") {
      std::size_t i = 0;
      while (i < rest.size()) {
        while (i < rest.size() && rest[i] == ' ') ++i;
        if (i >= rest.size()) break;
        JsonKey key;
        while (i < rest.size() && rest[i] != ' ' && rest[i] != '{' && rest[i] != '?') key.name += rest[i++];
        if (i < rest.size() && rest[i] == '{') {
          const auto close = rest.find('}', i);
          std::istringstream words(rest.substr(i + 1, close - i - 1));
          for (std::string w; words >> w;) key.nested.insert(w);
          key.nested_listed = true;
          i = close + 1;
        }
        if (i < rest.size() && rest[i] == '?') {
          key.optional = true;
          ++i;
        }
        out[command].keys.push_back(key);
      }
    }
  }
  return out;
}

std::vector<std::string> csv_header(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<std::string> names;
  std::stringstream header(text.substr(0, text.find('\n')));
  for (std::string name; std::getline(header, name, ',');) names.push_back(name);
  return names;
}

const char* kSmall = "model = \"perceptron\"\nt_max = 2.0\n[output]\nevery = 0.5\n[sim]\nd = 200\nseeds = 3\n";

// Runs `command` with --out into a fresh directory and checks files, keys and columns against the docs; returns
// the top-level keys written.
// `described_csvs`: how many of the CSV files (in the documented order) the record's `columns` describes (optimize:
// the trajectory only; its control and comparison tables have their own fixed columns, docs/formats.md).
std::set<std::string> check_run(const std::string& command, const std::string& extra, const Documented& doc,
                                int described_csvs = 2) {
  TempDir dir("records_" + command);
  const std::string file = dir.file("x.toml", kSmall), prefix = (dir.path / "P").string();
  const auto r = run_tilt(command + " " + file + " " + extra + " --out " + prefix);
  // validate with kSmall's three members is INCONCLUSIVE (exit 3): 4 sign patterns leave the bias test no threshold
  // at alpha/2, three pairs give the lottery's tests no p-value below alpha (sign and McNemar >= 0.25, KS >= 0.1),
  // and the tracking exponent's bootstrap error over three members cannot resolve d^-1/2. Every other command: 0.
  EXPECT_EQ(r.exit_code, command == "validate" ? 3 : 0) << r.output;

  std::set<std::string> want_files{"x.toml"}, got_files;
  for (const auto& f : doc.files) {
    EXPECT_EQ(f.rfind("PREFIX", 0), 0u) << f;
    want_files.insert("P" + f.substr(6));
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path))
    got_files.insert(entry.path().filename().string());
  EXPECT_EQ(got_files, want_files) << command << " " << extra << ": files written differ from docs/formats.md";

  std::string json_file, csv_files[2];
  int csvs = 0;
  for (const auto& f : doc.files) {
    if (f.size() > 5 && f.substr(f.size() - 5) == ".json") json_file = "P" + f.substr(6);
    if (f.size() > 4 && f.substr(f.size() - 4) == ".csv" && csvs < described_csvs)
      csv_files[csvs++] = "P" + f.substr(6);
  }
  if (!std::filesystem::exists(dir.path / json_file)) {
    ADD_FAILURE() << "no JSON record " << json_file;
    return {};
  }
  const auto json = nlohmann::json::parse(read_file((dir.path / json_file).string()));
  std::set<std::string> written;
  for (const auto& item : json.items()) written.insert(item.key());
  std::set<std::string> documented;
  for (const auto& key : doc.keys) {
    documented.insert(key.name);
    if (!key.optional) {
      EXPECT_TRUE(json.contains(key.name))
          << command << " " << extra << ": documented key '" << key.name << "' not written";
    }
    if (key.nested_listed && json.contains(key.name)) {
      std::set<std::string> nested;
      for (const auto& item : json[key.name].items()) nested.insert(item.key());
      EXPECT_EQ(nested, key.nested) << command << ": keys of '" << key.name << "' differ from docs/formats.md";
    }
  }
  for (const auto& key : written)
    EXPECT_TRUE(documented.count(key)) << command << " " << extra << ": key '" << key
                                       << "' written but not in docs/formats.md";

  // `columns`: exactly the CSV columns written, each once, in order of the files, with meaning and unit.
  std::vector<std::string> want_columns;
  for (int i = 0; i < csvs; ++i)
    for (const auto& name : csv_header((dir.path / csv_files[i]).string()))
      if (std::find(want_columns.begin(), want_columns.end(), name) == want_columns.end()) want_columns.push_back(name);
  std::vector<std::string> got_columns;
  for (const auto& c : json["columns"]) {
    got_columns.push_back(c["name"]);
    EXPECT_FALSE(c["meaning"].get<std::string>().empty()) << c;
    EXPECT_FALSE(c["unit"].get<std::string>().empty()) << c;
    const std::string name = c["name"], unit = c["unit"];
    EXPECT_EQ(unit, name == "t" ? "samples/d" : name == "seeds" ? "count" : "dimensionless") << name;
  }
  EXPECT_EQ(got_columns, want_columns) << command << " " << extra;
  return written;
}

void check_command(const std::string& command, const std::vector<std::string>& extras, int described_csvs = 2) {
  const auto docs = documented_outputs();
  ASSERT_TRUE(docs.count(command)) << "docs/formats.md has no ```outputs block for " << command;
  const Documented& doc = docs.at(command);
  ASSERT_FALSE(doc.files.empty());
  ASSERT_FALSE(doc.keys.empty());
  std::set<std::string> seen;
  for (const auto& extra : extras)
    for (const auto& key : check_run(command, extra, doc, described_csvs)) seen.insert(key);
  for (const auto& key : doc.keys)  // every documented key, optional ones included, is written by some run
    EXPECT_TRUE(seen.count(key.name)) << command << ": documented key '" << key.name << "' never written";
  // --help names every file --out writes.
  const auto help = run_tilt(command + " --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const auto& f : doc.files)
    EXPECT_NE(help.output.find(f), std::string::npos) << command << " --help does not mention " << f << ":\n"
                                                      << help.output;
}

// The xgm run (automatic lines) writes `accuracy`.
TEST(Records, OdeWritesWhatTheDocsList) {
  check_command("ode", {"", "--set theory.ensemble=2",
                        "--set model=xgm --set xgm.K=2 --set xgm.sigma=0.3 --set curriculum.easy=0.1 "
                        "--set xgm.observable_lines=512"});
}

TEST(Records, SimWritesWhatTheDocsList) { check_command("sim", {"--set sim.seeds=1", ""}); }

TEST(Records, ValidateWritesWhatTheDocsList) {
  check_command("validate", {"", "--scaling 100,200,400 --set t_max=1.0",
                             "--set theory.noise=sde --set sim.same_init=false --set t_max=1.0"});
}

TEST(Records, OptimizeWritesWhatTheDocsList) {
  check_command("optimize",
                {"--set optimize.pieces=8 --set optimize.starts=1 --set optimize.iterations=20",
                 "--set perceptron.coupling=1 --set optimize.pieces=8 --set optimize.starts=1 --set "
                 "optimize.max_switches=1"},
                1);
}

TEST(Records, EveryDocumentedCommandExists) {
  const auto docs = documented_outputs();
  EXPECT_EQ(docs.size(), 5u);
  for (const char* c : {"ode", "sim", "validate", "sweep", "optimize"}) EXPECT_TRUE(docs.count(c)) << c;
}

// tilt sweep: the files, the record's keys (and those of `sweep{...}`), and `columns` naming the table's header.
TEST(Records, SweepWritesWhatTheDocsList) {
  const auto docs = documented_outputs();
  ASSERT_TRUE(docs.count("sweep"));
  const Documented& doc = docs.at("sweep");
  TempDir dir("records_sweep");
  const std::string file = dir.file(
      "s.toml",
      "[base]\nt_max = 2.0\n[base.output]\nevery = 0.5\n[base.sim]\nd = 200\n[sweep]\n"
      "protocols = [\"curriculum\", \"anti\"]\nreference = \"anti\"\n[[axis]]\nkey = \"eta\"\nvalues = [1, 2]\n");
  const auto r = run_tilt("sweep " + file + " --quiet --out " + (dir.path / "P").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::set<std::string> want{"s.toml"}, got;
  for (const auto& f : doc.files) want.insert("P" + f.substr(6));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) got.insert(entry.path().filename().string());
  EXPECT_EQ(got, want);
  const auto json = nlohmann::json::parse(read_file((dir.path / "P.json").string()));
  std::set<std::string> documented;
  for (const auto& key : doc.keys) {
    documented.insert(key.name);
    if (!key.optional) {
      EXPECT_TRUE(json.contains(key.name)) << key.name;
    }
    if (key.nested_listed && json.contains(key.name)) {
      std::set<std::string> nested;
      for (const auto& item : json[key.name].items()) nested.insert(item.key());
      EXPECT_EQ(nested, key.nested) << key.name;
    }
  }
  for (const auto& item : json.items()) EXPECT_TRUE(documented.count(item.key())) << item.key();
  std::vector<std::string> names;
  for (const auto& c : json["columns"]) {
    names.push_back(c["name"]);
    EXPECT_FALSE(c["meaning"].get<std::string>().empty()) << c;
    EXPECT_FALSE(c["unit"].get<std::string>().empty()) << c;
  }
  EXPECT_EQ(names, csv_header((dir.path / "P.csv").string()));
  const auto help = run_tilt("sweep --help");
  for (const auto& f : doc.files) EXPECT_NE(help.output.find(f), std::string::npos) << f;
}

// ---------------------------------------------------------------------------------------------------------------
// Columns: the docs' table lists exactly the column patterns of every registered model, and every column any model
// writes (single run, ensemble with _se and seeds) has a description.

std::set<std::string> documented_columns(const std::string& model) {
  std::istringstream in(read_file(source_path("docs/formats.md")));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| " + model + " |", 0) != 0) continue;
    std::set<std::string> names;
    for (std::size_t i = line.find('`'); i != std::string::npos; i = line.find('`', i + 1)) {
      const std::size_t j = line.find('`', i + 1);
      const std::string token = line.substr(i + 1, j - i - 1);
      if (token.find_first_of(". >") == std::string::npos) names.insert(token);  // skip key names, conditions
      i = j;
    }
    return names;
  }
  return {};
}

TEST(Records, FormatsTableListsEveryColumnOfEachModel) {
  for (const tilt::ModelDescriptor& descriptor : tilt::builtin_models()) {
    const std::string& model = descriptor.name;
    std::set<std::string> registry;
    for (const auto& doc : tilt::model_column_docs(model)) {
      registry.insert(doc.name);
      EXPECT_FALSE(doc.meaning.empty()) << doc.name;
      EXPECT_EQ(doc.unit, doc.name == "t" ? "samples/d" : "dimensionless") << model << " " << doc.name;
    }
    EXPECT_EQ(documented_columns(model), registry) << model;
  }
}

void expect_every_column_described(const tilt::Config& config) {
  const std::string model = config.string("model");
  const tilt::TheoryResult theory = tilt::run_theory(tilt::resolve(config));
  const tilt::SimResult sim = tilt::run_sim(tilt::resolve(config));
  for (const std::string& csv : {tilt::to_csv(theory.members[0]), tilt::to_csv(sim.ensemble)}) {
    const auto columns = tilt::columns_json(model, csv);
    std::stringstream header(csv.substr(0, csv.find('\n')));
    std::size_t i = 0;
    for (std::string name; std::getline(header, name, ','); ++i) {
      ASSERT_LT(i, columns.size());
      EXPECT_EQ(columns[i]["name"], name);
    }
    EXPECT_EQ(i, columns.size());
  }
  EXPECT_THROW(tilt::describe_column(model, "no_such_column"), std::invalid_argument);
}

TEST(Records, EveryColumnOfEveryModelIsDescribed) {
  expect_every_column_described(tilt::Config::from_text(kSmall, {"perceptron.coupling=0.5", "sim.seeds=2"}));
  expect_every_column_described(tilt::Config::from_text(kScm, {"scm.K=3", "scm.train_readout=true"}));
  expect_every_column_described(tilt::Config::from_text(kXgm));
  EXPECT_EQ(tilt::describe_column("xgm", "r_2_1").unit, "dimensionless");
  EXPECT_EQ(tilt::describe_column("scm", "Q_1_2_se").unit, "dimensionless");
  EXPECT_THROW(tilt::describe_column("scm", "Q_0_1"), std::invalid_argument);  // indices start at 1
  EXPECT_THROW(tilt::describe_column("scm", "t_se"), std::invalid_argument);
}

}  // namespace
