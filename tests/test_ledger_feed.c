/* The ledger's change feed (tc_ledger_options.on_change), on the memory
 * backend, a SQLite file and PostgreSQL: after each committed signal, fill
 * and order update, the positions and portfolio state it wrote, equal field
 * by field to what the ledger reads back; nothing for a duplicate, a
 * rejection that wrote nothing, a failed fill, or a transaction rolled back
 * by a fault. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/clock.h"
#include "tradecore/ledger.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/signal.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */

enum backend { MEM, SQLITE, PG };

/* What the feed was given, call by call. */
struct calls {
    int n;                         /* calls */
    size_t npos;                   /* positions of the last call */
    struct tc_position pos[4];     /* the first four of the last call */
    int has_state;
    struct tc_portfolio_state state;
};

struct world {
    enum backend be;
    struct tc_manual_clock clock;
    struct tc_store *rt, *hist;
    struct tc_ledger *l;
    struct calls calls;
    const char *fault_at;          /* the fault hook fails here (NULL: nowhere) */
};

static void on_change(void *ud, const struct tc_position *pos, size_t npos,
                      const struct tc_portfolio_state *st)
{
    struct calls *c = ud;
    c->n++;
    c->npos = npos;
    for (size_t k = 0; k < npos && k < 4; k++)
        c->pos[k] = pos[k];
    c->has_state = st != NULL;
    if (st)
        c->state = *st;
}

static int fault(const char *point, void *ud)
{
    const struct world *w = ud;
    return w->fault_at && strcmp(point, w->fault_at) == 0 ? TC_EIO : 0;
}

static void defs(struct tc_instrument *in, struct tc_portfolio_def *p, struct tc_strategy_def *s)
{
    tc_instrument_init(in);
    snprintf(in->instrument_id, sizeof(in->instrument_id), "ORCL");
    snprintf(in->symbol, sizeof(in->symbol), "ORCL");
    snprintf(in->market_id, sizeof(in->market_id), "XNYS");
    snprintf(in->currency, sizeof(in->currency), "USD");
    in->asset_class = TC_ASSET_EQUITY;
    memset(p, 0, sizeof(*p));
    snprintf(p->portfolio_id, sizeof(p->portfolio_id), "p1");
    snprintf(p->name, sizeof(p->name), "main");
    snprintf(p->base_currency, sizeof(p->base_currency), "USD");
    p->initial_capital = tc_test_dec("100000");
    memset(s, 0, sizeof(*s));
    snprintf(s->strategy_id, sizeof(s->strategy_id), "s1");
    snprintf(s->name, sizeof(s->name), "trend");
    s->enabled = 1;
    s->params = (char *)"{}";
}

static void world_open(struct world *w, enum backend be)
{
    struct tc_ledger_options o;
    struct tc_instrument in;
    struct tc_portfolio_def p;
    struct tc_strategy_def s;
    struct tc_error err = {0};
    char rt_url[512], hist_url[512];

    memset(w, 0, sizeof(*w));
    w->be = be;
    tc_manual_clock_init(&w->clock, T0);
    defs(&in, &p, &s);
    tc_ledger_options_default(&o);
    o.clock = &w->clock.clock;
    o.mode = TC_MODE_BACKTEST;
    o.fault = fault;
    o.fault_ud = w;
    o.on_change = on_change;
    o.change_ud = &w->calls;
    if (be == MEM) {
        o.in_memory = 1;
        tc_assert_ok(tc_ledger_open(&o, &w->l, &err), &err);
        tc_assert_ok(tc_ledger_mem_add_instrument(w->l, &in, &err), &err);
        tc_assert_ok(tc_ledger_mem_add_portfolio(w->l, &p, &err), &err);
        tc_assert_ok(tc_ledger_mem_add_strategy(w->l, &s, &err), &err);
    } else {
        struct tc_refdata rd;
        struct tc_accounts acc;
        assert_int_equal(tc_test_ledger_stores("ledger_feed", be == PG, rt_url, hist_url,
                                               sizeof(rt_url), &w->rt, &w->hist),
                         0);
        rd = (struct tc_refdata){w->hist, &w->clock.clock, "tester"};
        acc = (struct tc_accounts){w->rt, &w->clock.clock, "tester"};
        tc_assert_ok(tc_test_seed_market(&rd, "New York Stock Exchange", &err), &err);
        tc_assert_ok(tc_refdata_instrument_create(&rd, &in, &err), &err);
        tc_assert_ok(tc_accounts_portfolio_create(&acc, &p, &err), &err);
        tc_assert_ok(tc_accounts_strategy_create(&acc, &s, &err), &err);
        o.runtime = w->rt;
        o.historical = w->hist;
        tc_assert_ok(tc_ledger_open(&o, &w->l, &err), &err);
    }
    tc_instrument_release(&in);
}

