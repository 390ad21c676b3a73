/* Backtest analytics and reports: every metric on small hand-computed curves
 * and trade lists, the degenerate cases, a table of bad inputs (code, message,
 * output untouched), and the report files: exact CSV bytes, summary.json read
 * back with jansson, byte-identical rewrites, report.html balanced and
 * self-contained, hostile names escaped. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/analytics.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"

#define EPS 1e-12

#define D(text) tc_test_dec(text)

static int64_t day(int y, int m, int d) { return tc_days_from_civil(y, m, d); }

static void assert_near(double got, double want, const char *what)
{
    if (!(fabs(got - want) <= EPS * (1.0 + fabs(want))))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static void assert_dec(struct tc_dec got, const char *want, const char *what)
{
    char b[TC_DEC_STRLEN];
    tc_dec_format(got, b, sizeof b);
    if (strcmp(b, want) != 0)
        fail_msg("%s: got %s, want %s", what, b, want);
}

/* A run of N daily points from FIRST on, each with equity = cash = EQ[i],
 * from an initial cash of 100 and 252 sessions a year, into PTS. */
static struct tc_run_result daily_run(struct tc_equity_point *pts, const char *const *eq,
                                      size_t n, int64_t first)
{
    memset(pts, 0, n * sizeof *pts);
    for (size_t i = 0; i < n; i++) {
        pts[i].day = first + (int64_t)i;
        pts[i].equity = pts[i].cash = D(eq[i]);
    }
    return (struct tc_run_result){.initial_cash = D("100"), .equity = pts, .n_equity = n,
                                  .periods_per_year = 252};
}

/* The metrics of R (the test fails on an error). */
static struct tc_metrics compute(const struct tc_run_result *r)
{
    struct tc_metrics m;
    struct tc_error err = {0};
    tc_assert_ok(tc_analytics_compute(r, &m, &err), &err);
    return m;
}

/* ------------------------------------------------------------------------ */
/* A small run worked by hand.                                               */

/*
 * Initial cash 100; four sessions (2020-01-30, 01-31, 02-03, 02-04) with
 * equity 110, 99, 105, 121 and cash 110, 50, 105, 121; exposure 0, 49, 0, 0.
 * periods_per_year = 4 so that the curve is exactly one "year".
 */
static struct tc_equity_point curve4[4];
static struct tc_run_fill fills2[2];
static struct tc_run_trade trades3[3];

static void build_run(struct tc_run_result *r, double rf)
{
    const char *eq[4] = {"110", "99", "105", "121"};
    const char *cash[4] = {"110", "50", "105", "121"};
    const char *ex[4] = {"0", "49", "0", "0"};
    int64_t days[4] = {day(2020, 1, 30), day(2020, 1, 31), day(2020, 2, 3), day(2020, 2, 4)};
    for (int i = 0; i < 4; i++) {
        curve4[i].day = days[i];
        curve4[i].equity = D(eq[i]);
        curve4[i].cash = D(cash[i]);
        curve4[i].exposure = D(ex[i]);
    }
    memset(fills2, 0, sizeof fills2);
    /* BUY 10 @ 10 (commission 1) and SELL 10 @ 12.1 (commission 1.5) */
    fills2[0] = (struct tc_run_fill){.day = days[0], .instrument_id = "AAA", .side = 'B',
                                     .quantity = D("10"), .price = D("10"), .commission = D("1")};
    fills2[1] = (struct tc_run_fill){.day = days[2], .instrument_id = "AAA", .side = 'S',
                                     .quantity = D("10"), .price = D("12.1"),
                                     .commission = D("1.5")};
    memset(trades3, 0, sizeof trades3);
    /* net +10, -4, +2: wins 2, losses 1, gross profit 12, gross loss 4 */
    trades3[0] = (struct tc_run_trade){.instrument_id = "AAA", .side = 'L', .entry_day = days[0],
                                       .exit_day = days[2], .quantity = D("10"),
                                       .entry_price = D("10"), .exit_price = D("12.1"),
                                       .gross_pnl = D("12.5"), .commission = D("2.5"),
                                       .net_pnl = D("10")};
    trades3[1] = (struct tc_run_trade){.instrument_id = "BBB", .side = 'S', .entry_day = days[1],
                                       .exit_day = days[3], .quantity = D("2"),
                                       .entry_price = D("20"), .exit_price = D("21.5"),
                                       .gross_pnl = D("-3"), .commission = D("1"),
                                       .net_pnl = D("-4")};
    trades3[2] = (struct tc_run_trade){.instrument_id = "CCC", .side = 'L', .entry_day = days[2],
                                       .exit_day = days[3], .quantity = D("1"),
                                       .entry_price = D("5"), .exit_price = D("7.5"),
                                       .gross_pnl = D("2.5"), .commission = D("0.5"),
                                       .net_pnl = D("2")};
    memset(r, 0, sizeof *r);
    r->initial_cash = D("100");
    r->equity = curve4;
    r->n_equity = 4;
    r->fills = fills2;
    r->n_fills = 2;
    r->trades = trades3;
    r->n_trades = 3;
    r->risk_free_rate = rf;
    r->periods_per_year = 4;
}

/* The mean and the sample variance of the hand run's four returns:
 * 110/100-1 = 0.1, 99/110-1 = -0.1, 105/99-1, 121/105-1. */
