#!/usr/bin/python3
"""test_server_refusals.py - bad input against the real `ward server`.

Each request gets its stable error ({"errors": [...], "codes": [...]}) and the
server still serves the next request: unknown path (404), wrong method (405),
sealed (503 with a clear message), malformed / truncated JSON, deep nesting,
duplicate keys, wrong types (400), a 2 MiB body (413), a header line of 1 MiB
and 10,000 headers (431), a plain-HTTP request on the TLS port.
usage: test_server_refusals.py WARD
"""
import socket
import ssl
import sys

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


def main(ward):
    srv = WardServer(ward)
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
        requests.put(srv.addr + "/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1},
                     verify=srv.cert, timeout=30).raise_for_status()
        expect(srv, "GET", "/v1/sys/rekey/init", 503, "sealed")
        r = requests.get(srv.addr + "/v1/sys/rekey/init", verify=srv.cert, timeout=30)
        assert "sealed" in r.json()["errors"][0], "a clear message"
        assert srv.stop() == 0, "SIGTERM exits 0"
        print("server refusals: every bad request got its code; the server kept serving")
    except Exception:
        print(srv.output()[-3000:])
        raise
    finally:
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
