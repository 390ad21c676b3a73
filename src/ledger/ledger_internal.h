/* Shared inside the ledger (src/ledger/ledger*.c): the ledger object, its
 * cache, the transaction runner with conflict retries, and row helpers.
 * Internal: not installed. */
#ifndef TC_LEDGER_INTERNAL_H
#define TC_LEDGER_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tradecore/ledger.h"

struct tc__ledger_repo_ops;

struct tc_ledger {
    struct tc_ledger_options opt;
    const struct tc__ledger_repo_ops *repo;  /* ledger_repo.h: SQL or memory */
    void *mem;                      /* the memory backend's state (in_memory) */
    void *scratch;                  /* in memory: the signal context kept between signals */
    int scratch_busy;
    char run_id[TC_ID_BUFSZ];
    char actor[TC_ID_BUFSZ];
    pthread_rwlock_t lock;          /* guards the cache below */
    struct tc_position *pos;        /* every cached position */
    size_t npos, cappos;
    size_t *slots;                  /* hash of position ids: index + 1, 0 = empty */
    size_t nslots;                  /* a power of two, >= 2 × npos */
    struct tc_portfolio_state *ps;
    size_t nps, capps;
    /* in memory (one thread): the tc_ledger_seq_id prefix last found valid,
     * so the same prefix is not checked again per id */
    char seq_prefix[TC_LEDGER_SEQ_PREFIX_MAX + 1];
    int seq_prefix_ok;
    size_t seq_plen;                /* its length (the bytes after it are zero) */
    char seq_num[21];               /* the decimal text of seq_n (zeros after it) */
    size_t seq_nd;                  /* its length; 0 = not made yet */
    uint64_t seq_n;
};

/* Row images written by one transaction, installed in the cache after its
 * commit. Reset at the start of every attempt. */
struct tc__ledger_changes {
    int off;                        /* memory backend without a change feed: nothing kept */
    struct tc_position one;         /* the changed position while there is one */
    struct tc_position *pos;        /* all of them once there are more (malloc'd) */
    size_t npos, cap;
    struct tc_portfolio_state ps;
    int has_ps;
};

/* C empty, its images not zeroed (nothing reads one before it is written):
 * for a C on the stack, released by free(C->pos). */
void tc__ledger_changes_init(struct tc__ledger_changes *c);
void tc__ledger_changes_release(struct tc__ledger_changes *c);
/* The second and later positions of tc__ledger_changes_add_pos (out of
 * line: a signal or fill changes one, as a rule). */
int tc__ledger_changes_add_more(struct tc__ledger_changes *c, const struct tc_position *p);

/* The helpers below run several times a signal and a fill: inline. */
static inline void tc__ledger_changes_reset(struct tc__ledger_changes *c)
{
    c->npos = 0; /* OFF stays */
    c->has_ps = 0;
}

/* The changed positions, C->npos of them (no allocation for the first). */
static inline const struct tc_position *tc__ledger_changes_items(const struct tc__ledger_changes *c)
{
    return c->npos <= 1 ? &c->one : c->pos;
}

static inline int tc__ledger_changes_add_pos(struct tc__ledger_changes *c,
                                             const struct tc_position *p)
{
    if (c->off)
        return 0;
    if (c->npos == 0) {
        if (p != &c->one) /* built in place: nothing to copy */
            c->one = *p;
        c->npos = 1;
        return 0;
    }
    return tc__ledger_changes_add_more(c, p);
}

/* Where the position a transaction adds next to C (may be NULL) is built:
 * C's first image while C is kept and empty (its add then copies nothing),
 * else OWN. The caller adds no other position to C before that one. */
static inline struct tc_position *tc__ledger_changes_place(struct tc__ledger_changes *c,
                                                           struct tc_position *own)
{
    return c && !c->off && c->npos == 0 ? &c->one : own;
}

/*
 * Runs FN in a write transaction of the runtime store, again after a
 * TC_ECONFLICT (with backoff) up to limits.conflict_retries times. CH (may be
 * NULL) is reset before every attempt and installed in the cache after the
 * commit.
 */
int tc__ledger_run(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc__ledger_changes *ch,
                   struct tc_error *err);

