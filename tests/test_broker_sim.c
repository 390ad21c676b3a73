/* The `sim` broker: intents to simulator orders, fills through the handler
 * once with deterministic execution ids, idempotent submit, cancel, open
 * orders, account, refused fills retried, bad options and intents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/broker_sim.h"

struct rec {
    struct tc_fill fills[32];
    int n;
    int refuse;            /* refuse this many reports with TC_EIO */
    int observed;
    char obs_inst[8][TC_ID_BUFSZ];
    int64_t obs_day[8];
};

static int handler(const struct tc_fill *f, void *ud)
{
    struct rec *r = ud;
    if (r->refuse > 0) {
        r->refuse--;
        return TC_EIO;
    }
    if (r->n < 32)
        r->fills[r->n++] = *f;
    return 0;
}

static void obs(void *ud, const struct tc_broker_sim_fill_event *ev)
{
    struct rec *r = ud;
    if (r->observed < 8) {
        snprintf(r->obs_inst[r->observed], TC_ID_BUFSZ, "%s", ev->intent->instrument_id);
        r->obs_day[r->observed] = ev->day;
    }
    r->observed++;
}

static struct tc_dec D(const char *s)
{
    struct tc_dec d = {0};
    if (tc_dec_parse(s, (size_t)-1, &d, NULL) != 0)
        fail_msg("bad decimal %s", s);
    return d;
}

