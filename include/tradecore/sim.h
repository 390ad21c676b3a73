/*
 * The market simulator: a pure matching engine that decides the fills of
 * orders against daily bars. No store, no I/O, no clock: the same orders and
 * the same bars always give the same fills, in the same order. The backtest
 * broker and the paper broker wrap it.
 *
 * A simulator holds a configuration (fill policy, slippage, volume cap,
 * commission, default tick and lot) and an order book of working orders, kept
 * in submission order. tc_sim_on_bar() matches the working orders of one
 * instrument against one bar and reports each fill (and each expiry) through a
 * callback. Finished orders (filled, cancelled, expired) leave the book.
 *
 * Days are int64_t days since 1970-01-01, the session date of a bar
 * (bars.h). All prices, quantities and money are exact decimals (dec.h).
 *
 * WHEN AN ORDER MAY FILL
 *   An order is created on bar day `created_day`: the bar on whose close the
 *   decision was taken. It cannot trade on that bar, which is over, so it is
 *   "eligible" on bars with day > created_day; the one exception is a MARKET
 *   order under TC_SIM_FILL_CLOSE, which is eligible on bars with
 *   day >= created_day and fills at that bar's close. fill_at concerns MARKET
 *   orders only (a triggered stop is priced by the rules below, not fill_at).
 *   Bars older than an order's created_day, or not newer than the last bar the
 *   order has already seen, are ignored for that order (feeding a bar twice
 *   never fills twice). An order with no eligible bar simply stays working: it
 *   never fills at a made-up price.
 *
 * PRICES (bar O H L C; the base price before slippage)
 *   MARKET          TC_SIM_FILL_NEXT_OPEN: O of the eligible bar.
 *                   TC_SIM_FILL_CLOSE: C of the eligible bar.
 *   LIMIT buy  L    O <= L: O (opened through the limit); else L when L >= low.
 *   LIMIT sell L    O >= L: O; else L when high >= L.
 *   STOP buy   S    O >= S: O (gapped past the stop); else S when high >= S.
 *   STOP sell  S    O <= S: O; else S when low <= S.
 *   Once a stop has triggered, any quantity left (volume cap) is a market
 *   order: it fills at the open of later eligible bars.
 *   STOP_LIMIT      A daily bar has no intrabar path, so the rule is the
 *                   conservative one that assumes nothing the bar does not
 *                   prove. Buy (sell is the mirror image):
 *                   - gap trigger, O >= S: the open is the first trade, so the
 *                     whole bar comes after the trigger; the order acts as a
 *                     LIMIT buy at L on this bar (O <= L: O; else L if low <= L).
 *                   - intrabar trigger, O < S <= high: the price was S at the
 *                     trigger; if S <= L the order fills at S, else nothing
 *                     fills on this bar (we cannot know whether the low came
 *                     after the trigger).
 *                   - triggered on an earlier bar: a LIMIT buy at L.
 *                   A trigger is remembered (order.triggered) even when nothing
 *                   fills, e.g. on a zero-volume bar under a volume cap.
 *
 * SLIPPAGE, TICK, CLAMPS (in this order, on every fill)
 *   1. slip against the trader: buy p * (1 + f), sell p * (1 - f), where f is
 *      the fraction (TC_SIM_SLIP_FRACTION) or bps / 10000 (TC_SIM_SLIP_BPS);
 *      rounded at 8 places against the trader (buy up, sell down).
 *   2. with a tick: rounded to a multiple of the tick against the trader
 *      (buy up, sell down), so a slipped price is never better than the
 *      model says.
 *   3. clamped into the bar's [low, high]: a fill price is always a price the
 *      bar traded (a clamped price may be off the tick when the bar is).
 *   4. LIMIT and STOP_LIMIT: never worse than the limit (buy <= L, sell >= L):
 *      slippage cannot break a limit; a fill exactly at the limit is not slipped.
 *
 * VOLUME CAP (volume_cap > 0)
 *   The bar offers floor(volume_cap * volume) to the orders of its instrument,
 *   shared in submission order across buys and sells; each fill takes
 *   min(remaining quantity, what is left of the bar's offer) floored to the
 *   order's lot. The rest stays working for later bars (partial fills). A bar
 *   with volume 0 fills nothing. Without a cap the volume is not looked at.
 *
 * TIME IN FORCE
 *   GTC orders stay working until filled or cancelled. A DAY order gets exactly
 *   one eligible bar: after that bar has been processed, whatever is unfilled
 *   expires (status TC_SIM_EXPIRED, reported by a TC_SIM_EV_EXPIRED event),
 *   whether it filled in part (volume cap) or not at all. For a DAY order under
 *   next_open (and for every LIMIT/STOP DAY order) that is the bar after the
 *   one it was created on; for a MARKET DAY order under fill_at close it is
 *   the creation bar itself.
 *
 * COMMISSION (per fill, rounded half-even to commission_places, 0..8)
 *   value of a fill = price * quantity rounded half-even to 8 places.
 *   TC_SIM_COMM_FRACTION   value * rate.
 *   TC_SIM_COMM_PER_SHARE  quantity * rate, then at least comm_min and, when
 *                          comm_max > 0, at most comm_max, per fill.
 *   TC_SIM_COMM_FIXED      comm_fixed per order, charged on its first fill only;
 *                          later fills of the same order pay 0.
 *   TC_SIM_COMM_NONE       0.
 *
 * EXECUTION IDS
 *   A fill's execution id is "<order id>-F<n>" with n = 1, 2, … the order's fill
 *   sequence: deterministic, so a replay produces the same ids and the ledger's
 *   uniqueness on execution ids makes a replayed fill harmless.
 *
 * Thread-safety: a simulator is not thread-safe; use one per thread. The hot
 * path (tc_sim_on_bar) allocates nothing.
 */
