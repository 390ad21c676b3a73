/* A stored backtest that fails leaves the runtime store as it was
 * (tc_backtest_run removes the run's rows with tc_ledger_forget_portfolio),
 * on SQLite and PostgreSQL: every table of the store is dumped (rows sorted)
 * before and after and compared.
 *   - overflow: sma_cross on ORCL 1995-1996 with the largest cash fails with
 *     'equity of "ORCL" overflows' after it stored a portfolio, strategy,
 *     position, order, fill, signal and pyramiding row; so does the smallest
 *     input found (four bars, fast 1, slow 2, stake 1); the store is then
 *     as before, a run kept earlier untouched, and the same run id runs
 *     again with a smaller cash;
 *   - a store fault injected at each of many points of a run (every kind
 *     of statement, a commit, a commit that was durable but reported an
 *     error): the run fails with the injected error and the store is as
 *     before;
 *   - the removal itself failing: the run's message is kept and the
 *     removal's appended; the rows are then removed by calling
 *     tc_ledger_forget_portfolio;
 *   - tc_ledger_forget_portfolio: a successful run's rows exactly removed
 *     (the count), with its rows of the performance, risk, allocation and
 *     decision tables (another run's decision stays), refused for an unknown
 *     portfolio, one not created by a backtest, one with an order, signal or
 *     daily performance row of another mode or run id, one
 *     whose strategy another portfolio uses, an invalid id, no store; a
 *     refusal changes nothing; run "v1" forgotten beside runs "v1.1" and
 *     "v1.2" (ids with a dot: their strategies are theirs) removes its
 *     own rows only;
 *   - the command: the overflow run of the defect report after `tradecore
 *     init`, and a sweep whose second combination overflows (the first
 *     stays, complete; the second's rows are gone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_backtest.h"
#include "tradecore/accounts.h"
#include "tradecore/backtest.h"
#include "tradecore/fault.h"
#include "tradecore/ingest.h"
#include "tradecore/ledger.h"
#include "tradecore/migrate.h"

#define MAX_CASH "92233720368.54775807"

enum be { SQLITE, PG };

/* ---- a dump of every table ---------------------------------------------------------- */

struct text {
    char *s;
    size_t n, cap;
};

static void put(struct text *t, const char *s)
{
    size_t len = strlen(s);
    if (t->n + len + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->n + len + 1)
            cap *= 2;
        t->s = realloc(t->s, cap);
        assert_non_null(t->s);
        t->cap = cap;
    }
    memcpy(t->s + t->n, s, len + 1);
    t->n += len;
}

struct lines {
    char **v;
    size_t n, cap;
    const char *table;
};

static int line_cb(const struct tc_row *row, void *ud)
{
    struct lines *l = ud;
    struct text t = {0};
    put(&t, l->table);
    for (int c = 0; c < tc_row_count(row); c++) {
        const char *s;
        put(&t, "|");
        put(&t, tc_row_text(row, c, &s) == 0 ? s : "\\N");
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
        assert_non_null(l->v);
    }
    l->v[l->n++] = t.s;
    return 0;
}

