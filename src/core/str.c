/*
 * Bounded string copies without a format string (core/str.h): what
 * snprintf(buf, cap, "%s", s) does, for the ids copied on every signal and
 * fill.
 */
#include <string.h>

#include "core/str.h"
#include "internal/banned.h"

/* Copies LEN bytes of S at BUF + AT if they fit below CAP - 1; the rest is cut. */
static void put(char *buf, size_t cap, size_t at, const char *s, size_t len)
{
    if (at + 1 >= cap)
        return;
    if (len > cap - 1 - at)
        len = cap - 1 - at;
    memcpy(buf + at, s, len);
}

size_t tc__str_copy(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (cap == 0)
        return n;
    if (n < cap) {
        memcpy(buf, s, n + 1);
        return n;
    }
    memcpy(buf, s, cap - 1);
    buf[cap - 1] = '\0';
    return n;
}

size_t tc__str_join_u64(char *buf, size_t cap, const char *s, const char *sep, uint64_t v)
{
    char digits[20];
    size_t nd = 0, ns = strlen(s), nsep = strlen(sep), total;

    do {
        digits[sizeof(digits) - 1 - nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    total = ns + nsep + nd;
    if (cap == 0)
        return total;
    put(buf, cap, 0, s, ns);
    put(buf, cap, ns, sep, nsep);
    put(buf, cap, ns + nsep, digits + sizeof(digits) - nd, nd);
    buf[total < cap ? total : cap - 1] = '\0';
    return total;
}
