/* Accounts repositories: portfolio and strategy definitions in the runtime
 * store, validated before any SQL, with soft delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/repo_util.h"
#include "tradecore/accounts.h"
#include "tradecore/validate.h"
#include "internal/banned.h"

#define DESCRIPTION_MAX 4096

void tc_portfolio_def_release(struct tc_portfolio_def *p)
{
    if (!p)
        return;
    free(p->description);
    free(p->metadata);
    memset(p, 0, sizeof(*p));
}

void tc_strategy_def_release(struct tc_strategy_def *s)
{
    if (!s)
        return;
    free(s->description);
    free(s->params);
    free(s->metadata);
    memset(s, 0, sizeof(*s));
}

void tc_portfolio_list_release(struct tc_portfolio_list *l)
{
    if (!l)
        return;
    for (size_t k = 0; k < l->n; k++)
        tc_portfolio_def_release(&l->items[k]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void tc_strategy_list_release(struct tc_strategy_list *l)
{
    if (!l)
        return;
    for (size_t k = 0; k < l->n; k++)
        tc_strategy_def_release(&l->items[k]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* ------------------------------------------------------------------------ */
/* Validation                                                                 */

static int check_own_id(const char *entity, const char *id, size_t cap, struct tc_error *err)
{
    int rc;
    if ((rc = tc__repo_fixed(entity, id, cap, err)) != 0)
        return rc;
    return tc_validate_id(entity, id, err);
}

/* Name (fixed buffer), description (optional) and metadata, common to both. */
static int check_common(const char *entity, const char *id, const char *name, size_t name_cap,
                        const char *description, const char *metadata, struct tc_error *err)
{
    char what[160];
    int rc;

    snprintf(what, sizeof(what), "%s \"%s\": name", entity, id);
    if ((rc = tc__repo_fixed(what, name, name_cap, err)) != 0 ||
        (rc = tc_validate_text(what, name, name_cap - 1, 0, err)) != 0)
        return rc;
    snprintf(what, sizeof(what), "%s \"%s\": description", entity, id);
    if (description && strlen(description) > DESCRIPTION_MAX)
        return tc_error_set(err, TC_EINVAL, "%s is %zu bytes long (at most %d)", what,
                            strlen(description), DESCRIPTION_MAX);
    snprintf(what, sizeof(what), "%s \"%s\": metadata", entity, id);
    return tc_validate_json_object(what, metadata, err);
}

int tc_portfolio_def_validate(const struct tc_portfolio_def *p, struct tc_error *err)
{
    char what[160], buf[TC_DEC_STRLEN];
    int rc;

    if (!p)
        return tc_error_set(err, TC_EINVAL, "portfolio: no portfolio given");
    if ((rc = check_own_id("portfolio", p->portfolio_id, sizeof(p->portfolio_id), err)) != 0 ||
        (rc = check_common("portfolio", p->portfolio_id, p->name, sizeof(p->name),
                           p->description, p->metadata, err)) != 0)
        return rc;
    snprintf(what, sizeof(what), "portfolio \"%s\": base_currency", p->portfolio_id);
    if ((rc = tc__repo_fixed(what, p->base_currency, sizeof(p->base_currency), err)) != 0 ||
        (rc = tc_validate_currency(what, p->base_currency, err)) != 0)
        return rc;
    if (tc_dec_sign(p->initial_capital) < 0) {
        tc_dec_format(p->initial_capital, buf, sizeof(buf));
        return tc_error_set(err, TC_EINVAL, "portfolio \"%s\": initial_capital %s is negative",
                            p->portfolio_id, buf);
    }
    return 0;
}

int tc_strategy_def_validate(const struct tc_strategy_def *s, struct tc_error *err)
{
    char what[160];
    int rc;

    if (!s)
        return tc_error_set(err, TC_EINVAL, "strategy: no strategy given");
    if ((rc = check_own_id("strategy", s->strategy_id, sizeof(s->strategy_id), err)) != 0 ||
        (rc = check_common("strategy", s->strategy_id, s->name, sizeof(s->name), s->description,
                           s->metadata, err)) != 0)
        return rc;
    if (s->enabled != 0 && s->enabled != 1)
        return tc_error_set(err, TC_EINVAL, "strategy \"%s\": enabled %d is not 0 or 1",
                            s->strategy_id, s->enabled);
    snprintf(what, sizeof(what), "strategy \"%s\": params", s->strategy_id);
    return tc_validate_json_object(what, s->params, err);
}

