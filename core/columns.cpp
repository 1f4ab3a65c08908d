#include "core/columns.hpp"

#include <cctype>
#include <sstream>
#include <stdexcept>

#include "core/model.hpp"

namespace tilt {
namespace {

bool is_index_letter(const std::string& part) {
  return part == "k" || part == "l" || part == "m" || part == "n" || part == "a";
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  for (std::string p; std::getline(in, p, '_');) parts.push_back(p);
  if (!s.empty() && s.back() == '_') parts.push_back("");
  return parts;
}

bool positive_integer(const std::string& s) {
  if (s.empty() || s[0] == '0') return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool matches(const std::string& pattern, const std::string& name) {
  const auto p = split(pattern), n = split(name);
  if (p.size() != n.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (is_index_letter(p[i]) ? !positive_integer(n[i]) : p[i] != n[i]) return false;
  return true;
}

}  // namespace

ColumnDoc time_column_doc() {
  return {"t",
          "training time: number of SGD samples seen divided by the input dimension d (sim.d; N for the "
          "perceptron), alpha in the perceptron papers",
          "samples/d"};
}

const std::vector<ColumnDoc>& model_column_docs(const std::string& model) { return model_descriptor(model).columns; }

const std::vector<ColumnDoc>& ensemble_column_docs() {
  static const std::vector<ColumnDoc> docs{
      {"<column>_se", "standard error of the mean of <column> over the ensemble members (0 for one member)",
       "the unit of <column>"},
      {"seeds", "number of ensemble members averaged in this row", "count"}};
  return docs;
}

ColumnDoc describe_column(const std::string& model, const std::string& column) {
  for (const auto& doc : model_column_docs(model))
    if (matches(doc.name, column)) return {column, doc.meaning, doc.unit};
  if (column == "seeds") return {column, ensemble_column_docs()[1].meaning, ensemble_column_docs()[1].unit};
  const std::string suffix = "_se";
  if (column.size() > suffix.size() && column.compare(column.size() - suffix.size(), suffix.size(), suffix) == 0) {
    const ColumnDoc base = describe_column(model, column.substr(0, column.size() - suffix.size()));
    if (base.name != "t" && base.name != "seeds")
      return {column, "standard error of the mean of " + base.name + " over the ensemble members (0 for one member)",
              base.unit};
  }
  throw std::invalid_argument("column '" + column + "' of model " + model +
                              " is not described in its descriptor's columns");
}

nlohmann::json columns_json(const std::string& model, const std::string& csv) {
  nlohmann::json out = nlohmann::json::array();
  std::stringstream header(csv.substr(0, csv.find('\n')));
  for (std::string name; std::getline(header, name, ',');) {
    const ColumnDoc doc = describe_column(model, name);
    out.push_back({{"name", doc.name}, {"meaning", doc.meaning}, {"unit", doc.unit}});
  }
  return out;
}

}  // namespace tilt
