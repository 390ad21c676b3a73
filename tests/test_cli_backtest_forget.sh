#!/usr/bin/env bash
# A stored backtest (--store) that fails leaves no trace in the runtime
# store, also when the run succeeded and its report could not be written:
# the report folder on a 64 KiB tmpfs (a private mount namespace) fills up
# while equity.csv is written, after the run; the store's dump is the one
# before, and a rerun under the same --run-id succeeds. A sweep whose second
# combination's report folder is a file: one line on stderr naming the
# combination (its index, parameters and run id); the first combination stays,
# the second is removed, the third never ran. `ledger forget-run`: a run killed
# with kill -9 mid-way (200 instruments x 2000 bars) keeps its rows and is
# refused on rerun; forget-run removes exactly its rows (the dump before the
# run), and the rerun succeeds; a paper portfolio, an unknown run, a bad id
# and usage errors are refused with nothing changed.
set -euo pipefail
shopt -s extglob

. "$(dirname "$0")/lib.sh"
tc_lib_init cli_backtest_forget

RT_URL="sqlite:$base/runtime.db"
HIST_URL="sqlite:$base/historical.db"
tc() {
    "$BIN" --set "database.runtime.url=$RT_URL" --set "database.historical.url=$HIST_URL" \
        --set log.level=error "$@"
}
dump() { sqlite3 "$base/runtime.db" .dump; }

ORCL="$DATA/orcl-1995-2014.txt"
RUN=(backtest --strategy sma_cross --param fast=10 --param slow=30 --data "$ORCL" --store)

cd "$base"
expect 0 init
expect 0 portfolio add p1 --name main --base-currency USD --initial-capital 100000
before=$(dump)

# --- help: --store says what a failure leaves, and where forget-run is
expect 0 backtest --help
grep -q 'or whose report (--out) cannot be written, is removed again' "$base/out" ||
    fail "--help's --store lacks the failed report"
grep -q 'whose run and report completed before a failing one stay' "$base/out" ||
    fail "--help's --store lacks the sweep's rule"
grep -q 'forget-run RUN_ID` removes them' "$base/out" || fail "--help's --store lacks forget-run"

# --- 1. the run succeeds, its report fails (the disk full) after it: removed
# The folder is a 64 KiB tmpfs: equity.csv (5036 rows) does not fit. Nothing
# refuses it before the run (the folder is writable and empty).
mkdir -p "$base/small"
inner='
set -e
mount -t tmpfs -o size=64k tmpfs "$1/small"
shift
rc=0
"$@" >"$BASE/out" 2>"$BASE/err" </dev/null || rc=$?
echo "$rc" >"$BASE/rc"
'
if unshare -m true 2>/dev/null; then NS=(unshare -m); else NS=(unshare -r -m); fi
BASE=$base "${NS[@]}" bash -c "$inner" inner "$base" "$BIN" \
    --set "database.runtime.url=$RT_URL" --set "database.historical.url=$HIST_URL" \
    --set log.level=error "${RUN[@]}" --run-id full-1 --out "$base/small/rep" ||
    fail "the mount namespace: $(cat "$base/err" 2>/dev/null)"
[ "$(cat "$base/rc")" = 1 ] || fail "a full report disk exited $(cat "$base/rc"), expected 1"
# which file meets the full disk first depends on the two writer threads
# (equity.csv and report.html do not fit; while one fills the disk, a small
# file written beside it may fail first): one line naming one of the five
err_line=$(cat "$base/err")
[ "$(wc -l <"$base/err")" = 1 ] && case "$err_line" in
"tradecore: backtest: report file \"$base/small/rep/"@(summary.json|fills.csv|trades.csv|equity.csv|report.html)".tmp\": write error") true ;;
*) false ;;
esac ||
    fail "full disk: the message: $(cat "$base/err")"
[ ! -s "$base/out" ] || fail "full disk: something on stdout"
[ "$(dump)" = "$before" ] || fail "a run whose report failed stayed in the runtime store"
# the same id again (a folder that can be written): not refused as already stored
expect 0 "${RUN[@]}" --run-id full-1 --out "$base/rep"
grep -q '^run            full-1$' "$base/out" || fail "the rerun's summary"
[ -s "$base/rep/equity.csv" ] || fail "the rerun's report"
[ "$(sqlite3 "$base/runtime.db" "SELECT count(*) FROM fills")" -gt 0 ] || fail "the rerun stored no fill"
expect 0 ledger forget-run full-1
[ "$(dump)" = "$before" ] || fail "forget-run after the rerun"

# --- 2. a sweep whose second combination's report fails
mkdir -p "$base/sw"
: >"$base/sw/slow-40" # the folder of combination 2 is a file
expect 1 backtest --strategy sma_cross --data "$ORCL" --store --run-id sw --sweep slow=30,40,50 --out "$base/sw"
[ "$(cat "$base/err")" = "tradecore: backtest: combination 2 of 3 (slow=40, run \"sw-1\"): report folder \"$base/sw/slow-40\": not a directory" ] ||
    fail "the sweep's message: $(cat "$base/err")"
[ ! -s "$base/out" ] || fail "the failed sweep printed a table"
[ "$(sqlite3 "$base/runtime.db" "SELECT group_concat(portfolio_id, ',') FROM (SELECT portfolio_id FROM portfolios ORDER BY portfolio_id)")" = "p1,sw-0" ] ||
    fail "after the sweep: the portfolios are not p1 and sw-0 (complete) only"
[ "$(sqlite3 "$base/runtime.db" "SELECT count(*) FROM orders WHERE run_id <> 'sw-0'")" = 0 ] ||
    fail "orders of sw-1 or sw-2 stayed"
