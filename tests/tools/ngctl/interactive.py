#!/usr/bin/env python3
"""interactive.py - ngctl's interactive mode in a real terminal (a pty):

  1. the command summary and the "+ " prompt appear;
  2. `mkpeer echo x y` then `list` shows both nodes;
  3. `write x 0x41 0x42 0x43`: the echo node sends the packet back and
     ngctl prints it as it arrives (`Rec'd data packet on hook "x":` and
     the hex dump);
  4. while "lis" is half typed, another ngctl sends ngctl's node a message
     and connects a hook of its own to it and writes a packet: both are
     printed at once (`Rec'd command ...`, `Rec'd data packet on hook
     "t2":`), the prompt and "lis" are redrawn, and typing "t" + Enter runs
     `list`;
  5. Ctrl-P (history) + Enter runs `list` again;
  6. `quit` ends ngctl with status 0;
  7. a second interactive ngctl whose node is shut down by another says
     "lost the connection to the node" and exits with status 71.

usage: interactive.py --ngctl PATH --ngraphd PATH --backend NAME
Every wait is bounded (WAIT_S); the daemon and ngctl are killed on failure.
"""

import argparse
import os
import pty
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ngdaemon import Daemon, die_with_parent  # noqa: E402

WAIT_S = 15.0


class Term:
    """ngctl on the slave side of a pty; everything it printed is in .out."""

    def __init__(self, argv, env):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     close_fds=True, start_new_session=True,
                                     preexec_fn=die_with_parent)
        os.close(slave)
        self.out = ""
        self.mark = 0

    def read_some(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the slave side is closed
            return False
        if not data:
            return False
        self.out += data.decode(errors="replace")
        return True

    def expect(self, pattern, what):
        """Wait until pattern (a regex) appears after the mark; move the mark
        past it and return the match."""
        rx = re.compile(pattern, re.S)
        deadline = time.monotonic() + WAIT_S
        while True:
            m = rx.search(self.out, self.mark)
            if m:
                self.mark = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0 or (not self.read_some(min(left, 0.5)) and self.proc.poll() is not None
                             and not self.read_some(0)):
                raise AssertionError("%s: %r not seen; ngctl printed:\n%s"
                                     % (what, pattern, self.out))

    def send(self, s):
        os.write(self.master, s.encode())

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ngctl", required=True)
    ap.add_argument("--ngraphd", required=True)
    ap.add_argument("--backend", required=True)
    args = ap.parse_args()
    env = dict(os.environ, TERM="vt100", LC_ALL="C", HOME="/nonexistent")
    env.pop("NGRAPH_SOCKET", None)

    with Daemon(args.ngraphd, args.backend) as d:
        t = Term([args.ngctl, "--socket", d.sock, "-n", "tty"], env)
        try:
            t.expect(r"Available commands:.*quit +Exit program", "summary")
            t.expect(r"\+ ", "first prompt")

            t.send("mkpeer echo x y\r")
            t.expect(r"\+ ", "prompt after mkpeer")
            t.send("list\r")
            t.expect(r"There are 2 total nodes:", "list")
            t.expect(r"Name: tty +Type: socket", "list: own node")
            t.expect(r"\+ ", "prompt after list")

            t.send("write x 0x41 0x42 0x43\r")
            t.expect(r'Rec\'d data packet on hook "x":\s*\r?\n'
                     r"0000:  41 42 43 {40} ABC", "echoed packet")

            t.expect(r"\+ ", "prompt after write")
            t.send("lis")
            t.expect(r"lis", "echo of the half-typed line")
            # textconfig: a generic command the socket node's type handles,
            # so it reaches tty's client (and, having no NGM_HASREPLY, does
            # not make the sender wait for an answer).
            script = b"msg tty: textconfig\nconnect tty: o t2\nwrite o 0x44 0x45\n"
            other = subprocess.run([args.ngctl, "--socket", d.sock, "-n", "other", "-f", "-"],
                                   env=env, input=script, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=WAIT_S)
            if other.returncode != 0:
                raise AssertionError("second ngctl failed (%d): %s"
                                     % (other.returncode, other.stdout.decode()))
            t.expect(r'Rec\'d command [^\r\n]*from "\[[0-9a-f]+\]:":', "asynchronous message")
            t.expect(r'Rec\'d data packet on hook "t2":\s*0000:  44 45 ', "asynchronous data")
            t.expect(r"\+ lis", "prompt and line redrawn")
            t.send("t\r")
            t.expect(r"There are \d+ total nodes:", "list typed across the message")
            t.expect(r"\+ ", "prompt after list")

            t.send("\x10\r")  # Ctrl-P: the previous line from the history
            t.expect(r"There are \d+ total nodes:", "list from the history")
            t.expect(r"\+ ", "prompt after history")

            t.send("quit\r")
            try:
                rc = t.proc.wait(WAIT_S)
            except subprocess.TimeoutExpired:
                raise AssertionError("ngctl did not exit after quit:\n%s" % t.out)
            t.read_some(0)
            if os.environ.get("NGCTL_SHOW"):
                sys.stdout.write(t.out)
            if rc != 0:
                raise AssertionError("ngctl exited with %d:\n%s" % (rc, t.out))
            # 7. the node is shut down under a second interactive ngctl:
            #    it says so and exits with EX_OSERR.
            t.close()
            t = Term([args.ngctl, "--socket", d.sock, "-n", "tty2"], env)
            t.expect(r"\+ ", "second session's prompt")
            other = subprocess.run([args.ngctl, "--socket", d.sock, "-n", "killer",
                                    "shutdown", "tty2:"], env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=WAIT_S)
            if other.returncode != 0:
                raise AssertionError("shutdown tty2: failed (%d): %s"
                                     % (other.returncode, other.stdout.decode()))
            t.expect(r"lost the connection to the node", "lost connection")
            try:
                rc = t.proc.wait(WAIT_S)
            except subprocess.TimeoutExpired:
                raise AssertionError("ngctl did not exit without its node:\n%s" % t.out)
            if rc != 71:
                raise AssertionError("ngctl without its node exited with %d:\n%s" % (rc, t.out))
        except AssertionError as e:
            sys.stderr.write("FAIL: %s\n" % e)
            return 1
        finally:
            t.close()
        rc = d.stop()
        if rc != 0:
            sys.stderr.write("ngraphd exited with %d:\n%s" % (rc, d.log()))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
