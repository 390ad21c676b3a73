/* Opening the trading ledger for the ledger commands from configuration. */
#include <string.h>

#include "cli/cli_entity.h"
#include "cli/cli_ledger.h"
#include "tradecore/config.h"
#include "internal/banned.h"

void tc__cli_ledger_close(struct tc__cli_ledger *lg)
{
    tc_ledger_close(lg->l);
    tc_broker_free(lg->broker);
    if (lg->hist != lg->rt)
        tc_store_close(lg->hist);
    tc_store_close(lg->rt);
    memset(lg, 0, sizeof(*lg));
}

static int new_broker(struct tc_cli *cli, struct tc_broker **out)
{
    struct tc_broker_instant_options io;
    struct tc_error err = {0};
    const char *name = tc_config_str(cli->cfg, "ledger.broker");
    const char *rate = tc_config_str(cli->cfg, "ledger.commission_rate");

    if (!name || strcmp(name, "instant") != 0)
        return tc_cli_failf(cli, "ledger.broker: \"%s\" is not a known broker (instant)",
                            name ? name : "");
    tc_broker_instant_options_default(&io);
    if (tc_dec_parse(rate ? rate : "", (size_t)-1, &io.commission_rate, &err) != 0)
        return tc_cli_failf(cli, "ledger.commission_rate: %s", tc_error_msg(&err));
    if (tc_broker_instant_new(&io, out, &err) != 0)
        return tc_cli_failf(cli, "ledger.commission_rate: %s", tc_error_msg(&err));
    return 0;
}

int tc__cli_ledger_open(struct tc_cli *cli, int with_broker, struct tc__cli_ledger *lg)
{
    struct tc_ledger_options o;
    struct tc_error err = {0};
    const char *rt_url = tc_config_str(cli->cfg, "database.runtime.url");
    const char *hist_url = tc_config_str(cli->cfg, "database.historical.url");
    int rc;

    memset(lg, 0, sizeof(*lg));
    if ((rc = tc__cli_ent_open(cli, "runtime", &lg->rt)) != 0)
        return rc;
    if (rt_url && hist_url && strcmp(rt_url, hist_url) == 0)
        lg->hist = lg->rt;
    else if ((rc = tc__cli_ent_open(cli, "historical", &lg->hist)) != 0)
        goto fail;
    if (with_broker && (rc = new_broker(cli, &lg->broker)) != 0)
        goto fail;
    tc_ledger_options_default(&o);
    o.runtime = lg->rt;
    o.historical = lg->hist;
    o.broker = lg->broker;
    o.mode = TC_MODE_PAPER;
    o.no_recovery = !with_broker;
    o.limits.max_skew_us = tc_config_int(cli->cfg, "ledger.max_skew_s") * 1000000;
    if (tc_ledger_open(&o, &lg->l, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
        goto fail;
    }
    return 0;
fail:
    tc__cli_ledger_close(lg);
    return rc;
}
