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

tc() {
    "$BIN" --set "database.runtime.url=sqlite:$base/runtime.db" \
        --set "database.historical.url=sqlite:$base/historical.db" --set log.level=error "$@"
}

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

echo "ok"
