/* The broker interface and the instant broker: enum names and parsing,
 * dispatch errors, fills at the reference price with deterministic execution
 * ids and commission, idempotent resubmission, rejections without a price. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/broker.h"

struct got {
    int n;
    struct tc_fill last;
    int rc;
};

static int on_fill(const struct tc_fill *f, void *ud)
{
    struct got *g = ud;
    g->n++;
    g->last = *f;
    return g->rc;
}

#define D(text) tc_test_dec(text)

static const char *fmt(struct tc_dec d)
{
    static char buf[TC_DEC_STRLEN];
    tc_dec_format(d, buf, sizeof(buf));
    return buf;
}

static void intent(struct tc_order_intent *o, const char *coid, enum tc_order_side side,
                   const char *qty, const char *price, const char *mult)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->order_id, sizeof(o->order_id), "ord-1");
    snprintf(o->client_order_id, sizeof(o->client_order_id), "%s", coid);
    o->side = side;
    o->type = TC_ORDER_MARKET;
    o->tif = TC_TIF_DAY;
    o->quantity = D(qty);
    o->multiplier = D(mult);
    if (price) {
        o->ref_price = D(price);
        o->has_ref_price = 1;
    }
}

static void test_names(void **state)
{
    enum tc_mode m;
    enum tc_order_status st;
    struct tc_error err = {0};

    assert_string_equal(tc_mode_name(TC_MODE_BACKTEST), "BACKTEST");
    assert_string_equal(tc_mode_name((enum tc_mode)0), "?");
    assert_string_equal(tc_order_side_name(TC_ORDER_SELL), "SELL");
    assert_string_equal(tc_order_type_name(TC_ORDER_STOP_LIMIT), "STOP_LIMIT");
    assert_string_equal(tc_tif_name(TC_TIF_GTC), "GTC");
    assert_string_equal(tc_order_status_name(TC_ORDER_PARTIALLY_FILLED), "PARTIALLY_FILLED");
    assert_string_equal(tc_order_status_name((enum tc_order_status)8), "?");
    assert_int_equal(tc_mode_parse("PAPER", &m, &err), 0);
    assert_int_equal(m, TC_MODE_PAPER);
    assert_int_equal(tc_order_status_parse("EXPIRED", &st, &err), 0);
    assert_int_equal(st, TC_ORDER_EXPIRED);
    m = TC_MODE_LIVE;
    assert_int_equal(tc_mode_parse("paper", &m, &err), TC_EINVAL);
    assert_string_equal(err.msg, "unknown mode \"paper\" (expected LIVE, PAPER or BACKTEST)");
    assert_int_equal(m, TC_MODE_LIVE);
    assert_int_equal(tc_mode_parse(NULL, &m, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "missing"));
    assert_int_equal(tc_order_status_parse("", &st, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "unknown order status \"\""));
}

static void test_instant(void **state)
{
    struct tc_broker *b = NULL;
    struct tc_broker_instant_options io;
    struct tc_order_intent o;
    struct tc_broker_ack ack;
    struct tc_broker_account a;
    struct tc_error err = {0};
    struct got g = {0};

    tc_broker_instant_options_default(&io);
    io.commission_rate = D("0.0005");
    tc_assert_ok(tc_broker_instant_new(&io, &b, &err), &err);
    assert_string_equal(tc_broker_name(b), "instant");
    /* no handler: the fill cannot be recorded */
    intent(&o, "fp:L0", TC_ORDER_BUY, "10", "123.45", "3");
    assert_int_equal(tc_broker_submit(b, &o, &ack, &err), TC_ESTATE);
    assert_non_null(strstr(err.msg, "fp:L0"));
    tc_broker_set_fill_handler(b, on_fill, &g);
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    assert_int_equal(ack.status, TC_ORDER_SUBMITTED);
    assert_string_equal(ack.broker_order_id, "instant-fp:L0");
    assert_int_equal(g.n, 1);
    assert_string_equal(g.last.execution_id, "instant:fp:L0");
    assert_string_equal(g.last.client_order_id, "fp:L0");
    assert_string_equal(fmt(g.last.quantity), "10");
    assert_string_equal(fmt(g.last.price), "123.45");
    /* 10 × 123.45 × 3 = 3703.5; × 0.0005 = 1.85175 */
    assert_string_equal(fmt(g.last.commission), "1.85175");
    /* the same intent again: same execution, counted once in the account */
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.last.execution_id, "instant:fp:L0");
    /* a sell of 4 at 130: value 1560, commission 0.78 */
    intent(&o, "fp:X0", TC_ORDER_SELL, "4", "130", "3");
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    tc_assert_ok(tc_broker_account(b, &a, &err), &err);
    assert_int_equal(a.orders, 2);
    assert_int_equal(a.fills, 3);
    assert_string_equal(fmt(a.commission), "2.63175");
    /* −3703.5 + 1560 − 2.63175 */
    assert_string_equal(fmt(a.cash_flow), "-2146.13175");
    /* no price: rejected, no fill */
    intent(&o, "fp:X1", TC_ORDER_SELL, "4", NULL, "3");
    tc_assert_ok(tc_broker_submit(b, &o, &ack, &err), &err);
    assert_int_equal(ack.status, TC_ORDER_REJECTED);
    assert_non_null(strstr(ack.reason, "\"fp:X1\" has no price"));
    assert_int_equal(g.n, 3);
    /* bad intents */
    intent(&o, "", TC_ORDER_BUY, "1", "1", "1");
    assert_int_equal(tc_broker_submit(b, &o, &ack, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "instant broker: order without a client order id"));
    intent(&o, "fp:L9", TC_ORDER_BUY, "1", "1", "1");
    memset(o.client_order_id, 'x', sizeof(o.client_order_id)); /* no NUL */
    assert_int_equal(tc_broker_submit(b, &o, &ack, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "client order id is longer than 95 characters"));
    intent(&o, "fp:L9", TC_ORDER_BUY, "-1", "1", "1");
    assert_int_equal(tc_broker_submit(b, &o, &ack, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "positive quantity"));
    intent(&o, "fp:L8", TC_ORDER_BUY, "90000000000", "90000", "1");
    assert_int_equal(tc_broker_submit(b, &o, &ack, &err), TC_ERANGE);
    assert_non_null(strstr(err.msg, "overflows"));
    /* a handler that fails: the error reaches the caller */
    g.rc = TC_EUNAVAIL;
    intent(&o, "fp:L7", TC_ORDER_BUY, "1", "1", "1");
    assert_int_equal(tc_broker_submit(b, &o, &ack, &err), TC_EUNAVAIL);
    assert_non_null(strstr(err.msg, "not recorded"));
    /* nothing stays working */
    assert_int_equal(tc_broker_cancel(b, "fp:L0", &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "fp:L0"));
    tc_assert_ok(tc_broker_on_bar(b, "ES", &(struct tc_bar){0}, &err), &err);
    tc_broker_free(b);
    tc_broker_free(NULL);
}

