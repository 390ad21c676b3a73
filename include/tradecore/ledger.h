/*
 * The trading ledger: positions, orders, fills, round-trip trades, portfolio
 * state, pyramiding state and the signal log, kept in the runtime store
 * (migrations/<backend>/runtime/0002_ledger), with exactly-once signal
 * processing that survives crashes (DESIGN.md rules 1-3, "Live and paper").
 *
 * The flow of one signal (tc_ledger_submit_signal):
 *   1. parse and check the body (signal.h), look up the instrument in the
 *      historical store (before any transaction: the two stores may be one
 *      database, or two);
 *   2. ONE transaction in the runtime store: the signal_log row (unique by
 *      fingerprint), the portfolio_state row on first use, the position and
 *      pyramiding changes and the order intents (status NEW, client order id
 *      "<fingerprint>:L<layer>" for an entry, "<fingerprint>:X<layer>" for an
 *      exit), or, for a rejection, only the signal_log row with its reason;
 *   3. each intent goes to the broker (the market orders the ledger makes
 *      from signals are GTC in every mode: a signal's quantity is pursued
 *      until it is filled, or until an EXIT cancels its rest). A broker whose submit of it stays
 *      inside this process (in_txn, broker.h: `instant`; `sim` in BACKTEST)
 *      is called INSIDE the transaction of step 2, and the acknowledgement
 *      (broker_order_id, status SUBMITTED) and the fills it reported from
 *      inside submit are written there too: one commit per signal; a
 *      rollback leaves no trace and the same signal sent again submits the
 *      same intent, which the broker answers as before. Other brokers are
 *      called after the commit; the acknowledgement and the fills reported
 *      from inside submit are then recorded in ONE transaction; later fills
 *      each in their own (tc_ledger_apply_fill), unique by execution id.
 * A crash between 2 and 3 (two-phase brokers) leaves orders in status NEW:
 * tc_ledger_open sends them again under the same client order id, and the
 * broker's idempotency (broker.h) plus the unique execution id make the
 * effect happen once.
 *
 * The signal engine's rules:
 *   BASE_ENTRY  opens layer 0 of (portfolio, instrument) when no base is open
 *               there (a base whose entry order is not filled yet counts as
 *               open; a partial unique index enforces one open base). Size:
 *               the signal's quantity/lots (tc_size_explicit), else
 *               tc_size_base_entry with equity = the portfolio's
 *               closed_equity (so open positions' unrealised P&L does not
 *               change sizing) and the strategy's params (signal.h).
 *   PYRAMID     adds layer pyramid_count + 1 when the base is open, has the
 *               signal's side, pyramid_count < max_pyramids and the price
 *               moved at least the distance since the last layer
 *               (tc_pyramid_check). Size: explicit, else tc_size_pyramid with
 *               base_qty = the base layer's entry quantity and open_qty = the
 *               entry quantity of every open layer.
 *   EXIT        closes every open layer of the instrument, or only the
 *               position named by an optional body key "position_id". For
 *               each such layer: first, when its entry order is still
 *               working (NEW, SUBMITTED, PARTIALLY_FILLED), the rest of that
 *               entry is canceled; then, when the layer holds a quantity and
 *               has no exit in flight, one exit order for what it holds (its
 *               filled quantity). A layer that holds nothing gets no exit
 *               order and is closed at quantity 0 by the cancel ("entry
 *               canceled", no trade, as for any entry that ended unfilled:
 *               tc_ledger_apply_order_update). The cancel: with a broker
 *               that has in_txn for the entry (the sim broker in BACKTEST,
 *               instant) it is made INSIDE the signal transaction
 *               (tc_broker_cancel; the CANCELED update the broker reports
 *               from inside it is applied there, as fills reported during
 *               a submit are); with other brokers (PAPER, LIVE) the layer
 *               is marked (its exit_reason set while it is not closed) and
 *               the cancel is sent after the commit, as submissions are,
 *               its CANCELED update applied when the broker reports it; a
 *               crash or a broker error before that leaves the mark, and
 *               tc_ledger_resubmit_pending sends the cancel again. (A cancel
 *               made inside a transaction that then rolls back is not
 *               undone at the broker: the same signal sent again finds the
 *               entry not working there and falls back to the mark; the sim
 *               broker's backtests, one writer, do not roll back.) While
 *               marked, a layer whose exits took all it holds stays open
 *               (partial) and closes, with its trade, when the entry's
 *               cancel is applied; the mark goes when the entry ends
 *               (canceled, or filled whole). A fill of the entry that races
 *               the cancel (it arrives after the EXIT but before the
 *               cancel) stays on the layer: the layer stays open, with that
 *               quantity, for a later EXIT. Realised P&L and commission are
 *               booked when the exit fills arrive. An EXIT whose layers all
 *               have their exits (and cancels) in flight is rejected.
 *   STOP_UPDATE moves current_stop of every open layer (tc_stop_update_check
 *               against the base's stop, with the signal's price when given);
 *               a loosening stop is refused unless params allow_stop_loosen.
 * A signal's side must be the open position's side (else rejected).
 *
 * Rejections (status "rejected" in signal_log, reason = the message, nothing
 * else changed, tc_ledger_submit_signal returns 0): malformed fields, NaN or
 * non-positive prices, a stop on the wrong side, unknown or deleted
 * portfolio, strategy or instrument, a timestamp outside limits.max_skew_us
 * of the clock, sizing that overflows or buys less than one lot, EXIT with
 * nothing open, PYRAMID without a base or too close or over the maximum,
 * BASE_ENTRY with a base open, side mismatches, loosening stops. A body
 * that is not a JSON object (or is larger than TC_SIGNAL_BODY_MAX) has no
 * fields to log: it returns TC_EPARSE / TC_ERANGE and records nothing.
 * A rejection's fingerprint is tc_signal_fingerprint's when the fields
 * parse; otherwise "id:<signal_id>" when the body has a valid signal_id,
 * else "body:<sha256 hex of the body with the passphrase member removed>".
 *
 * Duplicates: a fingerprint already in signal_log returns the FIRST outcome
 * with duplicate = 1, adds one to duplicate_count and changes nothing else.
 * This holds across threads and processes (INSERT ... ON CONFLICT DO NOTHING
 * in the same transaction).
 *
 * Accounting (margin style): opening a position moves no cash. A fill books
 * its commission (commission_paid += c); a closing fill books realised P&L
 * = (exit − entry) × qty × multiplier for LONG, (entry − exit) × qty ×
 * multiplier for SHORT, with entry = the layer's volume-weighted entry price.
 * Always: cash = closed_equity = initial_capital + realized_pnl −
 * commission_paid. A layer whose quantity returns to 0 is closed, with
 * exit_price = its volume-weighted exit price, and gets a trades row (gross =
 * its realised P&L, commission = entry + exit commission, net = gross −
 * commission). When no layer of (portfolio, instrument) stays open, its
 * pyramiding state is reset (base NULL, count 0).
 *
 * Optimistic locking: positions, orders and portfolio_state carry a version;
 * every update is `... version = version + 1 WHERE id = $ AND version = $`.
 * 0 rows changed is a conflict: the whole transaction is run again (with
 * backoff) up to limits.conflict_retries times, then TC_ECONFLICT.
 *
 * The cache: open positions (and every position the ledger touched since it
 * opened) and portfolio states, in memory, installed only after a commit
 * (never from inside a transaction that may roll back), newest version wins.
 * Reads copy into caller memory under a read lock: no allocation, no store
 * access on a hit (a miss on tc_ledger_position_get / _portfolio_state reads
 * the store and installs what it found). The cache reflects this process's
 * writes: DESIGN rule 7 (one writer) keeps it the truth.
 *
 * Thread-safety: a ledger may be used by several threads at once; signals
 * and fills are processed concurrently (sqlite serialises the transactions,
 * PostgreSQL runs them in parallel under the locking above).
 */
