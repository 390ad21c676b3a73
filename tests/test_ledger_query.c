/* Ledger queries on sqlite files and PostgreSQL: positions by instrument,
 * exposure and P&L by instrument to the last decimal, trades by exit date,
 * orders by status, the signal log by time, the portfolio state, and
 * batched pruning that keeps signals whose orders still work; every bad
 * argument refused with its message and nothing changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/broker.h"
#include "tradecore/ledger.h"
#include "tradecore/ledger_query.h"
#include "tradecore/log.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */
#define HOUR INT64_C(3600000000)
#define TS "2025-11-21T22:50:00Z"

struct fx {
    struct tc_store *rt, *hist;
    struct tc_manual_clock clock;
    struct tc_broker *broker;
    struct tc_ledger *l;       /* with the instant broker */
    struct tc_ledger *idle;    /* without a broker: intents stay NEW */
};

static int setup(void **state, int pg)
{
    char rt_url[1024], hist_url[1024];
    struct tc_error err = {0};
    struct fx *f = calloc(1, sizeof(*f));
    struct tc_refdata rd;
    struct tc_accounts acc;
    struct tc_broker_instant_options io;
    struct tc_ledger_options o;

    if (!f)
        return -1;
    if (tc_test_ledger_stores("ledger_query", pg, rt_url, hist_url, sizeof(rt_url), &f->rt,
                              &f->hist) != 0)
        return -1;
    tc_manual_clock_init(&f->clock, T0);
    rd = (struct tc_refdata){f->hist, &f->clock.clock, "tester"};
    acc = (struct tc_accounts){f->rt, &f->clock.clock, "tester"};
    if (tc_test_seed_market(&rd, "NYSE", &err) != 0 ||
        tc_test_seed_instrument(&rd, "ES", TC_ASSET_FUTURE, "2", &err) != 0 ||
        tc_test_seed_instrument(&rd, "C1", TC_ASSET_FUTURE, "1", &err) != 0 ||
        tc_test_seed_instrument(&rd, "C2", TC_ASSET_FUTURE, "1", &err) != 0)
        goto fail;
    if (tc_test_seed_portfolio(&acc, "p1", &err) != 0 ||
        tc_test_seed_portfolio(&acc, "p2", &err) != 0 ||
        tc_test_seed_strategy(&acc, "s1", 1, "{\"max_pyramids\":2,\"pyramid_distance\":\"2\"}",
                              &err) != 0)
        goto fail;
    tc_broker_instant_options_default(&io);
    tc_dec_parse("0.001", (size_t)-1, &io.commission_rate, NULL);
    io.clock = &f->clock.clock;
    if (tc_broker_instant_new(&io, &f->broker, &err) != 0)
        goto fail;
    tc_ledger_options_default(&o);
    o.runtime = f->rt;
    o.historical = f->hist;
    o.clock = &f->clock.clock;
    o.broker = f->broker;
    if (tc_ledger_open(&o, &f->l, &err) != 0)
        goto fail;
    o.broker = NULL;
    o.no_recovery = 1;
    if (tc_ledger_open(&o, &f->idle, &err) != 0)
        goto fail;
    *state = f;
    return 0;
fail:
    fprintf(stderr, "setup: %s\n", tc_error_msg(&err));
    return -1;
}

static int setup_sqlite(void **state) { return setup(state, 0); }
static int setup_pg(void **state) { return setup(state, 1); }

static int teardown(void **state)
{
    struct fx *f = *state;
    tc_ledger_close(f->idle);
    tc_ledger_close(f->l);
    tc_broker_free(f->broker);
    tc_store_close(f->hist);
    tc_store_close(f->rt);
    free(f);
    return 0;
}

static const char *F(struct tc_dec d)
{
    static char buf[8][TC_DEC_STRLEN];
    static int i;
    i = (i + 1) % 8;
    tc_dec_format(d, buf[i], sizeof(buf[i]));
    return buf[i];
}

static void accept(struct tc_ledger *l, const char *json)
{
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    tc_assert_ok(tc_ledger_submit_signal(l, json, (size_t)-1, &o, &err), &err);
    if (o.status != TC_SIGNAL_ACCEPTED || o.duplicate)
        fail_msg("signal %s: %s", json, o.reason);
}

