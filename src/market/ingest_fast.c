/* The price CSV reader's fast path: quote-free lines split by hand, plain
 * decimals and whole numbers parsed by hand; anything else is declined and
 * left to libcsv and tc_dec_parse (ingest_fast.h). */
#include <string.h>

#include "market/ingest_fast.h"
#include "internal/banned.h"

int tc__prices_fast = 1;

int tc__csv_split_plain(const char *s, size_t len, char *fbuf, size_t cap, size_t *off,
                        size_t *flen, int maxf, int *nf)
{
    size_t start = 0;
    int n = 0;

    if (len + 1 > cap || memchr(s, '"', len) || memchr(s, '\r', len))
        return 1;
    /* the fields laid out as in the line, each comma turned into a NUL */
    memcpy(fbuf, s, len);
    fbuf[len] = '\0';
    for (;;) {
        const char *comma = memchr(fbuf + start, ',', len - start);
        size_t end = comma ? (size_t)(comma - fbuf) : len;
        if (n < maxf) {
            off[n] = start;
            flen[n] = end - start;
        }
        n++;
        if (!comma)
            break;
        fbuf[end] = '\0';
        start = end + 1;
    }
    *nf = n;
    return 0;
}

int tc__dec_parse_plain(const char *s, size_t n, struct tc_dec *out)
{
    size_t i = 0;
    int64_t ip = 0, fp = 0;
    int fd = 0;

    while (i < n && i < 11 && s[i] >= '0' && s[i] <= '9') {
        ip = ip * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0 || i > 10) /* 10 digits stay below the range of a tc_dec */
        return 1;
    if (i < n) {
        if (s[i] != '.')
            return 1;
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9' && fd < 9) {
            fp = fp * 10 + (s[i] - '0');
            fd++;
            i++;
        }
        if (i != n || fd == 0 || fd > 8)
            return 1;
    }
    static const int64_t scale[9] = {100000000, 10000000, 1000000, 100000, 10000,
                                     1000,      100,      10,      1};
    out->raw = ip * TC_DEC_ONE + fp * scale[fd];
    return 0;
}

int tc__whole_parse_plain(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    if (n == 0 || n > 18)
        return 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}
