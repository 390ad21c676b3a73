/*
 * Fuzz target: the request path of the HTTP service (http.h, service.h).
 *
 * http.h has no request entry point short of a socket (libmicrohttpd parses
 * the request), so the target runs the real thing: once per process it
 * starts a tc_service on 127.0.0.1 (a free port, two migrated in-memory
 * SQLite stores, the token "tok-fuzz", a 8192-byte body limit) with its own routes
 * (/ping, /health, /ready, /metrics, /system, /db/status) and two more:
 *   POST /fuzz/signals    token or passphrase; the body through
 *                         tc_signal_parse and tc_http_req_check_passphrase,
 *                         answered with the outcome JSON, the request's
 *                         X-Echo header copied into the reply's headers;
 *   GET  /fuzz/items/{id} token; method, path, route, id param, ?q= and
 *                         X-Echo echoed as JSON.
 * Each input is sent as raw bytes (method, headers, body: one or more
 * requests) on a new connection, whose write side is then shut; the reply
 * is read to its end. Properties: the server answers and closes within 10 s
 * (it has seen the client's EOF; an incomplete request is not waited for),
 * whatever it sends starts with "HTTP/1.", and it keeps serving (the next
 * input connects). TC_FUZZ_VERBOSE=1 prints each reply. ASan and UBSan watch the server's threads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "tradecore/http.h"
#include "tradecore/migrate.h"
#include "tradecore/service.h"
#include "tradecore/signal.h"
#include "tradecore/store.h"

#include "internal/banned.h"

static struct tc_service *svc;
static int port;

static void on_signal(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_signal sig;
    struct tc_signal_outcome o;
    struct tc_error err;
    char json[TC_SIGNAL_OUTCOME_JSON_MAX];
    const char *echo = tc_http_req_header(req, "X-Echo");
    size_t len = 0;
    const char *body = tc_http_req_body(req, &len);
    int n;

    (void)ud;
    if (echo)
        tc_http_resp_header(resp, "X-Echo", echo); /* CR/LF refused by the setter */
    if (tc_signal_parse(body, len, &sig, &err) != 0) {
        tc_http_resp_error(resp, 400, "bad_signal", "%s", err.msg);
        return;
    }
    if (tc_http_req_check_passphrase(req, &sig, &err) != 0) {
        tc_signal_wipe_passphrase(&sig);
        tc_http_resp_error(resp, 401, "unauthorized", "%s", err.msg);
        return;
    }
    tc_signal_wipe_passphrase(&sig);
    memset(&o, 0, sizeof(o));
    o.status = TC_SIGNAL_ACCEPTED;
    if (tc_signal_fingerprint(&sig, o.fingerprint) != 0)
        tc_fuzz_fail("fingerprint failed");
    snprintf(o.position_id, sizeof(o.position_id), "%s", sig.portfolio);
    n = tc_signal_outcome_json(&o, json, sizeof(json), &err);
    if (n < 0)
        tc_fuzz_fail("outcome json failed: %s", err.msg);
    tc_http_resp_status(resp, 201);
    tc_http_resp_body(resp, "application/json", json, (size_t)n);
}

static void on_item(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    json_t *j = json_object();
    const char *q = tc_http_req_query(req, "q");
    const char *echo = tc_http_req_header(req, "X-Echo");

    (void)ud;
    json_object_set_new(j, "method", json_string(tc_http_req_method(req)));
    json_object_set_new(j, "path", json_string(tc_http_req_path(req)));
    json_object_set_new(j, "route", json_string(tc_http_req_route(req)));
    json_object_set_new(j, "request_id", json_string(tc_http_req_id(req)));
    json_object_set_new(j, "id", json_string(tc_http_req_param(req, "id")));
    json_object_set_new(j, "q", q ? json_string(q) : json_null());
    json_object_set_new(j, "echo", echo ? json_string(echo) : json_null());
    tc_http_resp_json(resp, 200, j);
    json_decref(j);
}

static void stop_server(void)
{
    tc_service_free(svc);
    svc = NULL;
}

static void start_server(void)
{
    struct tc_service_options so;
    struct tc_store *rt = NULL, *hi = NULL;
    struct tc_error err;

    tc_fuzz_quiet();
    memset(&so, 0, sizeof(so));
    tc_http_options_default(&so.http);
    so.http.listen = "127.0.0.1:0";
    so.http.threads = 2;
    so.http.body_limit = 8192;
    so.http.tokens = "tok-fuzz";
    so.http.stop_timeout_ms = 2000;
    so.mode = "paper";
    so.heartbeat_ms = 1000;
    if (tc_store_open("sqlite::memory:", NULL, &rt, &err) != 0 ||
        tc_store_open("sqlite::memory:", NULL, &hi, &err) != 0)
        tc_fuzz_fail("stores: %s", err.msg);
    if (tc_migrate_latest(rt, "runtime", &err) != 0 ||
        tc_migrate_latest(hi, "historical", &err) != 0)
        tc_fuzz_fail("migrations: %s", err.msg);
    if (tc_service_new(&so, rt, hi, &svc, &err) != 0)
        tc_fuzz_fail("service: %s", err.msg);
    if (tc_service_add_route(svc, "POST", "/fuzz/signals", TC_HTTP_AUTH_OR_PASSPHRASE,
                             on_signal, NULL, &err) != 0 ||
        tc_service_add_route(svc, "GET", "/fuzz/items/{id}", TC_HTTP_AUTH, on_item, NULL,
                             &err) != 0)
        tc_fuzz_fail("routes: %s", err.msg);
    tc_service_set_role(svc, TC_ROLE_LEADER);
    if (tc_service_start(svc, &err) != 0)
        tc_fuzz_fail("start: %s", err.msg);
    port = tc_http_server_port(tc_service_http(svc));
    atexit(stop_server);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sockaddr_in sa;
    struct timeval tv = {10, 0};
    static char reply[1 << 20];
    size_t got = 0, off = 0;
    int fd;

    if (!svc)
        start_server();
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        tc_fuzz_fail("socket: %s", strerror(errno));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        tc_fuzz_fail("the server stopped accepting: %s", strerror(errno));
    while (off < size) {
        ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE || errno == ECONNRESET)
                break; /* the server answered early (413, 400) and closed */
            tc_fuzz_fail("send: %s", strerror(errno));
        }
        off += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    for (;;) {
        /* the server must answer what it can and close: it saw our EOF */
        struct pollfd pfd = {fd, POLLIN, 0};
        ssize_t n;
        int pr = poll(&pfd, 1, 10000);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0) {
            tc_fuzz_fail("no complete answer and no close within 10 s (got %zu: %.*s)", got,
                         (int)(got < 200 ? got : 200), reply);
        }
        n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            if (errno == ECONNRESET)
                break;
            tc_fuzz_fail("recv: %s", strerror(errno));
        }
        got += (size_t)n;
        if (got == sizeof(reply) - 1)
            tc_fuzz_fail("more than %zu bytes of replies", got);
    }
    close(fd);
    reply[got] = '\0';
    if (getenv("TC_FUZZ_VERBOSE"))
        fprintf(stderr, "%s\n", reply);
    if (got > 0 && (got < 7 || memcmp(reply, "HTTP/1.", 7) != 0))
        tc_fuzz_fail("the reply does not start with a status line: %.40s", reply);
    return 0;
}
