/* Retry: backoff ceilings, full jitter, and tc_retry_run on a manual clock. */
#include <string.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/retry.h"

static void test_delay_bounds(void **state)
{
    /* base 10 ms, cap 1 s: ceilings 10, 20, 40, … 640 ms, then 1 s */
    static const int64_t ceiling[] = {10000, 20000, 40000, 80000, 160000, 320000,
                                      640000, 1000000, 1000000, 1000000};
    const struct tc_retry_policy p = {10, 10000, 1000000};
    struct tc_rng rng;
    int attempt, i;
    tc_rng_seed(&rng, 1);
    for (attempt = 1; attempt <= 10; attempt++) {
        int64_t lo = INT64_MAX, hi = -1;
        for (i = 0; i < 20000; i++) {
            int64_t d = tc_retry_delay_us(&p, attempt, &rng);
            if (d < lo)
                lo = d;
            if (d > hi)
                hi = d;
        }
        assert_true(lo >= 0);
        if (hi > ceiling[attempt - 1])
            fail_msg("attempt %d: delay %lld above ceiling %lld", attempt, (long long)hi,
                     (long long)ceiling[attempt - 1]);
        /* full jitter: the draws spread over the whole range */
        assert_true(lo < ceiling[attempt - 1] / 20);
        assert_true(hi > ceiling[attempt - 1] - ceiling[attempt - 1] / 20);
    }
}

static void test_delay_cap_and_edges(void **state)
{
    struct tc_rng rng;
    int i;
    tc_rng_seed(&rng, 2);
    {
        /* huge attempt numbers neither overflow nor pass the cap */
        const struct tc_retry_policy p = {1000, 3, 5000};
        for (i = 0; i < 1000; i++) {
            int64_t d = tc_retry_delay_us(&p, 1000 + i, &rng);
            assert_in_range(d, 0, 5000);
        }
    }
    {
        /* a cap below base limits even the first attempt */
        const struct tc_retry_policy p = {3, 100000, 50};
        for (i = 0; i < 1000; i++)
            assert_in_range(tc_retry_delay_us(&p, 1, &rng), 0, 50);
    }
    {
        /* a base near INT64_MAX does not overflow */
        const struct tc_retry_policy p = {3, INT64_MAX / 2 + 1, INT64_MAX};
        for (i = 0; i < 100; i++)
            assert_true(tc_retry_delay_us(&p, 60, &rng) >= 0);
    }
    {
        /* zero or negative numbers mean no delay; attempt < 1 counts as 1 */
        const struct tc_retry_policy zero = {3, 0, 1000};
        const struct tc_retry_policy neg = {3, -5, -5};
        const struct tc_retry_policy one = {3, 1, 1000};
        assert_int_equal(tc_retry_delay_us(&zero, 4, &rng), 0);
        assert_int_equal(tc_retry_delay_us(&neg, 4, &rng), 0);
        for (i = 0; i < 100; i++)
            assert_in_range(tc_retry_delay_us(&one, 0, &rng), 0, 1);
        assert_int_equal(tc_retry_delay_us(NULL, 1, &rng), 0);
    }
    {
        /* the process-wide generator (rng NULL) stays in bounds */
        const struct tc_retry_policy p = TC_RETRY_DEFAULT;
        for (i = 0; i < 1000; i++)
            assert_in_range(tc_retry_delay_us(&p, 3, NULL), 0, 40000);
    }
}

static void test_delay_deterministic(void **state)
{
    const struct tc_retry_policy p = TC_RETRY_DEFAULT;
    struct tc_rng a, b, c;
    int i, same = 1;
    tc_rng_seed(&a, 99);
    tc_rng_seed(&b, 99);
    tc_rng_seed(&c, 100);
    for (i = 0; i < 100; i++) {
        int64_t x = tc_retry_delay_us(&p, 1 + i % 5, &a);
        assert_int_equal(x, tc_retry_delay_us(&p, 1 + i % 5, &b));
        if (x != tc_retry_delay_us(&p, 1 + i % 5, &c))
            same = 0;
    }
    assert_false(same);
}

