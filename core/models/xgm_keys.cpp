// The [xgm] table of the experiment file (models.md). Filled in when the model is implemented.
#include "core/keys.hpp"

namespace tilt {

std::vector<KeySpec> xgm_keys() { return {}; }

}  // namespace tilt
