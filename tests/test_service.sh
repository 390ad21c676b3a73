#!/usr/bin/env bash
# `tradecore serve` as a trading service, end to end on loopback: the /v1
# routes and their status codes and JSON; a table of bad requests that change
# nothing; paper fills from bars that survive a restart; kill -9 during a
# stream of signals (exactly once, nothing half applied, resending changes
# nothing); SIGTERM under load; one serve per sqlite store; backup and
# restore with keep-N rotation; two instances on one PostgreSQL database
# (one leader, takeover after kill -9, standbys and stale epochs answer 503).
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_count_init service
pids=()
pgdb=

cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    if [ -n "$pgdb" ]; then
        psql -q "$pgurl_server" -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

T=tok-1
D1=$(date -u -d 'next monday' +%Y-%m-%d)     # the next session: bars posted here
D2=$(date -u -d "$D1 + 1 day" +%Y-%m-%d)     # the one after
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
# sig TYPE INSTRUMENT ID [extra json members]
sig() {
    printf '{"type":"%s","portfolio":"main","strategy":"s1","instrument":"%s","side":"LONG","timestamp":"%s","price":"10","quantity":"5","signal_id":"%s"%s}' \
        "$1" "$2" "$(now)" "$3" "${4:-}"
}
# post URL BODY [curl args...]: prints "CODE BODY"
# (AUTH and CTYPE replace the default headers; "" leaves one out)
post() {
    local u=$1 b=$2 auth=${AUTH-Authorization: Bearer $T} ctype=${CTYPE-Content-Type: application/json}
    shift 2
    local h=()
    [ -n "$auth" ] && h+=(-H "$auth")
    [ -n "$ctype" ] && h+=(-H "$ctype")
    curl -s -o "$tmp/body" -w '%{http_code}' "${h[@]}" "$@" --data-binary "$b" "$u" >"$tmp/code" || true
    echo "$(cat "$tmp/code") $(cat "$tmp/body")"
}
get() { curl -s -H "Authorization: Bearer $T" "$1"; }
code_of() { cut -d' ' -f1 <<<"$1"; }
body_of() { cut -d' ' -f2- <<<"$1"; }

# start NAME [extra env...]: serve in the background; sets $pid and $url
start() {
    local name=$1
    shift
    rm -f "port.$name"
    env "$@" "$bin" --set "log.file=$PWD/$name.log" serve --listen 127.0.0.1:0 \
        --port-file "port.$name" 2>>"$tmp/$name.stderr" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 1 200); do [ -s "port.$name" ] && break; sleep 0.05; done
    url="http://127.0.0.1:$(cat "port.$name")"
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/ping")" == 200 ] && break
        sleep 0.05
    done
}
wait_ready() {
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/ready")" == 200 ] && return 0
        sleep 0.05
    done
    return 1
}
# state URL: positions, orders and every portfolio, as one JSON text
state() {
    echo "$(get "$1/v1/positions")$(get "$1/v1/orders")$(get "$1/v1/portfolio/main")"
}

cat > tradecore.yaml <<EOF
log:
  format: json
server:
  tokens: $T, pass-2
  heartbeat_ms: 50
  lease_ms: 200
  mode: paper
EOF

setup_entities() { # instruments ORCL MSFT and K1..K$1, portfolio main, strategy s1
    "$bin" db migrate >/dev/null
    "$bin" market add XNYS --name NYSE --timezone America/New_York >/dev/null
    for i in ORCL MSFT POLL $(seq -f 'K%g' 1 "$1"); do
        "$bin" instrument add "$i" --symbol "$i" --market XNYS --asset-class EQUITY \
            --currency USD --tick-size 0.01 --lot-size 1 >/dev/null
    done
    "$bin" portfolio add main --name Main --base-currency USD --initial-capital 100000 >/dev/null
    "$bin" strategy add s1 --name S1 >/dev/null
}
setup_entities 30

# ---- the routes --------------------------------------------------------------
start a
wait_ready "$url" && ok || bad "serve not ready"
check "sqlite leader" 1 "$(curl -s "$url/metrics" | awk '$1 == "tradecore_leader" {print $2}')"

