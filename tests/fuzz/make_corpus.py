#!/usr/bin/python3
"""make_corpus.py - write the seed corpora of Ward's fuzz targets.

Usage: tests/fuzz/make_corpus.py   (rewrites tests/fuzz/corpus/<target>/)

Deterministic: fixed keys, nonces and bytes, so a rerun reproduces the
committed files exactly. Each target gets a few valid inputs (so the fuzzer
starts past the format checks) and a few invalid ones (one per rejection
path). The formats are those documented in src/barrier/{share,entry,keyring,
seal}.c and src/base/base64.h.

SECURITY of the entry seeds: none is sealed under the all-zero key for path
"x"; fuzz_entry.c aborts if that pair ever opens (it would mean forged tags
pass).
"""
import base64
import hashlib
import hmac
import json
import os
import shutil
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def pattern(n, seed):
    """n deterministic, varied bytes."""
    return bytes((seed * 31 + i * 17 + (i * i) % 251) & 0xFF for i in range(n))


def share_bin(version=1, kek_id=None, k=3, x=1, y=None):
    kek_id = kek_id if kek_id is not None else pattern(8, 1)
    y = y if y is not None else pattern(32, x)
    return bytes([version]) + kek_id + bytes([k, x]) + y


def b64(raw):
    return base64.b64encode(raw)


def share_corpus():
    return {
        "valid-k3-x1": b64(share_bin(k=3, x=1)),
        "valid-k2-x2": b64(share_bin(k=2, x=2)),
        "valid-k16-x16": b64(share_bin(k=16, x=16)),
        "valid-k1-x1-zero-y": b64(share_bin(k=1, x=1, y=bytes(32))),
        "bad-x0": b64(share_bin(x=0)),
        "bad-x17": b64(share_bin(x=17)),
        "bad-k0": b64(share_bin(k=0)),
        "bad-k17": b64(share_bin(k=17)),
        "bad-version2": b64(share_bin(version=2)),
        "bad-short-42": b64(share_bin()[:42]),
        "bad-long-44": b64(share_bin() + b"\x00"),
        "bad-noncanonical-pad": b64(share_bin())[:-3] + b"B==",
        "bad-newline": b64(share_bin()) + b"\n",
        "bad-urlsafe": base64.urlsafe_b64encode(share_bin(y=b"\xff" * 32)),
        "bad-too-long": b"A" * 68,
        "empty": b"",
    }


def entry(key, term, path, value, nonce_seed=1, version=1):
    header = bytes([version]) + struct.pack(">I", term)
    nonce = pattern(12, nonce_seed)
    sealed = AESGCM(key).encrypt(nonce, value, header + path.encode())
    return header + nonce + sealed


def entry_corpus():
    one = b"\x01" * 32
    zero = bytes(32)
    ok = entry(one, 1, "x", b"hello")
    return {
        "valid-term1-key01-x": ok,
        "valid-term7-key01-x-empty-value": entry(one, 7, "x", b"", 2),
        "valid-term0-zero-key-other-path": entry(zero, 0, "core/keyring", pattern(100, 3), 3),
        "valid-term2-zero-key-path-y": entry(zero, 2, "y", b"v", 4),
        "bad-tag-flipped": ok[:-1] + bytes([ok[-1] ^ 1]),
        "bad-version2": entry(one, 1, "x", b"hello", 5, version=2),
        "bad-version0": b"\x00" + ok[1:],
        "bad-short-tag": ok[:17 + 15],
        "bad-header-only": ok[:17],
        "bad-one-byte": b"\x01",
        "empty": b"",
    }


def keyring(active, records, version=1, num=None):
    out = bytes([version]) + struct.pack(">II", active, len(records) if num is None else num)
    for term, created, key in records:
        out += struct.pack(">IQ", term, created) + key
    return out


