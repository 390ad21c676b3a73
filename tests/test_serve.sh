#!/usr/bin/env bash
# `tradecore serve` end to end on loopback with sqlite stores in a fresh
# folder: refusal with pending migrations, the endpoints' JSON shapes,
# tokens, metrics text, SIGHUP reopening the log file, SIGTERM exiting 0.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_count_init serve

cat > tradecore.yaml <<EOF
log:
  format: json
  file: $tmp/work/serve.log
server:
  tokens: tok-a, tok-b
  heartbeat_ms: 50
EOF

# ---- pending migrations: refuse, exit 1 -----------------------------------
set +e
"$bin" serve --listen 127.0.0.1:0 --port-file port 2>"$tmp/err"
rc=$?
set -e
check "pending migrations exit" 1 "$rc"
contains "pending message" "refusing to start: runtime store:" "$(cat "$tmp/err")"
contains "pending names migrate" "tradecore db migrate" "$(cat "$tmp/err")"
[ ! -e port ] && ok || bad "a port file was written by a refused start"

# usage errors
set +e
"$bin" serve --bogus 2>"$tmp/err"; rc=$?
set -e
check "unknown option exit" 2 "$rc"
contains "unknown option named" "'--bogus'" "$(cat "$tmp/err")"
set +e
"$bin" db migrate >/dev/null 2>&1
"$bin" serve --listen nonsense 2>"$tmp/err"; rc=$?
set -e
check "bad listen exit" 2 "$rc"
contains "bad listen named" "server.listen" "$(cat "$tmp/err")"

# ---- serve ----------------------------------------------------------------
"$bin" serve --listen 127.0.0.1:0 --port-file port 2>"$tmp/stderr" &
pid=$!
for _ in $(seq 1 200); do [ -s port ] && break; sleep 0.05; done
port=$(cat port)
[[ "$port" =~ ^[0-9]+$ ]] && ok || bad "port file holds '$port'"
url="http://127.0.0.1:$port"
contains "listening line" "\"address\":\"127.0.0.1:$port\"" "$(grep '"msg":"listening"' serve.log)"

# ready once the heartbeat has checked the stores
for _ in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url/ready")
    [ "$code" == 200 ] && break
    sleep 0.05
done
check "/ready" 200 "$code"
check "/ready body" true "$(curl -s "$url/ready" | jq '.ready')"

check "/ping" '{"status":"ok"}' "$(curl -s "$url/ping")"
out=$(curl -s -D "$tmp/h" -H 'X-Request-Id: shell-1' "$url/ping")
contains "request id echoed" "X-Request-Id: shell-1" "$(tr -d '\r' < "$tmp/h")"

out=$(curl -s -w '\n%{http_code}' "$url/health")
check "/health status" 200 "$(tail -n1 <<<"$out")"
body=$(head -n -1 <<<"$out")
check "/health ok" '"ok"' "$(jq '.status' <<<"$body")"
check "/health mode" '"paper"' "$(jq '.mode' <<<"$body")"
check "/health runtime" '"ok"' "$(jq '.components.runtime.status' <<<"$body")"
check "/health runtime reachable" true "$(jq '.components.runtime.reachable' <<<"$body")"
check "/health historical pending" 0 "$(jq '.components.historical.schema.pending | length' <<<"$body")"
check "/health schema current = latest" true \
    "$(jq '.components.runtime.schema.current == .components.runtime.schema.latest and .components.runtime.schema.latest > 0' <<<"$body")"
check "/health role" '"leader"' "$(jq '.components.role.role' <<<"$body")"
check "/health heartbeat" '"ok"' "$(jq '.components.heartbeat.status' <<<"$body")"
check "/health heartbeat interval" 50 "$(jq '.components.heartbeat.interval_ms' <<<"$body")"

# the token-protected endpoints
check "/system without token" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$url/system")"
check "/system wrong token" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer tok-c' "$url/system")"
check "/db/status without token" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$url/db/status")"
check "401 body" '"unauthorized"' "$(curl -s "$url/system" | jq '.error')"
auth=(-H 'Authorization: Bearer tok-b')
body=$(curl -s "${auth[@]}" "$url/system")
check "/system version" true "$(jq '.version | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")' <<<"$body")"
check "/system pid" "$pid" "$(jq '.pid' <<<"$body")"
check "/system uptime" true "$(jq '.uptime_s > 0' <<<"$body")"
check "/system rss" true "$(jq '.rss_bytes > 100000' <<<"$body")"
check "/system fds" true "$(jq '.open_fds >= 3' <<<"$body")"
check "/system cpu" true "$(jq '.cpu_seconds >= 0' <<<"$body")"
check "/system disk" '"var"' "$(jq '.disk[0].path' <<<"$body")"
check "/system disk free" true "$(jq '.disk[0].free_bytes > 0 and .disk[0].total_bytes >= .disk[0].free_bytes' <<<"$body")"

