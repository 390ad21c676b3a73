#!/bin/sh
# Installs the Debian packages tradecore needs to build, test and run, and only
# those that are missing. Called by `make` targets; safe to run again.
set -eu

PKGS="build-essential cmake pkg-config clang libsqlite3-dev sqlite3 libpq-dev
postgresql postgresql-client libyaml-dev libjansson-dev libmicrohttpd-dev libcsv-dev
uuid-dev libcmocka-dev libcurl4-openssl-dev libssl-dev openssl tzdata wrk util-linux jq
libclang-rt-14-dev curl"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "tradecore: missing Debian packages:$missing" >&2
    echo "run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi

echo "tradecore: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
