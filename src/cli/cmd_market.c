/* `tradecore market add|list`: markets (exchanges) in the historical store. */
#include <stdio.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "tradecore/refdata.h"
#include "internal/banned.h"

#define N_OPTS(a) (sizeof(a) / sizeof((a)[0]))

static const char market_help[] =
    "usage: tradecore market add MIC --name NAME --timezone TZ [--region R]\n"
    "                            [--calendar-spec JSON] [--metadata JSON]\n"
    "       tradecore market list [--json]\n\n"
    "Markets (exchanges) of the historical store, keyed by their MIC (XNYS).\n"
    "  --timezone TZ   an IANA zone under /usr/share/zoneinfo (America/New_York)\n"
    "  --json          print a JSON array\n"
    "Exit status: 0 ok, 1 error (including a rejected value or a duplicate),\n"
    "2 usage error.\n";

static json_t *market_json(const struct tc_market *m)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "market_id", json_string(m->market_id));
    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "region", tc__cli_ent_json_text(m->region));
    json_object_set_new(o, "timezone", json_string(m->timezone));
    json_object_set_new(o, "calendar_spec", tc__cli_ent_json_parse(m->calendar_spec));
    json_object_set_new(o, "metadata", tc__cli_ent_json_parse(m->metadata));
    json_object_set_new(o, "created_at", tc__cli_ent_json_time(m->created_at_us));
    json_object_set_new(o, "updated_at", tc__cli_ent_json_time(m->updated_at_us));
    json_object_set_new(o, "created_by", json_string(m->created_by));
    json_object_set_new(o, "updated_by", json_string(m->updated_by));
    return o;
}

static int market_add(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "name", .takes_value = 1},
                                     {.name = "timezone", .takes_value = 1},
                                     {.name = "region", .takes_value = 1},
                                     {.name = "calendar-spec", .takes_value = 1},
                                     {.name = "metadata", .takes_value = 1}};
    const char *pos[1];
    size_t npos;
    struct tc_market m = {0};
    struct tc_refdata rd = {0};
    struct tc_error err = {0};
    struct tc_store *s = NULL;
    struct tc__cli_ent_opt *o;
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, N_OPTS(opts), pos, 1, &npos,
                               market_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos != 1)
        return tc_cli_usage(cli, "market add: missing MIC (see --help)");
    if (!opts[0].seen)
        return tc_cli_usage(cli, "market add: missing --name");
    if (!opts[1].seen)
        return tc_cli_usage(cli, "market add: missing --timezone");
    if ((rc = tc__cli_ent_copy(cli, "market id", m.market_id, sizeof(m.market_id), pos[0])) != 0 ||
        (rc = tc__cli_ent_copy(cli, "--name", m.name, sizeof(m.name), opts[0].value)) != 0 ||
        (rc = tc__cli_ent_copy(cli, "--timezone", m.timezone, sizeof(m.timezone), opts[1].value)) != 0)
        return rc;
    if ((o = tc__cli_ent_opt(opts, N_OPTS(opts), "region"))->seen &&
        (rc = tc__cli_ent_copy(cli, "--region", m.region, sizeof(m.region), o->value)) != 0)
        return rc;
    m.calendar_spec = (char *)tc__cli_ent_opt(opts, N_OPTS(opts), "calendar-spec")->value;
    m.metadata = (char *)tc__cli_ent_opt(opts, N_OPTS(opts), "metadata")->value;
    /* validate before touching the store: a bad value never needs a database */
    if (tc_market_validate(&m, &err) != 0)
        return tc_cli_fail(cli, &err);
    if ((rc = tc__cli_ent_open(cli, "historical", &s)) != 0)
        return rc;
    rd.store = s;
    if (tc_refdata_market_create(&rd, &m, &err) != 0)
        rc = tc_cli_fail(cli, &err);
    else
        fprintf(cli->out, "market %s added\n", m.market_id);
    tc_store_close(s);
    return rc;
}

static int market_list(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}};
    const char *pos[1];
    size_t npos;
    struct tc_refdata rd = {0};
    struct tc_market_list l = {0};
    struct tc_error err = {0};
    struct tc_store *s = NULL;
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 1, pos, 0, &npos, market_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if ((rc = tc__cli_ent_open(cli, "historical", &s)) != 0)
        return rc;
    rd.store = s;
    if (tc_refdata_market_list(&rd, &l, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if (opts[0].seen) {
        json_t *arr = json_array();
        for (size_t k = 0; arr && k < l.n; k++)
            json_array_append_new(arr, market_json(&l.items[k]));
        rc = tc__cli_ent_print_json(cli, arr);
    } else {
        fprintf(cli->out, "%-8s %-32s %-8s %s\n", "MIC", "NAME", "REGION", "TIMEZONE");
        for (size_t k = 0; k < l.n; k++)
            fprintf(cli->out, "%-8s %-32s %-8s %s\n", l.items[k].market_id, l.items[k].name,
                    l.items[k].region[0] ? l.items[k].region : "-", l.items[k].timezone);
    }
    tc_market_list_release(&l);
    tc_store_close(s);
    return rc;
}

int tc_cmd_market(struct tc_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        fputs(market_help, cli->err);
        return tc_cli_usage(cli, "missing subcommand (add, list)");
    }
    if (tc_cli_is_help(argv[1])) {
        fputs(market_help, cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "add") == 0)
        return market_add(cli, argc, argv);
    if (strcmp(argv[1], "list") == 0)
        return market_list(cli, argc, argv);
    return tc_cli_usage(cli, "unknown subcommand '%s' (add, list)", argv[1]);
}
