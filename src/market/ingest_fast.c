/* The price CSV reader's fast path: quote-free lines split by hand (eight
 * bytes at a time), plain decimals and whole numbers parsed by hand, and
 * whole one-symbol lines parsed in place up to their line end, in runs
 * stored straight into a series, with digits checked and combined eight or
 * sixteen at a time (with SSE2, a Yahoo line whose five prices have the
 * same integer length read in one piece: each price checked against that
 * length's shape in the 16 bytes it is valued from, the numbers valued two
 * at a time); anything else is declined and left to libcsv and
 * tc_dec_parse (ingest_fast.h). */
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__) && defined(__x86_64__) && defined(__BYTE_ORDER__) &&                    \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PRICE_SSE2 1
#include <emmintrin.h>
#endif

#include "core/civil.h"
#include "market/ingest_fast.h"
#include "tradecore/clock.h"
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

/* ------------------------------------------------------------------------ */
/* Whole rows in place                                                        */

/* A price field at *P (ending at a comma or at END) as tc__dec_parse_plain
 * would read it, and > 0: 0 with *P at the field's end; 1 declines. The
 * common "I.FFFFFF" is read in one pass; any other form goes through
 * tc__dec_parse_plain on the field. */
static inline int row_price(const char **pp, const char *end, struct tc_dec *out)
{
    const char *f = *pp, *p = f;
    uint64_t ip = 0; /* wraps harmlessly past 10 digits: then unused */
    unsigned d;

    while (!digit(*p, &d)) { /* stops at END at the latest: not a digit */
        ip = ip * 10 + d;
        p++;
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (*p == '.' && (size_t)(p - f) - 1 < 10) {
        uint64_t w;
        memcpy(&w, p, 8); /* '.', six digits and one byte more */
        uint64_t fr = (w >> 8) & UINT64_C(0xFFFFFFFFFFFF);
        /* six digits end at END at the latest (END is not a digit), so
         * the byte after them is at or before END */
        if ((fr & UINT64_C(0xF0F0F0F0F0F0)) == UINT64_C(0x303030303030) &&
            ((fr + UINT64_C(0x060606060606)) & UINT64_C(0xF0F0F0F0F0F0)) ==
                UINT64_C(0x303030303030) &&
            (p + 7 == end || p[7] == ',')) {
            fr &= UINT64_C(0x0F0F0F0F0F0F);
            fr = fr * 10 + (fr >> 8);
            int64_t fp = (int64_t)((fr & 0xFF) * 10000 + ((fr >> 16) & 0xFF) * 100 +
                                   ((fr >> 32) & 0xFF));
            out->raw = (int64_t)ip * TC_DEC_ONE + fp * 100;
            *pp = p + 7;
            return out->raw <= 0;
        }
    }
#endif
    while (p < end && *p != ',')
        p++;
    if (tc__dec_parse_plain(f, (size_t)(p - f), out) != 0 || out->raw <= 0)
        return 1;
    *pp = p;
    return 0;
}

/* A whole-number field at *P as tc__whole_parse_plain would read it. */
static inline int row_whole(const char **pp, const char *end, int64_t *out)
{
    const char *f = *pp, *p = f;
    uint64_t v = 0; /* wraps harmlessly past 18 digits: then unused */
    unsigned d;

    while (!digit(*p, &d)) { /* stops at END at the latest */
        v = v * 10 + d;
        p++;
    }
    if (p == f || p - f > 18 || (p < end && *p != ','))
        return 1;
    *out = (int64_t)v;
    *pp = p;
    return 0;
}

/* "YYYY-MM-DD" at S (10 bytes) as tc__prices_parse_day would read it. */
static inline int row_day(const char *s, struct tc__day_cache *dc, int64_t *out)
{
    unsigned y0, y1, y2, y3, m0, m1, d0, d1;
    if (s[4] != '-' || s[7] != '-' || (digit(s[0], &y0) | digit(s[1], &y1) | digit(s[2], &y2) |
                                       digit(s[3], &y3) | digit(s[5], &m0) | digit(s[6], &m1) |
                                       digit(s[8], &d0) | digit(s[9], &d1)))
        return 1;
    int y = (int)(y0 * 1000 + y1 * 100 + y2 * 10 + y3), m = (int)(m0 * 10 + m1),
        d = (int)(d0 * 10 + d1);
    if (y * 100 + m != dc->ym) {
        if (m < 1 || m > 12)
            return 1;
        /* the month after the cached one (most changes in a daily file)
         * starts where that one ends */
        int after = dc->ym % 100 == 12 ? dc->ym + 89 : dc->ym + 1;
        dc->first = dc->mdays && y * 100 + m == after ? dc->first + dc->mdays
                                                      : tc_days_from_civil(y, m, 1);
        dc->ym = y * 100 + m;
        dc->key = UINT64_MAX; /* word_day sets it once the date is good */
        dc->mdays = tc__days_in_month(y, m);
    }
    if (d < 1 || d > dc->mdays)
        return 1;
    *out = dc->first + d - 1;
    return 0;
}

int tc__prices_row_plain(const char *s, size_t len, int yahoo, struct tc__day_cache *dc,
                         struct tc_bar *out)
{
    const char *p = s + 11, *end = s + len;

    if (len < 11 || s[10] != ',' || row_day(s, dc, &out->day))
        return 1;
    if (row_price(&p, end, &out->open) || p == end || *p++ != ',' ||
        row_price(&p, end, &out->high) || p == end || *p++ != ',' ||
        row_price(&p, end, &out->low) || p == end || *p++ != ',' ||
        row_price(&p, end, &out->close) || p == end || *p++ != ',')
        return 1;
    if (yahoo) {
        if (row_price(&p, end, &out->adj_close) || p == end || *p++ != ',' ||
            row_whole(&p, end, &out->volume) || p != end)
            return 1;
        out->open_interest = 0;
    } else {
        if (row_whole(&p, end, &out->volume) || p == end || *p++ != ',' ||
            row_whole(&p, end, &out->open_interest) || p != end)
            return 1;
        out->adj_close = out->close;
    }
    int64_t lo = out->low.raw, hi = out->high.raw;
    return lo > hi || out->open.raw < lo || out->open.raw > hi || out->close.raw < lo ||
           out->close.raw > hi;
}

/* Bar I of SER (room checked by the caller). */
static inline void put_bar(struct tc_bar_series *ser, size_t i, const struct tc_bar *b)
{
    ser->day[i] = b->day;
    ser->open[i] = b->open;
    ser->high[i] = b->high;
    ser->low[i] = b->low;
    ser->close[i] = b->close;
    ser->adj_close[i] = b->adj_close;
    ser->volume[i] = b->volume;
    ser->open_interest[i] = b->open_interest;
}

/* ------------------------------------------------------------------------ */
/* Whole lines in place, a word (or two) at a time                           */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__

#define ZEROS UINT64_C(0x3030303030303030)
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

HOT uint64_t load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* The digit values of the eight bytes at P (exact up to the first byte that
 * is not a digit; the bytes after it are garbage) into *T, and the number
 * of leading digits (0..8). */
HOT unsigned lead_digits(const char *p, uint64_t *t)
{
    uint64_t v = load8(p) - ZEROS; /* a borrow only disturbs later bytes */
    uint64_t m = ((v + UINT64_C(0x7676767676767676)) | v) & UINT64_C(0x8080808080808080);
    *t = v;
    return m ? (unsigned)__builtin_ctzll(m) >> 3 : 8;
}

/* Eight digit values (byte 0 the most significant; each 0..9) as a number:
 * pairs, fours and the eight each by one multiply that adds the higher
 * part times 10, 100 or 10^4 to the lower (no carry crosses a lane). */
HOT uint64_t value8(uint64_t t)
{
    t = (t * 2561) >> 8;                                      /* 10 * 2^8 + 1 */
    t = ((t & UINT64_C(0x00FF00FF00FF00FF)) * 6553601) >> 16; /* 100 * 2^16 + 1 */
    t &= UINT64_C(0x0000FFFF0000FFFF);
    return (t * UINT64_C(42949672960001)) >> 32; /* 10^4 * 2^32 + 1 */
}

/* The K (1..8) leading digit values of T as a number. */
HOT uint64_t value_lead(uint64_t t, unsigned k)
{
    return value8(t << (64 - 8 * k)); /* zero digits in front */
}

/* A price field at P ending at a comma, as tc__dec_parse_plain reads it, and
 * > 0: its end (the comma) or NULL to decline. Any form but "I.FFFFFF"
 * (word_price's) comes here. */
static const char *word_price_any(const char *p, struct tc_dec *out)
{
    uint64_t t, u;
    unsigned k = lead_digits(p, &t);

    if (k - 1 >= 7) /* none, or eight and more: the field path */
        goto slow;
    int64_t ip = (int64_t)value_lead(t, k), fp = 0;
    const char *q = p + k;
    if (*q == '.') {
        unsigned f = lead_digits(q + 1, &u);
        if (f == 0)
            return NULL;
        /* the F digits with zeros after them: 10^-8 units exactly */
        static const uint64_t keep[9] = {0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFF,
                                         0xFFFFFFFFFFFF, 0xFFFFFFFFFFFFFF, UINT64_MAX};
        fp = (int64_t)value8(u & keep[f]);
        q += 1 + f;
    }
    if (*q != ',')
        return NULL; /* a ninth fractional digit, or text */
    out->raw = ip * TC_DEC_ONE + fp;
    return out->raw > 0 ? q : NULL;
slow:;
    const char *e = p;
    while (*e != ',' && *e != '\n' && *e != '\0')
        e++;
    if (*e != ',' || tc__dec_parse_plain(p, (size_t)(e - p), out) != 0 || out->raw <= 0)
        return NULL;
    return e;
}

#if defined(PRICE_SSE2)
/* 16 zeros, then 16 bytes 0xFF: the 16 at offset N keep the last N; at
 * offset 8 + K, the last K of the first eight and all of the second eight. */
static const unsigned char keep_last[32] = {
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* A price field at P ending at a comma, as word_price_any reads it but
 * zero too (the caller refuses it): 1..7 integer digits, a point and six
 * digits (what gen-bars and most vendors write), found and checked from
 * the digit mask of its first 16 bytes; its value from the 16 bytes that
 * end at the comma (the integer digits the last of the first eight, with
 * zeros in front; the point and the comma count 0), pairs, fours and
 * eights combined by multiply-adds on 16-bit and 32-bit lanes. Any other
 * form goes to word_price_any. Reads from 7 bytes before P to 15 after. */
HOT const char *word_price(const char *p, struct tc_dec *out)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* '0'..'9' moved to -128..-119 (signed): the bytes below -118 are digits */
    __m128i t = _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - '0')));
    unsigned nd = (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(_mm_set1_epi8(-118), t)) ^
                  0x1FFFFu;                   /* not digits (and a stop after 16) */
    unsigned k = (unsigned)__builtin_ctz(nd); /* the integer digits */
    /* K digits, the point, six digits and the comma: the mask's bits K..K+7
     * (inside the 16) and the point and comma as one word's first and last
     * bytes */
    if (k - 1 < 7 && ((nd >> k) & 0xFF) == 0x81 &&
        (load8(p + k) & UINT64_C(0xFF000000000000FF)) == UINT64_C(0x2C0000000000002E)) {
        __m128i v = _mm_subs_epu8(_mm_loadu_si128((const __m128i *)(const void *)(p + k - 8)),
                                  _mm_set1_epi8('0')); /* '.' and ',' become 0 */
        v = _mm_and_si128(v, _mm_loadu_si128((const __m128i *)(const void *)(keep_last + 8 + k)));
        /* 10 * first + second: a lane F + 256 S times 10 * 256 + 1 is
         * F + 256 (10 F + S) modulo 2^16 (the 10 * 256 * 256 S wraps out) */
        v = _mm_srli_epi16(_mm_mullo_epi16(v, _mm_set1_epi16(2561)), 8);
        v = _mm_madd_epi16(v, _mm_set1_epi32(0x00010064)); /* 100 * first + second */
        v = _mm_packs_epi32(v, v);                           /* each < 10^4 */
        v = _mm_madd_epi16(v, _mm_set1_epi32(0x00012710)); /* 10^4 * first + second */
        uint64_t both = (uint64_t)_mm_cvtsi128_si64(v); /* the integer part, the six * 10 */
        out->raw = (int64_t)((both & 0xFFFFFFFF) * (uint64_t)TC_DEC_ONE + (both >> 32) * 10);
        return p + k + 7; /* may be 0: the caller checks */
    }
    struct tc_dec d = {0}; /* not OUT: the line's bar stays in registers */
    const char *e = word_price_any(p, &d);
    *out = d;
    return e;
}
#else
/* A price field at P ending at a comma, as word_price_any reads it but
 * zero too (the caller refuses it): 1..7 integer digits, a point and six
 * digits (what gen-bars and most vendors write) in two words: the integer
 * digits found and checked in the first, in the second (after the point)
 * six digits and then a comma. The last two integer digits and the six
 * make one word of eight digits; the integer digits before them (up to two
 * by one multiply, more by value8) count in 10^10 units. Any other form
 * goes to word_price_any. Up to 16 bytes from P are read. */
