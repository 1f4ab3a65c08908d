#include "models/fmnist/core/fmnist_data.hpp"

#include <zlib.h>

#include <sys/stat.h>
#include <cmath>
#include <iostream>
#include <map>
#include <mutex>

#include "core/error.hpp"
#include "core/io.hpp"

namespace tilt {
namespace {

constexpr const char* kFix = "apt-get install dataset-fashion-mnist (scripts/setup.sh installs it)";

InputError bad_file(const std::string& key, const std::string& path, const std::string& what) {
  return InputError("key '" + key + "': " + path + ": " + what + "; fix: " + kFix);
}

bool exists(const std::string& path) {
  struct stat s;
  return ::stat(path.c_str(), &s) == 0 && S_ISREG(s.st_mode);
}

// The whole (decompressed) content of an IDX file.
class IdxFile {
 public:
  IdxFile(const std::string& path, const std::string& key) : path_(path), key_(key) {
    if (!exists(path)) throw bad_file(key, path, "no such file");
    file_ = gzopen(path.c_str(), "rb");
    if (!file_) throw bad_file(key, path, "cannot be opened");
    gzbuffer(file_, 1 << 17);
  }
  ~IdxFile() {
    if (file_) gzclose(file_);
  }
  IdxFile(const IdxFile&) = delete;
  IdxFile& operator=(const IdxFile&) = delete;

  void read(void* out, std::size_t bytes, const char* what) {
    auto* p = static_cast<unsigned char*>(out);
    while (bytes > 0) {
      const unsigned chunk = unsigned(std::min<std::size_t>(bytes, 1u << 30));
      const int got = gzread(file_, p, chunk);
      if (got <= 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        throw bad_file(key_, path_,
                       std::string("truncated or damaged while reading ") + what +
                           (code != Z_OK && code != Z_BUF_ERROR ? std::string(" (zlib: ") + message + ")" : ""));
      }
      p += got;
      bytes -= std::size_t(got);
    }
  }
  std::uint32_t big_endian(const char* what) {
    unsigned char b[4];
    read(b, 4, what);
    return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | b[3];
  }
  // Nothing may follow the data.
  void expect_end() {
    unsigned char extra;
    if (gzread(file_, &extra, 1) > 0) throw bad_file(key_, path_, "longer than its header says");
  }

 private:
  std::string path_, key_;
  gzFile file_ = nullptr;
};

void check_magic(std::uint32_t magic, std::uint32_t expected, const std::string& path, const std::string& key) {
  if (magic != expected)
    throw bad_file(key, path,
                   "magic number " + std::to_string(magic) + ", expected " + std::to_string(expected) +
                       (expected == 2051 ? " (an IDX image file)" : " (an IDX label file)"));
}

}  // namespace

IdxImages read_idx_images(const std::string& path, const std::string& key) {
  IdxFile f(path, key);
  check_magic(f.big_endian("the magic number"), 2051, path, key);
  IdxImages out;
  out.count = f.big_endian("the image count");
  const std::uint32_t rows = f.big_endian("the row count"), cols = f.big_endian("the column count");
  if (rows != 28 || cols != 28)
    throw bad_file(key, path,
                   "images of " + std::to_string(rows) + " x " + std::to_string(cols) + " pixels, expected 28 x 28");
  if (out.count < 1 || out.count > 1000000)
    throw bad_file(key, path, std::to_string(out.count) + " images, expected 1 to 1000000");
  out.rows = int(rows);
  out.cols = int(cols);
  out.pixels.resize(std::size_t(out.count) * rows * cols);
  f.read(out.pixels.data(), out.pixels.size(), "the pixels");
  f.expect_end();
  return out;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path, const std::string& key) {
  IdxFile f(path, key);
  check_magic(f.big_endian("the magic number"), 2049, path, key);
  const std::uint32_t count = f.big_endian("the label count");
  if (count < 1 || count > 1000000) throw bad_file(key, path, std::to_string(count) + " labels, expected 1 to 1000000");
  std::vector<std::uint8_t> labels(count);
  f.read(labels.data(), labels.size(), "the labels");
  f.expect_end();
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] > 9)
      throw bad_file(key, path,
                     "label " + std::to_string(labels[i]) + " at item " + std::to_string(i) + ", expected 0 to 9");
  return labels;
}

std::string idx_file(const std::string& dir, const std::string& name, const std::string& key) {
  const std::string plain = dir + "/" + name, gz = plain + ".gz";
  if (exists(gz)) return gz;
  if (exists(plain)) return plain;
  throw bad_file(key, gz, "no such file (nor " + plain + ")");
}

