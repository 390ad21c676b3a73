/* Indicators: SMA, EMA, ATR, highest/lowest against hand-computed tables,
 * no value before n bars, half-even rounding of exact decimals, streaming
 * equal to batch on random series, crossover semantics with zero
 * differences, and bad input (period 0, NULL, high below low, overflow);
 * the column-wise SMA equal to the streaming one on every bar of real and
 * generated series, interleaved, and its bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/indicators.h"
#include "tradecore/ingest.h"

#define NONE NULL

#define D(text) tc_test_dec(text)

/* Checks OUT[i] against the expected text (NULL: no value). */
static void expect_values(const char *what, const struct tc_ind_value *out, const char *const *want,
                          size_t n)
{
    char got[TC_DEC_STRLEN];
    for (size_t i = 0; i < n; i++) {
        if (!want[i]) {
            if (out[i].has_value)
                fail_msg("%s[%zu]: expected no value", what, i);
            assert_int_equal(out[i].value.raw, 0);
            continue;
        }
        if (!out[i].has_value)
            fail_msg("%s[%zu]: expected %s, got no value", what, i, want[i]);
        tc_dec_format(out[i].value, got, sizeof got);
        if (out[i].value.raw != D(want[i]).raw)
            fail_msg("%s[%zu]: expected %s, got %s", what, i, want[i], got);
    }
}

struct series_case {
    const char *name;
    size_t period;
    const char *in[8];
    const char *want[8];
    size_t n;
};

static void test_sma_table(void **state)
{
    static const struct series_case cases[] = {
        {"ramp", 3, {"1", "2", "3", "4", "5"}, {NONE, NONE, "2", "3", "4"}, 5},
        {"period 1", 1, {"7.5", "8.25"}, {"7.5", "8.25"}, 2},
        /* half-even: 1.5e-8 -> 2e-8, 2.5e-8 -> 2e-8, 3.5e-8 -> 4e-8 */
        {"ties", 2, {"0.00000001", "0.00000002", "0.00000003", "0.00000004"},
         {NONE, "0.00000002", "0.00000002", "0.00000004"}, 4},
        {"thirds", 3, {"1", "1", "2", "0.00000001"}, {NONE, NONE, "1.33333333", "1"}, 4},
        /* 19 significant digits: a double would lose the last ones */
        {"exact", 2, {"12345678901.23456789", "12345678901.23456791"},
         {NONE, "12345678901.2345679"}, 2},
        /* the int64 sum of these would overflow; the 128-bit one does not */
        {"near max", 2, {"92233720368.5", "92233720368.5", "-92233720368.5"},
         {NONE, "92233720368.5", "0"}, 3},
        {"negative", 2, {"-1", "-0.00000002", "-0.00000001"},
         {NONE, "-0.50000001", "-0.00000002"}, 3},
        {"too short", 4, {"1", "2", "3"}, {NONE, NONE, NONE}, 3},
    };
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct series_case *tc = &cases[c];
        struct tc_error err = {0};
        struct tc_dec in[8];
        struct tc_ind_value stream[8], batch[8];
        struct tc_ind_sma s;
        for (size_t i = 0; i < tc->n; i++)
            in[i] = D(tc->in[i]);
        tc_assert_ok(tc_ind_sma_init(&s, tc->period, &err), &err);
        for (size_t i = 0; i < tc->n; i++)
            tc_assert_ok(tc_ind_sma_push(&s, in[i], &stream[i], &err), &err);
        tc_ind_sma_release(&s);
        tc_assert_ok(tc_ind_sma_batch((struct tc_dec_view){in, tc->n}, tc->period, batch, &err),
                     &err);
        expect_values(tc->name, stream, tc->want, tc->n);
        expect_values(tc->name, batch, tc->want, tc->n);
        struct tc_dec last = D("123");
        int rc = tc_ind_sma_last((struct tc_dec_view){in, tc->n}, tc->period, &last, &err);
        if (tc->want[tc->n - 1]) {
            assert_int_equal(rc, 0);
            assert_int_equal(last.raw, D(tc->want[tc->n - 1]).raw);
        } else {
            assert_int_equal(rc, TC_ENOTFOUND);
            assert_non_null(strstr(err.msg, "no value before 4 bars (have 3)"));
            assert_int_equal(last.raw, D("123").raw); /* untouched */
        }
    }
}

