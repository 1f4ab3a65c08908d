// The curriculum as a small interface: which data distribution is in force at time t, and where it switches.
// Theory and simulation ask the same object (docs/models.md section 1).
#pragma once
#include <string>
#include <vector>

namespace tilt {

class Config;

// One ingredient of the data distribution in a phase: samples of difficulty `difficulty` with probability `weight`.
struct Component {
  double weight;
  double difficulty;  // Delta
};

// A time interval with a fixed data distribution (a single Delta, or a mixture for `shuffled`).
struct Phase {
  double start;
  double end;
  std::vector<Component> mixture;
};

class Schedule {
 public:
  explicit Schedule(std::vector<Phase> phases) : phases_(std::move(phases)) {}
  static Schedule from_config(const Config& config);

  const std::vector<Phase>& phases() const { return phases_; }
  // The phase in force at time t (a switch time belongs to the phase it starts).
  const Phase& at(double t) const;
  std::size_t index_at(double t) const;
  // Switch times strictly inside (t0, t1), ascending.
  std::vector<double> switches_in(double t0, double t1) const;

 private:
  std::vector<Phase> phases_;
};

// The test distributions of the `eps_*` columns and which one `eps`/`loss` use.
struct TestDistribution {
  double easy;           // Delta_E
  double hard;           // Delta_H
  double easy_fraction;  // p_E, weight of easy samples in the mixture
  std::string which;     // easy | hard | mix | all (all: eps = mix)
  static TestDistribution from_config(const Config& config);
  // eps of the configured test distribution from the errors at Delta_E and Delta_H.
  double mix(double at_easy, double at_hard) const { return easy_fraction * at_easy + (1 - easy_fraction) * at_hard; }
  double pick(double at_easy, double at_hard) const;
};

}  // namespace tilt
