#!/usr/bin/env bash
# bench/http.sh - Ward's HTTPS front vs nginx serving a static 200 JSON body
# over the same certificate, both driven by wrk with keep-alive, in one run.
#
# Figures: req/s and p99 for GET /v1/sys/health and for a POST with a 1 KiB
# JSON body, at 1 thread x 1 connection and 2 threads x 16 connections, as
# Ward/nginx ratios; Ward's RSS idle and under load.
# usage: bench/http.sh [SECONDS per run, default 10]   (BUILD_DIR=build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
build=${BUILD_DIR:-build}
. bench/lib.sh
bench_init

port_ward=18200
port_nginx=18443
start_ward $port_ward
start_nginx $port_nginx '{"initialized":true,"sealed":false,"standby":false}'

pad=$(head -c 1000 /dev/zero | tr '\0' 'x')
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"reset":true,"pad":"$pad"}'
wrk.headers["Content-Type"] = "application/json"
LUA

rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$ward_pid"/status; }

echo "== bench/http.sh ($(date -u +%FT%TZ), $(nproc) cores, ${secs}s per run)"
echo "ward idle RSS: $(rss_kb) KiB"
printf '%-34s %12s %12s %7s %10s %10s %7s\n' case ward_rps nginx_rps ratio ward_p99 nginx_p99 p99x
for tc in "1 1" "2 16"; do
    set -- $tc
    for kind in health post; do
        if [ $kind = health ]; then
            w=$(wrk_run "https://127.0.0.1:$port_ward/v1/sys/health" "$1" "$2")
            n=$(wrk_run "https://127.0.0.1:$port_nginx/v1/sys/health" "$1" "$2")
        else
            w=$(wrk_run "https://127.0.0.1:$port_ward/v1/sys/unseal" "$1" "$2" "$tmp/post.lua")
            n=$(wrk_run "https://127.0.0.1:$port_nginx/v1/sys/unseal" "$1" "$2" "$tmp/post.lua")
        fi
        read -r wr wp <<<"$w"
        read -r nr np <<<"$n"
        printf '%-34s %12s %12s %7s %10s %10s %7s\n' "$kind ${1}t x ${2}c" "$wr" "$nr" \
            "$(ratio "$wr" "$nr")" "$wp" "$np" "$(ratio "$wp" "$np")"
    done
done
echo "ward RSS after load: $(rss_kb) KiB"
