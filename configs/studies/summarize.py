#!/usr/bin/python3
"""Markdown tables for docs/studies.md from the study sweep folders.

    /usr/bin/python3 configs/studies/summarize.py precision SWEEP_DIR [SWEEP_DIR ...]
    /usr/bin/python3 configs/studies/summarize.py deep SWEEP_DIR [SWEEP_DIR ...]
    /usr/bin/python3 configs/studies/summarize.py feedback SWEEP_DIR [SWEEP_DIR ...]
    /usr/bin/python3 configs/studies/summarize.py bio SWEEP_DIR [SWEEP_DIR ...]

precision: per sweep (one dataset), test accuracy per seed for float32 and float64, the paired
differences, mean +- sd (n-1), and the mean angle to BP per layer. deep: per point, status,
test accuracy per epoch, angle to BP per layer (first sample, mean, last sample), the largest
orthogonality error, and the warnings/errors in the point's log. feedback (learned feedback,
issue 15): per dataset and method (rule, exact or learned feedback), test accuracy mean +- sd,
the angle to BP per layer over the forward-learning steps, and the inverse error
||Q_l W_l - I||_F / sqrt(n) at the start, when forward learning starts and at the end. bio
(biological constraints, issue 14): per dataset, constraint case and rule, the runs that
finished and diverged, test accuracy mean +- sd over the finished ones, the angle to the exact
BP of the same constrained network per layer (mean over the samples and seeds) and the clipped
units and synapses per layer (summed over training, mean over seeds).
"""
import re
import csv
import glob
import os
import statistics
import sys

import h5py
import numpy as np


def read_summary(sweep):
    with open(os.path.join(sweep, "summary.csv"), newline="") as f:
        return list(csv.DictReader(f))


def run_file(sweep, name):
    return h5py.File(os.path.join(sweep, "points", name, "run.h5"), "r")


def mean_sd(xs):
    m = statistics.mean(xs)
    return m, (statistics.stdev(xs) if len(xs) > 1 else float("nan"))


def precision(sweeps):
    for sweep in sweeps:
        rows = read_summary(sweep)
        acc = {}  # (precision, seed) -> accuracy [%]
        wall = {}
        angles = {}  # precision -> list of per-layer mean angles over the samples after step 0
        first = {}  # precision -> list of per-layer angles at step 0 (orthogonal initial weights)
        for r in rows:
            if r["status"] != "complete":
                print(f"{r['name']}: {r['status']}")
                continue
            p, s = r["learning.precision"], int(r["seed"])
            acc[(p, s)] = 100 * float(r["final_test_accuracy"])
            wall[(p, s)] = float(r["wall_seconds"])
            with run_file(sweep, r["name"]) as h:
                a = h["alignment/angle_deg"][1:]
                angles.setdefault(p, []).append(a.mean(axis=0))
                first.setdefault(p, []).append(h["alignment/angle_deg"][0])
        seeds = sorted({s for (_, s) in acc})
        print(f"\n### {os.path.basename(sweep.rstrip('/'))}\n")
        print("| seed | float32 [%] | float64 [%] | float32 - float64 [points] | wall f32 / f64 [s] |")
        print("|---|---|---|---|---|")
        diffs = []
        for s in seeds:
            a32, a64 = acc.get(("float32", s)), acc.get(("float64", s))
            d = a32 - a64 if a32 is not None and a64 is not None else None
            if d is not None:
                diffs.append(d)
            fmt = lambda v: "-" if v is None else f"{v:.2f}"
            w = f"{wall.get(('float32', s), float('nan')):.0f} / {wall.get(('float64', s), float('nan')):.0f}"
            print(f"| {s} | {fmt(a32)} | {fmt(a64)} | {'-' if d is None else f'{d:+.2f}'} | {w} |")
        m32 = mean_sd([acc[k] for k in acc if k[0] == "float32"])
        m64 = mean_sd([acc[k] for k in acc if k[0] == "float64"])
        md = mean_sd(diffs) if diffs else (float("nan"), float("nan"))
        print(f"| mean +- sd | {m32[0]:.2f} +- {m32[1]:.2f} | {m64[0]:.2f} +- {m64[1]:.2f} "
              f"| {md[0]:+.2f} +- {md[1]:.2f} (max abs {max(map(abs, diffs)):.2f}) | |")
        print("\nMean angle to BP over the run (samples after step 0, mean over seeds) [deg], layer 1..L:")
        for p in sorted(angles):
            per_layer = np.mean(angles[p], axis=0)
            print(f"- {p}: " + ", ".join(f"{v:.3g}" for v in per_layer))
        print("\nAngle to BP at step 0 (orthogonal initial weights, mean over seeds) [deg], layer 1..L:")
        for p in sorted(first):
            print(f"- {p}: " + ", ".join(f"{v:.3g}" for v in np.mean(first[p], axis=0)))


