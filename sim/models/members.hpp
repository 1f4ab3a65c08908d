// One function per model: run SGD for ensemble member `member` of the experiment (see sim/run.hpp).
#pragma once
#include "core/trajectory.hpp"

namespace tilt {

class Config;

Trajectory simulate_perceptron(const Config& config, long long member);
Trajectory simulate_xgm(const Config& config, long long member);
Trajectory simulate_scm(const Config& config, long long member);

}  // namespace tilt
