// The typed experiment (core/experiment.hpp): the key table is resolved once, at the boundary, into the values the
// layers below take; those layers never see the key table.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/experiment.hpp"
#include "core/model.hpp"
#include "models/builtin.hpp"
#include "models/perceptron/core/perceptron.hpp"
#include "support.hpp"

using tilt::testing::read_file;
using tilt::testing::source_path;

namespace {

// Whether `text` holds `word` as a whole identifier (not part of ConfigError or configure).
bool has_word(const std::string& text, const std::string& word) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool starts = at == 0 || !ident(text[at - 1]);
    const bool ends = at + word.size() == text.size() || !ident(text[at + word.size()]);
    if (starts && ends) return true;
  }
  return false;
}

// The folders below api whose code must take the typed experiment: the theory, simulation and validation layers,
// and the theory and simulation parts of every model (models/<name>/theory and models/<name>/sim).
std::vector<std::filesystem::path> typed_folders() {
  std::vector<std::filesystem::path> out;
  for (const char* layer : {"theory", "sim", "validate"}) out.emplace_back(source_path(layer));
  for (const auto& model : std::filesystem::directory_iterator(source_path("models")))
    for (const char* part : {"theory", "sim"})
      if (model.is_directory() && std::filesystem::is_directory(model.path() / part))
        out.push_back(model.path() / part);
  return out;
}

}  // namespace

// Issue 29 point 2: the theory, simulation and validation layers take typed values, never the key table (no
// `Config`, no core/config.hpp). A file that reads a key again fails here, naming itself.
TEST(Experiment, LayersBelowTheBoundaryNeverSeeTheKeyTable) {
  int files = 0;
  for (const auto& folder : typed_folders())
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
      if (!entry.is_regular_file()) continue;
      if (entry.path().extension() != ".cpp" && entry.path().extension() != ".hpp") continue;
      ++files;
      const std::string text = read_file(entry.path().string());
      EXPECT_FALSE(has_word(text, "Config")) << entry.path() << " names the key table (tilt::Config)";
      EXPECT_EQ(text.find("core/config.hpp"), std::string::npos) << entry.path() << " includes core/config.hpp";
    }
  EXPECT_GT(files, 20);  // the scan really reached the layers
}

