/* Report rows written without printf: instrument ids in fills.csv and
 * trades.csv quoted exactly when CSV needs it (a special character at any
 * place of an id of any length, whatever follows the id's NUL in its
 * field); trade dates in trades.csv and report.html exactly tc_date_format's
 * across months, leap years, jumps back and forth and dates it cannot
 * write; the charts' coordinates exactly llround of a hundredth. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/analytics.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"

#define D(text) tc_test_dec(text)

/* snprintf into P with room enough (the caller's buffer is sized for it). */
#define PUTF(p, ...) snprintf((p), 4096, __VA_ARGS__)

static void write_report(const char *dir, const struct tc_run_result *r)
{
    struct tc_metrics m;
    struct tc_error err = {0};
    tc_assert_ok(tc_analytics_compute(r, &m, &err), &err);
    tc_assert_ok(tc_report_write(dir, "rows", NULL, r, &m, &err), &err);
}

/* S as an RFC 4180 field: quoted, with quotes doubled, when it holds a
 * comma, quote, CR or LF. */
static void csv_field(const char *s, char *buf, size_t cap)
{
    size_t n = 0;
    if (!strpbrk(s, ",\"\r\n")) {
        snprintf(buf, cap, "%s", s);
        return;
    }
    buf[n++] = '"';
    for (; *s; s++) {
        if (*s == '"')
            buf[n++] = '"';
        buf[n++] = *s;
    }
    buf[n++] = '"';
    buf[n] = '\0';
    assert_true(n < cap);
}

/* Ids of every length 0..64 with no special character or one of ",\"\r\n"
 * (CSV's) or "&<>'" (HTML's, with the quote) at the start, the middle, the
 * end or a 16-byte boundary; the rest of each 65-byte field after the NUL
 * is filled with commas and quotes. A tab, space, semicolon or '=' (special
 * to other CSV dialects, not to RFC 4180) leaves the field plain in both
 * CSV files, as it leaves the cell plain in report.html. */
