/* The ledger object: opening (cache load, recovery of unacknowledged order
 * intents, invariant check), the read-through cache of positions and
 * portfolio states installed only after commits, the transaction runner with
 * optimistic-lock retries, and the row helpers shared by the signal and fill
 * paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/str.h"
#include "ledger/ledger_internal.h"
#include "ledger/ledger_repo.h"
#include "ledger/repo_util.h"
#include "tradecore/accounts.h"
#include "tradecore/log.h"
#include "internal/banned.h"

void tc_ledger_options_default(struct tc_ledger_options *o)
{
    memset(o, 0, sizeof(*o));
    o->mode = TC_MODE_PAPER;
    o->limits.max_skew_us = INT64_C(86400) * 1000000;
    o->limits.conflict_retries = 32;
    o->limits.conflict_backoff_us = 500;
}

static const char *const pos_status_names[] = {NULL, "open", "partial", "closed"};

const char *tc_position_status_name(enum tc_position_status s)
{
    return (s >= TC_POSITION_OPEN && s <= TC_POSITION_CLOSED) ? pos_status_names[s] : "?";
}

void tc__ledger_copy(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (!cap)
        return;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

const char *tc__ledger_side_text(enum tc_side s) { return s == TC_SIDE_SHORT ? "SHORT" : "LONG"; }

int tc__ledger_side_parse(const char *s, enum tc_side *out)
{
    if (strcmp(s, "LONG") == 0)
        *out = TC_SIDE_LONG;
    else if (strcmp(s, "SHORT") == 0)
        *out = TC_SIDE_SHORT;
    else
        return TC_EPARSE;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Ids                                                                        */

static int seq_join(struct tc_ledger_seq_ids *s, const char *kind, char *buf, size_t cap);

/* The id generator's failure RC (a positive one is TC_EINTERNAL) for KIND. */
static int gen_failed(struct tc_error *err, const char *kind, int rc)
{
    rc = rc < 0 ? rc : TC_EINTERNAL;
    return tc_error_set(err, rc, "the %s id generator failed: %s", kind, tc_strerror(rc));
}

/* The id generator: tc_ledger_seq_id on an in-memory ledger (one thread)
 * checks a prefix once while it stays the same, the same answers. */
static int gen_id(struct tc_ledger *l, const char *kind, char *buf, size_t cap)
{
    struct tc_ledger_seq_ids *s = l->opt.id_ud;
    int rc;

    if (!l->mem || l->opt.id_fn != tc_ledger_seq_id || !s)
        return l->opt.id_fn(l->opt.id_ud, kind, buf, cap);
    if (l->seq_prefix_ok && strcmp(l->seq_prefix, s->prefix) == 0)
        return seq_join(s, kind, buf, cap);
    rc = tc_ledger_seq_id(s, kind, buf, cap);
    /* its prefix was valid (it would have refused it first) */
    if (rc != TC_EINVAL && memchr(s->prefix, 0, sizeof(s->prefix)) && tc_id_is_valid(s->prefix)) {
        memset(l->seq_prefix, 0, sizeof(l->seq_prefix));
        l->seq_plen = strlen(s->prefix);
        memcpy(l->seq_prefix, s->prefix, l->seq_plen);
        l->seq_prefix_ok = 1;
    }
    return rc;
}

/* L->seq_num made the decimal text of N + 1 (N < UINT64_MAX): counted up
 * as text from the last one while N is the number it holds. */
