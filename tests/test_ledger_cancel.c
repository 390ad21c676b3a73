/* An EXIT cancels the working rest of the entry order of every layer it
 * closes (ledger.h, EXIT), on the memory ledger, a sqlite file and
 * PostgreSQL, which give the same rows:
 *   - the ledger's orders are GTC: a capped entry's rest is filled on later
 *     bars by the sim broker (BACKTEST), and an EXIT while it works cancels
 *     the rest inside its transaction and exits what was filled;
 *   - an EXIT on a layer whose entry filled nothing closes it at 0 ("entry
 *     canceled"), with no exit order and no trade;
 *   - a repeated EXIT (same fingerprint) changes nothing and cancels nothing
 *     again; another EXIT with everything in flight is rejected;
 *   - a broker without in_txn (PAPER) gets the cancel after the commit; a
 *     fill racing the cancel stays on the layer for a later EXIT (also one
 *     that fills the entry whole: nothing is left to cancel); a repeated
 *     EXIT sends no second cancel; a cancel lost (broker down, a crash) is
 *     sent by tc_ledger_resubmit_pending (at the next open for a store),
 *     and the layer closes with its trade then; an entry the broker never
 *     had (still NEW) is not submitted by recovery after an EXIT, but
 *     recorded CANCELED when its cancel finds nothing there.
 * Every run ends with a clean tc_ledger_check. */
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
#define DAY1 INT64_C(20413)          /* 2025-11-21 */

enum backend { MEM = 0, SQLITE = 1, PG = 2 };

/* ------------------------------------------------------------------------ */
/* A test broker: acknowledges every order SUBMITTED, fills only when told
 * (tb_fill), cancels when asked (reporting CANCELED through the update
 * handler, after a racing fill when RACE is set), fails the next
 * FAIL_CANCELS cancels and FAIL_SUBMITS submits (keeping nothing), and
 * answers in_txn as IN_TXN says. */

#define TB_MAX 32

struct tb_order {
    char coid[TC_CLIENT_ORDER_ID_MAX];
    struct tc_dec qty, filled;
    int working;
};

struct tb {
    struct tc_broker base;
    int in_txn;
    tc_broker_update_fn upd;
    void *upd_ud;
    struct tb_order o[TB_MAX];
    int n;
    int submits, cancels, fail_cancels, fail_submits;
    const char *race; /* a quantity the next cancel fills first, NULL none */
    int execs;
};

static struct tb_order *tb_find(struct tb *t, const char *coid)
{
    for (int k = 0; k < t->n; k++)
        if (strcmp(t->o[k].coid, coid) == 0)
            return &t->o[k];
    return NULL;
}

static int tb_submit(struct tc_broker *b, const struct tc_order_intent *in,
                     struct tc_broker_ack *ack, struct tc_error *err)
{
    struct tb *t = (struct tb *)b;
    struct tb_order *o = tb_find(t, in->client_order_id);
    t->submits++;
    if (t->fail_submits > 0) {
        t->fail_submits--;
        return tc_error_set(err, TC_EUNAVAIL, "test broker: down");
    }
    if (!o) {
        assert_true(t->n < TB_MAX);
        o = &t->o[t->n++];
        snprintf(o->coid, sizeof(o->coid), "%s", in->client_order_id);
        o->qty = in->quantity;
        o->filled = TC_DEC_ZERO;
        o->working = 1;
        assert_int_equal(in->tif, TC_TIF_GTC); /* the ledger's orders are GTC */
    }
    snprintf(ack->broker_order_id, sizeof(ack->broker_order_id), "tb-%d", (int)(o - t->o));
    ack->status = TC_ORDER_SUBMITTED;
    return 0;
}

static void tb_report(struct tb *t, struct tb_order *o, const char *qty, const char *px)
{
    struct tc_fill f;
    memset(&f, 0, sizeof(f));
    snprintf(f.execution_id, sizeof(f.execution_id), "tbx-%d", ++t->execs);
    snprintf(f.client_order_id, sizeof(f.client_order_id), "%s", o->coid);
    f.quantity = tc_test_dec(qty);
    f.price = tc_test_dec(px);
    f.commission = tc_test_dec("1");
    f.filled_at_us = T0 + t->execs;
    assert_int_equal(tc_dec_add(o->filled, f.quantity, &o->filled), 0);
    if (tc_dec_cmp(o->filled, o->qty) == 0)
        o->working = 0;
    assert_int_equal(tc_broker_report_fill(&t->base, &f), 0);
}

