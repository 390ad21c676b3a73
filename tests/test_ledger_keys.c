/* The in-memory ledger's keys: the orders' client order ids
 * ("<fingerprint>:L<n>" / ":X<n>", hashed from the fingerprint's hash kept
 * ahead) found by fills in any order through maps that grew many times,
 * ids near a real one (another suffix, a letter, a digit more or less, no
 * suffix, another fingerprint) not found with nothing changed; the
 * fingerprint hashed ahead never stands for another signal's (a duplicate
 * after other signals, a signal rolled back and sent again); through the
 * backend itself, an order kept by its signal row and one kept in the map
 * each refuse the other's id, both found by it, and a rollback drops an
 * order from its row's list (a new row's and an older row's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_internal.h"
#include "ledger/ledger_repo.h"
#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/ledger.h"
#include "tradecore/refdata.h"
#include "tradecore/signal.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */
#define TS "2025-11-21T22:50:00Z"
#define NINST 150

struct world {
    struct tc_manual_clock clock;
    struct tc_ledger *l;
    struct tc_ledger_seq_ids ids;
    const char *fault_point;
    /* a scripted id generator: the position ids to give, in turn (other
     * kinds "<kind>-s-<n>") */
    const char *const *script;
    size_t next, count;
};

static int script_id(void *ud, const char *kind, char *buf, size_t cap)
{
    struct world *w = ud;
    if (strcmp(kind, "pos") == 0) {
        if (w->next >= w->count)
            return TC_ERANGE;
        snprintf(buf, cap, "%s", w->script[w->next++]);
    } else {
        w->ids.n++;
        snprintf(buf, cap, "%s-s-%llu", kind, (unsigned long long)w->ids.n);
    }
    return 0;
}

/* Instrument K's id, as tc_test_mem_ledger_open names them without a list. */
static void inst_name(char *buf, size_t cap, int k) { snprintf(buf, cap, "I%03d", k); }

static void world_open_ids(struct world *w, const char *const *script, size_t count)
{
    memset(w, 0, sizeof(*w));
    snprintf(w->ids.prefix, sizeof(w->ids.prefix), "t");
    w->script = script;
    w->count = count;
    tc_test_mem_ledger_open(&w->l, &w->clock, T0, &w->fault_point,
                            script ? script_id : tc_ledger_seq_id, script ? (void *)w : &w->ids,
                            NULL, NINST, "10000000");
}

static void world_open(struct world *w) { world_open_ids(w, NULL, 0); }

/* A base entry of 10 on instrument K at 100, signal id "e-<ID>". */
static int entry(struct world *w, int k, int id, struct tc_signal_outcome *o,
                 struct tc_error *err)
{
    char inst[16], sid[32];
    inst_name(inst, sizeof(inst), k);
    snprintf(sid, sizeof(sid), "e-%d", id);
    return tc_test_entry_json(w->l, inst, TS, "10", sid, o, err);
}

/* An exit of instrument K at 104, signal id "x-<K>". */
static int exit_of(struct world *w, int k, struct tc_signal_outcome *o, struct tc_error *err)
{
    char json[512], inst[16];
    inst_name(inst, sizeof(inst), k);
    snprintf(json, sizeof(json),
             "{\"type\":\"EXIT\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":"
             "\"%s\",\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"104\","
             "\"signal_id\":\"x-%d\"}",
             inst, k);
    return tc_ledger_submit_signal(w->l, json, (size_t)-1, o, err);
}

static void fill_to(struct tc_fill *f, const char *client_order_id, const char *exec,
                    const char *qty, const char *price)
{
    tc_test_fill(f, exec, client_order_id, "", qty, price, T0);
}

static void assert_position(struct world *w, const char *id, int k, const char *qty,
                            const char *entry_price, enum tc_position_status status)
{
    struct tc_position p;
    struct tc_error err = {0};
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], inst[16];

    inst_name(inst, sizeof(inst), k);
    tc_assert_ok(tc_ledger_position_get(w->l, id, &p, &err), &err);
    assert_string_equal(p.position_id, id);
    assert_string_equal(p.instrument_id, inst);
    tc_dec_format(p.quantity, a, sizeof(a));
    tc_dec_format(p.entry_price, b, sizeof(b));
    assert_string_equal(a, qty);
    assert_string_equal(b, entry_price);
    assert_int_equal(p.status, status);
}

