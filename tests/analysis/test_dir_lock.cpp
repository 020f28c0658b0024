#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <system_error>

#include "analysis/dir_lock.hpp"
#include "tests/analysis/temp_dir.hpp"

namespace gaitsim {
namespace {

using gaitsim::testing::TempDir;

TEST(DirLock, ASecondLockOnTheFolderIsRefusedUntilTheFirstIsReleased) {
  TempDir dir;
  {
    const DirLock first(dir.path());
    try {
      const DirLock second(dir.path());
      FAIL() << "locked twice";
    } catch (const DirBusy& e) {
      EXPECT_EQ(e.dir(), dir.path());
      const std::string pid = "(pid " + std::to_string(::getpid()) + ")";
      EXPECT_NE(std::string(e.what()).find(pid), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(DirLock again(dir.path()));
  EXPECT_TRUE(DirLock::is_lock_file(dir / ".lock"));
  EXPECT_FALSE(DirLock::is_lock_file(dir / "run.h5"));
}

TEST(DirLock, AProcessThatDiesReleasesItsLock) {
  TempDir dir;
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  if (child == 0) {
    const DirLock held(dir.path());
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = write(ready[1], &byte, 1);
    pause();  // until killed
    _exit(0);
  }
  char byte;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  EXPECT_THROW(DirLock(dir.path()), DirBusy);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_NO_THROW(DirLock(dir.path()));
}

TEST(DirLock, AMissingFolderIsAnErrorNamingTheLockFile) {
  TempDir dir;
  try {
    DirLock lock(dir / "missing");
    FAIL() << "locked a missing folder";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "missing/.lock").string()), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace gaitsim
