/* Report dates: every row's date in equity.csv and fills.csv (written
 * straight into the row buffer) is exactly what tc_date_format writes,
 * across month and year ends, leap Februaries, gaps of any length and days
 * that go backwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/analytics.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"

#define D(text) tc_test_dec(text)

static int64_t day(int y, int m, int d) { return tc_days_from_civil(y, m, d); }

static void write_report(const char *dir, const struct tc_run_result *r)
{
    struct tc_metrics m;
    struct tc_error err = {0};
    tc_assert_ok(tc_analytics_compute(r, &m, &err), &err);
    tc_assert_ok(tc_report_write(dir, "dates", NULL, r, &m, &err), &err);
}

/* Each of the N rows of TEXT (after its header line) starts with the date of
 * DAYS[i] as tc_date_format writes it, followed by TAIL; nothing follows. */
static void assert_rows(const char *text, const char *header, const int64_t *days, size_t n,
                        const char *tail)
{
    char want[128], date[TC_DATE_STRLEN];
    const char *p = text;
    assert_memory_equal(p, header, strlen(header));
    p += strlen(header);
    for (size_t i = 0; i < n; i++) {
        tc_date_format(days[i], date);
        snprintf(want, sizeof want, "%s%s", date, tail);
        if (strncmp(p, want, strlen(want)) != 0)
            fail_msg("row %zu: want \"%s\", got \"%.40s\"", i, want, p);
        p += strlen(want);
    }
    assert_int_equal(*p, '\0');
}

/* Every day of 2019..2021 (a leap February, months of 30 and 31 days), then
 * steps of 1 to 40 days; fills whose days go back and forth by a day or by
 * hundreds. */
static void test_dates_near(void **state)
{
    (void)state;
    enum { N = 1600, F = 64 };
    static struct tc_equity_point pts[N];
    static struct tc_run_fill fl[F];
    static int64_t eq_days[N], fill_days[F];
    static const int steps[] = {1, 1, 1, 3, 2, 5, 27, 28, 29, 31, 40, 1};
    int64_t d = day(2019, 1, 1);
    char dir[512];

    memset(pts, 0, sizeof pts);
    for (int i = 0; i < N; i++) {
        pts[i].day = eq_days[i] = d;
        pts[i].equity = pts[i].cash = D("100");
        d += i < 1100 ? 1 : steps[i % 12];
    }
    for (int i = 0; i < F; i++) {
        fill_days[i] = eq_days[(i * 37) % N] + (i % 3) - 1;
        fl[i] = (struct tc_run_fill){.day = fill_days[i], .instrument_id = "AAA", .side = 'B',
                                     .quantity = D("1"), .price = D("10"),
                                     .commission = D("0")};
    }
    struct tc_run_result r = {.initial_cash = D("100"), .equity = pts, .n_equity = N,
                              .fills = fl, .n_fills = F, .periods_per_year = 252};
    assert_int_equal(tc_test_tmpdir("report_dates", dir, sizeof dir), 0);
    write_report(dir, &r);
    char *s = tc_test_slurp_in(dir, "equity.csv", NULL);
    assert_rows(s, "date,cash,equity\n", eq_days, N, ",100,100\n");
    free(s);
    s = tc_test_slurp_in(dir, "fills.csv", NULL);
    assert_rows(s, "date,instrument,side,quantity,price,commission\n", fill_days, F,
                ",AAA,BUY,1,10,0\n");
    free(s);
}

/* The last day of a month followed by the first of the next, the 28th by
 * the 1st of March in a leap year and not (2000 and 2100 among them), the
 * 31st of December by the 1st of January: the month and year digits change
 * too. */
