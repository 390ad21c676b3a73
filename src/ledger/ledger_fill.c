/* The ledger's order path: submitting intents to the broker (inside the
 * signal transaction for brokers with the in_txn capability, else after its
 * commit) and recording each acknowledgement together with the fills the
 * broker reported from inside submit; resubmitting unacknowledged intents on
 * recovery; applying fills (unique by execution id) to orders, positions,
 * trades and portfolio state; recording orders that ended unfilled
 * (EXPIRED, CANCELED); cancelling an EXIT's working entries (inside the
 * signal transaction for in_txn brokers, else after its commit, and again
 * on recovery). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "ledger/ledger_internal.h"
#include "ledger/ledger_repo.h"
#include "ledger/repo_util.h"
#include "tradecore/log.h"
#include "internal/banned.h"

/* ------------------------------------------------------------------------ */
/* Orders read back                                                           */

static int load_order(struct tc_ledger *l, struct tc_txn *tx, const char *client_order_id,
                      struct tc__ledger_order *o, struct tc_error *err)
{
    return l->repo->order_load(l, tx, client_order_id, 0, o, err);
}

static int is_status(const struct tc__ledger_order *o, enum tc_order_status s)
{
    return o->status == s;
}

/* ------------------------------------------------------------------------ */
/* Acknowledgements                                                           */

struct ack_ctx {
    struct tc_ledger *l;
    const struct tc_order_intent *intent;
    const struct tc_broker_ack *ack;
    size_t ref; /* the order's handle (ledger_repo.h), 0 none */
};

static int ack_body(struct tc_txn *tx, struct ack_ctx *c, struct tc_error *err)
{
    struct tc__ledger_order o;
    int64_t now = tc_clock_now(c->l->opt.clock);
    enum tc_order_status status;
    int rc;

    if (c->ref) {
        /* made in this transaction (order_insert: NEW, version 1): its
         * acknowledgement written without reading it back; a version that
         * moved since (an update reported from inside the submit) is a
         * conflict, and the order is then read as any other */
        o.found = 1;
        o.ref = c->ref;
        o.status = TC_ORDER_NEW;
        o.version = 1;
        o.order_id[0] = o.position_id[0] = '\0';
        rc = c->l->repo->order_ack(c->l, tx, &o, c->ack->broker_order_id,
                                   c->ack->status == TC_ORDER_REJECTED ? TC_ORDER_REJECTED
                                                                       : TC_ORDER_SUBMITTED,
                                   c->ack->status == TC_ORDER_REJECTED ? c->ack->reason : NULL,
                                   now, err);
        if (rc != TC_ECONFLICT)
            return rc;
        tc_error_clear(err);
    }
    if ((rc = c->l->repo->order_load(c->l, tx, c->intent->client_order_id, c->ref, &o, err)) != 0)
        return rc;
    if (!o.found)
        return tc_error_set(err, TC_ENOTFOUND, "order \"%s\" not found",
                            c->intent->client_order_id);
    status = o.status;
    if (c->ack->status == TC_ORDER_REJECTED &&
        (is_status(&o, TC_ORDER_NEW) || is_status(&o, TC_ORDER_SUBMITTED)))
        status = TC_ORDER_REJECTED;
    else if (is_status(&o, TC_ORDER_NEW))
        status = TC_ORDER_SUBMITTED;
    return c->l->repo->order_ack(c->l, tx, &o, c->ack->broker_order_id, status,
                                 c->ack->status == TC_ORDER_REJECTED ? c->ack->reason : NULL, now,
                                 err);
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
    /* a cancel inside the signal transaction (tc__ledger_cancel_in_txn):
     * the order canceled, whether its update came, and the first fill or
     * update reported during it that could not be applied (it fails the
     * transaction) */
    const char *cancel_coid;
    int seen;
    int urc;
    struct tc_error *uerr;          /* its message (with CANCEL_COID) */
};

static _Thread_local struct submit_ctx *tl_submit;

static int fill_body(struct tc_ledger *l, struct tc_txn *tx, const struct tc_fill *f,
                     struct tc__ledger_changes *ch, int *applied, struct tc_error *err);

static int keep_fill(struct submit_ctx *sc, const struct tc_fill *f)
{
    if (tc__grow((void **)&sc->fills, &sc->cap, sc->n, sizeof(*sc->fills), 4) != 0)
        return sc->rc = TC_ENOMEM;
    sc->fills[sc->n++] = *f;
    return 0;
}

