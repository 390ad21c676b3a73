/* The price reader's whole-line block path (ingest_fast.c's line_block: a
 * Yahoo line whose five prices have the same number of integer digits and
 * six decimals, read 80 bytes at a time, its values two at a time) against
 * the field-wise parsers and the general reader: every byte of such lines,
 * and of the bytes after them that the block reads, replaced by every
 * value; exact values of lines it takes and of lines it leaves to the
 * field-wise path (mixed integer lengths, long volumes, line ends, the last
 * line of a buffer); and files of such lines loaded both ways. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tc_test.h"
#include "tc_test_hist.h"
#include "market/ingest_fast.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/ingest.h"

/* The integer part of K digits "1234567..." as a number. */
static int64_t lead_number(int k)
{
    int64_t v = 0;
    for (int i = 0; i < k; i++)
        v = v * 10 + (i + 1) % 10;
    return v;
}

/* Writes a Yahoo line into OUT (CAP bytes): prices of integer lengths
 * K[0..4] ("1234567" cut to K, then the fractions below), a volume of VLEN
 * digits ("9876543210..." cut), and EOL. Returns its length. */
static int make_line(char *out, size_t cap, const int k[5], int vlen, const char *eol)
{
    static const char *const frac[5] = {"250000", "750000", "125000", "500000", "500000"};
    static const char digits[] = "12345678901234567890";
    static const char vdigits[] = "98765432109876543210";
    int n = snprintf(out, cap, "2020-01-02");
    for (int i = 0; i < 5; i++)
        n += snprintf(out + n, cap - (size_t)n, ",%.*s.%s", k[i], digits, frac[i]);
    n += snprintf(out + n, cap - (size_t)n, ",%.*s%s", vlen, vdigits, eol);
    return n;
}

/* The bar tc__prices_line_plain gives for the line at BUF (END its text's
 * end), checked against the field-wise parsers and against the run parser
 * (tc__prices_lines_plain into a series with room for one bar, which stores
 * the lines it reads in one piece by its own code): 0 and *OUT when it
 * takes the line (all agree, or the test fails naming WHAT), 1 when it
 * declines (and the run parser stores nothing). */
static int line_checked(const char *buf, const char *end, struct tc_bar *out,
                        const char **next, const char *what)
{
    struct tc__day_cache dc1 = {0}, dc2 = {0}, dc3 = {0};
    dc1.key = dc2.key = dc3.key = UINT64_MAX;
    struct tc_bar b;
    memset(out, 0x5a, sizeof *out);
    int rc = tc__prices_line_plain(buf, end, 1, &dc1, out, next);

    struct tc_bar_series ser;
    struct tc_error err = {0};
    tc_bar_series_init(&ser, "X");
    tc_assert_ok(tc_bar_series_reserve(&ser, 1, &err), &err);
    size_t cap = ser.cap;
    ser.cap = 1;
    const char *p = buf;
    size_t got = tc__prices_lines_plain(&p, end, NULL, 1, &dc3, &ser, NULL, 0);
    if (got != (rc == 0) || p != (rc == 0 ? *next : buf) || ser.n != got)
        fail_msg("%s: the run parser stored %zu (the line parser: rc %d)", what, got, rc);
    if (got && (ser.day[0] != out->day || ser.open[0].raw != out->open.raw ||
                ser.high[0].raw != out->high.raw || ser.low[0].raw != out->low.raw ||
                ser.close[0].raw != out->close.raw || ser.adj_close[0].raw != out->adj_close.raw ||
                ser.volume[0] != out->volume || ser.open_interest[0] != out->open_interest))
        fail_msg("%s: the run parser stored another bar", what);
    ser.cap = cap;
    tc_bar_series_release(&ser);

    if (rc != 0) {
        if (rc != 1)
            fail_msg("%s: rc %d", what, rc);
        return 1;
    }
    /* the line ends where the in-place parser found it */
    size_t len = (size_t)(*next - buf);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    if (tc__prices_row_plain(buf, len, 1, &dc2, &b) != 0 || memcmp(out, &b, sizeof b) != 0)
        fail_msg("%s: accepted in place, not so by the field parsers", what);
    return 0;
}

