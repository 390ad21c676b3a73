/*
 * Wall-clock jumps (clock.h's offset clock, leader.h's clock option, the
 * ledger's clock): the offset file of `testing.clock_offset_file` and every
 * bad one; a leader whose wall clock jumps by three hours either way keeps
 * its leadership and its epoch, keeps writing heartbeats (stamped with the
 * jumped wall time: last_heartbeat follows the clock, backwards too), and a
 * standby whose clock jumps does not take the lease; signals submitted while
 * the clock jumps are applied once and their duplicates are still detected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tc_test.h"
#include "tc_test_ledger.h"
#include "tradecore/accounts.h"
#include "tradecore/clock.h"
#include "tradecore/leader.h"
#include "tradecore/ledger.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

#define HOUR_US (INT64_C(3600) * 1000000)

/* ---- the offset clock and its file ---- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_offset_file(void **state)
{
    struct tc_offset_clock oc;
    struct tc_error err = {0};
    char dir[512], path[600];
    static const struct {
        const char *text;
        int64_t offset_s;
    } good[] = {
        {"0", 0}, {"-10800\n", -10800}, {"  +3600 \n", 3600}, {"10800", 10800}, {"", 0},
        {" \n", 0}, {"-3155760000", -INT64_C(3155760000)},
    };
    static const struct {
        const char *text, *needle;
    } bad[] = {
        {"abc", "\"abc\" is not a number of seconds"},
        {"12x", "\"12x\" is not a number of seconds"},
        {"1e3", "\"1e3\" is not a number of seconds"},
        {"NaN", "\"NaN\" is not a number of seconds"},
        {"3 4", "\"3 4\" is not a number of seconds"},
        {"- 5", "\"- 5\" is not a number of seconds"},
        {"3155760001", "out of range"},
        {"-99999999999999999999999", "out of range"},
        {"0000000000000000000000000000000000000000000000000000000000000000001",
         "longer than 63 bytes"},
    };

    (void)state;
    assert_int_equal(tc_test_tmpdir("clock_jump", dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/offset", dir);
    tc_offset_clock_init(&oc, NULL);
    tc_offset_clock_set(&oc, 42);
    tc_assert_ok(tc_offset_clock_load(&oc, path, &err), &err); /* absent: 0 */
    assert_int_equal(tc_offset_clock_offset(&oc), 0);
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        write_file(path, good[i].text);
        tc_offset_clock_set(&oc, 42);
        tc_assert_ok(tc_offset_clock_load(&oc, path, &err), &err);
        assert_int_equal(tc_offset_clock_offset(&oc), good[i].offset_s * 1000000);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_file(path, bad[i].text);
        tc_offset_clock_set(&oc, 42);
        assert_int_equal(tc_offset_clock_load(&oc, path, &err), TC_EPARSE);
        if (!strstr(tc_error_msg(&err), bad[i].needle) || !strstr(tc_error_msg(&err), path))
            fail_msg("\"%s\": message \"%s\" lacks \"%s\" or the path", bad[i].text,
                     tc_error_msg(&err), bad[i].needle);
        assert_int_equal(tc_offset_clock_offset(&oc), 42); /* unchanged */
    }
    assert_int_equal(tc_offset_clock_load(&oc, dir, &err), TC_EIO); /* a directory */
    assert_non_null(strstr(tc_error_msg(&err), dir));
    assert_int_equal(tc_offset_clock_offset(&oc), 42);
    assert_int_equal(tc_offset_clock_load(&oc, NULL, &err), TC_EINVAL);
}

static void test_offset_clock_shifts_wall_only(void **state)
{
    struct tc_manual_clock mc;
    struct tc_offset_clock oc;

    (void)state;
    tc_manual_clock_init(&mc, 1000 * HOUR_US);
    tc_offset_clock_init(&oc, &mc.clock);
    assert_int_equal(tc_clock_now(&oc.clock), 1000 * HOUR_US);
    tc_offset_clock_set(&oc, 3 * HOUR_US);
    assert_int_equal(tc_clock_now(&oc.clock), 1003 * HOUR_US);
    assert_int_equal(tc_clock_monotonic(&oc.clock), tc_clock_monotonic(&mc.clock));
    tc_offset_clock_set(&oc, -3 * HOUR_US);
    assert_int_equal(tc_clock_now(&oc.clock), 997 * HOUR_US);
    tc_clock_sleep(&oc.clock, 5);
    assert_int_equal(mc.slept_us, 5); /* sleeps are the base clock's */
    assert_int_equal(tc_clock_now(&oc.clock), 997 * HOUR_US + 5);
}

