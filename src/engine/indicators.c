/*
 * Indicators over exact decimals: SMA, EMA, Wilder's ATR, highest/lowest and
 * crossovers, each as an O(1)-per-bar streaming state and as a batch over a
 * view. Sums are 128-bit and every division rounds half-even, so the two
 * forms agree to the last digit. The batch forms are written directly from
 * the definitions (window sums and scans), not through the streaming code.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ind_cols.h"
#include "tradecore/indicators.h"
#include "internal/banned.h"

typedef tc__i128 i128;

static i128 sum_get(struct tc_ind_sum s) { return tc__ind_sum_get(s); }

static struct tc_ind_sum sum_put(i128 v) { return tc__ind_sum_put(v); }

/* N / D rounded half-even; D > 0. */
static i128 div_half_even(i128 n, i128 d)
{
    i128 q = n / d, r = n % d;
    if (r < 0) {
        r += d;
        q -= 1;
    }
    i128 twice = 2 * r;
    if (twice > d || (twice == d && (q & 1)))
        q += 1;
    return q;
}

/* A mean of decimals always fits a decimal. */
static struct tc_dec mean(i128 sum, size_t n)
{
    return tc_dec_from_raw((int64_t)div_half_even(sum, (i128)n));
}

struct tc_dec tc__ind_mean_div(i128 sum, size_t n) { return mean(sum, n); }

/* The streaming mean: by a multiply where it can (ind_cols.h). Same result
 * as mean() (tests compare the streaming SMA, which uses this, with the
 * batch one, which does not). */
static struct tc_dec mean_recip(i128 sum, size_t n, uint64_t recip)
{
    return tc__ind_mean(sum, n, recip);
}

static void set_out(struct tc_ind_value *out, int has, struct tc_dec v)
{
    if (out) {
        out->has_value = has;
        out->value = has ? v : TC_DEC_ZERO;
    }
}

static int check_batch(const void *in, size_t n, size_t period, const void *out,
                       const char *what, struct tc_error *err)
{
    if (period == 0)
        return tc_error_set(err, TC_EINVAL, "%s: period 0 (must be at least 1)", what);
    if (n > 0 && (!in || !out))
        return tc_error_set(err, TC_EINVAL, "%s: NULL input or output", what);
    return 0;
}

/* ---- SMA ------------------------------------------------------------------ */

int tc_ind_sma_init(struct tc_ind_sma *s, size_t period, struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "sma: NULL state");
    if (period == 0)
        return tc_error_set(err, TC_EINVAL, "sma: period 0 (must be at least 1)");
    memset(s, 0, sizeof *s);
    s->ring = calloc(period, sizeof *s->ring);
    if (!s->ring)
        return tc_error_set(err, TC_ENOMEM, "sma: out of memory for a period of %zu", period);
    s->period = period;
    s->recip = tc__ind_recip(period);
    return 0;
}

void tc_ind_sma_release(struct tc_ind_sma *s)
{
    if (!s)
        return;
    free(s->ring);
    memset(s, 0, sizeof *s);
}

int tc_ind_sma_push(struct tc_ind_sma *s, struct tc_dec x, struct tc_ind_value *out,
                    struct tc_error *err)
{
    if (!s || !s->ring)
        return tc_error_set(err, TC_EINVAL, "sma: NULL or released state");
    i128 sum = sum_get(s->sum);
    if (s->count >= s->period)
        sum -= s->ring[s->head].raw;
    else
        s->count++;
    sum += x.raw;
    s->ring[s->head] = x;
    s->head = s->head + 1 == s->period ? 0 : s->head + 1;
    s->sum = sum_put(sum);
    if (out) {
        out->has_value = s->count == s->period;
        out->value = out->has_value ? (s->period == 1 ? x : mean_recip(sum, s->period, s->recip))
                                    : TC_DEC_ZERO;
    }
    return 0;
}

int tc_ind_sma_batch(struct tc_dec_view x, size_t period, struct tc_ind_value *out,
                     struct tc_error *err)
{
    int rc = check_batch(x.v, x.n, period, out, "sma", err);
    if (rc)
        return rc;
    for (size_t i = 0; i < x.n; i++) {
        if (i + 1 < period) {
            set_out(&out[i], 0, TC_DEC_ZERO);
            continue;
        }
        i128 sum = 0;
        for (size_t k = i + 1 - period; k <= i; k++)
            sum += x.v[k].raw;
        set_out(&out[i], 1, mean(sum, period));
    }
    return 0;
}

