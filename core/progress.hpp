// Progress of long runs on standard error. Nothing for work that ends within ~2 s; on a terminal a live line
// (rewritten with '\r' at most 4 times a second): what runs, members done of total, t reached, elapsed, an
// estimate of the time left; when standard error is not a terminal, a plain line after 10 s, then at most every
// 30 s, and a final line. Thread-safe: members of an ensemble report from their own threads.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tilt {

class Progress {
 public:
  // `what`: e.g. "sim" or "theory"; `members`: the ensemble size; `t_end`: the time each member runs to.
  Progress(std::string what, long long members, double t_end);
  ~Progress();  // ends the live line / writes the final line, if anything was shown
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Member `member` reached time t (cheap when called often: it renders only when a line is due).
  void update(long long member, double t);
  void member_done(long long member);

  // Off for the whole process (`--quiet`).
  static void set_enabled(bool enabled);

 private:
  // Live: the line under way (replaced in place on a terminal); Final: the closing "done" / "stopped" line.
  enum class Line { Live, Final };
  void render(Line which);
  std::string line() const;

  std::string what_;
  long long members_;
  double t_end_;
  std::chrono::steady_clock::time_point start_;
  std::unique_ptr<std::atomic<double>[]> t_;  // time reached per member
  std::atomic<long long> done_{0};
  std::atomic<double> next_render_;  // seconds since start when the next line is due
  std::mutex mutex_;
  bool terminal_ = false, shown_ = false;
  std::size_t last_width_ = 0;
};

// The progress the current thread reports to (set by an ensemble driver around one member's run), so that
// inner loops report without passing it through every call. Null when there is none.
struct ProgressSlot {
  Progress* progress = nullptr;
  long long member = 0;
};
ProgressSlot& current_progress();
inline void report_progress(double t) {
  ProgressSlot& slot = current_progress();
  if (slot.progress) slot.progress->update(slot.member, t);
}

// Sets the current thread's slot for the lifetime of the object.
class ProgressScope {
 public:
  ProgressScope(Progress* progress, long long member) : saved_(current_progress()) {
    current_progress() = {progress, member};
  }
  ~ProgressScope() { current_progress() = saved_; }

 private:
  ProgressSlot saved_;
};

}  // namespace tilt
