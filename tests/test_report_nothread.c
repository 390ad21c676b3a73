/* A report whose worker thread cannot start: the caller writes every file
 * itself, with the same bytes as when the worker helps, and a failure is
 * reported as usual. pthread_create is replaced here (the program's own
 * definition comes before the C library's) so that it can be made to fail. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tc_test.h"
#include "app/report.h"
#include "tradecore/analytics.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"

#define D(text) tc_test_dec(text)

static int fail_threads;  /* 1: pthread_create fails with EAGAIN */
static int thread_calls;  /* pthread_create calls seen */

int pthread_create(pthread_t *restrict tid, const pthread_attr_t *restrict attr,
                   void *(*start)(void *), void *restrict arg)
{
    typedef int (*create_fn)(pthread_t *restrict, const pthread_attr_t *restrict,
                             void *(*)(void *), void *restrict);
    create_fn real;
    void *sym = dlsym(RTLD_NEXT, "pthread_create");
    thread_calls++;
    if (fail_threads || !sym)
        return EAGAIN;
    memcpy(&real, &sym, sizeof real);
    return real(tid, attr, start, arg);
}

static const char *const files[] = {"summary.json", "fills.csv", "trades.csv", "equity.csv",
                                    "report.html"};

/* A run of N sessions with a fill and a trade for every other session. */
static void build_run(struct tc_run_result *r, struct tc_equity_point *pts, struct tc_run_fill *fl,
                      struct tc_run_trade *tr, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pts[i] = (struct tc_equity_point){.day = tc_days_from_civil(2010, 1, 4) + (int64_t)i,
                                          .cash = (struct tc_dec){(int64_t)(1000 + i % 17) * 100000000},
                                          .equity = (struct tc_dec){(int64_t)(1000 + i % 23) * 100000000}};
        fl[i] = (struct tc_run_fill){.day = pts[i].day, .instrument_id = "SYN,1", .side = i % 2 ? 'S' : 'B',
                                     .quantity = D("10"), .price = (struct tc_dec){(int64_t)(50 + i % 9) * 100000000},
                                     .commission = D("0.5")};
        tr[i] = (struct tc_run_trade){.instrument_id = "SYN<1>", .side = 'L', .entry_day = pts[i].day,
                                      .exit_day = pts[i].day + 3, .quantity = D("10"),
                                      .entry_price = D("50"), .exit_price = D("51.25"),
                                      .gross_pnl = D("12.5"), .commission = D("1"),
                                      .net_pnl = D("11.5")};
    }
    *r = (struct tc_run_result){.initial_cash = D("100000"), .equity = pts, .n_equity = n,
                                .fills = fl, .n_fills = n / 2, .trades = tr, .n_trades = n / 2,
                                .periods_per_year = 252};
}

static void test_no_worker(void **state)
{
    (void)state;
    enum { N = 3000 };
    static struct tc_equity_point pts[N];
    static struct tc_run_fill fl[N];
    static struct tc_run_trade tr[N];
    struct tc_run_result r;
    struct tc_metrics m;
    struct tc_error err = {0};
    char base[512], with[600], without[600], blocked[600], want[900], p[700];
    build_run(&r, pts, fl, tr, N);
    tc_assert_ok(tc_analytics_compute(&r, &m, &err), &err);
    assert_int_equal(tc_test_tmpdir("report_nothread", base, sizeof base), 0);
    snprintf(with, sizeof with, "%s/with", base);
    snprintf(without, sizeof without, "%s/without", base);
    snprintf(blocked, sizeof blocked, "%s/blocked", base);

    thread_calls = 0;
    tc_assert_ok(tc_report_write(with, "t", NULL, &r, &m, &err), &err);
    assert_int_equal(thread_calls, 1); /* the worker started */

    fail_threads = 1;
    thread_calls = 0;
    tc_assert_ok(tc_report_write(without, "t", NULL, &r, &m, &err), &err);
    assert_int_equal(thread_calls, 1); /* tried, refused: the caller wrote them all */
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
        tc_test_assert_same_file(with, without, files[k]);

    /* a failure without the worker: trades.csv cannot be written (to
     * /dev/full, tc__report_full); nothing is replaced, no .tmp is left */
    assert_int_equal(mkdir(blocked, 0777), 0);
    snprintf(p, sizeof p, "%s/trades.csv.tmp", blocked);
    err = (struct tc_error){0};
    tc__report_full = "trades.csv";
    assert_int_equal(tc_report_write(blocked, "t", NULL, &r, &m, &err), TC_EIO);
    tc__report_full = NULL;
    snprintf(want, sizeof want, "report file \"%s/trades.csv.tmp\": write error", blocked);
    assert_string_equal(err.msg, want);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        snprintf(p, sizeof p, "%s/%s.tmp", blocked, files[k]);
        assert_false(tc_test_exists(p));
        snprintf(p, sizeof p, "%s/%s", blocked, files[k]);
        assert_false(tc_test_exists(p)); /* summary and fills, written first, not renamed */
    }
    fail_threads = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_worker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
