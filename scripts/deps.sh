#!/usr/bin/env bash
# deps.sh - install every Debian package Ward's build, tests and benchmarks need.
#
# Idempotent and quiet: packages already present are skipped, so a second run
# costs one dpkg query. Must run as root on Debian 12 (CI and `make run` call it).
set -euo pipefail

PKGS=(
    # build
    build-essential pkg-config meson ninja-build
    clang libclang-rt-14-dev llvm
    clang-format clang-tidy cppcheck
    # libraries (DESIGN.md section 0)
    libssl-dev openssl libsqlite3-dev sqlite3 libjansson-dev libhttp-parser-dev
    libcurl4-openssl-dev libargon2-dev libgfshare-dev libgfshare-bin libcmocka-dev
    # tests: gcore (gdb), real clients
    gdb procps python3 python3-hvac python3-requests python3-cryptography curl
    # the radius auth method's test server (tests/integration/test_radius.py)
    freeradius
    # the ldap auth method: libldap, and the test's own slapd (tests/integration/test_ldap.py)
    libldap-dev slapd ldap-utils
    # MariaDB with Vault-backed encryption keys (tests/integration/test_mariadb.py)
    mariadb-server mariadb-plugin-hashicorp-key-management
    # benchmarks
    nginx-light wrk bc
)

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages: ${missing[*]}; run as root" >&2
    exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# slapd: no default directory or service of its own; test_ldap.py starts its own
echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
