/*
 * Trading calendars of XNYS/XNAS, XLON, XETR and XTKS computed from rules:
 * fixed-date holidays with each exchange's weekend observance, Easter-based
 * and n-th-weekday holidays, rule changes by year, one-off closures and early
 * closes; overrides that take precedence; session open/close in UTC through
 * the exchange's IANA zone (tradecore/tz.h).
 *
 * Sources for the rules are cited next to them. Every calendar refuses dates
 * outside the years its rules were checked for.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/str.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "internal/banned.h"

enum { SUN, MON, TUE, WED, THU, FRI, SAT };

/* What the rules say about one date. */
struct rule_day {
    int closed;
    const char *reason; /* closed: why; open: why early (NULL for regular) */
    int open_min, close_min; /* the regular hours of the day */
    int early_min;           /* an early close, or 0 */
};

struct cal_ov {
    int64_t date;
    enum tc_cal_override_kind kind;
    int close_min;
    char reason[TC_CAL_REASON_MAX];
};

struct tc_calendar {
    const char *mic;
    const char *zone;
    int first_year, last_year;
    int (*rules)(int y, int m, int d, int64_t date, int wd, struct rule_day *rd);
    /* overrides (heap calendars only), sorted by date */
    const struct tc_calendar *base;
    struct cal_ov *ovs;
    size_t n_ovs;
};

static int weekday_of(int64_t days)
{
    return (int)(((days % 7) + 11) % 7);
}

static int64_t civil(int y, int m, int d)
{
    return tc_days_from_civil(y, m, d);
}

/* Day of month of the N-th (1..4) weekday WD of month M, or the last (N = -1). */
static int nth_weekday(int y, int m, int wd, int n)
{
    int first_wd = weekday_of(civil(y, m, 1));
    int first = 1 + (wd - first_wd + 7) % 7;
    int len = tc__days_in_month(y, m);
    if (n > 0)
        return first + (n - 1) * 7;
    while (first + 7 <= len)
        first += 7;
    return first;
}

/*
 * Easter Sunday: the anonymous Gregorian algorithm (Nature, 1876; Meeus,
 * "Astronomical Algorithms", ch. 8). The tests check it against a different
 * method (Gauss's with Lichtenberg's corrections) for 1900..2100.
 */
int64_t tc_calendar_easter(int year)
{
    int a, b, c, d, e, f, g, h, i, k, l, m, month, day;

    if (year < 1583 || year > 9999)
        return INT64_MIN;
    a = year % 19;
    b = year / 100;
    c = year % 100;
    d = b / 4;
    e = b % 4;
    f = (b + 8) / 25;
    g = (b - f + 1) / 3;
    h = (19 * a + b - d - g + 15) % 30;
    i = c / 4;
    k = c % 4;
    l = (32 + 2 * e + 2 * i - h - k) % 7;
    m = (a + 11 * h + 22 * l) / 451;
    month = (h + l - 7 * m + 114) / 31;
    day = (h + l - 7 * m + 114) % 31 + 1;
    return civil(year, month, day);
}

static int closed(struct rule_day *rd, const char *why)
{
    rd->closed = 1;
    rd->reason = why;
    return 0;
}

static int early(struct rule_day *rd, int close_min, const char *why)
{
    rd->early_min = close_min;
    rd->reason = why;
    return 0;
}

struct one_off {
    int y, m, d;
    const char *reason;
};

static const char *find_one_off(const struct one_off *list, size_t n, int y, int m, int d)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].y == y && list[i].m == m && list[i].d == d)
            return list[i].reason;
    return NULL;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Fixed-date holiday M/D in year Y: is DATE the holiday or its observed day?
 * SAT_TO_FRI: a Saturday holiday is observed on the Friday before;
 * SUN_TO_MON: a Sunday holiday on the Monday after. Returns 0 (no), 1 (the day
 * itself), 2 (observed).
 */
static int fixed_holiday(int64_t date, int y, int m, int d, int sat_to_fri, int sun_to_mon)
{
    int64_t h = civil(y, m, d);
    int wd = weekday_of(h);
    if (date == h)
        return 1;
    if (wd == SAT && sat_to_fri && date == h - 1)
        return 2;
    if (wd == SUN && sun_to_mon && date == h + 1)
        return 2;
    return 0;
}

/* ---- XNYS / XNAS --------------------------------------------------------
 * NYSE Rule 7.2 and the NYSE's published holiday and early-close lists.
 * A Saturday holiday is observed on the Friday before, except New Year's Day
 * (the Friday is the end of a yearly accounting period: 2005, 2011, 2022 had
 * no holiday); a Sunday holiday on the Monday after. Martin Luther King Jr.
 * Day since 1998; Juneteenth since 2022. Early closes: 14:00 before 1993,
 * 13:00 since; the day after Thanksgiving since 1992; Christmas Eve on Monday
 * to Thursday; July 3 on Monday, Tuesday and Thursday since 1995, and on
 * Wednesday since 2013; Friday July 5 1995..2012; plus the one-offs below.
 */