r=$(post "$url/v1/signals" "$(sig BASE_ENTRY ORCL e-1)")
check "new signal" 201 "$(code_of "$r")"
check "new signal outcome" '"accepted" false "id:e-1"' \
    "$(body_of "$r" | jq -c '.status, .duplicate, .fingerprint' | tr '\n' ' ' | sed 's/ $//')"
order_id=$(body_of "$r" | jq -r .order_id)
r=$(post "$url/v1/signals" "$(sig BASE_ENTRY ORCL e-1)")
check "duplicate signal" 200 "$(code_of "$r")"
check "duplicate flag" true "$(body_of "$r" | jq .duplicate)"
check "duplicate same order" "$order_id" "$(body_of "$r" | jq -r .order_id)"
r=$(post "$url/v1/signals" "$(sig BASE_ENTRY ORCL e-2)")
check "rejected signal" 422 "$(code_of "$r")"
check "rejected status" '"rejected"' "$(body_of "$r" | jq .status)"
contains "rejected reason" "base" "$(body_of "$r" | jq -r .reason)"
# passphrase instead of a token (webhooks that cannot set headers)
r=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "$(sig EXIT MSFT p-1 ',"passphrase":"pass-2"')" "$url/v1/signals")
check "passphrase auth (a rejection: nothing open)" 422 "$r"

out=$(get "$url/v1/signals?since=2000-01-01T00:00:00Z")
check "signals listed" 3 "$(jq '.signals | length' <<<"$out")"
check "rejection logged" '"rejected"' "$(jq '.signals[] | select(.fingerprint == "id:e-2") | .status' <<<"$out")"
check "duplicate counted" 1 "$(jq '.signals[] | select(.fingerprint == "id:e-1") | .duplicate_count' <<<"$out")"
check "signals since the future" 0 "$(get "$url/v1/signals?since=2999-01-01T00:00:00Z" | jq '.signals | length')"
check "signals bad since" 400 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T" "$url/v1/signals?since=yesterday")"
out=$(get "$url/v1/orders?status=SUBMITTED")
check "working order" "$order_id" "$(jq -r '.orders[0].order_id' <<<"$out")"
check "order mode" PAPER "$(jq -r '.orders[0].mode' <<<"$out")"
check "no filled orders yet" 0 "$(get "$url/v1/orders?status=FILLED" | jq '.orders | length')"
r=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $T" "$url/v1/orders?status=BOGUS")
check "bad order status" 400 "${r##* }"
contains "bad order status named" BOGUS "$r"
check "orders of another portfolio" 0 "$(get "$url/v1/orders?portfolio=other" | jq '.orders | length')"
check "orders of main" 1 "$(get "$url/v1/orders?portfolio=main" | jq '.orders | length')"
for q in "orders?portfolio=bad%20id" "signals?portfolio=bad%20id" "positions?portfolio=bad%20id"; do
    r=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $T" "$url/v1/$q")
    check "$q status" 400 "${r##* }"
    contains "$q named" "portfolio" "$r"
done
out=$(get "$url/v1/positions")
check "one position" 1 "$(jq '.positions | length' <<<"$out")"
check "position before fill (quantity counts fills)" '"ORCL" "0" "10"' \
    "$(jq -c '.positions[0] | .instrument_id, .quantity, .entry_price' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
out=$(get "$url/v1/portfolio/main")
check "portfolio cash" '"100000"' "$(jq .portfolio.cash <<<"$out")"
check "portfolio positions" 1 "$(jq '.positions | length' <<<"$out")"
check "unknown portfolio" 404 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T" "$url/v1/portfolio/nope")"
check "reads need a token" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/positions")"
m=$(curl -s "$url/metrics")
contains "metric accepted" 'tradecore_signals_total{outcome="accepted"} 1' "$m"
contains "metric duplicate" 'tradecore_signals_total{outcome="duplicate"} 1' "$m"
contains "metric rejected" 'tradecore_signals_total{outcome="rejected"} 2' "$m"
contains "metric commit histogram" 'tradecore_ledger_commit_seconds_count 4' "$m"
contains "metric epoch" 'tradecore_leader_epoch 1' "$m"
contains "metric pool" 'tradecore_store_pool_in_use' "$m"