[ -s "$base/sw/slow-30/report.html" ] || fail "the first combination's report"
[ ! -e "$base/sw/slow-50" ] || fail "the third combination ran"
# its run is forgotten, the rest of the sweep goes through under the same ids
expect 0 ledger forget-run sw-0
[ "$(dump)" = "$before" ] || fail "forget-run of the sweep's kept run"
rm "$base/sw/slow-40"
expect 0 backtest --strategy sma_cross --data "$ORCL" --store --run-id sw --sweep slow=30,40,50 --out "$base/sw"
[ "$(grep -c ' sw-[012] ' "$base/out")" = 3 ] || fail "the sweep's rerun table"
for i in 0 1 2; do expect 0 ledger forget-run "sw-$i"; done
[ "$(dump)" = "$before" ] || fail "forget-run of the sweep's three runs"

# a sweep's run that fails in the run itself (not its report): the same prefix
expect 1 backtest --strategy sma_cross --data "$ORCL" --store --run-id ov \
    --cash 92233720368.54775807 --sweep stake=100,1000000000
[ "$(wc -l <"$base/err")" = 1 ] || fail "the overflowing sweep: not one line"
grep -q '^tradecore: backtest: combination 1 of 2 (stake=100, run "ov-0"): ' "$base/err" ||
    fail "the overflowing sweep's message: $(cat "$base/err")"
[ "$(dump)" = "$before" ] || fail "the overflowing sweep left rows"

# --- 3. ledger forget-run: a run killed mid-way
expect 0 gen-bars --instruments 200 --bars 2000 --seed 7 --out "$base/bars"
big=(backtest --strategy sma_cross --store --run-id killed)
for f in "$base"/bars/*.csv; do big+=(--data "$f"); done
# the binary itself in the background (not the tc function: $! would be a
# subshell, and killing it would leave the run going)
"$BIN" --set "database.runtime.url=$RT_URL" --set "database.historical.url=$HIST_URL" \
    --set log.level=error "${big[@]}" >"$base/big.out" 2>"$base/big.err" </dev/null &
bigpid=$!
n=0
for _ in $(seq 1 600); do
    n=$(sqlite3 "$base/runtime.db" "SELECT count(*) FROM fills" 2>/dev/null || echo 0)
    [ "${n:-0}" -gt 0 ] && break
    sleep 0.05
done
kill -9 "$bigpid"
bigrc=0
wait "$bigpid" 2>/dev/null || bigrc=$?
[ "$bigrc" = 137 ] || fail "the long run was not killed by SIGKILL (exit $bigrc)"
[ "${n:-0}" -gt 0 ] || fail "the long run wrote no fill in 30 s"
grep -q '^run ' "$base/big.out" && fail "the long run finished before it was killed"
killed=$(dump)
[ "$killed" != "$before" ] || fail "the killed run left nothing to remove"
[ "$(sqlite3 "$base/runtime.db" "SELECT count(*) FROM portfolios WHERE portfolio_id = 'killed'")" = 1 ] ||
    fail "the killed run's portfolio"
expect_err 1 'run "killed" is already in the runtime store (give another run id)' "${big[@]}"
[ "$(dump)" = "$killed" ] || fail "the refused rerun changed the store"

# refusals first, nothing changes
expect_err 1 'portfolio "p1" is not a backtest'"'"'s: it was created by "tradecore", not by "backtest"; nothing removed' \
    ledger forget-run p1
[ "$(wc -l <"$base/err")" = 1 ] || fail "the refusal of p1 is not one line"
expect_err 1 'portfolio "nobody" not found; nothing removed' ledger forget-run nobody
expect_err 1 'portfolio id "bad id!" has a character that is not allowed' ledger forget-run 'bad id!'
expect_err 1 'portfolio id' ledger forget-run ''
expect_err 2 'forget-run: missing RUN_ID' ledger forget-run
expect_err 2 'forget-run: one RUN_ID only, 2 given' ledger forget-run killed p1
expect_err 2 "unknown option '--force'" ledger forget-run killed --force
[ "$(dump)" = "$killed" ] || fail "a refused forget-run changed the store"

expect 0 ledger forget-run killed --json
rows=$(jq -r '.removed' "$base/out")
jq_true '.run_id == "killed" and (.removed | type == "number") and .removed > 0'
[ "$(dump)" = "$before" ] || fail "forget-run did not give back the store before the run"
expect_err 1 'portfolio "killed" not found; nothing removed' ledger forget-run killed
# the rerun now succeeds; the text form counts its rows
expect 0 "${big[@]}"
grep -q '^run            killed$' "$base/out" || fail "the rerun after forget-run"
expect 0 ledger forget-run killed
grep -Eq '^ledger forget-run: run "killed": [0-9]+ row\(s\) removed$' "$base/out" ||
    fail "the text output: $(cat "$base/out")"
[ "$(sed -E 's/.*: ([0-9]+) row.*/\1/' "$base/out")" -gt "$rows" ] ||
    fail "the whole run removed no more rows than the killed one"
[ "$(dump)" = "$before" ] || fail "forget-run of the whole run"

# help
expect 0 ledger --help
grep -q '^       tradecore ledger forget-run RUN_ID \[--json\]$' "$base/out" || fail "ledger --help lacks forget-run"
grep -q 'and paper portfolios are refused and nothing changes' "$base/out" || fail "ledger --help: live/paper"
expect 0 ledger forget-run --help
grep -q 'forget-run: removes every row of the backtest run RUN_ID' "$base/out" || fail "forget-run --help"
expect_err 2 'unknown subcommand '"'"'forget'"'"' (check, forget-run)' ledger forget x
echo "ok"
