/*
 * Exact fixed-point decimals (8 places in an int64_t): parsing and formatting
 * without floating point, checked arithmetic and explicit rounding. Products
 * and quotients are formed in 128-bit integers so that no intermediate can
 * overflow; only the final narrowing to int64_t is range-checked.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "core/str.h"
#include "tradecore/dec.h"
#include "internal/banned.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* Largest magnitude of a negative raw value: -(INT64_MIN). */
#define NEG_LIMIT ((uint64_t)INT64_MAX + 1u)

static const int64_t pow10_tab[19] = {
    INT64_C(1),
    INT64_C(10),
    INT64_C(100),
    INT64_C(1000),
    INT64_C(10000),
    INT64_C(100000),
    INT64_C(1000000),
    INT64_C(10000000),
    INT64_C(100000000),
    INT64_C(1000000000),
    INT64_C(10000000000),
    INT64_C(100000000000),
    INT64_C(1000000000000),
    INT64_C(10000000000000),
    INT64_C(100000000000000),
    INT64_C(1000000000000000),
    INT64_C(10000000000000000),
    INT64_C(100000000000000000),
    INT64_C(1000000000000000000),
};

static int valid_mode(enum tc_round mode)
{
    return mode >= TC_ROUND_HALF_EVEN && mode <= TC_ROUND_CEIL;
}

/*
 * Whether a truncated magnitude Q (of a value with sign NEG) moves one unit
 * away from zero. HALF is -1, 0 or 1 as the discarded part is below, at or
 * above one half; INEXACT says whether anything was discarded at all.
 */
static int round_away(enum tc_round mode, int neg, int odd, int half, int inexact)
{
    if (!inexact)
        return 0;
    switch (mode) {
    case TC_ROUND_HALF_EVEN:
        return half > 0 || (half == 0 && odd);
    case TC_ROUND_HALF_UP:
        return half >= 0;
    case TC_ROUND_DOWN:
        return 0;
    case TC_ROUND_UP:
        return 1;
    case TC_ROUND_FLOOR:
        return neg;
    case TC_ROUND_CEIL:
        return !neg;
    }
    return 0;
}

/* N / D rounded with MODE; D != 0 and |N|, |D| < 2^126. */
static i128 div_round(i128 n, i128 d, enum tc_round mode)
{
    i128 q = n / d;
    i128 r = n % d;
    if (r != 0) {
        int neg = (n < 0) != (d < 0);
        u128 ar = (u128)(r < 0 ? -r : r);
        u128 ad = (u128)(d < 0 ? -d : d);
        u128 twice = ar * 2u;
        int half = twice < ad ? -1 : (twice == ad ? 0 : 1);
        int odd = (int)(q & 1) != 0;
        if (round_away(mode, neg, odd, half, 1))
            q += neg ? -1 : 1;
    }
    return q;
}