static void test_block_values(void **state)
{
    (void)state;
    /* every integer length alike (the block) and mixed (field-wise), every
     * volume length up to the field-wise 18, LF and CRLF, followed by more
     * text or last in the buffer: the exact values and line end */
    static const char *const eols[] = {"\n", "\r\n"};
    char line[160], buf[400];
    for (int mixed = 0; mixed < 3; mixed++) {
        for (int k0 = 1; k0 <= 7; k0++) {
            int k[5] = {k0, k0, k0, k0, k0};
            if (mixed == 1 && k0 < 7)
                k[1] = k0 + 1; /* a longer high */
            else if (mixed == 1)
                k[2] = 6; /* a shorter low */
            else if (mixed == 2)
                k[4] = k0 == 1 ? 2 : k0 - 1; /* another adj close */
            for (int vlen = 1; vlen <= 19; vlen++) {
                for (int e = 0; e < 2; e++) {
                    for (int last = 0; last < 2; last++) {
                        int n = make_line(line, sizeof line, k, vlen, eols[e]);
                        memset(buf, 0, sizeof buf);
                        memcpy(buf, line, (size_t)n);
                        size_t len = (size_t)n;
                        if (!last) { /* a second line after it */
                            memcpy(buf + n, line, (size_t)n);
                            len += (size_t)n;
                        }
                        char what[200];
                        snprintf(what, sizeof what, "\"%.*s\" (%s)", n - (int)strlen(eols[e]),
                                 line, last ? "last" : "more after");
                        struct tc_bar a;
                        const char *next = NULL;
                        int rc = line_checked(buf, buf + len, &a, &next, what);
                        if (vlen > 18) { /* past the plain whole numbers */
                            assert_int_equal(rc, 1);
                            continue;
                        }
                        if (rc != 0)
                            fail_msg("%s: declined", what);
                        assert_ptr_equal(next, buf + n);
                        assert_int_equal(a.day, tc_days_from_civil(2020, 1, 2));
                        assert_int_equal(a.open.raw, lead_number(k[0]) * TC_DEC_ONE + 25000000);
                        assert_int_equal(a.high.raw, lead_number(k[1]) * TC_DEC_ONE + 75000000);
                        assert_int_equal(a.low.raw, lead_number(k[2]) * TC_DEC_ONE + 12500000);
                        assert_int_equal(a.close.raw, lead_number(k[3]) * TC_DEC_ONE + 50000000);
                        assert_int_equal(a.adj_close.raw,
                                         lead_number(k[4]) * TC_DEC_ONE + 50000000);
                        int64_t vol = 0;
                        for (int i = 0; i < vlen; i++)
                            vol = vol * 10 + "98765432109876543210"[i] - '0';
                        assert_int_equal(a.volume, vol);
                        assert_int_equal(a.open_interest, 0);
                    }
                }
            }
        }
    }
    /* values at the edges: 9s everywhere, zeros in the fractions, a zero
     * volume, leading zeros; then refusals (zero prices, a low above the
     * open, a zero adj close), each with more text after it */
    static const struct {
        const char *line;
        int ok;
        int64_t open, high, low, close, adj, vol;
    } rows[] = {
        {"2020-01-02,9999999.999999,9999999.999999,9999999.999999,9999999.999999,"
         "9999999.999999,999999999999999\n",
         1, INT64_C(999999999999900), INT64_C(999999999999900),
         INT64_C(999999999999900), INT64_C(999999999999900), INT64_C(999999999999900),
         INT64_C(999999999999999)},
        {"2020-01-02,1.000000,1.000000,1.000000,1.000000,1.000000,0\n", 1, 100000000, 100000000,
         100000000, 100000000, 100000000, 0},
        {"2020-01-02,0.000001,0.000009,0.000001,0.000002,0.000003,000007\n", 1, 100, 900, 100,
         200, 300, 7},
        {"2020-01-02,010.500000,011.000000,010.000000,010.750000,009.000000,1000\r\n", 1,
         1050000000, 1100000000, 1000000000, 1075000000, 900000000, 1000},
        {"2020-01-02,0.000000,1.000000,0.000000,1.000000,1.000000,5\n", 0, 0, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000,2.000000,1.500000,1.500000,1.500000,5\n", 0, 0, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000,2.000000,1.000000,2.500000,1.500000,5\n", 0, 0, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000,2.000000,1.000000,1.500000,0.000000,5\n", 0, 0, 0, 0, 0, 0, 0},
        {"2020-01-02,1.000000,2.000000,1.000000,1.500000,1.500000,5\rx\n", 0, 0, 0, 0, 0, 0,
         0},
        {"2020-01-02,1.000000,2.000000,1.000000,1.500000,1.500000,5 \n", 0, 0, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = strlen(rows[i].line);
        memset(buf, 0, sizeof buf);
        memcpy(buf, rows[i].line, n);
        memcpy(buf + n, rows[i].line, n);
        struct tc_bar a;
        const char *next = NULL;
        int rc = line_checked(buf, buf + 2 * n, &a, &next, rows[i].line);
        if (!rows[i].ok) {
            if (rc != 1)
                fail_msg("\"%s\": accepted", rows[i].line);
            continue;
        }
        if (rc != 0)
            fail_msg("\"%s\": declined", rows[i].line);
        assert_ptr_equal(next, buf + n);
        assert_int_equal(a.open.raw, rows[i].open);
        assert_int_equal(a.high.raw, rows[i].high);
        assert_int_equal(a.low.raw, rows[i].low);
        assert_int_equal(a.close.raw, rows[i].close);
        assert_int_equal(a.adj_close.raw, rows[i].adj);
        assert_int_equal(a.volume, rows[i].vol);
    }
}

static void test_block_bytes(void **state)
{
    (void)state;
    /* lines whose five prices have 1..7 integer digits alike, volumes of
     * 1, 8, 15 and 16 digits, LF or CRLF, followed by another line or last
     * in the buffer (its zero padding after), with each byte of the line
     * and of the 24 after it (the next line's, or the padding) replaced by
     * every other value: whatever tc__prices_line_plain takes, the
     * field-wise parsers take with the same bar, and a byte after the line
     * never changes the bar or the line end */
    static const int vlens[] = {1, 8, 15, 16};
    static const char *const eols[] = {"\n", "\r\n"};
    char line[160], buf[400], what[64];
    for (int k0 = 1; k0 <= 7; k0++) {
        const int k[5] = {k0, k0, k0, k0, k0};
        for (size_t v = 0; v < sizeof vlens / sizeof vlens[0]; v++) {
            for (int e = 0; e < 2; e++) {
                for (int last = 0; last < 2; last++) {
                    int n = make_line(line, sizeof line, k, vlens[v], eols[e]);
                    int len = last ? n : 2 * n;
                    struct tc_bar orig;
                    const char *onext = NULL;
                    memset(buf, 0, sizeof buf);
                    memcpy(buf, line, (size_t)n);
                    if (!last)
                        memcpy(buf + n, line, (size_t)n);
                    assert_int_equal(line_checked(buf, buf + len, &orig, &onext, line), 0);
                    for (int at = 0; at < n + 24; at++) {
                        for (int c = 0; c < 256; c++) {
                            memset(buf, 0, sizeof buf);
                            memcpy(buf, line, (size_t)n);
                            if (!last)
                                memcpy(buf + n, line, (size_t)n);
                            if ((unsigned char)buf[at] == c || (c == 0 && at < len))
                                continue; /* a NUL inside the text: not a text file */
                            if (at >= len && last && c != 0 && at < len + 16)
                                continue; /* the padding is zeros */
                            buf[at] = (char)c;
                            snprintf(what, sizeof what, "k %d vol %d byte %d now 0x%02x", k0,
                                     vlens[v], at, c);
                            struct tc_bar a;
                            const char *next = NULL;
                            int rc = line_checked(buf, buf + len, &a, &next, what);
                            if (at >= n && (rc != 0 || next != onext ||
                                            memcmp(&a, &orig, sizeof a) != 0))
                                fail_msg("%s: a byte after the line changed it", what);
                        }
                    }
                }
            }
        }
    }
}

/* A pseudo-random number (xorshift, fixed seed: the same files each run). */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_block_files(void **state)
{
    (void)state;
    /* files of 3000 lines with prices around powers of ten (integer
     * lengths alike or mixed in a line), volumes of 1..18 digits, LF or
     * CRLF, some with a byte changed: the fast and the general reader give
     * the same series, or the same error and message */
    char path[] = "/tmp/tc_block_XXXXXX.csv";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    size_t cap = 3000 * 160 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    int accepted = 0, refused = 0;
    for (int file = 0; file < 40; file++) {
        size_t n = (size_t)snprintf(text, cap, "Date,Open,High,Low,Close,Adj Close,Volume\n");
        int64_t day = tc_days_from_civil(1990, 1, 1);
        int crlf = file % 3 == 0;
        for (int row = 0; row < 3000; row++) {
            int y, m, d;
            tc_civil_from_days(day++, &y, &m, &d);
            /* prices of one integer length (even files) or on both sides
             * of a power of ten (odd files), kept in [low, high] */
            int j = (int)(rnd(&seed) % 7);
            int64_t big = 1000000;
            for (int i = 0; i < j; i++)
                big *= 10;
            int64_t p[5];
            for (int i = 0; i < 5; i++)
                p[i] = file % 2 ? big / 2 + (int64_t)(rnd(&seed) % (uint64_t)big) + 1
                                : 3 * big + (int64_t)(rnd(&seed) % (uint64_t)(big / 10 + 1));
            int64_t lo = p[0], hi = p[0];
            for (int i = 1; i < 4; i++) {
                lo = p[i] < lo ? p[i] : lo;
                hi = p[i] > hi ? p[i] : hi;
            }
            int64_t q[5] = {p[0], hi, lo, p[3], p[4]};
            n += (size_t)snprintf(text + n, cap - n, "%04d-%02d-%02d", y, m, d);
            for (int i = 0; i < 5; i++)
                n += (size_t)snprintf(text + n, cap - n, ",%lld.%06lld",
                                      (long long)(q[i] / 1000000), (long long)(q[i] % 1000000));
            int vlen = 1 + (int)(rnd(&seed) % 18);
            n += (size_t)snprintf(text + n, cap - n, ",%.*s%s", vlen, "123456789012345678",
                                  crlf ? "\r\n" : "\n");
        }
        if (file % 4 == 3) { /* a byte changed somewhere */
            size_t at = 42 + (size_t)(rnd(&seed) % (n - 42));
            text[at] = (char)(1 + rnd(&seed) % 255);
        }
        if (file % 5 == 4)
            n--; /* no line end after the last line (or a lone CR) */
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, n, f), n);
        assert_int_equal(fclose(f), 0);

        struct tc_bar_set sets[2];
        struct tc_error err;
        char what[32];
        snprintf(what, sizeof what, "file %d", file);
        const int rc = tc_test_load_both(path, what, sets, &err);
        if (rc == 0) {
            accepted++;
            assert_int_equal(sets[0].n, 1);
            assert_int_equal(sets[1].n, 1);
            assert_int_equal(sets[0].items[0].n, 3000);
            tc_test_assert_same_series(&sets[0].items[0], &sets[1].items[0], path);
        } else {
            refused++;
            assert_non_null(strstr(err.msg, path));
        }
        tc_bar_set_release(&sets[0]);
        tc_bar_set_release(&sets[1]);
    }
    /* both kinds were seen */
    assert_true(accepted >= 20);
    assert_true(refused >= 1);
    free(text);
    unlink(path);
}

