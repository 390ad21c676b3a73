/*
 * The broker interface: where the ledger's order intents go and where fills
 * come from (DESIGN.md, layer "exec"). One const ops table per kind of broker
 * (struct tc_broker_ops); a broker object embeds struct tc_broker first.
 *
 * The contract every broker keeps:
 *   - submit is idempotent by client_order_id: submitting the same intent
 *     again (after a crash between the ledger's signal commit and its record
 *     of the acknowledgement) never creates a second order at the broker; it
 *     answers with the same acknowledgement and, if it re-reports fills,
 *     reports them with the SAME execution ids, so that the ledger (unique by
 *     execution id) applies each fill once;
 *   - fills are reported through the fill handler set with
 *     tc_broker_set_fill_handler(), possibly from inside submit or on_bar
 *     (the handler must not hold a lock the broker call needs), possibly
 *     before the acknowledgement has been recorded;
 *   - orders that end without filling whole (a DAY order expiring, possibly
 *     after partial fills; a cancel) are reported through the update handler
 *     (tc_broker_set_update_handler) with the final status and the quantity
 *     left unfilled, after every fill of that order has been reported;
 *   - no broker call aborts or exits; errors are TC_E* codes with a message.
 *
 * Submitting inside the ledger's transaction (the in_txn capability): a
 * broker whose submit of an intent has NO effect outside this process (no
 * network, no file, no other process sees it), is deterministic (the same
 * intent answers the same acknowledgement and the same fills, with the same
 * execution ids) and idempotent (a second submit changes nothing the broker
 * reports), and reports from inside that submit only fills of that intent,
 * may answer in_txn() = 1 for it. The ledger then submits it INSIDE the
 * signal transaction and records the acknowledgement and the fills reported
 * during submit in that same transaction: one commit per signal. Should that
 * transaction roll back, nothing of the order exists in the ledger, and the
 * same signal sent again submits the same intent again, which the broker
 * answers as before (so the rollback is harmless). Brokers that talk to the
 * outside world answer 0 (or leave in_txn NULL): the ledger commits the
 * intent first, then submits outside any transaction, then records the
 * acknowledgement together with the fills reported synchronously by submit
 * in ONE transaction (a crash before it leaves the order NEW; recovery
 * resubmits and the broker re-reports the same fills).
 *
 * Brokers here: `instant` (src/broker/instant.c) fills every order at once,
 * at the intent's reference price. The market simulator (on_bar fills with
 * slippage, volume caps and partial fills) comes with a later issue.
 *
 * Thread-safety: the functions of a broker may be called from several
 * threads at once (the ledger submits from every thread that processes a
 * signal); each broker documents how it achieves that.
 */
#ifndef TRADECORE_BROKER_H
#define TRADECORE_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/bars.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/id.h"

/* A client order id: "<fingerprint>:L<layer>" or "<fingerprint>:X<layer>"
 * (at most 71 + 6 characters); NUL included. */
#define TC_CLIENT_ORDER_ID_MAX 96
/* Broker order ids and execution ids, NUL included. */
#define TC_BROKER_ID_MAX 128
#define TC_BROKER_REASON_MAX 256

enum tc_mode { TC_MODE_LIVE = 1, TC_MODE_PAPER = 2, TC_MODE_BACKTEST = 3 };
enum tc_order_side { TC_ORDER_BUY = 1, TC_ORDER_SELL = 2 };
enum tc_order_type {
    TC_ORDER_MARKET = 1,
    TC_ORDER_LIMIT = 2,
    TC_ORDER_STOP_MARKET = 3,
    TC_ORDER_STOP_LIMIT = 4
};
enum tc_tif { TC_TIF_DAY = 1, TC_TIF_GTC = 2 };
enum tc_order_status {
    TC_ORDER_NEW = 1,              /* recorded by the ledger, not acknowledged */
    TC_ORDER_SUBMITTED = 2,        /* acknowledged by the broker */
    TC_ORDER_PARTIALLY_FILLED = 3,
    TC_ORDER_FILLED = 4,
    TC_ORDER_CANCELED = 5,
    TC_ORDER_REJECTED = 6,
    TC_ORDER_EXPIRED = 7
};

/* Names as stored ("LIVE", "BUY", "MARKET", "DAY", "PARTIALLY_FILLED");
 * "?" for values outside the enums. */
const char *tc_mode_name(enum tc_mode m);
const char *tc_order_side_name(enum tc_order_side s);
const char *tc_order_type_name(enum tc_order_type t);
const char *tc_tif_name(enum tc_tif t);
const char *tc_order_status_name(enum tc_order_status s);
/* Exact, case-sensitive names; TC_EINVAL naming the text and listing the
 * accepted names. *OUT written only on success. */
