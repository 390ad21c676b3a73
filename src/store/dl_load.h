/*
 * Loading a shared library and a table of its functions at run time (not
 * public): the common part of store/pq_lib.c (libpq) and app/mhd_lib.c
 * (libmicrohttpd), which tradecore does not link so that a process that never
 * needs them never maps them.
 */
#ifndef TC_STORE_DL_LOAD_H
#define TC_STORE_DL_LOAD_H

#include <stddef.h>

#include "tradecore/error.h"

/* One function to resolve: its name and where its pointer goes in the table. */
struct tc__dl_sym {
    const char *name;
    size_t offset;
};

/* dlopen()s SONAME (RTLD_NOW | RTLD_LOCAL) and resolves the N functions of
 * SYMS into TABLE (caller-owned, written only at the SYMS offsets, each a
 * function pointer). On success *HANDLE gets the handle (the caller's to
 * dlclose, or to keep). On failure TC_EUNAVAIL with a message naming LIB (a
 * display name such as "libpq"), SONAME, the missing function if any and
 * dlerror()'s text; the library is closed again and TABLE may be partly
 * written (pass a scratch table). Thread-safe (dlerror() is per thread). */
int tc__dl_open(const char *lib, const char *soname, const struct tc__dl_sym *syms, size_t n,
                void *table, void **handle, struct tc_error *err);

#endif
