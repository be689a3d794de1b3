#!/usr/bin/env bash
# lint.sh - Ward's static checks (STYLE.md sections 1, 8, 9, 10); `make lint`.
#
#   1. clang-format --dry-run --Werror on every C file of src/ include/ tests/ bench/
#   2. clang-tidy (.clang-tidy) on every C file of src/ tests/ bench/ in
#      build/compile_commands.json (build/ is configured first if needed)
#   3. cppcheck with the flags of STYLE.md section 10
#   4. banned functions (STYLE.md section 8) and the front's include rule
#      (section 1), on code with comments and string literals removed
#
# All four run even when one fails; the exit status is non-zero if any did.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
JOBS=${JOBS:-2}
failed=()

mapfile -t files < <(find src include tests bench -name '*.[ch]' -type f 2>/dev/null | sort)

echo "==> clang-format (${#files[@]} files)"
if [ "${#files[@]}" -gt 0 ] && ! clang-format --dry-run --Werror "${files[@]}"; then
    failed+=(clang-format)
fi

echo "==> clang-tidy"
if [ ! -f build/compile_commands.json ]; then
    scripts/test.sh build >/dev/null || failed+=("configure build")
fi
if [ -f build/compile_commands.json ]; then
    # only our sources: not meson's generated files, not anything outside the tree
    top=$(pwd)
    mapfile -t units < <(/usr/bin/python3 -c 'import json, os, sys
top = sys.argv[1]
seen = set()
for e in json.load(open("build/compile_commands.json")):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(f, top)
    if rel.split(os.sep)[0] in ("src", "tests", "bench") and os.path.exists(f) and f not in seen:
        seen.add(f)
        print(f)' "$top" | sort)
    if [ "${#units[@]}" -gt 0 ] &&
        ! printf '%s\0' "${units[@]}" |
        xargs -0 -n 1 -P "$JOBS" clang-tidy -p build --quiet 2>/dev/null; then
        failed+=(clang-tidy)
    fi
fi

echo "==> cppcheck"
# variableScope is suppressed: STYLE.md section 4 declares every local at the
# top of the function (resources start NULL, one out: label frees them).
mapfile -t cfiles < <(printf '%s\n' "${files[@]}" | grep '\.c$')
if [ "${#cfiles[@]}" -gt 0 ] &&
    ! cppcheck --std=c11 --library=posix,gnu,openssl,sqlite3 \
        --enable=warning,style,performance,portability --inline-suppr --error-exitcode=1 \
        --suppress=variableScope --quiet -j "$JOBS" -D_GNU_SOURCE -I src -I include "${cfiles[@]}"; then
    failed+=(cppcheck)
fi

echo "==> banned functions and include rules"
if ! /usr/bin/python3 - "${files[@]}" <<'PY'; then
import re, sys

# Comments, string and character literals removed; line breaks kept.
TOKENS = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)

def strip(src):
    return TOKENS.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)) if m.group(0)[0] == "/"
                      else '""', src)

BANNED = re.compile(r"\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|alloca|rand)\s*\(")
ALLOC = re.compile(r"\b(malloc|calloc|realloc|free)\s*\(")
PRINTF = re.compile(r"\b(printf|vprintf)\s*\(")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/', re.M)

bad = 0
def report(path, text, pos, what):
    global bad
    bad += 1
    print(f"{path}:{text.count(chr(10), 0, pos) + 1}: {what}")

for path in sys.argv[1:]:
    raw = open(path, encoding="utf-8", errors="replace").read()
    text = strip(raw)
    for m in BANNED.finditer(text):
        report(path, text, m.start(), f"banned function {m.group(1)}() (STYLE.md section 8)")
    if path != "src/base/mem.c":
        for m in ALLOC.finditer(text):
            report(path, text, m.start(), f"bare {m.group(1)}(): use ward_alloc/ward_free")
    # src/cli is the command's own output; src/server/server.c prints the dev banner
    if (path.startswith("src/") and not path.startswith("src/cli/") and not path.endswith("_test.c")
            and path != "src/server/server.c"):
        for m in PRINTF.finditer(text):
            report(path, text, m.start(), f"{m.group(1)}() in server code: use ward_log")
    if path.startswith("src/front/"):
        for m in INCLUDE.finditer(raw):
            if m.group(1) not in ("base", "engine", "front"):
                report(path, raw, m.start(),
                       f'src/front/ includes "{m.group(1)}/...": only base/ and engine/')
sys.exit(1 if bad else 0)
PY
    failed+=(banned)
fi

if [ "${#failed[@]}" -gt 0 ]; then
    echo "lint: FAILED: ${failed[*]}"
    exit 1
fi
echo "lint: ok"
