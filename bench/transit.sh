#!/usr/bin/env bash
# bench/transit.sh - Ward's transit engine over HTTPS and in process, each
# figure as a ratio to a baseline measured in the same run on this machine.
#
#   encrypt 1 KiB:  POST /v1/transit/encrypt/bench (aes256-gcm96, managed
#                   ciphertext), wrk 2 threads x 16 connections, keep-alive;
#                   baseline: nginx (2 workers, same certificate) returning
#                   Ward's answer bytes as a static 200.
#   batch encrypt:  100 x 1 KiB items per request, wrk 2x16; items/s per
#                   core (divided by nproc: the server runs one worker per
#                   core, wrk shares them) vs `openssl speed -evp
#                   aes-256-gcm -bytes 1024` on one core.
#   sign P-256:     POST /v1/transit/sign/bench-ec (32-byte input), wrk 2x16,
#                   vs `openssl speed -multi NPROC ecdsap256` sign/s (all
#                   cores, as the server has them).
#   in process:     build/bench/bench_keys (ward_key_encrypt vs raw EVP).
# usage: bench/transit.sh [SECONDS per run, default 10]   (BUILD_DIR=build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
build=${BUILD_DIR:-build}
. bench/lib.sh
bench_init
cores=$(nproc)

port_ward=18220
port_nginx=18463
start_ward $port_ward
addr=https://127.0.0.1:$port_ward
auth=(-H "X-Vault-Token: $token")

curl -sf --cacert "$cert" "${auth[@]}" -d '{}' "$addr/v1/transit/keys/bench" >/dev/null
curl -sf --cacert "$cert" "${auth[@]}" -d '{"type":"ecdsa-p256"}' \
    "$addr/v1/transit/keys/bench-ec" >/dev/null

pt=$(head -c 1024 /dev/zero | tr '\0' 'p' | base64 -w0)
enc_body="{\"plaintext\":\"$pt\"}"
items=$(for _ in $(seq 100); do printf '{"plaintext":"%s"},' "$pt"; done)
batch_body="{\"batch_input\":[${items%,}]}"
sign_body="{\"input\":\"$(head -c 32 /dev/zero | base64 -w0)\"}"
printf '%s' "$batch_body" >"$tmp/batch.json"

answer=$(curl -sf --cacert "$cert" "${auth[@]}" -d "$enc_body" "$addr/v1/transit/encrypt/bench")
start_nginx $port_nginx "$answer"

lua() { # lua FILE BODY_FILE
    cat >"$1" <<LUA
local f = io.open("$2", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Vault-Token"] = "$token"
LUA
}
printf '%s' "$enc_body" >"$tmp/enc.json"
printf '%s' "$sign_body" >"$tmp/sign.json"
lua "$tmp/enc.lua" "$tmp/enc.json"
lua "$tmp/batch.lua" "$tmp/batch.json"
lua "$tmp/sign.lua" "$tmp/sign.json"

echo "== bench/transit.sh ($(date -u +%FT%TZ), $cores cores, ${secs}s per run)"
printf '%-34s %12s %12s %7s %10s %10s\n' case ward base ratio ward_p99 base_p99
read -r wr wp <<<"$(wrk_run "$addr/v1/transit/encrypt/bench" 2 16 "$tmp/enc.lua")"
read -r nr np <<<"$(wrk_run "https://127.0.0.1:$port_nginx/v1/transit/encrypt/bench" 2 16 \
    "$tmp/enc.lua")"
printf '%-34s %12s %12s %7s %10s %10s\n' "encrypt 1 KiB 2t x 16c (nginx)" "$wr" "$nr" \
    "$(ratio "$wr" "$nr")" "$wp" "$np"

gcm=$(openssl speed -mr -seconds "$secs" -bytes 1024 -evp aes-256-gcm 2>/dev/null |
    awk -F: '/^\+F:/ {printf "%.0f", $4 / 1024}')
read -r br bp <<<"$(wrk_run "$addr/v1/transit/encrypt/bench" 2 16 "$tmp/batch.lua")"
per_core=$(printf '%.0f' "$(echo "$br * 100 / $cores" | bc -l)")
printf '%-34s %12s %12s %7s %10s %10s\n' "batch 100x1KiB items/s/core (ossl)" "$per_core" "$gcm" \
    "$(ratio "$per_core" "$gcm")" "$bp" "-"

ecs=$(openssl speed -mr -multi "$cores" -seconds "$secs" ecdsap256 2>/dev/null |
    awk -F: '/^\+F4:/ {v = $4} END {printf "%.0f", v}')
read -r sr sp <<<"$(wrk_run "$addr/v1/transit/sign/bench-ec" 2 16 "$tmp/sign.lua")"
printf '%-34s %12s %12s %7s %10s %10s\n' "sign P-256 2t x 16c (ossl multi)" "$sr" "$ecs" \
    "$(ratio "$sr" "$ecs")" "$sp" "-"

echo "-- in process"
"$build/bench/bench_keys" "$(( secs < 5 ? secs : 5 ))"
