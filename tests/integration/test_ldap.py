#!/usr/bin/python3
"""test_ldap.py - the ldap auth method end to end: a real OpenLDAP slapd
started here (slapdserver.py: its own CA and certificate, StartTLS and
ldaps, users homer/marge/bart and burns, groups simpsons/admins/kids and
owners/safety), a real `ward server`, and Vault's Python client (Debian's
python3-hvac, unmodified).

Two mounts (auth/ldap-dir1 on ou=people with StartTLS, auth/ldap-dir2 on
ou=plant over ldaps), configured with hvac, groups mapped to policies:
logins through hvac and raw POSTs, the token's policies and their
enforcement, user entries adding policies and groups, wrong password,
unknown user, empty password (refused before any traffic: against a
silent server it answers at once), LDAP injection user names, a wrong CA
and a wrong host name (StartTLS and ldaps), clear text refused, a closed
port and a black hole failing within request_timeout, the bind password
in no config read, error, server log or storage file; the ward CLI
(auth enable, write with the bind password from stdin, login); disable.
usage: test_ldap.py WARD
"""
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse

import hvac
import hvac.exceptions

from slapdserver import PASSWORDS, SERVICE_DN, SUFFIX, Slapd
from wardserver import WardServer, free_port


def check(cond, what):
    if not cond:
        raise AssertionError(what)


class Raw:
    """Raw requests (WardServer.call: paths stay as written) and the slapd they test against."""

    def __init__(self, srv, ldap):
        self.srv = srv
        self.ldap = ldap

    def call(self, method, path, token=None, body=None, timeout=60):
        return self.srv.call(method, path, token, body, timeout)

    def login(self, mount, user, password, timeout=60):
        path = "/v1/auth/%s/login/%s" % (mount, urllib.parse.quote(user, safe=""))
        return self.srv.call("POST", path, body={"password": password}, timeout=timeout)


POLICIES = {
    "simpsons-read": {"path": {"secret/data/simpsons/*": {"capabilities": ["read"]}}},
    "admins-all": {"path": {"secret/data/admin/*": {"capabilities": ["create", "read",
                                                                     "update"]}}},
    "plant": {"path": {"secret/data/plant/*": {"capabilities": ["create", "read", "update"]}}},
    "extra": {"path": {"secret/data/extra/*": {"capabilities": ["read"]}}},
}


def configure(root, ldap, mount, **over):
    args = dict(url=ldap.url, starttls=True, certificate=ldap.ca_pem, bind_dn=SERVICE_DN,
                bind_pass=ldap.bind_password, user_dn="ou=people," + SUFFIX, user_attr="uid",
                group_dn="ou=groups," + SUFFIX, mount_point=mount)
    args.update(over)
    return root.auth.ldap.configure(**args)


def setup(srv, root, ldap):
    for name, doc in POLICIES.items():
        root.sys.create_or_update_policy(name=name, policy=doc)
    for path in ("simpsons/tv", "admin/keys", "plant/core", "extra/x"):
        root.secrets.kv.v2.create_or_update_secret(path=path, secret={"v": path})
    root.sys.enable_auth_method("ldap", path="ldap-dir1")
    root.sys.enable_auth_method("ldap", path="ldap-dir2")
    methods = root.sys.list_auth_methods()
    methods = methods.get("data", methods)
    check(methods["ldap-dir1/"]["type"] == "ldap" and methods["ldap-dir2/"]["type"] == "ldap",
          str(methods))
    configure(root, ldap, "ldap-dir1")
    configure(root, ldap, "ldap-dir2", url=ldap.ldaps_url, starttls=False,
              user_dn="ou=plant," + SUFFIX, group_dn="ou=plantgroups," + SUFFIX)
    root.auth.ldap.create_or_update_group("simpsons", policies=["simpsons-read"],
                                          mount_point="ldap-dir1")
    root.auth.ldap.create_or_update_group("Admins", policies=["admins-all"],
                                          mount_point="ldap-dir1")
    root.auth.ldap.create_or_update_group("owners", policies=["plant"], mount_point="ldap-dir2")


def client(srv, token=None):
    return hvac.Client(url=srv.addr, verify=srv.cert, token=token)


