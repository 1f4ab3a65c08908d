#include "core/trajectory.hpp"

#include <cmath>
#include <stdexcept>

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

}  // namespace tilt