static void assert_dec(struct tc_dec d, const char *want)
{
    char buf[TC_DEC_STRLEN];
    tc_dec_format(d, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static struct tc_bar bar(int64_t day, const char *o, const char *h, const char *l, const char *c,
                         int64_t vol)
{
    struct tc_bar b;
    memset(&b, 0, sizeof(b));
    b.day = day;
    b.open = D(o);
    b.high = D(h);
    b.low = D(l);
    b.close = D(c);
    b.adj_close = b.close;
    b.volume = vol;
    return b;
}

static struct tc_order_intent intent(const char *coid, const char *inst, enum tc_order_side side,
                                     const char *qty)
{
    struct tc_order_intent o;
    memset(&o, 0, sizeof(o));
    snprintf(o.order_id, sizeof(o.order_id), "ord-%s", coid);
    snprintf(o.client_order_id, sizeof(o.client_order_id), "%s", coid);
    snprintf(o.portfolio_id, sizeof(o.portfolio_id), "p1");
    snprintf(o.strategy_id, sizeof(o.strategy_id), "s1");
    snprintf(o.instrument_id, sizeof(o.instrument_id), "%s", inst);
    o.mode = TC_MODE_BACKTEST;
    o.side = side;
    o.type = TC_ORDER_MARKET;
    o.tif = TC_TIF_DAY;
    o.quantity = D(qty);
    o.multiplier = D("1");
    return o;
}

static struct tc_broker *new_broker(struct rec *r, const char *comm_rate, int fill_close)
{
    struct tc_broker_sim_options o;
    struct tc_broker *b = NULL;
    struct tc_error err = {0};
    tc_broker_sim_options_default(&o);
    snprintf(o.id_prefix, sizeof(o.id_prefix), "run1");
    if (comm_rate) {
        o.sim.commission = TC_SIM_COMM_FRACTION;
        o.sim.comm_rate = D(comm_rate);
    }
    if (fill_close)
        o.sim.fill_at = TC_SIM_FILL_CLOSE;
    tc_assert_ok(tc_broker_sim_new(&o, &b, &err), &err);
    tc_broker_set_fill_handler(b, handler, r);
    tc_broker_sim_set_observer(b, obs, r);
    return b;
}

static int count_open(const struct tc_order_intent *i, void *ud)
{
    (void)i;
    (*(int *)ud)++;
    return 0;
}

/* A market order decided on day 10 fills on the next bar's open, once, with
 * the id "<prefix>.<n>-F1"; feeding the bar again or later bars adds nothing. */
static void test_market_next_open_once(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, "0.001", 0);
    struct tc_order_intent o = intent("sig1:L0", "ORCL", TC_ORDER_BUY, "100");
    struct tc_broker_ack ack;
    struct tc_broker_account acct;
    struct tc_bar b10 = bar(10, "9", "11", "8", "10", 1000);
    struct tc_bar b11 = bar(11, "10.5", "12", "10", "11", 1000);
    struct tc_bar b12 = bar(12, "11", "13", "10", "12", 1000);
    struct tc_error err = {0};

    assert_string_equal(tc_broker_name(b), "sim");
    assert_true(tc_broker_is_sim(b));
    tc_assert_ok(tc_broker_on_bar(b, "ORCL", &b10, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    assert_int_equal(ack.status, TC_ORDER_SUBMITTED);
    assert_string_equal(ack.broker_order_id, "run1.1");
    assert_int_equal(tc_broker_sim_working(b), 1);
    /* the deciding bar again: nothing (the order is decided on its close) */
    tc_assert_ok(tc_broker_on_bar(b, "ORCL", &b10, &err), &err);
    assert_int_equal(r.n, 0);
    tc_assert_ok(tc_broker_on_bar(b, "ORCL", &b11, &err), &err);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.fills[0].execution_id, "run1.1-F1");
    assert_string_equal(r.fills[0].client_order_id, "sig1:L0");
    assert_dec(r.fills[0].price, "10.5");
    assert_dec(r.fills[0].quantity, "100");
    assert_dec(r.fills[0].commission, "1.05");
    assert_int_equal(r.observed, 1);
    assert_string_equal(r.obs_inst[0], "ORCL");
    assert_int_equal(r.obs_day[0], 11);
    tc_assert_ok(tc_broker_on_bar(b, "ORCL", &b11, &err), &err);
    tc_assert_ok(tc_broker_on_bar(b, "ORCL", &b12, &err), &err);
    assert_int_equal(r.n, 1);
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_dec(acct.cash_flow, "-1051.05");
    assert_dec(acct.commission, "1.05");
    assert_int_equal(acct.orders, 1);
    assert_int_equal(acct.fills, 1);
    tc_broker_free(b);
}

/* Submitting a client order id again creates nothing, answers the same
 * acknowledgement and re-reports its fills with the same execution ids; the
 * observer sees each fill once. */
/* 300 orders (the id map grows past its first sizes) then each submitted
 * again: every one is found, with its first acknowledgement, and none is
 * added twice (the next new order is number 301). */
static void test_idempotent_after_growth(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_broker_ack a, again;
    struct tc_broker_account acct;
    struct tc_error err = {0};
    char coid[32], want[TC_BROKER_ID_MAX];

    (void)state;
    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);
    for (int k = 1; k <= 300; k++) {
        snprintf(coid, sizeof(coid), "sig%d:L0", k);
        struct tc_order_intent o = intent(coid, "ORCL", TC_ORDER_BUY, "1");
        tc_assert_ok(tc_broker_submit(b, &o, &a, &err), &err);
        snprintf(want, sizeof(want), "run1.%d", k);
        assert_string_equal(a.broker_order_id, want);
    }
    for (int k = 300; k >= 1; k--) {
        snprintf(coid, sizeof(coid), "sig%d:L0", k);
        struct tc_order_intent o = intent(coid, "ORCL", TC_ORDER_BUY, "1");
        tc_assert_ok(tc_broker_submit(b, &o, &again, &err), &err);
        snprintf(want, sizeof(want), "run1.%d", k);
        assert_string_equal(again.broker_order_id, want);
        assert_int_equal(again.status, TC_ORDER_SUBMITTED);
    }
    {
        struct tc_order_intent o = intent("sig301:L0", "ORCL", TC_ORDER_BUY, "1");
        tc_assert_ok(tc_broker_submit(b, &o, &a, &err), &err);
        assert_string_equal(a.broker_order_id, "run1.301");
    }
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.orders, 301);
    tc_broker_free(b);
}

