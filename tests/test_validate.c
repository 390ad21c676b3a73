/* Field checks shared by the entity repositories: ids, text, currency codes,
 * time zones, JSON objects and dates, each with the code and a message naming
 * the field and the value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/validate.h"

static void expect_bad(int rc, const struct tc_error *err, const char *w1, const char *w2)
{
    if (rc != TC_EINVAL)
        fail_msg("expected TC_EINVAL, got %s (%s)", tc_strerror_name(rc), err->msg);
    if (w1 && !strstr(err->msg, w1))
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, w1);
    if (w2 && !strstr(err->msg, w2))
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, w2);
}

static void test_currency(void **state)
{
    struct tc_error err = {0};
    static const char *const bad[] = {"usd", "US", "USDX", "U1D", "", "US ", "ÜSD"};
    (void)state;
    tc_assert_ok(tc_validate_currency("ccy", "USD", &err), &err);
    tc_assert_ok(tc_validate_currency("ccy", "JPY", &err), &err);
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        tc_error_clear(&err);
        expect_bad(tc_validate_currency("portfolio \"p\": base_currency", bad[k], &err), &err,
                   "portfolio \"p\": base_currency", bad[k][0] ? bad[k] : "empty");
    }
    expect_bad(tc_validate_currency("ccy", NULL, &err), &err, "ccy", "empty");
}

static void test_timezone(void **state)
{
    struct tc_error err = {0};
    static const char *const good[] = {"UTC", "America/New_York", "Europe/London",
                                       "Asia/Tokyo", "Etc/GMT+5"};
    static const char *const bad[] = {"",           "Mars/Base",     "../../etc/passwd",
                                      "/etc/localtime", "America//New_York", "America/",
                                      "zone.tab",   "America",       "UTC;rm -rf",
                                      "America/New York"};
    char huge[300];
    (void)state;
    for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++)
        tc_assert_ok(tc_validate_timezone("tz", good[k], &err), &err);
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        tc_error_clear(&err);
        expect_bad(tc_validate_timezone("market \"X\": timezone", bad[k], &err), &err,
                   "market \"X\": timezone", NULL);
    }
    memset(huge, 'A', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    expect_bad(tc_validate_timezone("tz", huge, &err), &err, "tz", "long");
    expect_bad(tc_validate_timezone("tz", NULL, &err), &err, "tz", "empty");
}

static void test_json(void **state)
{
    struct tc_error err = {0};
    char *big;
    (void)state;
    tc_assert_ok(tc_validate_json_object("m", NULL, &err), &err);
    tc_assert_ok(tc_validate_json_object("m", "{}", &err), &err);
    tc_assert_ok(tc_validate_json_object("m", "{\"a\": [1, {\"b\": null}]}", &err), &err);
    expect_bad(tc_validate_json_object("x: metadata", "", &err), &err, "x: metadata",
               "not valid JSON");
    expect_bad(tc_validate_json_object("m", "{\"a\":", &err), &err, "m", "not valid JSON");
    expect_bad(tc_validate_json_object("m", "[]", &err), &err, "m", "not a JSON object");
    expect_bad(tc_validate_json_object("m", "42", &err), &err, "m", "not a JSON object");
    expect_bad(tc_validate_json_object("m", "{\"x\": NaN}", &err), &err, "m", "not valid JSON");
    expect_bad(tc_validate_json_object("m", "{\"a\":1,\"a\":2}", &err), &err, "m", "duplicate");
    expect_bad(tc_validate_json_object("m", "{} {}", &err), &err, "m", "not valid JSON");
    /* a large object is fine */
    big = malloc(1 << 20);
    assert_non_null(big);
    {
        size_t n = 0;
        big[n++] = '{';
        for (int i = 0; i < 20000; i++)
            n += (size_t)snprintf(big + n, (1 << 20) - n, "%s\"k%d\":%d", i ? "," : "", i, i);
        big[n++] = '}';
        big[n] = '\0';
    }
    tc_assert_ok(tc_validate_json_object("m", big, &err), &err);
    free(big);
}

