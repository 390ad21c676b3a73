/* Storage layer: every test runs against sqlite (a real file) and PostgreSQL. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/store.h"

struct backend {
    const char *name;
    char url[1024];
    int pg;
};

static struct backend sqlite_be = {"sqlite", "", 0};
static struct backend pg_be = {"postgres", "", 1};

static struct tc_store *open_store(const struct backend *be, const struct tc_store_options *opt)
{
    struct tc_store *s = NULL;
    struct tc_error err = {0};
    tc_assert_ok(tc_store_open(be->url, opt, &s, &err), &err);
    return s;
}

static void exec_ok(struct tc_store *s, const char *sql)
{
    struct tc_error err = {0};
    struct tc_txn *tx = NULL;
    tc_assert_ok(tc_store_begin(s, TC_TXN_WRITE, &tx, &err), &err);
    tc_assert_ok(tc_txn_exec_script(tx, sql, &err), &err);
    tc_assert_ok(tc_txn_commit(tx, &err), &err);
}

static int get_int_cb(const struct tc_row *row, void *ud)
{
    assert_int_equal(tc_row_int(row, 0, ud), 0);
    return 0;
}

static int64_t count_rows(struct tc_store *s, const char *table)
{
    char sql[128];
    int64_t n = -1;
    struct tc_error err = {0};
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    tc_assert_ok(tc_store_exec(s, sql, NULL, 0, get_int_cb, &n, NULL, &err), &err);
    return n;
}

/* ------------------------------------------------------------------------ */

#define NVALS 7
struct vals_row {
    int64_t id;
    int null[8];
    struct tc_dec d;
    char t[128];
    int64_t ts;
    int b;
    double f;
    char j[64];
    int64_t i;
};

struct vals_out {
    struct vals_row rows[16];
    int n;
};

static int vals_cb(const struct tc_row *row, void *ud)
{
    struct vals_out *o = ud;
    struct vals_row *r = &o->rows[o->n++];
    const char *t;

    assert_int_equal(tc_row_count(row), 8);
    assert_string_equal(tc_row_name(row, 1), "d");
    assert_int_equal(tc_row_int(row, 0, &r->id), 0);
    for (int c = 1; c < 8; c++)
        r->null[c] = tc_row_is_null(row, c);
    if (!r->null[1])
        assert_int_equal(tc_row_dec(row, 1, &r->d), 0);
    else
        assert_int_equal(tc_row_dec(row, 1, &r->d), TC_ENOTFOUND);
    if (!r->null[2]) {
        assert_int_equal(tc_row_text(row, 2, &t), 0);
        snprintf(r->t, sizeof(r->t), "%s", t);
    } else {
        assert_int_equal(tc_row_text(row, 2, &t), TC_ENOTFOUND);
    }
    if (!r->null[3])
        assert_int_equal(tc_row_time(row, 3, &r->ts), 0);
    else
        assert_int_equal(tc_row_time(row, 3, &r->ts), TC_ENOTFOUND);
    if (!r->null[4])
        assert_int_equal(tc_row_bool(row, 4, &r->b), 0);
    else
        assert_int_equal(tc_row_bool(row, 4, &r->b), TC_ENOTFOUND);
    if (!r->null[5])
        assert_int_equal(tc_row_double(row, 5, &r->f), 0);
    else
        assert_int_equal(tc_row_double(row, 5, &r->f), TC_ENOTFOUND);
    if (!r->null[6]) {
        assert_int_equal(tc_row_text(row, 6, &t), 0);
        snprintf(r->j, sizeof(r->j), "%s", t);
    }
    if (!r->null[7])
        assert_int_equal(tc_row_int(row, 7, &r->i), 0);
    else
        assert_int_equal(tc_row_int(row, 7, &r->i), TC_ENOTFOUND);
    /* out-of-range columns are refused */
    assert_int_equal(tc_row_int(row, 8, &r->i), TC_EINVAL);
    assert_int_equal(tc_row_int(row, -1, &r->i), TC_EINVAL);
    return 0;
}

static void create_vals(struct tc_store *s, int pg)
{
    exec_ok(s, "DROP TABLE IF EXISTS vals");
    exec_ok(s, pg ? "CREATE TABLE vals (id BIGINT PRIMARY KEY, d NUMERIC(20,8), t TEXT, "
                    "ts TIMESTAMPTZ, b BOOLEAN, f DOUBLE PRECISION, j JSONB, i BIGINT)"
                  : "CREATE TABLE vals (id INTEGER PRIMARY KEY, d INTEGER, t TEXT, ts TEXT, "
                    "b INTEGER, f REAL, j TEXT, i INTEGER)");
}

static const char *const INS_VALS =
    "INSERT INTO vals (id, d, t, ts, b, f, j, i) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