def forbidden(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except hvac.exceptions.Forbidden:
        return
    raise AssertionError("%s did not answer 403" % getattr(fn, "__name__", fn))


def logins(srv, root, raw):
    """homer through hvac and a raw POST; his policies and their enforcement; marge."""
    homer = client(srv)
    auth = homer.auth.ldap.login("homer", PASSWORDS["homer"], mount_point="ldap-dir1")["auth"]
    check(sorted(auth["policies"]) == ["admins-all", "default", "simpsons-read"], str(auth))
    check(auth["metadata"]["username"] == "homer", str(auth))
    check(sorted(auth["metadata"]["groups"].split(",")) == ["admins", "simpsons"], str(auth))
    check(homer.token == auth["client_token"], "hvac took the token")
    me = homer.auth.token.lookup_self()["data"]
    check(me["display_name"] == "ldap-dir1-homer", str(me))
    homer.secrets.kv.v2.create_or_update_secret(path="admin/new", secret={"by": "homer"})
    check(homer.secrets.kv.v2.read_secret_version(path="simpsons/tv")["data"]["data"]["v"]
          == "simpsons/tv", "homer reads simpsons")
    forbidden(homer.secrets.kv.v2.read_secret_version, path="plant/core")
    forbidden(homer.sys.create_or_update_policy, name="x", policy={"path": {}})

    status, doc = raw.login("ldap-dir1", "homer", PASSWORDS["homer"])
    check(status == 200 and doc["auth"]["client_token"].startswith("w.s."), str(doc))
    check(sorted(doc["auth"]["token_policies"]) == ["admins-all", "default", "simpsons-read"],
          str(doc))
    # user names match groups and users case-insensitively; the directory does too
    status, doc = raw.login("ldap-dir1", "Homer", PASSWORDS["homer"])
    check(status == 200, str(doc))

    marge = client(srv)
    auth = marge.auth.ldap.login("marge", PASSWORDS["marge"], mount_point="ldap-dir1")["auth"]
    check(sorted(auth["policies"]) == ["default", "simpsons-read"], str(auth))
    forbidden(marge.secrets.kv.v2.create_or_update_secret, path="admin/x", secret={"a": "b"})
    # a user entry adds policies and groups of its own
    root.auth.ldap.create_or_update_user("marge", policies=["extra"], groups=["admins"],
                                         mount_point="ldap-dir1")
    user = root.auth.ldap.read_user("marge", mount_point="ldap-dir1")["data"]
    check(user["policies"] == ["extra"] and user["groups"] == ["admins"], str(user))
    auth = marge.auth.ldap.login("marge", PASSWORDS["marge"], mount_point="ldap-dir1")["auth"]
    check(sorted(auth["policies"]) == ["admins-all", "default", "extra", "simpsons-read"],
          str(auth))
    marge.secrets.kv.v2.create_or_update_secret(path="admin/marge", secret={"a": "b"})
    # concurrent logins on both directories' users: each its own connection and TLS context
    jobs = []
    for i in range(8):  # unknown users fail: distinct ones, so no user lockout gets involved
        jobs += [("homer", PASSWORDS["homer"], 200), ("bart", PASSWORDS["bart"], 200),
                 ("ghost%d" % i, "wrong", 403)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda j: raw.login("ldap-dir1", j[0], j[1])[0], jobs))
    check(got == [j[2] for j in jobs], "concurrent logins: %r" % got)
    print("ldap: logins (hvac and raw, 24 concurrent), policies from groups and user entries, "
          "enforced")


def delta(before, after):
    """What happened at slapd between two counters() reads, less the second read's own."""
    return {k: after[k] - before[k] - 1 for k in before}


