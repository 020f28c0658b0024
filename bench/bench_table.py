#!/usr/bin/python3
"""Markdown comparison of gaitsim's step times (Google Benchmark JSON) with the PyTorch peer's
(torch_peer.py --json). Used by run_bench.sh; standard library only.

usage: bench_table.py RESULTS_DIR ROUNDS THREADS COMMAND_LINE LOAD_BEFORE LOAD_AFTER

RESULTS_DIR holds, for each round r = 1..ROUNDS, ours_r<r>_<part>.json and
torch_r<r>_<part>.json (run_bench.sh: per round, each rule's steps by gaitsim and at once by
the peer, then the GEMMs). Every ratio is computed within its round, from two measurements
taken seconds apart, and the table shows the median over the rounds of each time and of each
such paired ratio: a burst of other work on a shared machine moves one round, not the result.
"""
import glob
import json
import os
import statistics
import sys

RULES = ("bp", "gait", "tp", "fa")
DTYPES = ("float64", "float32")
ORTHOS = ("on", "off")


def merged(paths, read):
    """The union of what `read` returns for each file: (steps, gemms, blas)."""
    steps, gemms, blas = {}, {}, "?"
    for path in sorted(paths):
        st, ge, bl = read(path)
        steps.update(st)
        gemms.update(ge)
        blas = bl if bl != "?" else blas
    return steps, gemms, blas


def round_results(results_dir, r):
    ours = merged(glob.glob(os.path.join(results_dir, "ours_r%d_*.json" % r)), ours_steps)
    torch = merged(glob.glob(os.path.join(results_dir, "torch_r%d_*.json" % r)), torch_steps)
    return ours, torch


