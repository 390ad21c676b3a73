/*
 * Configuration. One static table of options (opts[] below) drives every
 * source: the YAML file (libyaml events; nested mappings become dotted keys),
 * the .env file, TC_ environment variables, --set, the sample file, `--help`
 * and `config show`. A load works on a copy and replaces the caller's
 * configuration only when every source parsed and every check passed.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "tradecore/config.h"
#include "tradecore/store.h"
#include "internal/banned.h"

enum opt_type { T_STR, T_INT, T_DBL, T_BOOL, T_ENUM };

enum { F_SECRET = 1 << 0, F_URL = 1 << 1 };

struct opt {
    struct tc_config_option_info info; /* key, type name, default text, help */
    enum opt_type type;
    double min, max;                   /* ints and doubles */
    const char *const *choices;        /* enums: NULL-terminated */
    unsigned flags;
};

static const char *const env_choices[] = {"development", "production", NULL};
static const char *const level_choices[] = {"trace", "debug", "info", "warn",
                                            "error", "fatal", NULL};
static const char *const format_choices[] = {"json", "text", NULL};
static const char *const mode_choices[] = {"paper", "live", NULL};
static const char *const broker_choices[] = {"instant", NULL};

#define STR(k, d, fl, h) {{k, "string", d, h}, T_STR, 0, 0, NULL, fl}
#define INT(k, d, lo, hi, h) {{k, "int", #d, h}, T_INT, lo, hi, NULL, 0}
#define DBL(k, d, lo, hi, h) {{k, "double", #d, h}, T_DBL, lo, hi, NULL, 0}
#define BOOL(k, d, h) {{k, "bool", d, h}, T_BOOL, 0, 0, NULL, 0}
#define ENUM(k, d, c, h) {{k, "enum", d, h}, T_ENUM, 0, 0, c, 0}