int tc_mode_parse(const char *s, enum tc_mode *out, struct tc_error *err);
int tc_order_status_parse(const char *s, enum tc_order_status *out, struct tc_error *err);

/*
 * An order intent: what the ledger asks a broker to do. Fixed-size, no owned
 * memory. REF_PRICE is the price of the signal that made the intent (the
 * price `instant` fills at); an EXIT signal without a price gives an intent
 * without one (has_ref_price 0). MULTIPLIER is the instrument's contract
 * multiplier (traded value = quantity × price × multiplier).
 */
struct tc_order_intent {
    char order_id[TC_ID_BUFSZ];
    char client_order_id[TC_CLIENT_ORDER_ID_MAX];
    char portfolio_id[TC_ID_BUFSZ];
    char strategy_id[TC_ID_BUFSZ];
    char instrument_id[TC_ID_BUFSZ];
    enum tc_mode mode;
    enum tc_order_side side;
    enum tc_order_type type;
    enum tc_tif tif;
    struct tc_dec quantity;        /* > 0 */
    struct tc_dec multiplier;      /* > 0 */
    struct tc_dec ref_price, limit_price, stop_price;
    int has_ref_price, has_limit_price, has_stop_price;
    int64_t created_at_us;
};

/* A broker's answer to submit. */
struct tc_broker_ack {
    char broker_order_id[TC_BROKER_ID_MAX];
    enum tc_order_status status;   /* SUBMITTED, or REJECTED with a reason */
    char reason[TC_BROKER_REASON_MAX];
};

/* One execution. CLIENT_ORDER_ID names the order; EXECUTION_ID is unique per
 * execution at the broker and stable across resubmissions. */
struct tc_fill {
    char execution_id[TC_BROKER_ID_MAX];
    char client_order_id[TC_CLIENT_ORDER_ID_MAX];
    struct tc_dec quantity;        /* > 0 */
    struct tc_dec price;           /* > 0 */
    struct tc_dec commission;      /* >= 0 */
    int64_t filled_at_us;
};

/*
 * Receives a fill. Returns 0 when the fill is recorded (or was already: a
 * duplicate is not an error), or a negative TC_E* code (the broker then keeps
 * the fill and may report it again later). FILL is borrowed for the call.
 */
typedef int (*tc_broker_fill_fn)(const struct tc_fill *fill, void *ud);

/*
 * An order that ended without filling whole: STATUS is TC_ORDER_EXPIRED (a
 * DAY order at the end of its day) or TC_ORDER_CANCELED; REMAINING is the
 * quantity left unfilled (> 0). Fixed-size, no owned memory.
 */
struct tc_order_update {
    char client_order_id[TC_CLIENT_ORDER_ID_MAX];
    enum tc_order_status status;
    struct tc_dec remaining;
    char reason[TC_BROKER_REASON_MAX];  /* "" when none */
    int64_t at_us;
};

/*
 * Receives an order update. Returns 0 when recorded (or already: a repeated
 * update is not an error), or a negative TC_E* code (the broker may report
 * it again). U is borrowed for the call.
 */
typedef int (*tc_broker_update_fn)(const struct tc_order_update *u, void *ud);

/* What a broker says about the account. */
struct tc_broker_account {
    struct tc_dec cash_flow;       /* sells − buys (traded value) − commission */
    struct tc_dec commission;      /* commission charged so far */
    int64_t orders;                /* distinct orders accepted */
    int64_t fills;                 /* fills the handler accepted (duplicates included) */
};

struct tc_broker;

struct tc_broker_ops {
    const char *name;
    /* Submits INTENT (borrowed); fills *ACK. Idempotent by client_order_id. */
    int (*submit)(struct tc_broker *b, const struct tc_order_intent *intent,
                  struct tc_broker_ack *ack, struct tc_error *err);
    /* Cancels the working order CLIENT_ORDER_ID; TC_ENOTFOUND when none. */
    int (*cancel)(struct tc_broker *b, const char *client_order_id, struct tc_error *err);
    /* A new bar of INSTRUMENT_ID: working orders may fill (simulators). */
    int (*on_bar)(struct tc_broker *b, const char *instrument_id, const struct tc_bar *bar,
                  struct tc_error *err);
    /* Calls FN for each working order (copy; borrowed for the call). FN returns
     * 0 to go on, nonzero to stop. */
    int (*open_orders)(struct tc_broker *b,
                       int (*fn)(const struct tc_order_intent *intent, void *ud), void *ud,
                       struct tc_error *err);
    int (*account)(struct tc_broker *b, struct tc_broker_account *out, struct tc_error *err);
    void (*free)(struct tc_broker *b);
    /* 1 when submitting INTENT may happen inside the ledger's transaction
     * (the contract at the top: no external effect, deterministic,
     * idempotent, fills of that intent only); NULL = never. */
    int (*in_txn)(struct tc_broker *b, const struct tc_order_intent *intent);
    /* Keeps FN/UD as the order-update handler (NULL FN: updates are
     * dropped); NULL = the broker never reports updates. */
    void (*set_update_handler)(struct tc_broker *b, tc_broker_update_fn fn, void *ud);
};

