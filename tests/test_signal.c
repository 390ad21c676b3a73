/* Signals: JSON parsing with exact decimals, the table of bad bodies, checks of
 * built signals, the timestamp window, passphrases, fingerprints and the
 * outcome JSON. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/dec.h"
#include "tradecore/signal.h"

/* 2024-01-31T14:30:00Z */
#define TS_US INT64_C(1706711400000000)

#define D(text) tc_test_dec(text)

static void assert_dec(struct tc_dec d, const char *want)
{
    char buf[TC_DEC_STRLEN];
    tc_dec_format(d, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void assert_msg_has(const struct tc_error *err, const char *part)
{
    if (!strstr(err->msg, part))
        fail_msg("message \"%s\" does not contain \"%s\"", err->msg, part);
}

static void parse_ok(const char *json, struct tc_signal *s)
{
    struct tc_error err = {0};
    tc_assert_ok(tc_signal_parse(json, (size_t)-1, s, &err), &err);
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i])
            return 0;
    return 1;
}

/* ---- valid bodies -------------------------------------------------------- */

static void test_parse_every_type(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        enum tc_signal_type type;
        enum tc_side side;
        const char *price, *stop; /* NULL = absent */
    } cases[] = {
        {"{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"AAPL\","
         "\"side\":\"LONG\",\"price\":100.5,\"stop\":\"95\",\"timestamp\":\"2024-01-31T14:30:00Z\"}",
         TC_SIGNAL_BASE_ENTRY, TC_SIDE_LONG, "100.5", "95"},
        {"{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"AAPL\","
         "\"side\":\"SHORT\",\"price\":\"100\",\"stop\":105,\"timestamp\":\"2024-01-31T14:30:00Z\"}",
         TC_SIGNAL_BASE_ENTRY, TC_SIDE_SHORT, "100", "105"},
        {"{\"type\":\"PYRAMID\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"AAPL\","
         "\"side\":\"LONG\",\"price\":102,\"timestamp\":\"2024-01-31T14:30:00Z\"}",
         TC_SIGNAL_PYRAMID, TC_SIDE_LONG, "102", NULL},
        {"{\"type\":\"EXIT\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"AAPL\","
         "\"side\":\"LONG\",\"timestamp\":\"2024-01-31T14:30:00Z\"}",
         TC_SIGNAL_EXIT, TC_SIDE_LONG, NULL, NULL},
        {"{\"type\":\"EXIT\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"AAPL\","
         "\"side\":\"SHORT\",\"price\":\"99.25\",\"stop\":null,\"timestamp\":\"2024-01-31T14:30:00Z\"}",
         TC_SIGNAL_EXIT, TC_SIDE_SHORT, "99.25", NULL},
        {"{\"type\":\"STOP_UPDATE\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"AAPL\","
         "\"side\":\"LONG\",\"stop\":\"97.5\",\"timestamp\":\"2024-01-31T14:30:00Z\"}",
         TC_SIGNAL_STOP_UPDATE, TC_SIDE_LONG, NULL, "97.5"},
        {"{\"type\":\"STOP_UPDATE\",\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"AAPL\","
         "\"side\":\"SHORT\",\"price\":100,\"stop\":\"102\",\"timestamp\":\"2024-01-31T14:30:00Z\"}",
         TC_SIGNAL_STOP_UPDATE, TC_SIDE_SHORT, "100", "102"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_signal s;
        parse_ok(cases[i].json, &s);
        assert_int_equal(s.type, cases[i].type);
        assert_int_equal(s.side, cases[i].side);
        assert_string_equal(s.portfolio, "p1");
        assert_string_equal(s.strategy, "s1");
        assert_string_equal(s.instrument, "AAPL");
        assert_int_equal(s.timestamp_us, TS_US);
        assert_int_equal(s.has_price, cases[i].price != NULL);
        if (cases[i].price)
            assert_dec(s.price, cases[i].price);
        assert_int_equal(s.has_stop, cases[i].stop != NULL);
        if (cases[i].stop)
            assert_dec(s.stop, cases[i].stop);
        assert_false(s.has_quantity || s.has_lots || s.has_signal_id || s.has_passphrase);
        assert_string_equal(s.reason, "");
    }
}

