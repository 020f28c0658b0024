#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of gaitsim and its tests in build-asan/
# (gcc, RelWithDebInfo, no GUI, no benchmarks, no MPI), then the unit tests (ctest -L unit) and
# the cli tests that fit the CI budget: the end-to-end program tests Cli.* (tests/sim/test_cli.cpp)
# and Untrusted.* (tests/sim/test_untrusted_files.cpp, the damaged-input regressions). Any
# finding stops the program that made it (halt_on_error) and fails its test.
#   scripts/sanitize.sh            build and run
#   JOBS=4 scripts/sanitize.sh     more compile jobs
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${GAITSIM_ASAN_BUILD:-build-asan}
JOBS=${JOBS:-2}
FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

LAUNCHER=()
if command -v ccache > /dev/null; then
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
start=$(date +%s)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${LAUNCHER[@]}" \
  -DCMAKE_CXX_FLAGS="$FLAGS" -DCMAKE_C_FLAGS="$FLAGS" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DGAITSIM_BUILD_GUI=OFF -DGAITSIM_BUILD_BENCH=OFF -DGAITSIM_MPI=OFF -DGAITSIM_NATIVE=OFF \
  > "$BUILD.configure.log"
cmake --build "$BUILD" -j"$JOBS"
built=$(date +%s)

# Leak checking is off: libhdf5 and OpenBLAS keep global allocations until exit.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The sanitizers slow the program 2-4x: the tests get 3x their usual timeout.
ctest --test-dir "$BUILD" -L unit --output-on-failure -j"$JOBS" --timeout 900
ctest --test-dir "$BUILD" -L cli -R '^(Cli|Untrusted)\.' --output-on-failure --timeout 900
done_at=$(date +%s)
echo "sanitize.sh: build $((built - start)) s, tests $((done_at - built)) s"