static void test_ema_table(void **state)
{
    static const struct series_case cases[] = {
        /* alpha = 1/2: seed SMA(10, 11, 12) = 11, then (2x + 2e) / 4 */
        {"alpha half", 3, {"10", "11", "12", "10", "13"}, {NONE, NONE, "11", "10.5", "11.75"}, 5},
        /* alpha = 2/3: seed 1.5, (4 + 1.5) / 3 = 1.8333333333 -> 1.83333333,
         * (6 + 1.83333333) / 3 = 2.61111111 exactly */
        {"alpha two thirds", 2, {"1", "2", "2", "3"}, {NONE, "1.5", "1.83333333", "2.61111111"}, 4},
        /* period 1: alpha = 1, the input itself */
        {"period 1", 1, {"3.3", "4.4"}, {"3.3", "4.4"}, 2},
        /* half-even in the seed: (1e-8 + 2e-8) / 2 = 1.5e-8 -> 2e-8 */
        {"seed tie", 2, {"0.00000001", "0.00000002"}, {NONE, "0.00000002"}, 2},
        {"too short", 5, {"1", "2"}, {NONE, NONE}, 2},
    };
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct series_case *tc = &cases[c];
        struct tc_error err = {0};
        struct tc_dec in[8];
        struct tc_ind_value stream[8], batch[8];
        struct tc_ind_ema s;
        for (size_t i = 0; i < tc->n; i++)
            in[i] = D(tc->in[i]);
        tc_assert_ok(tc_ind_ema_init(&s, tc->period, &err), &err);
        for (size_t i = 0; i < tc->n; i++)
            tc_assert_ok(tc_ind_ema_push(&s, in[i], &stream[i], &err), &err);
        tc_assert_ok(tc_ind_ema_batch((struct tc_dec_view){in, tc->n}, tc->period, batch, &err),
                     &err);
        expect_values(tc->name, stream, tc->want, tc->n);
        expect_values(tc->name, batch, tc->want, tc->n);
    }
}

static void test_atr_table(void **state)
{
    /* TR: 2 (no previous close: high - low), 3, 1.5, 4.5 (gap up: high -
     * previous close), 6.5 (gap down: previous close - low).
     * ATR(3): (2 + 3 + 1.5) / 3 = 2.1666666666 -> 2.16666667;
     * (2 * 2.16666667 + 4.5) / 3 = 2.9444444466 -> 2.94444445;
     * (2 * 2.94444445 + 6.5) / 3 = 4.1296296333 -> 4.12962963. */
    static const char *h[] = {"10", "12", "11.5", "15", "9"};
    static const char *l[] = {"8", "9", "10", "14", "8"};
    static const char *c[] = {"9", "11", "10.5", "14.5", "8.5"};
    static const char *want3[] = {NONE, NONE, "2.16666667", "2.94444445", "4.12962963"};
    static const char *want1[] = {"2", "3", "1.5", "4.5", "6.5"};
    struct tc_dec hi[5], lo[5], cl[5];
    int64_t day[5];
    struct tc_ind_value stream[5], batch[5];
    struct tc_error err = {0};
    (void)state;
    for (size_t i = 0; i < 5; i++) {
        hi[i] = D(h[i]);
        lo[i] = D(l[i]);
        cl[i] = D(c[i]);
        day[i] = tc_days_from_civil(2024, 1, 2 + (int)i);
    }
    struct tc_bar_view v = {.n = 5, .day = day, .high = hi, .low = lo, .close = cl};
    const struct {
        size_t period;
        const char *const *want;
    } cases[] = {{3, want3}, {1, want1}};
    for (size_t k = 0; k < 2; k++) {
        struct tc_ind_atr s;
        tc_assert_ok(tc_ind_atr_init(&s, cases[k].period, &err), &err);
        for (size_t i = 0; i < 5; i++)
            tc_assert_ok(tc_ind_atr_push(&s, hi[i], lo[i], cl[i], &stream[i], &err), &err);
        tc_assert_ok(tc_ind_atr_batch(v, cases[k].period, batch, &err), &err);
        expect_values("atr stream", stream, cases[k].want, 5);
        expect_values("atr batch", batch, cases[k].want, 5);
    }
}

