// Model fmnist (docs/fmnist.md): the IDX reader on files this test writes (gzip and plain) and on damaged ones, the
// standardisation and the mask against plain loops, one SGD step against an update written here (not the shared
// sim/two_layer.hpp), the refusal of theory commands, reproducibility over threads, and the real Fashion-MNIST set
// where it is installed (GTEST_SKIP otherwise).
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "models/builtin.hpp"
#include "models/fmnist/core/fmnist.hpp"
#include "models/fmnist/core/fmnist_data.hpp"
#include "models/fmnist/sim/fmnist_sgd.hpp"
#include "support.hpp"

namespace {

using tilt::InputError;
using tilt::testing::run_tilt;
using tilt::testing::TempDir;

const std::string kRealDir = "/usr/share/datasets/fashion-mnist";

void put32(std::string& s, std::uint32_t x) {
  for (int shift = 24; shift >= 0; shift -= 8) s += char((x >> shift) & 0xff);
}

// An IDX file's bytes: header (magic, dims) then the payload.
std::string idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims,
                      const std::vector<std::uint8_t>& data) {
  std::string s;
  put32(s, magic);
  for (auto d : dims) put32(s, d);
  s.append(data.begin(), data.end());
  return s;
}

void write(const std::string& path, const std::string& bytes, bool gz) {
  if (gz) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary) << bytes;
  }
}

// n images of 28 x 28: pixels from a fixed stream, except a border of 2 pixels that is nearly constant (values 0 or
// 1 out of 255: standard deviation below 0.05), so the mask at 0.05 is exactly that border.
std::vector<std::uint8_t> images(int n, std::uint64_t seed) {
  tilt::Rng rng(seed, tilt::Stream::Teacher);
  std::vector<std::uint8_t> px(std::size_t(n) * 784);
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < 28; ++r)
      for (int c = 0; c < 28; ++c) {
        const bool border = r < 2 || r >= 26 || c < 2 || c >= 26;
        px[std::size_t(i) * 784 + r * 28 + c] = std::uint8_t(border ? rng.next() % 2 : rng.next() % 256);
      }
  return px;
}
std::vector<std::uint8_t> labels(int n) {
  std::vector<std::uint8_t> l(n);
  for (int i = 0; i < n; ++i) l[i] = std::uint8_t(i % 10);
  return l;
}

// A small data directory: 60 training and 20 test images, labels cycling 0..9; gzip or plain.
void write_set(const std::string& dir, bool gz, int train = 60, int test = 20) {
  const std::string z = gz ? ".gz" : "";
  write(dir + "/train-images-idx3-ubyte" + z, idx_bytes(2051, {std::uint32_t(train), 28, 28}, images(train, 1)), gz);
  write(dir + "/train-labels-idx1-ubyte" + z, idx_bytes(2049, {std::uint32_t(train)}, labels(train)), gz);
  write(dir + "/t10k-images-idx3-ubyte" + z, idx_bytes(2051, {std::uint32_t(test), 28, 28}, images(test, 2)), gz);
  write(dir + "/t10k-labels-idx1-ubyte" + z, idx_bytes(2049, {std::uint32_t(test)}, labels(test)), gz);
}

