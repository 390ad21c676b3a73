#!/usr/bin/env bash
# tradecore backtest end to end: a run over a CSV file (summary text and
# --json fields, report files, byte-identical reruns), a run over stored bars
# on the XNYS calendar, a run kept in the runtime store (refused the second
# time under the same run id), strategies from YAML, a sweep split in shards,
# and the exit statuses and messages of bad input.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init cli_backtest

RT_URL="sqlite:$base/runtime.db"
HIST_URL="sqlite:$base/historical.db"
tc() {
    "$BIN" --set "database.runtime.url=$RT_URL" --set "database.historical.url=$HIST_URL" \
        --set log.level=error "$@"
}

ORCL="$DATA/orcl-1995-2014.txt"
NVDA="$DATA/nvda-1999-2014.txt"

cd "$base"

# --- help
expect 0 backtest --help
grep -q -- '--sweep k=a,b,c' "$base/out" || fail "help lacks --sweep"
# the strategies its --strategy line points to ("see below"), with their parameters
grep -q '^  sma_cross: long STAKE units' "$base/out" || fail "help lacks sma_cross"
grep -q '^    slow          period of the slow SMA, in bars (> fast); default 30, 2 to 100000$' \
    "$base/out" || fail "help lacks sma_cross's slow"
grep -q '^    stake         units bought on a crossover up; default 100, at least 0.00000001$' \
    "$base/out" || fail "help lacks sma_cross's stake"
grep -q '^  donchian: ' "$base/out" || fail "help lacks donchian"
grep -q -- '--commission-rate F  commission as a fraction of traded value, 0 <= F < 1' "$base/out" ||
    fail "help lacks --commission-rate's range"
grep -q '^    max_pyramids  layers on top of the base; default 3, 0 to 1000$' "$base/out" ||
    fail "help lacks donchian's max_pyramids"

# --- a run over a CSV file, text summary and report
expect 0 backtest --strategy sma_cross --param fast=10 --param slow=30 --param stake=100 \
    --cash 100000 --commission-rate 0.001 --data "$ORCL" --out "$base/r1"
grep -q '^sessions       5036 (1995-01-03 .. 2014-12-31), 5036 bars$' "$base/out" || fail "sessions line"
grep -q '^commission     343.7322463$' "$base/out" || fail "commission line"
grep -q "^report         $base/r1/report.html$" "$base/out" || fail "report line"
for f in summary.json fills.csv trades.csv equity.csv report.html; do
    [ -s "$base/r1/$f" ] || fail "r1/$f is missing"
done
[ "$(head -2 "$base/r1/fills.csv" | tail -1)" = "1995-05-12,ORCL,BUY,100,2.37037,0.237037" ] ||
    fail "first fill row: $(head -2 "$base/r1/fills.csv")"
[ "$(wc -l <"$base/r1/equity.csv")" -eq 5037 ] || fail "equity rows"

# the same again: byte-identical files
expect 0 backtest --strategy sma_cross --param fast=10 --param slow=30 --param stake=100 \
    --cash 100000 --commission-rate 0.001 --data "$ORCL" --out "$base/r2"
for f in summary.json fills.csv trades.csv equity.csv report.html; do
    cmp -s "$base/r1/$f" "$base/r2/$f" || fail "$f differs between two runs"
done

# --json
expect 0 backtest --strategy sma_cross --data "$ORCL" --commission-rate 0.001 --json
jq_true '.run_id | startswith("bt-")'
jq_true '.sessions == 5036 and .bars == 5036'
jq_true '.fills == 195 and .trades == 97 and .rejected == 0'
jq_true '.total_commission == "343.7322463"'
jq_true '.parameters.strategies[0].params == {"fast":10,"slow":30,"stake":"100"}'
jq_true '.report == null'

# --from / --to and --fill-at close
expect 0 backtest --strategy sma_cross --data "$ORCL" --from 2000-01-01 --to 2000-12-31 \
    --fill-at close --slippage-rate 0.001 --volume-cap 0.5 --json
jq_true '.from == "2000-01-03" and .to == "2000-12-29"'
jq_true '.parameters.fill_at == "close" and .parameters.slippage_rate == "0.001"'