int tc_ind_sma_last(struct tc_dec_view x, size_t period, struct tc_dec *out,
                    struct tc_error *err)
{
    int rc = check_batch(x.v, x.n, period, out, "sma", err);
    if (rc)
        return rc;
    if (!out)
        return tc_error_set(err, TC_EINVAL, "sma: NULL output");
    if (x.n < period)
        return tc_error_set(err, TC_ENOTFOUND, "sma(%zu): no value before %zu bars (have %zu)",
                            period, period, x.n);
    i128 sum = 0;
    for (size_t k = x.n - period; k < x.n; k++)
        sum += x.v[k].raw;
    *out = mean(sum, period);
    return 0;
}

/* ---- SMA, column-wise ------------------------------------------------------ */

int tc_ind_sma_cols_init(struct tc_ind_sma_cols *s, size_t n, size_t period,
                         struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "sma columns: NULL state");
    if (period == 0 || n == 0)
        return tc_error_set(err, TC_EINVAL, "sma columns: %s 0 (must be at least 1)",
                            period == 0 ? "period" : "instruments");
    memset(s, 0, sizeof *s);
    s->sum = calloc(n, sizeof *s->sum);
    s->first = malloc(n * sizeof *s->first);
    s->next = calloc(n, sizeof *s->next);
    if (!s->sum || !s->first || !s->next) {
        tc_ind_sma_cols_release(s);
        return tc_error_set(err, TC_ENOMEM, "sma columns: out of memory for %zu instruments", n);
    }
    for (size_t k = 0; k < n; k++)
        s->first[k] = SIZE_MAX;
    s->n = n;
    s->period = period;
    s->recip = tc__ind_recip(period);
    return 0;
}

void tc_ind_sma_cols_release(struct tc_ind_sma_cols *s)
{
    if (!s)
        return;
    free(s->sum);
    free(s->first);
    free(s->next);
    memset(s, 0, sizeof *s);
}

int tc_ind_sma_cols_push(struct tc_ind_sma_cols *s, size_t ix, const struct tc_dec *x, size_t i,
                         struct tc_ind_value *out, struct tc_error *err)
{
    if (!s || !s->sum || !x)
        return tc_error_set(err, TC_EINVAL, "sma columns: NULL or released state or column");
    if (ix >= s->n)
        return tc_error_set(err, TC_EINVAL, "sma columns: instrument handle %zu is unknown (%zu)",
                            ix, s->n);
    if (s->first[ix] == SIZE_MAX)
        s->first[ix] = i;
    else if (i != s->next[ix])
        return tc_error_set(err, TC_EINVAL,
                            "sma columns: instrument handle %zu: bar %zu pushed, bar %zu expected",
                            ix, i, s->next[ix]);
    i128 sum = sum_get(s->sum[ix]) + x[i].raw;
    size_t count = i - s->first[ix] + 1;
    if (count > s->period)
        sum -= x[i - s->period].raw;
    s->sum[ix] = sum_put(sum);
    s->next[ix] = i + 1;
    if (out) {
        out->has_value = count >= s->period;
        out->value = out->has_value ? (s->period == 1 ? x[i] : mean_recip(sum, s->period, s->recip))
                                    : TC_DEC_ZERO;
    }
    return 0;
}

/* ---- EMA ------------------------------------------------------------------ */

static struct tc_dec ema_step(struct tc_dec prev, struct tc_dec x, size_t period)
{
    i128 num = (i128)2 * x.raw + (i128)(period - 1) * prev.raw;
    return tc_dec_from_raw((int64_t)div_half_even(num, (i128)period + 1));
}

int tc_ind_ema_init(struct tc_ind_ema *s, size_t period, struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "ema: NULL state");
    if (period == 0)
        return tc_error_set(err, TC_EINVAL, "ema: period 0 (must be at least 1)");
    memset(s, 0, sizeof *s);
    s->period = period;
    return 0;
}

