#!/usr/bin/python3
"""test_hvac_transit.py - Vault's Python client (Debian's python3-hvac,
unmodified) drives Ward's transit engine over HTTPS; python3-cryptography
checks the cryptography from outside; then every bad input of the issue.

Covers every hvac secrets.transit call on every key type, batches, derived
and convergent keys, datakeys, random, hash, hmac, sign/verify (PSS, PKCS#1
v1.5, prehashed, JWS), export, backup/restore, trim; Ward's extensions
(managed ciphertexts decrypted without a key name at /v1/ward/decrypt,
vault and raw forms, allowed operations, KMIP lifecycle states, wrap-for to
RSA and X25519, BYOK import through the wrapping key); the cache (a deleted
key is unusable at once, a seal empties it); and that no plaintext appears
in the server's log.
usage: test_hvac_transit.py WARD
"""
import base64
import hashlib
import json
import os
import sys

import hvac
import hvac.exceptions
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import (aes_key_unwrap_with_padding,
                                                    aes_key_wrap_with_padding)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wardserver import WardServer

MARKER = b"ward-transit-plaintext-marker-7f3a"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def b64(b):
    return base64.b64encode(b).decode()


def expect(exc, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc as e:
        return e
    raise AssertionError("%s did not raise %s" % (fn.__name__, exc.__name__))


class Api:
    """Raw calls for Ward's extensions and for checking status codes."""

    def __init__(self, srv, token):
        self.srv = srv
        self.s = requests.Session()
        self.s.verify = srv.cert
        self.s.headers["X-Vault-Token"] = token

    def call(self, method, path, body=None):
        r = self.s.request(method, self.srv.addr + "/v1/" + path,
                           data=json.dumps(body) if body is not None else None, timeout=60,
                           verify=self.srv.cert)
        try:
            doc = r.json() if r.content else {}
        except ValueError:
            doc = {}
        return r.status_code, doc

    def ok(self, method, path, body=None):
        status, doc = self.call(method, path, body)
        check(status in (200, 204), "%s %s -> %d %s" % (method, path, status, doc))
        return doc.get("data", {})

    def refused(self, method, path, body, status, code):
        got, doc = self.call(method, path, body)
        check(got == status and code in doc.get("codes", []),
              "%s %s: want %d %s, got %d %s" % (method, path, status, code, got, doc))
        return doc


def start(ward):
    srv = WardServer(ward)
    c = hvac.Client(url=srv.addr, verify=srv.cert)
    res = c.sys.initialize(secret_shares=1, secret_threshold=1)
    c.sys.submit_unseal_key(res["keys"][0])
    c.token = res["root_token"]
    return srv, c, res["keys"][0]


TYPES = ["aes128-gcm96", "aes256-gcm96", "chacha20-poly1305", "aes256-siv", "hmac", "ed25519",
         "ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096"]


def every_type(c, api):
    t = c.secrets.transit
    for ty in TYPES:
        if ty in ("aes128-gcm96", "aes256-siv", "hmac"):
            # hvac 1.0 checks key_type against its own older list: these go raw
            api.ok("POST", "transit/keys/t-" + ty, {"type": ty})
        else:
            t.create_key(name="t-" + ty, key_type=ty)
        k = t.read_key(name="t-" + ty)["data"]
        check(k["type"] == ty and k["latest_version"] == 1, str(k))
        check("1" in k["keys"], str(k))
        dump = json.dumps(k)
        check("PRIVATE" not in dump, "key read shows private material: " + ty)
        if k["supports_encryption"]:
            e = t.encrypt_data(name="t-" + ty, plaintext=b64(MARKER))["data"]
            check(e["ciphertext"].startswith("ward:v1:"), str(e))
            d = t.decrypt_data(name="t-" + ty, ciphertext=e["ciphertext"])["data"]
            check(base64.b64decode(d["plaintext"]) == MARKER, ty)
        if k["supports_signing"]:
            check(k["keys"]["1"]["public_key"] != "", str(k))
            s = t.sign_data(name="t-" + ty, hash_input=b64(MARKER))["data"]
            v = t.verify_signed_data(name="t-" + ty, hash_input=b64(MARKER),
                                     signature=s["signature"])["data"]
            check(v["valid"] is True, ty)
            v = t.verify_signed_data(name="t-" + ty, hash_input=b64(b"other"),
                                     signature=s["signature"])["data"]
            check(v["valid"] is False, ty)
        h = t.generate_hmac(name="t-" + ty, hash_input=b64(MARKER), algorithm="sha2-384")["data"]
        check(h["hmac"].startswith("vault:v1:"), str(h))
        v = t.verify_signed_data(name="t-" + ty, hash_input=b64(MARKER), hmac=h["hmac"],
                                 hash_algorithm="sha2-384")["data"]
        check(v["valid"] is True, "hmac verify " + ty)
    names = t.list_keys()["data"]["keys"]
    check(sorted(names) == sorted("t-" + ty for ty in TYPES), str(names))


def lifecycle_calls(c, api):
    t = c.secrets.transit
    t.create_key(name="app", exportable=True, allow_plaintext_backup=True)
    v1 = t.encrypt_data(name="app", plaintext=b64(b"one"))["data"]["ciphertext"]
    r = t.rotate_key(name="app")
    check(r["data"]["latest_version"] == 2, str(r))
    v2 = t.encrypt_data(name="app", plaintext=b64(b"two"))["data"]
    check(v2["key_version"] == 2, str(v2))
    rw = t.rewrap_data(name="app", ciphertext=v1)["data"]
    check(rw["key_version"] == 2 and rw["ciphertext"] != v1, str(rw))
    check(base64.b64decode(t.decrypt_data(name="app", ciphertext=rw["ciphertext"])
                           ["data"]["plaintext"]) == b"one", "rewrap")
    rv = api.ok("POST", "transit/rewrap/app", {"ciphertext": v1, "ciphertext_format": "vault"})
    check(rv["ciphertext"].startswith("vault:v2:"), str(rv))
    t.update_key_configuration(name="app", min_decryption_version=2)
    api.refused("POST", "transit/decrypt/app", {"ciphertext": v1}, 400, "key_version")
    # export and the cryptography cross-check: a vault-form ciphertext opens with AESGCM
    ex = t.export_key(name="app", key_type="encryption-key")["data"]
    check(set(ex["keys"]) == {"2"} or set(ex["keys"]) == {"1", "2"}, str(ex))
    key2 = base64.b64decode(ex["keys"]["2"])
    vt = api.ok("POST", "transit/encrypt/app", {"plaintext": b64(b"cross"),
                                                "ciphertext_format": "vault"})["ciphertext"]
    check(vt.startswith("vault:v2:"), vt)
    raw = base64.b64decode(vt.split(":", 2)[2])
    check(AESGCM(key2).decrypt(raw[:12], raw[12:], None) == b"cross", "AESGCM cross-check")
    one = t.export_key(name="app", key_type="encryption-key", version="latest")["data"]
    check(list(one["keys"]) == ["2"], str(one))
    # backup, delete (refused, then allowed), restore
    bk = t.backup_key(name="app")["data"]["backup"]
    api.refused("DELETE", "transit/keys/app", None, 400, "deletion_not_allowed")
    t.update_key_configuration(name="app", deletion_allowed=True)
    t.delete_key(name="app")
    expect(hvac.exceptions.InvalidPath, t.read_key, name="app")
    t.restore_key(backup=bk)
    check(base64.b64decode(t.decrypt_data(name="app", ciphertext=v2["ciphertext"])
                           ["data"]["plaintext"]) == b"two", "after restore")
    # trim below the minimum decryption version
    t.update_key_configuration(name="app", min_encryption_version=2)
    t.trim_key(name="app", min_version=2)
    check(t.read_key(name="app")["data"]["min_available_version"] == 2, "trim")
    # datakeys, random, hash
    dk = t.generate_data_key(name="app", key_type="plaintext", bits=512)["data"]
    check(len(base64.b64decode(dk["plaintext"])) == 64, str(dk))
    back = t.decrypt_data(name="app", ciphertext=dk["ciphertext"])["data"]["plaintext"]
    check(back == dk["plaintext"], "datakey round trip")
    dw = t.generate_data_key(name="app", key_type="wrapped")["data"]
    check("plaintext" not in dw and dw["ciphertext"].startswith("ward:v1:"), str(dw))
    rnd = t.generate_random_bytes(n_bytes=48, output_format="hex")["data"]["random_bytes"]
    check(len(rnd) == 96, rnd)
    hs = t.hash_data(hash_input=b64(b"abc"), algorithm="sha2-512", output_format="hex")
    check(hs["data"]["sum"] == hashlib.sha512(b"abc").hexdigest(), str(hs))
    hs = api.ok("POST", "transit/hash/sha3-256", {"input": b64(b"abc")})  # hvac 1.0 knows sha2 only
    check(base64.b64decode(hs["sum"]) == hashlib.sha3_256(b"abc").digest(), str(hs))


def derived_and_batches(c, api):
    t = c.secrets.transit
    t.create_key(name="conv", derived=True, convergent_encryption=True)
    ctx = b64(b"tenant-1")
    a = t.encrypt_data(name="conv", plaintext=b64(b"same"), context=ctx)["data"]["ciphertext"]
    b = t.encrypt_data(name="conv", plaintext=b64(b"same"), context=ctx)["data"]["ciphertext"]
    check(a == b, "convergent encryption is deterministic")
    api.refused("POST", "transit/decrypt/conv", {"ciphertext": a, "context": b64(b"tenant-2")},
                400, "decrypt_failed")
    api.refused("POST", "transit/encrypt/conv", {"plaintext": b64(b"x")}, 400,
                "context_required")
    batch = [{"plaintext": b64(b"item-%d" % i), "context": ctx} for i in range(5)]
    res = t.encrypt_data(name="conv", plaintext=None, batch_input=batch)["data"]["batch_results"]
    check(len(res) == 5 and all("ciphertext" in r for r in res), str(res))
    dec = t.decrypt_data(name="conv", ciphertext=None,
                         batch_input=[{"ciphertext": r["ciphertext"], "context": ctx}
                                      for r in res])["data"]["batch_results"]
    check([base64.b64decode(d["plaintext"]) for d in dec] == [b"item-%d" % i for i in range(5)],
          str(dec))


def signatures(c):
    t = c.secrets.transit
    pub = serialization.load_pem_public_key(
        t.read_key(name="t-ecdsa-p256")["data"]["keys"]["1"]["public_key"].encode())
    s = t.sign_data(name="t-ecdsa-p256", hash_input=b64(MARKER))["data"]["signature"]
    pub.verify(base64.b64decode(s.split(":", 2)[2]), MARKER, ec.ECDSA(hashes.SHA256()))
    # JWS marshaling: raw r||s, base64url
    s = t.sign_data(name="t-ecdsa-p256", hash_input=b64(MARKER),
                    marshaling_algorithm="jws")["data"]["signature"]
    body = s.split(":", 2)[2]
    check("+" not in body and "/" not in body and "=" not in body, s)
    check(t.verify_signed_data(name="t-ecdsa-p256", hash_input=b64(MARKER), signature=s,
                               marshaling_algorithm="jws")["data"]["valid"], "jws verify")
    # RSA: PSS and PKCS#1 v1.5, prehashed, checked with cryptography
    rpub = serialization.load_pem_public_key(
        t.read_key(name="t-rsa-2048")["data"]["keys"]["1"]["public_key"].encode())
    digest = hashlib.sha256(MARKER).digest()
    for alg in ("pss", "pkcs1v15"):
        s = t.sign_data(name="t-rsa-2048", hash_input=b64(digest), prehashed=True,
                        signature_algorithm=alg)["data"]["signature"]
        raw = base64.b64decode(s.split(":", 2)[2])
        pad = (padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                           salt_length=padding.PSS.AUTO) if alg == "pss" else padding.PKCS1v15())
        rpub.verify(raw, MARKER, pad, hashes.SHA256())
    # Ed25519: Vault shows the raw public key in base64
    epub = ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(
        t.read_key(name="t-ed25519")["data"]["keys"]["1"]["public_key"]))
    s = t.sign_data(name="t-ed25519", hash_input=b64(MARKER))["data"]["signature"]
    epub.verify(base64.b64decode(s.split(":", 2)[2]), MARKER)


