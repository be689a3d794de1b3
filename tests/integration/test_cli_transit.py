#!/usr/bin/python3
"""test_cli_transit.py - `ward transit ...` end to end against a real `ward server`.

Usage: test_cli_transit.py PATH/TO/ward

A configured server (tests/integration/wardserver.py) is initialised and
unsealed through the CLI, then only the `ward` binary drives transit: key
management (create, read, list, config, rotate, trim, state, delete with its
refusal), data (encrypt from stdin, decrypt by name and by Ward's nameless
decrypt, rewrap, datakey, random, hash, hmac, sign and verify), export and
its refusal, backup and restore, BYOK import through the wrapping key and
wrap-for, usage errors, and that no plaintext reaches the server's log.
python3-cryptography checks results from outside where it can.

Nothing is skipped: a server that cannot start is a failure.
"""
import base64
import hashlib
import os
import re
import subprocess
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

import test_cli as cli
from test_cli import Failure, as_json, check, expect, expect_error, table
from wardserver import WardServer

MARKER = b"ward-cli-transit-marker-\x00\xff\n-5c1e"
SUBS = ["list", "create", "read", "delete", "config", "rotate", "trim", "state", "export",
        "backup", "restore", "wrapping-key", "import", "wrap-for", "encrypt", "decrypt",
        "rewrap", "datakey", "random", "hash", "hmac", "sign", "verify"]


def ward(env, *args, stdin=""):
    return cli.ward(env, "transit", *args, stdin=stdin)


def wardb(env, *args, stdin=b""):
    """ward transit with bytes in and out (stdout as bytes, stderr as text)."""
    p = subprocess.run([cli.WARD, "transit"] + list(args), input=stdin, capture_output=True,
                       env=env, timeout=cli.CMD_TIMEOUT)
    res = cli.Result(("transit",) + args, p.returncode, p.stdout,
                     p.stderr.decode("utf-8", "replace"))
    check(not cli.SANITIZER_RE.search(res.err), "sanitizer report", res)
    return res


def line(res):
    """The one line a bare-value command prints."""
    check(res.out.endswith("\n") and res.out.count("\n") == 1, "one line of output", res)
    return res.out.strip()


def start(env):
    res = expect(cli.ward(env, "operator", "init", "-key-shares=1", "-key-threshold=1"), 0, "init")
    key = re.search(r"^Unseal Key 1: (\S+)$", res.out, re.M).group(1)
    env["WARD_TOKEN"] = re.search(r"^Initial Root Token: (\S+)$", res.out, re.M).group(1)
    expect(cli.ward(env, "operator", "unseal", stdin=key + "\n"), 0, "unseal")


def test_usage(env):
    expect(ward(env), 2, "transit without subcommand")
    res = expect(ward(env, "-h"), 0, "transit -h")
    check(all(s in res.out for s in SUBS), "transit -h lists every subcommand", res)
    expect(ward(env, "bogus"), 2, "unknown subcommand")
    for sub in SUBS:
        res = expect(ward(env, sub, "--help"), 0, "%s --help" % sub)
        check(("Usage: ward transit " + sub) in res.out and "Example" in res.out, "help", res)
    expect(ward(env, "create"), 2, "create without NAME")
    expect(ward(env, "list", "extra"), 2, "list takes no NAME")
    expect(ward(env, "read", "a/b"), 2, "a name with '/'")
    expect(ward(env, "read", "a", "b"), 2, "two names")
    expect(ward(env, "read", "-type=rsa-2048", "k"), 2, "a flag of another subcommand")
    # SECURITY: there is no way to put a plaintext on the command line
    expect(ward(env, "encrypt", "-plaintext=c2VjcmV0", "k"), 2, "plaintext in argv")
    expect(ward(env, "trim", "k"), 2, "trim without -min-available-version")
    expect(ward(env, "state", "k"), 2, "state without -state")
    expect(ward(env, "verify", "k"), 2, "verify without -signature or -hmac")
    expect(ward(env, "verify", "-signature=a", "-hmac=b", "k"), 2, "verify with both")
    expect(ward(env, "export", "-kind=secret-key", "k"), 2, "unknown export kind")
    expect(ward(env, "datakey", "-type=both", "k"), 2, "unknown datakey type")
    expect(ward(env, "config", "-deletion-allowed=maybe", "k"), 2, "non-boolean")
    expect(ward(env, "config", "-min-decryption-version=x", "k"), 2, "non-numeric version")
    expect(ward(env, "decrypt", "-managed", "k", stdin="ward:v1:AA=="), 2, "-managed with NAME")
    expect(ward(env, "random", "-format=yaml"), 2, "bad -format")


