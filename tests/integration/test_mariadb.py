#!/usr/bin/python3
"""test_mariadb.py - MariaDB's hashicorp_key_management plugin (Debian's
mariadb-plugin-hashicorp-key-management, unmodified) takes its InnoDB
encryption keys from a real `ward server`'s KV v2 mount, as it would from
Vault.

A 32-byte key is written at secret/data/1 in the plugin's format
({"data": "<hex>"}); a real mariadbd, run as this user in a temporary
datadir on a unix socket (no TCP), loads the plugin against Ward with
FORCE, so it refuses to start if the plugin cannot read its keys (the
plugin checks the mount's KV version at sys/mounts/secret/tune first).
An ENCRYPTED=YES table and, as a control, an ENCRYPTED=NO table receive
rows with a marker; the key is rotated by writing version 2 of secret 1;
InnoDB's rotation threads re-encrypt the table's pages with it; mariadbd is
restarted and reads every row back (the redo log is still encrypted with
key version 1, so the restart needs Ward to serve secret 1 by ?version=1). On disk, the marker is absent from the encrypted
table's .ibd and from the (encrypted) redo log, and present in the control
table's .ibd. Last, with Ward sealed, mariadbd refuses to start.

Every wait is bounded, every process is stopped by its PID, everything
listens on 127.0.0.1 or a unix socket, and the temporary directories are
removed. A missing mariadbd or plugin is a failure, not a skip.
usage: test_mariadb.py WARD
"""
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import hvac
import requests

from wardserver import WardServer

MARKER = "ward-mariadb-marker-7f3c"
PLUGIN = "/usr/lib/mysql/plugin/hashicorp_key_management.so"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def find_exe(*names):
    for n in names:
        path = shutil.which(n, path=os.environ.get("PATH", "") + ":/usr/sbin:/usr/bin")
        if path:
            return path
    raise AssertionError("none of %s is installed (scripts/deps.sh installs mariadb-server)"
                         % ", ".join(names))


def put_key(srv, token, hex_key):
    r = requests.post(srv.addr + "/v1/secret/data/1", verify=srv.cert, timeout=30,
                      headers={"X-Vault-Token": token}, json={"data": {"data": hex_key}})
    check(r.status_code == 200, "write key: %d %s" % (r.status_code, r.text))
    return r.json()["data"]["version"]


