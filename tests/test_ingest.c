/* Price ingest on sqlite and PostgreSQL: every data file (counts, every row
 * read back exactly, first and last rows), idempotent re-ingest, conflicting
 * overlap rejected, a table of broken rows (file:line and rule, store
 * unchanged), --skip-bad, unknown and created instruments, the long format,
 * CSV straight into series, and calendar overrides round trip. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tc_test.h"
#include "tc_test_hist.h"
#include "market/ingest_fast.h"
#include "tradecore/bars.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/ingest.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"

static int setup(void **state, int pg)
{
    static const char *const syms[] = {"ORCL", "YHOO", "NVDA", "ESTX", "FESX", "TST"};
    return tc_test_hist_fx_setup_xnys(state, "ingest", pg, syms, sizeof syms / sizeof syms[0]);
}

static int setup_sqlite(void **state) { return setup(state, 0); }
static int setup_pg(void **state) { return setup(state, 1); }

#define teardown tc_test_hist_fx_teardown

#define D(text) tc_test_dec(text)

static int64_t DAY(const char *text)
{
    int y, m, d;
    if (sscanf(text, "%d-%d-%d", &y, &m, &d) != 3)
        fail_msg("bad date %s", text);
    return tc_days_from_civil(y, m, d);
}

static int64_t count(struct tc_test_hist_fx *f, const char *id)
{
    int64_t n = -1;
    struct tc_error err = {0};
    tc_assert_ok(tc_prices_count(f->s, id, &n, &err), &err);
    return n;
}

/* Compares SERIES with every data row of the file at PATH, parsed here with a
 * plain splitter (not the library's reader). YAHOO: 7 columns with adj close. */
static void compare_with_file(const char *path, int yahoo, const struct tc_bar_series *s,
                              size_t expect_rows)
{
    char *text = tc_test_slurp(path, NULL);
    char *line = strchr(text, '\n') + 1; /* after the header */
    size_t i = 0;
    while (*line) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        char *col[7] = {0};
        int nc = 0;
        for (char *p = line; nc < 7; nc++) {
            col[nc] = p;
            char *c = strchr(p, ',');
            if (!c) {
                nc++;
                break;
            }
            *c = '\0';
            p = c + 1;
        }
        assert_int_equal(nc, 7);
        if (i >= s->n)
            fail_msg("%s: stored series has only %zu rows", path, s->n);
        struct tc_bar b;
        tc_bar_series_get(s, i, &b);
        if (b.day != DAY(col[0]) || b.open.raw != D(col[1]).raw || b.high.raw != D(col[2]).raw ||
            b.low.raw != D(col[3]).raw || b.close.raw != D(col[4]).raw)
            fail_msg("%s row %zu (%s) differs after read-back", path, i + 1, col[0]);
        if (yahoo) {
            assert_int_equal(b.adj_close.raw, D(col[5]).raw);
            assert_int_equal(b.volume, strtoll(col[6], NULL, 10));
            assert_int_equal(b.open_interest, 0);
        } else {
            assert_int_equal(b.adj_close.raw, b.close.raw);
            assert_int_equal(b.volume, strtoll(col[5], NULL, 10));
            assert_int_equal(b.open_interest, strtoll(col[6], NULL, 10));
        }
        i++;
        if (!end)
            break;
        line = end + 1;
    }
    assert_int_equal(i, expect_rows);
    assert_int_equal(s->n, expect_rows);
    free(text);
}

/* ------------------------------------------------------------------------ */

static const struct datafile {
    const char *name, *symbol; /* symbol NULL: from the file name */
    int yahoo;
    int64_t rows, inserted;
    const char *first, *last;
    /* the first and last data rows, as text */
    const char *first_row, *last_row;
} files[] = {
    {"orcl-1995-2014.txt", NULL, 1, 5036, 5036, "1995-01-03", "2014-12-31",
     "1995-01-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200", NULL},
    {"orcl-2003-2005.txt", NULL, 1, 756, 0, "2003-01-02", "2005-12-30",
     "2003-01-02,10.940000,11.250000,10.800000,11.210000,9.971185,32064900", NULL},
    {"orcl-2014.txt", NULL, 1, 252, 0, "2014-01-02", "2014-12-31",
     "2014-01-02,37.779999,38.029999,37.549999,37.840000,35.166069,18162100", NULL},
    {"yhoo-1996-2014.txt", NULL, 1, 4713, 4713, "1996-04-12", "2014-12-31",
     "1996-04-12,1.052083,1.791667,1.020833,1.375000,1.375000,408720000", NULL},
    {"yhoo-1996-2015.txt", NULL, 1, 4965, 252, "1996-04-12", "2015-12-31", NULL, NULL},
    {"yhoo-2003-2005.txt", NULL, 1, 756, 0, "2003-01-02", "2005-12-30",
     "2003-01-02,8.295000,8.830000,8.250000,8.800000,8.800000,19640400", NULL},
    {"yhoo-2014.txt", NULL, 1, 252, 0, "2014-01-02", "2014-12-31",
     "2014-01-02,40.369999,40.490002,39.310001,39.590000,39.590000,21504200", NULL},
    {"nvda-1999-2014.txt", NULL, 1, 4012, 4012, "1999-01-22", "2014-12-31",
     "1999-01-22,1.750000,1.953125,1.552083,1.640625,1.518424,67867200", NULL},
    {"nvda-2014.txt", NULL, 1, 252, 0, "2014-01-02", "2014-12-31",
     "2014-01-02,15.920000,15.980000,15.720000,15.860000,15.096152,6502300", NULL},
    {"2005-2006-day-001.txt", "ESTX", 0, 512, 512, "2005-01-03", "2006-12-29",
     "2005-01-03,2952.29,2989.61,2946.80,2970.02,0,0", NULL},
    {"2006-day-001.txt", "ESTX", 0, 255, 0, "2006-01-02", "2006-12-29",
     "2006-01-02,3578.73,3605.95,3578.73,3604.33,0,0", NULL},
    {"2006-volume-day-001.txt", "FESX", 0, 255, 255, "2006-01-02", "2006-12-29",
     "2006-01-02,3602.00,3624.00,3596.00,3617.00,164794,1511674", NULL},
};

