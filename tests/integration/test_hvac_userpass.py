#!/usr/bin/python3
"""test_hvac_userpass.py - the userpass and approle auth methods end to end:
Vault's Python client (Debian's python3-hvac, unmodified) against a real
`ward server`, plus the generic CLI commands (ward read|write|list|delete,
ward login) against the same server.

userpass at two paths (separate users), a login whose token has its
policies and only them (a path outside them is 403), wrong password and
unknown user refused alike, password change, delete; throttling with a
2 s lockout: five failures lock the user for that address (the right
password is refused) and not for another address (127.0.0.2), the lock
ends, and 10,000 wrong passwords cost little time (refused without
Argon2id). approle: role, role_id, secret IDs with num_uses=2 (the third
login refused), a short secret_id_ttl, CIDR bindings (a role bound to
10.0.0.0/8 refuses 127.0.0.1), destroy by value and by accessor, role
delete. Finally no password or secret ID appears in the server's log or
the audit file.
usage: test_hvac_userpass.py WARD
"""
import http.client
import json
import os
import sqlite3
import ssl
import subprocess
import sys
import time

import hvac
import hvac.exceptions

from wardserver import WardServer

LOCK_S = 2.0
PASSWORDS = ["d0h-Nuts!", "second-mount-pw", "new-pw-after-change", "eat-my-shorts"]


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect(exc, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc as e:
        return e
    raise AssertionError("%s did not raise %s" % (getattr(fn, "__name__", fn), exc.__name__))


class Raw:
    """One keep-alive HTTPS connection from a chosen source address."""

    def __init__(self, srv, source="127.0.0.1"):
        ctx = ssl.create_default_context(cafile=srv.cert)
        self.conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=30,
                                                source_address=(source, 0))

    def post(self, path, body):
        self.conn.request("POST", "/v1/" + path, body=json.dumps(body),
                          headers={"Content-Type": "application/json"})
        r = self.conn.getresponse()
        return r.status, r.read()

    def close(self):
        self.conn.close()


def can_bind(addr):
    import socket
    try:
        with socket.socket() as s:
            s.bind((addr, 0))
        return True
    except OSError:
        return False


def userpass(srv, c):
    c.sys.enable_auth_method("userpass")
    c.sys.enable_auth_method("userpass", path="up2")
    c.sys.create_or_update_policy("app-read", json.dumps(
        {"path": {"secret/data/app/*": {"capabilities": ["read"]}}}))
    c.secrets.kv.v2.create_or_update_secret("app/db", secret={"pw": "x"})
    c.secrets.kv.v2.create_or_update_secret("other/db", secret={"pw": "y"})
    c.auth.userpass.create_or_update_user("Homer", password=PASSWORDS[0], policies=["app-read"])
    c.auth.userpass.create_or_update_user("homer", password=PASSWORDS[1], mount_point="up2")
    data = c.auth.userpass.read_user("homer")["data"]
    check(data["token_policies"] == ["app-read"], "read_user policies: %r" % data)
    check(not any(k in data for k in ("password", "hash", "salt", "argon2")), "hash shown")
    check(c.auth.userpass.list_user()["data"]["keys"] == ["homer"], "list_user")

    u = hvac.Client(url=srv.addr, verify=srv.cert)
    auth = u.auth.userpass.login("homer", PASSWORDS[0])["auth"]
    check(u.token == auth["client_token"], "hvac took the token")
    check(auth["policies"] == ["app-read", "default"], "login policies %r" % auth["policies"])
    check(auth["metadata"] == {"username": "homer"}, "login metadata")
    check(u.secrets.kv.v2.read_secret_version("app/db")["data"]["data"] == {"pw": "x"}, "read")
    expect(hvac.exceptions.Forbidden, u.secrets.kv.v2.read_secret_version, "other/db")
    expect(hvac.exceptions.Forbidden, u.auth.userpass.list_user)
    # the other mount has its own homer
    v = hvac.Client(url=srv.addr, verify=srv.cert)
    expect(hvac.exceptions.Forbidden, v.auth.userpass.login, "homer", PASSWORDS[0],
           mount_point="up2")
    check(v.auth.userpass.login("homer", PASSWORDS[1], mount_point="up2")["auth"]["policies"]
          == ["default"], "up2 login")
    wrong = expect(hvac.exceptions.Forbidden, v.auth.userpass.login, "homer", "nope")
    unknown = expect(hvac.exceptions.Forbidden, v.auth.userpass.login, "nobody", "nope")
    check(str(wrong).split(",")[0] == str(unknown).split(",")[0], "refusals differ")
    # an unknown user costs the same Argon2id as a wrong password (medians of 3)
    c.auth.userpass.create_or_update_user("timing", password=PASSWORDS[0])

    def refused_s(name):
        t0 = time.monotonic()
        expect(hvac.exceptions.Forbidden, v.auth.userpass.login, name, "nope")
        return time.monotonic() - t0

    t_wrong = sorted(refused_s("timing") for _ in range(3))[1]
    t_unknown = sorted(refused_s("nobody%d" % i) for i in range(3))[1]
    check(t_wrong / 3 < t_unknown < t_wrong * 3, "unknown user %.3f s, wrong password %.3f s"
          % (t_unknown, t_wrong))
    # password change: the old one stops working
    c.auth.userpass.update_password_on_user("homer", PASSWORDS[2])
    expect(hvac.exceptions.Forbidden, v.auth.userpass.login, "homer", PASSWORDS[0])
    v.auth.userpass.login("homer", PASSWORDS[2])
    # a POST without password keeps it; policies are replaced
    c.auth.userpass.create_or_update_user("homer", policies="app-read,extra")
    check(v.auth.userpass.login("homer", PASSWORDS[2])["auth"]["token_policies"]
          == ["app-read", "extra", "default"], "policies update")
    expect(hvac.exceptions.InvalidRequest, c.auth.userpass.create_or_update_user, "marge")
    c.auth.userpass.delete_user("homer", mount_point="up2")
    expect(hvac.exceptions.Forbidden, v.auth.userpass.login, "homer", PASSWORDS[1],
           mount_point="up2")
    print("userpass: two mounts, policies, refusals, password change, delete: ok")