static int name_cb(const struct tc_row *row, void *ud)
{
    struct lines *l = ud;
    const char *s;
    assert_int_equal(tc_row_text(row, 0, &s), 0);
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
        assert_non_null(l->v);
    }
    l->v[l->n] = strdup(s);
    assert_non_null(l->v[l->n]);
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_free(struct lines *l)
{
    for (size_t k = 0; k < l->n; k++)
        free(l->v[k]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Every row of every table of ST, one line each ("table|col|col…"), sorted;
 * *NROWS (may be NULL) gets the number of rows. Caller frees. */
static char *dump(struct tc_store *st, size_t *nrows)
{
    struct lines names = {0}, rows = {0};
    struct tc_error err = {0};
    struct text out = {0};
    const char *catalog =
        tc_store_backend(st) == TC_STORE_SQLITE
            ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = "
              "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name";

    tc_assert_ok(tc_store_exec(st, catalog, NULL, 0, name_cb, &names, NULL, &err), &err);
    assert_true(names.n >= 17);  /* accounts, ledger, leader and migrations tables */
    for (size_t k = 0; k < names.n; k++) {
        char sql[200];
        snprintf(sql, sizeof(sql), "SELECT * FROM %s", names.v[k]);
        rows.table = names.v[k];
        tc_assert_ok(tc_store_exec(st, sql, NULL, 0, line_cb, &rows, NULL, &err), &err);
    }
    qsort(rows.v, rows.n, sizeof(*rows.v), cmp_str);
    put(&out, "");
    for (size_t k = 0; k < rows.n; k++) {
        put(&out, rows.v[k]);
        put(&out, "\n");
    }
    if (nrows)
        *nrows = rows.n;
    lines_free(&rows);
    lines_free(&names);
    return out.s;
}

static void assert_same_dump(struct tc_store *st, const char *want, const char *what)
{
    char *got = dump(st, NULL);
    if (strcmp(got, want) != 0) {
        print_error("%s: the store changed\n--- before\n%s--- after\n%s", what, want, got);
        free(got);
        fail();
    }
    free(got);
}

static int64_t count(struct tc_store *st, const char *sql, const char *arg)
{
    struct tc_val v[] = {TC_V_TEXT(arg)};
    struct tc_error err = {0};
    struct lines l = {0};
    int64_t n;
    l.table = "n";
    tc_assert_ok(tc_store_exec(st, sql, v, 1, line_cb, &l, NULL, &err), &err);
    assert_int_equal(l.n, 1);
    n = strtoll(l.v[0] + 2, NULL, 10);
    lines_free(&l);
    return n;
}

static void exec(struct tc_store *st, const char *sql, const char *arg)
{
    struct tc_val v[] = {TC_V_TEXT(arg)};
    struct tc_error err = {0};
    tc_assert_ok(tc_store_exec(st, sql, v, 1, NULL, NULL, NULL, &err), &err);
}

/* ---- runs --------------------------------------------------------------------------- */

struct world {
    struct tc_store *st;  /* a fault store over the backend's (disarmed: plain) */
    struct tc_bar_set orcl, tiny;
    char dir[512];
};

/* The smallest input found that overflows the same way: fast 1 crosses
 * above slow 2 on the third bar, the entry fills at the fourth bar's open
 * (11) and its close (12) puts the equity one above the largest cash. */
static const char tiny_csv[] = "Date,Open,High,Low,Close,Adj Close,Volume\n"
                               "2020-01-02,10,10,10,10,10,1000\n"
                               "2020-01-03,9,9,9,9,9,1000\n"
                               "2020-01-06,11,11,11,11,11,1000\n"
                               "2020-01-07,11,12,11,12,12,1000\n";

static void world_open(struct world *w, enum be be, const char *name)
{
    char url[800], furl[820], path[1024];
    struct tc_error err = {0};

    memset(w, 0, sizeof(*w));
    assert_int_equal(tc_test_tmpdir(name, w->dir, sizeof(w->dir)), 0);
    if (be == SQLITE)
        snprintf(url, sizeof(url), "sqlite:%s/runtime.db", w->dir);
    else
        assert_int_equal(tc_test_pg_create_db(name, url, sizeof(url)), 0);
    snprintf(furl, sizeof(furl), "fault+%s", url);
    tc_assert_ok(tc_store_fault_open(furl, NULL, &w->st, &err), &err);
    tc_assert_ok(tc_migrate_latest(w->st, "runtime", &err), &err);
    snprintf(path, sizeof(path), "%s/orcl-1995-2014.txt", tc_test_data());
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &w->orcl, &err), &err);
    snprintf(path, sizeof(path), "%s/tiny.csv", w->dir);
    tc_test_write_file(path, tiny_csv);
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &w->tiny, &err), &err);
}

static void world_close(struct world *w)
{
    tc_store_close(w->st);
    tc_bar_set_release(&w->orcl);
    tc_bar_set_release(&w->tiny);
}

/* sma_cross (defaults) on ORCL 1995-1996, or fast 1 slow 2 stake 1 on the
 * four bars, into the store as RUN_ID with CASH. */
static int run(struct world *w, int tiny, const char *run_id, const char *cash,
               struct tc_error *err)
{
    static const char *const tiny_kv[] = {"fast=1", "slow=2", "stake=1", NULL};
    struct tc_backtest_strategy s;
    struct tc_backtest_config cfg;
    struct tc_backtest_result res;
    int rc;

