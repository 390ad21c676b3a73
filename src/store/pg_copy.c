/* PostgreSQL COPY FROM STDIN: streams caller-made COPY text to the server
 * with PQputCopyData, ends it with PQputCopyEnd and maps a failure
 * (constraint, bad value, lost server) to a TC_E* code like the backend does. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_copy.h"
#include "store/pq_lib.h"
#include "tradecore/store.h"
#include "internal/banned.h"

#define COPY_CHUNK (256 * 1024)

static int code_of(const char *state)
{
    if (!state)
        return TC_ESTORE;
    if (strcmp(state, "23505") == 0)
        return TC_ECONFLICT;
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
        return TC_EINVAL;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return TC_ESERIAL;
    if (strcmp(state, "53100") == 0)
        return TC_ENOSPC;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
        return TC_EUNAVAIL;
    return TC_ESTORE;
}

/* One line of the server's message (libpq ends messages with '\n'). */
static void one_line(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; src && *src && n + 1 < cap; src++)
        dst[n++] = (*src == '\n' || *src == '\r') ? ' ' : *src;
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

static int fail(struct tc_txn *tx, PGconn *c, PGresult *r, const char *what,
                struct tc_error *err)
{
    char msg[320], where[160] = "";
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *context = r ? PQresultErrorField(r, PG_DIAG_CONTEXT) : NULL;

    if (PQstatus(c) == CONNECTION_BAD) {
        one_line(msg, sizeof msg, PQerrorMessage(c));
        return tc_error_set(err, TC_EUNAVAIL, "postgres %s: %s: connection lost: %s",
                            tx->store->url_redacted, what, msg);
    }
    one_line(msg, sizeof msg, primary ? primary : PQerrorMessage(c));
    if (context)
        one_line(where, sizeof where, context);
    return tc_error_set(err, code_of(state), "postgres %s: %s: %s%s%s (sqlstate %s)",
                        tx->store->url_redacted, what, msg, *where ? "; " : "", where,
                        state ? state : "none");
}

int tc__store_pg_copy_from(struct tc_txn *tx, const char *sql, tc_copy_fill_fn fill, void *ud,
                           int64_t *rows, struct tc_error *err)
{
    PGconn *c = tc__store_pg_txn_conn(tx);
    PGresult *r = PQexec(c, sql);
    char *buf = NULL;
    int rc = 0;

    if (PQresultStatus(r) != PGRES_COPY_IN) {
        rc = fail(tx, c, r, "copy", err);
        PQclear(r);
        return rc;
    }
    PQclear(r);
    if (!(buf = malloc(COPY_CHUNK))) {
        PQputCopyEnd(c, "out of memory");
        rc = tc_error_set(err, TC_ENOMEM, "postgres %s: copy: out of memory",
                          tx->store->url_redacted);
        goto drain;
    }
    for (;;) {
        size_t len = 0;
        if ((rc = fill(ud, buf, COPY_CHUNK, &len, err)) != 0) {
            PQputCopyEnd(c, "aborted by the client");
            goto drain;
        }
        if (len == 0)
            break;
        if (PQputCopyData(c, buf, (int)len) != 1) {
            rc = fail(tx, c, NULL, "copy data", err);
            goto drain;
        }
    }
    if (PQputCopyEnd(c, NULL) != 1) {
        rc = fail(tx, c, NULL, "copy end", err);
        goto drain;
    }
drain:
    /* The copy's outcome, then the end of the results (always drained, so the
     * connection is usable for the rollback). */
    while ((r = PQgetResult(c)) != NULL) {
        if (rc == 0) {
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                rc = fail(tx, c, r, "copy", err);
            else if (rows) {
                const char *t = PQcmdTuples(r);
                *rows = (t && *t) ? strtoll(t, NULL, 10) : 0;
            }
        }
        PQclear(r);
    }
    free(buf);
    return rc;
}