/* A number sent as a JSON number (integer or real) or as a string gives the same tc_dec. */
static void test_number_forms(void **state)
{
    (void)state;
    static const struct {
        const char *price; /* JSON text of the value */
        const char *want;
    } cases[] = {
        {"100", "100"},          {"\"100\"", "100"},         {"100.0", "100"},
        {"\"100.0\"", "100"},    {"1e2", "100"},             {"\"1E+2\"", "100"},
        {"100.5", "100.5"},      {"\"100.50\"", "100.5"},    {"1.005e2", "100.5"},
        {"0.1", "0.1"},          {"\"0.1\"", "0.1"},         {"0.00000001", "0.00000001"},
        {"\"0.00000001\"", "0.00000001"},                    {"1234567.12345678", "1234567.12345678"},
        {"99999999.9999999", "99999999.9999999"},            {"1234567890", "1234567890"},
        {"\"92233720368.54775807\"", "92233720368.54775807"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char json[512];
        struct tc_signal s;
        snprintf(json, sizeof(json),
                 "{\"type\":\"PYRAMID\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                 "\"instrument\":\"ES\",\"side\":\"LONG\",\"price\":%s,\"quantity\":%s,"
                 "\"timestamp\":\"2024-01-31T14:30:00Z\"}",
                 cases[i].price, cases[i].price);
        parse_ok(json, &s);
        assert_dec(s.price, cases[i].want);
        assert_dec(s.quantity, cases[i].want);
    }
}

static void test_tradingview_body(void **state)
{
    (void)state;
    const char *json =
        "{\n"
        "  \"passphrase\": \"s3cret-phrase\",\n"
        "  \"exchange\": \"NASDAQ\", \"ticker\": \"AAPL\", \"interval\": \"1D\",\n"
        "  \"time\": \"2024-01-31T14:30:00Z\", \"volume\": 12345678.5,\n"
        "  \"plot\": {\"fast\": 101.2, \"slow\": [1, 2, 3]}, \"flag\": true, \"nothing\": null,\n"
        "  \"type\": \"BASE_ENTRY\", \"portfolio\": \"main\", \"strategy\": \"sma_cross\",\n"
        "  \"instrument\": \"NASDAQ:AAPL\", \"side\": \"LONG\",\n"
        "  \"price\": 187.36, \"stop\": \"180.1\", \"quantity\": \"25\", \"lots\": 1,\n"
        "  \"signal_id\": \"tv-2024-01-31.AAPL_1\", \"reason\": \"SMA(10) crossed over SMA(30)\",\n"
        "  \"timestamp\": \"2024-01-31T09:30:00-05:00\"\n"
        "}";
    struct tc_signal s;

    parse_ok(json, &s);
    assert_int_equal(s.type, TC_SIGNAL_BASE_ENTRY);
    assert_string_equal(s.portfolio, "main");
    assert_string_equal(s.strategy, "sma_cross");
    assert_string_equal(s.instrument, "NASDAQ:AAPL");
    assert_dec(s.price, "187.36");
    assert_dec(s.stop, "180.1");
    assert_true(s.has_quantity && s.has_lots);
    assert_dec(s.quantity, "25");
    assert_dec(s.lots, "1");
    assert_true(s.has_signal_id);
    assert_string_equal(s.signal_id, "tv-2024-01-31.AAPL_1");
    assert_string_equal(s.reason, "SMA(10) crossed over SMA(30)");
    assert_true(s.has_passphrase);
    assert_string_equal(s.passphrase, "s3cret-phrase");
    assert_int_equal(s.timestamp_us, TS_US); /* -05:00 normalised to UTC */

    /* a length, not a NUL, ends the body */
    parse_ok("{\"type\":\"EXIT\",\"portfolio\":\"p\",\"strategy\":\"s\",\"instrument\":\"i\","
             "\"side\":\"LONG\",\"timestamp\":\"2024-01-31\"}", &s);
    {
        const char body[] = "{\"type\":\"EXIT\",\"portfolio\":\"p\",\"strategy\":\"s\","
                            "\"instrument\":\"i\",\"side\":\"LONG\",\"timestamp\":\"2024-01-31\"}"
                            "GARBAGE";
        struct tc_error err = {0};
        tc_assert_ok(tc_signal_parse(body, sizeof(body) - 1 - 7, &s, &err), &err);
        assert_int_equal(s.timestamp_us, INT64_C(1706659200000000));
    }
}

/* ---- bad bodies ---------------------------------------------------------- */

#define HEAD "{\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"AAPL\","
#define TS "\"timestamp\":\"2024-01-31T14:30:00Z\""
#define ENTRY HEAD "\"type\":\"BASE_ENTRY\",\"side\":\"LONG\"," TS ","

static void test_bad_bodies(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int code;
        const char *msg; /* a part of the message */
        const char *msg2;
    } cases[] = {
        /* malformed and truncated JSON: the position is in the message */
        {"", TC_EPARSE, "signal: the body is empty", NULL},
        {"{", TC_EPARSE, "signal: malformed JSON at line 1, column 1", "(byte 1)"},
        {"{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\"", TC_EPARSE,
         "malformed JSON at line 1, column 37 (byte 37)", NULL},
        {"{\n  \"type\": \"EXIT\",\n  \"side\": }", TC_EPARSE, "malformed JSON at line 3", NULL},
        {"{\"type\":\"EXIT\",}", TC_EPARSE, "malformed JSON at line 1", "string or '}' expected"},
        {"{\"type\":'EXIT'}", TC_EPARSE, "malformed JSON at line 1, column 9", NULL},
        {"not json", TC_EPARSE, "malformed JSON", NULL},
        {"{} {}", TC_EPARSE, "end of file expected", NULL},
        {"[1, 2]", TC_EINVAL, "signal: the body must be a JSON object, not an array", NULL},
        {ENTRY "\"price\":100,\"stop\":95,\"price\":101}", TC_EPARSE, "duplicate object key",
         NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS ",\"x\":\"a\\u0000b\"}", TC_EPARSE,
         "\\u0000", NULL},
        /* missing fields */
        {HEAD "\"side\":\"LONG\"," TS "}", TC_EINVAL, "type is missing", NULL},
        {HEAD "\"type\":null,\"side\":\"LONG\"," TS "}", TC_EINVAL, "type is missing", NULL},
        {"{\"strategy\":\"s1\",\"instrument\":\"AAPL\",\"type\":\"EXIT\",\"side\":\"LONG\"," TS "}",
         TC_EINVAL, "portfolio is missing", NULL},
        {"{\"portfolio\":\"p1\",\"instrument\":\"AAPL\",\"type\":\"EXIT\",\"side\":\"LONG\"," TS "}",
         TC_EINVAL, "strategy is missing", NULL},
        {"{\"portfolio\":\"p1\",\"strategy\":\"s1\",\"type\":\"EXIT\",\"side\":\"LONG\"," TS "}",
         TC_EINVAL, "instrument is missing", NULL},
        {HEAD "\"type\":\"EXIT\"," TS "}", TC_EINVAL, "side is missing", NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"}", TC_EINVAL, "timestamp is missing", NULL},
        {ENTRY "\"stop\":95}", TC_EINVAL, "price is missing (required for BASE_ENTRY)", NULL},
        {ENTRY "\"price\":100}", TC_EINVAL, "stop is missing (required for BASE_ENTRY)", NULL},
        {HEAD "\"type\":\"PYRAMID\",\"side\":\"LONG\"," TS "}", TC_EINVAL,
         "price is missing (required for PYRAMID)", NULL},
        {HEAD "\"type\":\"STOP_UPDATE\",\"side\":\"LONG\"," TS ",\"price\":100}", TC_EINVAL,
         "stop is missing (required for STOP_UPDATE)", NULL},
        /* wrong types */
        {HEAD "\"type\":1,\"side\":\"LONG\"," TS "}", TC_EINVAL,
         "type must be a string, not a number", NULL},
        {"{\"portfolio\":5,\"strategy\":\"s1\",\"instrument\":\"AAPL\",\"type\":\"EXIT\","
         "\"side\":\"LONG\"," TS "}",
         TC_EINVAL, "portfolio must be a string, not a number", NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":[\"LONG\"]," TS "}", TC_EINVAL,
         "side must be a string, not an array", NULL},
        {ENTRY "\"price\":true,\"stop\":95}", TC_EINVAL,
         "price must be a number or a decimal string, not true", NULL},
        {ENTRY "\"price\":100,\"stop\":{}}", TC_EINVAL,
         "stop must be a number or a decimal string, not an object", NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\",\"timestamp\":1706711400}", TC_EINVAL,
         "timestamp must be an ISO-8601 string", "not a number"},
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS ",\"reason\":7}", TC_EINVAL,
         "reason must be a string, not a number", NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS ",\"signal_id\":12}", TC_EINVAL,
         "signal_id must be a string, not a number", NULL},
        /* unknown enum values */
        {HEAD "\"type\":\"BUY\",\"side\":\"LONG\"," TS "}", TC_EINVAL,
         "type \"BUY\" is not one of BASE_ENTRY, PYRAMID, EXIT, STOP_UPDATE", NULL},
        {HEAD "\"type\":\"base_entry\",\"side\":\"LONG\"," TS "}", TC_EINVAL,
         "type \"base_entry\" is not one of", NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":\"FLAT\"," TS "}", TC_EINVAL,
         "side \"FLAT\" is not one of LONG, SHORT", NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":\"long\"," TS "}", TC_EINVAL,
         "side \"long\" is not one of LONG, SHORT", NULL},
        /* bad numbers */
        {ENTRY "\"price\":\"NaN\",\"stop\":95}", TC_EPARSE, "price: decimal \"NaN\"", NULL},
        {ENTRY "\"price\":\"Infinity\",\"stop\":95}", TC_EPARSE, "price: decimal \"Infinity\"",
         NULL},
        {ENTRY "\"price\":\"\",\"stop\":95}", TC_EPARSE, "price: decimal \"\": empty text", NULL},
        {ENTRY "\"price\":\" 100\",\"stop\":95}", TC_EPARSE, "price: decimal \" 100\"", NULL},
        {ENTRY "\"price\":\"-1\",\"stop\":95}", TC_EINVAL, "price -1 must be positive", NULL},
        {ENTRY "\"price\":-1,\"stop\":95}", TC_EINVAL, "price -1 must be positive", NULL},
        {ENTRY "\"price\":\"0\",\"stop\":95}", TC_EINVAL, "price 0 must be positive", NULL},
        {ENTRY "\"price\":0.0,\"stop\":95}", TC_EINVAL, "price 0 must be positive", NULL},
        {ENTRY "\"price\":100,\"stop\":\"-5\"}", TC_EINVAL, "stop -5 must be positive", NULL},
        {ENTRY "\"price\":\"1e400\",\"stop\":95}", TC_ERANGE, "price: decimal \"1e400\": out of range",
         NULL},
        {ENTRY "\"price\":1e400,\"stop\":95}", TC_EPARSE, "malformed JSON at line 1",
         "real number overflow"},
        {ENTRY "\"price\":100000000000,\"stop\":95}", TC_ERANGE,
         "price: 100000000000 is out of range", NULL},
        {ENTRY "\"price\":99999999999999999999,\"stop\":95}", TC_EPARSE, "too big integer", NULL},
        {ENTRY "\"price\":100.0000000000001,\"stop\":95}", TC_EINVAL,
         "price: the JSON number 100.0000000000001", "send it as a string"},
        {ENTRY "\"price\":0.1234567890123456,\"stop\":0.1}", TC_EINVAL,
         "more than 15 significant digits", "send it as a string"},
        {ENTRY "\"price\":\"100.000000001\",\"stop\":95}", TC_ERANGE, "price: decimal", NULL},
        {ENTRY "\"price\":100,\"stop\":95,\"quantity\":\"0\"}", TC_EINVAL,
         "quantity 0 must be positive", NULL},
        {ENTRY "\"price\":100,\"stop\":95,\"quantity\":-3}", TC_EINVAL,
         "quantity -3 must be positive", NULL},
        {ENTRY "\"price\":100,\"stop\":95,\"lots\":1.5}", TC_EINVAL,
         "lots 1.5 is not a whole number", NULL},
        {ENTRY "\"price\":100,\"stop\":95,\"lots\":0}", TC_EINVAL, "lots 0 must be positive", NULL},
        /* stop on the wrong side */
        {ENTRY "\"price\":100,\"stop\":101}", TC_EINVAL,
         "stop 101 must be below the price 100 for a LONG BASE_ENTRY", NULL},
        {ENTRY "\"price\":100,\"stop\":100}", TC_EINVAL,
         "stop 100 must be below the price 100 for a LONG BASE_ENTRY", NULL},
        {HEAD "\"type\":\"BASE_ENTRY\",\"side\":\"SHORT\"," TS ",\"price\":100,\"stop\":99.5}",
         TC_EINVAL, "stop 99.5 must be above the price 100 for a SHORT BASE_ENTRY", NULL},
        {HEAD "\"type\":\"STOP_UPDATE\",\"side\":\"LONG\"," TS ",\"price\":100,\"stop\":100.5}",
         TC_EINVAL, "stop 100.5 must be below the price 100 for a LONG STOP_UPDATE", NULL},
        /* ids */
        {"{\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":\"AAPL'; DROP TABLE positions;--\","
         "\"type\":\"EXIT\",\"side\":\"LONG\"," TS "}",
         TC_EINVAL, "instrument id \"AAPL'; DROP TABLE positions;--\" has a character that is "
                    "not allowed: '''", NULL},
        {"{\"portfolio\":\"\",\"strategy\":\"s1\",\"instrument\":\"AAPL\",\"type\":\"EXIT\","
         "\"side\":\"LONG\"," TS "}",
         TC_EINVAL, "portfolio id \"\" is empty", NULL},
        {"{\"portfolio\":\"p1\",\"strategy\":\"a b\",\"instrument\":\"AAPL\",\"type\":\"EXIT\","
         "\"side\":\"LONG\"," TS "}",
         TC_EINVAL, "strategy id \"a b\" has a character that is not allowed: ' '", NULL},
        {"{\"portfolio\":\"p1\",\"strategy\":\"s1\",\"instrument\":"
         "\"A1234567890123456789012345678901234567890123456789012345678901234\","
         "\"type\":\"EXIT\",\"side\":\"LONG\"," TS "}",
         TC_EINVAL, "is longer than 64 characters", "instrument id"},
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS ",\"signal_id\":\"id with space\"}",
         TC_EINVAL, "signal_id \"id with space\" has a character that is not allowed", NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS ",\"signal_id\":\"\"}", TC_EINVAL,
         "signal_id \"\" is empty", NULL},
        /* timestamps, text */
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\",\"timestamp\":\"2024-02-30T10:00:00Z\"}",
         TC_EPARSE, "timestamp \"2024-02-30T10:00:00Z\"", NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\",\"timestamp\":\"yesterday\"}", TC_EPARSE,
         "timestamp \"yesterday\"", NULL},
        {HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS ",\"reason\":\"a\\u0001b\"}", TC_EINVAL,
         "reason has a control character at offset 1", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_signal s;
        struct tc_error err = {0};
        int rc;

        memset(&s, 0x5a, sizeof(s));
        rc = tc_signal_parse(cases[i].json, (size_t)-1, &s, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu %s: got %s (%s), want %s", i, cases[i].json, tc_strerror_name(rc),
                     err.msg, tc_strerror_name(cases[i].code));
        assert_int_equal(err.code, cases[i].code);
        assert_msg_has(&err, cases[i].msg);
        if (cases[i].msg2)
            assert_msg_has(&err, cases[i].msg2);
        /* nothing half-filled is left behind */
        assert_true(all_zero(&s, sizeof(s)));
    }
}