static void test_idempotent_submit(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent o = intent("sig2:L0", "ORCL", TC_ORDER_BUY, "5");
    struct tc_broker_ack a1, a2, a3;
    struct tc_broker_account acct;
    struct tc_bar b2 = bar(2, "20", "21", "19", "20", 10);
    struct tc_error err = {0};
    int open = 0;

    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o, &a1, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o, &a2, &err), &err);
    assert_string_equal(a1.broker_order_id, a2.broker_order_id);
    assert_int_equal(a2.status, TC_ORDER_SUBMITTED);
    tc_assert_ok(tc_broker_open_orders(b, count_open, &open, &err), &err);
    assert_int_equal(open, 1);
    tc_assert_ok(tc_broker_on_bar(b, "ORCL", &b2, &err), &err);
    assert_int_equal(r.n, 1);
    tc_assert_ok(tc_broker_submit(b, &o, &a3, &err), &err);
    assert_string_equal(a3.broker_order_id, a1.broker_order_id);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.fills[1].execution_id, r.fills[0].execution_id);
    assert_int_equal(r.observed, 1);
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.orders, 1);
    assert_int_equal(acct.fills, 1);
    tc_broker_free(b);
}

/* Orders fill in submission order; a bar of another instrument fills none;
 * limit and stop intents become limit and stop orders; GTC stays working. */
static void test_on_bar_order_and_types(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent o1 = intent("a:L0", "AAA", TC_ORDER_BUY, "1");
    struct tc_order_intent o2 = intent("b:L0", "AAA", TC_ORDER_SELL, "2");
    struct tc_order_intent o3 = intent("c:L0", "AAA", TC_ORDER_BUY, "3");
    struct tc_order_intent o4 = intent("d:L0", "BBB", TC_ORDER_SELL, "4");
    struct tc_order_intent o5 = intent("e:L0", "AAA", TC_ORDER_BUY, "5");
    struct tc_broker_ack ack;
    struct tc_bar a = bar(6, "10", "10.5", "8.5", "9", 100);
    struct tc_bar a2 = bar(7, "9", "9.5", "8", "8.5", 100);
    struct tc_error err = {0};
    int open = 0;

    tc_assert_ok(tc_broker_sim_set_day(b, 5, &err), &err);
    o2.type = TC_ORDER_STOP_MARKET;   /* sell stop at 9: low 8.5 reaches it */
    o2.stop_price = D("9");
    o2.has_stop_price = 1;
    o3.type = TC_ORDER_LIMIT;         /* buy limit at 9.25 */
    o3.limit_price = D("9.25");
    o3.has_limit_price = 1;
    o5.type = TC_ORDER_LIMIT;         /* buy limit at 7: never on these bars */
    o5.limit_price = D("7");
    o5.has_limit_price = 1;
    o5.tif = TC_TIF_GTC;
    tc_assert_ok(tc_broker_submit(b, &o1, &ack, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o2, &ack, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o3, &ack, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o4, &ack, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o5, &ack, &err), &err);
    assert_string_equal(ack.broker_order_id, "run1.5");
    tc_assert_ok(tc_broker_on_bar(b, "AAA", &a, &err), &err);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.fills[0].client_order_id, "a:L0");
    assert_dec(r.fills[0].price, "10");
    assert_string_equal(r.fills[1].client_order_id, "b:L0");
    assert_dec(r.fills[1].price, "9");
    assert_string_equal(r.fills[2].client_order_id, "c:L0");
    assert_dec(r.fills[2].price, "9.25");
    assert_string_equal(r.fills[2].execution_id, "run1.3-F1");
    /* BBB's order and the GTC limit are still working; the DAY ones are done */
    tc_assert_ok(tc_broker_open_orders(b, count_open, &open, &err), &err);
    assert_int_equal(open, 2);
    tc_assert_ok(tc_broker_on_bar(b, "AAA", &a2, &err), &err);
    assert_int_equal(r.n, 3);
    open = 0;
    tc_assert_ok(tc_broker_open_orders(b, count_open, &open, &err), &err);
    assert_int_equal(open, 2);
    tc_broker_free(b);
}