/* 150 entries and 50 exits (maps grown from 64 slots to 1,024), their
 * orders filled in orders unlike theirs: each fill on its own position. */
static void test_many_orders_any_order(void **state)
{
    struct world w;
    struct tc_signal_outcome o[NINST], x;
    struct tc_error err = {0};
    struct tc_fill f;
    char coid[TC_CLIENT_ORDER_ID_MAX], exec[32], price[32];
    int applied = -1;

    (void)state;
    world_open(&w);
    for (int k = 0; k < NINST; k++) {
        tc_assert_ok(entry(&w, k, k, &o[k], &err), &err);
        assert_int_equal(o[k].status, TC_SIGNAL_ACCEPTED);
        assert_int_equal(o[k].duplicate, 0);
    }
    /* every 37th, around: each order once */
    for (int j = 0; j < NINST; j++) {
        int k = j * 37 % NINST;
        snprintf(coid, sizeof(coid), "%s:L0", o[k].fingerprint);
        snprintf(exec, sizeof(exec), "f-%d", k);
        snprintf(price, sizeof(price), "%d", 100 + k % 7);
        fill_to(&f, coid, exec, "10", price);
        tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
        assert_int_equal(applied, 1);
    }
    for (int k = 0; k < NINST; k++) {
        snprintf(price, sizeof(price), "%d", 100 + k % 7);
        assert_position(&w, o[k].position_id, k, "10", price, TC_POSITION_OPEN);
    }
    /* exits of every third, filled newest first */
    for (int k = 0; k < NINST; k += 3) {
        tc_assert_ok(exit_of(&w, k, &x, &err), &err);
        assert_int_equal(x.status, TC_SIGNAL_ACCEPTED);
        assert_string_equal(x.position_id, o[k].position_id);
    }
    for (int k = NINST - 3; k >= 0; k -= 3) {
        char fp[64];
        snprintf(fp, sizeof(fp), "id:x-%d", k);
        snprintf(coid, sizeof(coid), "%s:X0", fp);
        snprintf(exec, sizeof(exec), "x-%d", k);
        fill_to(&f, coid, exec, "10", "104");
        tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
        assert_int_equal(applied, 1);
    }
    for (int k = 0; k < NINST; k++) {
        snprintf(price, sizeof(price), "%d", 100 + k % 7);
        assert_position(&w, o[k].position_id, k, k % 3 ? "10" : "0", price,
                        k % 3 ? TC_POSITION_OPEN : TC_POSITION_CLOSED);
    }
    /* the same fills again: duplicates, nothing applied */
    snprintf(coid, sizeof(coid), "%s:L0", o[5].fingerprint);
    fill_to(&f, coid, "f-5", "10", "105");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 0);
    fill_to(&f, "id:x-3:X0", "x-3", "10", "104");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 0);
    {
        /* every order's fills and every position's quantity agree */
        size_t nv = 99;
        tc_assert_ok(tc_ledger_check(w.l, NULL, NULL, &nv, &err), &err);
        assert_int_equal(nv, 0);
    }
    tc_ledger_close(w.l);
}

/* Client order ids near a real one are other orders: not found (named),
 * nothing applied, the position unchanged; the real one fills after. */
