/* Decimal text: tc_dec_format and tc_dec_format_fixed against a reference
 * built with printf from the integer and fractional parts, on the edges of
 * every digit count, of the range and of the 10^8 integer part where the
 * writer changes its method, and on random values of every magnitude; every
 * capacity around the length (TC_ERANGE and "" when too small, nothing
 * written past the capacity or past the NUL). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"

/* RAW as tc_dec_format must write it. */
static int ref_format(int64_t raw, char *out, size_t cap)
{
    uint64_t mag = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
    unsigned long long ip = mag / 100000000u;
    unsigned fp = (unsigned)(mag % 100000000u);
    char frac[16];
    snprintf(frac, sizeof frac, "%08u", fp);
    int k = 8;
    while (k > 0 && frac[k - 1] == '0')
        k--;
    frac[k] = '\0';
    return snprintf(out, cap, "%s%llu%s%s", raw < 0 ? "-" : "", ip, k ? "." : "", frac);
}

/* RAW with PLACES digits as tc_dec_format_fixed must write it: the value
 * rounded by tc_dec_round, its text padded with zeros. 1 when the rounding
 * leaves the range (not compared). */
static int ref_fixed(int64_t raw, int places, enum tc_round mode, char *out, size_t cap)
{
    struct tc_dec r;
    char t[64];
    if (tc_dec_round((struct tc_dec){raw}, places, mode, &r) != 0)
        return 1;
    ref_format(r.raw, t, sizeof t);
    char *dot = strchr(t, '.');
    int have = dot ? (int)strlen(dot + 1) : 0;
    size_t n = strlen(t);
    if (places > 0 && !dot)
        t[n++] = '.';
    for (int i = have; i < places; i++)
        t[n++] = '0';
    t[n] = '\0';
    snprintf(out, cap, "%s", t);
    return 0;
}

static void check_one(int64_t raw)
{
    char want[64], got[TC_DEC_STRLEN + 8];
    int wn = ref_format(raw, want, sizeof want);
    memset(got, 'x', sizeof got);
    int n = tc_dec_format((struct tc_dec){raw}, got, TC_DEC_STRLEN);
    if (n != wn || strcmp(got, want) != 0)
        fail_msg("raw %lld: \"%s\" (%d), want \"%s\" (%d)", (long long)raw, got, n, want, wn);
    for (size_t i = (size_t)n + 1; i < sizeof got; i++)
        if (got[i] != 'x')
            fail_msg("raw %lld: byte %zu past the NUL written", (long long)raw, i);
    static const enum tc_round modes[] = {TC_ROUND_HALF_EVEN, TC_ROUND_DOWN, TC_ROUND_UP,
                                          TC_ROUND_HALF_UP};
    for (int places = 0; places <= 8; places++) {
        enum tc_round mode = modes[(size_t)(raw & 3)];
        if (ref_fixed(raw, places, mode, want, sizeof want))
            continue;
        memset(got, 'x', sizeof got);
        n = tc_dec_format_fixed((struct tc_dec){raw}, places, mode, got, TC_DEC_STRLEN);
        if (n != (int)strlen(want) || strcmp(got, want) != 0)
            fail_msg("raw %lld, %d places: \"%s\" (%d), want \"%s\"", (long long)raw, places, got,
                     n, want);
        for (size_t i = (size_t)n + 1; i < sizeof got; i++)
            if (got[i] != 'x')
                fail_msg("raw %lld, %d places: byte %zu past the NUL written", (long long)raw,
                         places, i);
    }
}

/* Every capacity from 0 to the length + 2: too small is TC_ERANGE with ""
 * (nothing at all when 0), and nothing is written at or past the capacity. */
