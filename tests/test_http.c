/* The HTTP server in-process on 127.0.0.1 port 0 with a libcurl client:
 * routing, path and query params, the JSON error answers (404, 405, 413,
 * 415, 400), huge bodies, request ids, bearer tokens and passphrases, the
 * allow-list, the 503 gate, graceful stop, request logs and metrics; plus
 * the metrics registry, the constant-time compare and the allow-list parser. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "tc_test.h"
#include "tradecore/http.h"
#include "tradecore/log.h"
#include "tradecore/metrics.h"
#include "tradecore/signal.h"

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)", needle);
}

/* ---- a tiny client ---- */

struct reply {
    long status;
    char *body;
    size_t len;
    char request_id[128];
    char www_auth[256];
    char allow[128];
    char retry_after[32];
    char ctype[128];
    CURLcode cc;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct reply *r = ud;
    char *nb = realloc(r->body, r->len + sz * n + 1);
    if (!nb)
        return 0;
    memcpy(nb + r->len, p, sz * n);
    r->len += sz * n;
    nb[r->len] = '\0';
    r->body = nb;
    return sz * n;
}

static void grab(const char *line, size_t n, const char *name, char *dst, size_t cap)
{
    size_t k = strlen(name);
    if (n > k + 1 && strncasecmp(line, name, k) == 0 && line[k] == ':') {
        const char *v = line + k + 1;
        size_t vn = n - k - 1;
        while (vn && *v == ' ')
            v++, vn--;
        while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n'))
            vn--;
        if (vn >= cap)
            vn = cap - 1;
        memcpy(dst, v, vn);
        dst[vn] = '\0';
    }
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct reply *r = ud;
    grab(p, sz * n, "X-Request-Id", r->request_id, sizeof(r->request_id));
    grab(p, sz * n, "WWW-Authenticate", r->www_auth, sizeof(r->www_auth));
    grab(p, sz * n, "Allow", r->allow, sizeof(r->allow));
    grab(p, sz * n, "Retry-After", r->retry_after, sizeof(r->retry_after));
    grab(p, sz * n, "Content-Type", r->ctype, sizeof(r->ctype));
    return sz * n;
}

struct call {
    const char *method;
    const char *path;
    const char *body;       /* NULL: none */
    size_t body_len;        /* 0: strlen(body) */
    const char *const *headers;
    int chunked;
};

static int port;

static struct reply http(const struct call *c)
{
    struct reply r = {0};
    CURL *h = curl_easy_init();
    struct curl_slist *hl = NULL;
    char url[512];

    assert_non_null(h);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, c->path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    for (const char *const *x = c->headers; x && *x; x++)
        hl = curl_slist_append(hl, *x);
    if (c->chunked)
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
    if (c->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
        if (!c->chunked)
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)(c->body_len ? c->body_len : strlen(c->body)));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    r.cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    return r;
}

static struct reply get(const char *path, const char *const *headers)
{
    struct call c = {"GET", path, NULL, 0, headers, 0};
    return http(&c);
}

static struct reply post(const char *path, const char *body, const char *const *headers)
{
    static const char *const json_ct[] = {"Content-Type: application/json", NULL};
    struct call c = {"POST", path, body, 0, headers ? headers : json_ct, 0};
    return http(&c);
}

/* Asserts a JSON error answer: status, error code, a detail containing NEEDLE. */
static void assert_error(struct reply *r, long status, const char *error, const char *needle)
{
    json_t *j, *e, *d;

    if (r->status != status)
        fail_msg("status %ld, want %ld (body %s)", r->status, status, r->body ? r->body : "");
    assert_contains(r->ctype, "application/json");
    j = json_loads(r->body ? r->body : "", 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 2);
    e = json_object_get(j, "error");
    d = json_object_get(j, "detail");
    assert_true(json_is_string(e) && json_is_string(d));
    assert_string_equal(json_string_value(e), error);
    assert_contains(json_string_value(d), needle);
    json_decref(j);
}

static void reply_free(struct reply *r)
{
    free(r->body);
    r->body = NULL;
}

/* GET PATH (or POST BODY to it) with HEADERS: a JSON error answer as
 * assert_error checks it; the reply is freed. */
static void get_error(const char *path, const char *const *headers, long status,
                      const char *error, const char *needle)
{
    struct reply r = get(path, headers);
    assert_error(&r, status, error, needle);
    reply_free(&r);
}

static void post_error(const char *path, const char *body, const char *const *headers,
                       long status, const char *error, const char *needle)
{
    struct reply r = post(path, body, headers);
    assert_error(&r, status, error, needle);
    reply_free(&r);
}

/* ---- handlers ---- */

static void h_ping(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    (void)req;
    (void)ud;
    tc_http_resp_body(resp, "application/json", "{\"status\":\"ok\"}", (size_t)-1);
}

static void h_item(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    const char *q = tc_http_req_query(req, "q");
    const char *hdr = tc_http_req_header(req, "x-thing");
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s}", "id", tc_http_req_param(req, "id"),
                          "sub", tc_http_req_param(req, "sub") ? tc_http_req_param(req, "sub") : "",
                          "route", tc_http_req_route(req), "path", tc_http_req_path(req), "q", q,
                          "thing", hdr, "method", tc_http_req_method(req));
    (void)ud;
    assert_non_null(j);
    tc_http_resp_json(resp, 200, j);
    tc_http_resp_header(resp, "X-Handled", "yes");
    json_decref(j);
}

static void h_echo(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    json_t *j = tc_http_req_json(req);
    size_t len;
    const char *raw = tc_http_req_body(req, &len);
    char *mem = tc_http_req_alloc(req, 100);
    json_t *out;

    (void)ud;
    assert_non_null(j);
    assert_non_null(mem);
    memset(mem, 'x', 100);
    out = json_pack("{s:O, s:i}", "got", j, "raw_len", (json_int_t)len);
    assert_int_equal(strlen(raw), len);
    tc_http_resp_json(resp, 201, out);
    json_decref(out);
}

