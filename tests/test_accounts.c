/* Accounts repositories (portfolios, strategies) against sqlite files and
 * PostgreSQL: CRUD, exact decimals, enabled finder, duplicates, validation,
 * soft delete, and the schema's down migration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/accounts.h"
#include "tradecore/store.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */

struct fx {
    int pg;
    struct tc_store *store;
    struct tc_manual_clock clock;
    struct tc_accounts acc;
};

static const char *mig_path(const struct fx *f, int up)
{
    if (f->pg)
        return up ? "postgres/runtime/0001_accounts.up.sql"
                  : "postgres/runtime/0001_accounts.down.sql";
    return up ? "sqlite/runtime/0001_accounts.up.sql" : "sqlite/runtime/0001_accounts.down.sql";
}

static int setup(void **state, int pg)
{
    struct fx *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    f->pg = pg;
    if (tc_test_store_open("accounts", pg, "runtime.db", NULL, 0, NULL, 0, &f->store) != 0)
        goto fail;
    if (tc_test_apply_migration(f->store, mig_path(f, 1)) != 0)
        goto fail;
    tc_manual_clock_init(&f->clock, T0);
    f->acc = (struct tc_accounts){f->store, &f->clock.clock, "tester"};
    *state = f;
    return 0;
fail:
    tc_store_close(f->store);
    free(f);
    return -1;
}

static int setup_sqlite(void **state) { return setup(state, 0); }
static int setup_pg(void **state) { return setup(state, 1); }

static int teardown(void **state)
{
    struct fx *f = *state;
    tc_store_close(f->store);
    free(f);
    return 0;
}

#define dec(text) tc_test_dec(text)

static void fill_portfolio(struct tc_portfolio_def *p, const char *id, const char *capital)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->portfolio_id, sizeof(p->portfolio_id), "%s", id);
    snprintf(p->name, sizeof(p->name), "Portfolio %s", id);
    snprintf(p->base_currency, sizeof(p->base_currency), "USD");
    p->initial_capital = dec(capital);
}

static void fill_strategy(struct tc_strategy_def *s, const char *id, int enabled)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->strategy_id, sizeof(s->strategy_id), "%s", id);
    snprintf(s->name, sizeof(s->name), "Strategy %s", id);
    s->enabled = enabled;
}

static size_t count_portfolios(struct fx *f)
{
    struct tc_portfolio_list l;
    struct tc_error err = {0};
    size_t n;
    tc_assert_ok(tc_accounts_portfolio_list(&f->acc, &l, &err), &err);
    n = l.n;
    tc_portfolio_list_release(&l);
    return n;
}

static size_t count_strategies(struct fx *f)
{
    struct tc_strategy_list l;
    struct tc_error err = {0};
    size_t n;
    tc_assert_ok(tc_accounts_strategy_list(&f->acc, &l, &err), &err);
    n = l.n;
    tc_strategy_list_release(&l);
    return n;
}

/* ------------------------------------------------------------------------ */

