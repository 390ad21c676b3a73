/*
 * Fault injection for tests (DESIGN.md rule 6, docs/RELIABILITY.md).
 *
 * A FAULT STORE wraps a real store (sqlite or postgres) and forwards every op
 * of struct tc_store_ops to it, counting the calls. Armed with a plan, it
 * fails the N-th call of the chosen ops ONCE, with the error the real backend
 * reports for that failure:
 *
 *   kind                     code          what the wrapper does
 *   TC_FAULT_SQLITE_IOERR    TC_EIO        the call is not forwarded (SQLITE_IOERR)
 *   TC_FAULT_SQLITE_FULL     TC_ENOSPC     the call is not forwarded (SQLITE_FULL)
 *   TC_FAULT_SQLITE_BUSY     TC_EBUSY      the call is not forwarded (SQLITE_BUSY);
 *                                          tc_store_txn retries it
 *   TC_FAULT_PG_CONN_LOST    TC_EUNAVAIL   on postgres: the transaction's server
 *                                          process is really terminated
 *                                          (pg_terminate_backend from a second
 *                                          connection) and the call forwarded, so
 *                                          the backend meets a dead connection;
 *                                          on sqlite: not forwarded
 *   TC_FAULT_PG_SERIAL       TC_ESERIAL    the call is not forwarded (40001);
 *                                          tc_store_txn retries it
 *   TC_FAULT_ENOMEM          TC_ENOMEM     the call is not forwarded (SQLITE_NOMEM)
 *
 * A failed exec leaves the transaction open (the caller rolls it back, as
 * after a real error); a failed begin returns no transaction; a failed
 * commit frees the transaction as tc_txn_commit always does. With
 * after_commit set, a commit fault happens AFTER the inner commit succeeded
 * ("committed, but the client saw an error"): the data is durable and the
 * caller is told TC_EIO/TC_ENOSPC/... (on postgres with TC_FAULT_PG_CONN_LOST
 * the pooled connection is then terminated too). Rollback cannot fail (it
 * is void) and is only counted. Row callbacks see the inner backend's rows.
 * The message of an injected error names the store, the op, the call number
 * and says "injected fault".
 *
 * The fault store reports the inner backend's name and kind
 * (tc_store_backend), so SQL dialect choices are unchanged. It is opened
 * through tc_store_fault_open, never through tc_store_open: the production
 * URL parser knows nothing of it.
 *
 * THE ALLOCATOR SHIM (tests only, not in the library): the test programs
 * tests/test_fault*.c are linked with -Wl,--wrap=malloc,calloc,realloc,
 * strdup,strndup (tests/CMakeLists.txt) and tests/fault/alloc_shim.c, whose
 * wrappers fail the N-th call with NULL and errno ENOMEM when armed
 * (tests/fault/alloc_shim.h). The wrap reaches the library's own objects
 * (linked statically into the test program); allocations inside shared
 * libraries (sqlite, libpq, jansson) are not affected.
 *
 * Thread-safety: counters and the plan are guarded by a mutex; the plan is
 * meant to be armed and read by the one thread driving the test.
 */
#ifndef TRADECORE_FAULT_H
#define TRADECORE_FAULT_H

#include <stdint.h>

#include "tradecore/error.h"
#include "tradecore/store.h"

enum tc_fault_kind {
    TC_FAULT_NONE = 0,
    TC_FAULT_SQLITE_IOERR = 1,
    TC_FAULT_SQLITE_FULL = 2,
    TC_FAULT_SQLITE_BUSY = 3,
    TC_FAULT_PG_CONN_LOST = 4,
    TC_FAULT_PG_SERIAL = 5,
    TC_FAULT_ENOMEM = 6
};
#define TC_FAULT_KIND_COUNT 7

/* "sqlite_ioerr", "sqlite_full", "sqlite_busy", "pg_conn_lost", "pg_serial",
 * "enomem", "none"; "?" outside the enum. */
const char *tc_fault_kind_name(enum tc_fault_kind k);
/* The TC_E* code the real backend maps the failure to (table above); 0 for
 * TC_FAULT_NONE, TC_EINVAL outside the enum. */
int tc_fault_kind_code(enum tc_fault_kind k);