static void test_bad_sizes_and_secrets(void **state)
{
    (void)state;
    struct tc_signal s;
    struct tc_error err = {0};
    size_t n = TC_SIGNAL_BODY_MAX + 10;
    char *big = malloc(n + 1);
    char json[1024], pass[300], reason[400];

    /* a huge body is refused before it is parsed */
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    assert_int_equal(tc_signal_parse(big, (size_t)-1, &s, &err), TC_ERANGE);
    assert_msg_has(&err, "signal: the body is 65546 bytes long (at most 65536)");
    free(big);

    /* an overlong passphrase is refused without being quoted */
    memset(pass, 'Q', 200);
    pass[200] = '\0';
    snprintf(json, sizeof(json),
             HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS ",\"passphrase\":\"%s\"}", pass);
    assert_int_equal(tc_signal_parse(json, (size_t)-1, &s, &err), TC_EINVAL);
    assert_string_equal(err.msg, "passphrase is 200 bytes long (at most 127)");
    assert_null(strstr(err.msg, "QQQ"));
    assert_true(all_zero(&s, sizeof(s)));

    /* an overlong reason names the field and its length */
    memset(reason, 'r', 300);
    reason[300] = '\0';
    snprintf(json, sizeof(json),
             HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS ",\"reason\":\"%s\"}", reason);
    assert_int_equal(tc_signal_parse(json, (size_t)-1, &s, &err), TC_EINVAL);
    assert_msg_has(&err, "reason \"rrrr");
    assert_msg_has(&err, "is 300 bytes long (at most 255)");

    /* NULL arguments */
    assert_int_equal(tc_signal_parse(NULL, 5, &s, &err), TC_EINVAL);
    assert_msg_has(&err, "signal: no body given");
    assert_int_equal(tc_signal_parse("{}", 2, NULL, &err), TC_EINVAL);
    /* a NULL error pointer is allowed */
    assert_int_equal(tc_signal_parse("{", 1, &s, NULL), TC_EPARSE);
}

