#!/usr/bin/env bash
# PostgreSQL restarted under `tradecore serve` while a client streams signals:
# a private PostgreSQL server (tests/pg_fixture.sh in a state directory of its
# own, not the shared fixture) is stopped with pg_ctl, kept down for OUTAGE
# seconds, and started again. Checks: requests during the outage get 503 with
# Retry-After (or the connection is refused: never a 5xx without it, never a
# 2xx that was not committed); every 201/200/422 signal is in signal_log
# exactly once; the pool reconnects and the service takes signals again (the
# leader lock taken back, epoch raised once); resending everything changes
# nothing for what was acknowledged and applies what got 503; ledger check clean.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_count_init pg_restart
src=${TC_TEST_SRC:?run through ctest}
outage=${TC_PG_OUTAGE_S:-3}
client=

cleanup() {
    [ -n "$client" ] && kill "$client" 2>/dev/null || true
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    sh "$src/tests/pg_fixture.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

sh "$src/tests/pg_fixture.sh" start "$tmp/pg" >/dev/null
pgurl=$(cat "$tmp/pg/url")
pgdir=$(cat "$tmp/pg/dir")
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

T=tok-1
cat > tradecore.yaml <<YAML
log:
  format: json
server:
  tokens: $T
  heartbeat_ms: 100
  lease_ms: 1000
  mode: paper
database:
  runtime:
    url: "$pgurl"
  historical:
    url: "$pgurl"
  pool_size: 4
YAML
"$bin" db migrate >/dev/null
"$bin" market add XNYS --name NYSE --timezone America/New_York >/dev/null
for i in $(seq 1 8); do
    "$bin" instrument add "K$i" --symbol "K$i" --market XNYS --asset-class EQUITY \
        --currency USD --tick-size 0.01 --lot-size 1 >/dev/null
done
"$bin" portfolio add main --name Main --base-currency USD --initial-capital 100000 >/dev/null
"$bin" strategy add s1 --name S1 >/dev/null

"$bin" --set "log.file=$PWD/serve.log" serve --listen 127.0.0.1:0 --port-file port \
    2>>serve.stderr &
pid=$!
for _ in $(seq 1 200); do [ -s port ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat port)"
for _ in $(seq 1 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/ready")" == 200 ] && break
    sleep 0.05
done
check "ready before the outage" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$url/ready")"
epoch0=$(psql -qtA "$pgurl" -c "SELECT epoch FROM leader_state WHERE id = 1")

# body ID: BASE_ENTRY on even numbers, EXIT on odd, over eight instruments
body() {
    local n=${1#s-} type=BASE_ENTRY
    [ $((n % 2)) -eq 1 ] && type=EXIT
    printf '{"type":"%s","portfolio":"main","strategy":"s1","instrument":"K%d","side":"LONG","timestamp":"%s","price":"10","quantity":"5","signal_id":"%s"}' \
        "$type" $(((n / 2) % 8 + 1)) "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1"
}
# send ID: one attempt; prints "ID CODE RETRY-AFTER"
send() {
    local code ra hdr="headers.$BASHPID"
    : >"$hdr"
    code=$(curl -s -m 10 -D "$hdr" -o /dev/null -w '%{http_code}' \
        -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
        --data-binary "$(body "$1")" "$url/v1/signals" || true)
    ra=$(tr -d '\r' <"$hdr" | awk -F': ' 'tolower($1) == "retry-after" {print $2}')
    echo "$1 ${code:-000} ${ra:--}"
}
# the client: one signal after another until told to stop
(
    i=0
    while [ ! -e stop ]; do
        send "s-$i" >>sent.txt
        i=$((i + 1))
        sleep 0.02
    done
) &
client=$!

sleep 2
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null
t_down=$(date +%s.%N)
sleep "$outage"
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$pgdir' -c port=5432 -c fsync=on -c max_connections=200" \
    start >/dev/null
t_up=$(date +%s.%N)
# the service goes on: signals acknowledged again within 15 s
recovered=no
for _ in $(seq 1 150); do
    if tail -n 1 sent.txt | grep -qE ' (201|200|422) '; then
        lines=$(wc -l <sent.txt)
        sleep 1
        if tail -n +"$lines" sent.txt | awk '$2 !~ /^(201|200|422)$/ {bad = 1} END {exit bad}'; then
            recovered=yes
            break
        fi
    fi
    sleep 0.1
done
check "signals acknowledged again after the restart" yes "$recovered"
sleep 1
touch stop
wait "$client" || true
client=

total=$(wc -l <sent.txt)
n503=$(awk '$2 == 503' sent.txt | wc -l)
n503ra=$(awk '$2 == 503 && $3 == 1' sent.txt | wc -l)
nack=$(awk '$2 ~ /^(201|200|422)$/' sent.txt | wc -l)
nother=$(awk '$2 !~ /^(201|200|422|503|000)$/' sent.txt | wc -l)
nrefused=$(awk '$2 == "000"' sent.txt | wc -l)
outage_s=$(echo "$t_up - $t_down" | bc)
echo "pg_restart: outage ${outage_s} s; $total signals sent: $nack acknowledged, $n503 answered 503 ($n503ra with Retry-After), $nrefused without an answer"
if [ "$n503" -eq 0 ]; then
    bad "no 503 seen during a ${outage_s} s outage: make TC_PG_OUTAGE_S longer"
else
    ok
fi
check "every 503 carries Retry-After" "$n503" "$n503ra"
check "no other status" 0 "$nother"
check "no duplicate on first send" 0 "$(awk '$2 == 200' sent.txt | wc -l)"

# every acknowledged signal in signal_log exactly once, nothing of a 503
psql -qtA "$pgurl" -c "SELECT fingerprint FROM signal_log" | sort >logged.txt
awk '$2 ~ /^(201|200|422)$/ {print "id:" $1}' sent.txt | sort >acked.txt
check "acknowledged signals logged" "$(wc -l <acked.txt)" "$(comm -12 acked.txt logged.txt | wc -l)"
check "each logged once" "" "$(uniq -d logged.txt)"
check "nothing logged that was not acknowledged" "" "$(comm -13 acked.txt logged.txt | head -3)"
accepted=$(awk '$2 == 201 {print "id:" $1}' sent.txt | sort)
check "accepted ones logged accepted" "$(wc -l <<<"$accepted")" \
    "$(psql -qtA "$pgurl" -c "SELECT count(*) FROM signal_log WHERE status = 'accepted'")"

# the leader took its lock back: one new epoch, and writes go on
epoch1=$(psql -qtA "$pgurl" -c "SELECT epoch FROM leader_state WHERE id = 1")
if [ "$epoch1" -ge "$epoch0" ] && [ "$epoch1" -le $((epoch0 + 1)) ]; then ok; else bad "epoch $epoch0 -> $epoch1"; fi
check "leader again" 1 "$(curl -s "$url/metrics" | awk '$1 == "tradecore_leader" {print $2}')"
check "health after the restart" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$url/health")"

# resend everything: the acknowledged ones are duplicates, the 503 ones apply now
: >resent.txt
while read -r id code _; do
    r=$(send "$id")
    echo "$r $code" >>resent.txt
done <sent.txt
check "acknowledged ones come back as duplicates" "$nack" \
    "$(awk '$4 ~ /^(201|200|422)$/ && $2 == 200' resent.txt | wc -l)"
check "the others are applied now" "$((total - nack))" \
    "$(awk '$4 !~ /^(201|200|422)$/ && ($2 == 201 || $2 == 422)' resent.txt | wc -l)"
psql -qtA "$pgurl" -c "SELECT fingerprint FROM signal_log" | sort >logged2.txt
check "every signal logged once after the resend" "$total" "$(sort -u logged2.txt | wc -l)"
check "no fingerprint twice" "$total" "$(wc -l <logged2.txt)"
"$bin" ledger check >/dev/null 2>&1 && ok || bad "tradecore ledger check reports violations"

kill -TERM "$pid"
wait "$pid" && ok || bad "serve did not stop cleanly"
pid=
echo "test_pg_restart: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
