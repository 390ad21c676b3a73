/*
 * libmicrohttpd, loaded at run time (not public).
 *
 * tradecore does not link libmicrohttpd: only a process that starts the HTTP
 * daemon maps it (and GnuTLS and the rest it pulls in). tc__mhd_load()
 * dlopen()s it by the soname found at configure time (TC_LIBMHD_SONAME) and
 * resolves every function below into the table tc__mhd.
 *
 * Include this header AFTER <microhttpd.h> (it includes it itself first):
 * from here on MHD_start_daemon(...) and the other names of TC__MHD_FUNCS call
 * through the table, so call sites read like plain libmicrohttpd. Types and
 * constants are microhttpd.h's own. A call through the table before a
 * successful tc__mhd_load() is a bug.
 */
#ifndef TC_APP_MHD_LIB_H
#define TC_APP_MHD_LIB_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#include "tradecore/error.h"

/* Every libmicrohttpd function tradecore calls. */
#define TC__MHD_FUNCS(X)                                                                 \
    X(MHD_add_response_header) X(MHD_create_response_from_buffer)                      \
    X(MHD_destroy_response) X(MHD_get_connection_info) X(MHD_is_feature_supported)     \
    X(MHD_lookup_connection_value) X(MHD_queue_response) X(MHD_quiesce_daemon)         \
    X(MHD_start_daemon) X(MHD_stop_daemon)

/* The table: one pointer per function, typed from microhttpd.h's prototype. */
struct tc__mhd_api {
#define TC__MHD_MEMBER(name) __typeof__(&name) name;
    TC__MHD_FUNCS(TC__MHD_MEMBER)
#undef TC__MHD_MEMBER
};

/* Filled by the first successful tc__mhd_load(); never changes after. */
extern struct tc__mhd_api tc__mhd;

/* Loads libmicrohttpd (TC_LIBMHD_SONAME, or the one set by
 * tc__mhd_use_soname) and fills tc__mhd, once: later calls return 0 at the
 * cost of an atomic load. Thread-safe. A failure (library missing, a
 * function missing) returns TC_EUNAVAIL with a message naming libmicrohttpd,
 * the soname and dlerror()'s text, leaves nothing loaded and is tried again
 * by the next call. */
int tc__mhd_load(struct tc_error *err);

/* Whether tc__mhd_load() has succeeded in this process. */
int tc__mhd_loaded(void);

/* Loads SONAME as libmicrohttpd into API (caller-owned) without touching
 * tc__mhd; on success *HANDLE (may be NULL: then the library stays loaded)
 * gets the dlopen handle, the caller's to dlclose. On failure API is
 * untouched and the error is tc__mhd_load()'s. Thread-safe. */
int tc__mhd_load_from(const char *soname, struct tc__mhd_api *api, void **handle,
                      struct tc_error *err);

/* The address of NAME in the loaded libmicrohttpd or the libraries it
 * depends on (its TLS library), as dlsym() gives it; NULL when not loaded or
 * not found. Thread-safe. */
void *tc__mhd_dlsym(const char *name);

/* Test seam: the soname the next tc__mhd_load() tries (NULL:
 * TC_LIBMHD_SONAME). No effect once loaded. SONAME is borrowed and must
 * outlive the load. */
void tc__mhd_use_soname(const char *soname);

#ifndef TC__MHD_LIB_IMPL
#define MHD_add_response_header (tc__mhd.MHD_add_response_header)
#define MHD_create_response_from_buffer (tc__mhd.MHD_create_response_from_buffer)
#define MHD_destroy_response (tc__mhd.MHD_destroy_response)
#define MHD_get_connection_info (tc__mhd.MHD_get_connection_info)
#define MHD_is_feature_supported (tc__mhd.MHD_is_feature_supported)
#define MHD_lookup_connection_value (tc__mhd.MHD_lookup_connection_value)
#define MHD_queue_response (tc__mhd.MHD_queue_response)
#define MHD_quiesce_daemon (tc__mhd.MHD_quiesce_daemon)
#define MHD_start_daemon (tc__mhd.MHD_start_daemon)
#define MHD_stop_daemon (tc__mhd.MHD_stop_daemon)
#endif

#endif
