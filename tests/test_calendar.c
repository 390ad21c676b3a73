/* Trading calendars: Easter, each exchange's holiday rules, early closes,
 * one-off closures, session times across DST changes, next/previous,
 * ranges, verified years, overrides, and XNYS against real price files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"

#define D(text) tc_test_date(text)
#define utc(text) tc_test_utc(text)
#define cal(mic) tc_test_calendar(mic)

/* Easter by Gauss's method with its two exceptions, a second derivation
 * independent of the library's anonymous Gregorian algorithm. */
static int64_t easter_gauss(int y)
{
    int a = y % 19, b = y % 4, c = y % 7, k = y / 100;
    int p = (13 + 8 * k) / 25, q = k / 4;
    int M = (15 - p + k - q) % 30, N = (4 + k - q) % 7;
    int d = (19 * a + M) % 30, e = (2 * b + 4 * c + 6 * d + N) % 7;
    int day = 22 + d + e; /* March */
    if (d == 29 && e == 6)
        return tc_days_from_civil(y, 4, 19);
    if (d == 28 && e == 6 && (11 * M + 11) % 30 < 19)
        return tc_days_from_civil(y, 4, 18);
    return day > 31 ? tc_days_from_civil(y, 4, day - 31) : tc_days_from_civil(y, 3, day);
}

static void test_easter(void **state)
{
    static const char *known[] = {"1900-04-15", "1943-04-25", "1954-04-18", "1961-04-02",
                                  "2000-04-23", "2008-03-23", "2011-04-24", "2019-04-21",
                                  "2024-03-31", "2025-04-20", "2038-04-25", "2100-03-28",
                                  "1818-03-22", "2285-03-22"};
    (void)state;
    for (int y = 1900; y <= 2100; y++) {
        if (tc_calendar_easter(y) != easter_gauss(y)) {
            char a[TC_DATE_STRLEN], b[TC_DATE_STRLEN];
            tc_date_format(tc_calendar_easter(y), a);
            tc_date_format(easter_gauss(y), b);
            fail_msg("easter %d: %s vs gauss %s", y, a, b);
        }
    }
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        int y = (int)strtol(known[i], NULL, 10);
        assert_int_equal(tc_calendar_easter(y), D(known[i]));
    }
    assert_true(tc_calendar_easter(1582) == INT64_MIN);
    assert_true(tc_calendar_easter(10000) == INT64_MIN);
    assert_true(tc_calendar_easter(-5) == INT64_MIN);
}

struct day_case {
    const char *mic, *date;
    int session;
    int close_min;      /* sessions: the local close */
    const char *reason; /* exact reason ("" for a regular session) */
};

