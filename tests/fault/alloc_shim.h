/*
 * The allocator shim of the fault-injection tests (include/tradecore/fault.h,
 * docs/RELIABILITY.md). Linked only into tests/test_fault*.c, whose programs
 * are built with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,
 * --wrap=strndup: every such call in the program and in the static library
 * linked into it goes through a wrapper that, between tc_test_alloc_start()
 * and tc_test_alloc_stop(), counts the calls and fails the NTH one (once)
 * with NULL and errno ENOMEM. Outside that window the wrappers only forward,
 * so cmocka, fixtures and set-up allocate normally.
 *
 * Thread-safety: the counters are atomic; a call from any thread counts.
 */
#ifndef TC_TEST_ALLOC_SHIM_H
#define TC_TEST_ALLOC_SHIM_H

#include <stdint.h>

/* Starts counting allocation calls from 0; NTH >= 1 fails that call, 0
 * only counts. */
void tc_test_alloc_start(int64_t nth);
/* Stops counting; returns the calls counted since the start. */
int64_t tc_test_alloc_stop(void);
/* 1 when the armed call failed since the last start. */
int tc_test_alloc_fired(void);

#endif
