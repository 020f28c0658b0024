#include "sim/sweep/sweep_scheduler.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "analysis/duration_text.hpp"
#include "analysis/h5_file.hpp"
#include "analysis/h5_seal.hpp"
#include "sim/sweep/mpi_comm.hpp"
#include "sim/sweep/sweep_summary.hpp"

extern char** environ;

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

// Rank 0 and a worker exchange pairs of integers, one tag per direction.
constexpr int kTagToRoot = 701;    // worker -> 0: (kAsk or kBeat, 0) | (finished index, exit code)
constexpr int kTagToWorker = 702;  // 0 -> worker: (index, PointAction) | (one of the below, arg)
constexpr long long kAsk = -1;     // give me a point
constexpr long long kBeat = -2;    // I am alive
constexpr long long kAlive = -1;   // the answer to a heartbeat
constexpr long long kNoMore = -2;  // no point left: keep beating until kStop
constexpr long long kStop = -3;    // stop (ending a running point); arg 1: skip MPI_Finalize
constexpr long long kLost = -4;    // you were declared lost: stop your point and exit

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

int default_threads(const SweepRunOptions& o) {
  if (o.threads > 0) return o.threads;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, o.jobs * mpi::local_size()));
}

std::string host_name() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// Starts `gaitsim train` for a point; returns its pid. Its log gets a first line naming the
// process (and rank) that started it.
pid_t spawn_point(const SweepSpec& spec, const SweepPoint& p, const SweepRunOptions& o,
                  PointAction action, const mpi::Context& comm) {
  const fs::path out = o.dir / "points" / p.name;
  std::vector<std::string> args = {"gaitsim", "train", spec.base.string()};
  for (const auto& s : p.sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  args.insert(args.end(), {"--set", "output.progress=false", "--out", out.string(), "--threads",
                           std::to_string(default_threads(o))});
  // A fresh point needs no --force: its folder holds no run file (train refuses one that does,
  // so a run file appearing meanwhile is never replaced).
  if (action == PointAction::kResume) args.push_back("--resume");
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
  const fs::path log = o.dir / "logs" / (p.name + ".log");
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const pid_t parent = getpid();
  if (fd >= 0) {
    dprintf(fd, "gaitsim sweep: point started by pid %d on %s (rank %d of %d)\n", int(parent),
            host_name().c_str(), comm.rank(), comm.size());
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    // The point dies with the process that started it (a rank SIGKILLed, a node lost), so no
    // orphan goes on writing a point that rank 0 records as lost; getppid catches a parent
    // that died before prctl.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execve("/proc/self/exe", argv.data(), envp.data());
    _exit(127);
  }
  if (fd >= 0) close(fd);
  return pid;
}

// Ends a point's process and waits for it; its last checkpoint stays resumable.
void stop_point(pid_t pid) {
  kill(pid, SIGTERM);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// Counts and prints outcomes (rank 0).
class Tracker {
 public:
  // ranks: processes of the sweep; unreadable: finished-looking points whose run file could not
  // be read (kept, not retrained)
  Tracker(const std::vector<SweepPoint>& points, int skipped, int unreadable, int ranks)
      : points_(points),
        stats_{skipped, 0, 0, 0, 0, unreadable},
        ranks_(ranks),
        t0_(Clock::now()) {}

  void finished(long long index, int code, int rank) {
    ++stats_.ran;
    if (code == 3) ++stats_.diverged;
    if (code != 0 && code != 3) ++stats_.failed;
    const std::string& name = points_[index].name;
    std::string what = name + (code == 0 ? " done" : code == 3 ? " DIVERGED" : " FAILED");
    if (code != 0 && code != 3)
      what += " (exit " + std::to_string(code) + ", see logs/" + name + ".log)";
    if (ranks_ > 1) what += " on rank " + std::to_string(rank);
    report(what);
  }
  void lost(long long index, int rank, double silence) {
    ++stats_.lost;
    report(points_[index].name + " LOST: rank " + std::to_string(rank) + " sent nothing for " +
           seconds_text(silence));
  }
  const SweepRunStats& stats() const { return stats_; }

 private:
  // One line: progress, what happened, elapsed time and ETA.
  void report(const std::string& what) {
    const int lost = stats_.lost;
    const int total = static_cast<int>(points_.size());
    const int done = stats_.skipped + stats_.unreadable + stats_.ran + lost;
    const double elapsed = seconds_since(t0_);
    const double eta = stats_.ran > 0 ? elapsed / stats_.ran * (total - done) : 0.0;
    const std::string lost_text = lost > 0 ? ", " + std::to_string(lost) + " lost" : "";
    std::printf("sweep %d/%d (%d diverged, %d failed%s) | %s | %s elapsed, ETA %s\n", done, total,
                stats_.diverged, stats_.failed, lost_text.c_str(), what.c_str(),
                format_duration(elapsed).c_str(), format_duration(eta).c_str());
    std::fflush(stdout);
  }

  const std::vector<SweepPoint>& points_;
  SweepRunStats stats_;
  int ranks_;
  Clock::time_point t0_;
};

// The points to run, in order, and how (from their run files).
struct Plan {
  std::vector<long long> queue;
  std::vector<PointAction> actions;  // per point
  int skipped = 0, resumed = 0, unreadable = 0;
};

Plan make_plan(const std::vector<SweepPoint>& points, const fs::path& dir) {
  Plan plan;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const fs::path point_dir = dir / "points" / points[i].name;
    std::string why;
    plan.actions.push_back(point_action(point_dir, &why));
    if (plan.actions.back() == PointAction::kSkip) {
      ++plan.skipped;
    } else if (plan.actions.back() == PointAction::kKeepUnreadable) {
      ++plan.unreadable;
      std::fprintf(stderr,
                   "sweep: point %s not run: its run file %s cannot be read (%s); it is kept as "
                   "it is: move it away to train the point again\n",
                   points[i].name.c_str(), (point_dir / "run.h5").c_str(), why.c_str());
    } else {
      plan.queue.push_back(static_cast<long long>(i));
      plan.resumed += plan.actions.back() == PointAction::kResume;
    }
  }
  return plan;
}

// Rank 0 (or the only process): runs up to `jobs` points itself and hands out the others to
// the worker ranks as they ask, answering their heartbeats and declaring lost those that fall
// silent.
class Dispatcher {
 public:
  Dispatcher(const SweepSpec& spec, const std::vector<SweepPoint>& points, const SweepRunOptions& o,
             mpi::Context& comm)
      : spec_(spec),
        points_(points),
        o_(o),
        comm_(comm),
        plan_(make_plan(points, o.dir)),
        tracker_(points, plan_.skipped, plan_.unreadable, comm.size()),
        workers_(static_cast<std::size_t>(comm.size())) {}

  SweepRunStats run() {
    print_header();
    for (auto& w : workers_) w.heard = Clock::now();
    while (next_ < plan_.queue.size() || !running_.empty() || workers_busy()) {
      if (g_stop) interrupt();
      bool busy = reap_local();
      busy = answer_workers() || busy;
      busy = start_local() || busy;
      declare_silent_workers_lost();
      if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop_workers();
    return tracker_.stats();
  }

 private:
  // A worker rank as rank 0 sees it.
  struct Worker {
    enum class State { kStarting, kRunning, kIdle, kLost } state = State::kStarting;
    long long point = -1;     // the point it runs
    Clock::time_point heard;  // its last message
  };

  void print_header() const {
    const int n = comm_.size(), threads = default_threads(o_);
    std::printf(
        "sweep: %zu points, %d already finished, %zu to run (%d resumed) on %d process%s x "
        "%d job%s, %d thread%s each",
        points_.size(), plan_.skipped, plan_.queue.size(), plan_.resumed, n, n == 1 ? "" : "es",
        o_.jobs, o_.jobs == 1 ? "" : "s", threads, threads == 1 ? "" : "s");
    if (n > 1) std::printf("; a rank silent for %s is lost", seconds_text(o_.rank_timeout).c_str());
    if (plan_.unreadable > 0) std::printf("; %d kept unread (see above)", plan_.unreadable);
    std::printf("\n");
    std::fflush(stdout);
  }

  bool workers_busy() const {
    return std::any_of(workers_.begin() + 1, workers_.end(), [](const Worker& w) {
      return w.state == Worker::State::kStarting || w.state == Worker::State::kRunning;
    });
  }

  // Finished local points.
  bool reap_local() {
    bool busy = false;
    int status = 0;
    pid_t pid;
    while (!running_.empty() && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
      auto it = running_.find(pid);
      if (it == running_.end()) continue;
      tracker_.finished(it->second, exit_code_of(status), 0);
      running_.erase(it);
      busy = true;
    }
    return busy;
  }

  bool start_local() {
    bool busy = false;
    while (running_.size() < std::size_t(o_.jobs) && next_ < plan_.queue.size()) {
      const long long i = plan_.queue[next_++];
      running_[spawn_point(spec_, points_[i], o_, plan_.actions[i], comm_)] = i;
      busy = true;
    }
    return busy;
  }

  // Heartbeats, results and requests of the workers.
  bool answer_workers() {
    bool busy = false;
    long long a = 0, b = 0;
    int rank;
    while ((rank = comm_.try_recv_pair(-1, kTagToRoot, a, b)) > 0) {
      busy = true;
      Worker& w = workers_[rank];
      if (w.state == Worker::State::kLost) {  // it was only slow; its point stays lost
        comm_.send_pair(rank, kTagToWorker, kLost, 0);
        continue;
      }
      w.heard = Clock::now();
      if (a == kBeat) {
        comm_.send_pair(rank, kTagToWorker, kAlive, 0);
        continue;
      }
      if (a >= 0) tracker_.finished(a, static_cast<int>(b), rank);
      if (next_ < plan_.queue.size()) {
        w.point = plan_.queue[next_++];
        w.state = Worker::State::kRunning;
        comm_.send_pair(rank, kTagToWorker, w.point,
                        static_cast<long long>(plan_.actions[w.point]));
      } else {
        w.point = -1;
        w.state = Worker::State::kIdle;
        comm_.send_pair(rank, kTagToWorker, kNoMore, 0);
      }
    }
    return busy;
  }

  // A worker silent for rank_timeout is lost. Its point is recorded as lost and not handed out
  // again in this run: the rank may only hang, with its point still running.
  void declare_silent_workers_lost() {
    for (std::size_t r = 1; r < workers_.size(); ++r) {
      Worker& w = workers_[r];
      const double silence = seconds_since(w.heard);
      if (w.state == Worker::State::kLost || silence < o_.rank_timeout) continue;
      w.state = Worker::State::kLost;
      if (w.point < 0) {
        std::printf("sweep: rank %zu sent nothing for %s; it gets no more points\n", r,
                    seconds_text(silence).c_str());
        std::fflush(stdout);
        continue;
      }
      tracker_.lost(w.point, static_cast<int>(r), silence);
      std::ofstream(o_.dir / "logs" / (points_[w.point].name + ".log"), std::ios::app)
          << lost_note(static_cast<int>(r), silence);
    }
  }

  // Ends every living worker (and its point, if it runs one). After a lost rank no process
  // calls MPI_Finalize, which would wait for that rank while it is alive.
  void stop_workers() {
    const bool lost = std::any_of(workers_.begin() + 1, workers_.end(),
                                  [](const Worker& w) { return w.state == Worker::State::kLost; });
    for (std::size_t r = 1; r < workers_.size(); ++r) {
      if (workers_[r].state != Worker::State::kLost)
        comm_.send_pair(static_cast<int>(r), kTagToWorker, kStop, lost ? 1 : 0);
    }
    if (lost) comm_.abandon();
  }

  [[noreturn]] void interrupt() {
    for (const auto& [pid, index] : running_) stop_point(pid);
    stop_workers();
    throw std::runtime_error("sweep interrupted; run it again to resume");
  }

  const SweepSpec& spec_;
  const std::vector<SweepPoint>& points_;
  const SweepRunOptions& o_;
  mpi::Context& comm_;
  const Plan plan_;
  Tracker tracker_;
  std::vector<Worker> workers_;         // by rank; [0] is rank 0 itself, unused
  std::size_t next_ = 0;                // the next entry of plan_.queue to run
  std::map<pid_t, long long> running_;  // local points by pid
};

// Ranks > 0: asks rank 0 for points and runs them one at a time, beating every
// rank_timeout / 4, until told to stop. Throws, after stopping its point, when rank 0 falls
// silent or declares this rank lost.
class WorkerRank {
 public:
  WorkerRank(const SweepSpec& spec, const std::vector<SweepPoint>& points, const SweepRunOptions& o,
             mpi::Context& comm)
      : spec_(spec),
        points_(points),
        o_(o),
        comm_(comm),
        beat_interval_(std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(o.rank_timeout / 4))) {}

  void run() {
    comm_.send_pair(0, kTagToRoot, kAsk, 0);
    while (!answer_rank0()) {
      if (g_stop) give_up("interrupted");
      report_finished_point();
      if (heard_ && seconds_since(*heard_) > o_.rank_timeout) {
        give_up("rank 0 (the dispatcher) sent nothing for " + seconds_text(seconds_since(*heard_)) +
                ": it died or hangs");
      }
      if (Clock::now() >= next_beat_) {
        comm_.send_pair(0, kTagToRoot, kBeat, 0);
        next_beat_ = Clock::now() + beat_interval_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  // Rank 0's messages; true when told to stop.
  bool answer_rank0() {
    long long a = 0, b = 0;
    while (comm_.try_recv_pair(0, kTagToWorker, a, b) == 0) {
      heard_ = Clock::now();
      if (a >= 0) {
        point_ = a;
        child_ = spawn_point(spec_, points_[a], o_, static_cast<PointAction>(b), comm_);
      } else if (a == kStop) {
        if (child_ > 0) stop_point(child_);
        if (b != 0) comm_.abandon();
        return true;
      } else if (a == kLost) {
        give_up("rank 0 declared this rank lost after hearing nothing from it for " +
                seconds_text(o_.rank_timeout));
      }
    }
    return false;
  }

  void report_finished_point() {
    int status = 0;
    if (child_ > 0 && waitpid(child_, &status, WNOHANG) == child_) {
      comm_.send_pair(0, kTagToRoot, point_, exit_code_of(status));
      child_ = -1;
      point_ = -1;
    }
  }

  // Stops this rank's point and leaves without MPI_Finalize (a peer is gone).
  [[noreturn]] void give_up(const std::string& why) {
    if (child_ > 0) stop_point(child_);
    comm_.abandon();
    std::string what = "rank " + std::to_string(comm_.rank()) + ": " + why;
    if (point_ >= 0) {
      what += "; its point " + points_[point_].name +
              " was stopped at its last checkpoint (run the sweep again to resume it)";
    }
    throw std::runtime_error(what);
  }

  const SweepSpec& spec_;
  const std::vector<SweepPoint>& points_;
  const SweepRunOptions& o_;
  mpi::Context& comm_;
  const Clock::duration beat_interval_;
  Clock::time_point next_beat_ = Clock::now();
  // Rank 0's last message. Its silence counts from its first answer: before, it checks the
  // sweep and reads every run file, which can take long.
  std::optional<Clock::time_point> heard_;
  pid_t child_ = -1;      // the running point's process
  long long point_ = -1;  // and its index
};

}  // namespace

PointAction point_action(const fs::path& point_dir, std::string* why) {
  const fs::path file = point_dir / "run.h5";
  if (!fs::exists(file)) return PointAction::kFresh;
  std::string reason;
  try {
    h5::verify_seal(file);
    const std::string status = h5::File::open_read(file).attr_string("/", "status");
    if (status == "complete" || status == "diverged") return PointAction::kSkip;
    if (status == "running" || status == "paused") return PointAction::kResume;
    reason = "unknown status '" + status + "'";
  } catch (const std::exception& e) {
    reason = e.what();
  }
  if (why) *why = reason;
  return PointAction::kKeepUnreadable;
}

SweepRunStats run_sweep_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                               const SweepRunOptions& o, mpi::Context& comm) {
  fs::create_directories(o.dir / "points");
  fs::create_directories(o.dir / "logs");
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  if (comm.rank() == 0) return Dispatcher(spec, points, o, comm).run();
  WorkerRank(spec, points, o, comm).run();
  return {};
}

}  // namespace gaitsim
