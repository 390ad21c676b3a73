/* The in-memory ledger against the SQL one: the same sequences of signals
 * (accepted, duplicate, every kind of rejection), fills (partial, whole,
 * duplicate execution ids, too large, unknown orders), order updates
 * (CANCELED, EXPIRED, repeated, conflicting), stop updates, pyramids and
 * exits run on a memory ledger and on a sqlite file (and PostgreSQL) with
 * the same deterministic ids and clock give the same outcomes, errors,
 * positions, portfolio state and pyramiding state field by field, with a
 * clean tc_ledger_check. A transaction failing in the middle (fault hook)
 * leaves the memory ledger exactly as before and the same call succeeds
 * after as in a run without the fault. The options and tc_ledger_mem_add_*
 * refuse what they must. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/broker.h"
#include "tradecore/ledger.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */
#define TS "2025-11-21T22:50:00Z"

enum backend { MEM = 0, SQLITE = 1, PG = 2 };

struct world {
    enum backend be;
    char rt_url[1024], hist_url[1024];
    struct tc_store *rt, *hist;
    struct tc_manual_clock clock;
    struct tc_broker *broker;
    struct tc_ledger *l;
    struct tc_ledger_seq_ids ids;
    const char *fault_point;   /* the hook fails there when set */
    int faults;                /* times it failed */
};

static int fault_hook(const char *point, void *ud)
{
    struct world *w = ud;
    if (w->fault_point && strcmp(point, w->fault_point) == 0) {
        w->faults++;
        return TC_EIO;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Definitions, the same for every backend                                    */

#define PARAMS_S1                                                                             \
    "{\"risk_fraction\":\"0.01\",\"max_pyramids\":2,\"pyramid_distance\":\"2\","               \
    "\"pyramid_size_fraction\":\"0.5\"}"

static int add_defs(struct world *w, struct tc_error *err)
{
    struct tc_instrument in[3];
    struct tc_portfolio_def p[2];
    struct tc_strategy_def s[3];
    const struct tc_test_defs d = {in, 3, p, 2, s, 3};
    struct tc_accounts acc = {w->rt, &w->clock.clock, "tester"};
    int rc;

    tc_test_def_instrument(&in[0], "ES", "2", TC_INSTRUMENT_ACTIVE);
    tc_test_def_instrument(&in[1], "NQ", "1", TC_INSTRUMENT_ACTIVE);
    tc_test_def_instrument(&in[2], "SUSP", "1", TC_INSTRUMENT_SUSPENDED);
    tc_test_def_portfolio(&p[0], "p1", "100000");
    tc_test_def_portfolio(&p[1], "gone", "5000");
    tc_test_def_strategy(&s[0], "s1", 1, PARAMS_S1);
    tc_test_def_strategy(&s[1], "off", 0, PARAMS_S1);
    tc_test_def_strategy(&s[2], "badp", 1, "{\"risk_fraction\":\"7\"}");
    if (w->be == MEM) /* a removed portfolio: the stores remove it below */
        p[1].deleted_at_us = T0;
    rc = tc_test_ledger_add_defs(w->be == MEM ? w->l : NULL, w->rt, w->hist, &w->clock.clock, &d,
                                 err);
    if (rc == 0 && w->be != MEM)
        rc = tc_accounts_portfolio_remove(&acc, "gone", err);
    return rc;
}

/* Opens W on BE; with an instant broker (commission 0.001) or none. */
static int world_open(struct world *w, enum backend be, int instant)
{
    struct tc_ledger_options o;
    struct tc_error err = {0};
    char dir[512];

    memset(w, 0, sizeof(*w));
    w->be = be;
    tc_manual_clock_init(&w->clock, T0);
    snprintf(w->ids.prefix, sizeof(w->ids.prefix), "t");
    if (be == SQLITE) {
        if (tc_test_tmpdir("ledger_mem", dir, sizeof(dir)) != 0)
            return -1;
        snprintf(w->rt_url, sizeof(w->rt_url), "sqlite:%s/runtime.db", dir);
        snprintf(w->hist_url, sizeof(w->hist_url), "sqlite:%s/historical.db", dir);
    } else if (be == PG) {
        if (tc_test_pg_create_db("ledger_mem", w->rt_url, sizeof(w->rt_url)) != 0)
            return -1;
        snprintf(w->hist_url, sizeof(w->hist_url), "%s", w->rt_url);
    }
    if (be != MEM &&
        (tc_store_open(w->rt_url, NULL, &w->rt, &err) != 0 ||
         tc_store_open(w->hist_url, NULL, &w->hist, &err) != 0 ||
         tc_migrate_latest(w->rt, "runtime", &err) != 0 ||
         tc_migrate_latest(w->hist, "historical", &err) != 0 || add_defs(w, &err) != 0))
        goto fail;
    if (instant) {
        struct tc_broker_instant_options io;
        tc_broker_instant_options_default(&io);
        io.clock = &w->clock.clock;
        tc_dec_parse("0.001", (size_t)-1, &io.commission_rate, NULL);
        if (tc_broker_instant_new(&io, &w->broker, &err) != 0)
            goto fail;
    }
    tc_ledger_options_default(&o);
    o.runtime = w->rt;
    o.historical = w->hist;
    o.in_memory = be == MEM;
    o.clock = &w->clock.clock;
    o.broker = w->broker;
    o.mode = TC_MODE_BACKTEST;
    o.run_id = "run1";
    o.fault = fault_hook;
    o.fault_ud = w;
    o.id_fn = tc_ledger_seq_id;
    o.id_ud = &w->ids;
    if (tc_ledger_open(&o, &w->l, &err) != 0 || (be == MEM && add_defs(w, &err) != 0))
        goto fail;
    return 0;
fail:
    fprintf(stderr, "world %d: %s\n", (int)be, tc_error_msg(&err));
    return -1;
}

static void world_close(struct world *w)
{
    tc_ledger_close(w->l);
    tc_broker_free(w->broker);
    tc_store_close(w->hist);
    tc_store_close(w->rt);
    memset(w, 0, sizeof(*w));
}

/* ------------------------------------------------------------------------ */
/* Transcripts                                                                */

struct text {
    char *buf;
    size_t n, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    assert_true(len >= 0 && (size_t)len < sizeof(line));
    if (t->n + (size_t)len + 1 > t->cap) {
        t->cap = (t->n + (size_t)len + 1) * 2;
        t->buf = realloc(t->buf, t->cap);
        assert_non_null(t->buf);
    }
    memcpy(t->buf + t->n, line, (size_t)len + 1);
    t->n += (size_t)len;
}

static const char *d(struct tc_dec v, char buf[TC_DEC_STRLEN])
{
    tc_dec_format(v, buf, TC_DEC_STRLEN);
    return buf;
}

static void put_position(struct text *t, const struct tc_position *p)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN], e[TC_DEC_STRLEN],
        f[TC_DEC_STRLEN], g[TC_DEC_STRLEN], h[TC_DEC_STRLEN], i[TC_DEC_STRLEN],
        j[TC_DEC_STRLEN], k[TC_DEC_STRLEN], m[TC_DEC_STRLEN];
    put(t,
        "position %s pf=%s st=%s in=%s side=%d qty=%s lots=%s mult=%s lot=%s entry=%s at=%lld "
        "istop=%d:%s cstop=%d:%s base=%d layer=%d status=%s closed=%s exit=%s exit_at=%lld "
        "why=\"%s\" pnl=%s comm=%s v=%lld upd=%lld\n",
        p->position_id, p->portfolio_id, p->strategy_id, p->instrument_id, (int)p->side,
        d(p->quantity, a), d(p->lots, b), d(p->multiplier, c), d(p->lot_size, e),
        d(p->entry_price, f), (long long)p->entry_time_us, p->has_initial_stop,
        d(p->initial_stop, g), p->has_current_stop, d(p->current_stop, h), p->is_base, p->layer,
        tc_position_status_name(p->status), d(p->closed_quantity, i), d(p->exit_price, j),
        (long long)p->exit_time_us, p->exit_reason, d(p->realized_pnl, k), d(p->commission, m),
        (long long)p->version, (long long)p->updated_at_us);
}