#ifndef TRADECORE_SIM_H
#define TRADECORE_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/bars.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"

/* Order ids follow tc_id_validate (id.h): 1..64 bytes of [A-Za-z0-9._:-]. */
#define TC_SIM_ORDER_ID_MAX 65
/* "<order id>-F<n>": 64 + 2 + 10 digits + NUL. */
#define TC_SIM_EXEC_ID_MAX 80

enum tc_sim_fill_at {
    TC_SIM_FILL_NEXT_OPEN = 0, /* default */
    TC_SIM_FILL_CLOSE
};

enum tc_sim_slippage {
    TC_SIM_SLIP_NONE = 0,
    TC_SIM_SLIP_FRACTION, /* slippage = fraction of price, 0 <= f < 1 */
    TC_SIM_SLIP_BPS       /* slippage = basis points, 0 <= bps < 10000 */
};

enum tc_sim_commission {
    TC_SIM_COMM_NONE = 0,
    TC_SIM_COMM_FRACTION,  /* comm_rate * value */
    TC_SIM_COMM_PER_SHARE, /* comm_rate * quantity, clamped to [comm_min, comm_max] */
    TC_SIM_COMM_FIXED      /* comm_fixed on an order's first fill */
};

enum tc_sim_side { TC_SIM_BUY = 0, TC_SIM_SELL };
enum tc_sim_type { TC_SIM_MARKET = 0, TC_SIM_LIMIT, TC_SIM_STOP_MARKET, TC_SIM_STOP_LIMIT };
enum tc_sim_tif { TC_SIM_DAY = 0, TC_SIM_GTC };

enum tc_sim_status {
    TC_SIM_WORKING = 0, /* nothing filled yet */
    TC_SIM_PARTIAL,     /* 0 < filled < quantity, still working */
    TC_SIM_FILLED,
    TC_SIM_CANCELLED,
    TC_SIM_EXPIRED
};

struct tc_sim_config {
    enum tc_sim_fill_at fill_at;
    enum tc_sim_slippage slippage;
    struct tc_dec slippage_value;  /* fraction or bps, as slippage says */
    struct tc_dec volume_cap;      /* fraction of bar volume, 0 = no cap, else (0, 1] */
    enum tc_sim_commission commission;
    struct tc_dec comm_rate;       /* FRACTION: of value, below 1; PER_SHARE: per unit */
    struct tc_dec comm_min;        /* PER_SHARE: minimum per fill (0 = none) */
    struct tc_dec comm_max;        /* PER_SHARE: maximum per fill (0 = none) */
    struct tc_dec comm_fixed;      /* FIXED: per order */
    int commission_places;         /* 0..8, default 8 */
    struct tc_dec tick;            /* default tick size, 0 = no price rounding */
    struct tc_dec lot;             /* default lot size, 0 = any quantity */
};

