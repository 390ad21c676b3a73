/* The ledger's order path: one commit per signal with a broker that takes
 * intents inside the signal transaction (instant), a rollback after such a
 * submit leaving no trace and a resubmission working; acknowledgement and
 * synchronous fills in one transaction for other brokers; orders ending
 * EXPIRED/CANCELED through the sim broker's updates (position keeps the
 * filled part, open_orders and the ledger agree) and every bad update
 * refused; deterministic ids from an id generator. On sqlite files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/broker.h"
#include "tradecore/broker_sim.h"
#include "tradecore/ledger.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */
#define TS "2025-11-21T22:50:00Z"
#define DAY1 INT64_C(20402)          /* 2025-11-10 in days since 1970-01-01 */
#define DEC(n) tc_dec_from_raw(INT64_C(n) * TC_DEC_ONE)

struct fx {
    struct tc_store *rt, *hist;
    struct tc_manual_clock clock;
    struct tc_broker *broker;
    struct tc_ledger *l;
    int commits;                     /* "*:before_commit" points met */
    const char *fail_at;             /* the fault hook fails there when set */
    struct tc_ledger_seq_ids ids;
};

static int hook(const char *point, void *ud)
{
    struct fx *f = ud;
    if (strstr(point, "before_commit"))
        f->commits++;
    return (f->fail_at && strcmp(point, f->fail_at) == 0) ? TC_EIO : 0;
}

static int open_ledger(struct fx *f, struct tc_broker *b, enum tc_mode mode, int seq)
{
    struct tc_ledger_options o;
    struct tc_error err = {0};
    tc_ledger_options_default(&o);
    o.runtime = f->rt;
    o.historical = f->hist;
    o.clock = &f->clock.clock;
    o.broker = b;
    o.mode = mode;
    o.fault = hook;
    o.fault_ud = f;
    if (seq) {
        o.id_fn = tc_ledger_seq_id;
        o.id_ud = &f->ids;
    }
    if (tc_ledger_open(&o, &f->l, &err) != 0) {
        fprintf(stderr, "ledger open: %s\n", tc_error_msg(&err));
        return -1;
    }
    return 0;
}

static int make_fx(struct fx *f, const char *name)
{
    char dir[512], url[600];
    struct tc_error err = {0};
    struct tc_refdata rd;
    struct tc_accounts acc;

    memset(f, 0, sizeof(*f));
    if (tc_test_tmpdir(name, dir, sizeof(dir)) != 0)
        return -1;
    snprintf(url, sizeof(url), "sqlite:%s/rt.db", dir);
    if (tc_store_open(url, NULL, &f->rt, &err) != 0)
        return -1;
    f->hist = f->rt;
    if (tc_migrate_latest(f->rt, "runtime", &err) != 0 ||
        tc_migrate_latest(f->rt, "historical", &err) != 0)
        return -1;
    tc_manual_clock_init(&f->clock, T0);
    rd = (struct tc_refdata){f->hist, &f->clock.clock, "tester"};
    acc = (struct tc_accounts){f->rt, &f->clock.clock, "tester"};
    if (tc_test_seed_market(&rd, "NYSE", &err) != 0 ||
        tc_test_seed_instrument(&rd, "ES", TC_ASSET_EQUITY, NULL, &err) != 0 ||
        tc_test_seed_portfolio(&acc, "p1", &err) != 0 ||
        tc_test_seed_strategy(&acc, "s1", 1, NULL, &err) != 0) {
        fprintf(stderr, "setup: %s\n", tc_error_msg(&err));
        return -1;
    }
    snprintf(f->ids.prefix, sizeof(f->ids.prefix), "%s", name);
    return 0;
}

static void free_fx(struct fx *f)
{
    tc_ledger_close(f->l);
    tc_broker_free(f->broker);
    tc_store_close(f->rt);
}

