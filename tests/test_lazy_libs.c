/*
 * libpq and libmicrohttpd loaded at run time (src/store/pq_lib.c,
 * src/app/mhd_lib.c, src/store/dl_load.c): a library that is missing, or
 * lacks a function, is an error naming the library, the soname and the
 * dynamic loader's reason, with nothing loaded and nothing changed; the real
 * ones load, once, from many threads at a time, and work through the table.
 *
 * The tests run in order: the failures come before the first real load of
 * each library, since a loaded library stays loaded for the process.
 * (tests/test_lazy_libs_cli.sh checks that the tradecore binary does not link
 * either and that a sqlite backtest never maps them.)
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"

/* the loaders' declarations, without the PQ* / MHD_* call macros */
#define TC__PQ_LIB_IMPL
#define TC__MHD_LIB_IMPL
#include "app/mhd_lib.h"
#include "store/pq_lib.h"
#include "tradecore/http.h"
#include "tradecore/store.h"

#ifndef TC_LIBPQ_SONAME
#error "tests/CMakeLists.txt passes TC_LIBPQ_SONAME and TC_LIBMHD_SONAME"
#endif

#define MISSING "libtc-no-such-library.so.7"
#define NO_SYMBOLS "libm.so.6" /* loads, but has no PQ* or MHD_* */

static void assert_has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" not in \"%s\"", needle, hay);
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static char pg_url[512];

/* ---- libpq ---- */

static void test_pq_load_from_bad(void **state)
{
    struct tc__pq_api api;
    struct tc_error err = {0};
    void *h = &api;

    (void)state;
    memset(&api, 0, sizeof(api));
    assert_int_equal(tc__pq_load_from(MISSING, &api, &h, &err), TC_EUNAVAIL);
    assert_int_equal(err.code, TC_EUNAVAIL);
    assert_has(err.msg, "cannot load libpq (" MISSING "): ");
    assert_has(err.msg, "cannot open shared object file");
    assert_true(all_zero(&api, sizeof(api)));
    assert_ptr_equal(h, &api);

    memset(&err, 0, sizeof(err));
    assert_int_equal(tc__pq_load_from(NO_SYMBOLS, &api, &h, &err), TC_EUNAVAIL);
    assert_has(err.msg, "cannot load libpq (" NO_SYMBOLS "): function PQbackendPID: ");
    assert_has(err.msg, "undefined symbol: PQbackendPID");
    assert_true(all_zero(&api, sizeof(api)));
    assert_ptr_equal(h, &api);

    memset(&err, 0, sizeof(err));
    assert_int_equal(tc__pq_load_from("", &api, &h, &err), TC_EUNAVAIL);
    assert_string_equal(err.msg, "cannot load libpq: no library name");
    assert_int_equal(tc__pq_load_from(NULL, &api, &h, &err), TC_EUNAVAIL);
    assert_string_equal(err.msg, "cannot load libpq: no library name");
    assert_true(all_zero(&api, sizeof(api)));
    /* a NULL error is allowed */
    assert_int_equal(tc__pq_load_from(MISSING, &api, &h, NULL), TC_EUNAVAIL);
    assert_false(tc__pq_loaded());
}

/* tc_store_open of a postgres:// URL while libpq cannot be loaded: a clear
 * error, no store, nothing loaded; then, with the real soname, it opens. */