static void test_near_ids_not_found(void **state)
{
    struct world w;
    struct tc_signal_outcome a, b;
    struct tc_error err = {0};
    struct tc_fill f;
    char coid[TC_CLIENT_ORDER_ID_MAX], want[TC_CLIENT_ORDER_ID_MAX + 32];
    int applied = -1;
    static const char *const suffixes[] = {
        ":L1",  ":X0",  ":L00", ":L",   ":L0x",          ":l0",          "",
        ":L0:L0", ":0", "L0",  ":X",   ":L01234567890", ":L4294967296", ":L0 ",
    };

    (void)state;
    world_open(&w);
    tc_assert_ok(entry(&w, 0, 0, &a, &err), &err);
    tc_assert_ok(entry(&w, 1, 1, &b, &err), &err);
    assert_string_equal(a.fingerprint, "id:e-0");
    for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]); s++) {
        snprintf(coid, sizeof(coid), "%s%s", a.fingerprint, suffixes[s]);
        fill_to(&f, coid, "f-near", "10", "101");
        applied = -1;
        assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_ENOTFOUND);
        snprintf(want, sizeof(want), "order \"%s\" not found", coid);
        assert_non_null(strstr(tc_error_msg(&err), want));
        assert_int_equal(applied, 0);
    }
    /* another fingerprint that differs in its last byte, its first, or is
     * one byte longer or shorter */
    {
        static const char *const fps[] = {"id:e-1x", "id:e-2", "Id:e-0", "id:e-", "id:e-00"};
        for (size_t s = 0; s < sizeof(fps) / sizeof(fps[0]); s++) {
            snprintf(coid, sizeof(coid), "%s:L0", fps[s]);
            fill_to(&f, coid, "f-near", "10", "101");
            assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_ENOTFOUND);
            snprintf(want, sizeof(want), "order \"%s\" not found", coid);
            assert_non_null(strstr(tc_error_msg(&err), want));
            assert_int_equal(applied, 0);
        }
    }
    assert_position(&w, a.position_id, 0, "0", "100", TC_POSITION_OPEN);
    assert_position(&w, b.position_id, 1, "0", "100", TC_POSITION_OPEN);
    /* the real ones */
    fill_to(&f, "id:e-1:L0", "f-b", "10", "102");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    fill_to(&f, "id:e-0:L0", "f-a", "10", "101");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    assert_position(&w, a.position_id, 0, "10", "101", TC_POSITION_OPEN);
    assert_position(&w, b.position_id, 1, "10", "102", TC_POSITION_OPEN);
    tc_ledger_close(w.l);
}

/* The fingerprint hashed ahead is the signal's own: a duplicate sent after
 * other signals and fills is found; a signal whose transaction fails (its
 * hash kept) leaves no row nor order, and goes in when sent again, its
 * order then found; a body that does not parse has its own fingerprint. */
static void test_hashed_ahead(void **state)
{
    struct world w;
    struct tc_signal_outcome a, b, c, d;
    struct tc_error err = {0};
    struct tc_fill f;
    int applied = -1;

    (void)state;
    world_open(&w);
    tc_assert_ok(entry(&w, 0, 0, &a, &err), &err);
    tc_assert_ok(entry(&w, 1, 1, &b, &err), &err);
    fill_to(&f, "id:e-0:L0", "f-a", "10", "101");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    /* a again: its duplicate, its first outcome */
    tc_assert_ok(entry(&w, 0, 0, &c, &err), &err);
    assert_int_equal(c.duplicate, 1);
    assert_string_equal(c.position_id, a.position_id);
    assert_string_equal(c.order_id, a.order_id);
    /* a new one whose transaction fails, three times */
    for (int round = 0; round < 3; round++) {
        w.fault_point = "signal:before_commit";
        assert_int_equal(entry(&w, 2, 2, &c, &err), TC_EIO);
        assert_non_null(strstr(tc_error_msg(&err), "signal:before_commit"));
        w.fault_point = NULL;
        fill_to(&f, "id:e-2:L0", "f-c", "10", "103");
        assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_ENOTFOUND);
        assert_non_null(strstr(tc_error_msg(&err), "order \"id:e-2:L0\" not found"));
        assert_int_equal(applied, 0);
    }
    /* a body that does not parse: rejected under its own fingerprint */
    tc_assert_ok(tc_ledger_submit_signal(w.l, "{\"signal_id\":\"e-2\",\"type\":1}", (size_t)-1,
                                         &d, &err),
                 &err);
    assert_int_equal(d.status, TC_SIGNAL_REJECTED);
    assert_string_equal(d.fingerprint, "id:e-2");
    /* so the entry is its duplicate now */
    tc_assert_ok(entry(&w, 2, 2, &c, &err), &err);
    assert_int_equal(c.duplicate, 1);
    assert_int_equal(c.status, TC_SIGNAL_REJECTED);
    /* under another id it goes in, its order found */
    tc_assert_ok(entry(&w, 2, 3, &c, &err), &err);
    assert_int_equal(c.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(c.duplicate, 0);
    fill_to(&f, "id:e-3:L0", "f-c", "10", "103");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    assert_position(&w, c.position_id, 2, "10", "103", TC_POSITION_OPEN);
    /* b's order, after all that */
    fill_to(&f, "id:e-1:L0", "f-b", "10", "102");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    assert_position(&w, b.position_id, 1, "10", "102", TC_POSITION_OPEN);
    tc_ledger_close(w.l);
}