static void test_round_trip(void **state)
{
    const struct backend *be = *state;
    struct tc_store *s = open_store(be, NULL);
    struct tc_error err = {0};
    static struct vals_out out;
    static const char *const texts[NVALS] = {
        "plain",
        "it's \"quoted\" and 'single' \\ backslash",
        "x'); DROP TABLE instruments;--",
        "unicode: \xe2\x82\xac \xe6\x97\xa5\xe6\x9c\xac \xc3\xbc \xf0\x9f\x93\x88",
        "",
        "$1 ?1 -- not a comment /* nor this */",
        "line\nbreak\ttab",
    };
    const int64_t decs[NVALS] = {INT64_MAX, INT64_MIN, 12345678900 /* 123.456789 */, -1,
                                 0, -123456789012345, 100000000};
    const int64_t times[NVALS] = {1795301400123456, 0, 1, -86400000000 + 999999,
                                  253402300799999999 /* 9999-12-31T23:59:59.999999 */,
                                  946684800000001, 1700000000000000};
    const double dbls[NVALS] = {0.1, -2.5e-300, 1e300, 0.0, 3.141592653589793, -1.0, 42.0};
    const char *const jsons[NVALS] = {"{\"a\": 1}", "[]", "null", "\"s\"", "{}", "[1, 2]",
                                      "{\"k\": \"v\"}"};
    int64_t changes = -1;

    memset(&out, 0, sizeof(out));
    create_vals(s, be->pg);
    for (int k = 0; k < NVALS; k++) {
        struct tc_val p[8] = {TC_V_INT(k + 1),           TC_V_DEC(tc_dec_from_raw(decs[k])),
                              TC_V_TEXT(texts[k]),       TC_V_TIME(times[k]),
                              TC_V_BOOL(k % 2),          TC_V_DOUBLE(dbls[k]),
                              TC_V_JSON(jsons[k]),       TC_V_INT(INT64_MIN + k)};
        tc_assert_ok(tc_store_exec(s, INS_VALS, p, 8, NULL, NULL, &changes, &err), &err);
        assert_int_equal(changes, 1);
    }
    {
        struct tc_val p[8] = {TC_V_INT(100), TC_V_NULL, TC_V_TEXT_OR_NULL(NULL), TC_V_NULL,
                              TC_V_NULL,     TC_V_NULL, TC_V_NULL,               TC_V_NULL};
        tc_assert_ok(tc_store_exec(s, INS_VALS, p, 8, NULL, NULL, NULL, &err), &err);
    }
    tc_assert_ok(tc_store_exec(s, "SELECT id, d, t, ts, b, f, j, i FROM vals ORDER BY id", NULL, 0,
                               vals_cb, &out, &changes, &err),
                 &err);
    assert_int_equal(changes, 0); /* a SELECT changes nothing */
    assert_int_equal(out.n, NVALS + 1);
    for (int k = 0; k < NVALS; k++) {
        const struct vals_row *r = &out.rows[k];
        assert_int_equal(r->id, k + 1);
        assert_true(r->d.raw == decs[k]);
        assert_string_equal(r->t, texts[k]);
        assert_true(r->ts == times[k]);
        assert_int_equal(r->b, k % 2);
        assert_true(r->f == dbls[k]);
        assert_true(r->i == INT64_MIN + k);
        for (int c = 1; c < 8; c++)
            assert_int_equal(r->null[c], 0);
    }
    if (!be->pg)
        assert_string_equal(out.rows[0].j, "{\"a\": 1}");
    else
        assert_string_equal(out.rows[0].j, "{\"a\": 1}"); /* jsonb normal form */
    for (int c = 1; c < 8; c++)
        assert_int_equal(out.rows[NVALS].null[c], 1);
    /* the injection text is data: the table it names is untouched, vals still has every row */
    assert_int_equal(count_rows(s, "vals"), NVALS + 1);
    tc_store_close(s);
}

/* A parameter value that is the same string round-trips through a WHERE. */
static int text_cb(const struct tc_row *row, void *ud)
{
    const char *t;
    assert_int_equal(tc_row_text(row, 0, &t), 0);
    snprintf(ud, 128, "%s", t);
    return 0;
}

static void test_where_binding(void **state)
{
    const struct backend *be = *state;
    struct tc_store *s = open_store(be, NULL);
    struct tc_error err = {0};
    char got[128] = "";
    struct tc_val p[1] = {TC_V_TEXT("x'); DROP TABLE instruments;--")};

    create_vals(s, be->pg);
    {
        struct tc_val ins[8] = {TC_V_INT(1), TC_V_NULL, p[0], TC_V_NULL,
                                TC_V_NULL,   TC_V_NULL, TC_V_NULL, TC_V_NULL};
        tc_assert_ok(tc_store_exec(s, INS_VALS, ins, 8, NULL, NULL, NULL, &err), &err);
    }
    tc_assert_ok(tc_store_exec(s, "SELECT t FROM vals WHERE t = $1", p, 1, text_cb, got, NULL,
                               &err),
                 &err);
    assert_string_equal(got, "x'); DROP TABLE instruments;--");
    /* a '$1' inside a string literal is text, not a parameter */
    tc_assert_ok(tc_store_exec(s, "SELECT '$1' || t FROM vals WHERE t = $1", p, 1, text_cb, got,
                               NULL, &err),
                 &err);
    assert_string_equal(got, "$1x'); DROP TABLE instruments;--");
    /* changes: UPDATE and DELETE counts; a data-modifying WITH runs as a write */
    {
        struct tc_val up[2] = {TC_V_TEXT("renamed"), TC_V_INT(1)};
        int64_t ch = -1;
        tc_assert_ok(tc_store_exec(s, "UPDATE vals SET t = $1 WHERE id = $2", up, 2, NULL, NULL,
                                   &ch, &err),
                     &err);
        assert_int_equal(ch, 1);
        tc_assert_ok(tc_store_exec(s, "UPDATE vals SET t = $1 WHERE id = $2 + 1000", up, 2, NULL,
                                   NULL, &ch, &err),
                     &err);
        assert_int_equal(ch, 0);
        tc_assert_ok(tc_store_exec(s,
                                   "WITH gone AS (SELECT id FROM vals WHERE id = $1) "
                                   "DELETE FROM vals WHERE id IN (SELECT id FROM gone)",
                                   &up[1], 1, NULL, NULL, &ch, &err),
                     &err);
        assert_int_equal(ch, 1);
        assert_int_equal(count_rows(s, "vals"), 0);
    }
    tc_store_close(s);
}

