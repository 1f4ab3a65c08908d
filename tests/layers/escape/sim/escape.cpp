// Not compiled: the Layers.RelativeEscapeRefused test runs cmake/check_includes.cmake over this folder and
// expects it to refuse the include below, which would reach theory/ from sim/ by a relative path.
#include "../../theory/run.hpp"
