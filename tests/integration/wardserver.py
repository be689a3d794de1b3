"""wardserver.py - start a real `ward server` on 127.0.0.1 for a test.

The server gets its own directory, a fresh certificate made with the openssl
command, a config file and a free port; it is stopped by PID (SIGTERM, then
SIGKILL past a deadline). Every wait is bounded.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cert(directory):
    cert = os.path.join(directory, "server.pem")
    key = os.path.join(directory, "server-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-days", "2"], check=True, capture_output=True, timeout=60)
    return cert, key


class WardServer:
    def __init__(self, ward_exe, extra_config="", storage="sqlite", listener_extra=""):
        self.dir = tempfile.mkdtemp(prefix="ward-srv-")
        self.port = free_port()
        self.cert, self.key = make_cert(self.dir)
        self.addr = "https://127.0.0.1:%d" % self.port
        self.config = os.path.join(self.dir, "ward.conf")
        with open(self.config, "w") as f:
            f.write("[listener]\naddress = 127.0.0.1:%d\ntls_cert_file = %s\n"
                    "tls_key_file = %s\n%s[storage]\ntype = %s\npath = %s\n%s"
                    % (self.port, self.cert, self.key, listener_extra, storage,
                       os.path.join(self.dir, "ward.db"), extra_config))
        self.log = open(os.path.join(self.dir, "server.log"), "w+")
        self.exe = ward_exe
        self.proc = subprocess.Popen([ward_exe, "server", "-config=" + self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_listening()

    def restart(self, timeout=15.0):
        """Stops the server and starts it again on the same directory and port."""
        self.stop(timeout)
        self.proc = subprocess.Popen([self.exe, "server", "-config=" + self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_listening()

    def wait_listening(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("ward server exited: " + self.output())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("ward server did not listen in time: " + self.output())

    def call(self, method, path, token=None, body=None, timeout=60):
        """One request sent as written (http.client: no client tidies the path or body);
        returns (status, decoded JSON body or {})."""
        ctx = ssl.create_default_context(cafile=self.cert)
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=timeout)
        headers = {"X-Vault-Token": token} if token else {}
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers=headers)
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        try:
            return r.status, json.loads(data) if data else {}
        except ValueError:
            return r.status, {"raw": data.decode(errors="replace")}

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self, timeout=15.0):
        """SIGTERM, wait; returns the exit code (SIGKILL past the deadline)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def close(self):
        self.stop()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
