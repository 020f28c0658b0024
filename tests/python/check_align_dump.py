#!/usr/bin/python3
"""Independent check of a `gaitsim align CONFIG --dump FILE.h5` dump.

Recomputes in float64 from the dumped x, y, W, b:
  * BP: the exact gradient of the batch-mean loss by torch autograd -> compared to dW_bp/db_bp
    (and to dW/db when algorithm == bp);
  * GAIT: the delta form (gait-prop.md "Numerics", written here independently of the
    simulator and of bench/torch_peer.py) at every depth; additionally the published
    explicit-target form when L <= 3 (cosine > 0.9999; deeper nets lose it to cancellation);
  * TP: explicit targets t_{l-1} = (f^-1(t_l) - b_l) W_l^-1;
  * FA: only the top layer (identical to BP's) can be checked without the feedback matrices.
Relative errors are Frobenius norms ||file - ref|| / ||ref||.
Exit 0 when all checks pass, 1 otherwise (or when the file is malformed).

usage: check_align_dump.py FILE.h5 [--tol 1e-6] [--cos-tol 1e-4] [--quiet]
Run with /usr/bin/python3 (needs numpy, h5py, torch).
"""
import argparse
import sys

import h5py
import numpy as np


class Malformed(Exception):
    pass


def _attr(obj, name, default=None, required=False):
    if name in obj.attrs:
        v = obj.attrs[name]
        if isinstance(v, bytes):
            v = v.decode()
        if isinstance(v, np.ndarray) and v.shape == ():
            v = v[()]
        if isinstance(v, np.ndarray) and v.size == 1:
            v = v.reshape(-1)[0]
        if isinstance(v, bytes):
            v = v.decode()
        return v
    if required:
        raise Malformed("missing attribute %r on %s" % (name, obj.name))
    return default


def _bool(v):
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "on")
    return bool(v)


def load(path):
    f = h5py.File(path, "r")
    d = {}
    d["algorithm"] = str(_attr(f, "algorithm", required=True))
    d["gamma"] = float(_attr(f, "gamma", required=True))
    d["adaptive"] = _bool(_attr(f, "adaptive_gamma", 0))
    d["loss"] = str(_attr(f, "loss", "mse"))
    d["classes"] = int(_attr(f, "classes", 10))
    if d["algorithm"] not in ("bp", "gait", "tp", "fa"):
        raise Malformed("unknown algorithm %r" % d["algorithm"])
    if d["loss"] not in ("mse", "cross_entropy"):
        raise Malformed("unknown loss %r" % d["loss"])
    for k in ("x", "y", "layers"):
        if k not in f:
            raise Malformed("missing /%s" % k)
    d["x"] = np.asarray(f["x"][()], dtype=np.float64)
    d["y"] = np.asarray(f["y"][()]).astype(np.int64).reshape(-1)
    if d["x"].ndim != 2 or d["y"].shape[0] != d["x"].shape[0]:
        raise Malformed("/x must be N x n0 and /y of length N: got %s, %s" % (d["x"].shape, d["y"].shape))
    names = sorted(f["layers"].keys(), key=lambda s: int(s))
    L = len(names)
    if names != [str(i) for i in range(1, L + 1)] or L == 0:
        raise Malformed("/layers must hold groups 1..L, found %s" % names)
    layers = []
    width_prev = d["x"].shape[1]
    for l in range(1, L + 1):
        g = f["layers"][str(l)]
        lay = {}
        for k in ("W", "b", "dW", "db", "dW_bp", "db_bp"):
            if k not in g:
                raise Malformed("missing /layers/%d/%s" % (l, k))
            lay[k] = np.asarray(g[k][()], dtype=np.float64)
        act = str(_attr(g, "activation", required=True))
        if act not in ("leaky_relu", "linear"):
            raise Malformed("layer %d: unknown activation %r" % (l, act))
        lay["slope"] = 1.0 if act == "linear" else float(_attr(g, "slope", required=True))
        lay["activation"] = act
        W = lay["W"]
        if W.ndim != 2 or W.shape[0] > width_prev:
            raise Malformed("layer %d: W %s reads more rows than layer %d has (%d)"
                            % (l, W.shape, l - 1, width_prev))
        n = W.shape[1]
        lay["b"] = lay["b"].reshape(-1)
        lay["db"] = lay["db"].reshape(-1)
        lay["db_bp"] = lay["db_bp"].reshape(-1)
        for k in ("dW", "dW_bp"):
            if lay[k].shape != W.shape:
                raise Malformed("layer %d: %s has shape %s, W %s" % (l, k, lay[k].shape, W.shape))
        for k in ("b", "db", "db_bp"):
            if lay[k].shape != (n,):
                raise Malformed("layer %d: %s has shape %s, expected (%d,)" % (l, k, lay[k].shape, n))
        layers.append(lay)
        width_prev = n
    if d["classes"] > layers[-1]["W"].shape[1]:
        raise Malformed("classes = %d > output width %d" % (d["classes"], layers[-1]["W"].shape[1]))
    if d["y"].min() < 0 or d["y"].max() >= d["classes"]:
        raise Malformed("labels outside [0, classes)")
    d["layers"] = layers
    f.close()
    return d


