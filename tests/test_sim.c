/* Market simulator: a table of order types x bar shapes x slippage x volume cap
 * x commission with fills written by hand; DAY vs GTC, cancel, no later bar,
 * bad orders, configs and bars rejected with the field named and nothing
 * changed, determinism, shared volume cap, lot flooring, zero volume,
 * callbacks that fail or re-enter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/sim.h"
#include "exec/sim_internal.h"

/* NULL (a table's empty cell) is zero */
static struct tc_dec D(const char *text) { return text ? tc_test_dec(text) : TC_DEC_ZERO; }

static void assert_dec(struct tc_dec got, const char *want, const char *what)
{
    char buf[TC_DEC_STRLEN];
    if (got.raw != D(want).raw) {
        tc_dec_format(got, buf, sizeof buf);
        fail_msg("%s: got %s, want %s", what, buf, want);
    }
}

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("message \"%s\" does not contain \"%s\"", hay, needle);
}

/* ---- bars ---- */

struct bar_text {
    const char *o, *h, *l, *c;
    int64_t v;
};

static const struct bar_text B0 = {"100", "102", "98", "101", 10000};     /* creation bar */
static const struct bar_text NOGAP = {"101", "105", "97", "103", 10000};
static const struct bar_text GAPUP = {"110", "112", "108", "111", 10000};
static const struct bar_text GAPDN = {"90", "92", "88", "91", 10000};
static const struct bar_text QUIET = {"101", "102", "100", "101.5", 10000};
static const struct bar_text B2 = {"102", "104", "101", "103", 10000};
static const struct bar_text B3 = {"103", "104", "102", "103.5", 5000};
static const struct bar_text ZEROV = {"101", "105", "97", "103", 0};
static const struct bar_text ODD = {"101.23456749", "105", "97", "103", 10000}; /* 8 places */

static int64_t day0(void) { return tc_days_from_civil(2024, 1, 2); }

static struct tc_bar make_bar(const struct bar_text *t, int64_t day)
{
    struct tc_bar b;
    memset(&b, 0, sizeof b);
    b.day = day;
    b.open = D(t->o);
    b.high = D(t->h);
    b.low = D(t->l);
    b.close = D(t->c);
    b.adj_close = b.close;
    b.volume = t->v;
    return b;
}

/* ---- configurations ---- */

enum preset {
    C_PLAIN,
    C_CLOSE,
    C_SLIP1,
    C_SLIP5,
    C_BPS25,
    C_BPS25_TICK,
    C_CAP,
    C_CAP_LOT30,
    C_COMM_FRAC,
    C_COMM_FRAC_TIE,
    C_COMM_SHARE,
    C_COMM_FIXED,
    C_COMM_FRAC8_BPS
};

static struct tc_sim_config make_cfg(enum preset p)
{
    struct tc_sim_config c;
    tc_sim_config_init(&c);
    switch (p) {
    case C_PLAIN:
        break;
    case C_CLOSE:
        c.fill_at = TC_SIM_FILL_CLOSE;
        break;
    case C_SLIP1:
        c.slippage = TC_SIM_SLIP_FRACTION;
        c.slippage_value = D("0.01");
        break;
    case C_SLIP5:
        c.slippage = TC_SIM_SLIP_FRACTION;
        c.slippage_value = D("0.05");
        break;
    case C_BPS25:
        c.slippage = TC_SIM_SLIP_BPS;
        c.slippage_value = D("25");
        break;
    case C_BPS25_TICK:
        c.slippage = TC_SIM_SLIP_BPS;
        c.slippage_value = D("25");
        c.tick = D("0.01");
        break;
    case C_CAP:
        c.volume_cap = D("0.01");
        break;
    case C_CAP_LOT30:
        c.volume_cap = D("0.01");
        c.lot = D("30");
        break;
    case C_COMM_FRAC:
        c.commission = TC_SIM_COMM_FRACTION;
        c.comm_rate = D("0.001");
        c.commission_places = 2;
        break;
    case C_COMM_FRAC_TIE:
        c.commission = TC_SIM_COMM_FRACTION;
        c.comm_rate = D("0.0005");
        c.commission_places = 2;
        break;
    case C_COMM_SHARE:
        c.commission = TC_SIM_COMM_PER_SHARE;
        c.comm_rate = D("0.005");
        c.comm_min = D("1");
        c.comm_max = D("4");
        c.commission_places = 2;
        break;
    case C_COMM_FIXED:
        c.commission = TC_SIM_COMM_FIXED;
        c.comm_fixed = D("9.99");
        c.volume_cap = D("0.01");
        break;
    case C_COMM_FRAC8_BPS:
        c.slippage = TC_SIM_SLIP_BPS;
        c.slippage_value = D("25");
        c.commission = TC_SIM_COMM_FRACTION;
        c.comm_rate = D("0.00012345");
        break;
    }
    return c;
}

/* ---- recording callback ---- */

#define MAX_EV 16

struct rec {
    int n;
    struct tc_sim_fill fills[MAX_EV];
    int nexp;
    char expired[MAX_EV][TC_SIM_ORDER_ID_MAX];
    enum tc_sim_status status_at_fill[MAX_EV];
};

static int record(void *ud, const struct tc_sim_event *ev)
{
    struct rec *r = ud;
    if (ev->kind == TC_SIM_EV_FILL) {
        assert_non_null(ev->fill);
        assert_true(r->n < MAX_EV);
        r->status_at_fill[r->n] = ev->order->status;
        r->fills[r->n++] = *ev->fill;
    } else {
        assert_int_equal(ev->kind, TC_SIM_EV_EXPIRED);
        assert_null(ev->fill);
        assert_int_equal(ev->order->status, TC_SIM_EXPIRED);
        assert_true(r->nexp < MAX_EV);
        snprintf(r->expired[r->nexp++], TC_SIM_ORDER_ID_MAX, "%s", ev->order->id);
    }
    return 0;
}

static struct tc_sim_order make_order(const char *id, enum tc_sim_side side, enum tc_sim_type type,
                                      enum tc_sim_tif tif, const char *qty, const char *limit,
                                      const char *stop)
{
    struct tc_sim_order o;
    memset(&o, 0, sizeof o);
    snprintf(o.id, sizeof o.id, "%s", id);
    snprintf(o.instrument, sizeof o.instrument, "ORCL");
    o.side = side;
    o.type = type;
    o.tif = tif;
    o.quantity = D(qty);
    o.limit = D(limit);
    o.stop = D(stop);
    o.created_day = day0();
    return o;
}

static struct tc_sim *new_sim(enum preset p)
{
    struct tc_sim_config c = make_cfg(p);
    struct tc_sim *sim = NULL;
    struct tc_error err = {0};
    tc_assert_ok(tc_sim_new(&c, &sim, &err), &err);
    return sim;
}

/* ---- the table ---- */

struct want_fill {
    int day; /* offset from the creation day */
    const char *qty, *price, *comm;
};

struct sim_case {
    const char *name;
    enum preset cfg;
    enum tc_sim_side side;
    enum tc_sim_type type;
    enum tc_sim_tif tif;
    const char *qty, *limit, *stop;
    const struct bar_text *bars[4]; /* bars[k] is day0 + k; bars[0] the creation bar */
    struct want_fill fills[4];
    int nfills;
    enum tc_sim_status status;    /* final */
    const char *filled;           /* final cumulative quantity */
    int triggered;                /* final trigger state */
};

#define BUY TC_SIM_BUY
#define SELL TC_SIM_SELL
#define MKT TC_SIM_MARKET
#define LMT TC_SIM_LIMIT
#define STP TC_SIM_STOP_MARKET
#define STL TC_SIM_STOP_LIMIT
#define GTC TC_SIM_GTC
#define DAY TC_SIM_DAY
#define WORKING TC_SIM_WORKING
#define PARTIAL TC_SIM_PARTIAL
#define FILLED TC_SIM_FILLED
#define EXPIRED TC_SIM_EXPIRED

