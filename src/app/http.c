/*
 * The HTTP server: libmicrohttpd with an internal thread pool, a route table
 * matched segment by segment, the checks every request goes through (allow
 * list, client certificate, route, gate, bearer token, body size, media type,
 * JSON), request ids, one log record and metrics per request, and a graceful
 * stop that quiesces the listener and waits for requests in flight.
 *
 * A request lives in one struct tc_http_req from libmicrohttpd's first call
 * of the access handler to its completion callback; its memory comes from a
 * small arena freed there.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <uuid/uuid.h>

#include "app/mhd_lib.h"
#include "core/sha256.h"
#include "tradecore/http.h"
#include "tradecore/log.h"
#include "tradecore/signal.h"
#include "internal/banned.h"

#define MAX_SEGMENTS 16
#define MAX_EXTRA_HEADERS 16
#define TLS_FILE_MAX (1 << 20)

/* ---- arena ---- */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

static void *arena_alloc(struct arena_block **head, size_t n)
{
    struct arena_block *b = *head;
    size_t align = sizeof(max_align_t);

    n = (n + align - 1) / align * align;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 4096 ? n : 4096;
        b = malloc(sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->next = *head;
        b->used = 0;
        b->cap = cap;
        *head = b;
    }
    b->used += n;
    return (char *)b->data + b->used - n;
}

static void arena_free(struct arena_block *b)
{
    while (b) {
        struct arena_block *nx = b->next;
        free(b);
        b = nx;
    }
}

/* ---- types ---- */

struct route {
    char *method;
    char *pattern;
    char *buf;               /* the split copy of the pattern that segs point into */
    char *segs[MAX_SEGMENTS];
    int n_segs;
    unsigned flags;
    tc_http_handler fn;
    void *ud;
};

struct acl_entry {
    int family;               /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int prefix;
};

struct tc_http_acl {
    struct acl_entry *e;
    size_t n;
};

typedef int (*verify_peers_fn)(void *session, unsigned int *status);
typedef const void *(*get_peers_fn)(void *session, unsigned int *size);

struct tc_http_server {
    struct tc_http_options opt;
    char *listen, *tokens;
    char *tls_cert, *tls_key, *tls_ca;     /* PEM contents */
    char *tls_files;                       /* the files' names, for start errors */
    struct tc_http_acl *acl;
    struct route *routes;
    size_t n_routes;
    tc_http_gate_fn gate;
    void *gate_ud;
    struct MHD_Daemon *d;
    int listen_fd;
    int port;
    char address[80];
    atomic_int in_flight;
    int stopped;
    pthread_mutex_t stop_mu;
    struct tc_counter *m_requests;
    struct tc_histogram *m_latency;
    verify_peers_fn verify_peers;
    get_peers_fn get_peers;
};

struct tc_http_resp {
    int status;
    int has_body;
    char *body;              /* malloc'd */
    size_t len;
    char ctype[96];
    char *hname[MAX_EXTRA_HEADERS], *hval[MAX_EXTRA_HEADERS];
    int n_headers;
};

struct tc_http_req {
    struct tc_http_server *srv;
    struct MHD_Connection *conn;
    struct arena_block *arena;
    const char *method, *path;
    const struct route *route;
    const char *pnames[MAX_SEGMENTS], *pvalues[MAX_SEGMENTS];
    int n_params;
    char id[TC_HTTP_REQUEST_ID_MAX + 1];
    char remote[INET6_ADDRSTRLEN];
    char *body;
    size_t body_len, body_cap;
    int too_large;
    int needs_body;           /* POST/PUT/PATCH: JSON body */
    int decided;              /* a response was queued at the first call */
    json_t *json;
    int has_token;
    struct timespec start;
    struct tc_http_resp resp;
};

/* ---- options ---- */

void tc_http_options_default(struct tc_http_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->listen = "127.0.0.1:8080";
    opt->threads = 4;
    opt->body_limit = 65536;
    opt->stop_timeout_ms = 30000;
}

int tc_http_tls_check(struct tc_error *err)
{
    int rc = tc__mhd_load(err);
    if (rc != 0)
        return rc;
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return tc_error_set(err, TC_ECONFIG,
                            "server.tls_cert: this libmicrohttpd was built without TLS support");
    return 0;
}

int tc_http_tls_supported(void) { return tc_http_tls_check(NULL) == 0; }

/* Splits "HOST:PORT" / "[V6]:PORT" into HOST (brackets removed) and PORT. */
static int parse_listen(const char *s, char *host, size_t hcap, int *port,
                        struct tc_error *err)
{
    const char *colon, *hs, *he;
    char *end;
    long p;