/* The backend's own calls, in transactions. */
struct direct {
    struct tc_ledger *l;
    int step;
    size_t sig_a, pos;
};

static void intent(struct tc_order_intent *o, const char *order_id, const char *coid)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->order_id, sizeof(o->order_id), "%s", order_id);
    snprintf(o->client_order_id, sizeof(o->client_order_id), "%s", coid);
    snprintf(o->portfolio_id, sizeof(o->portfolio_id), "p1");
    snprintf(o->strategy_id, sizeof(o->strategy_id), "s1");
    snprintf(o->instrument_id, sizeof(o->instrument_id), "I000");
    o->mode = TC_MODE_BACKTEST;
    o->side = TC_ORDER_BUY;
    o->type = TC_ORDER_MARKET;
    o->tif = TC_TIF_DAY;
    o->quantity = tc_test_dec("1");
    o->multiplier = tc_test_dec("1");
    o->created_at_us = T0;
}

/* Inserts order COID of fingerprint FP with row handle SIG: its code, and
 * the message's text WANT for a refusal. FP_LEN: the signal path's word
 * that COID is FP and its suffix (0: checked). */
static int ins_n(struct direct *d, struct tc_txn *tx, const char *order_id, const char *coid,
                 const char *fp, size_t fp_len, size_t sig, const char *want)
{
    struct tc_order_intent o;
    struct tc_error e = {0};
    size_t ref = 0;
    int rc;

    intent(&o, order_id, coid);
    rc = d->l->repo->order_insert(d->l, tx, &o, 0, fp, fp_len, sig, "pos-t-1", d->pos, NULL, &ref,
                                  &e);
    if (want)
        assert_non_null(strstr(tc_error_msg(&e), want));
    else
        assert_true(ref > 0);
    return rc;
}

static int ins(struct direct *d, struct tc_txn *tx, const char *order_id, const char *coid,
               const char *fp, size_t sig, const char *want)
{
    return ins_n(d, tx, order_id, coid, fp, 0, sig, want);
}

/* The order id of client order id COID, "" when not found. */
static void load(struct direct *d, struct tc_txn *tx, const char *coid, char *order_id)
{
    struct tc__ledger_order o;
    struct tc_error e = {0};
    memset(&o, 0, sizeof(o));
    tc_assert_ok(d->l->repo->order_load(d->l, tx, coid, 0, &o, &e), &e);
    snprintf(order_id, TC_ID_BUFSZ, "%s", o.found ? o.order_id : "");
}

