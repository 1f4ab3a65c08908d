#include "sweep/schedule.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "core/error.hpp"

#ifdef TILT_MPI
#include <mpi.h>
#endif

namespace tilt {
namespace {

// The number of ranks mpirun announced in the environment (Open MPI, MPICH/PMI), 0 when not under mpirun.
int launched_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* v = std::getenv(name)) return std::atoi(v);
  return 0;
}

// Local workers: threads take the next index from `next()` (which returns false when none is left) and post
// results; the caller's thread delivers them. Returns when every worker has stopped and every result is delivered.
class LocalPool {
 public:
  LocalPool(int threads, std::function<bool(std::size_t&)> next, const std::function<std::string(std::size_t)>& compute)
      : next_(std::move(next)) {
    for (int i = 0; i < threads; ++i)
      workers_.emplace_back([this, &compute] {
        for (;;) {
          std::size_t index;
          {
            std::lock_guard<std::mutex> lock(take_);
            if (!next_(index)) break;
          }
          std::string r = compute(index);
          std::lock_guard<std::mutex> lock(mutex_);
          results_.push_back(std::move(r));
          ready_.notify_one();
        }
        std::lock_guard<std::mutex> lock(mutex_);
        ++stopped_;
        ready_.notify_one();
      });
  }
  ~LocalPool() {
    for (auto& w : workers_) w.join();
  }
  // Delivers what has arrived, waiting at most `wait`; true while workers still run or results are pending.
  bool pump(const std::function<void(const std::string&)>& deliver, std::chrono::milliseconds wait) {
    std::deque<std::string> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (results_.empty() && stopped_ < int(workers_.size())) ready_.wait_for(lock, wait);
      batch.swap(results_);
    }
    for (const auto& r : batch) deliver(r);
    std::lock_guard<std::mutex> lock(mutex_);
    return stopped_ < int(workers_.size()) || !results_.empty();
  }

 private:
  std::function<bool(std::size_t&)> next_;
  std::vector<std::thread> workers_;
  std::mutex take_, mutex_;
  std::condition_variable ready_;
  std::deque<std::string> results_;
  int stopped_ = 0;
};

#ifdef TILT_MPI
constexpr int kTagWork = 1, kTagIndex = 2;

