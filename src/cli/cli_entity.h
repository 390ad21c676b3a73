/*
 * Shared by the entity commands (market, instrument, portfolio, strategy) and
 * init: option parsing from a table, opening a store that must be migrated,
 * and JSON output (decimals as strings with their exact digits, times as
 * ISO-8601 UTC, stored JSON embedded as JSON).
 *
 * Exit statuses of these commands: 0 success; 2 when the command line itself
 * is wrong (unknown subcommand or option, missing option or argument, an
 * option given twice, a malformed --param); 1 for everything else, including
 * values the repositories reject (bad currency, unknown market, negative
 * capital, unparsable decimal) and duplicates.
 */
#ifndef TC_CLI_ENTITY_H
#define TC_CLI_ENTITY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"
#include "tradecore/dec.h"

/* One option of a subcommand. NAME without the leading "--". */
struct tc__cli_ent_opt {
    const char *name;
    int takes_value;      /* 0: a flag */
    int multi;            /* may repeat (values collected in VALUES) */
    /* filled by the parser */
    int seen;
    const char *value;    /* last value (borrowed from argv) */
    const char **values;  /* MULTI: malloc'd array of borrowed pointers; caller frees */
    size_t nvalues;
};

/*
 * Parses ARGV[FIRST..ARGC) into OPTS (N of them) and positional arguments
 * (up to MAXPOS, stored in POS, count in *NPOS). "--name value" and
 * "--name=value" both work; "--" ends the options. Returns 0, or TC_EXIT_OK
 * when --help/-h was seen (HELP is then printed to stdout), or TC_EXIT_USAGE
 * with a message printed. Encoded as: 0 = go on, -1 = help shown, else the
 * exit status to return.
 */
int tc__cli_ent_parse(struct tc_cli *cli, int argc, char **argv, int first,
                      struct tc__cli_ent_opt *opts, size_t n, const char **pos, size_t maxpos,
                      size_t *npos, const char *help);
/* Frees the VALUES arrays of OPTS. */
void tc__cli_ent_opts_free(struct tc__cli_ent_opt *opts, size_t n);
/* The option named NAME in OPTS (it must be there). */
struct tc__cli_ent_opt *tc__cli_ent_opt(struct tc__cli_ent_opt *opts, size_t n,
                                        const char *name);

/*
 * Opens the store WHICH ("runtime" / "historical") and checks that every
 * embedded migration is applied; if not, fails telling the user to run
 * `tradecore init` or `tradecore db migrate`. Returns 0 (caller closes
 * *OUT) or the exit status, with the message printed.
 */
int tc__cli_ent_open(struct tc_cli *cli, const char *which, struct tc_store **out);

/* Parses a decimal option value; on error prints "<what>: <reason>" and
 * returns TC_EXIT_FAIL, else 0. */
int tc__cli_ent_dec(struct tc_cli *cli, const char *what, const char *text, struct tc_dec *out);

/* New JSON values (NULL on allocation failure): a decimal as a string of its
 * exact digits; a time as ISO-8601 UTC, or null for 0; text or null for "" /
 * NULL; stored JSON text parsed (null if it does not parse). */
json_t *tc__cli_ent_json_dec(struct tc_dec d);
json_t *tc__cli_ent_json_time(int64_t us);
json_t *tc__cli_ent_json_text(const char *s);
json_t *tc__cli_ent_json_parse(const char *text);

/* Prints V (stolen) to cli->out, indented, keys in insertion order, then a
 * newline. Returns the exit status. */
int tc__cli_ent_print_json(struct tc_cli *cli, json_t *v);

/* Copies VALUE into the fixed field DST (capacity CAP); when it does not fit,
 * prints "<field> is N bytes long (at most M)" and returns TC_EXIT_FAIL. */
int tc__cli_ent_copy(struct tc_cli *cli, const char *field, char *dst, size_t cap,
                     const char *value);

/* "" for NULL: for text output. */
const char *tc__cli_ent_str(const char *s);

#endif
