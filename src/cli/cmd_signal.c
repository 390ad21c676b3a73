/* `tradecore signal submit FILE|-` (one signal or a JSON array of signals
 * through the ledger, one outcome line each) and `tradecore signals
 * list|prune` (the signal log). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "cli/cli_ledger.h"
#include "tradecore/clock.h"
#include "tradecore/ledger_query.h"
#include "internal/banned.h"

/* Largest input of `signal submit`: far above any real batch of signals,
 * far below what would make a typo (a price file) slow to refuse. */
#define SUBMIT_MAX (1024 * 1024)
#define PRUNE_BATCH 1000

static const char signal_help[] =
    "usage: tradecore signal submit FILE|-\n\n"
    "Processes one signal (a JSON object) or a JSON array of signals, in order,\n"
    "through the ledger and the configured broker (ledger.broker), printing one\n"
    "outcome per signal as a line of JSON. The whole input (at most 1 MiB) is\n"
    "checked first: when it is not JSON, is empty, or any signal in it is\n"
    "malformed (bad field, NaN price, ...), nothing is submitted. Signals the\n"
    "trading rules refuse are recorded as rejected (exit 0). A duplicate prints\n"
    "the first outcome with \"duplicate\":true and changes nothing.\n"
    "Exit status: 0 every signal recorded, 1 one could not be recorded (or bad\n"
    "input), 2 usage error.\n";

static const char signals_help[] =
    "usage: tradecore signals list [--since TIME] [--portfolio P] [--json]\n"
    "       tradecore signals prune --older-than DAYS\n\n"
    "list: the signal log, oldest first (TIME is ISO-8601, e.g. 2025-01-31T00:00:00Z).\n"
    "prune: deletes signal log rows received more than DAYS (a whole number >= 1)\n"
    "days ago, in batches of 1000 rows per transaction. Signals whose orders are\n"
    "still working are kept. A pruned signal sent again counts as new, so keep\n"
    "DAYS above ledger.max_skew_s (then its timestamp gets it rejected).\n"
    "Exit status: 0 ok, 1 error, 2 usage error.\n";