static void hand_returns(double *mean, double *var)
{
    double r[4] = {0.1, -0.1, 105.0 / 99.0 - 1.0, 121.0 / 105.0 - 1.0};
    *mean = (r[0] + r[1] + r[2] + r[3]) / 4.0;
    *var = ((r[0] - *mean) * (r[0] - *mean) + (r[1] - *mean) * (r[1] - *mean) +
            (r[2] - *mean) * (r[2] - *mean) + (r[3] - *mean) * (r[3] - *mean)) /
           3.0;
}

static void test_metrics_by_hand(void **state)
{
    (void)state;
    struct tc_run_result r;
    build_run(&r, 0.0);
    struct tc_metrics m = compute(&r);

    double mean, var;
    hand_returns(&mean, &var);
    double sd = sqrt(var);
    assert_dec(m.final_value, "121", "final value");
    assert_dec(m.final_cash, "121", "final cash");
    assert_dec(m.net_profit, "21", "net profit");
    assert_near(m.total_return, 0.21, "total return");          /* 121/100 - 1 */
    assert_near(m.cagr, 0.21, "cagr");                          /* 1.21^(4/4) - 1 */
    assert_near(m.volatility, sd * 2.0, "volatility");          /* sqrt(4) = 2 */
    assert_near(m.sharpe, mean / sd * 2.0, "sharpe");
    /* only -0.1 is below rf = 0: sqrt(0.01 / 4) = 0.05 per period, 0.1 a year */
    assert_near(m.downside_deviation, 0.1, "downside deviation");
    assert_near(m.sortino, mean / 0.05 * 2.0, "sortino");
    /* peak 110 (session 1), trough 99: 11/110 = 0.1; back above 110 at session 4 */
    assert_near(m.max_drawdown, 0.1, "max drawdown");
    assert_int_equal(m.max_drawdown_duration, 3);
    assert_near(m.calmar, 2.1, "calmar");                       /* 0.21 / 0.1 */
    assert_int_equal(m.n_trades, 3);
    assert_int_equal(m.n_fills, 2);
    assert_int_equal(m.n_wins, 2);
    assert_int_equal(m.n_losses, 1);
    assert_int_equal(m.n_sessions, 4);
    assert_near(m.win_rate, 2.0 / 3.0, "win rate");
    assert_near(m.profit_factor, 3.0, "profit factor");         /* 12 / 4 */
    assert_dec(m.gross_profit, "12", "gross profit");
    assert_dec(m.gross_loss, "4", "gross loss");
    assert_dec(m.avg_trade, "2.66666667", "avg trade");          /* 8 / 3, half-even */
    assert_dec(m.total_commission, "2.5", "commission");         /* 1 + 1.5 */
    assert_near(m.exposure, 0.25, "exposure");                  /* 1 of 4 sessions */
    /* traded 10*10 + 10*12.1 = 221; mean equity (110+99+105+121)/4 = 108.75 */
    assert_near(m.turnover, 221.0 / 108.75, "turnover");
}

static void test_risk_free_rate(void **state)
{
    (void)state;
    struct tc_run_result r;
    build_run(&r, 0.04); /* 0.01 per period */
    struct tc_metrics m = compute(&r);
    double mean, var;
    hand_returns(&mean, &var);
    assert_near(m.sharpe, (mean - 0.01) / sqrt(var) * 2.0, "sharpe with rf");
    /* excess returns below 0: -0.11 only (the others exceed 0.01) */
    double dd = sqrt(0.11 * 0.11 / 4.0);
    assert_near(m.downside_deviation, dd * 2.0, "downside with rf");
    assert_near(m.sortino, (mean - 0.01) / dd * 2.0, "sortino with rf");
    /* the risk-free rate changes nothing else */
    assert_near(m.volatility, sqrt(var) * 2.0, "volatility with rf");
}

static void test_cagr_periods(void **state)
{
    (void)state;
    /* 8 sessions of a 4-session year = 2 years: 121 -> sqrt(1.21) - 1 = 0.1 */
    static const char *const eq[8] = {"100", "100", "100", "100", "100", "100", "100", "121"};
    struct tc_equity_point pts[8];
    struct tc_run_result r = daily_run(pts, eq, 8, day(2021, 3, 1));
    r.periods_per_year = 4;
    struct tc_metrics m = compute(&r);
    assert_near(m.cagr, 0.1, "cagr over two years");
    assert_near(m.total_return, 0.21, "total return");
    assert_near(m.max_drawdown, 0.0, "no drawdown");
    assert_int_equal(m.max_drawdown_duration, 0);
    assert_near(m.calmar, 0.0, "calmar without drawdown");
}

static void test_single_point(void **state)
{
    (void)state;
    static const char *const eq[1] = {"100"};
    struct tc_equity_point p;
    struct tc_run_result r = daily_run(&p, eq, 1, day(2020, 1, 2));
    struct tc_metrics m = compute(&r);
    assert_near(m.total_return, 0.0, "total");
    assert_near(m.cagr, 0.0, "cagr");
    assert_near(m.volatility, 0.0, "vol");
    assert_near(m.sharpe, 0.0, "sharpe");
    assert_near(m.sortino, 0.0, "sortino");
    assert_near(m.calmar, 0.0, "calmar");
    assert_near(m.win_rate, 0.0, "win rate");
    assert_near(m.profit_factor, 0.0, "profit factor");
    assert_near(m.turnover, 0.0, "turnover");
    assert_near(m.exposure, 0.0, "exposure");
    assert_dec(m.avg_trade, "0", "avg trade");
    assert_int_equal(m.n_trades, 0);
    assert_int_equal(m.n_sessions, 1);
}