TEST(FmnistIdx, ReadsBackWhatWasWrittenGzipAndPlain) {
  TempDir dir("fmnist_idx");
  for (bool gz : {true, false}) {
    const std::string path = dir.file(gz ? "a.gz" : "a"), lpath = dir.file(gz ? "l.gz" : "l");
    const auto px = images(5, 7);
    write(path, idx_bytes(2051, {5, 28, 28}, px), gz);
    write(lpath, idx_bytes(2049, {5}, {3, 0, 9, 1, 1}), gz);
    const tilt::IdxImages im = tilt::read_idx_images(path, "fmnist.data_dir");
    EXPECT_EQ(im.count, 5);
    EXPECT_EQ(im.rows, 28);
    EXPECT_EQ(im.cols, 28);
    EXPECT_EQ(im.pixels, px);
    EXPECT_EQ(tilt::read_idx_labels(lpath, "fmnist.data_dir"), (std::vector<std::uint8_t>{3, 0, 9, 1, 1}));
  }
  // The .gz is preferred; the plain file is taken where it is absent.
  write(dir.file("train-images-idx3-ubyte"), "x", false);
  EXPECT_EQ(tilt::idx_file(dir.path.string(), "train-images-idx3-ubyte", "k"),
            dir.path.string() + "/train-images-idx3-ubyte");
  write(dir.file("train-images-idx3-ubyte.gz"), "x", true);
  EXPECT_EQ(tilt::idx_file(dir.path.string(), "train-images-idx3-ubyte", "k"),
            dir.path.string() + "/train-images-idx3-ubyte.gz");
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

void expect_names(const std::string& message, const std::string& path, const std::string& what) {
  EXPECT_NE(message.find("fmnist.data_dir"), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
  EXPECT_NE(message.find("apt-get install dataset-fashion-mnist"), std::string::npos) << message;
}

TEST(FmnistIdx, DamagedOrMissingFilesAreInputErrorsNamingThePath) {
  TempDir dir("fmnist_bad");
  const std::string key = "fmnist.data_dir";
  const auto px = images(2, 3);
  const std::string magic = dir.file("magic.gz");
  write(magic, idx_bytes(2049, {2, 28, 28}, px), true);
  expect_names(error_of([&] { tilt::read_idx_images(magic, key); }), magic, "magic number 2049, expected 2051");
  const std::string size = dir.file("size");
  write(size, idx_bytes(2051, {2, 27, 28}, px), false);
  expect_names(error_of([&] { tilt::read_idx_images(size, key); }), size, "27 x 28 pixels, expected 28 x 28");
  const std::string truncated = dir.file("truncated.gz");
  write(truncated, idx_bytes(2051, {3, 28, 28}, px), true);
  expect_names(error_of([&] { tilt::read_idx_images(truncated, key); }), truncated, "truncated");
  const std::string label = dir.file("label.gz");
  write(label, idx_bytes(2049, {3}, {1, 10, 2}), true);
  expect_names(error_of([&] { tilt::read_idx_labels(label, key); }), label, "label 10 at item 1, expected 0 to 9");
  const std::string lmagic = dir.file("lmagic");
  write(lmagic, idx_bytes(2051, {3}, {1, 1, 2}), false);
  expect_names(error_of([&] { tilt::read_idx_labels(lmagic, key); }), lmagic, "magic number 2051, expected 2049");
  const std::string missing = dir.path.string() + "/none.gz";
  expect_names(error_of([&] { tilt::read_idx_images(missing, key); }), missing, "no such file");
  // A whole directory: no files at all, then a count mismatch between images and labels.
  tilt::FmnistSelection s{dir.path.string() + "/empty", {0}, {1}, 0.05};
  expect_names(error_of([&] { tilt::load_fmnist(s); }), s.data_dir + "/train-images-idx3-ubyte.gz", "no such file");
  std::filesystem::create_directories(s.data_dir);
  write_set(s.data_dir, true);
  write(s.data_dir + "/t10k-labels-idx1-ubyte.gz", idx_bytes(2049, {19}, labels(19)), true);
  expect_names(error_of([&] { tilt::load_fmnist(s); }), s.data_dir + "/t10k-labels-idx1-ubyte.gz",
               "19 labels for 20 images");
}

// The standardisation against plain loops over the raw bytes: per-pixel means and two-pass variances of the
// selected training images, s = sqrt(mean variance), the mask, the permutation and the stored values.
TEST(FmnistData, StandardisationAndMaskMatchPlainLoops) {
  const int n = 60, nt = 20;
  tilt::IdxImages tr{n, 28, 28, images(n, 1)}, te{nt, 28, 28, images(nt, 2)};
  tilt::FmnistSelection s{"(memory)", {0, 3, 4}, {7, 9}, 0.05};
  const tilt::FmnistData data = tilt::standardise_fmnist(tr, labels(n), te, labels(nt), s);
  std::vector<int> sel;
  for (int i = 0; i < n; ++i)
    if (i % 10 == 0 || i % 10 == 3 || i % 10 == 4 || i % 10 == 7 || i % 10 == 9) sel.push_back(i);
  ASSERT_EQ(data.train.cols(), Eigen::Index(sel.size()));
  std::vector<double> mean(784, 0), var(784, 0);
  for (int j = 0; j < 784; ++j) {
    for (int i : sel) mean[j] += tr.pixels[i * 784 + j] / 255.0;
    mean[j] /= double(sel.size());
    for (int i : sel) var[j] += std::pow(tr.pixels[i * 784 + j] / 255.0 - mean[j], 2);
    var[j] /= double(sel.size());
  }
  double mv = 0;
  for (double v : var) mv += v / 784;
  const double scale = std::sqrt(mv);
  EXPECT_NEAR(data.scale, scale, 1e-12);
  int masked = 0;
  for (int j = 0; j < 784; ++j) {
    EXPECT_NEAR(data.mean(j), mean[j], 1e-12);
    const bool in_mask = std::sqrt(var[j]) < 0.05;
    const int r = j / 28, c = j % 28;
    EXPECT_EQ(in_mask, r < 2 || r >= 26 || c < 2 || c >= 26) << j;  // the written border, and only it
    masked += in_mask;
  }
  ASSERT_EQ(data.mask_size, masked);
  EXPECT_EQ(masked, 784 - 24 * 24);
  // Stored coordinate i is pixel order[i]: the unmasked pixels in increasing order, then the mask.
  for (int i = 0; i + 1 < 784; ++i) {
    if (i + 1 != 784 - masked) {
      EXPECT_LT(data.order[i], data.order[i + 1]);
    }
  }
  for (int i = 0; i < 784; ++i) EXPECT_EQ(std::sqrt(var[data.order[i]]) < 0.05, i >= 784 - masked);
  // Values (floats): each pixel's training mean is 0 and the mean of |x|^2/d is 1.
  double norm2 = 0;
  for (int i = 0; i < 784; ++i) {
    const int j = data.order[i];
    double m = 0;
    for (std::size_t c = 0; c < sel.size(); ++c) {
      const double x = data.train(i, Eigen::Index(c));
      EXPECT_NEAR(x, (tr.pixels[sel[c] * 784 + j] / 255.0 - mean[j]) / scale, 1e-6);
      m += x;
      norm2 += x * x;
    }
    EXPECT_NEAR(m / double(sel.size()), 0, 1e-6);
  }
  EXPECT_NEAR(norm2 / double(sel.size()) / 784, 1, 1e-6);
  for (std::size_t c = 0; c < sel.size(); ++c)
    EXPECT_EQ(data.train_label[c], sel[c] % 10 == 7 || sel[c] % 10 == 9 ? -1.0 : 1.0);
  // The test images use the training mean and scale.
  const int j = data.order[100];
  EXPECT_NEAR(data.test(100, 0), (te.pixels[j] / 255.0 - mean[j]) / scale, 1e-6);
}

// ---------------------------------------------------------------------------------------------------------------
// One SGD step against an update written here from docs/models.md section 3 (not sim/two_layer.hpp).

double g(const std::string& a, double x) { return a == "relu" ? (x > 0 ? x : 0) : std::erf(x / std::sqrt(2.0)); }
double dg(const std::string& a, double x) {
  return a == "relu" ? (x > 0 ? 1 : 0) : std::sqrt(2 / M_PI) * std::exp(-x * x / 2);
}

struct Case {
  std::string activation, loss;
  double delta, weight_decay;
};

class FmnistStep : public ::testing::TestWithParam<Case> {};

TEST_P(FmnistStep, MatchesAHandWrittenUpdate) {
  const Case cs = GetParam();
  const int n = 3, K = 2, d = 784;
  tilt::IdxImages tr{n, 28, 28, images(n, 5)}, te{n, 28, 28, images(n, 6)};
  tilt::FmnistParams p;
  p.K = K;
  p.d = d;
  p.activation = tilt::parse_activation(cs.activation);
  p.loss = cs.loss == "square" ? tilt::TwoLayerLoss::Square : tilt::TwoLayerLoss::Logistic;
  p.cK = 1 / std::sqrt(2.0);
  p.eta = 0.7;
  p.eta_v = 0.3;
  p.weight_decay = cs.weight_decay;
  p.weight_decay_v = 0.1;
  p.test = {0, 1, 0.5, "all"};
  p.selection = {"(memory)", {0, 2}, {1}, 0.05};
  p.data =
      std::make_shared<const tilt::FmnistData>(tilt::standardise_fmnist(tr, {0, 1, 2}, te, {0, 1, 2}, p.selection));
  const tilt::FmnistData& data = *p.data;
  ASSERT_EQ(data.train.cols(), 3);
  const int m = data.mask_size;
  ASSERT_GT(m, 0);
  tilt::TwoLayerWeights w0 = tilt::sample_two_layer_weights(p, 11);
  tilt::FmnistSgd sgd(p, w0, tilt::Rng(42, tilt::Stream::SgdSamples), 1);
  // The reference in pixel order: W_pix(k, j) = W(k, stored coordinate of j).
  std::vector<int> where(d);
  for (int i = 0; i < d; ++i) where[data.order[i]] = i;
  Eigen::MatrixXd W(K, d);
  for (int k = 0; k < K; ++k)
    for (int j = 0; j < d; ++j) W(k, j) = w0.W(k, where[j]);
  Eigen::VectorXd v = w0.v;
  tilt::Rng rng(42, tilt::Stream::SgdSamples);
  const double y_of[3] = {1, -1, 1};
  for (int step = 0; step < 4; ++step) {
    const std::uint64_t r = rng.next();
    const int idx = int((unsigned __int128)r * 3 >> 64);
    std::vector<double> x(d);
    for (int j = 0; j < d; ++j) x[j] = (tr.pixels[idx * d + j] / 255.0 - data.mean(j)) / data.scale;
    if (cs.delta > 0)
      for (int i = d - m; i < d; ++i) x[data.order[i]] += std::sqrt(cs.delta) * rng.normal();
    std::vector<double> lambda(K, 0);
    for (int k = 0; k < K; ++k)
      for (int j = 0; j < d; ++j) lambda[k] += W(k, j) * x[j];
    double f = 0;
    for (int k = 0; k < K; ++k) f += p.cK * v(k) * g(cs.activation, lambda[k]);
    const double y = y_of[idx];
    const double e = cs.loss == "square" ? y - f : y / (1 + std::exp(y * f));
    for (int k = 0; k < K; ++k) {
      const double Gk = e * p.cK * v(k) * dg(cs.activation, lambda[k]);
      for (int j = 0; j < d; ++j) W(k, j) += p.eta / d * (Gk * x[j] - p.weight_decay * W(k, j));
      v(k) += p.eta_v / d * (p.cK * e * g(cs.activation, lambda[k]) - p.weight_decay_v * v(k));
    }
    const double f_sgd = sgd.step(cs.delta);
    EXPECT_NEAR(f_sgd, f, 1e-6) << "step " << step;
    for (int k = 0; k < K; ++k) {
      EXPECT_NEAR(sgd.weights().v(k), v(k), 1e-9);
      for (int j = 0; j < d; ++j) ASSERT_NEAR(sgd.weights().W(k, where[j]), W(k, j), 1e-9) << k << " " << j;
    }
  }
  // The noise reaches the mask only: with Delta > 0 the weights outside it move as the clean update's would.
  EXPECT_GT((sgd.weights().W - w0.W).rightCols(m).norm(), 0);
}

INSTANTIATE_TEST_SUITE_P(Cases, FmnistStep,
                         ::testing::Values(Case{"relu", "square", 0, 0}, Case{"relu", "logistic", 0, 0.5},
                                           Case{"relu", "square", 4, 0.5}, Case{"erf", "logistic", 9, 0}));

// The corrupted test set depends on the seed alone: built twice (as every member builds it, in any thread and in
// any order) it gives the same errors; another seed gives other noise. Its eps_hard against a count written here.
TEST(FmnistTestSet, IsAFunctionOfTheSeedAlone) {
  const int n = 40;
  tilt::IdxImages tr{n, 28, 28, images(n, 5)}, te{n, 28, 28, images(n, 6)};
  tilt::FmnistParams p;
  p.K = 3;
  p.d = 784;
  p.cK = 1;
  p.test = {0, 25, 0.5, "all"};
  p.selection = {"(memory)", {0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}, 0.05};
  p.data =
      std::make_shared<const tilt::FmnistData>(tilt::standardise_fmnist(tr, labels(n), te, labels(n), p.selection));
  const int m = p.data->mask_size, d = 784;
  tilt::TwoLayerWeights w = tilt::sample_two_layer_weights(p, 4);
  w.W.rightCols(m) *= 3;  // weights on the mask large enough that the noise flips some outputs
  const tilt::FmnistTestSet a(p, 9), b(p, 9), c(p, 10);
  const auto ea = a.errors(w), eb = b.errors(w), ec = c.errors(w);
  EXPECT_EQ(ea.eps_hard, eb.eps_hard);
  EXPECT_EQ(ea.loss_hard, eb.loss_hard);
  EXPECT_EQ(ea.eps_easy, ec.eps_easy);
  EXPECT_NE(ea.loss_hard, ec.loss_hard);
  // The reference: the same draws (Stream::TestSet of the seed, image after image, one normal per mask coordinate).
  tilt::Rng rng(9, tilt::Stream::TestSet);
  int wrong = 0;
  double loss = 0;
  for (int i = 0; i < n; ++i) {
    Eigen::VectorXd x = p.data->test.col(i).cast<double>();
    for (int j = d - m; j < d; ++j) x(j) += 5 * double(float(rng.normal()));
    double f = 0;
    for (int k = 0; k < p.K; ++k) f += w.v(k) * std::max(0.0, w.W.row(k).dot(x));
    wrong += p.data->test_label[i] * f <= 0;
    loss += 0.5 * std::pow(p.data->test_label[i] - f, 2);
  }
  EXPECT_DOUBLE_EQ(ea.eps_hard, wrong / double(n));
  EXPECT_NEAR(ea.loss_hard, loss / n, 1e-9 * loss / n);
  EXPECT_GT(std::fabs(ea.eps_hard - ea.eps_easy), 0.0);
}

// ---------------------------------------------------------------------------------------------------------------
// Commands on a small written data set.

std::string config(const std::string& dir, const std::string& extra = "") {
  return "model = \"fmnist\"\nseed = 3\nt_max = 0.5\n[output]\nevery = 0.25\n[sim]\nd = 784\nseeds = 3\n"
         "[curriculum]\nhard = 4.0\n[fmnist]\nK = 2\ndata_dir = \"" +
         dir + "\"\n" + extra;
}

TEST(FmnistCommands, TheoryIsRefusedWithExitCode2) {
  TempDir dir("fmnist_cmd");
  write_set(dir.path.string(), true);
  const std::string toml = dir.file("f.toml", config(dir.path.string()));
  for (const std::string command : {"ode", "validate", "optimize"}) {
    const auto r = run_tilt(command + " " + toml + " --out " + dir.path.string() + "/o");
    EXPECT_EQ(r.exit_code, 2) << command << r.output;
    EXPECT_NE(r.output.find("model 'fmnist' has no theory (real images): use tilt sim or tilt sweep with run = "
                            "\"sim\""),
              std::string::npos)
        << command << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir.path / "o.csv"));
  }
  const auto missing =
      run_tilt("sim " + toml + " --set fmnist.data_dir=\"/nonexistent\" --out " + dir.path.string() + "/o");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("key 'fmnist.data_dir': /nonexistent/train-images-idx3-ubyte.gz: no such file"),
            std::string::npos)
      << missing.output;
  const auto overlap = run_tilt("sim " + toml + " --set fmnist.negative=[1,2] --set fmnist.positive=[0,1]");
  EXPECT_EQ(overlap.exit_code, 2);
  EXPECT_NE(overlap.output.find("class 1 is also in fmnist.positive"), std::string::npos) << overlap.output;
}