static const struct sim_case cases[] = {
    /* MARKET, fill at the next open */
    {"mkt buy next_open no gap", C_PLAIN, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "101", "0"}}, 1, FILLED, "100", 0},
    {"mkt buy next_open gap up", C_PLAIN, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &GAPUP},
     {{1, "100", "110", "0"}}, 1, FILLED, "100", 0},
    {"mkt buy next_open gap down", C_PLAIN, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &GAPDN},
     {{1, "100", "90", "0"}}, 1, FILLED, "100", 0},
    {"mkt sell next_open no gap", C_PLAIN, SELL, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "101", "0"}}, 1, FILLED, "100", 0},
    {"mkt no later bar stays working", C_PLAIN, BUY, MKT, GTC, "100", NULL, NULL, {&B0},
     {{0}}, 0, WORKING, "0", 0},
    /* MARKET, fill at the close of the creation bar */
    {"mkt buy close", C_CLOSE, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{0, "100", "101", "0"}}, 1, FILLED, "100", 0},
    {"mkt sell close", C_CLOSE, SELL, MKT, GTC, "100", NULL, NULL, {&B0, &GAPUP},
     {{0, "100", "101", "0"}}, 1, FILLED, "100", 0},
    /* LIMIT */
    {"lmt buy no gap trades through", C_PLAIN, BUY, LMT, GTC, "100", "99", NULL, {&B0, &NOGAP},
     {{1, "100", "99", "0"}}, 1, FILLED, "100", 0},
    {"lmt buy touched at low", C_PLAIN, BUY, LMT, GTC, "100", "97", NULL, {&B0, &NOGAP},
     {{1, "100", "97", "0"}}, 1, FILLED, "100", 0},
    {"lmt buy gap down fills at open", C_PLAIN, BUY, LMT, GTC, "100", "99", NULL, {&B0, &GAPDN},
     {{1, "100", "90", "0"}}, 1, FILLED, "100", 0},
    {"lmt buy gap up not touched", C_PLAIN, BUY, LMT, GTC, "100", "99", NULL, {&B0, &GAPUP},
     {{0}}, 0, WORKING, "0", 0},
    {"lmt buy quiet not touched", C_PLAIN, BUY, LMT, GTC, "100", "99", NULL, {&B0, &QUIET},
     {{0}}, 0, WORKING, "0", 0},
    {"lmt sell no gap trades through", C_PLAIN, SELL, LMT, GTC, "100", "104", NULL, {&B0, &NOGAP},
     {{1, "100", "104", "0"}}, 1, FILLED, "100", 0},
    {"lmt sell gap up fills at open", C_PLAIN, SELL, LMT, GTC, "100", "104", NULL, {&B0, &GAPUP},
     {{1, "100", "110", "0"}}, 1, FILLED, "100", 0},
    {"lmt sell gap down not touched", C_PLAIN, SELL, LMT, GTC, "100", "104", NULL, {&B0, &GAPDN},
     {{0}}, 0, WORKING, "0", 0},
    {"lmt sell quiet not touched", C_PLAIN, SELL, LMT, GTC, "100", "104", NULL, {&B0, &QUIET},
     {{0}}, 0, WORKING, "0", 0},
    /* STOP_MARKET */
    {"stop buy no gap at stop", C_PLAIN, BUY, STP, GTC, "100", NULL, "104", {&B0, &NOGAP},
     {{1, "100", "104", "0"}}, 1, FILLED, "100", 1},
    {"stop buy gap up at open", C_PLAIN, BUY, STP, GTC, "100", NULL, "104", {&B0, &GAPUP},
     {{1, "100", "110", "0"}}, 1, FILLED, "100", 1},
    {"stop buy gap down not triggered", C_PLAIN, BUY, STP, GTC, "100", NULL, "104", {&B0, &GAPDN},
     {{0}}, 0, WORKING, "0", 0},
    {"stop buy quiet not triggered", C_PLAIN, BUY, STP, GTC, "100", NULL, "104", {&B0, &QUIET},
     {{0}}, 0, WORKING, "0", 0},
    {"stop sell no gap at stop", C_PLAIN, SELL, STP, GTC, "100", NULL, "98", {&B0, &NOGAP},
     {{1, "100", "98", "0"}}, 1, FILLED, "100", 1},
    {"stop sell gap down at open", C_PLAIN, SELL, STP, GTC, "100", NULL, "98", {&B0, &GAPDN},
     {{1, "100", "90", "0"}}, 1, FILLED, "100", 1},
    {"stop sell gap up not triggered", C_PLAIN, SELL, STP, GTC, "100", NULL, "98", {&B0, &GAPUP},
     {{0}}, 0, WORKING, "0", 0},
    {"stop sell quiet not triggered", C_PLAIN, SELL, STP, GTC, "100", NULL, "98", {&B0, &QUIET},
     {{0}}, 0, WORKING, "0", 0},
    /* STOP_LIMIT buy */
    {"stoplmt buy intrabar stop<=limit at stop", C_PLAIN, BUY, STL, GTC, "100", "106", "104",
     {&B0, &NOGAP}, {{1, "100", "104", "0"}}, 1, FILLED, "100", 1},
    {"stoplmt buy gap up above limit stays triggered", C_PLAIN, BUY, STL, GTC, "100", "106", "104",
     {&B0, &GAPUP}, {{0}}, 0, WORKING, "0", 1},
    {"stoplmt buy gap up then limit next bar", C_PLAIN, BUY, STL, GTC, "100", "106", "104",
     {&B0, &GAPUP, &B2}, {{2, "100", "102", "0"}}, 1, FILLED, "100", 1},
    {"stoplmt buy gap up open under limit", C_PLAIN, BUY, STL, GTC, "100", "111", "104",
     {&B0, &GAPUP}, {{1, "100", "110", "0"}}, 1, FILLED, "100", 1},
    {"stoplmt buy gap up low reaches limit", C_PLAIN, BUY, STL, GTC, "100", "109", "104",
     {&B0, &GAPUP}, {{1, "100", "109", "0"}}, 1, FILLED, "100", 1},
    {"stoplmt buy gap down not triggered", C_PLAIN, BUY, STL, GTC, "100", "106", "104",
     {&B0, &GAPDN}, {{0}}, 0, WORKING, "0", 0},
    {"stoplmt buy quiet not triggered", C_PLAIN, BUY, STL, GTC, "100", "106", "104",
     {&B0, &QUIET}, {{0}}, 0, WORKING, "0", 0},
    {"stoplmt buy intrabar stop>limit waits a bar", C_PLAIN, BUY, STL, GTC, "100", "103", "104",
     {&B0, &NOGAP, &B2}, {{2, "100", "102", "0"}}, 1, FILLED, "100", 1},
    /* STOP_LIMIT sell */
    {"stoplmt sell intrabar stop>=limit at stop", C_PLAIN, SELL, STL, GTC, "100", "96", "98",
     {&B0, &NOGAP}, {{1, "100", "98", "0"}}, 1, FILLED, "100", 1},
    {"stoplmt sell gap down below limit stays triggered", C_PLAIN, SELL, STL, GTC, "100", "96",
     "98", {&B0, &GAPDN}, {{0}}, 0, WORKING, "0", 1},
    {"stoplmt sell gap down open over limit", C_PLAIN, SELL, STL, GTC, "100", "89", "98",
     {&B0, &GAPDN}, {{1, "100", "90", "0"}}, 1, FILLED, "100", 1},
    {"stoplmt sell gap down high reaches limit", C_PLAIN, SELL, STL, GTC, "100", "91", "98",
     {&B0, &GAPDN}, {{1, "100", "91", "0"}}, 1, FILLED, "100", 1},
    {"stoplmt sell intrabar stop<limit no fill", C_PLAIN, SELL, STL, GTC, "100", "99", "98",
     {&B0, &NOGAP}, {{0}}, 0, WORKING, "0", 1},
    {"stoplmt sell gap up not triggered", C_PLAIN, SELL, STL, GTC, "100", "96", "98",
     {&B0, &GAPUP}, {{0}}, 0, WORKING, "0", 0},
    {"stoplmt sell quiet not triggered", C_PLAIN, SELL, STL, GTC, "100", "96", "98",
     {&B0, &QUIET}, {{0}}, 0, WORKING, "0", 0},
    /* slippage */
    {"slip 1% buy", C_SLIP1, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "102.01", "0"}}, 1, FILLED, "100", 0},
    {"slip 1% sell", C_SLIP1, SELL, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "99.99", "0"}}, 1, FILLED, "100", 0},
    {"slip 5% buy clamped to high", C_SLIP5, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "105", "0"}}, 1, FILLED, "100", 0},
    {"slip 5% sell clamped to low", C_SLIP5, SELL, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "97", "0"}}, 1, FILLED, "100", 0},
    {"slip 1% buy rounds up at 8 places", C_SLIP1, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &ODD},
     {{1, "100", "102.24691317", "0"}}, 1, FILLED, "100", 0},
    {"slip 1% sell rounds down at 8 places", C_SLIP1, SELL, MKT, GTC, "100", NULL, NULL,
     {&B0, &ODD}, {{1, "100", "100.22222181", "0"}}, 1, FILLED, "100", 0},
    {"slip 25bps buy", C_BPS25, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "101.2525", "0"}}, 1, FILLED, "100", 0},
    {"slip 25bps sell", C_BPS25, SELL, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "100.7475", "0"}}, 1, FILLED, "100", 0},
    {"slip 25bps buy tick rounds up", C_BPS25_TICK, BUY, MKT, GTC, "100", NULL, NULL,
     {&B0, &NOGAP}, {{1, "100", "101.26", "0"}}, 1, FILLED, "100", 0},
    {"slip 25bps sell tick rounds down", C_BPS25_TICK, SELL, MKT, GTC, "100", NULL, NULL,
     {&B0, &NOGAP}, {{1, "100", "100.74", "0"}}, 1, FILLED, "100", 0},
    {"slip never passes a limit", C_SLIP1, BUY, LMT, GTC, "100", "99", NULL, {&B0, &NOGAP},
     {{1, "100", "99", "0"}}, 1, FILLED, "100", 0},
    {"slip on gap fill clamped to high", C_SLIP5, BUY, LMT, GTC, "100", "99", NULL,
     {&B0, &GAPDN}, {{1, "100", "92", "0"}}, 1, FILLED, "100", 0},
    {"slip stop buy clamped to high", C_SLIP1, BUY, STP, GTC, "100", NULL, "104", {&B0, &NOGAP},
     {{1, "100", "105", "0"}}, 1, FILLED, "100", 1},
    {"slip stop sell gap down", C_SLIP1, SELL, STP, GTC, "100", NULL, "98", {&B0, &GAPDN},
     {{1, "100", "89.1", "0"}}, 1, FILLED, "100", 1},
    {"slip stoplmt sell within limit", C_SLIP1, SELL, STL, GTC, "100", "96", "98",
     {&B0, &NOGAP}, {{1, "100", "97.02", "0"}}, 1, FILLED, "100", 1},
    /* volume cap 1% */
    {"cap partial over three bars", C_CAP, BUY, MKT, GTC, "250", NULL, NULL,
     {&B0, &NOGAP, &B2, &B3},
     {{1, "100", "101", "0"}, {2, "100", "102", "0"}, {3, "50", "103", "0"}}, 3, FILLED, "250", 0},
    {"cap floors to lot 30", C_CAP_LOT30, BUY, MKT, GTC, "240", NULL, NULL,
     {&B0, &NOGAP, &B2, &B3},
     {{1, "90", "101", "0"}, {2, "90", "102", "0"}, {3, "30", "103", "0"}}, 3, PARTIAL, "210", 0},
    {"cap day order expires partial", C_CAP, BUY, MKT, DAY, "250", NULL, NULL,
     {&B0, &NOGAP, &B2}, {{1, "100", "101", "0"}}, 1, EXPIRED, "100", 0},
    {"cap limit rest not touched later", C_CAP, BUY, LMT, GTC, "150", "99", NULL,
     {&B0, &NOGAP, &B2, &B3}, {{1, "100", "99", "0"}}, 1, PARTIAL, "100", 0},
    {"cap stop rest fills at next open", C_CAP, BUY, STP, GTC, "150", NULL, "104",
     {&B0, &NOGAP, &B2}, {{1, "100", "104", "0"}, {2, "50", "102", "0"}}, 2, FILLED, "150", 1},
    {"cap zero volume fills nothing", C_CAP, BUY, MKT, GTC, "100", NULL, NULL,
     {&B0, &ZEROV, &NOGAP}, {{2, "100", "101", "0"}}, 1, FILLED, "100", 0},
    {"no cap zero volume fills", C_PLAIN, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &ZEROV},
     {{1, "100", "101", "0"}}, 1, FILLED, "100", 0},
    {"cap zero volume stop still triggers", C_CAP, SELL, STP, GTC, "100", NULL, "98",
     {&B0, &ZEROV, &B2}, {{2, "100", "102", "0"}}, 1, FILLED, "100", 1},
    /* commission */
    {"comm fraction", C_COMM_FRAC, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "101", "10.1"}}, 1, FILLED, "100", 0},
    {"comm fraction rounded to cents", C_COMM_FRAC, SELL, MKT, GTC, "33", NULL, NULL,
     {&B0, &NOGAP}, {{1, "33", "101", "3.33"}}, 1, FILLED, "33", 0},
    {"comm fraction tie to even down", C_COMM_FRAC_TIE, BUY, MKT, GTC, "10", NULL, NULL,
     {&B0, &NOGAP}, {{1, "10", "101", "0.5"}}, 1, FILLED, "10", 0},
    {"comm fraction tie to even up", C_COMM_FRAC_TIE, BUY, MKT, GTC, "30", NULL, NULL,
     {&B0, &NOGAP}, {{1, "30", "101", "1.52"}}, 1, FILLED, "30", 0},
    {"comm fraction 8 places on slipped price", C_COMM_FRAC8_BPS, BUY, MKT, GTC, "7", NULL, NULL,
     {&B0, &NOGAP}, {{1, "7", "101.2525", "0.08749735"}}, 1, FILLED, "7", 0},
    {"comm per share minimum", C_COMM_SHARE, BUY, MKT, GTC, "100", NULL, NULL, {&B0, &NOGAP},
     {{1, "100", "101", "1"}}, 1, FILLED, "100", 0},
    {"comm per share between", C_COMM_SHARE, BUY, MKT, GTC, "500", NULL, NULL, {&B0, &NOGAP},
     {{1, "500", "101", "2.5"}}, 1, FILLED, "500", 0},
    {"comm per share maximum", C_COMM_SHARE, SELL, MKT, GTC, "1000", NULL, NULL, {&B0, &NOGAP},
     {{1, "1000", "101", "4"}}, 1, FILLED, "1000", 0},
    {"comm fixed on first fill only", C_COMM_FIXED, BUY, MKT, GTC, "250", NULL, NULL,
     {&B0, &NOGAP, &B2, &B3},
     {{1, "100", "101", "9.99"}, {2, "100", "102", "0"}, {3, "50", "103", "0"}}, 3, FILLED, "250",
     0},
};

