/*
 * Position sizing and the pyramiding and stop-update decisions of the signal
 * engine, as pure functions over a strategy's sizing parameters and a small
 * view of the position. Quantities are computed exactly: each formula is one
 * rational number over the raw (×10^8) decimals, formed in 128-bit integers
 * and floored once to whole lots.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "tradecore/signal.h"
#include "engine/signal_internal.h"
#include "internal/banned.h"

__extension__ typedef __int128 i128;

#define MAX_PYRAMIDS 1000
#define PARAMS "strategy params"

/* Formats D into B (TC_DEC_STRLEN bytes) and returns B, for messages. */
static const char *fmt(struct tc_dec d, char *b)
{
    tc_dec_format(d, b, TC_DEC_STRLEN);
    return b;
}

void tc_sizing_params_default(struct tc_sizing_params *p)
{
    memset(p, 0, sizeof(*p));
    p->risk_fraction = tc_dec_from_raw(TC_DEC_ONE / 100);
    p->pyramid_size_fraction = tc_dec_from_raw(TC_DEC_ONE);
}

int tc_sizing_params_check(const struct tc_sizing_params *p, struct tc_error *err)
{
    char a[TC_DEC_STRLEN];

    if (!p)
        return tc_error_set(err, TC_EINVAL, "sizing params: none given");
    if (p->risk_fraction.raw <= 0)
        return tc_error_set(err, TC_EINVAL, "risk_fraction %s must be above 0",
                            fmt(p->risk_fraction, a));
    if (p->risk_fraction.raw > TC_DEC_ONE)
        return tc_error_set(err, TC_EINVAL, "risk_fraction %s is above 1",
                            fmt(p->risk_fraction, a));
    if (p->max_position_value.raw < 0)
        return tc_error_set(err, TC_EINVAL, "max_position_value %s is negative (0 means no cap)",
                            fmt(p->max_position_value, a));
    if (p->max_pyramids < 0 || p->max_pyramids > MAX_PYRAMIDS)
        return tc_error_set(err, TC_EINVAL, "max_pyramids %d is outside 0..%d", p->max_pyramids,
                            MAX_PYRAMIDS);
    if (p->pyramid_distance.raw < 0)
        return tc_error_set(err, TC_EINVAL, "pyramid_distance %s is negative",
                            fmt(p->pyramid_distance, a));
    if (p->pyramid_distance_pct.raw < 0 || p->pyramid_distance_pct.raw >= TC_DEC_ONE)
        return tc_error_set(err, TC_EINVAL, "pyramid_distance_pct %s is outside [0, 1)",
                            fmt(p->pyramid_distance_pct, a));
    if (p->pyramid_distance.raw > 0 && p->pyramid_distance_pct.raw > 0)
        return tc_error_set(err, TC_EINVAL,
                            "pyramid_distance and pyramid_distance_pct are both set; set one");
    if (p->pyramid_size_fraction.raw <= 0 || p->pyramid_size_fraction.raw > TC_DEC_ONE)
        return tc_error_set(err, TC_EINVAL, "pyramid_size_fraction %s is outside (0, 1]",
                            fmt(p->pyramid_size_fraction, a));
    if (p->allow_stop_loosen != 0 && p->allow_stop_loosen != 1)
        return tc_error_set(err, TC_EINVAL, "allow_stop_loosen %d is not 0 or 1",
                            p->allow_stop_loosen);
    return 0;
}

int tc_sizing_params_from_json(const char *params_json, struct tc_sizing_params *p,
                               struct tc_error *err)
{
    static const struct {
        const char *key;
        size_t off;
    } decs[] = {
        {"risk_fraction", offsetof(struct tc_sizing_params, risk_fraction)},
        {"max_position_value", offsetof(struct tc_sizing_params, max_position_value)},
        {"pyramid_distance", offsetof(struct tc_sizing_params, pyramid_distance)},
        {"pyramid_distance_pct", offsetof(struct tc_sizing_params, pyramid_distance_pct)},
        {"pyramid_size_fraction", offsetof(struct tc_sizing_params, pyramid_size_fraction)},
    };
    struct tc_sizing_params q;
    json_error_t je;
    json_t *root, *v;
    int rc = 0;