/* ---- leaders and the ledger under jumps ---- */

static int setup_sqlite(void **state) { return tc_test_ledger_fx_setup(state, "clockjump", 0); }
static int setup_pg(void **state) { return tc_test_ledger_fx_setup(state, "clockjump", 1); }
static int teardown(void **state) { return tc_test_ledger_fx_teardown(state); }

static int int_row(const struct tc_row *row, void *ud)
{
    return tc_row_is_null(row, 0) ? 0 : tc_row_int(row, 0, ud);
}

static int64_t int_of(struct tc_store *s, const char *sql, const char *arg)
{
    int64_t n = 0;
    struct tc_error err = {0};
    struct tc_val v[] = {TC_V_TEXT(arg)};
    tc_assert_ok(tc_store_exec(s, sql, v, arg ? 1 : 0, int_row, &n, NULL, &err), &err);
    return n;
}

static int time_row(const struct tc_row *row, void *ud)
{
    return tc_row_time(row, 0, ud);
}

static int64_t heartbeat_of(struct tc_test_ledger_fx *f, const struct tc_leader *l)
{
    int64_t t = 0;
    struct tc_error err = {0};
    struct tc_val v[] = {TC_V_TEXT(tc_leader_instance_id(l))};
    tc_assert_ok(tc_store_exec(f->rt, "SELECT last_heartbeat FROM instance_metadata "
                                      "WHERE instance_id = $1",
                               v, 1, time_row, &t, NULL, &err),
                 &err);
    return t;
}

static void submit(struct tc_ledger *l, const char *id, int64_t ts_us, int want_dup)
{
    char body[512], ts[40];
    struct tc_signal_outcome o;
    struct tc_error err = {0};

    tc_time_format(ts_us, ts, sizeof(ts));
    snprintf(body, sizeof(body),
             "{\"type\":\"%s\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":"
             "\"ORCL\",\"side\":\"LONG\",\"timestamp\":\"%s\",\"price\":\"10\",\"quantity\":\"5\","
             "\"signal_id\":\"%s\"}",
             "BASE_ENTRY", ts, id);
    tc_assert_ok(tc_ledger_submit_signal(l, body, strlen(body), &o, &err), &err);
    if (o.duplicate != want_dup)
        fail_msg("%s: duplicate %d, expected %d", id, o.duplicate, want_dup);
    /* the first entry opens the base; the later ones are refused (one open
     * base per instrument), and their duplicates say so again */
    if (o.status != (strcmp(id, "e-0") == 0 ? TC_SIGNAL_ACCEPTED : TC_SIGNAL_REJECTED))
        fail_msg("%s: status %d (%s)", id, (int)o.status, o.reason);
}

/* One leader (and on PostgreSQL a standby) through +3 h, -3 h and back,
 * each jump between polls, with signals and their duplicates between. */
