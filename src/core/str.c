/*
 * Bounded string copies without a format string (core/str.h): what
 * snprintf(buf, cap, "%s", s) does, for the ids copied on every signal and
 * fill.
 */
#include <string.h>

#include "core/str.h"
#include "internal/banned.h"

const uint64_t tc__pow10[20] = {UINT64_C(1),
                                UINT64_C(10),
                                UINT64_C(100),
                                UINT64_C(1000),
                                UINT64_C(10000),
                                UINT64_C(100000),
                                UINT64_C(1000000),
                                UINT64_C(10000000),
                                UINT64_C(100000000),
                                UINT64_C(1000000000),
                                UINT64_C(10000000000),
                                UINT64_C(100000000000),
                                UINT64_C(1000000000000),
                                UINT64_C(10000000000000),
                                UINT64_C(100000000000000),
                                UINT64_C(1000000000000000),
                                UINT64_C(10000000000000000),
                                UINT64_C(100000000000000000),
                                UINT64_C(1000000000000000000),
                                UINT64_C(10000000000000000000)};

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

uint64_t tc__str_hash(const char *s)
{
    size_t len = strlen(s), k = 0;
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ len, w;
    unsigned char tail[8] = {0};

    for (; k + 8 <= len; k += 8) {
        memcpy(&w, s + k, 8);
        h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 32;
    }
    for (size_t i = 0; k + i < len; i++)
        tail[i] = (unsigned char)s[k + i];
    memcpy(&w, tail, 8);
    h ^= w;
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    return h ^ (h >> 33);
}

size_t tc__str_cat(char *buf, size_t cap, size_t at, const char *s)
{
    size_t n = strlen(s);
    if (cap == 0)
        return at + n;
    put(buf, cap, at, s, n);
    buf[at + n < cap ? at + n : cap - 1] = '\0';
    return at + n;
}

const char tc__str_two_digits[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

size_t tc__str_cat_u64(char *buf, size_t cap, size_t at, uint64_t v)
{
    char digits[21];
    const char *d;

    digits[sizeof(digits) - 1] = '\0';
    d = tc__str_u64_rev(digits + sizeof(digits) - 1, v);
    return tc__str_cat(buf, cap, at, d);
}

size_t tc__str_join_u64(char *buf, size_t cap, const char *s, const char *sep, uint64_t v)
{
    char digits[20];
    const char *d = tc__str_u64_rev(digits + sizeof(digits), v);
    size_t nd = (size_t)(digits + sizeof(digits) - d), ns = strlen(s), nsep = strlen(sep), total;

    total = ns + nsep + nd;
    if (cap == 0)
        return total;
    if (total < cap) {
        memcpy(buf, s, ns);
        memcpy(buf + ns, sep, nsep);
        memcpy(buf + ns + nsep, d, nd);
        buf[total] = '\0';
        return total;
    }
    put(buf, cap, 0, s, ns);
    put(buf, cap, ns, sep, nsep);
    put(buf, cap, ns + nsep, d, nd);
    buf[cap - 1] = '\0';
    return total;
}
