#!/usr/bin/env bash
# tradecore backtest's output files checked against values computed here from
# the input and the other files, not taken from the program:
#   - sma_cross 10/30, stake 100, cash 100000, commission 0.001 on ORCL: every
#     fill (side, positive quantity, commission = 0.001 x value), every trade
#     (its fills, gross, commission, net), one equity row per date of the file,
#     the cash identity to the last decimal, and every metric of summary.json
#     recomputed from equity.csv, fills.csv and trades.csv;
#   - report.html: self-contained, two SVG charts, one monthly row per year
#     with the month returns of equity.csv, one trade row per trade;
#   - --market: the calendar's sessions, not the data's dates (a bar on a
#     holiday is read at the next session, a session without a bar is marked
#     at the last close and an order waits for the next bar);
#   - the progress bar on a terminal only, and only for a long run;
#   - strategies from YAML: a disabled one sends no signal and changes nothing;
#   - --store: the stored fills are those of fills.csv, under the run id, in
#     mode BACKTEST;
#   - bars appended after --to change no output.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init backtest_outputs

tc_lib_tc_sqlite

ORCL="$DATA/orcl-1995-2014.txt"
cd "$base"

# Exact decimal arithmetic in awk: a decimal string as an integer count of
# 1e-8 (exact in a double up to 2^53, 90 million units of money) and back.
AWK_DEC='
function units(s,   neg, ip, fp, n) {
    neg = 0
    if (substr(s, 1, 1) == "-") { neg = 1; s = substr(s, 2) }
    n = index(s, ".")
    if (n) { ip = substr(s, 1, n - 1); fp = substr(s, n + 1) } else { ip = s; fp = "" }
    while (length(fp) < 8) fp = fp "0"
    return (neg ? -1 : 1) * (ip * 100000000 + fp)
}
function dec(u,   neg, ip, fp) {
    neg = u < 0
    if (neg) u = -u
    ip = int(u / 100000000)
    fp = sprintf("%08.0f", u - ip * 100000000)
    sub(/0+$/, "", fp)
    return (neg ? "-" : "") sprintf("%.0f", ip) (fp == "" ? "" : "." fp)
}'

# ============================================================================
# 1. sma_cross on ORCL: the files and the metrics
# ============================================================================
expect 0 backtest --strategy sma_cross --param fast=10 --param slow=30 --param stake=100 \
    --cash 100000 --commission-rate 0.001 --data "$ORCL" --out "$base/r"
R=$base/r
S=$R/summary.json

[ "$(head -1 "$R/fills.csv")" = "date,instrument,side,quantity,price,commission" ] ||
    fail "fills.csv header: $(head -1 "$R/fills.csv")"
[ "$(head -1 "$R/trades.csv")" = \
    "instrument,side,entry_date,entry_price,exit_date,exit_price,quantity,gross,commission,net" ] ||
    fail "trades.csv header: $(head -1 "$R/trades.csv")"
[ "$(head -1 "$R/equity.csv")" = "date,cash,equity" ] || fail "equity.csv header"

# equity.csv: one row per date of the file (no --market: the data's dates)
tail -n +2 "$ORCL" | cut -d, -f1 >"$base/orcl.dates"
tail -n +2 "$R/equity.csv" | cut -d, -f1 >"$base/eq.dates"
cmp -s "$base/orcl.dates" "$base/eq.dates" || fail "equity.csv's dates are not the file's dates"
[ "$(jq '.sessions' "$S")" -eq "$(wc -l <"$base/orcl.dates")" ] || fail "sessions"

# fills.csv: BUY and SELL in turn from a BUY, quantity 100 (positive), each at
# a price of the file (the open of its date: next-open fills), commission
# exactly 0.001 x 100 x price
awk -F, -v data="$ORCL" "$AWK_DEC"'
BEGIN { while ((getline l < data) > 0) { split(l, f, ","); open[f[1]] = f[2] } }
NR == 1 { next }
{
    want = (NR % 2 == 0) ? "BUY" : "SELL"
    if ($2 != "ORCL" || $3 != want || $4 != "100") { print "row " NR ": " $0; bad = 1 }
    if (!($1 in open) || units($5) != units(open[$1])) { print "row " NR " price is not the open of " $1; bad = 1 }
    if (units($6) * 10 != units($5)) { print "row " NR " commission " $6 " is not price/10"; bad = 1 }
}
END { exit bad }' "$R/fills.csv" >"$base/err" || fail "fills.csv rows"
nf=$(($(wc -l <"$R/fills.csv") - 1))
[ "$nf" -eq "$(jq '.n_fills' "$S")" ] || fail "n_fills $(jq '.n_fills' "$S") but $nf rows"
[ "$nf" -gt 100 ] || fail "only $nf fills"

