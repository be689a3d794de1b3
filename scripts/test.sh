#!/usr/bin/env bash
# test.sh - build Ward and run every test suite in both builds; the engine of
# `make build`, `make test` and `make fuzz`.
#
#   scripts/test.sh            deps, then for build/ (gcc, release-ish) and
#                              build-asan/ (clang, ASan+UBSan, libFuzzer):
#                              configure, compile, `meson test` (suites unit,
#                              integration, fuzz); then one tally line.
#   scripts/test.sh build      configure and compile build/ only.
#   scripts/test.sh fuzz [S]   compile build-asan/ and run each fuzz target
#                              for S seconds (default 60) on a persistent
#                              working corpus in build-asan/fuzz-corpus/.
#
# The last line printed is exactly "N passed, N failed" (", N skipped" is
# added when tests were skipped). It counts every test in both builds, from
# <dir>/meson-logs/harness.json (meson's testlog.json under its own name, so a
# concurrent `meson test` by someone else cannot overwrite it), plus one failure per step that broke (deps,
# configure, compile). Later steps run even after a failure, so the tally is
# complete; the exit status is non-zero if anything failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
JOBS=${JOBS:-2}
BUILD_OPTS=(-Dbuildtype=debugoptimized -Db_sanitize=none -Dfuzz=false -Dtests=true
            -Dintegration=true)
ASAN_OPTS=(-Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false
           -Dfuzz=true -Dtests=true -Dintegration=true)

# Sanitizers stop at the first report and say where; leaks fail a test.
# fast_unwind_on_malloc=0: full allocation stacks through OpenSSL, which has no
# frame pointers, so leak reports name our caller and tests/lsan.supp can be narrow.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:fast_unwind_on_malloc=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

broken=() # failures outside meson's test log, e.g. "build-asan: compile failed"

step() { printf '\n==> %s\n' "$*"; }

# compiler_of DIR prints the C compiler id a configured build dir uses.
compiler_of() {
    /usr/bin/python3 -c 'import json, sys
for c in json.load(open(sys.argv[1]))["host"].values():
    print(c["id"])' "$1/meson-info/intro-compilers.json" 2>/dev/null
}

# configure DIR CC OPTS...: set up DIR (or reconfigure it) with CC and OPTS;
# meson's chatter is shown only when it fails.
configure() {
    local dir=$1 cc=$2 log id rc=0
    shift 2
    log=$(mktemp "${TMPDIR:-/tmp}/ward-setup.XXXXXX")
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        id=$(compiler_of "$dir")
        if [ -n "$id" ] && [ "$id" != "$cc" ]; then
            # set up with another compiler (build-asan must be clang): start over
            rm -rf "$dir"
        fi
    fi
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        meson setup --reconfigure "$dir" "$@" >"$log" 2>&1 || rc=$?
    else
        CC=$cc meson setup "$dir" "$@" >"$log" 2>&1 || rc=$?
    fi
    [ "$rc" -eq 0 ] || cat "$log"
    rm -f "$log"
    return "$rc"
}

# build DIR CC OPTS...: configure and compile; records what broke.
build() {
    local dir=$1
    step "configure $dir"
    if ! configure "$@"; then
        broken+=("$dir: configure failed")
        return 1
    fi
    step "compile $dir"
    # -k 0: build everything that can be built, so unaffected tests still run
    if ! ninja -C "$dir" -j "$JOBS" -k 0; then
        broken+=("$dir: compile failed")
    fi
    return 0
}

# built_tests DIR: "RUN name" for each test whose programs were built and
# "MISSING suite / name" for the rest (meson test refuses to start at all
# when one test program is missing).
built_tests() {
    meson introspect "$1" --tests | /usr/bin/python3 -c 'import json, os, sys
bdir = os.path.realpath(sys.argv[1])
for t in json.load(sys.stdin):
    paths = [os.path.normpath(a) for a in t["cmd"] if os.path.isabs(a)]
    ours = [a for a in paths if a.startswith(bdir + os.sep)]
    if all(os.path.exists(a) for a in ours):
        print("RUN", t["name"])
    else:
        suite = t["suite"][0].split(":")[-1] if t["suite"] else "?"
        print("MISSING", suite, "/", t["name"])' "$1"
}

