#!/usr/bin/python3
"""Write a small, correct align dump (the format of `gaitsim align --dump`) using the update
functions of bench/torch_peer.py, to test check_align_dump.py without the simulator.

usage: make_fake_dump.py OUT.h5 [--algorithm gait|bp|tp|fa] [--net square|tower]
         [--width 20] [--layers 3] [--classes 5] [--batch 16] [--loss mse|cross_entropy]
         [--gamma 1e-3] [--adaptive-gamma] [--output-activation leaky_relu|linear]
         [--weight-noise 0.3] [--bias-scale 0.1] [--seed 0]
"""
import argparse
import os
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from torch_peer import make_state, compute_updates  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--algorithm", choices=("bp", "gait", "tp", "fa"), default="gait")
    ap.add_argument("--net", choices=("square", "tower"), default="square")
    ap.add_argument("--width", type=int, default=20)
    ap.add_argument("--layers", type=int, default=3, help="L (number of weight layers)")
    ap.add_argument("--classes", type=int, default=5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--loss", choices=("mse", "cross_entropy"), default="mse")
    ap.add_argument("--gamma", type=float, default=1e-3)
    ap.add_argument("--adaptive-gamma", action="store_true")
    ap.add_argument("--output-activation", choices=("leaky_relu", "linear"), default="leaky_relu")
    ap.add_argument("--slope", type=float, default=0.1)
    ap.add_argument("--weight-noise", type=float, default=0.3,
                    help="perturbation of the orthogonal init, so that GAIT != BP (default 0.3)")
    ap.add_argument("--bias-scale", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    n, L = args.width, args.layers
    if args.net == "square":
        widths = [n] * (L + 1)
    else:  # tower: n0, n1 = n0, then narrowing; the last layer holds the classes (+1 auxiliary)
        widths = [n, n]
        for l in range(2, L + 1):
            widths.append(max(args.classes + 1, int(round(n * (1 - 0.6 * (l - 1) / (L - 1))))))
        widths[-1] = max(args.classes, min(widths[-2], args.classes + 1))
    st = make_state(widths=widths, batch=args.batch, dtype=torch.float64, seed=args.seed,
                    classes=args.classes, loss=args.loss, slope=args.slope,
                    output_activation=args.output_activation, gamma=args.gamma,
                    adaptive_gamma=args.adaptive_gamma, weight_noise=args.weight_noise,
                    bias_scale=args.bias_scale)
    dW_bp, db_bp = [x.clone() for x in compute_updates(st, "bp")[0][1:]], \
        [x.clone() for x in st["db"][1:]]
    dW, db = [x.clone() for x in compute_updates(st, args.algorithm)[0][1:]], \
        [x.clone() for x in st["db"][1:]]
    with h5py.File(args.out, "w") as f:
        f.attrs["algorithm"] = args.algorithm
        f.attrs["gamma"] = args.gamma
        f.attrs["adaptive_gamma"] = int(args.adaptive_gamma)
        f.attrs["loss"] = args.loss
        f.attrs["classes"] = args.classes
        f["x"] = st["x"].numpy()
        f["y"] = st["y"].numpy().astype(np.int32)
        for l in range(1, L + 1):
            g = f.create_group("layers/%d" % l)
            g["W"] = st["W"][l].numpy()
            g["b"] = st["b"][l].numpy()
            g["dW"] = dW[l - 1].numpy()
            g["db"] = db[l - 1].numpy()
            g["dW_bp"] = dW_bp[l - 1].numpy()
            g["db_bp"] = db_bp[l - 1].numpy()
            linear = l == L and args.output_activation == "linear"
            g.attrs["activation"] = "linear" if linear else "leaky_relu"
            g.attrs["slope"] = 1.0 if linear else args.slope
    print("wrote %s: %s %s widths=%s loss=%s gamma=%g adaptive=%d"
          % (args.out, args.algorithm, args.net, widths, args.loss, args.gamma, args.adaptive_gamma))
    return 0


if __name__ == "__main__":
    sys.exit(main())