static const struct one_off xnys_closures[] = {
    {1994, 4, 27, "closed: national day of mourning for Richard Nixon"},
    {2001, 9, 11, "closed: September 11 attacks"},
    {2001, 9, 12, "closed: September 11 attacks"},
    {2001, 9, 13, "closed: September 11 attacks"},
    {2001, 9, 14, "closed: September 11 attacks"},
    {2004, 6, 11, "closed: national day of mourning for Ronald Reagan"},
    {2007, 1, 2, "closed: national day of mourning for Gerald Ford"},
    {2012, 10, 29, "closed: Hurricane Sandy"},
    {2012, 10, 30, "closed: Hurricane Sandy"},
    {2018, 12, 5, "closed: national day of mourning for George H. W. Bush"},
    {2025, 1, 9, "closed: national day of mourning for Jimmy Carter"},
};

static const struct one_off xnys_early_one_offs[] = {
    {1997, 12, 26, "early close: day after Christmas"},
    {1999, 12, 31, "early close: New Year's Eve 1999"},
    {2003, 12, 26, "early close: day after Christmas"},
};

static int xnys_rules(int y, int m, int d, int64_t date, int wd, struct rule_day *rd)
{
    const char *why;
    int k, early_min = y < 1993 ? 14 * 60 : 13 * 60;

    rd->open_min = 9 * 60 + 30;
    rd->close_min = 16 * 60;
    if (wd == SAT || wd == SUN)
        return closed(rd, "weekend");
    if ((why = find_one_off(xnys_closures, NELEM(xnys_closures), y, m, d)))
        return closed(rd, why);
    if ((k = fixed_holiday(date, y, 1, 1, 0, 1)))
        return closed(rd, k == 1 ? "New Year's Day" : "New Year's Day (observed)");
    if (y >= 1998 && m == 1 && d == nth_weekday(y, 1, MON, 3))
        return closed(rd, "Martin Luther King Jr. Day");
    if (m == 2 && d == nth_weekday(y, 2, MON, 3))
        return closed(rd, "Washington's Birthday");
    if (date == tc_calendar_easter(y) - 2)
        return closed(rd, "Good Friday");
    if (m == 5 && d == nth_weekday(y, 5, MON, -1))
        return closed(rd, "Memorial Day");
    if (y >= 2022 && (k = fixed_holiday(date, y, 6, 19, 1, 1)))
        return closed(rd, k == 1 ? "Juneteenth National Independence Day"
                                 : "Juneteenth National Independence Day (observed)");
    if ((k = fixed_holiday(date, y, 7, 4, 1, 1)))
        return closed(rd, k == 1 ? "Independence Day" : "Independence Day (observed)");
    if (m == 9 && d == nth_weekday(y, 9, MON, 1))
        return closed(rd, "Labor Day");
    if (m == 11 && d == nth_weekday(y, 11, THU, 4))
        return closed(rd, "Thanksgiving Day");
    if ((k = fixed_holiday(date, y, 12, 25, 1, 1)))
        return closed(rd, k == 1 ? "Christmas Day" : "Christmas Day (observed)");

    if ((why = find_one_off(xnys_early_one_offs, NELEM(xnys_early_one_offs), y, m, d)))
        return early(rd, 13 * 60, why);
    if (y >= 1992 && m == 11 && d == nth_weekday(y, 11, THU, 4) + 1)
        return early(rd, early_min, "early close: day after Thanksgiving");
    if (m == 12 && d == 24)
        return early(rd, early_min, "early close: Christmas Eve");
    if (y >= 1995 && m == 7 && d == 3 &&
        (wd == MON || wd == TUE || wd == THU || (wd == WED && y >= 2013)))
        return early(rd, 13 * 60, "early close: day before Independence Day");
    if (y >= 1995 && y < 2013 && m == 7 && d == 5 && wd == FRI)
        return early(rd, 13 * 60, "early close: day after Independence Day");
    return 0;
}

/* ---- XLON ---------------------------------------------------------------
 * England and Wales bank holidays (Banking and Financial Dealings Act 1971
 * and the royal proclamations that moved them): a weekend New Year's Day,
 * Christmas Day or Boxing Day is replaced by the next weekday that is not
 * already a holiday. Early May bank holiday moved to 8 May in 2020 (VE Day);
 * spring bank holiday moved in 2002, 2012 and 2022 for the jubilees, with an
 * extra jubilee day. One-offs: royal wedding 2011-04-29, the state funeral
 * 2022-09-19, the coronation 2023-05-08. The LSE closes at 12:30 on Christmas
 * Eve and New Year's Eve, or on the Friday before when they fall on a weekend.
 */