static void test_month_ends(void **state)
{
    (void)state;
    static const int ymd[][3] = {{1999, 12, 31}, {2000, 2, 28}, {2000, 2, 29}, {2000, 3, 1},
                                 {2019, 1, 28},  {2019, 1, 31}, {2019, 2, 1},  {2019, 2, 28},
                                 {2019, 3, 1},   {2020, 2, 28}, {2020, 2, 29}, {2020, 3, 1},
                                 {2020, 12, 31}, {2021, 1, 1},  {2021, 1, 28}, {2021, 2, 1},
                                 {2100, 2, 28},  {2100, 3, 1},  {2100, 3, 31}, {2100, 4, 1}};
    enum { N = sizeof ymd / sizeof ymd[0] };
    struct tc_equity_point pts[N];
    int64_t days[N];
    char dir[512];

    memset(pts, 0, sizeof pts);
    for (int i = 0; i < N; i++) {
        pts[i].day = days[i] = day(ymd[i][0], ymd[i][1], ymd[i][2]);
        pts[i].equity = pts[i].cash = D("100");
    }
    struct tc_run_result r = {.initial_cash = D("100"), .equity = pts, .n_equity = N,
                              .periods_per_year = 252};
    assert_int_equal(tc_test_tmpdir("report_month_ends", dir, sizeof dir), 0);
    write_report(dir, &r);
    char *s = tc_test_slurp_in(dir, "equity.csv", NULL);
    assert_rows(s, "date,cash,equity\n", days, N, ",100,100\n");
    assert_non_null(strstr(s, "2020-02-29,100,100\n2020-03-01,"));
    assert_non_null(strstr(s, "2020-12-31,100,100\n2021-01-01,"));
    /* 2000 is a leap year (divisible by 400), 2100 is not (by 100 only) */
    assert_non_null(strstr(s, "2000-02-28,100,100\n2000-02-29,100,100\n2000-03-01,"));
    assert_non_null(strstr(s, "2100-02-28,100,100\n2100-03-01,"));
    free(s);
}

/* The decimal columns of fills.csv, trades.csv and equity.csv when values
 * repeat from row to row and change (a fixed quantity, a zero commission,
 * cash between trades, a value of another length after a repeated one, a
 * negative after its positive, zero after a tiny amount): each field is
 * tc_dec_format's text of that row's own value. */
static void test_repeated_values(void **state)
{
    (void)state;
    static const char *const vals[] = {"100", "100", "100", "0", "0", "12.5", "12.5",
                                       "-12.5", "-12.5", "0.00000001", "0", "123456789.12345678",
                                       "123456789.12345678", "1", "100", "100.5", "100"};
    /* quantities and prices must be > 0, commissions >= 0 */
    static const char *const pos[] = {"100", "100", "100", "12.5", "12.5", "0.00000001",
                                      "0.00000001", "123456789.12345678", "123456789.12345678",
                                      "1", "100", "100.5", "100", "100", "7", "7", "100"};
    static const char *const nonneg[] = {"0", "0", "0", "1.25", "1.25", "0", "0.00000001", "0",
                                         "0", "10", "10", "100.5", "100", "0", "0", "7", "0"};
    enum { N = sizeof vals / sizeof vals[0] };
    _Static_assert(sizeof pos / sizeof pos[0] == N && sizeof nonneg / sizeof nonneg[0] == N,
                   "one value a row");
    struct tc_equity_point pts[N];
    struct tc_run_fill fl[N];
    struct tc_run_trade tr[N];
    char dir[512], want[8192], a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN],
        dd[TC_DATE_STRLEN];
    size_t wl;

    memset(pts, 0, sizeof pts);
    memset(fl, 0, sizeof fl);
    memset(tr, 0, sizeof tr);
    for (int i = 0; i < N; i++) {
        struct tc_dec v = D(vals[i]), w = D(vals[(i + 3) % N]), q = D(pos[i]),
                      p = D(pos[(i + 5) % N]), k = D(nonneg[i]);
        pts[i] = (struct tc_equity_point){.day = day(2020, 1, 1) + i, .cash = v,
                                          .equity = D("1000")};
        if (i % 4 == 3)
            pts[i].equity = w;
        fl[i] = (struct tc_run_fill){.day = day(2020, 1, 1) + i, .instrument_id = "AAA",
                                     .side = 'B', .quantity = q, .price = p, .commission = k};
        tr[i] = (struct tc_run_trade){.instrument_id = "AAA", .side = 'L',
                                      .entry_day = day(2020, 1, 1) + i,
                                      .exit_day = day(2020, 1, 2) + i, .quantity = q,
                                      .entry_price = p, .exit_price = q, .gross_pnl = v,
                                      .commission = k, .net_pnl = w};
    }
    struct tc_run_result r = {.initial_cash = D("1000"), .equity = pts, .n_equity = N,
                              .fills = fl, .n_fills = N, .trades = tr, .n_trades = N,
                              .periods_per_year = 252};
    assert_int_equal(tc_test_tmpdir("report_repeats", dir, sizeof dir), 0);
    write_report(dir, &r);

    char *s = tc_test_slurp_in(dir, "equity.csv", NULL);
    wl = (size_t)snprintf(want, sizeof want, "date,cash,equity\n");
    for (int i = 0; i < N; i++) {
        tc_date_format(pts[i].day, dd);
        tc_dec_format(pts[i].cash, a, sizeof a);
        tc_dec_format(pts[i].equity, b, sizeof b);
        wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s,%s,%s\n", dd, a, b);
    }
    assert_string_equal(s, want);
    free(s);

    s = tc_test_slurp_in(dir, "fills.csv", NULL);
    wl = (size_t)snprintf(want, sizeof want, "date,instrument,side,quantity,price,commission\n");
    for (int i = 0; i < N; i++) {
        tc_date_format(fl[i].day, dd);
        tc_dec_format(fl[i].quantity, a, sizeof a);
        tc_dec_format(fl[i].price, b, sizeof b);
        tc_dec_format(fl[i].commission, c, sizeof c);
        wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s,AAA,BUY,%s,%s,%s\n", dd, a, b, c);
    }
    assert_string_equal(s, want);
    free(s);

    s = tc_test_slurp_in(dir, "trades.csv", NULL);
    wl = (size_t)snprintf(want, sizeof want, "instrument,side,entry_date,entry_price,exit_date,"
                                             "exit_price,quantity,gross,commission,net\n");
    for (int i = 0; i < N; i++) {
        char e[TC_DATE_STRLEN], q[TC_DEC_STRLEN], g[TC_DEC_STRLEN], cm[TC_DEC_STRLEN],
            nt[TC_DEC_STRLEN];
        tc_date_format(tr[i].entry_day, dd);
        tc_date_format(tr[i].exit_day, e);
        tc_dec_format(tr[i].entry_price, a, sizeof a);
        tc_dec_format(tr[i].exit_price, b, sizeof b);
        tc_dec_format(tr[i].quantity, q, sizeof q);
        tc_dec_format(tr[i].gross_pnl, g, sizeof g);
        tc_dec_format(tr[i].commission, cm, sizeof cm);
        tc_dec_format(tr[i].net_pnl, nt, sizeof nt);
        wl += (size_t)snprintf(want + wl, sizeof want - wl, "AAA,LONG,%s,%s,%s,%s,%s,%s,%s,%s\n",
                               dd, a, e, b, q, g, cm, nt);
    }
    assert_string_equal(s, want);
    free(s);
    /* report.html's trade rows: the same texts */
    s = tc_test_slurp_in(dir, "report.html", NULL);
    assert_non_null(strstr(s, "<tr><td>AAA</td><td>LONG</td><td>2020-01-01</td>"
                              "<td>0.00000001</td><td>2020-01-02</td><td>100</td><td>100</td>"
                              "<td>100</td><td>0</td><td class=\"zero\">0</td></tr>"));
    assert_non_null(strstr(s, "<td>2020-01-06</td><td>100</td><td>2020-01-07</td>"
                              "<td>0.00000001</td><td>0.00000001</td><td>12.5</td><td>0</td>"
                              "<td class=\"neg\">-12.5</td></tr>"));
    free(s);
}

