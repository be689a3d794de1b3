#!/usr/bin/python3
"""test_hvac_kv.py - Vault's Python client (Debian's python3-hvac, unmodified)
drives Ward's KV v2 engine at secret/ over HTTPS, then the bad inputs.

Every hvac secrets.kv.v2 call, Ward's generate extension, the mount's tuning
(sys/mounts/secret/tune), names hidden in the SQLite file, destroyed and
evicted versions gone from it, every `ward kv` command, each refusal with its
status, its stable code and nothing stored changed, and the configured value
limit ([kv] max_value_bytes).
usage: test_hvac_kv.py WARD
"""
import http.client
import json
import os
import sqlite3
import ssl
import subprocess
import sys

import hvac
import hvac.exceptions
import requests

from wardserver import WardServer


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def store_rows(srv):
    con = sqlite3.connect(os.path.join(srv.dir, "ward.db"))
    rows = list(con.execute("SELECT path, value FROM ward_entries"))
    con.close()
    return rows


def expect(exc, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc as e:
        return e
    raise AssertionError("%s did not raise %s" % (fn.__name__, exc.__name__))


def start(ward):
    srv = WardServer(ward)
    c = hvac.Client(url=srv.addr, verify=srv.cert)
    res = c.sys.initialize(secret_shares=1, secret_threshold=1)
    c.sys.submit_unseal_key(res["keys"][0])
    c.token = res["root_token"]
    return srv, c


def hvac_calls(srv, c):
    kv = c.secrets.kv.v2
    w = kv.create_or_update_secret(path="team-zebra/db", secret={"pw": "hunter2"})
    check(w["data"]["version"] == 1 and w["data"]["destroyed"] is False, str(w))
    check(w["data"]["created_time"].endswith("Z") and w["data"]["deletion_time"] == "", str(w))
    kv.create_or_update_secret(path="team-zebra/db", secret={"pw": "2"}, cas=1)
    r = kv.read_secret_version(path="team-zebra/db")
    check(r["data"]["data"] == {"pw": "2"} and r["data"]["metadata"]["version"] == 2, str(r))
    r = kv.read_secret_version(path="team-zebra/db", version=1)
    check(r["data"]["data"] == {"pw": "hunter2"}, "version 1 readable")
    kv.patch(path="team-zebra/db", secret={"user": "app"})
    r = kv.read_secret(path="team-zebra/db")
    check(r["data"]["data"] == {"pw": "2", "user": "app"}, "patched: %r" % r)
    kv.create_or_update_secret(path="team-zebra/api", secret={"k": "v"})
    kv.create_or_update_secret(path="top", secret={"k": "v"})
    check(kv.list_secrets(path="")["data"]["keys"] == ["team-zebra/", "top"], "list root")
    check(kv.list_secrets(path="team-zebra")["data"]["keys"] == ["api", "db"], "list folder")
    got = requests.get(srv.addr + "/v1/secret/metadata/team-zebra?list=true", verify=srv.cert,
                       headers={"X-Vault-Token": c.token}, timeout=10).json()
    check(got["data"]["keys"] == ["api", "db"], "GET ?list=true")

    kv.delete_latest_version_of_secret(path="team-zebra/db")
    e = expect(hvac.exceptions.InvalidPath, kv.read_secret, path="team-zebra/db")
    body = requests.get(srv.addr + "/v1/secret/data/team-zebra/db", verify=srv.cert,
                        headers={"X-Vault-Token": c.token}, timeout=10)
    check(body.status_code == 404 and body.json()["data"]["data"] is None, body.text)
    check(body.json()["data"]["metadata"]["deletion_time"] != "", "deleted version's metadata")
    check(body.json()["codes"] == ["version_deleted"], body.text)
    kv.undelete_secret_versions(path="team-zebra/db", versions=[3])
    check(kv.read_secret(path="team-zebra/db")["data"]["metadata"]["version"] == 3, "undeleted")
    kv.delete_secret_versions(path="team-zebra/db", versions=[1])
    kv.destroy_secret_versions(path="team-zebra/db", versions=[1])
    kv.undelete_secret_versions(path="team-zebra/db", versions=[1])
    e = expect(hvac.exceptions.InvalidPath, kv.read_secret_version, path="team-zebra/db",
               version=1)
    m = kv.read_secret_metadata(path="team-zebra/db")["data"]
    check(m["current_version"] == 3 and m["versions"]["1"]["destroyed"] is True, str(m))
    check(m["versions"]["2"]["ward_type"] == "USER", str(m))
    check(m["delete_version_after"] == "0s" and m["max_versions"] == 0, str(m))

    kv.update_metadata(path="team-zebra/db", max_versions=2, cas_required=True)
    m = kv.read_secret_metadata(path="team-zebra/db")["data"]
    check(m["max_versions"] == 2 and m["cas_required"] is True, str(m))
    check(sorted(m["versions"]) == ["2", "3"], "max_versions evicted version 1: %r" % m)
    e = expect(hvac.exceptions.InvalidRequest, kv.create_or_update_secret, path="team-zebra/db",
               secret={"x": "y"})
    check("check-and-set parameter required" in str(e), str(e))
    e = expect(hvac.exceptions.InvalidRequest, kv.create_or_update_secret, path="team-zebra/db",
               secret={"x": "y"}, cas=1)
    check("did not match the current version" in str(e), str(e))
    kv.create_or_update_secret(path="team-zebra/db", secret={"x": "y"}, cas=3)
    check(sorted(kv.read_secret_metadata(path="team-zebra/db")["data"]["versions"]) == ["3", "4"],
          "write evicts the oldest")

    r = requests.post(srv.addr + "/v1/secret/metadata/team-zebra/api", verify=srv.cert,
                      headers={"X-Vault-Token": c.token}, timeout=10,
                      json={"custom_metadata": {"owner": "ops"}})
    check(r.status_code == 204, r.text)
    m = kv.read_secret_metadata(path="team-zebra/api")["data"]
    check(m["custom_metadata"] == {"owner": "ops"} and m["updated_time"] == m["created_time"],
          "custom_metadata set; updated_time moves with data writes only: %r" % m)
    r = kv.read_secret(path="team-zebra/api")["data"]["metadata"]
    check(r["custom_metadata"] == {"owner": "ops"}, "custom_metadata in a read: %r" % r)

    kv.configure(max_versions=5, cas_required=False, delete_version_after="1h")
    cfg = kv.read_configuration()["data"]
    check(cfg == {"max_versions": 5, "cas_required": False, "delete_version_after": "1h0m0s"},
          str(cfg))
    kv.configure(max_versions=0, delete_version_after="0s")
    # the mount's tuning, which Vault clients (MariaDB's plugin) read for the KV version
    tune = c.sys.read_mount_configuration(path="secret")
    check(tune["options"] == {"version": "2"} and tune["data"]["options"]["version"] == "2",
          str(tune))
    check(tune["default_lease_ttl"] == 2764800, str(tune))

    g = c.adapter.post("/v1/secret/generate/svc/token",
                       json={"length": 20, "charset": "printable", "min_symbol": 2,
                             "min_digit": 2})
    val = g["data"]["data"]["value"]
    check(len(val) == 20 and sum(not ch.isalnum() for ch in val) >= 2, val)
    r = kv.read_secret(path="svc/token")
    check(r["data"]["data"]["value"] == val, "generated value readable")
    m = kv.read_secret_metadata(path="svc/token")["data"]
    check(m["versions"]["1"]["ward_type"] == "GENERATED", str(m))

    kv.delete_metadata_and_all_versions(path="top")
    expect(hvac.exceptions.InvalidPath, kv.read_secret_metadata, path="top")
    rows = store_rows(srv)
    for needle in (b"zebra", b"hunter2", b"svc", val.encode()):
        check(not any(needle in p.encode() or needle in v for p, v in rows),
              "%r visible in the store" % needle)
    check(sum(p.startswith("kv/secret/v/") for p, _ in rows) == 4,
          "evicted and destroyed values are gone: %r" % [p for p, _ in rows])


class Reply:
    def __init__(self, status, text):
        self.status_code = status
        self.text = text

    def json(self):
        return json.loads(self.text)


def raw(srv, c, method, path, body=None, data=None, token=True):
    """One request with the path sent byte for byte (requests would fold "..")."""
    host, port = srv.addr.split("//")[1].rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), timeout=60,
                                       context=ssl.create_default_context(cafile=srv.cert))
    payload = data if data is not None else (json.dumps(body).encode() if body is not None
                                             else None)
    headers = {"X-Vault-Token": c.token} if token else {}
    try:
        conn.putrequest(method, "/v1/" + path, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(payload or b"")))
        conn.endheaders(payload)
        resp = conn.getresponse()
        return Reply(resp.status, resp.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def announce_10mib(srv, c):
    """A 10 MiB body is refused on its Content-Length, before it is sent."""
    host, port = srv.addr.split("//")[1].rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), timeout=60,
                                       context=ssl.create_default_context(cafile=srv.cert))
    try:
        conn.putrequest("POST", "/v1/secret/data/a", skip_accept_encoding=True)
        conn.putheader("X-Vault-Token", c.token)
        conn.putheader("Content-Length", str(10 << 20))
        conn.endheaders(b"{\"data\":{\"v\":\"" + b"x" * 1024)
        return conn.getresponse().status
    finally:
        conn.close()


