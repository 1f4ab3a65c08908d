// Who computes which point: worker threads on this process, and, under mpirun with -DTILT_MPI=ON, worker ranks
// that ask rank 0 for the next point index (dynamic load balancing; rank 0 collects every result and writes).
// Results never depend on who computed them: a point's seeds follow from the sweep seed and its index.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace tilt {

struct Cluster {
  int rank = 0, size = 1;
  bool mpi = false;  // MPI initialised by cluster_start
};

// Initialises MPI when this build has it and the process was started by mpirun (else a one-rank cluster).
// Without MPI support under an mpirun of several ranks, throws InputError (every rank would run the whole sweep).
Cluster cluster_start();
void cluster_stop(const Cluster& cluster);
// Rank 0's value of `status` on every rank (a collective; identity without MPI).
int cluster_share(const Cluster& cluster, int status);
// Rank 0's text on every rank.
std::string cluster_share_text(const Cluster& cluster, const std::string& text);

// compute(index) -> serialised result (one line, no newline); deliver(serialised result) is called on rank 0's calling
// thread, one at a time, as results arrive. `order`: the indices to compute (rank 0's list; ignored on other ranks),
// handed out in this order; a rank asks for work in chunks of about 1/(4 x ranks) of the remaining relative cost
// (`costs`, by index), so cheap points do not each pay a message round trip and costly ones are still spread out.
// `threads`: worker threads on rank 0 (other ranks compute one point at a time with `threads` threads inside the
// point). compute must not throw (it reports failures in its result).
void run_points(const Cluster& cluster, const std::vector<std::size_t>& order, const std::vector<double>& costs,
                int threads, const std::function<std::string(std::size_t)>& compute,
                const std::function<void(const std::string&)>& deliver);

}  // namespace tilt
