#!/usr/bin/env bash
# `tradecore serve` over TLS on loopback, with certificates made here by the
# openssl command: a CA, a server certificate for 127.0.0.1/localhost and a
# client certificate signed by it, and a client certificate signed by another
# CA. HTTPS answers, plain HTTP on the TLS port does not, a missing or bad
# certificate or key refuses to start naming the file; with
# server.tls_client_ca only the good client certificate gets through.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_count_init tls
mkdir -p "$tmp/pki"

stop() {
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        pid=
    fi
}

# ---- keys and certificates -------------------------------------------------
pki=$tmp/pki
ossl() { openssl "$@" 2>>"$pki/openssl.log"; }
# ca NAME CN: a self-signed CA
ca() {
    ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
        -keyout "$pki/$1.key" -out "$pki/$1.crt" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
# leaf NAME CA CN EXTFILE: a key and a certificate signed by CA
leaf() {
    ossl req -newkey rsa:2048 -nodes -subj "/CN=$3" -keyout "$pki/$1.key" -out "$pki/$1.csr"
    ossl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.crt" -CAkey "$pki/$2.key" -CAcreateserial \
        -days 2 -out "$pki/$1.crt" -extfile "$4"
}
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$pki/server.ext"
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >"$pki/client.ext"
ca ca "tradecore test CA"
ca other "some other CA"
leaf server ca localhost "$pki/server.ext"
leaf client ca tradingview "$pki/client.ext"
leaf intruder other tradingview "$pki/client.ext"
# sanity of the fixture itself: each leaf verifies against its own CA only
openssl verify -CAfile "$pki/ca.crt" "$pki/server.crt" "$pki/client.crt" >/dev/null && ok ||
    bad "certificates do not verify against their CA"
openssl verify -CAfile "$pki/ca.crt" "$pki/intruder.crt" >/dev/null 2>&1 &&
    bad "the other CA's client certificate verifies against the test CA" || ok

T=tok-tls
cat > tradecore.yaml <<EOF
log:
  format: json
  file: $tmp/work/serve.log
server:
  tokens: $T
  heartbeat_ms: 50
EOF
"$bin" db migrate >/dev/null 2>&1

# start [--set k=v ...]: serve in the background, sets $pid and $port
start() {
    rm -f port
    "$bin" "$@" serve --listen 127.0.0.1:0 --port-file port 2>>"$tmp/stderr" &
    pid=$!
    for _ in $(seq 1 200); do [ -s port ] && break; sleep 0.05; done
    port=$(cat port 2>/dev/null || echo 0)
}
# code URL [curl args...]: the HTTP status, or "000" when no answer came
code() {
    local u=$1
    shift
    curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 "$@" "$u" 2>/dev/null || true
}
# curl_rc URL [curl args...]: curl's exit code
curl_rc() {
    local u=$1 rc=0
    shift
    curl -s -o /dev/null --max-time 10 "$@" "$u" 2>/dev/null || rc=$?
    echo "$rc"
}
wait_https() {
    for _ in $(seq 1 100); do
        [ "$(code "https://127.0.0.1:$port/ping" --cacert "$pki/ca.crt" "$@")" == 200 ] && return 0
        sleep 0.05
    done
    return 1
}
tls=(--set "server.tls_cert=$pki/server.crt" --set "server.tls_key=$pki/server.key")

# ---- 1. HTTPS --------------------------------------------------------------
start "${tls[@]}"
[[ "$port" =~ ^[1-9][0-9]*$ ]] && ok || bad "no port written by a TLS serve: '$port'"
wait_https || bad "https /ping never answered 200"
check "https ping" 200 "$(code "https://127.0.0.1:$port/ping" --cacert "$pki/ca.crt")"
check "https ping body" '{"status":"ok"}' "$(cat "$tmp/body")"
check "https localhost ping" 200 \
    "$(code "https://localhost:$port/ping" --cacert "$pki/ca.crt" --resolve "localhost:$port:127.0.0.1")"
check "https token route" 200 \
    "$(code "https://127.0.0.1:$port/system" --cacert "$pki/ca.crt" -H "Authorization: Bearer $T")"
contains "https system body" '"version"' "$(cat "$tmp/body")"
check "https token route without token" 401 \
    "$(code "https://127.0.0.1:$port/system" --cacert "$pki/ca.crt")"
# the server's certificate is the one configured: an unknown CA fails verification (curl 60)
check "https with the other CA" 60 "$(curl_rc "https://127.0.0.1:$port/ping" --cacert "$pki/other.crt")"
# plain HTTP to the TLS port gets no HTTP answer
check "plain http to the tls port" 000 "$(code "http://127.0.0.1:$port/ping")"
# and the server keeps serving HTTPS after it
check "https after plain http" 200 "$(code "https://127.0.0.1:$port/ping" --cacert "$pki/ca.crt")"
# no client certificate is asked for without tls_client_ca: one given is ignored
check "client cert without tls_client_ca" 200 \
    "$(code "https://127.0.0.1:$port/ping" --cacert "$pki/ca.crt" --cert "$pki/intruder.crt" --key "$pki/intruder.key")"
grep -q '"tls":true' serve.log && ok || bad "the listening record does not say tls"
stop

# ---- 1b. bad certificate or key files refuse to start ----------------------
printf 'not a certificate\n' >"$pki/garbage.pem"
: >"$pki/empty.pem"
# refuse NAME EXPECTED_TEXT [--set ...]: serve exits 1 or 2, no port file,
# stderr holds EXPECTED_TEXT
refuse() {
    local name=$1 want=$2 rc=0
    shift 2
    rm -f port
    timeout 20 "$bin" "$@" serve --listen 127.0.0.1:0 --port-file port 2>"$tmp/err" >/dev/null || rc=$?
    case "$rc" in 1 | 2) ok ;; *) bad "$name: exit $rc (want 1 or 2)" ;; esac
    contains "$name message" "$want" "$(cat "$tmp/err")"
    [ ! -e port ] && ok || bad "$name: a port file was written"
}
refuse "missing cert" "$pki/nope.crt" --set "server.tls_cert=$pki/nope.crt" --set "server.tls_key=$pki/server.key"
contains "missing cert option named" "server.tls_cert" "$(cat "$tmp/err")"
refuse "missing key" "$pki/nope.key" --set "server.tls_cert=$pki/server.crt" --set "server.tls_key=$pki/nope.key"
contains "missing key option named" "server.tls_key" "$(cat "$tmp/err")"
refuse "cert without key" "server.tls_key" --set "server.tls_cert=$pki/server.crt"
refuse "key without cert" "server.tls_cert" --set "server.tls_key=$pki/server.key"
refuse "missing client ca" "$pki/nope-ca.crt" "${tls[@]}" --set "server.tls_client_ca=$pki/nope-ca.crt"
contains "missing client ca option named" "server.tls_client_ca" "$(cat "$tmp/err")"
refuse "client ca without cert" "server.tls_client_ca" --set "server.tls_client_ca=$pki/ca.crt"
refuse "garbage cert" "server.tls_cert \"$pki/garbage.pem\"" --set "server.tls_cert=$pki/garbage.pem" --set "server.tls_key=$pki/server.key"
refuse "garbage key" "server.tls_key \"$pki/garbage.pem\"" --set "server.tls_cert=$pki/server.crt" --set "server.tls_key=$pki/garbage.pem"
refuse "empty cert" "$pki/empty.pem" --set "server.tls_cert=$pki/empty.pem" --set "server.tls_key=$pki/server.key"
refuse "key of another certificate" "server.tls_key \"$pki/client.key\"" --set "server.tls_cert=$pki/server.crt" --set "server.tls_key=$pki/client.key"
refuse "garbage client ca" "server.tls_client_ca \"$pki/garbage.pem\"" "${tls[@]}" --set "server.tls_client_ca=$pki/garbage.pem"
refuse "unreadable cert (a folder)" "$pki" --set "server.tls_cert=$pki" --set "server.tls_key=$pki/server.key"