def keyring_corpus():
    t = 1700000000000
    one = [(1, t, pattern(32, 1))]
    three = [(1, t, pattern(32, 1)), (2, t + 1000, pattern(32, 2)), (5, t + 9000, pattern(32, 5))]
    return {
        "valid-one-term": keyring(1, one),
        "valid-three-terms-active2": keyring(2, three),
        "valid-three-terms-active5": keyring(5, three),
        "bad-num0": keyring(1, [], num=0),
        "bad-num-mismatch": keyring(1, one, num=2),
        "bad-trailing-byte": keyring(1, one) + b"\x00",
        "bad-not-ascending": keyring(2, [three[1], three[0]]),
        "bad-duplicate-term": keyring(1, [one[0], one[0]]),
        "bad-term0": keyring(0, [(0, t, pattern(32, 0))]),
        "bad-active-missing": keyring(3, three),
        "bad-version2": keyring(1, one, version=2),
        "bad-header-short": keyring(1, one)[:8],
        "bad-num-huge": keyring(1, one, num=4097),
        "empty": b"",
    }


def seal(stype=1, k=3, n=5, rules=None, argon=(0, 0, 0), salt=None, version=1):
    rules = rules if rules is not None else [(0, 0, 0, 0)] * 8
    salt = salt if salt is not None else bytes(16)
    out = bytes([version, stype]) + pattern(8, 9) + struct.pack(">Q", 1700000000000)
    out += bytes([k, n])
    for r in rules:
        out += bytes(r)
    out += struct.pack(">III", *argon) + salt
    out += pattern(32, 10)  # verifier
    out += pattern(12, 11)  # nonce
    out += pattern(48, 12)  # wrapped root key || tag
    assert len(out) == 172
    return out


def seal_corpus():
    rules = [(12, 2, 2, 1), (8, 0, 0, 0)] + [(0, 0, 0, 0)] * 6
    parts = dict(stype=2, k=2, n=2, rules=rules, argon=(3, 65536, 1), salt=pattern(16, 13))
    ok = seal()
    return {
        "valid-shamir-3of5": ok,
        "valid-shamir-1of1": seal(k=1, n=1),
        "valid-shamir-16of16": seal(k=16, n=16),
        "valid-parts-2": seal(**parts),
        "bad-type3": seal(stype=3),
        "bad-type0": seal(stype=0),
        "bad-k-over-n": seal(k=4, n=3),
        "bad-k0": seal(k=0),
        "bad-n17": seal(k=3, n=17),
        "bad-parts-m4": seal(**dict(parts, argon=(3, 4, 1))),
        "bad-parts-t0": seal(**dict(parts, argon=(0, 65536, 1))),
        "bad-parts-9": seal(**dict(parts, k=9, n=9)),
        "bad-version2": seal(version=2),
        "bad-short-171": ok[:171],
        "bad-long-173": ok + b"\x00",
        "empty": b"",
    }


def base64_corpus():
    return {
        "valid-empty": b"",
        "valid-f": b"Zg==",
        "valid-fo": b"Zm8=",
        "valid-foo": b"Zm9v",
        "valid-foobar": b"Zm9vYmFy",
        "valid-all-bytes": b64(bytes(range(256))),
        "valid-share": b64(share_bin()),
        "bad-pad-bits-2": b"Zh==",
        "bad-pad-bits-1": b"Zm9=",
        "bad-len": b"Zm9",
        "bad-newline": b"Zm9v\n",
        "bad-char": b"Zm9v!A==",
        "bad-urlsafe": b"-_8=",
        "bad-only-pad": b"====",
        "bad-pad-middle": b"Zg==Zm9v",
        "bad-pad-then-char": b"Zg=a",
        "bad-high-byte": b"Zm9\xff",
    }


