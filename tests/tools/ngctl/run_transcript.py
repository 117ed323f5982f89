#!/usr/bin/env python3
"""run_transcript.py - run an ngctl transcript against a fresh ngraphd and
compare.

usage: run_transcript.py --ngctl PATH --ngraphd PATH --backend NAME
                         [--update] FILE.t

A transcript is what a terminal would show, cram-style:

    ## a comment (kept, not compared)
    $ ngctl -n c1 -f -          a command line (shell words)
    > mkpeer . tee t left       lines given to its standard input
    There are ...               what it prints on stdout
    ! ngctl: send msg: ...      what it prints on stderr, after "! "
    [rc 71]                     its exit status, when not 0

"ngctl" as the first word runs the ngctl under test with --socket added;
"cat FILE" prints a file; "mkfile FILE N" writes N zero bytes to FILE;
"putfile FILE WORD..." writes the words as one line to FILE;
"dotcheck FILE" has Graphviz's dot render FILE (printing nothing if it
can).  @TMP@ in a word or an input line is the test's temporary directory
(written back as @TMP@ in the output), @SRC@ the transcript's own
directory.  Each transcript gets its own ngraphd, so node IDs are assigned
in the same order every run and the transcripts show them as they are (no
normalisation).  Only the first command of a transcript may depend on
which nodes exist: the node of an ngctl that has exited may take a
moment to go.

The regenerated transcript must equal the file; --update (or NGCTL_UPDATE=1)
writes it instead.  Exit status 0 when equal, 1 when not, 2 on a harness
error (the daemon did not start, a command hung, ngraphd did not exit 0).
"""

import argparse
import difflib
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ngdaemon import Daemon  # noqa: E402

COMMAND_TIMEOUT_S = 20


def parse(path):
    """The blocks of a transcript: (comments, command, stdin lines)."""
    blocks = []
    comments = []
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines:
        if line.startswith("## "):
            comments.append(line)
        elif line.startswith("$ "):
            blocks.append((comments, line[2:], []))
            comments = []
        elif (line == ">" or line.startswith("> ")) and blocks and not comments:
            blocks[-1][2].append(line[2:])
    return blocks, comments, lines


def run_block(cmd, stdin_lines, ngctl, daemon, srcdir):
    words = [w.replace("@TMP@", daemon.tmp).replace("@SRC@", srcdir) for w in shlex.split(cmd)]
    stdin_lines = [s.replace("@TMP@", daemon.tmp).replace("@SRC@", srcdir) for s in stdin_lines]
    if words[0] == "cat":
        out = []
        for name in words[1:]:
            with open(name, errors="replace") as f:
                out.extend(f.read().splitlines())
        return out
    if words[0] == "mkfile":
        with open(words[1], "wb") as f:
            f.write(bytes(int(words[2])))
        return []
    if words[0] == "putfile":
        with open(words[1], "w") as f:
            f.write(" ".join(words[2:]) + "\n")
        return []
    if words[0] == "dotcheck":
        # Graphviz (scripts/deps.sh installs it) must accept the file.
        try:
            p = subprocess.run(["dot", "-Tpng", "-o", os.devnull] + words[1:],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=COMMAND_TIMEOUT_S)
        except FileNotFoundError:
            return ["dot: not installed (graphviz)"]
        out = p.stdout.decode(errors="replace").replace(daemon.tmp, "@TMP@").splitlines()
        return out + ([] if p.returncode == 0 else ["[rc %d]" % p.returncode])
    if words[0] != "ngctl":
        raise RuntimeError("unknown command in transcript: %r" % cmd)
    argv = [ngctl, "--socket", daemon.sock] + words[1:]
    env = dict(os.environ, LC_ALL="C")
    env.pop("NGRAPH_SOCKET", None)
    data = "".join(s + "\n" for s in stdin_lines).encode()
    try:
        p = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=COMMAND_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise RuntimeError("%r did not finish in %d s" % (cmd, COMMAND_TIMEOUT_S))
    out = p.stdout.decode(errors="replace").replace(daemon.tmp, "@TMP@").splitlines()
    err = p.stderr.decode(errors="replace").replace(daemon.tmp, "@TMP@").splitlines()
    out += ["! " + e for e in err]
    if p.returncode != 0:
        out.append("[rc %d]" % p.returncode)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ngctl", required=True)
    ap.add_argument("--ngraphd", required=True)
    ap.add_argument("--backend", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("transcript")
    args = ap.parse_args()
    update = args.update or os.environ.get("NGCTL_UPDATE") == "1"

    blocks, trailing, expected = parse(args.transcript)
    srcdir = os.path.dirname(os.path.abspath(args.transcript))
    actual = []
    try:
        with Daemon(args.ngraphd, args.backend) as d:
            for comments, cmd, stdin_lines in blocks:
                actual.extend(comments)
                actual.append("$ " + cmd)
                actual.extend(("> " + s) if s else ">" for s in stdin_lines)
                actual.extend(run_block(cmd, stdin_lines, args.ngctl, d, srcdir))
            actual.extend(trailing)
            rc = d.stop()
            if rc != 0:
                sys.stderr.write("ngraphd exited with %d:\n%s" % (rc, d.log()))
                return 2
    except RuntimeError as e:
        sys.stderr.write("%s\n" % e)
        return 2

    if update:
        with open(args.transcript, "w") as f:
            f.write("".join(s + "\n" for s in actual))
        return 0
    if actual != expected:
        sys.stdout.write("".join(difflib.unified_diff(
            [s + "\n" for s in expected], [s + "\n" for s in actual],
            args.transcript, "actual")))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
