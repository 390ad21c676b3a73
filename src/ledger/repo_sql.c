/* The ledger's SQL backend (ledger_repo.h): signal_log, portfolios and
 * strategies, portfolio_state, positions, orders, fills, trades and
 * pyramiding_state in the runtime store (sqlite or PostgreSQL, migrations
 * runtime/0002_ledger), instruments from the historical store. Each write is
 * one statement in the caller's transaction; versioned updates report a
 * concurrent writer as TC_ECONFLICT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_internal.h"
#include "ledger/ledger_repo.h"
#include "ledger/repo_util.h"
#include "tradecore/log.h"
#include "internal/banned.h"

static struct tc_val opt_dec(int has, struct tc_dec d) { return has ? TC_V_DEC(d) : TC_V_NULL; }
static struct tc_val opt_time(int64_t t) { return t ? TC_V_TIME(t) : TC_V_NULL; }
static struct tc_val opt_text(const char *s) { return (s && *s) ? TC_V_TEXT(s) : TC_V_NULL; }

static int conflict(struct tc_error *err, const char *what, const char *id, int64_t version)
{
    return tc_error_set(err, TC_ECONFLICT, "%s \"%s\": version %lld was changed by another writer",
                        what, id, (long long)version);
}

/* Runs the versioned UPDATE SQL (V, N values): an error names WHAT "ID",
 * and no row changed is a conflict on VERSION. */
static int versioned_update(struct tc_txn *tx, const char *sql, const struct tc_val *v, size_t n,
                            const char *what, const char *id, int64_t version,
                            struct tc_error *err)
{
    int64_t changes = 0;
    int rc = tc_txn_exec(tx, sql, v, n, NULL, NULL, &changes, err);
    if (rc != 0)
        return tc_error_set(err, rc, "%s \"%s\": %s", what, id, tc_error_msg(err));
    if (changes != 1)
        return conflict(err, what, id, version);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                               */

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

static int sql_txn(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc_error *err)
{
    struct fenced f = {l, fn, ud};
    return l->opt.fence ? tc_store_txn(l->opt.runtime, TC_TXN_WRITE, fenced_fn, &f, err)
                        : tc_store_txn(l->opt.runtime, TC_TXN_WRITE, fn, ud, err);
}

static int sql_read(struct tc_ledger *l, tc_txn_fn fn, void *ud, struct tc_error *err)
{
    return tc_store_txn(l->opt.runtime, TC_TXN_READ, fn, ud, err);
}

static void sql_release(struct tc_ledger *l) { (void)l; }

/* ------------------------------------------------------------------------ */
/* Rows                                                                       */

static int col_opt_dec(const struct tc_row *row, int col, struct tc_dec *out, int *has)
{
    *has = !tc_row_is_null(row, col);
    return tc__repo_col_dec(row, col, out);
}

static int pos_status_parse(const char *s, enum tc_position_status *out)
{
    for (int k = TC_POSITION_OPEN; k <= TC_POSITION_CLOSED; k++) {
        if (strcmp(s, tc_position_status_name((enum tc_position_status)k)) == 0) {
            *out = (enum tc_position_status)k;
            return 0;
        }
    }
    return TC_EPARSE;
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

static int count_cb(const struct tc_row *row, void *ud)
{
    return tc_row_int(row, 0, ud) ? TC_EPARSE : 1;
}

/* ------------------------------------------------------------------------ */
/* The cache at open                                                          */

static int load_pos_cb(const struct tc_row *row, void *ud)
{
    struct tc_position p;
    int rc = tc__ledger_row_position(row, 0, &p);
    if (rc == 0)
        rc = tc__ledger_cache_put_pos(ud, &p);
    return rc ? rc : 0;
}

static int load_state_cb(const struct tc_row *row, void *ud)
{
    struct tc_portfolio_state s;
    int rc = tc__ledger_row_state(row, &s);
    if (rc == 0)
        rc = tc__ledger_cache_put_state(ud, &s);
    return rc ? rc : 0;
}

static int load_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct tc_ledger *l = ud;
    int rc;

    tc__ledger_cache_clear(l); /* a retried attempt starts from an empty cache */
    if ((rc = tc_txn_exec(tx,
                          "SELECT " TC__POS_COLS " FROM positions WHERE status <> 'closed' "
                          "ORDER BY position_id",
                          NULL, 0, load_pos_cb, l, NULL, err)) != 0 ||
        (rc = tc_txn_exec(tx, "SELECT " TC__PS_COLS " FROM portfolio_state ORDER BY portfolio_id",
                          NULL, 0, load_state_cb, l, NULL, err)) != 0)
        return tc_error_prefix(err, "ledger: loading the cache");
    return 0;
}

static int sql_load_cache(struct tc_ledger *l, struct tc_error *err)
{
    return tc_store_txn(l->opt.runtime, TC_TXN_READ, load_fn, l, err);
}

/* ------------------------------------------------------------------------ */
/* Instruments, portfolios, strategies                                        */

static const struct tc_instrument *sql_instrument_kept(struct tc_ledger *l, const char *id)
{
    (void)l;
    (void)id;
    return NULL;
}

static int sql_instrument_get(struct tc_ledger *l, const char *id, struct tc_instrument *own,
                              const struct tc_instrument **out, struct tc_error *err)
{
    struct tc_refdata rd = {l->opt.historical, l->opt.clock, l->actor};
    int rc = tc_refdata_instrument_get(&rd, id, own, err);
    *out = rc == 0 ? own : NULL;
    return rc;
}

static int portfolio_cb(const struct tc_row *row, void *ud)
{
    struct tc__ledger_pf *a = ud;
    int rc = tc__repo_col_dec(row, 0, &a->capital);
    if (rc != 0)
        return rc;
    a->deleted = !tc_row_is_null(row, 1);
    a->found = 1;
    return 1;
}

static int sql_portfolio_get(struct tc_ledger *l, struct tc_txn *tx, const char *id, size_t hint,
                             struct tc__ledger_pf *out, struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(id)};
    (void)l;
    (void)hint;
    memset(out, 0, sizeof(*out));
    return tc_txn_exec(tx, "SELECT initial_capital, deleted_at FROM portfolios WHERE portfolio_id = $1",
                       v, 1, portfolio_cb, out, NULL, err);
}

