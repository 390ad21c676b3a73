/* Strategies: the registry, checked parameters (unknown keys, malformed,
 * out-of-range values, cross-checks, nothing changed on error), the context
 * (signal ids, fields, stats, unknown handles), sma_cross's signals on a
 * constructed series through a recording host, and the ledger accepting a
 * BASE_ENTRY with an explicit quantity and no stop; bars fed as views
 * (on_bars, or on_bar per bar of the view) and a class with neither refused;
 * sessions fed at once (on_session) give the very signals of the per-bar
 * path for both built-in strategies on real and generated data (and for
 * sma_cross on closes whose SMAs nearly tie), the
 * adaptation for classes without on_session, and bad session input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "tc_test.h"
#include "tc_test_walk.h"
#include "tradecore/accounts.h"
#include "tradecore/indicators.h"
#include "tradecore/ingest.h"
#include "tradecore/ledger.h"
#include "tradecore/migrate.h"
#include "tradecore/refdata.h"
#include "tradecore/strategy.h"

#define D(text) tc_test_dec(text)

static void assert_dec(struct tc_dec d, const char *want)
{
    char buf[TC_DEC_STRLEN];
    tc_dec_format(d, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_registry(void **state)
{
    const struct tc_strategy_class *c = NULL;
    struct tc_error err = {0};

    assert_int_equal(tc_strategy_count(), 2);
    assert_string_equal(tc_strategy_at(0)->name, "sma_cross");
    assert_string_equal(tc_strategy_at(1)->name, "donchian");
    assert_null(tc_strategy_at(2));
    tc_assert_ok(tc_strategy_lookup("donchian", &c, &err), &err);
    assert_ptr_equal(c, tc_strategy_at(1));
    assert_int_equal(tc_strategy_lookup("SMA_CROSS", &c, &err), TC_ENOTFOUND);
    assert_string_equal(err.msg, "unknown strategy \"SMA_CROSS\" (strategies: sma_cross, donchian)");
    assert_int_equal(tc_strategy_lookup("", &c, &err), TC_ENOTFOUND);
    assert_int_equal(tc_strategy_lookup(NULL, &c, &err), TC_EINVAL);
}

static void test_params(void **state)
{
    const struct tc_strategy_class *c = NULL;
    struct tc_strategy_params p, before;
    struct tc_error err = {0};
    char js[TC_STRATEGY_JSON_MAX];
    static const struct {
        const char *kv;
        const char *msg;
    } bad[] = {
        {"fats=3", "strategy sma_cross: unknown parameter \"fats\" (parameters: fast, slow, stake)"},
        {"fast=ten", "strategy sma_cross: parameter fast: \"ten\" is not a whole number"},
        {"fast=10.5", "strategy sma_cross: parameter fast: \"10.5\" is not a whole number"},
        {"fast=", "strategy sma_cross: parameter fast: \"\" is not a whole number (the value is "
                  "empty)"},
        {"fast=NaN", "strategy sma_cross: parameter fast: \"NaN\" is not a whole number"},
        {"fast=1e400",
         "strategy sma_cross: parameter fast: \"1e400\" is too large (at most 100000)"},
        {"fast=0", "strategy sma_cross: parameter fast 0 is below the minimum 1"},
        {"fast=-5", "strategy sma_cross: parameter fast -5 is below the minimum 1"},
        {"slow=1000000", "strategy sma_cross: parameter slow 1000000 is above the maximum 100000"},
        {"stake=abc", "strategy sma_cross: parameter stake: \"abc\" is not a decimal number"},
        {"stake=0", "strategy sma_cross: parameter stake 0 is below the minimum 0.00000001"},
        {"fast", "strategy sma_cross: parameter \"fast\" is not key=value"},
        {"=3", "strategy sma_cross: parameter \"=3\" is not key=value"},
    };

    tc_assert_ok(tc_strategy_lookup("sma_cross", &c, &err), &err);
    tc_strategy_params_init(&p, c);
    assert_int_equal(tc_strategy_param_int(&p, "fast"), 10);
    assert_int_equal(tc_strategy_param_int(&p, "slow"), 30);
    assert_dec(tc_strategy_param_dec(&p, "stake"), "100");
    assert_int_equal(tc_strategy_param_int(&p, "nope"), 0);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "fast=5", &err), &err);
    tc_assert_ok(tc_strategy_params_set(&p, "stake", "2.5", &err), &err);
    assert_int_equal(tc_strategy_param_int(&p, "fast"), 5);
    assert_int_equal(tc_strategy_params_json(&p, js, sizeof(js)), 34);
    assert_string_equal(js, "{\"fast\":5,\"slow\":30,\"stake\":\"2.5\"}");
    assert_int_equal(tc_strategy_params_json(&p, js, 10), TC_ENOSPC);
    assert_string_equal(js, "");
    before = p;
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        tc_error_clear(&err);
        assert_int_equal(tc_strategy_params_set_kv(&p, bad[k].kv, &err), TC_EINVAL);
        assert_string_equal(err.msg, bad[k].msg);
        assert_memory_equal(&p, &before, sizeof(p));
    }
    /* cross-check: fast must be below slow */
    tc_assert_ok(tc_strategy_params_set(&p, "fast", "30", &err), &err);
    assert_int_equal(tc_strategy_params_check(&p, &err), TC_EINVAL);
    assert_string_equal(err.msg, "strategy sma_cross: parameter fast 30 must be below slow 30");
    /* donchian: decimals and booleans of its own */
    tc_assert_ok(tc_strategy_lookup("donchian", &c, &err), &err);
    tc_strategy_params_init(&p, c);
    tc_assert_ok(tc_strategy_params_check(&p, &err), &err);
    assert_dec(tc_strategy_param_dec(&p, "stop_atr"), "2");
    assert_dec(tc_strategy_param_dec(&p, "risk"), "0.01");
    assert_int_equal(tc_strategy_params_set(&p, "risk", "1.5", &err), TC_EINVAL);
    assert_string_equal(err.msg, "strategy donchian: parameter risk 1.5 is above the maximum 1");
    assert_int_equal(tc_strategy_params_json(&p, js, sizeof(js)) > 0, 1);
    assert_string_equal(js, "{\"entry\":20,\"exit\":10,\"atr\":20,\"stop_atr\":\"2\","
                            "\"pyramid_atr\":\"0.5\",\"max_pyramids\":3,\"risk\":\"0.01\"}");
    {
        char buf[256];
        tc_assert_ok(c->ledger_params(&p, buf, sizeof(buf), &err), &err);
        assert_string_equal(buf, "{\"risk_fraction\":\"0.01\",\"max_pyramids\":3,"
                                 "\"pyramid_size_fraction\":\"1\"}");
    }
}

/* ---- a recording host ------------------------------------------------------ */

struct host {
    struct tc_signal sig[16];
    int n;
    struct tc_strategy_position pos;
    int reject;
};

static int h_submit(void *ud, const struct tc_signal *sig, struct tc_signal_outcome *out,
                    struct tc_error *err)
{
    struct host *h = ud;
    if (h->n < 16)
        h->sig[h->n++] = *sig;
    memset(out, 0, sizeof(*out));
    out->status = h->reject ? TC_SIGNAL_REJECTED : TC_SIGNAL_ACCEPTED;
    return 0;
}

static int h_position(void *ud, size_t ix, struct tc_strategy_position *out, struct tc_error *err)
{
    *out = ((struct host *)ud)->pos;
    return 0;
}

static void add_series(struct tc_tm *tm, struct tc_bar_series *s, const char *id,
                       const char *const *closes, size_t n)
{
    struct tc_error err = {0};
    tc_bar_series_init(s, id);
    for (size_t k = 0; k < n; k++) {
        struct tc_bar b;
        memset(&b, 0, sizeof(b));
        b.day = 19000 + (int64_t)k;
        b.open = b.high = b.low = b.close = b.adj_close = D(closes[k]);
        b.volume = 1000;
        tc_assert_ok(tc_bar_series_append(s, &b, &err), &err);
    }
    tc_assert_ok(tc_tm_add_series(tm, s, NULL, &err), &err);
}

