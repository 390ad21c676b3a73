/*
 * The acknowledgement of an order submitted inside the signal transaction of
 * an in-memory ledger: the order made in that transaction is acknowledged
 * without being read back (NEW, version 1), and read as any other when an
 * update reported from inside the submit moved it first. A broker of the
 * test's own (in_txn for every intent) answers SUBMITTED or REJECTED and may
 * report a cancel of the order before it answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/broker.h"
#include "tradecore/clock.h"
#include "tradecore/ledger.h"
#include "tradecore/refdata.h"
#include "tradecore/signal.h"

#define T0 INT64_C(1700000000000000)

/* The test's broker: its answer, and whether it cancels the order (through
 * the update handler) before answering. */
struct ackb {
    struct tc_broker base;
    enum tc_order_status answer;
    int cancel_first;
    int update_rc;                 /* what the handler said to the cancel */
    tc_broker_update_fn on_update;
    void *update_ud;
    int submits;
};

static int ackb_submit(struct tc_broker *b, const struct tc_order_intent *intent,
                       struct tc_broker_ack *ack, struct tc_error *err)
{
    struct ackb *k = (struct ackb *)b;
    (void)err;
    k->submits++;
    if (k->cancel_first) {
        struct tc_order_update u;
        memset(&u, 0, sizeof(u));
        memcpy(u.client_order_id, intent->client_order_id, sizeof(u.client_order_id));
        u.status = TC_ORDER_CANCELED;
        u.remaining = intent->quantity;
        u.at_us = T0;
        k->update_rc = k->on_update(&u, k->update_ud);
    }
    snprintf(ack->broker_order_id, sizeof(ack->broker_order_id), "b-%d", k->submits);
    ack->status = k->answer;
    if (k->answer == TC_ORDER_REJECTED)
        snprintf(ack->reason, sizeof(ack->reason), "no");
    return 0;
}

static int ackb_in_txn(struct tc_broker *b, const struct tc_order_intent *intent)
{
    (void)b;
    (void)intent;
    return 1;
}

static void ackb_set_update_handler(struct tc_broker *b, tc_broker_update_fn fn, void *ud)
{
    struct ackb *k = (struct ackb *)b;
    k->on_update = fn;
    k->update_ud = ud;
}

static void ackb_free(struct tc_broker *b) { (void)b; }

static const struct tc_broker_ops ackb_ops = {
    .name = "ackb",
    .submit = ackb_submit,
    .free = ackb_free,
    .in_txn = ackb_in_txn,
    .set_update_handler = ackb_set_update_handler,
};

struct world {
    struct tc_manual_clock clock;
    struct tc_ledger_seq_ids ids;
    struct ackb broker;
    struct tc_ledger *l;
};

static void world_open(struct world *w)
{
    struct tc_ledger_options o;
    struct tc_error err = {0};
    struct tc_instrument in;
    struct tc_portfolio_def p;
    struct tc_strategy_def s;

    memset(w, 0, sizeof(*w));
    w->broker.base.ops = &ackb_ops;
    w->broker.answer = TC_ORDER_SUBMITTED;
    snprintf(w->ids.prefix, sizeof(w->ids.prefix), "t");
    tc_manual_clock_init(&w->clock, T0);
    tc_ledger_options_default(&o);
    o.in_memory = 1;
    o.clock = &w->clock.clock;
    o.mode = TC_MODE_BACKTEST;
    o.run_id = "run1";
    o.broker = &w->broker.base;
    o.id_fn = tc_ledger_seq_id;
    o.id_ud = &w->ids;
    tc_assert_ok(tc_ledger_open(&o, &w->l, &err), &err);
    tc_instrument_init(&in);
    snprintf(in.instrument_id, sizeof(in.instrument_id), "ES");
    snprintf(in.market_id, sizeof(in.market_id), "XNYS");
    in.asset_class = TC_ASSET_FUTURE;
    snprintf(in.symbol, sizeof(in.symbol), "ES");
    snprintf(in.currency, sizeof(in.currency), "USD");
    in.multiplier = tc_test_dec("1");
    in.status = TC_INSTRUMENT_ACTIVE;
    tc_assert_ok(tc_ledger_mem_add_instrument(w->l, &in, &err), &err);
    memset(&p, 0, sizeof(p));
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "p1");
    snprintf(p.name, sizeof(p.name), "p1");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    p.initial_capital = tc_test_dec("100000");
    tc_assert_ok(tc_ledger_mem_add_portfolio(w->l, &p, &err), &err);
    memset(&s, 0, sizeof(s));
    snprintf(s.strategy_id, sizeof(s.strategy_id), "s1");
    snprintf(s.name, sizeof(s.name), "s1");
    s.enabled = 1;
    s.params = (char *)"{}";
    tc_assert_ok(tc_ledger_mem_add_strategy(w->l, &s, &err), &err);
}

