"""ngdaemon.py - what the ngctl tests share: a private ngraphd on a socket in
a temporary directory, started in the foreground, waited for until its
socket accepts a connection (a bare connect: no HELLO, so no node is made
and node IDs stay the same from run to run), and stopped (SIGTERM, then
SIGKILL) with the directory removed, also when the test fails (and
killed by the kernel if the test itself is killed).
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0

_PR_SET_PDEATHSIG = 1


def die_with_parent():
    """preexec_fn: the child gets SIGKILL if the test process dies (a ctest
    timeout), so that no daemon outlives its test."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class Daemon:
    def __init__(self, ngraphd, backend):
        self.ngraphd = ngraphd
        self.backend = backend
        self.tmp = tempfile.mkdtemp(prefix="ngctl-test-")
        self.sock = os.path.join(self.tmp, "run", "s")
        self.log_path = os.path.join(self.tmp, "ngraphd.log")
        self.proc = None
        self.rc = None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        self.cleanup()
        return False

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def start(self):
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [self.ngraphd, "--socket", self.sock, "--backend", self.backend],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=die_with_parent)
        finally:
            log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("ngraphd exited with %d before serving:\n%s"
                                   % (self.proc.returncode, self.log()))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            try:
                s.connect(self.sock)
                return
            except OSError:
                pass
            finally:
                s.close()
            if time.monotonic() > deadline:
                raise RuntimeError("ngraphd does not answer on %s after %.0f s:\n%s"
                                   % (self.sock, START_TIMEOUT_S, self.log()))
            time.sleep(0.02)

    def stop(self):
        """SIGTERM the daemon and return its exit status."""
        if self.proc is None or self.rc is not None:
            return self.rc
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                sys.stderr.write("ngraphd ignored SIGTERM for %.0f s: killed\n"
                                 % STOP_TIMEOUT_S)
        self.rc = self.proc.returncode
        return self.rc

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)