static void run_case(const struct sim_case *c)
{
    struct tc_sim *sim = new_sim(c->cfg);
    struct tc_error err = {0};
    struct rec r;
    struct tc_sim_order o = make_order("o1", c->side, c->type, c->tif, c->qty, c->limit, c->stop);
    struct tc_sim_order open[2];
    struct tc_dec comm_total = TC_DEC_ZERO;
    char what[160];
    size_t n;

    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    for (int k = 0; k < 4 && c->bars[k] != NULL; k++) {
        struct tc_bar b = make_bar(c->bars[k], day0() + k);
        tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    }
    if (r.n != c->nfills)
        fail_msg("%s: %d fills, want %d", c->name, r.n, c->nfills);
    for (int i = 0; i < r.n; i++) {
        const struct tc_sim_fill *f = &r.fills[i];
        char exec[32];
        snprintf(what, sizeof what, "%s fill %d", c->name, i + 1);
        if (f->day != day0() + c->fills[i].day)
            fail_msg("%s: day +%lld, want +%d", what, (long long)(f->day - day0()), c->fills[i].day);
        assert_dec(f->quantity, c->fills[i].qty, what);
        assert_dec(f->price, c->fills[i].price, what);
        assert_dec(f->commission, c->fills[i].comm, what);
        assert_string_equal(f->order_id, "o1");
        snprintf(exec, sizeof exec, "o1-F%d", i + 1);
        assert_string_equal(f->exec_id, exec);
        assert_int_equal(f->seq, (uint32_t)(i + 1));
        assert_int_equal(f->side, c->side);
        tc_dec_add(comm_total, f->commission, &comm_total);
    }
    n = tc_sim_open_orders(sim, open, 2);
    if (c->status == WORKING || c->status == PARTIAL) {
        assert_int_equal(n, 1);
        if (open[0].status != c->status)
            fail_msg("%s: status %d, want %d", c->name, open[0].status, c->status);
        snprintf(what, sizeof what, "%s filled", c->name);
        assert_dec(open[0].filled, c->filled, what);
        assert_int_equal(open[0].triggered, c->triggered);
        assert_int_equal(open[0].fills, (uint32_t)c->nfills);
        assert_int_equal(open[0].commission.raw, comm_total.raw);
    } else {
        /* finished orders leave the book */
        if (n != 0)
            fail_msg("%s: %zu open orders, want 0", c->name, n);
        if (c->status == EXPIRED) {
            assert_int_equal(r.nexp, 1);
            assert_string_equal(r.expired[0], "o1");
        } else {
            assert_int_equal(r.nexp, 0);
            assert_int_equal(r.status_at_fill[r.n - 1], TC_SIM_FILLED);
        }
    }
    tc_sim_free(sim);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

/* ---- DAY vs GTC ---- */

static void test_day_vs_gtc(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_PLAIN);
    struct tc_error err = {0};
    struct rec r;
    struct tc_sim_order day = make_order("day", BUY, LMT, DAY, "10", "99", NULL);
    struct tc_sim_order gtc = make_order("gtc", BUY, LMT, GTC, "10", "99", NULL);
    struct tc_sim_order open[4];
    struct tc_bar b;

    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_submit(sim, &day, &err), &err);
    tc_assert_ok(tc_sim_submit(sim, &gtc, &err), &err);
    /* the creation bar does not count as the DAY order's bar */
    b = make_bar(&NOGAP, day0());
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.nexp, 0);
    assert_int_equal(tc_sim_open_orders(sim, open, 4), 2);
    /* its one eligible bar does not touch the limit: it expires after it */
    b = make_bar(&QUIET, day0() + 1);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.nexp, 1);
    assert_string_equal(r.expired[0], "day");
    assert_int_equal(tc_sim_open_orders(sim, open, 4), 1);
    assert_string_equal(open[0].id, "gtc");
    /* the next bar trades through: only the GTC order fills */
    b = make_bar(&NOGAP, day0() + 2);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.fills[0].order_id, "gtc");
    assert_int_equal(r.fills[0].day, day0() + 2);
    assert_dec(r.fills[0].price, "99", "gtc price");
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), 0);
    tc_sim_free(sim);
}

static void test_day_close_expires_on_creation_bar(void **state)
{
    (void)state;
    struct tc_sim_config c = make_cfg(C_CLOSE);
    struct tc_sim *sim = NULL;
    struct tc_error err = {0};
    struct rec r;
    struct tc_sim_order o = make_order("c1", BUY, MKT, DAY, "250", NULL, NULL);
    struct tc_bar b = make_bar(&B0, day0());

    c.volume_cap = D("0.01");
    tc_assert_ok(tc_sim_new(&c, &sim, &err), &err);
    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.fills[0].day, day0());
    assert_dec(r.fills[0].quantity, "100", "close partial");
    assert_dec(r.fills[0].price, "101", "close price");
    assert_int_equal(r.status_at_fill[0], TC_SIM_PARTIAL);
    assert_int_equal(r.nexp, 1);
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), 0);
    tc_sim_free(sim);
}

/* ---- cancel ---- */

static void test_cancel(void **state)
{
    (void)state;
    struct tc_sim_config c = make_cfg(C_CAP);
    struct tc_sim *sim = NULL;
    struct tc_error err = {0};
    struct rec r;
    struct tc_sim_order a = make_order("a", BUY, MKT, GTC, "100", NULL, NULL);
    struct tc_sim_order bo = make_order("b", SELL, MKT, GTC, "300", NULL, NULL);
    struct tc_sim_order open[4], got;
    struct tc_bar b;

    tc_assert_ok(tc_sim_new(&c, &sim, &err), &err);
    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_submit(sim, &a, &err), &err);
    tc_assert_ok(tc_sim_submit(sim, &bo, &err), &err);
    tc_assert_ok(tc_sim_cancel(sim, "a", &got, &err), &err);
    assert_int_equal(got.status, TC_SIM_CANCELLED);
    assert_string_equal(got.id, "a");
    assert_int_equal(tc_sim_open_orders(sim, open, 4), 1);
    assert_string_equal(open[0].id, "b");
    /* a cancelled order never fills; the other takes the whole cap */
    b = make_bar(&NOGAP, day0() + 1);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.fills[0].order_id, "b");
    assert_dec(r.fills[0].quantity, "100", "b first fill");
    /* cancelling a partly filled order keeps its fills */
    tc_assert_ok(tc_sim_cancel(sim, "b", &got, &err), &err);
    assert_int_equal(got.status, TC_SIM_CANCELLED);
    assert_dec(got.filled, "100", "b filled");
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), 0);
    b = make_bar(&B2, day0() + 2);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 1);
    /* unknown and twice */
    assert_int_equal(tc_sim_cancel(sim, "b", NULL, &err), TC_ENOTFOUND);
    assert_contains(err.msg, "\"b\"");
    assert_int_equal(tc_sim_cancel(sim, "nope", NULL, &err), TC_ENOTFOUND);
    assert_contains(err.msg, "\"nope\"");
    assert_int_equal(tc_sim_cancel(sim, NULL, NULL, &err), TC_EINVAL);
    /* the id may be reused once the order has left the book */
    tc_assert_ok(tc_sim_submit(sim, &a, &err), &err);
    tc_assert_ok(tc_sim_get(sim, "a", &got, &err), &err);
    assert_int_equal(got.seq, 3);
    assert_int_equal(tc_sim_get(sim, "zz", &got, &err), TC_ENOTFOUND);
    assert_contains(err.msg, "\"zz\"");
    tc_sim_free(sim);
}

/* ---- no later bar, older bars, the same bar twice ---- */

static void test_no_later_bar_and_replays(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_CAP);
    struct tc_error err = {0};
    struct rec r;
    struct tc_sim_order o = make_order("o", BUY, MKT, GTC, "250", NULL, NULL);
    struct tc_sim_order got;
    struct tc_bar b;

    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    /* bars up to the creation day are not the order's: nothing fills */
    b = make_bar(&NOGAP, day0() - 1);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    b = make_bar(&B0, day0());
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 0);
    tc_assert_ok(tc_sim_get(sim, "o", &got, &err), &err);
    assert_int_equal(got.status, TC_SIM_WORKING);
    assert_int_equal(got.filled.raw, 0);
    /* another instrument's bar is not this order's */
    b = make_bar(&NOGAP, day0() + 1);
    tc_assert_ok(tc_sim_on_bar(sim, "NVDA", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 0);
    /* its bar, then the same bar again and an older one: one fill only */
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    b = make_bar(&B0, day0());
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 1);
    tc_assert_ok(tc_sim_get(sim, "o", &got, &err), &err);
    assert_dec(got.filled, "100", "after replay");
    assert_int_equal(got.last_day, day0() + 1);
    tc_sim_free(sim);
}

/* ---- shared cap, submission order, determinism ---- */

static void run_scenario(char *out, size_t cap)
{
    struct tc_sim *sim = new_sim(C_CAP);
    struct tc_error err = {0};
    struct rec r;
    const struct bar_text *seq[] = {&B0, &NOGAP, &B2, &B3, &GAPUP};
    struct tc_sim_order o;
    size_t len = 0;

    o = make_order("z-first", BUY, MKT, GTC, "80", NULL, NULL);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    o = make_order("a-second", SELL, MKT, GTC, "80", NULL, NULL);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    o = make_order("m-third", BUY, STP, GTC, "60", NULL, "104");
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    o = make_order("n-other", BUY, MKT, GTC, "10", NULL, NULL);
    snprintf(o.instrument, sizeof o.instrument, "NVDA");
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    out[0] = '\0';
    for (int k = 0; k < 5; k++) {
        struct tc_bar b = make_bar(seq[k], day0() + k);
        memset(&r, 0, sizeof r);
        tc_assert_ok(tc_sim_on_bar(sim, "NVDA", &b, record, &r, &err), &err);
        tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
        for (int i = 0; i < r.n; i++) {
            char q[TC_DEC_STRLEN], p[TC_DEC_STRLEN];
            tc_dec_format(r.fills[i].quantity, q, sizeof q);
            tc_dec_format(r.fills[i].price, p, sizeof p);
            len += (size_t)snprintf(out + len, cap - len, "%s %lld %s %s\n", r.fills[i].exec_id,
                                    (long long)(r.fills[i].day - day0()), q, p);
        }
    }
    tc_sim_free(sim);
}

static void test_shared_cap_and_determinism(void **state)
{
    (void)state;
    char a[2048], b[2048];
    /* Cap 100 a bar (10000 * 1%), taken in submission order by buys and sells. */
    run_scenario(a, sizeof a);
    run_scenario(b, sizeof b);
    assert_string_equal(a, b);
    /* day 1 (cap 100): NVDA 10; ORCL z 80, a 20, m triggers at 104 but the
     * cap is used up. day 2 (cap 100): a 60 at 102, m (triggered) 40 at 102.
     * day 3 (cap 50): m 20 at 103. */
    assert_string_equal(a, "n-other-F1 1 10 101\n"
                           "z-first-F1 1 80 101\n"
                           "a-second-F1 1 20 101\n"
                           "a-second-F2 2 60 102\n"
                           "m-third-F1 2 40 102\n"
                           "m-third-F2 3 20 103\n");
}

/* ---- instrument tick and lot ---- */

