#!/usr/bin/env bash
# bench/kv.sh - Ward's KV v2 over HTTPS, each figure as a ratio to a baseline
# measured in the same run on the same machine.
#
#   read:  GET /v1/secret/data/bench (a 256-byte secret) with X-Vault-Token,
#          wrk 2 threads x 16 connections, keep-alive; baseline: nginx (2
#          workers, same certificate, TLS 1.3) returning Ward's answer bytes
#          as a static 200.
#   write: POST /v1/secret/data/bench-w (a 256-byte secret, each a new version
#          committed durably; the 11th and later evict the oldest), wrk 1x1
#          and 2x16; baseline: the sqlite3 CLI inserting 256-byte blobs into a
#          WAL database with synchronous=FULL, one row per transaction, in the
#          same directory (so on the same disk) as the server's database.
# usage: bench/kv.sh [SECONDS per wrk run, default 10]   (BUILD_DIR=build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
build=${BUILD_DIR:-build}
. bench/lib.sh
bench_init

port_ward=18210
port_nginx=18453
start_ward $port_ward
addr=https://127.0.0.1:$port_ward

# the secret's data is {"v":"xxx…"}: 256 bytes of JSON text
value=$(head -c 248 /dev/zero | tr '\0' 'x')
data="{\"data\":{\"v\":\"$value\"}}"
curl -sf --cacert "$cert" -H "X-Vault-Token: $token" -d "$data" \
    "$addr/v1/secret/data/bench" >/dev/null
answer=$(curl -sf --cacert "$cert" -H "X-Vault-Token: $token" "$addr/v1/secret/data/bench")
start_nginx $port_nginx "$answer"

cat >"$tmp/read.lua" <<LUA
wrk.headers["X-Vault-Token"] = "$token"
LUA
cat >"$tmp/write.lua" <<LUA
wrk.method = "POST"
wrk.body = '$data'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Vault-Token"] = "$token"
LUA

# sqlite_rate N -> durable single-row transactions per second
sqlite_rate() {
    local db=$tmp/raw.db t0 t1
    rm -f "$db" "$db-wal" "$db-shm"
    sqlite3 "$db" 'PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);' \
        >/dev/null
    {
        echo 'PRAGMA synchronous=FULL;'
        for _ in $(seq "$1"); do echo 'INSERT INTO t (v) VALUES (randomblob(256));'; done
    } >"$tmp/inserts.sql"
    t0=$(date +%s.%N)
    sqlite3 "$db" <"$tmp/inserts.sql"
    t1=$(date +%s.%N)
    printf '%.0f' "$(echo "$1 / ($t1 - $t0)" | bc -l)"
}

echo "== bench/kv.sh ($(date -u +%FT%TZ), $(nproc) cores, ${secs}s per run)"
printf '%-30s %12s %12s %7s %10s %10s\n' case ward_rps base_rps ratio ward_p99 base_p99
w=$(wrk_run "$addr/v1/secret/data/bench" 2 16 "$tmp/read.lua")
n=$(wrk_run "https://127.0.0.1:$port_nginx/v1/secret/data/bench" 2 16 "$tmp/read.lua")
read -r wr wp <<<"$w"
read -r nr np <<<"$n"
printf '%-30s %12s %12s %7s %10s %10s\n' "read 256 B 2t x 16c (nginx)" "$wr" "$nr" \
    "$(ratio "$wr" "$nr")" "$wp" "$np"
base=$(sqlite_rate 5000)
for tc in "1 1" "2 16"; do
    set -- $tc
    read -r wr wp <<<"$(wrk_run "$addr/v1/secret/data/bench-w" "$1" "$2" "$tmp/write.lua")"
    printf '%-30s %12s %12s %7s %10s %10s\n' "write 256 B ${1}t x ${2}c (sqlite)" "$wr" "$base" \
        "$(ratio "$wr" "$base")" "$wp" "-"
done
echo "sqlite3 baseline after the runs: $(sqlite_rate 5000) tx/s"
