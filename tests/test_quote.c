/* Text quoted in a message (core/quote.h): printable ASCII as it is, every
 * other byte (a NUL, a newline, an escape, 0x7f, bytes of UTF-8) as \xNN;
 * cut at MAX bytes of the text or where the next byte might not fit with
 * its NUL, the NUL always written, nothing written past the capacity, and
 * the count of the text's bytes shown exact. */
#include <string.h>

#include "tc_test.h"
#include "core/quote.h"

#define GUARD 0x5a

/* Quotes the N bytes of S (MAX, CAP) into a guarded buffer: the text WANT,
 * the length and the count USED, nothing written at or past CAP. */
static void check(const char *s, size_t n, size_t max, size_t cap, const char *want,
                  size_t want_used)
{
    char buf[256];
    size_t used = 12345;
    memset(buf, GUARD, sizeof(buf));
    size_t k = tc__quote_bytes(s, n, max, buf, cap, &used);
    assert_string_equal(buf, want);
    assert_int_equal(k, strlen(want));
    assert_int_equal(used, want_used);
    for (size_t i = cap; i < sizeof(buf); i++)
        assert_int_equal((unsigned char)buf[i], GUARD);
}

struct quote_case {
    const char *s;
    size_t n, max, cap;
    const char *want;
    size_t used;
};

static const struct quote_case cases[] = {
    /* printable ASCII as it is (0x20 and 0x7e are printable) */
    {"AAPL 1.5", 8, 100, 64, "AAPL 1.5", 8},
    {" ~\"\\", 4, 100, 64, " ~\"\\", 4},
    {"", 0, 100, 64, "", 0},
    /* every other byte as \xNN; a NUL inside the N bytes too, and the bytes
     * after it */
    {"a\nb", 3, 100, 64, "a\\x0ab", 3},
    {"\x1b[31m", 5, 100, 64, "\\x1b[31m", 5},
    {"x\x7f\x1f", 3, 100, 64, "x\\x7f\\x1f", 3},
    {"caf\xc3\xa9", 5, 100, 64, "caf\\xc3\\xa9", 5},
    {"ab\0cd", 5, 100, 64, "ab\\x00cd", 5},
    /* cut at MAX bytes of the text */
    {"abcdef", 6, 4, 64, "abcd", 4},
    {"\n\n\n", 3, 2, 64, "\\x0a\\x0a", 2},
    {"abc", 3, 0, 64, "", 0},
    /* it stops before a byte when fewer than 5 bytes of the buffer are left
     * (an escape's 4 and the NUL), whatever the byte: at CAP 9, "abcde"
     * (the 'e' at k 4: 4 + 5 <= 9), then 'f' at k 5 does not go in */
    {"abcdefgh", 8, 100, 9, "abcde", 5},
    {"abcdefgh", 8, 100, 5, "a", 1},
    {"abcdefgh", 8, 100, 4, "", 0},
    {"abcdefgh", 8, 100, 1, "", 0},
    {"\n\n\n", 3, 100, 8, "\\x0a", 1},
    {"\n\n\n", 3, 100, 9, "\\x0a\\x0a", 2},
    {"\n\n\n", 3, 100, 12, "\\x0a\\x0a", 2},
    {"\n\n\n", 3, 100, 13, "\\x0a\\x0a\\x0a", 3},
    {"ab\n", 3, 100, 2 + 4 + 1, "ab\\x0a", 3}, /* exactly enough */
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
        check(cases[c].s, cases[c].n, cases[c].max, cases[c].cap, cases[c].want, cases[c].used);
}

static void test_used_may_be_null(void **state)
{
    char buf[16];
    (void)state;
    assert_int_equal(tc__quote_bytes("a\tb", 3, 100, buf, sizeof(buf), NULL), 6);
    assert_string_equal(buf, "a\\x09b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_used_may_be_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
