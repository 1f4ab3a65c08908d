// Error types that map to the command's exit codes: bad input (2) and a failed run or check (1).
#pragma once
#include <stdexcept>
#include <string>

namespace tilt {

// The experiment cannot be run as given: a bad key, type or value. Exit code 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The run started but could not finish honestly: divergence, loss of the domain, I/O failure. Exit code 1.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tilt
