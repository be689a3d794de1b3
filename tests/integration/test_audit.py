#!/usr/bin/python3
"""test_audit.py - the audit trail of a real `ward server`, driven by hvac.

A file device enabled with hvac; transit and KV calls, a denied and an
unrouted request, a seal and an unseal: every request has its request and
its response record, no plaintext, secret value or token is in the file,
and `ward audit verify` says intact. Then each kind of tampering (an altered
field, a deleted, inserted or swapped line, a cut tail, a line cut in the
middle) makes it exit 1. Fail closed: the file replaced by a directory, the
file made read-only mid-run (chattr +i), and
(where a tmpfs can be mounted) a full file system, refuse requests with 503
audit_failed, and once fixed nothing was lost. A socket device to a collector
run here: stopped mid-run and started again, every record arrives, in order.
usage: test_audit.py WARD
"""
import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import hvac
import requests

from wardserver import WardServer

MARKER = b"ward-audit-plaintext-marker-5c1e"
KV_SECRET = "ward-audit-kv-secret-value-9d27"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


class Api:
    def __init__(self, srv, token):
        self.srv = srv
        self.s = requests.Session()
        self.s.verify = srv.cert
        self.s.headers["X-Vault-Token"] = token

    def call(self, method, path, body=None, token=None):
        headers = {} if token is None else {"X-Vault-Token": token}
        r = self.s.request(method, self.srv.addr + "/v1/" + path, headers=headers,
                           data=json.dumps(body) if body is not None else None, timeout=30,
                           verify=self.srv.cert)
        doc = r.json() if r.content else {}
        return r.status_code, doc, r.headers.get("X-Ward-Request-Id")

    def data(self, method, path, body=None):
        status, doc, _ = self.call(method, path, body)
        check(status == 200, "%s %s -> %d %s" % (method, path, status, doc))
        return doc["data"]


def records(path):
    with open(path, "rb") as f:
        return [json.loads(line) for line in f.read().splitlines()]


