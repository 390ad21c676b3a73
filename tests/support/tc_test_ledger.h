/*
 * A ready ledger store for tests: one database holding both logical stores,
 * migrated, with market XNYS, instrument ORCL (USD equity), portfolio "p1"
 * (USD, initial capital 100000) and an enabled strategy "s1".
 */
#ifndef TC_TEST_LEDGER_H
#define TC_TEST_LEDGER_H

#include <stddef.h>

#include "tradecore/store.h"

/*
 * PG = 0: a fresh SQLite file in a tc_test_tmpdir named NAME; PG = 1: a fresh
 * database on the PostgreSQL fixture named after NAME. Writes the URL into
 * URL (capacity CAP) and the open store into *OUT (caller closes it).
 * Returns 0, or -1 with the reason on stderr (nothing left open).
 */
int tc_test_ledger_store(const char *name, int pg, char *url, size_t cap,
                         struct tc_store **out);

/*
 * A cmocka fixture around tc_test_ledger_store: *STATE becomes a calloc'd
 * struct tc_test_ledger_fx (the backend, the URL and the open store);
 * teardown closes and frees it. Each test program wraps setup with its NAME
 * and backend for cmocka_unit_test_setup_teardown.
 */
struct tc_test_ledger_fx {
    int pg;
    char url[512];
    struct tc_store *rt;
};
int tc_test_ledger_fx_setup(void **state, const char *name, int pg);
int tc_test_ledger_fx_teardown(void **state);

#endif