static void test_csv_ids(void **state)
{
    (void)state;
    static const char specials[] = {0,   ',', '"', '\r', '\n', '&', '<',
                                    '>', '\'', '\t', ' ',  ';',  '='};
    enum { MAX = 65 * 13 * 8 };
    struct tc_run_fill *fl = calloc(MAX, sizeof *fl);
    struct tc_run_trade *tr = calloc(MAX, sizeof *tr);
    struct tc_equity_point pt = {.day = tc_days_from_civil(2020, 1, 2), .cash = D("1000"),
                                 .equity = D("1000")};
    size_t n = 0;
    char dir[512];
    assert_non_null(fl);
    assert_non_null(tr);
    for (size_t len = 0; len <= 64; len++)
        for (size_t s = 0; s < sizeof specials; s++) {
            const size_t at[] = {0, len / 2, len ? len - 1 : 0, 15, 16, 31, 32, 63};
            for (size_t a = 0; a < (s ? sizeof at / sizeof at[0] : 1); a++) {
                char id[65];
                if (s && at[a] >= len)
                    continue;
                for (size_t k = 0; k < 65; k++)
                    id[k] = k % 2 ? ',' : '"';
                for (size_t k = 0; k < len; k++)
                    id[k] = (char)('A' + (k * 7 + len) % 26);
                if (s)
                    id[at[a]] = specials[s];
                id[len] = '\0';
                memcpy(fl[n].instrument_id, id, 65);
                fl[n].day = pt.day;
                fl[n].side = 'B';
                fl[n].quantity = D("1");
                fl[n].price = D("10");
                fl[n].commission = D("0");
                memcpy(tr[n].instrument_id, id, 65);
                tr[n].side = 'L';
                tr[n].entry_day = tr[n].exit_day = pt.day;
                tr[n].quantity = D("1");
                tr[n].entry_price = tr[n].exit_price = D("10");
                tr[n].gross_pnl = tr[n].commission = tr[n].net_pnl = D("0");
                n++;
            }
        }
    assert_true(n <= MAX);
    struct tc_run_result r = {.initial_cash = D("1000"), .equity = &pt, .n_equity = 1,
                              .fills = fl, .n_fills = n, .trades = tr, .n_trades = n,
                              .periods_per_year = 252};
    assert_int_equal(tc_test_tmpdir("report_csv_ids", dir, sizeof dir), 0);
    write_report(dir, &r);
    char *fills = tc_test_slurp_in(dir, "fills.csv", NULL);
    char *trades = tc_test_slurp_in(dir, "trades.csv", NULL);
    char *html = tc_test_slurp_in(dir, "report.html", NULL);
    const char *hp = strstr(html, "<th>net</th></tr>\n");
    assert_non_null(hp);
    hp += strlen("<th>net</th></tr>\n");
    const char *fp = fills + strlen("date,instrument,side,quantity,price,commission\n");
    const char *tp = strchr(trades, '\n') + 1;
    for (size_t i = 0; i < n; i++) {
        char field[200], want[300];
        csv_field(fl[i].instrument_id, field, sizeof field);
        snprintf(want, sizeof want, "2020-01-02,%s,BUY,1,10,0\n", field);
        if (strncmp(fp, want, strlen(want)) != 0)
            fail_msg("fills.csv row %zu: want \"%s\", got \"%.80s\"", i, want, fp);
        fp += strlen(want);
        snprintf(want, sizeof want, "%s,LONG,2020-01-02,10,2020-01-02,10,1,0,0,0\n", field);
        if (strncmp(tp, want, strlen(want)) != 0)
            fail_msg("trades.csv row %zu: want \"%s\", got \"%.80s\"", i, want, tp);
        tp += strlen(want);
        if (i >= 2000) /* report.html lists the first 2000 */
            continue;
        size_t k = (size_t)snprintf(want, sizeof want, "<tr><td>");
        for (const char *c = tr[i].instrument_id; *c; c++)
            k += (size_t)snprintf(want + k, sizeof want - k, "%s",
                                  *c == '&'    ? "&amp;"
                                  : *c == '<'  ? "&lt;"
                                  : *c == '>'  ? "&gt;"
                                  : *c == '"'  ? "&quot;"
                                  : *c == '\'' ? "&#39;"
                                               : (char[2]){*c, 0});
        snprintf(want + k, sizeof want - k, "</td><td>LONG</td><td>2020-01-02</td>");
        if (strncmp(hp, want, strlen(want)) != 0)
            fail_msg("report.html row %zu: want \"%s\", got \"%.80s\"", i, want, hp);
        hp = strstr(hp, "</td></tr>\n") + strlen("</td></tr>\n"); /* ids hold line breaks */
    }
    assert_int_equal(*fp, '\0');
    assert_int_equal(*tp, '\0');
    free(fills);
    free(trades);
    free(html);
    free(fl);
    free(tr);
}

/* Trade dates that move within a month, to the next and the previous
 * month, across every month end of leap and common years (2000, 2400 and
 * 2020; 1900, 2100, 2019 and 1969), by years, and
 * out of the range tc_date_format writes ("(bad date)") and back: every
 * entry and exit date in trades.csv and report.html is tc_date_format's. */