/* Checks that bar I of S equals the CSV row TEXT (7 columns). */
static void assert_row(const struct tc_bar_series *s, long i, const char *text, int yahoo)
{
    char buf[256];
    char *col[7];
    snprintf(buf, sizeof buf, "%s", text);
    char *p = buf;
    for (int k = 0; k < 7; k++) {
        col[k] = p;
        char *c = strchr(p, ',');
        if (c) {
            *c = '\0';
            p = c + 1;
        }
    }
    assert_true(i >= 0);
    struct tc_bar b;
    tc_bar_series_get(s, (size_t)i, &b);
    assert_int_equal(b.day, DAY(col[0]));
    assert_int_equal(b.open.raw, D(col[1]).raw);
    assert_int_equal(b.high.raw, D(col[2]).raw);
    assert_int_equal(b.low.raw, D(col[3]).raw);
    assert_int_equal(b.close.raw, D(col[4]).raw);
    if (yahoo) {
        assert_int_equal(b.adj_close.raw, D(col[5]).raw);
        assert_int_equal(b.volume, strtoll(col[6], NULL, 10));
    } else {
        assert_int_equal(b.volume, strtoll(col[5], NULL, 10));
        assert_int_equal(b.open_interest, strtoll(col[6], NULL, 10));
    }
}

static void last_line_of(const char *path, char *buf, size_t cap)
{
    char *text = tc_test_slurp(path, NULL);
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    char *nl = strrchr(text, '\n');
    snprintf(buf, cap, "%s", nl + 1);
    free(text);
}

static void test_every_data_file(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};

    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        const struct datafile *d = &files[k];
        char path[1024], sym[TC_REFDATA_ID_MAX];
        struct tc_ingest_options o;
        struct tc_ingest_result r;
        snprintf(path, sizeof path, "%s/%s", tc_test_data(), d->name);
        tc_ingest_options_init(&o);
        o.symbol = d->symbol;
        tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
        assert_int_equal(r.rows_read, d->rows);
        assert_int_equal(r.inserted, d->inserted);
        assert_int_equal(r.unchanged, d->rows - d->inserted);
        assert_int_equal(r.skipped, 0);
        assert_int_equal(r.instruments, 1);
        assert_int_equal(r.instruments_created, 0);
        assert_int_equal(r.first_day, DAY(d->first));
        assert_int_equal(r.last_day, DAY(d->last));
        assert_true(r.seconds >= 0);

        /* read back the file's range and compare every row with the file */
        if (d->symbol)
            snprintf(sym, sizeof sym, "%s", d->symbol);
        else
            tc_assert_ok(tc_prices_symbol_from_path(path, sym, sizeof sym, &err), &err);
        struct tc_bar_series s;
        tc_assert_ok(tc_prices_load(f->s, sym, DAY(d->first), DAY(d->last), &s, &err), &err);
        assert_string_equal(s.instrument_id, sym);
        compare_with_file(path, d->yahoo, &s, (size_t)d->rows);
        if (d->first_row)
            assert_row(&s, 0, d->first_row, d->yahoo);
        char last[256];
        last_line_of(path, last, sizeof last);
        assert_row(&s, (long)s.n - 1, last, d->yahoo);
        tc_bar_series_release(&s);
    }
    /* totals: distinct (instrument, date) rows */
    assert_int_equal(count(f, "ORCL"), 5036);
    assert_int_equal(count(f, "YHOO"), 4965);
    assert_int_equal(count(f, "NVDA"), 4012);
    assert_int_equal(count(f, "ESTX"), 512);
    assert_int_equal(count(f, "FESX"), 255);
    assert_int_equal(count(f, NULL), 5036 + 4965 + 4012 + 512 + 255);

    /* README facts: ORCL closes range 2.061728..46.3125; ORCL adj close != close */
    struct tc_bar_series s;
    tc_assert_ok(tc_prices_load(f->s, "ORCL", INT64_MIN / 4, INT64_MAX / 4, &s, &err), &err);
    struct tc_dec lo = s.close[0], hi = s.close[0];
    int adj_differs = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (tc_dec_cmp(s.close[i], lo) < 0)
            lo = s.close[i];
        if (tc_dec_cmp(s.close[i], hi) > 0)
            hi = s.close[i];
        adj_differs |= s.close[i].raw != s.adj_close[i].raw;
    }
    assert_int_equal(lo.raw, D("2.061728").raw);
    assert_int_equal(hi.raw, D("46.312500").raw);
    assert_int_equal(hi.raw, D("46.3125").raw);
    assert_true(adj_differs);
    tc_bar_series_release(&s);

    /* a narrower window */
    tc_assert_ok(tc_prices_load(f->s, "ORCL", DAY("2014-01-01"), DAY("2014-01-03"), &s, &err),
                 &err);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.day[0], DAY("2014-01-02"));
    assert_int_equal(s.close[1].raw, D("37.619999").raw);
    tc_bar_series_release(&s);
    assert_int_equal(tc_prices_load(f->s, "ORCL", 10, 9, &s, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "after"));
    assert_int_equal(tc_prices_load(f->s, "bad id!", 0, 9, &s, &err), TC_EINVAL);
    tc_assert_ok(tc_prices_load(f->s, "NOSUCH", 0, 100000, &s, &err), &err);
    assert_int_equal(s.n, 0);
    tc_bar_series_release(&s);
}

static void test_reingest_is_noop(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    struct tc_ingest_result r;
    char path[1024];
    /* PostgreSQL loads through COPY; sqlite has no bulk op and says so */
    assert_int_equal(tc_store_can_copy(f->s), f->pg);
    if (!f->pg) {
        struct tc_txn *tx = NULL;
        tc_assert_ok(tc_store_begin(f->s, TC_TXN_WRITE, &tx, &err), &err);
        assert_int_equal(tc_txn_copy_from(tx, "COPY x FROM STDIN", NULL, NULL, NULL, &err),
                         TC_EINVAL);
        tc_txn_rollback(tx);
    }
    snprintf(path, sizeof path, "%s/nvda-1999-2014.txt", tc_test_data());
    tc_assert_ok(tc_ingest_prices_file(f->s, path, NULL, &r, &err), &err);
    assert_int_equal(r.inserted, 4012);
    struct tc_bar_series before, after;
    tc_assert_ok(tc_prices_load(f->s, "NVDA", 0, 100000, &before, &err), &err);
    tc_assert_ok(tc_ingest_prices_file(f->s, path, NULL, &r, &err), &err);
    assert_int_equal(r.rows_read, 4012);
    assert_int_equal(r.inserted, 0);
    assert_int_equal(r.unchanged, 4012);
    assert_int_equal(r.skipped, 0);
    tc_assert_ok(tc_prices_load(f->s, "NVDA", 0, 100000, &after, &err), &err);
    assert_int_equal(after.n, before.n);
    assert_memory_equal(after.close, before.close, before.n * sizeof(struct tc_dec));
    assert_memory_equal(after.volume, before.volume, before.n * sizeof(int64_t));
    assert_int_equal(count(f, NULL), 4012);
    tc_bar_series_release(&before);
    tc_bar_series_release(&after);
}