    if (!s || !*s)
        return tc_error_set(err, TC_ECONFIG, "server.listen: empty address (want HOST:PORT)");
    if (s[0] == '[') {
        he = strchr(s, ']');
        if (!he || he[1] != ':')
            return tc_error_set(err, TC_ECONFIG,
                                "server.listen: \"%.64s\" is not [ADDRESS]:PORT", s);
        hs = s + 1;
        colon = he + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || memchr(s, ':', (size_t)(colon - s)))
            return tc_error_set(err, TC_ECONFIG,
                                "server.listen: \"%.64s\" is not HOST:PORT (IPv6 needs "
                                "[ADDRESS]:PORT)", s);
        hs = s;
        he = colon;
    }
    if (he == hs || (size_t)(he - hs) >= hcap)
        return tc_error_set(err, TC_ECONFIG, "server.listen: \"%.64s\" has no usable host", s);
    memcpy(host, hs, (size_t)(he - hs));
    host[he - hs] = '\0';
    errno = 0;
    if (!isdigit((unsigned char)colon[1]))
        goto bad_port;
    p = strtol(colon + 1, &end, 10);
    if (*end || errno || p < 0 || p > 65535)
        goto bad_port;
    *port = (int)p;
    return 0;
bad_port:
    return tc_error_set(err, TC_ECONFIG, "server.listen: port \"%.16s\" is not 0..65535",
                        colon + 1);
}

/* The number of PEM certificates in PEM (0 when none parses). libmicrohttpd
 * starts silently with a trust file holding no certificate: such a file is
 * refused at configuration instead. */
static int pem_cert_count(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x;
    int n = 0;

    if (!b)
        return 0;
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        X509_free(x);
        n++;
    }
    BIO_free(b);
    ERR_clear_error(); /* the end of the file is queued as an error */
    return n;
}

