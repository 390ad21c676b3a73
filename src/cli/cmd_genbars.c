/* `tradecore gen-bars`: deterministic synthetic daily bars, one Yahoo-format
 * CSV file per instrument (tradecore/genbars.h), for tests and benchmarks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "cli/cli_entity.h"
#include "tradecore/calendar.h"
#include "tradecore/genbars.h"
#include "internal/banned.h"

#define N_OPTS(a) (sizeof(a) / sizeof((a)[0]))

/* The command's bounds, tighter than the library's (genbars.h): 100,000
 * bars are about 383 years of weekdays, 20 times the benchmark's 5,000; the
 * total, 100 million bars, is 200 times the benchmark's 100 x 5,000 and at
 * most about 9.4 GB of files (ROW_BYTES each). */
#define INSTRUMENTS_MAX 9999
#define BARS_MAX 100000
#define TOTAL_MAX INT64_C(100000000)
/* The longest row: a date, five prices of at most 7 + 1 + 6 characters,
 * a volume of at most 7 digits, six commas and the newline. */
#define ROW_BYTES (10 + 5 * 14 + 7 + 6 + 1)
/* Per file: the header line, and a block of the file system's rounding. */
#define FILE_BYTES (42 + 4096)

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
    "byte-identical files.\n\n"
    "N, M and S are digits only. N is 1..9999 (the files' numbers); M is\n"
    "1..100000 (about 383 years of weekdays, 20 times the 5,000 bars of the\n"
    "benchmark); N x M is at most 100,000,000 bars (about 9.4 GB at most).\n"
    "--start is at most 5000-12-31 (so that the bars end by 9999-12-31, the\n"
    "last supported date). The files must fit in the free space of DIR's file\n"
    "system (counted at 94 bytes a row, the longest, and 4 kB a file; the\n"
    "files of those names already in DIR are rewritten, so their space counts\n"
    "as free). Options refused and files that would not fit write nothing,\n"
    "not even DIR.\n"
    "Exit status: 0 ok, 1 error, 2 usage error.\n";

/* TEXT as a whole number in MIN..MAX: digits only (no sign, no space). */
static int parse_int(struct tc_cli *cli, const char *what, const char *text, long long min,
                     long long max, long long *out)
{
    long long v = 0;
    size_t n = strlen(text);
    int rc;

    if (n == 0)
        return tc_cli_usage(cli, "%s is empty (a whole number in %lld..%lld)", what, min, max);
    if ((rc = tc_cli_digits(text, n, max, &v)) == -1)
        return tc_cli_usage(cli, "%s \"%.40s\" is not a whole number in %lld..%lld (digits only)",
                            what, text, min, max);
    if (rc == -2)
        return tc_cli_usage(cli, "%s %.40s%s is too large (at most %lld)", what, text,
                            n > 40 ? "..." : "", max);
    if (v < min)
        return tc_cli_usage(cli, "%s %s is below the minimum %lld", what, text, min);
    *out = v;
    return 0;
}

static int is_weekday(int64_t d)
{
    int64_t w = (d + 3) % 7; /* 1970-01-01 was a Thursday: 0 = Monday */
    return (w < 0 ? w + 7 : w) < 5;
}

/* The day of the N-th weekday (Monday..Friday) from START on. */
static int64_t nth_weekday(int64_t start, long long n)
{
    int64_t d = start;
    for (long long i = 0;; d++)
        if (is_weekday(d) && ++i == n)
            return d;
}

