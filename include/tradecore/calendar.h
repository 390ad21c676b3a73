/*
 * Trading calendars: which dates are sessions of an exchange, when each
 * session opens and closes (local time and UTC), and why a date is not one.
 *
 * Dates are int64_t days since 1970-01-01 (tc_days_from_civil in
 * tradecore/clock.h), always meaning a civil date in the exchange's own zone.
 * Instants are UTC microseconds since the epoch.
 *
 * Built-in calendars (by ISO 10383 MIC), computed from rules (weekends,
 * fixed-date holidays with each exchange's observance rule, Easter-based and
 * n-th-weekday holidays, rule changes by year) plus the one-off closures:
 *   XNYS, XNAS  New York, 09:30-16:00 America/New_York, years 1990..2026
 *   XLON        London,   08:00-16:30 Europe/London,    years 2000..2026
 *   XETR        Xetra,    09:00-17:30 Europe/Berlin,    years 2010..2026
 *   XTKS        Tokyo,    09:00-15:00 (15:30 from 2024-11-05) Asia/Tokyo,
 *               years 2010..2026 (the lunch break is not modelled)
 * Each calendar's rules were checked for its years only: a date outside them
 * is TC_ERANGE (the message says which years are verified), never a guess.
 *
 * Built-in calendars are static and immutable; every function here is
 * thread-safe for them and for a calendar with overrides that no thread frees.
 */
#ifndef TRADECORE_CALENDAR_H
#define TRADECORE_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"
#include "tradecore/tz.h"

struct tc_calendar;

/* "YYYY-MM-DD" plus NUL. */
#define TC_DATE_STRLEN 11
/* Longest reason text, plus NUL. */
#define TC_CAL_REASON_MAX 96

/*
 * Finds the built-in calendar for MIC ("XNYS", case-sensitive). *OUT is
 * static: never free it. TC_ENOTFOUND names the MIC; TC_EINVAL for NULL.
 */
int tc_calendar_get(const char *mic, const struct tc_calendar **out, struct tc_error *err);

/* The MIC, the IANA zone name, and the first and last verified years. */
const char *tc_calendar_mic(const struct tc_calendar *cal);
const char *tc_calendar_zone(const struct tc_calendar *cal);
void tc_calendar_years(const struct tc_calendar *cal, int *first, int *last);

/* An override of the rules for one date (e.g. a row of calendar_overrides). */
enum tc_cal_override_kind {
    TC_CAL_CLOSED = 1,      /* no session that day */
    TC_CAL_EARLY_CLOSE = 2, /* a session that closes at close_min */
    TC_CAL_OPEN = 3,        /* a session (regular hours, or closing at close_min) */
};

struct tc_cal_override {
    int64_t date;                     /* days since 1970-01-01 */
    enum tc_cal_override_kind kind;
    int close_min;    /* local minutes after midnight: required (> open) for
                         EARLY_CLOSE; for OPEN 0 means the regular close */
    const char *reason; /* copied; NULL gives "closed (override)" etc. */
};

/*
 * Makes a calendar that follows BASE but lets the N overrides in OV take
 * precedence over its rules. The overrides are copied; *OUT is owned by the
 * caller (tc_calendar_free). BASE's own overrides, if any, are kept.
 * Errors (nothing is created): TC_EINVAL for an unknown kind, a missing or
 * impossible close time, a reason longer than TC_CAL_REASON_MAX - 1;
 * TC_ERANGE for a date outside the verified years; TC_ECONFLICT for two
 * overrides of the same date; TC_ENOMEM. Messages name the date.
 */
int tc_calendar_with_overrides(const struct tc_calendar *base, const struct tc_cal_override *ov,
                               size_t n, struct tc_calendar **out, struct tc_error *err);

/* Frees a calendar from tc_calendar_with_overrides; NULL and built-in
 * calendars are ignored. */
void tc_calendar_free(struct tc_calendar *cal);

/* Everything known about one date. */
struct tc_cal_day {
    int64_t date;
    int is_session;
    int is_early_close;
    /* Why it is not a session ("weekend", "Good Friday", "Christmas Day
     * (observed)", "closed: Hurricane Sandy"), or why it closes early
     * ("early close: Christmas Eve"); empty for a regular session. */
    char reason[TC_CAL_REASON_MAX];
    /* Sessions only (zero otherwise): */
    int open_min, close_min;        /* local minutes after midnight */
    int64_t open_us, close_us;      /* UTC µs since the epoch */
    struct tc_local_time open_local, close_local;
};

/*
 * Describes DATE. Errors: TC_ERANGE outside the verified years; TC_ENOTFOUND
 * or TC_EPARSE if the zone cannot be loaded.
 */
int tc_calendar_day(const struct tc_calendar *cal, int64_t date, struct tc_cal_day *out,
                    struct tc_error *err);

/* *OUT = 1 if DATE is a session, else 0. TC_ERANGE outside the years. */
int tc_calendar_is_session(const struct tc_calendar *cal, int64_t date, int *out,
                           struct tc_error *err);

/*
 * The first session strictly after (next) or strictly before (prev) DATE.
 * TC_ERANGE when DATE, or the session sought, is outside the verified years.
 */
int tc_calendar_next_session(const struct tc_calendar *cal, int64_t date, int64_t *out,
                             struct tc_error *err);
int tc_calendar_prev_session(const struct tc_calendar *cal, int64_t date, int64_t *out,
                             struct tc_error *err);

/*
 * The sessions in [FROM, TO] (both inclusive), ascending, into the caller's
 * BUF of CAP dates. *N is set to the number of sessions in the range even when
 * BUF is too small, in which case TC_ENOSPC is returned and BUF holds the
 * first CAP. BUF may be NULL when CAP is 0. TC_EINVAL when FROM > TO;
 * TC_ERANGE when either end is outside the verified years.
 */
int tc_calendar_sessions(const struct tc_calendar *cal, int64_t from, int64_t to, int64_t *buf,
                         size_t cap, size_t *n, struct tc_error *err);

/* As tc_calendar_sessions, into a malloc'd array the caller frees with free()
 * (*OUT is NULL when there are no sessions). */
int tc_calendar_sessions_alloc(const struct tc_calendar *cal, int64_t from, int64_t to,
                               int64_t **out, size_t *n, struct tc_error *err);

/* The number of sessions in [FROM, TO], both inclusive. Errors as above. */
int tc_calendar_count(const struct tc_calendar *cal, int64_t from, int64_t to, size_t *n,
                      struct tc_error *err);

/*
 * Open and close of the session on DATE, UTC µs. TC_ENOTFOUND (with the
 * reason in the message) when DATE is not a session; TC_ERANGE as above.
 */
int tc_calendar_session_times(const struct tc_calendar *cal, int64_t date, int64_t *open_us,
                              int64_t *close_us, struct tc_error *err);

/* Easter Sunday of YEAR (Gregorian computus), as days since 1970-01-01.
 * Defined for years 1583..9999; other years return INT64_MIN. */
int64_t tc_calendar_easter(int year);

/*
 * Parses a strict "YYYY-MM-DD" (validated month and day) into days since
 * 1970-01-01. TC_EPARSE names the text.
 */
int tc_date_parse(const char *s, int64_t *out, struct tc_error *err);

/* Writes DATE as "YYYY-MM-DD" into BUF (at least TC_DATE_STRLEN bytes). */
void tc_date_format(int64_t date, char buf[TC_DATE_STRLEN]);

#endif