static char cell[512];
static int cell_cb(const struct tc_row *row, void *ud)
{
    const char *t = NULL;
    (void)ud;
    snprintf(cell, sizeof(cell), "%s",
             tc_row_is_null(row, 0) ? "NULL" : (tc_row_text(row, 0, &t) == 0 ? t : "?"));
    return 1;
}

/* The first column of the first row of SQL, as text ("" when none). */
static const char *q1(struct fx *f, const char *sql)
{
    struct tc_error err = {0};
    cell[0] = '\0';
    tc_assert_ok(tc_store_exec(f->rt, sql, NULL, 0, cell_cb, NULL, NULL, &err), &err);
    return cell;
}

/* Every row of the ledger's tables, in a fixed order, as text. */
static char *dump(struct fx *f)
{
    static const char *const sql[] = {
        "SELECT group_concat(x, '|') FROM (SELECT position_id || ',' || status || ',' || quantity"
        " || ',' || version AS x FROM positions ORDER BY position_id)",
        "SELECT group_concat(x, '|') FROM (SELECT order_id || ',' || client_order_id || ',' || "
        "status || ',' || filled_quantity || ',' || COALESCE(broker_order_id, '-') AS x FROM "
        "orders ORDER BY order_id)",
        "SELECT group_concat(x, '|') FROM (SELECT fill_id || ',' || execution_id || ',' || "
        "quantity AS x FROM fills ORDER BY fill_id)",
        "SELECT group_concat(x, '|') FROM (SELECT trade_id || ',' || net_pnl AS x FROM trades "
        "ORDER BY trade_id)",
        "SELECT group_concat(x, '|') FROM (SELECT fingerprint || ',' || status AS x FROM "
        "signal_log ORDER BY fingerprint)",
        "SELECT COALESCE((SELECT cash || ',' || version FROM portfolio_state), '-')",
    };
    size_t cap = 1 << 16, n = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    for (size_t k = 0; k < sizeof(sql) / sizeof(sql[0]); k++)
        n += (size_t)snprintf(out + n, cap - n, "%s\n", q1(f, sql[k]));
    return out;
}

static void sig(char *buf, size_t cap, const char *type, const char *id, const char *extra)
{
    snprintf(buf, cap,
             "{\"type\":\"%s\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"ES\","
             "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"signal_id\":\"%s\"%s}",
             type, id, extra);
}

static void accepted(struct fx *f, const char *json, struct tc_signal_outcome *o)
{
    struct tc_error err = {0};
    tc_assert_ok(tc_ledger_submit_signal(f->l, json, (size_t)-1, o, &err), &err);
    assert_int_equal(o->status, TC_SIGNAL_ACCEPTED);
}

/* ------------------------------------------------------------------------ */

static void test_one_commit_per_signal(void **state)
{
    struct fx f;
    struct tc_signal_outcome o;
    struct tc_broker_account acct;
    struct tc_error err = {0};
    char json[512];
    (void)state;

    assert_int_equal(make_fx(&f, "onecommit"), 0);
    tc_assert_ok(tc_broker_instant_new(NULL, &f.broker, &err), &err);
    assert_int_equal(tc_broker_in_txn(f.broker, &(struct tc_order_intent){0}), 1);
    assert_int_equal(open_ledger(&f, f.broker, TC_MODE_PAPER, 0), 0);
    sig(json, sizeof(json), "BASE_ENTRY", "e1", ",\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"10\"");
    f.commits = 0;
    accepted(&f, json, &o);
    assert_int_equal(f.commits, 1);
    /* signal, position, order, acknowledgement and fill committed together */
    assert_string_equal(q1(&f, "SELECT status || ',' || filled_quantity || ',' || broker_order_id "
                               "FROM orders"),
                        "FILLED,1000000000,instant-id:e1:L0");
    assert_string_equal(q1(&f, "SELECT quantity || ',' || version FROM positions"), "1000000000,2");
    assert_string_equal(q1(&f, "SELECT count(*) FROM fills"), "1");
    sig(json, sizeof(json), "EXIT", "x1", ",\"price\":\"105\"");
    f.commits = 0;
    accepted(&f, json, &o);
    assert_int_equal(f.commits, 1);
    assert_string_equal(q1(&f, "SELECT gross_pnl FROM trades"), "5000000000");
    assert_string_equal(q1(&f, "SELECT status FROM positions"), "closed");
    tc_assert_ok(tc_broker_account(f.broker, &acct, &err), &err);
    assert_int_equal(acct.orders, 2);
    free_fx(&f);
}