def throttling(srv, c):
    c.auth.userpass.create_or_update_user("bart", password=PASSWORDS[3])
    raw = Raw(srv)
    t0 = time.monotonic()
    status, _ = raw.post("auth/userpass/login/bart", {"password": PASSWORDS[3]})
    one_login = time.monotonic() - t0
    check(status == 200, "good login %d" % status)
    for _ in range(5):
        status, body = raw.post("auth/userpass/login/bart", {"password": "wrong"})
        check(status == 403, "wrong password %d" % status)
    locked_at = time.monotonic()
    status, body = raw.post("auth/userpass/login/bart", {"password": PASSWORDS[3]})
    check(status == 403 and b"invalid credentials" in body, "locked user got in: %d" % status)
    if can_bind("127.0.0.2"):
        other = Raw(srv, "127.0.0.2")
        status, _ = other.post("auth/userpass/login/bart", {"password": PASSWORDS[3]})
        check(status == 200, "a second address was locked by the first's failures: %d" % status)
        other.close()
        print("throttle: 127.0.0.2 not locked by 127.0.0.1's failures")
    time.sleep(max(0.0, LOCK_S + 0.3 - (time.monotonic() - locked_at)))
    status, _ = raw.post("auth/userpass/login/bart", {"password": PASSWORDS[3]})
    check(status == 200, "lock did not end: %d" % status)
    # 10,000 guesses: mostly refused before any Argon2id
    t0 = time.monotonic()
    for _ in range(10000):
        status, _ = raw.post("auth/userpass/login/bart", {"password": "guess"})
        check(status == 403, "guess answered %d" % status)
    flood = time.monotonic() - t0
    # unthrottled, each guess would cost a login's Argon2id
    check(flood < 10000 * one_login / 10, "10,000 guesses took %.1f s (one login %.3f s)"
          % (flood, one_login))
    time.sleep(LOCK_S + 0.3)
    status, _ = raw.post("auth/userpass/login/bart", {"password": PASSWORDS[3]})
    check(status == 200, "right password after the flood's lock: %d" % status)
    raw.close()
    print("throttle: 10,000 wrong passwords in %.1f s (one login %.0f ms), then the right one: ok"
          % (flood, one_login * 1000))


