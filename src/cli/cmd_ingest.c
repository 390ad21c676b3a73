/* `tradecore ingest prices FILE…`: daily price CSV files into the historical
 * store, with a progress bar on a terminal and a summary (text or JSON);
 * `tradecore ingest actions|fx FILE…`: corporate actions and FX rates; and
 * `tradecore gen-prices`: a deterministic long-format price file for tests and
 * benchmarks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/grow.h"
#include "cli/cli_entity.h"
#include "tradecore/actions.h"
#include "tradecore/clock.h"
#include "tradecore/ingest.h"
#include "tradecore/refdata.h"
#include "internal/banned.h"

#define N_OPTS(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_FILES 1024
#define PROGRESS_MIN_BYTES (4 * 1024 * 1024)

static const char ingest_help[] =
    "usage: tradecore ingest prices FILE... [--symbol SYM] [--market MIC]\n"
    "           [--format auto|yahoo|ohlcv|long] [--create-instruments]\n"
    "           [--asset-class CLASS] [--currency CCY] [--skip-bad] [--json]\n\n"
    "Loads daily price CSV files into the historical store, each file in one\n"
    "transaction. Formats (from the header unless --format says):\n"
    "  yahoo  Date,Open,High,Low,Close,Adj Close,Volume\n"
    "  ohlcv  Date,Open,High,Low,Close,Volume,OpenInterest\n"
    "  long   date,symbol,open,high,low,close,volume\n"
    "  --symbol SYM          symbol of a one-symbol file (default: the file name up\n"
    "                        to '-' or '.', upper-cased: orcl-2014.txt -> ORCL)\n"
    "  --market MIC          market of the instruments (needed to create them, and\n"
    "                        when a symbol is listed in several markets)\n"
    "  --create-instruments  register unknown symbols as instruments of --market\n"
    "                        (--asset-class, default EQUITY; --currency, default USD)\n"
    "  --skip-bad            skip bad rows (listed on stderr) and load the rest;\n"
    "                        without it the first bad row rejects the whole file\n"
    "  --json                print the summary as JSON\n"
    "Rows already stored with the same values are counted as unchanged; a row\n"
    "stored with different values rejects the file (stored rows are never replaced).\n"
    "Files are loaded in order; the first file that fails stops the command\n"
    "(files before it stay loaded).\n"
    "\n"
    "usage: tradecore ingest actions FILE... [--market MIC] [--json]\n"
    "       tradecore ingest fx FILE... [--json]\n\n"
    "Loads corporate actions (header symbol,ex_date,kind,value[,currency]; kind\n"
    "SPLIT with value the new shares per old one, or DIVIDEND with value the cash\n"
    "per share) or daily FX rates (header date,base,quote,rate: one BASE costs RATE\n"
    "QUOTE) into the historical store, each file in one transaction; the first bad\n"
    "row rejects the file. --market names the market of the symbols.\n"
    "Exit status: 0 ok, 1 a file was rejected or another error, 2 usage error.\n";

static const char gen_help[] =
    "usage: tradecore gen-prices --rows N --symbols K --seed S --out FILE\n\n"
    "Writes N rows of random-walk daily bars for K symbols (SYM0001, ...) in the\n"
    "long format (date,symbol,open,high,low,close,volume), one row per symbol per\n"
    "weekday from 2000-01-03, dates ascending. The same seed gives the same file.\n"
    "Exit status: 0 ok, 1 error, 2 usage error.\n";

struct ids {
    char (*v)[TC_REFDATA_ID_MAX];
    size_t n, cap;
    int64_t created;
};

static void note_instrument(void *ud, const char *id, int created)
{
    struct ids *s = ud;
    s->created += created;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], id) == 0)
            return;
    if (tc__grow((void **)&s->v, &s->cap, s->n, sizeof(*s->v), 16) != 0)
        return; /* the count is then low; nothing else depends on it */
    snprintf(s->v[s->n++], TC_REFDATA_ID_MAX, "%s", id);
}

struct progress {
    FILE *f;
    const char *name;
    int shown, last_pct;
};

static void show_progress(void *ud, uint64_t done, uint64_t total)
{
    struct progress *p = ud;
    if (total < PROGRESS_MIN_BYTES)
        return;
    int pct = (int)(done * 100 / total);
    if (pct == p->last_pct)
        return;
    p->last_pct = pct;
    int bars = pct * 30 / 100;
    fprintf(p->f, "\r%-24.24s [%.*s%*s] %3d%%", p->name, bars,
            "==============================", 30 - bars, "", pct);
    fflush(p->f);
    p->shown = 1;
}

