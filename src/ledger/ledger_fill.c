/* The ledger's order path: submitting intents to the broker (inside the
 * signal transaction for brokers with the in_txn capability, else after its
 * commit) and recording each acknowledgement together with the fills the
 * broker reported from inside submit; resubmitting unacknowledged intents on
 * recovery; applying fills (unique by execution id) to orders, positions,
 * trades and portfolio state; recording orders that ended unfilled
 * (EXPIRED, CANCELED). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_internal.h"
#include "ledger/repo_util.h"
#include "tradecore/log.h"
#include "internal/banned.h"

/* ------------------------------------------------------------------------ */
/* Orders read back                                                           */

struct order_row {
    char order_id[TC_ID_BUFSZ];
    char position_id[TC_ID_BUFSZ];
    char portfolio_id[TC_ID_BUFSZ];
    char intent[8];
    char status[24];
    char reason[TC_LEDGER_TEXT_MAX];
    struct tc_dec quantity, filled;
    int64_t version;
    int found;
};

static int order_cb(const struct tc_row *row, void *ud)
{
    struct order_row *o = ud;
    int rc;
    if ((rc = tc__repo_col_str(row, 0, o->order_id, sizeof(o->order_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, o->position_id, sizeof(o->position_id))) != 0 ||
        (rc = tc__repo_col_str(row, 2, o->portfolio_id, sizeof(o->portfolio_id))) != 0 ||
        (rc = tc__repo_col_str(row, 3, o->intent, sizeof(o->intent))) != 0 ||
        (rc = tc__repo_col_str(row, 4, o->status, sizeof(o->status))) != 0 ||
        (rc = tc__repo_col_str(row, 5, o->reason, sizeof(o->reason))) != 0 ||
        (rc = tc__repo_col_dec(row, 6, &o->quantity)) != 0 ||
        (rc = tc__repo_col_dec(row, 7, &o->filled)) != 0 ||
        (rc = tc_row_int(row, 8, &o->version)) != 0)
        return rc;
    o->found = 1;
    return 1;
}

static int load_order(struct tc_txn *tx, const char *client_order_id, struct order_row *o,
                      struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(client_order_id)};
    memset(o, 0, sizeof(*o));
    return tc_txn_exec(tx,
                       "SELECT order_id, position_id, portfolio_id, intent, status, reason, "
                       "quantity, filled_quantity, version FROM orders WHERE client_order_id = $1",
                       v, 1, order_cb, o, NULL, err);
}

/* ------------------------------------------------------------------------ */
/* Acknowledgements                                                           */

struct ack_ctx {
    struct tc_ledger *l;
    const struct tc_order_intent *intent;
    const struct tc_broker_ack *ack;
};

static int ack_body(struct tc_txn *tx, struct ack_ctx *c, struct tc_error *err)
{
    struct order_row o;
    int64_t now = tc_clock_now(c->l->opt.clock), changes = 0;
    const char *status;
    int rc;

    if ((rc = load_order(tx, c->intent->client_order_id, &o, err)) != 0)
        return rc;
    if (!o.found)
        return tc_error_set(err, TC_ENOTFOUND, "order \"%s\" not found",
                            c->intent->client_order_id);
    status = o.status;
    if (c->ack->status == TC_ORDER_REJECTED &&
        (strcmp(o.status, "NEW") == 0 || strcmp(o.status, "SUBMITTED") == 0))
        status = "REJECTED";
    else if (strcmp(o.status, "NEW") == 0)
        status = "SUBMITTED";
    {
        struct tc_val v[] = {TC_V_TEXT(o.order_id), TC_V_INT(o.version),
                             c->ack->broker_order_id[0] ? TC_V_TEXT(c->ack->broker_order_id)
                                                        : TC_V_NULL,
                             TC_V_TEXT(status), TC_V_TIME(now),
                             c->ack->status == TC_ORDER_REJECTED ? TC_V_TEXT(c->ack->reason)
                                                                 : TC_V_NULL};
        rc = tc_txn_exec(tx,
                         "UPDATE orders SET broker_order_id = COALESCE(broker_order_id, $3), "
                         "status = $4, submitted_at = COALESCE(submitted_at, $5), "
                         "reject_reason = COALESCE($6, reject_reason), updated_at = $5, "
                         "version = version + 1 WHERE order_id = $1 AND version = $2",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, &changes, err);
    }
    if (rc != 0)
        return tc_error_set(err, rc, "order \"%s\": %s", o.order_id, tc_error_msg(err));
    if (changes != 1)
        return tc_error_set(err, TC_ECONFLICT, "order \"%s\": version %lld was changed by another writer",
                            o.order_id, (long long)o.version);
    return 0;
}

