/*
 * Growing arrays: the doubling step every append-only array of the project
 * takes before it writes element N. Internal: not installed.
 *
 * Thread-safety: pure (the caller owns the array).
 */
#ifndef TC_CORE_GROW_H
#define TC_CORE_GROW_H

#include <stddef.h>

/*
 * Room for element N of the array *ITEMS of *CAP elements of SIZE bytes:
 * nothing when N < *CAP; else the array is reallocated to twice *CAP
 * (FIRST when *CAP is 0), at least N + 1. Returns 0, or TC_ENOMEM with
 * *ITEMS and *CAP unchanged (out of memory, or a size that overflows).
 * Call it as tc__grow((void **)&arr, &cap, n, sizeof(*arr), first).
 */
int tc__grow(void **items, size_t *cap, size_t n, size_t size, size_t first);

#endif
