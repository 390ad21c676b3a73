/* Exact decimals: parsing, formatting, checked arithmetic and every rounding mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"

#define MAX_RAW INT64_MAX
#define MIN_RAW INT64_MIN
#define SENTINEL INT64_C(777)

__extension__ typedef __int128 i128;

static const char *mode_name(enum tc_round m)
{
    static const char *names[] = {"HALF_EVEN", "HALF_UP", "DOWN", "UP", "FLOOR", "CEIL"};
    return (unsigned)m < 6 ? names[m] : "?";
}

/* Parses TEXT or fails the test. */
#define D(text) tc_test_dec(text)

static void assert_dec_str(struct tc_dec d, const char *want)
{
    char buf[TC_DEC_STRLEN];
    int n = tc_dec_format(d, buf, sizeof(buf));
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
}

/* ------------------------------------------------------------------------ */

static void test_round_trip(void **state)
{
    static const struct {
        const char *in, *canon;
        int64_t raw;
    } cases[] = {
        {"0", "0", 0},
        {"-0", "0", 0},
        {"+0.0", "0", 0},
        {"1", "1", 100000000},
        {"46.312500", "46.3125", 4631250000},
        {"-0.00000001", "-0.00000001", -1},
        {"0.00000001", "0.00000001", 1},
        {"92233720368.54775807", "92233720368.54775807", INT64_MAX},
        {"-92233720368.54775808", "-92233720368.54775808", INT64_MIN},
        {"+007.50", "7.5", 750000000},
        {"007", "7", 700000000},
        {"-000.10", "-0.1", -10000000},
        {"100", "100", 10000000000},
        {"12.5", "12.5", 1250000000},
        {"1.000000000000", "1", 100000000},
        {"0.000000010", "0.00000001", 1},
        {"1e-3", "0.001", 100000},
        {"1.5E+2", "150", 15000000000},
        {"1.5e2", "150", 15000000000},
        {"123e-2", "1.23", 123000000},
        {"1E0", "1", 100000000},
        {"-2.5e-1", "-0.25", -25000000},
        {"0e999999999999999999999", "0", 0},
        {"0.00000001e8", "1", 100000000},
        {"9223372036854775807e-8", "92233720368.54775807", INT64_MAX},
        {"-9223372036854775808E-8", "-92233720368.54775808", INT64_MIN},
        {"92233720368.547758070000000000000", "92233720368.54775807", INT64_MAX},
        {"1.23456789", "1.23456789", 123456789},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_dec d = {SENTINEL};
        struct tc_error err = {0};
        char buf[TC_DEC_STRLEN];
        int rc = tc_dec_parse(cases[i].in, (size_t)-1, &d, &err);
        if (rc != 0)
            fail_msg("case %zu \"%s\": %s %s", i, cases[i].in, tc_strerror_name(rc), err.msg);
        if (d.raw != cases[i].raw)
            fail_msg("case %zu \"%s\": raw %lld, want %lld", i, cases[i].in, (long long)d.raw,
                     (long long)cases[i].raw);
        assert_dec_str(d, cases[i].canon);
        /* and the canonical text parses back to the same value */
        assert_int_equal(tc_dec_format(d, buf, sizeof(buf)), (int)strlen(cases[i].canon));
        d.raw = SENTINEL;
        assert_int_equal(tc_dec_parse(buf, strlen(buf), &d, &err), 0);
        assert_int_equal(d.raw, cases[i].raw);
    }
}

/* LEN bounds the text: bytes after it are not read. */
static void test_parse_len(void **state)
{
    struct tc_dec d = {SENTINEL};
    struct tc_error err = {0};
    assert_int_equal(tc_dec_parse("12.5xyz", 4, &d, &err), 0);
    assert_int_equal(d.raw, 1250000000);
    assert_int_equal(tc_dec_parse("12.5", 2, &d, &err), 0);
    assert_int_equal(d.raw, 1200000000);
    /* an embedded NUL inside LEN is a bad character */
    d.raw = SENTINEL;
    assert_int_equal(tc_dec_parse("1\0002", 3, &d, &err), TC_EPARSE);
    assert_int_equal(d.raw, SENTINEL);
    assert_non_null(strstr(err.msg, "byte 0x00"));
}

/* Every price with 6 decimals, as CSV files write them, is exact both ways. */
static void test_all_six_decimal_prices(void **state)
{
    int f;
    for (f = 0; f < 1000000; f++) {
        char text[32], out[TC_DEC_STRLEN];
        struct tc_dec d = {SENTINEL};
        int n = snprintf(text, sizeof(text), "46.%06d", f);
        if (tc_dec_parse(text, (size_t)n, &d, NULL) != 0)
            fail_msg("parse \"%s\" failed", text);
        if (d.raw != INT64_C(4600000000) + (int64_t)f * 100)
            fail_msg("\"%s\" parsed to raw %lld", text, (long long)d.raw);
        if (tc_dec_format_fixed(d, 6, TC_ROUND_HALF_EVEN, out, sizeof(out)) != n ||
            strcmp(out, text) != 0)
            fail_msg("\"%s\" formatted with 6 places as \"%s\"", text, out);
    }
}

static char *repeat(char c, size_t n, const char *prefix, const char *suffix)
{
    size_t pl = strlen(prefix), sl = strlen(suffix);
    char *s = malloc(pl + n + sl + 1);
    assert_non_null(s);
    memcpy(s, prefix, pl);
    memset(s + pl, c, n);
    memcpy(s + pl + n, suffix, sl + 1);
    return s;
}