# ---- bad requests change nothing ------------------------------------------------
before=$(state "$url")
head -c 10485760 /dev/zero | tr '\0' ' ' >"$tmp/big"
bad_req() { # NAME CODE NEEDLE BODY [curl args]
    local name=$1 code=$2 needle=$3 body=$4
    shift 4
    local r
    r=$(post "$url/v1/signals" "$body" "$@")
    check "$name: status" "$code" "$(code_of "$r")"
    contains "$name: message" "$needle" "$(body_of "$r")"
}
bad_req "malformed json" 400 "line 1" '{"type": "BASE_ENTRY",'
bad_req "truncated json" 400 "bad_json" "$(sig BASE_ENTRY MSFT b-1 | head -c 60)"
bad_req "not an object" 400 "not a JSON object" '[1, 2, 3]'
bad_req "wrong type of price" 422 "price" "$(sig BASE_ENTRY MSFT b-2 | sed 's/"price":"10"/"price":true/')"
bad_req "NaN price" 422 "price" "$(sig BASE_ENTRY MSFT b-3 | sed 's/"price":"10"/"price":"NaN"/')"
bad_req "negative price" 422 "price" "$(sig BASE_ENTRY MSFT b-4 | sed 's/"price":"10"/"price":"-10"/')"
bad_req "zero quantity" 422 "quantity" "$(sig BASE_ENTRY MSFT b-5 | sed 's/"quantity":"5"/"quantity":"0"/')"
bad_req "unknown type" 422 "BUY_NOW" "$(sig BUY_NOW MSFT b-6)"
bad_req "SQL in the symbol" 422 "instrument" "$(sig BASE_ENTRY "MSFT'; DROP TABLE positions;--" b-7)"
bad_req "unknown instrument" 422 "ZZZZ" "$(sig BASE_ENTRY ZZZZ b-8)"
bad_req "duplicate" 200 '"duplicate":true' "$(sig BASE_ENTRY ORCL e-1)"
bad_req "10 MB body" 413 "payload_too_large" "@$tmp/big"
CTYPE='Content-Type: text/plain' bad_req "wrong content type" 415 "unsupported_media_type" "$(sig BASE_ENTRY MSFT b-9)"
AUTH= bad_req "no token" 401 "unauthorized" "$(sig BASE_ENTRY MSFT b-10)"
AUTH='Authorization: Bearer nope' bad_req "wrong token" 401 "unauthorized" "$(sig BASE_ENTRY MSFT b-11)"
AUTH= bad_req "wrong passphrase" 401 "unauthorized" "$(sig BASE_ENTRY MSFT b-12 ',"passphrase":"nope"')"
bad_req "empty body" 400 "" ""
check "state unchanged by bad requests" "$before" "$(state "$url")"
check "positions table still there" 1 "$(get "$url/v1/positions" | jq '.positions | length')"
check "401 and 4xx before the ledger are not logged" 0 \
    "$(get "$url/v1/signals?since=2000-01-01T00:00:00Z" | jq '[.signals[] | select(.fingerprint | test("b-1[0-2]$"))] | length')"

# ---- paper trading: a bar fills the order at its open ------------------------------
bar='{"instrument":"ORCL","date":"'$D1'","open":"10.50","high":"11","low":"10.25","close":"10.75","volume":100000}'
for b in '{"instrument":"ORCL","date":"2030-01-02","open":"10","high":"9","low":"8","close":"9"}' \
    '{"instrument":"ORCL","open":"10","high":"11","low":"9","close":"10"}' \
    '{"instrument":"ORCL","date":"2030-13-45","open":"10","high":"11","low":"9","close":"10"}' \
    '{"instrument":"ORCL","date":"2030-01-02","open":"NaN","high":"11","low":"9","close":"10"}' \
    '{"instrument":"ORCL","date":"2030-01-02","open":"-1","high":"11","low":"-2","close":"10"}' \
    "[$bar, {\"instrument\":\"ORCL\"}]"; do
    r=$(post "$url/v1/bars" "$b")
    check "bad bar $b" 422 "$(code_of "$r")"
    contains "bad bar named" "bar " "$(body_of "$r")"