HOT const char *word_price(const char *p, struct tc_dec *out)
{
    uint64_t v = load8(p) - ZEROS; /* a borrow only disturbs later bytes */
    uint64_t m = ((v + UINT64_C(0x7676767676767676)) | v) & UINT64_C(0x8080808080808080);
    if (m) {
        unsigned b = (unsigned)__builtin_ctzll(m); /* 8 k + 7 for K integer digits */
        const char *dot = p + (b >> 3);
        uint64_t u = load8(dot + 1) - ZEROS;
        uint64_t mu = ((u + UINT64_C(0x7676767676767676)) | u) & UINT64_C(0x8080808080808080);
        /* the first byte after the point that is not a digit: the seventh */
        if (b != 7 && *dot == '.' && __builtin_ctzll(mu | UINT64_C(1) << 63) == 55 &&
            dot[7] == ',') {
            uint64_t t = v << (71 - b); /* the K digits, zeros in front */
            uint64_t low = value8((t >> 48) | (u << 16)); /* 2 integer and 6 fractional */
            uint64_t h = t << 16, high;                 /* the K - 2 digits before them */
            if (b < 40) /* K <= 4: bytes 6 and 7 of H, the rest zeros */
                high = (((h >> 48) * 2561) >> 8) & 0xFF;
            else
                high = value8(h);
            out->raw = (int64_t)(high * UINT64_C(10000000000) + low * 100);
            return dot + 7; /* may be 0: the caller checks */
        }
    }
    struct tc_dec d = {0}; /* not OUT: the line's bar stays in registers */
    const char *e = word_price_any(p, &d);
    *out = d;
    return e;
}
#endif