/* fill_at close: an order decided on day 3 fills on day 3's close when the
 * bar is offered again. */
static void test_fill_at_close(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 1);
    struct tc_order_intent o = intent("x:L0", "AAA", TC_ORDER_BUY, "1");
    struct tc_broker_ack ack;
    struct tc_bar b3 = bar(3, "10", "12", "9", "11.5", 100);
    struct tc_error err = {0};

    tc_assert_ok(tc_broker_on_bar(b, "AAA", &b3, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    tc_assert_ok(tc_broker_on_bar(b, "AAA", &b3, &err), &err);
    assert_int_equal(r.n, 1);
    assert_dec(r.fills[0].price, "11.5");
    tc_broker_free(b);
}

/* A fill the handler refuses stays queued: on_bar returns the handler's code,
 * and the next call reports it first, once. */
static void test_refused_fill_retried(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent o = intent("y:L0", "AAA", TC_ORDER_BUY, "1");
    struct tc_broker_ack ack;
    struct tc_bar b2 = bar(2, "10", "12", "9", "11", 100);
    struct tc_bar b3 = bar(3, "11", "12", "9", "11", 100);
    struct tc_error err = {0};

    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    r.refuse = 1;
    assert_int_equal(tc_broker_on_bar(b, "AAA", &b2, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "run1.1-F1"));
    assert_int_equal(r.n, 0);
    assert_int_equal(r.observed, 0);
    assert_int_equal(tc_broker_sim_working(b), 1); /* the queued fill */
    tc_assert_ok(tc_broker_on_bar(b, "AAA", &b3, &err), &err);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.fills[0].execution_id, "run1.1-F1");
    assert_dec(r.fills[0].price, "10");
    assert_int_equal(r.observed, 1);
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_broker_free(b);
}

static void test_cancel(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent o = intent("z:L0", "AAA", TC_ORDER_BUY, "1");
    struct tc_broker_ack ack;
    struct tc_bar b2 = bar(2, "10", "12", "9", "11", 100);
    struct tc_error err = {0};
    int open = 0;

    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    tc_assert_ok(tc_broker_cancel(b, "z:L0", &err), &err);
    assert_int_equal(tc_broker_cancel(b, "z:L0", &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "\"z:L0\" is not working"));
    assert_int_equal(tc_broker_cancel(b, "nope", &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "\"nope\""));
    tc_assert_ok(tc_broker_open_orders(b, count_open, &open, &err), &err);
    assert_int_equal(open, 0);
    tc_assert_ok(tc_broker_on_bar(b, "AAA", &b2, &err), &err);
    assert_int_equal(r.n, 0);
    tc_broker_free(b);
}

/* Intents the simulator refuses are answered REJECTED with its reason, and
 * the answer is remembered; nothing works and nothing fills. */