    if (!p)
        return tc_error_set(err, TC_EINVAL, PARAMS ": no output given");
    tc_sizing_params_default(&q);
    if (!params_json) {
        *p = q;
        return 0;
    }
    root = json_loads(params_json, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return tc__signal_json_error(PARAMS, &je, err);
    if (!json_is_object(root)) {
        rc = tc_error_set(err, TC_EINVAL, PARAMS " must be a JSON object, not %s",
                          tc__signal_json_kind(root));
        goto out;
    }
    for (size_t i = 0; i < sizeof(decs) / sizeof(decs[0]); i++) {
        v = json_object_get(root, decs[i].key);
        if (!v)
            continue;
        rc = tc__signal_json_dec(PARAMS ": ", decs[i].key, v,
                                 (struct tc_dec *)((char *)&q + decs[i].off), err);
        if (rc != 0)
            goto out;
    }
    v = json_object_get(root, "max_pyramids");
    if (v) {
        if (!json_is_integer(v)) {
            rc = tc_error_set(err, TC_EINVAL, PARAMS ": max_pyramids must be an integer, not %s",
                              tc__signal_json_kind(v));
            goto out;
        }
        if (json_integer_value(v) < 0 || json_integer_value(v) > MAX_PYRAMIDS) {
            rc = tc_error_set(err, TC_EINVAL, PARAMS ": max_pyramids %lld is outside 0..%d",
                              (long long)json_integer_value(v), MAX_PYRAMIDS);
            goto out;
        }
        q.max_pyramids = (int)json_integer_value(v);
    }
    v = json_object_get(root, "allow_stop_loosen");
    if (v) {
        if (!json_is_boolean(v)) {
            rc = tc_error_set(err, TC_EINVAL,
                              PARAMS ": allow_stop_loosen must be true or false, not %s",
                              tc__signal_json_kind(v));
            goto out;
        }
        q.allow_stop_loosen = json_is_true(v);
    }
    if ((rc = tc_sizing_params_check(&q, err)) != 0) {
        tc_error_prefix(err, PARAMS);
        goto out;
    }
    *p = q;
out:
    json_decref(root);
    return rc;
}

/* ---- sizing ------------------------------------------------------------- */

static int need_positive(const char *what, struct tc_dec d, struct tc_error *err)
{
    char a[TC_DEC_STRLEN];

    if (d.raw > 0)
        return 0;
    return tc_error_set(err, TC_EINVAL, "sizing: %s %s must be positive", what, fmt(d, a));
}

/* The largest quantity (raw) worth at most max_position_value at PRICE and
 * MULTIPLIER: floor(V·10^16 / (P·M)) in raw units. Positive arguments. */
static i128 cap_raw(const struct tc_sizing_params *p, struct tc_dec price,
                    struct tc_dec multiplier)
{
    return (i128)p->max_position_value.raw * TC_DEC_ONE * TC_DEC_ONE /
           ((i128)price.raw * multiplier.raw);
}

static int lots_to_qty(i128 lots, struct tc_dec lot_size, struct tc_dec *qty_out,
                       struct tc_error *err)
{
    char a[TC_DEC_STRLEN];
    i128 q = lots * lot_size.raw;