/* sma_cross fast 2, slow 3 on closes 10 9 8 9 10 11 10 9 8:
 *   bar  close  SMA2   SMA3     sign
 *   2    8      8.5    9        -
 *   3    9      8.5    8.667    -
 *   4    10     9.5    9        +   cross up: BASE_ENTRY 7 units at 10, no stop
 *   5    11     10.5   10       +
 *   6    10     10.5   10.333   +
 *   7    9      9.5    10       -   cross down: EXIT at 9 (the host says held)
 *   8    8      8.5    9        -                                              */
/* A class with every kind of parameter, with and without bounds. */
static const struct tc_param_spec kinds_params[] = {
    {"n", TC_PARAM_INT, "1", NULL, NULL, "an integer, no bounds"},
    {"d", TC_PARAM_DEC, "1", NULL, NULL, "a decimal, no bounds"},
    {"k", TC_PARAM_INT, "0", "0", "1000", "an integer, 0..1000"},
    {"x", TC_PARAM_DEC, "1", "0", "5", "a decimal, 0..5"},
    {"b", TC_PARAM_BOOL, "false", NULL, NULL, "a flag"},
};
static const struct tc_strategy_class kinds = {
    .name = "kinds", .params = kinds_params, .n_params = 5};

/* Every bad value of every kind of parameter is refused naming the
 * parameter, the value and the problem, and changes nothing: a too large
 * whole number was "not a whole number" and a too large or too precise
 * decimal "not a decimal number". */
static void test_params_bad_values(void **state)
{
    const struct tc_strategy_class *c = NULL;
    struct tc_strategy_params p, before;
    struct tc_error err = {0};
    static const struct {
        const char *cls, *kv, *msg;
    } bad[] = {
        /* too large: the largest accepted is named */
        {"sma_cross", "fast=1180591620717411303424",
         "strategy sma_cross: parameter fast: \"1180591620717411303424\" is too large (at most "
         "100000)"},
        {"sma_cross", "stake=1e30",
         "strategy sma_cross: parameter stake: \"1e30\" is too large (at most "
         "92233720368.54775807)"},
        {"sma_cross", "stake=92233720368.54775808",
         "strategy sma_cross: parameter stake: \"92233720368.54775808\" is too large (at most "
         "92233720368.54775807)"},
        {"sma_cross", "stake=123456789012345678901234567890123456789012345678901234567890",
         "strategy sma_cross: parameter stake: \"1234567890123456789012345678901234567890...\" is "
         "too large (at most 92233720368.54775807)"},
        {"sma_cross", "slow=100001", "strategy sma_cross: parameter slow 100001 is above the "
                                     "maximum 100000"},
        {"donchian", "risk=1.00000001",
         "strategy donchian: parameter risk 1.00000001 is above the maximum 1"},
        {"donchian", "max_pyramids=99999999999999999999",
         "strategy donchian: parameter max_pyramids: \"99999999999999999999\" is too large (at most "
         "1000)"},
        {"kinds", "n=92233720369", "strategy kinds: parameter n: \"92233720369\" is too large (at most "
                                   "92233720368)"},
        {"kinds", "n=-92233720369", "strategy kinds: parameter n: \"-92233720369\" is too large a "
                                    "negative number (at least -92233720368)"},
        {"kinds", "d=-1e11", "strategy kinds: parameter d: \"-1e11\" is too large a negative number "
                             "(at least -92233720368.54775807)"},
        /* too precise */
        {"sma_cross", "stake=0.000000001",
         "strategy sma_cross: parameter stake: \"0.000000001\" has more than 8 decimal places"},
        {"donchian", "stop_atr=2.123456789",
         "strategy donchian: parameter stop_atr: \"2.123456789\" has more than 8 decimal places"},
        {"sma_cross", "fast=2.000000001",
         "strategy sma_cross: parameter fast: \"2.000000001\" is not a whole number"},
        /* negative where not allowed */
        {"sma_cross", "fast=-3", "strategy sma_cross: parameter fast -3 is below the minimum 1"},
        {"sma_cross", "fast=-1e30", "strategy sma_cross: parameter fast: \"-1e30\" is below the "
                                    "minimum 1"},
        {"sma_cross", "stake=-1", "strategy sma_cross: parameter stake -1 is below the minimum "
                                  "0.00000001"},
        {"donchian", "max_pyramids=-1", "strategy donchian: parameter max_pyramids -1 is below "
                                        "the minimum 0"},
        {"donchian", "max_pyramids=-0", "strategy donchian: parameter max_pyramids -0 is "
                                        "negative (the minimum is 0)"},
        {"kinds", "x=-0.0", "strategy kinds: parameter x -0.0 is negative (the minimum is 0)"},
        /* NaN, inf */
        {"sma_cross", "slow=nan", "strategy sma_cross: parameter slow: \"nan\" is not a whole "
                                  "number"},
        {"sma_cross", "stake=inf", "strategy sma_cross: parameter stake: \"inf\" is not a "
                                   "decimal number"},
        {"donchian", "risk=-Infinity", "strategy donchian: parameter risk: \"-Infinity\" is not a "
                                       "decimal number"},
        {"kinds", "b=nan", "strategy kinds: parameter b: \"nan\" is not true or false"},
        /* empty */
        {"sma_cross", "stake=", "strategy sma_cross: parameter stake: \"\" is not a decimal "
                                "number (the value is empty)"},
        {"donchian", "entry=", "strategy donchian: parameter entry: \"\" is not a whole "
                               "number (the value is empty)"},
        {"kinds", "b=", "strategy kinds: parameter b: \"\" is not true or false"},
        /* a sign or a space */
        {"sma_cross", "fast=+5", "strategy sma_cross: parameter fast: \"+5\" has a '+' sign "
                                 "(write 5)"},
        {"sma_cross", "stake=+2.50", "strategy sma_cross: parameter stake: \"+2.50\" has a '+' "
                                     "sign (write 2.5)"},
        {"sma_cross", "fast= 5", "strategy sma_cross: parameter fast: \" 5\" has a space (write "
                                 "the number alone)"},
        {"sma_cross", "stake=100 ", "strategy sma_cross: parameter stake: \"100 \" has a space "
                                    "(write the number alone)"},
        {"kinds", "b= true", "strategy kinds: parameter b: \" true\" is not true or false"},
        /* exponent notation, in range */
        {"sma_cross", "fast=1e1", "strategy sma_cross: parameter fast: \"1e1\" is in exponent "
                                  "notation (write 10)"},
        {"donchian", "risk=5E-3", "strategy donchian: parameter risk: \"5E-3\" is in exponent "
                                  "notation (write 0.005)"},
        /* other malformed values; a control byte is quoted as \xNN */
        {"sma_cross", "stake=0x10", "strategy sma_cross: parameter stake: \"0x10\" is not a "
                                    "decimal number"},
        {"sma_cross", "stake=1\x1b[2J", "strategy sma_cross: parameter stake: \"1\\x1b[2J\" is "
                                        "not a decimal number"},
        {"kinds", "b=TRUE", "strategy kinds: parameter b: \"TRUE\" is not true or false"},
    };

    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        if (strcmp(bad[k].cls, "kinds") == 0)
            c = &kinds;
        else
            tc_assert_ok(tc_strategy_lookup(bad[k].cls, &c, &err), &err);
        tc_strategy_params_init(&p, c);
        before = p;
        tc_error_clear(&err);
        assert_int_equal(tc_strategy_params_set_kv(&p, bad[k].kv, &err), TC_EINVAL);
        if (strcmp(err.msg, bad[k].msg) != 0)
            fail_msg("%s: \"%s\", expected \"%s\"", bad[k].kv, err.msg, bad[k].msg);
        assert_memory_equal(&p, &before, sizeof(p));
    }

    /* the good values next to them are taken */
    c = &kinds;
    tc_strategy_params_init(&p, c);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "n=92233720368", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "d=-92233720368.54775807", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "k=1000", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "x=0.00000001", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "b=yes", &err), &err);
    assert_int_equal(tc_strategy_param_int(&p, "n"), INT64_C(92233720368));
    assert_dec(tc_strategy_param_dec(&p, "d"), "-92233720368.54775807");
    assert_int_equal(tc_strategy_param_int(&p, "k"), 1000);
    assert_dec(tc_strategy_param_dec(&p, "x"), "0.00000001");
    assert_dec(tc_strategy_param_dec(&p, "b"), "1");
    tc_assert_ok(tc_strategy_params_set_kv(&p, "x=0", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "n=-7", &err), &err);
    assert_int_equal(tc_strategy_param_int(&p, "n"), -7);
    assert_dec(tc_strategy_param_dec(&p, "x"), "0");
    tc_assert_ok(tc_strategy_lookup("sma_cross", &c, &err), &err);
    tc_strategy_params_init(&p, c);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "stake=92233720368.54775807", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "fast=007", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "slow=100000", &err), &err);
    assert_int_equal(tc_strategy_param_int(&p, "fast"), 7);
    assert_dec(tc_strategy_param_dec(&p, "stake"), "92233720368.54775807");
    (void)state;
}