static int tb_cancel(struct tc_broker *b, const char *coid, struct tc_error *err)
{
    struct tb *t = (struct tb *)b;
    struct tb_order *o = tb_find(t, coid);
    struct tc_order_update u;

    t->cancels++;
    if (t->fail_cancels > 0) {
        t->fail_cancels--;
        return tc_error_set(err, TC_EUNAVAIL, "test broker: down");
    }
    if (!o || !o->working)
        return tc_error_set(err, TC_ENOTFOUND, "test broker: \"%s\" is not working", coid);
    if (t->race) {
        tb_report(t, o, t->race, "99");
        t->race = NULL;
        if (!o->working) /* the race filled it whole: nothing left to cancel */
            return tc_error_set(err, TC_ENOTFOUND, "test broker: \"%s\" is filled", coid);
    }
    o->working = 0;
    memset(&u, 0, sizeof(u));
    snprintf(u.client_order_id, sizeof(u.client_order_id), "%s", coid);
    u.status = TC_ORDER_CANCELED;
    assert_int_equal(tc_dec_sub(o->qty, o->filled, &u.remaining), 0);
    u.at_us = T0 + 500;
    return t->upd ? t->upd(&u, t->upd_ud) : 0;
}

static int tb_on_bar(struct tc_broker *b, const char *id, const struct tc_bar *bar,
                     struct tc_error *err)
{
    (void)b, (void)id, (void)bar, (void)err;
    return 0;
}

static int tb_open(struct tc_broker *b, int (*fn)(const struct tc_order_intent *, void *),
                   void *ud, struct tc_error *err)
{
    (void)b, (void)fn, (void)ud, (void)err;
    return 0;
}

static int tb_account(struct tc_broker *b, struct tc_broker_account *out, struct tc_error *err)
{
    (void)b, (void)err;
    memset(out, 0, sizeof(*out));
    return 0;
}

static void tb_free(struct tc_broker *b) { free(b); }

static int tb_in_txn(struct tc_broker *b, const struct tc_order_intent *in)
{
    (void)in;
    return ((struct tb *)b)->in_txn;
}

static void tb_set_update(struct tc_broker *b, tc_broker_update_fn fn, void *ud)
{
    struct tb *t = (struct tb *)b;
    t->upd = fn;
    t->upd_ud = ud;
}

static const struct tc_broker_ops tb_ops = {
    .name = "tb",
    .submit = tb_submit,
    .cancel = tb_cancel,
    .on_bar = tb_on_bar,
    .open_orders = tb_open,
    .account = tb_account,
    .free = tb_free,
    .in_txn = tb_in_txn,
    .set_update_handler = tb_set_update,
};

static struct tb *tb_new(int in_txn)
{
    struct tb *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    t->base.ops = &tb_ops;
    t->in_txn = in_txn;
    return t;
}

/* Fills QTY of T's order "<fingerprint of O>:<KIND>0". */
static void tb_fill(struct tb *t, const struct tc_signal_outcome *o, char kind, const char *qty,
                    const char *px)
{
    char coid[TC_CLIENT_ORDER_ID_MAX];
    struct tb_order *ord;
    snprintf(coid, sizeof(coid), "%s:%c0", o->fingerprint, kind);
    ord = tb_find(t, coid);
    if (!ord)
        fail_msg("test broker: no order \"%s\"", coid);
    tb_report(t, ord, qty, px);
}

/* ------------------------------------------------------------------------ */
/* The world: a ledger on a backend with its definitions                      */

struct world {
    enum backend be;
    enum tc_mode mode;
    char rt_url[1024];
    struct tc_store *rt;
    struct tc_manual_clock clock;
    struct tc_broker *broker;
    struct tc_ledger *l;
    struct tc_ledger_seq_ids ids;
};

static int add_defs(struct world *w, struct tc_error *err)
{
    struct tc_instrument in[2];
    struct tc_portfolio_def p;
    struct tc_strategy_def s;
    const struct tc_test_defs d = {in, 2, &p, 1, &s, 1};

    tc_test_def_instrument(&in[0], "ES", "2", TC_INSTRUMENT_ACTIVE);
    tc_test_def_instrument(&in[1], "NQ", "1", TC_INSTRUMENT_ACTIVE);
    tc_test_def_portfolio(&p, "p1", "100000");
    tc_test_def_strategy(&s, "s1", 1, "{}");
    return tc_test_ledger_add_defs(w->be == MEM ? w->l : NULL, w->rt, w->rt, &w->clock.clock, &d,
                                   err);
}

