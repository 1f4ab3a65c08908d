// The loop every online-SGD trainer shares: one fresh sample per step; schedule switches and output times at
// integer step counts round(t d); each sample's difficulty drawn from its phase's mixture (shuffled protocol);
// blow-up detected and reported with the time it happened, never written out.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/io.hpp"
#include "core/mixture.hpp"
#include "core/progress.hpp"
#include "core/schedule.hpp"
#include "core/trajectory.hpp"

namespace tilt {

// Trainer provides:
//   std::vector<std::string> columns() const;    the observable columns
//   std::vector<double> observe() const;         their values for the current weights
//   double largest_order_parameter() const;      max |order parameter| (non-finite if any is)
//   void on_switch();                            called at each switch, before that step's sample
//   double step(double delta, std::size_t phase);   one SGD step; a non-finite return means blow-up
//   double uniform();                            a uniform draw from the trainer's sample stream
template <class Trainer>
Trajectory run_online(Trainer& trainer, const Schedule& schedule, const std::vector<double>& times, long long d,
                      double blowup) {
  const double dd = double(d);
  std::vector<long long> phase_start;
  for (const auto& phase : schedule.phases()) phase_start.push_back(std::llround(phase.start * dd));
  std::vector<long long> output_step;
  for (double t : times) output_step.push_back(std::llround(t * dd));
  const long long total = output_step.back();
  if (total < 0 || output_step.front() < 0)  // run_sim checks the step count first; this is the last line of defence
    throw RunError("the step count round(t_max * d) does not fit a 64-bit integer");
  auto diverged = [&](long long n, const std::string& what) {
    return RunError("simulation diverged at t = " + format_number(double(n) / dd) + ": " + what);
  };

  // Progress every 2^k steps with 2^k d >= 2^22 (a step costs O(d)), at most every 4096 steps.
  long long report_every = 1;
  while (report_every * d < (1LL << 22) && report_every < 4096) report_every <<= 1;
  const long long report_mask = report_every - 1;

  Trajectory out;
  out.columns = trainer.columns();
  std::size_t phase = 0, next_output = 0;
  for (long long n = 0; n <= total; ++n) {
    // A switch takes effect before the sample of its step is drawn and before output at that step.
    if (phase + 1 < phase_start.size() && n >= phase_start[phase + 1]) {
      ++phase;
      trainer.on_switch();
    }
    while (next_output < output_step.size() && output_step[next_output] == n) {
      const double largest = trainer.largest_order_parameter();
      if (!std::isfinite(largest) || largest > blowup)
        throw diverged(n, "order parameter of magnitude " + format_number(largest) + " beyond the blow-up bound " +
                              format_number(blowup));
      out.times.push_back(double(n) / dd);
      out.rows.push_back(trainer.observe());
      ++next_output;
    }
    if (n == total) break;
    if ((n & report_mask) == 0) report_progress(double(n) / dd);  // a thread-local lookup every few 10^6 flops
    const auto& mixture = schedule.phases()[phase].mixture;
    // A mixture costs one uniform draw per step, a single difficulty none (the stream of a run without a mixture
    // stays that of its trainer's sampling alone).
    const double delta =
        mixture.size() > 1 ? mixture[pick_component(mixture, trainer.uniform())].difficulty : mixture[0].difficulty;
    if (!std::isfinite(trainer.step(delta, phase))) throw diverged(n, "the network's output is not finite");
  }
  return out;
}

}  // namespace tilt