/*
 * Fills reported by the broker from inside a submit of this thread: those of
 * the intent being submitted are kept and recorded with its acknowledgement
 * (in the same transaction); others are applied in TX when there is one (a
 * submit inside the signal transaction), else in their own transaction.
 */
struct submit_ctx {
    struct tc_ledger *l;
    const char *coid;
    struct tc_txn *tx;              /* the signal transaction, or NULL */
    struct tc__ledger_changes *ch;  /* its changes (with TX) */
    struct tc_fill *fills;
    size_t n, cap;
    int rc;                         /* out of memory keeping a fill */
};

static _Thread_local struct submit_ctx *tl_submit;

static int fill_body(struct tc_ledger *l, struct tc_txn *tx, const struct tc_fill *f,
                     struct tc__ledger_changes *ch, int *applied, struct tc_error *err);

static int keep_fill(struct submit_ctx *sc, const struct tc_fill *f)
{
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 4;
        struct tc_fill *t = realloc(sc->fills, cap * sizeof(*t));
        if (!t)
            return sc->rc = TC_ENOMEM;
        sc->fills = t;
        sc->cap = cap;
    }
    sc->fills[sc->n++] = *f;
    return 0;
}

/* The acknowledgement, then the fills kept during submit, in TX. */
static int record_submit(struct tc_ledger *l, struct tc_txn *tx, struct submit_ctx *sc,
                         const struct tc_order_intent *intent, const struct tc_broker_ack *ack,
                         struct tc__ledger_changes *ch, struct tc_error *err)
{
    struct ack_ctx c = {l, intent, ack};
    int rc, applied;

    if ((rc = ack_body(tx, &c, err)) != 0)
        return rc;
    for (size_t k = 0; k < sc->n; k++)
        if ((rc = fill_body(l, tx, &sc->fills[k], ch, &applied, err)) != 0)
            return rc;
    return 0;
}

/* Submits INTENT with this thread's fills of it kept in SC. */
static int submit_keeping(struct tc_ledger *l, struct submit_ctx *sc,
                          const struct tc_order_intent *intent, struct tc_broker_ack *ack,
                          struct tc_error *err)
{
    struct submit_ctx *outer = tl_submit;
    int rc;

    sc->l = l;
    sc->coid = intent->client_order_id;
    tl_submit = sc;
    rc = tc_broker_submit(l->opt.broker, intent, ack, err);
    tl_submit = outer;
    if (rc == 0 && sc->rc != 0)
        rc = tc_error_set(err, sc->rc, "out of memory keeping the fills");
    if (rc != 0)
        return tc_error_prefix(err, "order \"%s\" (%s)", intent->order_id,
                               intent->client_order_id);
    return 0;
}

static void log_rejected(const struct tc_order_intent *intent, const struct tc_broker_ack *ack)
{
    if (ack->status == TC_ORDER_REJECTED)
        TC_LOG_WARN("ledger", "order rejected by the broker", TC_LF_STR("order_id", intent->order_id),
                    TC_LF_STR("reason", ack->reason));
}

int tc__ledger_submit_in_txn(struct tc_ledger *l, struct tc_txn *tx,
                             const struct tc_order_intent *intent, struct tc__ledger_changes *ch,
                             int *deferred, struct tc_error *err)
{
    struct tc_broker_ack ack;
    struct tc_error e2 = {0};
    struct submit_ctx sc;
    int rc;

    *deferred = 0;
    memset(&sc, 0, sizeof(sc));
    sc.tx = tx;
    sc.ch = ch;
    if (submit_keeping(l, &sc, intent, &ack, &e2) != 0) {
        /* the broker failed: as with a broker called after the commit, the
         * intent is committed NEW and tried again after the commit */
        TC_LOG_WARN("ledger", "order intent not taken inside the transaction; sent after the commit",
                    TC_LF_STR("order_id", intent->order_id),
                    TC_LF_STR("error", tc_error_msg(&e2)));
        free(sc.fills);
        *deferred = 1;
        return 0;
    }
    if ((rc = record_submit(l, tx, &sc, intent, &ack, ch, err)) != 0)
        tc_error_prefix(err, "recording the acknowledgement of order \"%s\"", intent->order_id);
    free(sc.fills);
    if (rc == 0)
        log_rejected(intent, &ack);
    return rc;
}

struct ack_txn {
    struct tc_ledger *l;
    struct submit_ctx *sc;
    const struct tc_order_intent *intent;
    const struct tc_broker_ack *ack;
    struct tc__ledger_changes *ch;
};

static int ack_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct ack_txn *a = ud;
    int rc = record_submit(a->l, tx, a->sc, a->intent, a->ack, a->ch, err);
    return rc ? rc : tc__ledger_fault(a->l, "ack:before_commit", err);
}