static void test_overlap_conflict(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    struct tc_ingest_result r;
    char path[1024], bad[1024];
    snprintf(path, sizeof path, "%s/orcl-2014.txt", tc_test_data());
    tc_assert_ok(tc_ingest_prices_file(f->s, path, NULL, &r, &err), &err);
    assert_int_equal(r.inserted, 252);

    /* same rows, one close changed on line 42, plus a new row at the end */
    char *text = tc_test_slurp(path, NULL);
    char *line = text;
    for (int i = 1; i < 42; i++)
        line = strchr(line, '\n') + 1;
    /* line 42 is 2014-03-03: change its close (5th column) */
    char *c = line;
    for (int k = 0; k < 4; k++)
        c = strchr(c, ',') + 1;
    assert_memory_equal(line, "2014-03-03,", 11);
    char *e = strchr(c, ',') - 1; /* the close's last digit: 38.509998 -> 38.509997 */
    *e = (char)(*e - 1);
    snprintf(bad, sizeof bad, "%s/orcl-changed.csv", f->dir);
    size_t n = strlen(text);
    char *more = malloc(n + 100);
    memcpy(more, text, n);
    snprintf(more + n, 100, "2015-01-02,40,41,39,40.5,40.5,1000\n");
    tc_test_write_file(bad, more);
    free(more);
    free(text);

    struct tc_bar_series before;
    tc_assert_ok(tc_prices_load(f->s, "ORCL", 0, 100000, &before, &err), &err);
    int rc = tc_ingest_prices_file(f->s, bad, NULL, &r, &err);
    if (rc != TC_ECONFLICT)
        fail_msg("conflict: %s %s", tc_strerror_name(rc), err.msg);
    assert_non_null(strstr(err.msg, "orcl-changed.csv:42: ORCL 2014-03-03 is stored with close 38.509998, the file has 38.509997"));
    assert_non_null(strstr(err.msg, "the file has"));
    /* nothing changed: not the new 2015 row either */
    struct tc_bar_series after;
    tc_assert_ok(tc_prices_load(f->s, "ORCL", 0, 100000, &after, &err), &err);
    assert_int_equal(after.n, 252);
    assert_memory_equal(after.close, before.close, 252 * sizeof(struct tc_dec));
    /* --skip-bad does not override a conflict */
    struct tc_ingest_options o;
    tc_ingest_options_init(&o);
    o.skip_bad = 1;
    rc = tc_ingest_prices_file(f->s, bad, &o, &r, &err);
    if (rc != TC_ECONFLICT)
        fail_msg("skip-bad conflict: %s %s", tc_strerror_name(rc), err.msg);
    assert_int_equal(count(f, "ORCL"), 252);
    tc_bar_series_release(&before);
    tc_bar_series_release(&after);
}

/* ------------------------------------------------------------------------ */

#define HDR "Date,Open,High,Low,Close,Adj Close,Volume\n"
#define ROW2 "2023-01-03,10,11,9,10.5,10.5,1000\n"
#define ROW4 "2023-01-05,10.5,12,10,11,11,3000\n"

