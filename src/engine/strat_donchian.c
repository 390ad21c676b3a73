/* The built-in strategy `donchian`: turtle-style channel breakout, long only.
 * Entry above the highest high of the previous ENTRY bars with a stop
 * STOP_ATR × ATR below; pyramids every PYRAMID_ATR × ATR up to MAX_PYRAMIDS,
 * raising every layer's stop; exit below the lowest low of the previous EXIT
 * bars or when a bar's low reaches the stop. Sizing is the ledger's
 * (risk_fraction of closed equity over the stop distance). Fed by sessions
 * (on_session), the indicators are column-wise: per instrument the ATR's
 * seed and value and the index of each channel's extreme, the channels'
 * values read back from the session's columns; fed by bars (on_bar), the
 * streaming indicators of indicators.h. Both give the same values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ind_cols.h"
#include "engine/strategy_internal.h"
#include "tradecore/indicators.h"
#include "internal/banned.h"

/* The position the strategy manages in one instrument (both paths). */
struct trade {
    struct tc_dec last_entry, stop;
    int pyramids, exiting, held;
};

/* The per-bar path's indicators of one instrument. */
struct inst {
    struct tc_ind_extreme hi, lo;
    struct tc_ind_atr atr;
    struct tc_ind_value hi_prev, lo_prev;  /* over the bars before the current one */
};

struct state {
    size_t n;
    size_t entry, exit, atr;
    struct tc_dec stop_atr, pyramid_atr;
    int max_pyramids;
    struct trade *tr;         /* [n] */
    /* fed by bars */
    struct inst *in;
    size_t nin;
    /* fed by sessions, [n] each */
    size_t *first, *next;     /* first bar fed (SIZE_MAX: none yet), next bar expected */
    size_t *hi_at, *lo_at;    /* the latest highest high / lowest low of the bars fed so far
                                 within the window of the next bar */
    struct tc_ind_sum *seed;  /* ATR: sum of the first ATR true ranges */
    struct tc_dec *atrv;      /* ATR: its value once it has one */
};

static const struct tc_param_spec params[] = {
    {"entry", TC_PARAM_INT, "20", "1", "100000", "breakout channel, in bars (highest high)"},
    {"exit", TC_PARAM_INT, "10", "1", "100000", "exit channel, in bars (lowest low)"},
    {"atr", TC_PARAM_INT, "20", "1", "100000", "ATR period, in bars"},
    {"stop_atr", TC_PARAM_DEC, "2", "0.00000001", "1000", "stop distance in ATRs"},
    {"pyramid_atr", TC_PARAM_DEC, "0.5", "0.00000001", "1000", "pyramid step in ATRs"},
    {"max_pyramids", TC_PARAM_INT, "3", "0", "1000", "layers on top of the base"},
    {"risk", TC_PARAM_DEC, "0.01", "0.00000001", "1", "fraction of equity risked per entry"},
};

static int ledger_params(const struct tc_strategy_params *p, char *buf, size_t cap,
                         struct tc_error *err)
{
    char risk[TC_DEC_STRLEN];
    int n;
    tc_dec_format(tc_strategy_param_dec(p, "risk"), risk, sizeof(risk));
    n = snprintf(buf, cap, "{\"risk_fraction\":\"%s\",\"max_pyramids\":%lld,"
                 "\"pyramid_size_fraction\":\"1\"}",
                 risk, (long long)tc_strategy_param_int(p, "max_pyramids"));
    if (n < 0 || (size_t)n >= cap)
        return tc_error_set(err, TC_ENOSPC, "strategy donchian: ledger params do not fit");
    return 0;
}

static void stop(struct tc_strategy_ctx *ctx, void *vs)
{
    struct state *s = vs;
    (void)ctx;
    for (size_t k = 0; k < s->nin; k++) {
        tc_ind_extreme_release(&s->in[k].hi);
        tc_ind_extreme_release(&s->in[k].lo);
    }
    free(s->in);
    free(s->tr);
    free(s->first);
    free(s->next);
    free(s->hi_at);
    free(s->lo_at);
    free(s->seed);
    free(s->atrv);
    memset(s, 0, sizeof(*s));
}

