#!/usr/bin/env bash
# A report replaces all its files or none: backtest --out into a folder
# holding an older report, with a target in the way (trades.csv and
# report.html directories, a named pipe, a symbolic link loop, a folder
# .tmp, a symbolic link as a .tmp), fails naming it and leaves the folder byte for byte as it was
# (summary.json and fills.csv were replaced before trades.csv's rename
# failed); a normal rerun then replaces all five files.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init report_replace

tc() {
    timeout 60 "$BIN" --set "database.runtime.url=sqlite:$base/runtime.db" \
        --set "database.historical.url=sqlite:$base/historical.db" --set log.level=error "$@"
}
ORCL="$DATA/orcl-1995-2014.txt"
FILES="summary.json fills.csv trades.csv equity.csv report.html"
cd "$base"

# every entry of folder $1: path, type, size, and each file's checksum
snap() { (cd "$1" && find . -printf '%p %y %s\n' | sort && find . -type f -exec md5sum {} + | sort); }

old() { # a fresh k2 holding the older report (the run to 1996)
    rm -rf "$base/k2"
    expect 0 backtest --strategy sma_cross --data "$ORCL" --to 1996-12-31 --out "$base/k2"
}
new_run() { expect_err 1 "$1" backtest --strategy sma_cross --data "$ORCL" --out "$base/k2"; }

# the reference: the newer report in a folder of its own
expect 0 backtest --strategy sma_cross --data "$ORCL" --out "$base/ref"

# trades.csv and report.html directories
old
rm "$base/k2/trades.csv" "$base/k2/report.html"
mkdir "$base/k2/trades.csv" "$base/k2/report.html"
snap "$base/k2" >"$base/before"
new_run "report file \"$base/k2/trades.csv\" is a directory, not a regular file (no file was replaced)"
snap "$base/k2" >"$base/after"
diff "$base/before" "$base/after" || fail "the directories case changed the folder"

# a named pipe (opening it would wait for a reader), a symbolic link loop
old
rm "$base/k2/equity.csv"
mkfifo "$base/k2/equity.csv"
snap "$base/k2" >"$base/before"
new_run "report file \"$base/k2/equity.csv\" is a named pipe, not a regular file (no file was replaced)"
snap "$base/k2" >"$base/after"
diff "$base/before" "$base/after" || fail "the named pipe case changed the folder"

old
rm "$base/k2/fills.csv"
ln -s loop2 "$base/k2/fills.csv"
ln -s fills.csv "$base/k2/loop2"
snap "$base/k2" >"$base/before"
new_run "report file \"$base/k2/fills.csv\" is a symbolic link, not a regular file (no file was replaced)"
snap "$base/k2" >"$base/after"
diff "$base/before" "$base/after" || fail "the link loop case changed the folder"

# the last file's temporary name in the way: found before anything is written
old
mkdir "$base/k2/report.html.tmp"
snap "$base/k2" >"$base/before"
new_run "report file \"$base/k2/report.html.tmp\" is a directory, in the way of the file written before its rename (no file was replaced)"
snap "$base/k2" >"$base/after"
diff "$base/before" "$base/after" || fail "the .tmp case changed the folder"

# a symbolic link as a .tmp, to a file outside: refused, the file it names
# untouched (it was truncated and written through, and fills.csv became the
# link)
rmdir "$base/k2/report.html.tmp"
printf 'precious\n' >"$base/victim"
ln -s ../victim "$base/k2/fills.csv.tmp"
snap "$base/k2" >"$base/before"
new_run "report file \"$base/k2/fills.csv.tmp\" is a symbolic link, in the way of the file written before its rename (no file was replaced)"
snap "$base/k2" >"$base/after"
diff "$base/before" "$base/after" || fail "the .tmp link case changed the folder"
[ "$(cat "$base/victim")" = precious ] || fail "the file a .tmp link names was written"
rm "$base/k2/fills.csv.tmp"

# a single run with --store and a file in the way is refused before it
# runs: the runtime store's file is byte for byte as before (a run that was
# made and then removed again would leave its dump the same, not its bytes)
tc init >/dev/null 2>&1 || fail "init"
mkdir "$base/k2/trades.csv.tmp"
cp "$base/runtime.db" "$base/runtime.before"
snap "$base/k2" >"$base/before"
rc=0
tc backtest --strategy sma_cross --data "$ORCL" --store --run-id blocked --out "$base/k2" \
    >"$base/out" 2>"$base/err" || rc=$?
[ "$rc" = 1 ] || fail "--store with a .tmp folder in the way exited $rc, expected 1"
[ "$(cat "$base/err")" = "tradecore: backtest: report file \"$base/k2/trades.csv.tmp\" is a directory, in the way of the file written before its rename (no file was replaced)" ] ||
    fail "--store with a .tmp folder in the way: $(cat "$base/err")"
[ ! -s "$base/out" ] || fail "--store with a .tmp folder in the way printed something"
cmp -s "$base/runtime.db" "$base/runtime.before" || fail "the refused --store run wrote to the runtime store"
snap "$base/k2" >"$base/after"
diff "$base/before" "$base/after" || fail "the refused --store run changed the folder"
rmdir "$base/k2/trades.csv.tmp"

# a normal rerun into the folder replaces all five
for f in $FILES; do
    cmp -s "$base/k2/$f" "$base/ref/$f" && fail "$f of the older run is the newer run's"
done
expect 0 backtest --strategy sma_cross --data "$ORCL" --out "$base/k2"
for f in $FILES; do
    cmp "$base/k2/$f" "$base/ref/$f" || fail "$f not replaced by the rerun"
done
[ "$(ls "$base/k2" | tr '\n' ' ')" = "equity.csv fills.csv report.html summary.json trades.csv " ] ||
    fail "left: $(ls "$base/k2")"
echo ok