/* The base every broker embeds first. */
struct tc_broker {
    const struct tc_broker_ops *ops;
    tc_broker_fill_fn on_fill;     /* NULL: fills are dropped (and counted lost) */
    void *fill_ud;
};

/* Sets the fill handler (the ledger sets itself when it opens). Not
 * thread-safe against fills in flight: set it before use. */
void tc_broker_set_fill_handler(struct tc_broker *b, tc_broker_fill_fn fn, void *ud);

/* Reports FILL to B's handler (for broker implementations). TC_ESTATE when no
 * handler is set. */
int tc_broker_report_fill(struct tc_broker *b, const struct tc_fill *fill);

/* Sets the order-update handler through the broker's set_update_handler
 * (nothing for a broker without it). The ledger sets itself when it opens.
 * Set it before use. */
void tc_broker_set_update_handler(struct tc_broker *b, tc_broker_update_fn fn, void *ud);

/* B's in_txn answer for INTENT: 0 for NULL arguments or a broker without
 * the operation. */
int tc_broker_in_txn(struct tc_broker *b, const struct tc_order_intent *intent);

/* Dispatchers: TC_EINVAL for NULL arguments; an operation the broker does not
 * have (NULL in its table) is TC_EUSAGE naming the broker and operation.
 * tc_broker_submit sets ACK's broker order id and reason to "" and its
 * status to 0 before the broker's submit (the rest of their buffers is not
 * written). */
int tc_broker_submit(struct tc_broker *b, const struct tc_order_intent *intent,
                     struct tc_broker_ack *ack, struct tc_error *err);
int tc_broker_cancel(struct tc_broker *b, const char *client_order_id, struct tc_error *err);
int tc_broker_on_bar(struct tc_broker *b, const char *instrument_id, const struct tc_bar *bar,
                     struct tc_error *err);
int tc_broker_open_orders(struct tc_broker *b,
                          int (*fn)(const struct tc_order_intent *intent, void *ud), void *ud,
                          struct tc_error *err);
int tc_broker_account(struct tc_broker *b, struct tc_broker_account *out, struct tc_error *err);
const char *tc_broker_name(const struct tc_broker *b);   /* "?" for NULL */
void tc_broker_free(struct tc_broker *b);                 /* NULL allowed */

/* ---- instant ------------------------------------------------------------ */

/*
 * `instant`: fills each submitted order at once, whole, at its reference
 * price, from inside submit (the fill handler runs before submit returns).
 *   execution id     "instant:" + client_order_id   (deterministic)
 *   broker order id  "instant-" + client_order_id
 *   commission       commission_rate × quantity × price × multiplier,
 *                    rounded half-even to 8 places (default rate 0)
 *   filled_at        the clock's now
 * An intent without a reference price is answered REJECTED ("instant broker:
 * order ... has no price to fill at"). A second submit of a client order id
 * answers the same acknowledgement and reports the same fill again (the
 * ledger ignores it as a duplicate); the account counts it once. in_txn is
 * 1 for every intent (submit touches only this process's memory). No order
 * stays working: open_orders reports none, cancel is TC_ENOTFOUND, on_bar
 * does nothing. Thread-safe (a mutex guards the account).
 */
struct tc_broker_instant_options {
    struct tc_dec commission_rate;     /* fraction of traded value, [0, 1) */
    const struct tc_clock *clock;      /* NULL = system */
};
void tc_broker_instant_options_default(struct tc_broker_instant_options *o);
/* OPT NULL = defaults. On success *OUT is the caller's (tc_broker_free).
 * TC_EINVAL for a rate outside [0, 1). */
int tc_broker_instant_new(const struct tc_broker_instant_options *opt, struct tc_broker **out,
                          struct tc_error *err);

#endif
