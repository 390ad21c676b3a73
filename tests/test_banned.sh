#!/usr/bin/env bash
# Every .c file under src/ must include "internal/banned.h", as its last
# #include, so that banned functions fail to compile there. The checker is
# first proven on small trees that break the rule, then run on the real one.
set -u

# check_tree DIR: prints one line per offending file; exit 1 when any.
check_tree() {
    local dir=$1 bad=0 f
    while IFS= read -r -d '' f; do
        if ! awk '
            /^[ \t]*#[ \t]*include[ \t]*"internal\/banned\.h"/ { seen = 1; after = 0; next }
            /^[ \t]*#[ \t]*include/ { if (seen) after = 1 }
            END { exit !(seen && !after) }' "$f"; then
            if grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*"internal/banned\.h"' "$f"; then
                echo "$f: includes something after \"internal/banned.h\""
            else
                echo "$f: does not include \"internal/banned.h\""
            fi
            bad=1
        fi
    done < <(find "$dir" -type f -name '*.c' -print0 | sort -z)
    return $bad
}

fail() { echo "test_banned: $*" >&2; exit 1; }

tmp=$(mktemp -d "${TC_TEST_TMP:-/tmp}/test_banned.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Self-test 1: a good tree passes.
mkdir -p "$tmp/good/core"
printf '#include <stdio.h>\n#include "tradecore/x.h"\n#include "internal/banned.h"\nint x;\n' \
    >"$tmp/good/core/ok.c"
out=$(check_tree "$tmp/good") || fail "a correct tree was rejected: $out"

# Self-test 2: a missing include is reported with the file's name.
mkdir -p "$tmp/missing/store"
cp "$tmp/good/core/ok.c" "$tmp/missing/store/ok.c"
printf '#include <stdio.h>\nint y;\n' >"$tmp/missing/store/nobanned.c"
if out=$(check_tree "$tmp/missing"); then fail "a missing include was not detected"; fi
[[ $out == *"store/nobanned.c: does not include"* ]] || fail "unexpected report: $out"
[[ $out != *"ok.c"* ]] || fail "a correct file was reported: $out"

# Self-test 3: an include after banned.h is reported.
mkdir -p "$tmp/after"
printf '#include "internal/banned.h"\n#include <string.h>\n' >"$tmp/after/late.c"
if out=$(check_tree "$tmp/after"); then fail "an include after banned.h was not detected"; fi
[[ $out == *"late.c: includes something after"* ]] || fail "unexpected report: $out"

# Self-test 4: a mention in a comment is not an include.
mkdir -p "$tmp/comment"
printf '/* #include "internal/banned.h" */\nint z;\n' >"$tmp/comment/c.c"
if out=$(check_tree "$tmp/comment"); then fail "a commented-out include was accepted"; fi

# The real tree.
src=${TC_TEST_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
[[ -d $src/src ]] || fail "no source tree at $src/src"
n=$(find "$src/src" -type f -name '*.c' | wc -l)
[[ $n -gt 0 ]] || fail "no .c files under $src/src"
if ! out=$(check_tree "$src/src"); then
    echo "$out" >&2
    exit 1
fi
echo "test_banned: $n files include internal/banned.h last"