def approle(srv, c):
    c.sys.enable_auth_method("approle")
    c.auth.approle.create_or_update_approle("app", token_policies=["app-read"],
                                            secret_id_num_uses=2, secret_id_ttl="60s")
    role = c.auth.approle.read_role("app")["data"]
    check(role["secret_id_num_uses"] == 2 and role["secret_id_ttl"] == 60, "read_role %r" % role)
    check(c.auth.approle.list_roles()["data"]["keys"] == ["app"], "list_roles")
    rid = c.auth.approle.read_role_id("app")["data"]["role_id"]
    s = c.auth.approle.generate_secret_id("app", metadata={"team": "x"})["data"]
    check(s["secret_id_num_uses"] == 2, "generate %r" % s)
    check(c.auth.approle.list_secret_id_accessors("app")["data"]["keys"]
          == [s["secret_id_accessor"]], "accessors")
    look = c.auth.approle.read_secret_id("app", s["secret_id"])["data"]
    check(look["metadata"] == {"team": "x"} and look["secret_id_num_uses"] == 2, "lookup")
    u = hvac.Client(url=srv.addr, verify=srv.cert)
    for i in range(2):
        auth = u.auth.approle.login(rid, s["secret_id"])["auth"]
        check(auth["metadata"] == {"team": "x", "role_name": "app"}, "metadata %r" % auth)
        check(u.secrets.kv.v2.read_secret_version("app/db")["data"]["data"] == {"pw": "x"}, "kv")
        expect(hvac.exceptions.Forbidden, u.secrets.kv.v2.read_secret_version, "other/db")
    expect(hvac.exceptions.Forbidden, u.auth.approle.login, rid, s["secret_id"])
    expect(hvac.exceptions.InvalidPath, c.auth.approle.read_secret_id, "app", s["secret_id"])
    # destroy by value and by accessor
    s1 = c.auth.approle.generate_secret_id("app")["data"]
    s2 = c.auth.approle.generate_secret_id("app")["data"]
    c.auth.approle.destroy_secret_id("app", s1["secret_id"])
    c.auth.approle.destroy_secret_id_accessor("app", s2["secret_id_accessor"])
    expect(hvac.exceptions.Forbidden, u.auth.approle.login, rid, s1["secret_id"])
    expect(hvac.exceptions.Forbidden, u.auth.approle.login, rid, s2["secret_id"])
    # expiry
    c.auth.approle.create_or_update_approle("short", token_policies=["app-read"],
                                            secret_id_ttl="1s")
    srid = c.auth.approle.read_role_id("short")["data"]["role_id"]
    s3 = c.auth.approle.generate_secret_id("short")["data"]
    s3b = c.auth.approle.generate_secret_id("short")["data"]
    time.sleep(1.3)
    expect(hvac.exceptions.Forbidden, u.auth.approle.login, srid, s3["secret_id"])
    # an expired secret ID is deleted when seen: lookup finds nothing, the list drops it
    expect(hvac.exceptions.InvalidPath, c.auth.approle.read_secret_id, "short", s3b["secret_id"])
    expect(hvac.exceptions.InvalidPath, c.auth.approle.list_secret_id_accessors, "short")
    # CIDR bindings: 10.0.0.0/8 refuses 127.0.0.1; 127.0.0.0/8 lets it in
    c.auth.approle.create_or_update_approle("far", secret_id_bound_cidrs=["10.0.0.0/8"])
    frid = c.auth.approle.read_role_id("far")["data"]["role_id"]
    s4 = c.auth.approle.generate_secret_id("far")["data"]
    expect(hvac.exceptions.Forbidden, u.auth.approle.login, frid, s4["secret_id"])
    c.auth.approle.create_or_update_approle("near", token_bound_cidrs=["127.0.0.0/8"],
                                            bind_secret_id=False)
    nrid = c.auth.approle.read_role_id("near")["data"]["role_id"]
    u.auth.approle.login(nrid, "")
    s5 = c.auth.approle.generate_secret_id("app", cidr_list=["10.1.0.0/16"])["data"]
    expect(hvac.exceptions.Forbidden, u.auth.approle.login, rid, s5["secret_id"])
    # a new role_id; the old one stops working; a deleted role logs no one in
    s6 = c.auth.approle.generate_secret_id("app")["data"]
    c.auth.approle.update_role_id("app", "custom-role-id")
    expect(hvac.exceptions.Forbidden, u.auth.approle.login, rid, s6["secret_id"])
    u.auth.approle.login("custom-role-id", s6["secret_id"])
    c.auth.approle.delete_role("app")
    expect(hvac.exceptions.Forbidden, u.auth.approle.login, "custom-role-id", s6["secret_id"])
    expect(hvac.exceptions.InvalidRequest, c.auth.approle.create_or_update_approle, "bad",
           bind_secret_id=False)
    print("approle: num_uses, ttl, CIDRs, destroy, role_id change, delete: ok")
    return [x["secret_id"] for x in (s, s1, s2, s3, s3b, s4, s5, s6)]