static const struct bad_case {
    const char *label;
    const char *line3; /* NULL: the whole file is TEXT */
    const char *text;
    int code;
    const char *want;
} bad_cases[] = {
    {"bad date", "2023-13-01,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: date \"2023-13-01\" is not a valid YYYY-MM-DD date"},
    {"feb 30", "2023-02-30,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: date \"2023-02-30\" is not a valid YYYY-MM-DD date"},
    {"feb 29 of 2100", "2100-02-29,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: date \"2100-02-29\" is not a valid YYYY-MM-DD date"},
    {"apr 31", "2023-04-31,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: date \"2023-04-31\" is not a valid YYYY-MM-DD date"},
    {"loose date", "2023-1-04,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: date \"2023-1-04\" is not a valid"},
    {"slashes", "01/04/2023,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: date \"01/04/2023\" is not a valid"},
    {"non-numeric", "2023-01-04,abc,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: open \"abc\" is not a decimal number"},
    {"null", "2023-01-04,10,11,9,null,10,1", NULL, TC_EINVAL,
     "t.csv:3: close \"null\" is not a decimal number"},
    {"NaN", "2023-01-04,10,NaN,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: high \"NaN\" is not a decimal number"},
    {"empty price", "2023-01-04,10,11,,10,10,1", NULL, TC_EINVAL, "t.csv:3: low is empty"},
    {"space", "2023-01-04, 10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: open \" 10\" is not a decimal number"},
    {"too precise", "2023-01-04,10.123456789,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: open 10.123456789 has more than 8 decimal places"},
    /* too many digits is named as such, not as the too-large value the
     * message once said (both were "out of range (at most 8 decimal places)") */
    {"tiny", "2023-01-04,10,11,9,10,0.0000000000000000000000000001,1", NULL, TC_EINVAL,
     "t.csv:3: adj close 0.0000000000000000000000000001 has more than 8 decimal places"},
    {"too large", "2023-01-04,10,1234567890123456789012345678901234567890,9,10,10,1", NULL,
     TC_EINVAL,
     "t.csv:3: high 1234567890123456789012345678901234567890 is too large (at most "
     "92233720368.54775807)"},
    {"just too large", "2023-01-04,10,92233720368.54775808,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: high 92233720368.54775808 is too large (at most 92233720368.54775807)"},
    {"hex", "2023-01-04,0x10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: open \"0x10\" is not a decimal number"},
    {"inf", "2023-01-04,10,inf,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: high \"inf\" is not a decimal number"},
    {"minus zero", "2023-01-04,10,11,-0,10,10,1", NULL, TC_EINVAL, "t.csv:3: low -0 is not positive"},
    /* control bytes are quoted as \xNN, never sent to the terminal raw */
    {"escape bytes", "2023-01-04,1\x1b[2J,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: open \"1\\x1b[2J\" is not a decimal number"},
    {"escape in date", "2023-01-0\x7f,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: date \"2023-01-0\\x7f\" is not a valid YYYY-MM-DD date"},
    {"escape in volume", "2023-01-04,10,11,9,10,10,\xc3\xa9", NULL, TC_EINVAL,
     "t.csv:3: volume \"\\xc3\\xa9\" is not a number"},
    {"negative", "2023-01-04,10,11,-1.5,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: low -1.5 is not positive"},
    {"zero", "2023-01-04,0,11,9,10,10,1", NULL, TC_EINVAL, "t.csv:3: open 0 is not positive"},
    {"adj zero", "2023-01-04,10,11,9,10,0,1", NULL, TC_EINVAL,
     "t.csv:3: adj close 0 is not positive"},
    {"low > open", "2023-01-04,9,11,9.5,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: open 9 is below low 9.5"},
    {"open > high", "2023-01-04,11.5,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: open 11.5 is above high 11"},
    {"close > high", "2023-01-04,12,12.1,11,12.3,12.3,1", NULL, TC_EINVAL,
     "t.csv:3: close 12.3 is above high 12.1"},
    {"close < low", "2023-01-04,10,11,9,8.5,8.5,1", NULL, TC_EINVAL,
     "t.csv:3: close 8.5 is below low 9"},
    {"low > high", "2023-01-04,10,11,12,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: low 12 is above high 11"},
    {"negative volume", "2023-01-04,10,11,9,10,10,-5", NULL, TC_EINVAL,
     "t.csv:3: volume -5 is negative"},
    {"fractional volume", "2023-01-04,10,11,9,10,10,100.5", NULL, TC_EINVAL,
     "t.csv:3: volume 100.5 is not a whole number"},
    {"text volume", "2023-01-04,10,11,9,10,10,lots", NULL, TC_EINVAL,
     "t.csv:3: volume \"lots\" is not a number"},
    {"huge volume", "2023-01-04,10,11,9,10,10,99999999999999999999", NULL, TC_EINVAL,
     "t.csv:3: volume 99999999999999999999 is too large"},
    {"duplicate date", "2023-01-03,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: duplicate date 2023-01-03 of TST (first on line 2)"},
    {"out of order", "2023-01-02,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: date 2023-01-02 of TST is not after 2023-01-03 (line 2)"},
    {"too few columns", "2023-01-04,10,11,9,10,10", NULL, TC_EPARSE,
     "t.csv:3: expected 7 fields, found 6"},
    {"too many columns", "2023-01-04,10,11,9,10,10,1,7", NULL, TC_EPARSE,
     "t.csv:3: expected 7 fields, found 8"},
    /* a CR alone ends a CSV record: said, rather than only the fields counted */
    {"carriage return", "2023-01-04,10,11,9,10,10,1\r2023-01-05,10,11,9,10,10,1", NULL, TC_EPARSE,
     "t.csv:3: expected 7 fields, found 14 (a carriage return inside the line: lines must end in "
     "LF or CRLF)"},
    /* files joined with cat: the second header is named, not a bad date "Date" */
    {"header again", "Date,Open,High,Low,Close,Adj Close,Volume", NULL, TC_EPARSE,
     "t.csv:3: the header line again (line 1; files joined?)"},
    {"header again, byte order mark", "\xEF\xBB\xBF" "Date,Open,High,Low,Close,Adj Close,Volume",
     NULL, TC_EPARSE, "t.csv:3: the header line again (line 1; files joined?)"},
    {"byte order mark mid-file", "\xEF\xBB\xBF" "2023-01-04,10,11,9,10,10,1", NULL, TC_EINVAL,
     "t.csv:3: date \"\\xef\\xbb\\xbf2023-01-04\" is not a valid YYYY-MM-DD date"},
    {"bad quoting", "2023-01-04,\"10,11,9,10,10,1", NULL, TC_EPARSE,
     "t.csv:3: malformed CSV quoting"},
    {"empty file", NULL, "", TC_EPARSE, "t.csv: empty file (no header line)"},
    {"header only", NULL, HDR, TC_EPARSE, "t.csv:1: no data rows after the header"},
    {"header only, blank lines", NULL, HDR "\n\n", TC_EPARSE,
     "t.csv:3: no data rows after the header"},
    {"unknown header", NULL, "when,o,h,l,c,v\n" ROW2, TC_EPARSE,
     "t.csv:1: unknown header \"when,o,h,l,c,v\""},
    {"binary header", NULL, "\x1f\x8b\x08\x08\xa1\rdata\n" ROW2, TC_EPARSE,
     "t.csv:1: unknown header \"\\x1f\\x8b\\x08\\x08\\xa1\\x0ddata\" (expected"},
};

static void make_case(const struct bad_case *c, const char *path)
{
    if (!c->line3) {
        tc_test_write_file(path, c->text);
        return;
    }
    char buf[1024];
    snprintf(buf, sizeof buf, HDR ROW2 "%s\n" ROW4, c->line3);
    tc_test_write_file(path, buf);
}

