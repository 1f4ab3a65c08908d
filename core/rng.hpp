// Random streams: xoshiro256++ seeded through SplitMix64, and a ziggurat normal sampler.
// Both are fully specified here, so a seed gives the same numbers with any compiler or standard library.
#pragma once
#include <array>
#include <cstdint>

namespace tilt {

// Ziggurat tables for f(x) = exp(-x^2/2) with 256 layers of equal area (defined in core/rng.cpp).
struct ZigguratTables {
  double x[257];  // x[0] = V/f(R) (virtual width of the base strip), x[1] = R, ..., x[256] = 0
  double f[257];  // f(x[i])
  ZigguratTables();
};
extern const ZigguratTables kZiggurat;

// What a stream is used for; mixed into the seed so streams of one seed never overlap by construction.
enum class Stream : std::uint64_t {
  InitialWeights = 1,
  Teacher = 2,
  SgdSamples = 3,
  Validation = 4,
  SdeNoise = 5,
  Sweep = 6,
  TestSet = 7  // a fixed test set drawn from the seed alone (fmnist: the noise of its corrupted test images)
};

// xoshiro256++ (Blackman & Vigna 2019), state expanded from one 64-bit key with SplitMix64.
class Rng {
 public:
  Rng(std::uint64_t seed, Stream stream, std::uint64_t index = 0);
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Standard normal by the ziggurat method (Marsaglia & Tsang 2000, 256 layers, layout of Doornik 2005).
  // The fast path (about 99% of draws) is inline: one 64-bit draw gives the layer (low 8 bits) and a uniform
  // in [-1, 1) (high 53 bits), so the two never share bits.
  double normal() {
    const std::uint64_t bits = next();
    const int layer = static_cast<int>(bits & 0xff);
    const double x = (static_cast<double>(bits >> 11) * 0x1.0p-52 - 1.0) * kZiggurat.x[layer];
    if (x < kZiggurat.x[layer + 1] && x > -kZiggurat.x[layer + 1]) return x;
    return normal_slow(layer, x);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  double normal_slow(int layer, double x);
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace tilt