static void test_constant_growth(void **state)
{
    (void)state;
    /* +1% every session: the returns are constant, so the volatility is 0 and
     * Sharpe is defined as 0 (null in JSON); no return is below rf = 0, so the
     * downside deviation and Sortino are 0 too */
    static const char *const eq[3] = {"101", "102.01", "103.0301"};
    struct tc_equity_point pts[3];
    struct tc_run_result r = daily_run(pts, eq, 3, day(2020, 1, 2));
    struct tc_metrics m = compute(&r);
    assert_near(m.volatility, 0.0, "vol");
    assert_near(m.sharpe, 0.0, "sharpe");
    assert_near(m.downside_deviation, 0.0, "downside");
    assert_near(m.sortino, 0.0, "sortino");
    assert_near(m.cagr, pow(1.030301, 252.0 / 3.0) - 1.0, "cagr");
    assert_true(isfinite(m.cagr));
}

static void test_drawdown_not_recovered(void **state)
{
    (void)state;
    /* 100 -> 90 -> 95: the peak is the start (index 0), the drawdown 0.1, and
     * it is not recovered: it lasts to the last session, 2 sessions */
    static const char *const eq[2] = {"90", "95"};
    struct tc_equity_point pts[2];
    struct tc_run_result r = daily_run(pts, eq, 2, day(2020, 1, 2));
    struct tc_metrics m = compute(&r);
    assert_near(m.max_drawdown, 0.1, "mdd");
    assert_int_equal(m.max_drawdown_duration, 2);
    assert_true(m.calmar < 0.0);
}

static void test_deepest_drawdown_wins(void **state)
{
    (void)state;
    /* 100 -> 95 (5%) -> 100 (recovered after 2) -> 120 -> 96 (20%) -> 110 -> 121
     * (recovered): the deepest is 20% from the peak 120 at session 3 to session 6 */
    static const char *const eq[6] = {"95", "100", "120", "96", "110", "121"};
    struct tc_equity_point pts[6];
    struct tc_run_result r = daily_run(pts, eq, 6, day(2020, 1, 2));
    struct tc_metrics m = compute(&r);
    assert_near(m.max_drawdown, 0.2, "mdd");
    assert_int_equal(m.max_drawdown_duration, 3);
}

static void test_wiped_out(void **state)
{
    (void)state;
    /* 100 -> 0 -> -5: returns -1 then 0 (previous equity <= 0), cagr -1,
     * drawdown 1.05 (from 100 to -5), everything finite */
    static const char *const eq[2] = {"0", "-5"};
    struct tc_equity_point pts[2];
    struct tc_run_result r = daily_run(pts, eq, 2, day(2020, 1, 2));
    struct tc_metrics m = compute(&r);
    assert_near(m.cagr, -1.0, "cagr");
    assert_near(m.total_return, -1.05, "total");
    assert_near(m.max_drawdown, 1.05, "mdd");
    assert_int_equal(m.max_drawdown_duration, 2);
    /* mean -0.5, sd sqrt(((-0.5)^2 + 0.5^2) / 1) */
    assert_near(m.volatility, sqrt(0.5) * sqrt(252.0), "vol");
    assert_near(m.sharpe, -0.5 / sqrt(0.5) * sqrt(252.0), "sharpe");
    assert_true(isfinite(m.sortino) && isfinite(m.calmar) && isfinite(m.turnover));
}

static void test_trades_degenerate(void **state)
{
    (void)state;
    struct tc_run_result r;
    struct tc_metrics m;
    build_run(&r, 0.0);
    /* only the winner and a zero trade: no loss, profit factor 0 (null) */
    struct tc_run_trade t[2];
    t[0] = trades3[0];
    t[1] = trades3[2];
    t[1].net_pnl = D("0");
    r.trades = t;
    r.n_trades = 2;
    m = compute(&r);
    assert_int_equal(m.n_wins, 1);
    assert_int_equal(m.n_losses, 0);
    assert_near(m.win_rate, 0.5, "win rate");
    assert_near(m.profit_factor, 0.0, "profit factor");
    assert_dec(m.avg_trade, "5", "avg");
    /* no trades at all */
    r.n_trades = 0;
    r.trades = NULL;
    m = compute(&r);
    assert_int_equal(m.n_trades, 0);
    assert_near(m.win_rate, 0.0, "no-trade win rate");
    assert_dec(m.avg_trade, "0", "no-trade avg");
    /* only losses: profit factor 0 / 4 = 0 */
    r.trades = &trades3[1];
    r.n_trades = 1;
    m = compute(&r);
    assert_near(m.profit_factor, 0.0, "all losses");
    assert_dec(m.avg_trade, "-4", "avg loss");
}

/* ------------------------------------------------------------------------ */
/* Bad inputs: code, message, and *OUT untouched.                            */

enum mut {
    M_EMPTY, M_NULL_EQ, M_CASH0, M_CASHNEG, M_PPY0, M_PPYNEG, M_PPYHUGE, M_RFNAN, M_RFINF,
    M_RFBIG, M_DUPDAY, M_BACKDAY, M_NEGEXP, M_FSIDE, M_FQTY0, M_FQTYNEG, M_FPRICE0, M_FCOMM,
    M_FNULL, M_TSIDE, M_TQTY, M_TEXIT, M_TNULL, M_SUMOVF, M_CAGROVF
};