static void test_rollback_after_in_txn_submit(void **state)
{
    struct fx f;
    struct tc_signal_outcome o;
    struct tc_position pos;
    struct tc_error err = {0};
    char json[512], *empty, *after;
    size_t n = 9;
    (void)state;

    assert_int_equal(make_fx(&f, "rollback"), 0);
    tc_assert_ok(tc_broker_instant_new(NULL, &f.broker, &err), &err);
    assert_int_equal(open_ledger(&f, f.broker, TC_MODE_PAPER, 0), 0);
    empty = dump(&f);
    sig(json, sizeof(json), "BASE_ENTRY", "r1", ",\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"7\"");
    /* the transaction fails after the broker answered and filled inside it */
    f.fail_at = "signal:before_commit";
    assert_int_equal(tc_ledger_submit_signal(f.l, json, (size_t)-1, &o, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "not recorded"));
    after = dump(&f);
    assert_string_equal(after, empty); /* no trace: no signal, order, fill, position, state */
    free(after);
    tc_assert_ok(tc_ledger_positions_open(f.l, "p1", NULL, NULL, 0, &n, &err), &err);
    assert_int_equal(n, 0);
    /* the same signal again: the broker answers as before, applied once */
    f.fail_at = NULL;
    accepted(&f, json, &o);
    assert_int_equal(o.duplicate, 0);
    assert_string_equal(q1(&f, "SELECT status || ',' || filled_quantity FROM orders"), "FILLED,700000000");
    assert_string_equal(q1(&f, "SELECT execution_id FROM fills"), "instant:id:r1:L0");
    assert_string_equal(q1(&f, "SELECT count(*) FROM fills"), "1");
    tc_assert_ok(tc_ledger_position_get(f.l, o.position_id, &pos, &err), &err);
    assert_int_equal(pos.quantity.raw, DEC(7).raw);
    assert_int_equal(pos.version, 2);
    /* and once more: a duplicate, nothing changes */
    after = dump(&f);
    accepted(&f, json, &o);
    assert_int_equal(o.duplicate, 1);
    {
        char *again = dump(&f);
        assert_string_equal(again, after);
        free(again);
    }
    free(after);
    free(empty);
    free_fx(&f);
}

/* `instant` behind a broker without in_txn (tc_test_twophase): two commits,
 * the second holding the acknowledgement and the fill. */
static void test_two_phase_ack_and_fill_together(void **state)
{
    struct fx f;
    struct tc_test_twophase tp;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    char json[512];
    size_t n = 0;
    (void)state;

    assert_int_equal(make_fx(&f, "twophase"), 0);
    tc_assert_ok(tc_broker_instant_new(NULL, &f.broker, &err), &err);
    tc_test_twophase_init(&tp, f.broker);
    assert_int_equal(tc_broker_in_txn(&tp.base, &(struct tc_order_intent){0}), 0);
    assert_int_equal(open_ledger(&f, &tp.base, TC_MODE_PAPER, 0), 0);
    sig(json, sizeof(json), "BASE_ENTRY", "t1", ",\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"3\"");
    f.commits = 0;
    accepted(&f, json, &o);
    assert_int_equal(f.commits, 2);
    assert_string_equal(q1(&f, "SELECT status || ',' || filled_quantity FROM orders"), "FILLED,300000000");
    /* a failure of that second transaction: intent NEW, no fill; recovery once */
    sig(json, sizeof(json), "EXIT", "t2", ",\"price\":\"110\"");
    f.fail_at = "ack:before_commit";
    accepted(&f, json, &o);
    f.fail_at = NULL;
    assert_string_equal(q1(&f, "SELECT status FROM orders WHERE client_order_id = 'id:t2:X0'"), "NEW");
    assert_string_equal(q1(&f, "SELECT count(*) FROM fills"), "1");
    tc_assert_ok(tc_ledger_resubmit_pending(f.l, &n, &err), &err);
    assert_int_equal(n, 1);
    assert_string_equal(q1(&f, "SELECT status FROM orders WHERE client_order_id = 'id:t2:X0'"), "FILLED");
    assert_string_equal(q1(&f, "SELECT count(*) FROM fills"), "2");
    tc_assert_ok(tc_ledger_resubmit_pending(f.l, &n, &err), &err);
    assert_int_equal(n, 0);
    tc_ledger_close(f.l);
    f.l = NULL;
    free_fx(&f);
}