static int start(struct tc_strategy_ctx *ctx, void *vs, struct tc_error *err)
{
    struct state *s = vs;
    const struct tc_strategy_params *p = tc_strategy_params(ctx);
    size_t n = tc_strategy_instruments(ctx), m = n ? n : 1;

    s->n = n;
    s->entry = (size_t)tc_strategy_param_int(p, "entry");
    s->exit = (size_t)tc_strategy_param_int(p, "exit");
    s->atr = (size_t)tc_strategy_param_int(p, "atr");
    s->stop_atr = tc_strategy_param_dec(p, "stop_atr");
    s->pyramid_atr = tc_strategy_param_dec(p, "pyramid_atr");
    s->max_pyramids = (int)tc_strategy_param_int(p, "max_pyramids");
    s->tr = calloc(m, sizeof(*s->tr));
    s->first = malloc(m * sizeof(*s->first));
    s->next = calloc(m, sizeof(*s->next));
    s->hi_at = calloc(m, sizeof(*s->hi_at));
    s->lo_at = calloc(m, sizeof(*s->lo_at));
    s->seed = calloc(m, sizeof(*s->seed));
    s->atrv = calloc(m, sizeof(*s->atrv));
    if (!s->tr || !s->first || !s->next || !s->hi_at || !s->lo_at || !s->seed || !s->atrv) {
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
        struct inst *in = &s->in[k];
        s->nin = k + 1;
        if ((rc = tc_ind_extreme_init(&in->hi, TC_IND_HIGHEST, s->entry, err)) != 0 ||
            (rc = tc_ind_extreme_init(&in->lo, TC_IND_LOWEST, s->exit, err)) != 0 ||
            (rc = tc_ind_atr_init(&in->atr, s->atr, err)) != 0)
            return rc;
    }
    return 0;
}

/* PRICE − MULT × ATR, or an error when it does not fit. */
static int below(struct tc_dec price, struct tc_dec mult, struct tc_dec atr, struct tc_dec *out)
{
    struct tc_dec d;
    if (tc_dec_mul(mult, atr, TC_ROUND_HALF_EVEN, &d) != 0)
        return TC_ERANGE;
    return tc_dec_sub(price, d, out);
}

static int send(struct tc_strategy_ctx *ctx, size_t ix, enum tc_signal_type type,
                struct tc_dec price, const struct tc_dec *stop_px, const char *why,
                int *accepted, struct tc_error *err)
{
    struct tc_signal sig;
    struct tc_signal_outcome o;
    int rc;

    *accepted = 0;
    if ((rc = tc_strategy_signal_init(ctx, &sig, type, ix, TC_SIDE_LONG, err)) != 0)
        return rc;
    sig.price = price;
    sig.has_price = 1;
    if (stop_px) {
        sig.stop = *stop_px;
        sig.has_stop = 1;
    }
    snprintf(sig.reason, sizeof(sig.reason), "donchian: %s", why);
    if ((rc = tc_strategy_signal(ctx, &sig, &o, err)) != 0)
        return rc;
    *accepted = o.status == TC_SIGNAL_ACCEPTED;
    return 0;
}

/* What one bar calls for: its CLOSE and LOW, the ATR after it, and the
 * channels over the bars before it. */
struct bar_ind {
    struct tc_dec close, low;
    struct tc_ind_value atr, hi_prev, lo_prev;
};

