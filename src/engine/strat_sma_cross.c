/* The built-in strategy `sma_cross`: long STAKE units when SMA(fast) crosses
 * above SMA(slow) on a close and nothing is held, flat when it crosses
 * below. Fed by sessions (on_session), its indicators are column-wise: per
 * instrument (struct col) the two window sums (64 bits while they fit,
 * summed in 128 from the column past that) and the last non-zero sign, the
 * closes leaving the windows read back from the session's columns, the
 * sign of fast - slow as indicators.h's values give it. Fed by bars (on_bars, on_bar through the
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

/* A crossover of a session: instrument IX's bar I, its SIGN. */
struct cross {
    size_t ix, i;
    int sign;
};

/* An instrument's column-wise state (fed by sessions). */
struct col {
    int64_t sf, ss;           /* running sums of the closes in the fast and slow windows
                                 (1e-8 units), while they fit: see wide */
    size_t first, next;       /* first bar pushed (SIZE_MAX: none yet), next bar expected */
    size_t ready;             /* first + slow while the sums are 64-bit (SIZE_MAX before
                                 the first bar and while wide): from bar READY on, a bar
                                 takes on_session's fast path */
    signed char last;         /* last non-zero sign of fast - slow */
    unsigned char wide;       /* 1: a sum does not fit 64 bits, both are summed from the
                                 column in 128 bits on each bar until they fit again */
};

