/*
 * Strategies: the code that turns bars into trading signals, the same in
 * BACKTEST, PAPER and LIVE (DESIGN.md, layer "engine").
 *
 * A strategy is a class (struct tc_strategy_class): a name, a table of
 * parameters, and four callbacks:
 *   on_start  once, before the first bar: allocate indicator state;
 *   on_bar    for each new bar of each instrument, after the bar's session
 *             has closed (the bar is the newest one the TimeMachine shows);
 *   on_fill   for each fill of one of the strategy's orders, before the
 *             on_bar calls of the session in which it happened;
 *   on_stop   once at the end (also after an error, when on_start
 *             succeeded): release the state.
 * and two optional fast paths: on_bars (an instrument's new bars as a
 * columnar view) and on_session (every instrument's new bars of a session at
 * once, with the columns up to the session: struct tc_session_bars), which
 * the backtest runner uses, once per session per strategy.
 * The callbacks see only their context (struct tc_strategy_ctx): the
 * TimeMachine (every market-data read goes through its gate, so a read of a
 * future bar fails with TC_ELOOKAHEAD), the instruments, the position the
 * portfolio holds, the parameters, and the signal API. A strategy never sees
 * the store or the broker.
 *
 * Signals. A strategy emits the webhook's signals (BASE_ENTRY, PYRAMID,
 * EXIT, STOP_UPDATE, signal.h) as struct tc_signal through
 * tc_strategy_signal(); the host sends them through the ledger
 * (tc_ledger_submit), so sizing, pyramiding and the rejection rules are the
 * ledger's code in every mode. Orders are what the ledger makes of them
 * (market orders that act on the next bar, DESIGN.md "Indicator
 * semantics"). A signal refused by the ledger is not an error: the outcome
 * says so and the strategy goes on.
 *
 * Parameters. Every parameter is an integer, a decimal or a boolean with a
 * default and inclusive bounds; they are set from "key=value" text (the
 * command's --param) and checked: an unknown key, a malformed value or one
 * out of bounds is TC_EINVAL naming the strategy and the key:
 *   strategy sma_cross: unknown parameter "fats" (parameters: fast, slow, stake)
 *   strategy sma_cross: parameter fast: "ten" is not a whole number
 *   strategy sma_cross: parameter fast 0 is below the minimum 1
 * A class may add cross-checks (sma_cross: fast < slow).
 *
 * Built-in strategies (registry: tc_strategy_lookup, tc_strategy_at):
 *   sma_cross  fast (10), slow (30), stake (100): buys STAKE units (explicit
 *              quantity, no stop) when SMA(fast) crosses above SMA(slow) on a
 *              bar's close and nothing is held; closes the position when it
 *              crosses below. SMA and crossover as in indicators.h. Long only.
 *   donchian   turtle-style, long only, sized by the ledger from the risk:
 *              entry (20)         enter when the close is above the highest
 *                                 high of the previous ENTRY bars;
 *              exit (10)          exit when the close is below the lowest low
 *                                 of the previous EXIT bars;
 *              atr (20)           ATR period (Wilder, indicators.h);
 *              stop_atr (2)       the stop is STOP_ATR × ATR below the price
 *                                 of the latest entry (base or pyramid); all
 *                                 layers move up to it (STOP_UPDATE); exit
 *                                 when a bar's low reaches it;
 *              pyramid_atr (0.5)  add a layer when the close is at least
 *                                 PYRAMID_ATR × ATR above the latest entry
 *                                 price;
 *              max_pyramids (3)   layers on top of the base;
 *              risk (0.01)        fraction of closed equity risked by the
 *                                 base entry (the ledger's risk_fraction:
 *                                 quantity = floor(equity × risk / (stop_atr
 *                                 × ATR)), pyramids the base's size).
 *              Every value is computed on a bar's close; the orders fill on
 *              the next bar (at its open by default).
 *
 * Thread-safety: a context and its state belong to one thread; the registry
 * is static and read-only.
 */
#ifndef TRADECORE_STRATEGY_H
#define TRADECORE_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/bars.h"
#include "tradecore/broker.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/signal.h"
#include "tradecore/timemachine.h"

#define TC_STRATEGY_PARAMS_MAX 16
/* The longest parameters JSON tc_strategy_params_json writes, NUL included. */
#define TC_STRATEGY_JSON_MAX 2048