# ------------------------------------------------------------------ elementwise maps
def f_act(a, slope):
    return a if slope == 1.0 else np.where(a > 0, a, slope * a)


def f_inv(h, slope):
    return h if slope == 1.0 else np.where(h > 0, h, h / slope)


def f_der(a, slope):
    return np.ones_like(a) if slope == 1.0 else np.where(a > 0, 1.0, slope)


def forward_np(d):
    h = [d["x"]]
    a = [None]
    for lay in d["layers"]:
        W = lay["W"]
        a.append(h[-1][:, :W.shape[0]] @ W + lay["b"])
        h.append(f_act(a[-1], lay["slope"]))
    return a, h


def onehot(d):
    N, C = d["y"].shape[0], d["classes"]
    t = np.zeros((N, C))
    t[np.arange(N), d["y"]] = 1.0
    return t


def dl_dh(d, hL):
    """Per-sample gradient of the loss wrt the class units."""
    C = d["classes"]
    z = hL[:, :C]
    if d["loss"] == "mse":
        return z - onehot(d)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    return p - onehot(d)


def solve_right(W, R):
    """X with X W = R (W square): W^T X^T = R^T."""
    return np.linalg.solve(W.T, R.T).T


def weight_updates(h, e, d):
    N = h[0].shape[0]
    out = []
    for l, lay in enumerate(d["layers"], start=1):
        rows = lay["W"].shape[0]
        out.append((h[l - 1][:, :rows].T @ e[l] / N, e[l].sum(axis=0) / N))
    return out


# ------------------------------------------------------------------ references
def bp_autograd(d):
    import torch
    x = torch.tensor(d["x"], dtype=torch.float64)
    params = []
    h = x
    for lay in d["layers"]:
        W = torch.tensor(lay["W"], dtype=torch.float64, requires_grad=True)
        b = torch.tensor(lay["b"], dtype=torch.float64, requires_grad=True)
        params += [W, b]
        a = h[:, :W.shape[0]] @ W + b
        h = a if lay["slope"] == 1.0 else torch.nn.functional.leaky_relu(a, lay["slope"])
    C = d["classes"]
    y = torch.tensor(d["y"])
    if d["loss"] == "mse":
        oh = torch.nn.functional.one_hot(y, C).to(torch.float64)
        loss = 0.5 * ((h[:, :C] - oh) ** 2).sum(dim=1).mean()
    else:
        loss = torch.nn.functional.cross_entropy(h[:, :C], y)
    grads = torch.autograd.grad(loss, params)
    return [(grads[2 * i].numpy(), grads[2 * i + 1].numpy()) for i in range(len(d["layers"]))]


def _top_target(d, hL):
    t = hL.copy()
    C = d["classes"]
    t[:, :C] = hL[:, :C] - dl_dh(d, hL)
    return t


def _require_square(d, algo):
    for l, lay in enumerate(d["layers"], start=1):
        if l >= 2 and lay["W"].shape[0] != lay["W"].shape[1]:
            raise Malformed("%s needs square (invertible) layers above the first; layer %d W is %s"
                            % (algo, l, lay["W"].shape))


