/* Synthetic daily bars: deterministic random walks written as Yahoo-format
 * CSV files, one per instrument, on a calendar's sessions (or weekdays past
 * its verified years). Rows are formatted by hand into one buffer per file:
 * 100 files of 5,000 bars take a fraction of a second. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/genbars.h"
#include "internal/banned.h"

#define MICRO INT64_C(1000000)
#define PRICE_MIN (MICRO / 100)          /* 0.01 */
#define PRICE_MAX (MICRO * 1000000)      /* 1,000,000 */
#define ROW_MAX 128                      /* longest row, generously */
#define PATH_CAP 4096

static int check_options(const struct tc_genbars_options *opt, struct tc_error *err)
{
    if (!opt)
        return tc_error_set(err, TC_EINVAL, "gen-bars: NULL options");
    if (opt->instruments < 1 || opt->instruments > TC_GENBARS_INSTRUMENTS_MAX)
        return tc_error_set(err, TC_EINVAL, "gen-bars: instruments %d is not in 1..%d",
                            opt->instruments, TC_GENBARS_INSTRUMENTS_MAX);
    if (opt->bars < 1 || opt->bars > TC_GENBARS_BARS_MAX)
        return tc_error_set(err, TC_EINVAL, "gen-bars: bars %d is not in 1..%d", opt->bars,
                            TC_GENBARS_BARS_MAX);
    /* 0001-01-01 .. 9999-12-31 leaves room for a million weekdays before 9999 */
    if (opt->has_start && (opt->start_day < tc_days_from_civil(1, 1, 1) ||
                           opt->start_day > tc_days_from_civil(5000, 12, 31)))
        return tc_error_set(err, TC_EINVAL, "gen-bars: start day %lld is not in 0001..5000",
                            (long long)opt->start_day);
    return 0;
}