FmnistData standardise_fmnist(const IdxImages& train, const std::vector<std::uint8_t>& train_labels,
                              const IdxImages& test, const std::vector<std::uint8_t>& test_labels,
                              const FmnistSelection& s) {
  const int d = train.rows * train.cols;
  auto sign_of = [&](int label) {
    for (int c : s.positive)
      if (c == label) return 1;
    for (int c : s.negative)
      if (c == label) return -1;
    return 0;
  };
  auto selected = [&](const std::vector<std::uint8_t>& labels) {
    std::vector<long long> out;
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (sign_of(labels[i]) != 0) out.push_back((long long)i);
    return out;
  };
  const std::vector<long long> tr = selected(train_labels), te = selected(test_labels);
  if (tr.empty())
    throw InputError(
        "key 'fmnist.positive': no training image is in the classes of fmnist.positive or "
        "fmnist.negative; allowed: classes 0 to 9 that occur in " +
        s.data_dir);
  FmnistData out;
  out.d = d;
  // Per-pixel mean and (population) variance over the selected training images, in [0, 1] intensity units.
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(d), sum2 = Eigen::VectorXd::Zero(d);
  for (long long i : tr) {
    const std::uint8_t* p = &train.pixels[std::size_t(i) * d];
    for (int j = 0; j < d; ++j) {
      const double x = p[j] / 255.0;
      sum(j) += x;
      sum2(j) += x * x;
    }
  }
  const double n = double(tr.size());
  out.mean = sum / n;
  Eigen::VectorXd var(d);
  for (int j = 0; j < d; ++j) var(j) = std::max(0.0, sum2(j) / n - out.mean(j) * out.mean(j));
  out.scale = std::sqrt(var.mean());
  for (int pass = 0; pass < 2; ++pass)  // outside the mask, then the mask
    for (int j = 0; j < d; ++j)
      if ((std::sqrt(var(j)) < s.mask_threshold) == (pass == 1)) out.order.push_back(j);
  for (int j = 0; j < d; ++j) out.mask_size += std::sqrt(var(j)) < s.mask_threshold ? 1 : 0;
  auto fill = [&](const IdxImages& images, const std::vector<std::uint8_t>& labels, const std::vector<long long>& rows,
                  Eigen::MatrixXf& x, std::vector<double>& y) {
    x.resize(d, Eigen::Index(rows.size()));
    y.resize(rows.size());
    for (std::size_t c = 0; c < rows.size(); ++c) {
      const std::uint8_t* p = &images.pixels[std::size_t(rows[c]) * d];
      for (int i = 0; i < d; ++i) {
        const int j = out.order[std::size_t(i)];
        x(i, Eigen::Index(c)) = float((p[j] / 255.0 - out.mean(j)) / out.scale);
      }
      y[c] = sign_of(labels[std::size_t(rows[c])]);
    }
  };
  fill(train, train_labels, tr, out.train, out.train_label);
  fill(test, test_labels, te, out.test, out.test_label);
  return out;
}

std::shared_ptr<const FmnistData> load_fmnist(const FmnistSelection& s) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const FmnistData>> cache;
  std::string id = s.data_dir + "|" + format_number(s.mask_threshold) + "|+";
  for (int c : s.positive) id += std::to_string(c) + ",";
  id += "|-";
  for (int c : s.negative) id += std::to_string(c) + ",";
  const std::lock_guard<std::mutex> lock(mutex);  // a second thread waits for the first load rather than repeat it
  auto it = cache.find(id);
  if (it != cache.end()) return it->second;
  const std::string key = "fmnist.data_dir";
  const std::string train_images = idx_file(s.data_dir, "train-images-idx3-ubyte", key);
  const std::string train_labels = idx_file(s.data_dir, "train-labels-idx1-ubyte", key);
  const std::string test_images = idx_file(s.data_dir, "t10k-images-idx3-ubyte", key);
  const std::string test_labels = idx_file(s.data_dir, "t10k-labels-idx1-ubyte", key);
  const IdxImages tr = read_idx_images(train_images, key), te = read_idx_images(test_images, key);
  const std::vector<std::uint8_t> trl = read_idx_labels(train_labels, key), tel = read_idx_labels(test_labels, key);
  if (std::size_t(tr.count) != trl.size())
    throw bad_file(
        key, train_labels,
        std::to_string(trl.size()) + " labels for " + std::to_string(tr.count) + " images in " + train_images);
  if (std::size_t(te.count) != tel.size())
    throw bad_file(
        key, test_labels,
        std::to_string(tel.size()) + " labels for " + std::to_string(te.count) + " images in " + test_images);
  auto data = std::make_shared<const FmnistData>(standardise_fmnist(tr, trl, te, tel, s));
  std::cerr << "fmnist: " << data->train.cols() << " training and " << data->test.cols()
            << " test images of the selected classes from " << s.data_dir << "; mask: " << data->mask_size << " of "
            << data->d << " pixels (std < " << format_number(s.mask_threshold)
            << "); scale s = " << format_number(data->scale) << "\n";
  cache.emplace(id, data);
  return data;
}

}  // namespace tilt