static const struct one_off xlon_closures[] = {
    {2002, 6, 3, "Golden Jubilee of Elizabeth II"},
    {2002, 6, 4, "Spring bank holiday (moved for the Golden Jubilee)"},
    {2011, 4, 29, "closed: wedding of Prince William and Catherine Middleton"},
    {2012, 6, 4, "Spring bank holiday (moved for the Diamond Jubilee)"},
    {2012, 6, 5, "Diamond Jubilee of Elizabeth II"},
    {2020, 5, 8, "Early May bank holiday (moved for VE Day)"},
    {2022, 6, 2, "Spring bank holiday (moved for the Platinum Jubilee)"},
    {2022, 6, 3, "Platinum Jubilee of Elizabeth II"},
    {2022, 9, 19, "closed: state funeral of Elizabeth II"},
    {2023, 5, 8, "closed: coronation of Charles III"},
};

/* England's substitute days for the year-end holidays: DATE in late December
 * or early January. Returns the reason or NULL. */
static const char *uk_yearend(int64_t date, int y, int m)
{
    int64_t xmas, box, ny, sub_x, sub_b;
    if (m == 1) {
        ny = civil(y, 1, 1);
        if (date == ny)
            return "New Year's Day";
        if (weekday_of(ny) == SAT && date == ny + 2)
            return "New Year's Day (substitute)";
        if (weekday_of(ny) == SUN && date == ny + 1)
            return "New Year's Day (substitute)";
        return NULL;
    }
    xmas = civil(y, 12, 25);
    box = xmas + 1;
    if (date == xmas)
        return "Christmas Day";
    if (date == box)
        return "Boxing Day";
    /* substitutes: the next weekday not already a holiday, Christmas first */
    sub_x = sub_b = 0;
    switch (weekday_of(xmas)) {
    case FRI:
        sub_b = xmas + 3; /* Boxing Day Saturday -> Monday 28 */
        break;
    case SAT:
        sub_x = xmas + 2; /* Monday 27 */
        sub_b = xmas + 3; /* Tuesday 28 */
        break;
    case SUN:
        sub_x = xmas + 2; /* Monday 26 is Boxing Day itself: Tuesday 27 */
        break;
    default:
        break;
    }
    if (sub_x && date == sub_x)
        return "Christmas Day (substitute)";
    if (sub_b && date == sub_b)
        return "Boxing Day (substitute)";
    return NULL;
}

/* The weekday on or before DATE. */
static int64_t weekday_on_or_before(int64_t date)
{
    while (weekday_of(date) == SAT || weekday_of(date) == SUN)
        date--;
    return date;
}

static int xlon_rules(int y, int m, int d, int64_t date, int wd, struct rule_day *rd)
{
    const char *why;
    int64_t easter = tc_calendar_easter(y);

    rd->open_min = 8 * 60;
    rd->close_min = 16 * 60 + 30;
    if (wd == SAT || wd == SUN)
        return closed(rd, "weekend");
    if ((why = find_one_off(xlon_closures, NELEM(xlon_closures), y, m, d)))
        return closed(rd, why);
    if ((m == 1 || m == 12) && (why = uk_yearend(date, y, m)))
        return closed(rd, why);
    if (date == easter - 2)
        return closed(rd, "Good Friday");
    if (date == easter + 1)
        return closed(rd, "Easter Monday");
    if (y != 2020 && m == 5 && d == nth_weekday(y, 5, MON, 1))
        return closed(rd, "Early May bank holiday");
    if (y != 2002 && y != 2012 && y != 2022 && m == 5 && d == nth_weekday(y, 5, MON, -1))
        return closed(rd, "Spring bank holiday");
    if (m == 8 && d == nth_weekday(y, 8, MON, -1))
        return closed(rd, "Summer bank holiday");
    if (date == weekday_on_or_before(civil(y, 12, 24)))
        return early(rd, 12 * 60 + 30, "early close: Christmas Eve");
    if (date == weekday_on_or_before(civil(y, 12, 31)))
        return early(rd, 12 * 60 + 30, "early close: New Year's Eve");
    return 0;
}

/* ---- XETR ---------------------------------------------------------------
 * Deutsche Boerse's Xetra trading calendars: closed on New Year's Day, Good
 * Friday, Easter Monday, 1 May, 24, 25, 26 and 31 December every year; on
 * Whit Monday 2015..2021 and the Day of German Unity 2014..2021 (trading took
 * place on both from 2022); on Reformation Day 2017 (500th anniversary). The
 * last trading day before 31 December closes at 14:00.
 */