def bad_input(srv, c):
    before = store_rows(srv)
    cases = [
        ("POST", "secret/data/a/../b", {"data": {}}, 400, "bad_path"),
        ("POST", "secret/data/a//b", {"data": {}}, 400, "bad_path"),
        ("POST", "secret/data/a/./b", {"data": {}}, 400, "bad_path"),
        ("POST", "secret/data/" + "x" * 4096, {"data": {}}, 400, "bad_path"),
        ("POST", "secret/data/a%ff", {"data": {}}, 400, "bad_path"),
        ("POST", "secret/data/a/%2e%2e/b", {"data": {}}, 400, "bad_path"),
        ("POST", "secret/data/a%00b", {"data": {}}, 400, "bad_path"),
        ("POST", "secret/data/dir/", {"data": {}}, 400, "bad_path"),
        ("POST", "secret/data/a", {"data": "str"}, 400, "invalid_argument"),
        ("POST", "secret/data/a", {"data": {"v": "x" * (600 << 10)}}, 413, "too_large"),
        ("POST", "secret/data/a", {"data": {}, "options": {"cas": -1}}, 400, "invalid_argument"),
        ("POST", "secret/delete/team-zebra/db", {}, 400, "invalid_argument"),
        ("POST", "secret/metadata/a", {"max_versions": "x"}, 400, "invalid_argument"),
        ("POST", "secret/generate/a", {"length": 4, "min_digit": 5}, 400, "invalid_argument"),
        ("GET", "secret/data/team-zebra/db?version=x", None, 400, "invalid_argument"),
        ("GET", "secret/data/nope", None, 404, "not_found"),
    ]
    for method, path, body, status, code in cases:
        r = raw(srv, c, method, path, body)
        check(r.status_code == status, "%s %s: %d %s" % (method, path[:40], r.status_code, r.text))
        if code is not None:
            check(r.json()["codes"] == [code], "%s: %s" % (path[:40], r.text))
    r = raw(srv, c, "POST", "secret/data/a", data=b"[1,2]")
    check(r.status_code == 400, "JSON that is not an object: %s" % r.text)
    check(announce_10mib(srv, c) == 413, "10 MiB value: the front's 413")
    kv = c.secrets.kv.v2
    kv.create_or_update_secret(path="caf\u00e9 menu", secret={"ok": "1"})
    check(kv.list_secrets(path="")["data"]["keys"][0] == "caf\u00e9 menu", "UTF-8 names")
    kv.delete_metadata_and_all_versions(path="caf\u00e9 menu")
    r = raw(srv, c, "POST", "secret/data/" + "x" * 40, {"data": {}}, token=False)
    check(r.status_code == 403, "no token: 403")
    after = store_rows(srv)
    check(sorted(p for p, _ in before) == sorted(p for p, _ in after),
          "refused writes changed nothing")