static void test_parse_errors(void **state)
{
    static const struct {
        const char *in;
        int code;
        const char *why;
    } cases[] = {
        {"", TC_EPARSE, "empty"},
        {".", TC_EPARSE, "expected a digit"},
        {"1.", TC_EPARSE, "expected a digit after '.'"},
        {".5", TC_EPARSE, "expected a digit"},
        {"--1", TC_EPARSE, "expected a digit"},
        {"+-1", TC_EPARSE, "expected a digit"},
        {"+", TC_EPARSE, "no digits"},
        {"-", TC_EPARSE, "no digits"},
        {"1e", TC_EPARSE, "expected a digit in the exponent"},
        {"1e+", TC_EPARSE, "expected a digit in the exponent"},
        {"1E-", TC_EPARSE, "expected a digit in the exponent"},
        {" 1", TC_EPARSE, "expected a digit"},
        {"1 ", TC_EPARSE, "unexpected ' ' at offset 1"},
        {"1. 5", TC_EPARSE, "expected a digit after '.'"},
        {"nan", TC_EPARSE, "expected a digit"},
        {"NaN", TC_EPARSE, "expected a digit"},
        {"inf", TC_EPARSE, "expected a digit"},
        {"-Infinity", TC_EPARSE, "expected a digit"},
        {"0x1", TC_EPARSE, "unexpected 'x' at offset 1"},
        {"1.2.3", TC_EPARSE, "unexpected '.' at offset 3"},
        {"1e5.5", TC_EPARSE, "unexpected '.' at offset 3"},
        {"1,5", TC_EPARSE, "unexpected ',' at offset 1"},
        {"12abc", TC_EPARSE, "unexpected 'a' at offset 2"},
        {"1\t", TC_EPARSE, "unexpected byte 0x09 at offset 1"},
        {"92233720368.54775808", TC_ERANGE, "out of range"},
        {"-92233720368.54775809", TC_ERANGE, "out of range"},
        {"92233720369", TC_ERANGE, "out of range"},
        {"1e11", TC_ERANGE, "out of range"},
        {"1e19", TC_ERANGE, "out of range"},
        {"1e99999999999999999999999999", TC_ERANGE, "out of range"},
        {"-1e99999999999999999999999999", TC_ERANGE, "out of range"},
        {"0.000000001", TC_ERANGE, "more than 8 fractional digits"},
        {"-0.000000015", TC_ERANGE, "more than 8 fractional digits"},
        {"1e-9", TC_ERANGE, "more than 8 fractional digits"},
        {"1e-99999999999999999999999999", TC_ERANGE, "more than 8 fractional digits"},
        {"1.234567891", TC_ERANGE, "more than 8 fractional digits"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_dec d = {SENTINEL};
        struct tc_error err = {0};
        char quoted[64];
        int rc = tc_dec_parse(cases[i].in, (size_t)-1, &d, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu \"%s\": got %s, want %s (%s)", i, cases[i].in,
                     tc_strerror_name(rc), tc_strerror_name(cases[i].code), err.msg);
        assert_int_equal(err.code, cases[i].code);
        assert_int_equal(d.raw, SENTINEL);
        snprintf(quoted, sizeof(quoted), "decimal \"%s\"", cases[i].in);
        if (!strstr(err.msg, quoted) || !strstr(err.msg, cases[i].why))
            fail_msg("case %zu: message \"%s\" lacks \"%s\" or \"%s\"", i, err.msg, quoted,
                     cases[i].why);
    }
}

/* 1000-digit inputs: exact, no overflow anywhere, shown cut short in messages. */
static void test_parse_huge(void **state)
{
    struct tc_dec d = {SENTINEL};
    struct tc_error err = {0};
    char *s;

    s = repeat('0', 999, "1", ""); /* 10^999 */
    assert_int_equal(tc_dec_parse(s, (size_t)-1, &d, &err), TC_ERANGE);
    assert_int_equal(d.raw, SENTINEL);
    assert_non_null(strstr(err.msg, "out of range"));
    assert_non_null(strstr(err.msg, "...\""));
    assert_true(strlen(err.msg) < 120);
    free(s);

    s = repeat('0', 1000, "", "1.5"); /* leading zeros */
    assert_int_equal(tc_dec_parse(s, (size_t)-1, &d, &err), 0);
    assert_int_equal(d.raw, 150000000);
    free(s);

    s = repeat('0', 1000, "0.", "1"); /* 10^-1001 */
    d.raw = SENTINEL;
    assert_int_equal(tc_dec_parse(s, (size_t)-1, &d, &err), TC_ERANGE);
    assert_int_equal(d.raw, SENTINEL);
    assert_non_null(strstr(err.msg, "more than 8 fractional digits"));
    assert_int_equal(tc_dec_parse_round(s, (size_t)-1, TC_ROUND_UP, &d, &err), 0);
    assert_int_equal(d.raw, 1);
    assert_int_equal(tc_dec_parse_round(s, (size_t)-1, TC_ROUND_HALF_UP, &d, &err), 0);
    assert_int_equal(d.raw, 0);
    free(s);

    s = repeat('0', 1000, "1.", ""); /* trailing zeros are exact */
    assert_int_equal(tc_dec_parse(s, (size_t)-1, &d, &err), 0);
    assert_int_equal(d.raw, TC_DEC_ONE);
    free(s);

    s = repeat('9', 1000, "0.", ""); /* 0.999…: rounds up to 1 */
    assert_int_equal(tc_dec_parse(s, (size_t)-1, &d, &err), TC_ERANGE);
    assert_int_equal(tc_dec_parse_round(s, (size_t)-1, TC_ROUND_HALF_EVEN, &d, &err), 0);
    assert_int_equal(d.raw, TC_DEC_ONE);
    assert_int_equal(tc_dec_parse_round(s, (size_t)-1, TC_ROUND_DOWN, &d, &err), 0);
    assert_int_equal(d.raw, TC_DEC_ONE - 1);
    free(s);

    s = repeat('1', 1000, "", "e-995"); /* 1.111…e4 with 1000 digits */
    assert_int_equal(tc_dec_parse_round(s, (size_t)-1, TC_ROUND_DOWN, &d, &err), 0);
    assert_int_equal(d.raw, INT64_C(1111111111111));
    free(s);

    d.raw = SENTINEL;
    assert_int_equal(tc_dec_parse(NULL, 0, &d, &err), TC_EINVAL);
    assert_int_equal(d.raw, SENTINEL);
    assert_non_null(strstr(err.msg, "no text"));
    /* a NULL error is allowed */
    assert_int_equal(tc_dec_parse("x", (size_t)-1, &d, NULL), TC_EPARSE);
}

/* Extra fractional digits: refused by tc_dec_parse, rounded by every mode. */
static void test_parse_round_modes(void **state)
{
    /* expected results in mode order HALF_EVEN, HALF_UP, DOWN, UP, FLOOR, CEIL */
    static const struct {
        const char *in;
        const char *want[6];
    } cases[] = {
        {"0.000000005", {"0", "0.00000001", "0", "0.00000001", "0", "0.00000001"}},
        {"-0.000000005", {"0", "-0.00000001", "0", "-0.00000001", "-0.00000001", "0"}},
        {"0.000000015", {"0.00000002", "0.00000002", "0.00000001", "0.00000002", "0.00000001",
                         "0.00000002"}},
        {"-0.000000015", {"-0.00000002", "-0.00000002", "-0.00000001", "-0.00000002",
                          "-0.00000002", "-0.00000001"}},
        {"0.0000000051", {"0.00000001", "0.00000001", "0", "0.00000001", "0", "0.00000001"}},
        {"0.0000000049", {"0", "0", "0", "0.00000001", "0", "0.00000001"}},
        {"1.234567894999", {"1.23456789", "1.23456789", "1.23456789", "1.2345679",
                            "1.23456789", "1.2345679"}},
        {"-1.234567895", {"-1.2345679", "-1.2345679", "-1.23456789", "-1.2345679",
                          "-1.2345679", "-1.23456789"}},
        {"2.5e-8", {"0.00000002", "0.00000003", "0.00000002", "0.00000003", "0.00000002",
                    "0.00000003"}},
        {"7", {"7", "7", "7", "7", "7", "7"}},
    };
    size_t i;
    int m;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (m = 0; m < 6; m++) {
            struct tc_dec d = {SENTINEL};
            struct tc_error err = {0};
            char buf[TC_DEC_STRLEN];
            int rc = tc_dec_parse_round(cases[i].in, (size_t)-1, (enum tc_round)m, &d, &err);
            if (rc != 0)
                fail_msg("\"%s\" %s: %s", cases[i].in, mode_name((enum tc_round)m), err.msg);
            tc_dec_format(d, buf, sizeof(buf));
            if (strcmp(buf, cases[i].want[m]) != 0)
                fail_msg("\"%s\" %s: got %s, want %s", cases[i].in,
                         mode_name((enum tc_round)m), buf, cases[i].want[m]);
        }
    }
}

