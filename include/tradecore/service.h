/*
 * The service behind `tradecore serve`: one HTTP server, the two stores
 * (runtime and historical), a metrics registry and a heartbeat, with the
 * endpoints that need no ledger:
 *
 *   GET /ping       liveness: {"status":"ok"}                        (public)
 *   GET /health     each component: stores reachable, migrations current,
 *                   role, last heartbeat; 200 when all are ok, else 503 (public)
 *   GET /ready      200 {"ready":true} once the stores are open and migrated
 *                   and the role is settled, else 503 with the reasons (public)
 *   GET /metrics    Prometheus text                                   (public)
 *   GET /system     version, uptime, pid, CPU, memory, fds, free disk of each
 *                   sqlite store's volume                               (token)
 *   GET /db/status  each store: backend, URL without password, reachable,
 *                   round-trip latency, schema version, pool in use / idle (token)
 *
 * More routes (the ledger's webhook and queries) are added with
 * tc_service_add_route before tc_service_start.
 *
 * Thread-safety: tc_service_set_role and the getters may be called from any
 * thread; the rest from the thread that owns the service.
 */
#ifndef TRADECORE_SERVICE_H
#define TRADECORE_SERVICE_H

#include <stdint.h>

#include "tradecore/error.h"
#include "tradecore/http.h"
#include "tradecore/metrics.h"
#include "tradecore/store.h"

struct tc_service;

enum tc_service_role {
    TC_ROLE_UNKNOWN = 0,   /* not settled yet: /ready answers 503 */
    TC_ROLE_LEADER,        /* the one writer */
    TC_ROLE_FOLLOWER       /* serves reads */
};
/* "unknown", "leader", "follower". */
const char *tc_service_role_name(enum tc_service_role role);

struct tc_service_options {
    struct tc_http_options http;  /* its metrics field is ignored: the service's registry is used */
    const char *mode;             /* "paper" or "live" */
    int heartbeat_ms;             /* >= 10 */
};

/*
 * Creates a service over the open stores RUNTIME and HISTORICAL (both
 * required; they may be the same database opened twice). On success the
 * service owns both stores and closes them in tc_service_free; on failure
 * the caller keeps them. *OUT owned by the caller. TC_ECONFIG for bad options.
 */
int tc_service_new(const struct tc_service_options *opt, struct tc_store *runtime,
                   struct tc_store *historical, struct tc_service **out,
                   struct tc_error *err);

/*
 * Checks both stores against their embedded migrations: 0 when both are at
 * the latest version; TC_ESTATE naming the store and the pending versions
 * ("runtime store: 2 migrations pending (0002, 0003): run `tradecore db
 * migrate`"), or the error of tc_migrate_status (TC_ECHECKSUM, TC_EUNAVAIL…).
 */
int tc_service_check_migrations(struct tc_service *svc, struct tc_error *err);

/* Adds a route to the service's server (see tc_http_route); before start. */
int tc_service_add_route(struct tc_service *svc, const char *method, const char *pattern,
                         unsigned flags, tc_http_handler fn, void *ud, struct tc_error *err);

/* Starts the heartbeat and the server. */
int tc_service_start(struct tc_service *svc, struct tc_error *err);
/* Graceful stop of the server (see tc_http_server_stop), then the heartbeat. */
int tc_service_stop(struct tc_service *svc, struct tc_error *err);
/* Stops if needed, closes the stores, frees. NULL allowed. */
void tc_service_free(struct tc_service *svc);

void tc_service_set_role(struct tc_service *svc, enum tc_service_role role);
enum tc_service_role tc_service_role(const struct tc_service *svc);

/* Borrowed pointers, valid until tc_service_free. */
struct tc_http_server *tc_service_http(struct tc_service *svc);
struct tc_metrics *tc_service_metrics(struct tc_service *svc);
struct tc_store *tc_service_runtime(struct tc_service *svc);
struct tc_store *tc_service_historical(struct tc_service *svc);

#endif
