/* The heap tuned for a batch job (core/heap.h): glibc's allocator told to
 * serve the job from one main heap grown by a reserve at once, and that
 * reserve advised for transparent huge pages. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/heap.h"
#include "internal/banned.h"

/* The huge page size of x86-64 and arm64 (4 KiB base pages); a region not
 * aligned to the kernel's is advised all the same and gets what fits. */
#define HUGE_STEP ((uintptr_t)2 << 20)

/* The first call's result + 1 (0: not called). */
static int done;

int tc__heap_batch(size_t expect)
{
    if (done)
        return done - 1;
    done = 1;
#if defined(__GLIBC__) && defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
    size_t pad = expect < TC__HEAP_BATCH_MIN   ? TC__HEAP_BATCH_MIN
                 : expect > TC__HEAP_BATCH_MAX ? TC__HEAP_BATCH_MAX
                                               : expect;
    /* blocks up to 32 MiB (glibc's largest threshold) from the heap: above
     * its dynamic threshold (128 KiB at first) each would be a mapping of
     * its own, faulted in 4 KiB pages and unmapped when freed */
    if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TOP_PAD, (int)pad) ||
        !mallopt(M_TRIM_THRESHOLD, (int)pad) || !mallopt(M_ARENA_MAX, 1))
        return 0;
    /* a block that does not fit the heap's free top makes it grow by the
     * block and the reserve; freed, it stays in the heap */
    char *before = sbrk(0);
    void *volatile probe = malloc(HUGE_STEP / 2);
    free(probe);
    char *after = sbrk(0);
    if (before == (char *)-1 || after == (char *)-1 || after <= before)
        return 0; /* another allocator, or a heap that could not grow */
    uintptr_t a = ((uintptr_t)before + HUGE_STEP - 1) & ~(HUGE_STEP - 1);
    uintptr_t e = (uintptr_t)after & ~(HUGE_STEP - 1);
    if (e <= a || madvise((void *)a, e - a, MADV_HUGEPAGE) != 0)
        return 0;
    done = 2;
    return 1;
#else
    (void)expect;
    return 0;
#endif
}