static void world_close(struct world *w)
{
    tc_ledger_close(w->l);
    tc_store_close(w->rt);
    tc_store_close(w->hist);
}

static int submit(struct world *w, const char *type, const char *id, const char *extra,
                  struct tc_signal_outcome *out)
{
    char body[512];
    struct tc_signal sig;
    struct tc_error err = {0};
    int n = snprintf(body, sizeof(body),
                     "{\"type\":\"%s\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                     "\"instrument\":\"ORCL\",\"side\":\"LONG\",\"signal_id\":\"%s\","
                     "\"timestamp\":\"2025-11-21T22:50:00Z\"%s}",
                     type, id, extra);
    tc_assert_ok(tc_signal_parse(body, (size_t)n, &sig, &err), &err);
    return tc_ledger_submit(w->l, &sig, out, &err);
}

static int fill(struct world *w, const char *coid, const char *exec, const char *qty,
                const char *price)
{
    struct tc_fill f;
    struct tc_error err = {0};
    memset(&f, 0, sizeof(f));
    snprintf(f.client_order_id, sizeof(f.client_order_id), "%s", coid);
    snprintf(f.execution_id, sizeof(f.execution_id), "%s", exec);
    f.quantity = tc_test_dec(qty);
    f.price = tc_test_dec(price);
    f.commission = tc_test_dec("1.5");
    f.filled_at_us = T0;
    return tc_ledger_apply_fill(w->l, &f, NULL, &err);
}

/* The feed's position K equals the ledger's row of it, field by field. */
static void assert_fed_position(struct world *w, size_t k)
{
    struct tc_position p;
    struct tc_error err = {0};
    const struct tc_position *fed = &w->calls.pos[k];
    tc_assert_ok(tc_ledger_position_get(w->l, fed->position_id, &p, &err), &err);
    assert_string_equal(fed->position_id, p.position_id);
    assert_string_equal(fed->instrument_id, p.instrument_id);
    assert_int_equal(fed->status, p.status);
    assert_int_equal(fed->quantity.raw, p.quantity.raw);
    assert_int_equal(fed->closed_quantity.raw, p.closed_quantity.raw);
    assert_int_equal(fed->entry_price.raw, p.entry_price.raw);
    assert_int_equal(fed->exit_price.raw, p.exit_price.raw);
    assert_int_equal(fed->realized_pnl.raw, p.realized_pnl.raw);
    assert_int_equal(fed->commission.raw, p.commission.raw);
    assert_int_equal(fed->version, p.version);
}

static void assert_fed_state(struct world *w)
{
    struct tc_portfolio_state st;
    struct tc_error err = {0};
    assert_true(w->calls.has_state);
    tc_assert_ok(tc_ledger_portfolio_state(w->l, "p1", &st, &err), &err);
    assert_int_equal(w->calls.state.cash.raw, st.cash.raw);
    assert_int_equal(w->calls.state.realized_pnl.raw, st.realized_pnl.raw);
    assert_int_equal(w->calls.state.commission_paid.raw, st.commission_paid.raw);
    assert_int_equal(w->calls.state.version, st.version);
}