static void test_names(void **state)
{
    (void)state;
    enum tc_signal_type t = TC_SIGNAL_EXIT;
    enum tc_side side = TC_SIDE_SHORT;
    struct tc_error err = {0};

    assert_string_equal(tc_signal_type_name(TC_SIGNAL_BASE_ENTRY), "BASE_ENTRY");
    assert_string_equal(tc_signal_type_name(TC_SIGNAL_STOP_UPDATE), "STOP_UPDATE");
    assert_string_equal(tc_signal_type_name((enum tc_signal_type)0), "?");
    assert_string_equal(tc_signal_type_name((enum tc_signal_type)9), "?");
    assert_string_equal(tc_side_name(TC_SIDE_LONG), "LONG");
    assert_string_equal(tc_side_name((enum tc_side)3), "?");
    tc_assert_ok(tc_signal_type_parse("PYRAMID", &t, &err), &err);
    assert_int_equal(t, TC_SIGNAL_PYRAMID);
    assert_int_equal(tc_signal_type_parse("PYRAMIDS", &t, &err), TC_EINVAL);
    assert_int_equal(t, TC_SIGNAL_PYRAMID);
    assert_int_equal(tc_signal_type_parse(NULL, &t, &err), TC_EINVAL);
    assert_string_equal(err.msg, "type is missing");
    tc_assert_ok(tc_side_parse("LONG", &side, &err), &err);
    assert_int_equal(side, TC_SIDE_LONG);
    assert_int_equal(tc_side_parse("", &side, &err), TC_EINVAL);
    assert_string_equal(err.msg, "side \"\" is not one of LONG, SHORT");
    assert_int_equal(tc_side_parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &side, &err),
                     TC_EINVAL);
    assert_string_equal(err.msg, "side \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...\" is not one of "
                                 "LONG, SHORT");
    assert_int_equal(side, TC_SIDE_LONG);
}

/* ---- built signals ------------------------------------------------------- */

static struct tc_signal base_signal(void)
{
    struct tc_signal s;
    memset(&s, 0, sizeof(s));
    s.type = TC_SIGNAL_BASE_ENTRY;
    s.side = TC_SIDE_LONG;
    memcpy(s.portfolio, "p1", 3);
    memcpy(s.strategy, "s1", 3);
    memcpy(s.instrument, "AAPL", 5);
    s.price = D("100");
    s.stop = D("95");
    s.has_price = s.has_stop = 1;
    s.timestamp_us = TS_US;
    return s;
}

static void test_check_built(void **state)
{
    (void)state;
    struct tc_signal s = base_signal();
    struct tc_error err = {0};

    tc_assert_ok(tc_signal_check(&s, &err), &err);

    s.type = (enum tc_signal_type)0;
    assert_int_equal(tc_signal_check(&s, &err), TC_EINVAL);
    assert_msg_has(&err, "type 0 is not one of");
    s = base_signal();
    s.side = (enum tc_side)7;
    assert_int_equal(tc_signal_check(&s, &err), TC_EINVAL);
    assert_msg_has(&err, "side 7 is not one of LONG, SHORT");
    s = base_signal();
    memset(s.portfolio, 'a', sizeof(s.portfolio)); /* no NUL inside the array */
    assert_int_equal(tc_signal_check(&s, &err), TC_EINVAL);
    assert_string_equal(err.msg, "portfolio id is longer than 64 characters");
    s = base_signal();
    s.instrument[0] = '\0';
    assert_int_equal(tc_signal_check(&s, &err), TC_EINVAL);
    assert_msg_has(&err, "instrument id \"\" is empty");
    s = base_signal();
    s.has_stop = 0;
    assert_int_equal(tc_signal_check(&s, &err), TC_EINVAL);
    assert_string_equal(err.msg, "stop is missing (required for BASE_ENTRY)");
    s = base_signal();
    s.side = TC_SIDE_SHORT;
    assert_int_equal(tc_signal_check(&s, &err), TC_EINVAL);
    assert_string_equal(err.msg, "stop 95 must be above the price 100 for a SHORT BASE_ENTRY");
    s = base_signal();
    s.price = D("-0.00000001");
    assert_int_equal(tc_signal_check(&s, &err), TC_EINVAL);
    assert_string_equal(err.msg, "price -0.00000001 must be positive");
    s = base_signal();
    memset(s.reason, 'x', sizeof(s.reason));
    assert_int_equal(tc_signal_check(&s, &err), TC_EINVAL);
    assert_string_equal(err.msg, "reason is longer than 255 bytes");
    s = base_signal();
    memcpy(s.reason, "tab\there", 9);
    assert_int_equal(tc_signal_check(&s, &err), TC_EINVAL);
    assert_msg_has(&err, "reason has a control character at offset 3");
    assert_int_equal(tc_signal_check(NULL, &err), TC_EINVAL);
}

/* tc_signal_validate_known: the ids of its bits are not checked (a bad one
 * passes), the others are, with tc_signal_validate's messages; KNOWN 0 is
 * tc_signal_validate, and a known id does not skip the other checks. */
