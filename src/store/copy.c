/* Bulk load through a backend's optional copy_from op (store.h). */
#include <stdio.h>

#include "tradecore/store.h"
#include "internal/banned.h"

int tc_store_can_copy(const struct tc_store *s)
{
    return s && s->ops && s->ops->copy_from != NULL;
}

int tc_txn_copy_from(struct tc_txn *tx, const char *sql, tc_copy_fill_fn fill, void *ud,
                     int64_t *rows, struct tc_error *err)
{
    if (rows)
        *rows = 0;
    if (!tx)
        return tc_error_set(err, TC_EINVAL, "store: copy outside a transaction");
    if (!sql || !*sql || !fill)
        return tc_error_set(err, TC_EINVAL, "store %s: copy needs a statement and a fill function",
                            tx->store->url_redacted);
    if (!tc_store_can_copy(tx->store))
        return tc_error_set(err, TC_EINVAL, "store %s: the %s backend has no bulk copy",
                            tx->store->url_redacted, tx->store->ops->name);
    return tx->store->ops->copy_from(tx, sql, fill, ud, rows, err);
}