static int ledger_open(struct world *w, struct tc_error *err)
{
    struct tc_ledger_options o;
    tc_ledger_options_default(&o);
    o.runtime = w->rt;
    o.historical = w->rt;
    o.in_memory = w->be == MEM;
    o.clock = &w->clock.clock;
    o.broker = w->broker;
    o.mode = w->mode;
    o.run_id = w->mode == TC_MODE_BACKTEST ? "run1" : NULL;
    o.id_fn = tc_ledger_seq_id;
    o.id_ud = &w->ids;
    return tc_ledger_open(&o, &w->l, err);
}

/* W on BE with BROKER (taken), in MODE. */
static void world_open(struct world *w, enum backend be, enum tc_mode mode,
                       struct tc_broker *broker)
{
    struct tc_error err = {0};
    char dir[512];

    memset(w, 0, sizeof(*w));
    w->be = be;
    w->mode = mode;
    w->broker = broker;
    tc_manual_clock_init(&w->clock, T0);
    snprintf(w->ids.prefix, sizeof(w->ids.prefix), "t");
    if (be == SQLITE) {
        assert_int_equal(tc_test_tmpdir("ledger_cancel", dir, sizeof(dir)), 0);
        snprintf(w->rt_url, sizeof(w->rt_url), "sqlite:%s/runtime.db", dir);
    } else if (be == PG) {
        assert_int_equal(tc_test_pg_create_db("ledger_cancel", w->rt_url, sizeof(w->rt_url)), 0);
    }
    if (be != MEM) {
        tc_assert_ok(tc_store_open(w->rt_url, NULL, &w->rt, &err), &err);
        tc_assert_ok(tc_migrate_latest(w->rt, "runtime", &err), &err);
        tc_assert_ok(tc_migrate_latest(w->rt, "historical", &err), &err);
        tc_assert_ok(add_defs(w, &err), &err);
    }
    tc_assert_ok(ledger_open(w, &err), &err);
    if (be == MEM)
        tc_assert_ok(add_defs(w, &err), &err);
}

static void world_close(struct world *w)
{
    tc_ledger_close(w->l);
    tc_broker_free(w->broker);
    tc_store_close(w->rt);
    memset(w, 0, sizeof(*w));
}

/* ------------------------------------------------------------------------ */
/* Transcripts and checks                                                    */

struct text {
    char buf[1 << 15];
    size_t n;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int len;
    va_start(ap, fmt);
    len = vsnprintf(t->buf + t->n, sizeof(t->buf) - t->n, fmt, ap);
    va_end(ap);
    assert_true(len >= 0 && t->n + (size_t)len < sizeof(t->buf));
    t->n += (size_t)len;
}

static const char *d(struct tc_dec v, char buf[TC_DEC_STRLEN])
{
    tc_dec_format(v, buf, TC_DEC_STRLEN);
    return buf;
}

static void sigj(char *buf, size_t cap, const char *type, const char *in, const char *id,
                 const char *extra)
{
    snprintf(buf, cap,
             "{\"type\":\"%s\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"%s\","
             "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"signal_id\":\"%s\"%s}",
             type, in, id, extra);
}

/* Submits a signal; writes its outcome to T; returns it in *O. */
static void send(struct world *w, struct text *t, const char *type, const char *in,
                 const char *id, const char *extra, struct tc_signal_outcome *o)
{
    struct tc_error err = {0};
    char json[512];
    sigj(json, sizeof(json), type, in, id, extra);
    w->clock.now_us += 1000000;
    tc_assert_ok(tc_ledger_submit_signal(w->l, json, (size_t)-1, o, &err), &err);
    put(t, "%s %s: status=%d dup=%d pos=%s ord=%s reason=\"%s\"\n", type, id, (int)o->status,
        o->duplicate, o->position_id, o->order_id, o->reason);
}

/* The position ID: checks its status, quantity, closed quantity and exit
 * reason, and writes all of it to T. */
static void pos_is(struct world *w, struct text *t, const char *id,
                   enum tc_position_status status, const char *qty, const char *closed,
                   const char *why)
{
    struct tc_position p;
    struct tc_error err = {0};
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN], e[TC_DEC_STRLEN],
        f[TC_DEC_STRLEN], g[TC_DEC_STRLEN];
    tc_assert_ok(tc_ledger_position_get(w->l, id, &p, &err), &err);
    put(t, "position %s status=%s qty=%s closed=%s entry=%s exit=%s pnl=%s comm=%s why=\"%s\" v=%lld\n",
        id, tc_position_status_name(p.status), d(p.quantity, a), d(p.closed_quantity, b),
        d(p.entry_price, c), d(p.exit_price, e), d(p.realized_pnl, f), d(p.commission, g),
        p.exit_reason, (long long)p.version);
    if (p.status != status || strcmp(d(p.quantity, a), qty) != 0 ||
        strcmp(d(p.closed_quantity, b), closed) != 0 || strcmp(p.exit_reason, why) != 0)
        fail_msg("position %s: %s qty %s closed %s why \"%s\", wanted %s %s %s \"%s\"", id,
                 tc_position_status_name(p.status), a, b, p.exit_reason,
                 tc_position_status_name(status), qty, closed, why);
}