static void test_validate_known(void **state)
{
    (void)state;
    struct tc_signal s = base_signal();
    struct tc_error err = {0}, err2 = {0};
    const unsigned both = TC_SIGNAL_KNOWN_PORTFOLIO | TC_SIGNAL_KNOWN_STRATEGY;

    tc_assert_ok(tc_signal_validate_known(&s, TS_US, 0, both, &err), &err);
    memcpy(s.portfolio, "p 1", 4);
    memcpy(s.strategy, "s 1", 4);
    tc_assert_ok(tc_signal_validate_known(&s, TS_US, 0, both, &err), &err);
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0, TC_SIGNAL_KNOWN_PORTFOLIO, &err),
                     TC_EINVAL);
    assert_int_equal(tc_signal_validate(&s, TS_US, 0, &err2), TC_EINVAL);
    assert_msg_has(&err, "strategy id \"s 1\"");
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0, TC_SIGNAL_KNOWN_STRATEGY, &err),
                     TC_EINVAL);
    assert_msg_has(&err, "portfolio id \"p 1\"");
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0, 0, &err), TC_EINVAL);
    assert_string_equal(err.msg, err2.msg);
    assert_msg_has(&err, "portfolio id \"p 1\"");
    /* the instrument unless known, and the signal id always, are checked */
    s = base_signal();
    s.instrument[0] = '\0';
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0, both, &err), TC_EINVAL);
    assert_msg_has(&err, "instrument id \"\" is empty");
    memcpy(s.instrument, "I 1", 4);
    tc_assert_ok(tc_signal_validate_known(&s, TS_US, 0, TC_SIGNAL_KNOWN_INSTRUMENT, &err), &err);
    memcpy(s.portfolio, "p 1", 4);
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0, TC_SIGNAL_KNOWN_INSTRUMENT, &err),
                     TC_EINVAL);
    assert_msg_has(&err, "portfolio id \"p 1\"");
    memcpy(s.portfolio, "p1", 3);
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0, both, &err), TC_EINVAL);
    assert_msg_has(&err, "instrument id \"I 1\"");
    s = base_signal();
    s.has_signal_id = 1;
    memcpy(s.signal_id, "a b", 4);
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0, both, &err), TC_EINVAL);
    assert_msg_has(&err, "signal_id \"a b\" has a character that is not allowed");
    /* and everything after the ids */
    s = base_signal();
    s.has_stop = 0;
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0, both, &err), TC_EINVAL);
    assert_string_equal(err.msg, "stop is missing (required for BASE_ENTRY)");
    s = base_signal();
    assert_int_equal(tc_signal_validate_known(&s, TS_US + 1, 0, both, &err), TC_ERANGE);
    assert_int_equal(tc_signal_validate(&s, TS_US + 1, 0, &err2), TC_ERANGE);
    assert_string_equal(err.msg, err2.msg);
    assert_msg_has(&err, "more than the 0 s allowed");
    assert_int_equal(tc_signal_validate_known(&s, TS_US, -1, both, &err), TC_EINVAL);
    assert_string_equal(err.msg, "signal: maximum skew -1 us is negative");
    assert_int_equal(tc_signal_validate_known(NULL, TS_US, 0, both, &err), TC_EINVAL);
    assert_string_equal(err.msg, "signal: none given");
    /* bits it does not name are no id's: every id is checked */
    s = base_signal();
    memcpy(s.instrument, "I 1", 4);
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0,
                                              ~(both | TC_SIGNAL_KNOWN_INSTRUMENT), &err),
                     TC_EINVAL);
    assert_msg_has(&err, "instrument id \"I 1\"");
    memcpy(s.instrument, "I1", 3);
    memcpy(s.portfolio, "p 1", 4);
    assert_int_equal(tc_signal_validate_known(&s, TS_US, 0, 8u, &err), TC_EINVAL);
    assert_msg_has(&err, "portfolio id \"p 1\"");
}

/* Each id field and the reason with every byte value at the edges of
 * 16-byte steps, at every length up to the limit and one past it, with
 * junk after the NUL: tc_signal_check accepts exactly what tc_id_validate
 * and the byte-wise control check accept, and refuses with their messages. */
static void test_check_every_byte(void **state)
{
    (void)state;
    static const size_t lens[] = {1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65};
    struct tc_error err = {0}, want = {0};
    char junk[TC_SIGNAL_REASON_MAX];

    for (size_t j = 0; j < sizeof(junk); j++)
        junk[j] = (char)(j * 37 + 11); /* control bytes, bad id bytes, high bytes */
    for (int field = 0; field < 4; field++) {
        static const char *const names[] = {"portfolio", "strategy", "instrument", "signal_id"};
        for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
            const size_t len = lens[li];
            for (size_t pos = 0; pos < len && pos < TC_ID_BUFSZ; pos++) {
                if (pos != 0 && pos != len - 1 && pos % 16 != 0 && pos % 16 != 15)
                    continue;
                for (int b = 0; b < 256; b++) {
                    struct tc_signal sig = base_signal();
                    char *id = field == 0   ? sig.portfolio
                               : field == 1 ? sig.strategy
                               : field == 2 ? sig.instrument
                                            : sig.signal_id;
                    int rc, wrc;
                    sig.has_signal_id = 1;
                    memcpy(sig.signal_id, "sig-1", 6);
                    memcpy(id, junk, TC_ID_BUFSZ);
                    memset(id, 'a', len < TC_ID_BUFSZ ? len : TC_ID_BUFSZ);
                    id[pos] = (char)b;
                    if (len < TC_ID_BUFSZ)
                        id[len] = '\0';
                    rc = tc_signal_check(&sig, &err);
                    if (memchr(id, '\0', TC_ID_BUFSZ) == NULL) {
                        assert_int_equal(rc, TC_EINVAL);
                        snprintf(want.msg, sizeof(want.msg), "%s id is longer than 64 characters",
                                 names[field]);
                        assert_string_equal(err.msg, want.msg);
                        continue;
                    }
                    wrc = tc_id_validate(names[field], id, &want);
                    assert_int_equal(rc, wrc);
                    if (wrc != 0)
                        assert_string_equal(err.msg, want.msg);
                }
            }
        }
    }
    /* the empty ids, junk after their NUL */
    for (int field = 0; field < 3; field++) {
        struct tc_signal sig = base_signal();
        char *id = field == 0 ? sig.portfolio : field == 1 ? sig.strategy : sig.instrument;
        memcpy(id, junk, TC_ID_BUFSZ);
        id[0] = '\0';
        assert_int_equal(tc_signal_check(&sig, &err), TC_EINVAL);
        assert_msg_has(&err, "id \"\" is empty");
    }
    /* the reason: a control byte anywhere before the NUL is refused at its
     * offset, anything after the NUL is not read as text */
    for (size_t len = 0; len < TC_SIGNAL_REASON_MAX + 1; len++) {
        for (size_t pos = 0; pos < len && pos < TC_SIGNAL_REASON_MAX; pos += (pos % 16 == 1 ? 14 : 1)) {
            for (int b = 1; b < 256; b += (len % 7 == 0 ? 1 : 17)) {
                struct tc_signal sig = base_signal();
                int rc, ctl = b < 0x20 || b == 0x7f;
                memcpy(sig.reason, junk, sizeof(sig.reason));
                memset(sig.reason, 'r', len < sizeof(sig.reason) ? len : sizeof(sig.reason));
                sig.reason[pos] = (char)b;
                if (len < sizeof(sig.reason))
                    sig.reason[len] = '\0';
                rc = tc_signal_check(&sig, &err);
                if (len >= sizeof(sig.reason)) {
                    assert_int_equal(rc, TC_EINVAL);
                    assert_string_equal(err.msg, "reason is longer than 255 bytes");
                } else if (ctl) {
                    assert_int_equal(rc, TC_EINVAL);
                    snprintf(want.msg, sizeof(want.msg),
                             "reason has a control character at offset %zu", pos);
                    assert_string_equal(err.msg, want.msg);
                } else {
                    tc_assert_ok(rc, &err);
                }
            }
        }
        if (len < TC_SIGNAL_REASON_MAX) {
            struct tc_signal sig = base_signal();
            memcpy(sig.reason, junk, sizeof(sig.reason));
            memset(sig.reason, 'r', len);
            sig.reason[len] = '\0';
            tc_assert_ok(tc_signal_check(&sig, &err), &err);
        }
    }
}