static void print_bad(void *ud, const char *msg)
{
    struct tc_cli *cli = ud;
    fprintf(cli->err, "tradecore: %s: skipped %s\n", cli->cmd, msg);
}

struct bad_list {
    struct tc_cli *cli;
    json_t *arr;
};

static void collect_bad(void *ud, const char *msg)
{
    struct bad_list *b = ud;
    print_bad(b->cli, msg);
    if (b->arr && json_array_size(b->arr) < 1000)
        json_array_append_new(b->arr, json_string(msg));
}

static void date_text(int64_t day, char *buf, size_t cap)
{
    int y, m, d;
    tc_civil_from_days(day, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

static int ingest_prices(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {
        {.name = "symbol", .takes_value = 1},      {.name = "market", .takes_value = 1},
        {.name = "format", .takes_value = 1},      {.name = "create-instruments"},
        {.name = "skip-bad"},                      {.name = "json"},
        {.name = "asset-class", .takes_value = 1}, {.name = "currency", .takes_value = 1}};
    const char *pos[MAX_FILES];
    size_t npos = 0;
    struct tc_ingest_options o;
    struct tc_ingest_result total = {0};
    struct ids ids = {0};
    struct bad_list bad = {cli, NULL};
    struct tc_error err = {0};
    struct tc_store *s = NULL;
    int json, rc;
    size_t files_done = 0;
    int64_t t0 = tc_clock_monotonic(NULL);

    rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, N_OPTS(opts), pos, MAX_FILES, &npos,
                           ingest_help);
    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos == 0)
        return tc_cli_usage(cli, "ingest prices: no FILE given (see --help)");
    tc_ingest_options_init(&o);
    if (opts[2].seen && tc_prices_format_parse(opts[2].value, &o.format, &err) != 0)
        return tc_cli_usage(cli, "ingest prices: --format: %s", err.msg);
    if (opts[6].seen && tc_asset_class_parse(opts[6].value, &o.asset_class, &err) != 0)
        return tc_cli_usage(cli, "ingest prices: --asset-class: %s", err.msg);
    if ((opts[6].seen || opts[7].seen) && !opts[3].seen)
        return tc_cli_usage(cli,
                            "ingest prices: --asset-class and --currency need --create-instruments");
    if (opts[3].seen && !opts[1].seen)
        return tc_cli_usage(cli, "ingest prices: --create-instruments needs --market");
    if (opts[0].seen && npos > 1)
        return tc_cli_usage(cli, "ingest prices: --symbol applies to one FILE, %zu given", npos);
    o.symbol = opts[0].value;
    o.market_id = opts[1].value;
    o.create_instruments = opts[3].seen;
    o.currency = opts[7].value;
    o.skip_bad = opts[4].seen;
    json = opts[5].seen;
    o.on_instrument = note_instrument;
    o.on_instrument_ud = &ids;
    if (json && !(bad.arr = json_array()))
        return tc_cli_failf(cli, "out of memory");
    o.on_bad = collect_bad;
    o.on_bad_ud = &bad;
    if ((rc = tc__cli_ent_open(cli, "historical", &s)) != 0) {
        json_decref(bad.arr);
        return rc;
    }
    total.last_day = -1;
    for (size_t i = 0; i < npos; i++) {
        struct tc_ingest_result r;
        struct progress pr = {cli->err, pos[i], 0, -1};
        if (isatty(fileno(cli->err))) {
            o.progress = show_progress;
            o.progress_ud = &pr;
        }
        int frc = tc_ingest_prices_file(s, pos[i], &o, &r, &err);
        if (pr.shown)
            fprintf(cli->err, "\n");
        if (frc != 0) {
            rc = tc_cli_fail(cli, &err);
            break;
        }
        files_done++;
        total.rows_read += r.rows_read;
        total.inserted += r.inserted;
        total.unchanged += r.unchanged;
        total.skipped += r.skipped;
        if (r.last_day >= r.first_day) {
            if (total.last_day < total.first_day || r.first_day < total.first_day)
                total.first_day = r.first_day;
            if (r.last_day > total.last_day)
                total.last_day = r.last_day;
        }
    }
    tc_store_close(s);
    total.seconds = (double)(tc_clock_monotonic(NULL) - t0) / 1e6;
    if (rc == 0) {
        char first[32] = "", last[32] = "";
        int has = total.last_day >= total.first_day;
        if (has) {
            date_text(total.first_day, first, sizeof first);
            date_text(total.last_day, last, sizeof last);
        }
        if (json) {
            json_t *v = json_object();
            if (!v) {
                rc = tc_cli_failf(cli, "out of memory");
            } else {
                json_object_set_new(v, "files", json_integer((json_int_t)files_done));
                json_object_set_new(v, "rows_read", json_integer(total.rows_read));
                json_object_set_new(v, "inserted", json_integer(total.inserted));
                json_object_set_new(v, "unchanged", json_integer(total.unchanged));
                json_object_set_new(v, "skipped", json_integer(total.skipped));
                json_object_set_new(v, "instruments", json_integer((json_int_t)ids.n));
                json_object_set_new(v, "instruments_created", json_integer(ids.created));
                json_object_set_new(v, "first_date", has ? json_string(first) : json_null());
                json_object_set_new(v, "last_date", has ? json_string(last) : json_null());
                json_object_set_new(v, "seconds", json_real(total.seconds));
                json_object_set_new(v, "bad_rows", bad.arr);
                bad.arr = NULL;
                rc = tc__cli_ent_print_json(cli, v);
            }
        } else {
            fprintf(cli->out,
                    "ingested %zu file%s: %lld rows read, %lld inserted, %lld unchanged, %lld "
                    "skipped, %zu instrument%s (%lld created), %s..%s, %.3f s\n",
                    files_done, files_done == 1 ? "" : "s", (long long)total.rows_read,
                    (long long)total.inserted, (long long)total.unchanged,
                    (long long)total.skipped, ids.n, ids.n == 1 ? "" : "s",
                    (long long)ids.created, has ? first : "-", has ? last : "-", total.seconds);
        }
    }
    json_decref(bad.arr);
    free(ids.v);
    return rc;
}