static void test_instrument_tick_lot(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_PLAIN);
    struct tc_error err = {0};
    struct tc_sim_order o, got;

    tc_assert_ok(tc_sim_set_instrument(sim, "ORCL", D("0.05"), D("10"), &err), &err);
    o = make_order("t1", BUY, LMT, GTC, "15", "99", NULL);
    assert_int_equal(tc_sim_submit(sim, &o, &err), TC_EINVAL);
    assert_contains(err.msg, "quantity 15 is not a multiple of lot 10");
    o = make_order("t1", BUY, LMT, GTC, "20", "99.01", NULL);
    assert_int_equal(tc_sim_submit(sim, &o, &err), TC_EINVAL);
    assert_contains(err.msg, "limit 99.01 is not a multiple of tick 0.05");
    o = make_order("t1", BUY, STP, GTC, "20", NULL, "99.02");
    assert_int_equal(tc_sim_submit(sim, &o, &err), TC_EINVAL);
    assert_contains(err.msg, "stop 99.02 is not a multiple of tick 0.05");
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), 0);
    /* the order's own tick and lot win */
    o = make_order("t1", BUY, LMT, GTC, "15", "99.01", NULL);
    o.tick = D("0.01");
    o.lot = D("5");
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    tc_assert_ok(tc_sim_get(sim, "t1", &got, &err), &err);
    assert_dec(got.tick, "0.01", "own tick");
    assert_dec(got.lot, "5", "own lot");
    o = make_order("t2", BUY, LMT, GTC, "20", "99.05", NULL);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    tc_assert_ok(tc_sim_get(sim, "t2", &got, &err), &err);
    assert_dec(got.tick, "0.05", "instrument tick");
    assert_dec(got.lot, "10", "instrument lot");
    /* replacing the instrument's values */
    tc_assert_ok(tc_sim_set_instrument(sim, "ORCL", D("0.01"), D("0"), &err), &err);
    o = make_order("t3", BUY, LMT, GTC, "7", "99.03", NULL);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    /* bad instrument settings */
    assert_int_equal(tc_sim_set_instrument(sim, "OR CL", D("0.01"), D("1"), &err), TC_EINVAL);
    assert_contains(err.msg, "instrument id");
    assert_int_equal(tc_sim_set_instrument(sim, "ORCL", D("-0.01"), D("1"), &err), TC_EINVAL);
    assert_contains(err.msg, "tick -0.01 is negative");
    assert_int_equal(tc_sim_set_instrument(sim, "ORCL", D("0.01"), D("-1"), &err), TC_EINVAL);
    assert_contains(err.msg, "lot -1 is negative");
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), 3);
    tc_sim_free(sim);
}

/* ---- bad orders ---- */

enum mutation {
    M_QTY_ZERO,
    M_QTY_NEG,
    M_LIMIT_MISSING,
    M_LIMIT_NEG,
    M_LIMIT_ON_MARKET,
    M_STOP_MISSING,
    M_STOP_NEG,
    M_STOP_ON_LIMIT,
    M_STOPLMT_NO_LIMIT,
    M_STOPLMT_NO_STOP,
    M_TYPE_UNKNOWN,
    M_SIDE_UNKNOWN,
    M_TIF_UNKNOWN,
    M_ID_EMPTY,
    M_ID_BAD_CHAR,
    M_ID_UNTERMINATED,
    M_INSTRUMENT_EMPTY,
    M_INSTRUMENT_UNTERMINATED,
    M_DUPLICATE,
    M_TICK_NEG,
    M_LOT_NEG,
    M_QTY_HUGE_LOT
};

struct bad_order {
    enum mutation m;
    int code;
    const char *msg;
};

static const struct bad_order bad_orders[] = {
    {M_QTY_ZERO, TC_EINVAL, "order \"x\": quantity 0 is not positive"},
    {M_QTY_NEG, TC_EINVAL, "order \"x\": quantity -5 is not positive"},
    {M_LIMIT_MISSING, TC_EINVAL, "order \"x\": limit 0 is missing"},
    {M_LIMIT_NEG, TC_EINVAL, "order \"x\": limit -1 is not positive"},
    {M_LIMIT_ON_MARKET, TC_EINVAL, "order \"x\": limit 99 is not allowed"},
    {M_STOP_MISSING, TC_EINVAL, "order \"x\": stop 0 is missing"},
    {M_STOP_NEG, TC_EINVAL, "order \"x\": stop -2 is not positive"},
    {M_STOP_ON_LIMIT, TC_EINVAL, "order \"x\": stop 98 is not allowed"},
    {M_STOPLMT_NO_LIMIT, TC_EINVAL, "order \"x\": limit 0 is missing"},
    {M_STOPLMT_NO_STOP, TC_EINVAL, "order \"x\": stop 0 is missing"},
    {M_TYPE_UNKNOWN, TC_EINVAL, "order \"x\": type 9 is unknown"},
    {M_SIDE_UNKNOWN, TC_EINVAL, "order \"x\": side 7 is unknown"},
    {M_TIF_UNKNOWN, TC_EINVAL, "order \"x\": tif -1 is unknown"},
    {M_ID_EMPTY, TC_EINVAL, "order id \"\" is empty"},
    {M_ID_BAD_CHAR, TC_EINVAL, "order id \"a b\" has a character"},
    {M_ID_UNTERMINATED, TC_EINVAL, "order id is longer than 64 characters"},
    {M_INSTRUMENT_EMPTY, TC_EINVAL, "order \"x\": instrument id \"\" is empty"},
    {M_INSTRUMENT_UNTERMINATED, TC_EINVAL, "order \"x\": instrument is longer than 64"},
    {M_DUPLICATE, TC_ECONFLICT, "order \"keep\": id is already working"},
    {M_TICK_NEG, TC_EINVAL, "order \"x\": tick -0.01 is negative"},
    {M_LOT_NEG, TC_EINVAL, "order \"x\": lot -1 is negative"},
    {M_QTY_HUGE_LOT, TC_EINVAL, "order \"x\": quantity 92233720368 is not a multiple of lot 100"},
};

static void test_bad_orders(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_orders / sizeof bad_orders[0]; i++) {
        const struct bad_order *t = &bad_orders[i];
        struct tc_sim *sim = new_sim(C_PLAIN);
        struct tc_error err = {0};
        struct tc_sim_order keep = make_order("keep", BUY, LMT, GTC, "10", "99", NULL);
        struct tc_sim_order o = make_order("x", BUY, MKT, GTC, "10", NULL, NULL);
        struct tc_sim_order open[2];
        struct rec r;

        tc_assert_ok(tc_sim_submit(sim, &keep, &err), &err);
        switch (t->m) {
        case M_QTY_ZERO: o.quantity = D("0"); break;
        case M_QTY_NEG: o.quantity = D("-5"); break;
        case M_LIMIT_MISSING: o.type = LMT; break;
        case M_LIMIT_NEG: o.type = LMT; o.limit = D("-1"); break;
        case M_LIMIT_ON_MARKET: o.limit = D("99"); break;
        case M_STOP_MISSING: o.type = STP; break;
        case M_STOP_NEG: o.type = STP; o.stop = D("-2"); break;
        case M_STOP_ON_LIMIT: o.type = LMT; o.limit = D("99"); o.stop = D("98"); break;
        case M_STOPLMT_NO_LIMIT: o.type = STL; o.stop = D("98"); break;
        case M_STOPLMT_NO_STOP: o.type = STL; o.limit = D("98"); break;
        case M_TYPE_UNKNOWN: o.type = (enum tc_sim_type)9; break;
        case M_SIDE_UNKNOWN: o.side = (enum tc_sim_side)7; break;
        case M_TIF_UNKNOWN: o.tif = (enum tc_sim_tif)-1; break;
        case M_ID_EMPTY: o.id[0] = '\0'; break;
        case M_ID_BAD_CHAR: snprintf(o.id, sizeof o.id, "a b"); break;
        case M_ID_UNTERMINATED: memset(o.id, 'a', sizeof o.id); break;
        case M_INSTRUMENT_EMPTY: o.instrument[0] = '\0'; break;
        case M_INSTRUMENT_UNTERMINATED: memset(o.instrument, 'I', sizeof o.instrument); break;
        case M_DUPLICATE: snprintf(o.id, sizeof o.id, "keep"); break;
        case M_TICK_NEG: o.tick = D("-0.01"); break;
        case M_LOT_NEG: o.lot = D("-1"); break;
        case M_QTY_HUGE_LOT: o.quantity = D("92233720368"); o.lot = D("100"); break;
        }
        int rc = tc_sim_submit(sim, &o, &err);
        if (rc != t->code)
            fail_msg("bad order %zu: got %s, want %s (%s)", i, tc_strerror_name(rc),
                     tc_strerror_name(t->code), err.msg);
        assert_contains(err.msg, t->msg);
        /* nothing changed: the book holds only "keep", untouched, which still fills */
        assert_int_equal(tc_sim_open_orders(sim, open, 2), 1);
        assert_string_equal(open[0].id, "keep");
        assert_int_equal(open[0].seq, 1);
        memset(&r, 0, sizeof r);
        struct tc_bar b = make_bar(&NOGAP, day0() + 1);
        tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
        assert_int_equal(r.n, 1);
        assert_string_equal(r.fills[0].order_id, "keep");
        tc_sim_free(sim);
    }
    assert_int_equal(tc_sim_submit(NULL, NULL, NULL), TC_EINVAL);
}

/* ---- bad configurations ---- */

struct bad_cfg {
    const char *field;
    const char *value;
    const char *msg;
};

static const struct bad_cfg bad_cfgs[] = {
    {"fill_at", "5", "fill_at 5 is unknown"},
    {"slippage", "9", "slippage model 9 is unknown"},
    {"slip_fraction", "-0.01", "slippage_value -0.01 is negative"},
    {"slip_fraction", "1", "slippage_value 1 is not below 1"},
    {"slip_bps", "10000", "slippage_value 10000 bps is not below 10000"},
    {"slip_bps", "0.00001", "slippage_value 0.00001 bps is finer than 0.0001 bps"},
    {"volume_cap", "-0.5", "volume_cap -0.5 is negative"},
    {"volume_cap", "1.5", "volume_cap 1.5 is above 1"},
    {"commission", "4", "commission model 4 is unknown"},
    {"comm_rate", "-0.001", "comm_rate -0.001 is negative"},
    {"comm_fraction", "1", "comm_rate 1 is not below 1 (a fraction of the traded value)"},
    {"comm_fraction", "2.5", "comm_rate 2.5 is not below 1"},
    {"comm_min", "-1", "comm_min -1 is negative"},
    {"comm_max", "-1", "comm_max -1 is negative"},
    {"comm_fixed", "-9.99", "comm_fixed -9.99 is negative"},
    {"comm_min_max", "5", "comm_min 5 is above comm_max 4"},
    {"commission_places", "9", "commission_places 9 is outside 0..8"},
    {"commission_places", "-1", "commission_places -1 is outside 0..8"},
    {"tick", "-0.01", "tick -0.01 is negative"},
    {"lot", "-1", "lot -1 is negative"},
};

