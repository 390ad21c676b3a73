/* The `sim` broker: intents to simulator orders, fills through the handler
 * once with deterministic execution ids, idempotent submit, cancel, open
 * orders, account, refused fills retried, bad options and intents. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/broker_sim.h"

struct rec {
    struct tc_fill fills[32];
    int n;
    int refuse;            /* refuse this many reports with TC_EIO */
    int reports;           /* reports seen, refused ones included */
    int refuse_at;         /* refuse the report of this number (from 1) once */
    int observed;
    char obs_inst[32][TC_ID_BUFSZ];
    char obs_coid[32][TC_CLIENT_ORDER_ID_MAX];
    char obs_exec[32][TC_BROKER_ID_MAX];
    int64_t obs_day[32];
    struct tc_order_update ups[8];
    int nups;
    int refuse_up;         /* refuse this many updates with TC_EIO */
};

static int handler(const struct tc_fill *f, void *ud)
{
    struct rec *r = ud;
    if (++r->reports == r->refuse_at)
        return TC_EIO;
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
    if (r->observed < 32) {
        snprintf(r->obs_inst[r->observed], TC_ID_BUFSZ, "%s", ev->intent->instrument_id);
        snprintf(r->obs_coid[r->observed], TC_CLIENT_ORDER_ID_MAX, "%s",
                 ev->intent->client_order_id);
        snprintf(r->obs_exec[r->observed], TC_BROKER_ID_MAX, "%s", ev->fill->execution_id);
        r->obs_day[r->observed] = ev->day;
    }
    r->observed++;
}

static int upd(const struct tc_order_update *u, void *ud)
{
    struct rec *r = ud;
    if (r->refuse_up > 0) {
        r->refuse_up--;
        return TC_EIO;
    }
    if (r->nups < 8)
        r->ups[r->nups++] = *u;
    return 0;
}

#define D(text) tc_test_dec(text)

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

/* Fills the stack below the caller with junk, for what the next calls
 * leave unwritten there to show. */
static __attribute__((noinline)) void dirty_stack(void)
{
    volatile unsigned char junk[1 << 16];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = 0xA5;
}

/* A fill's ids end in a NUL at their buffers' last bytes too (the ledger
 * checks a text's termination by its last byte first), whatever the stack
 * the broker makes its fills on held before. */
static void test_fill_ids_last_byte(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent o = intent("sig1:L0", "ORCL", TC_ORDER_BUY, "100");
    struct tc_broker_ack ack;
    struct tc_bar b10 = bar(10, "9", "11", "8", "10", 1000);
    struct tc_bar b11 = bar(11, "10.5", "12", "10", "11", 1000);
    struct tc_error err = {0};
    (void)state;

    tc_assert_ok(tc_broker_on_bar(b, "ORCL", &b10, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    dirty_stack();
    tc_assert_ok(tc_broker_on_bar(b, "ORCL", &b11, &err), &err);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.fills[0].execution_id, "run1.1-F1");
    assert_string_equal(r.fills[0].client_order_id, "sig1:L0");
    assert_int_equal(r.fills[0].execution_id[TC_BROKER_ID_MAX - 1], 0);
    assert_int_equal(r.fills[0].client_order_id[TC_CLIENT_ORDER_ID_MAX - 1], 0);
    tc_broker_free(b);
}

/* Submitting a client order id again creates nothing, answers the same
 * acknowledgement and re-reports its fills with the same execution ids; the
 * observer sees each fill once. */
/* 1001 orders (the id map and the records grow past their first sizes;
 * order numbers of 1 to 4 digits) then each submitted again: every one is
 * found, with its first acknowledgement, and none is added twice (the next
 * new order is number 1002). */
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
    for (int k = 1; k <= 1001; k++) {
        snprintf(coid, sizeof(coid), "sig%d:L0", k);
        struct tc_order_intent o = intent(coid, "ORCL", TC_ORDER_BUY, "1");
        tc_assert_ok(tc_broker_submit(b, &o, &a, &err), &err);
        snprintf(want, sizeof(want), "run1.%d", k);
        assert_string_equal(a.broker_order_id, want);
    }
    for (int k = 1001; k >= 1; k--) {
        snprintf(coid, sizeof(coid), "sig%d:L0", k);
        struct tc_order_intent o = intent(coid, "ORCL", TC_ORDER_BUY, "1");
        tc_assert_ok(tc_broker_submit(b, &o, &again, &err), &err);
        snprintf(want, sizeof(want), "run1.%d", k);
        assert_string_equal(again.broker_order_id, want);
        assert_int_equal(again.status, TC_ORDER_SUBMITTED);
    }
    {
        struct tc_order_intent o = intent("sig1002:L0", "ORCL", TC_ORDER_BUY, "1");
        tc_assert_ok(tc_broker_submit(b, &o, &a, &err), &err);
        assert_string_equal(a.broker_order_id, "run1.1002");
    }
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.orders, 1002);
    assert_int_equal(tc_broker_sim_working(b), 1002);
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
    {
        struct tc_order_intent inst = intent("i:L0", "AAA", TC_ORDER_BUY, "1");
        memset(inst.instrument_id, 'I', sizeof(inst.instrument_id)); /* no NUL */
        tc_assert_ok(tc_broker_submit(b, &inst, &ack, &err), &err);
        assert_int_equal(ack.status, TC_ORDER_REJECTED);
        assert_non_null(strstr(ack.reason, "sim broker: order \"i:L0\""));
        assert_non_null(strstr(ack.reason, "instrument is longer than 64"));
        inst = intent("t:L0", "AAA", TC_ORDER_BUY, "1");
        inst.tif = (enum tc_tif)3;
        tc_assert_ok(tc_broker_submit(b, &inst, &ack, &err), &err);
        assert_int_equal(ack.status, TC_ORDER_REJECTED);
        assert_non_null(strstr(ack.reason, "time in force 3 is unknown"));
        inst = intent("u:L0", "AAA", TC_ORDER_BUY, "1");
        inst.type = (enum tc_order_type)0;
        tc_assert_ok(tc_broker_submit(b, &inst, &ack, &err), &err);
        assert_int_equal(ack.status, TC_ORDER_REJECTED);
        assert_non_null(strstr(ack.reason, "order type 0 is unknown"));
    }
    bad_side.client_order_id[0] = '\0';
    assert_int_equal(tc_broker_submit(b, &bad_side, &ack, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "client order id"));
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.orders, 0);
    tc_broker_free(b);
}

