#!/usr/bin/env bash
# The entity commands end to end: tradecore init, market, instrument (and
# issuers), portfolio and strategy on sqlite files, then a subset on
# PostgreSQL. Checks exit statuses (0 ok, 1 error including rejected values and
# duplicates, 2 usage), messages on stderr, and JSON output with decimals as
# exact strings.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init cli_entities
mkdir -p "$base/sqlite"

# Stores used by tc: set per backend below.
RT_URL=""
HIST_URL=""
tc() {
    "$BIN" --set "database.runtime.url=$RT_URL" --set "database.historical.url=$HIST_URL" "$@"
}

# ---------------------------------------------------------------------------
run_sqlite() {
    cd "$base/sqlite"
    RT_URL="sqlite:$base/sqlite/stores/rt/runtime.db"
    HIST_URL="sqlite:$base/sqlite/stores/hist/historical.db"

    # a store that is not migrated is refused with a pointer to init
    expect_err 1 "tradecore init" market list
    expect_err 1 "tradecore db migrate" portfolio list

    # init: writes the sample configuration once, creates and migrates both stores
    expect 0 init
    [ -s tradecore.yaml ] || fail "init wrote no tradecore.yaml"
    grep -q '^#' tradecore.yaml || fail "tradecore.yaml has no comments"
    grep -q 'runtime' tradecore.yaml || fail "tradecore.yaml lacks the database keys"
    [ -f stores/rt/runtime.db ] && [ -f stores/hist/historical.db ] || fail "stores not created"
    sum=$(sha256sum tradecore.yaml)
    expect 0 init
    grep -q 'exists' "$base/out" || fail "second init did not report the existing file"
    [ "$(sha256sum tradecore.yaml)" = "$sum" ] || fail "second init changed tradecore.yaml"
    echo "# mine" >>tradecore.yaml
    expect 0 init --no-config
    grep -q '^# mine$' tradecore.yaml || fail "init --no-config touched tradecore.yaml"

    # --help everywhere: exit 0, usage on stdout
    for c in init market instrument portfolio strategy "market add" "market list" \
        "instrument add" "instrument show" "instrument issuer" "portfolio add" \
        "portfolio show" "strategy add" "strategy list"; do
        # shellcheck disable=SC2086
        expect 0 $c --help
        grep -q 'usage: tradecore' "$base/out" || fail "$c --help printed no usage"
    done

    # usage errors: exit 2
    expect_err 2 "unknown command" frobnicate
    expect_err 2 "unknown subcommand" market frob
    expect_err 2 "missing subcommand" instrument
    expect_err 2 "missing --timezone" market add XNYS --name "NYSE"
    expect_err 2 "missing MIC" market add --name "NYSE" --timezone America/New_York
    expect_err 2 "unknown option '--colour'" market list --colour
    expect_err 2 "given twice" market add XNYS --name a --name b --timezone UTC
    expect_err 2 "needs a value" market add XNYS --timezone UTC --name

    # markets
    expect 0 market add XNYS --name "New York Stock Exchange" --region US --timezone America/New_York
    expect_err 1 'market "XNYS" already exists' market add XNYS --name Other --timezone UTC
    expect_err 1 'timezone "Mars/Base"' market add XMAR --name Mars --timezone Mars/Base
    expect_err 1 'timezone "../../etc/passwd"' market add XBAD --name Bad --timezone ../../etc/passwd
    expect_err 1 'metadata' market add XJS --name J --timezone UTC --metadata '{"a":'
    expect 0 market add XLON --name "London Stock Exchange" --timezone Europe/London
    expect 0 market list --json
    jq_true 'length == 2 and .[0].market_id == "XLON" and .[1].market_id == "XNYS"'
    jq_true '.[1].timezone == "America/New_York" and .[1].region == "US"'
    jq_true '.[0].created_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$")'
    expect 0 market list
    grep -q 'New York Stock Exchange' "$base/out" || fail "market list lacks XNYS"

    # issuers
    expect 0 instrument issuer add ORACLE --name "Oracle Corporation" --country US
    expect_err 1 'issuer "ORACLE" already exists' instrument issuer add ORACLE --name X
    expect_err 1 'unknown issuer type "PERSON"' instrument issuer add P --name P --type PERSON
    expect 0 instrument issuer list --json
    jq_true 'length == 1 and .[0].issuer_type == "CORPORATION" and .[0].country == "US"'

    # instruments: exact decimals in JSON as strings
    expect 0 instrument add ORCL --symbol ORCL --market XNYS --asset-class EQUITY --currency USD \
        --issuer ORACLE --tick-size 0.00000001 --multiplier 12345678901.12345678 --lot-size 100
    expect 0 instrument show ORCL --json
    jq_true '.instrument_id == "ORCL" and .symbol == "ORCL" and .market_id == "XNYS"'
    jq_true '.tick_size == "0.00000001" and .multiplier == "12345678901.12345678" and .lot_size == "100"'
    jq_true '.issuer_id == "ORACLE" and .asset_class == "EQUITY" and .status == "ACTIVE"'
    expect 0 instrument show ORCL
    grep -q '12345678901.12345678' "$base/out" || fail "text show lost the multiplier digits"
    expect_err 1 'instrument "ORCL" already exists' instrument add ORCL --symbol O2 --market XNYS \
        --asset-class EQUITY --currency USD
    expect_err 1 'currency "usd"' instrument add X1 --symbol X1 --market XNYS --asset-class EQUITY --currency usd
    expect_err 1 'currency "US"' instrument add X1 --symbol X1 --market XNYS --asset-class EQUITY --currency US
    expect_err 1 'currency "USDX"' instrument add X1 --symbol X1 --market XNYS --asset-class EQUITY --currency USDX
    expect_err 2 'missing --currency' instrument add X1 --symbol X1 --market XNYS --asset-class EQUITY
    expect_err 1 'unknown market "XNOPE"' instrument add X1 --symbol X1 --market XNOPE --asset-class EQUITY --currency USD
    expect_err 1 'unknown issuer "NOBODY"' instrument add X1 --symbol X1 --market XNYS --asset-class EQUITY --currency USD --issuer NOBODY
    expect_err 1 'unknown asset class "BOND"' instrument add X1 --symbol X1 --market XNYS --asset-class BOND --currency USD
    expect_err 1 'lot_size 0' instrument add X1 --symbol X1 --market XNYS --asset-class EQUITY --currency USD --lot-size 0
    expect_err 1 '--lot-size' instrument add X1 --symbol X1 --market XNYS --asset-class EQUITY --currency USD --lot-size abc
    expect_err 1 '--tick-size' instrument add X1 --symbol X1 --market XNYS --asset-class EQUITY --currency USD --tick-size NaN
    expect_err 1 'instrument id' instrument add "X 1" --symbol X1 --market XNYS --asset-class EQUITY --currency USD
    expect_err 1 'instrument "NOPE" not found' instrument show NOPE
    huge=$(printf 'S%.0s' $(seq 1 1000))
    expect_err 1 '--symbol is 1000 bytes long' instrument add X1 --symbol "$huge" --market XNYS --asset-class EQUITY --currency USD
    expect_err 1 'instrument id is 1000 bytes long' instrument add "$huge" --symbol X1 --market XNYS --asset-class EQUITY --currency USD
    # a hostile symbol is data, not SQL
    evil="x'); DROP TABLE instruments;--"
    expect 0 instrument add EVIL --symbol "$evil" --market XNYS --asset-class EQUITY --currency USD
    expect 0 instrument show EVIL --json
    jq -e --arg s "$evil" '.symbol == $s' "$base/out" >/dev/null || fail "hostile symbol changed"
    expect 0 instrument list --json
    jq_true 'length == 2 and (map(.instrument_id) == ["EVIL", "ORCL"])'
    jq_true '.[1].tick_size | type == "string"'
    expect 0 instrument list
    grep -q '^ORCL ' "$base/out" || fail "text list lacks ORCL"

    # portfolios
    expect 0 portfolio add main --name "Main book" --base-currency USD \
        --initial-capital 12345678901.12345678 --description "the main book"
    expect 0 portfolio show main --json
    jq_true '.initial_capital == "12345678901.12345678" and .base_currency == "USD"'
    jq_true '.description == "the main book" and .name == "Main book"'
    expect_err 1 'portfolio "main" already exists' portfolio add main --name X --base-currency USD --initial-capital 1
    expect_err 1 'initial_capital -1 is negative' portfolio add neg --name N --base-currency USD --initial-capital -1
    expect_err 1 'base_currency "usd"' portfolio add p2 --name N --base-currency usd --initial-capital 1
    expect_err 1 '--initial-capital' portfolio add p2 --name N --base-currency USD --initial-capital 1e99
    expect_err 2 'missing --initial-capital' portfolio add p2 --name N --base-currency USD
    expect_err 2 'missing --base-currency' portfolio add p2 --name N --initial-capital 5
    expect 0 portfolio add tiny --name Tiny --base-currency EUR --initial-capital 0.00000001
    expect 0 portfolio list --json
    jq_true 'length == 2 and .[0].portfolio_id == "main" and .[1].initial_capital == "0.00000001"'
    expect 0 portfolio list
    grep -q '12345678901.12345678' "$base/out" || fail "portfolio list lost digits"

    # strategies: integers stay integers, decimals stay exact strings
    expect 0 strategy add sma --name "SMA cross" --param fast=10 --param slow=30 \
        --param stop=0.05 --param live=true --param label=abc
    expect 0 strategy add off --name "Off" --disabled
    expect_err 2 "--param 'fast' given twice" strategy add s3 --name S --param fast=1 --param fast=2
    expect_err 2 'expected KEY=VALUE' strategy add s3 --name S --param novalue
    expect_err 2 'missing --name' strategy add s3
    expect_err 1 'strategy "sma" already exists' strategy add sma --name X
    expect_err 1 'strategy id' strategy add "bad id" --name X
    expect 0 strategy list --json
    jq_true 'length == 2 and .[0].strategy_id == "off" and .[0].enabled == false'
    jq_true '.[1].enabled == true and .[1].params == {"fast":10,"slow":30,"stop":"0.05","live":true,"label":"abc"}'
    expect 0 strategy list
    grep -q '^sma ' "$base/out" || fail "strategy list lacks sma"

    # nothing half-written by the failures above
    expect 0 market list --json
    jq_true 'length == 2'
    expect 0 instrument issuer list --json
    jq_true 'length == 1'
}