static void run_feed(enum backend be)
{
    struct world w;
    struct tc_signal_outcome out;
    struct tc_order_update u;
    struct tc_error err = {0};
    char pos1[TC_ID_BUFSZ];

    world_open(&w, be);
    /* an entry rolled back by a fault after its position was written (the
     * memory backend builds it where the feed keeps it): no call, and the
     * same signal goes in after it with its own image */
    w.fault_at = "signal:before_commit";
    assert_int_equal(submit(&w, "BASE_ENTRY", "e1", ",\"price\":\"10\",\"quantity\":\"100\"", &out),
                     TC_EIO);
    w.fault_at = NULL;
    assert_int_equal(w.calls.n, 0);
    /* an entry: its new position (nothing filled) and the first state */
    assert_int_equal(submit(&w, "BASE_ENTRY", "e1", ",\"price\":\"10\",\"quantity\":\"100\"", &out),
                     0);
    assert_int_equal(out.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(w.calls.n, 1);
    assert_int_equal(w.calls.npos, 1);
    assert_string_equal(w.calls.pos[0].position_id, out.position_id);
    assert_int_equal(w.calls.pos[0].status, TC_POSITION_OPEN);
    assert_true(tc_dec_is_zero(w.calls.pos[0].quantity));
    assert_fed_position(&w, 0);
    assert_fed_state(&w);
    snprintf(pos1, sizeof(pos1), "%s", out.position_id);

    /* the same signal again, and a rejected one: no call */
    assert_int_equal(submit(&w, "BASE_ENTRY", "e1", ",\"price\":\"10\",\"quantity\":\"100\"", &out),
                     0);
    assert_true(out.duplicate);
    assert_int_equal(submit(&w, "BASE_ENTRY", "e2", ",\"price\":\"10\",\"quantity\":\"100\"", &out),
                     0);
    assert_int_equal(out.status, TC_SIGNAL_REJECTED);
    assert_int_equal(w.calls.n, 1);

    /* a fill rolled back by a fault: no call, nothing changed */
    w.fault_at = "fill:before_commit";
    assert_int_equal(fill(&w, "id:e1:L0", "x1", "100", "10.5"), TC_EIO);
    w.fault_at = NULL;
    assert_int_equal(w.calls.n, 1);
    /* an order that does not exist: no call */
    assert_int_equal(fill(&w, "id:nope:L0", "x0", "1", "10"), TC_ENOTFOUND);
    assert_int_equal(w.calls.n, 1);

    /* the entry's fill: the position filled, the commission paid */
    assert_int_equal(fill(&w, "id:e1:L0", "x1", "100", "10.5"), 0);
    assert_int_equal(w.calls.n, 2);
    assert_int_equal(w.calls.npos, 1);
    assert_string_equal(w.calls.pos[0].position_id, pos1);
    assert_int_equal(w.calls.pos[0].quantity.raw, tc_test_dec("100").raw);
    assert_int_equal(w.calls.pos[0].entry_price.raw, tc_test_dec("10.5").raw);
    assert_fed_position(&w, 0);
    assert_fed_state(&w);
    assert_int_equal(w.calls.state.cash.raw, tc_test_dec("99998.5").raw);
    /* the same execution again: a duplicate, no call */
    assert_int_equal(fill(&w, "id:e1:L0", "x1", "100", "10.5"), 0);
    assert_int_equal(w.calls.n, 2);

    /* the exit and its fill: the position closed with its p&l */
    assert_int_equal(submit(&w, "EXIT", "x", ",\"price\":\"12\"", &out), 0);
    assert_int_equal(out.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(w.calls.n, 2); /* an exit signal writes an order, no position */
    assert_int_equal(fill(&w, "id:x:X0", "x2", "100", "12"), 0);
    assert_int_equal(w.calls.n, 3);
    assert_int_equal(w.calls.pos[0].status, TC_POSITION_CLOSED);
    assert_int_equal(w.calls.pos[0].realized_pnl.raw, tc_test_dec("150").raw);
    assert_fed_position(&w, 0);
    assert_fed_state(&w);
    assert_int_equal(w.calls.state.cash.raw, tc_test_dec("100147").raw);

    /* an entry that expires unfilled: the position closed by the update */
    assert_int_equal(submit(&w, "BASE_ENTRY", "e3", ",\"price\":\"11\",\"quantity\":\"5\"", &out),
                     0);
    assert_int_equal(w.calls.n, 4);
    memset(&u, 0, sizeof(u));
    snprintf(u.client_order_id, sizeof(u.client_order_id), "id:e3:L0");
    u.status = TC_ORDER_EXPIRED;
    u.remaining = tc_test_dec("5");
    u.at_us = T0;
    tc_assert_ok(tc_ledger_apply_order_update(w.l, &u, &err), &err);
    assert_int_equal(w.calls.n, 5);
    assert_int_equal(w.calls.npos, 1);
    assert_string_equal(w.calls.pos[0].position_id, out.position_id);
    assert_int_equal(w.calls.pos[0].status, TC_POSITION_CLOSED);
    assert_fed_position(&w, 0);
    world_close(&w);
}

static void test_memory(void **state)
{
    (void)state;
    run_feed(MEM);
}

static void test_sqlite(void **state)
{
    (void)state;
    run_feed(SQLITE);
}

static void test_postgres(void **state)
{
    (void)state;
    run_feed(PG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_sqlite),
        cmocka_unit_test(test_postgres),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