# --- stores not created yet: the message says to run init (it was an SQL error)
expect_err 1 "historical store sqlite:$base/historical.db is not migrated (version 0, latest" \
    backtest --strategy sma_cross --symbols ORCL
expect_err 1 'run `tradecore init` or `tradecore db migrate`' \
    backtest --strategy sma_cross --symbols ORCL
expect_err 1 "runtime store sqlite:$base/runtime.db is not migrated (version 0, latest" \
    backtest --strategy sma_cross --data "$ORCL" --store

# --- stored bars, XNYS sessions, several instruments
expect 0 init
expect 0 market add XNYS --name "New York Stock Exchange" --timezone America/New_York
expect 0 ingest prices "$ORCL" "$NVDA" --market XNYS --create-instruments
expect 0 backtest --strategy donchian --symbols ORCL,NVDA --market XNYS --json --out "$base/d1"
jq_true '.parameters.market == "XNYS" and .parameters.instruments == ["ORCL","NVDA"]'
jq_true '.trades > 10 and .fills > 20'
grep -q ',NVDA,' "$base/d1/fills.csv" || fail "no NVDA fill"
expect_err 1 'instrument "NOPE"' backtest --strategy donchian --symbols ORCL,NOPE --market XNYS
# the market's stored calendar overrides apply: 2014-12-31 closed, the run ends a day early
expect 0 backtest --strategy sma_cross --symbols ORCL --market XNYS --from 2014-12-01 --json
jq_true '.to == "2014-12-31" and .sessions == 22'
sqlite3 "$base/historical.db" "INSERT INTO calendar_overrides (market_id, override_date, kind, reason, created_at) VALUES ('XNYS', '2014-12-31', 'CLOSED', 'test closure', '2026-01-01T00:00:00Z')"
expect 0 backtest --strategy sma_cross --symbols ORCL --market XNYS --from 2014-12-01 --json
jq_true '.to == "2014-12-30" and .sessions == 21'

# --- a run kept in the runtime store, then refused under the same run id
expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1999-12-31 --store --run-id keep-1 --json
jq_true '.run_id == "keep-1"'
n=$(sqlite3 "$base/runtime.db" "SELECT COUNT(*) FROM signal_log WHERE run_id = 'keep-1' AND mode = 'BACKTEST'")
[ "$n" = "$(jq '.signals' "$base/out")" ] || fail "signal_log has $n rows of keep-1"
f=$(sqlite3 "$base/runtime.db" "SELECT COUNT(*) FROM fills f JOIN orders o ON o.order_id = f.order_id WHERE o.run_id = 'keep-1'")
[ "$f" = "$(jq '.fills' "$base/out")" ] || fail "fills table has $f rows of keep-1"
expect_err 1 'run "keep-1" is already in the runtime store' \
    backtest --strategy sma_cross --data "$ORCL" --to 1999-12-31 --store --run-id keep-1
n2=$(sqlite3 "$base/runtime.db" "SELECT COUNT(*) FROM signal_log WHERE run_id = 'keep-1'")
[ "$n2" = "$n" ] || fail "the refused run changed the store"

# --- strategies from YAML: two in one portfolio, one disabled
cat >"$base/strats.yaml" <<'EOF'
strategies:
  - name: fast
    strategy: sma_cross
    params: {fast: 5, slow: 20, stake: 10}
  - name: turtle
    strategy: donchian
    enabled: false
EOF
expect 0 backtest --strategies "$base/strats.yaml" --data "$ORCL" --to 1996-12-31 --json
jq_true '.parameters.strategies | length == 2'
jq_true '.parameters.strategies[0].params.fast == 5 and .parameters.strategies[1].enabled == false'
cat >"$base/bad.yaml" <<'EOF'
strategies:
  - strategy: sma_cross
    params: {fats: 5}
EOF
expect_err 1 'bad.yaml:3: strategies[0]: strategy sma_cross: unknown parameter "fats"' \
    backtest --strategies "$base/bad.yaml" --data "$ORCL"
printf 'strategies: [\n' >"$base/broken.yaml"
expect_err 1 "broken.yaml:" backtest --strategies "$base/broken.yaml" --data "$ORCL"
expect_err 1 'strategies file' backtest --strategies "$base/none.yaml" --data "$ORCL"
printf 'strategies:\n  - name: a\n    strategy: sma_cross\n  - name: a\n    strategy: donchian\n' \
    >"$base/dupname.yaml"