static void h_secret(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    (void)ud;
    assert_true(tc_http_req_has_token(req));
    tc_http_resp_body(resp, "text/plain", "secret", 6);
}

/* A webhook: bearer token or a passphrase in the body. */
static void h_hook(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct tc_signal sig = {0};
    struct tc_error err = {0};
    const char *pp = json_string_value(json_object_get(tc_http_req_json(req), "passphrase"));

    (void)ud;
    if (pp && strlen(pp) < sizeof(sig.passphrase)) {
        snprintf(sig.passphrase, sizeof(sig.passphrase), "%s", pp);
        sig.has_passphrase = 1;
    }
    if (tc_http_req_check_passphrase(req, &sig, &err) != 0) {
        assert_int_equal(err.code, TC_EAUTH);
        tc_http_resp_error(resp, 401, "unauthorized", "%s", err.msg);
        return;
    }
    tc_http_resp_status(resp, 202);
}

static pthread_mutex_t slow_mu = PTHREAD_MUTEX_INITIALIZER;
static int slow_started;

static void h_slow(struct tc_http_req *req, struct tc_http_resp *resp, void *ud)
{
    struct timespec ts = {0, 600 * 1000 * 1000};
    (void)req;
    (void)ud;
    pthread_mutex_lock(&slow_mu);
    slow_started = 1;
    pthread_mutex_unlock(&slow_mu);
    nanosleep(&ts, NULL);
    tc_http_resp_body(resp, "text/plain", "done", 4);
}

static int gate_closed;
static int gate(void *ud, const struct tc_http_req *req, int *retry, char *detail, size_t cap)
{
    (void)ud;
    (void)req;
    if (!gate_closed)
        return 0;
    *retry = 7;
    snprintf(detail, cap, "leader election in progress");
    return 1;
}

/* ---- fixture ---- */

static char logpath[600];
static struct tc_metrics *reg;

static struct tc_http_server *start(const char *allow_ips, size_t body_limit)
{
    struct tc_http_options o;
    struct tc_http_server *s = NULL;
    struct tc_error err = {0};

    tc_http_options_default(&o);
    o.listen = "127.0.0.1:0";
    o.threads = 4;
    o.body_limit = body_limit;
    o.tokens = " tok-one , , tok-two";
    o.allow_ips = allow_ips;
    o.stop_timeout_ms = 5000;
    o.metrics = reg;
    tc_assert_ok(tc_http_server_new(&o, &s, &err), &err);
    tc_assert_ok(tc_http_route(s, "GET", "/ping", TC_HTTP_PUBLIC, h_ping, NULL, &err), &err);
    tc_assert_ok(tc_http_route(s, "GET", "/items/{id}", TC_HTTP_PUBLIC, h_item, NULL, &err), &err);
    tc_assert_ok(tc_http_route(s, "DELETE", "/items/{id}", TC_HTTP_PUBLIC, h_item, NULL, &err),
                 &err);
    tc_assert_ok(tc_http_route(s, "GET", "/items/{id}/parts/{sub}", TC_HTTP_PUBLIC, h_item, NULL,
                               &err), &err);
    tc_assert_ok(tc_http_route(s, "POST", "/echo", TC_HTTP_PUBLIC, h_echo, NULL, &err), &err);
    tc_assert_ok(tc_http_route(s, "GET", "/secret", TC_HTTP_AUTH, h_secret, NULL, &err), &err);
    tc_assert_ok(tc_http_route(s, "POST", "/hook", TC_HTTP_AUTH_OR_PASSPHRASE, h_hook, NULL, &err),
                 &err);
    tc_assert_ok(tc_http_route(s, "GET", "/slow", TC_HTTP_PUBLIC, h_slow, NULL, &err), &err);
    tc_http_server_set_gate(s, gate, NULL);
    tc_assert_ok(tc_http_server_start(s, &err), &err);
    port = tc_http_server_port(s);
    assert_true(port > 0);
    return s;
}

/* ---- tests ---- */

static void test_routing(void **state)
{
    struct tc_http_server *s = start(NULL, 65536);
    static const char *const hdr[] = {"X-Thing: widget", NULL};
    struct reply r;
    json_t *j;
    char addr[64];

    (void)state;
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    assert_string_equal(tc_http_server_address(s), addr);
    r = get("/ping", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\":\"ok\"}");
    assert_string_equal(r.ctype, "application/json");
    reply_free(&r);

    r = get("/items/ORCL-42?q=a%20b&q=second", hdr);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "ORCL-42");
    assert_string_equal(json_string_value(json_object_get(j, "route")), "/items/{id}");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/items/ORCL-42");
    assert_string_equal(json_string_value(json_object_get(j, "q")), "a b");
    assert_string_equal(json_string_value(json_object_get(j, "thing")), "widget");
    json_decref(j);
    reply_free(&r);

    r = get("/items/7/parts/9", NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "7");
    assert_string_equal(json_string_value(json_object_get(j, "sub")), "9");
    assert_true(json_is_null(json_object_get(j, "q")));
    json_decref(j);
    reply_free(&r);

    {
        struct call c = {"DELETE", "/items/x", NULL, 0, NULL, 0};
        r = http(&c);
        assert_int_equal(r.status, 200);
        assert_contains(r.body, "\"method\":\"DELETE\"");
        reply_free(&r);
    }
    r = post("/echo", "{\"a\": [1, 2]}", NULL);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "{\"got\":{\"a\":[1,2]},\"raw_len\":13}");
    reply_free(&r);
    tc_http_server_free(s);
}