def ctext_corpus():
    """Ciphertext texts (src/keys/ctext.h): managed, vault, raw, and refusals."""
    kid = pattern(16, 7)
    head = bytes([1, 2]) + kid + struct.pack(">I", 3) + bytes([0])
    parties = (bytes([1, 2]) + kid + struct.pack(">I", 1) + bytes([3]) + bytes([5]) + b"alice" +
               bytes([3]) + b"bob")
    body = pattern(12 + 5 + 16, 9)
    return {
        "managed": b"ward:v1:" + b64(head + body),
        "managed-parties": b"ward:v1:" + b64(parties + body),
        "vault": b"vault:v7:" + b64(body),
        "raw": b64(body),
        "bad-format2": b"ward:v1:" + b64(bytes([2]) + head[1:] + body),
        "bad-prefix-v2": b"ward:v2:" + b64(head + body),
        "bad-version0": b"vault:v0:" + b64(body),
        "bad-flags": b"ward:v1:" + b64(head[:-1] + bytes([0x80]) + body),
        "bad-party-len": b"ward:v1:" + b64(parties[:23] + bytes([200]) + b"x"),
        "bad-b64": b"ward:v1:!!!!",
    }


def byok_corpus():
    """BYOK blobs (src/keys/byok.c) for a 2048-bit wrapping key: shapes only."""
    return {
        "shape-32": pattern(256, 1) + pattern(40, 2),
        "shape-64": pattern(256, 3) + pattern(72, 4),
        "short": pattern(255, 5),
        "odd-tail": pattern(256, 6) + pattern(21, 7),
        "empty-tail": pattern(256, 8),
    }


def transit_corpus():
    """Requests "METHOD PATH" + body for fuzz_transit (paths under /v1/)."""
    pt = b64(b"hello").decode()
    seeds = {
        "create": "POST transit/keys/f1\n{\"type\":\"aes256-gcm96\",\"exportable\":true,"
                  "\"allow_plaintext_backup\":true}",
        "create-derived": "POST transit/keys/f2\n{\"derived\":true,\"convergent_encryption\":true}",
        "create-hmac": "POST transit/keys/f3\n{\"type\":\"hmac\",\"key_size\":64}",
        "create-ed": "POST transit/keys/f4\n{\"type\":\"ed25519\"}",
        "create-ops": "POST transit/keys/f5\n{\"allowed_operations\":[\"encrypt\"]}",
        "read": "GET transit/keys/k\n",
        "list": "LIST transit/keys\n",
        "config": "POST transit/keys/k/config\n{\"min_decryption_version\":1,"
                  "\"deletion_allowed\":false,\"auto_rotate_period\":\"2h\"}",
        "rotate": "POST transit/keys/k/rotate\n{\"pre_active\":true}",
        "state": "POST transit/keys/k/state\n{\"state\":\"active\",\"version\":2}",
        "trim": "POST transit/keys/k/trim\n{\"min_available_version\":1}",
        "encrypt": "POST transit/encrypt/k\n{\"plaintext\":\"%s\"}" % pt,
        "encrypt-vault": "POST transit/encrypt/k\n{\"plaintext\":\"%s\","
                         "\"ciphertext_format\":\"vault\"}" % pt,
        "encrypt-batch": "POST transit/encrypt/k\n{\"batch_input\":[{\"plaintext\":\"%s\"},"
                         "{\"plaintext\":\"!\"},7],\"partial_failure_response_code\":207}" % pt,
        "encrypt-context": "POST transit/encrypt/f2\n{\"plaintext\":\"%s\",\"context\":\"Y3R4\"}" % pt,
        "decrypt": "POST transit/decrypt/k\n{\"ciphertext\":\"vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
        "decrypt-raw": "POST transit/decrypt/k\n{\"ciphertext\":\"AAAA\",\"key_version\":1}",
        "ward-decrypt": "POST ward/decrypt\n{\"batch_input\":[{\"ciphertext\":\"ward:v1:AQ==\"}]}",
        "rewrap": "POST transit/rewrap/k\n{\"ciphertext\":\"vault:v1:AAAA\"}",
        "datakey": "POST transit/datakey/plaintext/k\n{\"bits\":512}",
        "random": "POST transit/random/platform/64\n{\"format\":\"hex\"}",
        "hash": "POST transit/hash/sha3-256\n{\"input\":\"%s\"}" % pt,
        "hmac": "POST transit/hmac/h/sha2-512\n{\"input\":\"%s\"}" % pt,
        "sign": "POST transit/sign/s\n{\"input\":\"%s\",\"marshaling_algorithm\":\"jws\"}" % pt,
        "verify": "POST transit/verify/s\n{\"input\":\"%s\",\"signature\":\"vault:v1:AAAA\"}" % pt,
        "verify-hmac": "POST transit/verify/h\n{\"input\":\"%s\",\"hmac\":\"vault:v1:AAAA\"}" % pt,
        "export": "GET transit/export/encryption-key/f1/latest\n",
        "backup": "GET transit/backup/f1\n",
        "restore": "POST transit/restore/f9\n{\"backup\":\"AQI=\",\"force\":true}",
        "import": "POST transit/keys/f6/import\n{\"ciphertext\":\"AAAA\",\"hash_function\":\"SHA256\"}",
        "wrap-for": "POST transit/wrap-for/f1\n{\"public_key\":\"-----BEGIN PUBLIC KEY-----\\nAA\\n\"}",
        "delete": "DELETE transit/keys/f5\n",
    }
    return {name: text.encode() for name, text in seeds.items()}


