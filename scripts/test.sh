#!/usr/bin/env bash
# Installs what is missing, fetches the data, builds everything in Release and runs the whole
# test suite. Fails when a test fails, when a test skipped itself (a missing dependency must
# show, not hide) and when a test group comes up empty. Usage: scripts/test.sh [extra ctest args]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
# Every ctest label that must hold at least one test.
labels=(unit cli training python mpi gui)

bash "$root/scripts/setup.sh"
start=$(date +%s)
cmake --build "$build" -j"$(nproc)"
echo "[test] build of the test suite: $(($(date +%s) - start)) s" >&2

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

skipped=$(python3 - "$junit" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for case in root.iter("testcase"):
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