static void test_parse_round_range(void **state)
{
    struct tc_dec d = {SENTINEL};
    struct tc_error err = {0};
    /* rounding past the maximum is out of range; truncating stays at it */
    assert_int_equal(tc_dec_parse_round("92233720368.547758075", (size_t)-1, TC_ROUND_HALF_UP,
                                        &d, &err),
                     TC_ERANGE);
    assert_int_equal(d.raw, SENTINEL);
    assert_non_null(strstr(err.msg, "out of range"));
    assert_int_equal(
        tc_dec_parse_round("92233720368.547758075", (size_t)-1, TC_ROUND_DOWN, &d, &err), 0);
    assert_int_equal(d.raw, INT64_MAX);
    assert_int_equal(tc_dec_parse_round("-92233720368.547758085", (size_t)-1, TC_ROUND_FLOOR,
                                        &d, &err),
                     TC_ERANGE);
    assert_int_equal(
        tc_dec_parse_round("-92233720368.547758085", (size_t)-1, TC_ROUND_CEIL, &d, &err), 0);
    assert_int_equal(d.raw, INT64_MIN);
    /* malformed text is still malformed */
    d.raw = SENTINEL;
    assert_int_equal(tc_dec_parse_round("1.", (size_t)-1, TC_ROUND_UP, &d, &err), TC_EPARSE);
    assert_int_equal(d.raw, SENTINEL);
    /* an unknown mode */
    assert_int_equal(tc_dec_parse_round("1.5", (size_t)-1, (enum tc_round)99, &d, &err),
                     TC_EINVAL);
    assert_int_equal(d.raw, SENTINEL);
    assert_non_null(strstr(err.msg, "unknown rounding mode 99"));
}

/* ------------------------------------------------------------------------ */

enum op { OP_MUL, OP_DIV, OP_ROUND, OP_QUANT };

static void test_rounding_ops(void **state)
{
    /* A op B in mode order HALF_EVEN, HALF_UP, DOWN, UP, FLOOR, CEIL; for ROUND
     * B is the number of places. */
    static const struct {
        enum op op;
        const char *a, *b;
        const char *want[6];
    } cases[] = {
        {OP_MUL, "0.00000001", "0.5", {"0", "0.00000001", "0", "0.00000001", "0", "0.00000001"}},
        {OP_MUL, "-0.00000001", "0.5",
         {"0", "-0.00000001", "0", "-0.00000001", "-0.00000001", "0"}},
        {OP_MUL, "0.00000003", "0.5",
         {"0.00000002", "0.00000002", "0.00000001", "0.00000002", "0.00000001", "0.00000002"}},
        {OP_MUL, "0.00000003", "-0.5",
         {"-0.00000002", "-0.00000002", "-0.00000001", "-0.00000002", "-0.00000002",
          "-0.00000001"}},
        {OP_MUL, "1.5", "2", {"3", "3", "3", "3", "3", "3"}},
        {OP_MUL, "46.3125", "100", {"4631.25", "4631.25", "4631.25", "4631.25", "4631.25",
                                    "4631.25"}},
        {OP_MUL, "0.12345678", "0.1",
         {"0.01234568", "0.01234568", "0.01234567", "0.01234568", "0.01234567", "0.01234568"}},
        {OP_DIV, "1", "3",
         {"0.33333333", "0.33333333", "0.33333333", "0.33333334", "0.33333333", "0.33333334"}},
        {OP_DIV, "-1", "3",
         {"-0.33333333", "-0.33333333", "-0.33333333", "-0.33333334", "-0.33333334",
          "-0.33333333"}},
        {OP_DIV, "2", "3",
         {"0.66666667", "0.66666667", "0.66666666", "0.66666667", "0.66666666", "0.66666667"}},
        {OP_DIV, "0.00000001", "2",
         {"0", "0.00000001", "0", "0.00000001", "0", "0.00000001"}},
        {OP_DIV, "0.00000001", "-2",
         {"0", "-0.00000001", "0", "-0.00000001", "-0.00000001", "0"}},
        {OP_DIV, "0.00000003", "2",
         {"0.00000002", "0.00000002", "0.00000001", "0.00000002", "0.00000001", "0.00000002"}},
        {OP_DIV, "-0.00000003", "-2",
         {"0.00000002", "0.00000002", "0.00000001", "0.00000002", "0.00000001", "0.00000002"}},
        {OP_DIV, "10", "4", {"2.5", "2.5", "2.5", "2.5", "2.5", "2.5"}},
        {OP_ROUND, "2.5", "0", {"2", "3", "2", "3", "2", "3"}},
        {OP_ROUND, "-2.5", "0", {"-2", "-3", "-2", "-3", "-3", "-2"}},
        {OP_ROUND, "3.5", "0", {"4", "4", "3", "4", "3", "4"}},
        {OP_ROUND, "-3.5", "0", {"-4", "-4", "-3", "-4", "-4", "-3"}},
        {OP_ROUND, "2.51", "0", {"3", "3", "2", "3", "2", "3"}},
        {OP_ROUND, "1.005", "2", {"1", "1.01", "1", "1.01", "1", "1.01"}},
        {OP_ROUND, "-1.015", "2", {"-1.02", "-1.02", "-1.01", "-1.02", "-1.02", "-1.01"}},
        {OP_ROUND, "1.23456789", "8",
         {"1.23456789", "1.23456789", "1.23456789", "1.23456789", "1.23456789", "1.23456789"}},
        {OP_ROUND, "0.00000001", "7", {"0", "0", "0", "0.0000001", "0", "0.0000001"}},
        {OP_QUANT, "17.3", "5", {"15", "15", "15", "20", "15", "20"}},
        {OP_QUANT, "-17.3", "5", {"-15", "-15", "-15", "-20", "-20", "-15"}},
        {OP_QUANT, "12.5", "5", {"10", "15", "10", "15", "10", "15"}},
        {OP_QUANT, "17.5", "5", {"20", "20", "15", "20", "15", "20"}},
        {OP_QUANT, "-12.5", "5", {"-10", "-15", "-10", "-15", "-15", "-10"}},
        {OP_QUANT, "46.3137", "0.0025",
         {"46.3125", "46.3125", "46.3125", "46.315", "46.3125", "46.315"}},
        {OP_QUANT, "46.31375", "0.0025",
         {"46.315", "46.315", "46.3125", "46.315", "46.3125", "46.315"}},
        {OP_QUANT, "46.31125", "0.0025",
         {"46.31", "46.3125", "46.31", "46.3125", "46.31", "46.3125"}},
        {OP_QUANT, "100", "25", {"100", "100", "100", "100", "100", "100"}},
    };
    size_t i;
    int m;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_dec a = D(cases[i].a);
        for (m = 0; m < 6; m++) {
            struct tc_dec r = {SENTINEL};
            char buf[TC_DEC_STRLEN];
            int rc = -100;
            enum tc_round mode = (enum tc_round)m;
            switch (cases[i].op) {
            case OP_MUL:
                rc = tc_dec_mul(a, D(cases[i].b), mode, &r);
                break;
            case OP_DIV:
                rc = tc_dec_div(a, D(cases[i].b), mode, &r);
                break;
            case OP_ROUND:
                rc = tc_dec_round(a, (int)tc_dec_to_int(D(cases[i].b)), mode, &r);
                break;
            case OP_QUANT:
                rc = tc_dec_quantize(a, D(cases[i].b), mode, &r);
                break;
            }
            if (rc != 0)
                fail_msg("case %zu (%s, %s) %s: %s", i, cases[i].a, cases[i].b, mode_name(mode),
                         tc_strerror_name(rc));
            tc_dec_format(r, buf, sizeof(buf));
            if (strcmp(buf, cases[i].want[m]) != 0)
                fail_msg("case %zu (%s op%d %s) %s: got %s, want %s", i, cases[i].a,
                         (int)cases[i].op, cases[i].b, mode_name(mode), buf, cases[i].want[m]);
        }
    }
}