/* Positions named by outcomes, in the order first named. */
struct seen {
    char ids[64][TC_ID_BUFSZ];
    int n;
};

static void see(struct seen *s, const char *id)
{
    if (!id[0])
        return;
    for (int k = 0; k < s->n; k++)
        if (strcmp(s->ids[k], id) == 0)
            return;
    assert_true(s->n < 64);
    snprintf(s->ids[s->n++], TC_ID_BUFSZ, "%s", id);
}

static void put_state(struct text *t, struct world *w, struct seen *seen)
{
    struct tc_portfolio_state st;
    struct tc_pyramiding_state py;
    struct tc_position p, open[16];
    struct tc_error err = {0};
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN], e[TC_DEC_STRLEN],
        f[TC_DEC_STRLEN];
    const char *insts[] = {"ES", "NQ", "SUSP"};
    size_t n = 0, nviol = 99;
    int rc;

    for (int k = 0; k < seen->n; k++) {
        tc_assert_ok(tc_ledger_position_get(w->l, seen->ids[k], &p, &err), &err);
        put_position(t, &p);
    }
    rc = tc_ledger_portfolio_state(w->l, "p1", &st, &err);
    put(t, "state rc=%s", tc_strerror_name(rc));
    if (rc == 0)
        put(t, " %s init=%s cash=%s eq=%s pnl=%s comm=%s v=%lld upd=%lld", st.portfolio_id,
            d(st.initial_capital, a), d(st.cash, b), d(st.closed_equity, c),
            d(st.realized_pnl, e), d(st.commission_paid, f), (long long)st.version,
            (long long)st.updated_at_us);
    put(t, "\n");
    for (int k = 0; k < 3; k++) {
        rc = tc_ledger_pyramiding_get(w->l, "p1", insts[k], &py, &err);
        put(t, "pyramiding %s rc=%s", insts[k], tc_strerror_name(rc));
        if (rc == 0)
            put(t, " %s/%s base=%s count=%d last=%s at=%lld", py.portfolio_id, py.instrument_id,
                py.base_position_id, py.pyramid_count, d(py.last_pyramid_price, a),
                (long long)py.last_pyramid_time_us);
        else
            put(t, " \"%s\"", tc_error_msg(&err));
        put(t, "\n");
    }
    tc_assert_ok(tc_ledger_positions_open(w->l, "p1", NULL, open, 16, &n, &err), &err);
    put(t, "open %zu:", n);
    for (size_t k = 0; k < n && k < 16; k++)
        put(t, " %s/%s/%d", open[k].position_id, open[k].instrument_id, open[k].layer);
    put(t, "\n");
    tc_assert_ok(tc_ledger_check(w->l, NULL, NULL, &nviol, &err), &err);
    assert_int_equal(nviol, 0);
}

/* ------------------------------------------------------------------------ */
/* The steps                                                                  */

enum step_kind { SIGNAL, FILL, UPDATE };

struct step {
    enum step_kind kind;
    const char *json;         /* SIGNAL */
    int of;                   /* FILL/UPDATE: the order of step OF's outcome (-1 = "nope") */
    char order;               /* 'L' entry, 'X' exit */
    const char *exec, *qty, *price;
    enum tc_order_status status;  /* UPDATE */
    int want_rc;              /* the call's return */
    int want_status;          /* SIGNAL: TC_SIGNAL_*; FILL: applied */
    const char *want;         /* a piece of the reason or error message */
    int want_dup;
};

#define SIG(type, pf, st, in, side, extra)                                                    \
    "{\"type\":\"" type "\",\"portfolio\":\"" pf "\",\"strategy\":\"" st "\",\"instrument\":\"" \
    in "\",\"side\":\"" side "\",\"timestamp\":\"" TS "\"" extra "}"
#define ACC(json, want) {SIGNAL, json, 0, 0, NULL, NULL, NULL, 0, 0, TC_SIGNAL_ACCEPTED, want, 0}
#define DUP(json, want) {SIGNAL, json, 0, 0, NULL, NULL, NULL, 0, 0, TC_SIGNAL_ACCEPTED, want, 1}
#define DUPREJ(json, want) {SIGNAL, json, 0, 0, NULL, NULL, NULL, 0, 0, TC_SIGNAL_REJECTED, want, 1}
#define REJ(json, want) {SIGNAL, json, 0, 0, NULL, NULL, NULL, 0, 0, TC_SIGNAL_REJECTED, want, 0}
#define FILL(of, o, ex, q, px, rc, applied, want) {FILL, NULL, of, o, ex, q, px, 0, rc, applied, want, 0}
#define UPD(of, o, st, left, rc, want) {UPDATE, NULL, of, o, NULL, left, NULL, st, rc, 0, want, 0}