done
check "bad bars filled nothing" "$before" "$(state "$url")"
r=$(post "$url/v1/bars" "$bar")
check "bar accepted" 200 "$(code_of "$r")"
check "bar filled one order" '{"bars":1,"fills":1}' "$(body_of "$r")"
out=$(get "$url/v1/positions")
check "filled at the next open" '"10.5" "5"' "$(jq -c '.positions[0] | .entry_price, .quantity' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check "order filled" "$order_id" "$(get "$url/v1/orders?status=FILLED" | jq -r '.orders[0].order_id')"
# a second order stays working across the restart
r=$(post "$url/v1/signals" "$(sig BASE_ENTRY MSFT m-1)")
check "second entry" 201 "$(code_of "$r")"
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
check "SIGTERM exit" 0 "$rc"
start a
wait_ready "$url" || bad "restart not ready"
out=$(get "$url/v1/positions")
check "positions survive the restart" 2 "$(jq '.positions | length' <<<"$out")"
check "filled price survives" '"10.5"' "$(jq '.positions[] | select(.instrument_id == "ORCL") | .entry_price' <<<"$out")"
check "epoch raised by the restart" 2 "$(curl -s "$url/metrics" | awk '$1 == "tradecore_leader_epoch" {print $2}')"
r=$(post "$url/v1/bars" '[{"instrument":"MSFT","date":"'$D1'","open":"20","high":"21","low":"19","close":"20.5","volume":100000}]')
check "resumed order filled" '{"bars":1,"fills":1}' "$(body_of "$r")"
check "resumed order price" '"20"' "$(get "$url/v1/positions" | jq '.positions[] | select(.instrument_id == "MSFT") | .entry_price')"
# bars ingested while the service runs reach working orders (polled every
# heartbeat): not one dated before the order's day, the next one at its open
r=$(post "$url/v1/signals" "$(sig BASE_ENTRY POLL poll-1)")
check "entry for polling" 201 "$(code_of "$r")"
{
    echo "Date,Open,High,Low,Close,Adj Close,Volume"
    echo "$(date -u -d yesterday +%Y-%m-%d),30,31,29,30.5,30.5,1000"
    echo "$D2,31.25,32,31,31.5,31.5,1000"
} >"$tmp/POLL.csv"
"$bin" ingest prices "$tmp/POLL.csv" --symbol POLL --market XNYS >/dev/null || bad "ingest while serving failed"
for _ in $(seq 1 100); do
    [ "$(get "$url/v1/positions" | jq -r '.positions[] | select(.instrument_id == "POLL") | .quantity')" == 5 ] && break
    sleep 0.05
done
check "stored bar filled at its open, not yesterday's" '"31.25"' \
    "$(get "$url/v1/positions" | jq '.positions[] | select(.instrument_id == "POLL") | .entry_price')"
check "three filled orders" 3 "$(get "$url/v1/orders?status=FILLED" | jq '.orders | length')"

set +e
"$bin" --set server.lease_ms=10 serve --listen 127.0.0.1:0 2>"$tmp/lease.err"
rc=$?
set -e
check "lease below 40 ms exit" 2 "$rc"
contains "lease named" "server.lease_ms" "$(cat "$tmp/lease.err")"

# ---- one serve per sqlite store -------------------------------------------------------
set +e
"$bin" serve --listen 127.0.0.1:0 2>"$tmp/second.err"
rc=$?
set -e
check "second serve exit" 1 "$rc"
contains "second serve message" "in use by another tradecore serve" "$(cat "$tmp/second.err")"
contains "second serve names the pid" "pid $pid" "$(cat "$tmp/second.err")"

