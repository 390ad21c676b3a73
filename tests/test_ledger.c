/* The trading ledger on sqlite files and PostgreSQL: a BASE_ENTRY → PYRAMID →
 * PYRAMID → EXIT round trip to the last decimal, duplicates (same process and
 * two processes at once), recovery after close and after a crash between the
 * signal commit and the broker submission, every rejection changing nothing
 * but signal_log, duplicate and bad fills, optimistic locking between two
 * writers, concurrent saves, and a cache that never shows uncommitted state. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/broker.h"
#include "tradecore/ledger.h"
#include "tradecore/log.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */
#define TS "2025-11-21T22:50:00Z"
#define NCONC 10

struct fx {
    int pg;
    char rt_url[1024], hist_url[1024];
    struct tc_store *rt, *hist;
    struct tc_manual_clock clock;
    struct tc_broker *broker;
    struct tc_ledger *l;
    int fault_on;         /* the fault hook fails when set */
    const char *fault_point;
    int race_sleep_us;    /* the hook sleeps this long before a signal's writes */
};

static int fault_hook(const char *point, void *ud)
{
    struct fx *f = ud;
    if (f->race_sleep_us &&
        (strcmp(point, "signal:before_write") == 0 || strcmp(point, "fill:before_write") == 0))
        usleep((useconds_t)f->race_sleep_us);
    return (f->fault_on && strcmp(point, f->fault_point) == 0) ? TC_EIO : 0;
}

static void ledger_opts(struct fx *f, struct tc_ledger_options *o, struct tc_broker *b)
{
    tc_ledger_options_default(o);
    o->runtime = f->rt;
    o->historical = f->hist;
    o->clock = &f->clock.clock;
    o->broker = b;
    o->mode = TC_MODE_PAPER;
    o->fault = fault_hook;
    o->fault_ud = f;
}

static int open_ledger(struct fx *f)
{
    struct tc_ledger_options o;
    struct tc_error err = {0};
    ledger_opts(f, &o, f->broker);
    if (tc_ledger_open(&o, &f->l, &err) != 0) {
        fprintf(stderr, "ledger open: %s\n", tc_error_msg(&err));
        return -1;
    }
    return 0;
}

static int new_instant(struct tc_broker **b, const char *rate)
{
    struct tc_broker_instant_options io;
    tc_broker_instant_options_default(&io);
    tc_dec_parse(rate, (size_t)-1, &io.commission_rate, NULL);
    return tc_broker_instant_new(&io, b, NULL);
}

static int setup(void **state, int pg)
{
    struct tc_error err = {0};
    struct fx *f = calloc(1, sizeof(*f));
    struct tc_refdata rd;
    struct tc_accounts acc;
    static const char params[] =
        "{\"risk_fraction\":\"0.01\",\"max_pyramids\":2,\"pyramid_distance\":\"2\","
        "\"pyramid_size_fraction\":\"0.5\"}";

    if (!f)
        return -1;
    f->pg = pg;
    if (tc_test_ledger_stores("ledger", pg, f->rt_url, f->hist_url, sizeof(f->rt_url), &f->rt,
                              &f->hist) != 0)
        goto fail;
    tc_manual_clock_init(&f->clock, T0);
    rd = (struct tc_refdata){f->hist, &f->clock.clock, "tester"};
    acc = (struct tc_accounts){f->rt, &f->clock.clock, "tester"};
    if (tc_test_seed_market(&rd, "New York Stock Exchange", &err) != 0 ||
        tc_test_seed_instrument(&rd, "ES", TC_ASSET_FUTURE, "2", &err) != 0)
        goto fail;
    for (int k = 0; k < NCONC; k++) {
        char id[16];
        snprintf(id, sizeof(id), "C%d", k);
        if (tc_test_seed_instrument(&rd, id, TC_ASSET_FUTURE, "1", &err) != 0)
            goto fail;
    }
    if (tc_test_seed_portfolio(&acc, "p1", &err) != 0 ||
        tc_test_seed_strategy(&acc, "s1", 1, params, &err) != 0 ||
        tc_test_seed_strategy(&acc, "off", 0, params, &err) != 0)
        goto fail;
    if (new_instant(&f->broker, "0.001") != 0 || open_ledger(f) != 0)
        goto fail;
    *state = f;
    return 0;
fail:
    fprintf(stderr, "setup: %s\n", tc_error_msg(&err));
    tc_ledger_close(f->l);
    tc_broker_free(f->broker);
    tc_store_close(f->hist);
    tc_store_close(f->rt);
    free(f);
    return -1;
}

static int setup_sqlite(void **state) { return setup(state, 0); }
static int setup_pg(void **state) { return setup(state, 1); }

