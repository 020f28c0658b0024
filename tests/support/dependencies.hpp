#pragma once
// Optional dependencies of single tests (Debian's python3 with a module, a fetched data set).
// On a developer's machine that lacks one, the test is skipped with the reason; under CI and
// scripts/test.sh (CI or GAITSIM_STRICT_TESTS set) it fails, so that a missing install step
// shows instead of hiding behind a green run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace gaitsim::testing {

// The system interpreter: the python3 first on PATH may be one without Debian's packages.
inline constexpr const char* kSystemPython = "/usr/bin/python3";

// Whether kSystemPython can import every module in `modules` (a comma-separated list).
inline bool python_has(const std::string& modules) {
  const std::string cmd =
      std::string(kSystemPython) + " -c 'import " + modules + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

inline bool strict_dependencies() {
  for (const char* name : {"CI", "GAITSIM_STRICT_TESTS"}) {
    const char* v = std::getenv(name);
    if (v && *v) return true;
  }
  return false;
}

}  // namespace gaitsim::testing

// GAITSIM_REQUIRE_DEPENDENCY(available, what): skips the test when `available` is false, or
// fails it under CI; `what` names what is missing and how to install it.
#define GAITSIM_REQUIRE_DEPENDENCY(available, what)                         \
  do {                                                                      \
    if (!(available)) {                                                     \
      if (::gaitsim::testing::strict_dependencies()) {                      \
        GTEST_FAIL() << what << " (required under CI and scripts/test.sh)"; \
      }                                                                     \
      GTEST_SKIP() << what;                                                 \
    }                                                                       \
  } while (0)