/* `ingest actions` and `ingest fx`. */
static int ingest_refs(struct tc_cli *cli, int argc, char **argv, int fx)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}, {.name = "market", .takes_value = 1}};
    const char *pos[MAX_FILES], *what = fx ? "ingest fx" : "ingest actions";
    size_t npos = 0, files_done = 0;
    struct tc_actions_summary total = {0};
    struct tc_error err = {0};
    struct tc_store *s = NULL;
    int rc;

    rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, fx ? 1 : 2, pos, MAX_FILES, &npos,
                           ingest_help);
    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos == 0)
        return tc_cli_usage(cli, "%s: no FILE given (see --help)", what);
    if ((rc = tc__cli_ent_open(cli, "historical", &s)) != 0)
        return rc;
    for (size_t i = 0; i < npos; i++) {
        struct tc_actions_summary r;
        int frc = fx ? tc_fx_ingest_csv(s, pos[i], NULL, &r, &err)
                     : tc_actions_ingest_csv(s, pos[i], opts[1].value, NULL, &r, &err);
        if (frc != 0) {
            rc = tc_cli_fail(cli, &err);
            break;
        }
        files_done++;
        total.rows += r.rows;
        total.inserted += r.inserted;
        total.unchanged += r.unchanged;
    }
    tc_store_close(s);
    if (rc != 0)
        return rc;
    if (opts[0].seen) {
        json_t *v = json_pack("{sI sI sI sI}", "files", (json_int_t)files_done, "rows",
                              (json_int_t)total.rows, "inserted", (json_int_t)total.inserted,
                              "unchanged", (json_int_t)total.unchanged);
        return v ? tc__cli_ent_print_json(cli, v) : tc_cli_failf(cli, "out of memory");
    }
    fprintf(cli->out, "ingested %zu file%s: %lld %s, %lld inserted, %lld unchanged\n", files_done,
            files_done == 1 ? "" : "s", (long long)total.rows, fx ? "rates" : "actions",
            (long long)total.inserted, (long long)total.unchanged);
    return TC_EXIT_OK;
}

int tc_cmd_ingest(struct tc_cli *cli, int argc, char **argv)
{
    if (argc < 2)
        return tc_cli_usage(cli, "missing subcommand (prices, actions or fx); see --help");
    if (tc_cli_is_help(argv[1])) {
        fputs(ingest_help, cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "prices") == 0)
        return ingest_prices(cli, argc, argv);
    if (strcmp(argv[1], "actions") == 0)
        return ingest_refs(cli, argc, argv, 0);
    if (strcmp(argv[1], "fx") == 0)
        return ingest_refs(cli, argc, argv, 1);
    return tc_cli_usage(cli, "unknown subcommand '%s' (expected prices, actions or fx)", argv[1]);
}

/* ------------------------------------------------------------------------ */

