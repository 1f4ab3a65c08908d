// Every test program reads experiments of the built-in models: register them (models/builtin.hpp) before any test
// runs, as the command does first thing. Test-only models (tests/linear_model.cpp) register in their own tests.
#include "models/builtin.hpp"

namespace {
const bool kRegistered = (tilt::register_builtin_models(), true);
}  // namespace
