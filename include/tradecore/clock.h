/*
 * Time: UTC timestamps as microseconds since the Unix epoch, ISO-8601 text,
 * civil dates, and an injectable clock (DESIGN.md rule 6) so that retry,
 * heartbeats and simulations are deterministic in tests.
 *
 * Nothing here uses the process time zone (TZ); local exchange times are the
 * calendar module's business, with explicit IANA zones.
 */
#ifndef TRADECORE_CLOCK_H
#define TRADECORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"

/* "2026-11-21T22:50:00.123456Z" plus NUL. */
#define TC_TIME_STRLEN 32

/*
 * Formats US (microseconds since 1970-01-01T00:00:00Z) as
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ" into BUF. Returns the length, or TC_ERANGE when
 * CAP is too small or the year is outside 0000..9999.
 */
int tc_time_format(int64_t us, char *buf, size_t cap);

/*
 * Parses an ISO-8601 / RFC 3339 timestamp: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.f…]]"
 * with 'T' or ' ' between date and time, and "Z", "+hh:mm", "+hhmm", "+hh" or
 * nothing (= UTC) after it. Fractions beyond microseconds are truncated.
 * Validates field ranges (month 1..12, day within the month, leap years,
 * hour 0..23, minute and second 0..59: a leap second ":60" is refused, offset
 * hours 0..23 and minutes 0..59). The year has exactly four digits; a date
 * alone means midnight UTC. *OUT_US is written only on success.
 * LEN may be (size_t)-1 for a NUL-terminated string. TC_EPARSE names the text
 * and the problem; S NULL is TC_EINVAL.
 */
int tc_time_parse(const char *s, size_t len, int64_t *out_us, struct tc_error *err);

/* Days since 1970-01-01 of the proleptic Gregorian date Y-M-D (no validation). */
int64_t tc_days_from_civil(int y, int m, int d);
/* The inverse of tc_days_from_civil. */
void tc_civil_from_days(int64_t days, int *y, int *m, int *d);

/* An injectable clock. The system clock is tc_clock_system(). */
struct tc_clock {
    int64_t (*now_us)(void *ctx);              /* wall clock, UTC µs since epoch */
    int64_t (*monotonic_us)(void *ctx);        /* monotonic µs, for durations */
    void (*sleep_us)(void *ctx, int64_t us);   /* sleeps (or pretends to) */
    void *ctx;
};

/* The real clock (CLOCK_REALTIME, CLOCK_MONOTONIC, nanosleep). Static, thread-safe. */
const struct tc_clock *tc_clock_system(void);

/* Convenience: CLOCK->now_us(CLOCK->ctx), with NULL meaning the system clock. */
int64_t tc_clock_now(const struct tc_clock *clock);
int64_t tc_clock_monotonic(const struct tc_clock *clock);
void tc_clock_sleep(const struct tc_clock *clock, int64_t us);

/*
 * A manual clock for tests: time moves only when told (sleep advances it).
 * Embed it, tc_manual_clock_init(), then pass &mc->clock.
 */
struct tc_manual_clock {
    struct tc_clock clock;
    int64_t now_us;
    int64_t mono_us;
    int64_t slept_us;   /* total of all sleep_us calls */
    int sleeps;         /* number of sleep_us calls */
};
void tc_manual_clock_init(struct tc_manual_clock *mc, int64_t start_us);

/*
 * An offset clock: another clock (BASE, NULL = system) whose wall time is
 * shifted by OFFSET_US, for testing what a jump of the system's wall clock
 * does (the daemon's `testing.clock_offset_file`). Monotonic time and sleeps
 * are BASE's, unshifted: a wall-clock jump never moves CLOCK_MONOTONIC.
 * Embed it, tc_offset_clock_init(), then pass &oc->clock. The offset may be
 * changed from any thread while the clock is in use (an atomic).
 */
struct tc_offset_clock {
    struct tc_clock clock;
    const struct tc_clock *base;
    _Atomic int64_t offset_us;
};
void tc_offset_clock_init(struct tc_offset_clock *oc, const struct tc_clock *base);
void tc_offset_clock_set(struct tc_offset_clock *oc, int64_t offset_us);
int64_t tc_offset_clock_offset(const struct tc_offset_clock *oc);
/*
 * Reads the offset from the file PATH: one line holding a signed integer
 * number of seconds ("-10800", "+3600", "0"; blanks around it allowed). An
 * absent or empty file means 0. On success sets the offset and returns 0;
 * TC_EPARSE (naming the file and the text) or TC_EIO leave it unchanged.
 */
int tc_offset_clock_load(struct tc_offset_clock *oc, const char *path, struct tc_error *err);

/* A small deterministic PRNG (splitmix64/xoshiro-style), injectable randomness. */
struct tc_rng {
    uint64_t s[4];
};
void tc_rng_seed(struct tc_rng *rng, uint64_t seed);
uint64_t tc_rng_next(struct tc_rng *rng);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t tc_rng_below(struct tc_rng *rng, uint64_t n);

#endif