static int narrow(i128 v, struct tc_dec *out)
{
    if (v > INT64_MAX || v < INT64_MIN)
        return TC_ERANGE;
    out->raw = (int64_t)v;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */

/* Shown text is cut to this many bytes in error messages. */
#define SHOW_MAX 40

static int parse_fail(struct tc_error *err, int code, const char *s, size_t len,
                      const char *why)
{
    int show = (int)(len > SHOW_MAX ? SHOW_MAX : len);
    return tc_error_set(err, code, "decimal \"%.*s%s\": %s", show, s, len > SHOW_MAX ? "..." : "",
                        why);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Exponents are saturated here: far beyond anything that fits, never overflowing. */
#define EXP_SAT INT64_C(1000000000000)

static int parse_impl(const char *s, size_t len, int strict, enum tc_round mode,
                      struct tc_dec *out, struct tc_error *err)
{
    size_t i = 0, int_start, int_end, frac_start = 0, frac_end = 0;
    int neg = 0;
    int64_t exp = 0;

    if (!s)
        return tc_error_set(err, TC_EINVAL, "decimal: no text given");
    if (len == (size_t)-1)
        len = strlen(s);
    if (!valid_mode(mode))
        return tc_error_set(err, TC_EINVAL, "decimal \"%.*s\": unknown rounding mode %d",
                            (int)(len > SHOW_MAX ? SHOW_MAX : len), s, (int)mode);
    if (len == 0)
        return tc_error_set(err, TC_EPARSE, "decimal \"\": empty text");

    if (s[i] == '-' || s[i] == '+') {
        neg = s[i] == '-';
        i++;
    }
    int_start = i;
    while (i < len && is_digit(s[i]))
        i++;
    int_end = i;
    if (int_end == int_start)
        return parse_fail(err, TC_EPARSE, s, len,
                          i < len ? "expected a digit" : "no digits");
    if (i < len && s[i] == '.') {
        i++;
        frac_start = i;
        while (i < len && is_digit(s[i]))
            i++;
        frac_end = i;
        if (frac_end == frac_start)
            return parse_fail(err, TC_EPARSE, s, len, "expected a digit after '.'");
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        size_t estart;
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+')) {
            eneg = s[i] == '-';
            i++;
        }
        estart = i;
        while (i < len && is_digit(s[i])) {
            if (exp < EXP_SAT)
                exp = exp * 10 + (s[i] - '0');
            i++;
        }
        if (i == estart)
            return parse_fail(err, TC_EPARSE, s, len, "expected a digit in the exponent");
        if (eneg)
            exp = -exp;
    }
    if (i < len) {
        char why[64];
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f)
            snprintf(why, sizeof(why), "unexpected '%c' at offset %zu", (char)c, i);
        else
            snprintf(why, sizeof(why), "unexpected byte 0x%02x at offset %zu", c, i);
        return parse_fail(err, TC_EPARSE, s, len, why);
    }

    /*
     * The value is the digit string D (integer then fraction digits, leading
     * zeros dropped) times 10^(exp - nfrac); raw = D * 10^shift with
     * shift = exp - nfrac + 8. Digits whose weight 10^k has k < 0 are the
     * extra ones that are rounded away (or refused).
     */
    {
        size_t nfrac = frac_end - frac_start;
        size_t ndig = (int_end - int_start) + nfrac;
        size_t k, first = 0, n, kept;
        int64_t shift;
        uint64_t q = 0, limit = neg ? NEG_LIMIT : (uint64_t)INT64_MAX;
        int round_digit = 0, sticky = 0;

#define DIGIT_AT(idx)                                                                   \
    ((idx) < (int_end - int_start) ? s[int_start + (idx)]                               \
                                   : s[frac_start + (idx) - (int_end - int_start)])

        while (first < ndig && DIGIT_AT(first) == '0')
            first++;
        if (first == ndig) {
            out->raw = 0;
            return 0;
        }
        n = ndig - first;
        if (nfrac > (size_t)EXP_SAT)
            return parse_fail(err, TC_ERANGE, s, len, "too many digits");
        shift = exp - (int64_t)nfrac + TC_DEC_PLACES;
        /* The leading digit is nonzero: more than 19 kept digits cannot fit. */
        if (shift > 19 || (shift >= 0 && n + (size_t)shift > 19))
            return parse_fail(err, TC_ERANGE, s, len, "out of range");
        if (shift >= 0) {
            kept = n;
        } else if ((uint64_t)(-shift) >= n) {
            kept = 0;
        } else {
            kept = n - (size_t)(-shift);
        }
        if (kept > 19)
            return parse_fail(err, TC_ERANGE, s, len, "out of range");
        for (k = 0; k < kept; k++) {
            uint64_t d = (uint64_t)(DIGIT_AT(first + k) - '0');
            if (q > (UINT64_MAX - d) / 10)
                return parse_fail(err, TC_ERANGE, s, len, "out of range");
            q = q * 10 + d;
        }
        if (kept < n) {
            /* A leading run of zeros below the kept digits, when -shift > n. */
            if (shift < 0 && (uint64_t)(-shift) > n) {
                round_digit = 0;
                sticky = 1;
            } else {
                round_digit = DIGIT_AT(first + kept) - '0';
                for (k = kept + 1; k < n && !sticky; k++)
                    sticky = DIGIT_AT(first + k) != '0';
            }
            if (round_digit != 0 || sticky) {
                int half;
                if (strict)
                    return parse_fail(err, TC_ERANGE, s, len,
                                      "more than 8 fractional digits");
                half = round_digit < 5 ? -1 : (round_digit > 5 || sticky ? 1 : 0);
                if (round_away(mode, neg, (int)(q & 1), half, 1))
                    q++;
            }
        } else if (shift > 0) {
            for (k = 0; k < (size_t)shift; k++) {
                if (q > UINT64_MAX / 10)
                    return parse_fail(err, TC_ERANGE, s, len, "out of range");
                q *= 10;
            }
        }
#undef DIGIT_AT
        if (q > limit)
            return parse_fail(err, TC_ERANGE, s, len, "out of range");
        out->raw = neg ? (q == NEG_LIMIT ? INT64_MIN : -(int64_t)q) : (int64_t)q;
    }
    return 0;
}

