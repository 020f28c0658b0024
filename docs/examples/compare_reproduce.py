#!/usr/bin/env python3
"""Reproduces the table of `gaitsim compare RESPONSES RECORDINGS --out T.csv` from the two files
alone, with h5py, numpy and scipy (no gaitsim code), following docs/comparisons.md step by step:
stimulus matching, NaN and zero-variance neurons, RSA, linear and debiased CKA, cross-validated
ridge, and the noise ceilings with their seeded split halves.

    python3 compare_reproduce.py responses.h5 recordings.h5 [--layer NAME|all] [--seed 0]
        [--folds 10] [--inner-folds 5] [--splits 10] [--rsa-rank spearman|kendall]

For recordings files (/responses, /stimulus_id), not model-vs-model comparisons; the stimuli
in common are used (gaitsim asks for --allow-partial when some are missing).

Prints the table as CSV (layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper) with
every digit (repr), so that it can be compared with T.h5.
"""
import argparse
import itertools
import math
import sys

import h5py
import numpy as np
import scipy.stats

U64 = (1 << 64) - 1


class MT19937_64:
    """std::mt19937_64 (the C++ standard's 64-bit Mersenne Twister), seeded like
    std::mt19937_64(seed): gaitsim draws every permutation from it."""

    def __init__(self, seed):
        self.mt = [seed & U64]
        for i in range(1, 312):
            prev = self.mt[-1]
            self.mt.append((6364136223846793005 * (prev ^ (prev >> 62)) + i) & U64)
        self.index = 312

    def __call__(self):
        if self.index >= 312:
            for i in range(312):
                x = (self.mt[i] & 0xFFFFFFFF80000000) | (self.mt[(i + 1) % 312] & 0x7FFFFFFF)
                y = x >> 1
                if x & 1:
                    y ^= 0xB5026F5AA96619E9
                self.mt[i] = self.mt[(i + 156) % 312] ^ y
            self.index = 0
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & U64


