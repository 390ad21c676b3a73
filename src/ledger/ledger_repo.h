/* The ledger's persistence seam: every read and write the signal, fill,
 * acknowledgement, order-update, portfolio-init, read-miss, pyramiding and
 * check paths do, as one const table of functions with two backends: SQL
 * (repo_sql.c: the runtime and historical stores, both backends) and memory
 * (repo_mem.c: plain C structures for one thread, a backtest). The decisions
 * (sizing, pyramiding, rejections, accounting) live above this seam and are
 * the same code for both. Internal: not installed.
 *
 * SLOT is the memory backend's handle of a (portfolio, instrument) pair,
 * got inside the running transaction from layers, pos_insert or order_load
 * for that pair: with it the backend finds the pair's row without its ids;
 * 0 when there is none (the ids are used). The SQL backend gives 0 and
 * ignores it.
 *
 * PF is the memory backend's handle of a portfolio row (its index + 1),
 * got from portfolio_get (struct tc__ledger_pf) or order_load (struct
 * tc__ledger_order): portfolios are added outside transactions, so it stays
 * valid; 0 when there is none (the id is used). The SQL backend gives 0 and
 * ignores it.
 *
 * POS is the memory backend's handle of a position row (its index + 1),
 * got inside the running transaction from order_load (struct
 * tc__ledger_order): with it pos_load, pos_save and trade_insert find the
 * row without its id; 0 when there is none (the id is used). The SQL
 * backend gives 0 and ignores it.
 *
 * TX is the store transaction of the SQL backend; the memory backend gets
 * NULL and keeps an undo journal instead: a write made inside txn() is
 * undone when the function passed to txn() fails. Versions follow the SQL
 * rule (insert = 1, every save + 1). */
#ifndef TC_LEDGER_REPO_H
#define TC_LEDGER_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/repo_util.h"
#include "tradecore/accounts.h"
#include "tradecore/ledger.h"
#include "tradecore/refdata.h"

/* A layer not closed, with what its orders say about it. */
struct tc__ledger_layer {
    struct tc_position p;
    struct tc_dec planned;   /* its OPEN orders' quantity (not REJECTED/CANCELED/EXPIRED) */
    int64_t exits_in_flight; /* CLOSE orders NEW, SUBMITTED or PARTIALLY_FILLED */
    size_t pos;              /* its POS (memory), 0 for SQL */
    int entry_working;       /* its entry (OPEN) order is NEW, SUBMITTED or
                                PARTIALLY_FILLED */
    char entry_coid[TC_CLIENT_ORDER_ID_MAX]; /* that order's client order id
                                                (written only when ENTRY_WORKING) */
};

/* An entry order whose cancel an EXIT asked for (ledger.h, EXIT). */
struct tc__ledger_cancel {
    char client_order_id[TC_CLIENT_ORDER_ID_MAX];
    char order_id[TC_ID_BUFSZ];
};

/* A portfolio's definition as the signal path needs it; with its state's
 * closed equity when STATE_KNOWN (memory: HAS_STATE says whether it has
 * one), else (SQL: 0) the caller reads the state. */
struct tc__ledger_pf {
    int found, deleted;
    struct tc_dec capital;
    int state_known, has_state;
    struct tc_dec closed_equity;
    size_t ref;                      /* its PF (memory), 0 for SQL */
};

/* A strategy's definition: its params already parsed (PARAMS_RC 0) or the
 * parse error in PARAMS_ERR. */
struct tc__ledger_strat {
    int found, deleted, enabled;
    int params_rc;
    struct tc_sizing_params params;
    struct tc_error params_err;
    size_t ref;                      /* its row's handle (memory: index + 1), 0 for SQL */
};

/* An order as the fill, acknowledgement and update paths need it. REF is the
 * memory backend's handle (an index + 1), 0 for SQL. */
