#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run benchmark binaries alternately (A B A B ...) and compare them.

    python3 bench/alternate.py [-k 3] [-o DIR] NAME=BINARY [NAME=BINARY ...] \\
        [-- BENCH OPTIONS]

Runs every binary --json K times, alternating (A B A B ... K times each), so
that a slow spell of the machine hits all of them alike; the outputs go to
DIR/NAME-i.json (for bench/table.py).  Then prints, per figure, each
binary's median of round medians, the spread of its round medians, and the
ratio of the first binary's median to each other's.  Python standard library
only.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def figures(docs):
    out = {}
    for d in docs:
        for r in d["results"]:
            key = (r["n"], r["workload"], r["api"])
            out.setdefault(key, []).extend(r.get("round_medians") or [r["median"]])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", type=int, default=3, help="invocations per binary")
    ap.add_argument("-o", default="bench-alternate", help="output directory")
    ap.add_argument("bins", nargs="+", help="NAME=BINARY")
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    a = ap.parse_args(argv)
    bins = [b.split("=", 1) for b in a.bins]
    os.makedirs(a.o, exist_ok=True)
    docs = {name: [] for name, _ in bins}
    for i in range(a.k):
        for name, path in bins:
            print(f"invocation {i + 1}/{a.k}: {name}", file=sys.stderr)
            out = subprocess.run([path, "--json", "--quiet"] + extra,
                                 check=True, capture_output=True, text=True).stdout
            with open(os.path.join(a.o, f"{name}-{i + 1}.json"), "w") as f:
                f.write(out)
            docs[name].append(json.loads(out))
    figs = {name: figures(d) for name, d in docs.items()}
    base = bins[0][0]
    head = "N        fig  api " + "".join(f" {n:>24}" for n, _ in bins)
    head += "".join(f" {base + '/' + n:>12}" for n, _ in bins[1:])
    print(head)
    for key in sorted(figs[base]):
        line = f"{key[0]:<8} {key[1]:>3} {key[2]:>4}"
        meds = []
        for name, _ in bins:
            ms = figs[name].get(key)
            if not ms:
                line += f" {'-':>24}"
                meds.append(None)
                continue
            m = statistics.median(ms)
            meds.append(m)
            line += f" {m:>10.2f} [{min(ms):>.1f}-{max(ms):>.1f}]".rjust(25)
        for m in meds[1:]:
            line += f" {meds[0] / m:>11.2f}x" if m and meds[0] else f" {'-':>12}"
        print(line)
    for name, d in docs.items():
        loads = ", ".join(f"{x['machine']['background_load']:.2f}" for x in d)
        print(f"background load, {name}: {loads}")


if __name__ == "__main__":
    main()
