#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Plot gpuvm-bench-core --json output as an SVG (python3 standard library only).

    build-rel/bench/gpuvm-bench-core --json > bench/results.json
    python3 bench/plot.py bench/results.json -o bench/plot.svg

One log-log panel per workload, ns/op against N: libgpuvm through the op-list
API (solid) and the callback API (dotted), the reference figures of the
kernel's drm_gpuvm (dashed; kernel_reference in the JSON, not measured by the
benchmark) and the target derived from them (thin grey).  The sixth panel compares memory per mapping.
"""

import argparse
import json
import math
import sys
from xml.sax.saxutils import escape

WORKLOADS = [
    ("a", "(a) insert into an empty VM", "ns per insert", 2.0),
    ("b", "(b) find_first(addr, 4 KiB)", "ns per lookup", 1.5),
    ("c", "(c) split one page + unmap it", "ns per map+unmap pair", 2.0),
    ("d", "(d) unmap 16 VAs + map 16", "ns per iteration", 2.0),
    ("e", "(e) in-order iteration", "ns per VA", 1.5),
]


# The target: the reference (op-list API) over the workload's factor.
def target_factor(workload, n, factor):
    return factor


OURS = "#1f6fb4"
KERNEL = "#d2492a"
TARGET = "#9a9a9a"

PANEL_W, PANEL_H = 360, 270
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 64, 14, 34, 42
COLS, ROWS = 3, 2
TITLE_H = 46


def nice_ticks(lo, hi):
    """Major (10^k) and minor (2, 5 x 10^k) ticks covering [lo, hi]."""
    major, minor = [], []
    for k in range(int(math.floor(math.log10(lo))) - 1,
                   int(math.ceil(math.log10(hi))) + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** k
            if lo * 0.999 <= v <= hi * 1.001:
                (major if m == 1 else minor).append(v)
    return major, minor


def fmt_num(v):
    if v >= 1e6:
        return "%ge6" % (v / 1e6) if v != 1e6 else "1e6"
    if v >= 1000:
        k = v / 1000
        return ("%g" % k) + "k" if k < 1000 else "%g" % v
    return "%g" % v


def fmt_n(n):
    e = int(round(math.log10(n)))
    return "1e%d" % e if 10 ** e == n else "%d" % n


class Svg:
    def __init__(self, w, h):
        self.w, self.h, self.out = w, h, []

    def add(self, s):
        self.out.append(s)

    def text(self, x, y, s, size=11, anchor="start", color="#222",
             weight="normal", rotate=None):
        tr = ' transform="rotate(%d %.1f %.1f)"' % (rotate, x, y) if rotate else ""
        self.add('<text x="%.1f" y="%.1f" font-size="%d" text-anchor="%s" '
                 'fill="%s" font-weight="%s"%s>%s</text>'
                 % (x, y, size, anchor, color, weight, tr, escape(s)))

    def line(self, x1, y1, x2, y2, color, width=1.0, dash=None):
        d = ' stroke-dasharray="%s"' % dash if dash else ""
        self.add('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" '
                 'stroke-width="%.1f"%s/>' % (x1, y1, x2, y2, color, width, d))

    def polyline(self, pts, color, width=2.0, dash=None):
        if len(pts) < 1:
            return
        d = ' stroke-dasharray="%s"' % dash if dash else ""
        self.add('<polyline fill="none" stroke="%s" stroke-width="%.1f"%s '
                 'points="%s"/>' % (color, width, d,
                                    " ".join("%.1f,%.1f" % p for p in pts)))

    def marker(self, x, y, color, shape="circle"):
        if shape == "circle":
            self.add('<circle cx="%.1f" cy="%.1f" r="3.2" fill="%s"/>' % (x, y, color))
        elif shape == "ring":
            self.add('<circle cx="%.1f" cy="%.1f" r="3.2" fill="white" '
                     'stroke="%s" stroke-width="1.5"/>' % (x, y, color))
        else:
            self.add('<rect x="%.1f" y="%.1f" width="6" height="6" fill="%s"/>'
                     % (x - 3, y - 3, color))

    def rect(self, x, y, w, h, fill, stroke="none"):
        self.add('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" '
                 'stroke="%s"/>' % (x, y, w, h, fill, stroke))

    def render(self):
        head = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                'viewBox="0 0 %d %d" font-family="DejaVu Sans, Helvetica, Arial, '
                'sans-serif">\n<rect width="100%%" height="100%%" fill="white"/>\n'
                % (self.w, self.h, self.w, self.h))
        return head + "\n".join(self.out) + "\n</svg>\n"


def series(results, workload, api):
    pts = sorted((r["n"], r["median"]) for r in results
                 if r["workload"] == workload and r["api"] == api)
    return pts


def panel(svg, x0, y0, title, unit, ours_ops, ours_cb, kernel, target):
    pw = PANEL_W - MARGIN_L - MARGIN_R
    ph = PANEL_H - MARGIN_T - MARGIN_B
    px, py = x0 + MARGIN_L, y0 + MARGIN_T

    ns = [n for n, _ in ours_ops + ours_cb + kernel] or [1000, 1000000]
    vals = [v for _, v in ours_ops + ours_cb + kernel + target if v > 0] or [1, 10]
    nlo, nhi = min(ns), max(ns)
    if nlo == nhi:
        nlo, nhi = nlo / 2, nhi * 2
    lo, hi = min(vals) / 1.25, max(vals) * 1.25
    # Round the value axis out to 1, 2, 5 steps so ticks land on the edges.
    def down(v):
        k = 10 ** math.floor(math.log10(v))
        return max(m * k for m in (1, 2, 5) if m * k <= v)

    def up(v):
        k = 10 ** math.floor(math.log10(v))
        return min(m * k for m in (1, 2, 5, 10) if m * k >= v)

    lo, hi = down(lo), up(hi)
    lnlo, lnhi = math.log10(nlo), math.log10(nhi)
    llo, lhi = math.log10(lo), math.log10(hi)

    def X(n):
        return px + (math.log10(n) - lnlo) / (lnhi - lnlo) * pw

    def Y(v):
        return py + ph - (math.log10(v) - llo) / (lhi - llo) * ph

    svg.text(x0 + MARGIN_L, y0 + 20, title, size=13, weight="bold")
    svg.rect(px, py, pw, ph, "none", stroke="#bbb")

    major, minor = nice_ticks(lo, hi)
    for v in minor:
        svg.line(px, Y(v), px + pw, Y(v), "#eee")
        svg.text(px - 5, Y(v) + 3.5, fmt_num(v), size=9, anchor="end", color="#777")
    for v in major:
        svg.line(px, Y(v), px + pw, Y(v), "#ddd")
        svg.text(px - 5, Y(v) + 4, fmt_num(v), size=10, anchor="end")
    for k in range(int(math.ceil(lnlo)), int(math.floor(lnhi)) + 1):
        n = 10 ** k
        svg.line(X(n), py, X(n), py + ph, "#e4e4e4")
        svg.text(X(n), py + ph + 15, fmt_n(n), size=10, anchor="middle")
    svg.text(px + pw / 2, py + ph + 32, "N (VAs in the VM)", size=10,
             anchor="middle", color="#555")
    svg.text(x0 + 14, py + ph / 2, unit, size=10, anchor="middle",
             color="#555", rotate=-90)

    def draw(pts, color, dash, shape, width=2.0):
        xy = [(X(n), Y(v)) for n, v in pts]
        svg.polyline(xy, color, width, dash)
        if shape:
            for x, y in xy:
                svg.marker(x, y, color, shape)

    draw(target, TARGET, "2,3", None, 1.2)
    draw(kernel, KERNEL, "6,4", "square")
    if ours_cb:
        draw(ours_cb, OURS, "2,3", "ring", 1.6)
    draw(ours_ops, OURS, None, "circle")


def memory_panel(svg, x0, y0, data):
    mem = data.get("memory")
    kref = data.get("kernel_reference", {})
    px, py = x0 + MARGIN_L + 40, y0 + MARGIN_T + 10
    pw = PANEL_W - MARGIN_L - MARGIN_R - 40
    svg.text(x0 + MARGIN_L, y0 + 20, "memory per mapping at N = %s"
             % (fmt_n(mem["n"]) if mem else "?"), size=13, weight="bold")
    bars = []
    if mem:
        bars.append(("libgpuvm", mem["bytes_per_mapping"], OURS))
    bars.append(("reference", kref.get("bytes_per_mapping", 120), KERNEL))
    bars.append(("target", 96, TARGET))
    vmax = max(v for _, v, _ in bars) * 1.3
    bh = 24
    for i, (name, v, color) in enumerate(bars):
        y = py + i * (bh + 12)
        svg.text(px - 8, y + bh / 2 + 4, name, size=11, anchor="end")
        svg.rect(px, y, pw * v / vmax, bh, color)
        svg.text(px + pw * v / vmax + 4, y + bh / 2 + 4, "%.1f B" % v, size=11)
    if mem:
        svg.text(px - 40, py + 3 * (bh + 12) + 8,
                 "peak RSS growth / N, N = %s" % fmt_n(mem["n"]), size=10,
                 color="#555")

    # Legend under the bars.
    ly = py + 3 * (bh + 12) + 34
    lx = x0 + MARGIN_L
    items = [
        (OURS, None, "circle", "libgpuvm, op-list API"),
        (OURS, "2,3", "ring", "libgpuvm, callback API"),
        (KERNEL, "6,4", "square", "reference: drm_gpuvm (6.18), op list"),
        (TARGET, "2,3", None, "target"),
    ]
    for i, (color, dash, shape, label) in enumerate(items):
        y = ly + i * 17
        svg.line(lx, y, lx + 34, y, color, 2.0 if color != TARGET else 1.2, dash)
        if shape:
            svg.marker(lx + 17, y, color, shape)
        svg.text(lx + 42, y + 4, label, size=11)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", help="output of gpuvm-bench-core --json ('-' for stdin)")
    ap.add_argument("-o", "--output", default="-", help="SVG file (default stdout)")
    args = ap.parse_args()

    with (sys.stdin if args.json == "-" else open(args.json)) as f:
        data = json.load(f)
    results = data["results"]
    kref = {r["n"]: r for r in data.get("kernel_reference", {}).get("results", [])}
    m = data.get("machine", {})

    width = COLS * PANEL_W
    height = TITLE_H + ROWS * PANEL_H
    svg = Svg(width, height)
    svg.text(14, 22, "libgpuvm core vs reference figures of the kernel's drm_gpuvm: "
             "median ns/op (lower is better)", size=15, weight="bold")
    svg.text(14, 39, "%s, %s build (-O%s), %s; %d runs per point"
             % (m.get("cpu", "?"), m.get("buildtype", "?"),
                m.get("optimization", "?"), m.get("compiler", "?"),
                data.get("config", {}).get("runs", 0)), size=11, color="#555")

    for i, (w, title, unit, factor) in enumerate(WORKLOADS):
        x0 = (i % COLS) * PANEL_W
        y0 = TITLE_H + (i // COLS) * PANEL_H
        ops = series(results, w, "ops")
        cb = series(results, w, "cb")
        kernel = [(n, kref[n][w]) for n in sorted(kref)]
        target = [(n, kref[n][w] / target_factor(w, n, factor)) for n in sorted(kref)]
        panel(svg, x0, y0, title, unit, ops, cb, kernel, target)
    memory_panel(svg, 2 * PANEL_W, TITLE_H + PANEL_H, data)

    out = svg.render()
    if args.output == "-":
        sys.stdout.write(out)
    else:
        with open(args.output, "w") as f:
            f.write(out)


if __name__ == "__main__":
    main()
