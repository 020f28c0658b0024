#!/bin/bash
# Times one training step of gaitsim (build/bench/bench_step) and of the PyTorch peer
# (bench/torch_peer.py) on the same thread count, never at the same time, and writes a markdown
# comparison to bench/results/latest.md. ROUNDS rounds; in each, every rule's steps are timed by
# gaitsim and at once by the peer, then the GEMMs by both, so that each ratio pairs two
# measurements taken seconds apart (bench_table.py takes the median over the rounds). The raw
# JSON of each part is kept beside it (ours_r<round>_<part>.json, torch_r<round>_<part>.json).
#   bench/run_bench.sh [THREADS] [ROUNDS]   (defaults 2 and 3; after building bench_step)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Paths relative to the repository, so that the recorded command line names no machine's folders.
cd "$root"
threads="${1:-2}"
rounds="${2:-3}"
out="bench/results"
mkdir -p "$out"
rm -f "$out"/ours_r*.json "$out"/torch_r*.json

ours=("build/bench/bench_step" --benchmark_repetitions=3
      --benchmark_report_aggregates_only=true --benchmark_out_format=json)
torch=(/usr/bin/python3 bench/torch_peer.py --dtype float64,float32 --ortho on,off
       --gait-form lu-delta,published --threads "$threads" --repeats 10)

# Another process on the cores makes both timings meaningless; the load is reported with them.
load() { cut -d' ' -f1 /proc/loadavg; }
load_before="$(load)"
# OMP_WAIT_POLICY stays as the caller set it (docs/performance.md): it is part of what is timed.
for r in $(seq 1 "$rounds"); do
  for rule in bp gait tp fa; do
    echo "round $r of $rounds: $rule" >&2
    OMP_NUM_THREADS="$threads" "${ours[@]}" --benchmark_filter="^step/float[0-9]+/$rule/" \
      --benchmark_out="$out/ours_r${r}_$rule.json" >&2
    "${torch[@]}" --algorithms "$rule" --json "$out/torch_r${r}_$rule.json" >&2
  done
  OMP_NUM_THREADS="$threads" "${ours[@]}" --benchmark_filter="^gemm/" \
    --benchmark_out="$out/ours_r${r}_gemm.json" >&2
  "${torch[@]}" --algorithms "" --gemm --json "$out/torch_r${r}_gemm.json" >&2
done
load_after="$(load)"

command_line="bench/run_bench.sh $threads $rounds: per round and rule, OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset} ${ours[*]} --benchmark_filter='^step/float[0-9]+/RULE/', then ${torch[*]} --algorithms RULE; then both programs' GEMMs"
/usr/bin/python3 bench/bench_table.py "$out" "$rounds" "$threads" "$command_line" \
  "$load_before" "$load_after" | tee "$out/latest.md"