def median_of(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def median_rows(rounds):
    """Rows whose every number is the median over the rounds of that number (a ratio: of the
    round's own ratio)."""
    out = []
    for same_row in zip(*rounds):
        row = dict(same_row[0])
        for key, value in row.items():
            if key not in ("rule", "dtype", "ortho"):
                row[key] = median_of([r[key] for r in same_row])
        out.append(row)
    return out


def median_gemms(rounds):
    keys = set().union(*rounds)
    return {k: median_of([r.get(k) for r in rounds]) for k in keys}


def ours_steps(path):
    """{(rule, dtype, ortho): (median ms, GFLOP/s)}, {(dtype, shape): GFLOP/s} and the BLAS
    bench_step reports in its context."""
    steps, gemms = {}, {}
    data = json.load(open(path))
    for b in data["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        parts = b["run_name"].split("/")
        if parts[0] == "step":
            ortho = "on" if parts[3] == "ortho" else "off"
            steps[(parts[2], parts[1], ortho)] = (b["real_time"], b["GFLOPs"])
        elif parts[0] == "gemm":
            m, k, n = parts[2:5]
            gemms[(parts[1], "%sx%s@%sx%s" % (m, k, k, n))] = b["GFLOPs"]
    return steps, gemms, data.get("context", {}).get("blas", "?")


def torch_steps(path):
    """{(rule, form, dtype, ortho): median ms}, form "published" or "same" (the port of our
    algorithm: lu-delta for GAIT/TP, the only form for BP/FA); GEMMs; the BLAS torch loaded."""
    steps, gemms, blas = {}, {}, "?"
    for r in json.load(open(path)):
        blas = r.get("blas", blas)
        if r["algorithm"] == "gemm":
            gemms[(r["dtype"], r["shape"])] = r["gflops"]
        else:
            form = "published" if r.get("gait_form") == "published" else "same"
            steps[(r["algorithm"], form, r["dtype"], r["ortho"])] = r["median_ms"]
    return steps, gemms, blas


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def ratio(a, b):
    return a / b if a and b else None


def step_rows(ours, torch):
    """One dict per (rule, dtype, ortho) with every number of the table."""
    rows = []
    for rule in RULES:
        for dtype in DTYPES:
            for ortho in ORTHOS:
                ms, gflops = ours.get((rule, dtype, ortho), (None, None))
                f64 = ours.get((rule, "float64", ortho), (None,))[0]
                off = ours.get((rule, dtype, "off"), (None,))[0]
                same = torch.get((rule, "same", dtype, ortho))
                published = torch.get((rule, "published", dtype, ortho))
                rows.append(dict(
                    rule=rule, dtype=dtype, ortho=ortho, ms=ms, gflops=gflops, same=same,
                    published=published, vs_same=ratio(same, ms),
                    vs_published=ratio(published, ms),
                    f32_speedup=ratio(f64, ms) if dtype == "float32" else None,
                    ortho_share=(ms - off) / ms if ortho == "on" and ms and off else None))
    return rows


def step_table(rows):
    print("| rule | dtype | ortho | ours ms | ours GFLOP/s | torch same-algorithm ms | "
          "same/ours | torch published-form ms | published/ours | ours f64/f32 | "
          "ortho share of ours |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["rule"], r["dtype"], r["ortho"], fmt(r["ms"], ".1f"), fmt(r["gflops"], ".1f"),
            fmt(r["same"], ".1f"), fmt(r["vs_same"], ".2f"), fmt(r["published"], ".1f"),
            fmt(r["vs_published"], ".2f"), fmt(r["f32_speedup"], ".2f"),
            fmt(r["ortho_share"], ".0%")))


def targets(rows):
    """Issue 2's targets, each judged on its worst row of this run."""
    def worst(key, pick):
        vals = [(r[key], r) for r in rows if pick(r) and r[key] is not None]
        return min(vals, key=lambda v: v[0]) if vals else (None, None)

    checks = (
        ("BP step faster than PyTorch's (same/ours > 1)", "vs_same",
         lambda r: r["rule"] == "bp", 1.0, True),
        ("GAIT step at least 2x faster than the PyTorch GAIT peer in the published form "
         "(published/ours >= 2)", "vs_published", lambda r: r["rule"] == "gait", 2.0, False),
        ("float32 at least 1.7x faster than float64 (ours f64/f32 >= 1.7)", "f32_speedup",
         lambda r: True, 1.7, False),
    )
    print("| target | worst row | worst value | met |")
    print("|---|---|---:|---|")
    for text, key, pick, need, strict in checks:
        v, r = worst(key, pick)
        where = "-" if r is None else "%s %s ortho %s" % (r["rule"], r["dtype"], r["ortho"])
        met = "-" if v is None else ("yes" if v > need or (v == need and not strict) else "no")
        print("| %s | %s | %s | %s |" % (text, where, fmt(v, ".2f"), met))


def gemm_table(ours, torch):
    print("| GEMM | dtype | ours GFLOP/s | torch GFLOP/s |")
    print("|---|---|---:|---:|")
    for key in sorted(set(ours) | set(torch), key=lambda k: (k[1], k[0])):
        print("| %s | %s | %s | %s |" % (key[1], key[0], fmt(ours.get(key), ".1f"),
                                          fmt(torch.get(key), ".1f")))


def main(results_dir, rounds, threads, command_line, load_before, load_after):
    per_round = [round_results(results_dir, r) for r in range(1, int(rounds) + 1)]
    rows = median_rows([step_rows(o[0], t[0]) for o, t in per_round])
    ours_gemm = median_gemms([o[1] for o, _ in per_round])
    torch_gemm = median_gemms([t[1] for _, t in per_round])
    ours_blas, torch_blas = per_round[-1][0][2], per_round[-1][1][2]
    print("# One training step: gaitsim vs PyTorch peer (%s threads)\n" % threads)
    print("Square 784-wide net, 4 hidden layers, batch 60; ratios > 1: gaitsim is faster. %s "
          "rounds; in each, every rule's steps are timed by gaitsim (median of 3 repetitions) "
          "and at once by the peer (median of 10), so each ratio pairs two measurements taken "
          "seconds apart; every time and every ratio below is the median over the rounds "
          "(a ratio is the median of the rounds' ratios, so it need not equal the ratio of the "
          "two median times). Two PyTorch peers (bench/torch_peer.py --gait-form):\n" % rounds)
    print("- *same-algorithm*: a port of gaitsim's own algorithm. For GAIT and TP the delta form "
          "with one LU factorisation and triangular solves per inverted layer (`lu-delta`); BP "
          "and FA have only this peer.")
    print("- *published-form* (GAIT and TP only): the reference implementation's approach, "
          "absolute targets t_{l-1} = (f^-1(m_l) - b_l) W_l^-1 through an explicit inverse "
          "`torch.linalg.inv(W_l)` of every inverted layer on every batch (`published`), in "
          "the row's dtype. Issue 2's GAIT target is judged against this peer.\n")
    print("ours f64/f32: float32 speedup over float64. Ortho share: fraction of our step spent "
          "on the orthogonality term.\n")
    step_table(rows)
    print()
    targets(rows)
    print()
    gemm_table(ours_gemm, torch_gemm)
    print("\nBLAS: ours %s; torch %s." % (ours_blas, torch_blas))
    print("\nCommand line: `%s`" % command_line)
    print("\n1-minute load average before / after: %s / %s (well above 0 before, or above the "
          "thread count after: other work shared the cores, repeat)." % (load_before, load_after))


if __name__ == "__main__":
    main(*sys.argv[1:7])