static int xetr_rules(int y, int m, int d, int64_t date, int wd, struct rule_day *rd)
{
    int64_t easter = tc_calendar_easter(y);

    rd->open_min = 9 * 60;
    rd->close_min = 17 * 60 + 30;
    if (wd == SAT || wd == SUN)
        return closed(rd, "weekend");
    if (m == 1 && d == 1)
        return closed(rd, "New Year's Day");
    if (date == easter - 2)
        return closed(rd, "Good Friday");
    if (date == easter + 1)
        return closed(rd, "Easter Monday");
    if (m == 5 && d == 1)
        return closed(rd, "Labour Day");
    if (y >= 2015 && y <= 2021 && date == easter + 50)
        return closed(rd, "Whit Monday");
    if (y >= 2014 && y <= 2021 && m == 10 && d == 3)
        return closed(rd, "Day of German Unity");
    if (y == 2017 && m == 10 && d == 31)
        return closed(rd, "Reformation Day (500th anniversary)");
    if (m == 12 && d == 24)
        return closed(rd, "Christmas Eve");
    if (m == 12 && d == 25)
        return closed(rd, "Christmas Day");
    if (m == 12 && d == 26)
        return closed(rd, "Boxing Day");
    if (m == 12 && d == 31)
        return closed(rd, "New Year's Eve");
    if (date == weekday_on_or_before(civil(y, 12, 30)))
        return early(rd, 14 * 60, "early close: last trading day of the year");
    return 0;
}

/* ---- XTKS ---------------------------------------------------------------
 * Japan's Act on National Holidays as amended (Happy Monday system 2000 and
 * 2003; Showa Day and the 2007 substitute-holiday rule; Mountain Day 2016;
 * the Emperor's Birthday moving from 23 December to 23 February with the
 * 2019 succession; the 2019 special holidays; the 2020 and 2021 Olympic
 * moves), the equinox days from the National Astronomical Observatory's
 * formula (valid 1980..2099), and the TSE's year-end closure 31 December to
 * 3 January. One-off: 2020-10-01, trading halted all day by a system failure.
 * The afternoon session ends at 15:30 from 2024-11-05.
 */

/* The equinox day of month: floor(base + 0.242194 (y - 1980) - floor((y - 1980) / 4)),
 * in integer millionths so that no rounding can bite. */
static int equinox_day(int y, long base_micro)
{
    long v = base_micro + 242194L * (y - 1980) - 1000000L * ((y - 1980) / 4);
    return (int)(v / 1000000L);
}

/* The named national holiday on Y-M-D, or NULL (not counting substitute and
 * citizens' holidays). */
static const char *jp_holiday(int y, int m, int d)
{
    switch (m) {
    case 1:
        if (d == 1)
            return "New Year's Day";
        if (d == nth_weekday(y, 1, MON, 2))
            return "Coming of Age Day";
        break;
    case 2:
        if (d == 11)
            return "National Foundation Day";
        if (d == 23 && y >= 2020)
            return "Emperor's Birthday";
        break;
    case 3:
        if (d == equinox_day(y, 20843100L))
            return "Vernal Equinox Day";
        break;
    case 4:
        if (d == 29)
            return "Showa Day";
        if (y == 2019 && d == 30)
            return "national holiday (2019 imperial succession)";
        break;
    case 5:
        if (d == 3)
            return "Constitution Memorial Day";
        if (d == 4)
            return "Greenery Day";
        if (d == 5)
            return "Children's Day";
        if (y == 2019 && d == 1)
            return "Enthronement Day";
        if (y == 2019 && d == 2)
            return "national holiday (2019 imperial succession)";
        break;
    case 7:
        if (y == 2020 ? d == 23 : y == 2021 ? d == 22 : d == nth_weekday(y, 7, MON, 3))
            return "Marine Day";
        if ((y == 2020 && d == 24) || (y == 2021 && d == 23))
            return "Sports Day";
        break;
    case 8:
        if (y >= 2016 && (y == 2020 ? d == 10 : y == 2021 ? d == 8 : d == 11))
            return "Mountain Day";
        break;
    case 9:
        if (d == nth_weekday(y, 9, MON, 3))
            return "Respect for the Aged Day";
        if (d == equinox_day(y, 23248800L))
            return "Autumnal Equinox Day";
        break;
    case 10:
        if (y != 2020 && y != 2021 && d == nth_weekday(y, 10, MON, 2))
            return y >= 2020 ? "Sports Day" : "Health and Sports Day";
        if (y == 2019 && d == 22)
            return "Enthronement Ceremony Day";
        break;
    case 11:
        if (d == 3)
            return "Culture Day";
        if (d == 23)
            return "Labour Thanksgiving Day";
        break;
    case 12:
        if (d == 23 && y <= 2018)
            return "Emperor's Birthday";
        break;
    default:
        break;
    }
    return NULL;
}

