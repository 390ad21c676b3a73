/*
 * Exact decimals for prices, quantities and money.
 *
 * A struct tc_dec is a fixed-point number with 8 decimal places held in an
 * int64_t: raw = value * 10^8. Range: about ±92,233,720,368.54775807. All
 * arithmetic is checked: overflow returns TC_ERANGE and never wraps. Rounding is
 * explicit. Text is parsed and formatted exactly; no function here goes through
 * double, except tc_dec_to_double (for statistics only).
 *
 * Thread-safety: every function is pure and thread-safe.
 */
#ifndef TRADECORE_DEC_H
#define TRADECORE_DEC_H

#include <stddef.h>
#include <stdint.h>

#include "tradecore/error.h"

#define TC_DEC_PLACES 8
#define TC_DEC_ONE INT64_C(100000000)
/* Enough for any formatted tc_dec, sign, point and NUL included. */
#define TC_DEC_STRLEN 32

struct tc_dec {
    int64_t raw; /* value * 10^8 */
};

enum tc_round {
    TC_ROUND_HALF_EVEN = 0, /* default: banker's rounding */
    TC_ROUND_HALF_UP,       /* ties away from zero */
    TC_ROUND_DOWN,          /* toward zero (truncate) */
    TC_ROUND_UP,            /* away from zero */
    TC_ROUND_FLOOR,         /* toward -infinity */
    TC_ROUND_CEIL           /* toward +infinity */
};

#define TC_DEC_ZERO ((struct tc_dec){0})

static inline struct tc_dec tc_dec_from_raw(int64_t raw) { return (struct tc_dec){raw}; }

/*
 * Parses LEN bytes of S (LEN may be (size_t)-1 for a NUL-terminated string).
 * The accepted grammar is JSON's number syntax, plus a leading '+' and leading
 * zeros (CSV files have "007.50"):
 *
 *   number   = [ "+" | "-" ] digits [ "." digits ] [ exponent ]
 *   exponent = ( "e" | "E" ) [ "+" | "-" ] digits
 *   digits   = 1*( "0" … "9" )
 *
 * So "12", "+007.50", "-0.00000001", "1e-3", "1.5E+2" are numbers; "", ".",
 * "1.", ".5", "--1", "1e", " 1", "1 ", "nan", "inf", "0x1", "1.2.3" are not
 * (TC_EPARSE). No spaces. Any number of digits and any exponent are accepted
 * without overflow: the value is computed exactly from the digit string.
 * More than 8 significant fractional digits is TC_ERANGE unless the extra
 * digits are zeros; a value outside the range is TC_ERANGE. "-0" is 0.
 * ERR names the text (cut to 40 bytes) and the problem. *OUT is written only
 * on success. S NULL is TC_EINVAL.
 */
int tc_dec_parse(const char *s, size_t len, struct tc_dec *out, struct tc_error *err);

/* As tc_dec_parse, but extra fractional digits are rounded with MODE (an
 * unknown MODE is TC_EINVAL); a result outside the range is still TC_ERANGE. */
int tc_dec_parse_round(const char *s, size_t len, enum tc_round mode, struct tc_dec *out,
                       struct tc_error *err);

/*
 * Formats D into BUF (capacity CAP, TC_DEC_STRLEN always suffices) with no
 * trailing fractional zeros: "12.5", "-0.00000001", "100". Returns the length,
 * or TC_ERANGE when CAP is too small (BUF then holds "").
 */
int tc_dec_format(struct tc_dec d, char *buf, size_t cap);

/* As tc_dec_format, with exactly PLACES (0..8) fractional digits, rounding with
 * MODE when PLACES < 8: tc_dec_format_fixed(1.005, 2, HALF_EVEN) = "1.00". */
int tc_dec_format_fixed(struct tc_dec d, int places, enum tc_round mode, char *buf,
                        size_t cap);

/* Checked arithmetic; *OUT is written only on success. TC_ERANGE on overflow,
 * TC_EINVAL on division by zero. */
