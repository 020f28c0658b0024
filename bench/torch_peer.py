#!/usr/bin/python3
"""PyTorch peer of one gaitsim training step, for timing against the C++ simulator.

One step = forward + every layer's update (bp | gait | tp | fa) + optional orthogonality
term + Adam on all W and b.  See /work/shared/docs/gait-prop.md.  GAIT and TP come in two forms
(--gait-form):
  lu-delta   gaitsim's algorithm: the delta form ("Numerics"), one LU factorisation per
             inverted layer per step and triangular solves;
  published  the reference implementation's: absolute targets
             t_{l-1} = (f^-1(m_l) - b_l) W_l^-1 ("Targets for lower layers", TP: m_l = t_l)
             through an explicit inverse torch.linalg.inv(W_l) of every inverted layer, anew
             on every batch.

Importable:  from torch_peer import make_state, step, compute_updates
Run with the Debian interpreter (/usr/bin/python3), which has python3-torch.
"""
import os
import sys

if __name__ == "__main__":
    # OpenBLAS (the BLAS Debian's torch links) keeps its own thread pool; pin it before
    # torch loads so torch's OpenMP pool and OpenBLAS do not oversubscribe the cores.
    _t = None
    for _i, _a in enumerate(sys.argv):
        if _a == "--threads" and _i + 1 < len(sys.argv):
            _t = sys.argv[_i + 1]
        elif _a.startswith("--threads="):
            _t = _a.split("=", 1)[1]
    # torch's OpenMP pool must not spin while OpenBLAS's own pthreads work (and vice versa):
    # with the default (active) wait policy a step was measured up to 10x slower on 2 cores.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if _t is not None:
        for _k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[_k] = _t

import argparse
import ctypes
import json
import math
import statistics
import time

import torch

ALGORITHMS = ("bp", "gait", "tp", "fa")
GAIT_FORMS = ("lu-delta", "published")  # how GAIT and TP invert a layer (module docstring)
BP_IMPL = "hand"  # measured faster than autograd on this machine (see report / --bp-impl)


# ----------------------------------------------------------------------------- helpers
def _orthogonal(rows, cols, gen, dtype):
    """Random (semi-)orthogonal rows x cols matrix (QR of a Gaussian, sign-fixed)."""
    big, small = max(rows, cols), min(rows, cols)
    a = torch.randn(big, small, generator=gen, dtype=torch.float64)
    q, r = torch.linalg.qr(a)
    q *= torch.sign(torch.diagonal(r)).unsqueeze(0)
    if rows < cols:
        q = q.t()
    return q.contiguous().to(dtype)


def layer_rows(widths):
    """Rows of W_l: layer 1 reads all inputs; layer l >= 2 reads the first min(n_{l-1}, n_l)
    units of layer l-1 (square for the square and tower nets; the rest are auxiliary)."""
    L = len(widths) - 1
    return [widths[0]] + [min(widths[l - 1], widths[l]) for l in range(2, L + 1)]