#ifndef TRADECORE_LEDGER_H
#define TRADECORE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/broker.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/id.h"
#include "tradecore/signal.h"
#include "tradecore/store.h"

#define TC_LEDGER_ACTOR_DEFAULT "ledger"
#define TC_LEDGER_TEXT_MAX 256

struct tc_ledger;

struct tc_ledger_limits {
    int64_t max_skew_us;        /* signal timestamp window around now; default 1 day */
    int conflict_retries;       /* reruns after an optimistic-lock conflict; default 32 */
    int64_t conflict_backoff_us;/* first backoff, doubled up to 64×; default 500 µs */
};

/*
 * A fault hook for tests (DESIGN rule 6): called inside transactions at named
 * points; a nonzero return fails the transaction there with that code (the
 * transaction rolls back). Points: "signal:before_write" (an accepted signal,
 * after its reads and decision, before its first write: a hook that sleeps
 * there widens race windows), "signal:before_commit" (after every write),
 * "fill:before_write" (after reading the order, before updating it),
 * "fill:before_commit", "ack:before_commit", "update:before_commit" (an
 * order update). Each transaction meets exactly one "*:before_commit": a
 * fill or acknowledgement recorded inside another transaction (the signal
 * transaction with an in_txn broker, or the acknowledgement's) meets only
 * its "*:before_write" points, and an order update applied inside the
 * signal transaction (an EXIT's cancel with an in_txn broker) meets none.
 */