    tc_test_bt_strategy(&s, "sma_cross", tiny ? tiny_kv : NULL);
    tc_test_bt_config(&cfg, &s, 1, tiny ? w->tiny.items : w->orcl.items, 1);
    if (!tiny)
        cfg.to_day = tc_days_from_civil(1996, 12, 31);
    cfg.cash = tc_test_dec(cash);
    cfg.runtime = w->st;
    cfg.run_id = run_id;
    rc = tc_backtest_run(&cfg, &res, err);
    if (rc == 0)
        assert_true(tiny || res.run.n_fills > 4);
    tc_backtest_result_release(&res);
    return rc;
}

static void forget_ok(struct world *w, const char *id, int64_t *removed)
{
    struct tc_error err = {0};
    tc_assert_ok(tc_ledger_forget_portfolio(w->st, id, removed, &err), &err);
}

/* ---- the overflow ------------------------------------------------------------------- */

static void overflow(enum be be)
{
    static const char *const tables[] = {"portfolios", "strategies", "portfolio_state",
                                         "positions",  "orders",     "fills",
                                         "signal_log", "pyramiding_state"};
    struct world w;
    struct tc_error err = {0};
    char *empty, *kept;
    size_t n_empty, n_kept, n_two;
    int64_t removed = 0;

    world_open(&w, be, be == SQLITE ? "bt_fail_ovf" : "bt_fail_ovf_pg");
    empty = dump(w.st, &n_empty);
    tc_assert_ok(run(&w, 0, "keep-1", "100000", &err), &err);
    kept = dump(w.st, &n_kept);
    for (size_t k = 0; k < sizeof(tables) / sizeof(tables[0]); k++) {
        char sql[200];
        snprintf(sql, sizeof(sql),
                 "SELECT COUNT(*) FROM %s WHERE %s", tables[k],
                 strcmp(tables[k], "strategies") == 0 ? "strategy_id = $1 || '.sma_cross'"
                 : strcmp(tables[k], "fills") == 0
                     ? "order_id IN (SELECT order_id FROM orders WHERE portfolio_id = $1)"
                     : "portfolio_id = $1");
        assert_true(count(w.st, sql, "keep-1") > 0);
    }

    /* the run of the report and the smallest one: same message, no trace */
    tc_test_assert_error("orcl overflow", run(&w, 0, "ovf", MAX_CASH, &err), TC_ERANGE, &err,
                         "");
    tc_test_assert_msg(&err, "backtest: equity of \"ORCL\" overflows");
    assert_same_dump(w.st, kept, "orcl overflow");
    tc_test_assert_error("tiny overflow", run(&w, 1, "t_1", MAX_CASH, &err), TC_ERANGE, &err,
                         "");
    tc_test_assert_msg(&err, "backtest: equity of \"TINY\" overflows");
    assert_same_dump(w.st, kept, "tiny overflow");

    /* the same run ids again, with a cash that fits */
    tc_assert_ok(run(&w, 0, "ovf", "100000", &err), &err);
    tc_assert_ok(run(&w, 1, "t_1", "100000", &err), &err);
    assert_int_equal(count(w.st, "SELECT COUNT(*) FROM portfolios WHERE portfolio_id = $1", "ovf"),
                     1);
    assert_true(count(w.st, "SELECT COUNT(*) FROM orders WHERE run_id = $1", "ovf") > 4);
    assert_int_equal(count(w.st, "SELECT COUNT(*) FROM fills WHERE order_id IN (SELECT order_id "
                                 "FROM orders WHERE run_id = $1)",
                           "t_1"),
                     1);

    /* a successful run's rows are removed exactly: the others stay */
    forget_ok(&w, "t_1", NULL);  /* an id with a LIKE wildcard */
    free(dump(w.st, &n_two));
    forget_ok(&w, "ovf", &removed);
    assert_int_equal((size_t)removed, n_two - n_kept);
    assert_same_dump(w.st, kept, "forget ovf");
    forget_ok(&w, "keep-1", &removed);
    assert_int_equal((size_t)removed, n_kept - n_empty);
    assert_same_dump(w.st, empty, "forget keep-1");
    free(empty);
    free(kept);
    world_close(&w);
}

static void test_overflow_sqlite(void **state)
{
    (void)state;
    overflow(SQLITE);
}