static void test_bad_rows_table(void **state)
{
    struct tc_test_hist_fx *f = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/t.csv", f->dir);

    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        struct tc_error err = {0};
        struct tc_ingest_options o;
        struct tc_ingest_result r;
        struct tc_bar_set set = {0};
        make_case(c, path);
        tc_ingest_options_init(&o);
        o.symbol = "TST";
        int rc = tc_ingest_prices_file(f->s, path, &o, &r, &err);
        if (rc != c->code || !strstr(err.msg, c->want))
            fail_msg("%s: got %s \"%s\", want %s \"%s\"", c->label, tc_strerror_name(rc),
                     err.msg, tc_strerror_name(c->code), c->want);
        assert_int_equal(count(f, NULL), 0); /* the good rows were not loaded either */
        /* the same verdict without a store */
        rc = tc_prices_load_csv(path, TC_PRICES_AUTO, "TST", &set, &err);
        if (rc != c->code || !strstr(err.msg, c->want))
            fail_msg("%s (csv): got %s \"%s\"", c->label, tc_strerror_name(rc), err.msg);
        assert_int_equal(set.n, 0);
        assert_null(set.items);
    }

    /* a 10 MB line */
    {
        size_t big = 10 * 1024 * 1024;
        char *text = malloc(big + 200);
        assert_non_null(text);
        int n = snprintf(text, 200, HDR ROW2 "2023-01-04,");
        memset(text + n, '7', big);
        snprintf(text + n + big, 200, ",11,9,10,10,1\n" ROW4);
        tc_test_write_file(path, text);
        free(text);
        struct tc_error err = {0};
        struct tc_ingest_options o;
        tc_ingest_options_init(&o);
        o.symbol = "TST";
        assert_int_equal(tc_ingest_prices_file(f->s, path, &o, NULL, &err), TC_EPARSE);
        assert_non_null(strstr(err.msg, "t.csv:3: line is longer than 4096 bytes"));
        assert_int_equal(count(f, NULL), 0);
        /* skipped with --skip-bad, and the next line is read as line 4 */
        struct tc_ingest_result r;
        o.skip_bad = 1;
        tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
        assert_int_equal(r.rows_read, 3);
        assert_int_equal(r.inserted, 2);
        assert_int_equal(r.skipped, 1);
        assert_int_equal(count(f, "TST"), 2);
    }

    /* a NUL byte inside a field: quoted as \x00 (the message once ended the
     * value at the NUL, quoting open "1" as the bad number); a binary
     * header is quoted by its first bytes, the message still whole */
    {
        static const char nul[] = HDR ROW2 "2023-01-04,1\0,11,9,10,10,1\n" ROW4;
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(nul, 1, sizeof nul - 1, fp), sizeof nul - 1);
        assert_int_equal(fclose(fp), 0);
        struct tc_error err = {0};
        struct tc_bar_set set = {0};
        struct tc_ingest_options o;
        tc_ingest_options_init(&o);
        o.symbol = "TST";
        assert_int_equal(tc_ingest_prices_file(f->s, path, &o, NULL, &err), TC_EINVAL);
        assert_non_null(strstr(err.msg, "t.csv:3: open \"1\\x00\" is not a decimal number"));
        assert_int_equal(count(f, "TST"), 2); /* the two rows of the 10 MB line's test only */
        assert_int_equal(tc_prices_load_csv(path, TC_PRICES_AUTO, "TST", &set, &err), TC_EINVAL);
        assert_non_null(strstr(err.msg, "t.csv:3: open \"1\\x00\" is not a decimal number"));
        assert_int_equal(set.n, 0);

        char bin[300];
        memset(bin, 0x9b, 200); /* 200 bytes that are each quoted as four */
        snprintf(bin + 200, sizeof bin - 200, "\n%s", ROW2);
        tc_test_write_file(path, bin);
        assert_int_equal(tc_prices_load_csv(path, TC_PRICES_AUTO, "TST", &set, &err), TC_EPARSE);
        char want[400];
        size_t w = (size_t)snprintf(want, sizeof want, "t.csv:1: unknown header \"");
        for (int k = 0; k < 40; k++) /* 160 characters at most */
            w += (size_t)snprintf(want + w, sizeof want - w, "\\x9b");
        snprintf(want + w, sizeof want - w,
                 "\" (expected \"Date,Open,High,Low,Close,Adj Close,Volume\"");
        if (!strstr(err.msg, want))
            fail_msg("binary header: \"%s\" lacks \"%s\"", err.msg, want);
        assert_non_null(strstr(err.msg, "or \"date,symbol,open,high,low,close,volume\")"));
        assert_int_equal(set.n, 0);
    }

    /* a missing file, an explicit format that does not match, a symbol for a long file */
    struct tc_error err = {0};
    struct tc_ingest_options o;
    tc_ingest_options_init(&o);
    o.symbol = "TST";
    char missing[1100];
    snprintf(missing, sizeof missing, "%s/nope.csv", f->dir);
    assert_int_equal(tc_ingest_prices_file(f->s, missing, &o, NULL, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "nope.csv: cannot open"));
    tc_test_write_file(path, HDR ROW2);
    o.format = TC_PRICES_OHLCV;
    assert_int_equal(tc_ingest_prices_file(f->s, path, &o, NULL, &err), TC_EPARSE);
    assert_non_null(strstr(err.msg, "t.csv:1: header"));
    assert_non_null(strstr(err.msg, "is not the ohlcv format"));
    o.format = TC_PRICES_LONG;
    assert_int_equal(tc_ingest_prices_file(f->s, path, &o, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "symbol column"));
    /* a file name without a symbol */
    char noname[1100];
    snprintf(noname, sizeof noname, "%s/-x.csv", f->dir);
    tc_test_write_file(noname, HDR ROW2);
    assert_int_equal(tc_ingest_prices_file(f->s, noname, NULL, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "-x.csv: no symbol in the file name (its part before the "
                                    "first '-' or '.')"));
    /* a file name whose symbol is not an id: named, and where it came from
     * (no option named: a backtest's --data has no --symbol) */
    snprintf(noname, sizeof noname, "%s/a b.csv", f->dir);
    tc_test_write_file(noname, HDR ROW2);
    assert_int_equal(tc_ingest_prices_file(f->s, noname, NULL, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "a b.csv: symbol id \"A B\" has a character that is not "
                                    "allowed: ' ' (the symbol is the file name's part before the "
                                    "first '-' or '.')"));
    assert_null(strstr(err.msg, "--symbol"));
    assert_int_equal(count(f, "TST"), 2);

    /* a path with a newline or an escape byte is quoted as \xNN in every
     * message (the message was two lines, or sent the escape to the
     * terminal); the file is still opened by its real name */
    char odd[1100], dir2[1100];
    snprintf(dir2, sizeof dir2, "%s/new\nline", f->dir);
    assert_true(mkdir(dir2, 0700) == 0 || errno == EEXIST);
    snprintf(odd, sizeof odd, "%s/TST.csv", dir2);
    tc_test_write_file(odd, HDR ROW2 "2023-01-04,10,11,9,10,10\n");
    assert_int_equal(tc_ingest_prices_file(f->s, odd, NULL, NULL, &err), TC_EPARSE);
    assert_non_null(strstr(err.msg, "/new\\x0aline/TST.csv:3: expected 7 fields, found 6"));
    assert_null(strchr(err.msg, '\n'));
    struct tc_bar_set set = {0};
    assert_int_equal(tc_prices_load_csv(odd, TC_PRICES_AUTO, NULL, &set, &err), TC_EPARSE);
    assert_non_null(strstr(err.msg, "/new\\x0aline/TST.csv:3: expected 7 fields, found 6"));
    assert_int_equal(set.n, 0);
    snprintf(odd, sizeof odd, "%s/none.csv", dir2);
    assert_int_equal(tc_prices_load_csv(odd, TC_PRICES_AUTO, NULL, &set, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "/new\\x0aline/none.csv: cannot open: No such file"));
    snprintf(odd, sizeof odd, "%s/T\x1bST.csv", f->dir);
    tc_test_write_file(odd, HDR ROW2);
    assert_int_equal(tc_ingest_prices_file(f->s, odd, NULL, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "/T\\x1bST.csv: symbol id \"T\\x1bST\" has a character that "
                                    "is not allowed: '\\x1b'"));
    assert_null(strchr(err.msg, '\x1b'));
    assert_int_equal(count(f, "TST"), 2);
}

struct seen {
    char msgs[8][256];
    int n;
};

static void collect(void *ud, const char *msg)
{
    struct seen *s = ud;
    if (s->n < 8)
        snprintf(s->msgs[s->n], sizeof s->msgs[0], "%s", msg);
    s->n++;
}

