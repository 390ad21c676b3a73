/*
 * tradecore serve [--listen ADDR:PORT] [--port-file FILE]: opens the stores
 * from configuration, refuses to start while migrations are pending, serves
 * HTTP until SIGTERM or SIGINT (then stops gracefully and closes the stores),
 * and reopens the log file on SIGHUP. The signals are blocked in every thread
 * and taken by sigtimedwait() in this one, so no handler runs inside the library.
 *
 * The trading routes (api.h) run over a ledger in the mode of server.mode:
 * paper orders go to the simulator broker (filled by POST /v1/bars), live
 * orders stay NEW until an external broker exists; every heartbeat the
 * main thread also feeds bars stored by `tradecore ingest prices` to the
 * paper broker (tc_api_poll_bars). Leadership (leader.h):
 * a sqlite store admits one serve (file lock: a second one exits 1); on
 * PostgreSQL the instance holding the advisory lock writes, the others
 * answer reads and send writes away with 503 (server.lease_ms).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tradecore/api.h"
#include "tradecore/clock.h"
#include "tradecore/broker_sim.h"
#include "tradecore/http.h"
#include "tradecore/leader.h"
#include "tradecore/ledger.h"
#include "tradecore/log.h"
#include "tradecore/service.h"
#include "internal/banned.h"

static const char usage_text[] =
    "usage: tradecore serve [--listen ADDR:PORT] [--port-file FILE]\n"
    "  --listen ADDR:PORT   override server.listen (port 0: any free port)\n"
    "  --port-file FILE     write the bound port to FILE once listening\n";

/* Writes PORT to PATH through a temporary file and rename, so that a reader
 * never sees it half written. */
static int write_port_file(const char *path, int port, struct tc_error *err)
{
    char tmp[4096];
    FILE *f;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return tc_error_set(err, TC_EINVAL, "--port-file %.64s: path too long", path);
    if (!(f = fopen(tmp, "w")))
        return tc_error_set(err, TC_EIO, "--port-file %s: %s", path, strerror(errno));
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return tc_error_set(err, TC_EIO, "--port-file %s: %s", path, strerror(e));
    }
    return 0;
}

struct role_ctx {
    struct tc_service *svc;
    struct tc_api *api;
};

/* From the leader's thread: settle the role; a new leader resumes the
 * working orders of the ledger before it takes writes. */
static void on_role(void *ud, int is_leader, int64_t epoch)
{
    struct role_ctx *c = ud;
    struct tc_error err = {0};
    size_t n = 0;

    if (is_leader && c->api && tc_api_on_leader(c->api, &n, &err) != 0)
        TC_LOG_ERROR("serve", "resuming orders", TC_LF_STR("error", tc_error_msg(&err)));
    else if (is_leader)
        TC_LOG_INFO("serve", "working orders resumed", TC_LF_INT("orders", (int64_t)n));
    tc_service_set_role(c->svc, is_leader ? TC_ROLE_LEADER : TC_ROLE_FOLLOWER);
    TC_LOG_INFO("serve", "role", TC_LF_STR("role", is_leader ? "leader" : "follower"),
                TC_LF_INT("epoch", epoch));
}

static const char *cfg_or_null(struct tc_cli *cli, const char *key)
{
    const char *v = tc_config_str(cli->cfg, key);
    return v && *v ? v : NULL;
}