/* Missing arguments to submit and on_bar: no broker, no intent, no ack, no
 * instrument, no bar: TC_EINVAL naming the operation and what is missing;
 * the ack untouched, nothing kept, no fill. */
static void test_null_arguments(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent o = intent("n:L0", "AAA", TC_ORDER_BUY, "1");
    struct tc_bar day1 = bar(1, "10", "11", "9", "10", 1000);
    struct tc_broker_ack ack, junk;
    struct tc_broker_account acct;
    struct tc_error err = {0};
    char want[256];
    (void)state;

    memset(&junk, 0x5a, sizeof junk);
    ack = junk;
    assert_int_equal(tc_broker_submit(NULL, &o, &ack, &err), TC_EINVAL);
    assert_string_equal(err.msg, "broker: no broker given for submit");
    snprintf(want, sizeof want, "broker \"%s\": submit needs an intent and an ack",
             tc_broker_name(b));
    assert_int_equal(tc_broker_submit(b, NULL, &ack, &err), TC_EINVAL);
    assert_string_equal(err.msg, want);
    assert_memory_equal(&ack, &junk, sizeof ack);
    err = (struct tc_error){0};
    assert_int_equal(tc_broker_submit(b, &o, NULL, &err), TC_EINVAL);
    assert_string_equal(err.msg, want);

    assert_int_equal(tc_broker_on_bar(NULL, "AAA", &day1, &err), TC_EINVAL);
    assert_string_equal(err.msg, "broker: no broker given for on_bar");
    snprintf(want, sizeof want, "broker \"%s\": on_bar needs an instrument and a bar",
             tc_broker_name(b));
    assert_int_equal(tc_broker_on_bar(b, NULL, &day1, &err), TC_EINVAL);
    assert_string_equal(err.msg, want);
    err = (struct tc_error){0};
    assert_int_equal(tc_broker_on_bar(b, "AAA", NULL, &err), TC_EINVAL);
    assert_string_equal(err.msg, want);

    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.orders, 0);
    assert_int_equal(r.n, 0);
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

/* More fills on one bar than one reporting round takes, the 11th refused:
 * the first 10 are reported and observed, on_bar returns the handler's code
 * naming the fill; the next call (a bar of another instrument) reports the
 * other 10 first, in order, each observed once with its own order. */
