#!/usr/bin/env bash
# tradecore backtest --store twice, into two fresh runtime databases, with the
# same run id: the stored runs are identical row for row in every ledger table
# (order, position, fill and trade ids come from the run id, times from the
# backtest's clock), and the ids have the run id's form.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init cli_backtest_ids

ORCL="$DATA/orcl-1995-2014.txt"
run() {
    (cd "$base" && "$BIN" --set "database.runtime.url=sqlite:$base/$1.db" \
        --set "database.historical.url=sqlite:$base/hist-$1.db" --set log.level=error \
        init >/dev/null 2>"$base/err" </dev/null) || fail "init of $1 exited $?"
    "$BIN" --set "database.runtime.url=sqlite:$base/$1.db" \
        --set "database.historical.url=sqlite:$base/hist-$1.db" --set log.level=error \
        backtest --strategy sma_cross --data "$ORCL" --to 2001-12-31 --store --run-id same-1 \
        --json >"$base/$1.json" 2>"$base/err" </dev/null || fail "backtest into $1 exited $?"
}
dump() {
    local t
    for t in positions orders fills trades signal_log portfolio_state pyramiding_state; do
        echo "== $t"
        sqlite3 "$base/$1.db" "SELECT * FROM $t ORDER BY 1"
    done
}

run a
run b
dump a >"$base/a.dump"
dump b >"$base/b.dump"
[ "$(grep -c . "$base/a.dump")" -gt 20 ] || fail "the stored run is nearly empty"
n=$(sqlite3 "$base/a.db" "SELECT COUNT(*) FROM fills")
[ "$n" -gt 2 ] || fail "only $n fills stored"
diff -u "$base/a.dump" "$base/b.dump" >"$base/diff" || { cat "$base/diff" >&2; fail "two stored runs differ"; }
# the ids are the run id's, never random
bad=$(sqlite3 "$base/a.db" "SELECT COUNT(*) FROM orders WHERE order_id NOT LIKE 'ord-same-1-%'")
[ "$bad" = 0 ] || fail "$bad order ids are not from the run id"
bad=$(sqlite3 "$base/a.db" "SELECT COUNT(*) FROM positions WHERE position_id NOT LIKE 'pos-same-1-%'")
[ "$bad" = 0 ] || fail "$bad position ids are not from the run id"
bad=$(sqlite3 "$base/a.db" "SELECT COUNT(*) FROM fills WHERE fill_id NOT LIKE 'fill-same-1-%'")
[ "$bad" = 0 ] || fail "$bad fill ids are not from the run id"
bad=$(sqlite3 "$base/a.db" "SELECT COUNT(*) FROM trades WHERE trade_id NOT LIKE 'trd-pos-same-1-%'")
[ "$bad" = 0 ] || fail "$bad trade ids are not from the run id"
# and the summaries agree
cmp -s "$base/a.json" "$base/b.json" || fail "the two runs' summaries differ"
echo "ok: two stored runs identical ($n fills)"
