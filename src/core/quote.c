/*
 * Text quoted in a message (core/quote.h): the bytes a message may not carry
 * raw are written as \xNN. Shared by the price-file reader and the strategy
 * parameters, whose messages quote a path, a header or a value as given.
 */
#include <stdio.h>

#include "core/quote.h"
#include "internal/banned.h"

size_t tc__quote_bytes(const char *s, size_t n, size_t max, char *buf, size_t cap, size_t *used)
{
    size_t k = 0, i = 0;
    for (; i < n && i < max && k + 5 <= cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) {
            buf[k++] = (char)c;
        } else {
            snprintf(buf + k, cap - k, "\\x%02x", c);
            k += 4;
        }
    }
    buf[k] = '\0';
    if (used)
        *used = i;
    return k;
}
