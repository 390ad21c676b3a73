/*
 * Fuzz target: the CSV price loader (ingest.h, tc_prices_load_csv), in each
 * format: the header picks it (TC_PRICES_AUTO), and the input is also read as
 * Yahoo, ohlcv and long explicitly. The API reads a file, so each input is
 * written to "FUZZ.csv" in the process's scratch directory (the symbol of a
 * one-symbol file is then FUZZ). Properties:
 *  - a failure is TC_EPARSE or TC_EINVAL with a message that names the file,
 *    and leaves the set empty;
 *  - a success returns only series whose bars obey the rules of ingest.h:
 *    dates strictly increasing, prices > 0, low <= open, close <= high,
 *    volume and open interest >= 0, a symbol for every series, no symbol twice.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "tradecore/ingest.h"

#include "internal/banned.h"

static void check_series(const struct tc_bar_series *s, const char *fmt)
{
    if (s->instrument_id[0] == '\0')
        tc_fuzz_fail("%s: a series without a symbol", fmt);
    for (size_t i = 0; i < s->n; i++) {
        if (i > 0 && s->day[i] <= s->day[i - 1])
            tc_fuzz_fail("%s: %s bar %zu: day %lld after %lld", fmt, s->instrument_id, i,
                         (long long)s->day[i], (long long)s->day[i - 1]);
        if (tc_dec_sign(s->open[i]) <= 0 || tc_dec_sign(s->high[i]) <= 0 ||
            tc_dec_sign(s->low[i]) <= 0 || tc_dec_sign(s->close[i]) <= 0)
            tc_fuzz_fail("%s: %s bar %zu: a price <= 0", fmt, s->instrument_id, i);
        if (tc_dec_cmp(s->low[i], s->open[i]) > 0 || tc_dec_cmp(s->low[i], s->close[i]) > 0 ||
            tc_dec_cmp(s->open[i], s->high[i]) > 0 || tc_dec_cmp(s->close[i], s->high[i]) > 0)
            tc_fuzz_fail("%s: %s bar %zu: prices outside [low, high]", fmt, s->instrument_id, i);
        if (s->volume[i] < 0 || s->open_interest[i] < 0)
            tc_fuzz_fail("%s: %s bar %zu: negative volume", fmt, s->instrument_id, i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum tc_prices_format formats[] = {TC_PRICES_AUTO, TC_PRICES_YAHOO,
                                                     TC_PRICES_OHLCV, TC_PRICES_LONG};
    char path[1024];

    if (tc_fuzz_write_file(tc_fuzz_tmpdir(), "FUZZ.csv", data, size, path, sizeof(path)) != 0)
        tc_fuzz_fail("cannot write the input file");

    for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
        const char *fmt = tc_prices_format_name(formats[f]);
        struct tc_bar_set set;
        struct tc_error err;
        int rc;

        memset(&set, 0x5a, sizeof(set));
        rc = tc_prices_load_csv(path, formats[f], NULL, &set, &err);
        if (rc == 0) {
            for (size_t i = 0; i < set.n; i++) {
                check_series(&set.items[i], fmt);
                if (tc_bar_set_find(&set, set.items[i].instrument_id) != &set.items[i])
                    tc_fuzz_fail("%s: symbol %s found elsewhere", fmt,
                                 set.items[i].instrument_id);
            }
            tc_bar_set_release(&set);
            continue;
        }
        if (rc != TC_EPARSE && rc != TC_EINVAL)
            tc_fuzz_fail("%s: load failed with %d: %s", fmt, rc, err.msg);
        if (!strstr(err.msg, "FUZZ.csv"))
            tc_fuzz_fail("%s: message does not name the file: %s", fmt, err.msg);
        if (set.n != 0 || set.items != NULL)
            tc_fuzz_fail("%s: a failed load left %zu series", fmt, set.n);
    }
    return 0;
}
