/* Analytics sums: each exact sum of the trades (net P&L, wins, losses) and
 * of the fills (commission) that overflows fails with TC_ERANGE naming the
 * sum and the row where it overflowed, the metrics untouched; the turnover
 * is the plain sum of quantity x price in fill order, fills that repeat a
 * quantity or not. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/analytics.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"

#define D(text) tc_test_dec(text)
#define BIG (INT64_MAX / 2 + 1) /* two of them overflow */

static struct tc_equity_point point(void)
{
    return (struct tc_equity_point){.day = tc_days_from_civil(2021, 3, 1), .cash = D("1000"),
                                    .equity = D("1000")};
}

static struct tc_run_trade trade(int64_t net)
{
    return (struct tc_run_trade){.instrument_id = "T", .side = 'L', .entry_day = 1, .exit_day = 2,
                                 .quantity = D("1"), .entry_price = D("1"), .exit_price = D("1"),
                                 .gross_pnl = {net}, .commission = D("0"), .net_pnl = {net}};
}

static void test_trade_sums_overflow(void **state)
{
    (void)state;
    static const struct {
        int64_t net[3];
        const char *msg;
    } cases[] = {
        {{BIG, BIG, 0}, "trades: the sum of net p&l overflows at trade 1"},
        {{-BIG, -BIG - 1, 0}, "trades: the sum of net p&l overflows at trade 1"},
        {{BIG, -BIG, BIG}, "trades: the sum of wins overflows at trade 2"},
        {{-BIG, BIG, -BIG}, "trades: the sum of losses overflows at trade 2"},
    };
    struct tc_equity_point pt = point();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tc_run_trade tr[3];
        for (int i = 0; i < 3; i++)
            tr[i] = trade(cases[c].net[i]);
        struct tc_run_result r = {.initial_cash = D("1000"), .equity = &pt, .n_equity = 1,
                                  .trades = tr, .n_trades = 3, .periods_per_year = 252};
        struct tc_metrics m, before;
        struct tc_error err = {0};
        char label[32];
        memset(&m, 0x5a, sizeof m);
        before = m;
        snprintf(label, sizeof label, "case %zu", c);
        tc_test_assert_error(label, tc_analytics_compute(&r, &m, &err), TC_ERANGE, &err,
                             cases[c].msg);
        assert_memory_equal(&m, &before, sizeof m);
    }
    /* the same sums just below the edge: no error, exact */
    struct tc_run_trade tr[3] = {trade(BIG - 1), trade(-(BIG - 1)), trade(BIG)};
    struct tc_run_result r = {.initial_cash = D("1000"), .equity = &pt, .n_equity = 1,
                              .trades = tr, .n_trades = 3, .periods_per_year = 252};
    struct tc_metrics m;
    struct tc_error err = {0};
    tc_assert_ok(tc_analytics_compute(&r, &m, &err), &err);
    assert_true(m.gross_profit.raw == (BIG - 1) + BIG);
    assert_true(m.gross_loss.raw == BIG - 1);
    assert_int_equal(m.n_wins, 2);
    assert_int_equal(m.n_losses, 1);
}

static void test_commission_overflow(void **state)
{
    (void)state;
    struct tc_equity_point pt = point();
    struct tc_run_fill fl[3];
    for (int i = 0; i < 3; i++)
        fl[i] = (struct tc_run_fill){.day = pt.day, .instrument_id = "F", .side = 'B',
                                     .quantity = D("1"), .price = D("1"),
                                     .commission = {i == 0 ? 5 : BIG}};
    struct tc_run_result r = {.initial_cash = D("1000"), .equity = &pt, .n_equity = 1,
                              .fills = fl, .n_fills = 3, .periods_per_year = 252};
    struct tc_metrics m, before;
    struct tc_error err = {0};
    memset(&m, 0x5a, sizeof m);
    before = m;
    tc_test_assert_error("commission", tc_analytics_compute(&r, &m, &err), TC_ERANGE, &err,
                         "fills: total commission overflows at fill 2");
    assert_memory_equal(&m, &before, sizeof m);
    r.n_fills = 2; /* 5 + BIG fits */
    tc_assert_ok(tc_analytics_compute(&r, &m, &err), &err);
    assert_true(m.total_commission.raw == 5 + BIG);
}

/* Quantities that repeat, change, come back and differ by the last place:
 * the turnover is exactly sum(q x p) in fill order over the mean equity. */
static void test_turnover_exact(void **state)
{
    (void)state;
    enum { N = 500 };
    static struct tc_run_fill fl[N];
    static const int64_t qty[] = {100, 100, 100, 1, 100, 100000001, 100000000, 100000000, 7, 7};
    struct tc_equity_point pts[2] = {point(), point()};
    pts[1].day += 1;
    pts[1].equity = D("1234.5678");
    double traded = 0.0;
    for (int i = 0; i < N; i++) {
        fl[i] = (struct tc_run_fill){.day = pts[0].day, .instrument_id = "Q", .side = 'S',
                                     .quantity = {qty[i % 10] * (i % 30 < 10 ? 1 : 3)},
                                     .price = {1000000007 + (int64_t)i * 99991},
                                     .commission = D("0")};
        traded += tc_dec_to_double(fl[i].quantity) * tc_dec_to_double(fl[i].price);
    }
    struct tc_run_result r = {.initial_cash = D("1000"), .equity = pts, .n_equity = 2,
                              .fills = fl, .n_fills = N, .periods_per_year = 252};
    struct tc_metrics m;
    struct tc_error err = {0};
    tc_assert_ok(tc_analytics_compute(&r, &m, &err), &err);
    const double mean = (tc_dec_to_double(pts[0].equity) + tc_dec_to_double(pts[1].equity)) / 2.0;
    assert_true(m.turnover == traded / mean);
    assert_int_equal(m.n_fills, N);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trade_sums_overflow),
        cmocka_unit_test(test_commission_overflow),
        cmocka_unit_test(test_turnover_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
