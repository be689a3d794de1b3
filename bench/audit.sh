#!/usr/bin/env bash
# bench/audit.sh - transit encrypt over HTTPS with the file audit device on
# vs off, in the same run on the same server (target ratio >= 0.85).
#
#   POST /v1/transit/encrypt/bench (aes256-gcm96, 1 KiB plaintext), wrk
#   2 threads x 16 connections, keep-alive. Off and on alternate ROUNDS
#   times (the device is enabled and disabled between runs through
#   sys/audit) and each side reports its median, so drift on the two shared
#   cores hits both. On: two records per request (request before the
#   handler, response after), each one write() on an O_APPEND file in $tmp,
#   fdatasync at most once a second.
# usage: bench/audit.sh [SECONDS per run, default 10] [ROUNDS, default 3]   (BUILD_DIR=build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-3}
build=${BUILD_DIR:-build}
. bench/lib.sh
bench_init

port_ward=18230
start_ward $port_ward
addr=https://127.0.0.1:$port_ward
auth=(-H "X-Vault-Token: $token")
api() { # api METHOD PATH [BODY]
    curl -sf --cacert "$cert" "${auth[@]}" -X "$1" ${3:+-d "$3"} "$addr/v1/$2" >/dev/null
}
api POST transit/keys/bench '{}'

encrypt_lua "$tmp/enc.lua" "$token"

echo "== bench/audit.sh ($(date -u +%FT%TZ), $(nproc) cores, ${secs}s per run, $rounds rounds)"
off=() on=() off_p99=() on_p99=()
for r in $(seq "$rounds"); do
    read -r rps p99 <<<"$(wrk_run "$addr/v1/transit/encrypt/bench" 2 16 "$tmp/enc.lua")"
    off+=("$rps") off_p99+=("$p99")
    api PUT sys/audit/bench "{\"type\":\"file\",\"options\":{\"file_path\":\"${AUDIT_DIR:-$tmp}/audit.log\"}}"
    read -r rps p99 <<<"$(wrk_run "$addr/v1/transit/encrypt/bench" 2 16 "$tmp/enc.lua")"
    on+=("$rps") on_p99+=("$p99")
    api DELETE sys/audit/bench
    echo "round $r: off ${off[-1]} req/s (p99 ${off_p99[-1]} ms), on ${on[-1]} req/s (p99 ${on_p99[-1]} ms)"
done
m_off=$(printf '%s\n' "${off[@]}" | median)
m_on=$(printf '%s\n' "${on[@]}" | median)
printf '%-40s %12s %12s %7s\n' case audit_on audit_off ratio
printf '%-40s %12s %12s %7s\n' "encrypt 1 KiB 2t x 16c, file device" "$m_on" "$m_off" \
    "$(ratio "$m_on" "$m_off")"
log=${AUDIT_DIR:-$tmp}/audit.log
echo "records written: $(wc -l <"$log") lines, $(du -h "$log" | cut -f1)"