def gait_published(d, a, h):
    """Explicit targets, t_{l-1} = (f^-1(m_l) - b_l) W_l^-1, mult_{l-1} = mult_l / gamma_l."""
    _require_square(d, "gait")
    L = len(d["layers"])
    N = h[0].shape[0]
    t = [None] * (L + 1)
    mult = [None] * (L + 1)
    t[L] = _top_target(d, h[L])
    mult[L] = np.ones((N, 1))
    for l in range(L, 1, -1):
        lay = d["layers"][l - 1]
        dl = f_der(a[l], lay["slope"])
        if d["adaptive"]:
            nrm = np.linalg.norm(t[l] - h[l], axis=1, keepdims=True)
            with np.errstate(divide="ignore"):
                gam = np.where(nrm > 0, d["gamma"] * np.sqrt(h[l].shape[1]) / nrm, 1.0)
        else:
            gam = np.full((N, 1), d["gamma"])
        g = gam * dl ** 2
        m = (1.0 - g) * h[l] + g * t[l]
        rows = lay["W"].shape[0]
        t[l - 1] = h[l - 1].copy()
        t[l - 1][:, :rows] = solve_right(lay["W"], f_inv(m, lay["slope"]) - lay["b"])
        mult[l - 1] = mult[l] / gam
    e = [None] + [mult[l] * (h[l] - t[l]) * f_der(a[l], d["layers"][l - 1]["slope"]) for l in range(1, L + 1)]
    return weight_updates(h, e, d)


def gait_delta(d, a, h):
    """Delta form: D_l = mult_l (h_l - t_l); D_{l-1} W_l = r_l, r_l = e_l where h_l and the
    nudged h_l - s_l lie on the same side of 0, else mult_{l-1} (f^-1(h_l) - f^-1(h_l - s_l))."""
    _require_square(d, "gait")
    L = len(d["layers"])
    N = h[0].shape[0]
    D = [None] * (L + 1)
    e = [None] * (L + 1)
    D[L] = np.zeros_like(h[L])
    D[L][:, :d["classes"]] = dl_dh(d, h[L])
    mult = np.ones((N, 1))
    for l in range(L, 1, -1):
        lay = d["layers"][l - 1]
        slope = lay["slope"]
        dl = f_der(a[l], slope)
        e[l] = D[l] * dl
        if d["adaptive"]:
            nrm = np.linalg.norm(D[l], axis=1, keepdims=True) / mult
            with np.errstate(divide="ignore"):
                gam = np.where(nrm > 0, d["gamma"] * np.sqrt(h[l].shape[1]) / nrm, 1.0)
        else:
            gam = np.full((N, 1), d["gamma"])
        s = gam * dl ** 2 * D[l] / mult          # = g_l (h_l - t_l)
        new_mult = mult / gam
        nudged = h[l] - s
        cross = (h[l] > 0) != (nudged > 0) if slope != 1.0 else np.zeros(h[l].shape, bool)
        r = np.where(cross, (f_inv(h[l], slope) - f_inv(nudged, slope)) * new_mult, e[l])
        rows = lay["W"].shape[0]
        D[l - 1] = np.zeros_like(h[l - 1])
        D[l - 1][:, :rows] = solve_right(lay["W"], r)
        mult = new_mult
    e[1] = D[1] * f_der(a[1], d["layers"][0]["slope"])
    e[L] = D[L] * f_der(a[L], d["layers"][L - 1]["slope"])
    return weight_updates(h, e, d)


def tp_published(d, a, h):
    _require_square(d, "tp")
    L = len(d["layers"])
    t = [None] * (L + 1)
    t[L] = _top_target(d, h[L])
    for l in range(L, 1, -1):
        lay = d["layers"][l - 1]
        rows = lay["W"].shape[0]
        t[l - 1] = h[l - 1].copy()
        t[l - 1][:, :rows] = solve_right(lay["W"], f_inv(t[l], lay["slope"]) - lay["b"])
    e = [None] + [(h[l] - t[l]) * f_der(a[l], d["layers"][l - 1]["slope"]) for l in range(1, L + 1)]
    return weight_updates(h, e, d)


# ------------------------------------------------------------------ comparison
def relerr(x, ref):
    n = np.linalg.norm(ref)
    diff = np.linalg.norm(x - ref)
    if n == 0:
        return 0.0 if diff == 0 else np.inf
    return diff / n