/* A whole number of 1..18 digits at P: its end or NULL (any length). */
static const char *word_whole_any(const char *p, int64_t *out)
{
    uint64_t t, v = 0;
    unsigned n = 0, k;

    while ((k = lead_digits(p + n, &t)) == 8) {
        v = v * 100000000 + value8(t); /* wraps past 18 digits: then declined */
        if ((n += 8) > 18)
            return NULL;
    }
    static const uint64_t pow10[8] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
    if (k)
        v = v * pow10[k] + value_lead(t, k);
    n += k;
    if (n == 0 || n > 18)
        return NULL;
    *out = (int64_t)v;
    return p + n;
}

/* As word_whole_any; 1..7 digits (most volumes) in one word here. */
HOT const char *word_whole(const char *p, int64_t *out)
{
    uint64_t v = load8(p) - ZEROS;
    uint64_t m = ((v + UINT64_C(0x7676767676767676)) | v) & UINT64_C(0x8080808080808080);
    if (m) {
        unsigned b = (unsigned)__builtin_ctzll(m); /* 8 k + 7 for K digits */
        if (b == 7)
            return NULL;
        *out = (int64_t)value8(v << (71 - b));
        return p + (b >> 3);
    }
    int64_t w = 0; /* not OUT: the line's bar stays in registers */
    const char *e = word_whole_any(p, &w);
    *out = w;
    return e;
}