struct len_out {
    size_t len;
    int same;
};

static char *huge_text;

static int huge_cb(const struct tc_row *row, void *ud)
{
    struct len_out *o = ud;
    const char *t;
    assert_int_equal(tc_row_text(row, 0, &t), 0);
    o->len = strlen(t);
    o->same = strcmp(t, huge_text) == 0;
    return 0;
}

static void test_huge_text(void **state)
{
    const struct backend *be = *state;
    struct tc_store *s = open_store(be, NULL);
    struct tc_error err = {0};
    struct len_out o = {0, 0};
    const size_t n = 4u << 20; /* 4 MiB */

    huge_text = malloc(n + 1);
    assert_non_null(huge_text);
    for (size_t i = 0; i < n; i++)
        huge_text[i] = (char)('a' + (i * 7) % 26);
    huge_text[n] = '\0';
    create_vals(s, be->pg);
    {
        struct tc_val p[8] = {TC_V_INT(1), TC_V_NULL, TC_V_TEXT(huge_text), TC_V_NULL,
                              TC_V_NULL,   TC_V_NULL, TC_V_NULL,            TC_V_NULL};
        tc_assert_ok(tc_store_exec(s, INS_VALS, p, 8, NULL, NULL, NULL, &err), &err);
    }
    tc_assert_ok(tc_store_exec(s, "SELECT t FROM vals WHERE id = 1", NULL, 0, huge_cb, &o, NULL,
                               &err),
                 &err);
    assert_int_equal(o.len, n);
    assert_true(o.same);
    free(huge_text);
    huge_text = NULL;
    tc_store_close(s);
}

/* ------------------------------------------------------------------------ */

static void create_items(struct tc_store *s)
{
    exec_ok(s, "DROP TABLE IF EXISTS children");
    exec_ok(s, "DROP TABLE IF EXISTS items");
    exec_ok(s, "CREATE TABLE items (id BIGINT PRIMARY KEY, code TEXT NOT NULL UNIQUE, "
               "qty BIGINT NOT NULL CONSTRAINT items_qty_positive CHECK (qty > 0))");
    exec_ok(s, "CREATE TABLE children (id BIGINT PRIMARY KEY, "
               "item_id BIGINT NOT NULL REFERENCES items(id))");
}

static int64_t qty_of(struct tc_store *s, int64_t id)
{
    struct tc_val p[1] = {TC_V_INT(id)};
    struct tc_error err = {0};
    int64_t q = -1;
    tc_assert_ok(tc_store_exec(s, "SELECT qty FROM items WHERE id = $1", p, 1, get_int_cb, &q,
                               NULL, &err),
                 &err);
    return q;
}