static void test_bad_configs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cfgs / sizeof bad_cfgs[0]; i++) {
        const struct bad_cfg *t = &bad_cfgs[i];
        struct tc_sim_config c;
        struct tc_sim *sim = (struct tc_sim *)&c; /* must stay untouched */
        struct tc_sim *const before = sim;
        struct tc_error err = {0};
        int iv = (int)strtol(t->value, NULL, 10);

        tc_sim_config_init(&c);
        if (strcmp(t->field, "fill_at") == 0)
            c.fill_at = (enum tc_sim_fill_at)iv;
        else if (strcmp(t->field, "slippage") == 0)
            c.slippage = (enum tc_sim_slippage)iv;
        else if (strcmp(t->field, "slip_fraction") == 0) {
            c.slippage = TC_SIM_SLIP_FRACTION;
            c.slippage_value = D(t->value);
        } else if (strcmp(t->field, "slip_bps") == 0) {
            c.slippage = TC_SIM_SLIP_BPS;
            c.slippage_value = D(t->value);
        } else if (strcmp(t->field, "volume_cap") == 0)
            c.volume_cap = D(t->value);
        else if (strcmp(t->field, "commission") == 0)
            c.commission = (enum tc_sim_commission)iv;
        else if (strcmp(t->field, "comm_rate") == 0)
            c.comm_rate = D(t->value);
        else if (strcmp(t->field, "comm_fraction") == 0) {
            c.commission = TC_SIM_COMM_FRACTION;
            c.comm_rate = D(t->value);
        } else if (strcmp(t->field, "comm_min") == 0)
            c.comm_min = D(t->value);
        else if (strcmp(t->field, "comm_max") == 0)
            c.comm_max = D(t->value);
        else if (strcmp(t->field, "comm_fixed") == 0)
            c.comm_fixed = D(t->value);
        else if (strcmp(t->field, "comm_min_max") == 0) {
            c.commission = TC_SIM_COMM_PER_SHARE;
            c.comm_min = D(t->value);
            c.comm_max = D("4");
        } else if (strcmp(t->field, "commission_places") == 0)
            c.commission_places = iv;
        else if (strcmp(t->field, "tick") == 0)
            c.tick = D(t->value);
        else if (strcmp(t->field, "lot") == 0)
            c.lot = D(t->value);
        else
            fail_msg("unknown field %s", t->field);
        int rc = tc_sim_new(&c, &sim, &err);
        if (rc != TC_EINVAL)
            fail_msg("bad config %s=%s: got %s", t->field, t->value, tc_strerror_name(rc));
        assert_contains(err.msg, t->msg);
        assert_ptr_equal(sim, before);
    }
    struct tc_sim *sim = NULL;
    struct tc_error err = {0};
    assert_int_equal(tc_sim_new(NULL, &sim, &err), TC_EINVAL);
    assert_null(sim);
    /* the limits themselves are accepted */
    struct tc_sim_config c;
    tc_sim_config_init(&c);
    c.volume_cap = D("1");
    c.slippage = TC_SIM_SLIP_BPS;
    c.slippage_value = D("9999.9999");
    c.commission_places = 0;
    c.commission = TC_SIM_COMM_FRACTION;
    c.comm_rate = D("0.99999999");
    tc_assert_ok(tc_sim_new(&c, &sim, &err), &err);
    tc_sim_free(sim);
    /* a rate per share is money, not a fraction: 1 and above are fine */
    c.commission = TC_SIM_COMM_PER_SHARE;
    c.comm_rate = D("2.5");
    tc_assert_ok(tc_sim_new(&c, &sim, &err), &err);
    tc_sim_free(sim);
    tc_sim_free(NULL);
}

/* ---- bad bars ---- */

struct bad_bar {
    struct bar_text bar;
    const char *msg;
};

static const struct bad_bar bad_bars[] = {
    {{"101", "105", "106", "103", 10}, "low 106 is above high 105"},
    {{"110", "105", "97", "103", 10}, "open 110 is outside [low, high]"},
    {{"101", "105", "97", "96", 10}, "close 96 is outside [low, high]"},
    {{"101", "105", "97", "103", -1}, "volume -1 is negative"},
    {{"0", "105", "97", "103", 10}, "prices must be positive"},
    {{"-1", "105", "-2", "103", 10}, "prices must be positive"},
};

static void test_bad_bars(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_PLAIN);
    struct tc_error err = {0};
    struct tc_sim_order o = make_order("o", BUY, MKT, GTC, "10", NULL, NULL), got;
    struct rec r;

    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    for (size_t i = 0; i < sizeof bad_bars / sizeof bad_bars[0]; i++) {
        struct tc_bar b = make_bar(&bad_bars[i].bar, day0() + 1);
        assert_int_equal(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), TC_EINVAL);
        assert_contains(err.msg, bad_bars[i].msg);
        assert_contains(err.msg, "instrument \"ORCL\" bar 2024-01-03");
        assert_int_equal(r.n, 0);
        tc_assert_ok(tc_sim_get(sim, "o", &got, &err), &err);
        assert_int_equal(got.last_day, INT64_MIN);
        assert_int_equal(got.status, TC_SIM_WORKING);
    }
    struct tc_bar b = make_bar(&NOGAP, day0() + 1);
    assert_int_equal(tc_sim_on_bar(sim, NULL, &b, record, &r, &err), TC_EINVAL);
    assert_int_equal(tc_sim_on_bar(sim, "ORCL", NULL, record, &r, &err), TC_EINVAL);
    /* the good bar still fills afterwards */
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 1);
    tc_sim_free(sim);
}

/* A series of good bars with bad bar I (of bad_bars) written into its
 * columns at AT (past tc_bar_series_append's check). */
static void series_with_bad(struct tc_bar_series *s, size_t n, size_t i, size_t at)
{
    struct tc_error err = {0};
    tc_bar_series_init(s, "ORCL");
    for (size_t k = 0; k < n; k++) {
        struct tc_bar b = make_bar(&NOGAP, day0() + (int64_t)k);
        tc_assert_ok(tc_bar_series_append(s, &b, &err), &err);
    }
    struct tc_bar b = make_bar(&bad_bars[i].bar, day0() + (int64_t)at);
    s->open[at] = b.open;
    s->high[at] = b.high;
    s->low[at] = b.low;
    s->close[at] = b.close;
    s->volume[at] = b.volume;
}

/* tc_sim_series_ok finds the first bar tc_sim_bar_ok refuses in a range of
 * the columns: every rule, at the range's first, middle and last bar; a
 * range before or after it, or empty, is good (its end). */
static void test_series_ok(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_bars / sizeof bad_bars[0]; i++) {
        struct tc_bar_series s;
        struct tc_bar b;
        series_with_bad(&s, 8, i, 4);
        tc_bar_series_get(&s, 4, &b);
        assert_int_equal(tc_sim_bar_ok(&b), 0);
        tc_bar_series_get(&s, 3, &b);
        assert_int_equal(tc_sim_bar_ok(&b), 1);
        assert_int_equal(tc_sim_series_ok(&s, 0, 8), 4);
        assert_int_equal(tc_sim_series_ok(&s, 4, 8), 4);
        assert_int_equal(tc_sim_series_ok(&s, 2, 5), 4);
        assert_int_equal(tc_sim_series_ok(&s, 0, 4), 4);
        assert_int_equal(tc_sim_series_ok(&s, 5, 8), 8);
        assert_int_equal(tc_sim_series_ok(&s, 4, 4), 4);
        assert_int_equal(tc_sim_series_ok(&s, 8, 8), 8);
        tc_bar_series_release(&s);
    }
    /* a series without a bad bar: the range's end */
    {
        struct tc_bar_series s;
        struct tc_error err = {0};
        tc_bar_series_init(&s, "ORCL");
        for (size_t k = 0; k < 3; k++) {
            struct tc_bar b = make_bar(&NOGAP, day0() + (int64_t)k);
            tc_assert_ok(tc_bar_series_append(&s, &b, &err), &err);
        }
        assert_int_equal(tc_sim_series_ok(&s, 0, 3), 3);
        assert_int_equal(tc_sim_series_ok(&s, 1, 2), 2);
        tc_bar_series_release(&s);
    }
}

/* Raw bars at the edges of tc_sim_bar_ok's rule, whose differences wrap
 * around in 64 bits where a price is negative: OK is the rule's verdict. */
static const struct raw_bar {
    int64_t o, h, l, c, v;
    int ok;
} raw_bars[] = {
    {INT64_MIN, 10500000000, 9700000000, 10300000000, 10, 0}, /* open - low wraps */
    {10100000000, INT64_MIN, 9700000000, 10300000000, 10, 0},
    {10100000000, 10500000000, INT64_MIN, 10300000000, 10, 0}, /* low - 1 wraps */
    {10100000000, 10500000000, 9700000000, INT64_MIN, 10, 0},  /* close - low wraps */
    {10100000000, 10500000000, 9700000000, 10300000000, INT64_MIN, 0},
    {1, INT64_MAX, 1, 1, 0, 1},
    {INT64_MAX, INT64_MAX, 1, INT64_MAX, INT64_MAX, 1},
    {1, 1, 1, 1, 0, 1},
    {1, 1, 0, 1, 0, 0},
    {0, 0, 0, 0, 0, 0},
    {5, 3, 4, 4, 0, 0},   /* low above high, open above high */
    {4, 4, 5, 4, 0, 0},   /* low above high, open and close below it */
    {2, 3, 1, 4, 0, 0},   /* close above high */
    {2, 3, 2, 1, 0, 0},   /* close below low */
    {INT64_MAX, INT64_MAX - 1, 1, 1, 0, 0},
    {-1, -1, -1, -1, 0, 0},
};

/* tc_sim_series_scan (and tc_sim_series_ok, the same pass, and the scan at
 * each width: bar by bar, SSE2, AVX2) against the rule bar by bar: ranges of 0 to 40 bars from several first bars, a bad bar
 * (each of bad_bars and raw_bars) at every place or none, a second one
 * after it; the result is the first refused bar, and the closes of the
 * whole range (refused bars and those after them too) are added to the sum
 * given, modulo 2^64. */