static const struct {
    enum mut m;
    int code;
    const char *msg;
} bad_cases[] = {
    {M_EMPTY, TC_EINVAL, "equity curve: empty"},
    {M_NULL_EQ, TC_EINVAL, "equity curve: empty"},
    {M_CASH0, TC_EINVAL, "initial cash: must be > 0"},
    {M_CASHNEG, TC_EINVAL, "initial cash: must be > 0"},
    {M_PPY0, TC_EINVAL, "periods per year: 0 is not in 1..100000"},
    {M_PPYNEG, TC_EINVAL, "periods per year: -252 is not in"},
    {M_PPYHUGE, TC_EINVAL, "periods per year: 100001 is not in"},
    {M_RFNAN, TC_EINVAL, "risk-free rate: nan is not a finite rate"},
    {M_RFINF, TC_EINVAL, "risk-free rate: inf is not a finite rate"},
    {M_RFBIG, TC_EINVAL, "risk-free rate: 2 is not a finite rate in -1..1"},
    {M_DUPDAY, TC_EINVAL, "point 2 (day 18292) is not after point 1 (day 18292)"},
    {M_BACKDAY, TC_EINVAL, "point 3 (day 18291) is not after point 2"},
    {M_NEGEXP, TC_EINVAL, "point 1 has negative exposure"},
    {M_FSIDE, TC_EINVAL, "fill 1 (\"AAA\"): unknown side 0x58"},
    {M_FQTY0, TC_EINVAL, "fill 0 (\"AAA\"): quantity must be > 0"},
    {M_FQTYNEG, TC_EINVAL, "fill 1 (\"AAA\"): quantity must be > 0"},
    {M_FPRICE0, TC_EINVAL, "fill 0 (\"AAA\"): price must be > 0"},
    {M_FCOMM, TC_EINVAL, "fill 1 (\"AAA\"): negative commission"},
    {M_FNULL, TC_EINVAL, "fills: NULL array with 2 fills"},
    {M_TSIDE, TC_EINVAL, "trade 2 (\"CCC\"): unknown side 0x42"},
    {M_TQTY, TC_EINVAL, "trade 1 (\"BBB\"): quantity must be > 0"},
    {M_TEXIT, TC_EINVAL, "trade 0 (\"AAA\"): exit before entry"},
    {M_TNULL, TC_EINVAL, "trades: NULL array with 3 trades"},
    {M_SUMOVF, TC_ERANGE, "trades: the sum of"},
    {M_CAGROVF, TC_ERANGE, "cagr: the value overflows"},
};

static void test_bad_inputs(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++) {
        struct tc_run_result r;
        struct tc_metrics m, before;
        struct tc_error err = {0};
        build_run(&r, 0.0);
        switch (bad_cases[k].m) {
        case M_EMPTY: r.n_equity = 0; break;
        case M_NULL_EQ: r.equity = NULL; break;
        case M_CASH0: r.initial_cash = D("0"); break;
        case M_CASHNEG: r.initial_cash = D("-100"); break;
        case M_PPY0: r.periods_per_year = 0; break;
        case M_PPYNEG: r.periods_per_year = -252; break;
        case M_PPYHUGE: r.periods_per_year = 100001; break;
        case M_RFNAN: r.risk_free_rate = NAN; break;
        case M_RFINF: r.risk_free_rate = INFINITY; break;
        case M_RFBIG: r.risk_free_rate = 2.0; break;
        case M_DUPDAY: curve4[2].day = curve4[1].day; break;
        case M_BACKDAY: curve4[3].day = day(2020, 1, 30); break;
        case M_NEGEXP: curve4[1].exposure = D("-1"); break;
        case M_FSIDE: fills2[1].side = 'X'; break;
        case M_FQTY0: fills2[0].quantity = D("0"); break;
        case M_FQTYNEG: fills2[1].quantity = D("-10"); break;
        case M_FPRICE0: fills2[0].price = D("0"); break;
        case M_FCOMM: fills2[1].commission = D("-0.01"); break;
        case M_FNULL: r.fills = NULL; break;
        case M_TSIDE: trades3[2].side = 'B'; break;
        case M_TQTY: trades3[1].quantity = D("0"); break;
        case M_TEXIT: trades3[0].exit_day = trades3[0].entry_day - 1; break;
        case M_TNULL: r.trades = NULL; break;
        case M_SUMOVF:
            trades3[0].net_pnl = D("90000000000");
            trades3[2].net_pnl = D("90000000000");
            break;
        case M_CAGROVF:
            /* 0.00000001 -> 121 in 4 sessions of a 100000-session year */
            r.initial_cash = D("0.00000001");
            r.periods_per_year = 100000;
            break;
        }
        memset(&m, 0xA5, sizeof m);
        before = m;
        char label[32];
        snprintf(label, sizeof label, "case %zu", k);
        tc_test_assert_error(label, tc_analytics_compute(&r, &m, &err), bad_cases[k].code, &err,
                             bad_cases[k].msg);
        assert_memory_equal(&m, &before, sizeof m);
    }
    struct tc_error err = {0};
    struct tc_metrics m;
    assert_int_equal(tc_analytics_compute(NULL, &m, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "run result"));
    struct tc_run_result r;
    build_run(&r, 0.0);
    assert_int_equal(tc_analytics_compute(&r, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "metrics"));
}

/* ------------------------------------------------------------------------ */
/* Reports.                                                                  */

static void write_report(const char *dir, const char *title, const char *params,
                         const struct tc_run_result *r)
{
    struct tc_metrics m = compute(r);
    struct tc_error err = {0};
    tc_assert_ok(tc_report_write(dir, title, params, r, &m, &err), &err);
}