static const char *jp_holiday_at(int64_t date)
{
    int y, m, d;
    tc_civil_from_days(date, &y, &m, &d);
    return jp_holiday(y, m, d);
}

static int xtks_rules(int y, int m, int d, int64_t date, int wd, struct rule_day *rd)
{
    const char *why;
    int64_t back;

    rd->open_min = 9 * 60;
    rd->close_min = date >= civil(2024, 11, 5) ? 15 * 60 + 30 : 15 * 60;
    if (wd == SAT || wd == SUN)
        return closed(rd, "weekend");
    if ((m == 12 && d == 31) || (m == 1 && d <= 3))
        return closed(rd, "year-end holidays");
    if (y == 2020 && m == 10 && d == 1)
        return closed(rd, "closed: trading system failure");
    if ((why = jp_holiday(y, m, d)))
        return closed(rd, why);
    /* Substitute holiday (since 2007): when a holiday falls on a Sunday, the
     * next day that is not a holiday. Walk back over the holidays before. */
    for (back = date - 1; jp_holiday_at(back); back--)
        if (weekday_of(back) == SUN)
            return closed(rd, "substitute holiday");
    /* Citizens' holiday: a day between two national holidays. */
    if (jp_holiday_at(date - 1) && jp_holiday_at(date + 1))
        return closed(rd, "citizens' holiday");
    return 0;
}

/* ---- the table ---------------------------------------------------------- */

static const struct tc_calendar builtins[] = {
    {.mic = "XNYS", .zone = "America/New_York", .first_year = 1990, .last_year = 2026,
     .rules = xnys_rules},
    {.mic = "XNAS", .zone = "America/New_York", .first_year = 1990, .last_year = 2026,
     .rules = xnys_rules},
    {.mic = "XLON", .zone = "Europe/London", .first_year = 2000, .last_year = 2026,
     .rules = xlon_rules},
    {.mic = "XETR", .zone = "Europe/Berlin", .first_year = 2010, .last_year = 2026,
     .rules = xetr_rules},
    {.mic = "XTKS", .zone = "Asia/Tokyo", .first_year = 2010, .last_year = 2026,
     .rules = xtks_rules},
};

static int is_builtin(const struct tc_calendar *cal)
{
    return cal >= builtins && cal < builtins + NELEM(builtins);
}

int tc_calendar_get(const char *mic, const struct tc_calendar **out, struct tc_error *err)
{
    if (!mic || !out)
        return tc_error_set(err, TC_EINVAL, "calendar: no MIC given");
    for (size_t i = 0; i < NELEM(builtins); i++) {
        if (strcmp(builtins[i].mic, mic) == 0) {
            *out = &builtins[i];
            return 0;
        }
    }
    return tc_error_set(err, TC_ENOTFOUND,
                        "calendar \"%.32s\": unknown MIC (known: XNYS, XNAS, XLON, XETR, XTKS)",
                        mic);
}

const char *tc_calendar_mic(const struct tc_calendar *cal) { return cal ? cal->mic : ""; }
const char *tc_calendar_zone(const struct tc_calendar *cal) { return cal ? cal->zone : ""; }

void tc_calendar_years(const struct tc_calendar *cal, int *first, int *last)
{
    if (first)
        *first = cal ? cal->first_year : 0;
    if (last)
        *last = cal ? cal->last_year : 0;
}

void tc_date_format(int64_t date, char buf[TC_DATE_STRLEN])
{
    int y, m, d;
    tc_civil_from_days(date, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(buf, TC_DATE_STRLEN, "(bad date)");
        return;
    }
    /* by hand, two digits a step: reports write a date per session and
     * per fill (snprintf costs about ten times as much) */
    memcpy(buf, tc__str_two_digits + 2 * (y / 100), 2);
    memcpy(buf + 2, tc__str_two_digits + 2 * (y % 100), 2);
    buf[4] = '-';
    memcpy(buf + 5, tc__str_two_digits + 2 * m, 2);
    buf[7] = '-';
    memcpy(buf + 8, tc__str_two_digits + 2 * d, 2);
    buf[10] = '\0';
}

int tc_date_parse(const char *s, int64_t *out, struct tc_error *err)
{
    int v[10], y, m, d;

    if (!s || !out)
        return tc_error_set(err, TC_EINVAL, "date: none given");
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                goto bad;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            goto bad;
        v[i] = s[i] - '0';
    }
    if (s[10] != '\0')
        goto bad;
    y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    m = v[5] * 10 + v[6];
    d = v[8] * 10 + v[9];
    if (m < 1 || m > 12)
        return tc_error_set(err, TC_EPARSE, "date \"%s\": month %d is not 1..12", s, m);
    if (d < 1 || d > tc__days_in_month(y, m))
        return tc_error_set(err, TC_EPARSE, "date \"%s\": day %d is not in %04d-%02d", s, d, y,
                            m);
    *out = civil(y, m, d);
    return 0;