static void test_sma_cross_signals(void **state)
{
    static const char *const closes[] = {"10", "9", "8", "9", "10", "11", "10", "9", "8"};
    const struct tc_strategy_class *c = NULL;
    struct tc_strategy_params p;
    struct tc_strategy_host hs;
    struct tc_strategy_ctx *ctx = NULL;
    struct tc_bar_series s;
    struct tc_tm *tm = NULL;
    struct host h;
    struct tc_error err = {0};
    uint64_t sent, acc, rej;

    memset(&h, 0, sizeof(h));
    hs = (struct tc_strategy_host){h_submit, h_position, &h};
    tc_assert_ok(tc_tm_new(NULL, &tm, &err), &err);
    add_series(tm, &s, "XYZ", closes, 9);
    tc_assert_ok(tc_strategy_lookup("sma_cross", &c, &err), &err);
    tc_strategy_params_init(&p, c);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "fast=2", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "slow=3", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "stake=7", &err), &err);
    assert_int_equal(tc_strategy_ctx_new(&p, tm, "pf", "bad id", "run.0", &hs, &ctx, &err),
                     TC_EINVAL);
    assert_non_null(strstr(err.msg, "strategy id \"bad id\""));
    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "run.sma", "run.0", &hs, &ctx, &err), &err);
    assert_string_equal(tc_strategy_ctx_id(ctx), "run.sma");
    tc_assert_ok(tc_strategy_start(ctx, &err), &err);
    assert_int_equal(tc_strategy_start(ctx, &err), TC_ESTATE);
    for (size_t k = 0; k < 9; k++) {
        struct tc_bar b;
        int64_t t = (19000 + (int64_t)k + 1) * INT64_C(86400000000);
        tc_assert_ok(tc_tm_set_time(tm, t, &err), &err);
        tc_bar_series_get(&s, k, &b);
        tc_strategy_ctx_set_time(ctx, b.day, t);
        if (k == 5) { /* the entry filled */
            h.pos.layers = 1;
            h.pos.quantity = D("7");
            h.pos.side = TC_SIDE_LONG;
        }
        tc_assert_ok(tc_strategy_bar(ctx, 0, &b, &err), &err);
        assert_int_equal(tc_strategy_day(ctx), b.day);
        if (k == 4) {
            assert_int_equal(h.n, 1);
            assert_int_equal(h.sig[0].type, TC_SIGNAL_BASE_ENTRY);
            assert_int_equal(h.sig[0].side, TC_SIDE_LONG);
            assert_string_equal(h.sig[0].portfolio, "pf");
            assert_string_equal(h.sig[0].strategy, "run.sma");
            assert_string_equal(h.sig[0].instrument, "XYZ");
            assert_string_equal(h.sig[0].signal_id, "run.0.1");
            assert_true(h.sig[0].has_signal_id);
            assert_dec(h.sig[0].price, "10");
            assert_dec(h.sig[0].quantity, "7");
            assert_true(h.sig[0].has_quantity);
            assert_false(h.sig[0].has_stop);
            assert_int_equal(h.sig[0].timestamp_us, t);
            tc_assert_ok(tc_signal_check(&h.sig[0], &err), &err);
            /* the id buffers hold nothing but zeros past their NUL */
            for (size_t j = strlen("pf"); j < TC_ID_BUFSZ; j++)
                assert_int_equal(h.sig[0].portfolio[j], 0);
            for (size_t j = strlen("run.sma"); j < TC_ID_BUFSZ; j++)
                assert_int_equal(h.sig[0].strategy[j], 0);
            for (size_t j = strlen("run.0.1"); j < TC_ID_BUFSZ; j++)
                assert_int_equal(h.sig[0].signal_id[j], 0);
        } else if (k < 4 || k == 5 || k == 6) {
            assert_int_equal(h.n, k < 4 ? 0 : 1);
        }
        if (k == 7) {
            assert_int_equal(h.n, 2);
            assert_int_equal(h.sig[1].type, TC_SIGNAL_EXIT);
            assert_string_equal(h.sig[1].signal_id, "run.0.2");
            assert_dec(h.sig[1].price, "9");
        }
    }
    assert_int_equal(h.n, 2);
    tc_strategy_ctx_stats(ctx, &sent, &acc, &rej);
    assert_int_equal(sent, 2);
    assert_int_equal(acc, 2);
    assert_int_equal(rej, 0);
    /* unknown handles */
    {
        struct tc_signal sig;
        struct tc_strategy_position pos;
        unsigned char was[sizeof(sig)];
        /* over a signal full of junk: every field written, nothing else */
        memset(&sig, 0xA5, sizeof(sig));
        tc_strategy_ctx_set_time(ctx, 19100, INT64_C(1650240000000000));
        tc_assert_ok(tc_strategy_signal_init(ctx, &sig, TC_SIGNAL_PYRAMID, 0, TC_SIDE_SHORT, &err),
                     &err);
        assert_int_equal(sig.type, TC_SIGNAL_PYRAMID);
        assert_int_equal(sig.side, TC_SIDE_SHORT);
        assert_string_equal(sig.portfolio, "pf");
        assert_string_equal(sig.strategy, "run.sma");
        assert_string_equal(sig.instrument, tc_tm_instrument_id(tm, 0));
        for (size_t j = strlen("pf"); j < TC_ID_BUFSZ; j++)
            assert_int_equal(sig.portfolio[j], 0);
        for (size_t j = strlen("run.sma"); j < TC_ID_BUFSZ; j++)
            assert_int_equal(sig.strategy[j], 0);
        for (size_t j = strlen(sig.instrument); j < TC_ID_BUFSZ; j++)
            assert_int_equal(sig.instrument[j], 0);
        for (size_t j = 0; j < TC_ID_BUFSZ; j++)
            assert_int_equal(sig.signal_id[j], 0);
        assert_int_equal(sig.has_signal_id, 0);
        assert_int_equal(sig.price.raw, 0);
        assert_int_equal(sig.stop.raw, 0);
        assert_int_equal(sig.quantity.raw, 0);
        assert_int_equal(sig.lots.raw, 0);
        assert_int_equal(sig.has_price | sig.has_stop | sig.has_quantity | sig.has_lots, 0);
        assert_int_equal(sig.timestamp_us, INT64_C(1650240000000000));
        assert_string_equal(sig.reason, "");
        /* the reason's last byte: the ledger checks the text's NUL by it first */
        assert_int_equal(sig.reason[TC_SIGNAL_REASON_MAX - 1], 0);
        assert_string_equal(sig.passphrase, "");
        assert_int_equal(sig.has_passphrase, 0);
        /* a field added to struct tc_signal and not written by the init
         * shows here: over zeros and over junk, the init gives the same
         * bytes everywhere but the texts' unwritten middles and the
         * padding after the last field */
        {
            struct tc_signal z;
            const size_t r0 = offsetof(struct tc_signal, reason),
                         p0 = offsetof(struct tc_signal, passphrase),
                         end = offsetof(struct tc_signal, has_passphrase) + sizeof(int);
            memset(&z, 0, sizeof(z));
            tc_assert_ok(tc_strategy_signal_init(ctx, &z, TC_SIGNAL_PYRAMID, 0, TC_SIDE_SHORT, &err),
                         &err);
            assert_true(sizeof(z) - end < 8);
            assert_memory_equal(&z, &sig, r0 + 1);
            assert_memory_equal((char *)&z + r0 + TC_SIGNAL_REASON_MAX - 1,
                                (char *)&sig + r0 + TC_SIGNAL_REASON_MAX - 1,
                                p0 + 1 - (r0 + TC_SIGNAL_REASON_MAX - 1));
            assert_memory_equal((char *)&z + p0 + TC_SIGNAL_PASSPHRASE_MAX,
                                (char *)&sig + p0 + TC_SIGNAL_PASSPHRASE_MAX,
                                end - (p0 + TC_SIGNAL_PASSPHRASE_MAX));
        }
        /* an unknown handle: named, the signal untouched */
        memcpy(was, &sig, sizeof(sig));
        assert_int_equal(tc_strategy_signal_init(ctx, &sig, TC_SIGNAL_EXIT, 3, TC_SIDE_LONG, &err),
                         TC_ENOTFOUND);
        assert_string_equal(err.msg, "instrument handle 3 is unknown");
        assert_memory_equal(was, &sig, sizeof(sig));
        assert_int_equal(tc_strategy_position(ctx, 3, &pos, &err), TC_ENOTFOUND);
        assert_string_equal(err.msg, "instrument handle 3 is unknown");
        assert_int_equal(tc_strategy_position(ctx, 1, &pos, &err), TC_ENOTFOUND);
        assert_string_equal(err.msg, "instrument handle 1 is unknown");
        assert_int_equal(tc_strategy_position(ctx, SIZE_MAX, &pos, &err), TC_ENOTFOUND);
        {
            char want[80];
            snprintf(want, sizeof(want), "instrument handle %zu is unknown", (size_t)SIZE_MAX);
            assert_string_equal(err.msg, want);
        }
        assert_int_equal(tc_strategy_instruments(ctx), 1);
        assert_ptr_equal(tc_strategy_tm(ctx), tm);
    }
    tc_strategy_ctx_free(ctx);
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

