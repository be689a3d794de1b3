#!/usr/bin/python3
"""test_hvac_auth.py - tokens and ACL policies end to end: Vault's Python
client (Debian's python3-hvac, unmodified) against a real `ward server`.

A policy written with hvac's sys.create_or_update_policy, a token made with
auth.token.create: it encrypts with transit/orders and gets 403 on decrypt,
other keys and secrets; lookup-self, renew-self inside its maximum,
revoke-self, revoke by accessor. Then the attacks of issue 6: a forged
token (one bit flipped), an expired one, a revoked one replayed after a
restart, one from another Ward instance, escalation through token create
and through a policy write without sudo, path tricks against globs (raw
requests, so no client tidies the path), Ward's ward_key_operations, the
built-in policies, and no token in the server's log.
usage: test_hvac_auth.py WARD
"""
import base64
import http.client
import json
import os
import ssl
import subprocess
import sys
import time

import hvac
import hvac.exceptions

from wardserver import WardServer


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def b64(b):
    return base64.b64encode(b).decode()


def forbidden(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except hvac.exceptions.Forbidden as e:
        return e
    raise AssertionError("%s did not answer 403" % getattr(fn, "__name__", fn))


def start(ward):
    srv = WardServer(ward)
    c = hvac.Client(url=srv.addr, verify=srv.cert)
    res = c.sys.initialize(secret_shares=1, secret_threshold=1)
    c.sys.submit_unseal_key(res["keys"][0])
    c.token = res["root_token"]
    return srv, c, res["keys"][0]


def client(srv, token):
    return hvac.Client(url=srv.addr, verify=srv.cert, token=token)


class Raw:
    """Requests sent byte for byte (http.client), so paths stay as written."""

    def __init__(self, srv):
        self.srv = srv
        self.ctx = ssl.create_default_context(cafile=srv.cert)

    def call(self, method, path, token, body=None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.srv.port, context=self.ctx,
                                           timeout=30)
        headers = {"X-Vault-Token": token} if token else {}
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        try:
            doc = json.loads(data) if data else {}
        except ValueError:
            doc = {}
        return r.status, doc


ORDERS_ENC = {"path": {"transit/encrypt/orders": {"capabilities": ["update"]}}}


def basics(srv, root):
    """A policy, a token with it, what it may and may not do."""
    root.secrets.transit.create_key(name="orders")
    root.secrets.transit.create_key(name="other")
    root.secrets.kv.v2.create_or_update_secret(path="team/ok", secret={"v": "1"})
    root.sys.create_or_update_policy(name="orders-enc", policy=ORDERS_ENC)
    check("orders-enc" in root.sys.list_policies()["data"]["policies"], "listed")
    rules = json.loads(root.sys.read_policy(name="orders-enc")["data"]["rules"])
    check(rules == ORDERS_ENC, "read back: %r" % rules)

    auth = root.auth.token.create(policies=["orders-enc"], ttl="1h", meta={"team": "orders"})["auth"]
    tok = auth["client_token"]
    check(tok.startswith("w.s."), "signed token")
    check(auth["policies"] == ["default", "orders-enc"], str(auth))
    check(auth["token_policies"] == auth["policies"] and auth["renewable"], str(auth))
    check(3590 <= auth["lease_duration"] <= 3600, str(auth))
    check(len(auth["accessor"]) == 32, str(auth))

    alice = client(srv, tok)
    ct = alice.secrets.transit.encrypt_data(name="orders", plaintext=b64(b"card 4111"))
    ct = ct["data"]["ciphertext"]
    forbidden(alice.secrets.transit.decrypt_data, name="orders", ciphertext=ct)
    forbidden(alice.secrets.transit.encrypt_data, name="other", plaintext=b64(b"x"))
    forbidden(alice.secrets.transit.read_key, name="orders")
    forbidden(alice.secrets.kv.v2.read_secret_version, path="team/ok")
    forbidden(alice.sys.create_or_update_policy, name="orders-enc", policy={"path": {}})
    forbidden(alice.auth.token.create, policies=["orders-enc"])
    forbidden(alice.sys.seal)
    # the root token still does everything
    pt = root.secrets.transit.decrypt_data(name="orders", ciphertext=ct)["data"]["plaintext"]
    check(base64.b64decode(pt) == b"card 4111", "root decrypts")

    # lookups
    me = alice.auth.token.lookup_self()["data"]
    check(me["id"] == tok and me["accessor"] == auth["accessor"], str(me))
    check(me["policies"] == ["default", "orders-enc"] and 3590 <= me["ttl"] <= 3600, str(me))
    check(me["meta"] == {"team": "orders"} and me["display_name"] == "token", str(me))
    check(me["expire_time"].endswith("Z") and me["renewable"], str(me))
    other = root.auth.token.lookup(token=tok)["data"]
    check(other["accessor"] == auth["accessor"], str(other))
    by_acc = root.auth.token.lookup_accessor(auth["accessor"])["data"]
    check(by_acc["id"] == "" and by_acc["policies"] == me["policies"], str(by_acc))
    rootme = root.lookup_token()["data"]
    check(rootme["policies"] == ["root"] and rootme["ttl"] == 0, str(rootme))
    return tok, auth["accessor"]


def renew_and_revoke(srv, root):
    auth = root.auth.token.create(policies=["orders-enc"], ttl="60s", explicit_max_ttl="120s")
    bob = client(srv, auth["auth"]["client_token"])
    check(auth["auth"]["lease_duration"] <= 60, str(auth))
    r = bob.auth.token.renew_self(increment="90s")["auth"]
    check(85 <= r["lease_duration"] <= 90, "renewed to 90s: %r" % r)
    r = bob.auth.token.renew_self(increment=3600)["auth"]
    check(110 <= r["lease_duration"] <= 120, "capped at the max: %r" % r)
    check(115 <= bob.auth.token.lookup_self()["data"]["ttl"] <= 120, "ttl after renew")
    r = root.auth.token.renew(token=auth["auth"]["client_token"], increment="30s")["auth"]
    check(r["lease_duration"] >= 110, "renew never shortens: %r" % r)

    # not renewable
    nr = root.auth.token.create(policies=["orders-enc"], ttl="60s", renewable=False)["auth"]
    try:
        client(srv, nr["client_token"]).auth.token.renew_self()
        raise AssertionError("renewed a non-renewable token")
    except hvac.exceptions.InvalidRequest:
        pass

    # revoke-self: at once
    bob.auth.token.revoke_self()
    forbidden(bob.auth.token.lookup_self)
    forbidden(bob.secrets.transit.encrypt_data, name="orders", plaintext=b64(b"x"))

    # revoke by accessor
    carol_auth = root.auth.token.create(policies=["orders-enc"])["auth"]
    carol = client(srv, carol_auth["client_token"])
    carol.secrets.transit.encrypt_data(name="orders", plaintext=b64(b"x"))
    root.auth.token.revoke_accessor(carol_auth["accessor"])
    forbidden(carol.secrets.transit.encrypt_data, name="orders", plaintext=b64(b"x"))
    try:
        root.auth.token.lookup_accessor(carol_auth["accessor"])
        raise AssertionError("lookup of a revoked accessor")
    except hvac.exceptions.InvalidRequest:
        pass

    # revoke by token, and the root token cannot be revoked
    dave = root.auth.token.create(policies=["orders-enc"])["auth"]["client_token"]
    root.auth.token.revoke(token=dave)
    forbidden(client(srv, dave).auth.token.lookup_self)
    try:
        root.auth.token.revoke_self()
        raise AssertionError("revoked the root token")
    except hvac.exceptions.InvalidRequest:
        pass


def flip(tok, pos, bit):
    body = bytearray(tok.encode())
    body[pos] ^= 1 << bit
    return body.decode("latin-1")


def attacks(srv, root, raw, tok):
    # forged: one bit flipped, in many places; each 403, never 500
    for pos in range(4, len(tok), max(1, len(tok) // 40)):
        for bit in (0, 1, 5):
            forged = flip(tok, pos, bit)
            if not forged.isprintable() or forged == tok:
                continue
            status, doc = raw.call("POST", "/v1/transit/encrypt/orders", forged,
                                   {"plaintext": b64(b"x")})
            check(status in (403, 400), "forged token at %d/%d: %d %r" % (pos, bit, status, doc))
    status, doc = raw.call("POST", "/v1/transit/encrypt/orders", flip(tok, len(tok) // 2, 0),
                           {"plaintext": b64(b"x")})
    check(status == 403 and doc["codes"] == ["token_invalid"], "forged: %d %r" % (status, doc))

    # expired
    short = root.auth.token.create(policies=["orders-enc"], ttl="1s")["auth"]["client_token"]
    client(srv, short).secrets.transit.encrypt_data(name="orders", plaintext=b64(b"x"))
    time.sleep(2.1)
    forbidden(client(srv, short).secrets.transit.encrypt_data, name="orders",
              plaintext=b64(b"x"))
    status, doc = raw.call("GET", "/v1/auth/token/lookup-self", short)
    check(status == 403 and doc["codes"] == ["token_invalid"], "expired: %r" % doc)


def escalation(srv, root):
    minter_policy = {"path": {"auth/token/create": {"capabilities": ["update"]},
                              "sys/policy/minter": {"capabilities": ["update", "read"]},
                              "sys/policies/acl/minter": {"capabilities": ["update"]}}}
    root.sys.create_or_update_policy(name="minter", policy=minter_policy)
    m = client(srv, root.auth.token.create(policies=["minter"])["auth"]["client_token"])
    # a child with the caller's own policies is fine
    child = m.auth.token.create(policies=["minter"])["auth"]
    check(child["policies"] == ["default", "minter"], str(child))
    # more than the caller holds: refused
    forbidden(m.auth.token.create, policies=["admin"])
    forbidden(m.auth.token.create, policies=["minter", "orders-enc"])
    forbidden(m.auth.token.create, policies=["root"])
    # rewriting its own policy to grant everything: refused (sudo needed)
    forbidden(m.sys.create_or_update_policy, name="minter",
              policy={"path": {"*": {"capabilities": ["update", "sudo"]}}})
    status = requests_put_acl(srv, m.token, "minter",
                              {"path": {"*": {"capabilities": ["update", "sudo"]}}})
    check(status == 403, "acl write without sudo: %d" % status)
    check(json.loads(root.sys.read_policy(name="minter")["data"]["rules"]) == minter_policy,
          "policy unchanged")
    forbidden(m.secrets.transit.encrypt_data, name="orders", plaintext=b64(b"x"))

    # sudo on auth/token/create: any policy but root
    root.sys.create_or_update_policy(
        name="sudo-minter", policy={"path": {"auth/token/create": {"capabilities": ["update",
                                                                                     "sudo"]}}})
    s = client(srv, root.auth.token.create(policies=["sudo-minter"])["auth"]["client_token"])
    made = s.auth.token.create(policies=["orders-enc"])["auth"]
    check(made["policies"] == ["default", "orders-enc"], str(made))
    forbidden(s.auth.token.create, policies=["root"])
    # a child never outlives its creator
    short = root.auth.token.create(policies=["minter"], ttl="30s", explicit_max_ttl="40s")
    sm = client(srv, short["auth"]["client_token"])
    kid = sm.auth.token.create(policies=["minter"], ttl="24h", explicit_max_ttl="48h")["auth"]
    check(kid["lease_duration"] <= 40, "child capped by its creator: %r" % kid)


def requests_put_acl(srv, token, name, doc):
    status, _ = Raw(srv).call("PUT", "/v1/sys/policies/acl/" + name, token,
                              {"policy": json.dumps(doc)})
    return status


def path_tricks(srv, root, raw):
    team = {"path": {"secret/data/team/*": {"capabilities": ["read"]},
                     "secret/data/team/admin/*": {"capabilities": ["deny"]},
                     "transit/encrypt/orders": {"capabilities": ["update"]}}}
    root.sys.create_or_update_policy(name="team", policy=team)
    root.secrets.kv.v2.create_or_update_secret(path="team/admin/x", secret={"v": "secret"})
    root.secrets.kv.v2.create_or_update_secret(path="other", secret={"v": "secret"})
    tok = root.auth.token.create(policies=["team"])["auth"]["client_token"]
    status, doc = raw.call("GET", "/v1/secret/data/team/ok", tok)
    check(status == 200 and doc["data"]["data"] == {"v": "1"}, "team/ok: %d" % status)
    check(raw.call("GET", "/v1/secret/data/team/admin/x", tok)[0] == 403, "deny glob")
    tricks = [
        "/v1/secret/data/team/%61dmin/x",     # decoded before the policy: still admin
        "/v1/secret/data/team/%2e%2e/other",  # .. refused by the router
        "/v1/secret/data/team/../other",
        "/v1/secret/data/team/./admin/x",
        "/v1/secret/data/team//admin/x",
        "/v1/secret/data/team/%2fadmin/x",
        "/v1/secret/data/Team/ok",            # case: another path
        "/v1/secret/data/TEAM/admin/x",
        "/v1/secret/data/team/admin/x/",
        "/v1/secret/data/team/admin%2fx",
        "/v1/Secret/data/team/ok",
        "/v1/secret//data/team/ok",
    ]
    for path in tricks:
        status, doc = raw.call("GET", path, tok)
        check(status in (400, 403, 404), "%s: %d %r" % (path, status, doc))
        check("secret" not in json.dumps(doc.get("data", {})), "%s leaked" % path)
    for path in ["/v1/transit/encrypt/Orders", "/v1/transit/encrypt/orders/",
                 "/v1/transit/encrypt//orders", "/v1/transit/encrypt/%6frders",
                 "/v1/transit/encrypt/./orders", "/v1/transit//encrypt/orders",
                 "/v1/transit/encrypt/orders%2f..%2fother"]:
        status, doc = raw.call("POST", path, tok, {"plaintext": b64(b"x")})
        check(status in (400, 403, 404), "%s: %d %r" % (path, status, doc))
    status, _ = raw.call("POST", "/v1/transit/encrypt/orders", tok, {"plaintext": b64(b"x")})
    check(status == 200, "the plain path works: %d" % status)


def key_operations(srv, root):
    root.sys.create_or_update_policy(name="alice", policy={"path": {"transit/+/orders": {
        "capabilities": ["update"], "ward_key_operations": ["encrypt"]}}})
    root.sys.create_or_update_policy(name="bob", policy={"path": {"transit/+/orders": {
        "capabilities": ["update"], "ward_key_operations": ["decrypt"]}}})
    alice = client(srv, root.auth.token.create(policies=["alice"])["auth"]["client_token"])
    bob = client(srv, root.auth.token.create(policies=["bob"])["auth"]["client_token"])
    ct = alice.secrets.transit.encrypt_data(name="orders", plaintext=b64(b"to bob"))
    ct = ct["data"]["ciphertext"]
    forbidden(alice.secrets.transit.decrypt_data, name="orders", ciphertext=ct)
    forbidden(alice.secrets.transit.rewrap_data, name="orders", ciphertext=ct)
    forbidden(alice.secrets.transit.rotate_key, name="orders")
    forbidden(alice.secrets.transit.encrypt_data, name="other", plaintext=b64(b"x"))
    pt = bob.secrets.transit.decrypt_data(name="orders", ciphertext=ct)["data"]["plaintext"]
    check(base64.b64decode(pt) == b"to bob", "bob decrypts")
    forbidden(bob.secrets.transit.encrypt_data, name="orders", plaintext=b64(b"x"))
    # Ward's nameless decrypt is its own path: no grant there, no decrypt
    status, _ = Raw(srv).call("POST", "/v1/ward/decrypt", bob.token, {"ciphertext": ct})
    check(status == 403, "ward/decrypt without a grant: %d" % status)
    # with ward/decrypt granted, the key the ciphertext names is judged as
    # transit/decrypt/<key>: bob's orders grant decrypts, a key he lacks does not
    root.sys.create_or_update_policy(name="bob-nameless", policy={"path": {
        "ward/decrypt": {"capabilities": ["update"]}}})
    bob2 = client(srv, root.auth.token.create(policies=["bob", "bob-nameless"])
                  ["auth"]["client_token"])
    status, doc = Raw(srv).call("POST", "/v1/ward/decrypt", bob2.token, {"ciphertext": ct})
    check(status == 200 and base64.b64decode(doc["data"]["plaintext"]) == b"to bob",
          "ward/decrypt with the key's grant: %d %s" % (status, doc))
    other = root.secrets.transit.encrypt_data(name="payroll", plaintext=b64(b"x"))
    status, doc = Raw(srv).call("POST", "/v1/ward/decrypt", bob2.token,
                                {"ciphertext": other["data"]["ciphertext"]})
    check(status == 403 and "permission_denied" in doc.get("codes", []),
          "ward/decrypt of another key's ciphertext: %d %s" % (status, doc))
    # encrypt's create-on-first-use needs create: alice's update grant does not make keys
    root.sys.create_or_update_policy(name="upd", policy={"path": {
        "transit/encrypt/*": {"capabilities": ["update"]}}})
    upd = client(srv, root.auth.token.create(policies=["upd"])["auth"]["client_token"])
    forbidden(upd.secrets.transit.encrypt_data, name="fresh", plaintext=b64(b"x"))
    upd.secrets.transit.encrypt_data(name="orders", plaintext=b64(b"x"))
    # the audit trail's configuration needs sudo, as in Vault
    root.sys.create_or_update_policy(name="aud-nosudo", policy={"path": {
        "sys/audit/*": {"capabilities": ["create", "update", "delete", "read"]}}})
    aud = client(srv, root.auth.token.create(policies=["aud-nosudo"])["auth"]["client_token"])
    forbidden(aud.sys.enable_audit_device, device_type="file", path="f2",
              options={"file_path": "/dev/null"})


def builtins(srv, root, raw):
    names = root.sys.list_policies()["data"]["policies"]
    for n in ("root", "default", "admin", "operator", "auditor"):
        check(n in names, "built-in %s listed" % n)
    try:
        root.sys.create_or_update_policy(name="default", policy={"path": {}})
        raise AssertionError("rewrote default")
    except hvac.exceptions.InvalidRequest:
        pass
    try:
        root.sys.delete_policy(name="root")
        raise AssertionError("deleted root")
    except hvac.exceptions.InvalidRequest:
        pass
    for bad in ('path "x" { capabilities = ["read"] }',
                {"path": {"a": {"capabilities": ["read"], "allowed_parameters": {}}}},
                {"path": {"a/*/b": {"capabilities": ["read"]}}},
                {"path": {"a": {"capabilities": ["reed"]}}}):
        try:
            root.sys.create_or_update_policy(name="bad", policy=bad)
            raise AssertionError("accepted %r" % bad)
        except hvac.exceptions.InvalidRequest:
            pass
    status, doc = raw.call("LIST", "/v1/sys/policies/acl", root.token)
    check(status == 200 and "orders-enc" in doc["data"]["keys"], "acl list: %r" % doc)
    status, doc = raw.call("GET", "/v1/sys/policies/acl/orders-enc", root.token)
    check(status == 200 and json.loads(doc["data"]["policy"]) == ORDERS_ENC, str(doc))
    root.sys.create_or_update_policy(name="gone", policy={"path": {}})
    root.sys.delete_policy(name="gone")
    check("gone" not in root.sys.list_policies()["data"]["policies"], "deleted")

    op = client(srv, root.auth.token.create(policies=["operator"])["auth"]["client_token"])
    check(op.sys.read_seal_status()["sealed"] is False, "seal status")
    status, _ = raw.call("GET", "/v1/sys/key-status", op.token)
    check(status == 200, "operator reads key-status: %d" % status)
    forbidden(op.secrets.kv.v2.read_secret_version, path="team/ok")
    forbidden(op.secrets.transit.encrypt_data, name="orders", plaintext=b64(b"x"))
    aud = client(srv, root.auth.token.create(policies=["auditor"])["auth"]["client_token"])
    forbidden(aud.secrets.kv.v2.read_secret_version, path="team/ok")
    forbidden(aud.secrets.transit.list_keys)
    status, _ = raw.call("GET", "/v1/sys/key-status", aud.token)
    check(status == 403, "auditor: no key-status")
    adm = client(srv, root.auth.token.create(policies=["admin"])["auth"]["client_token"])
    adm.secrets.transit.encrypt_data(name="orders", plaintext=b64(b"x"))
    adm.sys.create_or_update_policy(name="by-admin", policy={"path": {}})
    forbidden(adm.auth.token.create, policies=["root"])


def other_instance(ward, tok, root_token):
    srv2, root2, _ = start(ward)
    try:
        forbidden(client(srv2, tok).auth.token.lookup_self)
        forbidden(client(srv2, root_token).sys.list_policies)
        tok2 = root2.auth.token.create(policies=["default"])["auth"]["client_token"]
        return tok2
    finally:
        srv2.close()


def restart_keeps_revocation(srv, root, key, tok_other):
    keep = root.auth.token.create(policies=["orders-enc"])["auth"]["client_token"]
    gone = root.auth.token.create(policies=["orders-enc"])["auth"]["client_token"]
    renewed = root.auth.token.create(policies=["orders-enc"], ttl="60s",
                                     explicit_max_ttl="2h")["auth"]["client_token"]
    client(srv, renewed).auth.token.renew_self(increment="1h")
    client(srv, gone).auth.token.revoke_self()
    srv.restart()
    c = hvac.Client(url=srv.addr, verify=srv.cert)
    c.sys.submit_unseal_key(key)
    client(srv, keep).secrets.transit.encrypt_data(name="orders", plaintext=b64(b"x"))
    forbidden(client(srv, gone).secrets.transit.encrypt_data, name="orders",
              plaintext=b64(b"x"))
    check(client(srv, renewed).auth.token.lookup_self()["data"]["ttl"] > 3000,
          "renewal survives a restart")
    forbidden(client(srv, tok_other).auth.token.lookup_self)
    # a seal forgets the token key; after the unseal tokens work again
    root.sys.seal()
    c.sys.submit_unseal_key(key)
    client(srv, keep).secrets.transit.encrypt_data(name="orders", plaintext=b64(b"x"))
    forbidden(client(srv, gone).auth.token.lookup_self)


def cli(ward, srv, root):
    """ward policy and ward token drive the same paths."""
    def run(token, *args, stdin=""):
        env = dict(os.environ, WARD_ADDR=srv.addr, WARD_CACERT=srv.cert, WARD_TOKEN=token)
        return subprocess.run([ward] + list(args), input=stdin, capture_output=True, text=True,
                              env=env, timeout=30)

    doc = json.dumps({"path": {"transit/encrypt/cli": {"capabilities": ["update"]}}})
    r = run(root.token, "policy", "write", "cli-enc", stdin=doc)
    check(r.returncode == 0 and "Success" in r.stdout, "policy write: %r" % (r,))
    r = run(root.token, "policy", "read", "cli-enc")
    check(r.returncode == 0 and json.loads(r.stdout) == json.loads(doc), "policy read: %r" % (r,))
    r = run(root.token, "policy", "list")
    check("cli-enc" in r.stdout.split() and "default" in r.stdout.split(), "list: %r" % (r,))
    r = run(root.token, "token", "create", "-format=json", "-policy=cli-enc", "-ttl=10m")
    check(r.returncode == 0, "token create: %r" % (r,))
    made = json.loads(r.stdout)["auth"]
    r = run(made["client_token"], "token", "lookup")
    check(r.returncode == 0 and made["accessor"] in r.stdout, "lookup: %r" % (r,))
    r = run(root.token, "token", "lookup", "-token-stdin", stdin=made["client_token"] + "\n")
    check(r.returncode == 0 and made["accessor"] in r.stdout, "lookup stdin: %r" % (r,))
    r = run(made["client_token"], "token", "renew", "-increment=5m")
    check(r.returncode == 0, "renew: %r" % (r,))
    r = run(root.token, "token", "create", "-policy=admin", "-format=json")
    adm = json.loads(r.stdout)["auth"]["client_token"]
    r = run(made["client_token"], "token", "create", "-policy=admin")
    check(r.returncode == 1 and "permission_denied" in r.stderr, "escalation: %r" % (r,))
    r = run(root.token, "token", "revoke", "-accessor=" + made["accessor"])
    check(r.returncode == 0, "revoke: %r" % (r,))
    r = run(made["client_token"], "token", "lookup")
    check(r.returncode == 1 and "token_invalid" in r.stderr, "revoked: %r" % (r,))
    r = run(adm, "token", "revoke")
    check(r.returncode == 0 and "revoked" in r.stdout, "revoke self: %r" % (r,))
    r = run(root.token, "policy", "delete", "cli-enc")
    check(r.returncode == 0, "policy delete: %r" % (r,))
    r = run(root.token, "policy", "delete", "default")
    check(r.returncode == 1, "built-in delete refused: %r" % (r,))


def main(ward):
    srv, root, key = start(ward)
    raw = Raw(srv)
    tokens = [root.token]
    try:
        tok, _ = basics(srv, root)
        tokens.append(tok)
        renew_and_revoke(srv, root)
        attacks(srv, root, raw, tok)
        escalation(srv, root)
        path_tricks(srv, root, raw)
        key_operations(srv, root)
        builtins(srv, root, raw)
        cli(ward, srv, root)
        tok_other = other_instance(ward, tok, root.token)
        restart_keeps_revocation(srv, root, key, tok_other)
        log = srv.output()
        for t in tokens:
            check(t not in log and t[4:20] not in log, "a token appears in the server log")
        print("hvac auth: tokens, policies and their attacks pass")
    except Exception:
        print(srv.output()[-4000:], file=sys.stderr)
        raise
    finally:
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