    if (q > INT64_MAX)
        return tc_error_set(err, TC_ERANGE,
                            "sizing: the quantity (more than %lld lots of %s) is out of range",
                            (long long)(lots > INT64_MAX ? INT64_MAX : lots), fmt(lot_size, a));
    *qty_out = tc_dec_from_raw((int64_t)q);
    return 0;
}

int tc_size_base_entry(const struct tc_sizing_params *p, struct tc_dec equity,
                       struct tc_dec price, struct tc_dec stop, struct tc_dec multiplier,
                       struct tc_dec lot_size, struct tc_dec *qty_out, struct tc_error *err)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN], d[TC_DEC_STRLEN],
        e[TC_DEC_STRLEN], f[TC_DEC_STRLEN], g[TC_DEC_STRLEN], h[TC_DEC_STRLEN];
    struct tc_dec budget, risk;
    i128 dist, lots;
    int rc;

    if ((rc = tc_sizing_params_check(p, err)) != 0)
        return tc_error_prefix(err, "sizing");
    if ((rc = need_positive("price", price, err)) != 0 ||
        (rc = need_positive("stop", stop, err)) != 0 ||
        (rc = need_positive("multiplier", multiplier, err)) != 0 ||
        (rc = need_positive("lot size", lot_size, err)) != 0)
        return rc;
    if (price.raw == stop.raw)
        return tc_error_set(err, TC_EINVAL,
                            "sizing: price %s equals the stop: the risk distance is zero",
                            fmt(price, a));
    if (equity.raw <= 0)
        return tc_error_set(err, TC_EREJECTED, "sizing: equity %s leaves no risk budget",
                            fmt(equity, a));

    dist = price.raw > stop.raw ? (i128)price.raw - stop.raw : (i128)stop.raw - price.raw;
    /* equity·r / (dist·m·lot) with every value raw ×10^8: E·r·10^8 / (D·M·L). */
    lots = (i128)equity.raw * p->risk_fraction.raw * TC_DEC_ONE / (dist * multiplier.raw) /
           lot_size.raw;
    if (lots == 0) {
        if (tc_dec_mul(equity, p->risk_fraction, TC_ROUND_FLOOR, &budget) != 0)
            budget = equity;
        if (tc_dec_mul(tc_dec_from_raw((int64_t)dist), multiplier, TC_ROUND_CEIL, &risk) != 0)
            risk = tc_dec_from_raw(INT64_MAX);
        return tc_error_set(err, TC_EREJECTED,
                            "sizing: the risk budget %s (equity %s × risk_fraction %s) buys less "
                            "than one lot of %s at a risk of %s per unit (|price %s − stop %s| "
                            "× multiplier %s)",
                            fmt(budget, a), fmt(equity, b), fmt(p->risk_fraction, c),
                            fmt(lot_size, d), fmt(risk, e), fmt(price, f), fmt(stop, g),
                            fmt(multiplier, h));
    }
    if (p->max_position_value.raw > 0) {
        i128 cap_lots = cap_raw(p, price, multiplier) / lot_size.raw;
        if (cap_lots == 0)
            return tc_error_set(err, TC_EREJECTED,
                                "sizing: max_position_value %s buys less than one lot of %s at "
                                "price %s × multiplier %s",
                                fmt(p->max_position_value, a), fmt(lot_size, b), fmt(price, c),
                                fmt(multiplier, d));
        if (lots > cap_lots)
            lots = cap_lots;
    }
    return lots_to_qty(lots, lot_size, qty_out, err);
}

int tc_size_pyramid(const struct tc_sizing_params *p, struct tc_dec base_qty,
                    struct tc_dec open_qty, struct tc_dec price, struct tc_dec multiplier,
                    struct tc_dec lot_size, struct tc_dec *qty_out, struct tc_error *err)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN], d[TC_DEC_STRLEN],
        e[TC_DEC_STRLEN];
    i128 lots;
    int rc;

    if ((rc = tc_sizing_params_check(p, err)) != 0)
        return tc_error_prefix(err, "sizing");
    if ((rc = need_positive("base quantity", base_qty, err)) != 0 ||
        (rc = need_positive("price", price, err)) != 0 ||
        (rc = need_positive("multiplier", multiplier, err)) != 0 ||
        (rc = need_positive("lot size", lot_size, err)) != 0)
        return rc;
    if (open_qty.raw < 0)
        return tc_error_set(err, TC_EINVAL, "sizing: open quantity %s is negative",
                            fmt(open_qty, a));

    lots = (i128)base_qty.raw * p->pyramid_size_fraction.raw / ((i128)TC_DEC_ONE * lot_size.raw);
    if (lots == 0)
        return tc_error_set(err, TC_EREJECTED,
                            "sizing: pyramid_size_fraction %s of the base quantity %s is less "
                            "than one lot of %s",
                            fmt(p->pyramid_size_fraction, a), fmt(base_qty, b),
                            fmt(lot_size, c));
    if (p->max_position_value.raw > 0) {
        i128 room = cap_raw(p, price, multiplier) - open_qty.raw;
        i128 room_lots = room > 0 ? room / lot_size.raw : 0;
        if (room_lots == 0)
            return tc_error_set(err, TC_EREJECTED,
                                "sizing: the open quantity %s at price %s × multiplier %s leaves "
                                "no room for one more lot of %s within max_position_value %s",
                                fmt(open_qty, a), fmt(price, b), fmt(multiplier, c),
                                fmt(lot_size, d), fmt(p->max_position_value, e));
        if (lots > room_lots)
            lots = room_lots;
    }
    return lots_to_qty(lots, lot_size, qty_out, err);
}

