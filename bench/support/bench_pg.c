/* A throwaway PostgreSQL database for a benchmark (bench_pg.h). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_pg.h"

int tc_bench_pg_admin(const char *who, const char *server, const char *sql)
{
    PGconn *c = PQconnectdb(server);
    int ok = 0;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "%s: %s: %s", who, sql, PQerrorMessage(c));
        PQclear(r);
    } else {
        fprintf(stderr, "%s: connect: %s", who, PQerrorMessage(c));
    }
    PQfinish(c);
    return ok ? 0 : -1;
}

int tc_bench_pg_create(const char *who, const char *db, char *server, size_t scap, char *url,
                       size_t ucap)
{
    const char *file = getenv("TC_TEST_PG_URL_FILE");
    const char *slash, *query;
    char sql[256];
    FILE *f;
    size_t n = 0;

    if (!file || !(f = fopen(file, "r"))) {
        fprintf(stderr, "%s: no PostgreSQL URL in $TC_TEST_PG_URL_FILE\n", who);
        return -1;
    }
    n = fread(server, 1, scap - 1, f);
    fclose(f);
    while (n > 0 && (server[n - 1] == '\n' || server[n - 1] == '\r'))
        n--;
    server[n] = '\0';
    slash = strstr(server, "://");
    slash = slash ? strchr(slash + 3, '/') : NULL;
    if (!slash) {
        fprintf(stderr, "%s: the PostgreSQL URL \"%s\" names no database\n", who, server);
        return -1;
    }
    query = strchr(slash, '?');
    snprintf(url, ucap, "%.*s/%s%s", (int)(slash - server), server, db, query ? query : "");
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    return tc_bench_pg_admin(who, server, sql);
}

void tc_bench_pg_drop(const char *who, const char *server, const char *db)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
    (void)tc_bench_pg_admin(who, server, sql);
}
