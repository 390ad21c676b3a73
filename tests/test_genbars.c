/* Synthetic bars (tradecore/genbars.h) and `tradecore gen-bars`: same seed ->
 * identical files, another seed -> different ones; every row's format and OHLC
 * consistency; the files load cleanly with tc_prices_load_csv on XNYS
 * sessions; the weekday fallback; bad options change nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/genbars.h"
#include "tradecore/ingest.h"

static void gen(const char *dir, int n, int bars, uint64_t seed, struct tc_genbars_result *res)
{
    struct tc_genbars_options o = {.instruments = n, .bars = bars, .seed = seed};
    struct tc_error err = {0};
    tc_assert_ok(tc_genbars_write(dir, &o, res, &err), &err);
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = tc_test_slurp(a, &na), *y = tc_test_slurp(b, &nb);
    int same = na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static void test_determinism(void **state)
{
    (void)state;
    char d1[512], d2[512], d3[512];
    struct tc_genbars_result res;
    assert_int_equal(tc_test_tmpdir("genbars_a", d1, sizeof d1), 0);
    assert_int_equal(tc_test_tmpdir("genbars_b", d2, sizeof d2), 0);
    assert_int_equal(tc_test_tmpdir("genbars_c", d3, sizeof d3), 0);
    gen(d1, 3, 300, 42, &res);
    gen(d2, 3, 300, 42, NULL);
    gen(d3, 3, 300, 43, NULL);
    for (int k = 1; k <= 3; k++) {
        char a[600], b[600], c[600];
        snprintf(a, sizeof a, "%s/SYN%03d.csv", d1, k);
        snprintf(b, sizeof b, "%s/SYN%03d.csv", d2, k);
        snprintf(c, sizeof c, "%s/SYN%03d.csv", d3, k);
        assert_true(same_file(a, b));
        assert_false(same_file(a, c));
    }
    /* the instruments differ from one another too */
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/SYN001.csv", d1);
    snprintf(b, sizeof b, "%s/SYN002.csv", d1);
    assert_false(same_file(a, b));
    snprintf(a, sizeof a, "%s/SYN004.csv", d1);
    assert_false(tc_test_exists(a));
    assert_int_equal(res.weekdays, 0);
    assert_int_equal(res.first_day, tc_days_from_civil(1990, 1, 2)); /* Jan 1 is a holiday */
}

/* Parses "<digits>.<6 digits>" at *P into micro-units; -1 when malformed. */
static long long price6(const char **p)
{
    const char *s = *p;
    long long v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
        digits++;
    }
    if (digits == 0 || *s++ != '.')
        return -1;
    for (int i = 0; i < 6; i++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s++ - '0');
    }
    *p = s;
    return v;
}

static void test_rows_consistent(void **state)
{
    (void)state;
    char dir[512], path[600];
    assert_int_equal(tc_test_tmpdir("genbars_rows", dir, sizeof dir), 0);
    gen(dir, 4, 5000, 7, NULL);
    for (int k = 1; k <= 4; k++) {
        snprintf(path, sizeof path, "%s/SYN%03d.csv", dir, k);
        char *text = tc_test_slurp(path, NULL);
        const char *hdr = "Date,Open,High,Low,Close,Adj Close,Volume\n";
        assert_int_equal(strncmp(text, hdr, strlen(hdr)), 0);
        const char *p = text + strlen(hdr);
        int rows = 0;
        while (*p) {
            /* YYYY-MM-DD, */
            int64_t d;
            char date[11];
            memcpy(date, p, 10);
            date[10] = '\0';
            struct tc_error err = {0};
            tc_assert_ok(tc_date_parse(date, &d, &err), &err);
            p += 10;
            assert_int_equal(*p++, ',');
            long long o = price6(&p);
            assert_int_equal(*p++, ',');
            long long h = price6(&p);
            assert_int_equal(*p++, ',');
            long long l = price6(&p);
            assert_int_equal(*p++, ',');
            long long c = price6(&p);
            assert_int_equal(*p++, ',');
            long long ac = price6(&p);
            assert_int_equal(*p++, ',');
            char *end;
            long long vol = strtoll(p, &end, 10);
            assert_true(end > p);
            p = end;
            assert_int_equal(*p++, '\n');
            if (o <= 0 || h <= 0 || l <= 0 || c <= 0)
                fail_msg("%s row %d: a price is malformed or not positive", path, rows + 2);
            if (!(l <= o && l <= c && h >= o && h >= c && l <= h))
                fail_msg("%s row %d: OHLC inconsistent %lld %lld %lld %lld", path, rows + 2, o, h,
                         l, c);
            assert_int_equal(ac, c);
            assert_true(vol >= 100000 && vol <= 9999999);
            rows++;
        }
        assert_int_equal(rows, 5000);
        free(text);
    }
}

