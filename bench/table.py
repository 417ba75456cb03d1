#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print the Markdown results table of bench/README.md from --json output.

    python3 bench/table.py results.json [more.json ...]
    python3 bench/table.py new-*.json --ref ref-*.json


All files are invocations of the same build (bench/alternate.py makes them).
Each figure is the median of the round medians of every file (each
invocation runs its workloads in --rounds interleaved rounds); the spread
column gives the smallest and largest round median.  "vs ref" is reference
/ libgpuvm, where the reference figures are the kernel's drm_gpuvm.c as
measured side by side (kernel_reference in the JSON: not measured by the
benchmark).  Targets: (a), (c), (d) 2.0x, (b), (e) 1.5x, every N, both API
forms.  With --ref, the reference column is measured instead: the files
after --ref are invocations of a reference program that prints the same
JSON (the kernel's code in a harness of the same workloads, alternated with
the libgpuvm invocations), taken the same way, with their own spread.

With --ref, the files pair up by the number in their names, as
alternate.py writes them (ref-1 with new-1, ...): an invocation of each,
run back to back.  "vs ref, per pair" gives the smallest and largest ratio
of one pair's medians, and the summary counts the figures that meet their
target in every pair: a slow spell of the machine, or a noisy neighbour on
the host, moves a figure that sits near its target from one side to the
other, and this column shows which ones do.
Python standard library only.
"""
import json
import re
import statistics
import sys

NAMES = {
    "a": "(a) insert",
    "b": "(b) find_first",
    "c": "(c) split+unmap",
    "d": "(d) unmap16+remap16",
    "e": "(e) iterate, per VA",
}


def fmt(x):
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def nlabel(n):
    e = len(str(n)) - 1
    return f"1e{e}" if n == 10 ** e else str(n)


def round_medians(runs, n, w, api):
    """Every round median of (n, w, api) over all invocations."""
    out = []
    for d in runs:
        for r in d["results"]:
            if r["n"] == n and r["workload"] == w and r["api"] == api:
                out += r.get("round_medians") or [r["median"]]
    return out


def invocation_order(paths):
    """Paths sorted by the last number in their file name (new-10 after new-9)."""
    def key(p):
        nums = re.findall(r"\d+", p.rsplit("/", 1)[-1])
        return (int(nums[-1]) if nums else -1, p)
    return sorted(paths, key=key)


def pair_ratios(refs, runs, n, w, api):
    """ref / libgpuvm of each invocation pair (medians of its round medians)."""
    out = []
    for rd, nd in zip(refs, runs):
        k = round_medians([rd], n, w, api)
        m = round_medians([nd], n, w, api)
        if k and m:
            out.append(statistics.median(k) / statistics.median(m))
    return out


def main(paths, ref_paths):
    paths = invocation_order(paths)
    ref_paths = invocation_order(ref_paths)
    runs = [json.load(open(p)) for p in paths]
    refs = [json.load(open(p)) for p in ref_paths]
    if refs and len(refs) != len(runs):
        sys.exit(f"table.py: {len(runs)} libgpuvm invocations but "
                 f"{len(refs)} reference ones; they must pair up")
    first = runs[0]
    kref = first["kernel_reference"]
    targets = kref.get("targets", {"a": 2.0, "b": 1.5, "c": 2.0, "d": 2.0,
                                   "e": 1.5})
    ref = {row["n"]: row for row in kref["results"]}
    if refs:
        # the measured reference replaces the recorded figures
        ref = {}
        for r in refs[0]["results"]:
            ms = round_medians(refs, r["n"], r["workload"], r["api"])
            key = r["workload"] if r["api"] == "ops" else f"{r['workload']}_cb"
            ref.setdefault(r["n"], {})[key] = (statistics.median(ms),
                                              min(ms), max(ms))
    sizes = sorted({r["n"] for r in first["results"]})
    nrounds = sum(d["config"].get("rounds", 1) for d in runs)
    if refs:
        rrounds = sum(d["config"].get("rounds", 1) for d in refs)
        print(f"| N | workload | API | ref (measured) | ref spread ({rrounds} "
              f"rounds, {len(refs)} invocations) | libgpuvm | spread "
              f"({nrounds} rounds, {len(runs)} invocations) | vs ref | "
              f"vs ref, per pair ({len(runs)}) | target | met |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|:---:|")
    else:
        print(f"| N | workload | API | ref | libgpuvm | spread ({nrounds} rounds, "
              f"{len(runs)} invocations) | vs ref | target | met |")
        print("|---|---|---|---:|---:|---:|---:|---:|:---:|")
    met = missed = every_pair = 0
    for n in sizes:
        for w in "abcde":
            for api in ("ops", "cb"):
                ms = round_medians(runs, n, w, api)
                key = w if api == "ops" else f"{w}_cb"
                if not ms or n not in ref or key not in ref[n]:
                    continue
                m = statistics.median(ms)
                k = ref[n][key]
                cols = [nlabel(n), NAMES[w],
                        "op list" if api == "ops" else "callback"]
                if refs:
                    k, klo, khi = k
                    cols += [fmt(k), f"{fmt(klo)}–{fmt(khi)}"]
                else:
                    cols += [fmt(k)]
                sp = k / m
                t = targets[w]
                ok = sp >= t
                met += ok
                missed += not ok
                tail = [fmt(m), f"{fmt(min(ms))}–{fmt(max(ms))}", f"{sp:.2f}x"]
                if refs:
                    pr = pair_ratios(refs, runs, n, w, api)
                    every_pair += bool(pr) and min(pr) >= t
                    tail.append(f"{min(pr):.2f}–{max(pr):.2f}x" if pr else "-")
                tail += [f"{t:.1f}x", "yes" if ok else "**no**"]
                print("| " + " | ".join(cols + tail) + " |")
    print()
    print(f"Targets met: {met} of {met + missed} figures.")
    if refs:
        print(f"Met in every invocation pair: {every_pair} of {met + missed}.")
    mems = [d["memory"] for d in runs if d.get("memory")]
    if mems:
        b = [m["bytes_per_mapping"] for m in mems]
        rmems = [d["memory"]["bytes_per_mapping"] for d in refs
                 if d.get("memory")]
        refmem = (f"{min(rmems):.2f}–{max(rmems):.2f} B measured" if rmems
                  else f"{kref.get('bytes_per_mapping', 120):.0f} B per VA")
        print(f"Memory at N = {mems[0]['n']:,}: {min(b):.2f}–{max(b):.2f} bytes "
              f"of peak RSS per mapping (reference: {refmem}).")
    loads = ", ".join(f"{d['machine']['background_load']:.3f}" for d in runs)
    print(f"Background load of the invocation(s): {loads}.")
    if refs:
        loads = ", ".join(f"{d['machine']['background_load']:.3f}"
                          for d in refs)
        print(f"Background load of the reference invocation(s): {loads}.")


if __name__ == "__main__":
    args = sys.argv[1:]
    ref_args = []
    if "--ref" in args:
        i = args.index("--ref")
        args, ref_args = args[:i], args[i + 1:]
    if not args or ("--ref" in sys.argv and not ref_args):
        sys.exit(__doc__)
    main(args, ref_args)