static void test_errors(void **state)
{
    struct tc_http_server *s = start(NULL, 1024);
    static const char *const text_ct[] = {"Content-Type: text/plain", NULL};
    static const char *const charset_ct[] = {"Content-Type: Application/JSON ; charset=utf-8",
                                             NULL};
    static const char *const json_ct[] = {"Content-Type: application/json", NULL};
    static const char *const jsonp_ct[] = {"Content-Type: application/jsonp", NULL};
    struct reply r;
    char big[2000];

    (void)state;
    get_error("/nothing/here", NULL, 404, "not_found", "/nothing/here");
    get_error("/items", NULL, 404, "not_found", "/items");
    get_error("/items/1/2", NULL, 404, "not_found", "/items/1/2");

    r = post("/items/1", "{}", NULL);
    assert_error(&r, 405, "method_not_allowed", "POST is not allowed on /items/1");
    assert_string_equal(r.allow, "GET, DELETE");
    reply_free(&r);
    r = get("/echo", NULL);
    assert_error(&r, 405, "method_not_allowed", "GET");
    assert_string_equal(r.allow, "POST");
    reply_free(&r);

    post_error("/echo", "{}", text_ct,
               415, "unsupported_media_type", "\"text/plain\" is not application/json");
    post_error("/echo", "{}", jsonp_ct, 415, "unsupported_media_type", "application/jsonp");
    {
        static const char *const none[] = {"Content-Type:", NULL};
        post_error("/echo", "{}", none, 415, "unsupported_media_type", "(none)");
    }
    r = post("/echo", "{\"ok\": true}", charset_ct);
    assert_int_equal(r.status, 201);
    reply_free(&r);

    post_error("/echo", "{\"a\": 1,\n \"b\": }", json_ct, 400, "bad_json", "line 2, column");
    post_error("/echo", "", json_ct, 400, "bad_json", "line 1, column 0");
    post_error("/echo", "{\"a\": 1, \"a\": 2}", json_ct, 400, "bad_json", "duplicate object key");
    post_error("/echo", "{\"a\": NaN}", json_ct, 400, "bad_json", "line 1");
    {
        /* a NUL byte inside the body */
        struct call c = {"POST", "/echo", "{\"a\":\0}", 7, json_ct, 0};
        r = http(&c);
        assert_error(&r, 400, "bad_json", "line 1");
        reply_free(&r);
    }

    memset(big, ' ', sizeof(big));
    big[0] = '{';
    big[sizeof(big) - 2] = '}';
    big[sizeof(big) - 1] = '\0';
    post_error("/echo", big, json_ct,
               413, "payload_too_large", "1999 bytes is over the limit of 1024 bytes");
    {
        struct call c = {"POST", "/echo", big, 0, json_ct, 1};
        r = http(&c);
        assert_error(&r, 413, "payload_too_large", "over the limit of 1024 bytes");
        reply_free(&r);
    }
    /* exactly at the limit is fine */
    big[1022] = '}';
    big[1023] = '\0';
    r = post("/echo", big, json_ct);
    assert_int_equal(r.status, 201);
    reply_free(&r);
    r = get("/ping", NULL);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    tc_http_server_free(s);
}

/* The server's in-flight count once it settles: a request stops counting
 * in libmicrohttpd's completion callback, which may run just after the
 * client has its answer; waits up to 2 s for it to reach 0. */
static int in_flight_settled(const struct tc_http_server *s)
{
    for (int i = 0; i < 200 && tc_http_server_in_flight(s) != 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return tc_http_server_in_flight(s);
}

static void test_huge_body(void **state)
{
    struct tc_http_server *s = start(NULL, 65536);
    static const char *const json_ct[] = {"Content-Type: application/json", NULL};
    size_t n = 10 * 1024 * 1024;
    char *body = malloc(n + 1);
    struct reply r;

    (void)state;
    assert_non_null(body);
    memset(body, '1', n);
    body[0] = '[';
    body[n - 1] = ']';
    body[n] = '\0';
    post_error("/echo", body, json_ct,
               413, "payload_too_large", "10485760 bytes is over the limit of 65536");
    {
        struct call c = {"POST", "/echo", body, 0, json_ct, 1};
        r = http(&c);
        /* the server may close while curl still sends; it answers 413 or drops */
        if (r.cc == CURLE_OK)
            assert_error(&r, 413, "payload_too_large", "over the limit of 65536");
        reply_free(&r);
    }
    free(body);
    r = get("/ping", NULL);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    assert_int_equal(in_flight_settled(s), 0);
    tc_http_server_free(s);
}

static void test_request_id(void **state)
{
    struct tc_http_server *s = start(NULL, 65536);
    static const char *const given[] = {"X-Request-Id: abc-123_x.y:z", NULL};
    static const char *const spaced[] = {"X-Request-Id: has space", NULL};
    static const char *const quoted[] = {"X-Request-Id: a\"b", NULL};
    char longid[200], hdr[220], first[128];
    const char *longh[] = {hdr, NULL};
    struct reply r;

    (void)state;
    r = get("/ping", given);
    assert_string_equal(r.request_id, "abc-123_x.y:z");
    reply_free(&r);
    r = get("/nothing", given);   /* errors carry it too */
    assert_int_equal(r.status, 404);
    assert_string_equal(r.request_id, "abc-123_x.y:z");
    reply_free(&r);

    r = get("/ping", NULL);
    assert_int_equal(strlen(r.request_id), 36);
    assert_int_equal(r.request_id[8], '-');
    snprintf(first, sizeof(first), "%s", r.request_id);
    reply_free(&r);
    r = get("/ping", NULL);
    assert_int_equal(strlen(r.request_id), 36);
    assert_string_not_equal(r.request_id, first);
    reply_free(&r);

    r = get("/ping", spaced);
    assert_int_equal(strlen(r.request_id), 36);
    reply_free(&r);
    r = get("/ping", quoted);
    assert_int_equal(strlen(r.request_id), 36);
    reply_free(&r);
    memset(longid, 'a', 65);
    longid[65] = '\0';
    snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", longid);
    r = get("/ping", longh);
    assert_int_equal(strlen(r.request_id), 36);
    reply_free(&r);
    longid[64] = '\0';
    snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", longid);
    r = get("/ping", longh);
    assert_string_equal(r.request_id, longid);
    reply_free(&r);
    tc_http_server_free(s);
}

static void test_auth(void **state)
{
    struct tc_http_server *s = start(NULL, 65536);
    static const char *const good1[] = {"Authorization: Bearer tok-one", NULL};
    static const char *const good2[] = {"Authorization: bearer tok-two", NULL};
    static const char *const wrong[] = {"Authorization: Bearer tok-on", NULL};
    static const char *const basic[] = {"Authorization: Basic dG9rLW9uZQ==", NULL};
    static const char *const empty[] = {"Authorization: Bearer ", NULL};
    static const char *const json_ct[] = {"Content-Type: application/json", NULL};
    static const char *const hook_tok[] = {"Content-Type: application/json",
                                           "Authorization: Bearer tok-two", NULL};
    static const char *const hook_bad[] = {"Content-Type: application/json",
                                           "Authorization: Bearer nope", NULL};
    struct reply r;

    (void)state;
    r = get("/secret", NULL);
    assert_error(&r, 401, "unauthorized", "a bearer token is required");
    assert_contains(r.www_auth, "Bearer");
    reply_free(&r);
    r = get("/secret", wrong);
    assert_error(&r, 401, "unauthorized", "not valid");
    assert_contains(r.www_auth, "invalid_token");
    reply_free(&r);
    get_error("/secret", basic, 401, "unauthorized", "not valid");
    r = get("/secret", empty);
    assert_int_equal(r.status, 401);
    reply_free(&r);
    r = get("/secret", good1);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "secret");
    reply_free(&r);
    r = get("/secret", good2);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    /* the webhook: a passphrase in the body stands in for the token */
    r = post("/hook", "{\"passphrase\": \"tok-two\"}", json_ct);
    assert_int_equal(r.status, 202);
    reply_free(&r);
    r = post("/hook", "{\"passphrase\": \"tok-three\"}", json_ct);
    assert_error(&r, 401, "unauthorized", "passphrase does not match");
    assert_null(strstr(r.body, "tok-"));
    reply_free(&r);
    post_error("/hook", "{}", json_ct,
               401, "unauthorized", "no bearer token and no signal passphrase");
    r = post("/hook", "{}", hook_tok);
    assert_int_equal(r.status, 202);
    reply_free(&r);
    post_error("/hook", "{\"passphrase\": \"tok-two\"}", hook_bad,
               401, "unauthorized", "not valid");
    tc_http_server_free(s);
}

