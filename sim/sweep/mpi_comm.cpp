#include "sim/sweep/mpi_comm.hpp"

#include <cassert>
#include <cstdlib>
#include <list>
#include <vector>

#ifdef GAITSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace gaitsim::mpi {

namespace {

int env_int(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : 0;
}

int launcher_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE", "SLURM_NTASKS"}) {
    if (name == std::string("SLURM_NTASKS") && !std::getenv("PMI_RANK") &&
        !std::getenv("PMIX_RANK")) {
      continue;  // under sbatch but not started by srun/mpirun
    }
    if (int n = env_int(name); n > 0) return n;
  }
  return 0;
}

}  // namespace

bool compiled() {
#ifdef GAITSIM_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool launched() {
  if (!compiled() || std::getenv("GAITSIM_NO_MPI")) return false;
  return launcher_size() > 1;
}

bool is_launcher_variable(const std::string& name) {
  for (const char* prefix : {"OMPI_", "PMIX_", "PMI_", "OPAL_", "HYDRA_", "MPI_LOCALRANKID"}) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

int local_size() {
  for (const char* name :
       {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"}) {
    if (int n = env_int(name); n > 0) return n;
  }
  return 1;
}

#ifdef GAITSIM_HAVE_MPI

// A send_pair not yet complete; a list keeps each buffer in place until then.
struct PendingPair {
  MPI_Request request = MPI_REQUEST_NULL;
  long long buf[2] = {0, 0};
};

struct Context::State {
  bool active = false, abandoned = false;
  std::vector<MPI_Request> requests;  // iallreduce_sum's, until wait_all
  MPI_Comm pairs = MPI_COMM_NULL;     // the communicator of send_pair / try_recv_pair
  std::list<PendingPair> pending;     // send_pair's, until delivered
};

Context::Context() : state_(std::make_unique<State>()) {
  if (!launched()) return;
  [[maybe_unused]] int initialized = 0;
  MPI_Initialized(&initialized);
  assert(!initialized && "one mpi::Context per process");
  MPI_Init(nullptr, nullptr);
  state_->active = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm_dup(MPI_COMM_WORLD, &state_->pairs);
  MPI_Comm_set_errhandler(state_->pairs, MPI_ERRORS_RETURN);
}

// Sends still pending are released first (MPI_Finalize completes them); their buffers go with
// the state, after Finalize.
Context::~Context() {
  int done = 0;
  if (!state_->active || state_->abandoned || (MPI_Finalized(&done), done)) return;
  for (auto& p : state_->pending) {
    if (p.request != MPI_REQUEST_NULL) MPI_Request_free(&p.request);
  }
  MPI_Finalize();
}

bool Context::active() const { return state_->active; }
int Context::rank() const { return rank_; }
int Context::size() const { return size_; }
void Context::abort(int code) {
  if (state_->active) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}
void Context::barrier() {
  if (state_->active) MPI_Barrier(MPI_COMM_WORLD);
}
void Context::allreduce_sum(double* d, std::size_t n) {
  if (state_->active) MPI_Allreduce(MPI_IN_PLACE, d, int(n), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
void Context::allreduce_sum(float* d, std::size_t n) {
  if (state_->active) MPI_Allreduce(MPI_IN_PLACE, d, int(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
void Context::allreduce_sum(long long* d, std::size_t n) {
  if (state_->active) {
    MPI_Allreduce(MPI_IN_PLACE, d, int(n), MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
  }
}
void Context::iallreduce_sum(double* d, std::size_t n) {
  if (!state_->active) return;
  auto& r = state_->requests.emplace_back();
  MPI_Iallreduce(MPI_IN_PLACE, d, int(n), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &r);
}
void Context::iallreduce_sum(float* d, std::size_t n) {
  if (!state_->active) return;
  auto& r = state_->requests.emplace_back();
  MPI_Iallreduce(MPI_IN_PLACE, d, int(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &r);
}
void Context::wait_all() {
  auto& requests = state_->requests;
  if (requests.empty()) return;
  MPI_Waitall(int(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  requests.clear();
}
void Context::send_pair(int dest, int tag, long long a, long long b) {
  if (!state_->active) return;
  // A send that failed (its peer is gone) counts as complete: nobody waits for it.
  state_->pending.remove_if([](PendingPair& p) {
    int done = 0;
    return MPI_Test(&p.request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || done != 0;
  });
  PendingPair& p = state_->pending.emplace_back();
  p.buf[0] = a;
  p.buf[1] = b;
  MPI_Isend(p.buf, 2, MPI_LONG_LONG, dest, tag, state_->pairs, &p.request);
}
int Context::try_recv_pair(int source, int tag, long long& a, long long& b) {
  if (!state_->active) return -1;
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, tag, state_->pairs, &flag, &status);
  if (!flag) return -1;
  long long buf[2];
  MPI_Recv(buf, 2, MPI_LONG_LONG, status.MPI_SOURCE, tag, state_->pairs, MPI_STATUS_IGNORE);
  a = buf[0];
  b = buf[1];
  return status.MPI_SOURCE;
}
void Context::abandon() { state_->abandoned = true; }

#else  // serial fallback

struct Context::State {};

Context::Context() : state_(std::make_unique<State>()) {}
Context::~Context() = default;
bool Context::active() const { return false; }
int Context::rank() const { return 0; }
int Context::size() const { return 1; }
void Context::abort(int code) { std::exit(code); }
void Context::barrier() {}
void Context::allreduce_sum(double*, std::size_t) {}
void Context::allreduce_sum(float*, std::size_t) {}
void Context::allreduce_sum(long long*, std::size_t) {}
void Context::iallreduce_sum(double*, std::size_t) {}
void Context::iallreduce_sum(float*, std::size_t) {}
void Context::wait_all() {}
void Context::send_pair(int, int, long long, long long) {}
int Context::try_recv_pair(int, int, long long&, long long&) { return -1; }
void Context::abandon() {}

#endif

}  // namespace gaitsim::mpi
