#!/usr/bin/env bash
# `tradecore calendar sessions|show`: session lists as text and JSON, one
# date shown with its reason and open/close in local time and UTC, and the
# exit codes: 0 success, 1 unknown MIC or a year outside the verified ones,
# 2 a bad date or usage.
set -euo pipefail

bin=${TC_TEST_BIN:?TC_TEST_BIN is not set}
mkdir -p "${TC_TEST_TMP:-/tmp}"
work=$(mktemp -d "${TC_TEST_TMP:-/tmp}/cli_calendar.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "test_cli_calendar: $*" >&2; exit 1; }
expect_eq() { [[ "$2" == "$3" ]] || fail "$1: got '$2', want '$3'"; }

# run EXPECTED_STATUS ARGS...: runs tradecore with stdout/stderr captured.
run() {
    local want=$1 status=0
    shift
    "$bin" "$@" >out.txt 2>err.txt || status=$?
    if [[ $status -ne $want ]]; then
        echo "--- stdout"; cat out.txt; echo "--- stderr"; cat err.txt
        fail "tradecore $*: exit $status, want $want"
    fi
}

# sessions, text: one date per line, holidays and weekends left out
run 0 calendar sessions XNYS --from 2024-12-20 --to 2024-12-31
expect_eq "sessions text" "$(tr '\n' ' ' <out.txt)" \
    "2024-12-20 2024-12-23 2024-12-24 2024-12-26 2024-12-27 2024-12-30 2024-12-31 "
run 0 calendar sessions XNYS --from 2001-09-10 --to 2001-09-17
expect_eq "9/11 week" "$(tr '\n' ' ' <out.txt)" "2001-09-10 2001-09-17 "
run 0 calendar sessions XNYS --from 2024-01-01 --to 2024-12-31
expect_eq "2024 session count" "$(wc -l <out.txt | tr -d ' ')" "252"
run 0 calendar sessions XNYS --from 2024-12-25 --to 2024-12-25
expect_eq "no sessions" "$(wc -c <out.txt | tr -d ' ')" "0"

# sessions, JSON: an array of date strings
run 0 calendar sessions XTKS --from 2024-12-27 --to 2025-01-07 --json
jq -e 'type == "array" and all(.[]; type == "string")' out.txt >/dev/null ||
    fail "sessions --json is not an array of strings"
expect_eq "sessions json" "$(jq -c . out.txt)" '["2024-12-27","2024-12-30","2025-01-06","2025-01-07"]'
run 0 calendar sessions XNYS --from 2024-12-25 --to 2024-12-25 --json
expect_eq "empty json" "$(jq -c . out.txt)" '[]'

# show, text
run 0 calendar show XNYS 2024-12-24
grep -q '^XNYS 2024-12-24: session (early close: Christmas Eve)$' out.txt || fail "show text: $(cat out.txt)"
grep -q 'open   2024-12-24T09:30:00-05:00  2024-12-24T14:30:00Z EST' out.txt || fail "show open: $(cat out.txt)"
grep -q 'close  2024-12-24T13:00:00-05:00  2024-12-24T18:00:00Z EST' out.txt || fail "show close: $(cat out.txt)"
run 0 calendar show XNYS 2024-03-29
expect_eq "show holiday" "$(cat out.txt)" "XNYS 2024-03-29: no session (Good Friday)"

# show, JSON: the full shape, for a session and for a closure
run 0 calendar show XNYS 2024-07-01 --json
expect_eq "show json keys" "$(jq -c 'keys_unsorted' out.txt)" \
    '["mic","date","zone","session","early_close","reason","open_local","close_local","open_utc","close_utc"]'
expect_eq "show json session" "$(jq -c . out.txt)" \
    '{"mic":"XNYS","date":"2024-07-01","zone":"America/New_York","session":true,"early_close":false,"reason":null,"open_local":"2024-07-01T09:30:00-04:00","close_local":"2024-07-01T16:00:00-04:00","open_utc":"2024-07-01T13:30:00Z","close_utc":"2024-07-01T20:00:00Z"}'
run 0 calendar show XNYS 2012-10-29 --json
expect_eq "show json closure" "$(jq -c . out.txt)" \
    '{"mic":"XNYS","date":"2012-10-29","zone":"America/New_York","session":false,"early_close":false,"reason":"closed: Hurricane Sandy","open_local":null,"close_local":null,"open_utc":null,"close_utc":null}'
run 0 calendar show XLON 2024-03-28 --json
expect_eq "london winter open" "$(jq -r .open_utc out.txt)" "2024-03-28T08:00:00Z"
run 0 calendar show XLON 2024-04-02 --json
expect_eq "london summer open" "$(jq -r .open_utc out.txt)" "2024-04-02T07:00:00Z"

# exit codes
run 1 calendar show XXXX 2024-01-02
grep -q 'calendar "XXXX": unknown MIC' err.txt || fail "unknown MIC message: $(cat err.txt)"
[[ -s out.txt ]] && fail "unknown MIC wrote to stdout"
run 1 calendar sessions XXXX --from 2024-01-01 --to 2024-01-31
grep -q 'unknown MIC' err.txt || fail "sessions unknown MIC message: $(cat err.txt)"
run 2 calendar show XNYS 2024-02-30
grep -q 'date "2024-02-30": day 30 is not in 2024-02' err.txt || fail "bad date message: $(cat err.txt)"
run 2 calendar show XNYS yesterday
grep -q 'date "yesterday": not in the form YYYY-MM-DD' err.txt || fail "bad date text: $(cat err.txt)"
run 2 calendar sessions XNYS --from 2024-13-01 --to 2024-12-31
grep -q -- '--from: date "2024-13-01": month 13' err.txt || fail "bad --from: $(cat err.txt)"
run 2 calendar sessions XNYS --from 2024-01-01 --to ''
grep -q -- '--to: date ""' err.txt || fail "empty --to: $(cat err.txt)"
run 2 calendar sessions XNYS --from 2024-12-31 --to 2024-01-01
grep -q 'is after --to' err.txt || fail "reversed range: $(cat err.txt)"
run 2 calendar sessions XNYS --from 2024-01-01
grep -q 'need MIC, --from DATE and --to DATE' err.txt || fail "missing --to: $(cat err.txt)"
run 2 calendar show XNYS
run 2 calendar frobnicate
grep -q "unknown subcommand 'frobnicate'" err.txt || fail "unknown subcommand: $(cat err.txt)"
run 1 calendar show XNYS 1989-12-29
grep -q 'calendar XNYS: 1989-12-29 is outside the verified years 1990..2026' err.txt ||
    fail "out of range message: $(cat err.txt)"
run 1 calendar sessions XTKS --from 2009-12-01 --to 2010-01-31
grep -q 'outside the verified years 2010..2026' err.txt || fail "XTKS range: $(cat err.txt)"
run 0 calendar --help
grep -q 'calendar sessions MIC' out.txt || fail "help text"

echo "test_cli_calendar: ok"