static void test_gate(void **state)
{
    struct tc_http_server *s = start(NULL, 65536);
    static const char *const good[] = {"Authorization: Bearer tok-one", NULL};
    struct reply r;

    (void)state;
    gate_closed = 1;
    r = get("/secret", good);
    assert_error(&r, 503, "unavailable", "leader election in progress");
    assert_string_equal(r.retry_after, "7");
    reply_free(&r);
    r = get("/ping", NULL);     /* public routes are not gated */
    assert_int_equal(r.status, 200);
    reply_free(&r);
    gate_closed = 0;
    r = get("/secret", good);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    tc_http_server_free(s);
}

static void test_allow_list(void **state)
{
    struct tc_http_server *s;
    struct reply r;

    (void)state;
    s = start("10.0.0.0/8, 192.168.1.7", 65536);
    get_error("/ping", NULL, 403, "forbidden", "address 127.0.0.1 is not allowed");
    tc_http_server_free(s);
    s = start("10.0.0.0/8, 127.0.0.0/30", 65536);
    r = get("/ping", NULL);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    tc_http_server_free(s);
}

static void test_acl_parse(void **state)
{
    static const struct { const char *list, *addr; int want; } ok[] = {
        {"10.0.0.0/8", "10.255.1.2", 1},        {"10.0.0.0/8", "11.0.0.1", 0},
        {"10.1.2.3", "10.1.2.3", 1},            {"10.1.2.3", "10.1.2.4", 0},
        {"192.168.0.0/23", "192.168.1.255", 1}, {"192.168.0.0/23", "192.168.2.0", 0},
        {"0.0.0.0/0", "8.8.8.8", 1},            {"0.0.0.0/0", "::1", 0},
        {"::1", "::1", 1},                      {"::1", "127.0.0.1", 0},
        {"2001:db8::/32", "2001:db8:ffff::1", 1}, {"2001:db8::/32", "2001:db9::1", 0},
        {"127.0.0.1", "::ffff:127.0.0.1", 1},   {"::ffff:10.0.0.0/104", "10.9.9.9", 1},
        {" 1.2.3.4 ,5.6.7.8 ", "5.6.7.8", 1},   {"1.2.3.4", "garbage", 0},
        {"1.2.3.4", "", 0},
    };
    static const struct { const char *list, *needle; } bad[] = {
        {"10.0.0.0/33", "\"10.0.0.0/33\""}, {"10.0.0.0/-1", "\"10.0.0.0/-1\""},
        {"host.example", "\"host.example\""}, {"1.2.3.4,,5.6.7.8", "empty entry"},
        {"1.2.3.4/", "\"1.2.3.4/\""},       {"::1/129", "\"::1/129\""},
        {"1.2.3.4/8x", "\"1.2.3.4/8x\""},   {"999.1.1.1", "\"999.1.1.1\""},
        {",", "empty entry"},
    };
    struct tc_http_acl *acl;
    struct tc_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        tc_assert_ok(tc_http_acl_parse(ok[i].list, &acl, &err), &err);
        if (tc_http_acl_allows(acl, ok[i].addr) != ok[i].want)
            fail_msg("case %zu: %s in %s should be %d", i, ok[i].addr, ok[i].list, ok[i].want);
        tc_http_acl_free(acl);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        acl = (struct tc_http_acl *)&err;
        assert_int_equal(tc_http_acl_parse(bad[i].list, &acl, &err), TC_ECONFIG);
        assert_null(acl);
        assert_contains(err.msg, "server.allow_ips");
        assert_contains(err.msg, bad[i].needle);
    }
    tc_assert_ok(tc_http_acl_parse("", &acl, &err), &err);
    assert_null(acl);
    assert_int_equal(tc_http_acl_allows(NULL, "1.2.3.4"), 1);
}