static void test_series_scan(void **state)
{
    (void)state;
    const size_t nbad = sizeof bad_bars / sizeof bad_bars[0],
                 nraw = sizeof raw_bars / sizeof raw_bars[0];
    for (size_t kind = 0; kind < nbad + nraw; kind++) {
        if (kind >= nbad)
            assert_int_equal(raw_bars[kind - nbad].ok,
                             tc_sim_bar_ok(&(struct tc_bar){
                                 0, {raw_bars[kind - nbad].o}, {raw_bars[kind - nbad].h},
                                 {raw_bars[kind - nbad].l}, {raw_bars[kind - nbad].c},
                                 {raw_bars[kind - nbad].c}, raw_bars[kind - nbad].v, 0}));
        for (size_t n = 0; n <= 40; n++)
            for (long at = -1; at < (long)n; at++)
                for (size_t second = 0; second < 2; second++) {
                    struct tc_bar_series s;
                    struct tc_error err = {0};
                    tc_bar_series_init(&s, "ORCL");
                    for (size_t k = 0; k < n; k++) {
                        struct tc_bar b = make_bar(&NOGAP, day0() + (int64_t)k);
                        b.close.raw += (int64_t)k * 7; /* each close its own */
                        b.high.raw += (int64_t)k * 7;
                        tc_assert_ok(tc_bar_series_append(&s, &b, &err), &err);
                    }
                    for (long place = at; place >= 0 && place < (long)n;
                         place = second ? place + 3 : -1) {
                        const size_t p = (size_t)place;
                        if (kind < nbad) {
                            struct tc_bar b = make_bar(&bad_bars[kind].bar, day0());
                            s.open[p] = b.open;
                            s.high[p] = b.high;
                            s.low[p] = b.low;
                            s.close[p] = b.close;
                            s.volume[p] = b.volume;
                        } else {
                            const struct raw_bar *rb = &raw_bars[kind - nbad];
                            s.open[p].raw = rb->o;
                            s.high[p].raw = rb->h;
                            s.low[p].raw = rb->l;
                            s.close[p].raw = rb->c;
                            s.volume[p] = rb->v;
                        }
                    }
                    for (size_t from = 0; from <= n && from <= 11; from++) {
                        uint64_t sum = 12345, want_sum = 12345;
                        size_t want = n;
                        for (size_t k = from; k < n; k++) {
                            struct tc_bar b;
                            tc_bar_series_get(&s, k, &b);
                            if (want == n && !tc_sim_bar_ok(&b))
                                want = k;
                            want_sum += (uint64_t)s.close[k].raw;
                        }
                        int level_ok = 1;
                        for (int level = 0; level <= 2; level++) {
                            uint64_t ls = 12345;
                            level_ok &= tc__sim_series_scan_level(&s, from, n, &ls, level) ==
                                            want && ls == want_sum;
                        }
                        if (tc_sim_series_scan(&s, from, n, &sum) != want || !level_ok ||
                            sum != want_sum || tc_sim_series_ok(&s, from, n) != want)
                            fail_msg("kind %zu, %zu bars, bad at %ld (second %zu), from %zu: "
                                     "got %zu (sum %llu), want %zu (sum %llu)",
                                     kind, n, at, second, from,
                                     tc_sim_series_scan(&s, from, n, &(uint64_t){0}),
                                     (unsigned long long)sum, want,
                                     (unsigned long long)want_sum);
                    }
                    tc_bar_series_release(&s);
                }
    }
}

/* A bar matches only its instrument's orders, whether the book is small
 * (compared by name) or not (filtered by hash first): with two and with
 * three working orders, ORCL's bar fills only ORCL's and NVDA's only NVDA's. */
static void test_bar_matches_its_instrument(void **state)
{
    (void)state;
    for (int three = 0; three < 2; three++) {
        struct tc_sim *sim = new_sim(C_PLAIN);
        struct tc_error err = {0};
        struct tc_sim_order o;
        struct rec r;
        struct tc_bar b = make_bar(&NOGAP, day0() + 1);

        o = make_order("o-orcl", BUY, MKT, GTC, "10", NULL, NULL);
        tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
        o = make_order("o-nvda", BUY, MKT, GTC, "20", NULL, NULL);
        snprintf(o.instrument, sizeof o.instrument, "NVDA");
        tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
        if (three) {
            o = make_order("o-ibm", BUY, MKT, GTC, "30", NULL, NULL);
            snprintf(o.instrument, sizeof o.instrument, "IBM");
            tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
        }
        memset(&r, 0, sizeof r);
        tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
        assert_int_equal(r.n, 1);
        assert_string_equal(r.fills[0].order_id, "o-orcl");
        memset(&r, 0, sizeof r);
        tc_assert_ok(tc_sim_on_bar(sim, "ORC", &b, record, &r, &err), &err);
        assert_int_equal(r.n, 0);
        tc_assert_ok(tc_sim_on_bar(sim, "NVDA", &b, record, &r, &err), &err);
        assert_int_equal(r.n, 1);
        assert_string_equal(r.fills[0].order_id, "o-nvda");
        assert_dec(r.fills[0].quantity, "20", "nvda quantity");
        tc_sim_free(sim);
    }
}

/* Instrument ids of every length 1..64 that differ in one byte (at every
 * place), three working orders (the book filters by a hash of the id): a
 * bar fills its own instrument's order only, and an id one byte shorter or
 * longer none. */
static void test_bar_matches_ids_of_every_length(void **state)
{
    (void)state;
    for (size_t len = 1; len < TC_INSTRUMENT_ID_MAX; len++)
        for (size_t at = 0; at < len; at++) {
            struct tc_sim *sim = new_sim(C_PLAIN);
            struct tc_error err = {0};
            struct rec r;
            struct tc_bar b = make_bar(&NOGAP, day0() + 1);
            char ids[3][TC_INSTRUMENT_ID_MAX], other[TC_INSTRUMENT_ID_MAX + 1];
            for (int k = 0; k < 3; k++) {
                struct tc_sim_order o = make_order("", BUY, MKT, GTC, "10", NULL, NULL);
                memset(ids[k], 'A', len);
                ids[k][len] = '\0';
                ids[k][at] = (char)('A' + k);
                snprintf(o.id, sizeof o.id, "o%d", k);
                memcpy(o.instrument, ids[k], len + 1);
                tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
            }
            memset(&r, 0, sizeof r);
            memcpy(other, ids[1], len + 1);
            other[len - 1] = '\0';
            tc_assert_ok(tc_sim_on_bar(sim, other, &b, record, &r, &err), &err);
            memcpy(other, ids[1], len);
            other[len] = 'A';
            other[len + 1] = '\0';
            if (len + 1 < TC_INSTRUMENT_ID_MAX)
                tc_assert_ok(tc_sim_on_bar(sim, other, &b, record, &r, &err), &err);
            assert_int_equal(r.n, 0);
            tc_assert_ok(tc_sim_on_bar(sim, ids[1], &b, record, &r, &err), &err);
            assert_int_equal(r.n, 1);
            assert_string_equal(r.fills[0].order_id, "o1");
            tc_assert_ok(tc_sim_on_bar(sim, ids[2], &b, record, &r, &err), &err);
            assert_int_equal(r.n, 2);
            assert_string_equal(r.fills[1].order_id, "o2");
            tc_sim_free(sim);
        }
}

/* ---- overflow ---- */

static void test_overflow_leaves_order(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_PLAIN);
    struct tc_error err = {0};
    struct tc_sim_order o = make_order("big", BUY, MKT, GTC, "90000000000", NULL, NULL), got;
    struct tc_bar b = make_bar(&NOGAP, day0() + 1);
    struct rec r;

    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    assert_int_equal(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), TC_ERANGE);
    assert_contains(err.msg, "order \"big\": fill amount out of range");
    assert_int_equal(r.n, 0);
    tc_assert_ok(tc_sim_get(sim, "big", &got, &err), &err);
    assert_int_equal(got.status, TC_SIM_WORKING);
    assert_int_equal(got.filled.raw, 0);
    assert_int_equal(got.last_day, INT64_MIN);
    tc_sim_free(sim);
}

/* ---- callbacks ---- */

struct reenter {
    struct tc_sim *sim;
    int rc_submit, rc_cancel, rc_bar, calls;
};

static int reenter_cb(void *ud, const struct tc_sim_event *ev)
{
    struct reenter *x = ud;
    struct tc_sim_order o = make_order("inner", BUY, MKT, GTC, "1", NULL, NULL);
    struct tc_bar b = make_bar(&B2, day0() + 2);
    struct tc_error err = {0};
    (void)ev;
    x->calls++;
    x->rc_submit = tc_sim_submit(x->sim, &o, &err);
    x->rc_cancel = tc_sim_cancel(x->sim, "o", NULL, &err);
    x->rc_bar = tc_sim_on_bar(x->sim, "ORCL", &b, NULL, NULL, &err);
    return 0;
}

static void test_callback_cannot_reenter(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_CAP);
    struct tc_error err = {0};
    struct tc_sim_order o = make_order("o", BUY, MKT, GTC, "150", NULL, NULL), got;
    struct tc_bar b = make_bar(&NOGAP, day0() + 1);
    struct reenter x = {sim, 0, 0, 0, 0};

    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, reenter_cb, &x, &err), &err);
    assert_int_equal(x.calls, 1);
    assert_int_equal(x.rc_submit, TC_EBUSY);
    assert_int_equal(x.rc_cancel, TC_EBUSY);
    assert_int_equal(x.rc_bar, TC_EBUSY);
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), 1);
    tc_assert_ok(tc_sim_get(sim, "o", &got, &err), &err);
    assert_dec(got.filled, "100", "filled once");
    /* after the bar, the simulator accepts calls again */
    tc_assert_ok(tc_sim_cancel(sim, "o", NULL, &err), &err);
    tc_sim_free(sim);
}

struct failing {
    int calls;
    int fail_at;
    int rc;
};

static int failing_cb(void *ud, const struct tc_sim_event *ev)
{
    struct failing *f = ud;
    (void)ev;
    return ++f->calls == f->fail_at ? f->rc : 0;
}

static void test_callback_failure_stops_bar(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_PLAIN);
    struct tc_error err = {0};
    struct tc_sim_order o1 = make_order("o1", BUY, MKT, GTC, "10", NULL, NULL);
    struct tc_sim_order o2 = make_order("o2", SELL, MKT, DAY, "10", NULL, NULL);
    struct tc_sim_order o3 = make_order("o3", BUY, LMT, DAY, "10", "50", NULL);
    struct tc_sim_order got;
    struct tc_bar b = make_bar(&NOGAP, day0() + 1);
    struct failing f = {0, 1, TC_EIO};
    struct rec r;

    tc_assert_ok(tc_sim_submit(sim, &o1, &err), &err);
    tc_assert_ok(tc_sim_submit(sim, &o2, &err), &err);
    tc_assert_ok(tc_sim_submit(sim, &o3, &err), &err);
    assert_int_equal(tc_sim_on_bar(sim, "ORCL", &b, failing_cb, &f, &err), TC_EIO);
    assert_contains(err.msg, "order \"o1\": event callback failed");
    assert_int_equal(f.calls, 1);
    /* o1's fill stands and it left the book; o2 and o3 have not seen the bar */
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), 2);
    assert_int_equal(tc_sim_get(sim, "o1", &got, &err), TC_ENOTFOUND);
    /* feeding the bar again processes only o2 and o3: o2 fills, o3 expires */
    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.fills[0].order_id, "o2");
    assert_int_equal(r.nexp, 1);
    assert_string_equal(r.expired[0], "o3");
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), 0);
    tc_sim_free(sim);

    /* a positive return is an internal error */
    sim = new_sim(C_PLAIN);
    tc_assert_ok(tc_sim_submit(sim, &o1, &err), &err);
    f = (struct failing){0, 1, 1};
    assert_int_equal(tc_sim_on_bar(sim, "ORCL", &b, failing_cb, &f, &err), TC_EINTERNAL);
    assert_contains(err.msg, "\"o1\"");
    tc_sim_free(sim);
}

/* ---- fill details ---- */

static void test_fill_value_and_exec_ids(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_COMM_FRAC8_BPS);
    struct tc_error err = {0};
    struct tc_sim_order o = make_order("ord-7:x", BUY, MKT, GTC, "7", NULL, NULL);
    struct tc_bar b = make_bar(&NOGAP, day0() + 1);
    struct rec r;

    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.fills[0].exec_id, "ord-7:x-F1");
    assert_dec(r.fills[0].value, "708.7675", "value");
    assert_dec(r.fills[0].commission, "0.08749735", "commission");
    tc_sim_free(sim);

    /* without a callback, fills are applied all the same */
    sim = new_sim(C_PLAIN);
    tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, NULL, NULL, &err), &err);
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), 0);
    tc_sim_free(sim);
}

/* FNV-1a modulo 256: the slot of the 256-entry cache in which the simulator
 * once remembered an instrument id it found valid. The simulator now keeps a
 * set of every valid id (test_sim_valid covers it); the ids below still share
 * one of those old slots, as a second set of near neighbours that the set's
 * comparison must tell apart from the id it holds. */
