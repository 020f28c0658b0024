#!/usr/bin/env python3
"""Angle of GAIT-prop's update to BP's under rate noise (biology.md 4, docs/biology.md).

Trains the MNIST tower 784-64-48-32 for a few steps per setting, sampling the per-layer angle
to BP at every step (output.align_every 1), and prints a Markdown table of the mean angle of
layers 1 and 2 over the samples, for noise.rate_std / gamma in 0, 0.01, 0.1, 1, 10, fixed and
adaptive gamma, algebraic and settle mode with and without averaging. BP is measured on the
same noisy free phase (the same draws), so the angle is what the target phase's noise adds.

With --seeds N every cell is run for network.seed = 1..N (the noise draws depend on it, so each
seed has its own initial weights and noise) and shows the mean over seeds +- their standard
deviation (ddof 1).

With --power P the ratio is noise.rate_std / gamma^P instead: the noise of layer l's D_l is
sigma / gamma^(L-l) (L = 3 here), so P = 2 puts layer 1 on the scale P = 1 puts layer 2 on.

usage: scripts/noise_angle_study.py GAITSIM_BINARY OUT_DIR [--steps N] [--power P] [--seeds N]
Needs h5py (/usr/bin/python3 has it).
"""
import argparse
import pathlib
import subprocess
import sys

import h5py
import numpy as np

RATIOS = [0.0, 0.01, 0.1, 1.0, 10.0]
GAMMA = 1e-3  # fixed gamma, and gamma_0 of the adaptive form
VARIANTS = {
    "algebraic": ["dynamics.mode=algebraic"],
    "settle": ["dynamics.mode=settle", "dynamics.max_time_ms=100"],
    "settle, average 50 ms": ["dynamics.mode=settle", "dynamics.max_time_ms=100",
                              "dynamics.average_ms=50"],
}
BASE = ["network.kind=tower", "network.widths=[784,64,48,32]", "data.train_limit=1200",
        "data.test_limit=100", "output.progress=false", "output.align_every=1",
        "output.checkpoint_every=0", f"learning.gamma={GAMMA}", "learning.learning_rate=1e-3"]


def run(binary, out, sets, steps):
    cmd = [binary, "train", "configs/quickstart.yaml", "--out", str(out), "--force",
           "--max-steps", str(steps)]
    for s in BASE + sets:
        cmd += ["--set", s]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    with h5py.File(out / "run.h5", "r") as f:
        return np.asarray(f["/alignment/angle_deg"])  # samples x layers


def cell(values):
    """One seed: the angle; several: mean +- sd over seeds."""
    if len(values) == 1:
        return f"{values[0]:.3g}"
    return f"{values.mean():.3g} +- {values.std(ddof=1):.2g}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("out_dir", type=pathlib.Path)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--power", type=int, default=1)
    p.add_argument("--seeds", type=int, default=1)
    a = p.parse_args()
    scale = "gamma" if a.power == 1 else f"gamma^{a.power}"
    print(f"| gamma | dynamics | layer | " + " | ".join(f"sigma/{scale} = {r:g}" for r in RATIOS) +
          " |")
    print("|---|---|---|" + "---:|" * len(RATIOS))
    for adaptive in (False, True):
        for name, sets in VARIANTS.items():
            angles = []
            for r in RATIOS:
                extra = sets + [f"learning.adaptive_gamma={'true' if adaptive else 'false'}",
                                f"noise.rate_std={r * GAMMA**a.power:g}"]
                tag = f"{'adaptive' if adaptive else 'fixed'}-{name.split(',')[0]}-{len(sets)}-{r:g}"
                per_seed = [run(a.binary, a.out_dir / f"{tag}-s{seed}",
                                extra + [f"network.seed={seed}"], a.steps).mean(axis=0)
                            for seed in range(1, a.seeds + 1)]
                angles.append(np.array(per_seed))  # seeds x layers
            for layer in (0, 1):
                cells = " | ".join(cell(x[:, layer]) for x in angles)
                print(f"| {'adaptive' if adaptive else 'fixed'} | {name} | {layer + 1} | {cells} |",
                      flush=True)


if __name__ == "__main__":
    main()
