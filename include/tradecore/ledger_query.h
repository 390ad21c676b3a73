/*
 * Queries over the trading ledger (runtime store, both backends): positions
 * by instrument, exposure and P&L by instrument, round-trip trades by date,
 * orders by status, the signal log by time, and pruning of old signal log
 * rows. Everything here reads the store directly (never the ledger's cache),
 * so it works in a process that holds no tc_ledger: the CLI, reports, the
 * service's read-only instances.
 *
 * "Symbol" in the issue is the instrument id the ledger stores on every
 * position, order and trade.
 *
 * Conventions:
 *   - Filters given as NULL (ids) or 0 (statuses, times) match everything.
 *     Ids that are given are checked with tc_id_validate (TC_EINVAL naming
 *     the filter). Time ranges are half-open [from_us, to_us); to_us 0 means
 *     "no upper bound"; from_us > to_us (when to_us is set) is TC_EINVAL.
 *   - Results go into a caller-owned list: ITEMS is malloc'd (NULL when N is
 *     0), released with the matching *_release (NULL allowed; leaves the list
 *     empty). On error the list is empty.
 *   - Sums are exact decimals added with overflow checks in C (never SQL
 *     SUM, whose integer arithmetic on sqlite could overflow silently or
 *     fail differently per backend): an overflow is TC_ERANGE naming the
 *     instrument.
 *   - Store errors pass through with the query named in the message.
 *
 * Thread-safety: the functions share nothing but the store (see store.h).
 */
#ifndef TRADECORE_LEDGER_QUERY_H
#define TRADECORE_LEDGER_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/broker.h"
#include "tradecore/dec.h"
#include "tradecore/error.h"
#include "tradecore/id.h"
#include "tradecore/ledger.h"
#include "tradecore/signal.h"
#include "tradecore/store.h"

/* ---- positions ----------------------------------------------------------- */

struct tc_position_list {
    struct tc_position *items;
    size_t n;
};
void tc_position_list_release(struct tc_position_list *l);

/*
 * Positions of PORTFOLIO_ID and INSTRUMENT_ID (each NULL = all), only those
 * not closed when OPEN_ONLY, ordered by portfolio, instrument, layer and id.
 * "Not closed" includes a layer whose entry order has not filled yet
 * (quantity 0, status open), as tc_ledger_positions_open counts it.
 */
int tc_ledger_query_positions(struct tc_store *rt, const char *portfolio_id,
                              const char *instrument_id, int open_only,
                              struct tc_position_list *out, struct tc_error *err);

/* The portfolio state row of PORTFOLIO_ID read from the store (not a
 * cache): *FOUND is 0 (and *OUT zeroed) when the portfolio has no state yet,
 * i.e. no signal was accepted for it. */
int tc_ledger_query_state(struct tc_store *rt, const char *portfolio_id,
                          struct tc_portfolio_state *out, int *found, struct tc_error *err);

/* ---- exposure and P&L by instrument ----------------------------------------- */

/*
 * Exposure of one instrument: over the positions not closed,
 *   gross = Σ quantity × entry_price × multiplier           (every side)
 *   net   = Σ LONG terms − Σ SHORT terms
 * products rounded half-even to 8 places per position (tc_dec_mul), sums
 * exact. QUANTITY is the open quantity (LONG minus SHORT: net).
 */
struct tc_exposure {
    char instrument_id[TC_ID_BUFSZ];
    struct tc_dec gross, net;
    struct tc_dec net_quantity;
    size_t positions;          /* open layers counted */
};
struct tc_exposure_list {
    struct tc_exposure *items;
    size_t n;
};
void tc_exposure_list_release(struct tc_exposure_list *l);

/* Exposure by instrument of PORTFOLIO_ID (NULL = all portfolios together),
 * by instrument id; instruments with no open position are left out. */
int tc_ledger_query_exposure(struct tc_store *rt, const char *portfolio_id,
                             struct tc_exposure_list *out, struct tc_error *err);

/*
 * Total P&L of one instrument over every position (open, partial and
 * closed): realized = Σ realized_pnl (partial exits included), commission =
 * Σ commission (entries and exits), net = realized − commission; trades =
 * the round trips closed. Summed over all instruments this equals the
 * portfolio state's realized_pnl and commission_paid (tc_ledger_check keeps
 * those equal to the money).
 */
struct tc_pnl {
    char instrument_id[TC_ID_BUFSZ];
    struct tc_dec realized, commission, net;
    size_t positions, trades;
};
struct tc_pnl_list {
    struct tc_pnl *items;
    size_t n;
};
void tc_pnl_list_release(struct tc_pnl_list *l);

/* P&L by instrument of PORTFOLIO_ID (NULL = all), by instrument id. */
int tc_ledger_query_pnl(struct tc_store *rt, const char *portfolio_id, struct tc_pnl_list *out,
                        struct tc_error *err);

/* ---- trades ------------------------------------------------------------------ */

