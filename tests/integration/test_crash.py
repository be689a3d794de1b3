#!/usr/bin/python3
"""test_crash.py - SIGKILL the keystore at random points, then check the store.

Rounds kill keeperd (on a real SQLite file) during init, rekey, rotate,
re-encryption and a stream of writes, at least KILLS times in all. After each
restart the store must be in the old or the new state, never a mix, and every
acknowledged write must be there with its value (or a later, unacknowledged
value of the same key that was in flight). Bounded: fixed round count, every
reply has a deadline.
usage: test_crash.py KEEPERD [KILLS]
"""
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time

from keeper import Keeper, KeeperError, init_shamir, status, unseal


def core_rows(db):
    con = sqlite3.connect(db)
    rows = {p for (p,) in con.execute("SELECT path FROM ward_entries WHERE path LIKE 'core/%'")}
    con.close()
    return rows


def kill_later(k, delay_s):
    t = threading.Timer(delay_s, k.kill)
    t.start()
    return t


class World:
    """What the test knows the store must hold."""

    def __init__(self, tmp):
        self.db = os.path.join(tmp, "ward-%d.db" % random.randrange(1 << 30))
        self.spec = "sqlite:" + self.db
        self.shares = None
        self.acked = {}      # key -> last acknowledged value
        self.inflight = {}   # key -> value sent, no ack seen
        self.term = None


def pump_writes(k, w, n):
    """Send puts until killed; record acks. Returns when the process dies."""
    try:
        for i in range(n):
            key = "k%d" % random.randrange(40)
            val = "v%d_%d" % (i, random.randrange(1 << 30))
            w.inflight[key] = val
            got, _ = k.cmd("put %s %s" % (key, val))
            if got != "ok":
                raise AssertionError("put refused: " + got)
            w.acked[key] = val
            del w.inflight[key]
    except (EOFError, KeeperError, BrokenPipeError, OSError):
        pass


def check(exe, w):
    """Restart, unseal, and hold the store to what was acknowledged."""
    k = Keeper(exe, w.spec)
    try:
        got = unseal(k, w.shares[:2])
        assert got.startswith("ok") and "sealed=0" in got, "unseal after crash: %s" % got
        got, _ = k.cmd("verify")
        assert got.startswith("ok"), "verify after crash: " + got
        for key, val in w.acked.items():
            got, _ = k.cmd("get " + key)
            allowed = {"ok " + val}
            if key in w.inflight:
                allowed.add("ok " + w.inflight[key])
            assert got in allowed, "acknowledged write lost: %s=%s got %s" % (key, val, got)
            w.acked[key] = got[3:]
        w.inflight.clear()
        st = status(k)
        if w.term is not None:
            assert int(st["term"]) >= w.term, "term went back"
        w.term = int(st["term"])
    finally:
        k.close()


def calibrate(exe, tmp):
    """How long an uninterrupted init takes here: kills aim inside that window."""
    w = World(tmp)
    k = Keeper(exe, w.spec)
    start = time.monotonic()
    init_shamir(k, 2, 3)
    took = time.monotonic() - start
    k.close()
    return took


def round_init(exe, w, window_s):
    k = Keeper(exe, w.spec)
    t = kill_later(k, random.uniform(0.0, window_s))
    shares = None
    try:
        shares, _ = init_shamir(k, 2, 3)
    except (EOFError, KeeperError, BrokenPipeError, OSError, IndexError):
        pass
    t.join()
    k.kill()
    rows = core_rows(w.db) if os.path.exists(w.db) else set()
    assert rows in (set(), {"core/seal", "core/keyring", "core/root-token"}), \
        "init left a partial state: %r" % rows
    if shares is not None:
        assert rows, "acknowledged init lost"
        w.shares = shares
        return True
    return False


def round_writes(exe, w):
    k = Keeper(exe, w.spec)
    unseal(k, w.shares[:2])
    t = kill_later(k, random.uniform(0.005, 0.08))
    pump_writes(k, w, 10000)
    t.join()


def round_rotate(exe, w, window_s):
    k = Keeper(exe, w.spec)
    unseal(k, w.shares[:2])
    t = kill_later(k, random.uniform(0.0, window_s))
    try:
        got, _ = k.cmd("rotate")
        if got.startswith("ok"):
            w.term = int(got.split("=")[1])
        pump_writes(k, w, 10000)
    except (EOFError, KeeperError, BrokenPipeError, OSError):
        pass
    t.join()


def round_reencrypt(exe, w, window_s):
    k = Keeper(exe, w.spec)
    unseal(k, w.shares[:2])
    k.ok("rotate")
    w.term = None
    t = kill_later(k, random.uniform(0.0, window_s * (1 + len(w.acked))))
    try:
        k.cmd("reencrypt")
    except (EOFError, KeeperError, BrokenPipeError, OSError):
        pass
    t.join()


def round_rekey(exe, w, window_s):
    """Returns False if the rekey committed but its new shares were lost with the kill."""
    k = Keeper(exe, w.spec)
    unseal(k, w.shares[:2])
    got, _ = k.ok("rekey-init 2 3")
    nonce = got.split("=")[1]
    t = kill_later(k, random.uniform(0.0, window_s))
    new = None
    try:
        k.ok("rekey-update %s %s" % (nonce, w.shares[0]))
        _, lines = k.ok("rekey-update %s %s" % (nonce, w.shares[1]))
        new = [l.split()[1] for l in lines if l.startswith("share ")]
    except (EOFError, KeeperError, BrokenPipeError, OSError):
        pass
    t.join()
    if new:
        w.shares = new
        return True
    k = Keeper(exe, w.spec)
    got = unseal(k, w.shares[:1])
    k.close()
    if got.startswith("err share_mismatch"):
        return False  # the new state, whose shares died with the process
    assert got.startswith("ok"), "old shares must still work: " + got
    return True


def main(exe, kills):
    tmp = tempfile.mkdtemp(prefix="ward-crash-")
    rng_seed = int(os.environ.get("WARD_CRASH_SEED", str(int(time.time()))))
    random.seed(rng_seed)
    print("seed", rng_seed)
    counts = {"init": 0, "writes": 0, "rotate": 0, "reencrypt": 0, "rekey": 0}
    deadline = time.monotonic() + 600
    try:
        init_s = calibrate(exe, tmp)
        print("an init takes %.1f ms here" % (init_s * 1000))
        w = None
        done = 0
        while done < kills:
            assert time.monotonic() < deadline, "crash test ran past its time bound"
            if w is None or w.shares is None:
                w = World(tmp)  # every init round starts on a fresh file
                counts["init"] += 1
                done += 1
                if round_init(exe, w, 1.5 * init_s):
                    check(exe, w)
                continue
            kind = random.choice(["writes", "writes", "writes", "rotate", "reencrypt", "rekey"])
            counts[kind] += 1
            done += 1
            if kind == "writes":
                round_writes(exe, w)
            elif kind == "rotate":
                round_rotate(exe, w, 3 * init_s)
            elif kind == "reencrypt":
                round_reencrypt(exe, w, init_s)
            elif not round_rekey(exe, w, 3 * init_s):
                w = None
                continue
            check(exe, w)
            if random.random() < 0.25:
                w = None  # start a new store now and then, to kill more inits
        print("crash: %d kills survived %r" % (done, counts))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200)