expect 1 backtest --strategies "$base/dupname.yaml" --data "$ORCL"
# the library's message starts with "backtest:": said once
[ "$(cat "$base/err")" = 'tradecore: backtest: strategy name "a" is used twice' ] ||
    fail "two strategies named a: $(cat "$base/err")"
# a misspelt or repeated key of a strategy is refused (it was ignored, or the first taken)
printf 'strategies:\n  - strategy: sma_cross\n    parms: {fast: 5}\n' >"$base/typo.yaml"
expect_err 1 'typo.yaml:3: strategies[0]: unknown key "parms" (keys: name, strategy, enabled, params)' \
    backtest --strategies "$base/typo.yaml" --data "$ORCL"
printf 'strategies:\n  - strategy: sma_cross\n  - strategy: donchian\n    strategy: sma_cross\n' \
    >"$base/twice.yaml"
expect_err 1 'twice.yaml:4: strategies[1]: "strategy" is given twice' \
    backtest --strategies "$base/twice.yaml" --data "$ORCL"
# a key that is not a scalar, an empty key, and "params" twice with a key
# between (the second on line 5)
printf 'strategies:\n  - strategy: sma_cross\n    ? [a]\n    : 1\n' >"$base/nskey.yaml"
expect_err 1 'nskey.yaml:3: strategies[0]: unknown key "(not a scalar)"' \
    backtest --strategies "$base/nskey.yaml" --data "$ORCL"
printf 'strategies:\n  - strategy: sma_cross\n    "": 1\n' >"$base/emptykey.yaml"
expect_err 1 'emptykey.yaml:3: strategies[0]: unknown key ""' \
    backtest --strategies "$base/emptykey.yaml" --data "$ORCL"
printf 'strategies:\n  - strategy: sma_cross\n    params: {fast: 5}\n    name: x\n    params: {fast: 6}\n' \
    >"$base/twoparams.yaml"
expect_err 1 'twoparams.yaml:5: strategies[0]: "params" is given twice' \
    backtest --strategies "$base/twoparams.yaml" --data "$ORCL"
# every refusal of an item names the line of what it refuses: the item, its
# strategy, name, enabled or params node, or the parameter's value
printf 'strategies:\n  - strategy: sma_cross\n  - name: b\n    enabled: true\n' >"$base/nocls.yaml"
expect_err 1 'nocls.yaml:3: strategies[1]: "strategy" is missing' \
    backtest --strategies "$base/nocls.yaml" --data "$ORCL"
printf 'strategies:\n  - name: a\n\n    strategy: sma_crossing\n' >"$base/unk.yaml"
expect_err 1 'unk.yaml:4: strategies[0]: ' backtest --strategies "$base/unk.yaml" --data "$ORCL"
grep -q 'sma_crossing' "$base/err" || fail "an unknown strategy is not named: $(cat "$base/err")"
printf 'strategies:\n  - strategy: sma_cross\n    enabled: yes please\n' >"$base/enab.yaml"
expect_err 1 'enab.yaml:3: strategies[0]: enabled "yes please" is not true or false' \
    backtest --strategies "$base/enab.yaml" --data "$ORCL"
printf 'strategies:\n  - strategy: sma_cross\n    params: [5]\n' >"$base/plist.yaml"
expect_err 1 'plist.yaml:3: strategies[0]: "params" must be a mapping' \
    backtest --strategies "$base/plist.yaml" --data "$ORCL"
printf 'strategies:\n  - strategy: sma_cross\n    params:\n      fast: [5]\n' >"$base/pns.yaml"
expect_err 1 'pns.yaml:4: strategies[0]: params must be scalars' \
    backtest --strategies "$base/pns.yaml" --data "$ORCL"
printf 'strategies:\n  - strategy: sma_cross\n  - strategy: sma_cross\n    params:\n      fast: 30\n      slow: 10\n' \
    >"$base/order.yaml"
expect_err 1 'order.yaml:5: strategies[1]: strategy sma_cross: ' \
    backtest --strategies "$base/order.yaml" --data "$ORCL"
[ ! -s "$base/out" ] || fail "a refused strategies file printed a result"

