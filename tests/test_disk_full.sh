#!/usr/bin/env bash
# Disk full under `tradecore serve`: both SQLite stores on a small tmpfs
# (mount -t tmpfs, as root) that a filler file then fills to the last byte.
# Checks: a signal that cannot be written gets 503 with Retry-After and a
# message naming the full disk, and is not logged; reads still answer; the
# database passes PRAGMA integrity_check; once the filler is deleted the same
# signal is applied (201) and everything acknowledged before is there once;
# ledger check clean. The test fails (it never skips) when the tmpfs cannot
# be mounted, saying why.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_count_init disk_full
mkdir -p "$tmp/disk"
mounted=

cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    [ -n "$mounted" ] && umount "$tmp/disk" 2>/dev/null || true
}
trap cleanup EXIT

if ! out=$(mount -t tmpfs -o size=8m,mode=0755 tmpfs "$tmp/disk" 2>&1); then
    echo "FAIL: cannot mount a tmpfs of 8 MB at $tmp/disk (uid $(id -u)): $out" >&2
    exit 1
fi
mounted=yes
disk=$tmp/disk

T=tok-1
cat > tradecore.yaml <<YAML
log:
  format: json
server:
  tokens: $T
  heartbeat_ms: 100
  mode: paper
database:
  runtime:
    url: "sqlite:$disk/runtime.db"
  historical:
    url: "sqlite:$disk/historical.db"
YAML
"$bin" db migrate >/dev/null
"$bin" market add XNYS --name NYSE --timezone America/New_York >/dev/null
for i in $(seq 1 40); do
    "$bin" instrument add "K$i" --symbol "K$i" --market XNYS --asset-class EQUITY \
        --currency USD --tick-size 0.01 --lot-size 1 >/dev/null
done
"$bin" portfolio add main --name Main --base-currency USD --initial-capital 100000 >/dev/null
"$bin" strategy add s1 --name S1 >/dev/null

"$bin" --set "log.file=$PWD/serve.log" serve --listen 127.0.0.1:0 --port-file port 2>>serve.stderr &
pid=$!
for _ in $(seq 1 200); do [ -s port ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat port)"
for _ in $(seq 1 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/ready")" == 200 ] && break
    sleep 0.05
done

# sig ID N: a BASE_ENTRY on instrument K<N> (each instrument once: accepted)
sig() {
    printf '{"type":"BASE_ENTRY","portfolio":"main","strategy":"s1","instrument":"K%d","side":"LONG","timestamp":"%s","price":"10","quantity":"5","signal_id":"%s","comment":"%s"}' \
        "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$(head -c 300 /dev/zero | tr '\0' x)"
}
post() { # ID N: prints "CODE RETRY-AFTER BODY"
    local code ra
    : >headers
    code=$(curl -s -m 20 -D headers -o body -w '%{http_code}' -H "Authorization: Bearer $T" \
        -H 'Content-Type: application/json' --data-binary "$(sig "$1" "$2")" "$url/v1/signals" || true)
    ra=$(tr -d '\r' <headers | awk -F': ' 'tolower($1) == "retry-after" {print $2}')
    echo "$code ${ra:--} $(cat body)"
}

check "a signal before the disk fills" 201 "$(post d-1 1 | cut -d' ' -f1)"

# fill the filesystem to its last byte
dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null || true
avail=$(df --output=avail -B1 "$disk" | tail -n 1 | tr -d ' ')
check "the filesystem is full" 0 "$avail"

# signals until one is refused (the WAL may still have room for a few)
refused=
n=2
for n in $(seq 2 40); do
    r=$(post "d-$n" "$n")
    code=${r%% *}
    if [ "$code" != 201 ]; then
        refused=$r
        break
    fi
done
echo "disk_full: first refusal after $((n - 2)) more signals: ${refused:0:300}"
check "refused with 503" 503 "${refused%% *}"
check "Retry-After" 1 "$(cut -d' ' -f2 <<<"$refused")"
msg=$(cut -d' ' -f3- <<<"$refused" | jq -r .detail 2>/dev/null || true)
case "$msg" in
    *"disk is full"*) ok ;;
    *) bad "the message does not name the full disk: $refused" ;;
esac
failed_id="d-$n"
check "the refused signal is not logged" 0 \
    "$(sqlite3 "$disk/runtime.db" "SELECT count(*) FROM signal_log WHERE fingerprint = 'id:$failed_id'")"
check "reads still answer" 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T" "$url/v1/positions")"
check "still running" 0 "$(kill -0 "$pid"; echo $?)"
check "integrity while full" ok "$(sqlite3 "$disk/runtime.db" 'PRAGMA integrity_check')"
acked_before=$(sqlite3 "$disk/runtime.db" "SELECT count(*) FROM signal_log")

# space returns: the same signal goes through, nothing was lost or doubled
rm -f "$disk/filler"
check "the refused signal applied once space returned" 201 "$(post "$failed_id" "$n" | cut -d' ' -f1)"
check "the next one too" 201 "$(post d-next 40 | cut -d' ' -f1)"
check "every signal logged once" "$((acked_before + 2))" \
    "$(sqlite3 "$disk/runtime.db" "SELECT count(DISTINCT fingerprint) FROM signal_log")"
for i in $(seq 1 $((n - 1))); do
    [ "$(post "d-$i" "$i" | cut -d' ' -f1)" == 200 ] || bad "d-$i not a duplicate after the recovery"
done
ok

kill -TERM "$pid"
wait "$pid" && ok || bad "serve did not stop cleanly"
pid=
check "integrity after the recovery" ok "$(sqlite3 "$disk/runtime.db" 'PRAGMA integrity_check')"
"$bin" ledger check >/dev/null 2>&1 && ok || bad "tradecore ledger check reports violations"
echo "test_disk_full: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