struct tc__ledger_order {
    char order_id[TC_ID_BUFSZ];
    char position_id[TC_ID_BUFSZ];
    int closing;                     /* intent CLOSE (else OPEN) */
    enum tc_order_status status;
    char reason[TC_LEDGER_TEXT_MAX]; /* SQL only: read from its row */
    const char *why;                 /* the reason's text ("" for none): REASON
                                        (SQL), or the memory backend's own,
                                        valid until the transaction ends;
                                        readable for TC_LEDGER_TEXT_MAX bytes
                                        either way, its NUL within them */
    struct tc_dec quantity, filled;
    int64_t version;
    int found;
    size_t ref;
    size_t slot;                     /* its position's SLOT (memory), 0 for SQL */
    size_t pos;                      /* its position's POS (memory), 0 for SQL */
    size_t pf;                       /* its portfolio's PF (memory), 0 for SQL */
};

/* The signal_log row of a signal (strings may be NULL or empty = NULL). */
struct tc__ledger_sig_row {
    const char *fp, *portfolio, *strategy, *instrument, *type, *side, *payload;
    int has_time;
    int64_t signal_time_us;
    uint64_t fp_hash;  /* key_hint(TC__LEDGER_KEY_SIG, FP) of this ledger, 0 none */
    size_t fp_len;     /* strlen(FP) when the caller knows it, 0: measured */
};

/* The keys key_hint knows. */
enum tc__ledger_key {
    TC__LEDGER_KEY_SIG,   /* a signal_log fingerprint */
    TC__LEDGER_KEY_FILL   /* a fill's execution id */
};

/* Rows tc_ledger_check works from (ledger_check.c turns them into
 * violations). Each callback returns 0 or a negative code (stops). */
struct tc__ledger_check_rows {
    int (*position)(void *ud, const char *id, struct tc_dec qty, struct tc_dec closed,
                    struct tc_dec in, struct tc_dec out);
    int (*order)(void *ud, const char *id, struct tc_dec filled, struct tc_dec sum);
    int (*state)(void *ud, const struct tc_portfolio_state *s);
    int (*bases)(void *ud, const char *portfolio_id, const char *instrument_id, int64_t n);
    void *ud;
};

struct tc__ledger_repo_ops {
    const char *name;
    /* one write transaction attempt (the fence first for SQL); a failure of
     * FN rolls back everything it wrote */
    int (*txn)(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc_error *err);
    /* a read-only transaction */
    int (*read)(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc_error *err);
    /* fills the ledger's cache at open (SQL; memory has nothing to load) */
    int (*load_cache)(struct tc_ledger *l, struct tc_error *err);
    void (*release)(struct tc_ledger *l);
    /* KEY's hash for the insert that will follow (sig_insert's FP_HASH,
     * fill_insert's HASH), its place in the map asked of the memory ahead of
     * it (memory; the SQL backend: 0, none). Valid for KEY's bytes as they
     * are, in this ledger, whatever is inserted between; 0 none. LEN:
     * strlen(KEY) when the caller knows it, 0 measured */
    uint64_t (*key_hint)(struct tc_ledger *l, enum tc__ledger_key which, const char *key,
                         size_t len);

    /* the backend's own copy of instrument ID (NUL-terminated) when it
     * holds one, read from nowhere else (memory: the instruments added or
     * read before), else NULL (SQL: always) */
    const struct tc_instrument *(*instrument_kept)(struct tc_ledger *l, const char *id);
    /* the instrument of a signal: *OUT points at OWN (SQL: read each time,
     * its status may change) or at the backend's copy (memory); TC_ENOTFOUND */
    int (*instrument_get)(struct tc_ledger *l, const char *id, struct tc_instrument *own,
                          const struct tc_instrument **out, struct tc_error *err);

