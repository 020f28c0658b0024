#!/usr/bin/env bash
# Builds the libFuzzer targets (clang++, AddressSanitizer + UBSan on every library) in
# build-fuzz/, replays the committed crash inputs (ctest -L fuzz), then fuzzes each target for
# SECONDS (default 60), JOBS targets at a time (default 2), from a fresh seed corpus plus what
# earlier runs found. Fails on any crash, leak, timeout (30 s for one input: the slowest seen
# took 1.6 s alone and 10 s on a loaded machine) or allocation over 2 GB; the input is left in
# build-fuzz/findings/<target>/ and belongs, once fixed, in fuzz/regressions/<target>/ (named
# after the failure), which ctest replays from then on.
# docs/fuzzing.md has the longer runs.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=${*:-config stimulus idx cifar10 npz image runfile}
BUILD=${GAITSIM_FUZZ_BUILD:-build-fuzz}
JOBS=${JOBS:-2}
# A fixed seed makes CI's short run the same exploration each time, so a green run stays green
# until the code changes; FUZZ_SEED=0 picks a fresh one (libFuzzer prints it) for longer runs.
FUZZ_SEED=${FUZZ_SEED:-1}

LAUNCHER=()
if command -v ccache > /dev/null; then
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
start=$(date +%s)
mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${LAUNCHER[@]}" \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  -DGAITSIM_FUZZ=ON -DGAITSIM_BUILD_TESTS=OFF -DGAITSIM_BUILD_BENCH=OFF -DGAITSIM_BUILD_GUI=OFF \
  -DGAITSIM_MPI=OFF -DGAITSIM_NATIVE=OFF > "$BUILD/configure.log"
cmake --build "$BUILD" -j"$JOBS" --target make_seeds $(for t in $TARGETS; do echo fuzz_$t; done)
built=$(date +%s)
echo "[fuzz] build: $((built - start)) s" >&2

# Leaks are findings too (LeakSanitizer after every input); fuzz/lsan.supp lists the allocations
# libraries keep on purpose.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --test-dir "$BUILD" -L '^fuzz$' -R "^fuzz_($(echo $TARGETS | tr ' ' '|'))_regressions\$" \
  --no-tests=error --output-on-failure

SEEDS="$BUILD/seeds"
rm -rf "$SEEDS"
"$BUILD/fuzz/make_seeds" "$SEEDS" "$PWD"

# One target: fuzz for SECONDS_EACH, leaving its log and its exit status (0: nothing found).
# libFuzzer's own timeout handler can deadlock when its alarm lands inside the ASan allocator
# (seen with fuzz_config): `timeout` ends such a fuzzer 2 minutes after its time, as a failure.
fuzz_one() {
  local t=$1 corpus="$BUILD/corpus/$1" findings="$BUILD/findings/$1"
  mkdir -p "$corpus" "$findings"
  # -rss_limit_mb: an allocation sized by the input beyond 2 GB is a finding too.
  local code=0
  timeout -s KILL $((SECONDS_EACH + 120)) "$BUILD/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" \
    -rss_limit_mb=2048 -max_len=65536 -timeout=30 -seed="$FUZZ_SEED" -artifact_prefix="$findings/" \
    -print_final_stats=1 "$corpus" "$SEEDS/$t" > "$BUILD/fuzz_$t.log" 2>&1 || code=$?
  echo $code > "$BUILD/fuzz_$t.status"
}

echo "[fuzz] $SECONDS_EACH s per target, $JOBS at a time: $TARGETS" >&2
for t in $TARGETS; do
  rm -f "$BUILD/fuzz_$t.status"
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
  fuzz_one "$t" &
done
wait
status=0
for t in $TARGETS; do
  if [[ "$(cat "$BUILD/fuzz_$t.status" 2> /dev/null)" != 0 ]]; then
    echo "fuzz_$t: FAILED (crash, leak or timeout; exit $(cat "$BUILD/fuzz_$t.status" 2> /dev/null)," \
      "137: killed, hung), input in $BUILD/findings/$t (log: $BUILD/fuzz_$t.log)"
    grep -E "^==[0-9]+==|^SUMMARY|ALARM|ERROR: libFuzzer|Test unit written" "$BUILD/fuzz_$t.log" |
      tail -20 || true
    status=1
  fi
  echo "fuzz_$t: $(grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$BUILD/fuzz_$t.log" |
    tr -s ' \n' ' ' || true)"
done
echo "[fuzz] run: $(($(date +%s) - built)) s" >&2
exit $status
