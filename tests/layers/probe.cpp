// Compiled only by the Layers.* tests (tests/CMakeLists.txt), as if it were a file of one layer: it includes
// TILT_PROBE_HEADER, a header of another layer, with exactly the include directories that layer's code gets.
#include TILT_PROBE_HEADER

int tilt_layer_probe() { return 0; }
