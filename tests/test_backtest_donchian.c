/* donchian's rules that test_backtest's by-hand run does not reach, each on
 * bars built for it and computed by hand: the exit on the exit channel (a
 * close below the lowest low of the previous EXIT bars) while the stop is
 * far away, and the pyramids stopping at max_pyramids while the price keeps
 * rising, then the stop taking every layer out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_backtest.h"
#include "tradecore/backtest.h"

#define D(text) tc_test_dec(text)
#define D0 tc_days_from_civil(2024, 1, 1)

/* Runs donchian (params KV) over NB bars {open, high, low, close} of "TURT"
 * on D0 + k, cash 10000, no commission, next-open fills. */
static void run(const char *const (*bars)[4], size_t nb, const char *const *kv,
                struct tc_backtest_result *res)
{
    struct tc_backtest_strategy st;
    struct tc_backtest_config cfg;
    struct tc_bar_series s;
    struct tc_error err = {0};

    tc_bar_series_init(&s, "TURT");
    tc_test_bt_append_ohlc(&s, D0, bars, nb);
    tc_test_bt_strategy(&st, "donchian", kv);
    tc_test_bt_config(&cfg, &st, 1, &s, 1);
    cfg.cash = D("10000");
    tc_assert_ok(tc_backtest_run(&cfg, res, &err), &err);
    assert_int_equal(res->sessions, nb);
    tc_bar_series_release(&s);
}

/*
 * entry 2, exit 2, atr 1 (the bar's true range), stop_atr 5, no pyramid
 * (max_pyramids 0), risk 0.01, cash 10000:
 *   k  O     H     L     C
 *   0  10    10.5  9.5   10
 *   1  10    10.5  9.5   10
 *   2  10.6  11.2  10.6  11    11 > 10.5 (high of k 0..1): BASE_ENTRY; TR =
 *        max(0.6, |11.2 - 10|, |10.6 - 10|) = 1.2, stop 11 - 5 x 1.2 = 5;
 *        size floor(10000 x 0.01 / (11 - 5)) = 16
 *   3  11.2  11.6  11    11.4  fills at 11.2; low of k 1..2 is 9.5
 *   4  11.5  11.7  11.3  11.5  low of k 2..3 is 10.6
 *   5  11.4  11.45 10.9  10.95 10.95 < 11 (low of k 3..4): EXIT by the
 *        channel; the stop 5 is far below the low 10.9
 *   6  10.8  10.9  10.6  10.7  the exit fills at 10.8; 10.7 is not above 11.7
 *        (high of k 4..5): no new entry
 * One trade: 16 x (10.8 - 11.2) = -6.4; cash 9993.6.
 */
static void test_exit_channel(void **state)
{
    static const char *const bars[][4] = {
        {"10", "10.5", "9.5", "10"},     {"10", "10.5", "9.5", "10"},
        {"10.6", "11.2", "10.6", "11"},  {"11.2", "11.6", "11", "11.4"},
        {"11.5", "11.7", "11.3", "11.5"}, {"11.4", "11.45", "10.9", "10.95"},
        {"10.8", "10.9", "10.6", "10.7"},
    };
    static const char *const kv[] = {"entry=2",        "exit=2",         "atr=1", "stop_atr=5",
                                     "pyramid_atr=1", "max_pyramids=0", "risk=0.01", NULL};
    struct tc_backtest_result res;
    (void)state;
    run(bars, 7, kv, &res);
    assert_int_equal(res.signals, 2); /* entry, exit */
    assert_int_equal(res.accepted, 2);
    assert_int_equal(res.run.n_fills, 2);
    tc_test_bt_assert_fill(&res, 0, D0 + 3, 'B', "16", "11.2");
    tc_test_bt_assert_fill(&res, 1, D0 + 6, 'S', "16", "10.8");
    assert_int_equal(res.run.n_trades, 1);
    tc_test_assert_dec(res.run.trades[0].gross_pnl, "-6.4");
    tc_test_assert_dec(res.run.equity[5].equity, "9996"); /* 10000 + 16 x (10.95 - 11.2) */
    tc_test_assert_dec(res.run.equity[6].cash, "9993.6");
    tc_test_assert_dec(res.metrics.final_cash, "9993.6");
    tc_backtest_result_release(&res);
}

