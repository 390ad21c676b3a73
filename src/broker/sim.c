/* The `sim` broker: order intents become market-simulator orders, bars fill
 * them, fills go to the broker's fill handler with the simulator's
 * deterministic execution ids. Every client order id accepted is remembered
 * (submit is idempotent); fills are kept in the order they happened and
 * reported outside the lock, a refused one again at the next call. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "tradecore/broker_sim.h"
#include "tradecore/id.h"
#include "internal/banned.h"

/* One client order id the broker has answered. */
struct rec {
    struct tc_order_intent intent;
    struct tc_broker_ack ack;
    struct tc_dec filled;        /* fills made so far */
    int working;                 /* in the simulator's book */
    uint64_t hash;               /* of intent.client_order_id (the map's growth) */
};

/* One fill; STATE 0 = to report, 1 = being reported, 2 = reported. */
struct fillrec {
    struct tc_fill f;
    size_t rec;
    int64_t day;
    int state;
    int observed;
};

struct simb {
    struct tc_broker base;
    pthread_mutex_t mu;
    struct tc_broker_sim_options opt;
    struct tc_sim *sim;
    size_t prefix_len;
    int64_t day;
    struct rec *recs;
    size_t nrecs, caprecs;
    size_t *slots;               /* client order id -> rec index, open addressing */
    size_t capslots;
    struct fillrec *fills;
    size_t nfills, capfills, pend;  /* fills before PEND are all reported */
    size_t working;
    struct tc_order_update *updates; /* expiries and cancels, in order */
    size_t nupdates, capupdates, upend;  /* updates before UPEND are reported */
    struct tc_broker_account acct;
    tc_broker_sim_observer_fn observer;
    void *observer_ud;
    tc_broker_update_fn on_update;
    void *update_ud;
};

static const struct tc_broker_ops sim_ops;

#define NO_SLOT SIZE_MAX

void tc_broker_sim_options_default(struct tc_broker_sim_options *o)
{
    memset(o, 0, sizeof(*o));
    tc_sim_config_init(&o->sim);
    snprintf(o->id_prefix, sizeof(o->id_prefix), "sim");
}

static struct simb *as_sim(struct tc_broker *b)
{
    return (b && b->ops == &sim_ops) ? (struct simb *)b : NULL;
}

int tc_broker_is_sim(const struct tc_broker *b) { return b && b->ops == &sim_ops; }

/* Client order ids are fingerprints of 70-odd bytes: hashed eight at a time. */
static uint64_t hash_str(const char *s) { return tc__str_hash(s); }

/* The rec of client order id COID whose hash is H, or NO_SLOT. */
static size_t find_rec_h(const struct simb *s, const char *coid, uint64_t h)
{
    if (!s->capslots)
        return NO_SLOT;
    for (size_t j = h & (s->capslots - 1);; j = (j + 1) & (s->capslots - 1)) {
        size_t r = s->slots[j];
        if (r == NO_SLOT)
            return NO_SLOT;
        if (strcmp(s->recs[r].intent.client_order_id, coid) == 0)
            return r;
    }
}

static size_t find_rec(const struct simb *s, const char *coid)
{
    return find_rec_h(s, coid, hash_str(coid));
}

/* Rec R in the map (its hash kept in the rec: hashed once, when submitted). */
static void slot_put(size_t *slots, size_t cap, const struct rec *recs, size_t r)
{
    size_t j = recs[r].hash & (cap - 1);
    while (slots[j] != NO_SLOT)
        j = (j + 1) & (cap - 1);
    slots[j] = r;
}