class Verifier:
    def __init__(self, ward, srv, token):
        self.ward = ward
        self.env = dict(os.environ, WARD_ADDR=srv.addr, WARD_CACERT=srv.cert, WARD_TOKEN=token)

    def run(self, *args):
        r = subprocess.run([self.ward, "audit", "verify"] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr


def phase_records(api, c, log, token):
    """Transit, KV, denied and unrouted requests; each has both records."""
    ids = []
    c.secrets.transit.create_key("orders")
    pt = base64.b64encode(MARKER).decode()
    ct = c.secrets.transit.encrypt_data("orders", pt)["data"]["ciphertext"]
    check(base64.b64decode(c.secrets.transit.decrypt_data("orders", ct)["data"]["plaintext"])
          == MARKER, "round trip")
    c.secrets.kv.v2.create_or_update_secret("app/db", secret={"password": KV_SECRET})
    for method, path, body, tok in [("POST", "transit/encrypt/orders", {"plaintext": pt}, None),
                                    ("GET", "secret/data/app/db", None, None),
                                    ("GET", "secret/data/app/db", None, "w.r.wrong-token"),
                                    ("GET", "no/such/path", None, None)]:
        status, _, rid = api.call(method, path, body, tok)
        ids.append((rid, status))
    recs = records(log)
    for rid, status in ids:
        mine = [r for r in recs if r.get("request_id") == rid]
        check([r["type"] for r in mine] == ["request", "response"],
              "request %s has records %s" % (rid, mine))
        check(mine[1]["status"] == status, "status recorded for %s" % rid)
    enc = [r for r in recs if r.get("operation") == "transit.encrypt"]
    check(enc and all(r["key"] == "orders" for r in enc), "transit key name recorded")
    denied = [r for r in recs if r.get("request_id") == ids[2][0]]
    check(denied[1]["error_code"] in ("permission_denied", "token_invalid"), "denied recorded")
    check(denied[0]["auth"]["accessor_hmac"].startswith("hmac-sha256:"), "denied token HMACed")
    root = [r for r in recs if r.get("operation") == "transit.encrypt"][0]["auth"]
    check(root["principal"] == "root" and root["policies"] == ["root"], "root principal")
    hashed = api.data("POST", "sys/audit-hash/file", {"input": token})["hash"]
    check(root["accessor_hmac"] == hashed, "sys/audit-hash matches accessor_hmac")
    with open(log, "rb") as f:
        raw = f.read()
    for secret in (MARKER, pt.encode(), KV_SECRET.encode(), token.encode(), b"wrong-token",
                   ct.encode()):
        check(secret not in raw, "%r must not be in the audit file" % secret[:20])
    print("audit: %d records, every request has both, no secret in clear" % len(recs))


def phase_seal(c, keys):
    c.sys.seal()
    c.sys.read_seal_status()  # recorded while sealed: no MAC yet
    c.sys.submit_unseal_key(keys[0])
    c.sys.read_health_status(method="GET")


def phase_tamper(api, v, log, tmp):
    """Each kind of tampering makes `ward audit verify` exit 1."""
    key_file = os.path.join(tmp, "key")
    with open(key_file, "w") as f:
        f.write(api.data("POST", "sys/audit-key/file", {})["key"] + "\n")
    os.chmod(key_file, 0o600)
    head = api.data("GET", "sys/audit-head/file")
    with open(log, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    n = head["seq"] + 1
    check(len(lines) >= n and hashlib.sha256(lines[n - 1][:-1]).hexdigest() == head["hash"],
          "the head is the file's record")
    check(any(b'"mac":""' in line for line in lines), "records made while sealed have no MAC")
    lines = lines[:n]
    anchor = "-head=%d:%s" % (head["seq"], head["hash"])

    def verify(content, *extra):
        path = os.path.join(tmp, "copy.log")
        with open(path, "wb") as f:
            f.write(content)
        return v.run("-key-file=" + key_file, *extra, path)

    rc, out = verify(b"".join(lines), anchor)
    check(rc == 0 and "intact" in out, "the copy is intact: " + out)
    altered = list(lines)
    altered[5] = altered[5].replace(b'"status":', b'"status":1', 1) if b'"status"' in \
        altered[5] else altered[5].replace(b'"path":"', b'"path":"x', 1)
    deleted = lines[:4] + lines[5:]
    inserted = lines[:6] + [lines[3]] + lines[6:]
    swapped = lines[:4] + [lines[5], lines[4]] + lines[6:]
    cases = [("altered field", b"".join(altered), anchor),
             ("deleted line", b"".join(deleted), anchor),
             ("inserted line", b"".join(inserted), anchor),
             ("swapped lines", b"".join(swapped), anchor),
             ("truncated tail", b"".join(lines[:-2]), anchor),
             ("truncated mid-line", b"".join(lines)[:-30], anchor),
             ("truncated tail, head from the server", b"".join(lines[:-1]), "-device=file")]
    for what, content, flag in cases:
        args = [flag] if flag != "-device=file" else []
        path = os.path.join(tmp, "copy.log")
        with open(path, "wb") as f:
            f.write(content)
        if flag == "-device=file":
            rc, out = v.run("-device=file", path)
        else:
            rc, out = v.run("-key-file=" + key_file, *args, path)
        check(rc == 1 and "TAMPERED" in out, "%s: rc %d %s" % (what, rc, out))
        print("audit: %s detected: %s" % (what, out.strip()))
    rc, out = v.run(log)
    check(rc == 2, "no key: usage")


def refused(api):
    status, doc, rid = api.call("GET", "secret/data/app/db")
    check(status == 503 and doc.get("codes") == ["audit_failed"],
          "refused with audit_failed: %d %s" % (status, doc))
    return rid


def phase_directory(api, v, log):
    """The file replaced by a directory: refused; fixed: works, nothing lost."""
    moved = log + ".1"
    os.rename(log, moved)
    os.mkdir(log)
    time.sleep(0.2)  # the path is checked against the open file every 100 ms
    before = api.call("GET", "sys/audit-head/file")
    check(before[0] == 503, "even the head is refused")
    gone = [refused(api) for _ in range(3)]
    status, _, _ = api.call("PUT", "secret/data/app/other", {"data": {"k": "v"}})
    check(status == 503, "a write is refused too")
    os.rmdir(log)
    time.sleep(0.3)
    status, doc, _ = api.call("GET", "secret/data/app/db")
    check(status == 200, "works again: %d %s" % (status, doc))
    check("app/other" not in json.dumps(api.data("LIST", "secret/metadata/app")),
          "the refused write did nothing")
    recs = records(log)
    for rid in gone:
        check([r["type"] for r in recs if r.get("request_id") == rid] ==
              ["request", "response"], "refused request %s kept" % rid)
    for path in (moved, log):
        rc, out = v.run("-device=file", path)
        check(rc == 0, "%s intact: %s" % (path, out))
    print("audit: file replaced by a directory: refused, then nothing lost")


def phase_immutable(api, v, log):
    """The file made read-only mid-run (chattr +i: even root's open descriptor
    is refused): requests refused with 503; writable again: nothing lost."""
    if subprocess.run(["chattr", "+i", log], capture_output=True).returncode != 0:
        print("audit: chattr +i not supported here; read-only file case skipped")
        return
    try:
        gone = [refused(api) for _ in range(3)]
        status, _, _ = api.call("PUT", "secret/data/app/ro", {"data": {"k": "v"}})
        check(status == 503, "a write is refused while the file is read-only")
    finally:
        subprocess.run(["chattr", "-i", log], capture_output=True)
    time.sleep(0.3)
    status, doc, _ = api.call("GET", "secret/data/app/db")
    check(status == 200, "works again once writable: %d %s" % (status, doc))
    check("app/ro" not in json.dumps(api.data("LIST", "secret/metadata/app")),
          "the refused write did nothing")
    recs = records(log)
    for rid in gone:
        check([r["type"] for r in recs if r.get("request_id") == rid] ==
              ["request", "response"], "refused request %s kept" % rid)
    rc, out = v.run("-device=file", log)
    check(rc == 0, "read-only phase log intact: " + out)
    print("audit: file made read-only mid-run: refused, then nothing lost")


def phase_full_fs(api, v, c, tmp):
    """A full file system under the only device: refused; space again: all written."""
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt],
                      capture_output=True).returncode != 0:
        print("audit: no tmpfs mount here; full file system case skipped")
        return
    try:
        log = os.path.join(mnt, "audit.log")
        c.sys.enable_audit_device("file", path="full", options={"file_path": log})
        c.sys.disable_audit_device("file")
        filler = os.path.join(mnt, "filler")
        subprocess.run(["dd", "if=/dev/zero", "of=" + filler, "bs=4k"], capture_output=True)
        # the file's last page may still have room: go on until a record does not fit
        for _ in range(40):
            if api.call("GET", "secret/data/app/db")[0] == 503:
                break
        gone = [refused(api) for _ in range(2)]
        os.unlink(filler)
        time.sleep(0.3)
        status, _, _ = api.call("GET", "secret/data/app/db")
        check(status == 200, "works again once there is space")
        recs = records(log)
        for rid in gone:
            check([r["type"] for r in recs if r.get("request_id") == rid] ==
                  ["request", "response"], "refused request %s kept" % rid)
        rc, out = v.run("-device=full", log)
        check(rc == 0, "full-fs log intact: " + out)
        c.sys.enable_audit_device("file", options={"file_path": os.path.join(tmp, "audit2.log")})
        c.sys.disable_audit_device("full")
        print("audit: full file system: refused, then nothing lost")
    finally:
        subprocess.run(["umount", "-l", mnt], capture_output=True)


