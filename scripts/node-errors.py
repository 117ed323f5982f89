#!/usr/bin/env python3
"""node-errors.py - collect the bad-input tables of the node type pages.

Every page docs/nodes/<type>.md (README.md excepted) may have a section
"## ERRORS" holding markdown tables whose header is "| bad input | result |"
(other tables there are ignored).
This script gathers the rows of all those tables into one table

    | type | bad input | result |

sorted by type (rows of one type keep the page's order), for the section of
docs/reliability.md between the markers

    <!-- node-errors:begin -->
    <!-- node-errors:end -->

Usage:
    scripts/node-errors.py                 print the table on stdout
    scripts/node-errors.py --check FILE    exit 1 if FILE's marked section differs
    scripts/node-errors.py --update FILE   rewrite FILE's marked section
    options: --docs DIR (the pages' folder; default docs/nodes of this checkout)

Pages without an ERRORS section (or whose section has no such table) are
listed on stderr and otherwise skipped.  Exit status: 0 success (--check: the
section is up to date); 1 --check found a difference (a unified diff goes to
stderr); 2 usage error, unreadable file, a malformed table, or FILE without
both markers (in that order).  Python 3 standard library only.
"""

import argparse
import difflib
import os
import re
import sys

BEGIN = "<!-- node-errors:begin -->"
END = "<!-- node-errors:end -->"
HEADER = ("bad input", "result")


class TableError(Exception):
    pass


def split_row(line):
    """Cells of a markdown table row; `\\|` is a literal pipe (kept escaped)."""
    s = line.strip()
    if not s.startswith("|"):
        return None
    cells, cur, i = [], [], 1
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur.append(s[i : i + 2])
            i += 2
            continue
        if c == "|":
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    tail = "".join(cur).strip()
    if tail:  # a row without its closing pipe
        cells.append(tail)
    return cells


def is_separator(cells):
    return bool(cells) and all(re.fullmatch(r":?-{3,}:?", c) for c in cells)


def errors_section(text):
    """Lines of the '## ERRORS' section (None if the page has none)."""
    lines = text.splitlines()
    out, inside, fence = None, False, False
    for line in lines:
        if line.lstrip().startswith("```"):
            fence = not fence
        if not fence and re.match(r"^##\s", line):
            if inside:
                break
            if re.fullmatch(r"##\s+ERRORS\s*", line.rstrip()):
                inside, out = True, []
                continue
        if inside:
            out.append(line)
    return out


def page_rows(path):
    """(rows, problem): the rows of every bad-input table of the page's ERRORS
    section, in order, or None and a reason."""
    with open(path, encoding="utf-8") as f:
        section = errors_section(f.read())
    if section is None:
        return None, "no ERRORS section"
    rows, tables, n = [], 0, 0
    while n < len(section):
        cells = split_row(section[n])
        n += 1
        if cells is None or tuple(c.lower() for c in cells) != HEADER:
            continue
        tables += 1
        if n >= len(section) or not is_separator(split_row(section[n]) or []):
            raise TableError("%s: an ERRORS table has no separator row" % path)
        n += 1
        while n < len(section):
            row = section[n]
            cells = split_row(row)
            if cells is None:
                break
            if len(cells) != 2 or not cells[0] or not cells[1]:
                raise TableError("%s: malformed ERRORS row: %s" % (path, row.strip()))
            rows.append((cells[0], cells[1]))
            n += 1
    if not tables:
        return None, "ERRORS section without a '| bad input | result |' table"
    if not rows:
        return None, "ERRORS table has no rows"
    return rows, None


def collect(docs):
    """The combined table (a string ending in a newline)."""
    try:
        names = sorted(os.listdir(docs))
    except OSError as e:
        raise TableError("%s: %s" % (docs, e.strerror))
    table = []
    for name in names:
        if not name.endswith(".md") or name == "README.md":
            continue
        path = os.path.join(docs, name)
        if not os.path.isfile(path):
            continue
        rows, problem = page_rows(path)
        if rows is None:
            print("node-errors: %s: %s (skipped)" % (path, problem), file=sys.stderr)
            continue
        typ = name[: -len(".md")]
        table.extend((typ, bad, res) for bad, res in rows)
    table.sort(key=lambda r: r[0])  # stable: a page's rows keep their order
    out = ["| type | bad input | result |", "|---|---|---|"]
    out += ["| `%s` | %s | %s |" % r for r in table]
    return "\n".join(out) + "\n"


def split_file(path):
    """(head, section, tail) of FILE around the markers."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    b = text.find(BEGIN)
    e = text.find(END, b + len(BEGIN)) if b >= 0 else -1
    if b < 0 or e < 0:
        raise TableError("%s: markers %s ... %s not found" % (path, BEGIN, END))
    head = text[: b + len(BEGIN)]
    return head, text[b + len(BEGIN) : e], text[e:]


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        description="Collect the ERRORS tables of docs/nodes/*.md into one table."
    )
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", metavar="FILE", help="exit 1 if FILE's marked section differs")
    mode.add_argument("--update", metavar="FILE", help="rewrite FILE's marked section")
    ap.add_argument(
        "--docs",
        metavar="DIR",
        default=os.path.normpath(os.path.join(here, "..", "docs", "nodes")),
        help="folder of the node pages (default: docs/nodes of this checkout)",
    )
    args = ap.parse_args(argv)
    try:
        table = collect(args.docs)
        if not args.check and not args.update:
            sys.stdout.write(table)
            return 0
        path = args.check or args.update
        head, section, tail = split_file(path)
        want = "\n" + table
        if args.check:
            if section == want:
                return 0
            diff = difflib.unified_diff(
                section.splitlines(True),
                want.splitlines(True),
                path + " (marked section)",
                "node-errors.py",
            )
            sys.stderr.writelines(diff)
            print("node-errors: %s is out of date: run %s --update %s"
                  % (path, sys.argv[0], path), file=sys.stderr)
            return 1
        if section != want:
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(head + want + tail)
            os.replace(tmp, path)
        return 0
    except (TableError, OSError, UnicodeDecodeError) as e:
        print("node-errors: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