# ---- backup while serving, restore, rotation ---------------------------------------------
"$bin" db backup --out "$tmp/bk/rt.db" >/dev/null 2>&1 && bad "backup into a missing folder succeeded" || ok
mkdir -p "$tmp/bk"
"$bin" db backup --out "$tmp/bk/rt.db" --keep 2 >/dev/null || bad "online backup failed"
saved=$(state "$url")
r=$(post "$url/v1/signals" "$(sig BASE_ENTRY K1 after-backup)")
check "signal after the backup" 201 "$(code_of "$r")"
set +e
"$bin" db restore "$tmp/bk/rt.db" 2>"$tmp/restore.err"
rc=$?
set -e
check "restore while serving exit" 1 "$rc"
contains "restore while serving message" "refusing while a tradecore serve" "$(cat "$tmp/restore.err")"
kill -TERM "$pid"; wait "$pid" || true
"$bin" db restore "$tmp/bk/rt.db" >/dev/null || bad "restore failed"
start a
wait_ready "$url" || bad "not ready after restore"
check "restored state" "$saved" "$(state "$url")"
for _ in 1 2 3; do "$bin" db backup --out "$tmp/bk/rt.db" --keep 2 >/dev/null; done
check "keep 2 rotation" "rt.db rt.db.1" "$(cd "$tmp/bk" && ls | tr '\n' ' ' | sed 's/ $//')"
"$bin" db backup --out "$tmp/bk/rt.db" --keep 0 >/dev/null 2>"$tmp/keep.err" && bad "keep 0 accepted" || ok
contains "keep 0 named" "--keep" "$(cat "$tmp/keep.err")"
"$bin" db restore "$tmp/nothing.db" >/dev/null 2>&1 && bad "restore of a missing file" || ok
echo "not a database" >"$tmp/junk.db"
"$bin" db restore "$tmp/junk.db" 2>"$tmp/junk.err" && bad "restore of junk" || ok
contains "junk named" "junk.db is not a sound SQLite database" "$(cat "$tmp/junk.err")"

# ---- kill -9 during a stream of signals ------------------------------------------------------
stream() { # prints "i code" per signal K$i (BASE_ENTRY, each instrument once)
    for i in $(seq 2 30); do
        c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $T" \
            -H 'Content-Type: application/json' --data-binary "$(sig BASE_ENTRY "K$i" "k-$i")" \
            "$url/v1/signals" || true)
        echo "$i $c"
    done
}
stream >"$tmp/codes" &
spid=$!
for _ in $(seq 1 200); do [ "$(wc -l <"$tmp/codes")" -ge 8 ] && break; sleep 0.01; done
kill -KILL "$pid"
wait "$spid" || true
wait "$pid" 2>/dev/null || true
acked=$(awk '$2 == 201 || $2 == 200 {print $1}' "$tmp/codes" | sort -n | tr '\n' ' ')
[ -n "$acked" ] && ok || bad "no signal was acknowledged before the kill"
[ "$(awk '$2 == "000"' "$tmp/codes" | wc -l)" -ge 1 ] && ok || bad "the kill came after the stream"
start a
wait_ready "$url" || bad "not ready after kill -9"
db=var/runtime.db
for i in $acked; do
    check "acked k-$i applied once" "1 1" \
        "$(sqlite3 "$db" "SELECT count(*) FROM signal_log WHERE fingerprint = 'id:k-$i'") $(sqlite3 "$db" "SELECT count(*) FROM orders WHERE signal_fingerprint = 'id:k-$i'")"
done
check "no order without its signal" 0 \
    "$(sqlite3 "$db" "SELECT count(*) FROM orders o LEFT JOIN signal_log s ON s.fingerprint = o.signal_fingerprint WHERE s.fingerprint IS NULL")"
check "no accepted signal without its order and position" 0 \
    "$(sqlite3 "$db" "SELECT count(*) FROM signal_log s WHERE s.status = 'accepted' AND (NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = s.order_id) OR NOT EXISTS (SELECT 1 FROM positions p WHERE p.position_id = s.position_id))")"
check "no position without its order" 0 \
    "$(sqlite3 "$db" "SELECT count(*) FROM positions p WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.position_id = p.position_id)")"
after_kill=$(state "$url")
n_log=$(sqlite3 "$db" "SELECT count(*) FROM signal_log")
for i in $(seq 2 30); do
    r=$(post "$url/v1/signals" "$(sig BASE_ENTRY "K$i" "k-$i")")
    case " $acked " in
    *" $i "*) check "resent acked k-$i is a duplicate" 200 "$(code_of "$r")" ;;
    *) case "$(code_of "$r")" in 200 | 201) ok ;; *) bad "resent k-$i: $r" ;; esac ;;
    esac
