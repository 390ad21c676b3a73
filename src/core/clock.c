/*
 * Time: ISO-8601 text for UTC microsecond timestamps, proleptic Gregorian
 * date arithmetic (days from civil and back), the system and manual clocks,
 * and a small deterministic PRNG (xoshiro256** seeded through splitmix64).
 * Nothing reads the process time zone.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/civil.h"
#include "tradecore/clock.h"
#include "internal/banned.h"

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)

/* ------------------------------------------------------------------------ */
/* Civil dates                                                               */

/*
 * Counting from 0000-03-01 makes February the last month of a year, so the
 * leap day falls at the end and every 400-year era has exactly 146097 days.
 */
int64_t tc_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                          /* 0..399 */
    int64_t mp = m > 2 ? m - 3 : m + 9;                    /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;              /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   /* 0..146096 */
    return era * 146097 + doe - 719468;                    /* 719468: 0000-03-01 to 1970-01-01 */
}

/* Days from this many 400-year eras before 0000-03-01 (so that every day of
 * the fast range below counts up from 0 in 32 bits). */
#define CIVIL_ERAS 82
#define CIVIL_SHIFT (719468 + 146097 * CIVIL_ERAS)

void tc_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    /* The days of years -32,800 to about +2,900,000 (reports write dates
     * per row): unsigned 32-bit steps whose divisions by constants are
     * multiplies and shifts (the century and the year from 4n + 3, the
     * month and day from a linear map of the day of the year whose March
     * starts at 0), the same dates as the general steps below. */
    if (days >= -CIVIL_SHIFT && days < 1000000000 - CIVIL_SHIFT) {
        uint32_t n = (uint32_t)(days + CIVIL_SHIFT);
        uint32_t n1 = 4 * n + 3;
        uint32_t cent = n1 / 146097, nc = n1 % 146097 / 4; /* day of the century */
        uint64_t p = (uint64_t)2939745 * (4 * nc + 3);
        uint32_t yoc = (uint32_t)(p >> 32);                   /* year of the century */
        uint32_t doy = (uint32_t)p / 2939745 / 4;             /* 0 = March 1 */
        uint32_t n3 = 2141 * doy + 197913;
        uint32_t jan = doy >= 306;                            /* January or February */
        if (y)
            *y = (int)(100 * cent + yoc) - 400 * CIVIL_ERAS + (int)jan;
        if (m)
            *m = (int)((n3 >> 16) - 12 * jan);
        if (d)
            *d = (int)((n3 & 0xFFFF) / 2141 + 1);
        return;
    }
    /* Keep the shift below from overflowing; such dates are meaningless anyway. */
    int64_t z = (days > INT64_MAX - 719468 ? INT64_MAX - 719468 : days) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    if (y)
        *y = (int)(yoe + era * 400 + (mm <= 2));
    if (m)
        *m = (int)mm;
    if (d)
        *d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

/* ------------------------------------------------------------------------ */
/* ISO-8601                                                                  */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int tc_time_format(int64_t us, char *buf, size_t cap)
{
    int64_t days = floor_div(us, US_PER_DAY);
    int64_t rem = us % US_PER_DAY; /* made 0 .. US_PER_DAY-1 below */
    int64_t secs, frac;
    int y, m, d, n;

    if (rem < 0)
        rem += US_PER_DAY;
    secs = rem / US_PER_SEC;
    frac = rem % US_PER_SEC;

    if (buf && cap > 0)
        buf[0] = '\0';
    tc_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999 || !buf || cap < 28)
        return TC_ERANGE;
    n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d,
                 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), (int)frac);
    return n;
}

struct scan {
    const char *s;
    size_t len, i;
};