/* The counted ops. */
enum tc_fault_op {
    TC_FAULT_OP_BEGIN = 0,
    TC_FAULT_OP_EXEC = 1,
    TC_FAULT_OP_EXEC_SCRIPT = 2,
    TC_FAULT_OP_COMMIT = 3,
    TC_FAULT_OP_ROLLBACK = 4,   /* counted, never failed */
    TC_FAULT_OP_PING = 5,
    TC_FAULT_OP_COPY = 6
};
#define TC_FAULT_OP_COUNT 7
/* "begin", "exec", "exec_script", "commit", "rollback", "ping", "copy". */
const char *tc_fault_op_name(enum tc_fault_op op);

/* Every op that can fail: all but rollback. */
#define TC_FAULT_OPS_ALL                                                               \
    ((1u << TC_FAULT_OP_BEGIN) | (1u << TC_FAULT_OP_EXEC) | (1u << TC_FAULT_OP_EXEC_SCRIPT) | \
     (1u << TC_FAULT_OP_COMMIT) | (1u << TC_FAULT_OP_PING) | (1u << TC_FAULT_OP_COPY))

/*
 * A plan: fail the NTH (1-based) call among the ops in OPS (a mask of 1u <<
 * enum tc_fault_op; counted from the moment it is armed) with KIND. One
 * shot: once fired the store forwards again. AFTER_COMMIT: when the chosen
 * call is a commit, run the inner commit first, then fail.
 */
struct tc_fault_plan {
    enum tc_fault_kind kind;
    int64_t nth;
    unsigned ops;
    int after_commit;
};

/* Calls per op since the store was opened or the counts were reset. */
struct tc_fault_counts {
    int64_t calls[TC_FAULT_OP_COUNT];
    int64_t total;         /* every counted call, rollback included */
    int64_t failable;      /* the calls of TC_FAULT_OPS_ALL */
};

/* What an armed plan did. */
struct tc_fault_report {
    int fired;                 /* 1 once the fault happened */
    enum tc_fault_op op;       /* the call that failed */
    int64_t call;              /* its number among the plan's ops */
    char sql[128];             /* the statement of an exec (cut), "" otherwise */
};

/*
 * Opens a fault store over the store at URL: "fault+sqlite:PATH",
 * "fault+postgresql://…" or the plain URL. OPT as for tc_store_open (NULL =
 * defaults). On postgres a second one-connection store is opened to the same
 * database to terminate server processes. Disarmed at first. On success *OUT
 * is the caller's: tc_store_close() closes the inner stores too. Errors are
 * tc_store_open's (TC_EINVAL for an empty or unknown URL).
 */
int tc_store_fault_open(const char *url, const struct tc_store_options *opt,
                        struct tc_store **out, struct tc_error *err);

/* 1 when S is a fault store (NULL: 0). */
int tc_store_is_fault(const struct tc_store *s);

/*
 * Arms PLAN (copied) on the fault store S and clears the last report; the
 * plan's count starts now. TC_EINVAL (store unchanged) when S is not a fault
 * store, the kind is TC_FAULT_NONE or unknown, NTH < 1, OPS is empty or has
 * bits outside TC_FAULT_OPS_ALL, AFTER_COMMIT is set without the commit op,
 * or AFTER_COMMIT is set with TC_FAULT_SQLITE_BUSY or TC_FAULT_PG_SERIAL
 * (both backends report those before a commit takes effect: a retryable
 * error after a durable commit would make tc_store_txn apply it twice).
 */
int tc_store_fault_arm(struct tc_store *s, const struct tc_fault_plan *plan,
                       struct tc_error *err);
/* Disarms S (a fault store; others are ignored). The report stays. */
void tc_store_fault_disarm(struct tc_store *s);
/* The report of the last armed plan (zeroed for other stores). */
void tc_store_fault_report(struct tc_store *s, struct tc_fault_report *out);
/* Call counts (zeroed for other stores) and their reset. */
void tc_store_fault_counts(struct tc_store *s, struct tc_fault_counts *out);
void tc_store_fault_reset_counts(struct tc_store *s);
/* The inner store (borrowed; owned by S), or NULL for other stores. */
struct tc_store *tc_store_fault_inner(struct tc_store *s);

#endif