struct strat_row {
    int found, deleted, enabled;
    char *params;
};

static int strategy_cb(const struct tc_row *row, void *ud)
{
    struct strat_row *a = ud;
    int rc;
    free(a->params);
    a->params = NULL;
    if ((rc = tc__repo_col_json(row, 0, &a->params)) != 0 ||
        (rc = tc_row_bool(row, 1, &a->enabled)) != 0)
        return rc;
    a->deleted = !tc_row_is_null(row, 2);
    a->found = 1;
    return 1;
}

static int sql_strategy_get(struct tc_ledger *l, struct tc_txn *tx, const char *id, size_t hint,
                            struct tc__ledger_strat *out, struct tc_error *err)
{
    struct strat_row sg = {0, 0, 0, NULL};
    struct tc_val v[] = {TC_V_TEXT(id)};
    int rc;

    (void)l;
    (void)hint;
    memset(out, 0, sizeof(*out));
    rc = tc_txn_exec(tx, "SELECT params, enabled, deleted_at FROM strategies WHERE strategy_id = $1",
                     v, 1, strategy_cb, &sg, NULL, err);
    if (rc == 0 && sg.found) {
        out->found = 1;
        out->deleted = sg.deleted;
        out->enabled = sg.enabled;
        out->params_rc = tc_sizing_params_from_json(sg.params, &out->params, &out->params_err);
    }
    free(sg.params);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* signal_log                                                                 */

static int outcome_cb(const struct tc_row *row, void *ud)
{
    const char *s = NULL;
    int rc = tc_row_text(row, 0, &s);
    if (rc != 0)
        return rc;
    rc = tc_signal_outcome_parse(s, (size_t)-1, ud, NULL);
    return rc ? rc : 1;
}

static int sql_sig_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_sig_row *r,
                          int64_t now, int *inserted, size_t *ref, struct tc_signal_outcome *first,
                          struct tc_error *err)
{
    int64_t changes = 0;
    char ts[TC_TIME_STRLEN];
    int has_ts = r->has_time && tc_time_format(r->signal_time_us, ts, sizeof(ts)) > 0;
    struct tc_val v[] = {TC_V_TEXT(r->fp),        opt_text(r->portfolio),
                         opt_text(r->strategy),   opt_text(r->instrument),
                         opt_text(r->type),       opt_text(r->side),
                         has_ts ? TC_V_TIME(r->signal_time_us) : TC_V_NULL,
                         opt_text(r->payload),    TC_V_TIME(now),
                         TC_V_TEXT(tc_mode_name(l->opt.mode)), opt_text(l->run_id)};
    int rc = tc_txn_exec(tx,
                         "INSERT INTO signal_log (fingerprint, portfolio_id, strategy_id, "
                         "instrument_id, signal_type, side, signal_time, payload, received_at, "
                         "status, outcome, mode, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                         "$9, 'rejected', '{}', $10, $11) ON CONFLICT (fingerprint) DO NOTHING",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, &changes, err);

    *inserted = 0;
    *ref = 0;
    if (rc != 0)
        return tc_error_set(err, rc, "signal log %s: %s", r->fp, tc_error_msg(err));
    if (changes != 0) {
        *inserted = 1;
        return 0;
    }
    /* a duplicate: the first outcome, counted */
    memset(first, 0, sizeof(*first));
    if ((rc = tc_txn_exec(tx, "SELECT outcome FROM signal_log WHERE fingerprint = $1", v, 1,
                          outcome_cb, first, NULL, err)) != 0 ||
        (rc = tc_txn_exec(tx,
                          "UPDATE signal_log SET duplicate_count = duplicate_count + 1 WHERE "
                          "fingerprint = $1",
                          v, 1, NULL, NULL, NULL, err)) != 0)
        return tc_error_set(err, rc, "signal log %s: %s", r->fp, tc_error_msg(err));
    if (!first->status)
        return tc_error_set(err, TC_ESTATE, "signal log %s: the first outcome is unreadable", r->fp);
    return 0;
}

