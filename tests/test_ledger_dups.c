/* The in-memory ledger's exactly-once keys with their hashes worked out
 * ahead (key_hint, before the checks of a signal and the order of a fill):
 * a signal sent again is its duplicate with its first outcome, a fill's
 * execution id is applied once whichever order it is reported against,
 * before and after the maps grow (64 -> 256 -> 1,024 slots) and after
 * transactions rolled back at and around each growth (the rolled-back key
 * goes in again, once); the backend finds a key inserted with the hint by
 * its plain hash and the other way round, the hint is the same before and
 * after a growth, and the SQL backend gives none. */
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
#define NSIG 300

struct world {
    struct tc_manual_clock clock;
    struct tc_ledger *l;
    struct tc_ledger_seq_ids ids;
    const char *fault_point;
};

/* Instrument K's id, as tc_test_mem_ledger_open names them without a list. */
static void inst_name(char *buf, size_t cap, int k) { snprintf(buf, cap, "I%03d", k); }

static void world_open(struct world *w)
{
    memset(w, 0, sizeof(*w));
    snprintf(w->ids.prefix, sizeof(w->ids.prefix), "t");
    tc_test_mem_ledger_open(&w->l, &w->clock, T0, &w->fault_point, tc_ledger_seq_id, &w->ids,
                            NULL, NINST, "10000000");
}

/* A base entry of 10 on instrument K % NINST at 100, signal id "e-<ID>"
 * (a second one on an instrument is rejected: its base is open). */
static int entry(struct world *w, int id, struct tc_signal_outcome *o, struct tc_error *err)
{
    char inst[16], sid[32];
    inst_name(inst, sizeof(inst), id % NINST);
    snprintf(sid, sizeof(sid), "e-%d", id);
    return tc_test_entry_json(w->l, inst, TS, "10", sid, o, err);
}

static void fill_to(struct tc_fill *f, const char *client_order_id, const char *exec,
                    const char *qty)
{
    tc_test_fill(f, exec, client_order_id, "", qty, "100", T0);
}

/* The quantity of position ID, as text. */
static void qty_of(struct world *w, const char *id, char *buf, size_t cap)
{
    struct tc_position p;
    struct tc_error err = {0};
    tc_assert_ok(tc_ledger_position_get(w->l, id, &p, &err), &err);
    tc_dec_format(p.quantity, buf, cap);
}

static void assert_same_outcome(const struct tc_signal_outcome *dup,
                                const struct tc_signal_outcome *first)
{
    assert_int_equal(dup->duplicate, 1);
    assert_int_equal(dup->status, first->status);
    assert_string_equal(dup->fingerprint, first->fingerprint);
    assert_string_equal(dup->reason, first->reason);
    assert_string_equal(dup->position_id, first->position_id);
    assert_string_equal(dup->order_id, first->order_id);
}

static void assert_consistent(struct world *w)
{
    struct tc_error err = {0};
    size_t nv = 99;
    tc_assert_ok(tc_ledger_check(w->l, NULL, NULL, &nv, &err), &err);
    assert_int_equal(nv, 0);
}

/* Rolled back at these counts of signals: just below, at and above each
 * growth of the log's map (its 33rd and 129th keys grow it). */
static int rolled_back(int k)
{
    return k == 31 || k == 32 || k == 33 || k == 127 || k == 128 || k == 129 || k == 250;
}

/* 300 signals (150 accepted, 150 rejected: a base already open), some
 * rolled back first; each sent again after every growth and at the end:
 * its duplicate with its first outcome, nothing else changed. */
