/* The `sim` broker's order ids, made once when an order is submitted and
 * kept with its client order id; their numbers counted in decimal text:
 * ten thousand orders (many blocks of names; every carry of the number up
 * to five digits) with client order ids of 8..95 characters and the
 * longest id prefix, every fifth one rejected with a reason (it takes a
 * number too), every seventh canceled. Each
 * acknowledgement, resubmission (status, broker order id, reason), cancel
 * and fill (execution id, client order id) names its own order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/broker_sim.h"

#define NORD 10010

struct seen {
    struct tc_fill *fills;
    size_t nfills;
    char (*canceled)[TC_CLIENT_ORDER_ID_MAX];
    size_t ncanceled;
};

static int on_fill(const struct tc_fill *f, void *ud)
{
    struct seen *s = ud;
    if (s->nfills < NORD)
        s->fills[s->nfills] = *f;
    s->nfills++;
    return 0;
}

static int on_update(const struct tc_order_update *u, void *ud)
{
    struct seen *s = ud;
    assert_int_equal(u->status, TC_ORDER_CANCELED);
    if (s->ncanceled < NORD)
        memcpy(s->canceled[s->ncanceled], u->client_order_id, TC_CLIENT_ORDER_ID_MAX);
    s->ncanceled++;
    return 0;
}

/* Order K's client order id: its number, then filler up to 8 + K % 88
 * characters; junk after the NUL in the intent's buffer. */
static void coid_of(size_t k, char out[TC_CLIENT_ORDER_ID_MAX])
{
    const size_t len = 8 + k % 88;
    memset(out, 'j', TC_CLIENT_ORDER_ID_MAX);
    snprintf(out, TC_CLIENT_ORDER_ID_MAX, "c%06zu", k);
    for (size_t i = 7; i < len; i++)
        out[i] = (char)('a' + (k + i) % 26);
    out[len] = '\0';
}

static struct tc_order_intent intent_of(size_t k)
{
    struct tc_order_intent o;
    memset(&o, 0, sizeof(o));
    coid_of(k, o.client_order_id);
    snprintf(o.order_id, sizeof(o.order_id), "o%zu", k);
    snprintf(o.portfolio_id, sizeof(o.portfolio_id), "p1");
    snprintf(o.strategy_id, sizeof(o.strategy_id), "s1");
    snprintf(o.instrument_id, sizeof(o.instrument_id), "AAA");
    o.mode = TC_MODE_BACKTEST;
    o.side = k % 2 ? TC_ORDER_SELL : TC_ORDER_BUY;
    o.type = TC_ORDER_MARKET;
    o.tif = TC_TIF_DAY;
    o.quantity = tc_test_dec(k % 5 == 3 ? "-1" : "2");
    o.multiplier = tc_test_dec("1");
    return o;
}

