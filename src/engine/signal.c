/*
 * Trading signals: parsing a JSON body (a TradingView alert or our own
 * systems) into a struct tc_signal with exact decimals, checking it, the
 * timestamp window, the passphrase, and the fingerprint that makes a signal
 * count once (the signal_id, or SHA-256 of the canonical fields).
 */
#include <jansson.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__)
#define SIGNAL_SSE2 1
#include <emmintrin.h>
#endif

#include "core/sha256.h"
#include "tradecore/clock.h"
#include "tradecore/signal.h"
#include "tradecore/validate.h"
#include "engine/signal_internal.h"
#include "internal/banned.h"

__extension__ typedef __int128 i128;

/* Significant digits a JSON number may carry and still be read exactly. */
#define EXACT_DIGITS 15
/* Shown text is cut to this many bytes in messages. */
#define SHOW_MAX 32

static const char *const type_names[] = {NULL, "BASE_ENTRY", "PYRAMID", "EXIT", "STOP_UPDATE"};
static const char *const side_names[] = {NULL, "LONG", "SHORT"};

const char *tc_signal_type_name(enum tc_signal_type t)
{
    return (t >= TC_SIGNAL_BASE_ENTRY && t <= TC_SIGNAL_STOP_UPDATE) ? type_names[t] : "?";
}

const char *tc_side_name(enum tc_side s)
{
    return (s == TC_SIDE_LONG || s == TC_SIDE_SHORT) ? side_names[s] : "?";
}

static int show_len(const char *s) { return (int)strnlen(s, SHOW_MAX); }
static const char *ellipsis(const char *s) { return strnlen(s, SHOW_MAX + 1) > SHOW_MAX ? "..." : ""; }

int tc_signal_type_parse(const char *s, enum tc_signal_type *out, struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "type is missing");
    for (int t = TC_SIGNAL_BASE_ENTRY; t <= TC_SIGNAL_STOP_UPDATE; t++)
        if (strcmp(s, type_names[t]) == 0) {
            *out = (enum tc_signal_type)t;
            return 0;
        }
    return tc_error_set(err, TC_EINVAL,
                        "type \"%.*s%s\" is not one of BASE_ENTRY, PYRAMID, EXIT, STOP_UPDATE",
                        show_len(s), s, ellipsis(s));
}

int tc_side_parse(const char *s, enum tc_side *out, struct tc_error *err)
{
    if (!s)
        return tc_error_set(err, TC_EINVAL, "side is missing");
    if (strcmp(s, "LONG") == 0)
        *out = TC_SIDE_LONG;
    else if (strcmp(s, "SHORT") == 0)
        *out = TC_SIDE_SHORT;
    else
        return tc_error_set(err, TC_EINVAL, "side \"%.*s%s\" is not one of LONG, SHORT",
                            show_len(s), s, ellipsis(s));
    return 0;
}

/* ---- jansson helpers (shared through signal_internal.h) ----------------- */

const char *tc__signal_json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "?";
}

int tc__signal_json_error(const char *what, const json_error_t *je, struct tc_error *err)
{
    return tc_error_set(err, TC_EPARSE, "%s: malformed JSON at line %d, column %d (byte %d): %s",
                        what, je->line, je->column, je->position, je->text);
}

/* The shortest "%.*e" form of D that reads back as D; its significant digits in *DIGITS. */
static void shortest(double d, char *buf, size_t cap, int *digits)
{
    int p;

    for (p = 1; p <= 17; p++) {
        snprintf(buf, cap, "%.*e", p - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (p > 17)
        p = 17;
    *digits = p;
    for (char *c = buf; *c; c++)
        if (*c == ',')
            *c = '.'; /* a locale's decimal comma */
}

int tc__signal_json_dec(const char *prefix, const char *key, const json_t *v,
                        struct tc_dec *out, struct tc_error *err)
{
    struct tc_error e = {0};
    char buf[64];
    int rc, digits;

    if (json_is_string(v)) {
        rc = tc_dec_parse(json_string_value(v), json_string_length(v), out, &e);
        if (rc != 0)
            return tc_error_set(err, rc, "%s%s: %s", prefix, key, e.msg);
        return 0;
    }
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (tc_dec_from_int((int64_t)n, out) != 0)
            return tc_error_set(err, TC_ERANGE, "%s%s: %lld is out of range", prefix, key,
                                (long long)n);
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d))
            return tc_error_set(err, TC_EINVAL, "%s%s: the number is not finite", prefix, key);
        shortest(d, buf, sizeof(buf), &digits);
        if (digits > EXACT_DIGITS) {
            snprintf(buf, sizeof(buf), "%.*g", digits, d);
            return tc_error_set(err, TC_EINVAL,
                                "%s%s: the JSON number %s has more than %d significant digits "
                                "and cannot be read exactly; send it as a string "
                                "(\"%s\": \"<digits>\")",
                                prefix, key, buf, EXACT_DIGITS, key);
        }
        rc = tc_dec_parse(buf, (size_t)-1, out, &e);
        if (rc != 0) {
            /* name the number as sent, not in its exponent form */
            const char *why = strstr(e.msg, "\": ");
            return tc_error_set(err, rc, "%s%s: the JSON number %.*g: %s", prefix, key, digits,
                                d, why ? why + 3 : e.msg);
        }
        return 0;
    }
    return tc_error_set(err, TC_EINVAL, "%s%s must be a number or a decimal string, not %s",
                        prefix, key, tc__signal_json_kind(v));
}

