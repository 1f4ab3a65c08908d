#include "sweep/journal.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace tilt {

std::string hash_text(std::uint64_t hash) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", (unsigned long long)hash);
  return buffer;
}

Journal::Journal(const std::string& path, std::uint64_t hash, std::size_t points, JournalMode mode) : path_(path) {
  const bool resume = mode == JournalMode::Resume;
  const nlohmann::json header = {{"tilt_sweep_journal", 1}, {"hash", hash_text(hash)}, {"points", points}};
  std::string kept = header.dump() + "\n";
  if (resume) {
    std::ifstream in(path);
    std::string line;
    if (in && std::getline(in, line)) {
      nlohmann::json h;
      try {
        h = nlohmann::json::parse(line);
      } catch (const std::exception&) {
        throw InputError("--resume: '" + path +
                         "' is not a sweep journal; allowed: the journal of this sweep, or "
                         "--force to start over");
      }
      const std::string was = h.value("hash", std::string());
      if (was != hash_text(hash))
        throw InputError("--resume: the sweep changed since '" + path + "' was written (resolved sweep hash " + was +
                         ", now " + hash_text(hash) +
                         "): the base, an axis, the protocols, the run or a --set differ; "
                         "allowed: --resume with the same sweep file and --set as the interrupted run, or --force "
                         "to start over");
      while (std::getline(in, line)) {
        try {
          PointResult r = PointResult::parse(line);
          if (r.index >= points) continue;
          finished_[r.index] = std::move(r);
          kept += line + "\n";
        } catch (const std::exception&) {
          break;  // a line cut short by the kill: it and anything after it are recomputed
        }
      }
    }
  }
  // Rewrite the good part (temporary file + rename), then append to it.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << kept;
    if (!out.flush()) throw RunError("cannot write the journal '" + temporary + "': " + std::strerror(errno));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    throw RunError("cannot write the journal '" + path + "': " + std::strerror(errno));
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) throw RunError("cannot open the journal '" + path + "': " + std::strerror(errno));
}

Journal::~Journal() {
  if (file_) std::fclose(file_);
}

void Journal::append(const PointResult& result) {
  const std::string line = result.serialise() + "\n";
  // One write per line, flushed to the kernel: a SIGKILL after this returns cannot lose the point.
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    throw RunError("cannot append to the journal '" + path_ + "': " + std::strerror(errno));
  finished_[result.index] = result;
}

void Journal::remove() {
  if (file_) std::fclose(file_);
  file_ = nullptr;
  std::remove(path_.c_str());
}

}  // namespace tilt