LOGBASE=harness

# run_tests DIR [MESON_TEST_ARGS...]: every suite; results land in harness.json.
run_tests() {
    local dir=$1 line names=()
    shift
    step "test $dir"
    rm -f "$dir/meson-logs/$LOGBASE.json"
    if [[ " ${broken[*]} " == *" $dir: compile failed "* ]]; then
        # run what was built; each test left unbuilt counts as a failure
        while read -r line; do
            case "$line" in
            RUN\ *) names+=("${line#RUN }") ;;
            MISSING\ *) broken+=("$dir: ${line#MISSING } (NOT BUILT)") ;;
            esac
        done < <(built_tests "$dir")
        if [ "${#names[@]}" -eq 0 ]; then
            return
        fi
    fi
    meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 --logbase "$LOGBASE" \
        "$@" "${names[@]}"
    if [ ! -s "$dir/meson-logs/$LOGBASE.json" ]; then
        broken+=("$dir: meson test did not run (no $LOGBASE.json)")
    fi
}

# tally DIR...: print failing tests and the closing line; status 1 on failure.
tally() {
    /usr/bin/python3 - "$LOGBASE" "${broken[@]}" -- "$@" <<'PY'
import json, os, sys

logbase, args = sys.argv[1], sys.argv[2:]
sep = args.index("--")
steps, dirs = args[:sep], args[sep + 1:]
passed, failed, skipped = 0, [], 0
for d in dirs:
    log = os.path.join(d, "meson-logs", logbase + ".json")
    if not os.path.exists(log):
        continue
    with open(log) as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            r = t.get("result", "ERROR")
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed.append(f"{d}: {t.get('name', '?')} ({r})")
failed += steps
print()
if failed:
    print("FAILED:")
    for f in failed:
        print(f"  {f}")
line = f"{passed} passed, {len(failed)} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
PY
}

cmd_all() {
    local start=$SECONDS
    step "deps"
    scripts/deps.sh || broken+=("deps: scripts/deps.sh failed")
    build build gcc "${BUILD_OPTS[@]}" && run_tests build
    build build-asan clang "${ASAN_OPTS[@]}" && run_tests build-asan --timeout-multiplier 2
    printf '\n(%d s)\n' "$((SECONDS - start))"
    tally build build-asan
}

cmd_build() {
    build build gcc "${BUILD_OPTS[@]}"
    [ "${#broken[@]}" -eq 0 ] || { echo "failed: ${broken[*]}" >&2; exit 1; }
}

cmd_fuzz() {
    local seconds=${1:-60} rc=0 pass=0 fail=0 name
    build build-asan clang "${ASAN_OPTS[@]}"
    [ "${#broken[@]}" -eq 0 ] || { echo "failed: ${broken[*]}" >&2; exit 1; }
    for bin in build-asan/tests/fuzz/fuzz_*; do
        [ -x "$bin" ] && [ -f "$bin" ] || continue
        name=${bin##*/fuzz_}
        step "fuzz $name for $seconds s"
        if tests/fuzz/run_fuzz.sh "$bin" "tests/fuzz/corpus/$name" "$seconds" \
            "build-asan/fuzz-corpus/$name"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAILED: fuzz_$name (inputs in tests/fuzz/artifacts/)"
            rc=1
        fi
    done
    echo "$pass passed, $fail failed"
    return "$rc"
}

case "${1:-all}" in
all) cmd_all ;;
build) cmd_build ;;
fuzz) shift; cmd_fuzz "$@" ;;
*) echo "usage: $0 [all|build|fuzz [SECONDS]]" >&2; exit 2 ;;
esac