class Collector:
    """A TCP collector: appends whole lines to a file; bytes after a
    connection's last newline are dropped (the contract in docs/config.md)."""

    def __init__(self, port, path):
        self.port = port
        self.path = path
        self.stop_ev = threading.Event()
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", port))
        self.ls.listen(4)
        self.ls.settimeout(0.1)
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop_ev.is_set():
            try:
                conn, _ = self.ls.accept()
            except socket.timeout:
                continue
            conn.settimeout(0.1)
            pending = b""
            while not self.stop_ev.is_set():
                try:
                    data = conn.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    break
                pending += data
                cut = pending.rfind(b"\n") + 1
                if cut:
                    with open(self.path, "ab") as f:
                        f.write(pending[:cut])
                    pending = pending[cut:]
            conn.close()

    def stop(self):
        self.stop_ev.set()
        self.t.join(5)
        self.ls.close()


def wait_for(cond, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("timed out: " + what)


def phase_socket(api, v, c, tmp):
    port = None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    got = os.path.join(tmp, "collected.log")
    spool = os.path.join(tmp, "sock.spool")
    col = Collector(port, got)
    c.sys.enable_audit_device("socket", path="sock",
                              options={"address": "127.0.0.1:%d" % port, "socket_type": "tcp",
                                       "spool_path": spool})
    api.call("GET", "secret/data/app/db")
    wait_for(lambda: os.path.exists(got) and b'"secret/data/app/db"' in open(got, "rb").read(),
             "first records delivered")
    col.stop()
    while_down = [api.call("GET", "secret/data/app/db")[2] for _ in range(20)]
    check(all(rid is not None for rid in while_down), "requests work while the collector is down")
    time.sleep(0.5)
    have = open(got, "rb").read()
    check(while_down[-1].encode() not in have, "nothing delivered while down")
    col = Collector(port, got)
    try:
        head = api.data("GET", "sys/audit-head/sock")
        wait_for(lambda: any(r["seq"] == head["seq"] for r in records(got)),
                 "spooled records delivered")
    finally:
        col.stop()
    recs = records(got)
    check([r["seq"] for r in recs] == list(range(len(recs))), "in order, none missing, no repeat")
    order = [r["request_id"] for r in recs if r.get("request_id") in while_down]
    check(order == [rid for rid in while_down for _ in (0, 1)], "spooled records in order")
    key_file = os.path.join(tmp, "sock.key")
    with open(key_file, "w") as f:
        f.write(api.data("POST", "sys/audit-key/sock", {})["key"])
    rc, out = v.run("-key-file=" + key_file, "-head=%d:%s" % (head["seq"], head["hash"]), got)
    check(rc == 0, "collected trail intact: " + out)
    print("audit: socket device: %d records collected across a collector outage, in order"
          % len(recs))
    c.sys.disable_audit_device("sock")


def main(ward):
    srv = WardServer(ward)
    tmp = os.path.join(srv.dir, "t")
    os.mkdir(tmp)
    try:
        c = hvac.Client(url=srv.addr, verify=srv.cert)
        init = c.sys.initialize(1, 1)
        c.token = init["root_token"]
        c.sys.submit_unseal_key(init["keys"][0])
        api = Api(srv, c.token)
        v = Verifier(ward, srv, c.token)
        log = os.path.join(tmp, "audit.log")
        c.sys.enable_audit_device("file", description="test",
                                  options={"file_path": log})
        devs = c.sys.list_enabled_audit_devices()["data"]
        check(devs["file/"]["options"]["file_path"] == log, "listed: %s" % devs)
        check(os.stat(log).st_mode & 0o777 == 0o600, "mode 0600")
        out = subprocess.run([ward, "audit", "list"], env=v.env, capture_output=True, text=True)
        check(out.returncode == 0 and "file/" in out.stdout, "ward audit list: " + out.stdout)
        phase_records(api, c, log, c.token)
        phase_seal(c, init["keys"])
        rc, out = v.run("-device=file", log)
        check(rc == 0 and "intact" in out, "ward audit verify: %d %s" % (rc, out))
        print("audit: " + out.strip())
        phase_tamper(api, v, log, tmp)
        phase_directory(api, v, log)
        phase_immutable(api, v, log)
        phase_full_fs(api, v, c, tmp)
        phase_socket(api, v, c, tmp)
        check(srv.stop() == 0, "clean stop")
        recs = records(os.path.join(tmp, "audit2.log") if os.path.exists(
            os.path.join(tmp, "audit2.log")) else log)
        check(recs[-1]["type"] == "close", "a close record at shutdown")
    except Exception:
        print(srv.output()[-3000:])
        raise
    finally:
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