typedef int (*tc_ledger_fault_fn)(const char *point, void *ud);

/*
 * Fencing (DESIGN rule 7): called first inside EVERY write transaction of
 * the ledger (signals, fills, acknowledgements, portfolio init), with the
 * transaction. A nonzero return (TC_EFENCED with a message, by convention)
 * rolls the transaction back: nothing is written and the ledger call returns
 * that code. The service passes one that compares the leader epoch stored in
 * the runtime store with the epoch it was elected with (leader.h).
 */
typedef int (*tc_ledger_fence_fn)(struct tc_txn *tx, void *ud, struct tc_error *err);

/*
 * An id generator (DESIGN rule 6): writes a new id of KIND ("ord" for
 * orders, "pos" for positions, "fill" for fills; a trade's id is "trd-" +
 * its position's id) into BUF (CAP = TC_ID_BUFSZ) and returns 0, or a
 * negative TC_E* code (the write fails with it). The id must be a valid id
 * (id.h) never given before for that KIND in that store. Called inside
 * transactions, possibly again for a transaction that is run again, and
 * from every thread that uses the ledger (it must be thread-safe then).
 * NULL = random: "ord-<uuid>", "pos-<uuid>", "<uuid>".
 */
typedef int (*tc_ledger_id_fn)(void *ud, const char *kind, char *buf, size_t cap);

/*
 * The ledger's change feed: called after each committed transaction that
 * changed positions or a portfolio state (a signal's new positions and stop
 * moves, a fill, an order update that closed an entry, a portfolio's first
 * state), with those rows as they are now: POS[0..NPOS) in the order they
 * were written (NPOS may be 0), STATE the portfolio state written last or
 * NULL. The rows are the ledger's, valid until the call returns. Never
 * called for a transaction that rolled back, nor for one that changed
 * neither. Called on the thread that ran the transaction, inside the ledger
 * call that ran it (so a caller that mirrors rows sees them before that call
 * returns); it must not call the ledger. A backtest keeps its book from it
 * without reading positions back.
 */
struct tc_position;
struct tc_portfolio_state;
typedef void (*tc_ledger_change_fn)(void *ud, const struct tc_position *pos, size_t npos,
                                    const struct tc_portfolio_state *state);

/*
 * A ready-made deterministic generator: "<kind>-<prefix>-<n>" with n = 1, 2,
 * … across kinds. Set PREFIX (a valid id of at most TC_LEDGER_SEQ_PREFIX_MAX
 * bytes, e.g. a backtest's run id) and N = 0, then pass tc_ledger_seq_id with
 * the struct as id_ud. Not thread-safe: for a ledger used by one thread (a
 * backtest), where the same calls in the same order give the same ids.
 */
#define TC_LEDGER_SEQ_PREFIX_MAX 40
struct tc_ledger_seq_ids {
    char prefix[TC_LEDGER_SEQ_PREFIX_MAX + 1];
    uint64_t n;
};
int tc_ledger_seq_id(void *ud, const char *kind, char *buf, size_t cap);

