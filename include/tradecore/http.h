/*
 * The HTTP server under `tradecore serve`: libmicrohttpd behind a small API
 * of routes, requests and responses.
 *
 * A server listens on one address ("127.0.0.1:8080", "[::1]:8080", port 0 =
 * a free port; tc_http_server_port() tells which), serves requests from a
 * pool of threads, and dispatches each to the handler of the first route
 * whose method and path pattern match. A pattern is a path whose segments may
 * be "{name}": "/orders/{id}" matches "/orders/42" with param id = "42".
 *
 * Before a handler runs the server answers, as JSON {"error": "...",
 * "detail": "..."}:
 *   403 forbidden           the remote address is not in the allow-list
 *                           (or a required client certificate is missing)
 *   404 not_found           no route has the path
 *   405 method_not_allowed  a route has the path but not the method (Allow lists them)
 *   503 unavailable         the gate (tc_http_server_set_gate) says so, with Retry-After
 *   401 unauthorized        the route needs a token and none valid was given
 *                           (WWW-Authenticate: Bearer)
 *   413 payload_too_large   the body exceeds the body limit: a Content-Length
 *                           over it is refused before any byte is read; a
 *                           chunked body is discarded past the limit
 *   415 unsupported_media_type  a POST, PUT or PATCH whose Content-Type is not
 *                           application/json (parameters such as charset allowed)
 *   400 bad_json            the body of such a request is not JSON; detail
 *                           gives line, column and jansson's reason
 * Order: allow-list, route, gate, auth, size, media type, JSON.
 *
 * Every response carries X-Request-Id: the request's own when it is sane (1
 * to 64 characters of A-Z a-z 0-9 . _ - :), else a generated UUID. Every
 * request is logged as one record (component "http", msg "request") with
 * method, route (the pattern, "-" when none matched), path, status,
 * latency_us, request_id and remote; and counted in the metrics registry
 * given to the server (tradecore_http_requests_total{route,method,status},
 * tradecore_http_request_duration_seconds{route}).
 *
 * Ownership: everything reachable from a request (path, params, headers,
 * body, parsed JSON, tc_http_req_alloc memory) belongs to the request and
 * is freed when the response has been sent. Handlers copy what they keep.
 * Response setters copy their arguments.
 *
 * Thread-safety: routes are added before tc_http_server_start and not after.
 * Handlers run concurrently on the pool's threads. tc_http_server_stop may be
 * called from any thread but a handler's.
 */
#ifndef TRADECORE_HTTP_H
#define TRADECORE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tradecore/error.h"
#include "tradecore/metrics.h"

struct tc_http_server;
struct tc_http_req;
struct tc_http_resp;
struct tc_signal;

/* Longest request id kept from X-Request-Id (characters). */
#define TC_HTTP_REQUEST_ID_MAX 64

struct tc_http_options {
    const char *listen;        /* "HOST:PORT", "[V6]:PORT"; port 0 = any free port */
    int threads;               /* worker threads, 1..1024 */
    size_t body_limit;         /* largest request body in bytes, >= 1 */
    const char *tokens;        /* comma-separated bearer tokens; NULL/"" = none
                                * (then every route that needs a token answers 401) */
    const char *allow_ips;     /* comma-separated addresses and CIDRs; NULL/"" = all */
    const char *tls_cert;      /* PEM files: both set = HTTPS, neither = HTTP */
    const char *tls_key;
    const char *tls_client_ca; /* PEM CA file: require a client certificate it signed */
    int stop_timeout_ms;       /* graceful stop waits this long for requests in flight */
    struct tc_metrics *metrics; /* NULL = none; the server registers its metrics there */
};
/* listen 127.0.0.1:8080, 4 threads, body limit 65536, stop timeout 30000 ms,
 * everything else NULL. */
void tc_http_options_default(struct tc_http_options *opt);

/* Route flags. */
enum {
    TC_HTTP_PUBLIC = 0,          /* no credentials needed (liveness, metrics) */
    TC_HTTP_AUTH = 1 << 0,       /* a bearer token from `tokens` is required */
    /* a bearer token, or a `passphrase` in the JSON body that the handler
     * checks with tc_http_req_check_passphrase (webhooks that cannot set
     * headers): the server lets the request through without a token */
    TC_HTTP_AUTH_OR_PASSPHRASE = 1 << 1
};

/* A handler fills RESP; when it sets nothing the reply is 204 with no body.
 * UD is the pointer given to tc_http_route. */
typedef void (*tc_http_handler)(struct tc_http_req *req, struct tc_http_resp *resp, void *ud);

/*
 * Checks OPT (listen address syntax, thread and body limits, allow-list
 * entries, TLS files readable and TLS supported by libmicrohttpd) and
 * allocates a server that is not yet listening. *OUT is owned by the caller
 * (tc_http_server_free). TC_ECONFIG naming the option for bad values.
 */
int tc_http_server_new(const struct tc_http_options *opt, struct tc_http_server **out,
                       struct tc_error *err);

/*
 * Adds a route. METHOD is "GET", "POST", …; PATTERN starts with "/", its
 * "{name}" segments are parameters. FLAGS are the TC_HTTP_* above.
 * TC_EINVAL for a malformed pattern, TC_ECONFLICT for a method and pattern
 * already routed, TC_ESTATE once the server has started.
 */
int tc_http_route(struct tc_http_server *s, const char *method, const char *pattern,
                  unsigned flags, tc_http_handler fn, void *ud, struct tc_error *err);

/*
 * The 503 hook: before a handler that is not TC_HTTP_PUBLIC runs, GATE(UD, …)
 * is asked; a nonzero return answers 503 with `Retry-After: *RETRY_AFTER_S`
 * (default 1) and DETAIL as the detail. NULL removes it. Set before start.
 */
