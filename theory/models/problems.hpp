// One factory per model: the ODE and the initial state of ensemble member `member` (see theory/run.hpp).
#pragma once
#include <map>
#include <string>

#include "theory/run.hpp"

namespace tilt {

TheoryProblem perceptron_problem(const ResolvedExperiment& experiment, long long member);
TheoryProblem xgm_problem(const ResolvedExperiment& experiment, long long member);
TheoryProblem scm_problem(const ResolvedExperiment& experiment, long long member);

// A value of the initial-condition row, or InputError naming the file and the missing column.
double init_column(const std::map<std::string, double>& row, const std::string& name, const std::string& path);

}  // namespace tilt
