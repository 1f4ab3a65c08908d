// Model `scm` (docs/models.md, "scm"): the soft committee machine teacher-student model, M teacher and K student
// units. Its descriptor: the [scm] keys, checks, columns, validation columns, cost, theory and simulation. The
// pieces live in this folder, models/scm/: core/ (parameters, weights, observables), theory/ (Gaussian integrals,
// ODE, problem), sim/ (SGD).
#include "models/builtin.hpp"

#include "core/config.hpp"
#include "core/model.hpp"
#include "models/scm/core/scm.hpp"
#include "models/scm/sim/scm_sgd.hpp"
#include "models/scm/theory/scm_problem.hpp"

namespace tilt {
namespace {

// A table given as one row of numbers, [[x_1, ..., x_n]] (the only list-of-numbers key type of the registry).
bool one_row(const toml::value& v) { return v.as_array().size() <= 1; }

std::vector<KeySpec> scm_keys() {
  using namespace keys;
  KeySpec teacher_T =
      table("scm.T", "M x M symmetric positive-definite matrix [[T_11, ..., T_1M], ...]; empty = identity",
            "Teacher overlaps T_mn = w*_m . w*_n (fixed). The teacher's weights are sampled with exactly "
            "these overlaps (Gram-Schmidt, then the Cholesky factor of T). A theory.init_file row with "
            "columns T_m_n overrides it.",
            "scm");
  KeySpec teacher_A =
      table("scm.A", "one row of M numbers [[A_1, ..., A_M]]; empty = all 1",
            "Teacher read-out: y = sum_m A_m g(w*_m . x) (+ noise). A theory.init_file row with columns "
            "A_m overrides it.",
            "scm");
  teacher_A.check = one_row;
  KeySpec student_v0 = table("scm.v0", "one row of K numbers [[v_1, ..., v_K]]; empty = use scm.readout_init",
                             "Initial student read-out, given explicitly.", "scm");
  student_v0.check = one_row;
  return {
      integer("scm.K", 2, ">= 1", at_least(1), "Student width K (hidden units).", "scm"),
      integer("scm.M", 2, ">= 1", at_least(1), "Teacher width M (hidden units).", "scm"),
      choice("scm.activation", "erf", {"erf", "relu", "linear"},
             "Activation g of teacher and student: erf = erf(x/sqrt(2)) (Saad & Solla; all integrals in closed form), "
             "relu = max(0, x), linear = x.",
             "scm"),
      boolean("scm.train_readout", false,
              "false: the soft committee machine, read-out v fixed (at scm.v0 / scm.readout_init). true: v is trained "
              "with rate eta_v and weight decay weight_decay_v.",
              "scm"),
      real("scm.noise", 0.0, ">= 0", at_least(0),
           "Output-noise VARIANCE sigma^2 (not the standard deviation): training labels are y + sigma zeta, zeta ~ "
           "N(0, 1). It enters the eta^2 term of dQ/dt; the `eps` column excludes it.",
           "scm"),
      teacher_T,
      teacher_A,
      choice("scm.readout_init", "ones", {"ones", "gaussian", "alternating"},
             "Initial student read-out when scm.v0 is empty: all 1, i.i.d. N(0, 1) (from the seed's initial-weight "
             "stream), or +1, -1, +1, ...; multiplied by scm.readout_init_scale.",
             "scm"),
      real("scm.readout_init_scale", 1.0, "finite", nullptr, "Multiplies the initial read-out of scm.readout_init.",
           "scm"),
      student_v0,
  };
}

const char* kNone = "dimensionless";

std::vector<ColumnDoc> scm_columns_doc() {
  return {time_column_doc(),
          {"Q_k_l", "overlap of student units k and l (k <= l), w_k . w_l", kNone},
          {"R_k_m", "overlap of student unit k with teacher unit m, w_k . w*_m", kNone},
          {"v_k", "read-out weight of student unit k", kNone},
          {"eps", "generalisation error 1/2 <(f - y)^2> over x ~ N(0, I), without the output noise", kNone}};
}

}  // namespace

ModelDescriptor scm_model() {
  ModelDescriptor m;
  m.name = "scm";
  m.keys = scm_keys;
  // ScmParams::from_config throws InputError on shapes that do not fit K and M.
  m.parameters = [](const Config& config) -> std::shared_ptr<const ModelParameters> {
    return std::make_shared<const ScmParams>(ScmParams::from_config(config));
  };
  m.columns = scm_columns_doc();
  // The error and the first unit's self- and teacher overlap (units are exchangeable).
  m.validation_columns = {"eps", "Q_1_1", "R_1_1"};
  m.has_readout = true;
  m.network_doubles = [](const ResolvedExperiment& e) {
    const ScmParams& p = e.params<ScmParams>();
    return 2 * (double(p.K) + double(p.M) + 2) * double(p.d);
  };
  m.state_size = [](const ResolvedExperiment& e) {
    const ScmParams& p = e.params<ScmParams>();
    const double K = double(p.K), M = double(p.M);
    return K * (K + 1) / 2 + K * M + K;
  };
  m.output_columns = [](const ResolvedExperiment& e) {
    const ScmParams& p = e.params<ScmParams>();
    const double K = double(p.K), M = double(p.M);
    return K * (K + 1) / 2 + K * M + K + 1;
  };
  // models/scm/sim/scm_sgd.cpp: lambda = W x (K d), W += coef x^T (K d), the output, the coefficients and (when
  // trained) the read-out update (3 K); weight decay rescales W (K d more).
  m.sgd_step_multiply_adds = [](const ResolvedExperiment& e) {
    const ScmParams& p = e.params<ScmParams>();
    const double K = double(p.K), d = double(p.d);
    return K * d * (p.weight_decay > 0 ? 3.0 : 2.0) + K * (p.train_readout ? 3.0 : 2.0);
  };
  m.theory = scm_problem;
  m.simulate = simulate_scm;
  return m;
}

}  // namespace tilt
