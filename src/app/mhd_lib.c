/*
 * libmicrohttpd loaded at run time (app/mhd_lib.h): the HTTP server opens it
 * with dlopen and fills tc__mhd, once, when it is created or started; a
 * process that never serves HTTP (a backtest, the CLI's other commands) never
 * maps it nor its TLS library.
 */
#define TC__MHD_LIB_IMPL
#include <dlfcn.h>
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

static struct tc__dl_once mhd =
    TC__DL_ONCE_INIT("libmicrohttpd", TC_LIBMHD_SONAME, mhd_syms, tc__mhd);

int tc__mhd_load_from(const char *soname, struct tc__mhd_api *api, void **handle,
                      struct tc_error *err)
{
    void *h;
    int rc = tc__dl_open("libmicrohttpd", soname, mhd_syms,
                         sizeof(mhd_syms) / sizeof(mhd_syms[0]), api, &h, err);
    if (rc == 0 && handle)
        *handle = h;
    return rc;
}

int tc__mhd_load(struct tc_error *err) { return tc__dl_once_load(&mhd, err); }

int tc__mhd_loaded(void) { return tc__dl_once_loaded(&mhd); }

void *tc__mhd_dlsym(const char *name)
{
    void *h = tc__dl_once_handle(&mhd);
    return h ? dlsym(h, name) : NULL;
}

void tc__mhd_use_soname(const char *soname) { tc__dl_once_use(&mhd, soname); }
