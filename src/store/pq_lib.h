/*
 * libpq, loaded at run time (not public).
 *
 * tradecore does not link libpq: a process that never opens a postgres://
 * store (a backtest on sqlite, `tradecore --version`) never maps it nor the
 * twenty libraries it pulls in. The first user calls tc__pq_load(), which
 * dlopen()s the library by the soname found at configure time (TC_LIBPQ_SONAME)
 * and resolves every function below into the table tc__pq.
 *
 * Include this header AFTER <libpq-fe.h> (it includes it itself first): from
 * here on PQexec(...) and the other names of TC__PQ_FUNCS call through the
 * table, so call sites read like plain libpq. Types and constants are
 * libpq-fe.h's own. A call through the table before a successful
 * tc__pq_load() is a bug: every PGconn comes from PQconnectdb, which the
 * table only holds once loaded.
 */
#ifndef TC_STORE_PQ_LIB_H
#define TC_STORE_PQ_LIB_H

#include <libpq-fe.h>

#include "tradecore/error.h"

/* Every libpq function tradecore calls. */
#define TC__PQ_FUNCS(X)                                                                  \
    X(PQbackendPID) X(PQclear) X(PQcmdStatus) X(PQcmdTuples) X(PQconnectdb)            \
    X(PQconninfoFree) X(PQconninfoParse) X(PQdescribePrepared) X(PQerrorMessage)       \
    X(PQexec) X(PQexecPrepared) X(PQfinish) X(PQfname) X(PQfreemem) X(PQgetResult)     \
    X(PQgetisnull) X(PQgetvalue) X(PQnfields) X(PQnparams) X(PQntuples) X(PQprepare)   \
    X(PQputCopyData) X(PQputCopyEnd) X(PQreset) X(PQresultErrorField)                  \
    X(PQresultStatus) X(PQsetNoticeProcessor) X(PQstatus) X(PQtransactionStatus)

/* The table: one pointer per function, typed from libpq-fe.h's prototype. */
struct tc__pq_api {
#define TC__PQ_MEMBER(name) __typeof__(&name) name;
    TC__PQ_FUNCS(TC__PQ_MEMBER)
#undef TC__PQ_MEMBER
};

/* Filled by the first successful tc__pq_load(); never changes after. */
extern struct tc__pq_api tc__pq;

/* Loads libpq (TC_LIBPQ_SONAME, or the one set by tc__pq_use_soname) and
 * fills tc__pq, once: later calls return 0 at the cost of an atomic load.
 * Thread-safe. A failure (library missing, a function missing) returns
 * TC_EUNAVAIL with a message naming libpq, the soname and dlerror()'s text,
 * leaves nothing loaded and is tried again by the next call. */
int tc__pq_load(struct tc_error *err);

/* Whether tc__pq_load() has succeeded in this process. */
int tc__pq_loaded(void);

/* Loads SONAME as libpq into API (caller-owned) without touching tc__pq; on
 * success *HANDLE (may be NULL: then the library stays loaded) gets the
 * dlopen handle, the caller's to dlclose. On failure API is untouched, the
 * library closed again, and the error is tc__pq_load()'s. Thread-safe. */
int tc__pq_load_from(const char *soname, struct tc__pq_api *api, void **handle,
                     struct tc_error *err);

/* Test seam: the soname the next tc__pq_load() tries (NULL: TC_LIBPQ_SONAME).
 * No effect once loaded. SONAME is borrowed and must outlive the load. */
void tc__pq_use_soname(const char *soname);

#ifndef TC__PQ_LIB_IMPL
#define PQbackendPID (tc__pq.PQbackendPID)
#define PQclear (tc__pq.PQclear)
#define PQcmdStatus (tc__pq.PQcmdStatus)
#define PQcmdTuples (tc__pq.PQcmdTuples)
#define PQconnectdb (tc__pq.PQconnectdb)
#define PQconninfoFree (tc__pq.PQconninfoFree)
#define PQconninfoParse (tc__pq.PQconninfoParse)
#define PQdescribePrepared (tc__pq.PQdescribePrepared)
#define PQerrorMessage (tc__pq.PQerrorMessage)
#define PQexec (tc__pq.PQexec)
#define PQexecPrepared (tc__pq.PQexecPrepared)
#define PQfinish (tc__pq.PQfinish)
#define PQfname (tc__pq.PQfname)
#define PQfreemem (tc__pq.PQfreemem)
#define PQgetResult (tc__pq.PQgetResult)
#define PQgetisnull (tc__pq.PQgetisnull)
#define PQgetvalue (tc__pq.PQgetvalue)
#define PQnfields (tc__pq.PQnfields)
#define PQnparams (tc__pq.PQnparams)
#define PQntuples (tc__pq.PQntuples)
#define PQprepare (tc__pq.PQprepare)
#define PQputCopyData (tc__pq.PQputCopyData)
#define PQputCopyEnd (tc__pq.PQputCopyEnd)
#define PQreset (tc__pq.PQreset)
#define PQresultErrorField (tc__pq.PQresultErrorField)
#define PQresultStatus (tc__pq.PQresultStatus)
#define PQsetNoticeProcessor (tc__pq.PQsetNoticeProcessor)
#define PQstatus (tc__pq.PQstatus)
#define PQtransactionStatus (tc__pq.PQtransactionStatus)
#endif

#endif
