#!/usr/bin/env bash
# --volume-cap through tradecore backtest: the rest of a capped order is
# carried to later bars (the ledger's orders are GTC), and an EXIT while an
# entry is still working cancels its rest and sells what it holds. On the
# HOL bars (volume 100000 every day: a cap of 0.001 lets 100 shares a bar),
# sma_cross fast 2 slow 3 crosses up on 07-02 (BUY at the next opens),
# down on 07-07 (SELL at the next opens), up on 07-10 and 07-17; every
# figure below is computed by hand from the bars:
#   - stake 250: BUY 100 13.25 (07-03), 100 12.5 (07-04), 50 10.25 (07-07);
#     the EXIT of 07-07 sells the 250 held, 100 a bar: 11.5 (07-08), 12.75
#     (07-10), 11.25 (07-11); the 07-10 cross finds the base still open (no
#     signal), the 07-17 one buys 100 at 13.75 on 07-18, its rest working;
#   - 07-08's volume 50000: the exit sells 50 that day, 100 and 100 after;
#   - stake 1000: 300 filled when the EXIT of 07-07 comes: the rest (700) is
#     canceled, the 300 sold over 07-08, 07-10, 07-11;
#   - with --store: the stored orders say so (GTC, filled quantities,
#     CANCELED with its filled 300), the ledger check is clean, and the
#     output files are those of the in-memory run.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init backtest_vcap

tc_lib_tc_sqlite
cd "$base"

tc_lib_hol_bars "$base"

bt() { # FILE OUT STAKE [ARGS...]
    local f=$1 o=$2 stake=$3
    shift 3
    expect 0 backtest --strategy sma_cross --param fast=2 --param slow=3 --param stake="$stake" \
        --volume-cap 0.001 --data "$f" --out "$o" "$@"
}
same() { # WANT FILE
    [ "$1" = "$(cat "$2")" ] || fail "$2 is
$(cat "$2")
expected
$1"
}
q() { sqlite3 "$base/runtime.db" "$1"; }
same_files() { # MEM STORED: the --store run's files are the in-memory run's
    local f
    for f in fills.csv trades.csv equity.csv; do
        cmp -s "$1/$f" "$2/$f" || fail "--store changed $f ($2)"
    done
}
orders() { # RUN_ID: the run's stored orders, oldest first
    q "SELECT substr(client_order_id, -2), side, time_in_force, quantity, filled_quantity,
        status FROM orders WHERE run_id = '$1' ORDER BY created_at, order_id"
}

expect 0 init

# ---- stake 250: the rest carried ---------------------------------------------
bt HOL.csv m250 250
same 'date,instrument,side,quantity,price,commission
2014-07-03,HOL,BUY,100,13.25,0
2014-07-04,HOL,BUY,100,12.5,0
2014-07-07,HOL,BUY,50,10.25,0
2014-07-08,HOL,SELL,100,11.5,0
2014-07-10,HOL,SELL,100,12.75,0
2014-07-11,HOL,SELL,50,11.25,0
2014-07-18,HOL,BUY,100,13.75,0' m250/fills.csv
# entry (1325 + 1250 + 512.5) / 250 = 12.35, exit (1150 + 1275 + 562.5) / 250
# = 11.95: gross -0.4 x 250 = -100
same 'instrument,side,entry_date,entry_price,exit_date,exit_price,quantity,gross,commission,net
HOL,LONG,2014-07-03,12.35,2014-07-11,11.95,250,-100,0,-100' m250/trades.csv
# cash = 100000 - 100; the 100 bought on 07-18 marked at its close 13
jq -e '.n_fills == 7 and .n_trades == 1 and .final_cash == "99900" and .final_value == "99825"' \
    m250/summary.json >/dev/null || fail "m250 summary: $(cat m250/summary.json)"
bt HOL.csv s250 250 --store --run-id vcap
same_files m250 s250
same 'L0|BUY|GTC|25000000000|25000000000|FILLED
X0|SELL|GTC|25000000000|25000000000|FILLED
L0|BUY|GTC|25000000000|10000000000|PARTIALLY_FILLED' <(orders vcap)
same 'closed|0|25000000000
open|10000000000|0' <(q "SELECT status, quantity, closed_quantity FROM positions
    WHERE portfolio_id = 'vcap' ORDER BY entry_time")