enum tc_param_type { TC_PARAM_INT = 1, TC_PARAM_DEC = 2, TC_PARAM_BOOL = 3 };

/* One parameter of a class. Bounds are inclusive, as text (NULL = none). */
struct tc_param_spec {
    const char *name;
    enum tc_param_type type;
    const char *def;
    const char *min, *max;
    const char *help;
};

struct tc_strategy_class;

/* A class's parameter values (integers and booleans are whole decimals). */
struct tc_strategy_params {
    const struct tc_strategy_class *cls;
    struct tc_dec v[TC_STRATEGY_PARAMS_MAX];
};

struct tc_strategy_ctx;

/*
 * One session's bars for every instrument, as the host's columns (borrowed
 * for the call; nothing is copied). For instrument handle IX < N:
 *   COLS[IX]   its series' columns from bar 0 up to and including the
 *              session's last visible bar (COLS[IX].n bars): never a bar
 *              dated after DAY, so reading back through a window (an SMA's
 *              oldest close) needs no copy and cannot look ahead;
 *   FROM[IX]   the first bar new this session: the new bars are
 *              [FROM[IX], COLS[IX].n), empty when FROM[IX] == COLS[IX].n.
 * CHANGED[0..N_CHANGED-1] lists the handles with at least one new bar, in
 * increasing order (a strategy need not look at the others). A host feeds
 * each instrument's bars once, in order: the new bars of a session follow
 * the ones of the previous session (FROM[IX] is the previous COLS[IX].n),
 * except for the first bars fed, which may start anywhere (bars before them
 * are history: warm-up through the gate).
 */
struct tc_session_bars {
    int64_t day;                    /* the session (also tc_strategy_day) */
    size_t n;                       /* instruments: tc_strategy_instruments */
    const struct tc_bar_view *cols; /* [N] */
    const size_t *from;             /* [N] */
    const size_t *changed;          /* [N_CHANGED], increasing */
    size_t n_changed;
};

/* A fill of one of the strategy's orders. */
struct tc_strategy_fill {
    size_t ix;                      /* the instrument's TimeMachine handle */
    int64_t day;                    /* the bar it filled on */
    enum tc_order_side side;
    struct tc_dec quantity, price, commission;
    char client_order_id[TC_CLIENT_ORDER_ID_MAX];
};

/* What the portfolio holds in one instrument (every layer, every strategy). */
struct tc_strategy_position {
    enum tc_side side;              /* meaningful when layers > 0 */
    struct tc_dec quantity;         /* filled and still open, >= 0 */
    int layers;                     /* open layers, entries not filled yet included */
    struct tc_dec entry_price;      /* quantity-weighted entry price of the filled layers */
};

struct tc_strategy_class {
    const char *name;               /* registry key, a valid id */
    const char *summary;            /* one line */
    const struct tc_param_spec *params;
    size_t n_params;                /* <= TC_STRATEGY_PARAMS_MAX */
    size_t state_size;              /* zeroed block given to the callbacks */
    /* Cross-checks of the values (may be NULL): TC_EINVAL naming the keys. */
    int (*check)(const struct tc_strategy_params *p, struct tc_error *err);
    /* The sizing params JSON the ledger reads for this strategy (signal.h,
     * tc_sizing_params_from_json) into BUF; NULL = "{}". */
    int (*ledger_params)(const struct tc_strategy_params *p, char *buf, size_t cap,
                         struct tc_error *err);
    int (*on_start)(struct tc_strategy_ctx *ctx, void *state, struct tc_error *err);
    int (*on_bar)(struct tc_strategy_ctx *ctx, void *state, size_t ix, const struct tc_bar *bar,
                  struct tc_error *err);
    int (*on_fill)(struct tc_strategy_ctx *ctx, void *state, const struct tc_strategy_fill *f,
                   struct tc_error *err);
    void (*on_stop)(struct tc_strategy_ctx *ctx, void *state);
    /*
     * Optional, the per-bar fast path (may be NULL): the new bars of
     * instrument IX as a columnar view, oldest first (normally V->n == 1;
     * more when bars of days that were not sessions close with the next
     * one). The view borrows the host's arrays (the TimeMachine's series)
     * and is valid only during the call: nothing is copied, so a strategy
     * that reads only closes touches only V->close. A class that sets it
     * gets it instead of on_bar from tc_strategy_bars and from
     * tc_strategy_bar (which then passes a one-bar view of its bar); a class
     * with only on_bar gets on_bar once per bar of the view.
     */
    int (*on_bars)(struct tc_strategy_ctx *ctx, void *state, size_t ix,
                   const struct tc_bar_view *v, struct tc_error *err);
    /*
     * Optional, the per-session fast path (may be NULL): every instrument's
     * new bars of one session at once (struct tc_session_bars, below), one
     * call per session, so indicator state can be kept column-wise (a
     * struct of arrays over instruments) and read back from the columns.
     * A host feeding sessions (tc_strategy_session) calls it instead of
     * on_bars/on_bar; a class without it gets on_bars (or on_bar) for each
     * instrument with new bars, in handle order. A context is fed either by
     * sessions or by bars, not both (the second kind is TC_ESTATE): a class
     * may keep different state for the two.
     */
    int (*on_session)(struct tc_strategy_ctx *ctx, void *state, const struct tc_session_bars *sb,
                      struct tc_error *err);
};