static int read_file(const char *key, const char *path, char **out, struct tc_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    *out = NULL;
    if (!f)
        return tc_error_set(err, TC_ECONFIG, "%s: cannot open %s: %s", key, path,
                            strerror(errno));
    buf = malloc(TLS_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return tc_error_set(err, TC_ENOMEM, "%s: out of memory", key);
    }
    n = fread(buf, 1, TLS_FILE_MAX + 1, f);
    fclose(f);
    if (n == 0 || n > TLS_FILE_MAX) {
        free(buf);
        return tc_error_set(err, TC_ECONFIG, "%s: %s is %s", key, path,
                            n ? "larger than 1 MiB" : "empty");
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

int tc_http_server_new(const struct tc_http_options *opt, struct tc_http_server **out,
                       struct tc_error *err)
{
    struct tc_http_server *s;
    char host[256];
    int port, rc;

    *out = NULL;
    if ((rc = parse_listen(opt->listen, host, sizeof(host), &port, err)) != 0)
        return rc;
    if (opt->threads < 1 || opt->threads > 1024)
        return tc_error_set(err, TC_ECONFIG, "server.threads: %d is not 1..1024", opt->threads);
    if (opt->body_limit < 1)
        return tc_error_set(err, TC_ECONFIG, "server.body_limit: must be at least 1 byte");
    if (opt->stop_timeout_ms < 0)
        return tc_error_set(err, TC_ECONFIG, "stop timeout %d ms is negative",
                            opt->stop_timeout_ms);
    if ((opt->tls_cert && *opt->tls_cert) != (opt->tls_key && *opt->tls_key))
        return tc_error_set(err, TC_ECONFIG,
                            "server.tls_cert and server.tls_key must be set together");
    if (opt->tls_client_ca && *opt->tls_client_ca && !(opt->tls_cert && *opt->tls_cert))
        return tc_error_set(err, TC_ECONFIG,
                            "server.tls_client_ca needs server.tls_cert and server.tls_key");
    if (opt->tls_cert && *opt->tls_cert && (rc = tc_http_tls_check(err)) != 0)
        return rc;

    if (!(s = calloc(1, sizeof(*s))))
        return tc_error_set(err, TC_ENOMEM, "http server: out of memory");
    s->opt = *opt;
    s->listen_fd = -1;
    pthread_mutex_init(&s->stop_mu, NULL);
    s->listen = strdup(opt->listen);
    s->tokens = strdup(opt->tokens ? opt->tokens : "");
    if (!s->listen || !s->tokens) {
        rc = tc_error_set(err, TC_ENOMEM, "http server: out of memory");
        goto fail;
    }
    s->opt.listen = s->listen;
    s->opt.tokens = s->tokens;
    s->opt.allow_ips = s->opt.tls_cert = s->opt.tls_key = s->opt.tls_client_ca = NULL;
    if ((rc = tc_http_acl_parse(opt->allow_ips, &s->acl, err)) != 0)
        goto fail;
    if (opt->tls_cert && *opt->tls_cert) {
        size_t n;
        if ((rc = read_file("server.tls_cert", opt->tls_cert, &s->tls_cert, err)) != 0 ||
            (rc = read_file("server.tls_key", opt->tls_key, &s->tls_key, err)) != 0)
            goto fail;
        /* named when TLS refuses them at start: its own reason only reaches the log */
        n = strlen(opt->tls_cert) + strlen(opt->tls_key) +
            (opt->tls_client_ca ? strlen(opt->tls_client_ca) : 0) + 96;
        if (!(s->tls_files = malloc(n))) {
            rc = tc_error_set(err, TC_ENOMEM, "http server: out of memory");
            goto fail;
        }
        snprintf(s->tls_files, n, "server.tls_cert \"%s\", server.tls_key \"%s\"%s%s%s",
                 opt->tls_cert, opt->tls_key,
                 opt->tls_client_ca && *opt->tls_client_ca ? ", server.tls_client_ca \"" : "",
                 opt->tls_client_ca && *opt->tls_client_ca ? opt->tls_client_ca : "",
                 opt->tls_client_ca && *opt->tls_client_ca ? "\"" : "");
    }
    if (opt->tls_client_ca && *opt->tls_client_ca) {
        if ((rc = read_file("server.tls_client_ca", opt->tls_client_ca, &s->tls_ca, err)) != 0)
            goto fail;
        if (pem_cert_count(s->tls_ca) == 0) {
            rc = tc_error_set(err, TC_ECONFIG, "server.tls_client_ca \"%s\": no PEM "
                              "certificate in it", opt->tls_client_ca);
            goto fail;
        }
        /* the gnutls that libmicrohttpd links, found at run time: no new dependency
         * (libmicrohttpd is loaded: a client CA comes with a certificate, checked
         * by tc_http_tls_check above) */
        *(void **)&s->verify_peers = tc__mhd_dlsym("gnutls_certificate_verify_peers2");
        *(void **)&s->get_peers = tc__mhd_dlsym("gnutls_certificate_get_peers");
        if (!s->verify_peers || !s->get_peers) {
            rc = tc_error_set(err, TC_ECONFIG, "server.tls_client_ca: libmicrohttpd's TLS "
                              "library does not offer client certificate checks");
            goto fail;
        }
    }
    if (opt->metrics) {
        static const char *const req_labels[] = {"route", "method", "status"};
        static const char *const lat_labels[] = {"route"};
        static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};
        if ((rc = tc_metrics_counter(opt->metrics, "tradecore_http_requests_total",
                                     "HTTP requests by route pattern, method and status.",
                                     req_labels, 3, &s->m_requests, err)) != 0 ||
            (rc = tc_metrics_histogram(opt->metrics, "tradecore_http_request_duration_seconds",
                                       "HTTP request latency by route pattern.", lat_labels, 1,
                                       bounds, sizeof(bounds) / sizeof(bounds[0]),
                                       &s->m_latency, err)) != 0)
            goto fail;
    }
    *out = s;
    return 0;
fail:
    tc_http_server_free(s);
    return rc;
}

void tc_http_server_set_gate(struct tc_http_server *s, tc_http_gate_fn gate, void *ud)
{
    s->gate = gate;
    s->gate_ud = ud;
}

/* ---- routes ---- */

static int split_path(char *p, char **segs, int max)
{
    int n = 0;

    while (*p == '/')
        p++;
    while (*p) {
        if (n == max)
            return -1;
        segs[n++] = p;
        while (*p && *p != '/')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

int tc_http_route(struct tc_http_server *s, const char *method, const char *pattern,
                  unsigned flags, tc_http_handler fn, void *ud, struct tc_error *err)
{
    struct route r = {0}, *nr;
    char *copy;

    if (s->d || s->stopped)
        return tc_error_set(err, TC_ESTATE, "route %s %s: the server has already started",
                            method ? method : "?", pattern ? pattern : "?");
    if (!method || !*method || !fn)
        return tc_error_set(err, TC_EINVAL, "route: method and handler are required");
    for (const char *m = method; *m; m++)
        if (!isupper((unsigned char)*m))
            return tc_error_set(err, TC_EINVAL, "route: method \"%.16s\" is not upper case",
                                method);
    if (!pattern || pattern[0] != '/')
        return tc_error_set(err, TC_EINVAL, "route %s: pattern \"%.64s\" must start with /",
                            method, pattern ? pattern : "(null)");
    for (size_t i = 0; i < s->n_routes; i++)
        if (strcmp(s->routes[i].method, method) == 0 && strcmp(s->routes[i].pattern, pattern) == 0)
            return tc_error_set(err, TC_ECONFLICT, "route %s %s is already defined", method,
                                pattern);
    r.method = strdup(method);
    r.pattern = strdup(pattern);
    copy = strdup(pattern);
    if (!r.method || !r.pattern || !copy)
        goto nomem;
    if ((r.n_segs = split_path(copy, r.segs, MAX_SEGMENTS)) < 0) {
        free(copy);
        free(r.method);
        free(r.pattern);
        return tc_error_set(err, TC_EINVAL, "route %s %.64s: more than %d segments", method,
                            pattern, MAX_SEGMENTS);
    }
    for (int i = 0; i < r.n_segs; i++) {
        size_t n = strlen(r.segs[i]);
        int open = strchr(r.segs[i], '{') != NULL, close = strchr(r.segs[i], '}') != NULL;
        if ((open || close) && !(n > 2 && r.segs[i][0] == '{' && r.segs[i][n - 1] == '}' &&
                                 !strchr(r.segs[i] + 1, '{') && strchr(r.segs[i], '}') == r.segs[i] + n - 1)) {
            char bad[80];
            snprintf(bad, sizeof(bad), "%s", r.segs[i]);
            free(copy);
            free(r.method);
            free(r.pattern);
            return tc_error_set(err, TC_EINVAL,
                                "route %s %.64s: segment \"%s\" is neither text nor {name}",
                                method, pattern, bad);
        }
    }
    r.buf = copy;
    r.flags = flags;
    r.fn = fn;
    r.ud = ud;
    nr = realloc(s->routes, (s->n_routes + 1) * sizeof(*nr));
    if (!nr)
        goto nomem;
    s->routes = nr;
    s->routes[s->n_routes++] = r;
    return 0;
nomem:
    free(copy);
    free(r.method);
    free(r.pattern);
    return tc_error_set(err, TC_ENOMEM, "route: out of memory");
}

/* Whether route R's pattern matches the path segments; fills params. */
static int route_match(const struct route *r, char **segs, int n, struct tc_http_req *req)
{
    if (r->n_segs != n)
        return 0;
    for (int i = 0; i < n; i++) {
        if (r->segs[i][0] == '{')
            continue;
        if (strcmp(r->segs[i], segs[i]) != 0)
            return 0;
    }
    req->n_params = 0;
    for (int i = 0; i < n; i++) {
        if (r->segs[i][0] != '{')
            continue;
        size_t len = strlen(r->segs[i]) - 2;
        char *name = arena_alloc(&req->arena, len + 1);
        if (!name)
            return 0;
        memcpy(name, r->segs[i] + 1, len);
        name[len] = '\0';
        req->pnames[req->n_params] = name;
        req->pvalues[req->n_params++] = segs[i];
    }
    return 1;
}

/* ---- secrets, tokens, allow-list ---- */

int tc_http_secret_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char da[TC__SHA256_LEN], db[TC__SHA256_LEN];

    /* a digest that fails is zeroed: refuse rather than compare zeros */
    if (tc__sha256(a ? a : "", a ? alen : 0, da) != 0 ||
        tc__sha256(b ? b : "", b ? blen : 0, db) != 0)
        return 0;
    return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}

int tc_http_token_match(const char *tokens, const char *token, size_t len)
{
    int match = 0;

    if (!tokens || !token || len == 0)
        return 0;
    for (const char *p = tokens; *p;) {
        const char *e = p + strcspn(p, ",");
        const char *a = p, *b = e;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (b > a)
            match |= tc_http_secret_equal(a, (size_t)(b - a), token, len);
        p = *e ? e + 1 : e;
    }
    return match;
}

/* Parses an address into FAMILY/ADDR; IPv4-mapped IPv6 becomes IPv4. */
static int parse_addr(const char *s, int *family, unsigned char addr[16])
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (inet_pton(AF_INET, s, addr) == 1) {
        *family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, s, addr) == 1) {
        *family = AF_INET6;
        if (memcmp(addr, mapped, 12) == 0) {
            memmove(addr, addr + 12, 4);
            *family = AF_INET;
        }
        return 0;
    }
    return -1;
}

