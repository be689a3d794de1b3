#!/usr/bin/python3
"""test_hvac_mounts.py - secrets engines and auth methods at paths (sys/mounts, sys/auth).

Drives a real `ward server` with python3-hvac, unmodified: several KV v2 and
transit mounts side by side, each with its own data; policies that name a
mount's path; the refusals (KV v1, unknown types, reserved, overlapping and
malformed paths, no sudo); persistence across a restart; a sealed server
answering 503 on a mounted path; disabling a mount erases its storage rows
and a re-enabled path starts empty; `ward secrets` and `ward auth` commands.
usage: test_hvac_mounts.py WARD
"""
import os
import sqlite3
import subprocess
import sys

import hvac
import requests

from wardserver import WardServer


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect(exc, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc as e:
        return e
    raise AssertionError("%s did not raise %s" % (fn.__name__, exc.__name__))


def rows_under(srv, prefix):
    con = sqlite3.connect(os.path.join(srv.dir, "ward.db"))
    n = con.execute("SELECT count(*) FROM ward_entries WHERE path LIKE ?",
                    (prefix + "%",)).fetchone()[0]
    con.close()
    return n


def raw(srv, token, method, path, body=None):
    return requests.request(method, srv.addr + "/v1/" + path, json=body, verify=srv.cert,
                            headers={"X-Vault-Token": token}, timeout=30)


def kv_mounts(srv, c):
    mounts = c.sys.list_mounted_secrets_engines()
    check(mounts["secret/"]["type"] == "kv" and mounts["secret/"]["options"]["version"] == "2",
          "built-in secret/: %r" % mounts.get("secret/"))
    check(mounts["transit/"]["type"] == "transit", "built-in transit/")
    check("token/" in c.sys.list_auth_methods()["data"], "auth/token/ listed")

    c.sys.enable_secrets_engine("kv", path="team-kv", options={"version": "2"},
                                description="team secrets")
    c.sys.enable_secrets_engine("kv-v2", path="apps/billing")
    mounts = c.sys.list_mounted_secrets_engines()["data"]
    check(mounts["team-kv/"]["description"] == "team secrets", "description kept")
    uuid = mounts["team-kv/"]["uuid"]
    check(mounts["apps/billing/"]["type"] == "kv", "kv-v2 is kv")

    # one path, three mounts, three values
    c.secrets.kv.v2.create_or_update_secret("db", secret={"pw": "in-secret"})
    c.secrets.kv.v2.create_or_update_secret("db", secret={"pw": "in-team"}, mount_point="team-kv")
    c.secrets.kv.v2.create_or_update_secret("db", secret={"pw": "in-billing"},
                                            mount_point="apps/billing")
    for mp, want in (("secret", "in-secret"), ("team-kv", "in-team"),
                     ("apps/billing", "in-billing")):
        got = c.secrets.kv.v2.read_secret_version("db", mount_point=mp)["data"]["data"]["pw"]
        check(got == want, "%s/db: %r" % (mp, got))
    check(c.secrets.kv.v2.list_secrets("", mount_point="team-kv")["data"]["keys"] == ["db"],
          "list on team-kv")
    tune = c.sys.read_mount_configuration("team-kv")
    check(tune["options"]["version"] == "2" and tune["data"]["options"]["version"] == "2",
          "tune shows version 2: %r" % tune)
    check(rows_under(srv, "kv/%s/" % uuid) > 0, "team-kv's data under its storage id")
    check(rows_under(srv, "kv/team-kv") == 0, "the mount path never reaches storage")

    # refusals: each a 400 with its stable code, and nothing enabled
    for path, body, code, why in (
            ("kv1", {"type": "kv"}, "unsupported", "KV version 1"),
            ("kv1b", {"type": "kv", "options": {"version": "1"}}, "unsupported", "KV v1 explicit"),
            ("pki", {"type": "pki"}, "unsupported", "unknown type"),
            ("team-kv/inner", {"type": "transit"}, "invalid_argument", "inside another mount"),
            ("apps", {"type": "transit"}, "invalid_argument", "containing another mount"),
            ("sys/x", {"type": "transit"}, "invalid_argument", "reserved sys/"),
            ("auth/x", {"type": "transit"}, "invalid_argument", "reserved auth/"),
            ("ward/x", {"type": "transit"}, "invalid_argument", "reserved ward/"),
            ("a/b*c", {"type": "transit"}, "invalid_argument", "glob byte"),
            ("sp%20ace", {"type": "transit"}, "invalid_argument", "bad byte"),
            ("team-kv", {"type": "transit"}, "exists", "in use"),
            ("up", {"type": "userpass"}, "unsupported", "auth type as engine")):
        r = raw(srv, c.token, "POST", "sys/mounts/" + path, body)
        check(r.status_code == 400 and r.json()["codes"] == [code],
              "%s: %d %s" % (why, r.status_code, r.text))
    check(len(c.sys.list_mounted_secrets_engines()["data"]) == 4, "nothing enabled by refusals")
    r = raw(srv, c.token, "POST", "sys/mounts/team-kv/tune", {"default_lease_ttl": "1h"})
    check(r.status_code == 400 and r.json()["codes"] == ["unsupported"], "tune TTL refused")
    r = raw(srv, c.token, "POST", "sys/mounts/team-kv/tune", {"options": {"version": "2"}})
    check(r.status_code == 204, "tune no-op accepted: %d %s" % (r.status_code, r.text))
    r = raw(srv, c.token, "DELETE", "sys/auth/token")
    check(r.status_code == 400, "auth/token cannot go: %d" % r.status_code)
    r = raw(srv, c.token, "POST", "sys/auth/ldapx", {"type": "kv"})
    check(r.status_code == 400 and r.json()["codes"] == ["unsupported"], "engine type as auth")
    return uuid


def transit_mounts(srv, c):
    c.sys.enable_secrets_engine("transit", path="crypto/eu")
    c.secrets.transit.create_key("k", mount_point="crypto/eu")
    ct = c.secrets.transit.encrypt_data("k", "aGVsbG8=", mount_point="crypto/eu")["data"]
    pt = c.secrets.transit.decrypt_data("k", ct["ciphertext"], mount_point="crypto/eu")
    check(pt["data"]["plaintext"] == "aGVsbG8=", "transit on crypto/eu")
    e = expect(hvac.exceptions.InvalidPath, c.secrets.transit.read_key, "k")
    check(e is not None, "key k is not on transit/")
    # a managed ciphertext names its key, not its mount: ward/decrypt finds it
    r = raw(srv, c.token, "POST", "crypto/eu/encrypt/k",
            {"plaintext": "aGVsbG8=", "ciphertext_format": "ward"})
    check(r.status_code == 200, "managed encrypt: %d %s" % (r.status_code, r.text))
    r = raw(srv, c.token, "POST", "ward/decrypt", {"ciphertext": r.json()["data"]["ciphertext"]})
    check(r.status_code == 200 and r.json()["data"]["plaintext"] == "aGVsbG8=",
          "ward/decrypt across mounts: %d %s" % (r.status_code, r.text))


def policies(srv, c):
    c.sys.create_or_update_policy("team-read", {"path": {
        "team-kv/data/*": {"capabilities": ["read"]},
        "crypto/eu/encrypt/*": {"capabilities": ["update"]}}})
    t = c.auth.token.create(policies=["team-read"])["auth"]["client_token"]
    u = hvac.Client(url=srv.addr, verify=srv.cert, token=t)
    got = u.secrets.kv.v2.read_secret_version("db", mount_point="team-kv")["data"]["data"]["pw"]
    check(got == "in-team", "policy on the mount's own path allows")
    expect(hvac.exceptions.Forbidden, u.secrets.kv.v2.read_secret_version, "db")
    expect(hvac.exceptions.Forbidden, u.secrets.kv.v2.create_or_update_secret, "db",
           secret={"x": "y"}, mount_point="team-kv")
    u.secrets.transit.encrypt_data("k", "aGVsbG8=", mount_point="crypto/eu")
    expect(hvac.exceptions.Forbidden, u.secrets.transit.encrypt_data, "k", "aGVsbG8=")
    # the mount table needs sudo
    expect(hvac.exceptions.Forbidden, u.sys.enable_secrets_engine, "transit", path="mine")
    c.sys.create_or_update_policy("mounts-nosudo", {"path": {
        "sys/mounts/*": {"capabilities": ["create", "update", "read", "delete"]}}})
    t2 = c.auth.token.create(policies=["mounts-nosudo"])["auth"]["client_token"]
    u2 = hvac.Client(url=srv.addr, verify=srv.cert, token=t2)
    expect(hvac.exceptions.Forbidden, u2.sys.enable_secrets_engine, "transit", path="mine")
    check("team-kv/" in u2.sys.list_mounted_secrets_engines()["data"], "list without sudo")


def restart_and_seal(srv, c, unseal_key):
    srv.restart()
    c.sys.submit_unseal_key(unseal_key)
    got = c.secrets.kv.v2.read_secret_version("db", mount_point="apps/billing")
    check(got["data"]["data"]["pw"] == "in-billing", "mount and data survive a restart")
    check("crypto/eu/" in c.sys.list_mounted_secrets_engines()["data"], "table survives")
    c.sys.seal()
    r = raw(srv, c.token, "GET", "team-kv/data/db")
    check(r.status_code == 503, "sealed: mounted path is 503: %d" % r.status_code)
    c.sys.submit_unseal_key(unseal_key)
    got = c.secrets.kv.v2.read_secret_version("db", mount_point="team-kv")
    check(got["data"]["data"]["pw"] == "in-team", "after unseal")


def disable(srv, c, uuid):
    c.sys.disable_secrets_engine("team-kv")
    r = raw(srv, c.token, "GET", "team-kv/data/db")
    check(r.status_code == 404, "disabled mount: 404 (%d)" % r.status_code)
    check(rows_under(srv, "kv/%s/" % uuid) == 0, "disabled mount's rows erased")
    c.sys.enable_secrets_engine("kv", path="team-kv", options={"version": "2"})
    r = raw(srv, c.token, "GET", "team-kv/data/db")
    check(r.status_code == 404, "re-enabled path starts empty (%d)" % r.status_code)
    # the built-in secret/ can go too; its rows with it
    c.sys.disable_secrets_engine("secret")
    check(rows_under(srv, "kv/secret/") == 0, "secret/ rows erased")
    r = raw(srv, c.token, "GET", "secret/data/db")
    check(r.status_code == 404, "secret/ disabled: 404")
    c.sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})
    expect(hvac.exceptions.InvalidPath, c.secrets.kv.v2.read_secret_version, "db")
    r = raw(srv, c.token, "DELETE", "sys/mounts/never-there")
    check(r.status_code == 204, "disable of nothing: 204 as Vault")