# trades.csv: trade k is fills 2k-1 (entry) and 2k (exit); gross = (exit -
# entry) x 100, commission the two fills', net = gross - commission
awk -F, "$AWK_DEC"'
NR == FNR { if (FNR > 1) { fd[FNR - 1] = $1; fp[FNR - 1] = $5; fc[FNR - 1] = $6 } next }
FNR == 1 { next }
{
    k = FNR - 1; e = 2 * k - 1; x = 2 * k
    if ($1 != "ORCL" || $2 != "LONG" || $3 != fd[e] || $4 != fp[e] || $5 != fd[x] ||
        $6 != fp[x] || $7 != "100") { print "trade " k ": " $0; bad = 1 }
    if (units($8) != (units($6) - units($4)) * 100) { print "trade " k " gross " $8; bad = 1 }
    if (units($9) != units(fc[e]) + units(fc[x])) { print "trade " k " commission " $9; bad = 1 }
    if (units($10) != units($8) - units($9)) { print "trade " k " net " $10; bad = 1 }
}
END { exit bad }' "$R/fills.csv" "$R/trades.csv" >"$base/err" || fail "trades.csv rows"
nt=$(($(wc -l <"$R/trades.csv") - 1))
[ "$nt" -eq "$(jq '.n_trades' "$S")" ] && [ "$nt" -eq $((nf / 2)) ] ||
    fail "n_trades $(jq '.n_trades' "$S"), $nt rows, $nf fills"

