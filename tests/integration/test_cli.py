#!/usr/bin/python3
"""test_cli.py - the `ward` CLI end to end against a real `ward server`.

Usage: test_cli.py PATH/TO/ward

1. A dev server (`ward server -dev`): its banner gives WARD_ADDR, WARD_CACERT,
   WARD_TOKEN and the unseal key; status, seal/unseal, key-status, the
   VAULT_* fallbacks and TLS verification are checked against it.
2. A configured server (`ward server -config=FILE`, TLS from a CA made here
   with openssl) that starts uninitialised: init, unseal with shares fed on
   stdin, status exit codes, seal, rotate, key-status, rekey
   init/status/cancel/update, and the error paths (wrong share, usage errors,
   missing token).

Nothing is skipped: a server that cannot start is a failure.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

WARD = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
CMD_TIMEOUT = 60
START_TIMEOUT = 60
SANITIZER_RE = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:")
ERROR_RE = re.compile(r"^Error: .+ \(code: ([a-z_]+)\)$", re.M)


class Failure(Exception):
    pass


def check(cond, what, *details):
    if not cond:
        raise Failure(what + "".join("\n    " + str(d) for d in details))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WARD_") and not k.startswith("VAULT_")}
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


class Result:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def __str__(self):
        return "ward %s -> %d\n    stdout: %r\n    stderr: %r" % (
            " ".join(self.args), self.rc, self.out[-2000:], self.err[-2000:])

    def code(self):
        m = ERROR_RE.search(self.err)
        return m.group(1) if m else None


def ward(env, *args, stdin=""):
    p = subprocess.run([WARD] + list(args), input=stdin, capture_output=True, text=True,
                       env=env, timeout=CMD_TIMEOUT)
    res = Result(args, p.returncode, p.stdout, p.stderr)
    check(not SANITIZER_RE.search(p.stderr), "sanitizer report", res)
    return res


def expect(res, rc, what):
    check(res.rc == rc, "%s: want exit %d" % (what, rc), res)
    return res


def expect_error(res, code, what):
    """exit 1 and `Error: ... (code: <code>)` on stderr (code None: any code)."""
    check(res.rc == 1, "%s: want exit 1" % what, res)
    got = res.code()
    check(got is not None, "%s: no 'Error: ... (code: ...)' line" % what, res)
    if code is not None:
        check(got == code, "%s: want code %s, got %s" % (what, code, got), res)
    return res


def table(res):
    rows = {}
    lines = res.out.splitlines()
    check(len(lines) >= 2 and lines[0].split() == ["Key", "Value"] and
          lines[1].split() == ["---", "-----"], "not a Key/Value table", res)
    col = lines[0].index("Value")
    for line in lines[2:]:
        if line.strip():
            rows[line[:col].strip()] = line[col:].strip()
    return rows


def as_json(res):
    try:
        return json.loads(res.out)
    except ValueError as e:
        raise Failure("not JSON (%s)\n    %s" % (e, res))


class Server:
    """A `ward server` child; its output goes to a file we can show on failure."""

    def __init__(self, args, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w+")
        self.proc = subprocess.Popen([WARD, "server"] + args, stdout=subprocess.PIPE,
                                     stderr=self.log, env=clean_env())

    def banner(self, want, timeout):
        """Reads stdout lines until every regex in want matched; returns their groups."""
        found, seen = {}, []
        deadline = time.monotonic() + timeout
        os.set_blocking(self.proc.stdout.fileno(), False)
        buf = ""
        while len(found) < len(want):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise Failure("server banner incomplete (have %s)\n    stdout: %r\n    log: %s"
                              % (sorted(found), "".join(seen), self.tail()))
            try:
                chunk = os.read(self.proc.stdout.fileno(), 65536).decode("utf-8", "replace")
            except BlockingIOError:
                chunk = ""
            if not chunk:
                time.sleep(0.05)
                continue
            seen.append(chunk)
            buf += chunk
            for name, rx in want.items():
                m = re.search(rx, buf, re.M)
                if m and name not in found:
                    found[name] = m.group(1)
        return found

    def tail(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode


def wait_ready(env, server):
    """Polls `ward status` until the server answers (exit 0 or 2)."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        res = ward(env, "status")
        if res.rc in (0, 2):
            return res
        if server.proc.poll() is not None:
            raise Failure("server exited with %s\n    log: %s"
                          % (server.proc.returncode, server.tail()))
        if time.monotonic() > deadline:
            raise Failure("server never answered\n    %s\n    log: %s" % (res, server.tail()))
        time.sleep(0.2)


