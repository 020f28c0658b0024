#!/usr/bin/env python3
"""Independent re-implementation (PyTorch, no autograd) of BP and feedback alignment on the
NeurIPS 2020 tower (docs/comparisons.md, "Feedback alignment on the tower"), to check
gaitsim's FA against: the same architecture (layer l reads the first n_l units of l-1), leaky
ReLU, orthogonal init, zero biases, MSE on the first 10 output units (l = 1/2 ||h_C - onehot||^2,
batch mean), the orthogonality term lambda ||W W^T - I||_F^2 on square layers above the first,
Adam or SGD. FA: D_{l-1}[:, :k] = e_l B_l^T with B_l fixed random orthogonal of W_l's shape.

  python3 scripts/fa_tower_reference.py --rule fa --opt adam --lr 1e-4 --ortho 0.1
"""
import argparse
import math
import os
import struct

import torch


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    t = torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8)
    return t.reshape(shape)


def load(root, split, limit):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(root, prefix + "-images-idx3-ubyte")).reshape(-1, 784)
    y = read_idx(os.path.join(root, prefix + "-labels-idx1-ubyte")).long()
    if limit:
        x, y = x[:limit], y[:limit]
    return x.double() / 255.0, y


def orthogonal(rows, cols, gen):
    n, k = max(rows, cols), min(rows, cols)
    q, r = torch.linalg.qr(torch.randn(n, k, generator=gen, dtype=torch.float64))
    q = q * torch.sign(torch.diagonal(r))
    return q if rows >= cols else q.T


class Tower:
    def __init__(self, widths, slope, seed, kind="tower"):
        gen = torch.Generator().manual_seed(seed)
        self.n = widths
        self.L = len(widths) - 1
        # tower: layer l reads the first k_l = n_l units of l-1 (layer 1 reads the whole input);
        # dense: all of them (k_l = n_{l-1})
        self.k = [None] + ([widths[0]] + widths[2:] if kind == "tower" else widths[:-1])
        self.W = [None] + [orthogonal(self.k[l], widths[l], gen) for l in range(1, self.L + 1)]
        self.b = [None] + [torch.zeros(widths[l], dtype=torch.float64) for l in range(1, self.L + 1)]
        fb = torch.Generator().manual_seed(seed + 1000)
        self.B = [None, None] + [orthogonal(self.k[l], widths[l], fb) for l in range(2, self.L + 1)]
        self.slope = slope

    def forward(self, x):
        h, d = [x], [None]
        for l in range(1, self.L + 1):
            a = h[l - 1][:, : self.k[l]] @ self.W[l] + self.b[l]
            h.append(torch.where(a > 0, a, self.slope * a))
            d.append(torch.where(a > 0, torch.ones_like(a), torch.full_like(a, self.slope)))
        return h, d

    def grads(self, x, y, rule, classes=10):
        h, d = self.forward(x)
        N = x.shape[0]
        D = h[self.L].clone()
        D[:, classes:] = 0
        D[torch.arange(N), y] -= 1.0
        loss = 0.5 * (D ** 2).sum().item() / N
        dW, db = [None] * (self.L + 1), [None] * (self.L + 1)
        for l in range(self.L, 0, -1):
            e = D * d[l]
            dW[l] = h[l - 1][:, : self.k[l]].T @ e / N
            db[l] = e.mean(0)
            if l > 1:
                F = self.W[l] if rule == "bp" else self.B[l]
                D = torch.zeros_like(h[l - 1])
                D[:, : self.k[l]] = e @ F.T
        return loss, dW, db, h


def angle(a, b):
    c = (a * b).sum() / (a.norm() * b.norm() + 1e-300)
    return math.degrees(math.acos(max(-1.0, min(1.0, c.item()))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rule", default="fa", choices=["fa", "bp"])
    p.add_argument("--opt", default="adam", choices=["adam", "sgd"])
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--ortho", type=float, default=0.1)
    p.add_argument("--widths", default="784,784,500,200,10")
    p.add_argument("--kind", default="tower", choices=["tower", "dense"])
    p.add_argument("--slope", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=60)
    p.add_argument("--limit", type=int, default=6000)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--every", type=int, default=20)
    a = p.parse_args()
    torch.set_num_threads(1)
    net = Tower([int(w) for w in a.widths.split(",")], a.slope, a.seed, a.kind)
    x, y = load(a.data, "train", a.limit)
    xt, yt = load(a.data, "test", 2000)
    m = [None] + [(torch.zeros_like(net.W[l]), torch.zeros_like(net.b[l])) for l in range(1, net.L + 1)]
    v = [None] + [(torch.zeros_like(net.W[l]), torch.zeros_like(net.b[l])) for l in range(1, net.L + 1)]
    t = 0
    order_gen = torch.Generator().manual_seed(a.seed)
    for epoch in range(a.epochs):
        perm = torch.randperm(x.shape[0], generator=order_gen)
        for s in range(0, x.shape[0] - a.batch + 1, a.batch):
            idx = perm[s : s + a.batch]
            loss, dW, db, h = net.grads(x[idx], y[idx], a.rule)
            if t % a.every == 0:
                _, gW, _, _ = net.grads(x[idx], y[idx], "bp")
                ang = " ".join(f"{angle(dW[l], gW[l]):6.1f}" for l in range(1, net.L))
                wb = angle(net.W[net.L], net.B[net.L]) if a.rule == "fa" else float("nan")
                rms = " ".join(f"{h[l].pow(2).mean().sqrt().item():8.3g}" for l in range(1, net.L + 1))
                print(f"step {t:5d} loss {loss:10.4g} angle(hidden vs bp) {ang}  "
                      f"angle(W_L,B_L) {wb:6.1f}  rms h {rms}", flush=True)
            t += 1
            for l in range(1, net.L + 1):
                if a.ortho and l > 1 and net.W[l].shape[0] == net.W[l].shape[1]:
                    W = net.W[l]
                    dW[l] = dW[l] + 4 * a.ortho * (W @ W.T - torch.eye(W.shape[0], dtype=W.dtype)) @ W
                for i, (P, G) in enumerate(((net.W, dW), (net.b, db))):
                    if a.opt == "sgd":
                        P[l] -= a.lr * G[l]
                        continue
                    m[l][i].mul_(0.9).add_(0.1 * G[l])
                    v[l][i].mul_(0.999).add_(0.001 * G[l] ** 2)
                    mh = m[l][i] / (1 - 0.9 ** t)
                    vh = v[l][i] / (1 - 0.999 ** t)
                    P[l] -= a.lr * mh / (vh.sqrt() + 1e-8)
    h, _ = net.forward(xt)
    acc = (h[net.L][:, :10].argmax(1) == yt).double().mean().item()
    D = h[net.L][:, :10].clone()
    D[torch.arange(len(yt)), yt] -= 1
    print(f"final test loss {0.5 * (D ** 2).sum().item() / len(yt):.4g} test acc {acc:.4f}")


if __name__ == "__main__":
    main()