static void test_atr_bad_bars(void **state)
{
    struct tc_error err = {0};
    struct tc_ind_atr s, before;
    struct tc_ind_value out = {D("99"), 7};
    (void)state;
    tc_assert_ok(tc_ind_atr_init(&s, 2, &err), &err);
    tc_assert_ok(tc_ind_atr_push(&s, D("10"), D("8"), D("9"), &out, &err), &err);
    before = s;
    const struct {
        const char *h, *l, *c;
        int code;
        const char *msg;
    } bad[] = {
        {"8", "10", "9", TC_EINVAL, "atr: high 8 is below low 10"},
        {"10", "8", "11", TC_EINVAL, "atr: close 11 is outside [low 8, high 10]"},
        {"10", "8", "7.5", TC_EINVAL, "atr: close 7.5 is outside [low 8, high 10]"},
        {"90000000000", "-90000000000", "0", TC_ERANGE, "atr: true range does not fit"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out = (struct tc_ind_value){D("99"), 7};
        assert_int_equal(tc_ind_atr_push(&s, D(bad[i].h), D(bad[i].l), D(bad[i].c), &out, &err),
                         bad[i].code);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg, bad[i].msg);
        assert_memory_equal(&s, &before, sizeof s); /* state unchanged */
        assert_int_equal(out.has_value, 7);         /* output untouched */
    }
    /* The batch names the bar and its date. */
    struct tc_dec hi[3] = {D("10"), D("11"), D("9")}, lo[3] = {D("8"), D("9"), D("9.5")},
                  cl[3] = {D("9"), D("10"), D("9.5")};
    int64_t day[3] = {tc_days_from_civil(2024, 3, 1), tc_days_from_civil(2024, 3, 4),
                      tc_days_from_civil(2024, 3, 5)};
    struct tc_ind_value res[3];
    struct tc_bar_view v = {.n = 3, .day = day, .high = hi, .low = lo, .close = cl};
    assert_int_equal(tc_ind_atr_batch(v, 2, res, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "atr at bar 2 (2024-03-05): high 9 is below low 9.5"));
}

static void test_extreme_table(void **state)
{
    static const struct {
        const char *name;
        enum tc_ind_extreme_kind kind;
        size_t period;
        const char *in[8];
        const char *want[8];
        size_t n;
    } cases[] = {
        {"highest", TC_IND_HIGHEST, 3, {"5", "3", "4", "1", "2", "6"},
         {NONE, NONE, "5", "4", "4", "6"}, 6},
        {"lowest", TC_IND_LOWEST, 3, {"5", "3", "4", "1", "2", "6"},
         {NONE, NONE, "3", "1", "1", "1"}, 6},
        /* strictly decreasing fills the whole queue; the front must expire */
        {"highest falling", TC_IND_HIGHEST, 3, {"9", "8", "7", "6", "5"},
         {NONE, NONE, "9", "8", "7"}, 5},
        {"lowest rising", TC_IND_LOWEST, 2, {"1", "2", "3", "4"}, {NONE, "1", "2", "3"}, 4},
        {"ties", TC_IND_HIGHEST, 2, {"3", "3", "3", "2"}, {NONE, "3", "3", "3"}, 4},
        {"period 1", TC_IND_LOWEST, 1, {"2", "1", "3"}, {"2", "1", "3"}, 3},
        {"negative", TC_IND_HIGHEST, 2, {"-3", "-0.00000001", "-2"},
         {NONE, "-0.00000001", "-0.00000001"}, 3},
    };
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tc_error err = {0};
        struct tc_dec in[8];
        struct tc_ind_value stream[8], batch[8];
        struct tc_ind_extreme s;
        for (size_t i = 0; i < cases[c].n; i++)
            in[i] = D(cases[c].in[i]);
        tc_assert_ok(tc_ind_extreme_init(&s, cases[c].kind, cases[c].period, &err), &err);
        for (size_t i = 0; i < cases[c].n; i++)
            tc_assert_ok(tc_ind_extreme_push(&s, in[i], &stream[i], &err), &err);
        tc_ind_extreme_release(&s);
        struct tc_dec_view v = {in, cases[c].n};
        tc_assert_ok(tc_ind_extreme_batch(v, cases[c].kind, cases[c].period, batch, &err), &err);
        expect_values(cases[c].name, stream, cases[c].want, cases[c].n);
        expect_values(cases[c].name, batch, cases[c].want, cases[c].n);
        struct tc_dec last;
        int (*fn)(struct tc_dec_view, size_t, struct tc_dec *, struct tc_error *) =
            cases[c].kind == TC_IND_HIGHEST ? tc_ind_highest_last : tc_ind_lowest_last;
        tc_assert_ok(fn(v, cases[c].period, &last, &err), &err);
        assert_int_equal(last.raw, D(cases[c].want[cases[c].n - 1]).raw);
    }
}

static struct tc_ind_value V(const char *s)
{
    if (!s)
        return (struct tc_ind_value){TC_DEC_ZERO, 0};
    return (struct tc_ind_value){D(s), 1};
}