/* More trades than report.html lists (2000): trades.csv has every one, each
 * row its own values (those past the 2000th formatted apart from the ones
 * kept for the page), over several 16 KiB blocks; report.html says how many
 * it shows and lists exactly the first 2000, the last of them whole. */
static void test_many_trades(void **state)
{
    (void)state;
    enum { N = 2105, SHOWN = 2000 };
    struct tc_run_trade *tr = calloc(N, sizeof *tr);
    struct tc_equity_point pts[2];
    char dir[512], row[512], a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], dd[TC_DATE_STRLEN],
        de[TC_DATE_STRLEN];
    assert_non_null(tr);

    memset(pts, 0, sizeof pts);
    for (int i = 0; i < 2; i++) {
        pts[i].day = day(2020, 1, 1) + i;
        pts[i].cash = pts[i].equity = D("1000");
    }
    for (int i = 0; i < N; i++) {
        tr[i] = (struct tc_run_trade){.side = i % 2 ? 'S' : 'L', .entry_day = day(2020, 1, 1) + i,
                                      .exit_day = day(2020, 1, 2) + i, .quantity = D("1"),
                                      .entry_price = D("10"), .exit_price = D("10"),
                                      .commission = D("0")};
        snprintf(tr[i].instrument_id, sizeof tr[i].instrument_id, "I%d", i);
        tr[i].gross_pnl.raw = tr[i].net_pnl.raw = (int64_t)(i - 1000) * 12345;
    }
    struct tc_run_result r = {.initial_cash = D("1000"), .equity = pts, .n_equity = 2,
                              .trades = tr, .n_trades = N, .periods_per_year = 252};
    assert_int_equal(tc_test_tmpdir("report_many_trades", dir, sizeof dir), 0);
    write_report(dir, &r);

    char *s = tc_test_slurp_in(dir, "trades.csv", NULL), *p = s;
    const char *hdr = "instrument,side,entry_date,entry_price,exit_date,exit_price,quantity,"
                      "gross,commission,net\n";
    assert_memory_equal(p, hdr, strlen(hdr));
    p += strlen(hdr);
    for (int i = 0; i < N; i++) {
        tc_date_format(tr[i].entry_day, dd);
        tc_date_format(tr[i].exit_day, de);
        tc_dec_format(tr[i].gross_pnl, a, sizeof a);
        tc_dec_format(tr[i].net_pnl, b, sizeof b);
        snprintf(row, sizeof row, "I%d,%s,%s,10,%s,10,1,%s,0,%s\n", i,
                 i % 2 ? "SHORT" : "LONG", dd, de, a, b);
        if (strncmp(p, row, strlen(row)) != 0)
            fail_msg("trades.csv row %d: want \"%s\", got \"%.60s\"", i, row, p);
        p += strlen(row);
    }
    assert_int_equal(*p, '\0');
    free(s);

    s = tc_test_slurp_in(dir, "report.html", NULL);
    assert_non_null(strstr(s, "<p>The first 2000 of 2105 trades; trades.csv lists them all.</p>"));
    for (int i = 0; i < N; i++) {
        snprintf(row, sizeof row, "<tr><td>I%d</td>", i);
        if ((strstr(s, row) != NULL) != (i < SHOWN))
            fail_msg("report.html: trade %d %s", i, i < SHOWN ? "missing" : "listed");
    }
    tc_date_format(tr[SHOWN - 1].entry_day, dd);
    tc_date_format(tr[SHOWN - 1].exit_day, de);
    tc_dec_format(tr[SHOWN - 1].net_pnl, a, sizeof a);
    snprintf(row, sizeof row,
             "<tr><td>I1999</td><td>SHORT</td><td>%s</td><td>10</td><td>%s</td><td>10</td>"
             "<td>1</td><td>%s</td><td>0</td><td class=\"pos\">%s</td></tr>\n",
             dd, de, a, a);
    assert_non_null(strstr(s, row));
    free(s);
    free(tr);
}

