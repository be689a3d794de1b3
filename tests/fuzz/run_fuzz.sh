#!/usr/bin/env bash
# run_fuzz.sh - one bounded libFuzzer run of a fuzz target over a copy of its seeds.
#
# Usage: run_fuzz.sh BINARY SEED_DIR SECONDS [WORK_DIR]
#
# The seed corpus in the repository is never written: libFuzzer works in
# WORK_DIR, seeded from SEED_DIR (a temporary directory, removed afterwards,
# when WORK_DIR is not given; `make fuzz` passes a persistent one under
# build-asan/ so longer runs build on each other). Crash inputs go to
# tests/fuzz/artifacts/ (git-ignored). Exits non-zero on any crash, leak,
# sanitizer report, timeout (10 s per input) or RSS over 2 GiB.
set -euo pipefail

if [ "$#" -lt 3 ] || [ "$#" -gt 4 ]; then
    echo "usage: $0 BINARY SEED_DIR SECONDS [WORK_DIR]" >&2
    exit 2
fi
bin=$1
seeds=$2
seconds=$3
here=$(cd "$(dirname "$0")" && pwd)
artifacts="$here/artifacts"
name=$(basename "$bin")

if [ "$#" -eq 4 ]; then
    work=$4
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/ward-$name.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
cp -a "$seeds"/. "$work"/
mkdir -p "$artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# -runs caps very fast targets; -max_total_time bounds the rest. libFuzzer's
# default crash status is 77, which meson reads as "skipped": make it 1.
rc=0
"$bin" -max_total_time="$seconds" -runs=50000000 -timeout=10 -rss_limit_mb=2048 \
    -error_exitcode=1 -timeout_exitcode=1 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name-" "$work" || rc=$?
if [ "$rc" -eq 77 ]; then
    rc=1
fi
exit "$rc"