/* ------------------------------------------------------------------------ */
/* Plumbing                                                                   */

static const char *actor_of(const struct tc_accounts *acc)
{
    return (acc->actor && *acc->actor) ? acc->actor : TC_ACCOUNTS_ACTOR_DEFAULT;
}

static int check_repo(const struct tc_accounts *acc, struct tc_error *err)
{
    if (!acc || !acc->store)
        return tc_error_set(err, TC_EINVAL, "accounts: no store given");
    return 0;
}

static struct tc_val opt_text(const char *s) { return (s && *s) ? TC_V_TEXT(s) : TC_V_NULL; }
static struct tc_val json_or_empty(const char *s) { return TC_V_JSON(s ? s : "{}"); }

static int col_opt_string(const struct tc_row *row, int col, char **out)
{
    const char *s;
    int rc, ok = 1;

    *out = NULL;
    if (tc_row_is_null(row, col))
        return 0;
    if ((rc = tc_row_text(row, col, &s)) != 0)
        return rc;
    *out = tc__repo_strdup(s, &ok);
    return ok ? 0 : TC_ENOMEM;
}

static int read_audit(const struct tc_row *row, int first, int64_t *created, int64_t *updated,
                      char *cby, char *uby, int64_t *deleted)
{
    int rc;
    if ((rc = tc__repo_col_time(row, first, created)) != 0 ||
        (rc = tc__repo_col_time(row, first + 1, updated)) != 0 ||
        (rc = tc__repo_col_str(row, first + 2, cby, TC_ACCOUNTS_ID_MAX)) != 0 ||
        (rc = tc__repo_col_str(row, first + 3, uby, TC_ACCOUNTS_ID_MAX)) != 0 ||
        (rc = tc__repo_col_time(row, first + 4, deleted)) != 0)
        return rc;
    return 0;
}

struct op {
    const struct tc_accounts *acc;
    const void *item;
    const char *id;
};

/* Inserts after checking the id is free (soft-deleted ids stay taken). */
static int insert_new(struct tc_txn *tx, const char *exists_sql, const char *insert_sql,
                      const char *entity, const char *id, const struct tc_val *p, size_t n,
                      struct tc_error *err)
{
    struct tc_val key[] = {TC_V_TEXT(id)};
    int found, rc;

    if ((rc = tc__repo_exists(tx, exists_sql, key, 1, &found, NULL, 0, err)) != 0)
        return rc;
    if (found)
        return tc_error_set(err, TC_ECONFLICT, "%s \"%s\" already exists", entity, id);
    return tc_txn_exec(tx, insert_sql, p, n, NULL, NULL, NULL, err);
}