/* A BASE_ENTRY of 3 ES at 100 (signal id ID). */
static int entry(struct world *w, const char *id, struct tc_signal_outcome *o,
                 struct tc_error *err)
{
    struct tc_signal s;
    memset(&s, 0, sizeof(s));
    snprintf(s.portfolio, sizeof(s.portfolio), "p1");
    snprintf(s.strategy, sizeof(s.strategy), "s1");
    snprintf(s.instrument, sizeof(s.instrument), "ES");
    snprintf(s.signal_id, sizeof(s.signal_id), "%s", id);
    s.has_signal_id = 1;
    s.type = TC_SIGNAL_BASE_ENTRY;
    s.side = TC_SIDE_LONG;
    s.timestamp_us = T0;
    s.price = tc_test_dec("100");
    s.has_price = 1;
    s.quantity = tc_test_dec("3");
    s.has_quantity = 1;
    snprintf(s.reason, sizeof(s.reason), "go long");
    return tc_ledger_submit(w->l, &s, o, err);
}

/* An EXIT of ES with REASON (may be ""), signal id ID. */
static int exit_sig(struct world *w, const char *id, const char *reason,
                    struct tc_signal_outcome *o, struct tc_error *err)
{
    struct tc_signal s;
    memset(&s, 0, sizeof(s));
    snprintf(s.portfolio, sizeof(s.portfolio), "p1");
    snprintf(s.strategy, sizeof(s.strategy), "s1");
    snprintf(s.instrument, sizeof(s.instrument), "ES");
    snprintf(s.signal_id, sizeof(s.signal_id), "%s", id);
    snprintf(s.reason, sizeof(s.reason), "%s", reason);
    s.has_signal_id = 1;
    s.type = TC_SIGNAL_EXIT;
    s.side = TC_SIDE_LONG;
    s.timestamp_us = T0;
    s.price = tc_test_dec("100");
    s.has_price = 1;
    return tc_ledger_submit(w->l, &s, o, err);
}

static void fill_as(struct tc_fill *f, const char *fingerprint, const char *suffix,
                    const char *exec)
{
    tc_test_fill(f, exec, fingerprint, suffix, "3", "101", T0);
}

static void fill_of(struct tc_fill *f, const char *fingerprint, const char *exec)
{
    fill_as(f, fingerprint, ":L0", exec);
}

