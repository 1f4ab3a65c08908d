// Simulation driver: an ensemble of online-SGD runs over seeds, in parallel, bit-identical for any thread count.
#pragma once
#include <vector>

#include "core/trajectory.hpp"

namespace tilt {

class Config;

struct SimResult {
  std::vector<Trajectory> members;
  EnsembleTrajectory ensemble;
  long long sgd_steps = 0;  // summed over members
  double wall_seconds = 0;
  int threads = 1;
};

// Run `member` of the ensemble: initial weights of seed (sim.same_init) or seed + member, SGD samples of
// seed + member.
Trajectory simulate_member(const Config& config, long long member);
// The seed of member's initial weights, and of its SGD samples (streams: core/rng.hpp).
long long init_seed(const Config& config, long long member);
long long sample_seed(const Config& config, long long member);
SimResult run_sim(const Config& config);

}  // namespace tilt
