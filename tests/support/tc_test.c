/* Test support: PostgreSQL fixture databases, fresh stores, temporary folders,
 * files, running the CLI, parsing helpers and shared assertions. */
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "market/ingest_fast.h"
#include "store/embedded.h"
#include "tc_test.h"
#include "tradecore/bars.h"
#include "tradecore/calendar.h"
#include "tradecore/clock.h"
#include "tradecore/ingest.h"
#include "tradecore/store.h"

static char server_url[1024];
static char created[64][96];
static int n_created;
static int tmp_seq;

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return (v && *v) ? v : def;
}

const char *tc_test_bin(void) { return env_or("TC_TEST_BIN", "build/tradecore"); }
const char *tc_test_src(void) { return env_or("TC_TEST_SRC", "."); }
const char *tc_test_data(void) { return env_or("TC_TEST_DATA", "../shared/data"); }

const char *tc_test_pg_server_url(void)
{
    const char *file = getenv("TC_TEST_PG_URL_FILE");
    FILE *f;
    size_t n;

    if (server_url[0])
        return server_url;
    if (!file) {
        fprintf(stderr, "tc_test: TC_TEST_PG_URL_FILE is not set (run through ctest)\n");
        return NULL;
    }
    f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "tc_test: cannot read %s: %s (is the pg fixture up?)\n", file,
                strerror(errno));
        return NULL;
    }
    n = fread(server_url, 1, sizeof(server_url) - 1, f);
    fclose(f);
    while (n > 0 && (server_url[n - 1] == '\n' || server_url[n - 1] == '\r'))
        n--;
    server_url[n] = '\0';
    return server_url[0] ? server_url : NULL;
}

static int admin_exec(const char *sql)
{
    const char *url = tc_test_pg_server_url();
    PGconn *c;
    PGresult *r;
    int rc = 0;

    if (!url)
        return -1;
    c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "tc_test: cannot connect to %s: %s", url, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "tc_test: %s: %s", sql, PQerrorMessage(c));
        rc = -1;
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

