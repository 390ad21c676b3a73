/* Ids: v4 UUIDs, decision, run and context ids, validation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/id.h"

static int is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

static void assert_uuid_v4(const char *u)
{
    int i;
    assert_int_equal(strlen(u), 36);
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-')
                fail_msg("\"%s\": no '-' at %d", u, i);
        } else if (!is_hex_lower(u[i])) {
            fail_msg("\"%s\": '%c' at %d is not lower-case hex", u, u[i], i);
        }
    }
    if (u[14] != '4')
        fail_msg("\"%s\": version nibble is not 4", u);
    if (!strchr("89ab", u[19]))
        fail_msg("\"%s\": variant nibble is not RFC 4122", u);
}

static void test_uuid_format(void **state)
{
    char buf[TC_UUID_STRLEN];
    int i;
    for (i = 0; i < 1000; i++) {
        memset(buf, 'x', sizeof(buf));
        assert_int_equal(tc_id_uuid(buf, sizeof(buf)), 36);
        assert_uuid_v4(buf);
        assert_true(tc_id_is_valid(buf));
    }
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc_id_uuid(buf, 36), TC_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tc_id_uuid(NULL, 0), TC_ERANGE);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_uuid_unique(void **state)
{
    enum { N = 10000 };
    char(*ids)[TC_UUID_STRLEN] = malloc(sizeof(*ids) * N);
    int i;
    assert_non_null(ids);
    for (i = 0; i < N; i++)
        assert_int_equal(tc_id_uuid(ids[i], TC_UUID_STRLEN), 36);
    qsort(ids, N, sizeof(*ids), cmp_str);
    for (i = 1; i < N; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            fail_msg("duplicate uuid %s", ids[i]);
    free(ids);
}

static void test_decision_id(void **state)
{
    char a[TC_ID_BUFSZ], b[TC_ID_BUFSZ];
    assert_int_equal(tc_id_decision(a, sizeof(a)), 40);
    assert_int_equal(tc_id_decision(b, sizeof(b)), 40);
    assert_memory_equal(a, "dec_", 4);
    assert_uuid_v4(a + 4);
    assert_true(tc_id_is_valid(a));
    assert_string_not_equal(a, b);
    memset(a, 'x', sizeof(a));
    assert_int_equal(tc_id_decision(a, 40), TC_ERANGE);
    assert_string_equal(a, "");
    assert_int_equal(tc_id_decision(a, 41), 40);
}

static void test_run_id(void **state)
{
    char buf[TC_ID_BUFSZ];
    char prefix[40];
    assert_int_equal(tc_id_run(buf, sizeof(buf), "bt"), 39);
    assert_memory_equal(buf, "bt_", 3);
    assert_uuid_v4(buf + 3);
    assert_true(tc_id_is_valid(buf));

    /* the longest prefix that keeps the id within TC_ID_MAX */
    memset(prefix, 'p', 27);
    prefix[27] = '\0';
    assert_int_equal(tc_id_run(buf, sizeof(buf), prefix), TC_ID_MAX);
    assert_true(tc_id_is_valid(buf));
    prefix[27] = 'p';
    prefix[28] = '\0';
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc_id_run(buf, sizeof(buf), prefix), TC_ERANGE);
    assert_string_equal(buf, "");

    assert_int_equal(tc_id_run(buf, sizeof(buf), "a b"), TC_EINVAL);
    assert_string_equal(buf, "");
    assert_int_equal(tc_id_run(buf, sizeof(buf), ""), TC_EINVAL);
    assert_int_equal(tc_id_run(buf, sizeof(buf), NULL), TC_EINVAL);
    assert_int_equal(tc_id_run(buf, 39, "bt"), TC_ERANGE);
    assert_int_equal(tc_id_run(buf, 40, "bt"), 39);
}