def ward_extensions(c, api):
    t = c.secrets.transit
    # managed ciphertexts decrypt without a key name; raw needs name and version
    ct = t.encrypt_data(name="t-aes256-gcm96", plaintext=b64(b"no name"))["data"]["ciphertext"]
    d = api.ok("POST", "ward/decrypt", {"ciphertext": ct})
    check(base64.b64decode(d["plaintext"]) == b"no name" and d["key_name"] == "t-aes256-gcm96",
          str(d))
    raw = api.ok("POST", "transit/encrypt/t-aes256-gcm96",
                 {"plaintext": b64(b"raw"), "ciphertext_format": "raw"})["ciphertext"]
    check(":" not in raw, raw)
    api.refused("POST", "transit/decrypt/t-aes256-gcm96", {"ciphertext": raw}, 400, "key_version")
    d = api.ok("POST", "transit/decrypt/t-aes256-gcm96", {"ciphertext": raw, "key_version": 1})
    check(base64.b64decode(d["plaintext"]) == b"raw", str(d))
    api.refused("POST", "ward/decrypt", {"ciphertext": raw}, 400, "bad_ciphertext")
    # allowed operations: an archival key encrypts only
    api.ok("POST", "transit/keys/archive", {"allowed_operations": ["encrypt"]})
    ct = api.ok("POST", "transit/encrypt/archive", {"plaintext": b64(b"log")})["ciphertext"]
    api.refused("POST", "transit/decrypt/archive", {"ciphertext": ct}, 403,
                "operation_not_allowed")
    api.refused("POST", "ward/decrypt", {"ciphertext": ct}, 403, "operation_not_allowed")
    api.refused("POST", "transit/keys/archive", {"type": "aes256-gcm96",
                                                 "allowed_operations": ["fly"]}, 400,
                "invalid_argument")
    # lifecycle: old/current/new
    api.ok("POST", "transit/keys/life", {})
    k = api.ok("POST", "transit/keys/life/rotate", {"pre_active": True})
    check(k["version_states"] == {"1": "active", "2": "pre-active"} and
          k["current_version"] == 1, str(k))
    e = api.ok("POST", "transit/encrypt/life", {"plaintext": b64(b"x")})
    check(e["key_version"] == 1, str(e))
    api.ok("POST", "transit/keys/life/state", {"state": "active", "version": 2})
    e2 = api.ok("POST", "transit/encrypt/life", {"plaintext": b64(b"x")})
    check(e2["key_version"] == 2, str(e2))
    api.ok("POST", "transit/keys/life/state", {"state": "deactivated", "version": 1})
    api.ok("POST", "transit/decrypt/life", {"ciphertext": e["ciphertext"]})
    api.refused("POST", "transit/encrypt/life", {"plaintext": b64(b"x"), "key_version": 1},
                400, "key_state")
    api.refused("POST", "transit/keys/life/state", {"state": "active", "version": 1}, 400,
                "key_state")
    api.ok("POST", "transit/keys/life/state", {"state": "destroyed", "version": 1})
    api.refused("POST", "transit/decrypt/life", {"ciphertext": e["ciphertext"]}, 400,
                "key_state")