def refusals(srv, raw):
    """Wrong password, unknown user, empty password, injection names: never a token."""
    status, wrong = raw.login("ldap-dir1", "homer", "not-his-password")
    check(status == 403 and "auth" not in wrong, str(wrong))
    status, unknown = raw.login("ldap-dir1", "nobody", "whatever")
    check(status == 403 and unknown.get("errors") == wrong.get("errors"),
          "one answer for both: %r %r" % (wrong, unknown))
    # SECURITY: an empty password is refused before any traffic: slapd sees nothing
    before = raw.ldap.counters()
    status, doc = raw.login("ldap-dir1", "homer", "")
    check(status == 400 and "password" in json.dumps(doc), str(doc))
    check(delta(before, raw.ldap.counters()) == {"binds": 0, "searches": 0, "connections": 0},
          "an empty password reached slapd")
    # an unknown name costs the directory what a wrong password costs (a decoy bind)
    before = raw.ldap.counters()
    raw.login("ldap-dir1", "homer", "not-his-password")
    wrong = delta(before, raw.ldap.counters())
    before = raw.ldap.counters()
    raw.login("ldap-dir1", "nobody-at-all", "whatever")
    check(delta(before, raw.ldap.counters()) == wrong == {"binds": 2, "searches": 1,
                                                          "connections": 1},
          "unknown user vs wrong password: %r" % wrong)
    status, doc = raw.call("POST", "/v1/auth/ldap-dir1/login/homer", body={})
    check(status == 400, str(doc))
    # SECURITY: a name that is filter syntax is a literal value; homer's own password with it
    for name in ("*", "homer)(uid=*", "*)(|(uid=*", "*)(uid=*))(|(uid=*", "h*", "homer*",
                 "homer\\2a", "(uid=homer)", "homer,ou=people"):
        status, doc = raw.login("ldap-dir1", name, PASSWORDS["homer"])
        check(status == 403 and "auth" not in doc, "%r logged in: %r" % (name, doc))
        status, doc = raw.login("ldap-dir1", name, PASSWORDS["bart"])
        check(status == 403 and "auth" not in doc, "%r logged in: %r" % (name, doc))
    # the other directory: homer there is another person with another password
    status, doc = raw.login("ldap-dir2", "homer", PASSWORDS["homer"])
    check(status == 403, str(doc))
    # the plant's homer binds, but no group of his is mapped: deny by default
    status, doc = raw.login("ldap-dir2", "homer", PASSWORDS["plant-homer"])
    check(status == 403 and "not a member" in json.dumps(doc), str(doc))
    status, doc = raw.login("ldap-dir1", "burns", PASSWORDS["burns"])
    check(status == 403, str(doc))
    print("ldap: wrong password, unknown user, empty password, 9 injection names refused")


def second_mount(srv, root, raw):
    """ldap-dir2 (ldaps, another OU): burns, and a group mapped later."""
    burns = client(srv)
    auth = burns.auth.ldap.login("burns", PASSWORDS["burns"], mount_point="ldap-dir2")["auth"]
    check(sorted(auth["policies"]) == ["default", "plant"], str(auth))
    burns.secrets.kv.v2.create_or_update_secret(path="plant/reactor", secret={"ok": "yes"})
    forbidden(burns.secrets.kv.v2.read_secret_version, path="admin/keys")
    root.auth.ldap.create_or_update_group("safety", policies=["extra"], mount_point="ldap-dir2")
    status, doc = raw.login("ldap-dir2", "homer", PASSWORDS["plant-homer"])
    check(status == 200 and sorted(doc["auth"]["policies"]) == ["default", "extra"], str(doc))
    # groups and users, listed, read, deleted (hvac's calls)
    groups = root.auth.ldap.list_groups(mount_point="ldap-dir1")["data"]["keys"]
    check(groups == ["admins", "simpsons"], str(groups))
    check(root.auth.ldap.read_group("Admins", mount_point="ldap-dir1")["data"]["policies"]
          == ["admins-all"], "group read")
    check(root.auth.ldap.list_users(mount_point="ldap-dir1")["data"]["keys"] == ["marge"],
          "users listed")
    check(root.auth.ldap.list_groups(mount_point="ldap-dir2")["data"]["keys"]
          == ["owners", "safety"], "dir2 groups are its own")
    root.auth.ldap.delete_group("safety", mount_point="ldap-dir2")
    try:
        root.auth.ldap.read_group("safety", mount_point="ldap-dir2")
        raise AssertionError("deleted group still read")
    except hvac.exceptions.InvalidPath:
        pass
    status, doc = raw.login("ldap-dir2", "homer", PASSWORDS["plant-homer"])
    check(status == 403, str(doc))
    root.auth.ldap.delete_user("marge", mount_point="ldap-dir1")
    auth = client(srv).auth.ldap.login("marge", PASSWORDS["marge"],
                                       mount_point="ldap-dir1")["auth"]
    check(sorted(auth["policies"]) == ["default", "simpsons-read"], str(auth))
    print("ldap: second mount (ldaps, other OU), groups and users CRUD")