def restart(srv, extra_config):
    """Stops srv, rewrites its config's tail, starts it on the same store, unseals."""
    check(srv.stop() == 0, "SIGTERM exits 0")
    with open(srv.config) as f:
        text = f.read().split("[kv]")[0]
    with open(srv.config, "w") as f:
        f.write(text + extra_config)
    srv.proc = subprocess.Popen([srv.proc.args[0], "server", "-config=" + srv.config],
                                stdout=srv.log, stderr=subprocess.STDOUT)
    srv.wait_listening()
    c = hvac.Client(url=srv.addr, verify=srv.cert)
    c.sys.submit_unseal_key(srv.unseal_key)
    return c


def configured_limit(ward):
    """[kv] max_value_bytes: over it, 413 too_large and nothing stored; a lower
    limit after a restart refuses new writes but still reads what is stored."""
    srv = WardServer(ward, extra_config="[kv]\nmax_value_bytes = 4096\n")
    try:
        c = hvac.Client(url=srv.addr, verify=srv.cert)
        res = c.sys.initialize(secret_shares=1, secret_threshold=1)
        c.sys.submit_unseal_key(res["keys"][0])
        c.token, srv.unseal_key = res["root_token"], res["keys"][0]
        kv = c.secrets.kv.v2
        # {"v":"..."} is 8 bytes of JSON around the string
        kv.create_or_update_secret(path="fits", secret={"v": "x" * (4096 - 8)})
        before = store_rows(srv)
        for path, size in (("big", 4096 - 7), ("fits", 64 << 10)):
            r = raw(srv, c, "POST", "secret/data/" + path, {"data": {"v": "x" * size}})
            check(r.status_code == 413 and r.json()["codes"] == ["too_large"],
                  "over the configured limit: %d %s" % (r.status_code, r.text))
            check("4096 bytes" in r.json()["errors"][0], r.text)
        check(sorted(store_rows(srv)) == sorted(before), "a refused value stores nothing")
        check(kv.read_secret(path="fits")["data"]["metadata"]["version"] == 1, "no version 2")
        expect(hvac.exceptions.InvalidPath, kv.read_secret, path="big")

        c = restart(srv, "[kv]\nmax_value_bytes = 1024\n")
        c.token = res["root_token"]
        kv = c.secrets.kv.v2
        check(len(kv.read_secret(path="fits")["data"]["data"]["v"]) == 4096 - 8,
              "a value stored under a higher limit stays readable")
        r = raw(srv, c, "POST", "secret/data/fits", {"data": {"v": "x" * 2000}})
        check(r.status_code == 413 and r.json()["codes"] == ["too_large"], r.text)
        check(srv.stop() == 0, "SIGTERM exits 0")
    except Exception:
        print(srv.output()[-4000:])
        raise
    finally:
        srv.close()