/* ------------------------------------------------------------------------ */
/* Orders ending unfilled                                                     */

static int count_open(const struct tc_order_intent *i, void *ud)
{
    (void)i;
    (*(int *)ud)++;
    return 0;
}

static struct tc_bar bar(int64_t day, const char *px, int64_t vol)
{
    struct tc_bar b;
    memset(&b, 0, sizeof(b));
    b.day = day;
    tc_dec_parse(px, (size_t)-1, &b.open, NULL);
    b.high = b.low = b.close = b.open;
    b.adj_close = b.open;
    b.volume = vol;
    return b;
}

/* A capped entry's rest stays working from bar to bar (the ledger's orders
 * are GTC); an EXIT in PAPER (the sim broker has no in_txn there) cancels
 * the rest after its commit, and exits what was filled. */
static void test_capped_rest_and_exit_cancel(void **state)
{
    struct fx f;
    struct tc_broker_sim_options so;
    struct tc_signal_outcome o, x;
    struct tc_position pos;
    struct tc_error err = {0};
    struct tc_bar b;
    char json[512];
    int working = -1;
    (void)state;

    assert_int_equal(make_fx(&f, "expire"), 0);
    tc_broker_sim_options_default(&so);
    so.clock = &f.clock.clock;
    tc_dec_parse("0.1", (size_t)-1, &so.sim.volume_cap, NULL);
    tc_assert_ok(tc_broker_sim_new(&so, &f.broker, &err), &err);
    assert_int_equal(open_ledger(&f, f.broker, TC_MODE_PAPER, 0), 0);
    tc_assert_ok(tc_broker_sim_set_day(f.broker, DAY1, &err), &err);
    sig(json, sizeof(json), "BASE_ENTRY", "v1", ",\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"50\"");
    accepted(&f, json, &o);
    assert_string_equal(q1(&f, "SELECT status || ',' || time_in_force FROM orders"), "SUBMITTED,GTC");
    /* next day: a volume cap of 10% of 200 fills 20 of 50, the rest works on */
    b = bar(DAY1 + 1, "101", 200);
    tc_assert_ok(tc_broker_on_bar(f.broker, "ES", &b, &err), &err);
    assert_string_equal(q1(&f, "SELECT status || ',' || filled_quantity FROM orders"),
                        "PARTIALLY_FILLED,2000000000");
    tc_assert_ok(tc_broker_sim_set_day(f.broker, DAY1 + 1, &err), &err);
    b = bar(DAY1 + 2, "102", 100);
    tc_assert_ok(tc_broker_on_bar(f.broker, "ES", &b, &err), &err);
    assert_string_equal(q1(&f, "SELECT status || ',' || filled_quantity FROM orders"),
                        "PARTIALLY_FILLED,3000000000");
    tc_assert_ok(tc_ledger_position_get(f.l, o.position_id, &pos, &err), &err);
    assert_int_equal(pos.quantity.raw, DEC(30).raw);
    assert_int_equal(pos.status, TC_POSITION_OPEN);
    working = 0;
    tc_assert_ok(tc_broker_open_orders(f.broker, count_open, &working, &err), &err);
    assert_int_equal(working, 1);
    /* the EXIT: the rest (20) canceled after the commit, the 30 held exited */
    sig(json, sizeof(json), "EXIT", "v2", ",\"price\":\"101\"");
    accepted(&f, json, &x);
    assert_string_equal(x.reason, "exit: 1 layer(s) of ES (canceling 1 working entry order(s))");
    assert_string_equal(q1(&f, "SELECT status || ',' || filled_quantity FROM orders WHERE "
                               "client_order_id = 'id:v1:L0'"), "CANCELED,3000000000");
    assert_string_equal(q1(&f, "SELECT quantity || ',' || status FROM orders WHERE "
                               "client_order_id = 'id:v2:X0'"), "3000000000,SUBMITTED");
    tc_assert_ok(tc_ledger_position_get(f.l, o.position_id, &pos, &err), &err);
    assert_int_equal(pos.quantity.raw, DEC(30).raw);
    assert_int_equal(pos.status, TC_POSITION_OPEN);
    assert_string_equal(pos.exit_reason, ""); /* the cancel is done: no mark left */
    assert_int_equal(tc_broker_sim_working(f.broker), 1);

    /* cancel the exit: CANCELED with nothing filled, the position stays as it was */
    tc_assert_ok(tc_broker_cancel(f.broker, "id:v2:X0", &err), &err);
    assert_string_equal(q1(&f, "SELECT status FROM orders WHERE client_order_id = 'id:v2:X0'"), "CANCELED");
    tc_assert_ok(tc_ledger_position_get(f.l, o.position_id, &pos, &err), &err);
    assert_int_equal(pos.quantity.raw, DEC(30).raw);
    assert_int_equal(pos.status, TC_POSITION_OPEN);
    {
        size_t nv = 9;
        tc_assert_ok(tc_ledger_check(f.l, NULL, NULL, &nv, &err), &err);
        assert_int_equal(nv, 0);
    }
    free_fx(&f);
}

