/* The in-memory ledger's shortcuts give the answers of a plain lookup: fills
 * found by their client order ids in any order (the order after the one
 * found last is tried first), unknown ones refused; a transaction that fails
 * drops the keys of the rows it added (the same signal and the same ids go in
 * again, the rolled-back position is not found); instruments whose ids end
 * alike (one hint slot) each found as themselves; fill ids counted by their
 * number count the same sequence as ids made as text, across a prefix
 * change, and a fill id too long is refused with nothing written; ids of
 * 19 and 20 digits up to the last number there is; text
 * fields without a NUL refused, junk after one taken; a signal's
 * passphrase left out of what the ledger reads; a position id taken fails
 * its signal with nothing kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/ledger.h"
#include "tradecore/refdata.h"
#include "tradecore/signal.h"

#define T0 INT64_C(1763765400000000) /* 2025-11-21T22:50:00Z */
#define TS "2025-11-21T22:50:00Z"

struct world {
    struct tc_manual_clock clock;
    struct tc_ledger *l;
    struct tc_ledger_seq_ids ids;
    const char *fault_point;
};

static const char *const INSTS[] = {"ES", "NQ", "AAWXYZ", "BBWXYZ", "A", "B", "XXWXYZ"};
#define NINST (sizeof(INSTS) / sizeof(INSTS[0]))

static void world_open(struct world *w)
{
    memset(w, 0, sizeof(*w));
    snprintf(w->ids.prefix, sizeof(w->ids.prefix), "t");
    tc_test_mem_ledger_open(&w->l, &w->clock, T0, &w->fault_point, tc_ledger_seq_id, &w->ids,
                            INSTS, NINST, "100000");
}

/* A base entry of QTY on INST at 100 (SIGNAL_ID makes it unique). */
static int entry(struct world *w, const char *inst, const char *qty, int signal_id,
                 struct tc_signal_outcome *o, struct tc_error *err)
{
    char sid[32];
    snprintf(sid, sizeof(sid), "sig-%d", signal_id);
    return tc_test_entry_json(w->l, inst, TS, qty, sid, o, err);
}

static void fill_of(struct tc_fill *f, const char *fingerprint, const char *exec, const char *qty,
                    const char *price)
{
    tc_test_fill(f, exec, fingerprint, ":L0", qty, price, T0);
}

static void assert_position(struct world *w, const char *id, const char *inst, const char *qty,
                            const char *entry_price)
{
    struct tc_position p;
    struct tc_error err = {0};
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];

    tc_assert_ok(tc_ledger_position_get(w->l, id, &p, &err), &err);
    assert_string_equal(p.instrument_id, inst);
    tc_dec_format(p.quantity, a, sizeof(a));
    tc_dec_format(p.entry_price, b, sizeof(b));
    assert_string_equal(a, qty);
    assert_string_equal(b, entry_price);
}

/* A BASE_ENTRY built in code on INST by PORTFOLIO and STRATEGY (their
 * buffers copied whole: junk after the NUL stays), signal id ID. */
static int built(struct world *w, const char *portfolio, size_t plen, const char *strategy,
                 size_t slen, const char *inst, const char *id, struct tc_signal_outcome *o,
                 struct tc_error *err)
{
    struct tc_signal s;
    memset(&s, 0, sizeof(s));
    memcpy(s.portfolio, portfolio, plen);
    memcpy(s.strategy, strategy, slen);
    snprintf(s.instrument, sizeof(s.instrument), "%s", inst);
    snprintf(s.signal_id, sizeof(s.signal_id), "%s", id);
    s.has_signal_id = 1;
    s.type = TC_SIGNAL_BASE_ENTRY;
    s.side = TC_SIDE_LONG;
    s.timestamp_us = T0;
    s.price = tc_test_dec("100");
    s.has_price = 1;
    s.stop = tc_test_dec("95");
    s.has_stop = 1;
    s.quantity = tc_test_dec("1");
    s.has_quantity = 1;
    return tc_ledger_submit(w->l, &s, o, err);
}

/* The portfolio and strategy ids a signal passed the checks with are not
 * checked again for the next one with the same bytes: any other bytes are
 * (a bad id between good ones refused with its message, an id that is the
 * kept one's prefix or extends it looked up as itself), junk after the NUL
 * changes nothing. */
/* built() with the "p1" world: the outcome is STATUS, with the reason
 * REASON when REASON is not NULL (the whole text). */
static void expect_built(struct world *w, const char *portfolio, size_t plen, const char *strategy,
                         size_t slen, const char *inst, const char *id,
                         enum tc_signal_status status, const char *reason)
{
    struct tc_signal_outcome o;
    struct tc_error err = {0};

    tc_assert_ok(built(w, portfolio, plen, strategy, slen, inst, id, &o, &err), &err);
    assert_int_equal(o.status, status);
    if (reason != NULL)
        assert_string_equal(o.reason, reason);
}

/* The portfolio and strategy ids a signal passed the checks with are not
 * checked again for the next one with the same bytes: any other bytes are
 * (a bad id between good ones refused with its message, an id that is the
 * kept one's prefix or extends it looked up as itself), junk after the NUL
 * changes nothing. */
