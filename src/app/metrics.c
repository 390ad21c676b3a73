/*
 * Metrics registry: counters, histograms and callback values with labels,
 * rendered as Prometheus text. Each metric keeps its series in an array
 * searched linearly (series are few: routes × statuses) behind its own mutex.
 */
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tradecore/metrics.h"
#include "internal/banned.h"

enum kind { K_COUNTER, K_HISTOGRAM, K_CALLBACK };

struct series {
    char **values;       /* n_labels strings */
    uint64_t count;      /* counter value, or histogram count */
    double sum;          /* histogram */
    uint64_t *buckets;   /* histogram: per bucket (not cumulative), n_bounds + 1 */
};

struct metric {
    enum kind kind;
    char *name, *help;
    const char *type;    /* "counter", "histogram", "gauge" */
    char **labels;
    size_t n_labels;
    double *bounds;
    size_t n_bounds;
    tc_metrics_read_fn fn;
    void *ud;
    pthread_mutex_t mu;
    struct series *series;
    size_t n_series, cap_series;
    struct metric *next;
};

/* The public handles are the metric itself. */
struct tc_counter { struct metric m; };
struct tc_histogram { struct metric m; };

struct tc_metrics {
    pthread_mutex_t mu;
    struct metric *head, *tail;
};

int tc_metrics_new(struct tc_metrics **out, struct tc_error *err)
{
    struct tc_metrics *m = calloc(1, sizeof(*m));

    *out = NULL;
    if (!m)
        return tc_error_set(err, TC_ENOMEM, "metrics registry: out of memory");
    pthread_mutex_init(&m->mu, NULL);
    *out = m;
    return 0;
}

