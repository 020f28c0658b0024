#!/bin/bash
# OpenBLAS's kernel choice (docs/performance.md): a 100-step run of the square net on one thread,
# float64 and float32, with OPENBLAS_CORETYPE=HASWELL and SKYLAKEX interleaved, 3 rounds. Prints
# precision, kernel type, then user, system and wall seconds of each run. Only on a CPU with
# AVX-512 (F, BW, DQ, VL): elsewhere the SKYLAKEX kernels stop with an illegal instruction.
# Usage: bench/openblas_coretype.sh [GAITSIM_BINARY]   (default: build/sim/gaitsim)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/sim/gaitsim}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for _ in 1 2 3; do
  for precision in float64 float32; do
    for coretype in HASWELL SKYLAKEX; do
      TIMEFORMAT="$precision $coretype %U %S %R"
      time (OPENBLAS_CORETYPE=$coretype OMP_NUM_THREADS=1 "$binary" train \
        configs/mnist_square_gait.yaml --max-steps 100 --threads 1 --set learning.epochs=1 \
        --set output.progress=false --set learning.precision="$precision" \
        --set output.dir="$out/run" --force > /dev/null 2>&1)
    done
  done
done
