// Simulation driver: an ensemble of online-SGD runs over seeds, in parallel, bit-identical for any thread count.
#pragma once
#include <vector>

#include "core/experiment.hpp"
#include "core/trajectory.hpp"

namespace tilt {

struct SimResult {
  std::vector<Trajectory> members;
  EnsembleTrajectory ensemble;
  long long sgd_steps = 0;  // summed over members
  double wall_seconds = 0;
  int threads = 1;
};

// Run `member` of the ensemble: initial weights of seed (sim.same_init) or seed + member, SGD samples of
// seed + member (ResolvedExperiment::init_seed, sample_seed; streams: core/rng.hpp).
Trajectory simulate_member(const ResolvedExperiment& experiment, long long member);
SimResult run_sim(const ResolvedExperiment& experiment);

}  // namespace tilt
