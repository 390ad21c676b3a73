#!/usr/bin/env bash
# `tradecore serve` with testing.clock_offset_file (the daemon's clock seam):
# the wall clock jumps +3 h, -3 h and back while a client sends signals.
# Checks: every signal applied once and its resend a duplicate; the heartbeat
# row keeps being written and follows the jumped clock (backwards too: it is
# the clock's time, not a sequence); the leader keeps its role and its epoch;
# /health stays 200; a bad offset file at start is refused naming it, and a
# bad one later keeps the last offset; ledger check clean.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_count_init serve_clock

T=tok-1
cat > tradecore.yaml <<YAML
log:
  format: json
server:
  tokens: $T
  heartbeat_ms: 50
  lease_ms: 400
  mode: paper
testing:
  clock_offset_file: $PWD/offset
YAML
"$bin" db migrate >/dev/null
"$bin" market add XNYS --name NYSE --timezone America/New_York >/dev/null
for i in $(seq 1 4); do
    "$bin" instrument add "K$i" --symbol "K$i" --market XNYS --asset-class EQUITY \
        --currency USD --tick-size 0.01 --lot-size 1 >/dev/null
done
"$bin" portfolio add main --name Main --base-currency USD --initial-capital 100000 >/dev/null
"$bin" strategy add s1 --name S1 >/dev/null

# a bad file at start: refused, naming it
echo "three hours" >offset
set +e
"$bin" serve --listen 127.0.0.1:0 >out.txt 2>err.txt
rc=$?
set -e
check "bad offset file at start: exit status" 1 "$rc"
contains "bad offset file named" "$PWD/offset" "$(cat err.txt)"
contains "bad offset text named" "three hours" "$(cat err.txt)"

echo 0 >offset
"$bin" --set "log.file=$PWD/serve.log" serve --listen 127.0.0.1:0 --port-file port 2>>serve.stderr &
pid=$!
for _ in $(seq 1 200); do [ -s port ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat port)"
for _ in $(seq 1 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/ready")" == 200 ] && break
    sleep 0.05
done
epoch0=$(sqlite3 var/runtime.db "SELECT epoch FROM leader_state WHERE id = 1")

post() { # ID N TYPE: the status code
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T" \
        -H 'Content-Type: application/json' --data-binary \
        "$(printf '{"type":"%s","portfolio":"main","strategy":"s1","instrument":"K%d","side":"LONG","timestamp":"%s","price":"10","quantity":"5","signal_id":"%s"}' \
            "$3" "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1")" "$url/v1/signals"
}
# the heartbeat's distance from the real clock, in hours (rounded)
hb_hours() {
    local hb s now
    hb=$(sqlite3 var/runtime.db "SELECT last_heartbeat FROM instance_metadata WHERE role = 'leader'")
    case "$hb" in *[!0-9]*) s=$(date -u -d "$hb" +%s) ;; *) s=$((hb / 1000000)) ;; esac
    now=$(date -u +%s)
    echo $(( (s - now + 1800 + 360000) / 3600 - 100 ))
}
# waits (up to 5 s) until hb_hours says H: a heartbeat comes every 50 ms,
# but a loaded machine (a sanitizer build) may take longer than a fixed sleep
wait_hb() {
    local t
    for t in $(seq 50); do
        [ "$(hb_hours)" == "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

codes=()
i=0
for off in 0 10800 -10800 10800 0; do
    echo "$off" >offset
    wait_hb $((off / 3600))
    check "heartbeat follows the clock (offset $off s)" $((off / 3600)) "$(hb_hours)"
    check "health during offset $off" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$url/health")"
    for k in 1 2 3 4; do
        i=$((i + 1))
        c=$(post "j-$i" "$k" "$([ $((i % 2)) -eq 1 ] && echo BASE_ENTRY || echo EXIT)")
        case "$c" in 201 | 422) ok ;; *) bad "j-$i at offset $off: status $c" ;; esac
    done
    # every earlier signal is a duplicate, whatever the clock says
    for j in $(seq 1 "$i"); do
        c=$(post "j-$j" 1 BASE_ENTRY)
        [ "$c" == 200 ] || bad "j-$j resent at offset $off: status $c"
    done
    check "still the leader at offset $off" 1 "$(curl -s "$url/metrics" | awk '$1 == "tradecore_leader" {print $2}')"
done
check "signals logged once each" "$i" "$(sqlite3 var/runtime.db "SELECT count(DISTINCT fingerprint) || '/' || count(*) FROM signal_log" | awk -F/ '$1 == $2 {print $1}')"
check "epoch unchanged by the jumps" "$epoch0" "$(sqlite3 var/runtime.db "SELECT epoch FROM leader_state WHERE id = 1")"
check "one election" 1 "$(grep -c '"msg":"elected"' serve.log)"

# a bad file while running: a warning, the last offset kept
echo 7200 >offset
wait_hb 2
echo "soon" >offset
for t in $(seq 50); do
    grep -q "is not a number of seconds" serve.log && break
    sleep 0.1
done
sleep 0.4 # heartbeats after the bad file was read
contains "bad offset file warned" "is not a number of seconds" "$(cat serve.log)"
check "last good offset kept" 2 "$(hb_hours)"
echo 0 >offset

kill -TERM "$pid"
wait "$pid" && ok || bad "serve did not stop cleanly"
pid=
"$bin" ledger check >/dev/null 2>&1 && ok || bad "tradecore ledger check reports violations"
echo "test_serve_clock: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
