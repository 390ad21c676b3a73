#!/usr/bin/env bash
# tradecore backtest --data over many files, loaded on worker threads
# (TC_TEST_LOAD_THREADS sets their number): the summary and every report file
# are byte-identical with 1, 2, 4 and the default number of workers; a bad
# file among good ones is reported with its file:line (the first bad file in
# input order) whatever the workers; an instrument given twice before a bad
# file is still the error reported, as when files were read one by one.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init cli_backtest_load

tc() {
    "$BIN" --set "database.runtime.url=sqlite:$base/runtime.db" \
        --set "database.historical.url=sqlite:$base/historical.db" --set log.level=error "$@"
}

cd "$base"
expect 0 gen-bars --instruments 12 --bars 400 --seed 7 --out "$base/bars"
data=()
for f in "$base"/bars/SYN0*.csv; do data+=(--data "$f"); done
[ "${#data[@]}" -eq 24 ] || fail "gen-bars made $((${#data[@]} / 2)) files, want 12"

run() { # WORKERS NAME: a run into $base/out_NAME (stdout kept as summary.txt)
    local w=$1 name=$2
    rm -rf "$base/run"
    if [ "$w" = default ]; then
        expect 0 backtest --strategy sma_cross --json --out "$base/run" "${data[@]}"
    else
        TC_TEST_LOAD_THREADS=$w expect 0 backtest --strategy sma_cross --json --out "$base/run" \
            "${data[@]}"
    fi
    cp "$base/out" "$base/run/stdout.json"
    rm -rf "$base/out_$name"
    mv "$base/run" "$base/out_$name"
}
run 1 w1
jq_true '.bars == 4800 and .sessions == 400 and .fills > 0'
for w in 2 4 default; do
    run "$w" "w$w"
    diff -r "$base/out_w1" "$base/out_w$w" >"$base/diff" || fail "outputs differ with $w workers: $(head -20 "$base/diff")"
done
for f in stdout.json summary.json fills.csv trades.csv equity.csv report.html; do
    [ -s "$base/out_w1/$f" ] || fail "$f is missing"
done

# a bad file among good ones: its file:line, the same with any worker count
printf 'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,2,0.5,1.5,1.5,7\n2020-01-03,1,2,3,1.5,1.5,7\n' \
    >"$base/BAD.csv"
printf 'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,nan,2,0.5,1.5,1.5,7\n' >"$base/WORSE.csv"
bad=("${data[@]:0:10}" --data "$base/BAD.csv" "${data[@]:10:8}" --data "$base/WORSE.csv" "${data[@]:18}")
for w in 1 2 4 8; do
    TC_TEST_LOAD_THREADS=$w expect_err 1 "BAD.csv:3: low 3 is above high 2" backtest \
        --strategy sma_cross "${bad[@]}"
    ! grep -q WORSE "$base/err" || fail "the later bad file was reported"
    cp "$base/err" "$base/err_w$w"
    cmp -s "$base/err_w1" "$base/err_w$w" || fail "stderr differs with $w workers"
done
[ ! -e "$base/run" ] || fail "a failed run wrote a report"

# an instrument twice before the bad file: that comes first, as before
cp "$base/bars/SYN001.csv" "$base/syn001-again.csv"
TC_TEST_LOAD_THREADS=4 expect_err 2 'instrument "SYN001" is in two --data files' backtest \
    --strategy sma_cross "${data[@]:0:4}" --data "$base/syn001-again.csv" --data "$base/BAD.csv"
# ... and after it, the bad file is the first problem
TC_TEST_LOAD_THREADS=4 expect_err 1 "BAD.csv:3: low 3 is above high 2" backtest \
    --strategy sma_cross "${data[@]:0:4}" --data "$base/BAD.csv" --data "$base/syn001-again.csv"
# a missing file names itself
TC_TEST_LOAD_THREADS=3 expect_err 1 "NONE.csv: cannot open" backtest --strategy sma_cross \
    "${data[@]:0:6}" --data "$base/NONE.csv" "${data[@]:6}"
echo "ok"
