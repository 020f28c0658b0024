#!/usr/bin/python3
"""Largest file and longest function of each source folder (for reviews of the layout).

Usage: scripts/code_stats.py [ROOT]   (ROOT defaults to the repository root)

Function extents come from Universal Ctags (`ctags --fields=+ne`: start and end line of every
function definition, in-class ones included). Folders are those holding .cpp/.hpp files below
ROOT, tests/, fuzz/ and build trees left out.
"""
import collections
import pathlib
import subprocess
import sys

SKIP = ("build", "tests", "fuzz", ".git", "data", "runs")


def sources(root):
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.suffix in (".cpp", ".hpp") and not any(
                p.startswith(SKIP) for p in rel.parts[:1]):
            yield rel


def functions(root, files):
    out = subprocess.run(
        ["ctags", "--fields=+ne", "--c++-kinds=f", "--language-force=C++", "-o", "-"]
        + [str(f) for f in files], cwd=root, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split("\t")
        fields = dict(p.split(":", 1) for p in parts[3:] if ":" in p)
        if "line" in fields and "end" in fields:
            yield parts[1], parts[0], int(fields["end"]) - int(fields["line"]) + 1


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    files = list(sources(root))
    largest = {}
    for f in files:
        n = sum(1 for _ in open(root / f, encoding="utf-8", errors="replace"))
        folder = str(f.parent)
        if n > largest.get(folder, ("", 0))[1]:
            largest[folder] = (f.name, n)
    longest = collections.defaultdict(lambda: ("", "", 0))
    for path, name, length in functions(root, files):
        folder = str(pathlib.Path(path).parent)
        if length > longest[folder][2]:
            longest[folder] = (pathlib.Path(path).name, name, length)
    print("| folder | largest file (lines) | longest function (lines) |")
    print("|---|---|---|")
    for folder in sorted(largest):
        f, n = largest[folder]
        lf, name, length = longest[folder]
        print(f"| {folder} | {f} ({n}) | {lf}: {name} ({length}) |")


if __name__ == "__main__":
    main()
