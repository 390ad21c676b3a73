/* The `sim` broker: order intents become market-simulator orders, bars fill
 * them, fills go to the broker's fill handler with the simulator's
 * deterministic execution ids. Every client order id answered is remembered
 * for idempotent submit, compactly: the id itself, its order id, the
 * acknowledgement's status (and a rejection's reason), the quantity
 * filled. An order's intent is kept only while it is read: while the order
 * works, and until the observer has seen each of its fills. Fills are kept
 * in the order they happened as numbers (their execution ids are made from
 * the order's id when reported) and reported outside the lock, claimed a batch at a time; an accepted
 * fill is settled by the next holder of the lock (no second lock round), a
 * refused one is reported again at the next call. Records, fills and names
 * live in blocks that never move, so nothing is copied as they grow. The
 * current day only rises: an atomic maximum, set without the lock. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/str.h"
#include "exec/sim_internal.h"
#include "tradecore/broker_sim.h"
#include "tradecore/id.h"
#include "internal/banned.h"

#define NONE UINT32_MAX
#define CHUNK 32        /* intents per block of live intents (a block never moves) */
#define BATCH 8         /* fills claimed for reporting per lock round */
/* Records, fills and names live in blocks that never move: growing adds a
 * block and copies nothing. */
#define REC_SHIFT 8
#define FILL_SHIFT 8
#define NAME_BLOCK 16384  /* bytes; a name and its reason never straddle two */

/* One client order id the broker has answered (records are numbered from 0
 * in order of submission: record n is the order "<prefix>.<n + 1>"). */
struct rec {
    uint64_t hash;               /* of the client order id (the map's growth) */
    const char *name;            /* client order id (in a names block), then its
                                    order id (rec_oid), then a rejection's reason,
                                    each after the NUL of the one before */
    struct tc_dec filled;        /* fills made so far */
    uint32_t live;               /* its intent's live slot, NONE when not kept */
    uint32_t unobserved;         /* its fills the observer has not seen yet */
    uint8_t len;                 /* client order id length (< TC_CLIENT_ORDER_ID_MAX) */
    uint8_t status;              /* the acknowledgement's status */
    uint8_t working;             /* in the simulator's book */
    uint8_t idlen;               /* order id length (< TC_SIM_ORDER_ID_MAX) */
};

/* A fill's state. REPORTING: claimed by one caller, who reports it outside
 * the lock and then stores ACCEPTED (the handler took it, the observer has
 * run) without taking the lock again; the next caller to hold the lock
 * sweeps it to REPORTED. Only REPORTING -> ACCEPTED happens outside the
 * lock (an atomic store with release, read with acquire). */
enum { TO_REPORT = 0, REPORTING = 1, ACCEPTED = 2, REPORTED = 3 };

/* One fill; its execution id is "<prefix>.<rec + 1>-F<seq>" (the simulator's). */
struct fillrec {
    struct tc_dec quantity, price, commission;
    int64_t at_us;               /* filled_at */
    int64_t day;                 /* the bar's day */
    uint32_t rec;
    uint32_t seq;
    atomic_uchar state;
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
    struct fillrec *fr;                    /* blocks never move: safe outside the lock */
};

