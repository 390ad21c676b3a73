/* Market simulator: the book after bars that end one order or several, at
 * any place in it. A model of the book (the working orders in submission
 * order) is kept beside the simulator over thousands of random steps:
 * orders submitted by copy and in the next slot (MARKET, which fill, and
 * LIMIT far below the market, which expire when DAY and stay when GTC),
 * cancels, and bars of some instruments each day. After every bar and
 * cancel the simulator's working orders, their order and the fills reported
 * are the model's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/dec.h"
#include "tradecore/sim.h"
#include "exec/sim_internal.h"

#define NINST 5
#define MAXW 4096

struct model {
    char id[MAXW][TC_SIM_ORDER_ID_MAX];
    int inst[MAXW];
    int market[MAXW], day_tif[MAXW];
    int64_t created[MAXW];
    size_t n;
};

struct events {
    size_t fills, expiries;
    char last[TC_SIM_ORDER_ID_MAX];
};

static uint64_t rng = 88172645463325252ULL;
static unsigned next_rand(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static int on_event(void *ud, const struct tc_sim_event *ev)
{
    struct events *e = ud;
    if (ev->kind == TC_SIM_EV_FILL)
        e->fills++;
    else
        e->expiries++;
    return 0;
}

static void inst_name(int k, char out[TC_INSTRUMENT_ID_MAX])
{
    memset(out, 0, TC_INSTRUMENT_ID_MAX);
    snprintf(out, TC_INSTRUMENT_ID_MAX, "INST%d", k);
}

/* The simulator's working orders are the model's, in its order. */
static void assert_book(const struct tc_sim *sim, const struct model *m)
{
    static struct tc_sim_order open[MAXW];
    char inst[TC_INSTRUMENT_ID_MAX];
    assert_int_equal(tc_sim_open_orders(sim, open, MAXW), m->n);
    for (size_t k = 0; k < m->n; k++) {
        assert_string_equal(open[k].id, m->id[k]);
        inst_name(m->inst[k], inst);
        assert_string_equal(open[k].instrument, inst);
        assert_int_equal(open[k].status, TC_SIM_WORKING);
    }
}

static void model_remove(struct model *m, size_t k)
{
    memmove(m->id[k], m->id[k + 1], (m->n - k - 1) * sizeof(m->id[0]));
    memmove(&m->inst[k], &m->inst[k + 1], (m->n - k - 1) * sizeof(m->inst[0]));
    memmove(&m->market[k], &m->market[k + 1], (m->n - k - 1) * sizeof(m->market[0]));
    memmove(&m->day_tif[k], &m->day_tif[k + 1], (m->n - k - 1) * sizeof(m->day_tif[0]));
    memmove(&m->created[k], &m->created[k + 1], (m->n - k - 1) * sizeof(m->created[0]));
    m->n--;
}

static void test_book_after_bars(void **state)
{
    (void)state;
    static struct model m;
    struct tc_sim_config c;
    struct tc_sim *sim = NULL;
    struct tc_error err = {0};
    struct events ev = {0};
    size_t want_fills = 0, want_exp = 0, seq = 0, max_n = 0, multi = 0, middle = 0;
    int64_t day = 1000;

    tc_sim_config_init(&c);
    tc_assert_ok(tc_sim_new(&c, &sim, &err), &err);
    m.n = 0;
    for (int step = 0; step < 3000; step++) {
        /* a few orders decided today */
        unsigned norders = next_rand(5);
        for (unsigned q = 0; q < norders && m.n < MAXW; q++) {
            struct tc_sim_order o;
            memset(&o, 0, sizeof(o));
            snprintf(o.id, sizeof(o.id), "o.%zu", ++seq);
            m.inst[m.n] = (int)next_rand(NINST);
            inst_name(m.inst[m.n], o.instrument);
            m.market[m.n] = next_rand(3) != 0;
            m.day_tif[m.n] = next_rand(2) == 0;
            o.side = next_rand(2) ? TC_SIM_BUY : TC_SIM_SELL;
            o.type = m.market[m.n] ? TC_SIM_MARKET : TC_SIM_LIMIT;
            o.tif = m.day_tif[m.n] ? TC_SIM_DAY : TC_SIM_GTC;
            o.quantity = tc_test_dec("3");
            /* a buy far below, a sell far above: never filled */
            if (!m.market[m.n])
                o.limit = tc_test_dec(o.side == TC_SIM_BUY ? "1" : "1000");
            o.created_day = day;
            m.created[m.n] = day;
            if (next_rand(2)) {
                tc_assert_ok(tc_sim_submit(sim, &o, &err), &err);
            } else {
                struct tc_sim_order *w = tc__sim_next_order(sim, o.id, &err);
                assert_non_null(w);
                *w = o;
                tc_assert_ok(tc__sim_submit_next(sim, &err), &err);
            }
            memcpy(m.id[m.n], o.id, sizeof(o.id));
            m.n++;
        }
        if (m.n > max_n)
            max_n = m.n;
        assert_book(sim, &m);
        /* now and then a cancel, anywhere in the book */
        if (m.n > 0 && next_rand(6) == 0) {
            size_t k = next_rand((unsigned)m.n);
            tc_assert_ok(tc_sim_cancel(sim, m.id[k], NULL, &err), &err);
            model_remove(&m, k);
            assert_book(sim, &m);
        }
        /* the next day's bars, of some instruments, in a random order */
        day++;
        {
            int fed[NINST] = {0};
            unsigned nbars = next_rand(NINST + 1);
            for (unsigned bq = 0; bq < nbars; bq++) {
                int k = (int)next_rand(NINST);
                struct tc_bar b;
                char inst[TC_INSTRUMENT_ID_MAX];
                size_t ended = 0, first = m.n;
                if (fed[k])
                    continue;
                fed[k] = 1;
                memset(&b, 0, sizeof(b));
                b.day = day;
                b.open = tc_test_dec("100");
                b.high = tc_test_dec("110");
                b.low = tc_test_dec("90");
                b.close = tc_test_dec("105");
                b.adj_close = b.close;
                b.volume = 1000000;
                inst_name(k, inst);
                tc_assert_ok(tc_sim_on_bar(sim, inst, &b, on_event, &ev, &err), &err);
                for (size_t j = m.n; j-- > 0;) {
                    if (m.inst[j] != k || m.created[j] >= day)
                        continue;
                    if (m.market[j])
                        want_fills++;
                    else if (m.day_tif[j])
                        want_exp++;
                    else
                        continue;
                    ended++;
                    first = j;
                    model_remove(&m, j);
                }
                multi += ended > 1;
                middle += ended == 1 && first > 0 && first < m.n;
                assert_int_equal(ev.fills, want_fills);
                assert_int_equal(ev.expiries, want_exp);
                assert_book(sim, &m);
            }
        }
    }
    /* the steps covered what they are for */
    assert_true(multi > 100);
    assert_true(middle > 100);
    assert_true(max_n > 20);
    tc_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_book_after_bars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