def test_keys(env):
    expect_error(ward(env, "list"), "not_found", "no keys yet")
    rows = table(expect(ward(env, "create", "orders"), 0, "create"))
    check(rows["type"] == "aes256-gcm96" and rows["latest_version"] == "1", "create", rows)
    k = as_json(expect(ward(env, "create", "-type=ed25519", "-format=json", "signer"), 0,
                       "create ed25519"))
    check(k["data"]["type"] == "ed25519" and k["data"]["supports_signing"], "ed25519", k)
    rows = table(expect(ward(env, "create", "-type=hmac", "-key-size=64", "-exportable",
                             "-allowed-operations=hmac,export", "macs"), 0, "create hmac"))
    check(rows["key_size"] == "64" and rows["exportable"] == "true" and
          rows["allowed_operations"] == '["hmac","export"]', "hmac key settings", rows)
    res = expect(ward(env, "list"), 0, "list")
    check(res.out.split() == ["macs", "orders", "signer"], "list", res)
    expect_error(ward(env, "read", "nosuch"), "not_found", "read a missing key")
    rows = table(expect(ward(env, "read", "orders"), 0, "read"))
    check(rows["deletion_allowed"] == "false" and rows["state"] == "active", "read", rows)
    # delete is refused until the key's config allows it
    expect_error(ward(env, "delete", "macs"), "deletion_not_allowed", "delete refused")
    rows = table(expect(ward(env, "config", "-deletion-allowed=true", "macs"), 0, "config"))
    check(rows["deletion_allowed"] == "true", "deletion allowed", rows)
    res = expect(ward(env, "delete", "macs"), 0, "delete")
    check("Success" in res.out, "delete says so", res)
    expect_error(ward(env, "read", "macs"), "not_found", "deleted key")


def test_encrypt_decrypt(env):
    res = expect(wardb(env, "encrypt", "orders", stdin=MARKER), 0, "encrypt from stdin")
    ct = res.out.decode().strip()
    check(ct.startswith("ward:v1:") and res.out.endswith(b"\n"), "managed ciphertext", res)
    got = expect(wardb(env, "decrypt", "-ciphertext=" + ct, "orders"), 0, "decrypt by name")
    check(got.out == MARKER, "decrypt gives the same bytes", got)
    got = expect(wardb(env, "decrypt", stdin=(ct + "\n").encode()), 0, "nameless decrypt")
    check(got.out == MARKER, "Ward's decrypt gives the same bytes", got)
    got = expect(wardb(env, "decrypt", "-managed", "-ciphertext=" + ct), 0, "decrypt -managed")
    check(got.out == MARKER, "-managed", got)
    d = as_json(expect(ward(env, "decrypt", "-format=json", "-ciphertext=" + ct), 0, "json"))
    check(base64.b64decode(d["data"]["plaintext"]) == MARKER and
          d["data"]["key_name"] == "orders", "decrypt -format=json", d)
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "ward-cli-transit-%d" % os.getpid())
    with open(path, "wb") as f:
        f.write(b"")
    try:
        ct2 = line(expect(ward(env, "encrypt", "-plaintext-file=" + path, "orders"), 0, "empty"))
        got = expect(wardb(env, "decrypt", "-ciphertext=" + ct2), 0, "decrypt empty")
        check(got.out == b"", "an empty plaintext round-trips", got)
    finally:
        os.unlink(path)
    expect_error(ward(env, "encrypt", "-file=/nonexistent/x", "orders"), "system", "no file")
    # Vault's form needs the key's name
    vct = line(expect(ward(env, "encrypt", "-format=vault", "orders", stdin="v"), 0, "vault"))
    check(vct.startswith("vault:v1:"), "vault ciphertext", vct)
    expect_error(ward(env, "decrypt", "-ciphertext=" + vct), "bad_ciphertext", "vault, no name")
    check(expect(wardb(env, "decrypt", "-ciphertext=" + vct, "orders"), 0, "vault by name").out
          == b"v", "vault form by name")
    expect_error(ward(env, "decrypt", "-ciphertext=ward:v1:AAAA"), None, "garbage ciphertext")
    return ct