# ---------------------------------------------------------------------------
run_postgres() {
    tc_lib_pg_db
    local url=$PG_URL
    mkdir -p "$base/pg"
    cd "$base/pg"
    RT_URL=$url
    HIST_URL=$url

    expect_err 1 "tradecore init" instrument list
    expect 0 init --no-config
    expect 0 init --no-config
    expect 0 market add XNYS --name "New York Stock Exchange" --timezone America/New_York
    expect_err 1 'market "XNYS" already exists' market add XNYS --name X --timezone UTC
    expect 0 instrument add NVDA --symbol NVDA --market XNYS --asset-class EQUITY --currency USD \
        --tick-size 0.00000001 --multiplier 12345678901.12345678
    expect_err 1 'unknown market "XNAS"' instrument add N2 --symbol N2 --market XNAS --asset-class EQUITY --currency USD
    expect_err 1 'currency "usd"' instrument add N2 --symbol N2 --market XNYS --asset-class EQUITY --currency usd
    expect 0 instrument list --json
    jq_true 'length == 1 and .[0].tick_size == "0.00000001" and .[0].multiplier == "12345678901.12345678"'
    expect 0 portfolio add main --name Main --base-currency USD --initial-capital 12345678901.12345678
    expect_err 1 'portfolio "main" already exists' portfolio add main --name Main --base-currency USD --initial-capital 1
    expect 0 portfolio show main --json
    jq_true '.initial_capital == "12345678901.12345678"'
    expect 0 strategy add sma --name SMA --param fast=10 --param stop=0.05
    expect 0 strategy list --json
    jq_true '.[0].params == {"fast":10,"stop":"0.05"}'
    # both stores in one database: the tables are there once
    n=$(psql -At "$url" -c "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('markets','issuers','instruments','portfolios','strategies')")
    [ "$n" = 5 ] || fail "expected 5 entity tables in $pgdb, found $n"
}

run_sqlite
run_postgres
echo "test_cli_entities: ok"
