#!/usr/bin/env bash
# tradecore backtest and bad input, as tables (the cases test_cli_backtest.sh
# has already are not repeated here):
#  - price files that are read as the clean file (a byte order mark, CRLF,
#    blank lines, no newline at the end, quoted fields, 1e1 and +1 numbers,
#    a ninth decimal that is 0, upper/lower case header): the same results;
#  - price files and command lines that are refused: the exit status (1 bad
#    data, 2 bad command line), exactly one line on stderr holding the
#    expected text (FILE:LINE for a bad row), nothing on stdout, no --out
#    folder made, an existing --out folder's files untouched, and with
#    --store nothing written to the runtime store (its .dump is unchanged);
#    text a message would quote with a control byte (a path, a value, a
#    YAML key) is shown as \xNN or refused by offset, never sent raw;
#  - --symbols over stored bars (the clean file's result, then refusals);
#  - --out in the way and a sweep whose run id is stored: refused before
#    the run, the store unchanged.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
tc_lib_init cli_backtest_badin

tc() {
    "$BIN" --set "database.runtime.url=sqlite:$base/runtime.db" \
        --set "database.historical.url=sqlite:$base/historical.db" --set log.level=error "$@"
}

ORCL="$DATA/orcl-1995-2014.txt"
STRAT=(--strategy sma_cross --param fast=3 --param slow=8 --param stake=10)
H='Date,Open,High,Low,Close,Adj Close,Volume'
cd "$base"
expect 0 init
mkdir -p f ok

# ---- the clean file: 80 days from 2014-01-02 with crossovers ----------------
ROWS=()
for k in $(seq 0 79); do
    c=$((20 + k * 37 % 17))
    ROWS+=("$(date -u -d "2014-01-02 +$k day" +%F),$c,$((c + 1)),$((c - 1)),$c.5,$c.5,$((1000 + k))")
done
clean() { # the clean file's text, lines joined by $1 (default LF)
    local eol=${1:-$'\n'} r
    printf '%s%s' "$H" "$eol"
    for r in "${ROWS[@]}"; do printf '%s%s' "$r" "$eol"; done
}
# the clean file with row 2 (line 3) replaced by $1
mid() {
    printf '%s\n%s\n%s\n' "$H" "${ROWS[0]}" "$1"
    printf '%s\n' "${ROWS[@]:2}"
}
D3=${ROWS[1]%%,*} # line 3's date: 2014-01-03

mkdir -p ok/clean
C=ok/clean/SYN.csv # read by head and tail below (a pipe from clean would end early under pipefail)
clean >"$C"
expect 0 backtest "${STRAT[@]}" --data "$C" --json
jq_true '.bars == 80 and .sessions == 80 and .fills >= 4'
jq -S 'del(.run_id, .parameters.run_id)' "$base/out" >"$base/clean.json"

# ---- accepted: the same bars as the clean file --------------------------------
# NAME and the file's text on stdin; the file is ok/NAME/SYN.csv (same symbol)
same() {
    mkdir -p "ok/$1"
    cat >"ok/$1/SYN.csv"
    expect 0 backtest "${STRAT[@]}" --data "ok/$1/SYN.csv" --json
    jq -S 'del(.run_id, .parameters.run_id)' "$base/out" >"$base/got.json"
    cmp -s "$base/clean.json" "$base/got.json" ||
        fail "$1: not the clean file's result: $(diff "$base/clean.json" "$base/got.json" | head -5)"
    [ ! -s "$base/err" ] || fail "$1: something on stderr"
}
{ printf '\xef\xbb\xbf'; clean; } | same bom
clean $'\r\n' | same crlf
head -c -1 "$C" | same no-final-newline
clean $'\r\n' | head -c -2 | same crlf-no-final-newline
{ head -41 "$C"; echo; tail -n +42 "$C"; } | same blank-line-middle
{ clean; printf '\n\n'; } | same blank-lines-end
{ head -1 "$C"; printf '\n'; tail -n +2 "$C"; } | same blank-line-after-header
{ head -1 "$C"; tail -n +2 "$C" | sed 's/^\([^,]*\),\([^,]*\),/"\1","\2",/'; } | same quoted
{ head -2 "$C"; tail -n +3 "$C" | sed 's/,\([0-9]*\)$/,\1e0/'; } | same volume-1e0
{ head -2 "$C"; tail -n +3 "$C" | sed 's/^\([^,]*\),\([0-9]*\),/\1,+\2,/'; } | same plus-sign
{ head -2 "$C"; tail -n +3 "$C" | sed 's/^\([^,]*\),\([0-9]*\),/\1,\2.000000000,/'; } |
    same ninth-decimal-zero
{ head -2 "$C"; tail -n +3 "$C" | sed 's/^\([^,]*\),\([0-9]\)\([0-9]\),/\1,\2.\3e1,/'; } |
    same exponent
{ echo 'date,open,high,low,close,adj_close,volume'; tail -n +2 "$C"; } | same lower-case-header

