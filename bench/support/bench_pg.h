/* Shared by the benchmarks that measure PostgreSQL (bench_store,
 * bench_ledger, bench_ingest, bench_service): a throwaway database on the
 * server whose URL scripts/bench.sh leaves in $TC_TEST_PG_URL_FILE. */
#ifndef TC_BENCH_PG_H
#define TC_BENCH_PG_H

#include <stddef.h>

/* Runs SQL (a command without rows, e.g. CREATE DATABASE) on SERVER (a
 * libpq URL); 0, or -1 with "WHO: ..." on stderr. */
int tc_bench_pg_admin(const char *who, const char *server, const char *sql);

/*
 * Reads the server URL from $TC_TEST_PG_URL_FILE into SERVER (SCAP bytes),
 * creates database DB there and writes its URL (the server's with the
 * database replaced, query kept) into URL (UCAP bytes). 0, or -1 with
 * "WHO: ..." on stderr (no URL file, a URL without a database path, the
 * CREATE failing).
 */
int tc_bench_pg_create(const char *who, const char *db, char *server, size_t scap, char *url,
                       size_t ucap);

/* Drops database DB on SERVER (connections forced out); errors are printed
 * and otherwise ignored: it is the benchmark's cleanup. */
void tc_bench_pg_drop(const char *who, const char *server, const char *db);

#endif