int tc_cmd_serve(struct tc_cli *cli, int argc, char **argv)
{
    struct tc_service_options so;
    struct tc_store *rt = NULL, *hi = NULL;
    struct tc_service *svc = NULL;
    struct tc_leader *leader = NULL;
    struct tc_ledger *ledger = NULL;
    struct tc_broker *broker = NULL;
    struct tc_api *api = NULL;
    struct role_ctx rctx = {0};
    struct tc_offset_clock oclock;   /* testing.clock_offset_file: the wall clock shifted */
    const char *offset_file = NULL;
    const struct tc_clock *clock = NULL;
    struct tc_error err = {0};
    const char *listen = NULL, *port_file = NULL;
    sigset_t set;
    int rc = TC_EXIT_FAIL, sig = 0;

    for (int i = 1; i < argc; i++) {
        if (tc_cli_is_help(argv[i])) {
            fputs(usage_text, cli->out);
            return TC_EXIT_OK;
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc) {
            port_file = argv[++i];
        } else {
            fputs(usage_text, cli->err);
            return tc_cli_usage(cli, "unknown or incomplete option '%s'", argv[i]);
        }
    }

    memset(&so, 0, sizeof(so));
    tc_http_options_default(&so.http);
    so.http.listen = listen ? listen : tc_config_str(cli->cfg, "server.listen");
    so.http.threads = (int)tc_config_int(cli->cfg, "server.threads");
    so.http.body_limit = (size_t)tc_config_int(cli->cfg, "server.body_limit");
    so.http.tokens = cfg_or_null(cli, "server.tokens");
    so.http.allow_ips = cfg_or_null(cli, "server.allow_ips");
    so.http.tls_cert = cfg_or_null(cli, "server.tls_cert");
    so.http.tls_key = cfg_or_null(cli, "server.tls_key");
    so.http.tls_client_ca = cfg_or_null(cli, "server.tls_client_ca");
    so.mode = tc_config_str(cli->cfg, "server.mode");
    so.heartbeat_ms = (int)tc_config_int(cli->cfg, "server.heartbeat_ms");
    if (so.http.tls_cert && tc_http_tls_check(&err) != 0)
        return tc_cli_fail(cli, &err);

    tc_offset_clock_init(&oclock, NULL);
    if ((offset_file = cfg_or_null(cli, "testing.clock_offset_file")) != NULL) {
        if (tc_offset_clock_load(&oclock, offset_file, &err) != 0)
            return tc_cli_fail(cli, &err);
        clock = &oclock.clock;
        TC_LOG_WARN("serve", "testing.clock_offset_file is set: the wall clock is shifted "
                    "by the file's seconds (a test seam, never for production)",
                    TC_LF_STR("file", offset_file),
                    TC_LF_INT("offset_s", tc_offset_clock_offset(&oclock) / 1000000));
    }

    /* block the signals before any thread starts, so that all inherit the mask */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    if (tc_cli_open_store(cli, "runtime", &rt, &err) != 0 ||
        tc_cli_open_store(cli, "historical", &hi, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
        goto out;
    }
    if (tc_service_new(&so, rt, hi, &svc, &err) != 0) {
        rc = err.code == TC_ECONFIG ? tc_cli_usage(cli, "%s", tc_error_msg(&err))
                                    : tc_cli_fail(cli, &err);
        goto out;
    }
    rt = hi = NULL; /* the service owns them now */
    if (tc_service_check_migrations(svc, &err) != 0) {
        rc = tc_cli_failf(cli, "refusing to start: %s", tc_error_msg(&err));
        goto out;
    }
    if (!tc_config_str(cli->cfg, "server.tokens")[0])
        TC_LOG_WARN("serve", "server.tokens is empty: routes that need a token answer 401");
    {
        struct tc_leader_options lo = {0};
        struct tc_ledger_options ledo;
        struct tc_api_options ao = {0};
        int paper = strcmp(so.mode, "paper") == 0;

        lo.runtime = tc_service_runtime(svc);
        lo.runtime_url = tc_config_str(cli->cfg, "database.runtime.url");
        lo.mode = paper ? "PAPER" : "LIVE";
        lo.heartbeat_ms = so.heartbeat_ms;
        lo.lease_ms = (int)tc_config_int(cli->cfg, "server.lease_ms");
        lo.clock = clock;
        if (tc_leader_new(&lo, &leader, &err) != 0) {
            rc = tc_cli_failf(cli, "refusing to start: %s", tc_error_msg(&err));
            goto out;
        }
        if (paper) {
            struct tc_broker_sim_options bo;
            tc_broker_sim_options_default(&bo);
            /* execution ids must not repeat those of an earlier run */
            snprintf(bo.id_prefix, sizeof(bo.id_prefix), "p%lld-%ld",
                     (long long)(tc_clock_now(tc_clock_system()) / 1000), (long)getpid());
            if (tc_broker_sim_new(&bo, &broker, &err) != 0) {
                rc = tc_cli_fail(cli, &err);
                goto out;
            }
        }
        tc_ledger_options_default(&ledo);
        ledo.runtime = tc_service_runtime(svc);
        ledo.historical = tc_service_historical(svc);
        ledo.broker = broker;
        ledo.mode = paper ? TC_MODE_PAPER : TC_MODE_LIVE;
        ledo.actor = "serve";
        ledo.clock = clock;
        ledo.no_recovery = 1; /* the leader resumes orders once elected */
        ledo.fence = tc_leader_fence;
        ledo.fence_ud = leader;
        if (tc_ledger_open(&ledo, &ledger, &err) != 0) {
            rc = tc_cli_failf(cli, "opening the ledger: %s", tc_error_msg(&err));
            goto out;
        }
        ao.ledger = ledger;
        ao.broker = broker;
        ao.leader = leader;
        ao.paper = paper;
        if (tc_api_new(svc, &ao, &api, &err) != 0) {
            rc = tc_cli_fail(cli, &err);
            goto out;
        }
    }
    if (tc_service_start(svc, &err) != 0) {
        rc = tc_cli_fail(cli, &err);
        goto out;
    }
    tc_leader_set_address(leader, tc_http_server_address(tc_service_http(svc)));
    rctx.svc = svc;
    rctx.api = api;
    if (tc_leader_start(leader, on_role, &rctx, &err) != 0) {
        tc_service_stop(svc, NULL);
        rc = tc_cli_fail(cli, &err);
        goto out;
    }
    /* logged before the port file is written: a watcher that sees the file
     * finds the line */
    TC_LOG_INFO("serve", "listening",
                TC_LF_STR("address", tc_http_server_address(tc_service_http(svc))),
                TC_LF_INT("port", tc_http_server_port(tc_service_http(svc))),
                TC_LF_STR("mode", so.mode), TC_LF_BOOL("tls", so.http.tls_cert != NULL),
                TC_LF_INT("pid", getpid()));
    if (port_file && write_port_file(port_file, tc_http_server_port(tc_service_http(svc)),
                                     &err) != 0) {
        tc_service_stop(svc, NULL);
        rc = tc_cli_fail(cli, &err);
        goto out;
    }
    for (;;) {
        /* between signals, every heartbeat: bars ingested into the historical
         * store reach the paper broker's working orders */
        struct timespec beat = {so.heartbeat_ms / 1000, (long)(so.heartbeat_ms % 1000) * 1000000L};
        sig = sigtimedwait(&set, NULL, &beat);
        if (sig < 0) {
            struct tc_error perr = {0};
            size_t fills = 0;
            if (offset_file) {
                int64_t before = tc_offset_clock_offset(&oclock);
                if (tc_offset_clock_load(&oclock, offset_file, &perr) != 0)
                    TC_LOG_WARN("serve", "clock offset", TC_LF_STR("error", tc_error_msg(&perr)));
                else if (tc_offset_clock_offset(&oclock) != before)
                    TC_LOG_WARN("serve", "wall clock offset changed",
                                TC_LF_INT("offset_s", tc_offset_clock_offset(&oclock) / 1000000));
            }
            if (tc_api_poll_bars(api, &fills, &perr) != 0)
                TC_LOG_WARN("serve", "polling bars", TC_LF_STR("error", tc_error_msg(&perr)));
            else if (fills)
                TC_LOG_INFO("serve", "stored bars filled orders", TC_LF_INT("fills", (int64_t)fills));
            continue;
        }
        if (sig == SIGHUP) {
            struct tc_error lerr = {0};
            if (tc_log_reopen(&lerr) != 0)
                TC_LOG_ERROR("serve", "log reopen failed", TC_LF_STR("error", tc_error_msg(&lerr)));
            else
                TC_LOG_INFO("serve", "log reopened");
            continue;
        }
        break;
    }
    TC_LOG_INFO("serve", "stopping", TC_LF_STR("signal", sig == SIGINT ? "SIGINT" : "SIGTERM"));
    if (tc_service_stop(svc, &err) != 0)
        TC_LOG_WARN("serve", "stop", TC_LF_STR("error", tc_error_msg(&err)));
    rc = TC_EXIT_OK;
    TC_LOG_INFO("serve", "stopped");
out:
    if (port_file && rc == TC_EXIT_OK)
        unlink(port_file);
    if (svc)
        tc_service_stop(svc, NULL); /* no handler runs past here */
    tc_leader_free(leader);     /* stops its thread before the ledger goes */
    tc_api_free(api);
    tc_ledger_close(ledger);
    tc_broker_free(broker);
    tc_service_free(svc);
    tc_store_close(rt);
    tc_store_close(hi);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return rc;
}
