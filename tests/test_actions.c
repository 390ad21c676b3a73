/*
 * Corporate actions and FX rates in the historical store, on sqlite and
 * PostgreSQL: a file with splits and dividends (any case of kind, CRLF, a
 * blank line, quoted fields, a byte order mark, the currency column left out)
 * stored and read back exactly, in ex-date order, accepted by the
 * TimeMachine, stamped with the clock's time and the file's name; a second
 * ingest changes nothing; FX rates stored and the rate of a date found as the
 * latest on or before it. Every bad file (empty, a missing, unknown or
 * repeated column, a short row, a bad or unreal date, an unknown kind, NaN,
 * more than 8 decimals, zero, negative, a split of 1, a split with a
 * currency, a bad currency, an unknown or ambiguous symbol, a key twice, a
 * long line, a NUL byte, bad quoting, a stored row with another value)
 * refused with file:line and the problem, and nothing of it stored.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_hist.h"
#include "tradecore/actions.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/refdata.h"
#include "tradecore/store.h"
#include "tradecore/timemachine.h"

#define D(text) tc_test_dec(text)

/* 2026-03-04T05:06:07.891234Z */
static const int64_t NOW_US = 1772600767891234LL;

/* The fixture's XNYS with ORCL and NVDA, and XNAS listing a second NVDA. */
static int setup(void **state, int pg)
{
    struct tc_test_hist_fx *f;
    struct tc_refdata rd = {0};
    struct tc_market m;
    struct tc_error err = {0};

    static const char *const ids[] = {"ORCL", "NVDA"};
    if (tc_test_hist_fx_setup_xnys(state, "actions", pg, ids, 2) != 0)
        return -1;
    f = *state;
    rd.store = f->s;
    memset(&m, 0, sizeof m);
    snprintf(m.market_id, sizeof m.market_id, "XNAS");
    snprintf(m.name, sizeof m.name, "Nasdaq");
    snprintf(m.timezone, sizeof m.timezone, "America/New_York");
    if (tc_refdata_market_create(&rd, &m, &err) != 0) {
        fprintf(stderr, "market: %s\n", tc_error_msg(&err));
        tc_test_hist_fx_teardown(state);
        return -1;
    }
    if (tc_test_hist_add_instrument(f->s, "NVDA.Q", "NVDA", "XNAS") != 0) {
        tc_test_hist_fx_teardown(state);
        return -1;
    }
    return 0;
}

static int setup_sqlite(void **state) { return setup(state, 0); }
static int setup_pg(void **state) { return setup(state, 1); }
#define teardown tc_test_hist_fx_teardown

static int int_row(const struct tc_row *row, void *ud)
{
    return tc_row_int(row, 0, ud) ? TC_ESTORE : 0;
}

static int64_t rows_in(struct tc_store *s, const char *table)
{
    char sql[128];
    struct tc_error err = {0};
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    tc_assert_ok(tc_store_exec(s, sql, NULL, 0, int_row, &n, NULL, &err), &err);
    return n;
}

/* Writes TEXT to DIR/NAME; the path into PATH. */
static void file_at(const struct tc_test_hist_fx *f, const char *name, const char *text,
                    char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", f->dir, name);
    tc_test_write_file(path, text);
}

struct meta {
    int64_t created;
    char source[64];
};

static int meta_row(const struct tc_row *row, void *ud)
{
    struct meta *m = ud;
    const char *src = NULL;
    if (tc_row_time(row, 0, &m->created) != 0 || tc_row_text(row, 1, &src) != 0 || !src)
        return TC_ESTORE;
    snprintf(m->source, sizeof m->source, "%s", src);
    return 0;
}