def make_state(width=784, hidden_layers=4, batch=60, dtype=torch.float64, seed=0,
               widths=None, classes=10, loss="mse", slope=0.1, output_activation="leaky_relu",
               gamma=1e-3, adaptive_gamma=False, weight_noise=0.0, bias_scale=0.0,
               lr=1e-4, betas=(0.9, 0.999), eps=1e-8, ortho_lambda=0.1, bp_impl=None,
               gait_form="lu-delta"):
    """Builds weights (orthogonal, optionally perturbed by weight_noise * Gaussian / sqrt(n)),
    biases (0 or bias_scale * Gaussian), random inputs in [0,1], labels, FA feedback matrices,
    Adam state and every work buffer a step needs. gait_form: how GAIT and TP invert a layer
    (GAIT_FORMS)."""
    if gait_form not in GAIT_FORMS:
        raise ValueError("unknown gait_form %r, expected one of %s" % (gait_form, ", ".join(GAIT_FORMS)))
    if widths is None:
        widths = [width] * (hidden_layers + 2)
    widths = list(widths)
    L = len(widths) - 1
    rows = layer_rows(widths)
    gen = torch.Generator().manual_seed(seed)
    W, b, B = [None], [None], [None]  # 1-based layer lists
    for l in range(1, L + 1):
        w = _orthogonal(rows[l - 1], widths[l], gen, torch.float64)
        if weight_noise:
            w += weight_noise * torch.randn(w.shape, generator=gen, dtype=torch.float64) / math.sqrt(w.shape[0])
        W.append(w.to(dtype).contiguous())
        bb = torch.zeros(widths[l], dtype=torch.float64)
        if bias_scale:
            bb = bias_scale * torch.randn(widths[l], generator=gen, dtype=torch.float64)
        b.append(bb.to(dtype))
        B.append(_orthogonal(widths[l], rows[l - 1], gen, dtype))  # in place of W_l^T
    x = torch.rand(batch, widths[0], generator=gen, dtype=torch.float64).to(dtype)
    y = torch.randint(0, classes, (batch,), generator=gen)
    onehot = torch.zeros(batch, classes, dtype=dtype)
    onehot[torch.arange(batch), y] = 1.0
    slopes = [None] + [slope] * (L - 1) + [1.0 if output_activation == "linear" else slope]
    z = lambda *s: torch.zeros(*s, dtype=dtype)
    st = dict(
        L=L, widths=widths, rows=rows, N=batch, dtype=dtype, classes=classes, loss=loss,
        slopes=slopes, output_activation=output_activation, gamma=gamma,
        adaptive_gamma=bool(adaptive_gamma), lr=lr, betas=betas, eps=eps,
        ortho_lambda=ortho_lambda, bp_impl=bp_impl or BP_IMPL, seed=seed, gait_form=gait_form,
        W=W, b=b, B=B, x=x, y=y, onehot=onehot,
        # work buffers (index 0 of h is the input)
        a=[None] + [z(batch, widths[l]) for l in range(1, L + 1)],
        h=[x] + [z(batch, widths[l]) for l in range(1, L + 1)],
        d=[None] + [z(batch, widths[l]) for l in range(1, L + 1)],
        D=[None] + [z(batch, widths[l]) for l in range(1, L + 1)],
        e=[None] + [z(batch, widths[l]) for l in range(1, L + 1)],
        r=[None] + [z(batch, widths[l]) for l in range(1, L + 1)],
        tmp=[None] + [z(batch, widths[l]) for l in range(1, L + 1)],
        tmp2=[None] + [z(batch, widths[l]) for l in range(1, L + 1)],
        mask=[None] + [torch.zeros(batch, widths[l], dtype=torch.bool) for l in range(1, L + 1)],
        mask2=[None] + [torch.zeros(batch, widths[l], dtype=torch.bool) for l in range(1, L + 1)],
        LU=[None] + [z(rows[l - 1], widths[l]) for l in range(1, L + 1)],
        piv=[None] + [torch.zeros(min(rows[l - 1], widths[l]), dtype=torch.int32) for l in range(1, L + 1)],
        G=[None] + [z(rows[l - 1], rows[l - 1]) for l in range(1, L + 1)],
        # published form: absolute targets t_l and explicit inverses W_l^-1
        tgt=[None] + [z(batch, widths[l]) for l in range(1, L + 1)],
        Winv=[None] + [z(widths[l], rows[l - 1]) for l in range(1, L + 1)],
        dW=[None] + [z(rows[l - 1], widths[l]) for l in range(1, L + 1)],
        db=[None] + [z(widths[l]) for l in range(1, L + 1)],
        mW=[None] + [z(rows[l - 1], widths[l]) for l in range(1, L + 1)],
        vW=[None] + [z(rows[l - 1], widths[l]) for l in range(1, L + 1)],
        mb=[None] + [z(widths[l]) for l in range(1, L + 1)],
        vb=[None] + [z(widths[l]) for l in range(1, L + 1)],
        denW=[None] + [z(rows[l - 1], widths[l]) for l in range(1, L + 1)],
        denb=[None] + [z(widths[l]) for l in range(1, L + 1)],
        t=0,
    )
    return st


# ----------------------------------------------------------------------------- pieces
@torch.no_grad()
def forward(st):
    W, b, a, h, d, mask, sl = st["W"], st["b"], st["a"], st["h"], st["d"], st["mask"], st["slopes"]
    for l in range(1, st["L"] + 1):
        rows = W[l].shape[0]
        torch.addmm(b[l], h[l - 1][:, :rows], W[l], out=a[l])
        h[l].copy_(a[l])
        if sl[l] != 1.0:
            torch.nn.functional.leaky_relu_(h[l], sl[l])
            torch.gt(a[l], 0, out=mask[l])
            d[l].fill_(sl[l]).masked_fill_(mask[l], 1.0)
        else:
            d[l].fill_(1.0)