/* The fault hook at POINT: 0, or the hook's code with a message. Inline
 * for a ledger without a hook (four points a signal and its fill). */
int tc__ledger_fault_hook(struct tc_ledger *l, const char *point, struct tc_error *err);
static inline int tc__ledger_fault(struct tc_ledger *l, const char *point, struct tc_error *err)
{
    return l->opt.fault ? tc__ledger_fault_hook(l, point, err) : 0;
}

/* The cache (caller holds the write lock, or is alone: open). */
void tc__ledger_cache_clear(struct tc_ledger *l);
int tc__ledger_cache_put_pos(struct tc_ledger *l, const struct tc_position *p);
int tc__ledger_cache_put_state(struct tc_ledger *l, const struct tc_portfolio_state *s);

/* Column lists and readers of the SQL backend (repo_sql.c; query.c). */
#define TC__POS_COLS                                                                          \
    "position_id, portfolio_id, strategy_id, instrument_id, side, quantity, lots, multiplier, " \
    "lot_size, entry_price, entry_time, initial_stop, current_stop, is_base_position, layer, "  \
    "status, closed_quantity, exit_price, exit_time, exit_reason, realized_pnl, commission, "   \
    "version, updated_at"
#define TC__POS_NCOLS 24
int tc__ledger_row_position(const struct tc_row *row, int first, struct tc_position *p);

#define TC__PS_COLS                                                                           \
    "portfolio_id, initial_capital, cash, closed_equity, realized_pnl, commission_paid, "       \
    "version, updated_at"
int tc__ledger_row_state(const struct tc_row *row, struct tc_portfolio_state *s);

/* Reads the portfolio state inside TX of the runtime store (SQL). */
int tc__ledger_load_state(struct tc_txn *tx, const char *portfolio_id,
                          struct tc_portfolio_state *s, int *found, struct tc_error *err);

/* Through the ledger's backend, inside TX: the position / portfolio state;
 * *FOUND 0 when none. */
/* POS: the position row's handle (ledger_repo.h), 0 for none */
int tc__ledger_get_position(struct tc_ledger *l, struct tc_txn *tx, const char *position_id,
                            size_t pos, struct tc_position *p, int *found, struct tc_error *err);
/* PF: the portfolio row's handle (ledger_repo.h), 0 for none */
int tc__ledger_get_state(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                         size_t pf, struct tc_portfolio_state *s, int *found,
                         struct tc_error *err);

/* Creates the portfolio's state from its definition if missing, then loads
 * it into *S. TC_ENOTFOUND (message naming it) for an unknown portfolio. */
int tc__ledger_ensure_state(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                            size_t pf, struct tc_portfolio_state *s, struct tc_error *err);

/* Inserts P (status open, version 1, updated now); *SLOT and *POS as
 * pos_insert's (ledger_repo.h). */
int tc__ledger_insert_position(struct tc_ledger *l, struct tc_txn *tx, struct tc_position *p,
                               size_t *slot, size_t *pos, struct tc_error *err);
/* Saves P under its version (TC_ECONFLICT when another writer moved it);
 * on success P's version is the new one and its image goes to CH. */
int tc__ledger_save_position(struct tc_ledger *l, struct tc_txn *tx, struct tc_position *p,
                             size_t pos, struct tc__ledger_changes *ch, struct tc_error *err);
int tc__ledger_save_state(struct tc_ledger *l, struct tc_txn *tx, struct tc_portfolio_state *s,
                          size_t pf, struct tc__ledger_changes *ch, struct tc_error *err);

/* Submits INTENT to the broker (outside any transaction) and records the
 * acknowledgement with the fills reported from inside submit in one
 * transaction. */
int tc__ledger_submit_intent(struct tc_ledger *l, const struct tc_order_intent *intent,
                             struct tc_error *err);
/* The same inside TX (the signal transaction; the broker has in_txn for
 * INTENT): the position and state images go to CH. A failure of the broker
 * itself writes nothing and sets *DEFERRED (the caller submits the intent
 * after the commit, as for any broker); a failure recording the answer
 * fails the transaction. REF: the order's handle from order_insert in TX
 * (ledger_repo.h), 0 none. */
