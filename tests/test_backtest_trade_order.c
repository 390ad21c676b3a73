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
#include "tc_test_backtest.h"
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
    struct tc_error err = {0};
    uint64_t x = 1234567;
    size_t crossed = 0, same = 0;

    for (size_t k = 0; k < NI; k++) {
        char id[8];
        snprintf(id, sizeof(id), "W%02zu", k);
        tc_bar_series_init(&s[k], id);
        tc_test_bt_append_walk(&s[k], tc_days_from_civil(2020, 1, 1), NB, &x);
    }
    tc_test_bt_strategy(&st, "sma_cross", kv);
    tc_test_bt_config(&cfg, &st, 1, s, NI);
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