def test_usage(env):
    """Usage errors exit 2, help exits 0 with a usage line and an example."""
    expect(ward(env), 2, "no command")
    expect(ward(env, "bogus"), 2, "unknown command")
    expect(ward(env, "operator"), 2, "operator without subcommand")
    expect(ward(env, "operator", "bogus"), 2, "unknown operator subcommand")
    expect(ward(env, "status", "-format=yaml"), 2, "bad -format")
    expect(ward(env, "status", "-nope"), 2, "unknown flag")
    expect(ward(env, "status", "extra"), 2, "positional argument")
    expect(ward(env, "operator", "init", "-key-shares=x"), 2, "non-numeric -key-shares")
    expect(ward(env, "operator", "init", "-key-shares"), 2, "flag without value")
    expect(ward(env, "operator", "rekey", "-init", "-cancel"), 2, "exclusive rekey flags")
    expect(ward(env, "operator", "rekey", "-status", "-nonce=abc"), 2, "-nonce with -status")
    res = expect(ward(env, "operator", "unseal", "c2hhcmU="), 2, "share on the command line")
    check("never from arguments" in res.err, "unseal refuses argv shares", res)
    expect(ward(env, "status", "-address=http://127.0.0.1:1"), 2, "plain http address")
    for cmd in (["-h"], ["--help"], ["status", "-h"], ["operator", "-h"],
                ["operator", "init", "-h"], ["operator", "unseal", "--help"],
                ["operator", "seal", "-h"], ["operator", "rekey", "-h"],
                ["operator", "rotate", "-h"], ["operator", "key-status", "-h"]):
        res = expect(ward(env, *cmd), 0, "help of %s" % " ".join(cmd))
        check("Usage: ward" in res.out and "Example" in res.out, "help text", res)


def test_dev(tmp):
    port = free_port()
    srv = Server(["-dev", "-dev-listen-address=127.0.0.1:%d" % port,
                  "-dev-data-dir=" + os.path.join(tmp, "dev")], os.path.join(tmp, "dev.log"))
    try:
        b = srv.banner({"addr": r"WARD_ADDR=(\S+)", "cacert": r"WARD_CACERT=(\S+)",
                        "token": r"WARD_TOKEN=(\S+)", "key": r"Unseal Key: (\S+)"},
                       START_TIMEOUT)
        check(b["addr"] == "https://127.0.0.1:%d" % port, "dev address", b)
        env = clean_env(WARD_ADDR=b["addr"], WARD_CACERT=b["cacert"], WARD_TOKEN=b["token"])
        wait_ready(env, srv)

        rows = table(expect(ward(env, "status"), 0, "dev status"))
        check(rows.get("Sealed") == "false" and rows.get("Initialized") == "true",
              "dev status rows", rows)
        st = as_json(expect(ward(env, "status", "-format=json"), 0, "dev status json"))
        check(st["sealed"] is False and st["type"] == "shamir", "dev status json", st)

        ks = table(expect(ward(env, "operator", "key-status"), 0, "dev key-status"))
        check(int(ks["Key Term"]) >= 1, "dev key term", ks)

        # VAULT_* are the fallbacks; WARD_* win over them
        venv = clean_env(VAULT_ADDR=b["addr"], VAULT_CACERT=b["cacert"], VAULT_TOKEN=b["token"])
        expect(ward(venv, "operator", "key-status"), 0, "VAULT_* fallback")
        wenv = dict(venv, WARD_ADDR="https://127.0.0.1:1")
        expect_error(ward(wenv, "status"), "system", "WARD_ADDR wins over VAULT_ADDR")
        expect(ward(wenv, "status", "-address=" + b["addr"]), 0, "-address wins over env")

        # SECURITY: without the CA file the server's certificate is not trusted
        res = expect_error(ward(clean_env(WARD_ADDR=b["addr"]), "status"), "system",
                           "no CA file")
        check("certificate" in res.err.lower() or "ssl" in res.err.lower(),
              "TLS verification error says so", res)
        expect(ward(clean_env(WARD_ADDR=b["addr"]), "status", "-ca-cert=" + b["cacert"]), 0,
               "-ca-cert")

        expect(ward(env, "operator", "seal"), 0, "dev seal")
        expect(ward(env, "status"), 2, "dev status when sealed")
        rows = table(expect(ward(env, "operator", "unseal", stdin=b["key"] + "\n"), 0,
                            "dev unseal"))
        check(rows["Sealed"] == "false", "dev unsealed with its key", rows)
        expect(ward(env, "status"), 0, "dev status after unseal")
    finally:
        rc = srv.stop()
    check(rc == 0, "dev server exits 0 on SIGTERM (got %s)" % rc, srv.tail())


def make_tls(tmp):
    """A CA and a server certificate for 127.0.0.1, with the openssl CLI."""
    d = os.path.join(tmp, "tls")
    os.mkdir(d)

    def ossl(*args):
        p = subprocess.run(["openssl"] + list(args), cwd=d, capture_output=True, text=True)
        check(p.returncode == 0, "openssl %s" % " ".join(args), p.stderr)

    ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=ward test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ossl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
                "basicConstraints=CA:FALSE\n")
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
         "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return {k: os.path.join(d, k + ".pem") for k in ("ca", "server", "server-key")}