static void test_timestamp_window(void **state)
{
    (void)state;
    const int64_t skew = INT64_C(300000000); /* 300 s */
    struct tc_signal s = base_signal();
    struct tc_error err = {0};

    tc_assert_ok(tc_signal_validate(&s, TS_US, skew, &err), &err);
    tc_assert_ok(tc_signal_validate(&s, TS_US + skew, skew, &err), &err);  /* exactly 300 s old */
    tc_assert_ok(tc_signal_validate(&s, TS_US - skew, skew, &err), &err);  /* 300 s ahead */
    tc_assert_ok(tc_signal_validate(&s, TS_US, 0, &err), &err);

    assert_int_equal(tc_signal_validate(&s, TS_US + skew + 1, skew, &err), TC_ERANGE);
    assert_string_equal(err.msg, "timestamp 2024-01-31T14:30:00.000000Z is 300 s before now "
                                 "(2024-01-31T14:35:00.000001Z), more than the 300 s allowed");
    assert_int_equal(tc_signal_validate(&s, TS_US - INT64_C(3600000000), skew, &err), TC_ERANGE);
    assert_string_equal(err.msg, "timestamp 2024-01-31T14:30:00.000000Z is 3600 s after now "
                                 "(2024-01-31T13:30:00.000000Z), more than the 300 s allowed");
    assert_int_equal(tc_signal_validate(&s, TS_US + 1, 0, &err), TC_ERANGE);

    /* far out of range, without overflow */
    s.timestamp_us = INT64_MIN;
    assert_int_equal(tc_signal_validate(&s, INT64_MAX, skew, &err), TC_ERANGE);
    assert_msg_has(&err, "before now");
    s.timestamp_us = INT64_MAX;
    assert_int_equal(tc_signal_validate(&s, INT64_MIN, INT64_MAX, &err), TC_ERANGE);
    assert_msg_has(&err, "after now");

    s = base_signal();
    assert_int_equal(tc_signal_validate(&s, TS_US, -1, &err), TC_EINVAL);
    assert_msg_has(&err, "maximum skew -1 us is negative");
    /* the field checks come first */
    s.stop = D("101");
    assert_int_equal(tc_signal_validate(&s, TS_US, skew, &err), TC_EINVAL);
    assert_msg_has(&err, "stop 101 must be below");
}

static void test_passphrase(void **state)
{
    (void)state;
    struct tc_signal s;
    struct tc_error err = {0};

    parse_ok(HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS ",\"passphrase\":\"open sesame\"}", &s);
    tc_assert_ok(tc_signal_check_passphrase(&s, "open sesame", &err), &err);
    assert_int_equal(tc_signal_check_passphrase(&s, "open sesamE", &err), TC_EAUTH);
    assert_string_equal(err.msg, "signal passphrase does not match");
    assert_int_equal(tc_signal_check_passphrase(&s, "open sesame!", &err), TC_EAUTH);
    assert_int_equal(tc_signal_check_passphrase(&s, "open", &err), TC_EAUTH);
    assert_int_equal(tc_signal_check_passphrase(&s, "", &err), TC_EINVAL);
    assert_null(strstr(err.msg, "sesame"));
    assert_int_equal(tc_signal_check_passphrase(&s, NULL, &err), TC_EINVAL);

    tc_signal_wipe_passphrase(&s);
    assert_false(s.has_passphrase);
    assert_true(all_zero(s.passphrase, sizeof(s.passphrase)));
    assert_int_equal(tc_signal_check_passphrase(&s, "open sesame", &err), TC_EAUTH);
    assert_string_equal(err.msg, "signal passphrase is missing");
    tc_signal_wipe_passphrase(NULL);

    parse_ok(HEAD "\"type\":\"EXIT\",\"side\":\"LONG\"," TS "}", &s);
    assert_int_equal(tc_signal_check_passphrase(&s, "open sesame", &err), TC_EAUTH);
    assert_string_equal(err.msg, "signal passphrase is missing");
}

/* ---- fingerprints -------------------------------------------------------- */

static void fp_of(const char *json, char out[TC_SIGNAL_FP_LEN])
{
    struct tc_signal s;
    parse_ok(json, &s);
    assert_int_equal(tc_signal_fingerprint(&s, out), 0);
}

static void test_fingerprint_forms(void **state)
{
    (void)state;
    /* the same canonical fields in other forms: number forms, key order,
     * whitespace, time zone, extras, passphrase */
    static const char *const same[] = {
        ENTRY "\"price\":\"100.0\",\"stop\":\"95.00\"}",
        ENTRY "\"price\":100,\"stop\":95}",
        ENTRY "\"price\":100.0,\"stop\":9.5e1}",
        ENTRY "\"price\":\"1e2\",\"stop\":\"+095\"}",
        "{ \"stop\" : 95 ,\n\t\"price\" : 100 , \"timestamp\" : \"2024-01-31T14:30:00Z\",\n"
        "  \"side\":\"LONG\", \"type\":\"BASE_ENTRY\", \"instrument\":\"AAPL\",\n"
        "  \"strategy\":\"s1\", \"portfolio\":\"p1\" }",
        HEAD "\"type\":\"BASE_ENTRY\",\"side\":\"LONG\",\"timestamp\":\"2024-01-31T09:30:00-05:00\","
             "\"price\":100,\"stop\":95}",
        HEAD "\"type\":\"BASE_ENTRY\",\"side\":\"LONG\",\"timestamp\":\"2024-01-31 14:30:00.000000\","
             "\"price\":100,\"stop\":95}",
        ENTRY "\"price\":100,\"stop\":95,\"passphrase\":\"one\",\"exchange\":\"NASDAQ\"}",
        ENTRY "\"price\":100,\"stop\":95,\"passphrase\":\"two\",\"quantity\":null}",
    };
    char first[TC_SIGNAL_FP_LEN], fp[TC_SIGNAL_FP_LEN];

    fp_of(same[0], first);
    assert_int_equal(strlen(first), 7 + 64);
    assert_memory_equal(first, "sha256:", 7);
    for (size_t i = 7; first[i]; i++)
        assert_true((first[i] >= '0' && first[i] <= '9') || (first[i] >= 'a' && first[i] <= 'f'));
    for (size_t i = 1; i < sizeof(same) / sizeof(same[0]); i++) {
        fp_of(same[i], fp);
        if (strcmp(fp, first) != 0)
            fail_msg("case %zu: %s gives %s, not %s", i, same[i], fp, first);
    }
}

