#!/usr/bin/env bash
# The ledger commands end to end on sqlite files, then a subset on
# PostgreSQL: signal submit of a file with BASE_ENTRY, PYRAMID, a duplicate
# and EXIT (one outcome line each, exact cash with commission), positions
# --json, portfolio show, signals list and prune, ledger check clean and on a
# deliberately corrupted database, and bad input files (malformed JSON with
# its position, empty, 10 MB, NaN price, not an object, duplicate keys) that
# are refused whole with nothing recorded; ledger forget-run refuses the
# paper portfolio (nothing changed) and, on PostgreSQL, removes a stored
# backtest so that its run id can be used again.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init cli_ledger
mkdir -p "$base/sqlite"

RT_URL=""
HIST_URL=""
tc() {
    "$BIN" --set "database.runtime.url=$RT_URL" --set "database.historical.url=$HIST_URL" \
        --set ledger.commission_rate=0.001 "$@"
}

NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sig() { # sig TYPE ID EXTRA
    printf '{"type":"%s","portfolio":"p1","strategy":"s1","instrument":"ES","side":"LONG","timestamp":"%s","signal_id":"%s"%s}' \
        "$1" "$NOW" "$2" "$3"
}

setup_entities() {
    expect 0 init
    expect 0 market add XNYS --name NYSE --timezone America/New_York
    expect 0 instrument add ES --symbol ES --market XNYS --asset-class FUTURE --currency USD --multiplier 50
    expect 0 portfolio add p1 --name main --base-currency USD --initial-capital 100000
    expect 0 strategy add s1 --name trend --param max_pyramids=2 --param pyramid_distance=2
    {
        echo "["
        sig BASE_ENTRY a1 ',"price":"100","stop":"95"'; echo ","
        sig PYRAMID a2 ',"price":"103"'; echo ","
        sig BASE_ENTRY a1 ',"price":"100","stop":"95"'
        echo "]"
    } >"$base/entries.json"
    sig EXIT a3 ',"price":"110"' >"$base/exit.json"
}

# snapshot: signal log and positions, to prove a refused input recorded nothing
snapshot() {
    tc signals list --json >"$base/snap_sig" 2>/dev/null
    tc positions --json >"$base/snap_pos" 2>/dev/null
    cat "$base/snap_sig" "$base/snap_pos"
}