struct state {
    size_t n;                 /* instruments */
    size_t fast, slow;        /* periods, fast < slow */
    uint64_t rfast, rslow;    /* tc__ind_recip of each */
    struct tc_dec stake;
    /* fed by bars: the streaming indicators, one set per instrument */
    struct inst *in;
    size_t nin;               /* initialised entries of IN */
    /* fed by sessions: one struct col per instrument, [n] */
    struct col *col;
    struct cross *todo;       /* a session's crossovers, in order */
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
    free(s->col);
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
    s->col = calloc(m, sizeof(*s->col));
    if (!s->col) {
        stop(ctx, s);
        return tc_error_set(err, TC_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n; k++)
        s->col[k].first = s->col[k].next = s->col[k].ready = SIZE_MAX; /* the first push sets them */
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

/*
 * Fed by sessions, the sign of SMA(fast) - SMA(slow) on a bar, from the
 * window sums SF and SS (1e-8 units) without the means where it can.
 *
 * Let F = SF / fast and S = SS / slow (exact), and mf, ms the means as
 * tc_ind_sma gives them: F and S rounded half-even to a unit, so
 * |mf - F| <= 1/2 and |ms - S| <= 1/2. With D = SF * slow - SS * fast,
 * F - S = D / (fast * slow). If D > fast * slow, then F - S > 1 and
 *   mf - ms >= (F - 1/2) - (S + 1/2) = (F - S) - 1 > 0,
 * so the sign is +1; if D < -(fast * slow), symmetrically -1. Only when
 * |D| <= fast * slow (the exact means less than one unit apart) may the
 * rounding decide (equal rounded means, or a sign the exact difference does
 * not have): near_tie forms the rounded means and compares them. D is exact
 * in 64 bits when no step overflows, else in 128 (|SF|, |SS| < 2^63 and
 * fast, slow <= 100000 < 2^17).
 */
static __attribute__((noinline)) int near_tie(const struct state *s, tc__i128 sf, tc__i128 ss)
{
    return tc_dec_cmp(tc__ind_mean(sf, s->fast, s->rfast), tc__ind_mean(ss, s->slow, s->rslow));
}

static __attribute__((noinline)) int sign_wide(const struct state *s, int64_t sf, int64_t ss,
                                                int64_t fast, int64_t slow, int64_t lim)
{
    const tc__i128 d = (tc__i128)sf * slow - (tc__i128)ss * fast;
    if (d > lim)
        return 1;
    if (d < -lim)
        return -1;
    return near_tie(s, sf, ss);
}

/* D in 64 bits while it fits (sums of ordinary prices), else in 128. */
static inline int sign_of(const struct state *s, int64_t sf, int64_t ss, int64_t fast,
                          int64_t slow, int64_t lim)
{
    int64_t a, b, d;
    if (__builtin_expect(__builtin_mul_overflow(sf, slow, &a) ||
                             __builtin_mul_overflow(ss, fast, &b) ||
                             __builtin_sub_overflow(a, b, &d),
                         0))
        return sign_wide(s, sf, ss, fast, slow, lim);
    if (d > lim)
        return 1;
    if (d < -lim)
        return -1;
    return near_tie(s, sf, ss);
}

/* The sum of X[max(FIRST, I + 1 - PERIOD) .. I] in 128 bits. */
static tc__i128 window_sum(const struct tc_dec *x, size_t first, size_t i, size_t period)
{
    tc__i128 sum = 0;
    for (size_t k = i + 1 - first > period ? i + 1 - period : first; k <= i; k++)
        sum += x[k].raw;
    return sum;
}

/* Room for N crossovers in the session's list. */
static __attribute__((noinline)) int grow_todo(struct state *s, size_t n, struct tc_error *err)
{
    size_t cap = s->cap_todo ? s->cap_todo : 64;
    while (cap < n)
        cap *= 2;
    struct cross *t = realloc(s->todo, cap * sizeof(*t));
    if (!t)
        return tc_error_set(err, TC_ENOMEM, "out of memory");
    s->todo = t;
    s->cap_todo = cap;
    return 0;
}

/*
 * Bar I of instrument IX has the sign SIGN (both SMAs have a value): a
 * non-zero sign other than the last non-zero one *LAST becomes it, and is
 * a crossover (listed) unless it is the first. A zero sign changes nothing.
 */
static inline int step(struct state *s, size_t *ntodo, size_t ix, size_t i, int sign, int *last,
                       struct tc_error *err)
{
    int rc;
    if (sign == 0 || sign == *last)
        return 0;
    if (*last != 0) {
        if (*ntodo == s->cap_todo && (rc = grow_todo(s, *ntodo + 1, err)) != 0)
            return rc;
        s->todo[(*ntodo)++] = (struct cross){ix, i, sign};
    }
    *last = sign;
    return 0;
}

/* Bars I..TO-1 of instrument IX from the first one where a 64-bit sum
 * overflowed: both sums from the column in 128 bits and their rounded
 * means, kept as 64 bits again (and the instrument back on the fast path)
 * once they fit. */
static __attribute__((noinline)) int wide_bars(struct state *s, size_t *ntodo, size_t ix,
                                               const struct tc_dec *x, size_t first, size_t i,
                                               size_t to, struct tc_error *err)
{
    struct col *const c = &s->col[ix];
    int rc, last = c->last;
    for (; i < to; i++) {
        tc__i128 sf = window_sum(x, first, i, s->fast), ss = window_sum(x, first, i, s->slow);
        int fits = sf >= INT64_MIN && sf <= INT64_MAX && ss >= INT64_MIN && ss <= INT64_MAX;
        c->wide = !fits;
        c->sf = fits ? (int64_t)sf : 0;
        c->ss = fits ? (int64_t)ss : 0;
        if (i + 1 - first >= s->slow &&
            (rc = step(s, ntodo, ix, i, near_tie(s, sf, ss), &last, err)) != 0) {
            c->last = (signed char)last;
            return rc;
        }
    }
    c->last = (signed char)last;
    c->next = to;
    return 0;
}

/* Moves the window sums *SF and *SS by the close C in and OF, OS out; 1
 * (and nothing changed) when one would not fit 64 bits. */
static inline int add_bar(int64_t *sf, int64_t *ss, int64_t c, int64_t of, int64_t os)
{
    int64_t nf, ns;
    if (__builtin_add_overflow(*sf, c, &nf) || __builtin_sub_overflow(nf, of, &nf) ||
        __builtin_add_overflow(*ss, c, &ns) || __builtin_sub_overflow(ns, os, &ns))
        return 1;
    *sf = nf;
    *ss = ns;
    return 0;
}

/* A non-zero sign SIGN on bar I of instrument IX other than its last one
 * (out of the loop: it is rare): step. */
static __attribute__((noinline)) int turn(struct state *s, size_t *ntodo, size_t ix, size_t i,
                                          int sign, struct tc_error *err)
{
    int last = s->col[ix].last;
    int rc = step(s, ntodo, ix, i, sign, &last, err);
    s->col[ix].last = (signed char)last;
    return rc;
}

/*
 * Instrument IX's new bars [FROM, V->n) of a session, every case: the
 * first bar, bars while the windows fill, several bars at once, a sum that
 * leaves 64 bits (wide_bars). Out of on_session's loop, which takes only
 * the common case (one new bar, full windows, 64-bit sums) itself.
 */
static __attribute__((noinline)) int instrument_bars(struct state *s, size_t *ntodo, size_t ix,
                                                     const struct tc_bar_view *v, size_t i,
                                                     struct tc_error *err)
{
    const struct tc_dec *x = v->close;
    const size_t fast = s->fast, slow = s->slow, to = v->n;
    const int64_t lim = (int64_t)fast * (int64_t)slow;
    struct col *const c = &s->col[ix];
    int rc;

    if (i >= to)
        return 0;
    if (i != c->next) {
        if (c->first != SIZE_MAX)
            return tc_error_set(err, TC_EINVAL,
                                "instrument handle %zu: new bars from %zu, bar %zu expected", ix,
                                i, c->next);
        c->first = i;
    }
    const size_t first = c->first;
    if (c->wide) {
        rc = wide_bars(s, ntodo, ix, x, first, i, to, err);
        c->ready = c->wide ? SIZE_MAX : first + slow;
        return rc;
    }
    int64_t sf = c->sf, ss = c->ss;
    for (; i < to; i++) {
        const size_t count = i - first + 1;
        const int64_t of = count > fast ? x[i - fast].raw : 0,
                      os = count > slow ? x[i - slow].raw : 0;
        if (__builtin_expect(add_bar(&sf, &ss, x[i].raw, of, os), 0))
            break;
        if (count >= slow) {
            const int sign = sign_of(s, sf, ss, (int64_t)fast, (int64_t)slow, lim);
            if (sign != 0 && sign != c->last && (rc = turn(s, ntodo, ix, i, sign, err)) != 0)
                return rc;
        }
    }
    c->sf = sf;
    c->ss = ss;
    c->next = to;
    rc = i < to ? wide_bars(s, ntodo, ix, x, first, i, to, err) : 0;
    c->ready = c->wide ? SIZE_MAX : first + slow;
    return rc;
}

/* Instrument IX's new bars of the session SB, every case (on_session's
 * loop left it): its handle checked, the common case (one new bar, the next
 * expected, full windows, 64-bit sums: the bar at or past the column's
 * READY) here with sign_of and turn, any other is instrument_bars. */
static __attribute__((noinline)) int session_bars(struct state *s, size_t *ntodo, size_t ix,
                                                  const struct tc_session_bars *sb,
                                                  struct tc_error *err)
{
    const size_t fast = s->fast, slow = s->slow;
    const int64_t lim = (int64_t)fast * (int64_t)slow;
    int rc;

    if (ix >= s->n)
        return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
    struct col *const c = &s->col[ix];
    const size_t i = sb->from[ix];
    if (i == c->next && i >= c->ready && sb->cols[ix].n - i == 1) {
        /* a close in, one out of each window, no loop set up */
        const struct tc_dec *x = sb->cols[ix].close;
        int64_t sf = c->sf, ss = c->ss;
        if (!add_bar(&sf, &ss, x[i].raw, x[i - fast].raw, x[i - slow].raw)) {
            const int sign = sign_of(s, sf, ss, (int64_t)fast, (int64_t)slow, lim);
            c->sf = sf;
            c->ss = ss;
            c->next = i + 1;
            if (sign != 0 && sign != c->last && (rc = turn(s, ntodo, ix, i, sign, err)) != 0)
                return rc;
            return 0;
        }
    }
    return instrument_bars(s, ntodo, ix, &sb->cols[ix], i, err);
}

/*
 * Fed by sessions, in two passes. First, for each instrument with new bars,
 * both sums move by the new close and the closes leaving the windows (read
 * back from the column), in 64 bits while they fit (from a bar where one
 * overflows, wide_bars: 128-bit sums, the same values); on a bar where the
 * slow SMA has a value (fast < slow: the fast one has one then too) the
 * sign of fast - slow (sign_of) is compared with the last non-zero sign; a
 * new one moves it and a crossover is listed (turn). The loop takes itself
 * only the next bar, alone in the session, of an instrument on 64-bit sums:
 * while the windows fill and the slow one has no value yet after it, or
 * once they are full when its sign is plainly its last non-zero one (the
 * exact means more than a unit apart, no 64-bit step overflowing). It
 * calls nothing, so that it keeps everything in
 * registers; for any other it stops before changing anything and
 * session_bars takes that instrument. Then, in the same order, each listed
 * crossover's signal (crossed): the signals and the order of the
 * bar-by-bar path.
 */
static int on_session(struct tc_strategy_ctx *ctx, void *vs, const struct tc_session_bars *sb,
                      struct tc_error *err)
{
    struct state *s = vs;
    struct col *const col = s->col;
    const struct tc_bar_view *const cols = sb->cols;
    const size_t *const froma = sb->from, *const changed = sb->changed;
    const size_t fast = s->fast, slow = s->slow, n = s->n, nch = sb->n_changed;
    const int64_t lim = (int64_t)fast * (int64_t)slow, ifast = (int64_t)fast,
                  islow = (int64_t)slow;
    size_t ntodo = 0, k = 0;
    int rc;

    while (k < nch) {
        for (; k < nch; k++) {
            const size_t ix = changed[k];
            if (ix >= n)
                break;
            struct col *const c = &col[ix];
            const size_t i = froma[ix];
            if (!(i == c->next && cols[ix].n - i == 1))
                break;
            const struct tc_dec *x = cols[ix].close;
            const int64_t in = x[i].raw;
            const size_t ready = c->ready;
            int64_t sf, ss, a, b, d;
            if (i < ready) {
                /* the windows still filling (64-bit sums, READY set), the
                 * slow one short of a value after this bar: only the sums
                 * move (nothing leaves the slow window yet) */
                if (ready == SIZE_MAX || i + 1 == ready)
                    break;
                const size_t count = i + 1 + slow - ready;
                if (__builtin_add_overflow(c->sf, in, &sf) ||
                    __builtin_sub_overflow(sf, count > fast ? x[i - fast].raw : 0, &sf) ||
                    __builtin_add_overflow(c->ss, in, &ss))
                    break;
                c->sf = sf;
                c->ss = ss;
                c->next = i + 1;
                continue;
            }
            if (__builtin_add_overflow(c->sf, in, &sf) ||
                __builtin_sub_overflow(sf, x[i - fast].raw, &sf) ||
                __builtin_add_overflow(c->ss, in, &ss) ||
                __builtin_sub_overflow(ss, x[i - slow].raw, &ss) ||
                __builtin_mul_overflow(sf, islow, &a) || __builtin_mul_overflow(ss, ifast, &b) ||
                __builtin_sub_overflow(a, b, &d))
                break;
            /* the sign sign_of gives, when it is the last non-zero one */
            if (!(c->last > 0 ? d > lim : c->last < 0 && d < -lim))
                break;
            c->sf = sf;
            c->ss = ss;
            c->next = i + 1;
        }
        if (k == nch)
            break;
        if ((rc = session_bars(s, &ntodo, changed[k], sb, err)) != 0)
            return rc;
        k++;
    }
    for (size_t t = 0; t < ntodo; t++) {
        const struct cross *c = &s->todo[t];
        if ((rc = crossed(ctx, s, c->ix, cols[c->ix].close[c->i], c->sign, err)) != 0)
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
