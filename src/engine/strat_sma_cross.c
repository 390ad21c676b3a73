/* The built-in strategy `sma_cross`: long STAKE units when SMA(fast) crosses
 * above SMA(slow) on a close and nothing is held, flat when it crosses
 * below. Fed by sessions (on_session), its indicators are column-wise: per
 * instrument two 128-bit running sums and the last non-zero sign, the
 * closes leaving the windows read back from the session's columns, values
 * as indicators.h defines them. Fed by bars (on_bars, on_bar through the
 * context), it uses the streaming indicators, one push per bar, allocated on
 * the first bar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ind_cols.h"
#include "engine/strategy_internal.h"
#include "tradecore/indicators.h"
#include "internal/banned.h"

struct inst {
    struct tc_ind_sma fast, slow;
    struct tc_ind_cross cross;
};

/* A bar where both SMAs have a value: the sums of its windows (WIDE: they
 * do not fit 64 bits, sum them from the column). */
struct both {
    size_t ix, i;
    int64_t sf, ss;
    int wide;
};

struct state {
    size_t n;                 /* instruments */
    size_t fast, slow;        /* periods, fast < slow */
    uint64_t rfast, rslow;    /* tc__ind_recip of each */
    struct tc_dec stake;
    /* fed by bars: the streaming indicators, one set per instrument */
    struct inst *in;
    size_t nin;               /* initialised entries of IN */
    /* fed by sessions: column-wise, [n] each */
    int64_t (*sum)[2];        /* running sums of the closes in the fast and slow windows
                                 (1e-8 units), while they fit: see wide */
    size_t (*pos)[2];         /* first bar pushed (SIZE_MAX: none yet), next bar expected */
    signed char *last;        /* last non-zero sign of fast - slow */
    unsigned char *wide;      /* 1: a sum does not fit 64 bits, both are summed from the
                                 column in 128 bits on each bar until they fit again */
    struct both *todo;        /* a session's bars where both SMAs have a value */
    size_t cap_todo;
};

static const struct tc_param_spec params[] = {
    {"fast", TC_PARAM_INT, "10", "1", "100000", "period of the fast SMA, in bars"},
    {"slow", TC_PARAM_INT, "30", "2", "100000", "period of the slow SMA, in bars (> fast)"},
    {"stake", TC_PARAM_DEC, "100", "0.00000001", NULL, "units bought on a crossover up"},
};

static int check(const struct tc_strategy_params *p, struct tc_error *err)
{
    int64_t fast = tc_strategy_param_int(p, "fast"), slow = tc_strategy_param_int(p, "slow");
    if (fast >= slow)
        return tc_error_set(err, TC_EINVAL,
                            "strategy sma_cross: parameter fast %lld must be below slow %lld",
                            (long long)fast, (long long)slow);
    return 0;
}

static void stop(struct tc_strategy_ctx *ctx, void *vs)
{
    struct state *s = vs;
    (void)ctx;
    for (size_t k = 0; k < s->nin; k++) {
        tc_ind_sma_release(&s->in[k].fast);
        tc_ind_sma_release(&s->in[k].slow);
    }
    free(s->in);
    free(s->sum);
    free(s->pos);
    free(s->last);
    free(s->wide);
    free(s->todo);
    memset(s, 0, sizeof(*s));
}