int tc__ledger_submit_intent(struct tc_ledger *l, const struct tc_order_intent *intent,
                             struct tc_error *err)
{
    struct tc__ledger_changes ch = {0};
    struct tc_broker_ack ack;
    struct submit_ctx sc;
    struct ack_txn a = {l, &sc, intent, &ack, &ch};
    int rc;

    if (!l->opt.broker)
        return 0;
    memset(&sc, 0, sizeof(sc));
    if ((rc = submit_keeping(l, &sc, intent, &ack, err)) == 0 &&
        (rc = tc__ledger_run(l, ack_fn, &a, &ch, err)) != 0)
        tc_error_prefix(err, "recording the acknowledgement of order \"%s\"", intent->order_id);
    free(sc.fills);
    tc__ledger_changes_release(&ch);
    if (rc == 0)
        log_rejected(intent, &ack);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Recovery                                                                   */

struct pending {
    struct tc__repo_vec vec;   /* struct tc_order_intent */
    int rc;
};

static int parse_side(const char *s, enum tc_order_side *out)
{
    if (strcmp(s, "BUY") == 0)
        *out = TC_ORDER_BUY;
    else if (strcmp(s, "SELL") == 0)
        *out = TC_ORDER_SELL;
    else
        return TC_EPARSE;
    return 0;
}

static int parse_type(const char *s, enum tc_order_type *out)
{
    for (int k = TC_ORDER_MARKET; k <= TC_ORDER_STOP_LIMIT; k++) {
        if (strcmp(s, tc_order_type_name((enum tc_order_type)k)) == 0) {
            *out = (enum tc_order_type)k;
            return 0;
        }
    }
    return TC_EPARSE;
}

static int pending_cb(const struct tc_row *row, void *ud)
{
    struct pending *p = ud;
    struct tc_order_intent *o = tc__repo_vec_push(&p->vec);
    char mode[16], side[8], type[16], tif[8];
    int rc;

    if (!o)
        return TC_ENOMEM;
    o->has_ref_price = !tc_row_is_null(row, 11);
    o->has_limit_price = !tc_row_is_null(row, 12);
    o->has_stop_price = !tc_row_is_null(row, 13);
    if ((rc = tc__repo_col_str(row, 0, o->order_id, sizeof(o->order_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, o->client_order_id, sizeof(o->client_order_id))) != 0 ||
        (rc = tc__repo_col_str(row, 2, o->portfolio_id, sizeof(o->portfolio_id))) != 0 ||
        (rc = tc__repo_col_str(row, 3, o->strategy_id, sizeof(o->strategy_id))) != 0 ||
        (rc = tc__repo_col_str(row, 4, o->instrument_id, sizeof(o->instrument_id))) != 0 ||
        (rc = tc__repo_col_str(row, 5, mode, sizeof(mode))) != 0 ||
        (rc = tc__repo_col_str(row, 6, side, sizeof(side))) != 0 ||
        (rc = tc__repo_col_str(row, 7, type, sizeof(type))) != 0 ||
        (rc = tc__repo_col_str(row, 8, tif, sizeof(tif))) != 0 ||
        (rc = tc__repo_col_dec(row, 9, &o->quantity)) != 0 ||
        (rc = tc__repo_col_dec(row, 10, &o->multiplier)) != 0 ||
        (rc = tc__repo_col_dec(row, 11, &o->ref_price)) != 0 ||
        (rc = tc__repo_col_dec(row, 12, &o->limit_price)) != 0 ||
        (rc = tc__repo_col_dec(row, 13, &o->stop_price)) != 0 ||
        (rc = tc__repo_col_time(row, 14, &o->created_at_us)) != 0)
        return rc;
    if (tc_mode_parse(mode, &o->mode, NULL) != 0 || parse_side(side, &o->side) != 0 ||
        parse_type(type, &o->type) != 0)
        return TC_EPARSE;
    o->tif = strcmp(tif, "GTC") == 0 ? TC_TIF_GTC : TC_TIF_DAY;
    return 0;
}

struct pending_read {
    struct tc_ledger *l;
    struct pending p;
};

static int pending_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct pending_read *r = ud;
    struct tc_val v[] = {TC_V_TEXT(tc_mode_name(r->l->opt.mode))};
    r->p.vec.n = 0;
    return tc_txn_exec(tx,
                       "SELECT order_id, client_order_id, portfolio_id, strategy_id, "
                       "instrument_id, mode, side, type, time_in_force, quantity, multiplier, "
                       "ref_price, limit_price, stop_price, created_at FROM orders "
                       "WHERE status = 'NEW' AND mode = $1 ORDER BY created_at, order_id",
                       v, 1, pending_cb, &r->p, NULL, err);
}

int tc_ledger_resubmit_pending(struct tc_ledger *l, size_t *n, struct tc_error *err)
{
    struct pending_read r;
    int rc, first = 0;
    struct tc_error e2 = {0};

    if (n)
        *n = 0;
    if (!l)
        return tc_error_set(err, TC_EINVAL, "ledger: no ledger given");
    memset(&r, 0, sizeof(r));
    r.l = l;
    r.p.vec.size = sizeof(struct tc_order_intent);
    rc = tc_store_txn(l->opt.runtime, TC_TXN_READ, pending_fn, &r, err);
    if (rc == 0) {
        const struct tc_order_intent *items = r.p.vec.items;
        for (size_t k = 0; k < r.p.vec.n; k++) {
            int rc2 = tc__ledger_submit_intent(l, &items[k], &e2);
            if (rc2 != 0) {
                TC_LOG_WARN("ledger", "recovery: order intent not acknowledged",
                            TC_LF_STR("order_id", items[k].order_id),
                            TC_LF_STR("error", tc_error_msg(&e2)));
                if (!first) {
                    first = rc2;
                    tc_error_set(err, rc2, "%s", tc_error_msg(&e2));
                }
            } else if (n) {
                (*n)++;
            }
        }
        rc = first;
    }
    free(r.p.vec.items);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Fills                                                                      */

struct fill_ctx {
    struct tc_ledger *l;
    const struct tc_fill *f;
    struct tc__ledger_changes *ch;
    int applied;
};

static int fill_write(struct tc_txn *tx, struct fill_ctx *c, struct tc_error *err);

static int fill_body(struct tc_ledger *l, struct tc_txn *tx, const struct tc_fill *f,
                     struct tc__ledger_changes *ch, int *applied, struct tc_error *err)
{
    struct fill_ctx c = {l, f, ch, 0};
    int rc = fill_write(tx, &c, err);
    *applied = c.applied;
    return rc;
}

static int count_cb(const struct tc_row *row, void *ud)
{
    return tc_row_int(row, 0, ud) ? TC_EPARSE : 1;
}

static int dec_err(struct tc_error *err, const char *what, const char *id)
{
    return tc_error_set(err, TC_ERANGE, "fill \"%s\": %s overflows", id, what);
}

/* The position side of a fill: entry (OPEN) or exit (CLOSE). */
static int apply_to_position(struct fill_ctx *c, struct tc_txn *tx, const struct order_row *o,
                             struct tc_position *p, struct tc_dec *pnl, int *closed,
                             struct tc_error *err)
{
    const struct tc_fill *f = c->f;
    const char *x = f->execution_id;
    struct tc_dec t1, t2, q;
    int found = 0, rc;

    *pnl = TC_DEC_ZERO;
    *closed = 0;
    if ((rc = tc__ledger_load_position(tx, o->position_id, p, &found, err)) != 0)
        return rc;
    if (!found)
        return tc_error_set(err, TC_ESTATE, "fill \"%s\": position \"%s\" of order \"%s\" not found",
                            x, o->position_id, o->order_id);
    if (tc_dec_add(p->commission, f->commission, &p->commission) != 0)
        return dec_err(err, "the position's commission", x);
    if (strcmp(o->intent, "OPEN") == 0) {
        /* VWAP entry: (q_old × p_old + q × price) / (q_old + q) */
        if (tc_dec_add(p->quantity, f->quantity, &q) != 0)
            return dec_err(err, "the position's quantity", x);
        if (tc_dec_is_zero(p->quantity)) {
            p->entry_price = f->price;
        } else if (tc_dec_mul(p->quantity, p->entry_price, TC_ROUND_HALF_EVEN, &t1) != 0 ||
                   tc_dec_mul(f->quantity, f->price, TC_ROUND_HALF_EVEN, &t2) != 0 ||
                   tc_dec_add(t1, t2, &t1) != 0 ||
                   tc_dec_div(t1, q, TC_ROUND_HALF_EVEN, &p->entry_price) != 0) {
            return dec_err(err, "the entry price", x);
        }
        p->quantity = q;
    } else {
        if (tc_dec_cmp(f->quantity, p->quantity) > 0)
            return tc_error_set(err, TC_EINVAL,
                                "fill \"%s\": exit quantity is more than position \"%s\" holds", x,
                                p->position_id);
        /* LONG: (exit − entry) × q × multiplier; SHORT: the reverse */
        if ((p->side == TC_SIDE_LONG ? tc_dec_sub(f->price, p->entry_price, &t1)
                                     : tc_dec_sub(p->entry_price, f->price, &t1)) != 0 ||
            tc_dec_mul(t1, f->quantity, TC_ROUND_HALF_EVEN, &t1) != 0 ||
            tc_dec_mul(t1, p->multiplier, TC_ROUND_HALF_EVEN, pnl) != 0)
            return dec_err(err, "the realised p&l", x);
        if (tc_dec_add(p->closed_quantity, f->quantity, &q) != 0 ||
            tc_dec_mul(p->closed_quantity, p->exit_price, TC_ROUND_HALF_EVEN, &t1) != 0 ||
            tc_dec_mul(f->quantity, f->price, TC_ROUND_HALF_EVEN, &t2) != 0 ||
            tc_dec_add(t1, t2, &t1) != 0 ||
            tc_dec_div(t1, q, TC_ROUND_HALF_EVEN, &p->exit_price) != 0 ||
            tc_dec_add(p->realized_pnl, *pnl, &p->realized_pnl) != 0 ||
            tc_dec_sub(p->quantity, f->quantity, &p->quantity) != 0)
            return dec_err(err, "the exit", x);
        p->closed_quantity = q;
        if (tc_dec_is_zero(p->quantity)) {
            p->status = TC_POSITION_CLOSED;
            p->exit_time_us = f->filled_at_us;
            snprintf(p->exit_reason, sizeof(p->exit_reason), "%s", o->reason[0] ? o->reason : "exit");
            *closed = 1;
        } else {
            p->status = TC_POSITION_PARTIAL;
        }
    }
    if (tc_dec_div(p->quantity, p->lot_size, TC_ROUND_DOWN, &p->lots) != 0)
        return dec_err(err, "the lots", x);
    return tc__ledger_save_position(c->l, tx, p, c->ch, err);
}

static int write_trade(struct fill_ctx *c, struct tc_txn *tx, const struct tc_position *p,
                       struct tc_error *err)
{
    char trade_id[TC_ID_BUFSZ];
    struct tc_dec net;
    int64_t now = tc_clock_now(c->l->opt.clock);

    if (tc_dec_sub(p->realized_pnl, p->commission, &net) != 0)
        return dec_err(err, "the net p&l", c->f->execution_id);
    snprintf(trade_id, sizeof(trade_id), "trd-%s", p->position_id);
    struct tc_val v[] = {TC_V_TEXT(trade_id), TC_V_TEXT(p->position_id),
                         TC_V_TEXT(p->portfolio_id), TC_V_TEXT(p->strategy_id),
                         TC_V_TEXT(p->instrument_id), TC_V_TEXT(tc__ledger_side_text(p->side)),
                         TC_V_INT(p->layer), TC_V_DEC(p->closed_quantity),
                         TC_V_DEC(p->entry_price), TC_V_TIME(p->entry_time_us),
                         TC_V_DEC(p->exit_price), TC_V_TIME(p->exit_time_us),
                         TC_V_DEC(p->realized_pnl), TC_V_DEC(p->commission), TC_V_DEC(net),
                         TC_V_TEXT(p->exit_reason), TC_V_TIME(now)};
    int rc = tc_txn_exec(tx,
                         "INSERT INTO trades (trade_id, position_id, portfolio_id, strategy_id, "
                         "instrument_id, side, layer, quantity, entry_price, entry_time, "
                         "exit_price, exit_time, gross_pnl, commission, net_pnl, exit_reason, "
                         "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                         "$13, $14, $15, $16, $17)",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, NULL, err);
    if (rc != 0)
        return tc_error_set(err, rc, "trade of position \"%s\": %s", p->position_id,
                            tc_error_msg(err));
    return 0;
}

static int fill_write(struct tc_txn *tx, struct fill_ctx *c, struct tc_error *err)
{
    struct tc_ledger *l = c->l;
    const struct tc_fill *f = c->f;
    struct order_row o;
    struct tc_position p;
    struct tc_portfolio_state s;
    struct tc_dec filled, pnl;
    char fill_id[TC_ID_BUFSZ];
    int64_t now = tc_clock_now(l->opt.clock), changes = 0, open_left = 0;
    int rc, closed = 0;

    c->applied = 0;
    if ((rc = load_order(tx, f->client_order_id, &o, err)) != 0)
        return rc;
    if (!o.found)
        return tc_error_set(err, TC_ENOTFOUND, "fill \"%s\": order \"%s\" not found",
                            f->execution_id, f->client_order_id);
    if ((rc = tc__ledger_new_id(l, "fill", fill_id, sizeof(fill_id), err)) != 0)
        return tc_error_prefix(err, "fill \"%s\"", f->execution_id);
    {
        struct tc_val v[] = {TC_V_TEXT(fill_id), TC_V_TEXT(f->execution_id), TC_V_TEXT(o.order_id),
                             TC_V_DEC(f->quantity), TC_V_DEC(f->price), TC_V_DEC(f->commission),
                             TC_V_TIME(f->filled_at_us), TC_V_TIME(now)};
        rc = tc_txn_exec(tx,
                         "INSERT INTO fills (fill_id, execution_id, order_id, quantity, price, "
                         "commission, filled_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                         "$8) ON CONFLICT (execution_id) DO NOTHING",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, &changes, err);
    }
    if (rc != 0)
        return tc_error_set(err, rc, "fill \"%s\": %s", f->execution_id, tc_error_msg(err));
    if (changes == 0)
        return 0; /* already applied: a duplicate changes nothing */
    if (strcmp(o.status, "CANCELED") == 0 || strcmp(o.status, "REJECTED") == 0 ||
        strcmp(o.status, "EXPIRED") == 0)
        return tc_error_set(err, TC_ESTATE, "fill \"%s\": order \"%s\" is %s", f->execution_id,
                            o.order_id, o.status);
    if ((rc = tc__ledger_fault(l, "fill:before_write", err)) != 0)
        return rc;
    if (tc_dec_add(o.filled, f->quantity, &filled) != 0 || tc_dec_cmp(filled, o.quantity) > 0) {
        char q[TC_DEC_STRLEN], fq[TC_DEC_STRLEN], oq[TC_DEC_STRLEN];
        tc_dec_format(f->quantity, q, sizeof(q));
        tc_dec_format(o.filled, fq, sizeof(fq));
        tc_dec_format(o.quantity, oq, sizeof(oq));
        return tc_error_set(err, TC_EINVAL,
                            "fill \"%s\": quantity %s is more than order \"%s\" has unfilled "
                            "(%s of %s filled)",
                            f->execution_id, q, o.order_id, fq, oq);
    }
    {
        struct tc_val v[] = {TC_V_TEXT(o.order_id), TC_V_INT(o.version), TC_V_DEC(filled),
                             TC_V_TEXT(tc_dec_cmp(filled, o.quantity) == 0 ? "FILLED"
                                                                            : "PARTIALLY_FILLED"),
                             TC_V_TIME(now)};
        rc = tc_txn_exec(tx,
                         "UPDATE orders SET filled_quantity = $3, status = $4, updated_at = $5, "
                         "version = version + 1 WHERE order_id = $1 AND version = $2",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, &changes, err);
    }
    if (rc != 0)
        return tc_error_set(err, rc, "order \"%s\": %s", o.order_id, tc_error_msg(err));
    if (changes != 1)
        return tc_error_set(err, TC_ECONFLICT,
                            "order \"%s\": version %lld was changed by another writer", o.order_id,
                            (long long)o.version);
    if ((rc = apply_to_position(c, tx, &o, &p, &pnl, &closed, err)) != 0)
        return rc;
    if ((rc = tc__ledger_ensure_state(l, tx, p.portfolio_id, &s, err)) != 0)
        return rc;
    /* margin style: cash = closed_equity = initial + realized − commission */
    if (tc_dec_add(s.realized_pnl, pnl, &s.realized_pnl) != 0 ||
        tc_dec_add(s.commission_paid, f->commission, &s.commission_paid) != 0 ||
        tc_dec_add(s.initial_capital, s.realized_pnl, &s.cash) != 0 ||
        tc_dec_sub(s.cash, s.commission_paid, &s.cash) != 0)
        return dec_err(err, "the portfolio's cash", f->execution_id);
    s.closed_equity = s.cash;
    if ((rc = tc__ledger_save_state(l, tx, &s, c->ch, err)) != 0)
        return rc;
    if (closed) {
        struct tc_val v[] = {TC_V_TEXT(p.portfolio_id), TC_V_TEXT(p.instrument_id), TC_V_TIME(now)};
        if ((rc = write_trade(c, tx, &p, err)) != 0)
            return rc;
        if ((rc = tc_txn_exec(tx,
                              "SELECT COUNT(*) FROM positions WHERE portfolio_id = $1 AND "
                              "instrument_id = $2 AND status <> 'closed'",
                              v, 2, count_cb, &open_left, NULL, err)) != 0)
            return rc;
        if (open_left == 0 &&
            (rc = tc_txn_exec(tx,
                              "UPDATE pyramiding_state SET base_position_id = NULL, "
                              "pyramid_count = 0, last_pyramid_price = NULL, "
                              "last_pyramid_time = NULL, updated_at = $3 WHERE portfolio_id = $1 "
                              "AND instrument_id = $2",
                              v, 3, NULL, NULL, NULL, err)) != 0)
            return tc_error_set(err, rc, "pyramiding state of \"%s\": %s", p.instrument_id,
                                tc_error_msg(err));
    }
    c->applied = 1;
    return 0;
}

static int fill_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct fill_ctx *c = ud;
    int rc = fill_write(tx, c, err);
    if (rc == 0 && (rc = tc__ledger_fault(c->l, "fill:before_commit", err)) != 0)
        c->applied = 0;
    return rc;
}

int tc_ledger_apply_fill(struct tc_ledger *l, const struct tc_fill *fill, int *applied,
                         struct tc_error *err)
{
    struct tc__ledger_changes ch = {0};
    struct fill_ctx c;
    char buf[TC_DEC_STRLEN];
    int rc;

