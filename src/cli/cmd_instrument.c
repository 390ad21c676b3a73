/* `tradecore instrument add|list|show` and `instrument issuer add|list`:
 * instruments and their issuers in the historical store. */
#include <stdio.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "tradecore/refdata.h"
#include "internal/banned.h"

#define N_OPTS(a) (sizeof(a) / sizeof((a)[0]))

static const char instrument_help[] =
    "usage: tradecore instrument add ID --symbol SYM --market MIC --asset-class CLASS\n"
    "                                --currency CCY [--lot-size N] [--multiplier X]\n"
    "                                [--tick-size X] [--issuer ID] [--exchange E]\n"
    "                                [--status S] [--maturity-date YYYY-MM-DD]\n"
    "                                [--underlying ID] [--metadata JSON]\n"
    "       tradecore instrument list [--json]\n"
    "       tradecore instrument show ID [--json]\n"
    "       tradecore instrument issuer add ID --name NAME [--type TYPE] [--country CC]\n"
    "                                [--sector S] [--industry I] [--metadata JSON]\n"
    "       tradecore instrument issuer list [--json]\n\n"
    "Instruments of the historical store. CLASS is EQUITY, ETF, FUTURE, OPTION, FX,\n"
    "CRYPTO or INDEX; CCY three capital letters (USD); S is ACTIVE (default),\n"
    "SUSPENDED or DELISTED; TYPE is CORPORATION (default), GOVERNMENT, FUND or\n"
    "OTHER. Defaults: lot size 1, multiplier 1, tick size 0.01. The market and the\n"
    "issuer must exist. In JSON output decimals are strings of their exact digits.\n"
    "Exit status: 0 ok, 1 error (including a rejected value or a duplicate),\n"
    "2 usage error.\n";

static json_t *instrument_json(const struct tc_instrument *i)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "instrument_id", json_string(i->instrument_id));
    json_object_set_new(o, "symbol", json_string(i->symbol));
    json_object_set_new(o, "market_id", json_string(i->market_id));
    json_object_set_new(o, "issuer_id", tc__cli_ent_json_text(i->issuer_id));
    json_object_set_new(o, "asset_class", json_string(tc_asset_class_name(i->asset_class)));
    json_object_set_new(o, "exchange", tc__cli_ent_json_text(i->exchange));
    json_object_set_new(o, "currency", json_string(i->currency));
    json_object_set_new(o, "multiplier", tc__cli_ent_json_dec(i->multiplier));
    json_object_set_new(o, "tick_size", tc__cli_ent_json_dec(i->tick_size));
    json_object_set_new(o, "lot_size", tc__cli_ent_json_dec(i->lot_size));
    json_object_set_new(o, "maturity_date", tc__cli_ent_json_text(i->maturity_date));
    json_object_set_new(o, "underlying_instrument_id",
                        tc__cli_ent_json_text(i->underlying_instrument_id));
    json_object_set_new(o, "status", json_string(tc_instrument_status_name(i->status)));
    json_object_set_new(o, "metadata", tc__cli_ent_json_parse(i->metadata));
    json_object_set_new(o, "created_at", tc__cli_ent_json_time(i->created_at_us));
    json_object_set_new(o, "updated_at", tc__cli_ent_json_time(i->updated_at_us));
    json_object_set_new(o, "created_by", json_string(i->created_by));
    json_object_set_new(o, "updated_by", json_string(i->updated_by));
    return o;
}

static json_t *issuer_json(const struct tc_issuer *i)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "issuer_id", json_string(i->issuer_id));
    json_object_set_new(o, "issuer_type", json_string(tc_issuer_type_name(i->issuer_type)));
    json_object_set_new(o, "name", json_string(i->name));
    json_object_set_new(o, "country", tc__cli_ent_json_text(i->country));
    json_object_set_new(o, "sector", tc__cli_ent_json_text(i->sector));
    json_object_set_new(o, "industry", tc__cli_ent_json_text(i->industry));
    json_object_set_new(o, "metadata", tc__cli_ent_json_parse(i->metadata));
    json_object_set_new(o, "created_at", tc__cli_ent_json_time(i->created_at_us));
    json_object_set_new(o, "updated_at", tc__cli_ent_json_time(i->updated_at_us));
    return o;
}

/* Opens the historical store for a repository; 0 or an exit status. */
static int open_rd(struct tc_cli *cli, struct tc_refdata *rd)
{
    memset(rd, 0, sizeof(*rd));
    return tc__cli_ent_open(cli, "historical", &rd->store);
}