static void test_overflow_pg(void **state)
{
    (void)state;
    overflow(PG);
}

/* ---- injected faults ---------------------------------------------------------------- */

static void faults(enum be be)
{
    struct world w;
    struct tc_error err = {0};
    struct tc_fault_counts fc;
    int64_t f, commits, failed = 0, last_commit;
    char *kept;

    world_open(&w, be, be == SQLITE ? "bt_fail_fault" : "bt_fail_fault_pg");
    tc_assert_ok(run(&w, 0, "keep-1", "100000", &err), &err);
    kept = dump(w.st, NULL);

    /* how many calls a whole run makes */
    tc_store_fault_reset_counts(w.st);
    tc_assert_ok(run(&w, 0, "flt", "100000", &err), &err);
    tc_store_fault_counts(w.st, &fc);
    f = fc.failable;
    commits = fc.calls[TC_FAULT_OP_COMMIT];
    assert_true(f > 50);
    forget_ok(&w, "flt", NULL);
    assert_same_dump(w.st, kept, "forget flt");

    /* a fault at call 1, 2, 3, 5, 8, ... of every kind, then at the last ones */
    for (int64_t nth = 1; nth <= f; nth = nth < 4 ? nth + 1 : nth * 3 / 2 + 1) {
        struct tc_fault_plan plan = {TC_FAULT_SQLITE_IOERR, nth, TC_FAULT_OPS_ALL, 0};
        struct tc_fault_report rep;
        char what[64];
        int rc;

        snprintf(what, sizeof(what), "fault at call %lld of %lld", (long long)nth, (long long)f);
        tc_assert_ok(tc_store_fault_arm(w.st, &plan, &err), &err);
        rc = run(&w, 0, "flt", "100000", &err);
        tc_store_fault_report(w.st, &rep);
        tc_store_fault_disarm(w.st);
        assert_true(rep.fired);
        if (rc == 0) { /* a failure the run survives (none expected; keep the store clean) */
            print_error("%s: the run succeeded\n", what);
            fail();
        }
        /* the store's message, or the broker's about the fill it could not record */
        tc_test_assert_error(what, rc, TC_EIO, &err, "input/output error");
        if (strstr(err.msg, "not removed"))
            fail_msg("%s: \"%s\"", what, err.msg);
        assert_same_dump(w.st, kept, what);
        failed++;
    }
    assert_true(failed > 10);

    /* the last commits of the run, each durable but reported as failed */
    last_commit = commits;
    for (int64_t nth = last_commit; nth > 0 && nth > last_commit - 3; nth--) {
        struct tc_fault_plan plan = {TC_FAULT_SQLITE_IOERR, nth, 1u << TC_FAULT_OP_COMMIT, 1};
        char what[64];
        snprintf(what, sizeof(what), "durable commit %lld of %lld", (long long)nth,
                 (long long)commits);
        tc_assert_ok(tc_store_fault_arm(w.st, &plan, &err), &err);
        tc_test_assert_error(what, run(&w, 0, "flt", "100000", &err), TC_EIO, &err,
                             "input/output error");
        tc_store_fault_disarm(w.st);
        assert_same_dump(w.st, kept, what);
    }
    free(kept);
    world_close(&w);
}

static void test_faults_sqlite(void **state)
{
    (void)state;
    faults(SQLITE);
}

static void test_faults_pg(void **state)
{
    (void)state;
    faults(PG);
}

/* The removal fails too: the overflow's message first, the removal's after
 * it; the rows are then still there, and the function removes them. */
