/* Columnar daily bar series: parallel arrays grown by doubling, with every
 * appended bar checked (date order, price ordering, positive prices, volume);
 * a good bar is checked with comparisons only, text is made for errors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tradecore/bars.h"
#include "tradecore/clock.h"
#include "internal/banned.h"

void tc_bar_series_init(struct tc_bar_series *s, const char *instrument_id)
{
    if (!s)
        return;
    memset(s, 0, sizeof *s);
    if (instrument_id) {
        size_t len = strlen(instrument_id);
        if (len >= sizeof s->instrument_id)
            len = sizeof s->instrument_id - 1;
        memcpy(s->instrument_id, instrument_id, len);
        s->instrument_id[len] = '\0';
    }
}

void tc_bar_series_release(struct tc_bar_series *s)
{
    if (!s)
        return;
    free(s->day);
    free(s->open);
    free(s->high);
    free(s->low);
    free(s->close);
    free(s->adj_close);
    free(s->volume);
    free(s->open_interest);
    s->day = s->volume = s->open_interest = NULL;
    s->open = s->high = s->low = s->close = s->adj_close = NULL;
    s->n = s->cap = 0;
}

/* Reallocates one column to CAP elements of SIZE bytes; *P is kept on failure. */
static int grow_column(void **p, size_t cap, size_t size)
{
    void *q = realloc(*p, cap * size);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

int tc_bar_series_reserve(struct tc_bar_series *s, size_t cap, struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "bar series: NULL series");
    if (cap <= s->cap)
        return 0;
    size_t newcap = s->cap ? s->cap : 16;
    while (newcap < cap) {
        if (newcap > SIZE_MAX / 2) {
            newcap = cap;
            break;
        }
        newcap *= 2;
    }
    if (newcap > SIZE_MAX / sizeof(struct tc_dec))
        return tc_error_set(err, TC_ENOMEM, "bar series \"%s\": %zu bars are too many",
                            s->instrument_id, cap);
    /* Each column is grown in turn; a failure part-way leaves the columns
     * that did grow larger than cap says, which is harmless (cap is the
     * minimum of them all, kept unchanged). */
    if (grow_column((void **)&s->day, newcap, sizeof *s->day) ||
        grow_column((void **)&s->open, newcap, sizeof *s->open) ||
        grow_column((void **)&s->high, newcap, sizeof *s->high) ||
        grow_column((void **)&s->low, newcap, sizeof *s->low) ||
        grow_column((void **)&s->close, newcap, sizeof *s->close) ||
        grow_column((void **)&s->adj_close, newcap, sizeof *s->adj_close) ||
        grow_column((void **)&s->volume, newcap, sizeof *s->volume) ||
        grow_column((void **)&s->open_interest, newcap, sizeof *s->open_interest))
        return tc_error_set(err, TC_ENOMEM, "bar series \"%s\": out of memory for %zu bars",
                            s->instrument_id, newcap);
    s->cap = newcap;
    return 0;
}

