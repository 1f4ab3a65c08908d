// Online SGD for xgm. Not implemented yet: the model is not accepted by the config (core/keys.cpp).
#include "core/error.hpp"
#include "sim/models/members.hpp"

namespace tilt {

Trajectory simulate_xgm(const Config&, long long) { throw InputError("model xgm: no simulation implemented yet"); }

}  // namespace tilt
