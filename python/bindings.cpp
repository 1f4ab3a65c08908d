// The extension tilt._tilt: the library's commands (api/commands.hpp) for Python. Arguments are plain Python
// values, converted before the computation, which runs with the GIL released; tables come back as numpy arrays,
// the record as the JSON text the command writes. InputError raises tilt.ConfigError (a ValueError), RunError
// raises tilt.RunError (a RuntimeError), each with the command line's message. python/tilt/__init__.py wraps it.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "api/commands.hpp"
#include "core/error.hpp"
#include "core/keys.hpp"
#include "core/progress.hpp"
#include "models/builtin.hpp"
#include "tilt/version.hpp"

namespace py = pybind11;

namespace {

// One table as (name, column names, [numpy array per column], csv text).
py::tuple table_to_python(const tilt::Table& table) {
  py::list arrays;
  for (const auto& values : table.values) {
    py::array_t<double> array(static_cast<py::ssize_t>(values.size()));
    std::copy(values.begin(), values.end(), array.mutable_data());
    arrays.append(std::move(array));
  }
  return py::make_tuple(table.name, table.columns, arrays, table.csv);
}

// A command's result as (tables, record JSON text, report, exit code, warnings).
py::tuple result_to_python(const tilt::CommandResult& result) {
  py::list tables;
  for (const auto& table : result.tables) tables.append(table_to_python(table));
  return py::make_tuple(tables, result.record, result.report, result.exit_code, result.warnings);
}

tilt::Experiment experiment_of(const std::string& file, const std::string& text, const std::string& origin,
                               const std::vector<std::string>& overrides, const std::vector<std::string>& argv = {}) {
  tilt::Experiment experiment;
  experiment.file = file;
  experiment.text = text;
  experiment.origin = origin;
  experiment.overrides = overrides;
  experiment.argv = argv;
  return experiment;
}

// Runs compute() with the GIL released (the computation touches no Python object) and returns
// result_to_python of its result.
template <class Compute>
py::tuple without_gil(bool quiet, Compute compute) {
  tilt::CommandResult result;
  {
    py::gil_scoped_release release;
    tilt::Progress::set_enabled(!quiet);
    result = compute();
  }
  return result_to_python(result);
}

// command: "ode", "sim" or "validate". Returns result_to_python of its result.
py::tuple run(const std::string& command, const std::string& file, const std::string& text, const std::string& origin,
              const std::vector<std::string>& overrides, const std::vector<std::string>& argv,
              const std::vector<long long>& scaling, const std::string& column, bool quiet) {
  if (command != "ode" && command != "sim" && command != "validate")
    throw std::invalid_argument("unknown command '" + command + "'; allowed: ode, sim, validate");
  const tilt::Experiment experiment = experiment_of(file, text, origin, overrides, argv);
  return without_gil(quiet, [&] {
    if (command == "ode") return tilt::ode_command(experiment);
    if (command == "sim") return tilt::sim_command(experiment);
    tilt::ValidateOptions options;
    options.scaling_dims = scaling;
    options.scaling_column = column;
    return tilt::validate_command(experiment, options);
  });
}

// `tilt sweep FILE` in this process. Returns result_to_python of its result, like run().
py::tuple sweep(const std::string& file, const std::string& text, const std::string& origin,
                const std::vector<std::string>& overrides, const std::vector<std::string>& argv, const std::string& out,
                int threads, bool resume, bool force, bool quiet) {
  const tilt::Experiment experiment = experiment_of(file, text, origin, overrides, argv);
  tilt::SweepRequest request;
  request.out = out;
  request.threads = threads;
  request.resume = resume;
  request.force = force;
  request.quiet = quiet;
  return without_gil(quiet, [&] { return tilt::sweep_command(experiment, request); });
}

// `tilt optimize`: result_to_python of its result and the experiment with the optimal schedule (TOML text).
py::tuple optimize(const std::string& file, const std::string& text, const std::string& origin,
                   const std::vector<std::string>& overrides, const std::vector<std::string>& argv, bool quiet) {
  const tilt::Experiment experiment = experiment_of(file, text, origin, overrides, argv);
  std::string toml;
  py::tuple result = without_gil(quiet, [&] {
    tilt::CommandResult r = tilt::optimize_command(experiment);
    toml = r.experiment;
    return r;
  });
  return py::make_tuple(result, toml);
}

// The key registry as [(key, type name)], built-in models registered: the module converts values by type (an
// integral float such as numpy's 4.0 for an integer key).
std::vector<std::pair<std::string, std::string>> key_types() {
  tilt::register_builtin_models();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& spec : tilt::key_registry()) out.emplace_back(spec.key, tilt::type_name(spec.type));
  return out;
}

std::string resolved(const std::string& file, const std::string& text, const std::string& origin,
                     const std::vector<std::string>& overrides) {
  return tilt::resolved_experiment(experiment_of(file, text, origin, overrides));
}

}  // namespace

PYBIND11_MODULE(_tilt, m) {
  m.doc() = "tilt's commands (ode, sim, validate, sweep) as library calls; use the package `tilt`, not this module";
  py::register_exception<tilt::InputError>(m, "ConfigError", PyExc_ValueError);
  py::register_exception<tilt::RunError>(m, "RunError", PyExc_RuntimeError);
  m.def("run", &run, py::arg("command"), py::arg("file"), py::arg("text"), py::arg("origin"), py::arg("overrides"),
        py::arg("argv"), py::arg("scaling"), py::arg("column"), py::arg("quiet"));
  m.def("sweep", &sweep, py::arg("file"), py::arg("text"), py::arg("origin"), py::arg("overrides"), py::arg("argv"),
        py::arg("out"), py::arg("threads"), py::arg("resume"), py::arg("force"), py::arg("quiet"));
  m.def("key_types", &key_types);
  m.def("optimize", &optimize, py::arg("file"), py::arg("text"), py::arg("origin"), py::arg("overrides"),
        py::arg("argv"), py::arg("quiet"));
  m.def("resolved", &resolved, py::arg("file"), py::arg("text"), py::arg("origin"), py::arg("overrides"));
  m.attr("version") = tilt::kVersion;
  m.attr("git_revision") = tilt::git_revision();
}
