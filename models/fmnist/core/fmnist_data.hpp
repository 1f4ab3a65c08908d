// Fashion-MNIST for model `fmnist` (docs/fmnist.md): the IDX reader (gzip or plain files), and the standardised
// images of two groups of classes, loaded once per process and shared by every thread and sweep point.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace tilt {

// An IDX image file (magic 2051): count images of rows x cols bytes, row-major, image after image.
struct IdxImages {
  long long count = 0;
  int rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;
};

// Reads `path` (gzip-compressed or plain; zlib reads both). Checks the magic number (2051 images, 2049 labels), the
// image size (28 x 28) and, for labels, values 0..9. Throws InputError naming key `key` (= fmnist.data_dir), the path,
// what is wrong and the fix.
IdxImages read_idx_images(const std::string& path, const std::string& key);
std::vector<std::uint8_t> read_idx_labels(const std::string& path, const std::string& key);

// The four files of Fashion-MNIST in directory `dir`: each NAME.gz, or NAME where the .gz is absent. Throws
// InputError (key `key`) when neither exists.
std::string idx_file(const std::string& dir, const std::string& name, const std::string& key);

// Which data: the directory, the two groups of classes (label +1 for positive, -1 for negative, the other classes
// left out) and the mask threshold.
struct FmnistSelection {
  std::string data_dir;
  std::vector<int> positive, negative;
  double mask_threshold = 0.05;
};

// The selected images, standardised: x_j = (p_j/255 - m_j)/s with m_j the mean of pixel j over the selected
// training images and s = sqrt(mean_j var_j) (population variances over the same images), so that each pixel's
// training mean is 0 and the training mean of |x|^2/d is 1. The coordinates are permuted: stored coordinate i is
// pixel order[i], the pixels outside the mask first (increasing index), then the mask (pixels whose standard deviation
// over the selected training images, in [0,1] intensity units, is below the threshold).
struct FmnistData {
  int d = 0;                        // rows * cols = 784
  int mask_size = 0;                // the last mask_size stored coordinates are the mask
  double scale = 0;                 // s
  std::vector<int> order;           // stored coordinate -> pixel index (row-major)
  Eigen::VectorXd mean;             // m_j per pixel (in pixel order)
  Eigen::MatrixXf train, test;      // d x n: one standardised image per column, in file order
  std::vector<double> train_label;  // +1 / -1
  std::vector<double> test_label;
};

// Standardises read images and labels (what load_fmnist does after reading; tests call it directly). Throws
// InputError (naming fmnist.positive) when no training image falls in the groups.
FmnistData standardise_fmnist(const IdxImages& train, const std::vector<std::uint8_t>& train_labels,
                              const IdxImages& test, const std::vector<std::uint8_t>& test_labels,
                              const FmnistSelection& selection);

// Reads and standardises the selection once per process (a thread-safe cache keyed by directory, groups and
// threshold); later calls share the same data. The first load reports the sizes and the mask on stderr.
std::shared_ptr<const FmnistData> load_fmnist(const FmnistSelection& selection);

}  // namespace tilt