int tc_http_acl_parse(const char *list, struct tc_http_acl **out, struct tc_error *err)
{
    struct tc_http_acl *acl;
    size_t n = 1;

    *out = NULL;
    if (!list || !*list)
        return 0;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    if (!(acl = calloc(1, sizeof(*acl))) || !(acl->e = calloc(n, sizeof(*acl->e)))) {
        free(acl);
        return tc_error_set(err, TC_ENOMEM, "server.allow_ips: out of memory");
    }
    for (const char *p = list; *p;) {
        const char *e = p + strcspn(p, ","), *a = p, *b = e;
        char item[80], *slash;
        struct acl_entry *en = &acl->e[acl->n];
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        p = *e ? e + 1 : e;
        if (a == b) {
            tc_http_acl_free(acl);
            return tc_error_set(err, TC_ECONFIG, "server.allow_ips: empty entry in \"%.64s\"",
                                list);
        }
        if ((size_t)(b - a) >= sizeof(item))
            goto bad;
        memcpy(item, a, (size_t)(b - a));
        item[b - a] = '\0';
        slash = strchr(item, '/');
        if (slash)
            *slash = '\0';
        if (parse_addr(item, &en->family, en->addr) != 0)
            goto bad;
        en->prefix = en->family == AF_INET ? 32 : 128;
        if (slash) {
            char *end;
            long pl;
            int mapped_v4 = en->family == AF_INET && strchr(item, ':');
            errno = 0;
            if (!isdigit((unsigned char)slash[1]))
                goto bad;
            pl = strtol(slash + 1, &end, 10);
            if (mapped_v4)
                pl -= 96;
            if (*end || errno || pl < 0 || pl > en->prefix)
                goto bad;
            en->prefix = (int)pl;
        }
        acl->n++;
        continue;
    bad:
        {
            int len = (int)(b - a) > 64 ? 64 : (int)(b - a);
            tc_http_acl_free(acl);
            return tc_error_set(err, TC_ECONFIG,
                                "server.allow_ips: \"%.*s\" is not an address or CIDR", len, a);
        }
    }
    *out = acl;
    return 0;
}