static void test_skip_bad(void **state)
{
    struct tc_test_hist_fx *f = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/tst.csv", f->dir);
    /* CRLF endings, two bad rows, a duplicate and a blank line */
    tc_test_write_file(path, "Date,Open,High,Low,Close,Adj Close,Volume\r\n"
                     "2023-01-03,10,11,9,10.5,10.5,1000\r\n"
                     "2023-01-04,10,11,9,12.3,12.3,1000\r\n"
                     "2023-01-05,10.5,12,10,11,11,3000\r\n"
                     "\r\n"
                     "2023-01-05,10.5,12,10,11,11,3000\r\n"
                     "2023-01-06,null,12,10,11,11,3000\r\n"
                     "2023-01-09,11,12,10,11.5,11.25,4000\r\n");
    struct tc_error err = {0};
    struct tc_ingest_options o;
    struct tc_ingest_result r;
    struct seen seen = {0};
    tc_ingest_options_init(&o);
    o.skip_bad = 1;
    o.on_bad = collect;
    o.on_bad_ud = &seen;
    tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
    assert_int_equal(r.rows_read, 6);
    assert_int_equal(r.inserted, 3);
    assert_int_equal(r.skipped, 3);
    assert_int_equal(r.unchanged, 0);
    assert_int_equal(r.first_day, DAY("2023-01-03"));
    assert_int_equal(r.last_day, DAY("2023-01-09"));
    assert_int_equal(seen.n, 3);
    assert_non_null(strstr(seen.msgs[0], "tst.csv:3: close 12.3 is above high 11"));
    assert_non_null(strstr(seen.msgs[1], "tst.csv:6: duplicate date 2023-01-05 of TST (first on line 4)"));
    assert_non_null(strstr(seen.msgs[2], "tst.csv:7: open \"null\" is not a decimal number"));
    struct tc_bar_series s;
    tc_assert_ok(tc_prices_load(f->s, "TST", 0, 100000, &s, &err), &err);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.day[2], DAY("2023-01-09"));
    assert_int_equal(s.adj_close[2].raw, D("11.25").raw);
    assert_int_equal(s.volume[2], 4000);
    tc_bar_series_release(&s);
    /* again: all unchanged, the same rows skipped */
    seen.n = 0;
    tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
    assert_int_equal(r.inserted, 0);
    assert_int_equal(r.unchanged, 3);
    assert_int_equal(r.skipped, 3);
    assert_int_equal(count(f, NULL), 3);
}

static void test_instruments(void **state)
{
    struct tc_test_hist_fx *f = *state;
    char path[1024];
    struct tc_error err = {0};
    struct tc_ingest_options o;
    struct tc_ingest_result r;
    snprintf(path, sizeof path, "%s/long.csv", f->dir);
    tc_test_write_file(path, "date,symbol,open,high,low,close,volume\n"
                     "2023-01-03,AAA,10,11,9,10.5,1000\n"
                     "2023-01-03,BBB,20,21,19,20.5,2000\n"
                     "2023-01-04,AAA,10.5,12,10,11,1500\n"
                     "2023-01-04,BBB,20.5,22,20,21,2500\n"
                     "2023-01-05,AAA,11,12,10,11.5,100.0\n");
    /* unknown instruments: nothing is written */
    tc_ingest_options_init(&o);
    assert_int_equal(tc_ingest_prices_file(f->s, path, &o, &r, &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "symbol \"AAA\" not found"));
    assert_non_null(strstr(err.msg, "--create-instruments"));
    /* creating needs a market */
    o.create_instruments = 1;
    assert_int_equal(tc_ingest_prices_file(f->s, path, &o, &r, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "needs a market"));
    /* an unknown market */
    o.market_id = "XLON";
    assert_int_equal(tc_ingest_prices_file(f->s, path, &o, &r, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "market \"XLON\" not found"));
    assert_int_equal(count(f, NULL), 0);
    struct tc_refdata rd = {.store = f->s};
    struct tc_instrument ins;
    assert_int_equal(tc_refdata_instrument_get(&rd, "AAA", &ins, &err), TC_ENOTFOUND);
    /* created in XNYS */
    o.market_id = "XNYS";
    o.currency = "EUR";
    tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
    assert_int_equal(r.rows_read, 5);
    assert_int_equal(r.inserted, 5);
    assert_int_equal(r.instruments, 2);
    assert_int_equal(r.instruments_created, 2);
    tc_assert_ok(tc_refdata_instrument_get(&rd, "BBB", &ins, &err), &err);
    assert_string_equal(ins.market_id, "XNYS");
    assert_string_equal(ins.currency, "EUR");
    assert_int_equal(ins.asset_class, TC_ASSET_EQUITY);
    tc_instrument_release(&ins);
    assert_int_equal(count(f, "AAA"), 3);
    assert_int_equal(count(f, "BBB"), 2);
    /* second time: found, not created */
    tc_assert_ok(tc_ingest_prices_file(f->s, path, &o, &r, &err), &err);
    assert_int_equal(r.instruments_created, 0);
    assert_int_equal(r.unchanged, 5);

    /* the long file straight into series */
    struct tc_bar_set set;
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &set, &err), &err);
    assert_int_equal(set.n, 2);
    const struct tc_bar_series *a = tc_bar_set_find(&set, "AAA");
    assert_non_null(a);
    assert_int_equal(a->n, 3);
    assert_int_equal(a->volume[2], 100);
    assert_null(tc_bar_set_find(&set, "CCC"));
    tc_bar_set_release(&set);
    assert_int_equal(set.n, 0);
    assert_int_equal(tc_prices_load_csv(path, TC_PRICES_LONG, "AAA", &set, &err), TC_EINVAL);
    /* a bad symbol in a long file */
    tc_test_write_file(path, "date,symbol,open,high,low,close,volume\n"
                     "2023-01-03,AA A,10,11,9,10.5,1000\n");
    assert_int_equal(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &set, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "long.csv:2: symbol \"AA A\" is not"));
}

static void test_csv_without_store(void **state)
{
    (void)state;
    char path[1024];
    struct tc_error err = {0};
    struct tc_bar_set set;
    snprintf(path, sizeof path, "%s/orcl-1995-2014.txt", tc_test_data());
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &set, &err), &err);
    assert_int_equal(set.n, 1);
    assert_string_equal(set.items[0].instrument_id, "ORCL");
    compare_with_file(path, 1, &set.items[0], 5036);
    tc_bar_set_release(&set);
    snprintf(path, sizeof path, "%s/2006-volume-day-001.txt", tc_test_data());
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_OHLCV, "FESX", &set, &err), &err);
    assert_string_equal(set.items[0].instrument_id, "FESX");
    compare_with_file(path, 0, &set.items[0], 255);
    assert_int_equal(set.items[0].open_interest[0], 1511674);
    tc_bar_set_release(&set);
    /* symbols from file names */
    char sym[TC_REFDATA_ID_MAX];
    tc_assert_ok(tc_prices_symbol_from_path("/x/y/orcl-1995-2014.txt", sym, sizeof sym, &err),
                 &err);
    assert_string_equal(sym, "ORCL");
    tc_assert_ok(tc_prices_symbol_from_path("brk.b.csv", sym, sizeof sym, &err), &err);
    assert_string_equal(sym, "BRK");
    assert_int_equal(tc_prices_symbol_from_path(".hidden", sym, sizeof sym, &err), TC_EINVAL);
    enum tc_prices_format fm;
    tc_assert_ok(tc_prices_format_parse("long", &fm, &err), &err);
    assert_int_equal(fm, TC_PRICES_LONG);
    assert_int_equal(tc_prices_format_parse("excel", &fm, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "\"excel\""));
    assert_string_equal(tc_prices_format_name(TC_PRICES_YAHOO), "yahoo");
}