#define SIG(inst, side, id, extra)                                                             \
    "{\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"" inst "\",\"side\":\"" side    \
    "\",\"timestamp\":\"" TS "\",\"signal_id\":\"" id "\"," extra "}"

/* Five signals: ES base + pyramid (then exited an hour later), C1 short,
 * and C2 through the broker-less ledger (its order stays NEW). */
static void scenario(struct fx *f)
{
    accept(f->l, SIG("ES", "LONG", "q1",
                     "\"type\":\"BASE_ENTRY\",\"price\":\"100.5\",\"stop\":\"90\",\"quantity\":\"3\""));
    accept(f->l, SIG("ES", "LONG", "q2", "\"type\":\"PYRAMID\",\"price\":\"103.25\",\"quantity\":\"2\""));
    accept(f->l, SIG("C1", "SHORT", "q3",
                     "\"type\":\"BASE_ENTRY\",\"price\":\"10.125\",\"stop\":\"11\",\"quantity\":\"7\""));
}

/* One instrument's exposure row, every field. */
static void expect_exposure(const struct tc_exposure *e, const char *id, const char *gross,
                            const char *net, const char *net_quantity, size_t positions)
{
    assert_string_equal(e->instrument_id, id);
    assert_string_equal(F(e->gross), gross);
    assert_string_equal(F(e->net), net);
    assert_string_equal(F(e->net_quantity), net_quantity);
    assert_int_equal(e->positions, positions);
}

/* One instrument's P&L row: realized, commission, net and trades. */
static void expect_pnl(const struct tc_pnl *p, const char *id, const char *realized,
                       const char *commission, const char *net, size_t trades)
{
    assert_string_equal(p->instrument_id, id);
    assert_string_equal(F(p->realized), realized);
    assert_string_equal(F(p->commission), commission);
    assert_string_equal(F(p->net), net);
    assert_int_equal(p->trades, trades);
}

static void test_positions_exposure_pnl(void **state)
{
    struct fx *f = *state;
    struct tc_error err = {0};
    struct tc_position_list pl;
    struct tc_exposure_list el;
    struct tc_pnl_list nl;

    scenario(f);
    tc_assert_ok(tc_ledger_query_positions(f->rt, "p1", "ES", 1, &pl, &err), &err);
    assert_int_equal(pl.n, 2);
    assert_int_equal(pl.items[0].layer, 0);
    assert_string_equal(F(pl.items[0].quantity), "3");
    assert_string_equal(F(pl.items[0].entry_price), "100.5");
    assert_int_equal(pl.items[1].layer, 1);
    assert_string_equal(F(pl.items[1].entry_price), "103.25");
    tc_position_list_release(&pl);
    assert_null(pl.items);
    tc_assert_ok(tc_ledger_query_positions(f->rt, NULL, NULL, 1, &pl, &err), &err);
    assert_int_equal(pl.n, 3);
    assert_string_equal(pl.items[0].instrument_id, "C1");
    assert_int_equal(pl.items[0].side, TC_SIDE_SHORT);
    tc_position_list_release(&pl);
    tc_assert_ok(tc_ledger_query_positions(f->rt, "p2", NULL, 0, &pl, &err), &err);
    assert_int_equal(pl.n, 0);
    assert_null(pl.items);

    /* 3×100.5×2 + 2×103.25×2 = 1016; C1 short 7×10.125 = 70.875 */
    tc_assert_ok(tc_ledger_query_exposure(f->rt, "p1", &el, &err), &err);
    assert_int_equal(el.n, 2);
    expect_exposure(&el.items[0], "C1", "70.875", "-70.875", "-7", 1);
    expect_exposure(&el.items[1], "ES", "1016", "1016", "5", 2);
    tc_exposure_list_release(&el);

    /* the exit an hour later: (110−100.5)×3×2 + (110−103.25)×2×2 = 57 + 27 */
    f->clock.now_us = T0 + HOUR;
    accept(f->l, SIG("ES", "LONG", "q4", "\"type\":\"EXIT\",\"price\":\"110\""));
    tc_assert_ok(tc_ledger_query_exposure(f->rt, NULL, &el, &err), &err);
    assert_int_equal(el.n, 1);
    assert_string_equal(el.items[0].instrument_id, "C1");
    tc_exposure_list_release(&el);
    tc_assert_ok(tc_ledger_query_pnl(f->rt, "p1", &nl, &err), &err);
    assert_int_equal(nl.n, 2);
    expect_pnl(&nl.items[0], "C1", "0", "0.070875", "-0.070875", 0);
    /* commission: 0.603 + 0.413 entries, 0.66 + 0.44 exits */
    expect_pnl(&nl.items[1], "ES", "84", "2.116", "81.884", 2);
    assert_int_equal(nl.items[1].positions, 2);
    tc_pnl_list_release(&nl);

    /* the sums agree with the portfolio state */
    {
        struct tc_portfolio_state st;
        int found = 0;
        tc_assert_ok(tc_ledger_query_state(f->rt, "p1", &st, &found, &err), &err);
        assert_true(found);
        assert_string_equal(F(st.realized_pnl), "84");
        assert_string_equal(F(st.commission_paid), "2.186875");
        assert_string_equal(F(st.cash), "100081.813125");
        tc_assert_ok(tc_ledger_query_state(f->rt, "p2", &st, &found, &err), &err);
        assert_false(found);
        assert_true(tc_dec_is_zero(st.cash));
    }
}

