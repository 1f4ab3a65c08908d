#include "core/schedule.hpp"

#include "core/config.hpp"

namespace tilt {

Schedule Schedule::from_config(const Config& config) {
  const double t_max = config.real("t_max");
  const double easy = config.real("curriculum.easy");
  const double hard = config.real("curriculum.hard");
  const double p_easy = config.real("curriculum.easy_fraction");
  const std::string& protocol = config.string("curriculum.protocol");

  // Two-phase protocols with a switch at t_switch; a switch at 0 or t_max leaves one phase.
  auto two_phase = [&](double first, double second, double t_switch) {
    if (t_switch <= 0) return Schedule({{0, t_max, {{1, second}}}});
    if (t_switch >= t_max) return Schedule({{0, t_max, {{1, first}}}});
    return Schedule({{0, t_switch, {{1, first}}}, {t_switch, t_max, {{1, second}}}});
  };
  if (protocol == "curriculum") return two_phase(easy, hard, p_easy * t_max);
  if (protocol == "anti") return two_phase(hard, easy, (1 - p_easy) * t_max);
  if (protocol == "easy") return Schedule({{0, t_max, {{1, easy}}}});
  if (protocol == "hard") return Schedule({{0, t_max, {{1, hard}}}});
  if (protocol == "shuffled") {
    std::vector<Component> mixture;
    if (p_easy > 0) mixture.push_back({p_easy, easy});
    if (p_easy < 1) mixture.push_back({1 - p_easy, hard});
    return Schedule({{0, t_max, mixture}});
  }
  // custom: validated by Config (sorted, first at 0, all below t_max).
  const auto rows = config.table("curriculum.segments");
  std::vector<Phase> phases;
  for (std::size_t i = 0; i < rows.size(); ++i)
    phases.push_back({rows[i][0], i + 1 < rows.size() ? rows[i + 1][0] : t_max, {{1, rows[i][1]}}});
  return Schedule(phases);
}

std::size_t Schedule::index_at(double t) const {
  std::size_t i = 0;
  while (i + 1 < phases_.size() && t >= phases_[i + 1].start) ++i;
  return i;
}

const Phase& Schedule::at(double t) const { return phases_[index_at(t)]; }

std::vector<double> Schedule::switches_in(double t0, double t1) const {
  std::vector<double> out;
  for (std::size_t i = 1; i < phases_.size(); ++i)
    if (phases_[i].start > t0 && phases_[i].start < t1) out.push_back(phases_[i].start);
  return out;
}

TestDistribution TestDistribution::from_config(const Config& config) {
  return {config.real("curriculum.easy"), config.real("curriculum.hard"), config.real("curriculum.easy_fraction"),
          config.string("test.difficulty")};
}

double TestDistribution::pick(double at_easy, double at_hard) const {
  if (which == "easy") return at_easy;
  if (which == "hard") return at_hard;
  return mix(at_easy, at_hard);
}

}  // namespace tilt