static void test_trade_dates(void **state)
{
    (void)state;
    static const int steps[] = {0, 1, 1, 27, -1, 30, -31, 365, 1, -400, 29, 28, 1, 2, -3, 59};
    enum { N = 1200 };
    struct tc_run_trade *tr = calloc(N, sizeof *tr);
    struct tc_equity_point pt = {.day = tc_days_from_civil(2020, 1, 2), .cash = D("1000"),
                                 .equity = D("1000")};
    int64_t d = tc_days_from_civil(1899, 12, 1);
    char dir[512];
    size_t i0 = 0, nbad = 0;
    assert_non_null(tr);
    /* first, each month end day by day into the next month, in century
     * years that are not leap years (1900, 2100) and that are (2000, 2400),
     * in a leap year and in common years (1969 ends at day 0) */
    static const int years[] = {1900, 2000, 2100, 2400, 2019, 2020, 1969};
    for (size_t y = 0; y < sizeof years / sizeof years[0]; y++)
        for (int m = 1; m <= 12; m++) {
            const int64_t first = tc_days_from_civil(years[y], m, 1);
            const int64_t next = m == 12 ? tc_days_from_civil(years[y] + 1, 1, 1)
                                         : tc_days_from_civil(years[y], m + 1, 1);
            for (int64_t x = next - 3; x <= next + 1; x++) {
                assert_true(i0 < N / 2);
                tr[i0].entry_day = x;
                tr[i0].exit_day = first + (x - first) * 2;
                i0++;
            }
        }
    for (size_t i = 0; i < N; i++) {
        snprintf(tr[i].instrument_id, sizeof tr[i].instrument_id, "I%zu", i % 3);
        tr[i].side = i % 2 ? 'L' : 'S';
        tr[i].quantity = D("1");
        tr[i].entry_price = tr[i].exit_price = D("10");
        tr[i].gross_pnl = tr[i].commission = tr[i].net_pnl = D("0");
        if (i < i0)
            continue;
        d += steps[i % 16] + (i % 50 == 49 ? 20000 : 0);
        if (d > tc_days_from_civil(2101, 1, 1))
            d = tc_days_from_civil(1899, 12, 1) + (int64_t)i;
        tr[i].entry_day = d;
        tr[i].exit_day = d + steps[(i * 5) % 16] * (steps[(i * 5) % 16] > 0) + (int64_t)(i % 40);
        if (i % 97 == 5) { /* years tc_date_format cannot write */
            tr[i].entry_day = -800000;
            tr[i].exit_day = 3000000 + (int64_t)i;
            nbad++;
        }
    }
    struct tc_run_result r = {.initial_cash = D("1000"), .equity = &pt, .n_equity = 1,
                              .trades = tr, .n_trades = N, .periods_per_year = 252};
    assert_int_equal(tc_test_tmpdir("report_trade_dates", dir, sizeof dir), 0);
    write_report(dir, &r);
    char *trades = tc_test_slurp_in(dir, "trades.csv", NULL);
    char *html = tc_test_slurp_in(dir, "report.html", NULL);
    const char *tp = strchr(trades, '\n') + 1;
    const char *hp = strstr(html, "<th>net</th></tr>\n");
    assert_non_null(hp);
    hp += strlen("<th>net</th></tr>\n");
    size_t bad_seen = 0;
    for (size_t i = 0; i < N; i++) {
        char a[TC_DATE_STRLEN], b[TC_DATE_STRLEN], want[300];
        tc_date_format(tr[i].entry_day, a);
        tc_date_format(tr[i].exit_day, b);
        bad_seen += strcmp(a, "(bad date)") == 0 && strcmp(b, "(bad date)") == 0;
        snprintf(want, sizeof want, "I%zu,%s,%s,10,%s,10,1,0,0,0\n", i % 3,
                 tr[i].side == 'L' ? "LONG" : "SHORT", a, b);
        if (strncmp(tp, want, strlen(want)) != 0)
            fail_msg("trades.csv row %zu: want \"%s\", got \"%.80s\"", i, want, tp);
        tp += strlen(want);
        snprintf(want, sizeof want,
                 "<tr><td>I%zu</td><td>%s</td><td>%s</td><td>10</td><td>%s</td><td>10</td>"
                 "<td>1</td><td>0</td><td>0</td><td class=\"zero\">0</td></tr>\n",
                 i % 3, tr[i].side == 'L' ? "LONG" : "SHORT", a, b);
        if (strncmp(hp, want, strlen(want)) != 0)
            fail_msg("report.html row %zu: want \"%s\", got \"%.120s\"", i, want, hp);
        hp += strlen(want);
    }
    assert_int_equal(*tp, '\0');
    assert_string_equal(hp, "</table>\n</body>\n</html>\n");
    assert_true(nbad >= 8);
    assert_int_equal(bad_seen, nbad);
    free(trades);
    free(html);
    free(tr);
}

/* V x 100 rounded half away from zero, as "%.2f" of a hundredth. */
static void hundredths(double v, char *buf, size_t cap)
{
    long long c = llround(v * 100.0);
    snprintf(buf, cap, "%s%lld.%02lld", c < 0 ? "-" : "", llabs(c) / 100, llabs(c) % 100);
}

/* The "x,y x,y ..." of a chart of the N values V, as svg_chart places them
 * (every point kept: N is at most 4 x 690). */
