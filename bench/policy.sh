#!/usr/bin/env bash
# bench/policy.sh - transit encrypt over HTTPS with a policy-checked
# non-root token vs the root token, in the same run on the same server
# (target ratio >= 0.95).
#
#   POST /v1/transit/encrypt/bench (aes256-gcm96, 1 KiB plaintext), wrk 2
#   threads x 16 connections, keep-alive. The non-root token is a signed
#   token (HMAC-checked on every request, no storage read) holding the
#   "default" policy and one that grants update on transit/encrypt/bench
#   among a few other paths, so the check walks globs as a real policy
#   would. Root and non-root alternate ROUNDS times; each side reports its
#   median, so drift on the two shared cores hits both.
# usage: bench/policy.sh [SECONDS per run, default 10] [ROUNDS, default 3]   (BUILD_DIR=build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-3}
build=${BUILD_DIR:-build}
. bench/lib.sh
bench_init

port_ward=18240
start_ward $port_ward
addr=https://127.0.0.1:$port_ward
api() { # api METHOD PATH [BODY] -> the answer's body
    curl -sf --cacert "$cert" -H "X-Vault-Token: $token" -X "$1" ${3:+-d "$3"} "$addr/v1/$2"
}
api POST transit/keys/bench '{}' >/dev/null
api PUT sys/policies/acl/app '{"policy":"{\"path\":{\"secret/data/app/*\":{\"capabilities\":[\"read\"]},\"transit/decrypt/bench\":{\"capabilities\":[\"update\"]},\"transit/encrypt/bench\":{\"capabilities\":[\"update\"]},\"transit/keys/*\":{\"capabilities\":[\"read\"]}}}"}' >/dev/null
app=$(api POST auth/token/create '{"policies":["app"]}' | sed 's/.*"client_token":"\([^"]*\)".*/\1/')
encrypt_lua "$tmp/root.lua" "$token"
encrypt_lua "$tmp/app.lua" "$app"

echo "== bench/policy.sh ($(date -u +%FT%TZ), $(nproc) cores, ${secs}s per run, $rounds rounds)"
root=() pol=()
for r in $(seq "$rounds"); do
    read -r rps p99 <<<"$(wrk_run "$addr/v1/transit/encrypt/bench" 2 16 "$tmp/root.lua")"
    root+=("$rps")
    read -r rps2 p992 <<<"$(wrk_run "$addr/v1/transit/encrypt/bench" 2 16 "$tmp/app.lua")"
    pol+=("$rps2")
    echo "round $r: root $rps req/s (p99 $p99 ms), policy $rps2 req/s (p99 $p992 ms)"
done
m_root=$(printf '%s\n' "${root[@]}" | median)
m_pol=$(printf '%s\n' "${pol[@]}" | median)
printf '%-44s %12s %12s %7s\n' case policy root ratio
printf '%-44s %12s %12s %7s\n' "encrypt 1 KiB 2t x 16c, non-root vs root" "$m_pol" "$m_root" \
    "$(ratio "$m_pol" "$m_root")"