static int direct_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct direct *d = ud;
    struct tc_ledger *l = d->l;
    struct tc__ledger_sig_row row;
    struct tc_signal_outcome first;
    char got[TC_ID_BUFSZ];
    int inserted = 0;
    size_t sig = 0;

    memset(&row, 0, sizeof(row));
    if (d->step == 0) {
        struct tc_position p;
        size_t slot = 0;
        row.fp = "id:a";
        tc_assert_ok(l->repo->sig_insert(l, tx, &row, T0, &inserted, &d->sig_a, &first, err), err);
        assert_int_equal(inserted, 1);
        memset(&p, 0, sizeof(p));
        snprintf(p.position_id, sizeof(p.position_id), "pos-t-1");
        snprintf(p.portfolio_id, sizeof(p.portfolio_id), "p1");
        snprintf(p.strategy_id, sizeof(p.strategy_id), "s1");
        snprintf(p.instrument_id, sizeof(p.instrument_id), "I000");
        p.side = TC_SIDE_LONG;
        p.multiplier = p.lot_size = tc_test_dec("1");
        tc_assert_ok(l->repo->pos_insert(l, tx, &p, T0, &slot, &d->pos, err), err);
        /* kept by the row, then the same id refused both ways */
        assert_int_equal(ins(d, tx, "ord-1", "id:a:L0", "id:a", d->sig_a, NULL), 0);
        assert_int_equal(ins(d, tx, "ord-x", "id:a:L0", "id:a", 0, "the client order id exists"),
                         TC_ECONFLICT);
        assert_int_equal(ins(d, tx, "ord-x", "id:a:L0", "id:a", d->sig_a,
                             "the client order id exists"),
                         TC_ECONFLICT);
        /* kept in the map (no row given), then refused by the row's way */
        assert_int_equal(ins(d, tx, "ord-2", "id:a:X1", "id:a", 0, NULL), 0);
        assert_int_equal(ins(d, tx, "ord-x", "id:a:X1", "id:a", d->sig_a,
                             "order \"id:a:X1\": the client order id exists"),
                         TC_ECONFLICT);
        /* ids not the fingerprint and a suffix: in the map */
        assert_int_equal(ins(d, tx, "ord-3", "id:a:L0x", "id:a", d->sig_a, NULL), 0);
        assert_int_equal(ins(d, tx, "ord-4", "other:L0", "id:a", d->sig_a, NULL), 0);
        assert_int_equal(ins(d, tx, "ord-x", "other:L0", "id:a", d->sig_a,
                             "the client order id exists"),
                         TC_ECONFLICT);
        /* a row's own suffixes of 10 digits and one more */
        assert_int_equal(ins(d, tx, "ord-5", "id:a:L4294967295", "id:a", d->sig_a, NULL), 0);
        assert_int_equal(ins(d, tx, "ord-6", "id:a:L42949672950", "id:a", d->sig_a, NULL), 0);
        /* the fingerprint's length given (the signal path's own ids): kept
         * by the row, refused again either way */
        assert_int_equal(ins_n(d, tx, "ord-9", "id:a:L2", "id:a", 4, d->sig_a, NULL), 0);
        assert_int_equal(ins_n(d, tx, "ord-x", "id:a:L2", "id:a", 4, d->sig_a,
                               "order \"id:a:L2\": the client order id exists"),
                         TC_ECONFLICT);
        assert_int_equal(ins(d, tx, "ord-x", "id:a:L2", "id:a", 0, "the client order id exists"),
                         TC_ECONFLICT);
        assert_int_equal(ins_n(d, tx, "ord-x", "id:a:L0", "id:a", 4, d->sig_a,
                               "the client order id exists"),
                         TC_ECONFLICT);
        assert_int_equal(ins_n(d, tx, "ord-x", "id:a:X1", "id:a", 4, d->sig_a,
                               "the client order id exists"),
                         TC_ECONFLICT);
        return 0;
    }
    if (d->step == 1) {
        /* a new row with an order, and an order of the older row: undone */
        row.fp = "id:b";
        tc_assert_ok(l->repo->sig_insert(l, tx, &row, T0, &inserted, &sig, &first, err), err);
        assert_int_equal(ins(d, tx, "ord-7", "id:b:L0", "id:b", sig, NULL), 0);
        assert_int_equal(ins(d, tx, "ord-8", "id:a:L7", "id:a", d->sig_a, NULL), 0);
        load(d, tx, "id:b:L0", got);
        assert_string_equal(got, "ord-7");
        load(d, tx, "id:a:L7", got);
        assert_string_equal(got, "ord-8");
        return tc_error_set(err, TC_EIO, "undo it");
    }
    {
        static const char *const coid[] = {"id:a:L0",  "id:a:X1", "id:a:L0x", "other:L0",
                                           "id:a:L4294967295", "id:a:L42949672950",
                                           "id:a:L2",
                                           "id:b:L0",  "id:a:L7", "id:a:L1", "id:a:X0",
                                           "id:a",     "id:b:L1"};
        static const char *const want[] = {"ord-1", "ord-2", "ord-3", "ord-4", "ord-5", "ord-6",
                                           "ord-9",
                                           "",      "",      "",      "",      "",      ""};
        for (size_t k = 0; k < sizeof(coid) / sizeof(coid[0]); k++) {
            load(d, tx, coid[k], got);
            assert_string_equal(got, want[k]);
        }
    }
    return 0;
}