/* Reads exactly N digits into *OUT. */
static int scan_digits(struct scan *sc, int n, int *out)
{
    int v = 0, k;
    for (k = 0; k < n; k++) {
        char c;
        if (sc->i >= sc->len)
            return -1;
        c = sc->s[sc->i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
        sc->i++;
    }
    *out = v;
    return 0;
}

static int scan_char(struct scan *sc, char c)
{
    if (sc->i < sc->len && sc->s[sc->i] == c) {
        sc->i++;
        return 1;
    }
    return 0;
}

#define TIME_SHOW_MAX 64

static int time_fail(struct tc_error *err, const struct scan *sc, const char *why)
{
    int show = (int)(sc->len > TIME_SHOW_MAX ? TIME_SHOW_MAX : sc->len);
    return tc_error_set(err, TC_EPARSE, "timestamp \"%.*s%s\": %s", show, sc->s,
                        sc->len > TIME_SHOW_MAX ? "..." : "", why);
}

int tc_time_parse(const char *s, size_t len, int64_t *out_us, struct tc_error *err)
{
    struct scan sc;
    int y, mo, d, hh = 0, mi = 0, ss = 0, frac_us = 0;
    int64_t offset_s = 0, us;

    if (!s)
        return tc_error_set(err, TC_EINVAL, "timestamp: no text given");
    if (len == (size_t)-1)
        len = strlen(s);
    sc.s = s;
    sc.len = len;
    sc.i = 0;
    if (len == 0)
        return time_fail(err, &sc, "empty text");

    if (scan_digits(&sc, 4, &y) || !scan_char(&sc, '-') || scan_digits(&sc, 2, &mo) ||
        !scan_char(&sc, '-') || scan_digits(&sc, 2, &d))
        return time_fail(err, &sc, "expected a date YYYY-MM-DD");
    if (mo < 1 || mo > 12)
        return time_fail(err, &sc, "month is not 1..12");
    if (d < 1 || d > tc__days_in_month(y, mo))
        return time_fail(err, &sc, "day is not in the month");

    if (sc.i < len) {
        if (!scan_char(&sc, 'T') && !scan_char(&sc, ' '))
            return time_fail(err, &sc, "expected 'T' or ' ' after the date");
        if (scan_digits(&sc, 2, &hh) || !scan_char(&sc, ':') || scan_digits(&sc, 2, &mi))
            return time_fail(err, &sc, "expected a time HH:MM");
        if (scan_char(&sc, ':')) {
            if (scan_digits(&sc, 2, &ss))
                return time_fail(err, &sc, "expected seconds SS");
            if (scan_char(&sc, '.')) {
                int nf = 0;
                while (sc.i < len && s[sc.i] >= '0' && s[sc.i] <= '9') {
                    if (nf < 6)
                        frac_us = frac_us * 10 + (s[sc.i] - '0');
                    nf++;
                    sc.i++;
                }
                if (nf == 0)
                    return time_fail(err, &sc, "expected digits after '.'");
                for (; nf < 6; nf++)
                    frac_us *= 10;
            }
        }
        if (hh > 23)
            return time_fail(err, &sc, "hour is not 0..23");
        if (mi > 59)
            return time_fail(err, &sc, "minute is not 0..59");
        if (ss > 59)
            return time_fail(err, &sc, "second is not 0..59");
        if (scan_char(&sc, 'Z')) {
            /* UTC */
        } else if (sc.i < len && (s[sc.i] == '+' || s[sc.i] == '-')) {
            int sign = s[sc.i] == '-' ? -1 : 1, oh, om = 0;
            sc.i++;
            if (scan_digits(&sc, 2, &oh))
                return time_fail(err, &sc, "expected an offset +hh:mm, +hhmm or +hh");
            if (scan_char(&sc, ':')) {
                if (scan_digits(&sc, 2, &om))
                    return time_fail(err, &sc, "expected offset minutes after ':'");
            } else if (sc.i < len && scan_digits(&sc, 2, &om)) {
                return time_fail(err, &sc, "expected an offset +hh:mm, +hhmm or +hh");
            }
            if (oh > 23 || om > 59)
                return time_fail(err, &sc, "offset is out of range");
            offset_s = sign * (oh * 3600 + om * 60);
        }
    }
    if (sc.i != len)
        return time_fail(err, &sc, "unexpected text after the timestamp");

    us = tc_days_from_civil(y, mo, d) * US_PER_DAY +
         ((int64_t)hh * 3600 + mi * 60 + ss - offset_s) * US_PER_SEC + frac_us;
    if (out_us)
        *out_us = us;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Clocks                                                                    */

static int64_t ts_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

static int64_t sys_now(void *ctx) { return ts_us(CLOCK_REALTIME); }
static int64_t sys_mono(void *ctx) { return ts_us(CLOCK_MONOTONIC); }

static void sys_sleep(void *ctx, int64_t us)
{
    struct timespec req, rem;
    if (us <= 0)
        return;
    req.tv_sec = (time_t)(us / US_PER_SEC);
    req.tv_nsec = (long)(us % US_PER_SEC) * 1000;
    while (nanosleep(&req, &rem) != 0 && errno == EINTR)
        req = rem;
}

static const struct tc_clock system_clock = {
    .now_us = sys_now,
    .monotonic_us = sys_mono,
    .sleep_us = sys_sleep,
    .ctx = NULL,
};

const struct tc_clock *tc_clock_system(void) { return &system_clock; }

int64_t tc_clock_now(const struct tc_clock *clock)
{
    if (!clock)
        clock = &system_clock;
    return clock->now_us(clock->ctx);
}

int64_t tc_clock_monotonic(const struct tc_clock *clock)
{
    if (!clock)
        clock = &system_clock;
    return clock->monotonic_us(clock->ctx);
}

void tc_clock_sleep(const struct tc_clock *clock, int64_t us)
{
    if (!clock)
        clock = &system_clock;
    clock->sleep_us(clock->ctx, us);
}

static int64_t manual_now(void *ctx) { return ((struct tc_manual_clock *)ctx)->now_us; }
static int64_t manual_mono(void *ctx) { return ((struct tc_manual_clock *)ctx)->mono_us; }

static void manual_sleep(void *ctx, int64_t us)
{
    struct tc_manual_clock *mc = ctx;
    if (us < 0)
        us = 0;
    mc->now_us += us;
    mc->mono_us += us;
    mc->slept_us += us;
    mc->sleeps++;
}

void tc_manual_clock_init(struct tc_manual_clock *mc, int64_t start_us)
{
    memset(mc, 0, sizeof(*mc));
    mc->clock.now_us = manual_now;
    mc->clock.monotonic_us = manual_mono;
    mc->clock.sleep_us = manual_sleep;
    mc->clock.ctx = mc;
    mc->now_us = start_us;
    mc->mono_us = 0;
}

/* ------------------------------------------------------------------------ */
/* PRNG                                                                      */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void tc_rng_seed(struct tc_rng *rng, uint64_t seed)
{
    int k;
    for (k = 0; k < 4; k++)
        rng->s[k] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t tc_rng_next(struct tc_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t tc_rng_below(struct tc_rng *rng, uint64_t n)
{
    /* Reject the low 2^64 mod n values so that every residue is equally likely. */
    uint64_t threshold, r;
    if (n <= 1)
        return 0;
    threshold = (0 - n) % n;
    do
        r = tc_rng_next(rng);
    while (r < threshold);
    return r % n;
}
