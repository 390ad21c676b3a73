/* The built-in strategy `sma_cross`: long STAKE units when SMA(fast) crosses
 * above SMA(slow) on a close and nothing is held, flat when it crosses
 * below (streaming indicators, one push per bar, reading only the closes of
 * the bars' view). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/strategy_internal.h"
#include "tradecore/indicators.h"
#include "internal/banned.h"

struct inst {
    struct tc_ind_sma fast, slow;
    struct tc_ind_cross cross;
};

struct state {
    struct inst *in;
    size_t n;
    struct tc_dec stake;
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
    for (size_t k = 0; k < s->n; k++) {
        tc_ind_sma_release(&s->in[k].fast);
        tc_ind_sma_release(&s->in[k].slow);
    }
    free(s->in);
    s->in = NULL;
    s->n = 0;
}

static int start(struct tc_strategy_ctx *ctx, void *vs, struct tc_error *err)
{
    struct state *s = vs;
    const struct tc_strategy_params *p = tc_strategy_params(ctx);
    size_t n = tc_strategy_instruments(ctx);
    int rc;

    s->stake = tc_strategy_param_dec(p, "stake");
    if (!(s->in = calloc(n ? n : 1, sizeof(*s->in))))
        return tc_error_set(err, TC_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        if ((rc = tc_ind_sma_init(&s->in[k].fast, (size_t)tc_strategy_param_int(p, "fast"), err)) != 0 ||
            (rc = tc_ind_sma_init(&s->in[k].slow, (size_t)tc_strategy_param_int(p, "slow"), err)) != 0) {
            s->n = k + 1;
            stop(ctx, s);
            return rc;
        }
        tc_ind_cross_init(&s->in[k].cross);
        s->n = k + 1;
    }
    return 0;
}

/* A crossover on bar I of V: the signal it calls for, if any. */
static int crossed(struct tc_strategy_ctx *ctx, struct state *s, size_t ix,
                   const struct tc_bar_view *v, size_t i, int cross, struct tc_error *err)
{
    struct tc_strategy_position pos;
    struct tc_signal sig;
    int rc;

    if ((rc = tc_strategy_position(ctx, ix, &pos, err)) != 0)
        return rc;
    if (cross > 0 && pos.layers == 0) {
        if ((rc = tc_strategy_signal_init(ctx, &sig, TC_SIGNAL_BASE_ENTRY, ix, TC_SIDE_LONG, err)) != 0)
            return rc;
        sig.price = v->close[i];
        sig.has_price = 1;
        sig.quantity = s->stake;
        sig.has_quantity = 1;
        snprintf(sig.reason, sizeof(sig.reason), "sma_cross: fast crossed above slow");
        return tc_strategy_signal(ctx, &sig, NULL, err);
    }
    if (cross < 0 && tc_dec_sign(pos.quantity) > 0 && pos.side == TC_SIDE_LONG) {
        if ((rc = tc_strategy_signal_init(ctx, &sig, TC_SIGNAL_EXIT, ix, TC_SIDE_LONG, err)) != 0)
            return rc;
        sig.price = v->close[i];
        sig.has_price = 1;
        snprintf(sig.reason, sizeof(sig.reason), "sma_cross: fast crossed below slow");
        return tc_strategy_signal(ctx, &sig, NULL, err);
    }
    return 0;
}

/* Reads only the closes of the new bars (a view: nothing is copied); the
 * indicators are updated in place, and only a crossover leaves this loop. */
static int on_bars(struct tc_strategy_ctx *ctx, void *vs, size_t ix, const struct tc_bar_view *v,
                   struct tc_error *err)
{
    struct state *s = vs;
    struct inst *in;
    struct tc_ind_value f, sl;
    int rc;

    if (ix >= s->n)
        return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
    in = &s->in[ix];
    for (size_t i = 0; i < v->n; i++) {
        if ((rc = tc_ind_sma_push(&in->fast, v->close[i], &f, err)) != 0 ||
            (rc = tc_ind_sma_push(&in->slow, v->close[i], &sl, err)) != 0)
            return rc;
        if (!f.has_value || !sl.has_value) /* no crossover before both have values */
            continue;
        int cross = tc_ind_cross_step(&in->cross, f.value, sl.value);
        if (cross != 0 && (rc = crossed(ctx, s, ix, v, i, cross, err)) != 0)
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
};
