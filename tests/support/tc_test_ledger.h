/*
 * Ledger test fixtures: the stores (one database holding both logical stores,
 * or a runtime and a historical one), the reference and account rows the
 * ledger tests seed, a ready ledger store with market XNYS, instrument ORCL
 * (USD equity), portfolio "p1" (USD, initial capital 100000) and an enabled
 * strategy "s1", and a two-phase broker wrapper.
 */
#ifndef TC_TEST_LEDGER_H
#define TC_TEST_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/accounts.h"
#include "tradecore/broker.h"
#include "tradecore/clock.h"
#include "tradecore/ledger.h"
#include "tradecore/refdata.h"
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
 * The runtime and historical stores of a ledger test, both migrated: PG = 1,
 * one fresh fixture database named after NAME opened twice (both URLs the
 * same); PG = 0, "runtime.db" and "historical.db" in a tc_test_tmpdir named
 * NAME. Writes the URLs into RT_URL and HIST_URL (capacity CAP each) and the
 * open stores into *RT and *HIST (caller closes both). Returns 0, or -1 with
 * the reason on stderr (nothing left open).
 */
int tc_test_ledger_stores(const char *name, int pg, char *rt_url, char *hist_url, size_t cap,
                          struct tc_store **rt, struct tc_store **hist);

/*
 * Seed rows. Each returns 0, or the error code of the create call with ERR
 * filled (nothing else is done).
 *   market: XNYS named NAME, time zone America/New_York;
 *   instrument: ID (symbol ID) of class CLS on XNYS in USD, with the
 *     decimal MULTIPLIER (NULL: the default);
 *   portfolio: ID named "main", base USD, initial capital 100000;
 *   strategy: ID named "trend", ENABLED, with the JSON PARAMS (borrowed;
 *     NULL: none).
 */
int tc_test_seed_market(const struct tc_refdata *rd, const char *name, struct tc_error *err);
int tc_test_seed_instrument(const struct tc_refdata *rd, const char *id, enum tc_asset_class cls,
                            const char *multiplier, struct tc_error *err);
int tc_test_seed_portfolio(const struct tc_accounts *acc, const char *id, struct tc_error *err);
int tc_test_seed_strategy(const struct tc_accounts *acc, const char *id, int enabled,
                          const char *params, struct tc_error *err);

/*
 * Definitions a ledger test adds (all caller-owned, zeroed first):
 *   instrument: ID (symbol ID), a future on XNYS in USD with the decimal
 *     multiplier MULT and STATUS;
 *   portfolio: ID named ID, base USD, initial capital CAPITAL (decimal);
 *   strategy: ID named ID, ENABLED, with the JSON PARAMS (borrowed).
 * A decimal text that does not parse fails the running test.
 */
void tc_test_def_instrument(struct tc_instrument *in, const char *id, const char *mult,
                            enum tc_instrument_status status);
void tc_test_def_portfolio(struct tc_portfolio_def *p, const char *id, const char *capital);
void tc_test_def_strategy(struct tc_strategy_def *s, const char *id, int enabled,
                          const char *params);

/* The definitions of one test (borrowed arrays). */
struct tc_test_defs {
    const struct tc_instrument *in;
    size_t n_in;
    const struct tc_portfolio_def *p;
    size_t n_p;
    const struct tc_strategy_def *s;
    size_t n_s;
};

/*
 * Adds D's instruments, then portfolios, then strategies: to the in-memory
 * ledger MEM (tc_ledger_mem_add_*) when MEM is not NULL; else creates the
 * market XNYS ("New York Stock Exchange", tc_test_seed_market) and the
 * instruments through the reference data of HIST, and the portfolios and
 * strategies through the accounts of RT, with CLOCK (borrowed) and actor
 * "tester". Returns 0, or the first failing call's code with ERR filled
 * (what was added before it stays).
 */
int tc_test_ledger_add_defs(struct tc_ledger *mem, struct tc_store *rt, struct tc_store *hist,
                            const struct tc_clock *clock, const struct tc_test_defs *d,
                            struct tc_error *err);

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

/*
 * An in-memory BACKTEST ledger (run "run1") into *L: CLOCK (a manual clock,
 * set to T0) as its clock; a fault hook failing with TC_EIO the point that
 * *FAULT_POINT names when it is not NULL (read at every point, so the test
 * may set it between calls); ids from ID_FN with ID_UD; the N instruments
 * INSTS, or "I000", "I001", ... ("I%03d") when INSTS is NULL (futures on
 * XNYS in USD, multiplier 1, symbol = id), portfolio "p1"
 * (USD, initial capital CAPITAL) and the enabled strategy "s1" (params {}).
 * Fails the running test on any error. The caller closes *L.
 */
void tc_test_mem_ledger_open(struct tc_ledger **l, struct tc_manual_clock *clock, int64_t t0,
                             const char *const *fault_point, tc_ledger_id_fn id_fn, void *id_ud,
                             const char *const *insts, size_t n, const char *capital);

/*
 * A BASE_ENTRY submitted to L as JSON: portfolio "p1", strategy "s1",
 * instrument INST, LONG at TS (an RFC 3339 text), price 100, stop 95,
 * quantity QTY (a decimal text), signal id SIGNAL_ID (all borrowed).
 * Returns tc_ledger_submit_signal's code; *O and ERR filled by it.
 */
int tc_test_entry_json(struct tc_ledger *l, const char *inst, const char *ts, const char *qty,
                       const char *signal_id, struct tc_signal_outcome *o, struct tc_error *err);

/*
 * F (caller-owned) zeroed, then: execution id EXEC, client order id COID
 * followed by SUFFIX ("" for none), quantity QTY at PRICE (decimal texts),
 * commission 0, filled at AT_US.
 */
void tc_test_fill(struct tc_fill *f, const char *exec, const char *coid, const char *suffix,
                  const char *qty, const char *price, int64_t at_us);

/*
 * A broker without the in_txn capability in front of INNER (borrowed, freed
 * by its owner): the ledger submits after the signal's commit, INNER's fills
 * are reported as this broker's, so that the acknowledgement and the fill are
 * recorded together. tc_test_twophase_init fills TP (caller-owned; freeing
 * it through tc_broker_free does nothing).
 */
struct tc_test_twophase {
    struct tc_broker base;
    struct tc_broker *inner;
};
void tc_test_twophase_init(struct tc_test_twophase *tp, struct tc_broker *inner);

#endif