static int weekday_of(int64_t day)
{
    /* 1970-01-01 was a Thursday: 0 = Monday … 6 = Sunday */
    int64_t w = (day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int tc_genbars_days(const struct tc_genbars_options *opt, int64_t **out_days, int *weekdays,
                    struct tc_error *err)
{
    const struct tc_calendar *cal;
    const char *mic;
    int first, last, rc;
    int64_t start, *days = NULL;
    size_t n = 0;

    if ((rc = check_options(opt, err)) != 0)
        return rc;
    if (!out_days || !weekdays)
        return tc_error_set(err, TC_EINVAL, "gen-bars: NULL output");
    mic = opt->market ? opt->market : "XNYS";
    if ((rc = tc_calendar_get(mic, &cal, err)) != 0)
        return tc_error_prefix(err, "gen-bars: market");
    tc_calendar_years(cal, &first, &last);
    start = opt->has_start ? opt->start_day : tc_days_from_civil(first, 1, 1);
    int64_t cal_from = tc_days_from_civil(first, 1, 1), cal_to = tc_days_from_civil(last, 12, 31);
    if (start >= cal_from && start <= cal_to) {
        struct tc_error e2 = {0};
        if (tc_calendar_sessions_alloc(cal, start, cal_to, &days, &n, &e2) != 0) {
            if (e2.code == TC_ENOMEM)
                return tc_error_set(err, TC_ENOMEM, "gen-bars: out of memory");
            days = NULL;
            n = 0;
        }
    }
    if (days && n >= (size_t)opt->bars) {
        *weekdays = 0;
        *out_days = days;
        return 0;
    }
    free(days);
    days = malloc((size_t)opt->bars * sizeof *days);
    if (!days)
        return tc_error_set(err, TC_ENOMEM, "gen-bars: out of memory for %d dates", opt->bars);
    int64_t d = start;
    for (int i = 0; i < opt->bars; d++) {
        if (weekday_of(d) < 5)
            days[i++] = d;
    }
    *weekdays = 1;
    *out_days = days;
    return 0;
}

static int make_dirs(const char *dir, struct tc_error *err)
{
    char path[PATH_CAP];
    size_t len = strlen(dir);

    if (len == 0)
        return tc_error_set(err, TC_EINVAL, "gen-bars: empty output folder");
    if (len >= sizeof path - 32)
        return tc_error_set(err, TC_EINVAL, "gen-bars: output folder \"%.40s…\" is too long", dir);
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return tc_error_set(err, TC_EIO, "gen-bars: cannot create \"%s\": %s", path,
                                strerror(errno));
        path[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tc_error_set(err, TC_EIO, "gen-bars: \"%s\" is not a folder", dir);
    return 0;
}

/* Appends the decimal digits of V (>= 0) at P; returns the new end. */
static char *put_uint(char *p, uint64_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k)
        *p++ = tmp[--k];
    return p;
}

/* Appends V micro-units as "<int>.<6 digits>". */
static char *put_price(char *p, int64_t v)
{
    p = put_uint(p, (uint64_t)(v / MICRO));
    *p++ = '.';
    int64_t frac = v % MICRO;
    for (int64_t div = MICRO / 10; div > 0; div /= 10)
        *p++ = (char)('0' + (frac / div) % 10);
    return p;
}

/* PRICE moved by a uniform fraction in [-SPAN, +SPAN] millionths. */
static int64_t walk(struct tc_rng *rng, int64_t price, int64_t span)
{
    int64_t k = (int64_t)tc_rng_below(rng, (uint64_t)(2 * span + 1)) - span;
    int64_t v = price + price / MICRO * k + (price % MICRO) * k / MICRO;
    if (v < PRICE_MIN)
        v = PRICE_MIN;
    if (v > PRICE_MAX)
        v = PRICE_MAX;
    return v;
}

static int64_t widen(struct tc_rng *rng, int64_t price, int up)
{
    int64_t k = (int64_t)tc_rng_below(rng, 10001); /* 0 .. 1% */
    int64_t d = price / MICRO * k + (price % MICRO) * k / MICRO;
    int64_t v = up ? price + d : price - d;
    return v < PRICE_MIN ? PRICE_MIN : v;
}

static int write_one(const char *dir, int index, const struct tc_genbars_options *opt,
                     const char (*dates)[TC_DATE_STRLEN], char *buf,
                     int64_t *bytes, struct tc_error *err)
{
    char path[PATH_CAP];
    struct tc_rng rng;
    char *p = buf;

    snprintf(path, sizeof path, "%s/SYN%03d.csv", dir, index + 1);
    tc_rng_seed(&rng, opt->seed ^ (UINT64_C(0x9E3779B97F4A7C15) * (uint64_t)(index + 1)));
    int64_t close = 10 * MICRO + (int64_t)tc_rng_below(&rng, (uint64_t)(200 * MICRO));
    static const char header[] = "Date,Open,High,Low,Close,Adj Close,Volume\n";
    memcpy(p, header, sizeof header - 1);
    p += sizeof header - 1;
    for (int i = 0; i < opt->bars; i++) {
        int64_t open = walk(&rng, close, 5000);
        int64_t cl = walk(&rng, open, 20000);
        int64_t high = widen(&rng, open > cl ? open : cl, 1);
        int64_t low = widen(&rng, open < cl ? open : cl, 0);
        if (high > PRICE_MAX)
            high = PRICE_MAX;
        uint64_t vol = 100000 + tc_rng_below(&rng, 9900000);
        memcpy(p, dates[i], 10);
        p += 10;
        *p++ = ',';
        p = put_price(p, open);
        *p++ = ',';
        p = put_price(p, high);
        *p++ = ',';
        p = put_price(p, low);
        *p++ = ',';
        p = put_price(p, cl);
        *p++ = ',';
        p = put_price(p, cl);
        *p++ = ',';
        p = put_uint(p, vol);
        *p++ = '\n';
        close = cl;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return tc_error_set(err, TC_EIO, "gen-bars: cannot create \"%s\": %s", path,
                            strerror(errno));
    size_t len = (size_t)(p - buf);
    int bad = fwrite(buf, 1, len, f) != len;
    if (fclose(f) != 0)
        bad = 1;
    if (bad)
        return tc_error_set(err, TC_EIO, "gen-bars: write error on \"%s\"", path);
    *bytes += (int64_t)len;
    return 0;
}

int tc_genbars_write(const char *dir, const struct tc_genbars_options *opt,
                     struct tc_genbars_result *res, struct tc_error *err)
{
    int64_t *days = NULL, bytes = 0;
    char (*dates)[TC_DATE_STRLEN] = NULL;
    char *buf = NULL;
    int weekdays = 0, rc;

    if (!dir)
        return tc_error_set(err, TC_EINVAL, "gen-bars: NULL output folder");
    if ((rc = tc_genbars_days(opt, &days, &weekdays, err)) != 0)
        return rc;
    dates = malloc((size_t)opt->bars * sizeof *dates);
    buf = malloc(64 + (size_t)opt->bars * ROW_MAX);
    if (!dates || !buf) {
        rc = tc_error_set(err, TC_ENOMEM, "gen-bars: out of memory for %d bars", opt->bars);
        goto out;
    }
    for (int i = 0; i < opt->bars; i++)
        tc_date_format(days[i], dates[i]);
    if ((rc = make_dirs(dir, err)) != 0)
        goto out;
    for (int k = 0; k < opt->instruments; k++)
        if ((rc = write_one(dir, k, opt, (const char (*)[TC_DATE_STRLEN])dates, buf, &bytes,
                            err)) != 0)
            goto out;
    if (res) {
        res->first_day = days[0];
        res->last_day = days[opt->bars - 1];
        res->weekdays = weekdays;
        res->bytes = bytes;
    }
out:
    free(days);
    free(dates);
    free(buf);
    return rc;
}