/* The portfolio's cash and realised P&L, checked and written to T, with a
 * clean tc_ledger_check. */
static void state_is(struct world *w, struct text *t, const char *cash, const char *pnl)
{
    struct tc_portfolio_state s;
    struct tc_error err = {0};
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN];
    size_t nv = 99;
    tc_assert_ok(tc_ledger_portfolio_state(w->l, "p1", &s, &err), &err);
    put(t, "state cash=%s pnl=%s comm=%s\n", d(s.cash, a), d(s.realized_pnl, b),
        d(s.commission_paid, c));
    assert_string_equal(a, cash);
    assert_string_equal(b, pnl);
    tc_assert_ok(tc_ledger_check(w->l, NULL, NULL, &nv, &err), &err);
    assert_int_equal(nv, 0);
}

/* The open layers of INSTRUMENT, written to T. */
static size_t open_n(struct world *w, struct text *t, const char *instrument)
{
    struct tc_error err = {0};
    size_t n = 99;
    tc_assert_ok(tc_ledger_positions_open(w->l, "p1", instrument, NULL, 0, &n, &err), &err);
    put(t, "open %s: %zu\n", instrument, n);
    return n;
}

/* A fill of the order "<fingerprint of O>:<KIND>0" applied by hand: the code
 * it returns, its message containing WANT. */
static void fill_refused(struct world *w, const struct tc_signal_outcome *o, char kind,
                         int want, const char *msg)
{
    struct tc_fill f;
    struct tc_error err = {0};
    int applied = -1;
    memset(&f, 0, sizeof(f));
    snprintf(f.execution_id, sizeof(f.execution_id), "late-%s-%c", o->fingerprint, kind);
    snprintf(f.client_order_id, sizeof(f.client_order_id), "%s:%c0", o->fingerprint, kind);
    f.quantity = tc_test_dec("1");
    f.price = tc_test_dec("100");
    tc_test_assert_error("late fill", tc_ledger_apply_fill(w->l, &f, &applied, &err), want, &err,
                         msg);
}

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                  */