def log_messages(sweep, name):
    path = os.path.join(sweep, "logs", name + ".log")
    if not os.path.exists(path):
        return ""
    keep = [l.strip() for l in open(path, errors="replace")
            if any(k in l.lower() for k in ("warn", "error", "diverg", "ill", "condition", "nan"))]
    return "; ".join(keep[:3]) + (f" (+{len(keep) - 3} more)" if len(keep) > 3 else "")


def deep(sweeps):
    print("| run | seed | status | test acc per epoch [%] | wall [s] |")
    print("|---|---|---|---|---|")
    details = []
    for sweep in sweeps:
        for r in read_summary(sweep):
            label = os.path.basename(sweep.rstrip("/")) + " " + r["name"].split("__seed")[0]
            with run_file(sweep, r["name"]) as h:
                status = h.attrs["status"]
                detail = h.attrs.get("status_detail", "")
                accs = " / ".join(f"{100 * a:.2f}" for a in h["metrics/test_accuracy"][:])
                wall = sum(h["metrics/epoch_seconds"][:])
                steps, ang = h["alignment/step"][:], h["alignment/angle_deg"][:]
                ortho = h["orthogonality/error"][:] if "orthogonality/error" in h else None
                olayers = h["orthogonality/layers"][:] if "orthogonality/layers" in h else None
            print(f"| {label} | {r['seed']} | {status} {detail} | {accs} | {wall:.0f} |")
            details.append((label, r["seed"], steps, ang, ortho, olayers, log_messages(sweep, r["name"])))
    groups = {}
    for label, seed, steps, ang, *_ in details:
        groups.setdefault(label, []).append(ang)
    n_layers = details[0][3].shape[1]
    print("\nAngle to BP per layer, mean over the samples after step 0 and over seeds [deg]:\n")
    print("| run | " + " | ".join(f"layer {l}" for l in range(1, n_layers + 1)) + " |")
    print("|---|" + "---|" * n_layers)
    for label, angs in groups.items():
        m = np.mean([np.nanmean(a[1:], axis=0) for a in angs], axis=0)
        print(f"| {label} | " + " | ".join(f"{v:.2f}" for v in m) + " |")
    print("\nLayer 1's angle to BP against the step (seeds averaged) [deg]:\n")
    steps0 = details[0][2]
    shown = [i for i, s in enumerate(steps0) if s in (0, 25, 50, 100, 200, 300, 400, 500)]
    print("| run | " + " | ".join(f"step {steps0[i]}" for i in shown) + " |")
    print("|---|" + "---|" * len(shown))
    for label, angs in groups.items():
        if all(a.shape == angs[0].shape for a in angs) and len(angs[0]) == len(steps0):
            m = np.mean([a[:, 0] for a in angs], axis=0)
            print(f"| {label} | " + " | ".join(f"{m[i]:.1f}" for i in shown) + " |")
    print("\nAngle to BP per layer 1..L [deg]: first sample (step 0) | mean over later samples | last sample")
    for label, seed, steps, ang, ortho, olayers, msgs in details:
        fmt = lambda v: "[" + ", ".join(f"{x:.3g}" for x in v) + "]"
        later = ang[1:] if len(ang) > 1 else ang
        print(f"- {label} seed {seed} ({len(steps)} samples, steps {steps[0]}..{steps[-1]}): "
              f"{fmt(ang[0])} | {fmt(np.nanmean(later, axis=0))} | {fmt(ang[-1])}")
        if ortho is not None and ortho.size:
            print(f"  orthogonality error ||WW^T-I||_F per epoch, layers {list(olayers)}: "
                  + "; ".join(fmt(e) for e in ortho))
        if msgs:
            print(f"  log: {msgs}")