static void test_date(void **state)
{
    struct tc_error err = {0};
    static const char *const good[] = {"2024-02-29", "2000-02-29", "1999-12-31", "2026-01-01"};
    static const char *const bad[] = {"2025-02-29", "2100-02-29", "2024-13-01", "2024-00-10",
                                      "2024-04-31", "2024-1-01",  "20240101",   "",
                                      "2024-01-01T00:00:00Z", "abcd-ef-gh"};
    (void)state;
    for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++)
        tc_assert_ok(tc_validate_date("d", good[k], &err), &err);
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        tc_error_clear(&err);
        expect_bad(tc_validate_date("maturity_date", bad[k], &err), &err, "maturity_date",
                   "not a date");
    }
    expect_bad(tc_validate_date("d", NULL, &err), &err, "d", NULL);
}

static void test_text_and_id(void **state)
{
    struct tc_error err = {0};
    char huge[200];
    (void)state;
    tc_assert_ok(tc_validate_text("name", "Oracle Corporation", 127, 0, &err), &err);
    tc_assert_ok(tc_validate_text("name", "", 127, 1, &err), &err);
    tc_assert_ok(tc_validate_text("name", NULL, 127, 1, &err), &err);
    expect_bad(tc_validate_text("x: name", "", 127, 0, &err), &err, "x: name", "empty");
    expect_bad(tc_validate_text("x: name", "a\tb", 127, 0, &err), &err, "x: name", "control");
    expect_bad(tc_validate_text("x: name", "a\x7f", 127, 0, &err), &err, "x: name", "control");
    memset(huge, 'n', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    expect_bad(tc_validate_text("x: name", huge, 127, 0, &err), &err, "x: name",
               "199 bytes long (at most 127)");
    tc_assert_ok(tc_validate_id("instrument", "ORCL.Q-1:x_2", &err), &err);
    expect_bad(tc_validate_id("instrument", "", &err), &err, "instrument id", "empty");
    expect_bad(tc_validate_id("instrument", "a b", &err), &err, "instrument id", "a b");
    expect_bad(tc_validate_id("instrument", huge, &err), &err, "instrument id", "longer");
}

/* Free text is read eight bytes a step: a control character (every byte
 * below 0x20, and 0x7f) is found at every offset of texts of 1 to 40 bytes,
 * named by its offset, and the bytes around them (0x20, 0x7e, 0x80 and
 * above: UTF-8) pass wherever they are. */
static void test_text_every_offset(void **state)
{
    static const unsigned char ok[] = {0x20, 0x7e, 0x80, 0x9f, 0xa0, 0xc3, 0xff, 'a'};
    struct tc_error err = {0};
    char text[48], want[96];
    (void)state;
    for (size_t len = 1; len <= 40; len++) {
        for (size_t at = 0; at < len; at++) {
            for (int c = 1; c < 0x100; c++) {
                int control = c < 0x20 || c == 0x7f;
                if (!control && !memchr(ok, c, sizeof(ok)))
                    continue;
                memset(text, 'n', len);
                text[len] = '\0';
                text[at] = (char)c;
                if (at + 1 < len)
                    text[len - 1] = (char)0x80; /* a high byte after it changes nothing */
                tc_error_clear(&err);
                int rc = tc_validate_text("x: name", text, 127, 0, &err);
                if (!control) {
                    if (rc != 0)
                        fail_msg("byte 0x%02x at %zu of %zu refused: %s", c, at, len, err.msg);
                    assert_int_equal(err.code, 0);
                    continue;
                }
                snprintf(want, sizeof(want), "x: name has a control character at offset %zu", at);
                assert_int_equal(rc, TC_EINVAL);
                assert_string_equal(err.msg, want);
            }
        }
    }
    /* the first of two is named */
    tc_error_clear(&err);
    assert_int_equal(tc_validate_text("r", "abcdefghij\x01kl\x7f", 127, 0, &err), TC_EINVAL);
    assert_string_equal(err.msg, "r has a control character at offset 10");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_currency), cmocka_unit_test(test_timezone),
        cmocka_unit_test(test_json),     cmocka_unit_test(test_date),
        cmocka_unit_test(test_text_and_id), cmocka_unit_test(test_text_every_offset),
    };
    return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