int tc_ind_ema_push(struct tc_ind_ema *s, struct tc_dec x, struct tc_ind_value *out,
                    struct tc_error *err)
{
    if (!s || s->period == 0)
        return tc_error_set(err, TC_EINVAL, "ema: NULL or uninitialised state");
    if (s->count < s->period) {
        i128 sum = sum_get(s->seed) + x.raw;
        s->seed = sum_put(sum);
        s->count++;
        if (s->count == s->period)
            s->value = mean(sum, s->period);
    } else {
        s->value = ema_step(s->value, x, s->period);
    }
    set_out(out, s->count == s->period, s->value);
    return 0;
}

int tc_ind_ema_batch(struct tc_dec_view x, size_t period, struct tc_ind_value *out,
                     struct tc_error *err)
{
    int rc = check_batch(x.v, x.n, period, out, "ema", err);
    if (rc)
        return rc;
    struct tc_dec v = TC_DEC_ZERO;
    for (size_t i = 0; i < x.n; i++) {
        if (i + 1 < period) {
            set_out(&out[i], 0, TC_DEC_ZERO);
            continue;
        }
        if (i + 1 == period) {
            i128 sum = 0;
            for (size_t k = 0; k < period; k++)
                sum += x.v[k].raw;
            v = mean(sum, period);
        } else {
            v = ema_step(v, x.v[i], period);
        }
        set_out(&out[i], 1, v);
    }
    return 0;
}

/* ---- ATR ------------------------------------------------------------------ */

/* The true range of one bar (HAS_PREV: PREV is the previous close). */
int tc__ind_true_range(struct tc_dec high, struct tc_dec low, struct tc_dec close, int has_prev,
                       struct tc_dec prev, const char *where, struct tc_dec *tr,
                       struct tc_error *err)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];
    if (tc_dec_cmp(high, low) < 0) {
        tc_dec_format(high, a, sizeof a);
        tc_dec_format(low, b, sizeof b);
        return tc_error_set(err, TC_EINVAL, "atr%s: high %s is below low %s", where, a, b);
    }
    if (tc_dec_cmp(close, low) < 0 || tc_dec_cmp(close, high) > 0) {
        tc_dec_format(close, a, sizeof a);
        tc_dec_format(low, b, sizeof b);
        char c[TC_DEC_STRLEN];
        tc_dec_format(high, c, sizeof c);
        return tc_error_set(err, TC_EINVAL, "atr%s: close %s is outside [low %s, high %s]", where,
                            a, b, c);
    }
    i128 r = (i128)high.raw - low.raw;
    if (has_prev) {
        i128 up = (i128)high.raw - prev.raw, down = (i128)low.raw - prev.raw;
        if (up < 0)
            up = -up;
        if (down < 0)
            down = -down;
        if (up > r)
            r = up;
        if (down > r)
            r = down;
    }
    if (r > INT64_MAX)
        return tc_error_set(err, TC_ERANGE, "atr%s: true range does not fit a decimal", where);
    *tr = tc_dec_from_raw((int64_t)r);
    return 0;
}

struct tc_dec tc__ind_atr_step(struct tc_dec prev, struct tc_dec tr, size_t period)
{
    i128 num = (i128)(period - 1) * prev.raw + tr.raw;
    return tc_dec_from_raw((int64_t)div_half_even(num, (i128)period));
}

int tc_ind_atr_init(struct tc_ind_atr *s, size_t period, struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "atr: NULL state");
    if (period == 0)
        return tc_error_set(err, TC_EINVAL, "atr: period 0 (must be at least 1)");
    memset(s, 0, sizeof *s);
    s->period = period;
    return 0;
}

int tc_ind_atr_push(struct tc_ind_atr *s, struct tc_dec high, struct tc_dec low,
                    struct tc_dec close, struct tc_ind_value *out, struct tc_error *err)
{
    struct tc_dec tr = TC_DEC_ZERO;
    if (!s || s->period == 0)
        return tc_error_set(err, TC_EINVAL, "atr: NULL or uninitialised state");
    int rc = tc__ind_true_range(high, low, close, s->started, s->prev_close, "", &tr, err);
    if (rc)
        return rc;
    if (s->count < s->period) {
        i128 sum = sum_get(s->seed) + tr.raw;
        s->seed = sum_put(sum);
        s->count++;
        if (s->count == s->period)
            s->value = mean(sum, s->period);
    } else {
        s->value = tc__ind_atr_step(s->value, tr, s->period);
    }
    s->prev_close = close;
    s->started = 1;
    set_out(out, s->count == s->period, s->value);
    return 0;
}