static int decide(struct tc_strategy_ctx *ctx, struct state *s, size_t ix, struct trade *in,
                  const struct bar_ind *bi, struct tc_error *err)
{
    struct tc_strategy_position pos;
    struct tc_dec st, step, target;
    const struct tc_ind_value atr = bi->atr;
    int ok = 0, rc;

    if ((rc = tc_strategy_position(ctx, ix, &pos, err)) != 0)
        return rc;
    if (pos.layers == 0) {
        in->held = in->exiting = 0;
        if (!bi->hi_prev.has_value || !atr.has_value ||
            tc_dec_cmp(bi->close, bi->hi_prev.value) <= 0)
            return 0;
        if (below(bi->close, s->stop_atr, atr.value, &st) != 0 || tc_dec_sign(st) <= 0)
            return 0; /* no stop below the price: no risk-sized entry possible */
        if ((rc = send(ctx, ix, TC_SIGNAL_BASE_ENTRY, bi->close, &st, "channel breakout", &ok,
                       err)) != 0)
            return rc;
        if (ok) {
            in->held = 1;
            in->last_entry = bi->close;
            in->stop = st;
            in->pyramids = 0;
        }
        return 0;
    }
    if (!in->held || in->exiting || tc_dec_sign(pos.quantity) <= 0 || pos.side != TC_SIDE_LONG)
        return 0; /* not ours, leaving, or the entry has not filled yet */
    if (tc_dec_cmp(bi->low, in->stop) <= 0 ||
        (bi->lo_prev.has_value && tc_dec_cmp(bi->close, bi->lo_prev.value) < 0)) {
        const char *why = tc_dec_cmp(bi->low, in->stop) <= 0 ? "stop reached" : "exit channel";
        if ((rc = send(ctx, ix, TC_SIGNAL_EXIT, bi->close, NULL, why, &ok, err)) != 0)
            return rc;
        in->exiting = ok;
        return 0;
    }
    if (in->pyramids >= s->max_pyramids || !atr.has_value ||
        tc_dec_mul(s->pyramid_atr, atr.value, TC_ROUND_HALF_EVEN, &step) != 0 ||
        tc_dec_add(in->last_entry, step, &target) != 0 || tc_dec_cmp(bi->close, target) < 0)
        return 0;
    if (below(bi->close, s->stop_atr, atr.value, &st) != 0 || tc_dec_sign(st) <= 0)
        return 0;
    if ((rc = send(ctx, ix, TC_SIGNAL_PYRAMID, bi->close, &st, "pyramid", &ok, err)) != 0 || !ok)
        return rc;
    in->pyramids++;
    in->last_entry = bi->close;
    if (tc_dec_cmp(st, in->stop) > 0) {
        if ((rc = send(ctx, ix, TC_SIGNAL_STOP_UPDATE, bi->close, &st, "stop raised", &ok,
                       err)) != 0)
            return rc;
        if (ok)
            in->stop = st;
    }
    return 0;
}

static int on_bar(struct tc_strategy_ctx *ctx, void *vs, size_t ix, const struct tc_bar *bar,
                  struct tc_error *err)
{
    struct state *s = vs;
    struct inst *in;
    struct bar_ind bi;
    int rc;

    if (ix >= s->n)
        return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
    if (!s->in && (rc = start_bars(s, err)) != 0)
        return rc;
    in = &s->in[ix];
    if ((rc = tc_ind_atr_push(&in->atr, bar->high, bar->low, bar->close, &bi.atr, err)) != 0)
        return rc;
    bi.close = bar->close;
    bi.low = bar->low;
    bi.hi_prev = in->hi_prev;
    bi.lo_prev = in->lo_prev;
    if ((rc = decide(ctx, s, ix, &s->tr[ix], &bi, err)) != 0)
        return rc;
    /* the channels of the next bar include this one */
    if ((rc = tc_ind_extreme_push(&in->hi, bar->high, &in->hi_prev, err)) != 0 ||
        (rc = tc_ind_extreme_push(&in->lo, bar->low, &in->lo_prev, err)) != 0)
        return rc;
    return 0;
}

/* The index of the latest highest (SIGN 1) or lowest (SIGN -1) of V[LO..HI]. */
static size_t scan_extreme(const struct tc_dec *v, size_t lo, size_t hi, int sign)
{
    size_t at = lo;
    for (size_t k = lo + 1; k <= hi; k++)
        if (tc_dec_cmp(v[k], v[at]) * sign >= 0)
            at = k;
    return at;
}