static char *points(const double *v, size_t n)
{
    double lo = v[0], hi = v[0];
    char *out = malloc(n * 48 + 1), x[32], y[32];
    size_t len = 0;
    assert_non_null(out);
    for (size_t i = 1; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    if (hi - lo < 1e-9) {
        double pad = fabs(hi) > 1e-9 ? fabs(hi) * 0.01 : 1.0;
        lo -= pad;
        hi += pad;
    }
    const double pw = 800.0 - 90.0 - 20.0, ph = 260.0 - 15.0 - 30.0;
    for (size_t i = 0; i < n; i++) {
        hundredths(n == 1 ? 90.0 + pw / 2 : 90.0 + pw * (double)i / (double)(n - 1), x, sizeof x);
        hundredths(15.0 + ph - ph * (v[i] - lo) / (hi - lo), y, sizeof y);
        len += (size_t)snprintf(out + len, 48, "%s%s,%s", i ? " " : "", x, y);
    }
    return out;
}

/* The two charts of runs of 1 to 2760 sessions with equity that moves by
 * odd amounts (coordinates on and near half-hundredths): every coordinate
 * is llround's hundredth. */
static void test_chart_points(void **state)
{
    (void)state;
    /* 17 and 81 sessions: x on exact half-hundredths (690 / 16 = 43.125) */
    static const size_t sizes[] = {1, 2, 3, 7, 17, 81, 100, 691, 2760};
    char dir[512];
    assert_int_equal(tc_test_tmpdir("report_chart_points", dir, sizeof dir), 0);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const size_t n = sizes[s];
        struct tc_equity_point *pts = calloc(n, sizeof *pts);
        double *eq = malloc(n * sizeof *eq), *dd = malloc(n * sizeof *dd);
        char sub[600];
        assert_non_null(pts);
        assert_non_null(eq);
        assert_non_null(dd);
        double peak = 1000.0;
        for (size_t i = 0; i < n; i++) {
            /* 1000 +- multiples of 0.125 and of 1/3 */
            int64_t raw = 100000000000 + (int64_t)((i * 7919) % 1601) * 12500000 -
                          (int64_t)((i * 104729) % 977) * 33333333;
            pts[i].day = tc_days_from_civil(2001, 1, 1) + (int64_t)i;
            pts[i].cash = pts[i].equity = (struct tc_dec){raw};
            eq[i] = tc_dec_to_double(pts[i].equity);
            if (eq[i] > peak)
                peak = eq[i];
            dd[i] = peak > 0.0 ? (eq[i] - peak) / peak * 100.0 : 0.0;
        }
        struct tc_run_result r = {.initial_cash = D("1000"), .equity = pts, .n_equity = n,
                                  .periods_per_year = 252};
        snprintf(sub, sizeof sub, "%s/n%zu", dir, n);
        write_report(sub, &r);
        char *html = tc_test_slurp_in(sub, "report.html", NULL);
        const char *p = html;
        for (int chart = 0; chart < 2; chart++) {
            char *want = points(chart == 0 ? eq : dd, n);
            p = strstr(p, "<polyline class=\"line\" points=\"");
            assert_non_null(p);
            p += strlen("<polyline class=\"line\" points=\"");
            const char *end = strchr(p, '"');
            assert_non_null(end);
            if ((size_t)(end - p) != strlen(want) || memcmp(p, want, strlen(want)) != 0)
                fail_msg("%zu sessions, chart %d: want \"%.200s\", got \"%.200s\"", n, chart, want,
                         p);
            free(want);
            p = end;
        }
        free(html);
        free(pts);
        free(eq);
        free(dd);
    }
}


/* A cell of the monthly table as the report writes it. */
static size_t month_cell(char *out, double ret, int have)
{
    char b[64];
    if (!have)
        return (size_t)snprintf(out, 64, "<td></td>");
    snprintf(b, sizeof b, "%.2f", ret * 100.0);
    if (strcmp(b, "-0.00") == 0)
        snprintf(b, sizeof b, "0.00");
    return (size_t)snprintf(out, 96, "<td class=\"%s\">%s</td>",
                            strcmp(b, "0.00") == 0 ? "zero" : ret > 0 ? "pos" : "neg", b);
}

