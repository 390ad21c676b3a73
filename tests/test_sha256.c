/* SHA-256 (core/sha256.h): the FIPS 180-2 known answers in hex, a text of
 * more than one block, the same answers from several threads at once, and
 * the digest written piece by piece (every split of a text, empty pieces
 * included) equal to the one-shot one. A signal's fingerprint is "sha256:"
 * and the digest of its text. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tc_test.h"
#include "core/sha256.h"
#include "tradecore/signal.h"

static const struct {
    const char *text, *hex;
} known[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

static void test_known_answers(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
        char out[TC__SHA256_HEX_LEN + 1];
        memset(out, 'x', sizeof(out));
        assert_int_equal(tc__sha256_hex(known[k].text, strlen(known[k].text), out), 0);
        assert_string_equal(out, known[k].hex);
    }
}

/* A million 'a's: the third FIPS vector, many blocks. */
static void test_long_text(void **state)
{
    (void)state;
    static char text[1000000];
    char out[TC__SHA256_HEX_LEN + 1];
    memset(text, 'a', sizeof(text));
    assert_int_equal(tc__sha256_hex(text, sizeof(text), out), 0);
    assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Piece by piece: every split point of each known text and of a text of
 * three blocks, with an empty piece between, gives the one-shot digest. */
static void test_pieces(void **state)
{
    (void)state;
    char big[3 * 64 + 5];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    const char *texts[] = {known[0].text, known[1].text, known[2].text, big};
    size_t lens[] = {0, 3, strlen(known[2].text), sizeof(big)};
    for (size_t t = 0; t < 4; t++) {
        unsigned char whole[TC__SHA256_LEN], part[TC__SHA256_LEN];
        assert_int_equal(tc__sha256(texts[t], lens[t], whole), 0);
        for (size_t cut = 0; cut <= lens[t]; cut++) {
            struct tc__sha256_ctx h;
            tc__sha256_init(&h);
            tc__sha256_update(&h, texts[t], cut);
            tc__sha256_update(&h, "", 0);
            tc__sha256_update(&h, texts[t] + cut, lens[t] - cut);
            assert_int_equal(tc__sha256_final(&h, part), 0);
            assert_memory_equal(part, whole, sizeof(whole));
        }
        if (t < 3) {
            char hex[TC__SHA256_HEX_LEN + 1];
            for (size_t k = 0; k < TC__SHA256_LEN; k++)
                snprintf(hex + 2 * k, 3, "%02x", whole[k]);
            assert_string_equal(hex, known[t].hex);
        }
    }
}

static void *digest_many(void *arg)
{
    int *bad = arg;
    for (int i = 0; i < 200; i++) {
        char out[TC__SHA256_HEX_LEN + 1];
        size_t k = (size_t)i % (sizeof(known) / sizeof(known[0]));
        if (tc__sha256_hex(known[k].text, strlen(known[k].text), out) != 0 ||
            strcmp(out, known[k].hex) != 0)
            (*bad)++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    int bad[4] = {0};
    for (int k = 0; k < 4; k++)
        assert_int_equal(pthread_create(&t[k], NULL, digest_many, &bad[k]), 0);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(pthread_join(t[k], NULL), 0);
        assert_int_equal(bad[k], 0);
    }
}

/* A signal without signal_id: the fingerprint is the digest of its text,
 * the same for the same signal, another for another price. */
static void test_fingerprint_is_digest(void **state)
{
    (void)state;
    struct tc_signal s;
    char a[TC_SIGNAL_FP_LEN], b[TC_SIGNAL_FP_LEN], c[TC_SIGNAL_FP_LEN];
    const char *body = "{\"type\":\"BASE_ENTRY\",\"portfolio\":\"p1\",\"strategy\":\"s1\","
                       "\"instrument\":\"AAPL\",\"side\":\"LONG\",\"price\":\"100\",\"stop\":\"95\","
                       "\"timestamp\":\"2026-01-05T15:00:00Z\"}";
    struct tc_error err;
    assert_int_equal(tc_signal_parse(body, strlen(body), &s, &err), 0);
    assert_int_equal(tc_signal_fingerprint(&s, a), 0);
    assert_int_equal(tc_signal_fingerprint(&s, b), 0);
    assert_int_equal(strncmp(a, "sha256:", 7), 0);
    assert_int_equal(strlen(a), 7 + TC__SHA256_HEX_LEN);
    for (size_t k = 7; a[k]; k++)
        assert_non_null(strchr("0123456789abcdef", a[k]));
    assert_string_equal(a, b);
    s.price.raw += 1;
    assert_int_equal(tc_signal_fingerprint(&s, c), 0);
    assert_string_not_equal(a, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_long_text),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_fingerprint_is_digest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