static void test_known_ids(void **state)
{
    struct world w;

    (void)state;
    world_open(&w);
    expect_built(&w, "p1", 3, "s1", 3, "ES", "k-1", TC_SIGNAL_ACCEPTED, NULL);
    expect_built(&w, "p 1", 4, "s1", 3, "NQ", "k-2", TC_SIGNAL_REJECTED,
                 "portfolio id \"p 1\" has a character that is not allowed: ' '");
    expect_built(&w, "p1", 3, "s\x01", 3, "NQ", "k-3", TC_SIGNAL_REJECTED,
                 "strategy id \"s\\x01\" has a character that is not allowed: '\\x01'");
    expect_built(&w, "p1\0zz", 5, "s1\0y", 4, "NQ", "k-4", TC_SIGNAL_ACCEPTED, NULL);
    expect_built(&w, "p1 x", 5, "s1", 3, "A", "k-10", TC_SIGNAL_REJECTED,
                 "portfolio id \"p1 x\" has a character that is not allowed: ' '");
    expect_built(&w, "p1", 3, "s1\x7f", 4, "A", "k-11", TC_SIGNAL_REJECTED,
                 "strategy id \"s1\\x7f\" has a character that is not allowed: '\\x7f'");
    expect_built(&w, "p12", 4, "s1", 3, "A", "k-5", TC_SIGNAL_REJECTED,
                 "portfolio \"p12\" not found");
    expect_built(&w, "p", 2, "s1", 3, "A", "k-6", TC_SIGNAL_REJECTED,
                 "portfolio \"p\" not found");
    expect_built(&w, "p1", 3, "s", 2, "A", "k-7", TC_SIGNAL_REJECTED,
                 "strategy \"s\" not found");
    expect_built(&w, "p 1", 4, "s 1", 4, "A", "k-8", TC_SIGNAL_REJECTED,
                 "portfolio id \"p 1\" has a character that is not allowed: ' '");
    expect_built(&w, "p1", 3, "s1", 3, "A", "k-9", TC_SIGNAL_ACCEPTED, NULL);
    /* an instrument the ledger holds is not checked again; any other is */
    expect_built(&w, "p1", 3, "s1", 3, "E S", "k-12", TC_SIGNAL_REJECTED,
                 "instrument id \"E S\" has a character that is not allowed: ' '");
    expect_built(&w, "p1", 3, "s1", 3, "ZZ", "k-13", TC_SIGNAL_REJECTED,
                 "instrument \"ZZ\" not found");
    expect_built(&w, "p1", 3, "s1", 3, "E", "k-14", TC_SIGNAL_REJECTED,
                 "instrument \"E\" not found");
    expect_built(&w, "p1", 3, "s1", 3, "B", "k-15", TC_SIGNAL_ACCEPTED, NULL);
    tc_ledger_close(w.l);
}

/* The rows of the portfolio and strategy a signal named are taken by their
 * handles for the next signal naming the same ids, and looked up again for
 * others: signals alternating between a live portfolio and a deleted one,
 * an enabled strategy and a disabled one, each get their own answer. */
static void test_known_rows(void **state)
{
    struct world w;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    struct tc_portfolio_def p;
    struct tc_strategy_def sd;
    char id[16];

    (void)state;
    world_open(&w);
    memset(&p, 0, sizeof(p));
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "pdel");
    snprintf(p.name, sizeof(p.name), "pdel");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    p.initial_capital = tc_test_dec("1000");
    p.deleted_at_us = T0;
    tc_assert_ok(tc_ledger_mem_add_portfolio(w.l, &p, &err), &err);
    memset(&sd, 0, sizeof(sd));
    snprintf(sd.strategy_id, sizeof(sd.strategy_id), "soff");
    snprintf(sd.name, sizeof(sd.name), "soff");
    sd.enabled = 0;
    sd.params = (char *)"{}";
    tc_assert_ok(tc_ledger_mem_add_strategy(w.l, &sd, &err), &err);
    for (int k = 0; k < 6; k++) {
        const char *inst = INSTS[k % NINST];
        snprintf(id, sizeof(id), "r-%d", 3 * k);
        tc_assert_ok(built(&w, "p1", 3, "s1", 3, inst, id, &o, &err), &err);
        assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
        snprintf(id, sizeof(id), "r-%d", 3 * k + 1);
        tc_assert_ok(built(&w, "pdel", 5, "s1", 3, inst, id, &o, &err), &err);
        assert_int_equal(o.status, TC_SIGNAL_REJECTED);
        assert_string_equal(o.reason, "portfolio \"pdel\" not found");
        snprintf(id, sizeof(id), "r-%d", 3 * k + 2);
        tc_assert_ok(built(&w, "p1", 3, "soff", 5, inst, id, &o, &err), &err);
        assert_int_equal(o.status, TC_SIGNAL_REJECTED);
        assert_string_equal(o.reason, "strategy \"soff\" is disabled");
    }
    tc_ledger_close(w.l);
}

/* Ids of the ledger's prefix it did not make: numbers taken from the same
 * generator by the caller (tc_ledger_seq_id) and by a second ledger sharing
 * it, between the first one's signals. The ledger's kept text of its last
 * number must not apply then: each id is the generator's next, none made
 * twice, and the positions so numbered are each found as themselves. */