/*
 * An order. The caller fills the first block and calls tc_sim_submit(); the
 * simulator owns the second block (ignored on submit, reset to zero).
 */
struct tc_sim_order {
    char id[TC_SIM_ORDER_ID_MAX];             /* unique among working orders */
    char instrument[TC_INSTRUMENT_ID_MAX];    /* a valid id */
    enum tc_sim_side side;
    enum tc_sim_type type;
    enum tc_sim_tif tif;
    struct tc_dec quantity;  /* > 0, a multiple of the lot */
    struct tc_dec limit;     /* LIMIT, STOP_LIMIT: > 0, a multiple of the tick; else 0 */
    struct tc_dec stop;      /* STOP_MARKET, STOP_LIMIT: > 0, a multiple of the tick; else 0 */
    int64_t created_day;     /* the bar the order was decided on */
    struct tc_dec tick;      /* 0: the instrument's (tc_sim_set_instrument) or config's */
    struct tc_dec lot;       /* 0: the instrument's or config's */

    /* Set by the simulator. */
    enum tc_sim_status status;
    struct tc_dec filled;      /* cumulative quantity */
    struct tc_dec commission;  /* cumulative commission */
    uint32_t fills;            /* number of fills so far */
    int triggered;             /* stop orders: the stop has been reached */
    int64_t last_day;          /* the last bar day this order has seen */
    uint64_t seq;              /* submission sequence, from 1 */
    uint64_t instrument_hash;  /* internal: fast instrument match */
};

struct tc_sim_fill {
    char order_id[TC_SIM_ORDER_ID_MAX];
    char exec_id[TC_SIM_EXEC_ID_MAX];  /* "<order id>-F<n>" */
    uint32_t seq;                      /* n: 1 for the order's first fill */
    int64_t day;                       /* the bar's day */
    enum tc_sim_side side;
    struct tc_dec quantity;            /* > 0 */
    struct tc_dec price;               /* within the bar's [low, high] */
    struct tc_dec value;               /* price * quantity, half-even, 8 places */
    struct tc_dec commission;          /* >= 0 */
};

enum tc_sim_event_kind {
    TC_SIM_EV_FILL = 0, /* FILL is set; ORDER is the order after the fill */
    TC_SIM_EV_EXPIRED   /* a DAY order expired; FILL is NULL */
};

struct tc_sim_event {
    enum tc_sim_event_kind kind;
    const struct tc_sim_order *order;  /* valid during the callback only */
    const struct tc_sim_fill *fill;    /* valid during the callback only */
};

/*
 * Called by tc_sim_on_bar() for each event, in submission order of the orders.
 * The event has already been applied to the order. Return 0 to go on; any
 * other value stops the bar (see tc_sim_on_bar). The callback must not submit
 * or cancel on the same simulator (those calls return TC_EBUSY meanwhile).
 */
typedef int (*tc_sim_event_fn)(void *ud, const struct tc_sim_event *ev);

struct tc_sim;

/* Fills CFG with the defaults: next_open, no slippage, no cap, no commission,
 * commission_places 8, no tick, no lot. */
void tc_sim_config_init(struct tc_sim_config *cfg);

/*
 * Creates a simulator with a copy of CFG. Checks the configuration: known
 * enum values, slippage fraction in [0, 1) or bps in [0, 10000), volume_cap
 * in [0, 1], commission values >= 0, comm_min <= comm_max when comm_max > 0,
 * commission_places 0..8, tick and lot >= 0 (TC_EINVAL naming the field).
 * TC_ENOMEM. The caller owns *OUT and frees it with tc_sim_free().
 */
int tc_sim_new(const struct tc_sim_config *cfg, struct tc_sim **out, struct tc_error *err);