static void test_secret_equal(void **state)
{
    (void)state;
    assert_int_equal(tc_http_secret_equal("abc", 3, "abc", 3), 1);
    assert_int_equal(tc_http_secret_equal("abc", 3, "abd", 3), 0);
    assert_int_equal(tc_http_secret_equal("abc", 3, "abcd", 4), 0);
    assert_int_equal(tc_http_secret_equal("abc", 3, "ab", 2), 0);
    assert_int_equal(tc_http_secret_equal("", 0, "", 0), 1);
    assert_int_equal(tc_http_secret_equal("a\0b", 3, "a\0c", 3), 0);
    assert_int_equal(tc_http_secret_equal("a\0b", 3, "a\0b", 3), 1);
    assert_int_equal(tc_http_token_match("x, y ,z", "y", 1), 1);
    assert_int_equal(tc_http_token_match("x, y ,z", "z", 1), 1);
    assert_int_equal(tc_http_token_match("x, y ,z", " y", 2), 0);
    assert_int_equal(tc_http_token_match("x,,z", "", 0), 0);
    assert_int_equal(tc_http_token_match("", "x", 1), 0);
    assert_int_equal(tc_http_token_match(NULL, "x", 1), 0);
    assert_int_equal(tc_http_token_match("xy", "x", 1), 0);
}

static void test_bad_options(void **state)
{
    static const struct { const char *listen; const char *needle; } bad[] = {
        {"", "empty address"},
        {"127.0.0.1", "is not HOST:PORT"},
        {"127.0.0.1:99999", "port \"99999\""},
        {"127.0.0.1:-1", "port \"-1\""},
        {"127.0.0.1:80x", "port \"80x\""},
        {"127.0.0.1:", "port \"\""},
        {"::1:8080", "IPv6 needs [ADDRESS]:PORT"},
        {"[::1]8080", "is not [ADDRESS]:PORT"},
        {":8080", "no usable host"},
    };
    struct tc_http_options o;
    struct tc_http_server *s;
    struct tc_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tc_http_options_default(&o);
        o.listen = bad[i].listen;
        s = (struct tc_http_server *)&err;
        assert_int_equal(tc_http_server_new(&o, &s, &err), TC_ECONFIG);
        assert_null(s);
        assert_contains(err.msg, "server.listen");
        assert_contains(err.msg, bad[i].needle);
    }
    tc_http_options_default(&o);
    o.threads = 0;
    assert_int_equal(tc_http_server_new(&o, &s, &err), TC_ECONFIG);
    assert_contains(err.msg, "server.threads: 0");
    o.threads = 2;
    o.body_limit = 0;
    assert_int_equal(tc_http_server_new(&o, &s, &err), TC_ECONFIG);
    assert_contains(err.msg, "server.body_limit");
    o.body_limit = 10;
    o.tls_cert = "/nonexistent/cert.pem";
    assert_int_equal(tc_http_server_new(&o, &s, &err), TC_ECONFIG);
    assert_contains(err.msg, "must be set together");
    o.tls_key = "/nonexistent/key.pem";
    assert_int_equal(tc_http_server_new(&o, &s, &err), TC_ECONFIG);
    assert_contains(err.msg, "server.tls_cert: cannot open /nonexistent/cert.pem");
    o.tls_cert = o.tls_key = NULL;
    o.tls_client_ca = "/nonexistent/ca.pem";
    assert_int_equal(tc_http_server_new(&o, &s, &err), TC_ECONFIG);
    assert_contains(err.msg, "server.tls_client_ca needs");
    o.tls_client_ca = NULL;
    o.allow_ips = "10.0.0.0/8, nope";
    assert_int_equal(tc_http_server_new(&o, &s, &err), TC_ECONFIG);
    assert_contains(err.msg, "\"nope\"");
    assert_int_equal(tc_http_tls_supported(), 1);
}

static void test_bad_routes(void **state)
{
    struct tc_http_options o;
    struct tc_http_server *s = NULL, *other = NULL;
    struct tc_error err = {0};

    (void)state;
    tc_http_options_default(&o);
    o.listen = "127.0.0.1:0";
    tc_assert_ok(tc_http_server_new(&o, &s, &err), &err);
    assert_int_equal(tc_http_route(s, "GET", "nope", 0, h_ping, NULL, &err), TC_EINVAL);
    assert_contains(err.msg, "pattern \"nope\" must start with /");
    assert_int_equal(tc_http_route(s, "get", "/x", 0, h_ping, NULL, &err), TC_EINVAL);
    assert_contains(err.msg, "method \"get\"");
    assert_int_equal(tc_http_route(s, "GET", "/a/{id", 0, h_ping, NULL, &err), TC_EINVAL);
    assert_contains(err.msg, "segment \"{id\"");
    assert_int_equal(tc_http_route(s, "GET", "/a/x{id}", 0, h_ping, NULL, &err), TC_EINVAL);
    assert_contains(err.msg, "segment \"x{id}\"");
    assert_int_equal(tc_http_route(s, "GET", "/a/{}", 0, h_ping, NULL, &err), TC_EINVAL);
    assert_int_equal(tc_http_route(s, "GET", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", 0,
                                   h_ping, NULL, &err), TC_EINVAL);
    assert_contains(err.msg, "more than 16 segments");
    assert_int_equal(tc_http_route(s, "GET", "/x", 0, NULL, NULL, &err), TC_EINVAL);
    tc_assert_ok(tc_http_route(s, "GET", "/", 0, h_ping, NULL, &err), &err);
    tc_assert_ok(tc_http_route(s, "GET", "/x", 0, h_ping, NULL, &err), &err);
    assert_int_equal(tc_http_route(s, "GET", "/x", 0, h_ping, NULL, &err), TC_ECONFLICT);
    assert_contains(err.msg, "route GET /x is already defined");
    tc_assert_ok(tc_http_server_start(s, &err), &err);
    port = tc_http_server_port(s);
    {
        struct reply r = get("/", NULL);
        assert_int_equal(r.status, 200);
        reply_free(&r);
    }
    assert_int_equal(tc_http_route(s, "GET", "/y", 0, h_ping, NULL, &err), TC_ESTATE);
    assert_contains(err.msg, "already started");
    /* a port in use */
    {
        char addr[64];
        snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
        o.listen = addr;
        tc_assert_ok(tc_http_server_new(&o, &other, &err), &err);
        assert_int_equal(tc_http_server_start(other, &err), TC_EIO);
        assert_contains(err.msg, addr);
        assert_int_equal(tc_http_server_port(other), 0);
        tc_http_server_free(other);
    }
    tc_http_server_free(s);
    tc_http_server_free(NULL);
}