static void test_trades_orders_signals(void **state)
{
    struct fx *f = *state;
    struct tc_error err = {0};
    struct tc_trade_list tl;
    struct tc_order_list ol;
    struct tc_signal_entry_list sl;

    scenario(f);
    f->clock.now_us = T0 + HOUR;
    accept(f->l, SIG("ES", "LONG", "q4", "\"type\":\"EXIT\",\"price\":\"110\""));
    accept(f->idle, SIG("C2", "LONG", "q5",
                        "\"type\":\"BASE_ENTRY\",\"price\":\"50\",\"stop\":\"45\",\"quantity\":\"1\""));

    tc_assert_ok(tc_ledger_query_trades(f->rt, "p1", T0, T0 + HOUR, &tl, &err), &err);
    assert_int_equal(tl.n, 0);
    tc_assert_ok(tc_ledger_query_trades(f->rt, "p1", T0 + HOUR, T0 + HOUR + 1, &tl, &err), &err);
    assert_int_equal(tl.n, 2);
    for (size_t k = 0; k < tl.n; k++) {
        const struct tc_trade *t = &tl.items[k];
        assert_string_equal(t->instrument_id, "ES");
        assert_int_equal(t->exit_time_us, T0 + HOUR);
        assert_string_equal(F(t->exit_price), "110");
        assert_string_equal(F(t->gross_pnl), t->layer == 0 ? "57" : "27");
        assert_string_equal(F(t->commission), t->layer == 0 ? "1.263" : "0.853");
        assert_string_equal(F(t->net_pnl), t->layer == 0 ? "55.737" : "26.147");
        assert_int_equal(t->side, TC_SIDE_LONG);
    }
    tc_trade_list_release(&tl);
    tc_assert_ok(tc_ledger_query_trades(f->rt, NULL, 0, 0, &tl, &err), &err);
    assert_int_equal(tl.n, 2);
    tc_trade_list_release(&tl);
    tc_assert_ok(tc_ledger_query_trades(f->rt, "p2", 0, 0, &tl, &err), &err);
    assert_int_equal(tl.n, 0);

    tc_assert_ok(tc_ledger_query_orders(f->rt, "p1", TC_ORDER_FILLED, &ol, &err), &err);
    assert_int_equal(ol.n, 5);
    for (size_t k = 0; k < ol.n; k++)
        assert_string_equal(F(ol.items[k].filled_quantity), F(ol.items[k].quantity));
    /* created at the same time: ordered by order id, so look the orders up */
    {
        int seen = 0;
        for (size_t k = 0; k < ol.n; k++) {
            const struct tc_order *o = &ol.items[k];
            assert_int_equal(o->closing, strstr(o->client_order_id, ":X") != NULL);
            if (strcmp(o->client_order_id, "id:q1:L0") == 0) {
                assert_string_equal(o->broker_order_id, "instant-id:q1:L0");
                assert_int_equal(o->side, TC_ORDER_BUY);
                assert_string_equal(F(o->quantity), "3");
                seen++;
            } else if (strcmp(o->client_order_id, "id:q4:X1") == 0) {
                assert_int_equal(o->side, TC_ORDER_SELL);
                assert_string_equal(F(o->quantity), "2");
                assert_int_equal(o->created_at_us, T0 + HOUR);
                seen++;
            }
        }
        assert_int_equal(seen, 2);
    }
    tc_order_list_release(&ol);
    tc_assert_ok(tc_ledger_query_orders(f->rt, NULL, TC_ORDER_NEW, &ol, &err), &err);
    assert_int_equal(ol.n, 1);
    assert_string_equal(ol.items[0].instrument_id, "C2");
    assert_string_equal(ol.items[0].signal_fingerprint, "id:q5");
    assert_true(ol.items[0].has_ref_price);
    assert_string_equal(F(ol.items[0].ref_price), "50");
    tc_order_list_release(&ol);
    tc_assert_ok(tc_ledger_query_orders(f->rt, NULL, 0, &ol, &err), &err);
    assert_int_equal(ol.n, 6);
    tc_order_list_release(&ol);

    tc_assert_ok(tc_ledger_query_signals(f->rt, NULL, 0, 0, &sl, &err), &err);
    assert_int_equal(sl.n, 5);
    tc_signal_entry_list_release(&sl);
    tc_assert_ok(tc_ledger_query_signals(f->rt, "p1", T0 + HOUR, 0, &sl, &err), &err);
    assert_int_equal(sl.n, 2);
    assert_int_equal(sl.items[0].received_at_us, T0 + HOUR);
    assert_int_equal(sl.items[0].status, TC_SIGNAL_ACCEPTED);
    tc_signal_entry_list_release(&sl);
    tc_assert_ok(tc_ledger_query_signals(f->rt, NULL, 0, T0 + HOUR, &sl, &err), &err);
    assert_int_equal(sl.n, 3);
    assert_string_equal(sl.items[0].signal_type, "BASE_ENTRY");
    assert_string_equal(sl.items[0].mode, "PAPER");
    tc_signal_entry_list_release(&sl);

    /* prune in batches of 2: every signal but the one whose order is NEW */
    {
        int64_t deleted = -1;
        tc_assert_ok(tc_ledger_prune_signals(f->rt, T0 + 2 * HOUR, 2, &deleted, &err), &err);
        assert_int_equal(deleted, 4);
        tc_assert_ok(tc_ledger_query_signals(f->rt, NULL, 0, 0, &sl, &err), &err);
        assert_int_equal(sl.n, 1);
        assert_string_equal(sl.items[0].fingerprint, "id:q5");
        tc_signal_entry_list_release(&sl);
        tc_assert_ok(tc_ledger_prune_signals(f->rt, T0 + 2 * HOUR, 1000, &deleted, &err), &err);
        assert_int_equal(deleted, 0);
        /* orders and trades keep their fingerprints */
        tc_assert_ok(tc_ledger_query_orders(f->rt, NULL, 0, &ol, &err), &err);
        assert_int_equal(ol.n, 6);
        for (size_t k = 0; k < ol.n; k++)
            assert_int_equal(strncmp(ol.items[k].signal_fingerprint, "id:q", 4), 0);
        tc_order_list_release(&ol);
    }
}