static int teardown(void **state)
{
    struct fx *f = *state;
    tc_ledger_close(f->l);
    tc_broker_free(f->broker);
    tc_store_close(f->hist);
    tc_store_close(f->rt);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                    */

struct text_acc {
    char *buf;
    size_t n, cap;
};

static void acc_put(struct text_acc *a, const char *s)
{
    size_t len = strlen(s);
    if (a->n + len + 1 > a->cap) {
        a->cap = (a->n + len + 1) * 2;
        a->buf = realloc(a->buf, a->cap);
        assert_non_null(a->buf);
    }
    memcpy(a->buf + a->n, s, len + 1);
    a->n += len;
}

static int dump_cb(const struct tc_row *row, void *ud)
{
    for (int k = 0; k < tc_row_count(row); k++) {
        const char *s = "NULL";
        if (!tc_row_is_null(row, k))
            assert_int_equal(tc_row_text(row, k, &s), 0);
        acc_put(ud, s);
        acc_put(ud, "|");
    }
    acc_put(ud, "\n");
    return 0;
}

/* Every row of the ledger's tables (signal_log too unless SKIP_LOG). */
static char *dump(struct fx *f, int skip_log)
{
    static const char *const tables[] = {"positions", "orders", "fills", "trades",
                                         "portfolio_state", "pyramiding_state", "signal_log"};
    struct text_acc a = {0};
    struct tc_error err = {0};
    char sql[128];
    for (size_t k = 0; k < sizeof(tables) / sizeof(tables[0]); k++) {
        if (skip_log && strcmp(tables[k], "signal_log") == 0)
            continue;
        snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY 1", tables[k]);
        acc_put(&a, tables[k]);
        acc_put(&a, ":\n");
        tc_assert_ok(tc_store_exec(f->rt, sql, NULL, 0, dump_cb, &a, NULL, &err), &err);
    }
    return a.buf;
}

static int first_text_cb(const struct tc_row *row, void *ud)
{
    char *out = ud;
    const char *s = "NULL";
    if (!tc_row_is_null(row, 0))
        assert_int_equal(tc_row_text(row, 0, &s), 0);
    snprintf(out, 512, "%s", s);
    return 1;
}

/* The first column of the first row as text ("" when there is no row). */
static const char *q1(struct fx *f, const char *sql, const char *arg)
{
    static char out[512];
    struct tc_error err = {0};
    struct tc_val v[] = {TC_V_TEXT(arg ? arg : "")};
    out[0] = '\0';
    tc_assert_ok(tc_store_exec(f->rt, sql, v, arg ? 1 : 0, first_text_cb, out, NULL, &err), &err);
    return out;
}

static int first_dec_cb(const struct tc_row *row, void *ud)
{
    assert_int_equal(tc_row_dec(row, 0, ud), 0);
    return 1;
}

/* A decimal query formatted exactly ("" when there is no row). */
static const char *qdec(struct fx *f, const char *sql, const char *arg)
{
    static char out[TC_DEC_STRLEN];
    struct tc_error err = {0};
    struct tc_dec d = {INT64_MIN};
    struct tc_val v[] = {TC_V_TEXT(arg ? arg : "")};
    tc_assert_ok(tc_store_exec(f->rt, sql, v, arg ? 1 : 0, first_dec_cb, &d, NULL, &err), &err);
    if (d.raw == INT64_MIN)
        return "";
    tc_dec_format(d, out, sizeof(out));
    return out;
}

static long qcount(struct fx *f, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
    return strtol(q1(f, sql, NULL), NULL, 10);
}

static const char *fmt(struct tc_dec d)
{
    static char buf[4][TC_DEC_STRLEN];
    static int i;
    i = (i + 1) % 4;
    tc_dec_format(d, buf[i], sizeof(buf[i]));
    return buf[i];
}

static void submit(struct fx *f, const char *json, struct tc_signal_outcome *o)
{
    struct tc_error err = {0};
    tc_assert_ok(tc_ledger_submit_signal(f->l, json, (size_t)-1, o, &err), &err);
}

static void expect_accepted(struct fx *f, const char *json, struct tc_signal_outcome *o)
{
    submit(f, json, o);
    if (o->status != TC_SIGNAL_ACCEPTED)
        fail_msg("signal %s rejected: %s", json, o->reason);
    assert_int_equal(o->duplicate, 0);
}

static void expect_rejected(struct fx *f, const char *json, const char *needle)
{
    struct tc_signal_outcome o;
    submit(f, json, &o);
    if (o.status != TC_SIGNAL_REJECTED)
        fail_msg("signal %s accepted", json);
    if (getenv("TC_TEST_VERBOSE"))
        fprintf(stderr, "rejected: %s\n", o.reason);
    if (!strstr(o.reason, needle))
        fail_msg("signal %s: reason \"%s\" lacks \"%s\"", json, o.reason, needle);
    assert_string_equal(q1(f, "SELECT status FROM signal_log WHERE fingerprint = $1", o.fingerprint),
                        "rejected");
    assert_string_equal(q1(f, "SELECT reason FROM signal_log WHERE fingerprint = $1", o.fingerprint),
                        o.reason);
}

#define SIG(type, extra)                                                                       \
    "{\"type\":\"" type "\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"ES\","   \
    "\"side\":\"LONG\",\"timestamp\":\"" TS "\"" extra "}"

static const char *pos_of(struct fx *f, int layer)
{
    static char id[4][TC_ID_BUFSZ];
    static int i;
    char sql[160];
    i = (i + 1) % 4;
    snprintf(sql, sizeof(sql), "SELECT position_id FROM positions WHERE layer = %d ORDER BY created_at DESC", layer);
    snprintf(id[i], sizeof(id[i]), "%s", q1(f, sql, NULL));
    return id[i];
}

/* ------------------------------------------------------------------------ */
/* BASE_ENTRY → PYRAMID → PYRAMID → EXIT                                      */

static void test_round_trip(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome o;
    struct tc_portfolio_state ps;
    struct tc_position pos[4];
    struct tc_pyramiding_state py;
    struct tc_error err = {0};
    size_t n = 0;
    const char *l0, *l1, *l2;

    /* ES: multiplier 2, lot 1; commission 0.001 of traded value.
     * Base: equity 100000 × risk 0.01 = 1000; risk per unit |100 − 95| × 2 = 10
     * → 100 lots of 1 = 100. Fill at 100: value 100 × 100 × 2 = 20000,
     * commission 20. Cash 100000 − 20 = 99980. */
    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\",\"signal_id\":\"b1\""), &o);
    assert_string_equal(o.fingerprint, "id:b1");
    l0 = pos_of(f, 0);
    assert_string_equal(o.position_id, l0);
    assert_string_equal(q1(f, "SELECT client_order_id FROM orders WHERE order_id = $1", o.order_id),
                        "id:b1:L0");
    assert_string_equal(qdec(f, "SELECT quantity FROM positions WHERE position_id = $1", l0), "100");
    assert_string_equal(qdec(f, "SELECT commission_paid FROM portfolio_state WHERE portfolio_id = $1", "p1"), "20");
    assert_string_equal(qdec(f, "SELECT cash FROM portfolio_state WHERE portfolio_id = $1", "p1"), "99980");

    /* a base is open: another BASE_ENTRY is refused */
    expect_rejected(f, SIG("BASE_ENTRY", ",\"price\":\"101\",\"stop\":\"95\""), "already has an open base");

    /* Pyramid 1 at 102.5 (moved 2.5 ≥ 2): 100 × 0.5 = 50. Fill: value
     * 50 × 102.5 × 2 = 10250, commission 10.25. Cash 99969.75. */
    expect_accepted(f, SIG("PYRAMID", ",\"price\":\"102.5\",\"stop\":\"98\",\"signal_id\":\"p1a\""), &o);
    l1 = pos_of(f, 1);
    assert_string_equal(o.position_id, l1);
    assert_string_equal(q1(f, "SELECT client_order_id FROM orders WHERE order_id = $1", o.order_id),
                        "id:p1a:L1");
    /* 104 has moved 1.5 since 102.5: too close */
    expect_rejected(f, SIG("PYRAMID", ",\"price\":\"104\""), "less than the required 2");
    /* Pyramid 2 at 105 (moved 2.5): 50. Value 50 × 105 × 2 = 10500,
     * commission 10.5. Commission so far 20 + 10.25 + 10.5 = 40.75. */
    expect_accepted(f, SIG("PYRAMID", ",\"price\":\"105\",\"signal_id\":\"p2\""), &o);
    l2 = pos_of(f, 2);
    /* the maximum of 2 pyramids is reached */
    expect_rejected(f, SIG("PYRAMID", ",\"price\":\"108\""), "pyramid");
    assert_string_equal(qdec(f, "SELECT commission_paid FROM portfolio_state WHERE portfolio_id = $1", "p1"), "40.75");
    assert_string_equal(qdec(f, "SELECT cash FROM portfolio_state WHERE portfolio_id = $1", "p1"), "99959.25");
    tc_assert_ok(tc_ledger_pyramiding_get(f->l, "p1", "ES", &py, &err), &err);
    assert_int_equal(py.pyramid_count, 2);
    assert_string_equal(py.base_position_id, l0);
    assert_string_equal(fmt(py.last_pyramid_price), "105");

    /* cached reads: three layers, ordered */
    tc_assert_ok(tc_ledger_positions_open(f->l, "p1", "ES", pos, 4, &n, &err), &err);
    assert_int_equal(n, 3);
    assert_string_equal(pos[0].position_id, l0);
    assert_string_equal(pos[1].position_id, l1);
    assert_string_equal(pos[2].position_id, l2);
    assert_int_equal(pos[0].is_base, 1);
    assert_int_equal(pos[2].layer, 2);
    assert_string_equal(fmt(pos[1].entry_price), "102.5");
    assert_string_equal(fmt(pos[1].quantity), "50");
    assert_string_equal(fmt(pos[1].commission), "10.25");
    /* a layer without a stop of its own takes the base's */
    assert_string_equal(fmt(pos[2].current_stop), "95");
    assert_string_equal(fmt(pos[1].current_stop), "98");

    /* stops: 101 tightens every layer; 99 would loosen and is refused */
    expect_accepted(f, SIG("STOP_UPDATE", ",\"stop\":\"101\",\"price\":\"107\""), &o);
    assert_string_equal(o.position_id, l0);
    expect_rejected(f, SIG("STOP_UPDATE", ",\"stop\":\"99\""), "stop");
    tc_assert_ok(tc_ledger_position_get(f->l, l2, &pos[3], &err), &err);
    assert_string_equal(fmt(pos[3].current_stop), "101");
    assert_string_equal(qdec(f, "SELECT current_stop FROM positions WHERE position_id = $1", l1), "101");
    assert_string_equal(qdec(f, "SELECT initial_stop FROM positions WHERE position_id = $1", l1), "98");

    /* EXIT at 110.3, three exit orders:
     * L0 (110.3 − 100) × 100 × 2 = 2060, commission 100 × 110.3 × 2 × 0.001 = 22.06
     * L1 (110.3 − 102.5) × 50 × 2 = 780, commission 11.03
     * L2 (110.3 − 105) × 50 × 2 = 530, commission 11.03
     * realized 3370; commission 40.75 + 44.12 = 84.87;
     * cash = 100000 + 3370 − 84.87 = 103285.13 */
    expect_accepted(f, SIG("EXIT", ",\"price\":\"110.3\",\"signal_id\":\"x1\",\"reason\":\"target\""), &o);
    assert_string_equal(q1(f, "SELECT client_order_id FROM orders WHERE order_id = $1", o.order_id),
                        "id:x1:X0");
    assert_string_equal(q1(f, "SELECT COUNT(*) FROM orders WHERE client_order_id IN ('id:x1:X0', 'id:x1:X1', 'id:x1:X2') AND status = 'FILLED'", NULL), "3");
    assert_string_equal(qdec(f, "SELECT realized_pnl FROM portfolio_state WHERE portfolio_id = $1", "p1"), "3370");
    assert_string_equal(qdec(f, "SELECT commission_paid FROM portfolio_state WHERE portfolio_id = $1", "p1"), "84.87");
    assert_string_equal(qdec(f, "SELECT cash FROM portfolio_state WHERE portfolio_id = $1", "p1"), "103285.13");
    assert_string_equal(qdec(f, "SELECT closed_equity FROM portfolio_state WHERE portfolio_id = $1", "p1"), "103285.13");
    /* trades: gross, commission (entry + exit), net */
    assert_string_equal(qdec(f, "SELECT gross_pnl FROM trades WHERE position_id = $1", l0), "2060");
    assert_string_equal(qdec(f, "SELECT commission FROM trades WHERE position_id = $1", l0), "42.06");
    assert_string_equal(qdec(f, "SELECT net_pnl FROM trades WHERE position_id = $1", l0), "2017.94");
    assert_string_equal(qdec(f, "SELECT net_pnl FROM trades WHERE position_id = $1", l1), "758.72");
    assert_string_equal(qdec(f, "SELECT net_pnl FROM trades WHERE position_id = $1", l2), "508.47");
    assert_string_equal(qdec(f, "SELECT exit_price FROM trades WHERE position_id = $1", l2), "110.3");
    assert_string_equal(q1(f, "SELECT exit_reason FROM trades WHERE position_id = $1", l2), "target");
    assert_string_equal(q1(f, "SELECT status FROM positions WHERE position_id = $1", l1), "closed");
    assert_string_equal(qdec(f, "SELECT quantity FROM positions WHERE position_id = $1", l1), "0");
    assert_int_equal(qcount(f, "orders"), 6);
    assert_int_equal(qcount(f, "fills"), 6);
    assert_int_equal(qcount(f, "trades"), 3);
    /* cached state equals the store */
    tc_assert_ok(tc_ledger_portfolio_state(f->l, "p1", &ps, &err), &err);
    assert_string_equal(fmt(ps.cash), "103285.13");
    assert_string_equal(fmt(ps.realized_pnl), "3370");
    assert_string_equal(fmt(ps.commission_paid), "84.87");
    tc_assert_ok(tc_ledger_positions_open(f->l, "p1", NULL, NULL, 0, &n, &err), &err);
    assert_int_equal(n, 0);
    tc_assert_ok(tc_ledger_position_get(f->l, l0, &pos[0], &err), &err);
    assert_int_equal(pos[0].status, TC_POSITION_CLOSED);
    assert_string_equal(fmt(pos[0].realized_pnl), "2060");
    assert_string_equal(fmt(pos[0].exit_price), "110.3");
    /* pyramiding reset; nothing left to exit */
    tc_assert_ok(tc_ledger_pyramiding_get(f->l, "p1", "ES", &py, &err), &err);
    assert_int_equal(py.pyramid_count, 0);
    assert_string_equal(py.base_position_id, "");
    expect_rejected(f, SIG("EXIT", ",\"price\":\"111\""), "has nothing open");
    /* a new base after the round trip sizes from closed equity 103285.13:
     * 1032.8513 / 10 → 103 lots */
    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\",\"signal_id\":\"b2\""), &o);
    assert_string_equal(qdec(f, "SELECT quantity FROM orders WHERE order_id = $1", o.order_id), "103");
    {
        size_t nv = 99;
        tc_assert_ok(tc_ledger_check(f->l, NULL, NULL, &nv, &err), &err);
        assert_int_equal(nv, 0);
    }
}

