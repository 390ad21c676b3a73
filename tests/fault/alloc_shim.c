/* The allocator shim: --wrap'd malloc, calloc, realloc, strdup and strndup
 * that fail the N-th call while armed (alloc_shim.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_shim.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static atomic_int active;
static atomic_llong calls;
static atomic_llong nth;
static atomic_int fired;

void tc_test_alloc_start(int64_t n)
{
    atomic_store(&calls, 0);
    atomic_store(&fired, 0);
    atomic_store(&nth, n);
    atomic_store(&active, 1);
}

int64_t tc_test_alloc_stop(void)
{
    atomic_store(&active, 0);
    return atomic_load(&calls);
}

int tc_test_alloc_fired(void) { return atomic_load(&fired); }

/* 1 when this call is the one to fail. */
static int fail_now(void)
{
    long long c, want;
    if (!atomic_load(&active))
        return 0;
    c = atomic_fetch_add(&calls, 1) + 1;
    want = atomic_load(&nth);
    if (want > 0 && c == want) {
        atomic_store(&fired, 1);
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }

void *__wrap_calloc(size_t n, size_t size) { return fail_now() ? NULL : __real_calloc(n, size); }

void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }

char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }

char *__wrap_strndup(const char *s, size_t n) { return fail_now() ? NULL : __real_strndup(s, n); }
