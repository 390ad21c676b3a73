/* The `sim` broker: order intents become market-simulator orders, bars fill
 * them, fills go to the broker's fill handler with the simulator's
 * deterministic execution ids. Every client order id answered is remembered
 * for idempotent submit, compactly: the id itself, the acknowledgement's
 * status (and a rejection's reason), the quantity filled. An order's intent
 * is kept only while it is read: while the order works, and until the
 * observer has seen each of its fills. Fills are kept in the order they
 * happened as numbers (their ids are made again from the order's number)
 * and reported outside the lock, a batch per lock round, a refused one
 * again at the next call. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "exec/sim_internal.h"
#include "tradecore/broker_sim.h"
#include "tradecore/id.h"
#include "internal/banned.h"

#define NONE UINT32_MAX
#define CHUNK 32        /* intents per block of live intents (a block never moves) */
#define BATCH 8         /* fills claimed for reporting per lock round */

/* One client order id the broker has answered (records are numbered from 0
 * in order of submission: record n is the order "<prefix>.<n + 1>"). */
struct rec {
    uint64_t hash;               /* of the client order id (the map's growth) */
    size_t name;                 /* client order id at names + name; a rejection's
                                    reason follows its NUL */
    struct tc_dec filled;        /* fills made so far */
    uint32_t live;               /* its intent's live slot, NONE when not kept */
    uint32_t unobserved;         /* its fills the observer has not seen yet */
    uint8_t len;                 /* client order id length (< TC_CLIENT_ORDER_ID_MAX) */
    uint8_t status;              /* the acknowledgement's status */
    uint8_t working;             /* in the simulator's book */
};

enum { TO_REPORT = 0, REPORTING = 1, REPORTED = 2 };

/* One fill; its execution id is "<prefix>.<rec + 1>-F<seq>" (the simulator's). */
struct fillrec {
    struct tc_dec quantity, price, commission;
    int64_t at_us;               /* filled_at */
    int64_t day;                 /* the bar's day */
    uint32_t rec;
    uint32_t seq;
    uint8_t state;
    uint8_t observed;
};

/* The end of an order (EXPIRED or CANCELED), to report. */
struct updrec {
    struct tc_dec remaining;
    int64_t at_us;
    uint32_t rec;
    uint8_t status;
};

/* A fill claimed for reporting outside the lock. */
struct claim {
    struct tc_fill f;
    const struct tc_order_intent *intent;  /* for the observer; NULL when it saw the fill */
    int64_t day;
    size_t k;                              /* in fills */
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
    uint32_t *slots;             /* client order id -> rec, open addressing */
    size_t capslots;
    char *names;                 /* client order ids and rejection reasons */
    size_t nnames, capnames;
    struct tc_order_intent **chunks;  /* live intents, CHUNK a block */
    size_t nchunks, nlive;       /* NLIVE slots ever handed out */
    uint32_t free_live;          /* a free slot's next is kept in its order_id */
    struct fillrec *fills;
    size_t nfills, capfills, pend;  /* fills before PEND are all reported */
    size_t working;
    struct updrec *updates;      /* expiries and cancels, in order */
    size_t nupdates, capupdates, upend;  /* updates before UPEND are reported */
    struct tc_broker_account acct;
    tc_broker_sim_observer_fn observer;
    void *observer_ud;
    tc_broker_update_fn on_update;
    void *update_ud;
};

static const struct tc_broker_ops sim_ops;

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

/* ---- ids and records ------------------------------------------------------- */

/* V in decimal at P (no NUL); returns the number of digits. */
static size_t put_u64(char *p, uint64_t v)
{
    char t[20];
    size_t n = 0, k = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        p[k++] = t[--n];
    return k;
}

/* The order id of rec R, "<prefix>.<R + 1>", into BUF (at least
 * TC_SIM_ORDER_ID_MAX bytes); returns its length. */
static size_t order_id(const struct simb *s, size_t r, char *buf)
{
    size_t n = s->prefix_len;
    memcpy(buf, s->opt.id_prefix, n);
    buf[n++] = '.';
    n += put_u64(buf + n, (uint64_t)r + 1);
    buf[n] = '\0';
    return n;
}