int tc_dec_add(struct tc_dec a, struct tc_dec b, struct tc_dec *out);
int tc_dec_sub(struct tc_dec a, struct tc_dec b, struct tc_dec *out);
int tc_dec_mul(struct tc_dec a, struct tc_dec b, enum tc_round mode, struct tc_dec *out);
int tc_dec_div(struct tc_dec a, struct tc_dec b, enum tc_round mode, struct tc_dec *out);
int tc_dec_neg(struct tc_dec a, struct tc_dec *out);
int tc_dec_abs(struct tc_dec a, struct tc_dec *out);
/*
 * Inline forms of tc_dec_add, tc_dec_sub, tc_dec_neg and tc_dec_abs for hot
 * loops: the same results, the same TC_ERANGE on overflow, *OUT written only
 * on success; no call.
 */
static inline int tc_dec_add_fast(struct tc_dec a, struct tc_dec b, struct tc_dec *out)
{
    int64_t r;
    if (__builtin_add_overflow(a.raw, b.raw, &r))
        return TC_ERANGE;
    out->raw = r;
    return 0;
}
static inline int tc_dec_sub_fast(struct tc_dec a, struct tc_dec b, struct tc_dec *out)
{
    int64_t r;
    if (__builtin_sub_overflow(a.raw, b.raw, &r))
        return TC_ERANGE;
    out->raw = r;
    return 0;
}
static inline int tc_dec_neg_fast(struct tc_dec a, struct tc_dec *out)
{
    if (a.raw == INT64_MIN)
        return TC_ERANGE;
    out->raw = -a.raw;
    return 0;
}
static inline int tc_dec_abs_fast(struct tc_dec a, struct tc_dec *out)
{
    if (a.raw == INT64_MIN)
        return TC_ERANGE;
    out->raw = a.raw < 0 ? -a.raw : a.raw;
    return 0;
}

/* Inline form of tc_dec_mul for hot loops (prices times whole quantities):
 * a whole factor, either one, is multiplied here (tc_dec_mul calls this for
 * it); anything else is the call. The same results and codes in every case. */
static inline int tc_dec_mul_fast(struct tc_dec a, struct tc_dec b, enum tc_round mode,
                                  struct tc_dec *out)
{
    int64_t p;
    if ((unsigned)mode <= (unsigned)TC_ROUND_CEIL &&
        (a.raw % TC_DEC_ONE == 0 || b.raw % TC_DEC_ONE == 0)) {
        const int64_t n = a.raw % TC_DEC_ONE == 0 ? a.raw / TC_DEC_ONE : b.raw / TC_DEC_ONE;
        const int64_t m = a.raw % TC_DEC_ONE == 0 ? b.raw : a.raw;
        if (__builtin_mul_overflow(m, n, &p))
            return TC_ERANGE;
        out->raw = p;
        return 0;
    }
    return tc_dec_mul(a, b, mode, out);
}

/* Multiplies by an integer: quantity * multiplier and the like. */
int tc_dec_mul_int(struct tc_dec a, int64_t n, struct tc_dec *out);

/* Rounds to PLACES (0..8) fractional digits with MODE. */
int tc_dec_round(struct tc_dec a, int places, enum tc_round mode, struct tc_dec *out);

/* Rounds A to a multiple of STEP (> 0) with MODE: lot sizes and tick sizes.
 * tc_dec_quantize(17.3, 5, FLOOR) = 15. */
int tc_dec_quantize(struct tc_dec a, struct tc_dec step, enum tc_round mode,
                    struct tc_dec *out);

/* From an integer; TC_ERANGE when |n| > 92233720368. */
int tc_dec_from_int(int64_t n, struct tc_dec *out);

/* The integer part toward zero (exact). */
int64_t tc_dec_to_int(struct tc_dec a);

/* For statistics only (Sharpe, volatility): never for money. */
double tc_dec_to_double(struct tc_dec a);

/* -1, 0 or 1. */
static inline int tc_dec_cmp(struct tc_dec a, struct tc_dec b)
{
    return (a.raw > b.raw) - (a.raw < b.raw);
}
static inline int tc_dec_is_zero(struct tc_dec a) { return a.raw == 0; }
static inline int tc_dec_sign(struct tc_dec a) { return (a.raw > 0) - (a.raw < 0); }

#endif
