/* A short position through the backtest runner (the built-in strategies are
 * long only): a strategy that sells short on its first bar and exits on its
 * third. The entry is a SELL fill and the exit a BUY fill, both with a
 * positive quantity, at the next bars' opens; the trade is SHORT with the
 * P&L of a short (entry - exit) x quantity; each session's equity marks the
 * open short at that close (cash + quantity x (entry - close)) with a
 * positive exposure; fills.csv and trades.csv say so. All computed by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_backtest.h"
#include "tradecore/backtest.h"

#define D(text) tc_test_dec(text)

/* bar 0: BASE_ENTRY SHORT of 10 units; bar 2: EXIT. */
static int short_bar(struct tc_strategy_ctx *ctx, void *st, size_t ix, const struct tc_bar *bar,
                     struct tc_error *err)
{
    int *n = st, k = (*n)++;

    if (k != 0 && k != 2)
        return 0;
    return tc_test_bt_signal(ctx, k == 0 ? TC_SIGNAL_BASE_ENTRY : TC_SIGNAL_EXIT, ix,
                             TC_SIDE_SHORT, bar, k == 0 ? "10" : NULL, err);
}

static const struct tc_strategy_class shorter = {
    .name = "shorter",
    .summary = "sells short, then exits",
    .state_size = sizeof(int),
    .on_bar = short_bar,
};

/*
 *   k  day         O    H     L     C
 *   0  2024-03-04  20   21    19    20     BASE_ENTRY SHORT 10
 *   1  2024-03-05  19   19.5  17.5  18     SELL 10 at 19
 *   2  2024-03-06  18   18.5  16.5  17     EXIT
 *   3  2024-03-07  16   17    15.5  16.5   BUY 10 at 16
 *   4  2024-03-08  17   17.5  16.5  17
 * Equity: 100000; 100000 + 10 x (19 - 18) = 100010; + 10 x (19 - 17) =
 * 100020; then cash 100000 + 10 x (19 - 16) = 100030. Exposure 180, 170, 0.
 */
static void test_short_round_trip(void **state)
{
    static const char *const bars[][4] = {
        {"20", "21", "19", "20"},   {"19", "19.5", "17.5", "18"}, {"18", "18.5", "16.5", "17"},
        {"16", "17", "15.5", "16.5"}, {"17", "17.5", "16.5", "17"},
    };
    static const char *const eq[] = {"100000", "100010", "100020", "100030", "100030"};
    static const char *const cash[] = {"100000", "100000", "100000", "100030", "100030"};
    static const char *const expo[] = {"0", "180", "170", "0", "0"};
    struct tc_bar_series s;
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    struct tc_error err = {0};
    const int64_t d0 = tc_days_from_civil(2024, 3, 4);
    char dir[512];
    (void)state;

    tc_bar_series_init(&s, "SHRT");
    tc_test_bt_append_ohlc(&s, d0, bars, 5);
    tc_test_bt_strategy_of(&st, &shorter, NULL);
    tc_test_bt_config(&cfg, &st, 1, &s, 1);
    tc_assert_ok(tc_backtest_run(&cfg, &res, &err), &err);

    assert_int_equal(res.signals, 2);
    assert_int_equal(res.accepted, 2);
    assert_int_equal(res.run.n_fills, 2);
    tc_test_bt_assert_fill(&res, 0, d0 + 1, 'S', "10", "19");
    tc_test_bt_assert_fill(&res, 1, d0 + 3, 'B', "10", "16");
    assert_int_equal(res.run.n_trades, 1);
    assert_int_equal(res.run.trades[0].side, 'S');
    tc_test_assert_dec(res.run.trades[0].entry_price, "19");
    tc_test_assert_dec(res.run.trades[0].exit_price, "16");
    tc_test_assert_dec(res.run.trades[0].quantity, "10");
    tc_test_assert_dec(res.run.trades[0].gross_pnl, "30");
    tc_test_assert_dec(res.run.trades[0].net_pnl, "30");
    assert_int_equal(res.run.n_equity, 5);
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(res.run.equity[k].day, d0 + (int64_t)k);
        tc_test_assert_dec(res.run.equity[k].equity, eq[k]);
        tc_test_assert_dec(res.run.equity[k].cash, cash[k]);
        tc_test_assert_dec(res.run.equity[k].exposure, expo[k]);
    }
    tc_test_assert_dec(res.metrics.final_cash, "100030");
    assert_int_equal(res.metrics.n_wins, 1);

    assert_int_equal(tc_test_tmpdir("bt_short", dir, sizeof(dir)), 0);
    tc_assert_ok(tc_backtest_write_report(&res, dir, "short", &err), &err);
    tc_test_assert_file_text(dir, "fills.csv",
                             "date,instrument,side,quantity,price,commission\n"
                             "2024-03-05,SHRT,SELL,10,19,0\n"
                             "2024-03-07,SHRT,BUY,10,16,0\n");
    tc_test_assert_file_text(dir, "trades.csv",
                             "instrument,side,entry_date,entry_price,exit_date,exit_price,quantity,"
                             "gross,commission,net\n"
                             "SHRT,SHORT,2024-03-05,19,2024-03-07,16,10,30,0,30\n");
    tc_test_assert_file_text(dir, "equity.csv",
                             "date,cash,equity\n"
                             "2024-03-04,100000,100000\n"
                             "2024-03-05,100000,100010\n"
                             "2024-03-06,100000,100020\n"
                             "2024-03-07,100030,100030\n"
                             "2024-03-08,100030,100030\n");
    tc_backtest_result_release(&res);
    tc_bar_series_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