static int update_live(struct tc_txn *tx, const char *sql, const char *entity, const char *id,
                       const struct tc_val *p, size_t n, struct tc_error *err)
{
    int64_t changes = 0;
    int rc;

    if ((rc = tc_txn_exec(tx, sql, p, n, NULL, NULL, &changes, err)) != 0)
        return rc;
    if (changes == 0)
        return tc_error_set(err, TC_ENOTFOUND, "%s \"%s\" not found", entity, id);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Portfolios                                                                 */

#define PORTFOLIO_COLS                                                                       \
    "portfolio_id, name, description, base_currency, initial_capital, metadata, created_at, " \
    "updated_at, created_by, updated_by, deleted_at"

static int portfolio_fill(const struct tc_row *row, void *item)
{
    struct tc_portfolio_def *p = item;
    int rc;
    if ((rc = tc__repo_col_str(row, 0, p->portfolio_id, sizeof(p->portfolio_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, p->name, sizeof(p->name))) != 0 ||
        (rc = col_opt_string(row, 2, &p->description)) != 0 ||
        (rc = tc__repo_col_str(row, 3, p->base_currency, sizeof(p->base_currency))) != 0 ||
        (rc = tc__repo_col_dec(row, 4, &p->initial_capital)) != 0 ||
        (rc = tc__repo_col_json(row, 5, &p->metadata)) != 0)
        return rc;
    return read_audit(row, 6, &p->created_at_us, &p->updated_at_us, p->created_by,
                      p->updated_by, &p->deleted_at_us);
}

static void portfolio_free(void *item) { tc_portfolio_def_release(item); }

static int portfolio_write_txn(struct tc_txn *tx, void *ud, struct tc_error *err, int create)
{
    struct op *op = ud;
    const struct tc_portfolio_def *p = op->item;
    struct tc_val v[] = {TC_V_TEXT(p->portfolio_id),
                         TC_V_TEXT(p->name),
                         opt_text(p->description),
                         TC_V_TEXT(p->base_currency),
                         TC_V_DEC(p->initial_capital),
                         json_or_empty(p->metadata),
                         TC_V_TIME(tc_clock_now(op->acc->clock)),
                         TC_V_TEXT(actor_of(op->acc))};

    if (create)
        return insert_new(tx, "SELECT 1 FROM portfolios WHERE portfolio_id = $1",
                          "INSERT INTO portfolios (portfolio_id, name, description, "
                          "base_currency, initial_capital, metadata, created_at, updated_at, "
                          "created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $8)",
                          "portfolio", p->portfolio_id, v, 8, err);
    return update_live(tx,
                       "UPDATE portfolios SET name = $2, description = $3, base_currency = $4, "
                       "initial_capital = $5, metadata = $6, updated_at = $7, updated_by = $8 "
                       "WHERE portfolio_id = $1 AND deleted_at IS NULL",
                       "portfolio", p->portfolio_id, v, 8, err);
}

static int portfolio_create_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    return portfolio_write_txn(tx, ud, err, 1);
}

static int portfolio_update_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    return portfolio_write_txn(tx, ud, err, 0);
}

int tc_accounts_portfolio_create(const struct tc_accounts *acc,
                                 const struct tc_portfolio_def *p, struct tc_error *err)
{
    struct op op = {acc, p, NULL};
    int rc;
    if ((rc = check_repo(acc, err)) != 0 || (rc = tc_portfolio_def_validate(p, err)) != 0)
        return rc;
    return tc_store_txn(acc->store, TC_TXN_WRITE, portfolio_create_txn, &op, err);
}

int tc_accounts_portfolio_update(const struct tc_accounts *acc,
                                 const struct tc_portfolio_def *p, struct tc_error *err)
{
    struct op op = {acc, p, NULL};
    int rc;
    if ((rc = check_repo(acc, err)) != 0 || (rc = tc_portfolio_def_validate(p, err)) != 0)
        return rc;
    return tc_store_txn(acc->store, TC_TXN_WRITE, portfolio_update_txn, &op, err);
}

static int portfolio_remove_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct op *op = ud;
    return tc__repo_soft_delete(tx,
                                "UPDATE portfolios SET deleted_at = $2, updated_at = $2, "
                                "updated_by = $3 WHERE portfolio_id = $1 AND deleted_at IS NULL",
                                "portfolio", op->id, tc_clock_now(op->acc->clock),
                                actor_of(op->acc), err);
}

int tc_accounts_portfolio_remove(const struct tc_accounts *acc, const char *portfolio_id,
                                 struct tc_error *err)
{
    struct op op = {acc, NULL, portfolio_id};
    int rc;
    if ((rc = check_repo(acc, err)) != 0 ||
        (rc = tc_validate_id("portfolio", portfolio_id, err)) != 0)
        return rc;
    return tc_store_txn(acc->store, TC_TXN_WRITE, portfolio_remove_txn, &op, err);
}