int tc_http_acl_allows(const struct tc_http_acl *acl, const char *addr)
{
    unsigned char a[16];
    int family;

    if (!acl)
        return 1;
    if (!addr || parse_addr(addr, &family, a) != 0)
        return 0;
    for (size_t i = 0; i < acl->n; i++) {
        const struct acl_entry *e = &acl->e[i];
        int full = e->prefix / 8, rest = e->prefix % 8;
        if (e->family != family)
            continue;
        if (memcmp(e->addr, a, (size_t)full) != 0)
            continue;
        if (rest && ((e->addr[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff))
            continue;
        return 1;
    }
    return 0;
}

void tc_http_acl_free(struct tc_http_acl *acl)
{
    if (!acl)
        return;
    free(acl->e);
    free(acl);
}

/* ---- responses ---- */

void tc_http_resp_status(struct tc_http_resp *resp, int status)
{
    resp->status = status;
}

int tc_http_resp_body(struct tc_http_resp *resp, const char *content_type, const char *body,
                      size_t len)
{
    char *copy;

    if (len == (size_t)-1)
        len = body ? strlen(body) : 0;
    if (!(copy = malloc(len ? len : 1)))
        return TC_ENOMEM;
    if (len)
        memcpy(copy, body, len);
    free(resp->body);
    resp->body = copy;
    resp->len = len;
    resp->has_body = 1;
    snprintf(resp->ctype, sizeof(resp->ctype), "%s",
             content_type ? content_type : "application/octet-stream");
    if (!resp->status)
        resp->status = 200;
    return 0;
}

int tc_http_resp_json(struct tc_http_resp *resp, int status, const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    int rc;

    if (!text)
        return TC_ENOMEM;
    rc = tc_http_resp_body(resp, "application/json", text, strlen(text));
    free(text);
    resp->status = status;
    return rc;
}

int tc_http_resp_error(struct tc_http_resp *resp, int status, const char *error,
                       const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    json_t *j;
    int rc;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    j = json_pack("{s:s, s:s}", "error", error, "detail", detail);
    if (!j) {
        /* detail was not UTF-8 (it may quote a client's bytes): send it without */
        j = json_pack("{s:s, s:s}", "error", error, "detail", "(detail not valid UTF-8)");
        if (!j)
            return TC_ENOMEM;
    }
    rc = tc_http_resp_json(resp, status, j);
    json_decref(j);
    return rc;
}

int tc_http_resp_header(struct tc_http_resp *resp, const char *name, const char *value)
{
    if (!name || !value || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n") || !*name)
        return TC_EINVAL;
    if (resp->n_headers >= MAX_EXTRA_HEADERS)
        return TC_ERANGE;
    resp->hname[resp->n_headers] = strdup(name);
    resp->hval[resp->n_headers] = strdup(value);
    if (!resp->hname[resp->n_headers] || !resp->hval[resp->n_headers]) {
        free(resp->hname[resp->n_headers]);
        free(resp->hval[resp->n_headers]);
        return TC_ENOMEM;
    }
    resp->n_headers++;
    return 0;
}

static void resp_release(struct tc_http_resp *resp)
{
    free(resp->body);
    for (int i = 0; i < resp->n_headers; i++) {
        free(resp->hname[i]);
        free(resp->hval[i]);
    }
    memset(resp, 0, sizeof(*resp));
}

/* ---- requests ---- */

const char *tc_http_req_method(const struct tc_http_req *r) { return r->method; }
const char *tc_http_req_path(const struct tc_http_req *r) { return r->path; }
const char *tc_http_req_route(const struct tc_http_req *r)
{
    return r->route ? r->route->pattern : "-";
}
const char *tc_http_req_id(const struct tc_http_req *r) { return r->id; }
const char *tc_http_req_remote(const struct tc_http_req *r) { return r->remote; }
int tc_http_req_has_token(const struct tc_http_req *r) { return r->has_token; }
json_t *tc_http_req_json(const struct tc_http_req *r) { return r->json; }

const char *tc_http_req_param(const struct tc_http_req *r, const char *name)
{
    for (int i = 0; i < r->n_params; i++)
        if (strcmp(r->pnames[i], name) == 0)
            return r->pvalues[i];
    return NULL;
}

const char *tc_http_req_query(const struct tc_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *tc_http_req_header(const struct tc_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *tc_http_req_body(const struct tc_http_req *r, size_t *len)
{
    if (len)
        *len = r->body ? r->body_len : 0;
    return r->body ? r->body : "";
}

void *tc_http_req_alloc(struct tc_http_req *r, size_t n)
{
    return arena_alloc(&r->arena, n ? n : 1);
}

int tc_http_req_check_passphrase(const struct tc_http_req *r, const struct tc_signal *sig,
                                 struct tc_error *err)
{
    const char *tokens = r->srv->tokens;
    int ok = 0;
    char one[TC_SIGNAL_PASSPHRASE_MAX];

    if (r->has_token)
        return 0;
    if (!sig || !sig->has_passphrase)
        return tc_error_set(err, TC_EAUTH, "no bearer token and no signal passphrase");
    /* every configured token is tried, so the time does not say which matched */
    for (const char *p = tokens; *p;) {
        const char *e = p + strcspn(p, ","), *a = p, *b = e;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        p = *e ? e + 1 : e;
        if (a == b || (size_t)(b - a) >= sizeof(one))
            continue;
        memcpy(one, a, (size_t)(b - a));
        one[b - a] = '\0';
        ok |= tc_signal_check_passphrase(sig, one, NULL) == 0;
    }
    OPENSSL_cleanse(one, sizeof(one));
    if (!ok)
        return tc_error_set(err, TC_EAUTH, "signal passphrase does not match");
    return 0;
}

/* ---- the request cycle ---- */

static int sane_request_id(const char *s)
{
    size_t n = 0;

    if (!s)
        return 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (n >= TC_HTTP_REQUEST_ID_MAX ||
            !(isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-' || c == ':'))
            return 0;
    }
    return n > 0;
}

static void client_address(struct MHD_Connection *c, char *buf, size_t cap)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
                                                                  MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(buf, cap, "-");
    if (!sa)
        return;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                  (socklen_t)cap);
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a))
            inet_ntop(AF_INET, a->s6_addr + 12, buf, (socklen_t)cap);
        else
            inet_ntop(AF_INET6, a, buf, (socklen_t)cap);
    }
}

static int client_cert_ok(struct tc_http_server *s, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci;
    unsigned int status = 1, n = 0;

    if (!s->tls_ca)
        return 1;
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return 0;
    if (!s->get_peers(ci->tls_session, &n) || n == 0)
        return 0;
    return s->verify_peers(ci->tls_session, &status) == 0 && status == 0;
}

/* Checks the bearer token; 1 valid, 0 absent, -1 present but wrong. */
static int bearer(struct tc_http_req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    const char *t;

    if (!h)
        return 0;
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return -1;
    t = h + 7;
    while (*t == ' ')
        t++;
    return tc_http_token_match(r->srv->tokens, t, strlen(t)) ? 1 : -1;
}

static int is_json_type(const char *ct)
{
    size_t n;

    if (!ct)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    return n == 16 && strncasecmp(ct, "application/json", 16) == 0;
}

static void run_checks(struct tc_http_req *r, const char *url)
{
    struct tc_http_server *s = r->srv;
    struct tc_http_resp *resp = &r->resp;
    char *copy, *segs[MAX_SEGMENTS + 1];
    int n, bad_len, path_ok = 0;
    char allow[128] = "";
    size_t alen = 0;
    const char *cl;

    if (!tc_http_acl_allows(s->acl, r->remote)) {
        tc_http_resp_error(resp, 403, "forbidden", "address %s is not allowed", r->remote);
        return;
    }
    if (!client_cert_ok(s, r->conn)) {
        tc_http_resp_error(resp, 403, "forbidden", "a valid client certificate is required");
        return;
    }
    copy = arena_alloc(&r->arena, strlen(url) + 1);
    if (!copy) {
        tc_http_resp_error(resp, 500, "internal", "out of memory");
        return;
    }
    memcpy(copy, url, strlen(url) + 1);
    n = split_path(copy, segs, MAX_SEGMENTS + 1);
    for (size_t i = 0; n >= 0 && i < s->n_routes; i++) {
        const struct route *rt = &s->routes[i];
        if (!route_match(rt, segs, n, r))
            continue;
        path_ok = 1;
        if (strcmp(rt->method, r->method) == 0) {
            r->route = rt;
            break;
        }
        if (!strstr(allow, rt->method))
            alen += (size_t)snprintf(allow + alen, alen < sizeof(allow) ? sizeof(allow) - alen : 0,
                                     "%s%s", alen ? ", " : "", rt->method);
        if (alen >= sizeof(allow))
            alen = sizeof(allow) - 1;
    }
    if (!r->route) {
        r->n_params = 0;
        if (path_ok) {
            tc_http_resp_header(resp, "Allow", allow);
            tc_http_resp_error(resp, 405, "method_not_allowed",
                               "%.16s is not allowed on %.200s (allowed: %s)", r->method, url,
                               allow);
        } else {
            tc_http_resp_error(resp, 404, "not_found", "no route for %.200s", url);
        }
        return;
    }
    if (s->gate && r->route->flags != TC_HTTP_PUBLIC) {
        int retry = 1;
        char detail[256] = "service unavailable";
        if (s->gate(s->gate_ud, r, &retry, detail, sizeof(detail))) {
            char ra[16];
            snprintf(ra, sizeof(ra), "%d", retry > 0 ? retry : 1);
            tc_http_resp_header(resp, "Retry-After", ra);
            tc_http_resp_error(resp, 503, "unavailable", "%s", detail);
            return;
        }
    }
    bad_len = bearer(r);
    r->has_token = bad_len == 1;
    if ((r->route->flags & TC_HTTP_AUTH) || ((r->route->flags & TC_HTTP_AUTH_OR_PASSPHRASE) &&
                                             bad_len == -1)) {
        if (bad_len != 1) {
            tc_http_resp_header(resp, "WWW-Authenticate",
                                bad_len == 0 ? "Bearer realm=\"tradecore\""
                                             : "Bearer realm=\"tradecore\", error=\"invalid_token\"");
            tc_http_resp_error(resp, 401, "unauthorized", "%s",
                               bad_len == 0 ? "a bearer token is required"
                                            : "the bearer token is not valid");
            return;
        }
    }
    cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
        char *end;
        unsigned long long v;
        errno = 0;
        v = strtoull(cl, &end, 10);
        if (!isdigit((unsigned char)*cl) || *end || errno) {
            tc_http_resp_error(resp, 400, "bad_request", "Content-Length is not a number");
            return;
        }
        if (v > s->opt.body_limit) {
            tc_http_resp_error(resp, 413, "payload_too_large",
                               "body of %llu bytes is over the limit of %zu bytes", v,
                               s->opt.body_limit);
            return;
        }
    }
    if (strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
        strcmp(r->method, "PATCH") == 0) {
        const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
        if (!is_json_type(ct)) {
            tc_http_resp_error(resp, 415, "unsupported_media_type",
                               "Content-Type %s%.100s%s is not application/json",
                               ct ? "\"" : "", ct ? ct : "(none)", ct ? "\"" : "");
            return;
        }
        r->needs_body = 1;
    }
}