int tc_ind_atr_batch(struct tc_bar_view bars, size_t period, struct tc_ind_value *out,
                     struct tc_error *err)
{
    char where[64], d[TC_DATE_STRLEN];
    int rc = check_batch(bars.close, bars.n, period, out, "atr", err);
    if (rc)
        return rc;
    if (bars.n > 0 && (!bars.high || !bars.low))
        return tc_error_set(err, TC_EINVAL, "atr: NULL highs or lows");
    i128 sum = 0;
    struct tc_dec v = TC_DEC_ZERO, tr = TC_DEC_ZERO;
    for (size_t i = 0; i < bars.n; i++) {
        if (bars.day) {
            tc_date_format(bars.day[i], d);
            snprintf(where, sizeof where, " at bar %zu (%s)", i, d);
        } else {
            snprintf(where, sizeof where, " at bar %zu", i);
        }
        rc = tc__ind_true_range(bars.high[i], bars.low[i], bars.close[i], i > 0,
                        i > 0 ? bars.close[i - 1] : TC_DEC_ZERO, where, &tr, err);
        if (rc)
            return rc;
        if (i < period) {
            sum += tr.raw;
            if (i + 1 == period)
                v = mean(sum, period);
        } else {
            v = tc__ind_atr_step(v, tr, period);
        }
        set_out(&out[i], i + 1 >= period, v);
    }
    return 0;
}

/* ---- highest / lowest ----------------------------------------------------- */

/* Does A displace B from the queue (A at least as extreme as B)? */
static int dominates(enum tc_ind_extreme_kind kind, struct tc_dec a, struct tc_dec b)
{
    return kind == TC_IND_HIGHEST ? tc_dec_cmp(a, b) >= 0 : tc_dec_cmp(a, b) <= 0;
}

int tc_ind_extreme_init(struct tc_ind_extreme *s, enum tc_ind_extreme_kind kind, size_t period,
                        struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "highest/lowest: NULL state");
    if (kind != TC_IND_HIGHEST && kind != TC_IND_LOWEST)
        return tc_error_set(err, TC_EINVAL, "highest/lowest: unknown kind %d", (int)kind);
    if (period == 0)
        return tc_error_set(err, TC_EINVAL, "highest/lowest: period 0 (must be at least 1)");
    memset(s, 0, sizeof *s);
    s->val = calloc(period, sizeof *s->val);
    s->seq = calloc(period, sizeof *s->seq);
    if (!s->val || !s->seq) {
        free(s->val);
        free(s->seq);
        s->val = NULL;
        s->seq = NULL;
        return tc_error_set(err, TC_ENOMEM, "highest/lowest: out of memory for a period of %zu",
                            period);
    }
    s->kind = kind;
    s->period = period;
    return 0;
}

void tc_ind_extreme_release(struct tc_ind_extreme *s)
{
    if (!s)
        return;
    free(s->val);
    free(s->seq);
    memset(s, 0, sizeof *s);
}

int tc_ind_extreme_push(struct tc_ind_extreme *s, struct tc_dec x, struct tc_ind_value *out,
                        struct tc_error *err)
{
    if (!s || !s->val)
        return tc_error_set(err, TC_EINVAL, "highest/lowest: NULL or released state");
    size_t p = s->period;
    /* The front leaves the window [count + 1 - p, count] that X completes. */
    if (s->len > 0 && s->seq[s->head] + p <= s->count) {
        s->head = (s->head + 1) % p;
        s->len--;
    }
    /* Drop the entries X makes irrelevant from the back, then append it. */
    while (s->len > 0) {
        size_t back = (s->head + s->len - 1) % p;
        if (!dominates(s->kind, x, s->val[back]))
            break;
        s->len--;
    }
    size_t slot = (s->head + s->len) % p;
    s->val[slot] = x;
    s->seq[slot] = s->count;
    s->len++;
    s->count++;
    set_out(out, s->count >= p, s->val[s->head]);
    return 0;
}