#define MANY 12

/* MANY files of every format and size (the data folder's, generated ones
 * of 1..3000 rows, a long file of two symbols) into PATHS. */
static void many_files(char *dir, char paths[MANY][1100])
{
    assert_int_equal(tc_test_tmpdir("ingest_many", dir, 512), 0);
    snprintf(paths[0], 1100, "%s/orcl-1995-2014.txt", tc_test_data());
    snprintf(paths[1], 1100, "%s/nvda-1999-2014.txt", tc_test_data());
    snprintf(paths[2], 1100, "%s/LONG.csv", dir);
    tc_test_write_file(paths[2], "date,symbol,open,high,low,close,volume\n2020-01-02,AAA,1,2,0.5,1.5,7\n"
                         "2020-01-02,BBB,3,4,2.5,3.5,8\n2020-01-03,AAA,1,2,0.5,1.5,9\n");
    snprintf(paths[3], 1100, "%s/OCV.csv", dir);
    tc_test_write_file(paths[3], "Date,Open,High,Low,Close,Volume,OpenInterest\n"
                         "2020-01-02,1.000000,2.000000,0.500000,1.500000,7,3\n");
    for (int k = 4; k < MANY; k++) {
        int rows = k == 4 ? 1 : 400 * k - 1000;
        size_t cap = (size_t)rows * 100 + 100, len = 0;
        char *text = malloc(cap);
        assert_non_null(text);
        len += (size_t)snprintf(text, cap, "Date,Open,High,Low,Close,Adj Close,Volume\r\n");
        for (int i = 0; i < rows; i++) {
            int y, m, d;
            tc_civil_from_days(tc_days_from_civil(1990, 1, 1) + i + k, &y, &m, &d);
            int ip = 1 + (i * 31 + k) % 900;
            len += (size_t)snprintf(text + len, cap - len,
                                    "%04d-%02d-%02d,%d.%06d,%d.%06d,%d.%06d,%d.%06d,%d.5,%d\r\n",
                                    y, m, d, ip, i % 1000000, ip + 2, k, ip, 0, ip + 1, i % 7, ip,
                                    i * k);
        }
        snprintf(paths[k], 1100, "%s/G%02d.csv", dir, k);
        FILE *f = fopen(paths[k], "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
        free(text);
    }
}

/* The mappings of files under DIR this process still has (/proc/self/maps). */
static int mapped_under(const char *dir)
{
    char line[2048];
    int n = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        if (strstr(line, dir))
            n++;
    fclose(f);
    return n;
}

static void test_load_many(void **state)
{
    (void)state;
    char dir[512];
    static char paths[MANY][1100];
    const char *pp[MANY];
    struct tc_bar_set one[MANY], many[MANY];
    struct tc_error err = {0};
    size_t failed = 99;

    many_files(dir, paths);
    for (int k = 0; k < MANY; k++) {
        pp[k] = paths[k];
        tc_assert_ok(tc_prices_load_csv(pp[k], TC_PRICES_AUTO, NULL, &one[k], &err), &err);
    }
    assert_int_equal(one[2].n, 2);
    assert_int_equal(one[MANY - 1].items[0].n, 400 * (MANY - 1) - 1000);
    assert_true(one[MANY - 1].items[0].n * 40 > TC__PRICES_MAP_MIN); /* some are mapped */
    /* every worker count gives the series of loading the files one by one,
     * in input order, and leaves no file mapped, whether the unmapping of
     * the mapped ones waits for the threads (all of them, some: a byte
     * limit that one file's span exceeds, none) or not */
    static const unsigned threads[] = {1, 2, 3, 8, 0, 100};
    static const size_t defer[] = {TC__PRICES_DEFER_MAX, 200000, 0};
    for (size_t d = 0; d < sizeof defer / sizeof defer[0]; d++)
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            char what[96];
            tc__prices_defer_max = defer[d];
            memset(many, 0x5a, sizeof many); /* overwritten, not read */
            tc_assert_ok(tc_prices_load_csv_many(pp, MANY, TC_PRICES_AUTO, threads[t], many,
                                                 &failed, &err),
                         &err);
            assert_int_equal(failed, MANY);
            assert_int_equal(mapped_under(dir), 0);
            for (int k = 0; k < MANY; k++) {
                snprintf(what, sizeof what, "%u threads, defer %zu, file %d", threads[t], defer[d],
                         k);
                tc_test_assert_same_set(&one[k], &many[k], what);
                tc_bar_set_release(&many[k]);
            }
        }
    tc__prices_defer_max = TC__PRICES_DEFER_MAX;
    for (int k = 0; k < MANY; k++)
        tc_bar_set_release(&one[k]);
    assert_int_equal(tc_prices_load_csv_many(pp, 0, TC_PRICES_AUTO, 4, many, &failed, &err), 0);
    assert_int_equal(failed, 0);
}

