/*
 * Structured logging: one process-wide logger behind a mutex. Records are
 * formatted as one JSON object or one text line into a local buffer, then
 * written whole to stderr and/or a file. The file rotates by size
 * (FILE -> FILE.1 -> ... -> FILE.keep, the oldest dropped).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tradecore/clock.h"
#include "tradecore/log.h"
#include "internal/banned.h"

volatile int tc__log_threshold = TC_LOG_INFO;

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static struct {
    enum tc_log_format format;
    int to_stderr;
    char *path;        /* owned; NULL = no file sink */
    FILE *fp;          /* open file sink, or NULL */
    int64_t size;      /* bytes in the current file */
    int64_t max_bytes;
    int keep;
} lg = {TC_LOG_FORMAT_JSON, 1, NULL, NULL, 0, 0, 0};

static const char *const level_names[] = {"trace", "debug", "info", "warn",
                                          "error", "fatal", "off"};

const char *tc_log_level_name(enum tc_log_level level)
{
    if ((int)level < 0 || (int)level > (int)TC_LOG_OFF)
        return "unknown";
    return level_names[level];
}

int tc_log_level_parse(const char *name, enum tc_log_level *out)
{
    if (!name)
        return TC_EINVAL;
    for (int i = 0; i <= (int)TC_LOG_OFF; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            if (out)
                *out = (enum tc_log_level)i;
            return 0;
        }
    }
    return TC_EINVAL;
}

int tc_log_format_parse(const char *name, enum tc_log_format *out)
{
    if (!name)
        return TC_EINVAL;
    if (strcmp(name, "json") == 0) {
        if (out)
            *out = TC_LOG_FORMAT_JSON;
        return 0;
    }
    if (strcmp(name, "text") == 0) {
        if (out)
            *out = TC_LOG_FORMAT_TEXT;
        return 0;
    }
    return TC_EINVAL;
}

/* ---- a small growable line buffer; on allocation failure it truncates ---- */

struct lbuf {
    char *p;
    size_t len, cap;
    int oom;
    char local[1024];
};

static void lb_init(struct lbuf *b)
{
    b->p = b->local;
    b->len = 0;
    b->cap = sizeof(b->local);
    b->oom = 0;
}

static void lb_release(struct lbuf *b)
{
    if (b->p != b->local)
        free(b->p);
}

static int lb_grow(struct lbuf *b, size_t extra)
{
    size_t need, ncap;
    char *np;

    if (b->oom)
        return -1;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    ncap = b->cap * 2;
    while (ncap < need)
        ncap *= 2;
    np = b->p == b->local ? malloc(ncap) : realloc(b->p, ncap);
    if (!np) {
        b->oom = 1;
        return -1;
    }
    if (b->p == b->local)
        memcpy(np, b->local, b->len);
    b->p = np;
    b->cap = ncap;
    return 0;
}

