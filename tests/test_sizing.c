/* Sizing and decisions: strategy params from JSON, base-entry sizes computed by
 * hand (cap, lot rounding, multiplier, SHORT, zero distance, overflow, sub-lot
 * budget), pyramid and explicit sizes, and the pyramid and stop-update
 * decisions for LONG and SHORT with their boundaries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/dec.h"
#include "tradecore/signal.h"

#define SENTINEL INT64_C(777)

#define D(text) tc_test_dec(text)

static const char *S(struct tc_dec d, char *buf)
{
    tc_dec_format(d, buf, TC_DEC_STRLEN);
    return buf;
}

static void assert_msg_has(const struct tc_error *err, const char *part)
{
    if (!strstr(err->msg, part))
        fail_msg("message \"%s\" does not contain \"%s\"", err->msg, part);
}

static struct tc_sizing_params params(const char *risk, const char *cap)
{
    struct tc_sizing_params p;
    tc_sizing_params_default(&p);
    p.risk_fraction = D(risk);
    p.max_position_value = D(cap);
    return p;
}

/* ---- params -------------------------------------------------------------- */

static void test_params_defaults_and_json(void **state)
{
    (void)state;
    struct tc_sizing_params p, d;
    struct tc_error err = {0};
    char b[TC_DEC_STRLEN];

    tc_sizing_params_default(&d);
    assert_string_equal(S(d.risk_fraction, b), "0.01");
    assert_string_equal(S(d.max_position_value, b), "0");
    assert_int_equal(d.max_pyramids, 0);
    assert_string_equal(S(d.pyramid_distance, b), "0");
    assert_string_equal(S(d.pyramid_distance_pct, b), "0");
    assert_string_equal(S(d.pyramid_size_fraction, b), "1");
    assert_int_equal(d.allow_stop_loosen, 0);
    tc_assert_ok(tc_sizing_params_check(&d, &err), &err);

    tc_assert_ok(tc_sizing_params_from_json(NULL, &p, &err), &err);
    assert_memory_equal(&p, &d, sizeof(p));
    tc_assert_ok(tc_sizing_params_from_json("{}", &p, &err), &err);
    assert_memory_equal(&p, &d, sizeof(p));

    /* strings and numbers; the strategy's own keys are ignored */
    tc_assert_ok(tc_sizing_params_from_json(
                     "{\"fast\": 10, \"slow\": \"30\", \"risk_fraction\": \"0.02\",\n"
                     " \"max_position_value\": 250000, \"max_pyramids\": 3,\n"
                     " \"pyramid_distance\": 1.5, \"pyramid_size_fraction\": 0.5,\n"
                     " \"allow_stop_loosen\": true, \"nested\": {\"risk_fraction\": 9}}",
                     &p, &err),
                 &err);
    assert_string_equal(S(p.risk_fraction, b), "0.02");
    assert_string_equal(S(p.max_position_value, b), "250000");
    assert_int_equal(p.max_pyramids, 3);
    assert_string_equal(S(p.pyramid_distance, b), "1.5");
    assert_string_equal(S(p.pyramid_distance_pct, b), "0");
    assert_string_equal(S(p.pyramid_size_fraction, b), "0.5");
    assert_int_equal(p.allow_stop_loosen, 1);

    tc_assert_ok(tc_sizing_params_from_json("{\"pyramid_distance_pct\": 0.02, "
                                            "\"allow_stop_loosen\": false, \"risk_fraction\": 1}",
                                            &p, &err),
                 &err);
    assert_string_equal(S(p.pyramid_distance_pct, b), "0.02");
    assert_string_equal(S(p.risk_fraction, b), "1");
    assert_int_equal(p.allow_stop_loosen, 0);
}

