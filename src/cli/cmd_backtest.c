/* `tradecore backtest`: runs built-in strategies over CSV files or stored
 * bars (tc_backtest_run), prints a summary (text or JSON), writes the report
 * with --out, and runs parameter sweeps (--sweep, split with --shard). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "app/report.h"
#include "cli/cli.h"
#include "cli/cli_entity.h"
#include "core/heap.h"
#include "tradecore/accounts.h"
#include "tradecore/backtest.h"
#include "tradecore/calendar.h"
#include "tradecore/ingest.h"
#include "tradecore/ledger.h"
#include "tradecore/refdata.h"
#include "internal/banned.h"

#define MAX_ITEMS 256
#define PROGRESS_MIN_SESSIONS 2500
#define MAX_COMBINATIONS 1000000000 /* a sweep's grid: more is a mistake, not a plan */

static const char help[] =
    "usage: tradecore backtest --strategy NAME [--param k=v]... | --strategies FILE\n"
    "           (--data FILE... | --symbols S,...) [--market MIC] [--from DATE] [--to DATE]\n"
    "           [--cash X] [--commission-rate F] [--slippage-rate F] [--volume-cap F]\n"
    "           [--fill-at next_open|close] [--out DIR] [--store] [--run-id ID] [--json]\n"
    "           [--sweep k=a,b,c]... [--shard i/N]\n\n"
    "Runs a backtest: bars go through the TimeMachine to the strategies, their\n"
    "signals through the ledger (mode BACKTEST), orders to the market simulator.\n"
    "  --strategy NAME      a built-in strategy (sma_cross, donchian; see below)\n"
    "  --param k=v          one of its parameters (repeatable)\n"
    "  --strategies FILE    several strategies in one portfolio, from YAML:\n"
    "                         strategies:\n"
    "                           - name: trend        # instance name (default: strategy)\n"
    "                             strategy: donchian\n"
    "                             enabled: true      # default true\n"
    "                             params: {entry: 20, exit: 10}\n"
    "  --data FILE          a price CSV file (repeatable; the instrument is the file's\n"
    "                       symbol, or the symbols of a long file)\n"
    "  --symbols S,...      instruments from the historical store\n"
    "  --market MIC         the sessions of this calendar (default: the dates of the data)\n"
    "  --from, --to DATE    YYYY-MM-DD, inclusive (earlier bars stay readable to strategies)\n"
    "  --cash X             initial capital, > 0 (default 100000)\n"
    "  --commission-rate F  commission as a fraction of traded value, 0 <= F < 1 (default 0)\n"
    "  --slippage-rate F    slippage as a fraction of price, against the trader, 0 <= F < 1\n"
    "                       (default 0)\n"
    "  --volume-cap F       at most F x the bar's volume per bar, 0 < F <= 1, rest stays\n"
    "                       working (default 0: no cap)\n"
    "  --fill-at WHEN       market orders fill at the next bar's open (next_open, default)\n"
    "                       or at the deciding bar's close (close)\n"
    "  --out DIR            write summary.json, fills.csv, trades.csv, equity.csv and\n"
    "                       report.html into DIR (a sweep: DIR/<combination>/)\n"
    "  --store              keep the run in the configured runtime store (mode BACKTEST,\n"
    "                       its run id); default: an in-memory store. A run that fails,\n"
    "                       or whose report (--out) cannot be written, is removed again:\n"
    "                       the store is left as it was. In a sweep, the combinations\n"
    "                       whose run and report completed before a failing one stay\n"
    "                       (complete runs under their ids); the failing one is removed.\n"
    "                       A run killed mid-way keeps its rows: `tradecore ledger\n"
    "                       forget-run RUN_ID` removes them\n"
    "  --run-id ID          the run id (default: derived from the inputs: reruns are equal)\n"
    "  --json               print the summary as JSON\n"
    "  --sweep k=a,b,c      run every value of parameter k (repeatable: the cartesian\n"
    "                       product, the first --sweep varying slowest); --strategy only\n"
    "  --shard i/N          only the combinations whose 0-based index % N == i\n"
    "A progress bar is shown on a terminal for long runs.\n"
    "Exit status: 0 ok, 1 error (data, store, run), 2 usage error.\n";

struct sweep {
    const char *key;
    char *values[MAX_ITEMS];
    size_t n;
    char *buf;
};

struct opts {
    const char *strategy, *strategies_file, *market, *out, *run_id;
    const char *params[MAX_ITEMS];
    size_t n_params;
    const char *data[MAX_ITEMS];
    size_t n_data;
    const char *symbols;
    int json, store, help;
    struct sweep sweeps[16];
    size_t n_sweeps;
    long shard_i, shard_n;
};

struct progress {
    FILE *f;
    const char *name;
    int last_pct;
    int shown;
};

static void show_progress(void *ud, size_t done, size_t total)
{
    struct progress *p = ud;
    int pct, bars;
    if (total < PROGRESS_MIN_SESSIONS)
        return;
    pct = (int)(done * 100 / total);
    if (pct == p->last_pct)
        return;
    p->last_pct = pct;
    bars = pct * 30 / 100;
    fprintf(p->f, "\r%-24.24s [%.*s%*s] %3d%%", p->name, bars, "==============================",
            30 - bars, "", pct);
    fflush(p->f);
    p->shown = 1;
}

/* The fraction S of option OPT into *OUT: 0 <= F < 1, or 0 <= F <= 1 when
 * ONE_OK. 0, or the usage exit status with the message naming OPT and S. */
static int parse_frac(struct tc_cli *cli, const char *opt, const char *s, int one_ok,
                      struct tc_dec *out)
{
    struct tc_error e = {0};
    if (tc_dec_parse(s, (size_t)-1, out, &e) != 0)
        return tc_cli_usage(cli, "%s: %s", opt, tc_error_msg(&e));
    if (tc_dec_sign(*out) < 0)
        return tc_cli_usage(cli, "%s %s must not be negative", opt, s);
    const int c = tc_dec_cmp(*out, tc_dec_from_raw(TC_DEC_ONE));
    if (c > 0 || (c == 0 && !one_ok))
        return tc_cli_usage(cli, "%s %s must be %s 1", opt, s, one_ok ? "at most" : "below");
    return 0;
}

static int parse_shard(struct tc_cli *cli, const char *s, struct opts *o)
{
    /* digits only, at most 9 of each: strtol took " 1" and "+1" and
     * saturated 2^70 to LONG_MAX */
    long long i, n;
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || !slash[1])
        return tc_cli_usage(cli, "--shard \"%s\" is not i/N", s);
    if (tc_cli_digits(s, (size_t)(slash - s), 999999999, &i) != 0)
        return tc_cli_usage(cli, "--shard \"%s\": i must be a whole number >= 0 (digits only, at most 999999999)",
                            s);
    if (tc_cli_digits(slash + 1, strlen(slash + 1), 999999999, &n) != 0 || n < 1)
        return tc_cli_usage(cli, "--shard \"%s\": N must be a whole number >= 1 (digits only, at most 999999999)",
                            s);
    if (i >= n)
        return tc_cli_usage(cli, "--shard \"%s\": i must be below N (0-based)", s);
    o->shard_i = (long)i;
    o->shard_n = (long)n;
    return 0;
}