static void cleanup_fails(enum be be)
{
    static const char want[] = "backtest: equity of \"ORCL\" overflows (and its rows were not "
                               "removed from the runtime store: ";
    struct world w;
    struct tc_error err = {0};
    struct tc_fault_counts fc;
    struct tc_fault_plan plan = {TC_FAULT_SQLITE_IOERR, 0, 1u << TC_FAULT_OP_COMMIT, 0};
    char *kept;

    world_open(&w, be, be == SQLITE ? "bt_fail_clean" : "bt_fail_clean_pg");
    tc_assert_ok(run(&w, 0, "keep-1", "100000", &err), &err);
    kept = dump(w.st, NULL);
    tc_store_fault_reset_counts(w.st);
    assert_int_equal(run(&w, 0, "ovf", MAX_CASH, &err), TC_ERANGE);
    tc_store_fault_counts(w.st, &fc);
    assert_same_dump(w.st, kept, "overflow");

    /* the same run again, its last commit (the removal's) failing */
    plan.nth = fc.calls[TC_FAULT_OP_COMMIT];
    tc_assert_ok(tc_store_fault_arm(w.st, &plan, &err), &err);
    assert_int_equal(run(&w, 0, "ovf", MAX_CASH, &err), TC_ERANGE);
    tc_store_fault_disarm(w.st);
    if (strncmp(err.msg, want, strlen(want)) != 0 || !strstr(err.msg, "injected fault") ||
        err.msg[strlen(err.msg) - 1] != ')')
        fail_msg("message \"%s\"", err.msg);
    assert_int_equal(count(w.st, "SELECT COUNT(*) FROM portfolios WHERE portfolio_id = $1", "ovf"),
                     1);
    assert_true(count(w.st, "SELECT COUNT(*) FROM orders WHERE run_id = $1", "ovf") > 0);
    forget_ok(&w, "ovf", NULL);
    assert_same_dump(w.st, kept, "forget after the failed removal");
    free(kept);
    world_close(&w);
}

static void test_cleanup_fails_sqlite(void **state)
{
    (void)state;
    cleanup_fails(SQLITE);
}

static void test_cleanup_fails_pg(void **state)
{
    (void)state;
    cleanup_fails(PG);
}

/* ---- refusals ----------------------------------------------------------------------- */

static void refused(struct world *w, const char *id, int want, const char *msg, const char *what)
{
    struct tc_error err = {0};
    int64_t removed = -1;
    char *before = dump(w->st, NULL);
    int rc = tc_ledger_forget_portfolio(w->st, id, &removed, &err);
    assert_int_equal(removed, 0);
    tc_test_assert_error(what, rc, want, &err, "");
    tc_test_assert_msg(&err, msg);
    assert_same_dump(w->st, before, what);
    free(before);
}

static void first_id(struct world *w, const char *sql, char *buf, size_t cap)
{
    struct tc_val v[] = {TC_V_TEXT("keep-1")};
    struct tc_error err = {0};
    struct lines l = {0};
    l.table = "";
    tc_assert_ok(tc_store_exec(w->st, sql, v, 1, line_cb, &l, NULL, &err), &err);
    assert_true(l.n >= 1);
    snprintf(buf, cap, "%s", l.v[0] + 1);
    lines_free(&l);
}

