/*
 * Market simulator pricing: the base price of an order on a daily bar (limit,
 * stop and stop-limit rules with gaps), slippage against the trader, tick
 * rounding, clamping into the bar, and commissions. Pure functions; the rules
 * are written out in include/tradecore/sim.h.
 */
#include <stdint.h>

#include "exec/sim_internal.h"
#include "internal/banned.h"

__extension__ typedef __int128 i128;

/* LIMIT at L: opened through it fills at the open, traded through it at L. */
static int limit_price(int buy, struct tc_dec limit, const struct tc_bar *b, struct tc_dec *price)
{
    if (buy ? tc_dec_cmp(b->open, limit) <= 0 : tc_dec_cmp(b->open, limit) >= 0) {
        *price = b->open;
        return 1;
    }
    if (buy ? tc_dec_cmp(b->low, limit) <= 0 : tc_dec_cmp(b->high, limit) >= 0) {
        *price = limit;
        return 1;
    }
    return 0;
}

static int gapped_past(int buy, struct tc_dec stop, const struct tc_bar *b)
{
    return buy ? tc_dec_cmp(b->open, stop) >= 0 : tc_dec_cmp(b->open, stop) <= 0;
}

static int reached(int buy, struct tc_dec stop, const struct tc_bar *b)
{
    return buy ? tc_dec_cmp(b->high, stop) >= 0 : tc_dec_cmp(b->low, stop) <= 0;
}

int tc__sim_base_price(const struct tc_sim_order *o, const struct tc_bar *b, int fill_close,
                       struct tc_dec *price, int *triggered)
{
    int buy = o->side == TC_SIM_BUY;

    *triggered = o->triggered;
    switch (o->type) {
    case TC_SIM_MARKET:
        *price = fill_close ? b->close : b->open;
        return 1;
    case TC_SIM_LIMIT:
        return limit_price(buy, o->limit, b, price);
    case TC_SIM_STOP_MARKET:
        if (o->triggered || gapped_past(buy, o->stop, b)) {
            *triggered = 1;
            *price = b->open;
            return 1;
        }
        if (reached(buy, o->stop, b)) {
            *triggered = 1;
            *price = o->stop;
            return 1;
        }
        return 0;
    case TC_SIM_STOP_LIMIT:
        if (o->triggered || gapped_past(buy, o->stop, b)) {
            /* The whole bar comes after the trigger. */
            *triggered = 1;
            return limit_price(buy, o->limit, b, price);
        }
        if (reached(buy, o->stop, b)) {
            /* Triggered inside the bar: only the trigger price itself is known
             * to have traded after the trigger. */
            *triggered = 1;
            if (buy ? tc_dec_cmp(o->stop, o->limit) <= 0 : tc_dec_cmp(o->stop, o->limit) >= 0) {
                *price = o->stop;
                return 1;
            }
        }
        return 0;
    }
    return 0;
}

int tc__sim_fill_price(const struct tc_sim_order *o, const struct tc_bar *b,
                       struct tc_dec fraction, struct tc_dec base, struct tc_dec *out)
{
    int buy = o->side == TC_SIM_BUY;
    struct tc_dec p = base, factor;
    int rc;

    if (fraction.raw > 0) {
        factor.raw = buy ? TC_DEC_ONE + fraction.raw : TC_DEC_ONE - fraction.raw;
        rc = tc_dec_mul(p, factor, buy ? TC_ROUND_CEIL : TC_ROUND_FLOOR, &p);
        if (rc != 0)
            return rc;
    }
    if (o->tick.raw > 0) {
        rc = tc_dec_quantize(p, o->tick, buy ? TC_ROUND_CEIL : TC_ROUND_FLOOR, &p);
        if (rc != 0)
            return rc;
    }
    if (tc_dec_cmp(p, b->high) > 0)
        p = b->high;
    if (tc_dec_cmp(p, b->low) < 0)
        p = b->low;
    if (o->type == TC_SIM_LIMIT || o->type == TC_SIM_STOP_LIMIT) {
        if (buy ? tc_dec_cmp(p, o->limit) > 0 : tc_dec_cmp(p, o->limit) < 0)
            p = o->limit;
    }
    *out = p;
    return 0;
}

/* A * B (both raw, 16 fractional places together) rounded half-even to PLACES. */
static int mul_places(struct tc_dec a, struct tc_dec b, int places, struct tc_dec *out)
{
    i128 n = (i128)a.raw * b.raw, d = 1, q, r, back;
    for (int i = 0; i < 2 * TC_DEC_PLACES - places; i++)
        d *= 10;
    q = n / d;
    r = n % d;
    if (r < 0)
        r = -r;
    if (2 * r > d || (2 * r == d && (q % 2) != 0))
        q += n < 0 ? -1 : 1;
    /* Back to 8 places. */
    back = q;
    for (int i = places; i < TC_DEC_PLACES; i++)
        back *= 10;
    if (back > INT64_MAX || back < -INT64_MAX)
        return TC_ERANGE;
    out->raw = (int64_t)back;
    return 0;
}

int tc__sim_commission(const struct tc_sim_config *cfg, struct tc_dec qty, struct tc_dec value,
                       uint32_t prior_fills, struct tc_dec *out)
{
    struct tc_dec c = TC_DEC_ZERO;
    int rc = 0;

    switch (cfg->commission) {
    case TC_SIM_COMM_NONE:
        break;
    case TC_SIM_COMM_FRACTION:
        rc = mul_places(value, cfg->comm_rate, cfg->commission_places, &c);
        break;
    case TC_SIM_COMM_PER_SHARE:
        rc = mul_places(qty, cfg->comm_rate, cfg->commission_places, &c);
        if (rc == 0 && tc_dec_cmp(c, cfg->comm_min) < 0)
            c = cfg->comm_min;
        if (rc == 0 && cfg->comm_max.raw > 0 && tc_dec_cmp(c, cfg->comm_max) > 0)
            c = cfg->comm_max;
        break;
    case TC_SIM_COMM_FIXED:
        if (prior_fills == 0)
            c = cfg->comm_fixed;
        break;
    }
    if (rc != 0)
        return rc;
    *out = c;
    return 0;
}

int64_t tc__sim_cap_raw(struct tc_dec cap, int64_t volume)
{
    i128 q = (i128)cap.raw * volume;
    return q > INT64_MAX ? INT64_MAX : (int64_t)q;
}