static void test_transient(void **state)
{
    assert_true(tc_retry_is_transient(TC_EBUSY));
    assert_true(tc_retry_is_transient(TC_ESERIAL));
    assert_true(tc_retry_is_transient(TC_EUNAVAIL));
    assert_false(tc_retry_is_transient(0));
    assert_false(tc_retry_is_transient(TC_EINVAL));
    assert_false(tc_retry_is_transient(TC_ECONFLICT));
    assert_false(tc_retry_is_transient(TC_ETIMEOUT));
}

/* A function that fails with CODES[i] on call i, then succeeds. */
struct script {
    const int *codes;
    int n, calls;
    struct tc_manual_clock *mc;
    int64_t seen_mono[16];
};

static int scripted(void *ud, struct tc_error *err)
{
    struct script *s = ud;
    int i = s->calls++;
    if (i < 16)
        s->seen_mono[i] = s->mc ? s->mc->mono_us : 0;
    if (i < s->n && s->codes[i] != 0)
        return tc_error_set(err, s->codes[i], "database \"x\" is locked (call %d)", i + 1);
    return 0;
}

static void test_run_succeeds_third(void **state)
{
    static const int codes[] = {TC_EBUSY, TC_ESERIAL};
    const struct tc_retry_policy p = {5, 10000, 1000000};
    struct tc_manual_clock mc;
    struct tc_rng rng, replay;
    struct script s = {codes, 2, 0, &mc, {0}};
    struct tc_error err = {0};
    int attempts = -1;
    int64_t d1, d2;

    tc_manual_clock_init(&mc, 1000);
    tc_rng_seed(&rng, 5);
    replay = rng;
    assert_int_equal(tc_retry_run(&p, &mc.clock, &rng, NULL, scripted, &s, &attempts, &err), 0);
    assert_int_equal(attempts, 3);
    assert_int_equal(s.calls, 3);
    assert_int_equal(err.code, 0);
    /* it slept twice, by exactly the delays the same rng draws */
    d1 = tc_retry_delay_us(&p, 1, &replay);
    d2 = tc_retry_delay_us(&p, 2, &replay);
    assert_int_equal(mc.sleeps, 2);
    assert_int_equal(mc.slept_us, d1 + d2);
    assert_int_equal(s.seen_mono[0], 0);
    assert_int_equal(s.seen_mono[1], d1);
    assert_int_equal(s.seen_mono[2], d1 + d2);
    assert_int_equal(tc_clock_now(&mc.clock), 1000 + d1 + d2);
}

static void test_run_gives_up(void **state)
{
    static const int codes[] = {TC_EBUSY, TC_EBUSY, TC_EBUSY, TC_EBUSY, TC_EBUSY};
    const struct tc_retry_policy p = {4, 1000, 3000};
    struct tc_manual_clock mc;
    struct tc_rng rng;
    struct script s = {codes, 5, 0, &mc, {0}};
    struct tc_error err = {0};
    int attempts = -1;

    tc_manual_clock_init(&mc, 0);
    tc_rng_seed(&rng, 6);
    assert_int_equal(tc_retry_run(&p, &mc.clock, &rng, NULL, scripted, &s, &attempts, &err),
                     TC_EBUSY);
    assert_int_equal(attempts, 4);
    assert_int_equal(s.calls, 4);
    assert_int_equal(mc.sleeps, 3); /* none after the last attempt */
    assert_true(mc.slept_us <= 1000 + 2000 + 3000);
    assert_int_equal(err.code, TC_EBUSY);
    assert_string_equal(err.msg, "after 4 attempts: database \"x\" is locked (call 4)");
}

static void test_run_non_transient(void **state)
{
    static const int codes[] = {TC_EBUSY, TC_ECONFLICT, TC_EBUSY};
    const struct tc_retry_policy p = {5, 1000, 3000};
    struct tc_manual_clock mc;
    struct tc_rng rng;
    struct script s = {codes, 3, 0, &mc, {0}};
    struct tc_error err = {0};
    int attempts = -1;

    tc_manual_clock_init(&mc, 0);
    tc_rng_seed(&rng, 7);
    assert_int_equal(tc_retry_run(&p, &mc.clock, &rng, NULL, scripted, &s, &attempts, &err),
                     TC_ECONFLICT);
    assert_int_equal(attempts, 2);
    assert_int_equal(mc.sleeps, 1);
    assert_int_equal(err.code, TC_ECONFLICT);
    assert_string_equal(err.msg, "database \"x\" is locked (call 2)");
}

