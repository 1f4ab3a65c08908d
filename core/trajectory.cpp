#include "core/trajectory.hpp"

#include <cmath>
#include <stdexcept>

#include "core/config.hpp"

namespace tilt {

std::size_t Trajectory::column(const std::string& name) const {
  for (std::size_t j = 0; j < columns.size(); ++j)
    if (columns[j] == name) return j;
  throw std::out_of_range("no column '" + name + "'");
}

EnsembleTrajectory summarise(const std::vector<Trajectory>& members) {
  EnsembleTrajectory out;
  out.members = members.size();
  out.mean = members.at(0);
  const std::size_t rows = out.mean.rows.size(), cols = out.mean.columns.size();
  out.se.assign(rows, std::vector<double>(cols, 0.0));
  const double s = double(members.size());
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) {
      double sum = 0;
      for (const auto& m : members) sum += m.rows[i][j];
      const double mean = sum / s;
      double sq = 0;
      for (const auto& m : members) sq += (m.rows[i][j] - mean) * (m.rows[i][j] - mean);
      out.mean.rows[i][j] = mean;
      out.se[i][j] = members.size() > 1 ? std::sqrt(sq / (s - 1) / s) : 0.0;
    }
  return out;
}

std::vector<double> output_times(const Config& config) {
  const double t_max = config.real("t_max");
  std::vector<double> times{0.0};
  const long long points = config.integer("output.points");
  if (points > 0 && config.string("output.spacing") == "log") {
    const double lo = std::log(config.real("output.t_min")), hi = std::log(t_max);
    for (long long k = 0; k < points; ++k)
      times.push_back(k + 1 == points ? t_max
                                      : std::exp(lo + (hi - lo) * double(k) / double(points - 1 > 0 ? points - 1 : 1)));
    return times;
  }
  if (points > 0) {
    for (long long k = 1; k <= points; ++k) times.push_back(k == points ? t_max : t_max * double(k) / double(points));
    return times;
  }
  // Integer step count: t_k = k * every, never accumulated by repeated addition.
  const double every = config.real("output.every");
  const long long n = static_cast<long long>(std::floor(t_max / every * (1 + 1e-12)));
  for (long long k = 1; k <= n; ++k) times.push_back(double(k) * every);
  if (t_max - times.back() > 1e-9 * t_max) times.push_back(t_max);
  return times;
}

}  // namespace tilt