static void test_crossover(void **state)
{
    /* Fast and slow per bar; NULL = no value. */
    static const struct {
        const char *name;
        const char *fast[8], *slow[8];
        int want[8];
        size_t n;
    } cases[] = {
        {"up through equal", {"1", "2", "3"}, {"2", "2", "2"}, {0, 0, 1}, 3},
        {"touch and back", {"1", "2", "1"}, {"2", "2", "2"}, {0, 0, 0}, 3},
        {"down after equals", {"3", "2", "2", "1"}, {"2", "2", "2", "2"}, {0, 0, 0, -1}, 4},
        {"first sign is no cross", {"2", "3", "4"}, {"2", "2", "2"}, {0, 0, 0}, 3},
        {"whipsaw", {"3", "1", "3", "1"}, {"2", "2", "2", "2"}, {0, -1, 1, -1}, 4},
        {"no value skipped", {"1", NULL, "3", "3"}, {"2", "2", "2", NULL}, {0, 0, 1, 0}, 4},
        {"one ulp", {"1.99999999", "2.00000001"}, {"2", "2"}, {0, 1}, 2},
        {"long flat", {"1", "2", "2", "2", "2", "3"}, {"2", "2", "2", "2", "2", "2"},
         {0, 0, 0, 0, 0, 1}, 6},
    };
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tc_ind_value f[8], s[8];
        int batch[8];
        struct tc_error err = {0};
        struct tc_ind_cross x;
        tc_ind_cross_init(&x);
        for (size_t i = 0; i < cases[c].n; i++) {
            f[i] = V(cases[c].fast[i]);
            s[i] = V(cases[c].slow[i]);
            int got = tc_ind_cross_push(&x, f[i], s[i]);
            if (got != cases[c].want[i])
                fail_msg("%s: bar %zu: streaming %d, expected %d", cases[c].name, i, got,
                         cases[c].want[i]);
        }
        tc_assert_ok(tc_ind_cross_batch(f, s, cases[c].n, batch, &err), &err);
        for (size_t i = 0; i < cases[c].n; i++)
            if (batch[i] != cases[c].want[i])
                fail_msg("%s: bar %zu: batch %d, expected %d", cases[c].name, i, batch[i],
                         cases[c].want[i]);
        /* tc_ind_cross_step from the values, called only where both have one */
        struct tc_ind_cross y;
        tc_ind_cross_init(&y);
        for (size_t i = 0; i < cases[c].n; i++) {
            int got = f[i].has_value && s[i].has_value
                          ? tc_ind_cross_step(&y, f[i].value, s[i].value)
                          : 0;
            if (got != cases[c].want[i])
                fail_msg("%s: bar %zu: step %d, expected %d", cases[c].name, i, got,
                         cases[c].want[i]);
        }
        assert_int_equal(y.last_sign, x.last_sign);
    }
    assert_int_equal(tc_ind_cross_step(NULL, TC_DEC_ZERO, tc_dec_from_raw(1)), 0);
}

/* A random walk of closes around 100 with 8-place prices, bars around it. */
static void random_bars(struct tc_rng *rng, size_t n, struct tc_dec *hi, struct tc_dec *lo,
                        struct tc_dec *cl)
{
    int64_t p = 100 * TC_DEC_ONE;
    for (size_t i = 0; i < n; i++) {
        int64_t step = (int64_t)tc_rng_below(rng, 400000001) - 200000000; /* +-2 */
        if (p + step > TC_DEC_ONE)
            p += step;
        int64_t up = (int64_t)tc_rng_below(rng, 300000000);
        int64_t down = (int64_t)tc_rng_below(rng, 30000000);
        cl[i] = tc_dec_from_raw(p);
        hi[i] = tc_dec_from_raw(p + up);
        lo[i] = tc_dec_from_raw(p - down);
        /* occasionally an exact repeat, to exercise ties */
        if (i > 0 && tc_rng_below(rng, 8) == 0) {
            cl[i] = cl[i - 1];
            if (tc_dec_cmp(hi[i], cl[i]) < 0)
                hi[i] = cl[i];
            if (tc_dec_cmp(lo[i], cl[i]) > 0)
                lo[i] = cl[i];
        }
    }
}

static void expect_same(const char *what, size_t period, const struct tc_ind_value *a,
                        const struct tc_ind_value *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].has_value != b[i].has_value || a[i].value.raw != b[i].value.raw)
            fail_msg("%s(%zu) bar %zu: streaming (%d, %lld) != batch (%d, %lld)", what, period, i,
                     a[i].has_value, (long long)a[i].value.raw, b[i].has_value,
                     (long long)b[i].value.raw);
}

