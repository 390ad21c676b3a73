/*
 * Store URLs as they may be shown: the password of "scheme://user:pass@host"
 * and the value of any "password=" (or "…password=") parameter, in a URL query
 * or a libpq keyword/value string, are replaced by "***". The input is
 * untrusted text: every byte is read at most once, bounds-checked.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "tradecore/store.h"
#include "internal/banned.h"

#define MASK "***"

struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->len + n < o->cap)
        memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
}

/* A key naming a secret: "password", "sslpassword", "PASSWORD" … */
static int secret_key(const char *k, size_t n)
{
    static const char word[] = "password";
    size_t wl = sizeof(word) - 1;
    return n >= wl && strncasecmp(k + n - wl, word, wl) == 0;
}

/* The length of the value starting at S[I], quoted ('…' with \ escapes) or bare. */
static size_t value_len(const char *s, size_t i, size_t len)
{
    size_t j = i;
    if (j < len && s[j] == '\'') {
        j++;
        while (j < len && s[j] != '\'') {
            if (s[j] == '\\' && j + 1 < len)
                j++;
            j++;
        }
        if (j < len)
            j++; /* closing quote */
        return j - i;
    }
    while (j < len && s[j] != '&' && s[j] != ';' && s[j] != '#' && !is_space(s[j]))
        j++;
    return j - i;
}

/* Copies S[I..LEN) masking the values of secret parameters. */
static void scan_params(struct out *o, const char *s, size_t i, size_t len, int boundary)
{
    while (i < len) {
        if (boundary) {
            size_t k = i;
            while (k < len && is_key_char(s[k]))
                k++;
            if (k > i && k < len && s[k] == '=' && secret_key(s + i, k - i)) {
                put(o, s + i, k + 1 - i);
                put(o, MASK, sizeof(MASK) - 1);
                i = k + 1 + value_len(s, k + 1, len);
                boundary = 0;
                continue;
            }
        }
        boundary = s[i] == '?' || s[i] == '&' || s[i] == ';' || is_space(s[i]);
        put(o, s + i, 1);
        i++;
    }
}

int tc_store_redact_url(const char *url, char *buf, size_t cap)
{
    struct out o = {buf, buf ? cap : 0, 0};
    const char *sep;
    size_t len, i = 0;

    if (!url)
        url = "";
    len = strlen(url);
    sep = strstr(url, "://");
    if (sep) {
        size_t auth = (size_t)(sep - url) + 3, end = auth, at = len, colon;
        while (end < len && url[end] != '/' && url[end] != '?' && url[end] != '#')
            end++;
        /* The last '@' ends the user information: raw passwords may hold '@'. */
        for (i = auth; i < end; i++)
            if (url[i] == '@')
                at = i;
        if (at < end) {
            for (colon = auth; colon < at && url[colon] != ':'; colon++)
                ;
            if (colon < at) {
                put(&o, url, colon + 1);
                put(&o, MASK, sizeof(MASK) - 1);
                put(&o, url + at, end - at);
            } else {
                put(&o, url, end);
            }
        } else {
            put(&o, url, end);
        }
        scan_params(&o, url, end, len, 0);
    } else {
        scan_params(&o, url, 0, len, 1);
    }
    if (o.len >= o.cap || o.len > (size_t)INT32_MAX) {
        if (buf && cap > 0)
            buf[0] = '\0';
        return TC_ERANGE;
    }
    buf[o.len] = '\0';
    return (int)o.len;
}
