/* Schema migrations on sqlite (real files) and PostgreSQL (fresh databases). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc_test.h"
#include "tradecore/clock.h"
#include "tradecore/migrate.h"
#include "tradecore/store.h"

struct backend {
    const char *name;
    int pg;
};

static struct backend sqlite_be = {"sqlite", 0};
static struct backend pg_be = {"postgres", 1};

/* A fresh empty database for one test. */
static void fresh_url(const struct backend *be, char *url, size_t cap)
{
    if (be->pg) {
        assert_int_equal(tc_test_pg_create_db("migrate", url, cap), 0);
    } else {
        char dir[512];
        assert_int_equal(tc_test_tmpdir("migrate", dir, sizeof(dir)), 0);
        snprintf(url, cap, "sqlite:%s/db.sqlite", dir);
    }
}

static struct tc_store *open_fresh(const struct backend *be, char *url, size_t cap)
{
    struct tc_store *s = NULL;
    struct tc_error err = {0};
    fresh_url(be, url, cap);
    tc_assert_ok(tc_store_open(url, NULL, &s, &err), &err);
    return s;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *const UP1 =
    "CREATE TABLE accounts (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n";
static const char *const DOWN1 = "DROP TABLE accounts;\n";
static const char *const UP2 =
    "-- orders of an account\n"
    "CREATE TABLE orders (id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL REFERENCES "
    "accounts(id), qty BIGINT NOT NULL CONSTRAINT orders_qty_positive CHECK (qty > 0));\n"
    "CREATE INDEX orders_account ON orders (account_id);\n";
static const char *const DOWN2 = "DROP INDEX orders_account;\nDROP TABLE orders;\n";
static const char *const UP3 = "ALTER TABLE accounts ADD COLUMN note TEXT;\n";
static const char *const DOWN3 = "ALTER TABLE accounts DROP COLUMN note;\n";

/* Writes the three migrations into a fresh "<tmp>/runtime" folder. */
static void make_dir(char *dir, size_t cap, int with_down3)
{
    char base[512];
    assert_int_equal(tc_test_tmpdir("migset", base, sizeof(base)), 0);
    snprintf(dir, cap, "%s/runtime", base);
    assert_int_equal(mkdir(dir, 0755), 0);
    write_file(dir, "0001_create_accounts.up.sql", UP1);
    write_file(dir, "0001_create_accounts.down.sql", DOWN1);
    write_file(dir, "0002_add_orders.up.sql", UP2);
    write_file(dir, "0002_add_orders.down.sql", DOWN2);
    write_file(dir, "0003_add_note.up.sql", UP3);
    if (with_down3)
        write_file(dir, "0003_add_note.down.sql", DOWN3);
    write_file(dir, "README.txt", "not a migration\n");
}

static struct tc_migration_set *load(const char *dir)
{
    struct tc_migration_set *set = NULL;
    struct tc_error err = {0};
    tc_assert_ok(tc_migration_set_load_dir(dir, &set, &err), &err);
    return set;
}

/* ---- schema dumps --------------------------------------------------------- */

struct dump {
    char buf[16384];
    size_t len;
};

static int dump_cb(const struct tc_row *row, void *ud)
{
    struct dump *d = ud;
    for (int c = 0; c < tc_row_count(row); c++) {
        const char *t = "<null>";
        if (!tc_row_is_null(row, c))
            assert_int_equal(tc_row_text(row, c, &t), 0);
        d->len += (size_t)snprintf(d->buf + d->len, sizeof(d->buf) - d->len, "%s|", t);
        assert_true(d->len < sizeof(d->buf));
    }
    d->len += (size_t)snprintf(d->buf + d->len, sizeof(d->buf) - d->len, "\n");
    return 0;
}

/* The schema without schema_migrations itself. */
static void dump_schema(struct tc_store *s, struct dump *d)
{
    struct tc_error err = {0};
    d->len = 0;
    d->buf[0] = '\0';
    if (tc_store_backend(s) == TC_STORE_SQLITE) {
        tc_assert_ok(tc_store_exec(s,
                                   "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE "
                                   "name NOT LIKE 'sqlite_%' AND tbl_name <> 'schema_migrations' "
                                   "ORDER BY type, name",
                                   NULL, 0, dump_cb, d, NULL, &err),
                     &err);
        return;
    }
    tc_assert_ok(tc_store_exec(s,
                               "SELECT table_name, column_name, data_type, is_nullable, "
                               "column_default, ordinal_position::text FROM "
                               "information_schema.columns WHERE table_schema = 'public' AND "
                               "table_name <> 'schema_migrations' ORDER BY table_name, "
                               "ordinal_position",
                               NULL, 0, dump_cb, d, NULL, &err),
                 &err);
    tc_assert_ok(tc_store_exec(s,
                               "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                               "'public' AND tablename <> 'schema_migrations' ORDER BY indexname",
                               NULL, 0, dump_cb, d, NULL, &err),
                 &err);
    tc_assert_ok(tc_store_exec(s,
                               "SELECT c.conrelid::regclass::text, c.conname, "
                               "pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN "
                               "pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = "
                               "'public' AND c.conrelid::regclass::text <> 'schema_migrations' "
                               "ORDER BY 1, 2",
                               NULL, 0, dump_cb, d, NULL, &err),
                 &err);
}

/* ---- history ---------------------------------------------------------------- */

struct hist {
    int n;
    int version[16];
    char name[16][64];
    char checksum[16][65];
    char store[16][32];
    int64_t applied_at[16];
    int64_t duration[16];
    int dirty[16];
};

static int hist_cb(const struct tc_migration_record *r, void *ud)
{
    struct hist *h = ud;
    int i = h->n++;
    assert_true(i < 16);
    h->version[i] = r->version;
    snprintf(h->name[i], sizeof(h->name[i]), "%s", r->name);
    snprintf(h->checksum[i], sizeof(h->checksum[i]), "%s", r->checksum);
    snprintf(h->store[i], sizeof(h->store[i]), "%s", r->store);
    h->applied_at[i] = r->applied_at_us;
    h->duration[i] = r->duration_ms;
    h->dirty[i] = r->dirty;
    return 0;
}

static void history(struct tc_store *s, struct hist *h)
{
    struct tc_error err = {0};
    memset(h, 0, sizeof(*h));
    tc_assert_ok(tc_migrate_history(s, hist_cb, h, &err), &err);
}

struct events {
    int n;
    int up[16], version[16], dry[16];
};

static void ev_cb(const struct tc_migrate_event *ev, void *ud)
{
    struct events *e = ud;
    assert_true(e->n < 16);
    e->up[e->n] = ev->up;
    e->version[e->n] = ev->version;
    e->dry[e->n] = ev->dry_run;
    e->n++;
}

static struct tc_migrate_status status(struct tc_store *s, const struct tc_migration_set *set)
{
    struct tc_migrate_status st;
    struct tc_error err = {0};
    tc_assert_ok(tc_migrate_status(s, set, &st, &err), &err);
    return st;
}

static int current(struct tc_store *s, const struct tc_migration_set *set)
{
    struct tc_migrate_status st = status(s, set);
    int c = st.current;
    tc_migrate_status_release(&st);
    return c;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_up_down_up(void **state)
{
    const struct backend *be = *state;
    char url[1024], dir[1024];
    struct tc_store *s = open_fresh(be, url, sizeof(url));
    struct tc_migration_set *set;
    struct tc_error err = {0};
    struct dump d0, d1, d2, d3;
    struct events ev = {0};
    struct hist h;
    struct tc_migrate_status st;
    int64_t before, after;

    make_dir(dir, sizeof(dir), 1);
    set = load(dir);
    assert_int_equal(tc_migration_set_count(set), 3);
    assert_int_equal(tc_migration_set_latest(set), 3);
    assert_string_equal(tc_migration_set_store(set), "runtime");
    assert_string_equal(tc_migration_set_at(set, 1)->name, "add_orders");
    assert_null(tc_migration_set_at(set, 3));

    dump_schema(s, &d0);
    assert_int_equal(d0.len, 0);
    st = status(s, set);
    assert_int_equal(st.current, 0);
    assert_int_equal(st.latest, 3);
    assert_int_equal(st.n_pending, 3);
    assert_int_equal(st.pending[0], 1);
    tc_migrate_status_release(&st);

    before = tc_clock_now(NULL);
    tc_assert_ok(tc_migrate_up(s, set, -1, 0, ev_cb, &ev, &err), &err);
    after = tc_clock_now(NULL);
    assert_int_equal(ev.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ev.up[i], 1);
        assert_int_equal(ev.version[i], i + 1);
        assert_int_equal(ev.dry[i], 0);
    }
    dump_schema(s, &d1);
    assert_non_null(strstr(d1.buf, "orders_account"));
    assert_non_null(strstr(d1.buf, "note"));

    /* schema_migrations rows */
    history(s, &h);
    assert_int_equal(h.n, 3);
    for (int i = 0; i < 3; i++) {
        const struct tc_migration *m = tc_migration_set_at(set, (size_t)i);
        assert_int_equal(h.version[i], i + 1);
        assert_string_equal(h.name[i], m->name);
        assert_string_equal(h.checksum[i], m->checksum);
        assert_int_equal(strlen(h.checksum[i]), 64);
        assert_string_equal(h.store[i], "runtime");
        assert_true(h.applied_at[i] >= before - 1000000 && h.applied_at[i] <= after + 1000000);
        assert_true(h.duration[i] >= 0 && h.duration[i] < 60000);
        assert_int_equal(h.dirty[i], 0);
    }
    /* up again: nothing to do */
    ev.n = 0;
    tc_assert_ok(tc_migrate_up(s, set, -1, 0, ev_cb, &ev, &err), &err);
    assert_int_equal(ev.n, 0);

    ev.n = 0;
    tc_assert_ok(tc_migrate_down(s, set, -1, 0, ev_cb, &ev, &err), &err);
    assert_int_equal(ev.n, 3);
    assert_int_equal(ev.version[0], 3);
    assert_int_equal(ev.version[2], 1);
    assert_int_equal(ev.up[0], 0);
    dump_schema(s, &d2);
    assert_string_equal(d2.buf, d0.buf);
    history(s, &h);
    assert_int_equal(h.n, 0);

    tc_assert_ok(tc_migrate_up(s, set, -1, 0, NULL, NULL, &err), &err);
    dump_schema(s, &d3);
    assert_string_equal(d3.buf, d1.buf);
    assert_int_equal(current(s, set), 3);
    tc_migration_set_free(set);
    tc_store_close(s);
}

static void test_checksum_tampered(void **state)
{
    const struct backend *be = *state;
    char url[1024], dir[1024];
    struct tc_store *s = open_fresh(be, url, sizeof(url));
    struct tc_migration_set *set, *tampered;
    struct tc_error err = {0};
    struct tc_migrate_status st;
    struct dump before, after;
    struct hist h1, h2;
    char orig[65];
    int rc;

    make_dir(dir, sizeof(dir), 1);
    set = load(dir);
    tc_assert_ok(tc_migrate_up(s, set, 2, 0, NULL, NULL, &err), &err);
    snprintf(orig, sizeof(orig), "%s", tc_migration_set_at(set, 1)->checksum);
    write_file(dir, "0002_add_orders.up.sql",
               "CREATE TABLE orders (id BIGINT PRIMARY KEY, qty BIGINT);\n");
    tampered = load(dir);
    assert_string_not_equal(tc_migration_set_at(tampered, 1)->checksum, orig);
    dump_schema(s, &before);
    history(s, &h1);

    rc = tc_migrate_up(s, tampered, -1, 0, NULL, NULL, &err);
    assert_int_equal(rc, TC_ECHECKSUM);
    assert_non_null(strstr(err.msg, "migration 2 (add_orders)"));
    assert_non_null(strstr(err.msg, orig));
    assert_non_null(strstr(err.msg, tc_migration_set_at(tampered, 1)->checksum));
    rc = tc_migrate_down(s, tampered, 1, 0, NULL, NULL, &err);
    assert_int_equal(rc, TC_ECHECKSUM);
    rc = tc_migrate_status(s, tampered, &st, &err);
    assert_int_equal(rc, TC_ECHECKSUM);
    assert_int_equal(st.current, 2);
    tc_migrate_status_release(&st);

    dump_schema(s, &after);
    assert_string_equal(after.buf, before.buf); /* 0003 was not applied either */
    history(s, &h2);
    assert_int_equal(h2.n, 2);
    assert_memory_equal(&h1, &h2, sizeof(h1));
    tc_migration_set_free(tampered);
    tc_migration_set_free(set);
    tc_store_close(s);
}

static void test_to_and_steps(void **state)
{
    const struct backend *be = *state;
    char url[1024], dir[1024];
    struct tc_store *s = open_fresh(be, url, sizeof(url));
    struct tc_migration_set *set;
    struct tc_error err = {0};
    struct tc_migrate_status st;
    int rc;

    make_dir(dir, sizeof(dir), 1);
    set = load(dir);
    tc_assert_ok(tc_migrate_up(s, set, 1, 0, NULL, NULL, &err), &err);
    st = status(s, set);
    assert_int_equal(st.current, 1);
    assert_int_equal(st.applied, 1);
    assert_int_equal(st.n_pending, 2);
    assert_int_equal(st.pending[0], 2);
    assert_int_equal(st.pending[1], 3);
    tc_migrate_status_release(&st);

    tc_assert_ok(tc_migrate_up(s, set, 2, 0, NULL, NULL, &err), &err);
    assert_int_equal(current(s, set), 2);

    rc = tc_migrate_up(s, set, 99, 0, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_non_null(strstr(err.msg, "no migration version 99"));
    rc = tc_migrate_up(s, set, -7, 0, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    rc = tc_migrate_up(s, set, 1, 0, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_non_null(strstr(err.msg, "below the current version 2"));
    assert_int_equal(current(s, set), 2);

    tc_assert_ok(tc_migrate_down(s, set, 1, 0, NULL, NULL, &err), &err);
    assert_int_equal(current(s, set), 1);
    rc = tc_migrate_down(s, set, 0, 0, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_non_null(strstr(err.msg, "steps 0"));
    rc = tc_migrate_down(s, set, -2, 0, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_int_equal(current(s, set), 1);

    tc_assert_ok(tc_migrate_up(s, set, -1, 0, NULL, NULL, &err), &err);
    assert_int_equal(current(s, set), 3);
    tc_assert_ok(tc_migrate_down(s, set, 2, 0, NULL, NULL, &err), &err);
    assert_int_equal(current(s, set), 1);
    tc_assert_ok(tc_migrate_down(s, set, 5, 0, NULL, NULL, &err), &err);
    assert_int_equal(current(s, set), 0);
    tc_assert_ok(tc_migrate_down(s, set, 1, 0, NULL, NULL, &err), &err); /* nothing left */
    tc_migration_set_free(set);
    tc_store_close(s);
}

static void test_dry_run(void **state)
{
    const struct backend *be = *state;
    char url[1024], dir[1024];
    struct tc_store *s = open_fresh(be, url, sizeof(url));
    struct tc_migration_set *set;
    struct tc_error err = {0};
    struct events ev = {0};
    struct dump d0, d1;
    struct hist h;

    make_dir(dir, sizeof(dir), 1);
    set = load(dir);
    tc_assert_ok(tc_migrate_up(s, set, -1, 1, ev_cb, &ev, &err), &err);
    assert_int_equal(ev.n, 3);
    assert_int_equal(ev.dry[0], 1);
    assert_int_equal(ev.version[2], 3);
    dump_schema(s, &d0);
    assert_int_equal(d0.len, 0);
    history(s, &h);
    assert_int_equal(h.n, 0);
    /* not even schema_migrations was created */
    {
        const char *q = be->pg ? "SELECT count(*) FROM pg_tables WHERE tablename = "
                                 "'schema_migrations'"
                               : "SELECT count(*) FROM sqlite_master WHERE name = "
                                 "'schema_migrations'";
        struct dump d;
        d.len = 0;
        tc_assert_ok(tc_store_exec(s, q, NULL, 0, dump_cb, &d, NULL, &err), &err);
        assert_string_equal(d.buf, "0|\n");
    }

    tc_assert_ok(tc_migrate_up(s, set, 2, 0, NULL, NULL, &err), &err);
    dump_schema(s, &d0);
    ev.n = 0;
    tc_assert_ok(tc_migrate_down(s, set, 1, 1, ev_cb, &ev, &err), &err);
    assert_int_equal(ev.n, 1);
    assert_int_equal(ev.version[0], 2);
    assert_int_equal(ev.up[0], 0);
    assert_int_equal(ev.dry[0], 1);
    ev.n = 0;
    tc_assert_ok(tc_migrate_up(s, set, -1, 1, ev_cb, &ev, &err), &err);
    assert_int_equal(ev.n, 1);
    assert_int_equal(ev.version[0], 3);
    dump_schema(s, &d1);
    assert_string_equal(d0.buf, d1.buf);
    assert_int_equal(current(s, set), 2);
    tc_migration_set_free(set);
    tc_store_close(s);
}

static void test_missing_down(void **state)
{
    const struct backend *be = *state;
    char url[1024], dir[1024];
    struct tc_store *s = open_fresh(be, url, sizeof(url));
    struct tc_migration_set *set;
    struct tc_error err = {0};
    struct dump d0, d1;
    int rc;

    make_dir(dir, sizeof(dir), 0);
    set = load(dir);
    assert_null(tc_migration_set_at(set, 2)->down_sql);
    tc_assert_ok(tc_migrate_up(s, set, -1, 0, NULL, NULL, &err), &err);
    dump_schema(s, &d0);
    rc = tc_migrate_down(s, set, 1, 0, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    assert_string_equal(err.msg, "migration 3 (add_note) has no down file");
    rc = tc_migrate_down(s, set, -1, 0, NULL, NULL, &err);
    assert_int_equal(rc, TC_EINVAL);
    dump_schema(s, &d1);
    assert_string_equal(d0.buf, d1.buf);
    assert_int_equal(current(s, set), 3);
    tc_migration_set_free(set);
    tc_store_close(s);
}

static void test_failing_migration(void **state)
{
    const struct backend *be = *state;
    char url[1024], dir[1024];
    struct tc_store *s = open_fresh(be, url, sizeof(url));
    struct tc_migration_set *set;
    struct tc_error err = {0};
    struct dump d;
    int rc;

    make_dir(dir, sizeof(dir), 1);
    write_file(dir, "0002_add_orders.up.sql",
               "CREATE TABLE half (id BIGINT);\nCREATE TABLE broken (id NOSUCHTYPE_X(;\n");
    set = load(dir);
    rc = tc_migrate_up(s, set, -1, 0, NULL, NULL, &err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err.msg, "migration 2 (add_orders)"));
    assert_int_equal(current(s, set), 1);
    dump_schema(s, &d);
    assert_null(strstr(d.buf, "half")); /* the first statement was rolled back too */
    assert_non_null(strstr(d.buf, "accounts"));
    tc_migration_set_free(set);
    tc_store_close(s);
}

static void test_concurrent_processes(void **state)
{
    const struct backend *be = *state;
    char url[1024], dir[1024];
    struct tc_migration_set *set;
    struct tc_store *s;
    struct tc_error err = {0};
    struct hist h;
    struct dump d;
    pid_t pids[2];
    int go[2];

    fresh_url(be, url, sizeof(url));
    make_dir(dir, sizeof(dir), 1);
    assert_int_equal(pipe(go), 0);
    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct tc_migration_set *cs = NULL;
            struct tc_store *cst = NULL;
            struct tc_error cerr = {0};
            char c;
            int rc;
            close(go[1]);
            if (read(go[0], &c, 1) < 0)
                _exit(3);
            rc = tc_migration_set_load_dir(dir, &cs, &cerr);
            if (rc == 0)
                rc = tc_store_open(url, NULL, &cst, &cerr);
            if (rc == 0)
                rc = tc_migrate_up(cst, cs, -1, 0, NULL, NULL, &cerr);
            if (rc != 0)
                fprintf(stderr, "child %d: %s\n", i, cerr.msg);
            tc_store_close(cst);
            tc_migration_set_free(cs);
            _exit(rc == 0 ? 0 : 1);
        }
    }
    close(go[0]);
    close(go[1]); /* both start now */
    for (int i = 0; i < 2; i++) {
        int st = 0;
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    set = load(dir);
    tc_assert_ok(tc_store_open(url, NULL, &s, &err), &err);
    history(s, &h);
    assert_int_equal(h.n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(h.version[i], i + 1);
    assert_int_equal(current(s, set), 3);
    dump_schema(s, &d);
    assert_non_null(strstr(d.buf, "orders_account"));
    tc_migration_set_free(set);
    tc_store_close(s);
}

static void test_two_stores_one_database(void **state)
{
    const struct backend *be = *state;
    char url[1024], dir[1024], base[512], hdir[1024];
    struct tc_store *s = open_fresh(be, url, sizeof(url));
    struct tc_migration_set *rt, *hist;
    struct tc_error err = {0};
    struct hist h;

    make_dir(dir, sizeof(dir), 1);
    assert_int_equal(tc_test_tmpdir("migh", base, sizeof(base)), 0);
    snprintf(hdir, sizeof(hdir), "%s/historical", base);
    assert_int_equal(mkdir(hdir, 0755), 0);
    write_file(hdir, "0001_prices.up.sql", "CREATE TABLE prices (id BIGINT PRIMARY KEY);\n");
    write_file(hdir, "0001_prices.down.sql", "DROP TABLE prices;\n");
    rt = load(dir);
    hist = load(hdir);
    tc_assert_ok(tc_migrate_up(s, rt, -1, 0, NULL, NULL, &err), &err);
    tc_assert_ok(tc_migrate_up(s, hist, -1, 0, NULL, NULL, &err), &err);
    history(s, &h);
    assert_int_equal(h.n, 4);
    assert_string_equal(h.store[0], "historical");
    assert_int_equal(h.version[0], 1);
    assert_string_equal(h.store[1], "runtime");
    assert_int_equal(current(s, hist), 1);
    assert_int_equal(current(s, rt), 3);
    tc_assert_ok(tc_migrate_down(s, hist, -1, 0, NULL, NULL, &err), &err);
    assert_int_equal(current(s, hist), 0);
    assert_int_equal(current(s, rt), 3);
    tc_migration_set_free(rt);
    tc_migration_set_free(hist);
    tc_store_close(s);
}

static void test_embedded_latest(void **state)
{
    const struct backend *be = *state;
    char url[1024];
    struct tc_store *s = open_fresh(be, url, sizeof(url));
    struct tc_error err = {0};
    struct tc_migration_set *rt = NULL, *hi = NULL;

    tc_assert_ok(tc_migration_set_load_embedded(be->pg ? "postgres" : "sqlite", "runtime", &rt,
                                                &err),
                 &err);
    tc_assert_ok(tc_migration_set_load_embedded(be->pg ? "postgres" : "sqlite", "historical",
                                                &hi, &err),
                 &err);
    assert_true(tc_migration_set_count(rt) >= 1);
    assert_true(tc_migration_set_count(hi) >= 1);
    tc_assert_ok(tc_migrate_latest(s, "historical", &err), &err);
    tc_assert_ok(tc_migrate_latest(s, "runtime", &err), &err);
    tc_assert_ok(tc_migrate_latest(s, "runtime", &err), &err); /* idempotent */
    assert_int_equal(current(s, rt), tc_migration_set_latest(rt));
    assert_int_equal(current(s, hi), tc_migration_set_latest(hi));
    assert_int_equal(tc_migrate_latest(s, "bogus", &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "\"bogus\""));
    /* and all the way down again, when every migration has a down file */
    tc_assert_ok(tc_migrate_down(s, rt, -1, 0, NULL, NULL, &err), &err);
    tc_assert_ok(tc_migrate_down(s, hi, -1, 0, NULL, NULL, &err), &err);
    assert_int_equal(current(s, rt), 0);
    tc_migration_set_free(rt);
    tc_migration_set_free(hi);
    tc_store_close(s);
}

static void expect_bad_dir(const char *files[][2], int code, const char *mention)
{
    char dir[512];
    struct tc_migration_set *set = (struct tc_migration_set *)dir;
    struct tc_error err = {0};
    int rc;
    assert_int_equal(tc_test_tmpdir("migbad", dir, sizeof(dir)), 0);
    for (int i = 0; files[i][0]; i++)
        write_file(dir, files[i][0], files[i][1]);
    rc = tc_migration_set_load_dir(dir, &set, &err);
    if (rc != code || !strstr(err.msg, mention))
        fail_msg("expected %s naming \"%s\", got %s: %s", tc_strerror_name(code), mention,
                 tc_strerror_name(rc), err.msg);
    assert_null(set);
}

static void test_bad_sets(void **state)
{
    const char *malformed[][2] = {{"abc.up.sql", "SELECT 1;"}, {NULL, NULL}};
    const char *nodir[][2] = {{"0001_x.sql", "SELECT 1;"}, {NULL, NULL}};
    const char *zero[][2] = {{"0000_zero.up.sql", "SELECT 1;"}, {NULL, NULL}};
    const char *noname[][2] = {{"0001_.up.sql", "SELECT 1;"}, {NULL, NULL}};
    const char *dup[][2] = {
        {"0001_a.up.sql", "SELECT 1;"}, {"0001_b.up.sql", "SELECT 2;"}, {NULL, NULL}};
    const char *orphan[][2] = {
        {"0001_a.up.sql", "SELECT 1;"}, {"0002_b.down.sql", "SELECT 2;"}, {NULL, NULL}};
    const char *huge[][2] = {{"99999999999_big.up.sql", "SELECT 1;"}, {NULL, NULL}};
    struct tc_migration_set *set = NULL;
    struct tc_error err = {0};
    char empty[512];
    (void)state;

    expect_bad_dir(malformed, TC_EPARSE, "abc.up.sql");
    expect_bad_dir(nodir, TC_EPARSE, "0001_x.sql");
    expect_bad_dir(zero, TC_EPARSE, "0000_zero.up.sql");
    expect_bad_dir(noname, TC_EPARSE, "0001_.up.sql");
    expect_bad_dir(dup, TC_ECONFLICT, "migration version 1");
    expect_bad_dir(orphan, TC_EINVAL, "migration 2 (b): down file without an up file");
    expect_bad_dir(huge, TC_EPARSE, "too large");

    assert_int_equal(tc_migration_set_load_dir("/nonexistent/migrations", &set, &err), TC_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/migrations"));
    assert_int_equal(tc_migration_set_load_embedded("mysql", "runtime", &set, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "\"mysql\""));
    assert_int_equal(tc_migration_set_load_embedded("sqlite", "ledger", &set, &err), TC_EINVAL);
    assert_non_null(strstr(err.msg, "\"ledger\""));
    assert_null(set);

    /* an empty folder is an empty set: migrating it does nothing */
    assert_int_equal(tc_test_tmpdir("migempty", empty, sizeof(empty)), 0);
    tc_assert_ok(tc_migration_set_load_dir(empty, &set, &err), &err);
    assert_int_equal(tc_migration_set_count(set), 0);
    assert_int_equal(tc_migration_set_latest(set), 0);
    tc_migration_set_free(set);
    tc_migration_set_free(NULL);
}

static void test_checksum_is_sha256(void **state)
{
    char dir[1024];
    struct tc_migration_set *set;
    (void)state;
    make_dir(dir, sizeof(dir), 1);
    write_file(dir, "0001_create_accounts.up.sql", "abc");
    set = load(dir);
    /* SHA-256("abc"), FIPS 180-2 test vector */
    assert_string_equal(tc_migration_set_at(set, 0)->checksum,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    tc_migration_set_free(set);
}

#define BOTH(fn)                                                                               \
    cmocka_unit_test_prestate(fn, &sqlite_be), cmocka_unit_test_prestate(fn, &pg_be)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_sets),
        cmocka_unit_test(test_checksum_is_sha256),
        BOTH(test_up_down_up),
        BOTH(test_checksum_tampered),
        BOTH(test_to_and_steps),
        BOTH(test_dry_run),
        BOTH(test_missing_down),
        BOTH(test_failing_migration),
        BOTH(test_concurrent_processes),
        BOTH(test_two_stores_one_database),
        BOTH(test_embedded_latest),
    };
    int rc;

    if (!tc_test_pg_server_url()) {
        fprintf(stderr, "test_migrate: no PostgreSQL fixture\n");
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_test_pg_drop_all();
    return rc;
}
