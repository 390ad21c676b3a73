/*
 * Shared by the ledger commands (signal, signals, positions, ledger): opening
 * the trading ledger over the configured stores with the configured broker
 * (ledger.broker, ledger.commission_rate, ledger.max_skew_s), in PAPER mode.
 */
#ifndef TC_CLI_LEDGER_H
#define TC_CLI_LEDGER_H

#include "cli/cli.h"
#include "tradecore/broker.h"
#include "tradecore/ledger.h"
#include "tradecore/store.h"

struct tc__cli_ledger {
    struct tc_store *rt;       /* owned */
    struct tc_store *hist;     /* owned, or == rt when both URLs are the same */
    struct tc_broker *broker;  /* owned; NULL without a broker */
    struct tc_ledger *l;       /* owned */
};

/*
 * Opens both stores (migrated, as tc__cli_ent_open checks), the broker when
 * WITH_BROKER (then order intents are submitted and filled, and orders left
 * NEW by an earlier crash are sent again), and the ledger. Without a broker
 * nothing is resubmitted (read-only commands such as `ledger check`).
 * Returns 0, or the exit status with the message printed; *LG is then
 * empty. Release with tc__cli_ledger_close (also after a failure).
 */
int tc__cli_ledger_open(struct tc_cli *cli, int with_broker, struct tc__cli_ledger *lg);
void tc__cli_ledger_close(struct tc__cli_ledger *lg);

#endif
