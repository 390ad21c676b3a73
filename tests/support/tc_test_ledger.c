/* Ledger test fixtures: stores, seed rows, a two-phase broker (see tc_test_ledger.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/migrate.h"

int tc_test_seed_market(const struct tc_refdata *rd, const char *name, struct tc_error *err)
{
    struct tc_market m = {0};
    snprintf(m.market_id, sizeof(m.market_id), "XNYS");
    snprintf(m.name, sizeof(m.name), "%s", name);
    snprintf(m.timezone, sizeof(m.timezone), "America/New_York");
    return tc_refdata_market_create(rd, &m, err);
}

int tc_test_seed_instrument(const struct tc_refdata *rd, const char *id, enum tc_asset_class cls,
                            const char *multiplier, struct tc_error *err)
{
    struct tc_instrument in;
    tc_instrument_init(&in);
    snprintf(in.instrument_id, sizeof(in.instrument_id), "%s", id);
    snprintf(in.market_id, sizeof(in.market_id), "XNYS");
    in.asset_class = cls;
    snprintf(in.symbol, sizeof(in.symbol), "%s", id);
    snprintf(in.currency, sizeof(in.currency), "USD");
    if (multiplier) {
        int rc = tc_dec_parse(multiplier, (size_t)-1, &in.multiplier, err);
        if (rc != 0)
            return rc;
    }
    return tc_refdata_instrument_create(rd, &in, err);
}

int tc_test_seed_portfolio(const struct tc_accounts *acc, const char *id, struct tc_error *err)
{
    struct tc_portfolio_def p = {0};
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "%s", id);
    snprintf(p.name, sizeof(p.name), "main");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    tc_dec_parse("100000", (size_t)-1, &p.initial_capital, NULL);
    return tc_accounts_portfolio_create(acc, &p, err);
}

int tc_test_seed_strategy(const struct tc_accounts *acc, const char *id, int enabled,
                          const char *params, struct tc_error *err)
{
    struct tc_strategy_def s = {0};
    snprintf(s.strategy_id, sizeof(s.strategy_id), "%s", id);
    snprintf(s.name, sizeof(s.name), "trend");
    s.enabled = enabled;
    s.params = (char *)params;
    return tc_accounts_strategy_create(acc, &s, err);
}

void tc_test_def_instrument(struct tc_instrument *in, const char *id, const char *mult,
                            enum tc_instrument_status status)
{
    tc_instrument_init(in);
    snprintf(in->instrument_id, sizeof(in->instrument_id), "%s", id);
    snprintf(in->market_id, sizeof(in->market_id), "XNYS");
    in->asset_class = TC_ASSET_FUTURE;
    snprintf(in->symbol, sizeof(in->symbol), "%s", id);
    snprintf(in->currency, sizeof(in->currency), "USD");
    in->multiplier = tc_test_dec(mult);
    in->status = status;
}

void tc_test_def_portfolio(struct tc_portfolio_def *p, const char *id, const char *capital)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->portfolio_id, sizeof(p->portfolio_id), "%s", id);
    snprintf(p->name, sizeof(p->name), "%s", id);
    snprintf(p->base_currency, sizeof(p->base_currency), "USD");
    p->initial_capital = tc_test_dec(capital);
}

void tc_test_def_strategy(struct tc_strategy_def *s, const char *id, int enabled,
                          const char *params)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->strategy_id, sizeof(s->strategy_id), "%s", id);
    snprintf(s->name, sizeof(s->name), "%s", id);
    s->enabled = enabled;
    s->params = (char *)params;
}

int tc_test_ledger_add_defs(struct tc_ledger *mem, struct tc_store *rt, struct tc_store *hist,
                            const struct tc_clock *clock, const struct tc_test_defs *d,
                            struct tc_error *err)
{
    struct tc_refdata rd = {hist, clock, "tester"};
    struct tc_accounts acc = {rt, clock, "tester"};
    int rc = 0;

    if (mem) {
        for (size_t k = 0; k < d->n_in && rc == 0; k++)
            rc = tc_ledger_mem_add_instrument(mem, &d->in[k], err);
        for (size_t k = 0; k < d->n_p && rc == 0; k++)
            rc = tc_ledger_mem_add_portfolio(mem, &d->p[k], err);
        for (size_t k = 0; k < d->n_s && rc == 0; k++)
            rc = tc_ledger_mem_add_strategy(mem, &d->s[k], err);
        return rc;
    }
    rc = tc_test_seed_market(&rd, "New York Stock Exchange", err);
    for (size_t k = 0; k < d->n_in && rc == 0; k++)
        rc = tc_refdata_instrument_create(&rd, &d->in[k], err);
    for (size_t k = 0; k < d->n_p && rc == 0; k++)
        rc = tc_accounts_portfolio_create(&acc, &d->p[k], err);
    for (size_t k = 0; k < d->n_s && rc == 0; k++)
        rc = tc_accounts_strategy_create(&acc, &d->s[k], err);
    return rc;
}

int tc_test_ledger_store(const char *name, int pg, char *url, size_t cap,
                         struct tc_store **out)
{
    struct tc_error err = {0};
    struct tc_store *st = NULL;
    char dir[512];
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
    if (tc_test_seed_market(&rd, "NYSE", &err) != 0 ||
        tc_test_seed_instrument(&rd, "ORCL", TC_ASSET_EQUITY, NULL, &err) != 0 ||
        tc_test_seed_portfolio(&acc, "p1", &err) != 0 ||
        tc_test_seed_strategy(&acc, "s1", 1, NULL, &err) != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    fprintf(stderr, "ledger store \"%s\": %s\n", name, tc_error_msg(&err));
    tc_store_close(st);
    return -1;
}

int tc_test_ledger_stores(const char *name, int pg, char *rt_url, char *hist_url, size_t cap,
                          struct tc_store **rt, struct tc_store **hist)
{
    struct tc_error err = {0};
    char dir[512];

    *rt = *hist = NULL;
    if (pg) {
        if (tc_test_pg_create_db(name, rt_url, cap) != 0)
            return -1;
        snprintf(hist_url, cap, "%s", rt_url);
    } else {
        if (tc_test_tmpdir(name, dir, sizeof(dir)) != 0)
            return -1;
        snprintf(rt_url, cap, "sqlite:%s/runtime.db", dir);
        snprintf(hist_url, cap, "sqlite:%s/historical.db", dir);
    }
    if (tc_store_open(rt_url, NULL, rt, &err) != 0 ||
        tc_store_open(hist_url, NULL, hist, &err) != 0 ||
        tc_migrate_latest(*rt, "runtime", &err) != 0 ||
        tc_migrate_latest(*hist, "historical", &err) != 0) {
        fprintf(stderr, "stores \"%s\": %s\n", name, tc_error_msg(&err));
        tc_store_close(*hist);
        tc_store_close(*rt);
        *rt = *hist = NULL;
        return -1;
    }
    return 0;
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

static int tp_fill(const struct tc_fill *fill, void *ud)
{
    return tc_broker_report_fill(ud, fill);
}

static int tp_submit(struct tc_broker *b, const struct tc_order_intent *o,
                     struct tc_broker_ack *ack, struct tc_error *err)
{
    struct tc_test_twophase *t = (struct tc_test_twophase *)b;
    tc_broker_set_fill_handler(t->inner, tp_fill, b);
    return tc_broker_submit(t->inner, o, ack, err);
}

static void tp_free(struct tc_broker *b) { (void)b; }

static const struct tc_broker_ops tp_ops = {.name = "twophase", .submit = tp_submit,
                                            .free = tp_free};

void tc_test_twophase_init(struct tc_test_twophase *tp, struct tc_broker *inner)
{
    memset(tp, 0, sizeof(*tp));
    tp->base.ops = &tp_ops;
    tp->inner = inner;
}

static int fault_at(const char *point, void *ud)
{
    const char *want = *(const char *const *)ud;
    return want && strcmp(point, want) == 0 ? TC_EIO : 0;
}

void tc_test_mem_ledger_open(struct tc_ledger **l, struct tc_manual_clock *clock, int64_t t0,
                             const char *const *fault_point, tc_ledger_id_fn id_fn, void *id_ud,
                             const char *const *insts, size_t n, const char *capital)
{
    struct tc_ledger_options o;
    struct tc_error err = {0};
    struct tc_portfolio_def p;
    struct tc_strategy_def s;

    tc_manual_clock_init(clock, t0);
    tc_ledger_options_default(&o);
    o.in_memory = 1;
    o.clock = &clock->clock;
    o.mode = TC_MODE_BACKTEST;
    o.run_id = "run1";
    o.fault = fault_at;
    o.fault_ud = (void *)(uintptr_t)fault_point;
    o.id_fn = id_fn;
    o.id_ud = id_ud;
    tc_assert_ok(tc_ledger_open(&o, l, &err), &err);
    for (size_t k = 0; k < n; k++) {
        struct tc_instrument in;
        char id[32];
        if (!insts)
            snprintf(id, sizeof(id), "I%03zu", k);
        tc_test_def_instrument(&in, insts ? insts[k] : id, "1", TC_INSTRUMENT_ACTIVE);
        tc_assert_ok(tc_ledger_mem_add_instrument(*l, &in, &err), &err);
    }
    tc_test_def_portfolio(&p, "p1", capital);
    tc_assert_ok(tc_ledger_mem_add_portfolio(*l, &p, &err), &err);
    tc_test_def_strategy(&s, "s1", 1, "{}");
    tc_assert_ok(tc_ledger_mem_add_strategy(*l, &s, &err), &err);
}

int tc_test_entry_json(struct tc_ledger *l, const char *inst, const char *ts, const char *qty,
                       const char *signal_id, struct tc_signal_outcome *o, struct tc_error *err)
{
    char json[512];
    snprintf(json, sizeof(json),
             "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":"
             "\"%s\",\"side\":\"LONG\",\"timestamp\":\"%s\",\"price\":\"100\",\"stop\":"
             "\"95\",\"quantity\":\"%s\",\"signal_id\":\"%s\"}",
             inst, ts, qty, signal_id);
    return tc_ledger_submit_signal(l, json, (size_t)-1, o, err);
}

void tc_test_fill(struct tc_fill *f, const char *exec, const char *coid, const char *suffix,
                  const char *qty, const char *price, int64_t at_us)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->execution_id, sizeof(f->execution_id), "%s", exec);
    snprintf(f->client_order_id, sizeof(f->client_order_id), "%s%s", coid, suffix);
    f->quantity = tc_test_dec(qty);
    f->price = tc_test_dec(price);
    f->commission = tc_test_dec("0");
    f->filled_at_us = at_us;
}