/* A broker with in_txn (BACKTEST): the cancel inside the EXIT's transaction. */
static void run_in_txn(enum backend be, struct text *t)
{
    struct world w;
    struct tb *tb = tb_new(1);
    struct tc_signal_outcome e1, x1, x1b, x2, e2, x3;
    int submits;

    world_open(&w, be, TC_MODE_BACKTEST, &tb->base);
    send(&w, t, "BASE_ENTRY", "ES", "e1", ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"10\"", &e1);
    assert_int_equal(e1.status, TC_SIGNAL_ACCEPTED);
    tb_fill(tb, &e1, 'L', "4", "100");
    pos_is(&w, t, e1.position_id, TC_POSITION_OPEN, "4", "0", "");
    send(&w, t, "EXIT", "ES", "x1", ",\"price\":\"104\"", &x1);
    assert_int_equal(x1.status, TC_SIGNAL_ACCEPTED);
    assert_string_equal(x1.reason, "exit: 1 layer(s) of ES (canceling 1 working entry order(s))");
    assert_string_equal(x1.position_id, e1.position_id);
    assert_true(x1.order_id[0] != '\0'); /* the exit order of the 4 held */
    assert_int_equal(tb->cancels, 1);
    assert_int_equal(tb->n, 2);
    assert_string_equal(tb->o[1].coid, "id:x1:X0");
    assert_string_equal(d(tb->o[1].qty, (char[TC_DEC_STRLEN]){0}), "4");
    pos_is(&w, t, e1.position_id, TC_POSITION_OPEN, "4", "0", "");
    /* the entry is CANCELED: a fill of it is refused, nothing changes */
    fill_refused(&w, &e1, 'L', TC_ESTATE, "is CANCELED");
    pos_is(&w, t, e1.position_id, TC_POSITION_OPEN, "4", "0", "");
    /* the same EXIT again: its first outcome, nothing sent */
    submits = tb->submits;
    send(&w, t, "EXIT", "ES", "x1", ",\"price\":\"104\"", &x1b);
    assert_int_equal(x1b.duplicate, 1);
    assert_string_equal(x1b.reason, x1.reason);
    assert_string_equal(x1b.order_id, x1.order_id);
    assert_int_equal(tb->cancels, 1);
    assert_int_equal(tb->submits, submits);
    /* another EXIT: everything in flight */
    send(&w, t, "EXIT", "ES", "x2", ",\"price\":\"105\"", &x2);
    assert_int_equal(x2.status, TC_SIGNAL_REJECTED);
    assert_string_equal(x2.reason, "exit: nothing to exit in \"ES\" for portfolio \"p1\" (exits "
                                   "already in flight)");
    assert_int_equal(tb->cancels, 1);
    tb_fill(tb, &x1, 'X', "4", "104");
    /* (104 - 100) x 4 x 2 = 32, commission 1 + 1 */
    pos_is(&w, t, e1.position_id, TC_POSITION_CLOSED, "0", "4", "exit");
    state_is(&w, t, "100030", "32");
    assert_int_equal(open_n(&w, t, "ES"), 0);

    /* an entry that filled nothing: closed at 0, no exit order, no trade */
    send(&w, t, "BASE_ENTRY", "NQ", "e2", ",\"price\":\"50\",\"stop\":\"45\",\"quantity\":\"5\"", &e2);
    submits = tb->submits;
    send(&w, t, "EXIT", "NQ", "x3", ",\"price\":\"49\"", &x3);
    assert_int_equal(x3.status, TC_SIGNAL_ACCEPTED);
    assert_string_equal(x3.reason, "exit: 1 layer(s) of NQ (canceling 1 working entry order(s))");
    assert_string_equal(x3.position_id, e2.position_id);
    assert_string_equal(x3.order_id, "");
    assert_int_equal(tb->submits, submits);
    assert_int_equal(tb->cancels, 2);
    pos_is(&w, t, e2.position_id, TC_POSITION_CLOSED, "0", "0", "entry canceled");
    state_is(&w, t, "100030", "32");
    assert_int_equal(open_n(&w, t, "NQ"), 0);
    {
        struct tc_pyramiding_state py;
        struct tc_error err = {0};
        tc_assert_ok(tc_ledger_pyramiding_get(w.l, "p1", "NQ", &py, &err), &err);
        assert_string_equal(py.base_position_id, "");
        assert_int_equal(py.pyramid_count, 0);
    }
    /* a new base may open again */
    send(&w, t, "BASE_ENTRY", "NQ", "e3", ",\"price\":\"50\",\"stop\":\"45\",\"quantity\":\"5\"", &e2);
    assert_int_equal(e2.status, TC_SIGNAL_ACCEPTED);
    world_close(&w);
}

/* A broker without in_txn (PAPER): the cancel after the commit; a fill
 * racing it; a cancel lost and sent again on recovery. */