/* Keys sharing a prefix stay adjacent: the sample file nests them. */
static const struct opt opts[] = {
    ENUM("environment", "development", env_choices,
         "development or production; production refuses default passwords, "
         "unencrypted remote PostgreSQL and empty secrets"),
    ENUM("log.level", "info", level_choices,
         "lowest level logged: trace, debug, info, warn, error or fatal"),
    ENUM("log.format", "text", format_choices, "log line format: json or text"),
    BOOL("log.stderr", "true", "write log records to stderr"),
    STR("log.file", "", 0, "also log to this file (empty: stderr only)"),
    INT("log.max_bytes", 10485760, 0, 1e12,
        "rotate the log file when it would exceed this many bytes (0: never)"),
    INT("log.keep", 5, 0, 100, "rotated log files kept (FILE.1 .. FILE.N)"),
    STR("database.historical.url", "sqlite:var/historical.db", F_SECRET | F_URL,
        "historical store (market data): sqlite:PATH, sqlite::memory: or "
        "postgresql://user:password@host:5432/db?sslmode=require"),
    STR("database.runtime.url", "sqlite:var/runtime.db", F_SECRET | F_URL,
        "runtime store (portfolios, orders, fills, signals); may equal the historical url"),
    INT("database.pool_size", 4, 1, 256, "PostgreSQL connections per store"),
    INT("database.busy_timeout_ms", 5000, 0, 600000,
        "SQLite busy timeout in milliseconds"),
    INT("database.connect_attempts", 5, 1, 100,
        "attempts to connect to a store at start-up, with backoff"),
    INT("retry.attempts", 5, 1, 100, "attempts of a transaction that hit a transient error"),
    INT("retry.base_ms", 10, 1, 60000, "first backoff ceiling in milliseconds"),
    INT("retry.cap_ms", 1000, 1, 600000, "largest backoff ceiling in milliseconds"),
    DBL("backtest.risk_free_rate", 0.0, 0, 1,
        "annual risk-free rate used by the Sharpe and Sortino ratios (0.02 = 2%)"),
    ENUM("ledger.broker", "instant", broker_choices,
         "broker that `tradecore signal submit` sends orders to: instant (fills at once at "
         "the signal's price)"),
    STR("ledger.commission_rate", "0", 0,
        "commission of the instant broker as a fraction of traded value, in [0, 1), "
        "an exact decimal (0.001 = 0.1%)"),
    INT("ledger.max_skew_s", 86400, 0, 315360000,
        "signals whose timestamp is further than this many seconds from now are rejected"),
    STR("server.webhook_token", "", F_SECRET,
        "shared secret that webhook requests must carry (never printed)"),
    STR("server.listen", "127.0.0.1:8080", 0,
        "address of `tradecore serve`: HOST:PORT or [IPv6]:PORT (port 0: any free port)"),
    INT("server.threads", 4, 1, 1024, "HTTP worker threads"),
    INT("server.body_limit", 65536, 1, 1073741824,
        "largest HTTP request body in bytes (larger ones get 413)"),
    STR("server.tokens", "", F_SECRET,
        "comma-separated bearer tokens accepted by the HTTP service (never printed)"),
    STR("server.allow_ips", "", 0,
        "comma-separated addresses and CIDRs allowed to connect (empty: all)"),
    STR("server.tls_cert", "", 0, "PEM certificate file: serve HTTPS (with server.tls_key)"),
    STR("server.tls_key", "", 0, "PEM private key file of server.tls_cert"),
    STR("server.tls_client_ca", "", 0,
        "PEM CA file: require client certificates signed by it (empty: no check)"),
    ENUM("server.mode", "paper", mode_choices, "trading mode of the service: paper or live"),
    INT("server.heartbeat_ms", 1000, 10, 3600000,
        "interval of the service heartbeat that pings the stores, in milliseconds"),
    INT("server.lease_ms", 3000, 40, 3600000,
        "leadership lease in milliseconds: standbys try the leader lock every "
        "min(heartbeat_ms, lease_ms / 4) and take over within it when the leader dies"),
    STR("testing.clock_offset_file", "", 0,
        "tests only, never in production: a file holding seconds that `tradecore serve` "
        "adds to its wall clock, re-read every heartbeat (empty: the real clock)"),
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

struct val {
    char *text;                 /* the value as text (owned); ints/doubles normalised */
    int64_t i;
    double d;
    int b;
    enum tc_config_source src;
    char *origin;               /* "tradecore.yaml:7", "environment variable TC_X", … */
};

struct tc_config {
    struct val v[N_OPTS];
};

static const char *const source_names[] = {"default", "file", "dotenv", "env", "cli"};

const char *tc_config_source_name(enum tc_config_source s)
{
    if ((int)s < 0 || (int)s > (int)TC_CONFIG_CLI)
        return "unknown";
    return source_names[s];
}

size_t tc_config_option_count(void) { return N_OPTS; }

const struct tc_config_option_info *tc_config_option_at(size_t i)
{
    return i < N_OPTS ? &opts[i].info : NULL;
}

static int find_opt(const char *key)
{
    for (size_t i = 0; i < N_OPTS; i++)
        if (strcmp(opts[i].info.key, key) == 0)
            return (int)i;
    return -1;
}

/* ---- values ---- */

static void val_release(struct val *v)
{
    free(v->text);
    free(v->origin);
    v->text = v->origin = NULL;
}

/* A value in a message: at most 64 characters, then "...". */
#define VSHOW_MAX 64
#define VSHOW(t) (strlen(t) > VSHOW_MAX ? VSHOW_MAX : (int)strlen(t)), (t), \
                 (strlen(t) > VSHOW_MAX ? "..." : "")

/* Parses TEXT for option O into V (text and origin not touched). ERR names the
 * key, the value and ORIGIN. */
static int parse_value(const struct opt *o, const char *text, const char *origin,
                       struct val *v, struct tc_error *err)
{
    const char *key = o->info.key;
    char *end;

    switch (o->type) {
    case T_STR:
        return 0;
    case T_INT: {
        long long n;
        const char *p = text;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            goto not_int;
        errno = 0;
        n = strtoll(text, &end, 10);
        if (*end != '\0')
            goto not_int;
        if (errno == ERANGE || (double)n < o->min || (double)n > o->max)
            return tc_error_set(err, TC_ECONFIG,
                                "%s: \"%.*s%s\" is out of range %.0f..%.0f (%s)", key, VSHOW(text),
                                o->min, o->max, origin);
        v->i = n;
        return 0;
    not_int:
        return tc_error_set(err, TC_ECONFIG, "%s: \"%.*s%s\" is not an integer (%s)", key,
                            VSHOW(text), origin);
    }
    case T_DBL: {
        double d;
        const char *p = text;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
            goto not_num;
        errno = 0;
        d = strtod(text, &end);
        if (*end != '\0' || !isfinite(d))
            goto not_num;
        if (errno == ERANGE || d < o->min || d > o->max)
            return tc_error_set(err, TC_ECONFIG, "%s: \"%.*s%s\" is out of range %g..%g (%s)",
                                key, VSHOW(text), o->min, o->max, origin);
        v->d = d;
        return 0;
    not_num:
        return tc_error_set(err, TC_ECONFIG, "%s: \"%.*s%s\" is not a finite number (%s)", key,
                            VSHOW(text), origin);
    }
    case T_BOOL: {
        static const char *const yes[] = {"true", "yes", "on", "1"};
        static const char *const no[] = {"false", "no", "off", "0"};
        for (size_t i = 0; i < 4; i++) {
            if (strcasecmp(text, yes[i]) == 0) {
                v->b = 1;
                return 0;
            }
            if (strcasecmp(text, no[i]) == 0) {
                v->b = 0;
                return 0;
            }
        }
        return tc_error_set(err, TC_ECONFIG,
                            "%s: \"%.*s%s\" is not a boolean (true/false/yes/no/on/off/1/0) (%s)",
                            key, VSHOW(text), origin);
    }
    case T_ENUM: {
        char list[256] = "";
        size_t len = 0;
        for (const char *const *c = o->choices; *c; c++) {
            if (strcmp(text, *c) == 0)
                return 0;
            len += (size_t)snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0,
                                    "%s%s", c == o->choices ? "" : ", ", *c);
            if (len >= sizeof(list))
                len = sizeof(list) - 1;
        }
        return tc_error_set(err, TC_ECONFIG, "%s: \"%.*s%s\" is not one of %s (%s)", key,
                            VSHOW(text), list, origin);
    }
    }
    return tc_error_set(err, TC_EINTERNAL, "%s: unknown option type", key);
}