    /* signal_log: insert if the fingerprint is absent (*INSERTED 1, *REF
     * the row's handle for sig_finish in the same transaction: memory; 0
     * for SQL), else count the duplicate and give the FIRST outcome */
    int (*sig_insert)(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_sig_row *r,
                      int64_t now, int *inserted, size_t *ref, struct tc_signal_outcome *first,
                      struct tc_error *err);
    /* REF: the row's handle from sig_insert, 0 none (found by fingerprint);
     * POS and ORD: the handles (POS, order_insert's *REF) of the rows whose
     * ids O names as its position and order, 0 none (their ids are used) */
    int (*sig_finish)(struct tc_ledger *l, struct tc_txn *tx, const struct tc_signal_outcome *o,
                      size_t ref, size_t pos, size_t ord, struct tc_error *err);

    /* HINT: the REF an earlier call gave for the same ID in this ledger, 0
     * none (the memory backend's portfolio and strategy rows are added
     * outside transactions and never move nor go: the row is that one,
     * not looked up by ID; the SQL backend ignores it) */
    int (*portfolio_get)(struct tc_ledger *l, struct tc_txn *tx, const char *id, size_t hint,
                         struct tc__ledger_pf *out, struct tc_error *err);
    int (*strategy_get)(struct tc_ledger *l, struct tc_txn *tx, const char *id, size_t hint,
                        struct tc__ledger_strat *out, struct tc_error *err);

    int (*state_load)(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                      size_t pf, struct tc_portfolio_state *s, int *found, struct tc_error *err);
    /* creates the state from the live portfolio's capital if absent (version
     * 1); nothing when the portfolio is unknown or deleted (state_load tells) */
    int (*state_create)(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                        size_t pf, int64_t now, struct tc_error *err);
    /* versioned: TC_ECONFLICT when S->version is not the stored one */
    int (*state_save)(struct tc_ledger *l, struct tc_txn *tx, const struct tc_portfolio_state *s,
                      size_t pf, int64_t now, struct tc_error *err);

    /* *SLOT: a hint on the way in, its pair's handle on the way out; *POS
     * the new row's handle (memory; 0 for SQL) */
    int (*pos_insert)(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                      int64_t now, size_t *slot, size_t *pos, struct tc_error *err);
    int (*pos_save)(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                    size_t pos, int64_t now, struct tc_error *err);
    int (*pos_load)(struct tc_ledger *l, struct tc_txn *tx, const char *position_id, size_t pos,
                    struct tc_position *p, int *found, struct tc_error *err);
    /* the layers of (portfolio, instrument) not closed, by layer then id,
     * appended to VEC (of struct tc__ledger_layer, reset first); *SLOT the
     * pair's handle */
    int (*layers)(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                  const char *instrument_id, size_t *slot, struct tc__repo_vec *vec,
                  struct tc_error *err);
    /* positions of (portfolio, instrument) not closed */
    int (*open_count)(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                      const char *instrument_id, size_t slot, int64_t *n, struct tc_error *err);

