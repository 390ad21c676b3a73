/* Store URL redaction: passwords never reach logs or messages. */
#include <stdlib.h>
#include <string.h>

#include "tc_test.h"
#include "tradecore/store.h"

static void test_redaction_table(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"postgresql://user:secret@db.example:5432/trade?sslmode=require",
         "postgresql://user:***@db.example:5432/trade?sslmode=require"},
        {"postgres://u:p@h/d", "postgres://u:***@h/d"},
        {"postgresql://user@host:5432/db", "postgresql://user@host:5432/db"},
        {"postgresql://host/db", "postgresql://host/db"},
        {"postgresql://user:@host/db", "postgresql://user:***@host/db"},
        {"postgresql://user:p@ss@host/db", "postgresql://user:***@host/db"},
        {"postgresql://user:pa:ss@host", "postgresql://user:***@host"},
        {"postgresql://:secret@host/db", "postgresql://:***@host/db"},
        {"postgresql://host:5432/db?user=u&password=secret&sslmode=require",
         "postgresql://host:5432/db?user=u&password=***&sslmode=require"},
        {"postgresql://host/db?password=secret", "postgresql://host/db?password=***"},
        {"postgresql://host/db?PASSWORD=secret#frag", "postgresql://host/db?PASSWORD=***#frag"},
        {"postgresql://u:a@h/db?sslpassword=k&password=b",
         "postgresql://u:***@h/db?sslpassword=***&password=***"},
        {"postgresql://h/db?passwords=x", "postgresql://h/db?passwords=x"},
        {"postgresql://h/db?mypassword_hint=x", "postgresql://h/db?mypassword_hint=x"},
        {"postgresql://h/db?password=", "postgresql://h/db?password=***"},
        {"host=db user=u password=secret dbname=trade",
         "host=db user=u password=*** dbname=trade"},
        {"password=secret", "password=***"},
        {"host=db password='se cr\\'et' dbname=x", "host=db password=*** dbname=x"},
        {"host=db password='unterminated", "host=db password=***"},
        {"host=db  password=a\tpassword=b", "host=db  password=***\tpassword=***"},
        {"host=db xpassword=abc", "host=db xpassword=***"},
        {"sqlite:var/runtime.db", "sqlite:var/runtime.db"},
        {"sqlite::memory:", "sqlite::memory:"},
        {"sqlite:/tmp/password=1.db", "sqlite:/tmp/password=1.db"},
        {"", ""},
        {"://", "://"},
        {"://@", "://@"},
        {"://:@", "://:***@"},
        {"a://b:c@", "a://b:***@"},
        {"@:@", "@:@"},
        {"=", "="},
        {"password", "password"},
        {"?password=&", "?password=***&"},
        {"http://example.com/a@b", "http://example.com/a@b"},
        {"postgresql://user:secret@host/db?x=1;password=2", "postgresql://user:***@host/db?x=1;password=***"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[256];
        int n;
        memset(buf, 'x', sizeof(buf));
        n = tc_store_redact_url(cases[i].in, buf, sizeof(buf));
        if (n != (int)strlen(cases[i].want) || strcmp(buf, cases[i].want) != 0)
            fail_msg("case %zu \"%s\": got %d \"%s\", want \"%s\"", i, cases[i].in, n, buf,
                     cases[i].want);
        /* redacting twice changes nothing more */
        {
            char again[256];
            assert_int_equal(tc_store_redact_url(buf, again, sizeof(again)), n);
            assert_string_equal(again, buf);
        }
        /* no secret survives */
        assert_null(strstr(buf, "secret"));
    }
}

static void test_capacity(void **state)
{
    const char *url = "postgresql://u:secret@h/d"; /* -> "postgresql://u:***@h/d", 22 */
    char buf[64];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tc_store_redact_url(url, buf, 22), TC_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tc_store_redact_url(url, buf, 23), 22);
    assert_string_equal(buf, "postgresql://u:***@h/d");
    /* the redacted text can be longer than the input */
    assert_int_equal(tc_store_redact_url("password=", buf, 10), TC_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tc_store_redact_url("password=", buf, 13), 12);
    assert_int_equal(tc_store_redact_url(url, buf, 0), TC_ERANGE);
    assert_int_equal(tc_store_redact_url(url, NULL, 0), TC_ERANGE);
    assert_int_equal(tc_store_redact_url(url, NULL, 100), TC_ERANGE);
    /* NULL reads as empty */
    assert_int_equal(tc_store_redact_url(NULL, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
}

/* Long and odd input never crashes and never leaks the secret. */
static void test_odd_input(void **state)
{
    size_t n = 100000, i;
    char *in = malloc(n + 64), *out = malloc(2 * n + 64);
    struct tc_rng rng;
    int k;
    assert_non_null(in);
    assert_non_null(out);
    memcpy(in, "postgresql://u:", 15);
    memset(in + 15, 's', n);
    memcpy(in + 15 + n, "@h/d", 5);
    assert_int_equal(tc_store_redact_url(in, out, 2 * n + 64), 22);
    assert_string_equal(out, "postgresql://u:***@h/d");

    /* random bytes from a small alphabet full of separators */
    tc_rng_seed(&rng, 11);
    for (k = 0; k < 20000; k++) {
        static const char alphabet[] = ":/@?&=;# 'password\\ab";
        size_t len = (size_t)tc_rng_below(&rng, 40);
        int r;
        for (i = 0; i < len; i++)
            in[i] = alphabet[tc_rng_below(&rng, sizeof(alphabet) - 1)];
        in[len] = '\0';
        r = tc_store_redact_url(in, out, 256);
        assert_true(r >= 0 && r < 256);
        assert_int_equal(strlen(out), (size_t)r);
    }
    free(in);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redaction_table),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_odd_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
