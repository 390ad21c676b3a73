/* Removing a backtest's rows: every row of a BACKTEST portfolio (a run id)
 * deleted from the runtime store in one transaction, children before
 * parents, after checking that nothing in it belongs to live or paper
 * trading (tc_ledger_forget_portfolio, ledger.h). Same SQL on SQLite and
 * PostgreSQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/repo_util.h"
#include "tradecore/ledger.h"
#include "tradecore/validate.h"
#include "internal/banned.h"

struct forget {
    const char *id;
    int64_t removed;
    /* the run's strategy ids, found inside the transaction */
    struct tc__repo_vec sids;  /* of char[TC_ID_BUFSZ] */
    /* the other portfolios whose id starts with the prefix ("v1.1" for
     * "v1"): a strategy starting with one of theirs and a dot is theirs */
    struct tc__repo_vec nested; /* of char[TC_ID_BUFSZ] */
    char like[2 * TC_ID_BUFSZ + 2];
    char prefix[TC_ID_BUFSZ + 2];
};

/* The first row of a check: up to three text columns (NULL gives ""). */
struct first_row {
    int found;
    char col[3][TC_ID_BUFSZ];
};

static int first_row_cb(const struct tc_row *row, void *ud)
{
    struct first_row *f = ud;
    int n = tc_row_count(row);
    if (f->found)
        return 0;
    f->found = 1;
    for (int c = 0; c < 3 && c < n; c++) {
        int rc = tc__repo_col_str(row, c, f->col[c], sizeof(f->col[c]));
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int first(struct tc_txn *tx, const char *sql, const struct tc_val *p, size_t n,
                 struct first_row *f, struct tc_error *err)
{
    memset(f, 0, sizeof(*f));
    return tc_txn_exec(tx, sql, p, n, first_row_cb, f, NULL, err);
}

static void sids_free(struct tc__repo_vec *v)
{
    free(v->items);
    v->items = NULL;
    v->n = v->cap = 0;
}

/* Column 0 of ROW in *S when it starts with the run's prefix exactly
 * (SQLite's LIKE ignores case) and fits an id buffer: 1; 0 when it does
 * not; a negative code on error. */
static int row_prefixed(const struct tc_row *row, const struct forget *f, const char **s)
{
    int rc = tc_row_text(row, 0, s);
    if (rc != 0)
        return rc;
    return strncmp(*s, f->prefix, strlen(f->prefix)) == 0 && strlen(*s) < TC_ID_BUFSZ;
}

/* S (shorter than TC_ID_BUFSZ) appended to V. */
static int push_id(struct tc__repo_vec *v, const char *s)
{
    char *slot = tc__repo_vec_push(v);
    if (!slot)
        return TC_ENOMEM;
    memcpy(slot, s, strlen(s) + 1);
    return 0;
}

/* Portfolios whose id matches the LIKE pattern, kept when row_prefixed. */
static int nested_cb(const struct tc_row *row, void *ud)
{
    struct forget *f = ud;
    const char *s;
    int rc = row_prefixed(row, f, &s);
    return rc <= 0 ? rc : push_id(&f->nested, s);
}

/* Strategies whose id matches the LIKE pattern; kept when row_prefixed and
 * not starting with a nested portfolio's id and a dot (that run's
 * strategy). */
static int sid_cb(const struct tc_row *row, void *ud)
{
    struct forget *f = ud;
    const char *s;
    int rc = row_prefixed(row, f, &s);

    if (rc <= 0)
        return rc;
    for (size_t k = 0; k < f->nested.n; k++) {
        const char *q = (const char *)f->nested.items + k * f->nested.size;
        size_t len = strlen(q);
        if (strncmp(s, q, len) == 0 && s[len] == '.')
            return 0;
    }
    return push_id(&f->sids, s);
}

/* Is the portfolio a backtest's? 0, or TC_ENOTFOUND / TC_ESTATE. */
static int check_backtest(struct tc_txn *tx, struct forget *f, struct tc_error *err)
{
    static const struct {
        const char *what, *sql;
    } moded[] = {
        {"order", "SELECT order_id, mode, run_id FROM orders WHERE portfolio_id = $1 AND "
                  "(mode <> 'BACKTEST' OR run_id IS NULL OR run_id <> $1) ORDER BY order_id "
                  "LIMIT 1"},
        {"signal", "SELECT fingerprint, mode, run_id FROM signal_log WHERE portfolio_id = $1 "
                   "AND (mode <> 'BACKTEST' OR run_id IS NULL OR run_id <> $1) ORDER BY "
                   "fingerprint LIMIT 1"},
        {"daily performance of", "SELECT day, mode, run_id FROM daily_performance WHERE "
                                 "portfolio_id = $1 AND (mode <> 'BACKTEST' OR run_id <> $1) "
                                 "ORDER BY day LIMIT 1"},
    };
    struct tc_val p[] = {TC_V_TEXT(f->id)};
    struct first_row r;
    int rc;

    if ((rc = first(tx, "SELECT created_by FROM portfolios WHERE portfolio_id = $1", p, 1, &r,
                    err)) != 0)
        return rc;
    if (!r.found)
        return tc_error_set(err, TC_ENOTFOUND, "portfolio \"%s\" not found; nothing removed",
                            f->id);
    if (strcmp(r.col[0], TC_LEDGER_BACKTEST_ACTOR) != 0)
        return tc_error_set(err, TC_ESTATE,
                            "portfolio \"%s\" is not a backtest's: it was created by \"%s\", "
                            "not by \"" TC_LEDGER_BACKTEST_ACTOR "\"; nothing removed",
                            f->id, r.col[0]);
    for (size_t k = 0; k < sizeof(moded) / sizeof(moded[0]); k++) {
        if ((rc = first(tx, moded[k].sql, p, 1, &r, err)) != 0)
            return rc;
        if (r.found)
            return tc_error_set(err, TC_ESTATE,
                                "portfolio \"%s\" is not a backtest's: %s \"%s\" has mode %s "
                                "and run id \"%s\"; nothing removed",
                                f->id, moded[k].what, r.col[0], r.col[1], r.col[2]);
    }
    return 0;
}

/* The run's strategies, each used by no other portfolio: "<id>.<name>",
 * but not "<id>.<x>.<name>" when "<id>.<x>" is a portfolio (that run's). */
static int find_strategies(struct tc_txn *tx, struct forget *f, struct tc_error *err)
{
    static const char *const used[] = {
        "SELECT portfolio_id FROM positions WHERE strategy_id = $1 AND portfolio_id <> $2 "
        "LIMIT 1",
        "SELECT portfolio_id FROM orders WHERE strategy_id = $1 AND portfolio_id <> $2 LIMIT 1",
        "SELECT portfolio_id FROM trades WHERE strategy_id = $1 AND portfolio_id <> $2 LIMIT 1",
        "SELECT portfolio_id FROM strategy_performance WHERE strategy_id = $1 AND "
        "portfolio_id <> $2 LIMIT 1",
        "SELECT portfolio_id FROM allocation_history WHERE strategy_id = $1 AND "
        "portfolio_id <> $2 LIMIT 1",
    };
    struct tc_val p[] = {TC_V_TEXT(f->like), TC_V_TEXT(TC_LEDGER_BACKTEST_ACTOR)};
    int rc;

    sids_free(&f->sids);
    sids_free(&f->nested);
    if ((rc = tc_txn_exec(tx,
                          "SELECT portfolio_id FROM portfolios WHERE portfolio_id LIKE $1 "
                          "ESCAPE '\\' ORDER BY portfolio_id",
                          p, 1, nested_cb, f, NULL, err)) != 0)
        return rc;
    if ((rc = tc_txn_exec(tx,
                          "SELECT strategy_id FROM strategies WHERE strategy_id LIKE $1 "
                          "ESCAPE '\\' AND created_by = $2 ORDER BY strategy_id",
                          p, 2, sid_cb, f, NULL, err)) != 0)
        return rc;
    for (size_t k = 0; k < f->sids.n; k++) {
        const char *sid = (const char *)f->sids.items + k * f->sids.size;
        struct tc_val q[] = {TC_V_TEXT(sid), TC_V_TEXT(f->id)};
        for (size_t u = 0; u < sizeof(used) / sizeof(used[0]); u++) {
            struct first_row r;
            if ((rc = first(tx, used[u], q, 2, &r, err)) != 0)
                return rc;
            if (r.found)
                return tc_error_set(err, TC_ESTATE,
                                    "portfolio \"%s\": its strategy \"%s\" is used by portfolio "
                                    "\"%s\"; nothing removed",
                                    f->id, sid, r.col[0]);
        }
    }
    return 0;
}

static int del(struct tc_txn *tx, struct forget *f, const char *sql, const char *id,
               struct tc_error *err)
{
    struct tc_val p[] = {TC_V_TEXT(id)};
    int64_t n = 0;
    int rc = tc_txn_exec(tx, sql, p, 1, NULL, NULL, &n, err);
    if (rc == 0)
        f->removed += n;
    return rc;
}

static int forget_txn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    /* children before parents: fills -> orders -> positions; trades and
     * pyramiding state -> positions; everything -> strategies, portfolios */
    static const char *const by_portfolio[] = {
        "DELETE FROM fills WHERE order_id IN (SELECT order_id FROM orders WHERE portfolio_id = $1)",
        "DELETE FROM trades WHERE portfolio_id = $1",
        "DELETE FROM orders WHERE portfolio_id = $1",
        "DELETE FROM pyramiding_state WHERE portfolio_id = $1",
        "DELETE FROM positions WHERE portfolio_id = $1",
        "DELETE FROM signal_log WHERE portfolio_id = $1 OR (run_id = $1 AND mode = 'BACKTEST')",
        "DELETE FROM portfolio_state WHERE portfolio_id = $1",
        "DELETE FROM daily_performance WHERE portfolio_id = $1",
        "DELETE FROM risk_metrics WHERE portfolio_id = $1",
        "DELETE FROM strategy_performance WHERE portfolio_id = $1",
        "DELETE FROM allocation_history WHERE portfolio_id = $1",
        "DELETE FROM engine_decisions WHERE run_id = $1 AND mode = 'BACKTEST'",
    };
    struct forget *f = ud;
    int rc;

    f->removed = 0;  /* a retried transaction starts again */
    if ((rc = check_backtest(tx, f, err)) != 0 || (rc = find_strategies(tx, f, err)) != 0)
        return rc;
    for (size_t k = 0; k < sizeof(by_portfolio) / sizeof(by_portfolio[0]); k++)
        if ((rc = del(tx, f, by_portfolio[k], f->id, err)) != 0)
            return rc;
    for (size_t k = 0; k < f->sids.n; k++)
        if ((rc = del(tx, f, "DELETE FROM strategies WHERE strategy_id = $1",
                      (const char *)f->sids.items + k * f->sids.size, err)) != 0)
            return rc;
    return del(tx, f, "DELETE FROM portfolios WHERE portfolio_id = $1", f->id, err);
}

int tc_ledger_forget_portfolio(struct tc_store *runtime, const char *portfolio_id,
                               int64_t *removed, struct tc_error *err)
{
    struct forget f;
    size_t o = 0;
    int rc;

    if (removed)
        *removed = 0;
    if (!runtime)
        return tc_error_set(err, TC_EINVAL, "forget portfolio: no runtime store given");
    if ((rc = tc_validate_id("portfolio", portfolio_id, err)) != 0)
        return rc;
    memset(&f, 0, sizeof(f));
    f.id = portfolio_id;
    f.sids.size = f.nested.size = TC_ID_BUFSZ;
    snprintf(f.prefix, sizeof(f.prefix), "%s.", portfolio_id);
    /* the LIKE pattern of the prefix: '_' escaped (ids have no '%' or '\') */
    for (const char *s = portfolio_id; *s; s++) {
        if (*s == '_')
            f.like[o++] = '\\';
        f.like[o++] = *s;
    }
    f.like[o++] = '.';
    f.like[o++] = '%';
    f.like[o] = '\0';
    rc = tc_store_txn(runtime, TC_TXN_WRITE, forget_txn, &f, err);
    sids_free(&f.sids);
    sids_free(&f.nested);
    if (rc == 0 && removed)
        *removed = f.removed;
    return rc;
}