static int instrument_add(struct tc_cli *cli, int argc, char **argv)
{
    enum { O_SYMBOL, O_MARKET, O_CLASS, O_CCY, O_LOT, O_MULT, O_TICK, O_ISSUER, O_EXCHANGE,
           O_STATUS, O_MATURITY, O_UNDERLYING, O_METADATA };
    struct tc__cli_ent_opt opts[] = {
        [O_SYMBOL] = {.name = "symbol", .takes_value = 1},
        [O_MARKET] = {.name = "market", .takes_value = 1},
        [O_CLASS] = {.name = "asset-class", .takes_value = 1},
        [O_CCY] = {.name = "currency", .takes_value = 1},
        [O_LOT] = {.name = "lot-size", .takes_value = 1},
        [O_MULT] = {.name = "multiplier", .takes_value = 1},
        [O_TICK] = {.name = "tick-size", .takes_value = 1},
        [O_ISSUER] = {.name = "issuer", .takes_value = 1},
        [O_EXCHANGE] = {.name = "exchange", .takes_value = 1},
        [O_STATUS] = {.name = "status", .takes_value = 1},
        [O_MATURITY] = {.name = "maturity-date", .takes_value = 1},
        [O_UNDERLYING] = {.name = "underlying", .takes_value = 1},
        [O_METADATA] = {.name = "metadata", .takes_value = 1},
    };
    static const int required[] = {O_SYMBOL, O_MARKET, O_CLASS, O_CCY};
    const char *pos[1];
    size_t npos;
    struct tc_instrument in;
    struct tc_refdata rd;
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, N_OPTS(opts), pos, 1, &npos,
                               instrument_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos != 1)
        return tc_cli_usage(cli, "instrument add: missing ID (see --help)");
    for (size_t k = 0; k < N_OPTS(required); k++)
        if (!opts[required[k]].seen)
            return tc_cli_usage(cli, "instrument add: missing --%s", opts[required[k]].name);

    tc_instrument_init(&in);
    if ((rc = tc__cli_ent_copy(cli, "instrument id", in.instrument_id, sizeof(in.instrument_id),
                               pos[0])) != 0 ||
        (rc = tc__cli_ent_copy(cli, "--symbol", in.symbol, sizeof(in.symbol),
                               opts[O_SYMBOL].value)) != 0 ||
        (rc = tc__cli_ent_copy(cli, "--market", in.market_id, sizeof(in.market_id),
                               opts[O_MARKET].value)) != 0)
        return rc;
    if (tc_asset_class_parse(opts[O_CLASS].value, &in.asset_class, &err) != 0)
        return tc_cli_fail(cli, &err);
    /* a currency that does not fit is reported as the value it is */
    if (strlen(opts[O_CCY].value) >= sizeof(in.currency))
        return tc_cli_failf(cli, "instrument \"%s\": currency \"%.16s\" is not three capital "
                                 "letters", in.instrument_id, opts[O_CCY].value);
    memcpy(in.currency, opts[O_CCY].value, strlen(opts[O_CCY].value) + 1);
    if ((opts[O_LOT].seen && (rc = tc__cli_ent_dec(cli, "--lot-size", opts[O_LOT].value,
                                                    &in.lot_size)) != 0) ||
        (opts[O_MULT].seen && (rc = tc__cli_ent_dec(cli, "--multiplier", opts[O_MULT].value,
                                                     &in.multiplier)) != 0) ||
        (opts[O_TICK].seen && (rc = tc__cli_ent_dec(cli, "--tick-size", opts[O_TICK].value,
                                                     &in.tick_size)) != 0))
        return rc;
    if ((opts[O_ISSUER].seen && (rc = tc__cli_ent_copy(cli, "--issuer", in.issuer_id,
                                                        sizeof(in.issuer_id),
                                                        opts[O_ISSUER].value)) != 0) ||
        (opts[O_EXCHANGE].seen && (rc = tc__cli_ent_copy(cli, "--exchange", in.exchange,
                                                          sizeof(in.exchange),
                                                          opts[O_EXCHANGE].value)) != 0) ||
        (opts[O_MATURITY].seen && (rc = tc__cli_ent_copy(cli, "--maturity-date",
                                                          in.maturity_date,
                                                          sizeof(in.maturity_date),
                                                          opts[O_MATURITY].value)) != 0) ||
        (opts[O_UNDERLYING].seen &&
         (rc = tc__cli_ent_copy(cli, "--underlying", in.underlying_instrument_id,
                                sizeof(in.underlying_instrument_id),
                                opts[O_UNDERLYING].value)) != 0))
        return rc;
    if (opts[O_STATUS].seen && tc_instrument_status_parse(opts[O_STATUS].value, &in.status,
                                                          &err) != 0)
        return tc_cli_fail(cli, &err);
    in.metadata = (char *)opts[O_METADATA].value;
    if (tc_instrument_validate(&in, &err) != 0)
        return tc_cli_fail(cli, &err);
    if ((rc = open_rd(cli, &rd)) != 0)
        return rc;
    if (tc_refdata_instrument_create(&rd, &in, &err) != 0)
        rc = tc_cli_fail(cli, &err);
    else
        fprintf(cli->out, "instrument %s added\n", in.instrument_id);
    tc_store_close(rd.store);
    return rc;
}