typedef int (*tc_http_gate_fn)(void *ud, const struct tc_http_req *req, int *retry_after_s,
                               char *detail, size_t cap);
void tc_http_server_set_gate(struct tc_http_server *s, tc_http_gate_fn gate, void *ud);

/* Binds and starts serving. TC_EIO naming the address when it cannot bind. */
int tc_http_server_start(struct tc_http_server *s, struct tc_error *err);
/* The bound port (after start), else 0. */
int tc_http_server_port(const struct tc_http_server *s);
/* The bound address as "HOST:PORT" ("[::1]:PORT" for IPv6), "" before start. */
const char *tc_http_server_address(const struct tc_http_server *s);
/* Requests being handled right now. */
int tc_http_server_in_flight(const struct tc_http_server *s);

/*
 * Graceful stop: closes the listening socket (new connections are refused),
 * waits for requests in flight to finish (at most stop_timeout_ms), then
 * stops the threads. Returns 0, or TC_ETIMEOUT when requests were still
 * running at the deadline (they are cut). Idempotent.
 */
int tc_http_server_stop(struct tc_http_server *s, struct tc_error *err);
/* Stops (if running) and frees. NULL allowed. */
void tc_http_server_free(struct tc_http_server *s);

/* ---- requests ---- */

const char *tc_http_req_method(const struct tc_http_req *r);
const char *tc_http_req_path(const struct tc_http_req *r);
const char *tc_http_req_route(const struct tc_http_req *r);     /* the matched pattern */
const char *tc_http_req_id(const struct tc_http_req *r);
const char *tc_http_req_remote(const struct tc_http_req *r);    /* "127.0.0.1", "::1" */
/* A path parameter by name, a query parameter (first of that name), a header
 * (case-insensitive). NULL when absent. */
const char *tc_http_req_param(const struct tc_http_req *r, const char *name);
const char *tc_http_req_query(const struct tc_http_req *r, const char *name);
const char *tc_http_req_header(const struct tc_http_req *r, const char *name);
/* The raw body (NUL-terminated, *LEN bytes without it; "" when none). */
const char *tc_http_req_body(const struct tc_http_req *r, size_t *len);
/* The parsed JSON body of a POST/PUT/PATCH (borrowed), else NULL. */
json_t *tc_http_req_json(const struct tc_http_req *r);
/* Whether a valid bearer token came with the request. */
int tc_http_req_has_token(const struct tc_http_req *r);
/* N bytes from the request's arena, freed with the request; NULL when out of memory. */
void *tc_http_req_alloc(struct tc_http_req *r, size_t n);

/*
 * For TC_HTTP_AUTH_OR_PASSPHRASE routes: 0 when the request carried a valid
 * bearer token, or SIG's passphrase matches one of the tokens (each compared
 * in constant time through tc_signal_check_passphrase); TC_EAUTH otherwise,
 * never quoting a secret. The handler then answers 401 (tc_http_resp_error).
 */
int tc_http_req_check_passphrase(const struct tc_http_req *r, const struct tc_signal *sig,
                                 struct tc_error *err);

/* ---- responses ---- */

void tc_http_resp_status(struct tc_http_resp *resp, int status);
/* Copies LEN bytes of BODY (LEN (size_t)-1: NUL-terminated) with CONTENT_TYPE.
 * TC_ENOMEM. */
int tc_http_resp_body(struct tc_http_resp *resp, const char *content_type, const char *body,
                      size_t len);
/* Sets STATUS and the compact JSON of J (not stolen: the caller keeps it). */
int tc_http_resp_json(struct tc_http_resp *resp, int status, const json_t *j);
/* STATUS with {"error": ERROR, "detail": printf(FMT, ...)}. */
int tc_http_resp_error(struct tc_http_resp *resp, int status, const char *error,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Adds a header (copied). Up to 16 extra headers; TC_ERANGE past them, TC_EINVAL
 * for CR or LF in NAME or VALUE. */
int tc_http_resp_header(struct tc_http_resp *resp, const char *name, const char *value);

/* ---- helpers ---- */

/*
 * Constant-time equality of A[0..ALEN) and B[0..BLEN): both are hashed with
 * SHA-256 and the digests compared with CRYPTO_memcmp, so the time depends on
 * neither the content nor where they differ. 1 equal, 0 not.
 */
int tc_http_secret_equal(const char *a, size_t alen, const char *b, size_t blen);

/* Whether TOKEN matches one of the comma-separated TOKENS (all compared, in
 * constant time each; blanks around commas ignored; empty entries never match). */
int tc_http_token_match(const char *tokens, const char *token, size_t len);

/*
 * An IP allow-list parsed from "10.0.0.0/8, ::1, 192.168.1.7". NULL or ""
 * allows everything. TC_ECONFIG naming the bad entry. *OUT owned by the caller.
 */
struct tc_http_acl;
int tc_http_acl_parse(const char *list, struct tc_http_acl **out, struct tc_error *err);
/* Whether ADDR (textual IPv4 or IPv6; IPv4-mapped IPv6 counts as IPv4) is allowed. */
int tc_http_acl_allows(const struct tc_http_acl *acl, const char *addr);
void tc_http_acl_free(struct tc_http_acl *acl);

/* Whether this libmicrohttpd was built with TLS support (0 too when it
 * cannot be loaded: tc_http_tls_check says which). */
int tc_http_tls_supported(void);
/* 0 when the server can serve TLS; else TC_EUNAVAIL when libmicrohttpd
 * cannot be loaded (the message names it, its soname and the reason), or
 * TC_ECONFIG "server.tls_cert: this libmicrohttpd was built without TLS
 * support". */
int tc_http_tls_check(struct tc_error *err);

#endif