static void test_loads_cleanly(void **state)
{
    (void)state;
    char dir[512], path[600];
    const struct tc_calendar *xnys;
    struct tc_error err = {0};
    int64_t *days = NULL;
    int weekdays = -1;
    struct tc_genbars_options o = {.instruments = 2, .bars = 5000, .seed = 99};
    tc_assert_ok(tc_calendar_get("XNYS", &xnys, &err), &err);
    assert_int_equal(tc_test_tmpdir("genbars_load", dir, sizeof dir), 0);
    gen(dir, 2, 5000, 99, NULL);
    tc_assert_ok(tc_genbars_days(&o, &days, &weekdays, &err), &err);
    assert_int_equal(weekdays, 0);
    for (int k = 1; k <= 2; k++) {
        struct tc_bar_set set = {0};
        snprintf(path, sizeof path, "%s/SYN%03d.csv", dir, k);
        tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &set, &err), &err);
        assert_int_equal(set.n, 1);
        char want[16];
        snprintf(want, sizeof want, "SYN%03d", k);
        assert_string_equal(set.items[0].instrument_id, want);
        assert_int_equal(set.items[0].n, 5000);
        for (size_t i = 0; i < 5000; i++) {
            assert_int_equal(set.items[0].day[i], days[i]);
            int is = 0;
            tc_assert_ok(tc_calendar_is_session(xnys, days[i], &is, &err), &err);
            assert_int_equal(is, 1);
        }
        /* consecutive sessions: nothing skipped between two bars */
        for (size_t i = 1; i < 5000; i++) {
            int64_t next;
            tc_assert_ok(tc_calendar_next_session(xnys, days[i - 1], &next, &err), &err);
            assert_int_equal(next, days[i]);
        }
        tc_bar_set_release(&set);
    }
    free(days);
}

static void test_start_and_fallback(void **state)
{
    (void)state;
    struct tc_error err = {0};
    int64_t *days = NULL;
    int weekdays = -1;
    /* 2020-01-01 is a holiday: the first bar is 2020-01-02 */
    struct tc_genbars_options o = {.instruments = 1, .bars = 5, .seed = 1, .has_start = 1,
                                   .start_day = tc_days_from_civil(2020, 1, 1)};
    tc_assert_ok(tc_genbars_days(&o, &days, &weekdays, &err), &err);
    assert_int_equal(weekdays, 0);
    assert_int_equal(days[0], tc_days_from_civil(2020, 1, 2));
    assert_int_equal(days[1], tc_days_from_civil(2020, 1, 3));
    assert_int_equal(days[2], tc_days_from_civil(2020, 1, 6));
    free(days);
    /* 2026-12-01 + 100 sessions does not fit in 1990..2026: weekdays, and
     * 2026-12-25 (Christmas) is then a bar */
    o.bars = 100;
    o.start_day = tc_days_from_civil(2026, 12, 1);
    tc_assert_ok(tc_genbars_days(&o, &days, &weekdays, &err), &err);
    assert_int_equal(weekdays, 1);
    assert_int_equal(days[0], tc_days_from_civil(2026, 12, 1));
    int christmas = 0;
    for (int i = 0; i < 100; i++) {
        int64_t w = (days[i] + 3) % 7;
        assert_true(w < 5);
        if (i > 0)
            assert_true(days[i] > days[i - 1]);
        if (i > 0 && days[i] - days[i - 1] > 1)
            assert_int_equal(days[i] - days[i - 1], 3); /* Friday -> Monday */
        christmas |= days[i] == tc_days_from_civil(2026, 12, 25);
    }
    assert_true(christmas);
    free(days);
    /* 12,000 bars from the default start exceed the ~9,300 XNYS sessions */
    struct tc_genbars_options big = {.instruments = 1, .bars = 12000, .seed = 1};
    tc_assert_ok(tc_genbars_days(&big, &days, &weekdays, &err), &err);
    assert_int_equal(weekdays, 1);
    assert_int_equal(days[0], tc_days_from_civil(1990, 1, 1)); /* a Monday */
    free(days);
    /* a start before the calendar's years: weekdays too */
    o.start_day = tc_days_from_civil(1980, 1, 1);
    o.bars = 3;
    tc_assert_ok(tc_genbars_days(&o, &days, &weekdays, &err), &err);
    assert_int_equal(weekdays, 1);
    assert_int_equal(days[0], tc_days_from_civil(1980, 1, 1));
    free(days);
    /* another market's calendar */
    o.market = "XLON";
    o.start_day = tc_days_from_civil(2020, 12, 24);
    tc_assert_ok(tc_genbars_days(&o, &days, &weekdays, &err), &err);
    assert_int_equal(weekdays, 0);
    /* London: 24th (early close, a session), 25th and 28th (Boxing Day
     * observed) closed */
    assert_int_equal(days[0], tc_days_from_civil(2020, 12, 24));
    assert_int_equal(days[1], tc_days_from_civil(2020, 12, 29));
    free(days);
}