static void test_batch_refused_midway(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_broker_ack ack;
    struct tc_broker_account acct;
    struct tc_bar a2 = bar(2, "10", "12", "9", "11", 100);
    struct tc_bar b3 = bar(3, "20", "21", "19", "20", 100);
    struct tc_error err = {0};
    char coid[32], want[64];

    (void)state;
    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);
    for (int k = 1; k <= 20; k++) {
        snprintf(coid, sizeof(coid), "m%d:L0", k);
        struct tc_order_intent o = intent(coid, "AAA", TC_ORDER_BUY, "1");
        tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    }
    r.refuse_at = 11;
    assert_int_equal(tc_broker_on_bar(b, "AAA", &a2, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "fill \"run1.11-F1\" of order \"m11:L0\" was not recorded"));
    assert_int_equal(r.n, 10);
    assert_int_equal(r.observed, 10);
    assert_int_equal(tc_broker_sim_working(b), 10); /* no order works; 10 fills wait */
    tc_assert_ok(tc_broker_on_bar(b, "BBB", &b3, &err), &err);
    assert_int_equal(r.n, 20);
    assert_int_equal(r.observed, 20);
    for (int k = 1; k <= 20; k++) {
        snprintf(want, sizeof(want), "run1.%d-F1", k);
        assert_string_equal(r.fills[k - 1].execution_id, want);
        assert_string_equal(r.obs_exec[k - 1], want);
        snprintf(want, sizeof(want), "m%d:L0", k);
        assert_string_equal(r.fills[k - 1].client_order_id, want);
        assert_string_equal(r.obs_coid[k - 1], want);
        assert_string_equal(r.obs_inst[k - 1], "AAA");
        assert_int_equal(r.obs_day[k - 1], 2);
        assert_dec(r.fills[k - 1].price, "10");
    }
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.fills, 20);
    assert_dec(acct.cash_flow, "-200");
    tc_broker_free(b);
}

/* An order that ended (filled whole) while its fill was refused keeps its
 * intent for the observer: a later order of another instrument does not
 * take its place, and the observer sees each fill with its own intent. */
static void test_intent_kept_until_observed(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent o1 = intent("k1:L0", "AAA", TC_ORDER_BUY, "1");
    struct tc_order_intent o2 = intent("k2:L0", "BBB", TC_ORDER_SELL, "2");
    struct tc_broker_ack ack;
    struct tc_bar a2 = bar(2, "10", "12", "9", "11", 100);
    struct tc_bar b3 = bar(3, "20", "21", "19", "20", 100);
    struct tc_error err = {0};
    int open = 0;

    (void)state;
    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &o1, &ack, &err), &err);
    r.refuse = 1;
    assert_int_equal(tc_broker_on_bar(b, "AAA", &a2, &err), TC_EIO);
    assert_int_equal(r.observed, 0);
    tc_assert_ok(tc_broker_open_orders(b, count_open, &open, &err), &err);
    assert_int_equal(open, 0); /* k1 ended: filled whole */
    tc_assert_ok(tc_broker_submit(b, &o2, &ack, &err), &err);
    assert_string_equal(ack.broker_order_id, "run1.2");
    assert_int_equal(r.n, 0); /* a BACKTEST submit reports no queued fill */
    tc_assert_ok(tc_broker_on_bar(b, "BBB", &b3, &err), &err);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.observed, 2);
    assert_string_equal(r.obs_exec[0], "run1.1-F1");
    assert_string_equal(r.obs_coid[0], "k1:L0");
    assert_string_equal(r.obs_inst[0], "AAA");
    assert_int_equal(r.obs_day[0], 2);
    assert_string_equal(r.obs_exec[1], "run1.2-F1");
    assert_string_equal(r.obs_coid[1], "k2:L0");
    assert_string_equal(r.obs_inst[1], "BBB");
    assert_int_equal(r.obs_day[1], 3);
    assert_dec(r.fills[1].price, "20");
    assert_dec(r.fills[1].quantity, "2");
    tc_broker_free(b);
}

struct listing {
    int n;
    char coid[64][TC_CLIENT_ORDER_ID_MAX];
    char inst[64][TC_ID_BUFSZ];
    int64_t qty[64];
};

static int list_open(const struct tc_order_intent *i, void *ud)
{
    struct listing *l = ud;
    if (l->n < 64) {
        snprintf(l->coid[l->n], TC_CLIENT_ORDER_ID_MAX, "%s", i->client_order_id);
        snprintf(l->inst[l->n], TC_ID_BUFSZ, "%s", i->instrument_id);
        l->qty[l->n] = i->quantity.raw;
        l->n++;
    }
    return 0;
}

/* Working orders keep their whole intents while ended ones give their room
 * to new orders: after 30 of 40 orders filled and 40 more came, open_orders
 * lists the 10 still working and the 40 new, in submission order, each with
 * its own client order id, instrument and quantity. */