static void test_signal_dups_across_growth(void **state)
{
    struct world w;
    static struct tc_signal_outcome o[NSIG];
    struct tc_signal_outcome d;
    struct tc_error err = {0};
    char want[64];

    (void)state;
    world_open(&w);
    for (int k = 0; k < NSIG; k++) {
        if (rolled_back(k)) {
            w.fault_point = "signal:before_commit";
            assert_int_equal(entry(&w, k, &d, &err), TC_EIO);
            snprintf(want, sizeof(want), "signal id:e-%d not recorded", k);
            assert_non_null(strstr(tc_error_msg(&err), want));
            assert_non_null(strstr(tc_error_msg(&err), "signal:before_commit"));
            w.fault_point = NULL;
        }
        tc_assert_ok(entry(&w, k, &o[k], &err), &err);
        assert_int_equal(o[k].duplicate, 0);
        snprintf(want, sizeof(want), "id:e-%d", k);
        assert_string_equal(o[k].fingerprint, want);
        assert_int_equal(o[k].status, k < NINST ? TC_SIGNAL_ACCEPTED : TC_SIGNAL_REJECTED);
        if (rolled_back(k) || k == 32 || k == 128) {
            /* every one so far again, the new one included */
            for (int j = 0; j <= k; j++) {
                tc_assert_ok(entry(&w, j, &d, &err), &err);
                assert_same_outcome(&d, &o[j]);
            }
        }
    }
    for (int j = NSIG - 1; j >= 0; j--) {
        tc_assert_ok(entry(&w, j, &d, &err), &err);
        assert_same_outcome(&d, &o[j]);
    }
    /* one position an instrument, none more */
    for (int k = 0; k < NINST; k++) {
        struct tc_position open[4];
        char inst[16];
        size_t n = 99;
        inst_name(inst, sizeof(inst), k);
        tc_assert_ok(tc_ledger_positions_open(w.l, "p1", inst, open, 4, &n, &err), &err);
        assert_int_equal(n, 1);
        assert_string_equal(open[0].position_id, o[k].position_id);
    }
    /* a body that does not parse, fingerprinted by its signal id and by
     * its bytes: each its own duplicate once in */
    {
        static const char *const bodies[] = {"{\"signal_id\":\"u-1\",\"type\":1}",
                                             "{\"type\":2,\"price\":\"x\"}"};
        for (size_t b = 0; b < 2; b++) {
            struct tc_signal_outcome first;
            tc_assert_ok(tc_ledger_submit_signal(w.l, bodies[b], (size_t)-1, &first, &err), &err);
            assert_int_equal(first.duplicate, 0);
            assert_int_equal(first.status, TC_SIGNAL_REJECTED);
            assert_non_null(strstr(first.fingerprint, b ? "body:" : "id:u-1"));
            tc_assert_ok(tc_ledger_submit_signal(w.l, bodies[b], (size_t)-1, &d, &err), &err);
            assert_same_outcome(&d, &first);
        }
    }
    assert_consistent(&w);
    tc_ledger_close(w.l);
}

/* 150 orders of 10, each filled 4 + 6 by execution ids "x-<k>-a" and
 * "x-<k>-b" (the fills' map grows at its 33rd and 129th keys), some
 * rolled back first; every id again, against its own order and against
 * another's: nothing applied, no quantity moved. */