static void test_actions_stored_and_read_back(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    struct tc_manual_clock mc;
    struct tc_actions_summary sum;
    char path[700];

    tc_manual_clock_init(&mc, NOW_US);
    file_at(f, "orcl-actions.csv",
            "\xEF\xBB\xBF Symbol , EX_DATE,Kind,Value\r\n"
            "ORCL,2000-01-18,split,2\r\n"
            "\r\n"
            "\"ORCL\",2009-07-08,DIVIDEND,\"0.05\"\r\n"
            "ORCL,2000-01-18,Dividend,0.00000001\r\n"
            "ORCL,1999-02-26,SPLIT,0.1\r\n",
            path, sizeof path);
    tc_assert_ok(tc_actions_ingest_csv(f->s, path, "XNYS", &mc.clock, &sum, &err), &err);
    assert_int_equal(sum.rows, 4);
    assert_int_equal(sum.inserted, 4);
    assert_int_equal(sum.unchanged, 0);

    struct tc_corp_action *a = NULL;
    size_t n = 0;
    tc_assert_ok(tc_actions_load(f->s, "ORCL", &a, &n, &err), &err);
    assert_int_equal(n, 4);
    assert_int_equal(a[0].ex_date, tc_test_date("1999-02-26"));
    assert_int_equal(a[0].kind, TC_CA_SPLIT);
    assert_int_equal(a[0].ratio.raw, D("0.1").raw);
    assert_int_equal(a[1].ex_date, tc_test_date("2000-01-18")); /* the split first */
    assert_int_equal(a[1].kind, TC_CA_SPLIT);
    assert_int_equal(a[1].ratio.raw, D("2").raw);
    assert_int_equal(a[2].ex_date, tc_test_date("2000-01-18"));
    assert_int_equal(a[2].kind, TC_CA_DIVIDEND);
    assert_int_equal(a[2].amount.raw, 1);
    assert_int_equal(a[3].ex_date, tc_test_date("2009-07-08"));
    assert_int_equal(a[3].kind, TC_CA_DIVIDEND);
    assert_int_equal(a[3].amount.raw, D("0.05").raw);

    /* the TimeMachine takes them as they are */
    struct tc_tm *tm = NULL;
    struct tc_bar_series s;
    size_t ix = 0;
    tc_assert_ok(tc_tm_new(NULL, &tm, &err), &err);
    memset(&s, 0, sizeof s);
    snprintf(s.instrument_id, sizeof s.instrument_id, "ORCL");
    tc_assert_ok(tc_tm_add_series(tm, &s, &ix, &err), &err);
    for (size_t i = 0; i < n; i++)
        tc_assert_ok(tc_tm_add_action(tm, ix, &a[i], &err), &err);
    tc_tm_free(tm);
    free(a);

    /* created_at is the clock's, source the file's name */
    struct meta m = {0};
    tc_assert_ok(tc_store_exec(f->s,
                               "SELECT created_at, source FROM corporate_actions "
                               "WHERE ex_date = '2009-07-08'",
                               NULL, 0, meta_row, &m, NULL, &err),
                 &err);
    assert_int_equal(m.created, NOW_US);
    assert_string_equal(m.source, "orcl-actions.csv");

    /* again: nothing changes; without a market the symbol is unique */
    tc_assert_ok(tc_actions_ingest_csv(f->s, path, NULL, &mc.clock, &sum, &err), &err);
    assert_int_equal(sum.rows, 4);
    assert_int_equal(sum.inserted, 0);
    assert_int_equal(sum.unchanged, 4);
    assert_int_equal(rows_in(f->s, "corporate_actions"), 4);

    /* an instrument without actions, with a currency column */
    tc_assert_ok(tc_actions_load(f->s, "NVDA", &a, &n, &err), &err);
    assert_int_equal(n, 0);
    assert_null(a);
    file_at(f, "nvda.csv",
            "symbol,ex_date,kind,value,currency\n"
            "NVDA,2014-02-25,DIVIDEND,0.085,USD\n"
            "NVDA,2007-09-11,SPLIT,1.5,\n",
            path, sizeof path);
    tc_assert_ok(tc_actions_ingest_csv(f->s, path, "XNAS", &mc.clock, &sum, &err), &err);
    assert_int_equal(sum.inserted, 2);
    tc_assert_ok(tc_actions_load(f->s, "NVDA.Q", &a, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_int_equal(a[0].ratio.raw, D("1.5").raw);
    assert_int_equal(a[1].amount.raw, D("0.085").raw);
    free(a);
    int64_t usd = -1;
    tc_assert_ok(tc_store_exec(f->s,
                               "SELECT count(*) FROM corporate_actions WHERE currency = 'USD' "
                               "AND instrument_id = 'NVDA.Q'",
                               NULL, 0, int_row, &usd, NULL, &err),
                 &err);
    assert_int_equal(usd, 1);
}

static void test_fx_stored_and_found(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    struct tc_actions_summary sum;
    struct tc_dec rate;
    int64_t day = 0;
    char path[700];

    file_at(f, "fx.csv",
            "date,base,quote,rate\n"
            "2014-01-02,EUR,USD,1.3667\n"
            "2014-01-06,EUR,USD,1.3632\n"
            "2014-01-02,USD,JPY,104.87\n",
            path, sizeof path);
    tc_assert_ok(tc_fx_ingest_csv(f->s, path, NULL, &sum, &err), &err);
    assert_int_equal(sum.rows, 3);
    assert_int_equal(sum.inserted, 3);
    tc_assert_ok(tc_fx_ingest_csv(f->s, path, NULL, &sum, &err), &err);
    assert_int_equal(sum.unchanged, 3);
    assert_int_equal(rows_in(f->s, "fx_rates_daily"), 3);

    tc_assert_ok(tc_fx_rate_get(f->s, "EUR", "USD", tc_test_date("2014-01-02"), &rate, &day, &err),
                 &err);
    assert_int_equal(rate.raw, D("1.3667").raw);
    assert_int_equal(day, tc_test_date("2014-01-02"));
    /* the weekend and Monday */
    tc_assert_ok(tc_fx_rate_get(f->s, "EUR", "USD", tc_test_date("2014-01-05"), &rate, &day, &err),
                 &err);
    assert_int_equal(rate.raw, D("1.3667").raw);
    tc_assert_ok(tc_fx_rate_get(f->s, "EUR", "USD", tc_test_date("2014-01-06"), &rate, NULL, &err),
                 &err);
    assert_int_equal(rate.raw, D("1.3632").raw);
    tc_assert_ok(tc_fx_rate_get(f->s, "USD", "JPY", tc_test_date("2020-01-01"), &rate, &day, &err),
                 &err);
    assert_int_equal(rate.raw, D("104.87").raw);

    rate = D("7");
    int rc = tc_fx_rate_get(f->s, "EUR", "USD", tc_test_date("2014-01-01"), &rate, NULL, &err);
    tc_test_assert_error("before the first", rc, TC_ENOTFOUND, &err,
                         "fx rate EUR/USD: none on or before 2014-01-01");
    assert_int_equal(rate.raw, D("7").raw);
    rc = tc_fx_rate_get(f->s, "USD", "EUR", tc_test_date("2014-01-06"), &rate, NULL, &err);
    tc_test_assert_error("the other way", rc, TC_ENOTFOUND, &err, "fx rate USD/EUR");
    rc = tc_fx_rate_get(f->s, "eur", "USD", tc_test_date("2014-01-06"), &rate, NULL, &err);
    tc_test_assert_error("lower case", rc, TC_EINVAL, &err, "three upper-case letters");
    rc = tc_fx_rate_get(f->s, "USD", "USD", tc_test_date("2014-01-06"), &rate, NULL, &err);
    tc_test_assert_error("same", rc, TC_EINVAL, &err, "base and quote are both USD");
    rc = tc_fx_rate_get(f->s, NULL, "USD", tc_test_date("2014-01-06"), &rate, NULL, &err);
    tc_test_assert_error("NULL", rc, TC_EINVAL, &err, "(null)");
}

struct bad {
    int fx;
    const char *text;
    int code;
    const char *msg; /* after "<file>:" */
};

#define HDR "symbol,ex_date,kind,value,currency\n"
#define FXH "date,base,quote,rate\n"

static const struct bad bads[] = {
    {0, "", TC_EPARSE, " file is empty (expected the header symbol,ex_date,kind,value[,currency])"},
    {0, "symbol,ex_date,kind\n", TC_EPARSE, "1: missing column \"value\""},
    {0, "symbol,ex_date,kind,value,price\n", TC_EPARSE, "1: unknown column \"price\""},
    {0, "symbol,ex_date,kind,value,Kind\n", TC_EPARSE, "1: column \"kind\" is given twice"},
    {0, "symbol,ex_date,kind,value,a,b,c,d,e,f,g,h,i,j,k,l,m\n", TC_EPARSE,
     "1: header has 17 fields"},
    {0, HDR "ORCL,2001-01-02,SPLIT,2\n", TC_EPARSE, "2: 4 fields, the header has 5"},
    {0, HDR "ORCL,2001-1-02,SPLIT,2,\n", TC_EINVAL,
     "2: ex_date \"2001-1-02\" is not a real YYYY-MM-DD date"},
    {0, HDR "ORCL,2001-02-29,SPLIT,2,\n", TC_EINVAL,
     "2: ex_date \"2001-02-29\" is not a real YYYY-MM-DD date"},
    {0, HDR "ORCL,2001-02-28,MERGER,2,\n", TC_EINVAL,
     "2: kind \"MERGER\" is not SPLIT or DIVIDEND"},
    {0, HDR "ORCL,2001-02-28,SPLIT,NaN,\n", TC_EPARSE, "2: split ratio: decimal \"NaN\""},
    {0, HDR "ORCL,2001-02-28,DIVIDEND,,\n", TC_EPARSE, "2: dividend amount: "},
    {0, HDR "ORCL,2001-02-28,DIVIDEND,0.123456789,\n", TC_ERANGE, "2: dividend amount: "},
    {0, HDR "ORCL,2001-02-28,DIVIDEND,0,\n", TC_EINVAL, "2: dividend amount 0 must be above 0"},
    {0, HDR "ORCL,2001-02-28,SPLIT,-2,\n", TC_EINVAL, "2: split ratio -2 must be above 0"},
    {0, HDR "ORCL,2001-02-28,SPLIT,1.000,\n", TC_EINVAL, "2: split ratio 1 changes nothing"},
    {0, HDR "ORCL,2001-02-28,SPLIT,2,USD\n", TC_EINVAL, "2: a SPLIT has no currency (\"USD\" given)"},
    {0, HDR "ORCL,2001-02-28,DIVIDEND,0.1,usd\n", TC_EINVAL,
     "2: currency \"usd\" is not three upper-case letters"},
    {0, HDR "ORCL,2001-02-28,DIVIDEND,0.1,USDX\n", TC_EINVAL,
     "2: currency \"USDX\" is not three upper-case letters"},
    {0, HDR "ORCL,2001-02-28,DIVIDEND,0.1,\nMSFT,2001-02-28,DIVIDEND,0.1,\n", TC_ENOTFOUND,
     "3: instrument with symbol \"MSFT\" not found"},
    {0, HDR "NVDA,2001-02-28,DIVIDEND,0.1,\n", TC_ECONFLICT,
     "2: symbol \"NVDA\" is listed in markets \"XNAS\" and \"XNYS\": name the market"},
    {0, HDR "OR CL,2001-02-28,DIVIDEND,0.1,\n", TC_EINVAL, "2: symbol id \"OR CL\""},
    {0,
     HDR "ORCL,2001-02-28,DIVIDEND,0.1,\nORCL,2001-03-28,DIVIDEND,0.1,\n"
         "ORCL,2001-02-28,SPLIT,2,\nORCL,2001-02-28,dividend,0.2,\n",
     TC_EINVAL, "5: duplicate DIVIDEND of ORCL on 2001-02-28 (first on line 2)"},
    {0, HDR "ORCL,\"2001-02-28,DIVIDEND,0.1,\n", TC_EPARSE, "2: malformed quoting"},
    {0, HDR "ORCL,2001-02-28,DIVIDEND,0.1,\n\"OR\"CL\",2001-03-28,DIVIDEND,0.1,\n", TC_EPARSE,
     "3: malformed quoting"},
    {1, "", TC_EPARSE, " file is empty (expected the header date,base,quote,rate)"},
    {1, "date,base,rate\n", TC_EPARSE, "1: missing column \"quote\""},
    {1, FXH "2014-01-02,EUR,EUR,1\n", TC_EINVAL, "2: base and quote are both EUR"},
    {1, FXH "2014-01-02,EUR,USD,-1.2\n", TC_EINVAL, "2: rate -1.2 must be above 0"},
    {1, FXH "2014-01-02,EUR,USD,inf\n", TC_EPARSE, "2: rate: decimal \"inf\""},
    {1, FXH "2014-01-02,EUR,US,1.2\n", TC_EINVAL, "2: quote \"US\" is not three upper-case letters"},
    {1, FXH "2014-13-02,EUR,USD,1.2\n", TC_EINVAL, "2: date \"2014-13-02\" is not a real"},
    {1, FXH "2014-01-02,EUR,USD,1.2\n2014-01-03,EUR,USD,1.2\n2014-01-02,EUR,USD,1.2\n", TC_EINVAL,
     "4: duplicate rate EUR/USD on 2014-01-02 (first on line 2)"},
    {1, FXH "2014-01-02,EUR,USD,1.2,3\n", TC_EPARSE, "2: 5 fields, the header has 4"},
};

static void test_bad_files(void **state)
{
    struct tc_test_hist_fx *f = *state;
    char path[700], label[64];

    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        struct tc_error err = {0};
        struct tc_actions_summary sum = {7, 7, 7};
        char want[256];
        snprintf(label, sizeof label, "bad file %zu", i);
        file_at(f, "bad.csv", bads[i].text, path, sizeof path);
        int rc = bads[i].fx ? tc_fx_ingest_csv(f->s, path, NULL, &sum, &err)
                            : tc_actions_ingest_csv(f->s, path, NULL, NULL, &sum, &err);
        snprintf(want, sizeof want, "bad.csv:%s", bads[i].msg);
        tc_test_assert_error(label, rc, bads[i].code, &err, want);
        assert_int_equal(sum.rows, 0);
        assert_int_equal(sum.inserted, 0);
        assert_int_equal(rows_in(f->s, "corporate_actions"), 0);
        assert_int_equal(rows_in(f->s, "fx_rates_daily"), 0);
    }
    /* a header and blank lines: no rows, nothing stored, no error */
    struct tc_error err = {0};
    struct tc_actions_summary sum = {7, 7, 7};
    file_at(f, "none.csv", "symbol,ex_date,kind,value\n\n\r\n", path, sizeof path);
    tc_assert_ok(tc_actions_ingest_csv(f->s, path, NULL, NULL, &sum, &err), &err);
    assert_int_equal(sum.rows, 0);
    assert_int_equal(sum.inserted, 0);
    assert_int_equal(rows_in(f->s, "corporate_actions"), 0);
}

/* A line too long and a NUL byte, which tc_test_write_file cannot write. */
static void test_bad_bytes(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    char path[700];
    size_t n = TC_ACTIONS_LINE_MAX + 64;
    char *text = malloc(n + 64);
    assert_non_null(text);
    int used = snprintf(text, n + 64, FXH "2014-01-02,EUR,USD,1.");
    memset(text + used, '0', n - (size_t)used);
    memcpy(text + n, "1\n", 3);
    file_at(f, "long.csv", text, path, sizeof path);
    free(text);
    int rc = tc_fx_ingest_csv(f->s, path, NULL, NULL, &err);
    tc_test_assert_error("long line", rc, TC_EPARSE, &err, "long.csv:2: line is longer than 1024 bytes");

    snprintf(path, sizeof path, "%s/nul.csv", f->dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    static const char nul[] = FXH "2014-01-02,EUR,USD,1.2\n2014-01-03,EUR,U\0D,1.2\n";
    assert_int_equal(fwrite(nul, 1, sizeof nul - 1, fp), sizeof nul - 1);
    fclose(fp);
    rc = tc_fx_ingest_csv(f->s, path, NULL, NULL, &err);
    tc_test_assert_error("NUL byte", rc, TC_EPARSE, &err, "nul.csv:3: line contains a NUL byte");

    snprintf(path, sizeof path, "%s/missing.csv", f->dir);
    rc = tc_actions_ingest_csv(f->s, path, NULL, NULL, NULL, &err);
    tc_test_assert_error("missing file", rc, TC_EIO, &err, "missing.csv: cannot open");
    rc = tc_actions_ingest_csv(f->s, path, "no market", NULL, NULL, &err);
    tc_test_assert_error("bad market", rc, TC_EINVAL, &err, "market id \"no market\"");
    rc = tc_actions_ingest_csv(NULL, path, NULL, NULL, NULL, &err);
    tc_test_assert_error("NULL store", rc, TC_EINVAL, &err, "NULL store or path");
    struct tc_corp_action *a = (void *)1;
    size_t na = 9;
    rc = tc_actions_load(f->s, "", &a, &na, &err);
    tc_test_assert_error("empty id", rc, TC_EINVAL, &err, "instrument id \"\" is empty");
    assert_null(a);
    assert_int_equal(na, 0);
    assert_int_equal(rows_in(f->s, "fx_rates_daily"), 0);
}

/* A row stored with another value rejects the whole file: the rows before it
 * in the file are not stored either. */
static void test_conflict_rejects_the_file(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    char path[700];

    file_at(f, "first.csv", HDR "ORCL,2000-01-18,SPLIT,2,\nORCL,2001-01-18,DIVIDEND,0.1,EUR\n",
            path, sizeof path);
    tc_assert_ok(tc_actions_ingest_csv(f->s, path, NULL, NULL, NULL, &err), &err);
    file_at(f, "second.csv",
            HDR "ORCL,1999-01-04,DIVIDEND,0.2,\nORCL,2000-01-18,SPLIT,3,\n", path, sizeof path);
    int rc = tc_actions_ingest_csv(f->s, path, NULL, NULL, NULL, &err);
    tc_test_assert_error("other ratio", rc, TC_ECONFLICT, &err,
                         "second.csv:3: SPLIT of ORCL on 2000-01-18 is stored with ratio 2, the "
                         "file says 3");
    file_at(f, "third.csv", HDR "ORCL,2001-01-18,DIVIDEND,0.1,USD\n", path, sizeof path);
    rc = tc_actions_ingest_csv(f->s, path, NULL, NULL, NULL, &err);
    tc_test_assert_error("other currency", rc, TC_ECONFLICT, &err,
                         "third.csv:2: DIVIDEND of ORCL on 2001-01-18 is stored with amount 0.1 "
                         "EUR, the file says 0.1 USD");
    assert_int_equal(rows_in(f->s, "corporate_actions"), 2);

    file_at(f, "fx1.csv", FXH "2014-01-02,EUR,USD,1.3667\n", path, sizeof path);
    tc_assert_ok(tc_fx_ingest_csv(f->s, path, NULL, NULL, &err), &err);
    file_at(f, "fx2.csv", FXH "2014-01-03,EUR,USD,1.36\n2014-01-02,EUR,USD,1.3668\n", path,
            sizeof path);
    rc = tc_fx_ingest_csv(f->s, path, NULL, NULL, &err);
    tc_test_assert_error("other rate", rc, TC_ECONFLICT, &err,
                         "fx2.csv:3: rate EUR/USD on 2014-01-02 is stored as 1.3667, the file "
                         "says 1.3668");
    assert_int_equal(rows_in(f->s, "fx_rates_daily"), 1);
}

#ifndef MANY_SYMBOLS
#define MANY_SYMBOLS 400
#endif

/* MANY_SYMBOLS instruments (ids I0000.., symbols S0000..) with four actions
 * each, the symbols taking turns down the file (each symbol's rows far
 * apart): every row stored on its symbol's instrument with its own value; a
 * second file of the same rows ends with an unknown symbol and is refused
 * naming that last line (the rows are still resolved in file order), with
 * nothing of it stored; the first file again changes nothing. */
static void test_many_symbols(void **state)
{
    struct tc_test_hist_fx *f = *state;
    struct tc_error err = {0};
    struct tc_actions_summary sum;
    enum { N = MANY_SYMBOLS, ROWS = 4 * N };
    static const char *const days[4] = {"2001-02-05", "2003-06-10", "2005-09-15", "2007-12-20"};
    char path[700], id[16], sym[16];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "I%04d", i);
        snprintf(sym, sizeof sym, "S%04d", i);
        assert_int_equal(tc_test_hist_add_instrument(f->s, id, sym, "XNYS"), 0);
    }
    size_t cap = 64 + (size_t)ROWS * 48 + 64, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len, HDR);
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < N; j++) {
            const int i = (j * 7 + k * 3) % N; /* N is not a multiple of 7 */
            if (k == 3)
                len += (size_t)snprintf(text + len, cap - len, "S%04d,%s,SPLIT,%d,\n", i, days[k],
                                        2 + i % 5);
            else
                len += (size_t)snprintf(text + len, cap - len, "S%04d,%s,DIVIDEND,0.%02d,USD\n",
                                        i, days[k], 1 + (i + k) % 97);
        }
    file_at(f, "many.csv", text, path, sizeof path);
    tc_assert_ok(tc_actions_ingest_csv(f->s, path, NULL, NULL, &sum, &err), &err);
    assert_int_equal(sum.rows, ROWS);
    assert_int_equal(sum.inserted, ROWS);
    assert_int_equal(sum.unchanged, 0);
    for (int i = 0; i < N; i++) {
        struct tc_corp_action *ca = NULL;
        size_t n = 0;
        char want[16];
        snprintf(id, sizeof id, "I%04d", i);
        tc_assert_ok(tc_actions_load(f->s, id, &ca, &n, &err), &err);
        assert_int_equal(n, 4);
        for (int k = 0; k < 4; k++) {
            int64_t day = 0;
            tc_assert_ok(tc_date_parse(days[k], &day, &err), &err);
            assert_int_equal(ca[k].ex_date, day);
            assert_int_equal(ca[k].kind, k == 3 ? TC_CA_SPLIT : TC_CA_DIVIDEND);
            if (k == 3)
                snprintf(want, sizeof want, "%d", 2 + i % 5);
            else
                snprintf(want, sizeof want, "0.%02d", 1 + (i + k) % 97);
            assert_int_equal(tc_dec_cmp(k == 3 ? ca[k].ratio : ca[k].amount, D(want)), 0);
        }
        free(ca);
    }
    len += (size_t)snprintf(text + len, cap - len, "ZZZZ,2009-01-05,DIVIDEND,0.5,USD\n");
    file_at(f, "many_bad.csv", text, path, sizeof path);
    int rc = tc_actions_ingest_csv(f->s, path, NULL, NULL, &sum, &err);
    char want[64];
    snprintf(want, sizeof want, "many_bad.csv:%d:", ROWS + 2);
    tc_test_assert_error("unknown symbol last", rc, TC_ENOTFOUND, &err, want);
    assert_non_null(strstr(err.msg, "ZZZZ"));
    assert_int_equal(rows_in(f->s, "corporate_actions"), ROWS);
    text[len - strlen("ZZZZ,2009-01-05,DIVIDEND,0.5,USD\n")] = '\0';
    file_at(f, "many.csv", text, path, sizeof path);
    tc_assert_ok(tc_actions_ingest_csv(f->s, path, NULL, NULL, &sum, &err), &err);
    assert_int_equal(sum.rows, ROWS);
    assert_int_equal(sum.inserted, 0);
    assert_int_equal(sum.unchanged, ROWS);
    free(text);
}

#define TESTS(s)                                                                        \
    cmocka_unit_test_setup_teardown(test_actions_stored_and_read_back, s, teardown),    \
        cmocka_unit_test_setup_teardown(test_fx_stored_and_found, s, teardown),         \
        cmocka_unit_test_setup_teardown(test_bad_files, s, teardown),                   \
        cmocka_unit_test_setup_teardown(test_bad_bytes, s, teardown),                   \
        cmocka_unit_test_setup_teardown(test_conflict_rejects_the_file, s, teardown), \
        cmocka_unit_test_setup_teardown(test_many_symbols, s, teardown)

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