static int portfolio_query(const struct tc_accounts *acc, const char *where,
                           const struct tc_val *p, size_t n, struct tc_portfolio_list *out,
                           struct tc_error *err)
{
    char sql[512];
    struct tc__repo_read c = {.sql = sql,
                              .params = p,
                              .n = n,
                              .vec = {.size = sizeof(struct tc_portfolio_def)},
                              .fill = portfolio_fill,
                              .release = portfolio_free};
    int rc;

    out->items = NULL;
    out->n = 0;
    snprintf(sql, sizeof(sql),
             "SELECT " PORTFOLIO_COLS " FROM portfolios WHERE %s deleted_at IS NULL "
             "ORDER BY portfolio_id",
             where);
    if ((rc = check_repo(acc, err)) != 0 || (rc = tc__repo_read_run(acc->store, &c, err)) != 0)
        return rc;
    out->items = c.vec.items;
    out->n = c.vec.n;
    return 0;
}

int tc_accounts_portfolio_get(const struct tc_accounts *acc, const char *portfolio_id,
                              struct tc_portfolio_def *out, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(portfolio_id ? portfolio_id : "")};
    struct tc_portfolio_list l;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = tc_validate_id("portfolio", portfolio_id, err)) != 0 ||
        (rc = portfolio_query(acc, "portfolio_id = $1 AND", p, 1, &l, err)) != 0)
        return rc;
    if (l.n == 0)
        return tc_error_set(err, TC_ENOTFOUND, "portfolio \"%s\" not found", portfolio_id);
    *out = l.items[0];
    free(l.items);  /* a primary-key lookup returns one row */
    return 0;
}

int tc_accounts_portfolio_list(const struct tc_accounts *acc, struct tc_portfolio_list *out,
                               struct tc_error *err)
{
    return portfolio_query(acc, "", NULL, 0, out, err);
}

/* ------------------------------------------------------------------------ */
/* Strategies                                                                 */

#define STRATEGY_COLS                                                                      \
    "strategy_id, name, description, enabled, params, metadata, created_at, updated_at, "  \
    "created_by, updated_by, deleted_at"

static int strategy_fill(const struct tc_row *row, void *item)
{
    struct tc_strategy_def *s = item;
    int rc;
    if ((rc = tc__repo_col_str(row, 0, s->strategy_id, sizeof(s->strategy_id))) != 0 ||
        (rc = tc__repo_col_str(row, 1, s->name, sizeof(s->name))) != 0 ||
        (rc = col_opt_string(row, 2, &s->description)) != 0 ||
        (rc = tc_row_bool(row, 3, &s->enabled)) != 0 ||
        (rc = tc__repo_col_json(row, 4, &s->params)) != 0 ||
        (rc = tc__repo_col_json(row, 5, &s->metadata)) != 0)
        return rc;
    s->enabled = !!s->enabled;
    return read_audit(row, 6, &s->created_at_us, &s->updated_at_us, s->created_by,
                      s->updated_by, &s->deleted_at_us);
}

static void strategy_free(void *item) { tc_strategy_def_release(item); }

static int strategy_write_txn(struct tc_txn *tx, void *ud, struct tc_error *err, int create)
{
    struct op *op = ud;
    const struct tc_strategy_def *s = op->item;
    struct tc_val v[] = {TC_V_TEXT(s->strategy_id),
                         TC_V_TEXT(s->name),
                         opt_text(s->description),
                         TC_V_BOOL(s->enabled),
                         json_or_empty(s->params),
                         json_or_empty(s->metadata),
                         TC_V_TIME(tc_clock_now(op->acc->clock)),
                         TC_V_TEXT(actor_of(op->acc))};

    if (create)
        return insert_new(tx, "SELECT 1 FROM strategies WHERE strategy_id = $1",
                          "INSERT INTO strategies (strategy_id, name, description, enabled, "
                          "params, metadata, created_at, updated_at, created_by, updated_by) "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $8)",
                          "strategy", s->strategy_id, v, 8, err);
    return update_live(tx,
                       "UPDATE strategies SET name = $2, description = $3, enabled = $4, "
                       "params = $5, metadata = $6, updated_at = $7, updated_by = $8 "
                       "WHERE strategy_id = $1 AND deleted_at IS NULL",
                       "strategy", s->strategy_id, v, 8, err);
}