@torch.no_grad()
def _top_delta(st):
    """D_L = h_L - t_L = dl/dh_L on the class units, 0 on the rest; e_L = D_L * d_L."""
    L, C = st["L"], st["classes"]
    D, h = st["D"][L], st["h"][L]
    D.zero_()
    if st["loss"] == "mse":
        torch.sub(h[:, :C], st["onehot"], out=D[:, :C])
    else:  # softmax cross-entropy on the first C units
        torch.softmax(h[:, :C], dim=1, out=D[:, :C])
        D[:, :C].sub_(st["onehot"])
    torch.mul(D, st["d"][L], out=st["e"][L])


def _finv_(h, slope):
    """In-place f^-1 of leaky ReLU."""
    return h.copy_(torch.where(h > 0, h, h * (1.0 / slope)))


@torch.no_grad()
def _weight_grads(st):
    N, h, e, dW, db, W = st["N"], st["h"], st["e"], st["dW"], st["db"], st["W"]
    for l in range(1, st["L"] + 1):
        rows = W[l].shape[0]
        torch.mm(h[l - 1][:, :rows].t(), e[l], out=dW[l])
        dW[l].div_(N)
        torch.sum(e[l], 0, out=db[l])
        db[l].div_(N)


@torch.no_grad()
def _backprop_deltas(st, feedback):
    """BP (feedback = W_l^T) or FA (feedback = B_l): e_{l-1} = (e_l F_l) * d_{l-1}."""
    L, W, e, d, D = st["L"], st["W"], st["e"], st["d"], st["D"]
    for l in range(L, 1, -1):
        rows = W[l].shape[0]
        F = W[l].t() if feedback == "bp" else st["B"][l]
        D[l - 1][:, rows:].zero_()
        torch.mm(e[l], F, out=D[l - 1][:, :rows])
        torch.mul(D[l - 1], d[l - 1], out=e[l - 1])


def _bp_autograd(st):
    L, C, W, b = st["L"], st["classes"], st["W"], st["b"]
    params = []
    h = st["x"]
    with torch.enable_grad():
        for l in range(1, L + 1):
            W[l].requires_grad_(True)
            b[l].requires_grad_(True)
            params += [W[l], b[l]]
            a = torch.addmm(b[l], h[:, :W[l].shape[0]], W[l])
            h = torch.nn.functional.leaky_relu(a, st["slopes"][l]) if st["slopes"][l] != 1.0 else a
        if st["loss"] == "mse":
            loss = 0.5 * (h[:, :C] - st["onehot"]).pow(2).sum() / st["N"]
        else:
            loss = torch.nn.functional.cross_entropy(h[:, :C], st["y"])
        grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for l in range(1, L + 1):
            W[l].requires_grad_(False)
            b[l].requires_grad_(False)
            st["dW"][l].copy_(grads[2 * l - 2])
            st["db"][l].copy_(grads[2 * l - 1])


def _square_rows(W, l, algorithm):
    """The size of layer l's square weight matrix (GAIT and TP invert it)."""
    rows = W[l].shape[0]
    if rows != W[l].shape[1]:
        raise ValueError("layer %d is not square: %s; %s needs invertible layers above the first"
                         % (l, tuple(W[l].shape), algorithm))
    return rows


