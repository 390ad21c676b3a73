/* The ledger object: opening (cache load, recovery of unacknowledged order
 * intents, invariant check), the read-through cache of positions and
 * portfolio states installed only after commits, the transaction runner with
 * optimistic-lock retries, and the row helpers shared by the signal and fill
 * paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_internal.h"
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

static int pos_status_parse(const char *s, enum tc_position_status *out)
{
    for (int k = TC_POSITION_OPEN; k <= TC_POSITION_CLOSED; k++) {
        if (strcmp(s, pos_status_names[k]) == 0) {
            *out = (enum tc_position_status)k;
            return 0;
        }
    }
    return TC_EPARSE;
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

int tc__ledger_new_id(struct tc_ledger *l, const char *kind, char *buf, size_t cap,
                      struct tc_error *err)
{
    char uuid[TC_UUID_STRLEN];
    int rc;

    if (l->opt.id_fn) {
        buf[0] = '\0';
        rc = l->opt.id_fn(l->opt.id_ud, kind, buf, cap);
        if (rc != 0)
            return tc_error_set(err, rc < 0 ? rc : TC_EINTERNAL, "the %s id generator failed: %s",
                                kind, tc_strerror(rc < 0 ? rc : TC_EINTERNAL));
        if (!memchr(buf, 0, cap) || !tc_id_is_valid(buf))
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

int tc_ledger_seq_id(void *ud, const char *kind, char *buf, size_t cap)
{
    struct tc_ledger_seq_ids *s = ud;
    int n;

    if (!s || !kind || !buf || !memchr(s->prefix, 0, sizeof(s->prefix)) ||
        !tc_id_is_valid(s->prefix))
        return TC_EINVAL;
    n = snprintf(buf, cap, "%s-%s-%llu", kind, s->prefix, (unsigned long long)++s->n);
    return (n < 0 || (size_t)n >= cap || n > TC_ID_MAX) ? TC_ERANGE : 0;
}

/* ------------------------------------------------------------------------ */
/* Changes and the cache                                                      */

void tc__ledger_changes_reset(struct tc__ledger_changes *c)
{
    c->npos = 0;
    c->has_ps = 0;
}

void tc__ledger_changes_release(struct tc__ledger_changes *c)
{
    free(c->pos);
    memset(c, 0, sizeof(*c));
}

