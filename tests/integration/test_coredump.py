#!/usr/bin/python3
"""test_coredump.py - a core image of an unsealed keystore holds no key.

The test unwraps the root key itself, from docs/storage-format.md and the
shares it was given (its own GF(2^8) Shamir combine and AES-GCM from
python3-cryptography, sharing no code with Ward), decrypts the keyring with
it, then takes `gcore` of the running, unsealed keeperd and searches the image
for the root key, the KEK and every term key. A marker value the process did
print must be found, so the search is shown to work.
usage: test_coredump.py KEEPERD
"""
import base64
import mmap
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keeper import Keeper, init_shamir, unseal


def gf_mul(a, b):
    r = 0
    while b:
        if b & 1:
            r ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11D
        b >>= 1
    return r


def gf_inv(a):
    r = 1
    for _ in range(254):
        r = gf_mul(r, a)
    return r


def combine(shares):
    """Lagrange interpolation at x = 0 over GF(2^8), byte by byte."""
    xs = [s[0] for s in shares]
    out = bytearray(len(shares[0][1]))
    for i, (xi, yi) in enumerate(shares):
        li = 1
        for j, xj in enumerate(xs):
            if j != i:
                li = gf_mul(li, gf_mul(xj, gf_inv(xj ^ xi)))
        for n in range(len(out)):
            out[n] ^= gf_mul(yi[n], li)
    return bytes(out)


def parse_share(text):
    raw = base64.b64decode(text, validate=True)
    assert len(raw) == 43 and raw[0] == 1
    return raw[10], raw[11:43]


def root_and_terms(db, shares):
    con = sqlite3.connect(db)
    seal = con.execute("SELECT value FROM ward_entries WHERE path='core/seal'").fetchone()[0]
    ring = con.execute("SELECT value FROM ward_entries WHERE path='core/keyring'").fetchone()[0]
    con.close()
    kek = combine([parse_share(s) for s in shares])
    assert len(seal) == 172 and seal[0] == 1 and seal[1] == 1
    root = AESGCM(kek).decrypt(seal[112:124], seal[124:172], seal[:112] + b"core/seal")
    assert ring[0] == 1 and ring[1:5] == b"\0\0\0\0", "keyring is under term 0"
    plain = AESGCM(root).decrypt(ring[5:17], ring[17:], ring[:5] + b"core/keyring")
    n = int.from_bytes(plain[5:9], "big")
    terms = [plain[9 + 44 * i + 12: 9 + 44 * i + 44] for i in range(n)]
    return kek, root, terms


def main(exe):
    tmp = tempfile.mkdtemp(prefix="ward-core-")
    db = os.path.join(tmp, "ward.db")
    k = None
    try:
        k = Keeper(exe, "sqlite:" + db)
        shares, _ = init_shamir(k, 2, 3)
        assert unseal(k, shares[1:3]).startswith("ok"), "unseal"
        k.ok("rotate")
        k.ok("put app/secret MARKER-visible-in-core-1234")
        assert k.cmd("get app/secret")[0] == "ok MARKER-visible-in-core-1234"
        kek, root, terms = root_and_terms(db, shares[:2])
        assert len(terms) == 2
        core = os.path.join(tmp, "core")
        subprocess.run(["gcore", "-o", core, str(k.pid)], check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path = core + "." + str(k.pid)
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as image:
            assert len(image) > 100000, "core image too small to mean anything"
            assert image.find(b"MARKER-visible-in-core-1234") >= 0, "search control failed"
            assert image.find(root) < 0, "root key found in the core image"
            assert image.find(kek) < 0, "KEK found in the core image"
            for t in terms:
                assert image.find(t) < 0, "a keyring term key found in the core image"
            size = len(image)
        print("coredump: %d bytes searched; root key, KEK and %d term keys absent"
              % (size, len(terms)))
    finally:
        if k is not None:
            k.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1])