def cli(ward, srv, c):
    env = dict(os.environ, WARD_ADDR=srv.addr, WARD_CACERT=srv.cert, WARD_TOKEN=c.token)
    env.pop("WARD_PASSWORD", None)

    def run(*args, rc=0, stdin=None, extra=None):
        e = dict(env, **(extra or {}))
        r = subprocess.run([ward] + list(args), env=e, input=stdin, capture_output=True,
                           text=True, timeout=60)
        check(r.returncode == rc, "ward %s: rc %d, want %d: %s%s"
              % (" ".join(args), r.returncode, rc, r.stdout, r.stderr))
        return r.stdout

    run("write", "auth/userpass/users/lisa", "password=-", "token_policies=app-read",
        stdin="sax0phone")
    check("app-read" in run("read", "auth/userpass/users/lisa"), "cli read")
    check(json.loads(run("read", "-format=json", "auth/userpass/users/lisa"))["data"]
          ["token_policies"] == ["app-read"], "cli read json")
    check("lisa" in run("list", "auth/userpass/users").split(), "cli list")
    out = run("login", "-method=userpass", "username=lisa", stdin="sax0phone\n")
    token = [l for l in out.splitlines() if l.startswith("export WARD_TOKEN=")][0].split("=", 1)[1]
    check(hvac.Client(url=srv.addr, verify=srv.cert, token=token).lookup_token()["data"]
          ["display_name"] == "userpass-lisa", "cli login token")
    run("login", "-method=userpass", "username=lisa", extra={"WARD_PASSWORD": "sax0phone"})
    run("login", "-method=userpass", "username=lisa", "password=sax0phone", rc=2)
    run("login", "-method=userpass", "username=lisa", rc=1, stdin="wrong\n")
    # values from the command line are text: numbers and booleans as Vault takes them
    run("write", "auth/approle/role/cli", "token_policies=app-read", "secret_id_num_uses=5",
        "bind_secret_id=true", "secret_id_ttl=10m")
    check(c.auth.approle.read_role("cli")["data"]["secret_id_num_uses"] == 5, "cli role write")
    run("write", "auth/approle/role/cli2", "secret_id_num_uses=five", rc=1)
    rid = c.auth.approle.read_role_id("cli")["data"]["role_id"]
    sid = json.loads(run("write", "-format=json", "auth/approle/role/cli/secret-id"))["data"][
        "secret_id"]
    out = run("login", "-method=approle", "-format=json", "role_id=" + rid, "secret_id=" + sid)
    check(json.loads(out)["auth"]["metadata"]["role_name"] == "cli", "cli approle login")
    run("delete", "auth/userpass/users/lisa")
    run("read", "auth/userpass/users/lisa", rc=2)
    run("read", "auth/../sys/health", rc=2)
    for words in (["read"], ["write"], ["list"], ["delete"], ["login"]):
        run(*(words + ["--help"]))
    print("cli: read, write (stdin value), list, delete, login (stdin, env, approle): ok")
    return sid


def main(ward):
    srv = WardServer(ward, extra_config="[user_lockout]\nlockout_threshold = 5\n"
                                        "lockout_duration = %ds\n" % LOCK_S)
    try:
        c = hvac.Client(url=srv.addr, verify=srv.cert)
        res = c.sys.initialize(secret_shares=1, secret_threshold=1)
        c.sys.submit_unseal_key(res["keys"][0])
        c.token = res["root_token"]
        audit = os.path.join(srv.dir, "audit.log")
        c.sys.enable_audit_device("file", options={"file_path": audit})
        userpass(srv, c)
        throttling(srv, c)
        secrets = approle(srv, c)
        secrets.append(cli(ward, srv, c))
        rc = srv.stop()
        check(rc == 0, "ward server exited %s: %s" % (rc, srv.output()[-3000:]))
        with open(audit, "rb") as f:
            trail = f.read()
        log = srv.output().encode()
        check(len(trail) > 0, "empty audit file")
        for s in PASSWORDS + ["sax0phone"] + secrets:
            check(s.encode() not in trail, "a secret is in the audit file")
            check(s.encode() not in log, "a secret is in the server log")
        print("no password or secret ID in the log or the audit file: ok")
        con = sqlite3.connect(os.path.join(srv.dir, "ward.db"))
        paths = [r[0] for r in con.execute("SELECT path FROM ward_entries")]
        con.close()
        check(len([p for p in paths if p.startswith("auth/m")]) > 10, "no auth entries: %r" % paths)
        for name in ("homer", "bart", "timing", "lisa", "app", "short", "far", "near", "cli",
                     "custom-role-id"):
            check(not any(name in p for p in paths if p.startswith("auth/")),
                  "%s in a storage path: %r" % (name, [p for p in paths if name in p]))
        with open(os.path.join(srv.dir, "ward.db"), "rb") as f:
            db = f.read()
        for s in PASSWORDS + ["sax0phone", "homer", "bart"] + secrets:
            check(s.encode() not in db, "a name or secret in clear in the database")
        print("no user or role name in a storage path, nothing in clear in the database: ok")
    finally:
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