/* The acknowledgement, then the fills kept during submit, in TX. */
static int record_submit(struct tc_ledger *l, struct tc_txn *tx, struct submit_ctx *sc,
                         const struct tc_order_intent *intent, size_t ref,
                         const struct tc_broker_ack *ack, struct tc__ledger_changes *ch,
                         struct tc_error *err)
{
    struct ack_ctx c = {l, intent, ack, ref};
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
                             const struct tc_order_intent *intent, size_t ref,
                             struct tc__ledger_changes *ch, int *deferred, struct tc_error *err)
{
    struct tc_broker_ack ack;
    struct tc_error e2;
    struct submit_ctx sc;
    int rc;
    tc__ledger_err_clear(&e2);

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
    if ((rc = record_submit(l, tx, &sc, intent, ref, &ack, ch, err)) != 0)
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
    int rc = record_submit(a->l, tx, a->sc, a->intent, 0, a->ack, a->ch, err);
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
/* Cancels of working entries (an EXIT's)                                     */

int tc__ledger_cancel_in_txn(struct tc_ledger *l, struct tc_txn *tx, const char *coid,
                             struct tc__ledger_changes *ch, int *deferred, struct tc_error *err)
{
    struct submit_ctx sc, *outer = tl_submit;
    struct tc_error e2, ue;
    int rc;
    tc__ledger_err_clear(&e2);
    tc__ledger_err_clear(&ue);