static const char *const report_files[] = {"summary.json", "fills.csv", "trades.csv",
                                           "equity.csv", "report.html"};

static void test_report_csv_exact(void **state)
{
    (void)state;
    char dir[512];
    struct tc_run_result r;
    build_run(&r, 0.0);
    assert_int_equal(tc_test_tmpdir("report_csv", dir, sizeof dir), 0);
    write_report(dir, "hand run", "{\"fast\":10,\"slow\":30}", &r);
    tc_test_assert_file_text(dir, "fills.csv",
                             "date,instrument,side,quantity,price,commission\n"
                             "2020-01-30,AAA,BUY,10,10,1\n"
                             "2020-02-03,AAA,SELL,10,12.1,1.5\n");
    tc_test_assert_file_text(dir, "trades.csv",
                             "instrument,side,entry_date,entry_price,exit_date,exit_price,quantity,"
                             "gross,commission,net\n"
                             "AAA,LONG,2020-01-30,10,2020-02-03,12.1,10,12.5,2.5,10\n"
                             "BBB,SHORT,2020-01-31,20,2020-02-04,21.5,2,-3,1,-4\n"
                             "CCC,LONG,2020-02-03,5,2020-02-04,7.5,1,2.5,0.5,2\n");
    tc_test_assert_file_text(dir, "equity.csv",
                             "date,cash,equity\n"
                             "2020-01-30,110,110\n"
                             "2020-01-31,50,99\n"
                             "2020-02-03,105,105\n"
                             "2020-02-04,121,121\n");
    /* no temporary file is left behind */
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s/report.html.tmp", dir);
    assert_false(tc_test_exists(tmp));
}

static void test_report_summary_json(void **state)
{
    (void)state;
    char dir[512];
    struct tc_run_result r;
    build_run(&r, 0.0);
    assert_int_equal(tc_test_tmpdir("report_json", dir, sizeof dir), 0);
    write_report(dir, "hand run", "{\"fast\":10,\"slow\":30,\"name\":\"sma\"}", &r);
    char *text = tc_test_slurp_in(dir, "summary.json", NULL);
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    if (!o)
        fail_msg("summary.json does not parse: %s", je.text);
    static const char *const keys[] = {
        "title", "parameters", "first_day", "last_day", "sessions", "initial_cash",
        "final_value", "final_cash", "net_profit", "n_fills", "n_trades", "total_commission",
        "total_return", "cagr", "volatility", "sharpe", "downside_deviation", "sortino",
        "max_drawdown", "max_drawdown_duration", "calmar", "n_wins", "n_losses", "win_rate",
        "gross_profit", "gross_loss", "profit_factor", "avg_trade", "exposure", "turnover",
        "risk_free_rate", "periods_per_year"};
    /* keys in this fixed order: each appears after the previous one in the text */
    const char *at = text;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char q[64];
        snprintf(q, sizeof q, "\"%s\":", keys[i]);
        const char *p = strstr(at, q);
        if (!p)
            fail_msg("key %s missing or out of order", keys[i]);
        at = p;
        assert_non_null(json_object_get(o, keys[i]));
    }
    assert_int_equal(json_object_size(o), sizeof keys / sizeof keys[0]);
    assert_string_equal(json_string_value(json_object_get(o, "title")), "hand run");
    json_t *p = json_object_get(o, "parameters");
    assert_int_equal(json_integer_value(json_object_get(p, "fast")), 10);
    assert_int_equal(json_integer_value(json_object_get(p, "slow")), 30);
    assert_string_equal(json_string_value(json_object_get(p, "name")), "sma");
    assert_string_equal(json_string_value(json_object_get(o, "final_value")), "121");
    assert_string_equal(json_string_value(json_object_get(o, "final_cash")), "121");
    assert_string_equal(json_string_value(json_object_get(o, "initial_cash")), "100");
    assert_string_equal(json_string_value(json_object_get(o, "total_commission")), "2.5");
    assert_string_equal(json_string_value(json_object_get(o, "avg_trade")), "2.66666667");
    assert_string_equal(json_string_value(json_object_get(o, "first_day")), "2020-01-30");
    assert_string_equal(json_string_value(json_object_get(o, "last_day")), "2020-02-04");
    assert_int_equal(json_integer_value(json_object_get(o, "n_fills")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "n_trades")), 3);
    assert_int_equal(json_integer_value(json_object_get(o, "n_wins")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "max_drawdown_duration")), 3);
    assert_near(json_real_value(json_object_get(o, "profit_factor")), 3.0, "pf");
    assert_near(json_real_value(json_object_get(o, "calmar")), 2.1, "calmar");
    assert_true(json_is_real(json_object_get(o, "sharpe")));
    /* doubles are written with 10 significant digits */
    assert_non_null(strstr(text, "\"total_return\": 0.21,"));
    assert_non_null(strstr(text, "\"win_rate\": 0.6666666667,"));
    json_decref(o);
    free(text);
}