def json_corpus():
    """Request bodies for fuzz_json (src/engine/json_parse.c vs Jansson)."""
    pt = b64(pattern(96, 11))
    items = b",".join(b'{"plaintext":"' + pt + b'"}' for _ in range(3))
    return {
        "encrypt": b'{"plaintext":"' + pt + b'","context":"Y3R4","key_version":2}',
        "batch": b'{"batch_input":[' + items + b'],"partial_failure_response_code":207}',
        "all-types": b' {"s":"x","i":-12,"r":6.02e+23,"t":true,"f":false,"n":null,'
                     b'"a":[1,[],{}],"o":{"k":"v"}} \r\n',
        "escapes": b'{"e":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00",'
                   b'"k\\u0041":"\\u20AC"}',
        "utf8": '{"caf\u00e9":"\u20ac \U0001f600 \u07ff \uffff"}'.encode(),
        "numbers": b'{"a":[0,-0,9223372036854775807,-9223372036854775808,1e-400,'
                   b'1.7976931348623157e308,0.1,2E-3]}',
        "depth-32": b'{"a":' + b"[" * 31 + b"]" * 31 + b"}",
        "array-top": b"[1,2,3]",
        "bad-depth-33": b'{"a":' + b"[" * 32 + b"]" * 32 + b"}",
        "bad-duplicate": b'{"a":1,"\\u0061":2}',
        "bad-big-int": b'{"a":9223372036854775808}',
        "bad-real-overflow": b'{"a":1e309}',
        "bad-leading-zero": b'{"a":01}',
        "bad-trailing-comma": b'{"a":[1,],}',
        "bad-surrogate": b'{"a":"\\ud800\\u0041"}',
        "bad-nul-escape": b'{"a":"\\u0000"}',
        "bad-nul-after-number": b'{"a":1\x00}',
        "bad-control": b'{"a":"\x01"}',
        "bad-overlong": b'{"a":"\xc0\xaf"}',
        "bad-utf8-surrogate": b'{"a":"\xed\xa0\x80"}',
        "bad-after-value": b'{"a":1} {}',
        "bad-scalar-top": b'"s"',
        "empty": b"",
    }


def token_payload(version=1, flags=1, policies=(b"default", b"orders"), principal=b"token-alice",
                  tenant=b"", issue=1700000000000, expire=1700003600000, maximum=1700007200000,
                  ttl=3600, uses=0):
    """A token payload as src/auth/token.c lays it out."""
    out = bytes([version, flags]) + pattern(16, 21) + pattern(16, 22)
    out += struct.pack(">QQQII", issue, expire, maximum, ttl, uses)
    out += bytes([len(tenant)]) + tenant + bytes([len(principal)]) + principal
    out += bytes([len(policies)]) + b"".join(bytes([len(p)]) + p for p in policies)
    return out


