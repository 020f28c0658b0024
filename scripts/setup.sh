#!/usr/bin/env bash
# Installs what gaitsim needs on Debian 12 (as root), fetches the data, builds in Release.
# Idempotent: every step checks before it acts. Usage: scripts/setup.sh [--no-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

packages=(build-essential cmake pkg-config libeigen3-dev libhdf5-dev libboost-dev
  libgtest-dev googletest libbenchmark-dev libyaml-cpp-dev libcli11-dev zlib1g-dev
  libjpeg62-turbo-dev libpng-dev
  python3 python3-numpy python3-h5py python3-torch libopenblas0-pthread libopenblas-openmp-dev
  dataset-fashion-mnist ca-certificates libopenmpi-dev openmpi-bin
  qt6-base-dev qt6-charts-dev qt6-svg-dev libgl-dev xvfb xauth fonts-dejavu-core)

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

bash "$root/scripts/fetch-data.sh"

if [[ "${1:-}" != "--no-build" ]]; then
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$root/build" -j"$(nproc)"
fi
