/*
 * libpq loaded at run time (store/pq_lib.h): the first postgres:// store, the
 * leader's lock session or a test opens it with dlopen and fills tc__pq, once;
 * a process that never talks to PostgreSQL never maps libpq and its own
 * dependencies (Kerberos, LDAP, ...), which cost every start-up otherwise.
 */
#define TC__PQ_LIB_IMPL
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

static struct tc__dl_once pq = TC__DL_ONCE_INIT("libpq", TC_LIBPQ_SONAME, pq_syms, tc__pq);

int tc__pq_load_from(const char *soname, struct tc__pq_api *api, void **handle,
                     struct tc_error *err)
{
    void *h;
    int rc = tc__dl_open("libpq", soname, pq_syms, sizeof(pq_syms) / sizeof(pq_syms[0]), api,
                         &h, err);
    if (rc == 0 && handle)
        *handle = h;
    return rc;
}

int tc__pq_load(struct tc_error *err) { return tc__dl_once_load(&pq, err); }

int tc__pq_loaded(void) { return tc__dl_once_loaded(&pq); }

void tc__pq_use_soname(const char *soname) { tc__dl_once_use(&pq, soname); }