static int sql_sig_finish(struct tc_ledger *l, struct tc_txn *tx, const struct tc_signal_outcome *o,
                          size_t ref, size_t pos, size_t ord, struct tc_error *err)
{
    char json[TC_SIGNAL_OUTCOME_JSON_MAX];
    int rc = tc_signal_outcome_json(o, json, sizeof(json), err);

    (void)l;
    (void)pos;
    (void)ord;
    (void)ref;
    if (rc < 0)
        return rc;
    struct tc_val v[] = {TC_V_TEXT(o->fingerprint),
                         TC_V_TEXT(o->status == TC_SIGNAL_ACCEPTED ? "accepted" : "rejected"),
                         opt_text(o->reason), opt_text(o->position_id), opt_text(o->order_id),
                         TC_V_TEXT(json)};
    rc = tc_txn_exec(tx,
                     "UPDATE signal_log SET status = $2, reason = $3, position_id = $4, "
                     "order_id = $5, outcome = $6 WHERE fingerprint = $1",
                     v, sizeof(v) / sizeof(v[0]), NULL, NULL, NULL, err);
    if (rc != 0)
        return tc_error_set(err, rc, "signal log %s: %s", o->fingerprint, tc_error_msg(err));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* portfolio_state                                                            */

static int sql_state_load(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                          size_t pf, struct tc_portfolio_state *s, int *found,
                          struct tc_error *err)
{
    (void)l;
    (void)pf;
    return tc__ledger_load_state(tx, portfolio_id, s, found, err);
}

int tc__ledger_load_state(struct tc_txn *tx, const char *portfolio_id,
                          struct tc_portfolio_state *s, int *found, struct tc_error *err)
{
    struct one_row o = {s, 0, 0};
    struct tc_val v[] = {TC_V_TEXT(portfolio_id)};
    int rc = tc_txn_exec(tx, "SELECT " TC__PS_COLS " FROM portfolio_state WHERE portfolio_id = $1", v,
                         1, one_row_cb, &o, NULL, err);
    if (rc != 0)
        return tc_error_set(err, rc, "portfolio state \"%s\": %s", portfolio_id,
                            tc_error_msg(err));
    *found = o.found;
    return 0;
}

static int sql_state_create(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                            size_t pf, int64_t now, struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(portfolio_id), TC_V_TIME(now)};
    int rc;
    (void)l;
    (void)pf;
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
    return 0;
}

static int sql_state_save(struct tc_ledger *l, struct tc_txn *tx, const struct tc_portfolio_state *s,
                          size_t pf, int64_t now, struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(s->portfolio_id), TC_V_INT(s->version), TC_V_DEC(s->cash),
                         TC_V_DEC(s->closed_equity), TC_V_DEC(s->realized_pnl),
                         TC_V_DEC(s->commission_paid), TC_V_TIME(now)};
    (void)l;
    (void)pf;
    return versioned_update(tx,
                            "UPDATE portfolio_state SET cash = $3, closed_equity = $4, "
                            "realized_pnl = $5, commission_paid = $6, updated_at = $7, "
                            "version = version + 1 WHERE portfolio_id = $1 AND version = $2",
                            v, sizeof(v) / sizeof(v[0]), "portfolio state", s->portfolio_id,
                            s->version, err);
}

/* ------------------------------------------------------------------------ */
/* positions                                                                  */

static int sql_pos_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                          int64_t now, size_t *slot, size_t *pos, struct tc_error *err)
{
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
    *slot = 0;
    *pos = 0;
    if (rc != 0)
        return tc_error_set(err, rc, "position \"%s\": %s", p->position_id, tc_error_msg(err));
    return 0;
}

static int sql_pos_save(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                        size_t pos, int64_t now, struct tc_error *err)
{
    struct tc_val v[] = {
        TC_V_TEXT(p->position_id), TC_V_INT(p->version), TC_V_DEC(p->quantity), TC_V_DEC(p->lots),
        TC_V_DEC(p->entry_price), opt_dec(p->has_current_stop, p->current_stop),
        TC_V_TEXT(tc_position_status_name(p->status)), TC_V_DEC(p->closed_quantity),
        opt_dec(tc_dec_sign(p->exit_price) > 0, p->exit_price), opt_time(p->exit_time_us),
        opt_text(p->exit_reason), TC_V_DEC(p->realized_pnl), TC_V_DEC(p->commission),
        TC_V_TIME(now), TC_V_TEXT(l->actor)};
    (void)pos;
    return versioned_update(tx,
                            "UPDATE positions SET quantity = $3, lots = $4, entry_price = $5, "
                            "current_stop = $6, status = $7, closed_quantity = $8, "
                            "exit_price = $9, exit_time = $10, exit_reason = $11, "
                            "realized_pnl = $12, commission = $13, updated_at = $14, "
                            "updated_by = $15, version = version + 1 "
                            "WHERE position_id = $1 AND version = $2",
                            v, sizeof(v) / sizeof(v[0]), "position", p->position_id,
                            p->version, err);
}