/* The rec index of simulator order id "<prefix>.<n>": n - 1. */
static size_t rec_of_sim_id(const struct simb *s, const char *id)
{
    size_t n = 0;
    for (const char *p = id + s->prefix_len + 1; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (size_t)(*p - '0');
    return n - 1;
}

static const char *name_of(const struct simb *s, const struct rec *r)
{
    return s->names + r->name;
}

/* The rec of client order id COID (LEN bytes) whose hash is H, or NONE. */
static uint32_t find_rec(const struct simb *s, const char *coid, size_t len, uint64_t h)
{
    if (!s->capslots)
        return NONE;
    for (size_t j = h & (s->capslots - 1);; j = (j + 1) & (s->capslots - 1)) {
        uint32_t r = s->slots[j];
        if (r == NONE)
            return NONE;
        if (s->recs[r].hash == h && s->recs[r].len == len &&
            memcmp(name_of(s, &s->recs[r]), coid, len) == 0)
            return r;
    }
}

/* Rec R in the map (its hash kept in the rec: hashed once, when submitted). */
static void slot_put(uint32_t *slots, size_t cap, const struct rec *recs, size_t r)
{
    size_t j = recs[r].hash & (cap - 1);
    while (slots[j] != NONE)
        j = (j + 1) & (cap - 1);
    slots[j] = (uint32_t)r;
}

static struct tc_order_intent *live_at(const struct simb *s, uint32_t i)
{
    return &s->chunks[i / CHUNK][i % CHUNK];
}

/* A live slot for an intent (one was reserved). */
static uint32_t take_live(struct simb *s)
{
    uint32_t i = s->free_live;
    if (i == NONE)
        return (uint32_t)s->nlive++;
    memcpy(&s->free_live, live_at(s, i)->order_id, sizeof(s->free_live));
    return i;
}

/* Gives R's intent slot back once nothing reads it: the order has ended and
 * the observer has seen each of its fills. */
static void drop_live(struct simb *s, struct rec *r)
{
    if (r->live == NONE || r->working || r->unobserved)
        return;
    memcpy(live_at(s, r->live)->order_id, &s->free_live, sizeof(s->free_live));
    s->free_live = r->live;
    r->live = NONE;
}

/* Room for one more rec with a client order id of LEN bytes: its slot, its
 * name and a reason, a live intent. Nothing is counted yet. */
static int reserve_rec(struct simb *s, size_t len)
{
    size_t need = len + 1 + TC_BROKER_REASON_MAX;

    if (s->nrecs >= NONE - 1)
        return TC_ENOMEM; /* rec numbers are 32-bit */
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
        uint32_t *t = malloc(cap * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        for (size_t k = 0; k < cap; k++)
            t[k] = NONE;
        for (size_t r = 0; r < s->nrecs; r++)
            slot_put(t, cap, s->recs, r);
        free(s->slots);
        s->slots = t;
        s->capslots = cap;
    }
    if (s->capnames - s->nnames < need) {
        size_t cap = s->capnames ? s->capnames : 4096;
        char *t;
        while (cap - s->nnames < need)
            cap *= 2;
        if (!(t = realloc(s->names, cap)))
            return TC_ENOMEM;
        s->names = t;
        s->capnames = cap;
    }
    if (s->free_live == NONE && s->nlive == s->nchunks * CHUNK) {
        struct tc_order_intent **t, *c;
        if (s->nlive >= NONE - CHUNK)
            return TC_ENOMEM;
        if (!(t = realloc(s->chunks, (s->nchunks + 1) * sizeof(*t))))
            return TC_ENOMEM;
        s->chunks = t;
        if (!(c = malloc(CHUNK * sizeof(*c))))
            return TC_ENOMEM;
        s->chunks[s->nchunks++] = c;
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

/* ---- reporting ------------------------------------------------------------ */

/* Whether every fill and update has been reported. Caller holds the lock. */
static int all_reported(const struct simb *s)
{
    return s->pend == s->nfills && s->upend == s->nupdates;
}

/* The fill as the handler gets it. Caller holds the lock. */
static void make_fill(const struct simb *s, const struct fillrec *fr, struct tc_fill *f)
{
    const struct rec *r = &s->recs[fr->rec];
    size_t n = order_id(s, fr->rec, f->execution_id);

    f->execution_id[n++] = '-';
    f->execution_id[n++] = 'F';
    n += put_u64(f->execution_id + n, fr->seq);
    f->execution_id[n] = '\0';
    memcpy(f->client_order_id, name_of(s, r), (size_t)r->len + 1);
    f->quantity = fr->quantity;
    f->price = fr->price;
    f->commission = fr->commission;
    f->filled_at_us = fr->at_us;
}

/* Claims up to BATCH fills not reported yet, in order, for the caller to
 * report outside the lock; returns how many. Caller holds the lock. */
static size_t claim_fills(struct simb *s, struct claim *c)
{
    size_t n = 0;
    for (size_t k = s->pend; k < s->nfills && n < BATCH; k++) {
        struct fillrec *fr = &s->fills[k];
        if (fr->state != TO_REPORT)
            continue;
        fr->state = REPORTING;
        make_fill(s, fr, &c[n].f);
        c[n].intent = fr->observed ? NULL : live_at(s, s->recs[fr->rec].live);
        c[n].day = fr->day;
        c[n].k = k;
        n++;
    }
    return n;
}

/* The handler's answers to the N claimed fills: the first OK were recorded
 * (and observed), the rest stay to report. Caller holds the lock. */
static void settle(struct simb *s, const struct claim *c, size_t n, size_t ok)
{
    for (size_t i = 0; i < n; i++) {
        struct fillrec *fr = &s->fills[c[i].k];
        if (i >= ok) {
            fr->state = TO_REPORT;
            continue;
        }
        fr->state = REPORTED;
        if (c[i].intent) {
            struct rec *r = &s->recs[fr->rec];
            fr->observed = 1;
            r->unobserved--;
            drop_live(s, r);
        }
    }
    while (s->pend < s->nfills && s->fills[s->pend].state == REPORTED)
        s->pend++;
}

static void make_update(const struct simb *s, const struct updrec *ur, struct tc_order_update *u)
{
    const struct rec *r = &s->recs[ur->rec];
    memset(u, 0, sizeof(*u));
    memcpy(u->client_order_id, name_of(s, r), (size_t)r->len + 1);
    u->status = (enum tc_order_status)ur->status;
    u->remaining = ur->remaining;
    tc__str_copy(u->reason, sizeof(u->reason),
                 ur->status == TC_ORDER_EXPIRED ? "day order expired" : "canceled");
    u->at_us = ur->at_us;
}

/*
 * Reports every fill not reported yet, in order, then (once every fill has
 * been reported: an order's fills come before its end) the order updates.
 * Called with the lock held; returns with it released. The handler and the
 * observer run outside the lock. Returns the first refusal of a handler
 * (that fill or update then stays queued).
 */
static int report_locked(struct simb *s, struct tc_error *err)
{
    struct claim c[BATCH];

    for (;;) {
        size_t n = claim_fills(s, c), ok;
        int rc = 0;

        if (n == 0) {
            struct tc_order_update u;
            tc_broker_update_fn fn = s->on_update;
            void *ud = s->update_ud;
            size_t k = s->upend;

            if (s->pend != s->nfills || k == s->nupdates) {
                pthread_mutex_unlock(&s->mu);
                return 0;
            }
            make_update(s, &s->updates[k], &u);
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
            continue;
        }
        pthread_mutex_unlock(&s->mu);
        for (ok = 0; ok < n; ok++) {
            if ((rc = tc_broker_report_fill(&s->base, &c[ok].f)) != 0)
                break;
            if (c[ok].intent && s->observer) {
                struct tc_broker_sim_fill_event ev = {c[ok].intent, &c[ok].f, c[ok].day};
                s->observer(s->observer_ud, &ev);
            }
        }
        pthread_mutex_lock(&s->mu);
        settle(s, c, n, ok);
        if (rc != 0) {
            pthread_mutex_unlock(&s->mu);
            return tc_error_set(err, rc < 0 ? rc : TC_EINTERNAL,
                                "sim broker: fill \"%s\" of order \"%s\" was not recorded: %s",
                                c[ok].f.execution_id, c[ok].f.client_order_id, tc_strerror(rc));
        }
    }
}

static int report_pending(struct simb *s, struct tc_error *err)
{
    pthread_mutex_lock(&s->mu);
    if (all_reported(s)) {
        pthread_mutex_unlock(&s->mu);
        return 0;
    }
    return report_locked(s, err);
}

/* Queues the end of rec IX (EXPIRED or CANCELED), whose intent is live.
 * Caller holds the lock. */
static int queue_update(struct simb *s, uint32_t ix, enum tc_order_status status)
{
    const struct rec *r = &s->recs[ix];
    struct tc_dec qty = live_at(s, r->live)->quantity;
    struct updrec *u;

    if (s->nupdates == s->capupdates) {
        size_t cap = s->capupdates ? s->capupdates * 2 : 16;
        struct updrec *t = realloc(s->updates, cap * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        s->updates = t;
        s->capupdates = cap;
    }
    u = &s->updates[s->nupdates++];
    u->rec = ix;
    u->status = (uint8_t)status;
    if (tc_dec_sub(qty, r->filled, &u->remaining) != 0)
        u->remaining = qty;
    u->at_us = tc_clock_now(s->opt.clock);
    return 0;
}

/* ---- ops ------------------------------------------------------------------- */

/* The simulator order of intent O into *SO (its id already there); WHY
 * says what is wrong when it returns -1. */
static int map_intent(const struct tc_order_intent *o, struct tc_sim_order *so, char *why,
                      size_t cap)
{
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
    /* both 65 bytes: a terminated instrument id always fits */
    if (!memchr(o->instrument_id, 0, sizeof(o->instrument_id)) ||
        sizeof(o->instrument_id) > sizeof(so->instrument)) {
        snprintf(why, cap, "instrument id is too long");
        return -1;
    }
    memcpy(so->instrument, o->instrument_id, sizeof(o->instrument_id));
    so->quantity = o->quantity;
    so->limit = o->has_limit_price ? o->limit_price : TC_DEC_ZERO;
    so->stop = o->has_stop_price ? o->stop_price : TC_DEC_ZERO;
    so->tick = TC_DEC_ZERO;
    so->lot = TC_DEC_ZERO;
    return 0;
}

/* A known client order id submitted again: its first acknowledgement (with
 * the status it has now), and its fills reported again. Called with the
 * lock held; returns with it released. */
static int resubmit(struct simb *s, uint32_t ix, struct tc_broker_ack *ack, struct tc_error *err)
{
    const struct rec *r = &s->recs[ix];

    order_id(s, ix, ack->broker_order_id);
    ack->status = (enum tc_order_status)r->status;
    if (r->status == TC_ORDER_REJECTED)
        tc__str_copy(ack->reason, sizeof(ack->reason), name_of(s, r) + r->len + 1);
    else
        ack->reason[0] = '\0';
    for (size_t k = 0; k < s->nfills; k++)
        if (s->fills[k].rec == ix && s->fills[k].state == REPORTED) {
            s->fills[k].state = TO_REPORT;
            if (k < s->pend)
                s->pend = k;
        }
    return report_locked(s, err);
}

static int sim_submit(struct tc_broker *b, const struct tc_order_intent *o,
                      struct tc_broker_ack *ack, struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    const char *coid = o->client_order_id;
    const char *end = memchr(coid, 0, sizeof(o->client_order_id));
    struct tc_sim_order so;
    struct tc_error e;
    struct rec *r;
    char why[TC_BROKER_REASON_MAX];
    char *name;
    size_t len, idlen;
    uint32_t ix;
    uint64_t h;
    int rc;

    if (!end || end == coid)
        return tc_error_set(err, TC_EINVAL, "sim broker: order without a client order id");
    len = (size_t)(end - coid);
    /* in BACKTEST the ledger submits inside its transaction (in_txn): only
     * this intent's fills may be reported from here; queued ones wait for
     * the next bar */
    if (o->mode != TC_MODE_BACKTEST && (rc = report_pending(s, err)) != 0)
        return rc;

    h = tc__str_hash(coid);
    pthread_mutex_lock(&s->mu);
    if ((ix = find_rec(s, coid, len, h)) != NONE)
        return resubmit(s, ix, ack, err);
    if ((rc = reserve_rec(s, len)) != 0) {
        pthread_mutex_unlock(&s->mu);
        return tc_error_set(err, rc, "sim broker: order \"%s\": out of memory", coid);
    }
    r = &s->recs[s->nrecs];
    r->hash = h;
    r->name = s->nnames;
    r->filled = TC_DEC_ZERO;
    r->live = NONE;
    r->unobserved = 0;
    r->len = (uint8_t)len;
    r->working = 0;
    name = s->names + s->nnames;
    memcpy(name, coid, len + 1);
    idlen = order_id(s, s->nrecs, so.id);
    if (map_intent(o, &so, why, sizeof(why)) == 0) {
        so.created_day = s->day;
        tc_error_clear(&e);
        rc = tc__sim_submit_own_id(s->sim, &so, &e);
        if (rc != 0 && rc != TC_EINVAL) {
            pthread_mutex_unlock(&s->mu);
            return tc_error_set(err, rc, "sim broker: order \"%s\": %s", coid, tc_error_msg(&e));
        }
        if (rc == TC_EINVAL)
            tc__str_copy(why, sizeof(why), tc_error_msg(&e));
    } else {
        rc = TC_EINVAL;
    }
    if (rc == 0) {
        r->status = TC_ORDER_SUBMITTED;
        r->working = 1;
        r->live = take_live(s);
        *live_at(s, r->live) = *o;
        s->working++;
        s->acct.orders++;
        s->nnames += len + 1;
        ack->reason[0] = '\0';
    } else {
        /* the reason is kept after the name: a resubmission answers it again */
        char *reason = name + len + 1;
        size_t n = (size_t)snprintf(reason, TC_BROKER_REASON_MAX, "sim broker: order \"%s\": %s",
                                    coid, why);
        r->status = TC_ORDER_REJECTED;
        s->nnames += len + 1 + (n < TC_BROKER_REASON_MAX ? n : TC_BROKER_REASON_MAX - 1) + 1;
        memcpy(ack->reason, reason, strlen(reason) + 1);
    }
    slot_put(s->slots, s->capslots, s->recs, s->nrecs);
    s->nrecs++;
    memcpy(ack->broker_order_id, so.id, idlen + 1);
    ack->status = (enum tc_order_status)r->status;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static int sim_cancel(struct tc_broker *b, const char *coid, struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    struct tc_error e = {0};
    char id[TC_SIM_ORDER_ID_MAX];
    size_t len;
    uint32_t ix;
    uint64_t h;
    int rc, lost = 0;

    if (!coid)
        return tc_error_set(err, TC_EINVAL, "sim broker: cancel needs a client order id");
    len = strlen(coid);
    h = tc__str_hash(coid);
    pthread_mutex_lock(&s->mu);
    ix = len < TC_CLIENT_ORDER_ID_MAX ? find_rec(s, coid, len, h) : NONE;
    if (ix == NONE || !s->recs[ix].working) {
        pthread_mutex_unlock(&s->mu);
        return tc_error_set(err, TC_ENOTFOUND, "sim broker: order \"%.100s\" is not working",
                            coid);
    }
    order_id(s, ix, id);
    rc = tc_sim_cancel(s->sim, id, NULL, &e);
    if (rc == 0) {
        struct rec *r = &s->recs[ix];
        lost = queue_update(s, ix, TC_ORDER_CANCELED) != 0;
        r->working = 0;
        r->status = TC_ORDER_CANCELED;
        s->working--;
        drop_live(s, r);
    }
    if (rc != 0 || lost) {
        pthread_mutex_unlock(&s->mu);
        if (rc != 0)
            return tc_error_set(err, rc, "sim broker: cancel \"%.100s\": %s", coid,
                                tc_error_msg(&e));
        return tc_error_set(err, TC_ENOMEM,
                            "sim broker: cancel \"%.100s\": canceled, but its update was lost "
                            "(out of memory)", coid);
    }
    return report_locked(s, err);
}

/* Called by the simulator under the lock; fails only when an expiry cannot be
 * queued (out of memory): fill room was reserved. */
static int on_event(void *ud, const struct tc_sim_event *ev)
{
    struct simb *s = ud;
    size_t ix = rec_of_sim_id(s, ev->order->id);
    struct rec *r = &s->recs[ix];
    int rc;

    if (!r->working)
        return 0;
    if (ev->kind == TC_SIM_EV_FILL) {
        const struct tc_order_intent *in = live_at(s, r->live);
        struct fillrec *fr = &s->fills[s->nfills++];
        struct tc_dec value, flow;

        fr->quantity = ev->fill->quantity;
        fr->price = ev->fill->price;
        fr->commission = ev->fill->commission;
        fr->at_us = tc_clock_now(s->opt.clock);
        fr->day = ev->fill->day;
        fr->rec = (uint32_t)ix;
        fr->seq = ev->fill->seq;
        fr->state = TO_REPORT;
        fr->observed = 0;
        r->unobserved++;
        s->acct.fills++;
        if (tc_dec_mul(ev->fill->value, in->multiplier, TC_ROUND_HALF_EVEN, &value) == 0 &&
            (in->side != TC_ORDER_BUY || tc_dec_neg(value, &value) == 0) &&
            tc_dec_add(s->acct.cash_flow, value, &flow) == 0 &&
            tc_dec_sub(flow, ev->fill->commission, &flow) == 0)
            s->acct.cash_flow = flow;
        tc_dec_add(s->acct.commission, ev->fill->commission, &s->acct.commission);
        tc_dec_add(r->filled, ev->fill->quantity, &r->filled);
        if (ev->order->status == TC_SIM_FILLED) {
            r->working = 0;
            s->working--;
        }
        return 0;
    }
    rc = queue_update(s, (uint32_t)ix, TC_ORDER_EXPIRED);
    r->working = 0;
    r->status = TC_ORDER_EXPIRED;
    s->working--;
    drop_live(s, r);
    return rc;
}

/* One lock for a bar that changes nothing to report (most bars); a bar
 * with fills takes one more, after they are reported. */
static int sim_on_bar(struct tc_broker *b, const char *instrument_id, const struct tc_bar *bar,
                      struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    struct tc_error e;
    int rc;

    if (!bar)
        return tc_error_set(err, TC_EINVAL, "sim broker: on_bar needs a bar");
    pthread_mutex_lock(&s->mu);
    if (!all_reported(s)) {
        if ((rc = report_locked(s, err)) != 0)
            return rc;
        pthread_mutex_lock(&s->mu);
    }
    if (bar->day > s->day)
        s->day = bar->day;
    if (s->working) {
        tc_error_clear(&e);
        if ((rc = reserve_fills(s, s->working)) == 0)
            rc = tc_sim_on_bar(s->sim, instrument_id, bar, on_event, s, &e);
        if (rc != 0) {
            pthread_mutex_unlock(&s->mu);
            return tc_error_set(err, rc, "sim broker: bar of \"%.64s\": %s", instrument_id,
                                rc == TC_ENOMEM ? "out of memory" : tc_error_msg(&e));
        }
    }
    if (all_reported(s)) {
        pthread_mutex_unlock(&s->mu);
        return 0;
    }
    return report_locked(s, err);
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
        for (size_t k = 0; k < s->nrecs && n < s->working; k++)
            if (s->recs[k].working)
                list[n++] = *live_at(s, s->recs[k].live);
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
    (void)b;
    return intent->mode == TC_MODE_BACKTEST; /* the simulated world is this process's */
}

static int sim_account(struct tc_broker *b, struct tc_broker_account *out, struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    (void)err;
    pthread_mutex_lock(&s->mu);
    *out = s->acct;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static void sim_free(struct tc_broker *b)
{
    struct simb *s = (struct simb *)b;
    tc_sim_free(s->sim);
    for (size_t k = 0; k < s->nchunks; k++)
        free(s->chunks[k]);
    free(s->chunks);
    free(s->recs);
    free(s->slots);
    free(s->names);
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
    s->free_live = NONE;
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