/* ---- bars as views ---------------------------------------------------------- */

/* A view of bars FIRST..FIRST+N-1 of S. */
static struct tc_bar_view view_of(const struct tc_bar_series *s, size_t first, size_t n)
{
    return (struct tc_bar_view){n,
                                s->day + first,
                                s->open + first,
                                s->high + first,
                                s->low + first,
                                s->close + first,
                                s->adj_close + first,
                                s->volume + first,
                                s->open_interest + first};
}

/* sma_cross fed through tc_strategy_bars (its on_bars: closes only, no copy)
 * in views of 5 and 4 bars gives the signals of the per-bar run above:
 * the entry at bar 4's close, the exit at bar 7's. */
static void test_sma_cross_views(void **state)
{
    static const char *const closes[] = {"10", "9", "8", "9", "10", "11", "10", "9", "8"};
    const struct tc_strategy_class *c = NULL;
    struct tc_strategy_params p;
    struct tc_strategy_ctx *ctx = NULL;
    struct tc_bar_series s;
    struct tc_tm *tm = NULL;
    struct host h;
    struct tc_error err = {0};

    memset(&h, 0, sizeof(h));
    struct tc_strategy_host hs = {h_submit, h_position, &h};
    tc_assert_ok(tc_tm_new(NULL, &tm, &err), &err);
    add_series(tm, &s, "XYZ", closes, 9);
    tc_assert_ok(tc_strategy_lookup("sma_cross", &c, &err), &err);
    assert_non_null(c->on_bars);
    tc_strategy_params_init(&p, c);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "fast=2", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "slow=3", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "stake=7", &err), &err);
    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "run.sma", "run.0", &hs, &ctx, &err), &err);
    tc_assert_ok(tc_strategy_start(ctx, &err), &err);
    tc_assert_ok(tc_tm_set_time(tm, (19000 + 5) * INT64_C(86400000000), &err), &err);
    struct tc_bar_view v = view_of(&s, 0, 0);
    tc_assert_ok(tc_strategy_bars(ctx, 0, &v, &err), &err); /* nothing */
    assert_int_equal(h.n, 0);
    v = view_of(&s, 0, 5);
    tc_assert_ok(tc_strategy_bars(ctx, 0, &v, &err), &err);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.sig[0].type, TC_SIGNAL_BASE_ENTRY);
    assert_dec(h.sig[0].price, "10");
    assert_dec(h.sig[0].quantity, "7");
    h.pos.layers = 1;
    h.pos.quantity = D("7");
    h.pos.side = TC_SIDE_LONG;
    tc_assert_ok(tc_tm_set_time(tm, (19000 + 9) * INT64_C(86400000000), &err), &err);
    v = view_of(&s, 5, 4);
    tc_assert_ok(tc_strategy_bars(ctx, 0, &v, &err), &err);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.sig[1].type, TC_SIGNAL_EXIT);
    assert_dec(h.sig[1].price, "9");
    /* an unknown handle names it, prefixed with the strategy */
    assert_int_equal(tc_strategy_bars(ctx, 4, &v, &err), TC_ENOTFOUND);
    assert_string_equal(err.msg, "strategy run.sma: instrument handle 4 is unknown");
    assert_int_equal(h.n, 2);
    tc_strategy_ctx_free(ctx);
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

/* Classes with only on_bar, only on_bars, or neither. */
struct rec {
    int64_t day[8];
    int64_t close[8];
    size_t n, calls, fail_at;
};

static int rec_start(struct tc_strategy_ctx *ctx, void *st, struct tc_error *err)
{
    (void)ctx;
    (void)err;
    memset(st, 0, sizeof(struct rec));
    return 0;
}

static struct rec *g_rec; /* the state of the last started recorder, for the test */

static int rec_bar(struct tc_strategy_ctx *ctx, void *st, size_t ix, const struct tc_bar *b,
                   struct tc_error *err)
{
    struct rec *r = st;
    (void)ctx;
    (void)ix;
    g_rec = r;
    r->calls++;
    if (r->fail_at && r->calls == r->fail_at)
        return tc_error_set(err, TC_ERANGE, "bar of day %lld refused", (long long)b->day);
    r->day[r->n] = b->day;
    r->close[r->n++] = b->close.raw;
    return 0;
}

static int rec_bars(struct tc_strategy_ctx *ctx, void *st, size_t ix, const struct tc_bar_view *v,
                    struct tc_error *err)
{
    struct rec *r = st;
    (void)ctx;
    (void)ix;
    (void)err;
    g_rec = r;
    r->calls++;
    for (size_t i = 0; i < v->n && r->n < 8; i++) {
        r->day[r->n] = v->day[i];
        r->close[r->n++] = v->close[i].raw + v->open[i].raw + v->volume[i];
    }
    return 0;
}

static const struct tc_strategy_class rec_row = {
    .name = "rec_row", .state_size = sizeof(struct rec), .on_start = rec_start, .on_bar = rec_bar};
static const struct tc_strategy_class rec_view = {
    .name = "rec_view", .state_size = sizeof(struct rec), .on_start = rec_start,
    .on_bars = rec_bars};
static const struct tc_strategy_class rec_none = {.name = "rec_none"};