def tls(srv, root, raw, ldap):
    """A wrong CA and a wrong name fail clearly; clear text needs insecure_tls."""
    root.sys.enable_auth_method("ldap", path="ldap-tls")
    for over in ({"certificate": ldap.wrong_ca_pem},
                 {"url": ldap.ldaps_url, "starttls": False, "certificate": ldap.wrong_ca_pem},
                 {"url": ldap.url.replace("127.0.0.1", "localhost")},
                 {"url": ldap.ldaps_url.replace("127.0.0.1", "localhost"), "starttls": False}):
        configure(root, ldap, "ldap-tls", **over)
        status, doc = raw.login("ldap-tls", "homer", PASSWORDS["homer"])
        text = json.dumps(doc)
        check(status == 502 and "ldap_tls" in text and "certificate" in text, str(doc))
    configure(root, ldap, "ldap-tls")
    status, doc = raw.login("ldap-tls", "bart", PASSWORDS["bart"])
    check(status == 403 and "not a member" in json.dumps(doc), "right CA: bart binds: %r" % doc)
    # SECURITY: ldap:// without StartTLS would send passwords in clear
    try:
        configure(root, ldap, "ldap-tls", starttls=False)
        raise AssertionError("clear text accepted")
    except hvac.exceptions.InvalidRequest as e:
        check("starttls" in str(e), str(e))
    status, doc = raw.call("POST", "/v1/auth/ldap-tls/config", root.token,
                           {"starttls": False, "insecure_tls": True})
    check(status == 200 and "insecure_tls" in json.dumps(doc.get("warnings")), str(doc))
    deadline = time.monotonic() + 10  # the log line may follow the answer by a moment
    while "insecure_tls" not in srv.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    check("insecure_tls" in srv.output(), "the warning is logged")
    status, doc = raw.call("POST", "/v1/auth/ldap-tls/config", root.token,
                           {"deny_null_bind": False})
    check(status == 400, str(doc))
    root.sys.disable_auth_method("ldap-tls")
    print("ldap: wrong CA and wrong name refused (StartTLS and ldaps); clear text refused")


def unreachable(srv, root, raw, ldap):
    """A closed port and a black hole fail within request_timeout, never hang."""
    root.sys.enable_auth_method("ldap", path="ldap-down")
    closed = free_port()
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)  # accepts connections (the kernel does), never answers
    try:
        for url, low in (("ldap://127.0.0.1:%d" % closed, 0.0),
                         ("ldap://127.0.0.1:%d" % hole.getsockname()[1], 1.8),
                         ("ldaps://127.0.0.1:%d" % hole.getsockname()[1], 1.8)):
            configure(root, ldap, "ldap-down", url=url, starttls=url.startswith("ldap:"))
            status, doc = raw.call("POST", "/v1/auth/ldap-down/config", root.token,
                                   {"request_timeout": "2s"})
            check(status == 204, str(doc))
            t0 = time.monotonic()
            status, doc = raw.login("ldap-down", "homer", PASSWORDS["homer"], timeout=30)
            took = time.monotonic() - t0
            check(status == 502 and "ldap_unreachable" in json.dumps(doc), str(doc))
            check(low <= took <= 2.0 + 1.5, "%s failed in %.2f s" % (url, took))
            print("ldap: %s: %s in %.2f s" % (url, doc["errors"][0][:70], took))
        # failover: a silent first url leaves the second its share of the time
        black = "ldap://127.0.0.1:%d" % hole.getsockname()[1]
        configure(root, ldap, "ldap-down", url=black + "," + ldap.url)
        status, doc = raw.call("POST", "/v1/auth/ldap-down/config", root.token,
                               {"request_timeout": "4s"})
        t0 = time.monotonic()
        status, doc = raw.login("ldap-down", "homer", PASSWORDS["homer"], timeout=30)
        took = time.monotonic() - t0
        check(status == 403 and "not a member" in json.dumps(doc), "failover: %r" % doc)
        check(1.8 <= took <= 2.0 + 1.5, "failover took %.2f s" % took)
        print("ldap: a silent first url, then slapd: the second url answered after %.2f s" % took)
        # the empty password is refused before any traffic: at once, even here
        t0 = time.monotonic()
        status, doc = raw.login("ldap-down", "homer", "", timeout=30)
        check(status == 400 and time.monotonic() - t0 < 0.5, str(doc))
    finally:
        hole.close()
    root.sys.disable_auth_method("ldap-down")