static void test_block_months(void **state)
{
    (void)state;
    /* the days of lines that change month: to the next month (within a
     * year, across a year's end, into and out of a February of a leap
     * year, of a century that is not one and of one that is) and past
     * months skipped, each read in one piece, the same as
     * tc_days_from_civil */
    static const int ymd[][3] = {
        {1999, 11, 30}, {1999, 12, 1},  {1999, 12, 31}, {2000, 1, 3},   {2000, 2, 28},
        {2000, 2, 29},  {2000, 3, 1},   {2000, 5, 31},  {2000, 6, 30},  {2001, 1, 2},
        {2001, 2, 28},  {2001, 3, 1},   {2003, 12, 31}, {2004, 2, 29},  {2004, 3, 31},
        {2004, 4, 30},  {2100, 2, 28},  {2100, 3, 1},   {2100, 4, 1},   {2400, 2, 29},
        {2400, 3, 31},  {9999, 11, 30}, {9999, 12, 31},
    };
    const size_t rows = sizeof ymd / sizeof ymd[0];
    char *text = malloc(rows * 80 + 32);
    assert_non_null(text);
    size_t n = 0;
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(text + n, 80,
                              "%04d-%02d-%02d,10.250000,11.750000,10.125000,11.500000,"
                              "11.500000,%zu\n",
                              ymd[i][0], ymd[i][1], ymd[i][2], i + 1);
    memset(text + n, 0, 32);
    struct tc__day_cache dc = {0};
    dc.key = UINT64_MAX;
    struct tc_bar_series ser;
    struct tc_error err = {0};
    tc_bar_series_init(&ser, "X");
    tc_assert_ok(tc_bar_series_reserve(&ser, rows, &err), &err);
    const char *p = text;
    assert_int_equal(tc__prices_lines_plain(&p, text + n, NULL, 1, &dc, &ser, NULL, 0), rows);
    assert_ptr_equal(p, text + n);
    for (size_t i = 0; i < rows; i++) {
        if (ser.day[i] != tc_days_from_civil(ymd[i][0], ymd[i][1], ymd[i][2]))
            fail_msg("%04d-%02d-%02d: day %lld", ymd[i][0], ymd[i][1], ymd[i][2],
                     (long long)ser.day[i]);
        assert_int_equal(ser.volume[i], (int64_t)i + 1);
    }
    /* a day past its month's end after a change of month: refused */
    static const char *const bad[] = {
        "2001-02-29,10.250000,11.750000,10.125000,11.500000,11.500000,1\n",
        "2100-02-29,10.250000,11.750000,10.125000,11.500000,11.500000,1\n",
        "2000-04-31,10.250000,11.750000,10.125000,11.500000,11.500000,1\n",
        "2000-13-01,10.250000,11.750000,10.125000,11.500000,11.500000,1\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i]);
        memcpy(text, bad[i], len);
        memset(text + len, 0, 32);
        p = text;
        size_t before = ser.n;
        ser.n = 0;
        dc.key = UINT64_MAX;
        assert_int_equal(tc__prices_lines_plain(&p, text + len, NULL, 1, &dc, &ser, NULL, 0), 0);
        assert_ptr_equal(p, text);
        assert_int_equal(ser.n, 0);
        ser.n = before;
    }
    tc_bar_series_release(&ser);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_values),
        cmocka_unit_test(test_block_bytes),
        cmocka_unit_test(test_block_files),
        cmocka_unit_test(test_block_months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