/* A SHORT round trip with a partial exit fill applied by hand. */
static void test_short_and_partial(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome o;
    struct tc_fill fill = {0};
    struct tc_error err = {0};
    int applied = 0;
    char coid[TC_CLIENT_ORDER_ID_MAX];

    /* risk |90 − 100| × 2 = 20 per unit; 1000 / 20 = 50. Entry fill 90 × 50 × 2 ×
     * 0.001 = 9 commission. */
    expect_accepted(f, "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                       "\"instrument\":\"ES\",\"side\":\"SHORT\",\"timestamp\":\"" TS "\","
                       "\"price\":\"90\",\"stop\":\"100\",\"signal_id\":\"sb\"}", &o);
    assert_string_equal(qdec(f, "SELECT quantity FROM positions WHERE position_id = $1", o.position_id), "50");
    /* an EXIT without a price: instant cannot fill it, the broker rejects it */
    expect_accepted(f, "{\"type\":\"EXIT\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                       "\"instrument\":\"ES\",\"side\":\"SHORT\",\"timestamp\":\"" TS "\","
                       "\"signal_id\":\"sx0\"}", &o);
    assert_string_equal(q1(f, "SELECT status FROM orders WHERE order_id = $1", o.order_id), "REJECTED");
    /* an exit with a price, filled in two parts by hand: no broker fill for it */
    tc_broker_set_fill_handler(f->broker, NULL, NULL);
    expect_accepted(f, "{\"type\":\"EXIT\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                       "\"instrument\":\"ES\",\"side\":\"SHORT\",\"timestamp\":\"" TS "\","
                       "\"price\":\"85\",\"signal_id\":\"sx\"}", &o);
    assert_string_equal(q1(f, "SELECT status FROM orders WHERE order_id = $1", o.order_id), "NEW");
    snprintf(coid, sizeof(coid), "id:sx:X0");
    snprintf(fill.client_order_id, sizeof(fill.client_order_id), "%s", coid);
    snprintf(fill.execution_id, sizeof(fill.execution_id), "man-1");
    tc_dec_parse("20", (size_t)-1, &fill.quantity, NULL);
    tc_dec_parse("85", (size_t)-1, &fill.price, NULL);
    tc_dec_parse("1.5", (size_t)-1, &fill.commission, NULL);
    fill.filled_at_us = T0 + 1000000;
    tc_assert_ok(tc_ledger_apply_fill(f->l, &fill, &applied, &err), &err);
    assert_int_equal(applied, 1);
    /* SHORT: (90 − 85) × 20 × 2 = 200 */
    assert_string_equal(q1(f, "SELECT status FROM positions WHERE position_id = $1", o.position_id), "partial");
    assert_string_equal(qdec(f, "SELECT realized_pnl FROM positions WHERE position_id = $1", o.position_id), "200");
    assert_string_equal(q1(f, "SELECT status FROM orders WHERE order_id = $1", o.order_id), "PARTIALLY_FILLED");
    snprintf(fill.execution_id, sizeof(fill.execution_id), "man-2");
    tc_dec_parse("30", (size_t)-1, &fill.quantity, NULL);
    tc_dec_parse("80", (size_t)-1, &fill.price, NULL);
    tc_assert_ok(tc_ledger_apply_fill(f->l, &fill, &applied, &err), &err);
    /* (90 − 80) × 30 × 2 = 600; total 800; exit VWAP (20 × 85 + 30 × 80) / 50 = 82;
     * commission 9 + 1.5 + 1.5 = 12; cash 100000 + 800 − 12 = 100788 */
    assert_string_equal(q1(f, "SELECT status FROM positions WHERE position_id = $1", o.position_id), "closed");
    assert_string_equal(qdec(f, "SELECT exit_price FROM positions WHERE position_id = $1", o.position_id), "82");
    assert_string_equal(qdec(f, "SELECT gross_pnl FROM trades WHERE position_id = $1", o.position_id), "800");
    assert_string_equal(qdec(f, "SELECT net_pnl FROM trades WHERE position_id = $1", o.position_id), "788");
    assert_string_equal(qdec(f, "SELECT cash FROM portfolio_state WHERE portfolio_id = $1", "p1"), "100788");
    {
        size_t nv = 99;
        tc_assert_ok(tc_ledger_check(f->l, NULL, NULL, &nv, &err), &err);
        assert_int_equal(nv, 0);
    }
}

/* ------------------------------------------------------------------------ */
/* Duplicates                                                                 */

static void assert_same_outcome(const struct tc_signal_outcome *a, const struct tc_signal_outcome *b)
{
    assert_int_equal(a->status, b->status);
    assert_string_equal(a->reason, b->reason);
    assert_string_equal(a->fingerprint, b->fingerprint);
    assert_string_equal(a->position_id, b->position_id);
    assert_string_equal(a->order_id, b->order_id);
}

static void test_duplicate(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome a, b, c;
    const char *body = SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\"");
    /* the same signal with other key order, spacing, number forms and a passphrase */
    const char *same = "{ \"passphrase\":\"secret\", \"stop\": 95.0, \"price\": \"100.00\","
                       "\"timestamp\":\"" TS "\",\"side\":\"LONG\",\"instrument\":\"ES\","
                       "\"strategy\":\"s1\",\"portfolio\":\"p1\",\"type\":\"BASE_ENTRY\"}";
    char *before;

    expect_accepted(f, body, &a);
    before = dump(f, 1);
    submit(f, body, &b);
    submit(f, same, &c);
    assert_int_equal(b.duplicate, 1);
    assert_int_equal(c.duplicate, 1);
    assert_same_outcome(&a, &b);
    assert_same_outcome(&a, &c);
    char *after = dump(f, 1);
    assert_string_equal(before, after);
    assert_string_equal(q1(f, "SELECT duplicate_count FROM signal_log WHERE fingerprint = $1", a.fingerprint), "2");
    assert_int_equal(qcount(f, "positions"), 1);
    assert_int_equal(qcount(f, "orders"), 1);
    assert_int_equal(qcount(f, "fills"), 1);
    /* the payload is the body as received; a passphrase is never stored */
    assert_string_equal(q1(f, "SELECT payload FROM signal_log WHERE fingerprint = $1", a.fingerprint), body);
    assert_int_equal(qcount(f, "signal_log"), 1);
    free(before);
    free(after);
}

static void test_passphrase_not_stored(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome o;
    expect_accepted(f, "{\"type\":\"BASE_ENTRY\", \"passphrase\":\"hunter2\",\"portfolio\":\"p1\","
                       "\"strategy\":\"s1\",\"instrument\":\"ES\",\"side\":\"LONG\","
                       "\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":\"95\",\"x\":[1,{\"passphrase\":2}]}", &o);
    assert_string_equal(q1(f, "SELECT payload FROM signal_log WHERE fingerprint = $1", o.fingerprint),
                        "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                        "\"instrument\":\"ES\",\"side\":\"LONG\",\"timestamp\":\"" TS "\","
                        "\"price\":\"100\",\"stop\":\"95\",\"x\":[1,{\"passphrase\":2}]}");
    assert_null(strstr(q1(f, "SELECT outcome FROM signal_log WHERE fingerprint = $1", o.fingerprint), "hunter2"));
}