/* ---- parsing ------------------------------------------------------------ */

/* The value of KEY, or NULL when absent or null. */
static const json_t *field(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return (v && !json_is_null(v)) ? v : NULL;
}

/* A string field into DST[CAP]; *HAS = 0 when absent. Too long is TC_EINVAL,
 * the text quoted unless SECRET. */
static int get_string(const json_t *obj, const char *key, int required, int secret, char *dst,
                      size_t cap, int *has, struct tc_error *err)
{
    const json_t *v = field(obj, key);
    size_t len;

    *has = 0;
    if (!v) {
        if (required)
            return tc_error_set(err, TC_EINVAL, "%s is missing", key);
        return 0;
    }
    if (!json_is_string(v))
        return tc_error_set(err, TC_EINVAL, "%s must be a string, not %s", key,
                            tc__signal_json_kind(v));
    len = json_string_length(v);
    if (len >= cap) {
        if (secret)
            return tc_error_set(err, TC_EINVAL, "%s is %zu bytes long (at most %zu)", key, len,
                                cap - 1);
        return tc_error_set(err, TC_EINVAL, "%s \"%.*s...\" is %zu bytes long (at most %zu)",
                            key, SHOW_MAX, json_string_value(v), len, cap - 1);
    }
    memcpy(dst, json_string_value(v), len + 1);
    *has = 1;
    return 0;
}

/* An id field: validated with tc_id_validate before it is copied. */
static int get_id(const json_t *obj, const char *key, const char *what, int required,
                  char dst[TC_ID_BUFSZ], int *has, struct tc_error *err)
{
    const json_t *v = field(obj, key);

    *has = 0;
    if (!v) {
        if (required)
            return tc_error_set(err, TC_EINVAL, "%s is missing", key);
        return 0;
    }
    if (!json_is_string(v))
        return tc_error_set(err, TC_EINVAL, "%s must be a string, not %s", key,
                            tc__signal_json_kind(v));
    if (tc_id_validate(what, json_string_value(v), err) != 0)
        return TC_EINVAL;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    *has = 1;
    return 0;
}

static int get_dec(const json_t *obj, const char *key, struct tc_dec *out, int *has,
                   struct tc_error *err)
{
    const json_t *v = field(obj, key);
    int rc;

    *has = 0;
    if (!v)
        return 0;
    rc = tc__signal_json_dec("", key, v, out, err);
    if (rc == 0)
        *has = 1;
    return rc;
}

/* A required string field, borrowed from OBJ. */
static int get_word(const json_t *obj, const char *key, const char **out, struct tc_error *err)
{
    const json_t *v = field(obj, key);

    if (!v)
        return tc_error_set(err, TC_EINVAL, "%s is missing", key);
    if (!json_is_string(v))
        return tc_error_set(err, TC_EINVAL, "%s must be a string, not %s", key,
                            tc__signal_json_kind(v));
    *out = json_string_value(v);
    return 0;
}