def cosine(x, y):
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    if nx == 0 or ny == 0:
        return 1.0 if nx == ny else 0.0
    return float(np.sum(x * y) / (nx * ny))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check a gaitsim align dump against an independent recomputation.")
    ap.add_argument("file")
    ap.add_argument("--tol", type=float, default=1e-6, help="max relative Frobenius error (default 1e-6)")
    ap.add_argument("--cos-tol", type=float, default=1e-4,
                    help="published-form GAIT check (L <= 3): require cosine > 1 - cos_tol (default 1e-4)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    say = (lambda *a: None) if args.quiet else print

    try:
        d = load(args.file)
    except (Malformed, OSError, KeyError, ValueError) as ex:
        print("FAIL: %s: malformed dump: %s" % (args.file, ex))
        return 1
    L = len(d["layers"])
    algo = d["algorithm"]
    widths = [d["x"].shape[1]] + [lay["W"].shape[1] for lay in d["layers"]]
    say("%s: algorithm=%s loss=%s gamma=%g adaptive=%s classes=%d N=%d widths=%s"
        % (args.file, algo, d["loss"], d["gamma"], d["adaptive"], d["classes"], d["x"].shape[0], widths))
    failures = []

    def check_rel(what, l, got, ref):
        ew, eb = relerr(got[0], ref[0]), relerr(got[1], ref[1])
        ok = ew < args.tol and eb < args.tol and np.all(np.isfinite(got[0])) and np.all(np.isfinite(got[1]))
        say("  %-26s layer %d: rel err dW %.3e  db %.3e  %s" % (what, l, ew, eb, "ok" if ok else "FAIL"))
        if not ok:
            failures.append("%s layer %d: rel err dW %.3e db %.3e (tol %g)" % (what, l, ew, eb, args.tol))

    try:
        a, h = forward_np(d)
        bp = bp_autograd(d)
        file_bp = [(lay["dW_bp"], lay["db_bp"]) for lay in d["layers"]]
        file_rule = [(lay["dW"], lay["db"]) for lay in d["layers"]]

        for l in range(1, L + 1):
            check_rel("dW_bp vs autograd", l, file_bp[l - 1], bp[l - 1])

        if algo == "bp":
            for l in range(1, L + 1):
                check_rel("dW(bp) vs autograd", l, file_rule[l - 1], bp[l - 1])
        elif algo == "fa":
            check_rel("dW(fa) top vs autograd", L, file_rule[L - 1], bp[L - 1])
        elif algo == "tp":
            ref = tp_published(d, a, h)
            for l in range(1, L + 1):
                check_rel("dW(tp) vs explicit targets", l, file_rule[l - 1], ref[l - 1])
        elif algo == "gait":
            ref = gait_delta(d, a, h)
            for l in range(1, L + 1):
                check_rel("dW(gait) vs delta form", l, file_rule[l - 1], ref[l - 1])
            pub = gait_published(d, a, h)
            for l in range(1, L + 1):
                c = cosine(file_rule[l - 1][0], pub[l - 1][0])
                cb = cosine(file_rule[l - 1][1], pub[l - 1][1])
                enforce = L <= 3
                ok = (c > 1 - args.cos_tol and cb > 1 - args.cos_tol) if enforce else True
                say("  %-26s layer %d: cosine dW %.8f  db %.8f  %s"
                    % ("dW(gait) vs published", l, c, cb,
                       ("ok" if ok else "FAIL") if enforce else "(info only: L > 3)"))
                if not ok:
                    failures.append("gait vs published form layer %d: cosine dW %.8f db %.8f" % (l, c, cb))
        for l in range(1, L + 1):
            c = cosine(file_rule[l - 1][0], bp[l - 1][0])
            say("  %-26s layer %d: cosine %.8f  angle %.4f deg  (info)"
                % ("dW(%s) vs BP" % algo, l, c, np.degrees(np.arccos(np.clip(c, -1, 1)))))
    except Malformed as ex:
        print("FAIL: %s: %s" % (args.file, ex))
        return 1
    except np.linalg.LinAlgError as ex:
        print("FAIL: %s: singular layer matrix: %s" % (args.file, ex))
        return 1

    if failures:
        print("FAIL: %s: %d check(s) failed:" % (args.file, len(failures)))
        for m in failures:
            print("  - " + m)
        return 1
    print("PASS: %s (%s, L=%d, tol %g)" % (args.file, algo, L, args.tol))
    return 0


if __name__ == "__main__":
    sys.exit(main())
