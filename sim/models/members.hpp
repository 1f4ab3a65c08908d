// One function per model: run SGD for ensemble member `member` of the experiment (see sim/run.hpp).
#pragma once
#include "core/trajectory.hpp"

namespace tilt {

struct ResolvedExperiment;  // core/experiment.hpp

Trajectory simulate_perceptron(const ResolvedExperiment& experiment, long long member);
Trajectory simulate_xgm(const ResolvedExperiment& experiment, long long member);
Trajectory simulate_scm(const ResolvedExperiment& experiment, long long member);

}  // namespace tilt
