/* `tradecore gen-bars`: deterministic synthetic daily bars, one Yahoo-format
 * CSV file per instrument (tradecore/genbars.h), for tests and benchmarks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "tradecore/calendar.h"
#include "tradecore/genbars.h"
#include "internal/banned.h"

#define N_OPTS(a) (sizeof(a) / sizeof((a)[0]))

static const char help[] =
    "usage: tradecore gen-bars --instruments N --bars M --seed S --out DIR\n"
    "           [--start YYYY-MM-DD] [--market MIC]\n\n"
    "Writes N files DIR/SYN001.csv, SYN002.csv... of M synthetic daily bars each\n"
    "in the Yahoo format (Date,Open,High,Low,Close,Adj Close,Volume): random-walk\n"
    "prices with 6 decimals, high >= max(open, close), low <= min(open, close).\n"
    "Dates are the sessions of the market's calendar (default XNYS) from --start\n"
    "(default: the first day of the calendar's verified years, 1990-01-01 for\n"
    "XNYS); when the bars do not fit in the verified years, the weekdays from\n"
    "--start are used instead (and the summary says so). The same options give\n"
    "byte-identical files. N is 1..9999, M is 1..1000000.\n"
    "Exit status: 0 ok, 1 error, 2 usage error.\n";

static int parse_int(struct tc_cli *cli, const char *what, const char *text, long long min,
                     long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || !end || *end || end == text || v < min || v > max)
        return tc_cli_usage(cli, "%s \"%.40s\" is not a whole number in %lld..%lld", what, text,
                            min, max);
    *out = v;
    return 0;
}

int tc_cmd_gen_bars(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "instruments", .takes_value = 1},
                                     {.name = "bars", .takes_value = 1},
                                     {.name = "seed", .takes_value = 1},
                                     {.name = "out", .takes_value = 1},
                                     {.name = "start", .takes_value = 1},
                                     {.name = "market", .takes_value = 1}};
    const char *pos[1];
    size_t npos = 0;
    long long n = 0, bars = 0, seed = 0;
    struct tc_genbars_options o = {0};
    struct tc_genbars_result res;
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 1, opts, N_OPTS(opts), pos, 0, &npos, help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    for (size_t i = 0; i < 4; i++)
        if (!opts[i].seen)
            return tc_cli_usage(cli, "missing --%s (see --help)", opts[i].name);
    if ((rc = parse_int(cli, "--instruments", opts[0].value, 1, TC_GENBARS_INSTRUMENTS_MAX, &n)) ||
        (rc = parse_int(cli, "--bars", opts[1].value, 1, TC_GENBARS_BARS_MAX, &bars)) ||
        (rc = parse_int(cli, "--seed", opts[2].value, 0, INT64_MAX, &seed)))
        return rc;
    o.instruments = (int)n;
    o.bars = (int)bars;
    o.seed = (uint64_t)seed;
    o.market = opts[5].seen ? opts[5].value : NULL;
    if (opts[4].seen) {
        if (tc_date_parse(opts[4].value, &o.start_day, &err) != 0)
            return tc_cli_usage(cli, "--start: %s", tc_error_msg(&err));
        o.has_start = 1;
    }
    if (tc_genbars_write(opts[3].value, &o, &res, &err) != 0)
        return err.code == TC_EINVAL || err.code == TC_ENOTFOUND ? tc_cli_usage(cli, "%s", tc_error_msg(&err))
                                                                 : tc_cli_fail(cli, &err);
    char a[TC_DATE_STRLEN], b[TC_DATE_STRLEN];
    tc_date_format(res.first_day, a);
    tc_date_format(res.last_day, b);
    fprintf(cli->out, "wrote %d files of %d bars to %s (%s %s to %s)\n", o.instruments, o.bars,
            opts[3].value, res.weekdays ? "weekdays" : o.market ? o.market : "XNYS", a, b);
    return TC_EXIT_OK;
}
