#!/usr/bin/env bash
# `tradecore db` end to end: sqlite files in a fresh folder, a fresh PostgreSQL
# database on the fixture server holding both stores, and an unreachable server.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_count_init db_cli
src=${TC_TEST_SRC:?}

run() { # run ARGS... ; sets rc, out, err
    set +e
    out=$("$bin" "$@" 2>"$tmp/stderr")
    rc=$?
    set -e
    err=$(cat "$tmp/stderr")
}
latest() { # latest BACKEND STORE: highest embedded version
    ls "$src/migrations/$1/$2" | sed -n 's/^0*\([0-9][0-9]*\)_.*\.up\.sql$/\1/p' | sort -n | tail -n 1
}

rt_latest=$(latest sqlite runtime)
hi_latest=$(latest sqlite historical)

# ---- sqlite ---------------------------------------------------------------
run db status --json
check "status exit" 0 "$rc"
check "status runtime current" 0 "$(jq '.stores[0].current' <<<"$out")"
check "status runtime latest" "$rt_latest" "$(jq '.stores[0].latest' <<<"$out")"
check "status runtime pending" "$rt_latest" "$(jq '.stores[0].pending' <<<"$out")"
check "status historical store" '"historical"' "$(jq '.stores[1].store' <<<"$out")"
check "status backend" '"sqlite"' "$(jq '.stores[0].backend' <<<"$out")"
check "status url" '"sqlite:var/runtime.db"' "$(jq '.stores[0].url' <<<"$out")"
check "status reachable" true "$(jq '.stores[0].reachable' <<<"$out")"
check "status dirty" false "$(jq '.stores[0].dirty' <<<"$out")"
[ -d var ] && ok || bad "var/ was not created"

run db migrate --dry-run
check "dry run exit" 0 "$rc"
contains "dry run says" "runtime: would apply 0001" "$out"
contains "dry run says nothing changed" "dry run: nothing changed" "$out"
run db status --json
check "dry run changed nothing" 0 "$(jq '.stores[0].current' <<<"$out")"

run db migrate --store runtime
check "migrate runtime exit" 0 "$rc"
contains "migrate reports" "runtime: applied 0001" "$out"
run db status --json
check "runtime migrated" "$rt_latest" "$(jq '.stores[0].current' <<<"$out")"
check "historical untouched" 0 "$(jq '.stores[1].current' <<<"$out")"

run db migrate
check "migrate all exit" 0 "$rc"
run db status --json
check "historical migrated" "$hi_latest" "$(jq '.stores[1].current' <<<"$out")"
check "nothing pending" 0 "$(jq '[.stores[].pending] | add' <<<"$out")"

run db history
check "history exit" 0 "$rc"
check "history rows" $((rt_latest + hi_latest)) "$(grep -c ' ms' <<<"$out")"
contains "history shows a time" "T" "$(head -n 1 <<<"$out")"
run db history --json
check "history json versions" "$rt_latest" "$(jq '[.[] | select(.store == "runtime")] | length' <<<"$out")"
check "history checksum length" 64 "$(jq -r '.[0].checksum | length' <<<"$out")"

run db rollback --store historical
check "rollback exit" 0 "$rc"
contains "rollback reports" "historical: reverted" "$out"
run db status --json
check "historical rolled back one" $((hi_latest - 1)) "$(jq '.stores[1].current' <<<"$out")"
check "runtime kept" "$rt_latest" "$(jq '.stores[0].current' <<<"$out")"

run db rollback --store runtime --steps 99 --dry-run
check "rollback dry run exit" 0 "$rc"
run db status --json
check "rollback dry run changed nothing" "$rt_latest" "$(jq '.stores[0].current' <<<"$out")"

# ---- usage errors: exit 2 and a message naming the problem ------------------
run db
check "no subcommand" 2 "$rc"
run db frobnicate
check "unknown subcommand" 2 "$rc"
contains "unknown subcommand named" '"frobnicate"' "$err"
run db migrate --to abc
check "bad --to" 2 "$rc"
contains "bad --to named" '"abc"' "$err"
run db migrate --to -3
check "negative --to" 2 "$rc"
run db migrate --store runtime --to 9999
check "unknown version" 2 "$rc"
contains "unknown version named" "9999" "$err"
run db rollback --steps 0
check "zero steps" 2 "$rc"
contains "zero steps named" '"0"' "$err"
run db migrate --store nowhere
check "unknown store" 2 "$rc"
contains "unknown store named" '"nowhere"' "$err"
run db status --bogus
check "unknown option" 2 "$rc"
contains "unknown option named" '"--bogus"' "$err"
run db status --json
check "usage errors changed nothing" "$rt_latest" "$(jq '.stores[0].current' <<<"$out")"
for sub in migrate rollback status history; do
    run db "$sub" --help
    check "$sub --help" 0 "$rc"
    contains "$sub --help text" "usage: tradecore db" "$out"
done

# ---- postgres: both stores in one fresh database ----------------------------
server=$(cat "${TC_TEST_PG_URL_FILE:?}")
export PGOPTIONS="-c client_min_messages=warning"
dbname="dbcli_$$"
psql -q -X "$server" -c "DROP DATABASE IF EXISTS $dbname" -c "CREATE DATABASE $dbname" >/dev/null
pgurl=$(sed "s#/postgres?#/$dbname?#" <<<"$server")
pg=(--set "database.runtime.url=$pgurl" --set "database.historical.url=$pgurl")
pg_rt=$(latest postgres runtime)
pg_hi=$(latest postgres historical)
run "${pg[@]}" db migrate
check "pg migrate exit" 0 "$rc"
run "${pg[@]}" db status --json
check "pg backend" '"postgres"' "$(jq '.stores[0].backend' <<<"$out")"
check "pg runtime current" "$pg_rt" "$(jq '.stores[0].current' <<<"$out")"
check "pg historical current" "$pg_hi" "$(jq '.stores[1].current' <<<"$out")"
check "pg rows" $((pg_rt + pg_hi)) "$(psql -X -At "$pgurl" -c 'SELECT count(*) FROM schema_migrations')"
run "${pg[@]}" db rollback --store runtime --steps 99
check "pg rollback exit" 0 "$rc"
check "pg runtime rows gone" 0 "$(psql -X -At "$pgurl" -c "SELECT count(*) FROM schema_migrations WHERE store = 'runtime'")"
check "pg historical rows kept" "$pg_hi" "$(psql -X -At "$pgurl" -c "SELECT count(*) FROM schema_migrations WHERE store = 'historical'")"
psql -q -X "$server" -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null

# ---- unreachable server -------------------------------------------------------
mkdir -p "$tmp/nosrv"
down=(--set "database.runtime.url=postgresql://app:hunter2@/x?host=$tmp/nosrv&port=5999"
      --set database.connect_attempts=2 --set retry.base_ms=1 --set retry.cap_ms=1)
run "${down[@]}" db status --store runtime --json
check "unreachable status exit" 1 "$rc"
check "unreachable reachable" false "$(jq '.stores[0].reachable' <<<"$out")"
contains "unreachable reason" "after 2 attempts" "$(jq -r '.stores[0].error' <<<"$out")"
contains "unreachable url redacted" "app:***@" "$out"
case "$out$err" in *hunter2*) bad "password shown" ;; *) ok ;; esac
run "${down[@]}" db migrate --store runtime
check "unreachable migrate exit" 1 "$rc"
contains "unreachable migrate message" "cannot connect to postgresql://app:***@" "$err"

rm -rf "$tmp"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