static int parse_sweep(struct tc_cli *cli, const char *s, struct opts *o)
{
    struct sweep *sw;
    char *p, *eq;
    if (o->n_sweeps == sizeof(o->sweeps) / sizeof(o->sweeps[0]))
        return tc_cli_usage(cli, "too many --sweep options");
    sw = &o->sweeps[o->n_sweeps];
    if (!(sw->buf = strdup(s)))
        return tc_cli_failf(cli, "out of memory");
    o->n_sweeps++;
    eq = strchr(sw->buf, '=');
    if (!eq || eq == sw->buf || !eq[1])
        return tc_cli_usage(cli, "--sweep \"%s\" is not k=a,b,c", s);
    *eq = '\0';
    sw->key = sw->buf;
    for (size_t k = 0; k + 1 < o->n_sweeps; k++)
        if (strcmp(o->sweeps[k].key, sw->key) == 0)
            return tc_cli_usage(cli, "--sweep %s is given twice", sw->key);
    for (p = eq + 1;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!*p)
            return tc_cli_usage(cli, "--sweep %s has an empty value", sw->key);
        if (sw->n == MAX_ITEMS)
            return tc_cli_usage(cli, "--sweep %s has more than %d values", sw->key, MAX_ITEMS);
        for (size_t k = 0; k < sw->n; k++)
            if (strcmp(sw->values[k], p) == 0) /* the same combination and report folder */
                return tc_cli_usage(cli, "--sweep %s has the value %s twice", sw->key, p);
        sw->values[sw->n++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

/* The offset of the first control byte (a NUL too) of the N bytes at S,
 * or -1 when they have none. */
static long control_at(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return (long)i;
    return -1;
}

/* 0 when the value S of option OPT (a path when PATH) has no control byte;
 * else a usage error naming the byte and its offset, not the text: the
 * messages that quote a value (a path, an unknown strategy or parameter)
 * would be two lines for a newline and send an escape to the terminal.
 * The --data paths are quoted with \xNN by the ingest code instead. */
static int no_control(struct tc_cli *cli, const char *opt, const char *s, int path)
{
    long i = control_at(s, strlen(s));
    if (i >= 0)
        return tc_cli_usage(cli, "%s: the %s has a control byte (0x%02x at offset %ld)", opt,
                            path ? "path" : "value", (unsigned char)s[i], i);
    return 0;
}

static int parse_args(struct tc_cli *cli, int argc, char **argv, struct opts *o,
                      struct tc_backtest_config *cfg)
{
    int rc;
    unsigned seen = 0; /* the options below the repeatable ones, by index */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        /* --param, --data and --sweep (the first three) are repeatable; a
         * second value of another is refused rather than silently taken */
        static const char *const valued[] = {
            "--param", "--data", "--sweep", "--strategy", "--strategies", "--symbols",
            "--market", "--from", "--to", "--cash", "--commission-rate", "--slippage-rate",
            "--volume-cap", "--fill-at", "--out", "--run-id", "--shard"};
        int known = strcmp(a, "--json") == 0 || strcmp(a, "--store") == 0, takes = 0;
        for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
            if (strcmp(a, valued[k]) == 0) {
                takes = 1;
                if (k >= 3 && (seen & 1u << k))
                    return tc_cli_usage(cli, "%s is given twice", a);
                seen |= 1u << k;
            }
        if (!known && !takes && tc_cli_is_help(a)) { /* --help after other options */
            o->help = 1;
            return 0;
        }
        if (!known && !takes) {
            long at = control_at(a, strlen(a));
            if (at >= 0)
                return tc_cli_usage(cli, "unknown option with a control byte (0x%02x at offset %ld)",
                                    (unsigned char)a[at], at);
            return tc_cli_usage(cli, "unknown option \"%s\" (see --help)", a);
        }
        if (takes && !v)
            return tc_cli_usage(cli, "%s needs a value", a);
        if (takes && strcmp(a, "--data") != 0 && strcmp(a, "--out") != 0 &&
            strcmp(a, "--strategies") != 0 && (rc = no_control(cli, a, v, 0)) != 0)
            return rc;
        if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--store") == 0) {
            o->store = 1;
        } else if (strcmp(a, "--strategy") == 0) {
            o->strategy = v;
            i++;
        } else if (strcmp(a, "--strategies") == 0) {
            if ((rc = no_control(cli, a, v, 1)) != 0)
                return rc;
            o->strategies_file = v;
            i++;
        } else if (strcmp(a, "--param") == 0) {
            if (o->n_params == MAX_ITEMS)
                return tc_cli_usage(cli, "too many --param options");
            o->params[o->n_params++] = v;
            i++;
        } else if (strcmp(a, "--data") == 0) {
            if (o->n_data == MAX_ITEMS)
                return tc_cli_usage(cli, "too many --data options");
            o->data[o->n_data++] = v;
            i++;
        } else if (strcmp(a, "--symbols") == 0) {
            o->symbols = v;
            i++;
        } else if (strcmp(a, "--market") == 0) {
            o->market = v;
            i++;
        } else if (strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0) {
            struct tc_error e = {0};
            int64_t d;
            if (tc_date_parse(v, &d, &e) != 0)
                return tc_cli_usage(cli, "%s: %s", a, tc_error_msg(&e));
            if (a[2] == 'f')
                cfg->from_day = d;
            else
                cfg->to_day = d;
            i++;
        } else if (strcmp(a, "--cash") == 0) {
            struct tc_error e = {0};
            if (tc_dec_parse(v, (size_t)-1, &cfg->cash, &e) != 0)
                return tc_cli_usage(cli, "--cash: %s", tc_error_msg(&e));
            if (tc_dec_sign(cfg->cash) <= 0)
                return tc_cli_usage(cli, "--cash %s must be positive", v);
            i++;
        } else if (strcmp(a, "--commission-rate") == 0) {
            if ((rc = parse_frac(cli, a, v, 0, &cfg->sim.comm_rate)) != 0)
                return rc;
            cfg->sim.commission = TC_SIM_COMM_FRACTION;
            i++;
        } else if (strcmp(a, "--slippage-rate") == 0) {
            if ((rc = parse_frac(cli, a, v, 0, &cfg->sim.slippage_value)) != 0)
                return rc;
            cfg->sim.slippage = TC_SIM_SLIP_FRACTION;
            i++;
        } else if (strcmp(a, "--volume-cap") == 0) {
            if ((rc = parse_frac(cli, a, v, 1, &cfg->sim.volume_cap)) != 0)
                return rc;
            i++;
        } else if (strcmp(a, "--fill-at") == 0) {
            if (strcmp(v, "next_open") == 0)
                cfg->sim.fill_at = TC_SIM_FILL_NEXT_OPEN;
            else if (strcmp(v, "close") == 0)
                cfg->sim.fill_at = TC_SIM_FILL_CLOSE;
            else
                return tc_cli_usage(cli, "--fill-at \"%s\" is not next_open or close", v);
            i++;
        } else if (strcmp(a, "--out") == 0) {
            if ((rc = no_control(cli, a, v, 1)) != 0)
                return rc;
            o->out = v;
            i++;
        } else if (strcmp(a, "--run-id") == 0) {
            o->run_id = v;
            i++;
        } else if (strcmp(a, "--sweep") == 0) {
            if ((rc = parse_sweep(cli, v, o)) != 0)
                return rc;
            i++;
        } else if (strcmp(a, "--shard") == 0) {
            if ((rc = parse_shard(cli, v, o)) != 0)
                return rc;
            i++;
        } else {
            return tc_cli_usage(cli, "unknown option \"%s\" (see --help)", a);
        }
    }
    if (!o->strategy == !o->strategies_file)
        return tc_cli_usage(cli, "give one of --strategy NAME or --strategies FILE");
    if (o->strategies_file && (o->n_params || o->n_sweeps))
        return tc_cli_usage(cli, "--param and --sweep go with --strategy, not --strategies");
    if (!o->n_data == !o->symbols)
        return tc_cli_usage(cli, "give one of --data FILE... or --symbols S,...");
    if (o->symbols) {
        /* an empty item anywhere: "" ran with no instrument (exit 1, "no
         * price series given") and a trailing comma was taken as absent */
        size_t n = strlen(o->symbols);
        if (n == 0 || o->symbols[0] == ',' || o->symbols[n - 1] == ',' ||
            strstr(o->symbols, ",,"))
            return tc_cli_usage(cli, "--symbols \"%s\": an empty symbol", o->symbols);
    }
    if (cfg->from_day != INT64_MIN && cfg->to_day != INT64_MAX && cfg->from_day > cfg->to_day) {
        char f[TC_DATE_STRLEN], t[TC_DATE_STRLEN];
        tc_date_format(cfg->from_day, f);
        tc_date_format(cfg->to_day, t);
        return tc_cli_usage(cli, "--from %s is after --to %s", f, t);
    }
    if (o->shard_n && !o->n_sweeps)
        return tc_cli_usage(cli, "--shard splits a --sweep: give --sweep too");
    return 0;
}