    if (applied)
        *applied = 0;
    if (!l || !fill)
        return tc_error_set(err, TC_EINVAL, "ledger: apply_fill needs a ledger and a fill");
    if (!memchr(fill->execution_id, 0, sizeof(fill->execution_id)) || !fill->execution_id[0])
        return tc_error_set(err, TC_EINVAL, "fill: execution id is empty");
    if (!memchr(fill->client_order_id, 0, sizeof(fill->client_order_id)) ||
        !fill->client_order_id[0])
        return tc_error_set(err, TC_EINVAL, "fill \"%s\": client order id is empty",
                            fill->execution_id);
    if (tc_dec_sign(fill->quantity) <= 0) {
        tc_dec_format(fill->quantity, buf, sizeof(buf));
        return tc_error_set(err, TC_EINVAL, "fill \"%s\": quantity %s must be positive",
                            fill->execution_id, buf);
    }
    if (tc_dec_sign(fill->price) <= 0) {
        tc_dec_format(fill->price, buf, sizeof(buf));
        return tc_error_set(err, TC_EINVAL, "fill \"%s\": price %s must be positive",
                            fill->execution_id, buf);
    }
    if (tc_dec_sign(fill->commission) < 0) {
        tc_dec_format(fill->commission, buf, sizeof(buf));
        return tc_error_set(err, TC_EINVAL, "fill \"%s\": commission %s is negative",
                            fill->execution_id, buf);
    }
    c.l = l;
    c.f = fill;
    c.ch = &ch;
    c.applied = 0;
    rc = tc__ledger_run(l, fill_fn, &c, &ch, err);
    tc__ledger_changes_release(&ch);
    if (rc == 0 && applied)
        *applied = c.applied;
    return rc;
}

int tc__ledger_on_fill(const struct tc_fill *fill, void *ud)
{
    struct submit_ctx *sc = tl_submit;
    struct tc_error err = {0};
    int rc, applied;

    if (sc && sc->l == ud && strcmp(fill->client_order_id, sc->coid) == 0)
        return keep_fill(sc, fill); /* recorded with the acknowledgement */
    if (sc && sc->l == ud && sc->tx) {
        /* another order's fill from inside a submit in the signal
         * transaction (brokers with in_txn do not do that): applied there */
        rc = fill_body(ud, sc->tx, fill, sc->ch, &applied, &err);
        if (rc != 0)
            TC_LOG_ERROR("ledger", "fill not applied", TC_LF_STR("execution_id", fill->execution_id),
                         TC_LF_STR("error", tc_error_msg(&err)));
        return rc;
    }
    rc = tc_ledger_apply_fill(ud, fill, NULL, &err);
    if (rc != 0)
        TC_LOG_ERROR("ledger", "fill not applied", TC_LF_STR("execution_id", fill->execution_id),
                     TC_LF_STR("error", tc_error_msg(&err)));
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Orders that end unfilled                                                   */

struct upd_ctx {
    struct tc_ledger *l;
    const struct tc_order_update *u;
    struct tc__ledger_changes *ch;
};

static int update_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct upd_ctx *c = ud;
    struct tc_ledger *l = c->l;
    const struct tc_order_update *u = c->u;
    const char *status = tc_order_status_name(u->status);
    struct order_row o;
    struct tc_dec left;
    int64_t now = tc_clock_now(l->opt.clock), changes = 0, open_left = 0;
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];
    int rc;

