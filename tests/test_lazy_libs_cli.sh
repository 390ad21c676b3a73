#!/usr/bin/env bash
# libpq and libmicrohttpd are loaded at run time, by the processes that need
# them only: the tradecore command and the shared library do not list them as
# NEEDED, the static library leaves no PQ*/MHD_* symbol for the linker to find,
# `tradecore --version` and a backtest on sqlite never map them (the dynamic
# loader's own trace, LD_DEBUG=files, names neither), `tradecore serve` loads
# libmicrohttpd itself (dlopen) and answers, and a command on a postgres://
# store loads libpq itself and works.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init lazy_libs_cli
: "${TC_TEST_BUILD:?run through ctest}"

RT_URL="sqlite:$base/runtime.db"
HIST_URL="sqlite:$base/historical.db"
tc() {
    "$BIN" --set "database.runtime.url=$RT_URL" --set "database.historical.url=$HIST_URL" \
        --set log.level=error "$@"
}

# NEEDED entries of FILE, one a line
needed() {
    readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

check_needed() {
    local file=$1 list
    [ -f "$file" ] || fail "$file is missing"
    list=$(needed "$file")
    # the check sees the list: libcrypto stays linked (SHA-256 on the signal path)
    grep -q '^libcrypto\.so' <<<"$list" || fail "$file: NEEDED lacks libcrypto: $list"
    if grep -E '^lib(pq|microhttpd)\.so' <<<"$list"; then
        fail "$file links libpq or libmicrohttpd: $list"
    fi
}

check_needed "$BIN"
check_needed "$TC_TEST_BUILD/libtradecore.so"
[ -f "$TC_TEST_BUILD/libtradecore.a" ] || fail "libtradecore.a is missing"
undef=$(nm -u "$TC_TEST_BUILD/libtradecore.a" 2>/dev/null | awk '{print $2}' | sort -u)
grep -q '^dlopen' <<<"$undef" || fail "libtradecore.a does not call dlopen"
if grep -E '^(PQ|MHD_)' <<<"$undef"; then
    fail "libtradecore.a leaves libpq/libmicrohttpd symbols undefined"
fi

# run ARGS... under LD_DEBUG=files; the trace of every process in $base/ld.txt
traced() {
    local rc=0
    rm -f "$base"/ld.*
    LD_DEBUG=files LD_DEBUG_OUTPUT="$base/ld" tc "$@" >"$base/out" 2>"$base/err" </dev/null ||
        rc=$?
    cat "$base"/ld.* >"$base/ld.txt"
    return $rc
}

cd "$base"

# --- --version
traced --version || fail "tradecore --version failed"
grep -q '^tradecore ' "$base/out" || fail "--version output"
grep -q 'file=libsqlite3\.so' "$base/ld.txt" || fail "the loader trace is empty: $(head -5 "$base/ld.txt")"
if grep -E 'file=lib(pq|microhttpd)\.so' "$base/ld.txt"; then
    fail "tradecore --version maps libpq or libmicrohttpd"
fi

# --- a backtest on sqlite, its report on disk
traced backtest --strategy sma_cross --param fast=10 --param slow=30 --param stake=100 \
    --cash 100000 --data "$DATA/orcl-1995-2014.txt" --out "$base/r1" ||
    fail "the sqlite backtest failed"
grep -q '^sessions       5036 ' "$base/out" || fail "backtest summary"
[ -s "$base/r1/fills.csv" ] || fail "the backtest wrote no fills.csv"
grep -q 'file=libsqlite3\.so' "$base/ld.txt" || fail "the loader trace is empty"
if grep -E 'libpq|libmicrohttpd|libgnutls|libldap|libgssapi' "$base/ld.txt"; then
    fail "a sqlite backtest maps libpq, libmicrohttpd or their dependencies"
fi

# --- the daemon on sqlite stores: libmicrohttpd loaded by tradecore itself
# when the server starts, and answering; libpq never
expect 0 db migrate
rm -f "$base"/ld.* "$base/port"
LD_DEBUG=files LD_DEBUG_OUTPUT="$base/ld" "$BIN" --set "database.runtime.url=$RT_URL" \
    --set "database.historical.url=$HIST_URL" --set log.level=error \
    serve --listen 127.0.0.1:0 --port-file "$base/port" >"$base/out" 2>"$base/err" </dev/null &
serve_pid=$!
for _ in $(seq 1 200); do [ -s "$base/port" ] && break; sleep 0.05; done
port=$(cat "$base/port" 2>/dev/null || true)
[[ "$port" =~ ^[0-9]+$ ]] || { kill -KILL "$serve_pid" 2>/dev/null; fail "serve wrote no port"; }
ping=$(curl -s "http://127.0.0.1:$port/ping" || true)
kill -TERM "$serve_pid"
rc=0
wait "$serve_pid" || rc=$?
[ "$ping" = '{"status":"ok"}' ] || fail "serve: /ping answered '$ping'"
[ "$rc" -eq 0 ] || fail "serve exited $rc on SIGTERM"
cat "$base"/ld.* >"$base/ld.txt"
grep -Eq 'file=libmicrohttpd\.so\.[0-9]+ \[0\]; +dynamically loaded by .*(tradecore|libasan)' \
    "$base/ld.txt" ||
    fail "libmicrohttpd is not loaded at run time by tradecore serve"
if grep -E 'file=libpq' "$base/ld.txt"; then
    fail "tradecore serve on sqlite maps libpq"
fi

# --- a postgres:// store: libpq loaded by tradecore itself, and working
tc_lib_pg_db
RT_URL=$PG_URL
HIST_URL=$PG_URL
traced init || fail "tradecore init on PostgreSQL failed"
# "dynamically loaded by" (dlopen), not "needed by": by tradecore, or by the
# sanitizer runtime that wraps dlopen in a TC_SANITIZE build
grep -Eq 'file=libpq\.so\.[0-9]+ \[0\]; +dynamically loaded by .*(tradecore|libasan)' \
    "$base/ld.txt" ||
    fail "libpq is not loaded at run time by tradecore: $(grep libpq "$base/ld.txt" | head -3)"
if grep -E 'file=libmicrohttpd' "$base/ld.txt"; then
    fail "tradecore init maps libmicrohttpd"
fi
n=$(psql -tA "$PG_URL" -c "SELECT COUNT(*) FROM schema_migrations") ||
    fail "no schema_migrations table after init"
[ "$n" -gt 0 ] || fail "init applied no migration"

echo "ok"
