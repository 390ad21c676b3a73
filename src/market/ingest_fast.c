/* The price CSV reader's fast path: quote-free lines split by hand (eight
 * bytes at a time), plain decimals and whole numbers parsed by hand (with a
 * straight-line path for the common "digits.dddddd" form); anything else is
 * declined and left to libcsv and tc_dec_parse (ingest_fast.h). */
#include <stdint.h>
#include <string.h>

#include "market/ingest_fast.h"
#include "internal/banned.h"

int tc__prices_fast = 1;

#define ONES UINT64_C(0x0101010101010101)
#define LOW7 UINT64_C(0x7f7f7f7f7f7f7f7f)

/* 0x80 in each byte of W equal to C, 0 elsewhere (exact: no carries cross
 * bytes, since each byte's low seven bits are added apart from its top bit). */
static inline uint64_t bytes_eq(uint64_t w, unsigned char c)
{
    uint64_t t = w ^ (ONES * c);
    return ~(((t & LOW7) + LOW7) | t | LOW7);
}

/* Records the field that ends at END (a comma's index, or the line's end). */
#define FIELD_END(end)                                                                     \
    do {                                                                                   \
        if (n < maxf) {                                                                    \
            off[n] = start;                                                                \
            flen[n] = (end) - start;                                                       \
        }                                                                                  \
        n++;                                                                               \
        start = (end) + 1;                                                                 \
    } while (0)

int tc__csv_split_plain(const char *s, size_t len, char *fbuf, size_t cap, size_t *off,
                        size_t *flen, int maxf, int *nf)
{
    size_t start = 0, i = 0;
    int n = 0;

    if (len + 1 > cap)
        return 1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* a word at a time: copy it, stop at a quote or CR (libcsv's business),
     * and turn each comma into a NUL, recording the field before it */
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (bytes_eq(w, '"') | bytes_eq(w, '\r'))
            return 1;
        uint64_t m = bytes_eq(w, ',');
        w &= ~((m >> 7) * 0xff); /* commas become NUL */
        memcpy(fbuf + i, &w, 8);
        while (m) {
            size_t at = i + (size_t)(__builtin_ctzll(m) >> 3);
            FIELD_END(at);
            m &= m - 1;
        }
    }
#endif
    for (; i < len; i++) {
        char c = s[i];
        if (c == '"' || c == '\r')
            return 1;
        if (c == ',') {
            fbuf[i] = '\0';
            FIELD_END(i);
        } else {
            fbuf[i] = c;
        }
    }
    fbuf[len] = '\0';
    FIELD_END(len);
    *nf = n;
    return 0;
}

#undef FIELD_END

/* 1 when C is not a decimal digit; its value into *D otherwise. */
static inline int digit(char c, unsigned *d)
{
    *d = (unsigned)(unsigned char)c - '0';
    return *d > 9;
}

int tc__dec_parse_plain(const char *s, size_t n, struct tc_dec *out)
{
    size_t i = 0;
    int64_t ip = 0, fp = 0;
    int fd = 0;
    unsigned d;

    /* "I.FFFFFF": 1..10 integer digits and exactly six fractional ones,
     * what gen-bars and most vendors write; the same value as below */
    if (n >= 8 && n <= 17 && s[n - 7] == '.') {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* the six fractional digits as one word: checked and combined in
         * pairs without a branch per digit */
        uint64_t w;
        memcpy(&w, s + n - 8, 8);
        w >>= 16; /* f0..f5 in bytes 0..5 */
        if ((w & UINT64_C(0xF0F0F0F0F0F0)) != UINT64_C(0x303030303030) ||
            ((w + UINT64_C(0x060606060606)) & UINT64_C(0xF0F0F0F0F0F0)) !=
                UINT64_C(0x303030303030))
            return 1; /* a byte outside '0'..'9' */
        w &= UINT64_C(0x0F0F0F0F0F0F);
        w = w * 10 + (w >> 8); /* bytes 0, 2, 4: f0f1, f2f3, f4f5 */
        fp = (int64_t)((w & 0xFF) * 10000 + ((w >> 16) & 0xFF) * 100 + ((w >> 32) & 0xFF));
#else
        const char *f = s + n - 6;
        unsigned f0, f1, f2, f3, f4, f5;
        if (digit(f[0], &f0) | digit(f[1], &f1) | digit(f[2], &f2) | digit(f[3], &f3) |
            digit(f[4], &f4) | digit(f[5], &f5))
            return 1;
        fp = (((((int64_t)f0 * 10 + f1) * 10 + f2) * 10 + f3) * 10 + f4) * 10 + f5;
#endif
        for (i = 0; i < n - 7; i++) {
            if (digit(s[i], &d))
                return 1;
            ip = ip * 10 + d;
        }
        out->raw = ip * TC_DEC_ONE + fp * 100;
        return 0;
    }
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
    unsigned d;
    if (n == 0 || n > 18)
        return 1;
    for (size_t i = 0; i < n; i++) {
        if (digit(s[i], &d))
            return 1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