def shuffled(n, rng):
    """0..n-1 permuted: for i = n-1 down to 1, swap p[i] with p[rng() % (i + 1)]."""
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng() % (i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def fold_assignment(n, folds, seed):
    """Fold of each item: item order[i] goes to fold i % folds."""
    order = shuffled(n, MT19937_64(seed))
    fold = np.empty(n, dtype=int)
    for i, item in enumerate(order):
        fold[item] = i % folds
    return fold


def split_halves(R, splits, seed):
    """Split s: a permutation drawn from mt19937_64(seed * 7919 + s); its first R // 2
    repetitions are half A, the rest half B."""
    out = []
    for s in range(splits):
        p = shuffled(R, MT19937_64((seed * 7919 + s) & U64))
        out.append((p[: R // 2], p[R // 2:]))
    return out


# ---- metrics ---------------------------------------------------------------------------------

def correlation_rdm(X):
    Z = X - X.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(Z, axis=1)
    constant = ~(norms > 0)
    Z[~constant] /= norms[~constant, None]
    rdm = 1.0 - Z @ Z.T
    rdm[constant, :] = np.nan
    rdm[:, constant] = np.nan
    np.fill_diagonal(rdm, 0.0)
    return np.clip(rdm, 0.0, 2.0)


def rsa(X, Y, rank):
    i, j = np.triu_indices(X.shape[0], 1)
    a, b = correlation_rdm(X)[i, j], correlation_rdm(Y)[i, j]
    ok = np.isfinite(a) & np.isfinite(b)
    if rank == "spearman":
        return scipy.stats.spearmanr(a[ok], b[ok])[0]
    return kendall_tau_a(a[ok], b[ok])


def kendall_tau_a(a, b):
    """(concordant - discordant) / (n (n - 1) / 2); ties count as neither. O(n^2) memory-light."""
    n, s = len(a), 0
    for k in range(n - 1):
        s += np.sum(np.sign(a[k + 1:] - a[k]) * np.sign(b[k + 1:] - b[k]))
    return s / (n * (n - 1) / 2)


def centred(X):
    return X - X.mean(axis=0)


def linear_cka(X, Y):
    Xc, Yc = centred(X), centred(Y)
    return np.linalg.norm(Yc.T @ Xc) ** 2 / (np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc))


def hsic_unbiased(X, Y):
    """Song et al. (2012), eq. 5, on K = Xc Xc^T, L = Yc Yc^T with zeroed diagonals."""
    n = X.shape[0]
    K, L = centred(X) @ centred(X).T, centred(Y) @ centred(Y).T
    np.fill_diagonal(K, 0.0)
    np.fill_diagonal(L, 0.0)
    return (np.trace(K @ L) + K.sum() * L.sum() / ((n - 1) * (n - 2))
            - 2.0 / (n - 2) * K.sum(axis=0) @ L.sum(axis=0)) / (n * (n - 3))


def linear_cka_debiased(X, Y):
    return hsic_unbiased(X, Y) / math.sqrt(hsic_unbiased(X, X) * hsic_unbiased(Y, Y))


def pearson(a, b):
    a, b = a - a.mean(), b - b.mean()
    saa, sbb = a @ a, b @ b
    if not (saa > 0 and sbb > 0):
        return math.nan
    return min(1.0, max(-1.0, a @ b / math.sqrt(saa * sbb)))


def ridge_fit_predict(Xtr, Ytr, Xev, alphas):
    """Standardise with the training set (ddof = 1; sd <= 1e-12 counts as 1), centre Y, and
    predict Xev for every alpha: beta = (Xs^T Xs + alpha I)^-1 Xs^T Yc, plus the training mean."""
    mean = Xtr.mean(axis=0)
    sd = np.sqrt(((Xtr - mean) ** 2).sum(axis=0) / max(1, Xtr.shape[0] - 1))
    sd[~(sd > 1e-12)] = 1.0
    Xs, Xe = (Xtr - mean) / sd, (Xev - mean) / sd
    ymean = Ytr.mean(axis=0)
    Yc = Ytr - ymean
    out = []
    for a in alphas:
        if Xs.shape[1] <= Xs.shape[0]:
            beta = np.linalg.solve(Xs.T @ Xs + a * np.eye(Xs.shape[1]), Xs.T @ Yc)
        else:
            beta = Xs.T @ np.linalg.solve(Xs @ Xs.T + a * np.eye(Xs.shape[0]), Yc)
        out.append(Xe @ beta + ymean)
    return out


def ridge(X, Y, folds, inner_folds, seed):
    """Per neuron: held-out predictions over `folds` outer folds, alpha chosen per neuron and
    fold by the summed squared error of an inner CV; r = Pearson over all stimuli."""
    alphas = [10.0 ** (-2.0 + 9.0 * i / 9.0) for i in range(10)]
    n, m = Y.shape
    outer = fold_assignment(n, folds, seed)
    pred = np.zeros((n, m))
    for k in range(folds):
        train, test = np.flatnonzero(outer != k), np.flatnonzero(outer == k)
        inner = fold_assignment(len(train), inner_folds, (seed + 1000003 * (k + 1)) & U64)
        sse = np.zeros((len(alphas), m))
        for j in range(inner_folds):
            itr, iev = train[inner != j], train[inner == j]
            for a, p in enumerate(ridge_fit_predict(X[itr], Y[itr], X[iev], alphas)):
                sse[a] += ((p - Y[iev]) ** 2).sum(axis=0)
        best = sse.argmin(axis=0)  # the first alpha of least error
        preds = ridge_fit_predict(X[train], Y[train], X[test], alphas)
        for c in range(m):
            pred[test, c] = preds[best[c]][:, c]
    r = np.array([pearson(pred[:, c], Y[:, c]) for c in range(m)])
    return np.median(r[np.isfinite(r)]), r


# ---- noise ceilings --------------------------------------------------------------------------

def reliability_of_mean(r, a, b, R, p=1.0):
    """Solve r^2 = 1 / ((1 + q a^-p)(1 + q b^-p)) for q; the mean of R: 1 / (1 + q R^-p)."""
    if math.isnan(r):
        return math.nan
    if r <= 0:
        return 0.0
    if r >= 1:
        return 1.0
    A, B, c = a ** -p, b ** -p, 1.0 - 1.0 / (r * r)
    q = (-(A + B) + math.sqrt((A + B) ** 2 - 4.0 * A * B * c)) / (2.0 * A * B)
    return 1.0 / (1.0 + q * R ** -p)


def half_means(reps, splits, seed):
    """(A, B, |A|, |B|) per split; NaN in a half mean filled from the mean of all."""
    full = np.nanmean(reps, axis=2)
    for a, b in split_halves(reps.shape[2], splits, seed):
        A, B = np.nanmean(reps[:, :, a], axis=2), np.nanmean(reps[:, :, b], axis=2)
        A[np.isnan(A)] = full[np.isnan(A)]
        B[np.isnan(B)] = full[np.isnan(B)]
        yield A, B, len(a), len(b)


def rsa_ceiling(reps, rank, splits, seed):
    R = reps.shape[2]
    r = np.mean([rsa(A, B, rank) for A, B, _, _ in half_means(reps, splits, seed)])
    lower = math.sqrt(reliability_of_mean(r, R // 2, R - R // 2, R, 1.0))
    upper = math.sqrt(reliability_of_mean(r, R // 2, R - R // 2, R, 2.0))
    return upper, lower, upper


def row_noise_variance(reps):
    """t_i: per stimulus, the sample variance over repetitions (ddof 1, NaN skipped) summed over
    neurons; t2_i: the unbiased estimate of t_i^2 for Gaussian noise, t_i^2 - sum_j 2 v^2 / (k+1)."""
    k = np.sum(~np.isnan(reps), axis=2).astype(float)
    s1 = np.nansum(reps, axis=2)
    s2 = np.nansum(reps * reps, axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(k >= 2, np.maximum(0.0, (s2 - s1 * s1 / k) / (k - 1)), 0.0)
        sq = np.where(k >= 2, 2.0 * v * v / (k + 1), 0.0)
    t = v.sum(axis=1)
    return t, t * t - sq.sum(axis=1)


def cka_ceiling(reps, splits, seed):
    R = reps.shape[2]
    full = np.nanmean(reps, axis=2)
    Yc = centred(full)
    n = full.shape[0]
    t, t2 = row_noise_variance(reps)
    S1, S2 = t @ (Yc ** 2).sum(axis=1), t2.sum()
    S3 = t.sum() ** 2 - t @ t + S2
    tKS = S1 - (1 - 2 / n) * S2 / R - S3 / (R * n * n)
    trace_DHDH = (1 - 2 / n) * S2 + S3 / (n * n)
    P = 0.0
    for A, B, na, nb in half_means(reps, splits, seed):
        P += (np.linalg.norm(centred(A).T @ centred(B)) ** 2 - (1 / na + 1 / nb) * tKS
              - trace_DHDH / (na * nb))
    P /= splits
    KY = np.linalg.norm(Yc.T @ Yc)
    if not (P > 0 and KY > 0):
        return 0.0
    return min(1.0, max(0.0, (P + tKS / R) / (math.sqrt(P) * KY)))


def cka_debiased_ceiling(reps, splits, seed):
    h = np.mean([hsic_unbiased(A, B) for A, B, _, _ in half_means(reps, splits, seed)])
    full = np.nanmean(reps, axis=2)
    hyy = hsic_unbiased(full, full)
    return min(1.0, math.sqrt(h / hyy)) if h > 0 and hyy > 0 else 0.0


def ridge_ceiling(reps, splits, seed):
    R, m = reps.shape[2], reps.shape[1]
    r = np.zeros(m)
    for a, b in split_halves(R, splits, seed):
        A, B = np.nanmean(reps[:, :, a], axis=2), np.nanmean(reps[:, :, b], axis=2)
        for j in range(m):
            ok = np.isfinite(A[:, j]) & np.isfinite(B[:, j])
            r[j] += pearson(A[ok, j], B[ok, j]) if ok.sum() >= 2 else math.nan
    rel = np.array([reliability_of_mean(x / splits, R // 2, R - R // 2, R) for x in r])
    ceil = np.sqrt(np.maximum(rel[np.isfinite(rel)], 0.0))
    return float(np.median(ceil)) if len(ceil) else math.nan


# ---- the comparison --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("responses")
    ap.add_argument("recordings")
    ap.add_argument("--layer", default="all")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--inner-folds", type=int, default=5)
    ap.add_argument("--splits", type=int, default=10)
    ap.add_argument("--rsa-rank", default="spearman", choices=["spearman", "kendall"])
    o = ap.parse_args()

    with h5py.File(o.responses, "r") as model, h5py.File(o.recordings, "r") as rec:
        # Stimuli matched by id, in the order of the recordings.
        where = {int(s): i for i, s in enumerate(model["stimulus_id"][()])}
        rec_ids = rec["stimulus_id"][()]
        pairs = [(where[int(s)], i) for i, s in enumerate(rec_ids) if int(s) in where]
        model_rows = np.array([p[0] for p in pairs])
        rec_rows = np.array([p[1] for p in pairs])
        reps = rec["responses"][()].astype(np.float64)
        if reps.ndim == 2:
            reps = reps[:, :, None]
        reps = reps[rec_rows]
        # Neurons kept: finite mean for every stimulus and non-zero variance.
        mean = np.nanmean(reps, axis=2)
        keep = [j for j in range(mean.shape[1])
                if np.all(np.isfinite(mean[:, j])) and np.sum((mean[:, j] - mean[:, j].mean()) ** 2) > 0]
        reps, mean = reps[:, keep, :], mean[:, keep]
        names = [n.decode() if isinstance(n, bytes) else n for n in model.attrs["layer_names"]]
        layers = names if o.layer == "all" else [o.layer]
        X_of = {n: model[f"layers/{n}/rates"][()].astype(np.float64)[model_rows] for n in layers}

    R = reps.shape[2]
    ceilings = {}
    if R >= 2:
        ceilings["rsa"] = rsa_ceiling(reps, o.rsa_rank, o.splits, o.seed)
        ceilings["cka"] = (cka_ceiling(reps, o.splits, o.seed), math.nan, math.nan)
        ceilings["cka_debiased"] = (cka_debiased_ceiling(reps, o.splits, o.seed), math.nan, math.nan)
        ceilings["ridge"] = (ridge_ceiling(reps, o.splits, o.seed), math.nan, math.nan)
    rsa_name = "rsa_spearman" if o.rsa_rank == "spearman" else "rsa_kendall_tau_a"
    print("layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper")
    for name in layers:
        X = X_of[name]
        for metric, key, score in [
                (rsa_name, "rsa", rsa(X, mean, o.rsa_rank)),
                ("cka", "cka", linear_cka(X, mean)),
                ("cka_debiased", "cka_debiased", linear_cka_debiased(X, mean)),
                ("ridge", "ridge", ridge(X, mean, o.folds, o.inner_folds, o.seed)[0])]:
            c, lo, hi = ceilings.get(key, (math.nan, math.nan, math.nan))
            norm = score / c if c > 0 else math.nan
            print(",".join([name, metric] + [repr(float(v)) for v in (score, c, norm, lo, hi)]))


if __name__ == "__main__":
    sys.exit(main())