static void test_jumps(void **state)
{
    struct tc_test_ledger_fx *f = *state;
    struct tc_manual_clock base, sbase;
    struct tc_offset_clock oc, soc;
    struct tc_leader_options o;
    struct tc_leader *a = NULL, *b = NULL;
    struct tc_ledger_options lo;
    struct tc_ledger *l = NULL;
    struct tc_error err = {0};
    static const int64_t jumps[] = {0, 3 * HOUR_US, -3 * HOUR_US, 3 * HOUR_US, 0, -3 * HOUR_US};
    int64_t start = tc_clock_now(NULL), epoch, prev_beat = 0;
    char id[32];

    tc_manual_clock_init(&base, start);
    tc_offset_clock_init(&oc, &base.clock);
    memset(&o, 0, sizeof(o));
    o.runtime = f->rt;
    o.runtime_url = f->url;
    o.address = "127.0.0.1:1";
    o.mode = "PAPER";
    o.heartbeat_ms = 20;
    o.lease_ms = 200;
    o.clock = &oc.clock;
    tc_assert_ok(tc_leader_new(&o, &a, &err), &err);
    tc_assert_ok(tc_leader_step(a, NULL, NULL, &err), &err);
    assert_true(tc_leader_is_leader(a));
    epoch = tc_leader_epoch(a);
    assert_true(epoch > 0);
    if (f->pg) {
        tc_manual_clock_init(&sbase, start);
        tc_offset_clock_init(&soc, &sbase.clock);
        o.address = "127.0.0.1:2";
        o.clock = &soc.clock;
        tc_assert_ok(tc_leader_new(&o, &b, &err), &err);
        tc_assert_ok(tc_leader_step(b, NULL, NULL, &err), &err);
        assert_false(tc_leader_is_leader(b));
    }
    tc_ledger_options_default(&lo);
    lo.runtime = lo.historical = f->rt;
    lo.fence = tc_leader_fence;
    lo.fence_ud = a;
    lo.clock = &oc.clock;
    tc_assert_ok(tc_ledger_open(&lo, &l, &err), &err);

    for (size_t j = 0; j < sizeof(jumps) / sizeof(jumps[0]); j++) {
        int64_t beat;
        tc_offset_clock_set(&oc, jumps[j]);
        if (b)
            tc_offset_clock_set(&soc, -jumps[j]); /* the standby jumps the other way */
        /* a poll interval passes on the monotonic clocks (the real session
         * is confirmed on every step, whatever the wall clock says) */
        tc_clock_sleep(&base.clock, 20000);
        tc_clock_sleep(b ? &sbase.clock : &base.clock, 20000);
        tc_assert_ok(tc_leader_step(a, NULL, NULL, &err), &err);
        assert_true(tc_leader_is_leader(a));
        assert_int_equal(tc_leader_epoch(a), epoch);
        if (b) {
            tc_assert_ok(tc_leader_step(b, NULL, NULL, &err), &err);
            assert_false(tc_leader_is_leader(b));
            assert_int_equal(tc_leader_epoch(b), 0);
        }
        assert_int_equal(int_of(f->rt, "SELECT epoch FROM leader_state WHERE id = 1", NULL),
                         epoch);
        /* the heartbeat row is written at every step, stamped with the
         * jumped wall clock: it follows the clock back as well */
        beat = heartbeat_of(f, a);
        assert_int_equal(beat, tc_clock_now(&oc.clock));
        if (j > 0 && jumps[j] > jumps[j - 1])
            assert_true(beat > prev_beat);
        if (j > 0 && jumps[j] < jumps[j - 1])
            assert_true(beat < prev_beat);
        prev_beat = beat;
        /* a new signal with the jumped clock (timestamps of the real time
         * are within the skew), then every earlier one again: duplicates */
        snprintf(id, sizeof(id), "e-%zu", j);
        submit(l, id, start, 0);
        for (size_t k = 0; k <= j; k++) {
            snprintf(id, sizeof(id), "e-%zu", k);
            submit(l, id, start, 1);
        }
    }
    assert_int_equal(int_of(f->rt, "SELECT count(*) FROM signal_log", NULL),
                     (int64_t)(sizeof(jumps) / sizeof(jumps[0])));
    assert_int_equal(int_of(f->rt, "SELECT count(*) FROM signal_log WHERE fingerprint = $1",
                            "id:e-2"),
                     1);
    assert_int_equal(int_of(f->rt, "SELECT duplicate_count FROM signal_log WHERE fingerprint = $1",
                            "id:e-0"),
                     (int64_t)(sizeof(jumps) / sizeof(jumps[0])));
    {
        size_t n = 99;
        tc_assert_ok(tc_ledger_check(l, NULL, NULL, &n, &err), &err);
        assert_int_equal(n, 0);
    }
    tc_ledger_close(l);
    tc_leader_free(b);
    tc_leader_free(a);
    assert_int_equal(int_of(f->rt, "SELECT epoch FROM leader_state WHERE id = 1", NULL), epoch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offset_file),
        cmocka_unit_test(test_offset_clock_shifts_wall_only),
        cmocka_unit_test_setup_teardown(test_jumps, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_jumps, setup_pg, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