static void test_ipv6(void **state)
{
    struct tc_http_options o;
    struct tc_http_server *s = NULL;
    struct tc_error err = {0};
    CURL *h;
    char url[64];
    long status = 0;

    (void)state;
    tc_http_options_default(&o);
    o.listen = "[::1]:0";
    tc_assert_ok(tc_http_server_new(&o, &s, &err), &err);
    tc_assert_ok(tc_http_route(s, "GET", "/ping", 0, h_ping, NULL, &err), &err);
    if (tc_http_server_start(s, &err) != 0) {
        /* no IPv6 loopback on this host: the error must say so, naming the address */
        assert_int_equal(err.code, TC_EIO);
        assert_contains(err.msg, "[::1]:0");
        tc_http_server_free(s);
        return;
    }
    snprintf(url, sizeof(url), "[::1]:%d", tc_http_server_port(s));
    assert_string_equal(tc_http_server_address(s), url);
    snprintf(url, sizeof(url), "http://[::1]:%d/ping", tc_http_server_port(s));
    h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    {
        struct reply r = {0};
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
        assert_int_equal(curl_easy_perform(h), CURLE_OK);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 200);
        reply_free(&r);
    }
    curl_easy_cleanup(h);
    tc_http_server_free(s);
}

static void *slow_client(void *ud)
{
    struct reply *r = ud;
    *r = get("/slow", NULL);
    return NULL;
}

/* Starts slow_client on a thread (*TH; its reply into *R) and waits up to
 * two seconds for its request to reach the handler (the test fails if not). */
static void start_slow_client(pthread_t *th, struct reply *r)
{
    int started = 0;
    slow_started = 0;
    assert_int_equal(pthread_create(th, NULL, slow_client, r), 0);
    for (int i = 0; i < 2000 && !started; i++) {
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&slow_mu);
        started = slow_started;
        pthread_mutex_unlock(&slow_mu);
    }
    assert_true(started);
}

static void test_graceful_stop(void **state)
{
    struct tc_http_server *s = start(NULL, 65536);
    struct tc_error err = {0};
    pthread_t th;
    struct reply r = {0}, after;

    (void)state;
    start_slow_client(&th, &r);
    assert_int_equal(tc_http_server_in_flight(s), 1);
    tc_assert_ok(tc_http_server_stop(s, &err), &err);
    assert_int_equal(tc_http_server_in_flight(s), 0);
    pthread_join(th, NULL);
    assert_int_equal(r.cc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "done");
    reply_free(&r);
    after = get("/ping", NULL);
    assert_int_equal(after.cc, CURLE_COULDNT_CONNECT);
    reply_free(&after);
    tc_assert_ok(tc_http_server_stop(s, &err), &err);  /* idempotent */
    tc_http_server_free(s);
}

static void test_stop_timeout(void **state)
{
    struct tc_http_options o;
    struct tc_http_server *s = NULL;
    struct tc_error err = {0};
    pthread_t th;
    struct reply r = {0};

    (void)state;
    tc_http_options_default(&o);
    o.listen = "127.0.0.1:0";
    o.stop_timeout_ms = 50;
    tc_assert_ok(tc_http_server_new(&o, &s, &err), &err);
    tc_assert_ok(tc_http_route(s, "GET", "/slow", 0, h_slow, NULL, &err), &err);
    tc_assert_ok(tc_http_server_start(s, &err), &err);
    port = tc_http_server_port(s);
    start_slow_client(&th, &r);
    assert_int_equal(tc_http_server_stop(s, &err), TC_ETIMEOUT);
    assert_contains(err.msg, "1 requests still running after 50 ms");
    pthread_join(th, NULL);
    reply_free(&r);
    tc_http_server_free(s);
}

/* ---- metrics ---- */

/* Finds the value of the line starting with PREFIX + " " in TEXT; -1 if none. */
static double metric_value(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, prefix, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    return -1;
}

