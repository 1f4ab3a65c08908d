// The scm theory problem. Not implemented yet: the model is not accepted by the config (core/keys.cpp).
#include "core/error.hpp"
#include "theory/models/problems.hpp"

namespace tilt {

TheoryProblem scm_problem(const Config&, long long) { throw InputError("model scm: no theory implemented yet"); }

}  // namespace tilt
