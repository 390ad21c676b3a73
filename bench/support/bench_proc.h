/* Shared by the benchmarks that drive the real daemon (bench_http,
 * bench_service): child processes and the wrk load generator. */
#ifndef TC_BENCH_PROC_H
#define TC_BENCH_PROC_H

#include <sys/types.h>

/* Runs ARGV (ARGV[0] a path) in DIR with stdout and stderr to /dev/null;
 * returns the child's pid, or -1. */
pid_t tc_bench_spawn(const char *dir, char *const argv[]);
/* Waits for PID: its exit status, or -1 (killed by a signal, no such child). */
int tc_bench_wait(pid_t pid);
/* Waits up to about 10 s for a port number in PATH (serve --port-file):
 * the port, or 0. */
int tc_bench_read_port(const char *path);

/*
 * Runs `wrk -tTHREADS -cCONNS -dSECONDSs --latency EXTRA URL` (EXTRA may be
 * "" or e.g. "-s script.lua") and prints the rows
 * "GROUP<TAB>NAME<TAB>requests_per_sec|latency_p50|latency_p90|latency_p99|errors
 * <TAB>value<TAB>unit" (errors = socket errors + non-2xx/3xx responses).
 * 0, or -1 when wrk failed or printed no Requests/sec (message on stderr).
 */
int tc_bench_wrk(const char *group, const char *name, int threads, int conns, int seconds,
                 const char *extra, const char *url);

#endif