static const struct day_case day_cases[] = {
    /* XNYS observance: Saturday -> Friday, Sunday -> Monday, but never a
     * Friday for a Saturday New Year's Day */
    {"XNYS", "2022-01-01", 0, 0, "weekend"},
    {"XNYS", "2021-12-31", 1, 960, ""},
    {"XNYS", "2010-12-31", 1, 960, ""},
    {"XNYS", "2005-01-01", 0, 0, "weekend"},
    {"XNYS", "2004-12-31", 1, 960, ""},
    {"XNYS", "2017-01-02", 0, 0, "New Year's Day (observed)"},
    {"XNYS", "2024-01-01", 0, 0, "New Year's Day"},
    {"XNYS", "2021-12-24", 0, 0, "Christmas Day (observed)"},
    {"XNYS", "2022-12-26", 0, 0, "Christmas Day (observed)"},
    {"XNYS", "2024-12-25", 0, 0, "Christmas Day"},
    {"XNYS", "2020-07-03", 0, 0, "Independence Day (observed)"},
    {"XNYS", "2021-07-05", 0, 0, "Independence Day (observed)"},
    {"XNYS", "2026-07-03", 0, 0, "Independence Day (observed)"},
    {"XNYS", "2026-07-02", 1, 960, ""},
    {"XNYS", "2021-06-18", 1, 960, ""},
    {"XNYS", "2022-06-20", 0, 0, "Juneteenth National Independence Day (observed)"},
    {"XNYS", "2023-06-19", 0, 0, "Juneteenth National Independence Day"},
    {"XNYS", "2026-06-19", 0, 0, "Juneteenth National Independence Day"},
    {"XNYS", "1997-01-20", 1, 960, ""},
    {"XNYS", "1998-01-19", 0, 0, "Martin Luther King Jr. Day"},
    {"XNYS", "2024-02-19", 0, 0, "Washington's Birthday"},
    {"XNYS", "2024-03-29", 0, 0, "Good Friday"},
    {"XNYS", "2015-04-03", 0, 0, "Good Friday"},
    {"XNYS", "2024-04-01", 1, 960, ""},
    {"XNYS", "2024-05-27", 0, 0, "Memorial Day"},
    {"XNYS", "2024-09-02", 0, 0, "Labor Day"},
    {"XNYS", "2024-10-14", 1, 960, ""}, /* Columbus Day: open */
    {"XNYS", "2024-11-11", 1, 960, ""}, /* Veterans Day: open */
    {"XNYS", "2024-11-28", 0, 0, "Thanksgiving Day"},
    /* one-off closures */
    {"XNYS", "1994-04-27", 0, 0, "closed: national day of mourning for Richard Nixon"},
    {"XNYS", "2001-09-10", 1, 960, ""},
    {"XNYS", "2001-09-11", 0, 0, "closed: September 11 attacks"},
    {"XNYS", "2001-09-14", 0, 0, "closed: September 11 attacks"},
    {"XNYS", "2001-09-17", 1, 960, ""},
    {"XNYS", "2004-06-11", 0, 0, "closed: national day of mourning for Ronald Reagan"},
    {"XNYS", "2007-01-02", 0, 0, "closed: national day of mourning for Gerald Ford"},
    {"XNYS", "2012-10-29", 0, 0, "closed: Hurricane Sandy"},
    {"XNYS", "2012-10-30", 0, 0, "closed: Hurricane Sandy"},
    {"XNYS", "2012-10-31", 1, 960, ""},
    {"XNYS", "2018-12-05", 0, 0, "closed: national day of mourning for George H. W. Bush"},
    {"XNYS", "2025-01-09", 0, 0, "closed: national day of mourning for Jimmy Carter"},
    /* early closes, by the rules of each year */
    {"XNYS", "2024-07-03", 1, 780, "early close: day before Independence Day"},
    {"XNYS", "2019-07-03", 1, 780, "early close: day before Independence Day"},
    {"XNYS", "2013-07-03", 1, 780, "early close: day before Independence Day"},
    {"XNYS", "2002-07-03", 1, 960, ""}, /* a Wednesday before 2013 */
    {"XNYS", "2002-07-05", 1, 780, "early close: day after Independence Day"},
    {"XNYS", "2008-07-03", 1, 780, "early close: day before Independence Day"},
    {"XNYS", "2012-07-03", 1, 780, "early close: day before Independence Day"},
    {"XNYS", "1994-07-01", 1, 960, ""},
    {"XNYS", "2019-07-05", 1, 960, ""}, /* Friday after, since 2013: full day */
    {"XNYS", "2023-11-24", 1, 780, "early close: day after Thanksgiving"},
    {"XNYS", "1992-11-27", 1, 840, "early close: day after Thanksgiving"},
    {"XNYS", "1991-11-29", 1, 960, ""},
    {"XNYS", "2024-12-24", 1, 780, "early close: Christmas Eve"},
    {"XNYS", "1991-12-24", 1, 840, "early close: Christmas Eve"},
    {"XNYS", "2021-12-23", 1, 960, ""},
    {"XNYS", "1999-12-31", 1, 780, "early close: New Year's Eve 1999"},
    {"XNYS", "2003-12-26", 1, 780, "early close: day after Christmas"},
    {"XNYS", "2008-12-26", 1, 960, ""},
    {"XNAS", "2012-10-29", 0, 0, "closed: Hurricane Sandy"},
    {"XNAS", "2024-12-24", 1, 780, "early close: Christmas Eve"},

    /* XLON */
    {"XLON", "2024-04-01", 0, 0, "Easter Monday"},
    {"XLON", "2024-03-29", 0, 0, "Good Friday"},
    {"XLON", "2024-05-06", 0, 0, "Early May bank holiday"},
    {"XLON", "2020-05-04", 1, 990, ""},
    {"XLON", "2020-05-08", 0, 0, "Early May bank holiday (moved for VE Day)"},
    {"XLON", "2022-05-30", 1, 990, ""},
    {"XLON", "2022-06-02", 0, 0, "Spring bank holiday (moved for the Platinum Jubilee)"},
    {"XLON", "2022-06-03", 0, 0, "Platinum Jubilee of Elizabeth II"},
    {"XLON", "2012-05-28", 1, 990, ""},
    {"XLON", "2012-06-05", 0, 0, "Diamond Jubilee of Elizabeth II"},
    {"XLON", "2002-06-03", 0, 0, "Golden Jubilee of Elizabeth II"},
    {"XLON", "2023-05-29", 0, 0, "Spring bank holiday"},
    {"XLON", "2024-08-26", 0, 0, "Summer bank holiday"},
    {"XLON", "2011-04-29", 0, 0, "closed: wedding of Prince William and Catherine Middleton"},
    {"XLON", "2022-09-19", 0, 0, "closed: state funeral of Elizabeth II"},
    {"XLON", "2023-05-08", 0, 0, "closed: coronation of Charles III"},
    {"XLON", "2021-12-27", 0, 0, "Christmas Day (substitute)"},
    {"XLON", "2021-12-28", 0, 0, "Boxing Day (substitute)"},
    {"XLON", "2022-12-26", 0, 0, "Boxing Day"},
    {"XLON", "2022-12-27", 0, 0, "Christmas Day (substitute)"},
    {"XLON", "2020-12-28", 0, 0, "Boxing Day (substitute)"},
    {"XLON", "2022-01-03", 0, 0, "New Year's Day (substitute)"},
    {"XLON", "2023-01-02", 0, 0, "New Year's Day (substitute)"},
    {"XLON", "2024-12-24", 1, 750, "early close: Christmas Eve"},
    {"XLON", "2022-12-23", 1, 750, "early close: Christmas Eve"},
    {"XLON", "2022-12-30", 1, 750, "early close: New Year's Eve"},
    {"XLON", "2024-07-04", 1, 990, ""},

    /* XETR */
    {"XETR", "2024-05-01", 0, 0, "Labour Day"},
    {"XETR", "2024-05-20", 1, 1050, ""},
    {"XETR", "2019-06-10", 0, 0, "Whit Monday"},
    {"XETR", "2013-05-20", 1, 1050, ""},
    {"XETR", "2019-10-03", 0, 0, "Day of German Unity"},
    {"XETR", "2022-10-03", 1, 1050, ""},
    {"XETR", "2017-10-31", 0, 0, "Reformation Day (500th anniversary)"},
    {"XETR", "2018-10-31", 1, 1050, ""},
    {"XETR", "2024-12-24", 0, 0, "Christmas Eve"},
    {"XETR", "2024-12-26", 0, 0, "Boxing Day"},
    {"XETR", "2024-12-31", 0, 0, "New Year's Eve"},
    {"XETR", "2024-12-30", 1, 840, "early close: last trading day of the year"},
    {"XETR", "2018-12-28", 1, 840, "early close: last trading day of the year"},
    {"XETR", "2024-04-01", 0, 0, "Easter Monday"},

    /* XTKS */
    {"XTKS", "2024-01-03", 0, 0, "year-end holidays"},
    {"XTKS", "2024-01-04", 1, 900, ""},
    {"XTKS", "2023-12-29", 1, 900, ""},
    {"XTKS", "2024-12-31", 0, 0, "year-end holidays"},
    {"XTKS", "2024-01-08", 0, 0, "Coming of Age Day"},
    {"XTKS", "2024-02-12", 0, 0, "substitute holiday"},
    {"XTKS", "2020-02-24", 0, 0, "substitute holiday"},
    {"XTKS", "2018-12-24", 0, 0, "substitute holiday"},
    {"XTKS", "2019-12-23", 1, 900, ""},
    {"XTKS", "2018-12-21", 1, 900, ""},
    {"XTKS", "2024-02-23", 0, 0, "Emperor's Birthday"},
    {"XTKS", "2024-03-20", 0, 0, "Vernal Equinox Day"},
    {"XTKS", "2023-03-21", 0, 0, "Vernal Equinox Day"},
    {"XTKS", "2025-09-23", 0, 0, "Autumnal Equinox Day"},
    {"XTKS", "2024-09-23", 0, 0, "substitute holiday"},
    {"XTKS", "2016-09-22", 0, 0, "Autumnal Equinox Day"},
    {"XTKS", "2015-09-22", 0, 0, "citizens' holiday"},
    {"XTKS", "2026-09-22", 0, 0, "citizens' holiday"},
    {"XTKS", "2019-04-30", 0, 0, "national holiday (2019 imperial succession)"},
    {"XTKS", "2019-05-01", 0, 0, "Enthronement Day"},
    {"XTKS", "2019-05-06", 0, 0, "substitute holiday"},
    {"XTKS", "2019-10-22", 0, 0, "Enthronement Ceremony Day"},
    {"XTKS", "2020-07-23", 0, 0, "Marine Day"},
    {"XTKS", "2020-07-24", 0, 0, "Sports Day"},
    {"XTKS", "2020-07-20", 1, 900, ""},
    {"XTKS", "2020-10-12", 1, 900, ""},
    {"XTKS", "2020-08-10", 0, 0, "Mountain Day"},
    {"XTKS", "2021-08-09", 0, 0, "substitute holiday"},
    {"XTKS", "2015-08-11", 1, 900, ""},
    {"XTKS", "2020-10-01", 0, 0, "closed: trading system failure"},
    {"XTKS", "2024-05-06", 0, 0, "substitute holiday"},
    {"XTKS", "2020-05-06", 0, 0, "substitute holiday"}, /* 3 May Sunday, 4 and 5 holidays */
    {"XTKS", "2015-05-06", 0, 0, "substitute holiday"},
    {"XTKS", "2015-05-07", 1, 900, ""},
    {"XTKS", "2024-11-01", 1, 900, ""},
    {"XTKS", "2024-11-05", 1, 930, ""},
};

