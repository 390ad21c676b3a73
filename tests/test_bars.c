/* Columnar bar series: append checks (table of bad bars, series unchanged),
 * find by date, growth by doubling, release. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/bars.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"

#define D(text) tc_test_dec(text)

static struct tc_bar make_bar(int64_t day, const char *o, const char *h, const char *l,
                              const char *c, int64_t vol)
{
    struct tc_bar b;
    memset(&b, 0, sizeof b);
    b.day = day;
    b.open = D(o);
    b.high = D(h);
    b.low = D(l);
    b.close = D(c);
    b.adj_close = D(c);
    b.volume = vol;
    return b;
}

static void test_init_truncates_id(void **state)
{
    (void)state;
    struct tc_bar_series s;
    char longid[200];
    memset(longid, 'A', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    tc_bar_series_init(&s, longid);
    assert_int_equal(strlen(s.instrument_id), TC_INSTRUMENT_ID_MAX - 1);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.cap, 0);
    assert_null(s.day);
    assert_int_equal(tc_bar_series_find(&s, 0), -1);
    tc_bar_series_release(&s);
    tc_bar_series_release(NULL);
}

static void test_append_and_get(void **state)
{
    (void)state;
    struct tc_bar_series s;
    struct tc_error err = {0};
    tc_bar_series_init(&s, "ORCL");
    int64_t d0 = tc_days_from_civil(1995, 1, 3);
    struct tc_bar b = make_bar(d0, "46.3125", "47", "45.5", "46.75", 1234567);
    b.adj_close = D("1.23456789");
    b.open_interest = 42;
    tc_assert_ok(tc_bar_series_append(&s, &b, &err), &err);
    struct tc_bar b2 = make_bar(d0 + 1, "1", "1", "1", "1", 0); /* flat bar, zero volume */
    tc_assert_ok(tc_bar_series_append(&s, &b2, &err), &err);
    assert_int_equal(s.n, 2);
    struct tc_bar got;
    tc_bar_series_get(&s, 0, &got);
    assert_int_equal(got.day, d0);
    assert_int_equal(got.open.raw, 4631250000);
    assert_int_equal(got.high.raw, 4700000000);
    assert_int_equal(got.low.raw, 4550000000);
    assert_int_equal(got.close.raw, 4675000000);
    assert_int_equal(got.adj_close.raw, 123456789);
    assert_int_equal(got.volume, 1234567);
    assert_int_equal(got.open_interest, 42);
    tc_bar_series_get(&s, 1, &got);
    assert_int_equal(got.day, d0 + 1);
    assert_int_equal(got.volume, 0);
    tc_bar_series_release(&s);
    assert_int_equal(s.n, 0);
    assert_null(s.close);
}