/*
 * entry 2, exit 5, atr 1, stop_atr 1, pyramid_atr 0.5, max_pyramids 2,
 * risk 0.01, cash 10000; a bar's TR is max(H - L, |H - C'|, |L - C'|):
 *   k  O     H     L     C
 *   0  10    10.5  9.5   10
 *   1  10    10.5  9.5   10
 *   2  10.5  11.5  10.5  11.2  > 10.5: BASE_ENTRY; TR 1.5, stop 9.7; size
 *        floor(100 / 1.5) = 66
 *   3  11.3  12.3  11.3  12.2  base fills at 11.3; TR 1.1; 12.2 >= 11.2 +
 *        0.55: PYRAMID 1 (66 more: pyramid_size_fraction 1), stop 11.1,
 *        STOP_UPDATE 9.7 -> 11.1
 *   4  12.3  13.3  12.3  13.2  fills at 12.3; TR 1.1; 13.2 >= 12.2 + 0.55:
 *        PYRAMID 2, STOP_UPDATE 11.1 -> 12.1
 *   5  13.3  14.3  13.3  14.2  fills at 13.3; 14.2 >= 13.2 + 0.55 but the
 *        two pyramids are made: nothing
 *   6  14.3  15.3  14.3  15.2  nothing (so again)
 *   7  15.3  16.3  15.3  16.2  nothing
 *   8  16    16.2  12    12.5  low 12 <= stop 12.1: EXIT
 *   9  12.4  12.6  12.2  12.3  the three layers leave at 12.4
 * Trades: 66 x (12.4 - 11.3) = 72.6, 66 x (12.4 - 12.3) = 6.6,
 * 66 x (12.4 - 13.3) = -59.4; cash 10019.8.
 */
static void test_pyramids_up_to_max(void **state)
{
    static const char *const bars[][4] = {
        {"10", "10.5", "9.5", "10"},      {"10", "10.5", "9.5", "10"},
        {"10.5", "11.5", "10.5", "11.2"}, {"11.3", "12.3", "11.3", "12.2"},
        {"12.3", "13.3", "12.3", "13.2"}, {"13.3", "14.3", "13.3", "14.2"},
        {"14.3", "15.3", "14.3", "15.2"}, {"15.3", "16.3", "15.3", "16.2"},
        {"16", "16.2", "12", "12.5"},     {"12.4", "12.6", "12.2", "12.3"},
    };
    static const char *const kv[] = {"entry=2",          "exit=5",         "atr=1",
                                     "stop_atr=1",       "pyramid_atr=0.5", "max_pyramids=2",
                                     "risk=0.01",        NULL};
    struct tc_backtest_result res;
    (void)state;
    run(bars, 10, kv, &res);
    /* entry, pyramid, stop update, pyramid, stop update, exit: no third
     * pyramid sent (the ledger would refuse it: rejected would be 1) */
    assert_int_equal(res.signals, 6);
    assert_int_equal(res.accepted, 6);
    assert_int_equal(res.rejected, 0);
    assert_int_equal(res.run.n_fills, 6);
    tc_test_bt_assert_fill(&res, 0, D0 + 3, 'B', "66", "11.3");
    tc_test_bt_assert_fill(&res, 1, D0 + 4, 'B', "66", "12.3");
    tc_test_bt_assert_fill(&res, 2, D0 + 5, 'B', "66", "13.3");
    for (size_t k = 3; k < 6; k++)
        tc_test_bt_assert_fill(&res, k, D0 + 9, 'S', "66", "12.4");
    assert_int_equal(res.run.n_trades, 3);
    tc_test_assert_dec(res.run.trades[0].gross_pnl, "72.6");
    tc_test_assert_dec(res.run.trades[1].gross_pnl, "6.6");
    tc_test_assert_dec(res.run.trades[2].gross_pnl, "-59.4");
    /* k 7: 10000 + 66 x ((16.2 - 11.3) + (16.2 - 12.3) + (16.2 - 13.3)) */
    tc_test_assert_dec(res.run.equity[7].equity, "10772.2");
    tc_test_assert_dec(res.run.equity[7].exposure, "3207.6"); /* 198 x 16.2 */
    tc_test_assert_dec(res.metrics.final_cash, "10019.8");
    tc_backtest_result_release(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_channel),
        cmocka_unit_test(test_pyramids_up_to_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
