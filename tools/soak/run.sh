#!/usr/bin/env bash
# make soak: `tradecore serve` on SQLite stores under a steady stream of
# signals and bars from several clients for SOAK_SECONDS (default 300), with
# random SIGKILLs and restarts (tools/soak/soak.c), then checks that every
# acknowledged signal is in the signal log exactly once, that `tradecore ledger
# check` is clean and that the daemon's resident memory stayed flat, and
# prints a summary table. Exit status 0 only when every check holds.
#   run.sh TRADECORE_BINARY [WORKDIR]
# Environment: SOAK_SECONDS (300), SOAK_CLIENTS (4: 3 signal clients + 1 bar
# client), SOAK_KILL_MIN / SOAK_KILL_MAX (15 / 45 s between kills),
# SOAK_WARMUP (5 s of each incarnation not sampled), SOAK_RSS_BOUND_KB (16384:
# within an incarnation, the largest sample may exceed the first by at most
# this much, and over the whole soak the largest sample may exceed the first
# incarnation's first by at most this much), SOAK_SEED (1).
set -euo pipefail

bin=$(readlink -f "${1:?usage: run.sh TRADECORE_BINARY [WORKDIR]}")
here=$(cd "$(dirname "$0")" && pwd)
work=${2:-$(dirname "$bin")/soak}
seconds=${SOAK_SECONDS:-300}
clients=${SOAK_CLIENTS:-4}
bound=${SOAK_RSS_BOUND_KB:-16384}
T=soak-token

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
cc=${CC:-cc}
$cc -std=c11 -O2 -g -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wvla \
    "$here/soak.c" -o "$work/tc_soak" $(pkg-config --cflags --libs libcurl) -lpthread

cd "$work"
cat > tradecore.yaml <<YAML
log:
  format: json
  stderr: false
server:
  tokens: $T
  heartbeat_ms: 200
  lease_ms: 1000
  mode: paper
  threads: 4
YAML
"$bin" db migrate >/dev/null
"$bin" market add XNYS --name NYSE --timezone America/New_York >/dev/null
for k in $(seq 1 $((clients - 1))); do
    "$bin" instrument add "S$k" --symbol "S$k" --market XNYS --asset-class EQUITY \
        --currency USD --tick-size 0.01 --lot-size 1 >/dev/null
done
"$bin" portfolio add main --name Main --base-currency USD --initial-capital 100000000 >/dev/null
"$bin" strategy add s1 --name S1 >/dev/null

"$work/tc_soak" --bin "$bin" --dir "$work" --seconds "$seconds" --clients "$clients" \
    --kill-min "${SOAK_KILL_MIN:-15}" --kill-max "${SOAK_KILL_MAX:-45}" \
    --warmup "${SOAK_WARMUP:-5}" --seed "${SOAK_SEED:-1}" --token "$T" >stats.tsv
stat() { awk -F'\t' -v k="$1" '$1 == k {print $2}' stats.tsv; }

fails=0
bad() { echo "soak: FAIL: $*" >&2; fails=$((fails + 1)); }

# every acknowledged signal in the signal log exactly once, and nothing else
db=var/runtime.db
counts=$(sqlite3 -separator ' ' "$db" <<SQL
CREATE TEMP TABLE acked(id TEXT PRIMARY KEY, code INT);
.mode tabs
.import acked.tsv acked
.mode list
.separator ' '
SELECT (SELECT count(*) FROM acked),
       (SELECT count(*) FROM acked a WHERE (SELECT count(*) FROM signal_log s
            WHERE s.fingerprint = 'id:' || a.id) = 1),
       (SELECT count(*) FROM signal_log WHERE fingerprint LIKE 'id:soak-%'),
       (SELECT count(*) FROM acked a JOIN signal_log s ON s.fingerprint = 'id:' || a.id
            WHERE (a.code = 201) != (s.status <> 'rejected'));
SQL
)
read -r n_acked n_once n_logged n_mismatch <<<"$counts"
applied=$n_once
[ "$n_acked" == "$(stat signals_acknowledged)" ] || bad "acked.tsv has $n_acked rows, the driver counted $(stat signals_acknowledged)"
[ "$n_once" == "$n_acked" ] || bad "$((n_acked - n_once)) acknowledged signals are not in signal_log exactly once"
[ "$n_logged" == "$n_acked" ] || bad "signal_log holds $n_logged soak signals, $n_acked were acknowledged"
[ "$n_mismatch" == 0 ] || bad "$n_mismatch signals logged with another outcome than the one acknowledged"
if "$bin" ledger check >ledger_check.txt 2>&1; then check=clean; else check=violations; bad "ledger check: $(cat ledger_check.txt)"; fi
integrity=$(sqlite3 "$db" 'PRAGMA integrity_check')
[ "$integrity" == ok ] || bad "integrity_check: $integrity"
fills=$(sqlite3 "$db" 'SELECT count(*) FROM fills')