struct tc_ledger_options {
    struct tc_store *runtime;      /* required, borrowed, migrated to 0002+; NULL in memory */
    struct tc_store *historical;   /* required (may be the runtime store), borrowed;
                                      optional in memory */
    const struct tc_clock *clock;  /* NULL = system */
    struct tc_broker *broker;      /* borrowed; NULL = intents stay NEW */
    enum tc_mode mode;             /* written on orders and signal_log; default PAPER */
    const char *run_id;            /* optional (backtests); copied */
    const char *actor;             /* created_by/updated_by; NULL = TC_LEDGER_ACTOR_DEFAULT */
    struct tc_ledger_limits limits;
    int strict_check;              /* open fails with TC_ESTATE on invariant violations */
    int no_recovery;               /* open does not resubmit NEW orders */
    tc_ledger_fault_fn fault;      /* tests only; NULL in production */
    void *fault_ud;
    tc_ledger_fence_fn fence;      /* NULL = no fencing (one process, tests) */
    void *fence_ud;
    tc_ledger_id_fn id_fn;         /* NULL = random ids */
    void *id_ud;
    int in_memory;                 /* keep everything in process memory: see below */
    tc_ledger_change_fn on_change; /* NULL = no change feed (above) */
    void *change_ud;
};

/*
 * In-memory ledger (in_memory = 1; backtests without --store). The same
 * decisions (sizing, pyramiding, rejections, accounting, versions,
 * outcomes, ids from id_fn) as with a store, kept in plain C structures of
 * this process instead of SQL rows, and lost at tc_ledger_close. For ONE
 * thread (the ledger is not thread-safe then). RUNTIME must be NULL and
 * FENCE NULL (TC_EINVAL otherwise: there is no store transaction to fence);
 * HISTORICAL may be NULL. Portfolios, strategies and instruments are given
 * with tc_ledger_mem_add_* below; an instrument not added is read once
 * from HISTORICAL when there is one (and kept: its later changes there are
 * not seen), else the signal is rejected as for an unknown instrument.
 * Each signal, fill or update is still all-or-nothing: a failure inside
 * (a fault hook, out of memory) leaves no trace. The fault hook is called
 * at the same points. Not kept: the signal_log payload and log columns
 * (only each fingerprint's outcome and duplicate count), the trades rows'
 * text (only what tc_ledger_check needs), the orders' broker ids, reject
 * reasons and times of submission and change (no read below gives them).
 * Reads: tc_ledger_position_get, _positions_open, _portfolio_state,
 * _pyramiding_get and tc_ledger_check work from memory. The functions of
 * ledger_query.h take a store, which an in-memory ledger does not have.
 */

/*
 * Adds a portfolio / strategy / instrument definition to an in-memory
 * ledger (copied; P, S, IN borrowed; their owned strings are not kept).
 * A definition with deleted_at_us set counts as deleted (signals naming it
 * are rejected as unknown). A strategy's params are parsed here once:
 * invalid params are accepted and make its signals rejected with the parse
 * error, as with a store. TC_EINVAL for a ledger that is not in memory or an
 * invalid definition (tc_portfolio_def_validate & co); TC_ECONFLICT when the
 * id was added before (or, for an instrument, already read from the
 * historical store); TC_ENOMEM.
 */
struct tc_portfolio_def;
struct tc_strategy_def;
struct tc_instrument;
int tc_ledger_mem_add_portfolio(struct tc_ledger *l, const struct tc_portfolio_def *p,
                                struct tc_error *err);
int tc_ledger_mem_add_strategy(struct tc_ledger *l, const struct tc_strategy_def *s,
                               struct tc_error *err);
int tc_ledger_mem_add_instrument(struct tc_ledger *l, const struct tc_instrument *in,
                                 struct tc_error *err);

/* Zeroes *O and sets the defaults above. */
void tc_ledger_options_default(struct tc_ledger_options *o);

/*
 * Opens a ledger: loads open positions and portfolio states into the cache,
 * resubmits orders in status NEW of OPT->mode to the broker (unless
 * no_recovery; an order that the broker refuses stays NEW and is logged),
 * sets itself as the broker's fill and order-update handler, and checks the invariants
 * (tc_ledger_check): violations are logged at error level, and make the open
 * fail with TC_ESTATE when strict_check is set. OPT is copied (the stores,
 * clock and broker stay borrowed and must outlive the ledger). On success
 * *OUT is the caller's: tc_ledger_close() it. TC_EINVAL for missing stores or
 * a bad mode/run id; store errors pass through. With in_memory (above): no
 * store is read, there is nothing to recover, and TC_EINVAL when a runtime
 * store or a fence is given.
 */
