/* The TimeMachine: visibility exactly at the session close (XNYS with early
 * closes and DST, and without a calendar), views that never include a future
 * bar, a peeking strategy refused on every attempt while an honest one makes
 * the same decisions with or without future bars, adjusted prices as of t,
 * time that only moves forward, calendar reads, the audit log, unknown
 * instruments and bad corporate actions. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/indicators.h"
#include "tradecore/ingest.h"
#include "tradecore/timemachine.h"

#define day_of(text) tc_test_date(text)
#define utc(text) tc_test_utc(text)
#define xnys() tc_test_calendar("XNYS")
#define expect_msg(err, want) tc_test_assert_msg(err, want)

#define dec(text) tc_test_dec(text)

/* Appends a bar on DAY closing at CLOSE (open = close, high/low around it). */
static void put(struct tc_bar_series *s, int64_t day, int64_t close_raw)
{
    struct tc_error err = {0};
    struct tc_bar b = {0};
    b.day = day;
    b.close = b.open = b.adj_close = tc_dec_from_raw(close_raw);
    b.high = tc_dec_from_raw(close_raw + TC_DEC_ONE / 2);
    b.low = tc_dec_from_raw(close_raw - TC_DEC_ONE / 2);
    b.volume = 1000 + day % 100;
    tc_assert_ok(tc_bar_series_append(s, &b, &err), &err);
}

/* A series of XNYS sessions in [FROM, TO] with closes 100, 101, … */
static int64_t *sessions(const char *from, const char *to, size_t *n)
{
    struct tc_error err = {0};
    int64_t *days = NULL;
    tc_assert_ok(tc_calendar_sessions_alloc(xnys(), day_of(from), day_of(to), &days, n, &err),
                 &err);
    return days;
}

static struct tc_tm *tm_new(const struct tc_calendar *cal)
{
    struct tc_error err = {0};
    struct tc_tm *tm = NULL;
    tc_assert_ok(tc_tm_new(cal, &tm, &err), &err);
    return tm;
}

/* A TimeMachine on CAL holding S, its handle in *IX (caller frees both). */
static struct tc_tm *tm_with(const struct tc_calendar *cal, const struct tc_bar_series *s,
                             size_t *ix)
{
    struct tc_error err = {0};
    struct tc_tm *tm = tm_new(cal);
    tc_assert_ok(tc_tm_add_series(tm, s, ix, &err), &err);
    return tm;
}

/* Series NAME of one bar on each of the N dates DAYS, closing at FIRST, FIRST
 * + 1, … whole units (caller releases it). */
static void series_of(struct tc_bar_series *s, const char *name, const char *const *days,
                      size_t n, int64_t first)
{
    tc_bar_series_init(s, name);
    for (size_t i = 0; i < n; i++)
        put(s, day_of(days[i]), (first + (int64_t)i) * TC_DEC_ONE);
}

static void set_time(struct tc_tm *tm, int64_t t)
{
    struct tc_error err = {0};
    tc_assert_ok(tc_tm_set_time(tm, t, &err), &err);
}

/* ---- visibility -------------------------------------------------------- */

static void test_visibility_xnys(void **state)
{
    /* Each session's close in UTC, written out by hand: 16:00 New York is
     * 21:00Z in winter (EST) and 20:00Z in summer (EDT); early closes at
     * 13:00 local. */
    static const struct {
        const char *day, *close, *what;
    } cases[] = {
        {"2014-01-15", "2014-01-15T21:00:00Z", "winter, EST"},
        {"2014-06-03", "2014-06-03T20:00:00Z", "summer, EDT"},
        {"2014-03-07", "2014-03-07T21:00:00Z", "Friday before DST starts"},
        {"2014-03-10", "2014-03-10T20:00:00Z", "Monday after DST starts"},
        {"2014-10-31", "2014-10-31T20:00:00Z", "Friday before DST ends"},
        {"2014-11-03", "2014-11-03T21:00:00Z", "Monday after DST ends"},
        {"2014-07-03", "2014-07-03T17:00:00Z", "early close before Independence Day"},
        {"2014-11-28", "2014-11-28T18:00:00Z", "early close after Thanksgiving"},
        {"2014-12-24", "2014-12-24T18:00:00Z", "early close on Christmas Eve"},
    };
    size_t n;
    int64_t *days = sessions("2014-01-02", "2014-12-31", &n);
    struct tc_bar_series s;
    tc_bar_series_init(&s, "ORCL");
    for (size_t i = 0; i < n; i++)
        put(&s, days[i], (100 + (int64_t)i) * TC_DEC_ONE);
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tc_error err = {0};
        struct tc_bar bar, before;
        size_t ix;
        int64_t d = day_of(cases[c].day), close = utc(cases[c].close);
        struct tc_tm *tm = tm_new(xnys());
        tc_assert_ok(tc_tm_add_series(tm, &s, &ix, &err), &err);
        long k = tc_bar_series_find(&s, d);
        assert_true(k > 0 && s.day[k] == d);

        /* One µs before the close: the bar is not there, the one before is. */
        set_time(tm, close - 1);
        memset(&bar, 0x5a, sizeof bar);
        before = bar;
        assert_int_equal(tc_tm_bar_on(tm, ix, d, &bar, &err), TC_ELOOKAHEAD);
        char want[160], ts[TC_TIME_STRLEN];
        tc_time_format(close - 1, ts, sizeof ts);
        snprintf(want, sizeof want, "ORCL: bar of %s requested at %s (not yet closed)",
                 cases[c].day, ts);
        if (strcmp(err.msg, want) != 0)
            fail_msg("%s: \"%s\" != \"%s\"", cases[c].what, err.msg, want);
        assert_memory_equal(&bar, &before, sizeof bar);
        tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
        if (bar.day != s.day[k - 1])
            fail_msg("%s: latest before the close is not the previous session", cases[c].what);
        struct tc_dec_view v;
        tc_assert_ok(tc_tm_last_closes(tm, ix, (size_t)k, &v, &err), &err);
        assert_ptr_equal(v.v, s.close);
        assert_int_equal(tc_tm_last_closes(tm, ix, (size_t)k + 1, &v, &err), TC_ERANGE);

        /* At the close: visible. */
        set_time(tm, close);
        tc_assert_ok(tc_tm_bar_on(tm, ix, d, &bar, &err), &err);
        assert_int_equal(bar.close.raw, s.close[k].raw);
        tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
        if (bar.day != d)
            fail_msg("%s: latest at the close is not the session", cases[c].what);
        tc_assert_ok(tc_tm_last_closes(tm, ix, (size_t)k + 1, &v, &err), &err);
        assert_ptr_equal(v.v, s.close);
        assert_int_equal(v.n, (size_t)k + 1);
        int64_t cur;
        tc_assert_ok(tc_tm_session(tm, &cur, &err), &err);
        assert_int_equal(cur, d);
        tc_tm_free(tm);
    }
    tc_bar_series_release(&s);
    free(days);
}