static void test_days(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(day_cases) / sizeof(day_cases[0]); i++) {
        const struct day_case *c = &day_cases[i];
        struct tc_error err = {0};
        struct tc_cal_day day;
        int is = -1;
        tc_assert_ok(tc_calendar_day(cal(c->mic), D(c->date), &day, &err), &err);
        if (day.is_session != c->session || strcmp(day.reason, c->reason) != 0 ||
            (c->session && day.close_min != c->close_min) ||
            day.is_early_close != (c->session && c->reason[0] != '\0'))
            fail_msg("%s %s: session %d close %d early %d reason \"%s\"", c->mic, c->date,
                     day.is_session, day.close_min, day.is_early_close, day.reason);
        tc_assert_ok(tc_calendar_is_session(cal(c->mic), D(c->date), &is, &err), &err);
        assert_int_equal(is, c->session);
    }
}

/* Open and close in UTC on both sides of DST changes, including both sides of
 * each of the 2007 US rule changes. */
static const struct {
    const char *mic, *date, *open, *close;
} time_cases[] = {
    {"XNYS", "2024-01-02", "2024-01-02T14:30:00Z", "2024-01-02T21:00:00Z"},
    {"XNYS", "2024-07-01", "2024-07-01T13:30:00Z", "2024-07-01T20:00:00Z"},
    {"XNYS", "2024-12-24", "2024-12-24T14:30:00Z", "2024-12-24T18:00:00Z"},
    {"XNYS", "2006-03-13", "2006-03-13T14:30:00Z", "2006-03-13T21:00:00Z"}, /* old rule: winter */
    {"XNYS", "2006-03-31", "2006-03-31T14:30:00Z", "2006-03-31T21:00:00Z"},
    {"XNYS", "2006-04-03", "2006-04-03T13:30:00Z", "2006-04-03T20:00:00Z"},
    {"XNYS", "2006-10-27", "2006-10-27T13:30:00Z", "2006-10-27T20:00:00Z"},
    {"XNYS", "2006-10-30", "2006-10-30T14:30:00Z", "2006-10-30T21:00:00Z"},
    {"XNYS", "2006-11-03", "2006-11-03T14:30:00Z", "2006-11-03T21:00:00Z"},
    {"XNYS", "2007-03-09", "2007-03-09T14:30:00Z", "2007-03-09T21:00:00Z"}, /* new rule */
    {"XNYS", "2007-03-12", "2007-03-12T13:30:00Z", "2007-03-12T20:00:00Z"},
    {"XNYS", "2007-10-29", "2007-10-29T13:30:00Z", "2007-10-29T20:00:00Z"},
    {"XNYS", "2007-11-02", "2007-11-02T13:30:00Z", "2007-11-02T20:00:00Z"},
    {"XNYS", "2007-11-05", "2007-11-05T14:30:00Z", "2007-11-05T21:00:00Z"},
    {"XNYS", "1992-11-27", "1992-11-27T14:30:00Z", "1992-11-27T19:00:00Z"},
    {"XLON", "2024-03-28", "2024-03-28T08:00:00Z", "2024-03-28T16:30:00Z"},
    {"XLON", "2024-04-02", "2024-04-02T07:00:00Z", "2024-04-02T15:30:00Z"},
    {"XLON", "2024-12-24", "2024-12-24T08:00:00Z", "2024-12-24T12:30:00Z"},
    {"XETR", "2024-07-01", "2024-07-01T07:00:00Z", "2024-07-01T15:30:00Z"},
    {"XETR", "2024-12-30", "2024-12-30T08:00:00Z", "2024-12-30T13:00:00Z"},
    {"XTKS", "2024-11-01", "2024-11-01T00:00:00Z", "2024-11-01T06:00:00Z"},
    {"XTKS", "2024-11-05", "2024-11-05T00:00:00Z", "2024-11-05T06:30:00Z"},
};