int tc_ledger_open(const struct tc_ledger_options *opt, struct tc_ledger **out,
                   struct tc_error *err);
/* Frees L (NULL allowed); clears the broker's fill handler. No call may be in
 * flight. */
void tc_ledger_close(struct tc_ledger *l);

/*
 * Processes one signal body (LEN bytes of JSON; (size_t)-1 = NUL-terminated)
 * as described at the top. Returns 0 when the signal was recorded, accepted
 * or rejected: *OUT says which (status, reason, fingerprint, position and
 * order ids, duplicate). Returns only after the commit (and after the
 * broker submission of its intents, whose failure does not change the
 * return: the intents then stay NEW until the next open or
 * tc_ledger_resubmit_pending). A negative code means nothing was recorded and
 * the caller may send the same body again (the fingerprint keeps it exactly
 * once): TC_EPARSE / TC_ERANGE for a body that is not a JSON object or too
 * large, TC_EUNAVAIL / TC_ESTORE / TC_EBUSY from the store, TC_ECONFLICT
 * after limits.conflict_retries conflicts. The passphrase is never stored:
 * check it BEFORE calling (tc_signal_check_passphrase). *OUT is zeroed first.
 */
int tc_ledger_submit_signal(struct tc_ledger *l, const char *json, size_t len,
                            struct tc_signal_outcome *out, struct tc_error *err);

/*
 * The same for a signal built in code (backtests): no payload is logged.
 * SIG is borrowed; its passphrase is ignored.
 */
int tc_ledger_submit(struct tc_ledger *l, const struct tc_signal *sig,
                     struct tc_signal_outcome *out, struct tc_error *err);

/*
 * Applies one fill in its own transaction: the fills row (unique by
 * execution id), the order's filled quantity and status, the position
 * (entry: quantity and VWAP entry price grow; exit: quantity shrinks,
 * realised P&L, closing with a trades row) and portfolio_state. *APPLIED
 * (may be NULL) is 1, or 0 for a duplicate execution id (a no-op, not an
 * error). TC_ENOTFOUND for an unknown client order id; TC_EINVAL for a
 * quantity <= 0, price <= 0, commission < 0, an empty execution id, or more
 * than the order's unfilled quantity; TC_ESTATE for an order that is
 * CANCELED, REJECTED or EXPIRED. Nothing changes on error. FILL borrowed.
 */
int tc_ledger_apply_fill(struct tc_ledger *l, const struct tc_fill *fill, int *applied,
                         struct tc_error *err);

/*
 * Records that an order ended without filling whole (broker.h, struct
 * tc_order_update; the ledger is the broker's update handler): in one
 * transaction the order's status becomes U->status (EXPIRED or CANCELED;
 * U->reason is logged, the order keeps its own reason), and its position keeps what was filled: an entry order
 * that filled nothing closes its position at quantity 0 (exit reason
 * "entry <status>", no trade row; the pyramiding state is reset when no
 * layer stays open); an entry of a layer an EXIT marked (EXIT above)
 * closes it, with its trade row, when its exits took all it held, else
 * takes the mark off (the layer keeps what it holds). A repeated update of an order already in that status
 * is a no-op (0). TC_ENOTFOUND for an unknown client order id; TC_EINVAL
 * for a status other than EXPIRED/CANCELED, a negative remaining quantity
 * or one that differs from the order's unfilled quantity; TC_ESTATE for an
 * order FILLED, REJECTED or ended with the other status. Nothing changes on
 * error. U borrowed.
 */
int tc_ledger_apply_order_update(struct tc_ledger *l, const struct tc_order_update *u,
                                 struct tc_error *err);

/*
 * Submits every order of the ledger's mode still in status NEW (no broker
 * acknowledgement) again, oldest first, and records the acknowledgements;
 * then sends the cancel of every entry order of that mode still working
 * whose layer an EXIT marked (EXIT above: a cancel not made before a crash
 * or refused by the broker), oldest first (not counted in *N). Such an
 * entry still NEW is not submitted again (the EXIT canceled it); when the
 * broker answers its cancel with TC_ENOTFOUND (it never had it), it is
 * recorded CANCELED with nothing filled, and its layer closes as for that
 * update (tc_ledger_apply_order_update). *N (may be
 * NULL) receives the number submitted. The first broker error is returned
 * after trying them all. Called by tc_ledger_open.
 */