def wrap_for_and_byok(c, api):
    t = c.secrets.transit
    t.create_key(name="share", exportable=True)
    material = base64.b64decode(t.export_key(name="share", key_type="encryption-key")
                                ["data"]["keys"]["1"])
    # RSA requester: RSA-OAEP-SHA-256(ephemeral) || AES-KWP(material)
    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = rk.public_key().public_bytes(serialization.Encoding.PEM,
                                       serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    w = api.ok("POST", "transit/wrap-for/share", {"public_key": pem})
    blob = base64.b64decode(w["wrapped"])
    eph = rk.decrypt(blob[:256], padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                              algorithm=hashes.SHA256(), label=None))
    check(aes_key_unwrap_with_padding(eph, blob[256:]) == material, "wrap-for RSA")
    # X25519 requester: the recipe of docs/api.md
    xk = x25519.X25519PrivateKey.generate()
    xpub = xk.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    w = api.ok("POST", "transit/wrap-for/share", {"public_key": xpub.decode()})
    blob = base64.b64decode(w["wrapped"])
    eph_pub = blob[:32]
    shared = xk.exchange(x25519.X25519PublicKey.from_public_bytes(eph_pub))
    raw_pub = xk.public_key().public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
    kek = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"ward wrap-for x25519 v1" + eph_pub + raw_pub).derive(shared)
    check(AESGCM(kek).decrypt(b"\0" * 12, blob[32:], None) == material, "wrap-for X25519")
    # a non-exportable key is never served, wrapped or not
    api.refused("POST", "transit/wrap-for/t-aes256-gcm96", {"public_key": pem}, 400,
                "not_exportable")
    # BYOK: wrap 32 bytes to Ward's wrapping key, import, and check Ward encrypts with them
    wpub = serialization.load_pem_public_key(
        api.ok("GET", "transit/wrapping_key")["public_key"].encode())
    mine = os.urandom(32)
    eph = os.urandom(32)
    ct = wpub.encrypt(eph, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                        algorithm=hashes.SHA256(), label=None))
    ct += aes_key_wrap_with_padding(eph, mine)
    k = api.ok("POST", "transit/keys/byok/import", {"ciphertext": b64(ct),
                                                    "type": "aes256-gcm96"})
    check(k["imported_key"] is True, str(k))
    vt = api.ok("POST", "transit/encrypt/byok", {"plaintext": b64(b"mine"),
                                                 "ciphertext_format": "vault"})["ciphertext"]
    raw = base64.b64decode(vt.split(":", 2)[2])
    check(AESGCM(mine).decrypt(raw[:12], raw[12:], None) == b"mine", "BYOK material used")
    # Vault ciphertexts of an imported key stay readable
    nonce = os.urandom(12)
    from_vault = "vault:v1:" + b64(nonce + AESGCM(mine).encrypt(nonce, b"from vault", None))
    d = api.ok("POST", "transit/decrypt/byok", {"ciphertext": from_vault})
    check(base64.b64decode(d["plaintext"]) == b"from vault", str(d))
    bad = bytearray(ct)
    bad[-1] ^= 1
    api.refused("POST", "transit/keys/byok2/import", {"ciphertext": b64(bytes(bad))}, 400,
                "decrypt_failed")
    api.refused("POST", "transit/keys/byok/rotate", {}, 400, "unsupported")
    api.ok("POST", "transit/keys/byok/import_version", {"ciphertext": b64(ct)})


