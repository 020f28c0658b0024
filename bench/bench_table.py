#!/usr/bin/python3
"""Markdown comparison of gaitsim's step times (Google Benchmark JSON) with the PyTorch peer's
(torch_peer.py --json). Used by run_bench.sh; standard library only.

usage: bench_table.py OURS_JSON TORCH_JSON THREADS COMMAND_LINE LOAD_BEFORE LOAD_AFTER
"""
import json
import sys

RULES = ("bp", "gait", "tp", "fa")
DTYPES = ("float64", "float32")
ORTHOS = ("on", "off")


def ours_steps(path):
    """{(rule, dtype, ortho): (median ms, GFLOP/s)} and {(dtype, shape): GFLOP/s}."""
    steps, gemms = {}, {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        parts = b["run_name"].split("/")
        if parts[0] == "step":
            ortho = "on" if parts[3] == "ortho" else "off"
            steps[(parts[2], parts[1], ortho)] = (b["real_time"], b["GFLOPs"])
        elif parts[0] == "gemm":
            m, k, n = parts[2:5]
            gemms[(parts[1], "%sx%s@%sx%s" % (m, k, k, n))] = b["GFLOPs"]
    return steps, gemms


def torch_steps(path):
    steps, gemms = {}, {}
    for r in json.load(open(path)):
        if r["algorithm"] == "gemm":
            gemms[(r["dtype"], r["shape"])] = r["gflops"]
        else:
            steps[(r["algorithm"], r["dtype"], r["ortho"])] = r["median_ms"]
    return steps, gemms


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def step_table(ours, torch):
    print("| rule | dtype | ortho | ours ms | ours GFLOP/s | torch ms | torch/ours "
          "| ours f64/f32 | ortho share of ours |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for rule in RULES:
        for dtype in DTYPES:
            for ortho in ORTHOS:
                ms, gflops = ours.get((rule, dtype, ortho), (None, None))
                t = torch.get((rule, dtype, ortho))
                f64 = ours.get((rule, "float64", ortho), (None,))[0]
                speedup = f64 / ms if dtype == "float32" and ms and f64 else None
                off = ours.get((rule, dtype, "off"), (None,))[0]
                share = (ms - off) / ms if ortho == "on" and ms and off else None
                print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    rule, dtype, ortho, fmt(ms, ".1f"), fmt(gflops, ".1f"), fmt(t, ".1f"),
                    fmt(t / ms if t and ms else None, ".2f"), fmt(speedup, ".2f"),
                    fmt(share, ".0%")))


def gemm_table(ours, torch):
    print("| GEMM | dtype | ours GFLOP/s | torch GFLOP/s |")
    print("|---|---|---:|---:|")
    for key in sorted(set(ours) | set(torch), key=lambda k: (k[1], k[0])):
        print("| %s | %s | %s | %s |" % (key[1], key[0], fmt(ours.get(key), ".1f"),
                                          fmt(torch.get(key), ".1f")))


def main(ours_path, torch_path, threads, command_line, load_before, load_after):
    ours, ours_gemm = ours_steps(ours_path)
    torch, torch_gemm = torch_steps(torch_path)
    print("# One training step: gaitsim vs PyTorch peer (%s threads)\n" % threads)
    print("Square 784-wide net, 4 hidden layers, batch 60; medians. torch/ours > 1: gaitsim is "
          "faster. ours f64/f32: float32 speedup over float64. Ortho share: fraction of the step "
          "spent on the orthogonality term.\n")
    step_table(ours, torch)
    print()
    gemm_table(ours_gemm, torch_gemm)
    print("\nCommand line: `%s`" % command_line)
    print("\n1-minute load average before / after: %s / %s (well above 0 before, or above the "
          "thread count after: other work shared the cores, repeat)." % (load_before, load_after))


if __name__ == "__main__":
    main(*sys.argv[1:7])