static int strategy_create_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    return strategy_write_txn(tx, ud, err, 1);
}

static int strategy_update_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    return strategy_write_txn(tx, ud, err, 0);
}

int tc_accounts_strategy_create(const struct tc_accounts *acc, const struct tc_strategy_def *s,
                                struct tc_error *err)
{
    struct op op = {acc, s, NULL};
    int rc;
    if ((rc = check_repo(acc, err)) != 0 || (rc = tc_strategy_def_validate(s, err)) != 0)
        return rc;
    return tc_store_txn(acc->store, TC_TXN_WRITE, strategy_create_txn, &op, err);
}

int tc_accounts_strategy_update(const struct tc_accounts *acc, const struct tc_strategy_def *s,
                                struct tc_error *err)
{
    struct op op = {acc, s, NULL};
    int rc;
    if ((rc = check_repo(acc, err)) != 0 || (rc = tc_strategy_def_validate(s, err)) != 0)
        return rc;
    return tc_store_txn(acc->store, TC_TXN_WRITE, strategy_update_txn, &op, err);
}

static int strategy_remove_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct op *op = ud;
    return tc__repo_soft_delete(tx,
                                "UPDATE strategies SET deleted_at = $2, updated_at = $2, "
                                "updated_by = $3 WHERE strategy_id = $1 AND deleted_at IS NULL",
                                "strategy", op->id, tc_clock_now(op->acc->clock),
                                actor_of(op->acc), err);
}

int tc_accounts_strategy_remove(const struct tc_accounts *acc, const char *strategy_id,
                                struct tc_error *err)
{
    struct op op = {acc, NULL, strategy_id};
    int rc;
    if ((rc = check_repo(acc, err)) != 0 ||
        (rc = tc_validate_id("strategy", strategy_id, err)) != 0)
        return rc;
    return tc_store_txn(acc->store, TC_TXN_WRITE, strategy_remove_txn, &op, err);
}

static int strategy_query(const struct tc_accounts *acc, const char *where,
                          const struct tc_val *p, size_t n, struct tc_strategy_list *out,
                          struct tc_error *err)
{
    char sql[512];
    struct tc__repo_read c = {.sql = sql,
                              .params = p,
                              .n = n,
                              .vec = {.size = sizeof(struct tc_strategy_def)},
                              .fill = strategy_fill,
                              .release = strategy_free};
    int rc;

    out->items = NULL;
    out->n = 0;
    snprintf(sql, sizeof(sql),
             "SELECT " STRATEGY_COLS " FROM strategies WHERE %s deleted_at IS NULL "
             "ORDER BY strategy_id",
             where);
    if ((rc = check_repo(acc, err)) != 0 || (rc = tc__repo_read_run(acc->store, &c, err)) != 0)
        return rc;
    out->items = c.vec.items;
    out->n = c.vec.n;
    return 0;
}

int tc_accounts_strategy_get(const struct tc_accounts *acc, const char *strategy_id,
                             struct tc_strategy_def *out, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(strategy_id ? strategy_id : "")};
    struct tc_strategy_list l;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = tc_validate_id("strategy", strategy_id, err)) != 0 ||
        (rc = strategy_query(acc, "strategy_id = $1 AND", p, 1, &l, err)) != 0)
        return rc;
    if (l.n == 0)
        return tc_error_set(err, TC_ENOTFOUND, "strategy \"%s\" not found", strategy_id);
    *out = l.items[0];
    free(l.items);  /* a primary-key lookup returns one row */
    return 0;
}

int tc_accounts_strategy_list(const struct tc_accounts *acc, struct tc_strategy_list *out,
                              struct tc_error *err)
{
    return strategy_query(acc, "", NULL, 0, out, err);
}

int tc_accounts_strategy_list_enabled(const struct tc_accounts *acc,
                                      struct tc_strategy_list *out, struct tc_error *err)
{
    struct tc_val p[] = {TC_V_BOOL(1)};
    return strategy_query(acc, "enabled = $1 AND", p, 1, out, err);
}
