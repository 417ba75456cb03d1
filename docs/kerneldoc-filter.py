#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Doxygen INPUT_FILTER: turn libgpuvm's kernel-doc comments into Doxygen.

Doxygen runs this on every header and reads what it prints.  The output has
exactly as many lines as the input, so Doxygen's warnings point at the right
line of the real file.

What it rewrites, inside /** ... */ blocks only:

  "name() - text", "struct name - text", "enum name - text",
  "typedef name - text", "NAME - text"      ->  "@brief text"
  "@arg: text" in a function, macro or typedef  ->  "@param arg text"
  "@member: text" in a struct/union comment ->  removed from the comment and
                                               appended as "/**< text */" to
                                               the line that ends that
                                               member's declaration
  "@VALUE: text" in an enum comment         ->  the same, on the enumerator
  a block opening with "@member: text"      ->  "text" (inline member doc)
  "Returns:" / "Return:"                    ->  "@return"
  any other "@word" (a reference)           ->  "\\p word"

The first plain /* ... */ comment of a file (after the SPDX line) becomes
the file's documentation ("@file"); references in it and in trailing
"/**<" comments are rewritten too.  A struct comment that names a member
the struct does not have is reported on stderr (Doxygen then also reports
the real member as undocumented).
"""

import re
import sys

HEAD_RE = re.compile(
    r'^(?:(struct|union|enum|typedef)\s+)?([A-Za-z_]\w*)(\(\))?\s+-\s+(.*)$')
ARG_RE = re.compile(r'^@([A-Za-z_]\w*|\.\.\.)\s*:\s?(.*)$')
RET_RE = re.compile(r'^Returns?:\s*(.*)$')
REF_RE = re.compile(r'(?<![\w\\@])@([A-Za-z_]\w*)')


def split_line(line):
    """Split a comment line into (prefix, text): prefix is ' * ' or ''."""
    m = re.match(r'^(\s*\*(?!/)\s?)(.*)$', line)
    if m:
        return m.group(1), m.group(2)
    return '', line


def refs(text):
    """Kernel-doc @name references become Doxygen \\p name, and pseudo-tags
    such as the <N> of "uio<N>" are escaped so Doxygen does not take them
    for HTML."""
    return re.sub(r'<([A-Za-z])>', r'\\<\1\\>', REF_RE.sub(r'\\p \1', text))


def convert_block(lines):
    """Rewrite one /** ... */ block given as a list of lines (no newlines)."""
    first = lines[0]
    opener_idx = first.index('/**')
    indent = first[:opener_idx]
    # Pull the body text out of each line, remembering the decorations.
    body = []
    for i, line in enumerate(lines):
        pre, text = '', line
        if i == 0:
            pre, text = line[:opener_idx + 3], line[opener_idx + 3:]
        else:
            pre, text = split_line(line)
        post = ''
        if i == len(lines) - 1:
            k = text.rfind('*/')
            text, post = text[:k], text[k:]
        body.append([pre, text, post])

    # The first line with content decides what kind of block this is.
    kind = None
    name = None
    first_i = None
    for i, (_, text, _) in enumerate(body):
        if text.strip():
            first_i = i
            break
    if first_i is None:
        return lines, None, {}

    text0 = body[first_i][1]
    lead = text0[:len(text0) - len(text0.lstrip())]
    m_arg = ARG_RE.match(text0.strip())
    m_head = HEAD_RE.match(text0.strip())
    if m_arg:
        # Inline kernel-doc member comment: "@member: text".
        body[first_i][1] = lead + refs(m_arg.group(2))
        kind = 'inline'
    elif m_head and not text0.strip().startswith('@'):
        kind = m_head.group(1) or 'function'
        name = m_head.group(2)
        body[first_i][1] = lead + '@brief ' + refs(m_head.group(4))

    extra = []          # @var blocks for struct/enum members
    member = None       # [name, [text...]] being collected
    for i, entry in enumerate(body):
        if i == first_i and kind is not None:
            continue
        text = entry[1]
        stripped = text.strip()
        m = ARG_RE.match(stripped)
        if m and kind in ('struct', 'union', 'enum'):
            member = [m.group(1), [refs(m.group(2))]]
            extra.append(member)
            entry[1] = ''
            continue
        if member is not None:
            if stripped and not RET_RE.match(stripped):
                member[1].append(refs(stripped))
                entry[1] = ''
                continue
            member = None
        if m and kind != 'inline':
            entry[1] = text[:len(text) - len(text.lstrip())] + '@param ' + \
                m.group(1) + ' ' + refs(m.group(2))
            continue
        r = RET_RE.match(stripped)
        if r:
            entry[1] = text[:len(text) - len(text.lstrip())] + '@return ' + \
                refs(r.group(1))
            continue
        entry[1] = refs(text)

    out = [pre + text + post for pre, text, post in body]
    # Decorations with an emptied text keep a trailing ' * '; tidy them.
    out = [o.rstrip() if not o.strip().endswith('*/') else o for o in out]
    members = {mname: ' '.join(t for t in mtext if t) for mname, mtext in extra}
    return out, kind, members


def strip_comments(line):
    """The code of a line, without /* */ and // comments on it."""
    line = re.sub(r'/\*.*?\*/', ' ', line)
    return line.split('//')[0]