static int no_submit(struct tc_broker *b, const struct tc_order_intent *o, struct tc_broker_ack *a,
                     struct tc_error *err)
{
    return 0;
}
static const struct tc_broker_ops bare_ops = {.name = "bare", .submit = no_submit};

static void test_dispatch_errors(void **state)
{
    struct tc_broker bare = {&bare_ops, NULL, NULL};
    struct tc_broker_instant_options io;
    struct tc_broker *b = NULL;
    struct tc_broker_account a;
    struct tc_error err = {0};

    assert_int_equal(tc_broker_cancel(&bare, "x", &err), TC_EUSAGE);
    assert_string_equal(err.msg, "broker \"bare\" has no cancel operation");
    assert_int_equal(tc_broker_account(&bare, &a, &err), TC_EUSAGE);
    assert_int_equal(tc_broker_open_orders(&bare, NULL, NULL, &err), TC_EUSAGE);
    assert_int_equal(tc_broker_submit(NULL, NULL, NULL, &err), TC_EINVAL);
    assert_int_equal(tc_broker_submit(&bare, NULL, NULL, &err), TC_EINVAL);
    assert_int_equal(tc_broker_report_fill(&bare, &(struct tc_fill){0}), TC_ESTATE);
    /* a broker that writes nothing answers an empty ack, whatever was there */
    {
        struct tc_order_intent o;
        struct tc_broker_ack ack;
        memset(&o, 0, sizeof(o));
        memset(&ack, 0x5A, sizeof(ack));
        tc_assert_ok(tc_broker_submit(&bare, &o, &ack, &err), &err);
        assert_string_equal(ack.broker_order_id, "");
        assert_string_equal(ack.reason, "");
        assert_int_equal(ack.status, 0);
    }
    assert_string_equal(tc_broker_name(NULL), "?");
    tc_broker_instant_options_default(&io);
    io.commission_rate = D("-0.1");
    assert_int_equal(tc_broker_instant_new(&io, &b, &err), TC_EINVAL);
    assert_string_equal(err.msg, "instant broker: commission_rate -0.1 is outside [0, 1)");
    assert_null(b);
    tc_assert_ok(tc_broker_instant_new(NULL, &b, &err), &err);
    assert_int_equal(tc_broker_open_orders(b, NULL, NULL, &err), TC_EINVAL);
    tc_broker_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_instant),
        cmocka_unit_test(test_dispatch_errors),
    };
    return cmocka_run_group_tests_name("broker", tests, NULL, NULL);
}