static void finish_body(struct tc_http_req *r)
{
    json_error_t jerr;

    if (r->too_large) {
        tc_http_resp_error(&r->resp, 413, "payload_too_large",
                           "body is over the limit of %zu bytes", r->srv->opt.body_limit);
        return;
    }
    if (!r->needs_body)
        return;
    r->json = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!r->json)
        tc_http_resp_error(&r->resp, 400, "bad_json", "line %d, column %d: %s", jerr.line,
                           jerr.column, jerr.text);
}

static int append_body(struct tc_http_req *r, const char *data, size_t n)
{
    size_t limit = r->srv->opt.body_limit;

    if (r->too_large)
        return 0;
    if (n > limit - r->body_len) {
        /* past the limit: stop keeping it, drop what was kept */
        r->too_large = 1;
        free(r->body);
        r->body = NULL;
        r->body_len = r->body_cap = 0;
        return 0;
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 1024;
        char *nb;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        if (cap > limit + 1)
            cap = limit + 1;
        if (!(nb = realloc(r->body, cap)))
            return -1;
        r->body = nb;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return 0;
}

static enum MHD_Result queue(struct tc_http_req *r)
{
    struct tc_http_resp *resp = &r->resp;
    struct MHD_Response *mr;
    enum MHD_Result ret;

    if (!resp->status)
        resp->status = resp->has_body ? 200 : 204;
    mr = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
    if (!mr)
        return MHD_NO;
    resp->body = NULL; /* MHD frees it */
    if (resp->has_body)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, resp->ctype);
    MHD_add_response_header(mr, "X-Request-Id", r->id);
    for (int i = 0; i < resp->n_headers; i++)
        MHD_add_response_header(mr, resp->hname[i], resp->hval[i]);
    ret = MHD_queue_response(r->conn, (unsigned int)resp->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static struct tc_http_req *req_new(struct tc_http_server *s, struct MHD_Connection *c,
                                   const char *url, const char *method)
{
    struct tc_http_req *r = calloc(1, sizeof(*r));
    const char *given;
    size_t n;

    if (!r)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &r->start);
    r->srv = s;
    r->conn = c;
    n = strlen(method) + strlen(url) + 2;
    r->method = arena_alloc(&r->arena, n);
    if (!r->method) {
        free(r);
        return NULL;
    }
    memcpy((char *)r->method, method, strlen(method) + 1);
    r->path = r->method + strlen(method) + 1;
    memcpy((char *)r->path, url, strlen(url) + 1);
    given = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
    if (sane_request_id(given)) {
        snprintf(r->id, sizeof(r->id), "%s", given);
    } else {
        uuid_t u;
        uuid_generate_random(u);
        uuid_unparse_lower(u, r->id);
    }
    client_address(c, r->remote, sizeof(r->remote));
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct tc_http_server *s = cls;
    struct tc_http_req *r = *con_cls;

    (void)version;
    if (!r) {
        if (!(r = req_new(s, c, url, method)))
            return MHD_NO;
        atomic_fetch_add(&s->in_flight, 1);
        *con_cls = r;
        run_checks(r, url);
        if (r->resp.status) {
            r->decided = 1;
            return queue(r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->decided && append_body(r, upload_data, *upload_size) != 0) {
            *upload_size = 0;
            return MHD_NO;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->decided)
        return MHD_YES;
    r->decided = 1;
    finish_body(r);
    if (!r->resp.status)
        r->route->fn(r, &r->resp, r->route->ud);
    return queue(r);
}

static const char *method_label(const char *m)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(m, known[i]) == 0)
            return known[i];
    return "OTHER";
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct tc_http_server *s = cls;
    struct tc_http_req *r = *con_cls;
    struct timespec now;
    int64_t us;
    char status[8];

    (void)c;
    if (!r)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    us = (int64_t)(now.tv_sec - r->start.tv_sec) * 1000000 +
         (now.tv_nsec - r->start.tv_nsec) / 1000;
    snprintf(status, sizeof(status), "%d", r->resp.status);
    TC_LOG_INFO("http", "request", TC_LF_STR("method", r->method),
                TC_LF_STR("route", tc_http_req_route(r)), TC_LF_STR("path", r->path),
                TC_LF_INT("status", r->resp.status), TC_LF_INT("latency_us", us),
                TC_LF_STR("request_id", r->id), TC_LF_STR("remote", r->remote),
                TC_LF_BOOL("completed", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK));
    if (s->m_requests) {
        const char *lv[] = {tc_http_req_route(r), method_label(r->method), status};
        const char *hv[] = {tc_http_req_route(r)};
        tc_counter_add(s->m_requests, lv, 1, NULL);
        tc_histogram_observe(s->m_latency, hv, (double)us / 1e6, NULL);
    }
    json_decref(r->json);
    free(r->body);
    resp_release(&r->resp);
    arena_free(r->arena);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    TC_LOG_WARN("http", "libmicrohttpd", TC_LF_STR("detail", msg));
}

/* ---- start and stop ---- */

static int bind_listener(struct tc_http_server *s, struct tc_error *err)
{
    char host[256], portstr[8];
    struct addrinfo hints = {0}, *res = NULL;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int port = 0, rc, fd = -1, e = 0;

    if ((rc = parse_listen(s->listen, host, sizeof(host), &port, err)) != 0)
        return rc;
    snprintf(portstr, sizeof(portstr), "%d", port);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if ((rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, portstr, &hints, &res)) != 0)
        return tc_error_set(err, TC_ECONFIG, "server.listen: cannot resolve \"%s\": %s", host,
                            gai_strerror(rc));
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int one = 1;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
            break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return tc_error_set(err, TC_EIO, "cannot listen on %s: %s", s->listen, strerror(e));
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        e = errno;
        close(fd);
        return tc_error_set(err, TC_EIO, "listen %s: getsockname: %s", s->listen, strerror(e));
    }
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        char txt[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &a->sin6_addr, txt, sizeof(txt));
        s->port = ntohs(a->sin6_port);
        snprintf(s->address, sizeof(s->address), "[%s]:%d", txt, s->port);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        char txt[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &a->sin_addr, txt, sizeof(txt));
        s->port = ntohs(a->sin_port);
        snprintf(s->address, sizeof(s->address), "%s:%d", txt, s->port);
    }
    s->listen_fd = fd;
    return 0;
}