static void test_open_orders_after_reuse(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_broker_ack ack;
    struct tc_bar a2 = bar(2, "10", "12", "9", "11", 100000);
    struct tc_error err = {0};
    struct listing l;
    char coid[32];
    int k, i;

    (void)state;
    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);
    for (k = 1; k <= 40; k++) {
        snprintf(coid, sizeof(coid), k % 4 ? "m%d:L0" : "g%d:L0", k);
        snprintf(r.obs_inst[0], TC_ID_BUFSZ, "%d", k);
        struct tc_order_intent o = intent(coid, "AAA", TC_ORDER_BUY, r.obs_inst[0]);
        if (k % 4 == 0) { /* a GTC buy limit at 1: never on these bars */
            o.type = TC_ORDER_LIMIT;
            o.tif = TC_TIF_GTC;
            o.limit_price = D("1");
            o.has_limit_price = 1;
        }
        tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    }
    tc_assert_ok(tc_broker_on_bar(b, "AAA", &a2, &err), &err);
    assert_int_equal(r.n, 30);
    for (k = 41; k <= 80; k++) {
        snprintf(coid, sizeof(coid), "n%d:L0", k);
        snprintf(r.obs_inst[0], TC_ID_BUFSZ, "%d", k);
        struct tc_order_intent o = intent(coid, k % 2 ? "BBB" : "CCC", TC_ORDER_SELL,
                                          r.obs_inst[0]);
        tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    }
    memset(&l, 0, sizeof(l));
    tc_assert_ok(tc_broker_open_orders(b, list_open, &l, &err), &err);
    assert_int_equal(l.n, 50);
    for (i = 0; i < 10; i++) {
        snprintf(coid, sizeof(coid), "g%d:L0", 4 * (i + 1));
        assert_string_equal(l.coid[i], coid);
        assert_string_equal(l.inst[i], "AAA");
        assert_int_equal(l.qty[i], (int64_t)(4 * (i + 1)) * TC_DEC_ONE);
    }
    for (k = 41; k <= 80; k++, i++) {
        snprintf(coid, sizeof(coid), "n%d:L0", k);
        assert_string_equal(l.coid[i], coid);
        assert_string_equal(l.inst[i], k % 2 ? "BBB" : "CCC");
        assert_int_equal(l.qty[i], (int64_t)k * TC_DEC_ONE);
    }
    assert_int_equal(tc_broker_sim_working(b), 50);
    tc_broker_free(b);
}

/* An ended order submitted again answers its first acknowledgement with
 * the status it ended with (CANCELED, EXPIRED), creates nothing and cannot
 * be canceled; the update handler got each end once, with what was left. */
static void test_resubmit_after_end(void **state)
{
    struct rec r = {0};
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_order_intent c = intent("c1:L0", "AAA", TC_ORDER_BUY, "3");
    struct tc_order_intent e = intent("e1:L0", "AAA", TC_ORDER_BUY, "2");
    struct tc_broker_ack ack;
    struct tc_broker_account acct;
    struct tc_bar a2 = bar(2, "10", "12", "9", "11", 100);
    struct tc_error err = {0};
    int open = 0;

    (void)state;
    tc_broker_set_update_handler(b, upd, &r);
    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &c, &ack, &err), &err);
    tc_assert_ok(tc_broker_cancel(b, "c1:L0", &err), &err);
    assert_int_equal(r.nups, 1);
    assert_string_equal(r.ups[0].client_order_id, "c1:L0");
    assert_int_equal(r.ups[0].status, TC_ORDER_CANCELED);
    assert_dec(r.ups[0].remaining, "3");
    assert_string_equal(r.ups[0].reason, "canceled");
    memset(&ack, 0x55, sizeof(ack));
    tc_assert_ok(tc_broker_submit(b, &c, &ack, &err), &err);
    assert_string_equal(ack.broker_order_id, "run1.1");
    assert_int_equal(ack.status, TC_ORDER_CANCELED);
    assert_string_equal(ack.reason, "");
    e.type = TC_ORDER_LIMIT; /* a DAY buy limit at 5: the bar's low is 9 */
    e.limit_price = D("5");
    e.has_limit_price = 1;
    tc_assert_ok(tc_broker_submit(b, &e, &ack, &err), &err);
    assert_string_equal(ack.broker_order_id, "run1.2");
    tc_assert_ok(tc_broker_on_bar(b, "AAA", &a2, &err), &err);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.nups, 2);
    assert_string_equal(r.ups[1].client_order_id, "e1:L0");
    assert_int_equal(r.ups[1].status, TC_ORDER_EXPIRED);
    assert_dec(r.ups[1].remaining, "2");
    assert_string_equal(r.ups[1].reason, "day order expired");
    tc_assert_ok(tc_broker_submit(b, &e, &ack, &err), &err);
    assert_string_equal(ack.broker_order_id, "run1.2");
    assert_int_equal(ack.status, TC_ORDER_EXPIRED);
    assert_int_equal(tc_broker_cancel(b, "e1:L0", &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "order \"e1:L0\" is not working"));
    tc_assert_ok(tc_broker_open_orders(b, count_open, &open, &err), &err);
    assert_int_equal(open, 0);
    assert_int_equal(r.nups, 2);
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.orders, 2);
    assert_int_equal(acct.fills, 0);
    tc_broker_free(b);
}