static void test_bars_dispatch(void **state)
{
    static const char *const closes[] = {"1", "2", "3", "4"};
    struct tc_strategy_params p;
    struct tc_strategy_ctx *ctx = NULL;
    struct tc_bar_series s;
    struct tc_tm *tm = NULL;
    struct host h;
    struct tc_error err = {0};

    memset(&h, 0, sizeof(h));
    struct tc_strategy_host hs = {h_submit, h_position, &h};
    tc_assert_ok(tc_tm_new(NULL, &tm, &err), &err);
    add_series(tm, &s, "XYZ", closes, 4);
    tc_assert_ok(tc_tm_set_time(tm, (19000 + 4) * INT64_C(86400000000), &err), &err);

    /* on_bar only: one call per bar of the view, in order */
    tc_strategy_params_init(&p, &rec_row);
    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "run.row", "run.0", &hs, &ctx, &err), &err);
    tc_assert_ok(tc_strategy_start(ctx, &err), &err);
    struct tc_bar_view v = view_of(&s, 1, 3);
    tc_assert_ok(tc_strategy_bars(ctx, 0, &v, &err), &err);
    assert_int_equal(g_rec->calls, 3);
    assert_int_equal(g_rec->n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(g_rec->day[i], 19001 + (int64_t)i);
        assert_int_equal(g_rec->close[i], (int64_t)(i + 2) * TC_DEC_ONE);
    }
    /* an error on the second bar stops there, prefixed with the strategy */
    g_rec->n = g_rec->calls = 0;
    g_rec->fail_at = 2;
    assert_int_equal(tc_strategy_bars(ctx, 0, &v, &err), TC_ERANGE);
    assert_string_equal(err.msg, "strategy run.row: bar of day 19002 refused");
    assert_int_equal(g_rec->calls, 2);
    assert_int_equal(g_rec->n, 1);
    tc_strategy_ctx_free(ctx);

    /* on_bars only: tc_strategy_bar passes a one-bar view of its row */
    tc_strategy_params_init(&p, &rec_view);
    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "run.view", "run.0", &hs, &ctx, &err), &err);
    tc_assert_ok(tc_strategy_start(ctx, &err), &err);
    struct tc_bar b;
    tc_bar_series_get(&s, 2, &b);
    tc_assert_ok(tc_strategy_bar(ctx, 0, &b, &err), &err);
    assert_int_equal(g_rec->calls, 1);
    assert_int_equal(g_rec->n, 1);
    assert_int_equal(g_rec->day[0], 19002);
    assert_int_equal(g_rec->close[0], 2 * 3 * TC_DEC_ONE + 1000);
    v = view_of(&s, 0, 4);
    tc_assert_ok(tc_strategy_bars(ctx, 0, &v, &err), &err);
    assert_int_equal(g_rec->calls, 2); /* one call for the four bars */
    assert_int_equal(g_rec->n, 5);
    assert_int_equal(g_rec->day[4], 19003);
    tc_strategy_ctx_free(ctx);

    /* neither: refused when the context is made */
    tc_strategy_params_init(&p, &rec_none);
    assert_int_equal(tc_strategy_ctx_new(&p, tm, "pf", "run.none", "run.0", &hs, &ctx, &err),
                     TC_EINVAL);
    assert_string_equal(err.msg, "strategy rec_none: the class has neither on_bar nor on_bars");
    assert_null(ctx);
    tc_tm_free(tm);
    tc_bar_series_release(&s);
}

/* A signal prefix too long for "<prefix>.<n>" is refused. */
static void test_ctx_bad_prefix(void **state)
{
    const struct tc_strategy_class *c = NULL;
    struct tc_strategy_params p;
    struct host h;
    struct tc_strategy_host hs = {h_submit, h_position, &h};
    struct tc_strategy_ctx *ctx = NULL;
    struct tc_tm *tm = NULL;
    struct tc_error err = {0};
    char prefix[80];

    memset(prefix, 'a', 60);
    prefix[60] = '\0';
    tc_assert_ok(tc_tm_new(NULL, &tm, &err), &err);
    tc_assert_ok(tc_strategy_lookup("sma_cross", &c, &err), &err);
    tc_strategy_params_init(&p, c);
    assert_int_equal(tc_strategy_ctx_new(&p, tm, "pf", "s", prefix, &hs, &ctx, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "is longer than 53 characters"));
    assert_null(ctx);
    tc_tm_free(tm);
}

/* ---- sessions: the column-wise path against the per-bar path ------------------ */

#define US_DAY INT64_C(86400000000)

/* A host that keeps a plausible position per instrument (entries and
 * pyramids fill at once, exits flatten), refuses every seventh signal, and
 * records every signal. */
struct mhost {
    struct tc_signal *sig;
    size_t n, cap;
    struct tc_strategy_position pos[8];
};

static int m_submit(void *ud, const struct tc_signal *sig, struct tc_signal_outcome *out,
                    struct tc_error *err)
{
    struct mhost *h = ud;
    size_t ix = (size_t)(sig->instrument[0] - 'A'); /* instruments are "A0", "B1", ... */
    (void)err;
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 64;
        assert_non_null(h->sig = realloc(h->sig, h->cap * sizeof(*h->sig)));
    }
    h->sig[h->n++] = *sig;
    memset(out, 0, sizeof(*out));
    out->status = h->n % 7 == 0 ? TC_SIGNAL_REJECTED : TC_SIGNAL_ACCEPTED;
    if (out->status != TC_SIGNAL_ACCEPTED || ix >= 8)
        return 0;
    struct tc_strategy_position *p = &h->pos[ix];
    if (sig->type == TC_SIGNAL_BASE_ENTRY || sig->type == TC_SIGNAL_PYRAMID) {
        p->layers++;
        p->side = TC_SIDE_LONG;
        tc_dec_add(p->quantity, sig->has_quantity ? sig->quantity : D("1"), &p->quantity);
        p->entry_price = sig->price;
    } else if (sig->type == TC_SIGNAL_EXIT) {
        memset(p, 0, sizeof(*p));
    }
    return 0;
}

static int m_position(void *ud, size_t ix, struct tc_strategy_position *out, struct tc_error *err)
{
    (void)err;
    *out = ((struct mhost *)ud)->pos[ix];
    return 0;
}

/* Closes near the top of a decimal for bars 300..599 and 900..1199 (a sum of
 * 30 of them does not fit 64 bits), small ones elsewhere: sma_cross's
 * session path goes to 128-bit sums and back. */
static void gen_huge(struct tc_bar_series *s, const char *id, uint64_t seed, size_t n,
                     int64_t day0)
{
    struct tc_error err = {0};
    uint64_t x = seed * 6364136223846793005u + 1442695040888963407u;
    tc_bar_series_init(s, id);
    for (size_t i = 0; i < n; i++) {
        struct tc_bar b;
        x = x * 6364136223846793005u + 1442695040888963407u;
        int64_t r = (int64_t)((x >> 33) % 2001) - 1000;
        int huge = (i / 300) % 2 == 1;
        memset(&b, 0, sizeof(b));
        b.day = day0 + (int64_t)i;
        b.close = tc_dec_from_raw(huge ? INT64_C(9000000000000000000) + r * INT64_C(1000000000000)
                                       : INT64_C(100000000000) + r * INT64_C(10000000));
        b.open = b.high = b.low = b.adj_close = b.close;
        b.volume = 1000;
        tc_assert_ok(tc_bar_series_append(s, &b, &err), &err);
    }
}

static void load_file(const char *name, const char *id, struct tc_bar_series *out)
{
    char path[1024];
    struct tc_bar_set set = {0};
    struct tc_error err = {0};
    snprintf(path, sizeof(path), "%s/%s", tc_test_data(), name);
    tc_assert_ok(tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &set, &err), &err);
    assert_int_equal(set.n, 1);
    *out = set.items[0];
    free(set.items);
    snprintf(out->instrument_id, sizeof(out->instrument_id), "%s", id);
}

