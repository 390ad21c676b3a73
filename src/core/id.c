/*
 * Identifiers: v4 UUIDs from libuuid, the decision, run and context ids built
 * on them, and validation of ids that arrive from outside.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <uuid/uuid.h>

#include "core/civil.h"
#include "tradecore/clock.h"
#include "tradecore/id.h"
#include "internal/banned.h"

#define US_PER_DAY (INT64_C(86400) * INT64_C(1000000))

static int fail_buf(char *buf, size_t cap, int code)
{
    if (buf && cap > 0)
        buf[0] = '\0';
    return code;
}

int tc_id_uuid(char *buf, size_t cap)
{
    uuid_t u;
    char text[TC_UUID_STRLEN];
    if (!buf || cap < TC_UUID_STRLEN)
        return fail_buf(buf, cap, TC_ERANGE);
    uuid_generate_random(u);
    uuid_unparse_lower(u, text);
    memcpy(buf, text, TC_UUID_STRLEN);
    return TC_UUID_STRLEN - 1;
}

/* 1 for the bytes an id may hold, [A-Za-z0-9._:-]; NUL and the rest 0. */
static const unsigned char id_byte[256] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x20 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, /* - . */
    /* 0x30 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, /* 0-9 : */
    /* 0x40 */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* A-O */
    /* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, /* P-Z _ */
    /* 0x60 */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* a-o */
    /* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, /* p-z */
    /* 0x80..0xff: 0 */
};

static int allowed(unsigned char c) { return id_byte[c]; }

/* The length of ID when it is a valid id (1..TC_ID_MAX allowed bytes), else 0.
 * Reads at most TC_ID_MAX + 1 bytes: a longer text stops at the first byte past
 * the limit, a bad byte at itself (the NUL is not allowed either). Four bytes
 * a step while all four are within the limit (one bound check for four),
 * each read only once the ones before it were allowed, so nothing past the
 * NUL is read. */
static size_t valid_len(const char *id)
{
    const unsigned char *p = (const unsigned char *)id;
    size_t n = 0;
    for (; n + 4 <= TC_ID_MAX + 1; n += 4) {
        if (!id_byte[p[n]])
            goto end;
        if (!id_byte[p[n + 1]]) {
            n += 1;
            goto end;
        }
        if (!id_byte[p[n + 2]]) {
            n += 2;
            goto end;
        }
        if (!id_byte[p[n + 3]]) {
            n += 3;
            goto end;
        }
    }
    while (n <= TC_ID_MAX && id_byte[p[n]])
        n++;
end:
    return (n <= TC_ID_MAX && p[n] == '\0') ? n : 0;
}

int tc_id_is_valid(const char *id)
{
    return id && valid_len(id) > 0;
}

/* "<prefix>_<uuid>" */
static int prefixed_uuid(char *buf, size_t cap, const char *prefix)
{
    char u[TC_UUID_STRLEN];
    size_t plen = strlen(prefix);
    size_t total = plen + 1 + (TC_UUID_STRLEN - 1);
    if (total > TC_ID_MAX || !buf || cap < total + 1)
        return fail_buf(buf, cap, TC_ERANGE);
    tc_id_uuid(u, sizeof(u));
    memcpy(buf, prefix, plen);
    buf[plen] = '_';
    memcpy(buf + plen + 1, u, TC_UUID_STRLEN);
    return (int)total;
}

int tc_id_decision(char *buf, size_t cap)
{
    return prefixed_uuid(buf, cap, TC_ID_DECISION_PREFIX);
}

int tc_id_run(char *buf, size_t cap, const char *prefix)
{
    if (!tc_id_is_valid(prefix))
        return fail_buf(buf, cap, TC_EINVAL);
    return prefixed_uuid(buf, cap, prefix);
}

/* Whether V reads as a valid date YYYYMMDD with year 1000..9999. */
static int as_yyyymmdd(int64_t v, int *y, int *m, int *d)
{
    if (v < INT64_C(10000101) || v > INT64_C(99991231))
        return 0;
    *y = (int)(v / 10000);
    *m = (int)(v / 100 % 100);
    *d = (int)(v % 100);
    return *m >= 1 && *m <= 12 && *d >= 1 && *d <= tc__days_in_month(*y, *m);
}

int tc_id_context(char *buf, size_t cap, int64_t day_us_or_date, const char *portfolio,
                  const char *strategy)
{
    int y, m, d, n;
    if (!tc_id_is_valid(portfolio) || !tc_id_is_valid(strategy))
        return fail_buf(buf, cap, TC_EINVAL);
    if (!as_yyyymmdd(day_us_or_date, &y, &m, &d)) {
        int64_t days = day_us_or_date / US_PER_DAY;
        if (day_us_or_date % US_PER_DAY < 0)
            days--;
        tc_civil_from_days(days, &y, &m, &d);
        if (y < 0 || y > 9999)
            return fail_buf(buf, cap, TC_ERANGE);
    }
    if (8 + 1 + strlen(portfolio) + 1 + strlen(strategy) > TC_ID_MAX || !buf)
        return fail_buf(buf, cap, TC_ERANGE);
    n = snprintf(buf, cap, "%04d%02d%02d_%s_%s", y, m, d, portfolio, strategy);
    if (n < 0 || (size_t)n >= cap)
        return fail_buf(buf, cap, TC_ERANGE);
    return n;
}

int tc_id_validate(const char *what, const char *id, struct tc_error *err)
{
    char shown[TC_ID_MAX * 4 + 8];
    size_t n, k, w = 0, wl;
    const char *suffix;
    int bad = -1;

    /* the common case, a valid id: one pass over the table, no message */
    if (id && valid_len(id) > 0)
        return 0;
    if (!what)
        what = "";
    wl = strlen(what);
    suffix = (wl >= 2 && (strcmp(what + wl - 2, "id") == 0 || strcmp(what + wl - 2, "ID") == 0))
                 ? ""
                 : (wl ? " id" : "id");
    if (!id)
        return tc_error_set(err, TC_EINVAL, "%s%s is missing", what, suffix);
    n = strlen(id);
    for (k = 0; k < n && bad < 0; k++)
        if (!allowed((unsigned char)id[k]))
            bad = (int)k;
    /* Shown text: at most TC_ID_MAX bytes, non-printable bytes escaped. */
    for (k = 0; k < n && k < TC_ID_MAX; k++) {
        unsigned char c = (unsigned char)id[k];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            shown[w++] = (char)c;
        else
            w += (size_t)snprintf(shown + w, sizeof(shown) - w, "\\x%02x", c);
    }
    if (n > TC_ID_MAX) {
        memcpy(shown + w, "...", 3);
        w += 3;
    }
    shown[w] = '\0';

    if (n == 0)
        return tc_error_set(err, TC_EINVAL, "%s%s \"\" is empty", what, suffix);
    if (bad >= 0) {
        unsigned char c = (unsigned char)id[bad];
        if (c >= 0x20 && c < 0x7f)
            return tc_error_set(err, TC_EINVAL,
                                "%s%s \"%s\" has a character that is not allowed: '%c'", what,
                                suffix, shown, (char)c);
        return tc_error_set(err, TC_EINVAL,
                            "%s%s \"%s\" has a character that is not allowed: '\\x%02x'", what,
                            suffix, shown, c);
    }
    if (n > TC_ID_MAX)
        return tc_error_set(err, TC_EINVAL, "%s%s \"%s\" is longer than %d characters", what,
                            suffix, shown, TC_ID_MAX);
    return 0;
}