@torch.no_grad()
def _target_deltas(st, algorithm):
    """GAIT (delta form) or TP: D_{l-1} W_l = r_l by one LU factorisation of W_l."""
    L, W, a, h, d, D, e, r = st["L"], st["W"], st["a"], st["h"], st["d"], st["D"], st["e"], st["r"]
    gamma, adaptive = st["gamma"], st["adaptive_gamma"]
    mult = 1.0  # scalar (fixed gamma) or (N,1) tensor (adaptive gamma)
    for l in range(L, 1, -1):
        rows = _square_rows(W, l, algorithm)
        s, hs = st["tmp"][l], st["tmp2"][l]
        slope = st["slopes"][l]
        if algorithm == "tp":
            s = D[l]
            new_mult = 1.0
        elif adaptive:
            # gamma_l = gamma_0 sqrt(n_l) / ||t_l - h_l||, ||t_l - h_l|| = ||D_l|| / mult_l
            nrm = torch.linalg.vector_norm(D[l], dim=1, keepdim=True)
            hmt = nrm / mult
            gl = gamma * math.sqrt(D[l].shape[1]) / hmt
            gl = torch.where(nrm > 0, gl, torch.ones_like(gl))  # D_l == 0: nothing to send
            torch.mul(d[l], d[l], out=s).mul_(D[l]).mul_(gl / mult)   # s = g (h - t)
            new_mult = mult / gl
        else:
            k = L - l + 1
            torch.mul(d[l], d[l], out=s).mul_(D[l]).mul_(gamma ** k)   # gamma^(L-l) g D
            new_mult = gamma ** (-k)
        torch.sub(h[l], s, out=hs)                                     # nudged activity
        if algorithm == "tp":
            # r = f^-1(h) - f^-1(h - D) = a - f^-1(h - D), every element
            if slope != 1.0:
                _finv_(hs, slope)
            torch.sub(a[l], hs, out=r[l])
        else:
            r[l].copy_(e[l])
            if slope != 1.0:
                m1, m2 = st["mask"][l], st["mask2"][l]      # mask[l] holds (a_l > 0)
                torch.gt(hs, 0, out=m2)
                torch.ne(m1, m2, out=m2)                    # crossed the kink
                if bool(m2.any()):
                    _finv_(hs, slope)
                    corr = (a[l] - hs).mul_(new_mult)
                    r[l].copy_(torch.where(m2, corr, r[l]))
        torch.linalg.lu_factor(W[l], out=(st["LU"][l], st["piv"][l]))
        if rows == D[l - 1].shape[1]:
            torch.linalg.lu_solve(st["LU"][l], st["piv"][l], r[l], left=False, out=D[l - 1])
        else:
            D[l - 1][:, rows:].zero_()
            D[l - 1][:, :rows] = torch.linalg.lu_solve(st["LU"][l], st["piv"][l], r[l], left=False)
        torch.mul(D[l - 1], d[l - 1], out=e[l - 1])
        mult = new_mult


@torch.no_grad()
def _published_targets(st, algorithm):
    """GAIT or TP as the reference implementation computes them: absolute targets through an
    explicit inverse of each inverted layer, computed anew on every batch.
        g_l = gamma_l d_l^2,  m_l = (1 - g_l) h_l + g_l t_l  (TP: m_l = t_l)
        t_{l-1} = (f^-1(m_l) - b_l) W_l^-1,  mult_{l-1} = mult_l / gamma_l  (TP: 1)
        e_l = mult_l (h_l - t_l) d_l
    t_L = h_L - D_L comes from _top_delta; auxiliary units keep t = h."""
    L, W, b, h, d, e = st["L"], st["W"], st["b"], st["h"], st["d"], st["e"]
    t, m = st["tgt"], st["tmp"]
    gamma, adaptive = st["gamma"], st["adaptive_gamma"]
    torch.sub(h[L], st["D"][L], out=t[L])
    mult = 1.0  # scalar (fixed gamma) or (N,1) tensor (adaptive gamma)
    for l in range(L, 1, -1):
        rows = _square_rows(W, l, algorithm)
        torch.sub(h[l], t[l], out=e[l]).mul_(d[l]).mul_(mult)
        if algorithm == "tp":
            m[l].copy_(t[l])
            new_mult = 1.0
        else:
            if adaptive:
                # gamma_l = gamma_0 sqrt(n_l) / ||t_l - h_l|| per sample
                nrm = torch.linalg.vector_norm(t[l] - h[l], dim=1, keepdim=True)
                gl = gamma * math.sqrt(h[l].shape[1]) / nrm
                gl = torch.where(nrm > 0, gl, torch.ones_like(gl))
            else:
                gl = gamma
            torch.sub(t[l], h[l], out=m[l]).mul_(d[l]).mul_(d[l]).mul_(gl).add_(h[l])
            new_mult = mult / gl
        if st["slopes"][l] != 1.0:
            _finv_(m[l], st["slopes"][l])
        m[l].sub_(b[l])
        torch.linalg.inv(W[l], out=st["Winv"][l])
        if rows == t[l - 1].shape[1]:
            torch.mm(m[l], st["Winv"][l], out=t[l - 1])
        else:
            t[l - 1][:, :rows] = torch.mm(m[l], st["Winv"][l])
            t[l - 1][:, rows:] = h[l - 1][:, rows:]
        mult = new_mult
    torch.sub(h[1], t[1], out=e[1]).mul_(d[1]).mul_(mult)