expect 0 ledger check
grep -q 'ledger check: clean' "$base/out" || fail "ledger check after vcap"

# ---- 07-08's volume 50000: the exit sells 50 that day ------------------------
bt HOLV.csv v250 250
same 'date,instrument,side,quantity,price,commission
2014-07-03,HOLV,BUY,100,13.25,0
2014-07-04,HOLV,BUY,100,12.5,0
2014-07-07,HOLV,BUY,50,10.25,0
2014-07-08,HOLV,SELL,50,11.5,0
2014-07-10,HOLV,SELL,100,12.75,0
2014-07-11,HOLV,SELL,100,11.25,0
2014-07-18,HOLV,BUY,100,13.75,0' v250/fills.csv
# exit (575 + 1275 + 1125) / 250 = 11.9: gross -0.45 x 250 = -112.5
same 'instrument,side,entry_date,entry_price,exit_date,exit_price,quantity,gross,commission,net
HOLV,LONG,2014-07-03,12.35,2014-07-11,11.9,250,-112.5,0,-112.5' v250/trades.csv

# ---- stake 1000: the EXIT cancels the entry's rest ----------------------------
bt HOL.csv m1000 1000
same 'date,instrument,side,quantity,price,commission
2014-07-03,HOL,BUY,100,13.25,0
2014-07-04,HOL,BUY,100,12.5,0
2014-07-07,HOL,BUY,100,10.25,0
2014-07-08,HOL,SELL,100,11.5,0
2014-07-10,HOL,SELL,100,12.75,0
2014-07-11,HOL,SELL,100,11.25,0
2014-07-18,HOL,BUY,100,13.75,0' m1000/fills.csv
# entry 3600 / 300 = 12, exit 3550 / 300 = 11.83333333 (half-even to 8
# places), gross 3550 - 3600 = -50
same 'instrument,side,entry_date,entry_price,exit_date,exit_price,quantity,gross,commission,net
HOL,LONG,2014-07-03,12,2014-07-11,11.83333333,300,-50,0,-50' m1000/trades.csv
jq -e '.n_fills == 7 and .n_trades == 1 and .final_cash == "99950" and .final_value == "99875"' \
    m1000/summary.json >/dev/null || fail "m1000 summary: $(cat m1000/summary.json)"
bt HOL.csv s1000 1000 --store --run-id vc1000
same_files m1000 s1000
# the first entry CANCELED with its 300 filled, the exit of exactly those
same 'L0|BUY|GTC|100000000000|30000000000|CANCELED
X0|SELL|GTC|30000000000|30000000000|FILLED
L0|BUY|GTC|100000000000|10000000000|PARTIALLY_FILLED' <(orders vc1000)
same 'EXIT|accepted|exit: 1 layer(s) of HOL (canceling 1 working entry order(s))' \
    <(q "SELECT signal_type, status, reason FROM signal_log WHERE run_id = 'vc1000'
         AND signal_type = 'EXIT'")
same 'closed|0|30000000000|-5000000000
open|10000000000|0|0' <(q "SELECT status, quantity, closed_quantity, realized_pnl FROM positions
    WHERE portfolio_id = 'vc1000' ORDER BY entry_time")
# the cash identity: initial + realised - commission
same '9995000000000|9995000000000' <(q "SELECT cash, initial_capital + realized_pnl - commission_paid
    FROM portfolio_state WHERE portfolio_id = 'vc1000'")
same '30000000000|30000000000' <(q "SELECT
    (SELECT SUM(f.quantity) FROM fills f JOIN orders o ON o.order_id = f.order_id
      WHERE o.run_id = 'vc1000' AND o.intent = 'CLOSE'),
    (SELECT SUM(f.quantity) FROM fills f JOIN orders o ON o.order_id = f.order_id
      WHERE o.client_order_id = 'id:vc1000.0.1:L0')")
expect 0 ledger check
grep -q 'ledger check: clean' "$base/out" || fail "ledger check after vc1000"
echo "ok"