static void test_load_many_bad(void **state)
{
    (void)state;
    char dir[512], bad1[700], bad2[700], missing[700];
    static char paths[MANY][1100];
    const char *pp[MANY];
    struct tc_bar_set many[MANY];
    struct tc_error err, want;
    size_t failed;

    many_files(dir, paths);
    snprintf(bad1, sizeof bad1, "%s/BAD1.csv", dir);
    tc_test_write_file(bad1, "Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,2,0.5,1.5,1.5,7\n"
                     "2020-01-03,1,2,3,1.5,1.5,7\n");
    snprintf(bad2, sizeof bad2, "%s/BAD2.csv", dir);
    tc_test_write_file(bad2, "Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,nan,2,0.5,1.5,1.5,7\n");
    snprintf(missing, sizeof missing, "%s/NONE.csv", dir);
    for (int k = 0; k < MANY; k++)
        pp[k] = paths[k];
    /* a bad file among good ones (and a later bad one, and a missing one):
     * its error, exactly as loading it alone gives, and nothing loaded */
    pp[7] = bad1;
    pp[9] = bad2;
    pp[10] = missing;
    struct tc_bar_set alone;
    want = (struct tc_error){0};
    assert_int_equal(tc_prices_load_csv(bad1, TC_PRICES_AUTO, NULL, &alone, &want), TC_EINVAL);
    assert_non_null(strstr(want.msg, "BAD1.csv:3: low 3 is above high 2"));
    for (unsigned t = 1; t <= 8; t++) {
        err = (struct tc_error){0};
        failed = 99;
        memset(many, 0x5a, sizeof many);
        assert_int_equal(tc_prices_load_csv_many(pp, MANY, TC_PRICES_AUTO, t, many, &failed, &err),
                         TC_EINVAL);
        assert_int_equal(failed, 7);
        assert_int_equal(err.code, TC_EINVAL);
        assert_string_equal(err.msg, want.msg);
        for (int k = 0; k < MANY; k++) {
            assert_int_equal(many[k].n, 0);
            assert_null(many[k].items);
        }
        assert_int_equal(mapped_under(dir), 0); /* the files read before it too */
    }
    /* the first bad file is the first in input order, whichever it is */
    pp[7] = paths[7];
    assert_int_equal(tc_prices_load_csv_many(pp, MANY, TC_PRICES_AUTO, 3, many, &failed, &err),
                     TC_EINVAL);
    assert_int_equal(failed, 9);
    assert_non_null(strstr(err.msg, "BAD2.csv:2: open \"nan\" is not a decimal number"));
    pp[9] = paths[9];
    assert_int_equal(tc_prices_load_csv_many(pp, MANY, TC_PRICES_AUTO, 3, many, &failed, &err),
                     TC_EIO);
    assert_int_equal(failed, 10);
    assert_non_null(strstr(err.msg, "NONE.csv: cannot open"));
    for (int k = 0; k < MANY; k++)
        assert_null(many[k].items);
    assert_int_equal(mapped_under(dir), 0);
    /* NULL arguments */
    assert_int_equal(tc_prices_load_csv_many(NULL, 2, TC_PRICES_AUTO, 1, many, &failed, &err),
                     TC_EINVAL);
    assert_non_null(strstr(err.msg, "price files: NULL argument"));
    assert_int_equal(failed, 2);
    assert_int_equal(tc_prices_load_csv_many(pp, 2, TC_PRICES_AUTO, 1, NULL, NULL, &err),
                     TC_EINVAL);
}

static void test_calendar_overrides(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    struct tc_cal_override ov[3] = {
        {DAY("2024-03-04"), TC_CAL_CLOSED, 0, "storm"},
        {DAY("2024-03-05"), TC_CAL_EARLY_CLOSE, 13 * 60, NULL},
        {DAY("2024-03-09"), TC_CAL_OPEN, 0, "special saturday session"},
    };
    /* stored out of order, read back in date order */
    tc_assert_ok(tc_calendar_override_add(f->s, "XNYS", &ov[2], NULL, &err), &err);
    tc_assert_ok(tc_calendar_override_add(f->s, "XNYS", &ov[0], NULL, &err), &err);
    tc_assert_ok(tc_calendar_override_add(f->s, "XNYS", &ov[1], NULL, &err), &err);
    assert_int_equal(tc_calendar_override_add(f->s, "XNYS", &ov[1], NULL, &err), TC_ECONFLICT);
    assert_non_null(strstr(err.msg, "2024-03-05 already exists"));
    struct tc_cal_override bad = {DAY("2024-03-06"), TC_CAL_EARLY_CLOSE, 0, NULL};
    assert_int_equal(tc_calendar_override_add(f->s, "XNYS", &bad, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "2024-03-06: an early close needs a close time"));
    bad.kind = (enum tc_cal_override_kind)9;
    assert_int_equal(tc_calendar_override_add(f->s, "XNYS", &bad, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "unknown kind 9"));
    bad.kind = TC_CAL_CLOSED;
    assert_int_equal(tc_calendar_override_add(f->s, "XLON", &bad, NULL, &err), TC_EINVAL);

    struct tc_cal_override *got = NULL;
    size_t n = 0;
    tc_assert_ok(tc_calendar_overrides_load(f->s, "XNYS", &got, &n, &err), &err);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(got[i].date, ov[i].date);
        assert_int_equal(got[i].kind, ov[i].kind);
        assert_int_equal(got[i].close_min, ov[i].close_min);
        if (ov[i].reason)
            assert_string_equal(got[i].reason, ov[i].reason);
        else
            assert_null(got[i].reason);
    }
    const struct tc_calendar *base;
    struct tc_calendar *cal = NULL;
    tc_assert_ok(tc_calendar_get("XNYS", &base, &err), &err);
    tc_assert_ok(tc_calendar_with_overrides(base, got, n, &cal, &err), &err);
    free(got);
    int is = -1;
    tc_assert_ok(tc_calendar_is_session(base, DAY("2024-03-04"), &is, &err), &err);
    assert_int_equal(is, 1);
    tc_assert_ok(tc_calendar_is_session(cal, DAY("2024-03-04"), &is, &err), &err);
    assert_int_equal(is, 0);
    tc_assert_ok(tc_calendar_is_session(cal, DAY("2024-03-09"), &is, &err), &err);
    assert_int_equal(is, 1);
    struct tc_cal_day day;
    tc_assert_ok(tc_calendar_day(cal, DAY("2024-03-04"), &day, &err), &err);
    assert_non_null(strstr(day.reason, "storm"));
    tc_calendar_free(cal);
    /* another market has none */
    tc_assert_ok(tc_calendar_overrides_load(f->s, "XLON", &got, &n, &err), &err);
    assert_int_equal(n, 0);
    assert_null(got);
    assert_int_equal(tc_calendar_overrides_load(f->s, "bad id!", &got, &n, &err), TC_EINVAL);
}

#define TESTS(s)                                                                    \
    cmocka_unit_test_setup_teardown(test_every_data_file, s, teardown),             \
        cmocka_unit_test_setup_teardown(test_reingest_is_noop, s, teardown),        \
        cmocka_unit_test_setup_teardown(test_overlap_conflict, s, teardown),        \
        cmocka_unit_test_setup_teardown(test_bad_rows_table, s, teardown),          \
        cmocka_unit_test_setup_teardown(test_skip_bad, s, teardown),                \
        cmocka_unit_test_setup_teardown(test_instruments, s, teardown),             \
        cmocka_unit_test_setup_teardown(test_calendar_overrides, s, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TESTS(setup_sqlite),
        TESTS(setup_pg),
        cmocka_unit_test(test_csv_without_store),
        cmocka_unit_test(test_load_many),
        cmocka_unit_test(test_load_many_bad),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