static inline __attribute__((always_inline)) void seq_next_text(struct tc_ledger *l, uint64_t n)
{
    char *d = l->seq_num;
    size_t i;

    if (!l->seq_nd || l->seq_n != n) {
        char digits[20];
        size_t nd = 0;
        uint64_t v = n;
        do {
            digits[sizeof(digits) - 1 - nd++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        memset(d, 0, sizeof(l->seq_num));
        memcpy(d, digits + sizeof(digits) - nd, nd);
        l->seq_nd = nd;
    }
    for (i = l->seq_nd; i > 0 && d[i - 1] == '9'; i--)
        d[i - 1] = '0';
    if (i > 0) {
        d[i - 1]++;
    } else {
        memmove(d + 1, d, l->seq_nd);
        d[0] = '1';
        l->seq_nd++;
    }
    l->seq_n = n + 1;
}

/* seq_join for the prefix the ledger last found valid while S's is still
 * that one (its PLEN + 1 bytes, the NUL with them, compared): the same id
 * from texts and lengths kept, copied at fixed sizes where BUF has room.
 * 1 when it does not apply (nothing done), else 0 with the answer in *RC.
 * TEXT 0: the id's number counted, its text not written (BUF as it was). */
static inline __attribute__((always_inline)) int seq_step(struct tc_ledger *l, const char *kind,
                                                          char *buf, size_t cap, int text,
                                                          int *rc)
{
    struct tc_ledger_seq_ids *s = l->opt.id_ud;
    size_t klen, plen = l->seq_plen, at, nd;

    if (!l->seq_prefix_ok || !l->mem || l->opt.id_fn != tc_ledger_seq_id || !s ||
        s->n == UINT64_MAX || !tc__ledger_bytes_same(l->seq_prefix, s->prefix, plen + 1))
        return 1;
    /* the kinds are "ord", "pos" and "fill" */
    if (kind[0] && kind[1] && kind[2] && (!kind[3] || !kind[4]))
        klen = kind[3] ? 4 : 3;
    else
        klen = strlen(kind);
    /* the text of N + 1 first: a refusal below counts N up as well */
    seq_next_text(l, s->n);
    nd = l->seq_nd;
    at = klen + plen + 2 + nd;
    if (at >= cap || at > TC_ID_MAX) {
        *rc = seq_join(s, kind, buf, cap); /* its refusal, as before */
        return 0;
    }
    s->n++;
    *rc = 0;
    if (!text)
        return 0;
    if (klen == 3)
        memcpy(buf, kind, 3);
    else if (klen == 4)
        memcpy(buf, kind, 4);
    else
        memcpy(buf, kind, klen);
    buf[klen] = '-';
    /* at fixed sizes where BUF has room: what follows a text is zeroes or
     * written next */
    if (klen + 1 + sizeof(l->seq_prefix) <= cap)
        memcpy(buf + klen + 1, l->seq_prefix, sizeof(l->seq_prefix));
    else
        memcpy(buf + klen + 1, l->seq_prefix, plen);
    buf[klen + 1 + plen] = '-';
    if (klen + plen + 2 + sizeof(l->seq_num) <= cap) {
        memcpy(buf + klen + plen + 2, l->seq_num, sizeof(l->seq_num));
    } else {
        memcpy(buf + klen + plen + 2, l->seq_num, nd);
        buf[at] = '\0';
    }
    return 0;
}

int tc__ledger_new_seq(struct tc_ledger *l, const char *kind, char *buf, size_t cap,
                       struct tc_error *err)
{
    int rc;

    if (l->opt.id_fn && seq_step(l, kind, buf, cap, 0, &rc) == 0) {
        buf[0] = '\0';
        return rc != 0 ? gen_failed(err, kind, rc) : 0;
    }
    return tc__ledger_new_id(l, kind, buf, cap, err);
}

int tc__ledger_new_id(struct tc_ledger *l, const char *kind, char *buf, size_t cap,
                      struct tc_error *err)
{
    char uuid[TC_UUID_STRLEN];
    int rc;

    if (l->opt.id_fn && seq_step(l, kind, buf, cap, 1, &rc) == 0) {
        if (rc != 0) {
            buf[0] = '\0';
            return gen_failed(err, kind, rc);
        }
        return 0;
    }
    if (l->opt.id_fn) {
        buf[0] = '\0';
        rc = gen_id(l, kind, buf, cap);
        if (rc != 0)
            return gen_failed(err, kind, rc);
        /* tc_ledger_seq_id checked its prefix and joins it to a kind and a
         * number with '-' within TC_ID_MAX: a valid id, not checked twice */
        if (!memchr(buf, 0, cap) ||
            (l->opt.id_fn != tc_ledger_seq_id && !tc_id_is_valid(buf)))
            return tc_error_set(err, TC_EINVAL, "the %s id generator gave an invalid id \"%.64s\"",
                                kind, memchr(buf, 0, cap) ? buf : "");
        return 0;
    }
    if (tc_id_uuid(uuid, sizeof(uuid)) < 0)
        return tc_error_set(err, TC_EINTERNAL, "no %s id", kind);
    if (strcmp(kind, "fill") == 0)
        snprintf(buf, cap, "%s", uuid);
    else
        snprintf(buf, cap, "%s-%s", kind, uuid);
    return 0;
}

/* Appends S (LEN bytes) at *AT in BUF of CAP; 0, or -1 when it does not fit. */
static int put_text(char *buf, size_t cap, size_t *at, const char *s, size_t len)
{
    if (*at + len >= cap)
        return -1;
    memcpy(buf + *at, s, len);
    *at += len;
    return 0;
}

/* Called per order, position and fill: formatted by hand, not snprintf. */
int tc_ledger_seq_id(void *ud, const char *kind, char *buf, size_t cap)
{
    struct tc_ledger_seq_ids *s = ud;

    if (!s || !kind || !buf || !memchr(s->prefix, 0, sizeof(s->prefix)) ||
        !tc_id_is_valid(s->prefix))
        return TC_EINVAL;
    return seq_join(s, kind, buf, cap);
}

/* "<kind>-<prefix>-<n + 1>" into BUF (S's prefix already checked). */
static int seq_join(struct tc_ledger_seq_ids *s, const char *kind, char *buf, size_t cap)
{
    char digits[24];
    size_t nd = 0, at = 0;
    uint64_t n;

    n = ++s->n;
    do {
        digits[sizeof(digits) - 1 - nd++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    if (put_text(buf, cap, &at, kind, strlen(kind)) != 0 || put_text(buf, cap, &at, "-", 1) != 0 ||
        put_text(buf, cap, &at, s->prefix, strlen(s->prefix)) != 0 ||
        put_text(buf, cap, &at, "-", 1) != 0 ||
        put_text(buf, cap, &at, digits + sizeof(digits) - nd, nd) != 0 || at > TC_ID_MAX) {
        if (cap)
            buf[0] = '\0';
        return TC_ERANGE;
    }
    buf[at] = '\0';
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Changes and the cache                                                      */

void tc__ledger_changes_init(struct tc__ledger_changes *c)
{
    c->off = 0;
    c->pos = NULL;
    c->npos = c->cap = 0;
    c->has_ps = 0;
}

void tc__ledger_changes_release(struct tc__ledger_changes *c)
{
    free(c->pos);
    memset(c, 0, sizeof(*c));
}

int tc__ledger_changes_add_more(struct tc__ledger_changes *c, const struct tc_position *p)
{
    if (tc__grow((void **)&c->pos, &c->cap, c->npos, sizeof(*c->pos), 4) != 0)
        return TC_ENOMEM;
    if (c->npos == 1)
        c->pos[0] = c->one;
    c->pos[c->npos++] = *p;
    return 0;
}

static uint64_t hash_id(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

/* Index of the cached position ID, or -1. Caller holds the lock. */
static long cache_find(const struct tc_ledger *l, const char *id)
{
    if (!l->nslots)
        return -1;
    for (size_t j = hash_id(id) & (l->nslots - 1);; j = (j + 1) & (l->nslots - 1)) {
        size_t v = l->slots[j];
        if (!v)
            return -1;
        if (strcmp(l->pos[v - 1].position_id, id) == 0)
            return (long)(v - 1);
    }
}

static int cache_rehash(struct tc_ledger *l, size_t nslots)
{
    size_t *t = calloc(nslots, sizeof(*t));
    if (!t)
        return TC_ENOMEM;
    for (size_t k = 0; k < l->npos; k++) {
        size_t j = hash_id(l->pos[k].position_id) & (nslots - 1);
        while (t[j])
            j = (j + 1) & (nslots - 1);
        t[j] = k + 1;
    }
    free(l->slots);
    l->slots = t;
    l->nslots = nslots;
    return 0;
}

/* Installs P unless the cache holds a newer version. Caller holds the write lock. */
int tc__ledger_cache_put_pos(struct tc_ledger *l, const struct tc_position *p)
{
    long k = cache_find(l, p->position_id);
    if (k >= 0) {
        if (l->pos[k].version <= p->version)
            l->pos[k] = *p;
        return 0;
    }
    if (tc__grow((void **)&l->pos, &l->cappos, l->npos, sizeof(*l->pos), 64) != 0)
        return TC_ENOMEM;
    if ((l->npos + 1) * 2 > l->nslots) {
        int rc = cache_rehash(l, l->nslots ? l->nslots * 2 : 128);
        if (rc != 0)
            return rc;
    }
    l->pos[l->npos] = *p;
    size_t j = hash_id(p->position_id) & (l->nslots - 1);
    while (l->slots[j])
        j = (j + 1) & (l->nslots - 1);
    l->slots[j] = ++l->npos;
    return 0;
}

int tc__ledger_cache_put_state(struct tc_ledger *l, const struct tc_portfolio_state *s)
{
    for (size_t k = 0; k < l->nps; k++) {
        if (strcmp(l->ps[k].portfolio_id, s->portfolio_id) == 0) {
            if (l->ps[k].version <= s->version)
                l->ps[k] = *s;
            return 0;
        }
    }
    if (l->nps == l->capps) {
        size_t cap = l->capps ? l->capps * 2 : 8;
        struct tc_portfolio_state *t = realloc(l->ps, cap * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        l->ps = t;
        l->capps = cap;
    }
    l->ps[l->nps++] = *s;
    return 0;
}

void tc__ledger_cache_clear(struct tc_ledger *l)
{
    l->npos = 0;
    l->nps = 0;
    if (l->slots)
        memset(l->slots, 0, l->nslots * sizeof(*l->slots));
}

/* After a commit. An allocation failure leaves the cache stale but never
 * wrong: the entry is dropped so the next read goes to the store. */
static void cache_install(struct tc_ledger *l, const struct tc__ledger_changes *c)
{
    pthread_rwlock_wrlock(&l->lock);
    const struct tc_position *pos = tc__ledger_changes_items(c);
    for (size_t k = 0; k < c->npos; k++) {
        if (tc__ledger_cache_put_pos(l, &pos[k]) != 0)
            TC_LOG_ERROR("ledger", "cache: out of memory; position not cached",
                         TC_LF_STR("position_id", pos[k].position_id));
    }
    if (c->has_ps && tc__ledger_cache_put_state(l, &c->ps) != 0)
        TC_LOG_ERROR("ledger", "cache: out of memory; portfolio state not cached",
                     TC_LF_STR("portfolio_id", c->ps.portfolio_id));
    pthread_rwlock_unlock(&l->lock);
}

/* The committed changes C to the change feed, if any (ledger.h). */
static void feed(struct tc_ledger *l, const struct tc__ledger_changes *c)
{
    if (l->opt.on_change && !c->off && (c->npos || c->has_ps))
        l->opt.on_change(l->opt.change_ud, tc__ledger_changes_items(c), c->npos,
                         c->has_ps ? &c->ps : NULL);
}

/* ------------------------------------------------------------------------ */
/* The transaction runner                                                     */

int tc__ledger_fault_hook(struct tc_ledger *l, const char *point, struct tc_error *err)
{
    int rc;
    if (!l->opt.fault || (rc = l->opt.fault(point, l->opt.fault_ud)) == 0)
        return 0;
    return tc_error_set(err, rc < 0 ? rc : TC_EINTERNAL, "ledger: fault injected at %s", point);
}

/* With a store: retries after conflicts, the cache installed after the
 * commit (out of tc__ledger_run's line: the memory path stays small). */
static __attribute__((noinline)) int run_store(struct tc_ledger *l, tc_txn_fn fn, void *ud,
                                               struct tc__ledger_changes *ch,
                                               struct tc_error *err);

int tc__ledger_run(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc__ledger_changes *ch,
                   struct tc_error *err)
{
    int rc;

    if (!l->mem)
        return run_store(l, fn, ud, ch, err);
    /* one thread, no other writer: no conflicts, no cache to install; the
     * changes are kept only for a change feed */
    if (ch) {
        ch->off = !l->opt.on_change;
        tc__ledger_changes_reset(ch);
    }
    rc = l->repo->txn(l, fn, ud, err);
    if (rc == 0 && ch)
        feed(l, ch);
    return rc;
}

static int run_store(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc__ledger_changes *ch,
                     struct tc_error *err)
{
    int64_t backoff = l->opt.limits.conflict_backoff_us;
    struct tc_rng rng;
    int rc;

    tc_rng_seed(&rng, (uint64_t)tc_clock_monotonic(NULL) ^ (uint64_t)(uintptr_t)&rng);
    for (int attempt = 0;; attempt++) {
        if (ch)
            tc__ledger_changes_reset(ch);
        rc = l->repo->txn(l, fn, ud, err);
        if (rc != TC_ECONFLICT || attempt >= l->opt.limits.conflict_retries)
            break;
        if (backoff > 0) {
            tc_clock_sleep(l->opt.clock, backoff / 2 + (int64_t)tc_rng_below(&rng, (uint64_t)backoff));
            if (backoff < l->opt.limits.conflict_backoff_us * 64)
                backoff *= 2;
        }
    }
    if (rc == TC_ECONFLICT)
        tc_error_prefix(err, "ledger: gave up after %d conflicting attempts",
                        l->opt.limits.conflict_retries + 1);
    if (rc == 0 && ch) {
        cache_install(l, ch);
        feed(l, ch);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Rows                                                                       */

int tc__ledger_get_position(struct tc_ledger *l, struct tc_txn *tx, const char *position_id,
                            size_t pos, struct tc_position *p, int *found, struct tc_error *err)
{
    return l->repo->pos_load(l, tx, position_id, pos, p, found, err);
}

int tc__ledger_get_state(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                         size_t pf, struct tc_portfolio_state *s, int *found,
                         struct tc_error *err)
{
    return l->repo->state_load(l, tx, portfolio_id, pf, s, found, err);
}

int tc__ledger_ensure_state(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                            size_t pf, struct tc_portfolio_state *s, struct tc_error *err)
{
    int found = 0, rc;

    if ((rc = l->repo->state_load(l, tx, portfolio_id, pf, s, &found, err)) != 0 || found)
        return rc;
    if ((rc = l->repo->state_create(l, tx, portfolio_id, pf, tc_clock_now(l->opt.clock), err)) !=
            0 ||
        (rc = l->repo->state_load(l, tx, portfolio_id, pf, s, &found, err)) != 0)
        return rc;
    if (!found)
        return tc_error_set(err, TC_ENOTFOUND, "portfolio \"%s\" not found", portfolio_id);
    return 0;
}

int tc__ledger_insert_position(struct tc_ledger *l, struct tc_txn *tx, struct tc_position *p,
                               size_t *slot, size_t *pos, struct tc_error *err)
{
    int64_t now = tc_clock_now(l->opt.clock);
    int rc = l->repo->pos_insert(l, tx, p, now, slot, pos, err);
    if (rc != 0)
        return rc;
    p->status = TC_POSITION_OPEN;
    p->version = 1;
    p->updated_at_us = now;
    return 0;
}

int tc__ledger_save_position(struct tc_ledger *l, struct tc_txn *tx, struct tc_position *p,
                             size_t pos, struct tc__ledger_changes *ch, struct tc_error *err)
{
    int64_t now = tc_clock_now(l->opt.clock);
    int rc = l->repo->pos_save(l, tx, p, pos, now, err);
    if (rc != 0)
        return rc;
    p->version++;
    p->updated_at_us = now;
    return ch ? tc__ledger_changes_add_pos(ch, p) : 0;
}

int tc__ledger_save_state(struct tc_ledger *l, struct tc_txn *tx, struct tc_portfolio_state *s,
                          size_t pf, struct tc__ledger_changes *ch, struct tc_error *err)
{
    int64_t now = tc_clock_now(l->opt.clock);
    int rc = l->repo->state_save(l, tx, s, pf, now, err);
    if (rc != 0)
        return rc;
    s->version++;
    s->updated_at_us = now;
    if (ch && !ch->off) {
        if (s != &ch->ps) /* else built in place */
            ch->ps = *s;
        ch->has_ps = 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Open and close                                                             */

static int log_violation(const struct tc_ledger_violation *v, void *ud)
{
    TC_LOG_ERROR("ledger", "invariant violated", TC_LF_STR("kind", v->kind),
                 TC_LF_STR("subject", v->subject), TC_LF_STR("detail", v->message));
    return 0;
}

int tc_ledger_open(const struct tc_ledger_options *opt, struct tc_ledger **out,
                   struct tc_error *err)
{
    struct tc_ledger *l;
    size_t nviol = 0;
    int rc;

    if (!out)
        return tc_error_set(err, TC_EINVAL, "ledger: no output given");
    *out = NULL;
    if (!opt)
        return tc_error_set(err, TC_EINVAL, "ledger: no options given");
    if (opt->in_memory && opt->runtime)
        return tc_error_set(err, TC_EINVAL,
                            "ledger: an in-memory ledger takes no runtime store (runtime must be "
                            "NULL)");
    if (opt->in_memory && opt->fence)
        return tc_error_set(err, TC_EINVAL,
                            "ledger: an in-memory ledger has no store transaction to fence (fence "
                            "must be NULL)");
    if (!opt->in_memory && (!opt->runtime || !opt->historical))
        return tc_error_set(err, TC_EINVAL, "ledger: a runtime and a historical store are required");
    if (opt->mode < TC_MODE_LIVE || opt->mode > TC_MODE_BACKTEST)
        return tc_error_set(err, TC_EINVAL, "ledger: mode %d is not LIVE, PAPER or BACKTEST",
                            (int)opt->mode);
    if (opt->run_id && *opt->run_id && (rc = tc_id_validate("run", opt->run_id, err)) != 0)
        return tc_error_prefix(err, "ledger");
    if (opt->actor && *opt->actor && (rc = tc_id_validate("actor", opt->actor, err)) != 0)
        return tc_error_prefix(err, "ledger");
    if (opt->limits.conflict_retries < 0 || opt->limits.max_skew_us < 0 ||
        opt->limits.conflict_backoff_us < 0)
        return tc_error_set(err, TC_EINVAL, "ledger: limits must not be negative");
    if (!(l = calloc(1, sizeof(*l))))
        return tc_error_set(err, TC_ENOMEM, "ledger: out of memory");
    l->opt = *opt;
    snprintf(l->run_id, sizeof(l->run_id), "%s", opt->run_id ? opt->run_id : "");
    snprintf(l->actor, sizeof(l->actor), "%s",
             (opt->actor && *opt->actor) ? opt->actor : TC_LEDGER_ACTOR_DEFAULT);
    l->opt.run_id = l->run_id;
    l->opt.actor = l->actor;
    pthread_rwlock_init(&l->lock, NULL);
    l->repo = &tc__ledger_repo_sql;
    if (opt->in_memory) {
        l->repo = &tc__ledger_repo_mem;
        if ((rc = tc__ledger_mem_init(l, err)) != 0)
            goto fail;
    }
    if ((rc = l->repo->load_cache(l, err)) != 0)
        goto fail;
    if (l->opt.broker) {
        tc_broker_set_fill_handler(l->opt.broker, tc__ledger_on_fill, l);
        tc_broker_set_update_handler(l->opt.broker, tc__ledger_on_update, l);
    }
    if (l->opt.broker && !l->opt.no_recovery) {
        size_t n = 0;
        struct tc_error e2 = {0};
        if (tc_ledger_resubmit_pending(l, &n, &e2) != 0)
            TC_LOG_WARN("ledger", "recovery: some order intents were not acknowledged",
                        TC_LF_STR("error", tc_error_msg(&e2)));
        else if (n)
            TC_LOG_INFO("ledger", "recovery: order intents sent again", TC_LF_INT("orders", n));
    }
    if ((rc = tc_ledger_check(l, log_violation, NULL, &nviol, err)) != 0)
        goto fail;
    if (nviol && l->opt.strict_check) {
        rc = tc_error_set(err, TC_ESTATE, "ledger: %zu invariant violation(s) in the runtime store",
                          nviol);
        goto fail;
    }
    *out = l;
    return 0;
fail:
    tc_ledger_close(l);
    return rc;
}

void tc_ledger_close(struct tc_ledger *l)
{
    if (!l)
        return;
    if (l->opt.broker && l->opt.broker->fill_ud == l) {
        tc_broker_set_fill_handler(l->opt.broker, NULL, NULL);
        tc_broker_set_update_handler(l->opt.broker, NULL, NULL);
    }
    tc__ledger_scratch_free(l);
    if (l->repo)
        l->repo->release(l);
    pthread_rwlock_destroy(&l->lock);
    free(l->pos);
    free(l->slots);
    free(l->ps);
    free(l);
}

/* ------------------------------------------------------------------------ */
/* Reads                                                                      */

static int check_id(const char *what, const char *id, struct tc_error *err)
{
    return tc_id_validate(what, id, err);
}

struct pos_read {
    struct tc_ledger *l;
    struct tc_position *out;
    int found;
};

static int pos_read_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct pos_read *r = ud;
    return tc__ledger_get_position(r->l, tx, r->out->position_id, 0, r->out, &r->found, err);
}

int tc_ledger_position_get(struct tc_ledger *l, const char *position_id,
                           struct tc_position *out, struct tc_error *err)
{
    struct pos_read r;
    long k;
    int rc;

    if (!l || !out)
        return tc_error_set(err, TC_EINVAL, "ledger: position_get needs a ledger and an output");
    if ((rc = check_id("position", position_id, err)) != 0)
        return rc;
    /* the memory backend (one thread) keeps no cache: no lock to take */
    if (!l->mem) {
        pthread_rwlock_rdlock(&l->lock);
        k = cache_find(l, position_id);
        if (k >= 0)
            *out = l->pos[k];
        pthread_rwlock_unlock(&l->lock);
        if (k >= 0)
            return 0;
    }
    memset(out, 0, sizeof(*out));
    tc__str_copy(out->position_id, sizeof(out->position_id), position_id);
    r.l = l;
    r.out = out;
    r.found = 0;
    if ((rc = l->repo->read(l, pos_read_fn, &r, err)) != 0)
        return rc;
    if (!r.found)
        return tc_error_set(err, TC_ENOTFOUND, "position \"%s\" not found", position_id);
    if (l->mem)
        return 0; /* the memory backend is its own cache */
    pthread_rwlock_wrlock(&l->lock);
    tc__ledger_cache_put_pos(l, out);
    pthread_rwlock_unlock(&l->lock);
    return 0;
}

int tc__ledger_pos_order(const struct tc_position *a, const struct tc_position *b)
{
    int c = strcmp(a->instrument_id, b->instrument_id);
    if (c)
        return c;
    if (a->layer != b->layer)
        return a->layer < b->layer ? -1 : 1;
    return strcmp(a->position_id, b->position_id);
}

void tc__ledger_pos_keep(const struct tc_position *p, struct tc_position *out, size_t cap,
                         size_t *kept)
{
    size_t j;
    if (*kept < cap)
        j = (*kept)++;
    else if (cap && tc__ledger_pos_order(p, &out[cap - 1]) < 0)
        j = cap - 1;
    else
        return;
    while (j > 0 && tc__ledger_pos_order(p, &out[j - 1]) < 0) {
        out[j] = out[j - 1];
        j--;
    }
    out[j] = *p;
}

int tc_ledger_positions_open(struct tc_ledger *l, const char *portfolio_id,
                             const char *instrument_id, struct tc_position *out, size_t cap,
                             size_t *n, struct tc_error *err)
{
    size_t count = 0, kept = 0;
    int rc;

    if (!l || !n || (cap && !out))
        return tc_error_set(err, TC_EINVAL, "ledger: positions_open needs a ledger, a count and room");
    if ((rc = check_id("portfolio", portfolio_id, err)) != 0 ||
        (instrument_id && (rc = check_id("instrument", instrument_id, err)) != 0))
        return rc;
    if (l->mem)
        return tc__ledger_mem_positions_open(l, portfolio_id, instrument_id, out, cap, n);
    pthread_rwlock_rdlock(&l->lock);
    for (size_t k = 0; k < l->npos; k++) {
        const struct tc_position *p = &l->pos[k];
        if (p->status == TC_POSITION_CLOSED || strcmp(p->portfolio_id, portfolio_id) != 0 ||
            (instrument_id && strcmp(p->instrument_id, instrument_id) != 0))
            continue;
        count++;
        tc__ledger_pos_keep(p, out, cap, &kept);
    }
    pthread_rwlock_unlock(&l->lock);
    *n = count;
    return 0;
}

struct state_read {
    struct tc_ledger *l;
    struct tc_portfolio_state *out;
    const char *id;
    int found;
};

static int state_read_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct state_read *r = ud;
    return tc__ledger_get_state(r->l, tx, r->id, 0, r->out, &r->found, err);
}

int tc_ledger_portfolio_state(struct tc_ledger *l, const char *portfolio_id,
                              struct tc_portfolio_state *out, struct tc_error *err)
{
    struct state_read r;
    int rc, hit = 0;

    if (!l || !out)
        return tc_error_set(err, TC_EINVAL, "ledger: portfolio_state needs a ledger and an output");
    if ((rc = check_id("portfolio", portfolio_id, err)) != 0)
        return rc;
    if (!l->mem) {
        pthread_rwlock_rdlock(&l->lock);
        for (size_t k = 0; k < l->nps; k++) {
            if (strcmp(l->ps[k].portfolio_id, portfolio_id) == 0) {
                *out = l->ps[k];
                hit = 1;
                break;
            }
        }
        pthread_rwlock_unlock(&l->lock);
        if (hit)
            return 0;
    }
    r.l = l;
    r.out = out;
    r.id = portfolio_id;
    r.found = 0;
    if ((rc = l->repo->read(l, state_read_fn, &r, err)) != 0)
        return rc;
    if (!r.found)
        return tc_error_set(err, TC_ENOTFOUND, "portfolio \"%s\" has no ledger state",
                            portfolio_id);
    if (l->mem)
        return 0;
    pthread_rwlock_wrlock(&l->lock);
    tc__ledger_cache_put_state(l, out);
    pthread_rwlock_unlock(&l->lock);
    return 0;
}

struct pyr_read {
    struct tc_ledger *l;
    const char *pid, *iid;
    struct tc_pyramiding_state *out;
    int found;
};

static int pyr_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct pyr_read *r = ud;
    return r->l->repo->pyr_get(r->l, tx, r->pid, r->iid, r->out, &r->found, err);
}

int tc_ledger_pyramiding_get(struct tc_ledger *l, const char *portfolio_id,
                             const char *instrument_id, struct tc_pyramiding_state *out,
                             struct tc_error *err)
{
    struct pyr_read r = {l, portfolio_id, instrument_id, out, 0};
    int rc;

    if (!l || !out)
        return tc_error_set(err, TC_EINVAL, "ledger: pyramiding_get needs a ledger and an output");
    if ((rc = check_id("portfolio", portfolio_id, err)) != 0 ||
        (rc = check_id("instrument", instrument_id, err)) != 0)
        return rc;
    if ((rc = l->repo->read(l, pyr_fn, &r, err)) != 0)
        return rc;
    if (!r.found)
        return tc_error_set(err, TC_ENOTFOUND, "portfolio \"%s\" has no pyramiding state for \"%s\"",
                            portfolio_id, instrument_id);
    return 0;
}

struct init_ctx {
    struct tc_ledger *l;
    const char *id;
    struct tc__ledger_changes *ch;
};

static int init_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct init_ctx *c = ud;
    int rc = tc__ledger_ensure_state(c->l, tx, c->id, 0, &c->ch->ps, err);
    if (rc == 0)
        c->ch->has_ps = 1;
    return rc;
}

int tc_ledger_portfolio_init(struct tc_ledger *l, const char *portfolio_id,
                             struct tc_error *err)
{
    struct tc__ledger_changes ch = {0};
    struct init_ctx c = {l, portfolio_id, &ch};
    int rc;

    if (!l)
        return tc_error_set(err, TC_EINVAL, "ledger: no ledger given");
    if ((rc = check_id("portfolio", portfolio_id, err)) != 0)
        return rc;
    rc = tc__ledger_run(l, init_fn, &c, &ch, err);
    tc__ledger_changes_release(&ch);
    return rc;
}