int tc_dec_parse(const char *s, size_t len, struct tc_dec *out, struct tc_error *err)
{
    struct tc_dec v;
    int rc = parse_impl(s, len, 1, TC_ROUND_HALF_EVEN, &v, err);
    if (rc == 0 && out)
        *out = v;
    return rc;
}

int tc_dec_parse_round(const char *s, size_t len, enum tc_round mode, struct tc_dec *out,
                       struct tc_error *err)
{
    struct tc_dec v;
    int rc = parse_impl(s, len, 0, mode, &v, err);
    if (rc == 0 && out)
        *out = v;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Formatting                                                                */

/*
 * Writes sign, magnitude MAG (in units of 10^-8) with PLACES fractional
 * digits (PLACES < 0: as many as needed, trailing zeros dropped), straight
 * into BUF once its length is known (nothing past the NUL is written).
 */
static int format_mag(int neg, uint64_t mag, int places, char *buf, size_t cap)
{
    const uint64_t ip = mag / (uint64_t)TC_DEC_ONE;
    uint32_t fp = (uint32_t)(mag % (uint64_t)TC_DEC_ONE);
    size_t nd = 1, n;
    int nfrac;

    /* FP cut to the NFRAC digits written */
    if (places < 0) {
        nfrac = 0;
        if (fp != 0) {
            nfrac = TC_DEC_PLACES;
            if (fp % 10000 == 0) {
                fp /= 10000;
                nfrac -= 4;
            }
            if (fp % 100 == 0) {
                fp /= 100;
                nfrac -= 2;
            }
            if (fp % 10 == 0) {
                fp /= 10;
                nfrac -= 1;
            }
        }
    } else {
        nfrac = places;
        fp /= (uint32_t)tc__pow10[TC_DEC_PLACES - places];
    }
    while (nd < 20 && ip >= tc__pow10[nd])
        nd++;
    n = (size_t)(neg && mag != 0) + nd + (nfrac > 0 ? 1 + (size_t)nfrac : 0);
    if (!buf || n + 1 > cap) {
        if (buf && cap > 0)
            buf[0] = '\0';
        return TC_ERANGE;
    }
    /* written from the end: the fraction's digits two at a time, the point,
     * the integer part, the sign */
    char *p = buf + n;
    *p = '\0';
    if (nfrac > 0) {
        int k = nfrac;
        for (; k >= 2; k -= 2) {
            p -= 2;
            memcpy(p, tc__str_two_digits + 2 * (fp % 100), 2);
            fp /= 100;
        }
        if (k)
            *--p = (char)('0' + fp);
        *--p = '.';
    }
    tc__str_u64_rev(p, ip);
    if (neg && mag != 0)
        buf[0] = '-';
    return (int)n;
}

static uint64_t magnitude(int64_t raw)
{
    return raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
}

#if defined(__SSE2__) && defined(__x86_64__)
/*
 * The sixteen decimal digits of A and B (each below 10^8), one a byte as
 * values 0..9, in text order: A's eight from byte 0, B's from byte 8, each
 * most significant first. All four halves of four digits, then all eight
 * pairs, then all sixteen digits at once: a division by 10^4 is the multiply
 * by 0xd1b71759 / 2^45 (exact below 2^32), by 100 the high half of x × 5243
 * shifted by 3 (x × 5243 / 2^19, exact below 43,699), by 10 the high half of
 * x × 6554 (exact below 16,384).
 */
static __m128i digits16(uint32_t a, uint32_t b)
{
    const __m128i x = _mm_set_epi64x((int64_t)b, (int64_t)a);
    const __m128i q = _mm_srli_epi64(_mm_mul_epu32(x, _mm_set1_epi32((int)0xd1b71759u)), 45);
    const __m128i r = _mm_sub_epi32(x, _mm_mul_epu32(q, _mm_set1_epi32(10000)));
    /* 32-bit lanes: a / 10^4, a % 10^4, b / 10^4, b % 10^4 */
    const __m128i g = _mm_or_si128(q, _mm_slli_epi64(r, 32));
    const __m128i h = _mm_srli_epi16(_mm_mulhi_epu16(g, _mm_set1_epi16(5243)), 3);
    /* 16-bit lanes: the eight pairs */
    /* the multipliers 100 and 10 kept opaque: one multiply each, not the
     * compiler's shifts and adds */
    __m128i c100 = _mm_set1_epi16(100), c10 = _mm_set1_epi16(10);
    __asm__("" : "+x"(c100), "+x"(c10));
    const __m128i hr = _mm_sub_epi16(g, _mm_mullo_epi16(h, c100));
    const __m128i t = _mm_or_si128(h, _mm_slli_epi32(hr, 16));
    const __m128i u = _mm_mulhi_epu16(t, _mm_set1_epi16(6554));
    const __m128i ur = _mm_sub_epi16(t, _mm_mullo_epi16(u, c10));
    return _mm_or_si128(u, _mm_slli_epi16(ur, 8));
}

/* The M (2..32) bytes at SRC copied to DST in two fixed-size steps that
 * overlap (no call, nothing written past DST + M). */
static void copy_short(char *dst, const char *src, size_t m)
{
    if (m >= 16) {
        memcpy(dst, src, 16);
        memcpy(dst + m - 16, src + m - 16, 16);
    } else if (m >= 8) {
        memcpy(dst, src, 8);
        memcpy(dst + m - 8, src + m - 8, 8);
    } else if (m >= 4) {
        memcpy(dst, src, 4);
        memcpy(dst + m - 4, src + m - 4, 4);
    } else {
        memcpy(dst, src, 2);
        memcpy(dst + m - 2, src + m - 2, 2);
    }
}

/*
 * tc_dec_format's text, built in one vector: the integer part (below 10^8,
 * as a rule; format_mag writes the others) and the fraction as sixteen
 * digits at once; the integer part's leading zeros and the fraction's
 * trailing zeros are found from the mask of zero digits. The text is put
 * together in a local buffer by whole-word stores, then copied out with its
 * NUL and nothing past it.
 */
int tc_dec_format(struct tc_dec d, char *buf, size_t cap)
{
    const int neg = d.raw < 0;
    const uint64_t mag = magnitude(d.raw);
    const uint64_t ip = mag / (uint64_t)TC_DEC_ONE;
    const uint32_t fp = (uint32_t)(mag - ip * (uint64_t)TC_DEC_ONE);
    char tmp[32];
    size_t nd, nfrac = 0, n;

    if (ip >= (uint64_t)TC_DEC_ONE)
        return format_mag(neg, mag, -1, buf, cap);
    const __m128i dg = digits16((uint32_t)ip, fp);
    /* bit k set: digit k is not zero */
    const unsigned nz =
        ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(dg, _mm_setzero_si128())) & 0xffffu;
    /* from the integer part's first digit (its last when it is 0) */
    nd = 8 - (size_t)__builtin_ctz(nz | 0x80u);
    if (nz & 0xff00u)
        nfrac = (size_t)(31 - __builtin_clz(nz)) - 7;
    n = (size_t)neg + nd + (nfrac ? 1 + nfrac : 0);
    if (!buf || n + 1 > cap) {
        if (buf && cap > 0)
            buf[0] = '\0';
        return TC_ERANGE;
    }
    const __m128i txt = _mm_add_epi8(dg, _mm_set1_epi8('0'));
    const uint64_t iw = (uint64_t)_mm_cvtsi128_si64(txt) >> (8 * (8 - nd));
    const uint64_t fw = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(txt, txt));
    tmp[0] = '-';
    memcpy(tmp + neg, &iw, 8);
    tmp[neg + nd] = '.'; /* the NUL's place when there is no fraction */
    memcpy(tmp + neg + nd + 1, &fw, 8);
    tmp[n] = '\0';
    copy_short(buf, tmp, n + 1);
    return (int)n;
}
#else
int tc_dec_format(struct tc_dec d, char *buf, size_t cap)
{
    return format_mag(d.raw < 0, magnitude(d.raw), -1, buf, cap);
}
#endif