def unseal(env, share, what, rc=0):
    return expect(ward(env, "operator", "unseal", stdin=share + "\n"), rc, what)


def test_lifecycle(env):
    """init, unseal, seal, with the error paths on the way."""
    expect(ward(env, "status"), 2, "uninitialised status")
    st = as_json(expect(ward(env, "status", "-format=json"), 2, "uninitialised json"))
    check(st["initialized"] is False and st["sealed"] is True, "uninitialised", st)
    expect(ward(env, "operator", "init", "-status"), 2, "init -status before init")

    res = expect(ward(env, "operator", "init", "-key-shares=3", "-key-threshold=2"), 0, "init")
    keys = re.findall(r"^Unseal Key (\d+): (\S+)$", res.out, re.M)
    token = re.search(r"^Initial Root Token: (\S+)$", res.out, re.M)
    check([k[0] for k in keys] == ["1", "2", "3"] and token, "init output", res)
    keys = [k[1] for k in keys]
    env["WARD_TOKEN"] = token.group(1)

    expect_error(ward(env, "operator", "init", "-key-shares=3", "-key-threshold=2"),
                 "already_initialized", "second init")
    expect(ward(env, "operator", "init", "-status"), 0, "init -status after init")
    st = as_json(expect(ward(env, "status", "-format=json"), 2, "sealed after init"))
    check(st["t"] == 2 and st["n"] == 3 and st["progress"] == 0, "threshold and shares", st)

    expect_error(ward(env, "operator", "unseal", stdin=""), None, "no share on stdin")
    expect_error(ward(env, "operator", "unseal", stdin="not a share\n"), "bad_share",
                 "share with bad characters")
    expect_error(ward(env, "operator", "unseal", stdin="AAAA\n"), None, "malformed share")
    expect(ward(env, "status"), 2, "still sealed after bad shares")

    rows = table(unseal(env, keys[0], "first share"))
    check(rows["Sealed"] == "true" and rows["Unseal Progress"] == "1/2", "progress 1/2", rows)
    expect_error(ward(env, "operator", "unseal", stdin=keys[0] + "\n"), "duplicate_share",
                 "same share twice")
    rows = table(expect(ward(env, "operator", "unseal", "-reset"), 0, "unseal -reset"))
    check(rows["Unseal Progress"] == "0/2", "reset progress", rows)

    unseal(env, keys[1], "share 2")
    rows = table(unseal(env, keys[2], "share 3"))
    check(rows["Sealed"] == "false", "unsealed by 2 of 3", rows)
    expect(ward(env, "status"), 0, "status unsealed")
    expect_error(ward(env, "operator", "unseal", stdin=keys[0] + "\n"), None,
                 "unseal when unsealed")

    noauth = dict(env)
    del noauth["WARD_TOKEN"]
    res = expect_error(ward(noauth, "operator", "seal"), None, "seal without a token")
    check(res.code() in ("permission_denied", "invalid_argument"), "seal needs a token", res)
    expect_error(ward(dict(env, WARD_TOKEN="wrong-token"), "operator", "seal"),
                 "permission_denied", "seal with a wrong token")
    expect(ward(env, "status"), 0, "still unsealed")
    res = expect(ward(env, "operator", "seal"), 0, "seal")
    check("Success" in res.out, "seal says so", res)
    expect(ward(env, "status"), 2, "status sealed")
    expect_error(ward(env, "operator", "key-status"), "sealed", "key-status while sealed")

    # a share that is well formed but wrong: the combination fails, Ward stays sealed
    bad = keys[1][:8] + ("A" if keys[1][8] != "A" else "B") + keys[1][9:]
    unseal(env, keys[0], "share 1 before a wrong one")
    res = expect_error(ward(env, "operator", "unseal", stdin=bad + "\n"), None, "wrong share")
    st = as_json(expect(ward(env, "status", "-format=json"), 2, "sealed after wrong share"))
    check(st["sealed"] is True, "wrong share does not unseal", st)
    expect(ward(env, "operator", "unseal", "-reset"), 0, "reset after wrong share")
    unseal(env, keys[2], "share 3 again")
    unseal(env, keys[0], "share 1 again")
    expect(ward(env, "status"), 0, "unsealed again")
    return keys


def test_rotate(env):
    ks = table(expect(ward(env, "operator", "key-status"), 0, "key-status"))
    term = int(ks["Key Term"])
    check(ks["Install Time"] != "n/a", "install time", ks)
    res = expect(ward(env, "operator", "rotate"), 0, "rotate")
    check("Success" in res.out, "rotate says so", res)
    ks = as_json(expect(ward(env, "operator", "key-status", "-format=json"), 0,
                        "key-status json"))
    check(ks["term"] == term + 1, "term grew by one", ks, term)
    check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", ks["install_time"]), "RFC 3339", ks)


