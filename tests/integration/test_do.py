#!/usr/bin/python3
"""test_do.py - seed 004's DO routing, FROM/TO, dual control and logoff,
end to end against a real `ward server` (raw HTTPS with requests, so every
status and stable code is seen as sent).

The Alice->Bob example with real tokens: Alice may only encrypt to Bob and
Bob may only decrypt from Alice (policies with ward_parties). Alice
encrypts to Bob with POST /v1/do; Bob decrypts (do, ward/decrypt and
transit/decrypt); Alice cannot decrypt her own ciphertext to Bob, Carol
cannot decrypt it at all, Bob refuses Carol's; Alice claiming from=carol and
Alice encrypting to Carol are refused; a flipped FROM byte, and the body
stripped of its header and decrypted as raw with the header as associated
data, fail authentication. Sign and MAC bind both parties. Children of a
non-root token keep its principal. Prefetch, then logoff flushes the key.
Dual control: a non-root operator's policy write pends (202), self-approval
(the same token and another token of the same principal) is refused,
another operator approves, the re-sent request runs once, a replay and an
expired approval are refused; the audit file has the pending, approve and
execute records.
usage: test_do.py WARD
"""
import base64
import json
import os
import sys
import time

import requests

from wardserver import WardServer


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def b64(b):
    return base64.b64encode(b).decode()