int tc_ledger_resubmit_pending(struct tc_ledger *l, size_t *n, struct tc_error *err);

/*
 * Creates portfolio_state for PORTFOLIO_ID from its definition's
 * initial_capital (accounts.h) if it has none; an existing row is left as it
 * is (0). TC_ENOTFOUND for an unknown or deleted portfolio.
 */
int tc_ledger_portfolio_init(struct tc_ledger *l, const char *portfolio_id,
                             struct tc_error *err);

/* ---- reads ---------------------------------------------------------------- */

enum tc_position_status {
    TC_POSITION_OPEN = 1,     /* entered (or its entry order pending) */
    TC_POSITION_PARTIAL = 2,  /* part of it has been exited */
    TC_POSITION_CLOSED = 3
};
const char *tc_position_status_name(enum tc_position_status s);  /* "open", ... */

/* A position (one layer), as stored. Fixed-size; copy freely. */
struct tc_position {
    char position_id[TC_ID_BUFSZ];
    char portfolio_id[TC_ID_BUFSZ];
    char strategy_id[TC_ID_BUFSZ];
    char instrument_id[TC_ID_BUFSZ];
    enum tc_side side;
    struct tc_dec quantity;        /* open quantity: entry fills − exit fills */
    struct tc_dec lots;            /* quantity / lot_size */
    struct tc_dec multiplier;      /* the instrument's, copied at entry */
    struct tc_dec lot_size;        /* the instrument's, copied at entry */
    struct tc_dec entry_price;     /* signal price until filled, then the fills' VWAP */
    int64_t entry_time_us;
    struct tc_dec initial_stop, current_stop;
    int has_initial_stop, has_current_stop;
    int is_base;
    int layer;                     /* 0 = base, 1.. = pyramids */
    enum tc_position_status status;
    struct tc_dec closed_quantity; /* exit fills so far */
    struct tc_dec exit_price;      /* VWAP of exit fills; 0 when none */
    int64_t exit_time_us;          /* 0 until closed */
    char exit_reason[TC_LEDGER_TEXT_MAX]; /* set when closed; on a layer not
                                     closed: an EXIT's reason while the
                                     cancel of its working entry is pending
                                     (EXIT above), else "" */
    struct tc_dec realized_pnl;
    struct tc_dec commission;      /* entry and exit commission */
    int64_t version;
    int64_t updated_at_us;
};

/* One portfolio's money. */
struct tc_portfolio_state {
    char portfolio_id[TC_ID_BUFSZ];
    struct tc_dec initial_capital;
    struct tc_dec cash;
    struct tc_dec closed_equity;
    struct tc_dec realized_pnl;
    struct tc_dec commission_paid;
    int64_t version;
    int64_t updated_at_us;
};

/* Pyramiding state of (portfolio, instrument). */
struct tc_pyramiding_state {
    char portfolio_id[TC_ID_BUFSZ];
    char instrument_id[TC_ID_BUFSZ];
    char base_position_id[TC_ID_BUFSZ];  /* "" when none */
    int pyramid_count;
    struct tc_dec last_pyramid_price;    /* 0 when none */
    int64_t last_pyramid_time_us;
};

/*
 * Cached reads (thread-safe; no allocation; a hit takes a read lock and a
 * copy). position_get: any position by id (a miss reads the store);
 * TC_ENOTFOUND when there is none. positions_open: the positions of
 * PORTFOLIO_ID (and INSTRUMENT_ID, NULL = every instrument) not closed,
 * ordered by instrument then layer; copies at most CAP into OUT (may be NULL
 * when CAP is 0) and sets *N to how many there are (so a second call with a
 * bigger array gets them all). portfolio_state: TC_ENOTFOUND when the
 * portfolio has no state yet.
 */
int tc_ledger_position_get(struct tc_ledger *l, const char *position_id,
                           struct tc_position *out, struct tc_error *err);
int tc_ledger_positions_open(struct tc_ledger *l, const char *portfolio_id,
                             const char *instrument_id, struct tc_position *out, size_t cap,
                             size_t *n, struct tc_error *err);