static void test_report_nulls(void **state)
{
    (void)state;
    char dir[512];
    static const char *const eq[1] = {"100"};
    struct tc_equity_point p;
    struct tc_run_result r = daily_run(&p, eq, 1, day(2020, 1, 2));
    assert_int_equal(tc_test_tmpdir("report_nulls", dir, sizeof dir), 0);
    write_report(dir, NULL, NULL, &r);
    char *text = tc_test_slurp_in(dir, "summary.json", NULL);
    assert_null(strstr(text, "nan"));
    assert_null(strstr(text, "inf"));
    json_t *o = json_loads(text, 0, NULL);
    assert_non_null(o);
    static const char *const nulls[] = {"sharpe", "sortino", "calmar", "win_rate",
                                        "profit_factor", "avg_trade"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (!json_is_null(json_object_get(o, nulls[i])))
            fail_msg("%s should be null", nulls[i]);
    assert_true(json_is_object(json_object_get(o, "parameters")));
    assert_int_equal(json_object_size(json_object_get(o, "parameters")), 0);
    assert_string_equal(json_string_value(json_object_get(o, "title")), "backtest");
    json_decref(o);
    free(text);
    tc_test_assert_file_text(dir, "fills.csv", "date,instrument,side,quantity,price,commission\n");
    text = tc_test_slurp_in(dir, "report.html", NULL);
    assert_null(strstr(text, "nan"));
    assert_non_null(strstr(text, "<tr><th>Sharpe</th><td>n/a</td></tr>"));
    assert_non_null(strstr(text, "<polyline"));
    free(text);
}

static void test_report_deterministic(void **state)
{
    (void)state;
    char d1[512], d2[512];
    struct tc_run_result r;
    build_run(&r, 0.02);
    assert_int_equal(tc_test_tmpdir("report_a", d1, sizeof d1), 0);
    assert_int_equal(tc_test_tmpdir("report_b", d2, sizeof d2), 0);
    write_report(d1, "same", "{\"x\":1.5}", &r);
    write_report(d2, "same", "{\"x\":1.5}", &r);
    write_report(d2, "same", "{\"x\":1.5}", &r); /* a rewrite replaces in place */
    for (size_t i = 0; i < sizeof report_files / sizeof report_files[0]; i++) {
        size_t n1, n2;
        char *a = tc_test_slurp_in(d1, report_files[i], &n1);
        char *b = tc_test_slurp_in(d2, report_files[i], &n2);
        if (n1 != n2 || memcmp(a, b, n1) != 0)
            fail_msg("%s differs between two writes", report_files[i]);
        assert_true(n1 > 0);
        free(a);
        free(b);
    }
}

/* A tiny scanner: every <tag> is closed by </tag> in order, "<x …/>" closes
 * itself, <!DOCTYPE> is skipped. Returns the number of elements, or -1. */
static int html_balanced(const char *s, char *why, size_t cap)
{
    char stack[64][32];
    int depth = 0, count = 0;
    for (const char *p = s; (p = strchr(p, '<')) != NULL;) {
        const char *end = strchr(p, '>');
        if (!end) {
            snprintf(why, cap, "unterminated tag");
            return -1;
        }
        if (p[1] == '!') {
            p = end + 1;
            continue;
        }
        int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t len = strcspn(name, " \t\n/>");
        if (len == 0 || len >= 32) {
            snprintf(why, cap, "bad tag name at offset %ld", (long)(p - s));
            return -1;
        }
        if (closing) {
            if (depth == 0 || strncmp(stack[depth - 1], name, len) != 0 ||
                stack[depth - 1][len] != '\0') {
                snprintf(why, cap, "</%.*s> does not close <%s>", (int)len, name,
                         depth ? stack[depth - 1] : "(nothing)");
                return -1;
            }
            depth--;
        } else if (end[-1] != '/') {
            if (depth == 64) {
                snprintf(why, cap, "too deep");
                return -1;
            }
            memcpy(stack[depth], name, len);
            stack[depth++][len] = '\0';
            count++;
        } else {
            count++;
        }
        p = end + 1;
    }
    if (depth != 0) {
        snprintf(why, cap, "<%s> is never closed", stack[depth - 1]);
        return -1;
    }
    return count;
}

static size_t count_of(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static void test_report_html(void **state)
{
    (void)state;
    char dir[512], why[128];
    struct tc_run_result r;
    build_run(&r, 0.0);
    assert_int_equal(tc_test_tmpdir("report_html", dir, sizeof dir), 0);
    write_report(dir, "hand run", NULL, &r);
    char *h = tc_test_slurp_in(dir, "report.html", NULL);
    if (html_balanced(h, why, sizeof why) < 0)
        fail_msg("report.html is not balanced: %s", why);
    assert_int_equal(strncmp(h, "<!DOCTYPE html>", 15), 0);
    assert_int_equal(count_of(h, "<svg"), 2);
    assert_int_equal(count_of(h, "<polyline"), 2);
    assert_non_null(strstr(h, "<style>"));
    assert_null(strstr(h, "http://"));
    assert_null(strstr(h, "https://"));
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "<img"));
    assert_null(strstr(h, "<link"));
    assert_null(strstr(h, "@import"));
    assert_null(strstr(h, "url("));
    /* the equity chart: 4 points from x=90 to x=780, y from 15 (max 121) to
     * 230 (min 99); the first point 110 is at 230 - 215 * 11/22 = 122.50 */
    assert_non_null(strstr(h, "points=\"90.00,122.50 320.00,230.00 550.00,171.36 780.00,15.00\""));
    /* date labels on the x axis and value labels on the y axis */
    assert_non_null(strstr(h, ">2020-01-30</text>"));
    assert_non_null(strstr(h, ">2020-02-04</text>"));
    assert_non_null(strstr(h, ">121.00</text>"));
    assert_non_null(strstr(h, ">99.00</text>"));
    /* drawdown in percent: 0, -10, -4.545…, 0 */
    assert_non_null(strstr(h, ">-10.00%</text>"));
    /* monthly returns: January 110/100... no: last January point is 99:
     * 99/100 - 1 = -1.00%; February 121/99 - 1 = 22.22%; the year 21.00% */
    assert_non_null(strstr(h, "<tr><th>2020</th><td class=\"neg\">-1.00</td>"
                              "<td class=\"pos\">22.22</td><td></td>"));
    assert_non_null(strstr(h, "<td class=\"pos\">21.00</td></tr>"));
    /* metrics and trades */
    assert_non_null(strstr(h, "<tr><th>profit factor</th><td>3.0000</td></tr>"));
    assert_non_null(strstr(h, "<tr><th>total return</th><td>21.00%</td></tr>"));
    assert_non_null(strstr(h, "<td>BBB</td><td>SHORT</td><td>2020-01-31</td>"));
    free(h);
}