static void test_error_mapping(void **state)
{
    const struct backend *be = *state;
    struct tc_store *s = open_store(be, NULL);
    struct tc_error err = {0};
    const char *ins = "INSERT INTO items (id, code, qty) VALUES ($1, $2, $3)";
    struct tc_val ok[3] = {TC_V_INT(1), TC_V_TEXT("AAPL"), TC_V_INT(10)};
    struct tc_val dup_pk[3] = {TC_V_INT(1), TC_V_TEXT("MSFT"), TC_V_INT(10)};
    struct tc_val dup_code[3] = {TC_V_INT(2), TC_V_TEXT("AAPL"), TC_V_INT(10)};
    struct tc_val bad_check[3] = {TC_V_INT(3), TC_V_TEXT("IBM"), TC_V_INT(-5)};
    struct tc_val null_code[3] = {TC_V_INT(4), TC_V_NULL, TC_V_INT(5)};
    struct tc_val orphan[2] = {TC_V_INT(1), TC_V_INT(999)};
    struct tc_val nan[3] = {TC_V_INT(5), TC_V_TEXT("NAN"), TC_V_DOUBLE(0.0 / 0.0)};
    int rc;

    create_items(s);
    tc_assert_ok(tc_store_exec(s, ins, ok, 3, NULL, NULL, NULL, &err), &err);

    rc = tc_store_exec(s, ins, dup_pk, 3, NULL, NULL, NULL, &err);
    assert_int_equal(rc, TC_ECONFLICT);
    assert_int_equal(err.code, TC_ECONFLICT);
    assert_non_null(strstr(err.msg, be->pg ? "items_pkey" : "items.id"));

    rc = tc_store_exec(s, ins, dup_code, 3, NULL, NULL, NULL, &err);
    assert_int_equal(rc, TC_ECONFLICT);
    assert_non_null(strstr(err.msg, be->pg ? "items_code_key" : "items.code"));

    rc = tc_store_exec(s, ins, bad_check, 3, NULL, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_non_null(strstr(err.msg, "items_qty_positive"));

    rc = tc_store_exec(s, ins, null_code, 3, NULL, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_non_null(strstr(err.msg, be->pg ? "\"code\"" : "items.code"));

    rc = tc_store_exec(s, "INSERT INTO children (id, item_id) VALUES ($1, $2)", orphan, 2, NULL,
                       NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_non_null(strstr(err.msg, "FOREIGN KEY") ? strstr(err.msg, "FOREIGN KEY")
                                                   : strstr(err.msg, "children_item_id_fkey"));

    rc = tc_store_exec(s, "INSERT INTO items (id, code, qty) VALUES ($1, $2, $3)", nan, 3, NULL,
                       NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_non_null(strstr(err.msg, "$3 is not a finite number"));

    /* wrong parameter count */
    rc = tc_store_exec(s, ins, ok, 2, NULL, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_non_null(strstr(err.msg, "takes 3 parameters, 2 given"));

    /* a syntax error is a storage error naming the problem */
    rc = tc_store_exec(s, "SELEKT 1", NULL, 0, NULL, NULL, NULL, &err);
    assert_int_equal(rc, TC_ESTORE);
    assert_non_null(strstr(err.msg, "SELEKT"));

    /* nothing changed */
    assert_int_equal(count_rows(s, "items"), 1);
    assert_int_equal(count_rows(s, "children"), 0);
    assert_int_equal(qty_of(s, 1), 10);
    tc_store_close(s);
}

static int parse_dec_cb(const struct tc_row *row, void *ud)
{
    struct tc_dec d;
    int64_t i;
    assert_int_equal(tc_row_dec(row, 0, &d), TC_EPARSE);
    assert_int_equal(tc_row_int(row, 0, &i), TC_EPARSE);
    *(int *)ud += 1;
    return 0;
}

static void test_getter_conversion_errors(void **state)
{
    const struct backend *be = *state;
    struct tc_store *s = open_store(be, NULL);
    struct tc_error err = {0};
    struct tc_val p[1] = {TC_V_TEXT("abc")};
    int n = 0;

    tc_assert_ok(tc_store_exec(s, be->pg ? "SELECT $1::text" : "SELECT $1", p, 1, parse_dec_cb,
                               &n, NULL, &err),
                 &err);
    assert_int_equal(n, 1);
    tc_store_close(s);
}

/* ------------------------------------------------------------------------ */

struct fail_ctx {
    int calls;
    int fail_with;
};

static int insert_then_fail(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct fail_ctx *c = ud;
    struct tc_val p[3] = {TC_V_INT(7), TC_V_TEXT("TSLA"), TC_V_INT(3)};
    int rc;
    c->calls++;
    rc = tc_txn_exec(tx, "INSERT INTO items (id, code, qty) VALUES ($1, $2, $3)", p, 3, NULL,
                     NULL, NULL, err);
    if (rc)
        return rc;
    return tc_error_set(err, c->fail_with, "item 7: refused by the test");
}

static void test_txn_rollback_on_failure(void **state)
{
    const struct backend *be = *state;
    struct tc_store *s = open_store(be, NULL);
    struct tc_error err = {0};
    struct fail_ctx c = {0, TC_EREJECTED};
    int rc;

    create_items(s);
    rc = tc_store_txn(s, TC_TXN_WRITE, insert_then_fail, &c, &err);
    assert_int_equal(rc, TC_EREJECTED);
    assert_int_equal(c.calls, 1); /* not a transient code: no retry */
    assert_string_equal(err.msg, "item 7: refused by the test");
    assert_int_equal(count_rows(s, "items"), 0);

    /* a manual transaction rolled back leaves nothing either */
    {
        struct tc_txn *tx = NULL;
        struct tc_val p[3] = {TC_V_INT(8), TC_V_TEXT("GOOG"), TC_V_INT(3)};
        int64_t ch = 0;
        tc_assert_ok(tc_store_begin(s, 0, &tx, &err), &err);
        assert_ptr_equal(tc_txn_store(tx), s);
        tc_assert_ok(tc_txn_exec(tx, "INSERT INTO items (id, code, qty) VALUES ($1, $2, $3)", p,
                                 3, NULL, NULL, &ch, &err),
                     &err);
        assert_int_equal(ch, 1);
        tc_txn_rollback(tx);
        assert_int_equal(count_rows(s, "items"), 0);
        tc_assert_ok(tc_store_begin(s, 0, &tx, &err), &err);
        tc_assert_ok(tc_txn_exec(tx, "INSERT INTO items (id, code, qty) VALUES ($1, $2, $3)", p,
                                 3, NULL, NULL, NULL, &err),
                     &err);
        tc_assert_ok(tc_txn_commit(tx, &err), &err);
        assert_int_equal(count_rows(s, "items"), 1);
    }
    /* a statement that fails inside a transaction makes commit fail (postgres
     * aborts the transaction) or is simply absent (sqlite): either way the
     * earlier insert of that transaction is not half-applied */
    {
        struct tc_txn *tx = NULL;
        struct tc_val p[3] = {TC_V_INT(9), TC_V_TEXT("GOOG"), TC_V_INT(3)};
        tc_assert_ok(tc_store_begin(s, 0, &tx, &err), &err);
        assert_int_equal(tc_txn_exec(tx, "INSERT INTO items (id, code, qty) VALUES ($1, $2, $3)",
                                     p, 3, NULL, NULL, NULL, &err),
                         TC_ECONFLICT);
        tc_txn_rollback(tx);
        assert_int_equal(count_rows(s, "items"), 1);
    }
    tc_store_close(s);
}

/* ------------------------------------------------------------------------ */
/* Retry on TC_EBUSY: another connection holds a write lock; the clock's sleep
 * (between attempts) releases it after RELEASE_AFTER sleeps. */

struct lock_clock {
    struct tc_clock clock;
    int sleeps;
    int release_after; /* 0 = never */
    struct tc_txn *holder;
};

static int64_t lc_now(void *ctx) { (void)ctx; return 1700000000000000; }

static void lc_sleep(void *ctx, int64_t us)
{
    struct lock_clock *lc = ctx;
    struct tc_error err = {0};
    (void)us;
    lc->sleeps++;
    if (lc->release_after && lc->sleeps == lc->release_after && lc->holder) {
        tc_assert_ok(tc_txn_commit(lc->holder, &err), &err);
        lc->holder = NULL;
    }
}

struct bump_ctx {
    int calls;
    int pg;
};

static int bump_qty(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct bump_ctx *c = ud;
    int rc;
    c->calls++;
    if (c->pg && (rc = tc_txn_exec(tx, "SET LOCAL lock_timeout = '50ms'", NULL, 0, NULL, NULL,
                                   NULL, err)) != 0)
        return rc;
    return tc_txn_exec(tx, "UPDATE items SET qty = qty + 1 WHERE id = 1", NULL, 0, NULL, NULL,
                       NULL, err);
}

static void take_lock(struct tc_store *other, struct lock_clock *lc)
{
    struct tc_error err = {0};
    tc_assert_ok(tc_store_begin(other, TC_TXN_WRITE, &lc->holder, &err), &err);
    tc_assert_ok(tc_txn_exec(lc->holder, "UPDATE items SET qty = qty + 100 WHERE id = 1", NULL, 0,
                             NULL, NULL, NULL, &err),
                 &err);
}

static void test_txn_retry_busy(void **state)
{
    const struct backend *be = *state;
    struct tc_store_options opt;
    struct lock_clock lc = {{lc_now, lc_now, lc_sleep, NULL}, 0, 2, NULL};
    struct tc_store *s, *other;
    struct tc_error err = {0};
    struct bump_ctx c = {0, be->pg};
    struct tc_val p[3] = {TC_V_INT(1), TC_V_TEXT("AAPL"), TC_V_INT(10)};
    int rc;

    lc.clock.ctx = &lc;
    tc_store_options_default(&opt);
    opt.busy_timeout_ms = 20;
    opt.retry = (struct tc_retry_policy){5, 1000, 10000};
    opt.clock = &lc.clock;
    s = open_store(be, &opt);
    other = open_store(be, &opt);
    create_items(s);
    tc_assert_ok(tc_store_exec(s, "INSERT INTO items (id, code, qty) VALUES ($1, $2, $3)", p, 3,
                               NULL, NULL, NULL, &err),
                 &err);

    /* released after the second failed attempt: the third succeeds */
    take_lock(other, &lc);
    tc_assert_ok(tc_store_txn(s, TC_TXN_WRITE, bump_qty, &c, &err), &err);
    /* sqlite fails at BEGIN IMMEDIATE, postgres inside the function */
    assert_int_equal(c.calls, be->pg ? 3 : 1);
    assert_int_equal(lc.sleeps, 2);
    assert_null(lc.holder);
    assert_int_equal(qty_of(s, 1), 111);

    /* never released: gives up after the 5 attempts with TC_EBUSY */
    c.calls = 0;
    lc.sleeps = 0;
    lc.release_after = 0;
    take_lock(other, &lc);
    rc = tc_store_txn(s, TC_TXN_WRITE, bump_qty, &c, &err);
    assert_int_equal(rc, TC_EBUSY);
    assert_int_equal(c.calls, be->pg ? 5 : 0);
    assert_int_equal(lc.sleeps, 4);
    assert_non_null(strstr(err.msg, "after 5 attempts"));
    /* TC_TXN_NORETRY: one attempt only */
    c.calls = 0;
    lc.sleeps = 0;
    rc = tc_store_txn(s, TC_TXN_WRITE | TC_TXN_NORETRY, bump_qty, &c, &err);
    assert_int_equal(rc, TC_EBUSY);
    assert_int_equal(c.calls, be->pg ? 1 : 0);
    assert_int_equal(lc.sleeps, 0);
    assert_null(strstr(err.msg, "attempts"));
    tc_txn_rollback(lc.holder);
    lc.holder = NULL;
    assert_int_equal(qty_of(s, 1), 111); /* neither the holder's nor the failed updates */
    tc_store_close(other);
    tc_store_close(s);
}

/* ------------------------------------------------------------------------ */

static void test_bad_urls(void **state)
{
    static const struct {
        const char *url;
        const char *mention;
    } cases[] = {
        {"", "empty"},
        {"mysql://x", "mysql://x"},
        {"sqlite:", "\"sqlite:\""},
        {"sqlite://", "sqlite://"},
        {"postgresql://app:s3cret@host/db?bogus_option=1", "postgresql://app:***@host/db"},
        {"postgres://app:s3cret@%zz/db", "postgres://app:***@"},
        {"http://example/db", "http://example/db"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_store *s = (struct tc_store *)&cases; /* must be reset to NULL */
        struct tc_error err = {0};
        int rc = tc_store_open(cases[i].url, NULL, &s, &err);
        if (rc != TC_EINVAL)
            fail_msg("url \"%s\": got %s: %s", cases[i].url, tc_strerror_name(rc), err.msg);
        assert_null(s);
        if (!strstr(err.msg, cases[i].mention))
            fail_msg("url \"%s\": message \"%s\" does not name it", cases[i].url, err.msg);
        assert_null(strstr(err.msg, "s3cret"));
    }
    {
        struct tc_store *s = NULL;
        struct tc_error err = {0};
        assert_int_equal(tc_store_open(NULL, NULL, &s, &err), TC_EINVAL);
    }
    /* bad options */
    {
        struct tc_store_options opt;
        struct tc_store *s = NULL;
        struct tc_error err = {0};
        tc_store_options_default(&opt);
        opt.pool_size = 0;
        assert_int_equal(tc_store_open("sqlite::memory:", &opt, &s, &err), TC_EINVAL);
        assert_non_null(strstr(err.msg, "pool_size 0"));
        tc_store_options_default(&opt);
        opt.connect_attempts = -1;
        assert_int_equal(tc_store_open("sqlite::memory:", &opt, &s, &err), TC_EINVAL);
        assert_non_null(strstr(err.msg, "connect_attempts -1"));
        assert_null(s);
    }
}

static void test_options_default(void **state)
{
    struct tc_store_options opt;
    (void)state;
    memset(&opt, 0x55, sizeof(opt));
    tc_store_options_default(&opt);
    assert_int_equal(opt.pool_size, 4);
    assert_int_equal(opt.busy_timeout_ms, 5000);
    assert_int_equal(opt.connect_attempts, 5);
    assert_int_equal(opt.retry.max_attempts, 5);
    assert_null(opt.clock);
    assert_int_equal(opt.read_only, 0);
}

static void test_pg_unreachable(void **state)
{
    struct tc_manual_clock mc;
    struct tc_store_options opt;
    struct tc_store *s = NULL;
    struct tc_error err = {0};
    char dir[512], url[1024];
    int rc;

    (void)state;
    assert_int_equal(tc_test_tmpdir("nopg", dir, sizeof(dir)), 0);
    snprintf(url, sizeof(url), "postgresql://app:hunter2@/x?host=%s&port=5999", dir);
    tc_manual_clock_init(&mc, 1700000000000000);
    tc_store_options_default(&opt);
    opt.connect_attempts = 3;
    opt.clock = &mc.clock;
    rc = tc_store_open(url, &opt, &s, &err);
    assert_int_equal(rc, TC_EUNAVAIL);
    assert_null(s);
    assert_int_equal(mc.sleeps, 2);
    assert_non_null(strstr(err.msg, "cannot connect to postgresql://app:***@/x"));
    assert_non_null(strstr(err.msg, "after 3 attempts: "));
    assert_null(strstr(err.msg, "hunter2"));
}

static void test_sqlite_open_errors(void **state)
{
    struct tc_store *s = NULL;
    struct tc_error err = {0};
    char dir[512], url[1024], path[1024];
    FILE *f;
    int rc;

    (void)state;
    assert_int_equal(tc_test_tmpdir("sqbad", dir, sizeof(dir)), 0);
    /* a missing folder is not created */
    snprintf(url, sizeof(url), "sqlite:%s/missing/db.sqlite", dir);
    rc = tc_store_open(url, NULL, &s, &err);
    assert_int_equal(rc, TC_EUNAVAIL);
    assert_non_null(strstr(err.msg, "missing/db.sqlite"));
    snprintf(path, sizeof(path), "%s/missing", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    /* a file that is not a database */
    snprintf(path, sizeof(path), "%s/junk.db", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not an sqlite database, just text. ", f);
    fclose(f);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    rc = tc_store_open(url, NULL, &s, &err);
    assert_int_equal(rc, TC_ESTORE);
    assert_non_null(strstr(err.msg, "junk.db"));
    assert_non_null(strstr(err.msg, "not a database"));
    assert_null(s);
    /* the memory database works and says so */
    tc_assert_ok(tc_store_open("sqlite::memory:", NULL, &s, &err), &err);
    assert_string_equal(tc_store_backend_name(s), "sqlite");
    assert_int_equal(tc_store_backend(s), TC_STORE_SQLITE);
    assert_string_equal(tc_store_url_redacted(s), "sqlite::memory:");
    tc_assert_ok(tc_store_ping(s, &err), &err);
    tc_store_close(s);
    tc_store_close(NULL);
}

static void test_sqlite_pragmas_and_nesting(void **state)
{
    const struct backend *be = &sqlite_be;
    struct tc_store *s = open_store(be, NULL);
    struct tc_error err = {0};
    struct tc_txn *tx = NULL, *tx2 = NULL;
    char mode[128] = "";
    int64_t v = -1;

    (void)state;
    tc_assert_ok(tc_store_exec(s, "PRAGMA journal_mode", NULL, 0, text_cb, mode, NULL, &err),
                 &err);
    assert_string_equal(mode, "wal");
    tc_assert_ok(tc_store_exec(s, "PRAGMA synchronous", NULL, 0, get_int_cb, &v, NULL, &err),
                 &err);
    assert_int_equal(v, 2); /* FULL */
    tc_assert_ok(tc_store_exec(s, "PRAGMA foreign_keys", NULL, 0, get_int_cb, &v, NULL, &err),
                 &err);
    assert_int_equal(v, 1);
    /* a second transaction from the same thread would deadlock: refused */
    tc_assert_ok(tc_store_begin(s, 0, &tx, &err), &err);
    assert_int_equal(tc_store_begin(s, 0, &tx2, &err), TC_ESTATE);
    assert_non_null(strstr(err.msg, "already has a transaction"));
    assert_null(tx2);
    /* two statements in one exec are refused */
    assert_int_equal(tc_txn_exec(tx, "SELECT 1; SELECT 2", NULL, 0, NULL, NULL, NULL, &err),
                     TC_EINVAL);
    assert_non_null(strstr(err.msg, "more than one statement"));
    tc_txn_rollback(tx);
    tc_store_close(s);
}

static void test_pg_session(void **state)
{
    struct tc_store *s = open_store(&pg_be, NULL);
    struct tc_error err = {0};
    char tz[128] = "";
    struct tc_store_pool_stats st;

    (void)state;
    tc_assert_ok(tc_store_exec(s, "SHOW TimeZone", NULL, 0, text_cb, tz, NULL, &err), &err);
    assert_string_equal(tz, "UTC");
    tc_store_pool_stats(s, &st);
    assert_int_equal(st.size, 4);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.idle, 4);
    assert_string_equal(tc_store_backend_name(s), "postgres");
    /* a read transaction is read-only */
    {
        struct tc_txn *tx = NULL;
        tc_assert_ok(tc_store_begin(s, TC_TXN_READ, &tx, &err), &err);
        tc_store_pool_stats(s, &st);
        assert_int_equal(st.in_use, 1);
        assert_int_equal(tc_txn_exec(tx, "CREATE TABLE nope (a int)", NULL, 0, NULL, NULL, NULL,
                                     &err),
                         TC_ESTORE);
        assert_non_null(strstr(err.msg, "read-only"));
        tc_txn_rollback(tx);
    }
    tc_store_close(s);
}

/* ------------------------------------------------------------------------ */

struct pool_arg {
    struct tc_store *s;
    int ok;
    int max_in_use;
};

static int incr(struct tc_txn *tx, void *ud, struct tc_error *err)
{
    struct pool_arg *a = ud;
    struct tc_store_pool_stats st;
    tc_store_pool_stats(a->s, &st);
    if (st.in_use > a->max_in_use)
        a->max_in_use = st.in_use;
    return tc_txn_exec(tx, "UPDATE counter SET n = n + 1 WHERE id = 1", NULL, 0, NULL, NULL, NULL,
                       err);
}

static void *pool_worker(void *p)
{
    struct pool_arg *a = p;
    for (int i = 0; i < 25; i++) {
        struct tc_error err = {0};
        if (tc_store_txn(a->s, TC_TXN_WRITE, incr, a, &err) == 0)
            a->ok++;
        else
            fprintf(stderr, "pool worker: %s\n", err.msg);
    }
    return NULL;
}

static void test_pool_threads(void **state)
{
    const struct backend *be = *state;
    struct tc_store_options opt;
    struct tc_store *s;
    struct tc_error err = {0};
    pthread_t th[8];
    struct pool_arg args[8];
    int64_t n = -1;
    int max_in_use = 0;

    tc_store_options_default(&opt);
    opt.pool_size = 3;
    opt.retry.max_attempts = 20;
    s = open_store(be, &opt);
    exec_ok(s, "DROP TABLE IF EXISTS counter");
    exec_ok(s, "CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)");
    exec_ok(s, "INSERT INTO counter VALUES (1, 0)");
    for (int i = 0; i < 8; i++) {
        args[i] = (struct pool_arg){s, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, pool_worker, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].ok, 25);
        if (args[i].max_in_use > max_in_use)
            max_in_use = args[i].max_in_use;
    }
    tc_assert_ok(tc_store_exec(s, "SELECT n FROM counter WHERE id = 1", NULL, 0, get_int_cb, &n,
                               NULL, &err),
                 &err);
    assert_int_equal(n, 200);
    assert_true(max_in_use >= 1);
    assert_true(max_in_use <= (be->pg ? 3 : 1));
    tc_store_close(s);
}

static void test_pg_reconnect(void **state)
{
    struct tc_store_options opt;
    struct tc_store *s, *admin;
    struct tc_store_pool_stats st;
    struct tc_txn *t1 = NULL, *t2 = NULL;
    struct tc_error err = {0};
    int64_t others = -1, terminated = 0;

    (void)state;
    tc_store_options_default(&opt);
    opt.pool_size = 2;
    s = open_store(&pg_be, &opt);
    admin = open_store(&pg_be, NULL);
    /* both pooled connections are opened */
    tc_assert_ok(tc_store_begin(s, TC_TXN_READ, &t1, &err), &err);
    tc_assert_ok(tc_store_begin(s, TC_TXN_READ, &t2, &err), &err);
    tc_assert_ok(tc_txn_exec(t1, "SELECT 1", NULL, 0, NULL, NULL, NULL, &err), &err);
    tc_txn_rollback(t1);
    tc_txn_rollback(t2);
    tc_store_pool_stats(s, &st);
    assert_int_equal(st.reconnects, 0);

    tc_assert_ok(tc_store_exec(admin,
                               "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()",
                               NULL, 0, get_int_cb, &terminated, NULL, &err),
                 &err);
    assert_true(terminated >= 2);
    for (int i = 0; i < 100; i++) {
        tc_assert_ok(tc_store_exec(admin,
                                   "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                   "current_database() AND pid <> pg_backend_pid()",
                                   NULL, 0, get_int_cb, &others, NULL, &err),
                     &err);
        if (others == 0)
            break;
        usleep(20000);
    }
    assert_int_equal(others, 0);

    /* The implemented behaviour: a connection found dead when a transaction
     * begins is reset and the transaction succeeds on the new session. */
    tc_assert_ok(tc_store_begin(s, TC_TXN_READ, &t1, &err), &err);
    tc_assert_ok(tc_store_begin(s, TC_TXN_READ, &t2, &err), &err);
    tc_assert_ok(tc_txn_exec(t1, "SELECT 1", NULL, 0, NULL, NULL, NULL, &err), &err);
    tc_assert_ok(tc_txn_exec(t2, "SELECT 1", NULL, 0, NULL, NULL, NULL, &err), &err);
    tc_assert_ok(tc_txn_commit(t1, &err), &err);
    tc_assert_ok(tc_txn_commit(t2, &err), &err);
    tc_store_pool_stats(s, &st);
    assert_int_equal(st.reconnects, 2);

    /* A connection lost in the middle of a transaction is TC_EUNAVAIL. */
    tc_assert_ok(tc_store_begin(s, TC_TXN_READ, &t1, &err), &err);
    tc_assert_ok(tc_store_exec(admin,
                               "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()",
                               NULL, 0, get_int_cb, &terminated, NULL, &err),
                 &err);
    usleep(200000);
    assert_int_equal(tc_txn_exec(t1, "SELECT 1", NULL, 0, NULL, NULL, NULL, &err), TC_EUNAVAIL);
    assert_non_null(strstr(err.msg, "connection lost"));
    tc_txn_rollback(t1);
    /* and the next transaction succeeds again */
    tc_assert_ok(tc_store_ping(s, &err), &err);
    tc_assert_ok(tc_store_exec(s, "SELECT 1", NULL, 0, NULL, NULL, NULL, &err), &err);
    tc_store_close(admin);
    tc_store_close(s);
}

/* ------------------------------------------------------------------------ */

static int setup_sqlite(void)
{
    char dir[512];
    if (tc_test_tmpdir("store", dir, sizeof(dir)) != 0)
        return -1;
    snprintf(sqlite_be.url, sizeof(sqlite_be.url), "sqlite:%s/store.db", dir);
    return 0;
}

#define BOTH(fn)                                                                               \
    cmocka_unit_test_prestate(fn, &sqlite_be), cmocka_unit_test_prestate(fn, &pg_be)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_default),
        cmocka_unit_test(test_bad_urls),
        cmocka_unit_test(test_sqlite_open_errors),
        cmocka_unit_test(test_pg_unreachable),
        BOTH(test_round_trip),
        BOTH(test_where_binding),
        BOTH(test_huge_text),
        BOTH(test_error_mapping),
        BOTH(test_getter_conversion_errors),
        BOTH(test_txn_rollback_on_failure),
        BOTH(test_txn_retry_busy),
        BOTH(test_pool_threads),
        cmocka_unit_test(test_sqlite_pragmas_and_nesting),
        cmocka_unit_test(test_pg_session),
        cmocka_unit_test(test_pg_reconnect),
    };
    int rc;

    if (setup_sqlite() != 0 || tc_test_pg_create_db("store", pg_be.url, sizeof(pg_be.url)) != 0) {
        fprintf(stderr, "test_store: cannot set up the databases\n");
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
