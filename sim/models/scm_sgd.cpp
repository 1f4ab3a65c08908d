// Online SGD for scm. Not implemented yet: the model is not accepted by the config (core/keys.cpp).
#include "core/error.hpp"
#include "sim/models/members.hpp"

namespace tilt {

Trajectory simulate_scm(const Config&, long long) { throw InputError("model scm: no simulation implemented yet"); }

}  // namespace tilt
