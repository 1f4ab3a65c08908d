#include "core/columns.hpp"

#include <cctype>
#include <sstream>
#include <stdexcept>

namespace tilt {
namespace {

const char* kNone = "dimensionless";

const ColumnDoc kTime{"t", "training time: number of SGD samples seen divided by the input dimension d (sim.d; N for "
                           "the perceptron), alpha in the perceptron papers",
                      "samples/d"};

ColumnDoc error_column(const std::string& name, const std::string& what) {
  return {name, what, kNone};
}

std::vector<ColumnDoc> perceptron_docs() {
  return {kTime,
          {"Q_r", "squared norm of the student's relevant weights, |w_r|^2", kNone},
          {"Q_i", "squared norm of the student's irrelevant weights, |w_i|^2", kNone},
          {"R", "overlap of the relevant weights with the teacher, w_r . w*", kNone},
          {"C_r", "overlap of the relevant weights with the anchor (weights at the latest switch, initially w(0)), "
                  "w_r . w1_r; only when perceptron.coupling > 0",
           kNone},
          {"C_i", "overlap of the irrelevant weights with the anchor, w_i . w1_i; only when perceptron.coupling > 0",
           kNone},
          error_column("eps", "test error (probability of a wrong sign) on the configured test distribution "
                              "(test.difficulty; all = the mixture)"),
          error_column("eps_easy", "test error on easy inputs (Delta = curriculum.easy)"),
          error_column("eps_hard", "test error on hard inputs (Delta = curriculum.hard)"),
          error_column("eps_mix", "test error on the mixture: p_E eps_easy + (1 - p_E) eps_hard"),
          {"loss", "test loss 1/2 <(y - erf(lambda/2))^2> on the configured test distribution", kNone}};
}

std::vector<ColumnDoc> xgm_docs() {
  return {kTime,
          {"r_k_a", "a-th relevant component of student unit k's weights (overlap with input direction a)", kNone},
          {"Qperp_k_l", "overlap of units k and l (k <= l) restricted to the irrelevant coordinates", kNone},
          {"v_k", "read-out weight of unit k", kNone},
          error_column("eps", "classification error P[y f <= 0] on the configured test distribution "
                              "(test.difficulty; all = the mixture)"),
          error_column("eps_easy", "classification error on easy inputs (Delta = curriculum.easy)"),
          error_column("eps_hard", "classification error on hard inputs (Delta = curriculum.hard)"),
          error_column("eps_mix", "classification error on the mixture: p_E eps_easy + (1 - p_E) eps_hard"),
          {"loss", "test loss (xgm.loss: 1/2 (y - f)^2 or log(1 + exp(-y f))) on the configured test distribution",
           kNone},
          {"eps_err", "error estimate of eps: its standard error over 8 independently shifted replicates of the "
                      "quadrature lines (xgm.observable_tol)",
           kNone},
          {"align_k", "relevant alignment of unit k, |r_k| / sqrt(|r_k|^2 + Qperp_k_k); only with xgm.diagnostics",
           kNone},
          {"match_k", "1 when sign(v_k) equals the label of the cluster centre closest in angle to r_k, else 0; only "
                      "with xgm.diagnostics",
           kNone}};
}

std::vector<ColumnDoc> scm_docs() {
  return {kTime,
          {"Q_k_l", "overlap of student units k and l (k <= l), w_k . w_l", kNone},
          {"R_k_m", "overlap of student unit k with teacher unit m, w_k . w*_m", kNone},
          {"v_k", "read-out weight of student unit k", kNone},
          {"eps", "generalisation error 1/2 <(f - y)^2> over x ~ N(0, I), without the output noise", kNone}};
}

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

const std::vector<ColumnDoc>& model_column_docs(const std::string& model) {
  static const std::vector<ColumnDoc> perceptron = perceptron_docs(), xgm = xgm_docs(), scm = scm_docs();
  if (model == "perceptron") return perceptron;
  if (model == "xgm") return xgm;
  if (model == "scm") return scm;
  throw std::invalid_argument("no column descriptions for model '" + model + "'");
}

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
  throw std::invalid_argument("column '" + column + "' of model " + model + " is not described in core/columns.cpp");
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