/* "YYYY-MM-DD" at S: its first 8 bytes (the month and the dash) compared
 * with the cached ones, the day's two digits checked here. */
HOT int word_day(const char *s, struct tc__day_cache *dc, int64_t *out)
{
    uint64_t key = load8(s);
    uint16_t w;
    memcpy(&w, s + 8, 2);
    unsigned x = (unsigned)w - 0x3030u; /* a borrow from the first only makes the second bad */
    unsigned d0 = x & 0xFF, d1 = (x >> 8) & 0xFF;
    if (key != dc->key || (((x + 0x7676u) | x) & 0x8080u)) {
        int64_t day = 0; /* not OUT: the line's bar stays in registers */
        if (row_day(s, dc, &day))
            return 1;
        *out = day;
        dc->key = key; /* the bytes of the month (and its dash) row_day just took */
        return 0;
    }
    unsigned d = d0 * 10 + d1;
    if (d - 1 >= (unsigned)dc->mdays)
        return 1;
    *out = dc->first + d - 1;
    return 0;
}

#if defined(PRICE_SSE2)
/* Per integer length K (1..7) of a line's five prices, the 16 bytes that
 * end at a price's comma: what is subtracted from each (SUB: '0' under a
 * digit, the point and the comma themselves, 0 under the 8 - K bytes before
 * the price) and the most the difference may be (MAX: 9 under a digit, 0
 * under the point and the comma, 0xFF before the price: anything). */