static void test_portfolio_crud(void **state)
{
    struct fx *f = *state;
    struct tc_portfolio_def p, got;
    struct tc_portfolio_list l;
    struct tc_error err = {0};
    char buf[TC_DEC_STRLEN];

    fill_portfolio(&p, "main", "12345678901.12345678");
    p.description = (char *)"the main book; quotes ' and \" kept";
    p.metadata = (char *)"{\"owner\": \"desk-1\"}";
    tc_assert_ok(tc_accounts_portfolio_create(&f->acc, &p, &err), &err);

    tc_assert_ok(tc_accounts_portfolio_get(&f->acc, "main", &got, &err), &err);
    assert_string_equal(got.portfolio_id, "main");
    assert_string_equal(got.name, "Portfolio main");
    assert_string_equal(got.description, "the main book; quotes ' and \" kept");
    assert_string_equal(got.base_currency, "USD");
    assert_int_equal(got.initial_capital.raw, INT64_C(1234567890112345678));
    tc_dec_format(got.initial_capital, buf, sizeof(buf));
    assert_string_equal(buf, "12345678901.12345678");
    tc_test_assert_json_eq(got.metadata, "{\"owner\": \"desk-1\"}");
    assert_int_equal(got.created_at_us, T0);
    assert_int_equal(got.updated_at_us, T0);
    assert_int_equal(got.deleted_at_us, 0);
    assert_string_equal(got.created_by, "tester");
    tc_portfolio_def_release(&got);
    assert_null(got.description);

    /* smallest unit and zero survive too */
    fill_portfolio(&p, "tiny", "0.00000001");
    tc_assert_ok(tc_accounts_portfolio_create(&f->acc, &p, &err), &err);
    fill_portfolio(&p, "zero", "0");
    tc_assert_ok(tc_accounts_portfolio_create(&f->acc, &p, &err), &err);
    tc_assert_ok(tc_accounts_portfolio_get(&f->acc, "tiny", &got, &err), &err);
    assert_int_equal(got.initial_capital.raw, 1);
    assert_null(got.description);
    tc_portfolio_def_release(&got);

    /* update */
    f->clock.now_us = T0 + 42;
    f->acc.actor = NULL;
    fill_portfolio(&p, "main", "1000000");
    snprintf(p.base_currency, sizeof(p.base_currency), "EUR");
    tc_assert_ok(tc_accounts_portfolio_update(&f->acc, &p, &err), &err);
    tc_assert_ok(tc_accounts_portfolio_get(&f->acc, "main", &got, &err), &err);
    assert_string_equal(got.base_currency, "EUR");
    assert_int_equal(got.initial_capital.raw, INT64_C(1000000) * TC_DEC_ONE);
    assert_null(got.description);
    tc_test_assert_json_eq(got.metadata, "{}");
    assert_int_equal(got.created_at_us, T0);
    assert_int_equal(got.updated_at_us, T0 + 42);
    assert_string_equal(got.created_by, "tester");
    assert_string_equal(got.updated_by, TC_ACCOUNTS_ACTOR_DEFAULT);
    tc_portfolio_def_release(&got);

    tc_assert_ok(tc_accounts_portfolio_list(&f->acc, &l, &err), &err);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0].portfolio_id, "main");
    assert_string_equal(l.items[1].portfolio_id, "tiny");
    assert_string_equal(l.items[2].portfolio_id, "zero");
    tc_portfolio_list_release(&l);

    /* soft delete */
    tc_assert_ok(tc_accounts_portfolio_remove(&f->acc, "tiny", &err), &err);
    assert_int_equal(tc_accounts_portfolio_get(&f->acc, "tiny", &got, &err), TC_ENOTFOUND);
    assert_string_equal(err.msg, "portfolio \"tiny\" not found");
    assert_int_equal(count_portfolios(f), 2);
    assert_int_equal(tc_accounts_portfolio_remove(&f->acc, "tiny", &err), TC_ENOTFOUND);
    fill_portfolio(&p, "tiny", "5");
    assert_int_equal(tc_accounts_portfolio_update(&f->acc, &p, &err), TC_ENOTFOUND);
    assert_int_equal(tc_accounts_portfolio_create(&f->acc, &p, &err), TC_ECONFLICT);
    assert_string_equal(err.msg, "portfolio \"tiny\" already exists");
}

static void test_portfolio_duplicate(void **state)
{
    struct fx *f = *state;
    struct tc_portfolio_def p, got;
    struct tc_error err = {0};

    fill_portfolio(&p, "p1", "100");
    tc_assert_ok(tc_accounts_portfolio_create(&f->acc, &p, &err), &err);
    f->clock.now_us = T0 + 1;
    fill_portfolio(&p, "p1", "999");
    snprintf(p.name, sizeof(p.name), "other");
    assert_int_equal(tc_accounts_portfolio_create(&f->acc, &p, &err), TC_ECONFLICT);
    assert_string_equal(err.msg, "portfolio \"p1\" already exists");
    tc_assert_ok(tc_accounts_portfolio_get(&f->acc, "p1", &got, &err), &err);
    assert_string_equal(got.name, "Portfolio p1");
    assert_int_equal(got.initial_capital.raw, 100 * TC_DEC_ONE);
    assert_int_equal(got.updated_at_us, T0);
    tc_portfolio_def_release(&got);
    assert_int_equal(count_portfolios(f), 1);
}