def token_text(payload):
    """w.s. + base64url(payload || HMAC-SHA-256) under fuzz_token.c's fixed key."""
    key = bytes([1, 2, 3, 4, 5, 6, 7, 8]) + bytes(24)
    raw = payload + hmac.new(key, payload, hashlib.sha256).digest()
    return b"w.s." + base64.urlsafe_b64encode(raw).rstrip(b"=")


def token_corpus():
    """Token texts and bare payloads for fuzz_token (src/auth/token.c)."""
    good = token_payload()
    return {
        "token": token_text(good),
        "token-root-policy": token_text(token_payload(policies=(b"root",), flags=0)),
        "token-16-policies": token_text(token_payload(
            policies=tuple(b"p%d" % i for i in range(16)))),
        "token-tenant": token_text(token_payload(tenant=b"acme", policies=())),
        "bad-token-tag": token_text(good)[:-2] + b"AA",
        "bad-token-padded": token_text(good) + b"==",
        "bad-token-prefix": b"w.r." + token_text(good)[4:],
        "payload": good,
        "payload-max-names": token_payload(principal=b"p" * 64,
                                           policies=tuple(b"n" * 64 for _ in range(16))),
        "bad-payload-version": token_payload(version=2),
        "bad-payload-flags": token_payload(flags=3),
        "bad-payload-expiry": token_payload(expire=1700000000000),
        "bad-payload-upper": token_payload(policies=(b"Admin",)),
        "bad-payload-17": token_payload(policies=tuple(b"p%d" % i for i in range(17))),
        "bad-payload-trailing": good + b"\x00",
        "bad-payload-short": good[:60],
        "empty": b"",
    }


def policy_corpus():
    """A request path, a newline, a policy document: for fuzz_policy (src/policy)."""
    docs = {
        "encrypt-only": ("transit/encrypt/orders",
                         {"path": {"transit/+/orders": {"capabilities": ["update"],
                                                         "ward_key_operations": ["encrypt"]}}}),
        "globs": ("secret/data/team/admin/x",
                  {"path": {"secret/data/team/*": {"capabilities": ["read", "list"]},
                            "secret/data/team/admin/*": {"capabilities": ["deny"]},
                            "secret/data/+/db": {"capabilities": ["create", "update"]},
                            "*": {"capabilities": ["list"]}}}),
        "sudo": ("sys/seal", {"path": {"sys/seal": {"capabilities": ["update", "sudo"]},
                                       "sys/+": {"capabilities": ["read", "patch",
                                                                  "delete"]}}}),
        "empty": ("a", {}),
        "empty-paths": ("a", {"path": {}}),
    }
    out = {name: (p + "\n" + json.dumps(d)).encode() for name, (p, d) in docs.items()}
    out.update({
        "bad-hcl": b'a\npath "a" { capabilities = ["read"] }',
        "bad-duplicate": b'a\n{"path":{"a":{"capabilities":["read"]},"a":{"capabilities":[]}}}',
        "bad-star-middle": b'a/b\n{"path":{"a/*/b":{"capabilities":["read"]}}}',
        "bad-dotdot": b'a\n{"path":{"a/../b":{"capabilities":["read"]}}}',
        "bad-unknown-cap": b'a\n{"path":{"a":{"capabilities":["reed"]}}}',
        "bad-params": b'a\n{"path":{"a":{"capabilities":["read"],"allowed_parameters":{}}}}',
        "bad-top": b'a\n{"path":{},"name":"x"}',
        "no-newline": b'{"path":{"a":{"capabilities":["read"]}}}',
        "parties-alice": b'token-bob\n{"path":{"do":{"capabilities":["update"]}},'
                         b'"ward_parties":{"encrypt_to":["token-bob"]}}',
        "parties-bob": b'token-alice\n{"ward_parties":{"decrypt_from":["token-alice"],'
                       b'"verify_from":["app-*"],"mac_to":["*"]}}',
        "parties-deny": b'token-eve\n{"ward_parties":{"encrypt_to":["!token-eve","token-*"],'
                        b'"sign_to":[],"verify_mac_from":["!*"]}}',
        "bad-parties-kind": b'a\n{"ward_parties":{"encrypt_from":["a"]}}',
        "bad-parties-star": b'a\n{"ward_parties":{"encrypt_to":["a*b"]}}',
        "bad-parties-list": b'a\n{"ward_parties":{"encrypt_to":"a"}}',
    })
    return out


