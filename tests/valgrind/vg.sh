#!/bin/sh
# make check-valgrind: runs a test program (or, through tradecore.sh, the
# tradecore binary) under valgrind's memcheck. Any error, or a definite or
# indirect leak, exits 99 (a test failure). Suppressions: tradecore.supp, for
# third-party libraries only.
exec valgrind --tool=memcheck --quiet --error-exitcode=99 --exit-on-first-error=no \
    --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --num-callers=30 \
    --suppressions="$(dirname "$0")/tradecore.supp" ${TC_TEST_VALGRIND_EXTRA:-} "$@"
