#!/usr/bin/env bash
# Installs what is missing, fetches the data, builds in Release and runs the whole test suite
# (unit, cli, training and python groups). Usage: scripts/test.sh [extra ctest args]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cd "$root/build"
ctest --output-on-failure --timeout 900 -j"$(nproc)" "$@"