static void test_invalid_arguments(void **state)
{
    struct tc_dec r = {SENTINEL};
    assert_int_equal(tc_dec_div(D("1"), TC_DEC_ZERO, TC_ROUND_HALF_EVEN, &r), TC_EINVAL);
    assert_int_equal(tc_dec_div(TC_DEC_ZERO, TC_DEC_ZERO, TC_ROUND_DOWN, &r), TC_EINVAL);
    assert_int_equal(tc_dec_round(D("1"), 9, TC_ROUND_HALF_EVEN, &r), TC_EINVAL);
    assert_int_equal(tc_dec_round(D("1"), -1, TC_ROUND_HALF_EVEN, &r), TC_EINVAL);
    assert_int_equal(tc_dec_quantize(D("1"), TC_DEC_ZERO, TC_ROUND_HALF_EVEN, &r), TC_EINVAL);
    assert_int_equal(tc_dec_quantize(D("1"), D("-5"), TC_ROUND_HALF_EVEN, &r), TC_EINVAL);
    assert_int_equal(tc_dec_mul(D("1"), D("1"), (enum tc_round)6, &r), TC_EINVAL);
    assert_int_equal(tc_dec_div(D("1"), D("1"), (enum tc_round)-1, &r), TC_EINVAL);
    assert_int_equal(r.raw, SENTINEL);
}

static void test_overflow(void **state)
{
    const struct tc_dec max = tc_dec_from_raw(MAX_RAW), min = tc_dec_from_raw(MIN_RAW);
    const struct tc_dec one_unit = tc_dec_from_raw(1), minus_unit = tc_dec_from_raw(-1);
    struct tc_dec r = {SENTINEL};
    int m;

    assert_int_equal(tc_dec_add(max, one_unit, &r), TC_ERANGE);
    assert_int_equal(tc_dec_add(min, minus_unit, &r), TC_ERANGE);
    assert_int_equal(tc_dec_sub(min, one_unit, &r), TC_ERANGE);
    assert_int_equal(tc_dec_sub(max, minus_unit, &r), TC_ERANGE);
    assert_int_equal(tc_dec_sub(TC_DEC_ZERO, min, &r), TC_ERANGE);
    assert_int_equal(tc_dec_neg(min, &r), TC_ERANGE);
    assert_int_equal(tc_dec_abs(min, &r), TC_ERANGE);
    for (m = 0; m < 6; m++) {
        assert_int_equal(tc_dec_mul(max, D("2"), (enum tc_round)m, &r), TC_ERANGE);
        assert_int_equal(tc_dec_mul(D("1000000"), D("1000000"), (enum tc_round)m, &r),
                         TC_ERANGE);
        assert_int_equal(tc_dec_mul(min, D("-1"), (enum tc_round)m, &r), TC_ERANGE);
        assert_int_equal(tc_dec_mul(min, min, (enum tc_round)m, &r), TC_ERANGE);
        assert_int_equal(tc_dec_div(max, D("0.5"), (enum tc_round)m, &r), TC_ERANGE);
        assert_int_equal(tc_dec_div(min, D("-1"), (enum tc_round)m, &r), TC_ERANGE);
        assert_int_equal(tc_dec_div(D("1"), one_unit, (enum tc_round)m, &r), 0);
        assert_int_equal(r.raw, INT64_C(10000000000000000));
        r.raw = SENTINEL;
        assert_int_equal(tc_dec_div(D("1000"), one_unit, (enum tc_round)m, &r), TC_ERANGE);
    }
    assert_int_equal(tc_dec_mul_int(max, 2, &r), TC_ERANGE);
    assert_int_equal(tc_dec_mul_int(min, -1, &r), TC_ERANGE);
    assert_int_equal(tc_dec_mul_int(D("1"), INT64_MAX, &r), TC_ERANGE);
    assert_int_equal(tc_dec_from_int(INT64_C(92233720369), &r), TC_ERANGE);
    assert_int_equal(tc_dec_from_int(INT64_C(-92233720369), &r), TC_ERANGE);
    assert_int_equal(tc_dec_from_int(INT64_MAX, &r), TC_ERANGE);
    assert_int_equal(tc_dec_from_int(INT64_MIN, &r), TC_ERANGE);
    assert_int_equal(tc_dec_round(max, 0, TC_ROUND_UP, &r), TC_ERANGE);
    assert_int_equal(tc_dec_round(min, 0, TC_ROUND_FLOOR, &r), TC_ERANGE);
    assert_int_equal(tc_dec_quantize(max, D("1"), TC_ROUND_CEIL, &r), TC_ERANGE);
    assert_int_equal(r.raw, SENTINEL); /* nothing written on failure */

    /* the edges themselves are fine */
    assert_int_equal(tc_dec_add(max, TC_DEC_ZERO, &r), 0);
    assert_int_equal(r.raw, MAX_RAW);
    assert_int_equal(tc_dec_add(min, max, &r), 0);
    assert_int_equal(r.raw, -1);
    assert_int_equal(tc_dec_mul(min, D("1"), TC_ROUND_HALF_EVEN, &r), 0);
    assert_int_equal(r.raw, MIN_RAW);
    assert_int_equal(tc_dec_div(max, D("1"), TC_ROUND_HALF_EVEN, &r), 0);
    assert_int_equal(r.raw, MAX_RAW);
    assert_int_equal(tc_dec_neg(max, &r), 0);
    assert_int_equal(r.raw, -MAX_RAW);
    assert_int_equal(tc_dec_abs(D("-2.5"), &r), 0);
    assert_dec_str(r, "2.5");
    assert_int_equal(tc_dec_from_int(INT64_C(92233720368), &r), 0);
    assert_dec_str(r, "92233720368");
    assert_int_equal(tc_dec_from_int(INT64_C(-92233720368), &r), 0);
    assert_dec_str(r, "-92233720368");
    assert_int_equal(tc_dec_mul_int(D("1.25"), -4, &r), 0);
    assert_dec_str(r, "-5");
    assert_int_equal(tc_dec_round(max, 0, TC_ROUND_DOWN, &r), 0);
    assert_dec_str(r, "92233720368");
}

