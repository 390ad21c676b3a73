/*
 * `tradecore db backup|restore`: online copies of a store (the SQLite backup
 * API, or pg_dump for PostgreSQL) with keep-N rotation, and restoring a
 * SQLite store from such a copy while no serve runs on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli/cmd_backup.h"
#include "internal/banned.h"

extern char **environ;

#define PATH_CAP 4096

static const char backup_usage[] =
    "usage: tradecore db backup --out FILE [--keep N] [--store runtime|historical]\n"
    "       tradecore db restore FILE [--store runtime|historical]\n"
    "backup   online copy (sqlite backup API; pg_dump for PostgreSQL) to FILE,\n"
    "         older copies rotated to FILE.1 ... FILE.(N-1) (--keep N, default 5)\n"
    "restore  copy FILE over a sqlite store (refused while a serve holds it)\n"
    "--store defaults to runtime.\n";

/* The file of a sqlite URL into BUF; 0, or 1 when URL is not a sqlite file. */
static int sqlite_file(const char *url, char *buf, size_t cap)
{
    const char *p;

    if (strncmp(url, "sqlite:", 7) != 0)
        return 1;
    p = url + 7;
    if (strncmp(p, "//", 2) == 0)
        p += 2;
    if (!*p || strcmp(p, ":memory:") == 0)
        return 1;
    snprintf(buf, cap, "%s", p);
    return 0;
}

static int is_postgres(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

/* Copies the database SRC_PATH into DST_PATH (created or overwritten) with
 * the backup API; then quick_check on the copy. TO_FILE: DST is a backup
 * file, switched to a rollback journal so that it stands alone. */
static int sqlite_copy(struct tc_cli *cli, const char *src_path, const char *dst_path,
                       int src_readonly, int to_file)
{
    sqlite3 *src = NULL, *dst = NULL;
    sqlite3_backup *b;
    sqlite3_stmt *st = NULL;
    int rc, ret = TC_EXIT_FAIL;

    if (sqlite3_open_v2(src_path, &src, src_readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                        NULL) != SQLITE_OK) {
        tc_cli_failf(cli, "%s: %s", src_path, src ? sqlite3_errmsg(src) : "out of memory");
        goto out;
    }
    if (sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        tc_cli_failf(cli, "%s: %s", dst_path, dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(src, 5000);
    sqlite3_busy_timeout(dst, 5000);
    if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
        tc_cli_failf(cli, "backup of %s: %s", src_path, sqlite3_errmsg(dst));
        goto out;
    }
    /* in steps, so that a serve writing the source is held up only briefly */
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(10);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        tc_cli_failf(cli, "copying %s to %s: %s", src_path, dst_path, sqlite3_errstr(rc));
        goto out;
    }
    /* a copy is one self-contained file: no -wal or -shm beside it */
    if (to_file && sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        tc_cli_failf(cli, "%s: %s", dst_path, sqlite3_errmsg(dst));
        goto out;
    }
    if (sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        tc_cli_failf(cli, "the copy %s fails its integrity check", dst_path);
        goto out;
    }
    ret = TC_EXIT_OK;
out:
    sqlite3_finalize(st);
    sqlite3_close(src);
    sqlite3_close(dst);
    return ret;
}

/* Is PATH a SQLite database that passes quick_check? */
static int sqlite_sound(struct tc_cli *cli, const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int ok;

    if (access(path, R_OK) != 0)
        return tc_cli_failf(cli, "restore: %s: %s", path, strerror(errno));
    ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
         sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
         sqlite3_step(st) == SQLITE_ROW &&
         strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok ? TC_EXIT_OK
              : tc_cli_failf(cli, "restore: %s is not a sound SQLite database", path);
}

/* FILE.(keep-1) goes, FILE.i becomes FILE.(i+1), FILE becomes FILE.1. */
static int rotate(struct tc_cli *cli, const char *file, int keep)
{
    char from[PATH_CAP], to[PATH_CAP];

    if (keep <= 1)
        return 0;
    snprintf(to, sizeof(to), "%s.%d", file, keep - 1);
    if (unlink(to) != 0 && errno != ENOENT)
        return tc_cli_failf(cli, "rotating %s: %s", to, strerror(errno));
    for (int i = keep - 2; i >= 0; i--) {
        if (i == 0)
            snprintf(from, sizeof(from), "%s", file);
        else
            snprintf(from, sizeof(from), "%s.%d", file, i);
        snprintf(to, sizeof(to), "%s.%d", file, i + 1);
        if (rename(from, to) != 0 && errno != ENOENT)
            return tc_cli_failf(cli, "rotating %s to %s: %s", from, to, strerror(errno));
    }
    return 0;
}

static int run_pg_dump(struct tc_cli *cli, const char *url, const char *out)
{
    char *argv[] = {(char *)"pg_dump", (char *)"--format=custom", (char *)"--file",
                    (char *)out, (char *)url, NULL};
    pid_t pid;
    int st = 0, e;

    e = posix_spawnp(&pid, "pg_dump", NULL, NULL, argv, environ);
    if (e == ENOENT)
        return tc_cli_failf(cli, "backup: PostgreSQL backups need pg_dump, which is not installed "
                                 "(install postgresql-client)");
    if (e != 0)
        return tc_cli_failf(cli, "backup: cannot run pg_dump: %s", strerror(e));
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        unlink(out);
        return tc_cli_failf(cli, "backup: pg_dump failed (status %d)",
                            WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    return 0;
}

/* --store NAME: the URL of database.NAME.url into *URL. */
static int store_opt(struct tc_cli *cli, const char *v, const char **url)
{
    if (!v || (strcmp(v, "runtime") != 0 && strcmp(v, "historical") != 0))
        return tc_cli_usage(cli, "--store needs runtime or historical, not \"%s\"", v ? v : "");
    *url = tc_config_str(cli->cfg, strcmp(v, "runtime") == 0 ? "database.runtime.url"
                                                             : "database.historical.url");
    return 0;
}

int tc_cmd_db_backup(struct tc_cli *cli, int argc, char **argv)
{
    const char *out = NULL, *url = tc_config_str(cli->cfg, "database.runtime.url");
    char path[PATH_CAP], tmp[PATH_CAP];
    long keep = 5;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (tc_cli_is_help(argv[i])) {
            fputs(backup_usage, cli->out);
            return TC_EXIT_OK;
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && argv[i + 1][0]) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            keep = strtol(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || keep < 1 || keep > 1000)
                return tc_cli_usage(cli, "backup: --keep needs a number from 1 to 1000, not \"%s\"",
                                    argv[i]);
        } else if (strcmp(argv[i], "--store") == 0) {
            if ((rc = store_opt(cli, i + 1 < argc ? argv[++i] : NULL, &url)) != 0)
                return rc;
        } else {
            return tc_cli_usage(cli, "backup: unknown or incomplete option \"%s\"", argv[i]);
        }
    }
    if (!out)
        return tc_cli_usage(cli, "backup: --out FILE is required");
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", out) >= (int)sizeof(tmp))
        return tc_cli_usage(cli, "backup: --out path too long");
    unlink(tmp);
    if (is_postgres(url)) {
        if ((rc = run_pg_dump(cli, url, tmp)) != 0)
            return rc;
    } else if (sqlite_file(url, path, sizeof(path)) != 0) {
        return tc_cli_failf(cli, "backup: %s is not a sqlite file or PostgreSQL database",
                            strncmp(url, "sqlite:", 7) == 0 ? url : "the store");
    } else {
        if (access(path, F_OK) != 0)
            return tc_cli_failf(cli, "backup: %s: %s", path, strerror(errno));
        if ((rc = sqlite_copy(cli, path, tmp, 1, 1)) != 0) {
            unlink(tmp);
            return rc;
        }
    }
    if ((rc = rotate(cli, out, (int)keep)) != 0) {
        unlink(tmp);
        return rc;
    }
    if (rename(tmp, out) != 0) {
        int e = errno;
        unlink(tmp);
        return tc_cli_failf(cli, "backup: %s: %s", out, strerror(e));
    }
    fprintf(cli->out, "backup written to %s (keeping %ld)\n", out, keep);
    return TC_EXIT_OK;
}