/* Sets option IDX of CFG from TEXT. On error CFG is unchanged. */
static int set_value(struct tc_config *cfg, int idx, const char *text,
                     enum tc_config_source src, const char *origin, struct tc_error *err)
{
    const struct opt *o = &opts[idx];
    struct val nv = {0};
    int rc;

    if ((rc = parse_value(o, text, origin, &nv, err)) != 0)
        return rc;
    nv.text = strdup(text);
    nv.origin = origin ? strdup(origin) : NULL;
    if (!nv.text || (origin && !nv.origin)) {
        val_release(&nv);
        return tc_error_set(err, TC_ENOMEM, "%s: out of memory", o->info.key);
    }
    nv.src = src;
    val_release(&cfg->v[idx]);
    cfg->v[idx] = nv;
    return 0;
}

void tc_config_free(struct tc_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < N_OPTS; i++)
        val_release(&cfg->v[i]);
    free(cfg);
}

int tc_config_new(struct tc_config **out, struct tc_error *err)
{
    struct tc_config *cfg = calloc(1, sizeof(*cfg));
    int rc;

    *out = NULL;
    if (!cfg)
        return tc_error_set(err, TC_ENOMEM, "configuration: out of memory");
    for (size_t i = 0; i < N_OPTS; i++) {
        if ((rc = set_value(cfg, (int)i, opts[i].info.def, TC_CONFIG_DEFAULT, NULL, err)) != 0) {
            tc_config_free(cfg);
            return rc;
        }
    }
    *out = cfg;
    return 0;
}

static int config_dup(const struct tc_config *cfg, struct tc_config **out, struct tc_error *err)
{
    struct tc_config *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (!c)
        return tc_error_set(err, TC_ENOMEM, "configuration: out of memory");
    for (size_t i = 0; i < N_OPTS; i++) {
        c->v[i] = cfg->v[i];
        c->v[i].text = cfg->v[i].text ? strdup(cfg->v[i].text) : NULL;
        c->v[i].origin = cfg->v[i].origin ? strdup(cfg->v[i].origin) : NULL;
        if ((cfg->v[i].text && !c->v[i].text) || (cfg->v[i].origin && !c->v[i].origin)) {
            tc_config_free(c);
            return tc_error_set(err, TC_ENOMEM, "configuration: out of memory");
        }
    }
    *out = c;
    return 0;
}

/* Moves everything from SRC into DST and frees SRC. */
static void config_swap_in(struct tc_config *dst, struct tc_config *src)
{
    for (size_t i = 0; i < N_OPTS; i++) {
        val_release(&dst->v[i]);
        dst->v[i] = src->v[i];
    }
    free(src);
}

/* ---- getters ---- */

static const struct val *get(const struct tc_config *cfg, const char *key, int t1, int t2)
{
    int idx = find_opt(key);

    assert(cfg && idx >= 0 && "unknown configuration key");
    assert(((int)opts[idx].type == t1 || (int)opts[idx].type == t2) && "wrong type for key");
    return &cfg->v[idx];
}

const char *tc_config_str(const struct tc_config *cfg, const char *key)
{
    return get(cfg, key, T_STR, T_ENUM)->text;
}

int64_t tc_config_int(const struct tc_config *cfg, const char *key)
{
    return get(cfg, key, T_INT, T_INT)->i;
}

double tc_config_double(const struct tc_config *cfg, const char *key)
{
    return get(cfg, key, T_DBL, T_DBL)->d;
}

int tc_config_bool(const struct tc_config *cfg, const char *key)
{
    return get(cfg, key, T_BOOL, T_BOOL)->b;
}

enum tc_config_source tc_config_source_of(const struct tc_config *cfg, const char *key)
{
    int idx = find_opt(key);

    assert(cfg && idx >= 0 && "unknown configuration key");
    return cfg->v[idx].src;
}

/* ---- production checks ---- */

