#!/usr/bin/env python3
"""Markdown table of bench/run_scale.sh's results: gaitsim's bp and gait steps against the
PyTorch peer's bp step, and the peak memory of a CNN step at batch 256.
    scale_table.py OURS.json TORCH.json MEMORY.jsonl THREADS COMMAND LOAD_BEFORE LOAD_AFTER"""
import json
import sys


def ours_medians(path):
    out = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        _, net, alg, dtype = b["run_name"].split("/")[:4]
        out[(net, alg, dtype)] = b["real_time"]  # ms (the benchmarks' unit)
    return out


def main():
    ours_file, torch_file, memory_file, threads, command, before, after = sys.argv[1:8]
    ours = ours_medians(ours_file)
    torch = {(r["net"], r["dtype"]): r["ms"] for r in json.load(open(torch_file))["results"]}
    print(f"# TMLR-scale steps: gaitsim vs PyTorch ({threads} threads)\n")
    print("CIFAR-10 deep FC net (3072 -> 1024 -> 5 x 1024 -> 1024) and CIFAR-10 CNN "
          "(configs/cifar10_cnn_*.yaml), batch 60, orthogonality term on, Adam; medians. "
          "Goals (issue 6): our BP within 1.2x of PyTorch's (torch/ours >= 0.83), our GAIT "
          "within 2.5x of our BP.\n")
    print("| net | dtype | ours bp ms | torch bp ms | torch/ours bp | ours gait ms | gait/bp |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for net in ("deep", "cnn"):
        for dtype in ("float64", "float32"):
            bp, gait = ours.get((net, "bp", dtype)), ours.get((net, "gait", dtype))
            t = torch.get((net, dtype))
            if bp is None or gait is None or t is None:
                continue
            print(f"| {net} | {dtype} | {bp:.1f} | {t:.1f} | {t / bp:.2f} | {gait:.1f} | "
                  f"{gait / bp:.2f} |")
    print("\nPeak resident memory of 2 CNN training steps at batch 256 (whole process):\n")
    print("| who | rule | dtype | peak MiB |")
    print("|---|---|---|---:|")
    for line in open(memory_file):
        r = json.loads(line)
        if "config" in r:
            rule = "gait" if "gait" in r["config"] else "bp"
            print(f"| gaitsim | {rule} | {r['precision']} | {r['peak_mib']:.0f} |")
        else:
            print(f"| torch | bp | {r['dtype']} | {r['peak_mib']:.0f} |")
    print(f"\nCommand line: `{command}`\n")
    print(f"1-minute load average before / after: {before} / {after}")


if __name__ == "__main__":
    main()