# memory: flat within each incarnation (largest sample - first sample <= bound)
# and over the whole soak (the largest sample of any incarnation - the first
# sample of the first incarnation sampled <= bound: restarts on a ledger that
# keeps growing must not cost memory either)
rss_rows=$(awk -F'\t' -v b="$bound" '$5 > 0 {
    g = $8 - $6; if (g > b) bad++; if (g > maxg) maxg = g; n++
    if (n == 1) first = $6
    if (!mn || $7 < mn) mn = $7; if ($8 > mx) mx = $8 }
    END {printf "%d %d %d %d %d %d\n", n, bad, maxg, mn, mx, mx - first}' rss.tsv)
read -r n_sampled n_over max_growth rss_lo rss_hi rss_drift <<<"$rss_rows"
[ "$n_sampled" -gt 0 ] || bad "no incarnation lived past its warm-up: no RSS sample"
[ "$n_over" == 0 ] || bad "$n_over incarnations grew by more than $bound kB"
[ "$rss_drift" -le "$bound" ] || bad "RSS over the soak grew by $rss_drift kB (bound $bound kB)"

printf '\n%-34s %s\n' "soak (tradecore serve, sqlite)" "value"
printf '%-34s %s\n' "----------------------------------" "----------"
printf '%-34s %s s (asked %s s)\n' "signals and kills" "$(stat stream_s)" "$seconds"
printf '%-34s %s s\n' "final resend of every signal" "$(stat final_resend_s)"
printf '%-34s %s s\n' "duration in all" "$(stat duration_s)"
printf '%-34s %s (+1 bar client)\n' "signal clients" "$(stat signal_clients)"
printf '%-34s %s\n' "signals sent" "$(stat signals_sent)"
printf '%-34s %s\n' "signals acknowledged (201/200/422)" "$(stat signals_acknowledged)"
printf '%-34s %s\n' "signals applied exactly once" "$applied"
printf '%-34s %s\n' "resends (refused, reset or 503)" "$(stat resends_after_failure)"
printf '%-34s %s\n' "duplicates checked (200)" "$(stat duplicates_checked)"
printf '%-34s %s\n' "committed, answered after restart" "$(stat committed_in_flight)"
printf '%-34s %s / %s\n' "bars acknowledged / sent" "$(stat bars_acknowledged)" "$(stat bars_sent)"
printf '%-34s %s\n' "fills" "$fills"
printf '%-34s %s\n' "kills survived (SIGKILL)" "$(stat kills)"
printf '%-34s %s\n' "restarts" "$(stat restarts)"
printf '%-34s %s\n' "ledger check" "$check"
printf '%-34s %s\n' "integrity_check" "$integrity"
printf '%-34s %s kB (bound %s kB)\n' "RSS largest growth in incarnation" "$max_growth" "$bound"
printf '%-34s %s kB (bound %s kB; %s..%s kB)\n' "RSS growth over the whole soak" "$rss_drift" "$bound" "$rss_lo" "$rss_hi"
printf '\n%-4s %-8s %-8s %-8s %-8s %-10s %-10s %-10s\n' "inc" "pid" "from_s" "to_s" "samples" "rss_first" "rss_min" "rss_max"
awk -F'\t' '{printf "%-4s %-8s %-8s %-8s %-8s %-10s %-10s %-10s\n", $1, $2, $3, $4, $5, $6" kB", $7" kB", $8" kB"}' rss.tsv
if [ "$fails" -gt 0 ]; then
    echo "soak: $fails checks failed (work directory $work)" >&2
    exit 1
fi
echo "soak: ok"
