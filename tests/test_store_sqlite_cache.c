/*
 * The sqlite backend's lookup shortcuts give the same answers as no
 * shortcut: a statement found by the address of its text is the one for the
 * text now at that address, a write statement still reports its row count
 * after it is found again, and remembered time parameters are the text of
 * the time bound (more distinct times than it remembers, in any order), while
 * an out-of-range time is refused naming the parameter and binds nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tradecore/clock.h"
#include "tradecore/error.h"
#include "tradecore/store.h"

static struct tc_store *open_mem(void)
{
    struct tc_store_options opt;
    struct tc_store *s = NULL;
    struct tc_error e = {0};
    tc_store_options_default(&opt);
    assert_int_equal(tc_store_open("sqlite::memory:", &opt, &s, &e), 0);
    return s;
}

static int text_cb(const struct tc_row *row, void *ud)
{
    const char *t = NULL;
    assert_int_equal(tc_row_text(row, 0, &t), 0);
    snprintf((char *)ud, 64, "%s", t);
    return 0;
}

static int count_cb(const struct tc_row *row, void *ud)
{
    int64_t v = 0;
    assert_int_equal(tc_row_int(row, 0, &v), 0);
    *(int64_t *)ud = v;
    return 0;
}

static void times_are_their_text(void **state)
{
    struct tc_store *s = open_mem();
    struct tc_txn *tx = NULL;
    struct tc_error e = {0};
    /* seven distinct times, revisited out of order: more than are remembered */
    const int64_t t[] = {0, 86400000000LL, 1, 1700000000123456LL, 86400000000LL, 253402300799999999LL,
                         -86400000000LL, 0, 1700000000123456LL, 5, 1, 0, 5};
    (void)state;
    assert_int_equal(tc_store_begin(s, TC_TXN_WRITE, &tx, &e), 0);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char got[64] = "", want[TC_TIME_STRLEN];
        struct tc_val v[] = {TC_V_TIME(t[i])};
        assert_true(tc_time_format(t[i], want, sizeof(want)) > 0);
        assert_int_equal(tc_txn_exec(tx, "SELECT $1", v, 1, text_cb, got, NULL, &e), 0);
        assert_string_equal(got, want);
    }
    tc_txn_rollback(tx);
    tc_store_close(s);
}

static void out_of_range_time_refused(void **state)
{
    struct tc_store *s = open_mem();
    struct tc_txn *tx = NULL;
    struct tc_error e = {0};
    char got[64] = "";
    struct tc_val ok[] = {TC_V_TIME(1000000)};
    struct tc_val bad[] = {TC_V_TEXT("x"), TC_V_TIME(INT64_MAX)};
    int64_t n = -1;
    (void)state;
    assert_int_equal(tc_store_begin(s, TC_TXN_WRITE, &tx, &e), 0);
    assert_int_equal(tc_txn_exec(tx, "CREATE TABLE t (a TEXT, b TEXT)", NULL, 0, NULL, NULL, NULL, &e), 0);
    assert_int_equal(tc_txn_exec(tx, "SELECT $1", ok, 1, text_cb, got, NULL, &e), 0);
    assert_int_equal(tc_txn_exec(tx, "INSERT INTO t VALUES ($1, $2)", bad, 2, NULL, NULL, &n, &e),
                     TC_ERANGE);
    assert_non_null(strstr(e.msg, "parameter $2"));
    assert_non_null(strstr(e.msg, "out of range"));
    n = -1;
    assert_int_equal(tc_txn_exec(tx, "SELECT count(*) FROM t", NULL, 0, count_cb, &n, NULL, &e), 0);
    assert_int_equal(n, 0); /* nothing inserted */
    /* the time remembered before the failure is still its own text */
    assert_int_equal(tc_txn_exec(tx, "SELECT $1", ok, 1, text_cb, got, NULL, &e), 0);
    assert_string_equal(got, "1970-01-01T00:00:01.000000Z");
    tc_txn_rollback(tx);
    tc_store_close(s);
}

static void same_address_other_text(void **state)
{
    struct tc_store *s = open_mem();
    struct tc_txn *tx = NULL;
    struct tc_error e = {0};
    char sql[64];
    int64_t v = 0, changes = -1;
    (void)state;
    assert_int_equal(tc_store_begin(s, TC_TXN_WRITE, &tx, &e), 0);
    assert_int_equal(tc_txn_exec(tx, "CREATE TABLE t (a INTEGER)", NULL, 0, NULL, NULL, NULL, &e), 0);
    /* one buffer, three different statements in turn, each run twice */
    for (int round = 0; round < 2; round++) {
        snprintf(sql, sizeof(sql), "INSERT INTO t VALUES (%d)", 7);
        changes = -1;
        assert_int_equal(tc_txn_exec(tx, sql, NULL, 0, NULL, NULL, &changes, &e), 0);
        assert_int_equal(changes, 1);
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM t");
        assert_int_equal(tc_txn_exec(tx, sql, NULL, 0, count_cb, &v, NULL, &e), 0);
        assert_int_equal(v, round + 1);
        snprintf(sql, sizeof(sql), "SELECT sum(a) * 2 FROM t");
        changes = -1;
        assert_int_equal(tc_txn_exec(tx, sql, NULL, 0, count_cb, &v, &changes, &e), 0);
        assert_int_equal(v, 14 * (round + 1));
        assert_int_equal(changes, 0); /* a read changes no rows */
    }
    snprintf(sql, sizeof(sql), "UPDATE t SET a = a + 1");
    changes = -1;
    assert_int_equal(tc_txn_exec(tx, sql, NULL, 0, NULL, NULL, &changes, &e), 0);
    assert_int_equal(changes, 2);
    snprintf(sql, sizeof(sql), "SELECT nosuch FROM t");
    assert_int_not_equal(tc_txn_exec(tx, sql, NULL, 0, NULL, NULL, NULL, &e), 0);
    assert_non_null(strstr(e.msg, "nosuch"));
    tc_txn_rollback(tx);
    tc_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(times_are_their_text),
        cmocka_unit_test(out_of_range_time_refused),
        cmocka_unit_test(same_address_other_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