int tc_ledger_portfolio_state(struct tc_ledger *l, const char *portfolio_id,
                              struct tc_portfolio_state *out, struct tc_error *err);
/* From the store (not cached). TC_ENOTFOUND when there is no row. */
int tc_ledger_pyramiding_get(struct tc_ledger *l, const char *portfolio_id,
                             const char *instrument_id, struct tc_pyramiding_state *out,
                             struct tc_error *err);

/* ---- invariants ------------------------------------------------------------ */

/* One violated invariant. Strings valid during the callback. */
struct tc_ledger_violation {
    const char *kind;      /* "position_quantity", "portfolio_cash",
                              "portfolio_equity", "one_base", "order_fills" */
    const char *subject;   /* the position, portfolio or order id */
    const char *message;   /* lower case, with the numbers */
};
/* Return 0 to go on, nonzero to stop. */
typedef int (*tc_ledger_violation_fn)(const struct tc_ledger_violation *v, void *ud);

/*
 * Checks the store (one read transaction): every position's quantity equals
 * its entry fills minus its exit fills and its closed_quantity its exit
 * fills; every order's filled_quantity equals its fills; each portfolio's
 * cash and closed_equity equal initial_capital + realized_pnl −
 * commission_paid; at most one open base per (portfolio, instrument). Calls
 * FN (may be NULL) per violation and sets *N (may be NULL) to their number.
 * Returns 0 whether or not there are violations (a store error otherwise).
 */
int tc_ledger_check(struct tc_ledger *l, tc_ledger_violation_fn fn, void *ud, size_t *n,
                    struct tc_error *err);

/* ---- removing a backtest's rows --------------------------------------------- */

/* The actor (created_by) of the rows the backtest runner writes (backtest.h). */
#define TC_LEDGER_BACKTEST_ACTOR "backtest"

/*
 * Removes every row of the backtest portfolio PORTFOLIO_ID (a backtest's run
 * id, backtest.h) from the runtime store RUNTIME in ONE write transaction:
 * the fills of its orders, its trades, orders, pyramiding state, positions,
 * signal_log rows (its own, and those of mode BACKTEST with run id
 * PORTFOLIO_ID), portfolio_state, daily_performance, risk_metrics,
 * strategy_performance and allocation_history rows, the engine_decisions of
 * mode BACKTEST with run id PORTFOLIO_ID, its strategies (ids
 * "<PORTFOLIO_ID>.<name>" created by TC_LEDGER_BACKTEST_ACTOR, but not
 * those that start with another portfolio's id "<PORTFOLIO_ID>.<x>" and a
 * dot: "v1.1.sma_cross" is run "v1.1"'s, not run "v1"'s) and its
 * portfolios row (soft-deleted or not), children before parents. *REMOVED
 * (may be NULL) gets the number of rows deleted. Nothing else changes.
 *
 * It can never remove live or paper trading state. A portfolio keeps no
 * mode of its own; it is a BACKTEST portfolio when the backtest runner
 * created it (created_by TC_LEDGER_BACKTEST_ACTOR) and every row of it that
 * carries a mode (orders, signal_log, daily_performance) says BACKTEST with
 * run id PORTFOLIO_ID. Any other portfolio is refused with TC_ESTATE naming
 * it and the first row in the way (`portfolio "p1" is not a backtest's:
 * order "ord-1" has mode LIVE and run id ""; nothing removed`), as is one
 * whose strategy is used by another portfolio's rows. TC_ENOTFOUND for an
 * unknown portfolio (`portfolio "p1" not found; nothing removed`); TC_EINVAL
 * for a missing store or an invalid id; store errors pass through. On any
 * error nothing is removed.
 *
 * The backtest runner calls it when a stored run fails after it first wrote
 * to the runtime store (tc_backtest_run). A run killed before it could (kill
 * -9, power loss) leaves its rows; calling this with its run id removes them.
 * No ledger handle is needed (none may be open for the portfolio: a ledger's
 * cache would keep the removed rows).
 */
int tc_ledger_forget_portfolio(struct tc_store *runtime, const char *portfolio_id,
                               int64_t *removed, struct tc_error *err);

#endif