static void test_context_id(void **state)
{
    static const struct {
        int64_t day;
        const char *portfolio, *strategy;
        int rc;
        const char *want;
    } cases[] = {
        {20240131, "main", "sma_cross", 0, "20240131_main_sma_cross"},
        {20240229, "p1", "s1", 0, "20240229_p1_s1"},
        {INT64_C(1706695200000000), "main", "sma", 0, "20240131_main_sma"},
        {INT64_C(1706745599999999), "main", "sma", 0, "20240131_main_sma"},
        {INT64_C(1706745600000000), "main", "sma", 0, "20240201_main_sma"},
        {-1, "main", "sma", 0, "19691231_main_sma"},
        {0, "main", "sma", 0, "19700101_main_sma"},
        /* not a valid YYYYMMDD: read as microseconds (20 s after the epoch) */
        {20230229, "main", "sma", 0, "19700101_main_sma"},
        {INT64_MAX, "main", "sma", TC_ERANGE, ""},
        {20240131, "a b", "sma", TC_EINVAL, ""},
        {20240131, "main", "", TC_EINVAL, ""},
        {20240131, NULL, "sma", TC_EINVAL, ""},
        {20240131, "main", NULL, TC_EINVAL, ""},
        /* 8 + 1 + 27 + 1 + 27 = 64 fits; one more does not */
        {20240131, "ppppppppppppppppppppppppppp", "sssssssssssssssssssssssssss", 0,
         "20240131_ppppppppppppppppppppppppppp_sssssssssssssssssssssssssss"},
        {20240131, "ppppppppppppppppppppppppppp", "ssssssssssssssssssssssssssss", TC_ERANGE,
         ""},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[TC_ID_BUFSZ];
        int rc;
        memset(buf, 'x', sizeof(buf));
        rc = tc_id_context(buf, sizeof(buf), cases[i].day, cases[i].portfolio, cases[i].strategy);
        if (cases[i].rc == 0 ? rc != (int)strlen(cases[i].want) : rc != cases[i].rc)
            fail_msg("case %zu: got %d (%s)", i, rc, tc_strerror_name(rc < 0 ? rc : 0));
        assert_string_equal(buf, cases[i].want);
        if (rc > 0)
            assert_true(tc_id_is_valid(buf));
    }
    {
        char small[23];
        assert_int_equal(tc_id_context(small, sizeof(small), 20240131, "main", "sma_cross"),
                         TC_ERANGE);
        assert_string_equal(small, "");
        assert_int_equal(tc_id_context(NULL, 0, 20240131, "main", "sma_cross"), TC_ERANGE);
    }
}

static void test_validate(void **state)
{
    static const struct {
        const char *what, *id;
        const char *msg; /* NULL: valid */
    } cases[] = {
        {"portfolio", "main", NULL},
        {"portfolio", "A-z_0.9:x", NULL},
        {"strategy", "s", NULL},
        {"portfolio", "a b", "portfolio id \"a b\" has a character that is not allowed: ' '"},
        {"portfolio", "", "portfolio id \"\" is empty"},
        {"portfolio", NULL, "portfolio id is missing"},
        {"strategy", "sma/cross", "strategy id \"sma/cross\" has a character that is not "
                                  "allowed: '/'"},
        {"strategy", "a\tb", "strategy id \"a\\x09b\" has a character that is not allowed: "
                             "'\\x09'"},
        {"strategy", "q\"x", "strategy id \"q\\x22x\" has a character that is not allowed: "
                             "'\"'"},
        {"strategy", "caf\xc3\xa9", "strategy id \"caf\\xc3\\xa9\" has a character that is not "
                                    "allowed: '\\xc3'"},
        {"client order id", "x;y", "client order id \"x;y\" has a character that is not "
                                   "allowed: ';'"},
        {"run", "drop table", "run id \"drop table\" has a character that is not allowed: ' '"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tc_error err = {0};
        int rc = tc_id_validate(cases[i].what, cases[i].id, &err);
        if (!cases[i].msg) {
            if (rc != 0)
                fail_msg("case %zu: %s", i, err.msg);
            assert_true(tc_id_is_valid(cases[i].id));
            continue;
        }
        assert_int_equal(rc, TC_EINVAL);
        assert_int_equal(err.code, TC_EINVAL);
        assert_string_equal(err.msg, cases[i].msg);
        assert_false(tc_id_is_valid(cases[i].id));
    }
}

static void test_validate_length(void **state)
{
    char id[TC_ID_MAX + 2];
    char huge[5000];
    struct tc_error err = {0};

    memset(id, 'a', TC_ID_MAX);
    id[TC_ID_MAX] = '\0';
    assert_int_equal(tc_id_validate("portfolio", id, &err), 0);
    assert_true(tc_id_is_valid(id));
    id[TC_ID_MAX] = 'a';
    id[TC_ID_MAX + 1] = '\0';
    assert_int_equal(tc_id_validate("portfolio", id, &err), TC_EINVAL);
    assert_false(tc_id_is_valid(id));
    assert_non_null(strstr(err.msg, "is longer than 64 characters"));
    assert_non_null(strstr(err.msg, "portfolio id \"aaaa"));
    assert_non_null(strstr(err.msg, "...\""));

    memset(huge, 'b', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    assert_int_equal(tc_id_validate("run", huge, &err), TC_EINVAL);
    assert_true(strlen(err.msg) < 200);
    /* a NULL error is allowed */
    assert_int_equal(tc_id_validate("run", "a b", NULL), TC_EINVAL);
    assert_int_equal(tc_id_validate(NULL, "a b", &err), TC_EINVAL);
    assert_string_equal(err.msg, "id \"a b\" has a character that is not allowed: ' '");
}

/* The rule as first written (one comparison chain per byte), the reference
 * the lookup table must agree with. */
static int ref_allowed(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == ':' || c == '-';
}

static int ref_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > TC_ID_MAX)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (!ref_allowed((unsigned char)id[k]))
            return 0;
    return 1;
}