int tc_dec_format_fixed(struct tc_dec d, int places, enum tc_round mode, char *buf,
                        size_t cap)
{
    i128 unit, r;
    if (places < 0 || places > TC_DEC_PLACES || !valid_mode(mode)) {
        if (buf && cap > 0)
            buf[0] = '\0';
        return TC_EINVAL;
    }
    /* Rounding may pass INT64_MAX (still below 2^64): keep it in 128 bits. */
    unit = pow10_tab[TC_DEC_PLACES - places];
    r = div_round(d.raw, unit, mode) * unit;
    return format_mag(r < 0, (uint64_t)(r < 0 ? -r : r), places, buf, cap);
}

/* ------------------------------------------------------------------------ */
/* Arithmetic                                                                */

/* add, sub, neg and abs are dec.h's inline forms, called */
int tc_dec_add(struct tc_dec a, struct tc_dec b, struct tc_dec *out)
{
    return tc_dec_add_fast(a, b, out);
}

int tc_dec_sub(struct tc_dec a, struct tc_dec b, struct tc_dec *out)
{
    return tc_dec_sub_fast(a, b, out);
}

/*
 * AN / TC_DEC_ONE in *Q and the remainder in *R, for AN below 2^126 (a
 * product of two int64_t): long division in base 2^32 after the top 64 bits,
 * each step a 64-bit division by the constant (no 128-bit division call).
 */