static void test_format(void **state)
{
    char buf[TC_DEC_STRLEN];
    struct tc_dec d = D("12.5");

    assert_int_equal(tc_dec_format(d, buf, 5), 4);
    assert_string_equal(buf, "12.5");
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc_dec_format(d, buf, 4), TC_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tc_dec_format(d, buf, 0), TC_ERANGE);
    assert_int_equal(tc_dec_format(d, NULL, 0), TC_ERANGE);
    assert_int_equal(tc_dec_format(tc_dec_from_raw(MIN_RAW), buf, sizeof(buf)), 21);
    assert_int_equal(tc_dec_format(tc_dec_from_raw(MIN_RAW), buf, 22), 21);
    assert_int_equal(tc_dec_format(tc_dec_from_raw(MIN_RAW), buf, 21), TC_ERANGE);
}

static void test_format_fixed(void **state)
{
    static const struct {
        const char *in;
        int places;
        enum tc_round mode;
        const char *want;
    } cases[] = {
        {"1.005", 2, TC_ROUND_HALF_EVEN, "1.00"},
        {"1.015", 2, TC_ROUND_HALF_EVEN, "1.02"},
        {"1.005", 2, TC_ROUND_HALF_UP, "1.01"},
        {"1.009", 2, TC_ROUND_DOWN, "1.00"},
        {"12.5", 0, TC_ROUND_HALF_EVEN, "12"},
        {"13.5", 0, TC_ROUND_HALF_EVEN, "14"},
        {"-12.5", 0, TC_ROUND_HALF_UP, "-13"},
        {"-0.004", 2, TC_ROUND_HALF_EVEN, "0.00"},
        {"-0.004", 2, TC_ROUND_FLOOR, "-0.01"},
        {"-0.00000001", 8, TC_ROUND_HALF_EVEN, "-0.00000001"},
        {"7", 4, TC_ROUND_HALF_EVEN, "7.0000"},
        {"46.3125", 6, TC_ROUND_HALF_EVEN, "46.312500"},
        {"92233720368.54775807", 0, TC_ROUND_HALF_UP, "92233720369"},
        {"92233720368.54775807", 8, TC_ROUND_HALF_UP, "92233720368.54775807"},
        {"-92233720368.54775808", 0, TC_ROUND_HALF_UP, "-92233720369"},
        {"-92233720368.54775808", 2, TC_ROUND_CEIL, "-92233720368.54"},
    };
    size_t i;
    char buf[TC_DEC_STRLEN];
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int n = tc_dec_format_fixed(D(cases[i].in), cases[i].places, cases[i].mode, buf,
                                    sizeof(buf));
        if (n != (int)strlen(cases[i].want) || strcmp(buf, cases[i].want) != 0)
            fail_msg("case %zu %s/%d: got %d \"%s\", want \"%s\"", i, cases[i].in,
                     cases[i].places, n, buf, cases[i].want);
    }
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc_dec_format_fixed(D("1"), 9, TC_ROUND_HALF_EVEN, buf, sizeof(buf)),
                     TC_EINVAL);
    assert_string_equal(buf, "");
    assert_int_equal(tc_dec_format_fixed(D("1"), -1, TC_ROUND_HALF_EVEN, buf, sizeof(buf)),
                     TC_EINVAL);
    assert_int_equal(tc_dec_format_fixed(D("1"), 2, (enum tc_round)42, buf, sizeof(buf)),
                     TC_EINVAL);
    assert_int_equal(tc_dec_format_fixed(D("1"), 2, TC_ROUND_HALF_EVEN, buf, 4), TC_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tc_dec_format_fixed(D("1"), 2, TC_ROUND_HALF_EVEN, buf, 5), 4);
    assert_string_equal(buf, "1.00");
}

static void test_conversions(void **state)
{
    assert_int_equal(tc_dec_to_int(D("12.99")), 12);
    assert_int_equal(tc_dec_to_int(D("-12.99")), -12);
    assert_int_equal(tc_dec_to_int(tc_dec_from_raw(MIN_RAW)), INT64_C(-92233720368));
    assert_true(tc_dec_to_double(D("-2.25")) == -2.25);
    assert_true(tc_dec_to_double(D("46.3125")) == 46.3125);
    assert_int_equal(tc_dec_cmp(D("1.5"), D("1.50")), 0);
    assert_int_equal(tc_dec_cmp(D("-1"), D("0.00000001")), -1);
    assert_int_equal(tc_dec_cmp(D("2"), D("1.99999999")), 1);
    assert_int_equal(tc_dec_sign(D("-0")), 0);
    assert_true(tc_dec_is_zero(D("0e5")));
}