/* ---- strategies ------------------------------------------------------------- */

/* The --strategy and its --param values (no key twice) into S. */
static int one_strategy(struct tc_cli *cli, const struct opts *o, struct tc_backtest_strategy *s)
{
    const struct tc_strategy_class *cls;
    struct tc_error e = {0};

    memset(s, 0, sizeof(*s));
    if (tc_strategy_lookup(o->strategy, &cls, &e) != 0)
        return tc_cli_usage(cli, "%s", tc_error_msg(&e));
    tc_strategy_params_init(&s->params, cls);
    s->enabled = 1;
    for (size_t k = 0; k < o->n_params; k++) {
        const char *eq = strchr(o->params[k], '=');
        for (size_t j = 0; eq && j < k; j++)
            if (strncmp(o->params[j], o->params[k], (size_t)(eq - o->params[k]) + 1) == 0)
                return tc_cli_usage(cli, "--param %.*s is given twice", (int)(eq - o->params[k]),
                                    o->params[k]);
        if (tc_strategy_params_set_kv(&s->params, o->params[k], &e) != 0)
            return tc_cli_usage(cli, "%s", tc_error_msg(&e));
    }
    for (size_t k = 0; k < o->n_sweeps; k++) {
        for (size_t j = 0; j < o->n_params; j++) {
            size_t len = strlen(o->sweeps[k].key);
            if (strncmp(o->params[j], o->sweeps[k].key, len) == 0 && o->params[j][len] == '=')
                return tc_cli_usage(cli, "%s is given both by --param and --sweep",
                                    o->sweeps[k].key);
        }
        for (size_t v = 0; v < o->sweeps[k].n; v++) {
            struct tc_strategy_params tmp = s->params;
            if (tc_strategy_params_set(&tmp, o->sweeps[k].key, o->sweeps[k].values[v], &e) != 0)
                return tc_cli_usage(cli, "--sweep: %s", tc_error_msg(&e));
        }
    }
    if (!o->n_sweeps && tc_strategy_params_check(&s->params, &e) != 0)
        return tc_cli_usage(cli, "%s", tc_error_msg(&e));
    return 0;
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

static const char *scalar(yaml_node_t *n)
{
    return (n && n->type == YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

/* The line (from 1) where node N starts in its file; DFLT when N is NULL. */
static size_t node_line(const yaml_node_t *n, size_t dflt)
{
    return n ? n->start_mark.line + 1 : dflt;
}

/* The first key of the strategies[K] mapping ITEM that is not one of its
 * four (a misspelt "parms" would be ignored) or that it gives twice (the
 * first would be taken): an error naming FILE:line and the key; 0 when none. */
static int check_item_keys(struct tc_cli *cli, const char *file, int k, yaml_document_t *doc,
                           yaml_node_t *item)
{
    static const char *const keys[] = {"name", "strategy", "enabled", "params"};
    if (!item || item->type != YAML_MAPPING_NODE)
        return 0;
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key);
        const char *key = scalar(kn);
        size_t line = kn ? kn->start_mark.line + 1 : 0, j = 0;
        while (key && j < sizeof keys / sizeof keys[0] && strcmp(key, keys[j]) != 0)
            j++;
        if (!key || j == sizeof keys / sizeof keys[0])
            return tc_cli_failf(cli,
                                "%s:%zu: strategies[%d]: unknown key \"%.40s\" (keys: name, "
                                "strategy, enabled, params)",
                                file, line, k, key ? key : "(not a scalar)");
        for (yaml_node_pair_t *q = item->data.mapping.pairs.start; q < p; q++)
            if (strcmp(scalar(yaml_document_get_node(doc, q->key)), key) == 0)
                return tc_cli_failf(cli, "%s:%zu: strategies[%d]: \"%s\" is given twice", file,
                                    line, k, key);
    }
    return 0;
}

/* The first scalar of the subtree at N with a control byte (its offset
 * into *AT), looking DEPTH levels down at most (deeper nodes are refused
 * as not scalars without being quoted, and an alias may make a cycle);
 * NULL when none. */
static const yaml_node_t *control_node(yaml_document_t *doc, const yaml_node_t *n, int depth,
                                       long *at)
{
    const yaml_node_t *r = NULL;
    if (!n || depth == 0)
        return NULL;
    if (n->type == YAML_SCALAR_NODE) {
        *at = control_at((const char *)n->data.scalar.value, n->data.scalar.length);
        return *at >= 0 ? n : NULL;
    }
    if (n->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             !r && it < n->data.sequence.items.top; it++)
            r = control_node(doc, yaml_document_get_node(doc, *it), depth - 1, at);
    if (n->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             !r && p < n->data.mapping.pairs.top; p++)
            if (!(r = control_node(doc, yaml_document_get_node(doc, p->key), depth - 1, at)))
                r = control_node(doc, yaml_document_get_node(doc, p->value), depth - 1, at);
    return r;
}

/* Reads the strategies of FILE into S[0..*N). Exit status or 0. */
static int load_strategies(struct tc_cli *cli, const char *file, struct tc_backtest_strategy *s,
                           size_t cap, size_t *n)
{
    FILE *f = fopen(file, "rb");
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_node_t *root, *list;
    struct tc_error e = {0};
    int rc = 0, k = 0;

    *n = 0;
    if (!f)
        return tc_cli_failf(cli, "strategies file \"%s\" cannot be read", file);
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = tc_cli_failf(cli, "%s:%zu: %s", file, parser.problem_mark.line + 1,
                          parser.problem ? parser.problem : "not YAML");
        yaml_parser_delete(&parser);
        fclose(f);
        return rc;
    }
    root = yaml_document_get_root_node(&doc);
    list = map_get(&doc, root, "strategies");
    if (!list || list->type != YAML_SEQUENCE_NODE || list->data.sequence.items.top ==
                                                         list->data.sequence.items.start) {
        rc = tc_cli_failf(cli, "%s: \"strategies\" must be a non-empty list", file);
        goto out;
    }
    {
        /* a key or value of the list with a control byte: said with its
         * line, not quoted (an unknown key or strategy would be quoted in a
         * message); the rest of the file is not read, nor refused */
        long at = -1;
        const yaml_node_t *nd = control_node(&doc, list, 6, &at);
        if (nd) {
            rc = tc_cli_failf(cli, "%s:%zu: a key or value has a control byte (0x%02x at offset %ld)",
                              file, nd->start_mark.line + 1, nd->data.scalar.value[at], at);
            goto out;
        }
    }
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top;
         it++, k++) {
        yaml_node_t *item = yaml_document_get_node(&doc, *it), *params;
        yaml_node_t *cls_node = map_get(&doc, item, "strategy");
        yaml_node_t *name_node = map_get(&doc, item, "name");
        yaml_node_t *enabled_node = map_get(&doc, item, "enabled");
        const char *cls_name = scalar(cls_node), *name = scalar(name_node);
        const char *enabled = scalar(enabled_node);
        const size_t line = item ? item->start_mark.line + 1 : list->start_mark.line + 1;
        const struct tc_strategy_class *cls;
        struct tc_backtest_strategy *bs;

        if ((size_t)k == cap) {
            rc = tc_cli_failf(cli, "%s:%zu: more than %zu strategies", file, line, cap);
            goto out;
        }
        if ((rc = check_item_keys(cli, file, k, &doc, item)) != 0)
            goto out;
        if (!cls_name) {
            rc = tc_cli_failf(cli, "%s:%zu: strategies[%d]: \"strategy\" is missing", file, line,
                              k);
            goto out;
        }
        if (tc_strategy_lookup(cls_name, &cls, &e) != 0) {
            rc = tc_cli_failf(cli, "%s:%zu: strategies[%d]: %s", file, node_line(cls_node, line),
                              k, tc_error_msg(&e));
            goto out;
        }
        bs = &s[k];
        memset(bs, 0, sizeof(*bs));
        tc_strategy_params_init(&bs->params, cls);
        bs->enabled = 1;
        if (name) {
            if (strlen(name) >= sizeof(bs->name)) {
                rc = tc_cli_failf(cli,
                                  "%s:%zu: strategies[%d]: name \"%.40s\" is longer than %d "
                                  "characters",
                                  file, node_line(name_node, line), k, name,
                                  TC_BACKTEST_NAME_MAX - 1);
                goto out;
            }
            snprintf(bs->name, sizeof(bs->name), "%s", name);
        }
        if (enabled) {
            if (strcmp(enabled, "true") == 0)
                bs->enabled = 1;
            else if (strcmp(enabled, "false") == 0)
                bs->enabled = 0;
            else {
                rc = tc_cli_failf(cli, "%s:%zu: strategies[%d]: enabled \"%.20s\" is not true or false",
                                  file, node_line(enabled_node, line), k, enabled);
                goto out;
            }
        }
        params = map_get(&doc, item, "params");
        if (params && params->type != YAML_MAPPING_NODE) {
            rc = tc_cli_failf(cli, "%s:%zu: strategies[%d]: \"params\" must be a mapping", file,
                              node_line(params, line), k);
            goto out;
        }
        for (yaml_node_pair_t *p = params ? params->data.mapping.pairs.start : NULL;
             params && p < params->data.mapping.pairs.top; p++) {
            yaml_node_t *kn = yaml_document_get_node(&doc, p->key);
            yaml_node_t *vn = yaml_document_get_node(&doc, p->value);
            const char *key = scalar(kn), *val = scalar(vn);
            if (!key || !val || tc_strategy_params_set(&bs->params, key, val, &e) != 0) {
                rc = tc_cli_failf(cli, "%s:%zu: strategies[%d]: %s", file,
                                  node_line(key ? vn : kn, line), k,
                                  (key && val) ? tc_error_msg(&e) : "params must be scalars");
                goto out;
            }
        }
        if (tc_strategy_params_check(&bs->params, &e) != 0) {
            rc = tc_cli_failf(cli, "%s:%zu: strategies[%d]: %s", file, node_line(params, line), k,
                              tc_error_msg(&e));
            goto out;
        }
        (*n)++;
    }