/* A closed round trip (one layer), as stored in trades. */
struct tc_trade {
    char trade_id[TC_ID_BUFSZ + 4];
    char position_id[TC_ID_BUFSZ];
    char portfolio_id[TC_ID_BUFSZ];
    char strategy_id[TC_ID_BUFSZ];
    char instrument_id[TC_ID_BUFSZ];
    enum tc_side side;
    int layer;
    struct tc_dec quantity, entry_price, exit_price;
    int64_t entry_time_us, exit_time_us;
    struct tc_dec gross_pnl, commission, net_pnl;
    char exit_reason[TC_LEDGER_TEXT_MAX];
};
struct tc_trade_list {
    struct tc_trade *items;
    size_t n;
};
void tc_trade_list_release(struct tc_trade_list *l);

/* Trades of PORTFOLIO_ID (NULL = all) whose exit time is in [FROM_US, TO_US),
 * by exit time then trade id. */
int tc_ledger_query_trades(struct tc_store *rt, const char *portfolio_id, int64_t from_us,
                           int64_t to_us, struct tc_trade_list *out, struct tc_error *err);

/* ---- orders ------------------------------------------------------------------ */

/* An order, as stored. */
struct tc_order {
    char order_id[TC_ID_BUFSZ];
    char client_order_id[TC_CLIENT_ORDER_ID_MAX];
    char broker_order_id[TC_BROKER_ID_MAX];   /* "" until acknowledged */
    char portfolio_id[TC_ID_BUFSZ];
    char strategy_id[TC_ID_BUFSZ];
    char instrument_id[TC_ID_BUFSZ];
    char position_id[TC_ID_BUFSZ];
    char signal_fingerprint[TC_SIGNAL_FP_LEN];
    enum tc_mode mode;
    enum tc_order_side side;
    int closing;                              /* intent CLOSE (1) or OPEN (0) */
    enum tc_order_type type;
    enum tc_order_status status;
    struct tc_dec quantity, filled_quantity, multiplier;
    struct tc_dec ref_price;
    int has_ref_price;
    char reject_reason[TC_LEDGER_TEXT_MAX];
    int64_t version;
    int64_t created_at_us, updated_at_us;
};
struct tc_order_list {
    struct tc_order *items;
    size_t n;
};
void tc_order_list_release(struct tc_order_list *l);

/* Orders of PORTFOLIO_ID (NULL = all) in STATUS (0 = any), by creation time
 * then order id. A STATUS outside enum tc_order_status is TC_EINVAL. */
int tc_ledger_query_orders(struct tc_store *rt, const char *portfolio_id,
                           enum tc_order_status status, struct tc_order_list *out,
                           struct tc_error *err);

/* ---- the signal log ------------------------------------------------------------ */

/* One signal_log row (the payload is left out: query it where needed). */
struct tc_signal_entry {
    char fingerprint[TC_SIGNAL_FP_LEN];
    char portfolio_id[TC_ID_BUFSZ];           /* "" when the body had none */
    char strategy_id[TC_ID_BUFSZ];
    char instrument_id[TC_ID_BUFSZ];
    char signal_type[16];
    char side[8];
    int64_t signal_time_us;                   /* 0 when unknown */
    int64_t received_at_us;
    enum tc_signal_status status;
    char reason[TC_ERROR_MSG_MAX];
    int64_t duplicate_count;
    char position_id[TC_ID_BUFSZ];
    char order_id[TC_ID_BUFSZ];
    char mode[12];
};
struct tc_signal_entry_list {
    struct tc_signal_entry *items;
    size_t n;
};
void tc_signal_entry_list_release(struct tc_signal_entry_list *l);

/* Signal log rows of PORTFOLIO_ID (NULL = all) received in [FROM_US, TO_US),
 * by receipt time then fingerprint. */
int tc_ledger_query_signals(struct tc_store *rt, const char *portfolio_id, int64_t from_us,
                            int64_t to_us, struct tc_signal_entry_list *out,
                            struct tc_error *err);

/*
 * Deletes signal_log rows received before OLDER_THAN_US, BATCH_SIZE (1 ..
 * 100000) rows per transaction, oldest first, until none is left; each batch
 * commits on its own, so a long prune never holds the writer lock for long
 * and an interrupted prune keeps what it deleted. *DELETED_OUT (may be NULL)
 * receives the rows deleted, also on error (the batches committed before).
 *
 * Decisions:
 *   - A signal whose order is still working (any order with its fingerprint
 *     in status NEW, SUBMITTED or PARTIALLY_FILLED) is KEPT whatever its age:
 *     recovery (tc_ledger_resubmit_pending) and late fills refer to it, and
 *     its fingerprint must keep refusing a replay while its effects are
 *     still happening.
 *   - Pruning forgets fingerprints: a body sent again after its row was
 *     pruned is a new signal. Prune only rows older than the ledger's
 *     limits.max_skew_us (default one day): such a replay then carries a
 *     timestamp outside the window and is rejected, not executed. The
 *     function does not know the ledger's window and does not enforce it;
 *     the CLI refuses less than one day.
 *   - Orders, positions and fills keep their signal_fingerprint text: the
 *     audit trail of what happened stays, only the dedup log shrinks.
 * TC_EINVAL for a bad batch size or OLDER_THAN_US <= 0.
 */
int tc_ledger_prune_signals(struct tc_store *rt, int64_t older_than_us, int batch_size,
                            int64_t *deleted_out, struct tc_error *err);

#endif
