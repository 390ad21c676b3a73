/*
 * The `tradecore` command: a thin layer over the library. main.c parses the
 * global options (--config, --set, --log-level, --log-format), loads the
 * configuration, sets up logging, and dispatches to a command from its table.
 *
 * A command returns the process exit status: 0 success, 1 runtime error,
 * 2 usage error; messages go to stderr ("tradecore: <command>: <message>").
 */
#ifndef TC_CLI_H
#define TC_CLI_H

#include <stdio.h>

#include "tradecore/config.h"
#include "tradecore/error.h"
#include "tradecore/store.h"

enum { TC_EXIT_OK = 0, TC_EXIT_FAIL = 1, TC_EXIT_USAGE = 2 };

struct tc_cli {
    struct tc_config *cfg;  /* loaded configuration (owned by main) */
    const char *cmd;        /* the command being run, for messages */
    FILE *out;              /* stdout */
    FILE *err;              /* stderr */
};

typedef int (*tc_cli_fn)(struct tc_cli *cli, int argc, char **argv);

struct tc_cli_command {
    const char *name;
    tc_cli_fn fn;
    const char *usage;     /* one line: "db migrate|rollback|status|history …" */
    const char *summary;
};

/* Prints "tradecore: <cmd>: <message>" to stderr and returns TC_EXIT_USAGE. */
int tc_cli_usage(struct tc_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "tradecore: <cmd>: <message of ERR>" and returns TC_EXIT_FAIL. */
int tc_cli_fail(struct tc_cli *cli, const struct tc_error *err);
/* Prints "tradecore: <cmd>: <message>" and returns TC_EXIT_FAIL. */
int tc_cli_failf(struct tc_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Opens the store named WHICH ("runtime" or "historical") at the URL of
 * database.<which>.url, with pool, timeouts and retry from configuration.
 * For sqlite URLs, creates the parent folder of the file. Returns 0 or a TC_E*
 * code with ERR set.
 */
int tc_cli_open_store(struct tc_cli *cli, const char *which, struct tc_store **out,
                      struct tc_error *err);

/* Store options from configuration. */
void tc_cli_store_options(struct tc_cli *cli, struct tc_store_options *opt);

/* Is ARG "--help" or "-h"? Commands print their usage to stdout and exit 0. */
int tc_cli_is_help(const char *arg);

/* The N characters at S as a whole number of at most MAX (>= 0) into *OUT:
 * 0; -1 when they are empty or not all digits (a sign, a space: refused,
 * where strtol would take them); -2 when the number is above MAX. *OUT is
 * written only on success. */
int tc_cli_digits(const char *s, size_t n, long long max, long long *out);

/* The longest part of PATH that exists, into BUF (CAP bytes), trailing
 * slashes dropped: PATH itself, a parent folder, "." for a relative name
 * none of whose parts exist, or "/". 0, or an errno value: ENOENT for an
 * empty PATH, ENAMETOOLONG when PATH does not fit BUF, or stat's error
 * other than ENOENT/ENOTDIR (BUF then holds the part that failed). */
int tc_cli_existing_part(const char *path, char *buf, size_t cap);

/* Commands (one file each under src/cli/). */
int tc_cmd_init(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_config(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_db(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_market(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_instrument(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_portfolio(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_strategy(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_calendar(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_serve(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_ingest(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_gen_prices(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_gen_bars(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_signal(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_signals(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_positions(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_ledger(struct tc_cli *cli, int argc, char **argv);
int tc_cmd_backtest(struct tc_cli *cli, int argc, char **argv);

#endif
