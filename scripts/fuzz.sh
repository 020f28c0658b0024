#!/usr/bin/env bash
# Builds the libFuzzer targets (clang++, AddressSanitizer + UBSan on every library) in
# build-fuzz/, replays the committed crash inputs (ctest -L fuzz), then fuzzes each target for
# SECONDS (default 8: about a minute for all seven) from a fresh seed corpus plus what earlier runs
# found. Fails on any crash; the crashing input is left in build-fuzz/findings/<target>/ and
# belongs, once fixed, in fuzz/regressions/<target>/. docs/fuzzing.md has the longer runs.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-8}
shift || true
TARGETS=${*:-config stimulus idx cifar10 npz image runfile}
BUILD=${GAITSIM_FUZZ_BUILD:-build-fuzz}
JOBS=${JOBS:-2}

LAUNCHER=()
if command -v ccache > /dev/null; then
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${LAUNCHER[@]}" \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  -DGAITSIM_FUZZ=ON -DGAITSIM_BUILD_TESTS=OFF -DGAITSIM_BUILD_BENCH=OFF -DGAITSIM_BUILD_GUI=OFF \
  -DGAITSIM_MPI=OFF -DGAITSIM_NATIVE=OFF > "$BUILD.configure.log"
cmake --build "$BUILD" -j"$JOBS" --target make_seeds $(for t in $TARGETS; do echo fuzz_$t; done)

export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --test-dir "$BUILD" -L fuzz --output-on-failure

SEEDS="$BUILD/seeds"
rm -rf "$SEEDS"
"$BUILD/fuzz/make_seeds" "$SEEDS" "$PWD"
status=0
for t in $TARGETS; do
  corpus="$BUILD/corpus/$t" findings="$BUILD/findings/$t"
  mkdir -p "$corpus" "$findings"
  echo "== fuzz_$t: $SECONDS_EACH s"
  # -rss_limit_mb: an allocation sized by the input beyond 2 GB is a finding too.
  if ! "$BUILD/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 \
      -timeout=10 -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" "$SEEDS/$t" \
      2> "$BUILD/fuzz_$t.log"; then
    echo "fuzz_$t: CRASH, input in $findings (log: $BUILD/fuzz_$t.log)"
    tail -40 "$BUILD/fuzz_$t.log"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$BUILD/fuzz_$t.log" | tr '\n' ' '
  echo
done
exit $status