# the exact sums: commission, closed P&L, wins and losses, the average trade
# (half-even to 8 places), and the cash identity
read -r comm gross wins losses nwins nlosses avg < <(awk -F, "$AWK_DEC"'
NR == FNR { if (FNR > 1) c += units($6); next }
FNR > 1 { g += units($8); n++; t += units($10)
          if (units($10) > 0) { w += units($10); nw++ } else if (units($10) < 0) { l -= units($10); nl++ } }
END {
    q = int(t / n); if (q * n > t) q--; r = t - q * n
    if (2 * r > n || (2 * r == n && q % 2 != 0)) q++
    print dec(c), dec(g), dec(w), dec(l), nw + 0, nl + 0, dec(q)
}' "$R/fills.csv" "$R/trades.csv")
last_cash=$(tail -1 "$R/equity.csv" | cut -d, -f2)
last_eq=$(tail -1 "$R/equity.csv" | cut -d, -f3)
want_cash=$(echo | awk -v g="$gross" -v c="$comm" "$AWK_DEC"' { print dec(units("100000") + units(g) - units(c)) }')
[ "$last_cash" = "$want_cash" ] ||
    fail "cash $last_cash is not 100000 + closed P&L $gross - commission $comm = $want_cash"
net=$(echo | awk -v v="$last_eq" "$AWK_DEC"' { print dec(units(v) - units("100000")) }')
for kv in "final_cash=$last_cash" "final_value=$last_eq" "net_profit=$net" \
    "total_commission=$comm" "gross_profit=$wins" "gross_loss=$losses" "avg_trade=$avg" \
    "initial_cash=100000"; do
    [ "$(jq -r ".${kv%%=*}" "$S")" = "${kv#*=}" ] ||
        fail "summary ${kv%%=*} is $(jq -r ".${kv%%=*}" "$S"), want ${kv#*=}"
done
[ "$(jq '.n_wins' "$S")" -eq "$nwins" ] && [ "$(jq '.n_losses' "$S")" -eq "$nlosses" ] ||
    fail "wins/losses: $nwins/$nlosses"
[ "$comm" = "343.7322463" ] || fail "commission $comm"

# the ratio metrics, from the files by their definitions (returns of each
# session's equity against the one before, the first against the initial
# cash; 252 sessions a year; risk-free rate 0), to 6e-10 relative (summary.json
# prints 10 significant digits)
awk -F, -v ppy=252 -v initial=100000 -v nw="$nwins" -v nl="$nlosses" '
FILENAME ~ /fills.csv$/ { if (FNR > 1) { traded += $4 * $5; if ($3 == "BUY") { buy[$1] = 1 } else { sell[$1] = 1 } } next }
FILENAME ~ /trades.csv$/ { if (FNR > 1) { nt++; if ($10 > 0) gp += $10; else gl -= $10 } next }
FNR == 1 { next }
{
    n++; e[n] = $3 + 0; d[n] = $1
    if (d[n] in buy) held = 1
    if (d[n] in sell) held = 0
    exposed += held
}
END {
    prev = initial
    for (i = 1; i <= n; i++) { r[i] = e[i] / prev - 1; s += r[i]; if (r[i] < 0) down += r[i] * r[i]; prev = e[i] }
    mean = s / n
    for (i = 1; i <= n; i++) v += (r[i] - mean) ^ 2
    sd = sqrt(v / (n - 1)); dd = sqrt(down / n)
    peak = initial; pat = 0; worst = 0
    for (i = 1; i <= n; i++) {
        if (e[i] >= peak) { peak = e[i]; pat = i; continue }
        if ((peak - e[i]) / peak > worst) { worst = (peak - e[i]) / peak; wpat = pat; wpv = peak }
    }
    end = n
    for (i = wpat + 1; i <= n; i++) if (e[i] >= wpv) { end = i; break }
    for (i = 1; i <= n; i++) eqsum += e[i]
    cagr = (e[n] / initial) ^ (ppy / n) - 1
    printf "total_return %.17g\n", e[n] / initial - 1
    printf "cagr %.17g\n", cagr
    printf "volatility %.17g\n", sd * sqrt(ppy)
    printf "sharpe %.17g\n", mean / sd * sqrt(ppy)
    printf "downside_deviation %.17g\n", dd * sqrt(ppy)
    printf "sortino %.17g\n", mean / dd * sqrt(ppy)
    printf "max_drawdown %.17g\n", worst
    printf "max_drawdown_duration %d\n", end - wpat
    printf "calmar %.17g\n", cagr / worst
    printf "win_rate %.17g\n", nw / nt
    printf "profit_factor %.17g\n", gp / gl
    printf "exposure %.17g\n", exposed / n
    printf "turnover %.17g\n", traded / (eqsum / n)
}' "$R/fills.csv" "$R/trades.csv" "$R/equity.csv" >"$base/metrics.want"
[ "$(wc -l <"$base/metrics.want")" -eq 13 ] || fail "metrics.want: $(cat "$base/metrics.want")"
while read -r k want; do
    jq -e --arg k "$k" --argjson w "$want" \
        '.[$k] | type == "number" and ((. - $w) | fabs) <= 6e-10 * ($w | fabs) + 1e-15' "$S" \
        >/dev/null || fail "summary $k is $(jq ".$k" "$S"), want $want"
done <"$base/metrics.want"
# a sanity check of the checker: the figures are not all zero
grep -q '^max_drawdown_duration [1-9]' "$base/metrics.want" || fail "no drawdown: $(cat "$base/metrics.want")"
# --json prints the same figures as summary.json
expect 0 backtest --strategy sma_cross --param fast=10 --param slow=30 --param stake=100 \
    --cash 100000 --commission-rate 0.001 --data "$ORCL" --json
jq -e --slurpfile s "$S" '$s[0] as $m | .fills == $m.n_fills and .trades == $m.n_trades and
    .final_value == $m.final_value and .final_cash == $m.final_cash and
    .net_profit == $m.net_profit and .total_commission == $m.total_commission and
    .total_return == $m.total_return and .cagr == $m.cagr and .sharpe == $m.sharpe and
    .max_drawdown == $m.max_drawdown and .win_rate == $m.win_rate and
    .sessions == $m.sessions and .from == $m.first_day and .to == $m.last_day and
    .run_id == $m.parameters.run_id and .parameters == $m.parameters' "$base/out" >/dev/null ||
    fail "--json and summary.json differ"
jq -e '.risk_free_rate == 0 and .periods_per_year == 252 and .first_day == "1995-01-03" and
       .last_day == "2014-12-31" and .parameters.commission_rate == "0.001"' "$S" >/dev/null ||
    fail "summary.json's run fields"

# ============================================================================
# 2. report.html of that run
# ============================================================================
H=$R/report.html
for bad in 'http://' 'https://' ' src=' ' href=' '<script' '<link' '<img' '<iframe' '@import' 'url('; do
    grep -qiF -- "$bad" "$H" && fail "report.html has $bad"
done
[ "$(grep -o '<svg' "$H" | wc -l)" -eq 2 ] || fail "report.html has not two SVG charts"
[ "$(grep -o '<polyline' "$H" | wc -l)" -eq 2 ] || fail "report.html has not two chart lines"
grep -q '<h2>Equity</h2>' "$H" && grep -q '<h2>Drawdown</h2>' "$H" || fail "chart titles"
# the charts' axes: the equity chart spans the lowest and highest equity of
# equity.csv, the drawdown chart 0% down to the maximum drawdown, both from
# the first to the last date
read -r emin emax < <(awk -F, 'NR > 1 { v = $3 + 0; if (NR == 2 || v < lo) lo = v; if (v > hi) hi = v }
    END { printf "%.2f %.2f\n", lo, hi }' "$R/equity.csv")
ddmin=$(awk '$1 == "max_drawdown" { printf "-%.2f%%", $2 * 100 }' "$base/metrics.want")
for lab in "$emin" "$emax" "$ddmin" "0.00%"; do
    grep -q "<text class=\"ylab\" x=\"84\" y=\"[0-9.]*\">$lab</text>" "$H" ||
        fail "report.html lacks the axis label $lab"
done
[ "$(grep -c '<text class="xlab" x="90.00" y="252">1995-01-03</text>' "$H")" -eq 2 ] &&
    [ "$(grep -c '<text class="xlab end" x="780.00" y="252">2014-12-31</text>' "$H")" -eq 2 ] ||
    fail "the charts do not span 1995-01-03 .. 2014-12-31"
# the monthly table: a row per year 1995..2014, each month's return in % =
# its last equity / the month before's last equity (initial cash before the
# first) - 1, then the year's from the year before's last
awk -F, -v initial=100000 '
function cls(v) { return v > 0 ? "pos" : (v < 0 ? "neg" : "zero") }
function cell(r,   t) { t = sprintf("%.2f", r * 100); if (t == "-0.00") t = "0.00"; return "<td class=\"" cls(t + 0) "\">" t "</td>" }
FNR == 1 { next }
{ y = substr($1, 1, 4); m = substr($1, 6, 2) + 0; last[y, m] = $3 + 0; if (!(y in seen)) { seen[y] = 1; ys[++ny] = y } }
END {
    prev = initial
    for (k = 1; k <= ny; k++) {
        y = ys[k]; row = "<tr><th>" y "</th>"; ystart = prev
        for (m = 1; m <= 12; m++)
            if ((y, m) in last) { row = row cell(last[y, m] / prev - 1); prev = last[y, m] } else row = row "<td></td>"
        print row cell(prev / ystart - 1) "</tr>"
    }
}' "$R/equity.csv" >"$base/monthly.want"
[ "$(wc -l <"$base/monthly.want")" -eq 20 ] || fail "monthly.want has not 20 years"
grep -E '^<tr><th>[0-9]{4}</th>' "$H" >"$base/monthly.got" || true
diff "$base/monthly.want" "$base/monthly.got" >"$base/err" || fail "report.html's monthly table"
# the trade list: one row per trades.csv row, the same values, net classed
awk -F, 'FNR > 1 { row = "<tr>"; for (i = 1; i <= 9; i++) row = row "<td>" $i "</td>"
          print row "<td class=\"" ($10 > 0 ? "pos" : ($10 < 0 ? "neg" : "zero")) "\">" $10 "</td></tr>" }' \
    "$R/trades.csv" >"$base/trades.want"
grep -E '^<tr><td>ORCL</td>' "$H" >"$base/trades.got" || true
[ "$(wc -l <"$base/trades.got")" -eq "$nt" ] || fail "report.html has $(wc -l <"$base/trades.got") trade rows, $nt trades"
diff "$base/trades.want" "$base/trades.got" >"$base/err" || fail "report.html's trade list"

# ============================================================================
# 3. --market: the calendar's sessions, not the data's dates
# ============================================================================
# HOL (tc_lib_hol_bars): weekdays 2014-06-23 .. 2014-07-18 with a bar on
# Friday 2014-07-04 (Independence Day: no XNYS session) and none on Wednesday
# 2014-07-09 (an XNYS session). High 14, low 8; the opens all differ.
tc_lib_hol_bars "$base"
# sma_cross 2/3 by hand, sign of 3 x sum2 - 2 x sum3 on each close:
# 06-25 +3, 06-26 +1, 06-27 -3 (down, nothing held), 06-30 -3, 07-01 -1,
# 07-02 +4 (up: BUY at the next open, 07-03 13.25), 07-03 +5, 07-04 +1,
# 07-07 -4 (down: SELL at the next open, 07-08 11.5), 07-08 -3,
# 07-10 +3 (BUY 07-11 11.25), 07-11 +1, 07-14 -3 (SELL 07-15 9.75),
# 07-15 -3, 07-16 -1, 07-17 +4 (BUY 07-18 13.75). The holiday's bar is read
# (at the next session with --market) and counts in the averages.
bt_hol() { # FILE OUT [ARGS...]
    local f=$1 o=$2
    shift 2
    expect 0 backtest --strategy sma_cross --param fast=2 --param slow=3 --param stake=10 \
        --data "$f" --out "$o" --json "$@"
}
fills_hol='date,instrument,side,quantity,price,commission
2014-07-03,HOL,BUY,10,13.25,0
2014-07-08,HOL,SELL,10,11.5,0
2014-07-11,HOL,BUY,10,11.25,0
2014-07-15,HOL,SELL,10,9.75,0
2014-07-18,HOL,BUY,10,13.75,0'
# equity = cash + 10 x (last close - entry); cash moves by the closed P&L:
# 10 x (11.5 - 13.25) = -17.5, then 10 x (9.75 - 11.25) = -15
eq_head='date,cash,equity
2014-06-23,100000,100000
2014-06-24,100000,100000
2014-06-25,100000,100000
2014-06-26,100000,100000
2014-06-27,100000,100000
2014-06-30,100000,100000
2014-07-01,100000,100000
2014-07-02,100000,100000
2014-07-03,100000,99997.5'
eq_tail='2014-07-10,99982.5,99982.5
2014-07-11,99982.5,99980
2014-07-14,99982.5,99970
2014-07-15,99967.5,99967.5
2014-07-16,99967.5,99967.5
2014-07-17,99967.5,99967.5
2014-07-18,99967.5,99960'
# XNYS: no 07-04; 07-07 marks at its own close 10; 07-09 (no bar) keeps 07-08's
bt_hol "$base/HOL.csv" "$base/hx" --market XNYS
jq_true '.sessions == 19 and .bars == 19 and .parameters.market == "XNYS"'
[ "$(cat "$base/hx/fills.csv")" = "$fills_hol" ] || fail "XNYS fills: $(cat "$base/hx/fills.csv")"
want="$eq_head
2014-07-07,100000,99967.5
2014-07-08,99982.5,99982.5
2014-07-09,99982.5,99982.5
$eq_tail"
[ "$(cat "$base/hx/equity.csv")" = "$want" ] || fail "XNYS equity: $(cat "$base/hx/equity.csv")"
# without a calendar: the data's dates (07-04 a session, 07-09 not)
bt_hol "$base/HOL.csv" "$base/hd"
jq_true '.sessions == 19 and .bars == 19 and .parameters.market == null'
[ "$(cat "$base/hd/fills.csv")" = "$fills_hol" ] || fail "data-date fills: $(cat "$base/hd/fills.csv")"
want="$eq_head
2014-07-04,100000,99987.5
2014-07-07,100000,99967.5
2014-07-08,99982.5,99982.5
$eq_tail"
[ "$(cat "$base/hd/equity.csv")" = "$want" ] || fail "data-date equity: $(cat "$base/hd/equity.csv")"
# HOL2: the holiday's close is 9, so the cross down is on 07-04 itself
# (3 x 22 - 2 x 34 = -2). On the data's dates its SELL fills at the next
# bar, 07-07's open 10.25; with XNYS the bar is read in the session of 07-07
# and the SELL fills on the session after, 07-08's open 11.5. Then 07-08's
# cross up (3 x 21 - 2 x 30 = +3) buys at the next bar: 07-10 in both (the
# order waits through XNYS's session 07-09, which has no bar).
sed 's/^2014-07-04,12.5,14,8,12,12,/2014-07-04,12.5,14,8,9,9,/' "$base/HOL.csv" >"$base/HOL2.csv"
tail2='2014-07-10,HOL2,BUY,10,12.75,0
2014-07-15,HOL2,SELL,10,9.75,0
2014-07-18,HOL2,BUY,10,13.75,0'
bt_hol "$base/HOL2.csv" "$base/h2d"
[ "$(cat "$base/h2d/fills.csv")" = "date,instrument,side,quantity,price,commission
2014-07-03,HOL2,BUY,10,13.25,0
2014-07-07,HOL2,SELL,10,10.25,0
$tail2" ] || fail "HOL2 data-date fills: $(cat "$base/h2d/fills.csv")"
bt_hol "$base/HOL2.csv" "$base/h2x" --market XNYS
[ "$(cat "$base/h2x/fills.csv")" = "date,instrument,side,quantity,price,commission
2014-07-03,HOL2,BUY,10,13.25,0
2014-07-08,HOL2,SELL,10,11.5,0
$tail2" ] || fail "HOL2 XNYS fills: $(cat "$base/h2x/fills.csv")"
grep -q '^2014-07-04,' "$base/h2x/equity.csv" && fail "XNYS equity has the holiday"
grep -q '^2014-07-09,99982.5,99982.5$' "$base/h2x/equity.csv" ||
    fail "XNYS 07-09 (flat after 10 x (11.5 - 13.25)): $(grep 07-09 "$base/h2x/equity.csv")"

# ============================================================================
# 4. the progress bar: on a terminal, for a long run only
# ============================================================================
# script(1) gives the command a terminal; its output is the terminal's
tty_run() { # OUTFILE COMMAND: runs COMMAND (a string) on a terminal
    local o=$1
    shift
    script -qec "$1" /dev/null >"$o" </dev/null || fail "on a terminal: $1 ($(cat "$o"))"
}
RUN="'$BIN' --set 'database.runtime.url=sqlite:$base/runtime.db' --set 'database.historical.url=sqlite:$base/historical.db' --set log.level=error backtest --strategy sma_cross --data '$ORCL'"
tty_run "$base/tty1" "$RUN"
# 5036 sessions: the bar goes from 0% to 100%, each on a carriage return
grep -q $'\rsma_cross  *\[==============================\] 100%' "$base/tty1" ||
    fail "no full progress bar on a terminal: $(head -c 400 "$base/tty1" | od -c | head)"
grep -q $'\rsma_cross  *\[===============               \]  50%' "$base/tty1" ||
    fail "no half progress bar on a terminal"
[ "$(tr '\r' '\n' <"$base/tty1" | grep -c '\] *[0-9]*%$')" -ge 100 ] || fail "the bar moved less than 100 times"
grep -q '^final value ' "$base/tty1" || fail "no summary on a terminal"
# not a terminal: no bar, nothing on stderr
expect 0 backtest --strategy sma_cross --data "$ORCL"
[ ! -s "$base/err" ] || fail "stderr not a terminal has: $(head -c 200 "$base/err" | od -c | head -3)"
grep -q $'\r' "$base/out" && fail "a carriage return on standard output"
# stdout a terminal, stderr a file: no bar on either
tty_run "$base/tty2" "$RUN 2>'$base/tty2.err'"
[ ! -s "$base/tty2.err" ] || fail "the bar went to stderr that is a file"
grep -q '\] *[0-9]*%' "$base/tty2" && fail "a bar on the terminal while stderr is a file"
grep -q '^final value ' "$base/tty2" || fail "no summary on stdout"
# stderr a terminal, stdout a file: the bar on the terminal only
tty_run "$base/tty3" "$RUN >'$base/tty3.out'"
grep -q ' 100%' "$base/tty3" || fail "no bar with stdout a file"
grep -q '\] *[0-9]*%' "$base/tty3.out" && fail "the bar went to standard output"
grep -q '^final value ' "$base/tty3.out" || fail "no summary in the file"
# a short run (250 sessions): no bar even on a terminal
tty_run "$base/tty4" "$RUN --to 1995-12-31"
grep -q '\] *[0-9]*%' "$base/tty4" && fail "a bar for a short run"
grep -q '^sessions       252 ' "$base/tty4" || fail "short run: $(cat "$base/tty4")"

# ============================================================================
# 5. strategies from YAML: enable flags
# ============================================================================
cat >"$base/two.yaml" <<'EOF2'
strategies:
  - name: fast
    strategy: sma_cross
    params: {fast: 5, slow: 20, stake: 10}
  - name: turtle
    strategy: donchian
    enabled: false
EOF2
sed 's/enabled: false/enabled: true/' "$base/two.yaml" >"$base/both.yaml"
printf 'strategies:\n  - strategy: sma_cross\n    enabled: false\n' >"$base/none.yaml"
expect 0 init # the runtime store for --store
expect 0 backtest --strategy sma_cross --param fast=5 --param slow=20 --param stake=10 \
    --data "$ORCL" --to 2004-12-31 --json --out "$base/y1"
one_signals=$(jq '.signals' "$base/out")
expect 0 backtest --strategies "$base/two.yaml" --data "$ORCL" --to 2004-12-31 --json \
    --out "$base/y2" --store --run-id yaml-1
jq_true ".signals == $one_signals and .rejected == 0"
for f in fills.csv trades.csv equity.csv; do
    cmp -s "$base/y1/$f" "$base/y2/$f" || fail "a disabled strategy changed $f"
done
# the stored signals are all the enabled instance's
[ "$(sqlite3 "$base/runtime.db" "SELECT COUNT(*) FROM signal_log WHERE run_id = 'yaml-1'")" = \
    "$one_signals" ] || fail "yaml-1's signal count"
[ "$(sqlite3 "$base/runtime.db" "SELECT DISTINCT strategy_id FROM signal_log WHERE run_id = 'yaml-1'")" = \
    "yaml-1.fast" ] || fail "signals of another instance than yaml-1.fast"
# enabled, donchian trades too: the same flag is what kept it out
expect 0 backtest --strategies "$base/both.yaml" --data "$ORCL" --to 2004-12-31 --json --out "$base/y3"
jq_true ".signals > $one_signals"
cmp -s "$base/y1/fills.csv" "$base/y3/fills.csv" && fail "an enabled donchian changed no fill"
expect_err 1 'backtest: every strategy is disabled' backtest --strategies "$base/none.yaml" --data "$ORCL"

# ============================================================================
# 6. --store: the stored run is the reported one
# ============================================================================
expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1999-12-31 --commission-rate 0.001 \
    --store --run-id keep-2 --json --out "$base/k2"
tail -n +2 "$base/k2/fills.csv" | sort >"$base/k2.want"
# each stored fill of the run's orders (mode BACKTEST): the day of its time
# (the end of the UTC day of its session, no calendar given), instrument,
# side, and quantity, price and commission (integers of 1e-8)
sqlite3 -separator , "$base/runtime.db" \
    "SELECT date(f.filled_at, '-1 second'), o.instrument_id, o.side, f.quantity, f.price,
            f.commission
       FROM fills f JOIN orders o ON o.order_id = f.order_id
      WHERE o.run_id = 'keep-2' AND o.mode = 'BACKTEST' AND o.portfolio_id = 'keep-2'" \
    >"$base/k2.raw"
awk -F, "$AWK_DEC"'{ print $1 "," $2 "," $3 "," dec($4) "," dec($5) "," dec($6) }' \
    "$base/k2.raw" | sort >"$base/k2.got"
[ "$(wc -l <"$base/k2.got")" -gt 10 ] || fail "keep-2 has $(wc -l <"$base/k2.got") stored fills"
diff "$base/k2.want" "$base/k2.got" >"$base/err" || fail "the stored fills are not fills.csv's"
# the run's positions (its portfolio is the run id): one closed per trade
# with trades.csv's prices, quantity, gross P&L and commission, and the
# position still open after the last fill (a BUY: fills are odd)
tail -n +2 "$base/k2/trades.csv" | cut -d, -f1,2,4,6,7,8,9 | sort >"$base/k2p.want"
sqlite3 -separator , "$base/runtime.db" \
    "SELECT instrument_id, side, entry_price, exit_price, closed_quantity, realized_pnl, commission
       FROM positions WHERE portfolio_id = 'keep-2' AND status = 'closed'" |
    awk -F, "$AWK_DEC"'{ print $1 "," $2 "," dec($3) "," dec($4) "," dec($5) "," dec($6) "," dec($7) }' |
    sort >"$base/k2p.got"
[ -s "$base/k2p.want" ] || fail "keep-2 has no trade"
diff "$base/k2p.want" "$base/k2p.got" >"$base/err" || fail "the stored positions are not trades.csv's"
[ $(($(wc -l <"$base/k2/fills.csv") % 2)) -eq 0 ] || fail "keep-2 does not end with a position open"
[ "$(sqlite3 "$base/runtime.db" "SELECT COUNT(*) || ',' || MAX(entry_price) FROM positions
        WHERE portfolio_id = 'keep-2' AND status = 'open'")" = \
    "1,$(tail -1 "$base/k2/fills.csv" | cut -d, -f5 | awk "$AWK_DEC"'{ printf "%.0f", units($1) }')" ] ||
    fail "keep-2's open position is not its last fill"
[ "$(sqlite3 "$base/runtime.db" "SELECT COUNT(*) FROM signal_log WHERE run_id = 'keep-2' AND mode <> 'BACKTEST'")" = 0 ] ||
    fail "a stored signal not in mode BACKTEST"
[ "$(sqlite3 "$base/runtime.db" "SELECT COUNT(*) FROM orders WHERE run_id = 'keep-2'")" = \
    "$(jq '.fills' "$base/out")" ] || fail "orders of keep-2"

# ============================================================================
# 7. bars after --to change nothing
# ============================================================================
mkdir -p "$base/more"
cp "$ORCL" "$base/more/orcl-1995-2014.txt"
# 2015: a crash and a spike an SMA reading ahead would trade on
for d in 02 05 06 07 08 09 12 13 14 15; do
    printf '2015-01-%s,1,100,0.5,%s,1,1000000\n' "$d" "$([ "${d#0}" -lt 8 ] && echo 1 || echo 99)"
done >>"$base/more/orcl-1995-2014.txt"
for f in "$ORCL" "$base/more/orcl-1995-2014.txt"; do
    n=$([ "$f" = "$ORCL" ] && echo a || echo b)
    expect 0 backtest --strategy sma_cross --data "$f" --to 2014-12-31 --commission-rate 0.001 \
        --json --out "$base/la-$n"
    jq 'del(.report)' "$base/out" >"$base/la-$n.json"
done
for f in summary.json fills.csv trades.csv equity.csv report.html; do
    cmp -s "$base/la-a/$f" "$base/la-b/$f" || fail "bars after --to changed $f"
done
cmp -s "$base/la-a.json" "$base/la-b.json" || fail "bars after --to changed the --json output"

# ============================================================================
# 8. the run options reach the run (on HOL, sma_cross 2/3 of section 3)
# ============================================================================
hol_fills() { # OUT ARGS...: the fills of a run over HOL, header dropped
    local o=$1
    shift
    expect 0 backtest --strategy sma_cross --param fast=2 --param slow=3 --data "$base/HOL.csv" \
        --out "$o" "$@"
    tail -n +2 "$o/fills.csv"
}
# --fill-at close: each order at its signal bar's close
[ "$(hol_fills "$base/o1" --param stake=10 --fill-at close)" = "2014-07-02,HOL,BUY,10,12,0
2014-07-07,HOL,SELL,10,10,0
2014-07-10,HOL,BUY,10,12,0
2014-07-14,HOL,SELL,10,10,0
2014-07-17,HOL,BUY,10,12,0" ] || fail "--fill-at close: $(cat "$base/o1/fills.csv")"
# --slippage-rate 0.1: a buy at open x 1.1, a sell at open x 0.9, never
# outside [low 8, high 14]: 13.25 x 1.1 = 14.575 -> 14; 11.5 x 0.9 = 10.35;
# 11.25 x 1.1 = 12.375; 9.75 x 0.9 = 8.775; 13.75 x 1.1 = 15.125 -> 14
[ "$(hol_fills "$base/o2" --param stake=10 --slippage-rate 0.1)" = "2014-07-03,HOL,BUY,10,14,0
2014-07-08,HOL,SELL,10,10.35,0
2014-07-11,HOL,BUY,10,12.375,0
2014-07-15,HOL,SELL,10,8.775,0
2014-07-18,HOL,BUY,10,14,0" ] || fail "--slippage-rate: $(cat "$base/o2/fills.csv")"
# --volume-cap 0.001 of 100000 shares: at most 100 a bar, the rest of an
# order carried to the next bars (the ledger's orders are GTC); 07-08 (the
# exit) made 50000 (HOLV.csv): its fill is 50, the rest of the 250 on 07-10
# and 07-11
expect 0 backtest --strategy sma_cross --param fast=2 --param slow=3 --param stake=250 \
    --volume-cap 0.001 --data "$base/HOLV.csv" --out "$base/o3"
[ "$(sed -n 2p "$base/o3/fills.csv")" = "2014-07-03,HOLV,BUY,100,13.25,0" ] ||
    fail "--volume-cap entry: $(cat "$base/o3/fills.csv")"
[ "$(sed -n 3,4p "$base/o3/fills.csv")" = "2014-07-04,HOLV,BUY,100,12.5,0
2014-07-07,HOLV,BUY,50,10.25,0" ] || fail "--volume-cap entry's rest: $(cat "$base/o3/fills.csv")"
[ "$(sed -n 5,7p "$base/o3/fills.csv")" = "2014-07-08,HOLV,SELL,50,11.5,0
2014-07-10,HOLV,SELL,100,12.75,0
2014-07-11,HOLV,SELL,100,11.25,0" ] ||
    fail "--volume-cap exit: $(cat "$base/o3/fills.csv")"
# --cash, --from, --to: the equity rows are the sessions 07-01 .. 07-16 from
# a cash of 5000, no fill outside them
hol_fills "$base/o4" --param stake=10 --cash 5000 --from 2014-07-01 --to 2014-07-16 \
    >"$base/o4.fills"
[ "$(sed -n 2p "$base/o4/equity.csv")" = "2014-07-01,5000,5000" ] || fail "--cash/--from equity"
[ "$(tail -1 "$base/o4/equity.csv" | cut -d, -f1)" = "2014-07-16" ] || fail "--to equity"
[ "$(wc -l <"$base/o4/equity.csv")" -eq 12 ] || fail "--from/--to: not 11 sessions"
[ -s "$base/o4.fills" ] || fail "--from/--to: no fill"
awk -F, '$1 < "2014-07-01" || $1 > "2014-07-16" { exit 1 }' "$base/o4.fills" ||
    fail "a fill outside --from/--to: $(cat "$base/o4.fills")"
jq -e '.initial_cash == "5000" and .parameters.cash == "5000"' "$base/o4/summary.json" >/dev/null ||
    fail "--cash in summary.json"

# ============================================================================
# 9. a sweep's runs are the single runs of its combinations; shards split it
# ============================================================================
expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1999-12-31 --commission-rate 0.001 \
    --sweep fast=5,10 --sweep slow=20,30 --json --out "$base/sw"
for c in 5,20 5,30 10,20 10,30; do
    f=${c%,*} sl=${c#*,}
    expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1999-12-31 --commission-rate 0.001 \
        --param fast="$f" --param slow="$sl" --out "$base/one"
    for x in fills.csv trades.csv equity.csv; do
        cmp -s "$base/one/$x" "$base/sw/fast-${f}_slow-$sl/$x" ||
            fail "sweep fast-${f}_slow-$sl's $x is not the single run's"
    done
    jq -e --arg f "$f" --arg s "$sl" \
        '.parameters.strategies[0].params.fast == ($f | tonumber) and
         .parameters.strategies[0].params.slow == ($s | tonumber)' \
        "$base/sw/fast-${f}_slow-$sl/summary.json" >/dev/null || fail "sweep $c's parameters"
done
# the combinations differ (a sweep that ran one combination four times fails)
cmp -s "$base/sw/fast-5_slow-20/fills.csv" "$base/sw/fast-10_slow-30/fills.csv" &&
    fail "two combinations with the same fills"
# shards 0/3, 1/3, 2/3: each combination once, with the full sweep's results
: >"$base/shards"
for i in 0 1 2; do
    expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1999-12-31 --commission-rate 0.001 \
        --sweep fast=5,10 --sweep slow=20,30 --shard "$i/3" --json --out "$base/sh$i"
    jq -r '.runs[] | "\(.combination) \(.final_value)"' "$base/out" >>"$base/shards"
done
sort "$base/shards" >"$base/shards.got"
for c in fast-5_slow-20 fast-5_slow-30 fast-10_slow-20 fast-10_slow-30; do
    echo "$c $(jq -r .final_value "$base/sw/$c/summary.json")"
done | sort >"$base/shards.want"
diff "$base/shards.want" "$base/shards.got" >"$base/err" || fail "the shards' runs"

echo "ok"
