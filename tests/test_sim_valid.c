/* Market simulator: the set of instrument ids it found valid. A thousand
 * instruments (the set grown several times, ids of every length) are each
 * taken twice, in both submission paths; an id one byte away from a known
 * one, with a byte ids do not allow, is refused by the full check each time
 * (never remembered) with its message, and the book is unchanged by it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/dec.h"
#include "tradecore/sim.h"
#include "exec/sim_internal.h"

#define NINST 1000

/* Instrument K's id: 1 + K % 64 characters, its number in the first ones
 * (unique), the rest filled from K. */
static void inst_id(size_t k, char out[TC_INSTRUMENT_ID_MAX])
{
    static const char good[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
    const size_t len = 4 + k % 61; /* 4..64: room for the number in base 66 */
    size_t v = k;
    for (size_t i = 0; i < len; i++) {
        if (i < 2) {
            out[i] = good[v % (sizeof good - 1)];
            v /= sizeof good - 1;
        } else {
            out[i] = good[(k * 7 + i * 13) % (sizeof good - 1)];
        }
    }
    out[len] = '\0';
}

static struct tc_sim_order order_of(const char *id, const char *inst)
{
    struct tc_sim_order o;
    memset(&o, 0, sizeof o);
    snprintf(o.id, sizeof o.id, "%s", id);
    memcpy(o.instrument, inst, TC_INSTRUMENT_ID_MAX);
    o.side = TC_SIM_BUY;
    o.type = TC_SIM_MARKET;
    o.tif = TC_SIM_GTC;
    o.quantity = tc_test_dec("10");
    return o;
}

/* O as the sim broker submits it: written into the next slot. */
static int submit_in_slot(struct tc_sim *sim, const struct tc_sim_order *o, struct tc_error *err)
{
    struct tc_sim_order *w = tc__sim_next_order(sim, o->id, err);
    if (!w)
        return err->code;
    *w = *o;
    return tc__sim_submit_next(sim, err);
}

static void expect_refused(struct tc_sim *sim, const char *id, const char *inst, int in_slot,
                           const char *want_msg, size_t want_n)
{
    struct tc_error err = {0};
    struct tc_sim_order o = order_of(id, inst);
    int rc = in_slot ? submit_in_slot(sim, &o, &err) : tc_sim_submit(sim, &o, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_string_equal(err.msg, want_msg);
    assert_int_equal(tc_sim_open_orders(sim, NULL, 0), want_n);
}

static void test_many_instruments(void **state)
{
    (void)state;
    struct tc_sim_config c;
    struct tc_sim *sim = NULL;
    struct tc_error err = {0};
    struct tc_sim_order *open;
    char (*ids)[TC_INSTRUMENT_ID_MAX] = calloc(NINST, sizeof(*ids));
    char oid[TC_SIM_ORDER_ID_MAX];

    assert_non_null(ids);
    tc_sim_config_init(&c);
    tc_assert_ok(tc_sim_new(&c, &sim, &err), &err);
    for (size_t k = 0; k < NINST; k++) {
        inst_id(k, ids[k]);
        for (size_t j = 0; j < k; j++)
            assert_string_not_equal(ids[j], ids[k]);
    }
    /* each id first by copy (odd k) or in the slot (even k), then again
     * the other way, the second round backwards */
    for (size_t k = 0; k < NINST; k++) {
        struct tc_sim_order o;
        snprintf(oid, sizeof oid, "a.%zu", k);
        o = order_of(oid, ids[k]);
        tc_assert_ok(k % 2 ? tc_sim_submit(sim, &o, &err) : submit_in_slot(sim, &o, &err), &err);
    }
    for (size_t k = NINST; k-- > 0;) {
        struct tc_sim_order o;
        size_t len = strlen(ids[k]);
        snprintf(oid, sizeof oid, "b.%zu", k);
        o = order_of(oid, ids[k]);
        /* other bytes after its NUL than the first time: the same id */
        memset(o.instrument + len + 1, k % 2 ? '#' : 'A', sizeof o.instrument - len - 1);
        tc_assert_ok(k % 2 ? submit_in_slot(sim, &o, &err) : tc_sim_submit(sim, &o, &err), &err);
    }
    /* one byte of a known id made one ids do not allow, at its first, a
     * middle and its last place: refused each time, by both paths */
    for (size_t k = 0; k < NINST; k += 37) {
        const size_t len = strlen(ids[k]);
        const size_t at[] = {0, len / 2, len - 1};
        for (size_t a = 0; a < 3; a++) {
            char bad[TC_INSTRUMENT_ID_MAX], want[256];
            memcpy(bad, ids[k], sizeof bad);
            bad[at[a]] = ' ';
            snprintf(want, sizeof want,
                     "order \"c.%zu\": instrument id \"%s\" has a character that is not allowed: ' '",
                     k, bad);
            snprintf(oid, sizeof oid, "c.%zu", k);
            for (int again = 0; again < 2; again++) {
                expect_refused(sim, oid, bad, 0, want, 2 * NINST);
                expect_refused(sim, oid, bad, 1, want, 2 * NINST);
            }
        }
    }
    /* a known id with a bad byte after it, or without its last byte and
     * a bad one before it */
    for (size_t k = 0; k < NINST; k += 7) {
        const size_t len = strlen(ids[k]);
        char bad[TC_INSTRUMENT_ID_MAX], want[256];
        snprintf(oid, sizeof oid, "e.%zu", k);
        if (len < TC_INSTRUMENT_ID_MAX - 1) {
            memcpy(bad, ids[k], sizeof bad);
            bad[len] = '/';
            bad[len + 1] = '\0';
            snprintf(want, sizeof want,
                     "order \"%s\": instrument id \"%s\" has a character that is not allowed: '/'",
                     oid, bad);
            expect_refused(sim, oid, bad, k % 2, want, 2 * NINST);
        }
        memcpy(bad, ids[k], sizeof bad);
        bad[len - 2] = '/';
        bad[len - 1] = '\0';
        snprintf(want, sizeof want,
                 "order \"%s\": instrument id \"%s\" has a character that is not allowed: '/'", oid,
                 bad);
        expect_refused(sim, oid, bad, k % 2, want, 2 * NINST);
    }
    /* an empty id is never known */
    expect_refused(sim, "d.1", "", 0, "order \"d.1\": instrument id \"\" is empty", 2 * NINST);
    expect_refused(sim, "d.1", "", 1, "order \"d.1\": instrument id \"\" is empty", 2 * NINST);

    /* the book: every order, in submission order, with its instrument */
    open = calloc(2 * NINST, sizeof(*open));
    assert_non_null(open);
    assert_int_equal(tc_sim_open_orders(sim, open, 2 * NINST), 2 * NINST);
    for (size_t k = 0; k < NINST; k++) {
        snprintf(oid, sizeof oid, "a.%zu", k);
        assert_string_equal(open[k].id, oid);
        assert_string_equal(open[k].instrument, ids[k]);
        snprintf(oid, sizeof oid, "b.%zu", NINST - 1 - k);
        assert_string_equal(open[NINST + k].id, oid);
        assert_string_equal(open[NINST + k].instrument, ids[NINST - 1 - k]);
    }
    free(open);
    free(ids);
    tc_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_instruments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