struct price_shape {
    _Alignas(16) unsigned char sub[16];
    _Alignas(16) unsigned char max[16];
};
static const struct price_shape shapes[7] = {
    {{0, 0, 0, 0, 0, 0, 0, '0', '.', '0', '0', '0', '0', '0', '0', ','},
     {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 9, 0, 9, 9, 9, 9, 9, 9, 0}},
    {{0, 0, 0, 0, 0, 0, '0', '0', '.', '0', '0', '0', '0', '0', '0', ','},
     {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 9, 9, 0, 9, 9, 9, 9, 9, 9, 0}},
    {{0, 0, 0, 0, 0, '0', '0', '0', '.', '0', '0', '0', '0', '0', '0', ','},
     {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 9, 9, 9, 0, 9, 9, 9, 9, 9, 9, 0}},
    {{0, 0, 0, 0, '0', '0', '0', '0', '.', '0', '0', '0', '0', '0', '0', ','},
     {0xFF, 0xFF, 0xFF, 0xFF, 9, 9, 9, 9, 0, 9, 9, 9, 9, 9, 9, 0}},
    {{0, 0, 0, '0', '0', '0', '0', '0', '.', '0', '0', '0', '0', '0', '0', ','},
     {0xFF, 0xFF, 0xFF, 9, 9, 9, 9, 9, 0, 9, 9, 9, 9, 9, 9, 0}},
    {{0, 0, '0', '0', '0', '0', '0', '0', '.', '0', '0', '0', '0', '0', '0', ','},
     {0xFF, 0xFF, 9, 9, 9, 9, 9, 9, 0, 9, 9, 9, 9, 9, 9, 0}},
    {{0, '0', '0', '0', '0', '0', '0', '0', '.', '0', '0', '0', '0', '0', '0', ','},
     {0xFF, 9, 9, 9, 9, 9, 9, 9, 0, 9, 9, 9, 9, 9, 9, 0}},
};

HOT __m128i load16(const void *p)
{
    return _mm_loadu_si128((const __m128i *)p);
}

/* Two numbers from two 16-byte blocks of digit values (0..9, byte 0 the
 * most significant): each block's two eight-digit halves HI and LO as
 * word_price combines them, then HI * 10^8 + LO * the 64-bit lane of
 * LO_SCALE, in the 64-bit lanes of the result (A's first). */
HOT __m128i pair_value(__m128i a, __m128i b, __m128i lo_scale)
{
    __m128i m10 = _mm_set1_epi16(2561);
#if defined(__GNUC__)
    __asm__("" : "+x"(m10)); /* one multiply, not the shifts and adds it would become */
#endif
    a = _mm_madd_epi16(_mm_srli_epi16(_mm_mullo_epi16(a, m10), 8), _mm_set1_epi32(0x00010064));
    b = _mm_madd_epi16(_mm_srli_epi16(_mm_mullo_epi16(b, m10), 8), _mm_set1_epi32(0x00010064));
    /* HI and LO of A, HI and LO of B in the four 32-bit lanes (each < 10^8) */
    __m128i e = _mm_madd_epi16(_mm_packs_epi32(a, b), _mm_set1_epi32(0x00012710));
    return _mm_add_epi64(_mm_mul_epu32(e, _mm_set1_epi64x(100000000)),
                         _mm_mul_epu32(_mm_srli_epi64(e, 32), lo_scale));
}