/* Under a volume cap a DAY order fills in part, then expires: the fill is
 * reported before the update; a refused update makes on_bar return the
 * handler's code naming it, waits, and is reported at the next call. A GTC
 * order filled 12 times numbers its execution ids past 9. */
static void test_partial_then_expired(void **state)
{
    struct rec r = {0};
    struct tc_broker_sim_options so;
    struct tc_broker *b = NULL;
    struct tc_order_intent v = intent("v1:L0", "AAA", TC_ORDER_BUY, "5");
    struct tc_order_intent g = intent("g1:L0", "BBB", TC_ORDER_SELL, "12");
    struct tc_broker_ack ack;
    struct tc_error err = {0};
    char want[32];

    (void)state;
    tc_broker_sim_options_default(&so);
    snprintf(so.id_prefix, sizeof(so.id_prefix), "run1");
    so.sim.volume_cap = D("0.01");
    tc_assert_ok(tc_broker_sim_new(&so, &b, &err), &err);
    tc_broker_set_fill_handler(b, handler, &r);
    tc_broker_set_update_handler(b, upd, &r);
    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);
    tc_assert_ok(tc_broker_submit(b, &v, &ack, &err), &err);
    r.refuse_up = 1;
    {
        struct tc_bar a2 = bar(2, "10", "12", "9", "11", 100);
        assert_int_equal(tc_broker_on_bar(b, "AAA", &a2, &err), TC_EIO);
    }
    assert_non_null(strstr(err.msg, "EXPIRED of order \"v1:L0\" was not recorded"));
    assert_int_equal(r.n, 1);
    assert_dec(r.fills[0].quantity, "1");
    assert_int_equal(r.nups, 0);
    assert_int_equal(tc_broker_sim_working(b), 1); /* the update waits */
    {
        struct tc_bar a3 = bar(3, "10", "12", "9", "11", 100);
        tc_assert_ok(tc_broker_on_bar(b, "AAA", &a3, &err), &err);
    }
    assert_int_equal(r.n, 1);
    assert_int_equal(r.nups, 1);
    assert_int_equal(r.ups[0].status, TC_ORDER_EXPIRED);
    assert_dec(r.ups[0].remaining, "4");
    assert_int_equal(tc_broker_sim_working(b), 0);

    g.tif = TC_TIF_GTC;
    tc_assert_ok(tc_broker_submit(b, &g, &ack, &err), &err);
    assert_string_equal(ack.broker_order_id, "run1.2");
    for (int d = 4; d <= 20; d++) {
        struct tc_bar bb = bar(d, "20", "21", "19", "20", 100);
        tc_assert_ok(tc_broker_on_bar(b, "BBB", &bb, &err), &err);
    }
    assert_int_equal(r.n, 13);
    for (int k = 1; k <= 12; k++) {
        snprintf(want, sizeof(want), "run1.2-F%d", k);
        assert_string_equal(r.fills[k].execution_id, want);
    }
    assert_int_equal(r.nups, 1);
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_broker_free(b);
}

/* The longest ids: a 40-character prefix and a 95-character client order
 * id make the same acknowledgement, fill and resubmission as short ones; a
 * client order id filling its whole field (no NUL) is refused, nothing
 * changed; cancel of an id longer than any is "not working". */
static void test_long_ids(void **state)
{
    struct rec r = {0};
    struct tc_broker_sim_options so;
    struct tc_broker *b = NULL;
    struct tc_order_intent o = intent("x", "AAA", TC_ORDER_BUY, "1");
    struct tc_broker_ack ack, again;
    struct tc_broker_account acct;
    struct tc_bar a2 = bar(2, "10", "12", "9", "11", 100);
    struct tc_error err = {0};
    char prefix[41], coid[96], want[128], huge[300];

    (void)state;
    memset(prefix, 'p', 40);
    prefix[40] = '\0';
    memset(coid, 'c', 95);
    coid[95] = '\0';
    tc_broker_sim_options_default(&so);
    snprintf(so.id_prefix, sizeof(so.id_prefix), "%s", prefix);
    tc_assert_ok(tc_broker_sim_new(&so, &b, &err), &err);
    tc_broker_set_fill_handler(b, handler, &r);
    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);
    memcpy(o.client_order_id, coid, sizeof(coid));
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    snprintf(want, sizeof(want), "%s.1", prefix);
    assert_string_equal(ack.broker_order_id, want);
    tc_assert_ok(tc_broker_submit(b, &o, &again, &err), &err);
    assert_string_equal(again.broker_order_id, want);
    tc_assert_ok(tc_broker_on_bar(b, "AAA", &a2, &err), &err);
    assert_int_equal(r.n, 1);
    snprintf(want, sizeof(want), "%s.1-F1", prefix);
    assert_string_equal(r.fills[0].execution_id, want);
    assert_string_equal(r.fills[0].client_order_id, coid);
    memset(o.client_order_id, 'z', sizeof(o.client_order_id));
    assert_int_equal(tc_broker_submit(b, &o, &ack, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "sim broker: order's client order id is longer than 95"));
    memset(huge, 'h', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    assert_int_equal(tc_broker_cancel(b, huge, &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "is not working"));
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.orders, 1);
    assert_int_equal(acct.fills, 1);
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_broker_free(b);
}

