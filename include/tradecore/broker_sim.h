/*
 * `sim`: a broker (struct tc_broker_ops, broker.h) over the market simulator
 * (sim.h). Used by the backtest (mode BACKTEST) and by paper trading (mode
 * PAPER): the same fills for the same intents and the same bars.
 *
 * submit    maps an intent to a simulator order: MARKET, LIMIT, STOP_MARKET,
 *           STOP_LIMIT; DAY or GTC; BUY or SELL; its quantity, limit and
 *           stop prices. The order is decided on the broker's current day
 *           (the latest bar day given to on_bar, or tc_broker_sim_set_day),
 *           so under fill_at next_open it fills on the instrument's next bar
 *           at the earliest (sim.h, "WHEN AN ORDER MAY FILL"). The
 *           acknowledgement's broker order id is the simulator order id
 *           "<id_prefix>.<n>" (n = 1, 2, … in order of acceptance), so the
 *           same intents in the same order always get the same ids.
 *           Idempotent by client order id: a second submit of a known client
 *           order id answers the first acknowledgement, creates nothing, and
 *           reports that order's fills again with their same execution ids
 *           (the ledger ignores them as duplicates). An intent the simulator
 *           refuses (bad quantity, limit, stop…) is answered REJECTED with
 *           the simulator's message; that answer is remembered too.
 *           in_txn is 1 for intents of mode BACKTEST (the simulated world
 *           lives in this process only), and submit of such an intent does
 *           not report fills queued earlier (they wait for the next on_bar):
 *           only a resubmission re-reports its own order's fills.
 * on_bar    tc_sim_on_bar for the instrument's working orders; each fill is
 *           reported through the fill handler (broker.h) with the
 *           simulator's deterministic execution id "<order id>-F<n>",
 *           filled_at = the options' clock's now, in submission order of
 *           the orders. A fill the handler refuses (negative return) stays
 *           queued and is reported again, first, at the next on_bar or
 *           submit; on_bar then returns the handler's code. The bar's day
 *           becomes the current day when it is later than it.
 *           A DAY order that ends its day unfilled or partly filled is
 *           reported through the update handler (broker.h) as EXPIRED with
 *           the quantity left, after its fills.
 * cancel    cancels a working order (TC_ENOTFOUND when it is not working)
 *           and reports it through the update handler as CANCELED with the
 *           quantity left. An update the handler refuses stays queued and
 *           is reported again at the next call, like a fill.
 * open_orders  the working orders' intents, in submission order.
 * account   cash flow (sells − buys in traded value × multiplier, minus
 *           commission), commission, orders accepted, fills made.
 *
 * Commission and slippage are the simulator's (config), computed on
 * price × quantity; the traded value of the account is × multiplier.
 *
 * Thread-safety: every function may be called from several threads; a mutex
 * guards the simulator and the order book, and it is NOT held while the fill
 * handler or the observer runs (they may call back into the broker).
 */
#ifndef TRADECORE_BROKER_SIM_H
#define TRADECORE_BROKER_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/broker.h"
#include "tradecore/sim.h"

/* The longest id prefix: "<prefix>.<n>" must stay a valid simulator order id. */
#define TC_BROKER_SIM_PREFIX_MAX 40

/* A fill with what the broker knows about its order (for the backtest
 * runner's records). Everything is borrowed for the duration of the call. */
struct tc_broker_sim_fill_event {
    const struct tc_order_intent *intent;  /* the order's intent */
    const struct tc_fill *fill;            /* as reported to the fill handler */
    int64_t day;                           /* the bar's day */
};

/* Called once per NEW fill (never again for a re-report), after the fill
 * handler accepted it. Its return value is ignored. */
typedef void (*tc_broker_sim_observer_fn)(void *ud, const struct tc_broker_sim_fill_event *ev);

struct tc_broker_sim_options {
    struct tc_sim_config sim;          /* tc_sim_config_init defaults */
    const struct tc_clock *clock;      /* filled_at; NULL = system */
    char id_prefix[TC_BROKER_SIM_PREFIX_MAX + 1];  /* "" = "sim"; a valid id */
};

/* Defaults: tc_sim_config_init, system clock, prefix "sim". */
void tc_broker_sim_options_default(struct tc_broker_sim_options *o);

/*
 * Creates a `sim` broker. OPT NULL = defaults. TC_EINVAL for a bad
 * configuration (tc_sim_new's message) or id prefix (not a valid id or longer
 * than TC_BROKER_SIM_PREFIX_MAX); TC_ENOMEM. *OUT is the caller's
 * (tc_broker_free).
 */
int tc_broker_sim_new(const struct tc_broker_sim_options *opt, struct tc_broker **out,
                      struct tc_error *err);

/* Is B a `sim` broker? */
int tc_broker_is_sim(const struct tc_broker *b);

/*
 * Sets the current day (the bar on whose close orders are decided) when DAY
 * is later than it. TC_EINVAL when B is not a sim broker.
 */
int tc_broker_sim_set_day(struct tc_broker *b, int64_t day, struct tc_error *err);

/* Tick and lot of INSTRUMENT for later orders (tc_sim_set_instrument). */
int tc_broker_sim_set_instrument(struct tc_broker *b, const char *instrument,
                                 struct tc_dec tick, struct tc_dec lot, struct tc_error *err);

/* Sets the observer (NULL turns it off). Set it before use. */
void tc_broker_sim_set_observer(struct tc_broker *b, tc_broker_sim_observer_fn fn, void *ud);

/* The number of working orders plus fills and order updates still waiting to be reported (0
 * for other brokers): a runner skips on_bar when there are none. */
size_t tc_broker_sim_working(struct tc_broker *b);

#endif