static void test_fill_dups_across_growth(void **state)
{
    struct world w;
    static struct tc_signal_outcome o[NINST];
    struct tc_error err = {0};
    struct tc_fill f;
    char coid[TC_CLIENT_ORDER_ID_MAX], exec[32], q[TC_DEC_STRLEN];
    int applied = -1;

    (void)state;
    world_open(&w);
    for (int k = 0; k < NINST; k++) {
        tc_assert_ok(entry(&w, k, &o[k], &err), &err);
        assert_int_equal(o[k].status, TC_SIGNAL_ACCEPTED);
    }
    for (int half = 0; half < 2; half++) {
        for (int k = 0; k < NINST; k++) {
            int key = half * NINST + k; /* this fill's place in the map */
            snprintf(coid, sizeof(coid), "id:e-%d:L0", k);
            snprintf(exec, sizeof(exec), "x-%d-%c", k, half ? 'b' : 'a');
            fill_to(&f, coid, exec, half ? "6" : "4");
            if (rolled_back(key)) {
                w.fault_point = "fill:before_commit";
                applied = -1;
                assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_EIO);
                assert_non_null(strstr(tc_error_msg(&err), "fill:before_commit"));
                assert_int_equal(applied, 0);
                w.fault_point = NULL;
                qty_of(&w, o[k].position_id, q, sizeof(q));
                assert_string_equal(q, half ? "4" : "0");
            }
            tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
            assert_int_equal(applied, 1);
            if (rolled_back(key) || key == 32 || key == 128) {
                /* every one so far again: its own order, then the next's */
                for (int j = 0; j <= key; j++) {
                    int jk = j % NINST;
                    char c2[TC_CLIENT_ORDER_ID_MAX];
                    snprintf(exec, sizeof(exec), "x-%d-%c", jk, j >= NINST ? 'b' : 'a');
                    snprintf(c2, sizeof(c2), "id:e-%d:L0", jk);
                    fill_to(&f, c2, exec, "1");
                    applied = -1;
                    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
                    assert_int_equal(applied, 0);
                    snprintf(c2, sizeof(c2), "id:e-%d:L0", (jk + 1) % NINST);
                    fill_to(&f, c2, exec, "1");
                    applied = -1;
                    tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
                    assert_int_equal(applied, 0);
                }
            }
        }
    }
    for (int k = 0; k < NINST; k++) {
        qty_of(&w, o[k].position_id, q, sizeof(q));
        assert_string_equal(q, "10");
    }
    /* a fill beyond the order's quantity under a new id is refused, named */
    fill_to(&f, "id:e-7:L0", "x-new", "1");
    assert_int_equal(tc_ledger_apply_fill(w.l, &f, &applied, &err), TC_EINVAL);
    assert_non_null(strstr(tc_error_msg(&err), "fill \"x-new\": quantity 1 is more than order"));
    assert_int_equal(applied, 0);
    assert_consistent(&w);
    tc_ledger_close(w.l);
}

/* The backend's inserts with and without the hint's hash, in
 * transactions. */
struct direct {
    struct tc_ledger *l;
    int step;
    uint64_t h1;
};

static void sig_put(struct tc_ledger *l, const char *fp, uint64_t h, int want_inserted)
{
    struct tc__ledger_sig_row row;
    struct tc_signal_outcome first;
    struct tc_error e = {0};
    size_t ref = 0;
    int inserted = -1;

    memset(&row, 0, sizeof(row));
    row.fp = fp;
    row.fp_hash = h;
    tc_assert_ok(l->repo->sig_insert(l, NULL, &row, T0, &inserted, &ref, &first, &e), &e);
    assert_int_equal(inserted, want_inserted);
    if (!want_inserted)
        assert_string_equal(first.fingerprint, fp);
}

/* Inserts fill EXEC with hash H (0 none), its length given with the hash
 * every other call (fill_insert's XLEN; 0 measured). */
static void fill_put(struct tc_ledger *l, const struct tc__ledger_order *o, const char *exec,
                     uint64_t h, int want_inserted)
{
    static int turn;
    struct tc_fill f;
    struct tc_error e = {0};
    int inserted = -1;

    fill_to(&f, o->order_id, exec, "1");
    tc_assert_ok(l->repo->fill_insert(l, NULL, "", &f, h, turn++ % 2 ? strlen(exec) : 0, o, T0,
                                      &inserted, &e),
                 &e);
    assert_int_equal(inserted, want_inserted);
}

