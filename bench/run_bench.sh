#!/bin/bash
# Times one training step of gaitsim (build/bench/bench_step) and of the PyTorch peer
# (bench/torch_peer.py) on the same thread count, one after the other so that they never share
# the cores, and writes a markdown comparison to bench/results/latest.md (the raw JSON of both
# beside it, as ours.json and torch.json).
#   bench/run_bench.sh [THREADS]        (default 2; run from anywhere, after building bench_step)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-2}"
out="$root/bench/results"
mkdir -p "$out"

ours=("$root/build/bench/bench_step" --benchmark_repetitions=3
      --benchmark_report_aggregates_only=true --benchmark_out="$out/ours.json"
      --benchmark_out_format=json)
torch=(/usr/bin/python3 "$root/bench/torch_peer.py" --algorithms bp,gait,tp,fa
       --dtype float64,float32 --ortho on,off --gait-form lu-delta,published
       --threads "$threads" --gemm --repeats 10
       --json "$out/torch.json")

# Another process on the cores makes both timings meaningless; the load is reported with them.
load() { cut -d' ' -f1 /proc/loadavg; }
load_before="$(load)"
# OMP_WAIT_POLICY stays as the caller set it (docs/performance.md): it is part of what is timed.
OMP_NUM_THREADS="$threads" "${ours[@]}" >&2
"${torch[@]}" >&2
load_after="$(load)"

command_line="OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset} ${ours[*]}; ${torch[*]}"
/usr/bin/python3 "$root/bench/bench_table.py" "$out/ours.json" "$out/torch.json" \
  "$threads" "$command_line" "$load_before" "$load_after" | tee "$out/latest.md"