static void test_params_bad(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int code;
        const char *msg;
    } cases[] = {
        {"{", TC_EPARSE, "strategy params: malformed JSON at line 1, column 1 (byte 1)"},
        {"", TC_EPARSE, "strategy params: malformed JSON at line 1"},
        {"{\"risk_fraction\": 0.01,\n \"max_pyramids\": }", TC_EPARSE,
         "strategy params: malformed JSON at line 2"},
        {"[]", TC_EINVAL, "strategy params must be a JSON object, not an array"},
        {"{\"risk_fraction\": 1.5}", TC_EINVAL, "strategy params: risk_fraction 1.5 is above 1"},
        {"{\"risk_fraction\": 0}", TC_EINVAL, "strategy params: risk_fraction 0 must be above 0"},
        {"{\"risk_fraction\": \"-0.1\"}", TC_EINVAL,
         "strategy params: risk_fraction -0.1 must be above 0"},
        {"{\"risk_fraction\": \"abc\"}", TC_EPARSE, "strategy params: risk_fraction: decimal \"abc\""},
        {"{\"risk_fraction\": \"NaN\"}", TC_EPARSE, "strategy params: risk_fraction: decimal \"NaN\""},
        {"{\"risk_fraction\": true}", TC_EINVAL,
         "strategy params: risk_fraction must be a number or a decimal string, not true"},
        {"{\"risk_fraction\": null}", TC_EINVAL,
         "strategy params: risk_fraction must be a number or a decimal string, not null"},
        {"{\"risk_fraction\": 0.3333333333333333}", TC_EINVAL,
         "strategy params: risk_fraction: the JSON number 0.3333333333333333 has more than 15 "
         "significant digits and cannot be read exactly; send it as a string"},
        {"{\"risk_fraction\": 0.0100000000000001}", TC_ERANGE,
         "strategy params: risk_fraction: the JSON number 0.0100000000000001: more than 8 "
         "fractional digits"},
        {"{\"max_position_value\": 1e20}", TC_ERANGE,
         "strategy params: max_position_value: the JSON number 1e+20: out of range"},
        {"{\"risk_fraction\": 0.01, \"risk_fraction\": 0.02}", TC_EPARSE, "duplicate object key"},
        {"{\"max_position_value\": -1}", TC_EINVAL,
         "strategy params: max_position_value -1 is negative (0 means no cap)"},
        {"{\"max_position_value\": \"1e400\"}", TC_ERANGE,
         "strategy params: max_position_value: decimal \"1e400\": out of range"},
        {"{\"max_pyramids\": 1.5}", TC_EINVAL,
         "strategy params: max_pyramids must be an integer, not a number"},
        {"{\"max_pyramids\": \"3\"}", TC_EINVAL,
         "strategy params: max_pyramids must be an integer, not a string"},
        {"{\"max_pyramids\": -1}", TC_EINVAL, "strategy params: max_pyramids -1 is outside 0..1000"},
        {"{\"max_pyramids\": 1001}", TC_EINVAL,
         "strategy params: max_pyramids 1001 is outside 0..1000"},
        {"{\"max_pyramids\": 9223372036854775807}", TC_EINVAL,
         "max_pyramids 9223372036854775807 is outside 0..1000"},
        {"{\"pyramid_distance\": -1}", TC_EINVAL, "strategy params: pyramid_distance -1 is negative"},
        {"{\"pyramid_distance_pct\": 1}", TC_EINVAL,
         "strategy params: pyramid_distance_pct 1 is outside [0, 1)"},
        {"{\"pyramid_distance_pct\": -0.01}", TC_EINVAL,
         "strategy params: pyramid_distance_pct -0.01 is outside [0, 1)"},
        {"{\"pyramid_distance\": 1, \"pyramid_distance_pct\": 0.01}", TC_EINVAL,
         "strategy params: pyramid_distance and pyramid_distance_pct are both set; set one"},
        {"{\"pyramid_size_fraction\": 0}", TC_EINVAL,
         "strategy params: pyramid_size_fraction 0 is outside (0, 1]"},
        {"{\"pyramid_size_fraction\": 2}", TC_EINVAL,
         "strategy params: pyramid_size_fraction 2 is outside (0, 1]"},
        {"{\"allow_stop_loosen\": \"yes\"}", TC_EINVAL,
         "strategy params: allow_stop_loosen must be true or false, not a string"},
        {"{\"allow_stop_loosen\": 1}", TC_EINVAL,
         "strategy params: allow_stop_loosen must be true or false, not a number"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_sizing_params p, before;
        struct tc_error err = {0};
        int rc;

        memset(&p, 0x5a, sizeof(p));
        before = p;
        rc = tc_sizing_params_from_json(cases[i].json, &p, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu %s: got %s (%s)", i, cases[i].json, tc_strerror_name(rc), err.msg);
        assert_msg_has(&err, cases[i].msg);
        assert_memory_equal(&p, &before, sizeof(p));
    }
}

static void test_params_check(void **state)
{
    (void)state;
    struct tc_sizing_params p;
    struct tc_error err = {0};

    tc_sizing_params_default(&p);
    p.allow_stop_loosen = 2;
    assert_int_equal(tc_sizing_params_check(&p, &err), TC_EINVAL);
    assert_string_equal(err.msg, "allow_stop_loosen 2 is not 0 or 1");
    tc_sizing_params_default(&p);
    p.max_pyramids = -3;
    assert_int_equal(tc_sizing_params_check(&p, &err), TC_EINVAL);
    assert_string_equal(err.msg, "max_pyramids -3 is outside 0..1000");
    assert_int_equal(tc_sizing_params_check(NULL, &err), TC_EINVAL);
    assert_int_equal(tc_sizing_params_from_json("{}", NULL, &err), TC_EINVAL);
}

/* ---- base entry ---------------------------------------------------------- */

static void test_base_entry(void **state)
{
    (void)state;
    static const struct {
        const char *equity, *risk, *cap, *price, *stop, *mult, *lot;
        int code;
        const char *want; /* the quantity, or a part of the message */
    } cases[] = {
        /* 100000 × 0.01 = 1000 at risk; 2 per share → 500 */
        {"100000", "0.01", "0", "50", "48", "1", "1", 0, "500"},
        /* 1000 / 3 = 333.33 → floor */
        {"100000", "0.01", "0", "50", "47", "1", "1", 0, "333"},
        /* ... to lots of 100 → 300 */
        {"100000", "0.01", "0", "50", "47", "1", "100", 0, "300"},
        /* SHORT: the stop above the price, the same distance */
        {"100000", "0.01", "0", "48", "50", "1", "1", 0, "500"},
        {"100000", "0.01", "0", "47", "50", "1", "100", 0, "300"},
        /* futures: 2000 at risk, 20 points × 50 = 1000 per contract → 2 */
        {"100000", "0.02", "0", "4500", "4480", "50", "1", 0, "2"},
        /* 30 points × 50 = 1500 per contract → 1.33 → 1 */
        {"100000", "0.02", "0", "4500", "4470", "50", "1", 0, "1"},
        /* fractional lots: 100 / 700 = 0.142857… → 0.142 */
        {"10000", "0.01", "0", "30000", "29300", "1", "0.001", 0, "0.142"},
        /* a risk per unit finer than 8 places (0.00000001 × 0.5): exact, 1 / 5e-9 */
        {"10", "0.1", "0", "1.00000001", "1", "0.5", "1", 0, "200000000"},
        /* the whole equity */
        {"1000", "1", "0", "10", "9", "1", "1", 0, "1000"},
        /* cap: 2000 by risk, 25000 / 50 = 500 by value (exactly at the cap) */
        {"100000", "0.01", "25000", "50", "49.5", "1", "1", 0, "500"},
        /* cap floored to lots: 500 → 1 lot of 300 */
        {"100000", "0.01", "25000", "50", "49.5", "1", "300", 0, "300"},
        /* cap not binding */
        {"100000", "0.01", "1000000", "50", "48", "1", "1", 0, "500"},
        /* cap with a multiplier: 300000 / (4500 × 50) = 1.33 → 1 (risk allows 4) */
        {"100000", "0.02", "300000", "4500", "4490", "50", "1", 0, "1"},
        /* errors */
        {"100000", "0.01", "0", "100", "100", "1", "1", TC_EINVAL,
         "sizing: price 100 equals the stop: the risk distance is zero"},
        {"1000", "0.01", "0", "100", "95", "1", "100", TC_EREJECTED,
         "sizing: the risk budget 10 (equity 1000 × risk_fraction 0.01) buys less than one lot "
         "of 100 at a risk of 5 per unit (|price 100 − stop 95| × multiplier 1)"},
        {"100000", "0.01", "1000", "50", "48", "1", "100", TC_EREJECTED,
         "sizing: max_position_value 1000 buys less than one lot of 100 at price 50 × "
         "multiplier 1"},
        {"90000000000", "1", "0", "1", "0.5", "0.00000001", "0.00000001", TC_ERANGE,
         "is out of range"},
        /* the extremes of the range: no intermediate overflow, just too little */
        {"92233720368.54775807", "1", "0", "92233720368.54775807", "0.00000001",
         "92233720368.54775807", "92233720368.54775807", TC_EREJECTED, "buys less than one lot"},
        {"0", "0.01", "0", "50", "48", "1", "1", TC_EREJECTED,
         "sizing: equity 0 leaves no risk budget"},
        {"-5", "0.01", "0", "50", "48", "1", "1", TC_EREJECTED,
         "sizing: equity -5 leaves no risk budget"},
        {"100000", "0.01", "0", "0", "48", "1", "1", TC_EINVAL, "sizing: price 0 must be positive"},
        {"100000", "0.01", "0", "50", "-1", "1", "1", TC_EINVAL, "sizing: stop -1 must be positive"},
        {"100000", "0.01", "0", "50", "48", "0", "1", TC_EINVAL,
         "sizing: multiplier 0 must be positive"},
        {"100000", "0.01", "0", "50", "48", "1", "0", TC_EINVAL,
         "sizing: lot size 0 must be positive"},
        {"100000", "0", "0", "50", "48", "1", "1", TC_EINVAL,
         "sizing: risk_fraction 0 must be above 0"},
        {"100000", "0.01", "-1", "50", "48", "1", "1", TC_EINVAL,
         "sizing: max_position_value -1 is negative"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_sizing_params p = params(cases[i].risk, cases[i].cap);
        struct tc_dec q = tc_dec_from_raw(SENTINEL);
        struct tc_error err = {0};
        char b[TC_DEC_STRLEN];
        int rc = tc_size_base_entry(&p, D(cases[i].equity), D(cases[i].price), D(cases[i].stop),
                                    D(cases[i].mult), D(cases[i].lot), &q, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu: got %s (%s)", i, tc_strerror_name(rc), err.msg);
        if (rc == 0) {
            assert_string_equal(S(q, b), cases[i].want);
        } else {
            assert_msg_has(&err, cases[i].want);
            assert_int_equal(q.raw, SENTINEL);
        }
    }
}

/* ---- pyramid and explicit sizes ------------------------------------------ */

static void test_size_pyramid(void **state)
{
    (void)state;
    static const struct {
        const char *frac, *cap, *base, *open, *price, *lot;
        int code;
        const char *want;
    } cases[] = {
        /* half of 500 = 250 → lots of 100 → 200 */
        {"0.5", "0", "500", "500", "50", "100", 0, "200"},
        {"1", "0", "500", "500", "50", "1", 0, "500"},
        /* cap 30000 / 50 = 600 units, 500 open: room for 100 */
        {"1", "30000", "500", "500", "50", "1", 0, "100"},
        /* 450 open, lots of 100: room 150 → 1 lot */
        {"1", "30000", "500", "450", "50", "100", 0, "100"},
        /* exactly full */
        {"1", "30000", "500", "600", "50", "1", TC_EREJECTED,
         "sizing: the open quantity 600 at price 50 × multiplier 1 leaves no room for one more "
         "lot of 1 within max_position_value 30000"},
        {"0.1", "0", "500", "500", "50", "100", TC_EREJECTED,
         "sizing: pyramid_size_fraction 0.1 of the base quantity 500 is less than one lot of 100"},
        {"1", "0", "0", "0", "50", "1", TC_EINVAL, "sizing: base quantity 0 must be positive"},
        {"1", "0", "500", "-1", "50", "1", TC_EINVAL, "sizing: open quantity -1 is negative"},
        {"1", "0", "500", "0", "0", "1", TC_EINVAL, "sizing: price 0 must be positive"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_sizing_params p = params("0.01", cases[i].cap);
        struct tc_dec q = tc_dec_from_raw(SENTINEL);
        struct tc_error err = {0};
        char b[TC_DEC_STRLEN];
        int rc;

        p.pyramid_size_fraction = D(cases[i].frac);
        rc = tc_size_pyramid(&p, D(cases[i].base), D(cases[i].open), D(cases[i].price), D("1"),
                             D(cases[i].lot), &q, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu: got %s (%s)", i, tc_strerror_name(rc), err.msg);
        if (rc == 0) {
            assert_string_equal(S(q, b), cases[i].want);
        } else {
            assert_msg_has(&err, cases[i].want);
            assert_int_equal(q.raw, SENTINEL);
        }
    }
}

static void test_size_explicit(void **state)
{
    (void)state;
    static const struct {
        const char *qty, *lots; /* NULL = absent */
        const char *cap, *open, *lot;
        int code, has;
        const char *want;
    } cases[] = {
        {"300", NULL, "0", "0", "100", 0, 1, "300"},
        {NULL, "3", "0", "0", "100", 0, 1, "300"},
        {"300", "3", "0", "0", "100", 0, 1, "300"},
        {"0.5", NULL, "0", "0", "0.1", 0, 1, "0.5"},
        {NULL, NULL, "0", "0", "100", 0, 0, NULL},
        /* exactly at the cap (25000 / 50 = 500), with and without an open quantity */
        {"500", NULL, "25000", "0", "1", 0, 1, "500"},
        {"400", NULL, "25000", "100", "1", 0, 1, "400"},
        {"501", NULL, "25000", "0", "1", TC_EREJECTED, 0,
         "sizing: quantity 501 (with 0 open) at price 50 × multiplier 1 is worth more than "
         "max_position_value 25000"},
        {"401", NULL, "25000", "100", "1", TC_EREJECTED, 0, "(with 100 open)"},
        {"300", "2", "0", "0", "100", TC_EINVAL, 0,
         "sizing: quantity 300 disagrees with lots 2 × lot size 100 = 200"},
        {"250", NULL, "0", "0", "100", TC_EINVAL, 0,
         "sizing: quantity 250 is not a multiple of the lot size 100"},
        {NULL, "1.5", "0", "0", "100", TC_EINVAL, 0, "sizing: lots 1.5 is not a positive whole number"},
        {NULL, "92233720368", "0", "0", "100", TC_ERANGE, 0,
         "sizing: lots 92233720368 × lot size 100 is out of range"},
        {"-100", NULL, "0", "0", "100", TC_EINVAL, 0, "sizing: quantity -100 must be positive"},
        {"100", NULL, "0", "-1", "100", TC_EINVAL, 0, "sizing: open quantity -1 is negative"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_sizing_params p = params("0.01", cases[i].cap);
        struct tc_signal s;
        struct tc_dec q = tc_dec_from_raw(SENTINEL);
        struct tc_error err = {0};
        char b[TC_DEC_STRLEN];
        int has = -1, rc;

        memset(&s, 0, sizeof(s));
        if (cases[i].qty) {
            s.has_quantity = 1;
            s.quantity = D(cases[i].qty);
        }
        if (cases[i].lots) {
            s.has_lots = 1;
            s.lots = D(cases[i].lots);
        }
        rc = tc_size_explicit(&p, &s, D(cases[i].open), D("50"), D("1"), D(cases[i].lot), &has,
                              &q, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu: got %s (%s)", i, tc_strerror_name(rc), err.msg);
        assert_int_equal(has, cases[i].has);
        if (rc == 0 && has) {
            assert_string_equal(S(q, b), cases[i].want);
        } else {
            if (rc != 0)
                assert_msg_has(&err, cases[i].want);
            assert_int_equal(q.raw, SENTINEL);
        }
    }
}

/* ---- decisions ----------------------------------------------------------- */

static void test_pyramid_check(void **state)
{
    (void)state;
    static const struct {
        const char *dist, *pct;
        int max;
        enum tc_side side;
        int base_open, count;
        const char *last, *price;
        int code;
        const char *msg;
    } cases[] = {
        /* LONG, absolute distance 2 */
        {"2", "0", 3, TC_SIDE_LONG, 1, 0, "100", "102", 0, NULL}, /* exactly the distance */
        {"2", "0", 3, TC_SIDE_LONG, 1, 0, "100", "150", 0, NULL},
        {"2", "0", 3, TC_SIDE_LONG, 1, 0, "100", "101.5", TC_EREJECTED,
         "pyramid: price 101.5 has moved 1.5 in favour since the last layer at 100, less than "
         "the required 2"},
        {"2", "0", 3, TC_SIDE_LONG, 1, 0, "100", "101.99999999", TC_EREJECTED,
         "has moved 1.99999999 in favour"},
        {"2", "0", 3, TC_SIDE_LONG, 1, 0, "100", "99", TC_EREJECTED,
         "pyramid: price 99 has moved 1 against the LONG position since the last layer at 100; "
         "2 in favour is required"},
        {"2", "0", 3, TC_SIDE_LONG, 1, 2, "100", "102", 0, NULL},
        {"2", "0", 3, TC_SIDE_LONG, 1, 3, "100", "150", TC_EREJECTED,
         "pyramid: 3 layers already added, the maximum is 3"},
        {"2", "0", 3, TC_SIDE_LONG, 0, 0, "100", "150", TC_EREJECTED,
         "pyramid: no open LONG base position to add to"},
        {"2", "0", 0, TC_SIDE_LONG, 1, 0, "100", "150", TC_EREJECTED,
         "pyramid: the strategy allows no pyramids (max_pyramids 0)"},
        /* SHORT: favour is down */
        {"2", "0", 3, TC_SIDE_SHORT, 1, 0, "100", "98", 0, NULL},
        {"2", "0", 3, TC_SIDE_SHORT, 1, 0, "100", "98.5", TC_EREJECTED,
         "pyramid: price 98.5 has moved 1.5 in favour since the last layer at 100, less than "
         "the required 2"},
        {"2", "0", 3, TC_SIDE_SHORT, 1, 0, "100", "101", TC_EREJECTED,
         "pyramid: price 101 has moved 1 against the SHORT position since the last layer at "
         "100; 2 in favour is required"},
        {"2", "0", 3, TC_SIDE_SHORT, 0, 0, "100", "90", TC_EREJECTED,
         "pyramid: no open SHORT base position to add to"},
        /* a fraction of the last layer's price: 2% of 100 = 2, of 50 = 1 */
        {"0", "0.02", 3, TC_SIDE_LONG, 1, 1, "100", "102", 0, NULL},
        {"0", "0.02", 3, TC_SIDE_LONG, 1, 1, "100", "101.99999999", TC_EREJECTED,
         "less than the required 2"},
        {"0", "0.02", 3, TC_SIDE_SHORT, 1, 1, "50", "49", 0, NULL},
        {"0", "0.02", 3, TC_SIDE_SHORT, 1, 1, "50", "49.5", TC_EREJECTED,
         "pyramid: price 49.5 has moved 0.5 in favour since the last layer at 50, less than the "
         "required 1"},
        /* 3% of 33.33333333 = 0.9999999999, rounded up to 1 */
        {"0", "0.03", 3, TC_SIDE_LONG, 1, 0, "33.33333333", "34.33333333", 0, NULL},
        {"0", "0.03", 3, TC_SIDE_LONG, 1, 0, "33.33333333", "34.33333332", TC_EREJECTED,
         "has moved 0.99999999 in favour since the last layer at 33.33333333, less than the "
         "required 1"},
        /* no distance: any move that is not against the position */
        {"0", "0", 3, TC_SIDE_LONG, 1, 0, "100", "100", 0, NULL},
        {"0", "0", 3, TC_SIDE_LONG, 1, 0, "100", "99.5", TC_EREJECTED,
         "has moved 0.5 against the LONG position since the last layer at 100; 0 in favour is "
         "required"},
        /* bad arguments */
        {"2", "0", 3, (enum tc_side)0, 1, 0, "100", "102", TC_EINVAL,
         "pyramid: side 0 is not LONG or SHORT"},
        {"2", "0", 3, TC_SIDE_LONG, 1, 0, "100", "0", TC_EINVAL,
         "pyramid: price 0 and last layer price 100 must be positive"},
        {"2", "0", 3, TC_SIDE_LONG, 1, 0, "-1", "100", TC_EINVAL,
         "price 100 and last layer price -1 must be positive"},
        {"2", "0", 3, TC_SIDE_LONG, 1, -1, "100", "102", TC_EINVAL,
         "pyramid: pyramid count -1 is negative"},
        {"-2", "0", 3, TC_SIDE_LONG, 1, 0, "100", "102", TC_EINVAL,
         "pyramid: pyramid_distance -2 is negative"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_sizing_params p;
        struct tc_error err = {0};
        int rc;

        tc_sizing_params_default(&p);
        p.pyramid_distance = D(cases[i].dist);
        p.pyramid_distance_pct = D(cases[i].pct);
        p.max_pyramids = cases[i].max;
        rc = tc_pyramid_check(&p, cases[i].side, cases[i].base_open, cases[i].count,
                              D(cases[i].last), D(cases[i].price), &err);
        if (rc != cases[i].code)
            fail_msg("case %zu: got %s (%s)", i, tc_strerror_name(rc), err.msg);
        if (rc != 0)
            assert_msg_has(&err, cases[i].msg);
    }
}

static void test_stop_update_check(void **state)
{
    (void)state;
    static const struct {
        enum tc_side side;
        int loosen;
        const char *cur, *stop, *price; /* NULL = none / unknown */
        int code;
        const char *msg;
    } cases[] = {
        /* LONG: stops move up */
        {TC_SIDE_LONG, 0, "95", "97", "100", 0, NULL},
        {TC_SIDE_LONG, 0, "95", "95", "100", 0, NULL}, /* unchanged */
        {TC_SIDE_LONG, 0, "95", "99.99999999", "100", 0, NULL},
        {TC_SIDE_LONG, 0, "95", "97", NULL, 0, NULL},
        {TC_SIDE_LONG, 0, NULL, "90", "100", 0, NULL},
        {TC_SIDE_LONG, 0, "95", "94.99999999", "100", TC_EREJECTED,
         "stop_update: stop 94.99999999 would loosen the LONG stop from 95 (allow_stop_loosen is "
         "false)"},
        {TC_SIDE_LONG, 0, "95", "93", NULL, TC_EREJECTED, "would loosen the LONG stop from 95"},
        {TC_SIDE_LONG, 1, "95", "93", "100", 0, NULL},
        {TC_SIDE_LONG, 0, "95", "100", "100", TC_EREJECTED,
         "stop_update: stop 100 is not below the price 100 for a LONG position"},
        {TC_SIDE_LONG, 1, "95", "101", "100", TC_EREJECTED,
         "stop_update: stop 101 is not below the price 100 for a LONG position"},
        /* SHORT: stops move down */
        {TC_SIDE_SHORT, 0, "105", "103", "100", 0, NULL},
        {TC_SIDE_SHORT, 0, "105", "105", "100", 0, NULL},
        {TC_SIDE_SHORT, 0, NULL, "110", "100", 0, NULL},
        {TC_SIDE_SHORT, 0, "105", "105.00000001", "100", TC_EREJECTED,
         "stop_update: stop 105.00000001 would loosen the SHORT stop from 105 (allow_stop_loosen "
         "is false)"},
        {TC_SIDE_SHORT, 1, "105", "107", "100", 0, NULL},
        {TC_SIDE_SHORT, 0, "105", "99", "100", TC_EREJECTED,
         "stop_update: stop 99 is not above the price 100 for a SHORT position"},
        {TC_SIDE_SHORT, 0, "105", "100", "100", TC_EREJECTED, "is not above the price 100"},
        /* bad arguments */
        {TC_SIDE_LONG, 0, "95", "0", "100", TC_EINVAL, "stop_update: stop 0 must be positive"},
        {TC_SIDE_LONG, 0, "-1", "97", "100", TC_EINVAL,
         "stop_update: current stop -1 must be positive"},
        {TC_SIDE_LONG, 0, "95", "97", "0", TC_EINVAL, "stop_update: price 0 must be positive"},
        {(enum tc_side)5, 0, "95", "97", "100", TC_EINVAL, "stop_update: side 5 is not LONG or SHORT"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_sizing_params p;
        struct tc_error err = {0};
        struct tc_dec cur, price;
        int rc;

        tc_sizing_params_default(&p);
        p.allow_stop_loosen = cases[i].loosen;
        if (cases[i].cur)
            cur = D(cases[i].cur);
        if (cases[i].price)
            price = D(cases[i].price);
        rc = tc_stop_update_check(&p, cases[i].side, cases[i].cur ? &cur : NULL,
                                  D(cases[i].stop), cases[i].price ? &price : NULL, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu: got %s (%s)", i, tc_strerror_name(rc), err.msg);
        if (rc != 0)
            assert_msg_has(&err, cases[i].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_defaults_and_json),
        cmocka_unit_test(test_params_bad),
        cmocka_unit_test(test_params_check),
        cmocka_unit_test(test_base_entry),
        cmocka_unit_test(test_size_pyramid),
        cmocka_unit_test(test_size_explicit),
        cmocka_unit_test(test_pyramid_check),
        cmocka_unit_test(test_stop_update_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
