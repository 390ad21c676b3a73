/* The ledger's memory backend (ledger_repo.h), for one thread (a backtest
 * without a store): portfolios, strategies, instruments, the signal log,
 * portfolio states, positions, orders, fills, trades and pyramiding state
 * in chunked arrays (elements never move) indexed by open-addressing hash
 * maps. A transaction keeps an undo journal (old bytes of what it changed,
 * keys it added); a failure replays it backwards, so nothing of the
 * transaction stays. Elements made in the running transaction are not
 * journalled: undoing their table's count drops them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "ledger/ledger_internal.h"
#include "ledger/ledger_repo.h"
#include "tradecore/accounts.h"
#include "tradecore/refdata.h"
#include "internal/banned.h"

#define CHUNK_SHIFT 9
#define CHUNK ((size_t)1 << CHUNK_SHIFT)
#define SLOT_KEY_MAX (2 * TC_ID_BUFSZ + 2)

/* ------------------------------------------------------------------------ */
/* Tables: chunked element arrays with a hash map of their keys               */

struct table {
    char **blk;          /* blocks of CHUNK elements, malloc'd: an element is
                            zeroed when it is added (a block is not zeroed whole);
                            after them, the CHUNK hashes of their keys */
    size_t nblk, capblk;
    size_t size;         /* element size */
    size_t key_off;      /* offset of the NUL-terminated key in an element */
    size_t n;            /* elements */
    size_t n0;           /* elements when the running transaction began */
    size_t hw;           /* elements ever used: those above are not initialised */
    uint32_t *slots;     /* element index + 1; 0 = empty */
    size_t nslots;       /* power of two, >= 2 × n; 0 = no map */
    size_t last;         /* index + 1 of the key last found or added (a signal or
                            fill asks for the same row several times); 0 none */
};