static void lb_add(struct lbuf *b, const char *s, size_t n)
{
    if (lb_grow(b, n) != 0)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void lb_str(struct lbuf *b, const char *s) { lb_add(b, s, strlen(s)); }

static void lb_ch(struct lbuf *b, char c) { lb_add(b, &c, 1); }

static void lb_fmt(struct lbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lb_fmt(struct lbuf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        lb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Length of a valid UTF-8 sequence at S (at most AVAIL bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    size_t n;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1fu;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0fu;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07u;
    else
        return 0;
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* Appends S as JSON string contents (no quotes). Invalid UTF-8 becomes U+FFFD. */
static void lb_json_esc(struct lbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t avail = strlen((const char *)p);

    while (*p) {
        unsigned char c = *p;
        size_t n;
        switch (c) {
        case '"': lb_str(b, "\\\""); break;
        case '\\': lb_str(b, "\\\\"); break;
        case '\n': lb_str(b, "\\n"); break;
        case '\r': lb_str(b, "\\r"); break;
        case '\t': lb_str(b, "\\t"); break;
        case '\b': lb_str(b, "\\b"); break;
        case '\f': lb_str(b, "\\f"); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                lb_fmt(b, "\\u%04x", c);
            } else if (c < 0x80) {
                lb_ch(b, (char)c);
            } else if ((n = utf8_len(p, avail)) > 0) {
                lb_add(b, (const char *)p, n);
                p += n;
                avail -= n;
                continue;
            } else {
                lb_str(b, "\\ufffd");
            }
        }
        p++;
        avail--;
    }
}

/* A double as the shortest text that reads back exactly; always with a '.' or
 * an exponent so that it stays a real number. Non-finite values become null. */
static void lb_double(struct lbuf *b, double d, int json)
{
    char tmp[40];

    if (!isfinite(d)) {
        lb_str(b, json ? "null" : (isnan(d) ? "nan" : (d > 0 ? "inf" : "-inf")));
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    lb_str(b, tmp);
    if (!strpbrk(tmp, ".eEn"))
        lb_str(b, ".0");
}

/* Text values are bare when they are simple, else double-quoted with escapes. */
static void lb_text_value(struct lbuf *b, const char *s)
{
    int bare = s && *s;

    for (const char *p = s; bare && *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
            bare = 0;
    if (bare) {
        lb_str(b, s);
        return;
    }
    lb_ch(b, '"');
    lb_json_esc(b, s);
    lb_ch(b, '"');
}

static void format_record(struct lbuf *b, enum tc_log_format fmt, enum tc_log_level level,
                          const char *component, const char *msg,
                          const struct tc_log_field *f, size_t n)
{
    char ts[TC_TIME_STRLEN];

    if (tc_time_format(tc_clock_now(NULL), ts, sizeof(ts)) < 0)
        snprintf(ts, sizeof(ts), "0000-00-00T00:00:00.000000Z");
    if (fmt == TC_LOG_FORMAT_JSON) {
        lb_str(b, "{\"ts\":\"");
        lb_str(b, ts);
        lb_str(b, "\",\"level\":\"");
        lb_str(b, tc_log_level_name(level));
        lb_str(b, "\",\"component\":\"");
        lb_json_esc(b, component);
        lb_str(b, "\",\"msg\":\"");
        lb_json_esc(b, msg);
        lb_ch(b, '"');
        for (size_t i = 0; i < n; i++) {
            if (!f[i].key)
                continue;
            lb_str(b, ",\"");
            lb_json_esc(b, f[i].key);
            lb_str(b, "\":");
            switch (f[i].type) {
            case TC_LF_T_STR:
                if (!f[i].s) {
                    lb_str(b, "null");
                } else {
                    lb_ch(b, '"');
                    lb_json_esc(b, f[i].s);
                    lb_ch(b, '"');
                }
                break;
            case TC_LF_T_INT: lb_fmt(b, "%lld", (long long)f[i].i); break;
            case TC_LF_T_DBL: lb_double(b, f[i].d, 1); break;
            case TC_LF_T_BOOL: lb_str(b, f[i].i ? "true" : "false"); break;
            }
        }
        lb_str(b, "}\n");
        return;
    }
    lb_str(b, ts);
    lb_fmt(b, " %-5s ", tc_log_level_name(level));
    lb_text_value(b, component ? component : "");
    lb_str(b, ": ");
    for (const char *p = msg ? msg : ""; *p; p++) {
        /* one record, one line: control characters in the message are escaped */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            lb_fmt(b, "\\x%02x", (unsigned char)*p);
        else
            lb_ch(b, *p);
    }
    for (size_t i = 0; i < n; i++) {
        if (!f[i].key)
            continue;
        lb_ch(b, ' ');
        lb_str(b, f[i].key);
        lb_ch(b, '=');
        switch (f[i].type) {
        case TC_LF_T_STR: lb_text_value(b, f[i].s); break;
        case TC_LF_T_INT: lb_fmt(b, "%lld", (long long)f[i].i); break;
        case TC_LF_T_DBL: lb_double(b, f[i].d, 0); break;
        case TC_LF_T_BOOL: lb_str(b, f[i].i ? "true" : "false"); break;
        }
    }
    lb_ch(b, '\n');
}

/* ---- the file sink (callers hold log_mu) ---- */

static FILE *open_append(const char *path, int64_t *size)
{
    FILE *fp = fopen(path, "a");
    long pos;

    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (pos = ftell(fp)) >= 0)
        *size = pos;
    else
        *size = 0;
    return fp;
}

static void rotated_name(char *buf, size_t cap, const char *path, int i)
{
    snprintf(buf, cap, "%s.%d", path, i);
}

/* FILE.keep is dropped, FILE.i becomes FILE.i+1, FILE becomes FILE.1; keep 0
 * simply truncates FILE. Failures leave the file growing rather than lose lines. */
static void rotate_locked(void)
{
    size_t cap = strlen(lg.path) + 16;
    char *from = malloc(cap), *to = malloc(cap);
    int64_t size = 0;
    FILE *fp;

    if (!from || !to)
        goto out;
    fclose(lg.fp);
    lg.fp = NULL;
    if (lg.keep > 0) {
        rotated_name(to, cap, lg.path, lg.keep);
        remove(to);
        for (int i = lg.keep - 1; i >= 1; i--) {
            rotated_name(from, cap, lg.path, i);
            rotated_name(to, cap, lg.path, i + 1);
            rename(from, to);
        }
        rotated_name(to, cap, lg.path, 1);
        rename(lg.path, to);
        fp = open_append(lg.path, &size);
    } else {
        fp = fopen(lg.path, "w");
    }
    lg.fp = fp;
    lg.size = size;
out:
    free(from);
    free(to);
}

static void write_locked(const char *line, size_t len)
{
    if (lg.to_stderr) {
        fwrite(line, 1, len, stderr);
        fflush(stderr);
    }
    if (!lg.path)
        return;
    if (lg.fp && lg.max_bytes > 0 && lg.size > 0 && lg.size + (int64_t)len > lg.max_bytes)
        rotate_locked();
    if (!lg.fp)
        return;
    if (fwrite(line, 1, len, lg.fp) == len)
        lg.size += (int64_t)len;
    fflush(lg.fp);
}

void tc_log_write(enum tc_log_level level, const char *component, const char *msg,
                  const struct tc_log_field *fields, size_t n)
{
    struct lbuf b;
    enum tc_log_format fmt;

    if (!tc_log_enabled(level) || level >= TC_LOG_OFF)
        return;
    pthread_mutex_lock(&log_mu);
    fmt = lg.format;
    pthread_mutex_unlock(&log_mu);
    lb_init(&b);
    format_record(&b, fmt, level, component, msg, fields, fields ? n : 0);
    if (b.oom && b.len > 0)
        b.p[b.len - 1] = '\n';
    pthread_mutex_lock(&log_mu);
    write_locked(b.p, b.len);
    pthread_mutex_unlock(&log_mu);
    lb_release(&b);
}

int tc_log_open(const struct tc_log_config *cfg, struct tc_error *err)
{
    struct tc_log_config def = TC_LOG_CONFIG_DEFAULT;
    char *path = NULL;
    FILE *fp = NULL;
    int64_t size = 0;

    if (!cfg)
        cfg = &def;
    if ((int)cfg->level < 0 || (int)cfg->level > (int)TC_LOG_OFF)
        return tc_error_set(err, TC_EINVAL, "log level %d is not a level", (int)cfg->level);
    if (cfg->format != TC_LOG_FORMAT_JSON && cfg->format != TC_LOG_FORMAT_TEXT)
        return tc_error_set(err, TC_EINVAL, "log format %d is not a format", (int)cfg->format);
    if (cfg->max_bytes < 0)
        return tc_error_set(err, TC_EINVAL, "log max_bytes %lld is negative",
                            (long long)cfg->max_bytes);
    if (cfg->keep < 0)
        return tc_error_set(err, TC_EINVAL, "log keep %d is negative", cfg->keep);
    if (cfg->file && *cfg->file) {
        if (!(path = strdup(cfg->file)))
            return tc_error_set(err, TC_ENOMEM, "log file \"%s\": out of memory", cfg->file);
        if (!(fp = open_append(path, &size))) {
            int e = errno;
            free(path);
            return tc_error_set(err, TC_EIO, "log file \"%s\": %s", cfg->file, strerror(e));
        }
    }
    pthread_mutex_lock(&log_mu);
    if (lg.fp)
        fclose(lg.fp);
    free(lg.path);
    lg.path = path;
    lg.fp = fp;
    lg.size = size;
    lg.format = cfg->format;
    lg.to_stderr = cfg->to_stderr;
    lg.max_bytes = cfg->max_bytes;
    lg.keep = cfg->keep;
    tc__log_threshold = (int)cfg->level;
    pthread_mutex_unlock(&log_mu);
    return 0;
}

int tc_log_reopen(struct tc_error *err)
{
    int rc = 0;

    pthread_mutex_lock(&log_mu);
    if (lg.path) {
        int64_t size = 0;
        FILE *fp = open_append(lg.path, &size);
        if (!fp) {
            rc = tc_error_set(err, TC_EIO, "log file \"%s\": %s", lg.path, strerror(errno));
        } else {
            if (lg.fp)
                fclose(lg.fp);
            lg.fp = fp;
            lg.size = size;
        }
    }
    pthread_mutex_unlock(&log_mu);
    return rc;
}

void tc_log_close(void)
{
    struct tc_log_config def = TC_LOG_CONFIG_DEFAULT;

    pthread_mutex_lock(&log_mu);
    if (lg.fp)
        fclose(lg.fp);
    free(lg.path);
    lg.fp = NULL;
    lg.path = NULL;
    lg.size = 0;
    lg.format = def.format;
    lg.to_stderr = def.to_stderr;
    lg.max_bytes = def.max_bytes;
    lg.keep = def.keep;
    tc__log_threshold = (int)def.level;
    pthread_mutex_unlock(&log_mu);
}