// Every typed field holds the value its key was given (each set away from its default), and the model's parameters
// are the ones its descriptor read.
TEST(Experiment, ResolvesEveryKeyIntoItsTypedField) {
  tilt::register_builtin_models();
  const tilt::Config c = tilt::Config::from_text(
      "seed = 17\nt_max = 12.5\nblowup = 3e7\nmax_memory_gb = 1.5\neta = 0.7\nweight_decay = 0.01\ninit_scale = 0.3\n"
      "[curriculum]\nprotocol = \"anti\"\neasy = 0.1\nhard = 0.9\neasy_fraction = 0.4\n"
      "[test]\ndifficulty = \"hard\"\n"
      "[output]\npoints = 5\nspacing = \"log\"\nt_min = 0.25\n"
      "[theory]\nensemble = 3\ninit = \"nominal\"\nmethod = \"rk8pd\"\nrtol = 1e-7\natol = 1e-9\ndt = 0.02\n"
      "max_steps = 12345\nmin_step = 1e-13\nstop_at_outputs = true\nnoise = \"sde\"\nsde_dt = 0.05\nsde_samples = 9\n"
      "[sim]\nd = 321\nseeds = 4\nthreads = 2\nsame_init = true\nmax_steps = 1e9\n"
      "[validate]\ncolumns = \"eps,R\"\nt_from = 1.5\nt_to = 10\ntolerance = 0.2\nalpha = 0.02\nresamples = 500\n"
      "[metrics]\neps_star = 0.125\n[perceptron]\nT = 3\nrho_i = 0.5\n");
  const tilt::ResolvedExperiment e = tilt::resolve(c);
  EXPECT_EQ(e.model_name(), "perceptron");
  EXPECT_EQ(e.seed, 17);
  EXPECT_EQ(e.t_max, 12.5);
  EXPECT_EQ(e.blowup, 3e7);
  EXPECT_EQ(e.max_memory_gb, 1.5);
  EXPECT_EQ(e.protocol, "anti");
  // anti: hard first, the switch at (1 - p_E) t_max = 7.5, then easy.
  ASSERT_EQ(e.schedule.phases().size(), 2u);
  EXPECT_EQ(e.schedule.phases()[0].mixture[0].difficulty, 0.9);
  EXPECT_EQ(e.schedule.phases()[1].start, 7.5);
  EXPECT_EQ(e.schedule.phases()[1].mixture[0].difficulty, 0.1);
  EXPECT_EQ(e.test.easy, 0.1);
  EXPECT_EQ(e.test.hard, 0.9);
  EXPECT_EQ(e.test.easy_fraction, 0.4);
  EXPECT_EQ(e.test.which, "hard");
  EXPECT_EQ(e.output.points, 5);
  EXPECT_TRUE(e.output.log);
  EXPECT_EQ(e.output.t_min, 0.25);
  EXPECT_EQ(e.output.rows(), 6.0);
  const std::vector<double> times = e.output.times();  // 0, then 5 log-spaced times from 0.25 to t_max
  ASSERT_EQ(times.size(), 6u);
  EXPECT_EQ(times[0], 0.0);
  EXPECT_DOUBLE_EQ(times[1], 0.25);
  EXPECT_NEAR(times[3], std::sqrt(0.25 * 12.5), 1e-12);  // the middle of a log grid: the geometric mean
  EXPECT_EQ(times[5], 12.5);
  EXPECT_EQ(e.theory.ensemble, 3);
  EXPECT_EQ(e.theory.init, tilt::TheoryInit::Nominal);
  EXPECT_EQ(e.theory.noise, tilt::TheoryNoise::Sde);
  EXPECT_EQ(e.theory.ode.method, "rk8pd");
  EXPECT_EQ(e.theory.ode.rtol, 1e-7);
  EXPECT_EQ(e.theory.ode.atol, 1e-9);
  EXPECT_EQ(e.theory.ode.dt, 0.02);
  EXPECT_EQ(e.theory.ode.max_steps, 12345);
  EXPECT_EQ(e.theory.ode.min_step, 1e-13);
  EXPECT_TRUE(e.theory.ode.stop_at_outputs);
  EXPECT_EQ(e.theory.sde.dt, 0.05);
  EXPECT_EQ(e.theory.sde.samples, 9);
  EXPECT_EQ(e.sim.d, 321);
  EXPECT_EQ(e.sim.seeds, 4);
  EXPECT_EQ(e.sim.threads, 2);
  EXPECT_TRUE(e.sim.same_init);
  EXPECT_EQ(e.sim.max_steps, 1e9);
  EXPECT_EQ(e.training.eta, 0.7);
  EXPECT_EQ(e.training.weight_decay, 0.01);
  EXPECT_EQ(e.training.init_scale, 0.3);
  EXPECT_FALSE(e.training.has_readout);  // the perceptron has no read-out: eta_v, weight_decay_v do not apply
  EXPECT_EQ(e.validate.columns, "eps,R");
  EXPECT_EQ(e.validate.t_from, 1.5);
  EXPECT_EQ(e.validate.t_to, 10.0);
  EXPECT_EQ(e.validate.tolerance, 0.2);
  EXPECT_EQ(e.validate.alpha, 0.02);
  EXPECT_EQ(e.validate.resamples, 500);
  EXPECT_EQ(e.eps_star, 0.125);
  // sim.same_init: every member's initial weights come from the seed itself; the samples still from seed + member.
  EXPECT_EQ(e.init_seed(3), 17);
  EXPECT_EQ(e.sample_seed(3), 20);
  // The model's parameters, read by its descriptor: N_i = round(rho_i d), l2 = perceptron.l2 + weight_decay.
  const auto& p = e.params<tilt::PerceptronParams>();
  EXPECT_EQ(p.T, 3.0);
  EXPECT_EQ(p.N, 321);
  EXPECT_EQ(p.N_i, 161);  // round(0.5 * 321) = round(160.5) = 161
  EXPECT_EQ(p.l2, 0.01);
  EXPECT_EQ(p.test.which, "hard");
}

// The output grid's row guard names the keys, as the limits did before the grid was typed.
TEST(Experiment, OutputGridRefusesAbsurdRowCountsNamingTheKeys) {
  tilt::OutputGrid g;
  g.t_max = 1e6;
  g.every = 1e-6;
  try {
    (void)g.rows();
    FAIL() << "1e12 rows accepted";
  } catch (const tilt::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("output.every = "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at most 1e10 rows"), std::string::npos) << e.what();
  }
  g.every = 0.5;
  EXPECT_EQ(g.rows(), 2e6 + 2);  // floor(t_max / every) + 2, an upper bound of the grid's rows
  EXPECT_EQ(g.times().size(), std::size_t(2e6 + 1));
}