out:
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

/* ---- data ------------------------------------------------------------------------ */

struct data {
    struct tc_bar_set sets[MAX_ITEMS];
    size_t n_sets;
    struct tc_bar_series series[MAX_ITEMS];   /* shallow copies or owned (store) */
    size_t n;
    int owned;
    struct tc_store *hist;
};

static void data_release(struct data *d)
{
    for (size_t k = 0; k < d->n_sets; k++)
        tc_bar_set_release(&d->sets[k]);
    if (d->owned)
        for (size_t k = 0; k < d->n; k++)
            tc_bar_series_release(&d->series[k]);
    tc_store_close(d->hist);
}

/* Worker threads for the --data files: TC_TEST_LOAD_THREADS (a test hook:
 * 1..8) or 0, as many as online CPUs. */
static unsigned load_threads(void)
{
    const char *v = getenv("TC_TEST_LOAD_THREADS");
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    return v && *end == '\0' && n > 0 && n <= 8 ? (unsigned)n : 0;
}

/* The series of the N loaded sets into D, in order; a usage error for an
 * instrument that two files hold or too many instruments. */
static int take_sets(struct tc_cli *cli, struct data *d, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const struct tc_bar_set *set = &d->sets[k];
        for (size_t j = 0; j < set->n; j++) {
            if (d->n == MAX_ITEMS)
                return tc_cli_usage(cli, "more than %d instruments", MAX_ITEMS);
            for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->series[i].instrument_id, set->items[j].instrument_id) == 0)
                    return tc_cli_usage(cli, "instrument \"%s\" is in two --data files",
                                        set->items[j].instrument_id);
            d->series[d->n++] = set->items[j];
        }
    }
    return 0;
}

