/*
 * Fuzz target: the decimal parser and formatter (dec.h).
 *
 * The input is decimal text. Properties:
 *  - tc_dec_parse and tc_dec_parse_round (every rounding mode) never misbehave;
 *    when parse succeeds, parse_round gives the same value in every mode;
 *  - whatever parses, parse(format(x)) == x, and format_fixed at 0..8 places
 *    writes decimal text (it parses, or is out of range when rounding the
 *    extremes of the range outward);
 *  - the first 8 bytes, read as a raw int64, round-trip through format/parse
 *    (every representable value has a text that reads back exactly).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tradecore/dec.h"

#include "internal/banned.h"

static void round_trip(struct tc_dec d, const char *what)
{
    char buf[TC_DEC_STRLEN];
    struct tc_dec back;
    struct tc_error err;
    int n = tc_dec_format(d, buf, sizeof(buf));

    if (n < 0 || (size_t)n != strlen(buf))
        tc_fuzz_fail("%s: format of raw %lld returned %d", what, (long long)d.raw, n);
    if (tc_dec_parse(buf, (size_t)n, &back, &err) != 0)
        tc_fuzz_fail("%s: format of raw %lld wrote \"%s\", which does not parse: %s", what,
                     (long long)d.raw, buf, err.msg);
    if (back.raw != d.raw)
        tc_fuzz_fail("%s: \"%s\" parsed back as raw %lld, not %lld", what, buf,
                     (long long)back.raw, (long long)d.raw);

    for (int places = 0; places <= TC_DEC_PLACES; places++) {
        for (int mode = TC_ROUND_HALF_EVEN; mode <= TC_ROUND_CEIL; mode++) {
            char fixed[TC_DEC_STRLEN + 8];
            struct tc_dec f;
            int m = tc_dec_format_fixed(d, places, (enum tc_round)mode, fixed, sizeof(fixed));
            if (m < 0)
                continue; /* rounding beyond the range: TC_ERANGE is the answer */
            /* rounding the extremes up may leave the range: TC_ERANGE then */
            int pr = tc_dec_parse(fixed, (size_t)m, &f, &err);
            if (pr != 0 && pr != TC_ERANGE)
                tc_fuzz_fail("%s: format_fixed(%d, mode %d) of \"%s\" wrote \"%s\": %s", what,
                             places, mode, buf, fixed, err.msg);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct tc_dec d, r;
    struct tc_error err;
    int rc;

    rc = tc_dec_parse(s, size, &d, &err);
    if (rc == 0)
        round_trip(d, "parse");
    else if (err.msg[0] == '\0')
        tc_fuzz_fail("parse failed with %d and no message", rc);

    for (int mode = TC_ROUND_HALF_EVEN; mode <= TC_ROUND_CEIL; mode++) {
        int rr = tc_dec_parse_round(s, size, (enum tc_round)mode, &r, &err);
        if (rc == 0 && (rr != 0 || r.raw != d.raw))
            tc_fuzz_fail("parse gave raw %lld but parse_round mode %d gave %d raw %lld",
                         (long long)d.raw, mode, rr, (long long)r.raw);
        if (rr == 0)
            round_trip(r, "parse_round");
    }
    if (tc_dec_parse_round(s, size, (enum tc_round)99, &r, &err) != TC_EINVAL)
        tc_fuzz_fail("parse_round accepted rounding mode 99");

    if (size >= sizeof(int64_t)) {
        int64_t raw;
        memcpy(&raw, data, sizeof(raw));
        round_trip(tc_dec_from_raw(raw), "raw");
    }
    return 0;
}