struct simb {
    struct tc_broker base;
    pthread_mutex_t mu;
    struct tc_broker_sim_options opt;
    struct tc_sim *sim;
    size_t prefix_len;
    char num[11];                /* NRECS + 1 in decimal, NUMLEN digits (no NUL): the
                                    next order's number (order ids are in sequence) */
    size_t numlen;
    _Atomic int64_t day;         /* only rises (raise_day): read and set without the lock */
    struct rec **recb;           /* blocks of 1 << REC_SHIFT recs */
    size_t nrecs, nrecb;
    uint32_t *slots;             /* client order id -> rec, open addressing */
    size_t capslots;
    char **nameb;                /* client order ids and rejection reasons */
    size_t nnameb, name_used;    /* NAME_USED bytes of the last block */
    struct tc_order_intent **chunks;  /* live intents, CHUNK a block */
    size_t nchunks, nlive;       /* NLIVE slots ever handed out */
    uint32_t free_live;          /* a free slot's next is kept in its order_id */
    uint32_t *sim_rec;           /* the rec of each order the simulator took, by its
                                    seq - 1 (the simulator counts the orders it takes) */
    size_t nsim, capsim;
    struct fillrec **fillb;      /* blocks of 1 << FILL_SHIFT fills */
    size_t nfills, nfillb, pend; /* fills before PEND are all reported */
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

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                  "25262728293031323334353637383940414243444546474849"
                                  "50515253545556575859606162636465666768697071727374"
                                  "75767778798081828384858687888990919293949596979899";

/* V in decimal at P (no NUL), two digits a step from the end; returns the
 * number of digits. */
static size_t put_u32(char *p, uint32_t v)
{
    size_t n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5
             : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    size_t k = n;
    while (v >= 100) {
        uint32_t d = v % 100;
        v /= 100;
        p[--k] = digit_pairs[2 * d + 1];
        p[--k] = digit_pairs[2 * d];
    }
    if (v >= 10) {
        p[1] = digit_pairs[2 * v + 1];
        p[0] = digit_pairs[2 * v];
    } else {
        p[0] = (char)('0' + v);
    }
    return n;
}

/* The order id of the next rec (number NRECS), "<prefix>.<NRECS + 1>",
 * into BUF (at least TC_SIM_ORDER_ID_MAX bytes); returns its length. */
_Static_assert(TC_BROKER_SIM_PREFIX_MAX + 1 + sizeof(((struct simb *)0)->num) <= TC_SIM_ORDER_ID_MAX,
               "the whole prefix field, the dot and the whole number field fit an order id");
static size_t next_order_id(const struct simb *s, char *buf)
{
    size_t n = s->prefix_len;
    memcpy(buf, s->opt.id_prefix, sizeof(s->opt.id_prefix)); /* fixed size: no call */
    buf[n++] = '.';
    memcpy(buf + n, s->num, sizeof(s->num));                  /* fixed size: no call */
    n += s->numlen;
    buf[n] = '\0';
    return n;
}

/* NUM becomes the number after it (a rec was counted): the last digit
 * goes up, a 9 carries; 9...9 becomes 10...0, one digit longer. */
static void num_next(struct simb *s)
{
    size_t i = s->numlen;
    while (i > 0 && s->num[i - 1] == '9')
        s->num[--i] = '0';
    if (i > 0) {
        s->num[i - 1]++;
    } else {
        s->num[0] = '1';
        s->num[s->numlen++] = '0'; /* below 2^32 - 1: at most 10 digits */
    }
}

/* The order id of rec R, made once when it was submitted (a fill's
 * execution id, a resubmission's acknowledgement and a cancel read it). */
static const char *rec_oid(const struct rec *r) { return r->name + r->len + 1; }

static struct rec *rec_at(const struct simb *s, size_t i)
{
    return &s->recb[i >> REC_SHIFT][i & (((size_t)1 << REC_SHIFT) - 1)];
}

static struct fillrec *fill_at(const struct simb *s, size_t k)
{
    return &s->fillb[k >> FILL_SHIFT][k & (((size_t)1 << FILL_SHIFT) - 1)];
}

/* The rec of client order id COID (LEN bytes) whose hash is H, or NONE.
 * Inline: once an order, and its call cost as much as the lookup of a new id. */
static inline __attribute__((always_inline)) uint32_t find_rec(const struct simb *s, const char *coid, size_t len, uint64_t h)
{
    if (!s->capslots)
        return NONE;
    for (size_t j = h & (s->capslots - 1);; j = (j + 1) & (s->capslots - 1)) {
        uint32_t r = s->slots[j];
        if (r == NONE)
            return NONE;
        const struct rec *x = rec_at(s, r);
        if (x->hash == h && x->len == len && memcmp(x->name, coid, len) == 0)
            return r;
    }
}

/* Rec R, whose hash is H, in the map (its hash kept in the rec: hashed
 * once, when submitted). */
static void slot_put(uint32_t *slots, size_t cap, uint64_t h, size_t r)
{
    size_t j = h & (cap - 1);
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
 * name and a reason, a live intent, its place among the simulator's orders.
 * Nothing is counted yet. */
static int reserve_rec(struct simb *s, size_t len)
{
    size_t need = len + 1 + TC_SIM_ORDER_ID_MAX + TC_BROKER_REASON_MAX;

    if (s->nrecs >= NONE - 1)
        return TC_ENOMEM; /* rec numbers are 32-bit */
    if (s->nrecs == s->nrecb << REC_SHIFT) {
        struct rec **t = realloc(s->recb, (s->nrecb + 1) * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        s->recb = t;
        if (!(t[s->nrecb] = malloc(((size_t)1 << REC_SHIFT) * sizeof(**t))))
            return TC_ENOMEM;
        s->nrecb++;
    }
    if ((s->nrecs + 1) * 2 > s->capslots) {
        size_t cap = s->capslots ? s->capslots * 2 : 128;
        uint32_t *t = malloc(cap * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        for (size_t k = 0; k < cap; k++)
            t[k] = NONE;
        for (size_t r = 0; r < s->nrecs; r++)
            slot_put(t, cap, rec_at(s, r)->hash, r);
        free(s->slots);
        s->slots = t;
        s->capslots = cap;
    }
    if (!s->nnameb || NAME_BLOCK - s->name_used < need) {
        char **t = realloc(s->nameb, (s->nnameb + 1) * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        s->nameb = t;
        if (!(t[s->nnameb] = malloc(NAME_BLOCK)))
            return TC_ENOMEM;
        s->nnameb++;
        s->name_used = 0;
    }
    if (s->nsim == s->capsim &&
        tc__grow((void **)&s->sim_rec, &s->capsim, s->nsim, sizeof(*s->sim_rec), 256) != 0)
        return TC_ENOMEM;
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
    while (s->nfills + more > s->nfillb << FILL_SHIFT) {
        struct fillrec **t = realloc(s->fillb, (s->nfillb + 1) * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        s->fillb = t;
        if (!(t[s->nfillb] = malloc(((size_t)1 << FILL_SHIFT) * sizeof(**t))))
            return TC_ENOMEM;
        s->nfillb++;
    }
    return 0;
}

/* The current day becomes DAY when DAY is later: an atomic maximum, so that
 * setting the day (every session of a backtest) takes no lock. */
static void raise_day(struct simb *s, int64_t day)
{
    int64_t cur = atomic_load_explicit(&s->day, memory_order_relaxed);
    while (day > cur && !atomic_compare_exchange_weak_explicit(&s->day, &cur, day,
                                                               memory_order_relaxed,
                                                               memory_order_relaxed))
        ;
}

/* ---- reporting ------------------------------------------------------------ */

static unsigned fill_state(struct fillrec *fr)
{
    return atomic_load_explicit(&fr->state, memory_order_acquire);
}

static void set_state(struct fillrec *fr, unsigned v)
{
    atomic_store_explicit(&fr->state, (unsigned char)v, memory_order_release);
}

/* An accepted fill recorded: observed (if it was new to the observer: its
 * order's intent may go) and REPORTED. Caller holds the lock. */
static void settle(struct simb *s, struct fillrec *fr)
{
    if (!fr->observed) {
        struct rec *r = rec_at(s, fr->rec);
        fr->observed = 1;
        r->unobserved--;
        drop_live(s, r);
    }
    set_state(fr, REPORTED);
}

/* Settles the accepted fills from PEND on and moves PEND past the reported
 * ones. Caller holds the lock. */
static void sweep(struct simb *s)
{
    while (s->pend < s->nfills) {
        struct fillrec *fr = fill_at(s, s->pend);
        unsigned st = fill_state(fr);
        if (st == ACCEPTED)
            settle(s, fr);
        else if (st != REPORTED)
            return;
        s->pend++;
    }
}

/* Whether every fill and update has been reported. Caller holds the lock. */
static int all_reported(struct simb *s)
{
    sweep(s);
    return s->pend == s->nfills && s->upend == s->nupdates;
}

/* The fill as the handler gets it. Caller holds the lock. */
static void make_fill(const struct simb *s, const struct fillrec *fr, struct tc_fill *f)
{
    const struct rec *r = rec_at(s, fr->rec);
    size_t n = r->idlen;

    /* the order id's whole room (a fixed size: no call; the names block
     * holds it, and what follows its NUL is overwritten below) */
    _Static_assert(TC_SIM_ORDER_ID_MAX + 2 + 10 < sizeof(f->execution_id), "'-F' and 10 digits fit");
    memcpy(f->execution_id, rec_oid(r), TC_SIM_ORDER_ID_MAX);
    f->execution_id[n++] = '-';
    f->execution_id[n++] = 'F';
    n += put_u32(f->execution_id + n, fr->seq);
    f->execution_id[n] = '\0';
    memcpy(f->client_order_id, r->name, (size_t)r->len + 1);
    /* the ids' last bytes too: the ledger checks a text's NUL by its last
     * byte first, which must not be what the caller's stack held */
    f->execution_id[sizeof(f->execution_id) - 1] = '\0';
    f->client_order_id[sizeof(f->client_order_id) - 1] = '\0';
    f->quantity = fr->quantity;
    f->price = fr->price;
    f->commission = fr->commission;
    f->filled_at_us = fr->at_us;
}

/* Claims up to BATCH fills not reported yet, in order, for the caller to
 * report outside the lock; returns how many, *MORE whether any other is
 * left to report. Caller holds the lock (and has swept). */
static size_t claim_fills(struct simb *s, struct claim *c, int *more)
{
    size_t n = 0, k;
    for (k = s->pend; k < s->nfills && n < BATCH; k++) {
        struct fillrec *fr = fill_at(s, k);
        if (fill_state(fr) != TO_REPORT)
            continue;
        set_state(fr, REPORTING);
        make_fill(s, fr, &c[n].f);
        c[n].intent = fr->observed ? NULL : live_at(s, rec_at(s, fr->rec)->live);
        c[n].day = fr->day;
        c[n].fr = fr;
        n++;
    }
    *more = 0;
    for (; k < s->nfills && !*more; k++)
        *more = fill_state(fill_at(s, k)) == TO_REPORT;
    return n;
}

static void make_update(const struct simb *s, const struct updrec *ur, struct tc_order_update *u)
{
    const struct rec *r = rec_at(s, ur->rec);
    memset(u, 0, sizeof(*u));
    memcpy(u->client_order_id, r->name, (size_t)r->len + 1);
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
        size_t n, ok;
        int rc = 0, more;

        sweep(s);
        n = claim_fills(s, c, &more);
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
        /* updates wait for every fill: come back for them */
        more |= s->upend != s->nupdates;
        pthread_mutex_unlock(&s->mu);
        for (ok = 0; ok < n; ok++) {
            if ((rc = tc_broker_report_fill(&s->base, &c[ok].f)) != 0)
                break;
            if (c[ok].intent && s->observer) {
                struct tc_broker_sim_fill_event ev = {c[ok].intent, &c[ok].f, c[ok].day};
                s->observer(s->observer_ud, &ev);
            }
            set_state(c[ok].fr, ACCEPTED); /* swept by the next holder of the lock */
        }
        if (rc == 0 && !more)
            return 0;
        pthread_mutex_lock(&s->mu);
        if (rc != 0) {
            for (size_t i = ok; i < n; i++)
                set_state(c[i].fr, TO_REPORT);
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
    const struct rec *r = rec_at(s, ix);
    struct tc_dec qty = live_at(s, r->live)->quantity;
    struct updrec *u;

    if (tc__grow((void **)&s->updates, &s->capupdates, s->nupdates, sizeof(*s->updates), 16) != 0)
        return TC_ENOMEM;
    u = &s->updates[s->nupdates++];
    u->rec = ix;
    u->status = (uint8_t)status;
    if (tc_dec_sub(qty, r->filled, &u->remaining) != 0)
        u->remaining = qty;
    u->at_us = tc_clock_now(s->opt.clock);
    return 0;
}

/* ---- ops ------------------------------------------------------------------- */

/* Whether intent O's enums have a simulator's meaning; WHY says what is
 * wrong when it returns -1. */
static int check_enums(const struct tc_order_intent *o, char *why, size_t cap)
{
    if ((unsigned)o->side - 1 > TC_ORDER_SELL - 1) {
        snprintf(why, cap, "side %d is unknown", (int)o->side);
        return -1;
    }
    if ((unsigned)o->type - 1 > TC_ORDER_STOP_LIMIT - 1) {
        snprintf(why, cap, "order type %d is unknown", (int)o->type);
        return -1;
    }
    if ((unsigned)o->tif - 1 > TC_TIF_GTC - 1) {
        snprintf(why, cap, "time in force %d is unknown", (int)o->tif);
        return -1;
    }
    return 0;
}

/* The simulator order of intent O (check_enums passed) into *SO (its id
 * already there). The enums map by position: BUY, SELL; MARKET, LIMIT,
 * STOP_MARKET, STOP_LIMIT; DAY, GTC (from 1 here, from 0 in the simulator).
 * The instrument is copied whole (both fields are 65 bytes) and checked by
 * the simulator. */
static void map_intent(const struct tc_order_intent *o, struct tc_sim_order *so)
{
    so->side = (enum tc_sim_side)((unsigned)o->side - 1);
    so->type = (enum tc_sim_type)((unsigned)o->type - 1);
    so->tif = (enum tc_sim_tif)((unsigned)o->tif - 1);
    memcpy(so->instrument, o->instrument_id, sizeof(so->instrument));
    so->quantity = o->quantity;
    so->limit = o->has_limit_price ? o->limit_price : TC_DEC_ZERO;
    so->stop = o->has_stop_price ? o->stop_price : TC_DEC_ZERO;
    so->tick = TC_DEC_ZERO;
    so->lot = TC_DEC_ZERO;
}

/* The positions the mapping relies on. */
_Static_assert(TC_ORDER_BUY == 1 && TC_ORDER_SELL == 2 && TC_SIM_BUY == 0 && TC_SIM_SELL == 1,
               "sides map by position");
_Static_assert(TC_ORDER_MARKET == 1 && TC_ORDER_LIMIT == 2 && TC_ORDER_STOP_MARKET == 3 &&
                   TC_ORDER_STOP_LIMIT == 4 && TC_SIM_MARKET == 0 && TC_SIM_LIMIT == 1 &&
                   TC_SIM_STOP_MARKET == 2 && TC_SIM_STOP_LIMIT == 3,
               "order types map by position");
_Static_assert(TC_TIF_DAY == 1 && TC_TIF_GTC == 2 && TC_SIM_DAY == 0 && TC_SIM_GTC == 1,
               "times in force map by position");
_Static_assert(sizeof(((struct tc_order_intent *)0)->instrument_id) ==
                   sizeof(((struct tc_sim_order *)0)->instrument),
               "an intent's instrument id fits a simulator order whole");

/* A known client order id submitted again: its first acknowledgement (with
 * the status it has now), and its fills reported again. Called with the
 * lock held; returns with it released. */
static int resubmit(struct simb *s, uint32_t ix, struct tc_broker_ack *ack, struct tc_error *err)
{
    const struct rec *r = rec_at(s, ix);

    memcpy(ack->broker_order_id, rec_oid(r), (size_t)r->idlen + 1);
    ack->status = (enum tc_order_status)r->status;
    if (r->status == TC_ORDER_REJECTED)
        tc__str_copy(ack->reason, sizeof(ack->reason), rec_oid(r) + r->idlen + 1);
    else
        ack->reason[0] = '\0';
    sweep(s);
    for (size_t k = 0; k < s->nfills; k++) {
        struct fillrec *fr = fill_at(s, k);
        unsigned st = fill_state(fr);
        if (fr->rec != ix || (st != REPORTED && st != ACCEPTED))
            continue;
        if (st == ACCEPTED) /* past PEND, accepted out of order */
            settle(s, fr);
        set_state(fr, TO_REPORT);
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
    _Static_assert(sizeof(o->client_order_id) == TC_CLIENT_ORDER_ID_MAX, "the id's buffer");
    size_t len = tc__str_buf_len(coid, TC_CLIENT_ORDER_ID_MAX);
    struct tc_sim_order *so;
    struct tc_error e;
    struct rec *r;
    char why[TC_BROKER_REASON_MAX];
    char *name, *id;
    size_t idlen;
    uint32_t ix;
    uint64_t h;
    int rc;

    if (len == 0)
        return tc_error_set(err, TC_EINVAL, "sim broker: order without a client order id");
    if (len == TC_CLIENT_ORDER_ID_MAX)
        return tc_error_set(err, TC_EINVAL,
                            "sim broker: order's client order id is longer than %d characters",
                            TC_CLIENT_ORDER_ID_MAX - 1);
    /* in BACKTEST the ledger submits inside its transaction (in_txn): only
     * this intent's fills may be reported from here; queued ones wait for
     * the next bar */
    if (o->mode != TC_MODE_BACKTEST && (rc = report_pending(s, err)) != 0)
        return rc;

    h = tc__sim_hash(coid, len);
    pthread_mutex_lock(&s->mu);
    if ((ix = find_rec(s, coid, len, h)) != NONE)
        return resubmit(s, ix, ack, err);
    if ((rc = reserve_rec(s, len)) != 0) {
        pthread_mutex_unlock(&s->mu);
        return tc_error_set(err, rc, "sim broker: order \"%s\": out of memory", coid);
    }
    r = rec_at(s, s->nrecs);
    name = s->nameb[s->nnameb - 1] + s->name_used;
    r->hash = h;
    r->name = name;
    r->filled = TC_DEC_ZERO;
    r->live = NONE;
    r->unobserved = 0;
    r->len = (uint8_t)len;
    r->working = 0;
    /* the id's buffer whole (a fixed size: no call; the room reserved for
     * the name, the order id and a reason is larger): what follows its NUL
     * is overwritten by the order id, the reason or the next name, and never
     * read */
    _Static_assert(TC_CLIENT_ORDER_ID_MAX <= TC_SIM_ORDER_ID_MAX + TC_BROKER_REASON_MAX,
                   "the buffer fits the room");
    memcpy(name, coid, TC_CLIENT_ORDER_ID_MAX);
    /* the order id after it, made once (rec_oid) */
    id = name + len + 1;
    idlen = next_order_id(s, id);
    r->idlen = (uint8_t)idlen;
    if (check_enums(o, why, sizeof(why)) == 0) {
        /* written in the simulator's slot for it: no copy */
        if (!(so = tc__sim_next_order(s->sim, id, &e))) {
            rc = e.code;
        } else {
            memcpy(so->id, id, sizeof(so->id)); /* fixed size (room reserved): no call */
            map_intent(o, so);
            so->created_day = atomic_load_explicit(&s->day, memory_order_relaxed);
            rc = tc__sim_submit_next(s->sim, &e);
        }
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
        s->sim_rec[s->nsim++] = (uint32_t)s->nrecs;
        s->name_used += len + 1 + idlen + 1;
        ack->reason[0] = '\0';
    } else {
        /* the reason is kept after the order id: a resubmission answers it again */
        char *reason = id + idlen + 1;
        size_t n = (size_t)snprintf(reason, TC_BROKER_REASON_MAX, "sim broker: order \"%s\": %s",
                                    coid, why);
        r->status = TC_ORDER_REJECTED;
        s->name_used += len + 1 + idlen + 1 +
                        (n < TC_BROKER_REASON_MAX ? n : TC_BROKER_REASON_MAX - 1) + 1;
        memcpy(ack->reason, reason, strlen(reason) + 1);
    }
    slot_put(s->slots, s->capslots, h, s->nrecs);
    s->nrecs++;
    num_next(s);
    _Static_assert(TC_SIM_ORDER_ID_MAX <= sizeof(ack->broker_order_id), "an order id fits");
    memcpy(ack->broker_order_id, id, TC_SIM_ORDER_ID_MAX); /* fixed size: no call */
    ack->status = (enum tc_order_status)r->status;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static int sim_cancel(struct tc_broker *b, const char *coid, struct tc_error *err)
{
    struct simb *s = (struct simb *)b;
    struct tc_error e = {0};
    size_t len;
    uint32_t ix;
    uint64_t h;
    int rc, lost = 0;

    if (!coid)
        return tc_error_set(err, TC_EINVAL, "sim broker: cancel needs a client order id");
    len = strlen(coid);
    h = tc__sim_hash(coid, len);
    pthread_mutex_lock(&s->mu);
    ix = len < TC_CLIENT_ORDER_ID_MAX ? find_rec(s, coid, len, h) : NONE;
    if (ix == NONE || !rec_at(s, ix)->working) {
        pthread_mutex_unlock(&s->mu);
        return tc_error_set(err, TC_ENOTFOUND, "sim broker: order \"%.100s\" is not working",
                            coid);
    }
    rc = tc_sim_cancel(s->sim, rec_oid(rec_at(s, ix)), NULL, &e);
    if (rc == 0) {
        struct rec *r = rec_at(s, ix);
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
    size_t ix = s->sim_rec[ev->order->seq - 1];
    struct rec *r = rec_at(s, ix);
    int rc;

    if (!r->working)
        return 0;
    if (ev->kind == TC_SIM_EV_FILL) {
        const struct tc_order_intent *in = live_at(s, r->live);
        struct fillrec *fr = fill_at(s, s->nfills++);
        struct tc_dec value, flow;

        fr->quantity = ev->fill->quantity;
        fr->price = ev->fill->price;
        fr->commission = ev->fill->commission;
        fr->at_us = tc_clock_now(s->opt.clock);
        fr->day = ev->fill->day;
        fr->rec = (uint32_t)ix;
        fr->seq = ev->fill->seq;
        atomic_init(&fr->state, TO_REPORT);
        fr->observed = 0;
        r->unobserved++;
        s->acct.fills++;
        value = ev->fill->value;
        if ((in->multiplier.raw == TC_DEC_ONE ||
             tc_dec_mul(ev->fill->value, in->multiplier, TC_ROUND_HALF_EVEN, &value) == 0) &&
            (in->side != TC_ORDER_BUY || tc_dec_neg_fast(value, &value) == 0) &&
            tc_dec_add_fast(s->acct.cash_flow, value, &flow) == 0 &&
            tc_dec_sub_fast(flow, ev->fill->commission, &flow) == 0)
            s->acct.cash_flow = flow;
        tc_dec_add_fast(s->acct.commission, ev->fill->commission, &s->acct.commission);
        tc_dec_add_fast(r->filled, ev->fill->quantity, &r->filled);
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

/* One lock round a bar: the simulator runs and the new fills are claimed
 * under it, then reported outside it; the next holder of the lock settles
 * them (sweep). */
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
    raise_day(s, bar->day);
    if (s->working) {
        if ((rc = reserve_fills(s, s->working)) == 0)
            rc = tc_sim_on_bar(s->sim, instrument_id, bar, on_event, s, &e);
        if (rc != 0) {
            pthread_mutex_unlock(&s->mu);
            return tc_error_set(err, rc, "sim broker: bar of \"%.64s\": %s", instrument_id,
                                rc == TC_ENOMEM ? "out of memory" : tc_error_msg(&e));
        }
    }
    /* swept on entry: only this bar's fills (or updates) can be new */
    if (s->pend == s->nfills && s->upend == s->nupdates) {
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
            if (rec_at(s, k)->working)
                list[n++] = *live_at(s, rec_at(s, k)->live);
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
    for (size_t k = 0; k < s->nrecb; k++)
        free(s->recb[k]);
    free(s->recb);
    free(s->slots);
    for (size_t k = 0; k < s->nnameb; k++)
        free(s->nameb[k]);
    free(s->nameb);
    for (size_t k = 0; k < s->nfillb; k++)
        free(s->fillb[k]);
    free(s->fillb);
    free(s->updates);
    free(s->sim_rec);
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
    tc__sim_bare_fills(s->sim); /* execution ids are made when reported */
    s->base.ops = &sim_ops;
    atomic_init(&s->day, INT64_MIN);
    s->free_live = NONE;
    s->num[0] = '1';
    s->numlen = 1;
    pthread_mutex_init(&s->mu, NULL);
    *out = &s->base;
    return 0;
}

int tc_broker_sim_set_day(struct tc_broker *b, int64_t day, struct tc_error *err)
{
    struct simb *s = as_sim(b);
    if (!s)
        return tc_error_set(err, TC_EINVAL, "broker \"%s\" is not a sim broker", tc_broker_name(b));
    raise_day(s, day);
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
    sweep(s);
    n = s->working + (s->nfills - s->pend) + (s->nupdates - s->upend);
    pthread_mutex_unlock(&s->mu);
    return n;
}