/* The help, then each built-in strategy (the "see below" of --strategy)
 * with its parameters, their defaults and bounds, from the registry. */
static void print_help(FILE *f)
{
    fputs(help, f);
    fputs("\nStrategies and their parameters (--param k=v):\n", f);
    for (size_t i = 0; i < tc_strategy_count(); i++) {
        const struct tc_strategy_class *c = tc_strategy_at(i);
        fprintf(f, "  %s: %s\n", c->name, c->summary);
        for (size_t k = 0; k < c->n_params; k++) {
            const struct tc_param_spec *p = &c->params[k];
            fprintf(f, "    %-13s %s; default %s", p->name, p->help, p->def);
            if (p->min && p->max)
                fprintf(f, ", %s to %s", p->min, p->max);
            else if (p->min)
                fprintf(f, ", at least %s", p->min);
            else if (p->max)
                fprintf(f, ", at most %s", p->max);
            fputc('\n', f);
        }
    }
}

/* The heap prepared for the run (core/heap.h): the bars take about the
 * size of their files, the ledger and the outputs about as much again.
 * This stat of each path is a hint taken before the loader's threads
 * start; the loader fstat()s the descriptor it then opens once (the size
 * it maps or reads, which may differ if the file changed in between). */
static void batch_heap(const struct opts *o)
{
    size_t expect = 0;
    for (size_t k = 0; k < o->n_data; k++) {
        struct stat st;
        if (stat(o->data[k], &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size < SIZE_MAX / 4)
            expect += 2 * (size_t)st.st_size;
        if (expect > TC__HEAP_BATCH_MAX)
            break;
    }
    (void)tc__heap_batch(expect);
}

static int load_data(struct tc_cli *cli, const struct opts *o, const struct tc_backtest_config *cfg,
                     struct data *d)
{
    struct tc_error e = {0};

    if (o->n_data) {
        /* in parallel, in input order; the first problem in input order is
         * reported, as when the files were read one by one */
        size_t bad = o->n_data;
        if (tc_prices_load_csv_many(o->data, o->n_data, TC_PRICES_AUTO, load_threads(), d->sets,
                                    &bad, &e) != 0) {
            /* an instrument twice in the files before the bad one came first */
            struct tc_error e2 = {0};
            if (bad > 0 && bad < o->n_data &&
                tc_prices_load_csv_many(o->data, bad, TC_PRICES_AUTO, load_threads(), d->sets,
                                        NULL, &e2) == 0) {
                d->n_sets = bad;
                int rc = take_sets(cli, d, bad);
                if (rc)
                    return rc;
            }
            return tc_cli_fail(cli, &e);
        }
        d->n_sets = o->n_data;
        return take_sets(cli, d, o->n_data);
    }
    d->owned = 1;
    int orc = tc__cli_ent_open(cli, "historical", &d->hist); /* migrated, or the message */
    if (orc != 0)
        return orc;
    for (const char *p = o->symbols; *p;) {
        char sym[TC_INSTRUMENT_ID_MAX];
        size_t len = strcspn(p, ",");
        int64_t count = 0;
        if (len >= sizeof(sym))
            return tc_cli_usage(cli, "--symbols \"%s\": symbol \"%.*s\" is longer than %d characters",
                                o->symbols, (int)(len > 40 ? 40 : len), p,
                                (int)sizeof(sym) - 1);
        if (d->n == MAX_ITEMS)
            return tc_cli_usage(cli, "more than %d instruments", MAX_ITEMS);
        memcpy(sym, p, len);
        sym[len] = '\0';
        for (size_t i = 0; i < d->n; i++)
            if (strcmp(d->series[i].instrument_id, sym) == 0)
                return tc_cli_usage(cli, "--symbols: \"%s\" is given twice", sym);
        if (tc_prices_load(d->hist, sym, -1000000, cfg->to_day == INT64_MAX ? 3000000 : cfg->to_day,
                           &d->series[d->n], &e) != 0) {
            d->n++;
            return tc_cli_fail(cli, &e);
        }
        d->n++;
        if (tc_prices_count(d->hist, sym, &count, &e) != 0)
            return tc_cli_fail(cli, &e);
        if (count == 0) {
            /* not an instrument at all (a misspelt or lower-case symbol) is
             * said as such: "has no stored bars" named the wrong problem */
            struct tc_refdata rd = {d->hist, NULL, NULL};
            struct tc_instrument inst;
            memset(&inst, 0, sizeof(inst));
            int grc = tc_refdata_instrument_get(&rd, sym, &inst, &e);
            tc_instrument_release(&inst);
            if (grc == TC_ENOTFOUND)
                return tc_cli_failf(cli, "unknown instrument \"%s\" (not in the historical store)",
                                    sym);
            if (grc != 0)
                return tc_cli_fail(cli, &e);
            return tc_cli_failf(cli, "instrument \"%s\" has no stored bars", sym);
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* ---- output ------------------------------------------------------------------- */

static json_t *summary_json(const struct tc_backtest_result *r, const char *name, const char *dir)
{
    const struct tc_metrics *m = &r->metrics;
    json_t *o = json_object();
    char d[TC_DEC_STRLEN], f[TC_DATE_STRLEN], t[TC_DATE_STRLEN];

    tc_date_format(r->first_day, f);
    tc_date_format(r->last_day, t);
    if (name)
        json_object_set_new(o, "combination", json_string(name));
    json_object_set_new(o, "run_id", json_string(r->run_id));
    json_object_set_new(o, "parameters", json_loads(r->params_json, 0, NULL));
    json_object_set_new(o, "from", json_string(f));
    json_object_set_new(o, "to", json_string(t));
    json_object_set_new(o, "sessions", json_integer((json_int_t)r->sessions));
    json_object_set_new(o, "bars", json_integer((json_int_t)r->bars));
    json_object_set_new(o, "signals", json_integer((json_int_t)r->signals));
    json_object_set_new(o, "accepted", json_integer((json_int_t)r->accepted));
    json_object_set_new(o, "rejected", json_integer((json_int_t)r->rejected));
    json_object_set_new(o, "fills", json_integer((json_int_t)r->run.n_fills));
    json_object_set_new(o, "trades", json_integer((json_int_t)r->run.n_trades));
#define DEC(k, v) (tc_dec_format((v), d, sizeof(d)), json_object_set_new(o, k, json_string(d)))
    DEC("initial_cash", r->run.initial_cash);
    DEC("final_value", m->final_value);
    DEC("final_cash", m->final_cash);
    DEC("net_profit", m->net_profit);
    DEC("total_commission", m->total_commission);
#undef DEC
    json_object_set_new(o, "total_return", json_real(m->total_return));
    json_object_set_new(o, "cagr", json_real(m->cagr));
    json_object_set_new(o, "sharpe", json_real(m->sharpe));
    json_object_set_new(o, "max_drawdown", json_real(m->max_drawdown));
    json_object_set_new(o, "win_rate", json_real(m->win_rate));
    json_object_set_new(o, "report", dir ? json_string(dir) : json_null());
    return o;
}

static void print_summary(FILE *f, const struct tc_backtest_result *r, const char *dir)
{
    const struct tc_metrics *m = &r->metrics;
    char a[TC_DEC_STRLEN], b[TC_DEC_STRLEN], c[TC_DEC_STRLEN], fd[TC_DATE_STRLEN],
        td[TC_DATE_STRLEN];

    tc_date_format(r->first_day, fd);
    tc_date_format(r->last_day, td);
    fprintf(f, "run            %s\n", r->run_id);
    fprintf(f, "parameters     %s\n", r->params_json);
    fprintf(f, "sessions       %zu (%s .. %s), %llu bars\n", r->sessions, fd, td,
            (unsigned long long)r->bars);
    fprintf(f, "signals        %llu (accepted %llu, rejected %llu)\n",
            (unsigned long long)r->signals, (unsigned long long)r->accepted,
            (unsigned long long)r->rejected);
    fprintf(f, "fills          %zu\ntrades         %zu (won %lld, lost %lld)\n", r->run.n_fills,
            r->run.n_trades, (long long)m->n_wins, (long long)m->n_losses);
    tc_dec_format(r->run.initial_cash, a, sizeof(a));
    tc_dec_format(m->final_value, b, sizeof(b));
    tc_dec_format(m->final_cash, c, sizeof(c));
    fprintf(f, "initial cash   %s\nfinal value    %s\nfinal cash     %s\n", a, b, c);
    tc_dec_format(m->net_profit, a, sizeof(a));
    tc_dec_format(m->total_commission, b, sizeof(b));
    fprintf(f, "net profit     %s\ncommission     %s\n", a, b);
    fprintf(f, "total return   %.4f%%\ncagr           %.4f%%\nsharpe         %.4f\n"
               "max drawdown   %.4f%%\n",
            m->total_return * 100, m->cagr * 100, m->sharpe, m->max_drawdown * 100);
    if (dir)
        fprintf(f, "report         %s/report.html\n", dir);
}

/* ---- runs ------------------------------------------------------------------------ */

/* The combination IDX of the sweeps into P and its name "k-v_k-v". */
static void combination(const struct opts *o, size_t idx, struct tc_strategy_params *p,
                        char *name, size_t cap)
{
    size_t n = 0;
    name[0] = '\0';
    for (size_t k = o->n_sweeps; k-- > 0;) {
        const struct sweep *sw = &o->sweeps[k];
        size_t v = idx % sw->n;
        idx /= sw->n;
        tc_strategy_params_set(p, sw->key, sw->values[v], NULL);
    }
    for (size_t k = 0; k < o->n_sweeps; k++) {
        char d[TC_DEC_STRLEN];
        tc_dec_format(tc_strategy_param_dec(p, o->sweeps[k].key), d, sizeof(d));
        n += (size_t)snprintf(name + n, n < cap ? cap - n : 0, "%s%s-%s", k ? "_" : "",
                              o->sweeps[k].key, d);
    }
}

/* The swept parameters' values of P as "k=v, k=v" into KV (CAP bytes), in
 * the order of the --sweep options: for messages. */
static void combination_kv(const struct opts *o, const struct tc_strategy_params *p, char *kv,
                           size_t cap)
{
    size_t n = 0;
    kv[0] = '\0';
    for (size_t k = 0; k < o->n_sweeps; k++) {
        char d[TC_DEC_STRLEN];
        tc_dec_format(tc_strategy_param_dec(p, o->sweeps[k].key), d, sizeof(d));
        n += (size_t)snprintf(kv + n, n < cap ? cap - n : 0, "%s%s=%s", k ? ", " : "",
                              o->sweeps[k].key, d);
    }
}

/* Before any run: the report folder PATH can be made or written, so that a
 * run kept in the store (--store) is not followed by a report that fails
 * (the store changed, the command failed). Its longest existing prefix
 * must be a writable folder. 0, or the error exit status naming PATH and
 * the part that is in the way. */
static int check_out_dir(struct tc_cli *cli, const char *path)
{
    char p[4096];
    struct stat st;
    int e;

    if (!*path)
        return tc_cli_failf(cli, "report folder: empty path");
    if ((e = tc_cli_existing_part(path, p, sizeof p)) != 0)
        return e == ENAMETOOLONG
                   ? tc_cli_failf(cli, "report folder \"%.40s...\": path is too long", path)
                   : tc_cli_failf(cli, "report folder \"%s\": \"%s\": %s", path, p, strerror(e));
    size_t n = strlen(p);
    if (stat(p, &st) != 0)
        return tc_cli_failf(cli, "report folder \"%s\": \"%s\": %s", path, p, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return strncmp(p, path, n) == 0 && path[n + strspn(path + n, "/")] == '\0'
                   ? tc_cli_failf(cli, "report folder \"%s\": not a directory", path)
                   : tc_cli_failf(cli, "report folder \"%s\": \"%s\" is not a directory", path,
                                  p);
    if (access(p, W_OK | X_OK) != 0)
        return tc_cli_failf(cli, "report folder \"%s\": \"%s\" is not writable", path, p);
    return 0;
}

/* After a stored run RUN_ID whose report failed with RC and ERR: the
 * command fails, so the run leaves no trace; its rows are removed from the
 * runtime store RT (a rerun under the same id is not refused as already
 * stored). A removal that fails too is appended to ERR's message, which is
 * kept otherwise (as the runner does for a run that fails). */
static void forget_run(struct tc_store *rt, const char *run_id, int rc, struct tc_error *err)
{
    struct tc_error fe = {0};
    char msg[TC_ERROR_MSG_MAX];
    int frc = tc_ledger_forget_portfolio(rt, run_id, NULL, &fe);

    if (frc == 0)
        return;
    snprintf(msg, sizeof(msg), "%s", tc_error_msg(err));
    tc_error_set(err, rc, "%s (and its rows were not removed from the runtime store: %s)", msg,
                 tc_error_msg(&fe));
}

/* The combinations of a sweep this run does: from the shard's i, every
 * N-th (every one without --shard). Stepping, not testing each index: a
 * large grid split in many shards is not scanned whole by each. */
static size_t first_index(const struct opts *o) { return o->shard_n ? (size_t)o->shard_i : 0; }
static size_t index_step(const struct opts *o) { return o->shard_n ? (size_t)o->shard_n : 1; }

/* Before any run kept in the runtime store RT: no run id of the runs to
 * come (ID, or ID-<index> of a sweep's combinations of this shard with
 * --run-id ID; else the ids derived from CFG, the inputs, for each valid
 * combination) is in RT already, so that a sweep is not refused half way
 * with its first runs stored. A combination whose id cannot be derived is
 * left to its run, which gives the error. S[0] is left at the --param
 * values. 0, or the error exit status. */
static int check_run_ids(struct tc_cli *cli, const struct opts *o, struct tc_store *rt,
                         const struct tc_backtest_config *cfg, struct tc_backtest_strategy *s,
                         size_t total)
{
    struct tc_accounts acc = {rt, NULL, "backtest"};
    int rc = 0;
    for (size_t idx = first_index(o); idx < total && rc == 0; idx += index_step(o)) {
        char id[TC_ID_BUFSZ], name[512];
        struct tc_portfolio_def existing;
        struct tc_error e = {0};
        if (o->n_sweeps && !o->run_id) {
            one_strategy(cli, o, s); /* the --param values (checked) */
            combination(o, idx, &s->params, name, sizeof(name));
            if (tc_strategy_params_check(&s->params, &e) != 0 ||
                tc_backtest_run_id(cfg, id, &e) != 0)
                continue; /* skipped, or its run gives the error */
        } else if (!o->run_id) {
            if (tc_backtest_run_id(cfg, id, &e) != 0)
                break;
        } else if (o->n_sweeps) {
            snprintf(id, sizeof(id), "%s-%zu", o->run_id, idx);
        } else {
            snprintf(id, sizeof(id), "%s", o->run_id);
        }
        memset(&existing, 0, sizeof(existing));
        int grc = tc_accounts_portfolio_get(&acc, id, &existing, &e);
        tc_portfolio_def_release(&existing);
        if (grc == 0)
            rc = tc_cli_failf(cli,
                              "run \"%s\" is already in the runtime store (give another run id)",
                              id);
        else if (grc != TC_ENOTFOUND)
            rc = tc_cli_fail(cli, &e);
    }
    if (o->n_sweeps && !o->run_id)
        one_strategy(cli, o, s);
    return rc;
}

/* Before any run of a sweep: a usage error when no combination of the
 * TOTAL (of this shard) is valid (the run would print an empty table and
 * succeed), naming the first one's problem; 0 otherwise. S[0] is left at
 * the --param values. */
static int sweep_check(struct tc_cli *cli, const struct opts *o, struct tc_backtest_strategy *s,
                       size_t total)
{
    char name[512] = "", first[512] = "", why[TC_ERROR_MSG_MAX] = "";
    size_t tried = 0;
    for (size_t idx = first_index(o); idx < total; idx += index_step(o)) {
        struct tc_error e = {0};
        tried++;
        one_strategy(cli, o, s); /* the --param values (checked) */
        combination(o, idx, &s->params, name, sizeof(name));
        if (tc_strategy_params_check(&s->params, &e) == 0) {
            one_strategy(cli, o, s);
            return 0;
        }
        if (!first[0]) {
            snprintf(first, sizeof(first), "%s", name);
            snprintf(why, sizeof(why), "%s", tc_error_msg(&e));
        }
    }
    one_strategy(cli, o, s);
    if (!tried) /* a shard past the combinations: nothing to do, an empty result */
        return 0;
    if (o->shard_n)
        return tc_cli_usage(cli, "--sweep: no combination of shard %ld/%ld is valid (%s: %s)",
                            o->shard_i, o->shard_n, first, why);
    return tc_cli_usage(cli, "--sweep: no combination is valid (%s: %s)", first, why);
}

int tc_cmd_backtest(struct tc_cli *cli, int argc, char **argv)
{
    struct opts o;
    struct tc_backtest_config cfg;
    struct tc_backtest_strategy *strats = NULL;
    struct data *d = NULL;
    struct tc_store *rt = NULL;
    struct tc_calendar *cal = NULL;
    struct tc_error e = {0};
    json_t *runs = NULL;
    FILE *table = NULL; /* a sweep's text table, printed when every run is done */
    char *table_text = NULL;
    size_t table_len = 0;
    size_t n_strats = 0, total = 1;
    int rc = TC_EXIT_OK, tty = isatty(fileno(cli->err));

    if (argc > 1 && tc_cli_is_help(argv[1])) {
        print_help(cli->out);
        return TC_EXIT_OK;
    }
    memset(&o, 0, sizeof(o));
    tc_backtest_config_init(&cfg);
    if (!(strats = calloc(MAX_ITEMS, sizeof(*strats))) || !(d = calloc(1, sizeof(*d)))) {
        rc = tc_cli_failf(cli, "out of memory");
        goto out;
    }
    if ((rc = parse_args(cli, argc, argv, &o, &cfg)) != 0)
        goto out;
    if (o.help) {
        print_help(cli->out);
        goto out;
    }
    if (o.strategy) {
        if ((rc = one_strategy(cli, &o, &strats[0])) != 0)
            goto out;
        n_strats = 1;
        for (size_t k = 0; k < o.n_sweeps; k++) {
            if (o.sweeps[k].n > MAX_COMBINATIONS / total) {
                rc = tc_cli_usage(cli, "--sweep: more than %d combinations", MAX_COMBINATIONS);
                goto out;
            }
            total *= o.sweeps[k].n;
        }
        if (o.n_sweeps && (rc = sweep_check(cli, &o, strats, total)) != 0)
            goto out;
    } else if ((rc = load_strategies(cli, o.strategies_file, strats, MAX_ITEMS, &n_strats)) != 0) {
        goto out;
    }
    if (o.market && tc_calendar_get(o.market, &cfg.calendar, &e) != 0) {
        rc = tc_cli_usage(cli, "--market: %s", tc_error_msg(&e));
        goto out;
    }
    if (o.run_id && (tc_id_validate("run", o.run_id, &e) != 0 ||
                     strlen(o.run_id) > TC_BACKTEST_RUN_ID_MAX - 5)) {
        rc = tc_cli_usage(cli, "--run-id: %s", e.code ? tc_error_msg(&e) : "longer than 27 characters");
        goto out;
    }
    if (o.run_id && o.n_sweeps && first_index(&o) < total) {
        /* the run id of this shard's last combination (ID-<index>) fits
         * too: a sweep of 10,000 or more stored its first runs, then failed
         * on the first index of five digits */
        const size_t last = first_index(&o) + (total - 1 - first_index(&o)) / index_step(&o) *
                                                   index_step(&o);
        char id[TC_ID_BUFSZ + 24];
        if ((size_t)snprintf(id, sizeof(id), "%s-%zu", o.run_id, last) > TC_BACKTEST_RUN_ID_MAX) {
            rc = tc_cli_usage(cli, "--run-id: run id \"%s\" of combination %zu of %zu would be "
                                   "longer than %d characters",
                              id, last + 1, total, TC_BACKTEST_RUN_ID_MAX);
            goto out;
        }
    }
    batch_heap(&o);
    if ((rc = load_data(cli, &o, &cfg, d)) != 0)
        goto out;
    if (cfg.calendar && d->hist) {
        /* the market's stored overrides (closures, early closes) apply */
        struct tc_cal_override *ov = NULL;
        size_t nov = 0;
        if (tc_calendar_overrides_load(d->hist, o.market, &ov, &nov, &e) != 0) {
            rc = tc_cli_fail(cli, &e);
            goto out;
        }
        if (nov && tc_calendar_with_overrides(cfg.calendar, ov, nov, &cal, &e) != 0) {
            free(ov);
            rc = tc_cli_fail(cli, &e);
            goto out;
        }
        free(ov);
        if (cal)
            cfg.calendar = cal;
    }
    if (o.store && (rc = tc__cli_ent_open(cli, "runtime", &rt)) != 0)
        goto out;
    cfg.strategies = strats;
    cfg.n_strategies = n_strats;
    cfg.series = d->series;
    cfg.n_series = d->n;
    cfg.runtime = rt;
    cfg.historical = d->hist;
    if (rt && (rc = check_run_ids(cli, &o, rt, &cfg, strats, total)) != 0)
        goto out;
    if (o.out && (rc = check_out_dir(cli, o.out)) != 0)
        goto out;
    /* a single run's report folder with a file in the way (a directory
     * named trades.csv, say) is refused before the run, not after it (a
     * stored run would be made, then removed); a sweep's folders are
     * checked by each report */
    if (o.out && !o.n_sweeps && tc__report_check(o.out, &e) != 0) {
        rc = tc_cli_failf(cli, "%s", tc_error_msg(&e));
        goto out;
    }
    if (o.n_sweeps && !(runs = json_array())) {
        rc = tc_cli_failf(cli, "out of memory");
        goto out;
    }
    /* a sweep's table is printed whole at the end: a run that fails leaves
     * nothing on standard output (not the header and the rows before it) */
    if (o.n_sweeps && !o.json && !(table = open_memstream(&table_text, &table_len))) {
        rc = tc_cli_failf(cli, "out of memory");
        goto out;
    }
    if (table)
        fprintf(table, "%-40s %-22s %14s %8s %10s %10s\n", "combination", "run", "final value",
                "trades", "return %", "max dd %");
    for (size_t idx = first_index(&o); idx < total; idx += index_step(&o)) {
        struct tc_backtest_result res;
        struct progress pr = {cli->err, NULL, -1, 0};
        char name[512] = "", dir[4096], run_id[TC_ID_BUFSZ];
        const char *outdir = NULL;
        int r;

        if (o.n_sweeps) {
            one_strategy(cli, &o, &strats[0]); /* back to the --param values (checked) */
            combination(&o, idx, &strats[0].params, name, sizeof(name));
            if (tc_strategy_params_check(&strats[0].params, &e) != 0) {
                fprintf(cli->err, "tradecore: %s: combination %s skipped: %s\n", cli->cmd, name,
                        tc_error_msg(&e));
                continue;
            }
        }
        if (o.run_id) {
            if (o.n_sweeps)
                snprintf(run_id, sizeof(run_id), "%s-%zu", o.run_id, idx);
            else
                snprintf(run_id, sizeof(run_id), "%s", o.run_id);
            cfg.run_id = run_id;
        }
        if (o.out) {
            snprintf(dir, sizeof(dir), "%s%s%s", o.out, o.n_sweeps ? "/" : "", name);
            outdir = dir;
        }
        pr.name = o.n_sweeps ? name : strats[0].params.cls->name;
        if (tty) {
            cfg.progress = show_progress;
            cfg.progress_ud = &pr;
        }
        r = tc_backtest_run(&cfg, &res, &e);
        if (pr.shown)
            fputc('\n', cli->err);
        if (r == 0 && outdir) {
            r = tc_backtest_write_report(&res, outdir, o.n_sweeps ? name : NULL, &e);
            if (r != 0 && rt)
                forget_run(rt, res.run_id, r, &e);
        }
        if (r != 0) {
            /* a sweep's error names its combination (one line): which of
             * the grid, its parameters and its run id (none when the run
             * failed before it had one) */
            if (o.n_sweeps) {
                char kv[512];
                combination_kv(&o, &strats[0].params, kv, sizeof(kv));
                rc = tc_cli_failf(cli, "combination %zu of %zu (%s%s%s%s): %s", idx + 1, total,
                                  kv, res.run_id[0] ? ", run \"" : "", res.run_id,
                                  res.run_id[0] ? "\"" : "", tc_error_msg(&e));
            } else {
                rc = tc_cli_fail(cli, &e);
            }
            tc_backtest_result_release(&res);
            goto out;
        }
        if (o.n_sweeps && o.json) {
            json_array_append_new(runs, summary_json(&res, name, outdir));
        } else if (o.n_sweeps) {
            char fv[TC_DEC_STRLEN];
            tc_dec_format(res.metrics.final_value, fv, sizeof(fv));
            fprintf(table, "%-40s %-22s %14s %8zu %10.4f %10.4f\n", name, res.run_id, fv,
                    res.run.n_trades, res.metrics.total_return * 100,
                    res.metrics.max_drawdown * 100);
        } else if (o.json) {
            json_t *j = summary_json(&res, NULL, outdir);
            char *s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_INDENT(2) | JSON_REAL_PRECISION(10));
            fprintf(cli->out, "%s\n", s ? s : "{}");
            free(s);
            json_decref(j);
        } else {
            print_summary(cli->out, &res, outdir);
        }
        tc_backtest_result_release(&res);
    }
    if (table) {
        if (fclose(table) != 0) {
            table = NULL;
            rc = tc_cli_failf(cli, "out of memory");
            goto out;
        }
        table = NULL;
        fwrite(table_text, 1, table_len, cli->out);
    }
    if (runs && o.json) {
        json_t *j = json_object();
        char *s;
        json_object_set_new(j, "combinations", json_integer((json_int_t)total));
        json_object_set_new(j, "shard", o.shard_n ? json_sprintf("%ld/%ld", o.shard_i, o.shard_n)
                                                  : json_null());
        json_object_set(j, "runs", runs);
        s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        fprintf(cli->out, "%s\n", s ? s : "{}");
        free(s);
        json_decref(j);
    }
out:
    if (table)
        fclose(table);
    free(table_text);
    json_decref(runs);
    if (d)
        data_release(d);
    free(d);
    free(strats);
    tc_store_close(rt);
    tc_calendar_free(cal);
    for (size_t k = 0; k < o.n_sweeps; k++)
        free(o.sweeps[k].buf);
    return rc;
}
