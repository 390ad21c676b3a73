#!/bin/sh
# `make demo`: creates the embedded stores under var/ (tradecore init), registers
# sample reference data (market XNYS, issuers, instruments ORCL, YHOO and NVDA),
# a portfolio and a strategy, then prints the stores' migration status and the
# instruments; ingests daily bars (../shared/data's ORCL, YHOO and NVDA files
# when present, else three instruments from `tradecore gen-bars`) into the
# historical store and backtests `donchian` on them over the XNYS sessions,
# writing the report under var/demo/. Safe to run again: entries that already
# exist are reported and skipped, bars already stored are unchanged, the
# report is rewritten identically; any other failure stops the demo with its
# message and status.
#   sh scripts/demo.sh [path/to/tradecore]
set -eu

bin=${1:-build/tradecore}
case $bin in
/*) ;;
*) bin="$(pwd)/$bin" ;;
esac
cd "$(dirname "$0")/.."
[ -x "$bin" ] || { echo "demo: $bin is not an executable (run make first)" >&2; exit 1; }

errfile=$(mktemp "${TMPDIR:-/tmp}/tradecore-demo.XXXXXX")
trap 'rm -f "$errfile"' EXIT INT TERM

# Runs tradecore ARGS; an "already exists" failure (exit 1) is tolerated.
add() {
    if "$bin" "$@" 2>"$errfile"; then
        return 0
    else
        rc=$?
    fi
    if [ "$rc" -eq 1 ] && grep -q 'already exists' "$errfile"; then
        echo "  (skipped: $(sed 's/^tradecore: [a-z]*: //' "$errfile"))"
        return 0
    fi
    cat "$errfile" >&2
    exit "$rc"
}

echo "== tradecore init"
"$bin" init

echo "== reference data"
add market add XNYS --name "New York Stock Exchange" --region US --timezone America/New_York
add instrument issuer add ORACLE --name "Oracle Corporation" --country US \
    --sector "Information Technology" --industry Software
add instrument issuer add YAHOO --name "Yahoo! Inc." --country US \
    --sector "Communication Services" --industry "Internet Services"
add instrument issuer add NVIDIA --name "NVIDIA Corporation" --country US \
    --sector "Information Technology" --industry Semiconductors
add instrument add ORCL --symbol ORCL --market XNYS --asset-class EQUITY --currency USD \
    --issuer ORACLE --lot-size 1 --tick-size 0.01
add instrument add YHOO --symbol YHOO --market XNYS --asset-class EQUITY --currency USD \
    --issuer YAHOO --lot-size 1 --tick-size 0.01
add instrument add NVDA --symbol NVDA --market XNYS --asset-class EQUITY --currency USD \
    --issuer NVIDIA --lot-size 1 --tick-size 0.01

echo "== accounts"
add portfolio add demo --name "Demo portfolio" --base-currency USD \
    --initial-capital 100000 --description "sample portfolio of make demo"
add strategy add sma-cross --name "SMA crossover" --param fast=10 --param slow=30 \
    --description "long when the fast SMA crosses above the slow one"

echo "== tradecore db status"
"$bin" db status
echo "== tradecore instrument list"
"$bin" instrument list

echo "== market data"
data=../shared/data
if [ -f "$data/orcl-1995-2014.txt" ] && [ -f "$data/yhoo-1996-2014.txt" ] &&
    [ -f "$data/nvda-1999-2014.txt" ]; then
    symbols=ORCL,YHOO,NVDA
    "$bin" ingest prices "$data/orcl-1995-2014.txt" "$data/yhoo-1996-2014.txt" \
        "$data/nvda-1999-2014.txt" --market XNYS
else
    echo "($data has no ORCL/YHOO/NVDA files: generating three instruments)"
    symbols=SYN001,SYN002,SYN003
    mkdir -p var/demo/bars
    "$bin" gen-bars --instruments 3 --bars 5000 --seed 42 --start 1995-01-03 --out var/demo/bars
    "$bin" ingest prices var/demo/bars/SYN001.csv var/demo/bars/SYN002.csv \
        var/demo/bars/SYN003.csv --market XNYS --create-instruments
fi

echo "== tradecore backtest --strategy donchian --symbols $symbols --market XNYS"
mkdir -p var/demo
"$bin" backtest --strategy donchian --symbols "$symbols" --market XNYS \
    --commission-rate 0.001 --out var/demo/donchian
echo "report: $(pwd)/var/demo/donchian/report.html"
