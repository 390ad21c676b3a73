/*
 * Leadership and fencing (leader.h, the ledger's fence): the sqlite file
 * lock admits one process; the epoch raised on election; a ledger write
 * under a stale epoch or from a follower is refused with TC_EFENCED and
 * writes nothing; on PostgreSQL exactly one of two instances leads and the
 * other takes over when the leader's session ends.
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
#include "tradecore/broker.h"
#include "tradecore/clock.h"
#include "tradecore/leader.h"
#include "tradecore/ledger.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

static int setup_sqlite(void **state) { return tc_test_ledger_fx_setup(state, "leader", 0); }
static int setup_pg(void **state) { return tc_test_ledger_fx_setup(state, "leader", 1); }
static int teardown(void **state) { return tc_test_ledger_fx_teardown(state); }

static void leader_opts(struct tc_test_ledger_fx *f, struct tc_leader_options *o, const char *addr)
{
    memset(o, 0, sizeof(*o));
    o->runtime = f->rt;
    o->runtime_url = f->url;
    o->address = addr;
    o->mode = "PAPER";
    o->heartbeat_ms = 20;
    o->lease_ms = 200;
}

static int int_row(const struct tc_row *row, void *ud)
{
    return tc_row_is_null(row, 0) ? 0 : tc_row_int(row, 0, ud);
}

static int64_t count_of(struct tc_store *s, const char *sql)
{
    int64_t n = 0;
    struct tc_error err = {0};
    tc_assert_ok(tc_store_exec(s, sql, NULL, 0, int_row, &n, NULL, &err), &err);
    return n;
}

static void signal_json(char *buf, size_t cap, const char *id)
{
    char ts[40];
    tc_time_format(tc_clock_now(tc_clock_system()), ts, sizeof(ts));
    snprintf(buf, cap,
             "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":"
             "\"ORCL\",\"side\":\"LONG\",\"timestamp\":\"%s\",\"price\":\"10\",\"quantity\":\"5\","
             "\"signal_id\":\"%s\"}",
             ts, id);
}

/* ---- sqlite: one process by file lock ---- */

static void test_sqlite_file_lock(void **state)
{
    struct tc_test_ledger_fx *f = *state;
    struct tc_leader_options o;
    struct tc_leader *a = NULL, *b = NULL;
    struct tc_error err = {0};

    leader_opts(f, &o, "127.0.0.1:1");
    tc_assert_ok(tc_leader_new(&o, &a, &err), &err);
    assert_int_equal(tc_leader_new(&o, &b, &err), TC_EBUSY);
    assert_null(b);
    assert_non_null(strstr(tc_error_msg(&err), "in use by another tradecore serve"));
    assert_non_null(strstr(tc_error_msg(&err), "both.db.lock"));
    tc_leader_free(a);
    tc_assert_ok(tc_leader_new(&o, &b, &err), &err); /* released with its holder */
    tc_leader_free(b);
}

static void test_bad_options(void **state)
{
    struct tc_test_ledger_fx *f = *state;
    struct tc_leader_options o;
    struct tc_leader *a = NULL;
    struct tc_error err = {0};

    leader_opts(f, &o, NULL);
    o.lease_ms = 10;
    assert_int_equal(tc_leader_new(&o, &a, &err), TC_ECONFIG);
    assert_non_null(strstr(tc_error_msg(&err), "server.lease_ms"));
    leader_opts(f, &o, NULL);
    o.heartbeat_ms = 5;
    assert_int_equal(tc_leader_new(&o, &a, &err), TC_ECONFIG);
    assert_non_null(strstr(tc_error_msg(&err), "server.heartbeat_ms"));
    leader_opts(f, &o, NULL);
    o.mode = "BACKTEST";
    assert_int_equal(tc_leader_new(&o, &a, &err), TC_ECONFIG);
    assert_non_null(strstr(tc_error_msg(&err), "BACKTEST"));
    assert_null(a);
}

/* ---- fencing, both backends ---- */