static void assert_same_signals(const struct mhost *a, const struct mhost *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t k = 0; k < a->n; k++) {
        const struct tc_signal *x = &a->sig[k], *y = &b->sig[k];
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->side, y->side);
        assert_string_equal(x->instrument, y->instrument);
        assert_string_equal(x->signal_id, y->signal_id);
        assert_string_equal(x->reason, y->reason);
        assert_int_equal(x->timestamp_us, y->timestamp_us);
        assert_int_equal(x->has_price, y->has_price);
        assert_int_equal(x->price.raw, y->price.raw);
        assert_int_equal(x->has_stop, y->has_stop);
        assert_int_equal(x->stop.raw, y->stop.raw);
        assert_int_equal(x->has_quantity, y->has_quantity);
        assert_int_equal(x->quantity.raw, y->quantity.raw);
    }
}

/*
 * Runs class CLS with the values KV over the N series twice on one
 * TimeMachine's sessions (the union of the dates): once fed by bars
 * (tc_strategy_bars per instrument: the streaming indicators) and once by
 * sessions (tc_strategy_session: the column-wise ones), FROM_DAY on (earlier
 * bars are warm-up history, never fed). The two must send the same signals.
 * Returns the number of signals.
 */
static size_t compare_paths(const struct tc_bar_series *series, size_t n, const char *cls_name,
                            const char *const *kv, int64_t from_day)
{
    const struct tc_strategy_class *cls = NULL;
    struct tc_strategy_params p;
    struct tc_tm *tm = NULL;
    struct tc_strategy_ctx *ca = NULL, *cb = NULL;
    struct mhost ha, hb;
    struct tc_error err = {0};
    struct tc_bar_view view[8];
    size_t cur[8], from[8], changed[8];
    size_t n_sessions = 0;

    assert_true(n <= 8);
    memset(&ha, 0, sizeof(ha));
    memset(&hb, 0, sizeof(hb));
    struct tc_strategy_host sa = {m_submit, m_position, &ha}, sbh = {m_submit, m_position, &hb};
    tc_assert_ok(tc_strategy_lookup(cls_name, &cls, &err), &err);
    tc_strategy_params_init(&p, cls);
    for (; kv && *kv; kv++)
        tc_assert_ok(tc_strategy_params_set_kv(&p, *kv, &err), &err);
    tc_assert_ok(tc_tm_new(NULL, &tm, &err), &err);
    for (size_t k = 0; k < n; k++) {
        tc_assert_ok(tc_tm_add_series(tm, &series[k], NULL, &err), &err);
        long a = from_day == INT64_MIN ? -1 : tc_bar_series_find(&series[k], from_day - 1);
        cur[k] = (size_t)(a + 1);
        view[k] = (struct tc_bar_view){cur[k],
                                       series[k].day,       series[k].open,
                                       series[k].high,      series[k].low,
                                       series[k].close,     series[k].adj_close,
                                       series[k].volume,    series[k].open_interest};
    }
    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "run.a", "run.0", &sa, &ca, &err), &err);
    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "run.b", "run.0", &sbh, &cb, &err), &err);
    tc_assert_ok(tc_strategy_start(ca, &err), &err);
    tc_assert_ok(tc_strategy_start(cb, &err), &err);
    for (;;) {
        int64_t day = INT64_MAX;
        size_t nch = 0;
        for (size_t k = 0; k < n; k++)
            if (cur[k] < series[k].n && series[k].day[cur[k]] < day)
                day = series[k].day[cur[k]];
        if (day == INT64_MAX)
            break;
        n_sessions++;
        tc_assert_ok(tc_tm_set_time(tm, (day + 1) * US_DAY, &err), &err);
        tc_strategy_ctx_set_time(ca, day, (day + 1) * US_DAY);
        tc_strategy_ctx_set_time(cb, day, (day + 1) * US_DAY);
        for (size_t k = 0; k < n; k++) {
            from[k] = cur[k];
            while (cur[k] < series[k].n && series[k].day[cur[k]] <= day)
                cur[k]++;
            view[k].n = cur[k];
            if (cur[k] == from[k])
                continue;
            changed[nch++] = k;
            struct tc_bar_view v = view[k];
            v.n = cur[k] - from[k];
            v.day += from[k];
            v.open += from[k];
            v.high += from[k];
            v.low += from[k];
            v.close += from[k];
            v.adj_close += from[k];
            v.volume += from[k];
            v.open_interest += from[k];
            tc_assert_ok(tc_strategy_bars(ca, k, &v, &err), &err);
        }
        struct tc_session_bars sb = {day, n, view, from, changed, nch};
        tc_assert_ok(tc_strategy_session(cb, &sb, &err), &err);
    }
    assert_true(n_sessions > 100);
    assert_same_signals(&ha, &hb);
    size_t sent = ha.n;
    tc_strategy_ctx_free(ca);
    tc_strategy_ctx_free(cb);
    tc_tm_free(tm);
    free(ha.sig);
    free(hb.sig);
    return sent;
}

static void test_session_matches_bars(void **state)
{
    struct tc_bar_series s[6];
    static const char *const sma_a[] = {"fast=10", "slow=30", NULL};
    static const char *const sma_b[] = {"fast=2", "slow=3", NULL};
    static const char *const sma_c[] = {"fast=1", "slow=7", NULL};
    static const char *const sma_d[] = {"fast=20", "slow=200", NULL};
    static const char *const don_a[] = {NULL};
    static const char *const don_b[] = {"entry=5", "exit=3", "atr=4", "pyramid_atr=0.25",
                                        "max_pyramids=5", NULL};
    static const char *const don_c[] = {"entry=1", "exit=1", "atr=1", NULL};
    const char *const *const sma[] = {sma_a, sma_b, sma_c, sma_d};
    const char *const *const don[] = {don_a, don_b, don_c};
    size_t total = 0;

    load_file("orcl-1995-2014.txt", "A0", &s[0]);
    load_file("yhoo-1996-2014.txt", "B1", &s[1]);
    load_file("nvda-1999-2014.txt", "C2", &s[2]);
    tc_test_random_walk(&s[3], "D3", 1, 3000, 9000, TC_TEST_WALK_OPEN_AROUND);
    tc_test_random_walk(&s[4], "E4", 2, 2500, 9100, TC_TEST_WALK_OPEN_AROUND);
    tc_test_random_walk(&s[5], "F5", 77, 3200, 8950, TC_TEST_WALK_OPEN_AROUND);
    for (size_t k = 0; k < 4; k++) {
        total += compare_paths(s, 6, "sma_cross", sma[k], INT64_MIN);
        total += compare_paths(s + 3, 3, "sma_cross", sma[k], 9500); /* warm-up bars unfed */
    }
    for (size_t k = 0; k < 3; k++) {
        total += compare_paths(s, 6, "donchian", don[k], INT64_MIN);
        total += compare_paths(s + 3, 3, "donchian", don[k], 9500);
    }
    assert_true(total > 1000);
    for (size_t k = 0; k < 6; k++)
        tc_bar_series_release(&s[k]);
    /* sums beyond 64 bits */
    gen_huge(&s[0], "A0", 5, 1500, 9000);
    gen_huge(&s[1], "B1", 6, 1400, 9003);
    total = compare_paths(s, 2, "sma_cross", sma_a, INT64_MIN);
    total += compare_paths(s, 2, "sma_cross", sma_b, INT64_MIN);
    assert_true(total > 50);
    tc_bar_series_release(&s[0]);
    tc_bar_series_release(&s[1]);
}

/* Closes from BASE (1e-8 units) moving by -3..3 units a bar (and flat runs
 * of 12 bars every 60), one bar a day: the SMAs' exact means are often less
 * than one unit apart, so their rounding decides the sign. */
static void gen_tiny(struct tc_bar_series *s, const char *id, uint64_t seed, size_t n,
                     int64_t day0, int64_t base)
{
    struct tc_error err = {0};
    uint64_t x = seed * 6364136223846793005u + 1442695040888963407u;
    int64_t close = base;
    tc_bar_series_init(s, id);
    for (size_t i = 0; i < n; i++) {
        struct tc_bar b;
        x = x * 6364136223846793005u + 1442695040888963407u;
        if (i % 60 < 48)
            close += (int64_t)((x >> 33) % 7) - 3;
        memset(&b, 0, sizeof(b));
        b.day = day0 + (int64_t)i;
        b.close = b.open = b.high = b.low = b.adj_close = tc_dec_from_raw(close);
        b.volume = 1000;
        tc_assert_ok(tc_bar_series_append(s, &b, &err), &err);
    }
}