static void test_entry_canceled_unfilled_closes_empty(void **state)
{
    struct fx f;
    struct tc_broker_sim_options so;
    struct tc_signal_outcome o;
    struct tc_position pos;
    struct tc_error err = {0};
    char json[512];
    size_t n = 9, nv = 9;
    (void)state;

    assert_int_equal(make_fx(&f, "cancel"), 0);
    tc_broker_sim_options_default(&so);
    so.clock = &f.clock.clock;
    tc_assert_ok(tc_broker_sim_new(&so, &f.broker, &err), &err);
    assert_int_equal(open_ledger(&f, f.broker, TC_MODE_PAPER, 0), 0);
    tc_assert_ok(tc_broker_sim_set_day(f.broker, DAY1, &err), &err);
    sig(json, sizeof(json), "BASE_ENTRY", "c1", ",\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"5\"");
    accepted(&f, json, &o);
    tc_assert_ok(tc_broker_cancel(f.broker, "id:c1:L0", &err), &err);
    assert_string_equal(q1(&f, "SELECT status FROM orders"), "CANCELED");
    tc_assert_ok(tc_ledger_position_get(f.l, o.position_id, &pos, &err), &err);
    assert_int_equal(pos.status, TC_POSITION_CLOSED);
    assert_int_equal(pos.quantity.raw, 0);
    assert_string_equal(pos.exit_reason, "entry canceled");
    tc_assert_ok(tc_ledger_positions_open(f.l, "p1", NULL, NULL, 0, &n, &err), &err);
    assert_int_equal(n, 0);
    assert_string_equal(q1(&f, "SELECT count(*) FROM trades"), "0");
    tc_assert_ok(tc_ledger_check(f.l, NULL, NULL, &nv, &err), &err);
    assert_int_equal(nv, 0);
    /* a new base may open again */
    sig(json, sizeof(json), "BASE_ENTRY", "c2", ",\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"5\"");
    accepted(&f, json, &o);
    free_fx(&f);
}

