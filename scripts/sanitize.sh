#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of gaitsim and its tests in build-asan/
# (gcc, RelWithDebInfo, -DGAITSIM_SANITIZE=ON, no GUI, no benchmarks, no MPI), then the sanitizer
# group (ctest -L sanitize): every unit test plus the cli programs that fit the CI budget, the
# end-to-end tests Cli.* (tests/sim/test_cli.cpp) and Untrusted.* (tests/sim/test_untrusted_files.cpp,
# the damaged-input regressions). Only gaitsim and those test programs are built (target
# sanitize_tests). Any finding stops the program that made it (halt_on_error) and fails its test.
#   scripts/sanitize.sh            build and run
#   JOBS=4 scripts/sanitize.sh     more compile jobs and parallel tests
#   scripts/sanitize.sh ARGS...    extra ctest arguments (scripts/test.sh: --output-junit FILE)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${GAITSIM_ASAN_BUILD:-build-asan}
JOBS=${JOBS:-2}

LAUNCHER=()
if command -v ccache > /dev/null; then
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
start=$(date +%s)
mkdir -p "$BUILD"
# -O1 -g1 (line tables for the reports): a quicker compile than -O2 -g, for programs that
# the sanitizers slow down anyway.
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${LAUNCHER[@]}" -DGAITSIM_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DGAITSIM_BUILD_GUI=OFF -DGAITSIM_BUILD_BENCH=OFF -DGAITSIM_MPI=OFF -DGAITSIM_NATIVE=OFF \
  > "$BUILD/configure.log"
cmake --build "$BUILD" -j"$JOBS" --target sanitize_tests
built=$(date +%s)
echo "[sanitize] build: $((built - start)) s" >&2

# Leak checking is off: libhdf5 and OpenBLAS keep global allocations until exit.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The sanitizers slow the program 2-4x: the tests get 3x their usual timeout.
ctest --test-dir "$BUILD" -L '^sanitize$' --no-tests=error --output-on-failure -j"$JOBS" \
  --timeout 900 "$@"
echo "[sanitize] tests: $(($(date +%s) - built)) s" >&2