    /* orders: a new intent in status NEW (version 1) of position
     * POSITION_ID, whose portfolio, strategy and instrument ids are O's (the
     * memory backend keeps them once, as the position's), POS its handle
     * (0 none: found by its id); SIG the handle sig_insert gave in this
     * transaction for the row of FINGERPRINT (0 none); *REF the order's
     * handle for an order_load in the same transaction (memory; 0 for SQL);
     * FP_LEN, when not 0, says that the client order id is FINGERPRINT's
     * FP_LEN bytes followed by ':', 'L' or 'X' and the layer in decimal
     * (the signal path's own form: not checked again), 0 not known */
    int (*order_insert)(struct tc_ledger *l, struct tc_txn *tx, const struct tc_order_intent *o,
                        int closing, const char *fingerprint, size_t fp_len, size_t sig,
                        const char *position_id, size_t pos, const char *reason, size_t *ref,
                        struct tc_error *err);
    /* REF: the order's handle from order_insert in this transaction, 0 none
     * (found by its client order id) */
    int (*order_load)(struct tc_ledger *l, struct tc_txn *tx, const char *client_order_id,
                      size_t ref, struct tc__ledger_order *o, struct tc_error *err);
    /* the versioned updates (TC_ECONFLICT on a version mismatch): the
     * acknowledgement (broker id and submitted time kept when set, reject
     * reason when REJECT_REASON is not NULL), fill progress, a status */
    int (*order_ack)(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                     const char *broker_order_id, enum tc_order_status status,
                     const char *reject_reason, int64_t now, struct tc_error *err);
    int (*order_filled)(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                        struct tc_dec filled, enum tc_order_status status, int64_t now,
                        struct tc_error *err);
    int (*order_status)(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                        enum tc_order_status status, int64_t now, struct tc_error *err);
    /* orders of the ledger's mode in status NEW, oldest first, into VEC (of
     * struct tc_order_intent; caller frees items) */
    int (*orders_new)(struct tc_ledger *l, struct tc__repo_vec *vec, struct tc_error *err);
    /* entry orders of the ledger's mode still working (NEW, SUBMITTED,
     * PARTIALLY_FILLED) whose position is not closed and has an exit reason
     * (an EXIT asked for their cancel: ledger.h), oldest first, into VEC (of
     * struct tc__ledger_cancel; caller frees items) */
    int (*cancels_pending)(struct tc_ledger *l, struct tc__repo_vec *vec, struct tc_error *err);

    /* fills: unique by execution id (*INSERTED 0 for a duplicate), with
     * the id FILL_ID (the memory backend keeps none: nothing reads it, and
     * its caller may give "" there, tc__ledger_new_seq); HASH
     * key_hint(TC__LEDGER_KEY_FILL, F->execution_id), 0 none; XLEN
     * strlen(F->execution_id) when the caller knows it, 0 measured */
    int (*fill_insert)(struct tc_ledger *l, struct tc_txn *tx, const char *fill_id,
                       const struct tc_fill *f, uint64_t hash, size_t xlen,
                       const struct tc__ledger_order *o, int64_t now, int *inserted,
                       struct tc_error *err);
    /* the trades row of closed position P */
    int (*trade_insert)(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                        size_t pos, struct tc_dec net, int64_t now, struct tc_error *err);

    /* pyramiding_state of (portfolio, instrument): *FOUND 0 when no row */
    int (*pyr_get)(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                   const char *instrument_id, struct tc_pyramiding_state *out, int *found,
                   struct tc_error *err);
    /* a new base: the row set to (base, count 0, price, time), made if absent */
    int (*pyr_base)(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                    const char *instrument_id, size_t slot, const char *base_position_id,
                    struct tc_dec price, int64_t time_us, int64_t now, struct tc_error *err);
    /* a new layer: count OLD_COUNT → OLD_COUNT + 1 (TC_ECONFLICT when the
     * row's count moved), or the row made when FOUND was 0 */
    int (*pyr_layer)(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                     const char *instrument_id, int found, int64_t old_count,
                     const char *base_position_id, struct tc_dec price, int64_t time_us,
                     int64_t now, struct tc_error *err);
    /* no layer left open: base none, count 0, no price nor time */
    int (*pyr_reset)(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                     const char *instrument_id, size_t slot, int64_t now, struct tc_error *err);

    /* the rows of tc_ledger_check, in one read */
    int (*check)(struct tc_ledger *l, const struct tc__ledger_check_rows *rows,
                 struct tc_error *err);
};

extern const struct tc__ledger_repo_ops tc__ledger_repo_sql;
extern const struct tc__ledger_repo_ops tc__ledger_repo_mem;

/* Memory backend: sets up L->mem (TC_ENOMEM). */
int tc__ledger_mem_init(struct tc_ledger *l, struct tc_error *err);
/* Memory backend reads for the public API. */
int tc__ledger_mem_positions_open(struct tc_ledger *l, const char *portfolio_id,
                                  const char *instrument_id, struct tc_position *out, size_t cap,
                                  size_t *n);

#endif
