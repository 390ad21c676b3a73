/* A migrated historical store holding market XNYS (see tc_test_hist.h). */
#include <stdio.h>
#include <stdlib.h>

#include "tc_test.h"
#include "tc_test_hist.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"

int tc_test_hist_store(const char *name, int pg, char *dir, size_t dcap, struct tc_store **out)
{
    struct tc_error err = {0};
    struct tc_store *st = NULL;
    struct tc_refdata rd = {0};
    struct tc_market m = {0};

    if (tc_test_store_open(name, pg, "historical.db", dir, dcap, NULL, 0, &st) != 0)
        return -1;
    if (tc_migrate_latest(st, "historical", &err) != 0) {
        fprintf(stderr, "store \"%s\": migrate: %s\n", name, tc_error_msg(&err));
        goto fail;
    }
    rd.store = st;
    snprintf(m.market_id, sizeof m.market_id, "XNYS");
    snprintf(m.name, sizeof m.name, "New York Stock Exchange");
    snprintf(m.timezone, sizeof m.timezone, "America/New_York");
    if (tc_refdata_market_create(&rd, &m, &err) != 0) {
        fprintf(stderr, "store \"%s\": market: %s\n", name, tc_error_msg(&err));
        goto fail;
    }
    *out = st;
    return 0;
fail:
    tc_store_close(st);
    return -1;
}

int tc_test_hist_fx_setup(void **state, const char *name, int pg)
{
    struct tc_test_hist_fx *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    f->pg = pg;
    if (tc_test_hist_store(name, pg, f->dir, sizeof(f->dir), &f->s) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int tc_test_hist_fx_teardown(void **state)
{
    struct tc_test_hist_fx *f = *state;
    tc_store_close(f->s);
    free(f);
    return 0;
}

int tc_test_hist_add_instrument(struct tc_store *s, const char *id, const char *symbol,
                                const char *market)
{
    struct tc_refdata rd = {0};
    struct tc_instrument ins;
    struct tc_error err = {0};

    rd.store = s;
    tc_instrument_init(&ins);
    snprintf(ins.instrument_id, sizeof ins.instrument_id, "%s", id);
    snprintf(ins.symbol, sizeof ins.symbol, "%s", symbol);
    snprintf(ins.market_id, sizeof ins.market_id, "%s", market);
    snprintf(ins.currency, sizeof ins.currency, "USD");
    ins.asset_class = TC_ASSET_EQUITY;
    if (tc_refdata_instrument_create(&rd, &ins, &err) != 0) {
        fprintf(stderr, "instrument %s: %s\n", id, tc_error_msg(&err));
        return -1;
    }
    return 0;
}

int tc_test_hist_fx_setup_xnys(void **state, const char *name, int pg, const char *const *ids,
                               size_t n)
{
    if (tc_test_hist_fx_setup(state, name, pg) != 0)
        return -1;
    struct tc_test_hist_fx *f = *state;
    for (size_t i = 0; i < n; i++) {
        if (tc_test_hist_add_instrument(f->s, ids[i], ids[i], "XNYS") != 0) {
            tc_test_hist_fx_teardown(state);
            return -1;
        }
    }
    return 0;
}