# --- sweeps and shards: 2 x 2 combinations, index = fast index x 2 + slow index
expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1999-12-31 \
    --sweep fast=5,10 --sweep slow=20,30 --json --out "$base/sw"
jq_true '.combinations == 4 and (.runs | length) == 4'
jq_true '[.runs[].combination] == ["fast-5_slow-20","fast-5_slow-30","fast-10_slow-20","fast-10_slow-30"]'
for c in fast-5_slow-20 fast-5_slow-30 fast-10_slow-20 fast-10_slow-30; do
    [ -s "$base/sw/$c/summary.json" ] || fail "sweep $c has no report"
done
expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1999-12-31 \
    --sweep fast=5,10 --sweep slow=20,30 --shard 1/2 --json
jq_true '.shard == "1/2" and [.runs[].combination] == ["fast-5_slow-30","fast-10_slow-30"]'
expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1999-12-31 \
    --sweep fast=5,10 --sweep slow=20,30 --shard 0/2
[ "$(grep -c '^fast-' "$base/out")" -eq 2 ] || fail "shard 0/2 table rows"
grep -q '^fast-5_slow-20 ' "$base/out" || fail "shard 0/2 lacks index 0"
grep -q '^fast-10_slow-20 ' "$base/out" || fail "shard 0/2 lacks index 2"

# --- bad input: usage errors (2) and runtime errors (1), with messages
expect_err 2 'unknown strategy "nope" (strategies: sma_cross, donchian)' \
    backtest --strategy nope --data "$ORCL"
expect_err 2 'strategy sma_cross: unknown parameter "fats" (parameters: fast, slow, stake)' \
    backtest --strategy sma_cross --param fats=3 --data "$ORCL"
expect_err 2 'strategy sma_cross: parameter fast: "ten" is not a whole number' \
    backtest --strategy sma_cross --param fast=ten --data "$ORCL"
expect_err 2 'strategy sma_cross: parameter stake: "NaN" is not a decimal number' \
    backtest --strategy sma_cross --param stake=NaN --data "$ORCL"
expect_err 2 'strategy sma_cross: parameter fast -1 is below the minimum 1' \
    backtest --strategy sma_cross --param fast=-1 --data "$ORCL"
expect_err 2 '--param fast is given twice' \
    backtest --strategy sma_cross --param fast=5 --param fast=6 --data "$ORCL"
expect_err 2 'parameter fast 30 must be below slow 30' \
    backtest --strategy sma_cross --param fast=30 --data "$ORCL"
expect_err 1 "$base/missing.csv" backtest --strategy sma_cross --data "$base/missing.csv"
printf 'Date,Open,High,Low,Close,Adj Close,Volume\n2014-01-02,1,2,0.5,3,3,10\n' >"$base/bad-1.csv"
expect_err 1 'bad-1.csv:2: close 3 is above high 2' backtest --strategy sma_cross --data "$base/bad-1.csv"
# bad price files: one error naming the file (and line), nothing on standard
# output, no report folder
H='Date,Open,High,Low,Close,Adj Close,Volume'
R='2014-01-02,1,2,0.5,1.5,1.5,10'
: >"$base/EMPTY.csv"
printf '%s\n' "$H" >"$base/HDR.csv"
printf '%s\n%s\n2014-01-03,NaN,2,0.5,1.5,1.5,10\n' "$H" "$R" >"$base/NANP.csv"
printf '%s\n%s\n2014-01-03,1,2,0.5,1.5,1.5,-5\n' "$H" "$R" >"$base/NEGV.csv"
printf '%s\n%s\n%s\n' "$H" "$R" "$R" >"$base/DUPD.csv"
printf '%s\n2014-01-03,1,2,0.5,1.5,1.5,10\n%s\n' "$H" "$R" >"$base/ORDR.csv"
for c in 'EMPTY.csv: empty file (no header line)' 'HDR.csv:1: no data rows after the header' \
    'NANP.csv:3: open "NaN" is not a decimal number' 'NEGV.csv:3: volume -5 is negative' \
    'DUPD.csv:3: duplicate date 2014-01-02 of DUPD (first on line 2)' \
    'ORDR.csv:3: date 2014-01-02 of ORDR is not after 2014-01-03 (line 2)'; do
    f=${c%%:*}
    expect_err 1 "$base/$c" backtest --strategy sma_cross --data "$base/$f" --out "$base/r-$f"
    [ ! -s "$base/out" ] || fail "$f: something on standard output"
    [ "$(wc -l <"$base/err")" -eq 1 ] || fail "$f: more than one line of error"
    [ ! -e "$base/r-$f" ] || fail "$f: a report folder was made"
