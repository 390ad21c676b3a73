/* Growing arrays (core/grow.h). */
#include <stdint.h>
#include <stdlib.h>

#include "core/grow.h"
#include "tradecore/error.h"
#include "internal/banned.h"

int tc__grow(void **items, size_t *cap, size_t n, size_t size, size_t first)
{
    size_t c;
    void *t;

    if (n < *cap)
        return 0;
    c = *cap ? *cap : (first ? first : 1);
    if (*cap) {
        if (c > SIZE_MAX / 2)
            return TC_ENOMEM;
        c *= 2;
    }
    while (c <= n) {
        if (c > SIZE_MAX / 2)
            return TC_ENOMEM;
        c *= 2;
    }
    if (size && c > SIZE_MAX / size)
        return TC_ENOMEM;
    if (!(t = realloc(*items, c * size)))
        return TC_ENOMEM;
    *items = t;
    *cap = c;
    return 0;
}
