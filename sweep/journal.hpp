// The journal of a sweep in progress (PREFIX.journal): a header line with the hash of the resolved sweep, then
// one line per finished point, appended and flushed as it completes, so a killed sweep loses at most the points
// that were running. `--resume` reads it back and computes only what is missing.
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "sweep/point.hpp"

namespace tilt {

// Fresh: start a new journal (replacing any); Resume: continue an existing one.
enum class JournalMode { Fresh, Resume };

class Journal {
 public:
  // Starts a new journal (replacing any) or, with JournalMode::Resume, reads the finished points of an existing one and
  // refuses (InputError) when it was written for a different resolved sweep. A damaged last line (the process
  // died while writing it) is dropped.
  Journal(const std::string& path, std::uint64_t hash, std::size_t points, JournalMode mode);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  const std::map<std::size_t, PointResult>& finished() const { return finished_; }
  void append(const PointResult& result);  // written and flushed before it returns
  void remove();                           // the sweep completed: the journal is no longer needed

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::map<std::size_t, PointResult> finished_;
};

std::string hash_text(std::uint64_t hash);

}  // namespace tilt