static void test_pq_store_open(void **state)
{
    struct tc_store *s = (struct tc_store *)&s;
    struct tc_error err = {0};
    char want[700];

    (void)state;
    tc__pq_use_soname(MISSING);
    assert_int_equal(tc_store_open(pg_url, NULL, &s, &err), TC_EUNAVAIL);
    assert_null(s);
    assert_int_equal(strncmp(err.msg, "postgres postgresql://", 22), 0);
    assert_has(err.msg, ": cannot load libpq (" MISSING "): " MISSING ": cannot open shared");
    assert_false(tc__pq_loaded());
    assert_true(all_zero(&tc__pq, sizeof(tc__pq)));
    /* tried again: the same answer */
    memset(&err, 0, sizeof(err));
    assert_int_equal(tc__pq_load(&err), TC_EUNAVAIL);
    snprintf(want, sizeof(want), "cannot load libpq (%s): %s: cannot open shared object file: "
             "No such file or directory", MISSING, MISSING);
    assert_string_equal(err.msg, want);

    tc__pq_use_soname(NO_SYMBOLS);
    memset(&err, 0, sizeof(err));
    assert_int_equal(tc_store_open(pg_url, NULL, &s, &err), TC_EUNAVAIL);
    assert_null(s);
    assert_has(err.msg, "function PQbackendPID");
    assert_false(tc__pq_loaded());
    assert_true(all_zero(&tc__pq, sizeof(tc__pq)));

    tc__pq_use_soname(NULL);
    memset(&err, 0, sizeof(err));
    tc_assert_ok(tc_store_open(pg_url, NULL, &s, &err), &err);
    assert_true(tc__pq_loaded());
    tc_assert_ok(tc_store_ping(s, &err), &err);
    tc_store_close(s);
    /* loaded: the seam no longer matters */
    tc__pq_use_soname(MISSING);
    tc_assert_ok(tc__pq_load(&err), &err);
    tc_assert_ok(tc_store_open(pg_url, NULL, &s, &err), &err);
    tc_store_close(s);
    tc__pq_use_soname(NULL);
}

/* the real libpq through a table of its own, then closed again */
static void test_pq_load_from_real(void **state)
{
    struct tc__pq_api api;
    struct tc_error err = {0};
    void *h = NULL;
    PGconn *c;
    PGresult *r;

    (void)state;
    memset(&api, 0, sizeof(api));
    tc_assert_ok(tc__pq_load_from(TC_LIBPQ_SONAME, &api, &h, &err), &err);
    assert_non_null(h);
    /* every entry filled */
    for (size_t off = 0; off + sizeof(void *) <= sizeof(api); off += sizeof(void *)) {
        void *f;
        memcpy(&f, (const char *)&api + off, sizeof(f));
        assert_non_null(f);
    }
    c = api.PQconnectdb(pg_url);
    assert_non_null(c);
    assert_int_equal(api.PQstatus(c), CONNECTION_OK);
    r = api.PQexec(c, "SELECT 40 + 2");
    assert_int_equal(api.PQresultStatus(r), PGRES_TUPLES_OK);
    assert_string_equal(api.PQgetvalue(r, 0, 0), "42");
    api.PQclear(r);
    api.PQfinish(c);
    assert_int_equal(dlclose(h), 0);
}

/* ---- libmicrohttpd ---- */

static void test_mhd_load_from_bad(void **state)
{
    struct tc__mhd_api api;
    struct tc_error err = {0};
    void *h = &api;

    (void)state;
    memset(&api, 0, sizeof(api));
    assert_int_equal(tc__mhd_load_from(MISSING, &api, &h, &err), TC_EUNAVAIL);
    assert_has(err.msg, "cannot load libmicrohttpd (" MISSING "): ");
    assert_has(err.msg, "cannot open shared object file");
    assert_true(all_zero(&api, sizeof(api)));
    assert_ptr_equal(h, &api);

    memset(&err, 0, sizeof(err));
    assert_int_equal(tc__mhd_load_from(NO_SYMBOLS, &api, &h, &err), TC_EUNAVAIL);
    assert_has(err.msg,
               "cannot load libmicrohttpd (" NO_SYMBOLS "): function MHD_add_response_header: ");
    assert_has(err.msg, "undefined symbol: MHD_add_response_header");
    assert_true(all_zero(&api, sizeof(api)));
    assert_ptr_equal(h, &api);
    assert_false(tc__mhd_loaded());
    assert_null(tc__mhd_dlsym("MHD_start_daemon"));
}

static struct tc_http_server *new_server(void)
{
    struct tc_http_options o;
    struct tc_http_server *s = NULL;
    struct tc_error err = {0};

    tc_http_options_default(&o);
    o.listen = "127.0.0.1:0";
    o.threads = 1;
    o.stop_timeout_ms = 2000;
    tc_assert_ok(tc_http_server_new(&o, &s, &err), &err);
    return s;
}

/* the daemon cannot start without libmicrohttpd: a clear error, the server
 * not started (no port, no address), and it starts once the library loads */