static int direct_fn(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct direct *d = ud;
    struct tc_ledger *l = d->l;
    struct tc__ledger_order o;
    char fp[32];

    (void)tx;
    if (d->step == 0) {
        /* one in plainly, found with the hint; one with it, found plainly */
        sig_put(l, "id:h-1", 0, 1);
        d->h1 = l->repo->key_hint(l, TC__LEDGER_KEY_SIG, "id:h-1", 0);
        assert_true(d->h1 != 0);
        sig_put(l, "id:h-1", d->h1, 0);
        sig_put(l, "id:h-2", l->repo->key_hint(l, TC__LEDGER_KEY_SIG, "id:h-2", 0), 1);
        sig_put(l, "id:h-2", 0, 0);
        /* 200 more (the map grows twice): the hint the same, both found */
        for (int k = 0; k < 200; k++) {
            snprintf(fp, sizeof(fp), "id:g-%d", k);
            sig_put(l, fp, k % 2 ? l->repo->key_hint(l, TC__LEDGER_KEY_SIG, fp, 0) : 0, 1);
        }
        assert_true(l->repo->key_hint(l, TC__LEDGER_KEY_SIG, "id:h-1", 0) == d->h1);
        /* the length given: the same hash */
        assert_true(l->repo->key_hint(l, TC__LEDGER_KEY_SIG, "id:h-1", 6) == d->h1);
        sig_put(l, "id:h-1", d->h1, 0);
        sig_put(l, "id:h-2", 0, 0);
        for (int k = 0; k < 200; k++) {
            snprintf(fp, sizeof(fp), "id:g-%d", k);
            sig_put(l, fp, k % 2 ? 0 : l->repo->key_hint(l, TC__LEDGER_KEY_SIG, fp, 0), 0);
        }
        return 0;
    }
    memset(&o, 0, sizeof(o));
    tc_assert_ok(l->repo->order_load(l, NULL, "id:e-0:L0", 0, &o, err), err);
    assert_int_equal(o.found, 1);
    if (d->step == 1) {
        fill_put(l, &o, "d-1", 0, 1);
        fill_put(l, &o, "d-1", l->repo->key_hint(l, TC__LEDGER_KEY_FILL, "d-1", 0), 0);
        fill_put(l, &o, "d-2", l->repo->key_hint(l, TC__LEDGER_KEY_FILL, "d-2", 0), 1);
        fill_put(l, &o, "d-2", 0, 0);
        /* the signal log's hint is not the fills' map's: the same key is
         * new there */
        fill_put(l, &o, "id:h-1", l->repo->key_hint(l, TC__LEDGER_KEY_FILL, "id:h-1", 0), 1);
        return tc_error_set(err, TC_EIO, "undo the fills");
    }
    /* after the rollback: in again, once */
    fill_put(l, &o, "d-2", 0, 1);
    fill_put(l, &o, "d-1", l->repo->key_hint(l, TC__LEDGER_KEY_FILL, "d-1", 0), 1);
    fill_put(l, &o, "d-2", l->repo->key_hint(l, TC__LEDGER_KEY_FILL, "d-2", 0), 0);
    fill_put(l, &o, "d-1", 0, 0);
    return tc_error_set(err, TC_EIO, "undo the fills");
}

static void test_backend_hash_either_way(void **state)
{
    struct world w;
    struct direct d;
    struct tc_signal_outcome o;
    struct tc_error err = {0};

    (void)state;
    world_open(&w);
    tc_assert_ok(entry(&w, 0, &o, &err), &err);
    memset(&d, 0, sizeof(d));
    d.l = w.l;
    tc_assert_ok(w.l->repo->txn(w.l, direct_fn, &d, &err), &err);
    /* the rows it made are duplicates through the public path too */
    {
        struct tc_signal_outcome dup;
        tc_assert_ok(tc_ledger_submit_signal(w.l, "{\"signal_id\":\"h-1\"}", (size_t)-1, &dup,
                                             &err),
                     &err);
        assert_int_equal(dup.duplicate, 1);
        assert_string_equal(dup.fingerprint, "id:h-1");
    }
    d.step = 1;
    assert_int_equal(w.l->repo->txn(w.l, direct_fn, &d, &err), TC_EIO);
    assert_string_equal(tc_error_msg(&err), "undo the fills");
    d.step = 2;
    assert_int_equal(w.l->repo->txn(w.l, direct_fn, &d, &err), TC_EIO);
    assert_string_equal(tc_error_msg(&err), "undo the fills");
    assert_consistent(&w);
    /* the SQL backend keeps no map: no hint */
    assert_true(tc__ledger_repo_sql.key_hint(w.l, TC__LEDGER_KEY_SIG, "id:h-1", 0) == 0);
    assert_true(tc__ledger_repo_sql.key_hint(w.l, TC__LEDGER_KEY_FILL, "d-1", 0) == 0);
    tc_ledger_close(w.l);
}