static void run_out_of_txn(enum backend be, struct text *t)
{
    struct world w;
    struct tb *tb = tb_new(0);
    struct tc_signal_outcome e1, x1, e2, x2, e3, x3, x4, e4, x5;
    struct tc_error err = {0};
    size_t n = 99;

    world_open(&w, be, TC_MODE_PAPER, &tb->base);
    send(&w, t, "BASE_ENTRY", "ES", "e1", ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"10\"", &e1);
    tb_fill(tb, &e1, 'L', "4", "100");
    send(&w, t, "EXIT", "ES", "x1", ",\"price\":\"104\"", &x1);
    assert_string_equal(x1.reason, "exit: 1 layer(s) of ES (canceling 1 working entry order(s))");
    /* sent after the commit, its update applied: the mark is gone */
    assert_int_equal(tb->cancels, 1);
    assert_int_equal(tb->o[0].working, 0);
    fill_refused(&w, &e1, 'L', TC_ESTATE, "is CANCELED");
    pos_is(&w, t, e1.position_id, TC_POSITION_OPEN, "4", "0", "");
    {
        /* the same EXIT again: its first outcome, no second cancel nor order */
        struct tc_signal_outcome again;
        int submits = tb->submits;
        send(&w, t, "EXIT", "ES", "x1", ",\"price\":\"104\"", &again);
        assert_int_equal(again.duplicate, 1);
        assert_string_equal(again.order_id, x1.order_id);
        assert_int_equal(tb->cancels, 1);
        assert_int_equal(tb->submits, submits);
        pos_is(&w, t, e1.position_id, TC_POSITION_OPEN, "4", "0", "");
    }
    tb_fill(tb, &x1, 'X', "4", "104");
    pos_is(&w, t, e1.position_id, TC_POSITION_CLOSED, "0", "4", "exit");
    state_is(&w, t, "100030", "32");

    /* nothing filled: closed at 0 by the cancel's update, no exit order */
    send(&w, t, "BASE_ENTRY", "NQ", "e2", ",\"price\":\"50\",\"stop\":\"45\",\"quantity\":\"5\"", &e2);
    send(&w, t, "EXIT", "NQ", "x2", ",\"price\":\"49\"", &x2);
    assert_string_equal(x2.order_id, "");
    assert_int_equal(tb->cancels, 2);
    pos_is(&w, t, e2.position_id, TC_POSITION_CLOSED, "0", "0", "entry canceled");
    assert_int_equal(open_n(&w, t, "NQ"), 0);

    /* a fill of 2 races the cancel: the exit sells the 3 held at the EXIT,
     * the 2 stay on the layer, open for a later EXIT */
    send(&w, t, "BASE_ENTRY", "ES", "e3", ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"10\"", &e3);
    tb_fill(tb, &e3, 'L', "3", "100");
    tb->race = "2";
    send(&w, t, "EXIT", "ES", "x3", ",\"price\":\"101\"", &x3);
    assert_int_equal(tb->cancels, 3);
    assert_string_equal(tb->o[tb->n - 1].coid, "id:x3:X0");
    assert_string_equal(d(tb->o[tb->n - 1].qty, (char[TC_DEC_STRLEN]){0}), "3");
    pos_is(&w, t, e3.position_id, TC_POSITION_OPEN, "5", "0", "");
    tb_fill(tb, &x3, 'X', "3", "101");
    pos_is(&w, t, e3.position_id, TC_POSITION_PARTIAL, "2", "3", "");
    assert_int_equal(open_n(&w, t, "ES"), 1);
    send(&w, t, "EXIT", "ES", "x4", ",\"price\":\"102\"", &x4);
    assert_string_equal(x4.reason, "exit: 1 layer(s) of ES");
    assert_int_equal(tb->cancels, 3); /* the entry no longer works: no cancel */
    tb_fill(tb, &x4, 'X', "2", "102");
    /* entry VWAP (3 x 100 + 2 x 99) / 5 = 99.6; (101 - 99.6) x 3 x 2 + (102 -
     * 99.6) x 2 x 2 = 8.4 + 9.6 = 18 */
    pos_is(&w, t, e3.position_id, TC_POSITION_CLOSED, "0", "5", "exit");
    state_is(&w, t, "100044", "50");

    /* the cancel is lost (broker down): the layer stays marked; its exit
     * fill leaves it open at 0 until the cancel is made on recovery */
    send(&w, t, "BASE_ENTRY", "NQ", "e4", ",\"price\":\"50\",\"stop\":\"45\",\"quantity\":\"6\"", &e4);
    tb_fill(tb, &e4, 'L', "1", "50");
    tb->fail_cancels = 1;
    send(&w, t, "EXIT", "NQ", "x5", ",\"price\":\"55\"", &x5);
    assert_int_equal(x5.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(tb->cancels, 4);
    pos_is(&w, t, e4.position_id, TC_POSITION_OPEN, "1", "0", "exit");
    tb_fill(tb, &x5, 'X', "1", "55");
    pos_is(&w, t, e4.position_id, TC_POSITION_PARTIAL, "0", "1", "exit");
    {
        /* another EXIT: nothing to do (the exit done, the cancel asked) */
        struct tc_signal_outcome x6;
        send(&w, t, "EXIT", "NQ", "x6", ",\"price\":\"56\"", &x6);
        assert_int_equal(x6.status, TC_SIGNAL_REJECTED);
        /* no exit is in flight (it filled): the cancel is */
        assert_string_equal(x6.reason, "exit: nothing to exit in \"NQ\" for portfolio \"p1\" "
                                       "(exits or entry cancels already in flight)");
        assert_int_equal(tb->cancels, 4);
    }
    if (be == MEM) {
        tc_assert_ok(tc_ledger_resubmit_pending(w.l, &n, &err), &err);
    } else {
        /* a restart: the open sends it (derived from the rows) */
        tc_ledger_close(w.l);
        w.l = NULL;
        n = 0;
        tc_assert_ok(ledger_open(&w, &err), &err);
    }
    assert_int_equal(n, 0);
    assert_int_equal(tb->cancels, 5);
    /* (55 - 50) x 1 x 1 = 5; commission 1 + 1 */
    pos_is(&w, t, e4.position_id, TC_POSITION_CLOSED, "0", "1", "exit");
    state_is(&w, t, "100047", "55");
    assert_int_equal(open_n(&w, t, "NQ"), 0);
    /* nothing is asked again */
    tc_assert_ok(tc_ledger_resubmit_pending(w.l, &n, &err), &err);
    assert_int_equal(tb->cancels, 5);

    /* the racing fill completes the entry: the cancel finds nothing to
     * cancel, the mark goes with the entry's last fill, the layer keeps
     * all of it for a later EXIT */
    {
        struct tc_signal_outcome e5, x7, x8;
        send(&w, t, "BASE_ENTRY", "ES", "e5", ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"4\"", &e5);
        tb_fill(tb, &e5, 'L', "1", "100");
        tb->race = "3";
        send(&w, t, "EXIT", "ES", "x7", ",\"price\":\"101\"", &x7);
        assert_int_equal(tb->cancels, 6);
        pos_is(&w, t, e5.position_id, TC_POSITION_OPEN, "4", "0", "");
        tb_fill(tb, &x7, 'X', "1", "101");
        pos_is(&w, t, e5.position_id, TC_POSITION_PARTIAL, "3", "1", "");
        tc_assert_ok(tc_ledger_resubmit_pending(w.l, &n, &err), &err);
        assert_int_equal(tb->cancels, 6);
        send(&w, t, "EXIT", "ES", "x8", ",\"price\":\"102\"", &x8);
        assert_string_equal(x8.reason, "exit: 1 layer(s) of ES");
        tb_fill(tb, &x8, 'X', "3", "102");
        /* entry (100 + 3 x 99) / 4 = 99.25; (101 - 99.25) x 1 x 2 + (102 -
         * 99.25) x 3 x 2 = 3.5 + 16.5 = 20; four fills' commission */
        pos_is(&w, t, e5.position_id, TC_POSITION_CLOSED, "0", "4", "exit");
        state_is(&w, t, "100063", "75");
        assert_int_equal(open_n(&w, t, "ES"), 0);
    }

    /* an entry the broker never had (its submit failed: NEW) when the EXIT
     * comes: recovery does not submit it (a market order then would open
     * what the EXIT closed), its cancel finds nothing at the broker, and it
     * is recorded CANCELED: the layer closes at 0 */
    {
        struct tc_signal_outcome e6, x9;
        char coid[TC_CLIENT_ORDER_ID_MAX];
        int submits;
        tb->fail_submits = 1;
        send(&w, t, "BASE_ENTRY", "NQ", "e6", ",\"price\":\"50\",\"stop\":\"45\",\"quantity\":\"5\"", &e6);
        assert_int_equal(e6.status, TC_SIGNAL_ACCEPTED);
        snprintf(coid, sizeof(coid), "%s:L0", e6.fingerprint);
        assert_null(tb_find(tb, coid));
        send(&w, t, "EXIT", "NQ", "x9", ",\"price\":\"49\"", &x9);
        assert_string_equal(x9.reason, "exit: 1 layer(s) of NQ (canceling 1 working entry order(s))");
        assert_string_equal(x9.order_id, "");
        assert_int_equal(tb->cancels, 7); /* not known there */
        pos_is(&w, t, e6.position_id, TC_POSITION_OPEN, "0", "0", "exit");
        submits = tb->submits;
        n = 99;
        if (be == MEM) {
            tc_assert_ok(tc_ledger_resubmit_pending(w.l, &n, &err), &err);
        } else {
            tc_ledger_close(w.l);
            w.l = NULL;
            tc_assert_ok(ledger_open(&w, &err), &err);
            tc_assert_ok(tc_ledger_resubmit_pending(w.l, &n, &err), &err);
        }
        assert_int_equal(n, 0);
        assert_int_equal(tb->submits, submits); /* the entry was never sent */
        assert_null(tb_find(tb, coid));
        assert_int_equal(tb->cancels, 8);
        pos_is(&w, t, e6.position_id, TC_POSITION_CLOSED, "0", "0", "entry canceled");
        fill_refused(&w, &e6, 'L', TC_ESTATE, "is CANCELED");
        state_is(&w, t, "100063", "75");
        assert_int_equal(open_n(&w, t, "NQ"), 0);
        tc_assert_ok(tc_ledger_resubmit_pending(w.l, &n, &err), &err);
        assert_int_equal(n, 0);
        assert_int_equal(tb->submits, submits);
        assert_int_equal(tb->cancels, 8);
    }
    world_close(&w);
}

static struct tc_bar mkbar(int64_t day, const char *px, int64_t vol)
{
    struct tc_bar b;
    memset(&b, 0, sizeof(b));
    b.day = day;
    b.open = b.high = b.low = b.close = b.adj_close = tc_test_dec(px);
    b.volume = vol;
    return b;
}

static void bar_on(struct world *w, int64_t day, const char *px, int64_t vol)
{
    struct tc_error err = {0};
    struct tc_bar b = mkbar(day, px, vol);
    w->clock.now_us += 1000000;
    tc_assert_ok(tc_broker_on_bar(w->broker, "ES", &b, &err), &err);
    tc_assert_ok(tc_broker_sim_set_day(w->broker, day, &err), &err);
}

/* The sim broker in BACKTEST, volume cap 0.001: a 250 entry fills 100 a bar
 * from bar to bar; an EXIT cancels the rest inside its transaction. */
static void run_sim(enum backend be, struct text *t)
{
    struct world w;
    struct tc_broker *b = NULL;
    struct tc_broker_sim_options so;
    struct tc_signal_outcome e1, x1, e2, x2;
    struct tc_error err = {0};

    tc_broker_sim_options_default(&so);
    so.sim.volume_cap = tc_test_dec("0.001");
    tc_assert_ok(tc_broker_sim_new(&so, &b, &err), &err);
    world_open(&w, be, TC_MODE_BACKTEST, b);
    tc_assert_ok(tc_broker_sim_set_day(b, DAY1, &err), &err);
    send(&w, t, "BASE_ENTRY", "ES", "e1", ",\"price\":\"10\",\"stop\":\"9\",\"quantity\":\"250\"", &e1);
    bar_on(&w, DAY1 + 1, "10", 100000);
    pos_is(&w, t, e1.position_id, TC_POSITION_OPEN, "100", "0", "");
    bar_on(&w, DAY1 + 2, "11", 100000);
    pos_is(&w, t, e1.position_id, TC_POSITION_OPEN, "200", "0", "");
    assert_int_equal(tc_broker_sim_working(b), 1);
    send(&w, t, "EXIT", "ES", "x1", ",\"price\":\"11\"", &x1);
    assert_string_equal(x1.reason, "exit: 1 layer(s) of ES (canceling 1 working entry order(s))");
    assert_int_equal(tc_broker_sim_working(b), 1); /* the exit only */
    fill_refused(&w, &e1, 'L', TC_ESTATE, "is CANCELED");
    bar_on(&w, DAY1 + 3, "12", 100000);
    pos_is(&w, t, e1.position_id, TC_POSITION_PARTIAL, "100", "100", "");
    bar_on(&w, DAY1 + 4, "13", 50000);
    pos_is(&w, t, e1.position_id, TC_POSITION_PARTIAL, "50", "150", "");
    bar_on(&w, DAY1 + 5, "14", 100000);
    /* entry (100 x 10 + 100 x 11) / 200 = 10.5; exit (100 x 12 + 50 x 13 +
     * 50 x 14) / 200 = 12.75; 2.25 x 200 x 2 = 900 */
    pos_is(&w, t, e1.position_id, TC_POSITION_CLOSED, "0", "200", "exit");
    assert_int_equal(tc_broker_sim_working(b), 0);
    state_is(&w, t, "100900", "900");
    /* an entry that has filled nothing when the EXIT comes */
    send(&w, t, "BASE_ENTRY", "ES", "e2", ",\"price\":\"14\",\"stop\":\"9\",\"quantity\":\"30\"", &e2);
    bar_on(&w, DAY1 + 6, "14", 0);
    pos_is(&w, t, e2.position_id, TC_POSITION_OPEN, "0", "0", "");
    send(&w, t, "EXIT", "ES", "x2", ",\"price\":\"14\"", &x2);
    assert_string_equal(x2.order_id, "");
    assert_int_equal(tc_broker_sim_working(b), 0);
    pos_is(&w, t, e2.position_id, TC_POSITION_CLOSED, "0", "0", "entry canceled");
    bar_on(&w, DAY1 + 7, "15", 100000);
    state_is(&w, t, "100900", "900");
    assert_int_equal(open_n(&w, t, "ES"), 0);
    world_close(&w);
}

/* ------------------------------------------------------------------------ */

typedef void (*scenario_fn)(enum backend be, struct text *t);

static void same_rows(scenario_fn fn)
{
    static struct text tm, ts, tp;
    tm.n = ts.n = tp.n = 0;
    fn(MEM, &tm);
    fn(SQLITE, &ts);
    fn(PG, &tp);
    if (getenv("TC_TEST_VERBOSE"))
        fprintf(stderr, "%s", tm.buf);
    assert_string_equal(tm.buf, ts.buf);
    assert_string_equal(tm.buf, tp.buf);
}

static void test_exit_cancels_in_txn(void **state)
{
    (void)state;
    same_rows(run_in_txn);
}

static void test_exit_cancels_after_commit(void **state)
{
    (void)state;
    same_rows(run_out_of_txn);
}

static void test_sim_rest_carried_and_canceled(void **state)
{
    (void)state;
    same_rows(run_sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_cancels_in_txn),
        cmocka_unit_test(test_exit_cancels_after_commit),
        cmocka_unit_test(test_sim_rest_carried_and_canceled),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
