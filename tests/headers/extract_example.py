#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""extract_example.py README.md SECTION OUT.c

Writes the first ```c block found under the Markdown heading SECTION (for
example "## A short example") of README.md to OUT.c, as it stands, with a
#line directive so that compiler messages name README.md's own lines.
Exits with status 1 when there is no such heading or no C block under it.
"""

import sys


def extract(lines, section):
    in_section = False
    block = None
    for number, line in enumerate(lines, 1):
        stripped = line.rstrip('\n')
        if block is not None:
            if stripped.startswith('```'):
                return block
            block[1].append(line)
        elif stripped.startswith('#'):
            in_section = stripped.strip() == section
        elif in_section and stripped.strip() == '```c':
            block = (number + 1, [])
    return None


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    readme, section, out = sys.argv[1:]
    with open(readme, encoding='utf-8') as f:
        found = extract(f.readlines(), section)
    if not found or not found[1]:
        sys.stderr.write('%s: no ```c block under "%s"\n' % (readme, section))
        return 1
    first, body = found
    with open(out, 'w', encoding='utf-8') as f:
        f.write('#line %d "%s"\n' % (first, readme))
        f.writelines(body)
    return 0


if __name__ == '__main__':
    sys.exit(main())
