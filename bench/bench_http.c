/*
 * GET /ping through `tradecore serve` on loopback, driven by wrk: requests per
 * second and latency percentiles at a few connection counts. Starts the real
 * daemon on sqlite stores in a fresh folder (port 0, --port-file), runs
 * `wrk --latency`, parses its report, stops the daemon with SIGTERM.
 * Rows: "http<TAB>case<TAB>metric<TAB>value<TAB>unit".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_proc.h"

static const char *bin;

int main(void)
{
    const char *base = getenv("TC_TEST_TMP");
    char dir[512], portfile[600], url[64];
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
        if (tc_bench_wait(tc_bench_spawn(dir, argv)) != 0) {
            fprintf(stderr, "bench_http: %s db migrate failed in %s\n", bin, dir);
            return 1;
        }
    }
    {
        char *argv[] = {(char *)bin,       (char *)"--set",  (char *)"log.level=warn",
                        (char *)"--set",   (char *)"server.threads=4",
                        (char *)"serve",   (char *)"--listen", (char *)"127.0.0.1:0",
                        (char *)"--port-file", (char *)"port", NULL};
        srv = tc_bench_spawn(dir, argv);
    }
    snprintf(portfile, sizeof(portfile), "%s/port", dir);
    port = tc_bench_read_port(portfile);
    if (port <= 0) {
        fprintf(stderr, "bench_http: tradecore serve did not start\n");
        goto out;
    }
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/ping", port);
    if (tc_bench_wrk("http", "ping_c16_t2", 2, 16, 3, "", url) == 0 &&
        tc_bench_wrk("http", "ping_c64_t2", 2, 64, 3, "", url) == 0 &&
        tc_bench_wrk("http", "ping_c1_t1", 1, 1, 3, "", url) == 0)
        rc = 0;
out:
    kill(srv, SIGTERM);
    if (tc_bench_wait(srv) != 0) {
        fprintf(stderr, "bench_http: tradecore serve did not exit 0 on SIGTERM\n");
        rc = 1;
    }
    return rc;
}