static void test_ids_made_outside(void **state)
{
    struct world w;
    struct tc_ledger *l2 = NULL;
    struct tc_manual_clock clock2;
    const char *no_fault = NULL;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    char buf[TC_ID_BUFSZ];

    (void)state;
    world_open(&w);
    tc_test_mem_ledger_open(&l2, &clock2, T0, &no_fault, tc_ledger_seq_id, &w.ids, INSTS, NINST,
                            "100000");
    tc_assert_ok(entry(&w, "ES", "1", 1, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-1");
    assert_string_equal(o.order_id, "ord-t-2");
    assert_int_equal(tc_ledger_seq_id(&w.ids, "ord", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "ord-t-3");
    tc_assert_ok(entry(&w, "NQ", "1", 2, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-4");
    assert_string_equal(o.order_id, "ord-t-5");
    /* the second ledger takes 6 and 7, then the first goes on from 8 */
    {
        char json[512];
        snprintf(json, sizeof(json),
                 "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                 "\"instrument\":\"ES\",\"side\":\"LONG\",\"timestamp\":\"" TS "\","
                 "\"price\":\"100\",\"stop\":\"95\",\"quantity\":\"1\","
                 "\"signal_id\":\"other-1\"}");
        tc_assert_ok(tc_ledger_submit_signal(l2, json, (size_t)-1, &o, &err), &err);
        assert_string_equal(o.position_id, "pos-t-6");
        assert_string_equal(o.order_id, "ord-t-7");
    }
    tc_assert_ok(entry(&w, "A", "1", 3, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-8");
    assert_string_equal(o.order_id, "ord-t-9");
    /* a number set back by the caller below the first ledger's last:
     * given again, and its position kept apart from pos-t-4 */
    w.ids.n = 2;
    tc_assert_ok(entry(&w, "B", "1", 4, &o, &err), &err);
    assert_string_equal(o.position_id, "pos-t-3");
    assert_string_equal(o.order_id, "ord-t-4");
    assert_position(&w, "pos-t-3", "B", "0", "100");
    assert_position(&w, "pos-t-4", "NQ", "0", "100");
    assert_position(&w, "pos-t-8", "A", "0", "100");
    tc_ledger_close(l2);
    tc_ledger_close(w.l);
}

/* Fills out of the order of their orders, each to its own order. */
static void test_fills_any_order(void **state)
{
    static const int order[NINST] = {2, 0, 1, 6, 5, 3, 4};
    struct world w;
    struct tc_signal_outcome o[NINST];
    struct tc_error err = {0};
    struct tc_fill f;
    char exec[32], price[32], want[32];
    int applied = -1;

    (void)state;
    world_open(&w);
    for (size_t k = 0; k < NINST; k++) {
        tc_assert_ok(entry(&w, INSTS[k], "10", (int)k, &o[k], &err), &err);
        assert_int_equal(o[k].status, TC_SIGNAL_ACCEPTED);
    }
    /* an unknown order: refused, named */
    fill_of(&f, "sha256:nope", "e-x", "1", "100");
    assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_ENOTFOUND);
    assert_non_null(strstr(tc_error_msg(&err), "order \"sha256:nope:L0\" not found"));
    assert_int_equal(applied, 0);
    /* each fill at its own price, in another order than the orders' */
    for (size_t k = 0; k < NINST; k++) {
        int i = order[k];
        snprintf(exec, sizeof(exec), "e-%d", i);
        snprintf(price, sizeof(price), "%d", 101 + i);
        fill_of(&f, o[i].fingerprint, exec, "4", price);
        tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
        assert_int_equal(applied, 1);
    }
    /* the same fill again (the order after the one found last is another) */
    fill_of(&f, o[2].fingerprint, "e-2", "4", "103");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 0);
    /* a second fill of the first order after the last one's */
    fill_of(&f, o[0].fingerprint, "e-0b", "6", "111");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    for (size_t k = 0; k < NINST; k++) {
        snprintf(want, sizeof(want), "%d", 101 + (int)k);
        if (k == 0)
            assert_position(&w, o[k].position_id, INSTS[k], "10", "107"); /* (4×101 + 6×111) / 10 */
        else
            assert_position(&w, o[k].position_id, INSTS[k], "4", want);
    }
    /* too much for the order: refused with nothing written */
    fill_of(&f, o[1].fingerprint, "e-1b", "7", "100");
    assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "quantity 7 is more than order"));
    assert_position(&w, o[1].position_id, INSTS[1], "4", "102");
    tc_ledger_close(w.l);
}

/* A signal whose transaction fails leaves no key: the same signal is not a
 * duplicate after, its position id is free again (the same number goes
 * in), the rolled-back position is not found in between, and fills find
 * the orders made after. */
static void test_rollback_drops_keys(void **state)
{
    struct world w;
    struct tc_signal_outcome a, b, b2;
    struct tc_position p;
    struct tc_error err = {0};
    struct tc_fill f;
    char lost[TC_ID_BUFSZ];
    uint64_t n;
    int applied = -1;

    (void)state;
    world_open(&w);
    tc_assert_ok(entry(&w, "ES", "3", 1, &a, &err), &err);
    n = w.ids.n;
    snprintf(lost, sizeof(lost), "pos-t-%llu", (unsigned long long)n + 1);
    for (int round = 0; round < 3; round++) {
        w.fault_point = "signal:before_commit";
        assert_int_equal(entry(&w, "NQ", "5", 2, &b, &err), TC_EIO);
        assert_non_null(strstr(tc_error_msg(&err), "signal:before_commit"));
        w.fault_point = NULL;
        assert_int_equal(tc_ledger_position_get(w.l, lost, &p, &err), TC_ENOTFOUND);
        assert_non_null(strstr(tc_error_msg(&err), lost));
        w.ids.n = n; /* the same ids again */
    }
    tc_assert_ok(entry(&w, "NQ", "5", 2, &b2, &err), &err);
    assert_int_equal(b2.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(b2.duplicate, 0);
    assert_string_equal(b2.position_id, lost);
    /* the fills, the newer order first */
    fill_of(&f, b2.fingerprint, "e-b", "5", "99");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    fill_of(&f, a.fingerprint, "e-a", "3", "98");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    assert_position(&w, a.position_id, "ES", "3", "98");
    assert_position(&w, b2.position_id, "NQ", "5", "99");
    /* again: the first outcome, as a duplicate */
    tc_assert_ok(entry(&w, "NQ", "5", 2, &b, &err), &err);
    assert_int_equal(b.duplicate, 1);
    assert_string_equal(b.position_id, lost);
    tc_ledger_close(w.l);
}

/* Instruments whose ids end alike (the same hint), taking turns, and ids
 * shorter than four bytes: each signal's position is on its instrument; one
 * that ends alike but is unknown is rejected by name. */
static void test_instruments_alike(void **state)
{
    static const char *const turns[] = {"AAWXYZ", "BBWXYZ", "XXWXYZ", "BBWXYZ", "AAWXYZ",
                                        "A",      "B",      "A",      "XXWXYZ", "ES"};
    /* a second entry on an instrument is rejected: its first is open */
    static const int accepted[] = {1, 1, 1, 0, 0, 1, 1, 0, 0, 1};
    char pos[sizeof(turns) / sizeof(turns[0])][TC_ID_BUFSZ], want[2 * TC_ID_BUFSZ + 64];
    struct world w;
    struct tc_signal_outcome o;
    struct tc_position p;
    struct tc_error err = {0};

    (void)state;
    world_open(&w);
    for (size_t k = 0; k < sizeof(turns) / sizeof(turns[0]); k++) {
        tc_assert_ok(entry(&w, turns[k], "1", (int)k, &o, &err), &err);
        assert_int_equal(o.status, accepted[k] ? TC_SIGNAL_ACCEPTED : TC_SIGNAL_REJECTED);
        if (accepted[k]) {
            tc_assert_ok(tc_ledger_position_get(w.l, o.position_id, &p, &err), &err);
            assert_string_equal(p.instrument_id, turns[k]);
            snprintf(pos[k], sizeof(pos[k]), "%s", o.position_id);
        } else {
            /* a second base entry on the same instrument: the first one's
             * position named */
            size_t j = 0;
            while (strcmp(turns[j], turns[k]) != 0)
                j++;
            snprintf(want, sizeof(want), "already has an open base position \"%s\" in \"%s\"",
                     pos[j], turns[k]);
            assert_non_null(strstr(o.reason, want));
        }
    }
    tc_assert_ok(entry(&w, "CCWXYZ", "1", 99, &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_REJECTED);
    assert_string_equal(o.reason, "instrument \"CCWXYZ\" not found");
    tc_assert_ok(entry(&w, "C", "1", 98, &o, &err), &err);
    assert_string_equal(o.reason, "instrument \"C\" not found");
    tc_ledger_close(w.l);
}

/* Fill ids are numbers of the same sequence: the ids after them are those
 * of ids made as text, across a change of the prefix; a fill whose id would
 * be too long is refused, counts its number (as tc_ledger_seq_id does) and
 * writes nothing; the same fill goes in after. */
static void test_fill_ids_by_number(void **state)
{
    struct world w;
    struct tc_signal_outcome a, b, c;
    struct tc_error err = {0};
    struct tc_fill f;
    int applied = -1;

    (void)state;
    world_open(&w);
    tc_assert_ok(entry(&w, "ES", "3", 1, &a, &err), &err);
    tc_assert_ok(entry(&w, "NQ", "3", 2, &b, &err), &err);
    assert_string_equal(a.position_id, "pos-t-1");
    assert_string_equal(a.order_id, "ord-t-2");
    assert_string_equal(b.position_id, "pos-t-3");
    fill_of(&f, a.fingerprint, "e-1", "1", "100");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    fill_of(&f, b.fingerprint, "e-2", "1", "100");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(w.ids.n, 6); /* fill-t-5, fill-t-6 */
    snprintf(w.ids.prefix, sizeof(w.ids.prefix), "u");
    fill_of(&f, a.fingerprint, "e-3", "1", "100");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(w.ids.n, 7);
    tc_assert_ok(entry(&w, "A", "3", 3, &c, &err), &err);
    assert_string_equal(c.position_id, "pos-u-8");
    assert_string_equal(c.order_id, "ord-u-9");
    /* "fill-" + 40 + "-" + 19 digits is 65 bytes: refused */
    memset(w.ids.prefix, 'p', TC_LEDGER_SEQ_PREFIX_MAX);
    w.ids.prefix[TC_LEDGER_SEQ_PREFIX_MAX] = '\0';
    w.ids.n = UINT64_C(999999999999999999);
    fill_of(&f, b.fingerprint, "e-4", "1", "100");
    applied = -1;
    assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_ERANGE);
    assert_non_null(strstr(tc_error_msg(&err), "fill \"e-4\": the fill id generator failed"));
    assert_int_equal(applied, 0);
    assert_true(w.ids.n == UINT64_C(1000000000000000000));
    assert_position(&w, b.position_id, "NQ", "1", "100");
    w.ids.n = 40;
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    assert_int_equal(w.ids.n, 41);
    assert_position(&w, b.position_id, "NQ", "2", "100");
    tc_ledger_close(w.l);
}

/* The prefix's id texts kept while the caller's prefix is the same (its
 * bytes compared eight at a time): for prefixes of 1 to 40 bytes, a change
 * of its first, middle or last byte or of its length shows in the next id. */
static void test_prefix_changes(void **state)
{
    static const size_t lens[] = {1, 2, 7, 8, 9, 15, 16, 17, 39, 40};
    (void)state;
    for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
        size_t len = lens[li], at[3] = {0, lens[li] / 2, lens[li] - 1};
        struct world w;
        struct tc_signal_outcome o;
        struct tc_error err = {0};
        char want[TC_ID_BUFSZ];
        int n = 1;

        world_open(&w);
        memset(w.ids.prefix, 0, sizeof(w.ids.prefix));
        for (size_t k = 0; k < len; k++)
            w.ids.prefix[k] = (char)('a' + k % 26);
        tc_assert_ok(entry(&w, INSTS[0], "1", 1, &o, &err), &err);
        snprintf(want, sizeof(want), "pos-%s-%d", w.ids.prefix, n);
        assert_string_equal(o.position_id, want);
        n += 2;
        for (size_t c = 0; c < 3; c++) {
            w.ids.prefix[at[c]] = (char)('A' + c);
            tc_assert_ok(entry(&w, INSTS[1 + c], "1", (int)(2 + c), &o, &err), &err);
            snprintf(want, sizeof(want), "pos-%s-%d", w.ids.prefix, n);
            assert_string_equal(o.position_id, want);
            n += 2;
        }
        /* one byte shorter (the NUL moved in) and, below the longest, one
         * byte longer */
        w.ids.prefix[len - 1] = '\0';
        if (len > 1) {
            tc_assert_ok(entry(&w, INSTS[4], "1", 5, &o, &err), &err);
            snprintf(want, sizeof(want), "pos-%s-%d", w.ids.prefix, n);
            assert_string_equal(o.position_id, want);
            n += 2;
        }
        w.ids.prefix[len - 1] = 'y';
        if (len < TC_LEDGER_SEQ_PREFIX_MAX)
            w.ids.prefix[len] = 'z';
        tc_assert_ok(entry(&w, INSTS[5], "1", 6, &o, &err), &err);
        snprintf(want, sizeof(want), "pos-%s-%d", w.ids.prefix, n);
        assert_string_equal(o.position_id, want);
        assert_int_equal(strlen(w.ids.prefix), len < TC_LEDGER_SEQ_PREFIX_MAX ? len + 1 : len);
        tc_ledger_close(w.l);
    }
}

/* Ids at the top of the numbers, on the in-memory ledger's counted texts:
 * from 19 digits to 20 (every digit carried), a fill's id counted between
 * them, then the caller's numbers set to the last two there are. */
static void test_seq_numbers_top(void **state)
{
    struct world w;
    struct tc_signal_outcome a;
    struct tc_error err = {0};
    struct tc_fill f;
    int applied = -1;

    (void)state;
    world_open(&w);
    w.ids.n = UINT64_C(9999999999999999998);
    tc_assert_ok(entry(&w, "ES", "3", 1, &a, &err), &err);
    assert_string_equal(a.position_id, "pos-t-9999999999999999999");
    assert_string_equal(a.order_id, "ord-t-10000000000000000000");
    fill_of(&f, a.fingerprint, "e-1", "1", "100");
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    assert_true(w.ids.n == UINT64_C(10000000000000000001));
    tc_assert_ok(entry(&w, "NQ", "3", 2, &a, &err), &err);
    assert_string_equal(a.position_id, "pos-t-10000000000000000002");
    assert_string_equal(a.order_id, "ord-t-10000000000000000003");
    w.ids.n = UINT64_MAX - 2;
    tc_assert_ok(entry(&w, "A", "3", 3, &a, &err), &err);
    assert_string_equal(a.position_id, "pos-t-18446744073709551614");
    assert_string_equal(a.order_id, "ord-t-18446744073709551615");
    assert_true(w.ids.n == UINT64_MAX);
    assert_position(&w, a.position_id, "A", "0", "100");
    tc_ledger_close(w.l);
}

/* A signal's log row finished in place (made by its own transaction): a
 * fault after it drops the row with the rest, the same signal then goes in
 * as new, and its duplicate reads the finished row's outcome. */
static void test_finish_rolled_back(void **state)
{
    struct world w;
    struct tc_signal_outcome a, b;
    struct tc_error err = {0};

    (void)state;
    world_open(&w);
    w.fault_point = "signal:before_commit";
    assert_int_equal(entry(&w, "ES", "2", 1, &a, &err), TC_EIO);
    assert_non_null(strstr(tc_error_msg(&err), "fault injected at signal:before_commit"));
    w.fault_point = NULL;
    tc_error_clear(&err);
    tc_assert_ok(entry(&w, "ES", "2", 1, &a, &err), &err);
    assert_int_equal(a.status, TC_SIGNAL_ACCEPTED);
    assert_false(a.duplicate);
    assert_string_equal(a.position_id, "pos-t-3");
    assert_string_equal(a.order_id, "ord-t-4");
    assert_non_null(strstr(a.reason, "base entry: "));
    tc_assert_ok(entry(&w, "ES", "2", 1, &b, &err), &err);
    assert_true(b.duplicate);
    assert_int_equal(b.status, TC_SIGNAL_ACCEPTED);
    assert_string_equal(b.fingerprint, a.fingerprint);
    assert_string_equal(b.reason, a.reason);
    assert_string_equal(b.position_id, a.position_id);
    assert_string_equal(b.order_id, a.order_id);
    tc_ledger_close(w.l);
}

/* Text fields checked for their NUL (the last byte first, else anywhere):
 * a field without one is refused with nothing recorded nor counted; junk
 * after the NUL up to the last byte is taken. */
static void test_unterminated_fields(void **state)
{
    static const char *json =
        "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":"
        "\"ES\",\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":"
        "\"95\",\"quantity\":\"2\",\"signal_id\":\"u-1\",\"reason\":\"why\"}";
    struct world w;
    struct tc_signal sig, bad;
    struct tc_signal_outcome o;
    struct tc_error err = {0};
    struct tc_fill f;
    struct tc_position p;
    int applied = -1;

    (void)state;
    world_open(&w);
    tc_assert_ok(tc_signal_parse(json, strlen(json), &sig, &err), &err);
    for (int k = 0; k < 5; k++) {
        bad = sig;
        switch (k) {
        case 0: memset(bad.portfolio, 'x', sizeof(bad.portfolio)); break;
        case 1: memset(bad.strategy, 'x', sizeof(bad.strategy)); break;
        case 2: memset(bad.instrument, 'x', sizeof(bad.instrument)); break;
        case 3: memset(bad.reason, 'x', sizeof(bad.reason)); break;
        default: memset(bad.signal_id, 'x', sizeof(bad.signal_id)); break;
        }
        memset(&o, 0x5a, sizeof(o));
        assert_int_equal(tc_ledger_submit(w.l, &bad, &o, &err), TC_EINVAL);
        assert_string_equal(tc_error_msg(&err), "signal: a text field is not terminated");
        assert_int_equal(o.status, 0);
        assert_string_equal(o.fingerprint, "");
        assert_int_equal(w.ids.n, 0);
    }
    /* junk after each NUL, the last bytes not zero: taken as the texts */
    bad = sig;
    memset(bad.portfolio + 3, 'x', sizeof(bad.portfolio) - 3);
    memset(bad.strategy + 3, 'x', sizeof(bad.strategy) - 3);
    memset(bad.instrument + 3, 'x', sizeof(bad.instrument) - 3);
    memset(bad.reason + 4, 'x', sizeof(bad.reason) - 4);
    memset(bad.signal_id + 4, 'x', sizeof(bad.signal_id) - 4);
    tc_assert_ok(tc_ledger_submit(w.l, &bad, &o, &err), &err);
    assert_int_equal(o.status, TC_SIGNAL_ACCEPTED);
    assert_string_equal(o.fingerprint, "id:u-1");
    assert_string_equal(o.position_id, "pos-t-1");
    /* the same for a fill's ids */
    fill_of(&f, o.fingerprint, "e-1", "2", "101");
    memset(f.execution_id, 'x', sizeof(f.execution_id));
    assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_EINVAL);
    assert_string_equal(tc_error_msg(&err), "fill: execution id is longer than 127 characters");
    fill_of(&f, o.fingerprint, "e-1", "2", "101");
    memset(f.client_order_id, 'x', sizeof(f.client_order_id));
    assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_EINVAL);
    assert_string_equal(tc_error_msg(&err), "fill \"e-1\": client order id is longer than 95 "
                                            "characters");
    assert_int_equal(applied, 0);
    assert_position(&w, o.position_id, "ES", "0", "100");
    fill_of(&f, o.fingerprint, "e-1", "2", "101");
    memset(f.execution_id + 4, 'x', sizeof(f.execution_id) - 4);
    memset(f.client_order_id + strlen(f.client_order_id) + 1, 'x',
           sizeof(f.client_order_id) - strlen(f.client_order_id) - 1);
    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
    assert_int_equal(applied, 1);
    assert_position(&w, o.position_id, "ES", "2", "101");
    tc_assert_ok(tc_ledger_position_get(w.l, o.position_id, &p, &err), &err);
    assert_string_equal(p.portfolio_id, "p1");
    tc_ledger_close(w.l);
}

/* A signal with a passphrase is taken without it (the caller's signal
 * unchanged); one without is read where it is: both give the outcome of
 * the same signal that never had one. */
static void test_passphrase_left_out(void **state)
{
#define PJSON                                                                                  \
    "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":"         \
    "\"NQ\",\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":"          \
    "\"95\",\"quantity\":\"2\"%s}"
    char text[512];
    struct world w[3];
    struct tc_signal sig[3];
    struct tc_signal_outcome o[3];
    struct tc_error err = {0};

    (void)state;
    for (int k = 0; k < 3; k++) {
        world_open(&w[k]);
        snprintf(text, sizeof(text), PJSON, k == 1 ? ",\"passphrase\":\"secret\"" : "");
        tc_assert_ok(tc_signal_parse(text, strlen(text), &sig[k], &err), &err);
    }
    assert_int_equal(sig[1].has_passphrase, 1);
    /* no passphrase, but bytes after its first one */
    memset(sig[2].passphrase + 1, 'z', sizeof(sig[2].passphrase) - 1);
    for (int k = 0; k < 3; k++) {
        tc_assert_ok(tc_ledger_submit(w[k].l, &sig[k], &o[k], &err), &err);
        assert_int_equal(o[k].status, TC_SIGNAL_ACCEPTED);
    }
    assert_string_equal(sig[1].passphrase, "secret");
    assert_int_equal(sig[1].has_passphrase, 1);
    assert_string_equal(o[1].fingerprint, o[0].fingerprint);
    assert_string_equal(o[2].fingerprint, o[0].fingerprint);
    assert_string_equal(o[1].reason, o[0].reason);
    assert_string_equal(o[2].position_id, o[0].position_id);
    for (int k = 0; k < 3; k++)
        tc_ledger_close(w[k].l);
}

/* A position id already taken (the id generator set back) fails the
 * signal's transaction with nothing of it kept: no position, no slot's
 * layer, the signal not logged (the same signal goes in after). */
static void test_id_taken(void **state)
{
    struct world w;
    struct tc_signal_outcome a, b;
    struct tc_position open[4];
    struct tc_error err = {0};
    size_t n = 9;

    (void)state;
    world_open(&w);
    tc_assert_ok(entry(&w, "ES", "1", 1, &a, &err), &err);
    assert_string_equal(a.position_id, "pos-t-1");
    w.ids.n = 0;
    assert_int_equal(entry(&w, "NQ", "1", 2, &b, &err), TC_ECONFLICT);
    assert_non_null(strstr(tc_error_msg(&err), "position \"pos-t-1\": the id exists"));
    tc_assert_ok(tc_ledger_positions_open(w.l, "p1", "NQ", open, 4, &n, &err), &err);
    assert_int_equal(n, 0);
    tc_assert_ok(tc_ledger_positions_open(w.l, "p1", NULL, open, 4, &n, &err), &err);
    assert_int_equal(n, 1);
    assert_string_equal(open[0].position_id, "pos-t-1");
    assert_string_equal(open[0].instrument_id, "ES");
    w.ids.n = 2;
    tc_assert_ok(entry(&w, "NQ", "1", 2, &b, &err), &err);
    assert_int_equal(b.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(b.duplicate, 0);
    assert_string_equal(b.position_id, "pos-t-3");
    tc_assert_ok(tc_ledger_positions_open(w.l, "p1", "NQ", open, 4, &n, &err), &err);
    assert_int_equal(n, 1);
    assert_string_equal(open[0].position_id, "pos-t-3");
    tc_ledger_close(w.l);
}

/* The memory ledger's text goes in blocks of 32 KiB; offset 0 is "" and
 * each text takes its length and a NUL. Definitions whose ids fill the
 * first block up to a signal's first texts, so that the third text of the
 * signal (its position's strategy "s") ends on the block's last byte: that
 * text and the next ones (in the second block) read back whole, with
 * nothing but zeros after their NUL in the fixed-size ids returned, for
 * this position and the next ones. */
#define ARENA_BLOCK 32768
static void test_text_on_block_end(void **state)
{
    struct tc_ledger_options o;
    struct tc_manual_clock clock;
    struct tc_ledger_seq_ids ids;
    struct tc_ledger *l;
    struct tc_error err = {0};
    struct tc_instrument in;
    struct tc_portfolio_def p;
    struct tc_strategy_def st;
    struct tc_signal_outcome out;
    struct tc_position pos;
    char id[TC_ID_BUFSZ], json[512];
    size_t at = 1; /* the next text's offset */

    (void)state;
    tc_manual_clock_init(&clock, T0);
    memset(&ids, 0, sizeof(ids));
    snprintf(ids.prefix, sizeof(ids.prefix), "t");
    tc_ledger_options_default(&o);
    o.in_memory = 1;
    o.clock = &clock.clock;
    o.mode = TC_MODE_BACKTEST;
    o.run_id = "run1";
    o.id_fn = tc_ledger_seq_id;
    o.id_ud = &ids;
    tc_assert_ok(tc_ledger_open(&o, &l, &err), &err);
    tc_instrument_init(&in);
    snprintf(in.instrument_id, sizeof(in.instrument_id), "I");
    snprintf(in.market_id, sizeof(in.market_id), "XNYS");
    in.asset_class = TC_ASSET_FUTURE;
    snprintf(in.symbol, sizeof(in.symbol), "I");
    snprintf(in.currency, sizeof(in.currency), "USD");
    in.multiplier = tc_test_dec("1");
    in.status = TC_INSTRUMENT_ACTIVE;
    tc_assert_ok(tc_ledger_mem_add_instrument(l, &in, &err), &err);
    at += 2;
    memset(&st, 0, sizeof(st));
    snprintf(st.strategy_id, sizeof(st.strategy_id), "s");
    snprintf(st.name, sizeof(st.name), "s");
    st.enabled = 1;
    st.params = (char *)"{}";
    tc_assert_ok(tc_ledger_mem_add_strategy(l, &st, &err), &err);
    at += 2;
    memset(&p, 0, sizeof(p));
    snprintf(p.name, sizeof(p.name), "p");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    p.initial_capital = tc_test_dec("100000");
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "p");
    tc_assert_ok(tc_ledger_mem_add_portfolio(l, &p, &err), &err);
    at += 2;
    /* the signal's texts: "id:x" (5), "p\x1fI" (4), then "s" (2) to end
     * the block: fillers up to ARENA_BLOCK - 11 */
    for (int k = 0; at < ARENA_BLOCK - 11; k++) {
        size_t left = ARENA_BLOCK - 11 - at, len = left >= 65 ? 64 : left - 1;
        assert_true(len >= 8);
        memset(id, 'f', len);
        memcpy(id, "fill", 4);
        id[4] = (char)('a' + k / 26 % 26);
        id[5] = (char)('a' + k % 26);
        id[6] = (char)('a' + k / 676 % 26);
        id[len] = '\0';
        snprintf(p.portfolio_id, sizeof(p.portfolio_id), "%s", id);
        tc_assert_ok(tc_ledger_mem_add_portfolio(l, &p, &err), &err);
        at += len + 1;
    }
    assert_int_equal(at, ARENA_BLOCK - 11);
    for (int k = 0; k < 3; k++) {
        snprintf(json, sizeof(json),
                 "{\"type\":\"%s\",\"portfolio\":\"p\",\"strategy\":\"s\",\"instrument\":"
                 "\"I\",\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\"%s,"
                 "\"signal_id\":\"%s\"}",
                 k == 1 ? "EXIT" : "BASE_ENTRY",
                 k == 1 ? "" : ",\"stop\":\"95\",\"quantity\":\"1\"", k == 0 ? "x" : k == 1 ? "y" : "z");
        tc_assert_ok(tc_ledger_submit_signal(l, json, (size_t)-1, &out, &err), &err);
        if (k == 1) {
            /* the entry was not filled: no exit order; without a broker its
             * cancel waits (the layer stays open, marked) */
            assert_int_equal(out.status, TC_SIGNAL_ACCEPTED);
            assert_string_equal(out.order_id, "");
            continue;
        }
        assert_int_equal(out.status, k == 2 ? TC_SIGNAL_REJECTED : TC_SIGNAL_ACCEPTED);
    }
    tc_assert_ok(tc_ledger_position_get(l, "pos-t-1", &pos, &err), &err);
    assert_string_equal(pos.strategy_id, "s");
    assert_string_equal(pos.portfolio_id, "p");
    assert_string_equal(pos.instrument_id, "I");
    for (size_t k = strlen(pos.strategy_id); k < sizeof(pos.strategy_id); k++)
        assert_int_equal(pos.strategy_id[k], 0);
    assert_string_equal(pos.position_id, "pos-t-1");
    /* the texts after it, in the next block: the entry filled, exited,
     * the exit filled */
    {
        struct tc_fill f;
        int applied = 0;
        fill_of(&f, "id:x", "e-1", "1", "101");
        tc_assert_ok(tc_ledger_apply_fill(l, &f, &applied, &err), &err);
        assert_int_equal(applied, 1);
        snprintf(json, sizeof(json),
                 "{\"type\":\"EXIT\",\"portfolio\":\"p\",\"strategy\":\"s\",\"instrument\":"
                 "\"I\",\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"104\","
                 "\"signal_id\":\"w\",\"reason\":\"out at the block\"}");
        tc_assert_ok(tc_ledger_submit_signal(l, json, (size_t)-1, &out, &err), &err);
        assert_int_equal(out.status, TC_SIGNAL_ACCEPTED);
        assert_string_equal(out.position_id, "pos-t-1");
        fill_of(&f, "id:w", "e-2", "1", "104");
        memcpy(f.client_order_id + strlen("id:w:"), "X0", 3);
        tc_assert_ok(tc_ledger_apply_fill(l, &f, &applied, &err), &err);
        assert_int_equal(applied, 1);
    }
    tc_assert_ok(tc_ledger_position_get(l, "pos-t-1", &pos, &err), &err);
    assert_int_equal(pos.status, TC_POSITION_CLOSED);
    assert_string_equal(pos.strategy_id, "s");
    assert_string_equal(pos.exit_reason, "out at the block");
    assert_string_equal(pos.position_id, "pos-t-1");
    tc_ledger_close(l);
}

/* Ids of two lengths: the first position's long, every later one short (a
 * generator that writes its text and its NUL only). */
struct two_lengths {
    int n;
};

static int two_lengths_id(void *ud, const char *kind, char *buf, size_t cap)
{
    struct two_lengths *t = ud;
    int n = ++t->n == 1 && strcmp(kind, "pos") == 0
                ? snprintf(buf, cap, "pos-%s", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
                : snprintf(buf, cap, "%s-%d", kind, t->n);
    return n > 0 && (size_t)n < cap ? 0 : TC_ERANGE;
}

static void count_change(void *ud, const struct tc_position *pos, size_t npos,
                         const struct tc_portfolio_state *st)
{
    (void)pos;
    (void)st;
    *(size_t *)ud += npos;
}

/* Whether BUF (CAP bytes) holds its text and then zeroes only. */
static int zero_after_text(const char *buf, size_t cap)
{
    const char *end = memchr(buf, 0, cap);
    if (!end)
        return 0;
    for (size_t k = (size_t)(end - buf); k < cap; k++)
        if (buf[k])
            return 0;
    return 1;
}

/* An outcome's position and order ids are zeroes after their text (as the
 * outcome's other buffers): a new position's id buffer is not left with
 * what an earlier, longer id left there (the change feed on, so the entry
 * is built where the feed keeps it), for base entries and pyramid layers. */
static void test_outcome_ids_zeroed(void **state)
{
    struct tc_ledger_options o;
    struct tc_manual_clock clock;
    struct two_lengths ids = {0};
    struct tc_ledger *l;
    struct tc_error err = {0};
    struct tc_instrument in;
    struct tc_portfolio_def p;
    struct tc_strategy_def st;
    struct tc_signal_outcome out;
    size_t changed = 0;
    char json[512];
    static const char *const kinds[] = {"BASE_ENTRY", "BASE_ENTRY", "PYRAMID", "PYRAMID"};
    static const char *const insts[] = {"I", "J", "J", "I"};

    (void)state;
    tc_manual_clock_init(&clock, T0);
    tc_ledger_options_default(&o);
    o.in_memory = 1;
    o.clock = &clock.clock;
    o.mode = TC_MODE_BACKTEST;
    o.run_id = "run1";
    o.id_fn = two_lengths_id;
    o.id_ud = &ids;
    o.on_change = count_change;
    o.change_ud = &changed;
    tc_assert_ok(tc_ledger_open(&o, &l, &err), &err);
    for (int k = 0; k < 2; k++) {
        tc_instrument_init(&in);
        snprintf(in.instrument_id, sizeof(in.instrument_id), "%s", insts[k]);
        snprintf(in.market_id, sizeof(in.market_id), "XNYS");
        in.asset_class = TC_ASSET_FUTURE;
        snprintf(in.symbol, sizeof(in.symbol), "%s", insts[k]);
        snprintf(in.currency, sizeof(in.currency), "USD");
        in.multiplier = tc_test_dec("1");
        in.status = TC_INSTRUMENT_ACTIVE;
        tc_assert_ok(tc_ledger_mem_add_instrument(l, &in, &err), &err);
    }
    memset(&st, 0, sizeof(st));
    snprintf(st.strategy_id, sizeof(st.strategy_id), "s");
    snprintf(st.name, sizeof(st.name), "s");
    st.enabled = 1;
    st.params = (char *)"{\"max_pyramids\":3}";
    tc_assert_ok(tc_ledger_mem_add_strategy(l, &st, &err), &err);
    memset(&p, 0, sizeof(p));
    snprintf(p.portfolio_id, sizeof(p.portfolio_id), "p");
    snprintf(p.name, sizeof(p.name), "p");
    snprintf(p.base_currency, sizeof(p.base_currency), "USD");
    p.initial_capital = tc_test_dec("100000");
    tc_assert_ok(tc_ledger_mem_add_portfolio(l, &p, &err), &err);
    for (int k = 0; k < 4; k++) {
        snprintf(json, sizeof(json),
                 "{\"type\":\"%s\",\"portfolio\":\"p\",\"strategy\":\"s\",\"instrument\":\"%s\","
                 "\"side\":\"LONG\",\"timestamp\":\"" TS "\",\"price\":\"100\",\"stop\":\"95\","
                 "\"quantity\":\"1\",\"signal_id\":\"z-%d\"}",
                 kinds[k], insts[k], k);
        tc_assert_ok(tc_ledger_submit_signal(l, json, (size_t)-1, &out, &err), &err);
        assert_int_equal(out.status, TC_SIGNAL_ACCEPTED);
        assert_int_equal(changed, (size_t)k + 1);
        if (k == 0)
            assert_int_equal(strlen(out.position_id), 60);
        else
            assert_true(strlen(out.position_id) < 8);
        assert_true(zero_after_text(out.position_id, sizeof(out.position_id)));
        assert_true(zero_after_text(out.order_id, sizeof(out.order_id)));
        assert_true(zero_after_text(out.fingerprint, sizeof(out.fingerprint)));
        assert_true(zero_after_text(out.reason, sizeof(out.reason)));
    }
    tc_ledger_close(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fills_any_order),
        cmocka_unit_test(test_known_ids),
        cmocka_unit_test(test_known_rows),
        cmocka_unit_test(test_ids_made_outside),
        cmocka_unit_test(test_rollback_drops_keys),
        cmocka_unit_test(test_instruments_alike),
        cmocka_unit_test(test_fill_ids_by_number),
        cmocka_unit_test(test_prefix_changes),
        cmocka_unit_test(test_seq_numbers_top),
        cmocka_unit_test(test_finish_rolled_back),
        cmocka_unit_test(test_unterminated_fields),
        cmocka_unit_test(test_passphrase_left_out),
        cmocka_unit_test(test_id_taken),
        cmocka_unit_test(test_text_on_block_end),
        cmocka_unit_test(test_outcome_ids_zeroed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