/* ---- registry and parameters --------------------------------------------- */

/* The built-in class NAME into *OUT. TC_ENOTFOUND naming it and listing the
 * known ones; TC_EINVAL for NULL. */
int tc_strategy_lookup(const char *name, const struct tc_strategy_class **out,
                       struct tc_error *err);
/* The number of built-in classes, and class I (NULL past the end). */
size_t tc_strategy_count(void);
const struct tc_strategy_class *tc_strategy_at(size_t i);

/* Sets every value of P to CLS's defaults. */
void tc_strategy_params_init(struct tc_strategy_params *p, const struct tc_strategy_class *cls);
/* Sets KEY to the text VALUE (checked as above); P unchanged on error. */
int tc_strategy_params_set(struct tc_strategy_params *p, const char *key, const char *value,
                           struct tc_error *err);
/* The same from "key=value" (TC_EINVAL when there is no '='). */
int tc_strategy_params_set_kv(struct tc_strategy_params *p, const char *kv, struct tc_error *err);
/* The class's cross-checks. */
int tc_strategy_params_check(const struct tc_strategy_params *p, struct tc_error *err);
/* Values by name (the class's own keys; an unknown key gives 0). */
int64_t tc_strategy_param_int(const struct tc_strategy_params *p, const char *key);
struct tc_dec tc_strategy_param_dec(const struct tc_strategy_params *p, const char *key);
/* The values as one JSON object, keys in the class's order:
 * {"fast":10,"slow":30,"stake":100}; integers and booleans as JSON numbers
 * and booleans, decimals as strings. Returns the length or TC_ENOSPC. */
int tc_strategy_params_json(const struct tc_strategy_params *p, char *buf, size_t cap);

/* ---- the context: what a host gives a running strategy ------------------- */

/* The host (backtest runner, paper engine) behind a context. */
struct tc_strategy_host {
    /* Sends a complete signal through the ledger; *OUT is its outcome. */
    int (*submit)(void *ud, const struct tc_signal *sig, struct tc_signal_outcome *out,
                  struct tc_error *err);
    /* The position in instrument IX. */
    int (*position)(void *ud, size_t ix, struct tc_strategy_position *out, struct tc_error *err);
    void *ud;
};

/*
 * Makes a context for one strategy instance: the class and values P (copied),
 * the TimeMachine TM (borrowed), the portfolio and strategy ids its signals
 * carry, and SIGNAL_PREFIX: signal ids are "<prefix>.<n>", n = 1, 2, … (so
 * a run's signals are distinct from any other run's and the same in every
 * rerun). The prefix plus 11 characters must fit an id. HOST is copied.
 * *OUT is the caller's (tc_strategy_ctx_free). TC_EINVAL for bad ids.
 */
int tc_strategy_ctx_new(const struct tc_strategy_params *p, struct tc_tm *tm,
                        const char *portfolio, const char *strategy_id,
                        const char *signal_prefix, const struct tc_strategy_host *host,
                        struct tc_strategy_ctx **out, struct tc_error *err);
/* Calls on_stop when the strategy was started, then frees (NULL allowed). */
void tc_strategy_ctx_free(struct tc_strategy_ctx *ctx);

