#!/usr/bin/python3
"""Compare two HDF5 files (run files, record/settle outputs) dataset by dataset, bitwise.

Usage: scripts/compare_run_files.py A.h5 B.h5 [--ignore NAME ...]

Every group, dataset and attribute of either file must exist in the other with the same
dtype, shape and bytes (NaN equals NaN at the same place only when the bits agree, since the
raw bytes are compared). Attributes or datasets named by --ignore (the last path component,
e.g. written_unix_time or epoch_seconds) are left out: they hold wall-clock values. Exit 0 when
equal, 1 with one line per difference otherwise, 2 on bad usage. Needs python3-h5py.
"""
import argparse
import sys

import h5py
import numpy as np

# Values of the clock, not of the computation.
WALL_CLOCK = ("written_unix_time", "epoch_seconds")


def as_bytes(value):
    """The raw bytes of a value with its dtype and shape (strings by their encoding)."""
    if isinstance(value, (bytes, str)):
        return ("str", (), value.encode() if isinstance(value, str) else value)
    a = np.asarray(value)
    if a.dtype.kind == "O":  # variable-length strings
        return ("obj", a.shape, repr([x.decode() if isinstance(x, bytes) else x
                                      for x in a.ravel().tolist()]).encode())
    return (a.dtype.str, a.shape, a.tobytes())


def describe(x):
    a = np.asarray(x)
    return f"dtype {a.dtype}, shape {a.shape}"


def compare_attrs(path, a, b, ignore, out):
    for name in sorted(set(a.attrs) | set(b.attrs)):
        if name in ignore:
            continue
        where = f"{path} @{name}"
        if name not in a.attrs or name not in b.attrs:
            out.append(f"{where}: only in {'first' if name in a.attrs else 'second'} file")
        elif as_bytes(a.attrs[name]) != as_bytes(b.attrs[name]):
            out.append(f"{where}: differs ({a.attrs[name]!r} vs {b.attrs[name]!r})")


def compare(a, b, ignore):
    out = []
    names_a, names_b = set(), set()
    a.visit(names_a.add)
    b.visit(names_b.add)
    compare_attrs("/", a, b, ignore, out)
    for name in sorted(names_a | names_b):
        leaf = name.rsplit("/", 1)[-1]
        if leaf in ignore:
            continue
        path = "/" + name
        if name not in names_a or name not in names_b:
            out.append(f"{path}: only in {'first' if name in names_a else 'second'} file")
            continue
        x, y = a[name], b[name]
        if isinstance(x, h5py.Group) != isinstance(y, h5py.Group):
            out.append(f"{path}: a group in one file, a dataset in the other")
            continue
        compare_attrs(path, x, y, ignore, out)
        if isinstance(x, h5py.Group):
            continue
        vx, vy = x[()], y[()]
        if as_bytes(vx) != as_bytes(vy):
            detail = f"{describe(vx)} vs {describe(vy)}"
            ax, ay = np.asarray(vx), np.asarray(vy)
            if ax.shape == ay.shape and ax.dtype.kind in "fiu" and ay.dtype.kind in "fiu":
                diff = np.abs(ax.astype(np.float64) - ay.astype(np.float64))
                detail += f", max |difference| {np.nanmax(diff) if diff.size else 0:.3g}"
            out.append(f"{path}: differs ({detail})")
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("first")
    p.add_argument("second")
    p.add_argument("--ignore", nargs="*", default=list(WALL_CLOCK),
                   help="names of attributes/datasets to skip (default: %(default)s)")
    args = p.parse_args()
    with h5py.File(args.first, "r") as a, h5py.File(args.second, "r") as b:
        diffs = compare(a, b, set(args.ignore))
    for d in diffs:
        print(d)
    if diffs:
        print(f"{len(diffs)} difference(s) between {args.first} and {args.second}")
        return 1
    print(f"equal (ignoring {', '.join(sorted(args.ignore)) or 'nothing'}): "
          f"{args.first} == {args.second}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
