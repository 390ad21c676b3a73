#!/usr/bin/env bash
# tradecore ingest prices and gen-prices end to end, on a sqlite file and on
# PostgreSQL: a data file loaded, the summary text and --json fields, a second
# run unchanged, exit statuses (a bad file 1 with file:line on stderr and
# nothing stored, usage errors 2), --skip-bad listing rows, and the generator
# writing the same file for the same seed; ingest actions and ingest fx:
# their summaries, a second run unchanged, a bad file 1 with file:line and
# nothing stored, usage errors 2.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init cli_ingest

RT_URL=""
HIST_URL=""
tc() {
    "$BIN" --set "database.runtime.url=$RT_URL" --set "database.historical.url=$HIST_URL" "$@"
}

# count SQL: one number from the historical store
count() {
    case $HIST_URL in
    sqlite:*) sqlite3 "${HIST_URL#sqlite:}" "$1" ;;
    *) psql -qtA "$HIST_URL" -c "$1" ;;
    esac
}

scenario() {
    expect 0 init --no-config
    expect 0 market add XNYS --name "New York Stock Exchange" --timezone America/New_York
    expect 0 instrument add ORCL --symbol ORCL --market XNYS --asset-class EQUITY --currency USD

    # a Yahoo file, symbol from the file name
    expect 0 ingest prices "$DATA/orcl-2014.txt"
    grep -qF "ingested 1 file: 252 rows read, 252 inserted, 0 unchanged, 0 skipped, 1 instrument (0 created), 2014-01-02..2014-12-31" "$base/out" ||
        fail "summary line"
    [ "$(count "SELECT count(*) FROM prices_daily WHERE instrument_id = 'ORCL'")" = 252 ] || fail "252 rows stored"

    # again, with --json: every row unchanged
    expect 0 ingest prices "$DATA/orcl-2014.txt" "$DATA/orcl-2003-2005.txt" --json
    jq_true '.files == 2 and .rows_read == 1008 and .inserted == 756 and .unchanged == 252'
    jq_true '.skipped == 0 and .instruments == 1 and .instruments_created == 0'
    jq_true '.first_date == "2003-01-02" and .last_date == "2014-12-31"'
    jq_true '(.seconds | type) == "number" and .bad_rows == []'
    expect 0 ingest prices "$DATA/orcl-2014.txt" --json
    jq_true '.inserted == 0 and .unchanged == 252 and .rows_read == 252'
    [ "$(count "SELECT count(*) FROM prices_daily")" = 1008 ] || fail "1008 rows stored"

    # CRLF futures file with open interest, a new instrument
    expect_err 1 'symbol "FESX" not found' ingest prices "$DATA/2006-volume-day-001.txt" --symbol FESX
    expect 0 ingest prices "$DATA/2006-volume-day-001.txt" --symbol FESX --market XNYS \
        --create-instruments --asset-class FUTURE --currency EUR --json
    jq_true '.inserted == 255 and .instruments_created == 1'
    [ "$(count "SELECT open_interest FROM prices_daily WHERE instrument_id = 'FESX' AND trade_date = '2006-01-02'")" = 1511674 ] ||
        fail "open interest stored"

    # a bad file: exit 1, file:line and the rule on stderr, nothing stored
    printf 'Date,Open,High,Low,Close,Adj Close,Volume\n2015-01-02,10,11,9,10,10,1\n2015-01-05,12,12.1,11,12.3,12.3,1\n' >"$base/orcl-bad.csv"
    expect_err 1 "orcl-bad.csv:3: close 12.3 is above high 12.1" ingest prices "$base/orcl-bad.csv"
    [ "$(count "SELECT count(*) FROM prices_daily WHERE trade_date >= '2015-01-01'")" = 0 ] || fail "bad file stored rows"
    # --skip-bad: the good row loads, the bad one is listed
    expect 0 ingest prices "$base/orcl-bad.csv" --skip-bad --json
    grep -qF "skipped $base/orcl-bad.csv:3: close 12.3 is above high 12.1" "$base/err" || fail "skipped row listed"
    jq_true '.inserted == 1 and .skipped == 1 and (.bad_rows | length) == 1'
    jq_true '.bad_rows[0] | endswith("orcl-bad.csv:3: close 12.3 is above high 12.1")'

    # a conflicting overlap: exit 1, stored vs new
    printf 'Date,Open,High,Low,Close,Adj Close,Volume\n2015-01-02,10,11,9,10.5,10,1\n' >"$base/orcl-new.csv"
    expect_err 1 "orcl-new.csv:2: ORCL 2015-01-02 is stored with close 10, the file has 10.5" ingest prices "$base/orcl-new.csv"

    # a missing file and a directory
    expect_err 1 "nope.csv: cannot open" ingest prices "$base/nope.csv"

    # usage errors: exit 2
    expect_err 2 "no FILE given" ingest prices
    expect_err 2 "unknown subcommand" ingest bars x.csv
    expect_err 2 "missing subcommand" ingest
    expect_err 2 "--format" ingest prices "$DATA/orcl-2014.txt" --format excel
    expect_err 2 "needs --market" ingest prices "$DATA/orcl-2014.txt" --create-instruments
    expect_err 2 "applies to one FILE" ingest prices a.csv b.csv --symbol X
    expect 2 ingest prices "$DATA/orcl-2014.txt" --bogus
    expect 0 ingest prices --help
    grep -qF "usage: tradecore ingest prices" "$base/out" || fail "help text"

    # the generator: long format, deterministic, loads with --create-instruments
    expect 0 gen-prices --rows 500 --symbols 3 --seed 7 --out "$base/g1.csv"
    expect 0 gen-prices --rows 500 --symbols 3 --seed 7 --out "$base/g2.csv"
    cmp -s "$base/g1.csv" "$base/g2.csv" || fail "same seed, different files"
    expect 0 gen-prices --rows 500 --symbols 3 --seed 8 --out "$base/g3.csv"
    ! cmp -s "$base/g1.csv" "$base/g3.csv" || fail "different seeds, same file"
    [ "$(head -1 "$base/g1.csv")" = "date,symbol,open,high,low,close,volume" ] || fail "generator header"
    [ "$(wc -l <"$base/g1.csv")" -eq 501 ] || fail "generator rows"
    expect 0 ingest prices "$base/g1.csv" --market XNYS --create-instruments --json
    jq_true '.inserted == 500 and .instruments == 3 and .instruments_created == 3'
    expect_err 2 "missing --seed" gen-prices --rows 5 --symbols 1 --out "$base/x.csv"
    expect_err 2 "--rows" gen-prices --rows -5 --symbols 1 --seed 1 --out "$base/x.csv"
    # the command's name once, also where the message names it itself
    [ "$(cat "$base/err")" = 'tradecore: gen-prices: --rows "-5" is not a whole number in 1..100000000' ] ||
        fail "gen-prices --rows -5: $(cat "$base/err")"
    : >"$base/afile"
    expect_err 1 'is not a folder' gen-bars --instruments 1 --bars 5 --seed 1 --out "$base/afile"
    [ "$(cat "$base/err")" = "tradecore: gen-bars: \"$base/afile\" is not a folder" ] ||
        fail "gen-bars --out a file: $(cat "$base/err")"
    expect_err 2 "--symbols" gen-prices --rows 5 --symbols 0 --seed 1 --out "$base/x.csv"

    # corporate actions and FX rates
    printf 'symbol,ex_date,kind,value,currency\nORCL,2000-01-18,SPLIT,2,\nORCL,2009-07-08,DIVIDEND,0.05,USD\n' >"$base/orcl-actions.csv"
    expect 0 ingest actions "$base/orcl-actions.csv" --market XNYS
    grep -qF "ingested 1 file: 2 actions, 2 inserted, 0 unchanged" "$base/out" || fail "actions summary"
    expect 0 ingest actions "$base/orcl-actions.csv" --json
    jq_true '.files == 1 and .rows == 2 and .inserted == 0 and .unchanged == 2'
    [ "$(count "SELECT ratio FROM corporate_actions WHERE instrument_id = 'ORCL' AND kind = 'SPLIT'")" = "$(ratio_of 2)" ] ||
        fail "split ratio stored"
    printf 'symbol,ex_date,kind,value,currency\nORCL,2010-01-13,DIVIDEND,0.05,\nORCL,2000-01-18,SPLIT,3,\n' >"$base/orcl-bad-actions.csv"
    expect_err 1 "orcl-bad-actions.csv:3: SPLIT of ORCL on 2000-01-18 is stored with ratio 2, the file says 3" \
        ingest actions "$base/orcl-bad-actions.csv"
    [ "$(count "SELECT count(*) FROM corporate_actions")" = 2 ] || fail "a rejected actions file stored rows"
    printf 'date,base,quote,rate\n2014-01-02,EUR,USD,1.3667\n2014-01-03,EUR,USD,1.359\n' >"$base/fx.csv"
    expect 0 ingest fx "$base/fx.csv"
    grep -qF "ingested 1 file: 2 rates, 2 inserted, 0 unchanged" "$base/out" || fail "fx summary"
    printf 'date,base,quote,rate\n2014-01-06,EUR,USD,1.36\n2014-01-07,EUR,USD,nan\n' >"$base/fx-bad.csv"
    expect_err 1 'fx-bad.csv:3: rate: decimal "nan"' ingest fx "$base/fx-bad.csv"
    [ "$(count "SELECT count(*) FROM fx_rates_daily")" = 2 ] || fail "a rejected fx file stored rows"
    expect_err 2 "ingest fx: no FILE given" ingest fx
    expect 2 ingest fx "$base/fx.csv" --market XNYS
    expect_err 2 "ingest actions: no FILE given" ingest actions --market XNYS
}

# a decimal as the store keeps it: sqlite an integer of 1e-8 units, PostgreSQL numeric
ratio_of() {
    case $HIST_URL in
    sqlite:*) echo "${1}00000000" ;;
    *) printf '%s.00000000' "$1" ;;
    esac
}

# --- sqlite ---------------------------------------------------------------
mkdir -p "$base/sqlite"
cd "$base/sqlite"
RT_URL="sqlite:$base/sqlite/runtime.db"
HIST_URL="sqlite:$base/sqlite/historical.db"
scenario

# --- PostgreSQL -------------------------------------------------------------
tc_lib_pg_db
url=$PG_URL
mkdir -p "$base/pg"
cd "$base/pg"
RT_URL=$url
HIST_URL=$url
scenario
echo "ok"