static void test_session_times(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
        struct tc_error err = {0};
        int64_t o = 0, c = 0;
        tc_assert_ok(tc_calendar_session_times(cal(time_cases[i].mic), D(time_cases[i].date), &o,
                                               &c, &err),
                     &err);
        if (o != utc(time_cases[i].open) || c != utc(time_cases[i].close))
            fail_msg("%s %s: open %lld close %lld", time_cases[i].mic, time_cases[i].date,
                     (long long)o, (long long)c);
    }
    {
        struct tc_error err = {0};
        struct tc_cal_day day;
        int64_t o = 7, c = 7;
        tc_assert_ok(tc_calendar_day(cal("XNYS"), D("2024-01-02"), &day, &err), &err);
        assert_int_equal(day.open_local.wall.hour, 9);
        assert_int_equal(day.open_local.wall.minute, 30);
        assert_int_equal(day.close_local.wall.hour, 16);
        assert_int_equal(day.open_local.utc_offset_s, -18000);
        assert_string_equal(day.open_local.abbr, "EST");
        assert_int_equal(day.open_min, 570);
        /* not a session: the reason in the message, outputs untouched */
        assert_int_equal(tc_calendar_session_times(cal("XNYS"), D("2024-03-29"), &o, &c, &err),
                         TC_ENOTFOUND);
        assert_string_equal(err.msg, "calendar XNYS: 2024-03-29 is not a session (Good Friday)");
        assert_int_equal(o, 7);
        assert_int_equal(c, 7);
    }
}

static const struct {
    const char *mic, *date, *next, *prev;
} step_cases[] = {
    {"XNYS", "2024-12-24", "2024-12-26", "2024-12-23"},
    {"XNYS", "2001-09-10", "2001-09-17", "2001-09-07"},
    {"XNYS", "2001-09-12", "2001-09-17", "2001-09-10"},
    {"XNYS", "2024-03-28", "2024-04-01", "2024-03-27"},
    {"XNYS", "2024-01-02", "2024-01-03", "2023-12-29"},
    {"XNYS", "2024-11-30", "2024-12-02", "2024-11-29"},
    {"XNYS", "2012-10-28", "2012-10-31", "2012-10-26"},
    {"XLON", "2021-12-24", "2021-12-29", "2021-12-23"},
    {"XTKS", "2019-04-26", "2019-05-07", "2019-04-25"},
    {"XTKS", "2024-12-30", "2025-01-06", "2024-12-27"},
    {"XETR", "2024-12-23", "2024-12-27", "2024-12-20"},
};

