/*
 * Run-time loading of a shared library and a table of its functions
 * (dlopen/dlsym), for the libraries only some commands need (libpq,
 * libmicrohttpd): their pointers land in a caller's table of typed function
 * pointers, so that their call sites stay ordinary calls.
 */
#include <dlfcn.h>
#include <string.h>

#include "store/dl_load.h"
#include "internal/banned.h"

/* dlsym() hands back a function as a void *; POSIX guarantees the two have
 * the same size and representation, which the copy below relies on. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
               "function pointers and void * differ in size");

int tc__dl_open(const char *lib, const char *soname, const struct tc__dl_sym *syms, size_t n,
                void *table, void **handle, struct tc_error *err)
{
    const char *why;
    void *h;

    if (!soname || !*soname)
        return tc_error_set(err, TC_EUNAVAIL, "cannot load %s: no library name", lib);
    (void)dlerror(); /* clear a stale message of this thread */
    if (!(h = dlopen(soname, RTLD_NOW | RTLD_LOCAL))) {
        why = dlerror();
        return tc_error_set(err, TC_EUNAVAIL, "cannot load %s (%s): %s", lib, soname,
                            why ? why : "unknown dlopen failure");
    }
    /* every function found before the table is written */
    for (int write = 0; write < 2; write++)
        for (size_t i = 0; i < n; i++) {
            void *f;
            (void)dlerror();
            f = dlsym(h, syms[i].name);
            if (!f) {
                int rc;
                why = dlerror();
                rc = tc_error_set(err, TC_EUNAVAIL, "cannot load %s (%s): function %s: %s", lib,
                                  soname, syms[i].name, why ? why : "resolved to a null address");
                dlclose(h);
                return rc;
            }
            if (write)
                memcpy((char *)table + syms[i].offset, &f, sizeof(f));
        }
    *handle = h;
    return 0;
}

int tc__dl_once_load(struct tc__dl_once *o, struct tc_error *err)
{
    int rc = 0;

    if (atomic_load_explicit(&o->ready, memory_order_acquire))
        return 0;
    pthread_mutex_lock(&o->mu);
    if (!atomic_load_explicit(&o->ready, memory_order_relaxed)) {
        rc = tc__dl_open(o->lib, o->use ? o->use : o->soname, o->syms, o->n, o->table,
                         &o->handle, err);
        if (rc == 0)
            atomic_store_explicit(&o->ready, 1, memory_order_release);
    }
    pthread_mutex_unlock(&o->mu);
    return rc;
}

int tc__dl_once_loaded(struct tc__dl_once *o)
{
    return atomic_load_explicit(&o->ready, memory_order_acquire);
}

void *tc__dl_once_handle(struct tc__dl_once *o)
{
    return tc__dl_once_loaded(o) ? o->handle : NULL;
}

void tc__dl_once_use(struct tc__dl_once *o, const char *soname)
{
    pthread_mutex_lock(&o->mu);
    o->use = soname;
    pthread_mutex_unlock(&o->mu);
}