static void day_text(int64_t day, char *buf, size_t cap)
{
    int y, m, d;
    tc_civil_from_days(day, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

/* Why BAR cannot be appended to S, as an error (the slow path: text is
 * formatted only here, never for a good bar). */
static int append_error(const struct tc_bar_series *s, const struct tc_bar *bar,
                        struct tc_error *err)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], d1[32], d2[32];

    day_text(bar->day, d1, sizeof d1);
    if (s->n > 0 && bar->day <= s->day[s->n - 1]) {
        day_text(s->day[s->n - 1], d2, sizeof d2);
        return tc_error_set(err, TC_EINVAL, "bar series \"%s\": date %s is not after %s",
                            s->instrument_id, d1, d2);
    }
    const struct {
        const char *name;
        struct tc_dec v;
    } prices[] = {{"open", bar->open}, {"high", bar->high}, {"low", bar->low},
                  {"close", bar->close}, {"adj_close", bar->adj_close}};
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        if (tc_dec_sign(prices[i].v) <= 0) {
            tc_dec_format(prices[i].v, a, sizeof a);
            return tc_error_set(err, TC_EINVAL, "bar series \"%s\" on %s: %s %s is not positive",
                                s->instrument_id, d1, prices[i].name, a);
        }
    }
    if (tc_dec_cmp(bar->low, bar->high) > 0) {
        tc_dec_format(bar->low, a, sizeof a);
        tc_dec_format(bar->high, b, sizeof b);
        return tc_error_set(err, TC_EINVAL, "bar series \"%s\" on %s: low %s is above high %s",
                            s->instrument_id, d1, a, b);
    }
    const struct {
        const char *name;
        struct tc_dec v;
    } body[] = {{"open", bar->open}, {"close", bar->close}};
    for (size_t i = 0; i < 2; i++) {
        if (tc_dec_cmp(bar->low, body[i].v) > 0) {
            tc_dec_format(body[i].v, a, sizeof a);
            tc_dec_format(bar->low, b, sizeof b);
            return tc_error_set(err, TC_EINVAL,
                                "bar series \"%s\" on %s: %s %s is below low %s",
                                s->instrument_id, d1, body[i].name, a, b);
        }
        if (tc_dec_cmp(body[i].v, bar->high) > 0) {
            tc_dec_format(body[i].v, a, sizeof a);
            tc_dec_format(bar->high, b, sizeof b);
            return tc_error_set(err, TC_EINVAL,
                                "bar series \"%s\" on %s: %s %s is above high %s",
                                s->instrument_id, d1, body[i].name, a, b);
        }
    }
    if (bar->volume < 0)
        return tc_error_set(err, TC_EINVAL,
                            "bar series \"%s\" on %s: volume %lld is negative",
                            s->instrument_id, d1, (long long)bar->volume);
    return tc_error_set(err, TC_EINVAL,
                        "bar series \"%s\" on %s: open interest %lld is negative",
                        s->instrument_id, d1, (long long)bar->open_interest);
}

int tc_bar_series_append(struct tc_bar_series *s, const struct tc_bar *bar, struct tc_error *err)
{
    if (!s || !bar)
        return tc_error_set(err, TC_EINVAL, "bar series: NULL argument");
    /* every rule at once, without formatting anything; the first broken one
     * is named by append_error, in the order the rules are listed there */
    int64_t lo = bar->low.raw, hi = bar->high.raw;
    if ((s->n > 0 && bar->day <= s->day[s->n - 1]) | (bar->open.raw <= 0) | (hi <= 0) |
        (lo <= 0) | (bar->close.raw <= 0) | (bar->adj_close.raw <= 0) | (lo > hi) |
        (bar->open.raw < lo) | (bar->open.raw > hi) | (bar->close.raw < lo) |
        (bar->close.raw > hi) | (bar->volume < 0) | (bar->open_interest < 0))
        return append_error(s, bar, err);
    if (s->n == s->cap) {
        if (s->n == SIZE_MAX)
            return tc_error_set(err, TC_ENOMEM, "bar series \"%s\": full", s->instrument_id);
        int rc = tc_bar_series_reserve(s, s->n + 1, err);
        if (rc)
            return rc;
    }
    size_t i = s->n;
    s->day[i] = bar->day;
    s->open[i] = bar->open;
    s->high[i] = bar->high;
    s->low[i] = bar->low;
    s->close[i] = bar->close;
    s->adj_close[i] = bar->adj_close;
    s->volume[i] = bar->volume;
    s->open_interest[i] = bar->open_interest;
    s->n = i + 1;
    return 0;
}

void tc_bar_series_get(const struct tc_bar_series *s, size_t i, struct tc_bar *out)
{
    if (!s || !out || i >= s->n)
        return;
    out->day = s->day[i];
    out->open = s->open[i];
    out->high = s->high[i];
    out->low = s->low[i];
    out->close = s->close[i];
    out->adj_close = s->adj_close[i];
    out->volume = s->volume[i];
    out->open_interest = s->open_interest[i];
}

long tc_bar_series_find(const struct tc_bar_series *s, int64_t day)
{
    if (!s || s->n == 0)
        return -1;
    size_t lo = 0, hi = s->n; /* first index with day > DAY lies in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->day[mid] <= day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}