/* Over the closes of S, with the batch SMAs (rounded by a division) and the
 * exact window sums: bars where the rounded means are equal though the
 * exact ones differ (*EQUAL), where the rounded sign differs from the exact
 * one (*FLIPPED), and crossovers whose exact means are at most one unit
 * apart (*BY_ROUNDING: the sign of the exact difference alone would not
 * decide them). */
__extension__ typedef __int128 i128;

static void count_ties(const struct tc_bar_series *s, size_t fast, size_t slow, size_t *equal,
                       size_t *flipped, size_t *by_rounding)
{
    struct tc_error err = {0};
    struct tc_ind_value *f = calloc(s->n, sizeof(*f)), *sl = calloc(s->n, sizeof(*sl));
    struct tc_dec_view v = {s->close, s->n};
    int last = 0;
    assert_non_null(f);
    assert_non_null(sl);
    tc_assert_ok(tc_ind_sma_batch(v, fast, f, &err), &err);
    tc_assert_ok(tc_ind_sma_batch(v, slow, sl, &err), &err);
    for (size_t i = slow - 1; i < s->n; i++) {
        i128 sf = 0, ss = 0;
        for (size_t k = i + 1 - fast; k <= i; k++)
            sf += s->close[k].raw;
        for (size_t k = i + 1 - slow; k <= i; k++)
            ss += s->close[k].raw;
        i128 d = sf * (i128)slow - ss * (i128)fast, lim = (i128)(fast * slow);
        int exact = (d > 0) - (d < 0), sign = tc_dec_cmp(f[i].value, sl[i].value);
        assert_true(f[i].has_value && sl[i].has_value);
        if (sign == 0 && exact != 0)
            (*equal)++;
        if (sign != exact)
            (*flipped)++;
        if (sign == 0)
            continue;
        if (last != 0 && sign != last && d <= lim && d >= -lim)
            (*by_rounding)++;
        last = sign;
    }
    free(f);
    free(sl);
}

/* The session path decides the sign of fast - slow from the exact sums and
 * forms the rounded means only for near ties: on closes where ties are
 * common (equal rounded means of different exact means, signs and
 * crossovers the rounding decides, all counted here so the data surely has
 * them) it sends the signals of the streaming SMAs, bar by bar. */
static void test_session_near_ties(void **state)
{
    struct tc_bar_series s[3];
    static const char *const p23[] = {"fast=2", "slow=3", NULL};
    static const char *const p37[] = {"fast=3", "slow=7", NULL};
    static const char *const p46[] = {"fast=4", "slow=6", NULL};
    static const char *const p1030[] = {"fast=10", "slow=30", NULL};
    const char *const *const kv[] = {p23, p37, p46, p1030};
    static const size_t periods[][2] = {{2, 3}, {3, 7}, {4, 6}, {10, 30}};
    (void)state;

    /* about 100; and about 500,000,000, where a window's sum fits 64 bits
     * but its product with the other period does not (the 128-bit step) */
    static const int64_t bases[] = {INT64_C(10000000000), INT64_C(50000000000000000)};
    for (size_t b = 0; b < 2; b++) {
        gen_tiny(&s[0], "A0", 11, 1500, 9000, bases[b]);
        gen_tiny(&s[1], "B1", 12, 1400, 9010, bases[b]);
        gen_tiny(&s[2], "C2", 13, 1600, 8990, bases[b] + 7);
        for (size_t k = 0; k < 4; k++) {
            size_t equal = 0, flipped = 0, by_rounding = 0;
            for (size_t j = 0; j < 3; j++)
                count_ties(&s[j], periods[k][0], periods[k][1], &equal, &flipped, &by_rounding);
            assert_true(equal > 10);
            assert_true(flipped > 10);
            assert_true(by_rounding > 3);
            assert_true(compare_paths(s, 3, "sma_cross", kv[k], INT64_MIN) > 20);
            assert_true(compare_paths(s, 3, "sma_cross", kv[k], 9300) > 10);
        }
        for (size_t j = 0; j < 3; j++)
            tc_bar_series_release(&s[j]);
    }
}

/* A class without on_session gets its bars per changed instrument; bad
 * session input is refused with its reason and changes nothing; a context
 * is fed one way. */
static void test_session_dispatch(void **state)
{
    static const char *const closes[] = {"1", "2", "3", "4"};
    struct tc_strategy_params p;
    struct tc_strategy_ctx *ctx = NULL;
    const struct tc_strategy_class *sma = NULL;
    struct tc_bar_series s[2];
    struct tc_tm *tm = NULL;
    struct host h;
    struct tc_error err = {0};
    struct tc_bar_view view[2];
    size_t from[2] = {1, 4}, changed[2] = {0, 1};

    memset(&h, 0, sizeof(h));
    struct tc_strategy_host hs = {h_submit, h_position, &h};
    tc_assert_ok(tc_tm_new(NULL, &tm, &err), &err);
    add_series(tm, &s[0], "XYZ", closes, 4);
    add_series(tm, &s[1], "UVW", closes, 4);
    tc_assert_ok(tc_tm_set_time(tm, (19000 + 4) * US_DAY, &err), &err);
    view[0] = view_of(&s[0], 0, 4);
    view[1] = view_of(&s[1], 0, 4);

    /* on_bar only: the new bars of instrument 0 (1..3), none of 1 */
    tc_strategy_params_init(&p, &rec_row);
    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "run.row", "run.0", &hs, &ctx, &err), &err);
    tc_assert_ok(tc_strategy_start(ctx, &err), &err);
    struct tc_session_bars sb = {19003, 2, view, from, changed, 1};
    tc_assert_ok(tc_strategy_session(ctx, &sb, &err), &err);
    assert_int_equal(g_rec->calls, 3);
    assert_int_equal(g_rec->day[0], 19001);
    assert_int_equal(g_rec->day[2], 19003);
    /* the count of instruments must be the context's */
    sb.n = 3;
    assert_int_equal(tc_strategy_session(ctx, &sb, &err), TC_EINVAL);
    assert_string_equal(err.msg,
                        "strategy run.row: session bars for 3 instruments, the context has 2");
    assert_int_equal(tc_strategy_session(ctx, NULL, &err), TC_EINVAL);
    assert_string_equal(err.msg,
                        "strategy run.row: session bars for 0 instruments, the context has 2");
    sb.n = 2;
    /* a changed handle out of range, new bars past the column */
    changed[0] = 5;
    assert_int_equal(tc_strategy_session(ctx, &sb, &err), TC_EINVAL);
    assert_string_equal(err.msg, "strategy run.row: instrument handle 5 is unknown");
    changed[0] = 0;
    from[0] = 6;
    assert_int_equal(tc_strategy_session(ctx, &sb, &err), TC_EINVAL);
    assert_string_equal(err.msg,
                        "strategy run.row: instrument handle 0: new bars from 6, past its 4 bars");
    assert_int_equal(g_rec->calls, 3); /* nothing was fed */
    /* a class without on_session may be fed both ways */
    struct tc_bar b;
    tc_bar_series_get(&s[0], 3, &b);
    tc_assert_ok(tc_strategy_bar(ctx, 0, &b, &err), &err);
    assert_int_equal(g_rec->calls, 4);
    tc_strategy_ctx_free(ctx);

    /* sma_cross: fed by sessions, then by bars: refused, and the other way */
    tc_assert_ok(tc_strategy_lookup("sma_cross", &sma, &err), &err);
    tc_strategy_params_init(&p, sma);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "fast=1", &err), &err);
    tc_assert_ok(tc_strategy_params_set_kv(&p, "slow=2", &err), &err);
    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "run.sma", "run.0", &hs, &ctx, &err), &err);
    tc_assert_ok(tc_strategy_start(ctx, &err), &err);
    from[0] = 0;
    view[0].n = 2;
    tc_assert_ok(tc_strategy_session(ctx, &sb, &err), &err);
    struct tc_bar_view v = view_of(&s[0], 2, 1);
    assert_int_equal(tc_strategy_bars(ctx, 0, &v, &err), TC_ESTATE);
    assert_string_equal(err.msg, "strategy run.sma: fed by sessions, now given bars (use one)");
    assert_int_equal(tc_strategy_bar(ctx, 0, &b, &err), TC_ESTATE);
    /* a gap in an instrument's bars (bar 2 never fed) is refused */
    from[0] = 3;
    view[0].n = 4;
    assert_int_equal(tc_strategy_session(ctx, &sb, &err), TC_EINVAL);
    assert_string_equal(err.msg, "strategy run.sma: instrument handle 0: new bars from 3, bar 2 "
                                 "expected");
    /* an unknown handle in the changed list */
    from[0] = 2;
    changed[0] = 7;
    assert_int_equal(tc_strategy_session(ctx, &sb, &err), TC_ENOTFOUND);
    assert_string_equal(err.msg, "strategy run.sma: instrument handle 7 is unknown");
    changed[0] = 0;
    tc_assert_ok(tc_strategy_session(ctx, &sb, &err), &err); /* 2..3 still fine */
    assert_int_equal(h.n, 0); /* closes only rise: the first sign is no crossover */
    tc_strategy_ctx_free(ctx);

    tc_assert_ok(tc_strategy_ctx_new(&p, tm, "pf", "run.sma", "run.0", &hs, &ctx, &err), &err);
    tc_assert_ok(tc_strategy_start(ctx, &err), &err);
    tc_assert_ok(tc_strategy_bars(ctx, 0, &v, &err), &err);
    assert_int_equal(tc_strategy_session(ctx, &sb, &err), TC_ESTATE);
    assert_string_equal(err.msg, "strategy run.sma: fed by bars, now given a session (use one)");
    tc_strategy_ctx_free(ctx);
    tc_tm_free(tm);
    tc_bar_series_release(&s[0]);
    tc_bar_series_release(&s[1]);
}

