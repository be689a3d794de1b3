#!/usr/bin/python3
"""test_server_refusals.py - bad input against the real `ward server`.

Each request gets its stable error ({"errors": [...], "codes": [...]}) and the
server still serves the next request: unknown path (404), wrong method (405),
sealed (503 with a clear message), malformed / truncated JSON, deep nesting,
duplicate keys, wrong types (400), a 2 MiB body (413), a header line of 1 MiB
and 10,000 headers (431), a plain-HTTP request on the TLS port, a slowloris
client, 1,000 idle connections, and a client certificate from an unknown CA
when mutual TLS is required.
usage: test_server_refusals.py WARD
"""
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

import requests

from wardserver import WardServer


def expect(srv, method, path, status, code, body=None, headers=None):
    r = requests.request(method, srv.addr + path, data=body, headers=headers or {},
                         verify=srv.cert, timeout=30)
    assert r.status_code == status, "%s %s: %d %s" % (method, path, r.status_code, r.text)
    got = r.json()
    assert got["codes"] == [code], "%s %s: codes %r" % (method, path, got["codes"])
    assert got["errors"] and got["errors"][0], "a human message"
    assert r.headers.get("X-Ward-Request-Id"), "request id on errors too"
    healthy(srv)


def healthy(srv):
    r = requests.get(srv.addr + "/v1/sys/seal-status", verify=srv.cert, timeout=30)
    assert r.status_code == 200, "the server keeps serving"


def raw_tls(srv, payload):
    ctx = ssl.create_default_context(cafile=srv.cert)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            t.sendall(payload)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = t.recv(65536)
                if not chunk:
                    break
                data += chunk
            return data


def slowloris(srv):
    """One header byte every 300 ms: closed after header_timeout_ms (1 s here)."""
    ctx = ssl.create_default_context(cafile=srv.cert)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            start = time.monotonic()
            try:
                for ch in b"GET /v1/sys/health HTTP/1.1\r\nX-Slow: " + b"a" * 100:
                    t.sendall(bytes([ch]))
                    time.sleep(0.3)
                    if time.monotonic() - start > 8:
                        raise AssertionError("slowloris connection still open after 8 s")
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass
            took = time.monotonic() - start
            assert took < 8, "closed in time (%.1f s)" % took
    healthy(srv)


def many_idle(srv, count=1000):
    """1,000 idle connections do not stop the server from serving."""
    socks = []
    try:
        for _ in range(count):
            socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=10))
        healthy(srv)
    finally:
        for s in socks:
            s.close()


def mtls(ward):
    """With a client CA required, a certificate from an unknown CA is refused."""
    srv = None
    tmp = tempfile.mkdtemp(prefix="ward-mtls-")
    try:
        good_ca, good_ca_key = make_ca(tmp, "good")
        bad_ca, bad_ca_key = make_ca(tmp, "bad")
        good = make_client(tmp, "alice", good_ca, good_ca_key)
        bad = make_client(tmp, "mallory", bad_ca, bad_ca_key)
        srv = WardServer(ward, extra_config="", listener_extra="tls_client_ca_file = %s\n"
                         "tls_require_client_cert = true\n" % good_ca)
        r = requests.get(srv.addr + "/v1/sys/seal-status", verify=srv.cert, cert=good,
                         timeout=30)
        assert r.status_code == 200, "a known client certificate is accepted"
        for cert in (bad, None):
            try:
                requests.get(srv.addr + "/v1/sys/seal-status", verify=srv.cert, cert=cert,
                             timeout=30)
                raise AssertionError("refused without a trusted client certificate")
            except requests.exceptions.SSLError:
                pass
            except requests.exceptions.ConnectionError:
                pass
        assert srv.stop() == 0
    finally:
        if srv is not None:
            srv.close()
        shutil.rmtree(tmp, ignore_errors=True)


def make_ca(tmp, name):
    cert, key = os.path.join(tmp, name + "-ca.pem"), os.path.join(tmp, name + "-ca.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-subj",
                    "/CN=" + name + " CA", "-days", "2"], check=True, capture_output=True,
                   timeout=60)
    return cert, key


def make_client(tmp, name, ca, ca_key):
    key, csr = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".csr")
    cert = os.path.join(tmp, name + ".pem")
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj",
                    "/CN=" + name], check=True, capture_output=True, timeout=60)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
                    "-CAcreateserial", "-out", cert, "-days", "2"], check=True,
                   capture_output=True, timeout=60)
    return cert, key


def main(ward):
    srv = WardServer(ward, extra_config="[limits]\nheader_timeout_ms = 1000\n")
    try:
        expect(srv, "GET", "/v1/sys/nope", 404, "not_found")
        expect(srv, "GET", "/v1/sys/%2e%2e/sys/health", 404, "not_found")
        expect(srv, "GET", "/v1//sys/health", 404, "not_found")
        expect(srv, "GET", "/v1/SYS/health", 404, "not_found")
        expect(srv, "DELETE", "/v1/sys/health", 405, "unsupported")
        expect(srv, "PUT", "/v1/sys/init", 400, "bad_encoding", body=b'{"secret_shares":')
        expect(srv, "PUT", "/v1/sys/init", 400, "bad_encoding", body=b"{" * 1 + b"[" * 500)
        expect(srv, "PUT", "/v1/sys/init", 400, "bad_encoding",
               body=b'{"secret_shares":3,"secret_shares":1,"secret_threshold":1}')
        expect(srv, "PUT", "/v1/sys/init", 400, "invalid_argument",
               body=b'{"secret_shares":"3","secret_threshold":2}')
        expect(srv, "PUT", "/v1/sys/init", 400, "invalid_argument", body=b'[1,2,3]')
        expect(srv, "PUT", "/v1/sys/unseal", 413, "too_large", body=b"x" * (2 << 20))
        expect(srv, "GET", "/v1/sys/health", 431, "headers_too_large",
               headers={"X-Big": "a" * (1 << 20)})
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(10000))
        head = raw_tls(srv, b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
        assert head.startswith(b"HTTP/1.1 431"), head[:80]
        healthy(srv)
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            s.sendall(b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = s.recv(4096)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:80]
        healthy(srv)
        slowloris(srv)
        many_idle(srv)
        requests.put(srv.addr + "/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1},
                     verify=srv.cert, timeout=30).raise_for_status()
        expect(srv, "GET", "/v1/sys/rekey/init", 503, "sealed")
        r = requests.get(srv.addr + "/v1/sys/rekey/init", verify=srv.cert, timeout=30)
        assert "sealed" in r.json()["errors"][0], "a clear message"
        assert srv.stop() == 0, "SIGTERM exits 0"
        mtls(ward)
        print("server refusals: every bad request got its code; the server kept serving")
    except Exception:
        print(srv.output()[-3000:])
        raise
    finally:
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