static void test_backend_orders(void **state)
{
    struct world w;
    struct direct d;
    struct tc_error err = {0};

    (void)state;
    world_open(&w);
    memset(&d, 0, sizeof(d));
    d.l = w.l;
    tc_assert_ok(w.l->repo->txn(w.l, direct_fn, &d, &err), &err);
    d.step = 1;
    assert_int_equal(w.l->repo->txn(w.l, direct_fn, &d, &err), TC_EIO);
    assert_string_equal(tc_error_msg(&err), "undo it");
    d.step = 2;
    tc_assert_ok(w.l->repo->read(w.l, direct_fn, &d, &err), &err);
    /* the rolled-back ids go in again */
    d.step = 1;
    assert_int_equal(w.l->repo->txn(w.l, direct_fn, &d, &err), TC_EIO);
    tc_ledger_close(w.l);
}

/* Position ID is not found, by name. */
static void assert_no_position(struct world *w, const char *id)
{
    struct tc_position p;
    struct tc_error err = {0};
    char want[TC_ID_BUFSZ + 32];
    assert_int_equal(tc_ledger_position_get(w->l, id, &p, &err), TC_ENOTFOUND);
    snprintf(want, sizeof(want), "\"%s\"", id);
    assert_non_null(strstr(tc_error_msg(&err), want));
}

/* Open positions on instrument K. */
static size_t open_on(struct world *w, int k)
{
    struct tc_position open[4];
    struct tc_error err = {0};
    char inst[16];
    size_t n = 99;
    inst_name(inst, sizeof(inst), k);
    tc_assert_ok(tc_ledger_positions_open(w->l, "p1", inst, open, 4, &n, &err), &err);
    return n;
}

/* Position ids counted by the ledger's generator, set back and forth by
 * its owner: a number taken (kept by number or in the map) refuses its
 * signal with nothing kept, a free one below the last goes in, numbers up
 * to UINT64_MAX, another prefix, a rollback of a numbered id and of one in
 * the map; ids near the real ones not found. */