def cli_calls(ward, srv, c):
    """`ward kv ...` against the same server; hvac checks what it did."""
    env = dict(os.environ, WARD_ADDR=srv.addr, WARD_CACERT=srv.cert, WARD_TOKEN=c.token)

    def run(*args, rc=0):
        res = subprocess.run([ward, "kv"] + list(args), env=env, capture_output=True,
                             text=True, timeout=60)
        check(res.returncode == rc, "ward kv %s: rc %d: %s%s" % (" ".join(args), res.returncode,
                                                                 res.stdout, res.stderr))
        return res.stdout

    kv = c.secrets.kv.v2
    run("put", "secret/cli/app", "user=admin", "pw=s3cret")
    run("put", "-cas=1", "secret/cli/app", "user=admin", "pw=two")
    run("put", "-cas=1", "secret/cli/app", "pw=x", rc=1)
    check(kv.read_secret(path="cli/app")["data"]["data"] == {"user": "admin", "pw": "two"}, "put")
    out = run("get", "secret/cli/app")
    check("pw" in out and "two" in out, out)
    got = json.loads(run("get", "-format=json", "-version=1", "secret/cli/app"))
    check(got["data"]["data"]["pw"] == "s3cret", str(got))
    run("patch", "secret/cli/app", "pw=three")
    check(kv.read_secret(path="cli/app")["data"]["data"]["pw"] == "three", "patch")
    run("delete", "secret/cli/app")
    run("get", "secret/cli/app", rc=1)
    run("undelete", "-versions=3", "secret/cli/app")
    run("destroy", "-versions=1", "secret/cli/app")
    run("delete", "-versions=2", "secret/cli/app")
    m = kv.read_secret_metadata(path="cli/app")["data"]
    check(m["versions"]["1"]["destroyed"] and m["versions"]["2"]["deletion_time"], str(m))
    run("metadata", "put", "-max-versions=2", "-cas-required=true", "secret/cli/app")
    m = json.loads(run("metadata", "get", "-format=json", "secret/cli/app"))["data"]
    check(m["max_versions"] == 2 and m["cas_required"] is True, str(m))
    check("app" in run("list", "secret/cli"), "list")
    gen = json.loads(run("generate", "-format=json", "-length=16", "-charset=hex",
                         "secret/cli/key"))
    check(len(gen["data"]["data"]["value"]) == 32, str(gen))
    check(kv.read_secret_metadata(path="cli/key")["data"]["versions"]["1"]["ward_type"] ==
          "GENERATED", "generated through the CLI")
    run("config", "-max-versions=7", "secret")
    check(json.loads(run("config", "-format=json", "secret"))["data"]["max_versions"] == 7,
          "config")
    run("config", "-max-versions=0", "secret")
    tune = json.loads(run("tune", "-format=json", "secret"))
    check(tune["options"]["version"] == "2", str(tune))
    check("version" in run("tune", "secret"), "tune table")
    run("tune", "secret/x", rc=2)
    run("metadata", "delete", "secret/cli/app")
    run("metadata", "delete", "secret/cli/key")
    run("list", "secret/cli", rc=1)
    run("get", "secret/a/../b", rc=1)


def main(ward):
    srv, c = start(ward)
    try:
        hvac_calls(srv, c)
        cli_calls(ward, srv, c)
        bad_input(srv, c)
        check(srv.stop() == 0, "SIGTERM exits 0")
    except Exception:
        print(srv.output()[-4000:])
        raise
    finally:
        srv.close()
    configured_limit(ward)
    print("hvac kv: all calls behaved as Vault's")


if __name__ == "__main__":
    main(sys.argv[1])