static void test_report_monthly_years(void **state)
{
    (void)state;
    /* 2019-12-31 100 -> 2020-01-31 110 -> 2020-02-28 99 -> 2021-01-29 99:
     * 2019: Dec 0.00 (zero class), year 0.00; 2020: Jan 10.00, Feb -10.00,
     * year -1.00; 2021: Jan 0.00, year 0.00 */
    struct tc_equity_point pts[4];
    const char *eq[4] = {"100", "110", "99", "99"};
    int64_t days[4] = {day(2019, 12, 31), day(2020, 1, 31), day(2020, 2, 28), day(2021, 1, 29)};
    memset(pts, 0, sizeof pts);
    for (int i = 0; i < 4; i++) {
        pts[i].day = days[i];
        pts[i].equity = pts[i].cash = D(eq[i]);
    }
    struct tc_run_result r = {.initial_cash = D("100"), .equity = pts, .n_equity = 4,
                              .periods_per_year = 252};
    char dir[512];
    assert_int_equal(tc_test_tmpdir("report_monthly", dir, sizeof dir), 0);
    write_report(dir, "years", NULL, &r);
    char *h = tc_test_slurp_in(dir, "report.html", NULL);
    assert_non_null(strstr(h, "<tr><th>2019</th><td></td><td></td><td></td><td></td><td></td>"
                              "<td></td><td></td><td></td><td></td><td></td><td></td>"
                              "<td class=\"zero\">0.00</td><td class=\"zero\">0.00</td></tr>"));
    assert_non_null(strstr(h, "<tr><th>2020</th><td class=\"pos\">10.00</td>"
                              "<td class=\"neg\">-10.00</td><td></td>"));
    assert_non_null(strstr(h, "<td class=\"neg\">-1.00</td></tr>\n<tr><th>2021</th>"
                              "<td class=\"zero\">0.00</td>"));
    free(h);
}

/* A long run: the chart keeps per pixel column only the first, lowest,
 * highest and last point, so a one-day spike and a one-day trough still
 * reach the top (y 15.00) and the bottom (y 230.00) of the plot, x never goes
 * back, and the line has at most 4 points per column of the 690-pixel plot. */
static void test_report_long_chart(void **state)
{
    (void)state;
    enum { N = 10000 };
    static struct tc_equity_point pts[N];
    char dir[512], num[32];
    memset(pts, 0, sizeof pts);
    for (int i = 0; i < N; i++) {
        int v = 1000 + (i % 7);                 /* a ripple */
        if (i == 4321)
            v = 2000;                           /* the spike */
        if (i == 8765)
            v = 500;                            /* the trough */
        snprintf(num, sizeof num, "%d", v);
        pts[i].day = day(1990, 1, 1) + i;
        pts[i].equity = pts[i].cash = D(num);
    }
    struct tc_run_result r = {.initial_cash = D("1000"), .equity = pts, .n_equity = N,
                              .periods_per_year = 252};
    assert_int_equal(tc_test_tmpdir("report_long", dir, sizeof dir), 0);
    write_report(dir, "long", NULL, &r);
    char *h = tc_test_slurp_in(dir, "report.html", NULL);
    const char *p = strstr(h, "<polyline class=\"line\" points=\"");
    assert_non_null(p);
    p += strlen("<polyline class=\"line\" points=\"");
    const char *end = strchr(p, '"');
    assert_non_null(end);
    size_t npts = 0;
    double lastx = -1, miny = 1e9, maxy = -1;
    int top_at_spike = 0, bottom_at_trough = 0;
    while (p < end) {
        char *q;
        double x = strtod(p, &q);
        assert_true(*q == ',');
        double y = strtod(q + 1, &q);
        assert_true(x >= lastx);
        lastx = x;
        if (y < miny)
            miny = y;
        if (y > maxy)
            maxy = y;
        /* x of index i is 90 + 690 * i / 9999 */
        if (y == 15.0 && fabs(x - (90.0 + 690.0 * 4321 / 9999)) < 0.006)
            top_at_spike = 1;
        if (y == 230.0 && fabs(x - (90.0 + 690.0 * 8765 / 9999)) < 0.006)
            bottom_at_trough = 1;
        npts++;
        p = q;
        while (p < end && *p == ' ')
            p++;
    }
    assert_true(npts > 690);
    assert_true(npts <= 4 * 690);
    assert_true(miny == 15.0 && maxy == 230.0);
    assert_true(top_at_spike);
    assert_true(bottom_at_trough);
    assert_true(lastx == 780.0); /* the last point is the last session */
    free(h);
}