/* A value with a random magnitude: uniform bits are almost always huge. */
static int64_t random_raw(struct tc_rng *rng)
{
    uint64_t bits = tc_rng_next(rng);
    int shift = (int)tc_rng_below(rng, 64);
    return (int64_t)bits >> shift;
}

/* The text of RAW as "%s%llu.%08llu" makes it: sign, integer part, PLACES
 * of the 8 fractional digits (PLACES < 0: trailing zeros and a bare point
 * dropped). RAW must be a multiple of 10^(8 - PLACES) for PLACES >= 0. */
static void reference_text(int64_t raw, int places, char *out, size_t cap)
{
    uint64_t mag = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
    int n = snprintf(out, cap, "%s%llu.%08llu", raw < 0 ? "-" : "",
                     (unsigned long long)(mag / 100000000u), (unsigned long long)(mag % 100000000u));
    char *point = strchr(out, '.');
    assert_true(n > 0 && point != NULL);
    if (places >= 0) {
        point[places > 0 ? places + 1 : 0] = '\0';
        return;
    }
    for (char *e = out + n - 1; *e == '0'; e--)
        *e = '\0';
    if (point[1] == '\0')
        *point = '\0';
}

/* tc_dec_format and tc_dec_format_fixed against the text printf makes, on
 * the extremes, every length of integer part and of fraction, and random
 * values; the length returned is the text's, nothing is written past its
 * NUL, and one byte less room is TC_ERANGE with "" left. */
static void test_format_reference(void **state)
{
    static const int64_t fixed[] = {0, 1, -1, 9, 10, 99, 100, 12345678, 99999999, 100000000,
                                    -100000000, 100000001, 999999999, 1000000000,
                                    INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1};
    struct tc_rng rng;
    char want[64], got[TC_DEC_STRLEN];
    (void)state;
    tc_rng_seed(&rng, 7);
    for (int i = 0; i < 60000; i++) {
        int64_t raw;
        if (i < (int)(sizeof(fixed) / sizeof(fixed[0])))
            raw = fixed[i];
        else if (i < 2000) { /* 10^k and 10^k - 1, both signs */
            int64_t p = 1;
            for (int k = i % 19; k > 0; k--)
                p *= 10;
            raw = (i / 19) % 2 ? p - 1 : p;
            if ((i / 38) % 2)
                raw = -raw;
        } else
            raw = random_raw(&rng);
        reference_text(raw, -1, want, sizeof(want));
        memset(got, 0x55, sizeof(got));
        int n = tc_dec_format(tc_dec_from_raw(raw), got, sizeof(got));
        assert_int_equal(n, (int)strlen(want));
        assert_string_equal(got, want);
        for (size_t k = (size_t)n + 1; k < sizeof(got); k++) /* nothing written past the NUL */
            assert_int_equal((unsigned char)got[k], 0x55);
        assert_int_equal(tc_dec_format(tc_dec_from_raw(raw), got, (size_t)n), TC_ERANGE);
        assert_string_equal(got, "");
        for (int places = 0; places <= 8; places++) {
            int64_t unit = 1;
            for (int k = places; k < 8; k++)
                unit *= 10;
            int64_t r = raw / unit * unit; /* toward zero: DOWN leaves it as it is */
            reference_text(r, places, want, sizeof(want));
            n = tc_dec_format_fixed(tc_dec_from_raw(r), places, TC_ROUND_DOWN, got, sizeof(got));
            assert_int_equal(n, (int)strlen(want));
            assert_string_equal(got, want);
        }
    }
}

static void test_random_properties(void **state)
{
    struct tc_rng rng;
    int i, overflows = 0;
    tc_rng_seed(&rng, 20240131);
    for (i = 0; i < 100000; i++) {
        struct tc_dec a = tc_dec_from_raw(random_raw(&rng));
        struct tc_dec b = tc_dec_from_raw(random_raw(&rng));
        struct tc_dec sum, back, p;
        char buf[TC_DEC_STRLEN];
        i128 exact = (i128)a.raw + b.raw;
        int n;

        if (tc_dec_add(a, b, &sum) == 0) {
            assert_true(exact >= INT64_MIN && exact <= INT64_MAX);
            assert_int_equal(tc_dec_sub(sum, b, &back), 0);
            assert_int_equal(back.raw, a.raw);
        } else {
            assert_true(exact < INT64_MIN || exact > INT64_MAX);
            overflows++;
        }
        n = tc_dec_format(a, buf, sizeof(buf));
        assert_true(n > 0);
        p.raw = SENTINEL;
        assert_int_equal(tc_dec_parse(buf, (size_t)n, &p, NULL), 0);
        assert_int_equal(p.raw, a.raw);

        /* FLOOR and CEIL bracket the exact product, one unit apart at most */
        {
            struct tc_dec lo, hi;
            int rl = tc_dec_mul(a, b, TC_ROUND_FLOOR, &lo);
            int rh = tc_dec_mul(a, b, TC_ROUND_CEIL, &hi);
            if (rl == 0 && rh == 0) {
                i128 prod = (i128)a.raw * b.raw;
                assert_true((i128)lo.raw * TC_DEC_ONE <= prod);
                assert_true((i128)hi.raw * TC_DEC_ONE >= prod);
                assert_true(hi.raw - lo.raw == 0 || hi.raw - lo.raw == 1);
            }
        }
    }
    /* both outcomes were exercised */
    assert_true(overflows > 10);
    assert_true(overflows < 100000 - 10);
}

/* tc_dec_mul_fast (in every mode, valid or not) gives what tc_dec_mul
 * gives: the same codes, the same results, nothing written on overflow;
 * the inline add, sub, neg and abs (which the library's functions call)
 * on their edges. */