static int instrument_list(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}};
    const char *pos[1];
    size_t npos;
    struct tc_refdata rd;
    struct tc_instrument_list l = {0};
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 1, pos, 0, &npos, instrument_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if ((rc = open_rd(cli, &rd)) != 0)
        return rc;
    if (tc_refdata_instrument_list(&rd, &l, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if (opts[0].seen) {
        json_t *arr = json_array();
        for (size_t k = 0; arr && k < l.n; k++)
            json_array_append_new(arr, instrument_json(&l.items[k]));
        rc = tc__cli_ent_print_json(cli, arr);
    } else {
        fprintf(cli->out, "%-12s %-10s %-6s %-7s %-4s %-10s %s\n", "ID", "SYMBOL", "MARKET",
                "CLASS", "CCY", "STATUS", "TICK");
        for (size_t k = 0; k < l.n; k++) {
            const struct tc_instrument *i = &l.items[k];
            char tick[TC_DEC_STRLEN];
            tc_dec_format(i->tick_size, tick, sizeof(tick));
            fprintf(cli->out, "%-12s %-10s %-6s %-7s %-4s %-10s %s\n", i->instrument_id,
                    i->symbol, i->market_id, tc_asset_class_name(i->asset_class), i->currency,
                    tc_instrument_status_name(i->status), tick);
        }
    }
    tc_instrument_list_release(&l);
    tc_store_close(rd.store);
    return rc;
}

static int instrument_show(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}};
    const char *pos[1];
    size_t npos;
    struct tc_refdata rd;
    struct tc_instrument in = {0};
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 1, pos, 1, &npos, instrument_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos != 1)
        return tc_cli_usage(cli, "instrument show: missing ID (see --help)");
    if ((rc = open_rd(cli, &rd)) != 0)
        return rc;
    if (tc_refdata_instrument_get(&rd, pos[0], &in, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if (opts[0].seen) {
        rc = tc__cli_ent_print_json(cli, instrument_json(&in));
    } else {
        char mult[TC_DEC_STRLEN], tick[TC_DEC_STRLEN], lot[TC_DEC_STRLEN];
        char created[TC_TIME_STRLEN], updated[TC_TIME_STRLEN];
        tc_dec_format(in.multiplier, mult, sizeof(mult));
        tc_dec_format(in.tick_size, tick, sizeof(tick));
        tc_dec_format(in.lot_size, lot, sizeof(lot));
        tc_time_format(in.created_at_us, created, sizeof(created));
        tc_time_format(in.updated_at_us, updated, sizeof(updated));
        fprintf(cli->out,
                "instrument_id  %s\nsymbol         %s\nmarket_id      %s\nissuer_id      %s\n"
                "asset_class    %s\nexchange       %s\ncurrency       %s\nmultiplier     %s\n"
                "tick_size      %s\nlot_size       %s\nmaturity_date  %s\nunderlying     %s\n"
                "status         %s\nmetadata       %s\ncreated_at     %s (%s)\n"
                "updated_at     %s (%s)\n",
                in.instrument_id, in.symbol, in.market_id, in.issuer_id[0] ? in.issuer_id : "-",
                tc_asset_class_name(in.asset_class), in.exchange[0] ? in.exchange : "-",
                in.currency, mult, tick, lot, in.maturity_date[0] ? in.maturity_date : "-",
                in.underlying_instrument_id[0] ? in.underlying_instrument_id : "-",
                tc_instrument_status_name(in.status), tc__cli_ent_str(in.metadata), created,
                in.created_by, updated, in.updated_by);
    }
    tc_instrument_release(&in);
    tc_store_close(rd.store);
    return rc;
}

static int issuer_add(struct tc_cli *cli, int argc, char **argv)
{
    enum { O_NAME, O_TYPE, O_COUNTRY, O_SECTOR, O_INDUSTRY, O_METADATA };
    struct tc__cli_ent_opt opts[] = {
        [O_NAME] = {.name = "name", .takes_value = 1},
        [O_TYPE] = {.name = "type", .takes_value = 1},
        [O_COUNTRY] = {.name = "country", .takes_value = 1},
        [O_SECTOR] = {.name = "sector", .takes_value = 1},
        [O_INDUSTRY] = {.name = "industry", .takes_value = 1},
        [O_METADATA] = {.name = "metadata", .takes_value = 1},
    };
    const char *pos[1];
    size_t npos;
    struct tc_issuer is = {.issuer_type = TC_ISSUER_CORPORATION};
    struct tc_refdata rd;
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 3, opts, N_OPTS(opts), pos, 1, &npos,
                               instrument_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos != 1)
        return tc_cli_usage(cli, "instrument issuer add: missing ID (see --help)");
    if (!opts[O_NAME].seen)
        return tc_cli_usage(cli, "instrument issuer add: missing --name");
    if ((rc = tc__cli_ent_copy(cli, "issuer id", is.issuer_id, sizeof(is.issuer_id),
                               pos[0])) != 0 ||
        (rc = tc__cli_ent_copy(cli, "--name", is.name, sizeof(is.name), opts[O_NAME].value)) !=
            0 ||
        (opts[O_COUNTRY].seen && (rc = tc__cli_ent_copy(cli, "--country", is.country,
                                                         sizeof(is.country),
                                                         opts[O_COUNTRY].value)) != 0) ||
        (opts[O_SECTOR].seen && (rc = tc__cli_ent_copy(cli, "--sector", is.sector,
                                                        sizeof(is.sector),
                                                        opts[O_SECTOR].value)) != 0) ||
        (opts[O_INDUSTRY].seen && (rc = tc__cli_ent_copy(cli, "--industry", is.industry,
                                                          sizeof(is.industry),
                                                          opts[O_INDUSTRY].value)) != 0))
        return rc;
    if (opts[O_TYPE].seen && tc_issuer_type_parse(opts[O_TYPE].value, &is.issuer_type, &err))
        return tc_cli_fail(cli, &err);
    is.metadata = (char *)opts[O_METADATA].value;
    if (tc_issuer_validate(&is, &err) != 0)
        return tc_cli_fail(cli, &err);
    if ((rc = open_rd(cli, &rd)) != 0)
        return rc;
    if (tc_refdata_issuer_create(&rd, &is, &err) != 0)
        rc = tc_cli_fail(cli, &err);
    else
        fprintf(cli->out, "issuer %s added\n", is.issuer_id);
    tc_store_close(rd.store);
    return rc;
}