/* ID judged by tc_id_is_valid and tc_id_validate as the reference judges it;
 * a valid id leaves ERR as it was, an invalid one names the reason. */
static void check_against_ref(const char *id, const char *where, int byte)
{
    struct tc_error err = {0};
    int want = ref_valid(id);
    int rc;

    err.code = 12345;
    if (tc_id_is_valid(id) != want)
        fail_msg("byte 0x%02x %s: tc_id_is_valid gave %d", byte, where, !want);
    rc = tc_id_validate("portfolio", id, &err);
    if (want) {
        if (rc != 0)
            fail_msg("byte 0x%02x %s: refused: %s", byte, where, err.msg);
        assert_int_equal(err.code, 12345);
        return;
    }
    if (rc != TC_EINVAL)
        fail_msg("byte 0x%02x %s: accepted", byte, where);
    assert_int_equal(err.code, TC_EINVAL);
    assert_non_null(strstr(err.msg, "portfolio id"));
    int all = 1;
    for (size_t k = 0; id[k]; k++)
        all &= ref_allowed((unsigned char)id[k]);
    if (strlen(id) == 0)
        assert_non_null(strstr(err.msg, "is empty"));
    else if (!all)
        assert_non_null(strstr(err.msg, "has a character that is not allowed: '"));
    else
        assert_non_null(strstr(err.msg, "is longer than 64 characters"));
}

static void test_validate_every_byte(void **state)
{
    /* where the byte goes: sole, first, second, middle, last of 64, the 65th */
    static const struct {
        const char *name;
        size_t len, at;
    } pos[] = {
        {"alone", 1, 0},       {"first of 2", 2, 0},  {"last of 2", 2, 1},
        {"first of 64", 64, 0}, {"at 31 of 64", 64, 31}, {"at 62 of 64", 64, 62},
        {"last of 64", 64, 63}, {"first of 65", 65, 0}, {"last of 65", 65, 64},
        {"at 3 of 8", 8, 3},
    };
    char id[TC_ID_MAX + 8];

    for (int b = 0; b < 256; b++) {
        for (size_t p = 0; p < sizeof(pos) / sizeof(pos[0]); p++) {
            memset(id, 'a', pos[p].len);
            id[pos[p].len] = '\0';
            id[pos[p].at] = (char)b;
            check_against_ref(id, pos[p].name, b);
        }
    }
    /* every length up to 66, a byte at every place in it (ids are read four
     * bytes a step: each place in a step, and the steps' ends) */
    static const int some[] = {'/', '@', 0x80, 0xff, ' ', 'z'};
    for (size_t len = 1; len <= TC_ID_MAX + 2; len++)
        for (size_t at = 0; at < len; at++)
            for (size_t b = 0; b < sizeof(some) / sizeof(some[0]); b++) {
                char where[32];
                memset(id, 'a', len);
                id[len] = '\0';
                id[at] = (char)some[b];
                snprintf(where, sizeof(where), "at %zu of %zu", at, len);
                check_against_ref(id, where, some[b]);
            }
    /* the two allowed bytes on each side of every range */
    assert_true(tc_id_is_valid("-.09:AZ_az"));
    assert_false(tc_id_is_valid("/"));
    assert_false(tc_id_is_valid(";"));
    assert_false(tc_id_is_valid("@"));
    assert_false(tc_id_is_valid("["));
    assert_false(tc_id_is_valid("^"));
    assert_false(tc_id_is_valid("`"));
    assert_false(tc_id_is_valid("{"));
    assert_false(tc_id_is_valid("\x7f"));
    assert_false(tc_id_is_valid("\x80"));
    assert_false(tc_id_is_valid("\xff"));
    assert_false(tc_id_is_valid(NULL));
}

static void test_validate_lengths_table(void **state)
{
    static const size_t lens[] = {0, 1, 2, 63, 64, 65, 66, 100, 4999};
    static char id[5000];

    for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        memset(id, 'Z', lens[k]);
        id[lens[k]] = '\0';
        check_against_ref(id, "length", 'Z');
        assert_int_equal(tc_id_is_valid(id), lens[k] >= 1 && lens[k] <= TC_ID_MAX);
        /* a bad byte past the limit: too long and a bad byte, the byte is named */
        if (lens[k] > 0) {
            id[lens[k] - 1] = ' ';
            check_against_ref(id, "length, last byte bad", ' ');
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid_format),
        cmocka_unit_test(test_uuid_unique),
        cmocka_unit_test(test_decision_id),
        cmocka_unit_test(test_run_id),
        cmocka_unit_test(test_context_id),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_validate_length),
        cmocka_unit_test(test_validate_every_byte),
        cmocka_unit_test(test_validate_lengths_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