def test_rotate_rewrap(env, ct):
    rows = table(expect(ward(env, "rotate", "orders"), 0, "rotate"))
    check(rows["latest_version"] == "2", "rotated", rows)
    new = line(expect(ward(env, "rewrap", "orders", stdin=ct + "\n"), 0, "rewrap from stdin"))
    check(new != ct and new.startswith("ward:v1:"), "rewrapped", new)
    r = as_json(expect(ward(env, "rewrap", "-format=json", "-ciphertext=" + ct, "orders"), 0,
                       "rewrap json"))
    check(r["data"]["key_version"] == 2, "rewrap to the latest version", r)
    check(expect(wardb(env, "decrypt", "-ciphertext=" + new), 0, "decrypt rewrapped").out ==
          MARKER, "rewrapped plaintext")
    rows = table(expect(ward(env, "config", "-min-decryption-version=2", "orders"), 0, "min"))
    check(rows["min_decryption_version"] == "2", "min decryption version", rows)
    expect_error(ward(env, "decrypt", "-ciphertext=" + ct), "key_version", "old version refused")
    rows = table(expect(ward(env, "trim", "-min-available-version=2", "orders"), 0, "trim"))
    check(rows["min_available_version"] == "2", "trimmed", rows)
    rows = table(expect(ward(env, "rotate", "-pre-active", "orders"), 0, "rotate -pre-active"))
    check('"3":"pre-active"' in rows["version_states"], "pre-active version", rows)
    rows = table(expect(ward(env, "state", "-state=active", "-version=3", "orders"), 0, "state"))
    check('"3":"active"' in rows["version_states"], "activated", rows)


def test_sign_hmac(env):
    sig = line(expect(ward(env, "sign", "signer", stdin="message"), 0, "sign"))
    check(sig.startswith("vault:v1:"), "signature", sig)
    rows = table(expect(ward(env, "verify", "-signature=" + sig, "signer", stdin="message"), 0,
                        "verify"))
    check(rows["valid"] == "true", "valid", rows)
    rows = table(expect(ward(env, "verify", "-signature=" + sig, "signer", stdin="massage"), 2,
                        "verify a changed message"))
    check(rows["valid"] == "false", "not valid", rows)
    pub = table(expect(ward(env, "export", "-kind=public-key", "signer"), 0, "public key"))
    check(len(base64.b64decode(pub["1"])) == 32, "Ed25519 public key", pub)
    mac = line(expect(ward(env, "hmac", "-algorithm=sha2-512", "orders", stdin="data"), 0, "hmac"))
    check(mac.startswith("vault:v3:"), "hmac names the version", mac)
    expect(ward(env, "verify", "-hmac=" + mac, "-algorithm=sha2-512", "orders", stdin="data"), 0,
           "verify hmac")
    expect(ward(env, "verify", "-hmac=" + mac, "orders", stdin="data"), 2, "hmac, other hash")
    expect_error(ward(env, "sign", "orders", stdin="x"), None, "an AES key does not sign")


def test_datakey_random_hash(env):
    rows = table(expect(ward(env, "datakey", "-type=plaintext", "orders"), 0, "datakey"))
    key = base64.b64decode(rows["plaintext"])
    check(len(key) == 32, "256-bit data key", rows)
    got = expect(wardb(env, "decrypt", "-ciphertext=" + rows["ciphertext"]), 0, "open datakey")
    check(got.out == key, "the wrapped data key is the plaintext one", got)
    rows = table(expect(ward(env, "datakey", "-type=wrapped", "-bits=512", "orders"), 0,
                        "wrapped datakey"))
    check("plaintext" not in rows and rows["ciphertext"].startswith("ward:v1:"), "wrapped", rows)
    hx = line(expect(ward(env, "random", "-bytes=16", "-format=hex"), 0, "random hex"))
    check(re.fullmatch(r"[0-9a-f]{32}", hx), "16 random bytes in hex", hx)
    b = line(expect(ward(env, "random"), 0, "random"))
    check(len(base64.b64decode(b)) == 32, "32 random bytes by default", b)
    expect_error(ward(env, "random", "-bytes=0"), "invalid_argument", "zero bytes")
    s = line(expect(ward(env, "hash", "-format=hex", stdin="abc"), 0, "hash"))
    check(s == hashlib.sha256(b"abc").hexdigest(), "sha2-256", s)
    s = line(expect(ward(env, "hash", "-algorithm=sha3-512", stdin="abc"), 0, "sha3"))
    check(base64.b64decode(s) == hashlib.sha3_512(b"abc").digest(), "sha3-512", s)


