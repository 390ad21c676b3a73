#!/bin/sh
# make check-valgrind: the shell tests' TC_TEST_BIN; runs the real binary
# (TC_TEST_VALGRIND_BIN) under valgrind with the options of vg.sh.
exec "$(dirname "$0")/vg.sh" "${TC_TEST_VALGRIND_BIN:?set by tests/CMakeLists.txt}" "$@"