int tc_size_explicit(const struct tc_sizing_params *p, const struct tc_signal *sig,
                     struct tc_dec open_qty, struct tc_dec price, struct tc_dec multiplier,
                     struct tc_dec lot_size, int *has_explicit, struct tc_dec *qty_out,
                     struct tc_error *err)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN], d[TC_DEC_STRLEN],
        e[TC_DEC_STRLEN];
    struct tc_dec qty = TC_DEC_ZERO;
    int rc;

    *has_explicit = 0;
    if (!sig || (!sig->has_quantity && !sig->has_lots))
        return 0;
    if ((rc = tc_sizing_params_check(p, err)) != 0)
        return tc_error_prefix(err, "sizing");
    if ((rc = need_positive("price", price, err)) != 0 ||
        (rc = need_positive("multiplier", multiplier, err)) != 0 ||
        (rc = need_positive("lot size", lot_size, err)) != 0)
        return rc;
    if (open_qty.raw < 0)
        return tc_error_set(err, TC_EINVAL, "sizing: open quantity %s is negative",
                            fmt(open_qty, a));
    if (sig->has_lots) {
        i128 q;
        if (sig->lots.raw <= 0 || sig->lots.raw % TC_DEC_ONE != 0)
            return tc_error_set(err, TC_EINVAL, "sizing: lots %s is not a positive whole number",
                                fmt(sig->lots, a));
        q = (i128)(sig->lots.raw / TC_DEC_ONE) * lot_size.raw;
        if (q > INT64_MAX)
            return tc_error_set(err, TC_ERANGE, "sizing: lots %s × lot size %s is out of range",
                                fmt(sig->lots, a), fmt(lot_size, b));
        qty = tc_dec_from_raw((int64_t)q);
    }
    if (sig->has_quantity) {
        if (sig->has_lots && sig->quantity.raw != qty.raw)
            return tc_error_set(err, TC_EINVAL,
                                "sizing: quantity %s disagrees with lots %s × lot size %s = %s",
                                fmt(sig->quantity, a), fmt(sig->lots, b), fmt(lot_size, c),
                                fmt(qty, d));
        qty = sig->quantity;
    }
    if ((rc = need_positive("quantity", qty, err)) != 0)
        return rc;
    if (qty.raw % lot_size.raw != 0)
        return tc_error_set(err, TC_EINVAL,
                            "sizing: quantity %s is not a multiple of the lot size %s",
                            fmt(qty, a), fmt(lot_size, b));
    if (p->max_position_value.raw > 0 &&
        (i128)open_qty.raw + qty.raw > cap_raw(p, price, multiplier))
        return tc_error_set(err, TC_EREJECTED,
                            "sizing: quantity %s (with %s open) at price %s × multiplier %s is "
                            "worth more than max_position_value %s",
                            fmt(qty, a), fmt(open_qty, b), fmt(price, c), fmt(multiplier, d),
                            fmt(p->max_position_value, e));
    *has_explicit = 1;
    *qty_out = qty;
    return 0;
}

/* ---- decisions ---------------------------------------------------------- */

static int check_side(const char *what, enum tc_side side, struct tc_error *err)
{
    if (side == TC_SIDE_LONG || side == TC_SIDE_SHORT)
        return 0;
    return tc_error_set(err, TC_EINVAL, "%s: side %d is not LONG or SHORT", what, (int)side);
}

