/*
 * The store-writing side of price ingest, on sqlite and PostgreSQL: decimals
 * at the edges of the base-10000 digits PostgreSQL's binary COPY carries
 * (smallest unit, whole powers of 10000, the largest raw value) and extreme
 * volumes read back exactly; created_at is the clock's time to the
 * microsecond and source is stored byte for byte (tab, backslash, quote);
 * sqlite's 64/8/1-row statements and COPY both skip rows already stored in
 * the middle of an instrument's run (75 = 64 + 8 + 3 rows, 11 stored first).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_hist.h"
#include "tradecore/clock.h"
#include "tradecore/ingest.h"
#include "tradecore/store.h"

static int setup_sqlite(void **state) { return tc_test_hist_fx_setup(state, "ingest_write", 0); }
static int setup_pg(void **state) { return tc_test_hist_fx_setup(state, "ingest_write", 1); }
#define teardown tc_test_hist_fx_teardown

#define D(text) tc_test_dec(text)

/* 2026-03-04T05:06:07.891234Z */
static const int64_t NOW_US = 1772600767891234LL;

struct edge {
    const char *price;
    const char *volume;
};

static const struct edge edges[] = {
    {"0.00000001", "0"},
    {"0.0001", "1"},
    {"0.00010001", "9999"},
    {"0.5", "10000"},
    {"1", "100000000"},
    {"9999.9999", "9223372036854775807"},
    {"10000", "42"},
    {"10000.00000001", "7"},
    {"100000000", "8"},
    {"123456789.00001", "9"},
    {"99990000.0001", "10"},
    {"92233720368.54775807", "11"}, /* the largest raw value */
};
#define NEDGES (sizeof edges / sizeof edges[0])

struct meta {
    int64_t created;
    char source[300];
    int rows;
};

static int meta_row(const struct tc_row *row, void *ud)
{
    struct meta *m = ud;
    const char *src = NULL;
    if (tc_row_time(row, 0, &m->created) != 0 || tc_row_text(row, 1, &src) != 0 || !src)
        return TC_ESTORE;
    snprintf(m->source, sizeof m->source, "%s", src);
    m->rows++;
    return 0;
}

static void test_edge_values(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    char path[700], text[4096];
    size_t used = 0;
    struct tc_manual_clock mc;
    struct tc_ingest_options o;
    struct tc_ingest_result r;

    tc_manual_clock_init(&mc, NOW_US);
    used += (size_t)snprintf(text + used, sizeof text - used,
                             "date,symbol,open,high,low,close,volume\n");
    for (size_t i = 0; i < NEDGES; i++)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "2020-01-%02zu,EDGE,%s,%s,%s,%s,%s\n", i + 1, edges[i].price,
                                 edges[i].price, edges[i].price, edges[i].price, edges[i].volume);
    snprintf(path, sizeof path, "%s/edge.csv", f->dir);
    tc_test_write_file(path, text);

    tc_ingest_options_init(&o);
    o.market_id = "XNYS";
    o.create_instruments = 1;
    o.clock = &mc.clock;
    o.source = "tab\there back\\slash 'quote\"";
    tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
    assert_int_equal(r.inserted, (int64_t)NEDGES);
    assert_int_equal(r.unchanged, 0);

    struct tc_bar_series s;
    tc_assert_ok(tc_prices_load(f->s, "EDGE", 0, 100000, &s, &err), &err);
    assert_int_equal(s.n, NEDGES);
    for (size_t i = 0; i < NEDGES; i++) {
        struct tc_dec want = D(edges[i].price);
        int64_t vol = strtoll(edges[i].volume, NULL, 10);
        if (s.open[i].raw != want.raw || s.high[i].raw != want.raw || s.low[i].raw != want.raw ||
            s.close[i].raw != want.raw || s.adj_close[i].raw != want.raw)
            fail_msg("row %zu: %s read back as open raw %lld", i, edges[i].price,
                     (long long)s.open[i].raw);
        assert_int_equal(s.volume[i], vol);
        assert_int_equal(s.open_interest[i], 0);
    }
    tc_bar_series_release(&s);

    struct meta m = {0};
    tc_assert_ok(tc_store_exec(f->s,
                               "SELECT DISTINCT created_at, source FROM prices_daily WHERE "
                               "instrument_id = 'EDGE'",
                               NULL, 0, meta_row, &m, NULL, &err),
                 &err);
    assert_int_equal(m.rows, 1);
    assert_int_equal(m.created, NOW_US);
    assert_string_equal(m.source, o.source);

    /* the same file again: every edge value compares equal to what is stored */
    tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
    assert_int_equal(r.inserted, 0);
    assert_int_equal(r.unchanged, (int64_t)NEDGES);
}

