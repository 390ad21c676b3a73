/* Child processes and the wrk load generator for the daemon benchmarks
 * (bench_proc.h). */
#include "bench_proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

pid_t tc_bench_spawn(const char *dir, char *const argv[])
{
    pid_t pid = fork();

    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (chdir(dir) != 0)
            _exit(127);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

int tc_bench_wait(pid_t pid)
{
    int st;

    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int tc_bench_read_port(const char *path)
{
    int port = 0;

    for (int i = 0; i < 400 && port <= 0; i++) {
        FILE *f = fopen(path, "r");
        struct timespec ts = {0, 25 * 1000 * 1000};
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (port <= 0)
            nanosleep(&ts, NULL);
    }
    return port > 0 ? port : 0;
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

int tc_bench_wrk(const char *group, const char *name, int threads, int conns, int seconds,
                 const char *extra, const char *url)
{
    char cmd[1024], line[512];
    FILE *p;
    double rps = -1, p50 = -1, p90 = -1, p99 = -1;
    long long errors = 0;

    snprintf(cmd, sizeof(cmd), "wrk -t%d -c%d -d%ds --latency %s %s 2>&1", threads, conns,
             seconds, extra, url);
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
        fprintf(stderr, "%s: wrk failed or printed no Requests/sec (is wrk installed?)\n", group);
        return -1;
    }
    printf("%s\t%s\trequests_per_sec\t%.0f\treq/s\n", group, name, rps);
    printf("%s\t%s\tlatency_p50\t%.1f\tus\n", group, name, p50);
    printf("%s\t%s\tlatency_p90\t%.1f\tus\n", group, name, p90);
    printf("%s\t%s\tlatency_p99\t%.1f\tus\n", group, name, p99);
    printf("%s\t%s\terrors\t%lld\tcount\n", group, name, errors);
    fflush(stdout);
    return 0;
}
