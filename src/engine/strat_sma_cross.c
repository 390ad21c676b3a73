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

struct state {
    size_t n;                 /* instruments */
    size_t fast, slow;        /* periods, fast < slow */
    uint64_t rfast, rslow;    /* tc__ind_recip of each */
    struct tc_dec stake;
    /* fed by bars: the streaming indicators, one set per instrument */
    struct inst *in;
    size_t nin;               /* initialised entries of IN */
    /* fed by sessions: column-wise, [n] each */
    struct tc_ind_sum *sf, *ss;
    size_t *first, *next;     /* first bar pushed (SIZE_MAX: none yet), next bar expected */
    signed char *last;        /* last non-zero sign of fast - slow */
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
    free(s->sf);
    free(s->ss);
    free(s->first);
    free(s->next);
    free(s->last);
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
    s->sf = calloc(m, sizeof(*s->sf));
    s->ss = calloc(m, sizeof(*s->ss));
    s->first = malloc(m * sizeof(*s->first));
    s->next = calloc(m, sizeof(*s->next));
    s->last = calloc(m, sizeof(*s->last));
    if (!s->sf || !s->ss || !s->first || !s->next || !s->last) {
        stop(ctx, s);
        return tc_error_set(err, TC_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n; k++)
        s->first[k] = SIZE_MAX;
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
 * Fed by sessions: for each instrument with new bars, both sums move by the
 * new close and the closes leaving the windows (read back from the column);
 * the means (rounded as tc_ind_sma) and their sign are formed only once the
 * slow SMA has a value (fast < slow: the fast one has one then too), and
 * only a crossover leaves the loop.
 */
static int on_session(struct tc_strategy_ctx *ctx, void *vs, const struct tc_session_bars *sb,
                      struct tc_error *err)
{
    struct state *s = vs;
    const size_t fast = s->fast, slow = s->slow;
    int rc;

    for (size_t k = 0; k < sb->n_changed; k++) {
        const size_t ix = sb->changed[k];
        if (ix >= s->n)
            return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
        const struct tc_dec *x = sb->cols[ix].close;
        size_t i = sb->from[ix], to = sb->cols[ix].n, first = s->first[ix];
        if (i >= to)
            continue;
        if (first == SIZE_MAX)
            first = s->first[ix] = i;
        else if (i != s->next[ix])
            return tc_error_set(err, TC_EINVAL,
                                "instrument handle %zu: new bars from %zu, bar %zu expected", ix,
                                i, s->next[ix]);
        tc__i128 sf = tc__ind_sum_get(s->sf[ix]), ss = tc__ind_sum_get(s->ss[ix]);
        for (; i < to; i++) {
            const int64_t c = x[i].raw;
            const size_t count = i - first + 1;
            sf += c;
            ss += c;
            if (count > fast)
                sf -= x[i - fast].raw;
            if (count < slow)
                continue;
            if (count > slow)
                ss -= x[i - slow].raw;
            struct tc_dec mf = tc__ind_mean(sf, fast, s->rfast);
            struct tc_dec ms = tc__ind_mean(ss, slow, s->rslow);
            int sign = tc_dec_cmp(mf, ms), last = s->last[ix];
            if (sign == 0)
                continue;
            s->last[ix] = (signed char)sign;
            if (last == 0 || last == sign)
                continue;
            s->sf[ix] = tc__ind_sum_put(sf);
            s->ss[ix] = tc__ind_sum_put(ss);
            s->next[ix] = i + 1;
            if ((rc = crossed(ctx, s, ix, x[i], sign, err)) != 0)
                return rc;
        }
        s->sf[ix] = tc__ind_sum_put(sf);
        s->ss[ix] = tc__ind_sum_put(ss);
        s->next[ix] = to;
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