static unsigned valid_slot(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    return (unsigned)(h % 256);
}

/* An invalid id of LEN (2..65) characters in the slot of X, which differs
 * from X in its first and its last character: the last one a byte ids do
 * not allow. */
static void invalid_in_slot(const char *x, size_t len, char *out)
{
    static const char bad[] = " !#$%&()*+,/;<=>?@[]^`{|}~";
    static const char good[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const unsigned want = valid_slot(x);
    for (size_t i = 0; i < sizeof good - 1; i++)
        for (size_t j = 0; j < sizeof bad - 1; j++) {
            memcpy(out, x, len);
            out[0] = good[i];
            out[len - 1] = bad[j];
            out[len] = '\0';
            if (valid_slot(out) == want)
                return;
        }
    fail_msg("no invalid id of %zu characters in the slot of \"%s\"", len, x);
}

/* *O submitted as the sim broker does: written whole into the simulator's
 * next slot (tc__sim_next_order), then submitted (tc__sim_submit_next). */
static int submit_in_slot(struct tc_sim *sim, const struct tc_sim_order *o, struct tc_error *err)
{
    struct tc_sim_order *w = tc__sim_next_order(sim, o->id, err);
    if (!w)
        return err->code;
    *w = *o;
    return tc__sim_submit_next(sim, err);
}

/* O with the first N bytes of Y (its NUL among them) in its instrument
 * buffer, the rest FILL, and the order id ID: refused by the full check,
 * which names the order and the bad character. */
static void refused_in_slot(struct tc_sim *sim, struct tc_sim_order *o, const char *y, size_t n,
                            char fill, const char *id)
{
    struct tc_error err = {0};
    char want[64];
    memset(o->instrument, fill, sizeof o->instrument);
    memcpy(o->instrument, y, n);
    snprintf(o->id, sizeof o->id, "%s", id);
    assert_int_equal(submit_in_slot(sim, o, &err), TC_EINVAL);
    snprintf(want, sizeof want, "order \"%s\": instrument id \"", id);
    assert_contains(err.msg, want);
    assert_contains(err.msg, "has a character");
}

/* An instrument id remembered as valid lets only itself through: every
 * length around the 16-byte step of the comparison, bytes after the NUL in
 * the order's buffer (ignored, whatever they are), ids in the same slot
 * that differ in one byte, one character longer or shorter, all refused by
 * the full check with its message and nothing added to the book. */
static void test_known_instrument(void **state)
{
    (void)state;
    static const size_t lens[] = {2, 3, 14, 15, 16, 17, 31, 32, 33, 63, 64};
    struct tc_error err = {0};
    char y[TC_INSTRUMENT_ID_MAX + 1];
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        const size_t len = lens[k];
        struct tc_sim *sim = new_sim(C_PLAIN);
        struct tc_sim_order o = make_order("x.1", BUY, MKT, GTC, "10", NULL, NULL);
        char x[TC_INSTRUMENT_ID_MAX];
        for (size_t i = 0; i < len; i++)
            x[i] = (char)('A' + (i * 7 + len) % 26);
        x[len] = '\0';
        memset(o.instrument, '#', sizeof o.instrument);
        memcpy(o.instrument, x, len + 1);
        tc_assert_ok(submit_in_slot(sim, &o, &err), &err);
        /* the same id, other bytes after its NUL: taken */
        memset(o.instrument, ' ', sizeof o.instrument);
        memcpy(o.instrument, x, len + 1);
        snprintf(o.id, sizeof o.id, "x.2");
        tc_assert_ok(submit_in_slot(sim, &o, &err), &err);
        /* same length, same slot, one bad byte: refused */
        invalid_in_slot(x, len, y);
        refused_in_slot(sim, &o, y, len + 1, '\0', "y.1");
        /* X and one bad byte after it (in the same slot), or X without its
         * last character and a bad one in the place of the one before */
        if (len < TC_INSTRUMENT_ID_MAX - 1) {
            char x1[TC_INSTRUMENT_ID_MAX + 1];
            memcpy(x1, x, len);
            x1[len] = 'Q';
            x1[len + 1] = '\0';
            invalid_in_slot(x1, len + 1, y);
            refused_in_slot(sim, &o, y, len + 2, '\0', "y.2");
        }
        invalid_in_slot(x, len - 1, y);
        refused_in_slot(sim, &o, y, len, 'Z', "y.3");
        /* no NUL in the buffer at all: refused as too long */
        memset(o.instrument, 'A', sizeof o.instrument);
        snprintf(o.id, sizeof o.id, "y.4");
        assert_int_equal(submit_in_slot(sim, &o, &err), TC_EINVAL);
        assert_contains(err.msg, "order \"y.4\": instrument is longer than 64");
        /* only X's two orders are in the book, with X's text */
        struct tc_sim_order open[4];
        assert_int_equal(tc_sim_open_orders(sim, open, 4), 2);
        assert_string_equal(open[0].instrument, x);
        assert_string_equal(open[1].instrument, x);
        assert_string_equal(open[1].id, "x.2");
        tc_sim_free(sim);
    }
}

/* A slot is submitted only while it is the one tc__sim_next_order handed
 * out: a cancel, a submit by copy or a bar that ended an order in between
 * puts another slot next (one with a stale order), and tc__sim_submit_next
 * then refuses, naming the order in that slot, with the book unchanged. A
 * refused order's slot stays handed out; an accepted one's is taken. */
static void test_slot_handed_out(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_PLAIN);
    struct tc_error err = {0};
    struct tc_sim_order a = make_order("s.1", BUY, MKT, GTC, "10", NULL, NULL);
    struct tc_sim_order c = make_order("s.3", BUY, MKT, GTC, "10", NULL, NULL);
    struct tc_sim_order open[8], *w;
    struct tc_bar b = make_bar(&NOGAP, day0() + 1);
    struct rec r;

    /* a cancel frees A's slot, which becomes the next: A is not submitted again */
    tc_assert_ok(tc_sim_submit(sim, &a, &err), &err);
    assert_non_null(w = tc__sim_next_order(sim, "s.2", &err));
    *w = make_order("s.2", BUY, MKT, GTC, "10", NULL, NULL);
    tc_assert_ok(tc_sim_cancel(sim, "s.1", NULL, &err), &err);
    assert_int_equal(tc__sim_submit_next(sim, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"s.1\": its slot was not handed out by tc__sim_next_order");
    assert_int_equal(tc_sim_open_orders(sim, open, 8), 0);
    /* asked again: the same slot goes in once; a second submit is refused */
    assert_non_null(w = tc__sim_next_order(sim, "s.2", &err));
    *w = make_order("s.2", BUY, MKT, GTC, "10", NULL, NULL);
    tc_assert_ok(tc__sim_submit_next(sim, &err), &err);
    assert_int_equal(tc__sim_submit_next(sim, &err), TC_EINVAL);
    assert_int_equal(tc_sim_open_orders(sim, open, 8), 1);
    assert_string_equal(open[0].id, "s.2");

    /* a submit by copy in between takes the slot handed out */
    assert_non_null(w = tc__sim_next_order(sim, "s.4", &err));
    *w = make_order("s.4", BUY, MKT, GTC, "10", NULL, NULL);
    tc_assert_ok(tc_sim_submit(sim, &c, &err), &err);
    assert_int_equal(tc__sim_submit_next(sim, &err), TC_EINVAL);
    assert_int_equal(tc_sim_open_orders(sim, open, 8), 2);

    /* a bar that fills orders frees their slots: the next one is S.2's */
    assert_non_null(w = tc__sim_next_order(sim, "s.5", &err));
    *w = make_order("s.5", BUY, MKT, GTC, "10", NULL, NULL);
    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 2);
    assert_int_equal(tc_sim_open_orders(sim, open, 8), 0);
    assert_int_equal(tc__sim_submit_next(sim, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"s.2\": its slot was not handed out by tc__sim_next_order");
    assert_int_equal(tc_sim_open_orders(sim, open, 8), 0);

    /* a refused order's slot stays handed out: corrected, it goes in */
    assert_non_null(w = tc__sim_next_order(sim, "s.6", &err));
    *w = make_order("s.6", BUY, MKT, GTC, "0", NULL, NULL);
    assert_int_equal(tc__sim_submit_next(sim, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"s.6\": quantity 0 is not positive");
    w->quantity = D("5");
    tc_assert_ok(tc__sim_submit_next(sim, &err), &err);
    assert_int_equal(tc_sim_open_orders(sim, open, 8), 1);
    assert_string_equal(open[0].id, "s.6");
    assert_int_equal(open[0].quantity.raw, D("5").raw);
    tc_sim_free(sim);
}

/* ---- the sim broker's entry points (exec/sim_internal.h) ---- */

/* A callback that asks for the next order's slot inside the bar. */
struct slot_ctx {
    struct tc_sim *sim;
    struct tc_error err, serr;
    int asked, src;
    struct tc_sim_order *got;
};

/* ... and submits the order written in the slot before the bar. */
static int slot_in_bar(void *ud, const struct tc_sim_event *ev)
{
    struct slot_ctx *c = ud;
    (void)ev;
    c->got = tc__sim_next_order(c->sim, "x.9", &c->err);
    c->src = tc__sim_submit_next(c->sim, &c->serr);
    c->asked++;
    return 0;
}

/* Orders written in the simulator's slot (tc__sim_next_order, then
 * tc__sim_submit_next) are checked as tc_sim_submit's but for the id, with the same
 * messages; a refused one counts for nothing and its slot stays the next.
 * Orders that end (filled, expired, canceled) leave the book and their slots
 * are used again, the working ones listed in submission order with their
 * fields as given, whichever way they came. Neither a slot nor an order
 * written in one before the bar goes in inside a bar (TC_EBUSY); a submit
 * with no slot handed out is refused. */
static void test_submit_in_slot(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_PLAIN);
    struct tc_error err = {0};
    struct tc_sim_order *w, *w2, open[40];
    struct rec r;
    char id[TC_SIM_ORDER_ID_MAX];
    int next = 1;
    size_t n;

    /* a bad order written in the slot: refused, nothing counted, the same slot next */
    w = tc__sim_next_order(sim, "s.1", &err);
    assert_non_null(w);
    *w = make_order("s.1", BUY, MKT, GTC, "-1", NULL, NULL);
    assert_int_equal(tc__sim_submit_next(sim, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"s.1\": quantity -1 is not positive");
    assert_int_equal(tc_sim_open_orders(sim, open, 40), 0);
    w2 = tc__sim_next_order(sim, "s.1", &err);
    assert_ptr_equal(w, w2);
    *w2 = make_order("s.1", BUY, LMT, GTC, "10", NULL, NULL);
    assert_int_equal(tc__sim_submit_next(sim, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"s.1\": limit 0 is missing");
    snprintf(w2->instrument, sizeof w2->instrument, "OR CL");
    w2->type = TC_SIM_MARKET;
    assert_int_equal(tc__sim_submit_next(sim, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"s.1\": instrument id \"OR CL\" has a character");
    assert_int_equal(tc_sim_open_orders(sim, open, 40), 0);

    /* 30 orders, by slot and by copy in turn, on three instruments: ORCL's
     * market orders fill, NVDA's DAY limits far below expire, YHOO's GTC
     * ones work on */
    static const char *const insts[] = {"ORCL", "NVDA", "YHOO"};
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < 10; k++) {
            const char *inst = insts[k % 3];
            struct tc_sim_order o = make_order("", BUY, k % 3 ? LMT : MKT,
                                               k % 3 == 1 ? DAY : GTC, "10",
                                               k % 3 ? "1" : NULL, NULL);
            snprintf(id, sizeof id, "s.%d", next++);
            snprintf(o.id, sizeof o.id, "%s", id);
            snprintf(o.instrument, sizeof o.instrument, "%s", inst);
            o.created_day = day0() + round;
            if (k % 2) {
                tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
            } else {
                assert_non_null(w = tc__sim_next_order(sim, id, &err));
                *w = o;
                tc_assert_ok(tc__sim_submit_next(sim, &err), &err);
            }
        }
        /* the second order of this round canceled (an NVDA DAY order) */
        snprintf(id, sizeof id, "s.%d", next - 9);
        tc_assert_ok(tc_sim_cancel(sim, id, NULL, &err), &err);
        /* the book: YHOO's of every round so far, then this round's others
         * but the canceled one, in submission order */
        n = tc_sim_open_orders(sim, open, 40);
        assert_int_equal(n, (size_t)(3 * round + 9));
        for (size_t i = 1; i < n; i++)
            assert_true(open[i - 1].seq < open[i].seq);
        for (size_t i = 0; i < n; i++) {
            int num = (int)strtol(open[i].id + 2, NULL, 10);
            int k = (num - 1) % 10;
            assert_string_equal(open[i].instrument, insts[k % 3]);
            assert_int_equal(open[i].tif, k % 3 == 1 ? TC_SIM_DAY : TC_SIM_GTC);
            assert_int_equal(open[i].created_day, day0() + (num - 1) / 10);
            assert_int_equal(open[i].quantity.raw, D("10").raw);
        }
        /* the next day's bars: ORCL's fill, NVDA's expire, YHOO's work */
        memset(&r, 0, sizeof r);
        for (int q = 0; q < 3; q++) {
            struct tc_bar b = make_bar(&NOGAP, day0() + round + 1);
            tc_assert_ok(tc_sim_on_bar(sim, insts[q], &b, record, &r, &err), &err);
        }
        assert_int_equal(r.n, 4);
        assert_int_equal(r.nexp, 2);
        n = tc_sim_open_orders(sim, open, 40);
        assert_int_equal(n, (size_t)(3 * (round + 1)));
        for (size_t i = 0; i < n; i++)
            assert_string_equal(open[i].instrument, "YHOO");
        for (size_t i = 1; i < n; i++)
            assert_true(open[i - 1].seq < open[i].seq);
    }
    /* no slot inside a bar: TC_EBUSY naming the order */
    {
        struct slot_ctx c;
        struct tc_bar b = make_bar(&NOGAP, day0() + 10);
        memset(&c, 0, sizeof c);
        c.sim = sim;
        c.got = open;
        assert_non_null(w = tc__sim_next_order(sim, "s.99", &err));
        *w = make_order("s.99", BUY, MKT, GTC, "10", NULL, NULL);
        tc_assert_ok(tc__sim_submit_next(sim, &err), &err);
        /* an order written in its slot before the bar: not submitted inside it */
        assert_non_null(w = tc__sim_next_order(sim, "s.100", &err));
        *w = make_order("s.100", BUY, MKT, GTC, "10", NULL, NULL);
        tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, slot_in_bar, &c, &err), &err);
        assert_int_equal(c.asked, 1);
        assert_null(c.got);
        assert_int_equal(c.err.code, TC_EBUSY);
        assert_contains(c.err.msg, "order \"x.9\": cannot be submitted inside a bar");
        assert_int_equal(c.src, TC_EBUSY);
        assert_contains(c.serr.msg, "order \"s.100\": cannot be submitted inside a bar");
        assert_int_equal(tc_sim_open_orders(sim, open, 40), 9);
        for (size_t i = 0; i < 9; i++)
            assert_string_not_equal(open[i].id, "s.100");
    }
    tc_sim_free(sim);
    /* nothing written in a slot (none handed out): refused, nothing counted */
    sim = new_sim(C_PLAIN);
    assert_int_equal(tc__sim_submit_next(sim, &err), TC_EINVAL);
    assert_contains(err.msg, "order: none written in the next slot");
    assert_int_equal(tc_sim_open_orders(sim, open, 40), 0);
    tc_sim_free(sim);
}