static int parse_object(const json_t *obj, struct tc_signal *s, struct tc_error *err)
{
    const char *word = NULL;
    const json_t *v;
    int has, rc;
    struct tc_error e = {0};

    if ((rc = get_word(obj, "type", &word, err)) != 0 ||
        (rc = tc_signal_type_parse(word, &s->type, err)) != 0)
        return rc;
    if ((rc = get_id(obj, "portfolio", "portfolio", 1, s->portfolio, &has, err)) != 0 ||
        (rc = get_id(obj, "strategy", "strategy", 1, s->strategy, &has, err)) != 0 ||
        (rc = get_id(obj, "instrument", "instrument", 1, s->instrument, &has, err)) != 0)
        return rc;
    if ((rc = get_word(obj, "side", &word, err)) != 0 ||
        (rc = tc_side_parse(word, &s->side, err)) != 0)
        return rc;
    if ((rc = get_dec(obj, "price", &s->price, &s->has_price, err)) != 0 ||
        (rc = get_dec(obj, "stop", &s->stop, &s->has_stop, err)) != 0 ||
        (rc = get_dec(obj, "quantity", &s->quantity, &s->has_quantity, err)) != 0 ||
        (rc = get_dec(obj, "lots", &s->lots, &s->has_lots, err)) != 0)
        return rc;

    v = field(obj, "timestamp");
    if (!v)
        return tc_error_set(err, TC_EINVAL, "timestamp is missing");
    if (!json_is_string(v))
        return tc_error_set(err, TC_EINVAL,
                            "timestamp must be an ISO-8601 string such as "
                            "\"2024-01-31T14:30:00Z\", not %s",
                            tc__signal_json_kind(v));
    rc = tc_time_parse(json_string_value(v), json_string_length(v), &s->timestamp_us, &e);
    if (rc != 0)
        return tc_error_set(err, rc, "%s", e.msg);

    if ((rc = get_id(obj, "signal_id", "signal_id", 0, s->signal_id, &s->has_signal_id, err)) !=
            0 ||
        (rc = get_string(obj, "reason", 0, 0, s->reason, sizeof(s->reason), &has, err)) != 0 ||
        (rc = get_string(obj, "passphrase", 0, 1, s->passphrase, sizeof(s->passphrase),
                         &s->has_passphrase, err)) != 0)
        return rc;
    return tc_signal_check(s, err);
}

int tc_signal_parse(const char *json, size_t len, struct tc_signal *out, struct tc_error *err)
{
    json_error_t je;
    json_t *root;
    int rc;

    if (!out)
        return tc_error_set(err, TC_EINVAL, "signal: no output given");
    memset(out, 0, sizeof(*out));
    if (!json)
        return tc_error_set(err, TC_EINVAL, "signal: no body given");
    if (len == (size_t)-1)
        len = strlen(json);
    if (len == 0)
        return tc_error_set(err, TC_EPARSE, "signal: the body is empty");
    if (len > TC_SIGNAL_BODY_MAX)
        return tc_error_set(err, TC_ERANGE, "signal: the body is %zu bytes long (at most %d)",
                            len, TC_SIGNAL_BODY_MAX);
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return tc__signal_json_error("signal", &je, err);
    if (!json_is_object(root))
        rc = tc_error_set(err, TC_EINVAL, "signal: the body must be a JSON object, not %s",
                          tc__signal_json_kind(root));
    else
        rc = parse_object(root, out, err);
    json_decref(root);
    if (rc != 0) {
        OPENSSL_cleanse(out, sizeof(*out));
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

/* ---- checks ------------------------------------------------------------- */

static int check_id(const char *what, const char *id, struct tc_error *err)
{
    /* a valid id (the table reads at most TC_ID_BUFSZ bytes): nothing to say */
    if (tc_id_is_valid(id))
        return 0;
    if (strnlen(id, TC_ID_BUFSZ) == TC_ID_BUFSZ)
        return tc_error_set(err, TC_EINVAL, "%s id is longer than %d characters", what,
                            TC_ID_MAX);
    return tc_id_validate(what, id, err);
}

#if defined(SIGNAL_SSE2)
/*
 * The fast checks of a signal's fixed buffers, which may be read whole: a
 * yes means exactly what the byte-wise checks below would accept, a no
 * sends the signal through them for their messages.
 *
 * Allowed id bytes, 16 at a time. A range [LO, LO + N) is one addition and
 * one signed compare: X + (0x80 - LO) is below -128 + N exactly for the
 * bytes in it (the addition wraps every other byte, 0x80..0xff included,
 * to -128 + N or above). The letters are one range once 0x20 is set in
 * every byte: that maps A-Z onto a-z, and only bytes below 0x40 or from
 * 0x60 up (which are themselves or hold no letter) otherwise. '-' and '.'
 * are a range, '0'..':' another, '_' one byte.
 * An id is valid when its NUL is at 1..TC_ID_MAX and every byte before it
 * is allowed (the bytes after the NUL, still inside the buffer, count for
 * nothing).
 */
static inline __attribute__((always_inline)) int id_buf_ok(const char id[TC_ID_BUFSZ])
{
    _Static_assert(TC_ID_BUFSZ == 4 * 16 + 1, "an id buffer is four 16-byte steps and its NUL");
    const __m128i case_bit = _mm_set1_epi8(0x20), zero = _mm_setzero_si128();
    const __m128i to_a = _mm_set1_epi8((char)(0x80 - 'a')), n_az = _mm_set1_epi8(-128 + 26);
    const __m128i to_0 = _mm_set1_epi8((char)(0x80 - '0')), n_09 = _mm_set1_epi8(-128 + 11);
    const __m128i to_dash = _mm_set1_epi8((char)(0x80 - '-')), n_dash = _mm_set1_epi8(-128 + 2);
    const __m128i under = _mm_set1_epi8('_');
    for (int k = 0; k < 4; k++) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(id + 16 * k));
        const __m128i letter =
            _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(x, case_bit), to_a), n_az);
        const __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(x, to_0), n_09);
        const __m128i dash = _mm_cmplt_epi8(_mm_add_epi8(x, to_dash), n_dash);
        const __m128i ok = _mm_or_si128(_mm_or_si128(letter, digit),
                                        _mm_or_si128(dash, _mm_cmpeq_epi8(x, under)));
        const unsigned good = (unsigned)_mm_movemask_epi8(ok);
        const unsigned nul = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, zero));
        if (nul) {
            const unsigned below = (1u << __builtin_ctz(nul)) - 1u; /* the bytes before it */
            return (k > 0 || below != 0) && (good & below) == below;
        }
        if (good != 0xffffu)
            return 0;
    }
    return id[TC_ID_MAX] == '\0';
}