# ---- 2. client certificates -------------------------------------------------
start "${tls[@]}" --set "server.tls_client_ca=$pki/ca.crt"
good=(--cacert "$pki/ca.crt" --cert "$pki/client.crt" --key "$pki/client.key")
wait_https --cert "$pki/client.crt" --key "$pki/client.key" || bad "https with a client cert never answered"
check "good client cert, token route" 200 \
    "$(code "https://127.0.0.1:$port/system" "${good[@]}" -H "Authorization: Bearer $T")"
contains "good client cert body" '"version"' "$(cat "$tmp/body")"
check "good client cert, no token" 401 "$(code "https://127.0.0.1:$port/system" "${good[@]}")"
check "good client cert, public route" 200 "$(code "https://127.0.0.1:$port/ping" "${good[@]}")"
# without a client certificate: the handshake completes (the certificate is
# asked for, not required, by libmicrohttpd) and the server answers 403
check "no client cert, token route" 403 \
    "$(code "https://127.0.0.1:$port/system" --cacert "$pki/ca.crt" -H "Authorization: Bearer $T")"
contains "no client cert error" '"error":"forbidden"' "$(cat "$tmp/body")"
contains "no client cert detail" 'client certificate' "$(cat "$tmp/body")"
check "no client cert, public route" 403 "$(code "https://127.0.0.1:$port/ping" --cacert "$pki/ca.crt")"
# the other CA's certificate: refused (a failed handshake, or 403)
c=$(code "https://127.0.0.1:$port/system" --cacert "$pki/ca.crt" --cert "$pki/intruder.crt" \
    --key "$pki/intruder.key" -H "Authorization: Bearer $T")
case "$c" in 000 | 403) ok ;; *) bad "other CA's client cert got $c" ;; esac
check "other CA's client cert answers 403" 403 "$c"
contains "other CA's client cert detail" 'client certificate' "$(cat "$tmp/body")"
# a self-signed client certificate (the other CA's own) is refused too
c=$(code "https://127.0.0.1:$port/ping" --cacert "$pki/ca.crt" --cert "$pki/other.crt" --key "$pki/other.key")
case "$c" in 000 | 403) ok ;; *) bad "self-signed client cert got $c" ;; esac
# the server is still healthy for the good client afterwards
check "good client cert after refusals" 200 \
    "$(code "https://127.0.0.1:$port/system" "${good[@]}" -H "Authorization: Bearer $T")"
check "plain http with client ca" 000 "$(code "http://127.0.0.1:$port/ping")"
stop

rm -rf "$tmp"
echo "tls: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