/* A client order id of every length from 1 to 95 (the NUL on each side of
 * every 16-byte step of the buffer, junk after it): taken, acknowledged and
 * found again by a resubmission, the junk not part of it; 0 characters
 * refused as no id, a buffer without NUL as too long, nothing kept. */
static void test_coid_every_length(void **state)
{
    (void)state;
    struct rec r;
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_error err = {0};
    struct tc_broker_ack ack, again;
    struct tc_broker_account acct;
    char want[TC_BROKER_ID_MAX];
    memset(&r, 0, sizeof(r));
    tc_assert_ok(tc_broker_sim_set_day(b, 0, &err), &err);
    for (size_t len = 1; len < TC_CLIENT_ORDER_ID_MAX; len++) {
        struct tc_order_intent o = intent("x", "AAA", TC_ORDER_BUY, "1");
        memset(o.client_order_id, 'j', sizeof(o.client_order_id));
        for (size_t i = 0; i < len; i++)
            o.client_order_id[i] = (char)('a' + (i + len) % 26);
        o.client_order_id[len] = '\0';
        tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
        assert_int_equal(ack.status, TC_ORDER_SUBMITTED);
        snprintf(want, sizeof(want), "run1.%zu", len);
        assert_string_equal(ack.broker_order_id, want);
        /* the same id with other junk after its NUL: the same order */
        memset(o.client_order_id + len + 1, 'k', sizeof(o.client_order_id) - len - 1);
        tc_assert_ok(tc_broker_submit(b, &o, &again, &err), &err);
        assert_string_equal(again.broker_order_id, want);
        /* its fill names it, without the junk */
        char id[TC_CLIENT_ORDER_ID_MAX];
        memcpy(id, o.client_order_id, len + 1);
        r.n = 0;
        struct tc_bar next = bar((int64_t)len + 1, "10", "11", "9", "10", 1000);
        tc_assert_ok(tc_broker_sim_set_day(b, (int64_t)len + 1, &err), &err);
        tc_assert_ok(tc_broker_on_bar(b, "AAA", &next, &err), &err);
        assert_int_equal(r.n, 1);
        assert_string_equal(r.fills[0].client_order_id, id);
        snprintf(want, sizeof(want), "run1.%zu-F1", len);
        assert_string_equal(r.fills[0].execution_id, want);
    }
    struct tc_order_intent o = intent("x", "AAA", TC_ORDER_BUY, "1");
    memset(o.client_order_id, 'j', sizeof(o.client_order_id));
    o.client_order_id[0] = '\0';
    assert_int_equal(tc_broker_submit(b, &o, &ack, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "sim broker: order without a client order id"));
    memset(o.client_order_id, 'j', sizeof(o.client_order_id));
    assert_int_equal(tc_broker_submit(b, &o, &ack, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "sim broker: order's client order id is longer than 95"));
    tc_assert_ok(tc_broker_account(b, &acct, &err), &err);
    assert_int_equal(acct.orders, TC_CLIENT_ORDER_ID_MAX - 1);
    assert_int_equal(acct.fills, TC_CLIENT_ORDER_ID_MAX - 1);
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_broker_free(b);
}

/* Client order ids of every length 1..95 one byte apart (at every place):
 * two orders, each found again by its own id (a resubmission, a cancel, a
 * fill), with a rejected intent between them (the simulator does not count
 * it, the broker does): the fill of the one that works names it and its
 * broker order id. */