int tc__ledger_changes_add_pos(struct tc__ledger_changes *c, const struct tc_position *p)
{
    if (c->npos == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4;
        struct tc_position *t = realloc(c->pos, cap * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        c->pos = t;
        c->cap = cap;
    }
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
static int cache_put_pos(struct tc_ledger *l, const struct tc_position *p)
{
    long k = cache_find(l, p->position_id);
    if (k >= 0) {
        if (l->pos[k].version <= p->version)
            l->pos[k] = *p;
        return 0;
    }
    if (l->npos == l->cappos) {
        size_t cap = l->cappos ? l->cappos * 2 : 64;
        struct tc_position *t = realloc(l->pos, cap * sizeof(*t));
        if (!t)
            return TC_ENOMEM;
        l->pos = t;
        l->cappos = cap;
    }
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

static int cache_put_state(struct tc_ledger *l, const struct tc_portfolio_state *s)
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

/* After a commit. An allocation failure leaves the cache stale but never
 * wrong: the entry is dropped so the next read goes to the store. */
static void cache_install(struct tc_ledger *l, const struct tc__ledger_changes *c)
{
    pthread_rwlock_wrlock(&l->lock);
    for (size_t k = 0; k < c->npos; k++) {
        if (cache_put_pos(l, &c->pos[k]) != 0)
            TC_LOG_ERROR("ledger", "cache: out of memory; position not cached",
                         TC_LF_STR("position_id", c->pos[k].position_id));
    }
    if (c->has_ps && cache_put_state(l, &c->ps) != 0)
        TC_LOG_ERROR("ledger", "cache: out of memory; portfolio state not cached",
                     TC_LF_STR("portfolio_id", c->ps.portfolio_id));
    pthread_rwlock_unlock(&l->lock);
}

/* ------------------------------------------------------------------------ */
/* The transaction runner                                                     */

int tc__ledger_fault(struct tc_ledger *l, const char *point, struct tc_error *err)
{
    int rc;
    if (!l->opt.fault || (rc = l->opt.fault(point, l->opt.fault_ud)) == 0)
        return 0;
    return tc_error_set(err, rc < 0 ? rc : TC_EINTERNAL, "ledger: fault injected at %s", point);
}

struct fenced {
    struct tc_ledger *l;
    tc_txn_fn fn;
    void *ud;
};

/* The fence first, in the same transaction as the writes it guards. */
static int fenced_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct fenced *f = ud;
    int rc = f->l->opt.fence(tx, f->l->opt.fence_ud, err);

    if (rc != 0)
        return rc;
    return f->fn(tx, f->ud, err);
}

int tc__ledger_run(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc__ledger_changes *ch,
                   struct tc_error *err)
{
    struct fenced f = {l, fn, ud};

    int64_t backoff = l->opt.limits.conflict_backoff_us;
    struct tc_rng rng;
    int rc;

    tc_rng_seed(&rng, (uint64_t)tc_clock_monotonic(NULL) ^ (uint64_t)(uintptr_t)&rng);
    for (int attempt = 0;; attempt++) {
        if (ch)
            tc__ledger_changes_reset(ch);
        rc = l->opt.fence ? tc_store_txn(l->opt.runtime, TC_TXN_WRITE, fenced_fn, &f, err)
                          : tc_store_txn(l->opt.runtime, TC_TXN_WRITE, fn, ud, err);
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
    if (rc == 0 && ch)
        cache_install(l, ch);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Rows                                                                       */

static int col_opt_dec(const struct tc_row *row, int col, struct tc_dec *out, int *has)
{
    *has = !tc_row_is_null(row, col);
    return tc__repo_col_dec(row, col, out);
}

int tc__ledger_row_position(const struct tc_row *row, int c, struct tc_position *p)
{
    char side[8], status[16];
    int64_t layer = 0;
    int rc, base = 0;

    memset(p, 0, sizeof(*p));
    if ((rc = tc__repo_col_str(row, c + 0, p->position_id, sizeof(p->position_id))) != 0 ||
        (rc = tc__repo_col_str(row, c + 1, p->portfolio_id, sizeof(p->portfolio_id))) != 0 ||
        (rc = tc__repo_col_str(row, c + 2, p->strategy_id, sizeof(p->strategy_id))) != 0 ||
        (rc = tc__repo_col_str(row, c + 3, p->instrument_id, sizeof(p->instrument_id))) != 0 ||
        (rc = tc__repo_col_str(row, c + 4, side, sizeof(side))) != 0 ||
        (rc = tc__repo_col_dec(row, c + 5, &p->quantity)) != 0 ||
        (rc = tc__repo_col_dec(row, c + 6, &p->lots)) != 0 ||
        (rc = tc__repo_col_dec(row, c + 7, &p->multiplier)) != 0 ||
        (rc = tc__repo_col_dec(row, c + 8, &p->lot_size)) != 0 ||
        (rc = tc__repo_col_dec(row, c + 9, &p->entry_price)) != 0 ||
        (rc = tc__repo_col_time(row, c + 10, &p->entry_time_us)) != 0 ||
        (rc = col_opt_dec(row, c + 11, &p->initial_stop, &p->has_initial_stop)) != 0 ||
        (rc = col_opt_dec(row, c + 12, &p->current_stop, &p->has_current_stop)) != 0 ||
        (rc = tc_row_bool(row, c + 13, &base)) != 0 ||
        (rc = tc_row_int(row, c + 14, &layer)) != 0 ||
        (rc = tc__repo_col_str(row, c + 15, status, sizeof(status))) != 0 ||
        (rc = tc__repo_col_dec(row, c + 16, &p->closed_quantity)) != 0 ||
        (rc = tc__repo_col_dec(row, c + 17, &p->exit_price)) != 0 ||
        (rc = tc__repo_col_time(row, c + 18, &p->exit_time_us)) != 0 ||
        (rc = tc__repo_col_str(row, c + 19, p->exit_reason, sizeof(p->exit_reason))) != 0 ||
        (rc = tc__repo_col_dec(row, c + 20, &p->realized_pnl)) != 0 ||
        (rc = tc__repo_col_dec(row, c + 21, &p->commission)) != 0 ||
        (rc = tc_row_int(row, c + 22, &p->version)) != 0 ||
        (rc = tc__repo_col_time(row, c + 23, &p->updated_at_us)) != 0)
        return rc;
    if (tc__ledger_side_parse(side, &p->side) != 0 || pos_status_parse(status, &p->status) != 0)
        return TC_EPARSE;
    p->is_base = base;
    p->layer = (int)layer;
    return 0;
}

int tc__ledger_row_state(const struct tc_row *row, struct tc_portfolio_state *s)
{
    int rc;
    memset(s, 0, sizeof(*s));
    if ((rc = tc__repo_col_str(row, 0, s->portfolio_id, sizeof(s->portfolio_id))) != 0 ||
        (rc = tc__repo_col_dec(row, 1, &s->initial_capital)) != 0 ||
        (rc = tc__repo_col_dec(row, 2, &s->cash)) != 0 ||
        (rc = tc__repo_col_dec(row, 3, &s->closed_equity)) != 0 ||
        (rc = tc__repo_col_dec(row, 4, &s->realized_pnl)) != 0 ||
        (rc = tc__repo_col_dec(row, 5, &s->commission_paid)) != 0 ||
        (rc = tc_row_int(row, 6, &s->version)) != 0 ||
        (rc = tc__repo_col_time(row, 7, &s->updated_at_us)) != 0)
        return rc;
    return 0;
}

struct one_row {
    void *out;
    int found;
    int is_pos;
};

static int one_row_cb(const struct tc_row *row, void *ud)
{
    struct one_row *o = ud;
    int rc = o->is_pos ? tc__ledger_row_position(row, 0, o->out) : tc__ledger_row_state(row, o->out);
    if (rc != 0)
        return rc;
    o->found = 1;
    return 1;
}

int tc__ledger_load_position(struct tc_txn *tx, const char *position_id, struct tc_position *p,
                             int *found, struct tc_error *err)
{
    struct one_row o = {p, 0, 1};
    struct tc_val v[] = {TC_V_TEXT(position_id)};
    int rc = tc_txn_exec(tx, "SELECT " TC__POS_COLS " FROM positions WHERE position_id = $1", v,
                         1, one_row_cb, &o, NULL, err);
    if (rc != 0)
        return tc_error_set(err, rc, "position \"%s\": %s", position_id, tc_error_msg(err));
    *found = o.found;
    return 0;
}

int tc__ledger_load_state(struct tc_txn *tx, const char *portfolio_id,
                          struct tc_portfolio_state *s, int *found, struct tc_error *err)
{
    struct one_row o = {s, 0, 0};
    struct tc_val v[] = {TC_V_TEXT(portfolio_id)};
    int rc = tc_txn_exec(tx, "SELECT " TC__PS_COLS " FROM portfolio_state WHERE portfolio_id = $1",
                         v, 1, one_row_cb, &o, NULL, err);
    if (rc != 0)
        return tc_error_set(err, rc, "portfolio state \"%s\": %s", portfolio_id,
                            tc_error_msg(err));
    *found = o.found;
    return 0;
}

int tc__ledger_ensure_state(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                            struct tc_portfolio_state *s, struct tc_error *err)
{
    int found = 0, rc;
    int64_t now = tc_clock_now(l->opt.clock);
    struct tc_val v[] = {TC_V_TEXT(portfolio_id), TC_V_TIME(now)};

    if ((rc = tc__ledger_load_state(tx, portfolio_id, s, &found, err)) != 0 || found)
        return rc;
    /* ON CONFLICT: a concurrent creator wins, both then read its row */
    rc = tc_txn_exec(tx,
                     "INSERT INTO portfolio_state (portfolio_id, initial_capital, cash, "
                     "closed_equity, realized_pnl, commission_paid, version, created_at, "
                     "updated_at) SELECT portfolio_id, initial_capital, initial_capital, "
                     "initial_capital, 0, 0, 1, $2, $2 FROM portfolios WHERE portfolio_id = $1 "
                     "AND deleted_at IS NULL ON CONFLICT (portfolio_id) DO NOTHING",
                     v, 2, NULL, NULL, NULL, err);
    if (rc != 0)
        return tc_error_set(err, rc, "portfolio state \"%s\": %s", portfolio_id,
                            tc_error_msg(err));
    if ((rc = tc__ledger_load_state(tx, portfolio_id, s, &found, err)) != 0)
        return rc;
    if (!found)
        return tc_error_set(err, TC_ENOTFOUND, "portfolio \"%s\" not found", portfolio_id);
    return 0;
}

static struct tc_val opt_dec(int has, struct tc_dec d) { return has ? TC_V_DEC(d) : TC_V_NULL; }
static struct tc_val opt_time(int64_t t) { return t ? TC_V_TIME(t) : TC_V_NULL; }
static struct tc_val opt_text(const char *s) { return (s && *s) ? TC_V_TEXT(s) : TC_V_NULL; }

int tc__ledger_insert_position(struct tc_ledger *l, struct tc_txn *tx, struct tc_position *p,
                               struct tc_error *err)
{
    int64_t now = tc_clock_now(l->opt.clock);
    struct tc_val v[] = {
        TC_V_TEXT(p->position_id), TC_V_TEXT(p->portfolio_id), TC_V_TEXT(p->strategy_id),
        TC_V_TEXT(p->instrument_id), TC_V_TEXT(tc__ledger_side_text(p->side)),
        TC_V_DEC(p->quantity), TC_V_DEC(p->lots), TC_V_DEC(p->multiplier), TC_V_DEC(p->lot_size),
        TC_V_DEC(p->entry_price), TC_V_TIME(p->entry_time_us),
        opt_dec(p->has_initial_stop, p->initial_stop), opt_dec(p->has_current_stop, p->current_stop),
        TC_V_BOOL(p->is_base), TC_V_INT(p->layer), TC_V_TIME(now), TC_V_TEXT(l->actor)};
    int rc = tc_txn_exec(tx,
                         "INSERT INTO positions (position_id, portfolio_id, strategy_id, "
                         "instrument_id, side, quantity, lots, multiplier, lot_size, entry_price, "
                         "entry_time, initial_stop, current_stop, is_base_position, layer, status, "
                         "version, created_at, updated_at, created_by, updated_by) VALUES ($1, $2, "
                         "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', 1, $16, "
                         "$16, $17, $17)",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, NULL, err);
    if (rc != 0)
        return tc_error_set(err, rc, "position \"%s\": %s", p->position_id, tc_error_msg(err));
    p->status = TC_POSITION_OPEN;
    p->version = 1;
    p->updated_at_us = now;
    return 0;
}

int tc__ledger_save_position(struct tc_ledger *l, struct tc_txn *tx, struct tc_position *p,
                             struct tc__ledger_changes *ch, struct tc_error *err)
{
    int64_t now = tc_clock_now(l->opt.clock), changes = 0;
    struct tc_val v[] = {
        TC_V_TEXT(p->position_id), TC_V_INT(p->version), TC_V_DEC(p->quantity), TC_V_DEC(p->lots),
        TC_V_DEC(p->entry_price), opt_dec(p->has_current_stop, p->current_stop),
        TC_V_TEXT(tc_position_status_name(p->status)), TC_V_DEC(p->closed_quantity),
        opt_dec(tc_dec_sign(p->exit_price) > 0, p->exit_price), opt_time(p->exit_time_us),
        opt_text(p->exit_reason), TC_V_DEC(p->realized_pnl), TC_V_DEC(p->commission),
        TC_V_TIME(now), TC_V_TEXT(l->actor)};
    int rc = tc_txn_exec(tx,
                         "UPDATE positions SET quantity = $3, lots = $4, entry_price = $5, "
                         "current_stop = $6, status = $7, closed_quantity = $8, exit_price = $9, "
                         "exit_time = $10, exit_reason = $11, realized_pnl = $12, commission = $13, "
                         "updated_at = $14, updated_by = $15, version = version + 1 "
                         "WHERE position_id = $1 AND version = $2",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, &changes, err);
    if (rc != 0)
        return tc_error_set(err, rc, "position \"%s\": %s", p->position_id, tc_error_msg(err));
    if (changes != 1)
        return tc_error_set(err, TC_ECONFLICT,
                            "position \"%s\": version %lld was changed by another writer",
                            p->position_id, (long long)p->version);
    p->version++;
    p->updated_at_us = now;
    return ch ? tc__ledger_changes_add_pos(ch, p) : 0;
}

int tc__ledger_save_state(struct tc_ledger *l, struct tc_txn *tx, struct tc_portfolio_state *s,
                          struct tc__ledger_changes *ch, struct tc_error *err)
{
    int64_t now = tc_clock_now(l->opt.clock), changes = 0;
    struct tc_val v[] = {TC_V_TEXT(s->portfolio_id), TC_V_INT(s->version), TC_V_DEC(s->cash),
                         TC_V_DEC(s->closed_equity), TC_V_DEC(s->realized_pnl),
                         TC_V_DEC(s->commission_paid), TC_V_TIME(now)};
    int rc = tc_txn_exec(tx,
                         "UPDATE portfolio_state SET cash = $3, closed_equity = $4, "
                         "realized_pnl = $5, commission_paid = $6, updated_at = $7, "
                         "version = version + 1 WHERE portfolio_id = $1 AND version = $2",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, &changes, err);
    if (rc != 0)
        return tc_error_set(err, rc, "portfolio state \"%s\": %s", s->portfolio_id,
                            tc_error_msg(err));
    if (changes != 1)
        return tc_error_set(err, TC_ECONFLICT,
                            "portfolio state \"%s\": version %lld was changed by another writer",
                            s->portfolio_id, (long long)s->version);
    s->version++;
    s->updated_at_us = now;
    if (ch) {
        ch->ps = *s;
        ch->has_ps = 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Open and close                                                             */

struct load_ctx {
    struct tc_ledger *l;
    int rc;
};

static int load_pos_cb(const struct tc_row *row, void *ud)
{
    struct load_ctx *c = ud;
    struct tc_position p;
    int rc = tc__ledger_row_position(row, 0, &p);
    if (rc == 0)
        rc = cache_put_pos(c->l, &p);
    return rc ? rc : 0;
}

static int load_state_cb(const struct tc_row *row, void *ud)
{
    struct load_ctx *c = ud;
    struct tc_portfolio_state s;
    int rc = tc__ledger_row_state(row, &s);
    if (rc == 0)
        rc = cache_put_state(c->l, &s);
    return rc ? rc : 0;
}

static int load_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct load_ctx *c = ud;
    struct tc_ledger *l = c->l;
    int rc;

    /* a retried attempt starts from an empty cache */
    l->npos = 0;
    l->nps = 0;
    if (l->slots)
        memset(l->slots, 0, l->nslots * sizeof(*l->slots));
    if ((rc = tc_txn_exec(tx,
                          "SELECT " TC__POS_COLS " FROM positions WHERE status <> 'closed' "
                          "ORDER BY position_id",
                          NULL, 0, load_pos_cb, c, NULL, err)) != 0 ||
        (rc = tc_txn_exec(tx, "SELECT " TC__PS_COLS " FROM portfolio_state ORDER BY portfolio_id",
                          NULL, 0, load_state_cb, c, NULL, err)) != 0)
        return tc_error_prefix(err, "ledger: loading the cache");
    return 0;
}

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
    struct load_ctx lc;
    size_t nviol = 0;
    int rc;

    if (!out)
        return tc_error_set(err, TC_EINVAL, "ledger: no output given");
    *out = NULL;
    if (!opt || !opt->runtime || !opt->historical)
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

    lc.l = l;
    lc.rc = 0;
    if ((rc = tc_store_txn(l->opt.runtime, TC_TXN_READ, load_fn, &lc, err)) != 0)
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
    struct tc_position *out;
    int found;
};

static int pos_read_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct pos_read *r = ud;
    return tc__ledger_load_position(tx, r->out->position_id, r->out, &r->found, err);
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
    pthread_rwlock_rdlock(&l->lock);
    k = cache_find(l, position_id);
    if (k >= 0)
        *out = l->pos[k];
    pthread_rwlock_unlock(&l->lock);
    if (k >= 0)
        return 0;
    memset(out, 0, sizeof(*out));
    snprintf(out->position_id, sizeof(out->position_id), "%s", position_id);
    r.out = out;
    r.found = 0;
    if ((rc = tc_store_txn(l->opt.runtime, TC_TXN_READ, pos_read_fn, &r, err)) != 0)
        return rc;
    if (!r.found)
        return tc_error_set(err, TC_ENOTFOUND, "position \"%s\" not found", position_id);
    pthread_rwlock_wrlock(&l->lock);
    cache_put_pos(l, out);
    pthread_rwlock_unlock(&l->lock);
    return 0;
}

static int pos_order(const struct tc_position *a, const struct tc_position *b)
{
    int c = strcmp(a->instrument_id, b->instrument_id);
    if (c)
        return c;
    if (a->layer != b->layer)
        return a->layer < b->layer ? -1 : 1;
    return strcmp(a->position_id, b->position_id);
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
    pthread_rwlock_rdlock(&l->lock);
    for (size_t k = 0; k < l->npos; k++) {
        const struct tc_position *p = &l->pos[k];
        if (p->status == TC_POSITION_CLOSED || strcmp(p->portfolio_id, portfolio_id) != 0 ||
            (instrument_id && strcmp(p->instrument_id, instrument_id) != 0))
            continue;
        count++;
        /* keep the CAP smallest in order: insertion into the sorted prefix */
        size_t j;
        if (kept < cap)
            j = kept++;
        else if (cap && pos_order(p, &out[cap - 1]) < 0)
            j = cap - 1;
        else
            continue;
        while (j > 0 && pos_order(p, &out[j - 1]) < 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = *p;
    }
    pthread_rwlock_unlock(&l->lock);
    *n = count;
    return 0;
}

struct state_read {
    struct tc_portfolio_state *out;
    const char *id;
    int found;
};

static int state_read_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct state_read *r = ud;
    return tc__ledger_load_state(tx, r->id, r->out, &r->found, err);
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
    r.out = out;
    r.id = portfolio_id;
    r.found = 0;
    if ((rc = tc_store_txn(l->opt.runtime, TC_TXN_READ, state_read_fn, &r, err)) != 0)
        return rc;
    if (!r.found)
        return tc_error_set(err, TC_ENOTFOUND, "portfolio \"%s\" has no ledger state",
                            portfolio_id);
    pthread_rwlock_wrlock(&l->lock);
    cache_put_state(l, out);
    pthread_rwlock_unlock(&l->lock);
    return 0;
}

struct pyr_read {
    const char *pid, *iid;
    struct tc_pyramiding_state *out;
    int found;
};

static int pyr_cb(const struct tc_row *row, void *ud)
{
    struct pyr_read *r = ud;
    int64_t count = 0;
    int rc;
    if ((rc = tc__repo_col_str(row, 0, r->out->base_position_id,
                               sizeof(r->out->base_position_id))) != 0 ||
        (rc = tc_row_int(row, 1, &count)) != 0 ||
        (rc = tc__repo_col_dec(row, 2, &r->out->last_pyramid_price)) != 0 ||
        (rc = tc__repo_col_time(row, 3, &r->out->last_pyramid_time_us)) != 0)
        return rc;
    r->out->pyramid_count = (int)count;
    r->found = 1;
    return 1;
}

static int pyr_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct pyr_read *r = ud;
    struct tc_val v[] = {TC_V_TEXT(r->pid), TC_V_TEXT(r->iid)};
    r->found = 0;
    return tc_txn_exec(tx,
                       "SELECT base_position_id, pyramid_count, last_pyramid_price, "
                       "last_pyramid_time FROM pyramiding_state WHERE portfolio_id = $1 AND "
                       "instrument_id = $2",
                       v, 2, pyr_cb, r, NULL, err);
}

int tc_ledger_pyramiding_get(struct tc_ledger *l, const char *portfolio_id,
                             const char *instrument_id, struct tc_pyramiding_state *out,
                             struct tc_error *err)
{
    struct pyr_read r = {portfolio_id, instrument_id, out, 0};
    int rc;

    if (!l || !out)
        return tc_error_set(err, TC_EINVAL, "ledger: pyramiding_get needs a ledger and an output");
    if ((rc = check_id("portfolio", portfolio_id, err)) != 0 ||
        (rc = check_id("instrument", instrument_id, err)) != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    snprintf(out->portfolio_id, sizeof(out->portfolio_id), "%s", portfolio_id);
    snprintf(out->instrument_id, sizeof(out->instrument_id), "%s", instrument_id);
    if ((rc = tc_store_txn(l->opt.runtime, TC_TXN_READ, pyr_fn, &r, err)) != 0)
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
    int rc = tc__ledger_ensure_state(c->l, tx, c->id, &c->ch->ps, err);
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