TEST(FmnistCommands, SimIsTheSameOnOneAndTwoThreads) {
  TempDir dir("fmnist_threads");
  write_set(dir.path.string(), false);
  // 8 members of 1568 steps: long enough that the second thread takes some of them (with 3 members of 392 steps
  // the first thread sometimes ran all of them, and a thread-dependent mutant survived).
  const std::string toml = dir.file("f.toml", config(dir.path.string(), ""));
  const std::string base = dir.path.string(), more = " --set sim.seeds=8 --set t_max=2.0 --set output.every=0.5";
  for (const char* protocol : {"curriculum", "shuffled"}) {
    const auto a = run_tilt("sim " + toml + " --set curriculum.protocol=" + protocol + " --set sim.threads=1" + more +
                            " --out " + base + "/a" + protocol);
    const auto b = run_tilt("sim " + toml + " --set curriculum.protocol=" + protocol + " --set sim.threads=2" + more +
                            " --out " + base + "/b" + protocol);
    ASSERT_EQ(a.exit_code, 0) << a.output;
    ASSERT_EQ(b.exit_code, 0) << b.output;
    const std::string ca = tilt::testing::read_file(base + "/a" + protocol + ".csv");
    EXPECT_GT(ca.size(), 100u);
    EXPECT_EQ(ca, tilt::testing::read_file(base + "/b" + protocol + ".csv"));
    EXPECT_NE(a.output.find("mask: 208 of 784 pixels"), std::string::npos) << a.output;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The real set (dataset-fashion-mnist), where installed.

TEST(FmnistReal, ReaderCountsAndTheDefaultMask) {
  if (!std::filesystem::exists(kRealDir)) GTEST_SKIP() << kRealDir << " absent (apt-get install dataset-fashion-mnist)";
  const std::string key = "fmnist.data_dir";
  const auto train = tilt::read_idx_labels(tilt::idx_file(kRealDir, "train-labels-idx1-ubyte", key), key);
  const auto test = tilt::read_idx_labels(tilt::idx_file(kRealDir, "t10k-labels-idx1-ubyte", key), key);
  ASSERT_EQ(train.size(), 60000u);
  ASSERT_EQ(test.size(), 10000u);
  std::vector<int> ntr(10, 0), nte(10, 0);
  for (auto l : train) ++ntr[l];
  for (auto l : test) ++nte[l];
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(ntr[c], 6000);
    EXPECT_EQ(nte[c], 1000);
  }
  // The default grouping (all ten classes) at the default threshold: 48 pixels (docs/fmnist.md), s near 0.295.
  const auto data = tilt::load_fmnist({kRealDir, {0, 1, 4, 5, 8}, {2, 3, 6, 7, 9}, 0.05});
  EXPECT_EQ(data->train.cols(), 60000);
  EXPECT_EQ(data->test.cols(), 10000);
  EXPECT_EQ(data->mask_size, 48);
  EXPECT_NEAR(data->scale, 0.295, 0.001);
}

}  // namespace