done
expect_err 1 "$base: is a directory" backtest --strategy sma_cross --data "$base"
cp "$base/NANP.csv" "$base/a b.csv"
expect_err 1 "a b.csv: symbol id \"A B\" has a character that is not allowed: ' ' (the symbol is the file name's part before the first '-' or '.')" \
    backtest --strategy sma_cross --data "$base/a b.csv"
grep -q -- '--symbol' "$base/err" && fail "backtest's error names --symbol, an option it lacks"
: >"$base/afile"
expect_err 1 "report folder \"$base/afile\": not a directory" \
    backtest --strategy sma_cross --data "$ORCL" --to 1995-12-31 --out "$base/afile"
[ ! -s "$base/out" ] || fail "--out a file: something on standard output"
expect_err 2 '--from 2010-01-02 is after --to 2010-01-01' \
    backtest --strategy sma_cross --data "$ORCL" --from 2010-01-02 --to 2010-01-01
expect_err 2 '--from:' backtest --strategy sma_cross --data "$ORCL" --from 2010-02-30
expect_err 2 '--shard "0/0": N must be a whole number >= 1' \
    backtest --strategy sma_cross --data "$ORCL" --sweep fast=5,6 --shard 0/0
expect_err 2 '--shard "3/2": i must be below N (0-based)' \
    backtest --strategy sma_cross --data "$ORCL" --sweep fast=5,6 --shard 3/2
expect_err 2 '--shard "x" is not i/N' backtest --strategy sma_cross --data "$ORCL" --sweep fast=5 --shard x
expect_err 2 '--shard splits a --sweep' backtest --strategy sma_cross --data "$ORCL" --shard 0/2
expect_err 2 '--sweep: strategy sma_cross: parameter fast: "x" is not a whole number' \
    backtest --strategy sma_cross --data "$ORCL" --sweep fast=5,x
expect_err 2 '--sweep fast has an empty value' backtest --strategy sma_cross --data "$ORCL" --sweep fast=5,,6
expect_err 2 'give one of --strategy NAME or --strategies FILE' backtest --data "$ORCL"
expect_err 2 'give one of --data FILE... or --symbols S,...' backtest --strategy sma_cross
expect_err 2 '--market: ' backtest --strategy sma_cross --data "$ORCL" --market XXXX
expect_err 2 '--cash: ' backtest --strategy sma_cross --data "$ORCL" --cash abc
expect_err 2 '--cash 0 must be positive' backtest --strategy sma_cross --data "$ORCL" --cash 0
expect_err 2 '--cash -1 must be positive' backtest --strategy sma_cross --data "$ORCL" --cash -1
expect_err 2 '--cash: decimal "NaN"' backtest --strategy sma_cross --data "$ORCL" --cash NaN
expect_err 2 '--commission-rate 2 must be below 1' \
    backtest --strategy sma_cross --data "$ORCL" --commission-rate 2
expect_err 2 '--commission-rate 1 must be below 1' \
    backtest --strategy sma_cross --data "$ORCL" --commission-rate 1
expect_err 2 '--commission-rate: decimal "NaN"' \
    backtest --strategy sma_cross --data "$ORCL" --commission-rate NaN
expect_err 2 '--slippage-rate 2 must be below 1' \
    backtest --strategy sma_cross --data "$ORCL" --slippage-rate 2
expect_err 2 '--slippage-rate 1 must be below 1' \
    backtest --strategy sma_cross --data "$ORCL" --slippage-rate 1
expect_err 2 '--slippage-rate -0.01 must not be negative' \
    backtest --strategy sma_cross --data "$ORCL" --slippage-rate -0.01
expect_err 2 '--commission-rate -0.01 must not be negative' \
    backtest --strategy sma_cross --data "$ORCL" --commission-rate -0.01