static int sql_pos_load(struct tc_ledger *l, struct tc_txn *tx, const char *position_id,
                        size_t pos, struct tc_position *p, int *found, struct tc_error *err)
{
    struct one_row o = {p, 0, 1};
    struct tc_val v[] = {TC_V_TEXT(position_id)};
    int rc = tc_txn_exec(tx, "SELECT " TC__POS_COLS " FROM positions WHERE position_id = $1", v, 1,
                         one_row_cb, &o, NULL, err);
    (void)l;
    (void)pos;
    if (rc != 0)
        return tc_error_set(err, rc, "position \"%s\": %s", position_id, tc_error_msg(err));
    *found = o.found;
    return 0;
}

static int layer_cb(const struct tc_row *row, void *ud)
{
    struct tc__ledger_layer *ly = tc__repo_vec_push(ud);
    int rc;
    if (!ly)
        return TC_ENOMEM;
    if ((rc = tc__ledger_row_position(row, 0, &ly->p)) != 0 ||
        (rc = tc__repo_col_dec(row, TC__POS_NCOLS, &ly->planned)) != 0 ||
        (rc = tc_row_int(row, TC__POS_NCOLS + 1, &ly->exits_in_flight)) != 0)
        return rc;
    ly->entry_working = !tc_row_is_null(row, TC__POS_NCOLS + 2);
    if (ly->entry_working &&
        (rc = tc__repo_col_str(row, TC__POS_NCOLS + 2, ly->entry_coid, sizeof(ly->entry_coid))) !=
            0)
        return rc;
    return 0;
}

static int sql_layers(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                      const char *instrument_id, size_t *slot, struct tc__repo_vec *vec,
                      struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(portfolio_id), TC_V_TEXT(instrument_id)};
    *slot = 0;
    (void)l;
    vec->n = 0;
    return tc_txn_exec(tx,
                       "SELECT " TC__POS_COLS ", COALESCE((SELECT SUM(o.quantity) FROM orders o "
                       "WHERE o.position_id = p.position_id AND o.intent = 'OPEN' AND o.status "
                       "NOT IN ('REJECTED', 'CANCELED', 'EXPIRED')), 0), (SELECT COUNT(*) FROM "
                       "orders o WHERE o.position_id = p.position_id AND o.intent = 'CLOSE' AND "
                       "o.status IN ('NEW', 'SUBMITTED', 'PARTIALLY_FILLED')), (SELECT "
                       "MIN(o.client_order_id) FROM orders o WHERE o.position_id = p.position_id "
                       "AND o.intent = 'OPEN' AND o.status IN ('NEW', 'SUBMITTED', "
                       "'PARTIALLY_FILLED')) FROM positions p "
                       "WHERE p.portfolio_id = $1 AND p.instrument_id = $2 AND p.status <> "
                       "'closed' ORDER BY p.layer, p.position_id",
                       v, 2, layer_cb, vec, NULL, err);
}

static int sql_open_count(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                          const char *instrument_id, size_t slot, int64_t *n, struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(portfolio_id), TC_V_TEXT(instrument_id)};
    (void)slot;
    (void)l;
    *n = 0;
    return tc_txn_exec(tx,
                       "SELECT COUNT(*) FROM positions WHERE portfolio_id = $1 AND "
                       "instrument_id = $2 AND status <> 'closed'",
                       v, 2, count_cb, n, NULL, err);
}

/* ------------------------------------------------------------------------ */
/* orders                                                                     */

static int sql_order_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc_order_intent *o,
                            int closing, const char *fingerprint, size_t fp_len, size_t sig,
                            const char *position_id, size_t pos, const char *reason, size_t *ref,
                            struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(o->order_id), TC_V_TEXT(o->client_order_id),
                         TC_V_TEXT(o->portfolio_id), TC_V_TEXT(o->strategy_id),
                         TC_V_TEXT(o->instrument_id), TC_V_TEXT(tc_mode_name(o->mode)),
                         opt_text(l->run_id), TC_V_TEXT(tc_order_side_name(o->side)),
                         TC_V_TEXT(closing ? "CLOSE" : "OPEN"), TC_V_DEC(o->quantity),
                         TC_V_DEC(o->multiplier),
                         o->has_ref_price ? TC_V_DEC(o->ref_price) : TC_V_NULL,
                         TC_V_TEXT(fingerprint), TC_V_TEXT(position_id), opt_text(reason),
                         TC_V_TIME(o->created_at_us),
                         TC_V_TEXT(o->tif == TC_TIF_GTC ? "GTC" : "DAY")};
    int rc = tc_txn_exec(tx,
                         "INSERT INTO orders (order_id, client_order_id, portfolio_id, "
                         "strategy_id, instrument_id, mode, run_id, side, intent, type, "
                         "time_in_force, quantity, filled_quantity, multiplier, ref_price, status, "
                         "signal_fingerprint, position_id, reason, version, created_at, "
                         "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'MARKET', $17, "
                         "$10, 0, $11, $12, 'NEW', $13, $14, $15, 1, $16, $16)",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, NULL, err);
    *ref = 0;
    (void)pos;
    (void)sig;
    (void)fp_len;
    if (rc != 0)
        return tc_error_set(err, rc, "order \"%s\": %s", o->client_order_id, tc_error_msg(err));
    return 0;
}