static void free_strv(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void metric_free(struct metric *mt)
{
    for (size_t i = 0; i < mt->n_series; i++) {
        free_strv(mt->series[i].values, mt->n_labels);
        free(mt->series[i].buckets);
    }
    free(mt->series);
    free_strv(mt->labels, mt->n_labels);
    free(mt->bounds);
    free(mt->name);
    free(mt->help);
    pthread_mutex_destroy(&mt->mu);
    free(mt);
}

void tc_metrics_free(struct tc_metrics *m)
{
    if (!m)
        return;
    for (struct metric *mt = m->head, *nx; mt; mt = nx) {
        nx = mt->next;
        metric_free(mt);
    }
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static int valid_name(const char *s, int colon)
{
    if (!s || !*s)
        return 0;
    for (const char *p = s; *p; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (colon && c == ':') || (p != s && c >= '0' && c <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

static struct metric *find_locked(struct tc_metrics *m, const char *name)
{
    for (struct metric *mt = m->head; mt; mt = mt->next)
        if (strcmp(mt->name, name) == 0)
            return mt;
    return NULL;
}

/* Checks and allocates a metric (not yet in the registry). */
static int metric_make(enum kind kind, const char *name, const char *help,
                       const char *const *labels, size_t n_labels, struct metric **out,
                       struct tc_error *err)
{
    struct metric *mt;

    *out = NULL;
    if (!valid_name(name, 1))
        return tc_error_set(err, TC_EINVAL, "metric name \"%.64s\" is not [a-zA-Z_:][a-zA-Z0-9_:]*",
                            name ? name : "(null)");
    if (n_labels > TC_METRICS_MAX_LABELS)
        return tc_error_set(err, TC_ERANGE, "metric %s: %zu labels, at most %d", name, n_labels,
                            TC_METRICS_MAX_LABELS);
    if (n_labels && !labels)
        return tc_error_set(err, TC_EINVAL, "metric %s: label names missing", name);
    for (size_t i = 0; i < n_labels; i++) {
        if (!valid_name(labels[i], 0) || strncmp(labels[i], "__", 2) == 0)
            return tc_error_set(err, TC_EINVAL, "metric %s: label name \"%.64s\" is not valid",
                                name, labels[i] ? labels[i] : "(null)");
        if (kind == K_HISTOGRAM && strcmp(labels[i], "le") == 0)
            return tc_error_set(err, TC_EINVAL, "metric %s: label name \"le\" is reserved", name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(labels[i], labels[j]) == 0)
                return tc_error_set(err, TC_EINVAL, "metric %s: duplicate label name \"%s\"",
                                    name, labels[i]);
    }
    mt = calloc(1, sizeof(struct tc_histogram));
    if (!mt)
        return tc_error_set(err, TC_ENOMEM, "metric %s: out of memory", name);
    mt->kind = kind;
    mt->name = strdup(name);
    mt->help = strdup(help ? help : "");
    mt->labels = n_labels ? calloc(n_labels, sizeof(char *)) : NULL;
    mt->n_labels = n_labels;
    pthread_mutex_init(&mt->mu, NULL);
    if (!mt->name || !mt->help || (n_labels && !mt->labels))
        goto nomem;
    for (size_t i = 0; i < n_labels; i++)
        if (!(mt->labels[i] = strdup(labels[i])))
            goto nomem;
    *out = mt;
    return 0;
nomem:
    metric_free(mt);
    return tc_error_set(err, TC_ENOMEM, "metric %s: out of memory", name);
}

/* Adds MT to M unless its name is taken (then MT is freed). */
static int metric_register(struct tc_metrics *m, struct metric *mt, struct tc_error *err)
{
    pthread_mutex_lock(&m->mu);
    if (find_locked(m, mt->name)) {
        pthread_mutex_unlock(&m->mu);
        tc_error_set(err, TC_ECONFLICT, "metric %s is already registered", mt->name);
        metric_free(mt);
        return TC_ECONFLICT;
    }
    if (m->tail)
        m->tail->next = mt;
    else
        m->head = mt;
    m->tail = mt;
    pthread_mutex_unlock(&m->mu);
    return 0;
}

int tc_metrics_counter(struct tc_metrics *m, const char *name, const char *help,
                       const char *const *label_names, size_t n_labels,
                       struct tc_counter **out, struct tc_error *err)
{
    struct metric *mt;
    int rc;

    *out = NULL;
    if ((rc = metric_make(K_COUNTER, name, help, label_names, n_labels, &mt, err)) != 0)
        return rc;
    mt->type = "counter";
    if ((rc = metric_register(m, mt, err)) != 0)
        return rc;
    *out = (struct tc_counter *)mt;
    return 0;
}

int tc_metrics_histogram(struct tc_metrics *m, const char *name, const char *help,
                         const char *const *label_names, size_t n_labels,
                         const double *bounds, size_t n_bounds, struct tc_histogram **out,
                         struct tc_error *err)
{
    struct metric *mt;
    int rc;

    *out = NULL;
    if (!bounds || n_bounds == 0 || n_bounds > TC_METRICS_MAX_BUCKETS)
        return tc_error_set(err, TC_EINVAL, "histogram %.64s: %zu bucket bounds, want 1..%d",
                            name ? name : "(null)", n_bounds, TC_METRICS_MAX_BUCKETS);
    for (size_t i = 0; i < n_bounds; i++) {
        if (!isfinite(bounds[i]))
            return tc_error_set(err, TC_EINVAL, "histogram %.64s: bucket bound %zu is not finite",
                                name ? name : "(null)", i);
        if (i && !(bounds[i] > bounds[i - 1]))
            return tc_error_set(err, TC_EINVAL,
                                "histogram %.64s: bucket bounds must increase (%g after %g)",
                                name ? name : "(null)", bounds[i], bounds[i - 1]);
    }
    if ((rc = metric_make(K_HISTOGRAM, name, help, label_names, n_labels, &mt, err)) != 0)
        return rc;
    mt->type = "histogram";
    mt->bounds = malloc(n_bounds * sizeof(double));
    if (!mt->bounds) {
        metric_free(mt);
        return tc_error_set(err, TC_ENOMEM, "histogram %s: out of memory", name);
    }
    memcpy(mt->bounds, bounds, n_bounds * sizeof(double));
    mt->n_bounds = n_bounds;
    if ((rc = metric_register(m, mt, err)) != 0)
        return rc;
    *out = (struct tc_histogram *)mt;
    return 0;
}

int tc_metrics_callback(struct tc_metrics *m, const char *name, const char *help,
                        const char *type, tc_metrics_read_fn fn, void *ud,
                        struct tc_error *err)
{
    struct metric *mt;
    int rc;

    if (!fn || !type || (strcmp(type, "gauge") != 0 && strcmp(type, "counter") != 0))
        return tc_error_set(err, TC_EINVAL, "metric %.64s: type must be gauge or counter with a "
                            "read function", name ? name : "(null)");
    if ((rc = metric_make(K_CALLBACK, name, help, NULL, 0, &mt, err)) != 0)
        return rc;
    mt->type = strcmp(type, "gauge") == 0 ? "gauge" : "counter";
    mt->fn = fn;
    mt->ud = ud;
    return metric_register(m, mt, err);
}

/* Finds or creates the series of VALUES; call with mt->mu held. */
static int series_get(struct metric *mt, const char *const *values, struct series **out,
                      struct tc_error *err)
{
    struct series *s;

    for (size_t i = 0; i < mt->n_series; i++) {
        size_t k = 0;
        while (k < mt->n_labels && strcmp(mt->series[i].values[k], values[k]) == 0)
            k++;
        if (k == mt->n_labels) {
            *out = &mt->series[i];
            return 0;
        }
    }
    if (mt->n_series >= TC_METRICS_MAX_SERIES)
        return tc_error_set(err, TC_ERANGE, "metric %s: more than %d series", mt->name,
                            TC_METRICS_MAX_SERIES);
    if (mt->n_series == mt->cap_series) {
        size_t nc = mt->cap_series ? mt->cap_series * 2 : 8;
        struct series *ns = realloc(mt->series, nc * sizeof(*ns));
        if (!ns)
            return tc_error_set(err, TC_ENOMEM, "metric %s: out of memory", mt->name);
        mt->series = ns;
        mt->cap_series = nc;
    }
    s = &mt->series[mt->n_series];
    memset(s, 0, sizeof(*s));
    s->values = mt->n_labels ? calloc(mt->n_labels, sizeof(char *)) : NULL;
    if (mt->kind == K_HISTOGRAM)
        s->buckets = calloc(mt->n_bounds + 1, sizeof(uint64_t));
    if ((mt->n_labels && !s->values) || (mt->kind == K_HISTOGRAM && !s->buckets))
        goto nomem;
    for (size_t k = 0; k < mt->n_labels; k++)
        if (!(s->values[k] = strdup(values[k])))
            goto nomem;
    mt->n_series++;
    *out = s;
    return 0;
nomem:
    free_strv(s->values, mt->n_labels);
    free(s->buckets);
    return tc_error_set(err, TC_ENOMEM, "metric %s: out of memory", mt->name);
}

static int check_values(const struct metric *mt, const char *const *values,
                        struct tc_error *err)
{
    if (mt->n_labels && !values)
        return tc_error_set(err, TC_EINVAL, "metric %s: %zu label values missing", mt->name,
                            mt->n_labels);
    for (size_t i = 0; i < mt->n_labels; i++) {
        if (!values[i])
            return tc_error_set(err, TC_EINVAL, "metric %s: label %s has no value", mt->name,
                                mt->labels[i]);
        if (strlen(values[i]) >= TC_METRICS_MAX_VALUE)
            return tc_error_set(err, TC_ERANGE, "metric %s: value of label %s is longer than %d "
                                "bytes", mt->name, mt->labels[i], TC_METRICS_MAX_VALUE - 1);
    }
    return 0;
}

int tc_counter_add(struct tc_counter *c, const char *const *label_values, uint64_t v,
                   struct tc_error *err)
{
    struct metric *mt = &c->m;
    struct series *s;
    int rc;

    if ((rc = check_values(mt, label_values, err)) != 0)
        return rc;
    pthread_mutex_lock(&mt->mu);
    if ((rc = series_get(mt, label_values, &s, err)) == 0)
        s->count += v;
    pthread_mutex_unlock(&mt->mu);
    return rc;
}

uint64_t tc_counter_get(struct tc_counter *c, const char *const *label_values)
{
    struct metric *mt = &c->m;
    uint64_t v = 0;

    if (check_values(mt, label_values, NULL) != 0)
        return 0;
    pthread_mutex_lock(&mt->mu);
    for (size_t i = 0; i < mt->n_series; i++) {
        size_t k = 0;
        while (k < mt->n_labels && strcmp(mt->series[i].values[k], label_values[k]) == 0)
            k++;
        if (k == mt->n_labels) {
            v = mt->series[i].count;
            break;
        }
    }
    pthread_mutex_unlock(&mt->mu);
    return v;
}

int tc_histogram_observe(struct tc_histogram *h, const char *const *label_values, double v,
                         struct tc_error *err)
{
    struct metric *mt = &h->m;
    struct series *s;
    size_t b = 0;
    int rc;

    if (!isfinite(v))
        return tc_error_set(err, TC_EINVAL, "histogram %s: observation is not finite", mt->name);
    if ((rc = check_values(mt, label_values, err)) != 0)
        return rc;
    while (b < mt->n_bounds && v > mt->bounds[b])
        b++;
    pthread_mutex_lock(&mt->mu);
    if ((rc = series_get(mt, label_values, &s, err)) == 0) {
        s->buckets[b]++;
        s->count++;
        s->sum += v;
    }
    pthread_mutex_unlock(&mt->mu);
    return rc;
}

/* ---- process readings ---- */

double tc_metrics_process_cpu_seconds(void)
{
    char buf[1024], *p;
    unsigned long long ut, st;
    long hz = sysconf(_SC_CLK_TCK);
    FILE *f = fopen("/proc/self/stat", "r");
    size_t n;

    if (!f)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* fields after the command name, which may hold spaces: skip to the last ')' */
    if (!(p = strrchr(buf, ')')) || hz <= 0)
        return -1;
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)hz;
}

int64_t tc_metrics_process_rss_bytes(void)
{
    long long size, rss;
    long page = sysconf(_SC_PAGESIZE);
    FILE *f = fopen("/proc/self/statm", "r");
    int ok;

    if (!f)
        return -1;
    ok = fscanf(f, "%lld %lld", &size, &rss) == 2;
    fclose(f);
    return ok && page > 0 ? (int64_t)rss * page : -1;
}

int64_t tc_metrics_process_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int64_t n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the descriptor of the listing itself */
}

static double read_cpu(void *ud) { (void)ud; return tc_metrics_process_cpu_seconds(); }
static double read_rss(void *ud) { (void)ud; return (double)tc_metrics_process_rss_bytes(); }
static double read_fds(void *ud) { (void)ud; return (double)tc_metrics_process_open_fds(); }

static double read_start(void *ud)
{
    (void)ud;
    char buf[1024], *p;
    unsigned long long start;
    long hz = sysconf(_SC_CLK_TCK);
    double btime = -1;
    FILE *f = fopen("/proc/self/stat", "r");
    size_t n;

    if (!f)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (!(p = strrchr(buf, ')')) || hz <= 0 ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
                      "%*d %*d %llu", &start) != 1)
        return -1;
    if (!(f = fopen("/proc/stat", "r")))
        return -1;
    while (fgets(buf, sizeof(buf), f)) {
        unsigned long long bt;
        if (sscanf(buf, "btime %llu", &bt) == 1) {
            btime = (double)bt;
            break;
        }
    }
    fclose(f);
    return btime < 0 ? -1 : btime + (double)start / (double)hz;
}

int tc_metrics_add_process(struct tc_metrics *m, struct tc_error *err)
{
    int rc;

    if ((rc = tc_metrics_callback(m, "process_cpu_seconds_total",
                                  "Total user and system CPU time spent in seconds.", "counter",
                                  read_cpu, NULL, err)) != 0 ||
        (rc = tc_metrics_callback(m, "process_resident_memory_bytes",
                                  "Resident memory size in bytes.", "gauge", read_rss, NULL,
                                  err)) != 0 ||
        (rc = tc_metrics_callback(m, "process_open_fds", "Number of open file descriptors.",
                                  "gauge", read_fds, NULL, err)) != 0 ||
        (rc = tc_metrics_callback(m, "process_start_time_seconds",
                                  "Start time of the process since the Unix epoch in seconds.",
                                  "gauge", read_start, NULL, err)) != 0)
        return rc;
    return 0;
}

/* ---- rendering ---- */

static void put_escaped(FILE *f, const char *s, int quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else if (quote && *s == '"')
            fputs("\\\"", f);
        else
            fputc(*s, f);
    }
}

static void put_double(FILE *f, double v)
{
    if (isnan(v))
        fputs("NaN", f);
    else if (isinf(v))
        fputs(v > 0 ? "+Inf" : "-Inf", f);
    else
        fprintf(f, "%.17g", v);
}

/* {a="x",b="y"} plus an optional extra le label; nothing when empty. */
static void put_labels(FILE *f, const struct metric *mt, const struct series *s,
                       const char *le)
{
    if (mt->n_labels == 0 && !le)
        return;
    fputc('{', f);
    for (size_t k = 0; k < mt->n_labels; k++) {
        fprintf(f, "%s%s=\"", k ? "," : "", mt->labels[k]);
        put_escaped(f, s->values[k], 1);
        fputc('"', f);
    }
    if (le)
        fprintf(f, "%sle=\"%s\"", mt->n_labels ? "," : "", le);
    fputc('}', f);
}

static void render_metric(FILE *f, struct metric *mt)
{
    fprintf(f, "# HELP %s ", mt->name);
    put_escaped(f, mt->help, 0);
    fprintf(f, "\n# TYPE %s %s\n", mt->name, mt->type);
    if (mt->kind == K_CALLBACK) {
        fprintf(f, "%s ", mt->name);
        put_double(f, mt->fn(mt->ud));
        fputc('\n', f);
        return;
    }
    pthread_mutex_lock(&mt->mu);
    for (size_t i = 0; i < mt->n_series; i++) {
        const struct series *s = &mt->series[i];
        if (mt->kind == K_COUNTER) {
            fputs(mt->name, f);
            put_labels(f, mt, s, NULL);
            fprintf(f, " %llu\n", (unsigned long long)s->count);
            continue;
        }
        uint64_t cum = 0;
        for (size_t b = 0; b <= mt->n_bounds; b++) {
            char le[40];
            cum += s->buckets[b];
            if (b < mt->n_bounds)
                snprintf(le, sizeof(le), "%.17g", mt->bounds[b]);
            else
                snprintf(le, sizeof(le), "+Inf");
            fprintf(f, "%s_bucket", mt->name);
            put_labels(f, mt, s, le);
            fprintf(f, " %llu\n", (unsigned long long)cum);
        }
        fprintf(f, "%s_sum", mt->name);
        put_labels(f, mt, s, NULL);
        fputc(' ', f);
        put_double(f, s->sum);
        fprintf(f, "\n%s_count", mt->name);
        put_labels(f, mt, s, NULL);
        fprintf(f, " %llu\n", (unsigned long long)s->count);
    }
    pthread_mutex_unlock(&mt->mu);
}

int tc_metrics_render(struct tc_metrics *m, char **out, size_t *len, struct tc_error *err)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f;

    *out = NULL;
    if (len)
        *len = 0;
    if (!(f = open_memstream(&buf, &n)))
        return tc_error_set(err, TC_ENOMEM, "metrics: out of memory");
    pthread_mutex_lock(&m->mu);
    for (struct metric *mt = m->head; mt; mt = mt->next)
        render_metric(f, mt);
    pthread_mutex_unlock(&m->mu);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return tc_error_set(err, TC_ENOMEM, "metrics: out of memory");
    }
    *out = buf;
    if (len)
        *len = n;
    return 0;
}
