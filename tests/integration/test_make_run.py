#!/usr/bin/python3
"""test_make_run.py - the README's quick start, as a user runs it.

Runs `make run` (with the dev address, data dir and build dir pointed at the
test's own), waits for the export lines, calls the server with exactly what
they say, stops it with Ctrl-C (SIGINT to the process group), then runs it a
second time and checks that it reuses the data dir (same root token).
usage: test_make_run.py REPO_ROOT BUILD_DIR
"""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import requests

from wardserver import free_port


def start(root, build, addr, data):
    env = dict(os.environ, WARD_DEV_ADDR=addr, WARD_DEV_DIR=data, BUILD_DIR=build)
    p = subprocess.Popen(["make", "-s", "-C", root, "run"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    out = b""
    deadline = time.monotonic() + 600
    while b"export WARD_TOKEN=" not in out:
        if time.monotonic() > deadline or p.poll() is not None:
            stop(p)
            raise AssertionError("make run did not print its export lines:\n" + out.decode())
        r, _, _ = select.select([p.stdout], [], [], 1.0)
        if r:
            chunk = os.read(p.stdout.fileno(), 65536)
            out += chunk
    time.sleep(0.2)
    text = out.decode()
    env = dict(re.findall(r"export (WARD_\w+)=(\S+)", text))
    assert set(env) == {"WARD_ADDR", "WARD_CACERT", "WARD_TOKEN"}, text
    assert "Unseal Key: " in text, "the dev unseal key is printed"
    return p, env


def stop(p):
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGINT)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


def call(env):
    h = requests.get(env["WARD_ADDR"] + "/v1/sys/health", verify=env["WARD_CACERT"], timeout=10)
    assert h.status_code == 200 and h.json()["sealed"] is False, h.text
    k = requests.get(env["WARD_ADDR"] + "/v1/sys/key-status", verify=env["WARD_CACERT"],
                     headers={"X-Vault-Token": env["WARD_TOKEN"]}, timeout=10)
    assert k.status_code == 200, k.text


def main(root, build):
    data = tempfile.mkdtemp(prefix="ward-run-")
    addr = "127.0.0.1:%d" % free_port()
    try:
        p, first = start(root, build, addr, data)
        try:
            assert first["WARD_ADDR"] == "https://" + addr
            call(first)
        finally:
            stop(p)
        p, second = start(root, build, addr, data)
        try:
            assert second["WARD_TOKEN"] == first["WARD_TOKEN"], "second run reuses the data dir"
            call(second)
        finally:
            stop(p)
        print("make run: served twice from one data dir, stopped by Ctrl-C")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
