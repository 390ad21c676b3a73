/* Read-side queries of the ledger straight from the runtime store (positions,
 * exposure and P&L by instrument, trades, orders, the signal log) and the
 * batched pruning of old signal log rows (see ledger_query.h). Filters are
 * bound as values ('' and 0 mean "any") so each query is one cached
 * statement on both backends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_internal.h"
#include "ledger/repo_util.h"
#include "tradecore/ledger_query.h"
#include "internal/banned.h"

/* 9999-12-31T23:59:59.999999Z: "no upper bound" for time ranges */
#define FAR_FUTURE_US INT64_C(253402300799999999)

void tc_position_list_release(struct tc_position_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void tc_exposure_list_release(struct tc_exposure_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void tc_pnl_list_release(struct tc_pnl_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void tc_trade_list_release(struct tc_trade_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void tc_order_list_release(struct tc_order_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void tc_signal_entry_list_release(struct tc_signal_entry_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static void no_release(void *item) { (void)item; }

static int check_filter(const char *what, const char *id, struct tc_error *err)
{
    return id ? tc_id_validate(what, id, err) : 0;
}

static int check_range(int64_t from_us, int64_t *to_us, struct tc_error *err)
{
    if (from_us < 0)
        return tc_error_set(err, TC_EINVAL, "time range: start %lld is negative",
                            (long long)from_us);
    if (*to_us == 0)
        *to_us = FAR_FUTURE_US;
    if (*to_us < 0 || from_us > *to_us)
        return tc_error_set(err, TC_EINVAL, "time range: start %lld is after end %lld",
                            (long long)from_us, (long long)*to_us);
    return 0;
}

/* Runs a read of many rows into VEC (elements of SIZE bytes); on success the
 * caller owns VEC's items. */
static int read_rows(struct tc_store *rt, const char *what, const char *sql,
                     const struct tc_val *params, size_t n, size_t size,
                     int (*fill)(const struct tc_row *row, void *item), void **items,
                     size_t *count, struct tc_error *err)
{
    struct tc__repo_read r;
    int rc;

    memset(&r, 0, sizeof(r));
    r.sql = sql;
    r.params = params;
    r.n = n;
    r.vec.size = size;
    r.fill = fill;
    r.release = no_release;
    if ((rc = tc__repo_read_run(rt, &r, err)) != 0)
        return tc_error_prefix(err, "ledger query (%s)", what);
    *items = r.vec.items;
    *count = r.vec.n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Positions, exposure, P&L                                                   */

static int pos_fill(const struct tc_row *row, void *item)
{
    return tc__ledger_row_position(row, 0, item);
}

int tc_ledger_query_positions(struct tc_store *rt, const char *portfolio_id,
                              const char *instrument_id, int open_only,
                              struct tc_position_list *out, struct tc_error *err)
{
    void *items = NULL;
    size_t n = 0;
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    if (!rt || !out)
        return tc_error_set(err, TC_EINVAL, "ledger query: positions needs a store and a list");
    if ((rc = check_filter("portfolio", portfolio_id, err)) != 0 ||
        (rc = check_filter("instrument", instrument_id, err)) != 0)
        return rc;
    struct tc_val v[] = {TC_V_TEXT(portfolio_id ? portfolio_id : ""),
                         TC_V_TEXT(instrument_id ? instrument_id : ""), TC_V_INT(open_only ? 1 : 0)};
    rc = read_rows(rt, "positions",
                   "SELECT " TC__POS_COLS " FROM positions WHERE ($1 = '' OR portfolio_id = $1) "
                   "AND ($2 = '' OR instrument_id = $2) AND ($3 = 0 OR status <> 'closed') "
                   "ORDER BY portfolio_id, instrument_id, layer, position_id",
                   v, 3, sizeof(struct tc_position), pos_fill, &items, &n, err);
    if (rc != 0)
        return rc;
    out->items = items;
    out->n = n;
    return 0;
}

struct state_q {
    const char *id;
    struct tc_portfolio_state *out;
    int found;
};

static int state_q_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct state_q *q = ud;
    return tc__ledger_load_state(tx, q->id, q->out, &q->found, err);
}

int tc_ledger_query_state(struct tc_store *rt, const char *portfolio_id,
                          struct tc_portfolio_state *out, int *found, struct tc_error *err)
{
    struct state_q q = {portfolio_id, out, 0};
    int rc;

    if (found)
        *found = 0;
    if (!rt || !out || !found)
        return tc_error_set(err, TC_EINVAL, "ledger query: state needs a store, an output and a flag");
    memset(out, 0, sizeof(*out));
    if ((rc = tc_id_validate("portfolio", portfolio_id, err)) != 0)
        return rc;
    if ((rc = tc_store_txn(rt, TC_TXN_READ, state_q_fn, &q, err)) != 0) {
        memset(out, 0, sizeof(*out));
        return tc_error_prefix(err, "ledger query (state)");
    }
    if (!q.found)
        memset(out, 0, sizeof(*out));
    *found = q.found;
    return 0;
}

static int dec_overflow(struct tc_error *err, const char *what, const char *instrument)
{
    return tc_error_set(err, TC_ERANGE, "ledger query: %s of instrument \"%s\" overflows", what,
                        instrument);
}

int tc_ledger_query_exposure(struct tc_store *rt, const char *portfolio_id,
                             struct tc_exposure_list *out, struct tc_error *err)
{
    struct tc_position_list pl = {0};
    struct tc_exposure *e = NULL;
    size_t n = 0;
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    if (!out)
        return tc_error_set(err, TC_EINVAL, "ledger query: exposure needs a list");
    if ((rc = tc_ledger_query_positions(rt, portfolio_id, NULL, 1, &pl, err)) != 0)
        return rc;
    /* sort by instrument: the query orders by portfolio first */
    if (pl.n && !(e = calloc(pl.n, sizeof(*e)))) {
        rc = tc_error_set(err, TC_ENOMEM, "ledger query: out of memory");
        goto out;
    }
    for (size_t k = 0; k < pl.n; k++) {
        const struct tc_position *p = &pl.items[k];
        struct tc_exposure *x = NULL;
        struct tc_dec v;
        size_t j;

        for (j = 0; j < n; j++) {
            int c = strcmp(e[j].instrument_id, p->instrument_id);
            if (c == 0) {
                x = &e[j];
                break;
            }
            if (c > 0)
                break;
        }
        if (!x) {
            memmove(&e[j + 1], &e[j], (n - j) * sizeof(*e));
            n++;
            x = &e[j];
            memset(x, 0, sizeof(*x));
            snprintf(x->instrument_id, sizeof(x->instrument_id), "%s", p->instrument_id);
        }
        x->positions++;
        if (tc_dec_mul(p->quantity, p->entry_price, TC_ROUND_HALF_EVEN, &v) != 0 ||
            tc_dec_mul(v, p->multiplier, TC_ROUND_HALF_EVEN, &v) != 0 ||
            tc_dec_add(x->gross, v, &x->gross) != 0) {
            rc = dec_overflow(err, "gross exposure", p->instrument_id);
            goto out;
        }
        if ((p->side == TC_SIDE_SHORT ? tc_dec_sub(x->net, v, &x->net)
                                      : tc_dec_add(x->net, v, &x->net)) != 0) {
            rc = dec_overflow(err, "net exposure", p->instrument_id);
            goto out;
        }
        if ((p->side == TC_SIDE_SHORT ? tc_dec_sub(x->net_quantity, p->quantity, &x->net_quantity)
                                      : tc_dec_add(x->net_quantity, p->quantity, &x->net_quantity)) != 0) {
            rc = dec_overflow(err, "net quantity", p->instrument_id);
            goto out;
        }
    }
    out->items = n ? e : NULL;
    out->n = n;
    if (!n)
        free(e);
    e = NULL;
out:
    free(e);
    tc_position_list_release(&pl);
    return rc;
}

int tc_ledger_query_pnl(struct tc_store *rt, const char *portfolio_id, struct tc_pnl_list *out,
                        struct tc_error *err)
{
    struct tc_position_list pl = {0};
    struct tc_pnl *e = NULL;
    size_t n = 0;
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    if (!out)
        return tc_error_set(err, TC_EINVAL, "ledger query: pnl needs a list");
    if ((rc = tc_ledger_query_positions(rt, portfolio_id, NULL, 0, &pl, err)) != 0)
        return rc;
    if (pl.n && !(e = calloc(pl.n, sizeof(*e)))) {
        rc = tc_error_set(err, TC_ENOMEM, "ledger query: out of memory");
        goto out;
    }
    for (size_t k = 0; k < pl.n; k++) {
        const struct tc_position *p = &pl.items[k];
        struct tc_pnl *x = NULL;
        size_t j;

        for (j = 0; j < n; j++) {
            int c = strcmp(e[j].instrument_id, p->instrument_id);
            if (c == 0) {
                x = &e[j];
                break;
            }
            if (c > 0)
                break;
        }
        if (!x) {
            memmove(&e[j + 1], &e[j], (n - j) * sizeof(*e));
            n++;
            x = &e[j];
            memset(x, 0, sizeof(*x));
            snprintf(x->instrument_id, sizeof(x->instrument_id), "%s", p->instrument_id);
        }
        x->positions++;
        if (p->status == TC_POSITION_CLOSED)
            x->trades++;
        if (tc_dec_add(x->realized, p->realized_pnl, &x->realized) != 0 ||
            tc_dec_add(x->commission, p->commission, &x->commission) != 0 ||
            tc_dec_sub(x->realized, x->commission, &x->net) != 0) {
            rc = dec_overflow(err, "p&l", p->instrument_id);
            goto out;
        }
    }
    out->items = n ? e : NULL;
    out->n = n;
    if (!n)
        free(e);
    e = NULL;
out:
    free(e);
    tc_position_list_release(&pl);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Trades                                                                     */

static int trade_fill(const struct tc_row *row, void *item)
{
    struct tc_trade *t = item;
    char side[8];
    int64_t layer = 0;
    int rc;

    if ((rc = tc__repo_col_str(row, 0, t->trade_id, sizeof(t->trade_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, t->position_id, sizeof(t->position_id))) != 0 ||
        (rc = tc__repo_col_str(row, 2, t->portfolio_id, sizeof(t->portfolio_id))) != 0 ||
        (rc = tc__repo_col_str(row, 3, t->strategy_id, sizeof(t->strategy_id))) != 0 ||
        (rc = tc__repo_col_str(row, 4, t->instrument_id, sizeof(t->instrument_id))) != 0 ||
        (rc = tc__repo_col_str(row, 5, side, sizeof(side))) != 0 ||
        (rc = tc_row_int(row, 6, &layer)) != 0 ||
        (rc = tc__repo_col_dec(row, 7, &t->quantity)) != 0 ||
        (rc = tc__repo_col_dec(row, 8, &t->entry_price)) != 0 ||
        (rc = tc__repo_col_time(row, 9, &t->entry_time_us)) != 0 ||
        (rc = tc__repo_col_dec(row, 10, &t->exit_price)) != 0 ||
        (rc = tc__repo_col_time(row, 11, &t->exit_time_us)) != 0 ||
        (rc = tc__repo_col_dec(row, 12, &t->gross_pnl)) != 0 ||
        (rc = tc__repo_col_dec(row, 13, &t->commission)) != 0 ||
        (rc = tc__repo_col_dec(row, 14, &t->net_pnl)) != 0 ||
        (rc = tc__repo_col_str(row, 15, t->exit_reason, sizeof(t->exit_reason))) != 0)
        return rc;
    t->layer = (int)layer;
    return tc__ledger_side_parse(side, &t->side);
}

int tc_ledger_query_trades(struct tc_store *rt, const char *portfolio_id, int64_t from_us,
                           int64_t to_us, struct tc_trade_list *out, struct tc_error *err)
{
    void *items = NULL;
    size_t n = 0;
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    if (!rt || !out)
        return tc_error_set(err, TC_EINVAL, "ledger query: trades needs a store and a list");
    if ((rc = check_filter("portfolio", portfolio_id, err)) != 0 ||
        (rc = check_range(from_us, &to_us, err)) != 0)
        return rc;
    struct tc_val v[] = {TC_V_TEXT(portfolio_id ? portfolio_id : ""), TC_V_TIME(from_us),
                         TC_V_TIME(to_us)};
    rc = read_rows(rt, "trades",
                   "SELECT trade_id, position_id, portfolio_id, strategy_id, instrument_id, side, "
                   "layer, quantity, entry_price, entry_time, exit_price, exit_time, gross_pnl, "
                   "commission, net_pnl, exit_reason FROM trades WHERE ($1 = '' OR "
                   "portfolio_id = $1) AND exit_time >= $2 AND exit_time < $3 "
                   "ORDER BY exit_time, trade_id",
                   v, 3, sizeof(struct tc_trade), trade_fill, &items, &n, err);
    if (rc != 0)
        return rc;
    out->items = items;
    out->n = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Orders                                                                     */

static int order_fill(const struct tc_row *row, void *item)
{
    struct tc_order *o = item;
    char mode[16], side[8], intent[8], type[16], status[24];
    int rc;

    o->has_ref_price = !tc_row_is_null(row, 15);
    if ((rc = tc__repo_col_str(row, 0, o->order_id, sizeof(o->order_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, o->client_order_id, sizeof(o->client_order_id))) != 0 ||
        (rc = tc__repo_col_str(row, 2, o->broker_order_id, sizeof(o->broker_order_id))) != 0 ||
        (rc = tc__repo_col_str(row, 3, o->portfolio_id, sizeof(o->portfolio_id))) != 0 ||
        (rc = tc__repo_col_str(row, 4, o->strategy_id, sizeof(o->strategy_id))) != 0 ||
        (rc = tc__repo_col_str(row, 5, o->instrument_id, sizeof(o->instrument_id))) != 0 ||
        (rc = tc__repo_col_str(row, 6, o->position_id, sizeof(o->position_id))) != 0 ||
        (rc = tc__repo_col_str(row, 7, o->signal_fingerprint, sizeof(o->signal_fingerprint))) != 0 ||
        (rc = tc__repo_col_str(row, 8, mode, sizeof(mode))) != 0 ||
        (rc = tc__repo_col_str(row, 9, side, sizeof(side))) != 0 ||
        (rc = tc__repo_col_str(row, 10, intent, sizeof(intent))) != 0 ||
        (rc = tc__repo_col_str(row, 11, type, sizeof(type))) != 0 ||
        (rc = tc__repo_col_str(row, 12, status, sizeof(status))) != 0 ||
        (rc = tc__repo_col_dec(row, 13, &o->quantity)) != 0 ||
        (rc = tc__repo_col_dec(row, 14, &o->filled_quantity)) != 0 ||
        (rc = tc__repo_col_dec(row, 15, &o->ref_price)) != 0 ||
        (rc = tc__repo_col_dec(row, 16, &o->multiplier)) != 0 ||
        (rc = tc__repo_col_str(row, 17, o->reject_reason, sizeof(o->reject_reason))) != 0 ||
        (rc = tc_row_int(row, 18, &o->version)) != 0 ||
        (rc = tc__repo_col_time(row, 19, &o->created_at_us)) != 0 ||
        (rc = tc__repo_col_time(row, 20, &o->updated_at_us)) != 0)
        return rc;
    if (tc_mode_parse(mode, &o->mode, NULL) != 0 ||
        tc_order_status_parse(status, &o->status, NULL) != 0)
        return TC_EPARSE;
    o->side = strcmp(side, "SELL") == 0 ? TC_ORDER_SELL : TC_ORDER_BUY;
    o->closing = strcmp(intent, "CLOSE") == 0;
    o->type = TC_ORDER_MARKET;
    for (int k = TC_ORDER_MARKET; k <= TC_ORDER_STOP_LIMIT; k++)
        if (strcmp(type, tc_order_type_name((enum tc_order_type)k)) == 0)
            o->type = (enum tc_order_type)k;
    return 0;
}

int tc_ledger_query_orders(struct tc_store *rt, const char *portfolio_id,
                           enum tc_order_status status, struct tc_order_list *out,
                           struct tc_error *err)
{
    void *items = NULL;
    size_t n = 0;
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    if (!rt || !out)
        return tc_error_set(err, TC_EINVAL, "ledger query: orders needs a store and a list");
    if ((rc = check_filter("portfolio", portfolio_id, err)) != 0)
        return rc;
    if ((int)status != 0 && (status < TC_ORDER_NEW || status > TC_ORDER_EXPIRED))
        return tc_error_set(err, TC_EINVAL, "ledger query: order status %d is unknown",
                            (int)status);
    struct tc_val v[] = {TC_V_TEXT(portfolio_id ? portfolio_id : ""),
                         TC_V_TEXT((int)status ? tc_order_status_name(status) : "")};
    rc = read_rows(rt, "orders",
                   "SELECT order_id, client_order_id, broker_order_id, portfolio_id, strategy_id, "
                   "instrument_id, position_id, signal_fingerprint, mode, side, intent, type, "
                   "status, quantity, filled_quantity, ref_price, multiplier, reject_reason, "
                   "version, created_at, updated_at FROM orders WHERE ($1 = '' OR portfolio_id = "
                   "$1) AND ($2 = '' OR status = $2) ORDER BY created_at, order_id",
                   v, 2, sizeof(struct tc_order), order_fill, &items, &n, err);
    if (rc != 0)
        return rc;
    out->items = items;
    out->n = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The signal log                                                             */

static int signal_fill(const struct tc_row *row, void *item)
{
    struct tc_signal_entry *s = item;
    char status[16];
    int rc;

    if ((rc = tc__repo_col_str(row, 0, s->fingerprint, sizeof(s->fingerprint))) != 0 ||
        (rc = tc__repo_col_str(row, 1, s->portfolio_id, sizeof(s->portfolio_id))) != 0 ||
        (rc = tc__repo_col_str(row, 2, s->strategy_id, sizeof(s->strategy_id))) != 0 ||
        (rc = tc__repo_col_str(row, 3, s->instrument_id, sizeof(s->instrument_id))) != 0 ||
        (rc = tc__repo_col_str(row, 4, s->signal_type, sizeof(s->signal_type))) != 0 ||
        (rc = tc__repo_col_str(row, 5, s->side, sizeof(s->side))) != 0 ||
        (rc = tc__repo_col_time(row, 6, &s->signal_time_us)) != 0 ||
        (rc = tc__repo_col_time(row, 7, &s->received_at_us)) != 0 ||
        (rc = tc__repo_col_str(row, 8, status, sizeof(status))) != 0 ||
        (rc = tc__repo_col_str(row, 9, s->reason, sizeof(s->reason))) != 0 ||
        (rc = tc_row_int(row, 10, &s->duplicate_count)) != 0 ||
        (rc = tc__repo_col_str(row, 11, s->position_id, sizeof(s->position_id))) != 0 ||
        (rc = tc__repo_col_str(row, 12, s->order_id, sizeof(s->order_id))) != 0 ||
        (rc = tc__repo_col_str(row, 13, s->mode, sizeof(s->mode))) != 0)
        return rc;
    if (strcmp(status, "accepted") == 0)
        s->status = TC_SIGNAL_ACCEPTED;
    else if (strcmp(status, "rejected") == 0)
        s->status = TC_SIGNAL_REJECTED;
    else
        return TC_EPARSE;
    return 0;
}

int tc_ledger_query_signals(struct tc_store *rt, const char *portfolio_id, int64_t from_us,
                            int64_t to_us, struct tc_signal_entry_list *out,
                            struct tc_error *err)
{
    void *items = NULL;
    size_t n = 0;
    int rc;

    if (out)
        memset(out, 0, sizeof(*out));
    if (!rt || !out)
        return tc_error_set(err, TC_EINVAL, "ledger query: signals needs a store and a list");
    if ((rc = check_filter("portfolio", portfolio_id, err)) != 0 ||
        (rc = check_range(from_us, &to_us, err)) != 0)
        return rc;
    struct tc_val v[] = {TC_V_TEXT(portfolio_id ? portfolio_id : ""), TC_V_TIME(from_us),
                         TC_V_TIME(to_us)};
    rc = read_rows(rt, "signals",
                   "SELECT fingerprint, portfolio_id, strategy_id, instrument_id, signal_type, "
                   "side, signal_time, received_at, status, reason, duplicate_count, position_id, "
                   "order_id, mode FROM signal_log WHERE ($1 = '' OR portfolio_id = $1) AND "
                   "received_at >= $2 AND received_at < $3 ORDER BY received_at, fingerprint",
                   v, 3, sizeof(struct tc_signal_entry), signal_fill, &items, &n, err);
    if (rc != 0)
        return rc;
    out->items = items;
    out->n = n;
    return 0;
}

struct prune_ctx {
    int64_t older_than_us;
    int batch;
    int64_t changes;
};

static int prune_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct prune_ctx *c = ud;
    struct tc_val v[] = {TC_V_TIME(c->older_than_us), TC_V_INT(c->batch)};

    c->changes = 0;
    /* working orders are few (orders_status_idx): the NOT IN list is built once */
    return tc_txn_exec(tx,
                       "DELETE FROM signal_log WHERE fingerprint IN (SELECT s.fingerprint FROM "
                       "signal_log s WHERE s.received_at < $1 AND s.fingerprint NOT IN (SELECT "
                       "o.signal_fingerprint FROM orders o WHERE o.status IN ('NEW', "
                       "'SUBMITTED', 'PARTIALLY_FILLED') AND o.signal_fingerprint IS NOT NULL) "
                       "ORDER BY s.received_at, s.fingerprint LIMIT $2)",
                       v, 2, NULL, NULL, &c->changes, err);
}

int tc_ledger_prune_signals(struct tc_store *rt, int64_t older_than_us, int batch_size,
                            int64_t *deleted_out, struct tc_error *err)
{
    struct prune_ctx c = {older_than_us, batch_size, 0};
    int64_t total = 0;
    int rc = 0;

    if (deleted_out)
        *deleted_out = 0;
    if (!rt)
        return tc_error_set(err, TC_EINVAL, "prune signals: no store given");
    if (batch_size < 1 || batch_size > 100000)
        return tc_error_set(err, TC_EINVAL, "prune signals: batch size %d is not in 1..100000",
                            batch_size);
    if (older_than_us <= 0)
        return tc_error_set(err, TC_EINVAL, "prune signals: cut-off time %lld is not positive",
                            (long long)older_than_us);
    for (;;) {
        if ((rc = tc_store_txn(rt, TC_TXN_WRITE, prune_fn, &c, err)) != 0) {
            tc_error_prefix(err, "prune signals (after %lld deleted)", (long long)total);
            break;
        }
        total += c.changes;
        if (c.changes < batch_size)
            break;
    }
    if (deleted_out)
        *deleted_out = total;
    return rc;
}
