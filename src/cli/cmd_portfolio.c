/* `tradecore portfolio add|list|show`: portfolio definitions in the runtime store. */
#include <stdio.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "tradecore/accounts.h"
#include "tradecore/ledger_query.h"
#include "internal/banned.h"

#define N_OPTS(a) (sizeof(a) / sizeof((a)[0]))

static const char portfolio_help[] =
    "usage: tradecore portfolio add ID --name NAME --base-currency CCY\n"
    "                               --initial-capital AMOUNT [--description D]\n"
    "                               [--metadata JSON]\n"
    "       tradecore portfolio list [--json]\n"
    "       tradecore portfolio show ID [--json]\n\n"
    "show also prints the ledger state: cash, closed_equity, realized_pnl and\n"
    "commission_paid (JSON: the \"ledger\" object).\n"
    "Portfolios of the runtime store. CCY is three capital letters (USD); AMOUNT a\n"
    "decimal >= 0 with at most 8 fractional digits, kept exactly. In JSON output\n"
    "decimals are strings of their exact digits (\"12345678901.12345678\").\n"
    "Exit status: 0 ok, 1 error (including a rejected value or a duplicate),\n"
    "2 usage error.\n";

static json_t *portfolio_json(const struct tc_portfolio_def *p)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "portfolio_id", json_string(p->portfolio_id));
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "description", tc__cli_ent_json_text(p->description));
    json_object_set_new(o, "base_currency", json_string(p->base_currency));
    json_object_set_new(o, "initial_capital", tc__cli_ent_json_dec(p->initial_capital));
    json_object_set_new(o, "metadata", tc__cli_ent_json_parse(p->metadata));
    json_object_set_new(o, "created_at", tc__cli_ent_json_time(p->created_at_us));
    json_object_set_new(o, "updated_at", tc__cli_ent_json_time(p->updated_at_us));
    json_object_set_new(o, "created_by", json_string(p->created_by));
    json_object_set_new(o, "updated_by", json_string(p->updated_by));
    return o;
}

/* The ledger state of P (a portfolio with no accepted signal yet holds its
 * initial capital in cash), as a JSON object. */
static json_t *ledger_json(const struct tc_portfolio_state *st)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "cash", tc__cli_ent_json_dec(st->cash));
    json_object_set_new(o, "closed_equity", tc__cli_ent_json_dec(st->closed_equity));
    json_object_set_new(o, "realized_pnl", tc__cli_ent_json_dec(st->realized_pnl));
    json_object_set_new(o, "commission_paid", tc__cli_ent_json_dec(st->commission_paid));
    return o;
}

static int ledger_state(struct tc_cli *cli, struct tc_store *rt, const struct tc_portfolio_def *p,
                        struct tc_portfolio_state *st)
{
    struct tc_error err = {0};
    int found = 0;
    if (tc_ledger_query_state(rt, p->portfolio_id, st, &found, &err) != 0)
        return tc_cli_fail(cli, &err);
    if (!found) {
        st->cash = st->closed_equity = p->initial_capital;
        st->realized_pnl = st->commission_paid = TC_DEC_ZERO;
    }
    return 0;
}

static int open_acc(struct tc_cli *cli, struct tc_accounts *acc)
{
    memset(acc, 0, sizeof(*acc));
    return tc__cli_ent_open(cli, "runtime", &acc->store);
}

static int portfolio_add(struct tc_cli *cli, int argc, char **argv)
{
    enum { O_NAME, O_CCY, O_CAPITAL, O_DESCRIPTION, O_METADATA };
    struct tc__cli_ent_opt opts[] = {
        [O_NAME] = {.name = "name", .takes_value = 1},
        [O_CCY] = {.name = "base-currency", .takes_value = 1},
        [O_CAPITAL] = {.name = "initial-capital", .takes_value = 1},
        [O_DESCRIPTION] = {.name = "description", .takes_value = 1},
        [O_METADATA] = {.name = "metadata", .takes_value = 1},
    };
    const char *pos[1];
    size_t npos;
    struct tc_portfolio_def p = {0};
    struct tc_accounts acc;
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, N_OPTS(opts), pos, 1, &npos,
                               portfolio_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos != 1)
        return tc_cli_usage(cli, "portfolio add: missing ID (see --help)");
    for (int k = O_NAME; k <= O_CAPITAL; k++)
        if (!opts[k].seen)
            return tc_cli_usage(cli, "portfolio add: missing --%s", opts[k].name);
    if ((rc = tc__cli_ent_copy(cli, "portfolio id", p.portfolio_id, sizeof(p.portfolio_id),
                               pos[0])) != 0 ||
        (rc = tc__cli_ent_copy(cli, "--name", p.name, sizeof(p.name), opts[O_NAME].value)) != 0)
        return rc;
    if (strlen(opts[O_CCY].value) >= sizeof(p.base_currency))
        return tc_cli_failf(cli,
                            "portfolio \"%s\": base_currency \"%.16s\" is not three capital "
                            "letters",
                            p.portfolio_id, opts[O_CCY].value);
    memcpy(p.base_currency, opts[O_CCY].value, strlen(opts[O_CCY].value) + 1);
    if ((rc = tc__cli_ent_dec(cli, "--initial-capital", opts[O_CAPITAL].value,
                              &p.initial_capital)) != 0)
        return rc;
    p.description = (char *)opts[O_DESCRIPTION].value;
    p.metadata = (char *)opts[O_METADATA].value;
    if (tc_portfolio_def_validate(&p, &err) != 0)
        return tc_cli_fail(cli, &err);
    if ((rc = open_acc(cli, &acc)) != 0)
        return rc;
    if (tc_accounts_portfolio_create(&acc, &p, &err) != 0)
        rc = tc_cli_fail(cli, &err);
    else
        fprintf(cli->out, "portfolio %s added\n", p.portfolio_id);
    tc_store_close(acc.store);
    return rc;
}

