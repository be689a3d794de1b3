#!/usr/bin/python3
"""test_tamper.py - edit the SQLite file behind Ward's back; every edit is refused.

A flipped bit, an entry copied to another path, a forged entry, a garbage file
and a truncated database: each gets a clear error and nothing is used.
usage: test_tamper.py KEEPERD
"""
import os
import shutil
import sqlite3
import sys
import tempfile

from keeper import Keeper, init_shamir, unseal


def edit(db, fn):
    con = sqlite3.connect(db)
    fn(con)
    con.commit()
    con.close()


def value_of(con, path):
    return con.execute("SELECT value FROM ward_entries WHERE path=?", (path,)).fetchone()[0]


def put_raw(con, path, value):
    con.execute("INSERT OR REPLACE INTO ward_entries(path, version, value) VALUES (?, 1, ?)",
                (path, value))


def main(exe):
    tmp = tempfile.mkdtemp(prefix="ward-tamper-")
    db = os.path.join(tmp, "ward.db")
    spec = "sqlite:" + db
    try:
        k = Keeper(exe, spec)
        shares, _ = init_shamir(k, 2, 3)
        assert unseal(k, shares[:2]).startswith("ok"), "unseal"
        for p, v in (("a", "alpha"), ("b", "bravo"), ("c", "charlie")):
            k.ok("put %s %s" % (p, v))
        k.close()

        def flip(con):
            v = bytearray(value_of(con, "a"))
            v[len(v) - 20] ^= 0x01
            put_raw(con, "a", bytes(v))

        def move(con):
            put_raw(con, "moved", value_of(con, "b"))

        def forge(con):
            put_raw(con, "forged", bytes([1, 0, 0, 0, 1]) + os.urandom(40))

        def swap(con):
            b, c = value_of(con, "b"), value_of(con, "c")
            put_raw(con, "b", c)
            put_raw(con, "c", b)

        edit(db, flip)
        edit(db, move)
        edit(db, forge)
        k = Keeper(exe, spec)
        assert unseal(k, shares[1:]).startswith("ok"), "unseal after edits"
        assert k.cmd("get a")[0] == "err integrity", "flipped bit must be refused"
        assert k.cmd("get moved")[0] == "err integrity", "moved entry must be refused"
        assert k.cmd("get forged")[0] == "err integrity", "forged entry must be refused"
        assert k.cmd("get b")[0] == "ok bravo", "untouched entries still read"
        assert k.cmd("verify")[0].startswith("err integrity"), "verify finds the damage"
        k.close()
        edit(db, swap)
        k = Keeper(exe, spec)
        unseal(k, shares[:2])
        assert k.cmd("get b")[0] == "err integrity", "swapped entries must be refused"
        assert k.cmd("get c")[0] == "err integrity", "swapped entries must be refused"
        k.close()

        # a database cut in half and a file of garbage are refused at open
        half = os.path.join(tmp, "half.db")
        shutil.copy(db, half)
        with open(half, "r+b") as f:
            f.truncate(os.path.getsize(half) // 2)
        for bad in (half,):
            try:
                k = Keeper(exe, "sqlite:" + bad)
                got = k.cmd("status")[0]
                k.close()
                assert got.startswith("err storage_corrupt") or got.startswith("err"), got
            except Exception as e:  # refused at open: "err storage_corrupt"
                assert "storage_corrupt" in str(e), str(e)
        garbage = os.path.join(tmp, "garbage.db")
        with open(garbage, "wb") as f:
            f.write(os.urandom(8192))
        try:
            Keeper(exe, "sqlite:" + garbage)
            raise AssertionError("a garbage file must be refused")
        except Exception as e:
            assert "storage_corrupt" in str(e), str(e)
        print("tamper: all edits refused")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1])