int tc_cmd_db_restore(struct tc_cli *cli, int argc, char **argv)
{
    const char *file = NULL, *url = tc_config_str(cli->cfg, "database.runtime.url");
    char path[PATH_CAP], lock[PATH_CAP];
    int rc, fd;

    for (int i = 1; i < argc; i++) {
        if (tc_cli_is_help(argv[i])) {
            fputs(backup_usage, cli->out);
            return TC_EXIT_OK;
        } else if (strcmp(argv[i], "--store") == 0) {
            if ((rc = store_opt(cli, i + 1 < argc ? argv[++i] : NULL, &url)) != 0)
                return rc;
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            return tc_cli_usage(cli, "restore: unknown option or extra argument \"%s\"", argv[i]);
        }
    }
    if (!file)
        return tc_cli_usage(cli, "restore: the backup FILE is required");
    if (is_postgres(url))
        return tc_cli_failf(cli, "restore: PostgreSQL stores are restored with pg_restore");
    if (sqlite_file(url, path, sizeof(path)) != 0)
        return tc_cli_failf(cli, "restore: the store is not a sqlite file");
    if ((rc = sqlite_sound(cli, file)) != 0)
        return rc;
    if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock))
        return tc_cli_usage(cli, "restore: store path too long");
    /* the serve lock: no serve may run on the store while it is replaced */
    if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
        return tc_cli_failf(cli, "restore: lock file %s: %s", lock, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return tc_cli_failf(cli, "restore: refusing while a tradecore serve uses %s (lock file %s "
                                 "is held): stop it first",
                            path, lock);
    }
    rc = sqlite_copy(cli, file, path, 1, 0);
    close(fd);
    if (rc == TC_EXIT_OK)
        fprintf(cli->out, "restored %s from %s\n", path, file);
    return rc;
}
