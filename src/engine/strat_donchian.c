/* The built-in strategy `donchian`: turtle-style channel breakout, long only.
 * Entry above the highest high of the previous ENTRY bars with a stop
 * STOP_ATR × ATR below; pyramids every PYRAMID_ATR × ATR up to MAX_PYRAMIDS,
 * raising every layer's stop; exit below the lowest low of the previous EXIT
 * bars or when a bar's low reaches the stop. Sizing is the ledger's
 * (risk_fraction of closed equity over the stop distance). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/strategy_internal.h"
#include "tradecore/indicators.h"
#include "internal/banned.h"

struct inst {
    struct tc_ind_extreme hi, lo;
    struct tc_ind_atr atr;
    struct tc_ind_value hi_prev, lo_prev;  /* over the bars before the current one */
    struct tc_dec last_entry, stop;
    int pyramids, exiting, held;
};

struct state {
    struct inst *in;
    size_t n;
    struct tc_dec stop_atr, pyramid_atr;
    int max_pyramids;
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
    for (size_t k = 0; k < s->n; k++) {
        tc_ind_extreme_release(&s->in[k].hi);
        tc_ind_extreme_release(&s->in[k].lo);
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

    s->stop_atr = tc_strategy_param_dec(p, "stop_atr");
    s->pyramid_atr = tc_strategy_param_dec(p, "pyramid_atr");
    s->max_pyramids = (int)tc_strategy_param_int(p, "max_pyramids");
    if (!(s->in = calloc(n ? n : 1, sizeof(*s->in))))
        return tc_error_set(err, TC_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        struct inst *in = &s->in[k];
        s->n = k + 1;
        if ((rc = tc_ind_extreme_init(&in->hi, TC_IND_HIGHEST,
                                      (size_t)tc_strategy_param_int(p, "entry"), err)) != 0 ||
            (rc = tc_ind_extreme_init(&in->lo, TC_IND_LOWEST,
                                      (size_t)tc_strategy_param_int(p, "exit"), err)) != 0 ||
            (rc = tc_ind_atr_init(&in->atr, (size_t)tc_strategy_param_int(p, "atr"), err)) != 0) {
            stop(ctx, s);
            return rc;
        }
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

static int decide(struct tc_strategy_ctx *ctx, struct state *s, size_t ix, struct inst *in,
                  const struct tc_bar *bar, struct tc_ind_value atr, struct tc_error *err)
{
    struct tc_strategy_position pos;
    struct tc_dec st, step, target;
    int ok = 0, rc;

    if ((rc = tc_strategy_position(ctx, ix, &pos, err)) != 0)
        return rc;
    if (pos.layers == 0) {
        in->held = in->exiting = 0;
        if (!in->hi_prev.has_value || !atr.has_value ||
            tc_dec_cmp(bar->close, in->hi_prev.value) <= 0)
            return 0;
        if (below(bar->close, s->stop_atr, atr.value, &st) != 0 || tc_dec_sign(st) <= 0)
            return 0; /* no stop below the price: no risk-sized entry possible */
        if ((rc = send(ctx, ix, TC_SIGNAL_BASE_ENTRY, bar->close, &st, "channel breakout", &ok,
                       err)) != 0)
            return rc;
        if (ok) {
            in->held = 1;
            in->last_entry = bar->close;
            in->stop = st;
            in->pyramids = 0;
        }
        return 0;
    }
    if (!in->held || in->exiting || tc_dec_sign(pos.quantity) <= 0 || pos.side != TC_SIDE_LONG)
        return 0; /* not ours, leaving, or the entry has not filled yet */
    if (tc_dec_cmp(bar->low, in->stop) <= 0 ||
        (in->lo_prev.has_value && tc_dec_cmp(bar->close, in->lo_prev.value) < 0)) {
        const char *why = tc_dec_cmp(bar->low, in->stop) <= 0 ? "stop reached" : "exit channel";
        if ((rc = send(ctx, ix, TC_SIGNAL_EXIT, bar->close, NULL, why, &ok, err)) != 0)
            return rc;
        in->exiting = ok;
        return 0;
    }
    if (in->pyramids >= s->max_pyramids || !atr.has_value ||
        tc_dec_mul(s->pyramid_atr, atr.value, TC_ROUND_HALF_EVEN, &step) != 0 ||
        tc_dec_add(in->last_entry, step, &target) != 0 || tc_dec_cmp(bar->close, target) < 0)
        return 0;
    if (below(bar->close, s->stop_atr, atr.value, &st) != 0 || tc_dec_sign(st) <= 0)
        return 0;
    if ((rc = send(ctx, ix, TC_SIGNAL_PYRAMID, bar->close, &st, "pyramid", &ok, err)) != 0 || !ok)
        return rc;
    in->pyramids++;
    in->last_entry = bar->close;
    if (tc_dec_cmp(st, in->stop) > 0) {
        if ((rc = send(ctx, ix, TC_SIGNAL_STOP_UPDATE, bar->close, &st, "stop raised", &ok,
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
    struct tc_ind_value atr;
    int rc;

    if (ix >= s->n)
        return tc_error_set(err, TC_ENOTFOUND, "instrument handle %zu is unknown", ix);
    in = &s->in[ix];
    if ((rc = tc_ind_atr_push(&in->atr, bar->high, bar->low, bar->close, &atr, err)) != 0 ||
        (rc = decide(ctx, s, ix, in, bar, atr, err)) != 0)
        return rc;
    /* the channels of the next bar include this one */
    if ((rc = tc_ind_extreme_push(&in->hi, bar->high, &in->hi_prev, err)) != 0 ||
        (rc = tc_ind_extreme_push(&in->lo, bar->low, &in->lo_prev, err)) != 0)
        return rc;
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
};