def bad_inputs(c, api):
    t = c.secrets.transit
    ct = t.encrypt_data(name="t-aes256-gcm96", plaintext=b64(MARKER))["data"]["ciphertext"]
    blob = bytearray(base64.b64decode(ct[len("ward:v1:"):]))
    api.refused("POST", "transit/encrypt/t-aes256-gcm96", {"plaintext": "not base64!"}, 400,
                "bad_encoding")
    api.refused("POST", "transit/decrypt/t-aes256-gcm96", {"ciphertext": "ward:v1:@@@"}, 400,
                "bad_ciphertext")
    flipped = bytearray(blob)
    flipped[-3] ^= 0x10
    api.refused("POST", "transit/decrypt/t-aes256-gcm96",
                {"ciphertext": "ward:v1:" + b64(bytes(flipped))}, 400, "decrypt_failed")
    api.refused("POST", "transit/decrypt/t-aes256-gcm96",
                {"ciphertext": "ward:v1:" + b64(bytes(blob[:30]))}, 400, "decrypt_failed")
    other = bytearray(blob)
    other[0] = 2
    api.refused("POST", "transit/decrypt/t-aes256-gcm96",
                {"ciphertext": "ward:v1:" + b64(bytes(other))}, 400, "bad_version")
    api.refused("POST", "transit/decrypt/t-aes256-gcm96", {"ciphertext": "ward:v9:AQ=="}, 400,
                "bad_version")
    api.refused("POST", "transit/decrypt/t-chacha20-poly1305", {"ciphertext": ct}, 400,
                "decrypt_failed")
    api.refused("POST", "transit/decrypt/t-aes256-gcm96",
                {"ciphertext": ct, "context": b64(b"wrong")}, 400, "decrypt_failed")
    api.refused("POST", "transit/decrypt/nope", {"ciphertext": ct}, 404, "not_found")
    api.refused("POST", "transit/sign/t-aes256-gcm96", {"input": b64(b"x")}, 400, "key_type")
    api.refused("GET", "transit/export/encryption-key/t-aes256-gcm96", None, 400,
                "not_exportable")
    api.refused("DELETE", "transit/keys/t-aes256-gcm96", None, 400, "deletion_not_allowed")
    api.refused("POST", "transit/keys/x", {"type": "des"}, 400, "invalid_argument")
    api.refused("POST", "transit/keys/x", {"convergent_encryption": True}, 400,
                "invalid_argument")
    api.refused("POST", "transit/encrypt/t-aes256-gcm96", {"plaintext": b64(b"x"),
                                                           "nonce": b64(b"n" * 12)}, 400,
                "unsupported")
    # 10,000 items, every 1000th bad: the good ones succeed, each bad one has its error
    items = [{"plaintext": b64(b"%d" % i)} for i in range(10000)]
    for i in range(0, 10000, 1000):
        items[i] = {"plaintext": "%%%"}
    status, doc = api.call("POST", "transit/encrypt/t-aes256-gcm96", {"batch_input": items})
    res = doc["data"]["batch_results"]
    check(status == 400 and len(res) == 10000, "batch status %d" % status)
    for i, r in enumerate(res):
        if i % 1000 == 0:
            check(r.get("code") == "bad_encoding" and "ciphertext" not in r, str(r))
        else:
            check(r.get("ciphertext", "").startswith("ward:v1:"), str(r))
    status, doc = api.call("POST", "transit/encrypt/t-aes256-gcm96",
                           {"batch_input": items[:3], "partial_failure_response_code": 200})
    check(status == 200, "partial_failure_response_code")
    dec = [{"ciphertext": r.get("ciphertext", "garbage")} for r in res[:50]]
    status, doc = api.call("POST", "transit/decrypt/t-aes256-gcm96", {"batch_input": dec})
    out = doc["data"]["batch_results"]
    check(out[0]["code"] == "bad_ciphertext" and out[1]["plaintext"] == b64(b"1"), str(out[:2]))


