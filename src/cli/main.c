/* The `tradecore` command: global options, configuration, logging, dispatch. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tradecore/log.h"
#include "internal/banned.h"

extern char **environ;

static const struct tc_cli_command commands[] = {
    {"init", tc_cmd_init, "init",
     "write a sample tradecore.yaml if none, create and migrate both stores"},
    {"config", tc_cmd_config, "config show [--sources] [--json]",
     "print the effective configuration and where each value came from"},
    {"db", tc_cmd_db,
     "db migrate|rollback|status|history|backup|restore ...",
     "schema migrations, online backup and restore of the stores"},
    {"market", tc_cmd_market, "market add|list ...", "markets (exchanges)"},
    {"instrument", tc_cmd_instrument, "instrument add|list|show ...", "instruments"},
    {"portfolio", tc_cmd_portfolio, "portfolio add|list|show ...", "portfolios"},
    {"strategy", tc_cmd_strategy, "strategy add|list ...", "strategies"},
    {"calendar", tc_cmd_calendar, "calendar sessions|show MIC ...",
     "trading calendars: sessions, holidays, open and close"},
    {"serve", tc_cmd_serve, "serve [--listen ADDR:PORT] [--port-file FILE]",
     "run the HTTP service until SIGTERM or SIGINT"},
    {"ingest", tc_cmd_ingest, "ingest prices|actions|fx FILE... [--market MIC] ...",
     "load price, corporate action and FX rate CSV files into the historical store"},
    {"gen-prices", tc_cmd_gen_prices, "gen-prices --rows N --symbols K --seed S --out F",
     "write a deterministic long-format price file (benchmarks)"},
    {"gen-bars", tc_cmd_gen_bars, "gen-bars --instruments N --bars M --seed S --out DIR",
     "write deterministic synthetic daily bars, one Yahoo-format file each"},
    {"signal", tc_cmd_signal, "signal submit FILE|-",
     "process a signal or a JSON array of signals through the ledger"},
    {"signals", tc_cmd_signals, "signals list|prune ...", "the signal log: list, prune old rows"},
    {"positions", tc_cmd_positions, "positions [--open] [--portfolio P] [--json]",
     "positions of the ledger, one per layer"},
    {"ledger", tc_cmd_ledger, "ledger check|forget-run RUN_ID [--json]",
     "check the ledger's invariants; remove a stored backtest run's rows"},
    {"backtest", tc_cmd_backtest,
     "backtest --strategy NAME (--data FILE...|--symbols S,...) ...",
     "run a strategy over daily bars: summary, report, sweeps"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tradecore [--config FILE] [--set key=value]... [--log-level L]\n"
               "                 [--log-format json|text] COMMAND [ARGS]\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strlen(commands[i].usage) > 46)
            fprintf(f, "  %s\n  %-46s %s\n", commands[i].usage, "", commands[i].summary);
        else
            fprintf(f, "  %-46s %s\n", commands[i].usage, commands[i].summary);
    fprintf(f, "\nEvery command takes --help. Configuration keys: tradecore config show.\n");
}

/* "tradecore: <cmd>: <message>", the command's name left out when the
 * message already starts with it (a library message such as "backtest:
 * strategy name ... is used twice" or "gen-bars: ..." read "backtest:
 * backtest: ..."). */
static void cli_vmsg(struct tc_cli *cli, const char *fmt, va_list ap)
{
    char buf[1024], *msg = buf;
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n >= (int)sizeof buf && (msg = malloc((size_t)n + 1)) != NULL)
        vsnprintf(msg, (size_t)n + 1, fmt, again);
    va_end(again);
    if (!msg) /* out of memory: the message cut at the buffer's size */
        msg = buf;
    fprintf(cli->err, "tradecore: ");
    if (cli->cmd) {
        size_t len = strlen(cli->cmd);
        if (n < 0 || strncmp(msg, cli->cmd, len) != 0 || msg[len] != ':' || msg[len + 1] != ' ')
            fprintf(cli->err, "%s: ", cli->cmd);
    }
    fputs(n < 0 ? fmt : msg, cli->err);
    fputc('\n', cli->err);
    if (msg != buf)
        free(msg);
}

int tc_cli_usage(struct tc_cli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_vmsg(cli, fmt, ap);
    va_end(ap);
    return TC_EXIT_USAGE;
}