static void test_rejected_intents(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent o = intent("q:L0", "AAA", TC_ORDER_BUY, "1");
    struct tc_order_intent lim = intent("l:L0", "AAA", TC_ORDER_BUY, "1");
    struct tc_order_intent bad_side = intent("s:L0", "AAA", TC_ORDER_BUY, "1");
    struct tc_broker_ack ack, again;
    struct tc_broker_account acct;
    struct tc_error err = {0};

    o.quantity = D("-3");
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    assert_int_equal(ack.status, TC_ORDER_REJECTED);
    assert_non_null(strstr(ack.reason, "quantity"));
    assert_non_null(strstr(ack.reason, "\"q:L0\""));
    o.quantity = D("1");
    tc_assert_ok(tc_broker_submit(b, &o, &again, &err), &err);
    assert_int_equal(again.status, TC_ORDER_REJECTED);
    assert_string_equal(again.reason, ack.reason);
    lim.type = TC_ORDER_LIMIT; /* no limit price */
    tc_assert_ok(tc_broker_submit(b, &lim, &ack, &err), &err);
    assert_int_equal(ack.status, TC_ORDER_REJECTED);
    assert_non_null(strstr(ack.reason, "limit"));
    bad_side.side = (enum tc_order_side)9;
    tc_assert_ok(tc_broker_submit(b, &bad_side, &ack, &err), &err);
    assert_int_equal(ack.status, TC_ORDER_REJECTED);
    assert_non_null(strstr(ack.reason, "side 9 is unknown"));
    bad_side.client_order_id[0] = '\0';
    assert_int_equal(tc_broker_submit(b, &bad_side, &ack, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "client order id"));
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.orders, 0);
    tc_broker_free(b);
}

static void test_bad_options(void **state)
{
    struct tc_broker_sim_options o;
    struct tc_broker *b = (struct tc_broker *)&o;
    struct tc_error err = {0};

    tc_broker_sim_options_default(&o);
    snprintf(o.id_prefix, sizeof(o.id_prefix), "a b");
    assert_int_equal(tc_broker_sim_new(&o, &b, &err), TC_EINVAL);
    assert_null(b);
    assert_non_null(strstr(err.msg, "prefix"));
    tc_broker_sim_options_default(&o);
    o.sim.slippage = TC_SIM_SLIP_FRACTION;
    o.sim.slippage_value = D("1");
    assert_int_equal(tc_broker_sim_new(&o, &b, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "slippage"));
    assert_int_equal(tc_broker_sim_new(NULL, NULL, &err), TC_EINVAL);
    /* the sim functions refuse other brokers */
    {
        struct tc_broker *inst = NULL;
        tc_assert_ok(tc_broker_instant_new(NULL, &inst, &err), &err);
        assert_false(tc_broker_is_sim(inst));
        assert_int_equal(tc_broker_sim_set_day(inst, 1, &err), TC_EINVAL);
        assert_non_null(strstr(err.msg, "\"instant\" is not a sim broker"));
        assert_int_equal(tc_broker_sim_working(inst), 0);
        tc_broker_free(inst);
    }
    /* defaults: prefix "sim" */
    {
        struct rec r = {0};
        struct tc_order_intent oi = intent("d:L0", "AAA", TC_ORDER_BUY, "1");
        struct tc_broker_ack ack;
        tc_assert_ok(tc_broker_sim_new(NULL, &b, &err), &err);
        tc_broker_set_fill_handler(b, handler, &r);
        tc_assert_ok(tc_broker_submit(b, &oi, &ack, &err), &err);
        assert_string_equal(ack.broker_order_id, "sim.1");
        tc_broker_free(b);
    }
}

/* The instrument's lot (tc_broker_sim_set_instrument) applies: a quantity
 * off the lot is rejected. */
static void test_instrument_lot(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent o = intent("lot:L0", "FUT", TC_ORDER_BUY, "150");
    struct tc_broker_ack ack;
    struct tc_error err = {0};

    tc_assert_ok(tc_broker_sim_set_instrument(b, "FUT", TC_DEC_ZERO, D("100"), &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    assert_int_equal(ack.status, TC_ORDER_REJECTED);
    assert_non_null(strstr(ack.reason, "lot"));
    assert_int_equal(tc_broker_sim_set_instrument(b, "bad id", TC_DEC_ZERO, D("1"), &err),
                     TC_EINVAL);
    tc_broker_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_market_next_open_once),
        cmocka_unit_test(test_idempotent_submit),
        cmocka_unit_test(test_idempotent_after_growth),
        cmocka_unit_test(test_on_bar_order_and_types),
        cmocka_unit_test(test_fill_at_close),
        cmocka_unit_test(test_refused_fill_retried),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_rejected_intents),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_instrument_lot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
