#!/usr/bin/python3
"""Step-time ratios of benchmarks against references measured in the same run.

    bench/ratio_table.py RESULTS.json REFERENCE [REFERENCE ...]

RESULTS.json: Google Benchmark's JSON from one process run with --benchmark_repetitions=R
(and, on a shared machine, --benchmark_enable_random_interleaving=true, so that a burst of other
work lands on random variants, not on one). Each benchmark's reference is the REFERENCE sharing
the longest name prefix with it. Each ratio is taken within a repetition (the two times of the
same repetition index), and the table shows the median over repetitions, with the range, of the
CPU time per iteration and of that paired ratio. Standard library only.
"""
import json
import os
import statistics
import sys


def per_repetition(data):
    """{name: {repetition index: (cpu ms, real ms)}} from the non-aggregate rows."""
    out = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
        out.setdefault(b["run_name"], {})[b.get("repetition_index", 0)] = (
            b["cpu_time"] * scale, b["real_time"] * scale)
    return out


def reference_of(name, references):
    common = lambda ref: len(os.path.commonprefix([name, ref]))
    return max(references, key=common)


def main(path, references):
    data = json.load(open(path))
    times = per_repetition(data)
    missing = [r for r in references if r not in times]
    if missing:
        sys.exit(f"{path}: no benchmark named {', '.join(missing)} (have: {', '.join(times)})")
    ctx = data.get("context", {})
    print(f"{path}: {ctx.get('date', '?')}, {ctx.get('num_cpus', '?')} CPUs, load average "
          f"{ctx.get('load_avg', '?')} at the start\n")
    print("| benchmark | CPU ms per step, median (min-max) | real / CPU | reference | "
          "CPU-time ratio, median (min-max) |")
    print("|---|---|---|---|---|")
    for name, reps in times.items():
        ref = reference_of(name, references)
        cpu = [c for c, _ in reps.values()]
        wall_over_cpu = statistics.median(r / c for c, r in reps.values())
        ratios = [reps[i][0] / times[ref][i][0] for i in reps if i in times[ref]]
        ratio = (f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})"
                 if name != ref else "1")
        print(f"| {name} | {statistics.median(cpu):.1f} ({min(cpu):.1f}-{max(cpu):.1f}) | "
              f"{wall_over_cpu:.2f} | {ref} | {ratio} |")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