static void test_next_prev(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(step_cases) / sizeof(step_cases[0]); i++) {
        struct tc_error err = {0};
        int64_t n = 0, p = 0;
        tc_assert_ok(tc_calendar_next_session(cal(step_cases[i].mic), D(step_cases[i].date), &n,
                                              &err),
                     &err);
        tc_assert_ok(tc_calendar_prev_session(cal(step_cases[i].mic), D(step_cases[i].date), &p,
                                              &err),
                     &err);
        if (n != D(step_cases[i].next) || p != D(step_cases[i].prev))
            fail_msg("%s %s: next/prev wrong", step_cases[i].mic, step_cases[i].date);
    }
    {
        struct tc_error err = {0};
        int64_t out = 99;
        assert_int_equal(tc_calendar_next_session(cal("XNYS"), D("2026-12-31"), &out, &err),
                         TC_ERANGE);
        assert_non_null(strstr(err.msg, "no session after 2026-12-31"));
        assert_int_equal(tc_calendar_prev_session(cal("XNYS"), D("1990-01-02"), &out, &err),
                         TC_ERANGE);
        assert_non_null(strstr(err.msg, "no session before 1990-01-02"));
        assert_int_equal(out, 99);
    }
}

static void test_out_of_range(void **state)
{
    static const struct {
        const char *mic, *date, *msg;
    } cases[] = {
        {"XNYS", "1989-12-29", "calendar XNYS: 1989-12-29 is outside the verified years 1990..2026"},
        {"XNYS", "2027-01-04", "calendar XNYS: 2027-01-04 is outside the verified years 1990..2026"},
        {"XLON", "1999-12-31", "calendar XLON: 1999-12-31 is outside the verified years 2000..2026"},
        {"XETR", "2009-12-30", "calendar XETR: 2009-12-30 is outside the verified years 2010..2026"},
        {"XTKS", "2009-12-30", "calendar XTKS: 2009-12-30 is outside the verified years 2010..2026"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_error err = {0};
        struct tc_cal_day day;
        int is = 5;
        int64_t out = 5;
        size_t n = 5;
        const struct tc_calendar *c = cal(cases[i].mic);
        int64_t d = D(cases[i].date);
        assert_int_equal(tc_calendar_day(c, d, &day, &err), TC_ERANGE);
        assert_string_equal(err.msg, cases[i].msg);
        assert_int_equal(tc_calendar_is_session(c, d, &is, &err), TC_ERANGE);
        assert_int_equal(tc_calendar_next_session(c, d, &out, &err), TC_ERANGE);
        assert_int_equal(tc_calendar_prev_session(c, d, &out, &err), TC_ERANGE);
        assert_int_equal(tc_calendar_count(c, d, d, &n, &err), TC_ERANGE);
        assert_string_equal(err.msg, cases[i].msg);
        assert_int_equal(is, 5);
        assert_int_equal(out, 5);
        assert_int_equal(n, 5);
    }
    {
        struct tc_error err = {0};
        const struct tc_calendar *c = (const struct tc_calendar *)&err;
        assert_int_equal(tc_calendar_get("XXXX", &c, &err), TC_ENOTFOUND);
        assert_non_null(strstr(err.msg, "calendar \"XXXX\": unknown MIC"));
        assert_int_equal(tc_calendar_get("xnys", &c, &err), TC_ENOTFOUND);
        assert_int_equal(tc_calendar_get("", &c, &err), TC_ENOTFOUND);
        assert_int_equal(tc_calendar_get(NULL, &c, &err), TC_EINVAL);
        assert_ptr_equal(c, (const struct tc_calendar *)&err);
    }
}

static void test_ranges(void **state)
{
    struct tc_error err = {0};
    size_t n = 0, n2 = 0;
    int64_t buf[400], *all = NULL;
    (void)state;
    /* published session counts */
    tc_assert_ok(tc_calendar_count(cal("XNYS"), D("2024-01-01"), D("2024-12-31"), &n, &err), &err);
    assert_int_equal(n, 252);
    tc_assert_ok(tc_calendar_count(cal("XNYS"), D("2023-01-01"), D("2023-12-31"), &n, &err), &err);
    assert_int_equal(n, 250);
    tc_assert_ok(tc_calendar_count(cal("XNYS"), D("2022-01-01"), D("2022-12-31"), &n, &err), &err);
    assert_int_equal(n, 251);
    tc_assert_ok(tc_calendar_count(cal("XNYS"), D("2024-12-25"), D("2024-12-25"), &n, &err), &err);
    assert_int_equal(n, 0);
    tc_assert_ok(tc_calendar_sessions(cal("XNYS"), D("2024-12-20"), D("2024-12-31"), buf, 400, &n,
                                      &err),
                 &err);
    assert_int_equal(n, 7);
    assert_int_equal(buf[0], D("2024-12-20"));
    assert_int_equal(buf[1], D("2024-12-23"));
    assert_int_equal(buf[3], D("2024-12-26"));
    assert_int_equal(buf[6], D("2024-12-31"));
    /* a buffer too small: the count, the first CAP, TC_ENOSPC */
    memset(buf, 0, sizeof(buf));
    assert_int_equal(tc_calendar_sessions(cal("XNYS"), D("2024-12-20"), D("2024-12-31"), buf, 2,
                                          &n, &err),
                     TC_ENOSPC);
    assert_int_equal(n, 7);
    assert_int_equal(buf[1], D("2024-12-23"));
    assert_int_equal(buf[2], 0);
    assert_non_null(strstr(err.msg, "7 sessions do not fit in 2"));
    tc_assert_ok(tc_calendar_sessions_alloc(cal("XNYS"), D("2024-01-01"), D("2024-12-31"), &all,
                                            &n2, &err),
                 &err);
    assert_int_equal(n2, 252);
    tc_assert_ok(tc_calendar_sessions(cal("XNYS"), D("2024-01-01"), D("2024-12-31"), buf, 400, &n,
                                      &err),
                 &err);
    assert_memory_equal(all, buf, n * sizeof(*buf));
    free(all);
    all = (int64_t *)buf;
    tc_assert_ok(tc_calendar_sessions_alloc(cal("XNYS"), D("2024-12-25"), D("2024-12-25"), &all,
                                            &n2, &err),
                 &err);
    assert_null(all);
    assert_int_equal(n2, 0);
    /* reversed range */
    assert_int_equal(tc_calendar_count(cal("XNYS"), D("2024-12-31"), D("2024-01-01"), &n, &err),
                     TC_EINVAL);
    assert_string_equal(err.msg, "calendar XNYS: range 2024-12-31..2024-01-01 ends before it starts");
}

static void test_date_parse(void **state)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "not in the form YYYY-MM-DD"},        {"2024-1-02", "not in the form"},
        {"2024-01-02x", "not in the form"},        {"2024/01/02", "not in the form"},
        {"2024-13-01", "month 13 is not 1..12"},   {"2024-00-01", "month 0"},
        {"2023-02-29", "day 29 is not in 2023-02"}, {"2024-04-31", "day 31"},
        {"2024-01-00", "day 0"},                    {"-024-01-01", "not in the form"},
        {"1900-02-29", "day 29 is not in 1900-02"}, {"2100-02-29", "day 29 is not in 2100-02"},
        {"2024-02-30", "day 30 is not in 2024-02"}, {"2024-06-31", "day 31 is not in 2024-06"},
        {"2024-11-31", "day 31 is not in 2024-11"}, {"2024-12-32", "day 32 is not in 2024-12"},
    };
    char out[TC_DATE_STRLEN];
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tc_error err = {0};
        int64_t d = 77;
        if (tc_date_parse(bad[i].text, &d, &err) != TC_EPARSE || !strstr(err.msg, bad[i].msg) ||
            !strstr(err.msg, bad[i].text))
            fail_msg("\"%s\": %s", bad[i].text, err.msg);
        assert_int_equal(d, 77);
    }
    assert_int_equal(D("1970-01-01"), 0);
    assert_int_equal(D("2024-02-29"), tc_days_from_civil(2024, 2, 29));
    tc_date_format(D("2000-02-29"), out);
    assert_string_equal(out, "2000-02-29");
}