static int portfolio_list(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}};
    const char *pos[1];
    size_t npos;
    struct tc_accounts acc;
    struct tc_portfolio_list l = {0};
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 1, pos, 0, &npos, portfolio_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if ((rc = open_acc(cli, &acc)) != 0)
        return rc;
    if (tc_accounts_portfolio_list(&acc, &l, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if (opts[0].seen) {
        json_t *arr = json_array();
        for (size_t k = 0; arr && k < l.n; k++)
            json_array_append_new(arr, portfolio_json(&l.items[k]));
        rc = tc__cli_ent_print_json(cli, arr);
    } else {
        fprintf(cli->out, "%-16s %-4s %22s  %s\n", "ID", "CCY", "INITIAL CAPITAL", "NAME");
        for (size_t k = 0; k < l.n; k++) {
            char cap[TC_DEC_STRLEN];
            tc_dec_format(l.items[k].initial_capital, cap, sizeof(cap));
            fprintf(cli->out, "%-16s %-4s %22s  %s\n", l.items[k].portfolio_id,
                    l.items[k].base_currency, cap, l.items[k].name);
        }
    }
    tc_portfolio_list_release(&l);
    tc_store_close(acc.store);
    return rc;
}

static int portfolio_show(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}};
    const char *pos[1];
    size_t npos;
    struct tc_accounts acc;
    struct tc_portfolio_def p = {0};
    struct tc_portfolio_state st;
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 1, pos, 1, &npos, portfolio_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos != 1)
        return tc_cli_usage(cli, "portfolio show: missing ID (see --help)");
    if ((rc = open_acc(cli, &acc)) != 0)
        return rc;
    if (tc_accounts_portfolio_get(&acc, pos[0], &p, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if ((rc = ledger_state(cli, acc.store, &p, &st)) != 0) {
        /* message printed */
    } else if (opts[0].seen) {
        json_t *o = portfolio_json(&p);
        if (o)
            json_object_set_new(o, "ledger", ledger_json(&st));
        rc = tc__cli_ent_print_json(cli, o);
    } else {
        char cap[TC_DEC_STRLEN], created[TC_TIME_STRLEN], updated[TC_TIME_STRLEN];
        tc_dec_format(p.initial_capital, cap, sizeof(cap));
        tc_time_format(p.created_at_us, created, sizeof(created));
        tc_time_format(p.updated_at_us, updated, sizeof(updated));
        fprintf(cli->out,
                "portfolio_id     %s\nname             %s\ndescription      %s\n"
                "base_currency    %s\ninitial_capital  %s\nmetadata         %s\n"
                "created_at       %s (%s)\nupdated_at       %s (%s)\n",
                p.portfolio_id, p.name, p.description ? p.description : "-", p.base_currency,
                cap, tc__cli_ent_str(p.metadata), created, p.created_by, updated, p.updated_by);
        {
            char c[TC_DEC_STRLEN], e[TC_DEC_STRLEN], r[TC_DEC_STRLEN], m[TC_DEC_STRLEN];
            tc_dec_format(st.cash, c, sizeof(c));
            tc_dec_format(st.closed_equity, e, sizeof(e));
            tc_dec_format(st.realized_pnl, r, sizeof(r));
            tc_dec_format(st.commission_paid, m, sizeof(m));
            fprintf(cli->out,
                    "cash             %s\nclosed_equity    %s\nrealized_pnl     %s\n"
                    "commission_paid  %s\n",
                    c, e, r, m);
        }
    }
    tc_portfolio_def_release(&p);
    tc_store_close(acc.store);
    return rc;
}

int tc_cmd_portfolio(struct tc_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        fputs(portfolio_help, cli->err);
        return tc_cli_usage(cli, "missing subcommand (add, list, show)");
    }
    if (tc_cli_is_help(argv[1])) {
        fputs(portfolio_help, cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "add") == 0)
        return portfolio_add(cli, argc, argv);
    if (strcmp(argv[1], "list") == 0)
        return portfolio_list(cli, argc, argv);
    if (strcmp(argv[1], "show") == 0)
        return portfolio_show(cli, argc, argv);
    return tc_cli_usage(cli, "unknown subcommand '%s' (add, list, show)", argv[1]);
}
