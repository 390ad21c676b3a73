/*
 * GET /ping through `tradecore serve` on loopback, driven by wrk: requests per
 * second and latency percentiles at a few connection counts. Starts the real
 * daemon on sqlite stores in a fresh folder (port 0, --port-file), runs
 * `wrk --latency`, parses its report, stops the daemon with SIGTERM.
 * Rows: "http<TAB>case<TAB>metric<TAB>value<TAB>unit".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *bin;

/* Runs ARGV in DIR with stdout/stderr to /dev/null (or kept); returns the pid. */
static pid_t spawn(const char *dir, char *const argv[], int quiet)
{
    pid_t pid = fork();

    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid)
{
    int st;

    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* "1.23ms" -> microseconds; -1 when not a latency. */
static double to_us(const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s)
        return -1;
    if (strncmp(end, "us", 2) == 0)
        return v;
    if (strncmp(end, "ms", 2) == 0)
        return v * 1e3;
    if (strncmp(end, "s", 1) == 0)
        return v * 1e6;
    return -1;
}

static int run_wrk(int port, int threads, int conns, int seconds)
{
    char cmd[512], line[512], name[64];
    FILE *p;
    double rps = -1, p50 = -1, p90 = -1, p99 = -1;
    long long errors = 0;

    snprintf(cmd, sizeof(cmd), "wrk -t%d -c%d -d%ds --latency http://127.0.0.1:%d/ping 2>&1",
             threads, conns, seconds, port);
    if (!(p = popen(cmd, "r")))
        return -1;
    while (fgets(line, sizeof(line), p)) {
        char pct[16], val[32];
        long long a, b, c, d, e;
        if (sscanf(line, " Requests/sec: %lf", &rps) == 1)
            continue;
        if (sscanf(line, " %15s %31s", pct, val) == 2) {
            if (strcmp(pct, "50%") == 0)
                p50 = to_us(val);
            else if (strcmp(pct, "90%") == 0)
                p90 = to_us(val);
            else if (strcmp(pct, "99%") == 0)
                p99 = to_us(val);
        }
        if (sscanf(line, " Socket errors: connect %lld, read %lld, write %lld, timeout %lld", &a,
                   &b, &c, &d) == 4)
            errors += a + b + c + d;
        if (sscanf(line, " Non-2xx or 3xx responses: %lld", &e) == 1)
            errors += e;
    }
    if (pclose(p) != 0 || rps < 0) {
        fprintf(stderr, "bench_http: wrk failed or printed no Requests/sec (is wrk installed?)\n");
        return -1;
    }
    snprintf(name, sizeof(name), "ping_c%d_t%d", conns, threads);
    printf("http\t%s\trequests_per_sec\t%.0f\treq/s\n", name, rps);
    printf("http\t%s\tlatency_p50\t%.1f\tus\n", name, p50);
    printf("http\t%s\tlatency_p90\t%.1f\tus\n", name, p90);
    printf("http\t%s\tlatency_p99\t%.1f\tus\n", name, p99);
    printf("http\t%s\terrors\t%lld\tcount\n", name, errors);
    fflush(stdout);
    return 0;
}

int main(void)
{
    const char *base = getenv("TC_TEST_TMP");
    char dir[512], portfile[600];
    pid_t srv;
    int port = 0, rc = 1;

    bin = getenv("TC_TEST_BIN");
    if (!bin)
        bin = "build/tradecore";
    snprintf(dir, sizeof(dir), "%s/bench_http_%d", base ? base : "/tmp", (int)getpid());
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    {
        char *argv[] = {(char *)bin, (char *)"db", (char *)"migrate", NULL};
        if (wait_exit(spawn(dir, argv, 1)) != 0) {
            fprintf(stderr, "bench_http: %s db migrate failed in %s\n", bin, dir);
            return 1;
        }
    }
    {
        char *argv[] = {(char *)bin,       (char *)"--set",  (char *)"log.level=warn",
                        (char *)"--set",   (char *)"server.threads=4",
                        (char *)"serve",   (char *)"--listen", (char *)"127.0.0.1:0",
                        (char *)"--port-file", (char *)"port", NULL};
        srv = spawn(dir, argv, 1);
    }
    snprintf(portfile, sizeof(portfile), "%s/port", dir);
    for (int i = 0; i < 400 && port <= 0; i++) {
        FILE *f = fopen(portfile, "r");
        struct timespec ts = {0, 25 * 1000 * 1000};
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (port <= 0)
            nanosleep(&ts, NULL);
    }
    if (port <= 0) {
        fprintf(stderr, "bench_http: tradecore serve did not start\n");
        goto out;
    }
    if (run_wrk(port, 2, 16, 3) == 0 && run_wrk(port, 2, 64, 3) == 0 && run_wrk(port, 1, 1, 3) == 0)
        rc = 0;
out:
    kill(srv, SIGTERM);
    if (wait_exit(srv) != 0) {
        fprintf(stderr, "bench_http: tradecore serve did not exit 0 on SIGTERM\n");
        rc = 1;
    }
    return rc;
}
