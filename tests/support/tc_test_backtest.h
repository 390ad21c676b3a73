/*
 * Backtest test helpers: strategy instances, bar series built from text
 * tables or a random walk, a one-portfolio configuration, and asserts on a
 * run's decimals and fills. Every helper fails the running test on an
 * error; none returns one.
 */
#ifndef TC_TEST_BACKTEST_H
#define TC_TEST_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/backtest.h"

/* D formatted with tc_dec_format equals WANT, else the test fails. */
void tc_test_assert_dec(struct tc_dec d, const char *want);

/*
 * *S (overwritten) becomes an enabled instance of the strategy class CLS
 * (borrowed; it must outlive *S) with its default parameters, then the
 * "key=value" texts of KV (a NULL-terminated list, or NULL for none) set in
 * order.
 */
void tc_test_bt_strategy_of(struct tc_backtest_strategy *s, const struct tc_strategy_class *cls,
                            const char *const *kv);
/* The same for the registered class named CLS_NAME. */
void tc_test_bt_strategy(struct tc_backtest_strategy *s, const char *cls_name,
                         const char *const *kv);

/*
 * Appends N bars to *S (initialised by the caller, who releases it): bar k
 * on day DAY0 + k with the decimal texts BARS[k] = {open, high, low, close},
 * the adjusted close the close, volume 1000000.
 */
void tc_test_bt_append_ohlc(struct tc_bar_series *s, int64_t day0, const char *const (*bars)[4],
                            size_t n);

/*
 * Appends N bars of a random walk to *S (initialised by the caller, who
 * releases it): bar i on day DAY0 + i; the close starts at 100 and moves by
 * -1..1 in steps of 0.01 a bar (never below 10), drawn from the 64-bit LCG
 * state *X (advanced once a bar, so that series drawn one after another
 * from one state differ); open = close, high and low 0.5 from it, volume
 * 1000000.
 */
void tc_test_bt_append_walk(struct tc_bar_series *s, int64_t day0, size_t n, uint64_t *x);

/*
 * For a strategy's on_bar: sends the signal TYPE for SIDE on instrument IX
 * at BAR's close, for the quantity QTY (a decimal text; NULL: none, the
 * ledger sizes it). Returns 0 when the ledger accepted it, else the
 * signal call's error or TC_ESTATE "signal refused: <reason>", with ERR
 * filled.
 */
int tc_test_bt_signal(struct tc_strategy_ctx *ctx, enum tc_signal_type type, size_t ix,
                      enum tc_side side, const struct tc_bar *bar, const char *qty,
                      struct tc_error *err);

/*
 * tc_backtest_config_init(CFG) with the NST strategies ST over the NS
 * series S (both borrowed by *CFG); the caller sets the rest.
 */
void tc_test_bt_config(struct tc_backtest_config *cfg, const struct tc_backtest_strategy *st,
                       size_t nst, const struct tc_bar_series *s, size_t ns);

/* Fill K of R exists and has DAY, SIDE ('B' or 'S'), the quantity QTY and
 * the price PRICE (decimal texts), else the test fails. */
void tc_test_bt_assert_fill(const struct tc_backtest_result *r, size_t k, int64_t day, char side,
                            const char *qty, const char *price);

#endif