static void test_positions_by_number(void **state)
{
    struct world w;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    char id[TC_ID_BUFSZ];
    int k = 0;

    (void)state;
    world_open(&w);
    /* pos-t-1, 3, 5, 7, 9 (an order id between each) */
    for (; k < 5; k++) {
        tc_assert_ok(entry(&w, k, k, &o, &err), &err);
        snprintf(id, sizeof(id), "pos-t-%d", 2 * k + 1);
        assert_string_equal(o.position_id, id);
    }
    /* a number taken below the last: refused, nothing kept */
    w.ids.n = 2;
    assert_int_equal(entry(&w, k, k, &o, &err), TC_ECONFLICT);
    assert_non_null(strstr(tc_error_msg(&err), "position \"pos-t-3\": the id exists"));
    assert_int_equal(open_on(&w, k), 0);
    assert_position(&w, "pos-t-3", 1, "0", "100", TC_POSITION_OPEN);
    /* a free one below the last goes in (through the map), then is taken */
    w.ids.n = 3;
    tc_assert_ok(entry(&w, k, k, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-4");
    assert_position(&w, "pos-t-4", k, "0", "100", TC_POSITION_OPEN);
    k++;
    w.ids.n = 3;
    assert_int_equal(entry(&w, k, k, &o, &err), TC_ECONFLICT);
    assert_non_null(strstr(tc_error_msg(&err), "position \"pos-t-4\": the id exists"));
    assert_int_equal(open_on(&w, k), 0);
    /* the last one again */
    w.ids.n = 8;
    assert_int_equal(entry(&w, k, k, &o, &err), TC_ECONFLICT);
    assert_non_null(strstr(tc_error_msg(&err), "position \"pos-t-9\": the id exists"));
    /* above the last, the map holding a key */
    w.ids.n = 20;
    tc_assert_ok(entry(&w, k, k, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-21");
    k++;
    /* rolled back: a numbered one and one in the map, then in again */
    for (int round = 0; round < 2; round++) {
        uint64_t n = round ? 5 : 30;
        snprintf(id, sizeof(id), "pos-t-%d", round ? 6 : 31);
        w.ids.n = n;
        w.fault_point = "signal:before_commit";
        assert_int_equal(entry(&w, k, 100 + round, &o, &err), TC_EIO);
        w.fault_point = NULL;
        assert_no_position(&w, id);
        assert_int_equal(open_on(&w, k), 0);
        w.ids.n = n;
        tc_assert_ok(entry(&w, k, 100 + round, &o, &err), &err);
        assert_string_equal(o.position_id, id);
        assert_position(&w, id, k, "0", "100", TC_POSITION_OPEN);
        k++;
    }
    /* the last number there is, then one below it */
    w.ids.n = UINT64_MAX - 1;
    tc_assert_ok(entry(&w, k, k, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-18446744073709551615");
    assert_position(&w, "pos-t-18446744073709551615", k, "0", "100", TC_POSITION_OPEN);
    k++;
    w.ids.n = 40;
    tc_assert_ok(entry(&w, k, k, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-41");
    k++;
    /* another prefix: its numbers are others */
    snprintf(w.ids.prefix, sizeof(w.ids.prefix), "u");
    w.ids.n = 2;
    tc_assert_ok(entry(&w, k, k, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-u-3");
    assert_position(&w, "pos-u-3", k, "0", "100", TC_POSITION_OPEN);
    assert_position(&w, "pos-t-3", 1, "0", "100", TC_POSITION_OPEN);
    k++;
    /* every one found; near ones not */
    {
        static const int nums[] = {1, 3, 5, 7, 9, 4, 21, 31, 6, 41};
        static const int insts[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10};
        for (size_t j = 0; j < sizeof(nums) / sizeof(nums[0]); j++) {
            snprintf(id, sizeof(id), "pos-t-%d", nums[j]);
            assert_position(&w, id, insts[j], "0", "100", TC_POSITION_OPEN);
        }
    }
    {
        static const char *const near[] = {
            "pos-t-2",  "pos-t-03", "pos-t-0",  "pos-t-",   "pos-t-3x", "pos-t3",
            "pos-u-1",  "pos--3",   "pos-3",    "Pos-t-3",  "pos-tt-3", "pos-t-31-",
            "pos-t-18446744073709551616", "pos-t-99999999999999999999",
            "pos-t-018446744073709551615", "pos-t-184467440737095516150", "pos-t-42",
        };
        for (size_t j = 0; j < sizeof(near) / sizeof(near[0]); j++)
            assert_no_position(&w, near[j]);
    }
    tc_ledger_close(w.l);
}

/* Position ids from another generator with the ledger's form and not:
 * a leading zero, the same number without it, numbers below and above the
 * last, another prefix; each is its own, a taken one refused. */
static void test_positions_given(void **state)
{
    static const char *const script[] = {"pos-t-07", "pos-t-7",  "pos-t-5",   "pos-x-100",
                                         "pos-t-3",  "pos-t-5",  "pos-t-7",   "pos-t-07",
                                         "pos-x-100", "pos-t-100", "pos-t-1"};
    static const int ok[] = {1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1};
    struct world w;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    char want[TC_ID_BUFSZ + 32];

    (void)state;
    world_open_ids(&w, script, sizeof(script) / sizeof(script[0]));
    for (int k = 0; k < 11; k++) {
        int rc = entry(&w, k, k, &o, &err);
        if (ok[k]) {
            tc_assert_ok(rc, &err);
            assert_string_equal(o.position_id, script[k]);
        } else {
            assert_int_equal(rc, TC_ECONFLICT);
            snprintf(want, sizeof(want), "position \"%s\": the id exists", script[k]);
            assert_non_null(strstr(tc_error_msg(&err), want));
            assert_int_equal(open_on(&w, k), 0);
        }
    }
    for (int k = 0; k < 11; k++)
        if (ok[k])
            assert_position(&w, script[k], k, "0", "100", TC_POSITION_OPEN);
    assert_no_position(&w, "pos-t-007");
    assert_no_position(&w, "pos-x-10");
    assert_no_position(&w, "pos-t-2");
    tc_ledger_close(w.l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_orders_any_order),
        cmocka_unit_test(test_near_ids_not_found),
        cmocka_unit_test(test_hashed_ahead),
        cmocka_unit_test(test_backend_orders),
        cmocka_unit_test(test_positions_by_number),
        cmocka_unit_test(test_positions_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