def do_corpus():
    """Requests "METHOD PATH" + body for fuzz_do (paths under /v1/; routes 10-k, 20-s)."""
    d = b64(b"invoice").decode()
    seeds = {
        "encrypt": '{"op":"encrypt","to":"bob","data":"%s"}' % d,
        "encrypt-from": '{"op":"encrypt","from":"eve","to":"bob","data":"%s"}' % d,
        "encrypt-type": '{"op":"encrypt","to":"bob","type":"pin-block","data":"%s"}' % d,
        "decrypt-bad": '{"op":"decrypt","data":"ward:v1:AQEAAAAAAAAAAAAAAAAAAAAAAAEBBHJvb3QDYm9i"}',
        "decrypt-vault": '{"op":"decrypt","data":"vault:v1:AAAA"}',
        "sign": '{"op":"sign","to":"bob","data":"%s"}' % d,
        "verify": '{"op":"verify","from":"root","to":"root","data":"%s","signature":"vault:v1:AA=="}' % d,
        "mac": '{"op":"mac","to":"anyone","data":"%s"}' % d,
        "verify-mac": '{"op":"verify_mac","from":"root","data":"%s","mac":"vault:v1:AA=="}' % d,
        "bad-op": '{"op":"fly","to":"bob","data":"%s"}' % d,
        "bad-to": '{"op":"encrypt","to":"b o b","data":"%s"}' % d,
        "bad-data": '{"op":"encrypt","to":"bob","data":"!!"}',
    }
    out = {name: ("POST do\n" + body).encode() for name, body in seeds.items()}
    out.update({
        "prefetch": b'POST do/prefetch\n{"op":"encrypt","to":"bob"}',
        "route-write": b'POST sys/do/routes/30-x\n{"ops":["encrypt"],"key":"k","type":"a*",'
                       b'"from":"*","to":"c","mount":"transit/","hash_algorithm":"sha2-512"}',
        "route-bad": b'POST sys/do/routes/bad\n{"ops":["encrypt"],"key":"k","to":"a*b"}',
        "route-mount": b'POST sys/do/routes/40-m\n{"ops":["decrypt"],"key":"k","mount":"kv/"}',
        "route-read": b"GET sys/do/routes/10-k\n",
        "route-list": b"LIST sys/do/routes\n",
        "route-delete": b"DELETE sys/do/routes/30-x\n",
        "control-config": b'POST sys/control/config\n{"ttl":"90s"}',
        "control-approve": b"POST sys/control/approve/00112233445566778899aabbccddeeff\n{}",
        "control-read": b"GET sys/control/request/zz\n",
        "control-list": b"LIST sys/control/requests\n",
        "approval-query": b"DELETE sys/do/routes/10-k?ward_approval=0011&x=1\n",
    })
    return out


def audit_line(kind, seq, text, prev, key):
    """One audit record line as src/audit/record.c writes it (docs/storage-format.md)."""
    body = b'{"type":"%s","seq":%d,%s,"prev":"%s"}' % (kind, seq, text, prev.hex().encode())
    mac = hmac.new(key, body, hashlib.sha256).hexdigest().encode() if key else b""
    line = body[:-1] + b',"mac":"' + mac + b'"}'
    return line + b"\n", hashlib.sha256(line).digest()


