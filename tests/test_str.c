/* Bounded copies (core/str.h): each equals the snprintf call it replaces,
 * byte for byte and in its return value, at every capacity around the fit. */
#include <stdio.h>
#include <string.h>

#include "tc_test.h"
#include "core/str.h"

#define GUARD 0x5a

/* BUF after tc__str_copy equals BUF after snprintf "%s", for CAP 0..LEN+3,
 * and nothing past CAP is written. */
static void check_copy(const char *s)
{
    size_t len = strlen(s);
    for (size_t cap = 0; cap <= len + 3; cap++) {
        char a[128], b[128];
        memset(a, GUARD, sizeof(a));
        memset(b, GUARD, sizeof(b));
        size_t ra = tc__str_copy(a, cap, s);
        int rb = snprintf(b, cap, "%s", s);
        assert_int_equal(ra, (size_t)rb);
        assert_int_equal(ra, len);
        assert_memory_equal(a, b, sizeof(a));
        if (cap > 0) {
            size_t kept = len < cap ? len : cap - 1;
            assert_int_equal(strlen(a), kept);
            assert_memory_equal(a, s, kept);
        }
        for (size_t k = cap; k < sizeof(a); k++)
            assert_int_equal((unsigned char)a[k], GUARD);
    }
}

static void test_copy(void **state)
{
    check_copy("");
    check_copy("a");
    check_copy("SYN001");
    check_copy("bt-2f7e78ec2a598303.sma_cross");
    check_copy("0123456789012345678901234567890123456789012345678901234567890123"); /* 64 */
}

static void test_copy_exact_fit_and_cut(void **state)
{
    char buf[7];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc__str_copy(buf, sizeof(buf), "abcdef"), 6); /* exact fit */
    assert_string_equal(buf, "abcdef");
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc__str_copy(buf, sizeof(buf), "abcdefg"), 7); /* one too many */
    assert_string_equal(buf, "abcdef");
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc__str_copy(buf, 1, "abc"), 3); /* room for the NUL only */
    assert_string_equal(buf, "");
    assert_int_equal(buf[1], 'x');
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc__str_copy(buf, 0, "abc"), 3); /* no room: nothing written */
    assert_int_equal(buf[0], 'x');
    assert_int_equal(tc__str_copy(buf, sizeof(buf), ""), 0); /* empty */
    assert_string_equal(buf, "");
}

static void check_join(const char *s, const char *sep, uint64_t v)
{
    char text[128];
    size_t len = (size_t)snprintf(text, sizeof(text), "%s%s%llu", s, sep, (unsigned long long)v);
    for (size_t cap = 0; cap <= len + 3; cap++) {
        char a[128], b[128];
        memset(a, GUARD, sizeof(a));
        memset(b, GUARD, sizeof(b));
        size_t ra = tc__str_join_u64(a, cap, s, sep, v);
        int rb = snprintf(b, cap, "%s%s%llu", s, sep, (unsigned long long)v);
        if (ra != (size_t)rb || memcmp(a, b, sizeof(a)) != 0)
            fail_msg("\"%s\" \"%s\" %llu cap %zu: \"%.*s\" (%zu), snprintf \"%.*s\" (%d)", s, sep,
                     (unsigned long long)v, cap, (int)(cap ? cap - 1 : 0), a, ra,
                     (int)(cap ? cap - 1 : 0), b, rb);
    }
}

static void test_join(void **state)
{
    static const uint64_t values[] = {0, 1, 9, 10, 99, 100, 12345, 4294967295u, 4294967296u,
                                      UINT64_MAX};
    for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
        check_join("bt-2f7e78ec2a598303.0", ".", values[k]);
        check_join("ord-1", "-F", values[k]);
        check_join("", "", values[k]);
        check_join("x", "", values[k]);
        check_join("", ".", values[k]);
    }
    /* every count of digits, odd and even (written two at a time) */
    for (uint64_t p = 10; p <= UINT64_C(10000000000000000000); p *= 10) {
        check_join("run.sma", ".", p - 1);
        check_join("run.sma", ".", p);
        check_join("run.sma", ".", p + p / 2 + 7);
        if (p > UINT64_MAX / 10)
            break;
    }
}

static void test_join_exact_fit(void **state)
{
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc__str_join_u64(buf, sizeof(buf), "sim", ".", 123), 7); /* exact fit */
    assert_string_equal(buf, "sim.123");
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc__str_join_u64(buf, sizeof(buf), "sim", ".", 1234), 8); /* cut digit */
    assert_string_equal(buf, "sim.123");
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc__str_join_u64(buf, 3, "sim", ".", 1), 5); /* cut in the text */
    assert_string_equal(buf, "si");
    assert_int_equal(buf[3], 'x');
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc__str_join_u64(buf, 5, "sim", "-F", 1), 6); /* cut in the separator */
    assert_string_equal(buf, "sim-");
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc__str_join_u64(buf, 0, "sim", ".", 1), 5);
    assert_int_equal(buf[0], 'x');
}