static int order_cb(const struct tc_row *row, void *ud)
{
    struct tc__ledger_order *o = ud;
    char intent[8], status[24];
    int rc;
    if ((rc = tc__repo_col_str(row, 0, o->order_id, sizeof(o->order_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, o->position_id, sizeof(o->position_id))) != 0 ||
        (rc = tc__repo_col_str(row, 2, intent, sizeof(intent))) != 0 ||
        (rc = tc__repo_col_str(row, 3, status, sizeof(status))) != 0 ||
        (rc = tc__repo_col_str(row, 4, o->reason, sizeof(o->reason))) != 0 ||
        (rc = tc__repo_col_dec(row, 5, &o->quantity)) != 0 ||
        (rc = tc__repo_col_dec(row, 6, &o->filled)) != 0 ||
        (rc = tc_row_int(row, 7, &o->version)) != 0)
        return rc;
    if (tc_order_status_parse(status, &o->status, NULL) != 0)
        return TC_EPARSE;
    o->closing = strcmp(intent, "CLOSE") == 0;
    o->why = o->reason;
    o->slot = 0;
    o->found = 1;
    return 1;
}

static int sql_order_load(struct tc_ledger *l, struct tc_txn *tx, const char *client_order_id,
                          size_t ref, struct tc__ledger_order *o, struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(client_order_id)};
    (void)l;
    (void)ref;
    memset(o, 0, sizeof(*o));
    return tc_txn_exec(tx,
                       "SELECT order_id, position_id, intent, status, reason, quantity, "
                       "filled_quantity, version FROM orders WHERE client_order_id = $1",
                       v, 1, order_cb, o, NULL, err);
}

static int sql_order_ack(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                         const char *broker_order_id, enum tc_order_status status,
                         const char *reject_reason, int64_t now, struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(o->order_id), TC_V_INT(o->version), opt_text(broker_order_id),
                         TC_V_TEXT(tc_order_status_name(status)), TC_V_TIME(now),
                         reject_reason ? TC_V_TEXT(reject_reason) : TC_V_NULL};
    (void)l;
    return versioned_update(tx,
                            "UPDATE orders SET broker_order_id = COALESCE(broker_order_id, $3), "
                            "status = $4, submitted_at = COALESCE(submitted_at, $5), "
                            "reject_reason = COALESCE($6, reject_reason), updated_at = $5, "
                            "version = version + 1 WHERE order_id = $1 AND version = $2",
                            v, sizeof(v) / sizeof(v[0]), "order", o->order_id,
                            o->version, err);
}

static int sql_order_filled(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                            struct tc_dec filled, enum tc_order_status status, int64_t now,
                            struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(o->order_id), TC_V_INT(o->version), TC_V_DEC(filled),
                         TC_V_TEXT(tc_order_status_name(status)), TC_V_TIME(now)};
    (void)l;
    return versioned_update(tx,
                            "UPDATE orders SET filled_quantity = $3, status = $4, updated_at = $5, "
                            "version = version + 1 WHERE order_id = $1 AND version = $2",
                            v, sizeof(v) / sizeof(v[0]), "order", o->order_id,
                            o->version, err);
}

static int sql_order_status(struct tc_ledger *l, struct tc_txn *tx, const struct tc__ledger_order *o,
                            enum tc_order_status status, int64_t now, struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(o->order_id), TC_V_INT(o->version),
                         TC_V_TEXT(tc_order_status_name(status)), TC_V_TIME(now)};
    (void)l;
    return versioned_update(tx,
                            "UPDATE orders SET status = $3, updated_at = $4, version = version + 1 "
                            "WHERE order_id = $1 AND version = $2",
                            v, sizeof(v) / sizeof(v[0]), "order", o->order_id,
                            o->version, err);
}

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
    struct tc_order_intent *o = tc__repo_vec_push(ud);
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
    struct tc__repo_vec *vec;
};

static int pending_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct pending_read *r = ud;
    struct tc_val v[] = {TC_V_TEXT(tc_mode_name(r->l->opt.mode))};
    r->vec->n = 0;
    return tc_txn_exec(tx,
                       "SELECT order_id, client_order_id, portfolio_id, strategy_id, "
                       "instrument_id, mode, side, type, time_in_force, quantity, multiplier, "
                       "ref_price, limit_price, stop_price, created_at FROM orders "
                       "WHERE status = 'NEW' AND mode = $1 ORDER BY created_at, order_id",
                       v, 1, pending_cb, r->vec, NULL, err);
}

static int sql_orders_new(struct tc_ledger *l, struct tc__repo_vec *vec, struct tc_error *err)
{
    struct pending_read r = {l, vec};
    return tc_store_txn(l->opt.runtime, TC_TXN_READ, pending_fn, &r, err);
}