class Api:
    def __init__(self, srv, token):
        self.srv = srv
        self.token = token
        self.s = requests.Session()
        self.s.verify = srv.cert

    def call(self, method, path, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        r = self.s.request(method, self.srv.addr + "/v1/" + path, data=data, timeout=30,
                           verify=self.srv.cert,
                           headers={"X-Vault-Token": self.token})
        return r.status_code, (r.json() if r.content else {})

    def ok(self, method, path, body=None, want=200):
        status, doc = self.call(method, path, body)
        check(status == want, "%s %s -> %d %s" % (method, path, status, doc))
        return doc.get("data", doc)

    def refused(self, code, method, path, body=None, raw=None):
        status, doc = self.call(method, path, body, raw)
        check(status >= 400 and doc.get("codes") == [code],
              "%s %s: want %s, got %d %s" % (method, path, code, status, doc))
        return doc


def start(ward):
    srv = WardServer(ward)
    root = Api(srv, "")
    res = root.ok("PUT", "sys/init", {"secret_shares": 1, "secret_threshold": 1})
    root.ok("PUT", "sys/unseal", {"key": res["keys"][0]})
    root.token = res["root_token"]
    return srv, root


def create_token(srv, root, name, policies):
    status, doc = root.call("POST", "auth/token/create",
                            {"display_name": name, "policies": policies, "ttl": "1h"})
    check(status == 200, "token create: %d %s" % (status, doc))
    return Api(srv, doc["auth"]["client_token"])


def put_policy(root, name, doc):
    root.ok("PUT", "sys/policy/" + name, {"policy": json.dumps(doc)}, want=204)


DO = {"do": {"capabilities": ["update"]}, "do/prefetch": {"capabilities": ["update"]}}
DEC = {"transit/decrypt/orders": {"capabilities": ["update"]},
       "ward/decrypt": {"capabilities": ["update"]}}


def setup(srv, root):
    root.ok("POST", "transit/keys/orders", {"type": "aes256-gcm96"})
    root.ok("POST", "transit/keys/orders-sig", {"type": "ed25519"})
    root.ok("POST", "sys/do/routes/10-orders",
            {"ops": ["encrypt", "decrypt", "mac", "verify_mac"], "key": "orders"}, want=204)
    root.ok("POST", "sys/do/routes/20-signing",
            {"ops": ["sign", "verify"], "key": "orders-sig", "type": "invoice"}, want=204)
    check(root.ok("LIST", "sys/do/routes")["keys"] == ["10-orders", "20-signing"], "routes")
    check(root.ok("GET", "sys/do/routes/20-signing")["to"] == "*", "route defaults")
    root.refused("invalid_argument", "POST", "sys/do/routes/bad", {"ops": ["fly"], "key": "k"})
    root.refused("invalid_argument", "POST", "sys/do/routes/bad",
                 {"ops": ["encrypt"], "key": "k", "to": "a*b"})
    alice = dict(DO, **DEC, **{"auth/token/create": {"capabilities": ["update"]}})
    put_policy(root, "alice", {"path": alice, "ward_parties": {
        "encrypt_to": ["token-bob"], "sign_to": ["token-bob"], "mac_to": ["token-bob"]}})
    put_policy(root, "bob", {"path": dict(DO, **DEC), "ward_parties": {
        "decrypt_from": ["token-alice"], "verify_from": ["token-alice"],
        "verify_mac_from": ["token-alice"]}})
    put_policy(root, "carol", {"path": dict(DO, **DEC), "ward_parties": {
        "encrypt_to": ["token-bob"], "decrypt_from": ["*"]}})
    put_policy(root, "dave", {"path": dict(DO, **DEC), "ward_parties": {"decrypt_from": ["*"]}})
    return {n: create_token(srv, root, n, [n]) for n in ("alice", "bob", "carol", "dave")}


def alice_to_bob(root, t):
    alice, bob, carol, dave = t["alice"], t["bob"], t["carol"], t["dave"]
    msg = b"invoice 42: 1,000 EUR"
    out = alice.ok("POST", "do", {"op": "encrypt", "to": "token-bob", "data": b64(msg)})
    ct = out["ciphertext"]
    check(ct.startswith("ward:v1:") and out["from"] == "token-alice" and
          out["to"] == "token-bob" and out["route"] == "10-orders", str(out))
    # Bob decrypts, on every path
    got = bob.ok("POST", "do", {"op": "decrypt", "data": ct, "from": "token-alice"})
    check(base64.b64decode(got["plaintext"]) == msg and got["from"] == "token-alice", str(got))
    got = bob.ok("POST", "ward/decrypt", {"ciphertext": ct})
    check(base64.b64decode(got["plaintext"]) == msg, "ward/decrypt by bob")
    got = bob.ok("POST", "transit/decrypt/orders", {"ciphertext": ct})
    check(base64.b64decode(got["plaintext"]) == msg, "transit/decrypt by bob")
    # Alice cannot decrypt her own ciphertext to Bob; Carol cannot at all
    for who in (alice, carol):
        who.refused("party_mismatch", "POST", "do", {"op": "decrypt", "data": ct})
        who.refused("party_mismatch", "POST", "transit/decrypt/orders", {"ciphertext": ct})
        who.refused("party_mismatch", "POST", "ward/decrypt",
                    {"batch_input": [{"ciphertext": ct}]})
    root.refused("party_mismatch", "POST", "ward/decrypt", {"ciphertext": ct})
    # rewrap would drop the parties
    root.refused("unsupported", "POST", "transit/rewrap/orders", {"ciphertext": ct})
    # the origin is always the caller; Alice may only encrypt to Bob
    alice.refused("party_mismatch", "POST", "do",
                  {"op": "encrypt", "from": "token-carol", "to": "token-bob", "data": b64(msg)})
    alice.refused("party_not_allowed", "POST", "do",
                  {"op": "encrypt", "to": "token-carol", "data": b64(msg)})
    bob.refused("party_not_allowed", "POST", "do",
                {"op": "encrypt", "to": "token-alice", "data": b64(msg)})
    alice.refused("party_mismatch", "POST", "do",
                  {"op": "decrypt", "to": "token-bob", "data": ct})
    # Bob may only decrypt from Alice: Carol's ciphertext to him is refused
    ct_carol = carol.ok("POST", "do", {"op": "encrypt", "to": "token-bob",
                                       "data": b64(b"from carol")})["ciphertext"]
    bob.refused("party_not_allowed", "POST", "do", {"op": "decrypt", "data": ct_carol})
    bob.refused("party_not_allowed", "POST", "ward/decrypt", {"ciphertext": ct_carol})
    # no route for a type nobody routes
    alice.refused("no_route", "POST", "do",
                  {"op": "sign", "to": "token-bob", "type": "memo", "data": b64(msg)})
    return ct


def tampering(root, t):
    dave = t["dave"]
    ct = root.ok("POST", "do", {"op": "encrypt", "to": "token-dave",
                                "data": b64(b"to dave")})["ciphertext"]
    check(base64.b64decode(dave.ok("POST", "do", {"op": "decrypt", "data": ct})["plaintext"])
          == b"to dave", "dave decrypts")
    raw = bytearray(base64.b64decode(ct[len("ward:v1:"):]))
    # header: format, alg, key id (16), version (4), flags, len "root", "root", len, "token-dave"
    check(raw[23] == 4 and raw[24:28] == b"root" and raw[29:39] == b"token-dave", "header")
    flipped = bytearray(raw)
    flipped[27] ^= 1  # FROM "root" -> "roou": still printable, dave accepts any FROM
    bad = "ward:v1:" + b64(bytes(flipped))
    dave.refused("decrypt_failed", "POST", "do", {"op": "decrypt", "data": bad})
    dave.refused("decrypt_failed", "POST", "ward/decrypt", {"ciphertext": bad})
    # stripped to raw, the header as associated_data (exactly the managed AAD): refused
    header = bytes(raw[:39])
    body = bytes(raw[39:])
    dave.refused("decrypt_failed", "POST", "transit/decrypt/orders",
                 {"ciphertext": b64(body), "ciphertext_format": "raw", "key_version": 1,
                  "associated_data": b64(header + bytes(8))})


def sign_and_mac(t):
    alice, bob = t["alice"], t["bob"]
    data = b64(b"invoice 43")
    sig = alice.ok("POST", "do", {"op": "sign", "to": "token-bob", "type": "invoice",
                                  "data": data})["signature"]
    ok = bob.ok("POST", "do", {"op": "verify", "from": "token-alice", "type": "invoice",
                               "data": data, "signature": sig})
    check(ok["valid"] is True and ok["to"] == "token-bob", str(ok))
    bad = bob.ok("POST", "do", {"op": "verify", "from": "token-alice", "type": "invoice",
                                "data": b64(b"invoice 44"), "signature": sig})
    check(bad["valid"] is False, "a changed message does not verify")
    # the signature binds the TO: Alice verifying it as if she were the TO fails
    put = t["dave"].call("POST", "do", {"op": "verify", "from": "token-alice", "type": "invoice",
                                        "data": data, "signature": sig})
    check(put[0] == 403, "dave may not verify from alice: %s" % (put,))
    mac = alice.ok("POST", "do", {"op": "mac", "to": "token-bob", "data": data})["mac"]
    ok = bob.ok("POST", "do", {"op": "verify_mac", "from": "token-alice", "data": data,
                               "mac": mac})
    check(ok["valid"] is True, "mac verifies")
    bob.refused("party_not_allowed", "POST", "do",
                {"op": "verify_mac", "from": "token-carol", "data": data, "mac": mac})


def children_and_logoff(srv, root, t):
    alice = t["alice"]
    alice.refused("permission_denied", "POST", "auth/token/create",
                  {"display_name": "bob", "policies": ["alice"]})
    status, doc = alice.call("POST", "auth/token/create", {"policies": ["alice"]})
    check(status == 200, "child: %d %s" % (status, doc))
    child = Api(srv, doc["auth"]["client_token"])
    me = child.ok("GET", "auth/token/lookup-self")
    check(me["display_name"] == "token-alice", "a child acts for its creator: %s" % me)
    # prefetch for the child, then its logoff flushes the key it fetched
    got = child.ok("POST", "do/prefetch", {"op": "encrypt", "to": "token-bob"})
    check(got["cached"] is True and got["route"] == "10-orders", str(got))
    child.ok("POST", "auth/token/revoke-self", {}, want=204)
    deadline = time.monotonic() + 10
    while 'logoff flushed prefetched keys" count=1' not in srv.output():
        check(time.monotonic() < deadline, "logoff did not flush the prefetched key")
        time.sleep(0.05)
    child.refused("token_invalid", "POST", "do", {"op": "encrypt", "to": "token-bob",
                                                   "data": b64(b"x")})


def dual_control(srv, root, log):
    put_policy(root, "polwriter", {"path": {
        "sys/policy/*": {"capabilities": ["update", "sudo", "delete"]},
        "sys/control/*": {"capabilities": ["update", "read", "list"]}}})
    op1 = create_token(srv, root, "op1", ["polwriter"])
    op1b = create_token(srv, root, "op1", ["polwriter"])
    op2 = create_token(srv, root, "op2", ["operator"])
    body = {"policy": json.dumps({"path": {"secret/data/new/*": {"capabilities": ["read"]}}})}
    status, doc = op1.call("PUT", "sys/policy/newpol", body)
    check(status == 202 and doc["data"]["state"] == "pending", "pending: %d %s" % (status, doc))
    rid = doc["data"]["id"]
    check(doc["data"]["requester"] == "token-op1" and doc["data"]["path"] == "sys/policy/newpol"
          and doc["data"]["operation"] == "sys.policy.write", str(doc))
    root.refused("not_found", "GET", "sys/policy/newpol")
    check(op2.ok("GET", "sys/control/request/" + rid)["state"] == "pending", "read")
    check(rid in op2.ok("LIST", "sys/control/requests")["keys"], "listed")
    # not approved yet; self-approval refused, by the same token and by another of op1's
    op1.refused("approval_invalid", "PUT", "sys/policy/newpol?ward_approval=" + rid, body)
    op1.refused("self_approval", "POST", "sys/control/approve/" + rid, {})
    op1b.refused("self_approval", "POST", "sys/control/approve/" + rid, {})
    got = op2.ok("POST", "sys/control/approve/" + rid, {})
    check(got["state"] == "approved" and got["approver"] == "token-op2", str(got))
    op2.refused("approval_invalid", "POST", "sys/control/approve/" + rid, {})
    # the approval is for exactly this request from this token
    other = {"policy": json.dumps({"path": {"*": {"capabilities": ["sudo", "update"]}}})}
    op1.refused("approval_invalid", "PUT", "sys/policy/newpol?ward_approval=" + rid, other)
    op1.refused("approval_invalid", "PUT", "sys/policy/other?ward_approval=" + rid, body)
    op1b.refused("approval_invalid", "PUT", "sys/policy/newpol?ward_approval=" + rid, body)
    status, doc = op1.call("PUT", "sys/policy/newpol?ward_approval=" + rid, body)
    check(status == 204, "the approved request runs: %d %s" % (status, doc))
    check("secret/data/new" in root.ok("GET", "sys/policy/newpol")["rules"], "written")
    op1.refused("approval_invalid", "PUT", "sys/policy/newpol?ward_approval=" + rid, body)
    root.refused("not_found", "GET", "sys/control/request/" + rid)
    # the time limit (changed by root, who is exempt), then an expired approval
    root.ok("POST", "sys/control/config", {"ttl": "2s"}, want=204)
    check(op2.ok("GET", "sys/control/config")["ttl"] == 2, "ttl")
    status, doc = op1.call("DELETE", "sys/policy/newpol")
    check(status == 202, "delete pends: %d %s" % (status, doc))
    rid2 = doc["data"]["id"]
    op2.ok("POST", "sys/control/approve/" + rid2, {})
    time.sleep(2.5)
    op1.refused("approval_invalid", "DELETE", "sys/policy/newpol?ward_approval=" + rid2)
    check("secret/data/new" in root.ok("GET", "sys/policy/newpol")["rules"], "not deleted")
    # approving too late is refused as well
    status, doc = op1.call("DELETE", "sys/policy/newpol")
    check(status == 202, "delete pends again: %d %s" % (status, doc))
    time.sleep(2.5)
    op2.refused("approval_invalid", "POST", "sys/control/approve/" + doc["data"]["id"], {})
    # a non-root caller changing the time limit pends too
    status, doc = op1.call("POST", "sys/control/config", {"ttl": "1h"})
    check(status == 202, "a config change pends: %d %s" % (status, doc))
    check(op2.ok("GET", "sys/control/config")["ttl"] == 2, "ttl unchanged")
    # the audit trail: pending (202), approve, execute (204), in that order
    with open(log) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    resp = [r for r in recs if r.get("type") == "response"]
    pend = [i for i, r in enumerate(resp)
            if r.get("operation") == "sys.policy.write" and r.get("status") == 202]
    appr = [i for i, r in enumerate(resp)
            if r.get("operation") == "sys.control.approve" and r.get("status") == 200]
    run = [i for i, r in enumerate(resp)
           if r.get("operation") == "sys.policy.write" and r.get("status") == 204 and
           r.get("auth", {}).get("principal") == "token-op1"]
    refused = [r for r in resp if r.get("error_code") in ("self_approval", "approval_invalid")]
    check(pend and appr and len(run) == 1 and pend[0] < appr[0] < run[0],
          "audit records: pending %s approve %s execute %s" % (pend, appr, run))
    check(len(refused) >= 6, "refusals audited: %d" % len(refused))
    # a DO request's response record names the key its route resolved
    do_keys = {r.get("key") for r in resp if r.get("operation") == "do" and r.get("status") == 200}
    check({"orders", "orders-sig"} <= do_keys, "DO records name their keys: %r" % do_keys)
    wd_keys = {r.get("key") for r in resp
               if r.get("operation") == "ward.decrypt" and r.get("status") == 200}
    check(wd_keys == {"orders"}, "ward/decrypt records name the key: %r" % wd_keys)


def main(ward):
    srv, root = start(ward)
    log = os.path.join(srv.dir, "audit.log")
    try:
        root.ok("PUT", "sys/audit/file", {"type": "file", "options": {"file_path": log}},
                want=204)
        t = setup(srv, root)
        alice_to_bob(root, t)
        tampering(root, t)
        sign_and_mac(t)
        children_and_logoff(srv, root, t)
        dual_control(srv, root, log)
        with open(log, "rb") as f:
            check(b"invoice 42" not in f.read(), "no plaintext in the audit file")
        print("do: Alice->Bob, FROM/TO policies, tampering, sign/mac, logoff, dual control pass")
    except Exception:
        print(srv.output()[-4000:], file=sys.stderr)
        raise
    finally:
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