/* The monthly table of the N points PTS, each point's year and month
 * found from its own day (malloc'd). */
static char *monthly_table(const struct tc_equity_point *pts, size_t n, double initial)
{
    static const char *const names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char *out = malloc(200 + n * 2000), *p = out;
    double prev_month = initial, prev_year = initial, ret[12];
    int have[12] = {0};
    assert_non_null(out);
    p += PUTF(p, "<h2>Monthly returns (%%)</h2>\n<table class=\"monthly\">\n<tr><th>year</th>");
    for (int k = 0; k < 12; k++)
        p += PUTF(p, "<th>%s</th>", names[k]);
    p += PUTF(p, "<th>year</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        int y, m, d, ny = 0, nm = 0;
        tc_civil_from_days(pts[i].day, &y, &m, &d);
        if (i + 1 < n)
            tc_civil_from_days(pts[i + 1].day, &ny, &nm, &d);
        if (i + 1 < n && ny == y && nm == m)
            continue;
        const double e = tc_dec_to_double(pts[i].equity);
        ret[m - 1] = prev_month > 0.0 ? e / prev_month - 1.0 : 0.0;
        have[m - 1] = 1;
        prev_month = e;
        if (i + 1 < n && ny == y)
            continue;
        p += PUTF(p, "<tr><th>%d</th>", y);
        for (int k = 0; k < 12; k++)
            p += month_cell(p, ret[k], have[k]);
        p += month_cell(p, prev_year > 0.0 ? e / prev_year - 1.0 : 0.0, 1);
        p += PUTF(p, "</tr>\n");
        prev_year = e;
        memset(have, 0, sizeof have);
    }
    PUTF(p, "</table>\n");
    return out;
}

/* The monthly table of curves through month and year ends (daily; every
 * few days; a point a month; a point in a year; leap and century years;
 * a curve that crosses zero, and one that goes back in time) is the table
 * found from each point's own date. */
static void test_monthly_table(void **state)
{
    (void)state;
    static const int gaps[][4] = {{1, 1, 1, 1}, {3, 4, 2, 5}, {29, 31, 30, 28}, {365, 1, 400, 59}};
    char dir[512];
    assert_int_equal(tc_test_tmpdir("report_monthly_table", dir, sizeof dir), 0);
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0] + 2; g++) {
        enum { N = 900 };
        struct tc_equity_point *pts = calloc(N, sizeof *pts);
        int64_t day = tc_days_from_civil(1899, 11, 27);
        char sub[600];
        assert_non_null(pts);
        for (size_t i = 0; i < N; i++) {
            const size_t gi = g < 4 ? g : 1;
            pts[i].day = day;
            day += gaps[gi][i % 4];
            if (g == 5 && i % 100 == 99)
                day -= 200; /* back in time */
            int64_t raw = 100000000000 + (int64_t)((i * 7919) % 2003) * 37000000 -
                          (g == 4 ? (int64_t)i * 300000000 : 0); /* g 4: below zero */
            pts[i].cash = pts[i].equity = (struct tc_dec){raw};
        }
        struct tc_run_result r = {.initial_cash = D("1000"), .equity = pts, .n_equity = N,
                                  .periods_per_year = 252};
        struct tc_metrics m = {0};
        struct tc_error err = {0};
        snprintf(sub, sizeof sub, "%s/g%zu", dir, g);
        m.n_sessions = N;
        /* tc_report_write does not need the curve tc_analytics_compute accepts */
        tc_assert_ok(tc_report_write(sub, "monthly", NULL, &r, &m, &err), &err);
        char *html = tc_test_slurp_in(sub, "report.html", NULL);
        char *want = monthly_table(pts, N, 1000.0);
        const char *at = strstr(html, "<h2>Monthly returns");
        assert_non_null(at);
        if (strncmp(at, want, strlen(want)) != 0)
            fail_msg("curve %zu: the monthly table differs from \"%.300s\"", g, want);
        free(html);
        free(want);
        free(pts);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_ids),
        cmocka_unit_test(test_trade_dates),
        cmocka_unit_test(test_chart_points),
        cmocka_unit_test(test_monthly_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
