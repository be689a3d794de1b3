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
ward=$build/src/cli/ward
tmp=$(mktemp -d)
ward_pid=""
nginx_pid=""
cleanup() {
    [ -n "$ward_pid" ] && kill "$ward_pid" 2>/dev/null && wait "$ward_pid" 2>/dev/null
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

port_ward=18200
port_nginx=18443
"$ward" server -dev -dev-listen-address=127.0.0.1:$port_ward -dev-data-dir="$tmp/ward" \
    >"$tmp/ward.log" 2>&1 &
ward_pid=$!
for _ in $(seq 100); do grep -q 'export WARD_TOKEN' "$tmp/ward.log" && break; sleep 0.1; done
cert=$tmp/ward/tls/server.pem
key=$tmp/ward/tls/server-key.pem
health='{"initialized":true,"sealed":false,"standby":false}'

mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx;
    server {
        listen 127.0.0.1:$port_nginx ssl;
        ssl_certificate $cert;
        ssl_certificate_key $key;
        ssl_protocols TLSv1.2 TLSv1.3;
        keepalive_requests 1000000;
        location / { default_type application/json; return 200 '$health'; }
    }
}
CONF
nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
sleep 0.5

pad=$(head -c 1000 /dev/zero | tr '\0' 'x')
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"reset":true,"pad":"$pad"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# run URL THREADS CONNS [LUA] -> "req/s p99_ms"
run() {
    local args=(-t"$2" -c"$3" -d"${secs}s" --latency)
    [ -n "${4:-}" ] && args+=(-s "$4")
    wrk "${args[@]}" "$1" >"$tmp/wrk.out" 2>&1
    local rps p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$tmp/wrk.out")
    echo "$rps $p99"
}

rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$ward_pid"/status; }

echo "== bench/http.sh ($(date -u +%FT%TZ), $(nproc) cores, ${secs}s per run)"
echo "ward idle RSS: $(rss_kb) KiB"
printf '%-34s %12s %12s %7s %10s %10s %7s\n' case ward_rps nginx_rps ratio ward_p99 nginx_p99 p99x
for tc in "1 1" "2 16"; do
    set -- $tc
    for kind in health post; do
        if [ $kind = health ]; then
            w=$(run "https://127.0.0.1:$port_ward/v1/sys/health" "$1" "$2")
            n=$(run "https://127.0.0.1:$port_nginx/v1/sys/health" "$1" "$2")
        else
            w=$(run "https://127.0.0.1:$port_ward/v1/sys/unseal" "$1" "$2" "$tmp/post.lua")
            n=$(run "https://127.0.0.1:$port_nginx/v1/sys/unseal" "$1" "$2" "$tmp/post.lua")
        fi
        read -r wr wp <<<"$w"
        read -r nr np <<<"$n"
        printf '%-34s %12s %12s %7.2f %10s %10s %7.2f\n' "$kind ${1}t x ${2}c" "$wr" "$nr" \
            "$(echo "$wr / $nr" | bc -l)" "$wp" "$np" "$(echo "$wp / $np" | bc -l)"
    done
done
echo "ward RSS after load: $(rss_kb) KiB"
