#!/usr/bin/env bash
# install-test-deps.sh — install the real servers sluice's tests start, on Debian (12), as root.
#
#   mariadb-server, mariadb-client   MariaDB with a ROW binlog (stand-in for OceanBase's binlog service)
#   pylibseekdb (PyPI)               seekdb: the OceanBase 4.3.5 kernel, MySQL mode
#   Babelfish kit runtime packages   what ../shared/babelfish/up.sh needs (it also checks itself)
#   chromium, fonts-dejavu-core      headless Chromium renders the status page in its test
#
# Idempotent: installs only what is missing. Does not start or enable any system service:
# the tests start their own servers on free ports in temp dirs.
set -euo pipefail

say() { printf 'install-test-deps: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it calls apt-get and pip)"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian only"

APT_PKGS="mariadb-server mariadb-client python3 python3-pip ca-certificates \
  libicu72 libxml2 libossp-uuid16 libssl3 libreadline8 zlib1g libstdc++6 zstd openssl util-linux passwd \
  chromium fonts-dejavu-core"
missing=
for p in $APT_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package's own mariadb service from starting during install: tests
  # run private servers, and a system one on 3306 would only take memory.
  policy=/usr/sbin/policy-rc.d; own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; own_policy=1
  fi
  trap '[ -n "$own_policy" ] && rm -f "$policy"' EXIT
  say "apt-get update"
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  say "apt-get install$missing"
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >&2 \
    || die "apt-get install failed for:$missing"
else
  say "Debian packages present"
fi
command -v chromium >/dev/null || die "chromium missing after installing it"
for prog in mariadbd mariadb-install-db mariadb; do
  command -v "$prog" >/dev/null || [ -x "/usr/sbin/$prog" ] || die "$prog missing after installing mariadb-server"
done

if python3 -c 'import pylibseekdb' 2>/dev/null; then
  say "pylibseekdb present"
else
  say "pip install pylibseekdb"
  # Debian's python3 is "externally managed" (PEP 668); a pyenv/venv python is not.
  python3 -m pip install --quiet pylibseekdb >&2 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages pylibseekdb >&2 \
    || die "pip install pylibseekdb failed"
fi
dir=$(python3 -c 'import pylibseekdb,os;print(os.path.dirname(pylibseekdb.__file__))')
[ -x "$dir/seekdb" ] || die "pylibseekdb installed but $dir/seekdb is missing"
say "seekdb: $dir/seekdb"
say "done"