def test_export_backup(env):
    expect_error(ward(env, "export", "-kind=encryption-key", "orders"), "not_exportable",
                 "export of a non-exportable key")
    expect_error(ward(env, "backup", "orders"), "not_exportable", "backup refused")
    rows = table(expect(ward(env, "create", "-exportable", "-allow-plaintext-backup", "bk"), 0,
                        "create bk"))
    check(rows["allow_plaintext_backup"] == "true", "backup allowed", rows)
    ct = line(expect(ward(env, "encrypt", "bk", stdin="kept"), 0, "encrypt bk"))
    ex = table(expect(ward(env, "export", "-kind=encryption-key", "-version=latest", "bk"), 0,
                      "export"))
    check(list(ex) == ["1"] and len(base64.b64decode(ex["1"])) == 32, "exported", ex)
    backup = line(expect(ward(env, "backup", "bk"), 0, "backup"))
    expect(ward(env, "config", "-deletion-allowed=true", "bk"), 0, "allow delete")
    expect(ward(env, "delete", "bk"), 0, "delete bk")
    expect_error(ward(env, "decrypt", "-ciphertext=" + ct), None, "deleted key")
    res = expect(ward(env, "restore", stdin=backup + "\n"), 0, "restore")
    check("Success" in res.out, "restore says so", res)
    expect_error(ward(env, "restore", stdin=backup), "exists", "restore over a key")
    expect(ward(env, "restore", "-force", stdin=backup), 0, "restore -force")
    check(expect(wardb(env, "decrypt", "-ciphertext=" + ct), 0, "restored").out == b"kept",
          "a restored key decrypts")
    # wrap-for: the exportable key, wrapped to an X25519 public key from stdin
    pem = x25519.X25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    rows = table(expect(ward(env, "wrap-for", "bk", stdin=pem), 0, "wrap-for"))
    check(rows["algorithm"] == "x25519-hkdf-sha256-aes256gcm" and rows["wrapped"], "wrapped",
          rows)
    expect_error(ward(env, "wrap-for", "orders", stdin=pem), "not_exportable", "wrap-for refused")


def test_import(env):
    pem = expect(ward(env, "wrapping-key"), 0, "wrapping-key").out
    check(pem.startswith("-----BEGIN PUBLIC KEY-----"), "PEM wrapping key", pem)
    wpub = serialization.load_pem_public_key(pem.encode())
    mine, eph = os.urandom(32), os.urandom(32)
    blob = wpub.encrypt(eph, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                          algorithm=hashes.SHA256(), label=None))
    blob += aes_key_wrap_with_padding(eph, mine)
    rows = table(expect(ward(env, "import", "-type=aes256-gcm96", "byok",
                             stdin=base64.b64encode(blob).decode() + "\n"), 0, "import"))
    check(rows["imported_key"] == "true", "imported", rows)
    vct = line(expect(ward(env, "encrypt", "-format=vault", "byok", stdin="mine"), 0, "enc"))
    raw = base64.b64decode(vct.split(":", 2)[2])
    check(AESGCM(mine).decrypt(raw[:12], raw[12:], None) == b"mine", "the imported material")
    expect_error(ward(env, "import", "byok2", stdin="AAAA"), None, "garbage wrapped key")


def test_derived_and_auth(env, srv):
    expect(ward(env, "create", "-derived", "per-user"), 0, "create derived")
    expect_error(ward(env, "encrypt", "per-user", stdin="x"), "context_required", "no context")
    ctx = base64.b64encode(b"user 1").decode()
    ct = line(expect(ward(env, "encrypt", "-context=" + ctx, "per-user", stdin="x"), 0, "ctx"))
    check(expect(wardb(env, "decrypt", "-context=" + ctx, "-ciphertext=" + ct), 0, "ctx dec").out
          == b"x", "derived key round-trip")
    expect_error(ward(env, "decrypt", "-context=" + base64.b64encode(b"user 2").decode(),
                      "-ciphertext=" + ct), "decrypt_failed", "another context")
    noauth = dict(env)
    del noauth["WARD_TOKEN"]
    res = expect_error(wardb(noauth, "encrypt", "orders", stdin=MARKER), None, "no token")
    check(res.code() in ("permission_denied", "invalid_argument"), "needs a token", res)
    # SECURITY: the plaintext reached neither the log nor an error message
    log = srv.output().encode("utf-8", "replace")
    check(MARKER not in log and base64.b64encode(MARKER) not in log, "no plaintext in the log")
    check(MARKER.decode("latin-1") not in res.err, "no plaintext in the error")


def main():
    if cli.WARD is None or not os.access(cli.WARD, os.X_OK):
        print("usage: test_cli_transit.py PATH/TO/ward", file=sys.stderr)
        return 1
    srv = WardServer(cli.WARD)
    env = cli.clean_env(WARD_ADDR=srv.addr, WARD_CACERT=srv.cert)
    try:
        test_usage(env)
        start(env)
        test_keys(env)
        ct = test_encrypt_decrypt(env)
        test_rotate_rewrap(env, ct)
        test_sign_hmac(env)
        test_datakey_random_hash(env)
        test_export_backup(env)
        test_import(env)
        test_derived_and_auth(env, srv)
    except (Failure, subprocess.TimeoutExpired, OSError, KeyError, AttributeError) as e:
        print("FAIL transit CLI: %s: %s\n    server log: %s"
              % (type(e).__name__, e, srv.output()[-3000:]))
        return 1
    finally:
        rc = srv.stop()
        srv.close()
    if rc != 0:
        print("FAIL transit CLI: server exit %s" % rc)
        return 1
    print("ok   transit CLI")
    return 0


if __name__ == "__main__":
    sys.exit(main())