int tc_ind_extreme_batch(struct tc_dec_view x, enum tc_ind_extreme_kind kind, size_t period,
                         struct tc_ind_value *out, struct tc_error *err)
{
    if (kind != TC_IND_HIGHEST && kind != TC_IND_LOWEST)
        return tc_error_set(err, TC_EINVAL, "highest/lowest: unknown kind %d", (int)kind);
    int rc = check_batch(x.v, x.n, period, out, "highest/lowest", err);
    if (rc)
        return rc;
    for (size_t i = 0; i < x.n; i++) {
        if (i + 1 < period) {
            set_out(&out[i], 0, TC_DEC_ZERO);
            continue;
        }
        struct tc_dec m = x.v[i + 1 - period];
        for (size_t k = i + 2 - period; k <= i; k++)
            if (kind == TC_IND_HIGHEST ? tc_dec_cmp(x.v[k], m) > 0 : tc_dec_cmp(x.v[k], m) < 0)
                m = x.v[k];
        set_out(&out[i], 1, m);
    }
    return 0;
}

static int extreme_last(struct tc_dec_view x, enum tc_ind_extreme_kind kind, size_t period,
                        struct tc_dec *out, struct tc_error *err)
{
    const char *what = kind == TC_IND_HIGHEST ? "highest" : "lowest";
    int rc = check_batch(x.v, x.n, period, out, what, err);
    if (rc)
        return rc;
    if (!out)
        return tc_error_set(err, TC_EINVAL, "%s: NULL output", what);
    if (x.n < period)
        return tc_error_set(err, TC_ENOTFOUND, "%s(%zu): no value before %zu bars (have %zu)",
                            what, period, period, x.n);
    struct tc_dec m = x.v[x.n - period];
    for (size_t k = x.n - period + 1; k < x.n; k++)
        if (kind == TC_IND_HIGHEST ? tc_dec_cmp(x.v[k], m) > 0 : tc_dec_cmp(x.v[k], m) < 0)
            m = x.v[k];
    *out = m;
    return 0;
}

int tc_ind_highest_last(struct tc_dec_view x, size_t period, struct tc_dec *out,
                        struct tc_error *err)
{
    return extreme_last(x, TC_IND_HIGHEST, period, out, err);
}

int tc_ind_lowest_last(struct tc_dec_view x, size_t period, struct tc_dec *out,
                       struct tc_error *err)
{
    return extreme_last(x, TC_IND_LOWEST, period, out, err);
}

/* ---- crossover ------------------------------------------------------------ */

void tc_ind_cross_init(struct tc_ind_cross *c)
{
    if (c)
        c->last_sign = 0;
}

int tc_ind_cross_step(struct tc_ind_cross *c, struct tc_dec fast, struct tc_dec slow)
{
    if (!c)
        return 0;
    int s = tc_dec_cmp(fast, slow);
    if (s == 0)
        return 0;
    int last = c->last_sign;
    c->last_sign = s;
    return last != 0 && last != s ? s : 0;
}

int tc_ind_cross_push(struct tc_ind_cross *c, struct tc_ind_value fast, struct tc_ind_value slow)
{
    if (!c || !fast.has_value || !slow.has_value)
        return 0;
    return tc_ind_cross_step(c, fast.value, slow.value);
}

int tc_ind_cross_batch(const struct tc_ind_value *fast, const struct tc_ind_value *slow, size_t n,
                       int *out, struct tc_error *err)
{
    if (n > 0 && (!fast || !slow || !out))
        return tc_error_set(err, TC_EINVAL, "crossover: NULL input or output");
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        if (!fast[i].has_value || !slow[i].has_value)
            continue;
        int s = tc_dec_cmp(fast[i].value, slow[i].value);
        if (s == 0)
            continue;
        /* The last non-zero sign before bar i, searched backwards. */
        for (size_t k = i; k-- > 0;) {
            if (!fast[k].has_value || !slow[k].has_value)
                continue;
            int t = tc_dec_cmp(fast[k].value, slow[k].value);
            if (t != 0) {
                out[i] = t != s ? s : 0;
                break;
            }
        }
    }
    return 0;
}