    if ((rc = load_order(tx, u->client_order_id, &o, err)) != 0)
        return rc;
    if (!o.found)
        return tc_error_set(err, TC_ENOTFOUND, "order update: order \"%s\" not found",
                            u->client_order_id);
    if (strcmp(o.status, status) == 0)
        return 0; /* reported again: already recorded */
    if (strcmp(o.status, "NEW") != 0 && strcmp(o.status, "SUBMITTED") != 0 &&
        strcmp(o.status, "PARTIALLY_FILLED") != 0)
        return tc_error_set(err, TC_ESTATE, "order update: order \"%s\" is %s, not working (%s refused)",
                            o.order_id, o.status, status);
    if (tc_dec_sub(o.quantity, o.filled, &left) != 0 || tc_dec_cmp(left, u->remaining) != 0) {
        tc_dec_format(u->remaining, a, sizeof(a));
        tc_dec_format(left, b, sizeof(b));
        return tc_error_set(err, TC_EINVAL,
                            "order update: order \"%s\" %s with %s remaining, but %s is unfilled",
                            o.order_id, status, a, b);
    }
    {
        struct tc_val v[] = {TC_V_TEXT(o.order_id), TC_V_INT(o.version), TC_V_TEXT(status),
                             TC_V_TIME(now)};
        rc = tc_txn_exec(tx,
                         "UPDATE orders SET status = $3, updated_at = $4, version = version + 1 "
                         "WHERE order_id = $1 AND version = $2",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, &changes, err);
    }
    if (rc != 0)
        return tc_error_set(err, rc, "order \"%s\": %s", o.order_id, tc_error_msg(err));
    if (changes != 1)
        return tc_error_set(err, TC_ECONFLICT,
                            "order \"%s\": version %lld was changed by another writer", o.order_id,
                            (long long)o.version);
    if (strcmp(o.intent, "OPEN") == 0 && tc_dec_is_zero(o.filled)) {
        /* an entry that never filled: its layer closes empty */
        struct tc_position p;
        int found = 0;
        if ((rc = tc__ledger_load_position(tx, o.position_id, &p, &found, err)) != 0)
            return rc;
        if (found && p.status != TC_POSITION_CLOSED && tc_dec_is_zero(p.quantity)) {
            p.status = TC_POSITION_CLOSED;
            p.exit_time_us = u->at_us ? u->at_us : now;
            snprintf(p.exit_reason, sizeof(p.exit_reason), "entry %s",
                     u->status == TC_ORDER_EXPIRED ? "expired" : "canceled");
            if ((rc = tc__ledger_save_position(l, tx, &p, c->ch, err)) != 0)
                return rc;
            struct tc_val v[] = {TC_V_TEXT(p.portfolio_id), TC_V_TEXT(p.instrument_id),
                                 TC_V_TIME(now)};
            if ((rc = tc_txn_exec(tx,
                                  "SELECT COUNT(*) FROM positions WHERE portfolio_id = $1 AND "
                                  "instrument_id = $2 AND status <> 'closed'",
                                  v, 2, count_cb, &open_left, NULL, err)) != 0)
                return rc;
            if (open_left == 0 &&
                (rc = tc_txn_exec(tx,
                                  "UPDATE pyramiding_state SET base_position_id = NULL, "
                                  "pyramid_count = 0, last_pyramid_price = NULL, "
                                  "last_pyramid_time = NULL, updated_at = $3 WHERE "
                                  "portfolio_id = $1 AND instrument_id = $2",
                                  v, 3, NULL, NULL, NULL, err)) != 0)
                return tc_error_set(err, rc, "pyramiding state of \"%s\": %s", p.instrument_id,
                                    tc_error_msg(err));
        }
    }
    return tc__ledger_fault(l, "update:before_commit", err);
}