static int parse_count(struct tc_cli *cli, const char *what, const char *text, long long min,
                       long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || !end || *end || end == text || v < min || v > max)
        return tc_cli_usage(cli, "gen-prices: %s \"%.40s\" is not a whole number in %lld..%lld",
                            what, text, min, max);
    *out = v;
    return 0;
}

/* Prices in cents, as raw tc_dec: a random walk of at most ±2% a day. */
static void step_bar(struct tc_rng *rng, int64_t *last, int64_t ohlc[4])
{
    int64_t prev = *last;
    int64_t move = prev / 50;          /* 2% */
    if (move < 1)
        move = 1;
    int64_t open = prev + (int64_t)tc_rng_below(rng, (uint64_t)(2 * move + 1)) - move;
    int64_t close = open + (int64_t)tc_rng_below(rng, (uint64_t)(2 * move + 1)) - move;
    if (open < 100)
        open = 100;
    if (close < 100)
        close = 100;
    int64_t hi = (open > close ? open : close) + (int64_t)tc_rng_below(rng, (uint64_t)move + 1);
    int64_t lo = (open < close ? open : close) - (int64_t)tc_rng_below(rng, (uint64_t)move + 1);
    if (lo < 50)
        lo = 50;
    ohlc[0] = open;
    ohlc[1] = hi;
    ohlc[2] = lo;
    ohlc[3] = close;
    *last = close;
}

int tc_cmd_gen_prices(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "rows", .takes_value = 1},
                                     {.name = "symbols", .takes_value = 1},
                                     {.name = "seed", .takes_value = 1},
                                     {.name = "out", .takes_value = 1}};
    const char *pos[1];
    size_t npos = 0;
    long long rows = 0, nsym = 0, seed = 0;
    int rc = tc__cli_ent_parse(cli, argc, argv, 1, opts, N_OPTS(opts), pos, 0, &npos, gen_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    for (size_t i = 0; i < N_OPTS(opts); i++)
        if (!opts[i].seen)
            return tc_cli_usage(cli, "gen-prices: missing --%s (see --help)", opts[i].name);
    if ((rc = parse_count(cli, "--rows", opts[0].value, 1, 100000000LL, &rows)) != 0 ||
        (rc = parse_count(cli, "--symbols", opts[1].value, 1, 9999, &nsym)) != 0 ||
        (rc = parse_count(cli, "--seed", opts[2].value, 0, INT64_MAX, &seed)) != 0)
        return rc;
    FILE *f = fopen(opts[3].value, "wb");
    if (!f)
        return tc_cli_failf(cli, "%s: cannot create: %s", opts[3].value, strerror(errno));
    int64_t *last = malloc((size_t)nsym * sizeof *last);
    if (!last) {
        fclose(f);
        return tc_cli_failf(cli, "out of memory");
    }
    struct tc_rng rng;
    tc_rng_seed(&rng, (uint64_t)seed);
    for (long long k = 0; k < nsym; k++)
        last[k] = 1000 + (int64_t)tc_rng_below(&rng, 20000); /* 10.00 .. 210.00 */
    fputs("date,symbol,open,high,low,close,volume\n", f);
    int64_t day = tc_days_from_civil(2000, 1, 3); /* a Monday */
    long long written = 0;
    while (written < rows) {
        char date[32];
        date_text(day, date, sizeof date);
        for (long long k = 0; k < nsym && written < rows; k++, written++) {
            int64_t b[4];
            step_bar(&rng, &last[k], b);
            fprintf(f, "%s,SYM%04lld,%lld.%02lld,%lld.%02lld,%lld.%02lld,%lld.%02lld,%llu\n", date,
                    k + 1, (long long)(b[0] / 100), (long long)(b[0] % 100),
                    (long long)(b[1] / 100), (long long)(b[1] % 100), (long long)(b[2] / 100),
                    (long long)(b[2] % 100), (long long)(b[3] / 100), (long long)(b[3] % 100),
                    (unsigned long long)(1000 + tc_rng_below(&rng, 10000000)));
        }
        /* next weekday: 1970-01-01 was a Thursday, so (day + 3) % 7 is 0 on Mondays */
        day += ((day + 3) % 7 == 4) ? 3 : 1;
    }
    free(last);
    if (ferror(f) | (fclose(f) != 0))
        return tc_cli_failf(cli, "%s: write error", opts[3].value);
    fprintf(cli->out, "wrote %lld rows for %lld symbols to %s\n", rows, nsym, opts[3].value);
    return TC_EXIT_OK;
}