static void test_stream_equals_batch(void **state)
{
    enum { N = 600 };
    static struct tc_dec hi[N], lo[N], cl[N];
    static struct tc_ind_value a[N], b[N], fast[N], slow[N];
    static int xa[N], xb[N];
    struct tc_error err = {0};
    struct tc_rng rng;
    (void)state;
    tc_rng_seed(&rng, 20240611);
    for (int round = 0; round < 12; round++) {
        size_t n = 1 + (size_t)tc_rng_below(&rng, N);
        size_t period = 1 + (size_t)tc_rng_below(&rng, 60);
        random_bars(&rng, n, hi, lo, cl);
        struct tc_dec_view v = {cl, n};

        struct tc_ind_sma sma;
        tc_assert_ok(tc_ind_sma_init(&sma, period, &err), &err);
        for (size_t i = 0; i < n; i++)
            tc_assert_ok(tc_ind_sma_push(&sma, cl[i], &a[i], &err), &err);
        tc_ind_sma_release(&sma);
        tc_assert_ok(tc_ind_sma_batch(v, period, b, &err), &err);
        expect_same("sma", period, a, b, n);
        memcpy(fast, a, n * sizeof *a);

        struct tc_ind_ema ema;
        tc_assert_ok(tc_ind_ema_init(&ema, period, &err), &err);
        for (size_t i = 0; i < n; i++)
            tc_assert_ok(tc_ind_ema_push(&ema, cl[i], &a[i], &err), &err);
        tc_assert_ok(tc_ind_ema_batch(v, period, b, &err), &err);
        expect_same("ema", period, a, b, n);

        struct tc_ind_atr atr;
        tc_assert_ok(tc_ind_atr_init(&atr, period, &err), &err);
        for (size_t i = 0; i < n; i++)
            tc_assert_ok(tc_ind_atr_push(&atr, hi[i], lo[i], cl[i], &a[i], &err), &err);
        struct tc_bar_view bv = {.n = n, .high = hi, .low = lo, .close = cl};
        tc_assert_ok(tc_ind_atr_batch(bv, period, b, &err), &err);
        expect_same("atr", period, a, b, n);

        for (int k = TC_IND_HIGHEST; k <= TC_IND_LOWEST; k++) {
            struct tc_ind_extreme ex;
            struct tc_dec_view src = {k == TC_IND_HIGHEST ? hi : lo, n};
            tc_assert_ok(tc_ind_extreme_init(&ex, (enum tc_ind_extreme_kind)k, period, &err),
                         &err);
            for (size_t i = 0; i < n; i++)
                tc_assert_ok(tc_ind_extreme_push(&ex, src.v[i], &a[i], &err), &err);
            tc_ind_extreme_release(&ex);
            tc_assert_ok(tc_ind_extreme_batch(src, (enum tc_ind_extreme_kind)k, period, b, &err),
                         &err);
            expect_same(k == TC_IND_HIGHEST ? "highest" : "lowest", period, a, b, n);
        }

        /* SMA(period) against SMA(2 * period), crossed both ways. */
        struct tc_ind_sma slow_s;
        tc_assert_ok(tc_ind_sma_init(&slow_s, 2 * period, &err), &err);
        for (size_t i = 0; i < n; i++)
            tc_assert_ok(tc_ind_sma_push(&slow_s, cl[i], &slow[i], &err), &err);
        tc_ind_sma_release(&slow_s);
        struct tc_ind_cross x;
        tc_ind_cross_init(&x);
        for (size_t i = 0; i < n; i++)
            xa[i] = tc_ind_cross_push(&x, fast[i], slow[i]);
        tc_assert_ok(tc_ind_cross_batch(fast, slow, n, xb, &err), &err);
        assert_memory_equal(xa, xb, n * sizeof *xa);
    }
}

static void test_bad_input(void **state)
{
    struct tc_error err = {0};
    struct tc_dec x[2] = {D("1"), D("2")}, out = D("5");
    struct tc_ind_value vals[2];
    struct tc_ind_sma sma;
    struct tc_ind_ema ema;
    struct tc_ind_atr atr;
    struct tc_ind_extreme ex;
    (void)state;
    assert_int_equal(tc_ind_sma_init(&sma, 0, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "sma: period 0"));
    assert_int_equal(tc_ind_ema_init(&ema, 0, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "ema: period 0"));
    assert_int_equal(tc_ind_atr_init(&atr, 0, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "atr: period 0"));
    assert_int_equal(tc_ind_extreme_init(&ex, TC_IND_HIGHEST, 0, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "period 0"));
    assert_int_equal(tc_ind_extreme_init(&ex, (enum tc_ind_extreme_kind)9, 3, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "unknown kind 9"));

    assert_int_equal(tc_ind_sma_batch((struct tc_dec_view){x, 2}, 0, vals, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "sma: period 0"));
    assert_int_equal(tc_ind_ema_batch((struct tc_dec_view){NULL, 2}, 2, vals, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "ema: NULL input"));
    assert_int_equal(tc_ind_extreme_batch((struct tc_dec_view){x, 2}, TC_IND_LOWEST, 1, NULL,
                                          &err),
                     TC_EINVAL);
    assert_non_null(strstr(err.msg, "NULL input or output"));
    assert_int_equal(tc_ind_extreme_batch((struct tc_dec_view){x, 2}, (enum tc_ind_extreme_kind)0,
                                          1, vals, &err),
                     TC_EINVAL);
    assert_non_null(strstr(err.msg, "unknown kind 0"));
    /* Empty views are fine for batches and "no value" for the last-value helpers. */
    tc_assert_ok(tc_ind_sma_batch((struct tc_dec_view){NULL, 0}, 3, NULL, &err), &err);
    assert_int_equal(tc_ind_highest_last((struct tc_dec_view){NULL, 0}, 3, &out, &err),
                     TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "highest(3): no value before 3 bars (have 0)"));
    assert_int_equal(tc_ind_lowest_last((struct tc_dec_view){x, 2}, 3, &out, &err), TC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "lowest(3): no value before 3 bars (have 2)"));
    assert_int_equal(out.raw, D("5").raw);
    /* Released or NULL states. */
    assert_int_equal(tc_ind_sma_push(NULL, x[0], NULL, &err), TC_EINVAL);
    memset(&sma, 0, sizeof sma);
    assert_int_equal(tc_ind_sma_push(&sma, x[0], NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "sma: NULL or released state"));
    assert_int_equal(tc_ind_cross_batch(NULL, NULL, 1, NULL, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "crossover: NULL"));
    tc_ind_sma_release(NULL);
    tc_ind_extreme_release(NULL);
}

