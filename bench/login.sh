#!/usr/bin/env bash
# bench/login.sh - userpass logins over HTTPS as a ratio to raw Argon2id
# hashes per second at the same cost, both measured in the same run on the
# same machine.
#
#   logins: POST /v1/auth/userpass/login/bench {"password": ...} against a
#           dev `ward server` (one user, the right password: each answer is a
#           new token), wrk 2 threads x 16 connections, keep-alive.
#   baseline: bench_login, Argon2id at userpass's cost (printed: passes,
#           memory, lanes) hashed in process on as many threads as cores.
#   A login is one Argon2id plus a barrier read, a token issue and TLS; the
#   ratio is the share of the machine's hashing capacity that reaches
#   clients as logins (1.00: the server adds nothing).
# usage: bench/login.sh [SECONDS per run, default 10]   (BUILD_DIR=build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
build=${BUILD_DIR:-build}
. bench/lib.sh
bench_init

port_ward=18250
start_ward $port_ward
addr=https://127.0.0.1:$port_ward
pw=bench-login-password-0123456789

curl -sf --cacert "$cert" -H "X-Vault-Token: $token" -d '{"type":"userpass"}' \
    "$addr/v1/sys/auth/userpass" >/dev/null
curl -sf --cacert "$cert" -H "X-Vault-Token: $token" -d "{\"password\":\"$pw\"}" \
    "$addr/v1/auth/userpass/users/bench" >/dev/null
curl -sf --cacert "$cert" -d "{\"password\":\"$pw\"}" \
    "$addr/v1/auth/userpass/login/bench" | grep -q client_token

cat >"$tmp/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"password":"$pw"}'
wrk.headers["Content-Type"] = "application/json"
LUA

echo "== bench/login.sh ($(date -u +%FT%TZ), $(nproc) cores, ${secs}s per run)"
"$build/bench/bench_login" "$secs" >"$tmp/base.out"
head -1 "$tmp/base.out"
base1=$(awk '$2 == 1 {print $4}' "$tmp/base.out")
basen=$(awk 'NR == 3 {print $4}' "$tmp/base.out")
read -r lr lp <<<"$(wrk_run "$addr/v1/auth/userpass/login/bench" 2 16 "$tmp/login.lua")"
printf '%-34s %10s %12s %7s %10s\n' case logins_s hashes_s ratio p99_ms
printf '%-34s %10s %12s %7s %10s\n' "userpass login 2t x 16c" "$lr" "$basen" \
    "$(ratio "$lr" "$basen")" "$lp"
echo "argon2id in process on 1 thread: $base1 hashes/s; again after the run: $(
    "$build/bench/bench_login" 3 | awk 'NR == 3 {print $4}') hashes/s on $(nproc) threads"
