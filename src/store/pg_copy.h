/* PostgreSQL bulk load (COPY FROM STDIN) for the postgres backend (not public). */
#ifndef TC_STORE_PG_COPY_H
#define TC_STORE_PG_COPY_H

#include <libpq-fe.h>

#include "tradecore/store.h"

/* The connection TX (a postgres transaction) runs on; defined in postgres.c. */
PGconn *tc__store_pg_txn_conn(struct tc_txn *tx);

/* The postgres backend's copy_from op (store.h, tc_txn_copy_from). */
int tc__store_pg_copy_from(struct tc_txn *tx, const char *sql, tc_copy_fill_fn fill, void *ud,
                           int64_t *rows, struct tc_error *err);

#endif