static void test_coid_one_byte_apart(void **state)
{
    (void)state;
    struct rec r;
    struct tc_broker *b = new_broker(&r, NULL, 0);
    struct tc_error err = {0};
    struct tc_broker_ack ack, again;
    char want[TC_BROKER_ID_MAX], x[TC_CLIENT_ORDER_ID_MAX], y[TC_CLIENT_ORDER_ID_MAX],
        z[TC_CLIENT_ORDER_ID_MAX];
    size_t n = 0;
    int64_t day = 0;
    memset(&r, 0, sizeof(r));
    for (size_t len = 1; len < TC_CLIENT_ORDER_ID_MAX; len++)
        for (size_t at = 0; at < len; at++) {
            struct tc_order_intent o = intent("x", "AAA", TC_ORDER_BUY, "1");
            struct tc_bar next;
            /* AT in base 20 in its first two bytes: an id of its own */
            memset(x, 'd', len);
            x[0] = (char)('d' + at % 20);
            if (len > 1)
                x[1] = (char)('d' + at / 20);
            x[len] = '\0';
            memcpy(y, x, len + 1);
            memcpy(z, x, len + 1);
            y[at] = 'b';
            z[at] = 'c';
            tc_assert_ok(tc_broker_sim_set_day(b, day, &err), &err);
            memcpy(o.client_order_id, x, len + 1);
            tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
            assert_int_equal(ack.status, TC_ORDER_SUBMITTED);
            snprintf(want, sizeof(want), "run1.%zu", n + 1);
            assert_string_equal(ack.broker_order_id, want);
            memcpy(o.client_order_id, z, len + 1);
            o.side = (enum tc_order_side)7;
            tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
            assert_int_equal(ack.status, TC_ORDER_REJECTED);
            o.side = TC_ORDER_BUY;
            memcpy(o.client_order_id, y, len + 1);
            tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
            snprintf(want, sizeof(want), "run1.%zu", n + 3);
            assert_string_equal(ack.broker_order_id, want);
            memcpy(o.client_order_id, x, len + 1);
            tc_assert_ok(tc_broker_submit(b, &o, &again, &err), &err);
            snprintf(want, sizeof(want), "run1.%zu", n + 1);
            assert_string_equal(again.broker_order_id, want);
            /* X canceled by its id; again, and an id one shorter, not working */
            tc_assert_ok(tc_broker_cancel(b, x, &err), &err);
            assert_int_equal(tc_broker_cancel(b, x, &err), TC_ENOTFOUND);
            y[len - 1] = '\0';
            assert_int_equal(tc_broker_cancel(b, y, &err), TC_ENOTFOUND);
            y[len - 1] = len - 1 == at ? 'b' : x[len - 1];
            /* Y fills on the next bar: its id and its broker order id */
            r.n = 0;
            day++;
            next = bar(day, "10", "11", "9", "10", 1000);
            tc_assert_ok(tc_broker_sim_set_day(b, day, &err), &err);
            tc_assert_ok(tc_broker_on_bar(b, "AAA", &next, &err), &err);
            assert_int_equal(r.n, 1);
            assert_string_equal(r.fills[0].client_order_id, y);
            snprintf(want, sizeof(want), "run1.%zu-F1", n + 3);
            assert_string_equal(r.fills[0].execution_id, want);
            n += 3;
        }
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_broker_free(b);
}

/* ---- several threads ---- */

#define MT_THREADS 4
#define MT_ORDERS 150

struct mt {
    struct tc_broker *b;
    pthread_mutex_t mu;
    char (*execs)[TC_BROKER_ID_MAX];  /* accepted execution ids */
    int nexecs, observed, bad, refused;
};

struct mt_arg {
    struct mt *m;
    int t;
    int rc;     /* a submit that failed for good */
};

