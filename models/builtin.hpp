// The models that ship with tilt, and the one list of them (models/builtin.cpp). A program that uses the library
// calls register_builtin_models() once before reading an experiment (the command does, first thing).
#pragma once
#include <vector>

#include "core/model.hpp"

namespace tilt {

// Each model's descriptor (core/model.hpp), defined in models/<model>.cpp.
ModelDescriptor perceptron_model();
ModelDescriptor xgm_model();
ModelDescriptor scm_model();

// The built-in models, one line each, in the order `tilt config --reference` lists their tables (the first is the
// default of `model`).
std::vector<ModelDescriptor> builtin_models();

// Registers builtin_models() (register_model, core/model.hpp). Safe to call more than once and from several
// threads; only the first call registers.
void register_builtin_models();

}  // namespace tilt