/* The streaming SMA takes its mean by a multiply while the window's sum is
 * in [0, 2^52) and by a 128-bit division otherwise; both must give the
 * half-even mean of the definition (tc_ind_sma_last divides every time).
 * Windows straddle 2^52, hit exact ties (x.5 units), go negative, and use
 * periods from 2 to 65537. */
static void test_sma_mean_paths(void **state)
{
    static const size_t periods[] = {2, 3, 7, 10, 30, 641, 4097, 65537};
    static struct tc_dec x[70000];
    struct tc_error err = {0};
    struct tc_rng rng;
    (void)state;
    tc_rng_seed(&rng, 52);
    for (size_t p = 0; p < sizeof periods / sizeof periods[0]; p++) {
        size_t period = periods[p];
        size_t n = period + 300;
        int64_t edge = (INT64_C(1) << 52) / (int64_t)period; /* mean at the 2^52 sum */
        for (size_t i = 0; i < n; i++) {
            int64_t v;
            switch (tc_rng_below(&rng, 4)) {
            case 0: v = edge - 3 + (int64_t)tc_rng_below(&rng, 7); break;      /* around 2^52 */
            case 1: v = (int64_t)tc_rng_below(&rng, 1000) * 50; break;          /* ties */
            case 2: v = -(int64_t)tc_rng_below(&rng, INT64_C(1) << 40); break;  /* negative */
            default: v = (int64_t)tc_rng_below(&rng, INT64_C(1) << 45); break;
            }
            x[i] = tc_dec_from_raw(v);
        }
        struct tc_ind_sma s;
        tc_assert_ok(tc_ind_sma_init(&s, period, &err), &err);
        for (size_t i = 0; i < n; i++) {
            struct tc_ind_value got;
            struct tc_dec want;
            tc_assert_ok(tc_ind_sma_push(&s, x[i], &got, &err), &err);
            if (i + 1 < period) {
                assert_int_equal(got.has_value, 0);
                continue;
            }
            tc_assert_ok(tc_ind_sma_last((struct tc_dec_view){x, i + 1}, period, &want, &err),
                         &err);
            if (!got.has_value || got.value.raw != want.raw)
                fail_msg("sma(%zu) at %zu: streaming %lld, definition %lld", period, i,
                         (long long)got.value.raw, (long long)want.raw);
        }
        tc_ind_sma_release(&s);
    }
    /* every window exactly at the fast path's bound: sums 2^52 - 1 and 2^52 */
    for (int64_t k = 0; k < 2; k++) {
        struct tc_ind_sma s;
        struct tc_ind_value got;
        int64_t sum = (INT64_C(1) << 52) - 1 + k;
        struct tc_dec a = tc_dec_from_raw(sum / 3), b = tc_dec_from_raw(sum - 2 * (sum / 3));
        tc_assert_ok(tc_ind_sma_init(&s, 3, &err), &err);
        tc_assert_ok(tc_ind_sma_push(&s, a, NULL, &err), &err);
        tc_assert_ok(tc_ind_sma_push(&s, a, NULL, &err), &err);
        tc_assert_ok(tc_ind_sma_push(&s, b, &got, &err), &err);
        int64_t q = sum / 3, r = sum % 3;
        assert_int_equal(got.value.raw, q + (2 * r > 3 || (2 * r == 3 && (q & 1))));
        tc_ind_sma_release(&s);
    }
}

/* ---- column-wise SMA ---------------------------------------------------- */

/* Closes of a random walk with flat stretches; SCALE 0: cents around 50,
 * 1: around 2^52 units (both mean paths), 2: near the top of a decimal. */