def feedback_point(sweep, r):
    """One point of a learned-feedback study: its label and what the tables need."""
    with run_file(sweep, r["name"]) as h:
        config = h.attrs["config"]
        config = config.decode() if isinstance(config, bytes) else config
        m = re.search(r"warmup_epochs:\s*(\d+)", config)
        warmup = int(m.group(1)) if m and "feedback" in h else 0
        steps_per_epoch = 60000 // int(re.search(r"batch_size:\s*(\d+)", config).group(1))
        start = warmup * steps_per_epoch  # first step of forward learning
        steps, ang = h["alignment/step"][:], h["alignment/angle_deg"][:]
        fwd = ang[(steps > start)]
        p = {"status": h.attrs["status"], "acc": 100 * h["metrics/test_accuracy"][-1],
             "angle": np.nanmean(fwd, axis=0), "angle_last": ang[-1],
             "angle_l1": {int(s - start): a[0] for s, a in zip(steps, ang) if s >= start},
             "wall": float(sum(h["metrics/epoch_seconds"][:])), "inv": None}
        if "feedback" in h:
            fs, e = h["feedback/step"][:], h["feedback/inverse_error"][:]
            at = lambda s: e[np.searchsorted(fs, s)] if np.searchsorted(fs, s) < len(fs) else e[-1]
            p["inv"] = (e[0], at(start), e[-1])
    method = r["learning.algorithm"] + (" learned" if p["inv"] is not None else
                                        " exact" if r["learning.algorithm"] in ("gait", "tp") else "")
    return (r["data.dataset"], method), p


def feedback(sweeps):
    groups = {}
    for sweep in sweeps:
        for r in read_summary(sweep):
            if r["status"] != "complete":
                print(f"{sweep} {r['name']}: {r['status']}")
                continue
            key, p = feedback_point(sweep, r)
            groups.setdefault(key, []).append(p)
    fmt = lambda v: ", ".join(f"{x:.3g}" for x in v)
    print("| dataset | method | runs | test accuracy [%] mean +- sd | per seed | wall per run [s] |")
    print("|---|---|---|---|---|---|")
    for (d, m), ps in sorted(groups.items()):
        a = mean_sd([p["acc"] for p in ps])
        print(f"| {d} | {m} | {len(ps)} | {a[0]:.2f} +- {a[1]:.2f} | "
              + " / ".join(f"{p['acc']:.2f}" for p in ps)
              + f" | {statistics.mean(p['wall'] for p in ps):.0f} |")
    print("\nAngle to BP per layer over forward learning (mean over its samples and the seeds) "
          "| at the last sample [deg]:\n")
    for (d, m), ps in sorted(groups.items()):
        print(f"- {d} {m}: [{fmt(np.mean([p['angle'] for p in ps], axis=0))}] | "
              f"[{fmt(np.mean([p['angle_last'] for p in ps], axis=0))}]")
    print("\nLayer 1's angle to BP against the forward-learning step (seeds averaged) [deg]:\n")
    shown = (0, 100, 200, 500, 900)
    print("| dataset | method | " + " | ".join(f"step {s}" for s in shown) + " |")
    print("|---|---|" + "---|" * len(shown))
    for (d, m), ps in sorted(groups.items()):
        cells = [statistics.mean(p["angle_l1"][s] for p in ps) if all(s in p["angle_l1"] for p in ps)
                 else float("nan") for s in shown]
        print(f"| {d} | {m} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    print("\nInverse error ||Q_l W_l - I||_F / sqrt(n), inverted layers 2..L, seeds averaged: "
          "at step 0 | when forward learning starts | at the end:\n")
    for (d, m), ps in sorted(groups.items()):
        if ps[0]["inv"] is not None:
            cols = [np.mean([p["inv"][i] for p in ps], axis=0) for i in range(3)]
            print(f"- {d} {m}: [{fmt(cols[0])}] | [{fmt(cols[1])}] | [{fmt(cols[2])}]")