static void test_prune_cutoff(void **state)
{
    struct fx *f = *state;
    struct tc_error err = {0};
    struct tc_signal_entry_list sl;
    int64_t deleted = -1;

    scenario(f);
    f->clock.now_us = T0 + HOUR;
    accept(f->l, SIG("ES", "LONG", "q4", "\"type\":\"EXIT\",\"price\":\"110\""));
    /* received exactly at the cut-off: kept (strictly older only) */
    tc_assert_ok(tc_ledger_prune_signals(f->rt, T0, 1, &deleted, &err), &err);
    assert_int_equal(deleted, 0);
    tc_assert_ok(tc_ledger_prune_signals(f->rt, T0 + 1, 1, &deleted, &err), &err);
    assert_int_equal(deleted, 3);
    tc_assert_ok(tc_ledger_query_signals(f->rt, NULL, 0, 0, &sl, &err), &err);
    assert_int_equal(sl.n, 1);
    assert_string_equal(sl.items[0].fingerprint, "id:q4");
    tc_signal_entry_list_release(&sl);
}

static void expect_err(int rc, struct tc_error *err, int code, const char *needle)
{
    if (rc != code)
        fail_msg("returned %s, expected %s (%s)", tc_strerror_name(rc), tc_strerror_name(code),
                 tc_error_msg(err));
    if (!strstr(tc_error_msg(err), needle))
        fail_msg("message \"%s\" lacks \"%s\"", tc_error_msg(err), needle);
}