class MariaDB:
    """A mariadbd of our own: temp datadir, unix socket only, stopped by PID."""

    def __init__(self, srv, token):
        self.dir = tempfile.mkdtemp(prefix="ward-mariadb-")
        self.datadir = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "mysql.sock")
        self.errlog = os.path.join(self.dir, "error.log")
        self.srv = srv
        self.token = token
        self.proc = None
        self.mariadbd = find_exe("mariadbd", "mysqld")
        self.client = find_exe("mariadb", "mysql")
        check(os.path.exists(PLUGIN), PLUGIN + " is not installed "
              "(scripts/deps.sh installs mariadb-plugin-hashicorp-key-management)")
        install = find_exe("mariadb-install-db", "mysql_install_db")
        res = subprocess.run([install, "--no-defaults", "--datadir=" + self.datadir,
                              "--user=" + self.os_user(), "--auth-root-authentication-method=normal",
                              "--skip-test-db", "--innodb-buffer-pool-size=16M"],
                             capture_output=True, text=True, timeout=180)
        check(res.returncode == 0, "mariadb-install-db: %s%s" % (res.stdout, res.stderr))

    @staticmethod
    def os_user():
        import pwd
        return pwd.getpwuid(os.getuid()).pw_name

    def args(self, token=None):
        return [self.mariadbd, "--no-defaults", "--user=" + self.os_user(),
                "--datadir=" + self.datadir, "--socket=" + self.sock, "--skip-networking",
                "--pid-file=" + os.path.join(self.dir, "mariadbd.pid"),
                "--log-error=" + self.errlog, "--innodb-buffer-pool-size=32M",
                "--innodb-log-file-size=16M", "--skip-log-bin",
                "--plugin-dir=" + os.path.dirname(PLUGIN),
                "--plugin-load-add=hashicorp_key_management",
                "--hashicorp-key-management=FORCE",
                "--hashicorp-key-management-vault-url=%s/v1/secret" % self.srv.addr,
                "--hashicorp-key-management-token=" + (token or self.token),
                "--hashicorp-key-management-vault-ca=" + self.srv.cert,
                "--hashicorp-key-management-timeout=10",
                "--hashicorp-key-management-max-retries=1",
                # no cached key versions: a rotation in Ward is seen at once
                "--hashicorp-key-management-cache-timeout=0",
                "--hashicorp-key-management-cache-version-timeout=0",
                "--innodb-encrypt-tables=ON", "--innodb-encrypt-log=ON",
                "--innodb-encryption-threads=1", "--innodb-encryption-rotate-key-age=1"]

    def start(self, timeout=90.0):
        """Starts mariadbd; returns None once it answers, or its exit code."""
        self.errlog_pos = os.path.getsize(self.errlog) if os.path.exists(self.errlog) else 0
        self.proc = subprocess.Popen(self.args(), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return self.proc.returncode
            if os.path.exists(self.sock):
                res = subprocess.run([self.client, "--no-defaults", "-uroot", "-S", self.sock,
                                      "-e", "SELECT 1"], capture_output=True, timeout=30)
                if res.returncode == 0:
                    return None
            time.sleep(0.2)
        raise AssertionError("mariadbd did not answer in %d s: %s" % (timeout, self.log()))

    def log(self):
        try:
            with open(self.errlog, errors="replace") as f:
                f.seek(getattr(self, "errlog_pos", 0))
                return f.read()[-6000:]
        except OSError:
            return "(no error log)"

    def sql(self, statements, timeout=60):
        res = subprocess.run([self.client, "--no-defaults", "-uroot", "-S", self.sock, "-N",
                              "-B", "-e", statements], capture_output=True, text=True,
                             timeout=timeout)
        check(res.returncode == 0, "SQL %r: %s%s" % (statements[:200], res.stdout, res.stderr))
        return [line.split("\t") for line in res.stdout.splitlines()]

    def stop(self, timeout=60.0):
        """SIGTERM (a clean shutdown flushes every page), SIGKILL past the deadline."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        return self.proc.returncode

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def file_has(self, rel, needle):
        with open(os.path.join(self.datadir, rel), "rb") as f:
            return needle.encode() in f.read()


def rows(db, table):
    return db.sql("SELECT id, v FROM t.%s ORDER BY id" % table)


def key_versions(db):
    got = db.sql("SELECT MIN_KEY_VERSION, CURRENT_KEY_VERSION FROM "
                 "information_schema.INNODB_TABLESPACES_ENCRYPTION WHERE NAME = 't/enc'")
    check(len(got) == 1, "t/enc is an encrypted tablespace: %r" % got)
    return int(got[0][0]), int(got[0][1])


def wait_key_version(db, min_version, current, timeout=60.0):
    """Until every page of t/enc is at min_version or later and InnoDB knows
    the key's latest version is current."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = key_versions(db)
        if got[0] >= min_version and got[1] == current:
            return
        time.sleep(0.25)
    raise AssertionError("t/enc (min, current) key versions %r, want >= %d, %d\n%s"
                         % (got, min_version, current, db.log()))


def scenario(srv, token, db):
    check(put_key(srv, token, secrets.token_hex(32)) == 1, "first key version is 1")
    rc = db.start()
    check(rc is None, "mariadbd exited %s: %s" % (rc, db.log()))
    plugin = db.sql("SELECT PLUGIN_STATUS FROM information_schema.PLUGINS "
                    "WHERE PLUGIN_NAME = 'hashicorp_key_management'")
    check(plugin == [["ACTIVE"]], "plugin active: %r" % plugin)
    db.sql("CREATE DATABASE t; "
           "CREATE TABLE t.enc (id INT PRIMARY KEY, v VARCHAR(200)) ENGINE=InnoDB "
           "ENCRYPTED=YES ENCRYPTION_KEY_ID=1; "
           "CREATE TABLE t.plain (id INT PRIMARY KEY, v VARCHAR(200)) ENGINE=InnoDB "
           "ENCRYPTED=NO;")
    for i in range(1, 51):
        db.sql("INSERT INTO t.enc VALUES (%d, '%s-%d'); INSERT INTO t.plain VALUES (%d, '%s-%d')"
               % (i, MARKER, i, i, MARKER, i))
    want = [[str(i), "%s-%d" % (MARKER, i)] for i in range(1, 51)]
    check(rows(db, "enc") == want, "encrypted rows read back")
    check(rows(db, "plain") == want, "plain rows read back")
    wait_key_version(db, 1, current=1)

    # rotation: versions 2 and 3 of secret 1. The plugin sees each at once (no
    # cache); InnoDB writes new pages with the latest version and its rotation
    # thread re-encrypts pages more than rotate_key_age (1) versions old.
    check(put_key(srv, token, secrets.token_hex(32)) == 2, "rotated key is version 2")
    wait_key_version(db, 1, current=2)
    for i in range(51, 61):
        db.sql("INSERT INTO t.enc VALUES (%d, '%s-%d')" % (i, MARKER, i))
    want += [[str(i), "%s-%d" % (MARKER, i)] for i in range(51, 61)]
    check(rows(db, "enc") == want, "rows read back after the rotation")
    check(put_key(srv, token, secrets.token_hex(32)) == 3, "rotated key is version 3")
    wait_key_version(db, 2, current=3)
    check(rows(db, "enc") == want, "rows read back after the re-encryption")

    check(db.stop() == 0, "mariadbd clean shutdown: %s" % db.log())
    # the shutdown flushed every page: check the files at rest
    check(db.file_has("t/plain.ibd", MARKER), "control: the unencrypted .ibd holds the marker")
    check(not db.file_has("t/enc.ibd", MARKER), "the encrypted .ibd holds the marker in clear")
    check(not db.file_has("ib_logfile0", MARKER), "the encrypted redo log holds the marker")

    rc = db.start()
    check(rc is None, "mariadbd restart exited %s: %s" % (rc, db.log()))
    check("Key not found" not in db.log(), "the plugin found every key version: " + db.log())
    check(rows(db, "enc") == want, "encrypted rows after the restart")
    check(rows(db, "plain") == want[:50], "plain rows after the restart")
    info = key_versions(db)
    check(info[0] >= 2 and info[1] == 3, "t/enc's key versions after the restart: %r" % (info,))
    check(db.stop() == 0, "mariadbd clean shutdown: %s" % db.log())


def sealed_refusal(srv, token, db):
    """With Ward sealed, the plugin gets no key: mariadbd (FORCE) must not start."""
    r = requests.put(srv.addr + "/v1/sys/seal", verify=srv.cert, timeout=30,
                     headers={"X-Vault-Token": token})
    check(r.status_code == 204, "seal: %d %s" % (r.status_code, r.text))
    rc = db.start()
    check(rc is not None and rc != 0, "mariadbd started against a sealed Ward")
    check("hashicorp" in db.log(), "the plugin's refusal is logged: %s" % db.log())


def main(ward):
    srv = WardServer(ward)
    db = None
    try:
        c = hvac.Client(url=srv.addr, verify=srv.cert)
        res = c.sys.initialize(secret_shares=1, secret_threshold=1)
        c.sys.submit_unseal_key(res["keys"][0])
        token = res["root_token"]
        db = MariaDB(srv, token)
        scenario(srv, token, db)
        sealed_refusal(srv, token, db)
        out = srv.output()
        check(not re.search(r"status=404\b", out),
              "Ward answered 404 to the plugin:\n" + out[-4000:])
        check(srv.stop() == 0, "SIGTERM exits 0")
        print("mariadb: InnoDB encrypted with keys from Ward, rotated, restarted, at rest")
    except Exception:
        print(srv.output()[-4000:])
        if db is not None:
            print(db.log())
        raise
    finally:
        if db is not None:
            db.close()
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
