/* `tradecore ledger check`: every invariant violation of the ledger, exit 1
 * when there is any. `tradecore ledger forget-run RUN_ID`: removes the rows
 * of a stored backtest run (one killed mid-way keeps its rows and its run
 * id) with tc_ledger_forget_portfolio; never live or paper state. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "cli/cli_ledger.h"
#include "internal/banned.h"

static const char ledger_help[] =
    "usage: tradecore ledger check [--json]\n"
    "       tradecore ledger forget-run RUN_ID [--json]\n\n"
    "check: checks the ledger's invariants in the runtime store: each position's\n"
    "quantity against its fills, each order's filled quantity against its fills,\n"
    "each portfolio's cash and closed equity against initial capital + realized\n"
    "P&L - commission, and at most one open base per instrument. Prints every\n"
    "violation (kind, subject, detail). Nothing is changed or resubmitted.\n"
    "Exit status: 0 clean, 1 violations found (or an error), 2 usage error.\n\n"
    "forget-run: removes every row of the backtest run RUN_ID (kept with\n"
    "`backtest --store`) from the runtime store, in one transaction: its\n"
    "portfolio, strategies, orders, fills, trades, positions, signals and\n"
    "performance rows. For a run that was killed mid-way (kill -9, power loss):\n"
    "its rows stay and its run id stays taken until it is forgotten. A failed\n"
    "run removes its rows itself. Only a backtest's portfolio is removed: live\n"
    "and paper portfolios are refused and nothing changes. Prints the number of\n"
    "rows removed.\n"
    "Exit status: 0 removed, 1 unknown run, not a backtest's, bad id or a store\n"
    "error (nothing removed), 2 usage error.\n";

struct viol_out {
    struct tc_cli *cli;
    json_t *arr;
};

static int print_violation(const struct tc_ledger_violation *v, void *ud)
{
    struct viol_out *o = ud;
    if (o->arr) {
        json_t *j = json_object();
        if (j) {
            json_object_set_new(j, "kind", json_string(v->kind));
            json_object_set_new(j, "subject", json_string(v->subject));
            json_object_set_new(j, "message", json_string(v->message));
            json_array_append_new(o->arr, j);
        }
    } else {
        fprintf(o->cli->out, "%s %s: %s\n", v->kind, v->subject, v->message);
    }
    return 0;
}

static int ledger_check(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}};
    const char *pos[1];
    size_t npos, n = 0;
    struct tc__cli_ledger lg;
    struct tc_error err = {0};
    struct viol_out vo = {cli, NULL};
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 1, pos, 0, &npos, ledger_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if ((rc = tc__cli_ledger_open(cli, 0, &lg)) != 0)
        return rc;
    if (opts[0].seen && !(vo.arr = json_array())) {
        rc = tc_cli_failf(cli, "out of memory");
        goto out;
    }
    if (tc_ledger_check(lg.l, print_violation, &vo, &n, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
        goto out;
    }
    if (vo.arr) {
        json_t *j = json_object();
        if (j) {
            json_object_set_new(j, "violations", vo.arr);
            json_object_set_new(j, "clean", json_boolean(n == 0));
        } else {
            json_decref(vo.arr);
        }
        vo.arr = NULL;
        rc = tc__cli_ent_print_json(cli, j);
        if (rc == TC_EXIT_OK && n)
            rc = TC_EXIT_FAIL;
    } else if (n) {
        rc = tc_cli_failf(cli, "%zu invariant violation(s)", n);
    } else {
        fprintf(cli->out, "ledger check: clean\n");
        rc = TC_EXIT_OK;
    }
out:
    json_decref(vo.arr);
    tc__cli_ledger_close(&lg);
    return rc;
}

static int ledger_forget_run(struct tc_cli *cli, int argc, char **argv)
{
    struct tc__cli_ent_opt opts[] = {{.name = "json"}};
    const char *pos[2];
    size_t npos;
    struct tc_store *rt = NULL;
    struct tc_error err = {0};
    int64_t removed = 0;
    int rc = tc__cli_ent_parse(cli, argc, argv, 2, opts, 1, pos, 2, &npos, ledger_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if (npos == 0)
        return tc_cli_usage(cli, "forget-run: missing RUN_ID (see --help)");
    if (npos > 1)
        return tc_cli_usage(cli, "forget-run: one RUN_ID only, %zu given (see --help)", npos);
    if ((rc = tc__cli_ent_open(cli, "runtime", &rt)) != 0)
        return rc;
    if (tc_ledger_forget_portfolio(rt, pos[0], &removed, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if (opts[0].seen) {
        json_t *j = json_object();
        if (j) {
            json_object_set_new(j, "run_id", json_string(pos[0]));
            json_object_set_new(j, "removed", json_integer((json_int_t)removed));
        }
        rc = j ? tc__cli_ent_print_json(cli, j) : tc_cli_failf(cli, "out of memory");
    } else {
        fprintf(cli->out, "ledger forget-run: run \"%s\": %" PRId64 " row(s) removed\n", pos[0],
                removed);
        rc = TC_EXIT_OK;
    }
    tc_store_close(rt);
    return rc;
}

int tc_cmd_ledger(struct tc_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        fputs(ledger_help, cli->err);
        return tc_cli_usage(cli, "missing subcommand (check, forget-run)");
    }
    if (tc_cli_is_help(argv[1])) {
        fputs(ledger_help, cli->out);
        return TC_EXIT_OK;
    }
    if (strcmp(argv[1], "check") == 0)
        return ledger_check(cli, argc, argv);
    if (strcmp(argv[1], "forget-run") == 0)
        return ledger_forget_run(cli, argc, argv);
    return tc_cli_usage(cli, "unknown subcommand '%s' (check, forget-run)", argv[1]);
}
