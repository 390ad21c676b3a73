/* Field checks for entity repositories: ids, free text, currency codes, IANA
 * time zones, JSON objects and calendar dates. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/civil.h"
#include "tradecore/validate.h"
#include "internal/banned.h"

#define ZONEINFO "/usr/share/zoneinfo/"

static int is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int tc_validate_id(const char *what, const char *id, struct tc_error *err)
{
    return tc_id_validate(what, id, err);
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * Whether the LEN bytes of S hold a control character (below 0x20, or
 * 0x7f), eight bytes a step. For a word W: (W - 0x20 each) & ~W & 0x80 each
 * is non-zero exactly when a byte is below 0x20 (a byte of 0x80 or more
 * never sets its own bit, and a borrow only starts at a byte below 0x20);
 * W ^ 0x7f each has a zero byte exactly where W has 0x7f, found the same
 * way with 1. Only a yes or no: the byte loop then finds the offset.
 */
static int has_control(const char *s, size_t len)
{
    uint64_t acc = 0, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        const uint64_t d = w ^ (0x7f * ONES);
        acc |= ((w - 0x20 * ONES) & ~w) | ((d - ONES) & ~d);
    }
    for (; i < len; i++)
        acc |= (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? HIGHS : 0;
    return (acc & HIGHS) != 0;
}

int tc_validate_text(const char *what, const char *s, size_t max, int optional,
                     struct tc_error *err)
{
    size_t len;

    if (!s || !*s)
        return optional ? 0 : tc_error_set(err, TC_EINVAL, "%s is empty", what);
    len = strlen(s);
    if (len > max)
        return tc_error_set(err, TC_EINVAL, "%s is %zu bytes long (at most %zu)", what, len,
                            max);
    if (!has_control(s, len))
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return tc_error_set(err, TC_EINVAL, "%s has a control character at offset %zu",
                                what, i);
    return 0;
}

int tc_validate_currency(const char *what, const char *ccy, struct tc_error *err)
{
    if (!ccy || !*ccy)
        return tc_error_set(err, TC_EINVAL, "%s is empty (expected three capital letters)",
                            what);
    if (strlen(ccy) != 3 || !(ccy[0] >= 'A' && ccy[0] <= 'Z') ||
        !(ccy[1] >= 'A' && ccy[1] <= 'Z') || !(ccy[2] >= 'A' && ccy[2] <= 'Z'))
        return tc_error_set(err, TC_EINVAL, "%s \"%.16s\" is not three capital letters", what,
                            ccy);
    return 0;
}

int tc_validate_timezone(const char *what, const char *tz, struct tc_error *err)
{
    char path[256], magic[4];
    struct stat st;
    size_t len;
    ssize_t got;
    int fd;

    if (!tz || !*tz)
        return tc_error_set(err, TC_EINVAL, "%s is empty", what);
    len = strlen(tz);
    if (len > TC_VALIDATE_ID_MAX)
        return tc_error_set(err, TC_EINVAL, "%s is %zu characters long (at most %d)", what, len,
                            TC_VALIDATE_ID_MAX);
    if (tz[0] == '/' || tz[len - 1] == '/' || strstr(tz, "//") || strstr(tz, ".."))
        return tc_error_set(err, TC_EINVAL, "%s \"%s\" is not an IANA time zone name", what,
                            tz);
    for (size_t i = 0; i < len; i++) {
        char c = tz[i];
        if (!is_alnum(c) && c != '_' && c != '+' && c != '-' && c != '/' && c != '.')
            return tc_error_set(err, TC_EINVAL, "%s \"%s\" is not an IANA time zone name",
                                what, tz);
    }
    snprintf(path, sizeof(path), ZONEINFO "%s", tz);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return tc_error_set(err, TC_EINVAL, "%s \"%s\" is not a known time zone (no %s)", what,
                            tz, path);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tc_error_set(err, TC_EINVAL, "%s \"%s\": cannot read %s: %s", what, tz, path,
                            strerror(errno));
    got = read(fd, magic, sizeof(magic));
    close(fd);
    if (got != (ssize_t)sizeof(magic) || memcmp(magic, "TZif", 4) != 0)
        return tc_error_set(err, TC_EINVAL, "%s \"%s\" is not a time zone (%s is not TZif)",
                            what, tz, path);
    return 0;
}

int tc_validate_json_object(const char *what, const char *json, struct tc_error *err)
{
    json_error_t jerr;
    json_t *v;
    int ok;

    if (!json)
        return 0;
    v = json_loads(json, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!v)
        return tc_error_set(err, TC_EINVAL, "%s is not valid JSON: %s (line %d, column %d)",
                            what, jerr.text, jerr.line, jerr.column);
    ok = json_is_object(v);
    json_decref(v);
    if (!ok)
        return tc_error_set(err, TC_EINVAL, "%s is not a JSON object", what);
    return 0;
}

int tc_validate_date(const char *what, const char *date, struct tc_error *err)
{
    int y, m, d;

    if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
        goto bad;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !(date[i] >= '0' && date[i] <= '9'))
            goto bad;
    y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
    m = (date[5] - '0') * 10 + (date[6] - '0');
    d = (date[8] - '0') * 10 + (date[9] - '0');
    if (m < 1 || m > 12)
        goto bad;
    if (d < 1 || d > tc__days_in_month(y, m))
        goto bad;
    return 0;
bad:
    return tc_error_set(err, TC_EINVAL, "%s \"%.16s\" is not a date YYYY-MM-DD", what,
                        date ? date : "");
}
