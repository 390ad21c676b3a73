#!/bin/sh
# Runs every libFuzzer target of a TC_FUZZ build for SECONDS each (`make fuzz`),
# on a working corpus in the build directory seeded from fuzz/corpus/<name>
# (the seeds in the repository are never written), and prints one row per
# target from libFuzzer's final statistics. Exits non-zero when any target
# found a crash, leak, timeout, out-of-memory or sanitizer report; the input
# is then in BUILD/fuzz-artifacts/<name>/ and the log in BUILD/fuzz-logs/.
# Usage: fuzz/run.sh BUILD [SECONDS] [NAME...]
set -u

build=${1:?usage: fuzz/run.sh BUILD [SECONDS] [NAME...]}
seconds=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
src=$(cd "$(dirname "$0")" && pwd)

if [ $# -eq 0 ]; then
    set --
    for bin in "$build"/fuzz/fuzz_*; do
        [ -x "$bin" ] || continue
        set -- "$@" "$(basename "$bin" | sed 's/^fuzz_//')"
    done
fi
[ $# -gt 0 ] || { echo "fuzz: no targets in $build/fuzz (build the fuzz_all target)" >&2; exit 2; }

: "${ASAN_OPTIONS:=detect_leaks=1}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

failed=0
rows=""
for name in "$@"; do
    bin=$build/fuzz/fuzz_$name
    work=$build/fuzz-corpus/$name
    art=$build/fuzz-artifacts/$name
    log=$build/fuzz-logs/$name.log
    mkdir -p "$work" "$art" "$build/fuzz-logs"
    echo "fuzz: $name for ${seconds}s" >&2
    "$bin" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
        -artifact_prefix="$art/" "$work" "$src/corpus/$name" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc; see $log)"
        failed=1
        grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|property broken|Test unit written' "$log" | head -n 5 >&2
    fi
    rows="$rows$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$name" "${execs:--}" "${secs:--}" \
        "${rate:--}" "${cov:--}" "${ft:--}" "${corp:--}" "${rss:--}" "$result")
"
done

printf '%-10s %12s %6s %9s %6s %6s %6s %7s  %s\n' target execs secs "execs/s" cov ft corpus rss_mb result
printf '%s' "$rows" | while IFS='	' read -r n e s r c f p m res; do
    printf '%-10s %12s %6s %9s %6s %6s %6s %7s  %s\n' "$n" "$e" "$s" "$r" "$c" "$f" "$p" "$m" "$res"
done
exit $failed