/* BYTES in a unit a person reads ("9.4 GB"), into BUF. */
static const char *human(int64_t bytes, char *buf, size_t cap)
{
    static const char *const unit[] = {"bytes", "kB", "MB", "GB", "TB"};
    int64_t scale = 1;
    int u = 0;
    while (u < 4 && bytes / scale >= 1000) {
        scale *= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%lld bytes", (long long)bytes);
    else
        snprintf(buf, cap, "%lld.%lld %s", (long long)(bytes / scale),
                 (long long)(bytes % scale * 10 / scale), unit[u]);
    return buf;
}

/* The free space of the file system DIR would be on: that of DIR, or of
 * its longest existing parent. 0 and *FREE_BYTES, or the command's error. */
static int free_space(struct tc_cli *cli, const char *dir, int64_t *free_bytes)
{
    char path[4096];
    struct statvfs sv;
    int e;

    if (!*dir)
        return tc_cli_usage(cli, "--out is empty");
    if ((e = tc_cli_existing_part(dir, path, sizeof path)) == ENAMETOOLONG)
        return tc_cli_usage(cli, "--out \"%.40s...\" is too long", dir);
    if (e != 0 || statvfs(path, &sv) != 0)
        return tc_cli_failf(cli, "--out \"%s\": cannot read its file system: %s", dir,
                            strerror(e ? e : errno));
    *free_bytes = (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
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
    if ((rc = parse_int(cli, "--instruments", opts[0].value, 1, INSTRUMENTS_MAX, &n)) ||
        (rc = parse_int(cli, "--bars", opts[1].value, 1, BARS_MAX, &bars)) ||
        (rc = parse_int(cli, "--seed", opts[2].value, 0, INT64_MAX, &seed)))
        return rc;
    if (n * bars > TOTAL_MAX)
        return tc_cli_usage(cli, "--instruments %lld x --bars %lld is %lld bars, more than the "
                                 "%lld a run may write (see --help)",
                            n, bars, n * bars, (long long)TOTAL_MAX);
    o.instruments = (int)n;
    o.bars = (int)bars;
    o.seed = (uint64_t)seed;
    o.market = opts[5].seen ? opts[5].value : NULL;
    if (opts[4].seen) {
        if (tc_date_parse(opts[4].value, &o.start_day, &err) != 0)
            return tc_cli_usage(cli, "--start: %s", tc_error_msg(&err));
        /* the library takes starts up to 5000-12-31, so that its longest run
         * of bars (weekdays past the calendar's years) ends by 9999-12-31 */
        if (o.start_day > tc_days_from_civil(5000, 12, 31)) {
            if (nth_weekday(o.start_day, bars) > tc_days_from_civil(9999, 12, 31))
                return tc_cli_usage(cli,
                                    "--start %s: %lld bars (weekdays) from it would run past "
                                    "9999-12-31, the last supported date; the latest start is "
                                    "5000-12-31",
                                    opts[4].value, bars);
            return tc_cli_usage(cli,
                                "--start %s is after 5000-12-31, the latest start (so that the "
                                "longest run of bars ends by 9999-12-31, the last supported date)",
                                opts[4].value);
        }
        o.has_start = 1;
    }
    {
        /* nothing is written unless all of it fits */
        int64_t free_bytes = 0, need = (int64_t)n * ((int64_t)bars * ROW_BYTES + FILE_BYTES);
        char a[32], b[32];
        int64_t replaced = 0;
        if ((rc = free_space(cli, opts[3].value, &free_bytes)) != 0)
            return rc;
        /* the files of these names in DIR are truncated and written again:
         * their blocks are free for the new ones (a rerun into a folder of
         * a full disk was refused though its files fit) */
        for (long long k = 1; k <= n; k++) {
            char path[4200];
            struct stat st;
            if ((size_t)snprintf(path, sizeof path, "%s/SYN%03lld.csv", opts[3].value, k) <
                    sizeof path &&
                stat(path, &st) == 0 && S_ISREG(st.st_mode))
                replaced += (int64_t)st.st_blocks * 512;
        }
        if (need > free_bytes + replaced) {
            if (replaced)
                return tc_cli_failf(cli,
                                    "--out \"%s\": %lld files of %lld bars need up to %s (%lld "
                                    "bytes), its file system has %s (%lld bytes) free and the "
                                    "files they replace hold %lld bytes",
                                    opts[3].value, n, bars, human(need, a, sizeof a),
                                    (long long)need, human(free_bytes, b, sizeof b),
                                    (long long)free_bytes, (long long)replaced);
            return tc_cli_failf(cli,
                                "--out \"%s\": %lld files of %lld bars need up to %s (%lld "
                                "bytes), its file system has %s (%lld bytes) free",
                                opts[3].value, n, bars, human(need, a, sizeof a), (long long)need,
                                human(free_bytes, b, sizeof b), (long long)free_bytes);
        }
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
