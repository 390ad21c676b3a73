#!/usr/bin/env bash
# Strategy parameters through the command line: each bad value of --param,
# --sweep and a --strategies YAML file is refused (exit 2 for options, 1 for
# the file) with a message naming the parameter, the value and the problem
# (too large with the largest accepted, more than 8 decimal places, a sign,
# a space, exponent notation, empty, NaN), and no --out folder is made.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init strategy_params

tc() { "$BIN" --set log.level=error "$@"; }
ORCL="$DATA/orcl-1995-2014.txt"
cd "$base"

# param|message, for --param and --sweep
while IFS='|' read -r kv msg; do
    [ -n "$kv" ] || continue
    expect_err 2 "strategy sma_cross: $msg" backtest --strategy sma_cross --param "$kv" \
        --data "$ORCL" --out "$base/o"
    [ ! -e "$base/o" ] || fail "--param $kv made the --out folder"
    expect_err 2 "--sweep: strategy sma_cross: $msg" backtest --strategy sma_cross \
        --sweep "${kv%%=*}=7,${kv#*=}" --data "$ORCL" --out "$base/o"
    [ ! -e "$base/o" ] || fail "--sweep $kv made the --out folder"
done <<'ROWS'
fast=1180591620717411303424|parameter fast: "1180591620717411303424" is too large (at most 100000)
stake=1e30|parameter stake: "1e30" is too large (at most 92233720368.54775807)
stake=0.000000001|parameter stake: "0.000000001" has more than 8 decimal places
fast=2.000000001|parameter fast: "2.000000001" is not a whole number
fast=-3|parameter fast -3 is below the minimum 1
stake=inf|parameter stake: "inf" is not a decimal number
slow=NaN|parameter slow: "NaN" is not a whole number
fast=+5|parameter fast: "+5" has a '+' sign (write 5)
fast= 5|parameter fast: " 5" has a space (write the number alone)
fast=1e1|parameter fast: "1e1" is in exponent notation (write 10)
ROWS
# an empty value (a sweep's empty item is the sweep's own error)
expect_err 2 'strategy sma_cross: parameter stake: "" is not a decimal number (the value is empty)' \
    backtest --strategy sma_cross --param stake= --data "$ORCL"
expect_err 2 'strategy donchian: parameter max_pyramids -0 is negative (the minimum is 0)' \
    backtest --strategy donchian --param max_pyramids=-0 --data "$ORCL"
expect_err 2 'strategy donchian: parameter risk: "1e9" is in exponent notation (write 1000000000)' \
    backtest --strategy donchian --param risk=1e9 --data "$ORCL"

# the same values from a --strategies file
n=0
while IFS='|' read -r key val msg; do
    [ -n "$key" ] || continue
    n=$((n + 1))
    printf 'strategies:\n  - name: s%d\n    strategy: sma_cross\n    params:\n      %s: %s\n' \
        "$n" "$key" "$val" >"$base/s.yaml"
    expect_err 1 "s.yaml:5: strategies[0]: strategy sma_cross: $msg" \
        backtest --strategies "$base/s.yaml" --data "$ORCL" --out "$base/o"
    [ ! -e "$base/o" ] || fail "$key: $val made the --out folder"
done <<'ROWS'
fast|1180591620717411303424|parameter fast: "1180591620717411303424" is too large (at most 100000)
stake|1e30|parameter stake: "1e30" is too large (at most 92233720368.54775807)
stake|0.000000001|parameter stake: "0.000000001" has more than 8 decimal places
stake|-1|parameter stake -1 is below the minimum 0.00000001
stake|.nan|parameter stake: ".nan" is not a decimal number
stake|.inf|parameter stake: ".inf" is not a decimal number
fast|''|parameter fast: "" is not a whole number (the value is empty)
fast|+5|parameter fast: "+5" has a '+' sign (write 5)
fast|"5 "|parameter fast: "5 " has a space (write the number alone)
stake|1.5e2|parameter stake: "1.5e2" is in exponent notation (write 150)
ROWS

# the good values still run
expect 0 backtest --strategy sma_cross --param fast=5 --param slow=20 --param stake=0.00000001 \
    --data "$ORCL" --to 1996-12-31 --json
jq_true '.parameters.strategies[0].params == {"fast":5,"slow":20,"stake":"0.00000001"}'
echo "ok"