/* The five prices of K integer digits from R: 0 with their digit values in
 * V[0..4] (the 16 bytes that end at each comma, as word_price takes them:
 * the bytes before the price, the point and the comma 0), each checked
 * against K's shape; 1 when one is not so. Reads from R + K - 8 to
 * R + 5 K + 40. */
HOT int block_prices(const char *r, unsigned k, __m128i v[5])
{
    const struct price_shape *sh = &shapes[k - 1];
    const __m128i sub = _mm_load_si128((const __m128i *)(const void *)sh->sub),
                  max = _mm_load_si128((const __m128i *)(const void *)sh->max),
                  keep = load16(keep_last + 8 + k);
    const char *w = r + k - 8;
    const size_t step = k + 8;
    __m128i d0 = _mm_sub_epi8(load16(w), sub), d1 = _mm_sub_epi8(load16(w + step), sub),
            d2 = _mm_sub_epi8(load16(w + 2 * step), sub),
            d3 = _mm_sub_epi8(load16(w + 3 * step), sub),
            d4 = _mm_sub_epi8(load16(w + 4 * step), sub);
    __m128i bad = _mm_or_si128(_mm_or_si128(_mm_subs_epu8(d0, max), _mm_subs_epu8(d1, max)),
                               _mm_or_si128(_mm_subs_epu8(d2, max), _mm_subs_epu8(d3, max)));
    bad = _mm_or_si128(bad, _mm_subs_epu8(d4, max));
    v[0] = _mm_and_si128(d0, keep);
    v[1] = _mm_and_si128(d1, keep);
    v[2] = _mm_and_si128(d2, keep);
    v[3] = _mm_and_si128(d3, keep);
    v[4] = _mm_and_si128(d4, keep);
    return _mm_movemask_epi8(_mm_cmpeq_epi8(bad, _mm_setzero_si128())) != 0xFFFF;
}

/*
 * The prices, adj close and volume of a Yahoo line from R (past the date's
 * comma) to END, in one piece when the five prices have the same number K
 * (1..7) of integer digits and six decimals each, and the volume 1..15
 * digits then LF or CRLF (most lines of a file): each price checked against
 * K's shape in the 16 bytes that end at its comma, and valued from them
 * (as word_price does), the volume from the 16 bytes that end at it with
 * those before it masked, two numbers at a time. *KP (1..7) is the K to
 * try first (the previous line's), found from the first price's point when
 * it does not fit, and kept. 0 with the numbers in 64-bit lanes, *OH open
 * and high, *LC low and close, *AV adj close and volume (block_bad judges
 * them), and *NEXT past the line end; 1 declines (nothing to trust): the
 * field-wise path then reads the line. Reads from 7 bytes before R (the
 * date's) up to 16 bytes from the volume, at most 91 bytes from R, which
 * END + 16 covers (else it declines).
 */
HOT int line_block(const char *r, const char *end, unsigned *kp, __m128i *oh, __m128i *lc,
                   __m128i *av, const char **next)
{
    unsigned k = *kp;
    __m128i p[5];
    if (end - r < 75) /* room for the longest prices and the volume's 16 bytes */
        return 1;
    if (block_prices(r, k, p)) {
        unsigned k2 = (unsigned)__builtin_ctz(
            (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(load16(r), _mm_set1_epi8('.'))) |
            0x10000u);
        if (k2 == k || k2 - 1 >= 7 || block_prices(r, k2, p))
            return 1;
        *kp = k = k2;
    }
    const char *v = r + 5 * (k + 8); /* the volume, at END at most */
    __m128i y = load16(v);
    unsigned n = (unsigned)__builtin_ctz(
        (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(
            _mm_set1_epi8(-118), _mm_add_epi8(y, _mm_set1_epi8((char)(0x80 - '0'))))) ^
        0x1FFFFu); /* the first byte that is not a digit */
    const char *e = v + n;
    if (n - 1 >= 15)
        return 1;
    if (*e == '\n')
        *next = e + 1;
    else if (*e == '\r' && e[1] == '\n')
        *next = e + 2;
    else
        return 1;
    __m128i ten = _mm_set1_epi64x(10);
    *oh = pair_value(p[0], p[1], ten);
    *lc = pair_value(p[2], p[3], ten);
    *av = pair_value(p[4],
                     _mm_and_si128(_mm_subs_epu8(load16(e - 16), _mm_set1_epi8('0')),
                                   load16(keep_last + n)),
                     _mm_set_epi64x(1, 10));
    return 0;
}

