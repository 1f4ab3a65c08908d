// The [scm] table of the experiment file (models.md). Filled in when the model is implemented.
#include "core/keys.hpp"

namespace tilt {

std::vector<KeySpec> scm_keys() { return {}; }

}  // namespace tilt