/* tc_date_format against printf's text: every day of 1590..2410, the first
 * and last days it writes, and the days outside years 0..9999; each text
 * parses back to its day. */
static void test_date_format(void **state)
{
    char out[TC_DATE_STRLEN], want[32];
    int y, m, d;
    (void)state;
    int64_t first = tc_days_from_civil(0, 1, 1), last = tc_days_from_civil(9999, 12, 31);
    int64_t spans[][2] = {{tc_days_from_civil(1590, 1, 1), tc_days_from_civil(2410, 12, 31)},
                          {first, first + 800},
                          {last - 800, last}};
    for (size_t k = 0; k < sizeof(spans) / sizeof(spans[0]); k++)
        for (int64_t day = spans[k][0]; day <= spans[k][1]; day++) {
            tc_civil_from_days(day, &y, &m, &d);
            snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
            memset(out, 'x', sizeof out);
            tc_date_format(day, out);
            if (strcmp(out, want) != 0)
                fail_msg("day %lld: \"%s\", want \"%s\"", (long long)day, out, want);
            int64_t back = -1;
            struct tc_error err = {0};
            if (day >= 0 && (tc_date_parse(out, &back, &err) != 0 || back != day))
                fail_msg("day %lld: \"%s\" parses back as %lld", (long long)day, out,
                         (long long)back);
        }
    tc_date_format(first - 1, out);
    assert_string_equal(out, "(bad date)");
    tc_date_format(last + 1, out);
    assert_string_equal(out, "(bad date)");
}