/* Two processes submit the same signal at the same moment. */
static void test_two_processes(void **state)
{
    struct fx *f = *state;
    int go[2], res[2][2];
    pid_t pid[2];
    struct tc_signal_outcome out[2];
    const char *body = SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\",\"signal_id\":\"race\"");

    assert_int_equal(pipe(go), 0);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(pipe(res[k]), 0);
        pid[k] = fork();
        assert_true(pid[k] >= 0);
        if (pid[k] == 0) {
            /* the child uses none of the parent's connections */
            struct tc_store *rt = NULL, *hist = NULL;
            struct tc_broker *b = NULL;
            struct tc_ledger *l = NULL;
            struct tc_ledger_options o;
            struct tc_signal_outcome so;
            struct tc_error err = {0};
            char c, json[TC_SIGNAL_OUTCOME_JSON_MAX];
            int rc;
            close(go[1]);
            if (tc_store_open(f->rt_url, NULL, &rt, &err) != 0 ||
                tc_store_open(f->hist_url, NULL, &hist, &err) != 0 || new_instant(&b, "0.001") != 0)
                _exit(2);
            tc_ledger_options_default(&o);
            o.runtime = rt;
            o.historical = hist;
            o.clock = &f->clock.clock;
            o.broker = b;
            if (tc_ledger_open(&o, &l, &err) != 0)
                _exit(3);
            if (read(go[0], &c, 1) != 0)
                _exit(4);
            rc = tc_ledger_submit_signal(l, body, (size_t)-1, &so, &err);
            if (rc != 0) {
                fprintf(stderr, "child: %s\n", tc_error_msg(&err));
                _exit(5);
            }
            rc = tc_signal_outcome_json(&so, json, sizeof(json), NULL);
            if (rc < 0 || write(res[k][1], json, (size_t)rc) != rc)
                _exit(6);
            tc_ledger_close(l);
            tc_broker_free(b);
            tc_store_close(hist);
            tc_store_close(rt);
            _exit(0);
        }
        close(res[k][1]);
    }
    close(go[0]);
    usleep(200000);
    close(go[1]); /* both children go */
    for (int k = 0; k < 2; k++) {
        char buf[TC_SIGNAL_OUTCOME_JSON_MAX] = {0};
        int st = 0;
        ssize_t n = 0, r;
        while ((r = read(res[k][0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
            n += r;
        close(res[k][0]);
        assert_int_equal(waitpid(pid[k], &st, 0), pid[k]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        assert_int_equal(tc_signal_outcome_parse(buf, (size_t)n, &out[k], NULL), 0);
    }
    assert_same_outcome(&out[0], &out[1]);
    assert_int_equal(out[0].status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(out[0].duplicate + out[1].duplicate, 1);
    assert_int_equal(qcount(f, "positions"), 1);
    assert_int_equal(qcount(f, "orders"), 1);
    assert_int_equal(qcount(f, "fills"), 1);
    assert_string_equal(q1(f, "SELECT duplicate_count FROM signal_log", NULL), "1");
    assert_string_equal(qdec(f, "SELECT quantity FROM positions", NULL), "100");
}

/* ------------------------------------------------------------------------ */
/* Recovery                                                                   */

static void test_reopen_identical(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome o;
    struct tc_position a[4], b[4];
    struct tc_portfolio_state sa, sb;
    struct tc_error err = {0};
    size_t na = 0, nb = 0, nv = 99;
    char *before, *after;

    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\""), &o);
    expect_accepted(f, SIG("PYRAMID", ",\"price\":\"103\""), &o);
    expect_accepted(f, SIG("STOP_UPDATE", ",\"stop\":\"97\""), &o);
    tc_assert_ok(tc_ledger_positions_open(f->l, "p1", NULL, a, 4, &na, &err), &err);
    tc_assert_ok(tc_ledger_portfolio_state(f->l, "p1", &sa, &err), &err);
    before = dump(f, 0);
    tc_ledger_close(f->l);
    f->l = NULL;
    assert_int_equal(open_ledger(f), 0);
    after = dump(f, 0);
    assert_string_equal(before, after);
    tc_assert_ok(tc_ledger_positions_open(f->l, "p1", NULL, b, 4, &nb, &err), &err);
    tc_assert_ok(tc_ledger_portfolio_state(f->l, "p1", &sb, &err), &err);
    assert_int_equal(na, 2);
    assert_int_equal(nb, 2);
    for (size_t k = 0; k < na; k++) {
        assert_string_equal(a[k].position_id, b[k].position_id);
        assert_int_equal(a[k].quantity.raw, b[k].quantity.raw);
        assert_int_equal(a[k].entry_price.raw, b[k].entry_price.raw);
        assert_int_equal(a[k].current_stop.raw, b[k].current_stop.raw);
        assert_int_equal(a[k].version, b[k].version);
        assert_int_equal(a[k].updated_at_us, b[k].updated_at_us);
        assert_int_equal(a[k].entry_time_us, b[k].entry_time_us);
        assert_int_equal(a[k].layer, b[k].layer);
    }
    assert_int_equal(sa.cash.raw, sb.cash.raw);
    assert_int_equal(sa.version, sb.version);
    tc_assert_ok(tc_ledger_check(f->l, NULL, NULL, &nv, &err), &err);
    assert_int_equal(nv, 0);
    free(before);
    free(after);
}

/* A broker that is down: every submit fails after the signal committed. */
static int down_submit(struct tc_broker *b, const struct tc_order_intent *o, struct tc_broker_ack *ack,
                       struct tc_error *err)
{
    return tc_error_set(err, TC_EUNAVAIL, "broker down");
}
static void down_free(struct tc_broker *b) { (void)b; }
static const struct tc_broker_ops down_ops = {.name = "down", .submit = down_submit, .free = down_free};

static void test_crash_between_commit_and_submit(void **state)
{
    struct fx *f = *state;
    struct tc_broker down = {&down_ops, NULL, NULL};
    struct tc_ledger_options o;
    struct tc_signal_outcome so;
    struct tc_broker_account acct;
    struct tc_order_intent intent = {0};
    struct tc_broker_ack ack;
    struct tc_position p;
    struct tc_error err = {0};
    size_t n = 9;

    tc_ledger_close(f->l);
    ledger_opts(f, &o, &down);
    tc_assert_ok(tc_ledger_open(&o, &f->l, &err), &err);
    /* recorded and accepted, but never acknowledged */
    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\",\"signal_id\":\"c1\""), &so);
    assert_string_equal(q1(f, "SELECT status FROM orders", NULL), "NEW");
    assert_int_equal(qcount(f, "fills"), 0);
    assert_string_equal(qdec(f, "SELECT quantity FROM positions", NULL), "0");
    /* pending base entries count as open */
    expect_rejected(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\""), "already has an open base");
    /* the process dies here; a new one opens with a working broker */
    tc_ledger_close(f->l);
    f->l = NULL;
    assert_int_equal(open_ledger(f), 0);
    assert_string_equal(q1(f, "SELECT status FROM orders", NULL), "FILLED");
    assert_string_equal(q1(f, "SELECT broker_order_id FROM orders", NULL), "instant-id:c1:L0");
    assert_int_equal(qcount(f, "fills"), 1);
    assert_string_equal(q1(f, "SELECT execution_id FROM fills", NULL), "instant:id:c1:L0");
    tc_assert_ok(tc_ledger_position_get(f->l, so.position_id, &p, &err), &err);
    assert_string_equal(fmt(p.quantity), "100");
    tc_assert_ok(tc_broker_account(f->broker, &acct, &err), &err);
    assert_int_equal(acct.orders, 1);
    assert_int_equal(acct.fills, 1);
    /* opening again resends nothing */
    tc_ledger_close(f->l);
    f->l = NULL;
    assert_int_equal(open_ledger(f), 0);
    tc_assert_ok(tc_ledger_resubmit_pending(f->l, &n, &err), &err);
    assert_int_equal(n, 0);
    tc_assert_ok(tc_broker_account(f->broker, &acct, &err), &err);
    assert_int_equal(acct.fills, 1);
    /* a broker that resends the same intent reports the same execution: applied once */
    snprintf(intent.order_id, sizeof(intent.order_id), "%s", so.order_id);
    snprintf(intent.client_order_id, sizeof(intent.client_order_id), "id:c1:L0");
    intent.side = TC_ORDER_BUY;
    tc_dec_parse("100", (size_t)-1, &intent.quantity, NULL);
    tc_dec_parse("100", (size_t)-1, &intent.ref_price, NULL);
    tc_dec_parse("2", (size_t)-1, &intent.multiplier, NULL);
    intent.has_ref_price = 1;
    tc_assert_ok(tc_broker_submit(f->broker, &intent, &ack, &err), &err);
    assert_int_equal(qcount(f, "fills"), 1);
    tc_assert_ok(tc_broker_account(f->broker, &acct, &err), &err);
    assert_int_equal(acct.orders, 1);
    assert_int_equal(acct.fills, 2);
    assert_string_equal(qdec(f, "SELECT quantity FROM positions", NULL), "100");
    assert_string_equal(qdec(f, "SELECT commission_paid FROM portfolio_state", NULL), "20");
    tc_assert_ok(tc_ledger_check(f->l, NULL, NULL, &n, &err), &err);
    assert_int_equal(n, 0);
}

/* ------------------------------------------------------------------------ */
/* Rejections                                                                 */