static void test_portfolio_validation(void **state)
{
    struct fx *f = *state;
    struct tc_error err = {0};
    struct {
        const char *label, *id, *ccy, *capital, *name, *metadata;
        const char *words[2];
    } cases[] = {
        {"empty id", "", "USD", "1", "n", NULL, {"portfolio id", "empty"}},
        {"bad id", "a b", "USD", "1", "n", NULL, {"portfolio id \"a b\"", "not allowed"}},
        {"usd", "p", "usd", "1", "n", NULL, {"base_currency \"usd\"", "three capital"}},
        {"US", "p", "US", "1", "n", NULL, {"base_currency \"US\"", "three capital"}},
        {"empty ccy", "p", "", "1", "n", NULL, {"base_currency", "empty"}},
        {"negative capital", "p", "USD", "-0.00000001", "n", NULL,
         {"initial_capital -0.00000001", "negative"}},
        {"empty name", "p", "USD", "1", "", NULL, {"portfolio \"p\": name", "empty"}},
        {"invalid json", "p", "USD", "1", "n", "{oops", {"metadata", "not valid JSON"}},
        {"json string", "p", "USD", "1", "n", "\"x\"", {"metadata", "not a JSON object"}},
    };

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct tc_portfolio_def p;
        int rc;
        fill_portfolio(&p, cases[k].id, cases[k].capital);
        snprintf(p.base_currency, sizeof(p.base_currency), "%s", cases[k].ccy);
        snprintf(p.name, sizeof(p.name), "%s", cases[k].name);
        p.metadata = (char *)cases[k].metadata;
        tc_error_clear(&err);
        rc = tc_accounts_portfolio_create(&f->acc, &p, &err);
        tc_test_assert_error_words(cases[k].label, rc, TC_EINVAL, &err, cases[k].words, 2);
        assert_int_equal(tc_accounts_portfolio_update(&f->acc, &p, &err), TC_EINVAL);
    }
    {
        /* "USDX" does not fit the 4-byte field with its NUL: caught as such */
        struct tc_portfolio_def p;
        fill_portfolio(&p, "p", "1");
        memcpy(p.base_currency, "USDX", 4);
        assert_int_equal(tc_accounts_portfolio_create(&f->acc, &p, &err), TC_EINVAL);
        assert_non_null(strstr(err.msg, "base_currency"));
    }
    {
        /* a huge description is refused, not truncated */
        struct tc_portfolio_def p;
        char *huge = malloc(5000);
        assert_non_null(huge);
        memset(huge, 'd', 4999);
        huge[4999] = '\0';
        fill_portfolio(&p, "p", "1");
        p.description = huge;
        assert_int_equal(tc_accounts_portfolio_create(&f->acc, &p, &err), TC_EINVAL);
        assert_non_null(strstr(err.msg, "portfolio \"p\": description is 4999 bytes long"));
        free(huge);
    }
    assert_int_equal(count_portfolios(f), 0);
}

static void test_strategy_crud(void **state)
{
    struct fx *f = *state;
    struct tc_strategy_def s, got;
    struct tc_strategy_list l;
    struct tc_error err = {0};

    fill_strategy(&s, "sma-cross", 1);
    s.params = (char *)"{\"fast\": 10, \"slow\": 30, \"stop\": \"0.05\"}";
    s.description = (char *)"moving-average crossover";
    tc_assert_ok(tc_accounts_strategy_create(&f->acc, &s, &err), &err);
    fill_strategy(&s, "breakout", 0);
    tc_assert_ok(tc_accounts_strategy_create(&f->acc, &s, &err), &err);
    fill_strategy(&s, "momentum", 1);
    tc_assert_ok(tc_accounts_strategy_create(&f->acc, &s, &err), &err);

    tc_assert_ok(tc_accounts_strategy_get(&f->acc, "sma-cross", &got, &err), &err);
    assert_string_equal(got.name, "Strategy sma-cross");
    assert_string_equal(got.description, "moving-average crossover");
    assert_int_equal(got.enabled, 1);
    tc_test_assert_json_eq(got.params, "{\"fast\": 10, \"slow\": 30, \"stop\": \"0.05\"}");
    tc_test_assert_json_eq(got.metadata, "{}");
    assert_int_equal(got.created_at_us, T0);
    tc_strategy_def_release(&got);
    tc_assert_ok(tc_accounts_strategy_get(&f->acc, "breakout", &got, &err), &err);
    assert_int_equal(got.enabled, 0);
    tc_test_assert_json_eq(got.params, "{}");
    tc_strategy_def_release(&got);

    tc_assert_ok(tc_accounts_strategy_list_enabled(&f->acc, &l, &err), &err);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].strategy_id, "momentum");
    assert_string_equal(l.items[1].strategy_id, "sma-cross");
    tc_strategy_list_release(&l);

    /* enable one, disable another */
    f->clock.now_us = T0 + 9;
    fill_strategy(&s, "breakout", 1);
    s.params = (char *)"{\"window\": 20}";
    tc_assert_ok(tc_accounts_strategy_update(&f->acc, &s, &err), &err);
    fill_strategy(&s, "momentum", 0);
    tc_assert_ok(tc_accounts_strategy_update(&f->acc, &s, &err), &err);
    tc_assert_ok(tc_accounts_strategy_list_enabled(&f->acc, &l, &err), &err);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].strategy_id, "breakout");
    tc_test_assert_json_eq(l.items[0].params, "{\"window\": 20}");
    assert_int_equal(l.items[0].updated_at_us, T0 + 9);
    assert_string_equal(l.items[1].strategy_id, "sma-cross");
    tc_strategy_list_release(&l);

    /* soft delete */
    tc_assert_ok(tc_accounts_strategy_remove(&f->acc, "sma-cross", &err), &err);
    assert_int_equal(tc_accounts_strategy_get(&f->acc, "sma-cross", &got, &err), TC_ENOTFOUND);
    assert_string_equal(err.msg, "strategy \"sma-cross\" not found");
    tc_assert_ok(tc_accounts_strategy_list_enabled(&f->acc, &l, &err), &err);
    assert_int_equal(l.n, 1);
    tc_strategy_list_release(&l);
    assert_int_equal(count_strategies(f), 2);
    assert_int_equal(tc_accounts_strategy_remove(&f->acc, "sma-cross", &err), TC_ENOTFOUND);
}