static int only_timeouts(int code) { return code == TC_ETIMEOUT; }

static void test_run_custom_retryable(void **state)
{
    static const int codes[] = {TC_ETIMEOUT, TC_EBUSY};
    const struct tc_retry_policy p = {5, 1000, 3000};
    struct tc_manual_clock mc;
    struct tc_rng rng;
    struct script s = {codes, 2, 0, &mc, {0}};
    struct tc_error err = {0};
    int attempts = -1;

    tc_manual_clock_init(&mc, 0);
    tc_rng_seed(&rng, 8);
    /* TC_ETIMEOUT is retried, TC_EBUSY is final under this predicate */
    assert_int_equal(
        tc_retry_run(&p, &mc.clock, &rng, only_timeouts, scripted, &s, &attempts, &err),
        TC_EBUSY);
    assert_int_equal(attempts, 2);
    assert_int_equal(mc.sleeps, 1);
}

static int silent_busy(void *ud, struct tc_error *err)
{
    (*(int *)ud)++;
    return TC_EBUSY; /* no detail */
}

static void test_run_edges(void **state)
{
    struct tc_manual_clock mc;
    struct tc_error err = {0};
    int attempts = -1, calls = 0;
    const struct tc_retry_policy one = {1, 1000, 1000};
    const struct tc_retry_policy zero = {0, 1000, 1000};

    tc_manual_clock_init(&mc, 0);
    /* a single attempt never sleeps; a failure without detail still says why */
    assert_int_equal(tc_retry_run(&one, &mc.clock, NULL, NULL, silent_busy, &calls, &attempts,
                                  &err),
                     TC_EBUSY);
    assert_int_equal(calls, 1);
    assert_int_equal(attempts, 1);
    assert_int_equal(mc.sleeps, 0);
    assert_int_equal(err.code, TC_EBUSY);
    assert_string_equal(err.msg, "after 1 attempt: resource busy");

    /* bad policies and missing functions are refused before any call */
    calls = 0;
    assert_int_equal(tc_retry_run(&zero, &mc.clock, NULL, NULL, silent_busy, &calls, &attempts,
                                  &err),
                     TC_EINVAL);
    assert_int_equal(calls, 0);
    assert_int_equal(attempts, 0);
    assert_non_null(strstr(err.msg, "max_attempts 0 is below 1"));
    assert_int_equal(tc_retry_run(NULL, &mc.clock, NULL, NULL, silent_busy, &calls, NULL, &err),
                     TC_EINVAL);
    assert_non_null(strstr(err.msg, "no policy"));
    assert_int_equal(tc_retry_run(&one, &mc.clock, NULL, NULL, NULL, NULL, NULL, &err),
                     TC_EINVAL);
    assert_non_null(strstr(err.msg, "no function"));
    assert_int_equal(calls, 0);

    /* NULL error and attempts pointers are allowed; the process rng is used */
    {
        const struct tc_retry_policy three = {3, 10, 10};
        calls = 0;
        assert_int_equal(tc_retry_run(&three, &mc.clock, NULL, NULL, silent_busy, &calls, NULL,
                                      NULL),
                         TC_EBUSY);
        assert_int_equal(calls, 3);
        assert_int_equal(mc.sleeps, 2);
        assert_true(mc.slept_us <= 20);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_bounds),
        cmocka_unit_test(test_delay_cap_and_edges),
        cmocka_unit_test(test_delay_deterministic),
        cmocka_unit_test(test_transient),
        cmocka_unit_test(test_run_succeeds_third),
        cmocka_unit_test(test_run_gives_up),
        cmocka_unit_test(test_run_non_transient),
        cmocka_unit_test(test_run_custom_retryable),
        cmocka_unit_test(test_run_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
