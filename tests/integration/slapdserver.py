"""slapdserver.py - a real OpenLDAP slapd on 127.0.0.1 for a test.

Everything lives in one temporary directory: a CA and a server certificate
made with the openssl command (the server's names 127.0.0.1 and localhost),
a slapd.conf (mdb backend, TLS for StartTLS and ldaps), the directory's
entries loaded with slapadd before start. slapd runs in the foreground
(-d 0) on free loopback ports and is stopped by PID (SIGTERM, then SIGKILL
past a deadline). Every wait is bounded.

Entries (suffix dc=simpsons,dc=test):
  cn=ward,ou=svc          the service account Ward binds as (bind_password)
  ou=people: homer, marge, bart (uid; cn is the same name)
  ou=groups: groupOfNames "simpsons" (homer, marge, bart), posixGroup
             "admins" (memberUid homer), groupOfNames "kids" (bart)
  ou=plant: burns, homer (a second homer with another password)
  ou=plantgroups: groupOfNames "owners" (burns), posixGroup "safety" (homer)
Anonymous clients may bind only: searches need the service account, which
may also read slapd's monitor backend (counters(): binds, searches,
connections), so a test can see what Ward sent.
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SUFFIX = "dc=simpsons,dc=test"
SERVICE_DN = "cn=ward,ou=svc," + SUFFIX
SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"

PASSWORDS = {
    "homer": "Doh-homer-1",
    "marge": "Blue-hair-2",
    "bart": "Eat-my-shorts-3",
    "burns": "Excellent-4",
    "plant-homer": "Safety-first-5",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, timeout=60, **kw)


def make_ca(directory, name):
    """A self-signed CA: returns (cert path, key path)."""
    cert = os.path.join(directory, name + ".pem")
    key = os.path.join(directory, name + "-key.pem")
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=" + name, "-days", "2",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    return cert, key


def make_server_cert(directory, ca_cert, ca_key):
    cert = os.path.join(directory, "server.pem")
    key = os.path.join(directory, "server-key.pem")
    csr = os.path.join(directory, "server.csr")
    ext = os.path.join(directory, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n"
                "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"])
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key,
         "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext])
    os.chmod(key, 0o600)
    return cert, key


def person(uid, ou, password):
    return ("dn: uid=%s,ou=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\n"
            "userPassword: %s\n\n" % (uid, ou, SUFFIX, uid, uid, uid, password))


def group_of_names(name, ou, members):
    text = "dn: cn=%s,ou=%s,%s\nobjectClass: groupOfNames\ncn: %s\n" % (name, ou, SUFFIX, name)
    for uid, mou in members:
        text += "member: uid=%s,ou=%s,%s\n" % (uid, mou, SUFFIX)
    return text + "\n"


def posix_group(name, ou, gid, uids):
    text = ("dn: cn=%s,ou=%s,%s\nobjectClass: posixGroup\ncn: %s\ngidNumber: %d\n"
            % (name, ou, SUFFIX, name, gid))
    for uid in uids:
        text += "memberUid: %s\n" % uid
    return text + "\n"


def directory_ldif(bind_password):
    text = ("dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: simpsons\n"
            "o: Simpsons\n\n" % SUFFIX)
    for ou in ("svc", "people", "groups", "plant", "plantgroups"):
        text += "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n" % (ou, SUFFIX, ou)
    text += ("dn: %s\nobjectClass: person\nobjectClass: simpleSecurityObject\ncn: ward\n"
             "sn: ward\nuserPassword: %s\n\n" % (SERVICE_DN, bind_password))
    for uid in ("homer", "marge", "bart"):
        text += person(uid, "people", PASSWORDS[uid])
    text += group_of_names("simpsons", "groups",
                           [("homer", "people"), ("marge", "people"), ("bart", "people")])
    text += posix_group("admins", "groups", 5000, ["homer"])
    text += group_of_names("kids", "groups", [("bart", "people")])
    text += person("burns", "plant", PASSWORDS["burns"])
    text += person("homer", "plant", PASSWORDS["plant-homer"])
    text += group_of_names("owners", "plantgroups", [("burns", "plant")])
    text += posix_group("safety", "plantgroups", 6000, ["homer"])
    return text


class Slapd:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ward-slapd-")
        os.chmod(self.dir, 0o700)
        self.port = free_port()
        self.tls_port = free_port()
        self.url = "ldap://127.0.0.1:%d" % self.port
        self.ldaps_url = "ldaps://127.0.0.1:%d" % self.tls_port
        self.bind_password = "svc-" + secrets.token_hex(12)
        self.ca_cert, ca_key = make_ca(self.dir, "ldap-ca")
        self.wrong_ca_cert, _ = make_ca(self.dir, "wrong-ca")
        cert, key = make_server_cert(self.dir, self.ca_cert, ca_key)
        with open(self.ca_cert) as f:
            self.ca_pem = f.read()
        with open(self.wrong_ca_cert) as f:
            self.wrong_ca_pem = f.read()
        db = os.path.join(self.dir, "db")
        os.mkdir(db, 0o700)
        self.conf = os.path.join(self.dir, "slapd.conf")
        with open(self.conf, "w") as f:
            f.write(self.config_text(db, cert, key))
        ldif = os.path.join(self.dir, "data.ldif")
        with open(ldif, "w") as f:
            f.write(directory_ldif(self.bind_password))
        run([SLAPADD, "-f", self.conf, "-l", ldif])
        os.unlink(ldif)
        self.log = open(os.path.join(self.dir, "slapd.log"), "w+")
        self.proc = None
        self.start()

    def config_text(self, db, cert, key):
        schema = "/etc/ldap/schema/"
        text = "".join("include %s%s.schema\n" % (schema, s)
                       for s in ("core", "cosine", "nis", "inetorgperson"))
        return text + (
            "pidfile %s\nargsfile %s\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
            "TLSCACertificateFile %s\nTLSCertificateFile %s\nTLSCertificateKeyFile %s\n"
            "database mdb\nmaxsize 10485760\nsuffix \"%s\"\ndirectory %s\n"
            "access to attrs=userPassword by anonymous auth by * none\n"
            "access to * by users read by * none\n"
            "database monitor\n"
            "access to dn.subtree=\"cn=Monitor\" by dn.exact=\"%s\" read by * none\n"
            % (os.path.join(self.dir, "slapd.pid"), os.path.join(self.dir, "slapd.args"),
               self.ca_cert, cert, key, SUFFIX, db, SERVICE_DN))

    def start(self):
        self.proc = subprocess.Popen(
            [SLAPD, "-d", "0", "-f", self.conf,
             "-h", "%s/ %s/" % (self.url, self.ldaps_url)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("slapd exited: " + self.output())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("slapd did not listen in time: " + self.output())

    def counters(self):
        """slapd's own counts (the monitor backend, read over StartTLS as the service
        account): completed binds and searches, connections ever accepted. The read
        itself adds one connection, one bind and one search."""
        pwfile = os.path.join(self.dir, "svc.pw")
        if not os.path.exists(pwfile):
            fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(self.bind_password)
        res = run(["ldapsearch", "-LLL", "-x", "-ZZ", "-H", self.url, "-D", SERVICE_DN,
                   "-y", pwfile, "-b", "cn=Monitor", "(|(cn=Bind)(cn=Search)(cn=Total))",
                   "monitorOpCompleted", "monitorCounter"],
                  env=dict(os.environ, LDAPTLS_CACERT=self.ca_cert), text=True)
        out, dn = {}, None
        for line in res.stdout.splitlines():
            if line.startswith("dn: "):
                dn = line[4:].lower()
            elif line.startswith(("monitorOpCompleted: ", "monitorCounter: ")) and dn:
                key = {"cn=bind,cn=operations,cn=monitor": "binds",
                       "cn=search,cn=operations,cn=monitor": "searches",
                       "cn=total,cn=connections,cn=monitor": "connections"}.get(dn)
                if key:
                    out[key] = int(line.split(": ", 1)[1])
        if set(out) != {"binds", "searches", "connections"}:
            raise RuntimeError("slapd monitor: " + res.stdout)
        return out

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self, timeout=15.0):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def close(self):
        self.stop()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