static void test_rejections(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *body, *needle;
    } rows[] = {
        {SIG("EXIT", ",\"price\":\"100\""), "has nothing open"},
        {SIG("PYRAMID", ",\"price\":\"100\""), "no open base position"},
        {SIG("STOP_UPDATE", ",\"stop\":\"90\""), "has nothing open"},
        {SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"105\""), "stop"},
        {SIG("BASE_ENTRY", ",\"price\":\"-1\",\"stop\":\"95\""), "price"},
        {SIG("BASE_ENTRY", ",\"price\":\"0\",\"stop\":\"95\""), "price"},
        {SIG("BASE_ENTRY", ",\"price\":\"NaN\",\"stop\":\"95\""), "price"},
        {SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"90000000000\""), "overflows"},
        {SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"1e400\""), "quantity"},
        {SIG("BASE_ENTRY", ",\"price\":\"100000\",\"stop\":\"1\""), "less than one lot"},
        {"{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"NOPE\","
         "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":\"95\"}",
         "instrument \"NOPE\" not found"},
        {"{\"type\":\"BASE_ENTRY\",\"portfolio\":\"nope\",\"strategy\":\"s1\",\"instrument\":\"ES\","
         "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":\"95\"}",
         "portfolio \"nope\" not found"},
        {"{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"nope\",\"instrument\":\"ES\","
         "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":\"95\"}",
         "strategy \"nope\" not found"},
        {"{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"off\",\"instrument\":\"ES\","
         "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":\"95\"}",
         "strategy \"off\" is disabled"},
        {"{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"ES\","
         "\"side\":\"LONG\",\"timestamp\":\"2001-01-01T00:00:00Z\",\"price\":\"100\",\"stop\":\"95\"}",
         "2001-01-01"},
        {"{\"type\":\"BUY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"ES\","
         "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":\"95\"}",
         "BUY"},
        {"{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"ES\","
         "\"side\":\"LONG\",\"price\":\"100\",\"stop\":\"95\"}",
         "timestamp"},
        {"{\"type\":\"BASE_ENTRY\",\"type\":\"EXIT\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
         "\"instrument\":\"ES\",\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":\"95\"}",
         "type"},
        {SIG("STOP_UPDATE", ",\"stop\":\"90\",\"position_id\":\"pos-x\""), "position_id"},
        {"{}", "missing"},
    };
    char *before = dump(f, 1);
    long logged = qcount(f, "signal_log");

    for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
        expect_rejected(f, rows[k].body, rows[k].needle);
        char *after = dump(f, 1);
        if (strcmp(before, after) != 0)
            fail_msg("rejection %zu (%s) changed the ledger", k, rows[k].body);
        free(after);
        assert_int_equal(qcount(f, "signal_log"), logged + (long)k + 1);
    }
    /* bodies with no fields to log: an error, nothing recorded */
    {
        struct tc_signal_outcome o;
        struct tc_error err = {0};
        char *big = malloc(TC_SIGNAL_BODY_MAX + 2);
        assert_int_equal(tc_ledger_submit_signal(f->l, "[1,2]", (size_t)-1, &o, &err), TC_EPARSE);
        assert_non_null(strstr(err.msg, "not a JSON object"));
        assert_int_equal(tc_ledger_submit_signal(f->l, "{\"type\":", (size_t)-1, &o, &err), TC_EPARSE);
        memset(big, ' ', TC_SIGNAL_BODY_MAX + 1);
        big[0] = '{';
        big[TC_SIGNAL_BODY_MAX] = '}';
        big[TC_SIGNAL_BODY_MAX + 1] = '\0';
        assert_int_equal(tc_ledger_submit_signal(f->l, big, (size_t)-1, &o, &err), TC_ERANGE);
        assert_non_null(strstr(err.msg, "bytes"));
        free(big);
        assert_int_equal(qcount(f, "signal_log"), logged + (long)(sizeof(rows) / sizeof(rows[0])));
    }
    /* a rejected signal sent again is a duplicate of its rejection */
    {
        struct tc_signal_outcome o;
        submit(f, rows[0].body, &o);
        assert_int_equal(o.duplicate, 1);
        assert_int_equal(o.status, TC_SIGNAL_REJECTED);
        assert_non_null(strstr(o.reason, rows[0].needle));
    }
    char *after = dump(f, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* EXIT on the wrong side and a named exit of one layer. */
static void test_side_and_named_exit(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome o, base, pyr;
    char body[512];

    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\""), &base);
    expect_accepted(f, SIG("PYRAMID", ",\"price\":\"103\""), &pyr);
    char *before = dump(f, 1);
    expect_rejected(f, "{\"type\":\"EXIT\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"ES\","
                       "\"side\":\"SHORT\",\"timestamp\":\"" TS "\",\"price\":\"100\"}", "is not the side LONG");
    expect_rejected(f, SIG("EXIT", ",\"price\":\"100\",\"position_id\":\"pos-unknown\""), "pos-unknown");
    char *after = dump(f, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
    snprintf(body, sizeof(body), SIG("EXIT", ",\"price\":\"104\",\"position_id\":\"%s\""), pyr.position_id);
    expect_accepted(f, body, &o);
    assert_string_equal(o.position_id, pyr.position_id);
    assert_string_equal(q1(f, "SELECT status FROM positions WHERE position_id = $1", pyr.position_id), "closed");
    assert_string_equal(q1(f, "SELECT status FROM positions WHERE position_id = $1", base.position_id), "open");
    /* layer 1: (104 − 103) × 50 × 2 = 100 */
    assert_string_equal(qdec(f, "SELECT realized_pnl FROM portfolio_state", NULL), "100");
    /* the same exit of the other layer has another fingerprint */
    snprintf(body, sizeof(body), SIG("EXIT", ",\"price\":\"104\",\"position_id\":\"%s\""), base.position_id);
    expect_accepted(f, body, &o);
    assert_int_equal(o.duplicate, 0);
    assert_string_equal(q1(f, "SELECT status FROM positions WHERE position_id = $1", base.position_id), "closed");
}

/* ------------------------------------------------------------------------ */
/* Fills                                                                      */

static void test_fills(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome o;
    struct tc_fill fill = {0};
    struct tc_error err = {0};
    int applied = 7;
    char *before, *after;

    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\",\"signal_id\":\"f1\""), &o);
    before = dump(f, 0);
    /* the broker's fill again: a no-op */
    snprintf(fill.execution_id, sizeof(fill.execution_id), "instant:id:f1:L0");
    snprintf(fill.client_order_id, sizeof(fill.client_order_id), "id:f1:L0");
    tc_dec_parse("100", (size_t)-1, &fill.quantity, NULL);
    tc_dec_parse("100", (size_t)-1, &fill.price, NULL);
    tc_dec_parse("20", (size_t)-1, &fill.commission, NULL);
    fill.filled_at_us = T0;
    tc_assert_ok(tc_ledger_apply_fill(f->l, &fill, &applied, &err), &err);
    assert_int_equal(applied, 0);
    after = dump(f, 0);
    assert_string_equal(before, after);
    free(after);

    /* bad fills: error, message, nothing changed */
    struct {
        const char *exec, *coid, *qty, *price, *comm;
        int code;
        const char *needle;
    } rows[] = {
        {"e1", "id:f1:L0", "1", "100", "0", TC_EINVAL, "more than order"},
        {"e2", "nope", "1", "100", "0", TC_ENOTFOUND, "order \"nope\" not found"},
        {"e3", "id:f1:L0", "0", "100", "0", TC_EINVAL, "quantity 0 must be positive"},
        {"e4", "id:f1:L0", "-1", "100", "0", TC_EINVAL, "quantity -1 must be positive"},
        {"e5", "id:f1:L0", "1", "0", "0", TC_EINVAL, "price 0 must be positive"},
        {"e6", "id:f1:L0", "1", "100", "-0.5", TC_EINVAL, "commission -0.5 is negative"},
        {"", "id:f1:L0", "1", "100", "0", TC_EINVAL, "execution id is empty"},
        {"e8", "", "1", "100", "0", TC_EINVAL, "client order id is empty"},
    };
    for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
        memset(&fill, 0, sizeof(fill));
        snprintf(fill.execution_id, sizeof(fill.execution_id), "%s", rows[k].exec);
        snprintf(fill.client_order_id, sizeof(fill.client_order_id), "%s", rows[k].coid);
        assert_int_equal(tc_dec_parse(rows[k].qty, (size_t)-1, &fill.quantity, NULL), 0);
        assert_int_equal(tc_dec_parse(rows[k].price, (size_t)-1, &fill.price, NULL), 0);
        assert_int_equal(tc_dec_parse(rows[k].comm, (size_t)-1, &fill.commission, NULL), 0);
        fill.filled_at_us = T0;
        tc_error_clear(&err);
        assert_int_equal(tc_ledger_apply_fill(f->l, &fill, &applied, &err), rows[k].code);
        if (!strstr(err.msg, rows[k].needle))
            fail_msg("fill row %zu: \"%s\" lacks \"%s\"", k, err.msg, rows[k].needle);
        after = dump(f, 0);
        assert_string_equal(before, after);
        free(after);
    }
    free(before);
}

/* ------------------------------------------------------------------------ */
/* Concurrency                                                                */