int tc_http_server_start(struct tc_http_server *s, struct tc_error *err)
{
    /* poll(), not epoll (MHD_USE_AUTO): edge-triggered epoll misses a client's
     * EOF that arrives with its last bytes, leaving a half-closed connection
     * unanswered or open until the idle timeout. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    struct MHD_OptionItem ops[12];
    int n = 0, rc;

    if (s->d || s->stopped)
        return tc_error_set(err, TC_ESTATE, "http server %s: already started", s->listen);
    if ((rc = tc__mhd_load(err)) != 0) {
        tc_error_prefix(err, "cannot start the http server on %s", s->listen);
        return rc;
    }
    if ((rc = bind_listener(s, err)) != 0)
        return rc;
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, s};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, s->listen_fd, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, s->opt.threads, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s};
    if (s->tls_cert) {
        flags |= MHD_USE_TLS;
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key};
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert};
        if (s->tls_ca)
            ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, s->tls_ca};
    }
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, ops,
                            MHD_OPTION_END);
    if (!s->d) {
        close(s->listen_fd);
        s->listen_fd = -1;
        s->port = 0;
        s->address[0] = '\0';
        if (s->tls_cert)
            return tc_error_set(err, TC_EIO, "cannot start the http server on %s: TLS refused "
                                "%s (check the TLS key and certificate: PEM, the key of "
                                "that certificate)", s->listen, s->tls_files);
        return tc_error_set(err, TC_EIO, "cannot start the http server on %s", s->listen);
    }
    return 0;
}

int tc_http_server_port(const struct tc_http_server *s) { return s->d ? s->port : 0; }
const char *tc_http_server_address(const struct tc_http_server *s)
{
    return s->d ? s->address : "";
}
int tc_http_server_in_flight(const struct tc_http_server *s)
{
    return atomic_load(&((struct tc_http_server *)s)->in_flight);
}

int tc_http_server_stop(struct tc_http_server *s, struct tc_error *err)
{
    struct timespec t0, now;
    int rc = 0;

    pthread_mutex_lock(&s->stop_mu);
    if (!s->d) {
        pthread_mutex_unlock(&s->stop_mu);
        return 0;
    }
    MHD_quiesce_daemon(s->d);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    s->listen_fd = -1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&s->in_flight) > 0) {
        struct timespec nap = {0, 5 * 1000 * 1000};
        int64_t ms;
        clock_gettime(CLOCK_MONOTONIC, &now);
        ms = (int64_t)(now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms >= s->opt.stop_timeout_ms) {
            rc = tc_error_set(err, TC_ETIMEOUT,
                              "http server %s: %d requests still running after %d ms",
                              s->address, atomic_load(&s->in_flight), s->opt.stop_timeout_ms);
            break;
        }
        nanosleep(&nap, NULL);
    }
    MHD_stop_daemon(s->d);
    s->d = NULL;
    s->stopped = 1;
    pthread_mutex_unlock(&s->stop_mu);
    return rc;
}

void tc_http_server_free(struct tc_http_server *s)
{
    if (!s)
        return;
    tc_http_server_stop(s, NULL);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    for (size_t i = 0; i < s->n_routes; i++) {
        free(s->routes[i].method);
        free(s->routes[i].pattern);
        free(s->routes[i].buf);
    }
    free(s->routes);
    tc_http_acl_free(s->acl);
    free(s->listen);
    free(s->tokens);
    if (s->tls_key)
        OPENSSL_cleanse(s->tls_key, strlen(s->tls_key));
    free(s->tls_key);
    free(s->tls_cert);
    free(s->tls_ca);
    free(s->tls_files);
    pthread_mutex_destroy(&s->stop_mu);
    free(s);
}