int tc_cli_failf(struct tc_cli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_vmsg(cli, fmt, ap);
    va_end(ap);
    return TC_EXIT_FAIL;
}

int tc_cli_fail(struct tc_cli *cli, const struct tc_error *err)
{
    return tc_cli_failf(cli, "%s", tc_error_msg(err));
}

int tc_cli_is_help(const char *arg)
{
    return arg && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0);
}

static int setup_logging(const struct tc_config *cfg, struct tc_error *err)
{
    struct tc_log_config lc = TC_LOG_CONFIG_DEFAULT;
    const char *file = tc_config_str(cfg, "log.file");
    int rc;

    if ((rc = tc_log_level_parse(tc_config_str(cfg, "log.level"), &lc.level)) != 0)
        return tc_error_set(err, rc, "log.level: unknown level");
    if ((rc = tc_log_format_parse(tc_config_str(cfg, "log.format"), &lc.format)) != 0)
        return tc_error_set(err, rc, "log.format: unknown format");
    lc.to_stderr = tc_config_bool(cfg, "log.stderr");
    lc.file = (file && *file) ? file : NULL;
    lc.max_bytes = tc_config_int(cfg, "log.max_bytes");
    lc.keep = (int)tc_config_int(cfg, "log.keep");
    return tc_log_open(&lc, err);
}

int main(int argc, char **argv)
{
    struct tc_cli cli = {.out = stdout, .err = stderr};
    struct tc_config_sources src = {.default_yaml = "tradecore.yaml",
                                    .dotenv_path = ".env",
                                    .environ = environ};
    struct tc_error err = {0};
    const char **sets = calloc((size_t)argc * 2 + 1, sizeof(*sets));
    char **owned = calloc((size_t)argc + 1, sizeof(*owned));
    size_t n_owned = 0;
    int i, rc = TC_EXIT_USAGE;

    if (!sets || !owned) {
        fprintf(stderr, "tradecore: out of memory\n");
        return TC_EXIT_FAIL;
    }
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (tc_cli_is_help(a)) {
            usage(stdout);
            rc = TC_EXIT_OK;
            goto out;
        } else if (strcmp(a, "--version") == 0) {
            printf("tradecore %s\n", TC_VERSION);
            rc = TC_EXIT_OK;
            goto out;
        } else if (strcmp(a, "--config") == 0 && val) {
            src.yaml_path = val;
            i++;
        } else if (strcmp(a, "--set") == 0 && val) {
            sets[src.n_sets++] = val;
            i++;
        } else if ((strcmp(a, "--log-level") == 0 || strcmp(a, "--log-format") == 0) && val) {
            size_t len = strlen(val) + 16;
            char *s = malloc(len);
            if (!s) {
                rc = tc_cli_failf(&cli, "out of memory");
                goto out;
            }
            snprintf(s, len, "log.%s=%s", a + 6, val);
            owned[n_owned++] = s;
            sets[src.n_sets++] = s;
            i++;
        } else {
            fprintf(stderr, "tradecore: unknown or incomplete global option '%s'\n", a);
            usage(stderr);
            goto out;
        }
    }
    if (i >= argc) {
        usage(stderr);
        goto out;
    }
    src.sets = sets;

    if (tc_config_new(&cli.cfg, &err) != 0 || tc_config_load(cli.cfg, &src, &err) != 0) {
        fprintf(stderr, "tradecore: configuration: %s\n", tc_error_msg(&err));
        rc = err.code == TC_ENOMEM ? TC_EXIT_FAIL : TC_EXIT_USAGE;
        goto out;
    }
    if (setup_logging(cli.cfg, &err) != 0) {
        fprintf(stderr, "tradecore: logging: %s\n", tc_error_msg(&err));
        rc = TC_EXIT_FAIL;
        goto out;
    }
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
        if (strcmp(argv[i], commands[k].name) == 0) {
            cli.cmd = commands[k].name;
            rc = commands[k].fn(&cli, argc - i, argv + i);
            goto out;
        }
    }
    fprintf(stderr, "tradecore: unknown command '%s'\n", argv[i]);
    usage(stderr);
    rc = TC_EXIT_USAGE;
out:
    tc_config_free(cli.cfg);
    tc_log_close();
    for (size_t k = 0; k < n_owned; k++)
        free(owned[k]);
    free(owned);
    free(sets);
    return rc;
}