int tc_test_pg_create_db(const char *prefix, char *buf, size_t cap)
{
    char name[96], sql[256];
    const char *url = tc_test_pg_server_url();
    const char *slash, *query;
    int n;

    if (!url || n_created >= 64)
        return -1;
    snprintf(name, sizeof(name), "%s_%ld_%d", prefix, (long)getpid(), n_created);
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            *p = '_';
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
    admin_exec(sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    if (admin_exec(sql) != 0)
        return -1;
    memcpy(created[n_created++], name, sizeof(name));
    /* replace the database path of the server URL: scheme://auth@/postgres?... */
    slash = strstr(url, "://");
    slash = slash ? strchr(slash + 3, '/') : NULL;
    if (!slash)
        return -1;
    query = strchr(slash, '?');
    n = snprintf(buf, cap, "%.*s/%s%s", (int)(slash - url), url, name, query ? query : "");
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

void tc_test_pg_drop_all(void)
{
    char sql[256];
    for (int i = 0; i < n_created; i++) {
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", created[i]);
        admin_exec(sql);
    }
    n_created = 0;
}

static int mkdir_p(const char *path)
{
    char tmp[1024];
    size_t len = strlen(path);
    if (len >= sizeof(tmp))
        return -1;
    memcpy(tmp, path, len + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return (mkdir(tmp, 0755) != 0 && errno != EEXIST) ? -1 : 0;
}

static int rm_rf(const char *path)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    return system(cmd);
}

int tc_test_tmpdir(const char *name, char *buf, size_t cap)
{
    const char *base = env_or("TC_TEST_TMP", "/tmp");
    int n = snprintf(buf, cap, "%s/%s_%ld_%d", base, name, (long)getpid(), tmp_seq++);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    rm_rf(buf);
    return mkdir_p(buf);
}

/* Reads both pipes until EOF, writing STDIN_TEXT as the child takes it. */
static void pump(int in_fd, const char *in, int out_fd, int err_fd, char **out, char **errout)
{
    size_t cap[2] = {4096, 4096}, len[2] = {0, 0};
    char *buf[2] = {malloc(cap[0]), malloc(cap[1])};
    size_t in_len = in ? strlen(in) : 0, in_off = 0;
    struct pollfd p[3];
    int open_fds = 2;

    if (in_fd >= 0 && in_len == 0) {
        close(in_fd);
        in_fd = -1;
    }
    p[0] = (struct pollfd){.fd = out_fd, .events = POLLIN};
    p[1] = (struct pollfd){.fd = err_fd, .events = POLLIN};
    p[2] = (struct pollfd){.fd = in_fd, .events = POLLOUT};
    while (open_fds > 0) {
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (cap[i] - len[i] < 2048) {
                cap[i] *= 2;
                buf[i] = realloc(buf[i], cap[i]);
            }
            ssize_t r = read(p[i].fd, buf[i] + len[i], cap[i] - len[i] - 1);
            if (r <= 0) {
                close(p[i].fd);
                p[i].fd = -1;
                open_fds--;
            } else {
                len[i] += (size_t)r;
            }
        }
        if (p[2].fd >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(p[2].fd, in + in_off, in_len - in_off);
            if (w > 0)
                in_off += (size_t)w;
            if (w <= 0 || in_off == in_len) {
                close(p[2].fd);
                p[2].fd = -1;
            }
        }
    }
    if (p[2].fd >= 0)
        close(p[2].fd);
    buf[0][len[0]] = '\0';
    buf[1][len[1]] = '\0';
    if (out)
        *out = buf[0];
    else
        free(buf[0]);
    if (errout)
        *errout = buf[1];
    else
        free(buf[1]);
}

int tc_test_run(const char *cwd, const char *const *argv, const char *const *extra_env,
                const char *stdin_text, char **out, char **errout)
{
    int pin[2], pout[2], perr[2], status;
    pid_t pid;
    size_t argc = 0;

    while (argv[argc])
        argc++;
    if (pipe(pin) || pipe(pout) || pipe(perr))
        return -1;
    signal(SIGPIPE, SIG_IGN);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        const char **args = calloc(argc + 1, sizeof(*args));
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        dup2(perr[1], 2);
        close(pin[0]); close(pin[1]); close(pout[0]); close(pout[1]);
        close(perr[0]); close(perr[1]);
        if (cwd && chdir(cwd) != 0)
            _exit(127);
        for (size_t i = 0; extra_env && extra_env[i]; i++)
            putenv((char *)extra_env[i]);
        args[0] = tc_test_bin();
        for (size_t i = 1; i < argc; i++)
            args[i] = argv[i];
        execv(args[0], (char *const *)args);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    close(perr[1]);
    pump(pin[1], stdin_text, pout[0], perr[0], out, errout);
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int tc_test_apply_migration(struct tc_store *s, const char *path)
{
    struct tc_error err = {0};
    struct tc_txn *tx = NULL;

    for (size_t i = 0; i < tc__migration_nfiles; i++) {
        if (strcmp(tc__migration_files[i].path, path) != 0)
            continue;
        if (tc_store_begin(s, TC_TXN_WRITE, &tx, &err) != 0 ||
            tc_txn_exec_script(tx, (const char *)tc__migration_files[i].data, &err) != 0) {
            fprintf(stderr, "%s: %s\n", path, tc_error_msg(&err));
            tc_txn_rollback(tx);
            return -1;
        }
        return tc_txn_commit(tx, &err) == 0 ? 0 : -1;
    }
    fprintf(stderr, "%s: not embedded\n", path);
    return -1;
}

struct tc_dec tc_test_dec(const char *text)
{
    struct tc_dec d = TC_DEC_ZERO;
    struct tc_error err = {0};
    int rc = tc_dec_parse(text, (size_t)-1, &d, &err);
    if (rc != 0)
        fail_msg("decimal \"%s\": %s %s", text, tc_strerror_name(rc), tc_error_msg(&err));
    return d;
}

char *tc_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;

    if (!f)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

char *tc_test_slurp_in(const char *dir, const char *name, size_t *len)
{
    char path[2048];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        fail_msg("path %s/%s is too long", dir, name);
    return tc_test_slurp(path, len);
}

void tc_test_assert_same_file(const char *dir_a, const char *dir_b, const char *name)
{
    size_t la, lb;
    char *a = tc_test_slurp_in(dir_a, name, &la), *b = tc_test_slurp_in(dir_b, name, &lb);
    if (la != lb || memcmp(a, b, la) != 0)
        fail_msg("%s: %zu bytes in %s, %zu in %s, or other bytes", name, la, dir_a, lb, dir_b);
    free(a);
    free(b);
}

void tc_test_assert_file_text(const char *dir, const char *name, const char *want)
{
    size_t n;
    char *got = tc_test_slurp_in(dir, name, &n);
    if (n != strlen(want) || memcmp(got, want, n) != 0)
        fail_msg("%s/%s is\n%s\nexpected\n%s", dir, name, got, want);
    free(got);
}

int tc_test_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

void tc_test_write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

void tc_test_assert_json_eq(const char *a, const char *b)
{
    json_t *ja = json_loads(a, 0, NULL), *jb = json_loads(b, 0, NULL);
    assert_non_null(ja);
    assert_non_null(jb);
    if (!json_equal(ja, jb))
        fail_msg("JSON differs: %s vs %s", a, b);
    json_decref(ja);
    json_decref(jb);
}

void tc_test_assert_msg(const struct tc_error *err, const char *want)
{
    if (!strstr(err->msg, want))
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, want);
}

void tc_test_assert_same_series(const struct tc_bar_series *a, const struct tc_bar_series *b,
                                const char *what)
{
    if (strcmp(a->instrument_id, b->instrument_id) != 0 || a->n != b->n)
        fail_msg("%s: %s/%zu vs %s/%zu", what, a->instrument_id, a->n, b->instrument_id, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (a->day[i] != b->day[i] || a->open[i].raw != b->open[i].raw ||
            a->high[i].raw != b->high[i].raw || a->low[i].raw != b->low[i].raw ||
            a->close[i].raw != b->close[i].raw || a->adj_close[i].raw != b->adj_close[i].raw ||
            a->volume[i] != b->volume[i] || a->open_interest[i] != b->open_interest[i])
            fail_msg("%s: %s bar %zu differs", what, a->instrument_id, i);
}

void tc_test_assert_same_set(const struct tc_bar_set *a, const struct tc_bar_set *b,
                             const char *what)
{
    if (a->n != b->n)
        fail_msg("%s: %zu series vs %zu", what, a->n, b->n);
    for (size_t k = 0; k < a->n; k++)
        tc_test_assert_same_series(&a->items[k], &b->items[k], what);
}

void tc_test_assert_error(const char *label, int rc, int want, const struct tc_error *err,
                          const char *msg)
{
    if (rc != want)
        fail_msg("%s: expected %s, got %s (%s)", label, tc_strerror_name(want),
                 tc_strerror_name(rc), err->msg);
    if (!strstr(err->msg, msg))
        fail_msg("%s: message \"%s\" lacks \"%s\"", label, err->msg, msg);
}

int tc_test_load_both(const char *path, const char *what, struct tc_bar_set *sets,
                      struct tc_error *err)
{
    struct tc_error errs[2];
    int rcs[2];
    for (int fast = 0; fast < 2; fast++) {
        tc__prices_fast = fast;
        errs[fast] = (struct tc_error){0};
        sets[fast] = (struct tc_bar_set){0};
        rcs[fast] = tc_prices_load_csv(path, TC_PRICES_AUTO, NULL, &sets[fast], &errs[fast]);
    }
    tc__prices_fast = 1;
    if (rcs[0] != rcs[1] || strcmp(errs[0].msg, errs[1].msg) != 0)
        fail_msg("%s: general %s \"%s\", fast %s \"%s\"", what, tc_strerror_name(rcs[0]),
                 errs[0].msg, tc_strerror_name(rcs[1]), errs[1].msg);
    *err = errs[1];
    return rcs[1];
}

void tc_test_assert_error_words(const char *label, int rc, int want, const struct tc_error *err,
                                const char *const *words, size_t n)
{
    tc_test_assert_error(label, rc, want, err, "");
    for (size_t i = 0; i < n && words[i]; i++)
        tc_test_assert_error(label, rc, want, err, words[i]);
}

int64_t tc_test_date(const char *text)
{
    struct tc_error err = {0};
    int64_t d = 0;
    tc_assert_ok(tc_date_parse(text, &d, &err), &err);
    return d;
}

int64_t tc_test_utc(const char *text)
{
    struct tc_error err = {0};
    int64_t us = 0;
    tc_assert_ok(tc_time_parse(text, (size_t)-1, &us, &err), &err);
    return us;
}

const struct tc_calendar *tc_test_calendar(const char *mic)
{
    struct tc_error err = {0};
    const struct tc_calendar *c = NULL;
    tc_assert_ok(tc_calendar_get(mic, &c, &err), &err);
    return c;
}

int tc_test_store_open(const char *name, int pg, const char *file, char *dir, size_t dcap,
                       char *url, size_t ucap, struct tc_store **out)
{
    struct tc_error err = {0};
    char own_dir[512], own_url[1024];

    if (!dir) {
        dir = own_dir;
        dcap = sizeof(own_dir);
    }
    if (!url) {
        url = own_url;
        ucap = sizeof(own_url);
    }
    *out = NULL;
    if (tc_test_tmpdir(name, dir, dcap) != 0) {
        fprintf(stderr, "store \"%s\": no temporary folder\n", name);
        return -1;
    }
    if (pg) {
        if (tc_test_pg_create_db(name, url, ucap) != 0)
            return -1;
    } else {
        int n = snprintf(url, ucap, "sqlite:%s/%s", dir, file);
        if (n < 0 || (size_t)n >= ucap)
            return -1;
    }
    if (tc_store_open(url, NULL, out, &err) != 0) {
        fprintf(stderr, "open %s: %s\n", url, tc_error_msg(&err));
        *out = NULL;
        return -1;
    }
    return 0;
}
