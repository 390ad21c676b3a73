/*
 * A ready historical store for tests: migrated ("historical" set) and holding
 * market XNYS ("New York Stock Exchange", America/New_York), the fixture of
 * the price-ingest tests.
 */
#ifndef TC_TEST_HIST_H
#define TC_TEST_HIST_H

#include <stddef.h>

#include "tradecore/store.h"

/*
 * Opens it through tc_test_store_open (NAME, PG, the sqlite file
 * "historical.db"; DIR receives the test's temporary folder), migrates it and
 * adds XNYS. *OUT is the open store (caller closes it). Returns 0, or -1 with
 * the reason on stderr (nothing left open).
 */
int tc_test_hist_store(const char *name, int pg, char *dir, size_t dcap, struct tc_store **out);

/*
 * A cmocka fixture around tc_test_hist_store: *STATE becomes a calloc'd
 * struct tc_test_hist_fx (the backend, the temporary folder and the open
 * store); teardown closes and frees it. Each test program wraps setup with
 * its NAME and backend for cmocka_unit_test_setup_teardown.
 */
struct tc_test_hist_fx {
    int pg;
    char dir[512];
    struct tc_store *s;
};
int tc_test_hist_fx_setup(void **state, const char *name, int pg);
int tc_test_hist_fx_teardown(void **state);

/* Registers equity instrument ID (SYMBOL, MARKET, currency USD, the other
 * fields tc_instrument_init's). Returns 0, or -1 with the reason on stderr. */
int tc_test_hist_add_instrument(struct tc_store *s, const char *id, const char *symbol,
                                const char *market);

/* tc_test_hist_fx_setup, then IDS[0..N) registered as XNYS equities, each
 * its own symbol (tc_test_hist_add_instrument); on a failure the fixture is
 * torn down and -1 returned. */
int tc_test_hist_fx_setup_xnys(void **state, const char *name, int pg, const char *const *ids,
                               size_t n);

#endif
