#!/usr/bin/env bash
# `make demo` (scripts/demo.sh), run from a copy of the script in a work
# folder laid out as the repository's (repo/scripts/demo.sh, ../shared/data
# beside repo):
#   - with ../shared/data: the ORCL, YHOO and NVDA files are ingested into the
#     embedded SQLite stores under var/, donchian runs on the three over the
#     XNYS sessions, the report is written under var/demo/ and its summary and
#     path printed; the run is the one `backtest --data` gives on the same
#     files (the store changes nothing); a second demo skips what exists and
#     rewrites the same report byte for byte;
#   - without it: three instruments from gen-bars, the same way.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init demo
SRC=${TC_TEST_SRC:-$(cd "$(dirname "$0")/.." && pwd)}

files=(orcl-1995-2014.txt yhoo-1996-2014.txt nvda-1999-2014.txt)

demo() { # DIR: runs the demo from DIR/repo as make does (sh scripts/demo.sh); output in $base/out, $base/err
    sh "$1/repo/scripts/demo.sh" "$BIN" >"$base/out" 2>"$base/err" </dev/null ||
        fail "demo in $1 exited $?"
}

# a direct run over CSV files, no store: the same options as the demo's
direct() { # OUT FILE...
    local o=$1
    shift
    local args=()
    for f in "$@"; do args+=(--data "$f"); done
    "$BIN" --set "database.runtime.url=sqlite:$base/none.db" --set log.level=error \
        backtest --strategy donchian --market XNYS --commission-rate 0.001 "${args[@]}" \
        --out "$o" >"$base/direct.out" 2>&1 || { cat "$base/direct.out"; fail "direct run"; }
}

check_demo() { # DIR SYMBOLS: the report of a demo and its printed summary
    local d=$1 syms=$2 R=$1/repo/var/demo/donchian
    for f in summary.json fills.csv trades.csv equity.csv report.html; do
        [ -s "$R/$f" ] || fail "var/demo/donchian/$f is missing"
    done
    [ -s "$d/repo/var/historical.db" ] && [ -s "$d/repo/var/runtime.db" ] ||
        fail "no embedded stores under var/"
    grep -qx "== tradecore backtest --strategy donchian --symbols $syms --market XNYS" "$base/out" ||
        fail "the demo did not say what it runs"
    grep -qx "report: $d/repo/var/demo/donchian/report.html" "$base/out" || fail "the report's path"
    # the summary printed is the report's
    local s=$R/summary.json
    jq -e --arg s "$syms" '.parameters.instruments == ($s | split(",")) and
        .parameters.market == "XNYS" and .parameters.strategies[0].strategy == "donchian" and
        .parameters.commission_rate == "0.001" and .n_trades > 10' "$s" >/dev/null ||
        fail "summary.json: $(jq -c .parameters "$s")"
    grep -qx "final value    $(jq -r .final_value "$s")" "$base/out" || fail "final value line"
    grep -qx "commission     $(jq -r .total_commission "$s")" "$base/out" || fail "commission line"
    grep -qx "trades         $(jq .n_trades "$s") (won $(jq .n_wins "$s"), lost $(jq .n_losses "$s"))" \
        "$base/out" || fail "trades line"
    # the bars in the store are the files': the run is the direct one's
    for f in fills.csv trades.csv equity.csv; do
        cmp -s "$R/$f" "$base/direct/$f" || fail "the demo's $f is not the direct run's"
    done
    jq -e --slurpfile o "$base/direct/summary.json" \
        'del(.title, .parameters.run_id) == ($o[0] | del(.title, .parameters.run_id))' "$s" \
        >/dev/null || fail "the demo's metrics are not the direct run's"
}

# ---- with ../shared/data ----------------------------------------------------
for f in "${files[@]}"; do [ -s "$DATA/$f" ] || fail "no $DATA/$f"; done
w=$base/with
mkdir -p "$w/repo/scripts" "$w/shared"
cp "$SRC/scripts/demo.sh" "$w/repo/scripts/demo.sh"
ln -s "$DATA" "$w/shared/data"
demo "$w"
grep -q '^ingested 3 files: 13761 rows read, 13761 inserted' "$base/out" || fail "ingest line"
grep -q 'generating' "$base/out" && fail "generated bars though the data is there"
direct "$base/direct" "${files[@]/#/$DATA/}"
check_demo "$w" ORCL,YHOO,NVDA
grep -qx 'sessions       5036 (1995-01-03 .. 2014-12-31), 13761 bars' "$base/out" ||
    fail "sessions line"
cp -r "$w/repo/var/demo/donchian" "$base/first"
# again: what exists is skipped, the stored bars unchanged, the same report
demo "$w"
grep -q '(skipped: ' "$base/out" || fail "the second demo skipped nothing"
grep -q '^ingested 3 files: 13761 rows read, 0 inserted, 13761 unchanged' "$base/out" ||
    fail "second ingest line"
for f in summary.json fills.csv trades.csv equity.csv report.html; do
    cmp -s "$base/first/$f" "$w/repo/var/demo/donchian/$f" || fail "the second demo's $f differs"
done

# ---- without it: generated bars ---------------------------------------------
g=$base/gen
mkdir -p "$g/repo/scripts"
cp "$SRC/scripts/demo.sh" "$g/repo/scripts/demo.sh"
demo "$g"
grep -q 'generating three instruments' "$base/out" || fail "no word of generated bars"
for i in 1 2 3; do
    [ -s "$g/repo/var/demo/bars/SYN00$i.csv" ] || fail "no SYN00$i.csv"
done
# the bars are gen-bars' with the demo's options
"$BIN" gen-bars --instruments 3 --bars 5000 --seed 42 --start 1995-01-03 --out "$base/bars" \
    >/dev/null || fail "gen-bars"
for i in 1 2 3; do
    cmp -s "$base/bars/SYN00$i.csv" "$g/repo/var/demo/bars/SYN00$i.csv" || fail "SYN00$i.csv"
done
rm -rf "$base/direct"
direct "$base/direct" "$base"/bars/SYN00{1,2,3}.csv
check_demo "$g" SYN001,SYN002,SYN003

echo "ok"
