/* The backtest runner: the trades closed in one session are listed in the
 * order their positions were opened (the session of the entry, then the
 * instrument), whatever the order of the instruments whose fills closed
 * them. sma_cross over twelve random walks: many sessions close a position
 * opened later on an instrument that comes first (its exit fill is seen
 * first) together with one opened earlier on an instrument that comes
 * after it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/backtest.h"

#define NI 12
#define NB 700

static void test_closed_in_one_session(void **state)
{
    (void)state;
    static const char *const kv[] = {"fast=2", "slow=5", "stake=1", NULL};
    struct tc_bar_series s[NI];
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    const struct tc_strategy_class *cls = NULL;
    struct tc_error err = {0};
    uint64_t x = 1234567;
    size_t crossed = 0, same = 0;

    for (size_t k = 0; k < NI; k++) {
        char id[8];
        int64_t close = 10000;
        snprintf(id, sizeof(id), "W%02zu", k);
        tc_bar_series_init(&s[k], id);
        for (size_t i = 0; i < NB; i++) {
            struct tc_bar b;
            x = x * 6364136223846793005u + 1442695040888963407u;
            close += (int64_t)((x >> 33) % 201) - 100;
            if (close < 1000)
                close = 1000;
            memset(&b, 0, sizeof(b));
            b.day = tc_days_from_civil(2020, 1, 1) + (int64_t)i;
            b.open = b.close = b.adj_close = tc_dec_from_raw(close * 1000000);
            b.high = tc_dec_from_raw((close + 50) * 1000000);
            b.low = tc_dec_from_raw((close - 50) * 1000000);
            b.volume = 1000000;
            tc_assert_ok(tc_bar_series_append(&s[k], &b, &err), &err);
        }
    }
    memset(&st, 0, sizeof(st));
    tc_assert_ok(tc_strategy_lookup("sma_cross", &cls, &err), &err);
    tc_strategy_params_init(&st.params, cls);
    st.enabled = 1;
    for (const char *const *p = kv; *p; p++)
        tc_assert_ok(tc_strategy_params_set_kv(&st.params, *p, &err), &err);
    tc_backtest_config_init(&cfg);
    cfg.strategies = &st;
    cfg.n_strategies = 1;
    cfg.series = s;
    cfg.n_series = NI;
    cfg.cash = tc_test_dec("1000000");
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);
    assert_true(res.run.n_trades > 500);
    for (size_t t = 1; t < res.run.n_trades; t++) {
        const struct tc_run_trade *a = &res.run.trades[t - 1], *b = &res.run.trades[t];
        int ord;
        if (a->exit_day != b->exit_day)
            continue;
        same++;
        ord = a->entry_day != b->entry_day ? (a->entry_day < b->entry_day ? -1 : 1)
                                           : strcmp(a->instrument_id, b->instrument_id);
        if (ord >= 0) {
            char d1[TC_DATE_STRLEN], d2[TC_DATE_STRLEN];
            tc_date_format(a->entry_day, d1);
            tc_date_format(b->entry_day, d2);
            fail_msg("trade %zu (%s entered %s) before %s entered %s, both closed the same session",
                     t - 1, a->instrument_id, d1, b->instrument_id, d2);
        }
        crossed += a->entry_day < b->entry_day && strcmp(a->instrument_id, b->instrument_id) > 0;
    }
    /* the case this is about happened, often */
    assert_true(same > 100);
    assert_true(crossed > 20);
    tc_backtest_result_release(&res);
    for (size_t k = 0; k < NI; k++)
        tc_bar_series_release(&s[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_in_one_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