static int hexval(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* Percent-decodes S[0..N) into OUT. Returns 0, or -1 when it does not fit. */
static int pct_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int is_local_host(const char *h, size_t n)
{
    if (n == 0 || h[0] == '/')
        return 1;
    if (n >= 3 && (strncasecmp(h, "%2f", 3) == 0))
        return 1;
    return (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
           (n == 9 && strncmp(h, "127.0.0.1", 9) == 0) || (n == 3 && strncmp(h, "::1", 3) == 0) ||
           (n == 5 && strncmp(h, "[::1]", 5) == 0);
}

static int weak_password(const char *pw)
{
    static const char *const weak[] = {"postgres", "password", "changeme", "secret"};

    if (!*pw)
        return 1;
    for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
        if (strcasecmp(pw, weak[i]) == 0)
            return 1;
    return 0;
}

/* Checks a postgres URL for production: no empty/default password, TLS for a
 * remote host. Returns 0 or TC_ECONFIG naming the key and ORIGIN. */
static int check_pg_url(const char *key, const char *url, const char *origin,
                        struct tc_error *err)
{
    const char *p, *auth_end, *hosts, *hosts_end, *query;
    char pw[256], sslmode[32] = "";
    int has_pw = 0, remote = 0;
    const char *where = origin ? origin : "default";

    if (strncmp(url, "postgresql://", 13) == 0)
        p = url + 13;
    else if (strncmp(url, "postgres://", 11) == 0)
        p = url + 11;
    else
        return 0;
    query = strchr(p, '?');
    hosts_end = p + strcspn(p, "/?");
    auth_end = NULL;
    for (const char *q = p; q < hosts_end; q++)
        if (*q == '@')
            auth_end = q;
    hosts = auth_end ? auth_end + 1 : p;
    if (auth_end) {
        const char *colon = memchr(p, ':', (size_t)(auth_end - p));
        if (colon) {
            has_pw = 1;
            if (pct_decode(colon + 1, (size_t)(auth_end - colon - 1), pw, sizeof(pw)) != 0)
                return tc_error_set(err, TC_ECONFIG, "%s: password too long (%s)", key, where);
        }
    }
    /* each host of a "h1:5432,h2:5432" list; a host= parameter overrides */
    for (const char *h = hosts; h <= hosts_end;) {
        size_t n;
        const char *comma = memchr(h, ',', (size_t)(hosts_end - h));
        const char *e = comma ? comma : hosts_end;
        if (*h == '[') {
            const char *rb = memchr(h, ']', (size_t)(e - h));
            n = rb ? (size_t)(rb - h) + 1 : (size_t)(e - h);
        } else {
            const char *colon = memchr(h, ':', (size_t)(e - h));
            n = colon ? (size_t)(colon - h) : (size_t)(e - h);
        }
        if (!is_local_host(h, n))
            remote = 1;
        if (!comma)
            break;
        h = comma + 1;
    }
    for (const char *q = query ? query + 1 : NULL; q && *q;) {
        size_t n = strcspn(q, "&");
        const char *eq = memchr(q, '=', n);
        if (eq) {
            size_t kn = (size_t)(eq - q), vn = n - kn - 1;
            if (kn == 7 && strncmp(q, "sslmode", 7) == 0) {
                if (vn >= sizeof(sslmode))
                    vn = sizeof(sslmode) - 1;
                memcpy(sslmode, eq + 1, vn);
                sslmode[vn] = '\0';
            } else if (kn == 8 && strncmp(q, "password", 8) == 0) {
                has_pw = 1;
                if (pct_decode(eq + 1, vn, pw, sizeof(pw)) != 0)
                    return tc_error_set(err, TC_ECONFIG, "%s: password too long (%s)", key,
                                        where);
            } else if (kn == 4 && strncmp(q, "host", 4) == 0) {
                remote = !is_local_host(eq + 1, vn);
            }
        }
        q += n;
        if (*q == '&')
            q++;
    }
    if (has_pw && weak_password(pw))
        return tc_error_set(err, TC_ECONFIG,
                            "%s: empty or default password is not allowed in production (%s)",
                            key, where);
    if (remote && strcmp(sslmode, "require") != 0 && strcmp(sslmode, "verify-ca") != 0 &&
        strcmp(sslmode, "verify-full") != 0)
        return tc_error_set(err, TC_ECONFIG,
                            "%s: a remote PostgreSQL host needs sslmode=require, verify-ca or "
                            "verify-full in production (sslmode is \"%s\") (%s)",
                            key, sslmode, where);
    return 0;
}

static int validate(const struct tc_config *cfg, struct tc_error *err)
{
    int env = find_opt("environment");
    int rc;

    {
        const struct val *base = &cfg->v[find_opt("retry.base_ms")];
        const struct val *cap = &cfg->v[find_opt("retry.cap_ms")];
        if (base->i > cap->i)
            return tc_error_set(err, TC_ECONFIG,
                                "retry.base_ms %lld (%s) is above retry.cap_ms %lld (%s)",
                                (long long)base->i, base->origin ? base->origin : "default",
                                (long long)cap->i, cap->origin ? cap->origin : "default");
    }
    if (strcmp(cfg->v[env].text, "production") != 0)
        return 0;
    for (size_t i = 0; i < N_OPTS; i++) {
        const struct val *v = &cfg->v[i];
        const char *where = v->origin ? v->origin : "default";
        if (!(opts[i].flags & F_SECRET))
            continue;
        if ((opts[i].flags & F_URL) && !*v->text)
            return tc_error_set(err, TC_ECONFIG, "%s: empty in production (%s)",
                                opts[i].info.key, where);
        if ((opts[i].flags & F_URL) &&
            (rc = check_pg_url(opts[i].info.key, v->text, v->origin, err)) != 0)
            return rc;
        /* a secret given explicitly is in use: it may not be empty */
        if (!(opts[i].flags & F_URL) && v->src != TC_CONFIG_DEFAULT && !*v->text)
            return tc_error_set(err, TC_ECONFIG, "%s: secret is empty in production (%s)",
                                opts[i].info.key, where);
    }
    return 0;
}

/* ---- environment lookups and ${VAR} interpolation ---- */

static const char *env_get(char *const *environ_, const char *name, size_t n)
{
    for (char *const *e = environ_; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

struct sbuf {
    char *p;
    size_t len, cap;
};

static int sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64;
        char *np;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        if (!(np = realloc(b->p, ncap)))
            return -1;
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* Expands ${VAR} and ${VAR:-default} in IN. *OUT is malloc'd (caller frees). */
static int interpolate(const char *in, char *const *environ_, const char *key,
                       const char *origin, char **out, struct tc_error *err)
{
    struct sbuf b = {0};
    const char *p = in;
    int rc = TC_ENOMEM;

    *out = NULL;
    if (sb_add(&b, "", 0) != 0)
        goto fail;
    while (*p) {
        const char *d = strstr(p, "${");
        const char *close, *name, *def = NULL, *val;
        size_t nlen;
        if (!d) {
            if (sb_add(&b, p, strlen(p)) != 0)
                goto fail;
            break;
        }
        if (sb_add(&b, p, (size_t)(d - p)) != 0)
            goto fail;
        name = d + 2;
        if (!(close = strchr(name, '}'))) {
            rc = tc_error_set(err, TC_ECONFIG, "%s: unterminated ${ in \"%s\" (%s)", key, in,
                              origin);
            goto fail;
        }
        nlen = strcspn(name, ":}");
        if (name[nlen] == ':') {
            if (name[nlen + 1] != '-') {
                rc = tc_error_set(err, TC_ECONFIG,
                                  "%s: bad substitution in \"%s\" (use ${VAR} or "
                                  "${VAR:-default}) (%s)",
                                  key, in, origin);
                goto fail;
            }
            def = name + nlen + 2;
        }
        if (nlen == 0 || !(isalpha((unsigned char)name[0]) || name[0] == '_')) {
            rc = tc_error_set(err, TC_ECONFIG, "%s: bad variable name in \"%s\" (%s)", key, in,
                              origin);
            goto fail;
        }
        for (size_t i = 0; i < nlen; i++) {
            if (!isalnum((unsigned char)name[i]) && name[i] != '_') {
                rc = tc_error_set(err, TC_ECONFIG, "%s: bad variable name in \"%s\" (%s)", key,
                                  in, origin);
                goto fail;
            }
        }
        val = env_get(environ_, name, nlen);
        if (val && *val) {
            if (sb_add(&b, val, strlen(val)) != 0)
                goto fail;
        } else if (def) {
            if (sb_add(&b, def, (size_t)(close - def)) != 0)
                goto fail;
        } else if (val) {
            /* set but empty, no default: empty */
        } else {
            rc = tc_error_set(err, TC_ECONFIG,
                              "%s: environment variable %.*s is not set (%s)", key, (int)nlen,
                              name, origin);
            goto fail;
        }
        p = close + 1;
    }
    *out = b.p;
    return 0;
fail:
    if (rc == TC_ENOMEM)
        tc_error_set(err, TC_ENOMEM, "%s: out of memory (%s)", key, origin);
    free(b.p);
    return rc;
}

/* ---- YAML ---- */

#define YAML_MAX_DEPTH 16

static int yaml_key_set(struct tc_config *cfg, unsigned char *seen, const char *path,
                        const char *key, const char *raw, size_t line,
                        char *const *environ_, struct tc_error *err)
{
    char origin[512];
    char *val = NULL;
    int idx, rc;

    snprintf(origin, sizeof(origin), "%s:%zu", path, line);
    if ((idx = find_opt(key)) < 0)
        return tc_error_set(err, TC_ECONFIG, "unknown key \"%s\" (%s)", key, origin);
    if (seen[idx])
        return tc_error_set(err, TC_ECONFIG, "duplicate key \"%s\" (%s)", key, origin);
    seen[idx] = 1;
    if ((rc = interpolate(raw, environ_, key, origin, &val, err)) != 0)
        return rc;
    rc = set_value(cfg, idx, val, TC_CONFIG_FILE, origin, err);
    free(val);
    return rc;
}

static int load_yaml(struct tc_config *cfg, const char *path, char *const *environ_,
                     struct tc_error *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    FILE *fp = fopen(path, "rb");
    /* one entry per open mapping: the dotted prefix length and whether the
     * next scalar is a key */
    char prefix[512] = "";
    size_t plen[YAML_MAX_DEPTH];
    int want_key[YAML_MAX_DEPTH];
    int depth = 0, done = 0, rc = 0, docs = 0;
    char curkey[512] = "";
    unsigned char seen[N_OPTS] = {0};

    if (!fp)
        return tc_error_set(err, TC_EIO, "configuration file \"%s\": %s", path, strerror(errno));
    if (!yaml_parser_initialize(&parser)) {
        fclose(fp);
        return tc_error_set(err, TC_ENOMEM, "configuration file \"%s\": out of memory", path);
    }
    yaml_parser_set_input_file(&parser, fp);
    while (!done && rc == 0) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = tc_error_set(err, TC_EPARSE, "%s:%zu: malformed YAML: %s%s%s", path,
                              (size_t)parser.problem_mark.line + 1,
                              parser.problem ? parser.problem : "syntax error",
                              parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        size_t line = (size_t)ev.start_mark.line + 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                rc = tc_error_set(err, TC_ECONFIG, "%s:%zu: only one YAML document is allowed",
                                  path, line);
            break;
        case YAML_MAPPING_START_EVENT:
            if (depth == 0) {
                if (prefix[0] != '\0' || docs != 1) {
                    rc = tc_error_set(err, TC_ECONFIG, "%s:%zu: unexpected mapping", path, line);
                    break;
                }
                plen[0] = 0;
                want_key[0] = 1;
                depth = 1;
                break;
            }
            if (want_key[depth - 1]) {
                rc = tc_error_set(err, TC_ECONFIG, "%s:%zu: a mapping cannot be a key", path,
                                  line);
                break;
            }
            if (depth >= YAML_MAX_DEPTH) {
                rc = tc_error_set(err, TC_ECONFIG, "%s:%zu: nested too deeply", path, line);
                break;
            }
            /* the current key becomes the prefix of the nested keys */
            plen[depth] = strlen(curkey);
            snprintf(prefix, sizeof(prefix), "%s", curkey);
            want_key[depth - 1] = 1;
            want_key[depth] = 1;
            depth++;
            break;
        case YAML_MAPPING_END_EVENT:
            depth--;
            if (depth > 0) {
                /* back to the enclosing mapping's prefix */
                prefix[plen[depth - 1] < sizeof(prefix) ? plen[depth - 1] : 0] = '\0';
            }
            break;
        case YAML_SCALAR_EVENT: {
            const char *s = (const char *)ev.data.scalar.value;
            if (depth == 0) {
                /* a document that is a single scalar: empty (~) is fine */
                if (ev.data.scalar.length > 0 && strcmp(s, "~") != 0 && strcmp(s, "null") != 0)
                    rc = tc_error_set(err, TC_ECONFIG,
                                      "%s:%zu: expected a mapping of keys to values", path, line);
                break;
            }
            if (want_key[depth - 1]) {
                size_t pl = plen[depth - 1];
                if (ev.data.scalar.length == 0 || strchr(s, '\n')) {
                    rc = tc_error_set(err, TC_ECONFIG, "%s:%zu: empty or invalid key", path,
                                      line);
                    break;
                }
                if (pl > 0)
                    snprintf(curkey, sizeof(curkey), "%.*s.%s", (int)pl, prefix, s);
                else
                    snprintf(curkey, sizeof(curkey), "%s", s);
                want_key[depth - 1] = 0;
            } else {
                int plain_null = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                                 (strcmp(s, "~") == 0 || strcmp(s, "null") == 0);
                rc = yaml_key_set(cfg, seen, path, curkey, plain_null ? "" : s, line, environ_,
                                  err);
                want_key[depth - 1] = 1;
            }
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
            rc = tc_error_set(err, TC_ECONFIG, "%s:%zu: %s%s%slists are not supported", path,
                              line, curkey[0] ? "key \"" : "", curkey, curkey[0] ? "\": " : "");
            break;
        case YAML_ALIAS_EVENT:
            rc = tc_error_set(err, TC_ECONFIG, "%s:%zu: aliases are not supported", path, line);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    fclose(fp);
    return rc;
}

/* ---- .env ---- */

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

/* TC_DATABASE__RUNTIME__URL -> database.runtime.url into BUF. */
static void env_to_key(const char *name, size_t n, char *buf, size_t cap)
{
    size_t o = 0;

    for (size_t i = 3; i < n && o + 1 < cap; i++) {
        if (name[i] == '_' && i + 1 < n && name[i + 1] == '_') {
            buf[o++] = '.';
            i++;
        } else {
            buf[o++] = (char)tolower((unsigned char)name[i]);
        }
    }
    buf[o] = '\0';
}

static int valid_env_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

static int is_test_var(const char *name, size_t n)
{
    return n >= 8 && strncmp(name, "TC_TEST_", 8) == 0;
}

/* Unquotes a .env value in place. Returns 0, or -1 on an unterminated quote. */
static int dotenv_value(char *v)
{
    size_t n;
    char q;

    memmove(v, trim(v), strlen(trim(v)) + 1);
    n = strlen(v);
    q = v[0];

    if (q == '"' || q == '\'') {
        char *end = NULL, *o = v;
        for (char *p = v + 1; *p; p++) {
            if (*p == q) {
                end = p;
                break;
            }
            if (q == '"' && *p == '\\' && p[1]) {
                p++;
                *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
                continue;
            }
            *o++ = *p;
        }
        if (!end)
            return -1;
        if (*trim(end + 1) != '\0' && *trim(end + 1) != '#')
            return -1;
        *o = '\0';
        return 0;
    }
    /* unquoted: " #" starts a comment */
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '#' && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t')) {
            v[i] = '\0';
            break;
        }
    }
    {
        char *t = trim(v);
        memmove(v, t, strlen(t) + 1);
    }
    return 0;
}

static int load_dotenv(struct tc_config *cfg, const char *path, struct tc_error *err)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    unsigned char seen[N_OPTS] = {0};
    int rc = 0;

    if (!fp)
        return tc_error_set(err, TC_EIO, "dotenv file \"%s\": %s", path, strerror(errno));
    while (rc == 0 && getline(&line, &cap, fp) != -1) {
        char origin[512], key[256], *s = trim(line), *eq, *name;
        size_t nlen;
        int idx;

        lineno++;
        snprintf(origin, sizeof(origin), "%s:%zu", path, lineno);
        if (*s == '\0' || *s == '#')
            continue;
        if (strncmp(s, "export ", 7) == 0)
            s = trim(s + 7);
        if (!(eq = strchr(s, '='))) {
            rc = tc_error_set(err, TC_ECONFIG, "%s: expected KEY=VALUE", origin);
            break;
        }
        *eq = '\0';
        name = trim(s);
        nlen = strlen(name);
        if (!valid_env_name(name, nlen) || strncmp(name, "TC_", 3) != 0) {
            rc = tc_error_set(err, TC_ECONFIG, "%s: \"%s\" is not a TC_ variable name", origin,
                              name);
            break;
        }
        if (is_test_var(name, nlen))
            continue;
        env_to_key(name, nlen, key, sizeof(key));
        if ((idx = find_opt(key)) < 0) {
            rc = tc_error_set(err, TC_ECONFIG, "unknown variable %s (key \"%s\") (%s)", name,
                              key, origin);
            break;
        }
        if (seen[idx]) {
            rc = tc_error_set(err, TC_ECONFIG, "duplicate variable %s (%s)", name, origin);
            break;
        }
        seen[idx] = 1;
        if (dotenv_value(eq + 1) != 0) {
            rc = tc_error_set(err, TC_ECONFIG, "%s: unterminated quote in the value of %s",
                              origin, name);
            break;
        }
        rc = set_value(cfg, idx, eq + 1, TC_CONFIG_DOTENV, origin, err);
    }
    free(line);
    fclose(fp);
    return rc;
}

static int load_environ(struct tc_config *cfg, char *const *environ_, struct tc_error *err)
{
    for (char *const *e = environ_; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        char origin[300], key[256];
        size_t nlen;
        int idx, rc;

        if (!eq || strncmp(*e, "TC_", 3) != 0)
            continue;
        nlen = (size_t)(eq - *e);
        if (is_test_var(*e, nlen))
            continue;
        snprintf(origin, sizeof(origin), "environment variable %.*s", (int)nlen, *e);
        env_to_key(*e, nlen, key, sizeof(key));
        if ((idx = find_opt(key)) < 0)
            return tc_error_set(err, TC_ECONFIG, "unknown %s (key \"%s\")", origin, key);
        if ((rc = set_value(cfg, idx, eq + 1, TC_CONFIG_ENV, origin, err)) != 0)
            return rc;
    }
    return 0;
}

static int load_sets(struct tc_config *cfg, const char *const *sets, size_t n,
                     struct tc_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = sets[i], *eq;
        char key[256];
        int idx, rc;

        if (!s || !(eq = strchr(s, '=')) || eq == s)
            return tc_error_set(err, TC_ECONFIG, "--set \"%s\": expected key=value",
                                s ? s : "(null)");
        snprintf(key, sizeof(key), "%.*s", (int)(eq - s), s);
        if ((idx = find_opt(key)) < 0)
            return tc_error_set(err, TC_ECONFIG, "unknown key \"%s\" (--set)", key);
        if ((rc = set_value(cfg, idx, eq + 1, TC_CONFIG_CLI, "--set", err)) != 0)
            return rc;
    }
    return 0;
}

static int file_exists(const char *path)
{
    FILE *fp = fopen(path, "r");

    if (!fp)
        return errno != ENOENT;   /* present but unreadable: let the load report it */
    fclose(fp);
    return 1;
}

int tc_config_load(struct tc_config *cfg, const struct tc_config_sources *src,
                   struct tc_error *err)
{
    struct tc_config *c = NULL;
    int rc;

    if (!cfg)
        return tc_error_set(err, TC_EINVAL, "configuration: no configuration to load into");
    if ((rc = config_dup(cfg, &c, err)) != 0)
        return rc;
    if (src) {
        const char *yaml = src->yaml_path;
        if (!yaml && src->default_yaml && file_exists(src->default_yaml))
            yaml = src->default_yaml;
        if (yaml && (rc = load_yaml(c, yaml, src->environ, err)) != 0)
            goto out;
        if (src->dotenv_path && file_exists(src->dotenv_path) &&
            (rc = load_dotenv(c, src->dotenv_path, err)) != 0)
            goto out;
        if ((rc = load_environ(c, src->environ, err)) != 0)
            goto out;
        if (src->n_sets && (rc = load_sets(c, src->sets, src->n_sets, err)) != 0)
            goto out;
    }
    if ((rc = validate(c, err)) != 0)
        goto out;
    config_swap_in(cfg, c);
    return 0;
out:
    tc_config_free(c);
    return rc;
}

int tc_config_set(struct tc_config *cfg, const char *key, const char *value,
                  enum tc_config_source source, struct tc_error *err)
{
    static const char *const origins[] = {"default", "file", "dotenv", "environment", "--set"};
    struct tc_config *c = NULL;
    int idx, rc;

    if (!cfg || !key || !value)
        return tc_error_set(err, TC_EINVAL, "configuration: missing key or value");
    if ((int)source < 0 || (int)source > (int)TC_CONFIG_CLI)
        return tc_error_set(err, TC_EINVAL, "%s: unknown source %d", key, (int)source);
    if ((idx = find_opt(key)) < 0)
        return tc_error_set(err, TC_ECONFIG, "unknown key \"%s\" (%s)", key, origins[source]);
    if ((rc = config_dup(cfg, &c, err)) != 0)
        return rc;
    if ((rc = set_value(c, idx, value, source, origins[source], err)) != 0 ||
        (rc = validate(c, err)) != 0) {
        tc_config_free(c);
        return rc;
    }
    config_swap_in(cfg, c);
    return 0;
}

/* ---- show and sample ---- */

/* The value of option I as shown: secrets redacted. Writes into BUF or returns
 * the stored text. */
static const char *shown(const struct tc_config *cfg, size_t i, char *buf, size_t cap)
{
    const char *t = cfg->v[i].text;

    if (!(opts[i].flags & F_SECRET) || !*t)
        return t;
    if ((opts[i].flags & F_URL) && tc_store_redact_url(t, buf, cap) >= 0)
        return buf;
    return "***";
}

int tc_config_show(const struct tc_config *cfg, FILE *out, int json, int sources,
                   struct tc_error *err)
{
    char buf[1024];

    if (!cfg || !out)
        return tc_error_set(err, TC_EINVAL, "config show: no configuration or output");
    if (json) {
        json_t *root = json_object();
        int rc = 0;
        if (!root)
            return tc_error_set(err, TC_ENOMEM, "config show: out of memory");
        for (size_t i = 0; i < N_OPTS && rc == 0; i++) {
            const struct val *v = &cfg->v[i];
            json_t *jv;
            switch (opts[i].type) {
            case T_INT: jv = json_integer((json_int_t)v->i); break;
            case T_DBL: jv = json_real(v->d); break;
            case T_BOOL: jv = json_boolean(v->b); break;
            default: jv = json_string(shown(cfg, i, buf, sizeof(buf))); break;
            }
            if (!jv || json_object_set_new(root, opts[i].info.key,
                                           json_pack("{s:o,s:s}", "value", jv, "source",
                                                     tc_config_source_name(v->src))) != 0)
                rc = tc_error_set(err, TC_ENOMEM, "config show: out of memory");
        }
        if (rc == 0 && (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
                        fputc('\n', out) == EOF))
            rc = tc_error_set(err, TC_EIO, "config show: write failed");
        json_decref(root);
        return rc;
    }
    for (size_t i = 0; i < N_OPTS; i++) {
        const struct val *v = &cfg->v[i];
        const char *t = shown(cfg, i, buf, sizeof(buf));
        fprintf(out, "%s = %s", opts[i].info.key, *t ? t : "\"\"");
        if (sources) {
            fprintf(out, "  # %s", tc_config_source_name(v->src));
            if (v->origin && v->src != TC_CONFIG_DEFAULT)
                fprintf(out, " (%s)", v->origin);
        }
        fputc('\n', out);
    }
    if (ferror(out))
        return tc_error_set(err, TC_EIO, "config show: write failed");
    return 0;
}

/* Writes S as a YAML double-quoted scalar. */
static void yaml_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

int tc_config_write_sample(FILE *out, struct tc_error *err)
{
    const char *prev = "";

    if (!out)
        return tc_error_set(err, TC_EINVAL, "config sample: no output");
    fputs("# tradecore configuration. Every option is listed with its default.\n"
          "# Precedence: defaults < this file < .env < TC_ environment variables\n"
          "# (TC_DATABASE__RUNTIME__URL for database.runtime.url) < --set key=value.\n"
          "# Values may use ${VAR} and ${VAR:-default} from the environment.\n",
          out);
    for (size_t i = 0; i < N_OPTS; i++) {
        const char *key = opts[i].info.key;
        size_t common = 0, depth = 0;
        const char *seg, *dot;

        /* segments shared with the previous key are already open */
        for (size_t k = 0;; k++) {
            if (key[k] != prev[k])
                break;
            if (key[k] == '.')
                common = k + 1;
            if (key[k] == '\0')
                break;
        }
        for (size_t k = 0; k < common; k++)
            if (key[k] == '.')
                depth++;
        fputc('\n', out);
        seg = key + common;
        while ((dot = strchr(seg, '.')) != NULL) {
            fprintf(out, "%*s%.*s:\n", (int)depth * 2, "", (int)(dot - seg), seg);
            depth++;
            seg = dot + 1;
        }
        fprintf(out, "%*s# %s (%s", (int)depth * 2, "", opts[i].info.help, opts[i].info.type);
        if (opts[i].type == T_INT)
            fprintf(out, ", %.0f..%.0f", opts[i].min, opts[i].max);
        else if (opts[i].type == T_DBL)
            fprintf(out, ", %g..%g", opts[i].min, opts[i].max);
        else if (opts[i].type == T_ENUM) {
            fputs(":", out);
            for (const char *const *c = opts[i].choices; *c; c++)
                fprintf(out, " %s", *c);
        }
        if (opts[i].flags & F_SECRET)
            fputs(", secret", out);
        fputs(")\n", out);
        fprintf(out, "%*s%s: ", (int)depth * 2, "", seg);
        if (opts[i].type == T_STR)
            yaml_quoted(out, opts[i].info.def);
        else
            fputs(opts[i].info.def, out);
        fputc('\n', out);
        prev = key;
    }
    if (ferror(out))
        return tc_error_set(err, TC_EIO, "config sample: write failed");
    return 0;
}