static void test_metrics_render(void **state)
{
    struct tc_metrics *m = NULL;
    struct tc_counter *c = NULL;
    struct tc_histogram *h = NULL;
    struct tc_error err = {0};
    static const char *const ln[] = {"route", "status"};
    static const char *const hn[] = {"route"};
    static const double bounds[] = {0.1, 1, 10};
    const char *v1[] = {"/a", "200"}, *v2[] = {"we\"ird\\path\nx", "500"}, *hv[] = {"/a"};
    char *text = NULL;
    size_t len = 0;

    (void)state;
    tc_assert_ok(tc_metrics_new(&m, &err), &err);
    tc_assert_ok(tc_metrics_counter(m, "t_requests_total", "Requests\\ with\nnewline.", ln, 2, &c,
                                    &err), &err);
    tc_assert_ok(tc_metrics_histogram(m, "t_latency_seconds", "Latency.", hn, 1, bounds, 3, &h,
                                      &err), &err);
    tc_assert_ok(tc_counter_add(c, v1, 3, &err), &err);
    tc_assert_ok(tc_counter_add(c, v1, 2, &err), &err);
    tc_assert_ok(tc_counter_add(c, v2, 1, &err), &err);
    assert_int_equal(tc_counter_get(c, v1), 5);
    tc_assert_ok(tc_histogram_observe(h, hv, 0.05, &err), &err);
    tc_assert_ok(tc_histogram_observe(h, hv, 0.1, &err), &err);  /* le is inclusive */
    tc_assert_ok(tc_histogram_observe(h, hv, 0.5, &err), &err);
    tc_assert_ok(tc_histogram_observe(h, hv, 50, &err), &err);
    tc_assert_ok(tc_metrics_add_process(m, &err), &err);
    tc_assert_ok(tc_metrics_render(m, &text, &len, &err), &err);
    assert_int_equal(strlen(text), len);
    assert_contains(text, "# HELP t_requests_total Requests\\\\ with\\nnewline.\n"
                          "# TYPE t_requests_total counter\n");
    assert_contains(text, "t_requests_total{route=\"/a\",status=\"200\"} 5\n");
    assert_contains(text, "t_requests_total{route=\"we\\\"ird\\\\path\\nx\",status=\"500\"} 1\n");
    assert_contains(text, "# TYPE t_latency_seconds histogram\n");
    assert_true(metric_value(text, "t_latency_seconds_bucket{route=\"/a\",le=\"0.10000000000000001\"}") == 2);
    assert_true(metric_value(text, "t_latency_seconds_bucket{route=\"/a\",le=\"1\"}") == 3);
    assert_true(metric_value(text, "t_latency_seconds_bucket{route=\"/a\",le=\"10\"}") == 3);
    assert_true(metric_value(text, "t_latency_seconds_bucket{route=\"/a\",le=\"+Inf\"}") == 4);
    assert_true(metric_value(text, "t_latency_seconds_count{route=\"/a\"}") == 4);
    assert_true(fabs(metric_value(text, "t_latency_seconds_sum{route=\"/a\"}") - 50.65) < 1e-9);
    assert_contains(text, "# TYPE process_cpu_seconds_total counter\n");
    assert_true(metric_value(text, "process_cpu_seconds_total") >= 0);
    assert_true(metric_value(text, "process_resident_memory_bytes") > 1e5);
    assert_true(metric_value(text, "process_open_fds") >= 3);
    assert_true(metric_value(text, "process_start_time_seconds") > 1.5e9);
    /* every line is a comment or "name[{labels}] value" */
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        if (line[0] != '#') {
            char *sp = strrchr(line, ' ');
            char *end;
            assert_non_null(sp);
            strtod(sp + 1, &end);
            if (*end && strcmp(sp + 1, "+Inf") != 0)
                fail_msg("bad sample line: %s", line);
        }
        line = nl + 1;
    }
    free(text);
    tc_metrics_free(m);
    tc_metrics_free(NULL);
}