int tc_pyramid_check(const struct tc_sizing_params *p, enum tc_side side, int base_open,
                     int pyramid_count, struct tc_dec last_layer_price, struct tc_dec price,
                     struct tc_error *err)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN], d[TC_DEC_STRLEN],
        e[TC_DEC_STRLEN];
    struct tc_dec moved, required;
    int rc;

    if ((rc = tc_sizing_params_check(p, err)) != 0)
        return tc_error_prefix(err, "pyramid");
    if ((rc = check_side("pyramid", side, err)) != 0)
        return rc;
    if (price.raw <= 0 || last_layer_price.raw <= 0)
        return tc_error_set(err, TC_EINVAL, "pyramid: price %s and last layer price %s must be "
                            "positive", fmt(price, a), fmt(last_layer_price, b));
    if (pyramid_count < 0)
        return tc_error_set(err, TC_EINVAL, "pyramid: pyramid count %d is negative",
                            pyramid_count);
    if (!base_open)
        return tc_error_set(err, TC_EREJECTED, "pyramid: no open %s base position to add to",
                            tc_side_name(side));
    if (p->max_pyramids == 0)
        return tc_error_set(err, TC_EREJECTED,
                            "pyramid: the strategy allows no pyramids (max_pyramids 0)");
    if (pyramid_count >= p->max_pyramids)
        return tc_error_set(err, TC_EREJECTED,
                            "pyramid: %d layers already added, the maximum is %d", pyramid_count,
                            p->max_pyramids);
    /* Both prices are positive: neither difference can overflow. */
    if (side == TC_SIDE_LONG)
        tc_dec_sub(price, last_layer_price, &moved);
    else
        tc_dec_sub(last_layer_price, price, &moved);
    required = p->pyramid_distance;
    if (p->pyramid_distance_pct.raw > 0 &&
        tc_dec_mul(last_layer_price, p->pyramid_distance_pct, TC_ROUND_CEIL, &required) != 0)
        return tc_error_set(err, TC_ERANGE, "pyramid: the required distance overflows");
    if (tc_dec_cmp(moved, required) >= 0)
        return 0;
    if (moved.raw >= 0)
        return tc_error_set(err, TC_EREJECTED,
                            "pyramid: price %s has moved %s in favour since the last layer at "
                            "%s, less than the required %s",
                            fmt(price, a), fmt(moved, b), fmt(last_layer_price, c),
                            fmt(required, d));
    tc_dec_neg(moved, &moved);
    return tc_error_set(err, TC_EREJECTED,
                        "pyramid: price %s has moved %s against the %s position since the last "
                        "layer at %s; %s in favour is required",
                        fmt(price, a), fmt(moved, b), tc_side_name(side),
                        fmt(last_layer_price, c), fmt(required, e));
}

int tc_stop_update_check(const struct tc_sizing_params *p, enum tc_side side,
                         const struct tc_dec *current_stop, struct tc_dec new_stop,
                         const struct tc_dec *price, struct tc_error *err)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];
    int rc, c, loosen;

    if ((rc = tc_sizing_params_check(p, err)) != 0)
        return tc_error_prefix(err, "stop_update");
    if ((rc = check_side("stop_update", side, err)) != 0)
        return rc;
    if (new_stop.raw <= 0)
        return tc_error_set(err, TC_EINVAL, "stop_update: stop %s must be positive",
                            fmt(new_stop, a));
    if (current_stop && current_stop->raw <= 0)
        return tc_error_set(err, TC_EINVAL, "stop_update: current stop %s must be positive",
                            fmt(*current_stop, a));
    if (price && price->raw <= 0)
        return tc_error_set(err, TC_EINVAL, "stop_update: price %s must be positive",
                            fmt(*price, a));
    if (price) {
        c = tc_dec_cmp(new_stop, *price);
        if ((side == TC_SIDE_LONG && c >= 0) || (side == TC_SIDE_SHORT && c <= 0))
            return tc_error_set(err, TC_EREJECTED,
                                "stop_update: stop %s is not %s the price %s for a %s position",
                                fmt(new_stop, a), side == TC_SIDE_LONG ? "below" : "above",
                                fmt(*price, b), tc_side_name(side));
    }
    if (current_stop && !p->allow_stop_loosen) {
        c = tc_dec_cmp(new_stop, *current_stop);
        loosen = side == TC_SIDE_LONG ? c < 0 : c > 0;
        if (loosen)
            return tc_error_set(err, TC_EREJECTED,
                                "stop_update: stop %s would loosen the %s stop from %s "
                                "(allow_stop_loosen is false)",
                                fmt(new_stop, a), tc_side_name(side), fmt(*current_stop, b));
    }
    return 0;
}