static void test_ids_kept(void **state)
{
    (void)state;
    struct tc_broker_sim_options so;
    struct tc_broker *b = NULL;
    struct tc_error err = {0};
    struct tc_broker_ack *acks = calloc(NORD, sizeof(*acks));
    struct seen seen = {calloc(NORD, sizeof(struct tc_fill)), 0,
                        calloc(NORD, TC_CLIENT_ORDER_ID_MAX), 0};
    struct tc_bar bar;
    char prefix[TC_BROKER_SIM_PREFIX_MAX + 1], want[TC_BROKER_ID_MAX + 32];
    size_t nfill = 0, ncancel = 0;

    assert_non_null(acks);
    assert_non_null(seen.fills);
    assert_non_null(seen.canceled);
    for (size_t i = 0; i < TC_BROKER_SIM_PREFIX_MAX; i++)
        prefix[i] = (char)('A' + i % 26);
    prefix[TC_BROKER_SIM_PREFIX_MAX] = '\0';
    tc_broker_sim_options_default(&so);
    memcpy(so.id_prefix, prefix, sizeof(prefix));
    tc_assert_ok(tc_broker_sim_new(&so, &b, &err), &err);
    tc_broker_set_fill_handler(b, on_fill, &seen);
    tc_broker_set_update_handler(b, on_update, &seen);
    tc_assert_ok(tc_broker_sim_set_day(b, 1, &err), &err);

    for (size_t k = 0; k < NORD; k++) {
        struct tc_order_intent o = intent_of(k);
        char coid[TC_CLIENT_ORDER_ID_MAX];
        coid_of(k, coid);
        tc_assert_ok(tc_broker_submit(b, &o, &acks[k], &err), &err);
        snprintf(want, sizeof(want), "%s.%zu", prefix, k + 1);
        assert_string_equal(acks[k].broker_order_id, want);
        if (k % 5 == 3) {
            assert_int_equal(acks[k].status, TC_ORDER_REJECTED);
            snprintf(want, sizeof(want), "sim broker: order \"%s\": ", coid);
            assert_memory_equal(acks[k].reason, want, strlen(want));
            assert_non_null(strstr(acks[k].reason, "quantity"));
        } else {
            assert_int_equal(acks[k].status, TC_ORDER_SUBMITTED);
            assert_string_equal(acks[k].reason, "");
        }
    }
    /* every seventh working order canceled, by its client order id */
    for (size_t k = 0; k < NORD; k += 7) {
        char coid[TC_CLIENT_ORDER_ID_MAX];
        coid_of(k, coid);
        if (k % 5 == 3) {
            assert_int_equal(tc_broker_cancel(b, coid, &err), TC_ENOTFOUND);
            continue;
        }
        tc_assert_ok(tc_broker_cancel(b, coid, &err), &err);
        assert_int_equal(tc_broker_cancel(b, coid, &err), TC_ENOTFOUND);
        snprintf(want, sizeof(want), "sim broker: order \"%s\" is not working", coid);
        assert_string_equal(err.msg, want);
        ncancel++;
    }
    assert_int_equal(seen.ncanceled, ncancel);
    for (size_t k = 0, c = 0; k < NORD; k += 7) {
        char coid[TC_CLIENT_ORDER_ID_MAX];
        coid_of(k, coid);
        if (k % 5 != 3)
            assert_string_equal(seen.canceled[c++], coid);
    }
    /* each again, backwards: its first answer (a canceled order's status is
     * its end) */
    for (size_t k = NORD; k-- > 0;) {
        struct tc_order_intent o = intent_of(k);
        struct tc_broker_ack again;
        memset(o.client_order_id + strlen(o.client_order_id) + 1, 'x',
               sizeof(o.client_order_id) - strlen(o.client_order_id) - 1);
        memset(&again, 0x5a, sizeof(again));
        tc_assert_ok(tc_broker_submit(b, &o, &again, &err), &err);
        assert_string_equal(again.broker_order_id, acks[k].broker_order_id);
        assert_string_equal(again.reason, acks[k].reason);
        assert_int_equal(again.status, k % 5 == 3   ? TC_ORDER_REJECTED
                                       : k % 7 == 0 ? TC_ORDER_CANCELED
                                                    : TC_ORDER_SUBMITTED);
    }
    /* the next bar fills the others, in order, each under its own ids */
    memset(&bar, 0, sizeof(bar));
    bar.day = 2;
    bar.open = tc_test_dec("10");
    bar.high = tc_test_dec("12");
    bar.low = tc_test_dec("9");
    bar.close = tc_test_dec("11");
    bar.adj_close = bar.close;
    bar.volume = 1000000;
    tc_assert_ok(tc_broker_on_bar(b, "AAA", &bar, &err), &err);
    for (size_t k = 0; k < NORD; k++) {
        char coid[TC_CLIENT_ORDER_ID_MAX];
        if (k % 5 == 3 || k % 7 == 0)
            continue;
        coid_of(k, coid);
        assert_true(nfill < seen.nfills);
        snprintf(want, sizeof(want), "%s.%zu-F1", prefix, k + 1);
        assert_string_equal(seen.fills[nfill].execution_id, want);
        assert_string_equal(seen.fills[nfill].client_order_id, coid);
        assert_int_equal(seen.fills[nfill].execution_id[TC_BROKER_ID_MAX - 1], '\0');
        nfill++;
    }
    assert_int_equal(seen.nfills, nfill);
    assert_int_equal(tc_broker_sim_working(b), 0);
    tc_broker_free(b);
    free(acks);
    free(seen.fills);
    free(seen.canceled);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
