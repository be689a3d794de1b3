#!/usr/bin/python3
"""test_cert_auth.py - the cert auth method: TLS client certificates to tokens.

A CA, a second CA and client certificates are made here (python3-
cryptography); `ward server` runs with `tls_request_client_cert = true`, so
it asks every client for a certificate without requiring or judging one.
Debian's python3-hvac creates roles (client.auth.cert.create_ca_certificate_role)
and logs in with cert=(crt, key) as requests does: the right certificate
gets the role's policies; another CA's certificate, a wrong CN, an expired
certificate, a certificate without clientAuth and no certificate at all are
refused with 403; a DNS SAN glob role, the named-role login, read, list and
delete; the role's CA PEM is checked on write.
usage: test_cert_auth.py WARD
"""
import datetime
import os
import shutil
import subprocess
import sys
import tempfile

import hvac
import hvac.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from wardserver import WardServer

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


class Certs:
    """CAs and client certificates in a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ward-certauth-")

    def write(self, name, cert, key=None):
        crt = os.path.join(self.dir, name + ".pem")
        with open(crt, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        if key is None:
            return crt
        kp = os.path.join(self.dir, name + "-key.pem")
        with open(kp, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        return crt, kp

    def ca(self, name):
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(NOW - DAY).not_valid_after(NOW + 10 * DAY)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                             False), critical=True)
                .sign(key, hashes.SHA256()))
        return cert, key

    def client(self, name, ca, cn, dns=(), start=None, end=None, eku=ExtendedKeyUsageOID.CLIENT_AUTH,
               skid=False):
        ca_cert, ca_key = ca
        key = ec.generate_private_key(ec.SECP256R1())
        b = (x509.CertificateBuilder()
             .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Apps")]))
             .issuer_name(ca_cert.subject).public_key(key.public_key())
             .serial_number(x509.random_serial_number())
             .not_valid_before(start or NOW - DAY).not_valid_after(end or NOW + DAY)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.ExtendedKeyUsage([eku]), critical=False))
        if skid:
            b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                critical=False)
        if dns:
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]),
                                critical=False)
        return self.write(name, b.sign(ca_key, hashes.SHA256()), key)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def client(srv, cert=None):
    return hvac.Client(url=srv.addr, verify=srv.cert, cert=cert)


def refused(srv, cert, name="", what=""):
    try:
        client(srv, cert).auth.cert.login(name=name)
    except hvac.exceptions.Forbidden:
        return
    raise AssertionError("login not refused: " + what)


def run(srv, root, certs):
    ca1, ca2 = certs.ca("Ward Test CA 1"), certs.ca("Ward Test CA 2")
    ca1_pem = ca1[0].public_bytes(serialization.Encoding.PEM).decode()
    ca2_pem = ca2[0].public_bytes(serialization.Encoding.PEM).decode()
    good = certs.client("good", ca1, "app1.example.com", dns=["app1.example.com"], skid=True)
    other_ca = certs.client("otherca", ca2, "app1.example.com")
    wrong_cn = certs.client("wrongcn", ca1, "app2.example.com")
    expired = certs.client("expired", ca1, "app1.example.com", start=NOW - 3 * DAY,
                           end=NOW - DAY)
    server_only = certs.client("serveronly", ca1, "app1.example.com",
                               eku=ExtendedKeyUsageOID.SERVER_AUTH)
    web = certs.client("web", ca1, "svc", dns=["a.web.example.com"])

    root.sys.enable_auth_method("cert", path="cert")
    root.sys.create_or_update_policy(
        name="app-pol", policy={"path": {"secret/data/app/*": {"capabilities": ["read"]}}})
    root.auth.cert.create_ca_certificate_role(
        name="app", certificate=ca1_pem, allowed_common_names="app1.example.com",
        token_policies=["app-pol"], token_ttl=600, token_max_ttl=1200)
    role = root.auth.cert.read_ca_certificate_role("app")["data"]
    check(role["token_ttl"] == 600 and role["token_max_ttl"] == 1200, str(role))
    check(role["allowed_common_names"] == ["app1.example.com"], str(role))
    check(role["certificate"] == ca1_pem and role["token_policies"] == ["app-pol"], str(role))

    c = client(srv, good)
    res = c.auth.cert.login()
    check(c.token == res["auth"]["client_token"] and c.token.startswith("w.s."), str(res))
    check(sorted(res["auth"]["policies"]) == ["app-pol", "default"], str(res["auth"]))
    meta = res["auth"]["metadata"]
    good_cert = x509.load_pem_x509_certificate(open(good[0], "rb").read())
    check(meta["cert_name"] == "app" and meta["common_name"] == "app1.example.com" and
          meta["serial_number"] == str(good_cert.serial_number), str(meta))
    skid = good_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    check(meta["subject_key_id"] == ":".join("%02x" % b for b in skid), str(meta))
    check(meta["authority_key_id"] == "", str(meta))
    check(0 < res["auth"]["lease_duration"] <= 600, str(res["auth"]))
    me = c.auth.token.lookup_self()["data"]
    check(me["display_name"] == "cert-app", me["display_name"])
    check(client(srv, good).auth.cert.login(name="app")["auth"]["client_token"], "named role")
    # Ward's CLI
    res = subprocess.run([srv.exe, "login", "-method=cert", "-address=" + srv.addr,
                          "-ca-cert=" + srv.cert, "-client-cert=" + good[0],
                          "-client-key=" + good[1], "name=app"],
                         capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    check(res.returncode == 0 and b"w.s." in res.stdout, "ward login: %r" % (res,))

    refused(srv, other_ca, what="a certificate of another CA")
    refused(srv, wrong_cn, what="a wrong CN")
    refused(srv, expired, what="an expired certificate")
    refused(srv, server_only, what="a certificate for servers only")
    try:
        client(srv).write("auth/cert/login")  # hvac's login refuses to run without one
        raise AssertionError("login without a certificate not refused")
    except hvac.exceptions.Forbidden:
        pass

    # a second role: the other CA, a DNS SAN glob; login tries roles in name order
    root.auth.cert.create_ca_certificate_role(
        name="web", certificate=ca1_pem + ca2_pem, allowed_dns_sans="*.web.example.com",
        token_policies="app-pol", display_name="Web-Tier")
    c = client(srv, web)
    res = c.auth.cert.login()
    check(res["auth"]["metadata"]["cert_name"] == "web", str(res["auth"]))
    check(c.auth.token.lookup_self()["data"]["display_name"] == "cert-web-tier", "display_name")
    refused(srv, web, name="app", what="the named role does not accept it")
    refused(srv, good, name="nosuchrole", what="an unknown role")
    check(root.auth.cert.list_certificate_roles()["data"]["keys"] == ["app", "web"], "list")

    # constraints and CA are checked on write
    for bad in ({"certificate": "not a pem"}, {"certificate": ca1_pem, "allowed_uri_sans": "x"},
                {"certificate": ca1_pem, "allowed_common_names": ["a"] * 40}, {}):
        try:
            root.write("auth/cert/certs/bad", **bad)
            raise AssertionError("role accepted: %r" % bad)
        except hvac.exceptions.InvalidRequest:
            pass

    root.auth.cert.delete_certificate_role("app")
    refused(srv, good, what="a deleted role")


def main():
    ward = sys.argv[1]
    certs = Certs()
    srv = None
    try:
        srv = WardServer(ward, listener_extra="tls_request_client_cert = true\n")
        root = hvac.Client(url=srv.addr, verify=srv.cert)
        res = root.sys.initialize(secret_shares=1, secret_threshold=1)
        root.sys.submit_unseal_key(res["keys"][0])
        root.token = res["root_token"]
        run(srv, root, certs)
    finally:
        if srv is not None:
            srv.close()
        certs.close()
    print("test_cert_auth: ok")


if __name__ == "__main__":
    main()