/* Frees SIM and its orders (NULL allowed). */
void tc_sim_free(struct tc_sim *sim);

/*
 * Sets the tick and lot of INSTRUMENT (0 = the config's), for orders submitted
 * from now on that leave theirs at 0. Setting an instrument again replaces its
 * values. TC_EINVAL (bad instrument id, negative tick or lot), TC_ENOMEM,
 * TC_EBUSY (inside a callback).
 */
int tc_sim_set_instrument(struct tc_sim *sim, const char *instrument, struct tc_dec tick,
                          struct tc_dec lot, struct tc_error *err);

/*
 * Adds a copy of ORDER to the book as a working order. Checks, with TC_EINVAL
 * naming the field: the id and instrument are valid ids, side, type and tif
 * are known, quantity > 0, limit > 0 for LIMIT and STOP_LIMIT (0 otherwise),
 * stop > 0 for STOP_MARKET and STOP_LIMIT (0 otherwise), quantity a multiple
 * of the lot, limit and stop multiples of the tick, tick and lot >= 0.
 * TC_ECONFLICT when a working order has the same id. TC_ENOMEM. TC_EBUSY
 * inside a callback. The book is unchanged on error. The effective tick and
 * lot are resolved now and stored in the order.
 */
int tc_sim_submit(struct tc_sim *sim, const struct tc_sim_order *order, struct tc_error *err);

/*
 * Cancels the working order ID: it leaves the book with status
 * TC_SIM_CANCELLED, copied to *OUT when OUT is not NULL (its fills stand).
 * TC_ENOTFOUND naming the id when no working order has it; TC_EBUSY inside a
 * callback.
 */
int tc_sim_cancel(struct tc_sim *sim, const char *id, struct tc_sim_order *out,
                  struct tc_error *err);

/* 1 when tc_sim_on_bar takes bar B (prices positive, open and close inside
 * [low, high], volume not negative), 0 when it refuses it with TC_EINVAL. */
int tc_sim_bar_ok(const struct tc_bar *b);

/* The first of the bars [FROM, TO) of S that tc_sim_bar_ok refuses, or TO
 * when it takes them all (FROM <= TO <= S->n). Reads the columns in place. */
size_t tc_sim_series_ok(const struct tc_bar_series *s, size_t from, size_t to);

/* tc_sim_series_ok over [FROM, TO) of S that also adds the closes' raw values
 * of every bar of [FROM, TO) (those after a refused bar too) to *CLOSE_SUM,
 * modulo 2^64: one pass over the columns for a caller that needs both (the
 * backtest runner's check of its bars and its run id). */
size_t tc_sim_series_scan(const struct tc_bar_series *s, size_t from, size_t to,
                          uint64_t *close_sum);

/*
 * Matches the working orders of INSTRUMENT against BAR, in submission order,
 * calling FN(UD, event) for every fill and every expiry (FN may be NULL).
 * BAR is checked first (prices > 0, low <= open, close <= high, volume >= 0:
 * TC_EINVAL naming the rule, nothing changed). Allocates nothing.
 *
 * When FN returns non-zero (a negative TC_E* code is returned as is, a
 * positive value as TC_EINTERNAL, with ERR naming the order), or an amount
 * overflows (TC_ERANGE naming the order, which is left unchanged), processing
 * stops there: orders already processed keep their effects (the order whose
 * callback failed included), and feeding the same bar again processes only
 * the orders that have not seen it.
 */
int tc_sim_on_bar(struct tc_sim *sim, const char *instrument, const struct tc_bar *bar,
                  tc_sim_event_fn fn, void *ud, struct tc_error *err);

/*
 * Copies up to CAP working orders into OUT (may be NULL when CAP is 0), in
 * submission order. Returns the number of working orders (which may exceed CAP).
 */
size_t tc_sim_open_orders(const struct tc_sim *sim, struct tc_sim_order *out, size_t cap);

/* Copies the working order ID into *OUT. TC_ENOTFOUND naming the id. */
int tc_sim_get(const struct tc_sim *sim, const char *id, struct tc_sim_order *out,
               struct tc_error *err);

#endif