/* "<a> <b> at <v>: <c>" built part by part equals snprintf at every capacity. */
static void check_cat(const char *a, const char *b, uint64_t v, const char *c)
{
    char text[256];
    size_t len = (size_t)snprintf(text, sizeof(text), "%s %s at %llu: %s", a, b,
                                  (unsigned long long)v, c);
    for (size_t cap = 0; cap <= len + 3; cap++) {
        char x[256], y[256];
        size_t n;
        memset(x, GUARD, sizeof(x));
        memset(y, GUARD, sizeof(y));
        n = tc__str_cat(x, cap, 0, a);
        n = tc__str_cat(x, cap, n, " ");
        n = tc__str_cat(x, cap, n, b);
        n = tc__str_cat(x, cap, n, " at ");
        n = tc__str_cat_u64(x, cap, n, v);
        n = tc__str_cat(x, cap, n, ": ");
        n = tc__str_cat(x, cap, n, c);
        int r = snprintf(y, cap, "%s %s at %llu: %s", a, b, (unsigned long long)v, c);
        if (n != (size_t)r || memcmp(x, y, sizeof(x)) != 0)
            fail_msg("cap %zu: \"%.*s\" (%zu), snprintf \"%.*s\" (%d)", cap,
                     (int)(cap ? cap - 1 : 0), x, n, (int)(cap ? cap - 1 : 0), y, r);
    }
}

static void test_cat(void **state)
{
    check_cat("base entry: 100", "LONG", 0, "SYN001");
    check_cat("", "", 18446744073709551615u, "");
    check_cat("exit:", "2 layer(s) of", 12, "a rather long instrument name of sixty-four characters....");
    /* appending to a full buffer changes nothing but the length */
    char buf[4] = "abc";
    assert_int_equal(tc__str_cat(buf, sizeof(buf), 3, "de"), 5);
    assert_string_equal(buf, "abc");
    assert_int_equal(tc__str_cat_u64(buf, sizeof(buf), 7, 123), 10);
    assert_string_equal(buf, "abc");
    assert_int_equal(tc__str_cat(buf, 0, 0, "xyz"), 3);
    assert_string_equal(buf, "abc");
}

/* Equal texts hash equally, the hash depends on every byte and on the
 * length, and the low bits spread keys over a small map. */
/* tc__str_buf_len is strnlen: every text length in buffers of 1 to 80
 * bytes (around the 16-byte steps), NULs and other bytes after the text,
 * and a buffer without a NUL; the buffer sits at every offset of a 16-byte
 * alignment. */
static void test_buf_len(void **state)
{
    (void)state;
    char mem[128];
    for (size_t cap = 1; cap <= 80; cap++)
        for (size_t off = 0; off < 16; off++)
            for (size_t len = 0; len <= cap; len++) {
                char *buf = mem + off;
                memset(mem, 0, sizeof mem);
                memset(buf, 'x', cap);
                if (len < cap) {
                    buf[len] = '\0';
                    if (len + 1 < cap)
                        buf[cap - 1] = (char)(len % 2 ? '\0' : 'y');
                }
                assert_int_equal(tc__str_buf_len(buf, cap), strnlen(buf, cap));
                assert_int_equal(tc__str_buf_len(buf, cap), len);
            }
}

static void test_hash(void **state)
{
    char a[80], b[80];
    unsigned used[64] = {0};
    size_t distinct = 0;

    assert_true(tc__str_hash("") == tc__str_hash(""));
    assert_true(tc__str_hash("a") != tc__str_hash(""));
    assert_true(tc__str_hash("a") != tc__str_hash("a\x01") );
    for (size_t len = 1; len < sizeof(a); len++) {
        memset(a, 'x', len);
        a[len] = '\0';
        memcpy(b, a, len + 1);
        assert_true(tc__str_hash(a) == tc__str_hash(b));
        for (size_t k = 0; k < len; k++) {
            b[k] = 'y';
            if (tc__str_hash(a) == tc__str_hash(b))
                fail_msg("length %zu: a change at %zu keeps the hash", len, k);
            b[k] = 'x';
        }
    }
    for (unsigned n = 1; n <= 64; n++) {
        char id[80];
        snprintf(id, sizeof(id), "id:bt-2f7e78ec2a598303.0.%u:L0", n);
        used[tc__str_hash(id) & 63]++;
    }
    for (size_t k = 0; k < 64; k++)
        distinct += used[k] != 0;
    assert_true(distinct >= 32); /* 64 keys in 64 slots: about 40 distinct when random */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_copy_exact_fit_and_cut),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_join_exact_fit),
        cmocka_unit_test(test_cat),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_buf_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
