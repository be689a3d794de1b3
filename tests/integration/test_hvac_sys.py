#!/usr/bin/python3
"""test_hvac_sys.py - Vault's own Python client (Debian's python3-hvac,
unmodified) drives Ward's sys paths over HTTPS.

init, seal-status, unseal (hex and base64 keys, reset), health and its codes,
leader, rekey (init, update, cancel, status), rotate, key-status, seal, metrics,
and the error shapes hvac turns into its exceptions.
usage: test_hvac_sys.py WARD
"""
import os
import sqlite3
import sys
import time

import hvac
import hvac.exceptions
import requests

from wardserver import WardServer


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def wait_all_on_term(db, term, timeout=20.0):
    """The background re-encryption moves every entry to the new term."""
    deadline = time.monotonic() + timeout
    while True:
        con = sqlite3.connect(db)
        rows = [(p, int.from_bytes(v[1:5], "big")) for p, v in
                con.execute("SELECT path, value FROM ward_entries")
                if p not in ("core/seal", "core/keyring")]
        con.close()
        check(rows, "there are entries to re-encrypt")
        if all(t == term for _, t in rows):
            return
        check(time.monotonic() < deadline, "entries still on old terms: %r" % rows)
        time.sleep(0.2)


def main(ward):
    srv = WardServer(ward)
    try:
        c = hvac.Client(url=srv.addr, verify=srv.cert)
        check(c.sys.is_initialized() is False, "fresh server is not initialized")
        check(c.sys.read_health_status(method="GET").status_code == 501, "health 501 uninit")
        res = c.sys.initialize(secret_shares=5, secret_threshold=3)
        check(len(res["keys"]) == 5 and len(res["keys_base64"]) == 5, "five keys")
        root = res["root_token"]
        check(c.sys.is_initialized() is True, "initialized")
        check(c.sys.is_sealed() is True, "starts sealed")
        try:
            c.sys.initialize(secret_shares=1, secret_threshold=1)
            raise AssertionError("second init must fail")
        except hvac.exceptions.InvalidRequest as e:
            check("already initialized" in str(e), "second init message: %s" % e)
        health = c.sys.read_health_status(method="GET")
        check(health.status_code == 503, "health 503 sealed")
        check(health.json()["sealed"] is True, "health body says sealed")
        st = c.sys.submit_unseal_key(res["keys"][0])
        check(st["progress"] == 1 and st["sealed"] and st["t"] == 3 and st["n"] == 5, str(st))
        st = c.sys.submit_unseal_key(reset=True)
        check(st["progress"] == 0, "reset clears progress")
        try:
            c.sys.submit_unseal_key("not-a-share")
            raise AssertionError("malformed share must fail")
        except hvac.exceptions.InvalidRequest as e:
            check("malformed" in str(e), "bad share message: %s" % e)
        st = c.sys.submit_unseal_keys([res["keys"][1], res["keys_base64"][3], res["keys"][4]])
        check(st["sealed"] is False, "unsealed with hex and base64 keys mixed")
        health = c.sys.read_health_status(method="GET")  # hvac returns the body on 200
        check(health["initialized"] and not health["sealed"], "health 200: %r" % health)
        head = c.sys.read_health_status(method="HEAD")
        check(getattr(head, "status_code", 200) == 200, "health HEAD")
        check(c.sys.read_leader_status()["ha_enabled"] is False, "leader")

        c.token = root
        c.sys.rotate_encryption_key()
        check(c.sys.get_encryption_key_status()["term"] == 2, "rotate moved the term")
        wait_all_on_term(os.path.join(srv.dir, "ward.db"), 2)
        metrics = requests.get(srv.addr + "/v1/sys/metrics?format=prometheus",
                               headers={"X-Vault-Token": root}, verify=srv.cert, timeout=10)
        check(metrics.status_code == 200 and "ward_requests_total" in metrics.text, "metrics")

        c.token = None
        try:
            requests.put(srv.addr + "/v1/sys/rotate", verify=srv.cert,
                         timeout=10).raise_for_status()
            raise AssertionError("rotate without a token must fail")
        except requests.HTTPError as e:
            check(e.response.status_code == 403, "403 without token")
            check(e.response.json()["codes"] == ["permission_denied"], "stable code")

        r = c.sys.start_rekey(secret_shares=3, secret_threshold=2)
        nonce = r["nonce"]
        check(r["started"] and r["required"] == 3, str(r))
        check(c.sys.read_rekey_progress()["nonce"] == nonce, "rekey status")
        c.sys.cancel_rekey()
        check(c.sys.read_rekey_progress()["started"] is False, "rekey cancelled")
        nonce = c.sys.start_rekey(secret_shares=3, secret_threshold=2)["nonce"]
        out = c.sys.rekey_multi(res["keys"][:3], nonce=nonce)
        check(out["complete"] is True and len(out["keys"]) == 3, "rekey complete")

        c.token = root
        c.sys.seal()
        check(c.sys.is_sealed() is True, "sealed by request")
        try:
            c.sys.submit_unseal_key(res["keys"][0])
            raise AssertionError("old keys must not unseal after rekey")
        except hvac.exceptions.InvalidRequest as e:
            check("different initialization" in str(e), "old share message: %s" % e)
        st = c.sys.submit_unseal_keys(out["keys_base64"][:2])
        check(st["sealed"] is False, "new keys unseal")
        check(srv.stop() == 0, "SIGTERM exits 0")
        print("hvac sys: all calls behaved as Vault's")
    except Exception:
        print(srv.output()[-4000:])
        raise
    finally:
        srv.close()


if __name__ == "__main__":
    main(sys.argv[1])