/* SHA-256 of TEXT as "sha256:<hex>", computed here independently. */
static void sha256_hex(const char *text, char out[TC_SIGNAL_FP_LEN])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL), 1);
    memcpy(out, "sha256:", 8);
    for (unsigned i = 0; i < n; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

/* The canonical text is a stored format: pin it. */
static void test_fingerprint_canonical_text(void **state)
{
    (void)state;
    char fp[TC_SIGNAL_FP_LEN], want[TC_SIGNAL_FP_LEN];
    struct tc_signal s = base_signal();

    s.price = D("100.50");
    s.has_quantity = 1;
    s.quantity = D("25");
    memcpy(s.reason, "sma cross", 10);
    assert_int_equal(tc_signal_fingerprint(&s, fp), 0);
    sha256_hex("tradecore-signal-v1\ntype=BASE_ENTRY\nportfolio=p1\nstrategy=s1\n"
               "instrument=AAPL\nside=LONG\nprice=100.5\nstop=95\nquantity=25\nlots=-\n"
               "timestamp=2024-01-31T14:30:00.000000Z\nreason=sma cross\n",
               want);
    assert_string_equal(fp, want);
}

static void test_fingerprint_changes(void **state)
{
    (void)state;
    char base_fp[TC_SIGNAL_FP_LEN], fp[TC_SIGNAL_FP_LEN], seen[16][TC_SIGNAL_FP_LEN];
    struct tc_signal b = base_signal(), s;
    size_t nseen = 0;

    assert_int_equal(tc_signal_fingerprint(&b, base_fp), 0);
    memcpy(seen[nseen++], base_fp, sizeof(base_fp));
    for (int field = 0; field < 14; field++) {
        s = b;
        switch (field) {
        case 0: s.type = TC_SIGNAL_PYRAMID; break;
        case 1: s.portfolio[1] = '2'; break;
        case 2: s.strategy[1] = '2'; break;
        case 3: memcpy(s.instrument, "AAPM", 5); break;
        case 4: s.side = TC_SIDE_SHORT; break;
        case 5: s.price = D("100.00000001"); break;
        case 6: s.stop = D("95.1"); break;
        case 7: s.has_quantity = 1; s.quantity = D("10"); break;
        case 8: s.has_lots = 1; s.lots = D("10"); break;
        case 9: s.timestamp_us += 1; break;
        case 10: memcpy(s.reason, "x", 2); break;
        case 11: s.has_price = 0; break;
        case 12: s.has_stop = 0; break;
        case 13: s.has_quantity = 1; s.quantity = D("95"); s.has_stop = 0; break;
        }
        assert_int_equal(tc_signal_fingerprint(&s, fp), 0);
        for (size_t k = 0; k < nseen; k++)
            if (strcmp(fp, seen[k]) == 0)
                fail_msg("field change %d gives an already seen fingerprint %s", field, fp);
        memcpy(seen[nseen++], fp, sizeof(fp));
    }

    /* the passphrase never counts */
    s = b;
    s.has_passphrase = 1;
    memcpy(s.passphrase, "secret", 7);
    assert_int_equal(tc_signal_fingerprint(&s, fp), 0);
    assert_string_equal(fp, base_fp);
}

static void test_fingerprint_signal_id(void **state)
{
    (void)state;
    char a[TC_SIGNAL_FP_LEN], b[TC_SIGNAL_FP_LEN];
    char id64[80], json[512];

    /* the signal_id wins over every other field */
    fp_of(ENTRY "\"price\":100,\"stop\":95,\"signal_id\":\"tv:42\"}", a);
    fp_of(HEAD "\"type\":\"EXIT\",\"side\":\"SHORT\"," TS ",\"signal_id\":\"tv:42\"}", b);
    assert_string_equal(a, "id:tv:42");
    assert_string_equal(b, "id:tv:42");
    fp_of(ENTRY "\"price\":100,\"stop\":95,\"signal_id\":\"tv:43\"}", b);
    assert_string_equal(b, "id:tv:43");

    /* the longest id fits */
    memset(id64, 'z', 64);
    id64[64] = '\0';
    snprintf(json, sizeof(json), ENTRY "\"price\":100,\"stop\":95,\"signal_id\":\"%s\"}", id64);
    fp_of(json, a);
    assert_int_equal(strlen(a), 3 + 64);
    assert_string_equal(a + 3, id64);

    /* a built signal: every length, junk after the id's NUL; an id filling
     * its buffer with no NUL is cut at TC_ID_MAX */
    for (size_t len = 1; len <= TC_ID_BUFSZ; len++) {
        struct tc_signal s = base_signal();
        char want[TC_SIGNAL_FP_LEN];
        memset(a, 'q', sizeof(a));
        for (size_t k = 0; k < TC_ID_BUFSZ; k++)
            s.signal_id[k] = (char)(k < len ? 'a' + (char)(k % 26) : 'J');
        if (len < TC_ID_BUFSZ)
            s.signal_id[len] = '\0';
        s.has_signal_id = 1;
        assert_int_equal(tc_signal_fingerprint(&s, a), 0);
        snprintf(want, sizeof(want), "id:%.*s", (int)(len < TC_ID_MAX ? len : TC_ID_MAX),
                 s.signal_id);
        assert_string_equal(a, want);
    }
}

/* ---- outcomes ------------------------------------------------------------ */

static void test_outcome_json(void **state)
{
    (void)state;
    struct tc_signal_outcome o, back;
    struct tc_error err = {0};
    char buf[TC_SIGNAL_OUTCOME_JSON_MAX];
    int n;

    memset(&o, 0, sizeof(o));
    o.status = TC_SIGNAL_ACCEPTED;
    memcpy(o.fingerprint, "id:tv:42", 9);
    memcpy(o.position_id, "pos-1", 6);
    memcpy(o.order_id, "ord-1", 6);
    n = tc_signal_outcome_json(&o, buf, sizeof(buf), &err);
    assert_string_equal(buf, "{\"status\":\"accepted\",\"reason\":null,\"fingerprint\":\"id:tv:42\","
                             "\"position_id\":\"pos-1\",\"order_id\":\"ord-1\",\"duplicate\":false}");
    assert_int_equal(n, (int)strlen(buf));
    tc_assert_ok(tc_signal_outcome_parse(buf, (size_t)-1, &back, &err), &err);
    assert_memory_equal(&back, &o, sizeof(o));

    memset(&o, 0, sizeof(o));
    o.status = TC_SIGNAL_REJECTED;
    snprintf(o.reason, sizeof(o.reason), "%s",
             "pyramid: price 101.5 has \"moved\" 1.5 in favour \xc2\xb1");
    memcpy(o.fingerprint, "sha256:00ff", 12);
    o.duplicate = 1;
    n = tc_signal_outcome_json(&o, buf, sizeof(buf), &err);
    assert_true(n > 0);
    assert_string_equal(buf, "{\"status\":\"rejected\",\"reason\":\"pyramid: price 101.5 has "
                             "\\\"moved\\\" 1.5 in favour \xc2\xb1\",\"fingerprint\":\"sha256:00ff\","
                             "\"position_id\":null,\"order_id\":null,\"duplicate\":true}");
    tc_assert_ok(tc_signal_outcome_parse(buf, (size_t)n, &back, &err), &err);
    assert_memory_equal(&back, &o, sizeof(o));

    /* the longest reason, all escapes, fits the documented maximum */
    memset(&o, 0, sizeof(o));
    o.status = TC_SIGNAL_REJECTED;
    memset(o.reason, '\x01', sizeof(o.reason) - 1);
    memset(o.fingerprint, 'f', sizeof(o.fingerprint) - 1);
    memset(o.position_id, 'p', sizeof(o.position_id) - 1);
    memset(o.order_id, 'o', sizeof(o.order_id) - 1);
    n = tc_signal_outcome_json(&o, buf, sizeof(buf), &err);
    assert_true(n > 6 * 511 && n < TC_SIGNAL_OUTCOME_JSON_MAX);
    tc_assert_ok(tc_signal_outcome_parse(buf, (size_t)n, &back, &err), &err);
    assert_memory_equal(&back, &o, sizeof(o));

    /* too small a buffer */
    memset(&o, 0, sizeof(o));
    o.status = TC_SIGNAL_ACCEPTED;
    assert_int_equal(tc_signal_outcome_json(&o, buf, 20, &err), TC_ENOSPC);
    assert_string_equal(buf, "");
    assert_msg_has(&err, "needs 108 bytes, the buffer has 20");
    /* exactly enough */
    assert_int_equal(tc_signal_outcome_json(&o, buf, 108, &err), 107);
    assert_int_equal(tc_signal_outcome_json(&o, buf, 107, &err), TC_ENOSPC);

    /* bad outcomes */
    o.status = (enum tc_signal_status)0;
    assert_int_equal(tc_signal_outcome_json(&o, buf, sizeof(buf), &err), TC_EINVAL);
    assert_msg_has(&err, "status 0 is not accepted or rejected");
    o.status = TC_SIGNAL_ACCEPTED;
    snprintf(o.reason, sizeof(o.reason), "%s", "bad \xff utf-8");
    assert_int_equal(tc_signal_outcome_json(&o, buf, sizeof(buf), &err), TC_EINVAL);
    assert_msg_has(&err, "reason is not valid UTF-8");
    memset(o.reason, 0, sizeof(o.reason));
    memset(o.order_id, 'o', sizeof(o.order_id));
    assert_int_equal(tc_signal_outcome_json(&o, buf, sizeof(buf), &err), TC_EINVAL);
    assert_msg_has(&err, "order_id is not terminated within 65 bytes");
}

static void test_outcome_parse_bad(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int code;
        const char *msg;
    } cases[] = {
        {"", TC_EPARSE, "signal outcome: malformed JSON at line 1"},
        {"{\"status\":\"accepted\"", TC_EPARSE, "signal outcome: malformed JSON at line 1"},
        {"[]", TC_EINVAL, "signal outcome must be a JSON object, not an array"},
        {"{\"status\":\"accepted\",\"reason\":null,\"fingerprint\":null,\"position_id\":null,"
         "\"order_id\":null}", TC_EINVAL, "signal outcome: duplicate is missing"},
        {"{\"status\":\"accepted\",\"reason\":null,\"fingerprint\":null,\"position_id\":null,"
         "\"order_id\":null,\"duplicate\":false,\"extra\":1}", TC_EINVAL,
         "signal outcome: unknown key \"extra\""},
        {"{\"status\":\"maybe\",\"reason\":null,\"fingerprint\":null,\"position_id\":null,"
         "\"order_id\":null,\"duplicate\":false}", TC_EINVAL,
         "signal outcome: status must be \"accepted\" or \"rejected\""},
        {"{\"status\":\"accepted\",\"reason\":3,\"fingerprint\":null,\"position_id\":null,"
         "\"order_id\":null,\"duplicate\":false}", TC_EINVAL,
         "signal outcome: reason must be a string or null, not a number"},
        {"{\"status\":\"accepted\",\"reason\":null,\"fingerprint\":null,\"position_id\":null,"
         "\"order_id\":null,\"duplicate\":\"yes\"}", TC_EINVAL,
         "signal outcome: duplicate must be true or false, not a string"},
        {"{\"status\":\"accepted\",\"reason\":null,\"fingerprint\":null,\"position_id\":"
         "\"p12345678901234567890123456789012345678901234567890123456789012345\","
         "\"order_id\":null,\"duplicate\":false}", TC_EINVAL,
         "signal outcome: position_id is 66 bytes long (at most 64)"},
        {"{\"status\":\"accepted\",\"status\":\"rejected\",\"reason\":null,\"fingerprint\":null,"
         "\"position_id\":null,\"order_id\":null,\"duplicate\":false}", TC_EPARSE,
         "duplicate object key"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_signal_outcome o;
        struct tc_error err = {0};
        int rc;

        memset(&o, 0x5a, sizeof(o));
        rc = tc_signal_outcome_parse(cases[i].json, (size_t)-1, &o, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu: got %s (%s)", i, tc_strerror_name(rc), err.msg);
        assert_msg_has(&err, cases[i].msg);
        for (size_t k = 0; k < sizeof(o); k++)
            assert_int_equal(((unsigned char *)&o)[k], 0x5a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_every_type),
        cmocka_unit_test(test_number_forms),
        cmocka_unit_test(test_tradingview_body),
        cmocka_unit_test(test_bad_bodies),
        cmocka_unit_test(test_bad_sizes_and_secrets),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_check_built),
        cmocka_unit_test(test_validate_known),
        cmocka_unit_test(test_check_every_byte),
        cmocka_unit_test(test_timestamp_window),
        cmocka_unit_test(test_passphrase),
        cmocka_unit_test(test_fingerprint_forms),
        cmocka_unit_test(test_fingerprint_canonical_text),
        cmocka_unit_test(test_fingerprint_changes),
        cmocka_unit_test(test_fingerprint_signal_id),
        cmocka_unit_test(test_outcome_json),
        cmocka_unit_test(test_outcome_parse_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
