/*
 * libpq loaded at run time (store/pq_lib.h): the first postgres:// store, the
 * leader's lock session or a test opens it with dlopen and fills tc__pq, once;
 * a process that never talks to PostgreSQL never maps libpq and its own
 * dependencies (Kerberos, LDAP, ...), which cost every start-up otherwise.
 */
#define TC__PQ_LIB_IMPL
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "store/dl_load.h"
#include "store/pq_lib.h"
#include "internal/banned.h"

#ifndef TC_LIBPQ_SONAME
#error "TC_LIBPQ_SONAME (the soname of libpq) is set by CMakeLists.txt"
#endif

struct tc__pq_api tc__pq;

static const struct tc__dl_sym pq_syms[] = {
#define PQ_SYM(name) {#name, offsetof(struct tc__pq_api, name)},
    TC__PQ_FUNCS(PQ_SYM)
#undef PQ_SYM
};

static pthread_mutex_t pq_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int pq_ready;
static const char *pq_soname; /* the test seam; NULL: TC_LIBPQ_SONAME */

int tc__pq_load_from(const char *soname, struct tc__pq_api *api, void **handle,
                     struct tc_error *err)
{
    struct tc__pq_api tmp;
    void *h;
    int rc;

    if ((rc = tc__dl_open("libpq", soname, pq_syms, sizeof(pq_syms) / sizeof(pq_syms[0]), &tmp,
                          &h, err)) != 0)
        return rc;
    *api = tmp;
    if (handle)
        *handle = h;
    return 0;
}

int tc__pq_load(struct tc_error *err)
{
    int rc = 0;

    if (atomic_load_explicit(&pq_ready, memory_order_acquire))
        return 0;
    pthread_mutex_lock(&pq_mu);
    if (!atomic_load_explicit(&pq_ready, memory_order_relaxed)) {
        rc = tc__pq_load_from(pq_soname ? pq_soname : TC_LIBPQ_SONAME, &tc__pq, NULL, err);
        if (rc == 0)
            atomic_store_explicit(&pq_ready, 1, memory_order_release);
    }
    pthread_mutex_unlock(&pq_mu);
    return rc;
}

int tc__pq_loaded(void) { return atomic_load_explicit(&pq_ready, memory_order_acquire); }

void tc__pq_use_soname(const char *soname)
{
    pthread_mutex_lock(&pq_mu);
    pq_soname = soname;
    pthread_mutex_unlock(&pq_mu);
}
