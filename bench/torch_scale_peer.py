#!/usr/bin/env python3
"""PyTorch peer of bench/bench_scale.cpp: one BP training step of the CIFAR-10 deep fully
connected net and of the CIFAR-10 CNN of configs/ (the same shapes, including the auxiliary
units and channels that make every layer above the first square), softmax cross-entropy on the
first 10 output units, the orthogonality term 4 lambda (W W^T - I) W on the square layers, Adam.
Convolutions are PyTorch's own (conv2d with TensorFlow-style SAME padding).

    /usr/bin/python3 bench/torch_scale_peer.py --threads 2 --json out.json [--batch 60]
    /usr/bin/python3 bench/torch_scale_peer.py --peak-memory --net cnn --batch 256
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn.functional as F

DEEP = [3072, 1024, 1024, 1024, 1024, 1024, 1024, 1024]
# (filters, kernel, stride) of configs/cifar10_cnn_*.yaml, then a dense output with 10 logits
CNN = [(24, 5, 1), (24, 3, 2), (48, 3, 1), (48, 3, 2), (96, 3, 1), (96, 3, 2), (192, 3, 1)]
CLASSES, LAMBDA, SLOPE = 10, 0.1, 0.1


def same_pad(size, k, s):
    out = (size + s - 1) // s
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2, total - total // 2


def orthogonal(rows, cols, gen, dtype):
    q, r = torch.linalg.qr(torch.randn(max(rows, cols), min(rows, cols), generator=gen,
                                       dtype=torch.float64))
    q = q * torch.sign(torch.diagonal(r))
    return (q if rows >= cols else q.T).to(dtype).contiguous()


class DeepNet:
    def __init__(self, dtype, gen):
        self.W = [orthogonal(a, b, gen, dtype).requires_grad_() for a, b in zip(DEEP, DEEP[1:])]
        self.b = [torch.zeros(b, dtype=dtype, requires_grad=True) for b in DEEP[1:]]

    def params(self):
        return self.W + self.b

    def square(self):
        return [(W, W) for W in self.W[1:]]  # (parameter, its matrix view)

    def forward(self, x):
        h = x
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            a = h @ W + b
            h = a if l == len(self.W) - 1 else F.leaky_relu(a, SLOPE)
        return h[:, :CLASSES]


class CnnNet:
    def __init__(self, dtype, gen):
        self.conv, self.shapes = [], []
        c, size = 3, 32
        for l, (filters, k, s) in enumerate(CNN):
            d = c * k * k
            out_channels = filters if l == 0 else d
            # torch's (out, in, k, k) weight; for l >= 1 a square D x D matrix when flattened
            w = orthogonal(out_channels, d, gen, dtype).reshape(out_channels, c, k, k)
            self.conv.append((w.requires_grad_(), torch.zeros(out_channels, dtype=dtype,
                                                               requires_grad=True)))
            out, before, after = same_pad(size, k, s)
            self.shapes.append((filters, s, (before, after, before, after)))
            c, size = filters, out
        width = c * size * size
        self.W = orthogonal(width, width, gen, dtype).requires_grad_()
        self.b = torch.zeros(width, dtype=dtype, requires_grad=True)

    def params(self):
        return [p for wb in self.conv for p in wb] + [self.W, self.b]

    def square(self):
        views = [(w, w.reshape(w.shape[0], -1)) for w, _ in self.conv[1:]]
        return views + [(self.W, self.W)]

    def forward(self, x):
        h = x.reshape(-1, 3, 32, 32)
        for (w, b), (filters, s, pad) in zip(self.conv, self.shapes):
            h = F.leaky_relu(F.conv2d(F.pad(h, pad), w, b, stride=s), SLOPE)[:, :filters]
        return (h.flatten(1) @ self.W + self.b)[:, :CLASSES]


def make(net, dtype, seed=1):
    gen = torch.Generator().manual_seed(seed)
    return (DeepNet if net == "deep" else CnnNet)(dtype, gen)


def step(model, opt, x, y):
    opt.zero_grad(set_to_none=False)
    loss = F.cross_entropy(model.forward(x), y)
    loss.backward()
    with torch.no_grad():
        for param, W in model.square():
            # 4 lambda (W W^T - I) W, on the matrix the layer inverts
            G = W @ W.T
            G.diagonal().sub_(1.0)
            param.grad.add_((4 * LAMBDA * (G @ W)).reshape(param.shape))
    opt.step()
    return loss


def time_step(net, dtype, batch, repeats):
    model = make(net, dtype)
    opt = torch.optim.Adam(model.params(), lr=1e-4)
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(batch, 3072, generator=gen, dtype=dtype)
    y = torch.arange(batch) % CLASSES
    step(model, opt, x, y)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step(model, opt, x, y)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=60)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--net", default="deep,cnn")
    p.add_argument("--dtype", default="float64,float32")
    p.add_argument("--json", help="write the medians here")
    p.add_argument("--peak-memory", action="store_true",
                   help="run 2 steps of one --net/--dtype and print the peak resident memory")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    dtypes = {"float64": torch.float64, "float32": torch.float32}
    if a.peak_memory:
        net, dtype = a.net.split(",")[0], a.dtype.split(",")[0]
        model = make(net, dtypes[dtype])
        opt = torch.optim.Adam(model.params(), lr=1e-4)
        x = torch.randn(a.batch, 3072, dtype=dtypes[dtype])
        y = torch.arange(a.batch) % CLASSES
        for _ in range(2):
            step(model, opt, x, y)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(json.dumps({"net": net, "dtype": dtype, "batch": a.batch, "peak_mib": peak}))
        return
    results = []
    for net in a.net.split(","):
        for dtype in a.dtype.split(","):
            seconds = time_step(net, dtypes[dtype], a.batch, a.repeats)
            results.append({"net": net, "algorithm": "bp", "dtype": dtype, "batch": a.batch,
                            "ms": seconds * 1e3})
            print(f"torch {net} bp {dtype} batch {a.batch}: {seconds * 1e3:.1f} ms", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"threads": a.threads, "torch": torch.__version__, "results": results}, f,
                      indent=1)


if __name__ == "__main__":
    main()