static void test_overrides(void **state)
{
    const struct tc_cal_override ov[] = {
        {D("2024-07-05"), TC_CAL_CLOSED, 0, "closed: test storm"},
        {D("2024-07-04"), TC_CAL_OPEN, 0, NULL},
        {D("2024-07-06"), TC_CAL_OPEN, 12 * 60, NULL},
        {D("2024-12-24"), TC_CAL_EARLY_CLOSE, 14 * 60, "early close: test"},
        {D("2024-11-29"), TC_CAL_OPEN, 0, NULL},
        {D("2024-07-08"), TC_CAL_CLOSED, 0, NULL},
    };
    struct tc_calendar *c = NULL, *c2 = (struct tc_calendar *)&c;
    struct tc_error err = {0};
    struct tc_cal_day day;
    int64_t next;
    size_t n;
    (void)state;

    tc_assert_ok(tc_calendar_with_overrides(cal("XNYS"), ov, 6, &c, &err), &err);
    assert_string_equal(tc_calendar_mic(c), "XNYS");
    tc_assert_ok(tc_calendar_day(c, D("2024-07-05"), &day, &err), &err);
    assert_false(day.is_session);
    assert_string_equal(day.reason, "closed: test storm");
    tc_assert_ok(tc_calendar_day(c, D("2024-07-08"), &day, &err), &err);
    assert_false(day.is_session);
    assert_string_equal(day.reason, "closed (override)");
    tc_assert_ok(tc_calendar_day(c, D("2024-07-04"), &day, &err), &err);
    assert_true(day.is_session);
    assert_false(day.is_early_close);
    assert_string_equal(day.reason, "");
    assert_int_equal(day.close_us, utc("2024-07-04T20:00:00Z"));
    tc_assert_ok(tc_calendar_day(c, D("2024-07-06"), &day, &err), &err);
    assert_true(day.is_session);
    assert_int_equal(day.close_min, 720);
    assert_string_equal(day.reason, "open (override)");
    tc_assert_ok(tc_calendar_day(c, D("2024-12-24"), &day, &err), &err);
    assert_int_equal(day.close_min, 840);
    assert_string_equal(day.reason, "early close: test");
    tc_assert_ok(tc_calendar_day(c, D("2024-11-29"), &day, &err), &err);
    assert_true(day.is_session);
    assert_false(day.is_early_close);
    assert_int_equal(day.close_min, 960);
    tc_assert_ok(tc_calendar_next_session(c, D("2024-07-03"), &next, &err), &err);
    assert_int_equal(next, D("2024-07-04"));
    tc_assert_ok(tc_calendar_next_session(c, D("2024-07-06"), &next, &err), &err);
    assert_int_equal(next, D("2024-07-09"));
    tc_assert_ok(tc_calendar_count(c, D("2024-07-01"), D("2024-07-31"), &n, &err), &err);
    assert_int_equal(n, 22 + 1 + 1 - 2); /* +07-04 +07-06 -07-05 -07-08 */
    tc_assert_ok(tc_calendar_count(cal("XNYS"), D("2024-07-01"), D("2024-07-31"), &n, &err), &err);
    assert_int_equal(n, 22);
    /* the base calendar did not change */
    tc_assert_ok(tc_calendar_day(cal("XNYS"), D("2024-07-05"), &day, &err), &err);
    assert_true(day.is_session);

    /* stacking: a date already overridden is a conflict */
    {
        const struct tc_cal_override dup[] = {{D("2024-07-05"), TC_CAL_OPEN, 0, NULL}};
        const struct tc_cal_override more[] = {{D("2024-07-09"), TC_CAL_CLOSED, 0, "x"}};
        assert_int_equal(tc_calendar_with_overrides(c, dup, 1, &c2, &err), TC_ECONFLICT);
        assert_string_equal(err.msg, "calendar XNYS: two overrides for 2024-07-05");
        tc_assert_ok(tc_calendar_with_overrides(c, more, 1, &c2, &err), &err);
        tc_assert_ok(tc_calendar_count(c2, D("2024-07-01"), D("2024-07-31"), &n, &err), &err);
        assert_int_equal(n, 21);
        tc_calendar_free(c2);
        c2 = (struct tc_calendar *)&c;
    }
    tc_calendar_free(c);
    tc_calendar_free(NULL);
    tc_calendar_free((struct tc_calendar *)cal("XNYS")); /* ignored */

    {
        char longreason[200];
        static const struct {
            int kind, close_min, rc;
            const char *date, *msg;
        } bad[] = {
            {9, 0, TC_EINVAL, "2024-07-05", "override for 2024-07-05: unknown kind 9"},
            {TC_CAL_EARLY_CLOSE, 0, TC_EINVAL, "2024-07-05", "override for 2024-07-05: close time 0 min"},
            {TC_CAL_EARLY_CLOSE, 500, TC_EINVAL, "2024-07-05", "close time 500 min is not after the open"},
            {TC_CAL_OPEN, 1500, TC_EINVAL, "2024-07-05", "close time 1500 min"},
            {TC_CAL_EARLY_CLOSE, -60, TC_EINVAL, "2024-07-05", "close time -60 min"},
            {TC_CAL_CLOSED, 0, TC_ERANGE, "2030-01-02", "2030-01-02 is outside the verified years 1990..2026"},
            {TC_CAL_CLOSED, 0, TC_ECONFLICT, "2024-07-05", "two overrides for 2024-07-05"},
            {TC_CAL_CLOSED, 0, TC_EINVAL, "2024-07-05", "reason longer than 95 bytes"},
        };
        memset(longreason, 'r', sizeof(longreason) - 1);
        longreason[sizeof(longreason) - 1] = '\0';
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            struct tc_cal_override o[2] = {
                {D(bad[i].date), (enum tc_cal_override_kind)bad[i].kind, bad[i].close_min,
                 strstr(bad[i].msg, "reason") ? longreason : NULL},
                {D("2024-07-05"), TC_CAL_CLOSED, 0, NULL},
            };
            size_t cnt = bad[i].rc == TC_ECONFLICT ? 2 : 1;
            tc_error_clear(&err);
            if (tc_calendar_with_overrides(cal("XNYS"), o, cnt, &c2, &err) != bad[i].rc ||
                !strstr(err.msg, bad[i].msg))
                fail_msg("bad override %zu: %s", i, err.msg);
            assert_ptr_equal(c2, (struct tc_calendar *)&c);
        }
    }
}