/* 1 unless line_block's numbers keep the price rules as bar_bad (below)
 * judges them, and the adj close is > 0 (word_price's): every number is
 * below 10^15, so a difference is negative exactly when its sign bit is set
 * (open - low, close - low, high - open, high - close, low - 1, adj - 1). */
HOT int block_bad(__m128i oh, __m128i lc, __m128i av)
{
    __m128i lo = _mm_unpacklo_epi64(lc, lc), hi = _mm_unpackhi_epi64(oh, oh);
    __m128i oc = _mm_castpd_si128(_mm_move_sd(_mm_castsi128_pd(lc), _mm_castsi128_pd(oh)));
    __m128i neg = _mm_or_si128(_mm_or_si128(_mm_sub_epi64(oc, lo), _mm_sub_epi64(hi, oc)),
                               _mm_sub_epi64(_mm_unpacklo_epi64(lc, av), _mm_set1_epi64x(1)));
    return _mm_movemask_pd(_mm_castsi128_pd(neg)) != 0;
}

/* The two 64-bit lanes of V into *LO and *HI. */
HOT void put_pair(int64_t *lo, int64_t *hi, __m128i v)
{
    _mm_storel_epi64((__m128i *)(void *)lo, v);
    _mm_storeh_pi((__m64 *)(void *)hi, _mm_castsi128_ps(v));
}
#endif

/* 1 unless the bar keeps the price rules: low > 0 (the prices are >= 0),
 * low <= high, and open and close in [low, high]. With low <= high,
 * x - low <= high - low (unsigned) says both; then every price is > 0. */
HOT int bar_bad(const struct tc_bar *b)
{
    uint64_t lo = (uint64_t)b->low.raw, span = (uint64_t)b->high.raw - lo;
    return (lo == 0) | (b->low.raw > b->high.raw) | ((uint64_t)b->open.raw - lo > span) |
           ((uint64_t)b->close.raw - lo > span);
}

/* One line at S as tc__prices_line_plain (below) judges it; through
 * line_block first unless BLOCK is 0 (the caller tried it). */
HOT int line_core(const char *s, const char *end, int yahoo, int block, struct tc__day_cache *dc,
                  struct tc_bar *out, const char **next)
{
    const char *p, *c;

