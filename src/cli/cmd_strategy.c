/* `tradecore strategy add|list`: strategy definitions in the runtime store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "tradecore/accounts.h"
#include "internal/banned.h"

#define N_OPTS(a) (sizeof(a) / sizeof((a)[0]))

static const char strategy_help[] =
    "usage: tradecore strategy add ID --name NAME [--param KEY=VALUE]... [--disabled]\n"
    "                              [--description D] [--metadata JSON]\n"
    "       tradecore strategy list [--json]\n\n"
    "Strategies of the runtime store; parameters are stored as one JSON object.\n"
    "A VALUE that is an integer (-12, 0, 30) becomes a JSON integer, true/false a\n"
    "JSON boolean, and anything else a JSON string, so a decimal such as 0.05 keeps\n"
    "its exact digits (\"0.05\") and is never rounded through a binary float.\n"
    "A KEY given twice, an empty KEY or a missing '=' is a usage error.\n"
    "Exit status: 0 ok, 1 error (including a rejected value or a duplicate),\n"
    "2 usage error.\n";

static json_t *strategy_json(const struct tc_strategy_def *s)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "strategy_id", json_string(s->strategy_id));
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "description", tc__cli_ent_json_text(s->description));
    json_object_set_new(o, "enabled", json_boolean(s->enabled));
    json_object_set_new(o, "params", tc__cli_ent_json_parse(s->params));
    json_object_set_new(o, "metadata", tc__cli_ent_json_parse(s->metadata));
    json_object_set_new(o, "created_at", tc__cli_ent_json_time(s->created_at_us));
    json_object_set_new(o, "updated_at", tc__cli_ent_json_time(s->updated_at_us));
    json_object_set_new(o, "created_by", json_string(s->created_by));
    json_object_set_new(o, "updated_by", json_string(s->updated_by));
    return o;
}

/* The JSON value of one --param VALUE (see the help text). */
static json_t *param_value(const char *v)
{
    const char *p = v + (v[0] == '-');
    int integer = *p != '\0' && !(p[0] == '0' && p[1] != '\0');

    for (const char *q = p; integer && *q; q++)
        integer = *q >= '0' && *q <= '9';
    if (integer) {
        char *end;
        long long n;
        errno = 0;
        n = strtoll(v, &end, 10);
        if (errno == 0 && *end == '\0')
            return json_integer((json_int_t)n);
    }
    if (strcmp(v, "true") == 0)
        return json_true();
    if (strcmp(v, "false") == 0)
        return json_false();
    return json_string(v);
}

/* Builds the params object from KEY=VALUE strings; 0 or an exit status. */
static int build_params(struct tc_cli *cli, const char **kv, size_t n, char **out)
{
    json_t *obj = json_object();
    int rc = 0;

    *out = NULL;
    if (!obj)
        return tc_cli_failf(cli, "out of memory");
    for (size_t k = 0; k < n && rc == 0; k++) {
        const char *eq = strchr(kv[k], '=');
        char key[256];
        json_t *val;

        if (!eq || eq == kv[k]) {
            rc = tc_cli_usage(cli, "--param '%s': expected KEY=VALUE with a non-empty KEY",
                              kv[k]);
            break;
        }
        if ((size_t)(eq - kv[k]) >= sizeof(key)) {
            rc = tc_cli_usage(cli, "--param: key longer than %zu bytes", sizeof(key) - 1);
            break;
        }
        memcpy(key, kv[k], (size_t)(eq - kv[k]));
        key[eq - kv[k]] = '\0';
        if (json_object_get(obj, key)) {
            rc = tc_cli_usage(cli, "--param '%s' given twice", key);
            break;
        }
        val = param_value(eq + 1);
        if (!val || json_object_set_new(obj, key, val) != 0)
            rc = tc_cli_failf(cli, "--param '%s': not valid UTF-8 or out of memory", key);
    }
    if (rc == 0) {
        *out = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!*out)
            rc = tc_cli_failf(cli, "out of memory");
    }
    json_decref(obj);
    return rc;
}

static int open_acc(struct tc_cli *cli, struct tc_accounts *acc)
{
    memset(acc, 0, sizeof(*acc));
    return tc__cli_ent_open(cli, "runtime", &acc->store);
}