/* After bar I (the first bar fed was FIRST): the extreme of the window of the
 * next bar, the PERIOD bars up to I, from the one of the window before. */
static size_t next_extreme(const struct tc_dec *v, size_t at, size_t first, size_t i,
                           size_t period, int sign)
{
    size_t lo = i + 1 - first >= period ? i + 1 - period : first;
    if (i == first || at < lo)
        return scan_extreme(v, lo, i, sign);
    return tc_dec_cmp(v[i], v[at]) * sign >= 0 ? i : at;
}

/*
 * Fed by sessions: bar by bar, as on_bar, with the indicators read from the
 * columns: the true range from the bar and the close before it, the
 * channels as the extremes (kept as indices) of the previous ENTRY highs and
 * EXIT lows.
 */
static int on_session(struct tc_strategy_ctx *ctx, void *vs, const struct tc_session_bars *sb,
                      struct tc_error *err)
{
    struct state *s = vs;
    const size_t period = s->atr;
    int rc;

    for (size_t k = 0; k < sb->n_changed; k++) {
        const size_t ix = sb->changed[k];
        if (ix >= s->n)
            return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
        const struct tc_bar_view *c = &sb->cols[ix];
        size_t i = sb->from[ix], first = s->first[ix];
        if (i >= c->n)
            continue;
        if (first == SIZE_MAX)
            first = i;
        else if (i != s->next[ix])
            return tc_error_set(err, TC_EINVAL,
                                "instrument handle %zu: new bars from %zu, bar %zu expected", ix,
                                i, s->next[ix]);
        for (; i < c->n; i++) {
            const size_t seen = i - first; /* bars fed before this one */
            struct bar_ind bi;
            struct tc_dec tr;
            if ((rc = tc__ind_true_range(c->high[i], c->low[i], c->close[i], seen > 0,
                                         seen > 0 ? c->close[i - 1] : TC_DEC_ZERO, "", &tr,
                                         err)) != 0)
                return rc;
            s->first[ix] = first;
            if (seen < period) {
                tc__i128 sum = tc__ind_sum_get(s->seed[ix]) + tr.raw;
                s->seed[ix] = tc__ind_sum_put(sum);
                if (seen + 1 == period)
                    s->atrv[ix] = tc__ind_mean(sum, period, 0);
            } else {
                s->atrv[ix] = tc__ind_atr_step(s->atrv[ix], tr, period);
            }
            bi.close = c->close[i];
            bi.low = c->low[i];
            bi.atr.has_value = seen + 1 >= period;
            bi.atr.value = bi.atr.has_value ? s->atrv[ix] : TC_DEC_ZERO;
            bi.hi_prev.has_value = seen >= s->entry;
            bi.hi_prev.value = bi.hi_prev.has_value ? c->high[s->hi_at[ix]] : TC_DEC_ZERO;
            bi.lo_prev.has_value = seen >= s->exit;
            bi.lo_prev.value = bi.lo_prev.has_value ? c->low[s->lo_at[ix]] : TC_DEC_ZERO;
            s->next[ix] = i + 1;
            s->hi_at[ix] = next_extreme(c->high, s->hi_at[ix], first, i, s->entry, 1);
            s->lo_at[ix] = next_extreme(c->low, s->lo_at[ix], first, i, s->exit, -1);
            if ((rc = decide(ctx, s, ix, &s->tr[ix], &bi, err)) != 0)
                return rc;
        }
    }
    return 0;
}

const struct tc_strategy_class tc__strategy_donchian = {
    .name = "donchian",
    .summary = "turtle-style breakout: ATR stop, pyramids every pyramid_atr ATRs, channel exit",
    .params = params,
    .n_params = sizeof(params) / sizeof(params[0]),
    .state_size = sizeof(struct state),
    .check = NULL,
    .ledger_params = ledger_params,
    .on_start = start,
    .on_bar = on_bar,
    .on_fill = NULL,
    .on_stop = stop,
    .on_session = on_session,
};
