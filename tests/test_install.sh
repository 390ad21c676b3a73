#!/usr/bin/env bash
# `make install` semantics: the build installs under a DESTDIR with a chosen
# prefix the library (static and shared), its headers, a pkg-config file and the
# command; a program compiled against the installed files only (through
# pkg-config) links and runs, statically and dynamically.
set -euo pipefail
: "${TC_TEST_BUILD:?run through ctest}"
tmp="${TC_TEST_TMP:-/tmp}/install_$$"
rm -rf "$tmp"; mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

DESTDIR="$tmp/stage" cmake --install "$TC_TEST_BUILD" --prefix /opt/tc >"$tmp/install.log"
root="$tmp/stage/opt/tc"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$root/bin/tradecore" ] || fail "command not installed"
ls "$root"/lib*/libtradecore.a >/dev/null 2>&1 || fail "static library not installed"
ls "$root"/lib*/libtradecore.so >/dev/null 2>&1 || fail "shared library not installed"
[ -f "$root/include/tradecore/dec.h" ] || fail "headers not installed"
pc=$(ls "$root"/lib*/pkgconfig/tradecore.pc) || fail "pkg-config file not installed"
grep -q '/opt/tc' "$pc" && fail "pkg-config file hard-codes the prefix"
"$root/bin/tradecore" --version | grep -q '^tradecore ' || fail "installed command does not run"

cat > "$tmp/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <tradecore/dec.h>
int main(void)
{
    struct tc_dec a, b, c;
    char buf[TC_DEC_STRLEN];
    if (tc_dec_parse("1.10", (size_t)-1, &a, NULL) || tc_dec_parse("2.205", (size_t)-1, &b, NULL))
        return 1;
    if (tc_dec_mul(a, b, TC_ROUND_HALF_EVEN, &c))
        return 1;
    tc_dec_format(c, buf, sizeof(buf));
    puts(buf);
    return strcmp(buf, "2.4255") != 0;
}
C
export PKG_CONFIG_PATH="$(dirname "$pc")"
cc -std=c11 ${TC_TEST_CC_FLAGS:-} -o "$tmp/prog_static" "$tmp/prog.c" $(pkg-config --cflags tradecore) \
    "$(dirname "$pc")/../libtradecore.a" \
    $(pkg-config --libs sqlite3 libpq yaml-0.1 jansson libmicrohttpd uuid libcrypto) -lcsv -lpthread -lm \
    || fail "static link against the installed library"
[ "$("$tmp/prog_static")" = "2.4255" ] || fail "static program output"
cc -std=c11 ${TC_TEST_CC_FLAGS:-} -o "$tmp/prog_shared" "$tmp/prog.c" $(pkg-config --cflags --libs tradecore) \
    || fail "dynamic link against the installed library"
[ "$(LD_LIBRARY_PATH="$(dirname "$pc")/.." "$tmp/prog_shared")" = "2.4255" ] || fail "shared program output"
echo "install: ok"