def test_rekey(env, keys):
    rk = table(expect(ward(env, "operator", "rekey", "-status"), 0, "rekey -status idle"))
    check(rk["Started"] == "false", "no rekey yet", rk)
    expect_error(ward(env, "operator", "rekey", stdin=keys[0] + "\n"), None,
                 "rekey update without a rekey")

    rk = table(expect(ward(env, "operator", "rekey", "-init", "-key-shares=4",
                           "-key-threshold=3"), 0, "rekey -init"))
    check(rk["Started"] == "true" and rk["New Shares"] == "4" and rk["New Threshold"] == "3",
          "rekey started", rk)
    expect_error(ward(env, "operator", "rekey", "-init"), "in_progress", "second rekey -init")
    expect(ward(env, "operator", "rekey", "-cancel"), 0, "rekey -cancel")
    rk = table(expect(ward(env, "operator", "rekey", "-status"), 0, "rekey -status"))
    check(rk["Started"] == "false", "rekey canceled", rk)

    st = as_json(expect(ward(env, "operator", "rekey", "-init", "-key-shares=4",
                             "-key-threshold=3", "-format=json"), 0, "rekey -init json"))
    nonce = st["nonce"]
    check(nonce and st["started"] is True, "rekey nonce", st)
    expect_error(ward(env, "operator", "rekey", "-nonce=" + "0" * len(nonce),
                      stdin=keys[0] + "\n"), "bad_nonce", "rekey update, wrong nonce")
    rk = table(expect(ward(env, "operator", "rekey", "-nonce=" + nonce,
                           stdin=keys[0] + "\n"), 0, "rekey update 1"))
    check(rk["Rekey Progress"] == "1/2", "rekey progress", rk)
    res = expect(ward(env, "operator", "rekey", stdin=keys[1] + "\n"), 0, "rekey update 2")
    new = re.findall(r"^Key (\d+): (\S+)$", res.out, re.M)
    check([k[0] for k in new] == ["1", "2", "3", "4"], "four new keys", res)
    check(("Operation nonce: " + nonce) in res.out, "completion names the nonce", res)
    new = [k[1] for k in new]

    expect(ward(env, "operator", "seal"), 0, "seal after rekey")
    st = as_json(expect(ward(env, "status", "-format=json"), 2, "status after rekey"))
    check(st["t"] == 3 and st["n"] == 4, "new threshold and shares", st)
    # the old shares no longer unseal: they belong to the previous split
    for i in range(3):
        expect_error(ward(env, "operator", "unseal", stdin=keys[i] + "\n"), "share_mismatch",
                     "old share %d" % (i + 1))
    expect(ward(env, "status"), 2, "old shares leave Ward sealed")
    expect(ward(env, "operator", "unseal", "-reset"), 0, "reset after old shares")
    for i in (3, 0):
        unseal(env, new[i], "new share %d" % (i + 1))
    rows = table(unseal(env, new[2], "new share 3"))
    check(rows["Sealed"] == "false", "new shares unseal", rows)


def test_configured(tmp):
    tls = make_tls(tmp)
    port = free_port()
    cfg = os.path.join(tmp, "ward.conf")
    with open(cfg, "w") as f:
        f.write("[listener]\naddress = 127.0.0.1:%d\ntls_cert_file = %s\ntls_key_file = %s\n\n"
                "[storage]\ntype = sqlite\npath = %s\n"
                % (port, tls["server"], tls["server-key"], os.path.join(tmp, "ward.db")))
    srv = Server(["-config=" + cfg], os.path.join(tmp, "server.log"))
    try:
        env = clean_env(WARD_ADDR="https://127.0.0.1:%d" % port, WARD_CACERT=tls["ca"])
        wait_ready(env, srv)
        test_usage(env)
        keys = test_lifecycle(env)
        test_rotate(env)
        test_rekey(env, keys)
    except Failure as e:
        raise Failure("%s\n    server log: %s" % (e, srv.tail()))
    finally:
        rc = srv.stop()
    check(rc == 0, "server exits 0 on SIGTERM (got %s)" % rc, srv.tail())


def main():
    if WARD is None or not os.access(WARD, os.X_OK):
        print("usage: test_cli.py PATH/TO/ward", file=sys.stderr)
        return 1
    failed = 0
    for name, fn in (("dev server", test_dev), ("configured server", test_configured)):
        with tempfile.TemporaryDirectory(prefix="ward-cli-") as tmp:
            try:
                fn(tmp)
                print("ok   %s" % name)
            except (Failure, subprocess.TimeoutExpired, OSError, KeyError) as e:
                failed += 1
                print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