# a volume cap of 1 (the whole bar) is allowed, more is not
expect_err 2 '--volume-cap 1.5 must be at most 1' \
    backtest --strategy sma_cross --data "$ORCL" --volume-cap 1.5
expect_err 2 '--volume-cap -0.5 must not be negative' \
    backtest --strategy sma_cross --data "$ORCL" --volume-cap -0.5
expect_err 2 '--volume-cap: decimal "NaN"' \
    backtest --strategy sma_cross --data "$ORCL" --volume-cap NaN
expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1995-12-31 --volume-cap 1
# an option that takes one value, given twice: refused, not the last one taken
expect_err 2 '--strategy is given twice' \
    backtest --strategy sma_cross --strategy donchian --data "$ORCL"
expect_err 2 '--to is given twice' \
    backtest --strategy sma_cross --data "$ORCL" --to 2000-01-01 --to 2001-01-01
expect_err 2 '--out is given twice' \
    backtest --strategy sma_cross --data "$ORCL" --out "$base/o1" --out "$base/o2"
[ ! -e "$base/o1" ] && [ ! -e "$base/o2" ] || fail "--out given twice wrote a report"
# a sweep value twice would run one combination twice into one folder
expect_err 2 '--sweep fast has the value 5 twice' \
    backtest --strategy sma_cross --data "$ORCL" --sweep fast=5,6,5 --out "$base/sw2"
[ ! -e "$base/sw2" ] || fail "a refused sweep wrote a report"
expect_err 2 '--sweep: strategy sma_cross: unknown parameter "nope"' \
    backtest --strategy sma_cross --data "$ORCL" --sweep nope=1,2
expect_err 2 '--sweep "fast=" is not k=a,b,c' backtest --strategy sma_cross --data "$ORCL" --sweep fast=
expect_err 2 '--commission-rate -0.1 must not be negative' \
    backtest --strategy sma_cross --data "$ORCL" --commission-rate -0.1
expect_err 2 '--fill-at "open" is not next_open or close' \
    backtest --strategy sma_cross --data "$ORCL" --fill-at open
expect_err 2 'unknown option "--bogus"' backtest --strategy sma_cross --data "$ORCL" --bogus
expect_err 2 '--out needs a value' backtest --strategy sma_cross --data "$ORCL" --out
expect_err 2 'instrument "ORCL" is in two --data files' \
    backtest --strategy sma_cross --data "$ORCL" --data "$ORCL"
expect_err 1 'no bars between 2030-01-01' backtest --strategy sma_cross --data "$ORCL" --from 2030-01-01
expect_err 2 '--run-id: ' backtest --strategy sma_cross --data "$ORCL" --run-id 'a b'

# --- PostgreSQL: stored bars and a stored run, the same results as in memory
expect 0 backtest --strategy donchian --symbols ORCL --market XNYS --to 2004-12-31 --json
mem_value=$(jq -r '.final_value' "$base/out")
mem_fills=$(jq '.fills' "$base/out")
tc_lib_pg_db
url=$PG_URL
RT_URL=$url
HIST_URL=$url
expect 0 init
expect 0 market add XNYS --name "New York Stock Exchange" --timezone America/New_York
expect 0 ingest prices "$ORCL" --market XNYS --create-instruments
expect 0 backtest --strategy donchian --symbols ORCL --market XNYS --to 2004-12-31 --store \
    --run-id pg-1 --json
jq_true ".run_id == \"pg-1\" and .final_value == \"$mem_value\" and .fills == $mem_fills"
n=$(psql -tA "$url" -c "SELECT COUNT(*) FROM signal_log WHERE run_id = 'pg-1' AND mode = 'BACKTEST'")
[ "$n" = "$(jq '.signals' "$base/out")" ] || fail "PostgreSQL signal_log has $n rows of pg-1"
f=$(psql -tA "$url" -c "SELECT COUNT(*) FROM fills f JOIN orders o ON o.order_id = f.order_id WHERE o.run_id = 'pg-1'")
[ "$f" = "$mem_fills" ] || fail "PostgreSQL fills table has $f rows of pg-1"
expect_err 1 'run "pg-1" is already in the runtime store' \
    backtest --strategy donchian --symbols ORCL --market XNYS --to 2004-12-31 --store --run-id pg-1

echo "ok"