    *deferred = 0;
    memset(&sc, 0, sizeof(sc));
    sc.l = l;
    sc.coid = ""; /* no fill is kept: each is applied in TX */
    sc.tx = tx;
    sc.ch = ch;
    sc.cancel_coid = coid;
    sc.uerr = &ue;
    tl_submit = &sc;
    rc = tc_broker_cancel(l->opt.broker, coid, &e2);
    tl_submit = outer;
    free(sc.fills);
    if (sc.urc)
        return tc_error_set(err, sc.urc, "cancel of order \"%s\": %s", coid,
                            tc_error_msg(&ue));
    if (!sc.seen) {
        /* the broker did not cancel it here: as with a broker called after
         * the commit, the cancel is sent after the commit */
        TC_LOG_WARN("ledger", "entry cancel not done inside the transaction; sent after the commit",
                    TC_LF_STR("client_order_id", coid),
                    TC_LF_STR("error", rc ? tc_error_msg(&e2) : "no update reported"));
        *deferred = 1;
    }
    return 0;
}

int tc__ledger_cancel_entry(struct tc_ledger *l, const char *coid, struct tc_error *err)
{
    int rc;

    if (!l->opt.broker)
        return 0;
    if ((rc = tc_broker_cancel(l->opt.broker, coid, err)) != 0)
        return tc_error_prefix(err, "cancel of order \"%s\"", coid);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Recovery                                                                   */

/* The NEW order of VEC (struct tc_order_intent) with client order id COID,
 * or NULL. */
static const struct tc_order_intent *new_intent(const struct tc__repo_vec *vec, const char *coid)
{
    const struct tc_order_intent *items = vec->items;
    for (size_t k = 0; k < vec->n; k++)
        if (strcmp(items[k].client_order_id, coid) == 0)
            return &items[k];
    return NULL;
}

int tc_ledger_resubmit_pending(struct tc_ledger *l, size_t *n, struct tc_error *err)
{
    struct tc__repo_vec vec = {NULL, 0, 0, sizeof(struct tc_order_intent)};
    struct tc__repo_vec cv = {NULL, 0, 0, sizeof(struct tc__ledger_cancel)};
    int rc, first = 0;
    struct tc_error e2 = {0};

    if (n)
        *n = 0;
    if (!l)
        return tc_error_set(err, TC_EINVAL, "ledger: no ledger given");
    /* the cancels an EXIT asked for and that were not made (a crash between
     * its commit and the cancel, a broker that failed) are read first: an
     * entry among them still NEW is not submitted again (the EXIT canceled
     * it: a market order sent now would open what the EXIT closed) */
    if ((rc = l->repo->cancels_pending(l, &cv, err)) != 0 ||
        (rc = l->repo->orders_new(l, &vec, err)) != 0) {
        free(cv.items);
        free(vec.items);
        return rc;
    }
    {
        const struct tc_order_intent *items = vec.items;
        const struct tc__ledger_cancel *cx = cv.items;
        for (size_t k = 0; k < vec.n; k++) {
            int rc2, canceled = 0;
            for (size_t j = 0; j < cv.n && !canceled; j++)
                canceled = strcmp(cx[j].client_order_id, items[k].client_order_id) == 0;
            if (canceled)
                continue;
            if ((rc2 = tc__ledger_submit_intent(l, &items[k], &e2)) != 0) {
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
    }
    {
        const struct tc__ledger_cancel *items = cv.items;
        for (size_t k = 0; k < cv.n; k++) {
            const struct tc_order_intent *nw = new_intent(&vec, items[k].client_order_id);
            int rc3 = tc__ledger_cancel_entry(l, items[k].client_order_id, &e2);
            if (rc3 == TC_ENOTFOUND && nw) {
                /* never acknowledged and not working at the broker: it
                 * ends here, canceled, with nothing filled */
                struct tc_order_update u;
                memset(&u, 0, sizeof(u));
                memcpy(u.client_order_id, nw->client_order_id, sizeof(u.client_order_id));
                u.status = TC_ORDER_CANCELED;
                u.remaining = nw->quantity;
                snprintf(u.reason, sizeof(u.reason), "canceled by an exit before the broker had it");
                u.at_us = tc_clock_now(l->opt.clock);
                tc__ledger_err_clear(&e2);
                rc3 = tc_ledger_apply_order_update(l, &u, &e2);
            }
            if (rc3 != 0) {
                TC_LOG_WARN("ledger", "recovery: entry cancel not sent",
                            TC_LF_STR("order_id", items[k].order_id),
                            TC_LF_STR("error", tc_error_msg(&e2)));
                if (!first) {
                    first = rc3;
                    tc_error_set(err, rc3, "%s", tc_error_msg(&e2));
                }
            }
        }
    }
    free(cv.items);
    free(vec.items);
    return first;
}

/* ------------------------------------------------------------------------ */
/* Fills                                                                      */

struct fill_ctx {
    struct tc_ledger *l;
    const struct tc_fill *f;
    struct tc__ledger_changes *ch;
    int applied;
    uint64_t xh;   /* the repo's key_hint of F's execution id, 0 none yet */
    size_t xlen;   /* strlen(F's execution id), 0 not measured yet */
};

static int fill_write(struct tc_txn *tx, struct fill_ctx *c, struct tc_error *err);

static int fill_body(struct tc_ledger *l, struct tc_txn *tx, const struct tc_fill *f,
                     struct tc__ledger_changes *ch, int *applied, struct tc_error *err)
{
    struct fill_ctx c = {l, f, ch, 0, 0, 0};
    int rc = fill_write(tx, &c, err);
    *applied = c.applied;
    return rc;
}

static int dec_err(struct tc_error *err, const char *what, const char *id)
{
    return tc_error_set(err, TC_ERANGE, "fill \"%s\": %s overflows", id, what);
}

/* The position side of a fill: entry (OPEN) or exit (CLOSE). */
static int apply_to_position(struct fill_ctx *c, struct tc_txn *tx, const struct tc__ledger_order *o,
                             struct tc_position *p, struct tc_dec *pnl, int *closed,
                             struct tc_error *err)
{
    const struct tc_fill *f = c->f;
    const char *x = f->execution_id;
    struct tc_dec t1, t2, q;
    int found = 0, rc;

    *pnl = TC_DEC_ZERO;
    *closed = 0;
    if ((rc = tc__ledger_get_position(c->l, tx, o->position_id, o->pos, p, &found, err)) != 0)
        return rc;
    if (!found)
        return tc_error_set(err, TC_ESTATE, "fill \"%s\": position \"%s\" of order \"%s\" not found",
                            x, o->position_id, o->order_id);
    if (tc_dec_add_fast(p->commission, f->commission, &p->commission) != 0)
        return dec_err(err, "the position's commission", x);
    if (!o->closing) {
        /* VWAP entry: (q_old × p_old + q × price) / (q_old + q) */
        if (tc_dec_add_fast(p->quantity, f->quantity, &q) != 0)
            return dec_err(err, "the position's quantity", x);
        if (tc_dec_is_zero(p->quantity)) {
            p->entry_price = f->price;
        } else if (tc_dec_mul_fast(p->quantity, p->entry_price, TC_ROUND_HALF_EVEN, &t1) != 0 ||
                   tc_dec_mul_fast(f->quantity, f->price, TC_ROUND_HALF_EVEN, &t2) != 0 ||
                   tc_dec_add_fast(t1, t2, &t1) != 0 ||
                   tc_dec_div(t1, q, TC_ROUND_HALF_EVEN, &p->entry_price) != 0) {
            return dec_err(err, "the entry price", x);
        }
        p->quantity = q;
        if (p->exit_reason[0] && p->status != TC_POSITION_CLOSED &&
            tc_dec_add_fast(o->filled, f->quantity, &t1) == 0 && tc_dec_cmp(t1, o->quantity) >= 0)
            p->exit_reason[0] = '\0'; /* the entry filled whole: no cancel left to wait for */
    } else {
        if (tc_dec_cmp(f->quantity, p->quantity) > 0)
            return tc_error_set(err, TC_EINVAL,
                                "fill \"%s\": exit quantity is more than position \"%s\" holds", x,
                                p->position_id);
        /* LONG: (exit − entry) × q × multiplier; SHORT: the reverse */
        if ((p->side == TC_SIDE_LONG ? tc_dec_sub_fast(f->price, p->entry_price, &t1)
                                     : tc_dec_sub_fast(p->entry_price, f->price, &t1)) != 0 ||
            tc_dec_mul_fast(t1, f->quantity, TC_ROUND_HALF_EVEN, &t1) != 0 ||
            tc_dec_mul_fast(t1, p->multiplier, TC_ROUND_HALF_EVEN, pnl) != 0)
            return dec_err(err, "the realised p&l", x);
        if (tc_dec_add_fast(p->closed_quantity, f->quantity, &q) != 0 ||
            tc_dec_mul_fast(p->closed_quantity, p->exit_price, TC_ROUND_HALF_EVEN, &t1) != 0 ||
            tc_dec_mul_fast(f->quantity, f->price, TC_ROUND_HALF_EVEN, &t2) != 0 ||
            tc_dec_add_fast(t1, t2, &t1) != 0 ||
            tc_dec_div(t1, q, TC_ROUND_HALF_EVEN, &p->exit_price) != 0 ||
            tc_dec_add_fast(p->realized_pnl, *pnl, &p->realized_pnl) != 0 ||
            tc_dec_sub_fast(p->quantity, f->quantity, &p->quantity) != 0)
            return dec_err(err, "the exit", x);
        p->closed_quantity = q;
        /* an exit reason on a layer not closed: an EXIT is cancelling its
         * working entry (ledger.h); the layer closes when that ends */
        if (tc_dec_is_zero(p->quantity) && !p->exit_reason[0]) {
            p->status = TC_POSITION_CLOSED;
            p->exit_time_us = f->filled_at_us;
            /* the order's reason copied whole (its buffer is as long:
             * ledger_repo.h), else "exit" */
            _Static_assert(sizeof(p->exit_reason) == TC_LEDGER_TEXT_MAX, "the reason's buffer");
            if (o->why[0])
                memcpy(p->exit_reason, o->why, sizeof(p->exit_reason));
            else
                memcpy(p->exit_reason, "exit", sizeof("exit"));
            *closed = 1;
        } else {
            p->status = TC_POSITION_PARTIAL;
        }
    }
    /* a lot of one: the lots are the quantity (the division's exact answer) */
    if (p->lot_size.raw == TC_DEC_ONE)
        p->lots = p->quantity;
    else if (tc_dec_div(p->quantity, p->lot_size, TC_ROUND_DOWN, &p->lots) != 0)
        return dec_err(err, "the lots", x);
    return tc__ledger_save_position(c->l, tx, p, o->pos, c->ch, err);
}

static int write_trade(struct fill_ctx *c, struct tc_txn *tx, const struct tc_position *p,
                       size_t pos, struct tc_error *err)
{
    struct tc_dec net;

    if (tc_dec_sub_fast(p->realized_pnl, p->commission, &net) != 0)
        return dec_err(err, "the net p&l", c->f->execution_id);
    return c->l->repo->trade_insert(c->l, tx, p, pos, net, tc_clock_now(c->l->opt.clock), err);
}

/* When no layer of (PORTFOLIO, INSTRUMENT) stays open, its pyramiding state
 * is reset. */
static int reset_if_flat(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                         size_t slot, int64_t now, struct tc_error *err)
{
    int64_t open_left = 0;
    int rc = l->repo->open_count(l, tx, p->portfolio_id, p->instrument_id, slot, &open_left, err);
    if (rc != 0)
        return rc;
    return open_left == 0
               ? l->repo->pyr_reset(l, tx, p->portfolio_id, p->instrument_id, slot, now, err)
               : 0;
}

static int fill_write(struct tc_txn *tx, struct fill_ctx *c, struct tc_error *err)
{
    struct tc_ledger *l = c->l;
    const struct tc_fill *f = c->f;
    struct tc__ledger_order o;
    /* the position as the change feed keeps it, where it keeps it */
    struct tc_position own, *p = tc__ledger_changes_place(c->ch, &own);
    /* the state as the change feed keeps it, where it keeps it */
    struct tc_portfolio_state own_s,
        *s = c->ch && !c->ch->off ? &c->ch->ps : &own_s;
    struct tc_dec filled, pnl;
    char fill_id[TC_ID_BUFSZ];
    int64_t now = tc_clock_now(l->opt.clock);
    int rc, closed = 0, inserted = 0;
    /* the execution id's hash (its place in the fills' map asked for
     * while the order is loaded, when not before) */
    uint64_t xh =
        c->xh ? c->xh : l->repo->key_hint(l, TC__LEDGER_KEY_FILL, f->execution_id, c->xlen);

    c->applied = 0;
    if ((rc = load_order(l, tx, f->client_order_id, &o, err)) != 0)
        return rc;
    if (!o.found)
        return tc_error_set(err, TC_ENOTFOUND, "fill \"%s\": order \"%s\" not found",
                            f->execution_id, f->client_order_id);
    /* counted; its text made only where a backend keeps it (not in memory) */
    if ((rc = tc__ledger_new_seq(l, "fill", fill_id, sizeof(fill_id), err)) != 0)
        return tc_error_prefix(err, "fill \"%s\"", f->execution_id);
    if ((rc = l->repo->fill_insert(l, tx, fill_id, f, xh, c->xlen, &o, now, &inserted, err)) != 0)
        return rc;
    if (!inserted)
        return 0; /* already applied: a duplicate changes nothing */
    if (is_status(&o, TC_ORDER_CANCELED) || is_status(&o, TC_ORDER_REJECTED) ||
        is_status(&o, TC_ORDER_EXPIRED))
        return tc_error_set(err, TC_ESTATE, "fill \"%s\": order \"%s\" is %s", f->execution_id,
                            o.order_id, tc_order_status_name(o.status));
    if ((rc = tc__ledger_fault(l, "fill:before_write", err)) != 0)
        return rc;
    if (tc_dec_add_fast(o.filled, f->quantity, &filled) != 0 ||
        tc_dec_cmp(filled, o.quantity) > 0) {
        char q[TC_DEC_STRLEN], fq[TC_DEC_STRLEN], oq[TC_DEC_STRLEN];
        tc_dec_format(f->quantity, q, sizeof(q));
        tc_dec_format(o.filled, fq, sizeof(fq));
        tc_dec_format(o.quantity, oq, sizeof(oq));
        return tc_error_set(err, TC_EINVAL,
                            "fill \"%s\": quantity %s is more than order \"%s\" has unfilled "
                            "(%s of %s filled)",
                            f->execution_id, q, o.order_id, fq, oq);
    }
    if ((rc = l->repo->order_filled(l, tx, &o, filled,
                                    tc_dec_cmp(filled, o.quantity) == 0 ? TC_ORDER_FILLED
                                                                         : TC_ORDER_PARTIALLY_FILLED,
                                    now, err)) != 0)
        return rc;
    if ((rc = apply_to_position(c, tx, &o, p, &pnl, &closed, err)) != 0)
        return rc;
    if ((rc = tc__ledger_ensure_state(l, tx, p->portfolio_id, o.pf, s, err)) != 0)
        return rc;
    /* margin style: cash = closed_equity = initial + realized − commission */
    if (tc_dec_add_fast(s->realized_pnl, pnl, &s->realized_pnl) != 0 ||
        tc_dec_add_fast(s->commission_paid, f->commission, &s->commission_paid) != 0 ||
        tc_dec_add_fast(s->initial_capital, s->realized_pnl, &s->cash) != 0 ||
        tc_dec_sub_fast(s->cash, s->commission_paid, &s->cash) != 0)
        return dec_err(err, "the portfolio's cash", f->execution_id);
    s->closed_equity = s->cash;
    if ((rc = tc__ledger_save_state(l, tx, s, o.pf, c->ch, err)) != 0)
        return rc;
    if (closed) {
        if ((rc = write_trade(c, tx, p, o.pos, err)) != 0 ||
            (rc = reset_if_flat(l, tx, p, o.slot, now, err)) != 0)
            return rc;
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
    struct tc__ledger_changes ch;
    struct fill_ctx c;
    char buf[TC_DEC_STRLEN];
    int rc;

    if (applied)
        *applied = 0;
    if (!l || !fill)
        return tc_error_set(err, TC_EINVAL, "ledger: apply_fill needs a ledger and a fill");
    if (!TC__TERMINATED(fill->execution_id))
        return tc_error_set(err, TC_EINVAL, "fill: execution id is longer than %d characters",
                            (int)sizeof(fill->execution_id) - 1);
    if (!fill->execution_id[0])
        return tc_error_set(err, TC_EINVAL, "fill: execution id is empty");
    /* its hash now: its place in the fills' map asked for while the fill
     * is checked, the transaction begun and the order loaded */
    c.xlen = strlen(fill->execution_id); /* terminated: checked above */
    c.xh = l->repo->key_hint(l, TC__LEDGER_KEY_FILL, fill->execution_id, c.xlen);
    if (!TC__TERMINATED(fill->client_order_id))
        return tc_error_set(err, TC_EINVAL,
                            "fill \"%s\": client order id is longer than %d characters",
                            fill->execution_id, (int)sizeof(fill->client_order_id) - 1);
    if (!fill->client_order_id[0])
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
    tc__ledger_changes_init(&ch);
    rc = tc__ledger_run(l, fill_fn, &c, &ch, err);
    free(ch.pos);
    if (rc == 0 && applied)
        *applied = c.applied;
    return rc;
}

int tc__ledger_on_fill(const struct tc_fill *fill, void *ud)
{
    struct submit_ctx *sc = tl_submit;
    struct tc_error err;
    int rc, applied;
    tc__ledger_err_clear(&err);

    if (sc && sc->l == ud && strcmp(fill->client_order_id, sc->coid) == 0)
        return keep_fill(sc, fill); /* recorded with the acknowledgement */
    if (sc && sc->l == ud && sc->tx) {
        /* another order's fill from inside a submit in the signal
         * transaction (brokers with in_txn do not do that): applied there */
        rc = fill_body(ud, sc->tx, fill, sc->ch, &applied, &err);
        if (rc != 0 && sc->cancel_coid && !sc->urc) {
            sc->urc = rc; /* a cancel's transaction does not commit half a fill */
            *sc->uerr = err;
        }
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

/* U applied in TX (the update's own transaction, or the signal
 * transaction of a cancel made inside it). */
static int update_write(struct tc_ledger *l, struct tc_txn *tx, const struct tc_order_update *u,
                        struct tc__ledger_changes *ch, struct tc_error *err)
{
    const char *status = tc_order_status_name(u->status);
    struct tc__ledger_order o;
    struct tc_position p;
    struct tc_dec left;
    int64_t now = tc_clock_now(l->opt.clock);
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];
    int rc, found = 0;

    if ((rc = load_order(l, tx, u->client_order_id, &o, err)) != 0)
        return rc;
    if (!o.found)
        return tc_error_set(err, TC_ENOTFOUND, "order update: order \"%s\" not found",
                            u->client_order_id);
    if (is_status(&o, u->status))
        return 0; /* reported again: already recorded */
    if (!is_status(&o, TC_ORDER_NEW) && !is_status(&o, TC_ORDER_SUBMITTED) &&
        !is_status(&o, TC_ORDER_PARTIALLY_FILLED))
        return tc_error_set(err, TC_ESTATE, "order update: order \"%s\" is %s, not working (%s refused)",
                            o.order_id, tc_order_status_name(o.status), status);
    if (tc_dec_sub(o.quantity, o.filled, &left) != 0 || tc_dec_cmp(left, u->remaining) != 0) {
        tc_dec_format(u->remaining, a, sizeof(a));
        tc_dec_format(left, b, sizeof(b));
        return tc_error_set(err, TC_EINVAL,
                            "order update: order \"%s\" %s with %s remaining, but %s is unfilled",
                            o.order_id, status, a, b);
    }
    if ((rc = l->repo->order_status(l, tx, &o, u->status, now, err)) != 0)
        return rc;
    if (o.closing)
        return 0;
    if ((rc = tc__ledger_get_position(l, tx, o.position_id, o.pos, &p, &found, err)) != 0)
        return rc;
    if (!found || p.status == TC_POSITION_CLOSED)
        return 0;
    if (tc_dec_is_zero(p.quantity) && (tc_dec_is_zero(o.filled) || p.exit_reason[0])) {
        /* an entry that never filled: its layer closes empty; a layer an
         * EXIT is done with (its exits took all it held): it closes now,
         * with its trade */
        int traded = tc_dec_sign(p.closed_quantity) > 0;
        p.status = TC_POSITION_CLOSED;
        p.exit_time_us = u->at_us ? u->at_us : now;
        if (!traded)
            snprintf(p.exit_reason, sizeof(p.exit_reason), "entry %s",
                     u->status == TC_ORDER_EXPIRED ? "expired" : "canceled");
        if ((rc = tc__ledger_save_position(l, tx, &p, o.pos, ch, err)) != 0)
            return rc;
        if (traded) {
            struct tc_dec net;
            if (tc_dec_sub_fast(p.realized_pnl, p.commission, &net) != 0)
                return tc_error_set(err, TC_ERANGE, "order update \"%s\": the net p&l overflows",
                                    u->client_order_id);
            if ((rc = l->repo->trade_insert(l, tx, &p, o.pos, net, now, err)) != 0)
                return rc;
        }
        return reset_if_flat(l, tx, &p, o.slot, now, err);
    }
    if (p.exit_reason[0]) {
        /* the EXIT's cancel is done: the layer keeps what it holds (its
         * exit in flight, or a fill that came before the cancel) */
        p.exit_reason[0] = '\0';
        return tc__ledger_save_position(l, tx, &p, o.pos, ch, err);
    }
    return 0;
}

static int update_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct upd_ctx *c = ud;
    int rc = update_write(c->l, tx, c->u, c->ch, err);
    return rc ? rc : tc__ledger_fault(c->l, "update:before_commit", err);
}

/* The checks of an update's fields, before any transaction. */
static int update_check(const struct tc_order_update *u, struct tc_error *err)
{
    char buf[TC_DEC_STRLEN];

    if (!memchr(u->client_order_id, 0, sizeof(u->client_order_id)))
        return tc_error_set(err, TC_EINVAL,
                            "order update: client order id is longer than %d characters",
                            (int)sizeof(u->client_order_id) - 1);
    if (!u->client_order_id[0])
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
    return 0;
}

int tc_ledger_apply_order_update(struct tc_ledger *l, const struct tc_order_update *u,
                                 struct tc_error *err)
{
    struct tc__ledger_changes ch = {0};
    struct upd_ctx c = {l, u, &ch};
    int rc;

    if (!l || !u)
        return tc_error_set(err, TC_EINVAL, "ledger: apply_order_update needs a ledger and an update");
    if ((rc = update_check(u, err)) != 0)
        return rc;
    rc = tc__ledger_run(l, update_fn, &c, &ch, err);
    tc__ledger_changes_release(&ch);
    return rc;
}

int tc__ledger_on_update(const struct tc_order_update *u, void *ud)
{
    struct submit_ctx *sc = tl_submit;
    struct tc_error err = {0};
    int rc;

    if (sc && sc->l == ud && sc->tx) {
        /* reported from inside a broker call in the signal transaction (a
         * cancel there): applied there; a failure fails that transaction */
        if ((rc = update_check(u, &err)) == 0)
            rc = update_write(ud, sc->tx, u, sc->ch, &err);
        if (rc != 0 && sc->cancel_coid && !sc->urc) {
            sc->urc = rc;
            *sc->uerr = err;
        }
        if (rc == 0 && sc->cancel_coid && strcmp(u->client_order_id, sc->cancel_coid) == 0)
            sc->seen = 1;
    } else {
        rc = tc_ledger_apply_order_update(ud, u, &err);
    }
    if (rc != 0)
        TC_LOG_ERROR("ledger", "order update not applied",
                     TC_LF_STR("client_order_id", u->client_order_id),
                     TC_LF_STR("error", tc_error_msg(&err)));
    return rc;
}