/* Room for one more rec and its slot. */
static int reserve_rec(struct simb *s)
{
    if (s->nrecs == s->caprecs) {
        size_t cap = s->caprecs ? s->caprecs * 2 : 64;
        struct rec *t = realloc(s->recs, cap * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        s->recs = t;
        s->caprecs = cap;
    }
    if ((s->nrecs + 1) * 2 > s->capslots) {
        size_t cap = s->capslots ? s->capslots * 2 : 128;
        size_t *t = malloc(cap * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        for (size_t k = 0; k < cap; k++)
            t[k] = NO_SLOT;
        for (size_t r = 0; r < s->nrecs; r++)
            slot_put(t, cap, s->recs, r);
        free(s->slots);
        s->slots = t;
        s->capslots = cap;
    }
    return 0;
}

static int reserve_fills(struct simb *s, size_t more)
{
    if (s->nfills + more <= s->capfills)
        return 0;
    size_t cap = s->capfills ? s->capfills : 64;
    while (cap < s->nfills + more)
        cap *= 2;
    struct fillrec *t = realloc(s->fills, cap * sizeof(*t));
    if (!t)
        return TC_ENOMEM;
    s->fills = t;
    s->capfills = cap;
    return 0;
}

/* The rec index of simulator order id "<prefix>.<n>": n - 1. */
static size_t rec_of_sim_id(const struct simb *s, const char *id)
{
    size_t n = 0;
    for (const char *p = id + s->prefix_len + 1; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (size_t)(*p - '0');
    return n - 1;
}

/* ---- reporting ------------------------------------------------------------ */

/* Reports the order updates not reported yet, in order, outside the lock,
 * once every fill has been reported (an order's fills come before its end).
 * One reporter at a time: UPEND moves only after the handler's answer. */
static int report_updates(struct simb *s, struct tc_error *err)
{
    for (;;) {
        struct tc_order_update u;
        tc_broker_update_fn fn;
        void *ud;
        size_t k;
        int rc;

        pthread_mutex_lock(&s->mu);
        if (s->upend == s->nupdates || s->pend != s->nfills) {
            pthread_mutex_unlock(&s->mu);
            return 0;
        }
        k = s->upend;
        u = s->updates[k];
        fn = s->on_update;
        ud = s->update_ud;
        pthread_mutex_unlock(&s->mu);

        rc = fn ? fn(&u, ud) : 0;
        if (rc != 0)
            return tc_error_set(err, rc < 0 ? rc : TC_EINTERNAL,
                                "sim broker: %s of order \"%s\" was not recorded: %s",
                                tc_order_status_name(u.status), u.client_order_id,
                                tc_strerror(rc));
        pthread_mutex_lock(&s->mu);
        if (s->upend == k)
            s->upend++;
        pthread_mutex_unlock(&s->mu);
    }
}

/* Queues the end of order R (EXPIRED or CANCELED). Caller holds the lock. */
static int queue_update(struct simb *s, const struct rec *r, enum tc_order_status status)
{
    struct tc_order_update *u;
    if (s->nupdates == s->capupdates) {
        size_t cap = s->capupdates ? s->capupdates * 2 : 16;
        struct tc_order_update *t = realloc(s->updates, cap * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        s->updates = t;
        s->capupdates = cap;
    }
    u = &s->updates[s->nupdates];
    memset(u, 0, sizeof(*u));
    tc__str_copy(u->client_order_id, sizeof(u->client_order_id), r->intent.client_order_id);
    u->status = status;
    if (tc_dec_sub(r->intent.quantity, r->filled, &u->remaining) != 0)
        u->remaining = r->intent.quantity;
    tc__str_copy(u->reason, sizeof(u->reason),
                 status == TC_ORDER_EXPIRED ? "day order expired" : "canceled");
    u->at_us = tc_clock_now(s->opt.clock);
    s->nupdates++;
    return 0;
}

/* Reports every fill not reported yet, in order, outside the lock. Returns the
 * first refusal of the handler (the fill then stays queued). */
static int report_pending(struct simb *s, struct tc_error *err)
{
    for (;;) {
        struct tc_fill f;
        struct tc_order_intent intent;
        int64_t day;
        size_t k;
        int rc, first;

        pthread_mutex_lock(&s->mu);
        for (k = s->pend; k < s->nfills && s->fills[k].state != 0; k++)
            ;
        if (k == s->nfills) {
            pthread_mutex_unlock(&s->mu);
            return s->pend == s->nfills ? report_updates(s, err) : 0;
        }
        s->fills[k].state = 1;
        f = s->fills[k].f;
        intent = s->recs[s->fills[k].rec].intent;
        day = s->fills[k].day;
        pthread_mutex_unlock(&s->mu);

        rc = tc_broker_report_fill(&s->base, &f);

        pthread_mutex_lock(&s->mu);
        s->fills[k].state = rc == 0 ? 2 : 0;
        first = rc == 0 && !s->fills[k].observed;
        if (first)
            s->fills[k].observed = 1;
        while (s->pend < s->nfills && s->fills[s->pend].state == 2)
            s->pend++;
        pthread_mutex_unlock(&s->mu);
        if (rc != 0)
            return tc_error_set(err, rc < 0 ? rc : TC_EINTERNAL,
                                "sim broker: fill \"%s\" of order \"%s\" was not recorded: %s",
                                f.execution_id, f.client_order_id, tc_strerror(rc));
        if (first && s->observer) {
            struct tc_broker_sim_fill_event ev = {&intent, &f, day};
            s->observer(s->observer_ud, &ev);
        }
    }
}

/* ---- ops ------------------------------------------------------------------- */

static int map_intent(const struct tc_order_intent *o, struct tc_sim_order *so, char *why,
                      size_t cap)
{
    memset(so, 0, sizeof(*so));
    switch (o->side) {
    case TC_ORDER_BUY: so->side = TC_SIM_BUY; break;
    case TC_ORDER_SELL: so->side = TC_SIM_SELL; break;
    default: snprintf(why, cap, "side %d is unknown", (int)o->side); return -1;
    }
    switch (o->type) {
    case TC_ORDER_MARKET: so->type = TC_SIM_MARKET; break;
    case TC_ORDER_LIMIT: so->type = TC_SIM_LIMIT; break;
    case TC_ORDER_STOP_MARKET: so->type = TC_SIM_STOP_MARKET; break;
    case TC_ORDER_STOP_LIMIT: so->type = TC_SIM_STOP_LIMIT; break;
    default: snprintf(why, cap, "order type %d is unknown", (int)o->type); return -1;
    }
    switch (o->tif) {
    case TC_TIF_DAY: so->tif = TC_SIM_DAY; break;
    case TC_TIF_GTC: so->tif = TC_SIM_GTC; break;
    default: snprintf(why, cap, "time in force %d is unknown", (int)o->tif); return -1;
    }
    if (!memchr(o->instrument_id, 0, sizeof(o->instrument_id)) ||
        strlen(o->instrument_id) >= sizeof(so->instrument)) {
        snprintf(why, cap, "instrument id is too long");
        return -1;
    }
    tc__str_copy(so->instrument, sizeof(so->instrument), o->instrument_id);
    so->quantity = o->quantity;
    if (o->has_limit_price)
        so->limit = o->limit_price;
    if (o->has_stop_price)
        so->stop = o->stop_price;
    return 0;
}

static int sim_submit(struct tc_broker *b, const struct tc_order_intent *o,
                      struct tc_broker_ack *ack, struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    struct tc_sim_order so;
    struct tc_error e;
    struct rec *r;
    char why[TC_BROKER_REASON_MAX];
    size_t ix;
    uint64_t h;
    int rc;
    tc_error_clear(&e);

    if (!o->client_order_id[0] || !memchr(o->client_order_id, 0, sizeof(o->client_order_id)))
        return tc_error_set(err, TC_EINVAL, "sim broker: order without a client order id");
    /* in BACKTEST the ledger submits inside its transaction (in_txn): only
     * this intent's fills may be reported from here; queued ones wait for
     * the next bar */
    if (o->mode != TC_MODE_BACKTEST && (rc = report_pending(s, err)) != 0)
        return rc;

    h = hash_str(o->client_order_id);
    pthread_mutex_lock(&s->mu);
    ix = find_rec_h(s, o->client_order_id, h);
    if (ix != NO_SLOT) {
        /* a resubmission: same answer, same fills again */
        *ack = s->recs[ix].ack;
        for (size_t k = 0; k < s->nfills; k++)
            if (s->fills[k].rec == ix && s->fills[k].state == 2)
                s->fills[k].state = 0;
        for (size_t k = 0; k < s->nfills; k++)
            if (s->fills[k].state == 0 && k < s->pend)
                s->pend = k;
        pthread_mutex_unlock(&s->mu);
        return report_pending(s, err);
    }
    if ((rc = reserve_rec(s)) != 0) {
        pthread_mutex_unlock(&s->mu);
        return tc_error_set(err, rc, "sim broker: order \"%s\": out of memory",
                            o->client_order_id);
    }
    r = &s->recs[s->nrecs];
    r->intent = *o; /* the rest zeroed: the intent is copied whole, not zeroed first */
    memset(&r->ack, 0, sizeof(r->ack));
    r->filled = TC_DEC_ZERO;
    r->working = 0;
    r->hash = h;
    tc__str_join_u64(r->ack.broker_order_id, sizeof(r->ack.broker_order_id), s->opt.id_prefix,
                     ".", s->nrecs + 1);
    if (map_intent(o, &so, why, sizeof(why)) != 0) {
        r->ack.status = TC_ORDER_REJECTED;
        snprintf(r->ack.reason, sizeof(r->ack.reason), "sim broker: order \"%s\": %s",
                 o->client_order_id, why);
    } else {
        tc__str_copy(so.id, sizeof(so.id), r->ack.broker_order_id);
        so.created_day = s->day;
        rc = tc_sim_submit(s->sim, &so, &e);
        if (rc == TC_EINVAL) {
            r->ack.status = TC_ORDER_REJECTED;
            snprintf(r->ack.reason, sizeof(r->ack.reason), "sim broker: order \"%s\": %s",
                     o->client_order_id, tc_error_msg(&e));
        } else if (rc != 0) {
            pthread_mutex_unlock(&s->mu);
            return tc_error_set(err, rc, "sim broker: order \"%s\": %s", o->client_order_id,
                                tc_error_msg(&e));
        } else {
            r->ack.status = TC_ORDER_SUBMITTED;
            r->working = 1;
            s->working++;
            s->acct.orders++;
        }
    }
    slot_put(s->slots, s->capslots, s->recs, s->nrecs);
    s->nrecs++;
    *ack = r->ack;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static int sim_cancel(struct tc_broker *b, const char *coid, struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    struct tc_error e = {0};
    size_t ix;
    int rc;

    if (!coid)
        return tc_error_set(err, TC_EINVAL, "sim broker: cancel needs a client order id");
    pthread_mutex_lock(&s->mu);
    ix = find_rec(s, coid);
    if (ix == NO_SLOT || !s->recs[ix].working) {
        pthread_mutex_unlock(&s->mu);
        return tc_error_set(err, TC_ENOTFOUND, "sim broker: order \"%.100s\" is not working",
                            coid);
    }
    rc = tc_sim_cancel(s->sim, s->recs[ix].ack.broker_order_id, NULL, &e);
    if (rc == 0) {
        s->recs[ix].working = 0;
        s->recs[ix].ack.status = TC_ORDER_CANCELED;
        s->working--;
        if (queue_update(s, &s->recs[ix], TC_ORDER_CANCELED) != 0)
            tc_error_set(&e, TC_ENOMEM, "out of memory");
    }
    pthread_mutex_unlock(&s->mu);
    if (rc != 0)
        return tc_error_set(err, rc, "sim broker: cancel \"%.100s\": %s", coid, tc_error_msg(&e));
    if (e.code == TC_ENOMEM)
        return tc_error_set(err, TC_ENOMEM,
                            "sim broker: cancel \"%.100s\": canceled, but its update was lost "
                            "(out of memory)", coid);
    return report_pending(s, err);
}

/* Called by the simulator under the lock; fails only when an expiry cannot be
 * queued (out of memory): fill room was reserved. */
static int on_event(void *ud, const struct tc_sim_event *ev)
{
    struct simb *s = ud;
    size_t ix = rec_of_sim_id(s, ev->order->id);
    struct rec *r = &s->recs[ix];

    if (ev->kind == TC_SIM_EV_FILL) {
        struct fillrec *fr = &s->fills[s->nfills++];
        struct tc_dec value, flow;
        memset(fr, 0, sizeof(*fr));
        tc__str_copy(fr->f.execution_id, sizeof(fr->f.execution_id), ev->fill->exec_id);
        tc__str_copy(fr->f.client_order_id, sizeof(fr->f.client_order_id),
                     r->intent.client_order_id);
        fr->f.quantity = ev->fill->quantity;
        fr->f.price = ev->fill->price;
        fr->f.commission = ev->fill->commission;
        fr->f.filled_at_us = tc_clock_now(s->opt.clock);
        fr->rec = ix;
        fr->day = ev->fill->day;
        s->acct.fills++;
        if (tc_dec_mul(ev->fill->value, r->intent.multiplier, TC_ROUND_HALF_EVEN, &value) == 0 &&
            (r->intent.side != TC_ORDER_BUY || tc_dec_neg(value, &value) == 0) &&
            tc_dec_add(s->acct.cash_flow, value, &flow) == 0 &&
            tc_dec_sub(flow, ev->fill->commission, &flow) == 0)
            s->acct.cash_flow = flow;
        tc_dec_add(s->acct.commission, ev->fill->commission, &s->acct.commission);
        tc_dec_add(r->filled, ev->fill->quantity, &r->filled);
        if (ev->order->status == TC_SIM_FILLED) {
            r->working = 0;
            s->working--;
        }
    } else if (r->working) {
        r->working = 0;
        r->ack.status = TC_ORDER_EXPIRED;
        s->working--;
        return queue_update(s, r, TC_ORDER_EXPIRED);
    }
    return 0;
}

/* Whether every fill and update has been reported (report_pending would do
 * nothing). Caller holds the lock. */
static int all_reported(const struct simb *s)
{
    return s->pend == s->nfills && s->upend == s->nupdates;
}

/* One lock for a bar that changes nothing to report (most bars): the
 * reporting before and after runs only when there is something to report. */
static int sim_on_bar(struct tc_broker *b, const char *instrument_id, const struct tc_bar *bar,
                      struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    struct tc_error e;
    int rc, quiet;
    tc_error_clear(&e);

    if (!bar)
        return tc_error_set(err, TC_EINVAL, "sim broker: on_bar needs a bar");
    pthread_mutex_lock(&s->mu);
    if (!all_reported(s)) {
        pthread_mutex_unlock(&s->mu);
        if ((rc = report_pending(s, err)) != 0)
            return rc;
        pthread_mutex_lock(&s->mu);
    }
    if (bar->day > s->day)
        s->day = bar->day;
    rc = s->working ? reserve_fills(s, s->working) : 0;
    if (rc == 0 && s->working)
        rc = tc_sim_on_bar(s->sim, instrument_id, bar, on_event, s, &e);
    quiet = all_reported(s);
    pthread_mutex_unlock(&s->mu);
    if (rc != 0)
        return tc_error_set(err, rc, "sim broker: bar of \"%.64s\": %s", instrument_id,
                            rc == TC_ENOMEM ? "out of memory" : tc_error_msg(&e));
    return quiet ? 0 : report_pending(s, err);
}

static int sim_open_orders(struct tc_broker *b,
                           int (*fn)(const struct tc_order_intent *intent, void *ud), void *ud,
                           struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    struct tc_order_intent *list;
    size_t n = 0;

    pthread_mutex_lock(&s->mu);
    list = malloc((s->working ? s->working : 1) * sizeof(*list));
    if (list)
        for (size_t k = 0; k < s->nrecs; k++)
            if (s->recs[k].working)
                list[n++] = s->recs[k].intent;
    pthread_mutex_unlock(&s->mu);
    if (!list)
        return tc_error_set(err, TC_ENOMEM, "sim broker: out of memory");
    for (size_t k = 0; k < n; k++)
        if (fn(&list[k], ud) != 0)
            break;
    free(list);
    return 0;
}

static void sim_set_update_handler(struct tc_broker *b, tc_broker_update_fn fn, void *ud)
{
    struct simb *s = (struct simb *)b;
    pthread_mutex_lock(&s->mu);
    s->on_update = fn;
    s->update_ud = ud;
    pthread_mutex_unlock(&s->mu);
}

static int sim_in_txn(struct tc_broker *b, const struct tc_order_intent *intent)
{
    return intent->mode == TC_MODE_BACKTEST; /* the simulated world is this process's */
}

static int sim_account(struct tc_broker *b, struct tc_broker_account *out, struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    pthread_mutex_lock(&s->mu);
    *out = s->acct;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static void sim_free(struct tc_broker *b)
{
    struct simb *s = (struct simb *)b;
    tc_sim_free(s->sim);
    free(s->recs);
    free(s->slots);
    free(s->fills);
    free(s->updates);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static const struct tc_broker_ops sim_ops = {
    .name = "sim",
    .submit = sim_submit,
    .cancel = sim_cancel,
    .on_bar = sim_on_bar,
    .open_orders = sim_open_orders,
    .account = sim_account,
    .free = sim_free,
    .in_txn = sim_in_txn,
    .set_update_handler = sim_set_update_handler,
};

int tc_broker_sim_new(const struct tc_broker_sim_options *opt, struct tc_broker **out,
                      struct tc_error *err)
{
    struct tc_broker_sim_options def;
    struct simb *s;
    int rc;

    if (!out)
        return tc_error_set(err, TC_EINVAL, "sim broker: no output given");
    *out = NULL;
    if (!opt) {
        tc_broker_sim_options_default(&def);
        opt = &def;
    }
    if (!memchr(opt->id_prefix, 0, sizeof(opt->id_prefix)))
        return tc_error_set(err, TC_EINVAL, "sim broker: id prefix is longer than %d characters",
                            TC_BROKER_SIM_PREFIX_MAX);
    if (opt->id_prefix[0] && (rc = tc_id_validate("sim broker id prefix", opt->id_prefix, err)) != 0)
        return rc;
    if (!(s = calloc(1, sizeof(*s))))
        return tc_error_set(err, TC_ENOMEM, "sim broker: out of memory");
    s->opt = *opt;
    if (!s->opt.id_prefix[0])
        snprintf(s->opt.id_prefix, sizeof(s->opt.id_prefix), "sim");
    s->prefix_len = strlen(s->opt.id_prefix);
    if ((rc = tc_sim_new(&s->opt.sim, &s->sim, err)) != 0) {
        free(s);
        return tc_error_prefix(err, "sim broker");
    }
    s->base.ops = &sim_ops;
    s->day = INT64_MIN;
    pthread_mutex_init(&s->mu, NULL);
    *out = &s->base;
    return 0;
}

int tc_broker_sim_set_day(struct tc_broker *b, int64_t day, struct tc_error *err)
{
    struct simb *s = as_sim(b);
    if (!s)
        return tc_error_set(err, TC_EINVAL, "broker \"%s\" is not a sim broker", tc_broker_name(b));
    pthread_mutex_lock(&s->mu);
    if (day > s->day)
        s->day = day;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int tc_broker_sim_set_instrument(struct tc_broker *b, const char *instrument, struct tc_dec tick,
                                 struct tc_dec lot, struct tc_error *err)
{
    struct simb *s = as_sim(b);
    int rc;
    if (!s)
        return tc_error_set(err, TC_EINVAL, "broker \"%s\" is not a sim broker", tc_broker_name(b));
    pthread_mutex_lock(&s->mu);
    rc = tc_sim_set_instrument(s->sim, instrument, tick, lot, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void tc_broker_sim_set_observer(struct tc_broker *b, tc_broker_sim_observer_fn fn, void *ud)
{
    struct simb *s = as_sim(b);
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->observer = fn;
    s->observer_ud = ud;
    pthread_mutex_unlock(&s->mu);
}

size_t tc_broker_sim_working(struct tc_broker *b)
{
    struct simb *s = as_sim(b);
    size_t n;
    if (!s)
        return 0;
    pthread_mutex_lock(&s->mu);
    n = s->working + (s->nfills - s->pend) + (s->nupdates - s->upend);
    pthread_mutex_unlock(&s->mu);
    return n;
}
