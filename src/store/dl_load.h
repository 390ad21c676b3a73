/*
 * Loading a shared library and a table of its functions at run time (not
 * public): the common part of store/pq_lib.c (libpq) and app/mhd_lib.c
 * (libmicrohttpd), which tradecore does not link so that a process that never
 * needs them never maps them.
 */
#ifndef TC_STORE_DL_LOAD_H
#define TC_STORE_DL_LOAD_H

#include <pthread.h>
#include <stdatomic.h>
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
 * dlerror()'s text; the library is closed again and TABLE is untouched.
 * Thread-safe (dlerror() is per thread). */
int tc__dl_open(const char *lib, const char *soname, const struct tc__dl_sym *syms, size_t n,
                void *table, void **handle, struct tc_error *err);

/* A library loaded at most once per process into its table: the state
 * behind tc__pq_load and tc__mhd_load. Define it statically with
 * TC__DL_ONCE_INIT(display name, soname, syms array, table). */
struct tc__dl_once {
    pthread_mutex_t mu;
    atomic_int ready;
    const char *lib, *soname;
    const char *use;               /* the test seam's soname; NULL: SONAME */
    const struct tc__dl_sym *syms;
    size_t n;
    void *table;
    void *handle;                  /* kept while the process lives */
};
#define TC__DL_ONCE_INIT(lib, soname, syms, table)                                          \
    {PTHREAD_MUTEX_INITIALIZER, 0, lib, soname, NULL, syms, sizeof(syms) / sizeof((syms)[0]), \
     &(table), NULL}

/* Loads O's library into its table unless done: 0 at the cost of an atomic
 * load once it has been; else tc__dl_open's error, nothing loaded, and the
 * next call tries again. Thread-safe. */
int tc__dl_once_load(struct tc__dl_once *o, struct tc_error *err);
/* Whether O's library has been loaded. */
int tc__dl_once_loaded(struct tc__dl_once *o);
/* O's handle once loaded, else NULL. */
void *tc__dl_once_handle(struct tc__dl_once *o);
/* The test seam: the soname the next tc__dl_once_load tries (NULL: O's). */
void tc__dl_once_use(struct tc__dl_once *o, const char *soname);

#endif
