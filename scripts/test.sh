#!/usr/bin/env bash
# Installs what is missing, fetches the data, builds everything in Release and runs the whole
# test suite; then the sanitizer group (scripts/sanitize.sh: ASan + UBSan build in build-asan/,
# ctest label sanitize) and a short fuzzing run (scripts/fuzz.sh: libFuzzer build in build-fuzz/,
# the crash regressions under ctest label fuzz, then GAITSIM_FUZZ_SECONDS, default 60, per target).
# Fails when a test fails, when a test skipped itself (a missing dependency must show, not hide),
# when a test group comes up empty and on any sanitizer or fuzzing finding. Each phase prints its
# time ([test], [sanitize], [fuzz] lines). Usage: scripts/test.sh [extra ctest args for build/]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
# Every ctest label that must hold at least one test.
labels=(unit cli training python mpi gui)

bash "$root/scripts/setup.sh"
start=$(date +%s)
cmake --build "$build" -j"$(nproc)"
built=$(date +%s)
echo "[test] build of the test suite: $((built - start)) s" >&2

empty=()
for label in "${labels[@]}"; do
  n=$(ctest --test-dir "$build" -N -L "^${label}\$" | sed -n 's/^Total Tests: *//p')
  echo "[test] group $label: ${n:-0} tests"
  [[ "${n:-0}" -gt 0 ]] || empty+=("$label")
done

# Tests that find a dependency missing fail instead of skipping (tests/support/dependencies.hpp).
export GAITSIM_STRICT_TESTS=1
junit="$build/test-results.xml"
status=0
ctest --test-dir "$build" --output-on-failure --no-tests=error --timeout 900 -j"$(nproc)" \
  --output-junit "$junit" "$@" || status=$?

echo "[test] tests: $(($(date +%s) - built)) s" >&2

# The sanitizer group (build-asan/, label sanitize) and the fuzz targets (build-fuzz/, label fuzz);
# both fail on an empty group (--no-tests=error).
asan_junit="$root/build-asan/test-results.xml"
rm -f "$asan_junit"
bash "$root/scripts/sanitize.sh" --output-junit "$asan_junit" || status=1
bash "$root/scripts/fuzz.sh" "${GAITSIM_FUZZ_SECONDS:-60}" || status=1

skipped=$(python3 - "$junit" "$asan_junit" <<'PY'
import os, sys, xml.etree.ElementTree as ET
for path in sys.argv[1:]:
    if not os.path.exists(path):
        continue
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.get("status") in ("notrun", "disabled", "skipped") or case.find("skipped") is not None:
            print(case.get("name"))
PY
)
if ((${#empty[@]})); then
  echo "[test] FAILED: empty test group(s): ${empty[*]} (a missing package or an option turned off?)" >&2
  status=1
fi
if [[ -n "$skipped" ]]; then
  echo "[test] FAILED: tests skipped themselves (a dependency or data is missing):" >&2
  echo "$skipped" | sed 's/^/  /' >&2
  status=1
fi
exit "$status"