static void refusals(enum be be)
{
    struct world w;
    struct tc_error err = {0};
    struct tc_accounts acc;
    struct tc_portfolio_def p;
    char *base, ord[80], fp[120], pos[80], msg[400];

    world_open(&w, be, be == SQLITE ? "bt_fail_refuse" : "bt_fail_refuse_pg");
    acc = (struct tc_accounts){w.st, NULL, NULL};
    memset(&p, 0, sizeof(p));
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "live-1");
    snprintf(p.name, sizeof(p.name), "a live portfolio");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    p.initial_capital = tc_test_dec("1000");
    tc_assert_ok(tc_accounts_portfolio_create(&acc, &p, &err), &err);
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "other");
    tc_assert_ok(tc_accounts_portfolio_create(&acc, &p, &err), &err);
    /* another run's engine decision stays */
    exec(w.st,
         "INSERT INTO engine_decisions (decision_id, context_id, run_id, engine, as_of, mode, "
         "created_at) VALUES ('dec-0', 'ctx', $1, 'e', '2020-01-02T00:00:00Z', 'BACKTEST', "
         "'2020-01-02T00:00:00Z')",
         "keep-2");
    base = dump(w.st, NULL);
    tc_assert_ok(run(&w, 0, "keep-1", "100000", &err), &err);

    refused(&w, "nope", TC_ENOTFOUND, "portfolio \"nope\" not found; nothing removed", "unknown");
    refused(&w, "live-1", TC_ESTATE,
            "portfolio \"live-1\" is not a backtest's: it was created by \"tradecore\", not by "
            "\"backtest\"; nothing removed",
            "not a backtest's");
    {
        struct tc_error e = {0};
        int64_t removed = -1;
        tc_test_assert_error("invalid id", tc_ledger_forget_portfolio(w.st, "a b", &removed, &e),
                             TC_EINVAL, &e, "portfolio id \"a b\"");
        assert_int_equal(removed, 0);
        tc_test_assert_error("no store", tc_ledger_forget_portfolio(NULL, "keep-1", NULL, &e),
                             TC_EINVAL, &e, "forget portfolio: no runtime store given");
    }

    /* rows of another mode or run id in the run's portfolio */
    first_id(&w, "SELECT order_id FROM orders WHERE portfolio_id = $1 ORDER BY order_id", ord,
             sizeof(ord));
    exec(w.st, "UPDATE orders SET mode = 'LIVE' WHERE order_id = $1", ord);
    snprintf(msg, sizeof(msg),
             "portfolio \"keep-1\" is not a backtest's: order \"%s\" has mode LIVE and run id "
             "\"keep-1\"; nothing removed",
             ord);
    refused(&w, "keep-1", TC_ESTATE, msg, "a LIVE order");
    exec(w.st, "UPDATE orders SET mode = 'BACKTEST', run_id = 'other' WHERE order_id = $1", ord);
    snprintf(msg, sizeof(msg),
             "portfolio \"keep-1\" is not a backtest's: order \"%s\" has mode BACKTEST and run id "
             "\"other\"; nothing removed",
             ord);
    refused(&w, "keep-1", TC_ESTATE, msg, "another run's order");
    exec(w.st, "UPDATE orders SET run_id = 'keep-1' WHERE order_id = $1", ord);
    first_id(&w, "SELECT fingerprint FROM signal_log WHERE portfolio_id = $1 ORDER BY fingerprint",
             fp, sizeof(fp));
    exec(w.st, "UPDATE signal_log SET mode = 'PAPER' WHERE fingerprint = $1", fp);
    snprintf(msg, sizeof(msg),
             "portfolio \"keep-1\" is not a backtest's: signal \"%s\" has mode PAPER and run id "
             "\"keep-1\"; nothing removed",
             fp);
    refused(&w, "keep-1", TC_ESTATE, msg, "a PAPER signal");
    exec(w.st, "UPDATE signal_log SET mode = 'BACKTEST' WHERE fingerprint = $1", fp);

    exec(w.st,
         "INSERT INTO daily_performance (portfolio_id, day, mode, run_id, equity, cash, "
         "realized_pnl, unrealized_pnl, commission, created_at) VALUES ($1, '2020-01-02', "
         "'LIVE', '', 0, 0, 0, 0, 0, '2020-01-02T00:00:00Z')",
         "keep-1");
    refused(&w, "keep-1", TC_ESTATE,
            "portfolio \"keep-1\" is not a backtest's: daily performance of \"2020-01-02\" has "
            "mode LIVE and run id \"\"; nothing removed",
            "a LIVE daily performance");
    exec(w.st, "UPDATE daily_performance SET mode = 'BACKTEST', run_id = $1", "keep-1");

    /* rows of the tables a backtest does not write yet: removed with the run */
    exec(w.st,
         "INSERT INTO risk_metrics (portfolio_id, as_of, metric, value) VALUES ($1, "
         "'2020-01-02T00:00:00Z', 'var', 1.5)",
         "keep-1");
    exec(w.st,
         "INSERT INTO strategy_performance (strategy_id, portfolio_id, period_start, period_end, "
         "created_at) VALUES ($1 || '.sma_cross', $1, '2020-01-02T00:00:00Z', "
         "'2020-01-03T00:00:00Z', '2020-01-03T00:00:00Z')",
         "keep-1");
    exec(w.st,
         "INSERT INTO allocation_history (allocation_id, portfolio_id, strategy_id, weight, "
         "capital, effective_at, created_at) VALUES ('alloc-1', $1, $1 || '.sma_cross', 1, 100, "
         "'2020-01-02T00:00:00Z', '2020-01-02T00:00:00Z')",
         "keep-1");
    exec(w.st,
         "INSERT INTO engine_decisions (decision_id, context_id, run_id, engine, as_of, mode, "
         "created_at) VALUES ('dec-1', 'ctx', $1, 'e', '2020-01-02T00:00:00Z', 'BACKTEST', "
         "'2020-01-02T00:00:00Z')",
         "keep-1");

    /* the run's strategy used by another portfolio */
    first_id(&w, "SELECT position_id FROM positions WHERE portfolio_id = $1 ORDER BY position_id",
             pos, sizeof(pos));
    exec(w.st, "UPDATE positions SET portfolio_id = 'other' WHERE position_id = $1", pos);
    refused(&w, "keep-1", TC_ESTATE,
            "portfolio \"keep-1\": its strategy \"keep-1.sma_cross\" is used by portfolio "
            "\"other\"; nothing removed",
            "a shared strategy");
    exec(w.st, "UPDATE positions SET portfolio_id = 'keep-1' WHERE position_id = $1", pos);

    /* all put back: the run's rows go, the two other portfolios stay */
    forget_ok(&w, "keep-1", NULL);
    assert_same_dump(w.st, base, "forget keep-1");
    free(base);
    world_close(&w);
}