static void test_append_rejects(void **state)
{
    (void)state;
    int64_t d0 = tc_days_from_civil(2020, 3, 2);
    static const struct {
        int64_t dday;
        const char *o, *h, *l, *c;
        int64_t vol, oi;
        const char *want;
    } cases[] = {
        {0, "10", "11", "9", "10", 1, 0, "date 2020-03-02 is not after 2020-03-02"},
        {-1, "10", "11", "9", "10", 1, 0, "date 2020-03-01 is not after 2020-03-02"},
        {1, "0", "11", "9", "10", 1, 0, "open 0 is not positive"},
        {1, "10", "11", "-9", "10", 1, 0, "low -9 is not positive"},
        {1, "10", "0", "0", "0", 1, 0, "high 0 is not positive"},
        {1, "10", "11", "9", "0", 1, 0, "close 0 is not positive"},
        {1, "10", "11", "12", "10", 1, 0, "low 12 is above high 11"},
        {1, "8", "11", "9", "10", 1, 0, "open 8 is below low 9"},
        {1, "12", "11", "9", "10", 1, 0, "open 12 is above high 11"},
        {1, "10", "11", "9", "8.5", 1, 0, "close 8.5 is below low 9"},
        {1, "10", "11", "9", "12.3", 1, 0, "close 12.3 is above high 11"},
        {1, "10", "11", "9", "10", -1, 0, "volume -1 is negative"},
        {1, "10", "11", "9", "10", 1, -5, "open interest -5 is negative"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tc_bar_series s;
        struct tc_error err = {0};
        tc_bar_series_init(&s, "X");
        struct tc_bar first = make_bar(d0, "10", "11", "9", "10", 5);
        tc_assert_ok(tc_bar_series_append(&s, &first, &err), &err);
        struct tc_bar b = make_bar(d0 + cases[i].dday, cases[i].o, cases[i].h, cases[i].l,
                                   cases[i].c, cases[i].vol);
        b.open_interest = cases[i].oi;
        int rc = tc_bar_series_append(&s, &b, &err);
        if (rc != TC_EINVAL || !strstr(err.msg, cases[i].want) || !strstr(err.msg, "\"X\""))
            fail_msg("case %zu: rc %s msg \"%s\", want \"%s\"", i, tc_strerror_name(rc),
                     err.msg, cases[i].want);
        assert_int_equal(s.n, 1);
        struct tc_bar got;
        tc_bar_series_get(&s, 0, &got);
        assert_int_equal(got.close.raw, first.close.raw);
        tc_bar_series_release(&s);
    }
    /* adj_close must be positive too */
    struct tc_bar_series s;
    struct tc_error err = {0};
    tc_bar_series_init(&s, "X");
    struct tc_bar b = make_bar(d0, "10", "11", "9", "10", 5);
    b.adj_close = D("-1");
    assert_int_equal(tc_bar_series_append(&s, &b, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "adj_close -1 is not positive"));
    assert_int_equal(s.n, 0);
    assert_int_equal(tc_bar_series_append(NULL, &b, &err), TC_EINVAL);
    assert_int_equal(tc_bar_series_append(&s, NULL, &err), TC_EINVAL);
    tc_bar_series_release(&s);
}

static void test_find(void **state)
{
    (void)state;
    struct tc_bar_series s;
    struct tc_error err = {0};
    tc_bar_series_init(&s, "F");
    /* days 10, 12, 14, ..., 208 */
    for (int64_t i = 0; i < 100; i++) {
        struct tc_bar b = make_bar(10 + 2 * i, "1", "1", "1", "1", i);
        tc_assert_ok(tc_bar_series_append(&s, &b, &err), &err);
    }
    assert_int_equal(tc_bar_series_find(&s, 9), -1);
    assert_int_equal(tc_bar_series_find(&s, INT64_MIN), -1);
    assert_int_equal(tc_bar_series_find(&s, 10), 0);
    assert_int_equal(tc_bar_series_find(&s, 11), 0);
    assert_int_equal(tc_bar_series_find(&s, 12), 1);
    assert_int_equal(tc_bar_series_find(&s, 207), 98);
    assert_int_equal(tc_bar_series_find(&s, 208), 99);
    assert_int_equal(tc_bar_series_find(&s, INT64_MAX), 99);
    for (int64_t d = 10; d <= 208; d++)
        assert_int_equal(tc_bar_series_find(&s, d), (d - 10) / 2);
    assert_int_equal(tc_bar_series_find(NULL, 10), -1);
    tc_bar_series_release(&s);
}

static void test_reserve_growth(void **state)
{
    (void)state;
    struct tc_bar_series s;
    struct tc_error err = {0};
    tc_bar_series_init(&s, "G");
    tc_assert_ok(tc_bar_series_reserve(&s, 0, &err), &err);
    assert_int_equal(s.cap, 0);
    size_t caps_seen[64];
    size_t ncaps = 0;
    size_t last = 0;
    for (int64_t i = 0; i < 5000; i++) {
        struct tc_bar b = make_bar(i, "2", "3", "1", "2", i);
        tc_assert_ok(tc_bar_series_append(&s, &b, &err), &err);
        if (s.cap != last) {
            caps_seen[ncaps++] = s.cap;
            last = s.cap;
        }
        assert_true(s.cap >= s.n);
    }
    /* every growth doubles the previous capacity */
    assert_true(ncaps >= 2);
    for (size_t i = 1; i < ncaps; i++)
        assert_int_equal(caps_seen[i], 2 * caps_seen[i - 1]);
    assert_true(s.cap < 2 * 5000);
    for (int64_t i = 0; i < 5000; i++)
        assert_int_equal(s.volume[i], i);
    /* reserve never shrinks, and grows to at least the request */
    size_t before = s.cap;
    tc_assert_ok(tc_bar_series_reserve(&s, 10, &err), &err);
    assert_int_equal(s.cap, before);
    tc_assert_ok(tc_bar_series_reserve(&s, 100000, &err), &err);
    assert_true(s.cap >= 100000);
    assert_int_equal(s.n, 5000);
    assert_int_equal(s.volume[4999], 4999);
    /* an impossible size fails cleanly and keeps the series */
    size_t keep = s.cap;
    assert_int_equal(tc_bar_series_reserve(&s, SIZE_MAX, &err), TC_ENOMEM);
    assert_non_null(strstr(err.msg, "\"G\""));
    assert_int_equal(s.cap, keep);
    assert_int_equal(s.n, 5000);
    assert_int_equal(tc_bar_series_reserve(NULL, 1, &err), TC_EINVAL);
    tc_bar_series_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_truncates_id),
        cmocka_unit_test(test_append_and_get),
        cmocka_unit_test(test_append_rejects),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_reserve_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
