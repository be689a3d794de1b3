"""keeper.py - drive tests/tools/keeperd (the sealed keystore) from Python.

Shared by the keystore integration tests. Every read has a deadline, so a hung
driver fails the test instead of hanging it; processes are stopped by PID.
"""
import os
import select
import signal
import subprocess
import time

REPLY_TIMEOUT_S = 30.0


class KeeperError(Exception):
    pass


class Keeper:
    """One keeperd process on a store spec (e.g. 'sqlite:/tmp/x/ward.db')."""

    def __init__(self, exe, spec):
        self.proc = subprocess.Popen([exe, spec], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, bufsize=0)
        self.buf = b""
        first = self.readline()
        if first != "ready":
            self.kill()
            raise KeeperError("keeperd did not start: " + first)

    @property
    def pid(self):
        return self.proc.pid

    def readline(self, timeout=REPLY_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise KeeperError("keeperd did not answer in time")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise EOFError("keeperd closed its output")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def cmd(self, line):
        """Send one command; return (final line, lines before it)."""
        self.send(line)
        before = []
        while True:
            got = self.readline()
            if got.startswith("ok") or got.startswith("err"):
                return got, before
            before.append(got)

    def ok(self, line):
        got, before = self.cmd(line)
        if not got.startswith("ok"):
            raise KeeperError("%s -> %s" % (line.split()[0], got))
        return got, before

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


def init_shamir(k, threshold, shares):
    _, lines = k.ok("init-shamir %d %d" % (threshold, shares))
    got = [l.split()[1] for l in lines if l.startswith("share ")]
    token = [l.split()[1] for l in lines if l.startswith("token ")][0]
    return got, token


def unseal(k, shares):
    last = None
    for s in shares:
        last, _ = k.cmd("unseal " + s)
    return last


def status(k):
    got, _ = k.ok("status")
    return dict(kv.split("=") for kv in got.split()[1:])