static void test_fast_forms(void **state)
{
    static const int64_t edge[] = {0, 1, -1, 2, -2, INT64_MAX, INT64_MIN, INT64_MAX - 1,
                                   INT64_MIN + 1, INT64_MAX / 2, INT64_MIN / 2,
                                   INT64_MIN / 2 - 1, 100000000, -100000000};
    const size_t ne = sizeof(edge) / sizeof(edge[0]);
    struct tc_rng rng;
    (void)state;
    tc_rng_seed(&rng, 20261123);
    for (size_t i = 0; i < ne * ne + 200000; i++) {
        const struct tc_dec a =
            tc_dec_from_raw(i < ne * ne ? edge[i / ne] : random_raw(&rng));
        const struct tc_dec b =
            tc_dec_from_raw(i < ne * ne ? edge[i % ne] : random_raw(&rng));
        struct tc_dec want = {SENTINEL}, got = {SENTINEL};
        int rw, rg;

        for (int m = -1; m < 7; m++) {
            /* B whole (the inline path) half the time, both ways of the call otherwise */
            const struct tc_dec w = tc_dec_from_raw(
                (b.raw % INT64_C(92233720368)) * (i % 2 ? TC_DEC_ONE : 1));
            want.raw = got.raw = SENTINEL;
            rw = tc_dec_mul(a, w, (enum tc_round)m, &want);
            rg = tc_dec_mul_fast(a, w, (enum tc_round)m, &got);
            assert_int_equal(rg, rw);
            assert_int_equal(got.raw, want.raw);
            want.raw = got.raw = SENTINEL;
            rw = tc_dec_mul(w, a, (enum tc_round)m, &want);
            rg = tc_dec_mul_fast(w, a, (enum tc_round)m, &got);
            assert_int_equal(rg, rw);
            assert_int_equal(got.raw, want.raw);
        }
    }
    {
        struct tc_dec r = {SENTINEL};
        const struct tc_dec max = tc_dec_from_raw(INT64_MAX), min = tc_dec_from_raw(INT64_MIN);
        assert_int_equal(tc_dec_add_fast(max, tc_dec_from_raw(1), &r), TC_ERANGE);
        assert_int_equal(tc_dec_add_fast(min, tc_dec_from_raw(-1), &r), TC_ERANGE);
        assert_int_equal(tc_dec_sub_fast(TC_DEC_ZERO, min, &r), TC_ERANGE);
        assert_int_equal(tc_dec_sub_fast(max, tc_dec_from_raw(-1), &r), TC_ERANGE);
        assert_int_equal(tc_dec_neg_fast(min, &r), TC_ERANGE);
        assert_int_equal(tc_dec_abs_fast(min, &r), TC_ERANGE);
        assert_int_equal(tc_dec_mul_fast(max, D("2"), TC_ROUND_HALF_EVEN, &r), TC_ERANGE);
        assert_int_equal(tc_dec_mul_fast(min, D("-1"), TC_ROUND_DOWN, &r), TC_ERANGE);
        assert_int_equal(tc_dec_mul_fast(D("2"), D("3"), (enum tc_round)6, &r), TC_EINVAL);
        assert_int_equal(tc_dec_mul_fast(D("2"), D("3"), (enum tc_round)-1, &r), TC_EINVAL);
        assert_int_equal(r.raw, SENTINEL);
        assert_int_equal(tc_dec_mul_fast(D("133.850465"), D("100"), TC_ROUND_HALF_EVEN, &r), 0);
        assert_dec_str(r, "13385.0465");
        assert_int_equal(tc_dec_mul_fast(D("-100"), D("133.850465"), TC_ROUND_HALF_EVEN, &r), 0);
        assert_dec_str(r, "-13385.0465");
        assert_int_equal(tc_dec_mul_fast(D("2"), max, TC_ROUND_HALF_EVEN, &r), TC_ERANGE);
        assert_dec_str(r, "-13385.0465");
        assert_int_equal(tc_dec_mul_fast(D("1.5"), D("0.5"), TC_ROUND_HALF_EVEN, &r), 0);
        assert_dec_str(r, "0.75");
        r.raw = SENTINEL;
        assert_int_equal(tc_dec_abs_fast(D("-2.5"), &r), 0);
        assert_dec_str(r, "2.5");
        assert_int_equal(tc_dec_sub_fast(D("1"), D("3.25"), &r), 0);
        assert_dec_str(r, "-2.25");
    }
}

/* The division as first written: C's 128-bit / and %, then the rounding. */
__extension__ typedef __int128 ref_i128;
static int64_t ref_div_round(ref_i128 n, ref_i128 d, enum tc_round mode, int *overflow)
{
    ref_i128 q = n / d, r = n % d;
    if (r != 0) {
        int neg = (n < 0) != (d < 0);
        ref_i128 ar = r < 0 ? -r : r, ad = d < 0 ? -d : d;
        int half = 2 * ar < ad ? -1 : (2 * ar == ad ? 0 : 1);
        int odd = (int)(q & 1) != 0, away = 0;
        switch (mode) {
        case TC_ROUND_HALF_EVEN: away = half > 0 || (half == 0 && odd); break;
        case TC_ROUND_HALF_UP: away = half >= 0; break;
        case TC_ROUND_DOWN: away = 0; break;
        case TC_ROUND_UP: away = 1; break;
        case TC_ROUND_FLOOR: away = neg; break;
        case TC_ROUND_CEIL: away = !neg; break;
        }
        if (away)
            q += neg ? -1 : 1;
    }
    *overflow = q > INT64_MAX || q < INT64_MIN;
    return *overflow ? 0 : (int64_t)q;
}

/* tc_dec_mul and tc_dec_div give what the 128-bit division gives, in every
 * rounding mode, for random values, signs, ties and the extremes. */
