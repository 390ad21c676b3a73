/*
 * tc_soak: drives `tradecore serve` for a fixed time under a steady stream of
 * signals and bars from several client threads, SIGKILLs the daemon at random
 * moments and starts it again, and samples its resident memory. Driven by
 * tools/soak/run.sh (`make soak`), which prepares the working directory (a
 * configuration, migrated stores, instruments, a portfolio and a strategy)
 * and afterwards checks the stores against what this program acknowledged.
 *
 * Each signal client owns one instrument and sends BASE_ENTRY and EXIT in
 * turn, each with its own signal_id. A signal is sent until the daemon gives
 * a definitive answer (201 accepted, 200 duplicate, 422 rejected); a refused
 * connection, a reset or a 503 means "not committed, send it again", so a
 * signal that was in flight when the daemon was killed is resent after the
 * restart and must then come back as a duplicate if it had been committed.
 * Now and then a client resends one of its acknowledged signals and expects
 * 200 with "duplicate":true. The bar client posts daily bars for every
 * instrument, one day after another, so that paper orders fill.
 *
 * At the end every acknowledged signal is resent once (each must come back
 * 200 as a duplicate), the daemon is stopped with SIGTERM (exit status 0),
 * the acknowledged signal ids are written to DIR/acked.tsv and the figures
 * to stdout as "key<TAB>value" lines. It stops by itself after --seconds.
 *
 *   tc_soak --bin PATH --dir DIR [--seconds N] [--clients N] [--kill-min S]
 *           [--kill-max S] [--warmup S] [--seed N] [--token T]
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 32
#define MAX_INC 4096

struct acked {
    char id[64];
    int code;
};

struct client {
    int no;
    pthread_t th;
    struct acked *acked;
    size_t nacked, capacked;
    uint64_t rng;
    long sent, retries, dups_checked, inflight_committed;
};

struct incarnation {
    pid_t pid;
    double start_s, end_s;
    long rss_min_kb, rss_max_kb, rss_first_kb;
    int samples;
};

static const char *bin, *dir, *token = "soak-token";
static int seconds = 300, nclients = 4, kill_min = 15, kill_max = 45, warmup = 5;
static uint64_t seed = 1;
static atomic_int port;           /* 0 while the daemon is down */
static atomic_int stopping;
static atomic_long bars_sent, bars_acked, conn_errors, unavailable;
static struct incarnation inc[MAX_INC];
static int ninc;
static pid_t daemon_pid;
static char run_tag[32];
static _Thread_local char last_body[8192]; /* the last definitive answer's body */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("soak: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (daemon_pid > 0)
        kill(daemon_pid, SIGKILL);
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- HTTP ---- */

struct buf {
    char data[8192];
    size_t len;
};

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
    struct buf *b = ud;
    size_t take = sz * n;
    if (take > sizeof(b->data) - 1 - b->len)
        take = sizeof(b->data) - 1 - b->len;
    memcpy(b->data + b->len, p, take);
    b->len += take;
    b->data[b->len] = '\0';
    return sz * n;
}

/* POST BODY to PATH of the current daemon: the status code, 0 when the
 * daemon is down or the connection failed. */
static long post(CURL *c, const char *path, const char *body, struct buf *out)
{
    char url[128], auth[160];
    struct curl_slist *h = NULL;
    long code = 0;
    int p = atomic_load(&port);

    out->len = 0;
    out->data[0] = '\0';
    if (!p)
        return 0;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", p, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    return code;
}