int tc__ledger_submit_in_txn(struct tc_ledger *l, struct tc_txn *tx,
                             const struct tc_order_intent *intent, size_t ref,
                             struct tc__ledger_changes *ch, int *deferred, struct tc_error *err);

/* Cancels the working entry order COID for an EXIT inside TX (the signal
 * transaction; the broker has in_txn for it): the CANCELED update (and any
 * fill) the broker reports from inside its cancel is applied in TX, its
 * images to CH; a failure applying one fails the transaction. When the
 * broker does not cancel it there (an error, or no update reported),
 * nothing is written and *DEFERRED is set: the caller marks the layer and
 * sends the cancel after the commit. */
int tc__ledger_cancel_in_txn(struct tc_ledger *l, struct tc_txn *tx, const char *coid,
                             struct tc__ledger_changes *ch, int *deferred, struct tc_error *err);
/* Sends the cancel of entry order COID to the broker outside any
 * transaction (its update is applied by the update handler); 0 without a
 * broker. */
int tc__ledger_cancel_entry(struct tc_ledger *l, const char *coid, struct tc_error *err);

/* A new id of KIND ("ord", "pos", "fill") into BUF (TC_ID_BUFSZ): the
 * options' id_fn, else "ord-<uuid>", "pos-<uuid>", "<uuid>". */
int tc__ledger_new_id(struct tc_ledger *l, const char *kind, char *buf, size_t cap,
                      struct tc_error *err);

/* The same, but on an in-memory ledger whose ids come from
 * tc_ledger_seq_id with the prefix it last found valid (L->seq_prefix) the
 * id is only counted, its text not made: BUF "" (for an id nobody reads,
 * as a fill's in memory). Otherwise BUF the id. The same numbers and
 * refusals as tc__ledger_new_id. */
int tc__ledger_new_seq(struct tc_ledger *l, const char *kind, char *buf, size_t cap,
                       struct tc_error *err);

/* Frees L->scratch (ledger_signal.c). */
void tc__ledger_scratch_free(struct tc_ledger *l);

/* The broker's order-update handler. */
int tc__ledger_on_update(const struct tc_order_update *u, void *ud);

/* The broker's fill handler. */
int tc__ledger_on_fill(const struct tc_fill *fill, void *ud);

/* A char array A holds a NUL (memchr, string.h): its last byte first (a
 * buffer zeroed past its text, as a rule), else any. */
#define TC__TERMINATED(a) ((a)[sizeof(a) - 1] == '\0' || memchr((a), 0, sizeof(a)) != NULL)

/* tc_error_clear of E (not NULL) inline: the per-signal and per-fill paths
 * clear several errors each, a call apiece. */
static inline void tc__ledger_err_clear(struct tc_error *e)
{
    e->code = 0;
    e->msg[0] = '\0';
}

/* The N bytes at A and B (both readable for N bytes) the same: eight at a
 * time, the last eight overlapping, no call (a text and its NUL against one
 * kept: an id prefix, a signal's ids). */
static inline int tc__ledger_bytes_same(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    size_t i = 0;

    if (n < 8) {
        for (; i < n; i++)
            if (a[i] != b[i])
                return 0;
        return 1;
    }
    for (; i + 8 < n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return 0;
    }
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return x == y;
}

/* Copies S into BUF of CAP bytes (truncated to fit): snprintf "%s" without
 * its cost on the per-signal paths. */
void tc__ledger_copy(char *buf, size_t cap, const char *s);

/* The order of tc_ledger_positions_open: instrument, then layer, then id. */
int tc__ledger_pos_order(const struct tc_position *a, const struct tc_position *b);
/* Keeps the CAP smallest positions seen so far in OUT[0..*KEPT), sorted by
 * tc__ledger_pos_order: P goes into its place or is dropped. */
void tc__ledger_pos_keep(const struct tc_position *p, struct tc_position *out, size_t cap,
                         size_t *kept);

const char *tc__ledger_side_text(enum tc_side s);
int tc__ledger_side_parse(const char *s, enum tc_side *out);

#endif
