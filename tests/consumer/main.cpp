// A program outside tilt: runs the ODE of the experiment file argv[1] through the library and prints the CSV
// that `tilt ode FILE` prints (the test compares the two byte for byte).
#include <iostream>

#include "api/commands.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: consumer FILE [KEY=VALUE]...\n";
    return 2;
  }
  tilt::Experiment experiment;
  experiment.file = argv[1];
  for (int i = 2; i < argc; ++i) experiment.overrides.push_back(argv[i]);
  try {
    std::cout << tilt::ode_command(experiment).tables.at(0).csv;
  } catch (const tilt::InputError& e) {
    std::cerr << "consumer: error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