bad:
    return tc_error_set(err, TC_EPARSE, "date \"%.40s\": not in the form YYYY-MM-DD", s);
}

static int check_range(const struct tc_calendar *cal, int64_t date, struct tc_error *err)
{
    char buf[TC_DATE_STRLEN];
    if (date >= civil(cal->first_year, 1, 1) && date <= civil(cal->last_year, 12, 31))
        return 0;
    tc_date_format(date, buf);
    return tc_error_set(err, TC_ERANGE,
                        "calendar %s: %s is outside the verified years %d..%d", cal->mic, buf,
                        cal->first_year, cal->last_year);
}

static const struct cal_ov *find_ov(const struct tc_calendar *cal, int64_t date)
{
    size_t lo = 0, hi = cal->n_ovs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->ovs[mid].date == date)
            return &cal->ovs[mid];
        if (cal->ovs[mid].date < date)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Rules then overrides for DATE (already range-checked). REASON gets the text. */
static void classify(const struct tc_calendar *cal, int64_t date, struct rule_day *rd,
                     char reason[TC_CAL_REASON_MAX])
{
    int y, m, d;
    const struct cal_ov *ov;

    tc_civil_from_days(date, &y, &m, &d);
    memset(rd, 0, sizeof(*rd));
    cal->rules(y, m, d, date, weekday_of(date), rd);
    reason[0] = '\0';
    if (rd->reason)
        snprintf(reason, TC_CAL_REASON_MAX, "%s", rd->reason);
    if (!(ov = find_ov(cal, date)))
        goto done;
    snprintf(reason, TC_CAL_REASON_MAX, "%s", ov->reason);
    switch (ov->kind) {
    case TC_CAL_CLOSED:
        rd->closed = 1;
        break;
    case TC_CAL_EARLY_CLOSE:
        rd->closed = 0;
        rd->early_min = ov->close_min;
        break;
    case TC_CAL_OPEN:
        rd->closed = 0;
        rd->early_min = ov->close_min;
        if (!ov->close_min)
            reason[0] = '\0';
        break;
    }
done:
    /* from here on close_min is the day's actual close */
    if (rd->early_min)
        rd->close_min = rd->early_min;
}

static int session_at(const struct tc_calendar *cal, int64_t date)
{
    struct rule_day rd;
    char reason[TC_CAL_REASON_MAX];
    classify(cal, date, &rd, reason);
    return !rd.closed;
}

static int local_instant(const struct tc_tz *tz, int64_t date, int minutes, int64_t *us,
                         struct tc_local_time *lt, struct tc_error *err)
{
    struct tc_wall w;
    int rc;
    tc_civil_from_days(date, &w.year, &w.month, &w.day);
    w.hour = minutes / 60;
    w.minute = minutes % 60;
    w.second = 0;
    if (minutes >= 24 * 60) { /* a close at midnight */
        tc_civil_from_days(date + 1, &w.year, &w.month, &w.day);
        w.hour = 0;
        w.minute = minutes - 24 * 60;
    }
    /* Exchange hours never fall in a DST gap or fold, but be explicit. */
    if ((rc = tc_tz_from_local(tz, &w, TC_TZ_COMPATIBLE, us, NULL, err)) != 0)
        return rc;
    return tc_tz_to_local(tz, *us, lt, err);
}

int tc_calendar_day(const struct tc_calendar *cal, int64_t date, struct tc_cal_day *out,
                    struct tc_error *err)
{
    struct rule_day rd;
    const struct tc_tz *tz;
    int rc;