static void test_bad_order_updates(void **state)
{
    struct fx f;
    struct tc_signal_outcome o;
    struct tc_order_update u;
    struct tc_error err = {0};
    char json[512], *before, *after;
    (void)state;

    assert_int_equal(make_fx(&f, "badupd"), 0);
    assert_int_equal(open_ledger(&f, NULL, TC_MODE_PAPER, 0), 0); /* intents stay NEW */
    sig(json, sizeof(json), "BASE_ENTRY", "b1", ",\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"4\"");
    accepted(&f, json, &o);
    before = dump(&f);
    memset(&u, 0, sizeof(u));
    snprintf(u.client_order_id, sizeof(u.client_order_id), "id:b1:L0");
    u.status = TC_ORDER_EXPIRED;
    u.remaining = DEC(4);

    struct {
        const char *coid;
        int status;
        int64_t remaining;
        int code;
        const char *msg;
    } cases[] = {
        {"", TC_ORDER_EXPIRED, 4, TC_EINVAL, "client order id is empty"},
        {"nope:L0", TC_ORDER_EXPIRED, 4, TC_ENOTFOUND, "order \"nope:L0\" not found"},
        {"id:b1:L0", TC_ORDER_FILLED, 4, TC_EINVAL, "status FILLED is not EXPIRED or CANCELED"},
        {"id:b1:L0", 99, 4, TC_EINVAL, "status ? is not EXPIRED or CANCELED"},
        {"id:b1:L0", TC_ORDER_EXPIRED, -1, TC_EINVAL, "remaining quantity -1 is negative"},
        {"id:b1:L0", TC_ORDER_CANCELED, 3, TC_EINVAL, "with 3 remaining, but 4 is unfilled"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct tc_order_update c = u;
        snprintf(c.client_order_id, sizeof(c.client_order_id), "%s", cases[k].coid);
        c.status = (enum tc_order_status)cases[k].status;
        c.remaining = tc_dec_from_raw((cases[k].remaining) * TC_DEC_ONE);
        memset(&err, 0, sizeof(err));
        assert_int_equal(tc_ledger_apply_order_update(f.l, &c, &err), cases[k].code);
        if (!strstr(err.msg, cases[k].msg))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", k, err.msg, cases[k].msg);
        after = dump(&f);
        assert_string_equal(after, before);
        free(after);
    }
    {
        /* a client order id filling its buffer without a NUL */
        struct tc_order_update c = u;
        memset(c.client_order_id, 'x', sizeof(c.client_order_id));
        assert_int_equal(tc_ledger_apply_order_update(f.l, &c, &err), TC_EINVAL);
        assert_string_equal(err.msg, "order update: client order id is longer than 95 characters");
        after = dump(&f);
        assert_string_equal(after, before);
        free(after);
    }
    assert_int_equal(tc_ledger_apply_order_update(f.l, NULL, &err), TC_EINVAL);
    assert_int_equal(tc_ledger_apply_order_update(NULL, &u, &err), TC_EINVAL);
    /* the good one, then the same again (a no-op), then the other end (refused) */
    tc_assert_ok(tc_ledger_apply_order_update(f.l, &u, &err), &err);
    assert_string_equal(q1(&f, "SELECT status FROM orders"), "EXPIRED");
    free(before);
    before = dump(&f);
    tc_assert_ok(tc_ledger_apply_order_update(f.l, &u, &err), &err);
    u.status = TC_ORDER_CANCELED;
    assert_int_equal(tc_ledger_apply_order_update(f.l, &u, &err), TC_ESTATE);
    assert_non_null(strstr(err.msg, "is EXPIRED, not working (CANCELED refused)"));
    after = dump(&f);
    assert_string_equal(after, before);
    free(after);
    free(before);
    free_fx(&f);
}

/* ------------------------------------------------------------------------ */
/* Ids                                                                        */

static int bad_ids(void *ud, const char *kind, char *buf, size_t cap)
{
    (void)ud;
    snprintf(buf, cap, "%s with space", kind);
    return 0;
}

static void run_stream(struct fx *f)
{
    struct tc_signal_outcome o;
    char json[512];
    sig(json, sizeof(json), "BASE_ENTRY", "d1", ",\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"3\"");
    accepted(f, json, &o);
    sig(json, sizeof(json), "EXIT", "d3", ",\"price\":\"120\"");
    accepted(f, json, &o);
}

static void test_deterministic_ids(void **state)
{
    struct fx a, b;
    struct tc_ledger_options o;
    struct tc_signal_outcome so;
    struct tc_error err = {0};
    char *da, *db, json[512], buf[TC_ID_BUFSZ];
    (void)state;

    assert_int_equal(make_fx(&a, "ids"), 0);
    assert_int_equal(make_fx(&b, "ids"), 0);
    tc_assert_ok(tc_broker_instant_new(NULL, &a.broker, &err), &err);
    tc_assert_ok(tc_broker_instant_new(NULL, &b.broker, &err), &err);
    assert_int_equal(open_ledger(&a, a.broker, TC_MODE_PAPER, 1), 0);
    assert_int_equal(open_ledger(&b, b.broker, TC_MODE_PAPER, 1), 0);
    run_stream(&a);
    run_stream(&b);
    da = dump(&a);
    db = dump(&b);
    assert_string_equal(da, db);
    assert_string_equal(q1(&a, "SELECT min(order_id) FROM orders"), "ord-ids-2");
    assert_string_equal(q1(&a, "SELECT min(position_id) FROM positions"), "pos-ids-1");
    assert_string_equal(q1(&a, "SELECT min(trade_id) FROM trades"), "trd-pos-ids-1");
    assert_non_null(strstr(da, "fill-ids-3,instant:id:d1:L0"));
    free(da);
    free(db);
    free_fx(&b);

    /* the generator's own checks */
    struct tc_ledger_seq_ids s = {"", 0};
    assert_int_equal(tc_ledger_seq_id(&s, "ord", buf, sizeof(buf)), TC_EINVAL);
    snprintf(s.prefix, sizeof(s.prefix), "%s", "0123456789012345678901234567890123456789");
    s.n = UINT64_MAX - 1;
    assert_int_equal(tc_ledger_seq_id(&s, "fill", buf, sizeof(buf)), TC_ERANGE);
    assert_int_equal(tc_ledger_seq_id(&s, "ord", buf, 8), TC_ERANGE);

    /* a generator giving an invalid id: nothing recorded, the message says so */
    tc_ledger_close(a.l);
    tc_ledger_options_default(&o);
    o.runtime = a.rt;
    o.historical = a.hist;
    o.clock = &a.clock.clock;
    o.broker = a.broker;
    o.id_fn = bad_ids;
    tc_assert_ok(tc_ledger_open(&o, &a.l, &err), &err);
    da = dump(&a);
    sig(json, sizeof(json), "BASE_ENTRY", "d9", ",\"price\":\"100\",\"stop\":\"90\",\"quantity\":\"3\"");
    assert_int_equal(tc_ledger_submit_signal(a.l, json, (size_t)-1, &so, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "the pos id generator gave an invalid id \"pos with space\""));
    db = dump(&a);
    assert_string_equal(da, db);
    free(da);
    free(db);
    free_fx(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_commit_per_signal),
        cmocka_unit_test(test_rollback_after_in_txn_submit),
        cmocka_unit_test(test_two_phase_ack_and_fill_together),
        cmocka_unit_test(test_capped_rest_and_exit_cancel),
        cmocka_unit_test(test_entry_canceled_unfilled_closes_empty),
        cmocka_unit_test(test_bad_order_updates),
        cmocka_unit_test(test_deterministic_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