static void iso_now(char *b, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(b, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Sends one signal until a definitive answer; returns its code (0 when the
 * run ended first). */
static long send_signal(struct client *cl, CURL *c, const char *id, const char *type,
                        int final_pass)
{
    char body[512], ts[40];
    struct buf out;

    for (;;) {
        long code;
        iso_now(ts, sizeof(ts));
        snprintf(body, sizeof(body),
                 "{\"type\":\"%s\",\"portfolio\":\"main\",\"strategy\":\"s1\","
                 "\"instrument\":\"S%d\",\"side\":\"LONG\",\"timestamp\":\"%s\","
                 "\"price\":\"10\",\"quantity\":\"5\",\"signal_id\":\"%s\"}",
                 type, cl->no, ts, id);
        code = post(c, "/v1/signals", body, &out);
        if (code == 200 || code == 201 || code == 422) {
            memcpy(last_body, out.data, out.len + 1);
            if (code == 201 && final_pass)
                die("client %d: %s accepted again when resent at the end: %s", cl->no, id,
                    out.data);
            if (code == 200 && !strstr(out.data, "\"duplicate\":true") &&
                !strstr(out.data, "\"duplicate\": true"))
                die("client %d: %s: 200 without \"duplicate\":true: %s", cl->no, id, out.data);
            return code;
        }
        if (code == 0)
            atomic_fetch_add(&conn_errors, 1);
        else if (code == 503)
            atomic_fetch_add(&unavailable, 1);
        else
            die("client %d: %s: unexpected status %ld: %s", cl->no, id, code, out.data);
        cl->retries++;
        if (atomic_load(&stopping) > 1)
            return 0;
        sleep_ms(20);
    }
}

static void remember(struct client *cl, const char *id, int code)
{
    if (cl->nacked == cl->capacked) {
        size_t cap = cl->capacked ? cl->capacked * 2 : 1024;
        struct acked *a = realloc(cl->acked, cap * sizeof(*a));
        if (!a)
            die("out of memory");
        cl->acked = a;
        cl->capacked = cap;
    }
    snprintf(cl->acked[cl->nacked].id, sizeof(cl->acked[0].id), "%s", id);
    cl->acked[cl->nacked++].code = code;
}

static void *signal_client(void *ud)
{
    struct client *cl = ud;
    CURL *c = curl_easy_init();
    char id[64];

    if (!c)
        die("curl_easy_init failed");
    for (long i = 0; !atomic_load(&stopping); i++) {
        long code;
        snprintf(id, sizeof(id), "soak-%s-c%d-%ld", run_tag, cl->no, i);
        cl->sent++;
        code = send_signal(cl, c, id, i % 2 == 0 ? "BASE_ENTRY" : "EXIT", 0);
        if (code == 0)
            break;
        if (code == 200) {
            /* committed just before a kill, answered only now: the original
             * outcome comes back with the duplicate */
            cl->inflight_committed++;
            code = strstr(last_body, "\"status\":\"rejected\"") ? 422 : 201;
        }
        remember(cl, id, (int)code);
        /* one signal in 16: resend an earlier acknowledged one */
        if (cl->nacked > 1 && rng_next(&cl->rng) % 16 == 0) {
            struct acked *a = &cl->acked[rng_next(&cl->rng) % (cl->nacked - 1)];
            long idx = strtol(strrchr(a->id, '-') + 1, NULL, 10);
            if (send_signal(cl, c, a->id, idx % 2 == 0 ? "BASE_ENTRY" : "EXIT", 1) != 200)
                die("client %d: resent %s was not a duplicate", cl->no, a->id);
            cl->dups_checked++;
        }
        sleep_ms(5 + (long)(rng_next(&cl->rng) % 20));
    }
    curl_easy_cleanup(c);
    return NULL;
}

static void *bar_client(void *ud)
{
    CURL *c = curl_easy_init();
    struct buf out;
    char body[4096];
    int64_t day = 0;
    (void)ud;

    if (!c)
        die("curl_easy_init failed");
    /* days from 2020-01-01 on, one per request, every instrument */
    while (!atomic_load(&stopping)) {
        size_t n = 0;
        time_t t = (time_t)(1577836800 + day * 86400);
        struct tm tm;
        char d[16];
        long code;
        gmtime_r(&t, &tm);
        strftime(d, sizeof(d), "%Y-%m-%d", &tm);
        n += (size_t)snprintf(body + n, sizeof(body) - n, "[");
        for (int k = 1; k < nclients; k++)
            n += (size_t)snprintf(body + n, sizeof(body) - n,
                                  "%s{\"instrument\":\"S%d\",\"date\":\"%s\",\"open\":\"10\","
                                  "\"high\":\"10.5\",\"low\":\"9.5\",\"close\":\"10.1\","
                                  "\"volume\":1000000}",
                                  k > 1 ? "," : "", k, d);
        snprintf(body + n, sizeof(body) - n, "]");
        atomic_fetch_add(&bars_sent, nclients - 1);
        code = post(c, "/v1/bars", body, &out);
        if (code == 200) {
            atomic_fetch_add(&bars_acked, nclients - 1);
            day++;
        } else if (code == 0) {
            atomic_fetch_add(&conn_errors, 1);
        } else if (code == 503) {
            atomic_fetch_add(&unavailable, 1);
        } else {
            die("bars %s: unexpected status %ld: %s", d, code, out.data);
        }
        sleep_ms(200);
    }
    curl_easy_cleanup(c);
    return NULL;
}

/* ---- the daemon ---- */

static long rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if (!(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static int ping(int p)
{
    CURL *c = curl_easy_init();
    char url[96];
    long code = 0;
    struct buf out = {.len = 0};

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/ready", p);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    return code == 200;
}

static void start_daemon(double t0)
{
    char portfile[4096], logset[4200], errfile[4096], buf[32];
    double deadline;
    pid_t pid;

    snprintf(portfile, sizeof(portfile), "%s/port", dir);
    snprintf(logset, sizeof(logset), "log.file=%s/serve.log", dir);
    snprintf(errfile, sizeof(errfile), "%s/serve.stderr", dir);
    unlink(portfile);
    if ((pid = fork()) < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(errfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
            close(fd);
        }
        if (chdir(dir) != 0)
            _exit(126);
        execl(bin, bin, "--set", logset, "serve", "--listen", "127.0.0.1:0", "--port-file",
              portfile, (char *)NULL);
        _exit(127);
    }
    daemon_pid = pid;
    deadline = now_s() + 30;
    for (;;) {
        FILE *f = fopen(portfile, "r");
        int p = 0, st;
        if (f) {
            if (fgets(buf, sizeof(buf), f))
                p = (int)strtol(buf, NULL, 10);
            fclose(f);
        }
        if (p > 0 && ping(p)) {
            atomic_store(&port, p);
            break;
        }
        if (waitpid(pid, &st, WNOHANG) == pid)
            die("the daemon exited at start (status %d): see %s", st, errfile);
        if (now_s() > deadline)
            die("the daemon was not ready within 30 s: see %s", errfile);
        sleep_ms(20);
    }
    if (ninc == MAX_INC)
        die("too many incarnations");
    memset(&inc[ninc], 0, sizeof(inc[0]));
    inc[ninc].pid = pid;
    inc[ninc].start_s = now_s() - t0;
    ninc++;
}

static void sample(double t0)
{
    struct incarnation *in = &inc[ninc - 1];
    long kb;

    if (now_s() - t0 - in->start_s < warmup || (kb = rss_kb(in->pid)) <= 0)
        return;
    if (!in->samples++)
        in->rss_first_kb = in->rss_min_kb = in->rss_max_kb = kb;
    if (kb < in->rss_min_kb)
        in->rss_min_kb = kb;
    if (kb > in->rss_max_kb)
        in->rss_max_kb = kb;
}

static void usage(void)
{
    fputs("usage: tc_soak --bin PATH --dir DIR [--seconds N] [--clients N] [--kill-min S]\n"
          "               [--kill-max S] [--warmup S] [--seed N] [--token T]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    struct client cl[MAX_CLIENTS];
    pthread_t bars;
    double t0, next_kill, end, stream_s, resend_t0;
    long kills = 0, restarts = 0, sent = 0, acked = 0, retries = 0, dups = 0, final_dups = 0;
    long inflight = 0;
    uint64_t rng;
    char path[4096];
    FILE *f;
    int st;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (!strcmp(a, "--bin"))
            bin = v;
        else if (!strcmp(a, "--dir"))
            dir = v;
        else if (!strcmp(a, "--seconds"))
            seconds = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--clients"))
            nclients = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--kill-min"))
            kill_min = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--kill-max"))
            kill_max = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--warmup"))
            warmup = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--seed"))
            seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--token"))
            token = v;
        else
            usage();
        i++;
    }
    if (!bin || !dir || seconds < 1 || nclients < 2 || nclients > MAX_CLIENTS || kill_min < 1 ||
        kill_max < kill_min || warmup < 0)
        usage();
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(run_tag, sizeof(run_tag), "%" PRIu64 "x%ld", seed, (long)time(NULL));
    rng = seed;

    t0 = now_s();
    end = t0 + seconds;
    start_daemon(t0);
    memset(cl, 0, sizeof(cl));
    for (int k = 1; k < nclients; k++) {
        cl[k].no = k;
        cl[k].rng = seed * 1000 + (uint64_t)k;
        if (pthread_create(&cl[k].th, NULL, signal_client, &cl[k]) != 0)
            die("pthread_create failed");
    }
    if (pthread_create(&bars, NULL, bar_client, NULL) != 0)
        die("pthread_create failed");

    next_kill = now_s() + kill_min + (double)(rng_next(&rng) % (uint64_t)(kill_max - kill_min + 1));
    while (now_s() < end) {
        sleep_ms(250);
        sample(t0);
        if (waitpid(daemon_pid, &st, WNOHANG) == daemon_pid)
            die("the daemon died by itself (status %d): see %s/serve.stderr", st, dir);
        if (now_s() >= next_kill && now_s() < end - 5) {
            atomic_store(&port, 0);
            kill(daemon_pid, SIGKILL);
            waitpid(daemon_pid, &st, 0);
            if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
                die("the daemon ended otherwise than by SIGKILL (status %d)", st);
            kills++;
            inc[ninc - 1].end_s = now_s() - t0;
            sleep_ms((long)(rng_next(&rng) % 500));
            start_daemon(t0);
            restarts++;
            next_kill = now_s() + kill_min +
                        (double)(rng_next(&rng) % (uint64_t)(kill_max - kill_min + 1));
        }
    }
    stream_s = now_s() - t0;
    /* clients finish the signal in flight (the daemon is up), then stop */
    atomic_store(&stopping, 1);
    for (int k = 1; k < nclients; k++)
        pthread_join(cl[k].th, NULL);
    pthread_join(bars, NULL);
    sample(t0);

    /* resending everything changes nothing */
    resend_t0 = now_s();
    {
        CURL *c = curl_easy_init();
        for (int k = 1; k < nclients; k++)
            for (size_t i = 0; i < cl[k].nacked; i++) {
                long idx = strtol(strrchr(cl[k].acked[i].id, '-') + 1, NULL, 10);
                if (send_signal(&cl[k], c, cl[k].acked[i].id, idx % 2 == 0 ? "BASE_ENTRY" : "EXIT",
                                1) != 200)
                    die("resent %s was not a duplicate", cl[k].acked[i].id);
                final_dups++;
            }
        curl_easy_cleanup(c);
    }
    inc[ninc - 1].end_s = now_s() - t0;
    atomic_store(&port, 0);
    kill(daemon_pid, SIGTERM);
    waitpid(daemon_pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("the daemon did not stop cleanly on SIGTERM (status %d)", st);
    daemon_pid = 0;

    snprintf(path, sizeof(path), "%s/acked.tsv", dir);
    if (!(f = fopen(path, "w")))
        die("%s: %s", path, strerror(errno));
    for (int k = 1; k < nclients; k++) {
        for (size_t i = 0; i < cl[k].nacked; i++)
            fprintf(f, "%s\t%d\n", cl[k].acked[i].id, cl[k].acked[i].code);
        sent += cl[k].sent;
        acked += (long)cl[k].nacked;
        retries += cl[k].retries;
        dups += cl[k].dups_checked;
        inflight += cl[k].inflight_committed;
    }
    if (fclose(f) != 0)
        die("%s: write error", path);
    snprintf(path, sizeof(path), "%s/rss.tsv", dir);
    if (!(f = fopen(path, "w")))
        die("%s: %s", path, strerror(errno));
    for (int i = 0; i < ninc; i++)
        fprintf(f, "%d\t%d\t%.1f\t%.1f\t%d\t%ld\t%ld\t%ld\n", i + 1, (int)inc[i].pid,
                inc[i].start_s, inc[i].end_s, inc[i].samples, inc[i].rss_first_kb,
                inc[i].rss_min_kb, inc[i].rss_max_kb);
    if (fclose(f) != 0)
        die("%s: write error", path);

    printf("duration_s\t%.1f\n", now_s() - t0);
    printf("stream_s\t%.1f\n", stream_s);
    printf("final_resend_s\t%.1f\n", inc[ninc - 1].end_s - (resend_t0 - t0));
    printf("signal_clients\t%d\n", nclients - 1);
    printf("signals_sent\t%ld\n", sent);
    printf("signals_acknowledged\t%ld\n", acked);
    printf("resends_after_failure\t%ld\n", retries);
    printf("duplicates_checked\t%ld\n", dups + final_dups);
    printf("committed_in_flight\t%ld\n", inflight);
    printf("bars_sent\t%ld\n", atomic_load(&bars_sent));
    printf("bars_acknowledged\t%ld\n", atomic_load(&bars_acked));
    printf("connection_errors\t%ld\n", atomic_load(&conn_errors));
    printf("answers_503\t%ld\n", atomic_load(&unavailable));
    printf("kills\t%ld\n", kills);
    printf("restarts\t%ld\n", restarts);
    printf("incarnations\t%d\n", ninc);
    for (int k = 1; k < nclients; k++)
        free(cl[k].acked);
    curl_global_cleanup();
    return 0;
}