static int strategy_add(struct tc_cli *cli, int argc, char **argv)
{
    enum { O_NAME, O_PARAM, O_DISABLED, O_DESCRIPTION, O_METADATA };
    struct tc__cli_ent_opt opts[] = {
        [O_NAME] = {.name = "name", .takes_value = 1},
        [O_PARAM] = {.name = "param", .takes_value = 1, .multi = 1},
        [O_DISABLED] = {.name = "disabled"},
        [O_DESCRIPTION] = {.name = "description", .takes_value = 1},
        [O_METADATA] = {.name = "metadata", .takes_value = 1},
    };
    const char *pos[1];
    size_t npos;
    struct tc_strategy_def s = {0};
    struct tc_accounts acc = {0};
    struct tc_error err = {0};
    char *params = NULL;
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, N_OPTS(opts), pos, 1, &npos,
                               strategy_help);

    if (rc != 0) {
        rc = rc < 0 ? TC_EXIT_OK : rc;
        goto out;
    }
    if (npos != 1) {
        rc = tc_cli_usage(cli, "strategy add: missing ID (see --help)");
        goto out;
    }
    if (!opts[O_NAME].seen) {
        rc = tc_cli_usage(cli, "strategy add: missing --name");
        goto out;
    }
    if ((rc = build_params(cli, opts[O_PARAM].values, opts[O_PARAM].nvalues, &params)) != 0 ||
        (rc = tc__cli_ent_copy(cli, "strategy id", s.strategy_id, sizeof(s.strategy_id),
                               pos[0])) != 0 ||
        (rc = tc__cli_ent_copy(cli, "--name", s.name, sizeof(s.name), opts[O_NAME].value)) != 0)
        goto out;
    s.enabled = !opts[O_DISABLED].seen;
    s.params = params;
    s.description = (char *)opts[O_DESCRIPTION].value;
    s.metadata = (char *)opts[O_METADATA].value;
    if (tc_strategy_def_validate(&s, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
        goto out;
    }
    if ((rc = open_acc(cli, &acc)) != 0)
        goto out;
    if (tc_accounts_strategy_create(&acc, &s, &err) != 0)
        rc = tc_cli_fail(cli, &err);
    else
        fprintf(cli->out, "strategy %s added\n", s.strategy_id);
out:
    tc_store_close(acc.store);
    free(params);
    tc__cli_ent_opts_free(opts, N_OPTS(opts));
    return rc;
}

static int strategy_list(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}};
    const char *pos[1];
    size_t npos;
    struct tc_accounts acc;
    struct tc_strategy_list l = {0};
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 1, pos, 0, &npos, strategy_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if ((rc = open_acc(cli, &acc)) != 0)
        return rc;
    if (tc_accounts_strategy_list(&acc, &l, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if (opts[0].seen) {
        json_t *arr = json_array();
        for (size_t k = 0; arr && k < l.n; k++)
            json_array_append_new(arr, strategy_json(&l.items[k]));
        rc = tc__cli_ent_print_json(cli, arr);
    } else {
        fprintf(cli->out, "%-16s %-8s %-24s %s\n", "ID", "ENABLED", "NAME", "PARAMS");
        for (size_t k = 0; k < l.n; k++)
            fprintf(cli->out, "%-16s %-8s %-24s %s\n", l.items[k].strategy_id,
                    l.items[k].enabled ? "yes" : "no", l.items[k].name,
                    tc__cli_ent_str(l.items[k].params));
    }
    tc_strategy_list_release(&l);
    tc_store_close(acc.store);
    return rc;
}

int tc_cmd_strategy(struct tc_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        fputs(strategy_help, cli->err);
        return tc_cli_usage(cli, "missing subcommand (add, list)");
    }
    if (tc_cli_is_help(argv[1])) {
        fputs(strategy_help, cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "add") == 0)
        return strategy_add(cli, argc, argv);
    if (strcmp(argv[1], "list") == 0)
        return strategy_list(cli, argc, argv);
    return tc_cli_usage(cli, "unknown subcommand '%s' (add, list)", argv[1]);
}
