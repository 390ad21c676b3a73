/* Time: ISO-8601 text, civil dates, the system and manual clocks, the PRNG. */
#include <stdio.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/clock.h"

#define SENTINEL INT64_C(-777)

static void test_format(void **state)
{
    static const struct {
        int64_t us;
        const char *want;
    } cases[] = {
        {0, "1970-01-01T00:00:00.000000Z"},
        {-1, "1969-12-31T23:59:59.999999Z"},
        {1, "1970-01-01T00:00:00.000001Z"},
        {INT64_C(951782400000000), "2000-02-29T00:00:00.000000Z"},
        {INT64_C(1709210096789012), "2024-02-29T12:34:56.789012Z"},
        {INT64_C(-62135596800000000), "0001-01-01T00:00:00.000000Z"},
        {INT64_C(-62167219200000000), "0000-01-01T00:00:00.000000Z"},
        {INT64_C(253402300799999999), "9999-12-31T23:59:59.999999Z"},
    };
    size_t i;
    char buf[TC_TIME_STRLEN];
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int n = tc_time_format(cases[i].us, buf, sizeof(buf));
        if (n != 27 || strcmp(buf, cases[i].want) != 0)
            fail_msg("case %zu: got %d \"%s\", want \"%s\"", i, n, buf, cases[i].want);
    }
    /* outside 0000..9999 */
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc_time_format(INT64_C(253402300800000000), buf, sizeof(buf)), TC_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tc_time_format(INT64_C(-62167219200000001), buf, sizeof(buf)), TC_ERANGE);
    assert_int_equal(tc_time_format(INT64_MAX, buf, sizeof(buf)), TC_ERANGE);
    assert_int_equal(tc_time_format(INT64_MIN, buf, sizeof(buf)), TC_ERANGE);
    /* capacity */
    assert_int_equal(tc_time_format(0, buf, 27), TC_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tc_time_format(0, buf, 28), 27);
    assert_int_equal(tc_time_format(0, NULL, 0), TC_ERANGE);
}

static void test_parse(void **state)
{
    static const struct {
        const char *in;
        int64_t us;
    } cases[] = {
        {"1970-01-01", 0},
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01T00:00:00.000000Z", 0},
        {"1969-12-31T23:59:59.999999Z", -1},
        {"2024-02-29T12:34:56.789012Z", INT64_C(1709210096789012)},
        {"2024-02-29 12:34:56.789012", INT64_C(1709210096789012)},
        {"2000-02-29", INT64_C(951782400000000)},
        {"2024-01-31", INT64_C(1706659200000000)},
        {"2024-01-31T10:00", INT64_C(1706695200000000)},
        {"2024-01-31T10:00Z", INT64_C(1706695200000000)},
        {"2024-01-31 10:00:00", INT64_C(1706695200000000)},
        {"2024-01-31T10:00:00.5Z", INT64_C(1706695200500000)},
        {"2024-01-31T10:00:00.123456Z", INT64_C(1706695200123456)},
        {"2024-01-31T10:00:00.1234567Z", INT64_C(1706695200123456)},
        {"2024-01-31T10:00:00.123456999999999Z", INT64_C(1706695200123456)},
        {"2024-01-31T10:00:00+02:00", INT64_C(1706688000000000)},
        {"2024-01-31T10:00:00+0200", INT64_C(1706688000000000)},
        {"2024-01-31T10:00:00+02", INT64_C(1706688000000000)},
        {"2024-01-31T10:00+02:00", INT64_C(1706688000000000)},
        {"2024-01-31T10:00:00-05:30", INT64_C(1706715000000000)},
        {"2024-01-31T10:00:00-0530", INT64_C(1706715000000000)},
        {"2024-01-31T10:00:00+00:00", INT64_C(1706695200000000)},
        {"0001-01-01T00:00:00Z", INT64_C(-62135596800000000)},
        {"9999-12-31T23:59:59.999999Z", INT64_C(253402300799999999)},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t us = SENTINEL;
        struct tc_error err = {0};
        int rc = tc_time_parse(cases[i].in, (size_t)-1, &us, &err);
        if (rc != 0)
            fail_msg("case %zu \"%s\": %s %s", i, cases[i].in, tc_strerror_name(rc), err.msg);
        if (us != cases[i].us)
            fail_msg("case %zu \"%s\": got %lld, want %lld", i, cases[i].in, (long long)us,
                     (long long)cases[i].us);
    }
}