/* A title of every length from 0 to 300 characters, of plain and special
 * characters mixed (report.html escapes it in pieces): the page's <title>
 * and <h1> hold exactly its escaped text. */
static void test_long_title(void **state)
{
    (void)state;
    static const char pattern[] = "a<b&c>\"d'e";
    struct tc_equity_point pts[2];
    char dir[512], title[301], *want = malloc(301 * 6 + 64), *tag = malloc(301 * 6 + 64);
    assert_non_null(want);
    assert_non_null(tag);

    memset(pts, 0, sizeof pts);
    for (int i = 0; i < 2; i++) {
        pts[i].day = day(2020, 1, 1) + i;
        pts[i].cash = pts[i].equity = D("1000");
    }
    struct tc_run_result r = {.initial_cash = D("1000"), .equity = pts, .n_equity = 2,
                              .periods_per_year = 252};
    assert_int_equal(tc_test_tmpdir("report_long_title", dir, sizeof dir), 0);
    for (size_t len = 0; len <= 300; len += len < 70 ? 1 : 23) {
        size_t w = 0;
        struct tc_metrics m;
        struct tc_error err = {0};
        for (size_t k = 0; k < len; k++) {
            const char c = pattern[k % (sizeof pattern - 1)];
            const char *e = c == '<' ? "&lt;" : c == '&' ? "&amp;" : c == '>' ? "&gt;"
                          : c == '"' ? "&quot;" : c == '\'' ? "&#39;" : NULL;
            title[k] = c;
            if (e) {
                memcpy(want + w, e, strlen(e));
                w += strlen(e);
            } else {
                want[w++] = c;
            }
        }
        title[len] = '\0';
        want[w] = '\0';
        tc_assert_ok(tc_analytics_compute(&r, &m, &err), &err);
        tc_assert_ok(tc_report_write(dir, title, NULL, &r, &m, &err), &err);
        char *h = tc_test_slurp_in(dir, "report.html", NULL);
        snprintf(tag, 301 * 6 + 64, "<title>%s</title>\n", want);
        if (!strstr(h, tag))
            fail_msg("title of %zu characters: no %s", len, tag);
        snprintf(tag, 301 * 6 + 64, "<h1>%s", want);
        if (!strstr(h, tag))
            fail_msg("title of %zu characters: no %s", len, tag);
        free(h);
    }
    free(want);
    free(tag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_near),
        cmocka_unit_test(test_month_ends),
        cmocka_unit_test(test_repeated_values),
        cmocka_unit_test(test_many_trades),
        cmocka_unit_test(test_long_title),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
