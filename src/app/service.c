/*
 * The service: the HTTP server with the endpoints that need no ledger
 * (/ping, /health, /ready, /system, /db/status, /metrics), the two stores,
 * the metrics registry and a heartbeat thread that pings the stores and
 * checks their migrations every heartbeat_ms, so that /ready answers from
 * memory.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tradecore/clock.h"
#include "tradecore/migrate.h"
#include "tradecore/service.h"
#include "internal/banned.h"

#ifndef TC_VERSION
#define TC_VERSION "0.0.0"
#endif

enum { RUNTIME = 0, HISTORICAL = 1, N_STORES = 2 };
static const char *const store_names[N_STORES] = {"runtime", "historical"};

struct tc_service {
    struct tc_http_server *http;
    struct tc_metrics *metrics;
    struct tc_store *store[N_STORES];
    struct tc_migration_set *set[N_STORES];
    char mode[16];
    int heartbeat_ms;
    atomic_int role;
    atomic_int up[N_STORES];        /* last heartbeat: reachable */
    atomic_int current[N_STORES];   /* last heartbeat: migrations current */
    atomic_llong last_beat_us;      /* wall clock of the last heartbeat, 0 = none */
    atomic_llong last_beat_mono_us; /* its monotonic time: the age (a wall-clock jump
                                     * must not make the heartbeat look stale or new) */
    int64_t started_mono_us;
    pthread_t beat;
    int beat_running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stopping;
};

const char *tc_service_role_name(enum tc_service_role role)
{
    switch (role) {
    case TC_ROLE_LEADER:
        return "leader";
    case TC_ROLE_FOLLOWER:
        return "follower";
    default:
        return "unknown";
    }
}

static int64_t mono_us(void)
{
    return tc_clock_monotonic(tc_clock_system());
}

/* ---- store checks ---- */

struct store_check {
    int reachable;
    int64_t latency_us;
    char error[256];
    int schema_ok;           /* migrate_status worked */
    struct tc_migrate_status st;
};

static void check_store(struct tc_service *svc, int i, struct store_check *c)
{
    struct tc_error err = {0};
    int64_t t0 = mono_us();

    memset(c, 0, sizeof(*c));
    c->reachable = tc_store_ping(svc->store[i], &err) == 0;
    c->latency_us = mono_us() - t0;
    if (!c->reachable) {
        snprintf(c->error, sizeof(c->error), "%s", tc_error_msg(&err));
        return;
    }
    if (tc_migrate_status(svc->store[i], svc->set[i], &c->st, &err) == 0)
        c->schema_ok = 1;
    else
        snprintf(c->error, sizeof(c->error), "%s", tc_error_msg(&err));
}