static void test_fence(void **state)
{
    struct tc_test_ledger_fx *f = *state;
    struct tc_leader_options o;
    struct tc_leader *a = NULL;
    struct tc_ledger_options lo;
    struct tc_ledger *l = NULL;
    struct tc_signal_outcome out;
    struct tc_error err = {0};
    char body[512], addr[TC_LEADER_ADDRESS_MAX];
    int64_t e0, epoch = 0;

    leader_opts(f, &o, "127.0.0.1:4242");
    tc_assert_ok(tc_leader_new(&o, &a, &err), &err);
    e0 = count_of(f->rt, "SELECT epoch FROM leader_state WHERE id = 1");
    tc_ledger_options_default(&lo);
    lo.runtime = lo.historical = f->rt;
    lo.fence = tc_leader_fence;
    lo.fence_ud = a;
    tc_assert_ok(tc_ledger_open(&lo, &l, &err), &err);

    /* not elected yet: refused, nothing written */
    signal_json(body, sizeof(body), "sig-0");
    assert_int_equal(tc_ledger_submit_signal(l, body, (size_t)-1, &out, &err), TC_EFENCED);
    assert_non_null(strstr(tc_error_msg(&err), "not the leader"));
    assert_int_equal(count_of(f->rt, "SELECT count(*) FROM signal_log"), 0);

    tc_assert_ok(tc_leader_step(a, NULL, NULL, &err), &err);
    assert_true(tc_leader_is_leader(a));
    assert_int_equal(tc_leader_epoch(a), e0 + 1);
    tc_assert_ok(tc_leader_current(a, addr, sizeof(addr), &epoch, &err), &err);
    assert_string_equal(addr, "127.0.0.1:4242");
    assert_int_equal(epoch, e0 + 1);
    assert_int_equal(count_of(f->rt, "SELECT count(*) FROM instance_metadata WHERE role = "
                                     "'leader' AND address = '127.0.0.1:4242'"),
                     1);

    signal_json(body, sizeof(body), "sig-1");
    tc_assert_ok(tc_ledger_submit_signal(l, body, (size_t)-1, &out, &err), &err);
    assert_int_equal(out.status, TC_SIGNAL_ACCEPTED);
    assert_int_equal(count_of(f->rt, "SELECT count(*) FROM orders"), 1);

    /* another instance took over (the epoch moved): this one is stale */
    tc_assert_ok(tc_store_exec(f->rt, "UPDATE leader_state SET epoch = epoch + 1 WHERE id = 1",
                               NULL, 0, NULL, NULL, NULL, &err),
                 &err);
    signal_json(body, sizeof(body), "sig-2");
    assert_int_equal(tc_ledger_submit_signal(l, body, (size_t)-1, &out, &err), TC_EFENCED);
    assert_non_null(strstr(tc_error_msg(&err), "stale"));
    /* a duplicate of an old signal goes through the same transaction: refused too */
    signal_json(body, sizeof(body), "sig-1");
    assert_int_equal(tc_ledger_submit_signal(l, body, (size_t)-1, &out, &err), TC_EFENCED);
    assert_int_equal(count_of(f->rt, "SELECT count(*) FROM signal_log"), 1);
    assert_int_equal(count_of(f->rt, "SELECT sum(duplicate_count) FROM signal_log"), 0);
    assert_int_equal(count_of(f->rt, "SELECT count(*) FROM orders"), 1);
    assert_int_equal(count_of(f->rt, "SELECT count(*) FROM positions"), 1);

    /* the fenced leader steps down at its next poll, then stands again
     * with a fresh epoch and writes */
    tc_assert_ok(tc_leader_step(a, NULL, NULL, &err), &err);
    assert_false(tc_leader_is_leader(a));
    for (int k = 0; k < 50 && !tc_leader_is_leader(a); k++) {
        tc_assert_ok(tc_leader_step(a, NULL, NULL, &err), &err);
        if (!tc_leader_is_leader(a))
            tc_clock_sleep(NULL, 10000);
    }
    assert_true(tc_leader_is_leader(a));
    assert_int_equal(tc_leader_epoch(a), e0 + 3);
    signal_json(body, sizeof(body), "sig-1");
    tc_assert_ok(tc_ledger_submit_signal(l, body, (size_t)-1, &out, &err), &err);
    assert_int_equal(out.duplicate, 1);
    assert_int_equal(count_of(f->rt, "SELECT sum(duplicate_count) FROM signal_log"), 1);

    tc_ledger_close(l);
    tc_leader_free(a);
    assert_int_equal(count_of(f->rt, "SELECT count(*) FROM instance_metadata WHERE role = "
                                     "'leader'"),
                     0);
}

/* ---- PostgreSQL: two instances ---- */

static void test_pg_takeover(void **state)
{
    struct tc_test_ledger_fx *f = *state;
    struct tc_leader_options o;
    struct tc_leader *a = NULL, *b = NULL;
    struct tc_error err = {0};
    char addr[TC_LEADER_ADDRESS_MAX];
    int64_t epoch = 0, ea;
    struct tc_txn *tx = NULL;

    leader_opts(f, &o, "127.0.0.1:1001");
    tc_assert_ok(tc_leader_new(&o, &a, &err), &err);
    leader_opts(f, &o, "127.0.0.1:1002");
    tc_assert_ok(tc_leader_new(&o, &b, &err), &err);
    tc_assert_ok(tc_leader_step(a, NULL, NULL, &err), &err);
    tc_assert_ok(tc_leader_step(b, NULL, NULL, &err), &err);
    tc_assert_ok(tc_leader_step(a, NULL, NULL, &err), &err);
    assert_true(tc_leader_is_leader(a));
    assert_false(tc_leader_is_leader(b)); /* exactly one */
    ea = tc_leader_epoch(a);
    assert_true(ea >= 1);
    tc_assert_ok(tc_leader_current(b, addr, sizeof(addr), &epoch, &err), &err);
    assert_string_equal(addr, "127.0.0.1:1001");

    /* the follower's writes are fenced */
    tc_assert_ok(tc_store_begin(f->rt, TC_TXN_WRITE, &tx, &err), &err);
    assert_int_equal(tc_leader_fence(tx, b, &err), TC_EFENCED);
    assert_non_null(strstr(tc_error_msg(&err), "not the leader"));
    tc_assert_ok(tc_leader_fence(tx, a, &err), &err);
    tc_txn_rollback(tx);

    /* the leader's session ends: the standby takes over at its next poll */
    tc_leader_free(a);
    {
        /* the server ends the session's backend asynchronously: poll as the
         * leader thread does, and require the takeover within the lease */
        int64_t t0 = tc_clock_monotonic(NULL);
        while (!tc_leader_is_leader(b) && tc_clock_monotonic(NULL) - t0 < o.lease_ms * 1000) {
            tc_assert_ok(tc_leader_step(b, NULL, NULL, &err), &err);
            if (!tc_leader_is_leader(b))
                tc_clock_sleep(NULL, o.heartbeat_ms * 1000);
        }
    }
    assert_true(tc_leader_is_leader(b));
    assert_int_equal(tc_leader_epoch(b), ea + 1);
    tc_assert_ok(tc_leader_current(b, addr, sizeof(addr), &epoch, &err), &err);
    assert_string_equal(addr, "127.0.0.1:1002");
    assert_int_equal(epoch, ea + 1);
    tc_leader_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sqlite_file_lock, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_bad_options, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_fence, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_fence, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_pg_takeover, setup_pg, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