static int mt_handler(const struct tc_fill *f, void *ud)
{
    struct mt *m = ud;
    int rc = 0;
    pthread_mutex_lock(&m->mu);
    /* every 7th report is refused once: it must come again */
    if (m->nexecs % 7 == 3 && m->refused <= m->nexecs / 7) {
        m->refused++;
        rc = TC_EIO;
    } else if (m->nexecs < MT_THREADS * MT_ORDERS) {
        snprintf(m->execs[m->nexecs++], TC_BROKER_ID_MAX, "%s", f->execution_id);
    } else {
        m->bad++;
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static void mt_obs(void *ud, const struct tc_broker_sim_fill_event *ev)
{
    struct mt *m = ud;
    char want[TC_ID_BUFSZ];
    /* the intent is the fill's own: client order id "t<k>-<n>:L0", instrument "I<k>" */
    snprintf(want, sizeof(want), "I%c", ev->fill->client_order_id[1]);
    pthread_mutex_lock(&m->mu);
    m->observed++;
    if (strcmp(ev->intent->instrument_id, want) != 0 ||
        strcmp(ev->intent->client_order_id, ev->fill->client_order_id) != 0)
        m->bad++;
    pthread_mutex_unlock(&m->mu);
}

static void *mt_run(void *p)
{
    struct mt_arg *a = p;
    struct tc_error err = {0};
    char coid[32], inst[8];
    int64_t day;

    snprintf(inst, sizeof(inst), "I%d", a->t);
    for (int n = 0; n < MT_ORDERS; n++) {
        struct tc_broker_ack ack;
        struct tc_order_intent o;
        snprintf(coid, sizeof(coid), "t%d-%d:L0", a->t, n);
        o = intent(coid, inst, n % 2 ? TC_ORDER_SELL : TC_ORDER_BUY, "1");
        o.mode = n % 3 ? TC_MODE_BACKTEST : TC_MODE_PAPER;
        o.tif = TC_TIF_GTC;
        /* a PAPER submit reports waiting fills first: a refusal fails it
         * before anything is submitted, so it is sent again */
        int rc = TC_EIO;
        for (int k = 0; k < 1000 && rc == TC_EIO; k++)
            rc = tc_broker_submit(a->m->b, &o, &ack, &err);
        if (rc != 0)
            a->rc = rc;
        day = 10 + n;
        struct tc_bar bb = bar(day, "10", "12", "9", "11", 100);
        tc_broker_on_bar(a->m->b, inst, &bb, &err);
    }
    return NULL;
}

static int cmp_exec(const void *x, const void *y) { return strcmp(x, y); }

/* Threads submitting and feeding bars at once, with refused reports: every
 * order fills once, every fill is accepted once and observed once with its
 * own intent, and nothing is left waiting. */
static void test_threads(void **state)
{
    struct mt m;
    struct mt_arg args[MT_THREADS];
    pthread_t th[MT_THREADS];
    struct tc_broker_account acct;
    struct tc_error err = {0};

    (void)state;
    memset(&m, 0, sizeof(m));
    pthread_mutex_init(&m.mu, NULL);
    m.execs = calloc(MT_THREADS * MT_ORDERS, sizeof(*m.execs));
    assert_non_null(m.execs);
    tc_assert_ok(tc_broker_sim_new(NULL, &m.b, &err), &err);
    tc_broker_set_fill_handler(m.b, mt_handler, &m);
    tc_broker_sim_set_observer(m.b, mt_obs, &m);
    for (int t = 0; t < MT_THREADS; t++) {
        args[t].m = &m;
        args[t].t = t;
        args[t].rc = 0;
        assert_int_equal(pthread_create(&th[t], NULL, mt_run, &args[t]), 0);
    }
    for (int t = 0; t < MT_THREADS; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(args[t].rc, 0);
    }
    /* a bar of each instrument after every day used (the broker's day is
     * shared: a thread may have decided its orders on another's latest
     * day); calls again while a refusal leaves something waiting */
    for (int t = 0; t < MT_THREADS; t++) {
        struct tc_bar z = bar(200000, "10", "12", "9", "11", 100);
        char inst[8];
        int rc = TC_EIO;
        snprintf(inst, sizeof(inst), "I%d", t);
        for (int k = 0; k < 1000 && rc != 0; k++) {
            rc = tc_broker_on_bar(m.b, inst, &z, &err);
            assert_true(rc == 0 || rc == TC_EIO);
        }
        tc_assert_ok(rc, &err);
    }
    if (tc_broker_sim_working(m.b) != 0 || m.bad != 0)
        fail_msg("waiting %zu, bad %d, accepted %d, observed %d, refused %d",
                 tc_broker_sim_working(m.b), m.bad, m.nexecs, m.observed, m.refused);
    assert_int_equal(m.nexecs, MT_THREADS * MT_ORDERS);
    assert_int_equal(m.observed, MT_THREADS * MT_ORDERS);
    assert_true(m.refused > 0);
    qsort(m.execs, (size_t)m.nexecs, sizeof(*m.execs), cmp_exec);
    for (int k = 1; k < m.nexecs; k++)
        assert_true(strcmp(m.execs[k - 1], m.execs[k]) != 0);
    tc_assert_ok(tc_broker_account(m.b, &acct, &err), &err);
    assert_int_equal(acct.orders, MT_THREADS * MT_ORDERS);
    assert_int_equal(acct.fills, MT_THREADS * MT_ORDERS);
    tc_broker_free(m.b);
    free(m.execs);
    pthread_mutex_destroy(&m.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_market_next_open_once),
        cmocka_unit_test(test_fill_ids_last_byte),
        cmocka_unit_test(test_idempotent_submit),
        cmocka_unit_test(test_coid_every_length),
        cmocka_unit_test(test_coid_one_byte_apart),
        cmocka_unit_test(test_idempotent_after_growth),
        cmocka_unit_test(test_on_bar_order_and_types),
        cmocka_unit_test(test_fill_at_close),
        cmocka_unit_test(test_refused_fill_retried),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_rejected_intents),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_instrument_lot),
        cmocka_unit_test(test_batch_refused_midway),
        cmocka_unit_test(test_intent_kept_until_observed),
        cmocka_unit_test(test_open_orders_after_reuse),
        cmocka_unit_test(test_resubmit_after_end),
        cmocka_unit_test(test_partial_then_expired),
        cmocka_unit_test(test_long_ids),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