    if (!cal || !out)
        return tc_error_set(err, TC_EINVAL, "calendar: no calendar or output given");
    if ((rc = check_range(cal, date, err)) != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->date = date;
    classify(cal, date, &rd, out->reason);
    if (rd.closed)
        return 0;
    if ((rc = tc_tz_get(cal->zone, &tz, err)) != 0)
        return tc_error_prefix(err, "calendar %s", cal->mic);
    out->is_session = 1;
    out->is_early_close = out->reason[0] != '\0';
    out->open_min = rd.open_min;
    out->close_min = rd.close_min;
    if ((rc = local_instant(tz, date, rd.open_min, &out->open_us, &out->open_local, err)) != 0 ||
        (rc = local_instant(tz, date, rd.close_min, &out->close_us, &out->close_local, err)) != 0)
        return tc_error_prefix(err, "calendar %s", cal->mic);
    return 0;
}

int tc_calendar_is_session(const struct tc_calendar *cal, int64_t date, int *out,
                           struct tc_error *err)
{
    int rc;
    if (!cal || !out)
        return tc_error_set(err, TC_EINVAL, "calendar: no calendar or output given");
    if ((rc = check_range(cal, date, err)) != 0)
        return rc;
    *out = session_at(cal, date);
    return 0;
}

static int step_session(const struct tc_calendar *cal, int64_t date, int dir, int64_t *out,
                        struct tc_error *err)
{
    int64_t lo, hi, t;
    int rc;
    if (!cal || !out)
        return tc_error_set(err, TC_EINVAL, "calendar: no calendar or output given");
    if ((rc = check_range(cal, date, err)) != 0)
        return rc;
    lo = civil(cal->first_year, 1, 1);
    hi = civil(cal->last_year, 12, 31);
    for (t = date + dir; t >= lo && t <= hi; t += dir) {
        if (session_at(cal, t)) {
            *out = t;
            return 0;
        }
    }
    {
        char buf[TC_DATE_STRLEN];
        tc_date_format(date, buf);
        return tc_error_set(err, TC_ERANGE,
                            "calendar %s: no session %s %s within the verified years %d..%d",
                            cal->mic, dir > 0 ? "after" : "before", buf, cal->first_year,
                            cal->last_year);
    }
}

int tc_calendar_next_session(const struct tc_calendar *cal, int64_t date, int64_t *out,
                             struct tc_error *err)
{
    return step_session(cal, date, 1, out, err);
}

int tc_calendar_prev_session(const struct tc_calendar *cal, int64_t date, int64_t *out,
                             struct tc_error *err)
{
    return step_session(cal, date, -1, out, err);
}

static int check_span(const struct tc_calendar *cal, int64_t from, int64_t to,
                      struct tc_error *err)
{
    int rc;
    if ((rc = check_range(cal, from, err)) != 0 || (rc = check_range(cal, to, err)) != 0)
        return rc;
    if (from > to) {
        char a[TC_DATE_STRLEN], b[TC_DATE_STRLEN];
        tc_date_format(from, a);
        tc_date_format(to, b);
        return tc_error_set(err, TC_EINVAL, "calendar %s: range %s..%s ends before it starts",
                            cal->mic, a, b);
    }
    return 0;
}

int tc_calendar_sessions(const struct tc_calendar *cal, int64_t from, int64_t to, int64_t *buf,
                         size_t cap, size_t *n, struct tc_error *err)
{
    size_t k = 0;
    int rc;
    if (!cal || !n || (cap > 0 && !buf))
        return tc_error_set(err, TC_EINVAL, "calendar: no calendar, buffer or count given");
    if ((rc = check_span(cal, from, to, err)) != 0)
        return rc;
    for (int64_t t = from; t <= to; t++) {
        if (session_at(cal, t)) {
            if (k < cap)
                buf[k] = t;
            k++;
        }
    }
    *n = k;
    if (k > cap)
        return tc_error_set(err, TC_ENOSPC, "calendar %s: %zu sessions do not fit in %zu",
                            cal->mic, k, cap);
    return 0;
}

int tc_calendar_count(const struct tc_calendar *cal, int64_t from, int64_t to, size_t *n,
                      struct tc_error *err)
{
    int rc = tc_calendar_sessions(cal, from, to, NULL, 0, n, err);
    if (rc == TC_ENOSPC) {
        tc_error_clear(err);
        return 0;
    }
    return rc;
}

int tc_calendar_sessions_alloc(const struct tc_calendar *cal, int64_t from, int64_t to,
                               int64_t **out, size_t *n, struct tc_error *err)
{
    size_t count;
    int64_t *buf;
    int rc;
    if (!out || !n)
        return tc_error_set(err, TC_EINVAL, "calendar: no output given");
    if ((rc = tc_calendar_count(cal, from, to, &count, err)) != 0)
        return rc;
    *out = NULL;
    *n = 0;
    if (count == 0)
        return 0;
    if (!(buf = malloc(count * sizeof(*buf))))
        return tc_error_set(err, TC_ENOMEM, "calendar %s: out of memory for %zu sessions",
                            cal->mic, count);
    if ((rc = tc_calendar_sessions(cal, from, to, buf, count, n, err)) != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    return 0;
}

int tc_calendar_session_times(const struct tc_calendar *cal, int64_t date, int64_t *open_us,
                              int64_t *close_us, struct tc_error *err)
{
    struct tc_cal_day day;
    int rc;
    if ((rc = tc_calendar_day(cal, date, &day, err)) != 0)
        return rc;
    if (!day.is_session) {
        char buf[TC_DATE_STRLEN];
        tc_date_format(date, buf);
        return tc_error_set(err, TC_ENOTFOUND, "calendar %s: %s is not a session (%s)", cal->mic,
                            buf, day.reason);
    }
    if (open_us)
        *open_us = day.open_us;
    if (close_us)
        *close_us = day.close_us;
    return 0;
}

/* ---- overrides ---------------------------------------------------------- */

static int cmp_ov(const void *a, const void *b)
{
    const struct cal_ov *x = a, *y = b;
    return (x->date > y->date) - (x->date < y->date);
}

int tc_calendar_with_overrides(const struct tc_calendar *base, const struct tc_cal_override *ov,
                               size_t n, struct tc_calendar **out, struct tc_error *err)
{
    struct tc_calendar *cal = NULL;
    size_t total, i;
    int rc = 0;
    char date[TC_DATE_STRLEN];

    if (!base || !out || (n > 0 && !ov))
        return tc_error_set(err, TC_EINVAL, "calendar: no base calendar, overrides or output");
    if (n > 100000)
        return tc_error_set(err, TC_EINVAL, "calendar %s: too many overrides (%zu)", base->mic, n);
    total = base->n_ovs + n;
    cal = calloc(1, sizeof(*cal));
    if (!cal || !(cal->ovs = calloc(total ? total : 1, sizeof(*cal->ovs)))) {
        rc = tc_error_set(err, TC_ENOMEM, "calendar %s: out of memory", base->mic);
        goto out;
    }
    {
        struct cal_ov *ovs = cal->ovs;
        *cal = *base;
        cal->ovs = ovs;
        cal->n_ovs = 0;
        cal->base = is_builtin(base) ? base : base->base;
    }
    if (base->n_ovs)
        memcpy(cal->ovs, base->ovs, base->n_ovs * sizeof(*cal->ovs));
    for (i = 0; i < n; i++) {
        const struct tc_cal_override *o = &ov[i];
        struct cal_ov *c = &cal->ovs[base->n_ovs + i];
        struct rule_day rd;
        int y, m, d;

        tc_date_format(o->date, date);
        if ((rc = check_range(base, o->date, err)) != 0) {
            tc_error_prefix(err, "override %zu", i);
            goto out;
        }
        if (o->kind != TC_CAL_CLOSED && o->kind != TC_CAL_EARLY_CLOSE && o->kind != TC_CAL_OPEN) {
            rc = tc_error_set(err, TC_EINVAL, "calendar %s: override for %s: unknown kind %d",
                              base->mic, date, (int)o->kind);
            goto out;
        }
        if (o->reason && strlen(o->reason) >= TC_CAL_REASON_MAX) {
            rc = tc_error_set(err, TC_EINVAL,
                              "calendar %s: override for %s: reason longer than %d bytes",
                              base->mic, date, TC_CAL_REASON_MAX - 1);
            goto out;
        }
        tc_civil_from_days(o->date, &y, &m, &d);
        memset(&rd, 0, sizeof(rd));
        base->rules(y, m, d, o->date, MON, &rd);
        if (o->kind != TC_CAL_CLOSED && (o->kind == TC_CAL_EARLY_CLOSE || o->close_min != 0) &&
            (o->close_min <= rd.open_min || o->close_min > 24 * 60)) {
            rc = tc_error_set(err, TC_EINVAL,
                              "calendar %s: override for %s: close time %d min is not after the "
                              "open (%d min) and at most 24:00",
                              base->mic, date, o->close_min, rd.open_min);
            goto out;
        }
        c->date = o->date;
        c->kind = o->kind;
        c->close_min = o->kind == TC_CAL_CLOSED ? 0 : o->close_min;
        snprintf(c->reason, sizeof(c->reason), "%s",
                 o->reason ? o->reason
                 : o->kind == TC_CAL_CLOSED     ? "closed (override)"
                 : o->kind == TC_CAL_EARLY_CLOSE ? "early close (override)"
                                                 : "open (override)");
    }
    cal->n_ovs = total;
    qsort(cal->ovs, total, sizeof(*cal->ovs), cmp_ov);
    for (i = 1; i < total; i++) {
        if (cal->ovs[i].date == cal->ovs[i - 1].date) {
            tc_date_format(cal->ovs[i].date, date);
            rc = tc_error_set(err, TC_ECONFLICT, "calendar %s: two overrides for %s", base->mic,
                              date);
            goto out;
        }
    }
    *out = cal;
    cal = NULL;
out:
    if (cal) {
        free(cal->ovs);
        free(cal);
    }
    return rc;
}

void tc_calendar_free(struct tc_calendar *cal)
{
    if (!cal || is_builtin(cal))
        return;
    free(cal->ovs);
    free(cal);
}