/* Whether the reason's buffer holds a NUL with no control byte (below 0x20,
 * or 0x7f) before it: an unsigned min finds the bytes up to 0x1f, the NUL
 * among them, and the first one found must be the NUL. */
static int reason_buf_ok(const char r[TC_SIGNAL_REASON_MAX])
{
    _Static_assert(TC_SIGNAL_REASON_MAX % 16 == 0, "the reason's buffer is whole 16-byte steps");
    const __m128i low = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
    for (int k = 0; k < TC_SIGNAL_REASON_MAX; k += 16) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(r + k));
        const __m128i ctl =
            _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, low), x), _mm_cmpeq_epi8(x, del));
        const unsigned m = (unsigned)_mm_movemask_epi8(ctl);
        if (m)
            return r[k + __builtin_ctz(m)] == '\0';
    }
    return 0;
}
#else
static int id_buf_ok(const char id[TC_ID_BUFSZ]) { return tc_id_is_valid(id); }
static int reason_buf_ok(const char r[TC_SIGNAL_REASON_MAX])
{
    (void)r;
    return 0;
}
#endif

static int positive(const char *key, struct tc_dec d, struct tc_error *err)
{
    char buf[TC_DEC_STRLEN];

    if (tc_dec_sign(d) > 0)
        return 0;
    tc_dec_format(d, buf, sizeof(buf));
    return tc_error_set(err, TC_EINVAL, "%s %s must be positive", key, buf);
}

static int check_known(const struct tc_signal *s, unsigned known, struct tc_error *err);

int tc_signal_check(const struct tc_signal *s, struct tc_error *err)
{
    return check_known(s, 0, err);
}

/* tc_signal_check with the ids of KNOWN (tc_signal_validate_known) taken as
 * valid. */