static struct tc_dec *gen_closes(uint64_t seed, size_t n, int scale)
{
    struct tc_dec *c = malloc(n * sizeof(*c));
    uint64_t x = seed * 6364136223846793005u + 1442695040888963407u;
    int64_t base = scale == 0 ? 5000 * INT64_C(1000000)
                   : scale == 1 ? (INT64_C(1) << 52) / 40
                                : INT64_C(9000000000000000000) / 2;
    int64_t step = scale == 0 ? 1000000 : scale == 1 ? 977 : INT64_C(1000000000000000);
    int64_t v = base;
    assert_non_null(c);
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        if (!(i % 150 >= 100 && i % 150 < 140))
            v += ((int64_t)((x >> 33) % 41) - 20) * step;
        if (v < step)
            v = step;
        c[i] = tc_dec_from_raw(v);
    }
    return c;
}

static void load_closes(const char *name, struct tc_bar_set *set)
{
    char path[1024];
    struct tc_error err = {0};
    snprintf(path, sizeof(path), "%s/%s", tc_test_data(), name);
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, set, &err), &err);
    assert_int_equal(set->n, 1);
}

static void test_sma_cols_equals_streaming(void **state)
{
    enum { NS = 7 };
    struct tc_bar_set sets[3];
    static const char *const files[] = {"orcl-1995-2014.txt", "yhoo-1996-2014.txt",
                                        "nvda-1999-2014.txt"};
    const struct tc_dec *col[NS];
    size_t len[NS], maxlen = 0, start[NS] = {0, 0, 0, 0, 0, 0, 17};
    struct tc_dec *gen[4];
    static const size_t periods[] = {1, 2, 3, 10, 30, 200};
    struct tc_error err = {0};
    uint64_t crosses = 0, compared = 0;

    memset(sets, 0, sizeof(sets));
    for (size_t k = 0; k < 3; k++) {
        load_closes(files[k], &sets[k]);
        col[k] = sets[k].items[0].close;
        len[k] = sets[k].items[0].n;
    }
    gen[0] = gen_closes(1, 3000, 0);
    gen[1] = gen_closes(2, 2000, 0);
    gen[2] = gen_closes(3, 2500, 1);
    gen[3] = gen_closes(4, 1500, 2);
    for (size_t k = 0; k < 4; k++) {
        col[3 + k] = gen[k];
        len[3 + k] = k == 0 ? 3000 : k == 1 ? 2000 : k == 2 ? 2500 : 1500;
    }
    for (size_t k = 0; k < NS; k++)
        maxlen = len[k] > maxlen ? len[k] : maxlen;
    for (size_t p = 0; p + 1 < sizeof(periods) / sizeof(periods[0]); p++) {
        struct tc_ind_sma_cols fc, sc;
        struct tc_ind_sma fs[NS], ss[NS];
        struct tc_ind_cross xa[NS], xb[NS];
        size_t fast = periods[p], slow = periods[p + 1] + (p == 0);
        tc_assert_ok(tc_ind_sma_cols_init(&fc, NS, fast, &err), &err);
        tc_assert_ok(tc_ind_sma_cols_init(&sc, NS, slow, &err), &err);
        for (size_t k = 0; k < NS; k++) {
            tc_assert_ok(tc_ind_sma_init(&fs[k], fast, &err), &err);
            tc_assert_ok(tc_ind_sma_init(&ss[k], slow, &err), &err);
            tc_ind_cross_init(&xa[k]);
            tc_ind_cross_init(&xb[k]);
        }
        /* bar by bar, instruments interleaved (one starts late: warm-up) */
        for (size_t i = 0; i < maxlen; i++) {
            for (size_t k = 0; k < NS; k++) {
                struct tc_ind_value a, b, c, d;
                if (i < start[k] || i >= len[k])
                    continue;
                tc_assert_ok(tc_ind_sma_push(&fs[k], col[k][i], &a, &err), &err);
                tc_assert_ok(tc_ind_sma_push(&ss[k], col[k][i], &b, &err), &err);
                tc_assert_ok(tc_ind_sma_cols_push(&fc, k, col[k], i, &c, &err), &err);
                tc_assert_ok(tc_ind_sma_cols_push(&sc, k, col[k], i, &d, &err), &err);
                if (a.has_value != c.has_value || a.value.raw != c.value.raw ||
                    b.has_value != d.has_value || b.value.raw != d.value.raw)
                    fail_msg("series %zu bar %zu periods %zu/%zu: streaming %d %lld %d %lld, "
                             "columns %d %lld %d %lld", k, i, fast, slow, a.has_value,
                             (long long)a.value.raw, b.has_value, (long long)b.value.raw,
                             c.has_value, (long long)c.value.raw, d.has_value,
                             (long long)d.value.raw);
                int x1 = tc_ind_cross_push(&xa[k], a, b), x2 = tc_ind_cross_push(&xb[k], c, d);
                assert_int_equal(x1, x2);
                crosses += x1 != 0;
                compared++;
            }
        }
        for (size_t k = 0; k < NS; k++) {
            tc_ind_sma_release(&fs[k]);
            tc_ind_sma_release(&ss[k]);
        }
        tc_ind_sma_cols_release(&fc);
        tc_ind_sma_cols_release(&sc);
    }
    assert_true(compared > 100000);
    assert_true(crosses > 1000);
    for (size_t k = 0; k < 3; k++)
        tc_bar_set_release(&sets[k]);
    for (size_t k = 0; k < 4; k++)
        free(gen[k]);
}