def audit_verify_corpus():
    """Audit files under fuzz_audit_verify's key, and edit lists for its second half."""
    key = bytes([7, 7, 7, 1, 2, 3]) + bytes(26)
    prev = bytes([0xa5]) * 32
    lines = []
    for i in range(8):
        text = b'"time":"2024-01-01T00:00:%02d.000000Z","node":"n","path":"p%d"' % (i, i)
        line, prev = audit_line(b"header" if i == 0 else b"request", i, text, prev,
                                None if i in (3, 4) else key)
        lines.append(line)
    good = b"".join(lines)
    return {
        "good": good,
        "cut-mid-line": good[:-20],
        "swapped": b"".join(lines[:2] + [lines[3], lines[2]] + lines[4:]),
        "edits-flip": bytes([0, 0, 40, 3, 0, 1, 10, 7]),
        "edits-lines": bytes([3, 2, 0, 0, 4, 5, 0, 0, 5, 1, 0, 6]),
        "edits-cut": bytes([6, 3, 200, 0]),
    }


RADIUS_SECRET = b"fuzz shared secret"  # fuzz_radius.c's
RADIUS_RA = bytes.fromhex("0f403f9473978057bd83d5cb98f4227a")


def radius_packet(code, ident, attrs, sign=True, with_ma=True, secret=RADIUS_SECRET):
    """A RADIUS response to fuzz_radius.c's request, signed as a server signs it."""
    body = b"".join(bytes([t, len(v) + 2]) + v for t, v in attrs)
    ma_at = None
    if with_ma:
        ma_at = 20 + len(body) + 2
        body += bytes([80, 18]) + bytes(16)
    length = 20 + len(body)
    pkt = bytearray(bytes([code, ident]) + struct.pack(">H", length) + RADIUS_RA + body)
    if sign and ma_at is not None:
        pkt[ma_at:ma_at + 16] = hmac.new(secret, bytes(pkt), hashlib.md5).digest()
    if sign:
        pkt[4:20] = hashlib.md5(bytes(pkt) + secret).digest()
    return bytes(pkt)


def radius_corpus():
    """Mode byte + datagram for fuzz_radius (src/auth/radius.c): 0 as received, 1 signed here."""
    msg = [(18, b"hello!")]
    return {
        "accept-signed": b"\x00" + radius_packet(2, 7, msg),
        "reject-signed": b"\x00" + radius_packet(3, 9, []),
        "challenge-signed": b"\x00" + radius_packet(11, 1, [(24, b"state"), (18, b"otp?")]),
        "accept-padded": b"\x00" + radius_packet(2, 7, msg) + b"\x00\x00",
        "bad-no-ma": b"\x00" + radius_packet(2, 7, msg, with_ma=False),
        "bad-other-secret": b"\x00" + radius_packet(2, 7, msg, secret=b"another secret"),
        "bad-attr-len0": b"\x00" + radius_packet(2, 7, [], sign=False)[:2] + b"\x00\x17" +
                         RADIUS_RA + b"\x12\x00\x00",
        "bad-attr-overrun": b"\x00\x02\x07\x00\x17" + RADIUS_RA + b"\x12\x05\x61",
        "bad-short": b"\x00\x02\x07\x00\x14" + RADIUS_RA[:10],
        "sign-accept": b"\x01" + radius_packet(2, 7, msg, sign=False),
        "sign-reject-flip": b"\x2b" + radius_packet(3, 200, [(18, b"no")], sign=False),
        "sign-request-code": b"\x01" + radius_packet(1, 7, msg, sign=False),
        "sign-no-ma": b"\x01" + radius_packet(2, 7, msg, sign=False, with_ma=False),
        "sign-two-ma": b"\x01" + radius_packet(2, 7, [(80, bytes(16))], sign=False),
        "empty": b"",
    }