static int check_known(const struct tc_signal *s, unsigned known, struct tc_error *err)
{
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN];
    const char *tname;
    int rc, need_price, need_stop;

    if (!s)
        return tc_error_set(err, TC_EINVAL, "signal: none given");
    if (s->type < TC_SIGNAL_BASE_ENTRY || s->type > TC_SIGNAL_STOP_UPDATE)
        return tc_error_set(err, TC_EINVAL, "type %d is not one of BASE_ENTRY, PYRAMID, EXIT, "
                            "STOP_UPDATE", (int)s->type);
    if (s->side != TC_SIDE_LONG && s->side != TC_SIDE_SHORT)
        return tc_error_set(err, TC_EINVAL, "side %d is not one of LONG, SHORT", (int)s->side);
    /* valid ids (the common case) pass the fast check; anything else goes
     * through check_id, in the same order, for its message */
    if (!(((known & TC_SIGNAL_KNOWN_PORTFOLIO) || id_buf_ok(s->portfolio)) &&
          ((known & TC_SIGNAL_KNOWN_STRATEGY) || id_buf_ok(s->strategy)) &&
          ((known & TC_SIGNAL_KNOWN_INSTRUMENT) || id_buf_ok(s->instrument)) &&
          (!s->has_signal_id || id_buf_ok(s->signal_id)))) {
        if ((!(known & TC_SIGNAL_KNOWN_PORTFOLIO) &&
             (rc = check_id("portfolio", s->portfolio, err)) != 0) ||
            (!(known & TC_SIGNAL_KNOWN_STRATEGY) &&
             (rc = check_id("strategy", s->strategy, err)) != 0) ||
            (!(known & TC_SIGNAL_KNOWN_INSTRUMENT) &&
             (rc = check_id("instrument", s->instrument, err)) != 0))
            return rc;
        if (s->has_signal_id && (rc = check_id("signal_id", s->signal_id, err)) != 0)
            return rc;
    }

    tname = tc_signal_type_name(s->type);
    need_price = s->type == TC_SIGNAL_BASE_ENTRY || s->type == TC_SIGNAL_PYRAMID;
    /* an explicit size needs no stop to size by: the stop is then optional */
    need_stop = (s->type == TC_SIGNAL_BASE_ENTRY && !s->has_quantity && !s->has_lots) ||
                s->type == TC_SIGNAL_STOP_UPDATE;
    if (need_price && !s->has_price)
        return tc_error_set(err, TC_EINVAL, "price is missing (required for %s)", tname);
    if (need_stop && !s->has_stop)
        return tc_error_set(err, TC_EINVAL, "stop is missing (required for %s)", tname);
    if (s->has_price && (rc = positive("price", s->price, err)) != 0)
        return rc;
    if (s->has_stop && (rc = positive("stop", s->stop, err)) != 0)
        return rc;
    if (s->has_quantity && (rc = positive("quantity", s->quantity, err)) != 0)
        return rc;
    if (s->has_lots) {
        if ((rc = positive("lots", s->lots, err)) != 0)
            return rc;
        if (s->lots.raw % TC_DEC_ONE != 0) {
            tc_dec_format(s->lots, a, sizeof(a));
            return tc_error_set(err, TC_EINVAL, "lots %s is not a whole number", a);
        }
    }
    if (s->has_price && s->has_stop) {
        int c = tc_dec_cmp(s->stop, s->price);
        if ((s->side == TC_SIDE_LONG && c >= 0) || (s->side == TC_SIDE_SHORT && c <= 0)) {
            tc_dec_format(s->stop, a, sizeof(a));
            tc_dec_format(s->price, b, sizeof(b));
            return tc_error_set(err, TC_EINVAL, "stop %s must be %s the price %s for a %s %s",
                                a, s->side == TC_SIDE_LONG ? "below" : "above", b,
                                tc_side_name(s->side), tname);
        }
    }
    if (!reason_buf_ok(s->reason)) {
        if (strnlen(s->reason, sizeof(s->reason)) == sizeof(s->reason))
            return tc_error_set(err, TC_EINVAL, "reason is longer than %d bytes",
                                TC_SIGNAL_REASON_MAX - 1);
        if (s->reason[0] &&
            tc_validate_text("reason", s->reason, TC_SIGNAL_REASON_MAX - 1, 1, err))
            return TC_EINVAL;
    }
    if (s->passphrase[0] && strnlen(s->passphrase, sizeof(s->passphrase)) == sizeof(s->passphrase))
        return tc_error_set(err, TC_EINVAL, "passphrase is longer than %d bytes",
                            TC_SIGNAL_PASSPHRASE_MAX - 1);
    return 0;
}

/* "2024-01-31T14:30:00.000000Z", or the raw microseconds when out of range. */
static void show_time(int64_t us, char *buf, size_t cap)
{
    if (tc_time_format(us, buf, cap) < 0)
        snprintf(buf, cap, "%lld us", (long long)us);
}

int tc_signal_validate(const struct tc_signal *s, int64_t now_us, int64_t max_skew_us,
                       struct tc_error *err)
{
    return tc_signal_validate_known(s, now_us, max_skew_us, 0, err);
}