static void divmod_one(u128 an, u128 *q, uint64_t *r)
{
    const uint64_t d = (uint64_t)TC_DEC_ONE;
    const uint64_t hi = (uint64_t)(an >> 64), lo = (uint64_t)an;
    uint64_t qh = hi / d, rem = hi % d, t, q1, q0;

    t = (rem << 32) | (lo >> 32); /* REM < d < 2^27: T < 2^59, T / d < 2^32 */
    q1 = t / d;
    rem = t % d;
    t = (rem << 32) | (lo & 0xffffffffu);
    q0 = t / d;
    *r = t % d;
    *q = ((u128)qh << 64) + ((u128)q1 << 32) + q0;
}

int tc_dec_mul(struct tc_dec a, struct tc_dec b, enum tc_round mode, struct tc_dec *out)
{
    int64_t p;

    if (!valid_mode(mode))
        return TC_EINVAL;
    /* a whole factor (quantities, as a rule): the exact product, no rounding,
     * also where a.raw × b.raw would need 128 bits (dec.h's inline form
     * takes it, the mode being valid) */
    if (a.raw % TC_DEC_ONE == 0 || b.raw % TC_DEC_ONE == 0)
        return tc_dec_mul_fast(a, b, mode, out);
    if (!__builtin_mul_overflow(a.raw, b.raw, &p)) {
        /* the product fits 64 bits: div_round's steps on int64_t, where the
         * division by the constant needs no 128-bit call */
        int64_t q = p / TC_DEC_ONE, r = p % TC_DEC_ONE;
        if (r != 0) {
            int neg = p < 0;
            int64_t twice = 2 * (r < 0 ? -r : r);
            int half = twice < TC_DEC_ONE ? -1 : (twice == TC_DEC_ONE ? 0 : 1);
            if (round_away(mode, neg, (int)(q & 1) != 0, half, 1))
                q += neg ? -1 : 1;
        }
        out->raw = q;
        return 0;
    }
    {
        /* div_round's steps on the magnitude */
        const i128 n = (i128)a.raw * b.raw;
        const int neg = n < 0;
        u128 q;
        uint64_t r;
        divmod_one(neg ? (u128)0 - (u128)n : (u128)n, &q, &r);
        if (r != 0) {
            uint64_t twice = 2 * r;
            int half = twice < (uint64_t)TC_DEC_ONE ? -1 : (twice == (uint64_t)TC_DEC_ONE ? 0 : 1);
            if (round_away(mode, neg, (int)(q & 1) != 0, half, 1))
                q += 1;
        }
        if (q > (u128)INT64_MAX + (u128)neg)
            return TC_ERANGE;
        out->raw = neg ? (int64_t)((uint64_t)0 - (uint64_t)q) : (int64_t)q;
        return 0;
    }
}

