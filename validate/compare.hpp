// `tilt validate`: theory against simulation, with an explicit hypothesis, calibrated statistics and a stated
// resolution (docs/validation.md). The d -> infinity theory predicts (a) no bias of the ensemble mean
// (validate/bias.hpp), (b) member-wise tracking that improves like d^-1/2 (validate/tracking.hpp, with
// --scaling), and, for ensembles over initial conditions, (c) the same lottery (validate/lottery.hpp).
#pragma once
#include <string>
#include <vector>

#include "core/trajectory.hpp"
#include "validate/bias.hpp"
#include "validate/lottery.hpp"
#include "validate/tracking.hpp"

namespace tilt {

struct ResolvedExperiment;  // core/experiment.hpp

// CONSISTENT: every test performed passes and the bias test resolves the tolerance. INCONSISTENT: a test
// rejects the theory. INCONCLUSIVE: nothing rejects, but the test could not have caught a discrepancy of the
// tolerated size (too few members or too noisy), so agreement is not shown.
enum class Verdict { Consistent, Inconsistent, Inconclusive };
const char* verdict_name(Verdict v);
int verdict_exit_code(Verdict v);  // 0, 1, 3

struct ValidationOptions {
  BiasOptions bias;
  bool lottery = false;  // members start from different initial conditions: test the lottery too
  std::string eps_column = "eps";
  double eps_star = 0.05;
  double alpha = 0.01;  // of the whole verdict, split evenly over its components
  int components = 1;   // bias, lottery, tracking: how many are tested
};
// From the experiment's keys (validate.*, metrics.eps_star, sim.same_init); `columns` are those the runs write.
// Whether a finite-size scaling (the tracking test) follows the validation at one d: it then takes its share of the
// false-alarm rate.
enum class Tracking { NotTested, Tested };
ValidationOptions validation_options(const ResolvedExperiment& experiment, const std::vector<std::string>& columns,
                                     Tracking tracking);
// The model's pre-registered columns (validate.columns = "auto").
std::vector<std::string> default_validation_columns(const std::string& model);

// The verdict at one d: bias of the mean and, where members have their own initial conditions, the lottery.
struct Agreement {
  BiasTest bias;
  bool has_lottery = false;
  LotteryTest lottery;
  Verdict verdict = Verdict::Consistent;
  bool consistent = true;  // verdict == Consistent
  std::string table() const;
};
// The lottery's two report lines (success, escape order) as printed in Agreement::table().
std::string lottery_lines(const LotteryTest& l);
// sim[m] and theory[m] are the same member (same initial weights).
Agreement compare_members(const std::vector<Trajectory>& sim, const std::vector<Trajectory>& theory,
                          const ValidationOptions& options);

// Everything one validation at one d runs: the simulation ensemble and its theory twin, compared.
struct ValidationRun {
  std::vector<Trajectory> sim, theory;  // theory[m] is the ODE from sim member m's initial weights
  EnsembleTrajectory sim_summary, theory_summary;
  ValidationOptions options;
  Agreement agreement;
  double sim_seconds = 0, theory_seconds = 0;
  long long theory_steps = 0, theory_rejected = 0, theory_evaluations = 0;
  // theory.noise = "sde": the theory members are noise paths of the finite-d stochastic theory (twins of the SGD
  // runs in distribution, from the same initial weights). The deterministic ODE from the same initial weights is
  // then run too and its paired lottery against SGD reported beside the verdict (information, not part of it).
  bool stochastic = false;
  std::vector<Trajectory> ode;
  LotteryTest ode_lottery;
  double ode_seconds = 0;
};
// Tracking::Tested: a finite-size scaling follows, so the false-alarm rate is shared with its test.
ValidationRun validate_experiment(const ResolvedExperiment& experiment, Tracking tracking = Tracking::NotTested);

// Finite-size scaling: the validation repeated at each d (the one at the config's own sim.d reused), and the
// tracking test over them. The overall verdict: the bias (and lottery) at the config's d plus tracking.
struct Scaling {
  std::vector<long long> dims;
  std::vector<Agreement> at_d;  // the verdict at each d (information; the tracking test is the across-d one)
  TrackingTest tracking;
  std::string table() const;
};
// at_dims: the experiment at each d (sim.d the only difference), resolved by the caller.
Scaling finite_size_scaling(const ResolvedExperiment& experiment, const std::vector<ResolvedExperiment>& at_dims,
                            const std::string& column, const ValidationRun* at_config_d = nullptr);

// The overall verdict of a validation, with its tracking test where one was run; and its one-line statement.
Verdict overall_verdict(const Agreement& agreement, const TrackingTest* tracking);
std::string verdict_line(const Agreement& agreement, const TrackingTest* tracking);

}  // namespace tilt