# ---------------------------------------------------------------------------
run_sqlite() {
    cd "$base/sqlite"
    RT_URL="sqlite:$base/sqlite/rt.db"
    HIST_URL="sqlite:$base/sqlite/hist.db"
    setup_entities

    # entries and a duplicate: one outcome line per signal
    expect 0 signal submit "$base/entries.json"
    [ "$(wc -l <"$base/out")" -eq 3 ] || fail "expected 3 outcome lines"
    jq -s -e 'length == 3 and all(.status == "accepted") and
              [.[].duplicate] == [false, false, true] and
              .[0].fingerprint == "id:a1" and .[2].fingerprint == "id:a1" and
              .[2].position_id == .[0].position_id and .[2].order_id == .[0].order_id and
              .[0].reason == "base entry: 4 LONG ES at 100"' "$base/out" >/dev/null ||
        fail "outcomes of the entry file"
    base_id=$(jq -r -s '.[0].position_id' "$base/out")

    expect 0 positions --open --json
    jq_true 'length == 2 and (map(.layer) == [0, 1]) and (map(.quantity) == ["4", "4"])'
    jq_true '(map(.entry_price) == ["100", "103"]) and all(.status == "open" and .side == "LONG")'
    jq_true "all(.portfolio_id == \"p1\" and .instrument_id == \"ES\") and .[0].position_id == \"$base_id\""
    jq_true 'all(has("position_id") and has("portfolio_id") and has("instrument_id") and has("side") and has("quantity") and has("entry_price") and has("layer") and has("status"))'
    expect 0 positions --portfolio nobody --json
    jq_true 'length == 0'
    expect 0 positions
    grep -q "^$base_id .* ES .* LONG .* 4 .* 100 .* 0 open" "$base/out" || fail "text positions lack the base"
    expect_err 1 'portfolio id' positions --portfolio 'bad id!'

    # entry commission only so far: 4×100×50×0.001 + 4×103×50×0.001 = 20 + 20.6
    expect 0 portfolio show p1 --json
    jq_true '.ledger == {"cash":"99959.4","closed_equity":"99959.4","realized_pnl":"0","commission_paid":"40.6"}'

    # the exit through stdin: realised (110−100)×4×50 + (110−103)×4×50 = 3400;
    # commission 40.6 + 2 × 4×110×50×0.001 = 84.6
    tc signal submit - <"$base/exit.json" >"$base/out" 2>"$base/err" || fail "exit from stdin"
    jq_true '.status == "accepted" and .duplicate == false and .fingerprint == "id:a3"'
    expect 0 positions --open --json
    jq_true 'length == 0'
    expect 0 positions --json
    jq_true 'length == 2 and all(.status == "closed" and .quantity == "0") and (map(.realized_pnl) == ["2000", "1400"])'
    expect 0 portfolio show p1 --json
    jq_true '.ledger == {"cash":"103315.4","closed_equity":"103315.4","realized_pnl":"3400","commission_paid":"84.6"}'
    expect 0 portfolio show p1
    grep -q '^cash  *103315.4$' "$base/out" || fail "text portfolio show lacks the cash"
    grep -q '^commission_paid  *84.6$' "$base/out" || fail "text portfolio show lacks the commission"

    # a rule rejection is recorded (exit 0): nothing open to exit
    sig EXIT a4 ',"price":"111"' >"$base/exit2.json"
    expect 0 signal submit "$base/exit2.json"
    jq_true '.status == "rejected" and (.reason | test("exit"; "i"))'

    # the signal log
    expect 0 signals list --json
    jq_true 'length == 4 and (map(.fingerprint) | sort == ["id:a1", "id:a2", "id:a3", "id:a4"])'
    jq_true '(map(select(.fingerprint == "id:a1"))[0].duplicate_count == 1) and (map(select(.fingerprint == "id:a4"))[0].status == "rejected")'
    expect 0 signals list --since 2999-01-01T00:00:00Z --json
    jq_true 'length == 0'
    expect 0 signals list
    grep -q 'accepted BASE_ENTRY' "$base/out" || fail "text list lacks the base entry"
    expect_err 1 '--since' signals list --since yesterday

    # prune: nothing is old yet; then an aged row goes, the others stay
    expect 0 signals prune --older-than 1
    grep -q '^pruned 0 signal' "$base/out" || fail "prune of fresh signals deleted some"
    sqlite3 "$base/sqlite/rt.db" "UPDATE signal_log SET received_at = '2000-01-01T00:00:00.000000Z' WHERE fingerprint IN ('id:a3', 'id:a4')"
    expect 0 signals prune --older-than 30
    grep -q '^pruned 2 signal' "$base/out" || fail "prune did not delete the two aged signals"
    expect 0 signals list --json
    jq_true 'length == 2 and (map(.fingerprint) | sort == ["id:a1", "id:a2"])'
    expect_err 1 'not in 1..36500' signals prune --older-than 0
    expect_err 1 'not a whole number' signals prune --older-than 1.5
    expect_err 2 'missing --older-than' signals prune

    # the invariants: clean, then a corrupted quantity is named
    expect 0 ledger check
    grep -q 'clean' "$base/out" || fail "ledger check did not say clean"
    expect 0 ledger check --json
    jq_true '.clean == true and .violations == []'
    cp "$base/sqlite/rt.db" "$base/sqlite/rt.good"
    sqlite3 "$base/sqlite/rt.db" "UPDATE positions SET quantity = quantity + 100000000 WHERE position_id = '$base_id'"
    expect_err 1 '1 invariant violation' ledger check
    grep -q "^position_quantity $base_id: position \"$base_id\": quantity 1 is not its entry fills 4 minus its exit fills 4" "$base/out" ||
        fail "ledger check did not name the corrupted position"
    expect 1 ledger check --json
    jq_true ".clean == false and (.violations | length == 1) and .violations[0].kind == \"position_quantity\" and .violations[0].subject == \"$base_id\""
    sqlite3 "$base/sqlite/rt.db" "UPDATE portfolio_state SET cash = cash + 1"
    expect_err 1 '2 invariant violation' ledger check
    grep -q '^portfolio_cash p1: portfolio "p1": cash 103315.40000001 is not' "$base/out" ||
        fail "ledger check did not name the cash"
    cp "$base/sqlite/rt.good" "$base/sqlite/rt.db"
    expect 0 ledger check

    # forget-run never removes paper/live state: p1 (signals, positions,
    # orders, fills) is refused, one line, and nothing changes
    before=$(snapshot; tc portfolio show p1 --json; sqlite3 "$base/sqlite/rt.db" .dump)
    expect_err 1 'portfolio "p1" is not a backtest'"'"'s: it was created by "tradecore", not by "backtest"; nothing removed' \
        ledger forget-run p1
    [ "$(wc -l <"$base/err")" -eq 1 ] || fail "forget-run p1: not one line"
    [ ! -s "$base/out" ] || fail "forget-run p1 printed something"
    expect_err 1 'portfolio "p1" is not a backtest' ledger forget-run p1 --json
    [ ! -s "$base/out" ] || fail "forget-run p1 --json printed something"
    expect_err 1 'portfolio "p9" not found; nothing removed' ledger forget-run p9
    expect_err 2 'forget-run: missing RUN_ID' ledger forget-run
    after=$(snapshot; tc portfolio show p1 --json; sqlite3 "$base/sqlite/rt.db" .dump)
    [ "$before" = "$after" ] || fail "a refused forget-run changed the paper ledger"

    # bad inputs: refused whole, nothing recorded
    before=$(snapshot)
    printf '[\n  {"type": "BASE_ENTRY",\n   "price": }\n]\n' >"$base/bad.json"
    expect_err 1 "bad.json:3:" signal submit "$base/bad.json"
    grep -q 'malformed JSON' "$base/err" || fail "malformed JSON not named"
    : >"$base/empty.json"
    expect_err 1 'input is empty' signal submit "$base/empty.json"
    head -c 10485760 /dev/zero | tr '\0' ' ' >"$base/huge.json"
    expect_err 1 'larger than 1048576 bytes' signal submit "$base/huge.json"
    {
        echo "["
        sig BASE_ENTRY n1 ',"price":"100","stop":"95"'; echo ","
        sig PYRAMID n2 ',"price":"NaN"'
        echo "]"
    } >"$base/nan.json"
    expect_err 1 'signal 2: price' signal submit "$base/nan.json"
    grep -q 'NaN' "$base/err" || fail "the NaN price is not quoted"
    grep -q 'nothing submitted' "$base/err" || fail "NaN: no word that nothing was submitted"
    printf '[%s, 42]' "$(sig BASE_ENTRY n3 ',"price":"100","stop":"95"')" >"$base/notobj.json"
    expect_err 1 'signal 2 is not a JSON object' signal submit "$base/notobj.json"
    printf '{"type":"EXIT","type":"EXIT"}' >"$base/dupkey.json"
    expect_err 1 'duplicate' signal submit "$base/dupkey.json"
    printf '"hello"' >"$base/str.json"
    expect_err 1 'expected a signal' signal submit "$base/str.json"
    printf '[]' >"$base/none.json"
    expect_err 1 'holds no signal' signal submit "$base/none.json"
    expect_err 1 'cannot open' signal submit "$base/missing.json"
    expect_err 2 'missing FILE' signal submit
    expect_err 2 'unknown subcommand' signal send x
    after=$(snapshot)
    [ "$before" = "$after" ] || fail "a refused input changed the ledger"

    # a bad commission rate in configuration is named
    "$BIN" --set "database.runtime.url=$RT_URL" --set "database.historical.url=$HIST_URL" \
        --set ledger.commission_rate=abc signal submit "$base/exit.json" >"$base/out" 2>"$base/err" && fail "rate abc accepted"
    grep -q 'ledger.commission_rate' "$base/err" || fail "bad rate not named"
}