static void check_caps(int64_t raw)
{
    char want[64], got[TC_DEC_STRLEN + 8];
    int wn = ref_format(raw, want, sizeof want);
    for (size_t cap = 0; cap <= (size_t)wn + 2; cap++) {
        memset(got, 'x', sizeof got);
        int n = tc_dec_format((struct tc_dec){raw}, got, cap);
        if (cap < (size_t)wn + 1) {
            if (n != TC_ERANGE)
                fail_msg("raw %lld, cap %zu: %d, want TC_ERANGE", (long long)raw, cap, n);
            if (cap > 0 && got[0] != '\0')
                fail_msg("raw %lld, cap %zu: not emptied", (long long)raw, cap);
        } else if (n != wn || strcmp(got, want) != 0) {
            fail_msg("raw %lld, cap %zu: \"%s\", want \"%s\"", (long long)raw, cap, got, want);
        }
        for (size_t i = cap > 0 ? cap : 0; i < sizeof got; i++)
            if (got[i] != 'x' && !(cap == 0 && i == 0 && got[0] == 'x'))
                fail_msg("raw %lld, cap %zu: byte %zu written", (long long)raw, cap, i);
    }
    assert_int_equal(tc_dec_format((struct tc_dec){raw}, NULL, 64), TC_ERANGE);
}

static void test_edges(void **state)
{
    (void)state;
    /* around every power of ten (both signs), the 10^16 where the integer
     * part reaches 10^8, and the ends of the range */
    for (int e = 0; e <= 18; e++) {
        int64_t p = 1;
        for (int i = 0; i < e; i++)
            p *= 10;
        for (int64_t dlt = -3; dlt <= 3; dlt++) {
            if (dlt > 0 && p > INT64_MAX - dlt)
                continue;
            check_one(p + dlt);
            check_one(-(p + dlt));
            check_caps(p + dlt);
            check_caps(-(p + dlt));
        }
        /* a digit with zeros after it, and nines, at every length */
        check_one(p * 9);
        check_one(-p * 7);
        if (e <= 17)
            check_one(p * 10 - 1);
    }
    const int64_t edges[] = {0, INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1,
                             INT64_C(9999999999999999), INT64_C(10000000000000000),
                             INT64_C(9999999900000000), INT64_C(9999999999999999) + 1,
                             INT64_C(100000000), INT64_C(12345678), INT64_C(10), INT64_C(120)};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        check_one(edges[i]);
        check_caps(edges[i]);
        if (edges[i] != INT64_MIN) {
            check_one(-edges[i]);
            check_caps(-edges[i]);
        }
    }
    char b[TC_DEC_STRLEN];
    assert_int_equal(tc_dec_format((struct tc_dec){-1}, b, sizeof b), 11);
    assert_string_equal(b, "-0.00000001");
    assert_int_equal(tc_dec_format((struct tc_dec){INT64_MIN}, b, sizeof b), 21);
    assert_string_equal(b, "-92233720368.54775808");
    assert_int_equal(tc_dec_format((struct tc_dec){1234500000000}, b, sizeof b), 5);
    assert_string_equal(b, "12345");
    assert_int_equal(tc_dec_format_fixed((struct tc_dec){-100000}, 2, TC_ROUND_HALF_EVEN, b,
                                         sizeof b),
                     4);
    assert_string_equal(b, "0.00"); /* rounded to zero: no sign */
    assert_int_equal(tc_dec_format_fixed((struct tc_dec){1}, 9, TC_ROUND_HALF_EVEN, b, sizeof b),
                     TC_EINVAL);
    assert_string_equal(b, "");
}

static void test_random(void **state)
{
    (void)state;
    /* random values of every digit count (a random number of low digits
     * kept, so that fractions of every length occur), and every fraction
     * of the forms d, dd, ... (one to eight digits then zeros) */
    struct tc_rng rng;
    tc_rng_seed(&rng, 8);
    for (int i = 0; i < 300000; i++) {
        uint64_t v = tc_rng_next(&rng) >> tc_rng_below(&rng, 64);
        int64_t raw = (int64_t)(v >> 1);
        int64_t cut = 1;
        for (int k = (int)tc_rng_below(&rng, 9); k > 0; k--)
            cut *= 10;
        raw -= raw % cut;
        check_one(tc_rng_below(&rng, 2) ? raw : -raw);
        if (i % 50 == 0)
            check_caps(raw);
    }
    for (int64_t ip = 0; ip < 100000000 * INT64_C(100); ip = ip * 7 + 1)
        for (int64_t f = 0; f < 100000000; f = f * 3 + 1) {
            check_one(ip * 100000000 + f);
            check_one(-(ip * 100000000 + f));
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
