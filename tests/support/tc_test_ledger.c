/* A migrated, seeded ledger store for tests (see tc_test_ledger.h). */
#include <stdlib.h>
#include <stdio.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"

int tc_test_ledger_store(const char *name, int pg, char *url, size_t cap,
                         struct tc_store **out)
{
    struct tc_error err = {0};
    struct tc_store *st = NULL;
    char dir[512];
    struct tc_market m = {0};
    struct tc_instrument in;
    struct tc_portfolio_def p = {0};
    struct tc_strategy_def s = {0};
    struct tc_refdata rd;
    struct tc_accounts acc;

    if (pg) {
        if (tc_test_pg_create_db(name, url, cap) != 0)
            goto fail;
    } else {
        if (tc_test_tmpdir(name, dir, sizeof(dir)) != 0)
            goto fail;
        snprintf(url, cap, "sqlite:%s/both.db", dir);
    }
    if (tc_store_open(url, NULL, &st, &err) != 0 ||
        tc_migrate_latest(st, "runtime", &err) != 0 ||
        tc_migrate_latest(st, "historical", &err) != 0)
        goto fail;
    rd = (struct tc_refdata){st, NULL, "tester"};
    acc = (struct tc_accounts){st, NULL, "tester"};
    snprintf(m.market_id, sizeof(m.market_id), "XNYS");
    snprintf(m.name, sizeof(m.name), "NYSE");
    snprintf(m.timezone, sizeof(m.timezone), "America/New_York");
    tc_instrument_init(&in);
    snprintf(in.instrument_id, sizeof(in.instrument_id), "ORCL");
    snprintf(in.market_id, sizeof(in.market_id), "XNYS");
    snprintf(in.symbol, sizeof(in.symbol), "ORCL");
    snprintf(in.currency, sizeof(in.currency), "USD");
    in.asset_class = TC_ASSET_EQUITY;
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "p1");
    snprintf(p.name, sizeof(p.name), "main");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    tc_dec_parse("100000", (size_t)-1, &p.initial_capital, NULL);
    snprintf(s.strategy_id, sizeof(s.strategy_id), "s1");
    snprintf(s.name, sizeof(s.name), "trend");
    s.enabled = 1;
    if (tc_refdata_market_create(&rd, &m, &err) != 0 ||
        tc_refdata_instrument_create(&rd, &in, &err) != 0 ||
        tc_accounts_portfolio_create(&acc, &p, &err) != 0 ||
        tc_accounts_strategy_create(&acc, &s, &err) != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    fprintf(stderr, "ledger store \"%s\": %s\n", name, tc_error_msg(&err));
    tc_store_close(st);
    return -1;
}

int tc_test_ledger_fx_setup(void **state, const char *name, int pg)
{
    struct tc_test_ledger_fx *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    f->pg = pg;
    if (tc_test_ledger_store(name, pg, f->url, sizeof(f->url), &f->rt) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int tc_test_ledger_fx_teardown(void **state)
{
    struct tc_test_ledger_fx *f = *state;
    tc_store_close(f->rt);
    free(f);
    return 0;
}