static int cancel_cb(const struct tc_row *row, void *ud)
{
    struct tc__ledger_cancel *c = tc__repo_vec_push(ud);
    int rc;
    if (!c)
        return TC_ENOMEM;
    if ((rc = tc__repo_col_str(row, 0, c->order_id, sizeof(c->order_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, c->client_order_id, sizeof(c->client_order_id))) != 0)
        return rc;
    return 0;
}

static int cancels_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct pending_read *r = ud;
    struct tc_val v[] = {TC_V_TEXT(tc_mode_name(r->l->opt.mode))};
    r->vec->n = 0;
    return tc_txn_exec(tx,
                       "SELECT o.order_id, o.client_order_id FROM orders o JOIN positions p ON "
                       "p.position_id = o.position_id WHERE o.mode = $1 AND o.intent = 'OPEN' "
                       "AND o.status IN ('NEW', 'SUBMITTED', 'PARTIALLY_FILLED') AND p.status "
                       "<> 'closed' AND p.exit_reason IS NOT NULL AND p.exit_reason <> '' "
                       "ORDER BY o.created_at, o.order_id",
                       v, 1, cancel_cb, r->vec, NULL, err);
}

static int sql_cancels_pending(struct tc_ledger *l, struct tc__repo_vec *vec, struct tc_error *err)
{
    struct pending_read r = {l, vec};
    return tc_store_txn(l->opt.runtime, TC_TXN_READ, cancels_fn, &r, err);
}

/* ------------------------------------------------------------------------ */
/* fills and trades                                                           */

/* No hint: the store finds its own rows. */
static uint64_t sql_key_hint(struct tc_ledger *l, enum tc__ledger_key which, const char *key,
                             size_t len)
{
    (void)l;
    (void)which;
    (void)key;
    (void)len;
    return 0;
}

static int sql_fill_insert(struct tc_ledger *l, struct tc_txn *tx, const char *fill_id,
                           const struct tc_fill *f, uint64_t hash, size_t xlen,
                           const struct tc__ledger_order *o, int64_t now, int *inserted,
                           struct tc_error *err)
{
    int64_t changes = 0;
    struct tc_val v[] = {TC_V_TEXT(fill_id), TC_V_TEXT(f->execution_id), TC_V_TEXT(o->order_id),
                         TC_V_DEC(f->quantity), TC_V_DEC(f->price), TC_V_DEC(f->commission),
                         TC_V_TIME(f->filled_at_us), TC_V_TIME(now)};
    int rc = tc_txn_exec(tx,
                         "INSERT INTO fills (fill_id, execution_id, order_id, quantity, price, "
                         "commission, filled_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                         "$8) ON CONFLICT (execution_id) DO NOTHING",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, &changes, err);
    (void)l;
    (void)hash;
    (void)xlen;
    if (rc != 0)
        return tc_error_set(err, rc, "fill \"%s\": %s", f->execution_id, tc_error_msg(err));
    *inserted = changes != 0;
    return 0;
}