/* ---- the ledger: an explicit quantity makes the stop optional ---------------- */

static void test_entry_without_stop(void **state)
{
    struct tc_store *st = NULL;
    struct tc_broker *b = NULL;
    struct tc_ledger *l = NULL;
    struct tc_ledger_options lo;
    struct tc_manual_clock mc;
    struct tc_error err = {0};
    struct tc_market m;
    struct tc_instrument in;
    struct tc_portfolio_def pf;
    struct tc_strategy_def sd;
    struct tc_signal sig;
    struct tc_signal_outcome out;
    struct tc_position pos;
    struct tc_refdata rd;
    struct tc_accounts acc;
    const int64_t t0 = INT64_C(1700000000000000);

    tc_manual_clock_init(&mc, t0);
    tc_assert_ok(tc_store_open("sqlite::memory:", NULL, &st, &err), &err);
    tc_assert_ok(tc_migrate_latest(st, "runtime", &err), &err);
    tc_assert_ok(tc_migrate_latest(st, "historical", &err), &err);
    rd = (struct tc_refdata){st, &mc.clock, "t"};
    acc = (struct tc_accounts){st, &mc.clock, "t"};
    memset(&m, 0, sizeof(m));
    snprintf(m.market_id, sizeof(m.market_id), "XNYS");
    snprintf(m.name, sizeof(m.name), "nyse");
    snprintf(m.timezone, sizeof(m.timezone), "America/New_York");
    tc_assert_ok(tc_refdata_market_create(&rd, &m, &err), &err);
    tc_instrument_init(&in);
    snprintf(in.instrument_id, sizeof(in.instrument_id), "ORCL");
    snprintf(in.market_id, sizeof(in.market_id), "XNYS");
    snprintf(in.symbol, sizeof(in.symbol), "ORCL");
    snprintf(in.currency, sizeof(in.currency), "USD");
    in.asset_class = TC_ASSET_EQUITY;
    tc_assert_ok(tc_refdata_instrument_create(&rd, &in, &err), &err);
    memset(&pf, 0, sizeof(pf));
    snprintf(pf.portfolio_id, sizeof(pf.portfolio_id), "p1");
    snprintf(pf.name, sizeof(pf.name), "p1");
    snprintf(pf.base_currency, sizeof(pf.base_currency), "USD");
    pf.initial_capital = D("100000");
    tc_assert_ok(tc_accounts_portfolio_create(&acc, &pf, &err), &err);
    memset(&sd, 0, sizeof(sd));
    snprintf(sd.strategy_id, sizeof(sd.strategy_id), "s1");
    snprintf(sd.name, sizeof(sd.name), "s1");
    sd.enabled = 1;
    tc_assert_ok(tc_accounts_strategy_create(&acc, &sd, &err), &err);
    tc_assert_ok(tc_broker_instant_new(NULL, &b, &err), &err);
    tc_ledger_options_default(&lo);
    lo.runtime = lo.historical = st;
    lo.clock = &mc.clock;
    lo.broker = b;
    lo.mode = TC_MODE_BACKTEST;
    tc_assert_ok(tc_ledger_open(&lo, &l, &err), &err);

    memset(&sig, 0, sizeof(sig));
    sig.type = TC_SIGNAL_BASE_ENTRY;
    sig.side = TC_SIDE_LONG;
    snprintf(sig.portfolio, sizeof(sig.portfolio), "p1");
    snprintf(sig.strategy, sizeof(sig.strategy), "s1");
    snprintf(sig.instrument, sizeof(sig.instrument), "ORCL");
    sig.price = D("30");
    sig.has_price = 1;
    sig.timestamp_us = t0;
    /* no quantity, no stop: still refused, nothing opened */
    assert_int_equal(tc_signal_check(&sig, &err), TC_EINVAL);
    assert_string_equal(err.msg, "stop is missing (required for BASE_ENTRY)");
    tc_assert_ok(tc_ledger_submit(l, &sig, &out, &err), &err);
    assert_int_equal(out.status, TC_SIGNAL_REJECTED);
    assert_string_equal(out.reason, "stop is missing (required for BASE_ENTRY)");
    {
        size_t n = 9;
        tc_assert_ok(tc_ledger_positions_open(l, "p1", NULL, NULL, 0, &n, &err), &err);
        assert_int_equal(n, 0);
    }
    /* an explicit quantity: accepted, the position has no stop */
    sig.quantity = D("100");
    sig.has_quantity = 1;
    tc_assert_ok(tc_signal_check(&sig, &err), &err);
    tc_assert_ok(tc_ledger_submit(l, &sig, &out, &err), &err);
    assert_int_equal(out.status, TC_SIGNAL_ACCEPTED);
    tc_assert_ok(tc_ledger_position_get(l, out.position_id, &pos, &err), &err);
    assert_false(pos.has_initial_stop);
    assert_false(pos.has_current_stop);
    assert_dec(pos.quantity, "100");
    /* lots do the same; a stop, when given, must still be below the price */
    sig.has_quantity = 0;
    sig.lots = D("2");
    sig.has_lots = 1;
    tc_assert_ok(tc_signal_check(&sig, &err), &err);
    sig.stop = D("31");
    sig.has_stop = 1;
    assert_int_equal(tc_signal_check(&sig, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "stop 31 must be below the price 30"));

    tc_ledger_close(l);
    tc_broker_free(b);
    tc_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_params_bad_values),
        cmocka_unit_test(test_sma_cross_signals),
        cmocka_unit_test(test_sma_cross_views),
        cmocka_unit_test(test_bars_dispatch),
        cmocka_unit_test(test_ctx_bad_prefix),
        cmocka_unit_test(test_session_matches_bars),
        cmocka_unit_test(test_session_near_ties),
        cmocka_unit_test(test_session_dispatch),
        cmocka_unit_test(test_entry_without_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