static void test_parse_errors(void **state)
{
    static const struct {
        const char *in;
        const char *why;
    } cases[] = {
        {"", "empty"},
        {"2023-02-29", "day is not in the month"},
        {"1900-02-29", "day is not in the month"},
        {"2024-04-31", "day is not in the month"},
        {"2024-01-32", "day is not in the month"},
        {"2024-01-00", "day is not in the month"},
        {"2024-13-01", "month is not 1..12"},
        {"2024-00-10", "month is not 1..12"},
        {"2024-01-01T24:00", "hour is not 0..23"},
        {"2024-01-01T23:60", "minute is not 0..59"},
        {"2024-01-01T23:59:60Z", "second is not 0..59"},
        {"2024-1-01", "expected a date"},
        {"24-01-01", "expected a date"},
        {"abcd-01-01", "expected a date"},
        {"2024/01/01", "expected a date"},
        {"2024-01-01T", "expected a time"},
        {"2024-01-01T1:00", "expected a time"},
        {"2024-01-01Tab:cd", "expected a time"},
        {"2024-01-01x10:00", "expected 'T' or ' '"},
        {"2024-01-01Z", "expected 'T' or ' '"},
        {"2024-01-01T10:00:0", "expected seconds"},
        {"2024-01-01T10:00:00.", "expected digits after '.'"},
        {"2024-01-01T10:00:00.Z", "expected digits after '.'"},
        {"2024-01-01T10:00:00+2", "expected an offset"},
        {"2024-01-01T10:00:00+02:0", "expected offset minutes"},
        {"2024-01-01T10:00:00+020", "expected an offset"},
        {"2024-01-01T10:00:00+24:00", "offset is out of range"},
        {"2024-01-01T10:00:00+02:60", "offset is out of range"},
        {"2024-01-01T10:00:00Zjunk", "unexpected text"},
        {"2024-01-01T10:00:00z", "unexpected text"},
        {"2024-01-01T10:00:00 ", "unexpected text"},
        {" 2024-01-01", "expected a date"},
        {"2024-01-01T10:00:00+02:00:00", "unexpected text"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t us = SENTINEL;
        struct tc_error err = {0};
        char quoted[80];
        int rc = tc_time_parse(cases[i].in, (size_t)-1, &us, &err);
        if (rc != TC_EPARSE)
            fail_msg("case %zu \"%s\": got %s, want TC_EPARSE", i, cases[i].in,
                     tc_strerror_name(rc));
        assert_int_equal(err.code, TC_EPARSE);
        assert_int_equal(us, SENTINEL);
        snprintf(quoted, sizeof(quoted), "timestamp \"%s\"", cases[i].in);
        if (!strstr(err.msg, quoted) || !strstr(err.msg, cases[i].why))
            fail_msg("case %zu: message \"%s\" lacks \"%s\" or \"%s\"", i, err.msg, quoted,
                     cases[i].why);
    }
}

static void test_parse_len_and_null(void **state)
{
    int64_t us = SENTINEL;
    struct tc_error err = {0};
    /* LEN bounds the text */
    assert_int_equal(tc_time_parse("2024-01-31T10:00:00Zjunk", 20, &us, &err), 0);
    assert_int_equal(us, INT64_C(1706695200000000));
    assert_int_equal(tc_time_parse("2024-01-31T10:00:00Z", 10, &us, &err), 0);
    assert_int_equal(us, INT64_C(1706659200000000));
    us = SENTINEL;
    assert_int_equal(tc_time_parse("2024-01-31", 9, &us, &err), TC_EPARSE);
    assert_int_equal(us, SENTINEL);
    assert_int_equal(tc_time_parse(NULL, 0, &us, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "no text"));
    assert_int_equal(us, SENTINEL);
    /* a very long text is shown cut short */
    {
        char longtext[600];
        memset(longtext, '9', sizeof(longtext) - 1);
        longtext[sizeof(longtext) - 1] = '\0';
        assert_int_equal(tc_time_parse(longtext, (size_t)-1, &us, &err), TC_EPARSE);
        assert_true(strlen(err.msg) < 150);
        assert_non_null(strstr(err.msg, "...\""));
    }
}

/* Every formatted instant parses back to itself. */
static void test_format_parse_round_trip(void **state)
{
    struct tc_rng rng;
    int i;
    tc_rng_seed(&rng, 7);
    for (i = 0; i < 20000; i++) {
        int64_t us = (int64_t)tc_rng_below(&rng, UINT64_C(253402300800000000) +
                                                      UINT64_C(62167219200000000)) -
                     INT64_C(62167219200000000);
        int64_t back = SENTINEL;
        char buf[TC_TIME_STRLEN];
        assert_int_equal(tc_time_format(us, buf, sizeof(buf)), 27);
        assert_int_equal(tc_time_parse(buf, (size_t)-1, &back, NULL), 0);
        if (back != us)
            fail_msg("\"%s\": %lld != %lld", buf, (long long)back, (long long)us);
    }
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Walks every day of 1600..2400 by hand and checks both conversions. */
static void test_civil_round_trip(void **state)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = tc_days_from_civil(1600, 1, 1);
    int y, m, d;
    assert_int_equal(days, -135140);
    assert_int_equal(tc_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tc_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tc_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(tc_days_from_civil(2400, 12, 31), 157419);
    for (y = 1600; y <= 2400; y++) {
        for (m = 1; m <= 12; m++) {
            int n = dim[m - 1] + (m == 2 && leap(y));
            for (d = 1; d <= n; d++, days++) {
                int yy = 0, mm = 0, dd = 0;
                if (tc_days_from_civil(y, m, d) != days)
                    fail_msg("%04d-%02d-%02d: %lld, want %lld", y, m, d,
                             (long long)tc_days_from_civil(y, m, d), (long long)days);
                tc_civil_from_days(days, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d)
                    fail_msg("day %lld: %04d-%02d-%02d, want %04d-%02d-%02d", (long long)days,
                             yy, mm, dd, y, m, d);
            }
        }
    }
    assert_int_equal(days, 157420);
    /* before year 0 too */
    tc_civil_from_days(tc_days_from_civil(-1, 12, 31), &y, &m, &d);
    assert_int_equal(y, -1);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
}

static void test_manual_clock(void **state)
{
    struct tc_manual_clock mc;
    const struct tc_clock *c = &mc.clock;
    tc_manual_clock_init(&mc, INT64_C(1706695200000000));
    assert_int_equal(tc_clock_now(c), INT64_C(1706695200000000));
    assert_int_equal(tc_clock_monotonic(c), 0);
    assert_int_equal(mc.sleeps, 0);
    tc_clock_sleep(c, 1500);
    tc_clock_sleep(c, 500);
    assert_int_equal(tc_clock_now(c), INT64_C(1706695200002000));
    assert_int_equal(tc_clock_monotonic(c), 2000);
    assert_int_equal(mc.slept_us, 2000);
    assert_int_equal(mc.sleeps, 2);
    /* a negative sleep is counted but does not move time backwards */
    tc_clock_sleep(c, -100);
    assert_int_equal(tc_clock_now(c), INT64_C(1706695200002000));
    assert_int_equal(mc.slept_us, 2000);
    assert_int_equal(mc.sleeps, 3);
    /* setting the time by hand */
    mc.now_us = 42;
    assert_int_equal(tc_clock_now(c), 42);
}

static void test_system_clock(void **state)
{
    int64_t now = tc_clock_now(NULL), m1, m2;
    assert_true(now > INT64_C(1577836800000000));   /* after 2020 */
    assert_true(now < INT64_C(4102444800000000));   /* before 2100 */
    assert_true(tc_clock_system() == tc_clock_system());
    m1 = tc_clock_monotonic(tc_clock_system());
    tc_clock_sleep(NULL, 2000);
    m2 = tc_clock_monotonic(NULL);
    assert_true(m2 - m1 >= 2000);
    tc_clock_sleep(NULL, -5); /* returns at once */
}

static void test_rng(void **state)
{
    struct tc_rng a, b, c;
    int i, counts[10] = {0};
    tc_rng_seed(&a, 42);
    tc_rng_seed(&b, 42);
    tc_rng_seed(&c, 43);
    for (i = 0; i < 1000; i++) {
        uint64_t x = tc_rng_next(&a);
        assert_true(x == tc_rng_next(&b));
        assert_true(x != tc_rng_next(&c));
    }
    /* seed 0 still gives a working generator */
    tc_rng_seed(&a, 0);
    assert_true(tc_rng_next(&a) != 0 || tc_rng_next(&a) != 0);
    for (i = 0; i < 100000; i++) {
        uint64_t x = tc_rng_below(&a, 10);
        assert_true(x < 10);
        counts[x]++;
    }
    for (i = 0; i < 10; i++)
        assert_in_range(counts[i], 9500, 10500);
    assert_int_equal(tc_rng_below(&a, 1), 0);
    for (i = 0; i < 1000; i++)
        assert_true(tc_rng_below(&a, UINT64_MAX) < UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_len_and_null),
        cmocka_unit_test(test_format_parse_round_trip),
        cmocka_unit_test(test_civil_round_trip),
        cmocka_unit_test(test_manual_clock),
        cmocka_unit_test(test_system_clock),
        cmocka_unit_test(test_rng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
