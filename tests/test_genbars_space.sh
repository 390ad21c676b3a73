#!/usr/bin/env bash
# gen-bars refuses, before writing anything, the files that would not fit in
# the free space of --out's file system (a 1 MB tmpfs mounted in a private
# mount namespace), naming both numbers; options out of bounds or not digits
# make no folder; a run that fits still writes its files.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init genbars_space

tc() { "$BIN" "$@"; }
cd "$base"

# the bounds, as --help gives them
expect 0 gen-bars --help
grep -q '^1\.\.100000 (about 383 years of weekdays' "$base/out" || fail "help lacks --bars' bound"
grep -q 'N x M is at most 100,000,000 bars' "$base/out" || fail "help lacks the total bound"

# bounds and digits: no folder made
expect_err 2 '--bars 1000000 is too large (at most 100000)' \
    gen-bars --instruments 9999 --bars 1000000 --seed 1 --out "$base/big"
expect_err 2 '--instruments 9999 x --bars 100000 is 999900000 bars, more than the 100000000' \
    gen-bars --instruments 9999 --bars 100000 --seed 1 --out "$base/big"
expect_err 2 '--instruments " 2" is not a whole number in 1..9999 (digits only)' \
    gen-bars --instruments ' 2' --bars 5 --seed 1 --out "$base/big"
expect_err 2 '--bars "+5" is not a whole number in 1..100000 (digits only)' \
    gen-bars --instruments 2 --bars +5 --seed 1 --out "$base/big"
expect_err 2 '--start 9999-12-30: 5 bars (weekdays) from it would run past 9999-12-31' \
    gen-bars --instruments 2 --bars 5 --seed 1 --start 9999-12-30 --out "$base/big"
[ ! -e "$base/big" ] || fail "a refused gen-bars made its folder"
# the latest start and the largest run of bars are taken
expect 0 gen-bars --instruments 1 --bars 3 --seed 1 --start 5000-12-29 --out "$base/late"
[ "$(cut -d, -f1 "$base/late/SYN001.csv" | tr '\n' ' ')" = 'Date 5000-12-29 5000-12-30 5000-12-31 ' ] || fail "the bars from 5000-12-29"

# a small file system: a private mount namespace (as root, or as a user
# mapped to root) with a 1 MB tmpfs
mkdir -p "$base/small"
inner=$(cat <<'IN'
set -eu
mount -t tmpfs -o size=1m tmpfs "$1/small"
mkdir "$1/small/keep"
printf 'old\n' >"$1/small/keep/SYN001.csv"
echo "free $(( $(stat -f -c %a "$1/small") * $(stat -f -c %S "$1/small") ))" >"$1/free"
rc=0
"$2" gen-bars --instruments 20 --bars 1000 --seed 1 --out "$1/small/keep" >"$1/out" 2>"$1/err" || rc=$?
echo "rc=$rc"
rc=0
"$2" gen-bars --instruments 20 --bars 1000 --seed 1 --out "$1/small/new/sub" >>"$1/out" 2>>"$1/err" || rc=$?
echo "rc=$rc"
find "$1/small" | sort
cat "$1/small/keep/SYN001.csv"
"$2" gen-bars --instruments 2 --bars 100 --seed 1 --out "$1/small/fits" >/dev/null
ls "$1/small/fits"
# a rerun into the folder of its own files: they are rewritten, their space
# counts (2 x 4000 bars need 760276 bytes, more than is free after the first)
"$2" gen-bars --instruments 2 --bars 4000 --seed 1 --out "$1/small/re" >/dev/null
sum=$(cat "$1/small/re/SYN001.csv" "$1/small/re/SYN002.csv" | md5sum)
echo "free after $(( $(stat -f -c %a "$1/small") * $(stat -f -c %S "$1/small") ))" >>"$1/free"
rc=0
"$2" gen-bars --instruments 2 --bars 4000 --seed 1 --out "$1/small/re" >/dev/null 2>>"$1/err" || rc=$?
echo "rerun rc=$rc"
[ "$(cat "$1/small/re/SYN001.csv" "$1/small/re/SYN002.csv" | md5sum)" = "$sum" ] && echo "rerun same files"
IN
)
if unshare -m true 2>/dev/null; then NS=(unshare -m); else NS=(unshare -r -m); fi
"${NS[@]}" bash -c "$inner" inner "$base" "$BIN" >"$base/got" || fail "the mount namespace: $(cat "$base/got")"
cat >"$base/want" <<WANT
rc=1
rc=1
$base/small
$base/small/keep
$base/small/keep/SYN001.csv
old
SYN001.csv
SYN002.csv
rerun rc=0
rerun same files
WANT
diff "$base/want" "$base/got" || fail "the small file system"
# both numbers: 20 x (1000 rows of 94 bytes + 4138) needed, the free space
# as the file system reports it (1 MB less the folder and its old file)
free=$(awk '$1 == "free" && $2 != "after" {print $2}' "$base/free")
after=$(awk '$1 == "free" && $2 == "after" {print $3}' "$base/free")
[ "$after" -lt 760276 ] || fail "the rerun's case: $after bytes free after the first run, want fewer than it needs"
[ "$free" -gt 1000000 ] && [ "$free" -le 1048576 ] || fail "free space $free"
want='tradecore: gen-bars: --out "'"$base"'/small/keep": 20 files of 1000 bars need up to 1.9 MB (1962760 bytes), its file system has 1.0 MB ('"$free"' bytes) free and the files they replace hold 4096 bytes'
[ "$(head -1 "$base/err")" = "$want" ] || fail "message: $(head -1 "$base/err")"
grep -qF -- "--out \"$base/small/new/sub\": 20 files of 1000 bars need up to 1.9 MB (1962760 bytes), its file system has 1.0 MB ($free bytes) free" "$base/err" ||
    fail "message for a new folder"
echo ok
