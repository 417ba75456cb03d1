#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check the fifteen split/merge cases drawn in docs/semantics.md against the
kernel's output for them, tests/traces/k15-doc-split-merge-cases.{trace,out}.

Usage: check-cases.py SEMANTICS.md K15.trace K15.out

In the trace, case k lives at 0x1000000 * k, one drawing unit is 0x1000,
object a is BO 1 and b is BO 2, offset n is 0x10000 and m is 0x20000.  The
"ops" lines of each drawing are translated into the trace's output syntax
and must equal the lines the trace printed for that case's second map.
"""

import re
import sys

UNIT = 0x1000
BO = {'a': 1, 'b': 2}
OFF = {'n': 0x10000, 'm': 0x20000}


def offset(expr):
    """'n', 'n+1', 'm' -> the trace offset."""
    base, _, plus = expr.partition('+')
    return OFF[base] + int(plus or 0) * UNIT


def piece(case, text):
    """'[1,2) a@n+1' -> 'A:R:BO:OFF' in trace units, or '-'."""
    if text == '-':
        return '-'
    m = re.fullmatch(r'\[(\d+),(\d+)\) (\w)@(\S+)', text)
    s, e = int(m.group(1)), int(m.group(2))
    return '%#x:%#x:%d:%#x' % (case * 0x1000000 + s * UNIT, (e - s) * UNIT,
                               BO[m.group(3)], offset(m.group(4)))


def drawn_ops(md):
    """{case: [trace op line, ...]} from the drawings of section 3."""
    cases = {}
    case = None
    for line in md.split('\n'):
        m = re.match(r'\*\*Case (\d+) ', line)
        if m:
            case = int(m.group(1))
            cases[case] = []
            continue
        if case is None:
            continue
        m = re.match(r'\s+(?:ops)?\s+(UNMAP|REMAP|MAP)\s+\[(\d+),(\d+)\)\s*(.*)$',
                     line)
        if not m:
            continue
        kind, s, e, rest = m.group(1), int(m.group(2)), int(m.group(3)), \
            m.group(4).strip()
        addr = case * 0x1000000 + s * UNIT
        rng = (e - s) * UNIT
        if kind == 'MAP':
            obj, _, off = rest.partition('@')
            cases[case].append('map %#x %#x %d %#x' % (addr, rng, BO[obj],
                                                        offset(off)))
        elif kind == 'UNMAP':
            cases[case].append('unmap %#x %#x %s' % (addr, rng, rest))
        else:
            r = re.fullmatch(r'(keep=\d) prev=(-|\[\d+,\d+\) \w@\S+) '
                             r'next=(-|\[\d+,\d+\) \w@\S+)', rest)
            cases[case].append('remap %#x %#x %s prev=%s next=%s' % (
                addr, rng, r.group(1), piece(case, r.group(2)),
                piece(case, r.group(3))))
    return cases


def traced_ops(trace, out):
    """{case: [op line, ...]} printed for each case's second map."""
    cmds = [ln.split('#')[0].split() for ln in trace.split('\n')]
    cmds = [c for c in cmds if c]
    results = []            # the op lines of each command, in order
    cur = []
    for line in out.split('\n'):
        if line == 'ok' or line.startswith('error '):
            results.append(cur)
            cur = []
        elif line and not line.startswith(('va ', 'end')):
            cur.append(line)
    cases = {}
    seen = {}
    for cmd, ops in zip(cmds, results):
        if cmd[0] != 'map':
            continue
        case = int(cmd[1], 0) // 0x1000000
        seen[case] = seen.get(case, 0) + 1
        if seen[case] == 2:
            cases[case] = ops
    return cases


def main():
    md, trace, out = (open(p, encoding='utf-8').read() for p in sys.argv[1:4])
    drawn = drawn_ops(md)
    traced = traced_ops(trace, out)
    bad = 0
    if sorted(drawn) != list(range(1, 16)):
        print('drawn cases: %s, expected 1-15' % sorted(drawn))
        bad += 1
    for case in range(1, 16):
        if drawn.get(case) != traced.get(case):
            print('case %d: drawn %s, kernel %s' % (case, drawn.get(case),
                                                     traced.get(case)))
            bad += 1
    if bad:
        sys.exit(1)
    print('15 drawn cases match the kernel\'s output')


if __name__ == '__main__':
    main()