/* An order written in the slot takes the id as given (a clash with a working id is
 * not looked up: the caller vouches for it) and checks everything else as
 * tc_sim_submit does, with the same messages and nothing changed. */
static void test_own_id_taken(void **state)
{
    (void)state;
    struct tc_sim *sim = new_sim(C_PLAIN);
    struct tc_error err = {0};
    struct tc_sim_order o = make_order("b.1", BUY, MKT, GTC, "10", NULL, NULL);
    struct tc_sim_order open[4];
    struct tc_bar b = make_bar(&NOGAP, day0() + 1);
    struct rec r;

    tc_assert_ok(submit_in_slot(sim, &o, &err), &err);
    /* a bad instrument after a good one (it is remembered as valid): refused */
    snprintf(o.id, sizeof o.id, "b.2");
    snprintf(o.instrument, sizeof o.instrument, "OR CL");
    assert_int_equal(submit_in_slot(sim, &o, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"b.2\": instrument id \"OR CL\" has a character");
    o.instrument[0] = '\0';
    assert_int_equal(submit_in_slot(sim, &o, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"b.2\": instrument id \"\" is empty");
    memset(o.instrument, 'I', sizeof o.instrument);
    assert_int_equal(submit_in_slot(sim, &o, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"b.2\": instrument is longer than 64");
    snprintf(o.instrument, sizeof o.instrument, "ORCL");
    o.quantity = D("-1");
    assert_int_equal(submit_in_slot(sim, &o, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"b.2\": quantity -1 is not positive");
    o.quantity = D("5");
    o.limit = D("99");
    assert_int_equal(submit_in_slot(sim, &o, &err), TC_EINVAL);
    assert_contains(err.msg, "order \"b.2\": limit 99 is not allowed");
    /* nothing of the refused ones is in the book */
    assert_int_equal(tc_sim_open_orders(sim, open, 4), 1);
    assert_string_equal(open[0].id, "b.1");
    assert_string_equal(open[0].instrument, "ORCL");
    assert_int_equal(open[0].seq, 1);
    o.limit = D(NULL);
    tc_assert_ok(submit_in_slot(sim, &o, &err), &err);
    assert_int_equal(tc_sim_open_orders(sim, open, 4), 2);
    assert_int_equal(open[1].seq, 2);
    memset(&r, 0, sizeof r);
    tc_assert_ok(tc_sim_on_bar(sim, "ORCL", &b, record, &r, &err), &err);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.fills[0].exec_id, "b.1-F1");
    assert_string_equal(r.fills[1].exec_id, "b.2-F1");
    assert_dec(r.fills[1].quantity, "5", "own id fill");
    /* the public submit still checks the id */
    snprintf(o.id, sizeof o.id, "a b");
    assert_int_equal(tc_sim_submit(sim, &o, &err), TC_EINVAL);
    assert_contains(err.msg, "order id \"a b\" has a character");
    /* a clash with a working id: not looked up in the slot, refused by the
     * public submit */
    snprintf(o.id, sizeof o.id, "b.1");
    tc_assert_ok(submit_in_slot(sim, &o, &err), &err);
    tc_assert_ok(submit_in_slot(sim, &o, &err), &err);
    assert_int_equal(tc_sim_submit(sim, &o, &err), TC_ECONFLICT);
    assert_contains(err.msg, "order \"b.1\": id is already working");
    assert_int_equal(tc_sim_open_orders(sim, open, 4), 2);
    assert_string_equal(open[0].id, "b.1");
    assert_string_equal(open[1].id, "b.1");
    assert_int_equal(open[1].seq, 4);
    tc_sim_free(sim);
}

/* Bare fills: the same events, seq, amounts and order, without the ids'
 * text; a simulator without it keeps "<order id>-F<n>" (n past 9 too). */
static void test_bare_fills(void **state)
{
    (void)state;
    struct tc_error err = {0};
    struct rec plain, bare;
    struct tc_sim *sims[2] = {new_sim(C_CAP), new_sim(C_CAP)};
    struct rec *recs[2] = {&plain, &bare};

    tc__sim_bare_fills(sims[1]);
    for (int k = 0; k < 2; k++) {
        /* 1% of 100 volume a bar: 12 fills of 1 */
        struct tc_sim_order o = make_order("ord-9", BUY, MKT, GTC, "12", NULL, NULL);
        memset(recs[k], 0, sizeof *recs[k]);
        tc_assert_ok(tc_sim_submit(sims[k], &o, &err), &err);
        for (int d = 1; d <= 12; d++) {
            struct tc_bar b = make_bar(&NOGAP, day0() + d);
            b.volume = 100;
            tc_assert_ok(tc_sim_on_bar(sims[k], "ORCL", &b, record, recs[k], &err), &err);
        }
        assert_int_equal(recs[k]->n, 12);
        assert_int_equal(tc_sim_open_orders(sims[k], NULL, 0), 0);
        tc_sim_free(sims[k]);
    }
    assert_string_equal(plain.fills[0].exec_id, "ord-9-F1");
    assert_string_equal(plain.fills[9].exec_id, "ord-9-F10");
    assert_string_equal(plain.fills[11].exec_id, "ord-9-F12");
    assert_string_equal(plain.fills[11].order_id, "ord-9");
    for (int i = 0; i < 12; i++) {
        assert_string_equal(bare.fills[i].exec_id, "");
        assert_string_equal(bare.fills[i].order_id, "");
        assert_int_equal(bare.fills[i].seq, plain.fills[i].seq);
        assert_int_equal(bare.fills[i].seq, (uint32_t)(i + 1));
        assert_int_equal(bare.fills[i].day, plain.fills[i].day);
        assert_int_equal(bare.fills[i].quantity.raw, plain.fills[i].quantity.raw);
        assert_int_equal(bare.fills[i].price.raw, plain.fills[i].price.raw);
        assert_int_equal(bare.fills[i].value.raw, plain.fills[i].value.raw);
        assert_int_equal(bare.fills[i].commission.raw, plain.fills[i].commission.raw);
        assert_int_equal(bare.status_at_fill[i], plain.status_at_fill[i]);
    }
    assert_int_equal(bare.status_at_fill[11], TC_SIM_FILLED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_day_vs_gtc),
        cmocka_unit_test(test_day_close_expires_on_creation_bar),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_no_later_bar_and_replays),
        cmocka_unit_test(test_shared_cap_and_determinism),
        cmocka_unit_test(test_instrument_tick_lot),
        cmocka_unit_test(test_bad_orders),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_bad_bars),
        cmocka_unit_test(test_series_ok),
        cmocka_unit_test(test_series_scan),
        cmocka_unit_test(test_bar_matches_its_instrument),
        cmocka_unit_test(test_bar_matches_ids_of_every_length),
        cmocka_unit_test(test_overflow_leaves_order),
        cmocka_unit_test(test_callback_cannot_reenter),
        cmocka_unit_test(test_callback_failure_stops_bar),
        cmocka_unit_test(test_fill_value_and_exec_ids),
        cmocka_unit_test(test_own_id_taken),
        cmocka_unit_test(test_submit_in_slot),
        cmocka_unit_test(test_slot_handed_out),
        cmocka_unit_test(test_known_instrument),
        cmocka_unit_test(test_bare_fills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