static void test_refusals_sqlite(void **state)
{
    (void)state;
    refusals(SQLITE);
}

static void test_refusals_pg(void **state)
{
    (void)state;
    refusals(PG);
}

/* ---- run ids with a dot ------------------------------------------------------------- */

/* Run "v1"'s strategy is "v1.sma_cross"; "v1.1.sma_cross" starts with
 * "v1." too but is run "v1.1"'s (a run id may hold dots): forgetting "v1"
 * removed the strategy of a run "v1.2" that had no orders yet, and was
 * refused when run "v1.1" had some ("its strategy \"v1.1.sma_cross\" is
 * used by portfolio \"v1.1\""), so a failed run "v1" kept its rows. */
static void nested_ids(enum be be)
{
    struct world w;
    struct tc_error err = {0};
    struct tc_accounts acc;
    struct tc_portfolio_def p;
    struct tc_strategy_def s;
    char *base, *mid;

    world_open(&w, be, be == SQLITE ? "bt_fail_nested" : "bt_fail_nested_pg");
    base = dump(w.st, NULL);
    /* run "v1.2" as its setup leaves it: portfolio and strategy, no order */
    acc = (struct tc_accounts){w.st, NULL, TC_LEDGER_BACKTEST_ACTOR};
    memset(&p, 0, sizeof(p));
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "v1.2");
    snprintf(p.name, sizeof(p.name), "backtest v1.2");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    p.initial_capital = tc_test_dec("1000");
    tc_assert_ok(tc_accounts_portfolio_create(&acc, &p, &err), &err);
    memset(&s, 0, sizeof(s));
    snprintf(s.strategy_id, sizeof(s.strategy_id), "v1.2.sma_cross");
    snprintf(s.name, sizeof(s.name), "sma_cross");
    s.enabled = 1;
    tc_assert_ok(tc_accounts_strategy_create(&acc, &s, &err), &err);
    mid = dump(w.st, NULL);
    tc_assert_ok(run(&w, 1, "v1", "100000", &err), &err);
    forget_ok(&w, "v1", NULL);
    assert_same_dump(w.st, mid, "forget v1 beside v1.2");
    free(mid);

    /* run "v1.1" with its orders, then "v1" again: v1's rows only */
    tc_assert_ok(run(&w, 1, "v1.1", "100000", &err), &err);
    assert_int_equal(count(w.st, "SELECT COUNT(*) FROM orders WHERE strategy_id = $1",
                           "v1.1.sma_cross"),
                     1);
    mid = dump(w.st, NULL);
    tc_assert_ok(run(&w, 1, "v1", "100000", &err), &err);
    forget_ok(&w, "v1", NULL);
    assert_same_dump(w.st, mid, "forget v1 beside v1.1");
    free(mid);
    forget_ok(&w, "v1.1", NULL);
    forget_ok(&w, "v1.2", NULL);
    assert_same_dump(w.st, base, "forget v1.1 and v1.2");
    free(base);
    world_close(&w);
}

static void test_nested_ids_sqlite(void **state)
{
    (void)state;
    nested_ids(SQLITE);
}

static void test_nested_ids_pg(void **state)
{
    (void)state;
    nested_ids(PG);
}

/* ---- the command -------------------------------------------------------------------- */

static char *cli_dump(const char *dir)
{
    char url[700];
    struct tc_store *st = NULL;
    struct tc_error err = {0};
    char *d;
    snprintf(url, sizeof(url), "sqlite:%s/var/runtime.db", dir);
    tc_assert_ok(tc_store_open(url, NULL, &st, &err), &err);
    d = dump(st, NULL);
    tc_store_close(st);
    return d;
}