static void test_mhd_server_start(void **state)
{
    struct tc_http_server *s = new_server();
    struct tc_error err = {0};

    (void)state;
    tc__mhd_use_soname(MISSING);
    assert_int_equal(tc_http_server_start(s, &err), TC_EUNAVAIL);
    assert_has(err.msg, "cannot start the http server on 127.0.0.1:0: cannot load "
                        "libmicrohttpd (" MISSING "): " MISSING ": cannot open shared");
    assert_int_equal(tc_http_server_port(s), 0);
    assert_string_equal(tc_http_server_address(s), "");
    assert_false(tc__mhd_loaded());
    assert_true(all_zero(&tc__mhd, sizeof(tc__mhd)));
    /* no library, so no TLS to offer: the check names the library, and a
     * server asked for TLS fails with that, not with "built without TLS" */
    assert_int_equal(tc_http_tls_supported(), 0);
    memset(&err, 0, sizeof(err));
    assert_int_equal(tc_http_tls_check(&err), TC_EUNAVAIL);
    assert_has(err.msg, "cannot load libmicrohttpd (" MISSING ")");
    {
        struct tc_http_options o;
        struct tc_http_server *t = NULL;
        tc_http_options_default(&o);
        o.listen = "127.0.0.1:0";
        o.tls_cert = "cert.pem";
        o.tls_key = "key.pem";
        memset(&err, 0, sizeof(err));
        assert_int_equal(tc_http_server_new(&o, &t, &err), TC_EUNAVAIL);
        assert_null(t);
        assert_has(err.msg, "cannot load libmicrohttpd (" MISSING ")");
        assert_null(strstr(err.msg, "without TLS"));
    }
    assert_false(tc__mhd_loaded());

    tc__mhd_use_soname(NO_SYMBOLS);
    memset(&err, 0, sizeof(err));
    assert_int_equal(tc_http_server_start(s, &err), TC_EUNAVAIL);
    assert_has(err.msg, "function MHD_add_response_header");
    assert_int_equal(tc_http_server_port(s), 0);
    assert_false(tc__mhd_loaded());
    tc_http_server_free(s);
    tc__mhd_use_soname(NULL);
}

struct loader {
    pthread_t t;
    int rc;
    struct tc_error err;
};

static void *load_mhd(void *arg)
{
    struct loader *l = arg;
    l->rc = tc__mhd_load(&l->err);
    return NULL;
}

/* the first real load, from eight threads at once: each gets 0, one table */
static void test_mhd_load_threads(void **state)
{
    struct loader l[8];
    struct tc__mhd_api copy;

    (void)state;
    assert_false(tc__mhd_loaded());
    memset(l, 0, sizeof(l));
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&l[i].t, NULL, load_mhd, &l[i]), 0);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(pthread_join(l[i].t, NULL), 0);
        tc_assert_ok(l[i].rc, &l[i].err);
    }
    assert_true(tc__mhd_loaded());
    assert_non_null(tc__mhd.MHD_start_daemon);
    copy = tc__mhd;
    /* loaded once: a later load (whatever the seam says) changes nothing */
    tc__mhd_use_soname(MISSING);
    assert_int_equal(tc__mhd_load(NULL), 0);
    tc__mhd_use_soname(NULL);
    assert_memory_equal(&copy, &tc__mhd, sizeof(copy));
    /* the library's own dependencies are reachable (the TLS client checks) */
    {
        void *start;
        memcpy(&start, &tc__mhd.MHD_start_daemon, sizeof(start));
        assert_ptr_equal(tc__mhd_dlsym("MHD_start_daemon"), start);
    }
    assert_null(tc__mhd_dlsym("tc_no_such_function"));
    assert_int_equal(tc_http_tls_supported(), 1);
    struct tc_error terr = {0};
    tc_assert_ok(tc_http_tls_check(&terr), &terr);
}

static void test_mhd_server_runs(void **state)
{
    struct tc_http_server *s = new_server();
    struct tc_error err = {0};

    (void)state;
    tc_assert_ok(tc_http_server_start(s, &err), &err);
    assert_true(tc_http_server_port(s) > 0);
    tc_assert_ok(tc_http_server_stop(s, &err), &err);
    tc_http_server_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pq_load_from_bad),
        cmocka_unit_test(test_pq_store_open),
        cmocka_unit_test(test_pq_load_from_real),
        cmocka_unit_test(test_mhd_load_from_bad),
        cmocka_unit_test(test_mhd_server_start),
        cmocka_unit_test(test_mhd_load_threads),
        cmocka_unit_test(test_mhd_server_runs),
    };
    int rc;

    if (tc_test_pg_create_db("lazy_libs", pg_url, sizeof(pg_url)) != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