# ---- refused ------------------------------------------------------------------
dump() { sqlite3 "$base/runtime.db" .dump; }
mkdir -p keep
for x in summary.json fills.csv trades.csv equity.csv report.html; do echo "kept $x" >"keep/$x"; done
keep_sum=$(cat keep/* | md5sum)
: >"$base/cases" # a line per case (badfile runs in a pipeline's subshell: no counter variable)

pre="" # a command started (in the background) before each run of bad(), waited for after

# one refused run: status RC, one line on stderr holding TEXT, nothing on stdout
refused() {
    local what=$1 rc=$2 text=$3
    [ ! -s "$base/out" ] || fail "$what: something on standard output"
    [ "$(wc -l <"$base/err")" -eq 1 ] || fail "$what: not one line on stderr"
    grep -qF -- "$text" "$base/err" || fail "$what: stderr lacks '$text'"
}
# bad WHAT RC TEXT ARGS...: refused with a new --out folder (not made), then
# with an existing one (untouched) and --store (the store unchanged); the
# extra options come first, so that ARGS may end in an option without value
bad() {
    local what=$1 rc=$2 text=$3
    shift 3
    echo "$what" >>"$base/cases"
    dump >"$base/before.sql"
    [ -z "$pre" ] || eval "$pre"
    expect "$rc" backtest --out "$base/new" "$@"
    [ -z "$pre" ] || wait
    refused "$what" "$rc" "$text"
    [ ! -e "$base/new" ] || fail "$what: the --out folder was made"
    [ -z "$pre" ] || eval "$pre"
    expect "$rc" backtest --out "$base/keep" --store "$@"
    [ -z "$pre" ] || wait
    refused "$what (--store)" "$rc" "$text"
    [ "$(cat keep/* | md5sum)" = "$keep_sum" ] && [ "$(ls keep | wc -l)" -eq 5 ] ||
        fail "$what: the existing --out folder changed"
    dump >"$base/after.sql"
    cmp -s "$base/before.sql" "$base/after.sql" || fail "$what: the runtime store changed"
}
# badfile NAME RC TEXT: the price file f/NAME (its text on stdin) refused
badfile() {
    cat >"f/$1"
    bad "$1" "$2" "$3" "${STRAT[@]}" --data "f/$1"
}

# the shape of the file
mid "$D3,20,21,19,20.5,20.5" | badfile FEW.csv 1 'f/FEW.csv:3: expected 7 fields, found 6'
mid "$D3,20,21,19,20.5,20.5,1000,7" | badfile MANY.csv 1 'f/MANY.csv:3: expected 7 fields, found 8'
mid "$D3,\"20,21\",19,20.5,20.5,1000" | badfile COMMAQ.csv 1 'f/COMMAQ.csv:3: expected 7 fields, found 6'
mid "$D3,\"20,21,19,20.5,20.5,1000" | badfile OPENQ.csv 1 'f/OPENQ.csv:3: malformed CSV quoting'
mid "$D3,20,21,19,20.5,20.5,1000"$'\r'"2014-01-04,20,21,19,20.5,20.5,1000" |
    badfile CR.csv 1 'f/CR.csv:3: expected 7 fields, found 14 (a carriage return inside the line: lines must end in LF or CRLF)'
mid "$D3,20,21,19,20.5,20.5,1000;" | badfile SEMI.csv 1 'f/SEMI.csv:3: volume "1000;" is not a number'
{ mid "$D3,$(head -c 5000 /dev/zero | tr '\0' 7),21,19,20.5,20.5,1000"; } |
    badfile LONGLINE.csv 1 'f/LONGLINE.csv:3: line is longer than 4096 bytes'
printf '\xef\xbb\xbf' | badfile BOMONLY.csv 1 'f/BOMONLY.csv:1: unknown header ""'
printf '\n\n\n' | badfile BLANKS.csv 1 'f/BLANKS.csv:1: unknown header ""'
{ printf '%s\r\n\r\n\r\n' "$H"; } | badfile HDRCRLF.csv 1 'f/HDRCRLF.csv:3: no data rows after the header'
{ echo "$H,"; tail -n +2 "$C"; } | badfile HDRX.csv 1 'f/HDRX.csv:1: unknown header "Date,Open,High,Low,Close,Adj Close,Volume,"'
{ echo "$H" | tr , ';'; tail -n +2 "$C"; } | badfile HDRSEMI.csv 1 'f/HDRSEMI.csv:1: unknown header "Date;Open;High;Low;Close;Adj Close;Volume"'
clean | gzip -n | badfile GZ.csv 1 'f/GZ.csv:1: unknown header "\x1f\x8b\x08\x00'
# numbers
mid "$D3,0x14,21,19,20.5,20.5,1000" | badfile HEX.csv 1 'f/HEX.csv:3: open "0x14" is not a decimal number'
mid "$D3,20,inf,19,20.5,20.5,1000" | badfile INF.csv 1 'f/INF.csv:3: high "inf" is not a decimal number'
mid "$D3,20,21,-inf,20.5,20.5,1000" | badfile NINF.csv 1 'f/NINF.csv:3: low "-inf" is not a decimal number'
mid "$D3,20,21,19,nan,20.5,1000" | badfile NANC.csv 1 'f/NANC.csv:3: close "nan" is not a decimal number'
mid "$D3,20,21,-0,20.5,20.5,1000" | badfile NEGZERO.csv 1 'f/NEGZERO.csv:3: low -0 is not positive'
mid "$D3,-20,21,19,20.5,20.5,1000" | badfile NEGP.csv 1 'f/NEGP.csv:3: open -20 is not positive'
mid "$D3,0,21,19,20.5,20.5,1000" | badfile ZEROP.csv 1 'f/ZEROP.csv:3: open 0 is not positive'
mid "$D3,0.00000000,0,0,0,0,1000" | badfile ZEROS.csv 1 'f/ZEROS.csv:3: open 0.00000000 is not positive'
mid "$D3,20,1234567890123456789012345678901234567890,19,20.5,20.5,1000" |
    badfile DIGITS40.csv 1 'f/DIGITS40.csv:3: high 1234567890123456789012345678901234567890 is too large (at most 92233720368.54775807)'
mid "$D3,20,92233720368.54775808,19,20.5,20.5,1000" |
    badfile MAXP.csv 1 'f/MAXP.csv:3: high 92233720368.54775808 is too large'
mid "$D3,20.123456789,21,19,20.5,20.5,1000" |
    badfile DEC9.csv 1 'f/DEC9.csv:3: open 20.123456789 has more than 8 decimal places'
mid "$D3,20,21,19,20.5,20.5000000001,1000" |
    badfile ADJ10.csv 1 'f/ADJ10.csv:3: adj close 20.5000000001 has more than 8 decimal places'
mid "$D3,20,21,19,20.5,20.5,1000.5" | badfile VOLDEC.csv 1 'f/VOLDEC.csv:3: volume 1000.5 is not a whole number'
mid "$D3,20,21,19,20.5,20.5,1180591620717411303424" |
    badfile VOLHUGE.csv 1 'f/VOLHUGE.csv:3: volume 1180591620717411303424 is too large'
mid "$D3,20,21,19,20.5,20.5,1e30" | badfile VOLE30.csv 1 'f/VOLE30.csv:3: volume "1e30" is not a number'
mid "$D3,20,21,19,20.5,20.5," | badfile VOLEMPTY.csv 1 'f/VOLEMPTY.csv:3: volume is empty'
mid "$D3,1.,21,19,20.5,20.5,1000" | badfile DOT.csv 1 'f/DOT.csv:3: open "1." is not a decimal number'
mid "$D3,1_0,21,19,20.5,20.5,1000" | badfile UNDER.csv 1 'f/UNDER.csv:3: open "1_0" is not a decimal number'
mid "$D3,20,21,19,20.5,20.5,1 000" | badfile SPACEV.csv 1 'f/SPACEV.csv:3: volume "1 000" is not a number'
{ mid "$D3,2"; } | sed '3s/$/\x00,21,19,20.5,20.5,1000/' |
    badfile NUL.csv 1 'f/NUL.csv:3: open "2\x00" is not a decimal number'
mid "$D3,20"$'\x1b'"[2J,21,19,20.5,20.5,1000" |
    badfile ESC.csv 1 'f/ESC.csv:3: open "20\x1b[2J" is not a decimal number'
# the bar's shape
mid "$D3,20,19,21,20.5,20.5,1000" | badfile HILO.csv 1 'f/HILO.csv:3: low 21 is above high 19'
mid "$D3,18,21,19,20.5,20.5,1000" | badfile OPENLOW.csv 1 'f/OPENLOW.csv:3: open 18 is below low 19'
mid "$D3,22,21,19,20.5,20.5,1000" | badfile OPENHIGH.csv 1 'f/OPENHIGH.csv:3: open 22 is above high 21'
mid "$D3,20,21,19,18.5,18.5,1000" | badfile CLOSELOW.csv 1 'f/CLOSELOW.csv:3: close 18.5 is below low 19'
# dates
mid "2014-02-30,20,21,19,20.5,20.5,1000" | badfile FEB30.csv 1 'f/FEB30.csv:3: date "2014-02-30" is not a valid YYYY-MM-DD date'
mid "2014-13-01,20,21,19,20.5,20.5,1000" | badfile MONTH13.csv 1 'f/MONTH13.csv:3: date "2014-13-01" is not a valid YYYY-MM-DD date'
mid "20140103,20,21,19,20.5,20.5,1000" | badfile COMPACT.csv 1 'f/COMPACT.csv:3: date "20140103" is not a valid YYYY-MM-DD date'
mid "2014/01/03,20,21,19,20.5,20.5,1000" | badfile SLASH.csv 1 'f/SLASH.csv:3: date "2014/01/03" is not a valid YYYY-MM-DD date'
mid "2014-01-03T00:00:00,20,21,19,20.5,20.5,1000" | badfile ISO.csv 1 'f/ISO.csv:3: date "2014-01-03T00:00:00" is not a valid YYYY-MM-DD date'
mid ",20,21,19,20.5,20.5,1000" | badfile NODATE.csv 1 'f/NODATE.csv:3: date "" is not a valid YYYY-MM-DD date'
{ clean; echo "${ROWS[79]}"; } | badfile DUPLAST.csv 1 'f/DUPLAST.csv:82: duplicate date 2014-03-22 of DUPLAST (first on line 81)'
{ clean; echo "2013-12-31,20,21,19,20.5,20.5,1000"; } |
    badfile BACK.csv 1 'f/BACK.csv:82: date 2013-12-31 of BACK is not after 2014-03-22 (line 81)'
{ cat "$C"; sed 's/^2014-0\([123]\)/2015-0\1/' "$C"; } |
    badfile JOINED.csv 1 'f/JOINED.csv:82: the header line again (line 1; files joined?)'
# a long (several symbols) file
printf 'date,symbol,open,high,low,close,volume\n%s,AAA,20,21,19,20.5,1000\n%s,A B,20,21,19,20.5,1000\n' "$D3" "$D3" |
    badfile LONGSYM.csv 1 'f/LONGSYM.csv:3: symbol "A B" is not 1..64 characters of A-Z a-z 0-9 . _ : -'
printf 'date,symbol,open,high,low,close,volume\n%s,AAA,20,21,19,20.5,1000\n%s,AAA,20,21,19,20.5,1000\n' "$D3" "$D3" |
    badfile LONGDUP.csv 1 'f/LONGDUP.csv:3: duplicate date 2014-01-03 of AAA (first on line 2)'

# what --data names
mkdir -p f/a f/b
clean >f/a/SYN.csv
clean >f/b/SYN.csv
bad "one symbol, two files" 2 'instrument "SYN" is in two --data files' \
    "${STRAT[@]}" --data f/a/SYN.csv --data f/b/SYN.csv
printf 'date,symbol,open,high,low,close,volume\n%s,SYN,20,21,19,20.5,1000\n' "$D3" >f/long-syn.csv
bad "a long file's symbol and a file's" 2 'instrument "SYN" is in two --data files' \
    "${STRAT[@]}" --data f/a/SYN.csv --data f/long-syn.csv
bad "--data ''" 1 'price file: no path' "${STRAT[@]}" --data ''
bad "under a missing folder" 1 'f/nowhere/SYN.csv: cannot open: No such file or directory' \
    "${STRAT[@]}" --data f/nowhere/SYN.csv
bad "under a regular file" 1 'f/a/SYN.csv/x.csv: cannot open: Not a directory' \
    "${STRAT[@]}" --data f/a/SYN.csv/x.csv
# a newline or an escape byte in the path: quoted as \xNN, the message one line
mkdir -p "f/new"$'\n'"line"
mid "$D3,20,21,19,20.5,20.5" >"f/new"$'\n'"line/NL.csv"
bad "a path with a newline" 1 'f/new\x0aline/NL.csv:3: expected 7 fields, found 6' \
    "${STRAT[@]}" --data "f/new"$'\n'"line/NL.csv"
clean >"f/E"$'\e'"SC.csv"
bad "a path with an escape byte" 1 'f/E\x1bSC.csv: symbol id "E\x1bSC" has a character that is not allowed' \
    "${STRAT[@]}" --data "f/E"$'\e'"SC.csv"
bad "a directory" 1 'f/a: is a directory' "${STRAT[@]}" --data f/a
# a named pipe: read like a file (its writer may come later), its bad rows
# named; one whose writer writes nothing is an empty file
mkfifo f/PIPE.csv
mid "$D3,20,19,21,20.5,20.5,1000" >f/pipe-text
pre='timeout 60 sh -c "cat f/pipe-text >f/PIPE.csv" &' # (no reader: killed, not hung)
bad "a pipe with a bad row" 1 'f/PIPE.csv:3: low 21 is above high 19' "${STRAT[@]}" --data f/PIPE.csv
pre='timeout 60 sh -c ": >f/PIPE.csv" &'
bad "a pipe with nothing" 1 'f/PIPE.csv: empty file (no header line)' "${STRAT[@]}" --data f/PIPE.csv
pre=""

# ---- the command line -----------------------------------------------------------
A=("${STRAT[@]}" --data "$ORCL")
bad "--from 2010-1-1" 2 '--from: date "2010-1-1": not in the form YYYY-MM-DD' "${A[@]}" --from 2010-1-1
bad "--from 20100101" 2 '--from: date "20100101": not in the form YYYY-MM-DD' "${A[@]}" --from 20100101
bad "--from ''" 2 '--from: date "": not in the form YYYY-MM-DD' "${A[@]}" --from ''
bad "--to 2010-13-01" 2 '--to: date "2010-13-01"' "${A[@]}" --to 2010-13-01
bad "--to x" 2 '--to: date "x": not in the form YYYY-MM-DD' "${A[@]}" --to x
bad "--to 2010-01-01T00:00" 2 '--to: date "2010-01-01T00:00": not in the form YYYY-MM-DD' \
    "${A[@]}" --to 2010-01-01T00:00
bad "--to before the data" 1 'no bars between 1970-01-01 and 1990-01-01' "${A[@]}" --to 1990-01-01
bad "--param fast" 2 'strategy sma_cross: parameter "fast" is not key=value' "${STRAT[@]:0:2}" --data "$ORCL" --param fast
bad "--param =5" 2 'strategy sma_cross: parameter "=5" is not key=value' "${STRAT[@]:0:2}" --data "$ORCL" --param =5
bad "--param fast=" 2 'strategy sma_cross: parameter fast: "" is not a whole number' "${STRAT[@]:0:2}" --data "$ORCL" --param fast=
bad "--param fast=2^70" 2 'strategy sma_cross: parameter fast: "1180591620717411303424"' \
    "${STRAT[@]:0:2}" --data "$ORCL" --param fast=1180591620717411303424
bad "--param stake=1e30" 2 'strategy sma_cross: parameter stake: "1e30"' \
    "${STRAT[@]:0:2}" --data "$ORCL" --param stake=1e30
bad "--param slow=1.5" 2 'strategy sma_cross: parameter slow: "1.5" is not a whole number' \
    "${STRAT[@]:0:2}" --data "$ORCL" --param slow=1.5
bad "--cash 9 decimals" 2 '--cash: decimal "1.123456789": more than 8 fractional digits' \
    "${A[@]}" --cash 1.123456789
bad "--cash 1e30" 2 '--cash: decimal "1e30": out of range' "${A[@]}" --cash 1e30
bad "--cash ''" 2 '--cash: decimal "": empty text' "${A[@]}" --cash ''
bad "--cash ' 5'" 2 '--cash: decimal " 5"' "${A[@]}" --cash ' 5'
bad "--cash -0" 2 '--cash -0 must be positive' "${A[@]}" --cash -0
bad "--slippage-rate 10 decimals" 2 '--slippage-rate: decimal "0.0000000001": more than 8 fractional digits' \
    "${A[@]}" --slippage-rate 0.0000000001
bad "--sweep fast" 2 '--sweep "fast" is not k=a,b,c' "${A[@]:0:2}" --data "$ORCL" --sweep fast
bad "--sweep =1,2" 2 '--sweep "=1,2" is not k=a,b,c' "${A[@]:0:2}" --data "$ORCL" --sweep =1,2
bad "--sweep of no valid combination" 2 \
    '--sweep: no combination is valid (fast-40: strategy sma_cross: parameter fast 40 must be below slow 30)' \
    "${A[@]:0:2}" --data "$ORCL" --sweep fast=40,50
bad "--shard of no valid combination" 2 \
    '--sweep: no combination of shard 1/2 is valid (fast-40: strategy sma_cross: parameter fast 40 must be below slow 30)' \
    "${A[@]:0:2}" --data "$ORCL" --sweep fast=5,40 --shard 1/2
v256=$(seq -s, 1 256)
bad "--sweep of 256^4 combinations" 2 '--sweep: more than 1000000000 combinations' \
    --strategy donchian --data "$ORCL" --sweep entry="$v256" --sweep exit="$v256" --sweep atr="$v256" \
    --sweep max_pyramids="$v256" --shard 0/999999999
bad "--sweep with 257 values" 2 '--sweep fast has more than 256 values' \
    "${A[@]:0:2}" --data "$ORCL" --sweep fast="$(seq -s, 1 257)"
# (a shard of a large grid is found by stepping, not by scanning the grid)
expect 0 backtest "${A[@]:0:2}" --data "$ORCL" --to 1995-12-31 --sweep fast="$v256" \
    --sweep slow="$(seq -s, 2 257)" --sweep stake="$(seq -s, 1 15)" --shard 1/983040 --json
jq_true '.combinations == 983040 and [.runs[].combination] == ["fast-1_slow-2_stake-2"]'
bad "--sweep over no bars" 1 'no bars between 2030-01-01 and 9999-12-31' \
    "${A[@]:0:2}" --data "$ORCL" --sweep fast=5,6 --from 2030-01-01
# (a shard past the combinations has nothing to do: an empty result, not an error)
expect 0 backtest "${A[@]:0:2}" --data "$ORCL" --sweep fast=5,6 --shard 3/4 --json
jq_true '.combinations == 2 and .shard == "3/4" and .runs == []'
bad "--sweep over a bad file" 1 'f/HILO.csv:3: low 21 is above high 19' \
    "${A[@]:0:2}" --data f/HILO.csv --sweep fast=5,6
bad "--shard 1/0" 2 '--shard "1/0": N must be a whole number >= 1' "${A[@]:0:2}" --data "$ORCL" \
    --sweep fast=5,6 --shard 1/0
bad "--shard 1/2/3" 2 '--shard "1/2/3": N must be a whole number >= 1' "${A[@]:0:2}" --data "$ORCL" \
    --sweep fast=5,6 --shard 1/2/3
bad "--shard -1/2" 2 '--shard "-1/2": i must be a whole number >= 0' "${A[@]:0:2}" --data "$ORCL" \
    --sweep fast=5,6 --shard -1/2
bad "--shard ' 0/2'" 2 '--shard " 0/2": i must be a whole number >= 0' "${A[@]:0:2}" --data "$ORCL" \
    --sweep fast=5,6 --shard ' 0/2'
bad "--shard +0/2" 2 '--shard "+0/2": i must be a whole number >= 0' "${A[@]:0:2}" --data "$ORCL" \
    --sweep fast=5,6 --shard +0/2
bad "--shard 0/2^70" 2 '--shard "0/1180591620717411303424": N must be a whole number >= 1 (digits only, at most 999999999)' \
    "${A[@]:0:2}" --data "$ORCL" --sweep fast=5,6 --shard 0/1180591620717411303424
bad "--shard 0/2 " 2 '--shard "0/2 ": N must be a whole number >= 1' "${A[@]:0:2}" --data "$ORCL" \
    --sweep fast=5,6 --shard '0/2 '
# a path longer than any file system takes: refused naming it, nothing made
long=$(printf 'd%.0s' $(seq 5000))
expect_err 1 "report folder \"$(printf 'd%.0s' $(seq 40))...\": path is too long" \
    backtest "${A[@]}" --out "$long"
[ "$(wc -l <"$base/err")" -eq 1 ] && [ ! -s "$base/out" ] || fail "a too long --out: one line, no output"
expect_err 2 "--out \"$(printf 'd%.0s' $(seq 40))...\" is too long" \
    gen-bars --instruments 1 --bars 5 --seed 1 --out "$long"
[ "$(wc -l <"$base/err")" -eq 1 ] && [ ! -s "$base/out" ] || fail "gen-bars, a too long --out: one line, no output"
# leading zeros are digits: --shard 00/02 is 0/2
expect 0 backtest "${A[@]:0:2}" --data "$ORCL" --sweep fast=5,6 --shard 00/02 --json
jq_true '.shard == "0/2"'
bad "--market UNKNOWN" 2 '--market: calendar "UNKNOWN": unknown MIC (known: XNYS' "${A[@]}" --market UNKNOWN
bad "--fill-at tomorrow" 2 '--fill-at "tomorrow" is not next_open or close' "${A[@]}" --fill-at tomorrow
bad "--fill-at ''" 2 '--fill-at "" is not next_open or close' "${A[@]}" --fill-at ''
bad "--strategy ''" 2 'unknown strategy "" (strategies: sma_cross, donchian)' --strategy '' --data "$ORCL"
bad "--run-id ''" 2 '--run-id: run id "" is empty' "${A[@]}" --run-id ''
# --help after other options is the help (it was 'unknown option "--help" (see --help)')
expect 0 backtest "${A[@]}" --help
grep -q '^usage: tradecore backtest --strategy NAME' "$base/out" || fail "--help after options: no usage"
[ ! -s "$base/err" ] || fail "--help after options: something on stderr"
# a sweep's run ids are ID-<index>: the last one of the shard must fit in 32
# characters too (idx 9999 was stored, then idx 19999 refused)
rid=$(printf 'r%.0s' $(seq 27))
bad "--run-id too long for the sweep's last index" 2 \
    "--run-id: run id \"$rid-19999\" of combination 20000 of 20000 would be longer than 32 characters" \
    "${STRAT[@]:0:4}" --data "$C" --sweep stake="$(seq -s, 1 100)" --sweep slow="$(seq -s, 10 209)" \
    --run-id "$rid" --shard 9999/10000
bad "unknown option" 2 'unknown option "--frobnicate" (see --help)' "${A[@]}" --frobnicate
bad "a stray argument" 2 'unknown option "stray" (see --help)' "${A[@]}" stray
# a control byte in a value that a message would quote: named by offset, one line
bad "--param with a newline" 2 '--param: the value has a control byte (0x0a at offset 2)' \
    "${STRAT[@]:0:2}" --data "$ORCL" --param "fa"$'\n'"st=3"
bad "--strategy with a newline" 2 '--strategy: the value has a control byte (0x0a at offset 3)' \
    --strategy "sma"$'\n'"cross" --data "$ORCL"
bad "--sweep with a newline" 2 '--sweep: the value has a control byte (0x0a at offset 7)' \
    "${STRAT[@]:0:2}" --data "$ORCL" --sweep "fast=5,"$'\n'"6"
bad "--market with an escape" 2 '--market: the value has a control byte (0x1b at offset 0)' \
    "${A[@]}" --market $'\e'"[2J"
bad "an unknown option with a newline" 2 'unknown option with a control byte (0x0a at offset 3)' \
    "${A[@]}" "--x"$'\n'"y"
printf 'strategies:\n  - strategy: sma_cross\n    "a\\nb": 1\n' >nlkey.yaml
bad "a strategies key with a newline" 1 'nlkey.yaml:3: a key or value has a control byte (0x0a at offset 1)' \
    --strategies nlkey.yaml --data "$ORCL"
printf 'strategies:\n  - strategy: "sma\\ecross"\n' >esc.yaml
printf 'strategies:\n  - strategy: "sma_cross\\0x"\n' >nul.yaml
bad "a strategy name with a NUL" 1 'nul.yaml:2: a key or value has a control byte (0x00 at offset 9)' \
    --strategies nul.yaml --data "$ORCL"
bad "a strategy name with an escape" 1 'esc.yaml:2: a key or value has a control byte (0x1b at offset 3)' \
    --strategies esc.yaml --data "$ORCL"
# the rest of a strategies file is not the command's: a multi-line note and
# a tab outside the list are read as before (they were refused as control bytes)
printf 'description: |\n  two lines\n  of notes\nnotes: "a\\tb"\nstrategies:\n  - strategy: sma_cross\n    params: {fast: 3, slow: 8, stake: 10}\n' >notes.yaml
expect 0 backtest --strategies notes.yaml --data "$C" --json
jq -S 'del(.run_id, .parameters.run_id)' "$base/out" >"$base/got.json"
cmp -s "$base/clean.json" "$base/got.json" ||
    fail "a strategies file with notes: not the clean file's result: $(diff "$base/clean.json" "$base/got.json" | head -5)"
bad "--cash without its value" 2 '--cash needs a value' "${A[@]}" --cash
bad "--data without its value" 2 '--data needs a value' "${STRAT[@]}" --data
bad "no --data" 2 'give one of --data FILE... or --symbols S,...' "${STRAT[@]}"

# --symbols: stored bars
expect 0 market add XNYS --name "New York Stock Exchange" --timezone America/New_York
expect 0 ingest prices "$C" --market XNYS --create-instruments
expect 0 backtest "${STRAT[@]}" --symbols SYN --json
jq -S 'del(.run_id, .parameters.run_id)' "$base/out" >"$base/got.json"
cmp -s "$base/clean.json" "$base/got.json" || fail "--symbols SYN: not the clean file's result"
bad "--symbols ''" 2 '--symbols "": an empty symbol' "${STRAT[@]}" --symbols ''
bad "--symbols SYN," 2 '--symbols "SYN,": an empty symbol' "${STRAT[@]}" --symbols SYN,
bad "--symbols ,SYN" 2 '--symbols ",SYN": an empty symbol' "${STRAT[@]}" --symbols ,SYN
bad "--symbols SYN,,SYN" 2 '--symbols "SYN,,SYN": an empty symbol' "${STRAT[@]}" --symbols SYN,,SYN
bad "--symbols SYN,SYN" 2 '--symbols: "SYN" is given twice' "${STRAT[@]}" --symbols SYN,SYN
bad "--symbols of an unknown instrument" 1 'unknown instrument "NOPE" (not in the historical store)' \
    "${STRAT[@]}" --symbols SYN,NOPE
bad "--symbols in lower case" 1 'unknown instrument "syn" (not in the historical store)' \
    "${STRAT[@]}" --symbols syn
expect 0 instrument add EMPTY --symbol EMPTY --market XNYS --asset-class EQUITY --currency USD
bad "--symbols of an instrument without bars" 1 'instrument "EMPTY" has no stored bars' \
    "${STRAT[@]}" --symbols SYN,EMPTY
long=$(printf 'A%.0s' $(seq 65))
bad "--symbols of 65 characters" 2 "--symbols \"$long\": symbol \"${long:0:40}\" is longer than 64 characters" \
    "${STRAT[@]}" --symbols "$long"
# --out in the way: refused before the run, so --store keeps nothing
: >afile
plain() { # WHAT RC TEXT ARGS...: refused as is, the store unchanged
    local what=$1 rc=$2 text=$3
    shift 3
    echo "$what" >>"$base/cases"
    dump >"$base/before.sql"
    expect "$rc" backtest "$@"
    refused "$what" "$rc" "$text"
    dump >"$base/after.sql"
    cmp -s "$base/before.sql" "$base/after.sql" || fail "$what: the runtime store changed"
}
plain "--out under a file" 1 "report folder \"afile/sub\": \"afile\" is not a directory" \
    "${A[@]}" --to 1995-12-31 --store --out afile/sub
plain "--out under a file, absolute" 1 "report folder \"$base/afile/x/y\": \"$base/afile\" is not a directory" \
    "${A[@]}" --to 1995-12-31 --store --out "$base/afile/x/y"
plain "--out a file/" 1 'report folder "afile/": not a directory' "${A[@]}" --to 1995-12-31 --store --out afile/
plain "--out with a newline" 2 '--out: the path has a control byte (0x0a at offset 1)' \
    "${A[@]}" --to 1995-12-31 --store --out "a"$'\n'"b"
[ ! -e "a"$'\n'"b" ] || fail "a report folder with a newline was made"
plain "--strategies with an escape" 2 '--strategies: the path has a control byte (0x1b at offset 2)' \
    --strategies "s."$'\e'".yaml" --data "$ORCL"
plain "--out ''" 1 'report folder: empty path' "${A[@]}" --to 1995-12-31 --store --out ''
[ ! -s afile ] || fail "afile was written"
# a sweep whose second run id is stored already: refused before the first
# run (it stored sw-0 and wrote its report, then failed)
expect 0 backtest "${A[@]}" --to 1995-12-31 --store --run-id sw-1
plain "--sweep, a run id stored" 1 'run "sw-1" is already in the runtime store (give another run id)' \
    "${A[@]:0:2}" --data "$ORCL" --to 1995-12-31 --store --run-id sw --sweep fast=5,6 --out "$base/sw"
[ ! -e "$base/sw" ] || fail "the refused sweep wrote a report"
n=$(sqlite3 runtime.db "SELECT COUNT(*) FROM portfolios WHERE portfolio_id LIKE 'sw-%'")
[ "$n" = 1 ] || fail "$n sw-* portfolios stored, want 1 (sw-1)"
# the same without --run-id: the second combination's derived run id is
# stored already (a single run with its parameters): refused before the
# first run (it stored the first combination and wrote its report)
expect 0 backtest "${A[@]:0:2}" --data "$ORCL" --to 1995-12-31 --store --param fast=6 --json
rid6=$(jq -r .run_id "$base/out")
plain "--sweep, a derived run id stored" 1 "run \"$rid6\" is already in the runtime store (give another run id)" \
    "${A[@]:0:2}" --data "$ORCL" --to 1995-12-31 --store --sweep fast=5,6 --out "$base/sw2"
[ ! -e "$base/sw2" ] || fail "the refused sweep (derived ids) wrote a report"
# the ids of the combinations the run skips are not looked up (fast 40 is not
# below slow 30): the valid one runs
expect 0 backtest "${A[@]:0:2}" --data "$ORCL" --to 1995-12-31 --store --sweep fast=5,40 --out "$base/sw3"
[ -s "$base/sw3/fast-5/summary.json" ] && [ ! -e "$base/sw3/fast-40" ] || fail "the sweep with a skipped combination"

echo "ok: $(wc -l <"$base/cases") refused cases, 14 accepted variants"
