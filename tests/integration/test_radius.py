#!/usr/bin/python3
"""test_radius.py - the radius auth method against a real FreeRADIUS.

The test writes a minimal FreeRADIUS 3 configuration in a temporary
directory (one auth listener on 127.0.0.1 and a free port, one client
127.0.0.1 with a random shared secret that must sign every request with a
Message-Authenticator, a users file with homer and marge and random
passwords, replies signed with a Message-Authenticator), starts
`freeradius -f -d DIR` as a child, waits until it is ready and stops it by
PID. Ward is driven with Debian's python3-hvac (client.auth.radius.*):
configure, users, login (hvac's path and Vault's body form), wrong
password, an unregistered user with and without unregistered_user_policies,
a wrong shared secret in Ward's config (radius_unreachable: FreeRADIUS
drops what it cannot authenticate), nothing listening and a UDP socket that
never answers (radius_unreachable within the configured timeouts, never a
hang), a second mount, and no secret or password in Ward's log or audit file.
usage: test_radius.py WARD
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import hvac
import hvac.exceptions

from wardserver import WardServer

FREERADIUS = shutil.which("freeradius") or "/usr/sbin/freeradius"

RADIUSD_CONF = """\
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = {dir}
sbindir = /usr/sbin
logdir = {dir}
raddbdir = {dir}
radacctdir = {dir}
name = freeradius
confdir = {dir}
modconfdir = {dir}
run_dir = {dir}
db_dir = {dir}
libdir = /usr/lib/freeradius
pidfile = {dir}/radiusd.pid
max_request_time = 10
cleanup_delay = 1
max_requests = 256
hostname_lookups = no
log {{
    destination = files
    file = {dir}/radius.log
    auth = yes
    auth_badpass = no
    auth_goodpass = no
}}
security {{
    allow_core_dumps = no
    max_attributes = 200
    reject_delay = 0
    status_server = no
}}
client local {{
    ipaddr = 127.0.0.1
    secret = {secret}
    require_message_authenticator = yes
}}
modules {{
    files {{
        filename = {dir}/users
    }}
    pap {{
    }}
}}
server default {{
    listen {{
        type = auth
        ipaddr = 127.0.0.1
        port = {port}
    }}
    authorize {{
        files
        pap
    }}
    authenticate {{
        Auth-Type PAP {{
            pap
        }}
    }}
    # FreeRADIUS 3.2.1 signs replies only when told to; Ward requires it
    post-auth {{
        update reply {{
            Message-Authenticator := 0x00
        }}
        Post-Auth-Type REJECT {{
            update reply {{
                Message-Authenticator := 0x00
            }}
        }}
    }}
}}
"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FreeRadius:
    """A FreeRADIUS child on 127.0.0.1 with its own config directory."""

    def __init__(self, users):
        self.dir = tempfile.mkdtemp(prefix="ward-radius-")
        self.port = free_udp_port()
        self.secret = "rs-" + secrets.token_hex(12)
        with open(os.path.join(self.dir, "radiusd.conf"), "w") as f:
            f.write(RADIUSD_CONF.format(dir=self.dir, secret=self.secret, port=self.port))
        with open(os.path.join(self.dir, "users"), "w") as f:
            for name, pw in users.items():
                f.write('%s Cleartext-Password := "%s"\n' % (name, pw))
        self.log = os.path.join(self.dir, "radius.log")
        self.out = open(os.path.join(self.dir, "stdout.log"), "w+")
        self.proc = subprocess.Popen([FREERADIUS, "-f", "-d", self.dir], stdout=self.out,
                                     stderr=subprocess.STDOUT)
        self.wait_ready()

    def text(self):
        try:
            with open(self.log) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_ready(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.out.seek(0)
                raise RuntimeError("freeradius exited: " + self.out.read() + self.text())
            if "Ready to process requests" in self.text():
                return
            time.sleep(0.05)
        raise RuntimeError("freeradius not ready in time: " + self.text())

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.out.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def forbidden(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except hvac.exceptions.Forbidden:
        return
    raise AssertionError("not refused with 403")


def configure_and_users(root, rad):
    root.sys.enable_auth_method("radius", path="radius")
    root.sys.create_or_update_policy(
        name="homer-pol", policy={"path": {"secret/data/homer/*": {"capabilities": ["read"]}}})
    root.sys.create_or_update_policy(
        name="marge-pol", policy={"path": {"secret/data/marge/*": {"capabilities": ["read"]}}})
    root.auth.radius.configure(host="127.0.0.1", secret=rad.secret, port=rad.port,
                               dial_timeout=2, nas_port=7)
    cfg = root.auth.radius.read_configuration()["data"]
    check("secret" not in cfg, "the secret is never read back: %r" % cfg)
    check(cfg["host"] == "127.0.0.1" and cfg["port"] == rad.port, str(cfg))
    check(cfg["dial_timeout"] == 2 and cfg["read_timeout"] == 10 and cfg["nas_port"] == 7,
          str(cfg))
    root.auth.radius.register_user("homer", policies=["homer-pol"])
    user = root.auth.radius.read_user("homer")["data"]
    check(user["policies"] == ["homer-pol"], str(user))
    check(root.auth.radius.list_users()["data"]["keys"] == ["homer"], "list")


def logins(srv, root, rad, pw):
    c = hvac.Client(url=srv.addr, verify=srv.cert)
    res = c.auth.radius.login("homer", pw["homer"])
    check(c.token == res["auth"]["client_token"] and c.token.startswith("w.s."), str(res))
    check(sorted(res["auth"]["policies"]) == ["default", "homer-pol"], str(res["auth"]))
    check(res["auth"]["metadata"] == {"username": "homer", "policies": "homer-pol"},
          str(res["auth"]["metadata"]))
    me = c.auth.token.lookup_self()["data"]
    check(me["display_name"] == "radius-homer", me["display_name"])
    # Vault's other form: auth/radius/login with the username in the body
    status, doc = srv.call("POST", "/v1/auth/radius/login",
                           body={"username": "homer", "password": pw["homer"]})
    check(status == 200 and doc["auth"]["client_token"].startswith("w.s."), str(doc))
    # Ward's CLI: the password from WARD_PASSWORD, never on the command line
    res = subprocess.run([srv.exe, "login", "-method=radius", "-address=" + srv.addr,
                          "-ca-cert=" + srv.cert, "username=homer"],
                         env=dict(os.environ, WARD_PASSWORD=pw["homer"]), capture_output=True,
                         stdin=subprocess.DEVNULL, timeout=60)
    check(res.returncode == 0 and b"w.s." in res.stdout, "ward login: %r" % (res,))
    # wrong password, unknown user: one refusal
    forbidden(c.auth.radius.login, "homer", "not-" + pw["homer"])
    forbidden(c.auth.radius.login, "bart", "whatever")
    # marge is known to FreeRADIUS, not registered in Ward: refused (deny by default) ...
    forbidden(c.auth.radius.login, "marge", pw["marge"])
    # ... until unregistered users get policies
    root.auth.radius.configure(host="127.0.0.1", secret=rad.secret, port=rad.port,
                               dial_timeout=2, unregistered_user_policies=["marge-pol"])
    res = c.auth.radius.login("marge", pw["marge"])
    check(sorted(res["auth"]["policies"]) == ["default", "marge-pol"], str(res["auth"]))
    # a deleted user falls back to the unregistered policies
    root.auth.radius.delete_user("homer")
    try:
        root.auth.radius.read_user("homer")
        raise AssertionError("deleted user still read")
    except hvac.exceptions.InvalidPath:
        pass
    res = c.auth.radius.login("homer", pw["homer"])
    check(sorted(res["auth"]["policies"]) == ["default", "marge-pol"], str(res["auth"]))
    status, doc = srv.call("POST", "/v1/auth/radius/login/homer", body={"password": ""})
    check(status == 400, "empty password: %d %r" % (status, doc))


def timed_login(srv, mount, user, pw):
    start = time.monotonic()
    status, doc = srv.call("POST", "/v1/auth/%s/login/%s" % (mount, user),
                           body={"password": pw})
    return status, doc, time.monotonic() - start


def failures(srv, root, rad, pw):
    """Wrong secret, nothing listening, a socket that never answers: clear, bounded errors."""
    root.sys.enable_auth_method("radius", path="radius-bad")
    root.auth.radius.configure(host="127.0.0.1", secret="not-" + rad.secret, port=rad.port,
                               dial_timeout=1, mount_point="radius-bad")
    root.write("auth/radius-bad/config", read_timeout=2)
    status, doc, took = timed_login(srv, "radius-bad", "homer", pw["homer"])
    check(status == 502 and doc["codes"] == ["radius_unreachable"], "%d %r" % (status, doc))
    check("secret" in doc["errors"][0] and took < 5.0, "%r in %.1f s" % (doc, took))
    check(rad.secret not in json.dumps(doc) and pw["homer"] not in json.dumps(doc), "no secret")

    # written with Ward's CLI: numbers as text, the secret from stdin (key=-)
    root.sys.enable_auth_method("radius", path="radius-dead")
    res = subprocess.run([srv.exe, "write", "-address=" + srv.addr, "-ca-cert=" + srv.cert,
                          "auth/radius-dead/config", "host=127.0.0.1", "secret=-",
                          "port=%d" % free_udp_port(), "dial_timeout=1", "read_timeout=2s"],
                         env=dict(os.environ, WARD_TOKEN=root.token), input=b"dead-secret",
                         capture_output=True, timeout=60)
    check(res.returncode == 0, "ward write: %r" % (res,))
    cfg = root.read("auth/radius-dead/config")["data"]
    check(cfg["read_timeout"] == 2 and cfg["dial_timeout"] == 1, str(cfg))
    status, doc, took = timed_login(srv, "radius-dead", "homer", "pw")
    check(status == 502 and doc["codes"] == ["radius_unreachable"], "%d %r" % (status, doc))
    check(took < 4.0, "nothing listening: %.1f s" % took)

    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        root.sys.enable_auth_method("radius", path="radius-silent")
        root.write("auth/radius-silent/config", host="127.0.0.1", secret="x",
                   port=silent.getsockname()[1], dial_timeout=1, read_timeout=2)
        status, doc, took = timed_login(srv, "radius-silent", "homer", "pw")
        check(status == 502 and doc["codes"] == ["radius_unreachable"], "%d %r" % (status, doc))
        check(1.8 <= took < 5.0, "a silent server: %.1f s" % took)
        got = 0
        silent.settimeout(0.2)
        try:
            while True:
                silent.recvfrom(4096)
                got += 1
        except socket.timeout:
            pass
        check(got == 3, "the request is sent three times, got %d" % got)
    finally:
        silent.close()
    # not configured
    root.sys.enable_auth_method("radius", path="radius-none")
    status, doc = srv.call("POST", "/v1/auth/radius-none/login/homer", body={"password": "x"})
    check(status == 400 and "not configured" in doc["errors"][0], "%d %r" % (status, doc))
    # config refusals
    for bad in ({"host": "127.0.0.1"}, {"host": "a b", "secret": "x"},
                {"host": "h", "secret": "x", "port": 0},
                {"host": "h", "secret": "x", "read_timeout": 600}):
        status, doc = srv.call("POST", "/v1/auth/radius-none/config", token=root.token, body=bad)
        check(status == 400, "%r: %d %r" % (bad, status, doc))


def main():
    ward = sys.argv[1]
    pw = {"homer": "doh-" + secrets.token_hex(6), "marge": "blue-" + secrets.token_hex(6)}
    rad = FreeRadius(pw)
    srv = None
    try:
        srv = WardServer(ward)
        root = hvac.Client(url=srv.addr, verify=srv.cert)
        res = root.sys.initialize(secret_shares=1, secret_threshold=1)
        root.sys.submit_unseal_key(res["keys"][0])
        root.token = res["root_token"]
        audit_log = os.path.join(srv.dir, "audit.log")
        root.sys.enable_audit_device("file", options={"file_path": audit_log})
        configure_and_users(root, rad)
        logins(srv, root, rad, pw)
        failures(srv, root, rad, pw)
        with open(audit_log) as f:
            log = srv.output() + f.read()
        check("auth/radius/login" in log, "the audit file has the logins")
        for s in [rad.secret, pw["homer"], pw["marge"], "not-" + rad.secret, "dead-secret"]:
            check(s not in log, "a secret or password in the server log or audit file")
        check(pw["homer"] not in rad.text(), "FreeRADIUS logged a password")
    finally:
        if srv is not None:
            srv.close()
        rad.close()
    print("test_radius: ok")


if __name__ == "__main__":
    main()