static void test_sma_cols_bad_input(void **state)
{
    struct tc_ind_sma_cols s, before;
    struct tc_ind_value v;
    struct tc_error err = {0};
    const struct tc_dec x[] = {D("1"), D("2"), D("3"), D("4"), D("5")};

    assert_int_equal(tc_ind_sma_cols_init(NULL, 2, 2, &err), TC_EINVAL);
    assert_string_equal(err.msg, "sma columns: NULL state");
    assert_int_equal(tc_ind_sma_cols_init(&s, 2, 0, &err), TC_EINVAL);
    assert_string_equal(err.msg, "sma columns: period 0 (must be at least 1)");
    assert_int_equal(tc_ind_sma_cols_init(&s, 0, 3, &err), TC_EINVAL);
    assert_string_equal(err.msg, "sma columns: instruments 0 (must be at least 1)");
    tc_assert_ok(tc_ind_sma_cols_init(&s, 2, 2, &err), &err);
    /* first push of instrument 1 at bar 1: any bar may start */
    tc_assert_ok(tc_ind_sma_cols_push(&s, 1, x, 1, &v, &err), &err);
    assert_false(v.has_value);
    before = s;
    struct tc_ind_sum sums[2] = {s.sum[0], s.sum[1]};
    size_t firsts[2] = {s.first[0], s.first[1]}, nexts[2] = {s.next[0], s.next[1]};
    /* an unknown handle, a skipped bar, a repeated bar, NULL columns */
    assert_int_equal(tc_ind_sma_cols_push(&s, 2, x, 0, &v, &err), TC_EINVAL);
    assert_string_equal(err.msg, "sma columns: instrument handle 2 is unknown (2)");
    assert_int_equal(tc_ind_sma_cols_push(&s, 1, x, 3, &v, &err), TC_EINVAL);
    assert_string_equal(err.msg, "sma columns: instrument handle 1: bar 3 pushed, bar 2 expected");
    assert_int_equal(tc_ind_sma_cols_push(&s, 1, x, 1, &v, &err), TC_EINVAL);
    assert_string_equal(err.msg, "sma columns: instrument handle 1: bar 1 pushed, bar 2 expected");
    assert_int_equal(tc_ind_sma_cols_push(&s, 1, NULL, 2, &v, &err), TC_EINVAL);
    assert_string_equal(err.msg, "sma columns: NULL or released state or column");
    assert_int_equal(tc_ind_sma_cols_push(NULL, 1, x, 2, &v, &err), TC_EINVAL);
    /* nothing changed: the next bar gives the SMA of bars 1 and 2 */
    assert_memory_equal(&s, &before, sizeof(s));
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(s.sum[k].lo, sums[k].lo);
        assert_int_equal(s.sum[k].hi, sums[k].hi);
        assert_int_equal(s.first[k], firsts[k]);
        assert_int_equal(s.next[k], nexts[k]);
    }
    tc_assert_ok(tc_ind_sma_cols_push(&s, 1, x, 2, &v, &err), &err);
    assert_true(v.has_value);
    assert_int_equal(v.value.raw, D("2.5").raw);
    tc_ind_sma_cols_push(&s, 1, x, 3, &v, NULL); /* no error struct: fine */
    assert_int_equal(v.value.raw, D("3.5").raw);
    tc_ind_sma_cols_release(&s);
    assert_int_equal(tc_ind_sma_cols_push(&s, 0, x, 0, &v, &err), TC_EINVAL);
    tc_ind_sma_cols_release(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sma_table),
        cmocka_unit_test(test_ema_table),
        cmocka_unit_test(test_atr_table),
        cmocka_unit_test(test_atr_bad_bars),
        cmocka_unit_test(test_extreme_table),
        cmocka_unit_test(test_crossover),
        cmocka_unit_test(test_stream_equals_batch),
        cmocka_unit_test(test_sma_mean_paths),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_sma_cols_equals_streaming),
        cmocka_unit_test(test_sma_cols_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