def cache_and_seal(c, api, unseal_key):
    t = c.secrets.transit
    t.create_key(name="tmp")
    ct = t.encrypt_data(name="tmp", plaintext=b64(b"x"))["data"]["ciphertext"]
    t.decrypt_data(name="tmp", ciphertext=ct)   # cached now
    t.update_key_configuration(name="tmp", deletion_allowed=True)
    t.delete_key(name="tmp")
    api.refused("POST", "transit/decrypt/tmp", {"ciphertext": ct}, 404, "not_found")
    api.refused("POST", "ward/decrypt", {"ciphertext": ct}, 400, "decrypt_failed")
    ct = t.encrypt_data(name="t-aes256-gcm96", plaintext=b64(b"y"))["data"]["ciphertext"]
    c.sys.seal()
    api.refused("POST", "transit/decrypt/t-aes256-gcm96", {"ciphertext": ct}, 503, "sealed")
    c.sys.submit_unseal_key(unseal_key)
    api.ok("POST", "transit/decrypt/t-aes256-gcm96", {"ciphertext": ct})


def main(ward):
    srv, c, unseal_key = start(ward)
    api = Api(srv, c.token)
    try:
        every_type(c, api)
        lifecycle_calls(c, api)
        derived_and_batches(c, api)
        signatures(c)
        ward_extensions(c, api)
        wrap_for_and_byok(c, api)
        bad_inputs(c, api)
        cache_and_seal(c, api, unseal_key)
        log = srv.output()
        check(MARKER.decode() not in log and b64(MARKER) not in log, "plaintext in the log")
        print("hvac transit: %d key types, batches, extensions and refusals ok" % len(TYPES))
    except BaseException:
        sys.stderr.write(srv.output()[-4000:])
        raise
    finally:
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