static void test_metrics_bad(void **state)
{
    struct tc_metrics *m = NULL;
    struct tc_counter *c = NULL, *c2 = NULL;
    struct tc_histogram *h = NULL;
    struct tc_error err = {0};
    static const char *const one[] = {"a"};
    static const char *const dup[] = {"a", "a"};
    static const char *const reserved[] = {"__x"};
    static const char *const le[] = {"le"};
    static const char *const badl[] = {"1a"};
    static const double inc[] = {1, 2}, flat[] = {1, 1}, nan_b[] = {1, NAN};
    const char *v[] = {"x"}, *nullv[] = {NULL};
    char longv[300];
    const char *lv[] = {longv};
    char *text = NULL;

    (void)state;
    tc_assert_ok(tc_metrics_new(&m, &err), &err);
    assert_int_equal(tc_metrics_counter(m, "", "h", NULL, 0, &c, &err), TC_EINVAL);
    assert_contains(err.msg, "metric name \"\"");
    assert_int_equal(tc_metrics_counter(m, "9bad", "h", NULL, 0, &c, &err), TC_EINVAL);
    assert_contains(err.msg, "\"9bad\"");
    assert_int_equal(tc_metrics_counter(m, "a-b", "h", NULL, 0, &c, &err), TC_EINVAL);
    assert_int_equal(tc_metrics_counter(m, "ok", "h", dup, 2, &c, &err), TC_EINVAL);
    assert_contains(err.msg, "duplicate label name \"a\"");
    assert_int_equal(tc_metrics_counter(m, "ok", "h", reserved, 1, &c, &err), TC_EINVAL);
    assert_contains(err.msg, "\"__x\"");
    assert_int_equal(tc_metrics_counter(m, "ok", "h", badl, 1, &c, &err), TC_EINVAL);
    assert_contains(err.msg, "\"1a\"");
    assert_int_equal(tc_metrics_counter(m, "ok", "h", one, 9, &c, &err), TC_ERANGE);
    assert_int_equal(tc_metrics_histogram(m, "hh", "h", le, 1, inc, 2, &h, &err), TC_EINVAL);
    assert_contains(err.msg, "\"le\" is reserved");
    assert_int_equal(tc_metrics_histogram(m, "hh", "h", NULL, 0, flat, 2, &h, &err), TC_EINVAL);
    assert_contains(err.msg, "must increase");
    assert_int_equal(tc_metrics_histogram(m, "hh", "h", NULL, 0, nan_b, 2, &h, &err), TC_EINVAL);
    assert_contains(err.msg, "not finite");
    assert_int_equal(tc_metrics_histogram(m, "hh", "h", NULL, 0, inc, 0, &h, &err), TC_EINVAL);
    assert_int_equal(tc_metrics_callback(m, "cb", "h", "summary", NULL, NULL, &err), TC_EINVAL);
    /* nothing was registered by the failures */
    tc_assert_ok(tc_metrics_render(m, &text, NULL, &err), &err);
    assert_string_equal(text, "");
    free(text);

    tc_assert_ok(tc_metrics_counter(m, "ok", "h", one, 1, &c, &err), &err);
    assert_int_equal(tc_metrics_counter(m, "ok", "h", one, 1, &c2, &err), TC_ECONFLICT);
    assert_contains(err.msg, "metric ok is already registered");
    assert_null(c2);
    assert_int_equal(tc_counter_add(c, NULL, 1, &err), TC_EINVAL);
    assert_int_equal(tc_counter_add(c, nullv, 1, &err), TC_EINVAL);
    assert_contains(err.msg, "label a has no value");
    memset(longv, 'v', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    assert_int_equal(tc_counter_add(c, lv, 1, &err), TC_ERANGE);
    assert_contains(err.msg, "longer than 255 bytes");
    tc_assert_ok(tc_metrics_histogram(m, "hh", "h", NULL, 0, inc, 2, &h, &err), &err);
    assert_int_equal(tc_histogram_observe(h, NULL, NAN, &err), TC_EINVAL);
    assert_contains(err.msg, "histogram hh: observation is not finite");
    assert_int_equal(tc_histogram_observe(h, NULL, INFINITY, &err), TC_EINVAL);
    tc_assert_ok(tc_metrics_render(m, &text, NULL, &err), &err);
    /* the refused updates left no series */
    assert_string_equal(text, "# HELP ok h\n# TYPE ok counter\n# HELP hh h\n# TYPE hh histogram\n");
    free(text);
    /* the series cap */
    for (int i = 0; i < TC_METRICS_MAX_SERIES; i++) {
        char b[16];
        const char *bv[] = {b};
        snprintf(b, sizeof(b), "%d", i);
        tc_assert_ok(tc_counter_add(c, bv, 1, &err), &err);
    }
    assert_int_equal(tc_counter_add(c, v, 1, &err), TC_ERANGE);
    assert_contains(err.msg, "more than 10000 series");
    tc_metrics_free(m);
}

/* The server's own metrics and its log record of each request. */
static void test_server_metrics_and_log(void **state)
{
    struct tc_log_config lc = TC_LOG_CONFIG_DEFAULT;
    struct tc_error err = {0};
    struct tc_http_server *s;
    static const char *const id[] = {"X-Request-Id: log-me-1", NULL};
    struct reply r;
    char *text = NULL, line[4096];
    FILE *f;
    int found = 0;

    (void)state;
    lc.format = TC_LOG_FORMAT_JSON;
    lc.to_stderr = 0;
    lc.file = logpath;
    tc_assert_ok(tc_log_open(&lc, &err), &err);
    tc_assert_ok(tc_metrics_new(&reg, &err), &err);
    s = start(NULL, 65536);
    r = get("/items/5", id);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    r = get("/items/6", NULL);
    reply_free(&r);
    r = get("/missing", NULL);
    assert_int_equal(r.status, 404);
    reply_free(&r);
    tc_http_server_free(s);   /* completion callbacks have all run */
    tc_assert_ok(tc_metrics_render(reg, &text, NULL, &err), &err);
    assert_true(metric_value(text, "tradecore_http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"}") == 2);
    assert_true(metric_value(text, "tradecore_http_requests_total{route=\"-\",method=\"GET\",status=\"404\"}") == 1);
    assert_true(metric_value(text, "tradecore_http_request_duration_seconds_count{route=\"/items/{id}\"}") == 2);
    assert_true(metric_value(text, "tradecore_http_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"+Inf\"}") == 2);
    free(text);
    tc_metrics_free(reg);
    reg = NULL;
    tc_log_close();
    f = fopen(logpath, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        if (strcmp(json_string_value(json_object_get(j, "request_id")) ? json_string_value(json_object_get(j, "request_id")) : "", "log-me-1") == 0) {
            found = 1;
            assert_string_equal(json_string_value(json_object_get(j, "component")), "http");
            assert_string_equal(json_string_value(json_object_get(j, "method")), "GET");
            assert_string_equal(json_string_value(json_object_get(j, "route")), "/items/{id}");
            assert_string_equal(json_string_value(json_object_get(j, "path")), "/items/5");
            assert_string_equal(json_string_value(json_object_get(j, "remote")), "127.0.0.1");
            assert_int_equal(json_integer_value(json_object_get(j, "status")), 200);
            assert_true(json_is_integer(json_object_get(j, "latency_us")));
            assert_true(json_integer_value(json_object_get(j, "latency_us")) >= 0);
        }
        json_decref(j);
    }
    fclose(f);
    assert_true(found);
}

int main(void)
{
    char dir[512];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_huge_body),
        cmocka_unit_test(test_request_id),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_gate),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_acl_parse),
        cmocka_unit_test(test_secret_equal),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_bad_routes),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_graceful_stop),
        cmocka_unit_test(test_stop_timeout),
        cmocka_unit_test(test_metrics_render),
        cmocka_unit_test(test_metrics_bad),
        cmocka_unit_test(test_server_metrics_and_log),
    };
    int rc;
    struct tc_log_config lc = TC_LOG_CONFIG_DEFAULT;
    struct tc_error err = {0};

    if (tc_test_tmpdir("http", dir, sizeof(dir)) != 0)
        return 1;
    snprintf(logpath, sizeof(logpath), "%s/http.log", dir);
    lc.level = TC_LOG_WARN;   /* keep request records out of the test output */
    tc_log_open(&lc, &err);
    curl_global_init(CURL_GLOBAL_ALL);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
