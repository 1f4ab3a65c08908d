#include "core/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace tilt {
namespace {

std::atomic<bool> g_enabled{true};

// Seconds before the first line, and between lines, on a terminal and elsewhere.
constexpr double kTerminalFirst = 2.0, kTerminalEvery = 0.25;
constexpr double kPlainFirst = 10.0, kPlainEvery = 30.0;

std::string duration(double seconds) {
  char buffer[32];
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
  } else if (seconds < 3600) {
    std::snprintf(buffer, sizeof buffer, "%dm%02ds", int(seconds / 60), int(std::fmod(seconds, 60)));
  } else {
    std::snprintf(buffer, sizeof buffer, "%dh%02dm", int(seconds / 3600), int(std::fmod(seconds, 3600) / 60));
  }
  return buffer;
}

std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", x);
  return buffer;
}

}  // namespace

void Progress::set_enabled(bool enabled) { g_enabled = enabled; }

Progress::Progress(std::string what, long long members, double t_end)
    : what_(std::move(what)),
      members_(std::max(1LL, members)),
      t_end_(t_end),
      start_(std::chrono::steady_clock::now()),
      t_(new std::atomic<double>[std::size_t(std::max(1LL, members))]) {
  for (long long m = 0; m < members_; ++m) t_[std::size_t(m)] = 0.0;
  terminal_ = ::isatty(2) == 1;
  double first = terminal_ ? kTerminalFirst : kPlainFirst;
  // Test hook: TILT_TEST_PROGRESS_AFTER=SECONDS shows the first line sooner (tests cannot wait 10 s).
  if (const char* after = std::getenv("TILT_TEST_PROGRESS_AFTER")) first = std::atof(after);
  next_render_ = g_enabled ? first : 1e300;
}

Progress::~Progress() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shown_) render(Line::Final);
}

void Progress::update(long long member, double t) {
  if (member >= 0 && member < members_) t_[std::size_t(member)].store(t, std::memory_order_relaxed);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (elapsed < next_render_.load(std::memory_order_relaxed)) return;
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || elapsed < next_render_.load()) return;  // another thread is drawing it
  next_render_ = elapsed + (terminal_ ? kTerminalEvery : kPlainEvery);
  render(Line::Live);
}

void Progress::member_done(long long member) {
  if (member >= 0 && member < members_) t_[std::size_t(member)] = t_end_;
  ++done_;
  update(-1, 0.0);
}

std::string Progress::line() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double fraction = 0, t_low = t_end_;
  for (long long m = 0; m < members_; ++m) {
    const double t = std::min(t_[std::size_t(m)].load(std::memory_order_relaxed), t_end_);
    fraction += t_end_ > 0 ? t / t_end_ / double(members_) : 0;
    t_low = std::min(t_low, t);
  }
  std::string out = "tilt " + what_ + ": ";
  if (members_ > 1) out += std::to_string(done_.load()) + "/" + std::to_string(members_) + " members done, ";
  // One member: its time; several: the least advanced of the members under way (started, unfinished), 0 when
  // none is, t_end when all are done.
  double t_shown = t_low;
  if (members_ > 1 && done_.load() < members_) {
    t_shown = t_end_;
    bool running = false;
    for (long long m = 0; m < members_; ++m) {
      const double t = t_[std::size_t(m)].load(std::memory_order_relaxed);
      if (t < t_end_ && t > 0) t_shown = std::min(t_shown, t), running = true;
    }
    if (!running) t_shown = 0;
  }
  out += "t = " + number(t_shown) + " of " + number(t_end_) + ", " + duration(elapsed) + " elapsed";
  if (fraction > 0.005 && fraction < 1) out += ", ~" + duration(elapsed * (1 - fraction) / fraction) + " left";
  return out;
}

void Progress::render(Line which) {
  const bool final_line = which == Line::Final;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const bool stopped = final_line && std::uncaught_exceptions() > 0;  // an error is on its way out
  std::string text =
      final_line ? "tilt " + what_ + (stopped ? ": stopped" : ": done") +
                       (members_ > 1 ? ", " + std::to_string(done_.load()) + "/" + std::to_string(members_) + " members"
                                     : std::string()) +
                       " in " + duration(elapsed)
                 : line();
  if (terminal_) {
    const std::size_t width = text.size();
    if (text.size() < last_width_) text += std::string(last_width_ - text.size(), ' ');  // erase the old line
    last_width_ = width;
    text = "\r" + text + (final_line ? "\n" : "");
  } else {
    text += "\n";
  }
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
  shown_ = true;
}

ProgressSlot& current_progress() {
  thread_local ProgressSlot slot;
  return slot;
}

}  // namespace tilt