static int start(struct tc_strategy_ctx *ctx, void *vs, struct tc_error *err)
{
    struct state *s = vs;
    const struct tc_strategy_params *p = tc_strategy_params(ctx);
    size_t n = tc_strategy_instruments(ctx), m = n ? n : 1;

    s->n = n;
    s->stake = tc_strategy_param_dec(p, "stake");
    s->fast = (size_t)tc_strategy_param_int(p, "fast");
    s->slow = (size_t)tc_strategy_param_int(p, "slow");
    s->rfast = tc__ind_recip(s->fast);
    s->rslow = tc__ind_recip(s->slow);
    s->sum = calloc(m, sizeof(*s->sum));
    s->pos = malloc(m * sizeof(*s->pos));
    s->last = calloc(m, sizeof(*s->last));
    s->wide = calloc(m, sizeof(*s->wide));
    if (!s->sum || !s->pos || !s->last || !s->wide) {
        stop(ctx, s);
        return tc_error_set(err, TC_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n; k++)
        s->pos[k][0] = s->pos[k][1] = SIZE_MAX; /* the first push sets both */
    return 0;
}

/* The streaming indicators of the per-bar path, made on its first bar. */
static int start_bars(struct state *s, struct tc_error *err)
{
    int rc;
    if (!(s->in = calloc(s->n ? s->n : 1, sizeof(*s->in))))
        return tc_error_set(err, TC_ENOMEM, "out of memory");
    for (size_t k = 0; k < s->n; k++) {
        if ((rc = tc_ind_sma_init(&s->in[k].fast, s->fast, err)) != 0 ||
            (rc = tc_ind_sma_init(&s->in[k].slow, s->slow, err)) != 0) {
            s->nin = k + 1;
            return rc;
        }
        tc_ind_cross_init(&s->in[k].cross);
        s->nin = k + 1;
    }
    return 0;
}

/* A crossover on a bar closing at CLOSE: the signal it calls for, if any. */
static int crossed(struct tc_strategy_ctx *ctx, struct state *s, size_t ix, struct tc_dec close,
                   int cross, struct tc_error *err)
{
    struct tc_strategy_position pos;
    struct tc_signal sig;
    int rc;

    if ((rc = tc_strategy_position(ctx, ix, &pos, err)) != 0)
        return rc;
    if (cross > 0 && pos.layers == 0) {
        if ((rc = tc_strategy_signal_init(ctx, &sig, TC_SIGNAL_BASE_ENTRY, ix, TC_SIDE_LONG, err)) != 0)
            return rc;
        sig.price = close;
        sig.has_price = 1;
        sig.quantity = s->stake;
        sig.has_quantity = 1;
        snprintf(sig.reason, sizeof(sig.reason), "sma_cross: fast crossed above slow");
        return tc_strategy_signal(ctx, &sig, NULL, err);
    }
    if (cross < 0 && tc_dec_sign(pos.quantity) > 0 && pos.side == TC_SIDE_LONG) {
        if ((rc = tc_strategy_signal_init(ctx, &sig, TC_SIGNAL_EXIT, ix, TC_SIDE_LONG, err)) != 0)
            return rc;
        sig.price = close;
        sig.has_price = 1;
        snprintf(sig.reason, sizeof(sig.reason), "sma_cross: fast crossed below slow");
        return tc_strategy_signal(ctx, &sig, NULL, err);
    }
    return 0;
}

/* Fed by bars: reads only the closes of the new bars (a view: nothing is
 * copied); the streaming indicators are updated in place. */
static int on_bars(struct tc_strategy_ctx *ctx, void *vs, size_t ix, const struct tc_bar_view *v,
                   struct tc_error *err)
{
    struct state *s = vs;
    struct inst *in;
    struct tc_ind_value f, sl;
    int rc;

    if (ix >= s->n)
        return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
    if (!s->in && (rc = start_bars(s, err)) != 0)
        return rc;
    in = &s->in[ix];
    for (size_t i = 0; i < v->n; i++) {
        if ((rc = tc_ind_sma_push(&in->fast, v->close[i], &f, err)) != 0 ||
            (rc = tc_ind_sma_push(&in->slow, v->close[i], &sl, err)) != 0)
            return rc;
        if (!f.has_value || !sl.has_value) /* no crossover before both have values */
            continue;
        int cross = tc_ind_cross_step(&in->cross, f.value, sl.value);
        if (cross != 0 && (rc = crossed(ctx, s, ix, v->close[i], cross, err)) != 0)
            return rc;
    }
    return 0;
}

/* Fed by sessions, a bar where both SMAs have a value: the means (rounded
 * as tc_ind_sma), their sign, and a crossover's signal. Out of the loop of
 * on_session, which stays small for the bars before. */
static __attribute__((noinline)) int both_values(struct tc_strategy_ctx *ctx, struct state *s,
                                                 size_t ix, struct tc_dec close, tc__i128 sf,
                                                 tc__i128 ss, struct tc_error *err)
{
    struct tc_dec mf = tc__ind_mean(sf, s->fast, s->rfast);
    struct tc_dec ms = tc__ind_mean(ss, s->slow, s->rslow);
    int sign = tc_dec_cmp(mf, ms), last = s->last[ix];
    if (sign == 0)
        return 0;
    s->last[ix] = (signed char)sign;
    if (last == 0 || last == sign)
        return 0;
    return crossed(ctx, s, ix, close, sign, err);
}

/* The sum of X[max(FIRST, I + 1 - PERIOD) .. I] in 128 bits. */
static tc__i128 window_sum(const struct tc_dec *x, size_t first, size_t i, size_t period)
{
    tc__i128 sum = 0;
    for (size_t k = i + 1 - first > period ? i + 1 - period : first; k <= i; k++)
        sum += x[k].raw;
    return sum;
}

/* Room for N bars in the session's list. */
static __attribute__((noinline)) int grow_todo(struct state *s, size_t n, struct tc_error *err)
{
    size_t cap = s->cap_todo ? s->cap_todo : 64;
    while (cap < n)
        cap *= 2;
    struct both *t = realloc(s->todo, cap * sizeof(*t));
    if (!t)
        return tc_error_set(err, TC_ENOMEM, "out of memory");
    s->todo = t;
    s->cap_todo = cap;
    return 0;
}

/* Lists bar I of instrument IX (both SMAs have a value). */
static inline int list_bar(struct state *s, size_t *ntodo, size_t ix, size_t i, int64_t sf,
                           int64_t ss, int wide, struct tc_error *err)
{
    int rc;
    if (*ntodo == s->cap_todo && (rc = grow_todo(s, *ntodo + 1, err)) != 0)
        return rc;
    s->todo[(*ntodo)++] = (struct both){ix, i, sf, ss, wide};
    return 0;
}

/* Bars I..TO-1 of instrument IX from the first one where a 64-bit sum
 * overflowed: both sums from the column in 128 bits, kept as 64 bits again
 * (and the instrument back on the fast path) once they fit. */
static __attribute__((noinline)) int wide_bars(struct state *s, size_t *ntodo, size_t ix,
                                               const struct tc_dec *x, size_t first, size_t i,
                                               size_t to, struct tc_error *err)
{
    int rc;
    for (; i < to; i++) {
        tc__i128 sf = window_sum(x, first, i, s->fast), ss = window_sum(x, first, i, s->slow);
        int fits = sf >= INT64_MIN && sf <= INT64_MAX && ss >= INT64_MIN && ss <= INT64_MAX;
        s->wide[ix] = !fits;
        s->sum[ix][0] = fits ? (int64_t)sf : 0;
        s->sum[ix][1] = fits ? (int64_t)ss : 0;
        if (i + 1 - first >= s->slow &&
            (rc = list_bar(s, ntodo, ix, i, s->sum[ix][0], s->sum[ix][1], !fits, err)) != 0)
            return rc;
    }
    s->pos[ix][1] = to;
    return 0;
}

/*
 * Fed by sessions, in two passes. First, for each instrument with new bars,
 * both sums move by the new close and the closes leaving the windows (read
 * back from the column), in 64 bits while they fit (from a bar where one
 * overflows, wide_bars: 128-bit sums, the same values); a bar where the slow
 * SMA has a value (fast < slow: the fast one has one then too) is listed.
 * That pass calls nothing on the way, so it stays in registers. Then, in
 * the same order, each listed bar's means, sign and signal.
 */
static int on_session(struct tc_strategy_ctx *ctx, void *vs, const struct tc_session_bars *sb,
                      struct tc_error *err)
{
    struct state *s = vs;
    int64_t(*const sum)[2] = s->sum;
    size_t(*const pos)[2] = s->pos;
    const unsigned char *const wide = s->wide;
    const struct tc_bar_view *const cols = sb->cols;
    const size_t *const froma = sb->from, *const changed = sb->changed;
    const size_t fast = s->fast, slow = s->slow, n = s->n, nch = sb->n_changed;
    size_t ntodo = 0;
    int rc;

    for (size_t k = 0; k < nch; k++) {
        const size_t ix = changed[k];
        if (ix >= n)
            return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
        const struct tc_dec *x = cols[ix].close;
        size_t i = froma[ix];
        const size_t to = cols[ix].n;
        if (i >= to)
            continue;
        if (i != pos[ix][1]) {
            if (pos[ix][0] != SIZE_MAX)
                return tc_error_set(err, TC_EINVAL,
                                    "instrument handle %zu: new bars from %zu, bar %zu expected",
                                    ix, i, pos[ix][1]);
            pos[ix][0] = i;
        }
        const size_t first = pos[ix][0];
        if (wide[ix]) {
            if ((rc = wide_bars(s, &ntodo, ix, x, first, i, to, err)) != 0)
                return rc;
            continue;
        }
        int64_t sf = sum[ix][0], ss = sum[ix][1];
        for (; i < to; i++) {
            const size_t count = i - first + 1;
            const int64_t c = x[i].raw, of = count > fast ? x[i - fast].raw : 0,
                          os = count > slow ? x[i - slow].raw : 0;
            int64_t nf, ns;
            if (__builtin_expect(__builtin_add_overflow(sf, c, &nf) |
                                     __builtin_sub_overflow(nf, of, &nf) |
                                     __builtin_add_overflow(ss, c, &ns) |
                                     __builtin_sub_overflow(ns, os, &ns),
                                 0))
                break;
            sf = nf;
            ss = ns;
            if (count >= slow && (rc = list_bar(s, &ntodo, ix, i, sf, ss, 0, err)) != 0)
                return rc;
        }
        sum[ix][0] = sf;
        sum[ix][1] = ss;
        pos[ix][1] = to;
        if (i < to && (rc = wide_bars(s, &ntodo, ix, x, first, i, to, err)) != 0)
            return rc;
    }
    for (size_t t = 0; t < ntodo; t++) {
        const struct both *b = &s->todo[t];
        const struct tc_dec *x = cols[b->ix].close;
        const size_t first = pos[b->ix][0];
        tc__i128 sf = b->sf, ss = b->ss;
        if (b->wide) {
            sf = window_sum(x, first, b->i, fast);
            ss = window_sum(x, first, b->i, slow);
        }
        if ((rc = both_values(ctx, s, b->ix, x[b->i], sf, ss, err)) != 0)
            return rc;
    }
    return 0;
}

const struct tc_strategy_class tc__strategy_sma_cross = {
    .name = "sma_cross",
    .summary = "long STAKE units when SMA(fast) crosses above SMA(slow), flat when below",
    .params = params,
    .n_params = sizeof(params) / sizeof(params[0]),
    .state_size = sizeof(struct state),
    .check = check,
    .ledger_params = NULL,
    .on_start = start,
    .on_bar = NULL,
    .on_fill = NULL,
    .on_stop = stop,
    .on_bars = on_bars,
    .on_session = on_session,
};
