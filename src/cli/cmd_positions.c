/* `tradecore positions [--open] [--portfolio P] [--json]`: the ledger's
 * positions (one row per layer) read from the runtime store. */
#include <stdio.h>
#include <string.h>

#include "cli/cli_entity.h"
#include "tradecore/ledger_query.h"
#include "internal/banned.h"

static const char positions_help[] =
    "usage: tradecore positions [--open] [--portfolio P] [--instrument I] [--json]\n\n"
    "Positions of the ledger, one per layer (0 = base, 1.. = pyramids), ordered by\n"
    "portfolio, instrument and layer. --open keeps those not closed (a layer whose\n"
    "entry order has not filled yet is open with quantity 0). In JSON output\n"
    "decimals are strings of their exact digits.\n"
    "Exit status: 0 ok, 1 error, 2 usage error.\n";

static json_t *position_json(const struct tc_position *p)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "position_id", json_string(p->position_id));
    json_object_set_new(o, "portfolio_id", json_string(p->portfolio_id));
    json_object_set_new(o, "strategy_id", json_string(p->strategy_id));
    json_object_set_new(o, "instrument_id", json_string(p->instrument_id));
    json_object_set_new(o, "side", json_string(tc_side_name(p->side)));
    json_object_set_new(o, "quantity", tc__cli_ent_json_dec(p->quantity));
    json_object_set_new(o, "entry_price", tc__cli_ent_json_dec(p->entry_price));
    json_object_set_new(o, "layer", json_integer(p->layer));
    json_object_set_new(o, "status", json_string(tc_position_status_name(p->status)));
    json_object_set_new(o, "multiplier", tc__cli_ent_json_dec(p->multiplier));
    json_object_set_new(o, "current_stop",
                        p->has_current_stop ? tc__cli_ent_json_dec(p->current_stop) : json_null());
    json_object_set_new(o, "closed_quantity", tc__cli_ent_json_dec(p->closed_quantity));
    json_object_set_new(o, "exit_price", tc_dec_sign(p->exit_price) > 0
                                             ? tc__cli_ent_json_dec(p->exit_price)
                                             : json_null());
    json_object_set_new(o, "realized_pnl", tc__cli_ent_json_dec(p->realized_pnl));
    json_object_set_new(o, "commission", tc__cli_ent_json_dec(p->commission));
    json_object_set_new(o, "entry_time", tc__cli_ent_json_time(p->entry_time_us));
    json_object_set_new(o, "exit_time", tc__cli_ent_json_time(p->exit_time_us));
    json_object_set_new(o, "version", json_integer(p->version));
    return o;
}

int tc_cmd_positions(struct tc_cli *cli, int argc, char **argv)
{
    enum { O_OPEN, O_PORTFOLIO, O_INSTRUMENT, O_JSON };
    struct tc__cli_ent_opt opts[] = {
        [O_OPEN] = {.name = "open"},
        [O_PORTFOLIO] = {.name = "portfolio", .takes_value = 1},
        [O_INSTRUMENT] = {.name = "instrument", .takes_value = 1},
        [O_JSON] = {.name = "json"},
    };
    const char *pos[1];
    size_t npos;
    struct tc_store *rt = NULL;
    struct tc_position_list l = {0};
    struct tc_error err = {0};
    int rc = tc__cli_ent_parse(cli, argc, argv, 1, opts, 4, pos, 0, &npos, positions_help);

    if (rc != 0)
        return rc < 0 ? TC_EXIT_OK : rc;
    if ((opts[O_PORTFOLIO].seen &&
         tc_id_validate("portfolio", opts[O_PORTFOLIO].value, &err) != 0) ||
        (opts[O_INSTRUMENT].seen &&
         tc_id_validate("instrument", opts[O_INSTRUMENT].value, &err) != 0))
        return tc_cli_fail(cli, &err);
    if ((rc = tc__cli_ent_open(cli, "runtime", &rt)) != 0)
        return rc;
    if (tc_ledger_query_positions(rt, opts[O_PORTFOLIO].value, opts[O_INSTRUMENT].value,
                                  opts[O_OPEN].seen, &l, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
    } else if (opts[O_JSON].seen) {
        json_t *arr = json_array();
        for (size_t k = 0; arr && k < l.n; k++)
            json_array_append_new(arr, position_json(&l.items[k]));
        rc = tc__cli_ent_print_json(cli, arr);
    } else {
        fprintf(cli->out, "%-40s %-12s %-10s %-5s %16s %16s %5s %-7s\n", "POSITION", "PORTFOLIO",
                "INSTRUMENT", "SIDE", "QUANTITY", "ENTRY PRICE", "LAYER", "STATUS");
        for (size_t k = 0; k < l.n; k++) {
            const struct tc_position *p = &l.items[k];
            char q[TC_DEC_STRLEN], e[TC_DEC_STRLEN];
            tc_dec_format(p->quantity, q, sizeof(q));
            tc_dec_format(p->entry_price, e, sizeof(e));
            fprintf(cli->out, "%-40s %-12s %-10s %-5s %16s %16s %5d %-7s\n", p->position_id,
                    p->portfolio_id, p->instrument_id, tc_side_name(p->side), q, e, p->layer,
                    tc_position_status_name(p->status));
        }
        rc = TC_EXIT_OK;
    }
    tc_position_list_release(&l);
    tc_store_close(rt);
    return rc;
}
