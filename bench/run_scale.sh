#!/bin/bash
# Issue 6's scale benchmark: one training step of the CIFAR-10 deep fully connected net and the
# CIFAR-10 CNN (configs/cifar10_{deep,cnn}_*.yaml), gaitsim (bench_scale: bp and gait) against
# the PyTorch peer (torch_scale_peer.py: bp), on the same thread count, one after the other;
# then the peak memory of a CNN training step at batch 256. Writes bench/results/scale.md.
#   bench/run_scale.sh [THREADS]        (default 2; after building bench_scale and peak_memory)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Paths relative to the repository, so that the recorded command line names no machine's folders.
cd "$root"
threads="${1:-2}"
out="bench/results"
build="${GAITSIM_BUILD:-build}"
mkdir -p "$out"
load() { cut -d' ' -f1 /proc/loadavg; }
load_before="$(load)"

ours=("$build/bench/bench_scale" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
      --benchmark_out="$out/scale_ours.json" --benchmark_out_format=json)
torch=(/usr/bin/python3 bench/torch_scale_peer.py --threads "$threads" --repeats 5
       --json "$out/scale_torch.json")
OMP_NUM_THREADS="$threads" "${ours[@]}" >&2
"${torch[@]}" >&2

# Peak memory, each in a fresh process: CNN, batch 256, 2 steps.
memory="$out/scale_memory.jsonl"
: > "$memory"
for alg in bp gait; do
  for precision in float64 float32; do
    OMP_NUM_THREADS="$threads" "$build/bench/peak_memory" "configs/cifar10_cnn_$alg.yaml" 256 \
      2 --set learning.precision=$precision >> "$memory"
  done
done
for dtype in float64 float32; do
  /usr/bin/python3 bench/torch_scale_peer.py --threads "$threads" --peak-memory --net cnn \
    --dtype $dtype --batch 256 >> "$memory"
done
load_after="$(load)"

command_line="OMP_NUM_THREADS=$threads ${ours[*]}; ${torch[*]}; peak_memory CONFIG 256 2 (bp, gait x float64, float32); torch_scale_peer.py --peak-memory --net cnn --batch 256"
/usr/bin/python3 bench/scale_table.py "$out/scale_ours.json" "$out/scale_torch.json" \
  "$memory" "$threads" "$command_line" "$load_before" "$load_after" | tee "$out/scale.md"