body=$(curl -s "${auth[@]}" "$url/db/status")
check "/db/status stores" 2 "$(jq '.stores | length' <<<"$body")"
check "/db/status store" '"runtime"' "$(jq '.stores[0].store' <<<"$body")"
check "/db/status backend" '"sqlite"' "$(jq '.stores[0].backend' <<<"$body")"
check "/db/status url" '"sqlite:var/historical.db"' "$(jq '.stores[1].url' <<<"$body")"
check "/db/status reachable" true "$(jq '.stores[0].reachable' <<<"$body")"
check "/db/status latency" true "$(jq '.stores[0].latency_us >= 0' <<<"$body")"
check "/db/status schema" true "$(jq '.stores[0].schema.current == .stores[0].schema.latest' <<<"$body")"
# in_use may be 1 at the instant the heartbeat thread holds the connection
check "/db/status pool" true "$(jq '.stores[0].pool | .size == 1 and .in_use + .idle == 1 and .reconnects == 0' <<<"$body")"

check "404 shape" '{"error":"not_found","detail":"no route for /nope"}' "$(curl -s "$url/nope")"
check "405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$url/ping")"

metrics=$(curl -s -D "$tmp/h" "$url/metrics")
contains "metrics content type" "text/plain; version=0.0.4" "$(cat "$tmp/h")"
contains "metrics TYPE" "# TYPE tradecore_http_requests_total counter" "$metrics"
contains "metrics histogram" "# TYPE tradecore_http_request_duration_seconds histogram" "$metrics"
contains "metrics ping count" 'tradecore_http_requests_total{route="/ping",method="GET",status="200"} 2' "$metrics"
contains "metrics 401 counted" 'tradecore_http_requests_total{route="/system",method="GET",status="401"} 3' "$metrics"
contains "metrics cpu" "process_cpu_seconds_total " "$metrics"
contains "metrics rss" "process_resident_memory_bytes " "$metrics"
contains "metrics fds" "process_open_fds " "$metrics"
inf=$(grep '^tradecore_http_request_duration_seconds_bucket{route="/ping",le="+Inf"}' <<<"$metrics" | awk '{print $2}')
cnt=$(grep '^tradecore_http_request_duration_seconds_count{route="/ping"}' <<<"$metrics" | awk '{print $2}')
check "+Inf bucket = count" "$cnt" "$inf"

# ---- SIGHUP reopens the log file ------------------------------------------
mv serve.log serve.log.1
kill -HUP "$pid"
for _ in $(seq 1 100); do [ -s serve.log ] && break; sleep 0.05; done
contains "reopened log" '"msg":"log reopened"' "$(cat serve.log 2>/dev/null || true)"
curl -s "$url/ping" >/dev/null
contains "requests go to the new file" '"route":"/ping"' "$(cat serve.log)"
kill -0 "$pid" && ok || bad "server died on SIGHUP"

# ---- SIGTERM with a request in flight: it completes, exit 0 ----------------
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
pid=
check "SIGTERM exit" 0 "$rc"
contains "stopping logged" '"msg":"stopping"' "$(cat serve.log)"
contains "stopped logged" '"msg":"stopped"' "$(cat serve.log)"
[ ! -e port ] && ok || bad "port file left behind"
check "refused after stop" 000 "$(curl -s -o /dev/null -w '%{http_code}' "$url/ping" || true)"

# ---- SIGINT too ------------------------------------------------------------
"$bin" serve --listen 127.0.0.1:0 --port-file port 2>/dev/null &
pid=$!
for _ in $(seq 1 200); do [ -s port ] && break; sleep 0.05; done
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
pid=
check "SIGINT exit" 0 "$rc"

echo "serve: $passes passed, $fails failed"
rm -rf "$tmp"
[ "$fails" -eq 0 ]