static void test_message_example(void **state)
{
    struct tc_error err = {0};
    struct tc_bar_series s;
    struct tc_bar bar;
    size_t ix;
    (void)state;
    static const char *const days[] = {"2014-06-02", "2014-06-03"};
    series_of(&s, "ORCL", days, 2, 40);
    struct tc_tm *tm = tm_with(xnys(), &s, &ix);
    set_time(tm, utc("2014-06-02T20:00:00Z"));
    assert_int_equal(tc_tm_bar_on(tm, ix, day_of("2014-06-03"), &bar, &err), TC_ELOOKAHEAD);
    assert_string_equal(err.msg,
                        "ORCL: bar of 2014-06-03 requested at 2014-06-02T20:00:00Z (not yet closed)");
    /* The same answer for a date with no bar at all: errors never reveal the future. */
    assert_int_equal(tc_tm_bar_on(tm, ix, day_of("2014-06-05"), &bar, &err), TC_ELOOKAHEAD);
    assert_string_equal(err.msg,
                        "ORCL: bar of 2014-06-05 requested at 2014-06-02T20:00:00Z (not yet closed)");
    struct tc_bar_view v;
    assert_int_equal(tc_tm_range(tm, ix, day_of("2014-06-01"), day_of("2014-06-03"), &v, &err),
                     TC_ELOOKAHEAD);
    assert_string_equal(err.msg, "ORCL: bars of 2014-06-01..2014-06-03 requested at "
                                 "2014-06-02T20:00:00Z (2014-06-03 not yet closed)");
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

static void test_visibility_no_calendar(void **state)
{
    /* Without a calendar the bar of day d appears at (d + 1) 00:00:00Z. */
    static const struct {
        const char *t;
        const char *latest; /* NULL: none visible */
        int on_0603;        /* result of bar_on(2014-06-03) */
    } cases[] = {
        {"2014-06-02T23:59:59.999999Z", NULL, TC_ELOOKAHEAD},
        {"2014-06-03T00:00:00Z", "2014-06-02", TC_ELOOKAHEAD},
        {"2014-06-03T20:00:00Z", "2014-06-02", TC_ELOOKAHEAD},
        {"2014-06-03T23:59:59.999999Z", "2014-06-02", TC_ELOOKAHEAD},
        {"2014-06-04T00:00:00Z", "2014-06-03", 0},
        {"2014-06-09T12:00:00Z", "2014-06-07", 0},
    };
    struct tc_error err = {0};
    struct tc_bar_series s;
    size_t ix;
    (void)state;
    /* 2014-06-07 is a Saturday: without a calendar any day is a day */
    static const char *const days[] = {"2014-06-02", "2014-06-03", "2014-06-07"};
    series_of(&s, "YHOO", days, 3, 30);
    struct tc_tm *tm = tm_with(NULL, &s, &ix);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tc_bar bar;
        set_time(tm, utc(cases[c].t));
        int rc = tc_tm_latest(tm, ix, &bar, &err);
        if (!cases[c].latest) {
            assert_int_equal(rc, TC_ENOTFOUND);
            expect_msg(&err, "YHOO: no bar has closed at 2014-06-02T23:59:59.999999Z");
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(bar.day, day_of(cases[c].latest));
        }
        assert_int_equal(tc_tm_bar_on(tm, ix, day_of("2014-06-03"), &bar, &err), cases[c].on_0603);
    }
    /* No calendar: the next session is unknown. */
    int64_t d;
    assert_int_equal(tc_tm_next_session(tm, &d, NULL, NULL, &err), TC_ENOTFOUND);
    expect_msg(&err, "no calendar");
    tc_assert_ok(tc_tm_session(tm, &d, &err), &err);
    assert_int_equal(d, day_of("2014-06-08"));
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

static void test_non_session_bar_with_calendar(void **state)
{
    /* Bad data: a bar on Saturday 2014-06-07 shows at Monday's close, never before. */
    struct tc_error err = {0};
    struct tc_bar_series s;
    struct tc_bar bar;
    size_t ix;
    (void)state;
    static const char *const days[] = {"2014-06-06", "2014-06-07"};
    series_of(&s, "NVDA", days, 2, 20);
    struct tc_tm *tm = tm_with(xnys(), &s, &ix);
    set_time(tm, utc("2014-06-08T12:00:00Z"));
    tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    assert_int_equal(bar.day, day_of("2014-06-06"));
    set_time(tm, utc("2014-06-09T19:59:59.999999Z"));
    tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    assert_int_equal(bar.day, day_of("2014-06-06"));
    set_time(tm, utc("2014-06-09T20:00:00Z"));
    tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    assert_int_equal(bar.day, day_of("2014-06-07"));
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

/* ---- views --------------------------------------------------------------- */

static void test_views_never_future(void **state)
{
    struct tc_error err = {0};
    struct tc_bar_series s;
    struct tc_rng rng;
    size_t ix;
    int64_t start = day_of("2010-01-01");
    (void)state;
    tc_rng_seed(&rng, 7);
    tc_bar_series_init(&s, "ORCL");
    for (int64_t d = start, i = 0; i < 300; i++) {
        d += 1 + (int64_t)tc_rng_below(&rng, 3); /* gaps of 0..2 days */
        put(&s, d, (50 + i) * TC_DEC_ONE);
    }
    struct tc_tm *tm = tm_with(NULL, &s, &ix);
    int64_t t = start * INT64_C(86400000000);
    for (int step = 0; step < 400; step++) {
        t += (int64_t)tc_rng_below(&rng, INT64_C(86400000000) * 2);
        set_time(tm, t);
        int64_t closed;
        tc_assert_ok(tc_tm_session(tm, &closed, &err), &err);
        assert_int_equal(closed, t / INT64_C(86400000000) - 1);
        size_t vis = 0;
        while (vis < s.n && s.day[vis] <= closed)
            vis++;
        for (size_t n = 1; n <= vis; n += 1 + n / 3) {
            struct tc_dec_view cv;
            struct tc_bar_view bv;
            tc_assert_ok(tc_tm_last_closes(tm, ix, n, &cv, &err), &err);
            tc_assert_ok(tc_tm_last_bars(tm, ix, n, &bv, &err), &err);
            /* A view into the series itself, ending at the last visible bar. */
            assert_ptr_equal(cv.v, s.close + vis - n);
            assert_int_equal(cv.n, n);
            assert_ptr_equal(bv.day, s.day + vis - n);
            assert_ptr_equal(bv.volume, s.volume + vis - n);
            assert_true(bv.day[n - 1] <= closed);
        }
        struct tc_dec_view cv = {NULL, 0};
        assert_int_equal(tc_tm_last_closes(tm, ix, vis + 1, &cv, &err), TC_ERANGE);
        char want[96];
        snprintf(want, sizeof want, "ORCL: last %zu bars requested at ", vis + 1);
        expect_msg(&err, want);
        snprintf(want, sizeof want, "but only %zu have closed", vis);
        expect_msg(&err, want);
        assert_null(cv.v);
        /* Ranges: up to the closed date fine, one day more refused. */
        struct tc_bar_view rv;
        tc_assert_ok(tc_tm_range(tm, ix, start, closed, &rv, &err), &err);
        assert_int_equal(rv.n, vis);
        assert_int_equal(tc_tm_range(tm, ix, start, closed + 1, &rv, &err), TC_ELOOKAHEAD);
        assert_int_equal(tc_tm_range(tm, ix, closed + 1, closed + 1, &rv, &err), TC_ELOOKAHEAD);
        if (vis > 0) {
            tc_assert_ok(tc_tm_range(tm, ix, s.day[vis - 1], s.day[vis - 1], &rv, &err), &err);
            assert_int_equal(rv.n, 1);
            assert_ptr_equal(rv.close, s.close + vis - 1);
        }
        if (t > (start + 400) * INT64_C(86400000000))
            break;
    }
    /* Bad range and count arguments. */
    struct tc_bar_view rv;
    struct tc_dec_view cv;
    assert_int_equal(tc_tm_range(tm, ix, start + 5, start + 4, &rv, &err), TC_EINVAL);
    expect_msg(&err, "ORCL: range 2010-01-06..2010-01-05 ends before it starts");
    assert_int_equal(tc_tm_last_closes(tm, ix, 0, &cv, &err), TC_EINVAL);
    expect_msg(&err, "ORCL: 0 bars requested");
    assert_int_equal(tc_tm_last_bars(tm, ix, SIZE_MAX, &rv, &err), TC_ERANGE);
    expect_msg(&err, "ORCL: last 18446744073709551615 bars requested");
    /* A range in a gap is empty, not an error. */
    int64_t gap = 0;
    for (size_t i = 1; i < s.n && !gap; i++)
        if (s.day[i] - s.day[i - 1] > 1)
            gap = s.day[i - 1] + 1;
    assert_true(gap != 0);
    tc_assert_ok(tc_tm_range(tm, ix, gap, gap, &rv, &err), &err);
    assert_int_equal(rv.n, 0);
    struct tc_bar bar;
    assert_int_equal(tc_tm_bar_on(tm, ix, gap, &bar, &err), TC_ENOTFOUND);
    char want[64], gs[TC_DATE_STRLEN];
    tc_date_format(gap, gs);
    snprintf(want, sizeof want, "ORCL: no bar on %s", gs);
    expect_msg(&err, want);
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

/* ---- strategies ------------------------------------------------------ */

struct run_result {
    int decisions[600];    /* per session: +1 buy, -1 sell, 0 nothing */
    size_t sessions;
    size_t peeks, refused;
    char last_refusal[TC_ERROR_MSG_MAX];
    struct tc_tm_read reads[4000];
    size_t nreads;
};

/*
 * Runs two strategies over sessions [0, END) of DAYS on series S:
 *   - a peeking one that wants tomorrow's close (it would buy whenever the
 *     next close is higher): it asks for the bar of the next session, and for
 *     one bar more than is visible;
 *   - an honest SMA(5)/SMA(20) crossover on the last 20 closes.
 */
static void run_strategies(const struct tc_bar_series *s, const int64_t *days, size_t end,
                           struct run_result *r)
{
    struct tc_error err = {0};
    struct tc_tm *tm = tm_new(xnys());
    struct tc_ind_cross cross;
    size_t ix;
    memset(r, 0, sizeof *r);
    tc_ind_cross_init(&cross);
    tc_assert_ok(tc_tm_add_series(tm, s, &ix, &err), &err);
    tc_tm_audit_memory(tm, 1);
    for (size_t i = 0; i < end; i++) {
        int64_t close_us, next;
        tc_assert_ok(tc_calendar_session_times(xnys(), days[i], NULL, &close_us, &err), &err);
        set_time(tm, close_us);
        r->sessions++;

        /* The peeker: the next session is public, its bar is not. */
        struct tc_bar bar;
        tc_assert_ok(tc_tm_next_session(tm, &next, NULL, NULL, &err), &err);
        r->peeks++;
        int rc = tc_tm_bar_on(tm, ix, next, &bar, &err);
        if (rc == TC_ELOOKAHEAD)
            r->refused++;
        else if (rc == 0 && bar.close.raw > s->close[i].raw)
            r->decisions[i] = 99; /* would have bought on knowledge of the future */
        memcpy(r->last_refusal, err.msg, sizeof err.msg);
        struct tc_bar_view bv;
        r->peeks++;
        if (tc_tm_range(tm, ix, days[i], next, &bv, &err) == TC_ELOOKAHEAD)
            r->refused++;
        struct tc_dec_view cv;
        r->peeks++;
        if (tc_tm_last_closes(tm, ix, i + 2, &cv, &err) == TC_ERANGE)
            r->refused++;

        /* The honest one. */
        if (tc_tm_last_closes(tm, ix, 20, &cv, &err) != 0)
            continue;
        struct tc_ind_value fast = {TC_DEC_ZERO, 1}, slow = {TC_DEC_ZERO, 1};
        tc_assert_ok(tc_ind_sma_last(cv, 5, &fast.value, &err), &err);
        tc_assert_ok(tc_ind_sma_last(cv, 20, &slow.value, &err), &err);
        if (r->decisions[i] == 0)
            r->decisions[i] = tc_ind_cross_push(&cross, fast, slow);
    }
    const struct tc_tm_read *rec = tc_tm_audit_records(tm, &r->nreads);
    assert_true(r->nreads <= sizeof r->reads / sizeof r->reads[0]);
    memcpy(r->reads, rec, r->nreads * sizeof *rec);
    tc_tm_free(tm);
}

static void test_peeking_strategy(void **state)
{
    static struct run_result a, b, c;
    struct tc_rng rng;
    size_t n;
    int64_t *days = sessions("2012-01-03", "2014-06-30", &n);
    const size_t end = 450;
    struct tc_bar_series shorter, longer, other;
    (void)state;
    assert_true(n > end + 100);
    tc_rng_seed(&rng, 42);
    tc_bar_series_init(&shorter, "ORCL");
    tc_bar_series_init(&longer, "ORCL");
    tc_bar_series_init(&other, "ORCL");
    int64_t p = 3000 * (TC_DEC_ONE / 100);
    for (size_t i = 0; i < n; i++) {
        p += (int64_t)tc_rng_below(&rng, 200000001) - 100000000;
        if (p < 5 * TC_DEC_ONE)
            p = 5 * TC_DEC_ONE;
        if (i < end)
            put(&shorter, days[i], p);
        put(&longer, days[i], p);
        /* the same past, a different future */
        put(&other, days[i], i < end ? p : 7 * TC_DEC_ONE + (int64_t)i);
    }
    run_strategies(&shorter, days, end, &a);
    run_strategies(&longer, days, end, &b);
    run_strategies(&other, days, end, &c);

    /* Every peek was refused, in every run. */
    assert_int_equal(a.peeks, 3 * end);
    assert_int_equal(a.refused, a.peeks);
    assert_int_equal(b.refused, b.peeks);
    assert_int_equal(c.refused, c.peeks);
    for (size_t i = 0; i < end; i++)
        assert_true(a.decisions[i] != 99 && b.decisions[i] != 99);
    /* The same decisions, the same refusals, the same reads, whatever the future holds. */
    assert_memory_equal(a.decisions, b.decisions, sizeof a.decisions);
    assert_memory_equal(a.decisions, c.decisions, sizeof a.decisions);
    assert_string_equal(a.last_refusal, b.last_refusal);
    assert_string_equal(a.last_refusal, c.last_refusal);
    assert_int_equal(a.nreads, b.nreads);
    assert_int_equal(a.nreads, c.nreads);
    /* field by field: the records' padding bytes are not part of them */
    for (size_t i = 0; i < a.nreads; i++) {
        const struct tc_tm_read *x = &a.reads[i], *y = &b.reads[i], *z = &c.reads[i];
        assert_true(x->kind == y->kind && x->ix == y->ix && x->n == y->n && x->from == y->from &&
                    x->to == y->to && x->as_of_us == y->as_of_us && x->rc == y->rc);
        assert_true(x->kind == z->kind && x->ix == z->ix && x->n == z->n && x->from == z->from &&
                    x->to == z->to && x->as_of_us == z->as_of_us && x->rc == z->rc);
    }
    /* The honest strategy did trade. */
    size_t trades = 0;
    for (size_t i = 0; i < end; i++)
        trades += a.decisions[i] != 0;
    assert_true(trades >= 4);
    tc_bar_series_release(&shorter);
    tc_bar_series_release(&longer);
    tc_bar_series_release(&other);
    free(days);
}

/* ---- adjusted prices ------------------------------------------------------ */

static void adj_read(struct tc_tm *tm, size_t ix, size_t n, struct tc_dec *out)
{
    struct tc_error err = {0};
    tc_assert_ok(tc_tm_adj_closes(tm, ix, n, out, &err), &err);
}

static void expect_adj(struct tc_tm *tm, size_t ix, const char *const *want, size_t n)
{
    struct tc_dec got[16];
    char text[TC_DEC_STRLEN];
    adj_read(tm, ix, n, got);
    for (size_t i = 0; i < n; i++) {
        if (got[i].raw != dec(want[i]).raw) {
            tc_dec_format(got[i], text, sizeof text);
            fail_msg("adjusted close %zu: %s, expected %s", i, text, want[i]);
        }
    }
}

static void test_adjusted_as_of(void **state)
{
    /* Ten days without a calendar (d0 = 2015-03-02): a 2-for-1 split on d5
     * and a dividend of 2 on d7 (previous close 54, factor 52/54). */
    static const int64_t raw[10] = {100, 102, 104, 106, 108, 55, 54, 56, 58, 60};
    static const char *none[] = {"100", "102", "104", "106", "108", "55", "54"};
    static const char *split[] = {"50", "51", "52", "53", "54", "55", "54"};
    /* exact: close * 1/2 * 26/27 for d0..d4, close * 26/27 for d5, d6 */
    static const char *both[] = {"48.14814815", "49.11111111", "50.07407407", "51.03703704",
                                 "52", "52.96296296", "52", "56", "58"};
    struct tc_error err = {0};
    struct tc_bar_series s;
    struct tc_dec before[16], after[16];
    size_t ix;
    int64_t d0 = day_of("2015-03-02");
    (void)state;
    tc_bar_series_init(&s, "YHOO");
    for (int i = 0; i < 10; i++)
        put(&s, d0 + i, raw[i] * TC_DEC_ONE);
    struct tc_tm *tm = tm_new(NULL);
    tc_assert_ok(tc_tm_adopt_series(tm, &s, &ix, &err), &err);
    assert_int_equal(s.n, 0); /* moved into the TimeMachine */
    assert_string_equal(s.instrument_id, "YHOO");
    const struct tc_corp_action split2 = {d0 + 5, TC_CA_SPLIT, dec("2"), TC_DEC_ZERO};
    const struct tc_corp_action div2 = {d0 + 7, TC_CA_DIVIDEND, TC_DEC_ZERO, dec("2")};
    const struct tc_corp_action late = {d0 + 9, TC_CA_SPLIT, dec("0.5"), TC_DEC_ZERO};
    const int64_t DAY = INT64_C(86400000000);

    /* As of d4: nothing effective. Adding the d5 split changes nothing yet. */
    set_time(tm, (d0 + 5) * DAY);
    adj_read(tm, ix, 5, before);
    tc_assert_ok(tc_tm_add_action(tm, ix, &split2, &err), &err);
    adj_read(tm, ix, 5, after);
    assert_memory_equal(before, after, 5 * sizeof before[0]);
    expect_adj(tm, ix, none, 5);
    /* One µs before d5 closes: still nothing. */
    set_time(tm, (d0 + 6) * DAY - 1);
    expect_adj(tm, ix, none, 5);
    /* At d5's close the split applies to d0..d4. */
    set_time(tm, (d0 + 6) * DAY);
    expect_adj(tm, ix, split, 6);
    /* As of d6: add the d7 dividend and the d9 split: nothing moves. */
    set_time(tm, (d0 + 7) * DAY);
    adj_read(tm, ix, 7, before);
    tc_assert_ok(tc_tm_add_action(tm, ix, &div2, &err), &err);
    tc_assert_ok(tc_tm_add_action(tm, ix, &late, &err), &err);
    adj_read(tm, ix, 7, after);
    assert_memory_equal(before, after, 7 * sizeof before[0]);
    expect_adj(tm, ix, split, 7);
    /* After d7 and d8: the dividend too; d9's split is still ahead. */
    set_time(tm, (d0 + 9) * DAY);
    expect_adj(tm, ix, both, 9);
    struct tc_bar bar;
    tc_assert_ok(tc_tm_adj_bar_on(tm, ix, d0 + 3, &bar, &err), &err);
    /* 106 +- 0.5 for high and low: 106.5 * 13/27 = 51.27777777…, 105.5 * 13/27 = 50.7962962… */
    assert_int_equal(bar.close.raw, dec("51.03703704").raw);
    assert_int_equal(bar.open.raw, dec("51.03703704").raw);
    assert_int_equal(bar.high.raw, dec("51.27777778").raw);
    assert_int_equal(bar.low.raw, dec("50.7962963").raw);
    assert_int_equal(bar.volume, 1000 + (d0 + 3) % 100);
    tc_assert_ok(tc_tm_bar_on(tm, ix, d0 + 3, &bar, &err), &err);
    assert_int_equal(bar.close.raw, 106 * TC_DEC_ONE); /* raw bars never change */
    /* d9's reverse split (0.5: one new for two old) doubles everything before d9. */
    set_time(tm, (d0 + 10) * DAY);
    struct tc_dec got[10];
    adj_read(tm, ix, 10, got);
    assert_int_equal(got[0].raw, dec("96.2962963").raw); /* 100 * 26/27 */
    assert_int_equal(got[8].raw, 116 * TC_DEC_ONE);
    assert_int_equal(got[9].raw, 60 * TC_DEC_ONE);
    /* A look-ahead request for an adjusted bar is refused like a raw one. */
    assert_int_equal(tc_tm_adj_bar_on(tm, ix, d0 + 10, &bar, &err), TC_ELOOKAHEAD);
    expect_msg(&err, "YHOO: bar of 2015-03-12 requested at 2015-03-12T00:00:00Z");
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

static void test_bad_actions(void **state)
{
    struct tc_error err = {0};
    struct tc_bar_series s;
    size_t ix;
    int64_t d0 = day_of("2015-03-02");
    const int64_t DAY = INT64_C(86400000000);
    (void)state;
    tc_bar_series_init(&s, "NVDA");
    for (int i = 0; i < 5; i++)
        put(&s, d0 + i, (10 + i) * TC_DEC_ONE);
    struct tc_tm *tm = tm_with(NULL, &s, &ix);
    tc_assert_ok(tc_tm_add_action(tm, ix,
                                  &(struct tc_corp_action){d0 + 2, TC_CA_SPLIT, dec("3"),
                                                           TC_DEC_ZERO},
                                  &err),
                 &err);
    set_time(tm, (d0 + 5) * DAY);
    struct tc_dec before[5], after[5];
    adj_read(tm, ix, 5, before);
    assert_int_equal(before[0].raw, dec("3.33333333").raw); /* 10 / 3 */
    const struct {
        struct tc_corp_action a;
        size_t ix;
        int code;
        const char *msg;
    } bad[] = {
        {{d0 + 3, TC_CA_SPLIT, TC_DEC_ZERO, TC_DEC_ZERO}, 0, TC_EINVAL,
         "NVDA: split on 2015-03-05: ratio 0 must be positive and not 1"},
        {{d0 + 3, TC_CA_SPLIT, {-TC_DEC_ONE}, TC_DEC_ZERO}, 0, TC_EINVAL, "ratio -1"},
        {{d0 + 3, TC_CA_SPLIT, {TC_DEC_ONE}, TC_DEC_ZERO}, 0, TC_EINVAL, "ratio 1 must be positive and not 1"},
        {{d0 + 3, TC_CA_DIVIDEND, TC_DEC_ZERO, TC_DEC_ZERO}, 0, TC_EINVAL,
         "NVDA: dividend on 2015-03-05: amount 0 is not positive"},
        {{d0 + 3, TC_CA_DIVIDEND, TC_DEC_ZERO, {-1}}, 0, TC_EINVAL, "amount -0.00000001"},
        {{d0 + 3, (enum tc_corp_action_kind)7, TC_DEC_ZERO, TC_DEC_ZERO}, 0, TC_EINVAL,
         "NVDA: corporate action on 2015-03-05: unknown kind 7"},
        {{d0 + 2, TC_CA_SPLIT, {2 * TC_DEC_ONE}, TC_DEC_ZERO}, 0, TC_ECONFLICT,
         "NVDA: a split on 2015-03-04 is already recorded"},
        {{d0 + 3, TC_CA_SPLIT, {2 * TC_DEC_ONE}, TC_DEC_ZERO}, 3, TC_ENOTFOUND,
         "unknown instrument handle 3 (1 loaded)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(tc_tm_add_action(tm, bad[i].ix, &bad[i].a, &err), bad[i].code);
        expect_msg(&err, bad[i].msg);
        adj_read(tm, ix, 5, after);
        assert_memory_equal(before, after, sizeof before); /* nothing changed */
    }
    /* A dividend as large as the previous close is caught when read. */
    tc_assert_ok(tc_tm_add_action(tm, ix,
                                  &(struct tc_corp_action){d0 + 4, TC_CA_DIVIDEND, TC_DEC_ZERO,
                                                           dec("13")},
                                  &err),
                 &err);
    assert_int_equal(tc_tm_adj_closes(tm, ix, 5, after, &err), TC_ERANGE);
    expect_msg(&err, "NVDA: dividend 13 on 2015-03-06 is not below the previous close 13 "
                     "(2015-03-05)");
    /* Only bars before the bad dividend need it; the last one does not. */
    tc_assert_ok(tc_tm_adj_closes(tm, ix, 1, after, &err), &err);
    assert_int_equal(after[0].raw, 14 * TC_DEC_ONE);
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

/* ---- time, calendar reads, instruments, audit ---------------------------- */

static void test_time_forward_only(void **state)
{
    struct tc_error err = {0};
    struct tc_bar_series s;
    struct tc_bar bar;
    size_t ix;
    (void)state;
    static const char *const days[] = {"2014-06-02", "2014-06-03"};
    series_of(&s, "ORCL", days, 2, 40);
    struct tc_tm *tm = tm_with(xnys(), &s, &ix);
    assert_int_equal(tc_tm_now(tm), INT64_MIN);
    assert_int_equal(tc_tm_latest(tm, ix, &bar, &err), TC_ENOTFOUND);
    expect_msg(&err, "ORCL: no bar has closed at the start (no time set)");
    int64_t t2 = utc("2014-06-03T20:00:00Z");
    set_time(tm, t2);
    set_time(tm, t2); /* the same time again is fine */
    assert_int_equal(tc_tm_set_time(tm, t2 - 1, &err), TC_EINVAL);
    assert_string_equal(err.msg, "timemachine: time 2014-06-03T19:59:59.999999Z is before the "
                                 "current time 2014-06-03T20:00:00Z (time only moves forward; "
                                 "reset to start over)");
    assert_int_equal(tc_tm_now(tm), t2);
    tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    assert_int_equal(bar.day, day_of("2014-06-03"));
    /* Outside the calendar's years: refused, nothing changes. */
    assert_int_equal(tc_tm_set_time(tm, utc("2031-01-05T00:00:00Z"), &err), TC_ERANGE);
    assert_string_equal(err.msg, "timemachine: time 2031-01-05T00:00:00Z is outside the years "
                                 "of calendar XNYS (1990..2026)");
    assert_int_equal(tc_tm_now(tm), t2);
    /* Reset starts over. */
    tc_tm_reset(tm);
    assert_int_equal(tc_tm_latest(tm, ix, &bar, &err), TC_ENOTFOUND);
    set_time(tm, utc("2014-06-02T20:00:00Z"));
    tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    assert_int_equal(bar.day, day_of("2014-06-02"));
    tc_tm_reset(tm);
    assert_int_equal(tc_tm_set_time(tm, utc("1985-03-04T21:00:00Z"), &err), TC_ERANGE);
    expect_msg(&err, "timemachine: time 1985-03-04T21:00:00Z");
    assert_int_equal(tc_tm_now(tm), INT64_MIN);
    int64_t d;
    assert_int_equal(tc_tm_session(tm, &d, &err), TC_ENOTFOUND);
    assert_int_equal(tc_tm_next_session(tm, &d, NULL, NULL, &err), TC_ENOTFOUND);
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

static void test_calendar_reads(void **state)
{
    static const struct {
        const char *t, *session, *next, *next_open, *next_close;
    } cases[] = {
        /* early close, then a holiday and a weekend */
        {"2014-07-03T17:00:00Z", "2014-07-03", "2014-07-07", "2014-07-07T13:30:00Z",
         "2014-07-07T20:00:00Z"},
        {"2014-07-05T12:00:00Z", "2014-07-03", "2014-07-07", "2014-07-07T13:30:00Z",
         "2014-07-07T20:00:00Z"},
        /* the Friday before DST starts: the next session opens an hour earlier in UTC */
        {"2014-03-07T21:00:00Z", "2014-03-07", "2014-03-10", "2014-03-10T13:30:00Z",
         "2014-03-10T20:00:00Z"},
        /* the day before Thanksgiving: the next session closes early */
        {"2014-11-26T21:00:00Z", "2014-11-26", "2014-11-28", "2014-11-28T14:30:00Z",
         "2014-11-28T18:00:00Z"},
        /* during a session, the current one is the previous */
        {"2014-11-28T17:59:59Z", "2014-11-26", "2014-11-28", "2014-11-28T14:30:00Z",
         "2014-11-28T18:00:00Z"},
    };
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tc_error err = {0};
        int64_t d, open_us, close_us;
        /* Straight to the time (searched) and stepping there from a day before. */
        for (int mode = 0; mode < 2; mode++) {
            struct tc_tm *tm = tm_new(xnys());
            if (mode)
                set_time(tm, utc(cases[c].t) - INT64_C(86400000000) * 3);
            set_time(tm, utc(cases[c].t));
            tc_assert_ok(tc_tm_session(tm, &d, &err), &err);
            assert_int_equal(d, day_of(cases[c].session));
            tc_assert_ok(tc_tm_next_session(tm, &d, &open_us, &close_us, &err), &err);
            assert_int_equal(d, day_of(cases[c].next));
            assert_int_equal(open_us, utc(cases[c].next_open));
            assert_int_equal(close_us, utc(cases[c].next_close));
            tc_tm_free(tm);
        }
    }
}

static void test_instruments(void **state)
{
    struct tc_error err = {0};
    struct tc_bar_series a, b, dup, empty;
    size_t ix = 77;
    struct tc_bar bar;
    (void)state;
    tc_bar_series_init(&a, "ORCL");
    tc_bar_series_init(&b, "AAPL");
    tc_bar_series_init(&dup, "ORCL");
    tc_bar_series_init(&empty, "");
    put(&a, day_of("2014-06-02"), 40 * TC_DEC_ONE);
    put(&b, day_of("2014-06-02"), 90 * TC_DEC_ONE);
    struct tc_tm *tm = tm_new(NULL);
    tc_assert_ok(tc_tm_add_series(tm, &a, &ix, &err), &err);
    assert_int_equal(ix, 0);
    tc_assert_ok(tc_tm_add_series(tm, &b, &ix, &err), &err);
    assert_int_equal(ix, 1);
    assert_int_equal(tc_tm_add_series(tm, &dup, &ix, &err), TC_ECONFLICT);
    expect_msg(&err, "instrument \"ORCL\" is already loaded");
    assert_int_equal(tc_tm_adopt_series(tm, &dup, &ix, &err), TC_ECONFLICT);
    assert_string_equal(dup.instrument_id, "ORCL"); /* still the caller's */
    assert_int_equal(tc_tm_add_series(tm, &empty, &ix, &err), TC_EINVAL);
    expect_msg(&err, "series without an instrument id");
    assert_int_equal(tc_tm_add_series(tm, NULL, &ix, &err), TC_EINVAL);
    assert_int_equal(tc_tm_count(tm), 2);
    assert_int_equal(ix, 1);

    tc_assert_ok(tc_tm_find(tm, "AAPL", &ix, &err), &err);
    assert_int_equal(ix, 1);
    tc_assert_ok(tc_tm_find(tm, "ORCL", &ix, &err), &err);
    assert_int_equal(ix, 0);
    assert_string_equal(tc_tm_instrument_id(tm, 1), "AAPL");
    assert_null(tc_tm_instrument_id(tm, 2));
    assert_int_equal(tc_tm_find(tm, "NOPE", &ix, &err), TC_ENOTFOUND);
    assert_string_equal(err.msg, "timemachine: instrument \"NOPE\" is not loaded");
    assert_int_equal(tc_tm_find(tm, "orcl", &ix, &err), TC_ENOTFOUND);
    assert_int_equal(ix, 0);

    set_time(tm, utc("2014-06-05T00:00:00Z"));
    struct tc_dec_view cv;
    struct tc_bar_view bv;
    struct tc_dec adj[1];
    const char *want = "timemachine: unknown instrument handle 2 (2 loaded)";
    assert_int_equal(tc_tm_latest(tm, 2, &bar, &err), TC_ENOTFOUND);
    assert_string_equal(err.msg, want);
    assert_int_equal(tc_tm_last_closes(tm, 2, 1, &cv, &err), TC_ENOTFOUND);
    assert_string_equal(err.msg, want);
    assert_int_equal(tc_tm_last_bars(tm, 2, 1, &bv, &err), TC_ENOTFOUND);
    assert_int_equal(tc_tm_bar_on(tm, 2, day_of("2014-06-02"), &bar, &err), TC_ENOTFOUND);
    assert_int_equal(tc_tm_range(tm, 2, 0, 1, &bv, &err), TC_ENOTFOUND);
    assert_int_equal(tc_tm_adj_closes(tm, 2, 1, adj, &err), TC_ENOTFOUND);
    assert_int_equal(tc_tm_adj_bar_on(tm, SIZE_MAX, 0, &bar, &err), TC_ENOTFOUND);
    assert_int_equal(tc_tm_latest(NULL, 0, &bar, &err), TC_EINVAL);
    assert_int_equal(tc_tm_latest(tm, 0, NULL, &err), TC_EINVAL);

    /* A borrowed series may grow; new bars show from the next set_time on,
     * and only up to the current time. */
    tc_assert_ok(tc_tm_latest(tm, 0, &bar, &err), &err);
    assert_int_equal(bar.day, day_of("2014-06-02"));
    put(&a, day_of("2014-06-03"), 41 * TC_DEC_ONE);
    put(&a, day_of("2014-06-05"), 42 * TC_DEC_ONE);
    set_time(tm, tc_tm_now(tm));
    tc_assert_ok(tc_tm_latest(tm, 0, &bar, &err), &err);
    assert_int_equal(bar.day, day_of("2014-06-03"));
    assert_int_equal(tc_tm_bar_on(tm, 0, day_of("2014-06-05"), &bar, &err), TC_ELOOKAHEAD);
    tc_tm_free(tm);
    tc_tm_free(NULL);
    tc_bar_series_release(&a);
    tc_bar_series_release(&b);
    tc_bar_series_release(&dup);
    tc_bar_series_release(&empty);
}

struct counter {
    size_t n;
    struct tc_tm_read last;
};

static void count_read(void *ctx, const struct tc_tm_read *r)
{
    struct counter *c = ctx;
    c->n++;
    c->last = *r;
}

static void test_audit(void **state)
{
    struct tc_error err = {0};
    struct tc_bar_series s;
    struct tc_bar bar;
    struct tc_dec_view cv;
    struct tc_bar_view bv;
    struct tc_dec adj[2];
    size_t ix, n;
    int64_t d0 = day_of("2014-06-02");
    (void)state;
    tc_bar_series_init(&s, "ORCL");
    for (int i = 0; i < 5; i++)
        put(&s, d0 + i, (40 + i) * TC_DEC_ONE);
    struct tc_tm *tm = tm_with(NULL, &s, &ix);
    int64_t t = utc("2014-06-05T06:00:00Z"); /* d0..d2 visible */
    set_time(tm, t);
    tc_tm_audit_memory(tm, 1);
    tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    tc_assert_ok(tc_tm_last_closes(tm, ix, 2, &cv, &err), &err);
    tc_assert_ok(tc_tm_last_bars(tm, ix, 3, &bv, &err), &err);
    assert_int_equal(tc_tm_bar_on(tm, ix, d0 + 3, &bar, &err), TC_ELOOKAHEAD);
    tc_assert_ok(tc_tm_range(tm, ix, d0 - 10, d0 + 1, &bv, &err), &err);
    assert_int_equal(tc_tm_last_closes(tm, ix, 4, &cv, &err), TC_ERANGE);
    assert_int_equal(tc_tm_latest(tm, 9, &bar, &err), TC_ENOTFOUND);
    tc_assert_ok(tc_tm_adj_closes(tm, ix, 2, adj, &err), &err);
    tc_assert_ok(tc_tm_adj_bar_on(tm, ix, d0, &bar, &err), &err);
    const struct tc_tm_read want[] = {
        {TC_TM_READ_LATEST, 0, 0, d0 + 2, d0 + 2, t, 0},
        {TC_TM_READ_LAST_CLOSES, 0, 2, d0 + 1, d0 + 2, t, 0},
        {TC_TM_READ_LAST_BARS, 0, 3, d0, d0 + 2, t, 0},
        {TC_TM_READ_BAR_ON, 0, 0, d0 + 3, d0 + 3, t, TC_ELOOKAHEAD},
        {TC_TM_READ_RANGE, 0, 0, d0 - 10, d0 + 1, t, 0},
        {TC_TM_READ_LAST_CLOSES, 0, 4, INT64_MIN, INT64_MIN, t, TC_ERANGE},
        {TC_TM_READ_LATEST, 9, 0, INT64_MIN, INT64_MIN, t, TC_ENOTFOUND},
        {TC_TM_READ_ADJ_CLOSES, 0, 2, d0 + 1, d0 + 2, t, 0},
        {TC_TM_READ_ADJ_BAR_ON, 0, 0, d0, d0, t, 0},
    };
    const struct tc_tm_read *rec = tc_tm_audit_records(tm, &n);
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        if (rec[i].kind != want[i].kind || rec[i].ix != want[i].ix || rec[i].n != want[i].n ||
            rec[i].from != want[i].from || rec[i].to != want[i].to ||
            rec[i].as_of_us != want[i].as_of_us || rec[i].rc != want[i].rc)
            fail_msg("audit record %zu (%s) differs", i, tc_tm_read_kind_name(rec[i].kind));
    }
    assert_string_equal(tc_tm_read_kind_name(TC_TM_READ_RANGE), "range");
    assert_string_equal(tc_tm_read_kind_name((enum tc_tm_read_kind)0), "?");
    /* Many reads: the array grows. */
    for (int i = 0; i < 1000; i++)
        tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    tc_tm_audit_records(tm, &n);
    assert_int_equal(n, sizeof want / sizeof want[0] + 1000);
    /* Off keeps the records; clear drops them. */
    tc_tm_audit_memory(tm, 0);
    tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    tc_tm_audit_records(tm, &n);
    assert_int_equal(n, sizeof want / sizeof want[0] + 1000);
    tc_tm_audit_clear(tm);
    tc_tm_audit_records(tm, &n);
    assert_int_equal(n, 0);
    /* A callback sees each read as it happens. */
    struct counter c = {0};
    tc_tm_audit_callback(tm, count_read, &c);
    tc_assert_ok(tc_tm_last_closes(tm, ix, 3, &cv, &err), &err);
    assert_int_equal(tc_tm_range(tm, ix, d0, d0 + 4, &bv, &err), TC_ELOOKAHEAD);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.last.kind, TC_TM_READ_RANGE);
    assert_int_equal(c.last.to, d0 + 4);
    assert_int_equal(c.last.rc, TC_ELOOKAHEAD);
    tc_tm_audit_records(tm, &n);
    assert_int_equal(n, 0);
    tc_tm_audit_callback(tm, NULL, NULL);
    tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    assert_int_equal(c.n, 2);
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

static void test_extreme_inputs(void **state)
{
    struct tc_error err = {0};
    struct tc_bar_series empty, s;
    struct tc_bar bar;
    struct tc_bar_view bv;
    struct tc_dec_view cv;
    size_t e, ix;
    (void)state;
    tc_bar_series_init(&empty, "EMPTY");
    tc_bar_series_init(&s, "ORCL");
    put(&s, day_of("2014-06-02"), 40 * TC_DEC_ONE);
    struct tc_tm *tm = tm_new(NULL);
    tc_assert_ok(tc_tm_add_series(tm, &empty, &e, &err), &err);
    tc_assert_ok(tc_tm_add_series(tm, &s, &ix, &err), &err);
    /* The far end of time: everything has closed, nothing beyond is promised. */
    set_time(tm, INT64_MAX);
    assert_int_equal(tc_tm_latest(tm, e, &bar, &err), TC_ENOTFOUND);
    expect_msg(&err, "EMPTY: no bar has closed at 9223372036854775807 us after the epoch");
    assert_int_equal(tc_tm_last_closes(tm, e, 1, &cv, &err), TC_ERANGE);
    expect_msg(&err, "but only 0 have closed");
    tc_assert_ok(tc_tm_range(tm, e, INT64_MIN, day_of("2014-06-02"), &bv, &err), &err);
    assert_int_equal(bv.n, 0);
    tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
    assert_int_equal(bar.day, day_of("2014-06-02"));
    assert_int_equal(tc_tm_range(tm, ix, INT64_MIN, INT64_MAX, &bv, &err), TC_ELOOKAHEAD);
    expect_msg(&err, "ORCL: bars of day -9223372036854775808..day 9223372036854775807");
    assert_int_equal(tc_tm_bar_on(tm, ix, INT64_MIN, &bar, &err), TC_ENOTFOUND);
    assert_string_equal(err.msg, "ORCL: no bar on day -9223372036854775808");
    assert_int_equal(tc_tm_set_time(tm, INT64_MAX - 1, &err), TC_EINVAL);
    expect_msg(&err, "is before the current time 9223372036854775807 us after the epoch");
    /* The far start of time: a valid time at which nothing has closed. */
    tc_tm_reset(tm);
    set_time(tm, INT64_MIN);
    assert_int_equal(tc_tm_latest(tm, ix, &bar, &err), TC_ENOTFOUND);
    expect_msg(&err, "ORCL: no bar has closed at -9223372036854775808 us after the epoch");
    assert_int_equal(tc_tm_bar_on(tm, ix, day_of("1970-01-01"), &bar, &err), TC_ELOOKAHEAD);
    /* A calendar refuses both ends. */
    struct tc_tm *cal = tm_new(xnys());
    assert_int_equal(tc_tm_set_time(cal, INT64_MAX, &err), TC_ERANGE);
    expect_msg(&err, "is outside the years of calendar XNYS (1990..2026)");
    assert_int_equal(tc_tm_set_time(cal, INT64_MIN, &err), TC_ERANGE);
    assert_int_equal(tc_tm_new(NULL, NULL, &err), TC_EINVAL);
    tc_tm_free(cal);
    tc_tm_free(tm);
    tc_bar_series_release(&empty);
    tc_bar_series_release(&s);
}

/* ORCL 1995-2014 from the price file, through the gate on XNYS: each bar
 * appears exactly at its session's close. */
static void test_real_data(void **state)
{
    struct tc_error err = {0};
    struct tc_bar_set set = {0};
    char path[1024];
    size_t ix;
    (void)state;
    snprintf(path, sizeof path, "%s/orcl-1995-2014.txt", tc_test_data());
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, "ORCL", &set, &err), &err);
    const struct tc_bar_series *s = tc_bar_set_find(&set, "ORCL");
    assert_non_null(s);
    assert_true(s->n > 4000);
    struct tc_tm *tm = tm_new(xnys());
    tc_assert_ok(tc_tm_add_series(tm, s, &ix, &err), &err);
    size_t checked = 0;
    for (size_t i = 0; i < s->n; i++) {
        int64_t close_us;
        struct tc_bar bar;
        tc_assert_ok(tc_calendar_session_times(xnys(), s->day[i], NULL, &close_us, &err), &err);
        set_time(tm, close_us - 1);
        if (i > 0) {
            tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
            assert_int_equal(bar.day, s->day[i - 1]);
        }
        assert_int_equal(tc_tm_bar_on(tm, ix, s->day[i], &bar, &err), TC_ELOOKAHEAD);
        set_time(tm, close_us);
        tc_assert_ok(tc_tm_latest(tm, ix, &bar, &err), &err);
        assert_int_equal(bar.day, s->day[i]);
        assert_int_equal(bar.close.raw, s->close[i].raw);
        checked++;
    }
    assert_int_equal(checked, s->n);
    tc_tm_free(tm);
    tc_bar_set_release(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_visibility_xnys),
        cmocka_unit_test(test_message_example),
        cmocka_unit_test(test_visibility_no_calendar),
        cmocka_unit_test(test_non_session_bar_with_calendar),
        cmocka_unit_test(test_views_never_future),
        cmocka_unit_test(test_peeking_strategy),
        cmocka_unit_test(test_adjusted_as_of),
        cmocka_unit_test(test_bad_actions),
        cmocka_unit_test(test_time_forward_only),
        cmocka_unit_test(test_calendar_reads),
        cmocka_unit_test(test_instruments),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_extreme_inputs),
        cmocka_unit_test(test_real_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