/* The host's side: the session being processed (its date and close time,
 * the timestamp of the signals), then the callbacks. Errors from a callback
 * are prefixed with "strategy <id>". */
void tc_strategy_ctx_set_time(struct tc_strategy_ctx *ctx, int64_t day, int64_t now_us);
int tc_strategy_start(struct tc_strategy_ctx *ctx, struct tc_error *err);
int tc_strategy_bar(struct tc_strategy_ctx *ctx, size_t ix, const struct tc_bar *bar,
                    struct tc_error *err);
/* The V->n new bars of instrument IX at once (V borrowed for the call; the
 * bars must be visible through the TimeMachine): the class's on_bars, or its
 * on_bar for each bar in order (stopping at the first error). V->n == 0 does
 * nothing. The backtest runner feeds bars this way, without copying them. */
int tc_strategy_bars(struct tc_strategy_ctx *ctx, size_t ix, const struct tc_bar_view *v,
                     struct tc_error *err);
/*
 * One session's new bars of every instrument (SB borrowed for the call; the
 * bars must be visible through the TimeMachine, SB->n must be the number of
 * instruments, TC_EINVAL otherwise): the class's on_session, or else, for
 * each handle of SB->changed in order, its new bars as tc_strategy_bars
 * would give them (stopping at the first error). The backtest runner calls
 * it once per session per strategy. A context fed by tc_strategy_session
 * refuses tc_strategy_bar/tc_strategy_bars afterwards and the other way
 * round (TC_ESTATE naming the strategy), when the class has on_session.
 */
int tc_strategy_session(struct tc_strategy_ctx *ctx, const struct tc_session_bars *sb,
                        struct tc_error *err);
int tc_strategy_fill(struct tc_strategy_ctx *ctx, const struct tc_strategy_fill *f,
                     struct tc_error *err);
/* Signals sent, accepted and rejected by the ledger so far (any may be NULL). */
void tc_strategy_ctx_stats(const struct tc_strategy_ctx *ctx, uint64_t *sent, uint64_t *accepted,
                           uint64_t *rejected);
const char *tc_strategy_ctx_id(const struct tc_strategy_ctx *ctx);

/* The strategy's side. */
struct tc_tm *tc_strategy_tm(struct tc_strategy_ctx *ctx);
const struct tc_strategy_params *tc_strategy_params(const struct tc_strategy_ctx *ctx);
size_t tc_strategy_instruments(const struct tc_strategy_ctx *ctx);
int64_t tc_strategy_day(const struct tc_strategy_ctx *ctx);
int tc_strategy_position(struct tc_strategy_ctx *ctx, size_t ix, struct tc_strategy_position *out,
                         struct tc_error *err);
/*
 * Fills *SIG for a signal of TYPE and SIDE on instrument IX: portfolio,
 * strategy, instrument, timestamp (the session's close); the caller adds
 * price, stop, quantity, reason. Every other field is 0, the signal id ""
 * (the id buffers are zero past their NUL), the reason and the passphrase
 * "" (only their first byte is written, and the reason's last). TC_ENOTFOUND
 * for an unknown handle.
 */
int tc_strategy_signal_init(struct tc_strategy_ctx *ctx, struct tc_signal *sig,
                            enum tc_signal_type type, size_t ix, enum tc_side side,
                            struct tc_error *err);
/*
 * The TimeMachine handle of SIG's instrument into *IX: the handle given to
 * the last tc_strategy_signal_init of CTX when SIG still names that
 * instrument (one compare), else tc_tm_find's answer (TC_ENOTFOUND naming
 * the instrument when it is not loaded). For hosts, whose submit gets the
 * signal without its handle. TC_EINVAL for NULL arguments.
 */
int tc_strategy_signal_ix(const struct tc_strategy_ctx *ctx, const struct tc_signal *sig,
                          size_t *ix, struct tc_error *err);
/*
 * Sends SIG (its signal id is set here) through the host. Returns 0 when the
 * ledger recorded it, accepted or rejected (*OUT, may be NULL, says which);
 * a negative code when it could not be recorded.
 */
int tc_strategy_signal(struct tc_strategy_ctx *ctx, struct tc_signal *sig,
                       struct tc_signal_outcome *out, struct tc_error *err);

#endif