done
for i in $(seq 2 30); do
    r=$(post "$url/v1/signals" "$(sig BASE_ENTRY "K$i" "k-$i")")
    check "third send of k-$i" 200 "$(code_of "$r")"
done
check "each K position once" 29 "$(sqlite3 "$db" "SELECT count(*) FROM positions WHERE instrument_id GLOB 'K[0-9]*' AND instrument_id <> 'K1'")"
[ "$(sqlite3 "$db" "SELECT count(*) FROM signal_log")" -ge "$n_log" ] && ok || bad "signal log shrank"
for i in $acked; do
    check "acked k-$i still once" 1 "$(sqlite3 "$db" "SELECT count(*) FROM orders WHERE signal_fingerprint = 'id:k-$i'")"
done

# ---- SIGTERM under load: in-flight requests complete, exit 0 ----------------------------------
load() {
    for k in $(seq 1 40); do
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 -H "Authorization: Bearer $T" \
            -H 'Content-Type: application/json' --data-binary "$(sig BASE_ENTRY K1 "load-$1-$k")" \
            "$url/v1/signals" || true
    done
}
for w in 1 2 3 4; do load "$w" >"$tmp/load.$w" & done
sleep 0.2
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
wait
check "SIGTERM under load exit" 0 "$rc"
cat "$tmp"/load.* >"$tmp/load.all"
check "no server errors under SIGTERM" 0 "$(grep -c '^5' "$tmp/load.all" || true)"
[ "$(grep -c '^\(200\|201\|422\)$' "$tmp/load.all")" -ge 1 ] && ok || bad "no request was served during the load"
answered=$(grep -c '^\(200\|201\|422\)$' "$tmp/load.all" || true)
check "every answered signal is logged" "$answered" \
    "$(sqlite3 "$db" "SELECT count(*) FROM signal_log WHERE fingerprint GLOB 'id:load-*'")"
contains "stopped cleanly" '"msg":"stopped"' "$(cat a.log)"