def member_name(decl):
    """The name a member declaration (one statement, no ';') declares."""
    m = re.search(r'\(\s*\*\s*([A-Za-z_]\w*)\s*\)', decl)
    if m:
        return m.group(1)
    decl = re.sub(r'\[[^\]]*\]', '', decl)
    decl = re.sub(r':\s*\w+\s*$', '', decl.strip())
    m = re.search(r'([A-Za-z_]\w*)\s*$', decl)
    return m.group(1) if m else None


def annotate_members(src, i, members, kind, out):
    """Copy the struct/enum body starting at src[i], appending "/**< text */"
    to the line that ends each member named in @members.  Returns the index
    of the first line after the body."""
    depth = 0
    started = False
    decl = ''
    while i < len(src):
        line = src[i]
        code = strip_comments(line)
        add = ''
        for ch in code:
            if ch == '{':
                depth += 1
                started = True
                decl = ''
            elif ch == '}':
                depth -= 1
            elif started and depth == 1 and (ch == ';' or
                                             (ch == ',' and kind == 'enum')):
                name = member_name(decl) if kind != 'enum' else \
                    (re.match(r'\s*([A-Za-z_]\w*)', decl) or [None, None])[1]
                if name in members and '/**<' not in line:
                    add = ' /**< ' + members.pop(name) + ' */'
                decl = ''
            elif started and depth >= 1:
                decl += ch
            if started and depth == 1 and ch == '}':
                decl = ''
        out.append(line + add)
        i += 1
        if started and depth == 0:
            # An enum's last enumerator without a comma.
            if kind == 'enum' and decl.strip():
                name = re.match(r'\s*([A-Za-z_]\w*)', decl)
                if name and name.group(1) in members:
                    out[-1] = out[-1] + ' /**< ' + \
                        members.pop(name.group(1)) + ' */'
            break
        decl += ' '
    return i


def main():
    path = sys.argv[1]
    with open(path, encoding='utf-8') as f:
        src = f.read().split('\n')

    out = []
    i = 0
    seen_code = False
    seen_file_doc = False
    in_file_doc = False
    while i < len(src):
        line = src[i]
        s = line.strip()
        if s.startswith('/**') and not s.startswith('/**/'):
            j = i
            while '*/' not in (src[j][src[j].index('/**') + 3:]
                               if j == i else src[j]):
                j += 1
            block, kind, members = convert_block(src[i:j + 1])
            out.extend(block)
            i = j + 1
            if members:
                start = i
                i = annotate_members(src, i, members, kind, out)
                for mname in members:
                    # Doxygen cannot see this mismatch: say it here.
                    sys.stderr.write('%s:%d: warning: the comment documents '
                                     '"%s", which the %s does not declare\n'
                                     % (path, start, mname, kind))
            continue
        if (s == '/*' and not seen_code and not seen_file_doc):
            # The file's leading description becomes its @file block.
            out.append(line.replace('/*', '/** @file', 1))
            seen_file_doc = True
            in_file_doc = True
            i += 1
            continue
        if '/**<' in line:
            k = line.index('/**<')
            line = line[:k] + refs(line[k:])
        elif in_file_doc:
            line = refs(line)
        if in_file_doc and '*/' in line:
            in_file_doc = False
        if s and not s.startswith('/*') and not s.startswith('*') \
                and not s.startswith('//'):
            seen_code = True
        out.append(line)
        i += 1
    sys.stdout.write('\n'.join(out))


if __name__ == '__main__':
    main()