static void test_report_escaping(void **state)
{
    (void)state;
    char dir[512], why[128];
    struct tc_run_result r;
    build_run(&r, 0.0);
    static const char hostile[] = "<script>alert(\"x\")&'</script>";
    snprintf(trades3[1].instrument_id, sizeof trades3[1].instrument_id, "%s", hostile);
    snprintf(fills2[0].instrument_id, sizeof fills2[0].instrument_id, "A,\"B\"");
    assert_int_equal(tc_test_tmpdir("report_esc", dir, sizeof dir), 0);
    write_report(dir, "<b>run</b> & \"co\"", NULL, &r);
    char *h = tc_test_slurp_in(dir, "report.html", NULL);
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "<b>"));
    assert_non_null(strstr(h, "<td>&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;&lt;/script&gt;</td>"));
    assert_non_null(strstr(h, "<title>&lt;b&gt;run&lt;/b&gt; &amp; &quot;co&quot;</title>"));
    if (html_balanced(h, why, sizeof why) < 0)
        fail_msg("report.html is not balanced: %s", why);
    free(h);
    /* CSV fields with a comma or a quote are quoted, quotes doubled */
    char *f = tc_test_slurp_in(dir, "fills.csv", NULL);
    assert_non_null(strstr(f, "\n2020-01-30,\"A,\"\"B\"\"\",BUY,10,10,1\n"));
    free(f);
    char *t = tc_test_slurp_in(dir, "trades.csv", NULL);
    assert_non_null(strstr(t, "\n\"<script>alert(\"\"x\"\")&'</script>\",SHORT,"));
    free(t);
    /* JSON escapes the title itself */
    char *j = tc_test_slurp_in(dir, "summary.json", NULL);
    json_t *o = json_loads(j, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "title")), "<b>run</b> & \"co\"");
    json_decref(o);
    free(j);
}

static void test_report_bad(void **state)
{
    (void)state;
    struct tc_run_result r;
    struct tc_error err = {0};
    char base[512], dir[600];
    build_run(&r, 0.0);
    struct tc_metrics m = compute(&r);
    assert_int_equal(tc_test_tmpdir("report_bad", base, sizeof base), 0);
    snprintf(dir, sizeof dir, "%s/out", base);
    static const struct {
        const char *params;
        const char *title;
        const char *msg;
    } cases[] = {
        {"not json", "t", "report parameters: not JSON"},
        {"", "t", "report parameters: not JSON"},
        {"[1,2]", "t", "report parameters: not a JSON object"},
        {"42", "t", "report parameters: not"},
        {"{\"a\":1,\"a\":2}", "t", "report parameters: not JSON: duplicate object key"},
        {"{\"a\":NaN}", "t", "report parameters: not JSON"},
        {NULL, "bad \xff utf-8", "report title: not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err = (struct tc_error){0};
        char label[32];
        snprintf(label, sizeof label, "case %zu", i);
        int rc = tc_report_write(dir, cases[i].title, cases[i].params, &r, &m, &err);
        tc_test_assert_error(label, rc, TC_EINVAL, &err, cases[i].msg);
        /* nothing was created */
        assert_false(tc_test_exists(dir));
    }
    assert_int_equal(tc_report_write(NULL, "t", NULL, &r, &m, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "report: NULL folder"));
    assert_int_equal(tc_report_write(dir, "t", NULL, NULL, &m, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "report: NULL run"));
    assert_int_equal(tc_report_write(dir, "t", NULL, &r, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "report: NULL metrics"));
    r.n_equity = 0;
    assert_int_equal(tc_report_write(dir, "t", NULL, &r, &m, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "empty equity curve"));
    assert_int_equal(tc_report_write("", "t", NULL, &r, &m, &err), TC_EINVAL);
    assert_false(tc_test_exists(dir));
    /* a folder path through a regular file */
    r.n_equity = 4;
    char file[700], sub[800];
    snprintf(file, sizeof file, "%s/plain", base);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(sub, sizeof sub, "%s/inner", file);
    err = (struct tc_error){0};
    assert_int_equal(tc_report_write(sub, "t", NULL, &r, &m, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "report folder"));
    assert_non_null(strstr(err.msg, "plain/inner"));
}

static void test_report_creates_parents(void **state)
{
    (void)state;
    char base[512], dir[700];
    struct tc_run_result r;
    build_run(&r, 0.0);
    assert_int_equal(tc_test_tmpdir("report_parents", base, sizeof base), 0);
    snprintf(dir, sizeof dir, "%s/a/b/c", base);
    write_report(dir, "deep", NULL, &r);
    for (size_t i = 0; i < sizeof report_files / sizeof report_files[0]; i++) {
        char p[800];
        snprintf(p, sizeof p, "%s/%s", dir, report_files[i]);
        assert_true(tc_test_exists(p));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_by_hand),
        cmocka_unit_test(test_risk_free_rate),
        cmocka_unit_test(test_cagr_periods),
        cmocka_unit_test(test_single_point),
        cmocka_unit_test(test_constant_growth),
        cmocka_unit_test(test_drawdown_not_recovered),
        cmocka_unit_test(test_deepest_drawdown_wins),
        cmocka_unit_test(test_wiped_out),
        cmocka_unit_test(test_trades_degenerate),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_report_csv_exact),
        cmocka_unit_test(test_report_summary_json),
        cmocka_unit_test(test_report_nulls),
        cmocka_unit_test(test_report_deterministic),
        cmocka_unit_test(test_report_html),
        cmocka_unit_test(test_report_monthly_years),
        cmocka_unit_test(test_report_long_chart),
        cmocka_unit_test(test_report_escaping),
        cmocka_unit_test(test_report_bad),
        cmocka_unit_test(test_report_creates_parents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
