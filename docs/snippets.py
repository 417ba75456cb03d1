#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the C code blocks of a Markdown page, in order, as one C file.

Usage: snippets.py PAGE.md OUT.c

Every block fenced with ```c is copied; the others (shell, diagrams, plain
```) are not.  A #line directive before each block makes compiler messages
point at the page, so a snippet that stops compiling is found at once.
Fails when the page has no C block or a block is not closed.
"""

import sys


def main():
    page, out = sys.argv[1], sys.argv[2]
    with open(page, encoding='utf-8') as f:
        lines = f.read().split('\n')
    code = ['/* Generated from %s by docs/snippets.py: do not edit. */' % page]
    block = None
    for n, line in enumerate(lines, 1):
        if block is None:
            if line.strip() == '```c':
                block = n
                code.append('#line %d "%s"' % (n + 1, page))
        elif line.strip() == '```':
            block = None
        else:
            code.append(line)
    if block is not None:
        sys.exit('%s:%d: C block not closed' % (page, block))
    if len(code) == 1:
        sys.exit('%s: no C block' % page)
    with open(out, 'w', encoding='utf-8') as f:
        f.write('\n'.join(code) + '\n')


if __name__ == '__main__':
    main()