static int sql_trade_insert(struct tc_ledger *l, struct tc_txn *tx, const struct tc_position *p,
                            size_t pos, struct tc_dec net, int64_t now, struct tc_error *err)
{
    char trade_id[TC_ID_BUFSZ];
    int rc;

    (void)l;
    (void)pos;
    snprintf(trade_id, sizeof(trade_id), "trd-%s", p->position_id);
    struct tc_val v[] = {TC_V_TEXT(trade_id), TC_V_TEXT(p->position_id),
                         TC_V_TEXT(p->portfolio_id), TC_V_TEXT(p->strategy_id),
                         TC_V_TEXT(p->instrument_id), TC_V_TEXT(tc__ledger_side_text(p->side)),
                         TC_V_INT(p->layer), TC_V_DEC(p->closed_quantity),
                         TC_V_DEC(p->entry_price), TC_V_TIME(p->entry_time_us),
                         TC_V_DEC(p->exit_price), TC_V_TIME(p->exit_time_us),
                         TC_V_DEC(p->realized_pnl), TC_V_DEC(p->commission), TC_V_DEC(net),
                         TC_V_TEXT(p->exit_reason), TC_V_TIME(now)};
    rc = tc_txn_exec(tx,
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

/* ------------------------------------------------------------------------ */
/* pyramiding_state                                                           */

struct pyr_read {
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

static int sql_pyr_get(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                       const char *instrument_id, struct tc_pyramiding_state *out, int *found,
                       struct tc_error *err)
{
    struct pyr_read r = {out, 0};
    struct tc_val v[] = {TC_V_TEXT(portfolio_id), TC_V_TEXT(instrument_id)};
    int rc;

    (void)l;
    memset(out, 0, sizeof(*out));
    snprintf(out->portfolio_id, sizeof(out->portfolio_id), "%s", portfolio_id);
    snprintf(out->instrument_id, sizeof(out->instrument_id), "%s", instrument_id);
    rc = tc_txn_exec(tx,
                     "SELECT base_position_id, pyramid_count, last_pyramid_price, "
                     "last_pyramid_time FROM pyramiding_state WHERE portfolio_id = $1 AND "
                     "instrument_id = $2",
                     v, 2, pyr_cb, &r, NULL, err);
    *found = r.found;
    return rc;
}

static int sql_pyr_base(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                        const char *instrument_id, size_t slot, const char *base_position_id,
                        struct tc_dec price, int64_t time_us, int64_t now, struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(portfolio_id), TC_V_TEXT(instrument_id),
                         TC_V_TEXT(base_position_id), TC_V_DEC(price),
                         TC_V_TIME(time_us), TC_V_TIME(now)};
    int rc = tc_txn_exec(tx,
                         "INSERT INTO pyramiding_state (portfolio_id, instrument_id, "
                         "base_position_id, pyramid_count, last_pyramid_price, last_pyramid_time, "
                         "updated_at) VALUES ($1, $2, $3, 0, $4, $5, $6) ON CONFLICT "
                         "(portfolio_id, instrument_id) DO UPDATE SET base_position_id = $3, "
                         "pyramid_count = 0, last_pyramid_price = $4, last_pyramid_time = $5, "
                         "updated_at = $6",
                         v, sizeof(v) / sizeof(v[0]), NULL, NULL, NULL, err);
    (void)slot;
    (void)l;
    if (rc != 0)
        return tc_error_set(err, rc, "pyramiding state of \"%s\": %s", instrument_id,
                            tc_error_msg(err));
    return 0;
}

static int sql_pyr_layer(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                         const char *instrument_id, int found, int64_t old_count,
                         const char *base_position_id, struct tc_dec price, int64_t time_us,
                         int64_t now, struct tc_error *err)
{
    int64_t changes = 0;
    struct tc_val v[] = {TC_V_TEXT(portfolio_id), TC_V_TEXT(instrument_id),
                         TC_V_INT(old_count + 1), TC_V_DEC(price),
                         TC_V_TIME(time_us), TC_V_TIME(now),
                         TC_V_INT(old_count), TC_V_TEXT(base_position_id)};
    /* guarded by the count read before: a concurrent pyramid is a conflict */
    int rc = found ? tc_txn_exec(tx,
                                 "UPDATE pyramiding_state SET pyramid_count = $3, "
                                 "last_pyramid_price = $4, last_pyramid_time = $5, "
                                 "updated_at = $6 WHERE portfolio_id = $1 AND instrument_id = "
                                 "$2 AND pyramid_count = $7",
                                 v, 7, NULL, NULL, &changes, err)
                   : tc_txn_exec(tx,
                                 "INSERT INTO pyramiding_state (portfolio_id, instrument_id, "
                                 "base_position_id, pyramid_count, last_pyramid_price, "
                                 "last_pyramid_time, updated_at) VALUES ($1, $2, $8, $3, $4, "
                                 "$5, $6)",
                                 v, 8, NULL, NULL, &changes, err);
    (void)l;
    if (rc != 0)
        return tc_error_set(err, rc, "pyramiding state of \"%s\": %s", instrument_id,
                            tc_error_msg(err));
    if (changes != 1)
        return tc_error_set(err, TC_ECONFLICT,
                            "pyramiding state of \"%s\" was changed by another writer",
                            instrument_id);
    return 0;
}

static int sql_pyr_reset(struct tc_ledger *l, struct tc_txn *tx, const char *portfolio_id,
                         const char *instrument_id, size_t slot, int64_t now, struct tc_error *err)
{
    struct tc_val v[] = {TC_V_TEXT(portfolio_id), TC_V_TEXT(instrument_id), TC_V_TIME(now)};
    int rc = tc_txn_exec(tx,
                         "UPDATE pyramiding_state SET base_position_id = NULL, "
                         "pyramid_count = 0, last_pyramid_price = NULL, "
                         "last_pyramid_time = NULL, updated_at = $3 WHERE portfolio_id = $1 "
                         "AND instrument_id = $2",
                         v, 3, NULL, NULL, NULL, err);
    (void)slot;
    (void)l;
    if (rc != 0)
        return tc_error_set(err, rc, "pyramiding state of \"%s\": %s", instrument_id,
                            tc_error_msg(err));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The check's rows                                                           */

static int chk_pos_cb(const struct tc_row *row, void *ud)
{
    const struct tc__ledger_check_rows *r = ud;
    char id[TC_ID_BUFSZ];
    struct tc_dec qty, closed, in, out;
    int rc;

    if ((rc = tc__repo_col_str(row, 0, id, sizeof(id))) != 0 ||
        (rc = tc__repo_col_dec(row, 1, &qty)) != 0 ||
        (rc = tc__repo_col_dec(row, 2, &closed)) != 0 ||
        (rc = tc__repo_col_dec(row, 3, &in)) != 0 || (rc = tc__repo_col_dec(row, 4, &out)) != 0)
        return rc;
    return r->position(r->ud, id, qty, closed, in, out);
}

static int chk_order_cb(const struct tc_row *row, void *ud)
{
    const struct tc__ledger_check_rows *r = ud;
    char id[TC_ID_BUFSZ];
    struct tc_dec filled, sum;
    int rc;

    if ((rc = tc__repo_col_str(row, 0, id, sizeof(id))) != 0 ||
        (rc = tc__repo_col_dec(row, 1, &filled)) != 0 || (rc = tc__repo_col_dec(row, 2, &sum)) != 0)
        return rc;
    return r->order(r->ud, id, filled, sum);
}

static int chk_state_cb(const struct tc_row *row, void *ud)
{
    const struct tc__ledger_check_rows *r = ud;
    struct tc_portfolio_state s;
    int rc;

    if ((rc = tc__ledger_row_state(row, &s)) != 0)
        return rc;
    return r->state(r->ud, &s);
}

static int chk_base_cb(const struct tc_row *row, void *ud)
{
    const struct tc__ledger_check_rows *r = ud;
    char pid[TC_ID_BUFSZ], iid[TC_ID_BUFSZ];
    int64_t n = 0;
    int rc;

    if ((rc = tc__repo_col_str(row, 0, pid, sizeof(pid))) != 0 ||
        (rc = tc__repo_col_str(row, 1, iid, sizeof(iid))) != 0 || (rc = tc_row_int(row, 2, &n)) != 0)
        return rc;
    return r->bases(r->ud, pid, iid, n);
}

static int check_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    const struct tc__ledger_check_rows *r = ud;
    struct tc_val yes[] = {TC_V_BOOL(1)};
    void *rud = (void *)(uintptr_t)r;
    int rc;

    if ((rc = tc_txn_exec(tx,
                          "SELECT p.position_id, p.quantity, p.closed_quantity, "
                          "COALESCE((SELECT SUM(f.quantity) FROM fills f JOIN orders o ON "
                          "o.order_id = f.order_id WHERE o.position_id = p.position_id AND "
                          "o.intent = 'OPEN'), 0), "
                          "COALESCE((SELECT SUM(f.quantity) FROM fills f JOIN orders o ON "
                          "o.order_id = f.order_id WHERE o.position_id = p.position_id AND "
                          "o.intent = 'CLOSE'), 0) FROM positions p ORDER BY p.position_id",
                          NULL, 0, chk_pos_cb, rud, NULL, err)) != 0 ||
        (rc = tc_txn_exec(tx,
                          "SELECT o.order_id, o.filled_quantity, COALESCE(SUM(f.quantity), 0) "
                          "FROM orders o LEFT JOIN fills f ON f.order_id = o.order_id "
                          "GROUP BY o.order_id, o.filled_quantity ORDER BY o.order_id",
                          NULL, 0, chk_order_cb, rud, NULL, err)) != 0 ||
        (rc = tc_txn_exec(tx, "SELECT " TC__PS_COLS " FROM portfolio_state ORDER BY portfolio_id",
                          NULL, 0, chk_state_cb, rud, NULL, err)) != 0 ||
        (rc = tc_txn_exec(tx,
                          "SELECT portfolio_id, instrument_id, COUNT(*) FROM positions WHERE "
                          "is_base_position = $1 AND status <> 'closed' GROUP BY portfolio_id, "
                          "instrument_id HAVING COUNT(*) > 1 ORDER BY portfolio_id, instrument_id",
                          yes, 1, chk_base_cb, rud, NULL, err)) != 0)
        return tc_error_prefix(err, "ledger check");
    return 0;
}

static int sql_check(struct tc_ledger *l, const struct tc__ledger_check_rows *rows,
                     struct tc_error *err)
{
    return tc_store_txn(l->opt.runtime, TC_TXN_READ, check_fn, (void *)(uintptr_t)rows, err);
}

const struct tc__ledger_repo_ops tc__ledger_repo_sql = {
    .name = "sql",
    .txn = sql_txn,
    .read = sql_read,
    .load_cache = sql_load_cache,
    .release = sql_release,
    .key_hint = sql_key_hint,
    .instrument_kept = sql_instrument_kept,
    .instrument_get = sql_instrument_get,
    .sig_insert = sql_sig_insert,
    .sig_finish = sql_sig_finish,
    .portfolio_get = sql_portfolio_get,
    .strategy_get = sql_strategy_get,
    .state_load = sql_state_load,
    .state_create = sql_state_create,
    .state_save = sql_state_save,
    .pos_insert = sql_pos_insert,
    .pos_save = sql_pos_save,
    .pos_load = sql_pos_load,
    .layers = sql_layers,
    .open_count = sql_open_count,
    .order_insert = sql_order_insert,
    .order_load = sql_order_load,
    .order_ack = sql_order_ack,
    .order_filled = sql_order_filled,
    .order_status = sql_order_status,
    .orders_new = sql_orders_new,
    .cancels_pending = sql_cancels_pending,
    .fill_insert = sql_fill_insert,
    .trade_insert = sql_trade_insert,
    .pyr_get = sql_pyr_get,
    .pyr_base = sql_pyr_base,
    .pyr_layer = sql_pyr_layer,
    .pyr_reset = sql_pyr_reset,
    .check = sql_check,
};