/* The trading days of real daily price files are exactly the XNYS sessions. */
static void check_file(const char *name)
{
    char path[1024], line[512];
    FILE *f;
    int64_t *days = malloc(sizeof(int64_t) * 8000), *sessions = NULL;
    size_t n = 0, ns = 0, i = 0, j = 0;
    int lineno = 0, bad = 0;
    struct tc_error err = {0};

    snprintf(path, sizeof(path), "%s/%s", tc_test_data(), name);
    f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    while (fgets(line, sizeof(line), f)) {
        if (++lineno == 1)
            continue; /* header */
        line[10] = '\0';
        tc_assert_ok(tc_date_parse(line, &days[n], &err), &err);
        n++;
        assert_true(n < 8000);
    }
    fclose(f);
    assert_true(n > 1000);
    tc_assert_ok(tc_calendar_sessions_alloc(cal("XNYS"), days[0], days[n - 1], &sessions, &ns, &err),
                 &err);
    while (i < n || j < ns) {
        char buf[TC_DATE_STRLEN];
        if (j >= ns || (i < n && days[i] < sessions[j])) {
            tc_date_format(days[i++], buf);
            fprintf(stderr, "%s: %s has data but is not a session\n", name, buf);
            bad++;
        } else if (i >= n || sessions[j] < days[i]) {
            tc_date_format(sessions[j++], buf);
            fprintf(stderr, "%s: %s is a session without data\n", name, buf);
            bad++;
        } else {
            i++;
            j++;
        }
    }
    free(days);
    free(sessions);
    if (bad)
        fail_msg("%s: %d disagreements with the XNYS calendar", name, bad);
}

static void test_data_files(void **state)
{
    (void)state;
    check_file("orcl-1995-2014.txt");
    check_file("yhoo-1996-2014.txt");
    check_file("nvda-1999-2014.txt");
}

/* The date of DAYS by the era arithmetic (days since 0000-03-01 in
 * 400-year eras of 146097 days, years from March): the reference for
 * tc_civil_from_days and so for tc_date_format's digits. */
static void civil_ref(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = (days > INT64_MAX - 719468 ? INT64_MAX - 719468 : days) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

static void check_civil(int64_t days)
{
    int64_t ry;
    int rm, rd, y = -1, m = -1, d = -1;
    civil_ref(days, &ry, &rm, &rd);
    tc_civil_from_days(days, &y, &m, &d);
    if (y != (int)ry || m != rm || d != rd)
        fail_msg("day %lld: %d-%d-%d, want %lld-%d-%d", (long long)days, y, m, d, (long long)ry,
                 rm, rd);
}

/* tc_civil_from_days against the era arithmetic: every day of years
 * -36,000..36,000 (the fast range's lower end and days before it), every
 * day around the fast range's upper end (about year 2,700,000), the ends
 * of int64_t, a million random days across the whole range and a million
 * in the years 0..9999; each output pointer may be NULL. */
static void test_civil_from_days(void **state)
{
    (void)state;
    int64_t lo = tc_days_from_civil(-36000, 1, 1), hi = tc_days_from_civil(36000, 12, 31);
    for (int64_t day = lo; day <= hi; day++)
        check_civil(day);
    for (int64_t day = 1000000000 - 12699422 - 100000; day < 1000000000 - 12699422 + 100000;
         day++)
        check_civil(day);
    const int64_t edges[] = {INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1,
                             INT64_MAX - 719468, INT64_MAX - 719469, -12699422, -12699423,
                             -12699421, 0, -1, 1, 2932896};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        check_civil(edges[i]);
    struct tc_rng rng;
    tc_rng_seed(&rng, 20261122);
    int64_t first = tc_days_from_civil(0, 1, 1), span = tc_days_from_civil(9999, 12, 31) - first;
    for (int i = 0; i < 1000000; i++) {
        check_civil((int64_t)tc_rng_next(&rng));
        check_civil(first + (int64_t)tc_rng_below(&rng, (uint64_t)span + 1));
    }
    int y = 0, m = 0, d = 0;
    tc_civil_from_days(tc_days_from_civil(2024, 2, 29), &y, NULL, NULL);
    tc_civil_from_days(tc_days_from_civil(2024, 2, 29), NULL, &m, NULL);
    tc_civil_from_days(tc_days_from_civil(2024, 2, 29), NULL, NULL, &d);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    tc_civil_from_days(INT64_MIN, NULL, NULL, NULL); /* nothing written, no fault */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_easter),       cmocka_unit_test(test_days),
        cmocka_unit_test(test_session_times), cmocka_unit_test(test_next_prev),
        cmocka_unit_test(test_out_of_range), cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_date_parse),   cmocka_unit_test(test_date_format),
        cmocka_unit_test(test_civil_from_days),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_data_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
