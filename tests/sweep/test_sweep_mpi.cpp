// Under `mpirun -n 2 --oversubscribe`: a sweep spread over two ranks gives the summary of the
// local sweep, and data-parallel training equals the single-process run. Under `mpirun -n 3
// --enable-recovery`: a SIGKILLed worker rank loses only its point, a SIGKILLed rank 0 stops the
// workers, and a re-run finishes every point from its checkpoint.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "analysis/h5_file.hpp"
#include "neurons/types.hpp"
#include "sweep_test_util.hpp"

namespace gaitsim {
namespace {

using namespace testing;

// mpirun with 2 processes; as root it needs --allow-run-as-root.
CliResult run_mpi(const std::string& args) {
  const std::string root = geteuid() == 0 ? " --allow-run-as-root" : "";
  return run_command(std::string(GAITSIM_MPIEXEC) + " -n 2 --oversubscribe" + root +
                     " -x OMP_NUM_THREADS=1 " + GAITSIM_BINARY + " " + args);
}

// mpirun with 3 processes that survives the death of one (docs/cluster.md, rank failure).
std::string recoverable_mpirun() {
  const std::string root = geteuid() == 0 ? " --allow-run-as-root" : "";
  return std::string(GAITSIM_MPIEXEC) + " -n 3 --oversubscribe --enable-recovery" + root +
         " -x OMP_NUM_THREADS=1 " + GAITSIM_BINARY;
}

// Starts a shell command in its own process group, output to `log`; returns its pid.
pid_t start_background(const std::string& command, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", ("exec " + command + " >" + log + " 2>&1").c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

// Waits up to `limit` for `pid`; false (and the process group killed) when it did not end.
bool ended_within(pid_t pid, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return false;
}

// The /proc/<pid> entries: (pid, parent pid, command line with spaces).
struct ProcessInfo {
  pid_t pid = 0, ppid = 0;
  char state = '?';
  std::string cmdline;
};
std::vector<ProcessInfo> processes() {
  std::vector<ProcessInfo> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_file(e.path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 4 > stat.size()) continue;
    ProcessInfo p;
    p.pid = std::stoi(name);
    p.state = stat[close + 2];
    p.ppid = std::atoi(stat.c_str() + close + 4);
    p.cmdline = read_file(e.path() / "cmdline");
    for (char& c : p.cmdline) c = c == '\0' ? ' ' : c;
    out.push_back(p);
  }
  return out;
}

// The `gaitsim train` processes of a sweep folder that are alive (not zombies).
std::vector<pid_t> live_points(const std::string& out) {
  std::vector<pid_t> pids;
  for (const auto& p : processes()) {
    if (p.state != 'Z' && has(p.cmdline, " train ") && has(p.cmdline, out + "/points/"))
      pids.push_back(p.pid);
  }
  return pids;
}

// The `gaitsim train` child of a process (0 when none).
pid_t point_child(pid_t parent) {
  for (const auto& p : processes()) {
    if (p.ppid == parent && has(p.cmdline, " train ")) return p.pid;
  }
  return 0;
}

// Waits (up to 5 s) for a process to end (a zombie has ended).
bool ends(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    const auto all = processes();
    if (std::none_of(all.begin(), all.end(),
                     [&](const ProcessInfo& p) { return p.pid == pid && p.state != 'Z'; }))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Waits (up to 20 s) until no point process of the sweep is left.
bool no_live_points(const std::string& out) {
  for (int i = 0; i < 200 && !live_points(out).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return live_points(out).empty();
}

// A point being trained, from the first line its log gets: "point started by pid P on HOST
// (rank R of K)".
struct RunningPoint {
  std::string name;
  int rank = -1;
  pid_t rank_pid = 0;  // the rank's process
};
std::vector<RunningPoint> started_points(const std::string& out) {
  std::vector<RunningPoint> found;
  if (!std::filesystem::exists(out + "/logs")) return found;
  for (const auto& e : std::filesystem::directory_iterator(out + "/logs")) {
    const std::string log = read_file(e.path());
    const auto at = log.find("point started by pid ");
    if (at == std::string::npos) continue;
    RunningPoint p;
    p.name = e.path().stem();
    p.rank_pid = std::atoi(log.c_str() + at + 21);
    const auto rank = log.find("(rank ", at);
    if (rank == std::string::npos) continue;
    p.rank = std::atoi(log.c_str() + rank + 6);
    found.push_back(p);
  }
  return found;
}

// Epochs checkpointed in a point's run file while it is still running (0 otherwise).
std::size_t running_epochs(const std::string& out, const std::string& name) {
  try {
    const auto f = h5::File::open_read(out + "/points/" + name + "/run.h5");
    if (f.attr_string("/", "status") != "running") return 0;
    return f.read_vector<double>("/metrics/test_accuracy").size();
  } catch (const std::exception&) {
    return 0;
  }
}

// Waits (up to 120 s) for a point run by a worker rank (> 0) to checkpoint 2 epochs.
std::optional<RunningPoint> wait_for_worker_point(const std::string& out) {
  for (int i = 0; i < 12000; ++i) {
    for (const auto& p : started_points(out)) {
      if (p.rank > 0 && running_epochs(out, p.name) >= 2) return p;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

// Stops (SIGSTOP) the `gaitsim train` process of a point running on a worker rank, so the
// point cannot finish before the test has done what it must; returns the point and that
// process. On a fast machine a small point ends within a second, before a peer's death is
// noticed, which made these tests depend on the machine's speed.
struct FrozenPoint {
  RunningPoint point;
  pid_t child = 0;  // the stopped `gaitsim train`
};
std::optional<FrozenPoint> freeze_worker_point(const std::string& out) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const auto p = wait_for_worker_point(out);
    if (!p) return std::nullopt;
    const pid_t child = point_child(p->rank_pid);
    if (child <= 0 || kill(child, SIGSTOP) != 0) continue;
    // Still its point's process, and the point still unfinished: frozen in time.
    if (point_child(p->rank_pid) == child && running_epochs(out, p->name) >= 2)
      return FrozenPoint{*p, child};
    kill(child, SIGCONT);
  }
  return std::nullopt;
}

// Waits (up to 60 s) until a SIGTERM is pending for `pid` (a stopped process keeps it pending).
bool sigterm_pending(pid_t pid) {
  const auto mask_has_sigterm = [](const std::string& status, const std::string& field) {
    const auto at = status.find(field);
    return at != std::string::npos &&
           (std::stoull(status.substr(at + field.size()), nullptr, 16) >> (SIGTERM - 1)) & 1;
  };
  for (int i = 0; i < 1200; ++i) {
    const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
    if (mask_has_sigterm(status, "ShdPnd:") || mask_has_sigterm(status, "SigPnd:")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class SweepMpi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist());
    tiny_config(dir);
  }

  // Starts, in the background, a sweep of four 40-epoch points under recoverable_mpirun (output
  // in first.txt) that tolerates a silence of `rank_timeout` seconds; sets sweep, out and
  // command and returns mpirun's pid.
  pid_t start_four_points(const std::string& rank_timeout) {
    tiny_config(dir, 40);
    sweep = write_file(dir, "grid.yaml",
                       "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3, 1e-4]\nseeds: [1, 2]\n");
    out = dir / "died";
    command = recoverable_mpirun() + " sweep " + sweep + " --out " + out +
              " --threads 1 --rank-timeout " + rank_timeout;
    return start_background(command, dir / "first.txt");
  }

  ScratchDir dir;
  std::string sweep, out, command;  // of start_four_points
};

TEST_F(SweepMpi, TwoRanksGiveTheSummaryOfTheLocalSweep) {
  const std::string sweep =
      write_file(dir, "grid.yaml",
                 "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3, 1e-4]\n"
                 "  learning.learning_rate: {log: [1e-3, 1e-2, 2]}\nseeds: [1, 2]\n");
  const auto local = run_cli("sweep " + sweep + " --out " + (dir / "local") + " --jobs 2");
  ASSERT_EQ(local.exit_code, 0) << local.output;
  const auto mpi = run_mpi("sweep " + sweep + " --out " + (dir / "mpi"));
  ASSERT_EQ(mpi.exit_code, 0) << mpi.output;
  EXPECT_TRUE(has(mpi.output, "on 2 processes")) << mpi.output;
  EXPECT_TRUE(has(mpi.output, "on rank 1")) << mpi.output;  // both ranks took points
  EXPECT_TRUE(has(mpi.output, "8 complete, 0 diverged, 0 unfinished")) << mpi.output;
  EXPECT_EQ(summary_core(dir / "local/summary.csv"), summary_core(dir / "mpi/summary.csv"));
  // Each point ran once: one "training" header per log.
  for (const auto& e : std::filesystem::directory_iterator(dir / "mpi/logs")) {
    const std::string log = read_file(e.path());
    EXPECT_EQ(log.find("training gait"), log.rfind("training gait")) << e.path();
  }
}

TEST_F(SweepMpi, DataParallelTrainingEqualsOneProcess) {
  for (const char* precision : {"float64", "float32"}) {
    const std::string set = std::string(" --set learning.precision=") + precision;
    const std::string one = dir / (std::string("one_") + precision),
                      two = dir / (std::string("two_") + precision);
    const auto a = run_cli("train " + (dir / "tiny.yaml") + set + " --out " + one + " --threads 1");
    ASSERT_EQ(a.exit_code, 0) << a.output;
    const auto b = run_mpi("train " + (dir / "tiny.yaml") + set + " --out " + two + " --threads 1");
    ASSERT_EQ(b.exit_code, 0) << b.output;
    EXPECT_TRUE(has(b.output, "data-parallel on 2 processes")) << b.output;
    h5::File fa = h5::File::open_read(one + "/run.h5"), fb = h5::File::open_read(two + "/run.h5");
    EXPECT_EQ(fb.attr_string("/", "status"), "complete");
    // Splitting a batch only changes the order of summation: after 20 Adam steps the weights
    // agree to 1e-12 relative in float64 (1e-4 in float32).
    const double tol = std::string(precision) == "float64" ? 1e-12 : 1e-4;
    for (int l = 1; l <= 3; ++l) {
      const std::string w = "/weights/" + std::to_string(l) + "/W";
      const Mat<double> wa = fa.read_matrix<double>(w), wb = fb.read_matrix<double>(w);
      EXPECT_LE((wa - wb).cwiseAbs().maxCoeff(), tol * wa.cwiseAbs().maxCoeff())
          << precision << " layer " << l;
    }
    const auto la = fa.read_vector<double>("/metrics/train_loss"),
               lb = fb.read_vector<double>("/metrics/train_loss");
    ASSERT_EQ(la.size(), lb.size());
    for (std::size_t e = 0; e < la.size(); ++e) EXPECT_NEAR(la[e], lb[e], tol * la[e]);
    EXPECT_EQ(fa.read_vector<double>("/metrics/test_accuracy"),
              fb.read_vector<double>("/metrics/test_accuracy"));
  }
}

TEST_F(SweepMpi, ADeadWorkerRankLosesOnlyItsPointAndARerunFinishesIt) {
  const pid_t mpirun = start_four_points("4");
  const auto frozen = freeze_worker_point(out);
  const auto victim = frozen ? std::optional<RunningPoint>(frozen->point) : std::nullopt;
  const pid_t child = frozen ? frozen->child : 0;
  if (victim) kill(victim->rank_pid, SIGKILL);
  // The point's `gaitsim train` dies with its rank (SIGKILL ends a stopped process too).
  const bool child_ended = child > 0 && ends(child);
  const bool ended = ended_within(mpirun, std::chrono::seconds(180));
  const std::string first = read_file(dir / "first.txt");
  ASSERT_TRUE(victim) << "no worker rank checkpointed a point\n" << first;
  ASSERT_TRUE(ended) << "the sweep hung after rank " << victim->rank << " died\n" << first;
  const std::string rank = std::to_string(victim->rank);
  EXPECT_GT(child, 0) << "rank " << rank << " had no train child";
  EXPECT_TRUE(child_ended) << "the point process " << child << " outlived its rank";

  // The other three points finished; the victim's point is reported lost, with its rank.
  EXPECT_TRUE(has(first, victim->name + " LOST: rank " + rank + " sent nothing for")) << first;
  EXPECT_TRUE(has(first, "3 complete, 0 diverged, 1 unfinished (1 lost) of 4 points")) << first;
  EXPECT_TRUE(has(first, "  " + victim->name + " (lost: rank " + rank + " stopped answering)"))
      << first;
  const std::string csv = read_file(out + "/summary.csv");
  const auto row = csv.find(victim->name + ",");
  ASSERT_NE(row, std::string::npos) << csv;
  const std::string line = csv.substr(row, csv.find('\n', row) - row);
  EXPECT_TRUE(has(line, ",lost,")) << line;
  EXPECT_EQ(line.substr(line.rfind(',') + 1), rank) << line;  // column lost_on_rank
  EXPECT_EQ(count(csv, ",complete,"), 3) << csv;
  {
    h5::File f = h5::File::open_read(out + "/summary.h5");
    EXPECT_EQ(f.attr_int("/", "lost"), 1);
    EXPECT_EQ(f.attr_strings("/", "missing"), std::vector<std::string>{victim->name});
    const auto lost_on = f.read_vector<long long>("/points/lost_on_rank");
    EXPECT_EQ(std::count(lost_on.begin(), lost_on.end(), victim->rank), 1);
    EXPECT_EQ(std::count(lost_on.begin(), lost_on.end(), -1), 3);
  }
  EXPECT_TRUE(no_live_points(out)) << "orphaned point processes remain";
  // Each point was started once (the lost one was not handed to another rank).
  for (const auto& e : std::filesystem::directory_iterator(out + "/logs")) {
    EXPECT_EQ(count(read_file(e.path()), "training gait"), 1) << e.path();
  }
  // Rebuilt from the files alone, the summary still says why the point is missing.
  const auto summary = run_cli("sweep " + sweep + " --out " + out + " --summary");
  EXPECT_EQ(summary.exit_code, 1) << summary.output;
  EXPECT_TRUE(has(summary.output, victim->name + " (lost: rank " + rank + " stopped answering)"))
      << summary.output;

  // A re-run resumes the lost point from its checkpoint and runs nothing else.
  const auto second = run_command(command);
  EXPECT_TRUE(has(second.output, "3 already finished, 1 to run (1 resumed)")) << second.output;
  EXPECT_TRUE(has(second.output, "4 complete, 0 diverged, 0 unfinished (0 lost)")) << second.output;
  for (const auto& e : std::filesystem::directory_iterator(out + "/logs")) {
    const std::string log = read_file(e.path());
    if (e.path().stem() != victim->name) {
      EXPECT_EQ(count(log, "training gait"), 1) << e.path();
      continue;
    }
    ASSERT_EQ(count(log, "training gait"), 2) << log;
    const std::string resumed = log.substr(log.rfind("training gait"));
    EXPECT_FALSE(has(resumed, "epoch 1/40:")) << log;  // continued, not restarted
    EXPECT_TRUE(has(resumed, "epoch 40/40:")) << log;
  }
  const auto check = run_cli("sweep " + sweep + " --out " + out + " --summary");
  EXPECT_EQ(check.exit_code, 0) << check.output;

  // The same summary as an uninterrupted sweep (resuming equals running through).
  const auto local =
      run_cli("sweep " + sweep + " --out " + (dir / "local") + " --jobs 2 --threads 1");
  ASSERT_EQ(local.exit_code, 0) << local.output;
  EXPECT_EQ(summary_core(dir / "local/summary.csv"), summary_core(out + "/summary.csv"));
}

TEST_F(SweepMpi, ADeadRankZeroStopsTheWorkersAndARerunFinishes) {
  const pid_t mpirun = start_four_points("3");
  // Once a worker's point has checkpointed, hold it there and kill rank 0 (known from its own
  // point's log). The worker, noticing the silence, sends its point SIGTERM; only then does the
  // point continue, so it is still running when told to stop, however fast the machine.
  const auto frozen = freeze_worker_point(out);
  const auto worker = frozen ? std::optional<RunningPoint>(frozen->point) : std::nullopt;
  std::optional<RunningPoint> root;
  for (const auto& p : started_points(out)) {
    if (p.rank == 0) root = p;
  }
  if (root) kill(root->rank_pid, SIGKILL);
  if (frozen) {
    EXPECT_TRUE(!root || sigterm_pending(frozen->child)) << "the worker never stopped its point";
    kill(frozen->child, SIGCONT);
  }
  const bool ended = ended_within(mpirun, std::chrono::seconds(180));
  const std::string first = read_file(dir / "first.txt");
  ASSERT_TRUE(worker && root) << "no worker point or no rank 0 point started\n" << first;
  ASSERT_TRUE(ended) << "the workers hung after rank 0 died\n" << first;
  EXPECT_TRUE(has(
      first, "rank " + std::to_string(worker->rank) + ": rank 0 (the dispatcher) sent nothing for"))
      << first;
  EXPECT_TRUE(has(first, "its point " + worker->name + " was stopped at its last checkpoint"))
      << first;
  EXPECT_TRUE(no_live_points(out)) << "orphaned point processes remain";
  EXPECT_GE(running_epochs(out, worker->name), 2u);  // its checkpoint is kept

  // A re-run finishes every point; the worker's continues from its checkpoint.
  const auto second = run_command(command);
  EXPECT_TRUE(has(second.output, "4 complete, 0 diverged, 0 unfinished")) << second.output;
  const std::string log = read_file(out + "/logs/" + worker->name + ".log");
  ASSERT_EQ(count(log, "training gait"), 2) << log;
  const std::string resumed = log.substr(log.rfind("training gait"));
  EXPECT_FALSE(has(resumed, "epoch 1/40:")) << log;
  EXPECT_TRUE(has(resumed, "epoch 40/40:")) << log;
}

}  // namespace
}  // namespace gaitsim
