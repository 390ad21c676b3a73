/*
 * libmicrohttpd loaded at run time (app/mhd_lib.h): the HTTP server opens it
 * with dlopen and fills tc__mhd, once, when it is created or started; a
 * process that never serves HTTP (a backtest, the CLI's other commands) never
 * maps it nor its TLS library.
 */
#define TC__MHD_LIB_IMPL
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "app/mhd_lib.h"
#include "store/dl_load.h"
#include "internal/banned.h"

#ifndef TC_LIBMHD_SONAME
#error "TC_LIBMHD_SONAME (the soname of libmicrohttpd) is set by CMakeLists.txt"
#endif

struct tc__mhd_api tc__mhd;

static const struct tc__dl_sym mhd_syms[] = {
#define MHD_SYM(name) {#name, offsetof(struct tc__mhd_api, name)},
    TC__MHD_FUNCS(MHD_SYM)
#undef MHD_SYM
};

static pthread_mutex_t mhd_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int mhd_ready;
static void *mhd_handle;
static const char *mhd_soname; /* the test seam; NULL: TC_LIBMHD_SONAME */

int tc__mhd_load_from(const char *soname, struct tc__mhd_api *api, void **handle,
                      struct tc_error *err)
{
    struct tc__mhd_api tmp;
    void *h;
    int rc;

    if ((rc = tc__dl_open("libmicrohttpd", soname, mhd_syms,
                          sizeof(mhd_syms) / sizeof(mhd_syms[0]), &tmp, &h, err)) != 0)
        return rc;
    *api = tmp;
    if (handle)
        *handle = h;
    return 0;
}

int tc__mhd_load(struct tc_error *err)
{
    int rc = 0;

    if (atomic_load_explicit(&mhd_ready, memory_order_acquire))
        return 0;
    pthread_mutex_lock(&mhd_mu);
    if (!atomic_load_explicit(&mhd_ready, memory_order_relaxed)) {
        rc = tc__mhd_load_from(mhd_soname ? mhd_soname : TC_LIBMHD_SONAME, &tc__mhd,
                               &mhd_handle, err);
        if (rc == 0)
            atomic_store_explicit(&mhd_ready, 1, memory_order_release);
    }
    pthread_mutex_unlock(&mhd_mu);
    return rc;
}

int tc__mhd_loaded(void) { return atomic_load_explicit(&mhd_ready, memory_order_acquire); }

void *tc__mhd_dlsym(const char *name)
{
    if (!tc__mhd_loaded())
        return NULL;
    return dlsym(mhd_handle, name);
}

void tc__mhd_use_soname(const char *soname)
{
    pthread_mutex_lock(&mhd_mu);
    mhd_soname = soname;
    pthread_mutex_unlock(&mhd_mu);
}