/* Rows D0..D74 of TAIL (day i = 2021-01-01 + i), prices from i. */
static void tail_rows(char *text, size_t cap, int from, int to)
{
    size_t used = (size_t)snprintf(text, cap, "date,symbol,open,high,low,close,volume\n");
    for (int i = from; i < to; i++) {
        int y, mo, d;
        tc_civil_from_days(tc_days_from_civil(2021, 1, 1) + i, &y, &mo, &d);
        used += (size_t)snprintf(text + used, cap - used,
                                 "%04d-%02d-%02d,TAIL,%d.25,%d.5,%d,%d.125,%d\n", y, mo, d, i + 10,
                                 i + 10, i + 10, i + 10, i * 3);
    }
}

static void test_stored_rows_in_the_middle(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    char path[700], text[8192];
    struct tc_ingest_options o;
    struct tc_ingest_result r;

    tc_ingest_options_init(&o);
    o.market_id = "XNYS";
    o.create_instruments = 1;
    snprintf(path, sizeof path, "%s/tail.csv", f->dir);
    tail_rows(text, sizeof text, 30, 41); /* 11 rows in the middle first */
    tc_test_write_file(path, text);
    tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
    assert_int_equal(r.inserted, 11);

    tail_rows(text, sizeof text, 0, 75);
    tc_test_write_file(path, text);
    tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
    assert_int_equal(r.rows_read, 75);
    assert_int_equal(r.inserted, 64);
    assert_int_equal(r.unchanged, 11);

    struct tc_bar_series s;
    tc_assert_ok(tc_prices_load(f->s, "TAIL", 0, 100000, &s, &err), &err);
    assert_int_equal(s.n, 75);
    for (int i = 0; i < 75; i++) {
        char want[32];
        assert_int_equal(s.day[i], tc_days_from_civil(2021, 1, 1) + i);
        snprintf(want, sizeof want, "%d.25", i + 10);
        assert_int_equal(s.open[i].raw, D(want).raw);
        snprintf(want, sizeof want, "%d.5", i + 10);
        assert_int_equal(s.high[i].raw, D(want).raw);
        snprintf(want, sizeof want, "%d", i + 10);
        assert_int_equal(s.low[i].raw, D(want).raw);
        snprintf(want, sizeof want, "%d.125", i + 10);
        assert_int_equal(s.close[i].raw, D(want).raw);
        assert_int_equal(s.adj_close[i].raw, s.close[i].raw);
        assert_int_equal(s.volume[i], (int64_t)i * 3);
    }
    tc_bar_series_release(&s);

    /* a changed value inside the stored middle rejects the file and writes nothing */
    tail_rows(text, sizeof text, 0, 80);
    char *p = strstr(text, "2021-02-05,TAIL,45.25"); /* day 35 */
    assert_non_null(p);
    memcpy(p + strlen("2021-02-05,TAIL,"), "45.26", 5);
    tc_test_write_file(path, text);
    assert_int_equal(tc_ingest_prices_file(f->s, path, &o, &r, &err), TC_ECONFLICT);
    assert_non_null(strstr(err.msg, "tail.csv:37:"));
    assert_non_null(strstr(err.msg, "TAIL 2021-02-05 is stored with open 45.25, the file has 45.26"));
    int64_t n = -1;
    tc_assert_ok(tc_prices_count(f->s, "TAIL", &n, &err), &err);
    assert_int_equal(n, 75);
}

#define TESTS(s)                                                                     \
    cmocka_unit_test_setup_teardown(test_edge_values, s, teardown),                  \
        cmocka_unit_test_setup_teardown(test_stored_rows_in_the_middle, s, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TESTS(setup_sqlite),
        TESTS(setup_pg),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