static void *heartbeat(void *ud)
{
    struct tc_service *svc = ud;

    pthread_mutex_lock(&svc->mu);
    while (!svc->stopping) {
        struct timespec until;
        pthread_mutex_unlock(&svc->mu);
        for (int i = 0; i < N_STORES; i++) {
            struct store_check c;
            check_store(svc, i, &c);
            atomic_store(&svc->up[i], c.reachable);
            atomic_store(&svc->current[i], c.schema_ok && c.st.n_pending == 0 && !c.st.dirty);
            tc_migrate_status_release(&c.st);
        }
        atomic_store(&svc->last_beat_mono_us, mono_us());
        atomic_store(&svc->last_beat_us, tc_clock_now(tc_clock_system()));
        pthread_mutex_lock(&svc->mu);
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += svc->heartbeat_ms / 1000;
        until.tv_nsec += (long)(svc->heartbeat_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!svc->stopping && pthread_cond_timedwait(&svc->cv, &svc->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&svc->mu);
    return NULL;
}

/* ---- handlers ---- */

static void reply(struct tc_http_resp *resp, int status, json_t *j)
{
    if (!j || tc_http_resp_json(resp, status, j) != 0)
        tc_http_resp_error(resp, 500, "internal", "out of memory");
    json_decref(j);
}

static void h_ping(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    (void)req;
    (void)ud;
    tc_http_resp_body(resp, "application/json", "{\"status\":\"ok\"}", (size_t)-1);
}

static json_t *schema_json(const struct store_check *c)
{
    json_t *pending;

    if (!c->schema_ok)
        return json_null();
    pending = json_array();
    for (int k = 0; k < c->st.n_pending; k++)
        json_array_append_new(pending, json_integer(c->st.pending[k]));
    return json_pack("{s:i, s:i, s:o, s:b}", "current", c->st.current, "latest", c->st.latest,
                     "pending", pending, "dirty", c->st.dirty);
}

static void h_health(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_service *svc = ud;
    json_t *comps = json_object(), *j;
    int all_ok = 1;
    int role = atomic_load(&svc->role);
    int64_t last = atomic_load(&svc->last_beat_us);
    int64_t age_ms = last ? (mono_us() - atomic_load(&svc->last_beat_mono_us)) / 1000 : -1;
    int beat_ok = last && age_ms <= 3 * (int64_t)svc->heartbeat_ms + 1000;
    char ts[40] = "";

    (void)req;
    for (int i = 0; i < N_STORES; i++) {
        struct store_check c;
        int ok;
        check_store(svc, i, &c);
        ok = c.reachable && c.schema_ok && c.st.n_pending == 0 && !c.st.dirty;
        all_ok &= ok;
        json_object_set_new(comps, store_names[i],
                            json_pack("{s:s, s:s, s:b, s:o, s:s*}", "status", ok ? "ok" : "fail",
                                      "backend", tc_store_backend_name(svc->store[i]),
                                      "reachable", c.reachable, "schema", schema_json(&c),
                                      "error", c.error[0] ? c.error : NULL));
        tc_migrate_status_release(&c.st);
    }
    all_ok &= role != TC_ROLE_UNKNOWN && beat_ok;
    json_object_set_new(comps, "role",
                        json_pack("{s:s, s:s}", "status", role != TC_ROLE_UNKNOWN ? "ok" : "fail",
                                  "role", tc_service_role_name((enum tc_service_role)role)));
    if (last)
        tc_time_format(last, ts, sizeof(ts));
    json_object_set_new(comps, "heartbeat",
                        json_pack("{s:s, s:s?, s:I, s:i}", "status", beat_ok ? "ok" : "fail",
                                  "last", last ? ts : NULL, "age_ms", (json_int_t)age_ms,
                                  "interval_ms", svc->heartbeat_ms));
    j = json_pack("{s:s, s:s, s:o}", "status", all_ok ? "ok" : "fail", "mode", svc->mode,
                  "components", comps);
    reply(resp, all_ok ? 200 : 503, j);
}

static void h_ready(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_service *svc = ud;
    json_t *why = json_array();
    int ready;

    (void)req;
    if (!atomic_load(&svc->last_beat_us))
        json_array_append_new(why, json_string("stores not checked yet"));
    for (int i = 0; i < N_STORES; i++) {
        char msg[96];
        if (atomic_load(&svc->last_beat_us) && !atomic_load(&svc->up[i])) {
            snprintf(msg, sizeof(msg), "%s store unreachable", store_names[i]);
            json_array_append_new(why, json_string(msg));
        } else if (atomic_load(&svc->last_beat_us) && !atomic_load(&svc->current[i])) {
            snprintf(msg, sizeof(msg), "%s store migrations not current", store_names[i]);
            json_array_append_new(why, json_string(msg));
        }
    }
    if (atomic_load(&svc->role) == TC_ROLE_UNKNOWN)
        json_array_append_new(why, json_string("role not settled"));
    ready = json_array_size(why) == 0;
    if (ready) {
        json_decref(why);
        reply(resp, 200, json_pack("{s:b}", "ready", 1));
    } else {
        tc_http_resp_header(resp, "Retry-After", "1");
        reply(resp, 503, json_pack("{s:b, s:o}", "ready", 0, "reasons", why));
    }
}

/* The folder of a sqlite store's file, or "" for :memory: and postgres. */
static void sqlite_dir(struct tc_store *s, char *buf, size_t cap)
{
    const char *url = tc_store_url_redacted(s), *path, *slash;

    buf[0] = '\0';
    if (tc_store_backend(s) != TC_STORE_SQLITE || strncmp(url, "sqlite:", 7) != 0)
        return;
    path = url + 7;
    if (strncmp(path, "//", 2) == 0)
        path += 2;
    if (!*path || strcmp(path, ":memory:") == 0)
        return;
    slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, cap, ".");
    else if (slash == path)
        snprintf(buf, cap, "/");
    else
        snprintf(buf, cap, "%.*s", (int)(slash - path), path);
}

static void h_system(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_service *svc = ud;
    json_t *disks = json_array();
    double cpu = tc_metrics_process_cpu_seconds();

    (void)req;
    for (int i = 0; i < N_STORES; i++) {
        char dir[1024];
        struct statvfs vfs;
        sqlite_dir(svc->store[i], dir, sizeof(dir));
        if (!dir[0])
            continue;
        if (statvfs(dir, &vfs) != 0) {
            json_array_append_new(disks, json_pack("{s:s, s:s, s:s}", "store", store_names[i],
                                                   "path", dir, "error", strerror(errno)));
            continue;
        }
        json_array_append_new(disks, json_pack("{s:s, s:s, s:I, s:I}", "store", store_names[i],
                                               "path", dir, "free_bytes",
                                               (json_int_t)vfs.f_bavail * (json_int_t)vfs.f_frsize,
                                               "total_bytes",
                                               (json_int_t)vfs.f_blocks * (json_int_t)vfs.f_frsize));
    }
    reply(resp, 200,
          json_pack("{s:s, s:s, s:f, s:i, s:f, s:I, s:I, s:o}", "version", TC_VERSION, "mode",
                    svc->mode, "uptime_s", (double)(mono_us() - svc->started_mono_us) / 1e6,
                    "pid", (int)getpid(), "cpu_seconds", cpu < 0 ? 0.0 : cpu, "rss_bytes",
                    (json_int_t)tc_metrics_process_rss_bytes(), "open_fds",
                    (json_int_t)tc_metrics_process_open_fds(), "disk", disks));
}

static void h_db_status(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_service *svc = ud;
    json_t *stores = json_array();

    (void)req;
    for (int i = 0; i < N_STORES; i++) {
        struct store_check c;
        struct tc_store_pool_stats ps = {0};
        check_store(svc, i, &c);
        tc_store_pool_stats(svc->store[i], &ps);
        json_array_append_new(
            stores,
            json_pack("{s:s, s:s, s:s, s:b, s:I, s:o, s:{s:i, s:i, s:i, s:I}, s:s*}", "store",
                      store_names[i], "backend", tc_store_backend_name(svc->store[i]), "url",
                      tc_store_url_redacted(svc->store[i]), "reachable", c.reachable,
                      "latency_us", (json_int_t)c.latency_us, "schema", schema_json(&c), "pool",
                      "size", ps.size, "in_use", ps.in_use, "idle", ps.idle, "reconnects",
                      (json_int_t)ps.reconnects, "error", c.error[0] ? c.error : NULL));
        tc_migrate_status_release(&c.st);
    }
    reply(resp, 200, json_pack("{s:o}", "stores", stores));
}

static void h_metrics(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_service *svc = ud;
    struct tc_error err = {0};
    char *text = NULL;
    size_t len = 0;

    (void)req;
    if (tc_metrics_render(svc->metrics, &text, &len, &err) != 0) {
        tc_http_resp_error(resp, 500, "internal", "%s", tc_error_msg(&err));
        return;
    }
    tc_http_resp_body(resp, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

/* ---- lifecycle ---- */

int tc_service_new(const struct tc_service_options *opt, struct tc_store *runtime,
                   struct tc_store *historical, struct tc_service **out,
                   struct tc_error *err)
{
    struct tc_service *svc;
    struct tc_http_options ho = opt->http;
    int rc;

    *out = NULL;
    if (!runtime || !historical)
        return tc_error_set(err, TC_EINVAL, "service: both stores are required");
    if (!opt->mode || (strcmp(opt->mode, "paper") != 0 && strcmp(opt->mode, "live") != 0))
        return tc_error_set(err, TC_ECONFIG, "server.mode: \"%.32s\" is not paper or live",
                            opt->mode ? opt->mode : "(null)");
    if (opt->heartbeat_ms < 10)
        return tc_error_set(err, TC_ECONFIG, "server.heartbeat_ms: %d is below 10",
                            opt->heartbeat_ms);
    if (!(svc = calloc(1, sizeof(*svc))))
        return tc_error_set(err, TC_ENOMEM, "service: out of memory");
    pthread_mutex_init(&svc->mu, NULL);
    pthread_cond_init(&svc->cv, NULL);
    snprintf(svc->mode, sizeof(svc->mode), "%s", opt->mode);
    svc->heartbeat_ms = opt->heartbeat_ms;
    svc->started_mono_us = mono_us();
    svc->store[RUNTIME] = runtime;
    svc->store[HISTORICAL] = historical;
    for (int i = 0; i < N_STORES; i++)
        if ((rc = tc_migration_set_load_embedded(tc_store_backend_name(svc->store[i]),
                                                 store_names[i], &svc->set[i], err)) != 0)
            goto fail;
    if ((rc = tc_metrics_new(&svc->metrics, err)) != 0 ||
        (rc = tc_metrics_add_process(svc->metrics, err)) != 0)
        goto fail;
    ho.metrics = svc->metrics;
    if ((rc = tc_http_server_new(&ho, &svc->http, err)) != 0)
        goto fail;
    if ((rc = tc_http_route(svc->http, "GET", "/ping", TC_HTTP_PUBLIC, h_ping, svc, err)) != 0 ||
        (rc = tc_http_route(svc->http, "GET", "/health", TC_HTTP_PUBLIC, h_health, svc, err)) != 0 ||
        (rc = tc_http_route(svc->http, "GET", "/ready", TC_HTTP_PUBLIC, h_ready, svc, err)) != 0 ||
        (rc = tc_http_route(svc->http, "GET", "/metrics", TC_HTTP_PUBLIC, h_metrics, svc, err)) != 0 ||
        (rc = tc_http_route(svc->http, "GET", "/system", TC_HTTP_AUTH, h_system, svc, err)) != 0 ||
        (rc = tc_http_route(svc->http, "GET", "/db/status", TC_HTTP_AUTH, h_db_status, svc, err)) != 0)
        goto fail;
    *out = svc;
    return 0;
fail:
    /* the caller keeps the stores on failure */
    svc->store[RUNTIME] = svc->store[HISTORICAL] = NULL;
    tc_service_free(svc);
    return rc;
}

int tc_service_check_migrations(struct tc_service *svc, struct tc_error *err)
{
    for (int i = 0; i < N_STORES; i++) {
        struct tc_migrate_status st = {0};
        int rc = tc_migrate_status(svc->store[i], svc->set[i], &st, err);
        if (rc != 0)
            return tc_error_prefix(err, "%s store", store_names[i]);
        if (st.dirty) {
            tc_migrate_status_release(&st);
            return tc_error_set(err, TC_ESTATE,
                                "%s store: a migration is marked dirty: repair it before serving",
                                store_names[i]);
        }
        if (st.n_pending > 0) {
            char list[256] = "";
            size_t len = 0;
            for (int k = 0; k < st.n_pending && len < sizeof(list) - 16; k++)
                len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%04d", k ? ", " : "",
                                        st.pending[k]);
            rc = tc_error_set(err, TC_ESTATE,
                              "%s store: %d migration%s pending (%s): run `tradecore db migrate`",
                              store_names[i], st.n_pending, st.n_pending == 1 ? "" : "s", list);
            tc_migrate_status_release(&st);
            return rc;
        }
        tc_migrate_status_release(&st);
    }
    return 0;
}

int tc_service_add_route(struct tc_service *svc, const char *method, const char *pattern,
                         unsigned flags, tc_http_handler fn, void *ud, struct tc_error *err)
{
    return tc_http_route(svc->http, method, pattern, flags, fn, ud, err);
}

int tc_service_start(struct tc_service *svc, struct tc_error *err)
{
    int rc;

    if (svc->beat_running)
        return tc_error_set(err, TC_ESTATE, "service: already started");
    svc->stopping = 0;
    if (pthread_create(&svc->beat, NULL, heartbeat, svc) != 0)
        return tc_error_set(err, TC_EINTERNAL, "service: cannot start the heartbeat thread");
    svc->beat_running = 1;
    if ((rc = tc_http_server_start(svc->http, err)) != 0) {
        tc_service_stop(svc, NULL);
        return rc;
    }
    return 0;
}

int tc_service_stop(struct tc_service *svc, struct tc_error *err)
{
    int rc = tc_http_server_stop(svc->http, err);

    if (svc->beat_running) {
        pthread_mutex_lock(&svc->mu);
        svc->stopping = 1;
        pthread_cond_signal(&svc->cv);
        pthread_mutex_unlock(&svc->mu);
        pthread_join(svc->beat, NULL);
        svc->beat_running = 0;
    }
    return rc;
}

void tc_service_free(struct tc_service *svc)
{
    if (!svc)
        return;
    if (svc->http)
        tc_service_stop(svc, NULL);
    tc_http_server_free(svc->http);
    tc_metrics_free(svc->metrics);
    for (int i = 0; i < N_STORES; i++) {
        tc_migration_set_free(svc->set[i]);
        tc_store_close(svc->store[i]);
    }
    pthread_cond_destroy(&svc->cv);
    pthread_mutex_destroy(&svc->mu);
    free(svc);
}

void tc_service_set_role(struct tc_service *svc, enum tc_service_role role)
{
    atomic_store(&svc->role, (int)role);
}

enum tc_service_role tc_service_role(const struct tc_service *svc)
{
    return (enum tc_service_role)atomic_load(&((struct tc_service *)svc)->role);
}

struct tc_http_server *tc_service_http(struct tc_service *svc) { return svc->http; }
struct tc_metrics *tc_service_metrics(struct tc_service *svc) { return svc->metrics; }
struct tc_store *tc_service_runtime(struct tc_service *svc) { return svc->store[RUNTIME]; }
struct tc_store *tc_service_historical(struct tc_service *svc) { return svc->store[HISTORICAL]; }