/* With the instant broker: everything fills at the signal's price. */
static const struct step with_instant[] = {
    /* 0 */ ACC(SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
                "base entry: 100 LONG ES at 100"),
    /* 1 */ DUP(SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
                "base entry: 100 LONG ES at 100"),
    REJ(SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG", ",\"price\":\"101\",\"stop\":\"95\""),
        "already has an open base position"),
    REJ(SIG("PYRAMID", "p1", "s1", "ES", "LONG", ",\"price\":\"101\""),
        "less than the required 2"),
    ACC(SIG("PYRAMID", "p1", "s1", "ES", "LONG", ",\"price\":\"103\""), "pyramid layer 1"),
    ACC(SIG("PYRAMID", "p1", "s1", "ES", "LONG", ",\"price\":\"106\""), "pyramid layer 2"),
    REJ(SIG("PYRAMID", "p1", "s1", "ES", "LONG", ",\"price\":\"109\""),
        "pyramid: 2 layers already added, the maximum is 2"),
    REJ(SIG("PYRAMID", "p1", "s1", "NQ", "LONG", ",\"price\":\"50\""), "has no open base position"),
    REJ(SIG("EXIT", "p1", "s1", "NQ", "LONG", ",\"price\":\"50\""), "has nothing open in \"NQ\""),
    REJ(SIG("PYRAMID", "p1", "s1", "ES", "SHORT", ",\"price\":\"90\""), "is not the side LONG"),
    ACC(SIG("STOP_UPDATE", "p1", "s1", "ES", "LONG", ",\"stop\":\"97\""), "moved to 97"),
    REJ(SIG("STOP_UPDATE", "p1", "s1", "ES", "LONG", ",\"stop\":\"96\""), "loosen"),
    REJ(SIG("BASE_ENTRY", "p1", "s1", "NOPE", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
        "instrument \"NOPE\" not found"),
    REJ(SIG("BASE_ENTRY", "p1", "s1", "SUSP", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
        "instrument \"SUSP\" is SUSPENDED"),
    REJ(SIG("BASE_ENTRY", "gone", "s1", "NQ", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
        "portfolio \"gone\" not found"),
    REJ(SIG("BASE_ENTRY", "nope", "s1", "NQ", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
        "portfolio \"nope\" not found"),
    REJ(SIG("BASE_ENTRY", "p1", "nope", "NQ", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
        "strategy \"nope\" not found"),
    REJ(SIG("BASE_ENTRY", "p1", "off", "NQ", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
        "strategy \"off\" is disabled"),
    REJ(SIG("BASE_ENTRY", "p1", "badp", "NQ", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
        "strategy \"badp\": "),
    REJ(SIG("BASE_ENTRY", "p1", "s1", "NQ", "LONG",
            ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"90000000000\""),
        "overflows"),
    REJ(SIG("BASE_ENTRY", "p1", "s1", "NQ", "LONG", ",\"price\":\"100000\",\"stop\":\"1\""),
        "less than one lot"),
    REJ(SIG("BASE_ENTRY", "p1", "s1", "NQ", "LONG", ",\"price\":\"NaN\",\"stop\":\"1\""), "price"),
    REJ("{\"signal_id\":\"broken-1\",\"type\":\"SELL\"}", "SELL"),
    DUPREJ("{\"signal_id\":\"broken-1\",\"type\":\"SELL\"}", "type \"SELL\" is not one of"),
    ACC(SIG("EXIT", "p1", "s1", "ES", "LONG", ",\"price\":\"110\""), "exit: 3 layer(s) of ES"),
    REJ(SIG("EXIT", "p1", "s1", "ES", "LONG", ",\"price\":\"111\""), "has nothing open in \"ES\""),
    ACC(SIG("BASE_ENTRY", "p1", "s1", "NQ", "SHORT", ",\"price\":\"50\",\"stop\":\"55\""),
        "SHORT NQ at 50"),
    REJ(SIG("EXIT", "p1", "s1", "NQ", "LONG", ",\"price\":\"45\""), "is not the side SHORT"),
    ACC(SIG("EXIT", "p1", "s1", "NQ", "SHORT", ",\"price\":\"45\""), "exit: 1 layer(s) of NQ"),
    ACC(SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG", ",\"price\":\"120\",\"stop\":\"110\""),
        "base entry"),
};

/* Without a broker: intents stay NEW; fills and updates come by hand. */
static const struct step by_hand[] = {
    /* 0 */ ACC(SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG",
                    ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"10\""),
                "base entry: 10 LONG ES at 100"),
    FILL(0, 'L', "e1", "4", "100", 0, 1, NULL),
    FILL(0, 'L', "e1", "4", "100", 0, 0, NULL),
    FILL(0, 'L', "e2", "7", "101", TC_EINVAL, 0, "is more than order"),
    FILL(0, 'L', "e2", "6", "100.5", 0, 1, NULL),
    FILL(-1, 'L', "e3", "1", "100", TC_ENOTFOUND, 0, "not found"),
    /* 6 */ ACC(SIG("EXIT", "p1", "s1", "ES", "LONG", ",\"price\":\"104\""), "exit: 1 layer(s)"),
    REJ(SIG("EXIT", "p1", "s1", "ES", "LONG", ",\"price\":\"104.5\""), "exits already in flight"),
    FILL(6, 'X', "x1", "3", "104", 0, 1, NULL),
    UPD(6, 'X', TC_ORDER_CANCELED, "6", TC_EINVAL, "7 is unfilled"),
    UPD(6, 'X', TC_ORDER_CANCELED, "7", 0, NULL),
    UPD(6, 'X', TC_ORDER_CANCELED, "7", 0, NULL),
    UPD(6, 'X', TC_ORDER_EXPIRED, "7", TC_ESTATE, "is CANCELED, not working"),
    FILL(6, 'X', "x2", "1", "104", TC_ESTATE, 0, "is CANCELED"),
    /* 14 */ ACC(SIG("EXIT", "p1", "s1", "ES", "LONG", ",\"price\":\"105\""), "exit: 1 layer(s)"),
    FILL(14, 'X', "x3", "7", "105", 0, 1, NULL),
    /* 16 */ ACC(SIG("BASE_ENTRY", "p1", "s1", "NQ", "LONG",
                     ",\"price\":\"20\",\"stop\":\"18\",\"quantity\":\"5\""),
                 "base entry: 5 LONG NQ"),
    UPD(16, 'L', TC_ORDER_FILLED, "5", TC_EINVAL, "is not EXPIRED or CANCELED"),
    UPD(16, 'L', TC_ORDER_EXPIRED, "5", 0, NULL),
    FILL(16, 'L', "n1", "5", "20", TC_ESTATE, 0, "is EXPIRED"),
    REJ(SIG("PYRAMID", "p1", "s1", "ES", "LONG", ",\"price\":\"130\""), "has no open base position"),
    REJ(SIG("STOP_UPDATE", "p1", "s1", "NQ", "LONG", ",\"stop\":\"19\""), "has nothing open"),
};

static void coid(const struct tc_signal_outcome *outs, const struct step *s, char *buf,
                 size_t cap)
{
    if (s->of < 0)
        snprintf(buf, cap, "nope:L0");
    else
        snprintf(buf, cap, "%s:%c0", outs[s->of].fingerprint, s->order);
}

/* Runs STEPS on W (the clock a second further each step), checking each
 * step's expectation, and writes everything into T. */
static void run_steps(struct world *w, const struct step *steps, size_t n, struct text *t)
{
    struct tc_signal_outcome *outs = calloc(n, sizeof(*outs));
    struct seen seen = {.n = 0};

    assert_non_null(outs);
    for (size_t k = 0; k < n; k++) {
        const struct step *s = &steps[k];
        struct tc_error err = {0};
        char c[TC_CLIENT_ORDER_ID_MAX];
        int rc, applied = -1;

        w->clock.now_us += 1000000;
        if (s->kind == SIGNAL) {
            struct tc_signal_outcome *o = &outs[k];
            rc = tc_ledger_submit_signal(w->l, s->json, (size_t)-1, o, &err);
            assert_int_equal(rc, 0);
            put(t, "step %zu: status=%d dup=%d fp=%s pos=%s ord=%s reason=\"%s\"\n", k,
                (int)o->status, o->duplicate, o->fingerprint, o->position_id, o->order_id,
                o->reason);
            if ((int)o->status != s->want_status || o->duplicate != s->want_dup ||
                !strstr(o->reason, s->want))
                fail_msg("step %zu (%s): status %d dup %d reason \"%s\", wanted %d %d \"%s\"", k,
                         s->json, (int)o->status, o->duplicate, o->reason, s->want_status,
                         s->want_dup, s->want);
            see(&seen, o->position_id);
            continue;
        }
        coid(outs, s, c, sizeof(c));
        if (s->kind == FILL) {
            struct tc_fill f;
            memset(&f, 0, sizeof(f));
            snprintf(f.execution_id, sizeof(f.execution_id), "%s", s->exec);
            snprintf(f.client_order_id, sizeof(f.client_order_id), "%s", c);
            tc_dec_parse(s->qty, (size_t)-1, &f.quantity, NULL);
            tc_dec_parse(s->price, (size_t)-1, &f.price, NULL);
            tc_dec_parse("0.25", (size_t)-1, &f.commission, NULL);
            f.filled_at_us = w->clock.now_us;
            rc = tc_ledger_apply_fill(w->l, &f, &applied, &err);
        } else {
            struct tc_order_update u;
            memset(&u, 0, sizeof(u));
            snprintf(u.client_order_id, sizeof(u.client_order_id), "%s", c);
            u.status = s->status;
            tc_dec_parse(s->qty, (size_t)-1, &u.remaining, NULL);
            u.at_us = w->clock.now_us;
            rc = tc_ledger_apply_order_update(w->l, &u, &err);
        }
        put(t, "step %zu: rc=%s applied=%d msg=\"%s\"\n", k, tc_strerror_name(rc), applied,
            rc ? tc_error_msg(&err) : "");
        if (rc != s->want_rc || (s->kind == FILL && rc == 0 && applied != s->want_status) ||
            (s->want && !strstr(tc_error_msg(&err), s->want)))
            fail_msg("step %zu: rc %s applied %d \"%s\", wanted %s %d \"%s\"", k,
                     tc_strerror_name(rc), applied, tc_error_msg(&err),
                     tc_strerror_name(s->want_rc), s->want_status, s->want ? s->want : "");
    }
    put_state(t, w, &seen);
    free(outs);
}

static void cross_check(enum backend other, const struct step *steps, size_t n, int instant)
{
    struct world wm, wo;
    struct text tm = {0}, to = {0};

    assert_int_equal(world_open(&wm, MEM, instant), 0);
    assert_int_equal(world_open(&wo, other, instant), 0);
    run_steps(&wm, steps, n, &tm);
    run_steps(&wo, steps, n, &to);
    if (getenv("TC_TEST_VERBOSE"))
        fprintf(stderr, "%s", tm.buf);
    assert_string_equal(tm.buf, to.buf);
    world_close(&wm);
    world_close(&wo);
    free(tm.buf);
    free(to.buf);
}

#define NSTEPS(a) (sizeof(a) / sizeof((a)[0]))

static void test_same_as_sqlite_instant(void **state)
{
    (void)state;
    cross_check(SQLITE, with_instant, NSTEPS(with_instant), 1);
}

static void test_same_as_sqlite_by_hand(void **state)
{
    (void)state;
    cross_check(SQLITE, by_hand, NSTEPS(by_hand), 0);
}

static void test_same_as_pg_instant(void **state)
{
    (void)state;
    cross_check(PG, with_instant, NSTEPS(with_instant), 1);
}

static void test_same_as_pg_by_hand(void **state)
{
    (void)state;
    cross_check(PG, by_hand, NSTEPS(by_hand), 0);
}

/* ------------------------------------------------------------------------ */
/* Faults: a failed transaction leaves no trace                               */

static void snapshot(struct world *w, const char *const *positions, int npos, struct text *t)
{
    struct seen s = {.n = 0};
    for (int k = 0; k < npos; k++)
        see(&s, positions[k]);
    put_state(t, w, &s);
}

/* The id generator's prefix changed between signals of an in-memory
 * ledger: an invalid one is refused (nothing written, no number used), a
 * new valid one is used from the next id on. */
static void test_seq_prefix_changed(void **state)
{
    static const char *es = SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG",
                                ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"1\"");
    static const char *nq = SIG("BASE_ENTRY", "p1", "s1", "NQ", "LONG",
                                ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"1\"");
    struct world w;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    struct tc_position p;

    (void)state;
    assert_int_equal(world_open(&w, MEM, 0), 0);
    tc_assert_ok(tc_ledger_submit_signal(w.l, es, (size_t)-1, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-1");
    assert_string_equal(o.order_id, "ord-t-2");
    snprintf(w.ids.prefix, sizeof(w.ids.prefix), "bad prefix");
    assert_int_equal(tc_ledger_submit_signal(w.l, nq, (size_t)-1, &o, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "the pos id generator failed"));
    assert_int_equal(w.ids.n, 2);
    snprintf(w.ids.prefix, sizeof(w.ids.prefix), "u");
    tc_assert_ok(tc_ledger_submit_signal(w.l, nq, (size_t)-1, &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    assert_string_equal(o.position_id, "pos-u-3");
    assert_string_equal(o.order_id, "ord-u-4");
    tc_assert_ok(tc_ledger_position_get(w.l, "pos-t-1", &p, &err), &err);
    assert_string_equal(p.instrument_id, "ES");
    tc_assert_ok(tc_ledger_position_get(w.l, "pos-u-3", &p, &err), &err);
    assert_string_equal(p.instrument_id, "NQ");
    world_close(&w);
}

/* Ids numbered across a new digit (9 → 10, 99 → 100) and after the
 * numbers' owner set N itself (down as well as up): each id has the number
 * N + 1 of the moment it is made. */
static void test_seq_numbers(void **state)
{
    static const char *es = SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG",
                                ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"1\"");
    static const char *nq = SIG("BASE_ENTRY", "p1", "s1", "NQ", "LONG",
                                ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"1\"");
    static const char *es_exit = SIG("EXIT", "p1", "s1", "ES", "LONG", ",\"price\":\"100\"");
    struct world w;
    struct tc_signal_outcome o;
    struct tc_error err = {0};

    (void)state;
    assert_int_equal(world_open(&w, MEM, 0), 0);
    w.ids.n = 8;
    tc_assert_ok(tc_ledger_submit_signal(w.l, es, (size_t)-1, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-9");
    assert_string_equal(o.order_id, "ord-t-10");
    w.ids.n = 98;
    tc_assert_ok(tc_ledger_submit_signal(w.l, nq, (size_t)-1, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-99");
    assert_string_equal(o.order_id, "ord-t-100");
    assert_int_equal(w.ids.n, 100);
    w.ids.n = 5; /* set back by its owner */
    assert_int_equal(tc_ledger_submit_signal(w.l, es_exit, (size_t)-1, &o, &err), 0);
    /* the entry did not fill: its cancel is asked for, no exit order (no id) */
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    assert_string_equal(o.position_id, "pos-t-9");
    assert_string_equal(o.order_id, "");
    assert_int_equal(w.ids.n, 5);
    world_close(&w);
    assert_int_equal(world_open(&w, MEM, 1), 0);
    w.ids.n = 5;
    tc_assert_ok(tc_ledger_submit_signal(w.l, es, (size_t)-1, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-6");
    assert_string_equal(o.order_id, "ord-t-7");
    w.ids.n = 1;
    tc_assert_ok(tc_ledger_submit_signal(w.l, es_exit, (size_t)-1, &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    assert_string_equal(o.position_id, "pos-t-6");
    assert_string_equal(o.order_id, "ord-t-2");
    world_close(&w);
}

/* Instruments whose ids end alike ("ES", "FF" and the unknown "AG" share
 * the memory ledger's instrument hint) taking turns: each signal gets its
 * own instrument, the unknown one is rejected naming it, and nothing of it
 * stays. */
static void test_instruments_alike(void **state)
{
    static const char *es = SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG",
                                ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"1\"");
    static const char *ff = SIG("BASE_ENTRY", "p1", "s1", "FF", "LONG",
                                ",\"price\":\"50\",\"stop\":\"45\",\"quantity\":\"2\"");
    static const char *ag = SIG("BASE_ENTRY", "p1", "s1", "AG", "LONG",
                                ",\"price\":\"50\",\"stop\":\"45\",\"quantity\":\"2\"");
    static const char *es_exit = SIG("EXIT", "p1", "s1", "ES", "LONG", ",\"price\":\"101\"");
    static const char *ff_exit = SIG("EXIT", "p1", "s1", "FF", "LONG", ",\"price\":\"51\"");
    struct world w;
    struct tc_instrument in;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    struct tc_position p;
    char es_pos[TC_ID_BUFSZ], ff_pos[TC_ID_BUFSZ];
    size_t n = 0;

    (void)state;
    assert_int_equal(world_open(&w, MEM, 1), 0);
    tc_test_def_instrument(&in, "FF", "1", TC_INSTRUMENT_ACTIVE);
    tc_assert_ok(tc_ledger_mem_add_instrument(w.l, &in, &err), &err);
    tc_assert_ok(tc_ledger_submit_signal(w.l, es, (size_t)-1, &o, &err), &err);
    assert_string_equal(o.reason, "base entry: 1 LONG ES at 100");
    snprintf(es_pos, sizeof(es_pos), "%s", o.position_id);
    tc_assert_ok(tc_ledger_submit_signal(w.l, ff, (size_t)-1, &o, &err), &err);
    assert_string_equal(o.reason, "base entry: 2 LONG FF at 50");
    snprintf(ff_pos, sizeof(ff_pos), "%s", o.position_id);
    tc_assert_ok(tc_ledger_submit_signal(w.l, ag, (size_t)-1, &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_REJECTED);
    assert_string_equal(o.reason, "instrument \"AG\" not found");
    assert_string_equal(o.position_id, "");
    tc_assert_ok(tc_ledger_positions_open(w.l, "p1", "AG", NULL, 0, &n, &err), &err);
    assert_int_equal(n, 0);
    tc_assert_ok(tc_ledger_submit_signal(w.l, es_exit, (size_t)-1, &o, &err), &err);
    assert_string_equal(o.reason, "exit: 1 layer(s) of ES");
    assert_string_equal(o.position_id, es_pos);
    tc_assert_ok(tc_ledger_submit_signal(w.l, ff_exit, (size_t)-1, &o, &err), &err);
    assert_string_equal(o.reason, "exit: 1 layer(s) of FF");
    assert_string_equal(o.position_id, ff_pos);
    tc_assert_ok(tc_ledger_position_get(w.l, es_pos, &p, &err), &err);
    assert_string_equal(p.instrument_id, "ES");
    assert_int_equal(p.status, TC_POSITION_CLOSED);
    tc_assert_ok(tc_ledger_position_get(w.l, ff_pos, &p, &err), &err);
    assert_string_equal(p.instrument_id, "FF");
    assert_int_equal(p.status, TC_POSITION_CLOSED);
    world_close(&w);
}

/* A signal fails at signal:before_commit (its order, the in-transaction
 * fills, the position, the portfolio state and pyramiding state all
 * written by then), nothing stays; sent again it gives what a run without
 * the fault gives. */
static void test_signal_fault_rolls_back(void **state)
{
    static const char *base =
        SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG", ",\"price\":\"100\",\"stop\":\"95\"");
    static const char *pyr = SIG("PYRAMID", "p1", "s1", "ES", "LONG", ",\"price\":\"103\"");
    struct world w, ref;
    struct tc_signal_outcome o, oref;
    struct tc_error err = {0};
    struct text before = {0}, after = {0}, t1 = {0}, t2 = {0};
    uint64_t ids;
    const char *pos[] = {"pos-t-1", "pos-t-4"};

    (void)state;
    assert_int_equal(world_open(&w, MEM, 1), 0);
    assert_int_equal(world_open(&ref, MEM, 1), 0);
    tc_assert_ok(tc_ledger_submit_signal(ref.l, base, (size_t)-1, &oref, &err), &err);
    tc_assert_ok(tc_ledger_submit_signal(ref.l, pyr, (size_t)-1, &oref, &err), &err);

    /* the first signal of the portfolio: the state would be created here */
    snapshot(&w, pos, 0, &before);
    ids = w.ids.n;
    w.fault_point = "signal:before_commit";
    assert_int_equal(tc_ledger_submit_signal(w.l, base, (size_t)-1, &o, &err), TC_EIO);
    assert_non_null(strstr(tc_error_msg(&err), "signal:before_commit"));
    assert_int_equal(w.faults, 1);
    snapshot(&w, pos, 0, &after);
    assert_string_equal(before.buf, after.buf);
    assert_non_null(strstr(after.buf, "state rc=TC_ENOTFOUND"));
    w.fault_point = NULL;
    w.ids.n = ids; /* the generator is the caller's: the same ids again */
    tc_assert_ok(tc_ledger_submit_signal(w.l, base, (size_t)-1, &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(o.duplicate, 0);

    /* a pyramid on an open base: the fill, the base's state, the pyramiding
     * count move inside; all undone */
    before.n = after.n = 0;
    snapshot(&w, pos, 1, &before);
    ids = w.ids.n;
    w.fault_point = "signal:before_commit";
    assert_int_equal(tc_ledger_submit_signal(w.l, pyr, (size_t)-1, &o, &err), TC_EIO);
    snapshot(&w, pos, 1, &after);
    assert_string_equal(before.buf, after.buf);
    assert_int_equal(tc_ledger_position_get(w.l, "pos-t-4", &(struct tc_position){0}, &err),
                     TC_ENOTFOUND);
    w.fault_point = NULL;
    w.ids.n = ids;
    tc_assert_ok(tc_ledger_submit_signal(w.l, pyr, (size_t)-1, &o, &err), &err);
    assert_string_equal(o.position_id, oref.position_id);
    assert_string_equal(o.order_id, oref.order_id);
    assert_string_equal(o.reason, oref.reason);
    snapshot(&w, pos, 2, &t1);
    snapshot(&ref, pos, 2, &t2);
    assert_string_equal(t1.buf, t2.buf);
    world_close(&w);
    world_close(&ref);
    free(before.buf);
    free(after.buf);
    free(t1.buf);
    free(t2.buf);
}

/* A fill (partial, then the rest) and an order update fail at their
 * before_commit points: the order, position, state and the execution id
 * stay as before (the same fill applies afterwards, not a duplicate). */
static void test_fill_fault_rolls_back(void **state)
{
    static const char *base = SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG",
                                  ",\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"10\"");
    static const char *ex = SIG("EXIT", "p1", "s1", "ES", "LONG", ",\"price\":\"104\"");
    struct world w, ref;
    struct world *both[2] = {&w, &ref};
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    struct text before = {0}, after = {0}, t1 = {0}, t2 = {0};
    const char *pos[] = {"pos-t-1"};
    struct tc_fill f;
    struct tc_order_update u;
    int applied = -1;

    (void)state;
    assert_int_equal(world_open(&w, MEM, 0), 0);
    assert_int_equal(world_open(&ref, MEM, 0), 0);
    for (int k = 0; k < 2; k++)
        tc_assert_ok(tc_ledger_submit_signal(both[k]->l, base, (size_t)-1, &o, &err), &err);
    memset(&f, 0, sizeof(f));
    snprintf(f.execution_id, sizeof(f.execution_id), "e1");
    snprintf(f.client_order_id, sizeof(f.client_order_id), "%s:L0", o.fingerprint);
    tc_dec_parse("4", (size_t)-1, &f.quantity, NULL);
    tc_dec_parse("100", (size_t)-1, &f.price, NULL);
    tc_dec_parse("0.5", (size_t)-1, &f.commission, NULL);
    f.filled_at_us = T0;

    for (int round = 0; round < 2; round++) {
        before.n = after.n = 0;
        snapshot(&w, pos, 1, &before);
        w.fault_point = round == 0 ? "fill:before_commit" : "fill:before_write";
        assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_EIO);
        assert_int_equal(applied, 0);
        assert_non_null(strstr(tc_error_msg(&err), w.fault_point));
        snapshot(&w, pos, 1, &after);
        assert_string_equal(before.buf, after.buf);
    }
    w.fault_point = NULL;
    for (int k = 0; k < 2; k++) {
        tc_assert_ok(tc_ledger_apply_fill(both[k]->l, &f, &applied, &err), &err);
        assert_int_equal(applied, 1);
    }
    /* the exit and an update of it that fails */
    for (int k = 0; k < 2; k++)
        tc_assert_ok(tc_ledger_submit_signal(both[k]->l, ex, (size_t)-1, &o, &err), &err);
    memset(&u, 0, sizeof(u));
    snprintf(u.client_order_id, sizeof(u.client_order_id), "%s:X0", o.fingerprint);
    u.status = TC_ORDER_CANCELED;
    tc_dec_parse("4", (size_t)-1, &u.remaining, NULL);
    u.at_us = T0;
    before.n = after.n = 0;
    snapshot(&w, pos, 1, &before);
    w.fault_point = "update:before_commit";
    assert_int_equal(tc_ledger_apply_order_update(w.l, &u, &err), TC_EIO);
    snapshot(&w, pos, 1, &after);
    assert_string_equal(before.buf, after.buf);
    w.fault_point = NULL;
    for (int k = 0; k < 2; k++)
        tc_assert_ok(tc_ledger_apply_order_update(both[k]->l, &u, &err), &err);
    /* a second exit after the cancel: it is not "in flight" any more */
    for (int k = 0; k < 2; k++) {
        tc_assert_ok(tc_ledger_submit_signal(
                         both[k]->l, SIG("EXIT", "p1", "s1", "ES", "LONG", ",\"price\":\"105\""),
                         (size_t)-1, &o, &err),
                     &err);
        assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    }
    snapshot(&w, pos, 1, &t1);
    snapshot(&ref, pos, 1, &t2);
    assert_string_equal(t1.buf, t2.buf);
    world_close(&w);
    world_close(&ref);
    free(before.buf);
    free(after.buf);
    free(t1.buf);
    free(t2.buf);
}

/* Many rows: more than a table block (512 rows) and many blocks of the
 * memory ledger's text (ids and reasons are kept apart from the rows), with
 * a transaction failing every fifth signal (what it appended is dropped, the
 * same call succeeds after): every outcome is the one of a ledger without
 * faults, a signal sent again gives its first outcome as a duplicate, and
 * the positions, state, pyramiding state and check are the same. */
#define MANY 700
static void test_many_rows_with_faults(void **state)
{
    struct world w, ref;
    struct tc_signal_outcome *first = calloc(2 * MANY, sizeof(*first)), o, oref;
    struct tc_error err = {0};
    struct text t1 = {0}, t2 = {0};
    const char *pos[3];
    char json[1024], reason[200];
    uint64_t ids;
    int faults = 0;

    (void)state;
    assert_non_null(first);
    assert_int_equal(world_open(&w, MEM, 1), 0);
    assert_int_equal(world_open(&ref, MEM, 1), 0);
    memset(reason, 'r', sizeof(reason) - 1);
    reason[sizeof(reason) - 1] = '\0';
    for (int k = 0; k < 2 * MANY; k++) {
        int exit_ = k % 2;
        snprintf(json, sizeof(json),
                 "{\"type\":\"%s\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"%s\","
                 "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"%s\"%s,"
                 "\"signal_id\":\"sig-%d\",\"reason\":\"%d %s\"}",
                 exit_ ? "EXIT" : "BASE_ENTRY", (k / 2) % 3 ? "ES" : "NQ", exit_ ? "101" : "100",
                 exit_ ? "" : ",\"stop\":\"95\",\"quantity\":\"1\"", k, k, reason + k % 150);
        tc_assert_ok(tc_ledger_submit_signal(ref.l, json, (size_t)-1, &oref, &err), &err);
        if (k % 5 == 4) {
            ids = w.ids.n;
            w.fault_point = "signal:before_commit";
            assert_int_equal(tc_ledger_submit_signal(w.l, json, (size_t)-1, &o, &err), TC_EIO);
            assert_non_null(strstr(tc_error_msg(&err), "signal:before_commit"));
            w.fault_point = NULL;
            w.ids.n = ids;
            faults++;
        }
        tc_assert_ok(tc_ledger_submit_signal(w.l, json, (size_t)-1, &first[k], &err), &err);
        assert_int_equal(first[k].status, TC_SIGNAL_ACCEPTED);
        assert_int_equal(first[k].status, oref.status);
        assert_int_equal(first[k].duplicate, 0);
        assert_string_equal(first[k].position_id, oref.position_id);
        assert_string_equal(first[k].order_id, oref.order_id);
        assert_string_equal(first[k].reason, oref.reason);
        assert_string_equal(first[k].fingerprint, oref.fingerprint);
    }
    assert_int_equal(w.faults, faults);
    /* each signal again: a duplicate with its first outcome */
    for (int k = 0; k < 2 * MANY; k += 7) {
        snprintf(json, sizeof(json),
                 "{\"type\":\"%s\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"%s\","
                 "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"%s\"%s,"
                 "\"signal_id\":\"sig-%d\",\"reason\":\"%d %s\"}",
                 k % 2 ? "EXIT" : "BASE_ENTRY", (k / 2) % 3 ? "ES" : "NQ", k % 2 ? "101" : "100",
                 k % 2 ? "" : ",\"stop\":\"95\",\"quantity\":\"1\"", k, k, reason + k % 150);
        tc_assert_ok(tc_ledger_submit_signal(w.l, json, (size_t)-1, &o, &err), &err);
        assert_int_equal(o.duplicate, 1);
        assert_int_equal(o.status, first[k].status);
        assert_string_equal(o.position_id, first[k].position_id);
        assert_string_equal(o.order_id, first[k].order_id);
        assert_string_equal(o.reason, first[k].reason);
        assert_string_equal(o.fingerprint, first[k].fingerprint);
    }
    pos[0] = first[0].position_id;
    pos[1] = first[MANY].position_id;
    pos[2] = first[2 * MANY - 2].position_id;
    snapshot(&w, pos, 3, &t1);
    snapshot(&ref, pos, 3, &t2);
    assert_string_equal(t1.buf, t2.buf);
    assert_non_null(strstr(t1.buf, first[2 * MANY - 2].position_id));
    world_close(&w);
    world_close(&ref);
    free(t1.buf);
    free(t2.buf);
    free(first);
}

/* ------------------------------------------------------------------------ */
/* Options and definitions                                                    */

static void test_options_refused(void **state)
{
    struct world w;
    struct tc_ledger_options o;
    struct tc_ledger *l = (struct tc_ledger *)&o;
    struct tc_error err = {0};
    struct tc_portfolio_def p;
    struct tc_strategy_def s;
    struct tc_instrument in;

    (void)state;
    assert_int_equal(world_open(&w, SQLITE, 0), 0);
    /* in memory with a runtime store */
    tc_ledger_options_default(&o);
    o.in_memory = 1;
    o.runtime = w.rt;
    assert_int_equal(tc_ledger_open(&o, &l, &err), TC_EINVAL);
    assert_null(l);
    assert_non_null(strstr(tc_error_msg(&err), "runtime must be NULL"));
    /* in memory with a fence */
    tc_ledger_options_default(&o);
    o.in_memory = 1;
    o.fence = (tc_ledger_fence_fn)(uintptr_t)1;
    assert_int_equal(tc_ledger_open(&o, &l, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "fence must be NULL"));
    /* not in memory without stores: as before */
    tc_ledger_options_default(&o);
    assert_int_equal(tc_ledger_open(&o, &l, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "runtime and a historical store are required"));

    /* the mem_add functions on a SQL ledger */
    tc_test_def_portfolio(&p, "p9", "10");
    tc_test_def_strategy(&s, "s9", 1, "{}");
    tc_test_def_instrument(&in, "ZZ", "1", TC_INSTRUMENT_ACTIVE);
    assert_int_equal(tc_ledger_mem_add_portfolio(w.l, &p, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "tc_ledger_mem_add_portfolio needs an in-memory"));
    assert_int_equal(tc_ledger_mem_add_strategy(w.l, &s, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "tc_ledger_mem_add_strategy needs an in-memory"));
    assert_int_equal(tc_ledger_mem_add_instrument(w.l, &in, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "tc_ledger_mem_add_instrument needs an in-memory"));
    assert_int_equal(tc_ledger_mem_add_portfolio(NULL, &p, &err), TC_EINVAL);
    assert_int_equal(tc_ledger_mem_add_portfolio(w.l, NULL, &err), TC_EINVAL);
    world_close(&w);
}

static void test_mem_add_refused(void **state)
{
    struct world w;
    struct tc_error err = {0};
    struct tc_portfolio_def p;
    struct tc_strategy_def s;
    struct tc_instrument in;
    struct tc_signal_outcome o;

    (void)state;
    assert_int_equal(world_open(&w, MEM, 1), 0);
    /* duplicates */
    tc_test_def_portfolio(&p, "p1", "1");
    assert_int_equal(tc_ledger_mem_add_portfolio(w.l, &p, &err), TC_ECONFLICT);
    assert_non_null(strstr(tc_error_msg(&err), "portfolio \"p1\" was already added"));
    tc_test_def_strategy(&s, "s1", 1, "{}");
    assert_int_equal(tc_ledger_mem_add_strategy(w.l, &s, &err), TC_ECONFLICT);
    assert_non_null(strstr(tc_error_msg(&err), "strategy \"s1\" was already added"));
    tc_test_def_instrument(&in, "ES", "5", TC_INSTRUMENT_ACTIVE);
    assert_int_equal(tc_ledger_mem_add_instrument(w.l, &in, &err), TC_ECONFLICT);
    assert_non_null(strstr(tc_error_msg(&err), "instrument \"ES\" was already added"));
    /* invalid definitions */
    tc_test_def_portfolio(&p, "", "1");
    assert_int_equal(tc_ledger_mem_add_portfolio(w.l, &p, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "portfolio"));
    tc_test_def_portfolio(&p, "neg", "-1");
    assert_int_equal(tc_ledger_mem_add_portfolio(w.l, &p, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "initial_capital"));
    tc_test_def_strategy(&s, "bad id!", 1, "{}");
    assert_int_equal(tc_ledger_mem_add_strategy(w.l, &s, &err), TC_EINVAL);
    tc_test_def_instrument(&in, "ZZ", "0", TC_INSTRUMENT_ACTIVE);
    assert_int_equal(tc_ledger_mem_add_instrument(w.l, &in, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "multiplier"));
    /* nothing of those was added: ZZ is unknown, the first ES stays (multiplier 2) */
    tc_assert_ok(tc_ledger_submit_signal(
                     w.l, SIG("BASE_ENTRY", "p1", "s1", "ZZ", "LONG", ",\"price\":\"10\",\"stop\":\"9\""),
                     (size_t)-1, &o, &err),
                 &err);
    assert_int_equal(o.status, TC_SIGNAL_REJECTED);
    assert_string_equal(o.reason, "instrument \"ZZ\" not found");
    tc_assert_ok(tc_ledger_submit_signal(
                     w.l, SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
                     (size_t)-1, &o, &err),
                 &err);
    /* 100000 × 0.01 / (5 × 2) = 100 */
    assert_string_equal(o.reason, "base entry: 100 LONG ES at 100");
    world_close(&w);
}

/* With a historical store, an instrument not added is read from it once
 * and kept (its later change there is not seen; adding it is a conflict). */
static void test_instrument_from_historical(void **state)
{
    struct world sq, w;
    struct tc_ledger_options o;
    struct tc_error err = {0};
    struct tc_signal_outcome out;
    struct tc_instrument in;
    struct tc_portfolio_def p;
    struct tc_strategy_def s;

    (void)state;
    assert_int_equal(world_open(&sq, SQLITE, 0), 0); /* its historical store has ES, NQ, SUSP */
    memset(&w, 0, sizeof(w));
    tc_manual_clock_init(&w.clock, T0);
    tc_ledger_options_default(&o);
    o.in_memory = 1;
    o.historical = sq.hist;
    o.clock = &w.clock.clock;
    tc_assert_ok(tc_ledger_open(&o, &w.l, &err), &err);
    tc_test_def_portfolio(&p, "p1", "100000");
    tc_test_def_strategy(&s, "s1", 1, PARAMS_S1);
    tc_assert_ok(tc_ledger_mem_add_portfolio(w.l, &p, &err), &err);
    tc_assert_ok(tc_ledger_mem_add_strategy(w.l, &s, &err), &err);
    tc_assert_ok(tc_ledger_submit_signal(
                     w.l, SIG("BASE_ENTRY", "p1", "s1", "ES", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
                     (size_t)-1, &out, &err),
                 &err);
    assert_string_equal(out.reason, "base entry: 100 LONG ES at 100");
    tc_test_def_instrument(&in, "ES", "2", TC_INSTRUMENT_ACTIVE);
    assert_int_equal(tc_ledger_mem_add_instrument(w.l, &in, &err), TC_ECONFLICT);
    tc_assert_ok(tc_ledger_submit_signal(
                     w.l, SIG("BASE_ENTRY", "p1", "s1", "SUSP", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
                     (size_t)-1, &out, &err),
                 &err);
    assert_string_equal(out.reason, "instrument \"SUSP\" is SUSPENDED");
    tc_assert_ok(tc_ledger_submit_signal(
                     w.l, SIG("BASE_ENTRY", "p1", "s1", "NOPE", "LONG", ",\"price\":\"100\",\"stop\":\"95\""),
                     (size_t)-1, &out, &err),
                 &err);
    assert_string_equal(out.reason, "instrument \"NOPE\" not found");
    tc_ledger_close(w.l);
    world_close(&sq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_sqlite_instant),
        cmocka_unit_test(test_same_as_sqlite_by_hand),
        cmocka_unit_test(test_same_as_pg_instant),
        cmocka_unit_test(test_same_as_pg_by_hand),
        cmocka_unit_test(test_seq_prefix_changed),
        cmocka_unit_test(test_signal_fault_rolls_back),
        cmocka_unit_test(test_fill_fault_rolls_back),
        cmocka_unit_test(test_many_rows_with_faults),
        cmocka_unit_test(test_seq_numbers),
        cmocka_unit_test(test_instruments_alike),
        cmocka_unit_test(test_options_refused),
        cmocka_unit_test(test_mem_add_refused),
        cmocka_unit_test(test_instrument_from_historical),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