def compute_updates(st, algorithm):
    """Forward pass + the rule's update (gradient sign, no orthogonality term) into st['dW'],
    st['db'] (1-based lists). Returns (dW, db)."""
    if algorithm not in ALGORITHMS:
        raise ValueError("unknown algorithm %r" % algorithm)
    if algorithm == "bp" and st["bp_impl"] == "autograd":
        _bp_autograd(st)
        return st["dW"], st["db"]
    forward(st)
    _top_delta(st)
    if algorithm in ("bp", "fa"):
        _backprop_deltas(st, algorithm)
    elif st["gait_form"] == "published":
        _published_targets(st, algorithm)
    else:
        _target_deltas(st, algorithm)
    _weight_grads(st)
    return st["dW"], st["db"]


@torch.no_grad()
def add_ortho(st):
    """dW_l += 4 lambda (W W^T - I) W for the inverted layers l = 2..L."""
    lam = st["ortho_lambda"]
    for l in range(2, st["L"] + 1):
        W, G = st["W"][l], st["G"][l]
        torch.mm(W, W.t(), out=G)
        G.diagonal().sub_(1.0)
        st["dW"][l].addmm_(G, W, alpha=4.0 * lam)


@torch.no_grad()
def adam(st):
    st["t"] += 1
    b1, b2 = st["betas"]
    bc1 = 1.0 - b1 ** st["t"]
    bc2s = math.sqrt(1.0 - b2 ** st["t"])
    step_size = st["lr"] / bc1
    for l in range(1, st["L"] + 1):
        for p, g, m, v, den in ((st["W"][l], st["dW"][l], st["mW"][l], st["vW"][l], st["denW"][l]),
                                (st["b"][l], st["db"][l], st["mb"][l], st["vb"][l], st["denb"][l])):
            m.mul_(b1).add_(g, alpha=1.0 - b1)
            v.mul_(b2).addcmul_(g, g, value=1.0 - b2)
            torch.sqrt(v, out=den).div_(bc2s).add_(st["eps"])
            p.addcdiv_(m, den, value=-step_size)


def step(st, algorithm, ortho=True):
    """One full training step; returns (dW, db) as applied (including the ortho term)."""
    compute_updates(st, algorithm)
    if ortho:
        add_ortho(st)
    adam(st)
    return st["dW"], st["db"]


# ----------------------------------------------------------------------------- CLI
def blas_info():
    cfg = torch.__config__.show()
    line = next((ln.strip() for ln in cfg.splitlines() if "BLAS" in ln), "")
    parts = [p.strip().split(": ")[-1] for p in line.split(",") if "BLAS" in p or "LAPACK" in p]
    loaded = []
    try:
        with open("/proc/self/maps") as f:
            for ln in f:
                p = ln.split()[-1]
                if any(k in os.path.basename(p) for k in ("blas", "lapack", "mkl")) and p not in loaded:
                    loaded.append(p)
    except OSError:
        pass
    return line, parts, loaded


def set_blas_threads(n, loaded):
    got = None
    for p in loaded:
        if "openblas" in os.path.basename(p):
            try:
                lib = ctypes.CDLL(p)
                lib.openblas_set_num_threads(int(n))
                got = lib.openblas_get_num_threads()
            except (OSError, AttributeError):
                pass
    return got