def secrecy(srv, root, raw, ldap):
    """The bind password: not in a config read, an answer, the log or the storage file."""
    cfg = root.auth.ldap.read_configuration(mount_point="ldap-dir1")["data"]
    check(cfg["binddn"] == SERVICE_DN and cfg["userattr"] == "uid" and cfg["starttls"], str(cfg))
    check("bindpass" not in cfg and ldap.bind_password not in json.dumps(cfg), str(cfg))
    check(cfg["deny_null_bind"] is True and cfg["request_timeout"] == 10, str(cfg))
    check(cfg["groupfilter"].startswith("(|(memberUid={{.Username}})"), str(cfg))
    # a wrong bind password fails as a config problem, without the password
    configure(root, ldap, "ldap-dir2", url=ldap.ldaps_url, starttls=False,
              user_dn="ou=plant," + SUFFIX, group_dn="ou=plantgroups," + SUFFIX,
              bind_pass="wrong-" + ldap.bind_password)
    status, doc = raw.login("ldap-dir2", "burns", PASSWORDS["burns"])
    check(status == 502 and "ldap_error" in json.dumps(doc), str(doc))
    check(ldap.bind_password not in json.dumps(doc), "bind password in an error")
    log = srv.output()
    for secret in (ldap.bind_password, PASSWORDS["homer"], PASSWORDS["burns"]):
        check(secret not in log, "a password reached the server log")
    with open(os.path.join(srv.dir, "ward.db"), "rb") as f:
        db = f.read()
    check(ldap.bind_password.encode() not in db, "bind password in clear in storage")
    check(b"simpsons" not in db and b"admins-all" not in db, "names in clear in storage")
    print("ldap: bind password in no read, answer, log line or storage byte")


def cli(srv, root, raw, ward):
    """The ward CLI: enable, configure by ward write (bind password from stdin), log in."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "WARD_ADDR": srv.addr,
           "WARD_CACERT": srv.cert, "WARD_TOKEN": root.token}

    def ward_run(*args, stdin=None, extra=None):
        res = subprocess.run([ward] + list(args), input=stdin, capture_output=True, text=True,
                             timeout=60, env=dict(env, **(extra or {})))
        check(res.returncode == 0, "ward %s: %s %s" % (" ".join(args), res.stdout, res.stderr))
        return res.stdout

    ward_run("auth", "enable", "-path=ldap-cli", "ldap")
    with open(os.path.join(srv.dir, "ldap-ca.pem"), "w") as f:
        f.write(raw.ldap.ca_pem)
    ward_run("write", "auth/ldap-cli/config", "url=" + raw.ldap.url, "starttls=true",
             "certificate=@" + os.path.join(srv.dir, "ldap-ca.pem"), "binddn=" + SERVICE_DN,
             "bindpass=-", "userdn=ou=people," + SUFFIX, "userattr=uid",
             "groupdn=ou=groups," + SUFFIX, stdin=raw.ldap.bind_password)
    ward_run("write", "auth/ldap-cli/groups/kids", "policies=extra")
    out = ward_run("login", "-method=ldap", "-path=ldap-cli", "username=bart",
                   extra={"WARD_PASSWORD": PASSWORDS["bart"], "WARD_TOKEN": ""})
    check("export WARD_TOKEN=w.s." in out and "extra" in out, out)
    check(PASSWORDS["bart"] not in out, "password echoed")
    out = ward_run("read", "auth/ldap-cli/config")
    check(raw.ldap.bind_password not in out and "ou=people" in out, out)
    print("ldap: the ward CLI enables, configures (bind password from stdin) and logs in")


def lockout(srv, root, raw, ldap):
    """Vault's user lockout holds for ldap too: 5 refused passwords lock the user here."""
    root.sys.enable_auth_method("ldap", path="ldap-lock")
    configure(root, ldap, "ldap-lock")
    root.auth.ldap.create_or_update_group("simpsons", policies=["simpsons-read"],
                                          mount_point="ldap-lock")
    for _ in range(5):
        status, _ = raw.login("ldap-lock", "marge", "not-her-password")
        check(status == 403, "refused")
    status, doc = raw.login("ldap-lock", "marge", PASSWORDS["marge"])
    check(status == 403 and "auth" not in doc, "a locked user logged in: %r" % doc)
    status, doc = raw.login("ldap-dir1", "marge", PASSWORDS["marge"])
    check(status == 200, "the lock is the mount's own: %r" % doc)
    root.sys.disable_auth_method("ldap-lock")
    print("ldap: 5 refused passwords lock the user on that mount only")