/*
 * A whole divisor N (quantities, lot sizes): A·10^8 / (N·10^8) is A / N with
 * the same quotient, and the remainder scaled by 10^8 on both sides of the
 * rounding's comparison (2|r|·10^8 against |N|·10^8), so the 64-bit division
 * of A.raw by N rounds exactly as the 128-bit one. INT64_MIN / -1 is the one
 * quotient that does not fit.
 */
static int div_whole(int64_t a, int64_t n, enum tc_round mode, struct tc_dec *out)
{
    int64_t q, r;
    if (n == -1 && a == INT64_MIN)
        return TC_ERANGE;
    q = a / n;
    r = a % n;
    if (r != 0) {
        const int neg = (a < 0) != (n < 0);
        const uint64_t twice = 2 * magnitude(r), an = magnitude(n);
        const int half = twice < an ? -1 : (twice == an ? 0 : 1);
        if (round_away(mode, neg, (int)(q & 1) != 0, half, 1))
            q += neg ? -1 : 1;
    }
    out->raw = q;
    return 0;
}

int tc_dec_div(struct tc_dec a, struct tc_dec b, enum tc_round mode, struct tc_dec *out)
{
    if (b.raw == 0 || !valid_mode(mode))
        return TC_EINVAL;
    if (b.raw % TC_DEC_ONE == 0)
        return div_whole(a.raw, b.raw / TC_DEC_ONE, mode, out);
    return narrow(div_round((i128)a.raw * TC_DEC_ONE, b.raw, mode), out);
}

int tc_dec_neg(struct tc_dec a, struct tc_dec *out)
{
    return tc_dec_neg_fast(a, out);
}

int tc_dec_abs(struct tc_dec a, struct tc_dec *out)
{
    return tc_dec_abs_fast(a, out);
}

int tc_dec_mul_int(struct tc_dec a, int64_t n, struct tc_dec *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a.raw, n, &r))
        return TC_ERANGE;
    out->raw = r;
    return 0;
}

int tc_dec_round(struct tc_dec a, int places, enum tc_round mode, struct tc_dec *out)
{
    i128 unit;
    if (places < 0 || places > TC_DEC_PLACES || !valid_mode(mode))
        return TC_EINVAL;
    unit = pow10_tab[TC_DEC_PLACES - places];
    return narrow(div_round(a.raw, unit, mode) * unit, out);
}

int tc_dec_quantize(struct tc_dec a, struct tc_dec step, enum tc_round mode,
                    struct tc_dec *out)
{
    if (step.raw <= 0 || !valid_mode(mode))
        return TC_EINVAL;
    return narrow(div_round(a.raw, step.raw, mode) * step.raw, out);
}

int tc_dec_from_int(int64_t n, struct tc_dec *out)
{
    if (n > INT64_MAX / TC_DEC_ONE || n < -(INT64_MAX / TC_DEC_ONE))
        return TC_ERANGE;
    out->raw = n * TC_DEC_ONE;
    return 0;
}

int64_t tc_dec_to_int(struct tc_dec a) { return a.raw / TC_DEC_ONE; }

double tc_dec_to_double(struct tc_dec a)
{
    return (double)(a.raw / TC_DEC_ONE) + (double)(a.raw % TC_DEC_ONE) / (double)TC_DEC_ONE;
}