def time_fn(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts), min(ts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--algorithms", default="bp,gait,tp,fa")
    ap.add_argument("--dtype", default="float64,float32")
    ap.add_argument("--ortho", default="on,off")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--width", type=int, default=784)
    ap.add_argument("--hidden-layers", type=int, default=4)
    ap.add_argument("--batch", type=int, default=60)
    ap.add_argument("--gamma", type=float, default=1e-3)
    ap.add_argument("--gait-form", default="lu-delta",
                    help="comma list of %s: how GAIT and TP invert a layer (module docstring; "
                         "default %%(default)s)" % ", ".join(GAIT_FORMS))
    ap.add_argument("--bp-impl", choices=("hand", "autograd"), default=BP_IMPL,
                    help="bp with hand-written matmuls or torch autograd (default %(default)s)")
    ap.add_argument("--gemm", action="store_true",
                    help="also time N x n @ n x n and n x n @ n x n GEMMs (GFLOP/s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    line, parts, _ = blas_info()
    torch.mm(torch.ones(8, 8), torch.ones(8, 8))  # make sure the BLAS is loaded
    _, _, loaded = blas_info()
    ob = set_blas_threads(args.threads, loaded)
    blas = ", ".join(parts) + (" ; loaded: " + ", ".join(os.path.basename(p) for p in loaded) if loaded else "")
    print("torch %s, threads %d (openblas threads %s, OMP_WAIT_POLICY=%s)"
          % (torch.__version__, torch.get_num_threads(), ob, os.environ.get("OMP_WAIT_POLICY")))
    print("BLAS in torch.__config__.show(): %s" % (", ".join(parts) or line))
    print("BLAS libraries loaded: %s" % (", ".join(loaded) or "?"))

    algos = [a for a in args.algorithms.split(",") if a]
    dtypes = [s for s in args.dtype.split(",") if s]
    orthos = [s for s in args.ortho.split(",") if s]
    forms = [s for s in args.gait_form.split(",") if s]
    bad = [f for f in forms if f not in GAIT_FORMS]
    if bad or not forms:
        ap.error("--gait-form %r: expected a comma list of %s" % (args.gait_form, ", ".join(GAIT_FORMS)))
    results = []
    n, N = args.width, args.batch
    if args.gemm:
        for dn in dtypes:
            dt = getattr(torch, dn)
            for shape in ((N, n, n), (n, n, n)):
                A = torch.rand(shape[0], shape[1], dtype=dt)
                Bm = torch.rand(shape[1], shape[2], dtype=dt)
                C = torch.empty(shape[0], shape[2], dtype=dt)
                med, mn = time_fn(lambda: torch.mm(A, Bm, out=C), max(args.repeats, 20), args.warmup)
                gf = 2.0 * shape[0] * shape[1] * shape[2] / (med * 1e-3) / 1e9
                gfmax = 2.0 * shape[0] * shape[1] * shape[2] / (mn * 1e-3) / 1e9
                print("GEMM %-5s %4dx%d @ %dx%d: median %.3f ms (%.1f GFLOP/s), min %.3f ms (%.1f GFLOP/s)"
                      % (dn, shape[0], shape[1], shape[1], shape[2], med, gf, mn, gfmax))
                results.append(dict(algorithm="gemm", shape="%dx%d@%dx%d" % (shape[0], shape[1], shape[1], shape[2]),
                                    dtype=dn, ortho=None, median_ms=med, min_ms=mn, gflops=gf,
                                    threads=args.threads, torch_version=torch.__version__, blas=blas))
    print("%-6s %-9s %-8s %-5s %12s %10s" % ("algo", "form", "dtype", "ortho", "median ms", "min ms"))
    for dn in dtypes:
        dt = getattr(torch, dn)
        for algo in algos:
            # BP and FA invert nothing: one form only, recorded as None.
            for form in (forms if algo in ("gait", "tp") else [None]):
                for o in orthos:
                    st = make_state(width=n, hidden_layers=args.hidden_layers, batch=N, dtype=dt,
                                    seed=args.seed, gamma=args.gamma, bp_impl=args.bp_impl,
                                    gait_form=form or "lu-delta")
                    on = o == "on"
                    med, mn = time_fn(lambda: step(st, algo, on), args.repeats, args.warmup)
                    ok = all(bool(torch.isfinite(st["W"][l]).all()) for l in range(1, st["L"] + 1))
                    print("%-6s %-9s %-8s %-5s %12.3f %10.3f%s" % (algo, form or "-", dn, o, med, mn,
                                                                  "" if ok else "  NON-FINITE W"))
                    sys.stdout.flush()
                    results.append(dict(algorithm=algo, gait_form=form, dtype=dn, ortho=o,
                                        median_ms=med, min_ms=mn, threads=args.threads,
                                        torch_version=torch.__version__, blas=blas,
                                        bp_impl=args.bp_impl if algo == "bp" else None,
                                        width=n, hidden_layers=args.hidden_layers, batch=N))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
        print("wrote %s" % args.json)


if __name__ == "__main__":
    main()
