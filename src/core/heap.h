/*
 * The C library's heap tuned for a batch job: a backtest that loads every
 * bar into memory, keeps the ledger of its run and exits. Internal: not
 * installed.
 *
 * Why: such a job touches tens of megabytes once each. In 4 KiB pages that
 * is one page fault per 4 KiB (about 15,000 in the benchmark's backtest of
 * 100 instruments, about 3 us each on a virtual machine) and as many TLB
 * entries. Transparent huge pages (2 MiB) cut both by 512; Linux gives them
 * to a region the process advises (MADV_HUGEPAGE) when the system's mode is
 * "always" or "madvise" (not "never").
 *
 * Thread-safety: call it before the job starts its threads.
 */
#ifndef TC_CORE_HEAP_H
#define TC_CORE_HEAP_H

#include <stddef.h>

/* The reserve tc__heap_batch keeps for an EXPECT of 0 (and at least). */
#define TC__HEAP_BATCH_MIN ((size_t)64 << 20)
/* The reserve it keeps at most (more is allocated as usual). */
#define TC__HEAP_BATCH_MAX ((size_t)1 << 30)

/*
 * Prepares the heap for a job that allocates about EXPECT bytes and frees
 * them only at its end. With glibc's allocator: every block up to 32 MiB
 * comes from the main heap (not from a mapping of its own, nor from another
 * thread's arena); the heap grows by a reserve of EXPECT bytes (clamped to
 * [TC__HEAP_BATCH_MIN, TC__HEAP_BATCH_MAX]) at once, keeps what is freed
 * instead of giving it back, and that reserve is advised MADV_HUGEPAGE. The
 * reserve is address space: memory is used only as it is touched (in 2 MiB
 * steps where huge pages are given). Only a batch process calls this: a
 * daemon's heap should give memory back.
 *
 * Returns 1 when a reserve was advised; 0 when none was: another allocator
 * (a sanitizer's, valgrind's) ignores the settings, and with glibc's a heap
 * that could not grow or a refused advice (a kernel without transparent huge
 * pages) leaves the settings above in force with 4 KiB pages. It never fails
 * the job. Later calls change nothing and return the first call's result.
 */
int tc__heap_batch(size_t expect);

#endif