# ---------------------------------------------------------------------------
run_pg() {
    tc_lib_pg_db
    local url=$PG_URL
    mkdir -p "$base/pg"
    cd "$base/pg"
    RT_URL="$url"
    HIST_URL="$url"
    setup_entities

    expect 0 signal submit "$base/entries.json"
    jq -s -e 'length == 3 and [.[].duplicate] == [false, false, true]' "$base/out" >/dev/null ||
        fail "postgres: outcomes of the entry file"
    expect 0 positions --open --json
    jq_true 'length == 2 and (map(.quantity) == ["4", "4"]) and (map(.entry_price) == ["100", "103"])'
    expect 0 signal submit "$base/exit.json"
    expect 0 portfolio show p1 --json
    jq_true '.ledger == {"cash":"103315.4","closed_equity":"103315.4","realized_pnl":"3400","commission_paid":"84.6"}'
    expect 0 signals list --json
    jq_true 'length == 3'
    psql -q -v ON_ERROR_STOP=1 "$url" -c "UPDATE signal_log SET received_at = '2000-01-01T00:00:00Z' WHERE fingerprint = 'id:a3'" >/dev/null
    expect 0 signals prune --older-than 30
    grep -q '^pruned 1 signal' "$base/out" || fail "postgres: prune"
    expect 0 ledger check
    before=$(snapshot)
    expect_err 1 'signal 2: price' signal submit "$base/nan.json"
    [ "$before" = "$(snapshot)" ] || fail "postgres: a refused input changed the ledger"
    psql -q -v ON_ERROR_STOP=1 "$url" -c "UPDATE positions SET quantity = quantity + 1 WHERE layer = 1" >/dev/null
    expect_err 1 '1 invariant violation' ledger check
    grep -q '^position_quantity .*quantity 1 is not its entry fills 4 minus its exit fills 4' "$base/out" ||
        fail "postgres: ledger check did not name the corrupted position"

    # forget-run: the paper portfolio is refused, a stored backtest is removed
    before=$(snapshot; tc portfolio show p1 --json)
    expect_err 1 'portfolio "p1" is not a backtest'"'"'s: it was created by "tradecore", not by "backtest"; nothing removed' \
        ledger forget-run p1
    [ "$before" = "$(snapshot; tc portfolio show p1 --json)" ] || fail "postgres: a refused forget-run changed p1"
    expect 0 backtest --strategy sma_cross --data "$DATA/orcl-1995-2014.txt" --store --run-id pgrun
    [ "$(psql -tAq "$url" -c "SELECT count(*) FROM orders WHERE run_id = 'pgrun'")" -gt 0 ] ||
        fail "postgres: the stored run has no order"
    expect_err 1 'run "pgrun" is already in the runtime store' \
        backtest --strategy sma_cross --data "$DATA/orcl-1995-2014.txt" --store --run-id pgrun
    expect 0 ledger forget-run pgrun --json
    jq_true '.run_id == "pgrun" and .removed > 0'
    [ "$(psql -tAq "$url" -c "SELECT string_agg(portfolio_id, ',') FROM portfolios")" = p1 ] ||
        fail "postgres: portfolios after forget-run"
    [ "$(psql -tAq "$url" -c "SELECT count(*) FROM orders WHERE run_id = 'pgrun'")" = 0 ] ||
        fail "postgres: the run's orders stayed"
    [ "$before" = "$(snapshot; tc portfolio show p1 --json)" ] || fail "postgres: forget-run pgrun changed p1"
    expect 0 backtest --strategy sma_cross --data "$DATA/orcl-1995-2014.txt" --store --run-id pgrun
}

run_sqlite
run_pg
echo "ok"
