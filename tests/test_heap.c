/* The heap tuned for a batch job (core/heap.h): on glibc with transparent
 * huge pages available, the reserve is advised (the region's VmFlags in
 * /proc/self/smaps say "hg") and is as large as asked within its bounds;
 * where it cannot be (a sanitizer's or valgrind's allocator, THP "never"),
 * it says so; either way every allocation works afterwards, from any
 * thread, and a second call changes nothing. The first two checks run in a
 * child process each, as the tuning holds for a process's whole life. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tc_test.h"
#include "core/heap.h"

/* 1 when this process's heap can be tuned: glibc's own allocator (not a
 * sanitizer's, not valgrind's) and transparent huge pages not "never". */
static int tunable(void)
{
#if defined(__SANITIZE_ADDRESS__) || !defined(__GLIBC__)
    return 0;
#else
    char line[512];
    int vg = 0, thp = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    if (f) {
        while (fgets(line, sizeof(line), f))
            if (strstr(line, "vgpreload"))
                vg = 1;
        fclose(f);
    }
    if ((f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r"))) {
        if (fgets(line, sizeof(line), f))
            thp = strstr(line, "[never]") == NULL;
        fclose(f);
    }
    return !vg && thp;
#endif
}

/* 1 when the mapping holding P is advised for huge pages ("hg" among its
 * VmFlags in /proc/self/smaps). */
static int advised(const void *p)
{
    char line[1024];
    uintptr_t a = (uintptr_t)p, lo = 0, hi = 0;
    int in = 0, hg = 0;
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        unsigned long s, e;
        if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            lo = s;
            hi = e;
            in = a >= lo && a < hi;
        } else if (in && strncmp(line, "VmFlags:", 8) == 0) {
            hg = strstr(line, " hg") != NULL;
            in = 0;
        }
    }
    fclose(f);
    return hg;
}

static size_t heap_bytes(void)
{
#ifdef __GLIBC__
    return mallinfo2().arena;
#else
    return 0;
#endif
}

/* The free space at the heap's top (what the reserve is). */
static size_t heap_top_free(void)
{
#ifdef __GLIBC__
    return mallinfo2().keepcost;
#else
    return 0;
#endif
}

/* In a child: tc__heap_batch(EXPECT) leaves the reserve RESERVE (within
 * 4 MiB) free at the heap's top and advises it; exit status 0 when so. */
static void reserve_in_child(size_t expect, size_t reserve)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int r = tc__heap_batch(expect);
        size_t top = heap_top_free();
        int ok = r == 1 && top >= reserve && top < reserve + ((size_t)4 << 20);
        /* a block allocated afterwards lies in the advised reserve */
        char *b = malloc((size_t)8 << 20);
        ok = ok && b && advised(b + ((size_t)4 << 20));
        if (!ok)
            fprintf(stderr, "expect %zu: returned %d, %zu bytes free at the top (want %zu), block %s\n",
                    expect, r, top, reserve, b && advised(b + ((size_t)4 << 20)) ? "advised" : "not advised");
        free(b);
        _exit(ok ? 0 : 1);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_reserve_bounds(void **state)
{
    (void)state;
    if (!tunable()) {
        /* nothing to advise here: the call says so and is harmless */
        assert_int_equal(tc__heap_batch(0), 0);
        return;
    }
    reserve_in_child(0, TC__HEAP_BATCH_MIN);                     /* the least */
    reserve_in_child((size_t)100 << 20, (size_t)100 << 20);      /* as asked */
    reserve_in_child(SIZE_MAX, TC__HEAP_BATCH_MAX);              /* the most */
    reserve_in_child(TC__HEAP_BATCH_MIN - 1, TC__HEAP_BATCH_MIN);
}

static void *in_thread(void *arg)
{
    size_t n = *(size_t *)arg;
    unsigned char *p = malloc(n);
    if (!p)
        return NULL;
    memset(p, 0x5A, n);
    for (size_t i = 0; i < n; i += 4093)
        if (p[i] != 0x5A) {
            free(p);
            return NULL;
        }
    free(p);
    return arg;
}

/* Every size, realloc up and down, from this thread and another: contents
 * kept, nothing lost; a second call changes nothing. */
static void test_allocations_after(void **state)
{
    (void)state;
    int first = tc__heap_batch((size_t)80 << 20);
    assert_int_equal(first, tunable());
    static const size_t sizes[] = {1, 24, 4096, 131072, (size_t)1 << 20, (size_t)3 << 20,
                                   (size_t)40 << 20}; /* the last above the 32 MiB threshold */
    enum { N = sizeof(sizes) / sizeof(sizes[0]) };
    unsigned char *p[N];
    for (size_t i = 0; i < N; i++) {
        p[i] = malloc(sizes[i]);
        assert_non_null(p[i]);
        memset(p[i], (int)(i + 1), sizes[i]);
    }
    for (size_t i = 0; i < N; i++) {
        unsigned char *q = realloc(p[i], sizes[i] * 2 + 1);
        assert_non_null(q);
        for (size_t k = 0; k < sizes[i]; k += 997)
            assert_int_equal(q[k], (int)(i + 1));
        assert_int_equal(q[sizes[i] - 1], (int)(i + 1));
        p[i] = realloc(q, sizes[i]);
        assert_non_null(p[i]);
        assert_int_equal(p[i][sizes[i] - 1], (int)(i + 1));
    }
    if (first)
        assert_true(advised(p[5]));
    size_t n = (size_t)6 << 20;
    pthread_t t;
    void *ret = NULL;
    assert_int_equal(pthread_create(&t, NULL, in_thread, &n), 0);
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_ptr_equal(ret, &n);
    for (size_t i = 0; i < N; i++)
        free(p[i]);
    /* later calls: the first call's result, no second reserve */
    size_t before = heap_bytes();
    assert_int_equal(tc__heap_batch(SIZE_MAX), first);
    assert_int_equal(heap_bytes(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve_bounds),
        cmocka_unit_test(test_allocations_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