/* Copies S into BUF of CAP bytes, truncated to fit. */
static void copy_str(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

static void *tab_at(const struct table *t, size_t i)
{
    return t->blk[i >> CHUNK_SHIFT] + (i & (CHUNK - 1)) * t->size;
}

/* The hash of element I's key, kept when it was added (the map grows and
 * drops keys without hashing them again). */
static uint64_t *tab_hash(const struct table *t, size_t i)
{
    return (uint64_t *)(void *)(t->blk[i >> CHUNK_SHIFT] + CHUNK * t->size) + (i & (CHUNK - 1));
}

static const char *tab_key(const struct table *t, size_t i)
{
    return (const char *)tab_at(t, i) + t->key_off;
}

/* Eight bytes at a time (fingerprints are 71 characters), with a full
 * avalanche: the map uses the low bits. */
static uint64_t hash_str(const char *s) { return tc__str_hash(s); }

/* Index of KEY (whose hash is H), or -1. */
static long tab_find_h(const struct table *t, const char *key, uint64_t h)
{
    if (!t->nslots)
        return -1;
    for (size_t j = h & (t->nslots - 1);; j = (j + 1) & (t->nslots - 1)) {
        uint32_t v = t->slots[j];
        if (!v)
            return -1;
        if (*tab_hash(t, v - 1) == h && strcmp(tab_key(t, v - 1), key) == 0)
            return (long)(v - 1);
    }
}

/* Index of KEY, or -1: the key asked for last is compared before hashing. */
static long tab_find(struct table *t, const char *key)
{
    long k;
    if (t->last && t->last <= t->n && strcmp(tab_key(t, t->last - 1), key) == 0)
        return (long)(t->last - 1);
    if ((k = tab_find_h(t, key, hash_str(key))) >= 0)
        t->last = (size_t)k + 1;
    return k;
}

static void map_put(uint32_t *slots, size_t nslots, uint64_t h, size_t i)
{
    size_t j = h & (nslots - 1);
    while (slots[j])
        j = (j + 1) & (nslots - 1);
    slots[j] = (uint32_t)(i + 1);
}

/* Rebuilt in index order: the order the keys were added, which undoing the
 * last additions first relies on. */
static int map_grow(struct table *t, size_t nslots)
{
    uint32_t *s = calloc(nslots, sizeof(*s));
    if (!s)
        return TC_ENOMEM;
    for (size_t i = 0; i < t->n; i++)
        map_put(s, nslots, *tab_hash(t, i), i);
    free(t->slots);
    t->slots = s;
    t->nslots = nslots;
    return 0;
}

/* Removes the key of element I, the last one added. */
static void map_drop(struct table *t, size_t i)
{
    if (!t->nslots)
        return;
    for (size_t j = *tab_hash(t, i) & (t->nslots - 1);; j = (j + 1) & (t->nslots - 1)) {
        if (!t->slots[j])
            return;
        if (t->slots[j] == i + 1) {
            t->slots[j] = 0;
            return;
        }
    }
}

/* Room for element N (not initialised unless N < hw; tab_insert_h zeroes
 * it); NULL when out of memory. */
static void *tab_room(struct table *t)
{
    size_t b = t->n >> CHUNK_SHIFT;
    if (t->n >= UINT32_MAX - 1)
        return NULL;
    if (b >= t->nblk) {
        if (t->nblk == t->capblk) {
            size_t cap = t->capblk ? t->capblk * 2 : 8;
            char **nb = realloc(t->blk, cap * sizeof(*nb));
            if (!nb)
                return NULL;
            t->blk = nb;
            t->capblk = cap;
        }
        if (!(t->blk[t->nblk] = malloc(CHUNK * (t->size + sizeof(uint64_t)))))
            return NULL;
        t->nblk++;
    }
    return tab_at(t, t->n);
}

static void tab_free(struct table *t)
{
    for (size_t b = 0; b < t->nblk; b++)
        free(t->blk[b]);
    free(t->blk);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------------------ */
/* Elements                                                                   */

struct mpf {
    char id[TC_ID_BUFSZ];
    struct tc_dec capital;
    int deleted;
    int has_state;
    struct tc_portfolio_state st;
};

struct mstrat {
    char id[TC_ID_BUFSZ];
    int deleted, enabled, params_rc;
    struct tc_sizing_params params;
    struct tc_error params_err;
};

struct minst {
    struct tc_instrument in;  /* key: in.instrument_id (first member) */
};

struct msig {
    char fp[TC_SIGNAL_FP_LEN];
    struct tc_signal_outcome out;
    int64_t duplicates;
};

struct mpos {
    struct tc_position p;     /* key: p.position_id (first member) */
    size_t slot;
    size_t first_order;       /* index + 1 of its newest order; 0 none */
};

struct mpyr {
    int has;
    struct tc_pyramiding_state st;
    int64_t updated_at;
};

/* One (portfolio, instrument): its pyramiding state and positions. */
struct mslot {
    char key[SLOT_KEY_MAX];   /* "<portfolio>\x1f<instrument>" */
    char portfolio_id[TC_ID_BUFSZ], instrument_id[TC_ID_BUFSZ];
    struct mpyr pyr;
    size_t *pos;              /* its positions' indexes, oldest first */
    size_t npos, cap;
    size_t lo;                /* every position before lo is closed */
};

struct mord_state {
    enum tc_order_status status;
    struct tc_dec filled;
    int64_t version, updated_at, submitted_at;
};

struct mord {
    char client_order_id[TC_CLIENT_ORDER_ID_MAX];
    struct tc_order_intent in;
    size_t pos;
    size_t next;              /* index + 1 of the position's previous order */
    int closing;
    struct mord_state s;
    char reason[TC_LEDGER_TEXT_MAX];
    char fp[TC_SIGNAL_FP_LEN];
    char broker_order_id[TC_BROKER_ID_MAX];
    char reject_reason[TC_BROKER_REASON_MAX];
};

struct mfill {
    char execution_id[TC_BROKER_ID_MAX];
    char fill_id[TC_ID_BUFSZ];
    size_t order;
    struct tc_dec quantity, price, commission;
    int64_t filled_at, created_at;
};

struct mtrade {
    char trade_id[TC_ID_BUFSZ];
    size_t pos;
    struct tc_dec net;
    int64_t created_at;
};

/* ------------------------------------------------------------------------ */
/* The journal                                                                */

enum { UNDO_BYTES = 1, UNDO_KEY = 2 };

struct undo {
    int kind;
    void *addr;               /* BYTES: where; KEY: the table */
    size_t len, off;          /* BYTES: how many, from off in bytes; KEY: element */
};

struct mem {
    struct table pf, strat, inst, sig, pos, slot, ord, fill, trade;
    int depth;                /* transactions running (nested ones join) */
    struct undo *u;
    size_t nu, capu;
    unsigned char *bytes;
    size_t nb, capb;
    struct tc__repo_vec scratch;  /* check and positions_open */
    size_t last_sig;              /* index + 1 of the last signal row made */
    size_t last_slot;             /* index + 1 of the last slot found */
};

#define M(l) ((struct mem *)(l)->mem)
#define TX(m) ((struct tc_txn *)(void *)(m))

static struct table *tables(struct mem *m, size_t k)
{
    struct table *all[] = {&m->pf, &m->strat, &m->inst, &m->sig, &m->pos,
                           &m->slot, &m->ord, &m->fill, &m->trade};
    return k < sizeof(all) / sizeof(all[0]) ? all[k] : NULL;
}

static struct undo *undo_push(struct mem *m)
{
    if (m->nu == m->capu) {
        size_t cap = m->capu ? m->capu * 2 : 64;
        struct undo *u = realloc(m->u, cap * sizeof(*u));
        if (!u)
            return NULL;
        m->u = u;
        m->capu = cap;
    }
    return &m->u[m->nu++];
}

/* Keeps the LEN bytes at ADDR for undo (nothing outside a transaction). */
static int save(struct mem *m, void *addr, size_t len)
{
    struct undo *u;
    if (!m->depth)
        return 0;
    if (m->nb + len > m->capb) {
        size_t cap = m->capb ? m->capb : 4096;
        while (cap < m->nb + len)
            cap *= 2;
        unsigned char *b = realloc(m->bytes, cap);
        if (!b)
            return TC_ENOMEM;
        m->bytes = b;
        m->capb = cap;
    }
    if (!(u = undo_push(m)))
        return TC_ENOMEM;
    u->kind = UNDO_BYTES;
    u->addr = addr;
    u->len = len;
    u->off = m->nb;
    memcpy(m->bytes + m->nb, addr, len);
    m->nb += len;
    return 0;
}

/* The same for a field of element I of T: nothing when the element was
 * made in the running transaction. */
static int save_el(struct mem *m, const struct table *t, size_t i, void *addr, size_t len)
{
    return i >= t->n0 ? 0 : save(m, addr, len);
}

static void rollback_to(struct mem *m, size_t nu)
{
    while (m->nu > nu) {
        struct undo *u = &m->u[--m->nu];
        if (u->kind == UNDO_BYTES) {
            memcpy(u->addr, m->bytes + u->off, u->len);
            m->nb = u->off;
        } else {
            map_drop(u->addr, u->off);
        }
    }
}

static int oom(struct tc_error *err, const char *what)
{
    return tc_error_set(err, TC_ENOMEM, "ledger (memory): out of memory for %s", what);
}

/* A new element of T with KEY (copied; at most MAXLEN bytes with its NUL):
 * counted, its key in the map, both undone on rollback. */
static int tab_insert_h(struct mem *m, struct table *t, const char *key, uint64_t h,
                        size_t maxlen, void *out, size_t *idx, struct tc_error *err)
{
    size_t klen = strlen(key);
    void *e;
    struct undo *u = NULL;

    if (klen >= maxlen)
        return tc_error_set(err, TC_EINVAL, "ledger (memory): key \"%.64s\" is too long", key);
    if ((t->n + 1) * 2 > t->nslots && map_grow(t, t->nslots ? t->nslots * 2 : 64) != 0)
        return oom(err, "a map");
    /* the count is not journalled: a failed transaction sets it back to
     * the one it began with (mem_txn) */
    if (!(e = tab_room(t)) || (m->depth && !(u = undo_push(m))))
        return oom(err, "a row");
    if (m->depth) {
        u->kind = UNDO_KEY;
        u->addr = t;
        u->off = t->n;
        u->len = 0;
    }
    memset(e, 0, t->size); /* fresh from malloc, or left by a rolled-back insert */
    if (t->n >= t->hw)
        t->hw = t->n + 1;
    memcpy((char *)e + t->key_off, key, klen + 1);
    *tab_hash(t, t->n) = h;
    map_put(t->slots, t->nslots, h, t->n);
    t->last = t->n + 1;
    *idx = t->n++;
    memcpy(out, &e, sizeof(e));
    return 0;
}

static int tab_insert(struct mem *m, struct table *t, const char *key, size_t maxlen, void *out,
                      size_t *idx, struct tc_error *err)
{
    return tab_insert_h(m, t, key, hash_str(key), maxlen, out, idx, err);
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                      */

static void tab_init(struct table *t, size_t size, size_t key_off)
{
    memset(t, 0, sizeof(*t));
    t->size = size;
    t->key_off = key_off;
}

int tc__ledger_mem_init(struct tc_ledger *l, struct tc_error *err)
{
    struct mem *m = calloc(1, sizeof(*m));
    if (!m)
        return tc_error_set(err, TC_ENOMEM, "ledger: out of memory");
    tab_init(&m->pf, sizeof(struct mpf), offsetof(struct mpf, id));
    tab_init(&m->strat, sizeof(struct mstrat), offsetof(struct mstrat, id));
    tab_init(&m->inst, sizeof(struct minst), offsetof(struct minst, in.instrument_id));
    tab_init(&m->sig, sizeof(struct msig), offsetof(struct msig, fp));
    tab_init(&m->pos, sizeof(struct mpos), offsetof(struct mpos, p.position_id));
    tab_init(&m->slot, sizeof(struct mslot), offsetof(struct mslot, key));
    tab_init(&m->ord, sizeof(struct mord), offsetof(struct mord, client_order_id));
    tab_init(&m->fill, sizeof(struct mfill), offsetof(struct mfill, execution_id));
    tab_init(&m->trade, sizeof(struct mtrade), offsetof(struct mtrade, trade_id));
    m->scratch.size = 1;
    l->mem = m;
    return 0;
}

static void mem_release(struct tc_ledger *l)
{
    struct mem *m = M(l);
    struct table *t;

    if (!m)
        return;
    /* the elements ever added (those above hw were never initialised) */
    for (size_t i = 0; i < m->slot.hw; i++)
        free(((struct mslot *)tab_at(&m->slot, i))->pos);
    for (size_t k = 0; (t = tables(m, k)) != NULL; k++)
        tab_free(t);
    free(m->u);
    free(m->bytes);
    free(m->scratch.items);
    free(m);
    l->mem = NULL;
}

static int mem_load_cache(struct tc_ledger *l, struct tc_error *err)
{
    (void)l;
    (void)err;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                               */

static int mem_txn(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc_error *err)
{
    struct mem *m = M(l);
    struct table *const all[] = {&m->pf,   &m->strat, &m->inst, &m->sig,  &m->pos,
                                 &m->slot, &m->ord,   &m->fill, &m->trade};
    enum { NT = sizeof(all) / sizeof(all[0]) };
    size_t mark = m->nu, n0[NT];
    int rc;

    /* the tables listed once per transaction (as tables() lists them) */
    for (size_t k = 0; k < NT; k++) {
        n0[k] = all[k]->n0;
        all[k]->n0 = all[k]->n;
    }
    m->depth++;
    rc = fn(TX(m), ud, err);
    if (rc != 0) {
        rollback_to(m, mark);
        for (size_t k = 0; k < NT; k++)
            all[k]->n = all[k]->n0; /* the rows it added dropped (their keys: the journal) */
    }
    m->depth--;
    for (size_t k = 0; k < NT; k++)
        all[k]->n0 = m->depth ? n0[k] : all[k]->n;
    if (!m->depth) {
        m->nu = 0;
        m->nb = 0;
    }
    return rc;
}

static int mem_read(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc_error *err)
{
    return fn(TX(M(l)), ud, err);
}

/* ------------------------------------------------------------------------ */
/* Definitions                                                                */

static int need_mem(struct tc_ledger *l, const void *def, const char *fn, struct tc_error *err)
{
    if (!l || !def)
        return tc_error_set(err, TC_EINVAL, "ledger: %s needs a ledger and a definition", fn);
    if (!l->mem)
        return tc_error_set(err, TC_EINVAL, "ledger: %s needs an in-memory ledger (in_memory = 1)",
                            fn);
    if (M(l)->depth)
        return tc_error_set(err, TC_EINVAL, "ledger: %s inside a transaction", fn);
    return 0;
}

int tc_ledger_mem_add_portfolio(struct tc_ledger *l, const struct tc_portfolio_def *p,
                                struct tc_error *err)
{
    struct mpf *e;
    size_t i;
    int rc;

    if ((rc = need_mem(l, p, "tc_ledger_mem_add_portfolio", err)) != 0 ||
        (rc = tc_portfolio_def_validate(p, err)) != 0)
        return rc;
    if (tab_find(&M(l)->pf, p->portfolio_id) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "portfolio \"%s\" was already added",
                            p->portfolio_id);
    if ((rc = tab_insert(M(l), &M(l)->pf, p->portfolio_id, sizeof(e->id), &e, &i, err)) != 0)
        return rc;
    e->capital = p->initial_capital;
    e->deleted = p->deleted_at_us != 0;
    return 0;
}

int tc_ledger_mem_add_strategy(struct tc_ledger *l, const struct tc_strategy_def *s,
                               struct tc_error *err)
{
    struct mstrat *e;
    size_t i;
    int rc;

    if ((rc = need_mem(l, s, "tc_ledger_mem_add_strategy", err)) != 0 ||
        (rc = tc_strategy_def_validate(s, err)) != 0)
        return rc;
    if (tab_find(&M(l)->strat, s->strategy_id) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "strategy \"%s\" was already added", s->strategy_id);
    if ((rc = tab_insert(M(l), &M(l)->strat, s->strategy_id, sizeof(e->id), &e, &i, err)) != 0)
        return rc;
    e->deleted = s->deleted_at_us != 0;
    e->enabled = s->enabled;
    /* parsed once; a bad one rejects its signals as with a store */
    e->params_rc = tc_sizing_params_from_json(s->params ? s->params : "{}", &e->params,
                                              &e->params_err);
    return 0;
}

static int add_instrument(struct mem *m, const struct tc_instrument *in,
                          const struct tc_instrument **out, struct tc_error *err)
{
    struct minst *e;
    size_t i;
    int rc;

    if ((rc = tab_insert(m, &m->inst, in->instrument_id, sizeof(e->in.instrument_id), &e, &i, err)) != 0)
        return rc;
    e->in = *in;
    e->in.metadata = NULL; /* owned strings are not kept */
    if (out)
        *out = &e->in;
    return 0;
}

int tc_ledger_mem_add_instrument(struct tc_ledger *l, const struct tc_instrument *in,
                                 struct tc_error *err)
{
    int rc;

    if ((rc = need_mem(l, in, "tc_ledger_mem_add_instrument", err)) != 0 ||
        (rc = tc_instrument_validate(in, err)) != 0)
        return rc;
    if (tab_find(&M(l)->inst, in->instrument_id) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "instrument \"%s\" was already added",
                            in->instrument_id);
    return add_instrument(M(l), in, NULL, err);
}

static int mem_instrument_get(struct tc_ledger *l, const char *id, struct tc_instrument *own,
                              const struct tc_instrument **out, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = tab_find(&m->inst, id);
    int rc;

    *out = NULL;
    if (k >= 0) {
        *out = &((struct minst *)tab_at(&m->inst, (size_t)k))->in;
        return 0;
    }
    if (!l->opt.historical)
        return tc_error_set(err, TC_ENOTFOUND, "instrument \"%s\" not found", id);
    {
        struct tc_refdata rd = {l->opt.historical, l->opt.clock, l->actor};
        if ((rc = tc_refdata_instrument_get(&rd, id, own, err)) != 0)
            return rc;
    }
    return add_instrument(m, own, out, err);
}

static int mem_portfolio_get(struct tc_ledger *l, struct tc_txn *tx, const char *id,
                             struct tc__ledger_pf *out, struct tc_error *err)
{
    long k = tab_find(&M(l)->pf, id);
    (void)tx;
    (void)err;
    memset(out, 0, sizeof(*out));
    if (k >= 0) {
        const struct mpf *e = tab_at(&M(l)->pf, (size_t)k);
        out->found = 1;
        out->deleted = e->deleted;
        out->capital = e->capital;
    }
    return 0;
}

static int mem_strategy_get(struct tc_ledger *l, struct tc_txn *tx, const char *id,
                            struct tc__ledger_strat *out, struct tc_error *err)
{
    long k = tab_find(&M(l)->strat, id);
    (void)tx;
    (void)err;
    out->found = 0;
    if (k >= 0) {
        const struct mstrat *e = tab_at(&M(l)->strat, (size_t)k);
        out->found = 1;
        out->deleted = e->deleted;
        out->enabled = e->enabled;
        out->params_rc = e->params_rc;
        out->params = e->params;
        if (e->params_rc != 0)
            out->params_err = e->params_err;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* signal_log                                                                 */

static int mem_sig_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_sig_row *r,
                          int64_t now, int *inserted, struct tc_signal_outcome *first,
                          struct tc_error *err)
{
    struct mem *m = M(l);
    uint64_t h = hash_str(r->fp);
    long k = tab_find_h(&m->sig, r->fp, h);
    struct msig *e;
    size_t i;
    int rc;

    (void)tx;
    (void)now;
    *inserted = 0;
    if (k >= 0) {
        e = tab_at(&m->sig, (size_t)k);
        if ((rc = save_el(m, &m->sig, (size_t)k, &e->duplicates, sizeof(e->duplicates))) != 0) {
            oom(err, "the journal");
            return rc;
        }
        e->duplicates++;
        *first = e->out;
        return 0;
    }
    if ((rc = tab_insert_h(m, &m->sig, r->fp, h, sizeof(e->fp), &e, &i, err)) != 0)
        return (tc_error_prefix(err, "signal log %s", r->fp), rc);
    e->out.status = TC_SIGNAL_REJECTED;
    memcpy(e->out.fingerprint, e->fp, sizeof(e->out.fingerprint));
    m->last_sig = i + 1;
    *inserted = 1;
    return 0;
}

static int mem_sig_finish(struct tc_ledger *l, struct tc_txn *tx, const struct tc_signal_outcome *o,
                          struct tc_error *err)
{
    struct mem *m = M(l);
    long k;
    struct msig *e;

    (void)tx;
    /* the row its sig_insert made, as a rule */
    if (m->last_sig && strcmp(((struct msig *)tab_at(&m->sig, m->last_sig - 1))->fp,
                              o->fingerprint) == 0)
        k = (long)(m->last_sig - 1);
    else
        k = tab_find(&m->sig, o->fingerprint);
    if (k < 0)
        return tc_error_set(err, TC_ESTATE, "signal log %s: no row", o->fingerprint);
    e = tab_at(&m->sig, (size_t)k);
    if (save_el(m, &m->sig, (size_t)k, &e->out, sizeof(e->out)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    e->out = *o;
    e->out.duplicate = 0;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* portfolio_state                                                            */

static int mem_state_load(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                          struct tc_portfolio_state *s, int *found, struct tc_error *err)
{
    long k = tab_find(&M(l)->pf, portfolio_id);
    const struct mpf *e = k >= 0 ? tab_at(&M(l)->pf, (size_t)k) : NULL;
    (void)tx;
    (void)err;
    *found = e && e->has_state;
    if (*found)
        *s = e->st;
    return 0;
}

static int mem_state_create(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                            int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = tab_find(&m->pf, portfolio_id);
    struct mpf *e;

    (void)tx;
    if (k < 0)
        return 0;
    e = tab_at(&m->pf, (size_t)k);
    if (e->deleted || e->has_state)
        return 0;
    if (save_el(m, &m->pf, (size_t)k, &e->has_state,
                sizeof(*e) - offsetof(struct mpf, has_state)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    memset(&e->st, 0, sizeof(e->st));
    memcpy(e->st.portfolio_id, e->id, sizeof(e->st.portfolio_id));
    e->st.initial_capital = e->st.cash = e->st.closed_equity = e->capital;
    e->st.version = 1;
    e->st.updated_at_us = now;
    e->has_state = 1;
    return 0;
}

static int mem_state_save(struct tc_ledger *l, struct tc_txn *tx, const struct tc_portfolio_state *s,
                          int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = tab_find(&m->pf, s->portfolio_id);
    struct mpf *e = k >= 0 ? tab_at(&m->pf, (size_t)k) : NULL;

    (void)tx;
    if (!e || !e->has_state || e->st.version != s->version)
        return tc_error_set(err, TC_ECONFLICT,
                            "portfolio state \"%s\": version %lld was changed by another writer",
                            s->portfolio_id, (long long)s->version);
    if (save_el(m, &m->pf, (size_t)k, &e->st, sizeof(e->st)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    e->st.cash = s->cash;
    e->st.closed_equity = s->closed_equity;
    e->st.realized_pnl = s->realized_pnl;
    e->st.commission_paid = s->commission_paid;
    e->st.updated_at_us = now;
    e->st.version++;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* positions                                                                  */

static void slot_key(char *key, const char *portfolio_id, const char *instrument_id)
{
    size_t a = strlen(portfolio_id), b = strlen(instrument_id);
    if (a >= TC_ID_BUFSZ)
        a = TC_ID_BUFSZ - 1;
    if (b >= TC_ID_BUFSZ)
        b = TC_ID_BUFSZ - 1;
    memcpy(key, portfolio_id, a);
    key[a] = '\x1f';
    memcpy(key + a + 1, instrument_id, b);
    key[a + 1 + b] = '\0';
}

static struct mslot *slot_find(struct mem *m, const char *portfolio_id, const char *instrument_id,
                               size_t *idx)
{
    char key[SLOT_KEY_MAX];
    struct mslot *s;
    long k;

    /* a signal asks for the same (portfolio, instrument) several times */
    if (m->last_slot && m->last_slot <= m->slot.n) {
        s = tab_at(&m->slot, m->last_slot - 1);
        if (strcmp(s->instrument_id, instrument_id) == 0 &&
            strcmp(s->portfolio_id, portfolio_id) == 0) {
            *idx = m->last_slot - 1;
            return s;
        }
    }
    slot_key(key, portfolio_id, instrument_id);
    k = tab_find(&m->slot, key);
    if (k < 0)
        return NULL;
    *idx = (size_t)k;
    m->last_slot = (size_t)k + 1;
    return tab_at(&m->slot, (size_t)k);
}

static int slot_get(struct mem *m, const char *portfolio_id, const char *instrument_id,
                    struct mslot **out, size_t *idx, struct tc_error *err)
{
    char key[SLOT_KEY_MAX];
    struct mslot *s = slot_find(m, portfolio_id, instrument_id, idx);
    int rc;

    *out = s;
    if (s)
        return 0;
    slot_key(key, portfolio_id, instrument_id);
    if (!tab_room(&m->slot))
        return oom(err, "a row");
    /* an element left by a rolled-back insert may hold an array (one never
     * added is not initialised) */
    if (m->slot.n < m->slot.hw) {
        s = tab_at(&m->slot, m->slot.n);
        free(s->pos);
        s->pos = NULL;
    }
    if ((rc = tab_insert(m, &m->slot, key, sizeof(s->key), &s, idx, err)) != 0)
        return rc;
    copy_str(s->portfolio_id, sizeof(s->portfolio_id), portfolio_id);
    copy_str(s->instrument_id, sizeof(s->instrument_id), instrument_id);
    *out = s;
    return 0;
}

static int mem_pos_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                          int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    struct mslot *s;
    struct mpos *e;
    size_t si, i;
    uint64_t h;
    int rc;

    (void)tx;
    h = hash_str(p->position_id);
    if (tab_find_h(&m->pos, p->position_id, h) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "position \"%s\": the id exists", p->position_id);
    if ((rc = slot_get(m, p->portfolio_id, p->instrument_id, &s, &si, err)) != 0)
        return (tc_error_prefix(err, "position \"%s\"", p->position_id), rc);
    if (s->npos == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        size_t *t = realloc(s->pos, cap * sizeof(*t));
        if (!t) {
            oom(err, "a position");
            return TC_ENOMEM;
        }
        s->pos = t;
        s->cap = cap;
    }
    if (save_el(m, &m->slot, si, &s->npos, sizeof(s->npos)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    if ((rc = tab_insert_h(m, &m->pos, p->position_id, h, sizeof(e->p.position_id), &e, &i,
                           err)) != 0)
        return (tc_error_prefix(err, "position \"%s\"", p->position_id), rc);
    e->p = *p;
    /* the columns an insert leaves to their defaults */
    e->p.status = TC_POSITION_OPEN;
    e->p.closed_quantity = e->p.exit_price = e->p.realized_pnl = e->p.commission = TC_DEC_ZERO;
    e->p.exit_time_us = 0;
    e->p.exit_reason[0] = '\0';
    if (!e->p.has_initial_stop)
        e->p.initial_stop = TC_DEC_ZERO;
    if (!e->p.has_current_stop)
        e->p.current_stop = TC_DEC_ZERO;
    e->p.version = 1;
    e->p.updated_at_us = now;
    e->slot = si;
    s->pos[s->npos++] = i;
    return 0;
}

static int mem_pos_save(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                        int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = tab_find(&m->pos, p->position_id);
    struct mpos *e = k >= 0 ? tab_at(&m->pos, (size_t)k) : NULL;
    struct tc_position *q;

    (void)tx;
    if (!e || e->p.version != p->version)
        return tc_error_set(err, TC_ECONFLICT,
                            "position \"%s\": version %lld was changed by another writer",
                            p->position_id, (long long)p->version);
    if (save_el(m, &m->pos, (size_t)k, &e->p, sizeof(e->p)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    q = &e->p;
    q->quantity = p->quantity;
    q->lots = p->lots;
    q->entry_price = p->entry_price;
    q->has_current_stop = p->has_current_stop;
    q->current_stop = p->has_current_stop ? p->current_stop : TC_DEC_ZERO;
    q->status = p->status;
    q->closed_quantity = p->closed_quantity;
    q->exit_price = tc_dec_sign(p->exit_price) > 0 ? p->exit_price : TC_DEC_ZERO;
    q->exit_time_us = p->exit_time_us;
    memcpy(q->exit_reason, p->exit_reason, sizeof(q->exit_reason));
    q->exit_reason[sizeof(q->exit_reason) - 1] = '\0';
    q->realized_pnl = p->realized_pnl;
    q->commission = p->commission;
    q->updated_at_us = now;
    q->version++;
    return 0;
}

static int mem_pos_load(struct tc_ledger *l, struct tc_txn *tx, const char *position_id,
                        struct tc_position *p, int *found, struct tc_error *err)
{
    long k = tab_find(&M(l)->pos, position_id);
    (void)tx;
    (void)err;
    *found = k >= 0;
    if (k >= 0)
        *p = ((const struct mpos *)tab_at(&M(l)->pos, (size_t)k))->p;
    return 0;
}

/* Skips the closed positions at the front of S (journalled: a rollback may
 * reopen one). */
static int slot_skip_closed(struct mem *m, size_t si, struct mslot *s)
{
    size_t lo = s->lo;
    while (lo < s->npos &&
           ((const struct mpos *)tab_at(&m->pos, s->pos[lo]))->p.status == TC_POSITION_CLOSED)
        lo++;
    if (lo == s->lo)
        return 0;
    if (save_el(m, &m->slot, si, &s->lo, sizeof(s->lo)) != 0)
        return TC_ENOMEM;
    s->lo = lo;
    return 0;
}

static int layer_before(const struct tc__ledger_layer *a, const struct tc__ledger_layer *b)
{
    if (a->p.layer != b->p.layer)
        return a->p.layer < b->p.layer;
    return strcmp(a->p.position_id, b->p.position_id) < 0;
}

static int mem_layers(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                      const char *instrument_id, struct tc__repo_vec *vec, struct tc_error *err)
{
    struct mem *m = M(l);
    size_t si;
    struct mslot *s = slot_find(m, portfolio_id, instrument_id, &si);

    (void)tx;
    vec->n = 0;
    if (!s)
        return 0;
    if (slot_skip_closed(m, si, s) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    for (size_t k = s->lo; k < s->npos; k++) {
        const struct mpos *e = tab_at(&m->pos, s->pos[k]);
        struct tc__ledger_layer *ly, tmp;
        size_t j;

        if (e->p.status == TC_POSITION_CLOSED)
            continue;
        if (!(ly = tc__repo_vec_push(vec))) {
            oom(err, "the layers");
            return TC_ENOMEM;
        }
        ly->p = e->p;
        ly->planned = TC_DEC_ZERO;
        ly->exits_in_flight = 0;
        for (size_t o = e->first_order; o; o = ((const struct mord *)tab_at(&m->ord, o - 1))->next) {
            const struct mord *od = tab_at(&m->ord, o - 1);
            enum tc_order_status st = od->s.status;
            if (!od->closing && st != TC_ORDER_REJECTED && st != TC_ORDER_CANCELED &&
                st != TC_ORDER_EXPIRED) {
                if (tc_dec_add(ly->planned, od->in.quantity, &ly->planned) != 0)
                    return tc_error_set(err, TC_ERANGE, "position \"%s\": planned quantity overflows",
                                        e->p.position_id);
            } else if (od->closing && (st == TC_ORDER_NEW || st == TC_ORDER_SUBMITTED ||
                                       st == TC_ORDER_PARTIALLY_FILLED)) {
                ly->exits_in_flight++;
            }
        }
        /* by layer then id: insertion into the sorted prefix */
        struct tc__ledger_layer *all = vec->items;
        for (j = vec->n - 1; j > 0 && layer_before(&all[j], &all[j - 1]); j--) {
            tmp = all[j];
            all[j] = all[j - 1];
            all[j - 1] = tmp;
        }
    }
    return 0;
}

static int mem_open_count(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                          const char *instrument_id, int64_t *n, struct tc_error *err)
{
    struct mem *m = M(l);
    size_t si;
    struct mslot *s = slot_find(m, portfolio_id, instrument_id, &si);

    (void)tx;
    *n = 0;
    if (!s)
        return 0;
    if (slot_skip_closed(m, si, s) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    for (size_t k = s->lo; k < s->npos; k++)
        if (((const struct mpos *)tab_at(&m->pos, s->pos[k]))->p.status != TC_POSITION_CLOSED)
            (*n)++;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* orders                                                                     */

static int mem_order_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc_order_intent *o,
                            int closing, const char *fingerprint, const char *position_id,
                            const char *reason, struct tc_error *err)
{
    struct mem *m = M(l);
    long pk = tab_find(&m->pos, position_id);
    struct mpos *p;
    struct mord *e;
    size_t i;
    uint64_t h;
    int rc;

    (void)tx;
    if (pk < 0)
        return tc_error_set(err, TC_ESTATE, "order \"%s\": position \"%s\" not found",
                            o->client_order_id, position_id);
    h = hash_str(o->client_order_id);
    if (tab_find_h(&m->ord, o->client_order_id, h) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "order \"%s\": the client order id exists",
                            o->client_order_id);
    p = tab_at(&m->pos, (size_t)pk);
    if (save_el(m, &m->pos, (size_t)pk, &p->first_order, sizeof(p->first_order)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    if ((rc = tab_insert_h(m, &m->ord, o->client_order_id, h, sizeof(e->client_order_id), &e, &i,
                           err)) != 0)
        return (tc_error_prefix(err, "order \"%s\"", o->client_order_id), rc);
    e->in = *o;
    e->pos = (size_t)pk;
    e->next = p->first_order;
    e->closing = closing;
    e->s.status = TC_ORDER_NEW;
    e->s.filled = TC_DEC_ZERO;
    e->s.version = 1;
    e->s.updated_at = o->created_at_us;
    copy_str(e->reason, sizeof(e->reason), reason ? reason : "");
    copy_str(e->fp, sizeof(e->fp), fingerprint);
    p->first_order = i + 1;
    return 0;
}

static int mem_order_load(struct tc_ledger *l, struct tc_txn *tx, const char *client_order_id,
                          struct tc__ledger_order *o, struct tc_error *err)
{
    struct mem *m = M(l);
    long k = tab_find(&m->ord, client_order_id);
    const struct mord *e;

    (void)tx;
    (void)err;
    o->found = 0;
    if (k < 0)
        return 0;
    e = tab_at(&m->ord, (size_t)k);
    memcpy(o->order_id, e->in.order_id, sizeof(o->order_id));
    memcpy(o->position_id, ((const struct mpos *)tab_at(&m->pos, e->pos))->p.position_id,
           sizeof(o->position_id));
    memcpy(o->portfolio_id, e->in.portfolio_id, sizeof(o->portfolio_id));
    o->closing = e->closing;
    o->status = e->s.status;
    memcpy(o->reason, e->reason, sizeof(o->reason));
    o->quantity = e->in.quantity;
    o->filled = e->s.filled;
    o->version = e->s.version;
    o->found = 1;
    o->ref = (size_t)k + 1;
    return 0;
}

/* The order O names for a versioned update (*OUT), journalled; TC_ECONFLICT
 * when its version moved. */
static int order_for_update(struct mem *m, const struct tc__ledger_order *o, struct mord **out,
                            struct tc_error *err)
{
    struct mord *e = (o->ref && o->ref <= m->ord.n) ? tab_at(&m->ord, o->ref - 1) : NULL;
    if (!e || e->s.version != o->version)
        return tc_error_set(err, TC_ECONFLICT,
                            "order \"%s\": version %lld was changed by another writer", o->order_id,
                            (long long)o->version);
    if (save_el(m, &m->ord, o->ref - 1, &e->s, sizeof(e->s)) != 0)
        return oom(err, "the journal");
    *out = e;
    return 0;
}

static int mem_order_ack(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                         const char *broker_order_id, enum tc_order_status status,
                         const char *reject_reason, int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    struct mord *e = NULL;
    int rc = order_for_update(m, o, &e, err);

    (void)tx;
    if (rc != 0)
        return rc;
    if (!e->broker_order_id[0] && broker_order_id && broker_order_id[0]) {
        if (save_el(m, &m->ord, o->ref - 1, e->broker_order_id, sizeof(e->broker_order_id)) != 0)
            goto nomem;
        copy_str(e->broker_order_id, sizeof(e->broker_order_id), broker_order_id);
    }
    if (reject_reason) {
        if (save_el(m, &m->ord, o->ref - 1, e->reject_reason, sizeof(e->reject_reason)) != 0)
            goto nomem;
        copy_str(e->reject_reason, sizeof(e->reject_reason), reject_reason);
    }
    e->s.status = status;
    if (!e->s.submitted_at)
        e->s.submitted_at = now;
    e->s.updated_at = now;
    e->s.version++;
    return 0;
nomem:
    oom(err, "the journal");
    return TC_ENOMEM;
}

static int mem_order_filled(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                            struct tc_dec filled, enum tc_order_status status, int64_t now,
                            struct tc_error *err)
{
    struct mord *e = NULL;
    int rc = order_for_update(M(l), o, &e, err);
    (void)tx;
    if (rc != 0)
        return rc;
    e->s.filled = filled;
    e->s.status = status;
    e->s.updated_at = now;
    e->s.version++;
    return 0;
}

static int mem_order_status(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                            enum tc_order_status status, int64_t now, struct tc_error *err)
{
    struct mord *e = NULL;
    int rc = order_for_update(M(l), o, &e, err);
    (void)tx;
    if (rc != 0)
        return rc;
    e->s.status = status;
    e->s.updated_at = now;
    e->s.version++;
    return 0;
}

static int intent_cmp(const void *a, const void *b)
{
    const struct tc_order_intent *x = a, *y = b;
    if (x->created_at_us != y->created_at_us)
        return x->created_at_us < y->created_at_us ? -1 : 1;
    return strcmp(x->order_id, y->order_id);
}

static int mem_orders_new(struct tc_ledger *l, struct tc__repo_vec *vec, struct tc_error *err)
{
    struct mem *m = M(l);

    vec->n = 0;
    for (size_t k = 0; k < m->ord.n; k++) {
        const struct mord *e = tab_at(&m->ord, k);
        struct tc_order_intent *o;
        if (e->s.status != TC_ORDER_NEW || e->in.mode != l->opt.mode)
            continue;
        if (!(o = tc__repo_vec_push(vec)))
            return tc_error_set(err, TC_ENOMEM, "ledger: out of memory listing new orders");
        *o = e->in;
    }
    if (vec->n > 1)
        qsort(vec->items, vec->n, sizeof(struct tc_order_intent), intent_cmp);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* fills and trades                                                           */

static int mem_fill_insert(struct tc_ledger *l, struct tc_txn *tx, const char *fill_id,
                           const struct tc_fill *f, const struct tc__ledger_order *o, int64_t now,
                           int *inserted, struct tc_error *err)
{
    struct mem *m = M(l);
    uint64_t h = hash_str(f->execution_id);
    struct mfill *e;
    size_t i;
    int rc;

    (void)tx;
    *inserted = 0;
    if (tab_find_h(&m->fill, f->execution_id, h) >= 0)
        return 0;
    if (!o->ref)
        return tc_error_set(err, TC_ESTATE, "fill \"%s\": order \"%s\" not loaded", f->execution_id,
                            o->order_id);
    if ((rc = tab_insert_h(m, &m->fill, f->execution_id, h, sizeof(e->execution_id), &e, &i,
                           err)) != 0)
        return (tc_error_prefix(err, "fill \"%s\"", f->execution_id), rc);
    copy_str(e->fill_id, sizeof(e->fill_id), fill_id);
    e->order = o->ref - 1;
    e->quantity = f->quantity;
    e->price = f->price;
    e->commission = f->commission;
    e->filled_at = f->filled_at_us;
    e->created_at = now;
    *inserted = 1;
    return 0;
}

static int mem_trade_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                            struct tc_dec net, int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    char id[TC_ID_BUFSZ + 8];
    long pk = tab_find(&m->pos, p->position_id);
    struct mtrade *e;
    size_t i;
    uint64_t h;
    int rc;

    (void)tx;
    memcpy(id, "trd-", 4);
    copy_str(id + 4, sizeof(id) - 4, p->position_id);
    if (pk < 0)
        return tc_error_set(err, TC_ESTATE, "trade of position \"%s\": no position", p->position_id);
    h = hash_str(id);
    if (tab_find_h(&m->trade, id, h) >= 0)
        return tc_error_set(err, TC_ECONFLICT, "trade of position \"%s\": it exists", p->position_id);
    if ((rc = tab_insert_h(m, &m->trade, id, h, sizeof(e->trade_id), &e, &i, err)) != 0)
        return (tc_error_prefix(err, "trade of position \"%s\"", p->position_id), rc);
    e->pos = (size_t)pk;
    e->net = net;
    e->created_at = now;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* pyramiding_state                                                           */

static int mem_pyr_get(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                       const char *instrument_id, struct tc_pyramiding_state *out, int *found,
                       struct tc_error *err)
{
    size_t si;
    const struct mslot *s = slot_find(M(l), portfolio_id, instrument_id, &si);

    (void)tx;
    (void)err;
    *found = s && s->pyr.has;
    if (*found) {
        *out = s->pyr.st;
        return 0;
    }
    memset(out, 0, sizeof(*out));
    copy_str(out->portfolio_id, sizeof(out->portfolio_id), portfolio_id);
    copy_str(out->instrument_id, sizeof(out->instrument_id), instrument_id);
    return 0;
}

/* The slot's pyramiding state (*OUT), journalled, ready to change. */
static int pyr_for_write(struct mem *m, const char *portfolio_id, const char *instrument_id,
                         struct mpyr **out, struct tc_error *err)
{
    size_t si;
    struct mslot *s = NULL;
    int rc = slot_get(m, portfolio_id, instrument_id, &s, &si, err);
    if (rc != 0)
        return rc;
    if (save_el(m, &m->slot, si, &s->pyr, sizeof(s->pyr)) != 0)
        return oom(err, "the journal");
    if (!s->pyr.has) {
        memset(&s->pyr.st, 0, sizeof(s->pyr.st));
        copy_str(s->pyr.st.portfolio_id, sizeof(s->pyr.st.portfolio_id), portfolio_id);
        copy_str(s->pyr.st.instrument_id, sizeof(s->pyr.st.instrument_id), instrument_id);
    }
    *out = &s->pyr;
    return 0;
}

static int mem_pyr_base(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                        const char *instrument_id, const char *base_position_id,
                        struct tc_dec price, int64_t time_us, int64_t now, struct tc_error *err)
{
    struct mpyr *y = NULL;
    int rc = pyr_for_write(M(l), portfolio_id, instrument_id, &y, err);
    (void)tx;
    if (rc != 0)
        return (tc_error_prefix(err, "pyramiding state of \"%s\"", instrument_id), rc);
    y->has = 1;
    copy_str(y->st.base_position_id, sizeof(y->st.base_position_id), base_position_id);
    y->st.pyramid_count = 0;
    y->st.last_pyramid_price = price;
    y->st.last_pyramid_time_us = time_us;
    y->updated_at = now;
    return 0;
}

static int mem_pyr_layer(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                         const char *instrument_id, int found, int64_t old_count,
                         const char *base_position_id, struct tc_dec price, int64_t time_us,
                         int64_t now, struct tc_error *err)
{
    struct mpyr *y = NULL;
    int rc = pyr_for_write(M(l), portfolio_id, instrument_id, &y, err);
    (void)tx;
    if (rc != 0)
        return (tc_error_prefix(err, "pyramiding state of \"%s\"", instrument_id), rc);
    if (found ? (!y->has || y->st.pyramid_count != old_count) : y->has)
        return tc_error_set(err, TC_ECONFLICT,
                            "pyramiding state of \"%s\" was changed by another writer",
                            instrument_id);
    if (!found)
        copy_str(y->st.base_position_id, sizeof(y->st.base_position_id), base_position_id);
    y->has = 1;
    y->st.pyramid_count = (int)(old_count + 1);
    y->st.last_pyramid_price = price;
    y->st.last_pyramid_time_us = time_us;
    y->updated_at = now;
    return 0;
}

static int mem_pyr_reset(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                         const char *instrument_id, int64_t now, struct tc_error *err)
{
    struct mem *m = M(l);
    size_t si;
    struct mslot *s = slot_find(m, portfolio_id, instrument_id, &si);

    (void)tx;
    if (!s || !s->pyr.has)
        return 0;
    if (save_el(m, &m->slot, si, &s->pyr, sizeof(s->pyr)) != 0) {
        oom(err, "the journal");
        return TC_ENOMEM;
    }
    s->pyr.st.base_position_id[0] = '\0';
    s->pyr.st.pyramid_count = 0;
    s->pyr.st.last_pyramid_price = TC_DEC_ZERO;
    s->pyr.st.last_pyramid_time_us = 0;
    s->pyr.updated_at = now;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The check's rows                                                           */

static int mem_check(struct tc_ledger *l, const struct tc__ledger_check_rows *rows,
                     struct tc_error *err)
{
    struct mem *m = M(l);
    struct tc_dec *osum = NULL, *pin = NULL, *pout = NULL;
    int rc = 0;

    if ((m->ord.n && !(osum = calloc(m->ord.n, sizeof(*osum)))) ||
        (m->pos.n && (!(pin = calloc(m->pos.n, sizeof(*pin))) ||
                      !(pout = calloc(m->pos.n, sizeof(*pout)))))) {
        rc = tc_error_set(err, TC_ENOMEM, "ledger check: out of memory");
        goto out;
    }
    for (size_t k = 0; k < m->fill.n; k++) {
        const struct mfill *f = tab_at(&m->fill, k);
        if (tc_dec_add(osum[f->order], f->quantity, &osum[f->order]) != 0) {
            rc = tc_error_set(err, TC_ERANGE, "ledger check: fills of an order overflow");
            goto out;
        }
    }
    for (size_t k = 0; k < m->ord.n; k++) {
        const struct mord *o = tab_at(&m->ord, k);
        struct tc_dec *acc = o->closing ? &pout[o->pos] : &pin[o->pos];
        if (tc_dec_add(*acc, osum[k], acc) != 0) {
            rc = tc_error_set(err, TC_ERANGE, "ledger check: fills of a position overflow");
            goto out;
        }
    }
    for (size_t k = 0; k < m->pos.n && rc == 0; k++) {
        const struct mpos *p = tab_at(&m->pos, k);
        rc = rows->position(rows->ud, p->p.position_id, p->p.quantity, p->p.closed_quantity, pin[k],
                            pout[k]);
    }
    for (size_t k = 0; k < m->ord.n && rc == 0; k++) {
        const struct mord *o = tab_at(&m->ord, k);
        rc = rows->order(rows->ud, o->in.order_id, o->s.filled, osum[k]);
    }
    for (size_t k = 0; k < m->pf.n && rc == 0; k++) {
        const struct mpf *p = tab_at(&m->pf, k);
        if (p->has_state)
            rc = rows->state(rows->ud, &p->st);
    }
    for (size_t k = 0; k < m->slot.n && rc == 0; k++) {
        const struct mslot *s = tab_at(&m->slot, k);
        int64_t bases = 0;
        for (size_t j = s->lo; j < s->npos; j++) {
            const struct mpos *p = tab_at(&m->pos, s->pos[j]);
            bases += p->p.is_base && p->p.status != TC_POSITION_CLOSED;
        }
        if (bases > 1)
            rc = rows->bases(rows->ud, s->portfolio_id, s->instrument_id, bases);
    }
    if (rc != 0 && rc != TC_ERANGE)
        rc = tc_error_set(err, rc, "ledger check: %s", tc_strerror(rc));
out:
    free(osum);
    free(pin);
    free(pout);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Public reads                                                               */

int tc__ledger_mem_positions_open(struct tc_ledger *l, const char *portfolio_id,
                                  const char *instrument_id, struct tc_position *out, size_t cap,
                                  size_t *n)
{
    struct mem *m = M(l);
    size_t count = 0, kept = 0;

    for (size_t k = 0; k < m->slot.n; k++) {
        const struct mslot *s = tab_at(&m->slot, k);
        if (strcmp(s->portfolio_id, portfolio_id) != 0 ||
            (instrument_id && strcmp(s->instrument_id, instrument_id) != 0))
            continue;
        for (size_t i = s->lo; i < s->npos; i++) {
            const struct tc_position *p = &((const struct mpos *)tab_at(&m->pos, s->pos[i]))->p;
            if (p->status == TC_POSITION_CLOSED)
                continue;
            count++;
            tc__ledger_pos_keep(p, out, cap, &kept);
        }
    }
    *n = count;
    return 0;
}

const struct tc__ledger_repo_ops tc__ledger_repo_mem = {
    .name = "memory",
    .txn = mem_txn,
    .read = mem_read,
    .load_cache = mem_load_cache,
    .release = mem_release,
    .instrument_get = mem_instrument_get,
    .sig_insert = mem_sig_insert,
    .sig_finish = mem_sig_finish,
    .portfolio_get = mem_portfolio_get,
    .strategy_get = mem_strategy_get,
    .state_load = mem_state_load,
    .state_create = mem_state_create,
    .state_save = mem_state_save,
    .pos_insert = mem_pos_insert,
    .pos_save = mem_pos_save,
    .pos_load = mem_pos_load,
    .layers = mem_layers,
    .open_count = mem_open_count,
    .order_insert = mem_order_insert,
    .order_load = mem_order_load,
    .order_ack = mem_order_ack,
    .order_filled = mem_order_filled,
    .order_status = mem_order_status,
    .orders_new = mem_orders_new,
    .fill_insert = mem_fill_insert,
    .trade_insert = mem_trade_insert,
    .pyr_get = mem_pyr_get,
    .pyr_base = mem_pyr_base,
    .pyr_layer = mem_pyr_layer,
    .pyr_reset = mem_pyr_reset,
    .check = mem_check,
};
