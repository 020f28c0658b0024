#include "sim/cli/offscreen_render.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "sim/cli/exit_codes.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

fs::path find_viewer(std::vector<std::string>& tried) {
  if (const char* env = std::getenv("GAITSIM_VIEWER"); env != nullptr && *env != '\0') {
    tried.emplace_back(env);
    return ::access(env, X_OK) == 0 ? fs::path(env) : fs::path();
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path dir = self.parent_path();
  for (const fs::path& c : {dir / "gaitsim-viewer", dir.parent_path() / "gui" / "gaitsim-viewer"}) {
    tried.push_back(c.string());
    if (::access(c.c_str(), X_OK) == 0) return c;
  }
  return {};
}

}  // namespace

int render_offscreen(const std::vector<std::string>& viewer_args) {
  std::vector<std::string> tried;
  const fs::path viewer = find_viewer(tried);
  if (viewer.empty()) {
    std::string where;
    for (const auto& t : tried) where += "\n  " + t;
    std::fprintf(stderr,
                 "gaitsim plot: the renderer gaitsim-viewer was not found (a build configured "
                 "with -DGAITSIM_BUILD_GUI=OFF has none: reconfigure without it and build the "
                 "target gaitsim-viewer, or set GAITSIM_VIEWER). Looked at:%s\n",
                 where.c_str());
    return kFailure;
  }
  std::vector<std::string> args = {viewer.string()};
  args.insert(args.end(), viewer_args.begin(), viewer_args.end());
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("gaitsim plot: fork");
    return kFailure;
  }
  if (pid == 0) {
    ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::perror(("gaitsim plot: cannot run " + args[0]).c_str());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return kFailure;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? kOk : kFailure;
  std::fprintf(stderr, "gaitsim plot: the renderer %s was killed by signal %d\n", viewer.c_str(),
               WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return kFailure;
}

}  // namespace gaitsim