static int64_t cli_count(const char *dir, const char *sql, const char *arg)
{
    char url[700];
    struct tc_store *st = NULL;
    struct tc_error err = {0};
    int64_t n;
    snprintf(url, sizeof(url), "sqlite:%s/var/runtime.db", dir);
    tc_assert_ok(tc_store_open(url, NULL, &st, &err), &err);
    n = count(st, sql, arg);
    tc_store_close(st);
    return n;
}

static void test_cli(void **state)
{
    char dir[512], data[1024], tiny[700];
    const char *init[] = {"tradecore", "init", NULL};
    char *out = NULL, *errs = NULL, *before, *after;
    int rc;

    (void)state;
    assert_int_equal(tc_test_tmpdir("bt_fail_cli", dir, sizeof(dir)), 0);
    snprintf(data, sizeof(data), "%s/orcl-1995-2014.txt", tc_test_data());
    snprintf(tiny, sizeof(tiny), "%s/tiny.csv", dir);
    tc_test_write_file(tiny, tiny_csv);
    assert_int_equal(tc_test_run(dir, init, NULL, NULL, NULL, NULL), 0);
    before = cli_dump(dir);
    {
        const char *argv[] = {"tradecore", "backtest", "--strategy", "sma_cross", "--data", data,
                              "--cash", MAX_CASH, "--to", "1996-12-31", "--store", NULL};
        rc = tc_test_run(dir, argv, NULL, NULL, &out, &errs);
        assert_int_equal(rc, 1);
        assert_string_equal(errs, "tradecore: backtest: equity of \"ORCL\" overflows\n");
        free(out);
        free(errs);
        after = cli_dump(dir);
        assert_string_equal(after, before);
        free(after);
        /* again: not refused as already stored */
        rc = tc_test_run(dir, argv, NULL, NULL, &out, &errs);
        assert_int_equal(rc, 1);
        assert_string_equal(errs, "tradecore: backtest: equity of \"ORCL\" overflows\n");
        free(out);
        free(errs);
    }
    {
        /* slow=3 makes no trade on the four bars (a complete run, sw-0), slow=2
         * overflows (sw-1): sw-0 stays, sw-1 leaves nothing */
        const char *argv[] = {"tradecore", "backtest", "--strategy", "sma_cross", "--param",
                              "fast=1", "--param", "stake=1", "--sweep", "slow=3,2", "--data",
                              tiny, "--cash", MAX_CASH, "--store", "--run-id", "sw", NULL};
        rc = tc_test_run(dir, argv, NULL, NULL, &out, &errs);
        assert_int_equal(rc, 1);
        assert_non_null(strstr(errs, "equity of \"TINY\" overflows"));
        free(out);
        free(errs);
        assert_int_equal(
            cli_count(dir, "SELECT COUNT(*) FROM portfolios WHERE portfolio_id = $1", "sw-0"), 1);
        assert_int_equal(
            cli_count(dir, "SELECT COUNT(*) FROM portfolio_state WHERE portfolio_id = $1", "sw-0"),
            1);
        assert_int_equal(
            cli_count(dir, "SELECT COUNT(*) FROM portfolios WHERE portfolio_id LIKE $1", "sw-%"),
            1);
        assert_int_equal(
            cli_count(dir, "SELECT COUNT(*) FROM strategies WHERE strategy_id LIKE $1", "sw-1%"),
            0);
        assert_int_equal(cli_count(dir, "SELECT COUNT(*) FROM signal_log WHERE run_id = $1", "sw-1"),
                         0);
    }
    free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overflow_sqlite),     cmocka_unit_test(test_overflow_pg),
        cmocka_unit_test(test_faults_sqlite),       cmocka_unit_test(test_faults_pg),
        cmocka_unit_test(test_cleanup_fails_sqlite), cmocka_unit_test(test_cleanup_fails_pg),
        cmocka_unit_test(test_refusals_sqlite),     cmocka_unit_test(test_refusals_pg),
        cmocka_unit_test(test_nested_ids_sqlite),   cmocka_unit_test(test_nested_ids_pg),
        cmocka_unit_test(test_cli),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