    if (end - s < 11 || s[10] != ',' || word_day(s, dc, &out->day))
        return 1;
#if defined(PRICE_SSE2)
    __m128i oh, lc, av;
    unsigned k = 1;
    if (block && yahoo && line_block(s + 11, end, &k, &oh, &lc, &av, next) == 0) {
        out->open.raw = _mm_cvtsi128_si64(oh);
        out->high.raw = _mm_cvtsi128_si64(_mm_unpackhi_epi64(oh, oh));
        out->low.raw = _mm_cvtsi128_si64(lc);
        out->close.raw = _mm_cvtsi128_si64(_mm_unpackhi_epi64(lc, lc));
        out->adj_close.raw = _mm_cvtsi128_si64(av);
        out->volume = _mm_cvtsi128_si64(_mm_unpackhi_epi64(av, av));
        out->open_interest = 0;
        return block_bad(oh, lc, av);
    }
#else
    (void)block;
#endif
    if (!(p = word_price(s + 11, &out->open)) || !(p = word_price(p + 1, &out->high)) ||
        !(c = word_price(p + 1, &out->low)) || !(p = word_price(c + 1, &out->close)))
        return 1;
    if (yahoo) {
        /* an adj close written as the close (most files): the same text
         * is the same value. The close's N (<= 15) bytes and comma are
         * compared with the adj close's and the byte after it as two
         * words: its first eight bytes and the eight that end at the
         * comma (which reach back before the fields when N < 7: bytes of
         * the same line, equal or not, so the test can only decline) */
        size_t n = (size_t)(p - (c + 1));
        if (n <= 15 && load8(c + 1) == load8(p + 1) && load8(p - 7) == load8(p + n - 6)) {
            out->adj_close = out->close;
            p += 1 + n;
        } else if (!(p = word_price(p + 1, &out->adj_close)) || out->adj_close.raw == 0) {
            return 1;
        }
        if (!(p = word_whole(p + 1, &out->volume)))
            return 1;
        out->open_interest = 0;
    } else {
        if (!(p = word_whole(p + 1, &out->volume)) || *p != ',' ||
            !(p = word_whole(p + 1, &out->open_interest)))
            return 1;
        out->adj_close = out->close;
    }
    /* the line's end: LF, CRLF, or the end of the text (after a CR or not) */
    if (*p == '\n') /* not END: a zero byte is there */
        *next = p + 1;
    else if (p == end)
        *next = end;
    else if (*p == '\r' && (p + 1 == end || p[1] == '\n'))
        *next = p + 1 == end ? end : p + 2;
    else
        return 1;
    return bar_bad(out);
}

int tc__prices_line_plain(const char *s, const char *end, int yahoo, struct tc__day_cache *dc,
                          struct tc_bar *out, const char **next)
{
    return line_core(s, end, yahoo, 1, dc, out, next);
}

/* in line in the loop below, which tries line_block itself */
#define ONE_LINE(s, end, yahoo, dc, out, next) line_core(s, end, yahoo, 0, dc, out, next)

#else

int tc__prices_line_plain(const char *s, const char *end, int yahoo, struct tc__day_cache *dc,
                          struct tc_bar *out, const char **next)
{
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    size_t len = (size_t)(e - s);
    if (len > 0 && s[len - 1] == '\r')
        len--;
    if (tc__prices_row_plain(s, len, yahoo, dc, out))
        return 1;
    *next = nl ? nl + 1 : end;
    return 0;
}

#define ONE_LINE(s, end, yahoo, dc, out, next) tc__prices_line_plain(s, end, yahoo, dc, out, next)

#endif

size_t tc__prices_lines_plain(const char **sp, const char *end, const char *stop, int yahoo,
                              struct tc__day_cache *dc, struct tc_bar_series *ser, long *lines,
                              long line)
{
    const char *s = *sp;
    size_t i = ser->n, n0 = i, cap = ser->cap;
    int64_t last = i ? ser->day[i - 1] : INT64_MIN;
#if defined(PRICE_SSE2)
    unsigned k = 1; /* line_block's integer length of the last line it took */
#endif

    while (i < cap && s < end) {
        struct tc_bar b;
        const char *next;
#if defined(PRICE_SSE2)
        /* a line line_block takes: stored from its registers */
        __m128i oh, lc, av;
        int64_t day;
        if (yahoo && end - s >= 11 && s[10] == ',' && !word_day(s, dc, &day) && day > last &&
            !line_block(s + 11, end, &k, &oh, &lc, &av, &next) && !block_bad(oh, lc, av)) {
            ser->day[i] = day;
            put_pair(&ser->open[i].raw, &ser->high[i].raw, oh);
            put_pair(&ser->low[i].raw, &ser->close[i].raw, lc);
            put_pair(&ser->adj_close[i].raw, &ser->volume[i], av);
            ser->open_interest[i] = 0;
            last = day;
        } else
#endif
        {
            if (ONE_LINE(s, end, yahoo, dc, &b, &next) || b.day <= last)
                break;
            put_bar(ser, i, &b);
            last = b.day;
        }
        if (lines)
            lines[i] = line + (long)(i - n0) + 1;
        s = next;
        i++;
        if (stop && s >= stop)
            break;
    }
    ser->n = i;
    *sp = s;
    return i - n0;
}
