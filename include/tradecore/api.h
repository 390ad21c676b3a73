/*
 * The trading routes of `tradecore serve`, registered on a service
 * (service.h) over a ledger (ledger.h):
 *
 *   POST /v1/signals    a signal (ledger form, TradingView-compatible), bearer
 *                       token or `passphrase` in the body. Answers only after
 *                       the ledger transaction committed:
 *                         201 {outcome}                    a new accepted signal
 *                         200 {outcome, "duplicate":true}  a repeat (first outcome)
 *                         422 {outcome}                    rejected (reason; logged
 *                                                          in signal_log)
 *                         400 bad_json / bad_signal        not JSON, not an object
 *                         401 unauthorized                 no valid token or passphrase
 *                         413, 415                         (the HTTP server)
 *                         503 unavailable + Retry-After    store unreachable or busy:
 *                                                          nothing was committed,
 *                                                          resend the same body
 *                         503 not_leader + Retry-After     a standby (or a fenced
 *                                                          leader): {"leader": "HOST:PORT"}
 *   POST /v1/bars       paper mode: one bar object or an array of them
 *                       {"instrument","date":"YYYY-MM-DD","open","high","low",
 *                        "close","volume"} (decimals as strings or JSON
 *                       numbers) given to the simulator broker in order;
 *                       working orders fill and the fills go through the
 *                       ledger. 200 {"bars": n, "fills": n}; 422 naming the
 *                       bad bar (index and field) with nothing applied when
 *                       any bar is malformed; 404 in live mode. Bars ingested
 *                       into the historical store are picked up too
 *                       (tc_api_poll_bars, every heartbeat).
 *   GET /v1/positions   {"positions": [...]} open positions (every portfolio,
 *                       or ?portfolio=ID), from the ledger's cache
 *   GET /v1/portfolio/{id}  {"portfolio": state, "positions": [...]}; 404
 *   GET /v1/orders?status=NEW|SUBMITTED|…&portfolio=ID   {"orders": [...]}
 *                       oldest first (tc_ledger_query_orders); 400 for an
 *                       unknown status or a bad portfolio id
 *   GET /v1/signals?since=ISO-8601&portfolio=ID   {"signals": [...]} from
 *                       signal_log (tc_ledger_query_signals); 400 for a bad time
 * Reads need a bearer token and are served by standbys too.
 *
 * Metrics: tradecore_signals_total{outcome="accepted|rejected|duplicate|
 * error"}, tradecore_ledger_commit_seconds (histogram of the signal
 * transaction), tradecore_store_pool_in_use / _size, tradecore_leader
 * (1 when this instance is the leader) and tradecore_leader_epoch.
 *
 * Thread-safety: handlers run on the server's threads; the ledger, broker
 * and leader are thread-safe.
 */
#ifndef TRADECORE_API_H
#define TRADECORE_API_H

#include "tradecore/broker.h"
#include "tradecore/error.h"
#include "tradecore/leader.h"
#include "tradecore/ledger.h"
#include "tradecore/service.h"

struct tc_api;

struct tc_api_options {
    struct tc_ledger *ledger;   /* required, borrowed */
    struct tc_broker *broker;   /* borrowed; the sim broker in paper mode (bars), or NULL */
    struct tc_leader *leader;   /* borrowed; NULL = always the writer */
    int paper;                  /* POST /v1/bars is served */
};

/*
 * Registers the routes and metrics above on SVC (before tc_service_start).
 * *OUT owned by the caller; free it after the service has stopped.
 */
int tc_api_new(struct tc_service *svc, const struct tc_api_options *opt, struct tc_api **out,
               struct tc_error *err);
void tc_api_free(struct tc_api *api);

/*
 * Called when this instance becomes the writer: reloads the working orders
 * of the ledger's mode (SUBMITTED or PARTIALLY_FILLED in the orders table)
 * into the broker with their unfilled quantity, so that a restarted paper
 * service fills them on the next bars, then resubmits the orders still NEW
 * (tc_ledger_resubmit_pending). *N (may be NULL) gets the orders reloaded.
 */
int tc_api_on_leader(struct tc_api *api, size_t *n, struct tc_error *err);

/*
 * Paper mode, on the leader: gives the simulator broker the bars stored in
 * the historical store (`tradecore ingest prices` while the service runs)
 * for every instrument with working orders, in date order, from the day
 * after the later of the earliest working order's day (UTC) and the last bar
 * already given for that instrument (by this poll or POST /v1/bars). Fills
 * go through the ledger. `tradecore serve` calls it every heartbeat_ms.
 * *FILLS (may be NULL) gets the fills made. Store and broker errors pass
 * through; a no-op (0) elsewhere.
 */
int tc_api_poll_bars(struct tc_api *api, size_t *fills, struct tc_error *err);

#endif
