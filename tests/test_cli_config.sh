#!/usr/bin/env bash
# `tradecore config show`: four keys from four sources (YAML file, .env,
# environment, --set) each shown with its value and source; secrets redacted;
# a bad value exits 2 naming the key and file:line; --help exits 0.
set -euo pipefail

bin=${TC_TEST_BIN:?TC_TEST_BIN is not set}
mkdir -p "${TC_TEST_TMP:-/tmp}"
work=$(mktemp -d "${TC_TEST_TMP:-/tmp}/cli_config.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "test_cli_config: $*" >&2; exit 1; }

# expect_eq WHAT GOT WANT
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

cat >tradecore.yaml <<'EOF'
# test configuration
database:
  pool_size: 6
  runtime:
    url: postgresql://trader:s3cr3t@localhost/rt
retry:
  attempts: 3
  base_ms: ${TCT_BASE_MS:-20}
EOF
cat >.env <<'EOF'
# dotenv
TC_LOG__LEVEL=warn
TC_RETRY__ATTEMPTS=4
EOF

# file < dotenv < env < cli, one key each, plus overlaps on retry.attempts
TC_RETRY__CAP_MS=900 TC_DATABASE__BUSY_TIMEOUT_MS=1234 \
    run 0 --set database.connect_attempts=7 --set retry.cap_ms=800 config show --json
jq -e . out.txt >/dev/null || fail "config show --json is not JSON"
expect_eq "pool_size" "$(jq -c '."database.pool_size"' out.txt)" '{"value":6,"source":"file"}'
expect_eq "base_ms (interpolated default)" "$(jq -c '."retry.base_ms"' out.txt)" '{"value":20,"source":"file"}'
expect_eq "log.level" "$(jq -c '."log.level"' out.txt)" '{"value":"warn","source":"dotenv"}'
expect_eq "retry.attempts" "$(jq -c '."retry.attempts"' out.txt)" '{"value":4,"source":"dotenv"}'
expect_eq "busy_timeout" "$(jq -c '."database.busy_timeout_ms"' out.txt)" '{"value":1234,"source":"env"}'
expect_eq "connect_attempts" "$(jq -c '."database.connect_attempts"' out.txt)" '{"value":7,"source":"cli"}'
expect_eq "cap_ms" "$(jq -c '."retry.cap_ms"' out.txt)" '{"value":800,"source":"cli"}'
expect_eq "log.keep" "$(jq -c '."log.keep"' out.txt)" '{"value":5,"source":"default"}'
expect_eq "runtime url" "$(jq -r '."database.runtime.url".value' out.txt)" 'postgresql://trader:***@localhost/rt'
grep -q s3cr3t out.txt && fail "the password leaked into config show"
expect_eq "key count" "$(jq 'length' out.txt)" "$("$bin" config --help | grep -c '^  [a-z]')"

# ${VAR} from the environment; text output with sources
TCT_BASE_MS=30 run 0 config show --sources
grep -qx 'retry.base_ms = 30  # file (tradecore.yaml:8)' out.txt || fail "text --sources: $(cat out.txt)"
grep -qx 'log.level = warn  # dotenv (.env:2)' out.txt || fail "text --sources: $(cat out.txt)"
grep -qx 'log.keep = 5  # default' out.txt || fail "text --sources: $(cat out.txt)"
run 0 config show
grep -qx 'database.pool_size = 6' out.txt || fail "text: $(cat out.txt)"
grep -q '#' out.txt && fail "text without --sources shows sources"

# a bad value: exit 2, key, value and file:line on stderr, nothing on stdout
cat >bad.yaml <<'EOF'
log:
  level: info
database:
  pool_size: lots
EOF
run 2 --config bad.yaml config show --json
grep -q 'database.pool_size' err.txt || fail "bad value: $(cat err.txt)"
grep -q '"lots" is not an integer' err.txt || fail "bad value: $(cat err.txt)"
grep -q 'bad.yaml:4' err.txt || fail "bad value: $(cat err.txt)"
[[ ! -s out.txt ]] || fail "bad value printed to stdout"

# bad values from the other sources name their source
TC_LOG__FORMAT=xml run 2 config show
grep -q 'log.format: "xml" is not one of json, text (environment variable TC_LOG__FORMAT)' err.txt ||
    fail "env: $(cat err.txt)"
TC_NO_SUCH_KEY=1 run 2 config show
grep -q 'TC_NO_SUCH_KEY' err.txt || fail "unknown env: $(cat err.txt)"
run 2 --set retry.attempts=0 config show
grep -q 'retry.attempts: "0" is out of range 1..100 (--set)' err.txt || fail "--set: $(cat err.txt)"
printf 'TC_LOG__LEVEL=info\nTC_BOGUS=1\n' >.env
run 2 config show
grep -q 'TC_BOGUS' err.txt && grep -q '.env:2' err.txt || fail "dotenv: $(cat err.txt)"
rm .env
run 2 --config missing.yaml config show
grep -q 'missing.yaml' err.txt || fail "missing --config: $(cat err.txt)"

# production refuses a default password
run 2 --set environment=production --set database.runtime.url=postgresql://u:postgres@localhost/rt config show
grep -q 'database.runtime.url: empty or default password' err.txt || fail "production: $(cat err.txt)"

# help and usage
run 0 config --help
grep -q 'usage: tradecore config show' out.txt || fail "--help: $(cat out.txt)"
grep -q 'database.runtime.url' out.txt || fail "--help lists no options"
run 0 config show --help
grep -q 'usage: tradecore config show' out.txt || fail "show --help"
run 2 config
run 2 config frobnicate
grep -q "unknown subcommand 'frobnicate'" err.txt || fail "unknown subcommand: $(cat err.txt)"
run 2 config show --yaml
grep -q "unknown option '--yaml'" err.txt || fail "unknown option: $(cat err.txt)"

echo "test_cli_config: ok"