/* Reads all of PATH ("-" = stdin) into a malloc'd buffer. */
static int read_input(struct tc_cli *cli, const char *path, char **buf, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *b;
    size_t n = 0;
    int rc = 0;

    *buf = NULL;
    *len = 0;
    if (!f)
        return tc_cli_failf(cli, "cannot open %s: %s", path, strerror(errno));
    if (!(b = malloc(SUBMIT_MAX + 2))) {
        rc = tc_cli_failf(cli, "out of memory");
        goto out;
    }
    n = fread(b, 1, SUBMIT_MAX + 1, f);
    if (ferror(f)) {
        rc = tc_cli_failf(cli, "cannot read %s: %s", path, strerror(errno));
    } else if (n > SUBMIT_MAX) {
        rc = tc_cli_failf(cli, "%s: input is larger than %d bytes; nothing submitted", path,
                          SUBMIT_MAX);
    } else if (n == 0) {
        rc = tc_cli_failf(cli, "%s: input is empty; nothing submitted", path);
    }
    if (rc != 0) {
        free(b);
        goto out;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
out:
    if (f != stdin)
        fclose(f);
    return rc;
}

/* The JSON text of element K of the input (malloc'd), or of the object
 * itself (a copy of the bytes as sent). */
static char *element_text(json_t *root, const char *raw, size_t k)
{
    if (json_is_object(root)) {
        size_t len = strlen(raw);
        char *s = malloc(len + 1);
        if (s)
            memcpy(s, raw, len + 1);
        return s;
    }
    return json_dumps(json_array_get(root, k), JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static int signal_submit(struct tc_cli *cli, int argc, char **argv)
{
    const char *pos[1];
    size_t npos, len = 0, count;
    char *raw = NULL;
    json_t *root = NULL;
    json_error_t je;
    struct tc__cli_ledger lg = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, NULL, 0, pos, 1, &npos, signal_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos != 1)
        return tc_cli_usage(cli, "signal submit: missing FILE (or - for stdin; see --help)");
    if ((rc = read_input(cli, pos[0], &raw, &len)) != 0)
        return rc;
    if (memchr(raw, '\0', len)) {
        rc = tc_cli_failf(cli, "%s: input contains a NUL byte; nothing submitted", pos[0]);
        goto out;
    }
    root = json_loadb(raw, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!root) {
        rc = tc_cli_failf(cli, "%s:%d:%d: malformed JSON at byte %d: %s; nothing submitted",
                          pos[0], je.line, je.column, je.position, je.text);
        goto out;
    }
    if (json_is_object(root)) {
        count = 1;
    } else if (json_is_array(root)) {
        count = json_array_size(root);
        if (count == 0) {
            rc = tc_cli_failf(cli, "%s: the array holds no signal; nothing submitted", pos[0]);
            goto out;
        }
    } else {
        rc = tc_cli_failf(cli, "%s: expected a signal (JSON object) or an array of signals; "
                               "nothing submitted",
                          pos[0]);
        goto out;
    }
    /* the whole input is checked before anything is recorded */
    for (size_t k = 0; k < count; k++) {
        struct tc_signal sig;
        struct tc_error e = {0};
        char *text;
        int prc;

        if (!json_is_object(root) && !json_is_object(json_array_get(root, k))) {
            rc = tc_cli_failf(cli, "%s: signal %zu is not a JSON object; nothing submitted",
                              pos[0], k + 1);
            goto out;
        }
        if (!(text = element_text(root, raw, k))) {
            rc = tc_cli_failf(cli, "out of memory");
            goto out;
        }
        prc = tc_signal_parse(text, (size_t)-1, &sig, &e);
        tc_signal_wipe_passphrase(&sig);
        free(text);
        if (prc != 0) {
            rc = tc_cli_failf(cli, "%s: signal %zu: %s; nothing submitted", pos[0], k + 1,
                              tc_error_msg(&e));
            goto out;
        }
    }
    if ((rc = tc__cli_ledger_open(cli, 1, &lg)) != 0)
        goto out;
    for (size_t k = 0; k < count; k++) {
        struct tc_signal_outcome o;
        struct tc_error e = {0};
        char line[TC_SIGNAL_OUTCOME_JSON_MAX];
        char *text = element_text(root, raw, k);

        if (!text) {
            rc = tc_cli_failf(cli, "out of memory");
            goto out;
        }
        rc = tc_ledger_submit_signal(lg.l, text, (size_t)-1, &o, &e);
        free(text);
        if (rc != 0) {
            rc = tc_cli_failf(cli, "%s: signal %zu not recorded: %s", pos[0], k + 1,
                              tc_error_msg(&e));
            goto out;
        }
        if (tc_signal_outcome_json(&o, line, sizeof(line), &e) < 0) {
            rc = tc_cli_failf(cli, "%s: signal %zu: %s", pos[0], k + 1, tc_error_msg(&e));
            goto out;
        }
        fprintf(cli->out, "%s\n", line);
        fflush(cli->out);
    }
    rc = TC_EXIT_OK;
out:
    tc__cli_ledger_close(&lg);
    json_decref(root);
    free(raw);
    return rc;
}

int tc_cmd_signal(struct tc_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        fputs(signal_help, cli->err);
        return tc_cli_usage(cli, "missing subcommand (submit)");
    }
    if (tc_cli_is_help(argv[1])) {
        fputs(signal_help, cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "submit") == 0)
        return signal_submit(cli, argc, argv);
    return tc_cli_usage(cli, "unknown subcommand '%s' (submit)", argv[1]);
}

/* ------------------------------------------------------------------------ */
/* signals list | prune                                                       */

static json_t *entry_json(const struct tc_signal_entry *s)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "fingerprint", json_string(s->fingerprint));
    json_object_set_new(o, "received_at", tc__cli_ent_json_time(s->received_at_us));
    json_object_set_new(o, "status",
                        json_string(s->status == TC_SIGNAL_ACCEPTED ? "accepted" : "rejected"));
    json_object_set_new(o, "reason", tc__cli_ent_json_text(s->reason));
    json_object_set_new(o, "type", tc__cli_ent_json_text(s->signal_type));
    json_object_set_new(o, "portfolio_id", tc__cli_ent_json_text(s->portfolio_id));
    json_object_set_new(o, "strategy_id", tc__cli_ent_json_text(s->strategy_id));
    json_object_set_new(o, "instrument_id", tc__cli_ent_json_text(s->instrument_id));
    json_object_set_new(o, "side", tc__cli_ent_json_text(s->side));
    json_object_set_new(o, "signal_time", tc__cli_ent_json_time(s->signal_time_us));
    json_object_set_new(o, "position_id", tc__cli_ent_json_text(s->position_id));
    json_object_set_new(o, "order_id", tc__cli_ent_json_text(s->order_id));
    json_object_set_new(o, "duplicate_count", json_integer(s->duplicate_count));
    json_object_set_new(o, "mode", tc__cli_ent_json_text(s->mode));
    return o;
}