# ---- PostgreSQL: two instances ------------------------------------------------------------------
[ -n "${TC_TEST_PG_URL_FILE:-}" ] && [ -s "$TC_TEST_PG_URL_FILE" ] || { bad "no PostgreSQL fixture"; exit 1; }
pgurl_server=$(cat "$TC_TEST_PG_URL_FILE")
pgdb="service_$$"
psql -q -v ON_ERROR_STOP=1 "$pgurl_server" -c "CREATE DATABASE $pgdb" >/dev/null
pgurl=${pgurl_server/\/postgres\?/\/$pgdb?}
mkdir -p "$tmp/pg"
cd "$tmp/pg"
cp ../work/tradecore.yaml .
export TC_DATABASE__RUNTIME__URL=$pgurl TC_DATABASE__HISTORICAL__URL=$pgurl
setup_entities 2
start pa
url_a=$url pid_a=$pid
wait_ready "$url_a" || bad "pg a not ready"
start pb
url_b=$url pid_b=$pid
wait_ready "$url_b" || bad "pg b not ready"
role() { curl -s "$1/metrics" | awk '$1 == "tradecore_leader" {print $2}'; }
check "exactly one leader" "1 0" "$(role "$url_a") $(role "$url_b")"
check "one leader in instance_metadata" 1 "$(psql -qtA "$pgurl" -c "SELECT count(*) FROM instance_metadata WHERE role = 'leader'")"
r=$(post "$url_a/v1/signals" "$(sig BASE_ENTRY ORCL pg-1)")
check "write on the leader" 201 "$(code_of "$r")"
r=$(post "$url_b/v1/signals" "$(sig BASE_ENTRY MSFT pg-2)")
check "write on the standby" 503 "$(code_of "$r")"
check "standby names the leader" "${url_a#http://}" "$(body_of "$r" | jq -r .leader)"
check "standby reads" 1 "$(get "$url_b/v1/orders" | jq '.orders | length')"
check "standby wrote nothing" 0 "$(psql -qtA "$pgurl" -c "SELECT count(*) FROM signal_log WHERE fingerprint = 'id:pg-2'")"
epoch_a=$(psql -qtA "$pgurl" -c "SELECT epoch FROM leader_state")
t0=$(date +%s%N)
kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null || true
for _ in $(seq 1 400); do [ "$(role "$url_b")" == 1 ] && break; sleep 0.01; done
ms=$((($(date +%s%N) - t0) / 1000000))
check "standby took over" 1 "$(role "$url_b")"
# the lease is 200 ms; the poll above and curl add their own time on a busy machine
[ "$ms" -le 1000 ] && ok || bad "takeover took $ms ms (lease 200 ms)"
check "epoch raised by the takeover" $((epoch_a + 1)) "$(psql -qtA "$pgurl" -c "SELECT epoch FROM leader_state")"
r=$(post "$url_b/v1/signals" "$(sig BASE_ENTRY MSFT pg-2)")
check "write on the new leader" 201 "$(code_of "$r")"
# a stale epoch (another instance raised it) is fenced: 503, nothing written
epoch_b=$(psql -qtA "$pgurl" -c "SELECT epoch FROM leader_state")
psql -qtA "$pgurl" -c "UPDATE leader_state SET epoch = epoch + 1" >/dev/null
r=$(post "$url_b/v1/signals" "$(sig BASE_ENTRY K1 pg-3)")
check "stale epoch write" 503 "$(code_of "$r")"
contains "stale epoch named" "stale" "$(body_of "$r")"
check "stale epoch wrote nothing" 0 "$(psql -qtA "$pgurl" -c "SELECT count(*) FROM signal_log WHERE fingerprint = 'id:pg-3'")"
# the fenced leader steps down and stands again with a fresh epoch
for _ in $(seq 1 200); do
    [ "$(psql -qtA "$pgurl" -c "SELECT epoch FROM leader_state")" -gt $((epoch_b + 1)) ] && [ "$(role "$url_b")" == 1 ] && break
    sleep 0.02
done
check "re-elected after being fenced" "1 $((epoch_b + 2))" "$(role "$url_b") $(psql -qtA "$pgurl" -c "SELECT epoch FROM leader_state")"
r=$(post "$url_b/v1/signals" "$(sig BASE_ENTRY K1 pg-3)")
check "write after re-election" 201 "$(code_of "$r")"

# the database unreachable: 503 with Retry-After, nothing committed, resend works
psql -q "$pgurl_server" -c "ALTER DATABASE $pgdb ALLOW_CONNECTIONS false" >/dev/null
psql -q "$pgurl_server" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$pgdb'" >/dev/null
r=$(post "$url_b/v1/signals" "$(sig BASE_ENTRY K2 pg-4)" -D "$tmp/h503")
check "database unreachable" 503 "$(code_of "$r")"
contains "retry-after while unreachable" "Retry-After: 1" "$(tr -d '\r' <"$tmp/h503")"
psql -q "$pgurl_server" -c "ALTER DATABASE $pgdb ALLOW_CONNECTIONS true" >/dev/null
check "nothing committed while unreachable" 0 "$(psql -qtA "$pgurl" -c "SELECT count(*) FROM signal_log WHERE fingerprint = 'id:pg-4'")"
for _ in $(seq 1 200); do
    r=$(post "$url_b/v1/signals" "$(sig BASE_ENTRY K2 pg-4)")
    [ "$(code_of "$r")" == 503 ] || break
    sleep 0.02
done
check "resent after recovery" 201 "$(code_of "$r")"
check "applied once" 1 "$(psql -qtA "$pgurl" -c "SELECT count(*) FROM orders WHERE signal_fingerprint = 'id:pg-4'")"
kill -TERM "$pid_b"
set +e; wait "$pid_b"; rc=$?; set -e
check "pg SIGTERM exit" 0 "$rc"

echo "passed $passes, failed $fails"
[ "$fails" -eq 0 ] && rm -rf "$tmp"
[ "$fails" -eq 0 ]
