#!/usr/bin/env bash
# bench/run.sh - every benchmark, figures as ratios to a baseline measured in
# the same run. Results go to stdout; BENCHMARKS.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== bench_barrier ($(date -u +%FT%TZ), $(nproc) cores)"
"$build/bench/bench_barrier" "$tmp"
if [ -x "$build/src/cli/ward" ]; then
    bench/http.sh "${HTTP_SECS:-10}"
    bench/kv.sh "${KV_SECS:-10}"
    bench/transit.sh "${TRANSIT_SECS:-10}"
    bench/audit.sh "${AUDIT_SECS:-10}"
    bench/policy.sh "${POLICY_SECS:-10}"
    bench/login.sh "${LOGIN_SECS:-10}"
fi