static void test_bad_arguments(void **state)
{
    struct fx *f = *state;
    struct tc_error err = {0};
    struct tc_position_list pl = {(struct tc_position *)1, 9};
    struct tc_trade_list tl = {(struct tc_trade *)1, 9};
    struct tc_order_list ol = {(struct tc_order *)1, 9};
    struct tc_signal_entry_list sl = {(struct tc_signal_entry *)1, 9};
    struct tc_exposure_list el;
    struct tc_pnl_list nl;
    struct tc_portfolio_state st;
    int64_t deleted = -1;
    int found = 7;

    scenario(f);
    expect_err(tc_ledger_query_positions(f->rt, "bad id", NULL, 0, &pl, &err), &err, TC_EINVAL,
               "portfolio");
    assert_null(pl.items);
    assert_int_equal(pl.n, 0);
    expect_err(tc_ledger_query_positions(f->rt, NULL, "", 0, &pl, &err), &err, TC_EINVAL,
               "instrument");
    expect_err(tc_ledger_query_positions(NULL, NULL, NULL, 0, &pl, &err), &err, TC_EINVAL,
               "store");
    expect_err(tc_ledger_query_exposure(f->rt, "x/y", &el, &err), &err, TC_EINVAL, "portfolio");
    assert_int_equal(el.n, 0);
    expect_err(tc_ledger_query_pnl(f->rt, "x y", &nl, &err), &err, TC_EINVAL, "portfolio");
    assert_int_equal(nl.n, 0);
    expect_err(tc_ledger_query_trades(f->rt, NULL, T0 + 1, T0, &tl, &err), &err, TC_EINVAL,
               "is after end");
    assert_null(tl.items);
    expect_err(tc_ledger_query_trades(f->rt, NULL, -5, 0, &tl, &err), &err, TC_EINVAL,
               "negative");
    expect_err(tc_ledger_query_signals(f->rt, NULL, T0, T0 - 1, &sl, &err), &err, TC_EINVAL,
               "is after end");
    assert_null(sl.items);
    expect_err(tc_ledger_query_orders(f->rt, NULL, (enum tc_order_status)99, &ol, &err), &err,
               TC_EINVAL, "order status 99 is unknown");
    assert_null(ol.items);
    expect_err(tc_ledger_query_state(f->rt, "", &st, &found, &err), &err, TC_EINVAL, "portfolio");
    assert_int_equal(found, 0);

    /* prune: bad arguments delete nothing */
    expect_err(tc_ledger_prune_signals(f->rt, T0 + HOUR, 0, &deleted, &err), &err, TC_EINVAL,
               "batch size 0");
    assert_int_equal(deleted, 0);
    expect_err(tc_ledger_prune_signals(f->rt, T0 + HOUR, 100001, &deleted, &err), &err,
               TC_EINVAL, "batch size 100001");
    expect_err(tc_ledger_prune_signals(f->rt, 0, 10, &deleted, &err), &err, TC_EINVAL,
               "cut-off time 0");
    expect_err(tc_ledger_prune_signals(f->rt, -1, 10, &deleted, &err), &err, TC_EINVAL,
               "cut-off time -1");
    expect_err(tc_ledger_prune_signals(NULL, T0, 10, &deleted, &err), &err, TC_EINVAL, "store");
    tc_assert_ok(tc_ledger_query_signals(f->rt, NULL, 0, 0, &sl, &err), &err);
    assert_int_equal(sl.n, 3);
    tc_signal_entry_list_release(&sl);
    /* releasing an empty list and NULL is fine */
    tc_signal_entry_list_release(&sl);
    tc_signal_entry_list_release(NULL);
    tc_position_list_release(NULL);
    tc_exposure_list_release(NULL);
    tc_pnl_list_release(NULL);
    tc_trade_list_release(NULL);
    tc_order_list_release(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_positions_exposure_pnl, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_trades_orders_signals, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_prune_cutoff, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_positions_exposure_pnl, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_trades_orders_signals, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_prune_cutoff, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup_pg, teardown),
    };
    struct tc_log_config lc = TC_LOG_CONFIG_DEFAULT;
    int rc;

    lc.level = TC_LOG_ERROR;
    tc_log_open(&lc, NULL);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
