#pragma once
// The optional MPI layer. gaitsim initialises MPI only when it was started by an MPI launcher
// (mpirun/srun set OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE), so the same binary runs
// alone without one. Built without MPI (GAITSIM_MPI=OFF or no MPI found) every call is the
// serial fallback: one rank, reductions are identities.
#include <cstddef>
#include <memory>
#include <string>

namespace gaitsim::mpi {

// True when this binary was compiled with MPI.
bool compiled();
// True when started under an MPI launcher with more than one process (and MPI is compiled).
bool launched();
// Processes of this job on this node (OMPI_COMM_WORLD_LOCAL_SIZE etc.; 1 when unknown).
int local_size();
// The environment variables of the MPI launcher, to strip from child processes.
bool is_launcher_variable(const std::string& name);

// This process in its MPI job: rank, size and the communication it has under way. The command
// that communicates (`gaitsim train`, `gaitsim sweep`) makes one and passes it to what needs it.
// Making it initialises MPI when launched() (MPI allows that once per process); destroying it
// finalises MPI unless abandon() was called.
class Context {
 public:
  Context();
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  bool active() const;  // MPI_Init ran
  int rank() const;     // 0 when not active
  int size() const;     // 1 when not active

  // Ends every process of the job (after an error on one rank that the others cannot see).
  [[noreturn]] void abort(int code);

  void barrier();
  // In-place sums over all ranks.
  void allreduce_sum(double* data, std::size_t n);
  void allreduce_sum(float* data, std::size_t n);
  void allreduce_sum(long long* data, std::size_t n);

  // Non-blocking in-place sum; wait_all() completes every one started.
  void iallreduce_sum(double* data, std::size_t n);
  void iallreduce_sum(float* data, std::size_t n);
  void wait_all();

  // Point-to-point for the sweep dispatcher: pairs of integers, on a communicator of their own
  // whose errors are returned, not fatal, so that a dead peer cannot end or hang this process.
  // Sends never block: the pair is buffered until it is delivered (or the process exits).
  void send_pair(int dest, int tag, long long a, long long b);
  // Receives a waiting pair with `tag` from `source` (any when < 0); returns the source rank,
  // or -1 when none is waiting.
  int try_recv_pair(int source, int tag, long long& a, long long& b);

  // Skips MPI_Finalize: a peer died or stopped answering, and Finalize waits for every process
  // of the job that is still alive. Under `mpirun --enable-recovery` the exit is clean; without
  // it mpirun ends the remaining processes (as it would have when the peer died).
  void abandon();

 private:
  struct State;  // MPI handles and pending requests (none without MPI)
  std::unique_ptr<State> state_;
  int rank_ = 0, size_ = 1;
};

}  // namespace gaitsim::mpi