static int signals_list(struct tc_cli *cli, int argc, char **argv)
{
    enum { O_SINCE, O_PORTFOLIO, O_JSON };
    struct tc__cli_ent_opt opts[] = {
        [O_SINCE] = {.name = "since", .takes_value = 1},
        [O_PORTFOLIO] = {.name = "portfolio", .takes_value = 1},
        [O_JSON] = {.name = "json"},
    };
    const char *pos[1];
    size_t npos;
    struct tc_store *rt = NULL;
    struct tc_signal_entry_list l = {0};
    struct tc_error err = {0};
    int64_t since = 0;
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 3, pos, 0, &npos, signals_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (opts[O_SINCE].seen && tc_time_parse(opts[O_SINCE].value, (size_t)-1, &since, &err) != 0)
        return tc_cli_failf(cli, "--since: %s", tc_error_msg(&err));
    if (opts[O_PORTFOLIO].seen && tc_id_validate("portfolio", opts[O_PORTFOLIO].value, &err) != 0)
        return tc_cli_fail(cli, &err);
    if (since < 0)
        return tc_cli_failf(cli, "--since: %s is before 1970", opts[O_SINCE].value);
    if ((rc = tc__cli_ent_open(cli, "runtime", &rt)) != 0)
        return rc;
    if (tc_ledger_query_signals(rt, opts[O_PORTFOLIO].value, since, 0, &l, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if (opts[O_JSON].seen) {
        json_t *arr = json_array();
        for (size_t k = 0; arr && k < l.n; k++)
            json_array_append_new(arr, entry_json(&l.items[k]));
        rc = tc__cli_ent_print_json(cli, arr);
    } else {
        fprintf(cli->out, "%-27s %-8s %-11s %-10s %-5s %s\n", "RECEIVED", "STATUS", "TYPE",
                "INSTRUMENT", "DUPS", "FINGERPRINT / REASON");
        for (size_t k = 0; k < l.n; k++) {
            const struct tc_signal_entry *s = &l.items[k];
            char t[TC_TIME_STRLEN];
            tc_time_format(s->received_at_us, t, sizeof(t));
            fprintf(cli->out, "%-27s %-8s %-11s %-10s %-5lld %s%s%s\n", t,
                    s->status == TC_SIGNAL_ACCEPTED ? "accepted" : "rejected",
                    s->signal_type[0] ? s->signal_type : "-",
                    s->instrument_id[0] ? s->instrument_id : "-", (long long)s->duplicate_count,
                    s->fingerprint, s->reason[0] ? " " : "", s->reason);
        }
        rc = TC_EXIT_OK;
    }
    tc_signal_entry_list_release(&l);
    tc_store_close(rt);
    return rc;
}

static int signals_prune(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "older-than", .takes_value = 1}};
    const char *pos[1];
    size_t npos;
    struct tc_store *rt = NULL;
    struct tc_error err = {0};
    char *end = NULL, when[TC_TIME_STRLEN];
    long long days;
    int64_t deleted = 0, cutoff;
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 1, pos, 0, &npos, signals_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (!opts[0].seen)
        return tc_cli_usage(cli, "signals prune: missing --older-than DAYS");
    errno = 0;
    days = strtoll(opts[0].value, &end, 10);
    if (!*opts[0].value || *end || errno != 0)
        return tc_cli_failf(cli, "--older-than: \"%.32s\" is not a whole number of days",
                            opts[0].value);
    if (days < 1 || days > 36500)
        return tc_cli_failf(cli,
                            "--older-than: %lld days is not in 1..36500 (a pruned signal sent "
                            "again within the timestamp window would count as new)",
                            days);
    cutoff = tc_clock_now(NULL) - (int64_t)days * 86400 * 1000000;
    if ((rc = tc__cli_ent_open(cli, "runtime", &rt)) != 0)
        return rc;
    rc = tc_ledger_prune_signals(rt, cutoff, PRUNE_BATCH, &deleted, &err);
    tc_time_format(cutoff, when, sizeof(when));
    if (rc != 0) {
        rc = tc_cli_failf(cli, "%s (%lld deleted before the error)", tc_error_msg(&err),
                          (long long)deleted);
    } else {
        fprintf(cli->out, "pruned %lld signal(s) received before %s\n", (long long)deleted,
                when);
        rc = TC_EXIT_OK;
    }
    tc_store_close(rt);
    return rc;
}

int tc_cmd_signals(struct tc_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        fputs(signals_help, cli->err);
        return tc_cli_usage(cli, "missing subcommand (list, prune)");
    }
    if (tc_cli_is_help(argv[1])) {
        fputs(signals_help, cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "list") == 0)
        return signals_list(cli, argc, argv);
    if (strcmp(argv[1], "prune") == 0)
        return signals_prune(cli, argc, argv);
    return tc_cli_usage(cli, "unknown subcommand '%s' (list, prune)", argv[1]);
}
