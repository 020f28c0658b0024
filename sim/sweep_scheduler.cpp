#include "sim/sweep_scheduler.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>

#include "analysis/h5_file.hpp"
#include "sim/mpi_comm.hpp"
#include "sim/progress_bar.hpp"

extern char** environ;

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

constexpr int kTagRequest = 701;  // worker -> rank 0: (finished index or -1, its exit code)
constexpr int kTagAssign = 702;   // rank 0 -> worker: (index to run or -1 = stop, 0)

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

using Clock = std::chrono::steady_clock;

int default_threads(const SweepRunOptions& o) {
  if (o.threads > 0) return o.threads;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, o.jobs * mpi::local_size()));
}

// Starts `gaitsim train` for a point; returns its pid (or -1 when skipped).
pid_t spawn_point(const SweepSpec& spec, const SweepPoint& p, const SweepRunOptions& o,
                  PointAction action) {
  const fs::path out = o.dir / "points" / p.name;
  std::vector<std::string> args = {"gaitsim", "train", spec.base.string()};
  for (const auto& s : p.sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  args.insert(args.end(), {"--set", "output.progress=false", "--out", out.string(), "--threads",
                           std::to_string(default_threads(o))});
  args.push_back(action == PointAction::kResume ? "--resume" : "--force");
  // The child must not believe it is part of the MPI job.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string var = *e;
    const std::string name = var.substr(0, var.find('='));
    if (mpi::is_launcher_variable(name) || name == "OMP_NUM_THREADS") continue;
    env.push_back(var);
  }
  env.push_back("OMP_NUM_THREADS=" + std::to_string(default_threads(o)));
  env.push_back("GAITSIM_NO_MPI=1");
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string log = (o.dir / "logs" / (p.name + ".log")).string();
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execve("/proc/self/exe", argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// Counts and prints outcomes (rank 0).
class Tracker {
 public:
  Tracker(const std::vector<SweepPoint>& points, int total, int skipped)
      : points_(points), total_(total), stats_{skipped, 0, 0, 0}, t0_(Clock::now()) {}

  void finished(long long index, int code, int where) {
    ++stats_.ran;
    if (code == 3) ++stats_.diverged;
    if (code != 0 && code != 3) ++stats_.failed;
    const int done = stats_.skipped + stats_.ran;
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0_).count();
    const int todo = total_ - done;
    const double eta = stats_.ran > 0 ? elapsed / stats_.ran * todo : 0.0;
    const char* what = code == 0 ? "done" : code == 3 ? "DIVERGED" : "FAILED";
    std::printf("sweep %d/%d (%d diverged, %d failed) | %s %s", done, total_, stats_.diverged,
                stats_.failed, points_[index].name.c_str(), what);
    if (code != 0 && code != 3)
      std::printf(" (exit %d, see logs/%s.log)", code, points_[index].name.c_str());
    if (mpi::size() > 1) std::printf(" on rank %d", where);
    std::printf(" | %s elapsed, ETA %s\n", format_duration(elapsed).c_str(),
                format_duration(eta).c_str());
    std::fflush(stdout);
  }
  const SweepRunStats& stats() const { return stats_; }

 private:
  const std::vector<SweepPoint>& points_;
  int total_;
  SweepRunStats stats_;
  Clock::time_point t0_;
};

// Rank 0 (or the only process): runs up to `jobs` points locally and hands out the rest to
// the workers as they ask.
SweepRunStats dispatch(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                       const SweepRunOptions& o) {
  std::vector<long long> queue;
  int skipped = 0;
  std::map<long long, PointAction> actions;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const PointAction a = point_action(o.dir / "points" / points[i].name);
    if (a == PointAction::kSkip) {
      ++skipped;
    } else {
      queue.push_back(static_cast<long long>(i));
      actions[static_cast<long long>(i)] = a;
    }
  }
  std::printf(
      "sweep: %zu points, %d already finished, %zu to run (%zu resumed) on %d process%s x "
      "%d job%s, %d thread%s each\n",
      points.size(), skipped, queue.size(),
      static_cast<std::size_t>(
          std::count_if(actions.begin(), actions.end(),
                        [](auto& kv) { return kv.second == PointAction::kResume; })),
      mpi::size(), mpi::size() == 1 ? "" : "es", o.jobs, o.jobs == 1 ? "" : "s", default_threads(o),
      default_threads(o) == 1 ? "" : "s");
  std::fflush(stdout);
  Tracker tracker(points, static_cast<int>(points.size()), skipped);
  std::size_t next = 0;
  std::map<pid_t, long long> running;
  int workers = mpi::size() - 1;
  while (next < queue.size() || !running.empty() || workers > 0) {
    bool busy = false;
    if (g_stop) {
      for (const auto& [pid, index] : running) kill(pid, SIGTERM);
      for (const auto& [pid, index] : running) waitpid(pid, nullptr, 0);
      throw std::runtime_error("sweep interrupted; run it again to resume");
    }
    // Finished local points.
    int status = 0;
    pid_t pid;
    while (!running.empty() && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
      auto it = running.find(pid);
      if (it == running.end()) continue;
      tracker.finished(it->second, exit_code_of(status), 0);
      running.erase(it);
      busy = true;
    }
    // Requests from workers.
    while (workers > 0 && mpi::probe(kTagRequest)) {
      long long prev = 0, code = 0;
      const int source = mpi::recv_pair(-1, kTagRequest, prev, code);
      if (prev >= 0) tracker.finished(prev, static_cast<int>(code), source);
      const long long give = next < queue.size() ? queue[next++] : -1;
      mpi::send_pair(source, kTagAssign, give,
                     give >= 0 ? static_cast<long long>(actions[give]) : 0);
      if (give < 0) --workers;
      busy = true;
    }
    // Local slots.
    while (running.size() < std::size_t(o.jobs) && next < queue.size()) {
      const long long i = queue[next++];
      running[spawn_point(spec, points[i], o, actions[i])] = i;
      busy = true;
    }
    if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return tracker.stats();
}

// Ranks > 0: ask rank 0 for a point, run it, report, until told to stop.
void work(const SweepSpec& spec, const std::vector<SweepPoint>& points, const SweepRunOptions& o) {
  long long prev = -1, code = 0;
  while (true) {
    mpi::send_pair(0, kTagRequest, prev, code);
    long long index = -1, action = 0;
    mpi::recv_pair(0, kTagAssign, index, action);
    if (index < 0) return;
    const pid_t pid = spawn_point(spec, points[index], o, static_cast<PointAction>(action));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      if (g_stop) kill(pid, SIGTERM);
    }
    prev = index;
    code = exit_code_of(status);
  }
}

}  // namespace

PointAction point_action(const fs::path& point_dir) {
  const fs::path file = point_dir / "run.h5";
  if (!fs::exists(file)) return PointAction::kFresh;
  try {
    const std::string status = h5::File::open_read(file).attr_string("/", "status");
    if (status == "complete" || status == "diverged") return PointAction::kSkip;
    if (status == "running" || status == "paused") return PointAction::kResume;
  } catch (const std::exception&) {
  }
  return PointAction::kFresh;  // unreadable: start again
}

SweepRunStats run_sweep_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                               const SweepRunOptions& o) {
  fs::create_directories(o.dir / "points");
  fs::create_directories(o.dir / "logs");
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  if (mpi::rank() == 0) return dispatch(spec, points, o);
  work(spec, points, o);
  return {};
}

}  // namespace gaitsim
