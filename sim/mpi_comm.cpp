#include "sim/mpi_comm.hpp"

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

#ifdef GAITSIM_HAVE_MPI
bool g_active = false, g_abandoned = false;
int g_rank = 0, g_size = 1;
std::vector<MPI_Request> g_requests;
MPI_Comm g_pairs = MPI_COMM_NULL;  // the communicator of send_pair / try_recv_pair

// A send_pair not yet complete; a list keeps each buffer in place until then.
struct PendingPair {
  MPI_Request request = MPI_REQUEST_NULL;
  long long buf[2] = {0, 0};
};
std::list<PendingPair> g_pending;

// Finalises at exit. Sends still pending are released first (MPI_Finalize completes them);
// their buffers, in g_pending, are destroyed after this object.
struct Finaliser {
  ~Finaliser() {
    int done = 0;
    if (!g_active || g_abandoned || (MPI_Finalized(&done), done)) return;
    for (auto& p : g_pending) {
      if (p.request != MPI_REQUEST_NULL) MPI_Request_free(&p.request);
    }
    MPI_Finalize();
  }
} g_finaliser;
#endif

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

#ifdef GAITSIM_HAVE_MPI

void init() {
  if (g_active || !launched()) return;
  MPI_Init(nullptr, nullptr);
  g_active = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  MPI_Comm_dup(MPI_COMM_WORLD, &g_pairs);
  MPI_Comm_set_errhandler(g_pairs, MPI_ERRORS_RETURN);
}
bool active() { return g_active; }
int rank() { return g_rank; }
int size() { return g_size; }
void abort(int code) {
  if (g_active) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}
void barrier() {
  if (g_active) MPI_Barrier(MPI_COMM_WORLD);
}
void allreduce_sum(double* d, std::size_t n) {
  if (g_active) MPI_Allreduce(MPI_IN_PLACE, d, int(n), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
void allreduce_sum(float* d, std::size_t n) {
  if (g_active) MPI_Allreduce(MPI_IN_PLACE, d, int(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
void allreduce_sum(long long* d, std::size_t n) {
  if (g_active) MPI_Allreduce(MPI_IN_PLACE, d, int(n), MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
}
void iallreduce_sum(double* d, std::size_t n) {
  if (!g_active) return;
  g_requests.emplace_back();
  MPI_Iallreduce(MPI_IN_PLACE, d, int(n), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &g_requests.back());
}
void iallreduce_sum(float* d, std::size_t n) {
  if (!g_active) return;
  g_requests.emplace_back();
  MPI_Iallreduce(MPI_IN_PLACE, d, int(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &g_requests.back());
}
void wait_all() {
  if (g_requests.empty()) return;
  MPI_Waitall(int(g_requests.size()), g_requests.data(), MPI_STATUSES_IGNORE);
  g_requests.clear();
}
void send_pair(int dest, int tag, long long a, long long b) {
  if (!g_active) return;
  // A send that failed (its peer is gone) counts as complete: nobody waits for it.
  g_pending.remove_if([](PendingPair& p) {
    int done = 0;
    return MPI_Test(&p.request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || done != 0;
  });
  PendingPair& p = g_pending.emplace_back();
  p.buf[0] = a;
  p.buf[1] = b;
  MPI_Isend(p.buf, 2, MPI_LONG_LONG, dest, tag, g_pairs, &p.request);
}
int try_recv_pair(int source, int tag, long long& a, long long& b) {
  if (!g_active) return -1;
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, tag, g_pairs, &flag, &status);
  if (!flag) return -1;
  long long buf[2];
  MPI_Recv(buf, 2, MPI_LONG_LONG, status.MPI_SOURCE, tag, g_pairs, MPI_STATUS_IGNORE);
  a = buf[0];
  b = buf[1];
  return status.MPI_SOURCE;
}
void abandon() { g_abandoned = true; }

#else  // serial fallback

void init() {}
bool active() { return false; }
int rank() { return 0; }
int size() { return 1; }
void abort(int code) { std::exit(code); }
void barrier() {}
void allreduce_sum(double*, std::size_t) {}
void allreduce_sum(float*, std::size_t) {}
void allreduce_sum(long long*, std::size_t) {}
void iallreduce_sum(double*, std::size_t) {}
void iallreduce_sum(float*, std::size_t) {}
void wait_all() {}
void send_pair(int, int, long long, long long) {}
int try_recv_pair(int, int, long long&, long long&) { return -1; }
void abandon() {}

#endif

int local_size() {
  for (const char* name :
       {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"}) {
    if (int n = env_int(name); n > 0) return n;
  }
  return 1;
}

}  // namespace gaitsim::mpi
