#include "core/activation.hpp"

#include <stdexcept>

namespace tilt {

namespace {
constexpr Activation kAll[] = {Activation::Relu, Activation::Erf, Activation::Tanh, Activation::Quadratic,
                               Activation::Linear};
}  // namespace

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::Relu:
      return "relu";
    case Activation::Erf:
      return "erf";
    case Activation::Tanh:
      return "tanh";
    case Activation::Quadratic:
      return "quadratic";
    case Activation::Linear:
      return "linear";
  }
  return "?";
}

Activation parse_activation(const std::string& name) {
  for (Activation a : kAll)
    if (name == activation_name(a)) return a;
  throw std::invalid_argument("unknown activation '" + name + "'; allowed: relu, erf, tanh, quadratic, linear");
}

}  // namespace tilt
