// The xgm theory problem: its ODE and the initial state of ensemble member `member` (theory/run.hpp); the
// descriptor's `theory`.
#pragma once
#include "theory/run.hpp"

namespace tilt {

TheoryProblem xgm_problem(const ResolvedExperiment& experiment, long long member);

}  // namespace tilt