def auth_disable_revokes(srv, c):
    """Disabling an auth method logs its users out, as Vault does."""
    c.sys.enable_auth_method("userpass", path="up-tmp")
    c.auth.userpass.create_or_update_user("homer", "d0nut-password", policies=["default"],
                                          mount_point="up-tmp")
    u = hvac.Client(url=srv.addr, verify=srv.cert)
    u.auth.userpass.login("homer", "d0nut-password", mount_point="up-tmp")
    check(u.auth.token.lookup_self()["data"]["display_name"] == "up-tmp-homer", "logged in")
    check("up-tmp/" in c.sys.list_auth_methods()["data"], "listed under sys/auth")
    c.sys.disable_auth_method("up-tmp")
    expect(hvac.exceptions.Forbidden, u.auth.token.lookup_self)
    r = raw(srv, c.token, "POST", "auth/up-tmp/login/homer", {"password": "d0nut-password"})
    check(r.status_code == 404, "disabled method: login 404 (%d)" % r.status_code)


def cli(ward, srv, c):
    env = dict(os.environ, WARD_ADDR=srv.addr, WARD_CACERT=srv.cert, WARD_TOKEN=c.token)

    def run(*args, rc=0):
        p = subprocess.run([ward] + list(args), env=env, capture_output=True, text=True,
                           timeout=60)
        check(p.returncode == rc, "ward %s: rc %d: %s %s" % (" ".join(args), p.returncode,
                                                              p.stdout, p.stderr))
        return p.stdout

    run("secrets", "enable", "-path=cli-kv", "-description=from the cli", "kv")
    out = run("secrets", "list", "-format=json")
    check("cli-kv/" in out and "from the cli" in out, "ward secrets list: " + out)
    run("kv", "put", "cli-kv/x", "a=b")
    check("a" in run("kv", "get", "-format=json", "cli-kv/x"), "ward kv on a second mount")
    check("cli-kv/" in c.sys.list_mounted_secrets_engines()["data"], "enabled by the cli")
    run("secrets", "disable", "cli-kv")
    check("cli-kv/" not in c.sys.list_mounted_secrets_engines()["data"], "disabled by the cli")
    run("secrets", "enable", "-version=1", "kv", rc=2)
    out = run("auth", "list", "-format=json")
    check("token/" in out, "ward auth list: " + out)
    run("auth", "disable", "token", rc=1)


def main(ward):
    srv = WardServer(ward)
    try:
        c = hvac.Client(url=srv.addr, verify=srv.cert)
        res = c.sys.initialize(secret_shares=1, secret_threshold=1)
        c.sys.submit_unseal_key(res["keys"][0])
        c.token = res["root_token"]
        uuid = kv_mounts(srv, c)
        transit_mounts(srv, c)
        policies(srv, c)
        restart_and_seal(srv, c, res["keys"][0])
        disable(srv, c, uuid)
        auth_disable_revokes(srv, c)
        cli(ward, srv, c)
        out = srv.output()
        check("in-team" not in out and "in-billing" not in out, "no secret in the log")
        print("mounts: several KV and transit mounts, policies, restart, seal, disable, CLI ok")
    finally:
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