int tc_ledger_apply_order_update(struct tc_ledger *l, const struct tc_order_update *u,
                                 struct tc_error *err)
{
    struct tc__ledger_changes ch = {0};
    struct upd_ctx c = {l, u, &ch};
    char buf[TC_DEC_STRLEN];
    int rc;

    if (!l || !u)
        return tc_error_set(err, TC_EINVAL, "ledger: apply_order_update needs a ledger and an update");
    if (!memchr(u->client_order_id, 0, sizeof(u->client_order_id)) || !u->client_order_id[0])
        return tc_error_set(err, TC_EINVAL, "order update: client order id is empty");
    if (!memchr(u->reason, 0, sizeof(u->reason)))
        return tc_error_set(err, TC_EINVAL, "order update \"%s\": reason is not terminated",
                            u->client_order_id);
    if (u->status != TC_ORDER_EXPIRED && u->status != TC_ORDER_CANCELED)
        return tc_error_set(err, TC_EINVAL,
                            "order update \"%s\": status %s is not EXPIRED or CANCELED",
                            u->client_order_id, tc_order_status_name(u->status));
    if (tc_dec_sign(u->remaining) < 0) {
        tc_dec_format(u->remaining, buf, sizeof(buf));
        return tc_error_set(err, TC_EINVAL, "order update \"%s\": remaining quantity %s is negative",
                            u->client_order_id, buf);
    }
    rc = tc__ledger_run(l, update_fn, &c, &ch, err);
    tc__ledger_changes_release(&ch);
    return rc;
}

int tc__ledger_on_update(const struct tc_order_update *u, void *ud)
{
    struct tc_error err = {0};
    int rc = tc_ledger_apply_order_update(ud, u, &err);
    if (rc != 0)
        TC_LOG_ERROR("ledger", "order update not applied",
                     TC_LF_STR("client_order_id", u->client_order_id),
                     TC_LF_STR("error", tc_error_msg(&err)));
    return rc;
}
