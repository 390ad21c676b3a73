# Shared by the shell tests of the command line; sourced (not run) after
# `set -euo pipefail`:
#   . "$(dirname "$0")/lib.sh"
#   tc_lib_init NAME
# sets BIN (the tradecore binary, absolute: $TC_TEST_BIN or build/tradecore),
# DATA (the data folder, absolute: $TC_TEST_DATA or ../shared/data) and base
# (a fresh work folder $TC_TEST_TMP/NAME_<pid>, removed on exit together with
# the PostgreSQL database tc_lib_pg_db made), and defines:
#   fail MSG                 prints MSG and the last command's output, exits 1
#   expect RC ARGS...        runs `tc ARGS` (the test defines tc) with stdin
#                            from /dev/null; requires exit status RC; output
#                            in $base/out and $base/err
#   expect_err RC TEXT ARGS  as expect, and stderr must contain TEXT
#   jq_true FILTER           the JSON in $base/out satisfies FILTER
#   tc_lib_pg_db             creates the database NAME_<pid> on the test
#                            harness's PostgreSQL server and sets PG_URL to it

tc_lib_init() {
    BIN=${TC_TEST_BIN:-build/tradecore}
    case $BIN in /*) ;; *) BIN="$PWD/$BIN" ;; esac
    DATA=${TC_TEST_DATA:-../shared/data}
    case $DATA in /*) ;; *) DATA="$PWD/$DATA" ;; esac
    TC_LIB_NAME=$1
    base=${TC_TEST_TMP:-/tmp}/${1}_$$
    rm -rf "$base"
    mkdir -p "$base"
    pgdb=""
    pgurl_server=""
    trap tc_lib_cleanup EXIT
}

tc_lib_cleanup() {
    if [ -n "$pgdb" ] && [ -n "$pgurl_server" ]; then
        psql -q "$pgurl_server" -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$base"
}

fail() {
    echo "FAIL: $*" >&2
    echo "--- stdout:" >&2
    cat "$base/out" >&2 || true
    echo "--- stderr:" >&2
    cat "$base/err" >&2 || true
    exit 1
}

expect() {
    local want=$1 got=0
    shift
    tc "$@" >"$base/out" 2>"$base/err" </dev/null || got=$?
    [ "$got" -eq "$want" ] || fail "tradecore $* exited $got, expected $want"
}

expect_err() {
    local want=$1 text=$2
    shift 2
    expect "$want" "$@"
    grep -qF -- "$text" "$base/err" || fail "tradecore $*: stderr lacks '$text'"
}

jq_true() {
    jq -e "$1" "$base/out" >/dev/null || fail "jq '$1' is not true"
}

tc_lib_pg_db() {
    [ -n "${TC_TEST_PG_URL_FILE:-}" ] && [ -s "$TC_TEST_PG_URL_FILE" ] ||
        fail "no PostgreSQL fixture (TC_TEST_PG_URL_FILE)"
    pgurl_server=$(cat "$TC_TEST_PG_URL_FILE")
    pgdb="${TC_LIB_NAME}_$$"
    psql -q -v ON_ERROR_STOP=1 "$pgurl_server" -c "CREATE DATABASE $pgdb" >/dev/null ||
        fail "cannot create database $pgdb"
    PG_URL=${pgurl_server/\/postgres\?/\/$pgdb?}
    [ "$PG_URL" != "$pgurl_server" ] || fail "cannot derive a database URL from $pgurl_server"
}

# ---- backtest inputs -----------------------------------------------------------
# tc_lib_tc_sqlite: defines tc ARGS... as the tradecore binary with the
# runtime and historical stores in $base/runtime.db and $base/historical.db
# and log level error.
tc_lib_tc_sqlite() {
    tc() {
        "$BIN" --set "database.runtime.url=sqlite:$base/runtime.db" \
            --set "database.historical.url=sqlite:$base/historical.db" --set log.level=error "$@"
    }
}

# tc_lib_hol_bars DIR: writes DIR/HOL.csv, Yahoo-format bars of the weekdays
# 2014-06-23 .. 2014-07-18 with a bar on Friday 2014-07-04 (Independence Day:
# no XNYS session) and none on Wednesday 2014-07-09 (an XNYS session), high
# 14, low 8, volume 100000, the opens all differ; and DIR/HOLV.csv, the same
# bars with 07-08's volume 50000.
tc_lib_hol_bars() {
    cat >"$1/HOL.csv" <<'EOF2'
Date,Open,High,Low,Close,Adj Close,Volume
2014-06-23,10.25,14,8,10,10,100000
2014-06-24,10.5,14,8,11,11,100000
2014-06-25,11.25,14,8,12,12,100000
2014-06-26,11.5,14,8,11,11,100000
2014-06-27,10.75,14,8,10,10,100000
2014-06-30,9.25,14,8,9,9,100000
2014-07-01,9.5,14,8,10,10,100000
2014-07-02,11.75,14,8,12,12,100000
2014-07-03,13.25,14,8,13,13,100000
2014-07-04,12.5,14,8,12,12,100000
2014-07-07,10.25,14,8,10,10,100000
2014-07-08,11.5,14,8,11,11,100000
2014-07-10,12.75,14,8,12,12,100000
2014-07-11,11.25,14,8,11,11,100000
2014-07-14,10.5,14,8,10,10,100000
2014-07-15,9.75,14,8,9,9,100000
2014-07-16,10.25,14,8,10,10,100000
2014-07-17,12.5,14,8,12,12,100000
2014-07-18,13.75,14,8,13,13,100000
EOF2
    sed 's/^2014-07-08,11.5,14,8,11,11,100000$/2014-07-08,11.5,14,8,11,11,50000/' "$1/HOL.csv" \
        >"$1/HOLV.csv"
    grep -q '^2014-07-08,.*,50000$' "$1/HOLV.csv" || fail "HOLV.csv"
}

# ---- the counting style (the daemon and db tests) ---------------------------
# tc_lib_count_init NAME: bin (the tradecore binary: $TC_TEST_BIN, required),
# tmp (a fresh $TC_TEST_TMP/NAME_<pid>, with tmp/work the current folder),
# passes = fails = 0, pid (a daemon the test started: killed on exit) and
#   ok; bad MSG; check WHAT EXPECTED ACTUAL; contains WHAT NEEDLE HAYSTACK
# A test with more to clean up defines its own cleanup and traps it after.
tc_lib_count_init() {
    bin=${TC_TEST_BIN:?run through ctest}
    tmp=${TC_TEST_TMP:-/tmp}/${1}_$$
    rm -rf "$tmp"
    mkdir -p "$tmp/work"
    cd "$tmp/work"
    fails=0
    passes=0
    pid=
    trap tc_lib_count_cleanup EXIT
}

tc_lib_count_cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; }
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if [ "$2" == "$3" ]; then ok; else bad "$1: expected '$2', got '$3'"; fi; }
contains() { case "$3" in *"$2"*) ok ;; *) bad "$1: '$2' not in: $3" ;; esac; }