void run_rank0(const Cluster& cluster, const std::vector<std::size_t>& order, const std::vector<double>& costs,
               int threads, const std::function<std::string(std::size_t)>& compute,
               const std::function<void(const std::string&)>& deliver) {
  std::mutex order_mutex;
  std::size_t position = 0;
  double remaining = 0;
  for (std::size_t i : order) remaining += costs[i];
  auto next = [&](std::size_t& index) {
    std::lock_guard<std::mutex> lock(order_mutex);
    if (position >= order.size()) return false;
    index = order[position++];
    remaining -= costs[index];
    return true;
  };
  // A chunk for a remote rank: at least one point, up to 1/(4 ranks) of the cost still to hand out.
  auto chunk = [&]() {
    std::vector<long long> out;
    std::lock_guard<std::mutex> lock(order_mutex);
    const double target = remaining / (4.0 * double(cluster.size));
    double taken = 0;
    while (position < order.size() && (out.empty() || taken + costs[order[position]] <= target)) {
      const std::size_t index = order[position++];
      taken += costs[index];
      remaining -= costs[index];
      out.push_back((long long)index);
    }
    return out;
  };
  int remote_running = cluster.size - 1;
  LocalPool pool(threads, next, compute);
  bool local_running = true;
  while (local_running || remote_running > 0) {
    // Serve every waiting rank, then deliver local results (waiting briefly when nothing came).
    bool served = false;
    for (;;) {
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kTagWork, MPI_COMM_WORLD, &flag, &status);
      if (!flag) break;
      int length = 0;
      MPI_Get_count(&status, MPI_CHAR, &length);
      std::string message(std::size_t(length), '\0');
      MPI_Recv(message.data(), length, MPI_CHAR, status.MPI_SOURCE, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      for (std::size_t begin = 0; begin < message.size();) {  // the results of the previous chunk, one per line
        const std::size_t end = message.find('\n', begin);
        deliver(message.substr(begin, end - begin));
        begin = end == std::string::npos ? message.size() : end + 1;
      }
      const std::vector<long long> reply = chunk();
      MPI_Send(reply.data(), int(reply.size()), MPI_LONG_LONG, status.MPI_SOURCE, kTagIndex, MPI_COMM_WORLD);
      if (reply.empty()) --remote_running;
      served = true;
    }
    local_running = pool.pump(deliver, std::chrono::milliseconds(served ? 0 : 1));
    // Once the local workers are done, wait for the other ranks without spinning a core.
    if (!local_running && !served) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

void run_worker_rank(const std::function<std::string(std::size_t)>& compute) {
  std::string message;  // the previous chunk's results, one per line ("" at first)
  for (;;) {
    MPI_Send(message.data(), int(message.size()), MPI_CHAR, 0, kTagWork, MPI_COMM_WORLD);
    // Wait without spinning a core: poll, sleeping between polls (ranks may share cores with the workers).
    MPI_Status status;
    for (int flag = 0; !flag;) {
      MPI_Iprobe(0, kTagIndex, MPI_COMM_WORLD, &flag, &status);
      if (!flag) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    int count = 0;
    MPI_Get_count(&status, MPI_LONG_LONG, &count);
    std::vector<long long> indices(std::size_t(count) + 1);
    MPI_Recv(indices.data(), count, MPI_LONG_LONG, 0, kTagIndex, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (count == 0) return;
    message.clear();
    for (int k = 0; k < count; ++k) message += (k ? "\n" : "") + compute(std::size_t(indices[std::size_t(k)]));
  }
}
#endif

}  // namespace

Cluster cluster_start() {
  Cluster c;
  const int launched = launched_ranks();
#ifdef TILT_MPI
  if (launched > 0) {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c.size);
    c.mpi = true;
  }
#else
  if (launched > 1)
    throw InputError("started by mpirun with " + std::to_string(launched) +
                     " ranks, but this tilt was built without MPI: every rank would run the whole sweep; allowed: "
                     "build with cmake -DTILT_MPI=ON (scripts/setup.sh does), or run without mpirun");
#endif
  return c;
}

void cluster_stop(const Cluster& cluster) {
#ifdef TILT_MPI
  if (cluster.mpi) MPI_Finalize();
#else
  (void)cluster;
#endif
}

int cluster_share(const Cluster& cluster, int status) {
#ifdef TILT_MPI
  if (cluster.mpi) MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
#else
  (void)cluster;
#endif
  return status;
}

std::string cluster_share_text(const Cluster& cluster, const std::string& text) {
#ifdef TILT_MPI
  if (cluster.mpi) {
    int length = cluster_share(cluster, int(text.size()));
    std::string out = cluster.rank == 0 ? text : std::string(std::size_t(length), '\0');
    MPI_Bcast(out.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
    return out;
  }
#else
  (void)cluster;
#endif
  return text;
}

void run_points(const Cluster& cluster, const std::vector<std::size_t>& order, const std::vector<double>& costs,
                int threads, const std::function<std::string(std::size_t)>& compute,
                const std::function<void(const std::string&)>& deliver) {
#ifdef TILT_MPI
  if (cluster.mpi && cluster.size > 1) {
    if (cluster.rank == 0)
      run_rank0(cluster, order, costs, threads, compute, deliver);
    else
      run_worker_rank(compute);
    return;
  }
#else
  (void)cluster;
#endif
  (void)costs;
  std::size_t position = 0;
  LocalPool pool(
      threads,
      [&](std::size_t& index) {
        if (position >= order.size()) return false;
        index = order[position++];
        return true;
      },
      compute);
  while (pool.pump(deliver, std::chrono::milliseconds(100))) {
  }
}

}  // namespace tilt