static void test_mul_div_reference(void **state)
{
    static const int64_t edge[] = {0, 1, -1, 2, -2, 5, -5, 49999999, 50000000, 50000001,
                                   -50000000, 99999999, 100000000, -100000000, 150000000,
                                   250000000, 4294967295, 4294967296, -4294967296,
                                   INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
                                   3037000499, -3037000499, 123456789012345678};
    /* exact ties past 64 bits: 0.5 × (2^62 + odd) leaves half a unit */
    static const int64_t tie_a[] = {50000000, -50000000, 150000000, -250000000};
    static const int64_t tie_b[] = {(INT64_C(1) << 62) + 1, (INT64_C(1) << 62) + 3,
                                    -(INT64_C(1) << 62) - 1, (INT64_C(1) << 61) + 7};
    struct tc_rng rng;
    for (size_t x = 0; x < 4; x++)
        for (size_t y = 0; y < 4; y++)
            for (int mode = 0; mode < 6; mode++) {
                struct tc_dec out = {12345};
                int ovf, rc;
                int64_t want = ref_div_round((ref_i128)tie_a[x] * tie_b[y], TC_DEC_ONE,
                                             (enum tc_round)mode, &ovf);
                rc = tc_dec_mul(tc_dec_from_raw(tie_a[x]), tc_dec_from_raw(tie_b[y]),
                                (enum tc_round)mode, &out);
                if (ovf ? rc != TC_ERANGE : (rc != 0 || out.raw != want))
                    fail_msg("tie %lld × %lld mode %d: rc %d raw %lld, want %lld",
                             (long long)tie_a[x], (long long)tie_b[y], mode, rc,
                             (long long)out.raw, (long long)want);
            }
    /* whole divisors at the edges: small ones (every remainder and tie), the
     * largest, and INT64_MIN / -1, the one quotient past the range */
    {
        static const int64_t whole[] = {1, -1, 2, -2, 3, -3, 7, -7, 10, 92233720368,
                                        -92233720368, 46116860184, 4294967296};
        for (size_t x = 0; x < sizeof(edge) / sizeof(edge[0]); x++)
            for (size_t y = 0; y < sizeof(whole) / sizeof(whole[0]); y++)
                for (int mode = 0; mode < 6; mode++) {
                    const int64_t d = whole[y] * TC_DEC_ONE;
                    struct tc_dec out = {12345};
                    int ovf, rc;
                    int64_t want = ref_div_round((ref_i128)edge[x] * TC_DEC_ONE, d,
                                                 (enum tc_round)mode, &ovf);
                    rc = tc_dec_div(tc_dec_from_raw(edge[x]), tc_dec_from_raw(d),
                                    (enum tc_round)mode, &out);
                    if (ovf ? (rc != TC_ERANGE || out.raw != 12345)
                            : (rc != 0 || out.raw != want))
                        fail_msg("div edge %lld / %lld mode %d: rc %d raw %lld, want %lld",
                                 (long long)edge[x], (long long)d, mode, rc,
                                 (long long)out.raw, (long long)want);
                }
        struct tc_dec out = {12345};
        assert_int_equal(tc_dec_div(tc_dec_from_raw(INT64_MIN), D("-1"), TC_ROUND_DOWN, &out),
                         TC_ERANGE);
        assert_int_equal(out.raw, 12345);
        assert_int_equal(tc_dec_div(D("7"), D("2"), TC_ROUND_HALF_EVEN, &out), 0);
        assert_int_equal(out.raw, 350000000);
        assert_int_equal(tc_dec_div(tc_dec_from_raw(5), D("2"), TC_ROUND_HALF_EVEN, &out), 0);
        assert_int_equal(out.raw, 2); /* 2.5 units: the even one */
        assert_int_equal(tc_dec_div(tc_dec_from_raw(-7), D("2"), TC_ROUND_HALF_EVEN, &out), 0);
        assert_int_equal(out.raw, -4);
        assert_int_equal(tc_dec_div(tc_dec_from_raw(-5), D("-2"), TC_ROUND_FLOOR, &out), 0);
        assert_int_equal(out.raw, 2);
        assert_int_equal(tc_dec_div(tc_dec_from_raw(-5), D("2"), TC_ROUND_CEIL, &out), 0);
        assert_int_equal(out.raw, -2);
        assert_int_equal(tc_dec_div(D("1"), D("0"), TC_ROUND_DOWN, &out), TC_EINVAL);
        assert_int_equal(tc_dec_div(D("1"), D("2"), (enum tc_round)9, &out), TC_EINVAL);
        assert_int_equal(out.raw, -2);
    }
    tc_rng_seed(&rng, 20261122);
    for (int i = 0; i < 400000; i++) {
        int64_t a = i < 676 ? edge[i / 26] : random_raw(&rng);
        int64_t b = i < 676 ? edge[i % 26] : random_raw(&rng);
        enum tc_round mode = (enum tc_round)(i % 6);
        struct tc_dec out = {12345};
        int ovf, rc;
        int64_t want = ref_div_round((ref_i128)a * b, TC_DEC_ONE, mode, &ovf);
        rc = tc_dec_mul(tc_dec_from_raw(a), tc_dec_from_raw(b), mode, &out);
        if (ovf ? rc != TC_ERANGE : (rc != 0 || out.raw != want))
            fail_msg("mul %lld × %lld mode %d: rc %d raw %lld, want %lld%s", (long long)a,
                     (long long)b, (int)mode, rc, (long long)out.raw, (long long)want,
                     ovf ? " (overflow)" : "");
        /* a whole factor (tc_dec_mul's exact path), either side, past 64 bits too */
        int64_t w = (random_raw(&rng) % INT64_C(92233720368)) * TC_DEC_ONE;
        want = ref_div_round((ref_i128)w * b, TC_DEC_ONE, mode, &ovf);
        rc = i % 2 ? tc_dec_mul(tc_dec_from_raw(w), tc_dec_from_raw(b), mode, &out)
                   : tc_dec_mul(tc_dec_from_raw(b), tc_dec_from_raw(w), mode, &out);
        if (ovf ? rc != TC_ERANGE : (rc != 0 || out.raw != want))
            fail_msg("mul whole %lld × %lld mode %d: rc %d raw %lld, want %lld%s",
                     (long long)w, (long long)b, (int)mode, rc, (long long)out.raw,
                     (long long)want, ovf ? " (overflow)" : "");
        /* a whole divisor (tc_dec_div's 64-bit path) */
        if (w != 0) {
            want = ref_div_round((ref_i128)a * TC_DEC_ONE, w, mode, &ovf);
            rc = tc_dec_div(tc_dec_from_raw(a), tc_dec_from_raw(w), mode, &out);
            if (ovf ? rc != TC_ERANGE : (rc != 0 || out.raw != want))
                fail_msg("div whole %lld / %lld mode %d: rc %d raw %lld, want %lld%s",
                         (long long)a, (long long)w, (int)mode, rc, (long long)out.raw,
                         (long long)want, ovf ? " (overflow)" : "");
        }
        if (b == 0)
            continue;
        want = ref_div_round((ref_i128)a * TC_DEC_ONE, b, mode, &ovf);
        rc = tc_dec_div(tc_dec_from_raw(a), tc_dec_from_raw(b), mode, &out);
        if (ovf ? rc != TC_ERANGE : (rc != 0 || out.raw != want))
            fail_msg("div %lld / %lld mode %d: rc %d raw %lld, want %lld%s", (long long)a,
                     (long long)b, (int)mode, rc, (long long)out.raw, (long long)want,
                     ovf ? " (overflow)" : "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_parse_len),
        cmocka_unit_test(test_all_six_decimal_prices),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_huge),
        cmocka_unit_test(test_parse_round_modes),
        cmocka_unit_test(test_parse_round_range),
        cmocka_unit_test(test_rounding_ops),
        cmocka_unit_test(test_invalid_arguments),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_fixed),
        cmocka_unit_test(test_format_reference),
        cmocka_unit_test(test_conversions),
        cmocka_unit_test(test_random_properties),
        cmocka_unit_test(test_mul_div_reference),
        cmocka_unit_test(test_fast_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