/* Positions by number (outside the positions' map) and, after 100 of
 * them, three under another prefix (in it) with numbered ones between: the
 * map made at the first of those holds an index past 100 (it is sized by
 * all the rows, not its keys only) and is read by other lookups before the
 * next key in it; each position found as itself after every signal,
 * filled through its order, a key near them not found. */
static int other_prefix(int k) { return k == 100 || k == 120 || k == 140; }

static void test_map_after_unmapped_rows(void **state)
{
    struct world w;
    static struct tc_signal_outcome o[NINST];
    struct tc_signal_outcome d;
    struct tc_error err = {0};
    struct tc_fill f;
    char coid[TC_CLIENT_ORDER_ID_MAX], exec[32], want[TC_ID_BUFSZ], q[TC_DEC_STRLEN];
    int applied = -1;

    (void)state;
    world_open(&w);
    for (int k = 0; k < NINST; k++) {
        snprintf(w.ids.prefix, sizeof(w.ids.prefix), "%s", other_prefix(k) ? "u" : "t");
        tc_assert_ok(entry(&w, k, &o[k], &err), &err);
        assert_int_equal(o[k].status, TC_SIGNAL_ACCEPTED);
        snprintf(want, sizeof(want), "pos-%s-", other_prefix(k) ? "u" : "t");
        assert_non_null(strstr(o[k].position_id, want));
        /* those in the map so far found as themselves after each */
        for (int j = 100; j <= k; j++) {
            struct tc_position p;
            char inst[16];
            if (!other_prefix(j) && j != k)
                continue;
            inst_name(inst, sizeof(inst), j);
            tc_assert_ok(tc_ledger_position_get(w.l, o[j].position_id, &p, &err), &err);
            assert_string_equal(p.position_id, o[j].position_id);
            assert_string_equal(p.instrument_id, inst);
        }
    }
    for (int k = NINST - 1; k >= 0; k--) {
        struct tc_position p;
        char inst[16];
        inst_name(inst, sizeof(inst), k);
        tc_assert_ok(tc_ledger_position_get(w.l, o[k].position_id, &p, &err), &err);
        assert_string_equal(p.position_id, o[k].position_id);
        assert_string_equal(p.instrument_id, inst);
        snprintf(coid, sizeof(coid), "id:e-%d:L0", k);
        snprintf(exec, sizeof(exec), "m-%d", k);
        fill_to(&f, coid, exec, "10");
        tc_assert_ok(tc_ledger_apply_fill(w.l, &f, &applied, &err), &err);
        assert_int_equal(applied, 1);
        qty_of(&w, o[k].position_id, q, sizeof(q));
        assert_string_equal(q, "10");
        tc_assert_ok(entry(&w, k, &d, &err), &err);
        assert_same_outcome(&d, &o[k]);
    }
    /* an id of the map's prefix beyond the last: not found, named */
    snprintf(want, sizeof(want), "pos-u-%d", 100000);
    {
        struct tc_position none;
        assert_int_equal(tc_ledger_position_get(w.l, want, &none, &err), TC_ENOTFOUND);
    }
    assert_non_null(strstr(tc_error_msg(&err), want));
    assert_consistent(&w);
    tc_ledger_close(w.l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signal_dups_across_growth),
        cmocka_unit_test(test_fill_dups_across_growth),
        cmocka_unit_test(test_backend_hash_either_way),
        cmocka_unit_test(test_map_after_unmapped_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