int tc_signal_validate_known(const struct tc_signal *s, int64_t now_us, int64_t max_skew_us,
                             unsigned known, struct tc_error *err)
{
    char ts[TC_TIME_STRLEN + 8], now[TC_TIME_STRLEN + 8];
    i128 diff;
    int rc;

    if ((rc = check_known(s, known, err)) != 0)
        return rc;
    if (max_skew_us < 0)
        return tc_error_set(err, TC_EINVAL, "signal: maximum skew %lld us is negative",
                            (long long)max_skew_us);
    diff = (i128)s->timestamp_us - (i128)now_us;
    if (diff > max_skew_us || -diff > max_skew_us) {
        i128 mag = diff < 0 ? -diff : diff;
        show_time(s->timestamp_us, ts, sizeof(ts));
        show_time(now_us, now, sizeof(now));
        return tc_error_set(err, TC_ERANGE,
                            "timestamp %s is %lld s %s now (%s), more than the %lld s allowed",
                            ts, (long long)(mag / 1000000), diff < 0 ? "before" : "after", now,
                            (long long)(max_skew_us / 1000000));
    }
    return 0;
}

/* ---- fingerprint -------------------------------------------------------- */

static size_t put_dec(char *buf, size_t cap, size_t n, const char *key, int has,
                      struct tc_dec d)
{
    char t[TC_DEC_STRLEN];

    if (has)
        tc_dec_format(d, t, sizeof(t));
    else
        memcpy(t, "-", 2);
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "%s=%s\n", key, t);
    return n;
}

_Static_assert(TC_SIGNAL_FP_LEN >= 3 + TC_ID_MAX + 1, "an \"id:\" fingerprint fits");
_Static_assert(TC_SIGNAL_FP_LEN >= 7 + TC__SHA256_HEX_LEN + 1, "a \"sha256:\" fingerprint fits");

int tc_signal_fingerprint(const struct tc_signal *s, char out[TC_SIGNAL_FP_LEN])
{
    char text[1024], ts[TC_TIME_STRLEN + 8];
    size_t n;

    out[0] = '\0';
    if (s->has_signal_id) {
        /* "id:%.*s" by hand: once per signal. The id's buffer whole, its
         * first TC_ID_MAX bytes: the text up to its NUL, or cut there */
        memcpy(out, "id:", 3);
        memcpy(out + 3, s->signal_id, TC_ID_MAX);
        out[3 + TC_ID_MAX] = '\0';
        return 0;
    }
    show_time(s->timestamp_us, ts, sizeof(ts));
    n = (size_t)snprintf(text, sizeof(text),
                         "tradecore-signal-v1\ntype=%s\nportfolio=%.*s\nstrategy=%.*s\n"
                         "instrument=%.*s\nside=%s\n",
                         tc_signal_type_name(s->type), TC_ID_MAX, s->portfolio, TC_ID_MAX,
                         s->strategy, TC_ID_MAX, s->instrument, tc_side_name(s->side));
    n = put_dec(text, sizeof(text), n, "price", s->has_price, s->price);
    n = put_dec(text, sizeof(text), n, "stop", s->has_stop, s->stop);
    n = put_dec(text, sizeof(text), n, "quantity", s->has_quantity, s->quantity);
    n = put_dec(text, sizeof(text), n, "lots", s->has_lots, s->lots);
    if (n < sizeof(text))
        n += (size_t)snprintf(text + n, sizeof(text) - n, "timestamp=%s\nreason=%.*s\n", ts,
                              TC_SIGNAL_REASON_MAX - 1, s->reason);
    if (n >= sizeof(text))
        return TC_EINTERNAL; /* cannot happen: every field is bounded */
    memcpy(out, "sha256:", 7);
    if (tc__sha256_hex(text, n, out + 7) != 0) {
        out[0] = '\0';
        return TC_EINTERNAL;
    }
    return 0;
}

/* ---- passphrase --------------------------------------------------------- */

int tc_signal_check_passphrase(const struct tc_signal *s, const char *expected,
                               struct tc_error *err)
{
    size_t a, b;

    if (!s || !expected || !*expected)
        return tc_error_set(err, TC_EINVAL, "signal passphrase: no expected passphrase is "
                            "configured");
    if (!s->has_passphrase || !s->passphrase[0])
        return tc_error_set(err, TC_EAUTH, "signal passphrase is missing");
    a = strnlen(s->passphrase, sizeof(s->passphrase));
    b = strlen(expected);
    if (a != b || CRYPTO_memcmp(s->passphrase, expected, a) != 0)
        return tc_error_set(err, TC_EAUTH, "signal passphrase does not match");
    return 0;
}

void tc_signal_wipe_passphrase(struct tc_signal *s)
{
    if (!s)
        return;
    OPENSSL_cleanse(s->passphrase, sizeof(s->passphrase));
    s->has_passphrase = 0;
}
