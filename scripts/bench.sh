#!/bin/sh
# Runs every benchmark program built in BUILD/bench and prints one table.
# Each benchmark prints rows "bench<TAB>case<TAB>metric<TAB>value<TAB>unit"; other
# lines are passed through to stderr. The PostgreSQL benchmarks use a throwaway
# server started here (tests/pg_fixture.sh) and stopped afterwards.
set -eu
build=$(cd "$1" && pwd)  # absolute: benchmarks run commands from other folders
here=$(cd "$(dirname "$0")/.." && pwd)
state="$build/bench-pg"
rows=$(mktemp)
trap 'sh "$here/tests/pg_fixture.sh" stop "$state" >/dev/null 2>&1 || true; rm -f "$rows"' EXIT
sh "$here/tests/pg_fixture.sh" start "$state" >/dev/null
export TC_TEST_PG_URL_FILE="$state/url" TC_TEST_BIN="$build/tradecore" TC_TEST_SRC="$here" \
       TC_TEST_DATA="$here/../shared/data" TC_TEST_TMP="$build/benchtmp"
mkdir -p "$TC_TEST_TMP"
for b in "$build"/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "running $(basename "$b") ..." >&2
    "$b" | while IFS= read -r line; do
        case "$line" in
            *"	"*"	"*"	"*"	"*) printf '%s\n' "$line" >> "$rows" ;;
            *) printf '%s\n' "$line" >&2 ;;
        esac
    done
done
printf '%-14s %-44s %-18s %16s  %s\n' BENCH CASE METRIC VALUE UNIT
printf '%s\n' "------------------------------------------------------------------------------------------------------------"
awk -F'\t' '{ printf "%-14s %-44s %-18s %16s  %s\n", $1, $2, $3, $4, $5 }' "$rows"