static int issuer_list(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}};
    const char *pos[1];
    size_t npos;
    struct tc_refdata rd;
    struct tc_issuer_list l = {0};
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 3, opts, 1, pos, 0, &npos, instrument_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if ((rc = open_rd(cli, &rd)) != 0)
        return rc;
    if (tc_refdata_issuer_list(&rd, &l, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if (opts[0].seen) {
        json_t *arr = json_array();
        for (size_t k = 0; arr && k < l.n; k++)
            json_array_append_new(arr, issuer_json(&l.items[k]));
        rc = tc__cli_ent_print_json(cli, arr);
    } else {
        fprintf(cli->out, "%-12s %-12s %-7s %s\n", "ID", "TYPE", "COUNTRY", "NAME");
        for (size_t k = 0; k < l.n; k++)
            fprintf(cli->out, "%-12s %-12s %-7s %s\n", l.items[k].issuer_id,
                    tc_issuer_type_name(l.items[k].issuer_type),
                    l.items[k].country[0] ? l.items[k].country : "-", l.items[k].name);
    }
    tc_issuer_list_release(&l);
    tc_store_close(rd.store);
    return rc;
}

int tc_cmd_instrument(struct tc_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        fputs(instrument_help, cli->err);
        return tc_cli_usage(cli, "missing subcommand (add, list, show, issuer)");
    }
    if (tc_cli_is_help(argv[1])) {
        fputs(instrument_help, cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "add") == 0)
        return instrument_add(cli, argc, argv);
    if (strcmp(argv[1], "list") == 0)
        return instrument_list(cli, argc, argv);
    if (strcmp(argv[1], "show") == 0)
        return instrument_show(cli, argc, argv);
    if (strcmp(argv[1], "issuer") == 0) {
        if (argc < 3)
            return tc_cli_usage(cli, "issuer: missing subcommand (add, list)");
        if (tc_cli_is_help(argv[2])) {
            fputs(instrument_help, cli->out);
            return TC_EXIT_OK;
        }
        if (strcmp(argv[2], "add") == 0)
            return issuer_add(cli, argc, argv);
        if (strcmp(argv[2], "list") == 0)
            return issuer_list(cli, argc, argv);
        return tc_cli_usage(cli, "issuer: unknown subcommand '%s' (add, list)", argv[2]);
    }
    return tc_cli_usage(cli, "unknown subcommand '%s' (add, list, show, issuer)", argv[1]);
}
