/*
 * Backtest test helpers (tc_test_backtest.h): the strategy instances, bar
 * series, configuration and asserts that the backtest tests share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tc_test.h"
#include "tc_test_backtest.h"

void tc_test_assert_dec(struct tc_dec d, const char *want)
{
    char buf[TC_DEC_STRLEN];
    tc_dec_format(d, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

void tc_test_bt_strategy_of(struct tc_backtest_strategy *s, const struct tc_strategy_class *cls,
                            const char *const *kv)
{
    struct tc_error err = {0};
    memset(s, 0, sizeof(*s));
    tc_strategy_params_init(&s->params, cls);
    s->enabled = 1;
    for (; kv && *kv; kv++)
        tc_assert_ok(tc_strategy_params_set_kv(&s->params, *kv, &err), &err);
}

void tc_test_bt_strategy(struct tc_backtest_strategy *s, const char *cls_name,
                         const char *const *kv)
{
    const struct tc_strategy_class *cls = NULL;
    struct tc_error err = {0};
    tc_assert_ok(tc_strategy_lookup(cls_name, &cls, &err), &err);
    tc_test_bt_strategy_of(s, cls, kv);
}

void tc_test_bt_append_ohlc(struct tc_bar_series *s, int64_t day0, const char *const (*bars)[4],
                            size_t n)
{
    struct tc_error err = {0};
    for (size_t k = 0; k < n; k++) {
        struct tc_bar b;
        memset(&b, 0, sizeof(b));
        b.day = day0 + (int64_t)k;
        b.open = tc_test_dec(bars[k][0]);
        b.high = tc_test_dec(bars[k][1]);
        b.low = tc_test_dec(bars[k][2]);
        b.close = b.adj_close = tc_test_dec(bars[k][3]);
        b.volume = 1000000;
        tc_assert_ok(tc_bar_series_append(s, &b, &err), &err);
    }
}

void tc_test_bt_append_walk(struct tc_bar_series *s, int64_t day0, size_t n, uint64_t *x)
{
    struct tc_error err = {0};
    int64_t close = 10000; /* hundredths */
    for (size_t i = 0; i < n; i++) {
        struct tc_bar b;
        *x = *x * 6364136223846793005u + 1442695040888963407u;
        close += (int64_t)((*x >> 33) % 201) - 100;
        if (close < 1000)
            close = 1000;
        memset(&b, 0, sizeof(b));
        b.day = day0 + (int64_t)i;
        b.open = b.close = b.adj_close = tc_dec_from_raw(close * 1000000);
        b.high = tc_dec_from_raw((close + 50) * 1000000);
        b.low = tc_dec_from_raw((close - 50) * 1000000);
        b.volume = 1000000;
        tc_assert_ok(tc_bar_series_append(s, &b, &err), &err);
    }
}

int tc_test_bt_signal(struct tc_strategy_ctx *ctx, enum tc_signal_type type, size_t ix,
                      enum tc_side side, const struct tc_bar *bar, const char *qty,
                      struct tc_error *err)
{
    struct tc_signal sig;
    struct tc_signal_outcome out;
    int rc;

    if ((rc = tc_strategy_signal_init(ctx, &sig, type, ix, side, err)) != 0)
        return rc;
    sig.price = bar->close;
    sig.has_price = 1;
    if (qty) {
        sig.quantity = tc_test_dec(qty);
        sig.has_quantity = 1;
    }
    if ((rc = tc_strategy_signal(ctx, &sig, &out, err)) != 0)
        return rc;
    if (out.status != TC_SIGNAL_ACCEPTED)
        return tc_error_set(err, TC_ESTATE, "signal refused: %s", out.reason);
    return 0;
}

void tc_test_bt_config(struct tc_backtest_config *cfg, const struct tc_backtest_strategy *st,
                       size_t nst, const struct tc_bar_series *s, size_t ns)
{
    tc_backtest_config_init(cfg);
    cfg->strategies = st;
    cfg->n_strategies = nst;
    cfg->series = s;
    cfg->n_series = ns;
}

void tc_test_bt_assert_fill(const struct tc_backtest_result *r, size_t k, int64_t day, char side,
                            const char *qty, const char *price)
{
    const struct tc_run_fill *f;
    assert_true(k < r->run.n_fills);
    f = &r->run.fills[k];
    assert_int_equal(f->day, day);
    assert_int_equal(f->side, side);
    tc_test_assert_dec(f->quantity, qty);
    tc_test_assert_dec(f->price, price);
}
