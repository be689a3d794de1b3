# bench/lib.sh - shell shared by the HTTPS benchmarks (http.sh, kv.sh): a dev
# `ward server`, an nginx on the same certificate, wrk runs. Sourced, not run.
#
# The sourcing script sets `secs` (seconds per wrk run) and `build` (the build
# dir) first. bench_init makes $tmp and a trap that stops, by PID, whatever
# the helpers started and removes $tmp.

ward_pid=""
nginx_pid=""

bench_cleanup() {
    [ -n "$ward_pid" ] && kill "$ward_pid" 2>/dev/null && wait "$ward_pid" 2>/dev/null
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
    rm -rf "$tmp"
}

bench_init() {
    tmp=$(mktemp -d)
    trap bench_cleanup EXIT
}

# start_ward PORT: `ward server -dev` (initialised, unsealed) in $tmp/ward;
# sets ward_pid, cert, key and token (the root token).
start_ward() {
    "$build/src/cli/ward" server -dev -dev-listen-address=127.0.0.1:"$1" \
        -dev-data-dir="$tmp/ward" >"$tmp/ward.log" 2>&1 &
    ward_pid=$!
    for _ in $(seq 100); do grep -q 'export WARD_TOKEN' "$tmp/ward.log" && break; sleep 0.1; done
    cert=$tmp/ward/tls/server.pem
    key=$tmp/ward/tls/server-key.pem
    token=$(awk -F= '/export WARD_TOKEN=/ {print $2}' "$tmp/ward.log")
}

# start_nginx PORT BODY: nginx (2 workers, access log off) answering every
# request with 200 and BODY (JSON without single quotes) over $cert.
start_nginx() {
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
        listen 127.0.0.1:$1 ssl;
        ssl_certificate $cert;
        ssl_certificate_key $key;
        ssl_protocols TLSv1.2 TLSv1.3;
        keepalive_requests 1000000;
        location / { default_type application/json; return 200 '$2'; }
    }
}
CONF
    nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    sleep 0.5
}

# wrk_run URL THREADS CONNS [LUA] -> "req/s p99_ms" (keep-alive, $secs seconds)
wrk_run() {
    local args=(-t"$2" -c"$3" -d"${secs}s" --latency)
    [ -n "${4:-}" ] && args+=(-s "$4")
    wrk "${args[@]}" "$1" >"$tmp/wrk.out" 2>&1
    if grep -q 'Non-2xx' "$tmp/wrk.out"; then
        # a refused request is cheap: counting it would inflate the figure
        echo "wrk $1: $(grep 'Non-2xx' "$tmp/wrk.out")" >&2
        return 1
    fi
    local rps p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$tmp/wrk.out")
    echo "$rps $p99"
}

# median: the median of the numbers on stdin, one per line
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# encrypt_lua OUT TOKEN: a wrk script POSTing a 1 KiB plaintext with TOKEN
# (the body in $tmp/enc.json, made once).
encrypt_lua() {
    if [ ! -f "$tmp/enc.json" ]; then
        printf '{"plaintext":"%s"}' "$(head -c 1024 /dev/zero | tr '\0' 'p' | base64 -w0)" \
            >"$tmp/enc.json"
    fi
    cat >"$1" <<LUA
local f = io.open("$tmp/enc.json", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Vault-Token"] = "$2"
LUA
}

# ratio A B -> A/B with two decimals
ratio() {
    printf '%.2f' "$(echo "$1 / $2" | bc -l)"
}