struct writer {
    struct fx *f;
    struct tc_ledger *l;
    int first;          /* stops first, first + 2, ... */
    int n;
    int accepted;
    struct tc_dec max_stop;
    int failed;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    for (int k = 0; k < w->n; k++) {
        char body[512];
        struct tc_signal_outcome o;
        struct tc_error err = {0};
        int cents = w->first + 2 * k;
        snprintf(body, sizeof(body),
                 "{\"type\":\"STOP_UPDATE\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                 "\"instrument\":\"ES\",\"side\":\"LONG\",\"timestamp\":\"" TS "\","
                 "\"stop\":\"95.%02d\",\"signal_id\":\"su-%d\"}",
                 cents, cents);
        if (tc_ledger_submit_signal(w->l, body, (size_t)-1, &o, &err) != 0) {
            fprintf(stderr, "writer: %s\n", tc_error_msg(&err));
            w->failed++;
            continue;
        }
        if (o.status == TC_SIGNAL_ACCEPTED) {
            struct tc_dec d;
            char s[16];
            snprintf(s, sizeof(s), "95.%02d", cents);
            tc_dec_parse(s, (size_t)-1, &d, NULL);
            w->accepted++;
            if (tc_dec_cmp(d, w->max_stop) > 0)
                w->max_stop = d;
        } else if (!strstr(o.reason, "loosen") && !strstr(o.reason, "stop")) {
            fprintf(stderr, "writer: unexpected rejection %s\n", o.reason);
            w->failed++;
        }
    }
    return NULL;
}

struct filler {
    struct tc_ledger *l;
    int who, n, failed;
};

static void *filler_main(void *arg)
{
    struct filler *w = arg;
    for (int k = 0; k < w->n; k++) {
        struct tc_fill fill = {0};
        struct tc_error err = {0};
        int applied = 0;
        snprintf(fill.execution_id, sizeof(fill.execution_id), "w%d-%d", w->who, k);
        snprintf(fill.client_order_id, sizeof(fill.client_order_id), "id:lf:L0");
        fill.quantity = tc_dec_from_raw(TC_DEC_ONE);
        tc_dec_parse("50.25", (size_t)-1, &fill.price, NULL);
        tc_dec_parse("0.01", (size_t)-1, &fill.commission, NULL);
        fill.filled_at_us = T0;
        if (tc_ledger_apply_fill(w->l, &fill, &applied, &err) != 0 || !applied) {
            fprintf(stderr, "filler: %s\n", tc_error_msg(&err));
            w->failed++;
        }
    }
    return NULL;
}

/* Two writers, each with its own connections, update the same position. */
static void test_optimistic_locking(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome o;
    struct tc_store *rt2 = NULL, *hist2 = NULL;
    struct tc_ledger *l2 = NULL;
    struct tc_ledger_options opt;
    struct tc_error err = {0};
    struct writer w[2];
    pthread_t th[2];
    struct tc_position p;
    char want[32];

    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\""), &o);
    tc_assert_ok(tc_store_open(f->rt_url, NULL, &rt2, &err), &err);
    tc_assert_ok(tc_store_open(f->hist_url, NULL, &hist2, &err), &err);
    ledger_opts(f, &opt, NULL);
    opt.runtime = rt2;
    opt.historical = hist2;
    opt.clock = NULL;   /* threads: the system clock; the window is wide */
    opt.limits.max_skew_us = INT64_C(100) * 366 * 86400 * 1000000;
    /* both writers pause between reading the position and writing it, so that
     * without the version check their updates would overwrite each other */
    f->race_sleep_us = 3000;
    tc_assert_ok(tc_ledger_open(&opt, &l2, &err), &err);
    struct tc_ledger *l1 = NULL;
    opt.runtime = f->rt;
    opt.historical = f->hist;
    tc_assert_ok(tc_ledger_open(&opt, &l1, &err), &err);
    for (int k = 0; k < 2; k++) {
        w[k] = (struct writer){f, k ? l2 : l1, k + 1, 20, 0, TC_DEC_ZERO, 0};
        assert_int_equal(pthread_create(&th[k], NULL, writer_main, &w[k]), 0);
    }
    for (int k = 0; k < 2; k++)
        pthread_join(th[k], NULL);
    assert_int_equal(w[0].failed + w[1].failed, 0);
    assert_true(w[0].accepted + w[1].accepted >= 20);
    /* Fills: two writers grow the same order and position one unit at a time;
     * a lost update would leave the quantity short of the fills. */
    {
        struct tc_signal_outcome lo;
        struct filler fw[2];
        size_t nv = 99;
        tc_assert_ok(tc_ledger_submit_signal(l1, "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\","
                                             "\"strategy\":\"s1\",\"instrument\":\"C0\",\"side\":\"LONG\","
                                             "\"timestamp\":\"" TS "\",\"price\":\"50\",\"stop\":\"45\","
                                             "\"quantity\":\"40\",\"signal_id\":\"lf\"}",
                                             (size_t)-1, &lo, &err),
                     &err);
        assert_int_equal(lo.status, TC_SIGNAL_ACCEPTED);
        for (int k = 0; k < 2; k++) {
            fw[k] = (struct filler){k ? l2 : l1, k, 20, 0};
            assert_int_equal(pthread_create(&th[k], NULL, filler_main, &fw[k]), 0);
        }
        for (int k = 0; k < 2; k++)
            pthread_join(th[k], NULL);
        assert_int_equal(fw[0].failed + fw[1].failed, 0);
        assert_string_equal(qdec(f, "SELECT quantity FROM positions WHERE position_id = $1", lo.position_id), "40");
        assert_string_equal(qdec(f, "SELECT filled_quantity FROM orders WHERE order_id = $1", lo.order_id), "40");
        assert_string_equal(q1(f, "SELECT status FROM orders WHERE order_id = $1", lo.order_id), "FILLED");
        /* 20 (the ES entry) + 40 × 0.01 */
        assert_string_equal(qdec(f, "SELECT commission_paid FROM portfolio_state", NULL), "20.4");
        tc_assert_ok(tc_ledger_check(l1, NULL, NULL, &nv, &err), &err);
        assert_int_equal(nv, 0);
    }
    f->race_sleep_us = 0;
    tc_ledger_close(l1);
    tc_ledger_close(l2);
    tc_store_close(hist2);
    tc_store_close(rt2);
    /* every accepted update counted once: version = insert 1 + fill 1 + accepted */
    snprintf(want, sizeof(want), "%d", 2 + w[0].accepted + w[1].accepted);
    assert_string_equal(q1(f, "SELECT version FROM positions WHERE position_id = $1", o.position_id), want);
    tc_dec_format(tc_dec_cmp(w[0].max_stop, w[1].max_stop) > 0 ? w[0].max_stop : w[1].max_stop, want,
                  sizeof(want));
    assert_string_equal(qdec(f, "SELECT current_stop FROM positions WHERE position_id = $1", o.position_id), want);
    /* the first ledger's cache does not know the other writers' updates: reading
     * it after reopening does */
    tc_ledger_close(f->l);
    f->l = NULL;
    assert_int_equal(open_ledger(f), 0);
    tc_assert_ok(tc_ledger_position_get(f->l, o.position_id, &p, &err), &err);
    assert_string_equal(fmt(p.current_stop), want);
}

struct saver {
    struct tc_ledger *l;
    int k;
    int rc;
    struct tc_signal_outcome o;
    struct tc_error err;
};

static void *saver_main(void *arg)
{
    struct saver *s = arg;
    char body[512];
    snprintf(body, sizeof(body),
             "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"C%d\","
             "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"50\",\"stop\":\"40\",\"quantity\":\"100\"}",
             s->k);
    s->rc = tc_ledger_submit_signal(s->l, body, (size_t)-1, &s->o, &s->err);
    return NULL;
}

/* Ten signals at once in one portfolio: all recorded, no deadlock, exact totals. */
static void test_concurrent_saves(void **state)
{
    struct fx *f = *state;
    struct tc_ledger *l = NULL;
    struct tc_ledger_options opt;
    struct tc_error err = {0};
    struct saver s[NCONC];
    pthread_t th[NCONC];
    size_t nv = 99, n = 0;
    struct tc_portfolio_state ps;

    ledger_opts(f, &opt, f->broker);
    opt.clock = NULL;
    opt.fault = NULL;
    opt.limits.max_skew_us = INT64_C(100) * 366 * 86400 * 1000000;
    tc_ledger_close(f->l);
    f->l = NULL;
    tc_assert_ok(tc_ledger_open(&opt, &l, &err), &err);
    for (int k = 0; k < NCONC; k++) {
        s[k] = (struct saver){l, k, 0, {0}, {0}};
        assert_int_equal(pthread_create(&th[k], NULL, saver_main, &s[k]), 0);
    }
    for (int k = 0; k < NCONC; k++)
        pthread_join(th[k], NULL);
    for (int k = 0; k < NCONC; k++) {
        if (s[k].rc != 0)
            fail_msg("saver %d: %s", k, tc_error_msg(&s[k].err));
        assert_int_equal(s[k].o.status, TC_SIGNAL_ACCEPTED);
    }
    /* each: 100 units (explicit: sizing from equity would depend on the order
     * in which the others' commissions land) at 50, commission 100 × 50 × 0.001 = 5 */
    assert_int_equal(qcount(f, "fills"), NCONC);
    assert_string_equal(qdec(f, "SELECT commission_paid FROM portfolio_state", NULL), "50");
    assert_string_equal(qdec(f, "SELECT cash FROM portfolio_state", NULL), "99950");
    tc_assert_ok(tc_ledger_portfolio_state(l, "p1", &ps, &err), &err);
    assert_string_equal(fmt(ps.commission_paid), "50");
    tc_assert_ok(tc_ledger_positions_open(l, "p1", NULL, NULL, 0, &n, &err), &err);
    assert_int_equal(n, NCONC);
    tc_assert_ok(tc_ledger_check(l, NULL, NULL, &nv, &err), &err);
    assert_int_equal(nv, 0);
    tc_ledger_close(l);
    assert_int_equal(open_ledger(f), 0);
}