def bio_point(sweep, r):
    """One point of a constraint study: accuracy, mean angle and clipped counts per layer."""
    with run_file(sweep, r["name"]) as h:
        total = lambda path: h[path][:].sum(axis=0) if path in h else None
        angles = h["alignment/angle_deg"][:]
        return {"status": r["status"], "acc": 100 * float(r["final_test_accuracy"] or "nan"),
                "angle": angles.mean(axis=0) if len(angles) else None,
                "layer1": dict(zip(h["alignment/step"][:].astype(int), angles[:, 0])),
                "units": total("constraints/clipped_units"),
                "synapses": total("constraints/clipped_synapses")}


def bio_accuracy(ps):
    """'89.73 +- 0.21', with the diverged runs counted: '2 of 3 diverged'."""
    done = [p["acc"] for p in ps if p["status"] == "complete"]
    diverged = sum(p["status"] == "diverged" for p in ps)
    text = "-" if not done else (f"{done[0]:.2f}" if len(done) == 1
                                 else "%.2f +- %.2f" % mean_sd(done))
    return text + (f" ({diverged} of {len(ps)} diverged)" if diverged else "")


def bio(sweeps):
    groups, cases, datasets = {}, [], []
    for sweep in sweeps:
        for r in read_summary(sweep):
            c, d = r["constraint"], r["data.dataset"]
            cases += [c] if c not in cases else []
            datasets += [d] if d not in datasets else []
            groups.setdefault((d, c, r["learning.algorithm"]), []).append(bio_point(sweep, r))
    fmt = lambda v: "-" if v is None else ", ".join(f"{x:.3g}" for x in v)

    def mean_of(ps, k):
        vs = [p[k] for p in ps if p[k] is not None and p["status"] == "complete"]
        return np.mean(vs, axis=0) if vs else None

    for d in datasets:
        seeds = len(groups[(d, cases[0], "gait")])
        print(f"\n{d}, {seeds} seed(s): test accuracy [%] mean +- sd; GAIT's angle to BP per layer "
              "(mean over samples and seeds) [deg]; GAIT's clipped units and synapses per layer "
              "(summed over training, mean over seeds)\n")
        print("| constraint | GAIT | BP | FA | GAIT angle to BP | clipped units | clipped synapses |")
        print("|---|---|---|---|---|---|---|")
        for c in cases:
            g = groups[(d, c, "gait")]
            print(f"| {c} | {bio_accuracy(g)} | {bio_accuracy(groups[(d, c, 'bp')])} | "
                  f"{bio_accuracy(groups[(d, c, 'fa')])} | {fmt(mean_of(g, 'angle'))} | "
                  f"{fmt(mean_of(g, 'units'))} | {fmt(mean_of(g, 'synapses'))} |")
        steps = sorted(groups[(d, cases[0], "gait")][0]["layer1"])
        stride = max(1, -(-(len(steps) - 1) // 5))  # at most 6 columns, the last sample kept
        steps = steps[::stride] + ([steps[-1]] if (len(steps) - 1) % stride else [])
        print(f"\nGAIT's layer-1 angle to BP over training, {d} (seeds averaged) [deg]:\n")
        print("| constraint | " + " | ".join(f"step {t}" for t in steps) + " |")
        print("|---|" + "---|" * len(steps))
        for c in cases:
            g = [p for p in groups[(d, c, "gait")] if p["status"] == "complete"]
            cells = [np.mean([p["layer1"][t] for p in g]) if g and all(t in p["layer1"] for p in g)
                     else float("nan") for t in steps]
            print(f"| {c} | " + " | ".join(f"{x:.1f}" for x in cells) + " |")


if __name__ == "__main__":
    modes = {"precision": precision, "deep": deep, "feedback": feedback, "bio": bio}
    if len(sys.argv) < 3 or sys.argv[1] not in modes:
        sys.exit(__doc__)
    modes[sys.argv[1]](sys.argv[2:])
