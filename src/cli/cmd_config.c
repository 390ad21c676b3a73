/* `tradecore config show [--sources] [--json]`: the effective configuration,
 * secrets redacted, optionally with where each value came from. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "internal/banned.h"

static void config_usage(FILE *f)
{
    fprintf(f,
            "usage: tradecore config show [--sources] [--json]\n\n"
            "Prints the effective configuration (secrets redacted).\n"
            "  --sources  add where each value came from (default, file, dotenv, env, cli)\n"
            "  --json     one JSON object {\"key\": {\"value\": ..., \"source\": ...}}\n\n"
            "options:\n");
    for (size_t i = 0; i < tc_config_option_count(); i++) {
        const struct tc_config_option_info *o = tc_config_option_at(i);
        fprintf(f, "  %-26s %-7s default %s\n      %s\n", o->key, o->type,
                *o->def ? o->def : "\"\"", o->help);
    }
}

int tc_cmd_config(struct tc_cli *cli, int argc, char **argv)
{
    struct tc_error err = {0};
    int json = 0, sources = 0;

    if (argc < 2) {
        config_usage(cli->err);
        return tc_cli_usage(cli, "missing subcommand (show)");
    }
    if (tc_cli_is_help(argv[1])) {
        config_usage(cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "show") != 0)
        return tc_cli_usage(cli, "unknown subcommand '%s' (show)", argv[1]);
    for (int i = 2; i < argc; i++) {
        if (tc_cli_is_help(argv[i])) {
            config_usage(cli->out);
            return TC_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--sources") == 0) {
            sources = 1;
        } else {
            return tc_cli_usage(cli, "show: unknown option '%s'", argv[i]);
        }
    }
    if (tc_config_show(cli->cfg, cli->out, json, sources, &err) != 0)
        return tc_cli_fail(cli, &err);
    return TC_EXIT_OK;
}