static void test_strategy_duplicate_and_validation(void **state)
{
    struct fx *f = *state;
    struct tc_strategy_def s, got;
    struct tc_error err = {0};
    struct {
        const char *label, *id, *name, *params, *metadata;
        int enabled;
        const char *words[2];
    } cases[] = {
        {"empty id", "", "n", NULL, NULL, 1, {"strategy id", "empty"}},
        {"empty name", "s2", "", NULL, NULL, 1, {"strategy \"s2\": name", "empty"}},
        {"params not json", "s2", "n", "{a:1}", NULL, 1, {"params", "not valid JSON"}},
        {"params array", "s2", "n", "[]", NULL, 1, {"params", "not a JSON object"}},
        {"params NaN", "s2", "n", "{\"x\": NaN}", NULL, 1, {"params", "not valid JSON"}},
        {"metadata", "s2", "n", NULL, "1", 1, {"metadata", "not a JSON object"}},
        {"enabled 2", "s2", "n", NULL, NULL, 2, {"enabled 2", "not 0 or 1"}},
    };

    fill_strategy(&s, "s1", 1);
    tc_assert_ok(tc_accounts_strategy_create(&f->acc, &s, &err), &err);
    fill_strategy(&s, "s1", 0);
    assert_int_equal(tc_accounts_strategy_create(&f->acc, &s, &err), TC_ECONFLICT);
    assert_string_equal(err.msg, "strategy \"s1\" already exists");
    tc_assert_ok(tc_accounts_strategy_get(&f->acc, "s1", &got, &err), &err);
    assert_int_equal(got.enabled, 1);
    tc_strategy_def_release(&got);

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        int rc;
        fill_strategy(&s, cases[k].id, cases[k].enabled);
        snprintf(s.name, sizeof(s.name), "%s", cases[k].name);
        s.params = (char *)cases[k].params;
        s.metadata = (char *)cases[k].metadata;
        tc_error_clear(&err);
        rc = tc_accounts_strategy_create(&f->acc, &s, &err);
        tc_test_assert_error_words(cases[k].label, rc, TC_EINVAL, &err, cases[k].words, 2);
    }
    assert_int_equal(count_strategies(f), 1);
    assert_int_equal(tc_accounts_strategy_get(&f->acc, "", &got, &err), TC_EINVAL);
    assert_int_equal(tc_accounts_strategy_get(&f->acc, "nope", &got, &err), TC_ENOTFOUND);
}

static int count_cb(const struct tc_row *row, void *ud)
{
    return tc_row_int(row, 0, ud);
}

static void test_down_migration(void **state)
{
    struct fx *f = *state;
    struct tc_error err = {0};
    struct tc_portfolio_def p;
    int64_t n = -1;
    const char *sql = f->pg ? "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON "
                              "s.oid = c.relnamespace WHERE s.nspname = 'public'"
                            : "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'";

    fill_portfolio(&p, "p", "1");
    tc_assert_ok(tc_accounts_portfolio_create(&f->acc, &p, &err), &err);
    assert_int_equal(tc_test_apply_migration(f->store, mig_path(f, 0)), 0);
    tc_assert_ok(tc_store_exec(f->store, sql, NULL, 0, count_cb, &n, NULL, &err), &err);
    assert_int_equal(n, 0);
    assert_int_equal(tc_test_apply_migration(f->store, mig_path(f, 1)), 0);
    tc_assert_ok(tc_accounts_portfolio_create(&f->acc, &p, &err), &err);
}

#define TESTS(setup_fn)                                                                  \
    {                                                                                    \
        cmocka_unit_test_setup_teardown(test_portfolio_crud, setup_fn, teardown),        \
        cmocka_unit_test_setup_teardown(test_portfolio_duplicate, setup_fn, teardown),   \
        cmocka_unit_test_setup_teardown(test_portfolio_validation, setup_fn, teardown),  \
        cmocka_unit_test_setup_teardown(test_strategy_crud, setup_fn, teardown),         \
        cmocka_unit_test_setup_teardown(test_strategy_duplicate_and_validation, setup_fn, \
                                        teardown),                                       \
        cmocka_unit_test_setup_teardown(test_down_migration, setup_fn, teardown),        \
    }

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = TESTS(setup_sqlite);
    const struct CMUnitTest pg_tests[] = TESTS(setup_pg);
    int failed = 0;

    failed += cmocka_run_group_tests_name("accounts sqlite", sqlite_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("accounts postgres", pg_tests, NULL, NULL);
    tc_test_pg_drop_all();
    return failed ? 1 : 0;
}
