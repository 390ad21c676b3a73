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
        memcpy((char *)table + syms[i].offset, &f, sizeof(f));
    }
    *handle = h;
    return 0;
}