struct racer {
    struct tc_ledger *l;
    int k, rc;
    struct tc_signal_outcome o;
    struct tc_error err;
};

static void *racer_main(void *arg)
{
    struct racer *r = arg;
    char body[512];
    snprintf(body, sizeof(body),
             "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"C1\","
             "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"50\",\"stop\":\"40\","
             "\"signal_id\":\"race-%d\"}",
             r->k);
    r->rc = tc_ledger_submit_signal(r->l, body, (size_t)-1, &r->o, &r->err);
    return NULL;
}

/* Four different base entries of one instrument at once (each pausing before
 * its writes): one opens the base, the others are rejected, one position. */
static void test_concurrent_bases(void **state)
{
    struct fx *f = *state;
    struct tc_ledger *l = NULL;
    struct tc_ledger_options opt;
    struct tc_error err = {0};
    struct racer r[4];
    pthread_t th[4];
    int accepted = 0;
    size_t nv = 99;

    ledger_opts(f, &opt, f->broker);
    opt.clock = NULL;
    opt.limits.max_skew_us = INT64_C(100) * 366 * 86400 * 1000000;
    tc_ledger_close(f->l);
    f->l = NULL;
    f->race_sleep_us = 3000;
    tc_assert_ok(tc_ledger_open(&opt, &l, &err), &err);
    for (int k = 0; k < 4; k++) {
        memset(&r[k], 0, sizeof(r[k]));
        r[k].l = l;
        r[k].k = k;
        assert_int_equal(pthread_create(&th[k], NULL, racer_main, &r[k]), 0);
    }
    for (int k = 0; k < 4; k++)
        pthread_join(th[k], NULL);
    f->race_sleep_us = 0;
    for (int k = 0; k < 4; k++) {
        if (r[k].rc != 0)
            fail_msg("racer %d: %s", k, tc_error_msg(&r[k].err));
        if (r[k].o.status == TC_SIGNAL_ACCEPTED)
            accepted++;
        else
            assert_non_null(strstr(r[k].o.reason, "already has an open base"));
    }
    assert_int_equal(accepted, 1);
    assert_int_equal(qcount(f, "positions"), 1);
    assert_int_equal(qcount(f, "orders"), 1);
    assert_int_equal(qcount(f, "signal_log"), 4);
    tc_assert_ok(tc_ledger_check(l, NULL, NULL, &nv, &err), &err);
    assert_int_equal(nv, 0);
    tc_ledger_close(l);
    assert_int_equal(open_ledger(f), 0);
}

/* A strategy that allows loosening stops. */
static void test_stop_loosen_allowed(void **state)
{
    struct fx *f = *state;
    struct tc_accounts acc = {f->rt, &f->clock.clock, "tester"};
    struct tc_strategy_def s = {0};
    struct tc_signal_outcome o;
    struct tc_error err = {0};

    snprintf(s.strategy_id, sizeof(s.strategy_id), "loose");
    snprintf(s.name, sizeof(s.name), "loose");
    s.enabled = 1;
    s.params = (char *)"{\"allow_stop_loosen\":true}";
    tc_assert_ok(tc_accounts_strategy_create(&acc, &s, &err), &err);
    expect_accepted(f, "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"loose\","
                       "\"instrument\":\"ES\",\"side\":\"LONG\",\"timestamp\":\"" TS "\","
                       "\"price\":\"100\",\"stop\":\"95\"}", &o);
    expect_accepted(f, "{\"type\":\"STOP_UPDATE\",\"portfolio\":\"p1\",\"strategy\":\"loose\","
                       "\"instrument\":\"ES\",\"side\":\"LONG\",\"timestamp\":\"" TS "\","
                       "\"stop\":\"90\"}", &o);
    assert_string_equal(qdec(f, "SELECT current_stop FROM positions", NULL), "90");
    assert_string_equal(qdec(f, "SELECT initial_stop FROM positions", NULL), "95");
    /* still never on the wrong side of the price */
    expect_rejected(f, "{\"type\":\"STOP_UPDATE\",\"portfolio\":\"p1\",\"strategy\":\"loose\","
                       "\"instrument\":\"ES\",\"side\":\"LONG\",\"timestamp\":\"" TS "\","
                       "\"stop\":\"101\",\"price\":\"100\"}", "stop 101");
    assert_string_equal(qdec(f, "SELECT current_stop FROM positions", NULL), "90");
}

/* ------------------------------------------------------------------------ */
/* The cache and failed transactions                                          */

static void test_cache_never_uncommitted(void **state)
{
    struct tc_test_twophase tp;
    struct fx *f = *state;
    struct tc_signal_outcome o;
    struct tc_position p;
    struct tc_portfolio_state ps;
    struct tc_error err = {0};
    size_t n = 9;
    char *before;

    /* a signal transaction that fails after all its writes: nothing recorded */
    f->fault_point = "signal:before_commit";
    f->fault_on = 1;
    assert_int_equal(tc_ledger_submit_signal(f->l, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\""),
                                             (size_t)-1, &o, &err),
                     TC_EIO);
    assert_non_null(strstr(err.msg, "not recorded"));
    assert_int_equal(qcount(f, "signal_log"), 0);
    assert_int_equal(qcount(f, "positions"), 0);
    tc_assert_ok(tc_ledger_positions_open(f->l, "p1", NULL, NULL, 0, &n, &err), &err);
    assert_int_equal(n, 0);
    assert_int_equal(tc_ledger_portfolio_state(f->l, "p1", &ps, &err), TC_ENOTFOUND);

    /* the signal commits, its acknowledgement-and-fill transaction fails
     * after updating (a broker called after the commit) */
    {
        struct tc_ledger_options lo;
        tc_test_twophase_init(&tp, f->broker);
        tc_ledger_close(f->l);
        ledger_opts(f, &lo, &tp.base);
        tc_assert_ok(tc_ledger_open(&lo, &f->l, &err), &err);
    }
    f->fault_point = "ack:before_commit";
    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\""), &o);
    f->fault_on = 0;
    before = dump(f, 0);
    tc_assert_ok(tc_ledger_position_get(f->l, o.position_id, &p, &err), &err);
    assert_string_equal(fmt(p.quantity), "0");
    assert_int_equal(p.version, 1);
    tc_assert_ok(tc_ledger_portfolio_state(f->l, "p1", &ps, &err), &err);
    assert_string_equal(fmt(ps.commission_paid), "0");
    assert_int_equal(ps.version, 1);
    assert_string_equal(q1(f, "SELECT status FROM orders", NULL), "NEW");
    assert_int_equal(qcount(f, "fills"), 0);
    /* recovery completes it exactly once */
    tc_assert_ok(tc_ledger_resubmit_pending(f->l, &n, &err), &err);
    assert_int_equal(n, 1);
    tc_assert_ok(tc_ledger_position_get(f->l, o.position_id, &p, &err), &err);
    assert_string_equal(fmt(p.quantity), "100");
    tc_assert_ok(tc_ledger_portfolio_state(f->l, "p1", &ps, &err), &err);
    assert_string_equal(fmt(ps.commission_paid), "20");
    assert_int_equal(qcount(f, "fills"), 1);
    assert_string_equal(q1(f, "SELECT status FROM orders", NULL), "FILLED");
    free(before);
    tc_ledger_close(f->l); /* TP lives on this stack */
    assert_int_equal(open_ledger(f), 0);
}

/* Invariant violations are reported (the store edited behind the ledger). */
struct viols {
    int n;
    char kinds[256];
};

static int viol_cb(const struct tc_ledger_violation *v, void *ud)
{
    struct viols *vs = ud;
    vs->n++;
    strncat(vs->kinds, v->kind, sizeof(vs->kinds) - strlen(vs->kinds) - 2);
    strncat(vs->kinds, " ", sizeof(vs->kinds) - strlen(vs->kinds) - 1);
    assert_non_null(strstr(v->message, v->subject));
    return 0;
}