def cert_corpus():
    """DER certificates for fuzz_cert (src/auth/cert.c): Ed25519 with fixed keys, so each
    run writes the same bytes."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.x509.oid import NameOID

    ca_key = ed25519.Ed25519PrivateKey.from_private_bytes(pattern(32, 1))
    key = ed25519.Ed25519PrivateKey.from_private_bytes(pattern(32, 2))
    start = datetime.datetime(2024, 1, 1)

    def cert(cn, ou=None, sans=(), ca=False, days=3650):
        names = [x509.NameAttribute(NameOID.COMMON_NAME, cn)] if cn else []
        if ou:
            names.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
        b = (x509.CertificateBuilder().subject_name(x509.Name(names))
             .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Corpus CA")]))
             .public_key((ca_key if ca else key).public_key()).serial_number(len(cn or "") + 7)
             .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
        return b.sign(ca_key, None).public_bytes(serialization.Encoding.DER)

    full = cert("app1.example.com", "Payments", [x509.DNSName("app1.example.com"),
                                                 x509.RFC822Name("ops@x.org"),
                                                 x509.UniformResourceIdentifier("spiffe://a/b")])
    return {
        "ca": cert("Corpus CA", ca=True),
        "client-full": full,
        "client-cn-only": cert("svc"),
        "client-no-cn": cert(None, "Ops", [x509.DNSName("a.web.example.com")]),
        "client-expired": cert("old.example.com", days=1),
        "bad-truncated": full[:-10],
        "bad-trailing": full + b"\x00",
        "bad-not-der": b"-----BEGIN CERTIFICATE-----",
    }


def cidr_corpus():
    """fuzz_cidr.c: CIDR lists and peer addresses (src/auth/cidr.h)."""
    return {
        "v4": b"10.0.0.0/8",
        "v4-list": b"10.0.0.0/8, 192.168.1.7/24 ,127.0.0.1",
        "v6": b"2001:db8::/32,::1,fe80::1/10",
        "mapped": b"::ffff:10.1.2.3/104",
        "zero": b"0.0.0.0/0,::/0",
        "bad-bits": b"10.0.0.0/33",
        "bad-empty-item": b"1.1.1.1,,2.2.2.2",
        "peer-v4": b"127.0.0.2:5555",
        "peer-v6": b"[::1]:8200",
        "many": b",".join(b"10.0.%d.0/24" % i for i in range(40)),
    }


def ldap_corpus():
    """fuzz_ldap.c: a filter template, a NUL, then a user name (src/auth/ldap.h)."""
    user = b"({{.UserAttr}}={{.Username}})"
    group = b"(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))"
    return {
        "plain": user + b"\x00homer",
        "group": group + b"\x00homer",
        "inject": user + b"\x00*)(uid=*))(|(uid=*",
        "inject-or": group + b"\x00homer)(uid=*",
        "nul": user + b"\x00homer\x00*",
        "utf8": b"(&(objectClass=person)({{ .UserAttr }}={{.Username}}))\x00Lu\xc4\x8di\xc4\x87",
        "dn-specials": b"(member={{.UserDN}})\x00 #a,b+c=d;e<f>g\\h\" ",
        "group-dn": b"(cn=x)\x00CN=Domain Admins,OU=Groups,DC=corp,DC=example",
        "urls": b"ldaps://a.example:636, ldap://b.example,ldap://[::1]:389\x00x",
        "bad-var": b"({{.Password}})\x00homer",
        "unclosed": b"(uid={{.Username}\x00homer",
        "escapes": b"(cn=a\\2a\\28)\x00\\2a\\",
        # found by libFuzzer: a template's '\' reaching into the value after it
        "regress-backslash-var": b"(a=\\d{{.UserDN}})(b={{.UserDN}})\x00 \x01\x00)",
    }


def main():
    targets = {
        "ldap": ldap_corpus(),
        "cidr": cidr_corpus(),
        "ctext": ctext_corpus(),
        "byok": byok_corpus(),
        "transit": transit_corpus(),
        "share": share_corpus(),
        "entry": entry_corpus(),
        "keyring": keyring_corpus(),
        "seal": seal_corpus(),
        "base64": base64_corpus(),
        "token": token_corpus(),
        "policy": policy_corpus(),
        "json": json_corpus(),
        "audit_verify": audit_verify_corpus(),
        "do": do_corpus(),
        "radius": radius_corpus(),
        "cert": cert_corpus(),
    }
    for target, files in targets.items():
        d = os.path.join(CORPUS, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(files)} files")


if __name__ == "__main__":
    main()