def audit_and_seal(srv, root, raw, ldap, key):
    """The audit trail holds no password; a seal stops logins, an unseal brings them back."""
    log = os.path.join(srv.dir, "audit.log")
    root.sys.enable_audit_device("file", options={"file_path": log})
    configure(root, ldap, "ldap-dir1")  # the bind password goes through an audited request
    status, doc = raw.login("ldap-dir1", "marge", PASSWORDS["marge"])
    check(status == 200, str(doc))
    status, doc = raw.login("ldap-dir1", "marge", "Wrong-" + PASSWORDS["marge"])
    check(status == 403, str(doc))
    with open(log) as f:
        text = f.read()
    check("auth/ldap-dir1/login/marge" in text and "ldap-dir1/config" in text, "audited")
    for secret in (ldap.bind_password, PASSWORDS["marge"]):
        check(secret not in text, "a password reached the audit trail")
    root.sys.disable_audit_device("file")
    root.sys.seal()
    status, doc = raw.login("ldap-dir1", "marge", PASSWORDS["marge"])
    check(status == 503, "sealed: %r" % doc)
    root.sys.submit_unseal_key(key)
    status, doc = raw.login("ldap-dir1", "marge", PASSWORDS["marge"])
    check(status == 200, "unsealed: %r" % doc)
    print("ldap: no password in the audit trail; sealed logins refused (503), back after unseal")


def disable(srv, root, raw):
    root.sys.disable_auth_method("ldap-dir2")
    status, _ = raw.login("ldap-dir2", "burns", PASSWORDS["burns"])
    check(status == 404, "disabled mount still answers")
    root.sys.enable_auth_method("ldap", path="ldap-dir2")
    status, doc = raw.login("ldap-dir2", "burns", PASSWORDS["burns"])
    check(status == 400 and "not configured" in json.dumps(doc), "re-enabled starts empty")


def main(ward):
    ldap = Slapd()
    srv = None
    try:
        srv = WardServer(ward)
        root = client(srv)
        res = root.sys.initialize(secret_shares=1, secret_threshold=1)
        root.sys.submit_unseal_key(res["keys"][0])
        root.token = res["root_token"]
        raw = Raw(srv, ldap)
        setup(srv, root, ldap)
        logins(srv, root, raw)
        refusals(srv, raw)
        second_mount(srv, root, raw)
        tls(srv, root, raw, ldap)
        unreachable(srv, root, raw, ldap)
        secrecy(srv, root, raw, ldap)
        cli(srv, root, raw, ward)
        lockout(srv, root, raw, ldap)
        audit_and_seal(srv, root, raw, ldap, res["keys"][0])
        disable(srv, root, raw)
        print("ldap: ok")
    except Exception:
        if srv is not None:
            sys.stderr.write(srv.output()[-4000:])
        raise
    finally:
        if srv is not None:
            srv.close()
        ldap.close()


if __name__ == "__main__":
    main(sys.argv[1])