static void test_check_reports(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    struct viols vs = {0};
    struct tc_ledger_options opt;
    struct tc_ledger *l2 = NULL;
    size_t n = 0;

    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\""), &o);
    {
        struct tc_val v[] = {TC_V_DEC(tc_dec_from_raw(INT64_C(1234500000000)))};
        tc_assert_ok(tc_store_exec(f->rt, "UPDATE portfolio_state SET cash = $1", v, 1, NULL, NULL, NULL, &err), &err);
        tc_assert_ok(tc_store_exec(f->rt, "UPDATE positions SET quantity = $1", v, 1, NULL, NULL, NULL, &err), &err);
    }
    tc_assert_ok(tc_ledger_check(f->l, viol_cb, &vs, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_int_equal(vs.n, 2);
    assert_non_null(strstr(vs.kinds, "position_quantity"));
    assert_non_null(strstr(vs.kinds, "portfolio_cash"));
    /* strict opening refuses such a store */
    ledger_opts(f, &opt, NULL);
    opt.strict_check = 1;
    assert_int_equal(tc_ledger_open(&opt, &l2, &err), TC_ESTATE);
    assert_non_null(strstr(err.msg, "2 invariant violation"));
    assert_null(l2);
}

static void test_bad_options(void **state)
{
    struct fx *f = *state;
    struct tc_ledger_options opt;
    struct tc_ledger *l = NULL;
    struct tc_error err = {0};
    struct tc_broker *b = NULL;
    struct tc_broker_instant_options io;
    struct tc_position p;

    ledger_opts(f, &opt, NULL);
    opt.runtime = NULL;
    assert_int_equal(tc_ledger_open(&opt, &l, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "runtime"));
    ledger_opts(f, &opt, NULL);
    opt.mode = (enum tc_mode)9;
    assert_int_equal(tc_ledger_open(&opt, &l, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "mode 9"));
    ledger_opts(f, &opt, NULL);
    opt.run_id = "bad id";
    assert_int_equal(tc_ledger_open(&opt, &l, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "run id"));
    assert_null(l);
    tc_broker_instant_options_default(&io);
    tc_dec_parse("1", (size_t)-1, &io.commission_rate, NULL);
    assert_int_equal(tc_broker_instant_new(&io, &b, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "commission_rate 1"));
    assert_int_equal(tc_ledger_position_get(f->l, "pos-none", &p, &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "pos-none"));
    assert_int_equal(tc_ledger_position_get(f->l, "a b", &p, &err), TC_EINVAL);
    assert_int_equal(tc_ledger_portfolio_init(f->l, "nope", &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "portfolio \"nope\" not found"));
    tc_assert_ok(tc_ledger_portfolio_init(f->l, "p1", &err), &err);
    assert_string_equal(qdec(f, "SELECT cash FROM portfolio_state", NULL), "100000");
}

/* An explicit size needs no stop: the position has none until a STOP_UPDATE. */
static void test_base_without_stop(void **state)
{
    struct fx *f = *state;
    struct tc_signal_outcome o;
    struct tc_position p;
    struct tc_error err = {0};

    expect_rejected(f, SIG("BASE_ENTRY", ",\"price\":\"100\""), "stop");
    expect_accepted(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"quantity\":\"10\""), &o);
    assert_string_equal(q1(f, "SELECT initial_stop FROM positions WHERE position_id = $1", o.position_id), "NULL");
    tc_assert_ok(tc_ledger_position_get(f->l, o.position_id, &p, &err), &err);
    assert_int_equal(p.has_current_stop, 0);
    assert_string_equal(fmt(p.quantity), "10");
    /* a pyramid without a stop of its own has none either */
    expect_accepted(f, SIG("PYRAMID", ",\"price\":\"102\""), &o);
    assert_string_equal(q1(f, "SELECT current_stop FROM positions WHERE position_id = $1", o.position_id), "NULL");
    /* the first stop: any stop on the right side */
    expect_accepted(f, SIG("STOP_UPDATE", ",\"stop\":\"90\",\"price\":\"103\""), &o);
    tc_assert_ok(tc_ledger_position_get(f->l, o.position_id, &p, &err), &err);
    assert_int_equal(p.has_current_stop, 1);
    assert_string_equal(fmt(p.current_stop), "90");
    assert_int_equal(p.has_initial_stop, 0);
}

/* Signals built in code (backtests): same engine, no payload logged. */
static void test_submit_struct(void **state)
{
    struct fx *f = *state;
    struct tc_signal sig = {0};
    struct tc_signal_outcome o, d;
    struct tc_error err = {0};
    char *before;

    sig.type = TC_SIGNAL_BASE_ENTRY;
    sig.side = TC_SIDE_LONG;
    snprintf(sig.portfolio, sizeof(sig.portfolio), "p1");
    snprintf(sig.strategy, sizeof(sig.strategy), "s1");
    snprintf(sig.instrument, sizeof(sig.instrument), "ES");
    sig.price = tc_dec_from_raw(100 * TC_DEC_ONE);
    sig.stop = tc_dec_from_raw(95 * TC_DEC_ONE);
    sig.has_price = sig.has_stop = 1;
    sig.timestamp_us = T0;
    snprintf(sig.passphrase, sizeof(sig.passphrase), "never-stored");
    sig.has_passphrase = 1;
    tc_assert_ok(tc_ledger_submit(f->l, &sig, &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    assert_string_equal(q1(f, "SELECT payload FROM signal_log WHERE fingerprint = $1", o.fingerprint), "NULL");
    assert_string_equal(qdec(f, "SELECT quantity FROM positions WHERE position_id = $1", o.position_id), "100");
    /* the same signal as JSON is its duplicate */
    submit(f, SIG("BASE_ENTRY", ",\"price\":\"100\",\"stop\":\"95\""), &d);
    assert_int_equal(d.duplicate, 1);
    assert_string_equal(d.position_id, o.position_id);
    /* a bad one is recorded as rejected and changes nothing else */
    before = dump(f, 1);
    sig.price = TC_DEC_ZERO;
    tc_assert_ok(tc_ledger_submit(f->l, &sig, &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_REJECTED);
    assert_non_null(strstr(o.reason, "price 0 must be positive"));
    char *after = dump(f, 1);
    assert_string_equal(before, after);
    free(after);
    free(before);
    assert_int_equal(tc_ledger_submit(f->l, NULL, &o, &err), TC_EINVAL);
}

static void test_down_migration(void **state)
{
    struct fx *f = *state;
    struct tc_error err = {0};
    struct tc_migration_set *set = NULL;
    tc_ledger_close(f->l);
    f->l = NULL;
    tc_assert_ok(tc_migration_set_load_embedded(f->pg ? "postgres" : "sqlite", "runtime", &set, &err), &err);
    /* back to 0001: the ledger's 0002 and every later migration */
    tc_assert_ok(tc_migrate_down(f->rt, set, tc_migration_set_latest(set) - 1, 0, NULL, NULL, &err),
                 &err);
    assert_int_equal(tc_store_exec(f->rt, "SELECT COUNT(*) FROM positions", NULL, 0, NULL, NULL, NULL, &err),
                     TC_ESTORE);
    tc_assert_ok(tc_migrate_up(f->rt, set, -1, 0, NULL, NULL, &err), &err);
    tc_migration_set_free(set);
    assert_int_equal(qcount(f, "positions"), 0);
    assert_int_equal(open_ledger(f), 0);
}

#define LEDGER_TESTS(setup_fn)                                                                   \
    {                                                                                           \
        cmocka_unit_test_setup_teardown(test_round_trip, setup_fn, teardown),                   \
        cmocka_unit_test_setup_teardown(test_short_and_partial, setup_fn, teardown),            \
        cmocka_unit_test_setup_teardown(test_duplicate, setup_fn, teardown),                    \
        cmocka_unit_test_setup_teardown(test_passphrase_not_stored, setup_fn, teardown),        \
        cmocka_unit_test_setup_teardown(test_two_processes, setup_fn, teardown),                \
        cmocka_unit_test_setup_teardown(test_reopen_identical, setup_fn, teardown),             \
        cmocka_unit_test_setup_teardown(test_crash_between_commit_and_submit, setup_fn, teardown), \
        cmocka_unit_test_setup_teardown(test_rejections, setup_fn, teardown),                   \
        cmocka_unit_test_setup_teardown(test_side_and_named_exit, setup_fn, teardown),          \
        cmocka_unit_test_setup_teardown(test_fills, setup_fn, teardown),                        \
        cmocka_unit_test_setup_teardown(test_optimistic_locking, setup_fn, teardown),           \
        cmocka_unit_test_setup_teardown(test_concurrent_saves, setup_fn, teardown),             \
        cmocka_unit_test_setup_teardown(test_concurrent_bases, setup_fn, teardown),             \
        cmocka_unit_test_setup_teardown(test_stop_loosen_allowed, setup_fn, teardown),          \
        cmocka_unit_test_setup_teardown(test_cache_never_uncommitted, setup_fn, teardown),      \
        cmocka_unit_test_setup_teardown(test_check_reports, setup_fn, teardown),                \
        cmocka_unit_test_setup_teardown(test_bad_options, setup_fn, teardown),                  \
        cmocka_unit_test_setup_teardown(test_submit_struct, setup_fn, teardown),                \
        cmocka_unit_test_setup_teardown(test_base_without_stop, setup_fn, teardown),            \
        cmocka_unit_test_setup_teardown(test_down_migration, setup_fn, teardown),               \
    }

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = LEDGER_TESTS(setup_sqlite);
    const struct CMUnitTest pg_tests[] = LEDGER_TESTS(setup_pg);
    int failed = 0;

    struct tc_log_config lc = TC_LOG_CONFIG_DEFAULT;
    lc.level = TC_LOG_FATAL;
    tc_log_open(&lc, NULL);
    failed += cmocka_run_group_tests_name("ledger sqlite", sqlite_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("ledger postgres", pg_tests, NULL, NULL);
    tc_test_pg_drop_all();
    return failed ? 1 : 0;
}