/* Acknowledged SUBMITTED without a read: a fill of the order applies. */
static void test_ack_submitted(void **state)
{
    struct world w;
    struct tc_signal_outcome o;
    struct tc_position p;
    struct tc_error err = {0};
    struct tc_fill f;
    int applied = -1;

    (void)state;
    world_open(&w);
    tc_assert_ok(entry(&w, "e-1", &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(w.broker.submits, 1);
    assert_string_equal(o.order_id, "ord-t-2");
    fill_of(&f, o.fingerprint, "x-1");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    tc_assert_ok(tc_ledger_position_get(w.l, o.position_id, &p, &err), &err);
    assert_true(tc_dec_cmp(p.quantity, tc_test_dec("3")) == 0);
    assert_int_equal(p.status, TC_POSITION_OPEN);
    tc_ledger_close(w.l);
}

/* Acknowledged REJECTED without a read: a fill of the order is refused,
 * naming its status, and changes nothing. */
static void test_ack_rejected(void **state)
{
    struct world w;
    struct tc_signal_outcome o;
    struct tc_position p;
    struct tc_error err = {0};
    struct tc_fill f;
    int applied = -1;

    (void)state;
    world_open(&w);
    w.broker.answer = TC_ORDER_REJECTED;
    tc_assert_ok(entry(&w, "e-1", &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    fill_of(&f, o.fingerprint, "x-1");
    assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_ESTATE);
    assert_string_equal(tc_error_msg(&err), "fill \"x-1\": order \"ord-t-2\" is REJECTED");
    assert_int_equal(applied, 0);
    tc_assert_ok(tc_ledger_position_get(w.l, o.position_id, &p, &err), &err);
    assert_true(tc_dec_is_zero(p.quantity));
    tc_ledger_close(w.l);
}

/* The broker cancels the order from inside its submit (the update is
 * applied in the signal's transaction, moving the order's version): the
 * acknowledgement reads it back and keeps it CANCELED, the entry's layer
 * closed empty; the signal is accepted, not failed by a conflict. Then an
 * acknowledged one on the same instrument, as usual. */
static void test_ack_after_update(void **state)
{
    struct world w;
    struct tc_signal_outcome o, o2;
    struct tc_position p;
    struct tc_error err = {0};
    struct tc_fill f;
    int applied = -1;

    (void)state;
    world_open(&w);
    w.broker.cancel_first = 1;
    tc_assert_ok(entry(&w, "e-1", &o, &err), &err);
    assert_int_equal(w.broker.update_rc, 0);
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(o.duplicate, 0);
    tc_assert_ok(tc_ledger_position_get(w.l, o.position_id, &p, &err), &err);
    assert_int_equal(p.status, TC_POSITION_CLOSED);
    assert_string_equal(p.exit_reason, "entry canceled");
    assert_int_equal(p.version, 2);
    fill_of(&f, o.fingerprint, "x-1");
    assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_ESTATE);
    assert_string_equal(tc_error_msg(&err), "fill \"x-1\": order \"ord-t-2\" is CANCELED");
    w.broker.cancel_first = 0;
    tc_assert_ok(entry(&w, "e-2", &o2, &err), &err);
    assert_int_equal(o2.status, TC_SIGNAL_ACCEPTED);
    assert_string_equal(o2.order_id, "ord-t-5"); /* fill-t-3 counted by the refused fill */
    fill_of(&f, o2.fingerprint, "x-2");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    tc_ledger_close(w.l);
}

/* A closing fill gives its position the exit order's reason (the signal's,
 * else "exit"), and an entry canceled from inside the submit "entry
 * canceled" whatever its order's reason, one after the other. */
static void test_exit_reasons(void **state)
{
    struct world w;
    struct tc_signal_outcome e, x;
    struct tc_position p;
    struct tc_error err = {0};
    struct tc_fill f;
    int applied = -1;

    (void)state;
    world_open(&w);
    /* an exit with a reason */
    tc_assert_ok(entry(&w, "e-1", &e, &err), &err);
    fill_as(&f, e.fingerprint, ":L0", "x-1");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    tc_assert_ok(exit_sig(&w, "x-1", "stop hit", &x, &err), &err);
    assert_int_equal(x.status, TC_SIGNAL_ACCEPTED);
    fill_as(&f, x.fingerprint, ":X0", "x-2");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    tc_assert_ok(tc_ledger_position_get(w.l, e.position_id, &p, &err), &err);
    assert_int_equal(p.status, TC_POSITION_CLOSED);
    assert_string_equal(p.exit_reason, "stop hit");
    /* canceled from inside the submit, its entry's order with a reason */
    w.broker.cancel_first = 1;
    tc_assert_ok(entry(&w, "e-2", &e, &err), &err);
    w.broker.cancel_first = 0;
    tc_assert_ok(tc_ledger_position_get(w.l, e.position_id, &p, &err), &err);
    assert_string_equal(p.exit_reason, "entry canceled");
    /* an exit without a reason, then one with the first one's again */
    tc_assert_ok(entry(&w, "e-3", &e, &err), &err);
    fill_as(&f, e.fingerprint, ":L0", "x-3");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    tc_assert_ok(exit_sig(&w, "x-3", "", &x, &err), &err);
    fill_as(&f, x.fingerprint, ":X0", "x-4");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    tc_assert_ok(tc_ledger_position_get(w.l, e.position_id, &p, &err), &err);
    assert_string_equal(p.exit_reason, "exit");
    tc_assert_ok(entry(&w, "e-4", &e, &err), &err);
    fill_as(&f, e.fingerprint, ":L0", "x-5");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    tc_assert_ok(exit_sig(&w, "x-5", "stop hit", &x, &err), &err);
    fill_as(&f, x.fingerprint, ":X0", "x-6");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    tc_assert_ok(tc_ledger_position_get(w.l, e.position_id, &p, &err), &err);
    assert_string_equal(p.exit_reason, "stop hit");
    tc_ledger_close(w.l);
}

/* A position's lots after each fill: its quantity over the lot size
 * (rounded down at the eighth place: 15 of a lot of 10 is 1.5), and the quantity
 * itself for a lot of 1. */
static void test_fill_lots(void **state)
{
    struct world w;
    struct tc_signal_outcome o;
    struct tc_position p;
    struct tc_error err = {0};
    struct tc_instrument in;
    struct tc_signal s;
    struct tc_fill f;
    int applied = -1;

    (void)state;
    world_open(&w);
    tc_instrument_init(&in);
    snprintf(in.instrument_id, sizeof(in.instrument_id), "NQ");
    snprintf(in.market_id, sizeof(in.market_id), "XNYS");
    in.asset_class = TC_ASSET_FUTURE;
    snprintf(in.symbol, sizeof(in.symbol), "NQ");
    snprintf(in.currency, sizeof(in.currency), "USD");
    in.multiplier = tc_test_dec("1");
    in.lot_size = tc_test_dec("10");
    in.status = TC_INSTRUMENT_ACTIVE;
    tc_assert_ok(tc_ledger_mem_add_instrument(w.l, &in, &err), &err);
    memset(&s, 0, sizeof(s));
    snprintf(s.portfolio, sizeof(s.portfolio), "p1");
    snprintf(s.strategy, sizeof(s.strategy), "s1");
    snprintf(s.instrument, sizeof(s.instrument), "NQ");
    snprintf(s.signal_id, sizeof(s.signal_id), "n-1");
    s.has_signal_id = 1;
    s.type = TC_SIGNAL_BASE_ENTRY;
    s.side = TC_SIDE_LONG;
    s.timestamp_us = T0;
    s.price = tc_test_dec("100");
    s.has_price = 1;
    s.quantity = tc_test_dec("30");
    s.has_quantity = 1;
    tc_assert_ok(tc_ledger_submit(w.l, &s, &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    fill_as(&f, o.fingerprint, ":L0", "y-1");
    f.quantity = tc_test_dec("15");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    tc_assert_ok(tc_ledger_position_get(w.l, o.position_id, &p, &err), &err);
    assert_true(tc_dec_cmp(p.quantity, tc_test_dec("15")) == 0);
    assert_true(tc_dec_cmp(p.lots, tc_test_dec("1.5")) == 0);
    fill_as(&f, o.fingerprint, ":L0", "y-2");
    f.quantity = tc_test_dec("15");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    tc_assert_ok(tc_ledger_position_get(w.l, o.position_id, &p, &err), &err);
    assert_true(tc_dec_cmp(p.lots, tc_test_dec("3")) == 0);
    /* a lot of 1 */
    tc_assert_ok(entry(&w, "e-1", &o, &err), &err);
    fill_as(&f, o.fingerprint, ":L0", "y-3");
    f.quantity = tc_test_dec("2");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    tc_assert_ok(tc_ledger_position_get(w.l, o.position_id, &p, &err), &err);
    assert_true(tc_dec_cmp(p.lots, tc_test_dec("2")) == 0);
    tc_ledger_close(w.l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ack_submitted),
        cmocka_unit_test(test_ack_rejected),
        cmocka_unit_test(test_ack_after_update),
        cmocka_unit_test(test_exit_reasons),
        cmocka_unit_test(test_fill_lots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
