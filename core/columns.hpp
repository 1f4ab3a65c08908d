// What every output column means: each model's descriptor (core/model.hpp) lists its CSV columns (name or pattern,
// meaning, unit); the JSON record of ode/sim/validate describes the columns it wrote from there, and
// docs/formats.md is checked against them (tests/test_records.cpp), so names, meanings and units cannot drift apart.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tilt {

// A column or a family of columns. In a pattern the lower-case index letters k, l (student units), m, n (teacher
// units) and a (relevant direction) each stand for an index 1, 2, ... (e.g. `r_k_a` covers r_1_1, r_3_2).
struct ColumnDoc {
  std::string name;     // column name or pattern
  std::string meaning;  // what it is
  std::string unit;     // "samples/d" for t, "dimensionless" for order parameters and errors, "count"
};

// The column `t` every model writes first (its descriptor's columns start with it).
ColumnDoc time_column_doc();
// The columns of a registered `model` in the order they are written, `t` first; then the columns every ensemble
// CSV adds (`<column>_se`, `seeds`). Throws InputError for an unknown model.
const std::vector<ColumnDoc>& model_column_docs(const std::string& model);
const std::vector<ColumnDoc>& ensemble_column_docs();

// The description of one written column (`Q_1_2`, `eps_se`, `seeds`): the matching entry with `name` replaced by
// the concrete column name. Throws std::invalid_argument when no entry matches (an undocumented column).
ColumnDoc describe_column(const std::string& model, const std::string& column);

// [{name, meaning, unit}, ...] for every column of a CSV header line (the first line of `csv`), in order.
nlohmann::json columns_json(const std::string& model, const std::string& csv);

}  // namespace tilt