static void test_bad_options(void **state)
{
    (void)state;
    char base[512], dir[600];
    assert_int_equal(tc_test_tmpdir("genbars_bad", base, sizeof base), 0);
    snprintf(dir, sizeof dir, "%s/out", base);
    static const struct {
        int n, bars, has_start;
        int64_t start;
        const char *market;
        int code;
        const char *msg;
    } cases[] = {
        {0, 10, 0, 0, NULL, TC_EINVAL, "instruments 0 is not in 1..9999"},
        {-1, 10, 0, 0, NULL, TC_EINVAL, "instruments -1 is not in 1..9999"},
        {10000, 10, 0, 0, NULL, TC_EINVAL, "instruments 10000 is not in 1..9999"},
        {1, 0, 0, 0, NULL, TC_EINVAL, "bars 0 is not in 1..1000000"},
        {1, 1000001, 0, 0, NULL, TC_EINVAL, "bars 1000001 is not in 1..1000000"},
        {1, 10, 1, -800000, NULL, TC_EINVAL, "start day -800000 is not in 0001..5000"},
        {1, 10, 1, 2000000, NULL, TC_EINVAL, "start day 2000000 is not in 0001..5000"},
        {1, 10, 0, 0, "XXXX", TC_ENOTFOUND, "XXXX"},
        {1, 10, 0, 0, "", TC_ENOTFOUND, "gen-bars: market"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tc_genbars_options o = {.instruments = cases[i].n, .bars = cases[i].bars,
                                       .has_start = cases[i].has_start,
                                       .start_day = cases[i].start, .market = cases[i].market};
        struct tc_error err = {0};
        struct tc_genbars_result res;
        memset(&res, 0x5A, sizeof res);
        struct tc_genbars_result before = res;
        int rc = tc_genbars_write(dir, &o, &res, &err);
        if (rc != cases[i].code || !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: got %s \"%s\", want %s \"%s\"", i, tc_strerror_name(rc), err.msg,
                     tc_strerror_name(cases[i].code), cases[i].msg);
        assert_false(tc_test_exists(dir));
        assert_memory_equal(&res, &before, sizeof res);
    }
    struct tc_error err = {0};
    struct tc_genbars_options ok = {.instruments = 1, .bars = 10};
    assert_int_equal(tc_genbars_write(NULL, &ok, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "NULL output folder"));
    assert_int_equal(tc_genbars_write(dir, NULL, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "NULL options"));
    assert_int_equal(tc_genbars_write("", &ok, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "empty output folder"));
    /* a folder under a regular file */
    char file[700], sub[800];
    snprintf(file, sizeof file, "%s/plain", base);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(sub, sizeof sub, "%s/x", file);
    err = (struct tc_error){0};
    assert_int_equal(tc_genbars_write(sub, &ok, NULL, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "plain/x"));
}

static void test_cli(void **state)
{
    (void)state;
    char base[512], dir[600], path[700];
    char *out = NULL, *errs = NULL;
    assert_int_equal(tc_test_tmpdir("genbars_cli", base, sizeof base), 0);
    snprintf(dir, sizeof dir, "%s/bars", base);
    const char *ok[] = {"tradecore", "gen-bars", "--instruments", "2", "--bars", "20", "--seed",
                        "5", "--out", dir, "--start", "2024-01-01", NULL};
    int rc = tc_test_run(base, ok, NULL, NULL, &out, &errs);
    if (rc != 0)
        fail_msg("gen-bars exited %d: %s", rc, errs ? errs : "");
    char want[900];
    /* January 2024: 2-5, 8-12, 16-19 (MLK day 15th), 22-26, 29, 30 = 20 sessions */
    snprintf(want, sizeof want, "wrote 2 files of 20 bars to %s (XNYS 2024-01-02 to 2024-01-30)\n",
             dir);
    assert_string_equal(out, want);
    free(out);
    free(errs);
    snprintf(path, sizeof path, "%s/SYN002.csv", dir);
    assert_true(tc_test_exists(path));
    /* the library writes the same bytes */
    char dir2[600], path2[700];
    snprintf(dir2, sizeof dir2, "%s/lib", base);
    struct tc_genbars_options o = {.instruments = 2, .bars = 20, .seed = 5, .has_start = 1,
                                   .start_day = tc_days_from_civil(2024, 1, 1)};
    struct tc_error err = {0};
    tc_assert_ok(tc_genbars_write(dir2, &o, NULL, &err), &err);
    snprintf(path2, sizeof path2, "%s/SYN002.csv", dir2);
    assert_true(same_file(path, path2));

    static const struct {
        const char *args[14];
        const char *msg;
    } bad[] = {
        {{"gen-bars", "--bars", "5", "--seed", "1", "--out", "x", NULL}, "missing --instruments"},
        {{"gen-bars", "--instruments", "2", "--seed", "1", "--out", "x", NULL}, "missing --bars"},
#define GB(...) {"gen-bars", "--seed", "1", "--out", "x", __VA_ARGS__, NULL}
        {GB("--instruments", "0", "--bars", "5"), "--instruments 0 is below the minimum 1"},
        {GB("--instruments", "2x", "--bars", "5"),
         "--instruments \"2x\" is not a whole number in 1..9999 (digits only)"},
        /* digits only: strtoll took a leading space or sign */
        {GB("--instruments", " 2", "--bars", "5"),
         "--instruments \" 2\" is not a whole number in 1..9999 (digits only)"},
        {GB("--instruments", "2 ", "--bars", "5"),
         "--instruments \"2 \" is not a whole number in 1..9999 (digits only)"},
        {GB("--instruments", "2", "--bars", "+5"),
         "--bars \"+5\" is not a whole number in 1..100000 (digits only)"},
        {GB("--instruments", "2", "--bars", "-5"),
         "--bars \"-5\" is not a whole number in 1..100000 (digits only)"},
        {GB("--instruments", "2", "--bars", "5e3"),
         "--bars \"5e3\" is not a whole number in 1..100000 (digits only)"},
        {GB("--instruments", "", "--bars", "5"),
         "--instruments is empty (a whole number in 1..9999)"},
        /* the bounds: too large is named with the largest accepted */
        {GB("--instruments", "10000", "--bars", "5"),
         "--instruments 10000 is too large (at most 9999)"},
        {GB("--instruments", "2", "--bars", "1000000"),
         "--bars 1000000 is too large (at most 100000)"},
        {GB("--instruments", "2", "--bars", "1180591620717411303424"),
         "--bars 1180591620717411303424 is too large (at most 100000)"},
        {GB("--instruments", "9999", "--bars", "1000000"),
         "--bars 1000000 is too large (at most 100000)"},
        {GB("--instruments", "1001", "--bars", "100000"),
         "--instruments 1001 x --bars 100000 is 100100000 bars, more than the 100000000 a run "
         "may write"},
        {{"gen-bars", "--instruments", "2", "--bars", "5", "--out", "x", "--seed", "-1", NULL},
         "--seed \"-1\" is not a whole number in 0..9223372036854775807 (digits only)"},
        {{"gen-bars", "--instruments", "2", "--bars", "5", "--out", "x", "--seed",
          "9223372036854775808", NULL},
         "--seed 9223372036854775808 is too large (at most 9223372036854775807)"},
        /* dates past 9999-12-31, starts past 5000 (the message was "start day 2932895
         * is not in 0001..5000") */
        {GB("--instruments", "2", "--bars", "5", "--start", "9999-12-30"),
         "--start 9999-12-30: 5 bars (weekdays) from it would run past 9999-12-31, the last "
         "supported date; the latest start is 5000-12-31"},
        {GB("--instruments", "2", "--bars", "5", "--start", "5001-01-01"),
         "--start 5001-01-01 is after 5000-12-31, the latest start (so that the longest run of "
         "bars ends by 9999-12-31, the last supported date)"},
#undef GB
        {{"gen-bars", "--instruments", "2", "--bars", "5", "--seed", "1", "--out", "x", "--start",
          "2024-02-30", NULL},
         "--start:"},
        {{"gen-bars", "--instruments", "2", "--bars", "5", "--seed", "1", "--out", "x", "--market",
          "NOPE", NULL},
         "NOPE"},
        {{"gen-bars", "--instruments", "2", "--bars", "5", "--seed", "1", "--out", "x", "--bogus",
          NULL},
         "bogus"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[16] = {"tradecore"};
        for (int k = 0; bad[i].args[k]; k++)
            argv[k + 1] = bad[i].args[k];
        out = errs = NULL;
        rc = tc_test_run(base, argv, NULL, NULL, &out, &errs);
        if (rc != 2 || !errs || !strstr(errs, bad[i].msg))
            fail_msg("case %zu: exit %d, stderr \"%s\", want 2 and \"%s\"", i, rc,
                     errs ? errs : "", bad[i].msg);
        free(out);
        free(errs);
    }
    char x[600];
    snprintf(x, sizeof x, "%s/x", base);
    assert_false(tc_test_exists(x));
    /* --help */
    const char *help[] = {"tradecore", "gen-bars", "--help", NULL};
    out = errs = NULL;
    assert_int_equal(tc_test_run(base, help, NULL, NULL, &out, &errs), 0);
    assert_non_null(strstr(out, "usage: tradecore gen-bars"));
    free(out);
    free(errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_rows_consistent),
        cmocka_unit_test(test_loads_cleanly),
        cmocka_unit_test(test_start_and_fallback),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
