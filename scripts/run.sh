#!/usr/bin/env bash
# run.sh - `make run`: install what is missing, build a release binary, and
# start a dev server on https://127.0.0.1:8200 (data in ./.ward-dev/, reused
# by the next run). Ctrl-C stops it cleanly.
#
# Environment (for tests): WARD_DEV_ADDR (127.0.0.1:8200), WARD_DEV_DIR
# (.ward-dev), BUILD_DIR (build-release; an existing build dir skips the
# release configure).
set -euo pipefail
cd "$(dirname "$0")/.."

addr=${WARD_DEV_ADDR:-127.0.0.1:8200}
dir=${WARD_DEV_DIR:-.ward-dev}
build=${BUILD_DIR:-build-release}

scripts/deps.sh
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" --buildtype=release -Dtests=false -Dintegration=false >/dev/null
fi
ninja -C "$build" src/cli/ward >/dev/null
exec "$build/src/cli/ward" server -dev -dev-listen-address="$addr" -dev-data-dir="$dir"
