#include "core/rng.hpp"

#include <cmath>

namespace tilt {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Ziggurat constants for 256 layers of equal area V; R is where the tail starts.
constexpr int kLayers = 256;
constexpr double kR = 3.6541528853610088;
constexpr double kV = 4.92867323399e-3;

}  // namespace

ZigguratTables::ZigguratTables() {
  x[0] = kV / std::exp(-0.5 * kR * kR);
  x[1] = kR;
  for (int i = 1; i < kLayers - 1; ++i) {
    const double fi = std::exp(-0.5 * x[i] * x[i]);
    x[i + 1] = std::sqrt(-2.0 * std::log(kV / x[i] + fi));
  }
  x[kLayers] = 0.0;
  for (int i = 0; i <= kLayers; ++i) f[i] = std::exp(-0.5 * x[i] * x[i]);
}

const ZigguratTables kZiggurat;

Rng::Rng(std::uint64_t seed, Stream stream, std::uint64_t index) {
  std::uint64_t key = seed;
  key = splitmix64(key) ^ (static_cast<std::uint64_t>(stream) * 0xd1b54a32d192ed03ULL);
  key = splitmix64(key) ^ (index * 0x8cb92ba72f3d8dd7ULL);
  for (auto& word : s_) word = splitmix64(key);
}

double Rng::normal_slow(int layer, double x) {
  const ZigguratTables& z = kZiggurat;
  for (;;) {
    if (layer == 0) {  // tail beyond R (Marsaglia 1964)
      double a, b;
      do {
        a = -std::log(1.0 - uniform()) / kR;
        b = -std::log(1.0 - uniform());
      } while (2.0 * b < a * a);
      return x < 0 ? -(kR + a) : kR + a;
    }
    // Wedge: accept under the curve between f(x[layer]) and f(x[layer+1]).
    const double y = z.f[layer] + uniform() * (z.f[layer + 1] - z.f[layer]);
    if (y < std::exp(-0.5 * x * x)) return x;
    // Rejected: draw afresh.
    const std::uint64_t bits = next();
    layer = static_cast<int>(bits & 0xff);
    x = (static_cast<double>(bits >> 11) * 0x1.0p-52 - 1.0) * z.x[layer];
    if (std::fabs(x) < z.x[layer + 1]) return x;
  }
}

}  // namespace tilt
