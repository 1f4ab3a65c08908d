// The models that ship with tilt, and the one list of them (models/builtin.cpp). A program that uses the library
// calls register_builtin_models() once before reading an experiment (the command does, first thing).
#pragma once
#include <vector>

#include "core/model.hpp"

namespace tilt {

// The one list of built-in models, in the order `tilt config --reference` lists their tables (the first is the
// default of `model`). An entry NAME stands for the descriptor `ModelDescriptor NAME_model()` defined in
// models/NAME/NAME.cpp. Adding a built-in model is its folder models/NAME/ (core/, theory/, sim/ and the descriptor;
// the build picks them up) and its entry here; no other file names a model (docs/adding-a-model.md;
// tests/test_linear_model.cpp checks both, and tests/model_copy/ builds a copy of a model's folder).
#define TILT_BUILTIN_MODELS(MODEL) MODEL(perceptron) MODEL(xgm) MODEL(scm) MODEL(fmnist)

// Each model's descriptor (core/model.hpp), declared from the list.
#define TILT_DECLARE_MODEL(name) ModelDescriptor name##_model();
TILT_BUILTIN_MODELS(TILT_DECLARE_MODEL)
#undef TILT_DECLARE_MODEL

// The descriptors of the list, in its order.
std::vector<ModelDescriptor> builtin_models();

// Registers builtin_models() (register_model, core/model.hpp). Safe to call more than once and from several
// threads; only the first call registers.
void register_builtin_models();

}  // namespace tilt
